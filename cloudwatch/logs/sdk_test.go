package logs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/internal/awsapi/logsapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// TestSDKRoundTrip drives every wired operation through the real cloudwatchlogs client.
func TestSDKRoundTrip(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(t0)
	env := awstest.EnvWith(t, clk)
	sink := &fakeSink{}
	svc, err := logs.New(env, logs.Options{Metrics: sink})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close(ctx)
	c := cwl.NewFromConfig(awstest.Config(t, logsapi.Service(svc)))
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	g, s := aws.String("/sdk/app"), aws.String("stream-1")
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: g, KmsKeyId: aws.String("arn:aws:kms:us-east-1:000000000000:key/k"), Tags: map[string]string{"team": "a"}, LogGroupClass: types.LogGroupClassStandard}))
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: g})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("want ResourceAlreadyExistsException, got %v", err)
	}
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: g, RetentionInDays: aws.Int32(30)}))
	dg, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/sdk")})
	must(dg, err)
	if len(dg.LogGroups) != 1 || aws.ToInt32(dg.LogGroups[0].RetentionInDays) != 30 || aws.ToString(dg.LogGroups[0].KmsKeyId) == "" || aws.ToInt64(dg.LogGroups[0].CreationTime) != t0.UnixMilli() {
		t.Fatalf("groups = %+v", dg.LogGroups)
	}
	arn := aws.ToString(dg.LogGroups[0].LogGroupArn)
	must(c.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: g}))
	must(c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "dev"}}))
	must(c.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}))
	lt, err := c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	must(lt, err)
	if len(lt.Tags) != 1 || lt.Tags["env"] != "dev" {
		t.Fatalf("tags = %v", lt.Tags)
	}
	must(c.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: g, Tags: map[string]string{"x": "y"}}))
	must(c.UntagLogGroup(ctx, &cwl.UntagLogGroupInput{LogGroupName: g, Tags: []string{"env"}}))
	ltg, err := c.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: g})
	must(ltg, err)
	if len(ltg.Tags) != 1 || ltg.Tags["x"] != "y" {
		t.Fatalf("tags = %v", ltg.Tags)
	}

	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: s}))
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: aws.String("stream-2")}))
	zero := 0.0
	must(c.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: g, FilterName: aws.String("errors"), FilterPattern: aws.String(`{ $.level = "ERROR" }`),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("Errors"), MetricNamespace: aws.String("App"), MetricValue: aws.String("1"), DefaultValue: &zero, Unit: types.StandardUnitCount}}}))
	got := make(chan *logs.SubscriptionMessage, 4)
	dest := "arn:aws:lambda:us-east-1:000000000000:function:sink"
	defer svc.RegisterDestination(dest, func(_ context.Context, p []byte) error {
		m, err := logs.DecodeSubscriptionPayload(p)
		if err == nil {
			got <- m
		}
		return err
	})()
	must(c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: g, FilterName: aws.String("all"), FilterPattern: aws.String(""), DestinationArn: aws.String(dest)}))

	pr, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: s, LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(t0.Add(-15 * 24 * time.Hour).UnixMilli()), Message: aws.String("ancient")}}})
	must(pr, err)
	if pr.RejectedLogEventsInfo == nil || aws.ToInt32(pr.RejectedLogEventsInfo.TooOldLogEventEndIndex) != 0 || pr.RejectedLogEventsInfo.TooNewLogEventStartIndex != nil {
		t.Fatalf("rejected = %+v", pr.RejectedLogEventsInfo)
	}
	pr, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: s, LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(t0.Add(-2 * time.Minute).UnixMilli()), Message: aws.String(`{"level":"ERROR","n":1}`)},
		{Timestamp: aws.Int64(t0.Add(-1 * time.Minute).UnixMilli()), Message: aws.String(`{"level":"INFO","n":2}`)},
	}})
	must(pr, err)
	if pr.RejectedLogEventsInfo != nil || aws.ToString(pr.NextSequenceToken) == "" {
		t.Fatalf("rejected = %+v", pr.RejectedLogEventsInfo)
	}
	select {
	case m := <-got:
		if len(m.LogEvents) != 2 || m.LogGroup != "/sdk/app" {
			t.Fatalf("delivery = %+v", m)
		}
	default:
		t.Fatal("no subscription delivery")
	}
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: aws.String("nope"), LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(t0.UnixMilli()), Message: aws.String("x")}}})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: s, LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(t0.UnixMilli()), Message: aws.String("b")}, {Timestamp: aws.Int64(t0.Add(-time.Second).UnixMilli()), Message: aws.String("a")}}})
	var inv *types.InvalidParameterException
	if !errors.As(err, &inv) {
		t.Fatalf("want InvalidParameterException, got %v", err)
	}

	ds, err := c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: g, OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)})
	must(ds, err)
	if len(ds.LogStreams) != 1 || aws.ToString(ds.LogStreams[0].LogStreamName) != "stream-1" || aws.ToInt64(ds.LogStreams[0].LastEventTimestamp) != t0.Add(-time.Minute).UnixMilli() || ds.NextToken == nil {
		t.Fatalf("streams = %+v", ds)
	}
	ge, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: s, StartFromHead: aws.Bool(true)})
	must(ge, err)
	if len(ge.Events) != 2 || aws.ToString(ge.Events[0].Message) != `{"level":"ERROR","n":1}` {
		t.Fatalf("events = %+v", ge.Events)
	}
	ge2, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: s, NextToken: ge.NextForwardToken})
	must(ge2, err)
	if len(ge2.Events) != 0 || aws.ToString(ge2.NextForwardToken) != aws.ToString(ge.NextForwardToken) {
		t.Fatalf("end of stream = %+v", ge2)
	}
	fe, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: g, FilterPattern: aws.String(`{ $.n > 1 }`)})
	must(fe, err)
	if len(fe.Events) != 1 || aws.ToString(fe.Events[0].LogStreamName) != "stream-1" || aws.ToString(fe.Events[0].EventId) == "" {
		t.Fatalf("filtered = %+v", fe.Events)
	}
	dm, err := c.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: g})
	must(dm, err)
	if len(dm.MetricFilters) != 1 || aws.ToFloat64(dm.MetricFilters[0].MetricTransformations[0].DefaultValue) != 0 {
		t.Fatalf("metric filters = %+v", dm.MetricFilters)
	}
	tm, err := c.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("[a, b = 2*]"), LogEventMessages: []string{"x 200", "y 300"}})
	must(tm, err)
	if len(tm.Matches) != 1 || tm.Matches[0].ExtractedValues["$b"] != "200" {
		t.Fatalf("test = %+v", tm.Matches)
	}
	dsf, err := c.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: g})
	must(dsf, err)
	if len(dsf.SubscriptionFilters) != 1 || aws.ToString(dsf.SubscriptionFilters[0].DestinationArn) != dest {
		t.Fatalf("subscriptions = %+v", dsf.SubscriptionFilters)
	}
	sink.mu.Lock()
	if len(sink.pts) != 1 || sink.pts[0].v != 1 || sink.pts[0].unit != "Count" {
		t.Errorf("metric points = %+v", sink.pts)
	}
	sink.mu.Unlock()

	sq, err := c.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: g, StartTime: aws.Int64(t0.Add(-time.Hour).Unix()), EndTime: aws.Int64(t0.Unix()),
		QueryString: aws.String(`fields level, n | sort n desc`)})
	must(sq, err)
	var qr *cwl.GetQueryResultsOutput
	for {
		qr, err = c.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: sq.QueryId})
		must(qr, err)
		if qr.Status != types.QueryStatusRunning && qr.Status != types.QueryStatusScheduled {
			break
		}
		if err := svc.WaitQuery(ctx, aws.ToString(sq.QueryId)); err != nil {
			t.Fatal(err)
		}
	}
	if qr.Status != types.QueryStatusComplete || len(qr.Results) != 2 || aws.ToString(qr.Results[0][1].Value) != "2" || qr.Statistics.RecordsScanned != 2 {
		t.Fatalf("query = %+v %+v", qr.Status, qr.Results)
	}
	ptr := aws.ToString(qr.Results[0][2].Value)
	lr, err := c.GetLogRecord(ctx, &cwl.GetLogRecordInput{LogRecordPointer: aws.String(ptr)})
	must(lr, err)
	if lr.LogRecord["@message"] != `{"level":"INFO","n":2}` {
		t.Fatalf("record = %v", lr.LogRecord)
	}
	_, err = c.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: g, StartTime: aws.Int64(0), EndTime: aws.Int64(1), QueryString: aws.String(`stats`)})
	var mq *types.MalformedQueryException
	if !errors.As(err, &mq) {
		t.Fatalf("want MalformedQueryException, got %v", err)
	}
	st, err := c.StopQuery(ctx, &cwl.StopQueryInput{QueryId: sq.QueryId})
	must(st, err)
	if st.Success {
		t.Error("stopping a finished query succeeded")
	}
	dq, err := c.DescribeQueries(ctx, &cwl.DescribeQueriesInput{LogGroupName: g})
	must(dq, err)
	if len(dq.Queries) != 1 || dq.Queries[0].Status != types.QueryStatusComplete {
		t.Fatalf("queries = %+v", dq.Queries)
	}
	pq, err := c.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{Name: aws.String("q"), QueryString: aws.String("fields @message"), LogGroupNames: []string{"/sdk/app"}})
	must(pq, err)
	dqd, err := c.DescribeQueryDefinitions(ctx, &cwl.DescribeQueryDefinitionsInput{})
	must(dqd, err)
	if len(dqd.QueryDefinitions) != 1 || aws.ToString(dqd.QueryDefinitions[0].QueryDefinitionId) != aws.ToString(pq.QueryDefinitionId) {
		t.Fatalf("defs = %+v", dqd.QueryDefinitions)
	}
	must(c.DeleteQueryDefinition(ctx, &cwl.DeleteQueryDefinitionInput{QueryDefinitionId: pq.QueryDefinitionId}))

	must(c.DeleteSubscriptionFilter(ctx, &cwl.DeleteSubscriptionFilterInput{LogGroupName: g, FilterName: aws.String("all")}))
	must(c.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: g, FilterName: aws.String("errors")}))
	must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: g, LogStreamName: s}))
	must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: g}))
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: g})
	if !errors.As(err, &rnf) {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}
}
