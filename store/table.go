package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Table is a typed view of the keys under one prefix; values are stored as JSON.
// A Table is safe for concurrent use when its Store is.
type Table[T any] struct {
	s      Store
	prefix string
}

// NewTable returns the table of T stored under prefix (which should end in "/").
func NewTable[T any](s Store, prefix string) *Table[T] {
	return &Table[T]{s: s, prefix: prefix}
}

// Prefix is the table's key prefix.
func (t *Table[T]) Prefix() string { return t.prefix }

// Get returns the value at key, or ErrNotFound.
func (t *Table[T]) Get(ctx context.Context, key string) (T, error) {
	v, _, err := t.GetRev(ctx, key)
	return v, err
}

// GetRev returns the value at key with its revision.
func (t *Table[T]) GetRev(ctx context.Context, key string) (T, Rev, error) {
	var v T
	it, err := t.s.Get(ctx, t.prefix+key)
	if err != nil {
		return v, 0, err
	}
	if err := json.Unmarshal(it.Value, &v); err != nil {
		return v, 0, fmt.Errorf("store: decode %s: %w", it.Key, err)
	}
	return v, it.Rev, nil
}

// Create stores v at key, or returns ErrExists.
func (t *Table[T]) Create(ctx context.Context, key string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.s.Put(ctx, t.prefix+key, b, NoRev)
	return err
}

// Put stores v at key unconditionally.
func (t *Table[T]) Put(ctx context.Context, key string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.s.Put(ctx, t.prefix+key, b, AnyRev)
	return err
}

// Update reads the value at key, applies fn and writes it back if nothing changed it in
// between, retrying on conflict. An error from fn aborts the update and is returned as is.
// A missing key gives ErrNotFound.
func (t *Table[T]) Update(ctx context.Context, key string, fn func(*T) error) (T, error) {
	for {
		v, rev, err := t.GetRev(ctx, key)
		if err != nil {
			return v, err
		}
		if err := fn(&v); err != nil {
			return v, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return v, err
		}
		_, err = t.s.Put(ctx, t.prefix+key, b, rev)
		if errors.Is(err, ErrConflict) {
			if ctx.Err() != nil {
				return v, ctx.Err()
			}
			continue
		}
		return v, err
	}
}

// Delete removes key; ErrNotFound when missing.
func (t *Table[T]) Delete(ctx context.Context, key string) error {
	return t.s.Delete(ctx, t.prefix+key, AnyRev)
}

// List returns up to limit values whose keys (relative to the table) start with prefix and
// sort after the relative key after. next is the relative key to pass as after for the next
// page, or "" when done.
func (t *Table[T]) List(ctx context.Context, prefix, after string, limit int) (vals []T, next string, err error) {
	a := ""
	if after != "" {
		a = t.prefix + after
	}
	items, n, err := t.s.List(ctx, t.prefix+prefix, a, limit)
	if err != nil {
		return nil, "", err
	}
	vals = make([]T, 0, len(items))
	for _, it := range items {
		var v T
		if err := json.Unmarshal(it.Value, &v); err != nil {
			return nil, "", fmt.Errorf("store: decode %s: %w", it.Key, err)
		}
		vals = append(vals, v)
	}
	if n != "" {
		next = n[len(t.prefix):]
	}
	return vals, next, nil
}

// All returns every value whose relative key starts with prefix.
func (t *Table[T]) All(ctx context.Context, prefix string) ([]T, error) {
	var out []T
	after := ""
	for {
		vals, next, err := t.List(ctx, prefix, after, 1000)
		if err != nil {
			return nil, err
		}
		out = append(out, vals...)
		if next == "" {
			return out, nil
		}
		after = next
	}
}
