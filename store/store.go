// Package store is the state seam of devopsim: an ordered key-value store of bytes with
// compare-and-set revisions, and Table, the typed view services use.
//
// Drivers live in sub-packages: memstore (the default, in memory) and boltstore (durable, on
// bbolt, fsync on commit). Every driver passes the conformance suite in storetest. Drivers are
// safe for concurrent use.
//
// Keys are strings ordered bytewise; services build them from path-like parts
// ("codecommit/repo/000000000000/us-east-1/my-repo"), so a prefix lists one scope.
package store

import (
	"context"
	"errors"
)

// Sentinel errors every driver returns.
var (
	ErrNotFound = errors.New("store: not found")
	ErrExists   = errors.New("store: already exists")
	ErrConflict = errors.New("store: revision conflict")
	ErrClosed   = errors.New("store: closed")
)

// Rev is an item's revision. Every write of a key gives it a new, larger revision.
type Rev uint64

const (
	// NoRev as an expected revision means "the key must not exist".
	NoRev Rev = 0
	// AnyRev as an expected revision means "write whatever the current revision is".
	AnyRev Rev = ^Rev(0)
)

// Item is one stored value with its revision.
type Item struct {
	Key   string
	Value []byte
	Rev   Rev
}

// Store is a byte-level ordered key-value driver.
type Store interface {
	// Get returns the item at key, or ErrNotFound.
	Get(ctx context.Context, key string) (Item, error)
	// Put writes value at key if the key's current revision is expect (NoRev: must not
	// exist; AnyRev: unconditional). It returns the new revision; on mismatch ErrConflict,
	// or ErrExists when expect is NoRev and the key exists.
	Put(ctx context.Context, key string, value []byte, expect Rev) (Rev, error)
	// Delete removes key if its revision is expect (AnyRev: unconditional). Deleting a
	// missing key returns ErrNotFound.
	Delete(ctx context.Context, key string, expect Rev) error
	// List returns up to limit items whose keys start with prefix and sort after the key
	// after ("" means from the start), in key order. next is the last key returned when more
	// may follow, or "" when the listing is complete. limit <= 0 means no limit.
	List(ctx context.Context, prefix, after string, limit int) (items []Item, next string, err error)
	// Close releases the driver. Calls after Close return ErrClosed.
	Close() error
}

// Wiper is implemented by drivers that can drop everything at once (used by reset).
type Wiper interface {
	Wipe(ctx context.Context) error
}

// DeletePrefix deletes every key under prefix.
func DeletePrefix(ctx context.Context, s Store, prefix string) error {
	after := ""
	for {
		items, next, err := s.List(ctx, prefix, after, 500)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := s.Delete(ctx, it.Key, AnyRev); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}
