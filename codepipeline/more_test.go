package codepipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/eventbus"
)

func pushEvent(repo, refType, ref, commit, old string) eventbus.Event {
	ev := "referenceUpdated"
	if old == "" {
		ev = "referenceCreated"
	}
	b, _ := json.Marshal(map[string]string{"event": ev, "referenceType": refType, "referenceName": ref, "repositoryName": repo, "commitId": commit, "oldCommitId": old})
	return eventbus.Event{DetailType: "CodeCommit Repository State Change", Source: "aws.codecommit", Account: "000000000000", Region: "us-east-1", Detail: b}
}

func TestTriggersFromCodeCommitEvents(t *testing.T) {
	h := newHarness(t, clock.Real())
	main1, feat1 := strings.Repeat("1", 40), strings.Repeat("2", 40)
	h.cc.push("app", "main", main1, "main", map[string]string{"f": "main"})
	h.cc.push("app", "feature/login", feat1, "feat", map[string]string{"f": "feature"})

	// V1 pipeline polling (PollForSourceChanges unset): starts on pushes to its branch.
	polling := pipeline("polling", stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", "")))
	delete(polling.Stages[0].Actions[0].Configuration, "PollForSourceChanges")
	first := h.create(polling)
	h.waitDone("polling", first)
	// Event-only pipeline: PollForSourceChanges false, not started by the push.
	quiet := pipeline("quiet", stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", "")))
	h.waitDone("quiet", h.create(quiet))
	// V2 trigger: feature/** branches, only when src/ changes.
	trig := pipeline("trig", stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", "")))
	trig.PipelineType = "V2"
	trig.Triggers = []codepipeline.PipelineTriggerDeclaration{{ProviderType: "CodeStarSourceConnection", GitConfiguration: &codepipeline.GitConfiguration{
		SourceActionName: "Source",
		Push: []codepipeline.GitPushFilter{{Branches: &codepipeline.GitBranchFilterCriteria{Includes: []string{"feature/**"}, Excludes: []string{"feature/skip-*"}},
			FilePaths: &codepipeline.GitFilePathFilterCriteria{Includes: []string{"src/**/*.go"}, Excludes: []string{"src/vendor/**"}}}}}}}
	h.waitDone("trig", h.create(trig))

	count := func(name string) int {
		out, err := h.svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: name})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.PipelineExecutionSummaries)
	}
	h.cc.changed = []string{"README.md"}
	h.svc.HandleEvent(ctx, pushEvent("app", "branch", "feature/login", feat1, main1))
	if count("trig") != 1 {
		t.Error("trigger fired for a change outside src/")
	}
	h.cc.changed = []string{"src/vendor/x/y.go"}
	h.svc.HandleEvent(ctx, pushEvent("app", "branch", "feature/login", feat1, main1))
	if count("trig") != 1 {
		t.Error("trigger fired for an excluded path")
	}
	h.cc.changed = []string{"README.md", "src/auth/login.go"}
	h.svc.HandleEvent(ctx, pushEvent("app", "branch", "feature/skip-me", feat1, main1))
	if count("trig") != 1 {
		t.Error("trigger fired for an excluded branch")
	}
	h.svc.HandleEvent(ctx, pushEvent("app", "branch", "feature/login", feat1, main1))
	if count("trig") != 2 {
		t.Fatal("trigger did not fire")
	}
	out, _ := h.svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: "trig"})
	id := out.PipelineExecutionSummaries[0].PipelineExecutionID
	if h.waitDone("trig", id) != "Succeeded" {
		t.Fatal("triggered execution failed")
	}
	ex, _ := h.svc.GetPipelineExecution(ctx, &codepipeline.GetPipelineExecutionInput{PipelineName: "trig", PipelineExecutionID: id})
	if ex.PipelineExecution.Trigger.TriggerType != "WebhookV2" || ex.PipelineExecution.ArtifactRevisions[0].RevisionID != feat1 {
		t.Errorf("triggered execution %+v", ex.PipelineExecution)
	}
	if count("polling") != 1 || count("quiet") != 1 {
		t.Error("a push to feature/login started pipelines on main")
	}
	h.svc.HandleEvent(ctx, pushEvent("app", "branch", "main", main1, feat1))
	if count("polling") != 2 || count("quiet") != 1 {
		t.Errorf("push to main: polling %d quiet %d", count("polling"), count("quiet"))
	}
	// EventBridge rule targets start any pipeline.
	eid, err := h.svc.StartPipelineFromEvent(ctx, "quiet")
	if err != nil || h.waitDone("quiet", eid) != "Succeeded" {
		t.Fatalf("StartPipelineFromEvent: %v", err)
	}
	// Other events and other accounts are ignored.
	ev := pushEvent("app", "branch", "main", main1, feat1)
	ev.Account = "111111111111"
	h.svc.HandleEvent(ctx, ev)
	h.svc.HandleEvent(ctx, eventbus.Event{DetailType: "EC2 Instance State-change Notification", Source: "aws.ec2"})
	if count("polling") != 2 {
		t.Error("event of another account started a pipeline")
	}
}

func TestCloudFormationAndS3Deploy(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("5", 40), "c", map[string]string{
		"template.yml": "Resources: {}", "config.json": `{"Parameters":{"Env":"from-config"},"Tags":{"team":"web"}}`,
		"params.json": `{"Size":"large"}`, "site/index.html": "<h1>hi</h1>"})
	cfn := func(name, mode string, extra map[string]string, out []string) codepipeline.ActionDeclaration {
		cfg := map[string]string{"ActionMode": mode, "StackName": "web-stack", "Capabilities": "CAPABILITY_IAM,CAPABILITY_NAMED_IAM"}
		for k, v := range extra {
			cfg[k] = v
		}
		a := act(name, "Deploy", "CloudFormation", cfg, []string{"Src"}, out)
		return a
	}
	create := cfn("Create", "CREATE_UPDATE", map[string]string{"TemplatePath": "Src::template.yml", "TemplateConfiguration": "Src::config.json",
		"ParameterOverrides": `{"Bucket":{"Fn::GetArtifactAtt":["Src","BucketName"]},"Size":{"Fn::GetParam":["Src","params.json","Size"]},"Env":"override"}`,
		"OutputFileName":     "outputs.json"}, []string{"StackOut"})
	create.Namespace = "Stack"
	cs := cfn("ChangeSet", "CHANGE_SET_REPLACE", map[string]string{"TemplatePath": "Src::template.yml", "ChangeSetName": "cs1"}, nil)
	cs.RunOrder = 2
	exec := cfn("Execute", "CHANGE_SET_EXECUTE", map[string]string{"ChangeSetName": "cs1"}, nil)
	exec.RunOrder = 3
	s3 := act("Site", "Deploy", "S3", map[string]string{"BucketName": "www-bucket", "Extract": "true", "ObjectKey": "#{Stack.Param}"}, []string{"Src"}, nil)
	s3.RunOrder = 4
	del := cfn("Delete", "DELETE_ONLY", nil, nil)
	del.InputArtifacts = nil
	id := h.create(pipeline("cfn", stage("Source", source("Source")), stage("Deploy", create, cs, exec, s3), stage("Teardown", del)))
	if st := h.waitDone("cfn", id); st != "Succeeded" {
		ae, _ := h.svc.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: "cfn"})
		for _, a := range ae.ActionExecutionDetails {
			t.Logf("%s %s %+v", a.ActionName, a.Status, a.Output.ExecutionResult)
		}
		t.Fatalf("status %s", st)
	}
	h.stacks.mu.Lock()
	calls := strings.Join(h.stacks.calls, " ")
	spec := h.stacks.specs[0]
	h.stacks.mu.Unlock()
	if calls != "create:web-stack changeset:web-stack/cs1 execute:web-stack/cs1 delete:web-stack" {
		t.Errorf("calls %s", calls)
	}
	if spec.TemplateBody != "Resources: {}" || spec.Parameters["Env"] != "override" || spec.Parameters["Size"] != "large" || spec.Parameters["Bucket"] != "artifacts-bucket" ||
		spec.Tags["team"] != "web" || len(spec.Capabilities) != 2 {
		t.Errorf("stack spec %+v", spec)
	}
	site, err := h.env.Objects.GetObject(ctx, "www-bucket", "override/site/index.html")
	if err != nil || string(site) != "<h1>hi</h1>" {
		t.Errorf("extracted site: %v %q", err, site)
	}
	ae, _ := h.svc.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: "cfn", Filter: &codepipeline.ActionExecutionFilter{PipelineExecutionID: id}})
	for _, a := range ae.ActionExecutionDetails {
		if a.ActionName != "Create" {
			continue
		}
		if a.Output.OutputVariables["Endpoint"] != "http://web-stack.example" {
			t.Errorf("stack outputs %v", a.Output.OutputVariables)
		}
		loc := a.Output.OutputArtifacts[0].S3Location
		data, err := h.env.Objects.GetObject(ctx, loc.Bucket, loc.Key)
		if err != nil || !strings.Contains(unzipOf(t, data)["outputs.json"], "web-stack.example") {
			t.Errorf("output file: %v", err)
		}
	}
	// A failed deployment fails the pipeline with the reason.
	h.deps.failNext(1)
	p := pipeline("cd", stage("Source", source("Source")), stage("Deploy", act("D", "Deploy", "CodeDeploy", map[string]string{"ApplicationName": "a", "DeploymentGroupName": "g"}, []string{"Src"}, nil)))
	cid := h.create(p)
	if st := h.waitDone("cd", cid); st != "Failed" {
		t.Fatalf("status %s", st)
	}
	if a := h.action("cd", "Deploy", "D"); a.ErrorDetails == nil || !strings.Contains(a.ErrorDetails.Message, "failed on 1 of 1 instances") || a.ExternalExecutionID != "d-000000001" {
		t.Errorf("deploy action %+v", a)
	}
}

func TestUnresolvableVariableAndMissingSource(t *testing.T) {
	h := newHarness(t, clock.Real())
	// No commit pushed: the source action fails with CodeCommit's error.
	id := h.create(pipeline("nosrc", stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", ""))))
	if st := h.waitDone("nosrc", id); st != "Failed" {
		t.Fatalf("status %s", st)
	}
	if a := h.action("nosrc", "Source", "Source"); a.ErrorDetails == nil || !strings.Contains(a.ErrorDetails.Message, "has no ref main") {
		t.Errorf("source %+v", a)
	}
	// A build that fails to start.
	h.cc.push("app", "main", strings.Repeat("6", 40), "c", map[string]string{"f": "1"})
	id = h.create(pipeline("noproj", stage("Source", source("Source")), stage("Build", build("Build", "missing", "Src", ""))))
	if st := h.waitDone("noproj", id); st != "Failed" {
		t.Fatalf("status %s", st)
	}
	if a := h.action("noproj", "Build", "Build"); a.ErrorDetails == nil || !strings.Contains(a.ErrorDetails.Message, "project missing does not exist") {
		t.Errorf("build %+v", a)
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("7", 40), "c", map[string]string{"f": "1"})
	const pipelines, starts = 8, 6
	var wg sync.WaitGroup
	ids := make(chan [2]string, pipelines*(starts+1))
	for i := 0; i < pipelines; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("c%d", i)
			p := pipeline(name, stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", "Out")), stage("Test", build("Test", "t", "Out", "")))
			if i%3 == 1 {
				p.PipelineType, p.ExecutionMode = "V2", "QUEUED"
			} else if i%3 == 2 {
				p.PipelineType, p.ExecutionMode = "V2", "PARALLEL"
			}
			if _, err := h.svc.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: &p}); err != nil {
				t.Error(err)
				return
			}
			for j := 0; j < starts; j++ {
				out, err := h.svc.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: name})
				if err != nil {
					t.Error(err)
					return
				}
				ids <- [2]string{name, out.PipelineExecutionID}
				h.svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: name})
				h.svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: name})
				h.svc.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: name})
			}
			if i == 0 {
				h.svc.DisableStageTransition(ctx, &codepipeline.DisableStageTransitionInput{PipelineName: name, StageName: "Test", TransitionType: "Inbound", Reason: "x"})
				h.svc.EnableStageTransition(ctx, &codepipeline.EnableStageTransitionInput{PipelineName: name, StageName: "Test", TransitionType: "Inbound"})
			}
		}(i)
	}
	wg.Wait()
	close(ids)
	for id := range ids {
		st := h.waitDone(id[0], id[1])
		if st != "Succeeded" && st != "Superseded" {
			t.Errorf("%s %s: %s", id[0], id[1], st)
		}
	}
	var _ context.Context
}

func TestCloseStopsRunningExecutions(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("8", 40), "c", map[string]string{"f": "1"})
	h.builds.gate("forever")
	h.create(approvalPipeline("closing"))
	h.create(pipeline("closing2", stage("Source", source("Source")), stage("Build", build("Build", "forever", "Src", ""))))
	h.waitFor("waiting actions", func() bool {
		return h.action("closing", "Approval", "Approve").Token != "" && h.action("closing2", "Build", "Build").Status == "InProgress"
	})
	if err := h.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: "closing"}); err == nil {
		t.Error("start after Close succeeded")
	}
}
