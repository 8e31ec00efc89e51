package memstore

import (
	"bytes"
	"context"
	"strings"
	"sync"

	"github.com/google/btree"

	"github.com/devopsim/devopsim/store"
)

// Store is an in-memory ordered key-value store.
type Store struct {
	mu     sync.RWMutex
	items  map[string]*entry     // point lookups
	order  *btree.BTreeG[*entry] // key order, for List
	rev    store.Rev
	closed bool
}

// entry is shared by items and order; its value and rev change in place under mu.
type entry struct {
	key   string
	value []byte
	rev   store.Rev
}

func less(a, b *entry) bool { return a.key < b.key }

// degree of the B-tree: 32 measured best for string keys of service paths.
const degree = 32

var (
	_ store.Store = (*Store)(nil)
	_ store.Wiper = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{items: map[string]*entry{}, order: btree.NewG(degree, less)}
}

// Get returns the item at key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (store.Item, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.Item{}, store.ErrClosed
	}
	e, ok := s.items[key]
	if !ok {
		return store.Item{}, store.ErrNotFound
	}
	return e.item(), nil
}

func (e *entry) item() store.Item {
	return store.Item{Key: e.key, Value: clone(e.value), Rev: e.rev}
}

// clone copies b, keeping nil for empty values (bytes.Clone keeps non-nil empties).
func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// Put writes value at key if the key's revision is expect; see store.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, expect store.Rev) (store.Rev, error) {
	v := clone(value) // copy outside the lock
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, store.ErrClosed
	}
	e, ok := s.items[key]
	switch {
	case expect == store.NoRev && ok:
		return 0, store.ErrExists
	case expect != store.NoRev && expect != store.AnyRev && (!ok || e.rev != expect):
		return 0, store.ErrConflict
	}
	s.rev++
	if ok {
		e.value, e.rev = v, s.rev
		return s.rev, nil
	}
	e = &entry{key: key, value: v, rev: s.rev}
	s.items[key] = e
	s.order.ReplaceOrInsert(e)
	return s.rev, nil
}

// Delete removes key if its revision is expect; see store.Store.
func (s *Store) Delete(ctx context.Context, key string, expect store.Rev) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	e, ok := s.items[key]
	if !ok {
		return store.ErrNotFound
	}
	if expect != store.AnyRev && e.rev != expect {
		return store.ErrConflict
	}
	delete(s.items, key)
	s.order.Delete(e)
	return nil
}

// List returns items under prefix after the key after, in key order; see store.Store.
func (s *Store) List(ctx context.Context, prefix, after string, limit int) ([]store.Item, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, "", store.ErrClosed
	}
	start := prefix
	if after > start {
		start = after
	}
	var (
		page []*entry
		next string
		size int
	)
	s.order.AscendGreaterOrEqual(&entry{key: start}, func(e *entry) bool {
		if after != "" && e.key == after {
			return true
		}
		if !strings.HasPrefix(e.key, prefix) {
			return false
		}
		if limit > 0 && len(page) == limit {
			next = page[len(page)-1].key
			return false
		}
		page = append(page, e)
		size += len(e.value)
		return true
	})
	return items(page, size), next, nil
}

// items copies a page of entries out. All values share one allocation, each capped to its
// own length, so a caller appending to one value cannot overwrite another.
func items(page []*entry, size int) []store.Item {
	if len(page) == 0 {
		return nil
	}
	out := make([]store.Item, len(page))
	buf := make([]byte, 0, size)
	for i, e := range page {
		var v []byte
		if len(e.value) > 0 {
			n := len(buf)
			buf = append(buf, e.value...)
			v = buf[n:len(buf):len(buf)]
		}
		out[i] = store.Item{Key: e.key, Value: v, Rev: e.rev}
	}
	return out
}

// Len is the number of keys stored.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

// Wipe drops every key. Revisions keep counting from where they were.
func (s *Store) Wipe(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.items = map[string]*entry{}
	s.order.Clear(false)
	return nil
}

// Close releases the contents. Calls after Close return store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.items = nil
	s.order = btree.NewG(degree, less)
	return nil
}
