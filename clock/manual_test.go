package clock_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devopsim/devopsim/clock"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestManualCallbacksInTimeOrderSeeTheirTime(t *testing.T) {
	m := clock.NewManual(t0)
	var (
		mu   sync.Mutex
		seen []time.Duration
	)
	for _, d := range []time.Duration{3 * time.Minute, time.Minute, 2 * time.Minute, time.Minute, 90 * time.Second} {
		m.AfterFunc(d, func() {
			mu.Lock()
			seen = append(seen, m.Now().Sub(t0))
			mu.Unlock()
		})
	}
	if m.Pending() != 5 {
		t.Fatalf("Pending = %d", m.Pending())
	}
	if next, ok := m.Next(); !ok || !next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Next = %v, %v", next, ok)
	}
	m.Advance(10 * time.Minute)
	// Advance waits for the callbacks it fired (they neither block nor touch the clock).
	mu.Lock()
	defer mu.Unlock()
	want := []time.Duration{time.Minute, time.Minute, 90 * time.Second, 2 * time.Minute, 3 * time.Minute}
	if !slices.Equal(seen, want) {
		t.Fatalf("callbacks saw %v, want %v", seen, want)
	}
	if !m.Now().Equal(t0.Add(10 * time.Minute)) {
		t.Fatalf("Now = %v", m.Now())
	}
	if _, ok := m.Next(); ok || m.Pending() != 0 {
		t.Fatal("timers left after they all fired")
	}
}

func TestManualSelfRearmingCallback(t *testing.T) {
	// A periodic job (alarm evaluation, ASG reconcile) re-arms itself from its callback.
	m := clock.NewManual(t0)
	var (
		mu    sync.Mutex
		ticks []time.Time
	)
	var tick func()
	tick = func() {
		mu.Lock()
		ticks = append(ticks, m.Now())
		mu.Unlock()
		m.AfterFunc(time.Minute, tick)
	}
	m.AfterFunc(time.Minute, tick)
	m.Advance(time.Hour)
	mu.Lock()
	defer mu.Unlock()
	if len(ticks) != 60 {
		t.Fatalf("%d ticks in an hour, want 60", len(ticks))
	}
	for i, at := range ticks {
		if want := t0.Add(time.Duration(i+1) * time.Minute); !at.Equal(want) {
			t.Fatalf("tick %d at %v, want %v", i, at, want)
		}
	}
}

func TestManualTimerFromCallbackDuringAdvance(t *testing.T) {
	m := clock.NewManual(t0)
	got := make(chan time.Duration, 1)
	m.AfterFunc(time.Minute, func() {
		m.AfterFunc(30*time.Second, func() { got <- m.Now().Sub(t0) })
	})
	m.Advance(2 * time.Minute)
	select {
	case d := <-got:
		if d != 90*time.Second {
			t.Fatalf("nested timer fired at %v, want 1m30s", d)
		}
	default:
		t.Fatal("a timer scheduled by a callback, due within the Advance, did not fire in it")
	}
}

func TestManualCallbackResetsItself(t *testing.T) {
	m := clock.NewManual(t0)
	var n atomic.Int32
	var tm clock.Timer
	var mu sync.Mutex
	mu.Lock()
	tm = m.AfterFunc(time.Second, func() {
		mu.Lock()
		defer mu.Unlock()
		if n.Add(1) < 5 {
			tm.Reset(time.Second)
		}
	})
	mu.Unlock()
	m.Advance(time.Minute)
	if n.Load() != 5 {
		t.Fatalf("callback ran %d times, want 5", n.Load())
	}
}

func TestManualCallbackUsesClockNoDeadlock(t *testing.T) {
	m := clock.NewManual(t0)
	done := make(chan struct{})
	m.AfterFunc(time.Second, func() {
		_ = m.Now()
		tm := m.NewTimer(time.Hour)
		tm.Stop()
		m.AfterFunc(0, func() {}).Stop()
		_ = m.Pending()
		_, _ = m.Next()
		close(done)
	})
	m.Advance(time.Second)
	<-done
}

func TestManualCallbackSleepingOnClock(t *testing.T) {
	// A callback that waits on the clock itself does not hold up the Advance that fired it:
	// the Advance goes on and wakes it.
	m := clock.NewManual(t0)
	woke := make(chan time.Duration, 1)
	m.AfterFunc(time.Minute, func() {
		_ = clock.Sleep(context.Background(), m, time.Minute)
		woke <- m.Now().Sub(t0)
	})
	m.Advance(5 * time.Minute)
	select {
	case d := <-woke:
		if d < 2*time.Minute {
			t.Fatalf("woke at %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("callback sleeping on the clock was never woken")
	}
}

func TestManualCallbackBlockedOnCaller(t *testing.T) {
	// A callback that waits for the goroutine calling Advance must not deadlock it. In a
	// bubble the bounded wait passes instantly.
	synctest.Test(t, func(t *testing.T) {
		m := clock.NewManual(t0)
		unbuffered := make(chan int)
		m.AfterFunc(time.Second, func() { unbuffered <- 1 })
		m.Advance(time.Second)
		if got := <-unbuffered; got != 1 {
			t.Fatal(got)
		}
	})
}

func TestManualBlockUntil(t *testing.T) {
	m := clock.NewManual(t0)
	ctx := t.Context()
	done := make(chan error, 1)
	go func() { done <- clock.Sleep(ctx, m, time.Minute) }()
	if err := m.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	m.Advance(59 * time.Second)
	select {
	case <-done:
		t.Fatal("Sleep returned early")
	default:
	}
	m.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// BlockUntil gives up when its context ends.
	short, cancel := context.WithCancel(ctx)
	cancel()
	if err := m.BlockUntil(short, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("BlockUntil with a cancelled ctx = %v", err)
	}
	if err := m.BlockUntil(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

func TestManualBlockUntilMany(t *testing.T) {
	m := clock.NewManual(t0)
	ctx := t.Context()
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() { _ = clock.Sleep(ctx, m, time.Duration(i+1)*time.Second) })
	}
	if err := m.BlockUntil(ctx, 10); err != nil {
		t.Fatal(err)
	}
	m.Advance(10 * time.Second)
	wg.Wait()
}

func TestManualSetBackwards(t *testing.T) {
	m := clock.NewManual(t0)
	tm := m.NewTimer(10 * time.Minute) // due at t0+10m
	m.Set(t0.Add(-time.Hour))
	if !m.Now().Equal(t0.Add(-time.Hour)) {
		t.Fatalf("Now after Set backwards = %v", m.Now())
	}
	select {
	case <-tm.C():
		t.Fatal("Set backwards fired a timer")
	default:
	}
	// Pending timers keep their absolute due time.
	m.Advance(time.Hour + 9*time.Minute)
	select {
	case <-tm.C():
		t.Fatal("timer fired before its absolute due time")
	default:
	}
	// A timer made after going back is relative to the new Now.
	tm2 := m.NewTimer(30 * time.Second)
	m.Advance(time.Minute)
	for i, c := range []<-chan time.Time{tm2.C(), tm.C()} {
		select {
		case <-c:
		default:
			t.Fatalf("timer %d did not fire", i)
		}
	}
}

func TestManualSetFiresAtDueTimes(t *testing.T) {
	m := clock.NewManual(t0)
	a := m.NewTimer(time.Minute)
	b := m.NewTimer(time.Hour)
	m.Set(t0.Add(2 * time.Hour))
	if v := <-a.C(); !v.Equal(t0.Add(time.Minute)) {
		t.Fatalf("timer a sent %v, want its due time", v)
	}
	if v := <-b.C(); !v.Equal(t0.Add(time.Hour)) {
		t.Fatalf("timer b sent %v, want its due time", v)
	}
}

func TestManualStopDrains(t *testing.T) {
	m := clock.NewManual(t0)
	tm := m.NewTimer(time.Second)
	m.Advance(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop of a fired, unreceived timer = false")
	}
	select {
	case <-tm.C():
		t.Fatal("stale value after Stop")
	default:
	}
	if tm.Reset(time.Second) {
		t.Fatal("Reset of a stopped, drained timer = true")
	}
	m.Advance(time.Second)
	<-tm.C()
}

func TestManualConcurrentAdvance(t *testing.T) {
	m := clock.NewManual(t0)
	ctx := t.Context()
	var fired atomic.Int64
	var wg, callbacks sync.WaitGroup
	callbacks.Add(4 * 25)
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				switch i % 4 {
				case 0:
					m.AfterFunc(time.Duration(i)*time.Millisecond, func() { fired.Add(1); callbacks.Done() })
				case 1:
					tm := m.NewTimer(time.Millisecond)
					tm.Reset(time.Duration(g) * time.Millisecond)
					tm.Stop()
				case 2:
					m.Advance(time.Millisecond)
				default:
					_ = m.Now()
					_ = m.Pending()
				}
			}
		})
	}
	wg.Wait()
	m.Advance(time.Hour)
	// With other goroutines using the clock, an Advance stops waiting for a callback as soon
	// as the clock changes, so wait for them here.
	callbacks.Wait()
	if got := fired.Load(); got != 4*25 {
		t.Fatalf("%d callbacks fired, want 100", got)
	}
	if err := m.BlockUntil(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

func ExampleManual() {
	m := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m.AfterFunc(time.Hour, func() { fmt.Println("approval timed out at", m.Now().Format(time.Kitchen)) })
	m.Advance(30 * time.Minute)
	fmt.Println("now", m.Now().Format(time.Kitchen))
	m.Advance(30 * time.Minute) // fires the callback and waits for it
	// Output:
	// now 12:30AM
	// approval timed out at 1:00AM
}

// TestEveryMinute: the loop sees each minute boundary once, skips the ones a jump passes over,
// sees the first minute even when the clock moves before the loop's goroutine runs, and ends
// with its context.
func TestEveryMinute(t *testing.T) {
	m := clock.NewManual(t0) // 03:04:05
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan time.Time, 16) // room for every minute of the jumps
	loop := clock.EveryMinute(ctx, m, func(at time.Time) { got <- at })
	m.Advance(time.Minute) // before the loop runs: its first timer is already armed
	done := make(chan struct{})
	go func() { defer close(done); loop() }()
	expect := func(want time.Time) {
		t.Helper()
		select {
		case at := <-got:
			if !at.Equal(want) {
				t.Fatalf("tick at %v, want %v", at, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no tick for %v", want)
		}
	}
	expect(t0.Truncate(time.Minute).Add(time.Minute)) // 03:05
	if err := m.BlockUntil(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	// A jump to 03:15:05: the tick for 03:06, then (depending on when the loop runs during the
	// jump) perhaps a few more of the minutes passed over, never one twice; then 03:16 is armed.
	m.Advance(10 * time.Minute)
	expect(t0.Truncate(time.Minute).Add(2 * time.Minute))
	if err := m.BlockUntil(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if next, _ := m.Next(); !next.Equal(t0.Truncate(time.Minute).Add(12 * time.Minute)) {
		t.Fatalf("next tick armed for %v, want 03:16", next)
	}
	cancel()
	<-done
	close(got)
	prev := t0.Truncate(time.Minute).Add(2 * time.Minute)
	for at := range got {
		if !at.After(prev) || at.After(t0.Add(11*time.Minute)) {
			t.Fatalf("tick at %v after %v", at, prev)
		}
		prev = at
	}
}
