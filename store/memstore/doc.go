// Package memstore is the in-memory store.Store driver, the platform's default.
//
// Keys live in a hash map (point lookups) and a B-tree (github.com/google/btree, key order for
// List), so Get is O(1), List is O(log n + page) and inserting a new key is O(log n). Values
// are copied in and out: callers never share memory with the store. Revisions come from one
// store-wide counter and are never reused, not even after Wipe.
//
// A Store is safe for concurrent use: one RWMutex, readers in parallel, no callbacks under it.
// Errors are the store package's sentinels.
package memstore
