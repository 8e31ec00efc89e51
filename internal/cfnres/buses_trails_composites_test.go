package cfnres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
)

const logsTemplate = `
Parameters:
  Level: {Type: String, Default: ERROR}
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: 7}
  Archive:
    Type: AWS::Logs::LogGroup
  Stream:
    Type: AWS::Logs::LogStream
    Properties: {LogGroupName: !Ref Group, LogStreamName: app}
  Errors:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref Group
      FilterPattern: !Sub '{ $.level = "${Level}" }'
      MetricTransformations:
        - {MetricName: Errors, MetricNamespace: App, MetricValue: "1", Dimensions: [{Key: Env, Value: $.env}]}
  Forward:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: !Ref Group
      FilterPattern: ""
      DestinationArn: !GetAtt Archive.Arn
  Query:
    Type: AWS::Logs::QueryDefinition
    Properties:
      Name: errors-per-minute
      QueryString: "fields @timestamp | filter @message like /ERROR/ | stats count() by bin(1m)"
      LogGroupNames: [!Ref Group]
Outputs:
  Group: {Value: !Ref Group}
  Stream: {Value: !Ref Stream}
  Filter: {Value: !Ref Errors}
  Sub: {Value: !Ref Forward}
  Query: {Value: !Ref Query}
  QueryId: {Value: !GetAtt Query.QueryDefinitionId}
`

func TestLogsStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "lg", logsTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "lg"))
	}
	out := outputs(st)
	if out["Stream"] != "app" || !strings.HasPrefix(out["Filter"], "lg-Errors-") || out["Query"] != out["QueryId"] || out["Query"] == "" {
		t.Fatalf("outputs %v", out)
	}
	mf, err := p.Logs.DescribeMetricFilters(ctx, &logs.DescribeMetricFiltersInput{LogGroupName: out["Group"]})
	if err != nil || len(mf.MetricFilters) != 1 || mf.MetricFilters[0].FilterPattern != `{ $.level = "ERROR" }` || mf.MetricFilters[0].MetricTransformations[0].Dimensions["Env"] != "$.env" {
		t.Fatalf("metric filters %+v %v", mf, err)
	}
	sf, err := p.Logs.DescribeSubscriptionFilters(ctx, &logs.DescribeSubscriptionFiltersInput{LogGroupName: out["Group"]})
	if err != nil || len(sf.SubscriptionFilters) != 1 || sf.SubscriptionFilters[0].FilterName != out["Sub"] {
		t.Fatalf("subscription filters %+v %v", sf, err)
	}
	qd, err := p.Logs.DescribeQueryDefinitions(ctx, &logs.DescribeQueryDefinitionsInput{})
	if err != nil || len(qd.QueryDefinitions) != 1 || qd.QueryDefinitions[0].QueryDefinitionID != out["Query"] {
		t.Fatalf("query definitions %+v %v", qd, err)
	}
	// The filter is live: an ERROR line is accepted by the group.
	if _, err := p.Logs.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: out["Group"], LogStreamName: "app",
		LogEvents: []logs.InputLogEvent{{Timestamp: p.env.Clock.Now().UnixMilli(), Message: `{"level":"ERROR","env":"test"}`}}}); err != nil {
		t.Fatal(err)
	}

	// In place: the filter pattern.
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("lg", logsTemplate), param("Level", "FATAL"))); err != nil {
		t.Fatal(err)
	}
	if status, _ := p.wait(t, "lg"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s\n%s", status, p.failures(t, "lg"))
	}
	mf, _ = p.Logs.DescribeMetricFilters(ctx, &logs.DescribeMetricFiltersInput{LogGroupName: out["Group"]})
	if len(mf.MetricFilters) != 1 || mf.MetricFilters[0].FilterPattern != `{ $.level = "FATAL" }` || mf.MetricFilters[0].FilterName != out["Filter"] {
		t.Fatalf("after update %+v", mf.MetricFilters)
	}

	p.deleteStack(t, "lg")
	if g, _ := p.Logs.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{LogGroupNamePrefix: "lg-"}); g != nil && len(g.LogGroups) > 0 {
		t.Fatalf("log groups survived: %+v", g.LogGroups)
	}
	if qd, _ := p.Logs.DescribeQueryDefinitions(ctx, &logs.DescribeQueryDefinitionsInput{}); qd != nil && len(qd.QueryDefinitions) > 0 {
		t.Fatal("query definition survived the stack")
	}
}

const watchTemplate = `
Parameters:
  Rule: {Type: String, Default: "ALARM(cpu)"}
  Logging: {Type: String, Default: "true"}
  BusText: {Type: String, Default: "orders"}
Resources:
  Cpu:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: cpu
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 60
      EvaluationPeriods: 1
      Threshold: 80
      ComparisonOperator: GreaterThanThreshold
  Any:
    Type: AWS::CloudWatch::CompositeAlarm
    DependsOn: Cpu
    Properties:
      AlarmRule: !Ref Rule
      AlarmDescription: any
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: orders
      Description: !Ref BusText
      Tags: [{Key: team, Value: a}]
  OnOrder:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {source: [shop]}
  Logs:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain # the trail's deliveries are in it: AWS cannot delete it either
  LogsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Logs
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: "s3:PutObject", Resource: !Sub "${Logs.Arn}/*"}
  Trail:
    Type: AWS::CloudTrail::Trail
    DependsOn: LogsPolicy
    Properties:
      S3BucketName: !Ref Logs
      IsLogging: !Ref Logging
Outputs:
  Composite: {Value: !Ref Any}
  CompositeArn: {Value: !GetAtt Any.Arn}
  Bus: {Value: !Ref Bus}
  BusArn: {Value: !GetAtt Bus.Arn}
  Policy: {Value: !Ref LogsPolicy}
  Bucket: {Value: !Ref Logs}
  Trail: {Value: !Ref Trail}
  TrailArn: {Value: !GetAtt Trail.Arn}
`

func TestAlarmBusTrailStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "watch", watchTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "watch"))
	}
	out := outputs(st)
	if !strings.HasSuffix(out["CompositeArn"], ":alarm:"+out["Composite"]) || out["Bus"] != "orders" || !strings.HasSuffix(out["BusArn"], ":event-bus/orders") ||
		out["Policy"] != out["Bucket"] || !strings.HasSuffix(out["TrailArn"], ":trail/"+out["Trail"]) {
		t.Fatalf("outputs %v", out)
	}
	al, err := p.Metrics.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{out["Composite"]}, AlarmTypes: []string{"CompositeAlarm"}})
	if err != nil || len(al.CompositeAlarms) != 1 || al.CompositeAlarms[0].AlarmRule != "ALARM(cpu)" {
		t.Fatalf("composite %+v %v", al, err)
	}
	if r, err := p.Events.ListRules(ctx, &events.ListRulesInput{EventBusName: "orders"}); err != nil || len(r.Rules) != 1 {
		t.Fatalf("rules on the bus %+v %v", r, err)
	}
	ts, err := p.CloudTrail.GetTrailStatus(ctx, &cloudtrail.TrailNameInput{Name: out["Trail"]})
	if err != nil || !ts.IsLogging {
		t.Fatalf("trail status %+v %v", ts, err)
	}

	// In place: the composite's rule, the bus's description and the trail's logging.
	in := withParams(updateInput("watch", watchTemplate), param("Rule", "ALARM(cpu) OR OK(cpu)"), param("Logging", "false"), param("BusText", "all orders"))
	if _, err := p.cf.UpdateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	if status, st = p.wait(t, "watch"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s\n%s", status, p.failures(t, "watch"))
	}
	if after := outputs(st); after["Composite"] != out["Composite"] || after["Trail"] != out["Trail"] {
		t.Fatalf("replaced: %v", after)
	}
	al, _ = p.Metrics.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{out["Composite"]}, AlarmTypes: []string{"CompositeAlarm"}})
	if al.CompositeAlarms[0].AlarmRule != "ALARM(cpu) OR OK(cpu)" {
		t.Fatalf("rule after update: %s", al.CompositeAlarms[0].AlarmRule)
	}
	if ts, _ := p.CloudTrail.GetTrailStatus(ctx, &cloudtrail.TrailNameInput{Name: out["Trail"]}); ts.IsLogging {
		t.Fatal("trail still logging after IsLogging false")
	}
	if d, err := p.Events.DescribeEventBus(ctx, &events.DescribeEventBusInput{Name: "orders"}); err != nil || d.Description != "all orders" || outputs(st)["BusArn"] != out["BusArn"] {
		t.Fatalf("bus after update %+v %v", d, err)
	}

	p.deleteStack(t, "watch")
	if al, _ := p.Metrics.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{}); al != nil && len(al.MetricAlarms)+len(al.CompositeAlarms) > 0 {
		t.Fatal("alarms survived the stack")
	}
	if _, err := p.Events.DescribeEventBus(ctx, &events.DescribeEventBusInput{Name: "orders"}); err == nil {
		t.Fatal("event bus survived the stack")
	}
	if tr, _ := p.CloudTrail.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}); tr != nil && len(tr.TrailList) > 0 {
		t.Fatal("trail survived the stack")
	}
}

// TestBucketPolicyMissingBucket: a policy on a bucket that does not exist fails the stack.
func TestBucketPolicyMissingBucket(t *testing.T) {
	p := newPlatform(t)
	status, _ := p.deploy(t, "bp", `
Resources:
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: no-such-bucket-here
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*"}]}
`)
	if status != "ROLLBACK_COMPLETE" || !strings.Contains(p.failures(t, "bp"), "does not exist") {
		t.Fatalf("%s\n%s", status, p.failures(t, "bp"))
	}
}
