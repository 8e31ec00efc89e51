// Package autoscaling is Amazon EC2 Auto Scaling over ec2sim: groups of real simulated hosts
// kept at their desired capacity.
//
// Operations: Create/Update/Delete(ForceDelete)/DescribeAutoScalingGroups (launch template
// with version, MixedInstancesPolicy basic (its launch template, launching with the first
// override's instance type), or launch configuration; Min/Max/Desired; AvailabilityZones or
// VPCZoneIdentifier; Tags with PropagateAtLaunch; TerminationPolicies Default, OldestInstance,
// NewestInstance; NewInstancesProtectedFromScaleIn), DescribeAutoScalingInstances,
// SetDesiredCapacity (HonorCooldown), TerminateInstanceInAutoScalingGroup
// (ShouldDecrementDesiredCapacity), SetInstanceHealth, EnterStandby/ExitStandby (desired
// capacity follows), AttachInstances (running instances, not in another group; desired
// capacity grows), DetachInstances (ShouldDecrementDesiredCapacity; the instance keeps
// running), DescribeScalingActivities,
// PutScalingPolicy / DescribePolicies / DeletePolicy / ExecutePolicy (SimpleScaling and
// StepScaling with ChangeInCapacity, ExactCapacity, PercentChangeInCapacity;
// TargetTrackingScaling on ASGAverageCPUUtilization), Put/Describe/DeleteLifecycleHook,
// CompleteLifecycleAction, RecordLifecycleActionHeartbeat (launching and terminating hooks,
// Pending:Wait / Terminating:Wait, DefaultResult on timeout), Create/Describe/Delete
// LaunchConfiguration.
//
// Behaviour: API calls that change capacity reconcile the group at once (instances are
// launched through ec2sim.RunInstances with the aws:autoscaling:groupName tag, spread over
// the group's zones, and run their user data like any instance). A reconciler on the
// platform clock (Options.Interval, default 10 s; Reconcile runs a pass now) moves
// Pending → InService when EC2 reports running, replaces instances that were terminated,
// stopped or set Unhealthy, completes timed-out lifecycle actions with their default result
// and applies target tracking: desired = ceil(in-service × average CPU / target), CPU being
// what SetCPU says per instance. Events: "EC2 Instance Launch Successful/Unsuccessful",
// "EC2 Instance Terminate Successful", "EC2 Instance-launch/terminate Lifecycle Action"
// (source aws.autoscaling).
//
// Concurrency: the Service is safe for concurrent use; group changes and reconciles are
// serialised by one mutex, held while calling EC2 (a Go service, never a host or callback).
// Close stops the reconciler.
//
// Deviations: reconciling is synchronous in the API call (AWS is asynchronous); no
// CloudWatch alarms are created for policies (target tracking reads SetCPU, step policies
// are driven by ExecutePolicy with MetricValue/BreachThreshold); MixedInstancesPolicy,
// warm pools, instance refresh, Attach/DetachInstances, standby and Suspend/ResumeProcesses
// are not implemented; target groups and load balancers are recorded only.
package autoscaling
