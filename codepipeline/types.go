package codepipeline

import "time"

// These types are the wire shapes of CodePipeline (member names as AWS's model spells them).

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ActionTypeID identifies an action type.
type ActionTypeID struct {
	Category string `json:"category"` // Source, Build, Test, Deploy, Approval, Invoke, Compute
	Owner    string `json:"owner"`    // AWS, ThirdParty, Custom
	Provider string `json:"provider"`
	Version  string `json:"version"`
}

// InputArtifact names an artifact an action consumes.
type InputArtifact struct {
	Name string `json:"name"`
}

// OutputArtifact names an artifact an action produces.
type OutputArtifact struct {
	Name  string   `json:"name"`
	Files []string `json:"files,omitempty"`
}

// EnvironmentVariable is an environment variable of a Commands action.
type EnvironmentVariable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
}

// ActionDeclaration is one action of a stage.
type ActionDeclaration struct {
	Name                 string                `json:"name"`
	ActionTypeID         *ActionTypeID         `json:"actionTypeId,omitempty"`
	RunOrder             int32                 `json:"runOrder,omitzero"`
	Configuration        map[string]string     `json:"configuration,omitempty"`
	Commands             []string              `json:"commands,omitempty"`
	OutputArtifacts      []OutputArtifact      `json:"outputArtifacts"`
	InputArtifacts       []InputArtifact       `json:"inputArtifacts"`
	OutputVariables      []string              `json:"outputVariables,omitempty"`
	RoleArn              string                `json:"roleArn,omitempty"`
	Region               string                `json:"region,omitempty"`
	Namespace            string                `json:"namespace,omitempty"`
	TimeoutInMinutes     int32                 `json:"timeoutInMinutes,omitzero"`
	EnvironmentVariables []EnvironmentVariable `json:"environmentVariables,omitempty"`
}

// BlockerDeclaration is a stage blocker (reserved by AWS).
type BlockerDeclaration struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// RetryConfiguration says what an automatic stage retry re-runs.
type RetryConfiguration struct {
	RetryMode string `json:"retryMode,omitempty"` // FAILED_ACTIONS, ALL_ACTIONS
}

// RuleTypeID identifies a condition rule type.
type RuleTypeID struct {
	Category string `json:"category"`
	Owner    string `json:"owner,omitempty"`
	Provider string `json:"provider"`
	Version  string `json:"version,omitempty"`
}

// RuleDeclaration is a condition rule.
type RuleDeclaration struct {
	Name             string            `json:"name"`
	RuleTypeID       *RuleTypeID       `json:"ruleTypeId,omitempty"`
	Configuration    map[string]string `json:"configuration,omitempty"`
	Commands         []string          `json:"commands,omitempty"`
	InputArtifacts   []InputArtifact   `json:"inputArtifacts,omitempty"`
	Region           string            `json:"region,omitempty"`
	RoleArn          string            `json:"roleArn,omitempty"`
	TimeoutInMinutes int32             `json:"timeoutInMinutes,omitzero"`
}

// Condition is a stage condition.
type Condition struct {
	Result string            `json:"result,omitempty"`
	Rules  []RuleDeclaration `json:"rules,omitempty"`
}

// FailureConditions say what happens when a stage fails.
type FailureConditions struct {
	Result             string              `json:"result,omitempty"` // ROLLBACK, FAIL, RETRY, SKIP
	RetryConfiguration *RetryConfiguration `json:"retryConfiguration,omitempty"`
	Conditions         []Condition         `json:"conditions,omitempty"`
}

// Conditions is a list of conditions (beforeEntry, onSuccess).
type Conditions struct {
	Conditions []Condition `json:"conditions,omitempty"`
}

// StageDeclaration is one stage of a pipeline.
type StageDeclaration struct {
	Name        string               `json:"name"`
	Blockers    []BlockerDeclaration `json:"blockers,omitempty"`
	Actions     []ActionDeclaration  `json:"actions"`
	OnFailure   *FailureConditions   `json:"onFailure,omitempty"`
	OnSuccess   *Conditions          `json:"onSuccess,omitempty"`
	BeforeEntry *Conditions          `json:"beforeEntry,omitempty"`
}

// EncryptionKey is an artifact store's KMS key.
type EncryptionKey struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// ArtifactStore is where a pipeline keeps its artifacts.
type ArtifactStore struct {
	Type          string         `json:"type"` // S3
	Location      string         `json:"location"`
	EncryptionKey *EncryptionKey `json:"encryptionKey,omitempty"`
}

// GitBranchFilterCriteria filters by branch (glob patterns).
type GitBranchFilterCriteria struct {
	Includes []string `json:"includes,omitempty"`
	Excludes []string `json:"excludes,omitempty"`
}

// GitFilePathFilterCriteria filters by changed file paths (glob patterns).
type GitFilePathFilterCriteria = GitBranchFilterCriteria

// GitTagFilterCriteria filters by tag (glob patterns).
type GitTagFilterCriteria = GitBranchFilterCriteria

// GitPushFilter is one push filter of a git trigger.
type GitPushFilter struct {
	Tags      *GitTagFilterCriteria      `json:"tags,omitempty"`
	Branches  *GitBranchFilterCriteria   `json:"branches,omitempty"`
	FilePaths *GitFilePathFilterCriteria `json:"filePaths,omitempty"`
}

// GitPullRequestFilter is one pull request filter of a git trigger.
type GitPullRequestFilter struct {
	Events    []string                   `json:"events,omitempty"`
	Branches  *GitBranchFilterCriteria   `json:"branches,omitempty"`
	FilePaths *GitFilePathFilterCriteria `json:"filePaths,omitempty"`
}

// GitConfiguration is a git trigger's configuration.
type GitConfiguration struct {
	SourceActionName string                 `json:"sourceActionName"`
	Push             []GitPushFilter        `json:"push,omitempty"`
	PullRequest      []GitPullRequestFilter `json:"pullRequest,omitempty"`
}

// PipelineTriggerDeclaration is a V2 pipeline trigger.
type PipelineTriggerDeclaration struct {
	ProviderType     string            `json:"providerType"` // CodeStarSourceConnection
	GitConfiguration *GitConfiguration `json:"gitConfiguration,omitempty"`
}

// PipelineVariableDeclaration is a V2 pipeline-level variable.
type PipelineVariableDeclaration struct {
	Name         string `json:"name"`
	DefaultValue string `json:"defaultValue,omitempty"`
	Description  string `json:"description,omitempty"`
}

// PipelineDeclaration is a pipeline's structure.
type PipelineDeclaration struct {
	Name           string                        `json:"name"`
	RoleArn        string                        `json:"roleArn"`
	ArtifactStore  *ArtifactStore                `json:"artifactStore,omitempty"`
	ArtifactStores map[string]ArtifactStore      `json:"artifactStores,omitempty"`
	Stages         []StageDeclaration            `json:"stages"`
	Version        int32                         `json:"version,omitzero"`
	ExecutionMode  string                        `json:"executionMode,omitempty"`
	PipelineType   string                        `json:"pipelineType,omitempty"`
	Variables      []PipelineVariableDeclaration `json:"variables,omitempty"`
	Triggers       []PipelineTriggerDeclaration  `json:"triggers,omitempty"`
}

// PipelineMetadata is a pipeline's ARN and times.
type PipelineMetadata struct {
	PipelineArn       string    `json:"pipelineArn,omitempty"`
	Created           time.Time `json:"created,omitzero"`
	Updated           time.Time `json:"updated,omitzero"`
	PollingDisabledAt time.Time `json:"pollingDisabledAt,omitzero"`
}

// PipelineSummary is one entry of ListPipelines.
type PipelineSummary struct {
	Name          string    `json:"name,omitempty"`
	Version       int32     `json:"version,omitzero"`
	PipelineType  string    `json:"pipelineType,omitempty"`
	ExecutionMode string    `json:"executionMode,omitempty"`
	Created       time.Time `json:"created,omitzero"`
	Updated       time.Time `json:"updated,omitzero"`
}

// ExecutionTrigger says what started an execution.
type ExecutionTrigger struct {
	TriggerType   string `json:"triggerType,omitempty"`
	TriggerDetail string `json:"triggerDetail,omitempty"`
}

// ArtifactRevision is the source revision of an execution's artifact.
type ArtifactRevision struct {
	Name                     string    `json:"name,omitempty"`
	RevisionID               string    `json:"revisionId,omitempty"`
	RevisionChangeIdentifier string    `json:"revisionChangeIdentifier,omitempty"`
	RevisionSummary          string    `json:"revisionSummary,omitempty"`
	Created                  time.Time `json:"created,omitzero"`
	RevisionURL              string    `json:"revisionUrl,omitempty"`
}

// ResolvedPipelineVariable is a pipeline variable's value in an execution.
type ResolvedPipelineVariable struct {
	Name          string `json:"name,omitempty"`
	ResolvedValue string `json:"resolvedValue,omitempty"`
}

// PipelineRollbackMetadata names the execution a rollback went back to.
type PipelineRollbackMetadata struct {
	RollbackTargetPipelineExecutionID string `json:"rollbackTargetPipelineExecutionId,omitempty"`
}

// PipelineExecution is one run of a pipeline.
type PipelineExecution struct {
	PipelineName        string                     `json:"pipelineName,omitempty"`
	PipelineVersion     int32                      `json:"pipelineVersion,omitzero"`
	PipelineExecutionID string                     `json:"pipelineExecutionId,omitempty"`
	Status              string                     `json:"status,omitempty"`
	StatusSummary       string                     `json:"statusSummary,omitempty"`
	ArtifactRevisions   []ArtifactRevision         `json:"artifactRevisions,omitempty"`
	Variables           []ResolvedPipelineVariable `json:"variables,omitempty"`
	Trigger             *ExecutionTrigger          `json:"trigger,omitempty"`
	ExecutionMode       string                     `json:"executionMode,omitempty"`
	ExecutionType       string                     `json:"executionType,omitempty"`
	RollbackMetadata    *PipelineRollbackMetadata  `json:"rollbackMetadata,omitempty"`
}

// SourceRevision is a source action's revision in an execution summary.
type SourceRevision struct {
	ActionName      string `json:"actionName,omitempty"`
	RevisionID      string `json:"revisionId,omitempty"`
	RevisionSummary string `json:"revisionSummary,omitempty"`
	RevisionURL     string `json:"revisionUrl,omitempty"`
}

// StopExecutionTrigger is why an execution was stopped.
type StopExecutionTrigger struct {
	Reason string `json:"reason,omitempty"`
}

// PipelineExecutionSummary is one entry of ListPipelineExecutions.
type PipelineExecutionSummary struct {
	PipelineExecutionID string                    `json:"pipelineExecutionId,omitempty"`
	Status              string                    `json:"status,omitempty"`
	StatusSummary       string                    `json:"statusSummary,omitempty"`
	StartTime           time.Time                 `json:"startTime,omitzero"`
	LastUpdateTime      time.Time                 `json:"lastUpdateTime,omitzero"`
	SourceRevisions     []SourceRevision          `json:"sourceRevisions,omitempty"`
	Trigger             *ExecutionTrigger         `json:"trigger,omitempty"`
	StopTrigger         *StopExecutionTrigger     `json:"stopTrigger,omitempty"`
	ExecutionMode       string                    `json:"executionMode,omitempty"`
	ExecutionType       string                    `json:"executionType,omitempty"`
	RollbackMetadata    *PipelineRollbackMetadata `json:"rollbackMetadata,omitempty"`
}

// ErrorDetails describes an action's failure.
type ErrorDetails struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// ActionExecution is the latest run of an action in GetPipelineState.
type ActionExecution struct {
	ActionExecutionID    string        `json:"actionExecutionId,omitempty"`
	Status               string        `json:"status,omitempty"`
	Summary              string        `json:"summary,omitempty"`
	LastStatusChange     time.Time     `json:"lastStatusChange,omitzero"`
	Token                string        `json:"token,omitempty"`
	LastUpdatedBy        string        `json:"lastUpdatedBy,omitempty"`
	ExternalExecutionID  string        `json:"externalExecutionId,omitempty"`
	ExternalExecutionURL string        `json:"externalExecutionUrl,omitempty"`
	PercentComplete      int32         `json:"percentComplete,omitzero"`
	ErrorDetails         *ErrorDetails `json:"errorDetails,omitempty"`
	LogStreamARN         string        `json:"logStreamARN,omitempty"`
}

// ActionRevision is a source action's current revision.
type ActionRevision struct {
	RevisionID       string    `json:"revisionId,omitempty"`
	RevisionChangeID string    `json:"revisionChangeId,omitempty"`
	Created          time.Time `json:"created,omitzero"`
}

// ActionState is one action in GetPipelineState.
type ActionState struct {
	ActionName      string           `json:"actionName,omitempty"`
	CurrentRevision *ActionRevision  `json:"currentRevision,omitempty"`
	LatestExecution *ActionExecution `json:"latestExecution,omitempty"`
	EntityURL       string           `json:"entityUrl,omitempty"`
	RevisionURL     string           `json:"revisionUrl,omitempty"`
}

// StageExecution is an execution in a stage.
type StageExecution struct {
	PipelineExecutionID string `json:"pipelineExecutionId,omitempty"`
	Status              string `json:"status,omitempty"`
	Type                string `json:"type,omitempty"`
}

// TransitionState is whether a stage's inbound transition is enabled.
type TransitionState struct {
	Enabled        bool      `json:"enabled"`
	LastChangedBy  string    `json:"lastChangedBy,omitempty"`
	LastChangedAt  time.Time `json:"lastChangedAt,omitzero"`
	DisabledReason string    `json:"disabledReason,omitempty"`
}

// RetryStageMetadata counts a stage's retries.
type RetryStageMetadata struct {
	AutoStageRetryAttempt   int32  `json:"autoStageRetryAttempt,omitzero"`
	ManualStageRetryAttempt int32  `json:"manualStageRetryAttempt,omitzero"`
	LatestRetryTrigger      string `json:"latestRetryTrigger,omitempty"`
}

// StageState is one stage in GetPipelineState.
type StageState struct {
	StageName              string              `json:"stageName,omitempty"`
	InboundExecution       *StageExecution     `json:"inboundExecution,omitempty"`
	InboundExecutions      []StageExecution    `json:"inboundExecutions,omitempty"`
	InboundTransitionState *TransitionState    `json:"inboundTransitionState,omitempty"`
	ActionStates           []ActionState       `json:"actionStates,omitempty"`
	LatestExecution        *StageExecution     `json:"latestExecution,omitempty"`
	RetryStageMetadata     *RetryStageMetadata `json:"retryStageMetadata,omitempty"`
}

// S3Location is an artifact's place in S3 (ListActionExecutions).
type S3Location struct {
	Bucket string `json:"bucket,omitempty"`
	Key    string `json:"key,omitempty"`
}

// ArtifactDetail is an artifact of an action execution.
type ArtifactDetail struct {
	Name       string      `json:"name,omitempty"`
	S3Location *S3Location `json:"s3location,omitempty"`
}

// ActionExecutionInput is what an action execution ran with.
type ActionExecutionInput struct {
	ActionTypeID          *ActionTypeID     `json:"actionTypeId,omitempty"`
	Configuration         map[string]string `json:"configuration,omitempty"`
	ResolvedConfiguration map[string]string `json:"resolvedConfiguration,omitempty"`
	RoleArn               string            `json:"roleArn,omitempty"`
	Region                string            `json:"region,omitempty"`
	InputArtifacts        []ArtifactDetail  `json:"inputArtifacts,omitempty"`
	Namespace             string            `json:"namespace,omitempty"`
}

// ActionExecutionResult is an action's outcome.
type ActionExecutionResult struct {
	ExternalExecutionID      string        `json:"externalExecutionId,omitempty"`
	ExternalExecutionSummary string        `json:"externalExecutionSummary,omitempty"`
	ExternalExecutionURL     string        `json:"externalExecutionUrl,omitempty"`
	ErrorDetails             *ErrorDetails `json:"errorDetails,omitempty"`
	LogStreamARN             string        `json:"logStreamARN,omitempty"`
}

// ActionExecutionOutput is what an action execution produced.
type ActionExecutionOutput struct {
	OutputArtifacts []ArtifactDetail       `json:"outputArtifacts,omitempty"`
	ExecutionResult *ActionExecutionResult `json:"executionResult,omitempty"`
	OutputVariables map[string]string      `json:"outputVariables,omitempty"`
}

// ActionExecutionDetail is one entry of ListActionExecutions.
type ActionExecutionDetail struct {
	PipelineExecutionID string                 `json:"pipelineExecutionId,omitempty"`
	ActionExecutionID   string                 `json:"actionExecutionId,omitempty"`
	PipelineVersion     int32                  `json:"pipelineVersion,omitzero"`
	StageName           string                 `json:"stageName,omitempty"`
	ActionName          string                 `json:"actionName,omitempty"`
	StartTime           time.Time              `json:"startTime,omitzero"`
	LastUpdateTime      time.Time              `json:"lastUpdateTime,omitzero"`
	UpdatedBy           string                 `json:"updatedBy,omitempty"`
	Status              string                 `json:"status,omitempty"`
	Input               *ActionExecutionInput  `json:"input,omitempty"`
	Output              *ActionExecutionOutput `json:"output,omitempty"`
}

// ActionConfigurationProperty is one configuration property of a custom action type.
type ActionConfigurationProperty struct {
	Name        string `json:"name"`
	Required    bool   `json:"required"`
	Key         bool   `json:"key"`
	Secret      bool   `json:"secret"`
	Queryable   bool   `json:"queryable,omitzero"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"` // String, Number, Boolean
}

// ArtifactDetails are an action type's artifact counts.
type ArtifactDetails struct {
	MinimumCount int32 `json:"minimumCount"`
	MaximumCount int32 `json:"maximumCount"`
}

// ActionTypeSettings are an action type's URL templates.
type ActionTypeSettings struct {
	ThirdPartyConfigurationURL string `json:"thirdPartyConfigurationUrl,omitempty"`
	EntityURLTemplate          string `json:"entityUrlTemplate,omitempty"`
	ExecutionURLTemplate       string `json:"executionUrlTemplate,omitempty"`
	RevisionURLTemplate        string `json:"revisionUrlTemplate,omitempty"`
}

// ActionType is an action type (built-in or custom).
type ActionType struct {
	ID                            *ActionTypeID                 `json:"id,omitempty"`
	Settings                      *ActionTypeSettings           `json:"settings,omitempty"`
	ActionConfigurationProperties []ActionConfigurationProperty `json:"actionConfigurationProperties,omitempty"`
	InputArtifactDetails          *ArtifactDetails              `json:"inputArtifactDetails,omitempty"`
	OutputArtifactDetails         *ArtifactDetails              `json:"outputArtifactDetails,omitempty"`
}

// S3ArtifactLocation is an artifact's place in S3 (jobs).
type S3ArtifactLocation struct {
	BucketName string `json:"bucketName"`
	ObjectKey  string `json:"objectKey"`
}

// ArtifactLocation is where a job's artifact is.
type ArtifactLocation struct {
	Type       string              `json:"type,omitempty"` // S3
	S3Location *S3ArtifactLocation `json:"s3Location,omitempty"`
}

// Artifact is a job's input or output artifact.
type Artifact struct {
	Name     string            `json:"name,omitempty"`
	Revision string            `json:"revision,omitempty"`
	Location *ArtifactLocation `json:"location,omitempty"`
}

// AWSSessionCredentials are the credentials a job worker uses for the artifact store.
type AWSSessionCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
}

// StageContext names a job's stage.
type StageContext struct {
	Name string `json:"name,omitempty"`
}

// ActionContext names a job's action.
type ActionContext struct {
	Name              string `json:"name,omitempty"`
	ActionExecutionID string `json:"actionExecutionId,omitempty"`
}

// PipelineContext says where a job comes from.
type PipelineContext struct {
	PipelineName        string         `json:"pipelineName,omitempty"`
	Stage               *StageContext  `json:"stage,omitempty"`
	Action              *ActionContext `json:"action,omitempty"`
	PipelineArn         string         `json:"pipelineArn,omitempty"`
	PipelineExecutionID string         `json:"pipelineExecutionId,omitempty"`
}

// ActionConfiguration is a job's resolved action configuration.
type ActionConfiguration struct {
	Configuration map[string]string `json:"configuration,omitempty"`
}

// JobData is what a job worker needs to do the job.
type JobData struct {
	ActionTypeID        *ActionTypeID          `json:"actionTypeId,omitempty"`
	ActionConfiguration *ActionConfiguration   `json:"actionConfiguration,omitempty"`
	PipelineContext     *PipelineContext       `json:"pipelineContext,omitempty"`
	InputArtifacts      []Artifact             `json:"inputArtifacts,omitempty"`
	OutputArtifacts     []Artifact             `json:"outputArtifacts,omitempty"`
	ArtifactCredentials *AWSSessionCredentials `json:"artifactCredentials,omitempty"`
	ContinuationToken   string                 `json:"continuationToken,omitempty"`
	EncryptionKey       *EncryptionKey         `json:"encryptionKey,omitempty"`
}

// Job is a job handed to a job worker.
type Job struct {
	ID        string   `json:"id,omitempty"`
	Data      *JobData `json:"data,omitempty"`
	Nonce     string   `json:"nonce,omitempty"`
	AccountID string   `json:"accountId,omitempty"`
}

// JobDetails is GetJobDetails' answer.
type JobDetails struct {
	ID        string   `json:"id,omitempty"`
	Data      *JobData `json:"data,omitempty"`
	AccountID string   `json:"accountId,omitempty"`
}

// CurrentRevision is the revision a job worker reports.
type CurrentRevision struct {
	Revision         string    `json:"revision"`
	ChangeIdentifier string    `json:"changeIdentifier"`
	Created          time.Time `json:"created,omitzero"`
	RevisionSummary  string    `json:"revisionSummary,omitempty"`
}

// ExecutionDetails is a job worker's progress report.
type ExecutionDetails struct {
	Summary             string `json:"summary,omitempty"`
	ExternalExecutionID string `json:"externalExecutionId,omitempty"`
	PercentComplete     int32  `json:"percentComplete,omitzero"`
}

// FailureDetails is a job worker's failure report.
type FailureDetails struct {
	Type                string `json:"type"` // JobFailed, ConfigurationError, PermissionError, RevisionOutOfSync, RevisionUnavailable, SystemUnavailable
	Message             string `json:"message"`
	ExternalExecutionID string `json:"externalExecutionId,omitempty"`
}

// ApprovalResult is the answer to a manual approval.
type ApprovalResult struct {
	Summary string `json:"summary"`
	Status  string `json:"status"` // Approved, Rejected
}

// PipelineVariable is a variable value passed to StartPipelineExecution.
type PipelineVariable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SourceRevisionOverride pins a source action's revision for one execution.
type SourceRevisionOverride struct {
	ActionName    string `json:"actionName"`
	RevisionType  string `json:"revisionType"` // COMMIT_ID, IMAGE_DIGEST, S3_OBJECT_VERSION_ID, S3_OBJECT_KEY
	RevisionValue string `json:"revisionValue"`
}
