package clocktest_test

import (
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/clock/clocktest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func manual() clock.Clock { return clock.NewManual(t0) }

func advanceManual(c clock.Clock, d time.Duration) { c.(*clock.Manual).Advance(d) }

func TestReal(t *testing.T) {
	clocktest.Run(t, clock.Real, clocktest.Options{Synctest: true})
}

func TestManual(t *testing.T) {
	clocktest.Run(t, manual, clocktest.Options{Advance: advanceManual})
}

func TestManualInBubble(t *testing.T) {
	clocktest.Run(t, manual, clocktest.Options{Advance: advanceManual, Synctest: true})
}
