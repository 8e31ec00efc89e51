package cfnres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/sns"
)

const opsTemplate = `
Resources:
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: Alerts
      Subscription:
        - Protocol: email
          Endpoint: ops@example.com
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Alerts
      Protocol: email
      Endpoint: dev@example.com
      FilterPolicy:
        severity: [high]
  AppLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /app/web
      RetentionInDays: 7
  HighCPU:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: cpu
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: "60"
      EvaluationPeriods: "2"
      Threshold: "80"
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [!Ref Alerts]
      Dimensions:
        - Name: InstanceId
          Value: i-123
  OnChange:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [aws.codecommit]
      Targets:
        - Id: topic
          Arn: !Ref Alerts
Outputs:
  Topic:
    Value: !Ref Alerts
  TopicName:
    Value: !GetAtt Alerts.TopicName
  Sub:
    Value: !Ref Sub
  LogArn:
    Value: !GetAtt AppLogs.Arn
  Alarm:
    Value: !Ref HighCPU
  AlarmArn:
    Value: !GetAtt HighCPU.Arn
  Rule:
    Value: !Ref OnChange
  RuleArn:
    Value: !GetAtt OnChange.Arn
`

func TestObservabilityStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "ops", opsTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s: %s", status, p.failures(t, "ops"))
	}
	out := outputs(st)
	if !strings.HasPrefix(out["Topic"], "arn:aws:sns:us-east-1:") || !strings.HasSuffix(out["Topic"], ":"+out["TopicName"]) {
		t.Fatalf("topic outputs %v", out)
	}
	attrs, err := p.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: out["Topic"]})
	if err != nil || attrs.Attributes["DisplayName"] != "Alerts" {
		t.Fatalf("topic attributes %v %v", attrs, err)
	}
	subs, err := p.SNS.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: out["Topic"]})
	if err != nil || len(subs.Subscriptions) != 2 {
		t.Fatalf("subscriptions %+v %v", subs, err)
	}
	if !strings.HasPrefix(out["Sub"], out["Topic"]+":") {
		t.Fatalf("subscription ARN %s", out["Sub"])
	}
	lg, err := p.Logs.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{LogGroupNamePrefix: "/app/web"})
	if err != nil || len(lg.LogGroups) != 1 || lg.LogGroups[0].RetentionInDays != 7 || lg.LogGroups[0].Arn != out["LogArn"] {
		t.Fatalf("log group %+v %v (%s)", lg, err, out["LogArn"])
	}
	al, err := p.Metrics.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{out["Alarm"]}})
	if err != nil || len(al.MetricAlarms) != 1 {
		t.Fatalf("alarm %v", err)
	}
	a := al.MetricAlarms[0]
	if a.AlarmArn != out["AlarmArn"] || a.Threshold == nil || *a.Threshold != 80 || a.EvaluationPeriods != 2 || len(a.AlarmActions) != 1 {
		t.Fatalf("alarm %+v", a)
	}
	rule, err := p.Events.DescribeRule(ctx, &events.DescribeRuleInput{Name: out["Rule"]})
	if err != nil || rule.Arn != out["RuleArn"] || rule.State != "ENABLED" || !strings.Contains(rule.EventPattern, "aws.codecommit") {
		t.Fatalf("rule %+v %v", rule, err)
	}
	tg, err := p.Events.ListTargetsByRule(ctx, &events.ListTargetsByRuleInput{Rule: out["Rule"]})
	if err != nil || len(tg.Targets) != 1 || tg.Targets[0].Arn != out["Topic"] {
		t.Fatalf("targets %+v %v", tg, err)
	}

	// In-place updates: retention, alarm threshold, rule targets.
	body := strings.NewReplacer("RetentionInDays: 7", "RetentionInDays: 14", `Threshold: "80"`, `Threshold: "90"`, "Id: topic", "Id: topic2").Replace(opsTemplate)
	if _, err := p.cf.UpdateStack(ctx, updateInput("ops", body)); err != nil {
		t.Fatal(err)
	}
	if status, _ := p.wait(t, "ops"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update %s: %s", status, p.failures(t, "ops"))
	}
	lg, _ = p.Logs.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{LogGroupNamePrefix: "/app/web"})
	al, _ = p.Metrics.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{out["Alarm"]}})
	tg, _ = p.Events.ListTargetsByRule(ctx, &events.ListTargetsByRuleInput{Rule: out["Rule"]})
	if lg.LogGroups[0].RetentionInDays != 14 || *al.MetricAlarms[0].Threshold != 90 || len(tg.Targets) != 1 || tg.Targets[0].Id != "topic2" {
		t.Fatalf("after update: %+v %+v %+v", lg.LogGroups[0], al.MetricAlarms[0], tg.Targets)
	}

	p.deleteStack(t, "ops")
	if _, err := p.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: out["Topic"]}); err == nil {
		t.Fatal("topic survived")
	}
	lg, _ = p.Logs.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{LogGroupNamePrefix: "/app/web"})
	al, _ = p.Metrics.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{out["Alarm"]}})
	if len(lg.LogGroups) != 0 || len(al.MetricAlarms) != 0 {
		t.Fatal("log group or alarm survived")
	}
	if _, err := p.Events.DescribeRule(ctx, &events.DescribeRuleInput{Name: out["Rule"]}); err == nil {
		t.Fatal("rule survived")
	}
}

const ciTemplate = `
Parameters:
  RepoName:
    Type: String
Resources:
  Repo:
    Type: AWS::CodeCommit::Repository
    Properties:
      RepositoryName: !Ref RepoName
      RepositoryDescription: app
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: arn:aws:iam::123456789012:role/build
      Artifacts:
        Type: NO_ARTIFACTS
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/standard:7.0
        EnvironmentVariables:
          - Name: GREETING
            Value: hi
      Source:
        Type: NO_SOURCE
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - echo "$GREETING from build"
  App:
    Type: AWS::CodeDeploy::Application
    Properties:
      ComputePlatform: Server
  Config:
    Type: AWS::CodeDeploy::DeploymentConfig
    Properties:
      MinimumHealthyHosts:
        Type: HOST_COUNT
        Value: 1
  Group:
    Type: AWS::CodeDeploy::DeploymentGroup
    Properties:
      ApplicationName: !Ref App
      ServiceRoleArn: arn:aws:iam::123456789012:role/deploy
      DeploymentConfigName: !Ref Config
      Ec2TagFilters:
        - Key: Role
          Value: web
          Type: KEY_AND_VALUE
Outputs:
  RepoId:
    Value: !Ref Repo
  Clone:
    Value: !GetAtt Repo.CloneUrlHttp
  RepoArn:
    Value: !GetAtt Repo.Arn
  Project:
    Value: !Ref Build
  ProjectArn:
    Value: !GetAtt Build.Arn
  App:
    Value: !Ref App
  Group:
    Value: !Ref Group
`

func TestCodeStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "ci", ciTemplate, param("RepoName", "app-repo"))
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s: %s", status, p.failures(t, "ci"))
	}
	out := outputs(st)
	repo, err := p.CodeCommit.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: "app-repo"})
	if err != nil {
		t.Fatal(err)
	}
	if m := repo.RepositoryMetadata; m.RepositoryID != out["RepoId"] || m.CloneURLHTTP != out["Clone"] || m.Arn != out["RepoArn"] || m.RepositoryDescription != "app" {
		t.Fatalf("repo %+v outputs %v", m, out)
	}
	b, err := p.CodeBuild.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: out["Project"]})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out["ProjectArn"], "arn:aws:codebuild:") {
		t.Fatalf("project arn %s", out["ProjectArn"])
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	done, err := p.CodeBuild.Wait(wctx, b.Build.Id)
	if err != nil || done.BuildStatus != "SUCCEEDED" {
		t.Fatalf("build %s: %v", done.BuildStatus, err)
	}
	g, err := p.CodeDeploy.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: out["App"], DeploymentGroupName: out["Group"]})
	if err != nil || len(g.DeploymentGroupInfo.EC2TagFilters) != 1 {
		t.Fatalf("deployment group %+v %v", g, err)
	}

	// Renaming the repository is an in-place update: the ID stays.
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("ci", ciTemplate), param("RepoName", "app-repo2"))); err != nil {
		t.Fatal(err)
	}
	if status, _ := p.wait(t, "ci"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update %s: %s", status, p.failures(t, "ci"))
	}
	repo, err = p.CodeCommit.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: "app-repo2"})
	if err != nil || repo.RepositoryMetadata.RepositoryID != out["RepoId"] {
		t.Fatalf("renamed repo %+v %v", repo, err)
	}

	p.deleteStack(t, "ci")
	if _, err := p.CodeCommit.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: "app-repo2"}); err == nil {
		t.Fatal("repository survived")
	}
	if ps, _ := p.CodeBuild.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: []string{out["Project"]}}); len(ps.Projects) != 0 {
		t.Fatal("project survived")
	}
	if _, err := p.CodeDeploy.GetApplication(ctx, &codedeploy.GetApplicationInput{ApplicationName: out["App"]}); err == nil {
		t.Fatal("application survived")
	}
}
