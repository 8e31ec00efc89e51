package logs_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/logs"
)

// fill stores n events across streams, 8,000 per PutLogEvents call (about 1 MB); one in 1000
// has "ERROR".
func fill(tb testing.TB, s *logs.Service, group string, streams, n int, json bool) {
	tb.Helper()
	ctx := context.Background()
	mustGroup(tb, s, group)
	for i := range streams {
		s.CreateLogStream(ctx, &logs.CreateLogStreamInput{LogGroupName: group, LogStreamName: fmt.Sprint("s", i)})
	}
	batch := make([]logs.InputLogEvent, 0, 8000)
	start := t0.Add(-23 * time.Hour)
	flush := func(i int) {
		if len(batch) == 0 {
			return
		}
		if _, err := s.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: group, LogStreamName: fmt.Sprint("s", (i/8000)%streams), LogEvents: batch}); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range n {
		level := "INFO"
		if i%1000 == 0 {
			level = "ERROR"
		}
		msg := fmt.Sprintf("2026-03-01T11:00:00Z %s request id=%08d path=/api/v1/items status=200 duration=%dms", level, i, i%500)
		if json {
			msg = fmt.Sprintf(`{"level":"%s","id":%d,"path":"/api/v1/items","status":%d,"duration":%d}`, level, i, map[bool]int{true: 500, false: 200}[level == "ERROR"], i%500)
		}
		batch = append(batch, logs.InputLogEvent{Timestamp: start.Add(time.Duration(i) * 80 * time.Millisecond).UnixMilli(), Message: msg})
		if len(batch) == cap(batch) {
			flush(i)
		}
	}
	flush(n)
}

func BenchmarkPutLogEvents(b *testing.B) {
	s, _ := newSvc(b, logs.Options{MaxStoredBytes: 256 << 20})
	ctx := context.Background()
	mustGroup(b, s, "g", "s")
	batch := make([]logs.InputLogEvent, 10000)
	for i := range batch {
		batch[i] = logs.InputLogEvent{Timestamp: t0.Add(-10*24*time.Hour + time.Duration(i)*time.Microsecond).UnixMilli(),
			Message: fmt.Sprintf("2026-03-01T11:00:00Z INFO request id=%08d path=/api/v1/items status=200", i)}
	}
	in := &logs.PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: batch}
	n := 0
	for b.Loop() {
		for i := range batch {
			batch[i].Timestamp += 10 // the next batch continues where this one ended
		}
		if _, err := s.PutLogEvents(ctx, in); err != nil {
			b.Fatal(err)
		}
		n += len(batch)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func benchFilter(b *testing.B, json bool, pattern string, want int) {
	s, _ := newSvc(b, logs.Options{})
	fill(b, s, "g", 10, 1_000_000, json)
	ctx := context.Background()
	in := &logs.FilterLogEventsInput{LogGroupName: "g", FilterPattern: pattern}
	for b.Loop() {
		out, err := s.FilterLogEvents(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Events) != want {
			b.Fatalf("matched %d, want %d", len(out.Events), want)
		}
	}
}

func BenchmarkFilterLogEventsTerm1M(b *testing.B) { benchFilter(b, false, "ERROR", 1000) }

func BenchmarkFilterLogEventsJSON1M(b *testing.B) {
	benchFilter(b, true, `{ $.level = "ERROR" && $.status >= 500 }`, 1000)
}

func BenchmarkInsightsStatsByBin1M(b *testing.B) {
	s, _ := newSvc(b, logs.Options{})
	fill(b, s, "g", 10, 1_000_000, false)
	ctx := context.Background()
	in := &logs.StartQueryInput{LogGroupName: "g", StartTime: t0.Add(-24 * time.Hour).Unix(), EndTime: t0.Unix(),
		QueryString: `filter @message like /INFO/ | stats count(*) by bin(5m)`}
	for b.Loop() {
		out, err := s.StartQuery(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.WaitQuery(ctx, out.QueryID); err != nil {
			b.Fatal(err)
		}
		r, _ := s.GetQueryResults(ctx, &logs.GetQueryResultsInput{QueryID: out.QueryID})
		if r.Status != logs.QueryComplete || r.Statistics.RecordsMatched != 999_000 {
			b.Fatalf("%s %+v", r.Status, r.Statistics)
		}
	}
}

func BenchmarkInsightsJSONFields1M(b *testing.B) {
	s, _ := newSvc(b, logs.Options{})
	fill(b, s, "g", 10, 1_000_000, true)
	ctx := context.Background()
	in := &logs.StartQueryInput{LogGroupName: "g", StartTime: t0.Add(-24 * time.Hour).Unix(), EndTime: t0.Unix(),
		QueryString: `filter status >= 500 | stats count(*), avg(duration) by bin(5m)`}
	for b.Loop() {
		out, err := s.StartQuery(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.WaitQuery(ctx, out.QueryID); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMemoryPerEvent asserts the store's cost per event: at most its message bytes + 48.
func TestMemoryPerEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 300,000 events")
	}
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "g", "s")
	const n = 300_000
	msgs := make([]logs.InputLogEvent, n)
	var msgBytes int
	for i := range msgs {
		msgs[i] = logs.InputLogEvent{Timestamp: t0.Add(-time.Hour + time.Duration(i)*time.Millisecond).UnixMilli(), Message: fmt.Sprintf("INFO request id=%08d path=/api/v1/items status=200", i)}
		msgBytes += len(msgs[i].Message)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i += 10000 {
		if _, err := s.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: msgs[i : i+10000]}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEvent := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	overhead := perEvent - float64(msgBytes)/n
	t.Logf("%.1f bytes per event, %.1f over the message", perEvent, overhead)
	if overhead > 48 {
		t.Errorf("overhead %.1f bytes per event, want <= 48", overhead)
	}
	runtime.KeepAlive(msgs)
}
