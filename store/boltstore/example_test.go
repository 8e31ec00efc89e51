package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/boltstore"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "boltstore")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state.db")

	s, err := boltstore.Open(path)
	if err != nil {
		panic(err)
	}
	rev, _ := s.Put(ctx, "codebuild/project/web", []byte(`{"name":"web"}`), store.NoRev)
	s.Close()

	// The data and its revision survive a restart.
	s, _ = boltstore.Open(path)
	defer s.Close()
	it, _ := s.Get(ctx, "codebuild/project/web")
	fmt.Println(string(it.Value), it.Rev == rev)
	// Output: {"name":"web"} true
}
