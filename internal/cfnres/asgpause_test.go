package cfnres_test

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/cfnres"
)

const pauseTemplate = `
Parameters:
  Type: {Type: String, Default: t3.micro}
Resources:
  LT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {ImageId: ami-0a2023000000000a1, InstanceType: !Ref Type}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    UpdatePolicy:
      AutoScalingRollingUpdate: {MaxBatchSize: 1, PauseTime: PT10M}
    Properties:
      AvailabilityZones: !GetAZs ""
      MinSize: "2"
      MaxSize: "2"
      LaunchTemplate: {LaunchTemplateId: !Ref LT, Version: !GetAtt LT.LatestVersionNumber}
`

// clockStack is CloudFormation with EC2 and Auto Scaling on a manual clock, and one stack.
type clockStack struct {
	t     *testing.T
	clk   *clock.Manual
	cf    *cloudformation.Service
	asg   *autoscaling.Service
	stack string
}

func newClockStack(t *testing.T, stack string) *clockStack {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	env := awstest.EnvWith(t, clk)
	ec2, err := ec2sim.New(env, ec2sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	asg, err := autoscaling.New(env, ec2, autoscaling.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cf, err := cloudformation.New(env, cloudformation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		done := make(chan struct{})
		go func() { _ = cf.Close(ctx); close(done) }()
		for closing := true; closing; { // a stack operation may be pausing on the clock
			select {
			case <-done:
				closing = false
			default:
				clk.Advance(time.Minute)
				runtime.Gosched()
			}
		}
		_ = asg.Close(ctx)
		_ = ec2.Close(ctx)
	})
	cfnres.Register(cf, cfnres.Services{EC2: ec2, AutoScaling: asg})
	return &clockStack{t: t, clk: clk, cf: cf, asg: asg, stack: stack}
}

func (c *clockStack) status() string {
	out, err := c.cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: c.stack})
	if err != nil {
		c.t.Fatal(err)
	}
	return out.Stacks[0].StackStatus
}

// versions counts the group's live instances by launch template version.
func (c *clockStack) versions() map[string]int {
	ctx := context.Background()
	res, _ := c.cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: c.stack, LogicalResourceId: "Group"})
	out, _ := c.asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{res.StackResourceDetail.PhysicalResourceId}})
	m := map[string]int{}
	for _, in := range out.AutoScalingGroups[0].Instances {
		if in.LifecycleState == "InService" || in.LifecycleState == "Pending" {
			m[in.LaunchTemplate.Version]++
		}
	}
	return m
}

// until waits (without sleeping) for cond, failing after a real-time bound.
func (c *clockStack) until(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %s (stack %s, instances %v)", what, c.status(), c.versions())
		}
		runtime.Gosched()
	}
}

// createThenUpdate creates the stack from body, waits for it, and starts an update to
// instance type t3.small (a new launch template version).
func (c *clockStack) createThenUpdate(body string) {
	c.t.Helper()
	ctx := context.Background()
	if _, err := c.cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: c.stack, TemplateBody: body}); err != nil {
		c.t.Fatal(err)
	}
	c.until("create", func() bool { return c.status() == "CREATE_COMPLETE" })
	if _, err := c.cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: c.stack, TemplateBody: body,
		Parameters: []cloudformation.Parameter{{ParameterKey: "Type", ParameterValue: "t3.small"}}}); err != nil {
		c.t.Fatal(err)
	}
}

// TestRollingUpdatePausesOnThePlatformClock: without signals, each batch is followed by
// PauseTime on the platform clock.
func TestRollingUpdatePausesOnThePlatformClock(t *testing.T) {
	c := newClockStack(t, "pause")
	c.createThenUpdate(pauseTemplate)
	// The first batch replaced one instance, then the update pauses for ten minutes on the
	// platform clock: nothing moves until the clock does.
	c.until("the first batch", func() bool { return c.versions()["2"] == 1 && c.versions()["1"] == 1 })
	// Nine minutes of platform time: still paused.
	c.clk.Advance(9 * time.Minute)
	for range 2000 {
		runtime.Gosched()
	}
	if m, s := c.versions(), c.status(); m["2"] != 1 || s != "UPDATE_IN_PROGRESS" {
		t.Fatalf("during the pause: %v %s", m, s)
	}
	// The clock moves on: the second batch, its pause, and the update completes.
	c.until("the update", func() bool {
		c.clk.Advance(time.Minute)
		return c.status() == "UPDATE_COMPLETE"
	})
	if m := c.versions(); m["2"] != 2 || len(m) != 1 {
		t.Fatalf("instances after the update: %v", m)
	}
}

// TestRollingUpdateSignalTimeout: new instances that never signal fail the batch once PauseTime
// passes on the platform clock, with AWS's messages. The rollback rolls the group back the same
// way and waits for signals too; its instances do not signal either, so it fails, as in AWS.
func TestRollingUpdateSignalTimeout(t *testing.T) {
	c := newClockStack(t, "silent")
	body := strings.Replace(pauseTemplate, "{MaxBatchSize: 1, PauseTime: PT10M}", "{MaxBatchSize: 1, PauseTime: PT5M, WaitOnResourceSignals: true}", 1)
	c.createThenUpdate(body)
	c.until("the first batch", func() bool { return c.versions()["2"] == 1 })
	c.until("the failed rollback", func() bool {
		c.clk.Advance(time.Minute)
		return c.status() == "UPDATE_ROLLBACK_FAILED"
	})
	out, err := c.cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: "silent"})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range slices.Backward(out.StackEvents) {
		if e.LogicalResourceId == "Group" && e.ResourceStatusReason != "" {
			reasons = append(reasons, e.ResourceStatus+": "+e.ResourceStatusReason)
		}
	}
	for _, want := range []string{
		"UPDATE_IN_PROGRESS: Rolling update initiated. Terminating 2 obsolete instance(s) in batches of 1, while keeping at least 0 instance(s) in service. Waiting on resource signals with a timeout of PT5M when new instances are added to the autoscaling group.",
		"UPDATE_IN_PROGRESS: New instance(s) added to autoscaling group - Waiting on 1 resource signal(s) with a timeout of PT5M.",
		"UPDATE_IN_PROGRESS: Failed to receive 1 resource signal(s) for the current batch. Each resource signal timeout is counted as a FAILURE.",
		"UPDATE_FAILED: Received 0 SUCCESS signal(s) out of 1. Unable to satisfy 100% MinSuccessfulInstancesPercent requirement",
	} {
		if !slices.Contains(reasons, want) {
			t.Errorf("no event %q in\n%s", want, strings.Join(reasons, "\n"))
		}
	}
}
