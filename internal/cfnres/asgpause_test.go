package cfnres_test

import (
	"context"
	"runtime"
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

// TestRollingUpdatePausesOnThePlatformClock: without signals, each batch is followed by
// PauseTime on the platform clock.
func TestRollingUpdatePausesOnThePlatformClock(t *testing.T) {
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
	ctx := context.Background()
	status := func() string {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: "pause"})
		if err != nil {
			t.Fatal(err)
		}
		return out.Stacks[0].StackStatus
	}
	types := func() map[string]int {
		res, _ := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: "pause", LogicalResourceId: "Group"})
		out, _ := asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{res.StackResourceDetail.PhysicalResourceId}})
		m := map[string]int{}
		for _, in := range out.AutoScalingGroups[0].Instances {
			if in.LifecycleState == "InService" || in.LifecycleState == "Pending" {
				m[in.LaunchTemplate.Version]++
			}
		}
		return m
	}
	// until waits (without sleeping) for cond, failing after a real-time bound.
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (stack %s, instances %v)", what, status(), types())
			}
			runtime.Gosched()
		}
	}
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: "pause", TemplateBody: pauseTemplate}); err != nil {
		t.Fatal(err)
	}
	until("create", func() bool { return status() == "CREATE_COMPLETE" })
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: "pause", TemplateBody: pauseTemplate,
		Parameters: []cloudformation.Parameter{{ParameterKey: "Type", ParameterValue: "t3.small"}}}); err != nil {
		t.Fatal(err)
	}
	// The first batch replaced one instance, then the update pauses for ten minutes on the
	// platform clock: nothing moves until the clock does.
	until("the first batch", func() bool { return types()["2"] == 1 && types()["1"] == 1 })
	// Nine minutes of platform time: still paused.
	clk.Advance(9 * time.Minute)
	for range 2000 {
		runtime.Gosched()
	}
	if m, s := types(), status(); m["2"] != 1 || s != "UPDATE_IN_PROGRESS" {
		t.Fatalf("during the pause: %v %s", m, s)
	}
	// The clock moves on: the second batch, its pause, and the update completes.
	until("the update", func() bool {
		clk.Advance(time.Minute)
		return status() == "UPDATE_COMPLETE"
	})
	if m := types(); m["2"] != 2 || len(m) != 1 {
		t.Fatalf("instances after the update: %v", m)
	}
}
