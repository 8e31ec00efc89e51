package codebuild_test

import (
	"context"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/internal/awstest"
)

func benchService(b *testing.B) *codebuild.Service {
	env := awstest.Env(b)
	svc, err := codebuild.New(env, codebuild.Deps{Logs: &memLogs{}}, codebuild.Options{WorkDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close(context.Background()) })
	_, err = svc.CreateProject(context.Background(), &codebuild.CreateProjectInput{Name: "bench",
		Source:      &codebuild.ProjectSource{Type: "NO_SOURCE", Buildspec: "version: 0.2\nphases: {build: {commands: ['echo hi']}}"},
		Artifacts:   &codebuild.ProjectArtifacts{Type: "NO_ARTIFACTS"},
		Environment: &codebuild.ProjectEnvironment{Type: "LINUX_CONTAINER", Image: "aws/codebuild/standard:7.0", ComputeType: "BUILD_GENERAL1_SMALL"}})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkEchoBuild is a NO_SOURCE build running `echo hi`, from StartBuild to SUCCEEDED.
// echo is a shell builtin, so the figure is CodeBuild's own overhead.
func BenchmarkEchoBuild(b *testing.B) {
	svc := benchService(b)
	ctx := context.Background()
	for b.Loop() {
		out, err := svc.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if got, err := svc.Wait(ctx, out.Build.Id); err != nil || got.BuildStatus != "SUCCEEDED" {
			b.Fatal(got.BuildStatus, err)
		}
	}
}

// BenchmarkConcurrentBuilds runs 100 builds at once.
func BenchmarkConcurrentBuilds(b *testing.B) {
	svc := benchService(b)
	ctx := context.Background()
	for b.Loop() {
		var wg sync.WaitGroup
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := svc.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: "bench"})
				if err != nil {
					b.Error(err)
					return
				}
				if got, err := svc.Wait(ctx, out.Build.Id); err != nil || got.BuildStatus != "SUCCEEDED" {
					b.Error(got.BuildStatus, err)
				}
			}()
		}
		wg.Wait()
	}
}
