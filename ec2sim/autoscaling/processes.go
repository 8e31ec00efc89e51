package autoscaling

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/identity"
)

// The scaling processes SuspendProcesses and ResumeProcesses act on.
const (
	ProcessLaunch            = "Launch"
	ProcessTerminate         = "Terminate"
	ProcessAddToLoadBalancer = "AddToLoadBalancer"
	ProcessAlarmNotification = "AlarmNotification"
	ProcessAZRebalance       = "AZRebalance"
	ProcessHealthCheck       = "HealthCheck"
	ProcessInstanceRefresh   = "InstanceRefresh"
	ProcessReplaceUnhealthy  = "ReplaceUnhealthy"
	ProcessScheduledActions  = "ScheduledActions"
)

var processNames = []string{ProcessAZRebalance, ProcessAddToLoadBalancer, ProcessAlarmNotification, ProcessHealthCheck,
	ProcessInstanceRefresh, ProcessLaunch, ProcessReplaceUnhealthy, ProcessScheduledActions, ProcessTerminate}

// LoadBalancer registers group members with the group's ELBv2 target groups (TargetGroupARNs):
// instances are registered when they go InService (unless AddToLoadBalancer is suspended)
// and deregistered when they start terminating, enter Standby or are detached. The root wires
// it to elbv2; without it target groups are recorded only.
type LoadBalancer interface {
	RegisterTargets(ctx context.Context, targetGroupARN string, instanceIDs []string) error
	DeregisterTargets(ctx context.Context, targetGroupARN string, instanceIDs []string) error
}

// ScalingProcessQuery names a group and processes (none: all of them).
type ScalingProcessQuery struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName"`
	ScalingProcesses     []string `json:"ScalingProcesses,omitempty"`
}

// ProcessType is a scaling process.
type ProcessType struct {
	ProcessName string `json:"ProcessName"`
}

// DescribeScalingProcessTypesInput is empty.
type DescribeScalingProcessTypesInput struct{}

// DescribeScalingProcessTypesOutput lists the processes.
type DescribeScalingProcessTypesOutput struct {
	Processes []ProcessType `json:"Processes"`
}

func (g *groupRecord) suspended(p string) bool {
	for _, sp := range g.SuspendedProcesses {
		if sp.ProcessName == p {
			return true
		}
	}
	return false
}

func (s *Service) processList(in []string) ([]string, error) {
	return namesIn(in, processNames, func(string) error {
		return ErrValidation.With("Process names must be one of %s", strings.Join(processNames, ", "))
	})
}

// namesIn returns names (all of them when none are given), bad(name) for one not in all.
func namesIn(names, all []string, bad func(string) error) ([]string, error) {
	if len(names) == 0 {
		return all, nil
	}
	for _, n := range names {
		if !slices.Contains(all, n) {
			return nil, bad(n)
		}
	}
	return names, nil
}

// withGroup applies change to a group under s.mu and stores it; after (optional) then runs
// with the lock still held.
func (s *Service) withGroup(ctx context.Context, name string, change func(*groupRecord), after func(groupRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(ctx, name)
	if err != nil {
		return err
	}
	change(&g)
	if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil || after == nil {
		return err
	}
	return after(g)
}

// SuspendProcesses suspends processes of a group (all of them when none are named).
func (s *Service) SuspendProcesses(ctx context.Context, in *ScalingProcessQuery) (*Empty, error) {
	return do(ctx, s, "SuspendProcesses", in, func(ctx context.Context, in *ScalingProcessQuery) (*Empty, error) {
		procs, err := s.processList(in.ScalingProcesses)
		if err != nil {
			return nil, err
		}
		return &Empty{}, s.withGroup(ctx, in.AutoScalingGroupName, func(g *groupRecord) {
			reason := "User suspended at " + s.clk.Now().UTC().Format("2006-01-02T15:04:05Z")
			for _, p := range procs {
				if !g.suspended(p) {
					g.SuspendedProcesses = append(g.SuspendedProcesses, SuspendedProcess{ProcessName: p, SuspensionReason: reason})
				}
			}
		}, nil)
	})
}

// ResumeProcesses resumes processes of a group (all of them when none are named) and
// reconciles the group at once (a resumed Launch replaces what was terminated meanwhile).
func (s *Service) ResumeProcesses(ctx context.Context, in *ScalingProcessQuery) (*Empty, error) {
	return do(ctx, s, "ResumeProcesses", in, func(ctx context.Context, in *ScalingProcessQuery) (*Empty, error) {
		procs, err := s.processList(in.ScalingProcesses)
		if err != nil {
			return nil, err
		}
		err = s.withGroup(ctx, in.AutoScalingGroupName, func(g *groupRecord) {
			g.SuspendedProcesses = slices.DeleteFunc(g.SuspendedProcesses, func(sp SuspendedProcess) bool { return slices.Contains(procs, sp.ProcessName) })
		}, func(g groupRecord) error {
			ictx := ec2sim.WithInternal(ctx)
			if err := s.reconcileLocked(ictx, g.AutoScalingGroupName, ""); err != nil {
				return err
			}
			s.stepRefreshLocked(ictx, g.AutoScalingGroupName)
			s.rebalanceGroupLocked(ictx, g.AutoScalingGroupName)
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &Empty{}, nil
	})
}

// DescribeScalingProcessTypes lists the processes that can be suspended.
func (s *Service) DescribeScalingProcessTypes(ctx context.Context, in *DescribeScalingProcessTypesInput) (*DescribeScalingProcessTypesOutput, error) {
	return do(ctx, s, "DescribeScalingProcessTypes", in, func(ctx context.Context, in *DescribeScalingProcessTypesInput) (*DescribeScalingProcessTypesOutput, error) {
		out := &DescribeScalingProcessTypesOutput{Processes: make([]ProcessType, len(processNames))}
		for i, p := range processNames {
			out.Processes[i] = ProcessType{ProcessName: p}
		}
		return out, nil
	})
}

// fromAlarm reports whether a call comes from a CloudWatch alarm action.
func fromAlarm(ctx context.Context) bool {
	c, _ := identity.From(ctx)
	return c.InvokedBy == "cloudwatch.amazonaws.com" || c.InvokedBy == "monitoring.amazonaws.com"
}

// lbRegister registers a member that went InService with the group's target groups.
func (s *Service) lbRegister(ctx context.Context, g *groupRecord, m *member) {
	if s.opts.LoadBalancer == nil || len(g.TargetGroupARNs) == 0 || m.InLB || g.suspended(ProcessAddToLoadBalancer) {
		return
	}
	for _, tg := range g.TargetGroupARNs {
		if err := s.opts.LoadBalancer.RegisterTargets(ctx, tg, []string{m.ID}); err != nil {
			s.log.Warn("autoscaling: registering with target group", "group", g.AutoScalingGroupName, "targetGroup", tg, "instance", m.ID, "err", err)
		}
	}
	m.InLB = true
}

// lbDeregister deregisters a member that leaves service.
func (s *Service) lbDeregister(ctx context.Context, g *groupRecord, m *member) {
	if s.opts.LoadBalancer == nil || !m.InLB {
		return
	}
	for _, tg := range g.TargetGroupARNs {
		if err := s.opts.LoadBalancer.DeregisterTargets(ctx, tg, []string{m.ID}); err != nil {
			s.log.Warn("autoscaling: deregistering from target group", "group", g.AutoScalingGroupName, "targetGroup", tg, "instance", m.ID, "err", err)
		}
	}
	m.InLB = false
}

// rebalanceLocked moves one instance towards an even spread over the group's zones (launch
// in the least used zone first, then terminate one in the most used or a removed zone), as
// the AZRebalance process does; it waits while instances are launching or an instance
// refresh is active. It reports whether it changed anything.
func (s *Service) rebalanceLocked(ctx context.Context, g *groupRecord) bool {
	if g.suspended(ProcessAZRebalance) || g.suspended(ProcessLaunch) || g.suspended(ProcessTerminate) || g.Surge > 0 || g.Override != nil ||
		s.clk.Now().Sub(g.LastChange) < secs(g.DefaultCooldown) {
		return false
	}
	count := map[string]int{}
	for _, az := range g.AvailabilityZones {
		count[az] = 0
	}
	outside := -1
	for i, m := range g.Members {
		switch {
		case m.Lifecycle == "InService":
		case strings.HasPrefix(m.Lifecycle, "Pending"):
			return false
		default:
			continue
		}
		if _, ok := count[m.AZ]; !ok {
			if !m.Protected && outside < 0 {
				outside = i
			}
			continue
		}
		count[m.AZ]++
	}
	lo, hi := -1, -1
	for _, az := range g.AvailabilityZones {
		lo, hi = minOr(lo, count[az]), max(hi, count[az])
	}
	if outside < 0 && hi-lo <= 1 {
		return false
	}
	if _, ok, _ := s.activeRefresh(ctx, g.Scope, g.AutoScalingGroupName); ok {
		return false
	}
	var victim string
	if outside >= 0 {
		victim = g.Members[outside].ID
	} else {
		for _, az := range g.AvailabilityZones {
			if count[az] != hi {
				continue
			}
			for _, m := range g.Members {
				if m.AZ == az && m.Lifecycle == "InService" && !m.Protected && (victim == "" || m.Since.Before(memberSince(g, victim))) {
					victim = m.ID
				}
			}
			if victim != "" {
				break
			}
		}
	}
	if victim == "" {
		return false
	}
	if err := s.launch(ctx, g, s.cause("an instance was launched in response to an Availability Zone rebalancing.")); err != nil {
		return false
	}
	for i := range g.Members {
		if g.Members[i].ID == victim {
			s.startTerminate(ctx, g, &g.Members[i], s.cause("an instance was taken out of service in response to an Availability Zone rebalancing."))
		}
	}
	return true
}

func minOr(a, b int) int {
	if a < 0 || b < a {
		return b
	}
	return a
}

func memberSince(g *groupRecord, id string) (t time.Time) {
	for _, m := range g.Members {
		if m.ID == id {
			return m.Since
		}
	}
	return t
}
