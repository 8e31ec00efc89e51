package logs

import (
	"sort"
	"sync"
	"unsafe"
)

// The event store: one append-only structure per log stream, built for the queries the API
// makes (time ranges in timestamp order, forward and backward paging, scans with a pattern).
//
// Messages are copied into arenas: byte slices that are only ever appended to, never moved, so
// a message can be handed out as a string that points into its arena with no copy. Each stored
// event costs a 32-byte index entry plus its message bytes. The index is kept sorted by
// (timestamp, arrival): in-order arrival, the usual case, is an append; a late event is inserted
// with a binary search. An arena is released when the last event in it expires or is evicted.

const (
	minArena = 4 << 10
	maxArena = 1 << 20
)

// entry is one stored event. (ts, arena, off) is its unique, ordered key within the stream:
// arena and off grow with arrival, so equal timestamps keep arrival order.
type entry struct {
	ts     int64
	ingest int64
	arena  uint32
	off    uint32
	n      uint32
}

// evKey identifies an event inside its stream, for pagination tokens.
type evKey struct {
	ts    int64
	arena uint32
	off   uint32
}

func (e *entry) key() evKey { return evKey{e.ts, e.arena, e.off} }

func (a evKey) less(b evKey) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	if a.arena != b.arena {
		return a.arena < b.arena
	}
	return a.off < b.off
}

type arena struct {
	buf  []byte
	live int
}

// streamData holds one stream's events. Its lock is never held while calling out.
type streamData struct {
	mu      sync.RWMutex
	events  []entry // sorted by key
	arenas  []*arena
	bytes   int64 // message bytes stored
	first   int64 // first event timestamp ever stored (AWS keeps it after expiry)
	last    int64 // last event timestamp ever stored
	lastIng int64 // last ingestion time
	hasAny  bool
	batches uint64 // persisted batch sequence
}

// nextBatch returns the sequence number of the next persisted batch.
func (d *streamData) nextBatch() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.batches++
	return d.batches
}

// append stores a batch of events that arrived at ingest. msgs[i] has timestamp ts[i].
// It returns the bytes added.
func (d *streamData) append(ts []int64, msgs []string, ingest int64) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var added int64
	for i, m := range msgs {
		ai, off := d.store(m)
		e := entry{ts: ts[i], ingest: ingest, arena: ai, off: off, n: uint32(len(m))}
		if n := len(d.events); n == 0 || d.events[n-1].ts <= e.ts {
			d.events = append(d.events, e)
		} else {
			j := sort.Search(n, func(k int) bool { return d.events[k].ts > e.ts })
			d.events = append(d.events, entry{})
			copy(d.events[j+1:], d.events[j:])
			d.events[j] = e
		}
		added += int64(len(m))
		if !d.hasAny || e.ts < d.first {
			d.first = e.ts
		}
		if !d.hasAny || e.ts > d.last {
			d.last = e.ts
		}
		d.hasAny = true
	}
	d.lastIng = ingest
	d.bytes += added
	return added
}

func (d *streamData) store(m string) (uint32, uint32) {
	var a *arena
	if n := len(d.arenas); n > 0 && d.arenas[n-1] != nil {
		a = d.arenas[n-1]
		if cap(a.buf)-len(a.buf) < len(m) {
			a = nil
		}
	}
	if a == nil {
		size := minArena
		if n := len(d.arenas); n > 0 {
			size = minArena << min(n, 8)
		}
		size = min(size, maxArena)
		if len(m) > size {
			size = len(m)
		}
		a = &arena{buf: make([]byte, 0, size)}
		d.arenas = append(d.arenas, a)
	}
	off := len(a.buf)
	a.buf = append(a.buf, m...)
	a.live++
	return uint32(len(d.arenas) - 1), uint32(off)
}

// msg returns the message of e without copying. Callers hold d.mu (read).
func (d *streamData) msg(e *entry) string {
	a := d.arenas[e.arena]
	if e.n == 0 {
		return ""
	}
	return unsafe.String(&a.buf[e.off], int(e.n))
}

// trimBefore drops every event with a timestamp before cutoff; it returns the bytes freed.
func (d *streamData) trimBefore(cutoff int64) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := sort.Search(len(d.events), func(i int) bool { return d.events[i].ts >= cutoff })
	return d.dropFirstLocked(k)
}

// dropFirst drops the n oldest events (by timestamp); it returns the bytes freed.
func (d *streamData) dropFirst(n int) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropFirstLocked(min(n, len(d.events)))
}

func (d *streamData) dropFirstLocked(k int) int64 {
	if k == 0 {
		return 0
	}
	var freed int64
	for i := range k {
		e := &d.events[i]
		freed += int64(e.n)
		a := d.arenas[e.arena]
		a.live--
		if a.live == 0 && int(e.arena) != len(d.arenas)-1 {
			d.arenas[e.arena] = nil
		}
	}
	rest := d.events[k:]
	if cap(rest) > 2*len(rest)+64 {
		d.events = append(make([]entry, 0, len(rest)+len(rest)/4), rest...)
	} else {
		d.events = rest
	}
	d.bytes -= freed
	return freed
}

// oldest is the timestamp of the oldest stored event; ok is false when empty.
func (d *streamData) oldest() (int64, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if len(d.events) == 0 {
		return 0, false
	}
	return d.events[0].ts, true
}

type streamStats struct {
	first, last, lastIng int64
	bytes                int64
	count                int
	hasAny               bool
}

func (d *streamData) stats() streamStats {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return streamStats{first: d.first, last: d.last, lastIng: d.lastIng, bytes: d.bytes, count: len(d.events), hasAny: d.hasAny}
}

// span returns the index range [lo, hi) of events with start <= ts < end. Callers hold d.mu.
func (d *streamData) span(start, end int64) (int, int) {
	lo := sort.Search(len(d.events), func(i int) bool { return d.events[i].ts >= start })
	hi := sort.Search(len(d.events), func(i int) bool { return d.events[i].ts >= end })
	return lo, hi
}

// after is the index of the first event whose key is greater than k. Callers hold d.mu.
func (d *streamData) after(k evKey) int {
	return sort.Search(len(d.events), func(i int) bool { return k.less(d.events[i].key()) })
}

// atOrAfter is the index of the first event whose key is >= k. Callers hold d.mu.
func (d *streamData) atOrAfter(k evKey) int {
	return sort.Search(len(d.events), func(i int) bool { return !d.events[i].key().less(k) })
}
