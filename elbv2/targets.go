package elbv2

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

var instanceIDRE = regexp.MustCompile(`^i-[0-9a-f]{8,17}$`)

const maxTargets = 1000

// normTargets validates target descriptions and fills in the group's port.
func normTargets(ts []TargetDescription, port int) ([]TargetDescription, error) {
	if len(ts) == 0 {
		return nil, validation("1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null")
	}
	out := make([]TargetDescription, 0, len(ts))
	for _, t := range ts {
		if !instanceIDRE.MatchString(t.ID) {
			return nil, validation("Instance ID '%s' is not valid", t.ID)
		}
		if t.Port == 0 {
			t.Port = port
		}
		if t.Port < 1 || t.Port > 65535 {
			return nil, validation("1 validation error detected: Value '%d' at 'targets.member.port' failed to satisfy constraint: Member must have value between 1 and 65535", t.Port)
		}
		t.AvailabilityZone = ""
		if !slices.ContainsFunc(out, func(o TargetDescription) bool { return o.ID == t.ID && o.Port == t.Port }) {
			out = append(out, t)
		}
	}
	return out, nil
}

// RegisterTargets registers running instances with a target group. A group in use by a
// listener health-checks new targets at once: they leave the initial state after one passing
// check.
func (s *Service) RegisterTargets(ctx context.Context, in *RegisterTargetsInput) (*RegisterTargetsOutput, error) {
	return dispatch.Do(ctx, s.d, "RegisterTargets", in, s.registerTargets)
}

func (s *Service) registerTargets(ctx context.Context, in *RegisterTargetsInput) (*RegisterTargetsOutput, error) {
	if err := notNull(in.TargetGroupArn, "targetGroupArn"); err != nil {
		return nil, err
	}
	rec, key, err := s.getTG(ctx, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	ts, err := normTargets(in.Targets, rec.Port)
	if err != nil {
		return nil, err
	}
	if s.deps.Targets != nil {
		var invalid, stopped []string
		for _, t := range ts {
			_, _, err := s.deps.Targets.Handler(ctx, t.ID, t.Port)
			switch {
			case errors.Is(err, ErrInstanceNotFound):
				invalid = append(invalid, t.ID)
			case errors.Is(err, ErrInstanceNotRunning):
				stopped = append(stopped, t.ID)
			}
		}
		if len(invalid) > 0 {
			return nil, ErrInvalidTarget.With("The following targets are not valid instances: %s", joinQuoted(invalid))
		}
		if len(stopped) > 0 {
			return nil, ErrInvalidTarget.With("The following targets are not in a running state and cannot be registered: %s", joinQuoted(stopped))
		}
	}
	now := s.now()
	s.opMu.Lock()
	rec, err = s.tgs.Update(ctx, key, func(r *tgRecord) error {
		r.Targets = liveTargets(r.Targets, now)
		for _, t := range ts {
			i := slices.IndexFunc(r.Targets, func(x targetRecord) bool { return x.ID == t.ID && x.Port == t.Port })
			if i >= 0 {
				r.Targets[i].DrainUntil = time.Time{}
				continue
			}
			r.Targets = append(r.Targets, targetRecord{ID: t.ID, Port: t.Port})
		}
		if len(r.Targets) > maxTargets {
			return ErrTooManyTargets.With("You've reached the limit on the number of targets (%d) for target group '%s'", maxTargets, r.ARN)
		}
		return nil
	})
	if err != nil {
		s.opMu.Unlock()
		return nil, storeErr(err)
	}
	jobs := s.syncTG(rec)
	s.opMu.Unlock()
	s.runChecks(jobs)
	return &RegisterTargetsOutput{}, nil
}

// liveTargets drops targets whose deregistration delay has passed.
func liveTargets(ts []targetRecord, now time.Time) []targetRecord {
	return slices.DeleteFunc(ts, func(t targetRecord) bool { return !t.DrainUntil.IsZero() && !now.Before(t.DrainUntil) })
}

// DeregisterTargets deregisters targets: they drain (state draining, no new requests) for the
// group's deregistration_delay.timeout_seconds (300 by default) on the platform clock, then are
// gone. Deregistering an instance that exists but is not registered is a no-op.
func (s *Service) DeregisterTargets(ctx context.Context, in *DeregisterTargetsInput) (*DeregisterTargetsOutput, error) {
	return dispatch.Do(ctx, s.d, "DeregisterTargets", in, s.deregisterTargets)
}

func (s *Service) deregisterTargets(ctx context.Context, in *DeregisterTargetsInput) (*DeregisterTargetsOutput, error) {
	if err := notNull(in.TargetGroupArn, "targetGroupArn"); err != nil {
		return nil, err
	}
	rec, key, err := s.getTG(ctx, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	ts, err := normTargets(in.Targets, rec.Port)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var unknown []string
	for _, t := range ts {
		if !slices.ContainsFunc(liveTargets(slices.Clone(rec.Targets), now), func(x targetRecord) bool { return x.ID == t.ID && x.Port == t.Port }) && s.deps.Targets != nil {
			if _, _, err := s.deps.Targets.Handler(ctx, t.ID, t.Port); errors.Is(err, ErrInstanceNotFound) {
				unknown = append(unknown, t.ID)
			}
		}
	}
	if len(unknown) > 0 {
		return nil, ErrInvalidTarget.With("The following targets are not valid instances: %s", joinQuoted(unknown))
	}
	s.opMu.Lock()
	rec, err = s.tgs.Update(ctx, key, func(r *tgRecord) error {
		r.Targets = liveTargets(r.Targets, now)
		delay := drainDelay(*r)
		for _, t := range ts {
			i := slices.IndexFunc(r.Targets, func(x targetRecord) bool { return x.ID == t.ID && x.Port == t.Port })
			switch {
			case i < 0:
			case delay == 0:
				r.Targets = slices.Delete(r.Targets, i, i+1)
			case r.Targets[i].DrainUntil.IsZero():
				r.Targets[i].DrainUntil = now.Add(delay)
			}
		}
		return nil
	})
	if err != nil {
		s.opMu.Unlock()
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrTargetGroupNotFound.With("Target groups '%s' not found", in.TargetGroupArn)
		}
		return nil, storeErr(err)
	}
	jobs := s.syncTG(rec)
	s.opMu.Unlock()
	s.runChecks(jobs)
	return &DeregisterTargetsOutput{}, nil
}

// DescribeTargetHealth reports the health of a group's targets (all registered ones, or those
// asked for: an unregistered one is unused, Target.NotRegistered).
func (s *Service) DescribeTargetHealth(ctx context.Context, in *DescribeTargetHealthInput) (*DescribeTargetHealthOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeTargetHealth", in, s.describeTargetHealth)
}

func (s *Service) describeTargetHealth(ctx context.Context, in *DescribeTargetHealthInput) (*DescribeTargetHealthOutput, error) {
	if err := notNull(in.TargetGroupArn, "targetGroupArn"); err != nil {
		return nil, err
	}
	for _, inc := range in.Include {
		if inc != "AnomalyDetection" && inc != "All" {
			return nil, validation("1 validation error detected: Value '%s' at 'include' failed to satisfy constraint: Member must satisfy enum value set: [AnomalyDetection, All]", inc)
		}
	}
	rec, _, err := s.getTG(ctx, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	now := s.now()
	live := liveTargets(slices.Clone(rec.Targets), now)
	var want []targetRecord
	var missing []TargetDescription
	if len(in.Targets) > 0 {
		for _, t := range in.Targets {
			if !instanceIDRE.MatchString(t.ID) {
				return nil, ErrInvalidTarget.With("Instance ID '%s' is not valid", t.ID)
			}
			found := false
			for _, r := range live {
				if r.ID == t.ID && (t.Port == 0 || t.Port == r.Port) {
					want = append(want, r)
					found = true
				}
			}
			if !found {
				if t.Port == 0 {
					t.Port = rec.Port
				}
				missing = append(missing, TargetDescription{ID: t.ID, Port: t.Port})
			}
		}
	} else {
		want = live
	}
	out := &DescribeTargetHealthOutput{TargetHealthDescriptions: []TargetHealthDescription{}}
	s.rt.mu.RLock()
	tg := s.rt.tgs[rec.ARN]
	for _, r := range want {
		th := &TargetHealth{State: stateInitial, Reason: reasonRegInProg, Description: "Target registration is in progress"}
		switch {
		case !r.DrainUntil.IsZero():
			th = &TargetHealth{State: stateDraining, Reason: reasonDeregInPrg, Description: "Target deregistration is in progress"}
		case tg == nil || !tg.inUse:
			th = &TargetHealth{State: stateUnused, Reason: reasonNotInUse, Description: "Target group is not configured to receive traffic from the load balancer"}
		default:
			if t := tg.byKey[targetKey(r.ID, r.Port)]; t != nil {
				th = &TargetHealth{State: t.state, Reason: t.reason, Description: t.desc}
			}
		}
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, TargetHealthDescription{
			Target: &TargetDescription{ID: r.ID, Port: r.Port}, HealthCheckPort: hcPort(rec.HC, r.Port), TargetHealth: th,
		})
	}
	s.rt.mu.RUnlock()
	for _, m := range missing {
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, TargetHealthDescription{
			Target: &TargetDescription{ID: m.ID, Port: m.Port}, HealthCheckPort: hcPort(rec.HC, m.Port),
			TargetHealth: &TargetHealth{State: stateUnused, Reason: reasonNotReg, Description: "Target is not registered to the target group"},
		})
	}
	return out, nil
}

func hcPort(hc healthConfig, port int) string {
	if hc.Port == "" || hc.Port == "traffic-port" {
		return strconv.Itoa(port)
	}
	return hc.Port
}

// RegisterInstances registers instances with the target group named name in the caller's
// account and region (through RegisterTargets, so the call is audited as one). It is what
// CodeDeploy's AllowTraffic does.
func (s *Service) RegisterInstances(ctx context.Context, targetGroupName string, instanceIDs []string) error {
	ctx = s.withCaller(ctx)
	arn, err := s.tgARN(ctx, targetGroupName)
	if err != nil || len(instanceIDs) == 0 {
		return err
	}
	ts := make([]TargetDescription, len(instanceIDs))
	for i, id := range instanceIDs {
		ts[i] = TargetDescription{ID: id}
	}
	_, err = s.RegisterTargets(ctx, &RegisterTargetsInput{TargetGroupArn: arn, Targets: ts})
	return err
}

// DeregisterInstances deregisters the instances registered (on any port) with the target
// group named name; instances not registered are skipped. It is what CodeDeploy's
// BlockTraffic does.
func (s *Service) DeregisterInstances(ctx context.Context, targetGroupName string, instanceIDs []string) error {
	ctx = s.withCaller(ctx)
	arn, err := s.tgARN(ctx, targetGroupName)
	if err != nil {
		return err
	}
	rec, _, err := s.getTG(ctx, arn)
	if err != nil {
		return err
	}
	var ts []TargetDescription
	for _, t := range liveTargets(slices.Clone(rec.Targets), s.now()) {
		if t.DrainUntil.IsZero() && slices.Contains(instanceIDs, t.ID) {
			ts = append(ts, TargetDescription{ID: t.ID, Port: t.Port})
		}
	}
	if len(ts) == 0 {
		return nil
	}
	_, err = s.DeregisterTargets(ctx, &DeregisterTargetsInput{TargetGroupArn: arn, Targets: ts})
	return err
}

func (s *Service) tgARN(ctx context.Context, name string) (string, error) {
	a, r := core.Scope(ctx)
	rec, err := s.tgs.Get(ctx, scopeKey(a, r, name))
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrTargetGroupNotFound.With("Target groups '[%s]' not found", name)
	}
	if err != nil {
		return "", storeErr(err)
	}
	return rec.ARN, nil
}

// withCaller gives ctx the platform's default caller when it carries none (Go callers).
func (s *Service) withCaller(ctx context.Context) context.Context {
	if c, ok := identity.From(ctx); ok && c.Account != "" && c.Region != "" {
		return ctx
	}
	return identity.With(ctx, identity.Root(s.env.Account, s.env.Region))
}
