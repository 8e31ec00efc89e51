package codepipeline

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Commit describes a CodeCommit commit a source action snapshots.
type Commit struct {
	ID            string
	Message       string
	AuthorName    string
	AuthorDate    time.Time
	CommitterDate time.Time
}

// CodeCommit is what the CodeCommit source action and git triggers need from CodeCommit.
type CodeCommit interface {
	// Snapshot returns a zip of the tree of repository at ref (a branch, tag or full commit
	// ID) in the caller's account and region, and the commit it resolved.
	Snapshot(ctx context.Context, repository, ref string) (zip []byte, c Commit, err error)
	// ChangedFiles lists the paths that differ between two commits of repository
	// (oldCommit "" means every file of newCommit). Used by file-path trigger filters.
	ChangedFiles(ctx context.Context, repository, oldCommit, newCommit string) ([]string, error)
}

// S3Loc is an object in S3.
type S3Loc struct {
	Bucket string
	Key    string
}

// BuildOutput is one output artifact of a build: the build zips it to Location.
type BuildOutput struct {
	Name     string // artifact name (the secondary artifact identifier for outputs after the first)
	Location S3Loc
}

// BuildRequest starts a CodeBuild build for a Build or Test action.
type BuildRequest struct {
	ProjectName string
	// Source is the primary input artifact (a zip); SourceVersion is its commit, when known.
	Source        S3Loc
	SourceVersion string
	// SecondarySources are the other input artifacts by name (their source identifiers).
	SecondarySources map[string]S3Loc
	// Outputs are the output artifacts; the first is the primary one.
	Outputs              []BuildOutput
	EnvironmentVariables []EnvironmentVariable
	// Initiator is "codepipeline/<pipeline name>", as CodeBuild records it.
	Initiator string
}

// BuildResult is a finished build.
type BuildResult struct {
	Status            string // SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED
	Message           string // why it failed, when it did
	ExportedVariables map[string]string
	LogURL            string
	LogStreamARN      string
}

// Builds is what Build and Test actions need from CodeBuild.
type Builds interface {
	StartBuild(ctx context.Context, req BuildRequest) (buildID string, err error)
	// WaitBuild blocks until the build is complete or ctx is done.
	WaitBuild(ctx context.Context, buildID string) (BuildResult, error)
	StopBuild(ctx context.Context, buildID string) error
}

// DeployRequest creates a CodeDeploy deployment from a pipeline artifact.
type DeployRequest struct {
	ApplicationName     string
	DeploymentGroupName string
	Revision            S3Loc  // the input artifact
	BundleType          string // "zip"
	Description         string
}

// DeployResult is a finished deployment.
type DeployResult struct {
	Status  string // Succeeded, Failed, Stopped
	Message string
}

// Deployments is what the CodeDeploy deploy action needs from CodeDeploy.
type Deployments interface {
	CreateDeployment(ctx context.Context, req DeployRequest) (deploymentID string, err error)
	// WaitDeployment blocks until the deployment is complete or ctx is done.
	WaitDeployment(ctx context.Context, deploymentID string) (DeployResult, error)
	StopDeployment(ctx context.Context, deploymentID string) error
}

// StackSpec is what a CloudFormation action asks for.
type StackSpec struct {
	StackName     string
	TemplateBody  string
	Parameters    map[string]string
	Capabilities  []string
	RoleArn       string
	Tags          map[string]string
	StackPolicy   string
	ChangeSetName string
}

// StackInfo is a stack's current state.
type StackInfo struct {
	Exists       bool
	Status       string // CREATE_COMPLETE, ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE, ...
	StatusReason string
	Outputs      map[string]string
}

// Stacks is what the CloudFormation deploy action needs from CloudFormation. The action
// modes (CREATE_UPDATE, DELETE_ONLY, REPLACE_ON_FAILURE, CHANGE_SET_REPLACE,
// CHANGE_SET_EXECUTE) are implemented here on top of these calls.
type Stacks interface {
	// DescribeStack returns the stack; Exists is false (and err nil) when there is none.
	DescribeStack(ctx context.Context, name string) (StackInfo, error)
	CreateStack(ctx context.Context, spec StackSpec) error
	// UpdateStack returns changed=false (and err nil) when the template and parameters
	// change nothing ("No updates are to be performed").
	UpdateStack(ctx context.Context, spec StackSpec) (changed bool, err error)
	DeleteStack(ctx context.Context, name string) error
	// CreateChangeSet creates spec.ChangeSetName on the stack (creating a REVIEW_IN_PROGRESS
	// stack if none), replacing a change set of that name, and waits until it is ready.
	CreateChangeSet(ctx context.Context, spec StackSpec) error
	ExecuteChangeSet(ctx context.Context, stackName, changeSetName string) error
	// WaitStack blocks until the stack is in no *_IN_PROGRESS state (Exists false once a
	// deletion completed) or ctx is done.
	WaitStack(ctx context.Context, name string) (StackInfo, error)
}

// Topics publishes manual approval notifications to SNS.
type Topics interface {
	PublishToTopic(ctx context.Context, topicArn, subject, message string) (messageID string, err error)
}

// Functions invokes Lambda functions for Invoke actions: payload is the CodePipeline job
// event ({"CodePipeline.job": {...}}); the function reports with PutJobSuccessResult or
// PutJobFailureResult. An error return fails the action.
type Functions interface {
	InvokeFunction(ctx context.Context, functionName string, payload []byte) error
}

// Deps are the other services pipelines drive; any may be nil, and an action that needs a
// missing one fails with a clear message.
type Deps struct {
	CodeCommit  CodeCommit
	Builds      Builds
	Deployments Deployments
	Stacks      Stacks
	Topics      Topics
	Functions   Functions
}

// Options configure the service; the zero value is usable.
type Options struct {
	// MaxPipelines is the per-account, per-region pipeline limit (default 1000).
	MaxPipelines int
}

// Service is AWS CodePipeline. It is safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	deps Deps
	opts Options
	log  *slog.Logger

	pipelines *store.Table[pipelineRec]
	versions  *store.Table[PipelineDeclaration]
	execs     *store.Table[execRec]
	actions   *store.Table[actionRec]
	states    *store.Table[stateRec]
	tokens    *store.Table[string]
	jobs      *store.Table[jobRec]
	types     *store.Table[customTypeRec]

	mu        sync.Mutex
	closed    bool
	wg        sync.WaitGroup
	rts       map[string]*pipeRT // scope+pipeline name -> runtime
	approvals map[string]*approvalWait
	jobWaits  map[string]chan jobOutcome
	funcs     map[string]func(context.Context, []byte) error
	seq       uint64
}

var errClosed = errors.New("codepipeline: service closed")

// New returns a CodePipeline service in env driving deps.
func New(env *core.Env, deps Deps, opts Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("codepipeline: nil env")
	}
	if opts.MaxPipelines <= 0 {
		opts.MaxPipelines = 1000
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st := env.Store
	return &Service{
		env: env, d: env.Dispatcher("codepipeline", "codepipeline.amazonaws.com"), deps: deps, opts: opts, log: log,
		pipelines: store.NewTable[pipelineRec](st, "codepipeline/pipeline/"),
		versions:  store.NewTable[PipelineDeclaration](st, "codepipeline/version/"),
		execs:     store.NewTable[execRec](st, "codepipeline/exec/"),
		actions:   store.NewTable[actionRec](st, "codepipeline/action/"),
		states:    store.NewTable[stateRec](st, "codepipeline/state/"),
		tokens:    store.NewTable[string](st, "codepipeline/token/"),
		jobs:      store.NewTable[jobRec](st, "codepipeline/job/"),
		types:     store.NewTable[customTypeRec](st, "codepipeline/actiontype/"),
		rts:       map[string]*pipeRT{},
		approvals: map[string]*approvalWait{},
		jobWaits:  map[string]chan jobOutcome{},
		funcs:     map[string]func(context.Context, []byte) error{},
	}, nil
}

// HandleFunction registers fn as the Lambda function name for Invoke actions (it takes
// precedence over Deps.Functions). fn receives the CodePipeline job event and must report
// with PutJobSuccessResult or PutJobFailureResult; an error return fails the action. A nil
// fn unregisters.
func (s *Service) HandleFunction(name string, fn func(ctx context.Context, payload []byte) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn == nil {
		delete(s.funcs, name)
		return
	}
	s.funcs[name] = fn
}

// Close stops every running execution (in-progress actions are cancelled; their builds
// and deployments are stopped) and waits for them. Executions stopped by Close keep the
// status they had.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	var runs []*run
	for _, rt := range s.rts {
		rt.mu.Lock()
		for _, r := range rt.runs {
			runs = append(runs, r)
		}
		rt.mu.Unlock()
	}
	s.mu.Unlock()
	for _, r := range runs {
		r.cancel(errClosed)
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
