package pattern

import (
	"math/bits"
	"sort"
	"strings"
)

// Index matches one event against many patterns at once. Branches that require an exact
// string on some field (typically "source" or "detail-type") are found through a hash table on
// that field's value, so an event is only tested against the patterns that can match it.
// An Index is immutable and safe for concurrent use; build a new one when the rules change.
type Index struct {
	ncond    int // distinct conditions across all patterns
	ids      []string
	anchors  []anchor
	rest     []ref
	nonEmpty bool
	trie     *pathTrie // every path a condition looks at (Event.Restrict)
}

type anchor struct {
	pid    int32
	hash   uint64
	path   string
	byVal  map[string][]ref
	anyRef bool
}

type ref struct {
	rule  int32
	br    *branch
	conds []int32 // the index-wide id of each of br's conditions
	order []int32 // the conditions to test, cheapest first (a top-level anchor is left out)
	pids  []int32 // the path id of each of br's conditions (restricted events)
	steps []step  // order, with what testing each condition needs, in one place
}

// step is one condition of a ref to test: the condition, its index-wide id (memo) and its
// path id (restricted events).
type step struct {
	c       *cond
	id, pid int32
}

// preferred anchor fields, most selective first
var anchorOrder = []string{"detail-type", "source", "detail.eventName", "detail.eventSource"}

// NewIndex indexes patterns under their ids (ids[i] names ps[i]). Nil patterns are skipped.
func NewIndex(ids []string, ps []*Pattern) *Index {
	ix := &Index{ids: ids}
	var paths []string
	for _, p := range ps {
		if p == nil {
			continue
		}
		for _, b := range p.branches {
			for ci := range b.conds {
				paths = append(paths, b.conds[ci].path)
			}
		}
	}
	ix.trie = newPathTrie(paths)
	pid := func(path string) int32 { return ix.trie.byStr[path].id }
	byPath := map[string]int{}
	condIDs := map[string]int32{}
	for ri, p := range ps {
		if p == nil {
			continue
		}
		ix.nonEmpty = true
		for _, b := range p.branches {
			var best *cond
			bestRank := len(anchorOrder) + 1
			for ci := range b.conds {
				c := &b.conds[ci]
				if c.absentOK || len(c.ms) == 0 || !allExact(c.ms) {
					continue
				}
				rank := len(anchorOrder)
				for k, a := range anchorOrder {
					if a == c.path {
						rank = k
					}
				}
				if rank < bestRank {
					best, bestRank = c, rank
				}
			}
			r := ref{rule: int32(ri), br: b, conds: make([]int32, len(b.conds)), pids: make([]int32, len(b.conds))}
			for ci := range b.conds {
				r.pids[ci] = pid(b.conds[ci].path)
				id, ok := condIDs[b.conds[ci].key]
				if !ok {
					id = int32(len(condIDs))
					condIDs[b.conds[ci].key] = id
				}
				r.conds[ci] = id
				// a top-level anchor holds whenever the branch is found through it
				if best != nil && &b.conds[ci] == best && !strings.Contains(best.path, ".") {
					continue
				}
				r.order = append(r.order, int32(ci))
			}
			sort.SliceStable(r.order, func(i, j int) bool {
				return strings.Count(b.conds[r.order[i]].path, ".") < strings.Count(b.conds[r.order[j]].path, ".")
			})
			for _, ci := range r.order {
				r.steps = append(r.steps, step{c: &b.conds[ci], id: r.conds[ci], pid: r.pids[ci]})
			}
			if best == nil {
				ix.rest = append(ix.rest, r)
				continue
			}
			ai, ok := byPath[best.path]
			if !ok {
				ai = len(ix.anchors)
				byPath[best.path] = ai
				ix.anchors = append(ix.anchors, anchor{pid: pid(best.path), hash: best.hash, path: best.path, byVal: map[string][]ref{}})
			}
			seen := map[string]bool{}
			for _, m := range best.ms {
				if seen[m.s] {
					continue
				}
				seen[m.s] = true
				ix.anchors[ai].byVal[m.s] = append(ix.anchors[ai].byVal[m.s], r)
			}
		}
	}
	ix.ncond = len(condIDs)
	return ix
}

func allExact(ms []matcher) bool {
	for i := range ms {
		if ms[i].op != opExact {
			return false
		}
	}
	return true
}

// Len is the number of ids the index was built with.
func (ix *Index) Len() int { return len(ix.ids) }

// Match appends to dst the ids of the patterns e matches, in the order they were given to
// NewIndex, and returns the extended slice.
func (ix *Index) Match(e *Event, dst []string) []string {
	if !ix.nonEmpty {
		return dst
	}
	// fast: e is restricted to this index, so its fields are chained by path id.
	fast := e.trie == ix.trie && e.trie != nil
	var small [4]uint64
	var hit []uint64
	if n := (len(ix.ids) + 63) / 64; n <= len(small) {
		hit = small[:n]
	} else {
		hit = make([]uint64, n)
	}
	// memo caches each distinct condition's verdict for this event (0 unknown, 1 true,
	// 2 false): rules that share conditions (the same source, detail-type, ...) test them once.
	var memoSmall [512]uint8
	var memo []uint8
	try := func(r *ref) {
		if memo == nil {
			if ix.ncond <= len(memoSmall) {
				memo = memoSmall[:ix.ncond]
			} else {
				memo = make([]uint8, ix.ncond)
			}
		}
		w, bit := uint32(r.rule)/64, uint64(1)<<(uint32(r.rule)%64)
		if hit[w]&bit != 0 {
			return
		}
		structured := func() {
			if r.br.match(e) {
				hit[w] |= bit
			}
		}
		if e.nested {
			structured()
			return
		}
		// Flat evaluation, lazily flattening what a condition needs. If that reveals arrays of
		// objects, the branch is decided structurally instead.
		for si := range r.steps {
			st := &r.steps[si]
			id := st.id
			switch memo[id] {
			case 1:
				continue
			case 2:
				return
			}
			var ok bool
			if fast {
				ok = e.matchPID(st.c, st.pid)
			} else {
				ok = st.c.matchAny(e)
			}
			if e.nested {
				structured()
				return
			}
			if ok {
				memo[id] = 1
			} else {
				memo[id] = 2
				return
			}
		}
		hit[w] |= bit
	}
	for ai := range ix.anchors {
		a := &ix.anchors[ai]
		if fast {
			if len(e.lazy) > 0 {
				e.ensure(a.path)
			}
			for fi := e.heads[a.pid]; fi != 0; {
				f := &e.fields[fi-1]
				fi = f.next
				if f.val.kind == String {
					rs := a.byVal[f.val.s]
					for i := range rs {
						try(&rs[i])
					}
				}
			}
			continue
		}
		it := e.iter(a.path, a.hash)
		for i := it.next(); i >= 0; i = it.next() {
			f := &e.fields[i]
			if f.val.kind != String {
				continue
			}
			rs := a.byVal[f.val.s]
			for i := range rs {
				try(&rs[i])
			}
		}
	}
	for i := range ix.rest {
		try(&ix.rest[i])
	}
	for w, word := range hit {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			dst = append(dst, ix.ids[w*64+b])
		}
	}
	return dst
}
