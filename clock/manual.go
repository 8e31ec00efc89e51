package clock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// callbackWait bounds how long Set waits for one AfterFunc callback that neither returns nor
// touches the clock (it is blocked on something else, perhaps on the goroutine calling Set).
// Past it, Set goes on without it. Real time, so under testing/synctest it passes instantly
// once every goroutine of the bubble is blocked.
const callbackWait = time.Second

// Manual is a clock that moves only when told to. The zero value is not usable; use NewManual.
//
// Set and Advance fire due timers one at a time, in time order (ties in the order they were
// scheduled), with the clock reading each timer's time as it fires. A timer's channel receives
// the time without blocking (buffer of one, as time.Timer). An AfterFunc callback runs on its
// own goroutine, never under the clock's lock, and Set waits until it returns or schedules,
// resets or stops a timer on this clock, whichever comes first (at most about a second if it
// does neither): so a callback that re-arms itself every minute fires 60 times in Advance(time.Hour),
// each time reading the right Now, and when Advance returns the callbacks it fired are done
// unless they are blocked. Goroutines waiting on timer channels are not waited for: use
// BlockUntil to know they are parked on the clock again before advancing further.
//
// Stop and Reset follow Go 1.23 time.Timer semantics: after they return, no stale time is
// received from the channel, and they report true if the timer had fired but its value was
// not yet received.
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

// NewTimer returns a timer firing when the clock reaches Now()+d. A timer with d <= 0 fires
// at once.
func (m *Manual) NewTimer(d time.Duration) Timer {
	t := &manualTimer{m: m, c: make(chan time.Time, 1), index: -1}
	m.schedule(t, d)
	return t
}

// AfterFunc calls f on its own goroutine when the clock reaches Now()+d (at once if d <= 0).
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	t := &manualTimer{m: m, f: f, index: -1}
	m.schedule(t, d)
	return t
}

// Advance moves the clock forward by d, firing every timer that falls due, in time order.
// Timers scheduled by callbacks during the advance fire in it too if they fall due by its end.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	target := m.now.Add(d)
	m.mu.Unlock()
	m.Set(target)
}

// Set moves the clock to t, firing the timers due by then in time order. Setting an earlier time
// moves the clock back and fires nothing; pending timers keep their absolute due times.
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
		m.notifyLocked()
		done := next.fireLocked(m.now)
		changed := m.changed
		m.mu.Unlock()
		if done != nil {
			waitCallback(done, changed)
		}
	}
}

// waitCallback waits until a callback returns (done), touches the clock (changed), or
// callbackWait passes.
func waitCallback(done, changed <-chan struct{}) {
	select {
	case <-done:
		return
	case <-changed:
		return
	default:
	}
	w := time.NewTimer(callbackWait)
	defer w.Stop()
	select {
	case <-done:
	case <-changed:
	case <-w.C:
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

// schedule (re)arms t to fire after d and reports whether it was active (pending, or fired
// with its value still unreceived).
func (m *Manual) schedule(t *manualTimer, d time.Duration) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	active := m.disarmLocked(t)
	t.when = m.now.Add(d)
	m.seq++
	t.seq = m.seq
	m.notifyLocked()
	if d <= 0 {
		// Due now: fire without waiting for the clock to move (and without waiting for a
		// callback: the caller may hold its own locks).
		t.fireLocked(m.now)
		return active
	}
	heap.Push(&m.timers, t)
	return active
}

func (m *Manual) stop(t *manualTimer) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	active := m.disarmLocked(t)
	if active {
		m.notifyLocked()
	}
	return active
}

// disarmLocked removes t from the heap and drains a fired, unreceived value from its channel.
func (m *Manual) disarmLocked(t *manualTimer) bool {
	active := false
	if t.index >= 0 {
		heap.Remove(&m.timers, t.index)
		t.index = -1
		active = true
	}
	if t.c != nil {
		select {
		case <-t.c:
			active = true
		default:
		}
	}
	return active
}

type manualTimer struct {
	m     *Manual
	c     chan time.Time
	f     func()
	when  time.Time
	seq   uint64
	index int // in m.timers; -1 when not pending
}

func (t *manualTimer) C() <-chan time.Time { return t.c }
func (t *manualTimer) Stop() bool          { return t.m.stop(t) }
func (t *manualTimer) Reset(d time.Duration) bool {
	return t.m.schedule(t, d)
}

// fireLocked delivers the timer: a channel timer gets now without blocking (under the lock, so
// Stop and Reset can drain it reliably); a callback starts on its own goroutine and the
// returned channel closes when it returns.
func (t *manualTimer) fireLocked(now time.Time) (done chan struct{}) {
	if t.f == nil {
		select {
		case t.c <- now:
		default: // a value is already waiting, as with time.Timer
		}
		return nil
	}
	done = make(chan struct{})
	f := t.f
	go func() {
		defer close(done)
		f()
	}()
	return done
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
