package tsdb_test

import (
	"math"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/metrics/tsdb"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func one(v float64) tsdb.Sample {
	return tsdb.Sample{N: 1, Sum: v, Min: v, Max: v, Values: []float64{v}}
}

func TestStatsExactAndPercentiles(t *testing.T) {
	clk := clock.NewManual(t0.Add(time.Hour))
	db := tsdb.New(clk, tsdb.Options{})
	k := tsdb.Key{Scope: "a/r/", Namespace: "NS", Name: "M", Dims: []tsdb.Dim{{"B", "2"}, {"A", "1"}}}
	for i := 1; i <= 100; i++ {
		if err := db.Add(k, t0.Add(time.Duration(i)*time.Second), "Count", false, one(float64(i))); err != nil {
			t.Fatal(err)
		}
	}
	s := db.Get(tsdb.Key{Scope: "a/r/", Namespace: "NS", Name: "M", Dims: []tsdb.Dim{{"A", "1"}, {"B", "2"}}})
	if s == nil {
		t.Fatal("series not found with dims in another order")
	}
	pts := s.Query(clk.Now(), t0, t0.Add(time.Hour), 3600, "")
	if len(pts) != 1 {
		t.Fatalf("points = %d", len(pts))
	}
	a := pts[0].Agg
	cases := []struct {
		stat string
		want float64
	}{
		{"SampleCount", 100}, {"Sum", 5050}, {"Average", 50.5}, {"Minimum", 1}, {"Maximum", 100},
		{"p50", 50}, {"p99", 99}, {"p100", 100}, {"p0", 1}, {"p99.9", 100},
		{"tm10", 5.5}, {"TM(10%:90%)", 50.5}, {"TC(10%:90%)", 80}, {"TS(:10%)", 55},
		{"PR(:50)", 50}, {"IQM", 50.5}, {"TM(90:100)", 95.5},
	}
	for _, c := range cases {
		st, err := tsdb.ParseStat(c.stat)
		if err != nil {
			t.Fatalf("%s: %v", c.stat, err)
		}
		got, ok := a.Value(st)
		if !ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s = %v, %v; want %v", c.stat, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "p", "p101", "p-1", "p99.999", "tm(1:2", "Avg", "PR(10%:20%)", "TM(20%:10%)", "x99"} {
		if _, err := tsdb.ParseStat(bad); err == nil {
			t.Errorf("ParseStat(%q) accepted", bad)
		}
	}
}

func TestSketchAccuracy(t *testing.T) {
	clk := clock.NewManual(t0.Add(time.Hour))
	db := tsdb.New(clk, tsdb.Options{})
	k := tsdb.Key{Scope: "s", Namespace: "NS", Name: "Lat"}
	for i := 1; i <= 10000; i++ {
		_ = db.Add(k, t0.Add(time.Duration(i%3600)*time.Second), "", false, one(float64(i)))
	}
	pts := db.Get(k).Query(clk.Now(), t0, t0.Add(time.Hour), 3600, "")
	st, _ := tsdb.ParseStat("p99")
	got, _ := pts[0].Agg.Value(st)
	if math.Abs(got-9900)/9900 > 0.02 {
		t.Errorf("p99 = %v, want ~9900", got)
	}
}

func TestTiersAndRetention(t *testing.T) {
	clk := clock.NewManual(t0)
	db := tsdb.New(clk, tsdb.Options{})
	k := tsdb.Key{Scope: "s", Namespace: "NS", Name: "M"}
	for i := range 120 {
		_ = db.Add(k, t0.Add(time.Duration(i)*time.Second), "", true, one(1))
	}
	s := db.Get(k)
	if n := len(s.Query(clk.Now(), t0, t0.Add(2*time.Minute), 10, "")); n != 12 {
		t.Errorf("10s periods = %d, want 12", n)
	}
	if n := len(s.Query(clk.Now(), t0, t0.Add(2*time.Minute), 60, "")); n != 2 {
		t.Errorf("60s periods = %d, want 2", n)
	}
	// Four hours later the 1-second tier is gone; 1-minute periods still work.
	clk.Advance(4 * time.Hour)
	if n := len(s.Query(clk.Now(), t0, t0.Add(2*time.Minute), 10, "")); n != 0 {
		t.Errorf("after 4h, 10s periods = %d, want 0", n)
	}
	if n := len(s.Query(clk.Now(), t0, t0.Add(2*time.Minute), 60, "")); n != 2 {
		t.Errorf("after 4h, 60s periods = %d, want 2", n)
	}
	clk.Advance(20 * 24 * time.Hour)
	if n := len(s.Query(clk.Now(), t0, t0.Add(2*time.Minute), 60, "")); n != 0 {
		t.Errorf("after 20d, 60s periods = %d, want 0", n)
	}
	pts := s.Query(clk.Now(), t0, t0.Add(time.Hour), 300, "")
	if len(pts) != 1 || pts[0].Agg.N != 120 {
		t.Errorf("after 20d, 5m periods = %+v", pts)
	}
	clk.Advance(500 * 24 * time.Hour)
	db.Compact()
	if db.Len() != 0 {
		t.Errorf("series not dropped after retention")
	}
}

func BenchmarkAdd(b *testing.B) {
	clk := clock.NewManual(t0.Add(3 * time.Hour))
	db := tsdb.New(clk, tsdb.Options{})
	k := tsdb.Key{Scope: "s", Namespace: "NS", Name: "M"}
	s, _ := db.Series(k)
	now := clk.Now()
	i := 0
	for b.Loop() {
		s.Add(now, t0.Add(time.Duration(i%10800)*time.Second), "", false, one(float64(i%1000)))
		i++
	}
}
