package cloudformation

import "time"

// Parameter is a stack parameter as the API carries it.
type Parameter struct {
	ParameterKey     string `json:"ParameterKey,omitempty"`
	ParameterValue   string `json:"ParameterValue,omitempty"`
	UsePreviousValue *bool  `json:"UsePreviousValue,omitempty"`
	ResolvedValue    string `json:"ResolvedValue,omitempty"`
}

// Tag is a stack tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Output is a stack output.
type Output struct {
	OutputKey   string `json:"OutputKey,omitempty"`
	OutputValue string `json:"OutputValue,omitempty"`
	Description string `json:"Description,omitempty"`
	ExportName  string `json:"ExportName,omitempty"`
}

// StackDriftInformation is a stack's drift status.
type StackDriftInformation struct {
	StackDriftStatus   string     `json:"StackDriftStatus,omitempty"`
	LastCheckTimestamp *time.Time `json:"LastCheckTimestamp,omitempty"`
}

// Stack is one stack as DescribeStacks shows it.
type Stack struct {
	StackId                     string                 `json:"StackId,omitempty"`
	StackName                   string                 `json:"StackName,omitempty"`
	ChangeSetId                 string                 `json:"ChangeSetId,omitempty"`
	Description                 string                 `json:"Description,omitempty"`
	Parameters                  []Parameter            `json:"Parameters,omitempty"`
	CreationTime                time.Time              `json:"CreationTime,omitzero"`
	DeletionTime                *time.Time             `json:"DeletionTime,omitempty"`
	LastUpdatedTime             *time.Time             `json:"LastUpdatedTime,omitempty"`
	StackStatus                 string                 `json:"StackStatus,omitempty"`
	StackStatusReason           string                 `json:"StackStatusReason,omitempty"`
	DisableRollback             bool                   `json:"DisableRollback"`
	NotificationARNs            []string               `json:"NotificationARNs,omitempty"`
	TimeoutInMinutes            *int32                 `json:"TimeoutInMinutes,omitempty"`
	Capabilities                []string               `json:"Capabilities,omitempty"`
	Outputs                     []Output               `json:"Outputs,omitempty"`
	RoleARN                     string                 `json:"RoleARN,omitempty"`
	Tags                        []Tag                  `json:"Tags,omitempty"`
	EnableTerminationProtection bool                   `json:"EnableTerminationProtection"`
	ParentId                    string                 `json:"ParentId,omitempty"`
	RootId                      string                 `json:"RootId,omitempty"`
	DriftInformation            *StackDriftInformation `json:"DriftInformation,omitempty"`
}

// CreateStackInput is CreateStack's input.
type CreateStackInput struct {
	StackName                   string      `json:"StackName"`
	TemplateBody                string      `json:"TemplateBody,omitempty"`
	TemplateURL                 string      `json:"TemplateURL,omitempty"`
	Parameters                  []Parameter `json:"Parameters,omitempty"`
	DisableRollback             *bool       `json:"DisableRollback,omitempty"`
	TimeoutInMinutes            *int32      `json:"TimeoutInMinutes,omitempty"`
	NotificationARNs            []string    `json:"NotificationARNs,omitempty"`
	Capabilities                []string    `json:"Capabilities,omitempty"`
	ResourceTypes               []string    `json:"ResourceTypes,omitempty"`
	RoleARN                     string      `json:"RoleARN,omitempty"`
	OnFailure                   string      `json:"OnFailure,omitempty"`
	StackPolicyBody             string      `json:"StackPolicyBody,omitempty"`
	StackPolicyURL              string      `json:"StackPolicyURL,omitempty"`
	Tags                        []Tag       `json:"Tags,omitempty"`
	ClientRequestToken          string      `json:"ClientRequestToken,omitempty"`
	EnableTerminationProtection *bool       `json:"EnableTerminationProtection,omitempty"`
}

// CreateStackOutput is CreateStack's output.
type CreateStackOutput struct {
	StackId string `json:"StackId,omitempty"`
}

// UpdateStackInput is UpdateStack's input.
type UpdateStackInput struct {
	StackName                   string      `json:"StackName"`
	TemplateBody                string      `json:"TemplateBody,omitempty"`
	TemplateURL                 string      `json:"TemplateURL,omitempty"`
	UsePreviousTemplate         *bool       `json:"UsePreviousTemplate,omitempty"`
	Parameters                  []Parameter `json:"Parameters,omitempty"`
	Capabilities                []string    `json:"Capabilities,omitempty"`
	ResourceTypes               []string    `json:"ResourceTypes,omitempty"`
	RoleARN                     string      `json:"RoleARN,omitempty"`
	StackPolicyBody             string      `json:"StackPolicyBody,omitempty"`
	StackPolicyDuringUpdateBody string      `json:"StackPolicyDuringUpdateBody,omitempty"`
	NotificationARNs            []string    `json:"NotificationARNs,omitempty"`
	Tags                        []Tag       `json:"Tags,omitempty"`
	DisableRollback             *bool       `json:"DisableRollback,omitempty"`
	ClientRequestToken          string      `json:"ClientRequestToken,omitempty"`
}

// UpdateStackOutput is UpdateStack's output.
type UpdateStackOutput struct {
	StackId string `json:"StackId,omitempty"`
}

// DeleteStackInput is DeleteStack's input.
type DeleteStackInput struct {
	StackName          string   `json:"StackName"`
	RetainResources    []string `json:"RetainResources,omitempty"`
	RoleARN            string   `json:"RoleARN,omitempty"`
	ClientRequestToken string   `json:"ClientRequestToken,omitempty"`
}

// DeleteStackOutput is DeleteStack's (empty) output.
type DeleteStackOutput struct{}

// DescribeStacksInput is DescribeStacks' input.
type DescribeStacksInput struct {
	StackName string `json:"StackName,omitempty"`
	NextToken string `json:"NextToken,omitempty"`
}

// DescribeStacksOutput is DescribeStacks' output.
type DescribeStacksOutput struct {
	Stacks    []Stack `json:"Stacks"`
	NextToken string  `json:"NextToken,omitempty"`
}

// StackSummary is one entry of ListStacks.
type StackSummary struct {
	StackId             string                 `json:"StackId,omitempty"`
	StackName           string                 `json:"StackName,omitempty"`
	TemplateDescription string                 `json:"TemplateDescription,omitempty"`
	CreationTime        time.Time              `json:"CreationTime,omitzero"`
	LastUpdatedTime     *time.Time             `json:"LastUpdatedTime,omitempty"`
	DeletionTime        *time.Time             `json:"DeletionTime,omitempty"`
	StackStatus         string                 `json:"StackStatus,omitempty"`
	StackStatusReason   string                 `json:"StackStatusReason,omitempty"`
	ParentId            string                 `json:"ParentId,omitempty"`
	RootId              string                 `json:"RootId,omitempty"`
	DriftInformation    *StackDriftInformation `json:"DriftInformation,omitempty"`
}

// ListStacksInput is ListStacks' input.
type ListStacksInput struct {
	NextToken         string   `json:"NextToken,omitempty"`
	StackStatusFilter []string `json:"StackStatusFilter,omitempty"`
}

// ListStacksOutput is ListStacks' output.
type ListStacksOutput struct {
	StackSummaries []StackSummary `json:"StackSummaries"`
	NextToken      string         `json:"NextToken,omitempty"`
}

// StackEvent is one stack event.
type StackEvent struct {
	StackId              string    `json:"StackId"`
	EventId              string    `json:"EventId"`
	StackName            string    `json:"StackName"`
	LogicalResourceId    string    `json:"LogicalResourceId,omitempty"`
	PhysicalResourceId   string    `json:"PhysicalResourceId,omitempty"`
	ResourceType         string    `json:"ResourceType,omitempty"`
	Timestamp            time.Time `json:"Timestamp"`
	ResourceStatus       string    `json:"ResourceStatus,omitempty"`
	ResourceStatusReason string    `json:"ResourceStatusReason,omitempty"`
	ResourceProperties   string    `json:"ResourceProperties,omitempty"`
	ClientRequestToken   string    `json:"ClientRequestToken,omitempty"`
	Seq                  int64     `json:"-"`
}

// DescribeStackEventsInput is DescribeStackEvents' input.
type DescribeStackEventsInput struct {
	StackName string `json:"StackName"`
	NextToken string `json:"NextToken,omitempty"`
}

// DescribeStackEventsOutput is DescribeStackEvents' output (newest first).
type DescribeStackEventsOutput struct {
	StackEvents []StackEvent `json:"StackEvents"`
	NextToken   string       `json:"NextToken,omitempty"`
}

// StackResourceDriftInformation is a resource's drift status.
type StackResourceDriftInformation struct {
	StackResourceDriftStatus string     `json:"StackResourceDriftStatus,omitempty"`
	LastCheckTimestamp       *time.Time `json:"LastCheckTimestamp,omitempty"`
}

// StackResource is one resource of DescribeStackResources.
type StackResource struct {
	StackName            string                         `json:"StackName,omitempty"`
	StackId              string                         `json:"StackId,omitempty"`
	LogicalResourceId    string                         `json:"LogicalResourceId"`
	PhysicalResourceId   string                         `json:"PhysicalResourceId,omitempty"`
	ResourceType         string                         `json:"ResourceType"`
	Timestamp            time.Time                      `json:"Timestamp"`
	ResourceStatus       string                         `json:"ResourceStatus"`
	ResourceStatusReason string                         `json:"ResourceStatusReason,omitempty"`
	Description          string                         `json:"Description,omitempty"`
	DriftInformation     *StackResourceDriftInformation `json:"DriftInformation,omitempty"`
}

// StackResourceDetail is DescribeStackResource's resource.
type StackResourceDetail struct {
	StackName            string                         `json:"StackName,omitempty"`
	StackId              string                         `json:"StackId,omitempty"`
	LogicalResourceId    string                         `json:"LogicalResourceId"`
	PhysicalResourceId   string                         `json:"PhysicalResourceId,omitempty"`
	ResourceType         string                         `json:"ResourceType"`
	LastUpdatedTimestamp time.Time                      `json:"LastUpdatedTimestamp"`
	ResourceStatus       string                         `json:"ResourceStatus"`
	ResourceStatusReason string                         `json:"ResourceStatusReason,omitempty"`
	Description          string                         `json:"Description,omitempty"`
	Metadata             string                         `json:"Metadata,omitempty"`
	DriftInformation     *StackResourceDriftInformation `json:"DriftInformation,omitempty"`
}

// StackResourceSummary is one entry of ListStackResources.
type StackResourceSummary struct {
	LogicalResourceId    string                         `json:"LogicalResourceId"`
	PhysicalResourceId   string                         `json:"PhysicalResourceId,omitempty"`
	ResourceType         string                         `json:"ResourceType"`
	LastUpdatedTimestamp time.Time                      `json:"LastUpdatedTimestamp"`
	ResourceStatus       string                         `json:"ResourceStatus"`
	ResourceStatusReason string                         `json:"ResourceStatusReason,omitempty"`
	DriftInformation     *StackResourceDriftInformation `json:"DriftInformation,omitempty"`
}

type DescribeStackResourceInput struct {
	StackName         string `json:"StackName"`
	LogicalResourceId string `json:"LogicalResourceId"`
}
type DescribeStackResourceOutput struct {
	StackResourceDetail *StackResourceDetail `json:"StackResourceDetail,omitempty"`
}
type DescribeStackResourcesInput struct {
	StackName          string `json:"StackName,omitempty"`
	LogicalResourceId  string `json:"LogicalResourceId,omitempty"`
	PhysicalResourceId string `json:"PhysicalResourceId,omitempty"`
}
type DescribeStackResourcesOutput struct {
	StackResources []StackResource `json:"StackResources"`
}
type ListStackResourcesInput struct {
	StackName string `json:"StackName"`
	NextToken string `json:"NextToken,omitempty"`
}
type ListStackResourcesOutput struct {
	StackResourceSummaries []StackResourceSummary `json:"StackResourceSummaries"`
	NextToken              string                 `json:"NextToken,omitempty"`
}

type GetTemplateInput struct {
	StackName     string `json:"StackName,omitempty"`
	ChangeSetName string `json:"ChangeSetName,omitempty"`
	TemplateStage string `json:"TemplateStage,omitempty"`
}
type GetTemplateOutput struct {
	TemplateBody    string   `json:"TemplateBody,omitempty"`
	StagesAvailable []string `json:"StagesAvailable,omitempty"`
}

// ParameterConstraints are a parameter's allowed values.
type ParameterConstraints struct {
	AllowedValues []string `json:"AllowedValues,omitempty"`
}

// ParameterDeclaration is a parameter in GetTemplateSummary.
type ParameterDeclaration struct {
	ParameterKey         string                `json:"ParameterKey,omitempty"`
	DefaultValue         string                `json:"DefaultValue,omitempty"`
	ParameterType        string                `json:"ParameterType,omitempty"`
	NoEcho               bool                  `json:"NoEcho"`
	Description          string                `json:"Description,omitempty"`
	ParameterConstraints *ParameterConstraints `json:"ParameterConstraints,omitempty"`
}

type GetTemplateSummaryInput struct {
	TemplateBody string `json:"TemplateBody,omitempty"`
	TemplateURL  string `json:"TemplateURL,omitempty"`
	StackName    string `json:"StackName,omitempty"`
}
type GetTemplateSummaryOutput struct {
	Parameters         []ParameterDeclaration `json:"Parameters,omitempty"`
	Description        string                 `json:"Description,omitempty"`
	Capabilities       []string               `json:"Capabilities,omitempty"`
	CapabilitiesReason string                 `json:"CapabilitiesReason,omitempty"`
	ResourceTypes      []string               `json:"ResourceTypes,omitempty"`
	Version            string                 `json:"Version,omitempty"`
	Metadata           string                 `json:"Metadata,omitempty"`
	DeclaredTransforms []string               `json:"DeclaredTransforms,omitempty"`
	// ResourceIdentifierSummaries list, for the template's importable resource types, the
	// logical IDs and the properties that identify a resource.
	ResourceIdentifierSummaries []ResourceIdentifierSummary `json:"ResourceIdentifierSummaries,omitempty"`
	Warnings                    *Warnings                   `json:"Warnings,omitempty"`
}

// ResourceIdentifierSummary is one resource type of GetTemplateSummary.
type ResourceIdentifierSummary struct {
	ResourceType        string   `json:"ResourceType,omitempty"`
	LogicalResourceIds  []string `json:"LogicalResourceIds,omitempty"`
	ResourceIdentifiers []string `json:"ResourceIdentifiers,omitempty"`
}

// Warnings are GetTemplateSummary's warnings.
type Warnings struct {
	UnrecognizedResourceTypes []string `json:"UnrecognizedResourceTypes,omitempty"`
}

// TemplateParameter is a parameter in ValidateTemplate.
type TemplateParameter struct {
	ParameterKey string `json:"ParameterKey,omitempty"`
	DefaultValue string `json:"DefaultValue,omitempty"`
	NoEcho       bool   `json:"NoEcho"`
	Description  string `json:"Description,omitempty"`
}

type ValidateTemplateInput struct {
	TemplateBody string `json:"TemplateBody,omitempty"`
	TemplateURL  string `json:"TemplateURL,omitempty"`
}
type ValidateTemplateOutput struct {
	Parameters         []TemplateParameter `json:"Parameters,omitempty"`
	Description        string              `json:"Description,omitempty"`
	Capabilities       []string            `json:"Capabilities,omitempty"`
	CapabilitiesReason string              `json:"CapabilitiesReason,omitempty"`
	DeclaredTransforms []string            `json:"DeclaredTransforms,omitempty"`
}

type UpdateTerminationProtectionInput struct {
	EnableTerminationProtection *bool  `json:"EnableTerminationProtection"`
	StackName                   string `json:"StackName"`
}
type UpdateTerminationProtectionOutput struct {
	StackId string `json:"StackId,omitempty"`
}

type SetStackPolicyInput struct {
	StackName       string `json:"StackName"`
	StackPolicyBody string `json:"StackPolicyBody,omitempty"`
	StackPolicyURL  string `json:"StackPolicyURL,omitempty"`
}
type SetStackPolicyOutput struct{}
type GetStackPolicyInput struct {
	StackName string `json:"StackName"`
}
type GetStackPolicyOutput struct {
	StackPolicyBody string `json:"StackPolicyBody,omitempty"`
}

// Export is one exported output.
type Export struct {
	ExportingStackId string `json:"ExportingStackId,omitempty"`
	Name             string `json:"Name,omitempty"`
	Value            string `json:"Value,omitempty"`
}

type ListExportsInput struct {
	NextToken string `json:"NextToken,omitempty"`
}
type ListExportsOutput struct {
	Exports   []Export `json:"Exports"`
	NextToken string   `json:"NextToken,omitempty"`
}
type ListImportsInput struct {
	ExportName string `json:"ExportName"`
	NextToken  string `json:"NextToken,omitempty"`
}
type ListImportsOutput struct {
	Imports   []string `json:"Imports"`
	NextToken string   `json:"NextToken,omitempty"`
}

type CancelUpdateStackInput struct {
	StackName          string `json:"StackName"`
	ClientRequestToken string `json:"ClientRequestToken,omitempty"`
}
type CancelUpdateStackOutput struct{}
type ContinueUpdateRollbackInput struct {
	StackName          string   `json:"StackName"`
	ResourcesToSkip    []string `json:"ResourcesToSkip,omitempty"`
	RoleARN            string   `json:"RoleARN,omitempty"`
	ClientRequestToken string   `json:"ClientRequestToken,omitempty"`
}
type ContinueUpdateRollbackOutput struct{}

type SignalResourceInput struct {
	StackName         string `json:"StackName"`
	LogicalResourceId string `json:"LogicalResourceId"`
	UniqueId          string `json:"UniqueId"`
	Status            string `json:"Status"`
}
type SignalResourceOutput struct{}

// Change sets.

type CreateChangeSetInput struct {
	StackName           string      `json:"StackName"`
	TemplateBody        string      `json:"TemplateBody,omitempty"`
	TemplateURL         string      `json:"TemplateURL,omitempty"`
	UsePreviousTemplate *bool       `json:"UsePreviousTemplate,omitempty"`
	Parameters          []Parameter `json:"Parameters,omitempty"`
	Capabilities        []string    `json:"Capabilities,omitempty"`
	ResourceTypes       []string    `json:"ResourceTypes,omitempty"`
	RoleARN             string      `json:"RoleARN,omitempty"`
	NotificationARNs    []string    `json:"NotificationARNs,omitempty"`
	Tags                []Tag       `json:"Tags,omitempty"`
	ChangeSetName       string      `json:"ChangeSetName"`
	ClientToken         string      `json:"ClientToken,omitempty"`
	Description         string      `json:"Description,omitempty"`
	ChangeSetType       string      `json:"ChangeSetType,omitempty"`
	OnStackFailure      string      `json:"OnStackFailure,omitempty"`
}
type CreateChangeSetOutput struct {
	Id      string `json:"Id,omitempty"`
	StackId string `json:"StackId,omitempty"`
}

// ResourceTargetDefinition names what a change touches.
type ResourceTargetDefinition struct {
	Attribute          string `json:"Attribute,omitempty"`
	Name               string `json:"Name,omitempty"`
	RequiresRecreation string `json:"RequiresRecreation,omitempty"`
}

// ResourceChangeDetail is one reason for a resource change.
type ResourceChangeDetail struct {
	Target       *ResourceTargetDefinition `json:"Target,omitempty"`
	Evaluation   string                    `json:"Evaluation,omitempty"`
	ChangeSource string                    `json:"ChangeSource,omitempty"`
}

// ResourceChange is a change to one resource.
type ResourceChange struct {
	Action             string                 `json:"Action,omitempty"`
	LogicalResourceId  string                 `json:"LogicalResourceId,omitempty"`
	PhysicalResourceId string                 `json:"PhysicalResourceId,omitempty"`
	ResourceType       string                 `json:"ResourceType,omitempty"`
	Replacement        string                 `json:"Replacement,omitempty"`
	Scope              []string               `json:"Scope,omitempty"`
	Details            []ResourceChangeDetail `json:"Details,omitempty"`
}

// Change is one change of a change set.
type Change struct {
	Type           string          `json:"Type,omitempty"`
	ResourceChange *ResourceChange `json:"ResourceChange,omitempty"`
}

type DescribeChangeSetInput struct {
	ChangeSetName string `json:"ChangeSetName"`
	StackName     string `json:"StackName,omitempty"`
	NextToken     string `json:"NextToken,omitempty"`
}
type DescribeChangeSetOutput struct {
	ChangeSetName    string      `json:"ChangeSetName,omitempty"`
	ChangeSetId      string      `json:"ChangeSetId,omitempty"`
	StackId          string      `json:"StackId,omitempty"`
	StackName        string      `json:"StackName,omitempty"`
	Description      string      `json:"Description,omitempty"`
	Parameters       []Parameter `json:"Parameters,omitempty"`
	CreationTime     time.Time   `json:"CreationTime,omitzero"`
	ExecutionStatus  string      `json:"ExecutionStatus,omitempty"`
	Status           string      `json:"Status,omitempty"`
	StatusReason     string      `json:"StatusReason,omitempty"`
	NotificationARNs []string    `json:"NotificationARNs,omitempty"`
	Capabilities     []string    `json:"Capabilities,omitempty"`
	Tags             []Tag       `json:"Tags,omitempty"`
	Changes          []Change    `json:"Changes,omitempty"`
	NextToken        string      `json:"NextToken,omitempty"`
}
type ExecuteChangeSetInput struct {
	ChangeSetName      string `json:"ChangeSetName"`
	StackName          string `json:"StackName,omitempty"`
	ClientRequestToken string `json:"ClientRequestToken,omitempty"`
	DisableRollback    *bool  `json:"DisableRollback,omitempty"`
}
type ExecuteChangeSetOutput struct{}
type DeleteChangeSetInput struct {
	ChangeSetName string `json:"ChangeSetName"`
	StackName     string `json:"StackName,omitempty"`
}
type DeleteChangeSetOutput struct{}
type ListChangeSetsInput struct {
	StackName string `json:"StackName"`
	NextToken string `json:"NextToken,omitempty"`
}

// ChangeSetSummary is one entry of ListChangeSets.
type ChangeSetSummary struct {
	StackId         string    `json:"StackId,omitempty"`
	StackName       string    `json:"StackName,omitempty"`
	ChangeSetId     string    `json:"ChangeSetId,omitempty"`
	ChangeSetName   string    `json:"ChangeSetName,omitempty"`
	ExecutionStatus string    `json:"ExecutionStatus,omitempty"`
	Status          string    `json:"Status,omitempty"`
	StatusReason    string    `json:"StatusReason,omitempty"`
	CreationTime    time.Time `json:"CreationTime,omitzero"`
	Description     string    `json:"Description,omitempty"`
}
type ListChangeSetsOutput struct {
	Summaries []ChangeSetSummary `json:"Summaries"`
	NextToken string             `json:"NextToken,omitempty"`
}
