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
// LaunchConfiguration, StartInstanceRefresh / DescribeInstanceRefreshes /
// CancelInstanceRefresh / RollbackInstanceRefresh, SuspendProcesses / ResumeProcesses /
// DescribeScalingProcessTypes, EnableMetricsCollection / DisableMetricsCollection /
// DescribeMetricCollectionTypes.
//
// Group metrics: EnableMetricsCollection (Granularity 1Minute; no metrics named: all) turns on
// GroupMinSize, GroupMaxSize, GroupDesiredCapacity, GroupInService/Pending/Standby/
// Terminating/TotalInstances and the matching *Capacity metrics (equal to the counts: no
// instance weights; no warm pool metrics), shown in EnabledMetrics. With Options.Metrics
// (the root wires CloudWatch's Publish) they are published every minute of the platform clock
// in AWS/AutoScaling with dimension AutoScalingGroupName, unit None; PublishMetrics(t)
// publishes one minute now. GroupTotalInstances counts InService, Pending and Terminating
// members (not Standby), as AWS.
//
// Suspended processes (SuspendedProcesses in DescribeAutoScalingGroups, reason "User
// suspended at <time>") are honoured: Launch (no scale out, no replacements; resuming
// reconciles at once), Terminate (no scale in; unhealthy instances are not replaced),
// HealthCheck (EC2 status no longer marks members unhealthy), ReplaceUnhealthy (unhealthy
// members stay), AZRebalance (see below), AlarmNotification (ExecutePolicy called by a
// CloudWatch alarm, i.e. invoked by cloudwatch.amazonaws.com, does nothing, and target
// tracking stops; users can still ExecutePolicy), InstanceRefresh (an active refresh replaces
// nothing until InstanceRefresh, Launch and Terminate are all resumed), AddToLoadBalancer
// (instances going InService meanwhile are not registered with the target groups, and are not
// registered later, as AWS), ScheduledActions (recorded: devopsim has no scheduled actions).
// AZRebalance: when the InService members of a group are spread unevenly over its zones (a
// difference above one, or members in a zone the group no longer uses), each reconcile pass
// launches one instance in the least used zone and then terminates one in the most used or
// removed zone, as a background activity (on the reconciler's passes, Reconcile, and
// ResumeProcesses; not inside other API calls) once the group has launched or terminated
// nothing for its DefaultCooldown; it waits while instances are pending or a refresh is
// active, and does
// nothing while Launch or Terminate is suspended (AWS may then grow past the max size).
//
// Load balancers: with Options.LoadBalancer, members are registered with the group's
// TargetGroupARNs when they go InService (and on ExitStandby and AttachInstances) and
// deregistered when they start terminating, enter Standby or are detached.
//
// Instance refresh (Strategy Rolling): instances not launched from the desired configuration
// (DesiredConfiguration's launch template or MixedInstancesPolicy, else the group's own;
// every instance unless SkipMatching) are replaced in batches. With desired capacity N, a
// batch terminates up to N − ⌈N×MinHealthyPercentage/100⌉ instances first and launches up to
// ⌊N×MaxHealthyPercentage/100⌋ − N extra ones before terminating the rest of the batch, at
// least one instance at a time (MinHealthyPercentage default 90, MaxHealthyPercentage 100).
// A batch counts once its new instances are InService and InstanceWarmup (default the
// group's HealthCheckGracePeriod) has passed on the platform clock; CheckpointPercentages
// pause for CheckpointDelay (default 3600 s; a last checkpoint below 100 ends the refresh
// there), BakeTime holds Baking before Successful. On success the group takes the desired
// configuration. A failed launch fails the refresh (StatusReason says why); with
// AutoRollback, or on RollbackInstanceRefresh, the instances launched from the desired
// configuration are replaced back (RollbackInProgress → RollbackSuccessful/RollbackFailed;
// IrreversibleInstanceRefresh without a desired configuration or when the group's launch
// template version is $Latest/$Default). CancelInstanceRefresh: Cancelling while the batch in
// flight launches (WaitForTransitioningInstances), then Cancelled. One active refresh per
// group (InstanceRefreshInProgress; ActiveInstanceRefreshNotFound to cancel or roll back
// none). Protected instances are replaced only with ScaleInProtectedInstances Refresh, Standby
// instances are left alone (Ignore; Wait and Terminate are recorded and act as Ignore);
// AlarmSpecification is recorded. Events "EC2 Auto Scaling Instance Refresh Started /
// Checkpoint Reached / Succeeded / Failed / Cancelled / Rollback Started / Rollback
// Succeeded / Rollback Failed" (detail InstanceRefreshId, AutoScalingGroupName; checkpoint
// CheckpointPercentage and CheckpointDelay). Progress moves on each reconciler pass and on
// the refresh API calls.
//
// Behaviour: API calls that change capacity reconcile the group at once (instances are
// launched through ec2sim.RunInstances with the aws:autoscaling:groupName tag, spread over
// the group's zones, and run their user data like any instance). A reconciler on the
// platform clock (Options.Interval, default 10 s; Reconcile runs a pass now; after advancing a
// manual clock, Settle waits for the background pass that fell due) moves
// Pending → InService when EC2 reports running, replaces instances that were terminated,
// stopped or set Unhealthy, completes timed-out lifecycle actions with their default result
// and applies target tracking: desired = ceil(in-service × average CPU / target), CPU being
// what ec2sim.Service.SetCPU says per instance (SetCPU here forwards to it). Events: "EC2 Instance Launch Successful/Unsuccessful",
// "EC2 Instance Terminate Successful", "EC2 Instance-launch/terminate Lifecycle Action"
// (source aws.autoscaling).
//
// Concurrency: the Service is safe for concurrent use; group changes and reconciles are
// serialised by one mutex, held while calling EC2 (a Go service, never a host or callback).
// Close stops the reconciler.
//
// Deviations: reconciling is synchronous in the API call (AWS is asynchronous); no
// CloudWatch alarms are created for policies (target tracking reads the EC2 CPU, step policies
// are driven by ExecutePolicy with MetricValue/BreachThreshold); MixedInstancesPolicy is
// basic (no spot, weights or allocation strategies); warm pools and the ReplaceRootVolume
// refresh strategy are not implemented; without Options.LoadBalancer target groups are recorded
// only; the ELB health check type is recorded (health comes from EC2 and SetInstanceHealth).
package autoscaling
