package codepipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// namedLoc is an artifact with its name.
type namedLoc struct {
	Name string
	Loc  artifactLoc
}

// actionRun is one action execution in progress.
type actionRun struct {
	r        *run
	stage    string
	decl     ActionDeclaration
	typ      resolvedType
	config   map[string]string // resolved
	aeID     string
	region   string
	in       []namedLoc
	out      []namedLoc
	approval *approvalWait
}

// actionResult is how an action ended.
type actionResult struct {
	Status      string // Succeeded, Failed
	Summary     string
	ExternalID  string
	ExternalURL string
	LogStream   string
	ErrCode     string
	ErrMsg      string
	Vars        map[string]string
	Revision    *ArtifactRevision // source actions
}

func failed(code, format string, args ...any) actionResult {
	msg := fmt.Sprintf(format, args...)
	return actionResult{Status: "Failed", ErrCode: code, ErrMsg: msg, Summary: msg}
}

// runAction runs one action and records it; it returns Succeeded, Failed, Abandoned or Closed.
func (r *run) runAction(stage string, a ActionDeclaration) string {
	s := r.s
	typ, typeOK := s.lookupType(r.ctx, *a.ActionTypeID)
	aeID := uuid.NewString()
	now := s.env.Clock.Now()
	region := a.Region
	if region == "" {
		region = r.rec.Region
	}

	r.mu.Lock()
	execID := r.rec.Exec.PipelineExecutionID
	version := r.rec.Exec.PipelineVersion
	artifacts := make(map[string]artifactLoc, len(r.rec.Artifacts))
	for k, v := range r.rec.Artifacts {
		artifacts[k] = v
	}
	resolved := map[string]string{}
	var rerr error
	for k, v := range a.Configuration {
		rv, err := resolveVars(v, r.rec.PipelineVars, r.rec.Vars, execID)
		if err != nil && rerr == nil {
			rerr = err
		}
		resolved[k] = rv
	}
	r.mu.Unlock()

	ar := &actionRun{r: r, stage: stage, decl: a, typ: typ, config: resolved, aeID: aeID, region: region}
	input := &ActionExecutionInput{ActionTypeID: a.ActionTypeID, Configuration: a.Configuration, ResolvedConfiguration: resolved,
		RoleArn: a.RoleArn, Region: region, Namespace: a.Namespace, InputArtifacts: []ArtifactDetail{}}
	for _, in := range a.InputArtifacts {
		loc, ok := artifacts[in.Name]
		if !ok && rerr == nil {
			rerr = fmt.Errorf("input artifact %s is not available in this execution", in.Name)
		}
		ar.in = append(ar.in, namedLoc{in.Name, loc})
		input.InputArtifacts = append(input.InputArtifacts, ArtifactDetail{Name: in.Name, S3Location: &S3Location{Bucket: loc.Bucket, Key: loc.Key}})
	}
	store, serr := r.rec.storeFor(a.Region)
	if serr != nil && rerr == nil {
		rerr = serr
	}
	for _, out := range a.OutputArtifacts {
		key := trunc(r.rec.Exec.PipelineName, 20) + "/" + trunc(out.Name, 20) + "/" + randomSuffix()
		ar.out = append(ar.out, namedLoc{out.Name, artifactLoc{Bucket: store.Location, Key: key}})
	}
	detail := ActionExecutionDetail{PipelineExecutionID: execID, ActionExecutionID: aeID, PipelineVersion: version, StageName: stage,
		ActionName: a.Name, StartTime: now, LastUpdateTime: now, Status: "InProgress", UpdatedBy: callerARN(r.ctx), Input: input}
	if a.ActionTypeID.Category == "Approval" && a.ActionTypeID.Provider == "Manual" && rerr == nil {
		// The token is known (and answerable) from the moment the action starts.
		ar.approval = &approvalWait{token: uuid.NewString(), scope: r.scope, pipeline: r.rec.Exec.PipelineName, stage: stage, action: a.Name, ch: make(chan ApprovalResult, 1)}
		s.mu.Lock()
		s.approvals[ar.approval.token] = ar.approval
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.approvals, ar.approval.token)
			s.mu.Unlock()
		}()
	}
	akey := actionKey(r.scope, r.rec.Exec.PipelineName, execID, aeID)
	seq := s.nextSeq()
	if !r.deleted.Load() {
		_ = s.actions.Put(r.ctx, akey, actionRec{Detail: detail, Seq: seq})
	}
	r.setActionStatus(stage, a.Name, "InProgress")
	r.updateState(func(st *stateRec) {
		ae := ActionExecution{ActionExecutionID: aeID, Status: "InProgress", LastStatusChange: now}
		if ar.approval != nil {
			ae.Token = ar.approval.token
		}
		st.stage(stage).Actions[a.Name] = ae
	})
	snap := r.snapshot()
	s.publishAction(r.ctx, &snap, &detail, "STARTED")

	var res actionResult
	switch {
	case rerr != nil:
		res = failed("ConfigurationError", "%v", rerr)
	case !typeOK:
		res = failed("ConfigurationError", "action type %s is not available", typeString(*a.ActionTypeID))
	default:
		actx, cancel := context.WithCancelCause(r.ctx)
		r.mu.Lock()
		abandoned := r.abandon
		r.actionCancels[aeID] = cancel
		r.mu.Unlock()
		if abandoned {
			cancel(errAbandoned)
		}
		timer := s.env.Clock.AfterFunc(actionTimeout(a, typ), func() { cancel(errActionTimeout) })
		res = s.execAction(actx, ar)
		timer.Stop()
		cause := context.Cause(actx)
		r.mu.Lock()
		delete(r.actionCancels, aeID)
		r.mu.Unlock()
		cancel(nil)
		switch {
		case r.closing() && !r.deleted.Load():
			return "Closed"
		case errors.Is(cause, errAbandoned):
			res.Status, res.Summary = "Abandoned", "Abandoned by StopPipelineExecution"
		case errors.Is(cause, errActionTimeout) && res.Status != "Succeeded":
			res = failed("TimedOut", "The action timed out after %s", actionTimeout(a, typ))
			if a.ActionTypeID.Category == "Approval" {
				res.Summary = "The approval request expired after " + actionTimeout(a, typ).String()
			}
		}
	}

	end := s.env.Clock.Now()
	detail.Status, detail.LastUpdateTime = res.Status, end
	result := &ActionExecutionResult{ExternalExecutionID: res.ExternalID, ExternalExecutionSummary: res.Summary, ExternalExecutionURL: res.ExternalURL, LogStreamARN: res.LogStream}
	if res.Status == "Failed" {
		result.ErrorDetails = &ErrorDetails{Code: res.ErrCode, Message: res.ErrMsg}
	}
	detail.Output = &ActionExecutionOutput{ExecutionResult: result, OutputVariables: res.Vars}
	if res.Status == "Succeeded" {
		for _, o := range ar.out {
			detail.Output.OutputArtifacts = append(detail.Output.OutputArtifacts, ArtifactDetail{Name: o.Name, S3Location: &S3Location{Bucket: o.Loc.Bucket, Key: o.Loc.Key}})
		}
		r.mu.Lock()
		for _, o := range ar.out {
			loc := o.Loc
			if res.Revision != nil {
				loc.Revision = res.Revision.RevisionID
			}
			r.rec.Artifacts[o.Name] = loc
		}
		if a.Namespace != "" {
			vars := map[string]string{}
			for k, v := range res.Vars {
				vars[k] = v
			}
			r.rec.Vars[a.Namespace] = vars
		}
		if rev := res.Revision; rev != nil {
			for _, o := range ar.out {
				rv := *rev
				rv.Name = o.Name
				r.rec.Exec.ArtifactRevisions = append(r.rec.Exec.ArtifactRevisions, rv)
			}
			r.rec.SourceRevisions = append(r.rec.SourceRevisions, SourceRevision{ActionName: a.Name, RevisionID: rev.RevisionID, RevisionSummary: rev.RevisionSummary, RevisionURL: rev.RevisionURL})
		}
		r.mu.Unlock()
	}
	r.setActionStatus(stage, a.Name, res.Status)
	if !r.deleted.Load() {
		_ = s.actions.Put(r.ctx, akey, actionRec{Detail: detail, Seq: seq})
	}
	entity := expandURL(typ.entity, region, res.ExternalID, resolved)
	_ = entity
	r.updateState(func(st *stateRec) {
		ss := st.stage(stage)
		cur := ss.Actions[a.Name]
		if cur.ActionExecutionID != aeID && cur.ActionExecutionID != "" && cur.LastStatusChange.After(end) {
			return
		}
		ae := ActionExecution{ActionExecutionID: aeID, Status: res.Status, Summary: res.Summary, LastStatusChange: end, LastUpdatedBy: detail.UpdatedBy,
			ExternalExecutionID: res.ExternalID, ExternalExecutionURL: res.ExternalURL, LogStreamARN: res.LogStream}
		if res.Status == "Succeeded" {
			ae.PercentComplete = 100
		}
		if result.ErrorDetails != nil {
			ae.ErrorDetails = result.ErrorDetails
		}
		if cur.Token != "" {
			ae.Token = cur.Token
		}
		ss.Actions[a.Name] = ae
		if res.Revision != nil && res.Status == "Succeeded" {
			if ss.Revisions == nil {
				ss.Revisions = map[string]ActionRevision{}
			}
			ss.Revisions[a.Name] = ActionRevision{RevisionID: res.Revision.RevisionID, RevisionChangeID: res.Revision.RevisionChangeIdentifier, Created: res.Revision.Created}
		}
	})
	snap = r.snapshot()
	s.publishAction(r.ctx, &snap, &detail, eventState(res.Status))
	return res.Status
}

func (r *run) setActionStatus(stage, action, status string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sr := r.rec.Stages[stage]
	if sr == nil {
		sr = &stageRun{Status: "InProgress"}
		r.rec.Stages[stage] = sr
	}
	if sr.Actions == nil {
		sr.Actions = map[string]string{}
	}
	sr.Actions[action] = status
}

// setLatest changes the action's entry in GetPipelineState while it runs (token, progress).
func (ar *actionRun) setLatest(fn func(*ActionExecution)) {
	ar.r.updateState(func(st *stateRec) {
		ss := st.stage(ar.stage)
		ae := ss.Actions[ar.decl.Name]
		if ae.ActionExecutionID != ar.aeID {
			return
		}
		fn(&ae)
		ss.Actions[ar.decl.Name] = ae
	})
}

// execAction runs the executor of the action's provider.
func (s *Service) execAction(ctx context.Context, ar *actionRun) actionResult {
	id := *ar.decl.ActionTypeID
	if ar.typ.custom {
		return s.runJob(ctx, ar, "")
	}
	switch id.Category + "/" + id.Provider {
	case "Source/CodeCommit":
		return s.runCodeCommitSource(ctx, ar)
	case "Source/S3":
		return s.runS3Source(ctx, ar)
	case "Build/CodeBuild", "Test/CodeBuild":
		return s.runCodeBuild(ctx, ar)
	case "Deploy/CodeDeploy":
		return s.runCodeDeploy(ctx, ar)
	case "Deploy/CloudFormation":
		return s.runCloudFormation(ctx, ar)
	case "Deploy/S3":
		return s.runS3Deploy(ctx, ar)
	case "Approval/Manual":
		return s.runApproval(ctx, ar)
	case "Invoke/Lambda":
		return s.runJob(ctx, ar, ar.config["FunctionName"])
	}
	return failed("ConfigurationError", "devopsim does not run %s actions", typeString(id))
}

func ctxFailure(ctx context.Context, what string, err error) actionResult {
	if ctx.Err() != nil {
		return failed("JobFailed", "%s was cancelled: %v", what, context.Cause(ctx))
	}
	return failed("JobFailed", "%s: %v", what, err)
}

func (s *Service) putArtifact(ctx context.Context, loc artifactLoc, data []byte) error {
	return s.env.Objects.PutObject(ctx, loc.Bucket, loc.Key, data)
}

func (s *Service) getArtifact(ctx context.Context, loc artifactLoc) ([]byte, error) {
	return s.env.Objects.GetObject(ctx, loc.Bucket, loc.Key)
}

// --- Source: CodeCommit ---

func (s *Service) runCodeCommitSource(ctx context.Context, ar *actionRun) actionResult {
	if s.deps.CodeCommit == nil {
		return failed("ConfigurationError", "CodeCommit is not wired to this CodePipeline")
	}
	repo, branch := ar.config["RepositoryName"], ar.config["BranchName"]
	ref := branch
	ar.r.mu.Lock()
	for _, o := range ar.r.rec.Overrides {
		if o.ActionName == ar.decl.Name && o.RevisionType == "COMMIT_ID" {
			ref = o.RevisionValue
		}
	}
	ar.r.mu.Unlock()
	data, c, err := s.deps.CodeCommit.Snapshot(ctx, repo, ref)
	if err != nil {
		if ctx.Err() != nil {
			return ctxFailure(ctx, "source", err)
		}
		return failed("JobFailed", "Could not access the CodeCommit repository %s or branch %s: %v", repo, ref, err)
	}
	if len(ar.out) > 0 {
		if err := s.putArtifact(ctx, ar.out[0].Loc, data); err != nil {
			return failed("JobFailed", "Could not upload the source artifact: %v", err)
		}
	}
	when := c.CommitterDate
	if when.IsZero() {
		when = c.AuthorDate
	}
	summary := strings.TrimSpace(c.Message)
	return actionResult{Status: "Succeeded", Summary: summary, ExternalID: c.ID,
		ExternalURL: fmt.Sprintf("https://console.aws.amazon.com/codecommit/home?region=%s#/repository/%s/commit/%s", ar.region, repo, c.ID),
		Vars: map[string]string{"CommitId": c.ID, "CommitMessage": c.Message, "AuthorDate": fmtTime(c.AuthorDate), "CommitterDate": fmtTime(c.CommitterDate),
			"BranchName": branch, "RepositoryName": repo},
		Revision: &ArtifactRevision{RevisionID: c.ID, RevisionSummary: summary, Created: when,
			RevisionURL: fmt.Sprintf("https://console.aws.amazon.com/codecommit/home?region=%s#/repository/%s/commit/%s", ar.region, repo, c.ID)}}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// --- Source: S3 ---

func (s *Service) runS3Source(ctx context.Context, ar *actionRun) actionResult {
	bucket, key := ar.config["S3Bucket"], ar.config["S3ObjectKey"]
	ar.r.mu.Lock()
	for _, o := range ar.r.rec.Overrides {
		if o.ActionName == ar.decl.Name {
			switch o.RevisionType {
			case "S3_OBJECT_KEY":
				key = o.RevisionValue
			case "S3_OBJECT_VERSION_ID":
				ar.r.mu.Unlock()
				return failed("ConfigurationError", "S3 object versions are not kept by devopsim's S3; version %s cannot be fetched", o.RevisionValue)
			}
		}
	}
	ar.r.mu.Unlock()
	data, err := s.env.Objects.GetObject(ctx, bucket, key)
	if err != nil {
		return failed("JobFailed", "The object with key '%s' does not exist in bucket '%s': %v", key, bucket, err)
	}
	sum := md5.Sum(data)
	etag := hex.EncodeToString(sum[:])
	if err := s.putArtifact(ctx, ar.out[0].Loc, data); err != nil {
		return failed("JobFailed", "Could not upload the source artifact: %v", err)
	}
	return actionResult{Status: "Succeeded", Summary: "s3://" + bucket + "/" + key, ExternalID: etag,
		Vars:     map[string]string{"ETag": etag, "ObjectKey": key},
		Revision: &ArtifactRevision{RevisionID: etag, RevisionSummary: "s3://" + bucket + "/" + key, Created: s.env.Clock.Now()}}
}

// --- Build and Test: CodeBuild ---

type cbEnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

func (s *Service) runCodeBuild(ctx context.Context, ar *actionRun) actionResult {
	if s.deps.Builds == nil {
		return failed("ConfigurationError", "CodeBuild is not wired to this CodePipeline")
	}
	if strings.EqualFold(ar.config["BatchEnabled"], "true") {
		return failed("ConfigurationError", "batch builds are not supported by devopsim")
	}
	req := BuildRequest{ProjectName: ar.config["ProjectName"], Initiator: "codepipeline/" + ar.r.rec.Exec.PipelineName, SecondarySources: map[string]S3Loc{}}
	if ev := ar.config["EnvironmentVariables"]; ev != "" {
		var vars []cbEnvVar
		if err := json.Unmarshal([]byte(ev), &vars); err != nil {
			return failed("ConfigurationError", "EnvironmentVariables is not a JSON list of {name, value, type}: %v", err)
		}
		for _, v := range vars {
			if v.Name == "" {
				return failed("ConfigurationError", "EnvironmentVariables: a variable has no name")
			}
			t := v.Type
			if t == "" {
				t = "PLAINTEXT"
			}
			req.EnvironmentVariables = append(req.EnvironmentVariables, EnvironmentVariable{Name: v.Name, Value: v.Value, Type: t})
		}
	}
	primary := ar.config["PrimarySource"]
	if primary == "" && len(ar.in) > 0 {
		primary = ar.in[0].Name
	}
	found := false
	for _, in := range ar.in {
		if in.Name == primary {
			req.Source, req.SourceVersion, found = S3Loc{in.Loc.Bucket, in.Loc.Key}, in.Loc.Revision, true
		} else {
			req.SecondarySources[in.Name] = S3Loc{in.Loc.Bucket, in.Loc.Key}
		}
	}
	if !found {
		return failed("ConfigurationError", "PrimarySource %s is not an input artifact of the action", primary)
	}
	for _, o := range ar.out {
		req.Outputs = append(req.Outputs, BuildOutput{Name: o.Name, Location: S3Loc{o.Loc.Bucket, o.Loc.Key}})
	}
	id, err := s.deps.Builds.StartBuild(ctx, req)
	if err != nil {
		return failed("JobFailed", "Could not start the CodeBuild build of project %s: %v", req.ProjectName, err)
	}
	url := expandURL("https://console.aws.amazon.com/codebuild/home?region={region}#/builds/{ExternalExecutionId}/view/new", ar.region, id, nil)
	ar.setLatest(func(ae *ActionExecution) { ae.ExternalExecutionID, ae.ExternalExecutionURL = id, url })
	res, err := s.deps.Builds.WaitBuild(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			_ = s.deps.Builds.StopBuild(context.WithoutCancel(ctx), id)
		}
		r := ctxFailure(ctx, "build "+id, err)
		r.ExternalID, r.ExternalURL = id, url
		return r
	}
	out := actionResult{ExternalID: id, ExternalURL: url, LogStream: res.LogStreamARN, Vars: res.ExportedVariables}
	if res.Status == "SUCCEEDED" {
		out.Status = "Succeeded"
		return out
	}
	msg := "Build terminated with state: " + res.Status
	if res.Message != "" {
		msg += ". " + res.Message
	}
	out.Status, out.ErrCode, out.ErrMsg, out.Summary = "Failed", "JobFailed", msg, msg
	return out
}

// --- Deploy: CodeDeploy ---

func (s *Service) runCodeDeploy(ctx context.Context, ar *actionRun) actionResult {
	if s.deps.Deployments == nil {
		return failed("ConfigurationError", "CodeDeploy is not wired to this CodePipeline")
	}
	in := ar.in[0].Loc
	req := DeployRequest{ApplicationName: ar.config["ApplicationName"], DeploymentGroupName: ar.config["DeploymentGroupName"],
		Revision: S3Loc{in.Bucket, in.Key}, BundleType: "zip", Description: "Deployment by CodePipeline " + ar.r.rec.Exec.PipelineName}
	id, err := s.deps.Deployments.CreateDeployment(ctx, req)
	if err != nil {
		return failed("JobFailed", "Could not create the CodeDeploy deployment: %v", err)
	}
	url := fmt.Sprintf("https://console.aws.amazon.com/codedeploy/home?region=%s#/deployments/%s", ar.region, id)
	ar.setLatest(func(ae *ActionExecution) { ae.ExternalExecutionID, ae.ExternalExecutionURL = id, url })
	res, err := s.deps.Deployments.WaitDeployment(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			_ = s.deps.Deployments.StopDeployment(context.WithoutCancel(ctx), id)
		}
		r := ctxFailure(ctx, "deployment "+id, err)
		r.ExternalID, r.ExternalURL = id, url
		return r
	}
	if res.Status == "Succeeded" {
		return actionResult{Status: "Succeeded", ExternalID: id, ExternalURL: url, Summary: "Deployment " + id + " succeeded"}
	}
	r := failed("JobFailed", "Deployment %s %s: %s", id, strings.ToLower(res.Status), res.Message)
	r.ExternalID, r.ExternalURL = id, url
	return r
}

// --- Deploy: S3 ---

func (s *Service) runS3Deploy(ctx context.Context, ar *actionRun) actionResult {
	data, err := s.getArtifact(ctx, ar.in[0].Loc)
	if err != nil {
		return failed("JobFailed", "Could not read input artifact %s: %v", ar.in[0].Name, err)
	}
	bucket, key := ar.config["BucketName"], ar.config["ObjectKey"]
	if !strings.EqualFold(ar.config["Extract"], "true") {
		if err := s.env.Objects.PutObject(ctx, bucket, key, data); err != nil {
			return failed("JobFailed", "Could not upload s3://%s/%s: %v", bucket, key, err)
		}
		return actionResult{Status: "Succeeded", Summary: "Uploaded s3://" + bucket + "/" + key}
	}
	files, err := unzipAll(data)
	if err != nil {
		return failed("JobFailed", "Input artifact %s is not a zip archive: %v", ar.in[0].Name, err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k := n
		if key != "" {
			k = strings.TrimSuffix(key, "/") + "/" + n
		}
		if err := s.env.Objects.PutObject(ctx, bucket, k, files[n]); err != nil {
			return failed("JobFailed", "Could not upload s3://%s/%s: %v", bucket, k, err)
		}
	}
	return actionResult{Status: "Succeeded", Summary: fmt.Sprintf("Extracted %d files to s3://%s/%s", len(names), bucket, key)}
}

// unzipAll reads every regular file of a zip archive, with cleaned relative names.
func unzipAll(data []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := strings.TrimPrefix(path.Clean("/"+f.Name), "/")
		if name == "" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(rc, 1<<30))
		rc.Close()
		if err != nil {
			return nil, err
		}
		out[name] = b
	}
	return out, nil
}

// --- Approval: Manual ---

type approvalWait struct {
	token, scope, pipeline, stage, action string
	ch                                    chan ApprovalResult
}

func (s *Service) runApproval(ctx context.Context, ar *actionRun) actionResult {
	w := ar.approval
	if w == nil {
		return failed("ConfigurationError", "approval action without a token")
	}
	token := w.token
	if arn := ar.config["NotificationArn"]; arn != "" {
		if s.deps.Topics == nil {
			return failed("ConfigurationError", "SNS is not wired to this CodePipeline; cannot notify %s", arn)
		}
		msg := approvalMessage(ar, token)
		if _, err := s.deps.Topics.PublishToTopic(ctx, arn, "APPROVAL NEEDED: AWS CodePipeline "+ar.r.rec.Exec.PipelineName+" for action "+ar.decl.Name, msg); err != nil {
			return failed("JobFailed", "Could not publish the approval notification to %s: %v", arn, err)
		}
	}
	select {
	case res := <-w.ch:
		if res.Status == "Approved" {
			return actionResult{Status: "Succeeded", Summary: res.Summary, Vars: map[string]string{"ApprovalStatus": "Approved", "ApprovalSummary": res.Summary}}
		}
		r := failed("JobFailed", "%s", res.Summary)
		r.Summary = res.Summary
		return r
	case <-ctx.Done():
		_ = s.tokens.Put(context.WithoutCancel(ctx), ar.r.scope+"approval/"+token, "Expired")
		return failed("JobFailed", "approval cancelled: %v", context.Cause(ctx))
	}
}

func approvalMessage(ar *actionRun, token string) string {
	m := map[string]any{
		"region": ar.region, "consoleLink": fmt.Sprintf("https://console.aws.amazon.com/codesuite/codepipeline/pipelines/%s/view?region=%s", ar.r.rec.Exec.PipelineName, ar.region),
		"approval": map[string]string{
			"pipelineName": ar.r.rec.Exec.PipelineName, "stageName": ar.stage, "actionName": ar.decl.Name, "token": token,
			"expires":            ar.r.s.env.Clock.Now().Add(actionTimeout(ar.decl, ar.typ)).UTC().Format(time.RFC3339),
			"externalEntityLink": ar.config["ExternalEntityLink"], "customData": ar.config["CustomData"],
		},
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func newZipWriter(w io.Writer) *zip.Writer { return zip.NewWriter(w) }
