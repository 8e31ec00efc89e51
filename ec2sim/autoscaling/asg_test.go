package autoscaling_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fixture struct {
	clk    *clock.Manual
	ec2    *ec2sim.Service
	asg    *autoscaling.Service
	mu     sync.Mutex
	events []string
}

func setup(t testing.TB) *fixture {
	t.Helper()
	return setupOpts(t, autoscaling.Options{Interval: time.Minute})
}

func setupOpts(t testing.TB, opts autoscaling.Options) *fixture {
	t.Helper()
	f := &fixture{clk: clock.NewManual(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))}
	env := awstest.EnvWith(t, f.clk)
	awstest.Bus(env).Subscribe(func(_ context.Context, e eventbus.Event) {
		if e.Source == "aws.autoscaling" {
			f.mu.Lock()
			f.events = append(f.events, e.DetailType)
			f.mu.Unlock()
		}
	})
	var err error
	if f.ec2, err = ec2sim.New(env, ec2sim.Options{}); err != nil {
		t.Fatal(err)
	}
	if f.asg, err = autoscaling.New(env, f.ec2, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.asg.Close(context.Background())
		f.ec2.Close(context.Background())
	})
	ud := base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\nyum install -y httpd\necho ok > /var/www/html/index.html\nsystemctl enable --now httpd\n"))
	if _, err := f.ec2.CreateLaunchTemplate(context.Background(), &ec2sim.CreateLaunchTemplateInput{LaunchTemplateName: "web",
		LaunchTemplateData: ec2sim.LaunchTemplateData{ImageID: ec2sim.AL2023AMI, InstanceType: "t3.micro", UserData: ud}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// tick advances the clock by the reconcile interval (a minute) and waits until the background
// reconciler finished that pass, so that it does not land in the middle of what the test does
// next.
func (f *fixture) tick(t testing.TB) {
	t.Helper()
	f.clk.Advance(time.Minute)
	if err := f.asg.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// settle waits for the background reconciler, lets EC2 finish boots and runs one reconcile
// pass.
func (f *fixture) settle(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	f.asg.Settle(ctx)
	f.ec2.Settle(ctx)
	f.asg.Reconcile(ctx)
	f.ec2.Settle(ctx)
}

func (f *fixture) group(t *testing.T, name string) autoscaling.Group {
	t.Helper()
	out, err := f.asg.DescribeAutoScalingGroups(context.Background(), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("%+v %v", out, err)
	}
	return out.AutoScalingGroups[0]
}

func states(g autoscaling.Group) map[string]int {
	m := map[string]int{}
	for _, i := range g.Instances {
		m[i.LifecycleState]++
	}
	return m
}

func i32(v int32) *int32 { return &v }
func yes() *bool         { b := true; return &b }

func TestGroupLifecycle(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	_, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "web", MinSize: 1, MaxSize: 5, DesiredCapacity: i32(3),
		LaunchTemplate:    &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web"},
		AvailabilityZones: []string{"us-east-1a", "us-east-1b", "us-east-1c"},
		Tags:              []autoscaling.Tag{{Key: "team", Value: "blue", PropagateAtLaunch: yes()}, {Key: "internal", Value: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "web", MinSize: 1, MaxSize: 1, AvailabilityZones: []string{"us-east-1a"}, LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web"}}); !errors.Is(err, autoscaling.ErrAlreadyExists) {
		t.Errorf("duplicate: %v", err)
	}
	g := f.group(t, "web")
	if len(g.Instances) != 3 || states(g)["Pending"] != 3 {
		t.Fatalf("%+v", g.Instances)
	}
	zones := map[string]bool{}
	for _, i := range g.Instances {
		zones[i.AvailabilityZone] = true
	}
	if len(zones) != 3 {
		t.Errorf("not spread over zones: %v", zones)
	}
	f.settle(t)
	g = f.group(t, "web")
	if states(g)["InService"] != 3 {
		t.Fatalf("%+v", g.Instances)
	}
	// Tags propagated, user data ran.
	inst, _ := f.ec2.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{Filters: []ec2sim.Filter{{Name: "tag:aws:autoscaling:groupName", Values: []string{"web"}}, {Name: "tag:team", Values: []string{"blue"}}}})
	if n := len(inst.Reservations); n != 3 {
		t.Errorf("%d tagged reservations", n)
	}
	h, _ := f.ec2.Host(g.Instances[0].InstanceID)
	if !h.ServiceActive("httpd") {
		t.Error("user data did not run on a group instance")
	}
	// An instance terminated behind the group's back is replaced.
	victim := g.Instances[0].InstanceID
	f.ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{victim}})
	f.settle(t)
	f.settle(t)
	g = f.group(t, "web")
	if states(g)["InService"] != 3 {
		t.Fatalf("after replacement %+v", g.Instances)
	}
	for _, i := range g.Instances {
		if i.InstanceID == victim {
			t.Error("terminated instance still in group")
		}
	}
	// Scale in, then terminate with decrement.
	if _, err := f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: 2}); err != nil {
		t.Fatal(err)
	}
	if g = f.group(t, "web"); len(g.Instances) != 2 {
		t.Fatalf("scale in: %+v", g.Instances)
	}
	if _, err := f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: 9}); !errors.Is(err, autoscaling.ErrValidation) {
		t.Errorf("above max: %v", err)
	}
	if _, err := f.asg.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{InstanceID: g.Instances[0].InstanceID, ShouldDecrementDesiredCapacity: yes()}); err != nil {
		t.Fatal(err)
	}
	if g = f.group(t, "web"); g.DesiredCapacity != 1 || len(g.Instances) != 1 {
		t.Fatalf("%+v", g)
	}
	acts, _ := f.asg.DescribeScalingActivities(ctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: "web"})
	if len(acts.Activities) < 6 || acts.Activities[0].Description[:11] != "Terminating" {
		t.Errorf("%d activities, first %+v", len(acts.Activities), acts.Activities[0])
	}
	if _, err := f.asg.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: "web"}); !errors.Is(err, autoscaling.ErrResourceInUse) {
		t.Errorf("delete non-empty: %v", err)
	}
	if _, err := f.asg.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: "web", ForceDelete: true}); err != nil {
		t.Fatal(err)
	}
	f.ec2.Settle(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	launches, terms := 0, 0
	for _, e := range f.events {
		switch e {
		case "EC2 Instance Launch Successful":
			launches++
		case "EC2 Instance Terminate Successful":
			terms++
		}
	}
	if launches != 4 || terms < 2 {
		t.Errorf("events: %d launches, %d terminations: %v", launches, terms, f.events)
	}
}

func TestPoliciesAndHooks(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	_, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "app", MinSize: 1, MaxSize: 10, DesiredCapacity: i32(2),
		LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "$Latest"}, AvailabilityZones: []string{"us-east-1a"},
		LifecycleHookSpecificationList: []autoscaling.LifecycleHookSpecification{{LifecycleHookName: "warm", LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING", HeartbeatTimeout: 60, DefaultResult: "CONTINUE"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	g := f.group(t, "app")
	if states(g)["Pending:Wait"] != 2 {
		t.Fatalf("%+v", g.Instances)
	}
	if _, err := f.asg.CompleteLifecycleAction(ctx, &autoscaling.CompleteLifecycleActionInput{AutoScalingGroupName: "app", LifecycleHookName: "warm", InstanceID: g.Instances[0].InstanceID, LifecycleActionResult: "CONTINUE"}); err != nil {
		t.Fatal(err)
	}
	if g = f.group(t, "app"); states(g)["InService"] != 1 {
		t.Fatalf("%+v", g.Instances)
	}
	f.clk.Advance(61 * time.Second) // the other one times out with CONTINUE
	f.settle(t)
	if g = f.group(t, "app"); states(g)["InService"] != 2 {
		t.Fatalf("after timeout %+v", g.Instances)
	}
	if _, err := f.asg.CompleteLifecycleAction(ctx, &autoscaling.CompleteLifecycleActionInput{AutoScalingGroupName: "app", LifecycleHookName: "warm", InstanceID: g.Instances[0].InstanceID, LifecycleActionResult: "CONTINUE"}); !errors.Is(err, autoscaling.ErrValidation) {
		t.Errorf("no action: %v", err)
	}
	f.asg.DeleteLifecycleHook(ctx, &autoscaling.DeleteLifecycleHookInput{AutoScalingGroupName: "app", LifecycleHookName: "warm"})

	// Simple policy.
	if _, err := f.asg.PutScalingPolicy(ctx, &autoscaling.PutScalingPolicyInput{AutoScalingGroupName: "app", PolicyName: "up", AdjustmentType: "ChangeInCapacity", ScalingAdjustment: i32(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.asg.ExecutePolicy(ctx, &autoscaling.ExecutePolicyInput{AutoScalingGroupName: "app", PolicyName: "up"}); err != nil {
		t.Fatal(err)
	}
	if g = f.group(t, "app"); g.DesiredCapacity != 4 {
		t.Fatalf("desired %d", g.DesiredCapacity)
	}
	// Step policy.
	lo0, lo20 := 0.0, 20.0
	f.asg.PutScalingPolicy(ctx, &autoscaling.PutScalingPolicyInput{AutoScalingGroupName: "app", PolicyName: "step", PolicyType: "StepScaling", AdjustmentType: "ChangeInCapacity",
		StepAdjustments: []autoscaling.StepAdjustment{{MetricIntervalLowerBound: &lo0, MetricIntervalUpperBound: &lo20, ScalingAdjustment: 1}, {MetricIntervalLowerBound: &lo20, ScalingAdjustment: 3}}})
	mv, th := 95.0, 70.0
	if _, err := f.asg.ExecutePolicy(ctx, &autoscaling.ExecutePolicyInput{AutoScalingGroupName: "app", PolicyName: "step", MetricValue: &mv, BreachThreshold: &th}); err != nil {
		t.Fatal(err)
	}
	if g = f.group(t, "app"); g.DesiredCapacity != 7 {
		t.Fatalf("step desired %d", g.DesiredCapacity)
	}
	f.settle(t)
	// Target tracking on CPU: 7 instances at 90% with target 45 → 10 (max).
	if _, err := f.asg.PutScalingPolicy(ctx, &autoscaling.PutScalingPolicyInput{AutoScalingGroupName: "app", PolicyName: "cpu", PolicyType: "TargetTrackingScaling",
		TargetTrackingConfiguration: &autoscaling.TargetTrackingConfiguration{PredefinedMetricSpecification: &autoscaling.PredefinedMetricSpecification{PredefinedMetricType: "ASGAverageCPUUtilization"}, TargetValue: 45}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.asg.ExecutePolicy(ctx, &autoscaling.ExecutePolicyInput{AutoScalingGroupName: "app", PolicyName: "cpu"}); !errors.Is(err, autoscaling.ErrValidation) {
		t.Errorf("execute target tracking: %v", err)
	}
	g = f.group(t, "app")
	for _, i := range g.Instances {
		f.asg.SetCPU(i.InstanceID, 90)
	}
	f.tick(t) // the background reconciler ticks
	f.settle(t)
	if g = f.group(t, "app"); g.DesiredCapacity != 10 {
		t.Fatalf("target tracking desired %d", g.DesiredCapacity)
	}
	f.settle(t)
	for _, i := range f.group(t, "app").Instances {
		f.asg.SetCPU(i.InstanceID, 9)
	}
	f.asg.Reconcile(ctx)
	if g = f.group(t, "app"); g.DesiredCapacity != 2 {
		t.Fatalf("scale in by tracking: desired %d", g.DesiredCapacity)
	}
	pols, _ := f.asg.DescribePolicies(ctx, &autoscaling.DescribePoliciesInput{AutoScalingGroupName: "app"})
	if len(pols.ScalingPolicies) != 3 {
		t.Errorf("%d policies", len(pols.ScalingPolicies))
	}
	f.asg.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: "app", ForceDelete: true})
	f.ec2.Settle(ctx)
	f.mu.Lock()
	b, _ := json.Marshal(f.events)
	f.mu.Unlock()
	if !contains(f.events, "EC2 Instance-launch Lifecycle Action") {
		t.Errorf("events %s", b)
	}
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

func TestLaunchConfigurationAndErrors(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := f.asg.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{LaunchConfigurationName: "lc", ImageID: ec2sim.Ubuntu2404AMI, InstanceType: "t3.small"}); err != nil {
		t.Fatal(err)
	}
	subs, _ := f.ec2.DescribeSubnets(ctx, &ec2sim.DescribeSubnetsInput{})
	_, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "lcg", MinSize: 2, MaxSize: 2, LaunchConfigurationName: "lc",
		VPCZoneIdentifier: subs.Subnets[0].SubnetID + "," + subs.Subnets[1].SubnetID})
	if err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	g := f.group(t, "lcg")
	if states(g)["InService"] != 2 || g.Instances[0].AvailabilityZone == g.Instances[1].AvailabilityZone {
		t.Fatalf("%+v", g.Instances)
	}
	if _, err := f.asg.DeleteLaunchConfiguration(ctx, &autoscaling.DeleteLaunchConfigurationInput{LaunchConfigurationName: "lc"}); !errors.Is(err, autoscaling.ErrResourceInUse) {
		t.Errorf("delete used lc: %v", err)
	}
	for _, in := range []*autoscaling.CreateAutoScalingGroupInput{
		{AutoScalingGroupName: "x", MinSize: 3, MaxSize: 1, LaunchConfigurationName: "lc", AvailabilityZones: []string{"us-east-1a"}},
		{AutoScalingGroupName: "x", MinSize: 1, MaxSize: 1, AvailabilityZones: []string{"us-east-1a"}},
		{AutoScalingGroupName: "x", MinSize: 1, MaxSize: 1, LaunchConfigurationName: "nope", AvailabilityZones: []string{"us-east-1a"}},
		{AutoScalingGroupName: "x", MinSize: 1, MaxSize: 1, LaunchConfigurationName: "lc"},
		{AutoScalingGroupName: "", MinSize: 1, MaxSize: 1, LaunchConfigurationName: "lc", AvailabilityZones: []string{"us-east-1a"}},
	} {
		if _, err := f.asg.CreateAutoScalingGroup(ctx, in); !errors.Is(err, autoscaling.ErrValidation) {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if _, err := f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "nope", DesiredCapacity: 1}); !errors.Is(err, autoscaling.ErrValidation) {
		t.Errorf("unknown group: %v", err)
	}
	f.asg.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: "lcg", ForceDelete: true})
	f.ec2.Settle(ctx)
}
