package events

import (
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/eventbus"
)

// Scheduled rules fire on the platform clock: one AfterFunc timer, armed for the earliest
// next run of any enabled scheduled rule, fires the rules that are due and re-arms itself.
// On a manual clock, Advance(time.Hour) fires a rate(5 minutes) rule twelve times, each at its
// own time.

// stopSchedule disarms the timer for good (Close).
func (s *Service) stopSchedule() {
	s.tmu.Lock()
	defer s.tmu.Unlock()
	s.closed = true
	if s.timer != nil && s.timer.Stop() {
		s.wg.Done()
	}
	s.timer = nil
}

// armSchedule (re)arms the timer for the earliest next run.
func (s *Service) armSchedule() {
	next, ok := s.earliestRun()
	s.tmu.Lock()
	defer s.tmu.Unlock()
	if s.closed {
		return
	}
	if s.timer != nil {
		if s.timer.Stop() {
			s.wg.Done()
		}
		s.timer = nil
	}
	if !ok {
		return
	}
	d := next.Sub(s.env.Clock.Now())
	if d < 0 {
		d = 0
	}
	s.wg.Add(1)
	s.timer = s.env.Clock.AfterFunc(d, func() {
		defer s.wg.Done()
		s.fireDue()
		s.tmu.Lock()
		closed := s.closed
		s.tmu.Unlock()
		if !closed && s.ctx.Err() == nil {
			s.armSchedule()
		}
	})
}

func (s *Service) earliestRun() (time.Time, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best time.Time
	for _, st := range s.busCache {
		for _, lr := range st.order {
			if lr.sched == nil || lr.rec.State == StateDisabled || lr.nextRun.IsZero() {
				continue
			}
			if best.IsZero() || lr.nextRun.Before(best) {
				best = lr.nextRun
			}
		}
	}
	return best, !best.IsZero()
}

// fireDue sends a "Scheduled Event" to the targets of every scheduled rule that is due.
func (s *Service) fireDue() {
	now := s.env.Clock.Now()
	var ds []delivery
	s.mu.Lock()
	for _, st := range s.busCache {
		for _, lr := range st.order {
			if lr.sched == nil || lr.rec.State == StateDisabled || lr.nextRun.IsZero() || lr.nextRun.After(now) {
				continue
			}
			at := lr.nextRun
			lr.nextRun = lr.sched.Next(lr.rec.Anchor, now)
			ev := eventbus.Event{
				Version: "0", ID: uuid.NewString(), DetailType: "Scheduled Event", Source: "aws.events",
				Account: st.account, Time: at.UTC(), Region: st.region, Resources: []string{lr.rec.Arn},
				Detail: []byte("{}"),
			}
			js := eventJSON(ev)
			for _, t := range lr.rec.Targets {
				ds = append(ds, delivery{account: st.account, region: st.region, bus: st.name, rule: lr.rec, target: t, event: ev, eventJSON: js})
			}
		}
	}
	s.mu.Unlock()
	s.enqueue(ds)
}
