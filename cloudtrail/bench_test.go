package cloudtrail_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/boltstore"
	"github.com/devopsim/devopsim/store/memstore"
)

func noop(context.Context, *repoIn) (*repoOut, error) { return &repoOut{RepositoryID: "x"}, nil }

// callerCtx carries a request ID so that dispatch.Do does not spend time making one.
func callerCtx() context.Context {
	return identity.With(context.Background(), identity.Caller{RequestID: "11111111-2222-3333-4444-555555555555"})
}

// BenchmarkDispatchBaseline is dispatch.Do of the fake operation with no audit hook.
func BenchmarkDispatchBaseline(b *testing.B) {
	f := newFixture(b, cloudtrail.Options{})
	d := *f.fake
	d.Hooks = &dispatch.Hooks{}
	ctx := callerCtx()
	in := &repoIn{RepositoryName: "web"}
	b.ReportAllocs()
	for b.Loop() {
		dispatch.Do(ctx, &d, "CreateRepository", in, noop)
	}
}

// BenchmarkRecord is dispatch.Do of the fake operation with CloudTrail recording it, the
// background processor paused; the difference to BenchmarkDispatchBaseline is the recording
// overhead on the caller's path.
func BenchmarkRecord(b *testing.B) {
	f := newFixture(b, cloudtrail.Options{})
	ctx := callerCtx()
	in := &repoIn{RepositoryName: "web"}
	resume := cloudtrail.PauseWorker(f.ct)
	defer resume()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dispatch.Do(ctx, f.fake, "CreateRepository", in, noop)
		if i++; i%32768 == 0 {
			b.StopTimer()
			cloudtrail.Process(f.ct)
			b.StartTimer()
		}
	}
	b.StopTimer()
	cloudtrail.Process(f.ct)
}

// BenchmarkRecordProcessed includes the background processing (marshaling, indexing) of every
// call, i.e. the full cost of recording.
func BenchmarkRecordProcessed(b *testing.B) {
	f := newFixture(b, cloudtrail.Options{})
	ctx := callerCtx()
	in := &repoIn{RepositoryName: "web"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dispatch.Do(ctx, f.fake, "CreateRepository", in, noop)
		if i++; i%1024 == 0 {
			f.ct.Flush(ctx)
		}
	}
	f.ct.Flush(ctx)
}

// BenchmarkLookupByEventName looks up one page by EventName over 1M recorded events.
func BenchmarkLookupByEventName(b *testing.B) {
	f := newFixture(b, cloudtrail.Options{})
	ctx := context.Background()
	ops := make([]string, 20)
	for i := range ops {
		ops[i] = fmt.Sprintf("Op%02d", i)
	}
	in := &repoIn{RepositoryName: "web"}
	for i := 0; i < 1_000_000; i++ {
		dispatch.Do(ctx, f.fake, ops[i%len(ops)], in, noop)
	}
	f.ct.Flush(ctx)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	q := byAttr("EventName", "Op07")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := f.ct.LookupEvents(ctx, q)
		if err != nil || len(out.Events) != 50 {
			b.Fatal(err, len(out.Events))
		}
	}
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MiB-heap")
}

// BenchmarkAuditHook is the recording hook alone, as dispatch.Do calls it after each operation.
func BenchmarkAuditHook(b *testing.B) {
	f := newFixture(b, cloudtrail.Options{})
	hook := cloudtrail.Audit(f.ct)
	ctx := callerCtx()
	call := &dispatch.Call{Service: "codecommit", EventSource: "codecommit.amazonaws.com", Op: "CreateRepository",
		Input: &repoIn{RepositoryName: "web"}, Output: &repoOut{RepositoryID: "x"}}
	resume := cloudtrail.PauseWorker(f.ct)
	defer resume()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		hook(ctx, call)
		if i++; i%32768 == 0 {
			b.StopTimer()
			cloudtrail.Process(f.ct)
			b.StartTimer()
		}
	}
	b.StopTimer()
	cloudtrail.Process(f.ct)
}

// BenchmarkRecordProcessedDurable is BenchmarkRecordProcessed with DurableHistory: one store
// write per processed batch, on the memory store (the encoding cost alone) and on the durable
// store as `devopsim serve -data` opens it (bbolt with fsync).
func BenchmarkRecordProcessedDurable(b *testing.B) {
	for _, bc := range []struct {
		name string
		open func(d *durable) (*fixture, store.Store)
	}{
		{"memstore", func(d *durable) (*fixture, store.Store) {
			st := memstore.New()
			return d.openOn(st, cloudtrail.Options{DurableHistory: true}), st
		}},
		{"bolt-fsync", func(d *durable) (*fixture, store.Store) {
			return d.openWith(cloudtrail.Options{DurableHistory: true}, boltstore.Options{})
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f, st := bc.open(newDurable(b))
			defer f.close(b, st)
			ctx := callerCtx()
			in := &repoIn{RepositoryName: "web"}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dispatch.Do(ctx, f.fake, "CreateRepository", in, noop)
				if i++; i%1024 == 0 {
					f.ct.Flush(ctx)
				}
			}
			f.ct.Flush(ctx)
		})
	}
}

// BenchmarkReloadHistory is New on a durable store holding 100,000 events (what a restart of
// `devopsim serve -data` costs per 100k events of history).
func BenchmarkReloadHistory(b *testing.B) {
	d := newDurable(b)
	opts := cloudtrail.Options{DurableHistory: true}
	f, st := d.open(opts)
	ctx := callerCtx()
	in := &repoIn{RepositoryName: "web"}
	for i := range 100_000 {
		dispatch.Do(ctx, f.fake, fmt.Sprintf("Op%02d", i%20), in, noop)
		if i%4096 == 4095 {
			f.ct.Flush(ctx)
		}
	}
	f.close(b, st)
	b.ReportAllocs()
	for b.Loop() {
		f, st := d.open(opts)
		b.StopTimer()
		f.close(b, st)
		b.StartTimer()
	}
}
