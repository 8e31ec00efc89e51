package codedeploy

import "time"

// The json tags are CodeDeploy's member names on the wire (awsJson1_1).

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key,omitempty"`
	Value string `json:"Value,omitempty"`
}

// ApplicationInfo describes an application.
type ApplicationInfo struct {
	ApplicationID     string    `json:"applicationId,omitempty"`
	ApplicationName   string    `json:"applicationName,omitempty"`
	CreateTime        time.Time `json:"createTime,omitzero"`
	LinkedToGitHub    bool      `json:"linkedToGitHub,omitzero"`
	GitHubAccountName string    `json:"gitHubAccountName,omitempty"`
	ComputePlatform   string    `json:"computePlatform,omitempty"`
}

// S3Location is a revision bundle in S3.
type S3Location struct {
	Bucket     string `json:"bucket,omitempty"`
	Key        string `json:"key,omitempty"`
	BundleType string `json:"bundleType,omitempty"` // tar, tgz, zip, YAML, JSON
	Version    string `json:"version,omitempty"`
	ETag       string `json:"eTag,omitempty"`
}

// GitHubLocation is a revision in GitHub.
type GitHubLocation struct {
	Repository string `json:"repository,omitempty"`
	CommitID   string `json:"commitId,omitempty"`
}

// RawString is an inline revision (Lambda/ECS).
type RawString struct {
	Content string `json:"content,omitempty"`
	Sha256  string `json:"sha256,omitempty"`
}

// RevisionLocation says where a revision is.
type RevisionLocation struct {
	RevisionType   string          `json:"revisionType,omitempty"` // S3, GitHub, String, AppSpecContent
	S3Location     *S3Location     `json:"s3Location,omitempty"`
	GitHubLocation *GitHubLocation `json:"gitHubLocation,omitempty"`
	String         *RawString      `json:"string,omitempty"`
	AppSpecContent *RawString      `json:"appSpecContent,omitempty"`
}

// GenericRevisionInfo is what CodeDeploy knows about a registered revision.
type GenericRevisionInfo struct {
	Description      string    `json:"description,omitempty"`
	DeploymentGroups []string  `json:"deploymentGroups,omitempty"`
	FirstUsedTime    time.Time `json:"firstUsedTime,omitzero"`
	LastUsedTime     time.Time `json:"lastUsedTime,omitzero"`
	RegisterTime     time.Time `json:"registerTime,omitzero"`
}

// RevisionInfo pairs a revision with its information.
type RevisionInfo struct {
	RevisionLocation    *RevisionLocation    `json:"revisionLocation,omitempty"`
	GenericRevisionInfo *GenericRevisionInfo `json:"genericRevisionInfo,omitempty"`
}

// MinimumHealthyHosts is a deployment configuration's health rule.
type MinimumHealthyHosts struct {
	Type  string `json:"type,omitempty"` // HOST_COUNT, FLEET_PERCENT (MOST_CONCURRENCY for OneAtATime)
	Value int32  `json:"value"`
}

// TimeBasedCanary is a Lambda/ECS traffic routing rule.
type TimeBasedCanary struct {
	CanaryPercentage int32 `json:"canaryPercentage,omitzero"`
	CanaryInterval   int32 `json:"canaryInterval,omitzero"`
}

// TimeBasedLinear is a Lambda/ECS traffic routing rule.
type TimeBasedLinear struct {
	LinearPercentage int32 `json:"linearPercentage,omitzero"`
	LinearInterval   int32 `json:"linearInterval,omitzero"`
}

// TrafficRoutingConfig is a Lambda/ECS traffic routing configuration.
type TrafficRoutingConfig struct {
	Type            string           `json:"type,omitempty"`
	TimeBasedCanary *TimeBasedCanary `json:"timeBasedCanary,omitempty"`
	TimeBasedLinear *TimeBasedLinear `json:"timeBasedLinear,omitempty"`
}

// MinimumHealthyHostsPerZone is a zonal configuration's health rule.
type MinimumHealthyHostsPerZone struct {
	Type  string `json:"type,omitempty"`
	Value int32  `json:"value"`
}

// ZonalConfig is a zonal deployment configuration.
type ZonalConfig struct {
	FirstZoneMonitorDurationInSeconds int64                       `json:"firstZoneMonitorDurationInSeconds,omitzero"`
	MonitorDurationInSeconds          int64                       `json:"monitorDurationInSeconds,omitzero"`
	MinimumHealthyHostsPerZone        *MinimumHealthyHostsPerZone `json:"minimumHealthyHostsPerZone,omitempty"`
}

// DeploymentConfigInfo describes a deployment configuration.
type DeploymentConfigInfo struct {
	DeploymentConfigID   string                `json:"deploymentConfigId,omitempty"`
	DeploymentConfigName string                `json:"deploymentConfigName,omitempty"`
	MinimumHealthyHosts  *MinimumHealthyHosts  `json:"minimumHealthyHosts,omitempty"`
	CreateTime           time.Time             `json:"createTime,omitzero"`
	ComputePlatform      string                `json:"computePlatform,omitempty"`
	TrafficRoutingConfig *TrafficRoutingConfig `json:"trafficRoutingConfig,omitempty"`
	ZonalConfig          *ZonalConfig          `json:"zonalConfig,omitempty"`
}

// EC2TagFilter selects EC2 instances by tag.
type EC2TagFilter struct {
	Key   string `json:"Key,omitempty"`
	Value string `json:"Value,omitempty"`
	Type  string `json:"Type,omitempty"` // KEY_ONLY, VALUE_ONLY, KEY_AND_VALUE
}

// TagFilter selects on-premises instances by tag.
type TagFilter struct {
	Key   string `json:"Key,omitempty"`
	Value string `json:"Value,omitempty"`
	Type  string `json:"Type,omitempty"`
}

// EC2TagSet is a list of tag groups: an instance must match every group (a group matches
// when any of its filters does).
type EC2TagSet struct {
	EC2TagSetList [][]EC2TagFilter `json:"ec2TagSetList,omitempty"`
}

// OnPremisesTagSet is the on-premises analogue of EC2TagSet.
type OnPremisesTagSet struct {
	OnPremisesTagSetList [][]TagFilter `json:"onPremisesTagSetList,omitempty"`
}

// AutoScalingGroup is an Auto Scaling group of a deployment group, with its lifecycle hook.
type AutoScalingGroup struct {
	Name            string `json:"name,omitempty"`
	Hook            string `json:"hook,omitempty"`
	TerminationHook string `json:"terminationHook,omitempty"`
}

// TriggerConfig sends deployment and instance notifications to an SNS topic.
type TriggerConfig struct {
	TriggerName      string   `json:"triggerName,omitempty"`
	TriggerTargetArn string   `json:"triggerTargetArn,omitempty"`
	TriggerEvents    []string `json:"triggerEvents,omitempty"`
}

// Alarm names a CloudWatch alarm.
type Alarm struct {
	Name string `json:"name,omitempty"`
}

// AlarmConfiguration lists the alarms that stop a deployment.
type AlarmConfiguration struct {
	Enabled                bool    `json:"enabled,omitzero"`
	IgnorePollAlarmFailure bool    `json:"ignorePollAlarmFailure,omitzero"`
	Alarms                 []Alarm `json:"alarms,omitempty"`
}

// AutoRollbackConfiguration says when a failed deployment is rolled back.
type AutoRollbackConfiguration struct {
	Enabled bool     `json:"enabled,omitzero"`
	Events  []string `json:"events,omitempty"` // DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST
}

// DeploymentStyle is in-place or blue/green, with or without a load balancer.
type DeploymentStyle struct {
	DeploymentType   string `json:"deploymentType,omitempty"`   // IN_PLACE, BLUE_GREEN
	DeploymentOption string `json:"deploymentOption,omitempty"` // WITH_TRAFFIC_CONTROL, WITHOUT_TRAFFIC_CONTROL
}

// BlueInstanceTerminationOption says what happens to the original fleet.
type BlueInstanceTerminationOption struct {
	Action                       string `json:"action,omitempty"` // TERMINATE, KEEP_ALIVE
	TerminationWaitTimeInMinutes int32  `json:"terminationWaitTimeInMinutes,omitzero"`
}

// DeploymentReadyOption says when traffic is rerouted to the replacement fleet.
type DeploymentReadyOption struct {
	ActionOnTimeout   string `json:"actionOnTimeout,omitempty"` // CONTINUE_DEPLOYMENT, STOP_DEPLOYMENT
	WaitTimeInMinutes int32  `json:"waitTimeInMinutes,omitzero"`
}

// GreenFleetProvisioningOption says how the replacement fleet is made.
type GreenFleetProvisioningOption struct {
	Action string `json:"action,omitempty"` // DISCOVER_EXISTING, COPY_AUTO_SCALING_GROUP
}

// BlueGreenDeploymentConfiguration configures blue/green deployments.
type BlueGreenDeploymentConfiguration struct {
	TerminateBlueInstancesOnDeploymentSuccess *BlueInstanceTerminationOption `json:"terminateBlueInstancesOnDeploymentSuccess,omitempty"`
	DeploymentReadyOption                     *DeploymentReadyOption         `json:"deploymentReadyOption,omitempty"`
	GreenFleetProvisioningOption              *GreenFleetProvisioningOption  `json:"greenFleetProvisioningOption,omitempty"`
}

// ELBInfo names a Classic Load Balancer.
type ELBInfo struct {
	Name string `json:"name,omitempty"`
}

// TargetGroupInfo names a target group.
type TargetGroupInfo struct {
	Name string `json:"name,omitempty"`
}

// TrafficRoute lists listener ARNs (ECS).
type TrafficRoute struct {
	ListenerArns []string `json:"listenerArns,omitempty"`
}

// TargetGroupPairInfo is an ECS blue/green target group pair.
type TargetGroupPairInfo struct {
	TargetGroups     []TargetGroupInfo `json:"targetGroups,omitempty"`
	ProdTrafficRoute *TrafficRoute     `json:"prodTrafficRoute,omitempty"`
	TestTrafficRoute *TrafficRoute     `json:"testTrafficRoute,omitempty"`
}

// LoadBalancerInfo names the load balancers of a deployment group.
type LoadBalancerInfo struct {
	ELBInfoList             []ELBInfo             `json:"elbInfoList,omitempty"`
	TargetGroupInfoList     []TargetGroupInfo     `json:"targetGroupInfoList,omitempty"`
	TargetGroupPairInfoList []TargetGroupPairInfo `json:"targetGroupPairInfoList,omitempty"`
}

// LastDeploymentInfo summarises a deployment group's last deployment.
type LastDeploymentInfo struct {
	DeploymentID string    `json:"deploymentId,omitempty"`
	Status       string    `json:"status,omitempty"`
	EndTime      time.Time `json:"endTime,omitzero"`
	CreateTime   time.Time `json:"createTime,omitzero"`
}

// ECSService names an ECS service.
type ECSService struct {
	ServiceName string `json:"serviceName,omitempty"`
	ClusterName string `json:"clusterName,omitempty"`
}

// DeploymentGroupInfo describes a deployment group.
type DeploymentGroupInfo struct {
	ApplicationName                  string                            `json:"applicationName,omitempty"`
	DeploymentGroupID                string                            `json:"deploymentGroupId,omitempty"`
	DeploymentGroupName              string                            `json:"deploymentGroupName,omitempty"`
	DeploymentConfigName             string                            `json:"deploymentConfigName,omitempty"`
	EC2TagFilters                    []EC2TagFilter                    `json:"ec2TagFilters,omitempty"`
	OnPremisesInstanceTagFilters     []TagFilter                       `json:"onPremisesInstanceTagFilters,omitempty"`
	AutoScalingGroups                []AutoScalingGroup                `json:"autoScalingGroups,omitempty"`
	ServiceRoleArn                   string                            `json:"serviceRoleArn,omitempty"`
	TargetRevision                   *RevisionLocation                 `json:"targetRevision,omitempty"`
	TriggerConfigurations            []TriggerConfig                   `json:"triggerConfigurations,omitempty"`
	AlarmConfiguration               *AlarmConfiguration               `json:"alarmConfiguration,omitempty"`
	AutoRollbackConfiguration        *AutoRollbackConfiguration        `json:"autoRollbackConfiguration,omitempty"`
	DeploymentStyle                  *DeploymentStyle                  `json:"deploymentStyle,omitempty"`
	OutdatedInstancesStrategy        string                            `json:"outdatedInstancesStrategy,omitempty"`
	BlueGreenDeploymentConfiguration *BlueGreenDeploymentConfiguration `json:"blueGreenDeploymentConfiguration,omitempty"`
	LoadBalancerInfo                 *LoadBalancerInfo                 `json:"loadBalancerInfo,omitempty"`
	LastSuccessfulDeployment         *LastDeploymentInfo               `json:"lastSuccessfulDeployment,omitempty"`
	LastAttemptedDeployment          *LastDeploymentInfo               `json:"lastAttemptedDeployment,omitempty"`
	EC2TagSet                        *EC2TagSet                        `json:"ec2TagSet,omitempty"`
	OnPremisesTagSet                 *OnPremisesTagSet                 `json:"onPremisesTagSet,omitempty"`
	ComputePlatform                  string                            `json:"computePlatform,omitempty"`
	ECSServices                      []ECSService                      `json:"ecsServices,omitempty"`
	TerminationHookEnabled           bool                              `json:"terminationHookEnabled,omitzero"`
}

// ErrorInformation is why a deployment failed.
type ErrorInformation struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// DeploymentOverview counts a deployment's instances by status.
type DeploymentOverview struct {
	Pending    int64 `json:"Pending"`
	InProgress int64 `json:"InProgress"`
	Succeeded  int64 `json:"Succeeded"`
	Failed     int64 `json:"Failed"`
	Skipped    int64 `json:"Skipped"`
	Ready      int64 `json:"Ready"`
}

// RollbackInfo links a deployment and its rollback.
type RollbackInfo struct {
	RollbackDeploymentID           string `json:"rollbackDeploymentId,omitempty"`
	RollbackTriggeringDeploymentID string `json:"rollbackTriggeringDeploymentId,omitempty"`
	RollbackMessage                string `json:"rollbackMessage,omitempty"`
}

// TargetInstances selects a blue/green deployment's replacement instances.
type TargetInstances struct {
	TagFilters        []EC2TagFilter `json:"tagFilters,omitempty"`
	AutoScalingGroups []string       `json:"autoScalingGroups,omitempty"`
	EC2TagSet         *EC2TagSet     `json:"ec2TagSet,omitempty"`
}

// RelatedDeployments links ECS deployments.
type RelatedDeployments struct {
	AutoUpdateOutdatedInstancesRootDeploymentID string   `json:"autoUpdateOutdatedInstancesRootDeploymentId,omitempty"`
	AutoUpdateOutdatedInstancesDeploymentIDs    []string `json:"autoUpdateOutdatedInstancesDeploymentIds,omitempty"`
}

// DeploymentInfo describes a deployment.
type DeploymentInfo struct {
	ApplicationName                    string                            `json:"applicationName,omitempty"`
	DeploymentGroupName                string                            `json:"deploymentGroupName,omitempty"`
	DeploymentConfigName               string                            `json:"deploymentConfigName,omitempty"`
	DeploymentID                       string                            `json:"deploymentId,omitempty"`
	PreviousRevision                   *RevisionLocation                 `json:"previousRevision,omitempty"`
	Revision                           *RevisionLocation                 `json:"revision,omitempty"`
	Status                             string                            `json:"status,omitempty"`
	ErrorInformation                   *ErrorInformation                 `json:"errorInformation,omitempty"`
	CreateTime                         time.Time                         `json:"createTime,omitzero"`
	StartTime                          time.Time                         `json:"startTime,omitzero"`
	CompleteTime                       time.Time                         `json:"completeTime,omitzero"`
	DeploymentOverview                 *DeploymentOverview               `json:"deploymentOverview,omitempty"`
	Description                        string                            `json:"description,omitempty"`
	Creator                            string                            `json:"creator,omitempty"`
	IgnoreApplicationStopFailures      bool                              `json:"ignoreApplicationStopFailures,omitzero"`
	AutoRollbackConfiguration          *AutoRollbackConfiguration        `json:"autoRollbackConfiguration,omitempty"`
	UpdateOutdatedInstancesOnly        bool                              `json:"updateOutdatedInstancesOnly,omitzero"`
	RollbackInfo                       *RollbackInfo                     `json:"rollbackInfo,omitempty"`
	DeploymentStyle                    *DeploymentStyle                  `json:"deploymentStyle,omitempty"`
	TargetInstances                    *TargetInstances                  `json:"targetInstances,omitempty"`
	InstanceTerminationWaitTimeStarted bool                              `json:"instanceTerminationWaitTimeStarted,omitzero"`
	BlueGreenDeploymentConfiguration   *BlueGreenDeploymentConfiguration `json:"blueGreenDeploymentConfiguration,omitempty"`
	LoadBalancerInfo                   *LoadBalancerInfo                 `json:"loadBalancerInfo,omitempty"`
	AdditionalDeploymentStatusInfo     string                            `json:"additionalDeploymentStatusInfo,omitempty"`
	FileExistsBehavior                 string                            `json:"fileExistsBehavior,omitempty"`
	DeploymentStatusMessages           []string                          `json:"deploymentStatusMessages,omitempty"`
	ComputePlatform                    string                            `json:"computePlatform,omitempty"`
	ExternalID                         string                            `json:"externalId,omitempty"`
	RelatedDeployments                 *RelatedDeployments               `json:"relatedDeployments,omitempty"`
	OverrideAlarmConfiguration         *AlarmConfiguration               `json:"overrideAlarmConfiguration,omitempty"`
}

// Diagnostics is why a lifecycle event failed.
type Diagnostics struct {
	ErrorCode  string `json:"errorCode,omitempty"` // Success, ScriptMissing, ScriptNotExecutable, ScriptTimedOut, ScriptFailed, UnknownError
	ScriptName string `json:"scriptName,omitempty"`
	Message    string `json:"message,omitempty"`
	LogTail    string `json:"logTail,omitempty"`
}

// LifecycleEvent is one step of a deployment on an instance.
type LifecycleEvent struct {
	LifecycleEventName string       `json:"lifecycleEventName,omitempty"`
	Diagnostics        *Diagnostics `json:"diagnostics,omitempty"`
	StartTime          time.Time    `json:"startTime,omitzero"`
	EndTime            time.Time    `json:"endTime,omitzero"`
	Status             string       `json:"status,omitempty"` // Pending, InProgress, Succeeded, Failed, Skipped, Unknown
}

// InstanceSummary is a deployment on one instance (the older instance API).
type InstanceSummary struct {
	DeploymentID    string           `json:"deploymentId,omitempty"`
	InstanceID      string           `json:"instanceId,omitempty"`
	Status          string           `json:"status,omitempty"`
	LastUpdatedAt   time.Time        `json:"lastUpdatedAt,omitzero"`
	LifecycleEvents []LifecycleEvent `json:"lifecycleEvents,omitempty"`
	InstanceType    string           `json:"instanceType,omitempty"` // Blue, Green
}

// InstanceTarget is a deployment on one EC2/On-premises instance.
type InstanceTarget struct {
	DeploymentID    string           `json:"deploymentId,omitempty"`
	TargetID        string           `json:"targetId,omitempty"`
	TargetArn       string           `json:"targetArn,omitempty"`
	Status          string           `json:"status,omitempty"`
	LastUpdatedAt   time.Time        `json:"lastUpdatedAt,omitzero"`
	LifecycleEvents []LifecycleEvent `json:"lifecycleEvents,omitempty"`
	InstanceLabel   string           `json:"instanceLabel,omitempty"` // Blue, Green
}

// DeploymentTarget is one target of a deployment.
type DeploymentTarget struct {
	DeploymentTargetType string          `json:"deploymentTargetType,omitempty"` // InstanceTarget
	InstanceTarget       *InstanceTarget `json:"instanceTarget,omitempty"`
}

// TimeRange bounds a time.
type TimeRange struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// ---- operation inputs and outputs

type CreateApplicationInput struct {
	ApplicationName string `json:"applicationName,omitempty"`
	ComputePlatform string `json:"computePlatform,omitempty"`
	Tags            []Tag  `json:"tags,omitempty"`
}
type CreateApplicationOutput struct {
	ApplicationID string `json:"applicationId,omitempty"`
}
type GetApplicationInput struct {
	ApplicationName string `json:"applicationName,omitempty"`
}
type GetApplicationOutput struct {
	Application *ApplicationInfo `json:"application,omitempty"`
}
type BatchGetApplicationsInput struct {
	ApplicationNames []string `json:"applicationNames,omitempty"`
}
type BatchGetApplicationsOutput struct {
	ApplicationsInfo []ApplicationInfo `json:"applicationsInfo,omitempty"`
}
type ListApplicationsInput struct {
	NextToken string `json:"nextToken,omitempty"`
}
type ListApplicationsOutput struct {
	Applications []string `json:"applications,omitempty"`
	NextToken    string   `json:"nextToken,omitempty"`
}
type UpdateApplicationInput struct {
	ApplicationName    string `json:"applicationName,omitempty"`
	NewApplicationName string `json:"newApplicationName,omitempty"`
}
type UpdateApplicationOutput struct{}
type DeleteApplicationInput struct {
	ApplicationName string `json:"applicationName,omitempty"`
}
type DeleteApplicationOutput struct{}

type RegisterApplicationRevisionInput struct {
	ApplicationName string            `json:"applicationName,omitempty"`
	Description     string            `json:"description,omitempty"`
	Revision        *RevisionLocation `json:"revision,omitempty"`
}
type RegisterApplicationRevisionOutput struct{}
type GetApplicationRevisionInput struct {
	ApplicationName string            `json:"applicationName,omitempty"`
	Revision        *RevisionLocation `json:"revision,omitempty"`
}
type GetApplicationRevisionOutput struct {
	ApplicationName string               `json:"applicationName,omitempty"`
	Revision        *RevisionLocation    `json:"revision,omitempty"`
	RevisionInfo    *GenericRevisionInfo `json:"revisionInfo,omitempty"`
}
type ListApplicationRevisionsInput struct {
	ApplicationName string `json:"applicationName,omitempty"`
	SortBy          string `json:"sortBy,omitempty"`    // registerTime, firstUsedTime, lastUsedTime
	SortOrder       string `json:"sortOrder,omitempty"` // ascending, descending
	S3Bucket        string `json:"s3Bucket,omitempty"`
	S3KeyPrefix     string `json:"s3KeyPrefix,omitempty"`
	Deployed        string `json:"deployed,omitempty"` // include, exclude, ignore
	NextToken       string `json:"nextToken,omitempty"`
}
type ListApplicationRevisionsOutput struct {
	Revisions []RevisionLocation `json:"revisions,omitempty"`
	NextToken string             `json:"nextToken,omitempty"`
}
type BatchGetApplicationRevisionsInput struct {
	ApplicationName string             `json:"applicationName,omitempty"`
	Revisions       []RevisionLocation `json:"revisions,omitempty"`
}
type BatchGetApplicationRevisionsOutput struct {
	ApplicationName string         `json:"applicationName,omitempty"`
	ErrorMessage    string         `json:"errorMessage,omitempty"`
	Revisions       []RevisionInfo `json:"revisions,omitempty"`
}

type CreateDeploymentConfigInput struct {
	DeploymentConfigName string                `json:"deploymentConfigName,omitempty"`
	MinimumHealthyHosts  *MinimumHealthyHosts  `json:"minimumHealthyHosts,omitempty"`
	TrafficRoutingConfig *TrafficRoutingConfig `json:"trafficRoutingConfig,omitempty"`
	ComputePlatform      string                `json:"computePlatform,omitempty"`
	ZonalConfig          *ZonalConfig          `json:"zonalConfig,omitempty"`
}
type CreateDeploymentConfigOutput struct {
	DeploymentConfigID string `json:"deploymentConfigId,omitempty"`
}
type GetDeploymentConfigInput struct {
	DeploymentConfigName string `json:"deploymentConfigName,omitempty"`
}
type GetDeploymentConfigOutput struct {
	DeploymentConfigInfo *DeploymentConfigInfo `json:"deploymentConfigInfo,omitempty"`
}
type ListDeploymentConfigsInput struct {
	NextToken string `json:"nextToken,omitempty"`
}
type ListDeploymentConfigsOutput struct {
	DeploymentConfigsList []string `json:"deploymentConfigsList,omitempty"`
	NextToken             string   `json:"nextToken,omitempty"`
}
type DeleteDeploymentConfigInput struct {
	DeploymentConfigName string `json:"deploymentConfigName,omitempty"`
}
type DeleteDeploymentConfigOutput struct{}

// CreateDeploymentGroupInput creates a deployment group.
type CreateDeploymentGroupInput struct {
	ApplicationName                  string                            `json:"applicationName,omitempty"`
	DeploymentGroupName              string                            `json:"deploymentGroupName,omitempty"`
	DeploymentConfigName             string                            `json:"deploymentConfigName,omitempty"`
	EC2TagFilters                    []EC2TagFilter                    `json:"ec2TagFilters,omitempty"`
	OnPremisesInstanceTagFilters     []TagFilter                       `json:"onPremisesInstanceTagFilters,omitempty"`
	AutoScalingGroups                []string                          `json:"autoScalingGroups,omitempty"`
	ServiceRoleArn                   string                            `json:"serviceRoleArn,omitempty"`
	TriggerConfigurations            []TriggerConfig                   `json:"triggerConfigurations,omitempty"`
	AlarmConfiguration               *AlarmConfiguration               `json:"alarmConfiguration,omitempty"`
	AutoRollbackConfiguration        *AutoRollbackConfiguration        `json:"autoRollbackConfiguration,omitempty"`
	OutdatedInstancesStrategy        string                            `json:"outdatedInstancesStrategy,omitempty"`
	DeploymentStyle                  *DeploymentStyle                  `json:"deploymentStyle,omitempty"`
	BlueGreenDeploymentConfiguration *BlueGreenDeploymentConfiguration `json:"blueGreenDeploymentConfiguration,omitempty"`
	LoadBalancerInfo                 *LoadBalancerInfo                 `json:"loadBalancerInfo,omitempty"`
	EC2TagSet                        *EC2TagSet                        `json:"ec2TagSet,omitempty"`
	ECSServices                      []ECSService                      `json:"ecsServices,omitempty"`
	OnPremisesTagSet                 *OnPremisesTagSet                 `json:"onPremisesTagSet,omitempty"`
	Tags                             []Tag                             `json:"tags,omitempty"`
	TerminationHookEnabled           bool                              `json:"terminationHookEnabled,omitzero"`
}
type CreateDeploymentGroupOutput struct {
	DeploymentGroupID string `json:"deploymentGroupId,omitempty"`
}

// UpdateDeploymentGroupInput changes a deployment group; absent members are left as they are.
type UpdateDeploymentGroupInput struct {
	ApplicationName                  string                            `json:"applicationName,omitempty"`
	CurrentDeploymentGroupName       string                            `json:"currentDeploymentGroupName,omitempty"`
	NewDeploymentGroupName           string                            `json:"newDeploymentGroupName,omitempty"`
	DeploymentConfigName             string                            `json:"deploymentConfigName,omitempty"`
	EC2TagFilters                    []EC2TagFilter                    `json:"ec2TagFilters,omitempty"`
	OnPremisesInstanceTagFilters     []TagFilter                       `json:"onPremisesInstanceTagFilters,omitempty"`
	AutoScalingGroups                []string                          `json:"autoScalingGroups,omitempty"`
	ServiceRoleArn                   string                            `json:"serviceRoleArn,omitempty"`
	TriggerConfigurations            []TriggerConfig                   `json:"triggerConfigurations,omitempty"`
	AlarmConfiguration               *AlarmConfiguration               `json:"alarmConfiguration,omitempty"`
	AutoRollbackConfiguration        *AutoRollbackConfiguration        `json:"autoRollbackConfiguration,omitempty"`
	OutdatedInstancesStrategy        string                            `json:"outdatedInstancesStrategy,omitempty"`
	DeploymentStyle                  *DeploymentStyle                  `json:"deploymentStyle,omitempty"`
	BlueGreenDeploymentConfiguration *BlueGreenDeploymentConfiguration `json:"blueGreenDeploymentConfiguration,omitempty"`
	LoadBalancerInfo                 *LoadBalancerInfo                 `json:"loadBalancerInfo,omitempty"`
	EC2TagSet                        *EC2TagSet                        `json:"ec2TagSet,omitempty"`
	ECSServices                      []ECSService                      `json:"ecsServices,omitempty"`
	OnPremisesTagSet                 *OnPremisesTagSet                 `json:"onPremisesTagSet,omitempty"`
	TerminationHookEnabled           *bool                             `json:"terminationHookEnabled,omitempty"`
}
type UpdateDeploymentGroupOutput struct {
	HooksNotCleanedUp []AutoScalingGroup `json:"hooksNotCleanedUp,omitempty"`
}
type GetDeploymentGroupInput struct {
	ApplicationName     string `json:"applicationName,omitempty"`
	DeploymentGroupName string `json:"deploymentGroupName,omitempty"`
}
type GetDeploymentGroupOutput struct {
	DeploymentGroupInfo *DeploymentGroupInfo `json:"deploymentGroupInfo,omitempty"`
}
type BatchGetDeploymentGroupsInput struct {
	ApplicationName      string   `json:"applicationName,omitempty"`
	DeploymentGroupNames []string `json:"deploymentGroupNames,omitempty"`
}
type BatchGetDeploymentGroupsOutput struct {
	DeploymentGroupsInfo []DeploymentGroupInfo `json:"deploymentGroupsInfo,omitempty"`
	ErrorMessage         string                `json:"errorMessage,omitempty"`
}
type ListDeploymentGroupsInput struct {
	ApplicationName string `json:"applicationName,omitempty"`
	NextToken       string `json:"nextToken,omitempty"`
}
type ListDeploymentGroupsOutput struct {
	ApplicationName  string   `json:"applicationName,omitempty"`
	DeploymentGroups []string `json:"deploymentGroups,omitempty"`
	NextToken        string   `json:"nextToken,omitempty"`
}
type DeleteDeploymentGroupInput struct {
	ApplicationName     string `json:"applicationName,omitempty"`
	DeploymentGroupName string `json:"deploymentGroupName,omitempty"`
}
type DeleteDeploymentGroupOutput struct {
	HooksNotCleanedUp []AutoScalingGroup `json:"hooksNotCleanedUp,omitempty"`
}

// CreateDeploymentInput starts a deployment.
type CreateDeploymentInput struct {
	ApplicationName               string                     `json:"applicationName,omitempty"`
	DeploymentGroupName           string                     `json:"deploymentGroupName,omitempty"`
	Revision                      *RevisionLocation          `json:"revision,omitempty"`
	DeploymentConfigName          string                     `json:"deploymentConfigName,omitempty"`
	Description                   string                     `json:"description,omitempty"`
	IgnoreApplicationStopFailures bool                       `json:"ignoreApplicationStopFailures,omitzero"`
	TargetInstances               *TargetInstances           `json:"targetInstances,omitempty"`
	AutoRollbackConfiguration     *AutoRollbackConfiguration `json:"autoRollbackConfiguration,omitempty"`
	UpdateOutdatedInstancesOnly   bool                       `json:"updateOutdatedInstancesOnly,omitzero"`
	FileExistsBehavior            string                     `json:"fileExistsBehavior,omitempty"`
	OverrideAlarmConfiguration    *AlarmConfiguration        `json:"overrideAlarmConfiguration,omitempty"`
}
type CreateDeploymentOutput struct {
	DeploymentID string `json:"deploymentId,omitempty"`
}
type GetDeploymentInput struct {
	DeploymentID string `json:"deploymentId,omitempty"`
}
type GetDeploymentOutput struct {
	DeploymentInfo *DeploymentInfo `json:"deploymentInfo,omitempty"`
}
type BatchGetDeploymentsInput struct {
	DeploymentIDs []string `json:"deploymentIds,omitempty"`
}
type BatchGetDeploymentsOutput struct {
	DeploymentsInfo []DeploymentInfo `json:"deploymentsInfo,omitempty"`
}
type ListDeploymentsInput struct {
	ApplicationName     string     `json:"applicationName,omitempty"`
	DeploymentGroupName string     `json:"deploymentGroupName,omitempty"`
	ExternalID          string     `json:"externalId,omitempty"`
	IncludeOnlyStatuses []string   `json:"includeOnlyStatuses,omitempty"`
	CreateTimeRange     *TimeRange `json:"createTimeRange,omitempty"`
	NextToken           string     `json:"nextToken,omitempty"`
}
type ListDeploymentsOutput struct {
	Deployments []string `json:"deployments,omitempty"`
	NextToken   string   `json:"nextToken,omitempty"`
}
type StopDeploymentInput struct {
	DeploymentID        string `json:"deploymentId,omitempty"`
	AutoRollbackEnabled *bool  `json:"autoRollbackEnabled,omitempty"`
}
type StopDeploymentOutput struct {
	Status        string `json:"status,omitempty"` // Pending, Succeeded
	StatusMessage string `json:"statusMessage,omitempty"`
}
type ContinueDeploymentInput struct {
	DeploymentID       string `json:"deploymentId,omitempty"`
	DeploymentWaitType string `json:"deploymentWaitType,omitempty"` // READY_WAIT, TERMINATION_WAIT
}
type ContinueDeploymentOutput struct{}
type SkipWaitTimeForInstanceTerminationInput struct {
	DeploymentID string `json:"deploymentId,omitempty"`
}
type SkipWaitTimeForInstanceTerminationOutput struct{}
type ListDeploymentInstancesInput struct {
	DeploymentID         string   `json:"deploymentId,omitempty"`
	NextToken            string   `json:"nextToken,omitempty"`
	InstanceStatusFilter []string `json:"instanceStatusFilter,omitempty"`
	InstanceTypeFilter   []string `json:"instanceTypeFilter,omitempty"`
}
type ListDeploymentInstancesOutput struct {
	InstancesList []string `json:"instancesList,omitempty"`
	NextToken     string   `json:"nextToken,omitempty"`
}
type BatchGetDeploymentInstancesInput struct {
	DeploymentID string   `json:"deploymentId,omitempty"`
	InstanceIDs  []string `json:"instanceIds,omitempty"`
}
type BatchGetDeploymentInstancesOutput struct {
	InstancesSummary []InstanceSummary `json:"instancesSummary,omitempty"`
	ErrorMessage     string            `json:"errorMessage,omitempty"`
}
type GetDeploymentInstanceInput struct {
	DeploymentID string `json:"deploymentId,omitempty"`
	InstanceID   string `json:"instanceId,omitempty"`
}
type GetDeploymentInstanceOutput struct {
	InstanceSummary *InstanceSummary `json:"instanceSummary,omitempty"`
}
type ListDeploymentTargetsInput struct {
	DeploymentID  string              `json:"deploymentId,omitempty"`
	NextToken     string              `json:"nextToken,omitempty"`
	TargetFilters map[string][]string `json:"targetFilters,omitempty"` // TargetStatus, ServerInstanceLabel
}
type ListDeploymentTargetsOutput struct {
	TargetIDs []string `json:"targetIds,omitempty"`
	NextToken string   `json:"nextToken,omitempty"`
}
type BatchGetDeploymentTargetsInput struct {
	DeploymentID string   `json:"deploymentId,omitempty"`
	TargetIDs    []string `json:"targetIds,omitempty"`
}
type BatchGetDeploymentTargetsOutput struct {
	DeploymentTargets []DeploymentTarget `json:"deploymentTargets,omitempty"`
}
type GetDeploymentTargetInput struct {
	DeploymentID string `json:"deploymentId,omitempty"`
	TargetID     string `json:"targetId,omitempty"`
}
type GetDeploymentTargetOutput struct {
	DeploymentTarget *DeploymentTarget `json:"deploymentTarget,omitempty"`
}

type TagResourceInput struct {
	ResourceArn string `json:"ResourceArn,omitempty"`
	Tags        []Tag  `json:"Tags,omitempty"`
}
type TagResourceOutput struct{}
type UntagResourceInput struct {
	ResourceArn string   `json:"ResourceArn,omitempty"`
	TagKeys     []string `json:"TagKeys,omitempty"`
}
type UntagResourceOutput struct{}
type ListTagsForResourceInput struct {
	ResourceArn string `json:"ResourceArn,omitempty"`
	NextToken   string `json:"NextToken,omitempty"`
}
type ListTagsForResourceOutput struct {
	Tags      []Tag  `json:"Tags,omitempty"`
	NextToken string `json:"NextToken,omitempty"`
}
