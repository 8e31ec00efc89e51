package codebuild

import (
	"context"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/store"
)

// Sources fetches CodeCommit source trees for builds.
type Sources interface {
	// FetchCodeCommit returns a zip of the tree of the repository named by location (a
	// clone URL or an ARN) at version (a branch, tag, commit id, refs/heads/x^{commitId}, or
	// "" for the default branch), and the commit id it resolved.
	FetchCodeCommit(ctx context.Context, location, version string) (zip []byte, commitID string, err error)
}

// Logs receives build output for CloudWatch Logs.
type Logs interface {
	// EnsureStream creates the group and stream if they do not exist.
	EnsureStream(ctx context.Context, group, stream string) error
	// PutLines appends lines with their times.
	PutLines(ctx context.Context, group, stream string, t time.Time, lines ...string) error
}

// Parameters resolves Parameter Store (and Secrets Manager) references.
type Parameters interface {
	GetParameter(ctx context.Context, name string, decrypt bool) (string, error)
}

// Metrics publishes CloudWatch metrics.
type Metrics interface {
	Publish(ctx context.Context, namespace, name string, dims map[string]string, value float64, unit string, t time.Time) error
}

// Deps are the other services a build uses; any may be nil, and a build that needs a
// missing one fails with a clear message.
type Deps struct {
	Sources    Sources
	Logs       Logs
	Parameters Parameters
	Metrics    Metrics
}

// Options configure the service; the zero value is usable.
type Options struct {
	// NewShell returns the shell for one build, started in dir with env. CodeBuild calls its
	// Run with an empty Dir and nil Env: successive Run calls must share shell state (cd,
	// exported variables), as CodeBuild 0.2 runs a build's commands in one shell. A shell
	// that is an io.Closer is closed when the build ends. Nil means a runner/shell Session:
	// real programs on this machine, with the privileges of this process.
	NewShell func(dir string, env []string) (runner.Runner, error)
	// WorkDir is where per-build working directories are made; "" means the system temp dir.
	WorkDir string
	// AccountConcurrency is the account's concurrent build limit; 0 means 60 (AWS's default).
	AccountConcurrency int
	// KeepWorkDirs keeps build directories after builds (for debugging).
	KeepWorkDirs bool
	// SkipRuntimeCheck skips checking that install.runtime-versions map onto programs
	// installed on this machine.
	SkipRuntimeCheck bool
}

// Service is CodeBuild. Safe for concurrent use.
type Service struct {
	env      *core.Env
	d        *dispatch.Dispatcher
	deps     Deps
	opts     Options
	log      *slog.Logger
	projects *store.Table[Project]
	builds   *store.Table[Build]
	counters *store.Table[int64]
	tokens   *store.Table[string]

	mu      sync.Mutex
	running map[string]*run // by build id
	active  map[string]int  // running builds per account/project
	total   map[string]int  // running builds per account
	waiters []*run
	closed  bool
	wg      sync.WaitGroup
}

// Errors callers match on.
var (
	ErrResourceNotFound      = apierr.New(apierr.NotFound, "ResourceNotFoundException", "resource not found")
	ErrResourceAlreadyExists = apierr.New(apierr.AlreadyExists, "ResourceAlreadyExistsException", "resource already exists")
	ErrInvalidInput          = apierr.New(apierr.Invalid, "InvalidInputException", "invalid input")
	ErrAccountLimitExceeded  = apierr.New(apierr.LimitExceeded, "AccountLimitExceededException", "account limit exceeded")
)

// New returns the CodeBuild service.
func New(env *core.Env, deps Deps, opts Options) (*Service, error) {
	if opts.AccountConcurrency == 0 {
		opts.AccountConcurrency = 60
	}
	if opts.WorkDir == "" {
		opts.WorkDir = os.TempDir()
	}
	return &Service{
		env:      env,
		d:        env.Dispatcher("codebuild", "codebuild.amazonaws.com"),
		deps:     deps,
		opts:     opts,
		log:      env.Log,
		projects: store.NewTable[Project](env.Store, "codebuild/project/"),
		builds:   store.NewTable[Build](env.Store, "codebuild/build/"),
		counters: store.NewTable[int64](env.Store, "codebuild/counter/"),
		tokens:   store.NewTable[string](env.Store, "codebuild/token/"),
		running:  map[string]*run{},
		active:   map[string]int{},
		total:    map[string]int{},
	}, nil
}

// Close stops every running build and waits for them to finish.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for _, r := range s.running {
		r.stop(StatusStopped)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var projectNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$`)

// projectKey is the store key of a project in the caller's scope.
func projectKey(ctx context.Context, name string) string { return core.ScopeKey(ctx) + name }

// nameFromRef accepts a project name or ARN.
func nameFromRef(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		if i := strings.LastIndex(ref, ":project/"); i >= 0 {
			return ref[i+len(":project/"):]
		}
	}
	return ref
}

func validateProject(in *CreateProjectInput, create bool) error {
	if !projectNameRE.MatchString(in.Name) {
		return ErrInvalidInput.With("Invalid project name: %q; names are 2-255 characters of letters, digits, - and _", in.Name)
	}
	if !create {
		return nil
	}
	if in.Source == nil || in.Source.Type == "" {
		return ErrInvalidInput.With("Invalid source: source type is required")
	}
	if in.Artifacts == nil || in.Artifacts.Type == "" {
		return ErrInvalidInput.With("Invalid artifacts: artifacts type is required")
	}
	if in.Environment == nil || in.Environment.Image == "" || in.Environment.Type == "" || in.Environment.ComputeType == "" {
		return ErrInvalidInput.With("Invalid environment: type, image and computeType are required")
	}
	return validateParts(in)
}

func validateParts(in *CreateProjectInput) error {
	if src := in.Source; src != nil {
		switch src.Type {
		case "CODECOMMIT", "S3":
			if src.Location == "" {
				return ErrInvalidInput.With("Invalid source location: a %s source needs a location", src.Type)
			}
		case "NO_SOURCE":
			if src.Buildspec == "" {
				return ErrInvalidInput.With("Invalid source: a NO_SOURCE project needs a buildspec")
			}
		case "CODEPIPELINE":
		case "GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET", "GITLAB", "GITLAB_SELF_MANAGED":
			return apierr.New(apierr.Unsupported, "InvalidInputException", "source type %s is not supported by devopsim; use CODECOMMIT, S3, NO_SOURCE or CODEPIPELINE", src.Type)
		default:
			return ErrInvalidInput.With("Invalid source type: %q", src.Type)
		}
	}
	if a := in.Artifacts; a != nil {
		switch a.Type {
		case "NO_ARTIFACTS", "CODEPIPELINE":
		case "S3":
			if a.Location == "" {
				return ErrInvalidInput.With("Invalid artifacts: an S3 artifact needs a location (bucket)")
			}
			if a.Packaging != "" && a.Packaging != "NONE" && a.Packaging != "ZIP" {
				return ErrInvalidInput.With("Invalid artifacts packaging: %q", a.Packaging)
			}
			if a.NamespaceType != "" && a.NamespaceType != "NONE" && a.NamespaceType != "BUILD_ID" {
				return ErrInvalidInput.With("Invalid artifacts namespaceType: %q", a.NamespaceType)
			}
		default:
			return ErrInvalidInput.With("Invalid artifacts type: %q", a.Type)
		}
	}
	if in.TimeoutInMinutes != 0 && (in.TimeoutInMinutes < 5 || in.TimeoutInMinutes > 2160) {
		return ErrInvalidInput.With("Invalid timeoutInMinutes: %d; must be between 5 and 2160", in.TimeoutInMinutes)
	}
	if in.QueuedTimeoutInMinutes != 0 && (in.QueuedTimeoutInMinutes < 5 || in.QueuedTimeoutInMinutes > 480) {
		return ErrInvalidInput.With("Invalid queuedTimeoutInMinutes: %d; must be between 5 and 480", in.QueuedTimeoutInMinutes)
	}
	if in.ConcurrentBuildLimit < 0 {
		return ErrInvalidInput.With("Invalid concurrentBuildLimit: %d", in.ConcurrentBuildLimit)
	}
	if env := in.Environment; env != nil {
		for _, v := range env.EnvironmentVariables {
			if err := validateVar(v); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateVar(v EnvironmentVariable) error {
	if v.Name == "" {
		return ErrInvalidInput.With("Invalid environment variable: name is required")
	}
	switch v.Type {
	case "", "PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER":
		return nil
	}
	return ErrInvalidInput.With("Invalid environment variable type %q for %s", v.Type, v.Name)
}

// CreateProject creates a build project.
func (s *Service) CreateProject(ctx context.Context, in *CreateProjectInput) (*CreateProjectOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateProject", in, s.createProject)
}

func (s *Service) createProject(ctx context.Context, in *CreateProjectInput) (*CreateProjectOutput, error) {
	if err := validateProject(in, true); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	p := Project{
		Name: in.Name, Arn: core.ARN(ctx, "codebuild", "project/"+in.Name), Description: in.Description,
		Source: in.Source, SecondarySources: in.SecondarySources, SourceVersion: in.SourceVersion,
		SecondarySourceVersions: in.SecondarySourceVersions, Artifacts: in.Artifacts,
		SecondaryArtifacts: in.SecondaryArtifacts, Cache: in.Cache, Environment: in.Environment,
		ServiceRole: in.ServiceRole, TimeoutInMinutes: in.TimeoutInMinutes,
		QueuedTimeoutInMinutes: in.QueuedTimeoutInMinutes, EncryptionKey: in.EncryptionKey,
		Tags: in.Tags, Created: now, LastModified: now, LogsConfig: in.LogsConfig,
		ConcurrentBuildLimit: in.ConcurrentBuildLimit, ProjectVisibility: "PRIVATE",
	}
	applyProjectDefaults(ctx, &p)
	if err := s.projects.Create(ctx, projectKey(ctx, in.Name), p); err != nil {
		if err == store.ErrExists {
			return nil, ErrResourceAlreadyExists.With("Project already exists: arn:aws:codebuild:%s", strings.TrimPrefix(p.Arn, "arn:aws:codebuild:"))
		}
		return nil, err
	}
	return &CreateProjectOutput{Project: &p}, nil
}

func applyProjectDefaults(ctx context.Context, p *Project) {
	if p.TimeoutInMinutes == 0 {
		p.TimeoutInMinutes = 60
	}
	if p.QueuedTimeoutInMinutes == 0 {
		p.QueuedTimeoutInMinutes = 480
	}
	if p.Cache == nil {
		p.Cache = &ProjectCache{Type: "NO_CACHE"}
	}
	if p.EncryptionKey == "" {
		p.EncryptionKey = core.ARN(ctx, "kms", "alias/aws/s3")
	}
	if p.LogsConfig == nil {
		p.LogsConfig = &LogsConfig{}
	}
	if p.LogsConfig.CloudWatchLogs == nil {
		p.LogsConfig.CloudWatchLogs = &CloudWatchLogsConfig{Status: "ENABLED"}
	}
	if p.LogsConfig.S3Logs == nil {
		p.LogsConfig.S3Logs = &S3LogsConfig{Status: "DISABLED"}
	}
	if a := p.Artifacts; a != nil && a.Type == "S3" {
		if a.Packaging == "" {
			a.Packaging = "NONE"
		}
		if a.NamespaceType == "" {
			a.NamespaceType = "NONE"
		}
	}
	if e := p.Environment; e != nil && e.ImagePullCredentialsType == "" {
		e.ImagePullCredentialsType = "CODEBUILD"
	}
}

// UpdateProject changes a project's settings.
func (s *Service) UpdateProject(ctx context.Context, in *UpdateProjectInput) (*UpdateProjectOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateProject", in, func(ctx context.Context, in *UpdateProjectInput) (*UpdateProjectOutput, error) {
		in.Name = nameFromRef(in.Name)
		if err := validateProject(in, false); err != nil {
			return nil, err
		}
		if err := validateParts(in); err != nil {
			return nil, err
		}
		p, err := s.projects.Update(ctx, projectKey(ctx, in.Name), func(p *Project) error {
			set(&p.Description, in.Description)
			setPtr(&p.Source, in.Source)
			setPtr(&p.Artifacts, in.Artifacts)
			setPtr(&p.Cache, in.Cache)
			setPtr(&p.Environment, in.Environment)
			setPtr(&p.LogsConfig, in.LogsConfig)
			set(&p.SourceVersion, in.SourceVersion)
			set(&p.ServiceRole, in.ServiceRole)
			set(&p.EncryptionKey, in.EncryptionKey)
			if in.SecondarySources != nil {
				p.SecondarySources = in.SecondarySources
			}
			if in.SecondarySourceVersions != nil {
				p.SecondarySourceVersions = in.SecondarySourceVersions
			}
			if in.SecondaryArtifacts != nil {
				p.SecondaryArtifacts = in.SecondaryArtifacts
			}
			if in.Tags != nil {
				p.Tags = in.Tags
			}
			if in.TimeoutInMinutes != 0 {
				p.TimeoutInMinutes = in.TimeoutInMinutes
			}
			if in.QueuedTimeoutInMinutes != 0 {
				p.QueuedTimeoutInMinutes = in.QueuedTimeoutInMinutes
			}
			if in.ConcurrentBuildLimit != 0 {
				p.ConcurrentBuildLimit = in.ConcurrentBuildLimit
			}
			p.LastModified = s.env.Clock.Now()
			applyProjectDefaults(ctx, p)
			return nil
		})
		if err == store.ErrNotFound {
			return nil, ErrResourceNotFound.With("Project cannot be found: %s", in.Name)
		}
		if err != nil {
			return nil, err
		}
		return &UpdateProjectOutput{Project: &p}, nil
	})
}

func set(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func setPtr[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// DeleteProject deletes a project (its builds stay, as on AWS).
func (s *Service) DeleteProject(ctx context.Context, in *DeleteProjectInput) (*DeleteProjectOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteProject", in, func(ctx context.Context, in *DeleteProjectInput) (*DeleteProjectOutput, error) {
		if in.Name == "" {
			return nil, ErrInvalidInput.With("Project name is required")
		}
		err := s.projects.Delete(ctx, projectKey(ctx, nameFromRef(in.Name)))
		if err != nil && err != store.ErrNotFound { // AWS answers success for a missing project
			return nil, err
		}
		return &DeleteProjectOutput{}, nil
	})
}

// BatchGetProjects returns projects by name or ARN.
func (s *Service) BatchGetProjects(ctx context.Context, in *BatchGetProjectsInput) (*BatchGetProjectsOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchGetProjects", in, func(ctx context.Context, in *BatchGetProjectsInput) (*BatchGetProjectsOutput, error) {
		if len(in.Names) == 0 || len(in.Names) > 100 {
			return nil, ErrInvalidInput.With("names must list between 1 and 100 projects")
		}
		out := &BatchGetProjectsOutput{Projects: []Project{}, ProjectsNotFound: []string{}}
		for _, n := range in.Names {
			p, err := s.projects.Get(ctx, projectKey(ctx, nameFromRef(n)))
			if err == store.ErrNotFound {
				out.ProjectsNotFound = append(out.ProjectsNotFound, n)
				continue
			}
			if err != nil {
				return nil, err
			}
			out.Projects = append(out.Projects, p)
		}
		return out, nil
	})
}

// ListProjects lists project names, 100 a page.
func (s *Service) ListProjects(ctx context.Context, in *ListProjectsInput) (*ListProjectsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListProjects", in, func(ctx context.Context, in *ListProjectsInput) (*ListProjectsOutput, error) {
		all, err := s.projects.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, err
		}
		switch in.SortBy {
		case "", "NAME":
		case "CREATED_TIME":
			slices.SortStableFunc(all, func(a, b Project) int { return a.Created.Compare(b.Created) })
		case "LAST_MODIFIED_TIME":
			slices.SortStableFunc(all, func(a, b Project) int { return a.LastModified.Compare(b.LastModified) })
		default:
			return nil, ErrInvalidInput.With("Invalid sortBy: %q", in.SortBy)
		}
		names := make([]string, len(all))
		for i, p := range all {
			names[i] = p.Name
		}
		switch in.SortOrder {
		case "", "ASCENDING":
		case "DESCENDING":
			slices.Reverse(names)
		default:
			return nil, ErrInvalidInput.With("Invalid sortOrder: %q", in.SortOrder)
		}
		page, next, err := paginate(names, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		return &ListProjectsOutput{Projects: page, NextToken: next}, nil
	})
}

// paginate returns the page of items that token (an offset; "" for the first page) starts.
func paginate[T any](items []T, token string, size int) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", ErrInvalidInput.With("Invalid next token")
		}
		start = n
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

func (s *Service) getProject(ctx context.Context, ref string) (Project, error) {
	p, err := s.projects.Get(ctx, projectKey(ctx, nameFromRef(ref)))
	if err == store.ErrNotFound {
		return p, ErrResourceNotFound.With("Project cannot be found: %s", ref)
	}
	return p, err
}

func buildKey(ctx context.Context, id string) string { return core.ScopeKey(ctx) + id }

func idFromRef(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		if i := strings.LastIndex(ref, ":build/"); i >= 0 {
			return ref[i+len(":build/"):]
		}
	}
	return ref
}

// BatchGetBuilds returns builds by id or ARN.
func (s *Service) BatchGetBuilds(ctx context.Context, in *BatchGetBuildsInput) (*BatchGetBuildsOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchGetBuilds", in, func(ctx context.Context, in *BatchGetBuildsInput) (*BatchGetBuildsOutput, error) {
		if len(in.Ids) == 0 || len(in.Ids) > 100 {
			return nil, ErrInvalidInput.With("ids must list between 1 and 100 builds")
		}
		out := &BatchGetBuildsOutput{Builds: []Build{}, BuildsNotFound: []string{}}
		for _, id := range in.Ids {
			b, err := s.builds.Get(ctx, buildKey(ctx, idFromRef(id)))
			if err == store.ErrNotFound {
				out.BuildsNotFound = append(out.BuildsNotFound, id)
				continue
			}
			if err != nil {
				return nil, err
			}
			out.Builds = append(out.Builds, b)
		}
		return out, nil
	})
}

// listBuildIDs returns build ids newest first, optionally of one project.
func (s *Service) listBuildIDs(ctx context.Context, project, order string) ([]string, error) {
	prefix := core.ScopeKey(ctx)
	if project != "" {
		prefix += project + ":"
	}
	all, err := s.builds.All(ctx, prefix)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(all, func(a, b Build) int {
		if c := b.StartTime.Compare(a.StartTime); c != 0 {
			return c
		}
		return int(b.BuildNumber - a.BuildNumber)
	})
	ids := make([]string, len(all))
	for i, b := range all {
		ids[i] = b.Id
	}
	switch order {
	case "", "DESCENDING":
	case "ASCENDING":
		slices.Reverse(ids)
	default:
		return nil, ErrInvalidInput.With("Invalid sortOrder: %q", order)
	}
	return ids, nil
}

// ListBuilds lists build ids in the account and region, newest first by default.
func (s *Service) ListBuilds(ctx context.Context, in *ListBuildsInput) (*ListBuildsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListBuilds", in, func(ctx context.Context, in *ListBuildsInput) (*ListBuildsOutput, error) {
		ids, err := s.listBuildIDs(ctx, "", in.SortOrder)
		if err != nil {
			return nil, err
		}
		page, next, err := paginate(ids, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		return &ListBuildsOutput{Ids: page, NextToken: next}, nil
	})
}

// ListBuildsForProject lists one project's build ids.
func (s *Service) ListBuildsForProject(ctx context.Context, in *ListBuildsForProjectInput) (*ListBuildsForProjectOutput, error) {
	return dispatch.Do(ctx, s.d, "ListBuildsForProject", in, func(ctx context.Context, in *ListBuildsForProjectInput) (*ListBuildsForProjectOutput, error) {
		if _, err := s.getProject(ctx, in.ProjectName); err != nil {
			return nil, err
		}
		ids, err := s.listBuildIDs(ctx, nameFromRef(in.ProjectName), in.SortOrder)
		if err != nil {
			return nil, err
		}
		page, next, err := paginate(ids, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		return &ListBuildsForProjectOutput{Ids: page, NextToken: next}, nil
	})
}

// BatchDeleteBuilds deletes finished builds.
func (s *Service) BatchDeleteBuilds(ctx context.Context, in *BatchDeleteBuildsInput) (*BatchDeleteBuildsOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchDeleteBuilds", in, func(ctx context.Context, in *BatchDeleteBuildsInput) (*BatchDeleteBuildsOutput, error) {
		if len(in.Ids) == 0 || len(in.Ids) > 100 {
			return nil, ErrInvalidInput.With("ids must list between 1 and 100 builds")
		}
		out := &BatchDeleteBuildsOutput{BuildsDeleted: []string{}, BuildsNotDeleted: []BuildNotDeleted{}}
		for _, ref := range in.Ids {
			id := idFromRef(ref)
			b, err := s.builds.Get(ctx, buildKey(ctx, id))
			switch {
			case err == store.ErrNotFound:
				out.BuildsNotDeleted = append(out.BuildsNotDeleted, BuildNotDeleted{Id: ref, StatusCode: "BUILD_NOT_FOUND"})
			case err != nil:
				return nil, err
			case !b.BuildComplete:
				out.BuildsNotDeleted = append(out.BuildsNotDeleted, BuildNotDeleted{Id: ref, StatusCode: "BUILD_IN_PROGRESS"})
			default:
				if err := s.builds.Delete(ctx, buildKey(ctx, id)); err != nil && err != store.ErrNotFound {
					return nil, err
				}
				out.BuildsDeleted = append(out.BuildsDeleted, ref)
			}
		}
		return out, nil
	})
}
