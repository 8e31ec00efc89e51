package elbv2

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devopsim/devopsim/clock"
)

// runtime is the in-memory view the data plane and the health checker work on. It mirrors the
// store (load balancers, listeners, target groups and their targets) and adds what is not
// durable: target health, round-robin positions, sockets and timers.
type runtime struct {
	mu     sync.RWMutex
	closed bool
	lbs    map[string]*lbRT // by ARN
	byDNS  map[string]*lbRT // lower-case DNS name
	byName map[string]*lbRT // account/region/name
	tgs    map[string]*tgRT // by ARN
}

func (r *runtime) init() {
	r.lbs = map[string]*lbRT{}
	r.byDNS = map[string]*lbRT{}
	r.byName = map[string]*lbRT{}
	r.tgs = map[string]*tgRT{}
}

type lbRT struct {
	s                   *Service
	arn, key, name, dns string
	listeners           map[string]*listenerRT // by ARN; guarded by rt.mu
	ports               atomic.Pointer[portTable]
	ln                  net.Listener
	srv                 *http.Server
	closeOnce           sync.Once
}

// portTable is a load balancer's listeners by port, replaced whole on every change.
type portTable struct {
	byPort map[int]*listenerRT
	def    *listenerRT // port 80, else the lowest port
}

type listenerRT struct {
	arn  string
	port int
	act  *compiledAction
}

type compiledAction struct {
	kind     string // forward, fixed-response, redirect
	mu       sync.Mutex
	groups   []*weightedGroup
	total    int
	fixed    *FixedResponseActionConfig
	redirect *RedirectActionConfig
}

type weightedGroup struct {
	tg      *tgRT
	weight  int
	current int
}

type tgRT struct {
	arn, key, name string
	port           int
	hc             healthConfig
	drain          time.Duration
	order          []*targetRT
	byKey          map[string]*targetRT
	routable       atomic.Pointer[[]*targetRT]
	rr             atomic.Uint64
	inUse          bool
	timer          clock.Timer
	gen            uint64
}

type targetRT struct {
	id         string
	port       int
	state      string
	reason     string
	desc       string
	succ, fail int
	drainUntil time.Time
	busy       bool
}

func targetKey(id string, port int) string { return id + ":" + itoa(port) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func (tg *tgRT) stopTimer() {
	tg.gen++
	if tg.timer != nil {
		tg.timer.Stop()
		tg.timer = nil
	}
}

// Health states and reasons as AWS names them.
const (
	stateInitial     = "initial"
	stateHealthy     = "healthy"
	stateUnhealthy   = "unhealthy"
	stateUnused      = "unused"
	stateDraining    = "draining"
	reasonRegInProg  = "Elb.RegistrationInProgress"
	reasonInitial    = "Elb.InitialHealthChecking"
	reasonMismatch   = "Target.ResponseCodeMismatch"
	reasonTimeout    = "Target.Timeout"
	reasonFailed     = "Target.FailedHealthChecks"
	reasonNotReg     = "Target.NotRegistered"
	reasonNotInUse   = "Target.NotInUse"
	reasonDeregInPrg = "Target.DeregistrationInProgress"
	reasonInvalid    = "Target.InvalidState"
)

func (t *targetRT) set(state, reason, desc string) {
	t.state, t.reason, t.desc = state, reason, desc
}

func (t *targetRT) resetInitial() {
	t.set(stateInitial, reasonRegInProg, "Target registration is in progress")
	t.succ, t.fail = 0, 0
}

// ---- syncing the runtime from records (callers hold s.opMu, not rt.mu)

// openLB adds a load balancer and starts its loopback listener.
func (s *Service) openLB(rec lbRecord) error {
	lb := &lbRT{s: s, arn: rec.ARN, key: keyOfLB(rec), name: rec.Name, dns: strings.ToLower(rec.DNSName), listeners: map[string]*listenerRT{}}
	lb.ports.Store(&portTable{byPort: map[int]*listenerRT{}})
	if !s.opts.NoLoopback {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		lb.ln = ln
		lb.srv = &http.Server{Handler: lb, ReadHeaderTimeout: time.Minute}
	}
	s.rt.mu.Lock()
	if s.rt.closed {
		s.rt.mu.Unlock()
		if lb.ln != nil {
			_ = lb.ln.Close()
		}
		return errClosed
	}
	s.rt.lbs[lb.arn] = lb
	s.rt.byDNS[lb.dns] = lb
	s.rt.byName[lb.key] = lb
	if lb.srv != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = lb.srv.Serve(lb.ln)
		}()
	}
	s.rt.mu.Unlock()
	return nil
}

func keyOfLB(rec lbRecord) string {
	k, _ := lbKeyOf(rec.ARN)
	return k
}

// closeLB removes a load balancer and closes its listener (connections are dropped).
func (s *Service) closeLB(arn string) []checkJob {
	s.rt.mu.Lock()
	lb := s.rt.lbs[arn]
	if lb != nil {
		delete(s.rt.lbs, arn)
		delete(s.rt.byDNS, lb.dns)
		delete(s.rt.byName, lb.key)
	}
	jobs := s.refreshUseLocked()
	s.rt.mu.Unlock()
	if lb != nil {
		lb.shutdown(nil)
	}
	return jobs
}

func (lb *lbRT) shutdown(ctx context.Context) {
	lb.closeOnce.Do(func() {
		if lb.srv == nil {
			return
		}
		if ctx == nil {
			_ = lb.srv.Close()
			return
		}
		if err := lb.srv.Shutdown(ctx); err != nil {
			_ = lb.srv.Close()
		}
	})
}

// checkJob is targets of one group to check now.
type checkJob struct {
	tg      *tgRT
	targets []*targetRT
}

// syncTG brings a target group's runtime in line with its record and returns the targets to
// check at once (new registrations of a group in use).
func (s *Service) syncTG(rec tgRecord) []checkJob {
	now := s.now()
	s.rt.mu.Lock()
	defer s.rt.mu.Unlock()
	tg := s.rt.tgs[rec.ARN]
	if tg == nil {
		k, _ := tgKeyOf(rec.ARN)
		tg = &tgRT{arn: rec.ARN, key: k, name: rec.Name, byKey: map[string]*targetRT{}}
		s.rt.tgs[rec.ARN] = tg
	}
	rearm := tg.hc != rec.HC
	tg.port, tg.hc, tg.drain = rec.Port, rec.HC, drainDelay(rec)
	var fresh []*targetRT
	order := make([]*targetRT, 0, len(rec.Targets))
	keep := make(map[string]*targetRT, len(rec.Targets))
	for _, tr := range rec.Targets {
		if !tr.DrainUntil.IsZero() && !now.Before(tr.DrainUntil) {
			continue
		}
		k := targetKey(tr.ID, tr.Port)
		t := tg.byKey[k]
		if t == nil {
			t = &targetRT{id: tr.ID, port: tr.Port}
			t.resetInitial()
			fresh = append(fresh, t)
		}
		switch {
		case !tr.DrainUntil.IsZero():
			t.drainUntil = tr.DrainUntil
			t.set(stateDraining, reasonDeregInPrg, "Target deregistration is in progress")
		case !t.drainUntil.IsZero() || t.state == stateDraining:
			t.drainUntil = time.Time{}
			t.resetInitial()
			fresh = append(fresh, t)
		}
		order = append(order, t)
		keep[k] = t
	}
	tg.order, tg.byKey = order, keep
	tg.recomputeLocked()
	if rearm {
		s.armLocked(tg)
	}
	if !tg.inUse || len(fresh) == 0 {
		return nil
	}
	return []checkJob{{tg: tg, targets: fresh}}
}

func drainDelay(rec tgRecord) time.Duration {
	v, ok := rec.Attributes[attrDeregDelay]
	if !ok {
		return 300 * time.Second
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 300 * time.Second
	}
	return time.Duration(n) * time.Second
}

// removeTG drops a target group from the runtime.
func (s *Service) removeTG(arn string) {
	s.rt.mu.Lock()
	defer s.rt.mu.Unlock()
	if tg := s.rt.tgs[arn]; tg != nil {
		tg.stopTimer()
		delete(s.rt.tgs, arn)
	}
}

// syncListener adds or replaces a listener and returns the checks that a group newly in use
// needs.
func (s *Service) syncListener(rec listenerRecord) []checkJob {
	s.rt.mu.Lock()
	defer s.rt.mu.Unlock()
	lb := s.rt.lbs[rec.LBARN]
	if lb == nil {
		return nil
	}
	lb.listeners[rec.ARN] = &listenerRT{arn: rec.ARN, port: rec.Port, act: s.compileLocked(rec.Actions)}
	lb.republishLocked()
	return s.refreshUseLocked()
}

// removeListener drops a listener.
func (s *Service) removeListener(lbARN, arn string) []checkJob {
	s.rt.mu.Lock()
	defer s.rt.mu.Unlock()
	if lb := s.rt.lbs[lbARN]; lb != nil {
		delete(lb.listeners, arn)
		lb.republishLocked()
	}
	return s.refreshUseLocked()
}

func (lb *lbRT) republishLocked() {
	pt := &portTable{byPort: make(map[int]*listenerRT, len(lb.listeners))}
	for _, l := range lb.listeners {
		pt.byPort[l.port] = l
		if pt.def == nil || l.port == 80 || (pt.def.port != 80 && l.port < pt.def.port) {
			pt.def = l
		}
	}
	lb.ports.Store(pt)
}

func (s *Service) compileLocked(actions []Action) *compiledAction {
	var a Action
	for _, x := range actions {
		if x.Type == "forward" || x.Type == "fixed-response" || x.Type == "redirect" {
			a = x
			break
		}
	}
	c := &compiledAction{kind: a.Type}
	switch a.Type {
	case "forward":
		for _, g := range forwardGroups(a) {
			tg := s.rt.tgs[g.TargetGroupArn]
			w := 1
			if g.Weight != nil {
				w = *g.Weight
			}
			if tg == nil || w <= 0 {
				continue
			}
			c.groups = append(c.groups, &weightedGroup{tg: tg, weight: w})
			c.total += w
		}
	case "fixed-response":
		c.fixed = a.FixedResponseConfig
	case "redirect":
		c.redirect = a.RedirectConfig
	}
	return c
}

// forwardGroups is the weighted groups of a forward action (TargetGroupArn is weight 1).
func forwardGroups(a Action) []TargetGroupTuple {
	if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 0 {
		return a.ForwardConfig.TargetGroups
	}
	if a.TargetGroupArn != "" {
		one := 1
		return []TargetGroupTuple{{TargetGroupArn: a.TargetGroupArn, Weight: &one}}
	}
	return nil
}

func (s *Service) refreshUse() []checkJob {
	s.rt.mu.Lock()
	defer s.rt.mu.Unlock()
	return s.refreshUseLocked()
}

// refreshUseLocked recomputes which target groups a listener forwards to: a group that comes
// into use starts health checks (its targets start over as initial and are checked at once); a
// group that goes out of use stops them.
func (s *Service) refreshUseLocked() []checkJob {
	used := map[*tgRT]bool{}
	for _, lb := range s.rt.lbs {
		for _, l := range lb.listeners {
			for _, g := range l.act.groups {
				used[g.tg] = true
			}
		}
	}
	var jobs []checkJob
	for _, tg := range s.rt.tgs {
		u := used[tg]
		if u == tg.inUse {
			continue
		}
		tg.inUse = u
		if !u {
			tg.stopTimer()
			continue
		}
		var ts []*targetRT
		for _, t := range tg.order {
			if t.drainUntil.IsZero() {
				t.resetInitial()
				ts = append(ts, t)
			}
		}
		tg.recomputeLocked()
		s.armLocked(tg)
		if len(ts) > 0 {
			jobs = append(jobs, checkJob{tg: tg, targets: ts})
		}
	}
	return jobs
}

// recomputeLocked publishes the targets requests may go to: the healthy ones; when none is
// healthy, every unhealthy one (AWS's fail-open).
func (tg *tgRT) recomputeLocked() {
	var healthy, unhealthy []*targetRT
	for _, t := range tg.order {
		if !t.drainUntil.IsZero() {
			continue
		}
		switch t.state {
		case stateHealthy:
			healthy = append(healthy, t)
		case stateUnhealthy:
			unhealthy = append(unhealthy, t)
		}
	}
	r := healthy
	if len(r) == 0 {
		r = unhealthy
	}
	r = slices.Clip(r)
	tg.routable.Store(&r)
}

// pick chooses the next routable target round robin.
func (tg *tgRT) pick() *targetRT {
	p := tg.routable.Load()
	if p == nil || len(*p) == 0 {
		return nil
	}
	r := *p
	return r[int((tg.rr.Add(1)-1)%uint64(len(r)))]
}

// pick chooses a target group by smooth weighted round robin.
func (c *compiledAction) pick() *tgRT {
	switch len(c.groups) {
	case 0:
		return nil
	case 1:
		return c.groups[0].tg
	}
	c.mu.Lock()
	var best *weightedGroup
	for _, g := range c.groups {
		g.current += g.weight
		if best == nil || g.current > best.current {
			best = g
		}
	}
	best.current -= c.total
	c.mu.Unlock()
	return best.tg
}
