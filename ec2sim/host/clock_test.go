package host_test

import (
	"time"

	"github.com/devopsim/devopsim/clock"
)

// instantClock is a manual clock whose timers fire at once, moving time forward.
type instantClock struct{ *clock.Manual }

func newInstant() instantClock {
	return instantClock{clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}
}

func (c instantClock) NewTimer(d time.Duration) clock.Timer {
	t := c.Manual.NewTimer(d)
	c.Manual.Advance(d)
	return t
}
