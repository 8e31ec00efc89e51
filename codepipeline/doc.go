// Package codepipeline is AWS CodePipeline where pipelines really run: a source action
// snapshots a CodeCommit commit (or an S3 object) into the artifact store as a zip, build
// and test actions run CodeBuild builds on those artifacts, a manual approval waits for
// PutApprovalResult (or expires on the platform clock), deploy actions create CodeDeploy
// deployments, drive CloudFormation stacks or extract to S3, invoke actions call Go
// functions registered as Lambda functions, and custom actions hand jobs to job workers.
//
// # Operations
//
// Pipelines: CreatePipeline (which starts the first execution, as AWS does), UpdatePipeline,
// GetPipeline (any version), ListPipelines, DeletePipeline, TagResource, UntagResource,
// ListTagsForResource. Executions: StartPipelineExecution (variables, sourceRevisions,
// clientRequestToken), StopPipelineExecution (stop and wait, or abandon),
// GetPipelineExecution, ListPipelineExecutions (succeededInStage filter),
// GetPipelineState, ListActionExecutions, RetryStageExecution (FAILED_ACTIONS,
// ALL_ACTIONS), RollbackStage, DisableStageTransition/EnableStageTransition (Inbound,
// Outbound), PutApprovalResult. Action types and job workers: ListActionTypes,
// CreateCustomActionType, DeleteCustomActionType, PollForJobs, AcknowledgeJob,
// GetJobDetails, PutJobSuccessResult (output variables, continuation tokens),
// PutJobFailureResult. Go-only: HandleEvent (the root subscribes it to the platform
// event bus), StartPipelineFromEvent (EventBridge rule targets), HandleFunction (Lambda
// functions for Invoke actions).
//
// # Semantics
//
// Stages run in order; within a stage actions with the same runOrder run in parallel and
// the next runOrder starts when they all finished. Artifacts flow by name through the
// artifact store (<bucket>/<pipeline[:20]>/<artifact[:20]>/<random>, zips) of
// env.Objects. #{Namespace.Variable}, #{variables.name} and
// #{codepipeline.PipelineExecutionId} are resolved in action configurations when the
// action starts (validated at CreatePipeline against the namespaces of preceding
// actions). An execution runs the pipeline version it started with. In SUPERSEDED and
// QUEUED modes one execution holds a stage at a time: SUPERSEDED replaces an execution
// waiting at a stage with the newer one (status Superseded), QUEUED lets them in in start
// order; PARALLEL executions are independent. A disabled transition holds executions at
// the stage's inbound (InboundExecution in GetPipelineState). A failed action fails its
// stage (after its runOrder group ends) and the execution; onFailure RETRY retries the
// stage once automatically, onFailure ROLLBACK starts a rollback execution of the stage
// with the artifacts of the latest execution that succeeded in it. Action timeouts follow
// AWS's defaults (approval 7 days, CodeBuild 8 hours, CodeDeploy 5 days, CloudFormation
// 3 days, Lambda and custom 1 hour, S3 deploy 20 minutes) or timeoutInMinutes.
//
// Events (source aws.codepipeline): "CodePipeline Pipeline Execution State Change",
// "CodePipeline Stage Execution State Change", "CodePipeline Action Execution State
// Change", with AWS's detail fields and states (STARTED, SUCCEEDED, FAILED, STOPPING,
// STOPPED, SUPERSEDED, RESUMED, ABANDONED, CANCELED).
//
// Source changes: HandleEvent starts pipelines on "CodeCommit Repository State Change":
// V2 triggers with push filters (branch or tag globs, file-path globs) on a CodeCommit
// source action start with that action pinned to the pushed commit (trigger WebhookV2);
// CodeCommit source actions without a trigger and PollForSourceChanges not "false" start
// on pushes to their branch (trigger PollForSourceChanges: AWS polls, devopsim reacts at
// once). PollForSourceChanges "false" means only EventBridge rules start the pipeline
// (StartPipelineFromEvent), as on AWS.
//
// # Dependencies, concurrency, time, errors
//
// Other services are reached only through the interfaces in Deps (CodeCommit, Builds,
// Deployments, Stacks, Topics, Functions); an action whose dependency is nil fails with a
// clear message. Durable state (pipelines, versions, executions, action executions,
// stage state, jobs, custom action types) is in env.Store; running executions are
// goroutines owned by the Service, never holding a lock while calling a dependency, and
// Close cancels and waits for them. Every timeout runs on env.Clock. A Service is safe for
// concurrent use. Errors are *apierr.Error values with AWS's exception names
// (InvalidStructureException, InvalidActionDeclarationException, PipelineNameInUseException,
// PipelineNotFoundException, InvalidApprovalTokenException, ...); match them with errors.Is
// and the exported sentinels. Limits: 1000 pipelines per region (Options.MaxPipelines),
// 2–50 stages, 50 actions per stage, runOrder 1–999, 50 tags, 50 pipeline variables,
// 50 concurrent QUEUED/PARALLEL executions per pipeline, 50 custom action types.
//
// # Differences from AWS
//
// Source providers are CodeCommit and S3 (S3 object versions are not kept, so
// S3_OBJECT_VERSION_ID overrides fail); GitHub, CodeStar connections, ECR, ECS, Elastic
// Beanstalk, Step Functions and other providers are refused at CreatePipeline with
// InvalidActionDeclarationException. V2 git triggers are accepted on CodeCommit source
// actions (AWS only allows them on CodeStarSourceConnection sources); pull request filters
// are refused. OutputArtifactFormat CODEBUILD_CLONE_REF produces a zip like CODE_ZIP. Stage
// conditions (beforeEntry, onSuccess, onFailure conditions) and blockers are refused; the
// onFailure result SKIP is refused. CodeBuild BatchEnabled fails the action. Webhooks,
// third-party jobs, rule types, PutActionRevision, ListDeployActionExecutionTargets,
// GetActionType/UpdateActionType and OverrideStageCondition are not implemented. An
// execution running when the platform is closed keeps its last recorded status (it is not
// resumed when a persistent store is reopened). KMS encryption keys are recorded, not used.
package codepipeline
