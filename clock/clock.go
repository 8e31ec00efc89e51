// Package clock is the time seam of devopsim. Service code never calls time.Now or time.Sleep;
// it asks a Clock, so callers can run a platform on real time (Real) or move time themselves
// (NewManual) to make retention, timeouts, alarms and approvals happen on demand.
//
// Both clocks are safe for concurrent use. A manual clock fires timers in time order, runs
// AfterFunc callbacks on their own goroutines, never while holding its lock, and its Advance
// waits for the callbacks it fired (see Manual). Timers follow Go 1.23 time.Timer semantics:
// no stale value is received after Stop or Reset.
//
// Every Clock passes the conformance suite in clock/clocktest.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and makes timers.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that sends the time on its channel after d.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f in its own goroutine after d; the timer's channel is nil.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a single event scheduled on a Clock.
type Timer interface {
	// C is the channel the time is sent on; nil for AfterFunc timers.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
	// Reset reschedules the timer to fire after d; it reports whether it was active.
	Reset(d time.Duration) bool
}

// Real returns the clock of the machine.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{t: time.NewTimer(d)} }

func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return realTimer{t: time.AfterFunc(d, f)}
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

// Sleep waits for d on c, or until ctx is done; it returns ctx.Err() in the latter case.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Since is c.Now().Sub(t).
func Since(c Clock, t time.Time) time.Duration { return c.Now().Sub(t) }

// EveryMinute arms a timer for c's next minute boundary and returns the loop that calls f with
// each boundary as it passes (boundaries the clock jumps over are skipped) until ctx is done.
// Run the loop on its own goroutine: the first timer is armed before EveryMinute returns, so a
// manual clock advanced at once still reaches f for that minute.
func EveryMinute(ctx context.Context, c Clock, f func(time.Time)) (loop func()) {
	next := c.Now().Truncate(time.Minute).Add(time.Minute)
	t := c.NewTimer(next.Sub(c.Now()))
	return func() {
		for {
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C():
			}
			f(next)
			next = next.Add(time.Minute)
			if now := c.Now(); !next.After(now) {
				next = now.Truncate(time.Minute).Add(time.Minute)
			}
			t = c.NewTimer(next.Sub(c.Now()))
		}
	}
}
