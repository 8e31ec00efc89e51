package devopsim_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codecommit"

	"github.com/devopsim/devopsim/devopsimtest"
)

// TestStackCreatesRealResources: a stack creates a repository, a build project and a web
// server whose user data runs, and deleting it removes them.
func TestStackCreatesRealResources(t *testing.T) {
	p, cfg := devopsimtest.New(t)
	ctx := context.Background()
	template := `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ImageId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
Resources:
  Repo:
    Type: AWS::CodeCommit::Repository
    Properties:
      RepositoryName: !Sub "${AWS::StackName}-repo"
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref ImageId
      InstanceType: t3.micro
      UserData:
        Fn::Base64: |
          #!/bin/bash
          echo "made by a stack" > /etc/motd
Outputs:
  CloneUrl:
    Value: !GetAtt Repo.CloneUrlHttp
  InstanceId:
    Value: !Ref Web
`
	cf := cloudformation.NewFromConfig(cfg)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("demo"), TemplateBody: aws.String(template)}); err != nil {
		t.Fatal(err)
	}
	status, err := p.CloudFormation().WaitStack(ctx, "demo")
	if err != nil || status != "CREATE_COMPLETE" {
		out, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("demo")})
		for _, e := range out.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatalf("stack %s, %v", status, err)
	}
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if !strings.HasSuffix(outputs["CloneUrl"], "/v1/repos/demo-repo") {
		t.Errorf("CloneUrl output %q", outputs["CloneUrl"])
	}
	if _, err := codecommit.NewFromConfig(cfg).GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: aws.String("demo-repo")}); err != nil {
		t.Fatalf("the stack's repository: %v", err)
	}
	h, ok := p.EC2().MachineOf(outputs["InstanceId"])
	if !ok {
		t.Fatalf("no host for %s", outputs["InstanceId"])
	}
	if motd, err := h.ReadFile("/etc/motd"); err != nil || !strings.Contains(string(motd), "made by a stack") {
		t.Fatalf("user data did not run: %q %v", motd, err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("demo")}); err != nil {
		t.Fatal(err)
	}
	p.CloudFormation().WaitStack(ctx, "demo")
	if _, err := codecommit.NewFromConfig(cfg).GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: aws.String("demo-repo")}); err == nil {
		t.Fatal("the repository outlived its stack")
	}
	stacks, _ := cf.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []cftypes.StackStatus{cftypes.StackStatusDeleteComplete}})
	if len(stacks.StackSummaries) != 1 {
		t.Fatalf("deleted stacks %+v", stacks.StackSummaries)
	}
}

// TestStackCfnInit: on the platform's hosts, an instance's user data runs /opt/aws/bin/cfn-init
// (preinstalled on Amazon Linux, as AWS's images have it), which applies the resource's
// AWS::CloudFormation::Init metadata, and cfn-signal completes its CreationPolicy.
func TestStackCfnInit(t *testing.T) {
	p, cfg := devopsimtest.New(t)
	ctx := context.Background()
	template := `
Resources:
  Web:
    Type: AWS::EC2::Instance
    CreationPolicy:
      ResourceSignal: {Count: 1, Timeout: PT5M}
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages:
            yum: {nginx: []}
          files:
            /usr/share/nginx/html/index.html:
              content: !Sub "<h1>${AWS::StackName} by cfn-init</h1>"
              mode: "000644"
          services:
            systemd:
              nginx: {enabled: true, ensureRunning: true}
    Properties:
      ImageId: ami-0a2023000000000a1
      InstanceType: t3.micro
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          /opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource Web --region ${AWS::Region}
          /opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource Web --region ${AWS::Region}
`
	cf := cloudformation.NewFromConfig(cfg)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("init"), TemplateBody: aws.String(template)}); err != nil {
		t.Fatal(err)
	}
	status, err := p.CloudFormation().WaitStack(ctx, "init")
	if err != nil || status != "CREATE_COMPLETE" {
		out, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("init")})
		for _, e := range out.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatalf("stack %s, %v", status, err)
	}
	res, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("init"), LogicalResourceId: aws.String("Web")})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := p.EC2().MachineOf(aws.ToString(res.StackResourceDetail.PhysicalResourceId))
	if !ok {
		t.Fatal("no host for the instance")
	}
	resp, err := http.Get(h.URL(80))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "<h1>init by cfn-init</h1>" {
		t.Fatalf("nginx serves %q", body)
	}
}
