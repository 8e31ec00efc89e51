package codepipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cpsdk "github.com/aws/aws-sdk-go-v2/service/codepipeline"
	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codepipeline"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var ctx = context.Background()

func TestSourceBuildDeployFlow(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("a", 40), "first commit", map[string]string{"index.html": "v1"})
	b := build("Build", "web", "Src", "BuildOut")
	b.Configuration["EnvironmentVariables"] = `[{"name":"COMMIT","value":"#{SourceVariables.CommitId}","type":"PLAINTEXT"},{"name":"EXEC","value":"#{codepipeline.PipelineExecutionId}"}]`
	b.Namespace = "BuildVariables"
	dep := act("Deploy", "Deploy", "CodeDeploy", map[string]string{"ApplicationName": "web", "DeploymentGroupName": "#{BuildVariables.BUILT_FROM}"}, []string{"BuildOut"}, nil)
	id := h.create(pipeline("flow", stage("Source", source("Source")), stage("Build", b), stage("Deploy", dep)))
	if st := h.waitDone("flow", id); st != "Succeeded" {
		t.Fatalf("execution %s, want Succeeded", st)
	}
	// The build got the source artifact and the resolved variables.
	if len(h.builds.requests()) != 1 {
		t.Fatalf("builds = %d", len(h.builds.requests()))
	}
	req := h.builds.requests()[0]
	if req.SourceVersion != strings.Repeat("a", 40) || req.Initiator != "codepipeline/flow" {
		t.Errorf("build request %+v", req)
	}
	env := map[string]string{}
	for _, v := range req.EnvironmentVariables {
		env[v.Name] = v.Value
	}
	if env["COMMIT"] != strings.Repeat("a", 40) || env["EXEC"] != id {
		t.Errorf("env %v", env)
	}
	if !strings.HasPrefix(req.Source.Key, "flow/Src/") || req.Source.Bucket != "artifacts-bucket" {
		t.Errorf("source location %+v", req.Source)
	}
	// The deployment got the build's output, and a variable of the build resolved.
	dreqs, dfiles := h.deps.requests()
	if len(dreqs) != 1 || dreqs[0].DeploymentGroupName != strings.Repeat("a", 40) {
		t.Fatalf("deployments %+v", dreqs)
	}
	if got := dfiles[0]; got["index.html"] != "v1" || got["build.txt"] != "built by web" {
		t.Errorf("deployed files %v", got)
	}
	// Execution record.
	ex, err := h.cp.GetPipelineExecution(ctx, &cpsdk.GetPipelineExecutionInput{PipelineName: aws.String("flow"), PipelineExecutionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	pe := ex.PipelineExecution
	if string(pe.Status) != "Succeeded" || len(pe.ArtifactRevisions) != 1 || *pe.ArtifactRevisions[0].RevisionId != strings.Repeat("a", 40) ||
		*pe.ArtifactRevisions[0].RevisionSummary != "first commit" || string(pe.Trigger.TriggerType) != "CreatePipeline" {
		t.Errorf("execution %+v", pe)
	}
	// Action executions: newest first, with artifacts, resolved configuration and variables.
	ae, err := h.svc.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: "flow", Filter: &codepipeline.ActionExecutionFilter{PipelineExecutionID: id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ae.ActionExecutionDetails) != 3 || ae.ActionExecutionDetails[0].ActionName != "Deploy" || ae.ActionExecutionDetails[2].ActionName != "Source" {
		t.Fatalf("action executions %+v", ae.ActionExecutionDetails)
	}
	src := ae.ActionExecutionDetails[2]
	if src.Output.OutputVariables["CommitId"] != strings.Repeat("a", 40) || src.Output.OutputVariables["BranchName"] != "main" ||
		src.Output.OutputVariables["CommitMessage"] != "first commit" || src.Output.OutputVariables["AuthorDate"] != "2026-01-02T03:04:05Z" {
		t.Errorf("source variables %v", src.Output.OutputVariables)
	}
	dd := ae.ActionExecutionDetails[0]
	if dd.Input.ResolvedConfiguration["DeploymentGroupName"] != strings.Repeat("a", 40) || dd.Input.Configuration["DeploymentGroupName"] != "#{BuildVariables.BUILT_FROM}" {
		t.Errorf("resolved configuration %+v", dd.Input)
	}
	if dd.Input.InputArtifacts[0].S3Location.Key != ae.ActionExecutionDetails[1].Output.OutputArtifacts[0].S3Location.Key {
		t.Errorf("deploy input %+v is not the build output %+v", dd.Input.InputArtifacts, ae.ActionExecutionDetails[1].Output.OutputArtifacts)
	}
	// State.
	st, err := h.svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: "flow"})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.StageStates) != 3 || st.StageStates[2].LatestExecution.Status != "Succeeded" || st.StageStates[0].ActionStates[0].CurrentRevision.RevisionID != strings.Repeat("a", 40) ||
		!strings.Contains(st.StageStates[1].ActionStates[0].EntityURL, "projects/web") {
		t.Errorf("state %+v", st)
	}
	// Events: pipeline STARTED..SUCCEEDED, 3 stages x 2, 3 actions x 2.
	if n := len(h.waitEvents("CodePipeline Pipeline Execution State Change", 2)); n != 2 {
		t.Errorf("pipeline events %d", n)
	}
	if n := len(h.waitEvents("CodePipeline Stage Execution State Change", 6)); n != 6 {
		t.Errorf("stage events %d", n)
	}
	acts := h.waitEvents("CodePipeline Action Execution State Change", 6)
	if len(acts) != 6 {
		t.Errorf("action events %d", len(acts))
	}
	var d map[string]any
	json.Unmarshal(acts[len(acts)-1].Detail, &d)
	if d["state"] != "SUCCEEDED" || d["action"] != "Deploy" || d["pipeline"] != "flow" || d["execution-id"] != id {
		t.Errorf("action event %v", d)
	}
}

func TestParallelRunOrder(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("b", 40), "c", map[string]string{"f": "1"})
	g1, g2 := h.builds.gate("unit"), h.builds.gate("lint")
	t2 := act("Package", "Build", "CodeBuild", map[string]string{"ProjectName": "package"}, []string{"Src"}, nil)
	t2.RunOrder = 2
	u := build("Unit", "unit", "Src", "")
	l := build("Lint", "lint", "Src", "")
	id := h.create(pipeline("par", stage("Source", source("Source")), stage("Test", u, l, t2)))
	h.waitFor("both runOrder 1 builds running", func() bool {
		return h.action("par", "Test", "Unit").Status == "InProgress" && h.action("par", "Test", "Lint").Status == "InProgress" && h.builds.nowRunning() == 2
	})
	if h.action("par", "Test", "Package").Status != "" {
		t.Fatal("runOrder 2 started before runOrder 1 finished")
	}
	close(g1)
	h.waitFor("unit done", func() bool { return h.action("par", "Test", "Unit").Status == "Succeeded" })
	if h.action("par", "Test", "Package").Status != "" {
		t.Fatal("runOrder 2 started before all of runOrder 1 finished")
	}
	close(g2)
	if st := h.waitDone("par", id); st != "Succeeded" {
		t.Fatalf("status %s", st)
	}
	if h.builds.maxRunning() != 2 {
		t.Errorf("max concurrent builds %d, want 2", h.builds.maxRunning())
	}
}

func TestExecutionModes(t *testing.T) {
	for _, mode := range []string{"SUPERSEDED", "QUEUED", "PARALLEL"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, clock.Real())
			h.cc.push("app", "main", strings.Repeat("c", 40), "c", map[string]string{"f": "1"})
			gate := h.builds.gate("slow")
			p := pipeline("modes", stage("Source", source("Source")), stage("Build", build("Build", "slow", "Src", "")))
			p.PipelineType, p.ExecutionMode = "V2", mode
			if mode == "SUPERSEDED" {
				p.PipelineType = "V1"
			}
			first := h.create(p)
			h.waitFor("first build running", func() bool { return h.action("modes", "Build", "Build").Status == "InProgress" })
			second := h.start("modes")
			third := h.start("modes")
			switch mode {
			case "SUPERSEDED":
				h.waitFor("second superseded", func() bool { return h.execStatus("modes", second) == "Superseded" })
				h.waitFor("third waiting at Build", func() bool {
					st, _ := h.svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: "modes"})
					in := st.StageStates[1].InboundExecution
					return in != nil && in.PipelineExecutionID == third
				})
			case "QUEUED":
				h.waitFor("both waiting", func() bool {
					st, _ := h.svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: "modes"})
					return len(st.StageStates[1].InboundExecutions) == 2
				})
			case "PARALLEL":
				h.waitFor("three builds", func() bool { return h.builds.nowRunning() == 3 })
			}
			close(gate)
			if st := h.waitDone("modes", first); st != "Succeeded" {
				t.Fatalf("first %s", st)
			}
			if st := h.waitDone("modes", third); st != "Succeeded" {
				t.Fatalf("third %s", st)
			}
			want := "Succeeded"
			if mode == "SUPERSEDED" {
				want = "Superseded"
			}
			if st := h.waitDone("modes", second); st != want {
				t.Fatalf("second %s, want %s", st, want)
			}
			if mode == "QUEUED" {
				// Queued executions run in order: the builds started first, second, third.
				if len(h.builds.requests()) != 3 {
					t.Fatalf("builds %d", len(h.builds.requests()))
				}
			}
		})
	}
}

func approvalPipeline(name string) codepipeline.PipelineDeclaration {
	ap := act("Approve", "Approval", "Manual", map[string]string{"CustomData": "please look", "NotificationArn": "arn:aws:sns:us-east-1:000000000000:approvals"}, nil, nil)
	return pipeline(name, stage("Source", source("Source")), stage("Approval", ap), stage("Build", build("Build", "web", "Src", "")))
}

func TestApproval(t *testing.T) {
	for _, tc := range []struct {
		name, status, want string
	}{{"approve", "Approved", "Succeeded"}, {"reject", "Rejected", "Failed"}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, clock.Real())
			h.cc.push("app", "main", strings.Repeat("d", 40), "c", map[string]string{"f": "1"})
			id := h.create(approvalPipeline("ap"))
			var token string
			h.waitFor("approval token and notification", func() bool {
				token = h.action("ap", "Approval", "Approve").Token
				return token != "" && len(h.topics.messages()) == 1
			})
			if msgs := h.topics.messages(); len(msgs) != 1 || !strings.Contains(msgs[0], token) || !strings.Contains(msgs[0], "please look") {
				t.Errorf("notification %v", msgs)
			}
			// Bad tokens and names.
			res := &codepipeline.ApprovalResult{Status: tc.status, Summary: "looks " + tc.name}
			_, err := h.svc.PutApprovalResult(ctx, &codepipeline.PutApprovalResultInput{PipelineName: "ap", StageName: "Approval", ActionName: "Approve", Result: res, Token: "5e2b3c4d-0000-4000-8000-000000000000"})
			if !errors.Is(err, codepipeline.ErrInvalidApprovalToken) {
				t.Errorf("wrong token: %v", err)
			}
			_, err = h.svc.PutApprovalResult(ctx, &codepipeline.PutApprovalResultInput{PipelineName: "ap", StageName: "Build", ActionName: "Build", Result: res, Token: token})
			if !errors.Is(err, codepipeline.ErrActionNotFound) {
				t.Errorf("not an approval: %v", err)
			}
			_, err = h.svc.PutApprovalResult(ctx, &codepipeline.PutApprovalResultInput{PipelineName: "ap", StageName: "Nope", ActionName: "Approve", Result: res, Token: token})
			if !errors.Is(err, codepipeline.ErrStageNotFound) {
				t.Errorf("missing stage: %v", err)
			}
			out, err := h.svc.PutApprovalResult(ctx, &codepipeline.PutApprovalResultInput{PipelineName: "ap", StageName: "Approval", ActionName: "Approve", Result: res, Token: token})
			if err != nil || out.ApprovedAt.IsZero() {
				t.Fatalf("PutApprovalResult: %v", err)
			}
			_, err = h.svc.PutApprovalResult(ctx, &codepipeline.PutApprovalResultInput{PipelineName: "ap", StageName: "Approval", ActionName: "Approve", Result: res, Token: token})
			if !errors.Is(err, codepipeline.ErrApprovalAlreadyCompleted) {
				t.Errorf("second answer: %v", err)
			}
			if st := h.waitDone("ap", id); st != tc.want {
				t.Fatalf("status %s, want %s", st, tc.want)
			}
			if a := h.action("ap", "Approval", "Approve"); a.Summary != "looks "+tc.name || a.Token != "" {
				t.Errorf("approval state %+v", a)
			}
		})
	}
}

func TestApprovalTimesOutOnThePlatformClock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout int32
		after   time.Duration
	}{{"default 7 days", 0, 7 * 24 * time.Hour}, {"timeoutInMinutes", 60, time.Hour}} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewManual(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
			h := newHarness(t, clk)
			h.cc.push("app", "main", strings.Repeat("e", 40), "c", map[string]string{"f": "1"})
			p := approvalPipeline("to")
			p.Stages[1].Actions[0].TimeoutInMinutes = tc.timeout
			id := h.create(p)
			h.waitFor("approval pending", func() bool { return h.action("to", "Approval", "Approve").Token != "" })
			// The approval's timeout timer is armed just after its token shows: wait for it, or
			// advancing first would schedule it from the advanced time.
			deadline := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(tc.after)
			h.waitFor("approval timer", func() bool { next, ok := clk.Next(); return ok && !next.Before(deadline) })
			clk.Advance(tc.after - time.Minute)
			if st := h.execStatus("to", id); st != "InProgress" {
				t.Fatalf("before the timeout: %s", st)
			}
			clk.Advance(time.Minute)
			if st := h.waitDone("to", id); st != "Failed" {
				t.Fatalf("status %s", st)
			}
			a := h.action("to", "Approval", "Approve")
			if a.Status != "Failed" || a.ErrorDetails == nil || a.ErrorDetails.Code != "TimedOut" {
				t.Errorf("approval %+v", a)
			}
		})
	}
}

func TestRetryStage(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("f", 40), "c", map[string]string{"f": "1"})
	h.builds.setFail("flaky", 1)
	ok := build("Ok", "ok", "Src", "")
	flaky := build("Flaky", "flaky", "Src", "")
	id := h.create(pipeline("retry", stage("Source", source("Source")), stage("Build", ok, flaky)))
	if st := h.waitDone("retry", id); st != "Failed" {
		t.Fatalf("status %s", st)
	}
	ex, _ := h.svc.GetPipelineExecution(ctx, &codepipeline.GetPipelineExecutionInput{PipelineName: "retry", PipelineExecutionID: id})
	if !strings.Contains(ex.PipelineExecution.StatusSummary, "Flaky") {
		t.Errorf("summary %q", ex.PipelineExecution.StatusSummary)
	}
	if a := h.action("retry", "Build", "Flaky"); a.ErrorDetails == nil || !strings.Contains(a.ErrorDetails.Message, "FAILED") {
		t.Errorf("failed action %+v", a)
	}
	_, err := h.svc.RetryStageExecution(ctx, &codepipeline.RetryStageExecutionInput{PipelineName: "retry", StageName: "Source", PipelineExecutionID: id, RetryMode: "FAILED_ACTIONS"})
	if !errors.Is(err, codepipeline.ErrStageNotRetryable) {
		t.Errorf("retry of a succeeded stage: %v", err)
	}
	_, err = h.svc.RetryStageExecution(ctx, &codepipeline.RetryStageExecutionInput{PipelineName: "retry", StageName: "Build", PipelineExecutionID: id, RetryMode: "SOME"})
	if !errors.Is(err, codepipeline.ErrValidation) {
		t.Errorf("bad mode: %v", err)
	}
	builds := len(h.builds.requests())
	if _, err := h.svc.RetryStageExecution(ctx, &codepipeline.RetryStageExecutionInput{PipelineName: "retry", StageName: "Build", PipelineExecutionID: id, RetryMode: "FAILED_ACTIONS"}); err != nil {
		t.Fatal(err)
	}
	if st := h.waitDone("retry", id); st != "Succeeded" {
		t.Fatalf("after retry: %s", st)
	}
	if n := len(h.builds.requests()) - builds; n != 1 {
		t.Errorf("FAILED_ACTIONS re-ran %d builds, want 1", n)
	}
	st, _ := h.svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: "retry"})
	if m := st.StageStates[1].RetryStageMetadata; m == nil || m.ManualStageRetryAttempt != 1 || m.LatestRetryTrigger != "ManualStageRetry" {
		t.Errorf("retry metadata %+v", m)
	}
	// A newer execution in the stage makes the old one not retryable.
	h.builds.setFail("flaky", 1)
	second := h.start("retry")
	h.waitDone("retry", second)
	h.builds.setFail("flaky", 1)
	third := h.start("retry")
	h.waitDone("retry", third)
	_, err = h.svc.RetryStageExecution(ctx, &codepipeline.RetryStageExecutionInput{PipelineName: "retry", StageName: "Build", PipelineExecutionID: second, RetryMode: "ALL_ACTIONS"})
	if !errors.Is(err, codepipeline.ErrNotLatestPipelineExecution) {
		t.Errorf("retry of an older execution: %v", err)
	}
}

func TestAutomaticRetryAndRollback(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("1", 40), "c", map[string]string{"f": "1"})
	p := pipeline("auto", stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", "Out")),
		stage("Deploy", act("Deploy", "Deploy", "CodeDeploy", map[string]string{"ApplicationName": "a", "DeploymentGroupName": "g"}, []string{"Out"}, nil)))
	p.PipelineType = "V2"
	p.Stages[1].OnFailure = &codepipeline.FailureConditions{Result: "RETRY", RetryConfiguration: &codepipeline.RetryConfiguration{RetryMode: "ALL_ACTIONS"}}
	p.Stages[2].OnFailure = &codepipeline.FailureConditions{Result: "ROLLBACK"}
	h.builds.setFail("b", 1) // the automatic retry fixes it
	first := h.create(p)
	if st := h.waitDone("auto", first); st != "Succeeded" {
		t.Fatalf("first %s", st)
	}
	st, _ := h.svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: "auto"})
	if m := st.StageStates[1].RetryStageMetadata; m == nil || m.AutoStageRetryAttempt != 1 {
		t.Errorf("auto retry metadata %+v", m)
	}
	// The second execution fails in Deploy: the stage rolls back to the first's artifacts.
	h.cc.push("app", "main", strings.Repeat("2", 40), "bad", map[string]string{"f": "2"})
	h.deps.failNext(1)
	second := h.start("auto")
	if st := h.waitDone("auto", second); st != "Failed" {
		t.Fatalf("second %s", st)
	}
	var rb codepipeline.PipelineExecutionSummary
	h.waitFor("rollback execution", func() bool {
		out, _ := h.svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: "auto"})
		for _, e := range out.PipelineExecutionSummaries {
			if e.ExecutionType == "ROLLBACK" && isFinal(e.Status) {
				rb = e
				return true
			}
		}
		return false
	})
	if rb.Status != "Succeeded" || rb.Trigger.TriggerType != "AutomatedRollback" || rb.RollbackMetadata.RollbackTargetPipelineExecutionID != first {
		t.Fatalf("rollback %+v", rb)
	}
	_, dfiles := h.deps.requests()
	last := dfiles[len(dfiles)-1]
	if last["f"] != "1" {
		t.Errorf("rolled back deployment has f=%q, want the first execution's 1", last["f"])
	}
	// Manual rollback, and its errors.
	if _, err := h.svc.RollbackStage(ctx, &codepipeline.RollbackStageInput{PipelineName: "auto", StageName: "Deploy", TargetPipelineExecutionID: second}); !errors.Is(err, codepipeline.ErrUnableToRollbackStage) {
		t.Errorf("rollback to a failed execution: %v", err)
	}
	if _, err := h.svc.RollbackStage(ctx, &codepipeline.RollbackStageInput{PipelineName: "auto", StageName: "Source", TargetPipelineExecutionID: first}); !errors.Is(err, codepipeline.ErrUnableToRollbackStage) {
		t.Errorf("rollback of the source stage: %v", err)
	}
	out, err := h.svc.RollbackStage(ctx, &codepipeline.RollbackStageInput{PipelineName: "auto", StageName: "Deploy", TargetPipelineExecutionID: first})
	if err != nil {
		t.Fatal(err)
	}
	if st := h.waitDone("auto", out.PipelineExecutionID); st != "Succeeded" {
		t.Fatalf("manual rollback %s", st)
	}
}

func TestDisabledTransition(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("3", 40), "c", map[string]string{"f": "1"})
	p := pipeline("tr", stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", "")))
	if _, err := h.svc.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: &p}); err != nil {
		t.Fatal(err)
	}
	first, _ := h.svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: "tr"})
	h.waitDone("tr", first.PipelineExecutionSummaries[0].PipelineExecutionID)
	if _, err := h.svc.DisableStageTransition(ctx, &codepipeline.DisableStageTransitionInput{PipelineName: "tr", StageName: "Build", TransitionType: "Inbound", Reason: "freeze"}); err != nil {
		t.Fatal(err)
	}
	id := h.start("tr")
	h.waitFor("held at the transition", func() bool {
		st, _ := h.svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: "tr"})
		ss := st.StageStates[1]
		return ss.InboundExecution != nil && ss.InboundExecution.PipelineExecutionID == id && !ss.InboundTransitionState.Enabled && ss.InboundTransitionState.DisabledReason == "freeze"
	})
	if n := len(h.builds.requests()); n != 1 {
		t.Fatalf("builds %d before enabling", n)
	}
	if _, err := h.svc.EnableStageTransition(ctx, &codepipeline.EnableStageTransitionInput{PipelineName: "tr", StageName: "Build", TransitionType: "Inbound"}); err != nil {
		t.Fatal(err)
	}
	if st := h.waitDone("tr", id); st != "Succeeded" {
		t.Fatalf("status %s", st)
	}
	for _, tc := range []struct {
		in   codepipeline.DisableStageTransitionInput
		want error
	}{
		{codepipeline.DisableStageTransitionInput{PipelineName: "tr", StageName: "Nope", TransitionType: "Inbound", Reason: "x"}, codepipeline.ErrStageNotFound},
		{codepipeline.DisableStageTransitionInput{PipelineName: "tr", StageName: "Build", TransitionType: "Sideways", Reason: "x"}, codepipeline.ErrValidation},
		{codepipeline.DisableStageTransitionInput{PipelineName: "tr", StageName: "Build", TransitionType: "Inbound"}, codepipeline.ErrValidation},
		{codepipeline.DisableStageTransitionInput{PipelineName: "nope", StageName: "Build", TransitionType: "Inbound", Reason: "x"}, codepipeline.ErrPipelineNotFound},
	} {
		if _, err := h.svc.DisableStageTransition(ctx, &tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestStop(t *testing.T) {
	for _, abandon := range []bool{false, true} {
		t.Run(map[bool]string{false: "finish in-progress actions", true: "abandon"}[abandon], func(t *testing.T) {
			h := newHarness(t, clock.Real())
			h.cc.push("app", "main", strings.Repeat("4", 40), "c", map[string]string{"f": "1"})
			gate := h.builds.gate("slow")
			id := h.create(pipeline("stop", stage("Source", source("Source")), stage("Build", build("Build", "slow", "Src", "Out")),
				stage("Deploy", act("Deploy", "Deploy", "CodeDeploy", map[string]string{"ApplicationName": "a", "DeploymentGroupName": "g"}, []string{"Out"}, nil))))
			h.waitFor("build running", func() bool { return h.action("stop", "Build", "Build").Status == "InProgress" })
			if _, err := h.svc.StopPipelineExecution(ctx, &codepipeline.StopPipelineExecutionInput{PipelineName: "stop", PipelineExecutionID: id, Abandon: abandon, Reason: "enough"}); err != nil {
				t.Fatal(err)
			}
			if st := h.execStatus("stop", id); st != "Stopping" && st != "Stopped" {
				t.Errorf("status after stop %s", st)
			}
			_, err := h.svc.StopPipelineExecution(ctx, &codepipeline.StopPipelineExecutionInput{PipelineName: "stop", PipelineExecutionID: id})
			if !abandon && !errors.Is(err, codepipeline.ErrDuplicatedStopRequest) {
				t.Errorf("second stop: %v", err)
			}
			if !abandon {
				h.waitFor("stopping", func() bool { return h.execStatus("stop", id) == "Stopping" })
				close(gate)
			}
			if st := h.waitDone("stop", id); st != "Stopped" {
				t.Fatalf("status %s", st)
			}
			want := "Succeeded"
			if abandon {
				want = "Abandoned"
				close(gate)
			}
			if a := h.action("stop", "Build", "Build"); a.Status != want {
				t.Errorf("build action %s, want %s", a.Status, want)
			}
			if dreqs, _ := h.deps.requests(); len(dreqs) != 0 {
				t.Error("the deploy stage ran after the stop")
			}
			if abandon && len(h.builds.stops()) != 1 {
				t.Errorf("abandon stopped builds %v", h.builds.stops())
			}
			out, _ := h.svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: "stop"})
			if s := out.PipelineExecutionSummaries[0]; s.StopTrigger == nil || s.StopTrigger.Reason != "enough" {
				t.Errorf("stop trigger %+v", s.StopTrigger)
			}
			_, err = h.svc.StopPipelineExecution(ctx, &codepipeline.StopPipelineExecutionInput{PipelineName: "stop", PipelineExecutionID: id})
			if !errors.Is(err, codepipeline.ErrPipelineExecutionNotStoppable) {
				t.Errorf("stop of a stopped execution: %v", err)
			}
		})
	}
}
