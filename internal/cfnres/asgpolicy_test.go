package cfnres_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

// rollingTemplate is a group of three behind a launch template whose user data runs cfn-init
// and signals the group; VERSION changes the page (a new launch template version).
const rollingTemplate = `
Parameters:
  Version: {Type: String, Default: v1}
  Exit: {Type: String, Default: "0"}
Resources:
  LT:
    Type: AWS::EC2::LaunchTemplate
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages: {yum: {nginx: []}}
          files:
            /usr/share/nginx/html/index.html: {content: !Sub "<p>${Version}</p>"}
          services:
            sysvinit:
              nginx: {enabled: true, ensureRunning: true}
    Properties:
      LaunchTemplateData:
        ImageId: ami-0a2023000000000a1
        InstanceType: t3.small
        UserData:
          Fn::Base64: !Sub |
            #!/bin/bash
            yum install -y aws-cfn-bootstrap
            /opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource LT --region ${AWS::Region}
            /opt/aws/bin/cfn-signal -e ${Exit} --stack ${AWS::StackName} --resource Group --region ${AWS::Region}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    CreationPolicy:
      ResourceSignal: {Count: 3, Timeout: PT5M}
    UpdatePolicy:
      AutoScalingRollingUpdate:
        MaxBatchSize: 1
        MinInstancesInService: 3
        WaitOnResourceSignals: true
        PauseTime: PT2M
        SuspendProcesses: [AlarmNotification, ScheduledActions]
    Properties:
      AvailabilityZones: !GetAZs ""
      MinSize: "3"
      MaxSize: "3"
      DesiredCapacity: "3"
      LaunchTemplate:
        LaunchTemplateId: !Ref LT
        Version: !GetAtt LT.LatestVersionNumber
Outputs:
  Group: {Value: !Ref Group}
`

// pages returns what each in-service instance of the group serves, and the group.
func (p *platform) pages(t *testing.T, name string) ([]string, *autoscaling.Group) {
	t.Helper()
	out, err := p.AutoScaling.DescribeAutoScalingGroups(context.Background(), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("group %s: %v", name, err)
	}
	g := out.AutoScalingGroups[0]
	var pages []string
	for _, in := range g.Instances {
		if in.LifecycleState != "InService" && in.LifecycleState != "Pending" {
			continue
		}
		h, ok := p.EC2.Host(in.InstanceID)
		if !ok {
			t.Fatalf("no host %s", in.InstanceID)
		}
		b, _ := h.ReadFile("/usr/share/nginx/html/index.html")
		if !h.ServiceActive("nginx") {
			b = append(b, " (nginx stopped)"...)
		}
		pages = append(pages, string(b))
	}
	return pages, &g
}

func TestRollingUpdateReplacesInstancesInBatches(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "roll", rollingTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("create: %s %s", status, p.failures(t, "roll"))
	}
	name := outputs(st)["Group"]
	pages, g := p.pages(t, name)
	if strings.Join(pages, ",") != "<p>v1</p>,<p>v1</p>,<p>v1</p>" {
		t.Fatalf("before: %v", pages)
	}
	before := map[string]bool{}
	for _, in := range g.Instances {
		before[in.InstanceID] = true
	}
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("roll", rollingTemplate), param("Version", "v2"))); err != nil {
		t.Fatal(err)
	}
	if status, _ := p.wait(t, "roll"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s %s", status, p.failures(t, "roll"))
	}
	pages, g = p.pages(t, name)
	if strings.Join(pages, ",") != "<p>v2</p>,<p>v2</p>,<p>v2</p>" {
		t.Fatalf("after: %v", pages)
	}
	for _, in := range g.Instances {
		if before[in.InstanceID] {
			t.Errorf("instance %s was not replaced", in.InstanceID)
		}
	}
	if g.MinSize != 3 || g.MaxSize != 3 || g.DesiredCapacity != 3 {
		t.Errorf("sizes not restored: %d/%d/%d", g.MinSize, g.MaxSize, g.DesiredCapacity)
	}
	if len(g.SuspendedProcesses) != 0 {
		t.Errorf("SuspendProcesses not resumed after the update: %+v", g.SuspendedProcesses)
	}
	// MinInstancesInService 3 with MaxBatchSize 1: each batch launched one instance first,
	// so the group never had fewer than 3 in service (4 at most).
	acts, err := p.AutoScaling.DescribeScalingActivities(ctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: name})
	if err != nil {
		t.Fatal(err)
	}
	launches := 0
	for _, a := range acts.Activities {
		if strings.HasPrefix(a.Description, "Launching") {
			launches++
		}
	}
	if launches != 6 {
		t.Errorf("%d launches, want 3 + 3", launches)
	}
	// The group's progress shows in the stack events, as AWS reports it.
	reasons := p.progress(t, "roll", "Group")
	count := func(status, prefix string) int {
		n := 0
		for _, r := range reasons[status] {
			if strings.HasPrefix(r, prefix) {
				n++
			}
		}
		return n
	}
	for _, want := range []struct {
		status, prefix string
		n              int
	}{
		{"CREATE_IN_PROGRESS", "Received SUCCESS signal with UniqueId i-", 3},
		{"UPDATE_IN_PROGRESS", "Rolling update initiated. Terminating 3 obsolete instance(s) in batches of 1, while keeping at least 3 instance(s) in service. Waiting on resource signals with a timeout of PT2M when new instances are added to the autoscaling group.", 1},
		{"UPDATE_IN_PROGRESS", "Terminating instance(s) [i-", 3},
		{"UPDATE_IN_PROGRESS", "New instance(s) added to autoscaling group - Waiting on 1 resource signal(s) with a timeout of PT2M.", 3},
		{"UPDATE_IN_PROGRESS", "Received SUCCESS signal with UniqueId i-", 3},
		{"UPDATE_IN_PROGRESS", "Successfully terminated instance(s) [i-", 3},
	} {
		if got := count(want.status, want.prefix); got != want.n {
			t.Errorf("%d %s events %q, want %d; all: %q", got, want.status, want.prefix, want.n, reasons)
		}
	}
	var progress []string
	for _, r := range reasons["UPDATE_IN_PROGRESS"] {
		if _, pct, ok := strings.Cut(r, "(Progress "); ok {
			progress = append(progress, pct)
		}
	}
	if strings.Join(progress, " ") != "33%). 66%). 100%)." {
		t.Errorf("progress %q", progress)
	}
	p.deleteStack(t, "roll")
}

// progress returns the reasons of a resource's events by status, oldest first.
func (p *platform) progress(t *testing.T, stack, logical string) map[string][]string {
	t.Helper()
	out, err := p.cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: stack})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string][]string{}
	for i := len(out.StackEvents) - 1; i >= 0; i-- {
		if e := out.StackEvents[i]; e.LogicalResourceId == logical && e.ResourceStatusReason != "" {
			reasons[e.ResourceStatus] = append(reasons[e.ResourceStatus], e.ResourceStatusReason)
		}
	}
	return reasons
}

func TestRollingUpdateFailureRollsBack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	body := strings.Replace(rollingTemplate, "MinInstancesInService: 3", "MinInstancesInService: 2", 1)
	status, st := p.deploy(t, "rollfail", body)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("create: %s %s", status, p.failures(t, "rollfail"))
	}
	name := outputs(st)["Group"]
	// v2 instances signal FAILURE: the first batch fails and the update rolls back.
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("rollfail", body), param("Version", "v2"), param("Exit", "1"))); err != nil {
		t.Fatal(err)
	}
	status, _ = p.wait(t, "rollfail")
	if status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("update: %s %s", status, p.failures(t, "rollfail"))
	}
	if f := p.failures(t, "rollfail"); !strings.Contains(f, "Group: Received 1 FAILURE signal(s) out of 1. Unable to satisfy 100% MinSuccessfulInstancesPercent requirement") {
		t.Errorf("failure reason:\n%s", f)
	}
	if r := p.progress(t, "rollfail", "Group")["UPDATE_IN_PROGRESS"]; !slices.ContainsFunc(r, func(s string) bool { return strings.HasPrefix(s, "Received FAILURE signal with UniqueId i-") }) {
		t.Errorf("no FAILURE signal event: %q", r)
	}
	pages, g := p.pages(t, name)
	if strings.Join(pages, ",") != "<p>v1</p>,<p>v1</p>,<p>v1</p>" {
		t.Fatalf("after rollback: %v", pages)
	}
	lt, _ := p.cf.DescribeStackResource(ctx, describeRes("rollfail", "LT"))
	for _, in := range g.Instances {
		if in.LaunchTemplate == nil || in.LaunchTemplate.LaunchTemplateID != lt.StackResourceDetail.PhysicalResourceId || in.LaunchTemplate.Version != "1" {
			t.Errorf("instance %s runs %+v after rollback", in.InstanceID, in.LaunchTemplate)
		}
	}
}

func TestReplacingUpdateCreatesNewGroup(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	body := strings.Replace(rollingTemplate, `      AutoScalingRollingUpdate:
        MaxBatchSize: 1
        MinInstancesInService: 3
        WaitOnResourceSignals: true
        PauseTime: PT2M
        SuspendProcesses: [AlarmNotification, ScheduledActions]`, `      AutoScalingReplacingUpdate:
        WillReplace: true`, 1)
	status, st := p.deploy(t, "replace", body)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("create: %s %s", status, p.failures(t, "replace"))
	}
	old := outputs(st)["Group"]
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("replace", body), param("Version", "v2"))); err != nil {
		t.Fatal(err)
	}
	status, st = p.wait(t, "replace")
	if status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s %s", status, p.failures(t, "replace"))
	}
	cur := outputs(st)["Group"]
	if cur == old {
		t.Fatal("the group was not replaced")
	}
	pages, _ := p.pages(t, cur)
	if strings.Join(pages, ",") != "<p>v2</p>,<p>v2</p>,<p>v2</p>" {
		t.Fatalf("new group: %v", pages)
	}
	if out, _ := p.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{old}}); out != nil && len(out.AutoScalingGroups) > 0 {
		t.Fatal("the old group survived cleanup")
	}
	// A replacement whose new group signals FAILURE keeps the old group.
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("replace", body), param("Version", "v3"), param("Exit", "1"))); err != nil {
		t.Fatal(err)
	}
	status, st = p.wait(t, "replace")
	if status != "UPDATE_ROLLBACK_COMPLETE" || outputs(st)["Group"] != cur {
		t.Fatalf("failed replacement: %s %v %s", status, outputs(st), p.failures(t, "replace"))
	}
	if pages, _ := p.pages(t, cur); strings.Join(pages, ",") != "<p>v2</p>,<p>v2</p>,<p>v2</p>" {
		t.Fatalf("kept group: %v", pages)
	}
}

func TestCreationPolicyMinSuccessfulInstancesPercent(t *testing.T) {
	// Two instances, one per Availability Zone; the one in the "b" zone signals FAILURE.
	body := `
Parameters:
  Percent: {Type: String, Default: "50"}
Resources:
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    CreationPolicy:
      ResourceSignal: {Count: 2, Timeout: PT5M}
      AutoScalingCreationPolicy: {MinSuccessfulInstancesPercent: !Ref Percent}
    Properties:
      AvailabilityZones: [us-east-1a, us-east-1b]
      MinSize: "2"
      MaxSize: "2"
      LaunchConfigurationName: !Ref LC
  LC:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: ami-0a2023000000000a1
      InstanceType: t3.micro
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          yum install -y aws-cfn-bootstrap
          TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
          case $(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/placement/availability-zone) in
            *a) code=0 ;;
            *) code=1 ;;
          esac
          /opt/aws/bin/cfn-signal -e $code --stack ${AWS::StackName} --resource Group --region ${AWS::Region}
`
	for _, tc := range []struct{ percent, want string }{{"0", "CREATE_COMPLETE"}, {"50", "CREATE_COMPLETE"}, {"100", "ROLLBACK_COMPLETE"}} {
		t.Run(tc.percent, func(t *testing.T) {
			p := newPlatform(t)
			status, _ := p.deploy(t, "pct", body, param("Percent", tc.percent))
			if status != tc.want {
				t.Fatalf("status %s, want %s: %s", status, tc.want, p.failures(t, "pct"))
			}
		})
	}
}

func describeRes(stack, logical string) *cloudformation.DescribeStackResourceInput {
	return &cloudformation.DescribeStackResourceInput{StackName: stack, LogicalResourceId: logical}
}
