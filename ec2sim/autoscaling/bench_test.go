package autoscaling_test

import (
	"context"
	"testing"

	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

func BenchmarkSetDesiredCapacity(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	one := int32(1)
	f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "b", MinSize: 1, MaxSize: 20, DesiredCapacity: &one,
		LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web"}, AvailabilityZones: []string{"us-east-1a", "us-east-1b"}})
	for b.Loop() {
		f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "b", DesiredCapacity: 10})
		f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "b", DesiredCapacity: 1})
	}
	b.StopTimer()
	f.ec2.Settle(ctx)
}
