package autoscaling

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/eventbus"
)

// Instance refresh errors.
var (
	ErrRefreshInProgress       = apierr.New(apierr.Conflict, "InstanceRefreshInProgress", "")
	ErrActiveRefreshNotFound   = apierr.New(apierr.NotFound, "ActiveInstanceRefreshNotFound", "")
	ErrIrreversibleRefresh     = apierr.New(apierr.Conflict, "IrreversibleInstanceRefresh", "")
	errRefreshUnsupportedStrat = apierr.New(apierr.Unsupported, "ValidationError", "")
)

// refreshRecord is an instance refresh with the state of its rolling replacement.
type refreshRecord struct {
	InstanceRefresh
	Scope    string `json:"scope"`
	Account  string `json:"account"`
	Region   string `json:"region"`
	GroupARN string `json:"groupArn"`
	Seq      int64  `json:"seq"`
	// TargetKey is the configuration (see member.Config) instances end with; ToReplace the
	// instances still to replace, Total how many there were, Replaced how many are done.
	TargetKey string   `json:"target"`
	ToReplace []string `json:"toReplace,omitempty"`
	Total     int      `json:"total"`
	Replaced  int      `json:"replaced"`
	// The batch in flight: Expect new instances (launched after Before was taken) must be
	// InService and warmed up (since WarmSince) before Hold, the old instances kept while
	// the new ones launched, are terminated.
	Batch     int       `json:"batch,omitempty"`
	Expect    int       `json:"expect,omitempty"`
	Before    []string  `json:"before,omitempty"`
	Hold      []string  `json:"hold,omitempty"`
	WarmSince time.Time `json:"warmSince,omitzero"`
	// WaitUntil holds the next batch (checkpoint delay) or the end of baking.
	WaitUntil      time.Time `json:"waitUntil,omitzero"`
	NextCheckpoint int       `json:"nextCheckpoint,omitempty"`
	Rollback       bool      `json:"rollback,omitempty"`
	// Previous is the group's configuration before the refresh (what a rollback restores).
	Previous   *DesiredConfiguration `json:"previous,omitempty"`
	PrevLC     string                `json:"prevLC,omitempty"`
	CancelWait bool                  `json:"cancelWait,omitempty"`
}

func (r *refreshRecord) key() string {
	return fmt.Sprintf("%s%s/%020d", r.Scope, r.AutoScalingGroupName, math.MaxInt64-r.Seq)
}

func activeStatus(st string) bool {
	switch st {
	case "Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking":
		return true
	}
	return false
}

func i32p(v int32) *int32 { return &v }
func boolp(v bool) *bool  { return &v }

// configKey identifies a launch configuration: a launch template by id and resolved version
// number (plus an instance type override), or a launch configuration by name.
func (s *Service) configKey(ctx context.Context, lt *LaunchTemplateSpecification, instanceType, lc string) string {
	if lt == nil {
		return "lc=" + lc
	}
	v := lt.Version
	if v == "" {
		v = "$Default"
	}
	key := "lt=" + lt.LaunchTemplateID + lt.LaunchTemplateName + "@" + v
	out, err := s.ec2.DescribeLaunchTemplateVersions(ctx, &ec2sim.DescribeLaunchTemplateVersionsInput{LaunchTemplateID: lt.LaunchTemplateID,
		LaunchTemplateName: nonEmptyIf(lt.LaunchTemplateID == "", lt.LaunchTemplateName), Versions: []string{v}})
	if err == nil && len(out.LaunchTemplateVersions) == 1 {
		lv := out.LaunchTemplateVersions[0]
		key = "lt=" + lv.LaunchTemplateID + "@" + strconv.FormatInt(lv.VersionNumber, 10)
	}
	if instanceType != "" {
		key += "|" + instanceType
	}
	return key
}

func nonEmptyIf(cond bool, v string) string {
	if cond {
		return v
	}
	return ""
}

// desiredKey is the configuration key of a desired configuration, or of the group's own.
func (s *Service) desiredKey(ctx context.Context, g *groupRecord, d *DesiredConfiguration) string {
	lt, mip, lc := g.LaunchTemplate, g.MixedInstancesPolicy, g.LaunchConfigurationName
	if d != nil {
		lt, mip, lc = d.LaunchTemplate, d.MixedInstancesPolicy, ""
	}
	typ := ""
	if lt == nil && mip != nil && mip.LaunchTemplate != nil {
		lt = mip.LaunchTemplate.LaunchTemplateSpecification
		if ov := mip.LaunchTemplate.Overrides; len(ov) > 0 {
			typ = ov[0].InstanceType
		}
	}
	if lt != nil && lt.Version == "" {
		c := *lt
		c.Version = "$Default"
		lt = &c
	}
	return s.configKey(ctx, lt, typ, lc)
}

// resolveTemplate checks a launch template specification and fills in its id and name.
func (s *Service) resolveTemplate(ctx context.Context, spec *LaunchTemplateSpecification) (*LaunchTemplateSpecification, error) {
	if spec == nil || spec.LaunchTemplateID == "" && spec.LaunchTemplateName == "" {
		return nil, ErrValidation.With("You must use a valid fully-formed launch template. A launch template ID or name is required.")
	}
	lts, err := s.ec2.DescribeLaunchTemplates(ctx, &ec2sim.DescribeLaunchTemplatesInput{LaunchTemplateIDs: nonEmpty(spec.LaunchTemplateID), LaunchTemplateNames: nonEmpty(spec.LaunchTemplateName)})
	if err != nil || len(lts.LaunchTemplates) != 1 {
		return nil, ErrValidation.With("You must use a valid fully-formed launch template. The specified launch template, with template name %s, does not exist.", spec.LaunchTemplateName+spec.LaunchTemplateID)
	}
	lt := *spec
	lt.LaunchTemplateID, lt.LaunchTemplateName = lts.LaunchTemplates[0].LaunchTemplateID, lts.LaunchTemplates[0].LaunchTemplateName
	if lt.Version == "" {
		lt.Version = "$Default"
	}
	if _, err := s.ec2.DescribeLaunchTemplateVersions(ctx, &ec2sim.DescribeLaunchTemplateVersionsInput{LaunchTemplateID: lt.LaunchTemplateID, Versions: []string{lt.Version}}); err != nil {
		return nil, ErrValidation.With("You must use a valid fully-formed launch template. The specified launch template version %s does not exist.", lt.Version)
	}
	return &lt, nil
}

func floatingVersion(lt *LaunchTemplateSpecification) bool {
	return lt != nil && (lt.Version == "$Latest" || lt.Version == "$Default")
}

func (g *groupRecord) template() *LaunchTemplateSpecification {
	if g.LaunchTemplate != nil {
		return g.LaunchTemplate
	}
	if g.MixedInstancesPolicy != nil && g.MixedInstancesPolicy.LaunchTemplate != nil {
		return g.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification
	}
	return nil
}

// StartInstanceRefresh starts replacing a group's instances (Strategy Rolling), in batches
// that keep MinHealthyPercentage of the desired capacity in service (and launch up to
// MaxHealthyPercentage first when it is above 100), waiting InstanceWarmup after each batch.
func (s *Service) StartInstanceRefresh(ctx context.Context, in *StartInstanceRefreshInput) (*InstanceRefreshIDOutput, error) {
	return do(ctx, s, "StartInstanceRefresh", in, s.startInstanceRefresh)
}

func (s *Service) startInstanceRefresh(ctx context.Context, in *StartInstanceRefreshInput) (*InstanceRefreshIDOutput, error) {
	if err := validName("autoScalingGroupName", in.AutoScalingGroupName); err != nil {
		return nil, err
	}
	switch in.Strategy {
	case "", "Rolling":
	case "ReplaceRootVolume":
		return nil, errRefreshUnsupportedStrat.With("Strategy ReplaceRootVolume is not supported by devopsim; use Rolling.")
	default:
		return nil, ErrValidation.With("1 validation error detected: Value '%s' at 'strategy' failed to satisfy constraint: Member must satisfy enum value set: [Rolling, ReplaceRootVolume]", in.Strategy)
	}
	p := RefreshPreferences{}
	if in.Preferences != nil {
		p = *in.Preferences
		p.CheckpointPercentages = slices.Clone(p.CheckpointPercentages)
	}
	if p.MinHealthyPercentage == nil {
		p.MinHealthyPercentage = i32p(90)
	}
	if p.MaxHealthyPercentage == nil {
		p.MaxHealthyPercentage = i32p(100)
	}
	minH, maxH := *p.MinHealthyPercentage, *p.MaxHealthyPercentage
	if minH < 0 || minH > 100 {
		return nil, ErrValidation.With("1 validation error detected: Value '%d' at 'preferences.minHealthyPercentage' failed to satisfy constraint: Member must have value between 0 and 100", minH)
	}
	if maxH < 100 || maxH > 200 {
		return nil, ErrValidation.With("1 validation error detected: Value '%d' at 'preferences.maxHealthyPercentage' failed to satisfy constraint: Member must have value between 100 and 200", maxH)
	}
	if maxH-minH > 100 {
		return nil, ErrValidation.With("The difference between MaxHealthyPercentage and MinHealthyPercentage can't be greater than 100.")
	}
	if minH == 100 && maxH == 100 {
		return nil, ErrValidation.With("MinHealthyPercentage of 100 requires a MaxHealthyPercentage greater than 100.")
	}
	if p.InstanceWarmup != nil && *p.InstanceWarmup < 0 {
		return nil, ErrValidation.With("1 validation error detected: Value '%d' at 'preferences.instanceWarmup' failed to satisfy constraint: Member must have value greater than or equal to 0", *p.InstanceWarmup)
	}
	for i, c := range p.CheckpointPercentages {
		if c < 1 || c > 100 || i > 0 && c <= p.CheckpointPercentages[i-1] {
			return nil, ErrValidation.With("CheckpointPercentages must be in ascending order, each between 1 and 100.")
		}
	}
	if p.CheckpointDelay != nil && (*p.CheckpointDelay < 0 || *p.CheckpointDelay > 172800) {
		return nil, ErrValidation.With("1 validation error detected: Value '%d' at 'preferences.checkpointDelay' failed to satisfy constraint: Member must have value between 0 and 172800", *p.CheckpointDelay)
	}
	if p.CheckpointDelay != nil && len(p.CheckpointPercentages) == 0 {
		return nil, ErrValidation.With("CheckpointDelay requires CheckpointPercentages.")
	}
	if len(p.CheckpointPercentages) > 0 && p.CheckpointDelay == nil {
		p.CheckpointDelay = i32p(3600)
	}
	if p.BakeTime != nil && (*p.BakeTime < 0 || *p.BakeTime > 43200) {
		return nil, ErrValidation.With("1 validation error detected: Value '%d' at 'preferences.bakeTime' failed to satisfy constraint: Member must have value between 0 and 43200", *p.BakeTime)
	}
	for _, v := range []struct{ field, val string }{{"scaleInProtectedInstances", p.ScaleInProtectedInstances}, {"standbyInstances", p.StandbyInstances}} {
		ok := v.val == "" || v.val == "Ignore" || v.val == "Wait" || v.val == "Refresh" && v.field == "scaleInProtectedInstances" || v.val == "Terminate" && v.field == "standbyInstances"
		if !ok {
			return nil, ErrValidation.With("1 validation error detected: Value '%s' at 'preferences.%s' failed to satisfy constraint: Member must satisfy enum value set", v.val, v.field)
		}
	}
	if p.ScaleInProtectedInstances == "" {
		p.ScaleInProtectedInstances = "Ignore"
	}
	if p.StandbyInstances == "" {
		p.StandbyInstances = "Ignore"
	}
	if p.SkipMatching == nil {
		p.SkipMatching = boolp(false)
	}
	if p.AutoRollback == nil {
		p.AutoRollback = boolp(false)
	}
	var desired *DesiredConfiguration
	if d := in.DesiredConfiguration; d != nil && (d.LaunchTemplate != nil || d.MixedInstancesPolicy != nil) {
		if d.LaunchTemplate != nil && d.MixedInstancesPolicy != nil {
			return nil, ErrValidation.With("Valid requests must contain either LaunchTemplate or MixedInstancesPolicy parameter in DesiredConfiguration, not both.")
		}
		desired = &DesiredConfiguration{}
		if d.LaunchTemplate != nil {
			lt, err := s.resolveTemplate(ctx, d.LaunchTemplate)
			if err != nil {
				return nil, err
			}
			desired.LaunchTemplate = lt
		} else {
			ml := d.MixedInstancesPolicy.LaunchTemplate
			if ml == nil {
				return nil, ErrValidation.With("The specified launch template is not valid: a MixedInstancesPolicy needs LaunchTemplate.LaunchTemplateSpecification.")
			}
			lt, err := s.resolveTemplate(ctx, ml.LaunchTemplateSpecification)
			if err != nil {
				return nil, err
			}
			for _, o := range ml.Overrides {
				if o.InstanceType == "" {
					return nil, ErrValidation.With("An override must specify InstanceType.")
				}
			}
			desired.MixedInstancesPolicy = &MixedInstancesPolicy{LaunchTemplate: &MixedLaunchTemplate{LaunchTemplateSpecification: lt, Overrides: ml.Overrides}}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(ctx, in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	if *p.AutoRollback {
		if desired == nil {
			return nil, ErrValidation.With("AutoRollback requires a DesiredConfiguration.")
		}
		if floatingVersion(g.template()) {
			return nil, ErrValidation.With("AutoRollback is not supported when the Auto Scaling group's launch template version is $Latest or $Default.")
		}
	}
	if _, ok, err := s.activeRefresh(ctx, g.Scope, g.AutoScalingGroupName); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrRefreshInProgress.With("An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
	}
	if p.InstanceWarmup == nil {
		p.InstanceWarmup = i32p(g.HealthCheckGracePeriod)
	}
	s.seq++
	r := refreshRecord{InstanceRefresh: InstanceRefresh{InstanceRefreshID: uuid.NewString(), AutoScalingGroupName: g.AutoScalingGroupName,
		Status: "Pending", StartTime: s.clk.Now().UTC(), Preferences: &p, DesiredConfiguration: desired, Strategy: "Rolling"},
		Scope: g.Scope, Account: g.Account, Region: g.Region, GroupARN: g.AutoScalingGroupARN, Seq: s.seq}
	r.Previous = &DesiredConfiguration{LaunchTemplate: g.LaunchTemplate, MixedInstancesPolicy: g.MixedInstancesPolicy}
	r.PrevLC = g.LaunchConfigurationName
	r.TargetKey = s.desiredKey(ctx, &g, desired)
	for _, m := range g.Members {
		if !s.replaceable(&r, m) {
			continue
		}
		if *p.SkipMatching && m.Config == r.TargetKey {
			continue
		}
		r.ToReplace = append(r.ToReplace, m.ID)
	}
	r.Total = len(r.ToReplace)
	r.setProgress()
	if err := s.refreshes.Put(ctx, r.key(), r); err != nil {
		return nil, err
	}
	g.Override = desired
	if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil {
		return nil, err
	}
	s.stepRefreshLocked(ec2sim.WithInternal(ctx), g.AutoScalingGroupName)
	return &InstanceRefreshIDOutput{InstanceRefreshID: r.InstanceRefreshID}, nil
}

// replaceable reports whether a member takes part in a refresh (in service, or protected
// with ScaleInProtectedInstances Refresh; Standby and protected members are otherwise left
// alone, as Ignore does).
func (s *Service) replaceable(r *refreshRecord, m member) bool {
	if m.Lifecycle != "InService" && m.Lifecycle != "Pending" {
		return false
	}
	if m.Protected && r.Preferences.ScaleInProtectedInstances != "Refresh" {
		return false
	}
	return true
}

func (r *refreshRecord) setProgress() {
	pct := int32(100)
	if r.Total > 0 {
		pct = int32(r.Replaced * 100 / r.Total)
	}
	left := int32(max(0, r.Total-r.Replaced))
	if r.Rollback {
		r.RollbackDetails.PercentageCompleteOnRollback, r.RollbackDetails.InstancesToUpdateOnRollback = pct, left
		r.RollbackDetails.ProgressDetailsOnRollback = &InstanceRefreshProgressDetails{LivePoolProgress: &InstanceRefreshProgress{PercentageComplete: pct, InstancesToUpdate: left}}
		return
	}
	r.PercentageComplete, r.InstancesToUpdate = pct, left
	r.ProgressDetails = &InstanceRefreshProgressDetails{LivePoolProgress: &InstanceRefreshProgress{PercentageComplete: pct, InstancesToUpdate: left}}
}

// activeRefresh returns a group's refresh that is not finished.
// userRefreshLocked finds the group's active refresh a user call acts on: not found when
// there is none or it is in one of the statuses busy. The caller holds s.mu.
func (s *Service) userRefreshLocked(ctx context.Context, name string, busy ...string) (groupRecord, refreshRecord, error) {
	if err := validName("autoScalingGroupName", name); err != nil {
		return groupRecord{}, refreshRecord{}, err
	}
	g, err := s.group(ctx, name)
	if err != nil {
		return g, refreshRecord{}, err
	}
	r, ok, err := s.activeRefresh(ctx, g.Scope, g.AutoScalingGroupName)
	if err != nil {
		return g, r, err
	}
	if !ok || slices.Contains(busy, r.Status) {
		return g, r, ErrActiveRefreshNotFound.With("No in progress or pending Instance Refresh found for Auto Scaling group %s", name)
	}
	return g, r, nil
}

func (s *Service) activeRefresh(ctx context.Context, sc, name string) (refreshRecord, bool, error) {
	all, err := s.refreshes.All(ctx, sc+name+"/")
	if err != nil {
		return refreshRecord{}, false, err
	}
	for _, r := range all {
		if activeStatus(r.Status) {
			return r, true, nil
		}
	}
	return refreshRecord{}, false, nil
}

func (s *Service) publishRefresh(ctx context.Context, r *refreshRecord, detailType string, extra map[string]string) {
	d := map[string]string{"InstanceRefreshId": r.InstanceRefreshID, "AutoScalingGroupName": r.AutoScalingGroupName}
	for k, v := range extra {
		d[k] = v
	}
	b, _ := json.Marshal(d)
	s.env.Events.Publish(ctx, eventbus.Event{Version: "0", ID: uuid.NewString(), DetailType: "EC2 Auto Scaling Instance Refresh " + detailType,
		Source: "aws.autoscaling", Account: r.Account, Time: s.clk.Now().UTC(), Region: r.Region, Resources: []string{r.GroupARN}, Detail: b})
}

// stepRefreshLocked moves a group's active refresh as far as it can go now (s.mu held).
func (s *Service) stepRefreshLocked(ctx context.Context, name string) {
	for range 1000 {
		if !s.stepRefreshOnce(ctx, name) {
			return
		}
	}
}

func (s *Service) stepRefreshOnce(ctx context.Context, name string) bool {
	sc := scope(ctx)
	r, ok, err := s.activeRefresh(ctx, sc, name)
	if err != nil || !ok {
		return false
	}
	g, err := s.group(ctx, name)
	if err != nil {
		return false
	}
	now := s.clk.Now().UTC()
	save := func() { _ = s.refreshes.Put(ctx, r.key(), r) }
	switch r.Status {
	case "Pending":
		r.Status = "InProgress"
		save()
		s.publishRefresh(ctx, &r, "Started", nil)
		return true
	case "Baking":
		if now.Before(r.WaitUntil) {
			return false
		}
		r.Status, r.StatusReason, r.EndTime = "Successful", "", now
		save()
		s.publishRefresh(ctx, &r, "Succeeded", nil)
		return false
	case "Cancelling":
		if r.CancelWait && r.Expect > 0 && s.newReady(&g, &r) < r.Expect && s.launchErr[sc+name] == "" {
			return false // waiting for the batch's instances to finish launching
		}
		g.Surge, g.Override = 0, nil
		_ = s.groups.Put(ctx, g.Scope+name, g)
		_ = s.reconcileLocked(ctx, name, "")
		r.Status, r.StatusReason, r.EndTime = "Cancelled", "", now
		r.Expect, r.Hold, r.Before = 0, nil, nil
		save()
		s.publishRefresh(ctx, &r, "Cancelled", nil)
		return false
	case "InProgress", "RollbackInProgress":
		if g.suspended(ProcessInstanceRefresh) || g.suspended(ProcessLaunch) || g.suspended(ProcessTerminate) {
			return false // paused: instances are not replaced until the processes resume
		}
	default:
		return false
	}
	if msg := s.launchErr[sc+name]; msg != "" && r.Expect > 0 {
		delete(s.launchErr, sc+name)
		s.failRefresh(ctx, &g, &r, "Instance refresh failed: an instance failed to launch: "+msg)
		return true
	}
	if now.Before(r.WaitUntil) {
		return false
	}
	warmup := time.Duration(*r.Preferences.InstanceWarmup) * time.Second
	if r.Expect > 0 {
		// A batch is in flight: wait for its new instances, then their warmup.
		if s.newReady(&g, &r) < r.Expect {
			r.StatusReason = "Waiting for instances to be in service."
			save()
			return false
		}
		if r.WarmSince.IsZero() {
			r.WarmSince = now
			r.StatusReason = "Waiting for instances to warm up."
			save()
		}
		if now.Before(r.WarmSince.Add(warmup)) {
			return false
		}
		cause := s.cause("an instance was taken out of service in response to an instance refresh.")
		for i := range g.Members {
			if slices.Contains(r.Hold, g.Members[i].ID) && !strings.HasPrefix(g.Members[i].Lifecycle, "Terminating") {
				s.startTerminate(ctx, &g, &g.Members[i], cause)
			}
		}
		g.Surge = 0
		_ = s.groups.Put(ctx, g.Scope+name, g)
		_ = s.reconcileLocked(ctx, name, cause)
		r.Replaced += r.Batch
		r.Batch, r.Expect, r.Hold, r.Before, r.WarmSince, r.StatusReason = 0, 0, nil, nil, time.Time{}, ""
		r.setProgress()
		if cps := r.Preferences.CheckpointPercentages; !r.Rollback && r.NextCheckpoint < len(cps) && r.PercentageComplete >= cps[r.NextCheckpoint] {
			cp := cps[r.NextCheckpoint]
			r.NextCheckpoint++
			delay := *r.Preferences.CheckpointDelay
			s.publishRefresh(ctx, &r, "Checkpoint Reached", map[string]string{"CheckpointPercentage": strconv.Itoa(int(cp)), "CheckpointDelay": strconv.Itoa(int(delay))})
			switch {
			case r.PercentageComplete >= 100 || len(r.ToReplace) == 0:
				// Everything is replaced: nothing to wait for.
			case r.NextCheckpoint == len(cps):
				// The last checkpoint is below 100%: the refresh ends there.
				s.finishRefresh(ctx, &r)
				return false
			default:
				r.WaitUntil = now.Add(time.Duration(delay) * time.Second)
				r.StatusReason = fmt.Sprintf("Waiting for a checkpoint: %d%% of instances replaced.", cp)
			}
		}
		save()
		return true
	}
	// Start the next batch.
	var remaining []string
	members := map[string]member{}
	for _, m := range g.Members {
		members[m.ID] = m
	}
	for _, id := range r.ToReplace {
		m, ok := members[id]
		switch {
		case !ok || strings.HasPrefix(m.Lifecycle, "Terminating") || m.Lifecycle == "Detached":
			r.Replaced++ // gone already: its replacement launches with the desired configuration
		case m.Lifecycle == "InService" && (!m.Protected || r.Preferences.ScaleInProtectedInstances == "Refresh"):
			remaining = append(remaining, id)
		case m.Lifecycle == "Pending" || m.Lifecycle == "Pending:Wait" || m.Lifecycle == "Pending:Proceed":
			remaining = append(remaining, id) // replaced once in service
		default:
			r.Total-- // moved to Standby or protected meanwhile: left alone
		}
	}
	ready := slices.DeleteFunc(slices.Clone(remaining), func(id string) bool { return members[id].Lifecycle != "InService" })
	if len(remaining) == 0 {
		r.ToReplace = nil
		r.setProgress()
		s.finishRefresh(ctx, &r)
		return false
	}
	if len(ready) == 0 {
		r.ToReplace = remaining
		save()
		return false
	}
	capacity := int(g.DesiredCapacity)
	minH, maxH := int(*r.Preferences.MinHealthyPercentage), int(*r.Preferences.MaxHealthyPercentage)
	below := capacity - (capacity*minH+99)/100
	extra := capacity*maxH/100 - capacity
	batch := min(len(ready), max(1, below+extra))
	launchFirst := min(batch, extra)
	termFirst := batch - launchFirst
	victims := ready[:batch]
	r.Before = r.Before[:0]
	for _, m := range g.Members {
		r.Before = append(r.Before, m.ID)
	}
	cause := s.cause("an instance was taken out of service in response to an instance refresh.")
	for i := range g.Members {
		if slices.Contains(victims[:termFirst], g.Members[i].ID) {
			s.startTerminate(ctx, &g, &g.Members[i], cause)
		}
	}
	r.Hold = slices.Clone(victims[termFirst:])
	r.Batch, r.Expect = batch, batch
	r.ToReplace = slices.DeleteFunc(remaining, func(id string) bool { return slices.Contains(victims, id) })
	g.Surge = int32(launchFirst)
	if r.Rollback {
		g.Override = nil
	} else {
		g.Override = r.DesiredConfiguration
	}
	delete(s.launchErr, sc+name)
	r.StatusReason = ""
	save()
	_ = s.groups.Put(ctx, g.Scope+name, g)
	_ = s.reconcileLocked(ctx, name, s.cause("an instance was launched in response to an instance refresh."))
	return true
}

// newReady counts the batch's new instances that are in service.
func (s *Service) newReady(g *groupRecord, r *refreshRecord) int {
	n := 0
	for _, m := range g.Members {
		if m.Lifecycle == "InService" && !slices.Contains(r.Before, m.ID) {
			n++
		}
	}
	return n
}

// finishRefresh ends a refresh that replaced every instance: the group takes the desired
// configuration (a rollback keeps the group's own).
func (s *Service) finishRefresh(ctx context.Context, r *refreshRecord) {
	now := s.clk.Now().UTC()
	g, err := s.group(ctx, r.AutoScalingGroupName)
	if err == nil {
		if d := r.DesiredConfiguration; d != nil && !r.Rollback {
			if d.LaunchTemplate != nil {
				g.LaunchTemplate, g.MixedInstancesPolicy, g.LaunchConfigurationName = d.LaunchTemplate, nil, ""
			} else {
				g.MixedInstancesPolicy, g.LaunchTemplate, g.LaunchConfigurationName = d.MixedInstancesPolicy, nil, ""
			}
		}
		g.Override, g.Surge = nil, 0
		_ = s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g)
	}
	r.StatusReason = ""
	r.Expect, r.Hold, r.Before = 0, nil, nil
	switch {
	case r.Rollback:
		r.Status, r.EndTime = "RollbackSuccessful", now
		_ = s.refreshes.Put(ctx, r.key(), *r)
		s.publishRefresh(ctx, r, "Rollback Succeeded", nil)
	case r.Preferences.BakeTime != nil && *r.Preferences.BakeTime > 0:
		r.Status, r.WaitUntil = "Baking", now.Add(time.Duration(*r.Preferences.BakeTime)*time.Second)
		r.StatusReason = "Waiting for the bake time to pass."
		_ = s.refreshes.Put(ctx, r.key(), *r)
	default:
		r.Status, r.EndTime = "Successful", now
		_ = s.refreshes.Put(ctx, r.key(), *r)
		s.publishRefresh(ctx, r, "Succeeded", nil)
	}
}

// failRefresh fails a refresh, rolling it back when AutoRollback is set.
func (s *Service) failRefresh(ctx context.Context, g *groupRecord, r *refreshRecord, reason string) {
	now := s.clk.Now().UTC()
	if r.Rollback {
		r.Status, r.StatusReason, r.EndTime = "RollbackFailed", reason, now
		g.Surge, g.Override = 0, nil
		_ = s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, *g)
		_ = s.refreshes.Put(ctx, r.key(), *r)
		s.publishRefresh(ctx, r, "Rollback Failed", nil)
		return
	}
	if *r.Preferences.AutoRollback {
		s.startRollback(ctx, g, r, reason)
		return
	}
	r.Status, r.StatusReason, r.EndTime = "Failed", reason, now
	r.Expect, r.Hold, r.Before = 0, nil, nil
	g.Surge, g.Override = 0, nil
	_ = s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, *g)
	_ = s.refreshes.Put(ctx, r.key(), *r)
	s.publishRefresh(ctx, r, "Failed", nil)
	_ = s.reconcileLocked(ctx, g.AutoScalingGroupName, "")
}

// startRollback turns a refresh into a rollback: the instances launched with the desired
// configuration are replaced with the group's own configuration.
func (s *Service) startRollback(ctx context.Context, g *groupRecord, r *refreshRecord, reason string) {
	now := s.clk.Now().UTC()
	r.Rollback = true
	r.Status, r.StatusReason = "RollbackInProgress", reason
	r.Expect, r.Hold, r.Before, r.WarmSince, r.WaitUntil = 0, nil, nil, time.Time{}, time.Time{}
	g.Surge, g.Override = 0, nil
	if r.Previous != nil { // a refresh that finished baking already moved the group
		g.LaunchTemplate, g.MixedInstancesPolicy, g.LaunchConfigurationName = r.Previous.LaunchTemplate, r.Previous.MixedInstancesPolicy, r.PrevLC
	}
	_ = s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, *g)
	_ = s.reconcileLocked(ctx, g.AutoScalingGroupName, "")
	if ng, err := s.group(ctx, g.AutoScalingGroupName); err == nil {
		*g = ng
	}
	r.TargetKey = s.desiredKey(ctx, g, nil)
	r.ToReplace = nil
	for _, m := range g.Members {
		if s.replaceable(r, m) && m.Config != r.TargetKey {
			r.ToReplace = append(r.ToReplace, m.ID)
		}
	}
	r.Total, r.Replaced = len(r.ToReplace), 0
	r.RollbackDetails = &RollbackDetails{RollbackReason: reason, RollbackStartTime: now}
	r.setProgress()
	_ = s.refreshes.Put(ctx, r.key(), *r)
	s.publishRefresh(ctx, r, "Rollback Started", nil)
}

// DescribeInstanceRefreshes lists a group's instance refreshes, newest first.
func (s *Service) DescribeInstanceRefreshes(ctx context.Context, in *DescribeInstanceRefreshesInput) (*DescribeInstanceRefreshesOutput, error) {
	return do(ctx, s, "DescribeInstanceRefreshes", in, func(ctx context.Context, in *DescribeInstanceRefreshesInput) (*DescribeInstanceRefreshesOutput, error) {
		if err := validName("autoScalingGroupName", in.AutoScalingGroupName); err != nil {
			return nil, err
		}
		limit := int(in.MaxRecords)
		if limit < 0 || limit > 100 {
			return nil, ErrValidation.With("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100", limit)
		}
		if limit == 0 {
			limit = 50
		}
		prefix := scope(ctx) + in.AutoScalingGroupName + "/"
		after := ""
		if in.NextToken != "" {
			if !strings.HasPrefix(in.NextToken, in.AutoScalingGroupName+"/") {
				return nil, apierr.New(apierr.Invalid, "InvalidNextToken", "The token '%s' is invalid.", in.NextToken)
			}
			after = scope(ctx) + in.NextToken
		}
		out := &DescribeInstanceRefreshesOutput{InstanceRefreshes: []InstanceRefresh{}}
		all, err := s.refreshes.All(ctx, prefix)
		if err != nil {
			return nil, err
		}
		for _, r := range all {
			if after != "" && r.key() <= after {
				continue
			}
			if len(in.InstanceRefreshIDs) > 0 && !slices.Contains(in.InstanceRefreshIDs, r.InstanceRefreshID) {
				continue
			}
			if len(out.InstanceRefreshes) == limit {
				last := out.InstanceRefreshes[limit-1]
				for _, x := range all {
					if x.InstanceRefreshID == last.InstanceRefreshID {
						out.NextToken = strings.TrimPrefix(x.key(), scope(ctx))
					}
				}
				break
			}
			out.InstanceRefreshes = append(out.InstanceRefreshes, r.InstanceRefresh)
		}
		return out, nil
	})
}

// CancelInstanceRefresh cancels a group's active refresh: Cancelling while the instances of
// the batch in flight finish launching (unless WaitForTransitioningInstances is false), then
// Cancelled. Instances already replaced stay.
func (s *Service) CancelInstanceRefresh(ctx context.Context, in *CancelInstanceRefreshInput) (*InstanceRefreshIDOutput, error) {
	return do(ctx, s, "CancelInstanceRefresh", in, func(ctx context.Context, in *CancelInstanceRefreshInput) (*InstanceRefreshIDOutput, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g, r, err := s.userRefreshLocked(ctx, in.AutoScalingGroupName, "Cancelling")
		if err != nil {
			return nil, err
		}
		r.Status = "Cancelling"
		r.CancelWait = in.WaitForTransitioningInstances == nil || *in.WaitForTransitioningInstances
		if err := s.refreshes.Put(ctx, r.key(), r); err != nil {
			return nil, err
		}
		s.stepRefreshLocked(ec2sim.WithInternal(ctx), g.AutoScalingGroupName)
		return &InstanceRefreshIDOutput{InstanceRefreshID: r.InstanceRefreshID}, nil
	})
}

// RollbackInstanceRefresh rolls back a group's active refresh: instances launched with the
// desired configuration are replaced with the group's previous one. It needs a refresh
// started with a DesiredConfiguration and a group whose launch template version is fixed.
func (s *Service) RollbackInstanceRefresh(ctx context.Context, in *RollbackInstanceRefreshInput) (*InstanceRefreshIDOutput, error) {
	return do(ctx, s, "RollbackInstanceRefresh", in, func(ctx context.Context, in *RollbackInstanceRefreshInput) (*InstanceRefreshIDOutput, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g, r, err := s.userRefreshLocked(ctx, in.AutoScalingGroupName, "Cancelling", "RollbackInProgress")
		if err != nil {
			return nil, err
		}
		if r.DesiredConfiguration == nil {
			return nil, ErrIrreversibleRefresh.With("The instance refresh can't be rolled back because it was started without a desired configuration.")
		}
		if floatingVersion(g.template()) {
			return nil, ErrIrreversibleRefresh.With("The instance refresh can't be rolled back because the Auto Scaling group's launch template version is $Latest or $Default.")
		}
		ictx := ec2sim.WithInternal(ctx)
		s.startRollback(ictx, &g, &r, "Rollback requested by user.")
		s.stepRefreshLocked(ictx, g.AutoScalingGroupName)
		return &InstanceRefreshIDOutput{InstanceRefreshID: r.InstanceRefreshID}, nil
	})
}
