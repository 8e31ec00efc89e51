package autoscaling_test

import (
	"context"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"

	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awsapi/autoscalingapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// fakeLB records target group registrations.
type fakeLB struct {
	mu  sync.Mutex
	reg map[string]bool // instance id registered with tg
}

func (l *fakeLB) RegisterTargets(_ context.Context, tg string, ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		l.reg[tg+"|"+id] = true
	}
	return nil
}

func (l *fakeLB) DeregisterTargets(_ context.Context, tg string, ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		delete(l.reg, tg+"|"+id)
	}
	return nil
}

func (l *fakeLB) registered() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for k := range l.reg {
		out = append(out, k[len("tg|"):])
	}
	sort.Strings(out)
	return out
}

func (f *fixture) suspend(t *testing.T, group string, procs ...string) {
	t.Helper()
	if _, err := f.asg.SuspendProcesses(context.Background(), &autoscaling.ScalingProcessQuery{AutoScalingGroupName: group, ScalingProcesses: procs}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) resume(t *testing.T, group string, procs ...string) {
	t.Helper()
	if _, err := f.asg.ResumeProcesses(context.Background(), &autoscaling.ScalingProcessQuery{AutoScalingGroupName: group, ScalingProcesses: procs}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) create(t *testing.T, name string, desired int32, zones []string, tgs ...string) {
	t.Helper()
	if _, err := f.asg.CreateAutoScalingGroup(context.Background(), &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: name, MinSize: 0, MaxSize: 6,
		DesiredCapacity: i32(desired), LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web"}, AvailabilityZones: zones, TargetGroupARNs: tgs}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
}

func ids(g autoscaling.Group) []string {
	var out []string
	for _, i := range g.Instances {
		out = append(out, i.InstanceID)
	}
	sort.Strings(out)
	return out
}

func TestSuspendLaunchAndTerminate(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, "web", 2, []string{"us-east-1a", "us-east-1b"})
	f.suspend(t, "web", "Launch", "Terminate")
	g := f.group(t, "web")
	if len(g.SuspendedProcesses) != 2 || g.SuspendedProcesses[0].ProcessName != "Launch" || g.SuspendedProcesses[0].SuspensionReason != "User suspended at 2026-05-01T00:00:00Z" {
		t.Fatalf("%+v", g.SuspendedProcesses)
	}
	// Terminate suspended: no scale in.
	if _, err := f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: 1}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if g = f.group(t, "web"); len(g.Instances) != 2 || g.DesiredCapacity != 1 {
		t.Fatalf("scaled in while Terminate suspended: %+v", g)
	}
	// Launch suspended: no scale out.
	if _, err := f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: 4}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if g = f.group(t, "web"); len(g.Instances) != 2 {
		t.Fatalf("scaled out while Launch suspended: %+v", g.Instances)
	}
	// Terminate resumed: an instance that died is replaced by... nothing yet (Launch still suspended).
	f.resume(t, "web", "Terminate")
	victim := g.Instances[0].InstanceID
	if _, err := f.ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{victim}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if g = f.group(t, "web"); len(g.Instances) != 1 || g.Instances[0].InstanceID == victim {
		t.Fatalf("unhealthy instance not removed or replaced while Launch suspended: %+v", g.Instances)
	}
	f.resume(t, "web") // all
	f.settle(t)
	if g = f.group(t, "web"); len(g.Instances) != 4 || states(g)["InService"] != 4 || len(g.SuspendedProcesses) != 0 {
		t.Fatalf("resume did not reconcile: %+v", g)
	}
}

func TestSuspendHealthCheckAndReplaceUnhealthy(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, "web", 2, []string{"us-east-1a"})
	before := ids(f.group(t, "web"))
	f.suspend(t, "web", "HealthCheck")
	if _, err := f.ec2.StopInstances(ctx, &ec2sim.StopInstancesInput{InstanceIDs: before[:1]}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	g := f.group(t, "web")
	if !slices.Equal(ids(g), before) || g.Instances[0].HealthStatus != "Healthy" || g.Instances[1].HealthStatus != "Healthy" {
		t.Fatalf("health checked while suspended: %+v", g.Instances)
	}
	f.suspend(t, "web", "ReplaceUnhealthy")
	f.resume(t, "web", "HealthCheck")
	f.settle(t)
	g = f.group(t, "web")
	unhealthy := 0
	for _, i := range g.Instances {
		if i.HealthStatus == "Unhealthy" {
			unhealthy++
		}
	}
	if !slices.Equal(ids(g), before) || unhealthy != 1 {
		t.Fatalf("HealthCheck should mark, ReplaceUnhealthy suspended should keep: %+v", g.Instances)
	}
	if _, err := f.asg.SetInstanceHealth(ctx, &autoscaling.SetInstanceHealthInput{InstanceID: before[1], HealthStatus: "Unhealthy"}); err != nil {
		t.Fatal(err)
	}
	if g = f.group(t, "web"); !slices.Equal(ids(g), before) {
		t.Fatalf("replaced while ReplaceUnhealthy suspended: %+v", g.Instances)
	}
	f.resume(t, "web", "ReplaceUnhealthy")
	f.settle(t)
	g = f.group(t, "web")
	if len(g.Instances) != 2 || slices.Contains(ids(g), before[0]) || slices.Contains(ids(g), before[1]) {
		t.Fatalf("not replaced after resume: %+v", g.Instances)
	}
}

func TestSuspendAlarmNotification(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, "web", 1, []string{"us-east-1a"})
	pol, err := f.asg.PutScalingPolicy(ctx, &autoscaling.PutScalingPolicyInput{AutoScalingGroupName: "web", PolicyName: "up", ScalingAdjustment: i32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.asg.PutScalingPolicy(ctx, &autoscaling.PutScalingPolicyInput{AutoScalingGroupName: "web", PolicyName: "cpu", PolicyType: "TargetTrackingScaling",
		TargetTrackingConfiguration: &autoscaling.TargetTrackingConfiguration{TargetValue: 50,
			PredefinedMetricSpecification: &autoscaling.PredefinedMetricSpecification{PredefinedMetricType: "ASGAverageCPUUtilization"}}}); err != nil {
		t.Fatal(err)
	}
	f.suspend(t, "web", "AlarmNotification")
	alarm := identity.InService(ctx, "cloudwatch.amazonaws.com")
	if _, err := f.asg.ExecutePolicy(alarm, &autoscaling.ExecutePolicyInput{PolicyName: pol.PolicyARN}); err != nil {
		t.Fatal(err)
	}
	for _, i := range f.group(t, "web").Instances {
		f.asg.SetCPU(i.InstanceID, 100)
	}
	f.asg.Reconcile(ctx)
	if g := f.group(t, "web"); g.DesiredCapacity != 1 {
		t.Fatalf("alarm ran a policy while AlarmNotification suspended: %d", g.DesiredCapacity)
	}
	// A user can still execute the policy.
	if _, err := f.asg.ExecutePolicy(ctx, &autoscaling.ExecutePolicyInput{PolicyName: "up", AutoScalingGroupName: "web"}); err != nil {
		t.Fatal(err)
	}
	if g := f.group(t, "web"); g.DesiredCapacity != 2 {
		t.Fatalf("user ExecutePolicy: %d", g.DesiredCapacity)
	}
	f.settle(t)
	for _, i := range f.group(t, "web").Instances {
		f.asg.SetCPU(i.InstanceID, 100)
	}
	f.resume(t, "web", "AlarmNotification")
	f.asg.Reconcile(ctx)
	if g := f.group(t, "web"); g.DesiredCapacity != 4 {
		t.Fatalf("target tracking after resume: %d", g.DesiredCapacity)
	}
}

func zoneCount(g autoscaling.Group) map[string]int {
	m := map[string]int{}
	for _, i := range g.Instances {
		if i.LifecycleState == "InService" || i.LifecycleState == "Pending" {
			m[i.AvailabilityZone]++
		}
	}
	return m
}

func TestAZRebalance(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, "web", 4, []string{"us-east-1a"})
	f.suspend(t, "web", "AZRebalance")
	if _, err := f.asg.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: "web", AvailabilityZones: []string{"us-east-1a", "us-east-1b"}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if z := zoneCount(f.group(t, "web")); z["us-east-1a"] != 4 {
		t.Fatalf("rebalanced while suspended: %v", z)
	}
	f.resume(t, "web", "AZRebalance")
	f.settle(t)
	if z := zoneCount(f.group(t, "web")); z["us-east-1a"] != 4 {
		t.Fatalf("rebalanced within the cooldown: %v", z)
	}
	for range 5 {
		f.clk.Advance(5 * time.Minute)
		f.settle(t)
	}
	g := f.group(t, "web")
	if z := zoneCount(g); z["us-east-1a"] != 2 || z["us-east-1b"] != 2 || len(g.Instances) != 4 {
		t.Fatalf("not rebalanced: %v %+v", z, g.Instances)
	}
	// Removing a zone moves its instances to the others.
	if _, err := f.asg.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: "web", AvailabilityZones: []string{"us-east-1b", "us-east-1c"}}); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		f.clk.Advance(5 * time.Minute)
		f.settle(t)
	}
	if z := zoneCount(f.group(t, "web")); z["us-east-1b"] != 2 || z["us-east-1c"] != 2 {
		t.Fatalf("not moved out of a removed zone: %v", z)
	}
}

func TestAddToLoadBalancer(t *testing.T) {
	lb := &fakeLB{reg: map[string]bool{}}
	f := setupOpts(t, autoscaling.Options{Interval: time.Minute, LoadBalancer: lb})
	ctx := context.Background()
	f.create(t, "web", 2, []string{"us-east-1a"}, "tg")
	first := ids(f.group(t, "web"))
	if got := lb.registered(); !slices.Equal(got, first) {
		t.Fatalf("registered %v, want %v", got, first)
	}
	f.suspend(t, "web", "AddToLoadBalancer")
	if _, err := f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: 3}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	f.resume(t, "web", "AddToLoadBalancer")
	f.settle(t)
	if got := lb.registered(); !slices.Equal(got, first) {
		t.Fatalf("instance launched while suspended was registered: %v", got)
	}
	// Standby and termination deregister.
	if _, err := f.asg.EnterStandby(ctx, &autoscaling.InstancesInput{AutoScalingGroupName: "web", InstanceIDs: first[:1], ShouldDecrementDesiredCapacity: yes()}); err != nil {
		t.Fatal(err)
	}
	if got := lb.registered(); !slices.Equal(got, first[1:]) {
		t.Fatalf("standby not deregistered: %v", got)
	}
	if _, err := f.asg.ExitStandby(ctx, &autoscaling.InstancesInput{AutoScalingGroupName: "web", InstanceIDs: first[:1]}); err != nil {
		t.Fatal(err)
	}
	if got := lb.registered(); !slices.Equal(got, first) {
		t.Fatalf("exit standby not registered: %v", got)
	}
	if _, err := f.asg.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{InstanceID: first[0], ShouldDecrementDesiredCapacity: yes()}); err != nil {
		t.Fatal(err)
	}
	if got := lb.registered(); !slices.Equal(got, first[1:]) {
		t.Fatalf("terminated instance not deregistered: %v", got)
	}
}

func TestSuspendInstanceRefresh(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, "web", 2, []string{"us-east-1a"})
	before := ids(f.group(t, "web"))
	newVersion(t, f, "v2", "")
	f.suspend(t, "web", "InstanceRefresh")
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web",
		DesiredConfiguration: &autoscaling.DesiredConfiguration{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "2"}}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		f.clk.Advance(10 * time.Minute)
		f.settle(t)
	}
	if got := ids(f.group(t, "web")); !slices.Equal(got, before) {
		t.Fatalf("instances replaced while InstanceRefresh suspended: %v", got)
	}
	f.resume(t, "web", "InstanceRefresh")
	if r := drive(t, f, "web", 10*time.Minute); r.Status != "Successful" {
		t.Fatalf("%+v", r)
	}
	if got := ids(f.group(t, "web")); slices.Contains(got, before[0]) || slices.Contains(got, before[1]) {
		t.Fatalf("not replaced after resume: %v", got)
	}
}

func TestProcessesSDK(t *testing.T) {
	f := setup(t)
	f.create(t, "web", 1, []string{"us-east-1a"})
	c := as.NewFromConfig(awstest.Config(t, autoscalingapi.Service(f.asg)))
	ctx := context.Background()
	types, err := c.DescribeScalingProcessTypes(ctx, &as.DescribeScalingProcessTypesInput{})
	if err != nil || len(types.Processes) != 9 {
		t.Fatalf("%+v %v", types, err)
	}
	if _, err := c.SuspendProcesses(ctx, &as.SuspendProcessesInput{AutoScalingGroupName: aws.String("web"), ScalingProcesses: []string{"Launch", "AZRebalance"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if err != nil || len(out.AutoScalingGroups[0].SuspendedProcesses) != 2 || aws.ToString(out.AutoScalingGroups[0].SuspendedProcesses[1].ProcessName) != "AZRebalance" ||
		aws.ToString(out.AutoScalingGroups[0].SuspendedProcesses[0].SuspensionReason) == "" {
		t.Fatalf("%+v %v", out, err)
	}
	if _, err := c.SuspendProcesses(ctx, &as.SuspendProcessesInput{AutoScalingGroupName: aws.String("web"), ScalingProcesses: []string{"Nap"}}); sdkCodeOf(err) != "ValidationError" {
		t.Fatalf("bad process: %v", err)
	}
	if _, err := c.SuspendProcesses(ctx, &as.SuspendProcessesInput{AutoScalingGroupName: aws.String("nope")}); sdkCodeOf(err) != "ValidationError" {
		t.Fatalf("unknown group: %v", err)
	}
	if _, err := c.ResumeProcesses(ctx, &as.ResumeProcessesInput{AutoScalingGroupName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	out, _ = c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if n := len(out.AutoScalingGroups[0].SuspendedProcesses); n != 0 {
		t.Fatalf("%d still suspended", n)
	}
}
