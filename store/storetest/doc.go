// Package storetest is the conformance suite every store.Store driver passes:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
//	}
//
// It checks Get/Put/Delete with compare-and-set revisions (NoRev, AnyRev, stale revisions),
// revision monotonicity, List ordering, prefixes and pagination, that values are never aliased
// between the caller and the store, Wipe (for drivers implementing store.Wiper), the typed
// store.Table on top of the driver, concurrent writers (no lost update under Table.Update
// retries; run with -race) and ErrClosed after Close.
package storetest
