package devopsim_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"go.uber.org/goleak"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/devopsimtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestBuildMetrics: a build publishes AWS/CodeBuild metrics that CloudWatch answers for.
func TestBuildMetrics(t *testing.T) {
	p, cfg := devopsimtest.New(t)
	ctx := context.Background()
	_, err := p.CodeBuild().CreateProject(ctx, &codebuild.CreateProjectInput{Name: "m1",
		Source:      &codebuild.ProjectSource{Type: "NO_SOURCE", Buildspec: "version: 0.2\nphases: {build: {commands: [true]}}"},
		Artifacts:   &codebuild.ProjectArtifacts{Type: "NO_ARTIFACTS"},
		Environment: &codebuild.ProjectEnvironment{Type: "LINUX_CONTAINER", Image: "aws/codebuild/standard:7.0", ComputeType: "BUILD_GENERAL1_SMALL"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.CodeBuild().StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: "m1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.CodeBuild().Wait(ctx, out.Build.Id); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	stats, err := cloudwatch.NewFromConfig(cfg).GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("AWS/CodeBuild"), MetricName: aws.String("SucceededBuilds"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("ProjectName"), Value: aws.String("m1")}},
		StartTime:  aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Hour)),
		Period: aws.Int32(3600), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, d := range stats.Datapoints {
		sum += aws.ToFloat64(d.Sum)
	}
	if sum != 1 {
		t.Fatalf("SucceededBuilds sum = %v, datapoints %+v", sum, stats.Datapoints)
	}
}

func BenchmarkNewClose(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := devopsim.New(devopsim.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
