package codepipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// jobRec is a job of a custom action or a Lambda invoke action.
type jobRec struct {
	Job      Job    `json:"job"`
	Status   string `json:"status"` // Queued, Dispatched, InProgress, Succeeded, Failed, TimedOut
	TypeKey  string `json:"typeKey"`
	Function string `json:"function,omitempty"`
}

// jobOutcome is a job worker's report.
type jobOutcome struct {
	success      bool
	continuation string
	vars         map[string]string
	details      *ExecutionDetails
	revision     *CurrentRevision
	failure      *FailureDetails
}

// runJob runs a custom action (function == "") or a Lambda invoke action as jobs: it
// queues a job, waits for the worker's result and, while the worker answers with a
// continuation token, queues the next job.
func (s *Service) runJob(ctx context.Context, ar *actionRun, function string) actionResult {
	id := *ar.decl.ActionTypeID
	continuation := ""
	var fn func(context.Context, []byte) error
	if function != "" {
		s.mu.Lock()
		fn = s.funcs[function]
		s.mu.Unlock()
		if fn == nil && s.deps.Functions != nil {
			fns := s.deps.Functions
			fn = func(ctx context.Context, p []byte) error { return fns.InvokeFunction(ctx, function, p) }
		}
		if fn == nil {
			return failed("ConfigurationError", "Lambda function %s is not registered on this platform (AWS Lambda is not part of devopsim; register a Go function with HandleFunction)", function)
		}
	}
	for round := 0; ; round++ {
		if round > 1000 {
			return failed("JobFailed", "the job worker continued the action more than 1000 times")
		}
		jobID := uuid.NewString()
		data := &JobData{ActionTypeID: &id, ActionConfiguration: &ActionConfiguration{Configuration: ar.config}, ContinuationToken: continuation,
			PipelineContext: &PipelineContext{PipelineName: ar.r.rec.Exec.PipelineName, PipelineArn: ar.r.rec.PipelineArn, PipelineExecutionID: ar.r.rec.Exec.PipelineExecutionID,
				Stage: &StageContext{Name: ar.stage}, Action: &ActionContext{Name: ar.decl.Name, ActionExecutionID: ar.aeID}},
			ArtifactCredentials: &AWSSessionCredentials{AccessKeyID: "ASIA" + randomSuffix() + "EXAMPLE", SecretAccessKey: uuid.NewString(), SessionToken: uuid.NewString()},
			InputArtifacts:      []Artifact{}, OutputArtifacts: []Artifact{}}
		for _, in := range ar.in {
			data.InputArtifacts = append(data.InputArtifacts, Artifact{Name: in.Name, Revision: in.Loc.Revision, Location: &ArtifactLocation{Type: "S3", S3Location: &S3ArtifactLocation{BucketName: in.Loc.Bucket, ObjectKey: in.Loc.Key}}})
		}
		for _, out := range ar.out {
			data.OutputArtifacts = append(data.OutputArtifacts, Artifact{Name: out.Name, Location: &ArtifactLocation{Type: "S3", S3Location: &S3ArtifactLocation{BucketName: out.Loc.Bucket, ObjectKey: out.Loc.Key}}})
		}
		rec := jobRec{Job: Job{ID: jobID, Data: data, Nonce: uuid.NewString(), AccountID: ar.r.rec.Account}, Status: "Queued", TypeKey: typeString(id), Function: function}
		if function != "" {
			rec.Status = "InProgress"
		}
		ch := make(chan jobOutcome, 1)
		s.mu.Lock()
		s.jobWaits[jobID] = ch
		s.mu.Unlock()
		key := ar.r.scope + jobID
		if err := s.jobs.Put(ctx, key, rec); err != nil {
			s.dropJobWait(jobID)
			return failed("JobFailed", "could not queue the job: %v", err)
		}
		ar.setLatest(func(ae *ActionExecution) { ae.ExternalExecutionID = jobID })
		if fn != nil {
			payload, _ := json.Marshal(map[string]any{"CodePipeline.job": map[string]any{"id": jobID, "accountId": ar.r.rec.Account, "data": data}})
			if err := fn(ctx, payload); err != nil {
				s.dropJobWait(jobID)
				s.setJobStatus(ctx, key, "Failed")
				return failed("JobFailed", "Lambda function %s failed: %v", function, err)
			}
		}
		var out jobOutcome
		select {
		case out = <-ch:
		case <-ctx.Done():
			s.dropJobWait(jobID)
			s.setJobStatus(context.WithoutCancel(ctx), key, "TimedOut")
			return failed("JobFailed", "job %s was cancelled: %v", jobID, context.Cause(ctx))
		}
		s.dropJobWait(jobID)
		if !out.success {
			f := out.failure
			if f == nil {
				f = &FailureDetails{Type: "JobFailed", Message: "job failed"}
			}
			r := failed(f.Type, "%s", f.Message)
			r.ExternalID = firstNonEmpty(f.ExternalExecutionID, jobID)
			return r
		}
		if out.continuation != "" {
			continuation = out.continuation
			if d := out.details; d != nil {
				ar.setLatest(func(ae *ActionExecution) { ae.Summary, ae.PercentComplete = d.Summary, d.PercentComplete })
			}
			continue
		}
		res := actionResult{Status: "Succeeded", ExternalID: jobID, Vars: out.vars}
		if d := out.details; d != nil {
			res.Summary = d.Summary
			if d.ExternalExecutionID != "" {
				res.ExternalID = d.ExternalExecutionID
			}
		}
		if rev := out.revision; rev != nil && id.Category == "Source" {
			res.Revision = &ArtifactRevision{RevisionID: rev.Revision, RevisionChangeIdentifier: rev.ChangeIdentifier, RevisionSummary: rev.RevisionSummary, Created: rev.Created}
		}
		if ar.typ.entity != "" || ar.typ.execURL != "" {
			res.ExternalURL = expandURL(ar.typ.execURL, ar.region, res.ExternalID, ar.config)
		}
		return res
	}
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

func (s *Service) dropJobWait(id string) {
	s.mu.Lock()
	delete(s.jobWaits, id)
	s.mu.Unlock()
}

func (s *Service) setJobStatus(ctx context.Context, key, status string) {
	_, _ = s.jobs.Update(ctx, key, func(j *jobRec) error {
		if j.Status == "Succeeded" || j.Status == "Failed" {
			return errSkip
		}
		j.Status = status
		return nil
	})
}

var errSkip = errors.New("skip")

func (s *Service) getJob(ctx context.Context, id string) (jobRec, error) {
	if _, err := uuid.Parse(id); err != nil {
		return jobRec{}, valErr("1 validation error detected: Value '%s' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", id)
	}
	j, err := s.jobs.Get(ctx, core.ScopeKey(ctx)+id)
	if errors.Is(err, store.ErrNotFound) {
		return j, ErrJobNotFound.With("The job with id %s was not found", id)
	}
	return j, err
}

// CreateCustomActionType creates a custom action type for job workers.
func (s *Service) CreateCustomActionType(ctx context.Context, in *CreateCustomActionTypeInput) (*CreateCustomActionTypeOutput, error) {
	return dispatchDo(ctx, s, "CreateCustomActionType", in, func(ctx context.Context, in *CreateCustomActionTypeInput) (*CreateCustomActionTypeOutput, error) {
		switch in.Category {
		case "Source", "Build", "Deploy", "Test", "Invoke", "Approval":
		default:
			return nil, valErr("1 validation error detected: Value '%s' at 'category' failed to satisfy constraint: Member must satisfy enum value set: [Source, Build, Deploy, Test, Invoke, Approval]", in.Category)
		}
		if !providerRE.MatchString(in.Provider) {
			return nil, valErr("1 validation error detected: Value '%s' at 'provider' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z_-]+ and have length between 1 and 35", in.Provider)
		}
		if !versionRE.MatchString(in.Version) {
			return nil, valErr("1 validation error detected: Value '%s' at 'version' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z_-]+ and have length between 1 and 9", in.Version)
		}
		for _, d := range []*ArtifactDetails{in.InputArtifactDetails, in.OutputArtifactDetails} {
			if d == nil {
				return nil, valErr("1 validation error detected: Value null at 'inputArtifactDetails' failed to satisfy constraint: Member must not be null")
			}
			if d.MinimumCount < 0 || d.MaximumCount > 5 || d.MinimumCount > d.MaximumCount {
				return nil, valErr("Artifact counts must satisfy 0 <= minimumCount <= maximumCount <= 5")
			}
		}
		if len(in.ConfigurationProperties) > 10 {
			return nil, valErr("An action type takes at most 10 configuration properties")
		}
		queryable := 0
		seen := map[string]bool{}
		for _, p := range in.ConfigurationProperties {
			if p.Name == "" || len(p.Name) > 50 || seen[p.Name] {
				return nil, valErr("Configuration property names must be 1 to 50 characters and unique: %q", p.Name)
			}
			seen[p.Name] = true
			if p.Queryable {
				queryable++
				if !p.Required || p.Secret {
					return nil, valErr("A queryable configuration property must be required and not secret: %s", p.Name)
				}
			}
			switch p.Type {
			case "", "String", "Number", "Boolean":
			default:
				return nil, valErr("Configuration property %s has invalid type %s", p.Name, p.Type)
			}
		}
		if queryable > 1 {
			return nil, valErr("An action type takes at most one queryable configuration property")
		}
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		id := ActionTypeID{Category: in.Category, Owner: "Custom", Provider: in.Provider, Version: in.Version}
		all, err := s.types.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, err
		}
		if len(all) >= 50 {
			return nil, ErrLimitExceeded.With("The number of custom action types in this account and region has reached the limit of 50")
		}
		t := ActionType{ID: &id, Settings: in.Settings, ActionConfigurationProperties: in.ConfigurationProperties,
			InputArtifactDetails: in.InputArtifactDetails, OutputArtifactDetails: in.OutputArtifactDetails}
		if t.ActionConfigurationProperties == nil {
			t.ActionConfigurationProperties = []ActionConfigurationProperty{}
		}
		err = s.types.Create(ctx, typeKey(ctx, id), customTypeRec{Type: t, Tags: in.Tags, Created: s.env.Clock.Now()})
		if errors.Is(err, store.ErrExists) {
			return nil, valErr("ActionType (Category: '%s', Provider: '%s', Owner: 'Custom', Version: '%s') already exists or was deleted; use a new version", in.Category, in.Provider, in.Version)
		}
		if err != nil {
			return nil, err
		}
		return &CreateCustomActionTypeOutput{ActionType: &t, Tags: in.Tags}, nil
	})
}

// DeleteCustomActionType marks a custom action type deleted; its version cannot be reused.
func (s *Service) DeleteCustomActionType(ctx context.Context, in *DeleteCustomActionTypeInput) (*DeleteCustomActionTypeOutput, error) {
	return dispatchDo(ctx, s, "DeleteCustomActionType", in, func(ctx context.Context, in *DeleteCustomActionTypeInput) (*DeleteCustomActionTypeOutput, error) {
		id := ActionTypeID{Category: in.Category, Owner: "Custom", Provider: in.Provider, Version: in.Version}
		_, err := s.types.Update(ctx, typeKey(ctx, id), func(r *customTypeRec) error {
			if r.Deleted {
				return store.ErrNotFound
			}
			r.Deleted = true
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrActionTypeNotFound.With("ActionType (Category: '%s', Provider: '%s', Owner: 'Custom', Version: '%s') does not exist", in.Category, in.Provider, in.Version)
		}
		if err != nil {
			return nil, err
		}
		return &DeleteCustomActionTypeOutput{}, nil
	})
}

// PollForJobs hands out queued jobs of a custom action type.
func (s *Service) PollForJobs(ctx context.Context, in *PollForJobsInput) (*PollForJobsOutput, error) {
	return dispatchDo(ctx, s, "PollForJobs", in, func(ctx context.Context, in *PollForJobsInput) (*PollForJobsOutput, error) {
		if in.ActionTypeID == nil {
			return nil, valErr("1 validation error detected: Value null at 'actionTypeId' failed to satisfy constraint: Member must not be null")
		}
		id := *in.ActionTypeID
		if id.Owner != "Custom" {
			return nil, ErrActionTypeNotFound.With("Only custom action types (owner Custom) have jobs to poll")
		}
		typ, ok := s.lookupType(ctx, id)
		if !ok {
			return nil, ErrActionTypeNotFound.With("ActionType (Category: '%s', Provider: '%s', Owner: 'Custom', Version: '%s') does not exist", id.Category, id.Provider, id.Version)
		}
		max := int(in.MaxBatchSize)
		if max == 0 {
			max = 1
		}
		if max < 1 || max > 100 {
			return nil, valErr("1 validation error detected: Value '%d' at 'maxBatchSize' failed to satisfy constraint: Member must have value between 1 and 100", in.MaxBatchSize)
		}
		if len(in.QueryParam) > 1 {
			return nil, valErr("queryParam takes at most one entry")
		}
		for k := range in.QueryParam {
			ok := false
			for _, p := range typ.props {
				ok = ok || (p.Name == k && p.Queryable)
			}
			if !ok {
				return nil, valErr("Configuration property %s of the action type is not queryable", k)
			}
		}
		all, err := s.jobs.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, err
		}
		tk := typeString(id)
		out := &PollForJobsOutput{Jobs: []Job{}}
		for _, j := range all {
			if len(out.Jobs) >= max {
				break
			}
			if j.TypeKey != tk || j.Status != "Queued" {
				continue
			}
			match := true
			for k, v := range in.QueryParam {
				match = match && j.Job.Data.ActionConfiguration.Configuration[k] == v
			}
			if !match {
				continue
			}
			got, err := s.jobs.Update(ctx, core.ScopeKey(ctx)+j.Job.ID, func(r *jobRec) error {
				if r.Status != "Queued" {
					return errSkip
				}
				r.Status = "Dispatched"
				return nil
			})
			if err != nil {
				continue
			}
			out.Jobs = append(out.Jobs, got.Job)
		}
		return out, nil
	})
}

// AcknowledgeJob claims a dispatched job; the nonce must match.
func (s *Service) AcknowledgeJob(ctx context.Context, in *AcknowledgeJobInput) (*AcknowledgeJobOutput, error) {
	return dispatchDo(ctx, s, "AcknowledgeJob", in, func(ctx context.Context, in *AcknowledgeJobInput) (*AcknowledgeJobOutput, error) {
		j, err := s.getJob(ctx, in.JobID)
		if err != nil {
			return nil, err
		}
		if in.Nonce != j.Job.Nonce {
			return nil, ErrInvalidNonce.With("The nonce was specified in an invalid format or does not match the job")
		}
		got, err := s.jobs.Update(ctx, core.ScopeKey(ctx)+in.JobID, func(r *jobRec) error {
			if r.Status == "Queued" || r.Status == "Dispatched" {
				r.Status = "InProgress"
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &AcknowledgeJobOutput{Status: got.Status}, nil
	})
}

// GetJobDetails returns a job.
func (s *Service) GetJobDetails(ctx context.Context, in *GetJobDetailsInput) (*GetJobDetailsOutput, error) {
	return dispatchDo(ctx, s, "GetJobDetails", in, func(ctx context.Context, in *GetJobDetailsInput) (*GetJobDetailsOutput, error) {
		j, err := s.getJob(ctx, in.JobID)
		if err != nil {
			return nil, err
		}
		return &GetJobDetailsOutput{JobDetails: &JobDetails{ID: j.Job.ID, Data: j.Job.Data, AccountID: j.Job.AccountID}}, nil
	})
}

func (s *Service) finishJob(ctx context.Context, id string, out jobOutcome) error {
	j, err := s.getJob(ctx, id)
	if err != nil {
		return err
	}
	status := "Succeeded"
	if !out.success {
		status = "Failed"
	}
	_, err = s.jobs.Update(ctx, core.ScopeKey(ctx)+id, func(r *jobRec) error {
		if r.Status != "InProgress" {
			return ErrInvalidJobState.With("The job %s is %s; only an acknowledged (InProgress) job can be completed", id, r.Status)
		}
		r.Status = status
		return nil
	})
	if err != nil {
		return err
	}
	_ = j
	s.mu.Lock()
	ch := s.jobWaits[id]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- out:
		default:
		}
	}
	return nil
}

// PutJobSuccessResult completes a job, or, with a continuation token, asks for the next job
// of the same action.
func (s *Service) PutJobSuccessResult(ctx context.Context, in *PutJobSuccessResultInput) (*PutJobSuccessResultOutput, error) {
	return dispatchDo(ctx, s, "PutJobSuccessResult", in, func(ctx context.Context, in *PutJobSuccessResultInput) (*PutJobSuccessResultOutput, error) {
		size := 0
		keys := make([]string, 0, len(in.OutputVariables))
		for k, v := range in.OutputVariables {
			size += len(k) + len(v)
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if size > 122880 {
			return nil, ErrOutputVariablesSizeExceeded.With("The output variables exceed the size limit of 122880 bytes")
		}
		for _, k := range keys {
			if !varNameRE.MatchString(k) {
				return nil, valErr("Output variable name %q is invalid", k)
			}
		}
		if in.ContinuationToken != "" && len(in.OutputVariables) > 0 {
			return nil, valErr("Output variables can only be given with the final result (no continuation token)")
		}
		if len(in.ContinuationToken) > 2048 {
			return nil, valErr("The continuation token is longer than 2048 characters")
		}
		err := s.finishJob(ctx, in.JobID, jobOutcome{success: true, continuation: in.ContinuationToken, vars: in.OutputVariables, details: in.ExecutionDetails, revision: in.CurrentRevision})
		if err != nil {
			return nil, err
		}
		return &PutJobSuccessResultOutput{}, nil
	})
}

// PutJobFailureResult fails a job and its action.
func (s *Service) PutJobFailureResult(ctx context.Context, in *PutJobFailureResultInput) (*PutJobFailureResultOutput, error) {
	return dispatchDo(ctx, s, "PutJobFailureResult", in, func(ctx context.Context, in *PutJobFailureResultInput) (*PutJobFailureResultOutput, error) {
		f := in.FailureDetails
		if f == nil {
			return nil, valErr("1 validation error detected: Value null at 'failureDetails' failed to satisfy constraint: Member must not be null")
		}
		switch f.Type {
		case "JobFailed", "ConfigurationError", "PermissionError", "RevisionOutOfSync", "RevisionUnavailable", "SystemUnavailable":
		default:
			return nil, valErr("1 validation error detected: Value '%s' at 'failureDetails.type' failed to satisfy constraint: Member must satisfy enum value set: [JobFailed, ConfigurationError, PermissionError, RevisionOutOfSync, RevisionUnavailable, SystemUnavailable]", f.Type)
		}
		if f.Message == "" || len(f.Message) > 5000 {
			return nil, valErr("1 validation error detected: Value at 'failureDetails.message' failed to satisfy constraint: Member must have length between 1 and 5000")
		}
		if err := s.finishJob(ctx, in.JobID, jobOutcome{failure: f}); err != nil {
			return nil, err
		}
		return &PutJobFailureResultOutput{}, nil
	})
}

var _ = fmt.Sprint
