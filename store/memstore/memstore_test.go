package memstore_test

import (
	"testing"

	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/memstore"
	"github.com/devopsim/devopsim/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return memstore.New() })
}
