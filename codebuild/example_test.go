package codebuild_test

import (
	"context"
	"fmt"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/codebuild"
)

// A project with an inline buildspec, built for real.
func Example() {
	ctx := context.Background()
	p, err := devopsim.New(devopsim.Options{})
	if err != nil {
		panic(err)
	}
	defer p.Close(ctx)
	builds := p.CodeBuild()
	_, err = builds.CreateProject(ctx, &codebuild.CreateProjectInput{
		Name: "hello",
		Source: &codebuild.ProjectSource{Type: "NO_SOURCE", Buildspec: `version: 0.2
phases:
  build:
    commands:
      - echo "hello from the build" > greeting.txt
      - test -s greeting.txt`},
		Artifacts:   &codebuild.ProjectArtifacts{Type: "NO_ARTIFACTS"},
		Environment: &codebuild.ProjectEnvironment{Type: "LINUX_CONTAINER", Image: "aws/codebuild/standard:7.0", ComputeType: "BUILD_GENERAL1_SMALL"},
	})
	if err != nil {
		panic(err)
	}
	out, err := builds.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: "hello"})
	if err != nil {
		panic(err)
	}
	b, err := builds.Wait(ctx, out.Build.Id)
	if err != nil {
		panic(err)
	}
	fmt.Println(b.BuildStatus, b.BuildNumber)
	// Output: SUCCEEDED 1
}
