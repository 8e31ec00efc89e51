package codepipeline_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cpsdk "github.com/aws/aws-sdk-go-v2/service/codepipeline"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline/types"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codepipeline"
)

func sdkPipeline(name string) *types.PipelineDeclaration {
	return &types.PipelineDeclaration{
		Name:          aws.String(name),
		RoleArn:       aws.String("arn:aws:iam::000000000000:role/pipeline"),
		ArtifactStore: &types.ArtifactStore{Type: types.ArtifactStoreTypeS3, Location: aws.String("artifacts-bucket")},
		Stages: []types.StageDeclaration{
			{Name: aws.String("Source"), Actions: []types.ActionDeclaration{{
				Name:            aws.String("Source"),
				ActionTypeId:    &types.ActionTypeId{Category: types.ActionCategorySource, Owner: types.ActionOwnerAws, Provider: aws.String("CodeCommit"), Version: aws.String("1")},
				Configuration:   map[string]string{"RepositoryName": "app", "BranchName": "main", "PollForSourceChanges": "false"},
				OutputArtifacts: []types.OutputArtifact{{Name: aws.String("Src")}},
				Namespace:       aws.String("SourceVariables"),
			}}},
			{Name: aws.String("Build"), Actions: []types.ActionDeclaration{{
				Name:           aws.String("Build"),
				ActionTypeId:   &types.ActionTypeId{Category: types.ActionCategoryBuild, Owner: types.ActionOwnerAws, Provider: aws.String("CodeBuild"), Version: aws.String("1")},
				Configuration:  map[string]string{"ProjectName": "web"},
				InputArtifacts: []types.InputArtifact{{Name: aws.String("Src")}},
			}}},
		},
	}
}

func TestSDKPipelineCRUD(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("a", 40), "c", map[string]string{"f": "1"})
	cp := h.cp
	out, err := cp.CreatePipeline(ctx, &cpsdk.CreatePipelineInput{Pipeline: sdkPipeline("crud"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Pipeline.Version != 1 || out.Pipeline.PipelineType != types.PipelineTypeV1 || out.Pipeline.ExecutionMode != types.ExecutionModeSuperseded ||
		*out.Pipeline.Stages[0].Actions[0].RunOrder != 1 || len(out.Tags) != 1 {
		t.Errorf("created %+v", out.Pipeline)
	}
	_, err = cp.CreatePipeline(ctx, &cpsdk.CreatePipelineInput{Pipeline: sdkPipeline("crud")})
	if errCode(err) != "PipelineNameInUseException" {
		t.Errorf("duplicate: %v", err)
	}
	got, err := cp.GetPipeline(ctx, &cpsdk.GetPipelineInput{Name: aws.String("crud")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Metadata.PipelineArn != "arn:aws:codepipeline:us-east-1:000000000000:crud" || got.Metadata.Created == nil {
		t.Errorf("metadata %+v", got.Metadata)
	}
	p := got.Pipeline
	p.Stages[1].Actions[0].Configuration["ProjectName"] = "web2"
	p.PipelineType = types.PipelineTypeV2
	p.ExecutionMode = types.ExecutionModeQueued
	p.Variables = []types.PipelineVariableDeclaration{{Name: aws.String("env"), DefaultValue: aws.String("dev")}}
	up, err := cp.UpdatePipeline(ctx, &cpsdk.UpdatePipelineInput{Pipeline: p})
	if err != nil {
		t.Fatal(err)
	}
	if *up.Pipeline.Version != 2 {
		t.Errorf("version %d", *up.Pipeline.Version)
	}
	v1, err := cp.GetPipeline(ctx, &cpsdk.GetPipelineInput{Name: aws.String("crud"), Version: aws.Int32(1)})
	if err != nil || v1.Pipeline.Stages[1].Actions[0].Configuration["ProjectName"] != "web" {
		t.Errorf("version 1: %v %+v", err, v1)
	}
	if _, err := cp.GetPipeline(ctx, &cpsdk.GetPipelineInput{Name: aws.String("crud"), Version: aws.Int32(7)}); errCode(err) != "PipelineVersionNotFoundException" {
		t.Errorf("version 7: %v", err)
	}
	if _, err := cp.GetPipeline(ctx, &cpsdk.GetPipelineInput{Name: aws.String("nope")}); errCode(err) != "PipelineNotFoundException" {
		t.Errorf("missing: %v", err)
	}
	if _, err := cp.UpdatePipeline(ctx, &cpsdk.UpdatePipelineInput{Pipeline: sdkPipeline("nope")}); errCode(err) != "PipelineNotFoundException" {
		t.Errorf("update missing: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := cp.CreatePipeline(ctx, &cpsdk.CreatePipelineInput{Pipeline: sdkPipeline("p" + string(rune('a'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var token *string
	for {
		l, err := cp.ListPipelines(ctx, &cpsdk.ListPipelinesInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range l.Pipelines {
			names = append(names, *s.Name)
		}
		if token = l.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "crud,pa,pb,pc" {
		t.Errorf("listed %v", names)
	}
	if _, err := cp.ListPipelines(ctx, &cpsdk.ListPipelinesInput{NextToken: aws.String("!!")}); errCode(err) != "InvalidNextTokenException" {
		t.Errorf("bad token: %v", err)
	}
	// Tags.
	arn := aws.String("arn:aws:codepipeline:us-east-1:000000000000:crud")
	if _, err := cp.TagResource(ctx, &cpsdk.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("ops")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.UntagResource(ctx, &cpsdk.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := cp.ListTagsForResource(ctx, &cpsdk.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Value != "ops" {
		t.Errorf("tags %v %+v", err, tags)
	}
	if _, err := cp.ListTagsForResource(ctx, &cpsdk.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:codepipeline:us-east-1:000000000000:nope")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("tags of missing: %v", err)
	}
	if _, err := cp.TagResource(ctx, &cpsdk.TagResourceInput{ResourceArn: aws.String("not-an-arn"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}); errCode(err) != "InvalidArnException" {
		t.Errorf("bad arn: %v", err)
	}
	if _, err := cp.TagResource(ctx, &cpsdk.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("b")}}}); errCode(err) != "InvalidTagsException" {
		t.Errorf("reserved tag: %v", err)
	}
	// Executions through the SDK.
	st, err := cp.StartPipelineExecution(ctx, &cpsdk.StartPipelineExecutionInput{Name: aws.String("crud"), ClientRequestToken: aws.String("tok-1"),
		Variables: []types.PipelineVariable{{Name: aws.String("env"), Value: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := cp.StartPipelineExecution(ctx, &cpsdk.StartPipelineExecutionInput{Name: aws.String("crud"), ClientRequestToken: aws.String("tok-1")})
	if err != nil || *again.PipelineExecutionId != *st.PipelineExecutionId {
		t.Errorf("idempotent start: %v %v", err, again)
	}
	h.waitDone("crud", *st.PipelineExecutionId)
	ge, err := cp.GetPipelineExecution(ctx, &cpsdk.GetPipelineExecutionInput{PipelineName: aws.String("crud"), PipelineExecutionId: st.PipelineExecutionId})
	if err != nil || ge.PipelineExecution.Status != types.PipelineExecutionStatusSucceeded || *ge.PipelineExecution.Variables[0].ResolvedValue != "prod" ||
		ge.PipelineExecution.ExecutionMode != types.ExecutionModeQueued || *ge.PipelineExecution.PipelineVersion != 2 {
		t.Errorf("execution %v %+v", err, ge.PipelineExecution)
	}
	if _, err := cp.StartPipelineExecution(ctx, &cpsdk.StartPipelineExecutionInput{Name: aws.String("crud"), Variables: []types.PipelineVariable{{Name: aws.String("other"), Value: aws.String("x")}}}); errCode(err) != "ValidationException" {
		t.Errorf("undeclared variable: %v", err)
	}
	if _, err := cp.GetPipelineExecution(ctx, &cpsdk.GetPipelineExecutionInput{PipelineName: aws.String("crud"), PipelineExecutionId: aws.String("00000000-0000-4000-8000-000000000000")}); errCode(err) != "PipelineExecutionNotFoundException" {
		t.Errorf("missing execution: %v", err)
	}
	le, err := cp.ListPipelineExecutions(ctx, &cpsdk.ListPipelineExecutionsInput{PipelineName: aws.String("crud"), MaxResults: aws.Int32(1)})
	if err != nil || len(le.PipelineExecutionSummaries) != 1 || *le.PipelineExecutionSummaries[0].PipelineExecutionId != *st.PipelineExecutionId || le.NextToken == nil {
		t.Fatalf("list executions %v %+v", err, le)
	}
	if s := le.PipelineExecutionSummaries[0]; s.Trigger.TriggerType != types.TriggerTypeStartPipelineExecution || len(s.SourceRevisions) != 1 || *s.SourceRevisions[0].RevisionId != strings.Repeat("a", 40) {
		t.Errorf("summary %+v", s)
	}
	le2, err := cp.ListPipelineExecutions(ctx, &cpsdk.ListPipelineExecutionsInput{PipelineName: aws.String("crud"),
		Filter: &types.PipelineExecutionFilter{SucceededInStage: &types.SucceededInStageFilter{StageName: aws.String("Build")}}})
	if err != nil || len(le2.PipelineExecutionSummaries) != 2 {
		t.Errorf("second page %v %+v", err, le2)
	}
	gs, err := cp.GetPipelineState(ctx, &cpsdk.GetPipelineStateInput{Name: aws.String("crud")})
	if err != nil || len(gs.StageStates) != 2 || gs.StageStates[1].LatestExecution.Status != types.StageExecutionStatusSucceeded || !gs.StageStates[1].InboundTransitionState.Enabled {
		t.Errorf("state %v %+v", err, gs)
	}
	la, err := cp.ListActionExecutions(ctx, &cpsdk.ListActionExecutionsInput{PipelineName: aws.String("crud"), Filter: &types.ActionExecutionFilter{PipelineExecutionId: st.PipelineExecutionId}})
	if err != nil || len(la.ActionExecutionDetails) != 2 || *la.ActionExecutionDetails[1].Output.OutputArtifacts[0].S3location.Bucket != "artifacts-bucket" ||
		la.ActionExecutionDetails[1].Output.OutputVariables["CommitId"] != strings.Repeat("a", 40) {
		t.Errorf("action executions %v %+v", err, la)
	}
	if _, err := cp.StopPipelineExecution(ctx, &cpsdk.StopPipelineExecutionInput{PipelineName: aws.String("crud"), PipelineExecutionId: st.PipelineExecutionId}); errCode(err) != "PipelineExecutionNotStoppableException" {
		t.Errorf("stop of a finished execution: %v", err)
	}
	if _, err := cp.RetryStageExecution(ctx, &cpsdk.RetryStageExecutionInput{PipelineName: aws.String("crud"), StageName: aws.String("Build"), PipelineExecutionId: st.PipelineExecutionId, RetryMode: types.StageRetryModeFailedActions}); errCode(err) != "StageNotRetryableException" {
		t.Errorf("retry of a succeeded stage: %v", err)
	}
	if _, err := cp.RollbackStage(ctx, &cpsdk.RollbackStageInput{PipelineName: aws.String("crud"), StageName: aws.String("Build"), TargetPipelineExecutionId: st.PipelineExecutionId}); err != nil {
		t.Errorf("rollback: %v", err)
	}
	if _, err := cp.DisableStageTransition(ctx, &cpsdk.DisableStageTransitionInput{PipelineName: aws.String("crud"), StageName: aws.String("Build"), TransitionType: types.StageTransitionTypeInbound, Reason: aws.String("hold")}); err != nil {
		t.Error(err)
	}
	if _, err := cp.EnableStageTransition(ctx, &cpsdk.EnableStageTransitionInput{PipelineName: aws.String("crud"), StageName: aws.String("Build"), TransitionType: types.StageTransitionTypeInbound}); err != nil {
		t.Error(err)
	}
	if _, err := cp.PutApprovalResult(ctx, &cpsdk.PutApprovalResultInput{PipelineName: aws.String("crud"), StageName: aws.String("Build"), ActionName: aws.String("Build"),
		Result: &types.ApprovalResult{Status: types.ApprovalStatusApproved, Summary: aws.String("ok")}, Token: aws.String("00000000-0000-4000-8000-000000000000")}); errCode(err) != "ActionNotFoundException" {
		t.Errorf("approve a build: %v", err)
	}
	if _, err := cp.DeletePipeline(ctx, &cpsdk.DeletePipelineInput{Name: aws.String("crud")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.GetPipelineState(ctx, &cpsdk.GetPipelineStateInput{Name: aws.String("crud")}); errCode(err) != "PipelineNotFoundException" {
		t.Errorf("state of deleted: %v", err)
	}
	if _, err := cp.DeletePipeline(ctx, &cpsdk.DeletePipelineInput{Name: aws.String("crud")}); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestValidation(t *testing.T) {
	h := newHarness(t, clock.Real())
	base := func() codepipeline.PipelineDeclaration {
		return pipeline("v", stage("Source", source("Source")), stage("Build", build("Build", "web", "Src", "Out")))
	}
	for _, tc := range []struct {
		name string
		mod  func(p *codepipeline.PipelineDeclaration)
		want string
	}{
		{"bad name", func(p *codepipeline.PipelineDeclaration) { p.Name = "has space" }, "ValidationException"},
		{"no role", func(p *codepipeline.PipelineDeclaration) { p.RoleArn = "" }, "ValidationException"},
		{"one stage", func(p *codepipeline.PipelineDeclaration) { p.Stages = p.Stages[:1] }, "InvalidStructureException"},
		{"no store", func(p *codepipeline.PipelineDeclaration) { p.ArtifactStore = nil }, "InvalidStructureException"},
		{"both stores", func(p *codepipeline.PipelineDeclaration) {
			p.ArtifactStores = map[string]codepipeline.ArtifactStore{"us-east-1": {Type: "S3", Location: "bucket-a"}}
		}, "InvalidStructureException"},
		{"stores without region", func(p *codepipeline.PipelineDeclaration) {
			p.ArtifactStore = nil
			p.ArtifactStores = map[string]codepipeline.ArtifactStore{"eu-west-1": {Type: "S3", Location: "bucket-a"}}
		}, "InvalidStructureException"},
		{"duplicate stage", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Name = "Source" }, "InvalidStructureException"},
		{"source not first", func(p *codepipeline.PipelineDeclaration) {
			p.Stages[1].Actions = append(p.Stages[1].Actions, source("S2"))
		}, "InvalidStructureException"},
		{"build in first stage", func(p *codepipeline.PipelineDeclaration) {
			p.Stages[0].Actions = append(p.Stages[0].Actions, build("B", "x", "Src", ""))
		}, "InvalidStructureException"},
		{"empty stage", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions = nil }, "InvalidStageDeclarationException"},
		{"unknown provider", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions[0].ActionTypeID.Provider = "Jenkins" }, "InvalidActionDeclarationException"},
		{"GitHub v1", func(p *codepipeline.PipelineDeclaration) {
			p.Stages[0].Actions[0].ActionTypeID = &codepipeline.ActionTypeID{Category: "Source", Owner: "ThirdParty", Provider: "GitHub", Version: "1"}
		}, "InvalidActionDeclarationException"},
		{"missing config", func(p *codepipeline.PipelineDeclaration) { delete(p.Stages[1].Actions[0].Configuration, "ProjectName") }, "InvalidActionDeclarationException"},
		{"unknown config", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions[0].Configuration["Bogus"] = "x" }, "InvalidActionDeclarationException"},
		{"input not produced", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions[0].InputArtifacts[0].Name = "Nope" }, "InvalidStructureException"},
		{"too many inputs for deploy", func(p *codepipeline.PipelineDeclaration) {
			p.Stages = append(p.Stages, stage("Deploy", act("D", "Deploy", "CodeDeploy", map[string]string{"ApplicationName": "a", "DeploymentGroupName": "g"}, []string{"Src", "Out"}, nil)))
		}, "InvalidActionDeclarationException"},
		{"duplicate output", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions[0].OutputArtifacts[0].Name = "Src" }, "InvalidStructureException"},
		{"runOrder too big", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions[0].RunOrder = 1000 }, "InvalidActionDeclarationException"},
		{"unknown namespace", func(p *codepipeline.PipelineDeclaration) {
			p.Stages[1].Actions[0].Configuration["EnvironmentVariables"] = `[{"name":"A","value":"#{Nope.X}"}]`
		}, "InvalidActionDeclarationException"},
		{"duplicate namespace", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions[0].Namespace = "SourceVariables" }, "InvalidActionDeclarationException"},
		{"queued on V1", func(p *codepipeline.PipelineDeclaration) { p.ExecutionMode = "QUEUED" }, "ValidationException"},
		{"bad mode", func(p *codepipeline.PipelineDeclaration) { p.PipelineType, p.ExecutionMode = "V2", "FAST" }, "ValidationException"},
		{"variables on V1", func(p *codepipeline.PipelineDeclaration) {
			p.Variables = []codepipeline.PipelineVariableDeclaration{{Name: "x", DefaultValue: "y"}}
		}, "ValidationException"},
		{"rollback on V1", func(p *codepipeline.PipelineDeclaration) {
			p.Stages[1].OnFailure = &codepipeline.FailureConditions{Result: "ROLLBACK"}
		}, "ValidationException"},
		{"trigger on S3 source", func(p *codepipeline.PipelineDeclaration) {
			p.PipelineType = "V2"
			p.Triggers = []codepipeline.PipelineTriggerDeclaration{{ProviderType: "CodeStarSourceConnection", GitConfiguration: &codepipeline.GitConfiguration{SourceActionName: "Nope"}}}
		}, "InvalidStructureException"},
		{"bad glob", func(p *codepipeline.PipelineDeclaration) {
			p.PipelineType = "V2"
			p.Triggers = []codepipeline.PipelineTriggerDeclaration{{ProviderType: "CodeStarSourceConnection", GitConfiguration: &codepipeline.GitConfiguration{SourceActionName: "Source",
				Push: []codepipeline.GitPushFilter{{Branches: &codepipeline.GitBranchFilterCriteria{Includes: []string{"feature/[x"}}}}}}}
		}, "ValidationException"},
		{"blockers", func(p *codepipeline.PipelineDeclaration) {
			p.Stages[1].Blockers = []codepipeline.BlockerDeclaration{{Name: "b", Type: "Schedule"}}
		}, "InvalidBlockerDeclarationException"},
		{"timeout", func(p *codepipeline.PipelineDeclaration) { p.Stages[1].Actions[0].TimeoutInMinutes = 2 }, "InvalidActionDeclarationException"},
		{"cfn mode", func(p *codepipeline.PipelineDeclaration) {
			p.Stages = append(p.Stages, stage("Deploy", act("D", "Deploy", "CloudFormation", map[string]string{"ActionMode": "YOLO", "StackName": "s"}, nil, nil)))
		}, "InvalidActionDeclarationException"},
		{"s3 deploy without key", func(p *codepipeline.PipelineDeclaration) {
			p.Stages = append(p.Stages, stage("Deploy", act("D", "Deploy", "S3", map[string]string{"BucketName": "b", "Extract": "false"}, []string{"Out"}, nil)))
		}, "InvalidActionDeclarationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.mod(&p)
			_, err := h.svc.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: &p})
			if errCode(err) != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
	// The same through the SDK: AWS's code in the error.
	bad := sdkPipeline("sdkbad")
	bad.Stages = bad.Stages[:1]
	if _, err := h.cp.CreatePipeline(ctx, &cpsdk.CreatePipelineInput{Pipeline: bad}); errCode(err) != "InvalidStructureException" {
		t.Errorf("sdk: %v", err)
	}
}

func TestCustomActionJobWorker(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("9", 40), "c", map[string]string{"f": "1"})
	cp := h.cp
	ct, err := cp.CreateCustomActionType(ctx, &cpsdk.CreateCustomActionTypeInput{
		Category: types.ActionCategoryTest, Provider: aws.String("MyScanner"), Version: aws.String("1"),
		InputArtifactDetails:  &types.ArtifactDetails{MinimumCount: 1, MaximumCount: 1},
		OutputArtifactDetails: &types.ArtifactDetails{MinimumCount: 0, MaximumCount: 0},
		ConfigurationProperties: []types.ActionConfigurationProperty{{Name: aws.String("Queue"), Required: true, Key: true, Queryable: true},
			{Name: aws.String("Depth"), Required: false, Key: false}},
		Settings: &types.ActionTypeSettings{ExecutionUrlTemplate: aws.String("https://scanner.example/{ExternalExecutionId}")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ct.ActionType.Id.Owner != types.ActionOwnerCustom {
		t.Errorf("type %+v", ct.ActionType.Id)
	}
	if _, err := cp.CreateCustomActionType(ctx, &cpsdk.CreateCustomActionTypeInput{Category: types.ActionCategoryTest, Provider: aws.String("MyScanner"), Version: aws.String("1"),
		InputArtifactDetails: &types.ArtifactDetails{}, OutputArtifactDetails: &types.ArtifactDetails{}}); errCode(err) != "ValidationException" {
		t.Errorf("duplicate type: %v", err)
	}
	lt, err := cp.ListActionTypes(ctx, &cpsdk.ListActionTypesInput{ActionOwnerFilter: types.ActionOwnerCustom})
	if err != nil || len(lt.ActionTypes) != 1 || *lt.ActionTypes[0].Id.Provider != "MyScanner" {
		t.Errorf("custom types %v %+v", err, lt)
	}
	all, err := cp.ListActionTypes(ctx, &cpsdk.ListActionTypesInput{})
	if err != nil || len(all.ActionTypes) < 10 {
		t.Errorf("all types %v %d", err, len(all.ActionTypes))
	}
	scan := codepipeline.ActionDeclaration{Name: "Scan", ActionTypeID: &codepipeline.ActionTypeID{Category: "Test", Owner: "Custom", Provider: "MyScanner", Version: "1"},
		Configuration: map[string]string{"Queue": "fast", "Depth": "#{SourceVariables.CommitId}"}, InputArtifacts: []codepipeline.InputArtifact{{Name: "Src"}}, Namespace: "ScanVars"}
	after := act("After", "Build", "CodeBuild", map[string]string{"ProjectName": "after", "EnvironmentVariables": `[{"name":"FINDINGS","value":"#{ScanVars.findings}"}]`}, []string{"Src"}, nil)
	id := h.create(pipeline("custom", stage("Source", source("Source")), stage("Scan", scan), stage("After", after)))

	typeID := &types.ActionTypeId{Category: types.ActionCategoryTest, Owner: types.ActionOwnerCustom, Provider: aws.String("MyScanner"), Version: aws.String("1")}
	poll := func(query map[string]string) []types.Job {
		out, err := cp.PollForJobs(ctx, &cpsdk.PollForJobsInput{ActionTypeId: typeID, MaxBatchSize: aws.Int32(5), QueryParam: query})
		if err != nil {
			t.Fatal(err)
		}
		return out.Jobs
	}
	var jobs []types.Job
	h.waitFor("a job", func() bool {
		if len(poll(map[string]string{"Queue": "slow"})) != 0 {
			t.Fatal("query param did not filter")
		}
		jobs = poll(map[string]string{"Queue": "fast"})
		return len(jobs) == 1
	})
	job := jobs[0]
	if job.Data.ActionConfiguration.Configuration["Depth"] != strings.Repeat("9", 40) || *job.Data.PipelineContext.PipelineName != "custom" ||
		*job.Data.InputArtifacts[0].Location.S3Location.BucketName != "artifacts-bucket" || *job.Data.PipelineContext.Stage.Name != "Scan" {
		t.Errorf("job data %+v", job.Data)
	}
	if len(poll(nil)) != 0 {
		t.Error("a dispatched job was handed out again")
	}
	if _, err := cp.PutJobSuccessResult(ctx, &cpsdk.PutJobSuccessResultInput{JobId: job.Id}); errCode(err) != "InvalidJobStateException" {
		t.Errorf("success before acknowledge: %v", err)
	}
	if _, err := cp.AcknowledgeJob(ctx, &cpsdk.AcknowledgeJobInput{JobId: job.Id, Nonce: aws.String("wrong")}); errCode(err) != "InvalidNonceException" {
		t.Errorf("bad nonce: %v", err)
	}
	ack, err := cp.AcknowledgeJob(ctx, &cpsdk.AcknowledgeJobInput{JobId: job.Id, Nonce: job.Nonce})
	if err != nil || ack.Status != types.JobStatusInProgress {
		t.Fatalf("ack %v %+v", err, ack)
	}
	det, err := cp.GetJobDetails(ctx, &cpsdk.GetJobDetailsInput{JobId: job.Id})
	if err != nil || *det.JobDetails.Id != *job.Id {
		t.Errorf("details %v", err)
	}
	// Continue once, then finish with output variables.
	if _, err := cp.PutJobSuccessResult(ctx, &cpsdk.PutJobSuccessResultInput{JobId: job.Id, ContinuationToken: aws.String("page-2"),
		ExecutionDetails: &types.ExecutionDetails{Summary: aws.String("half way"), PercentComplete: aws.Int32(50)}}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the continuation job", func() bool { jobs = poll(nil); return len(jobs) == 1 })
	if *jobs[0].Data.ContinuationToken != "page-2" {
		t.Errorf("continuation token %v", jobs[0].Data.ContinuationToken)
	}
	if _, err := cp.AcknowledgeJob(ctx, &cpsdk.AcknowledgeJobInput{JobId: jobs[0].Id, Nonce: jobs[0].Nonce}); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.PutJobSuccessResult(ctx, &cpsdk.PutJobSuccessResultInput{JobId: jobs[0].Id, OutputVariables: map[string]string{"findings": "0"},
		ExecutionDetails: &types.ExecutionDetails{Summary: aws.String("clean"), ExternalExecutionId: aws.String("scan-42")}}); err != nil {
		t.Fatal(err)
	}
	if st := h.waitDone("custom", id); st != "Succeeded" {
		t.Fatalf("status %s", st)
	}
	if a := h.action("custom", "Scan", "Scan"); a.Summary != "clean" || a.ExternalExecutionID != "scan-42" || a.ExternalExecutionURL != "https://scanner.example/scan-42" {
		t.Errorf("scan state %+v", a)
	}
	reqs := h.builds.requests()
	if ev := reqs[len(reqs)-1].EnvironmentVariables; len(ev) != 1 || ev[0].Value != "0" {
		t.Errorf("output variable not passed on: %+v", ev)
	}
	if _, err := cp.PutJobSuccessResult(ctx, &cpsdk.PutJobSuccessResultInput{JobId: jobs[0].Id}); errCode(err) != "InvalidJobStateException" {
		t.Errorf("second result: %v", err)
	}
	if _, err := cp.GetJobDetails(ctx, &cpsdk.GetJobDetailsInput{JobId: aws.String("00000000-0000-4000-8000-000000000000")}); errCode(err) != "JobNotFoundException" {
		t.Errorf("missing job: %v", err)
	}
	// A failing worker fails the action.
	second := h.start("custom")
	h.waitFor("a job", func() bool { jobs = poll(nil); return len(jobs) == 1 })
	cp.AcknowledgeJob(ctx, &cpsdk.AcknowledgeJobInput{JobId: jobs[0].Id, Nonce: jobs[0].Nonce})
	if _, err := cp.PutJobFailureResult(ctx, &cpsdk.PutJobFailureResultInput{JobId: jobs[0].Id, FailureDetails: &types.FailureDetails{Type: types.FailureTypeJobFailed, Message: aws.String("3 critical findings")}}); err != nil {
		t.Fatal(err)
	}
	if st := h.waitDone("custom", second); st != "Failed" {
		t.Fatalf("status %s", st)
	}
	if a := h.action("custom", "Scan", "Scan"); a.ErrorDetails == nil || a.ErrorDetails.Message != "3 critical findings" {
		t.Errorf("failed scan %+v", a)
	}
	if _, err := cp.DeleteCustomActionType(ctx, &cpsdk.DeleteCustomActionTypeInput{Category: types.ActionCategoryTest, Provider: aws.String("MyScanner"), Version: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.DeleteCustomActionType(ctx, &cpsdk.DeleteCustomActionTypeInput{Category: types.ActionCategoryTest, Provider: aws.String("MyScanner"), Version: aws.String("1")}); errCode(err) != "ActionTypeNotFoundException" {
		t.Errorf("second delete: %v", err)
	}
	if _, err := cp.PollForJobs(ctx, &cpsdk.PollForJobsInput{ActionTypeId: typeID}); errCode(err) != "ActionTypeNotFoundException" {
		t.Errorf("poll deleted type: %v", err)
	}
}

func TestInvokeLambda(t *testing.T) {
	h := newHarness(t, clock.Real())
	h.cc.push("app", "main", strings.Repeat("8", 40), "c", map[string]string{"f": "1"})
	var mu sync.Mutex
	var params []string
	h.svc.HandleFunction("notify", func(c context.Context, payload []byte) error {
		var ev struct {
			Job struct {
				ID   string `json:"id"`
				Data struct {
					ActionConfiguration struct {
						Configuration map[string]string `json:"configuration"`
					} `json:"actionConfiguration"`
				} `json:"data"`
			} `json:"CodePipeline.job"`
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			return err
		}
		up := ev.Job.Data.ActionConfiguration.Configuration["UserParameters"]
		mu.Lock()
		params = append(params, up)
		mu.Unlock()
		if up == "fail" {
			_, err := h.svc.PutJobFailureResult(c, &codepipeline.PutJobFailureResultInput{JobID: ev.Job.ID, FailureDetails: &codepipeline.FailureDetails{Type: "JobFailed", Message: "lambda said no"}})
			return err
		}
		_, err := h.svc.PutJobSuccessResult(c, &codepipeline.PutJobSuccessResultInput{JobID: ev.Job.ID, OutputVariables: map[string]string{"url": "https://" + up}})
		return err
	})
	inv := act("Invoke", "Invoke", "Lambda", map[string]string{"FunctionName": "notify", "UserParameters": "#{variables.target}"}, nil, nil)
	inv.Namespace = "Inv"
	p := pipeline("lambda", stage("Source", source("Source")), stage("Invoke", inv),
		stage("Build", act("B", "Build", "CodeBuild", map[string]string{"ProjectName": "b", "EnvironmentVariables": `[{"name":"URL","value":"#{Inv.url}"}]`}, []string{"Src"}, nil)))
	p.PipelineType = "V2"
	p.Variables = []codepipeline.PipelineVariableDeclaration{{Name: "target", DefaultValue: "example.com"}}
	id := h.create(p)
	if st := h.waitDone("lambda", id); st != "Succeeded" {
		t.Fatalf("status %s", st)
	}
	reqs := h.builds.requests()
	if ev := reqs[0].EnvironmentVariables; len(ev) != 1 || ev[0].Value != "https://example.com" {
		t.Errorf("env %+v", ev)
	}
	out, err := h.svc.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: "lambda", Variables: []codepipeline.PipelineVariable{{Name: "target", Value: "fail"}}})
	if err != nil {
		t.Fatal(err)
	}
	if st := h.waitDone("lambda", out.PipelineExecutionID); st != "Failed" {
		t.Fatalf("status %s", st)
	}
	if a := h.action("lambda", "Invoke", "Invoke"); a.ErrorDetails == nil || a.ErrorDetails.Message != "lambda said no" {
		t.Errorf("invoke %+v", a)
	}
	// An unregistered function fails clearly.
	h.svc.HandleFunction("notify", nil)
	third := h.start("lambda")
	if st := h.waitDone("lambda", third); st != "Failed" {
		t.Fatalf("status %s", st)
	}
	if a := h.action("lambda", "Invoke", "Invoke"); a.ErrorDetails == nil || !strings.Contains(a.ErrorDetails.Message, "not registered") {
		t.Errorf("unregistered %+v", a)
	}
}
