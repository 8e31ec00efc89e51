package cloudtrail

import (
	"sort"
	"sync"
	"time"
)

const (
	chunkBits = 13
	chunkSize = 1 << chunkBits
)

// Lookup attribute indexes.
const (
	attrEventName = iota
	attrUsername
	attrResourceType
	attrResourceName
	attrEventSource
	attrAccessKeyID
	attrReadOnly
	numAttrs
)

type scopeKey struct{ account, region string }

// scopeIndex holds the posting lists (record positions, ascending) of one account and region.
type scopeIndex struct {
	all      []uint64 // management events
	insights []uint64
	attrs    [numAttrs]map[string][]uint64
}

func newScopeIndex() *scopeIndex {
	x := &scopeIndex{}
	for i := range x.attrs {
		x.attrs[i] = map[string][]uint64{}
	}
	return x
}

// history is the event history: records in fixed-size chunks addressed by position, and per-scope
// indexes of the lookup attributes. Records are never changed once inserted; evicted records stay
// valid for whoever still holds a pointer (a trail buffer).
type history struct {
	mu        sync.RWMutex
	chunks    [][]record
	base      uint64 // position of chunks[0][0]
	first     uint64 // oldest live position
	next      uint64 // next position
	scopes    map[scopeKey]*scopeIndex
	max       int
	retention time.Duration
}

func newHistory(max int, retention time.Duration) *history {
	return &history{scopes: map[scopeKey]*scopeIndex{}, max: max, retention: retention}
}

// get returns the live record at pos, or nil. Call with mu held.
func (h *history) get(pos uint64) *record {
	if pos < h.first || pos >= h.next {
		return nil
	}
	i := pos - h.base
	return &h.chunks[i>>chunkBits][i&(chunkSize-1)]
}

// insert appends recs, indexes them and evicts what retention and the cap drop.
func (h *history) insert(recs []record, now time.Time) []*record {
	out := make([]*record, len(recs))
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range recs {
		off := h.next - h.base
		if int(off>>chunkBits) == len(h.chunks) {
			h.chunks = append(h.chunks, make([]record, chunkSize))
		}
		r := &h.chunks[off>>chunkBits][off&(chunkSize-1)]
		*r = recs[i]
		r.pos = h.next
		h.next++
		out[i] = r
		h.index(r)
	}
	h.evict(now)
	return out
}

func (h *history) index(r *record) {
	if r.cat == catData {
		return
	}
	k := scopeKey{r.who.Account, r.who.Region}
	x := h.scopes[k]
	if x == nil {
		x = newScopeIndex()
		h.scopes[k] = x
	}
	if r.cat == catInsight {
		x.insights = append(x.insights, r.pos)
		return
	}
	x.all = append(x.all, r.pos)
	add := func(a int, v string) {
		if v != "" {
			m := x.attrs[a]
			m[v] = append(m[v], r.pos)
		}
	}
	add(attrEventName, r.name)
	add(attrUsername, r.who.username)
	add(attrEventSource, r.src.eventSource)
	add(attrAccessKeyID, r.who.AccessKeyID)
	if r.readOnly {
		add(attrReadOnly, "true")
	} else {
		add(attrReadOnly, "false")
	}
	for i, res := range r.resources {
		dup := false
		for _, o := range r.resources[:i] {
			if o.Type == res.Type {
				dup = true
			}
		}
		if !dup {
			add(attrResourceType, res.Type)
		}
		dup = false
		for _, o := range r.resources[:i] {
			if o.Name == res.Name {
				dup = true
			}
		}
		if !dup {
			add(attrResourceName, res.Name)
		}
	}
}

// expire evicts what the retention window dropped by now, with no insert needed.
func (h *history) expire(now time.Time) {
	h.mu.Lock()
	h.evict(now)
	h.mu.Unlock()
}

// evict drops records past the cap or older than the retention window.
func (h *history) evict(now time.Time) {
	cutoff := now.Add(-h.retention)
	for h.first < h.next {
		if int(h.next-h.first) <= h.max {
			r := h.get(h.first)
			if !r.t.Before(cutoff) {
				break
			}
		}
		h.first++
	}
	if h.first-h.base < chunkSize {
		return
	}
	for h.first-h.base >= chunkSize {
		h.chunks[0] = nil
		h.chunks = h.chunks[1:]
		h.base += chunkSize
	}
	first := h.first
	trim := func(l []uint64) []uint64 {
		k := sort.Search(len(l), func(i int) bool { return l[i] >= first })
		if k == 0 {
			return l
		}
		if k > len(l)/2 {
			return append([]uint64(nil), l[k:]...)
		}
		return l[k:]
	}
	for sk, x := range h.scopes {
		x.all = trim(x.all)
		x.insights = trim(x.insights)
		for _, m := range x.attrs {
			for v, l := range m {
				if l = trim(l); len(l) == 0 {
					delete(m, v)
				} else {
					m[v] = l
				}
			}
		}
		if len(x.all) == 0 && len(x.insights) == 0 {
			delete(h.scopes, sk)
		}
	}
}
