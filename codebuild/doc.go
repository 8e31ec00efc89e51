// Package codebuild is AWS CodeBuild where builds really run: a build checks out its source
// (CodeCommit, S3 zip, CodePipeline artifact or an inline buildspec), runs the buildspec's
// phases in one shell session — real programs on this machine by default, through the
// runner.Runner seam — streams every line to CloudWatch Logs, uploads artifacts to S3 and
// fails for real when a command fails.
//
// Operations: CreateProject, UpdateProject, DeleteProject, BatchGetProjects, ListProjects,
// StartBuild (with its overrides), StopBuild, RetryBuild, BatchGetBuilds, ListBuilds,
// ListBuildsForProject, BatchDeleteBuilds. Wait is a Go convenience that blocks until a build
// is complete.
//
// Builds go through AWS's phases (SUBMITTED, QUEUED, PROVISIONING, DOWNLOAD_SOURCE, INSTALL,
// PRE_BUILD, BUILD, POST_BUILD, UPLOAD_ARTIFACTS, FINALIZING, COMPLETED) with AWS's
// transitions: a failed INSTALL or PRE_BUILD skips to FINALIZING, a failed BUILD still runs
// POST_BUILD (with CODEBUILD_BUILD_SUCCEEDING=0), UPLOAD_ARTIFACTS is always attempted once
// BUILD ran, on-failure: CONTINUE goes on. Commands of all phases share one shell (cd and
// exported variables persist, as buildspec 0.2 specifies). Builds queue by the project's
// concurrentBuildLimit and the account's limit (60); the queued timeout and the build timeout
// run on the platform clock; StopBuild and timeouts kill the whole process tree.
//
// Events: "CodeBuild Build State Change" and "CodeBuild Build Phase Change" (source
// aws.codebuild). Metrics: AWS/CodeBuild Builds, SucceededBuilds, FailedBuilds, Duration,
// QueuedDuration, BuildDuration, per project and account-wide.
//
// Security: the default shell runs real programs with the privileges of this process. Plug in
// Options.NewShell to run builds elsewhere (a container, a VM, a Go function).
//
// Differences from AWS: the build image is recorded and its runtime list validates
// runtime-versions, but programs come from this machine (a runtime whose program is missing
// fails INSTALL with a clear message); HOME and PATH are this process's; GitHub, Bitbucket and
// GitLab sources and webhooks are not supported (EventBridge rules start builds); batch builds
// are parsed and not run.
//
// A Service is safe for concurrent use; Close stops running builds and waits for them.
package codebuild
