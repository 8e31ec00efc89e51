package codepipeline

import "time"

// CreatePipelineInput creates a pipeline.
type CreatePipelineInput struct {
	Pipeline *PipelineDeclaration `json:"pipeline,omitempty"`
	Tags     []Tag                `json:"tags,omitempty"`
}

// CreatePipelineOutput is the created pipeline.
type CreatePipelineOutput struct {
	Pipeline *PipelineDeclaration `json:"pipeline,omitempty"`
	Tags     []Tag                `json:"tags,omitempty"`
}

// UpdatePipelineInput replaces a pipeline's structure.
type UpdatePipelineInput struct {
	Pipeline *PipelineDeclaration `json:"pipeline,omitempty"`
}

// UpdatePipelineOutput is the updated pipeline.
type UpdatePipelineOutput struct {
	Pipeline *PipelineDeclaration `json:"pipeline,omitempty"`
}

// GetPipelineInput names a pipeline and optionally a version.
type GetPipelineInput struct {
	Name    string `json:"name"`
	Version int32  `json:"version,omitzero"`
}

// GetPipelineOutput is a pipeline's structure and metadata.
type GetPipelineOutput struct {
	Pipeline *PipelineDeclaration `json:"pipeline,omitempty"`
	Metadata *PipelineMetadata    `json:"metadata,omitempty"`
}

// ListPipelinesInput pages through pipelines.
type ListPipelinesInput struct {
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults int32  `json:"maxResults,omitzero"`
}

// ListPipelinesOutput is a page of pipelines.
type ListPipelinesOutput struct {
	Pipelines []PipelineSummary `json:"pipelines"`
	NextToken string            `json:"nextToken,omitempty"`
}

// DeletePipelineInput names a pipeline.
type DeletePipelineInput struct {
	Name string `json:"name"`
}

// DeletePipelineOutput is empty.
type DeletePipelineOutput struct{}

// TagResourceInput tags a pipeline or custom action type.
type TagResourceInput struct {
	ResourceArn string `json:"resourceArn"`
	Tags        []Tag  `json:"tags"`
}

// TagResourceOutput is empty.
type TagResourceOutput struct{}

// UntagResourceInput removes tags.
type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// UntagResourceOutput is empty.
type UntagResourceOutput struct{}

// ListTagsForResourceInput names a resource.
type ListTagsForResourceInput struct {
	ResourceArn string `json:"resourceArn"`
	NextToken   string `json:"nextToken,omitempty"`
	MaxResults  int32  `json:"maxResults,omitzero"`
}

// ListTagsForResourceOutput is the resource's tags.
type ListTagsForResourceOutput struct {
	Tags      []Tag  `json:"tags"`
	NextToken string `json:"nextToken,omitempty"`
}

// StartPipelineExecutionInput starts an execution.
type StartPipelineExecutionInput struct {
	Name               string                   `json:"name"`
	Variables          []PipelineVariable       `json:"variables,omitempty"`
	ClientRequestToken string                   `json:"clientRequestToken,omitempty"`
	SourceRevisions    []SourceRevisionOverride `json:"sourceRevisions,omitempty"`
}

// StartPipelineExecutionOutput is the new execution's ID.
type StartPipelineExecutionOutput struct {
	PipelineExecutionID string `json:"pipelineExecutionId,omitempty"`
}

// StopPipelineExecutionInput stops an execution.
type StopPipelineExecutionInput struct {
	PipelineName        string `json:"pipelineName"`
	PipelineExecutionID string `json:"pipelineExecutionId"`
	Abandon             bool   `json:"abandon,omitzero"`
	Reason              string `json:"reason,omitempty"`
}

// StopPipelineExecutionOutput is the execution's ID.
type StopPipelineExecutionOutput struct {
	PipelineExecutionID string `json:"pipelineExecutionId,omitempty"`
}

// GetPipelineExecutionInput names an execution.
type GetPipelineExecutionInput struct {
	PipelineName        string `json:"pipelineName"`
	PipelineExecutionID string `json:"pipelineExecutionId"`
}

// GetPipelineExecutionOutput is the execution.
type GetPipelineExecutionOutput struct {
	PipelineExecution *PipelineExecution `json:"pipelineExecution,omitempty"`
}

// SucceededInStageFilter selects executions that succeeded in a stage.
type SucceededInStageFilter struct {
	StageName string `json:"stageName,omitempty"`
}

// PipelineExecutionFilter filters ListPipelineExecutions.
type PipelineExecutionFilter struct {
	SucceededInStage *SucceededInStageFilter `json:"succeededInStage,omitempty"`
}

// ListPipelineExecutionsInput pages through executions, newest first.
type ListPipelineExecutionsInput struct {
	PipelineName string                   `json:"pipelineName"`
	MaxResults   int32                    `json:"maxResults,omitzero"`
	NextToken    string                   `json:"nextToken,omitempty"`
	Filter       *PipelineExecutionFilter `json:"filter,omitempty"`
}

// ListPipelineExecutionsOutput is a page of executions.
type ListPipelineExecutionsOutput struct {
	PipelineExecutionSummaries []PipelineExecutionSummary `json:"pipelineExecutionSummaries"`
	NextToken                  string                     `json:"nextToken,omitempty"`
}

// GetPipelineStateInput names a pipeline.
type GetPipelineStateInput struct {
	Name string `json:"name"`
}

// GetPipelineStateOutput is the pipeline's state.
type GetPipelineStateOutput struct {
	PipelineName    string       `json:"pipelineName,omitempty"`
	PipelineVersion int32        `json:"pipelineVersion,omitzero"`
	StageStates     []StageState `json:"stageStates"`
	Created         time.Time    `json:"created,omitzero"`
	Updated         time.Time    `json:"updated,omitzero"`
}

// LatestInPipelineExecutionFilter is accepted for AWS compatibility.
type LatestInPipelineExecutionFilter struct {
	PipelineExecutionID string `json:"pipelineExecutionId,omitempty"`
	StartTimeRange      string `json:"startTimeRange,omitempty"`
}

// ActionExecutionFilter filters ListActionExecutions.
type ActionExecutionFilter struct {
	PipelineExecutionID       string                           `json:"pipelineExecutionId,omitempty"`
	LatestInPipelineExecution *LatestInPipelineExecutionFilter `json:"latestInPipelineExecution,omitempty"`
}

// ListActionExecutionsInput pages through action executions, newest first.
type ListActionExecutionsInput struct {
	PipelineName string                 `json:"pipelineName"`
	Filter       *ActionExecutionFilter `json:"filter,omitempty"`
	MaxResults   int32                  `json:"maxResults,omitzero"`
	NextToken    string                 `json:"nextToken,omitempty"`
}

// ListActionExecutionsOutput is a page of action executions.
type ListActionExecutionsOutput struct {
	ActionExecutionDetails []ActionExecutionDetail `json:"actionExecutionDetails"`
	NextToken              string                  `json:"nextToken,omitempty"`
}

// RetryStageExecutionInput retries a failed stage.
type RetryStageExecutionInput struct {
	PipelineName        string `json:"pipelineName"`
	StageName           string `json:"stageName"`
	PipelineExecutionID string `json:"pipelineExecutionId"`
	RetryMode           string `json:"retryMode"` // FAILED_ACTIONS, ALL_ACTIONS
}

// RetryStageExecutionOutput is the execution's ID.
type RetryStageExecutionOutput struct {
	PipelineExecutionID string `json:"pipelineExecutionId,omitempty"`
}

// RollbackStageInput rolls a stage back to a previous execution.
type RollbackStageInput struct {
	PipelineName              string `json:"pipelineName"`
	StageName                 string `json:"stageName"`
	TargetPipelineExecutionID string `json:"targetPipelineExecutionId"`
}

// RollbackStageOutput is the rollback execution's ID.
type RollbackStageOutput struct {
	PipelineExecutionID string `json:"pipelineExecutionId,omitempty"`
}

// DisableStageTransitionInput disables a stage transition.
type DisableStageTransitionInput struct {
	PipelineName   string `json:"pipelineName"`
	StageName      string `json:"stageName"`
	TransitionType string `json:"transitionType"` // Inbound, Outbound
	Reason         string `json:"reason"`
}

// DisableStageTransitionOutput is empty.
type DisableStageTransitionOutput struct{}

// EnableStageTransitionInput enables a stage transition.
type EnableStageTransitionInput struct {
	PipelineName   string `json:"pipelineName"`
	StageName      string `json:"stageName"`
	TransitionType string `json:"transitionType"`
}

// EnableStageTransitionOutput is empty.
type EnableStageTransitionOutput struct{}

// PutApprovalResultInput answers a manual approval.
type PutApprovalResultInput struct {
	PipelineName string          `json:"pipelineName"`
	StageName    string          `json:"stageName"`
	ActionName   string          `json:"actionName"`
	Result       *ApprovalResult `json:"result,omitempty"`
	Token        string          `json:"token"`
}

// PutApprovalResultOutput says when the approval was answered.
type PutApprovalResultOutput struct {
	ApprovedAt time.Time `json:"approvedAt,omitzero"`
}

// ListActionTypesInput lists action types.
type ListActionTypesInput struct {
	ActionOwnerFilter string `json:"actionOwnerFilter,omitempty"`
	NextToken         string `json:"nextToken,omitempty"`
	RegionFilter      string `json:"regionFilter,omitempty"`
}

// ListActionTypesOutput is the action types.
type ListActionTypesOutput struct {
	ActionTypes []ActionType `json:"actionTypes"`
	NextToken   string       `json:"nextToken,omitempty"`
}

// CreateCustomActionTypeInput creates a custom action type.
type CreateCustomActionTypeInput struct {
	Category                string                        `json:"category"`
	Provider                string                        `json:"provider"`
	Version                 string                        `json:"version"`
	Settings                *ActionTypeSettings           `json:"settings,omitempty"`
	ConfigurationProperties []ActionConfigurationProperty `json:"configurationProperties,omitempty"`
	InputArtifactDetails    *ArtifactDetails              `json:"inputArtifactDetails,omitempty"`
	OutputArtifactDetails   *ArtifactDetails              `json:"outputArtifactDetails,omitempty"`
	Tags                    []Tag                         `json:"tags,omitempty"`
}

// CreateCustomActionTypeOutput is the new action type.
type CreateCustomActionTypeOutput struct {
	ActionType *ActionType `json:"actionType,omitempty"`
	Tags       []Tag       `json:"tags,omitempty"`
}

// DeleteCustomActionTypeInput names a custom action type.
type DeleteCustomActionTypeInput struct {
	Category string `json:"category"`
	Provider string `json:"provider"`
	Version  string `json:"version"`
}

// DeleteCustomActionTypeOutput is empty.
type DeleteCustomActionTypeOutput struct{}

// PollForJobsInput asks for jobs of a custom action type.
type PollForJobsInput struct {
	ActionTypeID *ActionTypeID     `json:"actionTypeId,omitempty"`
	MaxBatchSize int32             `json:"maxBatchSize,omitzero"`
	QueryParam   map[string]string `json:"queryParam,omitempty"`
}

// PollForJobsOutput is the jobs handed out.
type PollForJobsOutput struct {
	Jobs []Job `json:"jobs"`
}

// AcknowledgeJobInput claims a job.
type AcknowledgeJobInput struct {
	JobID string `json:"jobId"`
	Nonce string `json:"nonce"`
}

// AcknowledgeJobOutput is the job's status.
type AcknowledgeJobOutput struct {
	Status string `json:"status,omitempty"`
}

// GetJobDetailsInput names a job.
type GetJobDetailsInput struct {
	JobID string `json:"jobId"`
}

// GetJobDetailsOutput is the job.
type GetJobDetailsOutput struct {
	JobDetails *JobDetails `json:"jobDetails,omitempty"`
}

// PutJobSuccessResultInput completes a job (or continues it with a continuation token).
type PutJobSuccessResultInput struct {
	JobID             string            `json:"jobId"`
	CurrentRevision   *CurrentRevision  `json:"currentRevision,omitempty"`
	ContinuationToken string            `json:"continuationToken,omitempty"`
	ExecutionDetails  *ExecutionDetails `json:"executionDetails,omitempty"`
	OutputVariables   map[string]string `json:"outputVariables,omitempty"`
}

// PutJobSuccessResultOutput is empty.
type PutJobSuccessResultOutput struct{}

// PutJobFailureResultInput fails a job.
type PutJobFailureResultInput struct {
	JobID          string          `json:"jobId"`
	FailureDetails *FailureDetails `json:"failureDetails,omitempty"`
}

// PutJobFailureResultOutput is empty.
type PutJobFailureResultOutput struct{}
