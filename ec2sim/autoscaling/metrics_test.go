package autoscaling_test

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"

	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/internal/awsapi/autoscalingapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
)

type pubs struct {
	mu  sync.Mutex
	got []string
}

func (p *pubs) Publish(ctx context.Context, ns, name string, dims map[string]string, v float64, unit string, t time.Time) error {
	a, r := core.Scope(ctx)
	line := fmt.Sprintf("%s/%s %s %s %s=%s %g %s @%s", a, r, ns, name, "AutoScalingGroupName", dims["AutoScalingGroupName"], v, unit, t.Format("15:04"))
	p.mu.Lock()
	p.got = append(p.got, line)
	p.mu.Unlock()
	return nil
}

func (p *pubs) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.got
	p.got = nil
	sort.Strings(out)
	return out
}

func (p *pubs) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

func TestGroupMetrics(t *testing.T) {
	p := &pubs{}
	f := setupOpts(t, autoscaling.Options{Interval: time.Hour, Metrics: p})
	ctx := context.Background()
	f.create(t, "web", 2, []string{"us-east-1a"})
	if _, err := f.asg.EnableMetricsCollection(ctx, &autoscaling.EnableMetricsCollectionInput{AutoScalingGroupName: "web", Granularity: "5Minute"}); errCode(err) != "ValidationError" {
		t.Fatalf("granularity: %v", err)
	}
	if _, err := f.asg.EnableMetricsCollection(ctx, &autoscaling.EnableMetricsCollectionInput{AutoScalingGroupName: "web", Granularity: "1Minute", Metrics: []string{"GroupBogus"}}); errCode(err) != "ValidationError" {
		t.Fatalf("metric: %v", err)
	}
	if _, err := f.asg.EnableMetricsCollection(ctx, &autoscaling.EnableMetricsCollectionInput{AutoScalingGroupName: "web", Granularity: "1Minute",
		Metrics: []string{"GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTotalInstances", "GroupStandbyCapacity"}}); err != nil {
		t.Fatal(err)
	}
	if g := f.group(t, "web"); len(g.EnabledMetrics) != 5 || g.EnabledMetrics[0] != (autoscaling.EnabledMetric{Metric: "GroupDesiredCapacity", Granularity: "1Minute"}) {
		t.Fatalf("%+v", g.EnabledMetrics)
	}
	if _, err := f.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: 3}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 0, 1, 0, 0, time.UTC)
	f.asg.PublishMetrics(ctx, at)
	pre := core.DefaultAccount + "/us-east-1 AWS/AutoScaling "
	want := []string{pre + "GroupDesiredCapacity AutoScalingGroupName=web 3 None @00:01", pre + "GroupInServiceInstances AutoScalingGroupName=web 2 None @00:01",
		pre + "GroupPendingInstances AutoScalingGroupName=web 1 None @00:01", pre + "GroupStandbyCapacity AutoScalingGroupName=web 0 None @00:01",
		pre + "GroupTotalInstances AutoScalingGroupName=web 3 None @00:01"}
	if got := p.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got\n%v\nwant\n%v", got, want)
	}
	if _, err := f.asg.DisableMetricsCollection(ctx, &autoscaling.DisableMetricsCollectionInput{AutoScalingGroupName: "web", Metrics: []string{"GroupPendingInstances", "GroupTotalInstances", "GroupStandbyCapacity", "GroupInServiceInstances"}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	f.asg.PublishMetrics(ctx, at.Add(time.Minute))
	if got := p.take(); fmt.Sprint(got) != fmt.Sprint([]string{pre + "GroupDesiredCapacity AutoScalingGroupName=web 3 None @00:02"}) {
		t.Fatalf("after disable: %v", got)
	}
	if _, err := f.asg.DisableMetricsCollection(ctx, &autoscaling.DisableMetricsCollectionInput{AutoScalingGroupName: "web"}); err != nil {
		t.Fatal(err)
	}
	f.asg.PublishMetrics(ctx, at.Add(2*time.Minute))
	if got := p.take(); len(got) != 0 {
		t.Fatalf("after disabling all: %v", got)
	}
	// On the clock: every minute while enabled.
	if _, err := f.asg.EnableMetricsCollection(ctx, &autoscaling.EnableMetricsCollectionInput{AutoScalingGroupName: "web", Granularity: "1Minute", Metrics: []string{"GroupMaxSize"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		want := f.clk.Now().Truncate(time.Minute).Add(time.Minute)
		for range 10_000_000 {
			if n, ok := f.clk.Next(); ok && n.Equal(want) {
				break
			}
			runtime.Gosched()
		}
		f.clk.Advance(time.Minute)
		for range 10_000_000 {
			if p.len() == i+1 {
				break
			}
			runtime.Gosched()
		}
	}
	if got := p.take(); len(got) != 3 || got[2] != pre+"GroupMaxSize AutoScalingGroupName=web 6 None @00:03" {
		t.Fatalf("on the clock: %v", got)
	}
}

// Target tracking reads the CPU set on the EC2 side.
func TestTargetTrackingReadsEC2CPU(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, "web", 2, []string{"us-east-1a"})
	if _, err := f.asg.PutScalingPolicy(ctx, &autoscaling.PutScalingPolicyInput{AutoScalingGroupName: "web", PolicyName: "cpu", PolicyType: "TargetTrackingScaling",
		TargetTrackingConfiguration: &autoscaling.TargetTrackingConfiguration{TargetValue: 40,
			PredefinedMetricSpecification: &autoscaling.PredefinedMetricSpecification{PredefinedMetricType: "ASGAverageCPUUtilization"}}}); err != nil {
		t.Fatal(err)
	}
	for _, i := range f.group(t, "web").Instances {
		f.ec2.SetCPU(i.InstanceID, 80)
	}
	f.asg.Reconcile(ctx)
	if g := f.group(t, "web"); g.DesiredCapacity != 4 {
		t.Fatalf("desired %d, want 4", g.DesiredCapacity)
	}
}

func TestMetricsCollectionSDK(t *testing.T) {
	f := setup(t)
	f.create(t, "web", 1, []string{"us-east-1a"})
	c := as.NewFromConfig(awstest.Config(t, autoscalingapi.Service(f.asg)))
	ctx := context.Background()
	types, err := c.DescribeMetricCollectionTypes(ctx, &as.DescribeMetricCollectionTypesInput{})
	if err != nil || len(types.Metrics) != 13 || len(types.Granularities) != 1 || aws.ToString(types.Granularities[0].Granularity) != "1Minute" {
		t.Fatalf("%+v %v", types, err)
	}
	if _, err := c.EnableMetricsCollection(ctx, &as.EnableMetricsCollectionInput{AutoScalingGroupName: aws.String("web"), Granularity: aws.String("1Minute")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if err != nil || len(out.AutoScalingGroups[0].EnabledMetrics) != 13 || aws.ToString(out.AutoScalingGroups[0].EnabledMetrics[0].Granularity) != "1Minute" {
		t.Fatalf("%+v %v", out, err)
	}
	if _, err := c.DisableMetricsCollection(ctx, &as.DisableMetricsCollectionInput{AutoScalingGroupName: aws.String("web"), Metrics: []string{"GroupMinSize"}}); err != nil {
		t.Fatal(err)
	}
	out, _ = c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if n := len(out.AutoScalingGroups[0].EnabledMetrics); n != 12 {
		t.Fatalf("%d enabled", n)
	}
	if _, err := c.EnableMetricsCollection(ctx, &as.EnableMetricsCollectionInput{AutoScalingGroupName: aws.String("web"), Granularity: aws.String("1Hour")}); sdkCodeOf(err) != "ValidationError" {
		t.Fatalf("bad granularity: %v", err)
	}
}

// Processes, metrics collection, publishing and reconciles from many goroutines.
func TestProcessesAndMetricsConcurrently(t *testing.T) {
	p := &pubs{}
	f := setupOpts(t, autoscaling.Options{Interval: time.Hour, Metrics: p})
	ctx := context.Background()
	f.create(t, "web", 2, []string{"us-east-1a", "us-east-1b"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				proc := []string{"Launch", "AZRebalance", "AlarmNotification", "HealthCheck"}[(i+j)%4]
				f.asg.SuspendProcesses(ctx, &autoscaling.ScalingProcessQuery{AutoScalingGroupName: "web", ScalingProcesses: []string{proc}})
				f.asg.EnableMetricsCollection(ctx, &autoscaling.EnableMetricsCollectionInput{AutoScalingGroupName: "web", Granularity: "1Minute", Metrics: []string{"GroupTotalInstances"}})
				f.asg.PublishMetrics(ctx, f.clk.Now())
				f.ec2.SetCPU(fmt.Sprint(j), float64(j))
				f.asg.Reconcile(ctx)
				f.asg.ResumeProcesses(ctx, &autoscaling.ScalingProcessQuery{AutoScalingGroupName: "web", ScalingProcesses: []string{proc}})
				f.asg.DisableMetricsCollection(ctx, &autoscaling.DisableMetricsCollectionInput{AutoScalingGroupName: "web"})
			}
		})
	}
	wg.Wait()
	f.settle(t)
	if g := f.group(t, "web"); len(g.SuspendedProcesses) != 0 || len(g.EnabledMetrics) != 0 || states(g)["InService"] != 2 {
		t.Fatalf("%+v", g)
	}
}
