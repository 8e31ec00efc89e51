package tsdb

import (
	"errors"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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

// AppendID appends the series id of scope, namespace, name and dims to dst. dims must be
// sorted by name (SortDims); the id is then the same whatever order they came in.
func AppendID(dst []byte, scope, ns, name string, dims []Dim) []byte {
	dst = append(dst, scope...)
	dst = append(dst, 0)
	dst = append(dst, ns...)
	dst = append(dst, 0)
	dst = append(dst, name...)
	dst = append(dst, 0)
	for _, d := range dims {
		dst = append(dst, d.Name...)
		dst = append(dst, 1)
		dst = append(dst, d.Value...)
		dst = append(dst, 2)
	}
	return dst
}

// SortDims sorts dims in place into the order series ids use.
func SortDims(dims []Dim) {
	if !slices.IsSortedFunc(dims, cmpDim) {
		slices.SortFunc(dims, cmpDim)
	}
}

func (k Key) appendID(dst []byte) []byte {
	dims := k.Dims
	if !slices.IsSortedFunc(dims, cmpDim) {
		dims = slices.Clone(dims)
		slices.SortFunc(dims, cmpDim)
	}
	return AppendID(dst, k.Scope, k.Namespace, k.Name, dims)
}

func cmpDim(a, b Dim) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// Sample is what one datum adds to a series at one time: count/sum/min/max, and the values
// themselves (with their counts) when known, for percentiles. Values nil means N times the
// value Min when Min == Max (a single value: N 1, Sum, Min and Max the value), and unknown
// values otherwise.
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

const nShards = 64

// DB is an in-memory time-series store. It is safe for concurrent use.
type DB struct {
	clk    clock.Clock
	max    int64
	n      atomic.Int64
	seed   maphash.Seed
	shards [nShards]shard
}

// shard is one part of the series index, so concurrent writers rarely share a lock.
type shard struct {
	mu   sync.RWMutex
	byID map[string]*Series
	_    [40]byte // keep shards on separate cache lines
}

// New returns an empty store whose retention follows clk.
func New(clk clock.Clock, opts Options) *DB {
	m := opts.MaxSeries
	if m <= 0 {
		m = 1_000_000
	}
	db := &DB{clk: clk, max: int64(m), seed: maphash.MakeSeed()}
	for i := range db.shards {
		db.shards[i].byID = map[string]*Series{}
	}
	return db
}

func (db *DB) shard(id []byte) *shard {
	return &db.shards[maphash.Bytes(db.seed, id)%nShards]
}

// Series is one metric's data.
type Series struct {
	Key Key // dims sorted

	mu         sync.Mutex
	last       time.Time // last time data was added (clock time), for RecentlyActive
	lastSec    int64     // last.Unix()
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
	var buf [256]byte
	return db.GetID(k.appendID(buf[:0]))
}

// GetID returns the series whose id (AppendID) is id, or nil. It does not allocate.
func (db *DB) GetID(id []byte) *Series {
	sh := db.shard(id)
	sh.mu.RLock()
	s := sh.byID[string(id)]
	sh.mu.RUnlock()
	return s
}

// Series returns the series of key, creating it.
func (db *DB) Series(k Key) (*Series, error) {
	var buf [256]byte
	return db.SeriesID(k.appendID(buf[:0]), k)
}

// SeriesID returns the series whose id (AppendID) is id, creating it from k (which must
// describe the same series) when it does not exist. It allocates only to create a series.
func (db *DB) SeriesID(id []byte, k Key) (*Series, error) {
	sh := db.shard(id)
	sh.mu.RLock()
	s := sh.byID[string(id)]
	sh.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if s = sh.byID[string(id)]; s != nil {
		return s, nil
	}
	if db.n.Load() >= db.max {
		return nil, ErrTooManySeries
	}
	k.Dims = slices.Clone(k.Dims)
	slices.SortFunc(k.Dims, cmpDim)
	s = &Series{Key: k, units: map[string]*unitData{}}
	sh.byID[string(id)] = s
	db.n.Add(1)
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
	sec, nowSec := t.Unix(), now.Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if nowSec > s.lastSec {
		s.last, s.lastSec = now, nowSec
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
	var bks [len(Tiers)]*bucket
	nb := 0
	noValues := smp.NoValues || (smp.Values == nil && smp.Min != smp.Max)
	for i := start; i < len(Tiers); i++ {
		tr := &u.tiers[i]
		horizon := nowSec - int64(Tiers[i].Retention/time.Second)
		bt := sec - mod(sec, Tiers[i].Res)
		if bt < horizon {
			continue
		}
		b := tr.bucketAt(bt, horizon)
		if b.n == 0 {
			b.min, b.max = smp.Min, smp.Max
		} else {
			b.min = min(b.min, smp.Min)
			b.max = max(b.max, smp.Max)
		}
		b.n += smp.N
		b.sum += smp.Sum
		if noValues {
			b.noDist = true
			continue
		}
		bks[nb] = b
		nb++
	}
	if nb == 0 {
		return
	}
	if smp.Values == nil {
		addValue(bks[:nb], smp.Min, smp.N)
		return
	}
	for j, v := range smp.Values {
		w := 1.0
		if smp.Counts != nil {
			w = smp.Counts[j]
		}
		addValue(bks[:nb], v, w)
	}
}

// addValue adds v with weight w to the distribution of each bucket, computing its sketch bin
// at most once.
func addValue(bks []*bucket, v, w float64) {
	var sg int8
	var bi int32
	known := false
	for _, b := range bks {
		d := &b.d
		if d.sk == nil {
			d.addRaw(v, w)
			continue
		}
		if !known {
			sg, bi = sketchKey(v)
			known = true
		}
		d.sk.addKey(sg, bi, w)
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
	return s.QueryStats(now, start, end, period, unit, true)
}

// QueryStats is Query; values false skips the distributions, so the points answer only the
// five simple statistics (extended ones then report no value), much faster.
func (s *Series) QueryStats(now, start, end time.Time, period int64, unit string, values bool) []Point {
	tier, ok := ChooseTier(now, start, period)
	if !ok || period <= 0 {
		return nil
	}
	s0, e0 := start.Unix(), end.Unix()
	horizon := now.Unix() - int64(Tiers[tier].Retention/time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	var one [1]string
	var units []string
	if unit != "" {
		if s.units[unit] == nil {
			return nil
		}
		one[0] = unit
		units = one[:]
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
		j := sort.Search(len(bs), func(i int) bool { return bs[i].t >= e0 })
		if out == nil {
			// One point per period at most, and at most one per bucket.
			out = make([]Point, 0, min(int64(j-i), (e0-s0)/period+1))
		}
		aggs := make([]Agg, 0, min(int64(j-i), (e0-s0)/period+1))
		var cur *Agg
		var curT int64
		for ; i < j; i++ {
			b := &bs[i]
			if b.t < horizon || b.n == 0 {
				continue
			}
			pt := s0 + (b.t-s0)/period*period
			if cur == nil || pt != curT {
				aggs = append(aggs, Agg{Min: b.min, Max: b.max, NoDist: !values})
				cur = &aggs[len(aggs)-1]
				curT = pt
				out = append(out, Point{T: time.Unix(pt, 0).UTC(), Unit: un, Agg: cur})
			}
			cur.N += b.n
			cur.Sum += b.sum
			cur.Min = min(cur.Min, b.min)
			cur.Max = max(cur.Max, b.max)
			if values {
				cur.NoDist = cur.NoDist || b.noDist
				if !cur.NoDist {
					// Copy the distribution: the caller computes after the lock is released.
					cur.acc.addDist(&b.d)
				}
			}
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
	list := make([]*Series, 0, db.Len())
	for i := range db.shards {
		sh := &db.shards[i]
		sh.mu.RLock()
		for _, s := range sh.byID {
			if scope == "" || s.Key.Scope == scope {
				list = append(list, s)
			}
		}
		sh.mu.RUnlock()
	}
	for _, s := range list {
		if !fn(s) {
			return
		}
	}
}

// Len is the number of series.
func (db *DB) Len() int { return int(db.n.Load()) }

// Compact drops every bucket past its tier's retention and every series with no data left
// and no activity within the longest retention. Call it now and then (the service does, from
// its minute loop).
func (db *DB) Compact() {
	now := db.clk.Now()
	nowSec := now.Unix()
	for i := range db.shards {
		sh := &db.shards[i]
		var dead []string
		sh.mu.RLock()
		for id, s := range sh.byID {
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
		sh.mu.RUnlock()
		if len(dead) > 0 {
			sh.mu.Lock()
			for _, id := range dead {
				// Data may have arrived since the scan.
				if s := sh.byID[id]; s != nil && now.Sub(s.LastActive()) > Tiers[3].Retention {
					delete(sh.byID, id)
					db.n.Add(-1)
				}
			}
			sh.mu.Unlock()
		}
	}
}
