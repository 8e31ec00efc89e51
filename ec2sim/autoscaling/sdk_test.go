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

func TestSDKRoundTrip(t *testing.T) {
	f := setup(t)
	c := as.NewFromConfig(awstest.Config(t, autoscalingapi.Service(f.asg)))
	ctx := context.Background()
	_, err := c.CreateAutoScalingGroup(ctx, &as.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"), MinSize: aws.Int32(1), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2),
		LaunchTemplate:    &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web"), Version: aws.String("$Latest")},
		AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
		Tags:              []types.Tag{{Key: aws.String("team"), Value: aws.String("blue"), PropagateAtLaunch: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	out, err := c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("%+v %v", out, err)
	}
	g := out.AutoScalingGroups[0]
	if len(g.Instances) != 2 || g.Instances[0].LifecycleState != types.LifecycleStateInService || aws.ToInt32(g.DesiredCapacity) != 2 ||
		len(g.Tags) != 1 || !aws.ToBool(g.Tags[0].PropagateAtLaunch) || g.CreatedTime == nil || aws.ToString(g.LaunchTemplate.Version) != "$Latest" {
		t.Fatalf("%+v", g)
	}
	if _, err := c.PutLifecycleHook(ctx, &as.PutLifecycleHookInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain"),
		LifecycleTransition: aws.String("autoscaling:EC2_INSTANCE_TERMINATING"), HeartbeatTimeout: aws.Int32(300)}); err != nil {
		t.Fatal(err)
	}
	hooks, err := c.DescribeLifecycleHooks(ctx, &as.DescribeLifecycleHooksInput{AutoScalingGroupName: aws.String("web")})
	if err != nil || len(hooks.LifecycleHooks) != 1 || aws.ToString(hooks.LifecycleHooks[0].DefaultResult) != "ABANDON" {
		t.Fatalf("%+v %v", hooks, err)
	}
	if _, err := c.SetDesiredCapacity(ctx, &as.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("web"), DesiredCapacity: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	insts, err := c.DescribeAutoScalingInstances(ctx, &as.DescribeAutoScalingInstancesInput{})
	if err != nil || len(insts.AutoScalingInstances) != 2 {
		t.Fatalf("%+v %v", insts, err)
	}
	var waiting string
	for _, i := range insts.AutoScalingInstances {
		if aws.ToString(i.LifecycleState) == "Terminating:Wait" {
			waiting = aws.ToString(i.InstanceId)
		}
	}
	if waiting == "" {
		t.Fatalf("no instance waiting: %+v", insts.AutoScalingInstances)
	}
	if _, err := c.RecordLifecycleActionHeartbeat(ctx, &as.RecordLifecycleActionHeartbeatInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain"), InstanceId: aws.String(waiting)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteLifecycleAction(ctx, &as.CompleteLifecycleActionInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain"), InstanceId: aws.String(waiting), LifecycleActionResult: aws.String("CONTINUE")}); err != nil {
		t.Fatal(err)
	}
	c.DeleteLifecycleHook(ctx, &as.DeleteLifecycleHookInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain")})
	pol, err := c.PutScalingPolicy(ctx, &as.PutScalingPolicyInput{AutoScalingGroupName: aws.String("web"), PolicyName: aws.String("up"), AdjustmentType: aws.String("ExactCapacity"), ScalingAdjustment: aws.Int32(3)})
	if err != nil || aws.ToString(pol.PolicyARN) == "" {
		t.Fatalf("%+v %v", pol, err)
	}
	if _, err := c.ExecutePolicy(ctx, &as.ExecutePolicyInput{AutoScalingGroupName: aws.String("web"), PolicyName: aws.String("up")}); err != nil {
		t.Fatal(err)
	}
	pols, err := c.DescribePolicies(ctx, &as.DescribePoliciesInput{AutoScalingGroupName: aws.String("web")})
	if err != nil || len(pols.ScalingPolicies) != 1 || aws.ToInt32(pols.ScalingPolicies[0].ScalingAdjustment) != 3 {
		t.Fatalf("%+v %v", pols, err)
	}
	if _, err := c.DeletePolicy(ctx, &as.DeletePolicyInput{AutoScalingGroupName: aws.String("web"), PolicyName: aws.String("up")}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	out, _ = c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{})
	if n := len(out.AutoScalingGroups[0].Instances); n != 3 {
		t.Errorf("%d instances after ExactCapacity 3", n)
	}
	term, err := c.TerminateInstanceInAutoScalingGroup(ctx, &as.TerminateInstanceInAutoScalingGroupInput{InstanceId: out.AutoScalingGroups[0].Instances[0].InstanceId, ShouldDecrementDesiredCapacity: aws.Bool(false)})
	if err != nil || term.Activity == nil || aws.ToString(term.Activity.ActivityId) == "" {
		t.Fatalf("%+v %v", term, err)
	}
	if _, err := c.SetInstanceHealth(ctx, &as.SetInstanceHealthInput{InstanceId: out.AutoScalingGroups[0].Instances[1].InstanceId, HealthStatus: aws.String("Unhealthy")}); err != nil {
		t.Fatal(err)
	}
	acts, err := c.DescribeScalingActivities(ctx, &as.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String("web")})
	if err != nil || len(acts.Activities) < 5 || acts.Activities[0].StartTime == nil {
		t.Fatalf("%+v %v", acts, err)
	}
	if _, err := c.UpdateAutoScalingGroup(ctx, &as.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"), MinSize: aws.Int32(0), DesiredCapacity: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLaunchConfiguration(ctx, &as.CreateLaunchConfigurationInput{LaunchConfigurationName: aws.String("lc"), ImageId: aws.String("ami-0a2023000000000a1"), InstanceType: aws.String("t3.micro")}); err != nil {
		t.Fatal(err)
	}
	lcs, err := c.DescribeLaunchConfigurations(ctx, &as.DescribeLaunchConfigurationsInput{})
	if err != nil || len(lcs.LaunchConfigurations) != 1 {
		t.Fatalf("%+v %v", lcs, err)
	}
	if _, err := c.DeleteLaunchConfiguration(ctx, &as.DeleteLaunchConfigurationInput{LaunchConfigurationName: aws.String("lc")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SetDesiredCapacity(ctx, &as.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("nope"), DesiredCapacity: aws.Int32(1)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" {
		t.Errorf("err %v", err)
	}
	f.settle(t)
	if _, err := c.DeleteAutoScalingGroup(ctx, &as.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"), ForceDelete: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	f.ec2.Settle(ctx)
}
