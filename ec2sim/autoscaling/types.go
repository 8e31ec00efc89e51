package autoscaling

import "time"

// Shapes of the Auto Scaling API (awsQuery): json tags carry the member names.

// LaunchTemplateSpecification picks a launch template.
type LaunchTemplateSpecification struct {
	LaunchTemplateID   string `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string `json:"LaunchTemplateName,omitempty"`
	Version            string `json:"Version,omitempty"`
}

// Tag is a group tag.
type Tag struct {
	ResourceID        string `json:"ResourceId,omitempty"`
	ResourceType      string `json:"ResourceType,omitempty"`
	Key               string `json:"Key"`
	Value             string `json:"Value,omitempty"`
	PropagateAtLaunch *bool  `json:"PropagateAtLaunch,omitempty"`
}

// TagDescription is a group tag as described.
type TagDescription struct {
	ResourceID        string `json:"ResourceId"`
	ResourceType      string `json:"ResourceType"`
	Key               string `json:"Key"`
	Value             string `json:"Value"`
	PropagateAtLaunch bool   `json:"PropagateAtLaunch"`
}

// Instance is an instance of a group.
type Instance struct {
	InstanceID              string                       `json:"InstanceId"`
	InstanceType            string                       `json:"InstanceType,omitempty"`
	AvailabilityZone        string                       `json:"AvailabilityZone"`
	LifecycleState          string                       `json:"LifecycleState"`
	HealthStatus            string                       `json:"HealthStatus"`
	LaunchConfigurationName string                       `json:"LaunchConfigurationName,omitempty"`
	LaunchTemplate          *LaunchTemplateSpecification `json:"LaunchTemplate,omitempty"`
	ProtectedFromScaleIn    bool                         `json:"ProtectedFromScaleIn"`
}

// AutoScalingInstanceDetails is an instance with its group.
type AutoScalingInstanceDetails struct {
	InstanceID              string                       `json:"InstanceId"`
	InstanceType            string                       `json:"InstanceType,omitempty"`
	AutoScalingGroupName    string                       `json:"AutoScalingGroupName"`
	AvailabilityZone        string                       `json:"AvailabilityZone"`
	LifecycleState          string                       `json:"LifecycleState"`
	HealthStatus            string                       `json:"HealthStatus"`
	LaunchConfigurationName string                       `json:"LaunchConfigurationName,omitempty"`
	LaunchTemplate          *LaunchTemplateSpecification `json:"LaunchTemplate,omitempty"`
	ProtectedFromScaleIn    bool                         `json:"ProtectedFromScaleIn"`
}

// SuspendedProcess is a suspended process.
type SuspendedProcess struct {
	ProcessName      string `json:"ProcessName"`
	SuspensionReason string `json:"SuspensionReason"`
}

// Group is an Auto Scaling group.
type Group struct {
	AutoScalingGroupName             string                       `json:"AutoScalingGroupName"`
	AutoScalingGroupARN              string                       `json:"AutoScalingGroupARN"`
	LaunchConfigurationName          string                       `json:"LaunchConfigurationName,omitempty"`
	LaunchTemplate                   *LaunchTemplateSpecification `json:"LaunchTemplate,omitempty"`
	MixedInstancesPolicy             *MixedInstancesPolicy        `json:"MixedInstancesPolicy,omitempty"`
	MinSize                          int32                        `json:"MinSize"`
	MaxSize                          int32                        `json:"MaxSize"`
	DesiredCapacity                  int32                        `json:"DesiredCapacity"`
	DefaultCooldown                  int32                        `json:"DefaultCooldown"`
	AvailabilityZones                []string                     `json:"AvailabilityZones"`
	LoadBalancerNames                []string                     `json:"LoadBalancerNames"`
	TargetGroupARNs                  []string                     `json:"TargetGroupARNs"`
	HealthCheckType                  string                       `json:"HealthCheckType"`
	HealthCheckGracePeriod           int32                        `json:"HealthCheckGracePeriod"`
	Instances                        []Instance                   `json:"Instances"`
	CreatedTime                      time.Time                    `json:"CreatedTime"`
	SuspendedProcesses               []SuspendedProcess           `json:"SuspendedProcesses"`
	EnabledMetrics                   []EnabledMetric              `json:"EnabledMetrics"`
	VPCZoneIdentifier                string                       `json:"VPCZoneIdentifier,omitempty"`
	Tags                             []TagDescription             `json:"Tags"`
	TerminationPolicies              []string                     `json:"TerminationPolicies"`
	NewInstancesProtectedFromScaleIn bool                         `json:"NewInstancesProtectedFromScaleIn"`
	ServiceLinkedRoleARN             string                       `json:"ServiceLinkedRoleARN,omitempty"`
	Status                           string                       `json:"Status,omitempty"`
}

// LifecycleHookSpecification is a hook given at group creation.
type LifecycleHookSpecification struct {
	LifecycleHookName     string `json:"LifecycleHookName"`
	LifecycleTransition   string `json:"LifecycleTransition"`
	HeartbeatTimeout      int32  `json:"HeartbeatTimeout,omitzero"`
	DefaultResult         string `json:"DefaultResult,omitempty"`
	NotificationMetadata  string `json:"NotificationMetadata,omitempty"`
	NotificationTargetARN string `json:"NotificationTargetARN,omitempty"`
	RoleARN               string `json:"RoleARN,omitempty"`
}

// CreateAutoScalingGroupInput creates a group.
type CreateAutoScalingGroupInput struct {
	AutoScalingGroupName             string                       `json:"AutoScalingGroupName"`
	LaunchConfigurationName          string                       `json:"LaunchConfigurationName,omitempty"`
	LaunchTemplate                   *LaunchTemplateSpecification `json:"LaunchTemplate,omitempty"`
	InstanceID                       string                       `json:"InstanceId,omitempty"`
	MixedInstancesPolicy             *MixedInstancesPolicy        `json:"MixedInstancesPolicy,omitempty"`
	MinSize                          int32                        `json:"MinSize"`
	MaxSize                          int32                        `json:"MaxSize"`
	DesiredCapacity                  *int32                       `json:"DesiredCapacity,omitempty"`
	DefaultCooldown                  *int32                       `json:"DefaultCooldown,omitempty"`
	AvailabilityZones                []string                     `json:"AvailabilityZones,omitempty"`
	VPCZoneIdentifier                string                       `json:"VPCZoneIdentifier,omitempty"`
	LoadBalancerNames                []string                     `json:"LoadBalancerNames,omitempty"`
	TargetGroupARNs                  []string                     `json:"TargetGroupARNs,omitempty"`
	HealthCheckType                  string                       `json:"HealthCheckType,omitempty"`
	HealthCheckGracePeriod           *int32                       `json:"HealthCheckGracePeriod,omitempty"`
	Tags                             []Tag                        `json:"Tags,omitempty"`
	TerminationPolicies              []string                     `json:"TerminationPolicies,omitempty"`
	NewInstancesProtectedFromScaleIn bool                         `json:"NewInstancesProtectedFromScaleIn,omitzero"`
	LifecycleHookSpecificationList   []LifecycleHookSpecification `json:"LifecycleHookSpecificationList,omitempty"`
	ServiceLinkedRoleARN             string                       `json:"ServiceLinkedRoleARN,omitempty"`
}

// Empty is an empty result.
type Empty struct{}

// UpdateAutoScalingGroupInput changes a group.
type UpdateAutoScalingGroupInput struct {
	AutoScalingGroupName             string                       `json:"AutoScalingGroupName"`
	LaunchConfigurationName          string                       `json:"LaunchConfigurationName,omitempty"`
	LaunchTemplate                   *LaunchTemplateSpecification `json:"LaunchTemplate,omitempty"`
	MinSize                          *int32                       `json:"MinSize,omitempty"`
	MaxSize                          *int32                       `json:"MaxSize,omitempty"`
	DesiredCapacity                  *int32                       `json:"DesiredCapacity,omitempty"`
	DefaultCooldown                  *int32                       `json:"DefaultCooldown,omitempty"`
	AvailabilityZones                []string                     `json:"AvailabilityZones,omitempty"`
	VPCZoneIdentifier                string                       `json:"VPCZoneIdentifier,omitempty"`
	HealthCheckType                  string                       `json:"HealthCheckType,omitempty"`
	HealthCheckGracePeriod           *int32                       `json:"HealthCheckGracePeriod,omitempty"`
	TerminationPolicies              []string                     `json:"TerminationPolicies,omitempty"`
	NewInstancesProtectedFromScaleIn *bool                        `json:"NewInstancesProtectedFromScaleIn,omitempty"`
}

// DeleteAutoScalingGroupInput deletes a group.
type DeleteAutoScalingGroupInput struct {
	AutoScalingGroupName string `json:"AutoScalingGroupName"`
	ForceDelete          bool   `json:"ForceDelete,omitzero"`
}

// DescribeAutoScalingGroupsInput lists groups.
type DescribeAutoScalingGroupsInput struct {
	AutoScalingGroupNames []string `json:"AutoScalingGroupNames,omitempty"`
	Filters               []Filter `json:"Filters,omitempty"`
	MaxRecords            int32    `json:"MaxRecords,omitzero"`
	NextToken             string   `json:"NextToken,omitempty"`
}

// Filter filters groups (tag:<key>, tag-key, tag-value).
type Filter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values"`
}

// DescribeAutoScalingGroupsOutput is a page of groups.
type DescribeAutoScalingGroupsOutput struct {
	AutoScalingGroups []Group `json:"AutoScalingGroups"`
	NextToken         string  `json:"NextToken,omitempty"`
}

// DescribeAutoScalingInstancesInput lists instances of groups.
type DescribeAutoScalingInstancesInput struct {
	InstanceIDs []string `json:"InstanceIds,omitempty"`
	MaxRecords  int32    `json:"MaxRecords,omitzero"`
	NextToken   string   `json:"NextToken,omitempty"`
}

// DescribeAutoScalingInstancesOutput lists them.
type DescribeAutoScalingInstancesOutput struct {
	AutoScalingInstances []AutoScalingInstanceDetails `json:"AutoScalingInstances"`
	NextToken            string                       `json:"NextToken,omitempty"`
}

// SetDesiredCapacityInput sets a group's desired capacity.
type SetDesiredCapacityInput struct {
	AutoScalingGroupName string `json:"AutoScalingGroupName"`
	DesiredCapacity      int32  `json:"DesiredCapacity"`
	HonorCooldown        bool   `json:"HonorCooldown,omitzero"`
}

// TerminateInstanceInAutoScalingGroupInput terminates one instance.
type TerminateInstanceInAutoScalingGroupInput struct {
	InstanceID                     string `json:"InstanceId"`
	ShouldDecrementDesiredCapacity *bool  `json:"ShouldDecrementDesiredCapacity"`
}

// Activity is a scaling activity.
type Activity struct {
	ActivityID           string    `json:"ActivityId"`
	AutoScalingGroupName string    `json:"AutoScalingGroupName"`
	AutoScalingGroupARN  string    `json:"AutoScalingGroupARN,omitempty"`
	Description          string    `json:"Description"`
	Cause                string    `json:"Cause"`
	StartTime            time.Time `json:"StartTime"`
	EndTime              time.Time `json:"EndTime,omitzero"`
	StatusCode           string    `json:"StatusCode"`
	StatusMessage        string    `json:"StatusMessage,omitempty"`
	Progress             int32     `json:"Progress"`
	Details              string    `json:"Details,omitempty"`
}

// TerminateInstanceInAutoScalingGroupOutput is the activity.
type TerminateInstanceInAutoScalingGroupOutput struct {
	Activity *Activity `json:"Activity,omitempty"`
}

// DescribeScalingActivitiesInput lists activities, newest first.
type DescribeScalingActivitiesInput struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName,omitempty"`
	ActivityIDs          []string `json:"ActivityIds,omitempty"`
	IncludeDeletedGroups bool     `json:"IncludeDeletedGroups,omitzero"`
	MaxRecords           int32    `json:"MaxRecords,omitzero"`
	NextToken            string   `json:"NextToken,omitempty"`
}

// DescribeScalingActivitiesOutput is a page of activities.
type DescribeScalingActivitiesOutput struct {
	Activities []Activity `json:"Activities"`
	NextToken  string     `json:"NextToken,omitempty"`
}

// SetInstanceHealthInput marks an instance healthy or unhealthy.
type SetInstanceHealthInput struct {
	InstanceID               string `json:"InstanceId"`
	HealthStatus             string `json:"HealthStatus"`
	ShouldRespectGracePeriod *bool  `json:"ShouldRespectGracePeriod,omitempty"`
}

// StepAdjustment is one step of a step scaling policy.
type StepAdjustment struct {
	MetricIntervalLowerBound *float64 `json:"MetricIntervalLowerBound,omitempty"`
	MetricIntervalUpperBound *float64 `json:"MetricIntervalUpperBound,omitempty"`
	ScalingAdjustment        int32    `json:"ScalingAdjustment"`
}

// PredefinedMetricSpecification names a predefined metric.
type PredefinedMetricSpecification struct {
	PredefinedMetricType string `json:"PredefinedMetricType"`
	ResourceLabel        string `json:"ResourceLabel,omitempty"`
}

// TargetTrackingConfiguration keeps a metric at a target.
type TargetTrackingConfiguration struct {
	PredefinedMetricSpecification *PredefinedMetricSpecification `json:"PredefinedMetricSpecification,omitempty"`
	TargetValue                   float64                        `json:"TargetValue"`
	DisableScaleIn                bool                           `json:"DisableScaleIn,omitzero"`
}

// PutScalingPolicyInput creates or replaces a policy.
type PutScalingPolicyInput struct {
	AutoScalingGroupName        string                       `json:"AutoScalingGroupName"`
	PolicyName                  string                       `json:"PolicyName"`
	PolicyType                  string                       `json:"PolicyType,omitempty"`
	AdjustmentType              string                       `json:"AdjustmentType,omitempty"`
	ScalingAdjustment           *int32                       `json:"ScalingAdjustment,omitempty"`
	MinAdjustmentMagnitude      *int32                       `json:"MinAdjustmentMagnitude,omitempty"`
	Cooldown                    *int32                       `json:"Cooldown,omitempty"`
	MetricAggregationType       string                       `json:"MetricAggregationType,omitempty"`
	StepAdjustments             []StepAdjustment             `json:"StepAdjustments,omitempty"`
	EstimatedInstanceWarmup     *int32                       `json:"EstimatedInstanceWarmup,omitempty"`
	TargetTrackingConfiguration *TargetTrackingConfiguration `json:"TargetTrackingConfiguration,omitempty"`
	Enabled                     *bool                        `json:"Enabled,omitempty"`
}

// Alarm is an alarm of a policy.
type Alarm struct {
	AlarmName string `json:"AlarmName"`
	AlarmARN  string `json:"AlarmARN"`
}

// PutScalingPolicyOutput is the policy ARN.
type PutScalingPolicyOutput struct {
	PolicyARN string  `json:"PolicyARN"`
	Alarms    []Alarm `json:"Alarms"`
}

// ScalingPolicy is a policy.
type ScalingPolicy struct {
	AutoScalingGroupName        string                       `json:"AutoScalingGroupName"`
	PolicyName                  string                       `json:"PolicyName"`
	PolicyARN                   string                       `json:"PolicyARN"`
	PolicyType                  string                       `json:"PolicyType"`
	AdjustmentType              string                       `json:"AdjustmentType,omitempty"`
	ScalingAdjustment           *int32                       `json:"ScalingAdjustment,omitempty"`
	MinAdjustmentMagnitude      *int32                       `json:"MinAdjustmentMagnitude,omitempty"`
	Cooldown                    *int32                       `json:"Cooldown,omitempty"`
	StepAdjustments             []StepAdjustment             `json:"StepAdjustments,omitempty"`
	MetricAggregationType       string                       `json:"MetricAggregationType,omitempty"`
	EstimatedInstanceWarmup     *int32                       `json:"EstimatedInstanceWarmup,omitempty"`
	TargetTrackingConfiguration *TargetTrackingConfiguration `json:"TargetTrackingConfiguration,omitempty"`
	Alarms                      []Alarm                      `json:"Alarms"`
	Enabled                     bool                         `json:"Enabled"`
}

// DescribePoliciesInput lists policies.
type DescribePoliciesInput struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName,omitempty"`
	PolicyNames          []string `json:"PolicyNames,omitempty"`
	PolicyTypes          []string `json:"PolicyTypes,omitempty"`
	MaxRecords           int32    `json:"MaxRecords,omitzero"`
	NextToken            string   `json:"NextToken,omitempty"`
}

// DescribePoliciesOutput lists policies.
type DescribePoliciesOutput struct {
	ScalingPolicies []ScalingPolicy `json:"ScalingPolicies"`
	NextToken       string          `json:"NextToken,omitempty"`
}

// DeletePolicyInput deletes a policy.
type DeletePolicyInput struct {
	AutoScalingGroupName string `json:"AutoScalingGroupName,omitempty"`
	PolicyName           string `json:"PolicyName"`
}

// ExecutePolicyInput runs a simple or step policy now.
type ExecutePolicyInput struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName,omitempty"`
	PolicyName           string   `json:"PolicyName"`
	HonorCooldown        bool     `json:"HonorCooldown,omitzero"`
	MetricValue          *float64 `json:"MetricValue,omitempty"`
	BreachThreshold      *float64 `json:"BreachThreshold,omitempty"`
}

// LifecycleHook is a hook.
type LifecycleHook struct {
	LifecycleHookName     string `json:"LifecycleHookName"`
	AutoScalingGroupName  string `json:"AutoScalingGroupName"`
	LifecycleTransition   string `json:"LifecycleTransition"`
	NotificationTargetARN string `json:"NotificationTargetARN,omitempty"`
	RoleARN               string `json:"RoleARN,omitempty"`
	NotificationMetadata  string `json:"NotificationMetadata,omitempty"`
	HeartbeatTimeout      int32  `json:"HeartbeatTimeout"`
	GlobalTimeout         int32  `json:"GlobalTimeout"`
	DefaultResult         string `json:"DefaultResult"`
}

// PutLifecycleHookInput creates or updates a hook.
type PutLifecycleHookInput struct {
	LifecycleHookName     string `json:"LifecycleHookName"`
	AutoScalingGroupName  string `json:"AutoScalingGroupName"`
	LifecycleTransition   string `json:"LifecycleTransition,omitempty"`
	RoleARN               string `json:"RoleARN,omitempty"`
	NotificationTargetARN string `json:"NotificationTargetARN,omitempty"`
	NotificationMetadata  string `json:"NotificationMetadata,omitempty"`
	HeartbeatTimeout      *int32 `json:"HeartbeatTimeout,omitempty"`
	DefaultResult         string `json:"DefaultResult,omitempty"`
}

// DescribeLifecycleHooksInput lists hooks.
type DescribeLifecycleHooksInput struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName"`
	LifecycleHookNames   []string `json:"LifecycleHookNames,omitempty"`
}

// DescribeLifecycleHooksOutput lists hooks.
type DescribeLifecycleHooksOutput struct {
	LifecycleHooks []LifecycleHook `json:"LifecycleHooks"`
}

// DeleteLifecycleHookInput deletes a hook.
type DeleteLifecycleHookInput struct {
	LifecycleHookName    string `json:"LifecycleHookName"`
	AutoScalingGroupName string `json:"AutoScalingGroupName"`
}

// CompleteLifecycleActionInput completes a waiting action (CONTINUE or ABANDON).
type CompleteLifecycleActionInput struct {
	LifecycleHookName     string `json:"LifecycleHookName"`
	AutoScalingGroupName  string `json:"AutoScalingGroupName"`
	LifecycleActionToken  string `json:"LifecycleActionToken,omitempty"`
	LifecycleActionResult string `json:"LifecycleActionResult"`
	InstanceID            string `json:"InstanceId,omitempty"`
}

// RecordLifecycleActionHeartbeatInput extends a waiting action's timeout.
type RecordLifecycleActionHeartbeatInput struct {
	LifecycleHookName    string `json:"LifecycleHookName"`
	AutoScalingGroupName string `json:"AutoScalingGroupName"`
	LifecycleActionToken string `json:"LifecycleActionToken,omitempty"`
	InstanceID           string `json:"InstanceId,omitempty"`
}

// LaunchConfiguration is a (legacy) launch configuration.
type LaunchConfiguration struct {
	LaunchConfigurationName string    `json:"LaunchConfigurationName"`
	LaunchConfigurationARN  string    `json:"LaunchConfigurationARN"`
	ImageID                 string    `json:"ImageId"`
	InstanceType            string    `json:"InstanceType"`
	KeyName                 string    `json:"KeyName,omitempty"`
	SecurityGroups          []string  `json:"SecurityGroups"`
	UserData                string    `json:"UserData,omitempty"`
	IamInstanceProfile      string    `json:"IamInstanceProfile,omitempty"`
	CreatedTime             time.Time `json:"CreatedTime"`
}

// CreateLaunchConfigurationInput creates one.
type CreateLaunchConfigurationInput struct {
	LaunchConfigurationName string   `json:"LaunchConfigurationName"`
	ImageID                 string   `json:"ImageId,omitempty"`
	InstanceType            string   `json:"InstanceType,omitempty"`
	KeyName                 string   `json:"KeyName,omitempty"`
	SecurityGroups          []string `json:"SecurityGroups,omitempty"`
	UserData                string   `json:"UserData,omitempty"`
	IamInstanceProfile      string   `json:"IamInstanceProfile,omitempty"`
}

// DescribeLaunchConfigurationsInput lists them.
type DescribeLaunchConfigurationsInput struct {
	LaunchConfigurationNames []string `json:"LaunchConfigurationNames,omitempty"`
	MaxRecords               int32    `json:"MaxRecords,omitzero"`
	NextToken                string   `json:"NextToken,omitempty"`
}

// DescribeLaunchConfigurationsOutput lists them.
type DescribeLaunchConfigurationsOutput struct {
	LaunchConfigurations []LaunchConfiguration `json:"LaunchConfigurations"`
	NextToken            string                `json:"NextToken,omitempty"`
}

// DeleteLaunchConfigurationInput deletes one.
type DeleteLaunchConfigurationInput struct {
	LaunchConfigurationName string `json:"LaunchConfigurationName"`
}

// MixedInstancesPolicy is the basic form devopsim supports: a launch template and instance
// type overrides (instances launch with the first override's type).
type MixedInstancesPolicy struct {
	LaunchTemplate *MixedLaunchTemplate `json:"LaunchTemplate,omitempty"`
}

// MixedLaunchTemplate is a policy's launch template and overrides.
type MixedLaunchTemplate struct {
	LaunchTemplateSpecification *LaunchTemplateSpecification `json:"LaunchTemplateSpecification,omitempty"`
	Overrides                   []LaunchTemplateOverrides    `json:"Overrides,omitempty"`
}

// LaunchTemplateOverrides overrides the template's instance type.
type LaunchTemplateOverrides struct {
	InstanceType     string `json:"InstanceType,omitempty"`
	WeightedCapacity string `json:"WeightedCapacity,omitempty"`
}

// Instance refresh

// AlarmSpecification names CloudWatch alarms an instance refresh watches (recorded).
type AlarmSpecification struct {
	Alarms []string `json:"Alarms,omitempty"`
}

// RefreshPreferences tune an instance refresh.
type RefreshPreferences struct {
	MinHealthyPercentage      *int32              `json:"MinHealthyPercentage,omitempty"`
	MaxHealthyPercentage      *int32              `json:"MaxHealthyPercentage,omitempty"`
	InstanceWarmup            *int32              `json:"InstanceWarmup,omitempty"`
	CheckpointPercentages     []int32             `json:"CheckpointPercentages,omitempty"`
	CheckpointDelay           *int32              `json:"CheckpointDelay,omitempty"`
	SkipMatching              *bool               `json:"SkipMatching,omitempty"`
	AutoRollback              *bool               `json:"AutoRollback,omitempty"`
	ScaleInProtectedInstances string              `json:"ScaleInProtectedInstances,omitempty"`
	StandbyInstances          string              `json:"StandbyInstances,omitempty"`
	BakeTime                  *int32              `json:"BakeTime,omitempty"`
	AlarmSpecification        *AlarmSpecification `json:"AlarmSpecification,omitempty"`
}

// DesiredConfiguration is what an instance refresh moves the group to.
type DesiredConfiguration struct {
	LaunchTemplate       *LaunchTemplateSpecification `json:"LaunchTemplate,omitempty"`
	MixedInstancesPolicy *MixedInstancesPolicy        `json:"MixedInstancesPolicy,omitempty"`
}

// StartInstanceRefreshInput starts an instance refresh.
type StartInstanceRefreshInput struct {
	AutoScalingGroupName string                `json:"AutoScalingGroupName"`
	Strategy             string                `json:"Strategy,omitempty"`
	DesiredConfiguration *DesiredConfiguration `json:"DesiredConfiguration,omitempty"`
	Preferences          *RefreshPreferences   `json:"Preferences,omitempty"`
}

// InstanceRefreshIDOutput is the id of the refresh started, cancelled or rolled back.
type InstanceRefreshIDOutput struct {
	InstanceRefreshID string `json:"InstanceRefreshId"`
}

// DescribeInstanceRefreshesInput lists a group's instance refreshes, newest first.
type DescribeInstanceRefreshesInput struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName"`
	InstanceRefreshIDs   []string `json:"InstanceRefreshIds,omitempty"`
	MaxRecords           int32    `json:"MaxRecords,omitzero"`
	NextToken            string   `json:"NextToken,omitempty"`
}

// InstanceRefreshProgress is the progress of one pool.
type InstanceRefreshProgress struct {
	PercentageComplete int32 `json:"PercentageComplete"`
	InstancesToUpdate  int32 `json:"InstancesToUpdate"`
}

// InstanceRefreshProgressDetails is the progress per pool (live pool only here).
type InstanceRefreshProgressDetails struct {
	LivePoolProgress *InstanceRefreshProgress `json:"LivePoolProgress,omitempty"`
}

// RollbackDetails describe a rollback.
type RollbackDetails struct {
	RollbackReason               string                          `json:"RollbackReason,omitempty"`
	RollbackStartTime            time.Time                       `json:"RollbackStartTime,omitzero"`
	PercentageCompleteOnRollback int32                           `json:"PercentageCompleteOnRollback"`
	InstancesToUpdateOnRollback  int32                           `json:"InstancesToUpdateOnRollback"`
	ProgressDetailsOnRollback    *InstanceRefreshProgressDetails `json:"ProgressDetailsOnRollback,omitempty"`
}

// InstanceRefresh is an instance refresh.
type InstanceRefresh struct {
	InstanceRefreshID    string                          `json:"InstanceRefreshId"`
	AutoScalingGroupName string                          `json:"AutoScalingGroupName"`
	Status               string                          `json:"Status"`
	StatusReason         string                          `json:"StatusReason,omitempty"`
	StartTime            time.Time                       `json:"StartTime,omitzero"`
	EndTime              time.Time                       `json:"EndTime,omitzero"`
	PercentageComplete   int32                           `json:"PercentageComplete"`
	InstancesToUpdate    int32                           `json:"InstancesToUpdate"`
	ProgressDetails      *InstanceRefreshProgressDetails `json:"ProgressDetails,omitempty"`
	Preferences          *RefreshPreferences             `json:"Preferences,omitempty"`
	DesiredConfiguration *DesiredConfiguration           `json:"DesiredConfiguration,omitempty"`
	RollbackDetails      *RollbackDetails                `json:"RollbackDetails,omitempty"`
	Strategy             string                          `json:"Strategy,omitempty"`
}

// DescribeInstanceRefreshesOutput is a page of refreshes.
type DescribeInstanceRefreshesOutput struct {
	InstanceRefreshes []InstanceRefresh `json:"InstanceRefreshes"`
	NextToken         string            `json:"NextToken,omitempty"`
}

// CancelInstanceRefreshInput cancels a group's active refresh.
type CancelInstanceRefreshInput struct {
	AutoScalingGroupName          string `json:"AutoScalingGroupName"`
	WaitForTransitioningInstances *bool  `json:"WaitForTransitioningInstances,omitempty"`
}

// RollbackInstanceRefreshInput rolls a group's active refresh back.
type RollbackInstanceRefreshInput struct {
	AutoScalingGroupName string `json:"AutoScalingGroupName"`
}
