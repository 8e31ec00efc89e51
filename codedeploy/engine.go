package codedeploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
)

var (
	errStopRequested = errors.New("stopped by request")
	errAlarm         = errors.New("alarm")
)

// alarmStop carries the names of the alarms that stopped a deployment.
type alarmStop struct{ names []string }

func (a *alarmStop) Error() string { return "alarms: " + strings.Join(a.names, ", ") }
func (a *alarmStop) Unwrap() error { return errAlarm }

// outcome is how a deployment ended.
type outcome struct {
	status  string
	code    string
	message string
	// rolledBackTraffic is set when a blue/green failure rerouted traffic back itself.
	rollbackMessage string
}

const (
	msgHealth = "The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems."
	msgNoInst = "The deployment failed because no instances were found for your deployment group. Check your deployment group settings to make sure the tags for your Amazon EC2 instances or Auto Scaling groups correctly identify the instances you want to deploy to, and then try again."
)

// Lifecycle event lists.
var (
	installEvents = []string{"ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart", "ValidateService"}
	blockEvents   = []string{"BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic"}
	allowEvents   = []string{"BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"}
)

func (r *run) main() {
	s := r.s
	defer func() {
		s.mu.Lock()
		delete(s.running, r.id)
		s.mu.Unlock()
		close(r.done)
		s.wg.Done()
	}()
	ctx := r.ctx
	rec, err := s.deployments.Get(ctx, deploymentKey(ctx, r.id))
	if err != nil {
		s.log.Error("codedeploy: load deployment", "id", r.id, "err", err)
		return
	}
	g, err := s.getGroup(ctx, rec.Info.ApplicationName, rec.Info.DeploymentGroupName)
	if err != nil {
		r.finish(rec, g, outcome{status: StatusFailed, code: "DEPLOYMENT_GROUP_MISSING", message: "The deployment group was deleted during the deployment."})
		return
	}
	r.started = s.now()
	rec = r.update(func(d *deploymentRecord) { d.Info.Status, d.Info.StartTime = StatusInProgress, r.started })
	s.setGroupLast(ctx, rec.Info, false)
	r.stateEvent(rec.Info, g.Info, "START")
	r.trigger(rec.Info, g.Info, "DeploymentStart", "")

	stopPoll := r.pollAlarms(rec.Info, g.Info)
	var out outcome
	if rec.Info.DeploymentStyle != nil && rec.Info.DeploymentStyle.DeploymentType == "BLUE_GREEN" {
		out = r.blueGreen(rec, g)
	} else {
		out = r.inPlace(rec, g)
	}
	stopPoll()
	rec, _ = s.deployments.Get(context.WithoutCancel(ctx), deploymentKey(ctx, r.id))
	r.finish(rec, g, out)
}

// stopOutcome turns the run's cancellation cause into an outcome.
func (r *run) stopOutcome() outcome {
	cause := context.Cause(r.ctx)
	var as *alarmStop
	switch {
	case errors.As(cause, &as):
		return outcome{status: StatusStopped, code: "ALARM_ACTIVE", message: "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: " + strings.Join(as.names, ", ")}
	case errors.Is(cause, errClosed):
		return outcome{status: StatusStopped, code: "INTERNAL_ERROR", message: "The deployment was stopped because the platform shut down."}
	default:
		return outcome{status: StatusStopped, code: "MANUAL_STOP", message: "The deployment was stopped manually."}
	}
}

// update applies fn to the deployment record (with the overview the run counts).
func (r *run) update(fn func(d *deploymentRecord)) deploymentRecord {
	ctx := context.WithoutCancel(r.ctx)
	rec, err := r.s.deployments.Update(ctx, deploymentKey(ctx, r.id), func(d *deploymentRecord) error {
		fn(d)
		r.mu.Lock()
		ov := r.overview
		r.mu.Unlock()
		d.Info.DeploymentOverview = &ov
		return nil
	})
	if err != nil {
		r.s.log.Error("codedeploy: update deployment", "id", r.id, "err", err)
	}
	return rec
}

// setStatus records an instance's status in the overview.
func (r *run) setStatus(inst, status string) {
	r.mu.Lock()
	old := r.statusOf[inst]
	r.statusOf[inst] = status
	ov := &r.overview
	bump := func(st string, d int64) {
		switch st {
		case "Pending":
			ov.Pending += d
		case "InProgress":
			ov.InProgress += d
		case "Succeeded":
			ov.Succeeded += d
		case "Failed":
			ov.Failed += d
		case "Skipped":
			ov.Skipped += d
		case "Ready":
			ov.Ready += d
		}
	}
	if old != status {
		bump(old, -1)
		bump(status, 1)
	}
	r.mu.Unlock()
}

// resolve finds the instances a deployment group (or target selection) names.
func (r *run) resolve(filters []EC2TagFilter, set *EC2TagSet, asgs []string) ([]Instance, error) {
	all, err := r.s.deps.Fleet.Instances(r.ctx)
	if err != nil {
		return nil, err
	}
	var out []Instance
	for _, in := range all {
		if in.State != "running" && in.State != "pending" {
			continue
		}
		if r.onlyInstances != nil {
			if slices.Contains(r.onlyInstances, in.ID) {
				out = append(out, in)
			}
			continue
		}
		if matchTags(in.Tags, filters, set) || in.AutoScalingGroup != "" && slices.Contains(asgs, in.AutoScalingGroup) {
			out = append(out, in)
		}
	}
	slices.SortFunc(out, func(a, b Instance) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func groupASGs(g DeploymentGroupInfo) []string {
	var names []string
	for _, a := range g.AutoScalingGroups {
		names = append(names, a.Name)
	}
	return names
}

// newTargets writes the instance target records.
func (r *run) newTargets(ids []string, label string, events []string) error {
	ctx := context.WithoutCancel(r.ctx)
	now := r.s.now()
	for _, id := range ids {
		t := InstanceTarget{
			DeploymentID: r.id, TargetID: id, TargetArn: core.ARN(ctx, "ec2", "instance/"+id),
			Status: "Pending", LastUpdatedAt: now, InstanceLabel: label,
		}
		for _, e := range events {
			t.LifecycleEvents = append(t.LifecycleEvents, LifecycleEvent{LifecycleEventName: e, Status: "Pending"})
		}
		if err := r.s.targets.Put(ctx, targetKey(ctx, r.id, id), t); err != nil {
			return err
		}
		r.setStatus(id, "Pending")
	}
	return nil
}

// schedule deploys to ids per the health plan: at most plan.Batch instances out of service at
// once, stopping when the minimum can no longer be kept. It returns the number of instances
// that succeeded and whether it stopped early because of health.
func (r *run) schedule(ids []string, plan healthPlan, deploy func(id string) bool) (succeeded int, healthStop bool) {
	type result struct {
		id string
		ok bool
	}
	results := make(chan result)
	pending := slices.Clone(ids)
	inflight, failed := 0, 0
	stopping := false
	for {
		for !stopping && len(pending) > 0 && inflight < plan.Batch-failed {
			if r.ctx.Err() != nil {
				stopping = true
				break
			}
			if err := r.checkAlarms(); err != nil {
				r.cancel(err)
				stopping = true
				break
			}
			id := pending[0]
			pending = pending[1:]
			inflight++
			go func() { results <- result{id, deploy(id)} }()
		}
		if inflight == 0 {
			break
		}
		res := <-results
		inflight--
		if res.ok {
			succeeded++
		} else {
			failed++
			if plan.N-failed < plan.MinHealthy || len(pending) > 0 && plan.Batch-failed <= 0 {
				stopping, healthStop = true, true
			}
		}
	}
	if len(pending) > 0 {
		r.skip(pending)
	}
	return succeeded, healthStop
}

// skip marks instances that were never deployed to as Skipped.
func (r *run) skip(ids []string) {
	ctx := context.WithoutCancel(r.ctx)
	now := r.s.now()
	for _, id := range ids {
		_, _ = r.s.targets.Update(ctx, targetKey(ctx, r.id, id), func(t *InstanceTarget) error {
			t.Status, t.LastUpdatedAt = "Skipped", now
			for i := range t.LifecycleEvents {
				if t.LifecycleEvents[i].Status == "Pending" {
					t.LifecycleEvents[i].Status = "Skipped"
				}
			}
			return nil
		})
		r.setStatus(id, "Skipped")
	}
}

func (r *run) inPlace(rec deploymentRecord, g groupRecord) outcome {
	insts, err := r.resolve(g.Info.EC2TagFilters, g.Info.EC2TagSet, groupASGs(g.Info))
	if err != nil {
		return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: "Could not list the EC2 instances: " + err.Error()}
	}
	if len(insts) == 0 {
		return outcome{status: StatusFailed, code: "NO_INSTANCES", message: msgNoInst}
	}
	cfg, err := r.s.getConfig(r.ctx, rec.Info.DeploymentConfigName)
	if err != nil {
		return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: err.Error()}
	}
	ids := make([]string, len(insts))
	for i, in := range insts {
		ids[i] = in.ID
	}
	plan := planFor(cfg, len(ids))
	withLB := rec.Info.DeploymentStyle != nil && rec.Info.DeploymentStyle.DeploymentOption == "WITH_TRAFFIC_CONTROL"
	events := installEvents
	if withLB {
		events = slices.Concat(blockEvents, installEvents, allowEvents)
	}
	r.update(func(d *deploymentRecord) { d.Targets = ids })
	if err := r.newTargets(ids, "", events); err != nil {
		return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: err.Error()}
	}
	r.update(func(*deploymentRecord) {})
	if plan.Batch <= 0 {
		r.skip(ids)
		return outcome{status: StatusFailed, code: "HEALTH_CONSTRAINTS_INVALID", message: fmt.Sprintf(
			"The deployment failed because the minimum number of healthy instances (%d) required by deployment configuration %s is not less than the number of instances in the deployment (%d).",
			plan.MinHealthy, cfg.DeploymentConfigName, plan.N)}
	}
	succeeded, healthStop := r.schedule(ids, plan, func(id string) bool {
		return r.deployInstance(rec, g, id, events, events)
	})
	if r.ctx.Err() != nil {
		return r.stopOutcome()
	}
	if healthStop || succeeded < plan.MinHealthy || succeeded == 0 {
		return outcome{status: StatusFailed, code: "HEALTH_CONSTRAINTS", message: msgHealth}
	}
	return outcome{status: StatusSucceeded}
}

// deployInstance runs events (the subset run now) of an instance whose record lists all of
// allEvents; it reports success. When events ends before allEvents do, a successful
// instance is left Ready.
func (r *run) deployInstance(rec deploymentRecord, g groupRecord, id string, events, allEvents []string) bool {
	a := &agent{r: r, rec: rec, g: g, inst: id}
	ok := a.run(events, len(events) == len(allEvents) || slices.Equal(events, allEvents[len(allEvents)-len(events):]))
	return ok
}

func (r *run) blueGreen(rec deploymentRecord, g groupRecord) outcome {
	s := r.s
	bg := rec.Info.BlueGreenDeploymentConfiguration
	blue, err := r.resolve(g.Info.EC2TagFilters, g.Info.EC2TagSet, groupASGs(g.Info))
	if err != nil {
		return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: "Could not list the EC2 instances: " + err.Error()}
	}
	var blueIDs, greenIDs []string
	for _, in := range blue {
		blueIDs = append(blueIDs, in.ID)
	}
	var copied string
	if bg.GreenFleetProvisioningOption.Action == "COPY_AUTO_SCALING_GROUP" {
		if s.deps.AutoScaling == nil {
			return outcome{status: StatusFailed, code: "AUTOSCALING_VALIDATION_ERROR", message: "No Auto Scaling service is connected to CodeDeploy on this platform."}
		}
		orig := g.Info.AutoScalingGroups[0].Name
		copied = "CodeDeploy_" + g.Info.DeploymentGroupName + "_" + r.id
		ids, err := s.deps.AutoScaling.CopyGroup(r.ctx, orig, copied)
		if err != nil {
			if r.ctx.Err() != nil {
				return r.stopOutcome()
			}
			return outcome{status: StatusFailed, code: "AUTOSCALING_VALIDATION_ERROR", message: "The Auto Scaling group " + orig + " could not be copied: " + err.Error()}
		}
		greenIDs = slices.Sorted(slices.Values(ids))
		r.update(func(d *deploymentRecord) { d.ReplacementASGs, d.OriginalASGs = []string{copied}, []string{orig} })
	} else {
		ti := rec.Info.TargetInstances
		green, err := r.resolve(ti.TagFilters, ti.EC2TagSet, ti.AutoScalingGroups)
		if err != nil {
			return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: "Could not list the EC2 instances: " + err.Error()}
		}
		for _, in := range green {
			if !slices.Contains(blueIDs, in.ID) {
				greenIDs = append(greenIDs, in.ID)
			}
		}
	}
	if len(greenIDs) == 0 {
		return outcome{status: StatusFailed, code: "NO_INSTANCES", message: "The deployment failed because no replacement instances were found. Check the target instances of the deployment, and then try again."}
	}
	greenEvents := slices.Concat(installEvents, allowEvents)
	r.update(func(d *deploymentRecord) {
		d.Targets = slices.Concat(blueIDs, greenIDs)
		d.OriginalInstances = blueIDs
	})
	if err := r.newTargets(blueIDs, "Blue", blockEvents); err != nil {
		return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: err.Error()}
	}
	if err := r.newTargets(greenIDs, "Green", greenEvents); err != nil {
		return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: err.Error()}
	}
	r.update(func(*deploymentRecord) {})

	// 1. install on the replacement fleet, per the deployment configuration
	cfg, err := s.getConfig(r.ctx, rec.Info.DeploymentConfigName)
	if err != nil {
		return outcome{status: StatusFailed, code: "INTERNAL_ERROR", message: err.Error()}
	}
	plan := planFor(cfg, len(greenIDs))
	if plan.Batch <= 0 {
		plan.Batch = 1
	}
	failGreen := func(o outcome) outcome {
		r.skip(blueIDs)
		if copied != "" && rollbackEnabled(rec, o) {
			_ = s.deps.AutoScaling.DeleteGroup(context.WithoutCancel(r.ctx), copied)
			o.rollbackMessage = "The replacement Auto Scaling group " + copied + " was deleted; traffic was never rerouted from the original instances."
		}
		return o
	}
	succeeded, healthStop := r.schedule(greenIDs, plan, func(id string) bool {
		return r.deployInstance(rec, g, id, installEvents, greenEvents)
	})
	if r.ctx.Err() != nil {
		return failGreen(r.stopOutcome())
	}
	if healthStop || succeeded < plan.MinHealthy || succeeded == 0 {
		return failGreen(outcome{status: StatusFailed, code: "HEALTH_CONSTRAINTS", message: msgHealth})
	}

	// 2. wait until traffic may be rerouted
	if ro := bg.DeploymentReadyOption; ro.ActionOnTimeout == "STOP_DEPLOYMENT" {
		r.mu.Lock()
		r.waiting = "READY_WAIT" // before the status says Ready, so ContinueDeployment is accepted at once
		r.mu.Unlock()
		rec = r.update(func(d *deploymentRecord) { d.Info.Status = StatusReady })
		s.setGroupLast(r.ctx, rec.Info, false)
		r.stateEvent(rec.Info, g.Info, "READY")
		r.trigger(rec.Info, g.Info, "DeploymentReady", "")
		ok := r.wait("READY_WAIT", time.Duration(ro.WaitTimeInMinutes)*time.Minute)
		if r.ctx.Err() != nil {
			return failGreen(r.stopOutcome())
		}
		if !ok {
			return failGreen(outcome{status: StatusStopped, code: "TIMEOUT", message: "The deployment timed out: traffic was not rerouted to the replacement instances within the deployment's wait time."})
		}
		rec = r.update(func(d *deploymentRecord) { d.Info.Status = StatusInProgress })
		s.setGroupLast(r.ctx, rec.Info, false)
	} else if ro.WaitTimeInMinutes > 0 {
		if err := clock.Sleep(r.ctx, s.env.Clock, time.Duration(ro.WaitTimeInMinutes)*time.Minute); err != nil {
			return failGreen(r.stopOutcome())
		}
	}

	// 3. reroute: allow traffic to the replacement instances, then block the originals
	greenOK := r.parallel(greenIDs, func(id string) bool {
		return r.deployInstance(rec, g, id, allowEvents, greenEvents)
	})
	if r.ctx.Err() != nil || !greenOK {
		o := outcome{status: StatusFailed, code: "HEALTH_CONSTRAINTS", message: msgHealth}
		if r.ctx.Err() != nil {
			o = r.stopOutcome()
		}
		r.rerouteBack(rec, blueIDs, greenIDs)
		o.rollbackMessage = "Traffic was rerouted back to the original instances."
		return failGreen(o)
	}
	blueOK := r.parallel(blueIDs, func(id string) bool {
		return r.deployInstance(rec, g, id, blockEvents, blockEvents)
	})
	if r.ctx.Err() != nil || !blueOK {
		o := outcome{status: StatusFailed, code: "HEALTH_CONSTRAINTS", message: "The deployment failed because one or more original instances could not be deregistered from the load balancer."}
		if r.ctx.Err() != nil {
			o = r.stopOutcome()
		}
		if rollbackEnabled(rec, o) {
			r.rerouteBack(rec, blueIDs, greenIDs)
			o.rollbackMessage = "Traffic was rerouted back to the original instances."
		}
		return o
	}
	if copied != "" {
		// the deployment group now uses the replacement Auto Scaling group
		_, _ = s.groups.Update(context.WithoutCancel(r.ctx), groupKey(r.ctx, g.Info.ApplicationName, g.Info.DeploymentGroupName), func(gr *groupRecord) error {
			for i := range gr.Info.AutoScalingGroups {
				if gr.Info.AutoScalingGroups[i].Name == g.Info.AutoScalingGroups[0].Name {
					gr.Info.AutoScalingGroups[i].Name = copied
				}
			}
			return nil
		})
	}

	// 4. the original fleet: keep it, or terminate it after the wait
	term := bg.TerminateBlueInstancesOnDeploymentSuccess
	if term.Action == "TERMINATE" && len(blueIDs) > 0 {
		r.mu.Lock()
		r.waiting = "TERMINATION_WAIT"
		r.mu.Unlock()
		r.update(func(d *deploymentRecord) { d.Info.InstanceTerminationWaitTimeStarted = true })
		if w := time.Duration(term.TerminationWaitTimeInMinutes) * time.Minute; w > 0 {
			r.wait("TERMINATION_WAIT", w)
			if r.ctx.Err() != nil {
				o := r.stopOutcome()
				if rollbackEnabled(rec, o) {
					r.rerouteBack(rec, blueIDs, greenIDs)
					o.rollbackMessage = "Traffic was rerouted back to the original instances."
				}
				return o
			}
		}
		r.mu.Lock()
		r.waiting = ""
		r.mu.Unlock()
		ctx := context.WithoutCancel(r.ctx)
		var err error
		if copied != "" {
			err = s.deps.AutoScaling.DeleteGroup(ctx, g.Info.AutoScalingGroups[0].Name)
		} else {
			err = s.deps.Fleet.TerminateInstances(ctx, blueIDs)
		}
		if err != nil {
			s.log.Warn("codedeploy: terminate original instances", "deployment", r.id, "err", err)
		}
	}
	return outcome{status: StatusSucceeded}
}

func rollbackEnabled(rec deploymentRecord, o outcome) bool {
	rb := rec.Info.AutoRollbackConfiguration
	if rec.OverrideRollback != nil {
		return *rec.OverrideRollback
	}
	if rb == nil || !rb.Enabled {
		return false
	}
	switch o.code {
	case "ALARM_ACTIVE":
		return slices.Contains(rb.Events, "DEPLOYMENT_STOP_ON_ALARM")
	case "MANUAL_STOP":
		return slices.Contains(rb.Events, "DEPLOYMENT_STOP_ON_REQUEST")
	case "INTERNAL_ERROR":
		return false
	}
	return o.status == StatusFailed && slices.Contains(rb.Events, "DEPLOYMENT_FAILURE")
}

// rerouteBack registers the original instances again and deregisters the replacements.
func (r *run) rerouteBack(rec deploymentRecord, blue, green []string) {
	lb := r.s.deps.LoadBalancer
	if lb == nil {
		return
	}
	ctx := context.WithoutCancel(r.ctx)
	for _, t := range trafficTargets(rec.Info.LoadBalancerInfo) {
		if len(blue) > 0 {
			_ = lb.Register(ctx, t, blue)
		}
		_ = lb.Deregister(ctx, t, green)
	}
}

func trafficTargets(lb *LoadBalancerInfo) []TrafficTarget {
	if lb == nil {
		return nil
	}
	var out []TrafficTarget
	for _, t := range lb.TargetGroupInfoList {
		out = append(out, TrafficTarget{TargetGroup: t.Name})
	}
	for _, e := range lb.ELBInfoList {
		out = append(out, TrafficTarget{ClassicELB: e.Name})
	}
	return out
}

// parallel runs fn for every id at once and reports whether all succeeded.
func (r *run) parallel(ids []string, fn func(string) bool) bool {
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := true
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !fn(id) {
				mu.Lock()
				ok = false
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ok
}

// wait waits for a ContinueDeployment signal of kind, or d on the platform clock. It reports
// whether it was signalled.
func (r *run) wait(kind string, d time.Duration) bool {
	r.mu.Lock()
	r.waiting = kind
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.waiting = ""
		r.mu.Unlock()
	}()
	var timeout <-chan time.Time
	if d > 0 {
		t := r.s.env.Clock.NewTimer(d)
		defer t.Stop()
		timeout = t.C()
	}
	for {
		select {
		case k := <-r.signals:
			if k == kind {
				return true
			}
		case <-timeout:
			return false
		case <-r.ctx.Done():
			return false
		}
	}
}

// ---- alarms

func alarmsOf(info DeploymentInfo, g DeploymentGroupInfo) *AlarmConfiguration {
	if info.OverrideAlarmConfiguration != nil {
		return info.OverrideAlarmConfiguration
	}
	return g.AlarmConfiguration
}

func (r *run) checkAlarmsWith(ac *AlarmConfiguration) error {
	if ac == nil || !ac.Enabled || len(ac.Alarms) == 0 {
		return nil
	}
	if r.s.deps.Alarms == nil {
		if ac.IgnorePollAlarmFailure {
			return nil
		}
		return &alarmStop{names: []string{"(no CloudWatch alarms service connected)"}}
	}
	var firing []string
	for _, a := range ac.Alarms {
		st, err := r.s.deps.Alarms.AlarmStateOf(r.ctx, a.Name)
		if err != nil {
			if r.ctx.Err() != nil {
				return nil
			}
			if !ac.IgnorePollAlarmFailure {
				firing = append(firing, a.Name)
			}
			continue
		}
		if st == "ALARM" {
			firing = append(firing, a.Name)
		}
	}
	if len(firing) > 0 {
		return &alarmStop{names: firing}
	}
	return nil
}

func (r *run) checkAlarms() error {
	r.mu.Lock()
	ac := r.alarmCfg
	r.mu.Unlock()
	return r.checkAlarmsWith(ac)
}

// pollAlarms checks the alarms every AlarmPollInterval on the platform clock until stopped.
func (r *run) pollAlarms(info DeploymentInfo, g DeploymentGroupInfo) (stop func()) {
	ac := alarmsOf(info, g)
	r.mu.Lock()
	r.alarmCfg = ac
	r.mu.Unlock()
	if ac == nil || !ac.Enabled || len(ac.Alarms) == 0 {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	t := r.s.env.Clock.NewTimer(r.s.opts.AlarmPollInterval)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-quit:
				t.Stop()
				return
			case <-r.ctx.Done():
				t.Stop()
				return
			case <-t.C():
			}
			if err := r.checkAlarmsWith(ac); err != nil {
				r.cancel(err)
				return
			}
			t = r.s.env.Clock.NewTimer(r.s.opts.AlarmPollInterval)
		}
	}()
	return func() { close(quit); wg.Wait() }
}

// ---- finishing

func (r *run) finish(rec deploymentRecord, g groupRecord, o outcome) {
	s := r.s
	ctx := context.WithoutCancel(r.ctx)
	now := s.now()
	if o.status == StatusSucceeded {
		if rec.Info.DeploymentStatusMessages == nil {
			rec.Info.DeploymentStatusMessages = []string{}
		}
	}
	rec = r.update(func(d *deploymentRecord) {
		d.Info.Status, d.Info.CompleteTime = o.status, now
		if o.code != "" {
			d.Info.ErrorInformation = &ErrorInformation{Code: o.code, Message: o.message}
		}
		if o.rollbackMessage != "" {
			if d.Info.RollbackInfo == nil {
				d.Info.RollbackInfo = &RollbackInfo{}
			}
			d.Info.RollbackInfo.RollbackMessage = o.rollbackMessage
		}
	})
	s.setGroupLast(ctx, rec.Info, o.status == StatusSucceeded)
	state, trig := "SUCCESS", "DeploymentSuccess"
	switch o.status {
	case StatusFailed:
		state, trig = "FAILURE", "DeploymentFailure"
	case StatusStopped:
		state, trig = "STOP", "DeploymentStop"
	}
	r.stateEvent(rec.Info, g.Info, state)
	r.trigger(rec.Info, g.Info, trig, "")

	// automatic rollback of in-place deployments: redeploy the last successful revision
	if o.status == StatusSucceeded || o.rollbackMessage != "" || !rollbackEnabled(rec, o) || rec.Info.Creator == "autoscaling" {
		return
	}
	if rec.Info.DeploymentStyle != nil && rec.Info.DeploymentStyle.DeploymentType == "BLUE_GREEN" {
		return
	}
	if errors.Is(context.Cause(r.ctx), errClosed) {
		return
	}
	prev := rec.Info.PreviousRevision
	if prev == nil {
		r.update(func(d *deploymentRecord) {
			d.Info.RollbackInfo = &RollbackInfo{RollbackMessage: "Automatic rollback was not started because there is no last successful revision for the deployment group."}
		})
		return
	}
	id, err := s.createDeployment(ctx, &CreateDeploymentInput{
		ApplicationName: rec.Info.ApplicationName, DeploymentGroupName: rec.Info.DeploymentGroupName,
		Revision: prev, DeploymentConfigName: rec.Info.DeploymentConfigName,
		IgnoreApplicationStopFailures: true, FileExistsBehavior: rec.Info.FileExistsBehavior,
		AutoRollbackConfiguration:  &AutoRollbackConfiguration{},
		OverrideAlarmConfiguration: &AlarmConfiguration{}, // the alarm that stopped the deployment must not stop its rollback
	}, createOpts{creator: "codeDeployRollback", rollbackOf: r.id})
	if err != nil {
		r.update(func(d *deploymentRecord) {
			d.Info.RollbackInfo = &RollbackInfo{RollbackMessage: "Automatic rollback could not start: " + err.Error()}
		})
		return
	}
	r.update(func(d *deploymentRecord) {
		d.Info.RollbackInfo = &RollbackInfo{RollbackDeploymentID: id, RollbackMessage: "Automatic rollback started by deployment " + r.id + ": " + id}
	})
	r.trigger(rec.Info, g.Info, "DeploymentRollback", "")
}

// setGroupLast records a deployment as the group's last attempted (and, when ok, last
// successful) deployment.
func (s *Service) setGroupLast(ctx context.Context, info DeploymentInfo, ok bool) {
	ctx = context.WithoutCancel(ctx)
	_, _ = s.groups.Update(ctx, groupKey(ctx, info.ApplicationName, info.DeploymentGroupName), func(g *groupRecord) error {
		last := &LastDeploymentInfo{DeploymentID: info.DeploymentID, Status: info.Status, CreateTime: info.CreateTime, EndTime: info.CompleteTime}
		if info.Creator != "autoscaling" {
			if la := g.Info.LastAttemptedDeployment; la == nil || la.DeploymentID == info.DeploymentID || !activeStatus(la.Status) {
				g.Info.LastAttemptedDeployment = last
			}
		}
		if ok {
			g.Info.LastSuccessfulDeployment = last
			rev := *info.Revision
			g.LastSuccessfulRevision = &rev
			// What GetDeploymentGroup shows as the group's revision, and what a
			// CreateDeployment without a revision deploys.
			target := rev
			g.Info.TargetRevision = &target
		}
		return nil
	})
}

// ---- events and triggers

func (r *run) publish(detailType string, resources []string, detail map[string]any) {
	raw, err := json.Marshal(detail)
	if err != nil {
		return
	}
	account, region := core.Scope(r.ctx)
	r.s.env.Events.Publish(context.WithoutCancel(r.ctx), eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: detailType, Source: "aws.codedeploy",
		Account: account, Time: r.s.now(), Region: region, Resources: resources, Detail: raw,
	})
}

func (r *run) stateEvent(info DeploymentInfo, g DeploymentGroupInfo, state string) {
	_, region := core.Scope(r.ctx)
	r.publish("CodeDeploy Deployment State-change Notification",
		[]string{arnGroup(r.ctx, info.ApplicationName, info.DeploymentGroupName), arnApp(r.ctx, info.ApplicationName)},
		map[string]any{
			"region": region, "deploymentId": info.DeploymentID, "instanceGroupId": g.DeploymentGroupID,
			"deploymentGroup": info.DeploymentGroupName, "state": state, "application": info.ApplicationName,
		})
}

func (r *run) instanceEvent(info DeploymentInfo, g DeploymentGroupInfo, instanceID, state string) {
	_, region := core.Scope(r.ctx)
	r.publish("CodeDeploy Instance State-change Notification",
		[]string{arnGroup(r.ctx, info.ApplicationName, info.DeploymentGroupName), arnApp(r.ctx, info.ApplicationName), core.ARN(r.ctx, "ec2", "instance/"+instanceID)},
		map[string]any{
			"instanceGroupId": g.DeploymentGroupID, "region": region, "application": info.ApplicationName,
			"deploymentId": info.DeploymentID, "state": state, "deploymentGroup": info.DeploymentGroupName, "instanceId": instanceID,
		})
}

// trigger sends a notification to every trigger of the group that listens for event.
func (r *run) trigger(info DeploymentInfo, g DeploymentGroupInfo, event, instanceID string) {
	n := r.s.deps.Notifier
	if n == nil {
		return
	}
	account, region := core.Scope(r.ctx)
	for _, t := range g.TriggerConfigurations {
		if !slices.Contains(t.TriggerEvents, event) {
			continue
		}
		msg := map[string]any{
			"region": region, "accountId": account, "eventTriggerName": t.TriggerName,
			"applicationName": info.ApplicationName, "deploymentId": info.DeploymentID,
			"deploymentGroupName": info.DeploymentGroupName, "createTime": info.CreateTime.Format(time.RFC1123),
		}
		status := strings.ToUpper(info.Status)
		if instanceID != "" {
			msg["instanceId"] = instanceID
			msg["lastUpdatedAt"] = r.s.now().Format(time.RFC1123)
			status = strings.ToUpper(strings.TrimPrefix(event, "Instance"))
		} else {
			if !info.CompleteTime.IsZero() {
				msg["completeTime"] = info.CompleteTime.Format(time.RFC1123)
			}
			if ov := info.DeploymentOverview; ov != nil {
				b, _ := json.Marshal(ov)
				msg["deploymentOverview"] = string(b)
			}
			if info.ErrorInformation != nil {
				b, _ := json.Marshal(info.ErrorInformation)
				msg["errorInformation"] = string(b)
			}
		}
		msg["status"] = status
		body, _ := json.Marshal(msg)
		subject := fmt.Sprintf("%s: AWS CodeDeploy %s in %s to %s", status, info.DeploymentID, region, info.ApplicationName)
		if err := n.Publish(context.WithoutCancel(r.ctx), t.TriggerTargetArn, subject, string(body)); err != nil {
			r.s.log.Warn("codedeploy: trigger", "trigger", t.TriggerName, "err", err)
		}
	}
}
