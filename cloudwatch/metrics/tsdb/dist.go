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

// maxDense is the widest run of bins a sketch keeps in a slice (1.02^4096 ≈ 1e35: any
// realistic metric); bins outside it go to a map.
const maxDense = 4096

// WV is a value with its weight (how many times it occurred).
type WV struct{ V, W float64 }

// dist is the distribution of the values in one bucket: exact pairs while few, a log-binned
// sketch after that.
type dist struct {
	raw []WV
	sk  *sketch
}

// sketch counts values per logarithmic bin, for positive and negative values separately.
type sketch struct {
	pos, neg bins
	zero     float64
}

// bins is a dense window of counters (c[j] counts bin off+j) plus, rarely, a map for bins
// far outside the window.
type bins struct {
	off int32
	c   []float64
	far map[int32]float64
}

// sign of a value for the sketch: -1, 0 or 1, and its bin index.
func sketchKey(v float64) (int8, int32) {
	switch {
	case v > minPositive:
		return 1, binIndex(v)
	case v < -minPositive:
		return -1, binIndex(-v)
	}
	return 0, 0
}

func binIndex(v float64) int32 { return int32(math.Ceil(math.Log(v) / logGamma)) }

func binValue(i int32) float64 { return 2 * math.Pow(gamma, float64(i)) / (gamma + 1) }

func (b *bins) add(i int32, w float64) {
	if j := int64(i) - int64(b.off); j >= 0 && j < int64(len(b.c)) {
		b.c[j] += w
		return
	}
	b.grow(i, w)
}

func (b *bins) grow(i int32, w float64) {
	ii := int64(i)
	if len(b.c) == 0 {
		b.off = i - 8
		b.c = make([]float64, 32)
		b.c[8] = w
		return
	}
	lo, hi := int64(b.off), int64(b.off)+int64(len(b.c)) // [lo, hi)
	nlo, nhi := min(lo, ii), max(hi, ii+1)
	if nhi-nlo > maxDense {
		if b.far == nil {
			b.far = map[int32]float64{}
		}
		b.far[i] += w
		return
	}
	// Leave room on the side that grew, as append does, within maxDense.
	slack := min((nhi-nlo)/2+8, maxDense-(nhi-nlo))
	if ii < lo {
		nlo -= slack
	} else {
		nhi += slack
	}
	c := make([]float64, nhi-nlo)
	copy(c[lo-nlo:], b.c)
	b.off, b.c = int32(nlo), c
	b.c[ii-nlo] += w
}

func (b *bins) merge(o *bins) {
	for j, w := range o.c {
		if w != 0 {
			b.add(o.off+int32(j), w)
		}
	}
	for i, w := range o.far {
		b.add(i, w)
	}
}

func (b *bins) clone() bins {
	c := bins{off: b.off, c: slices.Clone(b.c)}
	if b.far != nil {
		c.far = make(map[int32]float64, len(b.far))
		for k, v := range b.far {
			c.far[k] = v
		}
	}
	return c
}

// each calls fn for every non-empty bin in ascending index order.
func (b *bins) each(fn func(i int32, w float64)) {
	if len(b.far) == 0 {
		for j, w := range b.c {
			if w != 0 {
				fn(b.off+int32(j), w)
			}
		}
		return
	}
	type iw struct {
		i int32
		w float64
	}
	all := make([]iw, 0, len(b.far)+len(b.c))
	for j, w := range b.c {
		if w != 0 {
			all = append(all, iw{b.off + int32(j), w})
		}
	}
	for i, w := range b.far {
		all = append(all, iw{i, w})
	}
	slices.SortFunc(all, func(a, b iw) int { return int(a.i) - int(b.i) })
	for _, p := range all {
		fn(p.i, p.w)
	}
}

func (s *sketch) add(v, w float64) {
	sg, i := sketchKey(v)
	s.addKey(sg, i, w)
}

func (s *sketch) addKey(sg int8, i int32, w float64) {
	switch sg {
	case 1:
		s.pos.add(i, w)
	case -1:
		s.neg.add(i, w)
	default:
		s.zero += w
	}
}

func (s *sketch) merge(o *sketch) {
	s.pos.merge(&o.pos)
	s.neg.merge(&o.neg)
	s.zero += o.zero
}

func (s *sketch) clone() *sketch {
	return &sketch{pos: s.pos.clone(), neg: s.neg.clone(), zero: s.zero}
}

// appendSorted appends the sketch's bins as (representative value, weight), ascending.
func (s *sketch) appendSorted(vals []WV) []WV {
	var neg []WV
	s.neg.each(func(i int32, w float64) { neg = append(neg, WV{-binValue(i), w}) })
	slices.Reverse(neg)
	vals = append(vals, neg...)
	if s.zero > 0 {
		vals = append(vals, WV{0, s.zero})
	}
	s.pos.each(func(i int32, w float64) { vals = append(vals, WV{binValue(i), w}) })
	return vals
}

func (d *dist) add(v, w float64) {
	if d.sk != nil {
		d.sk.add(v, w)
		return
	}
	d.addRaw(v, w)
}

// addRaw adds to a dist without a sketch, switching to one past rawLimit pairs.
func (d *dist) addRaw(v, w float64) {
	if n := len(d.raw); n > 0 && d.raw[n-1].V == v {
		d.raw[n-1].W += w
		return
	}
	if d.raw == nil {
		d.raw = make([]WV, 0, 8)
	}
	d.raw = append(d.raw, WV{v, w})
	if len(d.raw) > rawLimit {
		d.sk = &sketch{}
		for _, p := range d.raw {
			d.sk.add(p.V, p.W)
		}
		d.raw = nil
	}
}

// acc accumulates the distributions of the buckets of one query period: their raw pairs while
// few, merged into a sketch past exactLimit or as soon as one bucket has a sketch.
type acc struct {
	raw []WV
	sk  *sketch
}

func (a *acc) addDist(d *dist) {
	if d.sk != nil {
		if a.sk == nil {
			a.sk = d.sk.clone()
		} else {
			a.sk.merge(d.sk)
		}
	}
	a.raw = append(a.raw, d.raw...)
	if len(a.raw) > exactLimit {
		a.fold()
	}
}

func (a *acc) fold() {
	if a.sk == nil {
		a.sk = &sketch{}
	}
	for _, p := range a.raw {
		a.sk.add(p.V, p.W)
	}
	a.raw = nil
}

// sorted returns the accumulated values sorted ascending. exact is false when a sketch was
// involved (values are then bin representatives, within ~1%).
func (a *acc) sorted() (vals []WV, exact bool) {
	if a.sk == nil {
		vals = slices.Clone(a.raw)
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
	a.fold()
	return a.sk.appendSorted(nil), false
}
