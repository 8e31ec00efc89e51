package devopsim_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/devopsimtest"
	"github.com/devopsim/devopsim/sns"
)

// TestBuildEventReachesSNS: a failed build's state change goes through an EventBridge rule to
// an SNS topic and its subscriber.
func TestBuildEventReachesSNS(t *testing.T) {
	p, cfg := devopsimtest.New(t)
	ctx := context.Background()
	topic, err := awssns.NewFromConfig(cfg).CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("builds")})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan sns.Message, 4)
	if _, err := p.SNS().SubscribeFunc(ctx, aws.ToString(topic.TopicArn), func(ctx context.Context, m *sns.Message) error { got <- *m; return nil }); err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(cfg)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("failed-builds"),
		EventPattern: aws.String(`{"source":["aws.codebuild"],"detail-type":["CodeBuild Build State Change"],"detail":{"build-status":["FAILED"]}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("failed-builds"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: topic.TopicArn}}}); err != nil {
		t.Fatal(err)
	}
	_, err = p.CodeBuild().CreateProject(ctx, &codebuild.CreateProjectInput{Name: "breaks",
		Source:      &codebuild.ProjectSource{Type: "NO_SOURCE", Buildspec: "version: 0.2\nphases: {build: {commands: ['exit 1']}}"},
		Artifacts:   &codebuild.ProjectArtifacts{Type: "NO_ARTIFACTS"},
		Environment: &codebuild.ProjectEnvironment{Type: "LINUX_CONTAINER", Image: "aws/codebuild/standard:7.0", ComputeType: "BUILD_GENERAL1_SMALL"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.CodeBuild().StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: "breaks"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.CodeBuild().Wait(ctx, out.Build.Id); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if !strings.Contains(m.Message, `"build-status":"FAILED"`) || !strings.Contains(m.Message, "breaks") {
			t.Fatalf("message %s", m.Message)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no SNS delivery for the failed build")
	}
}

// TestAlarmNotifiesSNS: an alarm on a metric goes to ALARM on the platform clock and its
// action publishes to SNS.
func TestAlarmNotifiesSNS(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	p, cfg := devopsimtest.New(t, devopsim.Options{Clock: clk})
	ctx := context.Background()
	topic, err := awssns.NewFromConfig(cfg).CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("alarms")})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan sns.Message, 4)
	p.SNS().SubscribeFunc(ctx, aws.ToString(topic.TopicArn), func(ctx context.Context, m *sns.Message) error { got <- *m; return nil })
	cw := cloudwatch.NewFromConfig(cfg)
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("errors-high"), Namespace: aws.String("App"), MetricName: aws.String("Errors"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(5),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, AlarmActions: []string{aws.ToString(topic.TopicArn)},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{
		{MetricName: aws.String("Errors"), Value: aws.Float64(10), Timestamp: aws.Time(clk.Now())}}})
	if err != nil {
		t.Fatal(err)
	}
	// Step a minute at a time, letting the periodic timers (the alarm evaluator among them)
	// run and re-arm before the next step.
	for range 3 {
		n := clk.Pending()
		clk.Advance(time.Minute)
		waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := clk.BlockUntil(waitCtx, n)
		cancel()
		if err != nil {
			t.Fatalf("timers did not re-arm: %v", err)
		}
	}
	select {
	case m := <-got:
		if !strings.Contains(m.Subject, "ALARM") || !strings.Contains(m.Message, `"NewStateValue":"ALARM"`) {
			t.Fatalf("message %+v", m)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no SNS delivery for the alarm")
	}
}

// TestAlarmEC2Actions: an alarm on an instance's metric stops, reboots or terminates that
// instance through its arn:aws:automate:REGION:ec2:ACTION action, as cloudwatch.amazonaws.com;
// an EC2 action on an alarm without an InstanceId dimension is refused.
func TestAlarmEC2Actions(t *testing.T) {
	p, cfg := devopsimtest.New(t)
	ctx := context.Background()
	ec := ec2.NewFromConfig(cfg)
	run, err := ec.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0a2023000000000a1"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(2), MaxCount: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	stopped, terminated := aws.ToString(run.Instances[0].InstanceId), aws.ToString(run.Instances[1].InstanceId)
	if err := p.EC2().WaitBooted(ctx, stopped, terminated); err != nil {
		t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(cfg)
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("no-dimension"), Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization"),
		Statistic: cwtypes.StatisticAverage, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorLessThanThreshold, AlarmActions: []string{"arn:aws:automate:us-east-1:ec2:stop"}})
	if err == nil || !strings.Contains(err.Error(), "EC2 action can only be used if the alarm is monitoring an EC2 instance") {
		t.Fatalf("EC2 action without InstanceId: %v", err)
	}
	for id, action := range map[string]string{stopped: "stop", terminated: "terminate"} {
		name := "idle-" + action
		_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(id)}},
			Statistic:  cwtypes.StatisticAverage, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorLessThanThreshold, AlarmActions: []string{"arn:aws:automate:us-east-1:ec2:" + action}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("idle")}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]ec2types.InstanceStateName{
		stopped:    {ec2types.InstanceStateNameStopping, ec2types.InstanceStateNameStopped},
		terminated: {ec2types.InstanceStateNameShuttingDown, ec2types.InstanceStateNameTerminated},
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := ec.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{stopped, terminated}})
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		var states []string
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				states = append(states, aws.ToString(i.InstanceId)+" "+string(i.State.Name))
				if slices.Contains(want[aws.ToString(i.InstanceId)], i.State.Name) {
					done++
				}
			}
		}
		if done == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instances after the alarms: %v", states)
		}
		time.Sleep(20 * time.Millisecond)
	}
	trail, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("StopInstances")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(trail.Events) != 1 || !strings.Contains(aws.ToString(trail.Events[0].CloudTrailEvent), `"invokedBy":"cloudwatch.amazonaws.com"`) {
		t.Fatalf("StopInstances in CloudTrail: %+v", trail.Events)
	}
}
