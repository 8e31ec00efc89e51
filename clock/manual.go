package clock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Manual is a clock that moves only when told to. The zero value is not usable; use NewManual.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	timers  timerHeap
	seq     uint64
	changed chan struct{} // closed and replaced whenever the set of timers changes
}

// NewManual returns a manual clock set to start.
func NewManual(start time.Time) *Manual {
	return &Manual{now: start, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// NewTimer returns a timer firing when the clock reaches Now()+d.
func (m *Manual) NewTimer(d time.Duration) Timer {
	t := &manualTimer{m: m, c: make(chan time.Time, 1)}
	m.schedule(t, d)
	return t
}

// AfterFunc calls f on its own goroutine when the clock reaches Now()+d.
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	t := &manualTimer{m: m, f: f}
	m.schedule(t, d)
	return t
}

// Advance moves the clock forward by d, firing every timer that falls due, in time order.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	target := m.now.Add(d)
	m.mu.Unlock()
	m.Set(target)
}

// Set moves the clock to t, firing the timers due by then in time order. Setting an earlier time
// moves the clock back and fires nothing.
func (m *Manual) Set(t time.Time) {
	for {
		m.mu.Lock()
		if len(m.timers) == 0 || m.timers[0].when.After(t) {
			m.now = t
			m.mu.Unlock()
			return
		}
		next := heap.Pop(&m.timers).(*manualTimer)
		next.index = -1
		if next.when.After(m.now) {
			m.now = next.when
		}
		now := m.now
		m.notifyLocked()
		m.mu.Unlock()
		next.fire(now)
	}
}

// Pending is the number of timers waiting to fire.
func (m *Manual) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// Next is the time the earliest pending timer fires; ok is false when none is pending.
func (m *Manual) Next() (t time.Time, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.timers) == 0 {
		return time.Time{}, false
	}
	return m.timers[0].when, true
}

// BlockUntil waits until at least n timers are pending (something is blocked on the clock), or
// ctx is done.
func (m *Manual) BlockUntil(ctx context.Context, n int) error {
	for {
		m.mu.Lock()
		if len(m.timers) >= n {
			m.mu.Unlock()
			return nil
		}
		ch := m.changed
		m.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (m *Manual) notifyLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

func (m *Manual) schedule(t *manualTimer, d time.Duration) bool {
	m.mu.Lock()
	active := t.index >= 0 && t.scheduled
	if active {
		heap.Remove(&m.timers, t.index)
	}
	t.when = m.now.Add(d)
	m.seq++
	t.seq = m.seq
	t.scheduled = true
	if d <= 0 {
		// Due now: fire without waiting for the clock to move.
		t.index = -1
		now := m.now
		m.notifyLocked()
		m.mu.Unlock()
		t.fire(now)
		return active
	}
	heap.Push(&m.timers, t)
	m.notifyLocked()
	m.mu.Unlock()
	return active
}

func (m *Manual) stop(t *manualTimer) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.index < 0 || !t.scheduled {
		return false
	}
	heap.Remove(&m.timers, t.index)
	t.index = -1
	m.notifyLocked()
	return true
}

type manualTimer struct {
	m         *Manual
	c         chan time.Time
	f         func()
	when      time.Time
	seq       uint64
	index     int
	scheduled bool
}

func (t *manualTimer) C() <-chan time.Time { return t.c }
func (t *manualTimer) Stop() bool          { return t.m.stop(t) }
func (t *manualTimer) Reset(d time.Duration) bool {
	return t.m.schedule(t, d)
}

func (t *manualTimer) fire(now time.Time) {
	if t.f != nil {
		done := make(chan struct{})
		go func() {
			close(done)
			t.f()
		}()
		<-done // the callback has started; later callbacks start after it
		return
	}
	select {
	case t.c <- now:
	default: // a value is already waiting, as with time.Timer
	}
}

type timerHeap []*manualTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*manualTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}
