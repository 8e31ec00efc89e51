package codepipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/pipelinewire"
)

// A commit pushed to the real CodeCommit starts the pipeline (through the event bus), the
// source action snapshots it, and the real CodeBuild builds it and fails or succeeds for real.
func TestRealCodeCommitAndCodeBuild(t *testing.T) {
	env := awstest.EnvWith(t, clock.Real())
	cc, err := codecommit.New(env, codecommit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := codebuild.New(env, codebuild.Deps{}, codebuild.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := codepipeline.New(env, codepipeline.Deps{CodeCommit: pipelinewire.Sources{CC: cc}, Builds: pipelinewire.Builds{CB: cb}}, codepipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 16)
	unsub := awstest.Bus(env).Subscribe(func(ctx context.Context, e eventbus.Event) {
		svc.HandleEvent(ctx, e)
		if e.DetailType == "CodePipeline Pipeline Execution State Change" && (strings.Contains(string(e.Detail), `"SUCCEEDED"`) || strings.Contains(string(e.Detail), `"FAILED"`)) {
			done <- string(e.Detail)
		}
	})
	t.Cleanup(func() {
		unsub()
		svc.Close(context.Background())
		cb.Close(context.Background())
		cc.Close(context.Background())
	})
	wait := func() string {
		select {
		case d := <-done:
			return d
		case <-time.After(30 * time.Second):
			t.Fatal("pipeline did not finish")
		}
		return ""
	}
	if _, err := cc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "app"}); err != nil {
		t.Fatal(err)
	}
	buildspec := `version: 0.2
env:
  exported-variables: [GREETING]
phases:
  build:
    commands:
      - test -f index.html
      - grep -q "$WANT" index.html
      - export GREETING="built $(cat index.html)"
      - echo "$GREETING" > out.txt
artifacts:
  files: [out.txt, index.html]
`
	first, err := cc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "app", BranchName: "main", FilePath: "buildspec.yml", FileContent: []byte(buildspec), CommitMessage: "buildspec"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cb.CreateProject(ctx, &codebuild.CreateProjectInput{Name: "web", Source: &codebuild.ProjectSource{Type: "CODEPIPELINE"}, Artifacts: &codebuild.ProjectArtifacts{Type: "CODEPIPELINE"},
		Environment: &codebuild.ProjectEnvironment{Type: "LINUX_CONTAINER", Image: "aws/codebuild/standard:7.0", ComputeType: "BUILD_GENERAL1_SMALL"}}); err != nil {
		t.Fatal(err)
	}
	b := build("Build", "web", "Src", "BuildOut")
	b.Configuration["EnvironmentVariables"] = `[{"name":"WANT","value":"hello"}]`
	b.Namespace = "BuildVars"
	src := source("Source")
	delete(src.Configuration, "PollForSourceChanges")
	p := pipeline("real", stage("Source", src), stage("Build", b))
	if _, err := svc.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: &p}); err != nil {
		t.Fatal(err)
	}
	// The first execution has no index.html: the build really fails.
	if d := wait(); !strings.Contains(d, `"FAILED"`) {
		t.Fatalf("first execution: %s", d)
	}
	// A pushed commit starts the pipeline; the build runs the buildspec for real.
	put, err := cc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "app", BranchName: "main", FilePath: "index.html", FileContent: []byte("hello world"), CommitMessage: "add page", ParentCommitID: first.CommitID})
	if err != nil {
		t.Fatal(err)
	}
	if d := wait(); !strings.Contains(d, `"SUCCEEDED"`) || !strings.Contains(d, "PollForSourceChanges") {
		t.Fatalf("pushed execution: %s", d)
	}
	list, _ := svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: "real"})
	ex := list.PipelineExecutionSummaries[0]
	if ex.SourceRevisions[0].RevisionID != put.CommitID || ex.SourceRevisions[0].RevisionSummary != "add page" {
		t.Errorf("source revision %+v, want %s", ex.SourceRevisions, put.CommitID)
	}
	ae, _ := svc.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: "real", Filter: &codepipeline.ActionExecutionFilter{PipelineExecutionID: ex.PipelineExecutionID}})
	bd := ae.ActionExecutionDetails[0]
	if bd.ActionName != "Build" || bd.Output.OutputVariables["GREETING"] != "built hello world" || !strings.HasPrefix(bd.Output.ExecutionResult.ExternalExecutionID, "web:") {
		t.Fatalf("build action %+v %+v", bd.Output.OutputVariables, bd.Output.ExecutionResult)
	}
	loc := bd.Output.OutputArtifacts[0].S3Location
	data, err := env.Objects.GetObject(ctx, loc.Bucket, loc.Key)
	if err != nil {
		t.Fatal(err)
	}
	if files := unzipOf(t, data); strings.TrimSpace(files["out.txt"]) != "built hello world" || files["index.html"] != "hello world" {
		t.Errorf("build artifact %v", files)
	}
	builds, _ := cb.BatchGetBuilds(ctx, &codebuild.BatchGetBuildsInput{Ids: []string{bd.Output.ExecutionResult.ExternalExecutionID}})
	if len(builds.Builds) != 1 || builds.Builds[0].BuildStatus != "SUCCEEDED" {
		t.Errorf("codebuild build %+v", builds.Builds)
	}
}
