package ec2sim_test

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
)

// pubs records published data points as "account namespace name dim=value value @hh:mm".
type pubs struct {
	mu  sync.Mutex
	got []string
	ch  chan string
}

func (p *pubs) Publish(ctx context.Context, ns, name string, dims map[string]string, v float64, unit string, t time.Time) error {
	a, _ := core.Scope(ctx)
	var d []string
	for k, val := range dims {
		d = append(d, k+"="+val)
	}
	sort.Strings(d)
	line := fmt.Sprintf("%s %s %s %v %g %s @%s", a, ns, name, d, v, unit, t.Format("15:04"))
	p.mu.Lock()
	p.got = append(p.got, line)
	p.mu.Unlock()
	if p.ch != nil {
		p.ch <- line
	}
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

func TestCPUMetrics(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	p := &pubs{}
	s, _ := newService(t, clk, ec2sim.Options{Metrics: p})
	ctx := context.Background()
	basic := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI})[0]
	detailed := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, Monitoring: &ec2sim.RunInstancesMonitoringEnabled{Enabled: true}})[0]
	res, err := s.RunInstances(ec2sim.WithInternal(ctx), &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 2, MaxCount: 2,
		TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "instance", Tags: []ec2sim.Tag{{Key: "aws:autoscaling:groupName", Value: "web"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	g1, g2 := res.Instances[0].InstanceID, res.Instances[1].InstanceID
	s.Settle(ctx)
	s.SetCPU(basic, 10)
	s.SetCPU(detailed, 20)
	s.SetCPU(g1, 30)
	s.SetCPU(g2, 150) // clamped
	if s.CPU(g2) != 100 || s.CPU("i-0000000000000000") != 0 {
		t.Fatalf("CPU: %v", s.CPU(g2))
	}
	out, _ := s.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{InstanceIDs: []string{detailed, basic}})
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			if want := map[bool]string{true: "enabled", false: "disabled"}[i.InstanceID == detailed]; i.Monitoring.State != want {
				t.Errorf("%s monitoring %s, want %s", i.InstanceID, i.Monitoring.State, want)
			}
		}
	}
	acct := core.DefaultAccount
	line := func(id string, v float64, at string) string {
		return fmt.Sprintf("%s AWS/EC2 CPUUtilization [InstanceId=%s] %g Percent @%s", acct, id, v, at)
	}
	group := func(v float64, at string) string {
		return fmt.Sprintf("%s AWS/EC2 CPUUtilization [AutoScalingGroupName=web] %g Percent @%s", acct, v, at)
	}
	sorted := func(l ...string) []string { sort.Strings(l); return l }
	// Minute 1: only detailed monitoring publishes.
	s.PublishMetrics(ctx, time.Date(2026, 5, 1, 0, 1, 0, 0, time.UTC))
	if got, want := p.take(), sorted(line(detailed, 20, "00:01")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("minute 1:\n%v\nwant\n%v", got, want)
	}
	// Minute 5: everyone, and the group's average.
	s.PublishMetrics(ctx, time.Date(2026, 5, 1, 0, 5, 0, 0, time.UTC))
	want := sorted(line(basic, 10, "00:05"), line(detailed, 20, "00:05"), line(g1, 30, "00:05"), line(g2, 100, "00:05"), group(65, "00:05"))
	if got := p.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("minute 5:\n%v\nwant\n%v", got, want)
	}
	// MonitorInstances on a group member: its minute points and the group's (over it) appear;
	// UnmonitorInstances stops the other; stopped instances publish nothing.
	if m, err := s.MonitorInstances(ctx, &ec2sim.InstanceIDsInput{InstanceIDs: []string{g1}}); err != nil || m.InstanceMonitorings[0].Monitoring.State != "pending" {
		t.Fatalf("%+v %v", m, err)
	}
	if m, err := s.UnmonitorInstances(ctx, &ec2sim.InstanceIDsInput{InstanceIDs: []string{detailed}}); err != nil || m.InstanceMonitorings[0].Monitoring.State != "disabling" {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := s.StopInstances(ctx, &ec2sim.StopInstancesInput{InstanceIDs: []string{basic}}); err != nil {
		t.Fatal(err)
	}
	s.Settle(ctx)
	s.PublishMetrics(ctx, time.Date(2026, 5, 1, 0, 6, 0, 0, time.UTC))
	if got, want := p.take(), sorted(line(g1, 30, "00:06"), group(30, "00:06")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("minute 6:\n%v\nwant\n%v", got, want)
	}
	if _, err := s.MonitorInstances(ctx, &ec2sim.InstanceIDsInput{InstanceIDs: []string{"i-0123456789abcdef0"}}); err == nil {
		t.Error("monitoring an unknown instance")
	}
}

func TestCPUMetricsOnTheClock(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 5, 1, 0, 3, 30, 0, time.UTC))
	p := &pubs{ch: make(chan string, 16)}
	s, _ := newService(t, clk, ec2sim.Options{Metrics: p})
	ctx := context.Background()
	id := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI})[0]
	s.Settle(ctx)
	s.SetCPU(id, 42)
	// Basic monitoring: the first point is at 00:05, the next at 00:10.
	for _, at := range []string{"00:05", "00:10"} {
		for range 5 {
			stepMinute(t, clk)
			s.Settle(ctx)
		}
		select {
		case got := <-p.ch:
			if want := fmt.Sprintf("%s AWS/EC2 CPUUtilization [InstanceId=%s] 42 Percent @%s", core.DefaultAccount, id, at); got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("nothing published at %s", at)
		}
	}
}

// stepMinute waits until the publisher armed its timer for the next minute, then advances the
// clock by a minute.
func stepMinute(t *testing.T, clk *clock.Manual) {
	t.Helper()
	want := clk.Now().Truncate(time.Minute).Add(time.Minute)
	for range 10_000_000 {
		if n, ok := clk.Next(); ok && n.Equal(want) {
			clk.Advance(time.Minute)
			return
		}
		runtime.Gosched()
	}
	t.Fatal("the metrics publisher did not arm its timer")
}

func TestMonitoringSDK(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ec2sim.AL2023AMI), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		Monitoring: &types.RunInstancesMonitoringEnabled{Enabled: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	if run.Instances[0].Monitoring.State != types.MonitoringStateEnabled {
		t.Fatalf("%+v", run.Instances[0].Monitoring)
	}
	un, err := c.UnmonitorInstances(ctx, &ec2.UnmonitorInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(un.InstanceMonitorings) != 1 || un.InstanceMonitorings[0].Monitoring.State != types.MonitoringStateDisabling {
		t.Fatalf("%+v %v", un, err)
	}
	d, _ := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if st := d.Reservations[0].Instances[0].Monitoring.State; st != types.MonitoringStateDisabled {
		t.Fatalf("after unmonitor: %s", st)
	}
	mon, err := c.MonitorInstances(ctx, &ec2.MonitorInstancesInput{InstanceIds: []string{id}})
	if err != nil || mon.InstanceMonitorings[0].Monitoring.State != types.MonitoringStatePending || aws.ToString(mon.InstanceMonitorings[0].InstanceId) != id {
		t.Fatalf("%+v %v", mon, err)
	}
	lt, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("mon"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String(ec2sim.AL2023AMI), Monitoring: &types.LaunchTemplatesMonitoringRequest{Enabled: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	fromLT, err := c.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateId: lt.LaunchTemplate.LaunchTemplateId}})
	if err != nil || fromLT.Instances[0].Monitoring.State != types.MonitoringStateEnabled {
		t.Fatalf("%+v %v", fromLT, err)
	}
	s.Settle(ctx)
}
