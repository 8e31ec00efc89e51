package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/memstore"
)

type repo struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// racing is a driver whose Put lets a competing writer in first, n times, so Table.Update
// meets real revision conflicts.
type racing struct {
	store.Store
	n     atomic.Int32
	puts  atomic.Int32
	fight func(ctx context.Context, key string)
}

func (r *racing) Put(ctx context.Context, key string, v []byte, expect store.Rev) (store.Rev, error) {
	r.puts.Add(1)
	if expect != store.NoRev && expect != store.AnyRev && r.n.Add(-1) >= 0 {
		r.fight(ctx, key)
	}
	return r.Store.Put(ctx, key, v, expect)
}

func TestTableUpdateRetries(t *testing.T) {
	ctx := t.Context()
	mem := memstore.New()
	r := &racing{Store: mem}
	tab := store.NewTable[repo](r, "svc/repo/")
	other := store.NewTable[repo](mem, "svc/repo/")
	r.fight = func(ctx context.Context, key string) {
		if _, err := other.Update(ctx, "a", func(v *repo) error { v.Count += 100; return nil }); err != nil {
			t.Error(err)
		}
	}
	if err := tab.Create(ctx, "a", repo{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	r.n.Store(3)
	calls := 0
	got, err := tab.Update(ctx, "a", func(v *repo) error { calls++; v.Count++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if calls != 4 {
		t.Errorf("fn ran %d times, want 4 (3 conflicts, then success)", calls)
	}
	if got.Count != 301 {
		t.Errorf("Update returned %+v, want count 301", got)
	}
	if v, _ := tab.Get(ctx, "a"); v.Count != 301 {
		t.Errorf("stored %+v, want count 301: a competing write was lost", v)
	}
}

func TestTableUpdateCancelledWhileConflicting(t *testing.T) {
	mem := memstore.New()
	r := &racing{Store: mem}
	tab := store.NewTable[repo](r, "t/")
	ctx, cancel := context.WithCancel(t.Context())
	r.fight = func(ctx context.Context, key string) {
		cancel()
		if _, err := mem.Put(context.Background(), key, []byte(`{"count":7}`), store.AnyRev); err != nil {
			t.Error(err)
		}
	}
	if err := tab.Create(t.Context(), "a", repo{}); err != nil {
		t.Fatal(err)
	}
	r.n.Store(1 << 20) // conflict forever
	_, err := tab.Update(ctx, "a", func(v *repo) error { v.Count = 1; return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update under endless conflicts after cancel = %v, want context.Canceled", err)
	}
	if n := r.puts.Load(); n > 3 {
		t.Fatalf("%d Puts after the context was cancelled", n)
	}
}

func TestTableList(t *testing.T) {
	ctx := t.Context()
	s := memstore.New()
	tab := store.NewTable[repo](s, "svc/repo/")
	// Neighbours of the table's prefix must never show up.
	for _, k := range []string{"svc/repo", "svc/repo0/x", "svc/rep/x"} {
		if _, err := s.Put(ctx, k, []byte(`{"name":"intruder"}`), store.AnyRev); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for i := range 25 {
		scope := "acct1/"
		if i%5 == 0 {
			scope = "acct2/"
		}
		name := fmt.Sprintf("r%02d", i)
		if err := tab.Create(ctx, scope+name, repo{Name: name}); err != nil {
			t.Fatal(err)
		}
		if scope == "acct1/" {
			names = append(names, name)
		}
	}
	tests := []struct {
		prefix string
		limit  int
		want   int
	}{
		{"acct1/", 0, 20},
		{"acct1/", 3, 20},
		{"acct1/", 20, 20},
		{"acct2/", 2, 5},
		{"", 7, 25},
		{"acct3/", 5, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/limit=%d", tt.prefix, tt.limit), func(t *testing.T) {
			var got []repo
			after := ""
			for range 100 {
				vals, next, err := tab.List(ctx, tt.prefix, after, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				if tt.limit > 0 && len(vals) > tt.limit {
					t.Fatalf("page of %d > limit %d", len(vals), tt.limit)
				}
				got = append(got, vals...)
				if next == "" {
					break
				}
				if len(next) < len(tt.prefix) || next[:len(tt.prefix)] != tt.prefix {
					t.Fatalf("next %q is not relative to the table", next)
				}
				after = next
			}
			if len(got) != tt.want {
				t.Fatalf("got %d values, want %d: %+v", len(got), tt.want, got)
			}
			for _, v := range got {
				if v.Name == "intruder" {
					t.Fatal("a key outside the table was listed")
				}
			}
			if tt.prefix == "acct1/" {
				gotNames := make([]string, len(got))
				for i, v := range got {
					gotNames[i] = v.Name
				}
				if !slices.Equal(gotNames, names) {
					t.Fatalf("order %v, want %v", gotNames, names)
				}
			}
		})
	}
}

func TestTableAllManyPages(t *testing.T) {
	ctx := t.Context()
	tab := store.NewTable[repo](memstore.New(), "x/")
	const n = 2500 // All reads pages of 1000
	for i := range n {
		if err := tab.Put(ctx, fmt.Sprintf("%05d", i), repo{Count: i}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := tab.All(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("All = %d values, want %d", len(all), n)
	}
	for i, v := range all {
		if v.Count != i {
			t.Fatalf("All[%d] = %+v: out of order", i, v)
		}
	}
	none, err := tab.All(ctx, "zzz")
	if err != nil || len(none) != 0 {
		t.Fatalf("All of an empty prefix = %v, %v", none, err)
	}
}

func TestTableEncodeError(t *testing.T) {
	ctx := t.Context()
	tab := store.NewTable[map[string]any](memstore.New(), "m/")
	bad := map[string]any{"f": func() {}}
	if err := tab.Create(ctx, "a", bad); err == nil {
		t.Fatal("Create of an unencodable value succeeded")
	}
	if err := tab.Put(ctx, "a", bad); err == nil {
		t.Fatal("Put of an unencodable value succeeded")
	}
	if err := tab.Create(ctx, "b", map[string]any{"ok": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.Update(ctx, "b", func(m *map[string]any) error { (*m)["f"] = func() {}; return nil }); err == nil {
		t.Fatal("Update to an unencodable value succeeded")
	}
}

func TestDeletePrefixStopsOnError(t *testing.T) {
	s := memstore.New()
	if _, err := s.Put(t.Context(), "a/1", nil, store.AnyRev); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := store.DeletePrefix(t.Context(), s, "a/"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("DeletePrefix on a closed store = %v", err)
	}
}

func ExampleTable() {
	ctx := context.Background()
	s := memstore.New()
	repos := store.NewTable[repo](s, "codecommit/repo/")

	_ = repos.Create(ctx, "000000000000/us-east-1/web", repo{Name: "web"})
	err := repos.Create(ctx, "000000000000/us-east-1/web", repo{Name: "web"})
	fmt.Println(errors.Is(err, store.ErrExists))

	// Update retries fn on revision conflicts, so concurrent increments are never lost.
	v, _ := repos.Update(ctx, "000000000000/us-east-1/web", func(r *repo) error {
		r.Count++
		return nil
	})
	fmt.Println(v.Name, v.Count)

	all, _ := repos.All(ctx, "000000000000/us-east-1/")
	fmt.Println(len(all))
	// Output:
	// true
	// web 1
	// 1
}
