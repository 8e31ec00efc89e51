package codebuild

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/codebuild/buildspec"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/runner/shell"
	"github.com/devopsim/devopsim/store"
)

// run is one build in flight.
type run struct {
	s       *Service
	ctx     context.Context // identity scope, never cancelled by the caller
	cancel  context.CancelFunc
	runCtx  context.Context // cancelled by StopBuild, timeouts and Close
	key     string
	scope   string // account/region/
	project Project
	in      StartBuildInput
	b       Build
	mu      sync.Mutex
	stopped string // STOPPED or TIMED_OUT once stopped
	admit   chan struct{}
	done    chan struct{} // closed when the build is complete

	workDir, srcDir string
	shell           runner.Runner
	env             []string // KEY=VALUE for commands
	logGroup        string
	logStream       string
	logMu           sync.Mutex
	logBuf          []string // the whole log, for S3 logs
	spec            *buildspec.Spec
	phaseOK         bool
}

func (r *run) stop(status string) {
	r.mu.Lock()
	if r.stopped == "" {
		r.stopped = status
	}
	r.mu.Unlock()
	r.cancel()
}

func (r *run) stopStatus() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}

// StartBuild starts a build of a project; it runs in the background.
func (s *Service) StartBuild(ctx context.Context, in *StartBuildInput) (*StartBuildOutput, error) {
	return dispatch.Do(ctx, s.d, "StartBuild", in, s.startBuild)
}

func (s *Service) startBuild(ctx context.Context, in *StartBuildInput) (*StartBuildOutput, error) {
	if in.ProjectName == "" {
		return nil, ErrInvalidInput.With("Project name is required")
	}
	p, err := s.getProject(ctx, in.ProjectName)
	if err != nil {
		return nil, err
	}
	if in.TimeoutInMinutesOverride != 0 && (in.TimeoutInMinutesOverride < 5 || in.TimeoutInMinutesOverride > 2160) {
		return nil, ErrInvalidInput.With("Invalid timeoutInMinutesOverride: %d; must be between 5 and 2160", in.TimeoutInMinutesOverride)
	}
	for _, v := range in.EnvironmentVariablesOverride {
		if err := validateVar(v); err != nil {
			return nil, err
		}
	}
	if in.IdempotencyToken != "" {
		tk := core.ScopeKey(ctx) + "start/" + in.IdempotencyToken
		if id, err := s.tokens.Get(ctx, tk); err == nil {
			b, err := s.builds.Get(ctx, buildKey(ctx, id))
			if err == nil {
				return &StartBuildOutput{Build: &b}, nil
			}
		}
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, apierr.New(apierr.Internal, "InternalFailure", "the CodeBuild service is shutting down")
	}

	num, err := s.nextBuildNumber(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	id := p.Name + ":" + uuid.NewString()
	now := s.env.Clock.Now()
	caller, _ := identity.From(ctx)
	b := Build{
		Id: id, Arn: core.ARN(ctx, "codebuild", "build/"+id), BuildNumber: num, StartTime: now,
		CurrentPhase: PhaseQueued, BuildStatus: StatusInProgress, ProjectName: p.Name,
		SourceVersion: firstNonEmpty(in.SourceVersion, p.SourceVersion), Source: mergeSource(p, in),
		SecondarySources: p.SecondarySources, SecondarySourceVersions: p.SecondarySourceVersions,
		Environment: mergeEnvironment(p, in), ServiceRole: firstNonEmpty(in.ServiceRoleOverride, p.ServiceRole),
		TimeoutInMinutes: p.TimeoutInMinutes, QueuedTimeoutInMinutes: p.QueuedTimeoutInMinutes,
		Cache: p.Cache, EncryptionKey: p.EncryptionKey, Initiator: initiator(caller),
		Phases: []BuildPhase{{PhaseType: PhaseSubmitted, PhaseStatus: StatusSucceeded, StartTime: now, EndTime: now}},
	}
	if in.SecondarySourcesVersionOverride != nil {
		b.SecondarySourceVersions = in.SecondarySourcesVersionOverride
	}
	if in.TimeoutInMinutesOverride != 0 {
		b.TimeoutInMinutes = in.TimeoutInMinutesOverride
	}
	if in.QueuedTimeoutInMinutesOverride != 0 {
		b.QueuedTimeoutInMinutes = in.QueuedTimeoutInMinutesOverride
	}
	if in.CacheOverride != nil {
		b.Cache = in.CacheOverride
	}
	b.Phases = append(b.Phases, BuildPhase{PhaseType: PhaseQueued, StartTime: now})
	logs := p.LogsConfig
	if in.LogsConfigOverride != nil {
		logs = in.LogsConfigOverride
	}
	r := &run{s: s, key: buildKey(ctx, id), scope: core.ScopeKey(ctx), project: p, in: *in, b: b, admit: make(chan struct{}), done: make(chan struct{})}
	if logs != nil && logs.S3Logs != nil && logs.S3Logs.Status == "ENABLED" {
		r.b.Logs = &LogsLocation{S3Logs: logs.S3Logs, CloudWatchLogs: logs.CloudWatchLogs}
	}
	if logs != nil && logs.CloudWatchLogs != nil && logs.CloudWatchLogs.Status != "DISABLED" {
		r.logGroup = firstNonEmpty(logs.CloudWatchLogs.GroupName, "/aws/codebuild/"+p.Name)
		r.logStream = strings.TrimPrefix(id, p.Name+":")
		if logs.CloudWatchLogs.StreamName != "" {
			r.logStream = logs.CloudWatchLogs.StreamName + "/" + r.logStream
		}
		_, region := core.Scope(ctx)
		r.b.Logs = &LogsLocation{
			GroupName: r.logGroup, StreamName: r.logStream, CloudWatchLogs: logs.CloudWatchLogs, S3Logs: logs.S3Logs,
			DeepLink:          fmt.Sprintf("https://console.aws.amazon.com/cloudwatch/home?region=%s#logEvent:group=%s;stream=%s", region, r.logGroup, r.logStream),
			CloudWatchLogsArn: core.ARN(ctx, "logs", "log-group:"+r.logGroup+":log-stream:"+r.logStream),
		}
	}
	if err := s.builds.Create(ctx, r.key, r.b); err != nil {
		return nil, err
	}
	if in.IdempotencyToken != "" {
		_ = s.tokens.Put(ctx, core.ScopeKey(ctx)+"start/"+in.IdempotencyToken, id)
	}
	r.ctx = identity.With(context.WithoutCancel(ctx), caller)
	r.runCtx, r.cancel = context.WithCancel(r.ctx)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		r.cancel()
		return nil, apierr.New(apierr.Internal, "InternalFailure", "the CodeBuild service is shutting down")
	}
	s.running[id] = r
	s.wg.Add(1)
	s.mu.Unlock()
	out := r.b
	out.Phases = slices.Clone(r.b.Phases)
	go r.execute()
	return &StartBuildOutput{Build: &out}, nil
}

func initiator(c identity.Caller) string {
	if c.InvokedBy != "" {
		return strings.TrimSuffix(c.InvokedBy, ".amazonaws.com")
	}
	if c.Type == "Root" {
		return "root"
	}
	if i := strings.LastIndexByte(c.PrincipalARN, '/'); i >= 0 {
		return c.PrincipalARN[i+1:]
	}
	return c.PrincipalARN
}

func (s *Service) nextBuildNumber(ctx context.Context, project string) (int64, error) {
	key := core.ScopeKey(ctx) + project
	for {
		n, err := s.counters.Update(ctx, key, func(n *int64) error { *n++; return nil })
		if err == nil {
			return n, nil
		}
		if err != store.ErrNotFound {
			return 0, err
		}
		if err := s.counters.Create(ctx, key, 1); err == nil {
			return 1, nil
		} else if err != store.ErrExists {
			return 0, err
		}
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func mergeSource(p Project, in *StartBuildInput) *ProjectSource {
	src := ProjectSource{}
	if p.Source != nil {
		src = *p.Source
	}
	if in.SourceTypeOverride != "" {
		src.Type = in.SourceTypeOverride
	}
	if in.SourceLocationOverride != "" {
		src.Location = in.SourceLocationOverride
	}
	if in.BuildspecOverride != "" {
		src.Buildspec = in.BuildspecOverride
	}
	if in.GitCloneDepthOverride != nil {
		src.GitCloneDepth = *in.GitCloneDepthOverride
	}
	return &src
}

func mergeEnvironment(p Project, in *StartBuildInput) *ProjectEnvironment {
	env := ProjectEnvironment{}
	if p.Environment != nil {
		env = *p.Environment
		env.EnvironmentVariables = append([]EnvironmentVariable(nil), p.Environment.EnvironmentVariables...)
	}
	if in.ImageOverride != "" {
		env.Image = in.ImageOverride
	}
	if in.EnvironmentTypeOverride != "" {
		env.Type = in.EnvironmentTypeOverride
	}
	if in.ComputeTypeOverride != "" {
		env.ComputeType = in.ComputeTypeOverride
	}
	if in.PrivilegedModeOverride != nil {
		env.PrivilegedMode = *in.PrivilegedModeOverride
	}
	for _, o := range in.EnvironmentVariablesOverride {
		replaced := false
		for i := range env.EnvironmentVariables {
			if env.EnvironmentVariables[i].Name == o.Name {
				env.EnvironmentVariables[i] = o
				replaced = true
			}
		}
		if !replaced {
			env.EnvironmentVariables = append(env.EnvironmentVariables, o)
		}
	}
	return &env
}

// StopBuild stops a running build; it ends STOPPED.
func (s *Service) StopBuild(ctx context.Context, in *StopBuildInput) (*StopBuildOutput, error) {
	return dispatch.Do(ctx, s.d, "StopBuild", in, func(ctx context.Context, in *StopBuildInput) (*StopBuildOutput, error) {
		id := idFromRef(in.Id)
		b, err := s.builds.Get(ctx, buildKey(ctx, id))
		if err == store.ErrNotFound {
			return nil, ErrResourceNotFound.With("Build %s does not exist", in.Id)
		}
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		r := s.running[id]
		s.mu.Unlock()
		if r != nil && r.scope == core.ScopeKey(ctx) {
			r.stop(StatusStopped)
			// AWS answers with the build as it is while it stops.
			b.BuildStatus = StatusInProgress
		}
		return &StopBuildOutput{Build: &b}, nil
	})
}

// RetryBuild starts a new build with the settings of an earlier one.
func (s *Service) RetryBuild(ctx context.Context, in *RetryBuildInput) (*RetryBuildOutput, error) {
	return dispatch.Do(ctx, s.d, "RetryBuild", in, func(ctx context.Context, in *RetryBuildInput) (*RetryBuildOutput, error) {
		b, err := s.builds.Get(ctx, buildKey(ctx, idFromRef(in.Id)))
		if err == store.ErrNotFound {
			return nil, ErrResourceNotFound.With("Build %s does not exist", in.Id)
		}
		if err != nil {
			return nil, err
		}
		start := &StartBuildInput{ProjectName: b.ProjectName, SourceVersion: b.SourceVersion, IdempotencyToken: in.IdempotencyToken}
		if b.Source != nil {
			start.SourceTypeOverride, start.SourceLocationOverride, start.BuildspecOverride = b.Source.Type, b.Source.Location, b.Source.Buildspec
		}
		if b.Environment != nil {
			start.EnvironmentVariablesOverride = b.Environment.EnvironmentVariables
			start.ImageOverride = b.Environment.Image
		}
		start.TimeoutInMinutesOverride = b.TimeoutInMinutes
		return s.startBuild(ctx, start)
	})
}

// Wait blocks until the build with id (or ARN) is complete, or ctx is done, and returns it.
// It is a Go convenience, not an AWS operation.
func (s *Service) Wait(ctx context.Context, id string) (Build, error) {
	id = idFromRef(id)
	s.mu.Lock()
	r := s.running[id]
	s.mu.Unlock()
	if r != nil {
		select {
		case <-r.done:
		case <-ctx.Done():
			return Build{}, ctx.Err()
		}
	}
	// Read the store, not BatchGetBuilds: waiting is not an API call and must not be audited.
	ctx, _ = s.d.WithCaller(ctx)
	b, err := s.builds.Get(ctx, buildKey(ctx, id))
	if err == store.ErrNotFound {
		return Build{}, ErrResourceNotFound.With("Build %s does not exist", id)
	}
	return b, err
}

// ---- execution ----

func (r *run) save() {
	b := r.b
	if err := r.s.builds.Put(r.ctx, r.key, b); err != nil {
		r.s.log.Error("codebuild: saving build", "id", b.Id, "err", err)
	}
}

func (r *run) now() time.Time { return r.s.env.Clock.Now() }

// logLine writes a line to the build's log stream.
func (r *run) logLine(line string) {
	if r.b.Logs != nil && r.b.Logs.S3Logs != nil && r.b.Logs.S3Logs.Status == "ENABLED" {
		r.logMu.Lock()
		r.logBuf = append(r.logBuf, line)
		r.logMu.Unlock()
	}
	if r.logGroup == "" || r.s.deps.Logs == nil {
		return
	}
	if err := r.s.deps.Logs.PutLines(r.ctx, r.logGroup, r.logStream, r.now(), line); err != nil {
		r.s.log.Warn("codebuild: writing log", "id", r.b.Id, "err", err)
	}
}

func (r *run) containerLog(format string, args ...any) {
	r.logLine(fmt.Sprintf("[Container] %s %s", r.now().UTC().Format("2006/01/02 15:04:05.000000"), fmt.Sprintf(format, args...)))
}

// finishPhase closes the current (last) phase.
func (r *run) finishPhase(status string, contexts ...PhaseContext) {
	ph := &r.b.Phases[len(r.b.Phases)-1]
	ph.EndTime = r.now()
	ph.PhaseStatus = status
	ph.DurationInSeconds = int64(ph.EndTime.Sub(ph.StartTime) / time.Second)
	ph.Contexts = contexts
	r.save()
	ctxs := make([]string, len(contexts))
	for i, c := range contexts {
		ctxs[i] = c.StatusCode + ": " + c.Message
	}
	r.event("CodeBuild Build Phase Change", map[string]any{
		"completed-phase":                  ph.PhaseType,
		"completed-phase-status":           status,
		"completed-phase-duration-seconds": ph.DurationInSeconds,
		"completed-phase-start":            ph.StartTime.UTC().Format("Jan 2, 2006 3:04:05 PM"),
		"completed-phase-end":              ph.EndTime.UTC().Format("Jan 2, 2006 3:04:05 PM"),
		"completed-phase-context":          "[" + strings.Join(ctxs, ", ") + "]",
		"project-name":                     r.b.ProjectName,
		"build-id":                         r.b.Arn,
		"additional-information":           r.additional(),
		"version":                          "1",
	})
}

func (r *run) startPhase(name string) {
	r.b.CurrentPhase = name
	r.b.Phases = append(r.b.Phases, BuildPhase{PhaseType: name, StartTime: r.now()})
	r.save()
}

func (r *run) additional() map[string]any {
	info := map[string]any{
		"build-complete":     r.b.BuildComplete,
		"initiator":          r.b.Initiator,
		"build-start-time":   r.b.StartTime.UTC().Format("Jan 2, 2006 3:04:05 PM"),
		"timeout-in-minutes": r.b.TimeoutInMinutes,
		"build-number":       r.b.BuildNumber,
	}
	if r.b.Logs != nil {
		info["logs"] = map[string]string{"group-name": r.b.Logs.GroupName, "stream-name": r.b.Logs.StreamName, "deep-link": r.b.Logs.DeepLink}
	}
	if r.b.Source != nil {
		info["source"] = map[string]string{"type": r.b.Source.Type, "location": r.b.Source.Location}
	}
	if r.b.ResolvedSourceVersion != "" {
		info["source-version"] = r.b.ResolvedSourceVersion
	}
	return info
}

func (r *run) event(detailType string, detail map[string]any) {
	raw, err := json.Marshal(detail)
	if err != nil {
		return
	}
	account, region := core.Scope(r.ctx)
	r.s.env.Events.Publish(r.ctx, eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: detailType, Source: "aws.codebuild",
		Account: account, Time: r.now().UTC(), Region: region,
		Resources: []string{r.b.Arn}, Detail: raw,
	})
}

func (r *run) stateEvent() {
	r.event("CodeBuild Build State Change", map[string]any{
		"build-status":           r.b.BuildStatus,
		"project-name":           r.b.ProjectName,
		"build-id":               r.b.Arn,
		"current-phase":          r.b.CurrentPhase,
		"current-phase-context":  "[]",
		"additional-information": r.additional(),
		"version":                "1",
	})
}

func (r *run) execute() {
	s := r.s
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.running, r.b.Id)
		s.mu.Unlock()
		r.cancel()
		close(r.done)
	}()
	r.stateEvent()

	// QUEUED: wait for a slot.
	if !s.waitAdmission(r) {
		status := r.stopStatus()
		if status == "" {
			status = StatusTimedOut
		}
		r.finishPhase(status)
		r.complete(status)
		return
	}
	defer s.release(r)
	r.finishPhase(StatusSucceeded)

	timeout := time.Duration(r.b.TimeoutInMinutes) * time.Minute
	timer := s.env.Clock.AfterFunc(timeout, func() { r.stop(StatusTimedOut) })
	defer timer.Stop()

	status := r.runPhases()
	r.complete(status)
}

// complete runs FINALIZING and COMPLETED and records the outcome.
func (r *run) complete(status string) {
	if stopped := r.stopStatus(); stopped != "" {
		status = stopped
	}
	r.startPhase(PhaseFinalizing)
	if c, ok := r.shell.(io.Closer); ok {
		_ = c.Close()
	}
	if r.workDir != "" && !r.s.opts.KeepWorkDirs {
		if err := os.RemoveAll(r.workDir); err != nil {
			r.s.log.Warn("codebuild: removing work dir", "dir", r.workDir, "err", err)
		}
	}
	r.uploadS3Logs()
	r.finishPhase(StatusSucceeded)
	r.b.CurrentPhase = PhaseCompleted
	r.b.Phases = append(r.b.Phases, BuildPhase{PhaseType: PhaseCompleted, StartTime: r.now()})
	r.b.BuildStatus = status
	r.b.BuildComplete = true
	r.b.EndTime = r.now()
	r.save()
	r.stateEvent()
	r.publishMetrics()
}

func (r *run) publishMetrics() {
	if r.s.deps.Metrics == nil {
		return
	}
	publish := func(ctx context.Context, ns, name string, dims map[string]string, v float64, unit string, t time.Time) {
		if err := r.s.deps.Metrics.Publish(ctx, ns, name, dims, v, unit, t); err != nil {
			r.s.log.Warn("codebuild: publishing metric", "name", name, "err", err)
		}
	}
	dims := map[string]string{"ProjectName": r.b.ProjectName}
	t := r.b.EndTime
	ctx := r.ctx
	for _, d := range []map[string]string{dims, nil} {
		publish(ctx, "AWS/CodeBuild", "Builds", d, 1, "Count", t)
		if r.b.BuildStatus == StatusSucceeded {
			publish(ctx, "AWS/CodeBuild", "SucceededBuilds", d, 1, "Count", t)
		} else {
			publish(ctx, "AWS/CodeBuild", "FailedBuilds", d, 1, "Count", t)
		}
		publish(ctx, "AWS/CodeBuild", "Duration", d, r.b.EndTime.Sub(r.b.StartTime).Seconds(), "Seconds", t)
		for _, ph := range r.b.Phases {
			switch ph.PhaseType {
			case PhaseQueued:
				publish(ctx, "AWS/CodeBuild", "QueuedDuration", d, ph.EndTime.Sub(ph.StartTime).Seconds(), "Seconds", t)
			case PhaseBuild:
				publish(ctx, "AWS/CodeBuild", "BuildDuration", d, ph.EndTime.Sub(ph.StartTime).Seconds(), "Seconds", t)
			}
		}
	}
}

// waitAdmission blocks in QUEUED until the project's and account's limits admit the build.
func (s *Service) waitAdmission(r *run) bool {
	s.mu.Lock()
	s.waiters = append(s.waiters, r)
	s.admitLocked()
	s.mu.Unlock()
	qt := time.Duration(r.b.QueuedTimeoutInMinutes) * time.Minute
	timer := s.env.Clock.NewTimer(qt)
	defer timer.Stop()
	select {
	case <-r.admit:
		return true
	case <-timer.C():
	case <-r.runCtx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-r.admit: // admitted just now: give the slot back
		s.releaseLocked(r)
	default:
		for i, w := range s.waiters {
			if w == r {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				break
			}
		}
	}
	return false
}

func (r *run) account() string { return strings.SplitN(r.scope, "/", 2)[0] }

func (s *Service) admitLocked() {
	rest := s.waiters[:0]
	for _, w := range s.waiters {
		pk := w.scope + w.project.Name
		limit := int(w.project.ConcurrentBuildLimit)
		if s.total[w.account()] < s.opts.AccountConcurrency && (limit == 0 || s.active[pk] < limit) {
			s.total[w.account()]++
			s.active[pk]++
			close(w.admit)
			continue
		}
		rest = append(rest, w)
	}
	s.waiters = rest
}

func (s *Service) releaseLocked(r *run) {
	s.total[r.account()]--
	s.active[r.scope+r.project.Name]--
	s.admitLocked()
}

func (s *Service) release(r *run) {
	s.mu.Lock()
	s.releaseLocked(r)
	s.mu.Unlock()
}

// runPhases runs PROVISIONING through UPLOAD_ARTIFACTS and returns the build status.
func (r *run) runPhases() string {
	// PROVISIONING: the working directory and the environment.
	r.startPhase(PhaseProvisioning)
	r.b.BuildStatus = StatusInProgress
	if c, ok := r.provision(); !ok {
		r.finishPhase(r.failStatus(), c)
		return StatusFault
	}
	r.finishPhase(StatusSucceeded)

	// DOWNLOAD_SOURCE: the source and the buildspec.
	r.startPhase(PhaseDownloadSource)
	if c, ok := r.downloadSource(); !ok {
		r.finishPhase(r.failStatus(), c)
		return StatusFailed
	}
	if c, ok := r.fetchSecondarySources(); !ok {
		r.finishPhase(r.failStatus(), c)
		return StatusFailed
	}
	r.finishPhase(StatusSucceeded)
	r.restoreCache()

	if err := r.startShell(); err != nil {
		r.startPhase(PhaseInstall)
		r.finishPhase(StatusFailed, PhaseContext{StatusCode: "CLIENT_ERROR", Message: "could not start the build shell: " + err.Error()})
		return StatusFault
	}
	succeeding := true
	for _, ph := range []struct {
		name  string
		phase *buildspec.Phase
	}{
		{PhaseInstall, r.spec.Phases.Install},
		{PhasePreBuild, r.spec.Phases.PreBuild},
		{PhaseBuild, r.spec.Phases.Build},
		{PhasePostBuild, r.spec.Phases.PostBuild},
	} {
		if r.stopStatus() != "" {
			return r.stopStatus()
		}
		// After a failed INSTALL or PRE_BUILD only FINALIZING runs; after a failed BUILD,
		// POST_BUILD still runs (with CODEBUILD_BUILD_SUCCEEDING=0).
		if !succeeding && ph.name != PhasePostBuild {
			continue
		}
		r.startPhase(ph.name)
		if ph.name == PhasePostBuild && !succeeding && ph.phase != nil {
			r.runScript("export CODEBUILD_BUILD_SUCCEEDING=0", nil)
		}
		c, ok := r.runPhase(ph.name, ph.phase)
		if ok {
			r.finishPhase(StatusSucceeded)
			continue
		}
		r.finishPhase(r.failStatus(), c)
		if r.stopStatus() != "" {
			return r.stopStatus()
		}
		if ph.phase != nil && ph.phase.OnFailure == "CONTINUE" {
			succeeding = false
			continue
		}
		if ph.name == PhaseInstall || ph.name == PhasePreBuild {
			return StatusFailed
		}
		succeeding = false
	}
	r.exportVariables()
	r.processReports()
	if succeeding {
		r.saveCache()
	}

	// UPLOAD_ARTIFACTS is always attempted once BUILD ran.
	r.startPhase(PhaseUploadArtifacts)
	if c, ok := r.uploadArtifacts(); !ok {
		r.finishPhase(r.failStatus(), c)
		return StatusFailed
	}
	r.finishPhase(StatusSucceeded)
	if !succeeding {
		return StatusFailed
	}
	return StatusSucceeded
}

func (r *run) failStatus() string {
	if s := r.stopStatus(); s != "" {
		return s
	}
	return StatusFailed
}

func (r *run) provision() (PhaseContext, bool) {
	dir, err := os.MkdirTemp(r.s.opts.WorkDir, "codebuild-")
	if err != nil {
		return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "could not create the build directory: " + err.Error()}, false
	}
	r.workDir = dir
	r.srcDir = filepath.Join(dir, "src")
	if err := os.MkdirAll(r.srcDir, 0o755); err != nil {
		return PhaseContext{StatusCode: "CLIENT_ERROR", Message: err.Error()}, false
	}
	if r.logGroup != "" && r.s.deps.Logs != nil {
		if err := r.s.deps.Logs.EnsureStream(r.ctx, r.logGroup, r.logStream); err != nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "could not create the log stream: " + err.Error()}, false
		}
	}
	_, region := core.Scope(r.ctx)
	image := ""
	if r.b.Environment != nil {
		image = r.b.Environment.Image
	}
	r.env = []string{
		"HOME=" + firstNonEmpty(os.Getenv("HOME"), r.workDir),
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"CODEBUILD_BUILD_ID=" + r.b.Id,
		"CODEBUILD_BUILD_ARN=" + r.b.Arn,
		"CODEBUILD_BUILD_NUMBER=" + strconv.FormatInt(r.b.BuildNumber, 10),
		"CODEBUILD_BUILD_IMAGE=" + image,
		"CODEBUILD_BUILD_SUCCEEDING=1",
		"CODEBUILD_INITIATOR=" + r.b.Initiator,
		"CODEBUILD_KMS_KEY_ID=" + r.b.EncryptionKey,
		"CODEBUILD_LOG_PATH=" + r.logStream,
		"CODEBUILD_SOURCE_VERSION=" + r.b.SourceVersion,
		"CODEBUILD_SRC_DIR=" + r.srcDir,
		"CODEBUILD_START_TIME=" + strconv.FormatInt(r.b.StartTime.UnixMilli(), 10),
	}
	if r.b.Source != nil {
		r.env = append(r.env, "CODEBUILD_SOURCE_REPO_URL="+r.b.Source.Location)
	}
	if r.b.Environment != nil {
		for _, v := range r.b.Environment.EnvironmentVariables {
			val, err := r.resolveVar(v.Type, v.Value)
			if err != nil {
				return PhaseContext{StatusCode: "Decrypted Variables Error", Message: err.Error()}, false
			}
			r.env = append(r.env, v.Name+"="+val)
		}
	}
	r.containerLog("Waiting for agent ping")
	r.containerLog("Waiting for DOWNLOAD_SOURCE")
	return PhaseContext{}, true
}

// startShell starts the build's shell in the source directory with the build's environment.
func (r *run) startShell() error {
	newShell := r.s.opts.NewShell
	if newShell == nil {
		sh := shell.New(shell.Options{Clock: r.s.env.Clock})
		newShell = func(dir string, env []string) (runner.Runner, error) { return sh.NewSession(dir, env) }
	}
	sh, err := newShell(r.srcDir, r.env)
	if err != nil {
		return err
	}
	r.shell = sh
	return nil
}

func (r *run) resolveVar(typ, value string) (string, error) {
	switch typ {
	case "", "PLAINTEXT":
		return value, nil
	case "PARAMETER_STORE", "SECRETS_MANAGER":
		if r.s.deps.Parameters == nil {
			return "", fmt.Errorf("%s variables need Parameter Store, which is not available", typ)
		}
		name := value
		if typ == "SECRETS_MANAGER" {
			name, _, _ = strings.Cut(value, ":")
		}
		v, err := r.s.deps.Parameters.GetParameter(r.ctx, name, true)
		if err != nil {
			if typ == "SECRETS_MANAGER" {
				return "", fmt.Errorf("Secrets Manager secret %s could not be resolved: %v", name, err)
			}
			return "", fmt.Errorf("parameter does not exist: %s", name)
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown environment variable type %s", typ)
}

func (r *run) downloadSource() (PhaseContext, bool) {
	src := r.b.Source
	buildspecText := ""
	switch src.Type {
	case "NO_SOURCE":
		buildspecText = src.Buildspec
	case "CODECOMMIT":
		if r.s.deps.Sources == nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "CodeCommit sources are not available"}, false
		}
		data, commit, err := r.s.deps.Sources.FetchCodeCommit(r.runCtx, src.Location, r.b.SourceVersion)
		if err != nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "repository not found or reference not resolved: " + err.Error()}, false
		}
		if err := unzipInto(data, r.srcDir); err != nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: err.Error()}, false
		}
		r.b.ResolvedSourceVersion = commit
		r.env = append(r.env, "CODEBUILD_RESOLVED_SOURCE_VERSION="+commit)
	case "S3", "CODEPIPELINE":
		if err := r.fetchS3Source(src.Location); err != nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: err.Error()}, false
		}
	default:
		return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "unsupported source type " + src.Type}, false
	}
	if buildspecText == "" {
		name := firstNonEmpty(src.Buildspec, "buildspec.yml")
		if strings.HasPrefix(name, "arn:aws:s3:::") {
			bucket, key, _ := strings.Cut(strings.TrimPrefix(name, "arn:aws:s3:::"), "/")
			data, err := r.s.env.Objects.GetObject(r.ctx, bucket, key)
			if err != nil {
				return PhaseContext{StatusCode: "YAML_FILE_ERROR", Message: "buildspec " + name + " could not be read: " + err.Error()}, false
			}
			buildspecText = string(data)
		} else if strings.Contains(name, "\n") || strings.HasPrefix(strings.TrimSpace(name), "version") {
			buildspecText = name
		} else {
			data, err := os.ReadFile(filepath.Join(r.srcDir, filepath.FromSlash(name)))
			if err != nil {
				return PhaseContext{StatusCode: "YAML_FILE_ERROR", Message: "stat " + filepath.Join(r.srcDir, name) + ": no such file or directory"}, false
			}
			buildspecText = string(data)
		}
	}
	spec, err := buildspec.Parse([]byte(buildspecText))
	if err != nil {
		var be *buildspec.Error
		msg := err.Error()
		if errors.As(err, &be) {
			msg = be.Msg
		}
		return PhaseContext{StatusCode: "YAML_FILE_ERROR", Message: msg}, false
	}
	r.spec = spec
	for _, v := range spec.Env.Variables {
		r.env = append(r.env, v.Name+"="+v.Value)
	}
	for _, v := range spec.Env.ParameterStore {
		val, err := r.resolveVar("PARAMETER_STORE", v.Value)
		if err != nil {
			return PhaseContext{StatusCode: "Decrypted Variables Error", Message: err.Error()}, false
		}
		r.env = append(r.env, v.Name+"="+val)
	}
	for _, v := range spec.Env.SecretsManager {
		val, err := r.resolveVar("SECRETS_MANAGER", v.Value)
		if err != nil {
			return PhaseContext{StatusCode: "Decrypted Variables Error", Message: err.Error()}, false
		}
		r.env = append(r.env, v.Name+"="+val)
	}
	r.containerLog("CODEBUILD_SRC_DIR=%s", r.srcDir)
	r.containerLog("YAML location is %s", firstNonEmpty(src.Buildspec, "buildspec.yml"))
	r.containerLog("Processing environment variables")
	return PhaseContext{}, true
}

// runPhase runs one buildspec phase's commands and finally block.
func (r *run) runPhase(name string, ph *buildspec.Phase) (PhaseContext, bool) {
	r.containerLog("Entering phase %s", name)
	ctxOut := PhaseContext{}
	ok := true
	if ph != nil {
		if name == PhaseInstall {
			if c, good := r.checkRuntimes(ph.RuntimeVersions); !good {
				ctxOut, ok = c, false
			}
		}
		if ok {
			for _, cmd := range ph.Commands {
				if c, good := r.command(cmd); !good {
					ctxOut, ok = c, false
					break
				}
			}
		}
		for _, cmd := range ph.Finally {
			if r.stopStatus() != "" {
				break
			}
			if c, good := r.command(cmd); !good && ok {
				ctxOut, ok = c, false
			}
		}
	}
	state := "SUCCEEDED"
	if !ok {
		state = "FAILED"
	}
	r.containerLog("Phase complete: %s State: %s", name, state)
	if !ok {
		r.containerLog("Phase context status code: %s Message: %s", ctxOut.StatusCode, ctxOut.Message)
	}
	return ctxOut, ok
}

func (r *run) command(cmd string) (PhaseContext, bool) {
	r.containerLog("Running command %s", cmd)
	res, err := r.runScript(cmd, r.logWriter())
	if err != nil {
		if stopped := r.stopStatus(); stopped != "" {
			return PhaseContext{StatusCode: "COMMAND_EXECUTION_ERROR", Message: "Error while executing command: " + cmd + ". Reason: build " + strings.ToLower(stopped)}, false
		}
		return PhaseContext{StatusCode: "COMMAND_EXECUTION_ERROR", Message: "Error while executing command: " + cmd + ". Reason: " + err.Error()}, false
	}
	if res.ExitCode != 0 {
		r.containerLog("Command did not exit successfully %s exit status %d", cmd, res.ExitCode)
		return PhaseContext{StatusCode: "COMMAND_EXECUTION_ERROR", Message: fmt.Sprintf("Error while executing command: %s. Reason: exit status %d", cmd, res.ExitCode)}, false
	}
	return PhaseContext{}, true
}

func (r *run) logWriter() *runner.LineWriter { return runner.NewLineWriter(r.logLine) }

func (r *run) runScript(script string, w *runner.LineWriter) (runner.Result, error) {
	c := &runner.Command{Script: script}
	if w != nil {
		c.Stdout, c.Stderr = w, w
		defer w.Flush()
	}
	return r.shell.Run(r.runCtx, c)
}

// exportVariables reads the buildspec's exported variables out of the build's shell.
func (r *run) exportVariables() {
	if r.spec == nil || len(r.spec.Env.ExportedVariables) == 0 {
		return
	}
	var out []ExportedEnvironmentVariable
	for _, name := range r.spec.Env.ExportedVariables {
		if !varNameRE.MatchString(name) {
			continue
		}
		var buf strings.Builder
		w := runner.NewLineWriter(func(line string) {
			if buf.Len() > 0 {
				buf.WriteByte('\n')
			}
			buf.WriteString(line)
		})
		res, err := r.shell.Run(r.ctx, &runner.Command{Script: `printf '%s' "${` + name + `-}"`, Stdout: w})
		w.Flush()
		if err != nil || res.ExitCode != 0 {
			continue
		}
		out = append(out, ExportedEnvironmentVariable{Name: name, Value: buf.String()})
	}
	r.b.ExportedEnvironmentVariables = out
}
