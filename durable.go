package devopsim

import (
	"errors"

	"github.com/devopsim/devopsim/store"
)

// openDurableStore opens the bbolt store; replaced once store/boltstore lands.
func openDurableStore(path string) (store.Store, error) {
	return nil, errors.New("durable store not available yet")
}
