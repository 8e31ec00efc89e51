package tsdb

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/clock"
)

// Tier is one resolution the store keeps, with how long it keeps it.
type Tier struct {
	Res       int64         // seconds per bucket
	Retention time.Duration // buckets older than this (on the clock) are dropped
}

// Tiers are CloudWatch's retention schedule: 1-second data for 3 hours, 1-minute for 15 days,
// 5-minute for 63 days and 1-hour for 455 days.
var Tiers = [4]Tier{
	{1, 3 * time.Hour},
	{60, 15 * 24 * time.Hour},
	{300, 63 * 24 * time.Hour},
	{3600, 455 * 24 * time.Hour},
}

// Dim is one dimension of a metric.
type Dim struct{ Name, Value string }

// Key identifies a series: scope (account/region), namespace, metric name and dimensions.
type Key struct {
	Scope, Namespace, Name string
	Dims                   []Dim // any order; the store sorts a copy
}

func (k Key) id() string {
	var b strings.Builder
	n := len(k.Scope) + len(k.Namespace) + len(k.Name) + 3
	for _, d := range k.Dims {
		n += len(d.Name) + len(d.Value) + 2
	}
	b.Grow(n)
	b.WriteString(k.Scope)
	b.WriteByte(0)
	b.WriteString(k.Namespace)
	b.WriteByte(0)
	b.WriteString(k.Name)
	b.WriteByte(0)
	dims := k.Dims
	if !slices.IsSortedFunc(dims, cmpDim) {
		dims = slices.Clone(dims)
		slices.SortFunc(dims, cmpDim)
	}
	for _, d := range dims {
		b.WriteString(d.Name)
		b.WriteByte(1)
		b.WriteString(d.Value)
		b.WriteByte(2)
	}
	return b.String()
}

func cmpDim(a, b Dim) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// Sample is what one datum adds to a series at one time: count/sum/min/max, and the values
// themselves (with their counts) when known, for percentiles.
type Sample struct {
	N, Sum, Min, Max float64
	Values           []float64
	Counts           []float64 // nil: 1 each
	// NoValues marks a statistic set whose values are unknown (extended statistics are then
	// unavailable for the buckets it lands in).
	NoValues bool
}

// Options tunes a DB. The zero value is usable.
type Options struct {
	// MaxSeries caps the number of series (0: 1,000,000). Add returns ErrTooManySeries past it.
	MaxSeries int
}

// ErrTooManySeries is returned when a new series would exceed Options.MaxSeries.
var ErrTooManySeries = errors.New("tsdb: too many series")

// DB is an in-memory time-series store. It is safe for concurrent use.
type DB struct {
	clk  clock.Clock
	max  int
	mu   sync.RWMutex
	byID map[string]*Series
}

// New returns an empty store whose retention follows clk.
func New(clk clock.Clock, opts Options) *DB {
	m := opts.MaxSeries
	if m <= 0 {
		m = 1_000_000
	}
	return &DB{clk: clk, max: m, byID: map[string]*Series{}}
}

// Series is one metric's data.
type Series struct {
	Key Key // dims sorted

	mu         sync.Mutex
	last       time.Time // last time data was added (clock time), for RecentlyActive
	highRes    bool
	units      map[string]*unitData
	firstUnit  string
	firstUData *unitData
}

type unitData struct {
	tiers [len(Tiers)]tierData
}

type tierData struct {
	buckets []bucket
}

type bucket struct {
	t                int64
	n, sum, min, max float64
	noDist           bool
	d                dist
}

// LastActive is when data was last added to the series, on the store's clock.
func (s *Series) LastActive() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// HighResolution reports whether the series ever received 1-second data.
func (s *Series) HighResolution() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.highRes
}

// Get returns the series of key, or nil.
func (db *DB) Get(k Key) *Series {
	db.mu.RLock()
	s := db.byID[k.id()]
	db.mu.RUnlock()
	return s
}

// Series returns the series of key, creating it.
func (db *DB) Series(k Key) (*Series, error) {
	id := k.id()
	db.mu.RLock()
	s := db.byID[id]
	db.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if s = db.byID[id]; s != nil {
		return s, nil
	}
	if len(db.byID) >= db.max {
		return nil, ErrTooManySeries
	}
	k.Dims = slices.Clone(k.Dims)
	slices.SortFunc(k.Dims, cmpDim)
	s = &Series{Key: k, units: map[string]*unitData{}}
	db.byID[id] = s
	return s, nil
}

// Add adds a sample at t with unit to the series of key. highRes puts it in the 1-second tier
// too (StorageResolution 1); otherwise its finest tier is 1 minute.
func (db *DB) Add(k Key, t time.Time, unit string, highRes bool, smp Sample) error {
	s, err := db.Series(k)
	if err != nil {
		return err
	}
	s.Add(db.clk.Now(), t, unit, highRes, smp)
	return nil
}

// Add adds a sample to the series; now is the clock's time (for retention and activity).
func (s *Series) Add(now, t time.Time, unit string, highRes bool, smp Sample) {
	sec := t.Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.After(s.last) {
		s.last = now
	}
	if highRes {
		s.highRes = true
	}
	var u *unitData
	if s.firstUData != nil && s.firstUnit == unit {
		u = s.firstUData
	} else if u = s.units[unit]; u == nil {
		u = &unitData{}
		s.units[unit] = u
		if s.firstUData == nil {
			s.firstUnit, s.firstUData = unit, u
		}
	}
	start := 1
	if highRes {
		start = 0
	}
	nowSec := now.Unix()
	for i := start; i < len(Tiers); i++ {
		tr := &u.tiers[i]
		bt := sec - mod(sec, Tiers[i].Res)
		if bt < nowSec-int64(Tiers[i].Retention/time.Second) {
			continue
		}
		b := tr.bucketAt(bt, nowSec-int64(Tiers[i].Retention/time.Second))
		if b.n == 0 {
			b.min, b.max = smp.Min, smp.Max
		} else {
			b.min = min(b.min, smp.Min)
			b.max = max(b.max, smp.Max)
		}
		b.n += smp.N
		b.sum += smp.Sum
		if smp.NoValues {
			b.noDist = true
			continue
		}
		for j, v := range smp.Values {
			w := 1.0
			if smp.Counts != nil {
				w = smp.Counts[j]
			}
			b.d.add(v, w)
		}
	}
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// bucketAt returns the bucket starting at t, inserting it; buckets before horizon are dropped.
func (tr *tierData) bucketAt(t, horizon int64) *bucket {
	bs := tr.buckets
	n := len(bs)
	if n > 0 && bs[n-1].t == t {
		return &bs[n-1]
	}
	if n == 0 || bs[n-1].t < t {
		// Drop expired buckets from the front now and then.
		if n > 0 && bs[0].t < horizon {
			i := sort.Search(n, func(i int) bool { return bs[i].t >= horizon })
			if i > n/4 || cap(bs) > 2*n {
				bs = slices.Clone(bs[i:])
			} else {
				bs = bs[i:]
			}
		}
		bs = append(bs, bucket{t: t})
		tr.buckets = bs
		return &bs[len(bs)-1]
	}
	i := sort.Search(n, func(i int) bool { return bs[i].t >= t })
	if i < n && bs[i].t == t {
		return &bs[i]
	}
	bs = slices.Insert(bs, i, bucket{t: t})
	tr.buckets = bs
	return &bs[i]
}

// Point is the aggregate of one period of one unit.
type Point struct {
	T    time.Time
	Unit string
	Agg  *Agg
}

// ChooseTier returns the index of the tier that answers a query of period seconds starting
// at start, following CloudWatch's rules: data younger than 3 hours comes at 1 second (periods
// 1, 5, 10, 20, 30) or 1 minute, younger than 15 days at 1 minute, younger than 63 days at 5
// minutes, older at 1 hour. ok is false when the period is not a multiple of that resolution
// (CloudWatch then returns no data).
func ChooseTier(now, start time.Time, period int64) (tier int, ok bool) {
	age := now.Sub(start)
	switch {
	case age <= Tiers[0].Retention:
		if period%60 == 0 {
			tier = 1
		} else {
			tier = 0
		}
	case age <= Tiers[1].Retention:
		tier = 1
	case age <= Tiers[2].Retention:
		tier = 2
	default:
		tier = 3
	}
	return tier, period > 0 && period%Tiers[tier].Res == 0
}

// Query aggregates the series' data in [start, end) into periods of period seconds starting
// at start (which the caller aligns), for one unit ("" = every unit, one point per unit and
// period). Points come in time order.
func (s *Series) Query(now, start, end time.Time, period int64, unit string) []Point {
	tier, ok := ChooseTier(now, start, period)
	if !ok || period <= 0 {
		return nil
	}
	s0, e0 := start.Unix(), end.Unix()
	horizon := now.Unix() - int64(Tiers[tier].Retention/time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	var units []string
	if unit != "" {
		if s.units[unit] == nil {
			return nil
		}
		units = []string{unit}
	} else {
		for u := range s.units {
			units = append(units, u)
		}
		slices.Sort(units)
	}
	var out []Point
	for _, un := range units {
		bs := s.units[un].tiers[tier].buckets
		i := sort.Search(len(bs), func(i int) bool { return bs[i].t >= s0 })
		var cur *Agg
		var curT int64
		for ; i < len(bs) && bs[i].t < e0; i++ {
			b := &bs[i]
			if b.t < horizon || b.n == 0 {
				continue
			}
			pt := s0 + (b.t-s0)/period*period
			if cur == nil || pt != curT {
				cur = &Agg{Min: b.min, Max: b.max}
				curT = pt
				out = append(out, Point{T: time.Unix(pt, 0).UTC(), Unit: un, Agg: cur})
			}
			cur.N += b.n
			cur.Sum += b.sum
			cur.Min = min(cur.Min, b.min)
			cur.Max = max(cur.Max, b.max)
			cur.NoDist = cur.NoDist || b.noDist
			// Copy the distribution: the caller computes after the lock is released.
			cp := &dist{raw: slices.Clone(b.d.raw)}
			if b.d.sk != nil {
				cp.merge(&b.d)
			}
			cur.dists = append(cur.dists, cp)
		}
	}
	if len(units) > 1 {
		slices.SortStableFunc(out, func(a, b Point) int { return a.T.Compare(b.T) })
	}
	return out
}

// Each calls fn for every series of scope (all scopes when scope is ""), in no order, until
// fn returns false. fn must not call back into the DB's write methods for the same series.
func (db *DB) Each(scope string, fn func(*Series) bool) {
	db.mu.RLock()
	list := make([]*Series, 0, len(db.byID))
	for _, s := range db.byID {
		if scope == "" || s.Key.Scope == scope {
			list = append(list, s)
		}
	}
	db.mu.RUnlock()
	for _, s := range list {
		if !fn(s) {
			return
		}
	}
}

// Len is the number of series.
func (db *DB) Len() int {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return len(db.byID)
}

// Compact drops every bucket past its tier's retention and every series with no data left
// and no activity within the longest retention. Call it now and then (the service does, from
// its minute loop).
func (db *DB) Compact() {
	now := db.clk.Now()
	nowSec := now.Unix()
	var dead []string
	db.mu.RLock()
	for id, s := range db.byID {
		s.mu.Lock()
		empty := true
		for _, u := range s.units {
			for i := range u.tiers {
				tr := &u.tiers[i]
				h := nowSec - int64(Tiers[i].Retention/time.Second)
				j := sort.Search(len(tr.buckets), func(k int) bool { return tr.buckets[k].t >= h })
				if j > 0 {
					tr.buckets = slices.Clone(tr.buckets[j:])
				}
				if len(tr.buckets) > 0 {
					empty = false
				}
			}
		}
		if empty && now.Sub(s.last) > Tiers[3].Retention {
			dead = append(dead, id)
		}
		s.mu.Unlock()
	}
	db.mu.RUnlock()
	if len(dead) > 0 {
		db.mu.Lock()
		for _, id := range dead {
			delete(db.byID, id)
		}
		db.mu.Unlock()
	}
}
