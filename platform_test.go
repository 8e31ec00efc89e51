package devopsim_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"go.uber.org/goleak"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/devopsimtest"
	"github.com/devopsim/devopsim/ec2sim/host"
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

// TestComputeMetrics: AWS/EC2 CPUUtilization from the hosts' CPU values (per instance and per
// Auto Scaling group) and AWS/AutoScaling group metrics reach CloudWatch.
func TestComputeMetrics(t *testing.T) {
	p, cfg := devopsimtest.New(t)
	ctx := context.Background()
	as := autoscaling.NewFromConfig(cfg)
	if _, err := ec2.NewFromConfig(cfg).CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("metrics-web"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-0a2023000000000a1"), InstanceType: ec2types.InstanceTypeT3Micro}}); err != nil {
		t.Fatal(err)
	}
	if _, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		MinSize: aws.Int32(2), MaxSize: aws.Int32(2), DesiredCapacity: aws.Int32(2), AvailabilityZones: []string{"us-east-1a"},
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("metrics-web")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := as.EnableMetricsCollection(ctx, &autoscaling.EnableMetricsCollectionInput{AutoScalingGroupName: aws.String("web"), Granularity: aws.String("1Minute")}); err != nil {
		t.Fatal(err)
	}
	g, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if err != nil || len(g.AutoScalingGroups) != 1 || len(g.AutoScalingGroups[0].Instances) != 2 {
		t.Fatalf("group: %+v %v", g, err)
	}
	var ids []string
	for i, in := range g.AutoScalingGroups[0].Instances {
		ids = append(ids, aws.ToString(in.InstanceId))
		p.EC2().SetCPU(ids[i], float64(40+20*i))
	}
	if err := p.EC2().WaitBooted(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	p.AutoScaling().Reconcile(ctx) // booted members go InService on the reconciler's next pass
	at := time.Now().Truncate(5 * time.Minute)
	p.EC2().PublishMetrics(ctx, at)
	p.AutoScaling().PublishMetrics(ctx, at)

	cw := cloudwatch.NewFromConfig(cfg)
	stat := func(ns, name, dim, value string) float64 {
		t.Helper()
		out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String(ns), MetricName: aws.String(name),
			Dimensions: []cwtypes.Dimension{{Name: aws.String(dim), Value: aws.String(value)}},
			StartTime:  aws.Time(at.Add(-time.Hour)), EndTime: aws.Time(at.Add(time.Hour)), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Datapoints) != 1 {
			t.Fatalf("%s %s %s=%s: datapoints %+v", ns, name, dim, value, out.Datapoints)
		}
		return aws.ToFloat64(out.Datapoints[0].Average)
	}
	if got := stat("AWS/EC2", "CPUUtilization", "InstanceId", ids[1]); got != 60 {
		t.Errorf("CPUUtilization of %s = %v, want 60", ids[1], got)
	}
	if got := stat("AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "web"); got != 50 {
		t.Errorf("CPUUtilization of group web = %v, want 50", got)
	}
	if got := stat("AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", "web"); got != 2 {
		t.Errorf("GroupInServiceInstances = %v, want 2", got)
	}
}

// TestHostCommandsAndPrograms: commands written in Go and opted-in real programs run in the
// hosts' shells (here from user data).
func TestHostCommandsAndPrograms(t *testing.T) {
	if _, err := exec.LookPath("factor"); err != nil {
		t.Skip("no factor program on this machine")
	}
	p, cfg := devopsimtest.New(t, devopsim.Options{
		HostCommands: map[string]host.Command{"greet": func(ctx context.Context, c *host.Call) int {
			fmt.Fprintf(c.Stdout, "hello %s from %s\n", strings.Join(c.Args[1:], " "), c.Host.ID())
			return 0
		}},
		HostPrograms: []string{"factor"},
	})
	ctx := context.Background()
	userData := "#!/bin/bash\ngreet world > /tmp/greeting\nfactor 12 > /tmp/factors\n"
	run, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0a2023000000000a1"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), UserData: aws.String(base64.StdEncoding.EncodeToString([]byte(userData)))})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	if err := p.EC2().WaitBooted(ctx, id); err != nil {
		t.Fatal(err)
	}
	h, _ := p.EC2().MachineOf(id)
	for file, want := range map[string]string{"/tmp/greeting": "hello world from " + id + "\n", "/tmp/factors": "12: 2 2 3\n"} {
		if got, err := h.ReadFile(file); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", file, got, err, want)
		}
	}
}
