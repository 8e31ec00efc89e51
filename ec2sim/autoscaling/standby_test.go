package autoscaling_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/internal/awsapi/autoscalingapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

func TestSDKStandbyAndDetach(t *testing.T) {
	f := setup(t)
	c := as.NewFromConfig(awstest.Config(t, autoscalingapi.Service(f.asg)))
	ctx := context.Background()
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return ""
	}
	if _, err := c.CreateAutoScalingGroup(ctx, &as.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"), MinSize: aws.Int32(1), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(3),
		LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web"), Version: aws.String("$Latest")}, AvailabilityZones: []string{"us-east-1a"}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	group := func() types.AutoScalingGroup {
		out, err := c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
		if err != nil || len(out.AutoScalingGroups) != 1 {
			t.Fatalf("%+v %v", out, err)
		}
		return out.AutoScalingGroups[0]
	}
	g := group()
	if len(g.Instances) != 3 {
		t.Fatalf("%+v", g.Instances)
	}
	a, b := aws.ToString(g.Instances[0].InstanceId), aws.ToString(g.Instances[1].InstanceId)

	st, err := c.EnterStandby(ctx, &as.EnterStandbyInput{AutoScalingGroupName: aws.String("web"), InstanceIds: []string{a}, ShouldDecrementDesiredCapacity: aws.Bool(true)})
	if err != nil || len(st.Activities) != 1 {
		t.Fatalf("%+v %v", st, err)
	}
	f.settle(t)
	g = group()
	states := map[string]types.LifecycleState{}
	for _, i := range g.Instances {
		states[aws.ToString(i.InstanceId)] = i.LifecycleState
	}
	if aws.ToInt32(g.DesiredCapacity) != 2 || len(g.Instances) != 3 || states[a] != types.LifecycleStateStandby {
		t.Fatalf("after standby: desired %d %v", aws.ToInt32(g.DesiredCapacity), states)
	}
	if _, err := c.EnterStandby(ctx, &as.EnterStandbyInput{AutoScalingGroupName: aws.String("web"), InstanceIds: []string{a}, ShouldDecrementDesiredCapacity: aws.Bool(true)}); code(err) != "ValidationError" {
		t.Errorf("standby twice: %v", err)
	}
	if _, err := c.ExitStandby(ctx, &as.ExitStandbyInput{AutoScalingGroupName: aws.String("web"), InstanceIds: []string{a}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	g = group()
	if aws.ToInt32(g.DesiredCapacity) != 3 || len(g.Instances) != 3 {
		t.Fatalf("after exit: %d %+v", aws.ToInt32(g.DesiredCapacity), g.Instances)
	}

	// Detach without decrement: the instance keeps running, a replacement launches.
	if _, err := c.DetachInstances(ctx, &as.DetachInstancesInput{AutoScalingGroupName: aws.String("web"), InstanceIds: []string{b}, ShouldDecrementDesiredCapacity: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	g = group()
	for _, i := range g.Instances {
		if aws.ToString(i.InstanceId) == b {
			t.Errorf("detached instance still a member")
		}
	}
	if len(g.Instances) != 3 || aws.ToInt32(g.DesiredCapacity) != 3 {
		t.Errorf("after detach: %d %+v", aws.ToInt32(g.DesiredCapacity), g.Instances)
	}
	if state, _, ok := f.ec2.InstanceInfo(b); !ok || state != "running" {
		t.Errorf("detached instance %s: %s", b, state)
	}
	if _, err := c.DetachInstances(ctx, &as.DetachInstancesInput{AutoScalingGroupName: aws.String("web"), InstanceIds: []string{b}, ShouldDecrementDesiredCapacity: aws.Bool(true)}); code(err) != "ValidationError" {
		t.Errorf("detach non-member: %v", err)
	}
	// Attach it back: desired capacity grows to 4.
	if _, err := c.AttachInstances(ctx, &as.AttachInstancesInput{AutoScalingGroupName: aws.String("web"), InstanceIds: []string{b}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	g = group()
	if len(g.Instances) != 4 || aws.ToInt32(g.DesiredCapacity) != 4 {
		t.Errorf("after attach: %d %+v", aws.ToInt32(g.DesiredCapacity), g.Instances)
	}
	if _, err := c.AttachInstances(ctx, &as.AttachInstancesInput{AutoScalingGroupName: aws.String("web"), InstanceIds: []string{b}}); code(err) != "ValidationError" {
		t.Errorf("attach beyond max / twice: %v", err)
	}
}

func TestSDKMixedInstancesPolicy(t *testing.T) {
	f := setup(t)
	c := as.NewFromConfig(awstest.Config(t, autoscalingapi.Service(f.asg)))
	ctx := context.Background()
	if _, err := c.CreateAutoScalingGroup(ctx, &as.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("mixed"), MinSize: aws.Int32(2), MaxSize: aws.Int32(2),
		AvailabilityZones: []string{"us-east-1a"},
		MixedInstancesPolicy: &types.MixedInstancesPolicy{LaunchTemplate: &types.LaunchTemplate{
			LaunchTemplateSpecification: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")},
			Overrides:                   []types.LaunchTemplateOverrides{{InstanceType: aws.String("m5.large")}, {InstanceType: aws.String("c5.large")}}}}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	out, err := c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"mixed"}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("%+v %v", out, err)
	}
	g := out.AutoScalingGroups[0]
	if g.MixedInstancesPolicy == nil || len(g.MixedInstancesPolicy.LaunchTemplate.Overrides) != 2 || len(g.Instances) != 2 {
		t.Fatalf("%+v", g)
	}
	for _, i := range g.Instances {
		if aws.ToString(i.InstanceType) != "m5.large" {
			t.Errorf("instance type %s", aws.ToString(i.InstanceType))
		}
	}
	if _, err := c.CreateAutoScalingGroup(ctx, &as.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("both"), MinSize: aws.Int32(0), MaxSize: aws.Int32(1),
		AvailabilityZones: []string{"us-east-1a"}, LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")},
		MixedInstancesPolicy: &types.MixedInstancesPolicy{LaunchTemplate: &types.LaunchTemplate{LaunchTemplateSpecification: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")}}}}); err == nil {
		t.Error("LaunchTemplate and MixedInstancesPolicy together accepted")
	}
}
