package tsdb

import (
	"math"
	"slices"
)

// rawLimit is how many (value, weight) pairs a bucket keeps exactly before it folds them into
// a sketch. Fine buckets with few samples answer percentiles exactly.
const rawLimit = 64

// exactLimit is how many raw pairs a query merges exactly before it switches to a sketch.
const exactLimit = 1 << 15

// Sketch parameters: bins grow by gamma, so a value is known to within about 1%.
const (
	gamma       = 1.02
	minPositive = 1e-9
)

var logGamma = math.Log(gamma)

// WV is a value with its weight (how many times it occurred).
type WV struct{ V, W float64 }

// dist is the distribution of the values in one bucket: exact pairs while few, a log-binned
// sketch after that.
type dist struct {
	raw []WV
	sk  *sketch
}

type sketch struct {
	pos, neg map[int32]float64
	zero     float64
}

func binIndex(v float64) int32 { return int32(math.Ceil(math.Log(v) / logGamma)) }

func binValue(i int32) float64 { return 2 * math.Pow(gamma, float64(i)) / (gamma + 1) }

func (s *sketch) add(v, w float64) {
	switch {
	case v > minPositive:
		s.pos[binIndex(v)] += w
	case v < -minPositive:
		s.neg[binIndex(-v)] += w
	default:
		s.zero += w
	}
}

func newSketch() *sketch {
	return &sketch{pos: map[int32]float64{}, neg: map[int32]float64{}}
}

func (d *dist) add(v, w float64) {
	if d.sk != nil {
		d.sk.add(v, w)
		return
	}
	if n := len(d.raw); n > 0 && d.raw[n-1].V == v {
		d.raw[n-1].W += w
		return
	}
	d.raw = append(d.raw, WV{v, w})
	if len(d.raw) > rawLimit {
		d.sk = newSketch()
		for _, p := range d.raw {
			d.sk.add(p.V, p.W)
		}
		d.raw = nil
	}
}

func (d *dist) merge(o *dist) {
	if o.sk == nil {
		for _, p := range o.raw {
			d.add(p.V, p.W)
		}
		return
	}
	if d.sk == nil {
		d.sk = newSketch()
		for _, p := range d.raw {
			d.sk.add(p.V, p.W)
		}
		d.raw = nil
	}
	for k, w := range o.sk.pos {
		d.sk.pos[k] += w
	}
	for k, w := range o.sk.neg {
		d.sk.neg[k] += w
	}
	d.sk.zero += o.sk.zero
}

// sortedValues returns the values of the distributions merged and sorted ascending. exact is
// false when a sketch was involved (values are then bin representatives, within ~1%).
func sortedValues(ds []*dist) (vals []WV, exact bool) {
	n := 0
	for _, d := range ds {
		if d.sk != nil {
			n = -1
			break
		}
		n += len(d.raw)
	}
	if n >= 0 && n <= exactLimit {
		vals = make([]WV, 0, n)
		for _, d := range ds {
			vals = append(vals, d.raw...)
		}
		slices.SortFunc(vals, func(a, b WV) int {
			switch {
			case a.V < b.V:
				return -1
			case a.V > b.V:
				return 1
			}
			return 0
		})
		return vals, true
	}
	m := &dist{sk: newSketch()}
	for _, d := range ds {
		m.merge(d)
	}
	s := m.sk
	vals = make([]WV, 0, len(s.pos)+len(s.neg)+1)
	keys := make([]int32, 0, len(s.neg))
	for k := range s.neg {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i := len(keys) - 1; i >= 0; i-- {
		vals = append(vals, WV{-binValue(keys[i]), s.neg[keys[i]]})
	}
	if s.zero > 0 {
		vals = append(vals, WV{0, s.zero})
	}
	keys = keys[:0]
	for k := range s.pos {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vals = append(vals, WV{binValue(k), s.pos[k]})
	}
	return vals, false
}
