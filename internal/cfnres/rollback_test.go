package cfnres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/sns"
)

// A failing later resource rolls the stack back: the resources created before it are deleted.
func TestRollbackDeletesEarlierResources(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	body := `
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Repo:
    Type: AWS::CodeCommit::Repository
    Properties:
      RepositoryName: doomed
  Web:
    Type: AWS::EC2::Instance
    DependsOn: [Topic, Repo]
    Properties:
      ImageId: ami-0a2023000000000a1
      InstanceType: t3.micro
  Bad:
    Type: AWS::EC2::Instance
    DependsOn: Web
    Properties:
      ImageId: ami-0000000000000dead
      InstanceType: t3.micro
`
	status, _ := p.deploy(t, "doomed", body)
	if status != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s", status)
	}
	if f := p.failures(t, "doomed"); !strings.Contains(f, "Bad: The image id '[ami-0000000000000dead]' does not exist") {
		t.Fatalf("failure reason: %s", f)
	}
	if _, err := p.CodeCommit.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: "doomed"}); err == nil {
		t.Fatal("repository survived the rollback")
	}
	topics, _ := p.SNS.ListTopics(ctx, &sns.ListTopicsInput{})
	if len(topics.Topics) != 0 {
		t.Fatalf("topics survived: %+v", topics.Topics)
	}
	desc, _ := p.EC2.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{})
	for _, r := range desc.Reservations {
		for _, i := range r.Instances {
			if i.State.Name != "terminated" {
				t.Fatalf("instance %s is %s after rollback", i.InstanceID, i.State.Name)
			}
		}
	}
}

// Bad properties become the stack's failure reason.
func TestPropertyErrors(t *testing.T) {
	p := newPlatform(t)
	for name, tc := range map[string]struct{ body, want string }{
		"missing": {`
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties: {}`, "G: Property GroupDescription cannot be empty."},
		"type": {`
Resources:
  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: lots
      MaxSize: 2
      AvailabilityZones: [us-east-1a]`, "G: property MinSize"},
		"service": {`
Resources:
  L:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 8`, "L: "},
	} {
		t.Run(name, func(t *testing.T) {
			status, _ := p.deploy(t, "bad-"+name, tc.body)
			if status != "ROLLBACK_COMPLETE" {
				t.Fatalf("status %s", status)
			}
			if f := p.failures(t, "bad-"+name); !strings.Contains(f, tc.want) {
				t.Fatalf("failures %q, want %q", f, tc.want)
			}
		})
	}
}

// Many stacks at once on the same services (run with -race).
func TestConcurrentStacks(t *testing.T) {
	p := newPlatform(t)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			name := "par" + string(rune('a'+i))
			body := strings.ReplaceAll(opsTemplate, "/app/web", "/app/"+name)
			if _, err := p.cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: name, TemplateBody: body}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range 6 {
		name := "par" + string(rune('a'+i))
		if status, _ := p.wait(t, name); status != "CREATE_COMPLETE" {
			t.Fatalf("%s: %s %s", name, status, p.failures(t, name))
		}
	}
	for i := range 6 {
		p.deleteStack(t, "par"+string(rune('a'+i)))
	}
}

// Drift detection reads the live resources.
func TestDrift(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	body := `
Resources:
  L:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /drift
      RetentionInDays: 7
`
	if status, _ := p.deploy(t, "drift", body); status != "CREATE_COMPLETE" {
		t.Fatal(status)
	}
	if _, err := p.Logs.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: "/drift", RetentionInDays: 30}); err != nil {
		t.Fatal(err)
	}
	out, err := p.cf.DetectStackResourceDrift(ctx, &cloudformation.DetectStackResourceDriftInput{StackName: "drift", LogicalResourceId: "L"})
	if err != nil {
		t.Fatal(err)
	}
	if d := out.StackResourceDrift; d.StackResourceDriftStatus != "MODIFIED" || len(d.PropertyDifferences) != 1 {
		t.Fatalf("drift %+v", out.StackResourceDrift)
	}
}
