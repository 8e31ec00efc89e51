package autoscaling_test

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/internal/awsapi/autoscalingapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// newVersion adds a launch template version whose user data writes page to the web root
// (image overrides the template's image when given).
func newVersion(t *testing.T, f *fixture, page, image string) {
	t.Helper()
	ud := base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\nyum install -y httpd\necho " + page + " > /var/www/html/index.html\nsystemctl enable --now httpd\n"))
	if _, err := f.ec2.CreateLaunchTemplateVersion(context.Background(), &ec2sim.CreateLaunchTemplateVersionInput{LaunchTemplateName: "web", SourceVersion: "1",
		LaunchTemplateData: ec2sim.LaunchTemplateData{ImageID: image, InstanceType: "t3.micro", UserData: ud}}); err != nil {
		t.Fatal(err)
	}
}

func refresh(t *testing.T, f *fixture, group string) autoscaling.InstanceRefresh {
	t.Helper()
	out, err := f.asg.DescribeInstanceRefreshes(context.Background(), &autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: group, MaxRecords: 1})
	if err != nil || len(out.InstanceRefreshes) == 0 {
		t.Fatalf("%+v %v", out, err)
	}
	return out.InstanceRefreshes[0]
}

// drive advances the clock in steps and reconciles until the group's newest refresh ends.
func drive(t *testing.T, f *fixture, group string, step time.Duration) autoscaling.InstanceRefresh {
	t.Helper()
	for range 200 {
		r := refresh(t, f, group)
		switch r.Status {
		case "Successful", "Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed":
			return r
		}
		f.clk.Advance(step)
		f.settle(t)
	}
	t.Fatalf("refresh did not finish: %+v", refresh(t, f, group))
	return autoscaling.InstanceRefresh{}
}

func errCode(err error) string {
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

func (f *fixture) eventsWith(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		if rest, ok := strings.CutPrefix(e, prefix); ok {
			out = append(out, rest)
		}
	}
	return out
}

func pages(t *testing.T, f *fixture, g autoscaling.Group) []string {
	t.Helper()
	var out []string
	for _, i := range g.Instances {
		h, ok := f.ec2.Host(i.InstanceID)
		if !ok {
			t.Fatalf("no host for %s", i.InstanceID)
		}
		b, err := h.ReadFile("/var/www/html/index.html")
		if err != nil {
			t.Fatalf("%s: %v", i.InstanceID, err)
		}
		out = append(out, strings.TrimSpace(string(b)))
	}
	slices.Sort(out)
	return out
}

func TestInstanceRefreshRolling(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "web", MinSize: 1, MaxSize: 6, DesiredCapacity: i32(4),
		LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "1"}, AvailabilityZones: []string{"us-east-1a", "us-east-1b"}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	newVersion(t, f, "v2", "")

	for _, tc := range []struct {
		name string
		in   autoscaling.StartInstanceRefreshInput
		code string
	}{
		{"no group", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "nope"}, "ValidationError"},
		{"strategy", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Strategy: "Fast"}, "ValidationError"},
		{"min", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Preferences: &autoscaling.RefreshPreferences{MinHealthyPercentage: i32(101)}}, "ValidationError"},
		{"max", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Preferences: &autoscaling.RefreshPreferences{MaxHealthyPercentage: i32(99)}}, "ValidationError"},
		{"100/100", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Preferences: &autoscaling.RefreshPreferences{MinHealthyPercentage: i32(100)}}, "ValidationError"},
		{"spread", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Preferences: &autoscaling.RefreshPreferences{MinHealthyPercentage: i32(0), MaxHealthyPercentage: i32(150)}}, "ValidationError"},
		{"checkpoints", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Preferences: &autoscaling.RefreshPreferences{CheckpointPercentages: []int32{50, 20}}}, "ValidationError"},
		{"rollback without config", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Preferences: &autoscaling.RefreshPreferences{AutoRollback: yes()}}, "ValidationError"},
		{"bad template", autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", DesiredConfiguration: &autoscaling.DesiredConfiguration{
			LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "9"}}}, "ValidationError"},
	} {
		if _, err := f.asg.StartInstanceRefresh(ctx, &tc.in); errCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}

	old := f.group(t, "web")
	start, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web",
		DesiredConfiguration: &autoscaling.DesiredConfiguration{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "2"}},
		Preferences: &autoscaling.RefreshPreferences{MinHealthyPercentage: i32(50), InstanceWarmup: i32(60), SkipMatching: yes(),
			CheckpointPercentages: []int32{50, 100}, CheckpointDelay: i32(600)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web"}); errCode(err) != "InstanceRefreshInProgress" {
		t.Fatal(err)
	}
	r := refresh(t, f, "web")
	if r.InstanceRefreshID != start.InstanceRefreshID || r.Status != "InProgress" || r.InstancesToUpdate != 4 || r.PercentageComplete != 0 ||
		*r.Preferences.MinHealthyPercentage != 50 || *r.Preferences.MaxHealthyPercentage != 100 || r.Preferences.ScaleInProtectedInstances != "Ignore" {
		t.Fatalf("%+v", r)
	}
	// Min 50% of 4: two instances at a time, terminated before their replacements launch.
	g := f.group(t, "web")
	if st := states(g); st["InService"] != 2 || st["Pending"] != 2 {
		t.Fatalf("%v", st)
	}
	f.settle(t)
	// The new instances are in service: warmup (60s) on the clock before the batch counts.
	if r := refresh(t, f, "web"); r.PercentageComplete != 0 || r.StatusReason == "" {
		t.Fatalf("%+v", r)
	}
	f.clk.Advance(59 * time.Second)
	f.settle(t)
	if r := refresh(t, f, "web"); r.PercentageComplete != 0 {
		t.Fatalf("warmup not honoured: %+v", r)
	}
	f.clk.Advance(time.Second)
	f.settle(t)
	r = refresh(t, f, "web")
	if r.PercentageComplete != 50 || r.InstancesToUpdate != 2 || !strings.Contains(r.StatusReason, "checkpoint") || r.ProgressDetails.LivePoolProgress.PercentageComplete != 50 {
		t.Fatalf("%+v", r)
	}
	if got := f.eventsWith("EC2 Auto Scaling Instance Refresh "); !slices.Equal(got, []string{"Started", "Checkpoint Reached"}) {
		t.Fatalf("events %v", got)
	}
	// The checkpoint delay (600s) holds the second batch.
	f.clk.Advance(599 * time.Second)
	f.settle(t)
	if st := states(f.group(t, "web")); st["InService"] != 4 {
		t.Fatalf("second batch started during the checkpoint delay: %v", st)
	}
	r = drive(t, f, "web", 30*time.Second)
	if r.Status != "Successful" || r.PercentageComplete != 100 || r.InstancesToUpdate != 0 || r.EndTime.IsZero() {
		t.Fatalf("%+v", r)
	}
	if got := f.eventsWith("EC2 Auto Scaling Instance Refresh "); !slices.Equal(got, []string{"Started", "Checkpoint Reached", "Checkpoint Reached", "Succeeded"}) {
		t.Fatalf("events %v", got)
	}
	g = f.group(t, "web")
	if g.LaunchTemplate.Version != "2" || len(g.Instances) != 4 || states(g)["InService"] != 4 {
		t.Fatalf("%+v", g)
	}
	for _, i := range g.Instances {
		if slices.ContainsFunc(old.Instances, func(o autoscaling.Instance) bool { return o.InstanceID == i.InstanceID }) {
			t.Fatalf("instance %s was not replaced", i.InstanceID)
		}
	}
	// The new instances ran the new version's user data.
	if p := pages(t, f, g); !slices.Equal(p, []string{"v2", "v2", "v2", "v2"}) {
		t.Fatalf("pages %v", p)
	}
	// SkipMatching: nothing left to replace.
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web",
		Preferences: &autoscaling.RefreshPreferences{SkipMatching: yes()}}); err != nil {
		t.Fatal(err)
	}
	if r := refresh(t, f, "web"); r.Status != "Successful" || r.PercentageComplete != 100 || r.InstancesToUpdate != 0 {
		t.Fatalf("%+v", r)
	}
	all, err := f.asg.DescribeInstanceRefreshes(ctx, &autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: "web", MaxRecords: 1})
	if err != nil || len(all.InstanceRefreshes) != 1 || all.NextToken == "" {
		t.Fatalf("%+v %v", all, err)
	}
	next, err := f.asg.DescribeInstanceRefreshes(ctx, &autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: "web", NextToken: all.NextToken})
	if err != nil || len(next.InstanceRefreshes) != 1 || next.InstanceRefreshes[0].InstanceRefreshID != start.InstanceRefreshID || next.NextToken != "" {
		t.Fatalf("%+v %v", next, err)
	}
	if _, err := f.asg.CancelInstanceRefresh(ctx, &autoscaling.CancelInstanceRefreshInput{AutoScalingGroupName: "web"}); errCode(err) != "ActiveInstanceRefreshNotFound" {
		t.Fatal(err)
	}
}

func TestInstanceRefreshLaunchBeforeTerminate(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "web", MinSize: 1, MaxSize: 2, DesiredCapacity: i32(2),
		LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "1"}, AvailabilityZones: []string{"us-east-1a"}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	newVersion(t, f, "v2", "")
	// Min 100%, max 150% of 2: one new instance launches before an old one goes.
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web",
		DesiredConfiguration: &autoscaling.DesiredConfiguration{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "2"}},
		Preferences:          &autoscaling.RefreshPreferences{MinHealthyPercentage: i32(100), MaxHealthyPercentage: i32(150), InstanceWarmup: i32(30)}}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		g := f.group(t, "web")
		if st := states(g); st["InService"] < 2 {
			t.Fatalf("fewer than 100%% in service: %v", st)
		}
		if len(g.Instances) > 3 {
			t.Fatalf("more than 150%%: %d instances", len(g.Instances))
		}
		if refresh(t, f, "web").Status == "Successful" {
			break
		}
		f.clk.Advance(15 * time.Second)
		f.settle(t)
	}
	if r := refresh(t, f, "web"); r.Status != "Successful" {
		t.Fatalf("%+v", r)
	}
	if p := pages(t, f, f.group(t, "web")); !slices.Equal(p, []string{"v2", "v2"}) {
		t.Fatalf("pages %v", p)
	}
}

func TestInstanceRefreshCancelAndRollback(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: "web", MinSize: 1, MaxSize: 4, DesiredCapacity: i32(2),
		LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "1"}, AvailabilityZones: []string{"us-east-1a"}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	newVersion(t, f, "v2", "")
	newVersion(t, f, "broken", "ami-0123456789abcdef0")
	to := func(v string) *autoscaling.DesiredConfiguration {
		return &autoscaling.DesiredConfiguration{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: v}}
	}

	// Cancel while the first batch launches: Cancelling until it is in service, then Cancelled.
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", DesiredConfiguration: to("2"),
		Preferences: &autoscaling.RefreshPreferences{InstanceWarmup: i32(300)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.asg.CancelInstanceRefresh(ctx, &autoscaling.CancelInstanceRefreshInput{AutoScalingGroupName: "web"}); err != nil {
		t.Fatal(err)
	}
	if r := refresh(t, f, "web"); r.Status != "Cancelling" {
		t.Fatalf("%+v", r)
	}
	f.settle(t)
	if r := refresh(t, f, "web"); r.Status != "Cancelled" || r.PercentageComplete != 0 {
		t.Fatalf("%+v", r)
	}
	if g := f.group(t, "web"); g.LaunchTemplate.Version != "1" || states(g)["InService"] != 2 {
		t.Fatalf("%+v", g)
	}

	// A launch failure fails the refresh; with AutoRollback it rolls back.
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", DesiredConfiguration: to("3"),
		Preferences: &autoscaling.RefreshPreferences{InstanceWarmup: i32(0)}}); err != nil {
		t.Fatal(err)
	}
	r := drive(t, f, "web", 10*time.Second)
	if r.Status != "Failed" || !strings.Contains(r.StatusReason, "ami-0123456789abcdef0") {
		t.Fatalf("%+v", r)
	}
	f.settle(t)
	if g := f.group(t, "web"); g.LaunchTemplate.Version != "1" || states(g)["InService"] != 2 {
		t.Fatalf("%+v", g)
	}

	// A user rollback of a refresh to version 2 halfway through: back to version 1.
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", DesiredConfiguration: to("2"),
		Preferences: &autoscaling.RefreshPreferences{InstanceWarmup: i32(60), CheckpointPercentages: []int32{50, 100}}}); err != nil {
		t.Fatal(err)
	}
	for refresh(t, f, "web").PercentageComplete < 50 {
		f.clk.Advance(30 * time.Second)
		f.settle(t)
	}
	if p := pages(t, f, f.group(t, "web")); !slices.Equal(p, []string{"ok", "v2"}) {
		t.Fatalf("pages %v", p)
	}
	if _, err := f.asg.RollbackInstanceRefresh(ctx, &autoscaling.RollbackInstanceRefreshInput{AutoScalingGroupName: "web"}); err != nil {
		t.Fatal(err)
	}
	r = refresh(t, f, "web")
	if r.Status != "RollbackInProgress" || r.RollbackDetails == nil || r.RollbackDetails.InstancesToUpdateOnRollback != 1 || r.RollbackDetails.RollbackStartTime.IsZero() {
		t.Fatalf("%+v", r)
	}
	r = drive(t, f, "web", 30*time.Second)
	if r.Status != "RollbackSuccessful" || r.RollbackDetails.PercentageCompleteOnRollback != 100 {
		t.Fatalf("%+v %+v", r, r.RollbackDetails)
	}
	f.settle(t)
	if p := pages(t, f, f.group(t, "web")); !slices.Equal(p, []string{"ok", "ok"}) {
		t.Fatalf("pages %v", p)
	}

	// AutoRollback after a failed launch.
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", DesiredConfiguration: to("3"),
		Preferences: &autoscaling.RefreshPreferences{InstanceWarmup: i32(0), AutoRollback: yes()}}); err != nil {
		t.Fatal(err)
	}
	r = drive(t, f, "web", 10*time.Second)
	if r.Status != "RollbackSuccessful" || !strings.Contains(r.RollbackDetails.RollbackReason, "failed to launch") {
		t.Fatalf("%+v", r)
	}
	got := f.eventsWith("EC2 Auto Scaling Instance Refresh ")
	for _, want := range []string{"Cancelled", "Failed", "Rollback Started", "Rollback Succeeded"} {
		if !slices.Contains(got, want) {
			t.Errorf("no %q event in %v", want, got)
		}
	}
	// Rolling back needs an active refresh with a desired configuration.
	if _, err := f.asg.RollbackInstanceRefresh(ctx, &autoscaling.RollbackInstanceRefreshInput{AutoScalingGroupName: "web"}); errCode(err) != "ActiveInstanceRefreshNotFound" {
		t.Fatal(err)
	}
	if _, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: "web", Preferences: &autoscaling.RefreshPreferences{InstanceWarmup: i32(600)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.asg.RollbackInstanceRefresh(ctx, &autoscaling.RollbackInstanceRefreshInput{AutoScalingGroupName: "web"}); errCode(err) != "IrreversibleInstanceRefresh" {
		t.Fatal(err)
	}
}

func TestInstanceRefreshConcurrent(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} {
		if _, err := f.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: name, MinSize: 1, MaxSize: 3, DesiredCapacity: i32(2),
			LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "web"}, AvailabilityZones: []string{"us-east-1a"}}); err != nil {
			t.Fatal(err)
		}
	}
	f.settle(t)
	var wg sync.WaitGroup
	started := make([]int, 3)
	for i, name := range []string{"a", "b", "c"} {
		for range 4 {
			wg.Go(func() {
				_, err := f.asg.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: name, Preferences: &autoscaling.RefreshPreferences{InstanceWarmup: i32(0)}})
				switch {
				case err == nil:
					started[i]++
				case errCode(err) != "InstanceRefreshInProgress":
					t.Error(err)
				}
				if _, err := f.asg.DescribeInstanceRefreshes(ctx, &autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: name}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Add(1)
	go func() { defer wg.Done(); f.asg.Reconcile(ctx) }()
	wg.Wait()
	for i, n := range started {
		if n != 1 {
			t.Errorf("group %d: %d refreshes started, want 1", i, n)
		}
	}
	for _, name := range []string{"a", "b", "c"} {
		if r := drive(t, f, name, 10*time.Second); r.Status != "Successful" {
			t.Fatalf("%s: %+v", name, r)
		}
	}
}

func TestSDKInstanceRefresh(t *testing.T) {
	f := setup(t)
	c := as.NewFromConfig(awstest.Config(t, autoscalingapi.Service(f.asg)))
	ctx := context.Background()
	if _, err := c.CreateAutoScalingGroup(ctx, &as.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"), MinSize: aws.Int32(1), MaxSize: aws.Int32(3),
		DesiredCapacity: aws.Int32(2), AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
		MixedInstancesPolicy: &types.MixedInstancesPolicy{LaunchTemplate: &types.LaunchTemplate{
			LaunchTemplateSpecification: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web"), Version: aws.String("1")},
			Overrides:                   []types.LaunchTemplateOverrides{{InstanceType: aws.String("t3.small")}}}}}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	newVersion(t, f, "v2", "")
	start, err := c.StartInstanceRefresh(ctx, &as.StartInstanceRefreshInput{AutoScalingGroupName: aws.String("web"), Strategy: types.RefreshStrategyRolling,
		DesiredConfiguration: &types.DesiredConfiguration{MixedInstancesPolicy: &types.MixedInstancesPolicy{LaunchTemplate: &types.LaunchTemplate{
			LaunchTemplateSpecification: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web"), Version: aws.String("2")},
			Overrides:                   []types.LaunchTemplateOverrides{{InstanceType: aws.String("t3.medium")}}}}},
		Preferences: &types.RefreshPreferences{MinHealthyPercentage: aws.Int32(50), InstanceWarmup: aws.Int32(120), SkipMatching: aws.Bool(true),
			CheckpointPercentages: []int32{50, 100}, CheckpointDelay: aws.Int32(60), AutoRollback: aws.Bool(true), BakeTime: aws.Int32(0)}})
	if err != nil || aws.ToString(start.InstanceRefreshId) == "" {
		t.Fatalf("%+v %v", start, err)
	}
	if _, err := c.StartInstanceRefresh(ctx, &as.StartInstanceRefreshInput{AutoScalingGroupName: aws.String("web")}); sdkCodeOf(err) != "InstanceRefreshInProgress" {
		t.Fatal(err)
	}
	var last types.InstanceRefresh
	for range 100 {
		out, err := c.DescribeInstanceRefreshes(ctx, &as.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String("web"), InstanceRefreshIds: []string{aws.ToString(start.InstanceRefreshId)}})
		if err != nil || len(out.InstanceRefreshes) != 1 {
			t.Fatalf("%+v %v", out, err)
		}
		last = out.InstanceRefreshes[0]
		if last.Status == types.InstanceRefreshStatusSuccessful {
			break
		}
		if last.Status != types.InstanceRefreshStatusInProgress {
			t.Fatalf("%+v", last)
		}
		f.clk.Advance(30 * time.Second)
		f.settle(t)
	}
	if last.Status != types.InstanceRefreshStatusSuccessful || aws.ToInt32(last.PercentageComplete) != 100 || last.EndTime == nil || last.StartTime == nil ||
		aws.ToInt32(last.Preferences.MinHealthyPercentage) != 50 || !aws.ToBool(last.Preferences.AutoRollback) || len(last.Preferences.CheckpointPercentages) != 2 ||
		aws.ToString(last.DesiredConfiguration.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version) != "2" || last.Strategy != types.RefreshStrategyRolling ||
		aws.ToInt32(last.ProgressDetails.LivePoolProgress.PercentageComplete) != 100 {
		t.Fatalf("%+v", last)
	}
	g, err := c.DescribeAutoScalingGroups(ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range g.AutoScalingGroups[0].Instances {
		if aws.ToString(i.InstanceType) != "t3.medium" {
			t.Fatalf("%+v", i)
		}
	}
	if v := aws.ToString(g.AutoScalingGroups[0].MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version); v != "2" {
		t.Fatalf("group version %s", v)
	}
	if _, err := c.CancelInstanceRefresh(ctx, &as.CancelInstanceRefreshInput{AutoScalingGroupName: aws.String("web")}); sdkCodeOf(err) != "ActiveInstanceRefreshNotFound" {
		t.Fatal(err)
	}
	if _, err := c.RollbackInstanceRefresh(ctx, &as.RollbackInstanceRefreshInput{AutoScalingGroupName: aws.String("web")}); sdkCodeOf(err) != "ActiveInstanceRefreshNotFound" {
		t.Fatal(err)
	}
}

func sdkCodeOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
