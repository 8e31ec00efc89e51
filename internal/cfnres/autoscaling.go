package cfnres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

// goneAS treats Auto Scaling's "... not found" validation errors as deleted.
func goneAS(err error) error {
	if err = notFound(err); err != nil && strings.Contains(strings.ToLower(err.Error()), "not found") {
		return nil
	}
	return err
}

func registerAutoScaling(cf *cloudformation.Service, svc *autoscaling.Service, ec2 *ec2sim.Service) {
	g := asGroups{svc: svc, ec2: ec2, cf: cf}
	cf.RegisterProvider("AWS::AutoScaling::AutoScalingGroup", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: g.create, UpdateFunc: g.update, DeleteFunc: g.delete, ReadFunc: g.read},
		ReplaceOn: []string{"AutoScalingGroupName", "InstanceId"},
		Taggable:  true,
		// A failed rolling update has replaced some instances: rollback rolls them back.
		RollbackFailedUpdate: true,
	})
	cf.RegisterProvider("AWS::AutoScaling::LaunchConfiguration", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: g.createLC, DeleteFunc: g.deleteLC},
		ReplaceOn: []string{"*"},
	})
	cf.RegisterProvider("AWS::AutoScaling::ScalingPolicy", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.putPolicy, UpdateFunc: g.putPolicy, DeleteFunc: g.deletePolicy},
		Attributes: []string{"Arn", "PolicyName"},
		ReplaceOn:  []string{"AutoScalingGroupName"},
	})
}

type asGroups struct {
	svc *autoscaling.Service
	ec2 *ec2sim.Service
	cf  *cloudformation.Service // signals and the clock for UpdatePolicy
}

// groupFields are the properties that carry UpdateAutoScalingGroup's names.
var groupFields = []string{"LaunchConfigurationName", "LaunchTemplate", "MinSize", "MaxSize", "DesiredCapacity", "AvailabilityZones",
	"HealthCheckType", "HealthCheckGracePeriod", "TerminationPolicies", "NewInstancesProtectedFromScaleIn"}

func groupProps(p map[string]any) map[string]any {
	sub := map[string]any{}
	for _, k := range groupFields {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if v, ok := p["Cooldown"]; ok {
		sub["DefaultCooldown"] = v
	}
	if lt := obj(p, "LaunchTemplateSpecification"); lt != nil { // older spelling
		sub["LaunchTemplate"] = lt
	}
	return sub
}

func (g asGroups) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "MinSize", "MaxSize"); err != nil {
		return nil, err
	}
	in := &autoscaling.CreateAutoScalingGroupInput{}
	sub := groupProps(p)
	for _, k := range []string{"LoadBalancerNames", "TargetGroupARNs", "LifecycleHookSpecificationList", "ServiceLinkedRoleARN", "InstanceId"} {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.AutoScalingGroupName = physicalName(req, "AutoScalingGroupName", 255)
	in.VPCZoneIdentifier = strings.Join(strs(p, "VPCZoneIdentifier"), ",")
	in.Tags = g.tags(req)
	if _, err := g.svc.CreateAutoScalingGroup(ctx, in); err != nil {
		return nil, err
	}
	if err := g.settle(ctx, in.AutoScalingGroupName); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.AutoScalingGroupName}, nil
}

func (g asGroups) tags(req *cloudformation.Request) []autoscaling.Tag {
	prop := map[string]bool{}
	if l, ok := req.Properties["Tags"].([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				prop[str(m, "Key")] = boolp(m, "PropagateAtLaunch") != nil && *boolp(m, "PropagateAtLaunch")
			}
		}
	}
	var out []autoscaling.Tag
	for _, t := range tags(req) {
		pr, ok := prop[t.Key]
		if !ok {
			pr = true // stack tags propagate
		}
		out = append(out, autoscaling.Tag{Key: t.Key, Value: t.Value, PropagateAtLaunch: &pr})
	}
	return out
}

// settle waits until the group's instances have booted (CloudFormation completes a group
// once its desired capacity is in service).
func (g asGroups) settle(ctx context.Context, name string) error {
	out, err := g.svc.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil || len(out.AutoScalingGroups) == 0 || g.ec2 == nil {
		return err
	}
	var ids []string
	for _, i := range out.AutoScalingGroups[0].Instances {
		ids = append(ids, i.InstanceID)
	}
	return g.ec2.WaitBooted(ctx, ids...)
}

func (g asGroups) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	rp, err := parseRolling(req.UpdatePolicy)
	if err != nil {
		return nil, err
	}
	if err := g.apply(ctx, req.PhysicalID, req.Properties); err != nil {
		return nil, err
	}
	if rp != nil && launchChanged(req.OldProperties, req.Properties) {
		// A failure leaves the group half rolled: the engine's rollback calls update again
		// with the previous properties (RollbackFailedUpdate), which rolls them back out.
		if err := g.roll(ctx, req, rp); err != nil {
			return nil, err
		}
	}
	if err := g.settle(ctx, req.PhysicalID); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID}, nil
}

// apply sets a group's properties (UpdateAutoScalingGroup).
func (g asGroups) apply(ctx context.Context, name string, props map[string]any) error {
	in := &autoscaling.UpdateAutoScalingGroupInput{}
	if err := decode(groupProps(props), in); err != nil {
		return err
	}
	in.AutoScalingGroupName = name
	in.VPCZoneIdentifier = strings.Join(strs(props, "VPCZoneIdentifier"), ",")
	_, err := g.svc.UpdateAutoScalingGroup(ctx, in)
	return err
}

func (g asGroups) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: req.PhysicalID, ForceDelete: true})
	if err != nil || g.ec2 == nil {
		return goneAS(err)
	}
	return g.ec2.Settle(ctx) // the instances' termination
}

func (g asGroups) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := g.svc.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.AutoScalingGroups) == 0 {
		return nil, autoscaling.ErrValidation.With("AutoScalingGroup name not found - %s", req.PhysicalID)
	}
	grp := out.AutoScalingGroups[0]
	props := map[string]any{"MinSize": str(map[string]any{"v": float64(grp.MinSize)}, "v"), "MaxSize": str(map[string]any{"v": float64(grp.MaxSize)}, "v")}
	if _, ok := req.Properties["DesiredCapacity"]; ok {
		props["DesiredCapacity"] = str(map[string]any{"v": float64(grp.DesiredCapacity)}, "v")
	}
	return props, nil
}

func (g asGroups) createLC(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "ImageId", "InstanceType"); err != nil {
		return nil, err
	}
	in := &autoscaling.CreateLaunchConfigurationInput{}
	sub := map[string]any{}
	for _, k := range []string{"ImageId", "InstanceType", "KeyName", "SecurityGroups", "UserData", "IamInstanceProfile"} {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.LaunchConfigurationName = physicalName(req, "LaunchConfigurationName", 255)
	if _, err := g.svc.CreateLaunchConfiguration(ctx, in); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.LaunchConfigurationName}, nil
}

func (g asGroups) deleteLC(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DeleteLaunchConfiguration(ctx, &autoscaling.DeleteLaunchConfigurationInput{LaunchConfigurationName: req.PhysicalID})
	return goneAS(err)
}

func (g asGroups) putPolicy(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "AutoScalingGroupName"); err != nil {
		return nil, err
	}
	in := &autoscaling.PutScalingPolicyInput{}
	sub := map[string]any{}
	for _, k := range []string{"PolicyType", "AdjustmentType", "ScalingAdjustment", "MinAdjustmentMagnitude", "Cooldown", "MetricAggregationType",
		"StepAdjustments", "EstimatedInstanceWarmup", "TargetTrackingConfiguration", "Enabled"} {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.AutoScalingGroupName = str(p, "AutoScalingGroupName")
	in.PolicyName, _ = req.Attributes["PolicyName"].(string)
	if in.PolicyName == "" {
		in.PolicyName = generatedName(req, 255)
	}
	out, err := g.svc.PutScalingPolicy(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.PolicyARN, Attributes: map[string]any{"Arn": out.PolicyARN, "PolicyName": in.PolicyName}}, nil
}

func (g asGroups) deletePolicy(ctx context.Context, req *cloudformation.Request) error {
	name, _ := req.Attributes["PolicyName"].(string)
	_, err := g.svc.DeletePolicy(ctx, &autoscaling.DeletePolicyInput{AutoScalingGroupName: str(req.Properties, "AutoScalingGroupName"), PolicyName: name})
	return goneAS(err)
}

// UpdatePolicy AutoScalingRollingUpdate -----------------------------------------------------

// rollingPolicy is an evaluated AutoScalingRollingUpdate.
type rollingPolicy struct {
	maxBatch      int
	minInService  int
	pause         time.Duration
	waitSignals   bool
	minSuccessPct float64
	suspend       []string // SuspendProcesses: suspended for the update's duration
}

// parseRolling reads UpdatePolicy.AutoScalingRollingUpdate (nil when absent) with AWS's
// defaults: MaxBatchSize 1, MinInstancesInService 0, PauseTime PT0S (PT5M when
// WaitOnResourceSignals), MinSuccessfulInstancesPercent 100.
func parseRolling(policy map[string]any) (*rollingPolicy, error) {
	m, ok := policy["AutoScalingRollingUpdate"].(map[string]any)
	if !ok {
		return nil, nil
	}
	rp := &rollingPolicy{maxBatch: 1, minSuccessPct: 100}
	num := func(key string, min int) (int, error) {
		v, ok := m[key]
		if !ok {
			return -1, nil
		}
		n, err := strconv.Atoi(str(map[string]any{"v": v}, "v"))
		if err != nil || n < min {
			return 0, propErr("Invalid value for %s in AutoScalingRollingUpdate: %v", key, v)
		}
		return n, nil
	}
	if n, err := num("MaxBatchSize", 1); err != nil {
		return nil, err
	} else if n > 0 {
		rp.maxBatch = n
	}
	if n, err := num("MinInstancesInService", 0); err != nil {
		return nil, err
	} else if n >= 0 {
		rp.minInService = n
	}
	if n, err := num("MinSuccessfulInstancesPercent", 0); err != nil {
		return nil, err
	} else if n >= 0 {
		if n > 100 {
			return nil, propErr("MinSuccessfulInstancesPercent must be between 0 and 100")
		}
		rp.minSuccessPct = float64(n)
	}
	rp.suspend = strs(m, "SuspendProcesses")
	rp.waitSignals = str(m, "WaitOnResourceSignals") == "true"
	if rp.waitSignals {
		rp.pause = 5 * time.Minute
	}
	if v, ok := m["PauseTime"]; ok {
		d, ok := isoDuration(str(map[string]any{"v": v}, "v"))
		if !ok || d > time.Hour {
			return nil, propErr("Invalid value for PauseTime in AutoScalingRollingUpdate: %v (an ISO8601 duration of at most PT1H)", v)
		}
		rp.pause = d
	}
	return rp, nil
}

// isoText writes d as an ISO 8601 duration (PT5M, PT1M30S, PT0S), as AWS's messages show
// PauseTime.
func isoText(d time.Duration) string {
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	out := "PT"
	if h > 0 {
		out += strconv.Itoa(h) + "H"
	}
	if m > 0 {
		out += strconv.Itoa(m) + "M"
	}
	if s > 0 || h == 0 && m == 0 {
		out += strconv.Itoa(s) + "S"
	}
	return out
}

// isoDuration parses PT#H#M#S.
func isoDuration(s string) (time.Duration, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(s, "PT")
	if !ok || rest == "" {
		return 0, false
	}
	var d time.Duration
	num := ""
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case (r == 'H' || r == 'M' || r == 'S') && num != "":
			n, err := strconv.Atoi(num)
			if err != nil || n > 1e6 {
				return 0, false
			}
			d += time.Duration(n) * map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}[r]
			num = ""
		default:
			return 0, false
		}
	}
	return d, num == ""
}

// launchChanged reports a change that makes instances obsolete (a rolling update replaces
// them): the launch configuration, launch template (or its version), mixed instances policy
// or subnets.
func launchChanged(old, cur map[string]any) bool {
	for _, k := range []string{"LaunchConfigurationName", "LaunchTemplate", "LaunchTemplateSpecification", "MixedInstancesPolicy", "VPCZoneIdentifier"} {
		a, _ := json.Marshal(old[k])
		b, _ := json.Marshal(cur[k])
		if string(a) != string(b) {
			return true
		}
	}
	return false
}

func (g asGroups) group(ctx context.Context, name string) (*autoscaling.Group, error) {
	out, err := g.svc.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	return one(out, err, func(o *autoscaling.DescribeAutoScalingGroupsOutput) []autoscaling.Group { return o.AutoScalingGroups },
		autoscaling.ErrValidation.With("AutoScalingGroup name not found - %s", name))
}

// current reports whether an instance runs the group's configuration.
func current(grp *autoscaling.Group, in autoscaling.Instance) bool {
	want := grp.LaunchTemplate
	if want == nil && grp.MixedInstancesPolicy != nil && grp.MixedInstancesPolicy.LaunchTemplate != nil {
		want = grp.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification
	}
	if want == nil {
		return in.LaunchTemplate == nil && in.LaunchConfigurationName == grp.LaunchConfigurationName
	}
	have := in.LaunchTemplate
	if have == nil {
		return false
	}
	sameTemplate := (want.LaunchTemplateID != "" && want.LaunchTemplateID == have.LaunchTemplateID) ||
		(want.LaunchTemplateName != "" && want.LaunchTemplateName == have.LaunchTemplateName)
	wv, hv := want.Version, have.Version
	if wv == "" {
		wv = "$Default"
	}
	if hv == "" {
		hv = "$Default"
	}
	return sameTemplate && wv == hv
}

func live(in autoscaling.Instance) bool {
	return !strings.HasPrefix(in.LifecycleState, "Terminat") && in.LifecycleState != "Detached" && in.LifecycleState != "Detaching"
}

// roll replaces the group's obsolete instances in batches of MaxBatchSize, keeping
// MinInstancesInService instances in service (launching first when needed, which may
// briefly raise DesiredCapacity and MaxSize), then waits for the new instances' signals
// (WaitOnResourceSignals, PauseTime as the timeout) or pauses PauseTime on the platform clock.
func (g asGroups) roll(ctx context.Context, req *cloudformation.Request, rp *rollingPolicy) error {
	name := req.PhysicalID
	grp, err := g.group(ctx, name)
	if err != nil {
		return err
	}
	origMin, origMax, origDesired := grp.MinSize, grp.MaxSize, grp.DesiredCapacity
	restore := func() error {
		_, err := g.svc.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: name,
			MinSize: &origMin, MaxSize: &origMax, DesiredCapacity: &origDesired})
		return err
	}
	defer func() { _ = restore() }()
	if len(rp.suspend) > 0 {
		// AWS suspends these processes while the update runs and resumes them after.
		q := &autoscaling.ScalingProcessQuery{AutoScalingGroupName: name, ScalingProcesses: rp.suspend}
		if _, err := g.svc.SuspendProcesses(ctx, q); err != nil {
			return err
		}
		defer func() { _, _ = g.svc.ResumeProcesses(context.WithoutCancel(ctx), q) }()
	}
	if rp.waitSignals && g.cf != nil {
		defer g.cf.ForgetResourceSignals(req.StackID, req.LogicalID)
	}
	progress := func(format string, args ...any) {
		if g.cf != nil {
			g.cf.ResourceProgress(req.StackID, req.LogicalID, fmt.Sprintf(format, args...))
		}
	}
	done := map[string]bool{} // instances already handled (terminated)
	total := 0                // obsolete instances when the update began
	for range 1000 {
		g.svc.Reconcile(ctx) // member states (Pending -> InService) are current
		grp, err = g.group(ctx, name)
		if err != nil {
			return err
		}
		var obsolete []string
		inService := 0
		ids := map[string]bool{}
		for _, in := range grp.Instances {
			if !live(in) {
				continue
			}
			ids[in.InstanceID] = true
			if in.LifecycleState == "InService" {
				inService++
			}
			if !current(grp, in) && !done[in.InstanceID] {
				obsolete = append(obsolete, in.InstanceID)
			}
		}
		if len(obsolete) == 0 {
			return nil
		}
		if total == 0 {
			total = len(obsolete)
			msg := fmt.Sprintf("Rolling update initiated. Terminating %d obsolete instance(s) in batches of %d, while keeping at least %d instance(s) in service.", total, rp.maxBatch, rp.minInService)
			if rp.waitSignals {
				msg += fmt.Sprintf(" Waiting on resource signals with a timeout of %s when new instances are added to the autoscaling group.", isoText(rp.pause))
			}
			progress("%s", msg)
		}
		batch := obsolete[:min(rp.maxBatch, len(obsolete))]
		extra := 0
		if left := inService - len(batch); left < rp.minInService {
			extra = min(len(batch), rp.minInService-left)
		}
		progress("Terminating instance(s) [%s]; replacing with %d new instance(s).", strings.Join(batch, ","), len(batch))
		if extra > 0 {
			desired := grp.DesiredCapacity + int32(extra)
			maxSize := max(grp.MaxSize, desired)
			if _, err := g.svc.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: name, DesiredCapacity: &desired, MaxSize: &maxSize}); err != nil {
				return err
			}
		}
		for i, id := range batch {
			dec := i < extra
			done[id] = true
			if _, err := g.svc.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{InstanceID: id, ShouldDecrementDesiredCapacity: &dec}); err != nil && goneAS(err) != nil {
				return err
			}
		}
		if err := g.settle(ctx, name); err != nil {
			return err
		}
		g.svc.Reconcile(ctx)
		grp, err = g.group(ctx, name)
		if err != nil {
			return err
		}
		var fresh []string
		for _, in := range grp.Instances {
			if live(in) && !ids[in.InstanceID] {
				fresh = append(fresh, in.InstanceID)
			}
		}
		switch {
		case rp.waitSignals && g.cf != nil && len(fresh) > 0:
			need := int(math.Ceil(float64(len(fresh)) * rp.minSuccessPct / 100))
			progress("New instance(s) added to autoscaling group - Waiting on %d resource signal(s) with a timeout of %s.", need, isoText(rp.pause))
			sigs, err := g.cf.WaitResourceSignals(ctx, req.StackID, req.LogicalID, fresh, need, rp.pause)
			if err != nil && ctx.Err() != nil {
				return err // the operation was cancelled
			}
			if err != nil {
				succeeded, failed := 0, 0
				for _, s := range sigs {
					if s.Status == "FAILURE" {
						failed++
					} else {
						succeeded++
					}
				}
				if failed > 0 {
					return fmt.Errorf("Received %d FAILURE signal(s) out of %d. Unable to satisfy %v%% MinSuccessfulInstancesPercent requirement", failed, len(fresh), rp.minSuccessPct)
				}
				progress("Failed to receive %d resource signal(s) for the current batch. Each resource signal timeout is counted as a FAILURE.", need-succeeded)
				return fmt.Errorf("Received %d SUCCESS signal(s) out of %d. Unable to satisfy %v%% MinSuccessfulInstancesPercent requirement", succeeded, len(fresh), rp.minSuccessPct)
			}
		case rp.pause > 0 && g.cf != nil:
			if err := clock.Sleep(ctx, g.cf.Clock(), rp.pause); err != nil {
				return err
			}
		}
		progress("Successfully terminated instance(s) [%s] (Progress %d%%).", strings.Join(batch, ","), min(100, len(done)*100/total))
	}
	return fmt.Errorf("rolling update of %s did not converge", name)
}
