package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/devopsim/devopsim/store"
)

var (
	dataBucket = []byte("data") // key -> 8-byte big-endian revision + value
	metaBucket = []byte("meta") // its bucket sequence is the store's revision counter
)

// Options tunes Open. The zero value is the durable default.
type Options struct {
	// NoSync skips fsync on commit: faster, and a crash of the machine may lose the last
	// writes (a crash of the process does not). For tests and throwaway data.
	NoSync bool
	// LockTimeout is how long Open waits for another process to release the file;
	// 0 means one second.
	LockTimeout time.Duration
}

// Store is a store.Store on a bbolt file.
type Store struct {
	db     *bolt.DB
	closed atomic.Bool
}

var (
	_ store.Store = (*Store)(nil)
	_ store.Wiper = (*Store)(nil)
)

// Open opens (creating if needed) the store in the file at path, with fsync on every commit.
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// OpenWith opens the store at path with opts.
func OpenWith(path string, opts Options) (*Store, error) {
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, NoSync: opts.NoSync})
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(dataBucket); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(metaBucket)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: init %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.db.Path() }

func (s *Store) mapErr(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) || s.closed.Load() && errors.Is(err, berrors.ErrTxClosed) {
		return store.ErrClosed
	}
	return err
}

func decode(key, raw []byte) (store.Item, error) {
	if len(raw) < 8 {
		return store.Item{}, fmt.Errorf("boltstore: corrupt record at %q", key)
	}
	return store.Item{
		Key:   string(key),
		Rev:   store.Rev(binary.BigEndian.Uint64(raw)),
		Value: bytes.Clone(raw[8:]), // bbolt's memory is only valid inside the transaction
	}, nil
}

func revOf(raw []byte) store.Rev {
	if len(raw) < 8 {
		return 0
	}
	return store.Rev(binary.BigEndian.Uint64(raw))
}

// Get returns the item at key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (store.Item, error) {
	if s.closed.Load() {
		return store.Item{}, store.ErrClosed
	}
	var it store.Item
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(dataBucket).Get([]byte(key))
		if raw == nil {
			return store.ErrNotFound
		}
		var err error
		it, err = decode([]byte(key), raw)
		return err
	})
	return it, s.mapErr(err)
}

// Put writes value at key if the key's revision is expect; see store.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, expect store.Rev) (store.Rev, error) {
	if s.closed.Load() {
		return 0, store.ErrClosed
	}
	if key == "" {
		return 0, errors.New("boltstore: empty key")
	}
	var rev store.Rev
	err := s.db.Update(func(tx *bolt.Tx) error {
		data := tx.Bucket(dataBucket)
		k := []byte(key)
		cur := data.Get(k)
		switch {
		case expect == store.NoRev && cur != nil:
			return store.ErrExists
		case expect != store.NoRev && expect != store.AnyRev && (cur == nil || revOf(cur) != expect):
			return store.ErrConflict
		}
		seq, err := tx.Bucket(metaBucket).NextSequence()
		if err != nil {
			return err
		}
		rec := make([]byte, 8+len(value))
		binary.BigEndian.PutUint64(rec, seq)
		copy(rec[8:], value)
		if err := data.Put(k, rec); err != nil {
			return err
		}
		rev = store.Rev(seq)
		return nil
	})
	if err != nil {
		return 0, s.mapErr(err)
	}
	return rev, nil
}

// Delete removes key if its revision is expect; see store.Store.
func (s *Store) Delete(ctx context.Context, key string, expect store.Rev) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		data := tx.Bucket(dataBucket)
		k := []byte(key)
		cur := data.Get(k)
		if cur == nil {
			return store.ErrNotFound
		}
		if expect != store.AnyRev && revOf(cur) != expect {
			return store.ErrConflict
		}
		return data.Delete(k)
	})
	return s.mapErr(err)
}

// List returns items under prefix after the key after, in key order; see store.Store.
func (s *Store) List(ctx context.Context, prefix, after string, limit int) ([]store.Item, string, error) {
	if s.closed.Load() {
		return nil, "", store.ErrClosed
	}
	var (
		out  []store.Item
		next string
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(dataBucket).Cursor()
		start := prefix
		if after > start {
			start = after
		}
		p := []byte(prefix)
		var (
			ks, vs [][]byte // valid only inside the transaction
			size   int
		)
		k, v := c.Seek([]byte(start))
		if k != nil && after != "" && string(k) == after {
			k, v = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if limit > 0 && len(ks) == limit {
				next = string(ks[len(ks)-1])
				break
			}
			if len(v) < 8 {
				return fmt.Errorf("boltstore: corrupt record at %q", k)
			}
			ks, vs = append(ks, k), append(vs, v)
			size += len(v) - 8
		}
		if len(ks) == 0 {
			return nil
		}
		// One allocation for every value of the page, each capped to its own length.
		out = make([]store.Item, len(ks))
		buf := make([]byte, 0, size)
		for i, k := range ks {
			it := store.Item{Key: string(k), Rev: revOf(vs[i])}
			if val := vs[i][8:]; len(val) > 0 {
				n := len(buf)
				buf = append(buf, val...)
				it.Value = buf[n:len(buf):len(buf)]
			}
			out[i] = it
		}
		if next != "" {
			next = out[len(out)-1].Key
		}
		return nil
	})
	if err != nil {
		return nil, "", s.mapErr(err)
	}
	return out, next, nil
}

// Wipe deletes every key in one transaction. Revisions keep counting up from where they were,
// so a revision is never reused.
func (s *Store) Wipe(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(dataBucket); err != nil {
			return err
		}
		_, err := tx.CreateBucket(dataBucket)
		return err
	})
	return s.mapErr(err)
}

// Close closes the file. Calls after Close return store.ErrClosed; a second Close is a no-op.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}
