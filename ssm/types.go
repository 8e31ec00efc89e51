package ssm

import "time"

// The json tags are Systems Manager's member names on the wire (awsJson1_1).

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Target selects instances: Key "InstanceIds", "tag:<name>" or "tag-key".
type Target struct {
	Key    string   `json:"Key,omitempty"`
	Values []string `json:"Values,omitempty"`
}

// CloudWatchOutputConfig sends command output to CloudWatch Logs.
type CloudWatchOutputConfig struct {
	CloudWatchLogGroupName  string `json:"CloudWatchLogGroupName,omitempty"`
	CloudWatchOutputEnabled bool   `json:"CloudWatchOutputEnabled,omitzero"`
}

// NotificationConfig is accepted and echoed (SNS notifications are not sent).
type NotificationConfig struct {
	NotificationArn    string   `json:"NotificationArn,omitempty"`
	NotificationEvents []string `json:"NotificationEvents,omitempty"`
	NotificationType   string   `json:"NotificationType,omitempty"`
}

// Command is a command sent with SendCommand.
type Command struct {
	CloudWatchOutputConfig *CloudWatchOutputConfig `json:"CloudWatchOutputConfig,omitempty"`
	CommandID              string                  `json:"CommandId,omitempty"`
	Comment                string                  `json:"Comment,omitempty"`
	CompletedCount         int32                   `json:"CompletedCount"`
	DeliveryTimedOutCount  int32                   `json:"DeliveryTimedOutCount"`
	DocumentName           string                  `json:"DocumentName,omitempty"`
	DocumentVersion        string                  `json:"DocumentVersion,omitempty"`
	ErrorCount             int32                   `json:"ErrorCount"`
	ExpiresAfter           time.Time               `json:"ExpiresAfter,omitzero"`
	InstanceIDs            []string                `json:"InstanceIds,omitempty"`
	MaxConcurrency         string                  `json:"MaxConcurrency,omitempty"`
	MaxErrors              string                  `json:"MaxErrors,omitempty"`
	NotificationConfig     *NotificationConfig     `json:"NotificationConfig,omitempty"`
	OutputS3BucketName     string                  `json:"OutputS3BucketName,omitempty"`
	OutputS3KeyPrefix      string                  `json:"OutputS3KeyPrefix,omitempty"`
	OutputS3Region         string                  `json:"OutputS3Region,omitempty"`
	Parameters             map[string][]string     `json:"Parameters,omitempty"`
	RequestedDateTime      time.Time               `json:"RequestedDateTime,omitzero"`
	ServiceRole            string                  `json:"ServiceRole,omitempty"`
	Status                 string                  `json:"Status,omitempty"`
	StatusDetails          string                  `json:"StatusDetails,omitempty"`
	TargetCount            int32                   `json:"TargetCount"`
	Targets                []Target                `json:"Targets,omitempty"`
	TimeoutSeconds         int32                   `json:"TimeoutSeconds,omitzero"`
}

// CommandPlugin is one step of a document run on one instance (AWS-RunShellScript has one,
// "aws:runShellScript").
type CommandPlugin struct {
	Name                   string    `json:"Name,omitempty"`
	Output                 string    `json:"Output,omitempty"`
	OutputS3BucketName     string    `json:"OutputS3BucketName,omitempty"`
	OutputS3KeyPrefix      string    `json:"OutputS3KeyPrefix,omitempty"`
	OutputS3Region         string    `json:"OutputS3Region,omitempty"`
	ResponseCode           int32     `json:"ResponseCode"`
	ResponseFinishDateTime time.Time `json:"ResponseFinishDateTime,omitzero"`
	ResponseStartDateTime  time.Time `json:"ResponseStartDateTime,omitzero"`
	StandardErrorURL       string    `json:"StandardErrorUrl,omitempty"`
	StandardOutputURL      string    `json:"StandardOutputUrl,omitempty"`
	Status                 string    `json:"Status,omitempty"`
	StatusDetails          string    `json:"StatusDetails,omitempty"`
}

// CommandInvocation is a command's copy on one instance.
type CommandInvocation struct {
	CloudWatchOutputConfig *CloudWatchOutputConfig `json:"CloudWatchOutputConfig,omitempty"`
	CommandID              string                  `json:"CommandId,omitempty"`
	CommandPlugins         []CommandPlugin         `json:"CommandPlugins,omitempty"`
	Comment                string                  `json:"Comment,omitempty"`
	DocumentName           string                  `json:"DocumentName,omitempty"`
	DocumentVersion        string                  `json:"DocumentVersion,omitempty"`
	InstanceID             string                  `json:"InstanceId,omitempty"`
	InstanceName           string                  `json:"InstanceName,omitempty"`
	NotificationConfig     *NotificationConfig     `json:"NotificationConfig,omitempty"`
	RequestedDateTime      time.Time               `json:"RequestedDateTime,omitzero"`
	ServiceRole            string                  `json:"ServiceRole,omitempty"`
	StandardErrorURL       string                  `json:"StandardErrorUrl,omitempty"`
	StandardOutputURL      string                  `json:"StandardOutputUrl,omitempty"`
	Status                 string                  `json:"Status,omitempty"`
	StatusDetails          string                  `json:"StatusDetails,omitempty"`
	TraceOutput            string                  `json:"TraceOutput,omitempty"`
}

// CommandFilter filters ListCommands and ListCommandInvocations.
type CommandFilter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// SendCommandInput is the input of SendCommand.
type SendCommandInput struct {
	DocumentName           string                  `json:"DocumentName,omitempty"`
	DocumentVersion        string                  `json:"DocumentVersion,omitempty"`
	DocumentHash           string                  `json:"DocumentHash,omitempty"`
	DocumentHashType       string                  `json:"DocumentHashType,omitempty"`
	CloudWatchOutputConfig *CloudWatchOutputConfig `json:"CloudWatchOutputConfig,omitempty"`
	Comment                string                  `json:"Comment,omitempty"`
	InstanceIDs            []string                `json:"InstanceIds,omitempty"`
	MaxConcurrency         string                  `json:"MaxConcurrency,omitempty"`
	MaxErrors              string                  `json:"MaxErrors,omitempty"`
	NotificationConfig     *NotificationConfig     `json:"NotificationConfig,omitempty"`
	OutputS3BucketName     string                  `json:"OutputS3BucketName,omitempty"`
	OutputS3KeyPrefix      string                  `json:"OutputS3KeyPrefix,omitempty"`
	OutputS3Region         string                  `json:"OutputS3Region,omitempty"`
	Parameters             map[string][]string     `json:"Parameters,omitempty"`
	ServiceRoleArn         string                  `json:"ServiceRoleArn,omitempty"`
	Targets                []Target                `json:"Targets,omitempty"`
	TimeoutSeconds         int32                   `json:"TimeoutSeconds,omitzero"`
}

// SendCommandOutput is the output of SendCommand.
type SendCommandOutput struct {
	Command *Command `json:"Command,omitempty"`
}

// GetCommandInvocationInput is the input of GetCommandInvocation.
type GetCommandInvocationInput struct {
	CommandID  string `json:"CommandId,omitempty"`
	InstanceID string `json:"InstanceId,omitempty"`
	PluginName string `json:"PluginName,omitempty"`
}

// GetCommandInvocationOutput is the output of GetCommandInvocation.
type GetCommandInvocationOutput struct {
	CloudWatchOutputConfig *CloudWatchOutputConfig `json:"CloudWatchOutputConfig,omitempty"`
	CommandID              string                  `json:"CommandId,omitempty"`
	Comment                string                  `json:"Comment,omitempty"`
	DocumentName           string                  `json:"DocumentName,omitempty"`
	DocumentVersion        string                  `json:"DocumentVersion,omitempty"`
	ExecutionElapsedTime   string                  `json:"ExecutionElapsedTime,omitempty"`
	ExecutionEndDateTime   string                  `json:"ExecutionEndDateTime,omitempty"`
	ExecutionStartDateTime string                  `json:"ExecutionStartDateTime,omitempty"`
	InstanceID             string                  `json:"InstanceId,omitempty"`
	PluginName             string                  `json:"PluginName,omitempty"`
	ResponseCode           int32                   `json:"ResponseCode"`
	StandardErrorContent   string                  `json:"StandardErrorContent"`
	StandardErrorURL       string                  `json:"StandardErrorUrl"`
	StandardOutputContent  string                  `json:"StandardOutputContent"`
	StandardOutputURL      string                  `json:"StandardOutputUrl"`
	Status                 string                  `json:"Status,omitempty"`
	StatusDetails          string                  `json:"StatusDetails,omitempty"`
}

// ListCommandsInput is the input of ListCommands.
type ListCommandsInput struct {
	CommandID  string          `json:"CommandId,omitempty"`
	Filters    []CommandFilter `json:"Filters,omitempty"`
	InstanceID string          `json:"InstanceId,omitempty"`
	MaxResults int32           `json:"MaxResults,omitzero"`
	NextToken  string          `json:"NextToken,omitempty"`
}

// ListCommandsOutput is the output of ListCommands.
type ListCommandsOutput struct {
	Commands  []Command `json:"Commands"`
	NextToken string    `json:"NextToken,omitempty"`
}

// ListCommandInvocationsInput is the input of ListCommandInvocations.
type ListCommandInvocationsInput struct {
	CommandID  string          `json:"CommandId,omitempty"`
	Details    bool            `json:"Details,omitzero"`
	Filters    []CommandFilter `json:"Filters,omitempty"`
	InstanceID string          `json:"InstanceId,omitempty"`
	MaxResults int32           `json:"MaxResults,omitzero"`
	NextToken  string          `json:"NextToken,omitempty"`
}

// ListCommandInvocationsOutput is the output of ListCommandInvocations.
type ListCommandInvocationsOutput struct {
	CommandInvocations []CommandInvocation `json:"CommandInvocations"`
	NextToken          string              `json:"NextToken,omitempty"`
}

// CancelCommandInput is the input of CancelCommand.
type CancelCommandInput struct {
	CommandID   string   `json:"CommandId,omitempty"`
	InstanceIDs []string `json:"InstanceIds,omitempty"`
}

// CancelCommandOutput is the output of CancelCommand.
type CancelCommandOutput struct{}

// InstanceInformation describes a managed instance.
type InstanceInformation struct {
	AgentVersion     string    `json:"AgentVersion,omitempty"`
	ComputerName     string    `json:"ComputerName,omitempty"`
	IPAddress        string    `json:"IPAddress,omitempty"`
	IamRole          string    `json:"IamRole,omitempty"`
	InstanceID       string    `json:"InstanceId,omitempty"`
	IsLatestVersion  bool      `json:"IsLatestVersion,omitzero"`
	LastPingDateTime time.Time `json:"LastPingDateTime,omitzero"`
	Name             string    `json:"Name,omitempty"`
	PingStatus       string    `json:"PingStatus,omitempty"`
	PlatformName     string    `json:"PlatformName,omitempty"`
	PlatformType     string    `json:"PlatformType,omitempty"`
	PlatformVersion  string    `json:"PlatformVersion,omitempty"`
	ResourceType     string    `json:"ResourceType,omitempty"`
	SourceID         string    `json:"SourceId,omitempty"`
	SourceType       string    `json:"SourceType,omitempty"`
}

// InstanceInformationFilter is the older filter shape of DescribeInstanceInformation.
type InstanceInformationFilter struct {
	Key      string   `json:"key"`
	ValueSet []string `json:"valueSet"`
}

// InstanceInformationStringFilter is a DescribeInstanceInformation filter.
type InstanceInformationStringFilter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// DescribeInstanceInformationInput is the input of DescribeInstanceInformation.
type DescribeInstanceInformationInput struct {
	Filters                       []InstanceInformationStringFilter `json:"Filters,omitempty"`
	InstanceInformationFilterList []InstanceInformationFilter       `json:"InstanceInformationFilterList,omitempty"`
	MaxResults                    int32                             `json:"MaxResults,omitzero"`
	NextToken                     string                            `json:"NextToken,omitempty"`
}

// DescribeInstanceInformationOutput is the output of DescribeInstanceInformation.
type DescribeInstanceInformationOutput struct {
	InstanceInformationList []InstanceInformation `json:"InstanceInformationList"`
	NextToken               string                `json:"NextToken,omitempty"`
}

// Parameter Store -----------------------------------------------------------------------------

// Parameter is a parameter's value (one version).
type Parameter struct {
	ARN              string    `json:"ARN,omitempty"`
	DataType         string    `json:"DataType,omitempty"`
	LastModifiedDate time.Time `json:"LastModifiedDate,omitzero"`
	Name             string    `json:"Name,omitempty"`
	Selector         string    `json:"Selector,omitempty"`
	SourceResult     string    `json:"SourceResult,omitempty"`
	Type             string    `json:"Type,omitempty"`
	Value            string    `json:"Value,omitempty"`
	Version          int64     `json:"Version,omitzero"`
}

// ParameterInlinePolicy is a parameter policy (Advanced tier).
type ParameterInlinePolicy struct {
	PolicyStatus string `json:"PolicyStatus,omitempty"`
	PolicyText   string `json:"PolicyText,omitempty"`
	PolicyType   string `json:"PolicyType,omitempty"`
}

// ParameterMetadata describes a parameter without its value.
type ParameterMetadata struct {
	ARN              string                  `json:"ARN,omitempty"`
	AllowedPattern   string                  `json:"AllowedPattern,omitempty"`
	DataType         string                  `json:"DataType,omitempty"`
	Description      string                  `json:"Description,omitempty"`
	KeyID            string                  `json:"KeyId,omitempty"`
	LastModifiedDate time.Time               `json:"LastModifiedDate,omitzero"`
	LastModifiedUser string                  `json:"LastModifiedUser,omitempty"`
	Name             string                  `json:"Name,omitempty"`
	Policies         []ParameterInlinePolicy `json:"Policies,omitempty"`
	Tier             string                  `json:"Tier,omitempty"`
	Type             string                  `json:"Type,omitempty"`
	Version          int64                   `json:"Version,omitzero"`
}

// ParameterHistory is one version of a parameter.
type ParameterHistory struct {
	AllowedPattern   string                  `json:"AllowedPattern,omitempty"`
	DataType         string                  `json:"DataType,omitempty"`
	Description      string                  `json:"Description,omitempty"`
	KeyID            string                  `json:"KeyId,omitempty"`
	Labels           []string                `json:"Labels,omitempty"`
	LastModifiedDate time.Time               `json:"LastModifiedDate,omitzero"`
	LastModifiedUser string                  `json:"LastModifiedUser,omitempty"`
	Name             string                  `json:"Name,omitempty"`
	Policies         []ParameterInlinePolicy `json:"Policies,omitempty"`
	Tier             string                  `json:"Tier,omitempty"`
	Type             string                  `json:"Type,omitempty"`
	Value            string                  `json:"Value,omitempty"`
	Version          int64                   `json:"Version,omitzero"`
}

// ParameterStringFilter is a filter of DescribeParameters and GetParametersByPath.
type ParameterStringFilter struct {
	Key    string   `json:"Key"`
	Option string   `json:"Option,omitempty"`
	Values []string `json:"Values,omitempty"`
}

// ParametersFilter is the older filter shape of DescribeParameters (Name, Type, KeyId).
type ParametersFilter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// PutParameterInput is the input of PutParameter.
type PutParameterInput struct {
	Name           string `json:"Name,omitempty"`
	Value          string `json:"Value,omitempty"`
	AllowedPattern string `json:"AllowedPattern,omitempty"`
	DataType       string `json:"DataType,omitempty"`
	Description    string `json:"Description,omitempty"`
	KeyID          string `json:"KeyId,omitempty"`
	Overwrite      bool   `json:"Overwrite,omitzero"`
	Policies       string `json:"Policies,omitempty"`
	Tags           []Tag  `json:"Tags,omitempty"`
	Tier           string `json:"Tier,omitempty"`
	Type           string `json:"Type,omitempty"`
}

// PutParameterOutput is the output of PutParameter.
type PutParameterOutput struct {
	Tier    string `json:"Tier,omitempty"`
	Version int64  `json:"Version"`
}

// GetParameterInput is the input of GetParameter.
type GetParameterInput struct {
	Name           string `json:"Name,omitempty"`
	WithDecryption bool   `json:"WithDecryption,omitzero"`
}

// GetParameterOutput is the output of GetParameter.
type GetParameterOutput struct {
	Parameter *Parameter `json:"Parameter,omitempty"`
}

// GetParametersInput is the input of GetParameters.
type GetParametersInput struct {
	Names          []string `json:"Names,omitempty"`
	WithDecryption bool     `json:"WithDecryption,omitzero"`
}

// GetParametersOutput is the output of GetParameters.
type GetParametersOutput struct {
	InvalidParameters []string    `json:"InvalidParameters"`
	Parameters        []Parameter `json:"Parameters"`
}

// GetParametersByPathInput is the input of GetParametersByPath.
type GetParametersByPathInput struct {
	Path             string                  `json:"Path,omitempty"`
	MaxResults       int32                   `json:"MaxResults,omitzero"`
	NextToken        string                  `json:"NextToken,omitempty"`
	ParameterFilters []ParameterStringFilter `json:"ParameterFilters,omitempty"`
	Recursive        bool                    `json:"Recursive,omitzero"`
	WithDecryption   bool                    `json:"WithDecryption,omitzero"`
}

// GetParametersByPathOutput is the output of GetParametersByPath.
type GetParametersByPathOutput struct {
	NextToken  string      `json:"NextToken,omitempty"`
	Parameters []Parameter `json:"Parameters"`
}

// DeleteParameterInput is the input of DeleteParameter.
type DeleteParameterInput struct {
	Name string `json:"Name,omitempty"`
}

// DeleteParameterOutput is the output of DeleteParameter.
type DeleteParameterOutput struct{}

// DeleteParametersInput is the input of DeleteParameters.
type DeleteParametersInput struct {
	Names []string `json:"Names,omitempty"`
}

// DeleteParametersOutput is the output of DeleteParameters.
type DeleteParametersOutput struct {
	DeletedParameters []string `json:"DeletedParameters"`
	InvalidParameters []string `json:"InvalidParameters"`
}

// DescribeParametersInput is the input of DescribeParameters.
type DescribeParametersInput struct {
	Filters          []ParametersFilter      `json:"Filters,omitempty"`
	MaxResults       int32                   `json:"MaxResults,omitzero"`
	NextToken        string                  `json:"NextToken,omitempty"`
	ParameterFilters []ParameterStringFilter `json:"ParameterFilters,omitempty"`
	Shared           bool                    `json:"Shared,omitzero"`
}

// DescribeParametersOutput is the output of DescribeParameters.
type DescribeParametersOutput struct {
	NextToken  string              `json:"NextToken,omitempty"`
	Parameters []ParameterMetadata `json:"Parameters"`
}

// GetParameterHistoryInput is the input of GetParameterHistory.
type GetParameterHistoryInput struct {
	Name           string `json:"Name,omitempty"`
	MaxResults     int32  `json:"MaxResults,omitzero"`
	NextToken      string `json:"NextToken,omitempty"`
	WithDecryption bool   `json:"WithDecryption,omitzero"`
}

// GetParameterHistoryOutput is the output of GetParameterHistory.
type GetParameterHistoryOutput struct {
	NextToken  string             `json:"NextToken,omitempty"`
	Parameters []ParameterHistory `json:"Parameters"`
}

// LabelParameterVersionInput is the input of LabelParameterVersion.
type LabelParameterVersionInput struct {
	Labels           []string `json:"Labels,omitempty"`
	Name             string   `json:"Name,omitempty"`
	ParameterVersion int64    `json:"ParameterVersion,omitzero"`
}

// LabelParameterVersionOutput is the output of LabelParameterVersion.
type LabelParameterVersionOutput struct {
	InvalidLabels    []string `json:"InvalidLabels"`
	ParameterVersion int64    `json:"ParameterVersion"`
}

// UnlabelParameterVersionInput is the input of UnlabelParameterVersion.
type UnlabelParameterVersionInput struct {
	Labels           []string `json:"Labels,omitempty"`
	Name             string   `json:"Name,omitempty"`
	ParameterVersion int64    `json:"ParameterVersion,omitzero"`
}

// UnlabelParameterVersionOutput is the output of UnlabelParameterVersion.
type UnlabelParameterVersionOutput struct {
	InvalidLabels []string `json:"InvalidLabels"`
	RemovedLabels []string `json:"RemovedLabels"`
}

// AddTagsToResourceInput is the input of AddTagsToResource.
type AddTagsToResourceInput struct {
	ResourceID   string `json:"ResourceId,omitempty"`
	ResourceType string `json:"ResourceType,omitempty"`
	Tags         []Tag  `json:"Tags,omitempty"`
}

// AddTagsToResourceOutput is the output of AddTagsToResource.
type AddTagsToResourceOutput struct{}

// RemoveTagsFromResourceInput is the input of RemoveTagsFromResource.
type RemoveTagsFromResourceInput struct {
	ResourceID   string   `json:"ResourceId,omitempty"`
	ResourceType string   `json:"ResourceType,omitempty"`
	TagKeys      []string `json:"TagKeys,omitempty"`
}

// RemoveTagsFromResourceOutput is the output of RemoveTagsFromResource.
type RemoveTagsFromResourceOutput struct{}

// ListTagsForResourceInput is the input of ListTagsForResource.
type ListTagsForResourceInput struct {
	ResourceID   string `json:"ResourceId,omitempty"`
	ResourceType string `json:"ResourceType,omitempty"`
}

// ListTagsForResourceOutput is the output of ListTagsForResource.
type ListTagsForResourceOutput struct {
	TagList []Tag `json:"TagList"`
}
