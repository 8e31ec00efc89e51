package codebuild

import "time"

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// ProjectSource is where a build's source comes from.
type ProjectSource struct {
	Type              string `json:"type,omitempty"` // CODECOMMIT, S3, NO_SOURCE, CODEPIPELINE
	Location          string `json:"location,omitempty"`
	Buildspec         string `json:"buildspec,omitempty"`
	GitCloneDepth     int32  `json:"gitCloneDepth,omitzero"`
	SourceIdentifier  string `json:"sourceIdentifier,omitempty"`
	InsecureSsl       bool   `json:"insecureSsl,omitzero"`
	ReportBuildStatus bool   `json:"reportBuildStatus,omitzero"`
}

// ProjectSourceVersion is a secondary source's version.
type ProjectSourceVersion struct {
	SourceIdentifier string `json:"sourceIdentifier,omitempty"`
	SourceVersion    string `json:"sourceVersion,omitempty"`
}

// EnvironmentVariable is a build environment variable.
type EnvironmentVariable struct {
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
	Type  string `json:"type,omitempty"` // PLAINTEXT, PARAMETER_STORE, SECRETS_MANAGER
}

// ProjectEnvironment is the build container.
type ProjectEnvironment struct {
	Type                     string                `json:"type,omitempty"`
	Image                    string                `json:"image,omitempty"`
	ComputeType              string                `json:"computeType,omitempty"`
	EnvironmentVariables     []EnvironmentVariable `json:"environmentVariables,omitempty"`
	PrivilegedMode           bool                  `json:"privilegedMode,omitzero"`
	ImagePullCredentialsType string                `json:"imagePullCredentialsType,omitempty"`
}

// ProjectArtifacts says where build output goes.
type ProjectArtifacts struct {
	Type                 string `json:"type,omitempty"` // NO_ARTIFACTS, S3, CODEPIPELINE
	Location             string `json:"location,omitempty"`
	Path                 string `json:"path,omitempty"`
	NamespaceType        string `json:"namespaceType,omitempty"` // NONE, BUILD_ID
	Name                 string `json:"name,omitempty"`
	Packaging            string `json:"packaging,omitempty"` // NONE, ZIP
	OverrideArtifactName bool   `json:"overrideArtifactName,omitzero"`
	EncryptionDisabled   bool   `json:"encryptionDisabled,omitzero"`
	ArtifactIdentifier   string `json:"artifactIdentifier,omitempty"`
}

// ProjectCache is the build cache.
type ProjectCache struct {
	Type     string   `json:"type,omitempty"` // NO_CACHE, LOCAL, S3
	Location string   `json:"location,omitempty"`
	Modes    []string `json:"modes,omitempty"`
}

// CloudWatchLogsConfig sends build output to CloudWatch Logs.
type CloudWatchLogsConfig struct {
	Status     string `json:"status,omitempty"` // ENABLED, DISABLED
	GroupName  string `json:"groupName,omitempty"`
	StreamName string `json:"streamName,omitempty"`
}

// S3LogsConfig sends build output to S3.
type S3LogsConfig struct {
	Status   string `json:"status,omitempty"`
	Location string `json:"location,omitempty"`
}

// LogsConfig configures build logs.
type LogsConfig struct {
	CloudWatchLogs *CloudWatchLogsConfig `json:"cloudWatchLogs,omitempty"`
	S3Logs         *S3LogsConfig         `json:"s3Logs,omitempty"`
}

// Project is a build project.
type Project struct {
	Name                    string                 `json:"name,omitempty"`
	Arn                     string                 `json:"arn,omitempty"`
	Description             string                 `json:"description,omitempty"`
	Source                  *ProjectSource         `json:"source,omitempty"`
	SecondarySources        []ProjectSource        `json:"secondarySources,omitempty"`
	SourceVersion           string                 `json:"sourceVersion,omitempty"`
	SecondarySourceVersions []ProjectSourceVersion `json:"secondarySourceVersions,omitempty"`
	Artifacts               *ProjectArtifacts      `json:"artifacts,omitempty"`
	SecondaryArtifacts      []ProjectArtifacts     `json:"secondaryArtifacts,omitempty"`
	Cache                   *ProjectCache          `json:"cache,omitempty"`
	Environment             *ProjectEnvironment    `json:"environment,omitempty"`
	ServiceRole             string                 `json:"serviceRole,omitempty"`
	TimeoutInMinutes        int32                  `json:"timeoutInMinutes,omitzero"`
	QueuedTimeoutInMinutes  int32                  `json:"queuedTimeoutInMinutes,omitzero"`
	EncryptionKey           string                 `json:"encryptionKey,omitempty"`
	Tags                    []Tag                  `json:"tags,omitempty"`
	Created                 time.Time              `json:"created,omitzero"`
	LastModified            time.Time              `json:"lastModified,omitzero"`
	LogsConfig              *LogsConfig            `json:"logsConfig,omitempty"`
	ConcurrentBuildLimit    int32                  `json:"concurrentBuildLimit,omitzero"`
	ProjectVisibility       string                 `json:"projectVisibility,omitempty"`
}

// PhaseContext explains a phase's status.
type PhaseContext struct {
	StatusCode string `json:"statusCode,omitempty"`
	Message    string `json:"message,omitempty"`
}

// BuildPhase is one phase of a build.
type BuildPhase struct {
	PhaseType         string         `json:"phaseType,omitempty"`
	PhaseStatus       string         `json:"phaseStatus,omitempty"`
	StartTime         time.Time      `json:"startTime,omitzero"`
	EndTime           time.Time      `json:"endTime,omitzero"`
	DurationInSeconds int64          `json:"durationInSeconds,omitzero"`
	Contexts          []PhaseContext `json:"contexts,omitempty"`
}

// LogsLocation says where a build's logs are.
type LogsLocation struct {
	GroupName         string                `json:"groupName,omitempty"`
	StreamName        string                `json:"streamName,omitempty"`
	DeepLink          string                `json:"deepLink,omitempty"`
	CloudWatchLogsArn string                `json:"cloudWatchLogsArn,omitempty"`
	CloudWatchLogs    *CloudWatchLogsConfig `json:"cloudWatchLogs,omitempty"`
	S3Logs            *S3LogsConfig         `json:"s3Logs,omitempty"`
	S3DeepLink        string                `json:"s3DeepLink,omitempty"`
	S3LogsArn         string                `json:"s3LogsArn,omitempty"`
}

// BuildArtifacts says where a build's output went.
type BuildArtifacts struct {
	Location             string `json:"location,omitempty"`
	Md5sum               string `json:"md5sum,omitempty"`
	Sha256sum            string `json:"sha256sum,omitempty"`
	OverrideArtifactName bool   `json:"overrideArtifactName,omitzero"`
	EncryptionDisabled   bool   `json:"encryptionDisabled,omitzero"`
	ArtifactIdentifier   string `json:"artifactIdentifier,omitempty"`
}

// ExportedEnvironmentVariable is a variable the buildspec exported.
type ExportedEnvironmentVariable struct {
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// Build is one run of a project.
type Build struct {
	Id                           string                        `json:"id,omitempty"`
	Arn                          string                        `json:"arn,omitempty"`
	BuildNumber                  int64                         `json:"buildNumber,omitzero"`
	StartTime                    time.Time                     `json:"startTime,omitzero"`
	EndTime                      time.Time                     `json:"endTime,omitzero"`
	CurrentPhase                 string                        `json:"currentPhase,omitempty"`
	BuildStatus                  string                        `json:"buildStatus,omitempty"`
	SourceVersion                string                        `json:"sourceVersion,omitempty"`
	ResolvedSourceVersion        string                        `json:"resolvedSourceVersion,omitempty"`
	ProjectName                  string                        `json:"projectName,omitempty"`
	Phases                       []BuildPhase                  `json:"phases,omitempty"`
	Source                       *ProjectSource                `json:"source,omitempty"`
	SecondarySources             []ProjectSource               `json:"secondarySources,omitempty"`
	SecondarySourceVersions      []ProjectSourceVersion        `json:"secondarySourceVersions,omitempty"`
	Artifacts                    *BuildArtifacts               `json:"artifacts,omitempty"`
	SecondaryArtifacts           []BuildArtifacts              `json:"secondaryArtifacts,omitempty"`
	Cache                        *ProjectCache                 `json:"cache,omitempty"`
	Environment                  *ProjectEnvironment           `json:"environment,omitempty"`
	ServiceRole                  string                        `json:"serviceRole,omitempty"`
	Logs                         *LogsLocation                 `json:"logs,omitempty"`
	TimeoutInMinutes             int32                         `json:"timeoutInMinutes,omitzero"`
	QueuedTimeoutInMinutes       int32                         `json:"queuedTimeoutInMinutes,omitzero"`
	BuildComplete                bool                          `json:"buildComplete"`
	Initiator                    string                        `json:"initiator,omitempty"`
	EncryptionKey                string                        `json:"encryptionKey,omitempty"`
	ExportedEnvironmentVariables []ExportedEnvironmentVariable `json:"exportedEnvironmentVariables,omitempty"`
	ReportArns                   []string                      `json:"reportArns,omitempty"`
}

// Build statuses.
const (
	StatusSucceeded  = "SUCCEEDED"
	StatusFailed     = "FAILED"
	StatusFault      = "FAULT"
	StatusTimedOut   = "TIMED_OUT"
	StatusInProgress = "IN_PROGRESS"
	StatusStopped    = "STOPPED"
)

// Phase types in order.
const (
	PhaseSubmitted       = "SUBMITTED"
	PhaseQueued          = "QUEUED"
	PhaseProvisioning    = "PROVISIONING"
	PhaseDownloadSource  = "DOWNLOAD_SOURCE"
	PhaseInstall         = "INSTALL"
	PhasePreBuild        = "PRE_BUILD"
	PhaseBuild           = "BUILD"
	PhasePostBuild       = "POST_BUILD"
	PhaseUploadArtifacts = "UPLOAD_ARTIFACTS"
	PhaseFinalizing      = "FINALIZING"
	PhaseCompleted       = "COMPLETED"
)

// --- operation inputs and outputs ---

// CreateProjectInput creates a project.
type CreateProjectInput struct {
	Name                    string                 `json:"name,omitempty"`
	Description             string                 `json:"description,omitempty"`
	Source                  *ProjectSource         `json:"source,omitempty"`
	SecondarySources        []ProjectSource        `json:"secondarySources,omitempty"`
	SourceVersion           string                 `json:"sourceVersion,omitempty"`
	SecondarySourceVersions []ProjectSourceVersion `json:"secondarySourceVersions,omitempty"`
	Artifacts               *ProjectArtifacts      `json:"artifacts,omitempty"`
	SecondaryArtifacts      []ProjectArtifacts     `json:"secondaryArtifacts,omitempty"`
	Cache                   *ProjectCache          `json:"cache,omitempty"`
	Environment             *ProjectEnvironment    `json:"environment,omitempty"`
	ServiceRole             string                 `json:"serviceRole,omitempty"`
	TimeoutInMinutes        int32                  `json:"timeoutInMinutes,omitzero"`
	QueuedTimeoutInMinutes  int32                  `json:"queuedTimeoutInMinutes,omitzero"`
	EncryptionKey           string                 `json:"encryptionKey,omitempty"`
	Tags                    []Tag                  `json:"tags,omitempty"`
	LogsConfig              *LogsConfig            `json:"logsConfig,omitempty"`
	ConcurrentBuildLimit    int32                  `json:"concurrentBuildLimit,omitzero"`
}

// CreateProjectOutput is the new project.
type CreateProjectOutput struct {
	Project *Project `json:"project,omitempty"`
}

// UpdateProjectInput changes the fields it sets.
type UpdateProjectInput = CreateProjectInput

// UpdateProjectOutput is the updated project.
type UpdateProjectOutput = CreateProjectOutput

// DeleteProjectInput names a project.
type DeleteProjectInput struct {
	Name string `json:"name,omitempty"`
}

// DeleteProjectOutput is empty.
type DeleteProjectOutput struct{}

// BatchGetProjectsInput lists names or ARNs.
type BatchGetProjectsInput struct {
	Names []string `json:"names,omitempty"`
}

// BatchGetProjectsOutput has the projects found and the names not found.
type BatchGetProjectsOutput struct {
	Projects         []Project `json:"projects"`
	ProjectsNotFound []string  `json:"projectsNotFound"`
}

// ListProjectsInput pages through project names.
type ListProjectsInput struct {
	SortBy    string `json:"sortBy,omitempty"`    // NAME, CREATED_TIME, LAST_MODIFIED_TIME
	SortOrder string `json:"sortOrder,omitempty"` // ASCENDING, DESCENDING
	NextToken string `json:"nextToken,omitempty"`
}

// ListProjectsOutput is one page.
type ListProjectsOutput struct {
	Projects  []string `json:"projects"`
	NextToken string   `json:"nextToken,omitempty"`
}

// StartBuildInput starts a build with overrides.
type StartBuildInput struct {
	ProjectName                     string                 `json:"projectName,omitempty"`
	SourceVersion                   string                 `json:"sourceVersion,omitempty"`
	SecondarySourcesVersionOverride []ProjectSourceVersion `json:"secondarySourcesVersionOverride,omitempty"`
	SourceTypeOverride              string                 `json:"sourceTypeOverride,omitempty"`
	SourceLocationOverride          string                 `json:"sourceLocationOverride,omitempty"`
	BuildspecOverride               string                 `json:"buildspecOverride,omitempty"`
	EnvironmentVariablesOverride    []EnvironmentVariable  `json:"environmentVariablesOverride,omitempty"`
	EnvironmentTypeOverride         string                 `json:"environmentTypeOverride,omitempty"`
	ImageOverride                   string                 `json:"imageOverride,omitempty"`
	ComputeTypeOverride             string                 `json:"computeTypeOverride,omitempty"`
	TimeoutInMinutesOverride        int32                  `json:"timeoutInMinutesOverride,omitzero"`
	QueuedTimeoutInMinutesOverride  int32                  `json:"queuedTimeoutInMinutesOverride,omitzero"`
	ArtifactsOverride               *ProjectArtifacts      `json:"artifactsOverride,omitempty"`
	SecondaryArtifactsOverride      []ProjectArtifacts     `json:"secondaryArtifactsOverride,omitempty"`
	CacheOverride                   *ProjectCache          `json:"cacheOverride,omitempty"`
	LogsConfigOverride              *LogsConfig            `json:"logsConfigOverride,omitempty"`
	ServiceRoleOverride             string                 `json:"serviceRoleOverride,omitempty"`
	PrivilegedModeOverride          *bool                  `json:"privilegedModeOverride,omitempty"`
	IdempotencyToken                string                 `json:"idempotencyToken,omitempty"`
	GitCloneDepthOverride           *int32                 `json:"gitCloneDepthOverride,omitempty"`
}

// StartBuildOutput is the new build.
type StartBuildOutput struct {
	Build *Build `json:"build,omitempty"`
}

// StopBuildInput names a build.
type StopBuildInput struct {
	Id string `json:"id,omitempty"`
}

// StopBuildOutput is the build.
type StopBuildOutput = StartBuildOutput

// RetryBuildInput names a build to run again.
type RetryBuildInput struct {
	Id               string `json:"id,omitempty"`
	IdempotencyToken string `json:"idempotencyToken,omitempty"`
}

// RetryBuildOutput is the new build.
type RetryBuildOutput = StartBuildOutput

// BatchGetBuildsInput lists build ids.
type BatchGetBuildsInput struct {
	Ids []string `json:"ids,omitempty"`
}

// BatchGetBuildsOutput has the builds found.
type BatchGetBuildsOutput struct {
	Builds         []Build  `json:"builds"`
	BuildsNotFound []string `json:"buildsNotFound"`
}

// ListBuildsInput pages through build ids.
type ListBuildsInput struct {
	SortOrder string `json:"sortOrder,omitempty"`
	NextToken string `json:"nextToken,omitempty"`
}

// ListBuildsOutput is one page.
type ListBuildsOutput struct {
	Ids       []string `json:"ids"`
	NextToken string   `json:"nextToken,omitempty"`
}

// ListBuildsForProjectInput pages through one project's builds.
type ListBuildsForProjectInput struct {
	ProjectName string `json:"projectName,omitempty"`
	SortOrder   string `json:"sortOrder,omitempty"`
	NextToken   string `json:"nextToken,omitempty"`
}

// ListBuildsForProjectOutput is one page.
type ListBuildsForProjectOutput = ListBuildsOutput

// BatchDeleteBuildsInput lists builds to delete.
type BatchDeleteBuildsInput struct {
	Ids []string `json:"ids,omitempty"`
}

// BuildNotDeleted says why a build was not deleted.
type BuildNotDeleted struct {
	Id         string `json:"id,omitempty"`
	StatusCode string `json:"statusCode,omitempty"`
}

// BatchDeleteBuildsOutput reports what was deleted.
type BatchDeleteBuildsOutput struct {
	BuildsDeleted    []string          `json:"buildsDeleted"`
	BuildsNotDeleted []BuildNotDeleted `json:"buildsNotDeleted"`
}
