package cfnres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/iam"
)

const pipelineTemplate = `
Parameters:
  ApprovalStage: {Type: String, Default: Approve}
  KeyStatus: {Type: String, Default: Active}
Resources:
  Repo:
    Type: AWS::CodeCommit::Repository
    Properties: {RepositoryName: app}
  Artifacts:
    Type: AWS::S3::Bucket
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/pipeline
      ArtifactStore: {Type: S3, Location: !Ref Artifacts}
      RestartExecutionOnUpdate: false
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: "1"}
              Configuration: {RepositoryName: !GetAtt Repo.Name, BranchName: main, PollForSourceChanges: false}
              OutputArtifacts: [{Name: Src}]
              RunOrder: 1
        - Name: !Ref ApprovalStage
          Actions:
            - Name: Approve
              ActionTypeId: {Category: Approval, Owner: AWS, Provider: Manual, Version: "1"}
      Tags: [{Key: app, Value: demo}]
  Custom:
    Type: AWS::CodePipeline::CustomActionType
    Properties:
      Category: Test
      Provider: LoadTester
      Version: "1"
      InputArtifactDetails: {MinimumCount: 1, MaximumCount: 1}
      OutputArtifactDetails: {MinimumCount: 0, MaximumCount: 0}
      Settings: {EntityUrlTemplate: "https://example.com/tests"}
      ConfigurationProperties: [{Name: Target, Required: true, Key: true, Secret: false}]
  Reports:
    Type: AWS::CodeBuild::ReportGroup
    Properties:
      Type: TEST
      ExportConfig: {ExportConfigType: NO_EXPORT}
  Deployer:
    Type: AWS::IAM::User
    Properties: {Path: /ci/}
  DeployerKey:
    Type: AWS::IAM::AccessKey
    Properties: {UserName: !Ref Deployer, Status: !Ref KeyStatus}
Outputs:
  Pipeline: {Value: !Ref Pipeline}
  Version: {Value: !GetAtt Pipeline.Version}
  Custom: {Value: !Ref Custom}
  Reports: {Value: !Ref Reports}
  ReportsName: {Value: !GetAtt Reports.Name}
  User: {Value: !Ref Deployer}
  UserArn: {Value: !GetAtt Deployer.Arn}
  Key: {Value: !Ref DeployerKey}
  Secret: {Value: !GetAtt DeployerKey.SecretAccessKey}
`

func TestPipelineStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "cicd", pipelineTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "cicd"))
	}
	out := outputs(st)
	if !strings.HasPrefix(out["Pipeline"], "cicd-Pipeline-") || out["Version"] != "1" || out["Custom"] != "Test|LoadTester|1" ||
		!strings.Contains(out["Reports"], ":report-group/cicd-Reports-") || !strings.HasSuffix(out["UserArn"], ":user/ci/"+out["User"]) ||
		!strings.HasPrefix(out["Key"], "AKIA") || len(out["Secret"]) != 40 {
		t.Fatalf("outputs %v", out)
	}
	pl, err := p.CodePipeline.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: out["Pipeline"]})
	if err != nil || len(pl.Pipeline.Stages) != 2 || pl.Pipeline.Stages[0].Actions[0].Configuration["PollForSourceChanges"] != "false" {
		t.Fatalf("pipeline %+v %v", pl, err)
	}
	tg, err := p.CodePipeline.ListTagsForResource(ctx, &codepipeline.ListTagsForResourceInput{ResourceArn: pl.Metadata.PipelineArn})
	if err != nil || len(tg.Tags) != 1 || tg.Tags[0].Key != "app" {
		t.Fatalf("pipeline tags %+v %v", tg, err)
	}
	if at, err := p.CodePipeline.ListActionTypes(ctx, &codepipeline.ListActionTypesInput{ActionOwnerFilter: "Custom"}); err != nil || len(at.ActionTypes) != 1 {
		t.Fatalf("custom action types %+v %v", at, err)
	}

	// In place: a renamed stage (Version 2) and the key's status.
	in := withParams(updateInput("cicd", pipelineTemplate), param("ApprovalStage", "Gate"), param("KeyStatus", "Inactive"))
	if _, err := p.cf.UpdateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	if status, st = p.wait(t, "cicd"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s\n%s", status, p.failures(t, "cicd"))
	}
	after := outputs(st)
	if after["Pipeline"] != out["Pipeline"] || after["Version"] != "2" || after["Key"] != out["Key"] {
		t.Fatalf("after update %v", after)
	}
	keys, err := p.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: out["User"]})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != "Inactive" {
		t.Fatalf("keys %+v %v", keys, err)
	}

	p.deleteStack(t, "cicd")
	if _, err := p.CodePipeline.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: out["Pipeline"]}); err == nil {
		t.Fatal("pipeline survived the stack")
	}
	if at, _ := p.CodePipeline.ListActionTypes(ctx, &codepipeline.ListActionTypesInput{ActionOwnerFilter: "Custom"}); at != nil && len(at.ActionTypes) > 0 {
		t.Fatal("custom action type survived the stack")
	}
	if rg, _ := p.CodeBuild.BatchGetReportGroups(ctx, &codebuild.BatchGetReportGroupsInput{ReportGroupArns: []string{out["Reports"]}}); rg != nil && len(rg.ReportGroups) > 0 {
		t.Fatal("report group survived the stack")
	}
	if _, err := p.IAM.GetUser(ctx, &iam.GetUserInput{UserName: out["User"]}); err == nil {
		t.Fatal("user survived the stack")
	}
}

const hookTemplate = `
Parameters:
  Timeout: {Type: Number, Default: 300}
Resources:
  LT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {ImageId: ami-0a2023000000000a1, InstanceType: t3.micro}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      AvailabilityZones: !GetAZs ""
      MinSize: "0"
      MaxSize: "2"
      DesiredCapacity: "0"
      LaunchTemplate: {LaunchTemplateId: !Ref LT, Version: !GetAtt LT.LatestVersionNumber}
  Drain:
    Type: AWS::AutoScaling::LifecycleHook
    Properties:
      AutoScalingGroupName: !Ref Group
      LifecycleTransition: autoscaling:EC2_INSTANCE_TERMINATING
      HeartbeatTimeout: !Ref Timeout
      DefaultResult: CONTINUE
Outputs:
  Hook: {Value: !Ref Drain}
  Group: {Value: !Ref Group}
`

func TestLifecycleHookStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "hooks", hookTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "hooks"))
	}
	out := outputs(st)
	get := func() []autoscaling.LifecycleHook {
		h, err := p.AutoScaling.DescribeLifecycleHooks(ctx, &autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: out["Group"]})
		if err != nil {
			t.Fatal(err)
		}
		return h.LifecycleHooks
	}
	if h := get(); len(h) != 1 || h[0].LifecycleHookName != out["Hook"] || h[0].HeartbeatTimeout != 300 || h[0].DefaultResult != "CONTINUE" {
		t.Fatalf("hooks %+v (outputs %v)", h, out)
	}
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("hooks", hookTemplate), param("Timeout", "600"))); err != nil {
		t.Fatal(err)
	}
	if status, _ := p.wait(t, "hooks"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s\n%s", status, p.failures(t, "hooks"))
	}
	if h := get(); len(h) != 1 || h[0].LifecycleHookName != out["Hook"] || h[0].HeartbeatTimeout != 600 {
		t.Fatalf("hooks after update %+v", h)
	}
	p.deleteStack(t, "hooks")
	g, _ := p.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{out["Group"]}})
	if g != nil && len(g.AutoScalingGroups) > 0 {
		t.Fatal("group survived the stack")
	}
}
