package clocktest

import (
	"bytes"
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devopsim/devopsim/clock"
)

// Options says how the suite drives a clock.
type Options struct {
	// Advance makes d pass on c. For a manual clock, call its Advance. Nil means time passes
	// by itself: the suite waits for d on c (clock.Sleep), which is how the real clock is
	// tested; set Synctest too so that takes no real time.
	Advance func(c clock.Clock, d time.Duration)
	// Synctest runs each case in a testing/synctest bubble, where the runtime's timers (and
	// so the real clock) run on fake time: instant and deterministic.
	Synctest bool
	// Unit is the duration the cases are built from; 0 means one minute.
	Unit time.Duration
}

// Run runs the conformance suite on clocks made by newClock (one per case).
func Run(t *testing.T, newClock func() clock.Clock, opts Options) {
	t.Helper()
	if opts.Unit <= 0 {
		opts.Unit = time.Minute
	}
	cases := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"NowMoves", testNowMoves},
		{"TimerFires", testTimerFires},
		{"TimerZero", testTimerZero},
		{"Stop", testStop},
		{"Reset", testReset},
		{"ResetFiredUnreceived", testResetFiredUnreceived},
		{"ResetAfterReceive", testResetAfterReceive},
		{"AfterFunc", testAfterFunc},
		{"AfterFuncStop", testAfterFuncStop},
		{"AfterFuncReset", testAfterFuncReset},
		{"AfterFuncCallsClock", testAfterFuncCallsClock},
		{"Order", testOrder},
		{"Sleep", testSleep},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run := func(t *testing.T) {
				c := newClock()
				tc.fn(t, &harness{c: c, opts: opts, u: opts.Unit})
			}
			if opts.Synctest {
				synctest.Test(t, run)
			} else {
				run(t)
			}
		})
	}
}

type harness struct {
	c    clock.Clock
	opts Options
	u    time.Duration
}

// advance lets d pass on the clock.
func (h *harness) advance(t *testing.T, d time.Duration) {
	t.Helper()
	if h.opts.Advance != nil {
		h.opts.Advance(h.c, d)
		return
	}
	if err := clock.Sleep(context.Background(), h.c, d); err != nil {
		t.Fatal(err)
	}
}

// settle lets goroutines woken by the clock run: in a bubble, until they block; otherwise a
// scheduler yield (a manual clock has already delivered what was due when Advance returns).
func (h *harness) settle() {
	if h.opts.Synctest {
		synctest.Wait()
		return
	}
	runtime.Gosched()
}

// fired reports whether a value is waiting on ch, without blocking.
func (h *harness) fired(ch <-chan time.Time) (time.Time, bool) {
	h.settle()
	select {
	case v := <-ch:
		return v, true
	default:
		return time.Time{}, false
	}
}

// wait receives from ch, failing the test if nothing comes for a long (real) while.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	limit := time.NewTimer(10 * time.Second)
	defer limit.Stop()
	select {
	case v := <-ch:
		return v
	case <-limit.C:
		t.Fatalf("%s: nothing happened", what)
		var zero T
		return zero
	}
}

func testNowMoves(t *testing.T, h *harness) {
	a := h.c.Now()
	b := h.c.Now()
	if b.Before(a) {
		t.Fatalf("Now went back: %v then %v", a, b)
	}
	h.advance(t, h.u)
	if got := h.c.Now().Sub(b); got < h.u {
		t.Fatalf("after letting %v pass, Now moved %v", h.u, got)
	}
}

func testTimerFires(t *testing.T, h *harness) {
	start := h.c.Now()
	tm := h.c.NewTimer(2 * h.u)
	defer tm.Stop()
	if tm.C() == nil {
		t.Fatal("NewTimer has a nil channel")
	}
	if _, ok := h.fired(tm.C()); ok {
		t.Fatal("timer fired before any time passed")
	}
	h.advance(t, h.u)
	if _, ok := h.fired(tm.C()); ok {
		t.Fatal("timer fired halfway")
	}
	h.advance(t, h.u)
	v := wait(t, tm.C(), "timer at its time")
	if v.Before(start.Add(2 * h.u)) {
		t.Fatalf("timer sent %v, before its due time %v", v, start.Add(2*h.u))
	}
	if tm.Stop() {
		t.Fatal("Stop of a fired and received timer reported true")
	}
	// It fires once.
	h.advance(t, 3*h.u)
	if _, ok := h.fired(tm.C()); ok {
		t.Fatal("timer fired twice")
	}
}

func testTimerZero(t *testing.T, h *harness) {
	for _, d := range []time.Duration{0, -time.Second} {
		tm := h.c.NewTimer(d)
		wait(t, tm.C(), "timer of "+d.String())
	}
}

func testStop(t *testing.T, h *harness) {
	tm := h.c.NewTimer(h.u)
	if !tm.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	if tm.Stop() {
		t.Fatal("second Stop reported true")
	}
	h.advance(t, 2*h.u)
	if _, ok := h.fired(tm.C()); ok {
		t.Fatal("a stopped timer fired")
	}
}

func testReset(t *testing.T, h *harness) {
	tm := h.c.NewTimer(h.u)
	defer tm.Stop()
	if !tm.Reset(3 * h.u) {
		t.Fatal("Reset of a pending timer reported false")
	}
	h.advance(t, 2*h.u)
	if _, ok := h.fired(tm.C()); ok {
		t.Fatal("timer fired at its old time after Reset")
	}
	h.advance(t, h.u)
	wait(t, tm.C(), "timer at its reset time")
	// Reset of a stopped timer arms it again.
	tm.Stop()
	if tm.Reset(h.u) {
		t.Fatal("Reset of a stopped timer reported true")
	}
	h.advance(t, h.u)
	wait(t, tm.C(), "timer reset after Stop")
}

func testResetFiredUnreceived(t *testing.T, h *harness) {
	tm := h.c.NewTimer(h.u)
	defer tm.Stop()
	h.advance(t, 2*h.u) // fired; nobody received
	h.settle()
	before := h.c.Now()
	if !tm.Reset(h.u) {
		t.Fatal("Reset of a fired timer whose value was not received reported false (Go 1.23 semantics: true)")
	}
	if _, ok := h.fired(tm.C()); ok {
		t.Fatal("a stale value was received after Reset")
	}
	h.advance(t, h.u)
	if v := wait(t, tm.C(), "reset timer"); v.Before(before.Add(h.u)) {
		t.Fatalf("reset timer sent %v, want >= %v", v, before.Add(h.u))
	}
	// Same for Stop: no stale value after it.
	tm2 := h.c.NewTimer(h.u)
	h.advance(t, h.u)
	h.settle()
	if !tm2.Stop() {
		t.Fatal("Stop of a fired, unreceived timer reported false (Go 1.23 semantics: true)")
	}
	if _, ok := h.fired(tm2.C()); ok {
		t.Fatal("a stale value was received after Stop")
	}
}

func testResetAfterReceive(t *testing.T, h *harness) {
	tm := h.c.NewTimer(h.u)
	defer tm.Stop()
	for i := range 3 {
		h.advance(t, h.u)
		wait(t, tm.C(), "periodic timer")
		if tm.Reset(h.u) {
			t.Fatalf("round %d: Reset of a fired and received timer reported true", i)
		}
	}
}

func testAfterFunc(t *testing.T, h *harness) {
	caller := goid()
	ran := make(chan uint64, 2)
	tm := h.c.AfterFunc(h.u, func() { ran <- goid() })
	if tm.C() != nil {
		t.Fatal("an AfterFunc timer has a channel")
	}
	h.settle()
	select {
	case <-ran:
		t.Fatal("callback ran before its time")
	default:
	}
	h.advance(t, h.u)
	if id := wait(t, ran, "AfterFunc callback"); id == caller {
		t.Fatal("callback ran on the caller's goroutine")
	}
	h.advance(t, 2*h.u)
	h.settle()
	if len(ran) != 0 {
		t.Fatal("callback ran twice")
	}
	if tm.Stop() {
		t.Fatal("Stop after the callback ran reported true")
	}
}

func testAfterFuncStop(t *testing.T, h *harness) {
	ran := make(chan struct{}, 1)
	tm := h.c.AfterFunc(h.u, func() { ran <- struct{}{} })
	if !tm.Stop() {
		t.Fatal("Stop of a pending AfterFunc reported false")
	}
	h.advance(t, 2*h.u)
	h.settle()
	if len(ran) != 0 {
		t.Fatal("a stopped AfterFunc ran")
	}
}

func testAfterFuncReset(t *testing.T, h *harness) {
	ran := make(chan time.Time, 2)
	var tm clock.Timer
	tm = h.c.AfterFunc(h.u, func() { ran <- h.c.Now() })
	start := h.c.Now()
	tm.Reset(3 * h.u)
	h.advance(t, 2*h.u)
	h.settle()
	if len(ran) != 0 {
		t.Fatal("AfterFunc ran at its old time after Reset")
	}
	h.advance(t, h.u)
	if at := wait(t, ran, "reset AfterFunc"); at.Before(start.Add(3 * h.u)) {
		t.Fatalf("callback saw Now %v, before its due time %v", at, start.Add(3*h.u))
	}
}

func testAfterFuncCallsClock(t *testing.T, h *harness) {
	// A callback may use the clock: Now, new timers, even stopping itself.
	out := make(chan time.Duration, 1)
	var self clock.Timer
	var mu sync.Mutex
	mu.Lock()
	self = h.c.AfterFunc(h.u, func() {
		mu.Lock()
		defer mu.Unlock()
		self.Stop()
		start := h.c.Now()
		h.c.AfterFunc(h.u, func() { out <- h.c.Now().Sub(start) })
	})
	mu.Unlock()
	h.advance(t, h.u)
	h.settle()
	h.advance(t, h.u)
	if d := wait(t, out, "timer scheduled from a callback"); d < h.u {
		t.Fatalf("nested AfterFunc fired after %v, want >= %v", d, h.u)
	}
}

func testOrder(t *testing.T, h *harness) {
	var (
		mu  sync.Mutex
		got []int
		wg  sync.WaitGroup
	)
	delays := []int{5, 1, 4, 2, 3}
	for _, n := range delays {
		wg.Add(1)
		h.c.AfterFunc(time.Duration(n)*h.u, func() {
			defer wg.Done()
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
		})
	}
	for range 5 {
		h.advance(t, h.u)
		h.settle()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	wait(t, done, "callbacks")
	if want := []int{1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Fatalf("callbacks ran in order %v, want %v", got, want)
	}
}

func testSleep(t *testing.T, h *harness) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := clock.Sleep(ctx, h.c, 0); err != nil {
		t.Fatalf("Sleep(0) = %v", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- clock.Sleep(ctx, h.c, 100*h.u) }()
	cancel()
	if err := wait(t, errc, "Sleep after cancel"); err != context.Canceled {
		t.Fatalf("Sleep after cancel = %v, want context.Canceled", err)
	}
	if err := clock.Sleep(ctx, h.c, 0); err != context.Canceled {
		t.Fatalf("Sleep(0) on a cancelled ctx = %v", err)
	}
	if d := clock.Since(h.c, h.c.Now()); d < 0 {
		t.Fatalf("Since(Now) = %v", d)
	}
}

func testConcurrent(t *testing.T, h *harness) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				tm := h.c.NewTimer(time.Duration(i%3+1) * h.u)
				switch (g + i) % 3 {
				case 0:
					tm.Stop()
				case 1:
					tm.Reset(h.u)
					tm.Stop()
				default:
					f := h.c.AfterFunc(h.u, func() {})
					f.Stop()
					tm.Stop()
				}
				_ = h.c.Now()
			}
		})
	}
	wg.Wait()
	h.advance(t, 5*h.u)
}

// goid is the current goroutine's id, read from its stack header ("goroutine 7 [running]:").
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
