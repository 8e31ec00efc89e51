package elbv2

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/identity"
)

var errClosed = errors.New("elbv2: service closed")

// armLocked (re)starts a group's health check timer: one round every HealthCheckIntervalSeconds
// of the platform clock while the group is in use.
func (s *Service) armLocked(tg *tgRT) {
	tg.stopTimer()
	if s.rt.closed || !tg.inUse || !tg.hc.Enabled {
		return
	}
	gen := tg.gen
	tg.timer = s.env.Clock.AfterFunc(time.Duration(tg.hc.Interval)*time.Second, func() { s.round(tg, gen) })
}

// round checks every registered target of a group once, then schedules the next round. It
// re-arms only after the checks are done, so a manual clock's Advance returns with the round's
// results applied.
func (s *Service) round(tg *tgRT, gen uint64) {
	s.rt.mu.Lock()
	if s.rt.closed || tg.gen != gen {
		s.rt.mu.Unlock()
		return
	}
	s.wg.Add(1)
	defer s.wg.Done()
	now := s.now()
	var ts []*targetRT
	purged := false
	for _, t := range tg.order {
		if !t.drainUntil.IsZero() {
			if !now.Before(t.drainUntil) {
				purged = true
			}
			continue
		}
		ts = append(ts, t)
	}
	if purged {
		s.purgeLocked(tg, now)
	}
	s.rt.mu.Unlock()

	s.check(checkJob{tg: tg, targets: ts})

	s.rt.mu.Lock()
	if !s.rt.closed && tg.gen == gen && tg.inUse {
		tg.timer = s.env.Clock.AfterFunc(time.Duration(tg.hc.Interval)*time.Second, func() { s.round(tg, gen) })
	}
	s.rt.mu.Unlock()
}

// purgeLocked forgets targets whose deregistration delay has passed.
func (s *Service) purgeLocked(tg *tgRT, now time.Time) {
	order := tg.order[:0:0]
	for _, t := range tg.order {
		if !t.drainUntil.IsZero() && !now.Before(t.drainUntil) {
			delete(tg.byKey, targetKey(t.id, t.port))
			continue
		}
		order = append(order, t)
	}
	tg.order = order
}

// runChecks runs jobs now, outside every lock.
func (s *Service) runChecks(jobs []checkJob) {
	for _, j := range jobs {
		s.check(j)
	}
}

type probeResult struct {
	ok      bool
	stopped bool
	gone    bool
	reason  string
	desc    string
}

// check probes targets of one group (concurrently when there are several) and applies the
// results.
func (s *Service) check(j checkJob) {
	s.rt.mu.Lock()
	if s.rt.closed {
		s.rt.mu.Unlock()
		return
	}
	hc, port := j.tg.hc, j.tg.port
	ts := make([]*targetRT, 0, len(j.targets))
	for _, t := range j.targets {
		if t.busy || j.tg.byKey[targetKey(t.id, t.port)] != t || !t.drainUntil.IsZero() {
			continue
		}
		t.busy = true
		ts = append(ts, t)
	}
	s.rt.mu.Unlock()
	if len(ts) == 0 {
		return
	}
	results := make([]probeResult, len(ts))
	if len(ts) == 1 {
		results[0] = s.probe(hc, port, ts[0])
	} else {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for i, t := range ts {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				results[i] = s.probe(hc, port, t)
				<-sem
			}()
		}
		wg.Wait()
	}
	var gone []TargetDescription
	s.rt.mu.Lock()
	for i, t := range ts {
		t.busy = false
		if j.tg.byKey[targetKey(t.id, t.port)] != t || !t.drainUntil.IsZero() {
			continue
		}
		if results[i].gone {
			gone = append(gone, TargetDescription{ID: t.id, Port: t.port})
			continue
		}
		applyLocked(j.tg.hc, t, results[i])
	}
	j.tg.recomputeLocked()
	closed := s.rt.closed
	s.rt.mu.Unlock()
	if len(gone) > 0 && !closed {
		s.autoDeregister(j.tg.arn, gone)
	}
}

// applyLocked moves a target through AWS's health states: a newly registered target is
// healthy after one passing check and unhealthy after UnhealthyThresholdCount failures; a
// healthy one turns unhealthy after UnhealthyThresholdCount consecutive failures and back after
// HealthyThresholdCount consecutive successes.
func applyLocked(hc healthConfig, t *targetRT, r probeResult) {
	if r.stopped {
		t.set(stateUnused, reasonInvalid, "Target is in the stopped state")
		t.succ, t.fail = 0, 0
		return
	}
	if t.state == stateUnused {
		t.resetInitial()
	}
	if r.ok {
		t.fail = 0
		t.succ++
		if t.state != stateUnhealthy || t.succ >= hc.Healthy {
			t.set(stateHealthy, "", "")
		}
		return
	}
	t.succ = 0
	t.fail++
	switch t.state {
	case stateInitial:
		if t.fail >= hc.Unhealthy {
			t.set(stateUnhealthy, r.reason, r.desc)
		} else {
			t.set(stateInitial, reasonInitial, "Initial health checks in progress")
		}
	case stateHealthy:
		if t.fail >= hc.Unhealthy {
			t.set(stateUnhealthy, r.reason, r.desc)
		}
	default:
		t.set(stateUnhealthy, r.reason, r.desc)
	}
}

// probe sends one health check: GET HealthCheckPath to the target's service, in process.
func (s *Service) probe(hc healthConfig, tgPort int, t *targetRT) (res probeResult) {
	port := t.port
	if hc.Port != "" && hc.Port != "traffic-port" {
		port, _ = strconv.Atoi(hc.Port)
	}
	failed := probeResult{reason: reasonFailed, desc: "Health checks failed"}
	if s.deps.Targets == nil {
		return failed
	}
	ctx := s.ctx
	h, ok, err := s.deps.Targets.Handler(ctx, t.id, port)
	switch {
	case errors.Is(err, ErrInstanceNotFound):
		return probeResult{gone: true}
	case errors.Is(err, ErrInstanceNotRunning):
		return probeResult{stopped: true}
	case err != nil, !ok, h == nil:
		return failed
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+t.id+":"+strconv.Itoa(port)+hc.Path, nil)
	if err != nil {
		return failed
	}
	req.Header.Set("User-Agent", "ELB-HealthChecker/2.0")
	req.Header.Set("Connection", "close")
	req.RemoteAddr = "10.0.0.2:" + strconv.Itoa(30000+port%1000)
	req.RequestURI = hc.Path
	w := &statusWriter{header: http.Header{}}
	start := s.env.Clock.Now()
	func() {
		defer func() {
			if r := recover(); r != nil {
				w.code = -1
			}
		}()
		h.ServeHTTP(w, req)
	}()
	if s.env.Clock.Now().Sub(start) > time.Duration(hc.Timeout)*time.Second {
		return probeResult{reason: reasonTimeout, desc: "Request timed out"}
	}
	code := w.code
	if code == 0 {
		code = http.StatusOK
	}
	if code < 0 {
		return failed
	}
	if matchCode(hc.Matcher, code) {
		return probeResult{ok: true}
	}
	return probeResult{reason: reasonMismatch, desc: fmt.Sprintf("Health checks failed with these codes: [%d]", code)}
}

// statusWriter keeps a response's status and discards its body.
type statusWriter struct {
	header http.Header
	code   int
}

func (w *statusWriter) Header() http.Header { return w.header }
func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
}

// matchCode reports whether code satisfies a matcher such as "200", "200,202" or "200-299".
func matchCode(m string, code int) bool {
	if m == "" {
		m = "200"
	}
	for _, part := range strings.Split(m, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		if code >= a && code <= b {
			return true
		}
	}
	return false
}

// autoDeregister deregisters targets whose instance is gone (terminated), as AWS does.
func (s *Service) autoDeregister(tgARN string, ts []TargetDescription) {
	region, account, _, ok := arnParts(tgARN)
	if !ok {
		return
	}
	ctx := identity.With(s.ctx, identity.Root(account, region))
	if _, err := s.deregisterTargets(ctx, &DeregisterTargetsInput{TargetGroupArn: tgARN, Targets: ts}); err != nil && !errors.Is(err, errClosed) {
		s.log.Debug("elbv2: auto-deregister", "targetGroup", tgARN, "err", err)
	}
}
