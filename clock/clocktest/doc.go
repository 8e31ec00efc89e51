// Package clocktest is the conformance suite every clock.Clock passes: Now moves forward,
// timers fire once at (not before) their time, Stop prevents firing, Reset reschedules, Stop
// and Reset leave no stale value on the channel (Go 1.23 time.Timer semantics), AfterFunc runs
// once on its own goroutine and may use the clock from inside the callback, callbacks run in
// time order, clock.Sleep honours its context, and concurrent use is race-free.
//
// The suite drives time through Options.Advance (a manual clock's Advance); without it, it
// waits for time to pass on the clock itself, and Options.Synctest makes that instant by
// running each case in a testing/synctest bubble:
//
//	clocktest.Run(t, clock.Real, clocktest.Options{Synctest: true})
//	clocktest.Run(t, func() clock.Clock { return clock.NewManual(t0) }, clocktest.Options{
//		Advance: func(c clock.Clock, d time.Duration) { c.(*clock.Manual).Advance(d) },
//	})
package clocktest
