package codepipeline_test

import (
	"context"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
)

// ccAdapter is how the root wires CodeCommit into codepipeline.CodeCommit.
type ccAdapter struct{ cc *codecommit.Service }

func parseGitDate(s string) time.Time {
	if f := strings.Fields(s); len(f) > 0 {
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func (a ccAdapter) Snapshot(ctx context.Context, repo, ref string) ([]byte, codepipeline.Commit, error) {
	zip, id, err := a.cc.Archive(ctx, repo, ref)
	if err != nil {
		return nil, codepipeline.Commit{}, err
	}
	out, err := a.cc.GetCommit(ctx, &codecommit.GetCommitInput{RepositoryName: repo, CommitID: id})
	if err != nil {
		return nil, codepipeline.Commit{}, err
	}
	c := codepipeline.Commit{ID: id, Message: out.Commit.Message}
	if u := out.Commit.Author; u != nil {
		c.AuthorName, c.AuthorDate = u.Name, parseGitDate(u.Date)
	}
	if u := out.Commit.Committer; u != nil {
		c.CommitterDate = parseGitDate(u.Date)
	}
	return zip, c, nil
}

func (a ccAdapter) ChangedFiles(ctx context.Context, repo, old, new string) ([]string, error) {
	var files []string
	token := ""
	for {
		out, err := a.cc.GetDifferences(ctx, &codecommit.GetDifferencesInput{RepositoryName: repo, BeforeCommitSpecifier: old, AfterCommitSpecifier: new, NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, d := range out.Differences {
			if d.AfterBlob != nil {
				files = append(files, d.AfterBlob.Path)
			} else if d.BeforeBlob != nil {
				files = append(files, d.BeforeBlob.Path)
			}
		}
		if token = out.NextToken; token == "" {
			return files, nil
		}
	}
}

// cbAdapter is how the root wires CodeBuild into codepipeline.Builds.
type cbAdapter struct{ cb *codebuild.Service }

func (a cbAdapter) StartBuild(ctx context.Context, req codepipeline.BuildRequest) (string, error) {
	in := &codebuild.StartBuildInput{ProjectName: req.ProjectName, SourceTypeOverride: "S3", SourceLocationOverride: req.Source.Bucket + "/" + req.Source.Key}
	for _, v := range req.EnvironmentVariables {
		in.EnvironmentVariablesOverride = append(in.EnvironmentVariablesOverride, codebuild.EnvironmentVariable{Name: v.Name, Value: v.Value, Type: v.Type})
	}
	for i, o := range req.Outputs {
		art := &codebuild.ProjectArtifacts{Type: "S3", Location: o.Location.Bucket, Path: path.Dir(o.Location.Key), Name: path.Base(o.Location.Key), Packaging: "ZIP", NamespaceType: "NONE"}
		if i == 0 {
			in.ArtifactsOverride = art
		} else {
			art.ArtifactIdentifier = o.Name
			in.SecondaryArtifactsOverride = append(in.SecondaryArtifactsOverride, *art)
		}
	}
	out, err := a.cb.StartBuild(ctx, in)
	if err != nil {
		return "", err
	}
	return out.Build.Id, nil
}

func (a cbAdapter) WaitBuild(ctx context.Context, id string) (codepipeline.BuildResult, error) {
	b, err := a.cb.Wait(ctx, id)
	if err != nil {
		return codepipeline.BuildResult{}, err
	}
	res := codepipeline.BuildResult{Status: b.BuildStatus, ExportedVariables: map[string]string{}}
	for _, v := range b.ExportedEnvironmentVariables {
		res.ExportedVariables[v.Name] = v.Value
	}
	for _, p := range b.Phases {
		if p.PhaseStatus != "" && p.PhaseStatus != codebuild.StatusSucceeded {
			for _, c := range p.Contexts {
				res.Message = p.PhaseType + ": " + c.Message
			}
		}
	}
	if b.Logs != nil {
		res.LogURL, res.LogStreamARN = b.Logs.DeepLink, b.Logs.CloudWatchLogsArn
	}
	return res, nil
}

func (a cbAdapter) StopBuild(ctx context.Context, id string) error {
	_, err := a.cb.StopBuild(ctx, &codebuild.StopBuildInput{Id: id})
	return err
}

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
	svc, err := codepipeline.New(env, codepipeline.Deps{CodeCommit: ccAdapter{cc}, Builds: cbAdapter{cb}}, codepipeline.Options{})
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
