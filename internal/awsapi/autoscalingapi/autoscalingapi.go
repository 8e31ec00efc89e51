// Package autoscalingapi describes AutoScaling on the wire for the router in internal/awsproto.
package autoscalingapi

import (
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes Amazon EC2 Auto Scaling on the wire (awsQuery, Version 2011-01-01).
func Service(s *autoscaling.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "autoscaling",
		Protocols:    []awsproto.Protocol{awsproto.Query},
		Version:      "2011-01-01",
		XMLNamespace: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateAutoScalingGroup", s.CreateAutoScalingGroup),
			awsproto.Handle("UpdateAutoScalingGroup", s.UpdateAutoScalingGroup),
			awsproto.Handle("DeleteAutoScalingGroup", s.DeleteAutoScalingGroup),
			awsproto.Handle("DescribeAutoScalingGroups", s.DescribeAutoScalingGroups),
			awsproto.Handle("DescribeAutoScalingInstances", s.DescribeAutoScalingInstances),
			awsproto.Handle("SetDesiredCapacity", s.SetDesiredCapacity),
			awsproto.Handle("TerminateInstanceInAutoScalingGroup", s.TerminateInstanceInAutoScalingGroup),
			awsproto.Handle("SetInstanceHealth", s.SetInstanceHealth),
			awsproto.Handle("EnterStandby", s.EnterStandby),
			awsproto.Handle("ExitStandby", s.ExitStandby),
			awsproto.Handle("DetachInstances", s.DetachInstances),
			awsproto.Handle("AttachInstances", s.AttachInstances),
			awsproto.Handle("DescribeScalingActivities", s.DescribeScalingActivities),
			awsproto.Handle("PutScalingPolicy", s.PutScalingPolicy),
			awsproto.Handle("DescribePolicies", s.DescribePolicies),
			awsproto.Handle("DeletePolicy", s.DeletePolicy),
			awsproto.Handle("ExecutePolicy", s.ExecutePolicy),
			awsproto.Handle("PutLifecycleHook", s.PutLifecycleHook),
			awsproto.Handle("DescribeLifecycleHooks", s.DescribeLifecycleHooks),
			awsproto.Handle("DeleteLifecycleHook", s.DeleteLifecycleHook),
			awsproto.Handle("CompleteLifecycleAction", s.CompleteLifecycleAction),
			awsproto.Handle("RecordLifecycleActionHeartbeat", s.RecordLifecycleActionHeartbeat),
			awsproto.Handle("CreateLaunchConfiguration", s.CreateLaunchConfiguration),
			awsproto.Handle("DescribeLaunchConfigurations", s.DescribeLaunchConfigurations),
			awsproto.Handle("DeleteLaunchConfiguration", s.DeleteLaunchConfiguration),
			awsproto.Handle("StartInstanceRefresh", s.StartInstanceRefresh),
			awsproto.Handle("DescribeInstanceRefreshes", s.DescribeInstanceRefreshes),
			awsproto.Handle("CancelInstanceRefresh", s.CancelInstanceRefresh),
			awsproto.Handle("RollbackInstanceRefresh", s.RollbackInstanceRefresh),
			awsproto.Handle("SuspendProcesses", s.SuspendProcesses),
			awsproto.Handle("ResumeProcesses", s.ResumeProcesses),
			awsproto.Handle("DescribeScalingProcessTypes", s.DescribeScalingProcessTypes),
			awsproto.Handle("EnableMetricsCollection", s.EnableMetricsCollection),
			awsproto.Handle("DisableMetricsCollection", s.DisableMetricsCollection),
			awsproto.Handle("DescribeMetricCollectionTypes", s.DescribeMetricCollectionTypes),
		},
	}
}
