package autoscaling

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Sentinels callers match with errors.Is.
var (
	ErrValidation    = apierr.New(apierr.Invalid, "ValidationError", "")
	ErrAlreadyExists = apierr.New(apierr.AlreadyExists, "AlreadyExists", "")
	ErrResourceInUse = apierr.New(apierr.Conflict, "ResourceInUse", "")
	ErrScalingActive = apierr.New(apierr.Conflict, "ScalingActivityInProgress", "")
	ErrLimitExceeded = apierr.New(apierr.LimitExceeded, "LimitExceeded", "")
)

// Options configure the service.
type Options struct {
	// Interval is how often the reconciler runs on the platform clock (default 10s): it
	// replaces unhealthy or terminated instances, completes timed-out lifecycle actions and
	// evaluates target tracking policies.
	Interval time.Duration
	// LoadBalancer registers members with the groups' target groups (nil: recorded only).
	LoadBalancer LoadBalancer
	// Metrics, when set, receives the enabled AWS/AutoScaling group metrics every minute of
	// the platform clock (EnableMetricsCollection); the root wires it to CloudWatch.
	Metrics MetricPublisher
}

// Service is Amazon EC2 Auto Scaling on top of ec2sim. It is safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	ec2  *ec2sim.Service
	clk  clock.Clock
	log  *slog.Logger
	opts Options

	groups     *store.Table[groupRecord]
	policies   *store.Table[policyRecord]
	hooks      *store.Table[hookRecord]
	activities *store.Table[activityRecord]
	configs    *store.Table[configRecord]
	refreshes  *store.Table[refreshRecord]

	mu        sync.Mutex        // serialises group changes and reconciles (held while calling EC2)
	launchErr map[string]string // last launch failure per group (scope+name), under mu
	seq       int64
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	mdone     chan struct{} // closed when the metrics publisher stopped
	pass      passState
}

// passState is the background reconciler's progress, for Settle.
type passState struct {
	mu      sync.Mutex
	changed *sync.Cond
	due     time.Time // when the armed timer fires
	running bool      // a pass is under way
	stopped bool
}

type member struct {
	ID             string                       `json:"id"`
	AZ             string                       `json:"az"`
	InstanceType   string                       `json:"type,omitempty"`
	Lifecycle      string                       `json:"lifecycle"`
	Health         string                       `json:"health"`
	LaunchTemplate *LaunchTemplateSpecification `json:"lt,omitempty"`
	LaunchConfig   string                       `json:"lc,omitempty"`
	Protected      bool                         `json:"protected,omitempty"`
	Since          time.Time                    `json:"since"`
	Hook           string                       `json:"hook,omitempty"`
	Token          string                       `json:"token,omitempty"`
	Deadline       time.Time                    `json:"deadline,omitzero"`
	Result         string                       `json:"result,omitempty"`
	Activity       string                       `json:"activity,omitempty"`
	Decrement      bool                         `json:"decrement,omitempty"`
	// Config identifies what the instance was launched from (launch template id and
	// resolved version, instance type override, or launch configuration): instance
	// refreshes compare it with the desired configuration.
	Config string `json:"cfg,omitempty"`
	// InLB: registered with the group's target groups.
	InLB bool `json:"lb,omitempty"`
}

type groupRecord struct {
	Group
	Scope       string    `json:"scope"`
	Account     string    `json:"account"`
	Region      string    `json:"region"`
	Members     []member  `json:"members"`
	LastScaleAt time.Time `json:"lastScaleAt,omitzero"`
	// Surge is how many instances an instance refresh launches above the desired capacity
	// (MaxHealthyPercentage > 100); Override is what it launches them from.
	Surge    int32                 `json:"surge,omitempty"`
	Override *DesiredConfiguration `json:"refreshConfig,omitempty"`
	// LastChange is when the group last launched or started terminating an instance:
	// AZRebalance waits until the group has been stable for its DefaultCooldown.
	LastChange time.Time `json:"lastChange,omitzero"`
}

type policyRecord struct {
	ScalingPolicy
	LastRun time.Time `json:"lastRun,omitzero"`
}

type hookRecord struct{ LifecycleHook }

type activityRecord struct {
	Activity
	Seq int64 `json:"seq"`
}

type configRecord struct{ LaunchConfiguration }

// New returns the Auto Scaling service launching instances through ec2. Close it.
func New(env *core.Env, ec2 *ec2sim.Service, opts Options) (*Service, error) {
	if env == nil || ec2 == nil {
		return nil, errors.New("autoscaling: env and ec2 are required")
	}
	if opts.Interval <= 0 {
		opts.Interval = 10 * time.Second
	}
	lg := env.Log
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{env: env, d: env.Dispatcher("autoscaling", "autoscaling.amazonaws.com"), ec2: ec2, clk: env.Clock, log: lg, opts: opts,
		groups: store.NewTable[groupRecord](env.Store, "asg/groups/"), policies: store.NewTable[policyRecord](env.Store, "asg/policies/"),
		hooks: store.NewTable[hookRecord](env.Store, "asg/hooks/"), activities: store.NewTable[activityRecord](env.Store, "asg/activities/"),
		configs: store.NewTable[configRecord](env.Store, "asg/lc/"), refreshes: store.NewTable[refreshRecord](env.Store, "asg/refresh/"),
		launchErr: map[string]string{}, ctx: ctx, cancel: cancel, done: make(chan struct{}), mdone: make(chan struct{})}
	s.seq = s.clk.Now().UnixNano()
	s.pass.changed = sync.NewCond(&s.pass.mu)
	go s.loop(s.arm())
	if opts.Metrics != nil {
		s.startMetrics()
	} else {
		close(s.mdone)
	}
	return s, nil
}

// Close stops the reconciler and waits for it.
func (s *Service) Close(ctx context.Context) error {
	s.cancel()
	for _, c := range []chan struct{}{s.done, s.mdone} {
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *Service) loop(t clock.Timer) {
	defer close(s.done)
	for {
		select {
		case <-s.ctx.Done():
			t.Stop()
			s.setPass(func(p *passState) { p.stopped = true })
			return
		case <-t.C():
		}
		s.setPass(func(p *passState) { p.running = true })
		s.reconcileAll(s.ctx, true)
		t = s.arm()
	}
}

// arm starts the timer of the next background pass and records when it is due.
func (s *Service) arm() clock.Timer {
	var t clock.Timer
	s.setPass(func(p *passState) {
		p.running, p.due = false, s.clk.Now().Add(s.opts.Interval)
		t = s.clk.NewTimer(s.opts.Interval)
	})
	return t
}

func (s *Service) setPass(change func(*passState)) {
	s.pass.mu.Lock()
	change(&s.pass)
	s.pass.changed.Broadcast()
	s.pass.mu.Unlock()
}

// Settle waits until the background reconciler is idle with no pass due by the clock's current
// time: on a manual clock, advance it, then Settle (and ec2sim's Settle for the boots the pass
// started) before reading the groups. It returns early with ctx's error.
func (s *Service) Settle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.setPass(func(*passState) {}) })
	defer stop()
	s.pass.mu.Lock()
	defer s.pass.mu.Unlock()
	for ctx.Err() == nil {
		switch {
		case s.pass.stopped || !s.pass.running && s.pass.due.After(s.clk.Now()):
			return nil
		case !s.pass.running:
			// The timer fired and the loop has not picked it up yet: it runs on its own goroutine.
			s.pass.mu.Unlock()
			runtime.Gosched()
			s.pass.mu.Lock()
		default:
			s.pass.changed.Wait()
		}
	}
	return ctx.Err()
}

// SetCPU sets the CPU utilisation (percent) an instance reports: it forwards to
// ec2sim.Service.SetCPU, the source of truth that target tracking policies
// (ASGAverageCPUUtilization) read and AWS/EC2 CPUUtilization publishes.
func (s *Service) SetCPU(instanceID string, percent float64) { s.ec2.SetCPU(instanceID, percent) }

// Reconcile runs one reconciler pass over every group now (what the background loop does
// every Options.Interval), including target tracking.
func (s *Service) Reconcile(ctx context.Context) { s.reconcileAll(context.WithoutCancel(ctx), true) }

func (s *Service) reconcileAll(ctx context.Context, track bool) {
	all, err := s.groups.All(ctx, "")
	if err != nil {
		return
	}
	for _, g := range all {
		gctx := s.asCaller(ctx, g.Account, g.Region)
		s.mu.Lock()
		if track {
			s.track(gctx, g.AutoScalingGroupName)
		}
		_ = s.reconcileLocked(gctx, g.AutoScalingGroupName, "")
		s.stepRefreshLocked(gctx, g.AutoScalingGroupName)
		s.rebalanceGroupLocked(gctx, g.AutoScalingGroupName)
		s.mu.Unlock()
	}
}

// asCaller is the service-linked role's identity in an account and region.
func (s *Service) asCaller(ctx context.Context, account, region string) context.Context {
	c := identity.Caller{Account: account, Region: region, Type: "AssumedRole",
		PrincipalARN: fmt.Sprintf("arn:aws:sts::%s:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling", account)}
	return ec2sim.WithInternal(identity.With(ctx, c))
}

func scope(ctx context.Context) string { return core.ScopeKey(ctx) }

func (s *Service) group(ctx context.Context, name string) (groupRecord, error) {
	if name == "" {
		return groupRecord{}, ErrValidation.With("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
	}
	g, err := s.groups.Get(ctx, scope(ctx)+name)
	if errors.Is(err, store.ErrNotFound) {
		return g, ErrValidation.With("AutoScalingGroup name not found - AutoScalingGroup '%s' not found", name)
	}
	return g, err
}

func (s *Service) publish(ctx context.Context, g *groupRecord, detailType, instanceID string, detail map[string]any) {
	b, _ := json.Marshal(detail)
	s.env.Events.Publish(ctx, eventbus.Event{Version: "0", ID: uuid.NewString(), DetailType: detailType, Source: "aws.autoscaling",
		Account: g.Account, Time: s.clk.Now().UTC(), Region: g.Region,
		Resources: []string{g.AutoScalingGroupARN, fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", g.Region, g.Account, instanceID)}, Detail: b})
}

func (s *Service) addActivity(ctx context.Context, g *groupRecord, desc, cause, status, msg string) string {
	s.seq++
	a := activityRecord{Activity: Activity{ActivityID: uuid.NewString(), AutoScalingGroupName: g.AutoScalingGroupName, AutoScalingGroupARN: g.AutoScalingGroupARN,
		Description: desc, Cause: cause, StartTime: s.clk.Now().UTC(), StatusCode: status, StatusMessage: msg, Progress: 0}, Seq: s.seq}
	if status == "Successful" || status == "Failed" {
		a.EndTime, a.Progress = a.StartTime, 100
	}
	// Keys sort newest first.
	_ = s.activities.Put(ctx, fmt.Sprintf("%s%s/%020d", g.Scope, g.AutoScalingGroupName, math.MaxInt64-a.Seq), a)
	return a.ActivityID
}

func (s *Service) finishActivity(ctx context.Context, g *groupRecord, id, status, msg string) {
	all, _ := s.activities.All(ctx, g.Scope+g.AutoScalingGroupName+"/")
	for _, a := range all {
		if a.ActivityID == id {
			a.StatusCode, a.StatusMessage, a.EndTime, a.Progress = status, msg, s.clk.Now().UTC(), 100
			_ = s.activities.Put(ctx, fmt.Sprintf("%s%s/%020d", g.Scope, g.AutoScalingGroupName, math.MaxInt64-a.Seq), a)
			return
		}
	}
}

func (s *Service) groupHooks(ctx context.Context, g *groupRecord, transition string) []hookRecord {
	all, _ := s.hooks.All(ctx, g.Scope+g.AutoScalingGroupName+"/")
	var out []hookRecord
	for _, h := range all {
		if h.LifecycleTransition == transition {
			out = append(out, h)
		}
	}
	return out
}

func (g *groupRecord) active() int {
	n := 0
	for _, m := range g.Members {
		if !strings.HasPrefix(m.Lifecycle, "Terminating") && m.Lifecycle != "Standby" && m.Lifecycle != "Detached" {
			n++
		}
	}
	return n
}

func (s *Service) cause(format string, args ...any) string {
	return fmt.Sprintf("At %s "+format, append([]any{s.clk.Now().UTC().Format("2006-01-02T15:04:05Z")}, args...)...)
}

// reconcileLocked brings one group to its desired capacity: refreshes member states from
// EC2, moves lifecycle states, completes timed-out hooks, launches and terminates.
func (s *Service) reconcileLocked(ctx context.Context, name, why string) error {
	g, err := s.group(ctx, name)
	if err != nil {
		return err
	}
	now := s.clk.Now().UTC()
	var keep []member
	for _, m := range g.Members {
		state, _, ok := s.ec2.InstanceInfo(m.ID)
		switch {
		case g.suspended(ProcessHealthCheck):
			// Health checks suspended: EC2's status does not mark members unhealthy.
		case !ok || state == "terminated" || state == "shutting-down":
			if !strings.HasPrefix(m.Lifecycle, "Terminating") {
				m.Health = "Unhealthy"
			}
		case state == "stopped" || state == "stopping":
			m.Health = "Unhealthy"
		}
		switch m.Lifecycle {
		case "Pending":
			if ok && state == "running" {
				hooks := s.groupHooks(ctx, &g, "autoscaling:EC2_INSTANCE_LAUNCHING")
				if len(hooks) > 0 {
					h := hooks[0]
					m.Lifecycle, m.Hook, m.Token, m.Result = "Pending:Wait", h.LifecycleHookName, uuid.NewString(), h.DefaultResult
					m.Deadline = now.Add(time.Duration(h.HeartbeatTimeout) * time.Second)
					s.publish(ctx, &g, "EC2 Instance-launch Lifecycle Action", m.ID, map[string]any{"LifecycleActionToken": m.Token,
						"AutoScalingGroupName": g.AutoScalingGroupName, "LifecycleHookName": h.LifecycleHookName, "EC2InstanceId": m.ID,
						"LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING", "NotificationMetadata": h.NotificationMetadata})
				} else {
					m.Lifecycle = "InService"
					s.launched(ctx, &g, &m)
				}
			}
		case "Pending:Wait":
			if !now.Before(m.Deadline) {
				if m.Result == "ABANDON" {
					m.Lifecycle = "Terminating:Proceed"
					m.Health = "Unhealthy"
				} else {
					m.Lifecycle = "Pending:Proceed"
				}
			}
		case "Terminating:Wait":
			if !now.Before(m.Deadline) {
				m.Lifecycle = "Terminating:Proceed"
			}
		}
		if m.Lifecycle == "Pending:Proceed" {
			m.Lifecycle = "InService"
			s.launched(ctx, &g, &m)
		}
		if m.Lifecycle == "Terminating:Proceed" || m.Lifecycle == "Terminating" {
			if ok && state != "terminated" && state != "shutting-down" {
				if _, err := s.ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{m.ID}}); err != nil && !errors.Is(err, ec2sim.ErrInstanceNotFound) {
					s.log.Warn("autoscaling: terminate", "instance", m.ID, "err", err)
				}
			}
			s.finishActivity(ctx, &g, m.Activity, "Successful", "")
			s.publish(ctx, &g, "EC2 Instance Terminate Successful", m.ID, map[string]any{"StatusCode": "Successful", "AutoScalingGroupName": g.AutoScalingGroupName,
				"ActivityId": m.Activity, "EC2InstanceId": m.ID, "Cause": "instance terminated", "StartTime": now, "EndTime": now,
				"Details": map[string]string{"Availability Zone": m.AZ}, "Description": "Terminating EC2 instance: " + m.ID})
			continue
		}
		if m.Health == "Unhealthy" && !strings.HasPrefix(m.Lifecycle, "Terminating") && m.Lifecycle != "Pending:Wait" &&
			!g.suspended(ProcessReplaceUnhealthy) && !g.suspended(ProcessTerminate) {
			s.startTerminate(ctx, &g, &m, s.cause("an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."))
			if m.Lifecycle == "Terminating" {
				// no hook: finish now
				if ok && state != "terminated" && state != "shutting-down" {
					s.ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{m.ID}})
				}
				s.finishActivity(ctx, &g, m.Activity, "Successful", "")
				continue
			}
		}
		keep = append(keep, m)
	}
	g.Members = keep
	// Scale (to the desired capacity plus an instance refresh's surge).
	target := g.DesiredCapacity + g.Surge
	if n := g.active(); n < int(target) && !g.suspended(ProcessLaunch) {
		cause := why
		if cause == "" {
			cause = s.cause("an instance was started in response to a difference between desired and actual capacity, increasing the capacity from %d to %d.", n, g.DesiredCapacity)
		}
		for i := n; i < int(target); i++ {
			if err := s.launch(ctx, &g, cause); err != nil {
				break
			}
		}
	} else if n > int(target) && !g.suspended(ProcessTerminate) {
		cause := why
		if cause == "" {
			cause = s.cause("a user request explicitly set group desired capacity changing the desired capacity from %d to %d.", n, g.DesiredCapacity)
		}
		for _, idx := range s.victims(&g, n-int(target)) {
			m := &g.Members[idx]
			s.startTerminate(ctx, &g, m, cause)
		}
		s.terminateNow(ctx, &g, cause)
	}
	return s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g)
}

// rebalanceGroupLocked runs one AZRebalance step for a group at its desired capacity. It is a
// background activity, as in AWS: the reconciler's passes (and ResumeProcesses) run it, not
// every API call.
func (s *Service) rebalanceGroupLocked(ctx context.Context, name string) {
	g, err := s.group(ctx, name)
	if err != nil || g.active() != int(g.DesiredCapacity+g.Surge) || !s.rebalanceLocked(ctx, &g) {
		return
	}
	s.terminateNow(ctx, &g, s.cause("an instance was taken out of service in response to an Availability Zone rebalancing."))
	_ = s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g)
}

// terminateNow terminates the members moved to Terminating (no hook) and drops them.
func (s *Service) terminateNow(ctx context.Context, g *groupRecord, cause string) {
	var rest []member
	for _, m := range g.Members {
		if m.Lifecycle == "Terminating" {
			s.ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{m.ID}})
			s.finishActivity(ctx, g, m.Activity, "Successful", "")
			s.publish(ctx, g, "EC2 Instance Terminate Successful", m.ID, map[string]any{"StatusCode": "Successful", "AutoScalingGroupName": g.AutoScalingGroupName,
				"ActivityId": m.Activity, "EC2InstanceId": m.ID, "Cause": cause, "Details": map[string]string{"Availability Zone": m.AZ},
				"Description": "Terminating EC2 instance: " + m.ID})
			continue
		}
		rest = append(rest, m)
	}
	g.Members = rest
}

func (s *Service) launched(ctx context.Context, g *groupRecord, m *member) {
	s.lbRegister(ctx, g, m)
	s.finishActivity(ctx, g, m.Activity, "Successful", "")
	now := s.clk.Now().UTC()
	s.publish(ctx, g, "EC2 Instance Launch Successful", m.ID, map[string]any{"StatusCode": "InProgress", "AutoScalingGroupName": g.AutoScalingGroupName,
		"ActivityId": m.Activity, "EC2InstanceId": m.ID, "Cause": "instance launched", "StartTime": m.Since, "EndTime": now,
		"Details": map[string]string{"Availability Zone": m.AZ}, "Description": "Launching a new EC2 instance: " + m.ID})
}

// startTerminate moves a member to Terminating:Wait (with a hook) or Terminating.
func (s *Service) startTerminate(ctx context.Context, g *groupRecord, m *member, cause string) {
	m.Activity = s.addActivity(ctx, g, "Terminating EC2 instance: "+m.ID, cause, "InProgress", "")
	g.LastChange = s.clk.Now().UTC()
	s.lbDeregister(ctx, g, m)
	hooks := s.groupHooks(ctx, g, "autoscaling:EC2_INSTANCE_TERMINATING")
	if len(hooks) == 0 {
		m.Lifecycle = "Terminating"
		return
	}
	h := hooks[0]
	m.Lifecycle, m.Hook, m.Token, m.Result = "Terminating:Wait", h.LifecycleHookName, uuid.NewString(), h.DefaultResult
	m.Deadline = s.clk.Now().UTC().Add(time.Duration(h.HeartbeatTimeout) * time.Second)
	s.publish(ctx, g, "EC2 Instance-terminate Lifecycle Action", m.ID, map[string]any{"LifecycleActionToken": m.Token,
		"AutoScalingGroupName": g.AutoScalingGroupName, "LifecycleHookName": h.LifecycleHookName, "EC2InstanceId": m.ID,
		"LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING", "NotificationMetadata": h.NotificationMetadata})
}

// victims picks instances to terminate: per the default policy, from the zone with the most
// instances, unprotected ones, oldest first (OldestInstance/NewestInstance honoured).
func (s *Service) victims(g *groupRecord, n int) []int {
	var out []int
	chosen := map[int]bool{}
	newest := slices.Contains(g.TerminationPolicies, "NewestInstance")
	for len(out) < n {
		perAZ := map[string]int{}
		for i, m := range g.Members {
			if !chosen[i] && !strings.HasPrefix(m.Lifecycle, "Terminating") && !m.Protected {
				perAZ[m.AZ]++
			}
		}
		best := ""
		for az, c := range perAZ {
			if best == "" || c > perAZ[best] || c == perAZ[best] && az < best {
				best = az
			}
		}
		if best == "" {
			break
		}
		pick := -1
		for i, m := range g.Members {
			if chosen[i] || strings.HasPrefix(m.Lifecycle, "Terminating") || m.Protected || m.AZ != best {
				continue
			}
			if pick < 0 || (!newest && m.Since.Before(g.Members[pick].Since)) || (newest && m.Since.After(g.Members[pick].Since)) {
				pick = i
			}
		}
		chosen[pick] = true
		out = append(out, pick)
	}
	return out
}

// launch starts one instance in the least-used zone.
func (s *Service) launch(ctx context.Context, g *groupRecord, cause string) error {
	subnets := splitList(g.VPCZoneIdentifier)
	type place struct{ subnet, az string }
	var places []place
	if len(subnets) > 0 {
		out, err := s.ec2.DescribeSubnets(ctx, &ec2sim.DescribeSubnetsInput{SubnetIDs: subnets})
		if err != nil {
			return err
		}
		for _, sn := range out.Subnets {
			places = append(places, place{sn.SubnetID, sn.AvailabilityZone})
		}
	} else {
		for _, az := range g.AvailabilityZones {
			places = append(places, place{"", az})
		}
	}
	if len(places) == 0 {
		return ErrValidation.With("no zones")
	}
	count := map[string]int{}
	for _, m := range g.Members {
		count[m.AZ]++
	}
	sort.SliceStable(places, func(i, j int) bool { return count[places[i].az] < count[places[j].az] })
	p := places[0]
	tags := []ec2sim.Tag{{Key: "aws:autoscaling:groupName", Value: g.AutoScalingGroupName}}
	for _, t := range g.Tags {
		if t.PropagateAtLaunch {
			tags = append(tags, ec2sim.Tag{Key: t.Key, Value: t.Value})
		}
	}
	in := &ec2sim.RunInstancesInput{MinCount: 1, MaxCount: 1, SubnetID: p.subnet,
		TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "instance", Tags: tags}}}
	if p.subnet == "" {
		in.Placement = &ec2sim.Placement{AvailabilityZone: p.az}
	}
	var lt *LaunchTemplateSpecification
	gl, mip, lcName := g.LaunchTemplate, g.MixedInstancesPolicy, g.LaunchConfigurationName
	if o := g.Override; o != nil { // an instance refresh launches its desired configuration
		gl, mip, lcName = o.LaunchTemplate, o.MixedInstancesPolicy, ""
	}
	if gl == nil && mip != nil && mip.LaunchTemplate != nil {
		gl = mip.LaunchTemplate.LaunchTemplateSpecification
		if ov := mip.LaunchTemplate.Overrides; len(ov) > 0 {
			in.InstanceType = ov[0].InstanceType
		}
	}
	if gl != nil {
		v := gl.Version
		if v == "" {
			v = "$Default"
		}
		lt = &LaunchTemplateSpecification{LaunchTemplateID: gl.LaunchTemplateID, LaunchTemplateName: gl.LaunchTemplateName, Version: v}
		in.LaunchTemplate = &ec2sim.LaunchTemplateSpecification{LaunchTemplateID: lt.LaunchTemplateID, Version: v}
		if lt.LaunchTemplateID == "" {
			in.LaunchTemplate.LaunchTemplateName = lt.LaunchTemplateName
		}
	} else {
		c, err := s.configs.Get(ctx, g.Scope+lcName)
		if err != nil {
			return ErrValidation.With("Launch configuration name not found - Launch configuration %s not found", lcName)
		}
		in.ImageID, in.InstanceType, in.KeyName, in.UserData = c.ImageID, c.InstanceType, c.KeyName, c.UserData
		for _, sg := range c.SecurityGroups {
			if strings.HasPrefix(sg, "sg-") {
				in.SecurityGroupIDs = append(in.SecurityGroupIDs, sg)
			} else {
				in.SecurityGroups = append(in.SecurityGroups, sg)
			}
		}
		if c.IamInstanceProfile != "" {
			if strings.HasPrefix(c.IamInstanceProfile, "arn:") {
				in.IamInstanceProfile = &ec2sim.IamInstanceProfileSpecification{Arn: c.IamInstanceProfile}
			} else {
				in.IamInstanceProfile = &ec2sim.IamInstanceProfileSpecification{Name: c.IamInstanceProfile}
			}
		}
	}
	res, err := s.ec2.RunInstances(ctx, in)
	if err != nil {
		msg := apierr.As(err).Message
		s.launchErr[g.Scope+g.AutoScalingGroupName] = msg
		s.addActivity(ctx, g, "Launching a new EC2 instance.  Status Reason: "+msg, cause, "Failed", msg)
		s.publish(ctx, g, "EC2 Instance Launch Unsuccessful", "", map[string]any{"StatusCode": "Failed", "AutoScalingGroupName": g.AutoScalingGroupName,
			"StatusMessage": msg, "Cause": cause, "Description": "Launching a new EC2 instance.  Status Reason: " + msg})
		return err
	}
	inst := res.Instances[0]
	g.LastChange = s.clk.Now().UTC()
	act := s.addActivity(ctx, g, "Launching a new EC2 instance: "+inst.InstanceID, cause, "InProgress", "")
	g.Members = append(g.Members, member{ID: inst.InstanceID, AZ: inst.Placement.AvailabilityZone, InstanceType: inst.InstanceType, Lifecycle: "Pending",
		Health: "Healthy", LaunchTemplate: lt, LaunchConfig: lcName, Protected: g.NewInstancesProtectedFromScaleIn,
		Since: s.clk.Now().UTC(), Activity: act, Config: s.configKey(ctx, lt, in.InstanceType, lcName)})
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// track applies target tracking policies: desired = ceil(in-service × average CPU / target).
func (s *Service) track(ctx context.Context, name string) {
	g, err := s.group(ctx, name)
	if err != nil {
		return
	}
	if g.suspended(ProcessAlarmNotification) {
		return // target tracking acts through alarms
	}
	pols, _ := s.policies.All(ctx, g.Scope+name+"/")
	for _, p := range pols {
		if p.PolicyType != "TargetTrackingScaling" || !p.Enabled || p.TargetTrackingConfiguration == nil || p.TargetTrackingConfiguration.TargetValue <= 0 {
			continue
		}
		var sum float64
		var n int
		for _, m := range g.Members {
			if m.Lifecycle == "InService" {
				sum += s.ec2.CPU(m.ID)
				n++
			}
		}
		if n == 0 {
			continue
		}
		avg := sum / float64(n)
		want := int32(math.Ceil(float64(n) * avg / p.TargetTrackingConfiguration.TargetValue))
		want = max(g.MinSize, min(g.MaxSize, want))
		if want < g.DesiredCapacity && p.TargetTrackingConfiguration.DisableScaleIn {
			continue
		}
		if want != g.DesiredCapacity {
			from := g.DesiredCapacity
			g.DesiredCapacity = want
			g.LastScaleAt = s.clk.Now().UTC()
			_ = s.groups.Put(ctx, g.Scope+name, g)
			_ = s.reconcileLocked(ctx, name, s.cause("a monitor alarm TargetTracking-%s in state ALARM triggered policy %s changing the desired capacity from %d to %d.", name, p.PolicyName, from, want))
			g, _ = s.group(ctx, name)
		}
	}
}
