package codepipeline

import (
	"context"
	"errors"
	"sort"
	"strconv"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// StartPipelineExecution starts an execution of the latest pipeline version.
func (s *Service) StartPipelineExecution(ctx context.Context, in *StartPipelineExecutionInput) (*StartPipelineExecutionOutput, error) {
	return dispatchDo(ctx, s, "StartPipelineExecution", in, func(ctx context.Context, in *StartPipelineExecutionInput) (*StartPipelineExecutionOutput, error) {
		if in.ClientRequestToken != "" && len(in.ClientRequestToken) > 128 {
			return nil, valErr("1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 128")
		}
		if len(in.SourceRevisions) > 50 {
			return nil, valErr("At most 50 source revisions can be given")
		}
		id, err := s.startExecution(ctx, in.Name, startSpec{trigger: ExecutionTrigger{TriggerType: "StartPipelineExecution", TriggerDetail: callerARN(ctx)},
			vars: in.Variables, overrides: in.SourceRevisions, token: in.ClientRequestToken})
		if err != nil {
			return nil, err
		}
		return &StartPipelineExecutionOutput{PipelineExecutionID: id}, nil
	})
}

// StartPipelineFromEvent starts a pipeline for an EventBridge rule target (trigger type
// CloudWatchEvent). It satisfies the events package's Pipelines interface.
func (s *Service) StartPipelineFromEvent(ctx context.Context, pipelineName string) (string, error) {
	out, err := dispatchDo(ctx, s, "StartPipelineExecution", &StartPipelineExecutionInput{Name: pipelineName}, func(ctx context.Context, in *StartPipelineExecutionInput) (*StartPipelineExecutionOutput, error) {
		id, err := s.startExecution(ctx, in.Name, startSpec{trigger: ExecutionTrigger{TriggerType: "CloudWatchEvent", TriggerDetail: callerARN(ctx)}})
		if err != nil {
			return nil, err
		}
		return &StartPipelineExecutionOutput{PipelineExecutionID: id}, nil
	})
	if err != nil {
		return "", err
	}
	return out.PipelineExecutionID, nil
}

func (s *Service) getExec(ctx context.Context, pipeline, id string) (execRec, error) {
	if _, err := s.getPipeline(ctx, pipeline); err != nil {
		return execRec{}, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return execRec{}, ErrPipelineExecutionNotFound.With("Pipeline execution with id %s does not exist in pipeline %s", id, pipeline)
	}
	rec, err := s.execs.Get(ctx, execKey(core.ScopeKey(ctx), pipeline, id))
	if errors.Is(err, store.ErrNotFound) {
		return rec, ErrPipelineExecutionNotFound.With("Pipeline execution with id %s does not exist in pipeline %s", id, pipeline)
	}
	if err != nil {
		return rec, err
	}
	rec.Decl, err = s.versions.Get(ctx, versionKey(ctx, pipeline, rec.Exec.PipelineVersion))
	if err != nil {
		return rec, ErrPipelineVersionNotFound.With("Version %d of pipeline %s does not exist", rec.Exec.PipelineVersion, pipeline)
	}
	return rec, nil
}

func (s *Service) liveRun(ctx context.Context, pipeline, id string) *run {
	s.mu.Lock()
	rt := s.rts[pipeKey(ctx, pipeline)]
	s.mu.Unlock()
	if rt == nil {
		return nil
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.runs[id]
}

// StopPipelineExecution stops an execution: with abandon, in-progress actions are
// abandoned at once; without, they finish and no new action starts.
func (s *Service) StopPipelineExecution(ctx context.Context, in *StopPipelineExecutionInput) (*StopPipelineExecutionOutput, error) {
	return dispatchDo(ctx, s, "StopPipelineExecution", in, func(ctx context.Context, in *StopPipelineExecutionInput) (*StopPipelineExecutionOutput, error) {
		if len(in.Reason) > 200 {
			return nil, valErr("1 validation error detected: Value at 'reason' failed to satisfy constraint: Member must have length less than or equal to 200")
		}
		rec, err := s.getExec(ctx, in.PipelineName, in.PipelineExecutionID)
		if err != nil {
			return nil, err
		}
		r := s.liveRun(ctx, in.PipelineName, in.PipelineExecutionID)
		if r == nil || (rec.Exec.Status != "InProgress" && rec.Exec.Status != "Stopping") {
			return nil, ErrPipelineExecutionNotStoppable.With("Unable to stop pipeline execution %s because its status is %s", in.PipelineExecutionID, rec.Exec.Status)
		}
		r.mu.Lock()
		if r.rec.Exec.Status != "InProgress" && r.rec.Exec.Status != "Stopping" {
			st := r.rec.Exec.Status
			r.mu.Unlock()
			return nil, ErrPipelineExecutionNotStoppable.With("Unable to stop pipeline execution %s because its status is %s", in.PipelineExecutionID, st)
		}
		if r.stopping && (r.abandon || !in.Abandon) {
			r.mu.Unlock()
			return nil, ErrDuplicatedStopRequest.With("A stop request for pipeline execution %s is already in progress", in.PipelineExecutionID)
		}
		r.stopping = true
		r.abandon = r.abandon || in.Abandon
		r.rec.Exec.Status = "Stopping"
		r.rec.StopTrigger = &StopExecutionTrigger{Reason: in.Reason}
		var cancels []context.CancelCauseFunc
		if in.Abandon {
			for _, c := range r.actionCancels {
				cancels = append(cancels, c)
			}
		}
		r.mu.Unlock()
		r.stopOnce.Do(func() { close(r.stopCh) })
		r.save()
		snap := r.snapshot()
		s.publishExec(r.ctx, &snap, "STOPPING")
		for _, c := range cancels {
			c(errAbandoned)
		}
		r.rt.mu.Lock()
		r.rt.broadcastLocked()
		r.rt.mu.Unlock()
		return &StopPipelineExecutionOutput{PipelineExecutionID: in.PipelineExecutionID}, nil
	})
}

// GetPipelineExecution returns an execution.
func (s *Service) GetPipelineExecution(ctx context.Context, in *GetPipelineExecutionInput) (*GetPipelineExecutionOutput, error) {
	return dispatchDo(ctx, s, "GetPipelineExecution", in, func(ctx context.Context, in *GetPipelineExecutionInput) (*GetPipelineExecutionOutput, error) {
		rec, err := s.getExec(ctx, in.PipelineName, in.PipelineExecutionID)
		if err != nil {
			return nil, err
		}
		e := rec.Exec
		return &GetPipelineExecutionOutput{PipelineExecution: &e}, nil
	})
}

func pageBounds(token string, max int32, def int, n int) (int, int, error) {
	limit := int(max)
	if limit == 0 {
		limit = def
	}
	if limit < 1 || limit > 100 {
		return 0, 0, valErr("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100", max)
	}
	start := 0
	if token != "" {
		t, err := decodeToken(token)
		if err != nil {
			return 0, 0, err
		}
		start, err = strconv.Atoi(t)
		if err != nil || start < 0 || start > n {
			return 0, 0, ErrInvalidNextToken.With("The next token is not valid.")
		}
	}
	end := start + limit
	if end > n {
		end = n
	}
	return start, end, nil
}

// ListPipelineExecutions lists executions, newest first.
func (s *Service) ListPipelineExecutions(ctx context.Context, in *ListPipelineExecutionsInput) (*ListPipelineExecutionsOutput, error) {
	return dispatchDo(ctx, s, "ListPipelineExecutions", in, func(ctx context.Context, in *ListPipelineExecutionsInput) (*ListPipelineExecutionsOutput, error) {
		if _, err := s.getPipeline(ctx, in.PipelineName); err != nil {
			return nil, err
		}
		all, err := s.execs.All(ctx, core.ScopeKey(ctx)+in.PipelineName+"/")
		if err != nil {
			return nil, err
		}
		var recs []execRec
		for _, r := range all {
			if f := in.Filter; f != nil && f.SucceededInStage != nil {
				sr := r.Stages[f.SucceededInStage.StageName]
				if sr == nil || sr.Status != "Succeeded" {
					continue
				}
			}
			recs = append(recs, r)
		}
		sort.Slice(recs, func(i, j int) bool {
			if !recs[i].StartTime.Equal(recs[j].StartTime) {
				return recs[i].StartTime.After(recs[j].StartTime)
			}
			return recs[i].Seq > recs[j].Seq
		})
		start, end, err := pageBounds(in.NextToken, in.MaxResults, 100, len(recs))
		if err != nil {
			return nil, err
		}
		out := &ListPipelineExecutionsOutput{PipelineExecutionSummaries: []PipelineExecutionSummary{}}
		for _, r := range recs[start:end] {
			out.PipelineExecutionSummaries = append(out.PipelineExecutionSummaries, PipelineExecutionSummary{
				PipelineExecutionID: r.Exec.PipelineExecutionID, Status: r.Exec.Status, StatusSummary: r.Exec.StatusSummary,
				StartTime: r.StartTime, LastUpdateTime: r.LastUpdate, SourceRevisions: r.SourceRevisions, Trigger: r.Exec.Trigger,
				StopTrigger: r.StopTrigger, ExecutionMode: r.Exec.ExecutionMode, ExecutionType: r.Exec.ExecutionType, RollbackMetadata: r.Exec.RollbackMetadata})
		}
		if end < len(recs) {
			out.NextToken = encodeToken(strconv.Itoa(end))
		}
		return out, nil
	})
}

// ListActionExecutions lists action executions, newest first.
func (s *Service) ListActionExecutions(ctx context.Context, in *ListActionExecutionsInput) (*ListActionExecutionsOutput, error) {
	return dispatchDo(ctx, s, "ListActionExecutions", in, func(ctx context.Context, in *ListActionExecutionsInput) (*ListActionExecutionsOutput, error) {
		if _, err := s.getPipeline(ctx, in.PipelineName); err != nil {
			return nil, err
		}
		prefix := core.ScopeKey(ctx) + in.PipelineName + "/"
		if f := in.Filter; f != nil {
			id := f.PipelineExecutionID
			if id == "" && f.LatestInPipelineExecution != nil {
				id = f.LatestInPipelineExecution.PipelineExecutionID
			}
			if id != "" {
				if _, err := s.getExec(ctx, in.PipelineName, id); err != nil {
					return nil, err
				}
				prefix += id + "/"
			}
		}
		recs, err := s.actions.All(ctx, prefix)
		if err != nil {
			return nil, err
		}
		sort.Slice(recs, func(i, j int) bool {
			a, b := recs[i].Detail.StartTime, recs[j].Detail.StartTime
			if !a.Equal(b) {
				return a.After(b)
			}
			return recs[i].Seq > recs[j].Seq
		})
		start, end, err := pageBounds(in.NextToken, in.MaxResults, 100, len(recs))
		if err != nil {
			return nil, err
		}
		out := &ListActionExecutionsOutput{ActionExecutionDetails: []ActionExecutionDetail{}}
		for _, r := range recs[start:end] {
			out.ActionExecutionDetails = append(out.ActionExecutionDetails, r.Detail)
		}
		if end < len(recs) {
			out.NextToken = encodeToken(strconv.Itoa(end))
		}
		return out, nil
	})
}

// GetPipelineState returns each stage's latest execution, its actions' latest executions
// (with approval tokens), inbound executions and transition states.
func (s *Service) GetPipelineState(ctx context.Context, in *GetPipelineStateInput) (*GetPipelineStateOutput, error) {
	return dispatchDo(ctx, s, "GetPipelineState", in, func(ctx context.Context, in *GetPipelineStateInput) (*GetPipelineStateOutput, error) {
		rec, err := s.getPipeline(ctx, in.Name)
		if err != nil {
			return nil, err
		}
		st, _ := s.states.Get(ctx, pipeKey(ctx, in.Name))
		inbound := map[string][]StageExecution{}
		s.mu.Lock()
		rt := s.rts[pipeKey(ctx, in.Name)]
		s.mu.Unlock()
		if rt != nil {
			rt.mu.Lock()
			for stage, q := range rt.waiting {
				for _, r := range q {
					inbound[stage] = append(inbound[stage], StageExecution{PipelineExecutionID: r.id(), Status: "InProgress", Type: r.rec.Exec.ExecutionType})
				}
			}
			rt.mu.Unlock()
		}
		_, region := core.Scope(ctx)
		out := &GetPipelineStateOutput{PipelineName: in.Name, PipelineVersion: rec.Decl.Version, Created: rec.Created, Updated: rec.Updated, StageStates: []StageState{}}
		for _, stage := range rec.Decl.Stages {
			ss := StageState{StageName: stage.Name, InboundTransitionState: &TransitionState{Enabled: true}}
			if t, ok := rec.Transitions[transitionKey("Inbound", stage.Name)]; ok {
				t := t
				ss.InboundTransitionState = &t
			}
			if q := inbound[stage.Name]; len(q) > 0 {
				ss.InboundExecution = &q[len(q)-1]
				ss.InboundExecutions = q
			}
			var sst *stageStateRec
			if st.Stages != nil {
				sst = st.Stages[stage.Name]
			}
			if sst != nil {
				if sst.Latest != nil {
					l := *sst.Latest
					ss.LatestExecution = &l
				}
				if sst.Retry != nil {
					r := *sst.Retry
					ss.RetryStageMetadata = &r
				}
			}
			for _, a := range stage.Actions {
				as := ActionState{ActionName: a.Name}
				if t, ok := s.lookupType(ctx, *a.ActionTypeID); ok {
					as.EntityURL = expandURL(t.entity, firstNonEmpty(a.Region, region), "", a.Configuration)
				}
				if sst != nil {
					if ae, ok := sst.Actions[a.Name]; ok {
						ae := ae
						if ae.Status != "InProgress" {
							ae.Token = ""
						}
						as.LatestExecution = &ae
					}
					if rv, ok := sst.Revisions[a.Name]; ok {
						rv := rv
						as.CurrentRevision = &rv
					}
				}
				ss.ActionStates = append(ss.ActionStates, as)
			}
			out.StageStates = append(out.StageStates, ss)
		}
		return out, nil
	})
}

// RetryStageExecution re-runs a failed (or stopped) stage of the latest execution in it.
func (s *Service) RetryStageExecution(ctx context.Context, in *RetryStageExecutionInput) (*RetryStageExecutionOutput, error) {
	return dispatchDo(ctx, s, "RetryStageExecution", in, func(ctx context.Context, in *RetryStageExecutionInput) (*RetryStageExecutionOutput, error) {
		if in.RetryMode != "FAILED_ACTIONS" && in.RetryMode != "ALL_ACTIONS" {
			return nil, valErr("1 validation error detected: Value '%s' at 'retryMode' failed to satisfy constraint: Member must satisfy enum value set: [FAILED_ACTIONS, ALL_ACTIONS]", in.RetryMode)
		}
		rec, err := s.getExec(ctx, in.PipelineName, in.PipelineExecutionID)
		if err != nil {
			return nil, err
		}
		idx := -1
		for i, st := range rec.Decl.Stages {
			if st.Name == in.StageName {
				idx = i
			}
		}
		if idx < 0 {
			return nil, ErrStageNotFound.With("Stage %s does not exist in pipeline %s", in.StageName, in.PipelineName)
		}
		if s.liveRun(ctx, in.PipelineName, in.PipelineExecutionID) != nil {
			return nil, ErrStageNotRetryable.With("Pipeline execution %s is still in progress", in.PipelineExecutionID)
		}
		sr := rec.Stages[in.StageName]
		if sr == nil || (sr.Status != "Failed" && sr.Status != "Stopped") || (rec.Exec.Status != "Failed" && rec.Exec.Status != "Stopped") {
			return nil, ErrStageNotRetryable.With("Stage %s of pipeline execution %s is not in a failed or stopped state", in.StageName, in.PipelineExecutionID)
		}
		st, _ := s.states.Get(ctx, pipeKey(ctx, in.PipelineName))
		if st.Stages == nil || st.Stages[in.StageName] == nil || st.Stages[in.StageName].Latest == nil || st.Stages[in.StageName].Latest.PipelineExecutionID != in.PipelineExecutionID {
			return nil, ErrNotLatestPipelineExecution.With("Pipeline execution %s is not the latest execution in stage %s", in.PipelineExecutionID, in.StageName)
		}
		rt, err := s.runtime(ctx, in.PipelineName)
		if err != nil {
			return nil, err
		}
		rec.Exec.Status, rec.Exec.StatusSummary = "InProgress", ""
		rec.StopTrigger = nil
		rec.Attempt++
		r := s.newRun(ctx, rt, rec)
		r.save()
		if !s.launch(r, idx, in.RetryMode, "ManualStageRetry") {
			return nil, errClosedAPI()
		}
		return &RetryStageExecutionOutput{PipelineExecutionID: in.PipelineExecutionID}, nil
	})
}

// RollbackStage re-runs a stage with the artifacts and variables of an earlier execution
// that succeeded in it (V2 pipelines).
func (s *Service) RollbackStage(ctx context.Context, in *RollbackStageInput) (*RollbackStageOutput, error) {
	return dispatchDo(ctx, s, "RollbackStage", in, func(ctx context.Context, in *RollbackStageInput) (*RollbackStageOutput, error) {
		id, err := s.rollback(ctx, in.PipelineName, in.StageName, in.TargetPipelineExecutionID, "ManualRollback")
		if err != nil {
			return nil, err
		}
		return &RollbackStageOutput{PipelineExecutionID: id}, nil
	})
}

func (s *Service) rollback(ctx context.Context, pipeline, stage, targetID, trigger string) (string, error) {
	prec, err := s.getPipeline(ctx, pipeline)
	if err != nil {
		return "", err
	}
	if prec.Decl.PipelineType != "V2" {
		return "", ErrUnableToRollbackStage.With("Rollback is only supported for pipeline type V2")
	}
	idx := -1
	for i, st := range prec.Decl.Stages {
		if st.Name == stage {
			idx = i
		}
	}
	if idx < 0 {
		return "", ErrStageNotFound.With("Stage %s does not exist in pipeline %s", stage, pipeline)
	}
	if idx == 0 {
		return "", ErrUnableToRollbackStage.With("The source stage %s cannot be rolled back", stage)
	}
	target, err := s.getExec(ctx, pipeline, targetID)
	if err != nil {
		return "", err
	}
	if sr := target.Stages[stage]; sr == nil || sr.Status != "Succeeded" {
		return "", ErrUnableToRollbackStage.With("Pipeline execution %s did not succeed in stage %s", targetID, stage)
	}
	if st, _ := s.states.Get(ctx, pipeKey(ctx, pipeline)); st.Stages != nil && st.Stages[stage] != nil && st.Stages[stage].Latest != nil && st.Stages[stage].Latest.Status == "InProgress" {
		return "", ErrUnableToRollbackStage.With("Stage %s is in progress; it can be rolled back once it completes", stage)
	}
	return s.startExecution(ctx, pipeline, startSpec{trigger: ExecutionTrigger{TriggerType: trigger, TriggerDetail: callerARN(ctx)},
		onlyStage: stage, target: &target, execType: "ROLLBACK"})
}

// autoRollback rolls a stage back after a failure (onFailure ROLLBACK) to the latest
// execution that succeeded in it.
func (s *Service) autoRollback(r *run, stage string) {
	ctx := r.ctx
	all, err := s.execs.All(ctx, r.scope+r.rec.Exec.PipelineName+"/")
	if err != nil {
		return
	}
	var best *execRec
	for i := range all {
		e := &all[i]
		if e.Exec.PipelineExecutionID == r.id() || e.Exec.ExecutionType == "ROLLBACK" {
			continue
		}
		if sr := e.Stages[stage]; sr == nil || sr.Status != "Succeeded" {
			continue
		}
		if best == nil || e.StartTime.After(best.StartTime) || (e.StartTime.Equal(best.StartTime) && e.Seq > best.Seq) {
			best = e
		}
	}
	if best == nil {
		s.log.Info("codepipeline: no earlier execution succeeded in the stage; nothing to roll back to", "pipeline", r.rec.Exec.PipelineName, "stage", stage)
		return
	}
	if _, err := s.rollback(ctx, r.rec.Exec.PipelineName, stage, best.Exec.PipelineExecutionID, "AutomatedRollback"); err != nil {
		s.log.Warn("codepipeline: automated rollback did not start", "pipeline", r.rec.Exec.PipelineName, "stage", stage, "err", err)
	}
}

// PutApprovalResult answers a manual approval; token comes from GetPipelineState.
func (s *Service) PutApprovalResult(ctx context.Context, in *PutApprovalResultInput) (*PutApprovalResultOutput, error) {
	return dispatchDo(ctx, s, "PutApprovalResult", in, func(ctx context.Context, in *PutApprovalResultInput) (*PutApprovalResultOutput, error) {
		if in.Result == nil {
			return nil, valErr("1 validation error detected: Value null at 'result' failed to satisfy constraint: Member must not be null")
		}
		if in.Result.Status != "Approved" && in.Result.Status != "Rejected" {
			return nil, valErr("1 validation error detected: Value '%s' at 'result.status' failed to satisfy constraint: Member must satisfy enum value set: [Approved, Rejected]", in.Result.Status)
		}
		if len(in.Result.Summary) > 512 {
			return nil, valErr("1 validation error detected: Value at 'result.summary' failed to satisfy constraint: Member must have length less than or equal to 512")
		}
		rec, err := s.getPipeline(ctx, in.PipelineName)
		if err != nil {
			return nil, err
		}
		var act *ActionDeclaration
		stageFound := false
		for _, st := range rec.Decl.Stages {
			if st.Name == in.StageName {
				stageFound = true
				for i := range st.Actions {
					if st.Actions[i].Name == in.ActionName {
						act = &st.Actions[i]
					}
				}
			}
		}
		if !stageFound {
			return nil, ErrStageNotFound.With("Stage %s does not exist in pipeline %s", in.StageName, in.PipelineName)
		}
		if act == nil || act.ActionTypeID.Category != "Approval" {
			return nil, ErrActionNotFound.With("Approval action %s does not exist in stage %s", in.ActionName, in.StageName)
		}
		if _, err := uuid.Parse(in.Token); err != nil {
			return nil, ErrInvalidApprovalToken.With("The approval action token %s is not valid", in.Token)
		}
		s.mu.Lock()
		w := s.approvals[in.Token]
		if w != nil && w.scope == core.ScopeKey(ctx) && w.pipeline == in.PipelineName && w.stage == in.StageName && w.action == in.ActionName {
			delete(s.approvals, in.Token)
		} else {
			w = nil
		}
		s.mu.Unlock()
		if w == nil {
			if _, err := s.tokens.Get(ctx, core.ScopeKey(ctx)+"approval/"+in.Token); err == nil {
				return nil, ErrApprovalAlreadyCompleted.With("The approval request for action %s has already been completed", in.ActionName)
			}
			return nil, ErrInvalidApprovalToken.With("The approval action token %s is not valid for action %s", in.Token, in.ActionName)
		}
		now := s.env.Clock.Now()
		_ = s.tokens.Put(ctx, core.ScopeKey(ctx)+"approval/"+in.Token, in.Result.Status)
		w.ch <- *in.Result
		return &PutApprovalResultOutput{ApprovedAt: now}, nil
	})
}
