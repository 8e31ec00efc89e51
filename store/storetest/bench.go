package storetest

import (
	"fmt"
	"testing"

	"github.com/devopsim/devopsim/store"
)

// benchRecord is a typical small service record (a few hundred bytes of JSON).
type benchRecord struct {
	Name        string            `json:"name"`
	ARN         string            `json:"arn"`
	Description string            `json:"description"`
	Count       int               `json:"count"`
	Tags        map[string]string `json:"tags"`
}

// Bench runs the driver benchmarks: Get, Put (AnyRev and compare-and-set), Table.Get and
// Table.Update on a store preloaded with each of sizes keys (default 1,000 and 100,000), and
// List of a 100-key page.
func Bench(b *testing.B, open func(b *testing.B) store.Store, sizes ...int) {
	if len(sizes) == 0 {
		sizes = []int{1_000, 100_000}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			s := open(b)
			b.Cleanup(func() { _ = s.Close() })
			ctx := b.Context()
			tab := store.NewTable[benchRecord](s, "svc/kind/")
			rec := benchRecord{
				Name: "my-repo", ARN: "arn:aws:codecommit:us-east-1:000000000000:my-repo",
				Description: "a repository used by the benchmarks of the store drivers",
				Tags:        map[string]string{"team": "devops", "env": "test"},
			}
			keys := make([]string, n)
			for i := range n {
				keys[i] = fmt.Sprintf("000000000000/us-east-1/repo-%08d", (i*7919)%n)
				if err := tab.Put(ctx, keys[i], rec); err != nil {
					b.Fatal(err)
				}
			}
			fulls := make([]string, n)
			for i, k := range keys {
				fulls[i] = tab.Prefix() + k
			}
			full := func(i int) string { return fulls[i%n] }
			val := []byte(`{"name":"my-repo","count":1}`)

			b.Run("Get", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := s.Get(ctx, full(i)); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("Put", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := s.Put(ctx, full(i), val, store.AnyRev); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("PutNew", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := s.Put(ctx, fmt.Sprintf("new/%d/%08d", n, i), val, store.AnyRev); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("PutCAS", func(b *testing.B) {
				b.ReportAllocs()
				rev, err := s.Put(ctx, "cas", val, store.AnyRev)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if rev, err = s.Put(ctx, "cas", val, rev); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("List100", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					items, _, err := s.List(ctx, "svc/kind/000000000000/us-east-1/", "", 100)
					if err != nil || len(items) != 100 {
						b.Fatal(len(items), err)
					}
				}
			})
			b.Run("TableGet", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := tab.Get(ctx, keys[i%n]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("TableUpdate", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					_, err := tab.Update(ctx, keys[i%n], func(r *benchRecord) error { r.Count++; return nil })
					if err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("TableUpdateParallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						_, err := tab.Update(ctx, keys[i%n], func(r *benchRecord) error { r.Count++; return nil })
						if err != nil {
							b.Error(err)
							return
						}
						i += 13
					}
				})
			})
		})
	}
}
