package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/store"
)

// Run runs the conformance suite against the stores made by open. open is called once per
// subtest and must return an empty, open store; Run closes it when the subtest ends (a second
// Close must be harmless).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"GetMissing", testGetMissing},
		{"PutGet", testPutGet},
		{"Revisions", testRevisions},
		{"PutExpect", testPutExpect},
		{"Delete", testDelete},
		{"EmptyValue", testEmptyValue},
		{"NotAliased", testNotAliased},
		{"ListOrder", testListOrder},
		{"ListPrefix", testListPrefix},
		{"ListPages", testListPages},
		{"ListAfter", testListAfter},
		{"DeletePrefix", testDeletePrefix},
		{"Wipe", testWipe},
		{"Table", testTable},
		{"ConcurrentUpdate", testConcurrentUpdate},
		{"ConcurrentCreate", testConcurrentCreate},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, s)
		})
	}
}

func okRev(t *testing.T) func(store.Rev, error) store.Rev {
	return func(r store.Rev, err error) store.Rev {
		t.Helper()
		if err != nil {
			t.Fatalf("Put: %v", err)
		}
		return r
	}
}

func okItem(t *testing.T) func(store.Item, error) store.Item {
	return func(it store.Item, err error) store.Item {
		t.Helper()
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		return it
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func testGetMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.Get(ctx, "nope")
	wantErr(t, "Get missing", err, store.ErrNotFound)
	_, err = s.Get(ctx, "")
	wantErr(t, "Get empty key", err, store.ErrNotFound)
}

func testPutGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	rev := okRev(t)(s.Put(ctx, "a/b", []byte("hello"), store.NoRev))
	if rev == store.NoRev || rev == store.AnyRev {
		t.Fatalf("Put returned reserved revision %d", rev)
	}
	it := okItem(t)(s.Get(ctx, "a/b"))
	if it.Key != "a/b" || string(it.Value) != "hello" || it.Rev != rev {
		t.Fatalf("Get = %+v, want key a/b value hello rev %d", it, rev)
	}
	// Binary values and keys survive.
	bin := []byte{0, 1, 2, 255, '\n'}
	key := "bin/\x00\xff"
	okRev(t)(s.Put(ctx, key, bin, store.AnyRev))
	if got := okItem(t)(s.Get(ctx, key)); !slices.Equal(got.Value, bin) {
		t.Fatalf("binary value = %v, want %v", got.Value, bin)
	}
}

func testRevisions(t *testing.T, s store.Store) {
	ctx := t.Context()
	var last store.Rev
	for i := range 10 {
		key := fmt.Sprintf("k%d", i%3)
		rev := okRev(t)(s.Put(ctx, key, []byte{byte(i)}, store.AnyRev))
		if rev <= last {
			t.Fatalf("write %d: revision %d not larger than previous %d", i, rev, last)
		}
		last = rev
		if got := okItem(t)(s.Get(ctx, key)); got.Rev != rev {
			t.Fatalf("Get rev = %d, want %d", got.Rev, rev)
		}
	}
	// Deleting and recreating a key never reuses a revision.
	it := okItem(t)(s.Get(ctx, "k0"))
	if err := s.Delete(ctx, "k0", it.Rev); err != nil {
		t.Fatal(err)
	}
	rev := okRev(t)(s.Put(ctx, "k0", []byte("again"), store.NoRev))
	if rev <= last {
		t.Fatalf("recreated key got revision %d, want > %d", rev, last)
	}
}

func testPutExpect(t *testing.T, s store.Store) {
	ctx := t.Context()
	r1 := okRev(t)(s.Put(ctx, "x", []byte("1"), store.NoRev))
	tests := []struct {
		name   string
		key    string
		expect store.Rev
		want   error
	}{
		{"NoRev on existing key", "x", store.NoRev, store.ErrExists},
		{"stale revision", "x", r1 + 1000, store.ErrConflict},
		{"revision on missing key", "missing", r1, store.ErrConflict},
		{"current revision", "x", r1, nil},
	}
	for _, tt := range tests {
		_, err := s.Put(ctx, tt.key, []byte("v"), tt.expect)
		if tt.want == nil {
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			continue
		}
		wantErr(t, tt.name, err, tt.want)
	}
	// x was written at r1 by the last case; r1 is now stale.
	_, err := s.Put(ctx, "x", []byte("v"), r1)
	wantErr(t, "old revision after a write", err, store.ErrConflict)
	// A failed write changes nothing.
	it := okItem(t)(s.Get(ctx, "x"))
	if string(it.Value) != "v" {
		t.Fatalf("value = %q, want v", it.Value)
	}
	// AnyRev writes whether or not the key exists.
	okRev(t)(s.Put(ctx, "x", []byte("any"), store.AnyRev))
	okRev(t)(s.Put(ctx, "fresh", []byte("any"), store.AnyRev))
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed conditional Put created the key: %v", err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	wantErr(t, "Delete missing", s.Delete(ctx, "d", store.AnyRev), store.ErrNotFound)
	rev := okRev(t)(s.Put(ctx, "d", []byte("1"), store.NoRev))
	wantErr(t, "Delete stale", s.Delete(ctx, "d", rev+1), store.ErrConflict)
	if err := s.Delete(ctx, "d", rev); err != nil {
		t.Fatalf("Delete at current rev: %v", err)
	}
	_, err := s.Get(ctx, "d")
	wantErr(t, "Get deleted", err, store.ErrNotFound)
	wantErr(t, "Delete twice", s.Delete(ctx, "d", store.AnyRev), store.ErrNotFound)
	okRev(t)(s.Put(ctx, "d", []byte("2"), store.NoRev))
	if err := s.Delete(ctx, "d", store.AnyRev); err != nil {
		t.Fatalf("Delete AnyRev: %v", err)
	}
	items, _ := must2(t)(s.List(ctx, "", "", 0))
	if len(items) != 0 {
		t.Fatalf("List after deletes = %v, want empty", keys(items))
	}
}

func testEmptyValue(t *testing.T, s store.Store) {
	ctx := t.Context()
	okRev(t)(s.Put(ctx, "empty", nil, store.NoRev))
	it := okItem(t)(s.Get(ctx, "empty"))
	if len(it.Value) != 0 {
		t.Fatalf("value = %q, want empty", it.Value)
	}
	okRev(t)(s.Put(ctx, "empty2", []byte{}, store.NoRev))
	items, _ := must2(t)(s.List(ctx, "empty", "", 0))
	if len(items) != 2 {
		t.Fatalf("List = %v, want both empty values", keys(items))
	}
}

func testNotAliased(t *testing.T, s store.Store) {
	ctx := t.Context()
	in := []byte("original")
	okRev(t)(s.Put(ctx, "k", in, store.NoRev))
	in[0] = 'X' // mutate the caller's slice after Put
	got := okItem(t)(s.Get(ctx, "k"))
	if string(got.Value) != "original" {
		t.Fatalf("store aliased the Put slice: %q", got.Value)
	}
	got.Value[0] = 'Y' // mutate a returned slice
	if again := okItem(t)(s.Get(ctx, "k")); string(again.Value) != "original" {
		t.Fatalf("store aliased the Get slice: %q", again.Value)
	}
	okRev(t)(s.Put(ctx, "l", []byte("second"), store.NoRev))
	items, _ := must2(t)(s.List(ctx, "", "", 0))
	items[0].Value[0] = 'Z'
	if again := okItem(t)(s.Get(ctx, "k")); string(again.Value) != "original" {
		t.Fatalf("store aliased the List slice: %q", again.Value)
	}
	// Appending to one listed value must not overwrite the next one.
	_ = append(items[0].Value, "XXXXXXXX"...)
	if string(items[1].Value) != "second" {
		t.Fatalf("List values overlap: appending to one changed the next to %q", items[1].Value)
	}
}

func must2(t *testing.T) func([]store.Item, string, error) ([]store.Item, string) {
	return func(items []store.Item, next string, err error) ([]store.Item, string) {
		t.Helper()
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		return items, next
	}
}

func keys(items []store.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

func putAll(t *testing.T, s store.Store, ks ...string) {
	t.Helper()
	for _, k := range ks {
		if _, err := s.Put(t.Context(), k, []byte("v:"+k), store.AnyRev); err != nil {
			t.Fatalf("Put %q: %v", k, err)
		}
	}
}

func testListOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Inserted out of order; bytewise order puts upper case before lower case, "a" before
	// "a/" before "a0" before "ab", and UTF-8 multibyte after ASCII.
	ks := []string{"b", "a0", "ab", "a/", "a", "B", "é", "a/b", "\x7f", "aa"}
	putAll(t, s, ks...)
	want := slices.Clone(ks)
	slices.Sort(want)
	items, next := must2(t)(s.List(ctx, "", "", 0))
	if next != "" {
		t.Fatalf("unlimited List returned next %q", next)
	}
	if got := keys(items); !slices.Equal(got, want) {
		t.Fatalf("List order = %q, want %q", got, want)
	}
	for _, it := range items {
		if string(it.Value) != "v:"+it.Key || it.Rev == 0 {
			t.Fatalf("item %+v: wrong value or revision", it)
		}
	}
}

func testListPrefix(t *testing.T, s store.Store) {
	ctx := t.Context()
	putAll(t, s, "svc/a/1", "svc/a/2", "svc/ab/1", "svc/b/1", "svc/a", "other/a/1", "svc/a/\xff")
	tests := []struct {
		prefix string
		want   []string
	}{
		{"svc/a/", []string{"svc/a/1", "svc/a/2", "svc/a/\xff"}},
		{"svc/a", []string{"svc/a", "svc/a/1", "svc/a/2", "svc/a/\xff", "svc/ab/1"}},
		{"svc/", []string{"svc/a", "svc/a/1", "svc/a/2", "svc/a/\xff", "svc/ab/1", "svc/b/1"}},
		{"svc/c", nil},
		{"zzz", nil},
		{"", []string{"other/a/1", "svc/a", "svc/a/1", "svc/a/2", "svc/a/\xff", "svc/ab/1", "svc/b/1"}},
	}
	for _, tt := range tests {
		items, next := must2(t)(s.List(ctx, tt.prefix, "", 0))
		if got := keys(items); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
		if next != "" {
			t.Errorf("List(%q) next = %q, want empty", tt.prefix, next)
		}
	}
}

func testListPages(t *testing.T, s store.Store) {
	ctx := t.Context()
	var want []string
	for i := range 23 {
		k := fmt.Sprintf("p/%03d", i)
		want = append(want, k)
	}
	putAll(t, s, want...)
	putAll(t, s, "o/1", "q/1") // neighbours outside the prefix
	for _, limit := range []int{1, 2, 5, 22, 23, 24, 100} {
		var got []string
		after := ""
		pages := 0
		for {
			items, next := must2(t)(s.List(ctx, "p/", after, limit))
			pages++
			if len(items) > limit {
				t.Fatalf("limit %d: page of %d items", limit, len(items))
			}
			got = append(got, keys(items)...)
			if next == "" {
				break
			}
			if len(items) == 0 || next != items[len(items)-1].Key {
				t.Fatalf("limit %d: next %q is not the last key of the page %q", limit, next, keys(items))
			}
			after = next
			if pages > 100 {
				t.Fatalf("limit %d: pagination does not end", limit)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("limit %d: pages gave %q, want %q", limit, got, want)
		}
		// A full last page may or may not report next, but never more than one empty page.
		if maxPages := (len(want)+limit-1)/limit + 1; pages > maxPages {
			t.Fatalf("limit %d: %d pages, want at most %d", limit, pages, maxPages)
		}
	}
	// Keys written between pages show up if they sort after the cursor.
	items, next := must2(t)(s.List(ctx, "p/", "", 10))
	if next == "" || len(items) != 10 {
		t.Fatalf("first page: %d items, next %q", len(items), next)
	}
	putAll(t, s, "p/0005x", "p/999")
	rest, _ := must2(t)(s.List(ctx, "p/", next, 0))
	if k := keys(rest); k[len(k)-1] != "p/999" || slices.Contains(k, "p/0005x") {
		t.Fatalf("second page after concurrent writes = %q", k)
	}
}

func testListAfter(t *testing.T, s store.Store) {
	ctx := t.Context()
	putAll(t, s, "l/a", "l/b", "l/c", "m/a")
	tests := []struct {
		prefix, after string
		limit         int
		want          []string
	}{
		{"l/", "l/a", 0, []string{"l/b", "l/c"}},
		{"l/", "l/aa", 0, []string{"l/b", "l/c"}},     // after a key that does not exist
		{"l/", "l/c", 0, nil},                         // after the last key
		{"l/", "a", 0, []string{"l/a", "l/b", "l/c"}}, // after sorts before the prefix
		{"l/", "l/", 0, []string{"l/a", "l/b", "l/c"}},
		{"l/", "z", 0, nil}, // after sorts past the prefix
		{"", "l/c", 0, []string{"m/a"}},
		{"l/", "l/a", 1, []string{"l/b"}},
	}
	for _, tt := range tests {
		items, _ := must2(t)(s.List(ctx, tt.prefix, tt.after, tt.limit))
		if got := keys(items); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("List(%q, after %q, limit %d) = %q, want %q", tt.prefix, tt.after, tt.limit, got, tt.want)
		}
	}
}

func testDeletePrefix(t *testing.T, s store.Store) {
	ctx := t.Context()
	var ks []string
	for i := range 520 { // more than one DeletePrefix page (500)
		ks = append(ks, fmt.Sprintf("del/%04d", i))
	}
	putAll(t, s, ks...)
	putAll(t, s, "dek", "dem/1")
	if err := store.DeletePrefix(ctx, s, "del/"); err != nil {
		t.Fatal(err)
	}
	items, _ := must2(t)(s.List(ctx, "", "", 0))
	if got := keys(items); !slices.Equal(got, []string{"dek", "dem/1"}) {
		t.Fatalf("after DeletePrefix: %q", got)
	}
}

func testWipe(t *testing.T, s store.Store) {
	w, ok := s.(store.Wiper)
	if !ok {
		t.Skip("driver does not implement store.Wiper")
	}
	ctx := t.Context()
	putAll(t, s, "w/1", "w/2", "x")
	before := okRev(t)(s.Put(ctx, "x", []byte("y"), store.AnyRev))
	if err := w.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	items, _ := must2(t)(s.List(ctx, "", "", 0))
	if len(items) != 0 {
		t.Fatalf("after Wipe: %q", keys(items))
	}
	_, err := s.Get(ctx, "x")
	wantErr(t, "Get after Wipe", err, store.ErrNotFound)
	// The store is usable after Wipe, and revisions are not reused.
	rev := okRev(t)(s.Put(ctx, "x", []byte("z"), store.NoRev))
	if rev <= before {
		t.Fatalf("revision after Wipe %d, want > %d", rev, before)
	}
}

type counter struct {
	N     int      `json:"n"`
	Names []string `json:"names,omitempty"`
}

func testTable(t *testing.T, s store.Store) {
	ctx := t.Context()
	tab := store.NewTable[counter](s, "svc/counter/")
	other := store.NewTable[counter](s, "svc/counterx/")
	if tab.Prefix() != "svc/counter/" {
		t.Fatalf("Prefix = %q", tab.Prefix())
	}
	if err := tab.Create(ctx, "a", counter{N: 1}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Create twice", tab.Create(ctx, "a", counter{N: 2}), store.ErrExists)
	if err := other.Create(ctx, "a", counter{N: 100}); err != nil {
		t.Fatal(err)
	}
	got, rev, err := tab.GetRev(ctx, "a")
	if err != nil || got.N != 1 || rev == 0 {
		t.Fatalf("GetRev = %+v, %d, %v", got, rev, err)
	}
	v, err := tab.Update(ctx, "a", func(c *counter) error { c.N++; return nil })
	if err != nil || v.N != 2 {
		t.Fatalf("Update = %+v, %v", v, err)
	}
	boom := errors.New("boom")
	if _, err := tab.Update(ctx, "a", func(c *counter) error { c.N = 99; return boom }); !errors.Is(err, boom) {
		t.Fatalf("Update with failing fn: %v", err)
	}
	if got, _ := tab.Get(ctx, "a"); got.N != 2 {
		t.Fatalf("a failed Update wrote %+v", got)
	}
	_, err = tab.Update(ctx, "missing", func(c *counter) error { return nil })
	wantErr(t, "Update missing", err, store.ErrNotFound)
	if err := tab.Put(ctx, "b", counter{N: 3}); err != nil {
		t.Fatal(err)
	}
	all, err := tab.All(ctx, "")
	if err != nil || len(all) != 2 || all[0].N != 2 || all[1].N != 3 {
		t.Fatalf("All = %+v, %v (must not include the other table)", all, err)
	}
	if err := tab.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Delete missing", tab.Delete(ctx, "a"), store.ErrNotFound)
	_, err = tab.Get(ctx, "a")
	wantErr(t, "Get deleted", err, store.ErrNotFound)
	if got, _ := other.Get(ctx, "a"); got.N != 100 {
		t.Fatalf("other table changed: %+v", got)
	}
	// A value that is not JSON is reported, not silently zeroed.
	okRev(t)(s.Put(ctx, "svc/counter/bad", []byte("{"), store.AnyRev))
	if _, err := tab.Get(ctx, "bad"); err == nil {
		t.Fatal("Get of a corrupt value succeeded")
	}
	if _, err := tab.All(ctx, ""); err == nil {
		t.Fatal("All over a corrupt value succeeded")
	}
}

func testConcurrentUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	tab := store.NewTable[counter](s, "c/")
	if err := tab.Create(ctx, "n", counter{}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := tab.Update(ctx, "n", func(c *counter) error {
					c.N++
					c.Names = append(c.Names[:0], fmt.Sprintf("w%d-%d", w, i))
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				// Readers and listers run alongside the writers.
				if _, err := tab.Get(ctx, "n"); err != nil {
					errs <- err
					return
				}
				if _, _, err := s.List(ctx, "c/", "", 0); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := tab.Get(ctx, "n")
	if err != nil {
		t.Fatal(err)
	}
	if got.N != workers*each {
		t.Fatalf("count = %d, want %d: an update was lost", got.N, workers*each)
	}
}

func testConcurrentCreate(t *testing.T, s store.Store) {
	ctx := t.Context()
	const workers = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		won     int
		revs    = map[store.Rev]bool{}
		badErrs []error
	)
	for w := range workers {
		wg.Go(func() {
			rev, err := s.Put(ctx, "once", []byte{byte(w)}, store.NoRev)
			r2, err2 := s.Put(ctx, fmt.Sprintf("own/%d", w), nil, store.NoRev)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
				revs[rev] = true
			case !errors.Is(err, store.ErrExists):
				badErrs = append(badErrs, err)
			}
			if err2 != nil {
				badErrs = append(badErrs, err2)
			} else if revs[r2] {
				badErrs = append(badErrs, fmt.Errorf("revision %d given twice", r2))
			} else {
				revs[r2] = true
			}
		})
	}
	wg.Wait()
	if len(badErrs) > 0 {
		t.Fatal(badErrs)
	}
	if won != 1 {
		t.Fatalf("%d concurrent creates of one key succeeded, want 1", won)
	}
	if len(revs) != workers+1 {
		t.Fatalf("%d distinct revisions for %d writes", len(revs), workers+1)
	}
}

func testClosed(t *testing.T, s store.Store) {
	ctx := context.Background()
	putAll(t, s, "k")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err := s.Get(ctx, "k")
	wantErr(t, "Get after Close", err, store.ErrClosed)
	_, err = s.Put(ctx, "k", nil, store.AnyRev)
	wantErr(t, "Put after Close", err, store.ErrClosed)
	wantErr(t, "Delete after Close", s.Delete(ctx, "k", store.AnyRev), store.ErrClosed)
	_, _, err = s.List(ctx, "", "", 0)
	wantErr(t, "List after Close", err, store.ErrClosed)
	if w, ok := s.(store.Wiper); ok {
		wantErr(t, "Wipe after Close", w.Wipe(ctx), store.ErrClosed)
	}
	tab := store.NewTable[counter](s, "")
	_, err = tab.Update(ctx, "k", func(*counter) error { return nil })
	wantErr(t, "Table.Update after Close", err, store.ErrClosed)
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
