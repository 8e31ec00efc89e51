package deliverylog

import "sync"

// Log keeps the last Max entries recorded, oldest first.
type Log[T any] struct {
	mu    sync.Mutex
	max   int
	seq   uint64
	ring  []T
	next  int // index of the oldest entry once the ring is full
	setSq func(*T, uint64)
}

// New returns a log of the last max entries (max <= 0: 1000). setSeq, if not nil, stores
// each entry's sequence number (1, 2, ...) in it when it is recorded.
func New[T any](max int, setSeq func(*T, uint64)) *Log[T] {
	if max <= 0 {
		max = 1000
	}
	return &Log[T]{max: max, setSq: setSeq}
}

// Add records v, dropping the oldest entry when the log is full.
func (l *Log[T]) Add(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	if l.setSq != nil {
		l.setSq(&v, l.seq)
	}
	if len(l.ring) < l.max {
		l.ring = append(l.ring, v)
		return
	}
	l.ring[l.next] = v
	l.next = (l.next + 1) % len(l.ring)
}

// List returns the entries for which keep returns true (all when keep is nil), oldest first.
func (l *Log[T]) List(keep func(*T) bool) []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []T
	for _, part := range [2][]T{l.ring[l.next:], l.ring[:l.next]} {
		for i := range part {
			if keep == nil || keep(&part[i]) {
				out = append(out, part[i])
			}
		}
	}
	return out
}
