package autoscaling_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

// A group of three web servers from a launch template; one is terminated behind the group's
// back and the reconciler replaces it.
func Example() {
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion}
	ec2, _ := ec2sim.New(env, ec2sim.Options{})
	defer ec2.Close(context.Background())
	asg, _ := autoscaling.New(env, ec2, autoscaling.Options{})
	defer asg.Close(context.Background())
	ctx := context.Background()

	ec2.CreateLaunchTemplate(ctx, &ec2sim.CreateLaunchTemplateInput{LaunchTemplateName: "web",
		LaunchTemplateData: ec2sim.LaunchTemplateData{ImageID: ec2sim.AL2023AMI, InstanceType: "t3.micro"}})
	three := int32(3)
	asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "web", MinSize: 1, MaxSize: 5,
		DesiredCapacity: &three, LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web"},
		AvailabilityZones: []string{"us-east-1a", "us-east-1b"}})
	ec2.Settle(ctx)
	asg.Reconcile(ctx)

	g, _ := asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	first := g.AutoScalingGroups[0].Instances[0].InstanceID
	ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{first}})
	ec2.Settle(ctx)
	asg.Reconcile(ctx) // notices, terminates and launches a replacement
	ec2.Settle(ctx)
	asg.Reconcile(ctx)

	g, _ = asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	inService := 0
	for _, i := range g.AutoScalingGroups[0].Instances {
		if i.LifecycleState == "InService" && i.InstanceID != first {
			inService++
		}
	}
	fmt.Println("in service:", inService)
	// Output: in service: 3
}
