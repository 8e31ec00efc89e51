package tsdb_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
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

// TestSketchWideRange mixes values whose bins span more than the sketch's dense window
// (1e-8 .. 1e100, negative and zero) and checks percentiles stay within the sketch's error.
func TestSketchWideRange(t *testing.T) {
	clk := clock.NewManual(t0.Add(time.Hour))
	db := tsdb.New(clk, tsdb.Options{})
	k := tsdb.Key{Scope: "s", Namespace: "NS", Name: "Wide"}
	var vals []float64
	for e := -8; e <= 100; e++ {
		vals = append(vals, math.Pow(10, float64(e)), -math.Pow(10, float64(e)))
	}
	vals = append(vals, 0, 0, 0)
	for i, v := range vals {
		_ = db.Add(k, t0.Add(time.Duration(i)*time.Second), "", false, one(v))
	}
	slices.Sort(vals)
	pts := db.Get(k).Query(clk.Now(), t0, t0.Add(time.Hour), 3600, "")
	if len(pts) != 1 {
		t.Fatalf("points = %d", len(pts))
	}
	for _, p := range []float64{1, 10, 25, 50, 51, 75, 90, 99, 100} {
		st, _ := tsdb.ParseStat(fmt.Sprintf("p%v", p))
		got, ok := pts[0].Agg.Value(st)
		rank := int(math.Ceil(p/100*float64(len(vals)))) - 1
		want := vals[max(rank, 0)]
		if !ok || math.Abs(got-want) > 0.02*math.Abs(want) {
			t.Errorf("p%v = %v, want ~%v", p, got, want)
		}
	}
	if got, _ := pts[0].Agg.Value(tsdb.Stat{Kind: tsdb.SampleCount}); got != float64(len(vals)) {
		t.Errorf("SampleCount = %v", got)
	}
}

// TestSampleForms: a single value (Values nil), a statistic set of one repeated value, and
// an unknown distribution (Min != Max without values) behave as documented on Sample.
func TestSampleForms(t *testing.T) {
	clk := clock.NewManual(t0.Add(time.Hour))
	db := tsdb.New(clk, tsdb.Options{})
	p50, _ := tsdb.ParseStat("p50")
	for _, c := range []struct {
		name   string
		smp    tsdb.Sample
		want   float64
		wantOK bool
	}{
		{"single", tsdb.Sample{N: 1, Sum: 7, Min: 7, Max: 7}, 7, true},
		{"repeated", tsdb.Sample{N: 5, Sum: 15, Min: 3, Max: 3}, 3, true},
		{"unknown", tsdb.Sample{N: 2, Sum: 3, Min: 1, Max: 2}, 0, false},
		{"novalues", tsdb.Sample{N: 1, Sum: 3, Min: 3, Max: 3, NoValues: true}, 0, false},
	} {
		k := tsdb.Key{Scope: "s", Namespace: "NS", Name: c.name}
		_ = db.Add(k, t0, "", false, c.smp)
		pts := db.Get(k).Query(clk.Now(), t0, t0.Add(time.Minute), 60, "")
		got, ok := pts[0].Agg.Value(p50)
		if ok != c.wantOK || got != c.want {
			t.Errorf("%s: p50 = %v, %v; want %v, %v", c.name, got, ok, c.want, c.wantOK)
		}
		if simple := db.Get(k).QueryStats(clk.Now(), t0, t0.Add(time.Minute), 60, "", false); simple[0].Agg.N != c.smp.N {
			t.Errorf("%s: QueryStats N = %v", c.name, simple[0].Agg.N)
		} else if _, ok := simple[0].Agg.Value(p50); ok {
			t.Errorf("%s: QueryStats without values answered p50", c.name)
		}
	}
}

// TestIDLookup: the allocation-free lookup finds the series created through Key, whatever
// the order of the dimensions.
func TestIDLookup(t *testing.T) {
	db := tsdb.New(clock.NewManual(t0), tsdb.Options{MaxSeries: 2})
	s, err := db.Series(tsdb.Key{Scope: "s", Namespace: "N", Name: "M", Dims: []tsdb.Dim{{"B", "2"}, {"A", "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	dims := []tsdb.Dim{{"B", "2"}, {"A", "1"}}
	tsdb.SortDims(dims)
	id := tsdb.AppendID(nil, "s", "N", "M", dims)
	if got := db.GetID(id); got != s {
		t.Fatalf("GetID = %p, want %p", got, s)
	}
	if n := testing.AllocsPerRun(100, func() { db.GetID(id) }); n != 0 {
		t.Errorf("GetID allocates %v", n)
	}
	if _, err := db.Series(tsdb.Key{Scope: "s", Namespace: "N", Name: "M2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Series(tsdb.Key{Scope: "s", Namespace: "N", Name: "M3"}); !errors.Is(err, tsdb.ErrTooManySeries) {
		t.Errorf("third series: %v, want ErrTooManySeries", err)
	}
	if db.Len() != 2 {
		t.Errorf("Len = %d", db.Len())
	}
}
