package codepipeline

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
)

var (
	errAbandoned     = errors.New("action abandoned")
	errActionTimeout = errors.New("action timed out")
)

// pipeRT is the in-memory runtime of one pipeline: which execution holds each stage, who
// waits at each inbound transition, which transitions are disabled, which executions run.
type pipeRT struct {
	stateMu  sync.Mutex // serializes writes of the pipeline's state record
	mu       sync.Mutex
	changed  chan struct{}
	disabled map[string]TransitionState
	occupant map[string]string
	waiting  map[string][]*run
	runs     map[string]*run
}

func (rt *pipeRT) broadcastLocked() {
	close(rt.changed)
	rt.changed = make(chan struct{})
}

func (s *Service) runtime(ctx context.Context, name string) (*pipeRT, error) {
	k := pipeKey(ctx, name)
	s.mu.Lock()
	rt := s.rts[k]
	s.mu.Unlock()
	if rt != nil {
		return rt, nil
	}
	rec, err := s.getPipeline(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt := s.rts[k]; rt != nil {
		return rt, nil
	}
	rt = &pipeRT{changed: make(chan struct{}), disabled: copyTransitions(rec.Transitions), occupant: map[string]string{}, waiting: map[string][]*run{}, runs: map[string]*run{}}
	s.rts[k] = rt
	return rt, nil
}

func copyTransitions(m map[string]TransitionState) map[string]TransitionState {
	out := make(map[string]TransitionState, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// refreshRuntime takes the transitions of a changed pipeline record and wakes waiters.
func (s *Service) refreshRuntime(ctx context.Context, rec pipelineRec) {
	s.mu.Lock()
	rt := s.rts[pipeKey(ctx, rec.Decl.Name)]
	s.mu.Unlock()
	if rt == nil {
		return
	}
	rt.mu.Lock()
	rt.disabled = copyTransitions(rec.Transitions)
	rt.broadcastLocked()
	rt.mu.Unlock()
}

func (s *Service) dropRuntime(ctx context.Context, name string) {
	s.mu.Lock()
	delete(s.rts, pipeKey(ctx, name))
	s.mu.Unlock()
}

// abandonAll stops every running execution of a pipeline at once (DeletePipeline).
func (s *Service) abandonAll(ctx context.Context, name string) {
	s.mu.Lock()
	rt := s.rts[pipeKey(ctx, name)]
	s.mu.Unlock()
	if rt == nil {
		return
	}
	rt.mu.Lock()
	runs := make([]*run, 0, len(rt.runs))
	for _, r := range rt.runs {
		runs = append(runs, r)
	}
	rt.mu.Unlock()
	for _, r := range runs {
		r.deleted.Store(true)
		r.cancel(errAbandoned)
	}
}

// run is one execution in progress.
type run struct {
	s      *Service
	rt     *pipeRT
	key    string
	scope  string
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu            sync.Mutex
	rec           execRec
	stopOnce      sync.Once
	stopCh        chan struct{}
	stopping      bool
	abandon       bool
	actionCancels map[string]context.CancelCauseFunc
	superseded    bool // guarded by rt.mu
	deleted       atomic.Bool
}

// startSpec says how an execution starts.
type startSpec struct {
	trigger   ExecutionTrigger
	vars      []PipelineVariable
	overrides []SourceRevisionOverride
	token     string
	// rollback: run only onlyStage with the artifacts of target.
	onlyStage string
	target    *execRec
	execType  string
}

// startExecution creates an execution and runs it in the background.
func (s *Service) startExecution(ctx context.Context, name string, spec startSpec) (string, error) {
	if s.isClosed() {
		return "", errClosedAPI()
	}
	prec, err := s.getPipeline(ctx, name)
	if err != nil {
		return "", err
	}
	decl := prec.Decl
	if spec.token != "" {
		if id, err := s.tokens.Get(ctx, core.ScopeKey(ctx)+"start/"+name+"/"+spec.token); err == nil {
			return id, nil
		}
	}
	pvars, err := resolvePipelineVars(decl, spec.vars)
	if err != nil {
		return "", err
	}
	if err := checkOverrides(decl, spec.overrides); err != nil {
		return "", err
	}
	rt, err := s.runtime(ctx, name)
	if err != nil {
		return "", err
	}
	if decl.ExecutionMode != "SUPERSEDED" {
		rt.mu.Lock()
		n := len(rt.runs)
		rt.mu.Unlock()
		if n >= maxConcurrentRuns {
			return "", ErrConcurrentExecutionsLimit.With("The pipeline %s has reached the limit of %d concurrent executions", name, maxConcurrentRuns)
		}
	}
	account, region := core.Scope(ctx)
	now := s.env.Clock.Now()
	id := uuid.NewString()
	execType := spec.execType
	if execType == "" {
		execType = "STANDARD"
	}
	rec := execRec{
		Exec: PipelineExecution{PipelineName: name, PipelineVersion: decl.Version, PipelineExecutionID: id, Status: "InProgress",
			Trigger: &spec.trigger, ExecutionMode: decl.ExecutionMode, ExecutionType: execType},
		Account: account, Region: region, PipelineArn: prec.Arn, Decl: decl, StartTime: now, LastUpdate: now, Seq: s.nextSeq(),
		Artifacts: map[string]artifactLoc{}, Vars: map[string]map[string]string{}, PipelineVars: pvars, Overrides: spec.overrides,
		Stages: map[string]*stageRun{}, OnlyStage: spec.onlyStage, Attempt: 1,
	}
	for _, v := range decl.Variables {
		rec.Exec.Variables = append(rec.Exec.Variables, ResolvedPipelineVariable{Name: v.Name, ResolvedValue: pvars[v.Name]})
	}
	if t := spec.target; t != nil {
		rec.Decl = t.Decl
		rec.Exec.PipelineVersion = t.Exec.PipelineVersion
		rec.Artifacts, rec.Vars, rec.PipelineVars = t.Artifacts, t.Vars, t.PipelineVars
		rec.Exec.ArtifactRevisions, rec.SourceRevisions, rec.Exec.Variables = t.Exec.ArtifactRevisions, t.SourceRevisions, t.Exec.Variables
		rec.Exec.RollbackMetadata = &PipelineRollbackMetadata{RollbackTargetPipelineExecutionID: t.Exec.PipelineExecutionID}
	}
	r := s.newRun(ctx, rt, rec)
	if err := s.execs.Create(ctx, r.key, rec); err != nil {
		return "", err
	}
	if spec.token != "" {
		_ = s.tokens.Put(ctx, core.ScopeKey(ctx)+"start/"+name+"/"+spec.token, id)
	}
	if !s.launch(r, 0, "", "") {
		return "", errClosedAPI()
	}
	return id, nil
}

func (s *Service) newRun(ctx context.Context, rt *pipeRT, rec execRec) *run {
	scope := scopeOf(rec.Account, rec.Region)
	caller, _ := identity.From(ctx)
	caller.Account, caller.Region = rec.Account, rec.Region
	base := identity.InService(identity.With(context.WithoutCancel(ctx), caller), "codepipeline.amazonaws.com")
	rctx, cancel := context.WithCancelCause(base)
	return &run{s: s, rt: rt, key: execKey(scope, rec.Exec.PipelineName, rec.Exec.PipelineExecutionID), scope: scope,
		ctx: rctx, cancel: cancel, rec: rec, stopCh: make(chan struct{}), actionCancels: map[string]context.CancelCauseFunc{}}
}

// launch registers r and runs it from stage index from; resume is "" or the retry mode.
func (s *Service) launch(r *run, from int, retryMode, retryTrigger string) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		r.cancel(errClosed)
		return false
	}
	s.wg.Add(1)
	s.mu.Unlock()
	r.rt.mu.Lock()
	r.rt.runs[r.rec.Exec.PipelineExecutionID] = r
	// Executions get in line for their first stage in the order they start.
	if first := r.firstStage(from); first >= 0 {
		r.arriveLocked(first)
	}
	r.rt.mu.Unlock()
	r.mu.Lock()
	snap := r.rec
	r.mu.Unlock()
	if retryMode == "" {
		s.publishExec(r.ctx, &snap, "STARTED")
	} else {
		s.publishExec(r.ctx, &snap, "RESUMED")
	}
	go r.execute(from, retryMode, retryTrigger)
	return true
}

func errClosedAPI() error {
	return ErrConflict.With("the CodePipeline service is shutting down")
}

// save writes the execution record.
func (r *run) save() {
	r.mu.Lock()
	r.rec.LastUpdate = r.s.env.Clock.Now()
	rec := r.rec
	b := cloneExec(rec)
	r.mu.Unlock()
	if r.deleted.Load() {
		return
	}
	_ = r.s.execs.Put(r.ctx, r.key, b)
}

// cloneExec copies the maps of a record so it can be encoded outside the lock.
func cloneExec(rec execRec) execRec {
	c := rec
	c.Artifacts = make(map[string]artifactLoc, len(rec.Artifacts))
	for k, v := range rec.Artifacts {
		c.Artifacts[k] = v
	}
	c.Vars = make(map[string]map[string]string, len(rec.Vars))
	for k, v := range rec.Vars {
		c.Vars[k] = v
	}
	c.Stages = make(map[string]*stageRun, len(rec.Stages))
	for k, v := range rec.Stages {
		sr := *v
		sr.Actions = make(map[string]string, len(v.Actions))
		for a, st := range v.Actions {
			sr.Actions[a] = st
		}
		c.Stages[k] = &sr
	}
	c.Exec.ArtifactRevisions = append([]ArtifactRevision(nil), rec.Exec.ArtifactRevisions...)
	c.SourceRevisions = append([]SourceRevision(nil), rec.SourceRevisions...)
	return c
}

func (r *run) snapshot() execRec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return cloneExec(r.rec)
}

func (r *run) updateState(fn func(*stateRec)) {
	if r.deleted.Load() {
		return
	}
	// One writer at a time per pipeline: no compare-and-set retries between executions.
	r.rt.stateMu.Lock()
	defer r.rt.stateMu.Unlock()
	_, _ = r.s.states.Update(r.ctx, r.scope+r.rec.Exec.PipelineName, func(st *stateRec) error { fn(st); return nil })
}

func (r *run) id() string { return r.rec.Exec.PipelineExecutionID }

func (r *run) stopRequested() (stopping, abandon bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopping, r.abandon
}

func (r *run) closing() bool {
	return r.ctx.Err() != nil
}

// execute runs the stages from index from.
func (r *run) execute(from int, retryMode, retryTrigger string) {
	defer r.s.wg.Done()
	defer func() {
		r.rt.mu.Lock()
		if r.rt.runs[r.id()] == r {
			delete(r.rt.runs, r.id())
		}
		for st, q := range r.rt.waiting {
			r.rt.waiting[st] = removeRun(q, r)
		}
		r.rt.broadcastLocked()
		r.rt.mu.Unlock()
		r.cancel(nil)
	}()
	stages := r.rec.Decl.Stages
	arrived := true
	for i := from; i < len(stages); i++ {
		st := stages[i]
		if r.rec.OnlyStage != "" && st.Name != r.rec.OnlyStage {
			continue
		}
		if !r.enter(i, arrived) {
			return
		}
		arrived = false
		res := r.runStage(i, retryMode, retryTrigger)
		for res == "Failed" && st.OnFailure != nil && st.OnFailure.Result == "RETRY" && r.autoRetries(st.Name) < 1 && !r.closing() {
			if s, _ := r.stopRequested(); s {
				break
			}
			mode := "FAILED_ACTIONS"
			if st.OnFailure.RetryConfiguration != nil && st.OnFailure.RetryConfiguration.RetryMode != "" {
				mode = st.OnFailure.RetryConfiguration.RetryMode
			}
			r.mu.Lock()
			r.rec.Stages[st.Name].Retries++
			r.mu.Unlock()
			res = r.runStage(i, mode, "AutomatedStageRetry")
		}
		r.leave(i)
		retryMode, retryTrigger = "", ""
		if r.closing() {
			return
		}
		switch res {
		case "Succeeded":
			if s, _ := r.stopRequested(); s && i+1 < len(stages) && r.rec.OnlyStage == "" {
				r.finish("Stopped", "")
				return
			}
			continue
		case "Stopped":
			r.finish("Stopped", "")
			return
		default:
			r.finish("Failed", r.failureSummary(st.Name))
			if st.OnFailure != nil && st.OnFailure.Result == "ROLLBACK" && r.rec.Exec.ExecutionType != "ROLLBACK" {
				r.s.autoRollback(r, st.Name)
			}
			return
		}
	}
	r.finish("Succeeded", "")
}

func (r *run) autoRetries(stage string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sr := r.rec.Stages[stage]; sr != nil {
		return sr.Retries
	}
	return 0
}

func (r *run) failureSummary(stage string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sr := r.rec.Stages[stage]; sr != nil {
		var names []string
		for a, st := range sr.Actions {
			if st == "Failed" {
				names = append(names, a)
			}
		}
		sort.Strings(names)
		if len(names) > 0 {
			return "Stage " + stage + " failed: action " + names[0] + " failed"
		}
	}
	return "Stage " + stage + " failed"
}

func removeRun(q []*run, r *run) []*run {
	out := q[:0]
	for _, x := range q {
		if x != r {
			out = append(out, x)
		}
	}
	return out
}

// enter waits until the execution may enter stage i: the transitions are enabled, the
// stage is free (SUPERSEDED, QUEUED) and, for QUEUED, the execution is first in line. In
// SUPERSEDED mode a newer execution arriving replaces the waiting one.
func (r *run) enter(i int, arrived bool) bool {
	rt := r.rt
	stages := r.rec.Decl.Stages
	stage := stages[i].Name
	mode := r.rec.Decl.ExecutionMode
	rt.mu.Lock()
	if !arrived {
		r.arriveLocked(i)
	}
	for {
		leave := func() { rt.waiting[stage] = removeRun(rt.waiting[stage], r); rt.broadcastLocked(); rt.mu.Unlock() }
		if r.superseded {
			leave()
			r.finish("Superseded", "Superseded by a newer execution")
			return false
		}
		if s, _ := r.stopRequested(); s {
			leave()
			r.finish("Stopped", "")
			return false
		}
		if r.closing() {
			leave()
			return false
		}
		_, inDisabled := rt.disabled[transitionKey("Inbound", stage)]
		can := !inDisabled
		if i > 0 {
			if _, outDisabled := rt.disabled[transitionKey("Outbound", stages[i-1].Name)]; outDisabled {
				can = false
			}
		}
		if mode != "PARALLEL" && rt.occupant[stage] != "" && rt.occupant[stage] != r.id() {
			can = false
		}
		if mode == "QUEUED" && len(rt.waiting[stage]) > 0 && rt.waiting[stage][0] != r {
			can = false
		}
		if can {
			if mode != "PARALLEL" {
				rt.occupant[stage] = r.id()
			}
			rt.waiting[stage] = removeRun(rt.waiting[stage], r)
			rt.broadcastLocked()
			rt.mu.Unlock()
			break
		}
		ch := rt.changed
		rt.mu.Unlock()
		select {
		case <-ch:
		case <-r.stopCh:
		case <-r.ctx.Done():
		}
		rt.mu.Lock()
	}
	return true
}

// arriveLocked puts r in line for stage i; in SUPERSEDED mode it replaces the execution
// waiting there. Called with rt.mu held.
func (r *run) arriveLocked(i int) {
	rt := r.rt
	stage := r.rec.Decl.Stages[i].Name
	if r.rec.Decl.ExecutionMode == "SUPERSEDED" {
		for _, w := range rt.waiting[stage] {
			if w != r {
				w.superseded = true
			}
		}
		rt.waiting[stage] = nil
	}
	rt.waiting[stage] = append(rt.waiting[stage], r)
	rt.broadcastLocked()
}

// firstStage is the index of the first stage the run enters from index from.
func (r *run) firstStage(from int) int {
	for i := from; i < len(r.rec.Decl.Stages); i++ {
		if r.rec.OnlyStage == "" || r.rec.Decl.Stages[i].Name == r.rec.OnlyStage {
			return i
		}
	}
	return -1
}

func (r *run) leave(i int) {
	stage := r.rec.Decl.Stages[i].Name
	r.rt.mu.Lock()
	if r.rt.occupant[stage] == r.id() {
		delete(r.rt.occupant, stage)
	}
	r.rt.broadcastLocked()
	r.rt.mu.Unlock()
}

// finish ends the execution with status.
func (r *run) finish(status, summary string) {
	if r.closing() && !r.deleted.Load() {
		return
	}
	r.mu.Lock()
	r.rec.Exec.Status = status
	r.rec.Exec.StatusSummary = summary
	r.mu.Unlock()
	// Once its status is final the execution is no longer live (a retry may start at once).
	r.rt.mu.Lock()
	if r.rt.runs[r.id()] == r {
		delete(r.rt.runs, r.id())
	}
	r.rt.mu.Unlock()
	r.save()
	snap := r.snapshot()
	if !r.deleted.Load() {
		r.s.publishExec(r.ctx, &snap, eventState(status))
	}
}

// runStage runs one stage: its actions by runOrder, parallel within a runOrder. It returns
// the stage's status: Succeeded, Failed or Stopped.
func (r *run) runStage(i int, retryMode, retryTrigger string) string {
	st := r.rec.Decl.Stages[i]
	r.mu.Lock()
	prev := r.rec.Stages[st.Name]
	sr := &stageRun{Status: "InProgress", Actions: map[string]string{}}
	if prev != nil {
		sr.Retries = prev.Retries
		if retryMode == "FAILED_ACTIONS" {
			for a, status := range prev.Actions {
				if status == "Succeeded" {
					sr.Actions[a] = status
				}
			}
		}
	}
	r.rec.Stages[st.Name] = sr
	execType := r.rec.Exec.ExecutionType
	r.mu.Unlock()
	r.save()
	id := r.id()
	r.updateState(func(s *stateRec) {
		ss := s.stage(st.Name)
		ss.Latest = &StageExecution{PipelineExecutionID: id, Status: "InProgress", Type: execType}
		if retryTrigger != "" {
			if ss.Retry == nil {
				ss.Retry = &RetryStageMetadata{}
			}
			if retryTrigger == "ManualStageRetry" {
				ss.Retry.ManualStageRetryAttempt++
			} else {
				ss.Retry.AutoStageRetryAttempt++
			}
			ss.Retry.LatestRetryTrigger = retryTrigger
		}
	})
	snap := r.snapshot()
	if retryTrigger != "" {
		r.s.publishStage(r.ctx, &snap, st.Name, "RESUMED")
	} else {
		r.s.publishStage(r.ctx, &snap, st.Name, "STARTED")
	}

	acts := append([]ActionDeclaration(nil), st.Actions...)
	sort.SliceStable(acts, func(a, b int) bool { return acts[a].RunOrder < acts[b].RunOrder })
	result := "Succeeded"
	for g := 0; g < len(acts); {
		h := g
		for h < len(acts) && acts[h].RunOrder == acts[g].RunOrder {
			h++
		}
		group := acts[g:h]
		g = h
		if s, _ := r.stopRequested(); s {
			result = "Stopped"
			break
		}
		var wg sync.WaitGroup
		results := make([]string, len(group))
		for k, a := range group {
			r.mu.Lock()
			done := sr.Actions[a.Name] == "Succeeded"
			r.mu.Unlock()
			if done {
				results[k] = "Succeeded"
				continue
			}
			wg.Add(1)
			go func(k int, a ActionDeclaration) {
				defer wg.Done()
				results[k] = r.runAction(st.Name, a)
			}(k, a)
		}
		wg.Wait()
		if r.closing() {
			return "Closed"
		}
		for _, res := range results {
			switch res {
			case "Failed":
				result = "Failed"
			case "Abandoned":
				if result != "Failed" {
					result = "Stopped"
				}
			}
		}
		if result != "Succeeded" {
			break
		}
	}
	if result == "Succeeded" {
		if s, _ := r.stopRequested(); s {
			// The stage's actions all finished: the stage succeeded; the execution stops after it.
			result = "Succeeded"
		}
	}
	r.mu.Lock()
	sr.Status = result
	r.mu.Unlock()
	r.save()
	r.updateState(func(s *stateRec) {
		ss := s.stage(st.Name)
		if ss.Latest != nil && ss.Latest.PipelineExecutionID == id {
			ss.Latest.Status = result
		}
	})
	snap = r.snapshot()
	r.s.publishStage(r.ctx, &snap, st.Name, eventState(result))
	return result
}

// actionTimeout is the action's timeout: timeoutInMinutes, or AWS's default for its type.
func actionTimeout(a ActionDeclaration, t resolvedType) time.Duration {
	if a.TimeoutInMinutes > 0 {
		return time.Duration(a.TimeoutInMinutes) * time.Minute
	}
	if t.timeout > 0 {
		return t.timeout
	}
	return time.Hour
}
