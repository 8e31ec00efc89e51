// Package memstore is the in-memory store.Store driver, the platform's default.
// It is safe for concurrent use.
package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/devopsim/devopsim/store"
)

// Store is an in-memory ordered key-value store.
type Store struct {
	mu     sync.RWMutex
	items  map[string]entry
	keys   []string // sorted
	rev    store.Rev
	closed bool
}

type entry struct {
	value []byte
	rev   store.Rev
}

// New returns an empty store.
func New() *Store { return &Store{items: map[string]entry{}} }

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
	return store.Item{Key: key, Value: slices.Clone(e.value), Rev: e.rev}, nil
}

func (s *Store) Put(ctx context.Context, key string, value []byte, expect store.Rev) (store.Rev, error) {
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
	if !ok {
		i, _ := slices.BinarySearch(s.keys, key)
		s.keys = slices.Insert(s.keys, i, key)
	}
	s.items[key] = entry{value: slices.Clone(value), rev: s.rev}
	return s.rev, nil
}

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
	if i, found := slices.BinarySearch(s.keys, key); found {
		s.keys = slices.Delete(s.keys, i, i+1)
	}
	return nil
}

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
	i, found := slices.BinarySearch(s.keys, start)
	if found && start == after {
		i++
	}
	var out []store.Item
	for ; i < len(s.keys); i++ {
		k := s.keys[i]
		if !strings.HasPrefix(k, prefix) {
			break
		}
		if limit > 0 && len(out) == limit {
			return out, out[len(out)-1].Key, nil
		}
		e := s.items[k]
		out = append(out, store.Item{Key: k, Value: slices.Clone(e.value), Rev: e.rev})
	}
	return out, "", nil
}

// Wipe drops every key.
func (s *Store) Wipe(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = map[string]entry{}
	s.keys = nil
	return nil
}

func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
