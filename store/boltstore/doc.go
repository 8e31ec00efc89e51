// Package boltstore is the durable store.Store driver, on go.etcd.io/bbolt: one file, one
// writer transaction at a time, fsync on every commit (unless Options.NoSync), so a write that
// returned survives a crash and a restart.
//
// Layout: bucket "data" maps each key to an 8-byte big-endian revision followed by the value;
// the sequence of bucket "meta" is the store-wide revision counter, persisted in the same
// transaction as the write it numbers, so revisions keep growing across restarts and Wipe.
//
// Concurrency: a Store is safe for concurrent use; reads run in parallel (bbolt MVCC), writes
// are serialized. A file can be open in one Store (one process) at a time: Open waits
// Options.LockTimeout for the file lock, then fails.
//
// Errors: the store package's sentinels (ErrNotFound, ErrExists, ErrConflict, ErrClosed);
// I/O errors from bbolt are returned wrapped. Empty keys cannot be written.
package boltstore
