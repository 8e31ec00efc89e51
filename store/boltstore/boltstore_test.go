package boltstore_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/boltstore"
	"github.com/devopsim/devopsim/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceNoSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := boltstore.OpenWith(filepath.Join(t.TempDir(), "state.db"), boltstore.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != path {
		t.Fatalf("Path = %q", s.Path())
	}
	var last store.Rev
	for _, k := range []string{"a", "b", "c"} {
		if last, err = s.Put(ctx, k, []byte("v"+k), store.NoRev); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, "b", store.AnyRev); err != nil {
		t.Fatal(err)
	}
	// A second Open of the same file waits for the lock and fails.
	if _, err := boltstore.OpenWith(path, boltstore.Options{LockTimeout: 50 * time.Millisecond}); err == nil {
		t.Fatal("a second Open of a locked file succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, _, err := s.List(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Key != "a" || string(items[1].Value) != "vc" || items[1].Rev != last {
		t.Fatalf("after reopen: %+v", items)
	}
	// The revision counter survived: a new write gets a larger revision, and the stored
	// revision still guards compare-and-set.
	rev, err := s.Put(ctx, "d", nil, store.NoRev)
	if err != nil || rev <= last {
		t.Fatalf("Put after reopen = %d, %v; want > %d", rev, err, last)
	}
	if _, err := s.Put(ctx, "c", nil, last-1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale Put after reopen: %v", err)
	}
	if _, err := s.Put(ctx, "c", []byte("new"), last); err != nil {
		t.Fatalf("Put at persisted revision: %v", err)
	}
	// Wipe survives a reopen too, and does not reset the counter.
	if err := s.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if items, _, _ := s.List(ctx, "", "", 0); len(items) != 0 {
		t.Fatalf("after Wipe and reopen: %+v", items)
	}
	if r, _ := s.Put(ctx, "e", nil, store.NoRev); r <= rev {
		t.Fatalf("revision after Wipe and reopen = %d, want > %d", r, rev)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := boltstore.Open(dir); err == nil { // a directory is not a database
		t.Fatal("Open of a directory succeeded")
	}
	if _, err := boltstore.Open(filepath.Join(dir, "missing", "x.db")); err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
}

func TestEmptyKey(t *testing.T) {
	s, err := boltstore.OpenWith(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Put(t.Context(), "", []byte("x"), store.AnyRev); err == nil {
		t.Fatal("Put with an empty key succeeded")
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store {
		s, err := boltstore.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return s
	}, 1_000) // preloading costs one fsync per key
}

func BenchmarkStoreNoSync(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store {
		s, err := boltstore.OpenWith(filepath.Join(b.TempDir(), "bench.db"), boltstore.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
