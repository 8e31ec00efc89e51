package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/internal/awsapi/cloudwatchapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

func TestSDKRoundTrip(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	env := awstest.EnvWith(t, clock.NewManual(now))
	s, err := metrics.New(env, metrics.Options{DisableEvaluation: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	cw := cloudwatch.NewFromConfig(awstest.Config(t, cloudwatchapi.Service(s)))
	ctx := context.Background()
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Hits"), Value: aws.Float64(3), Unit: types.StandardUnitCount, Timestamp: aws.Time(now.Add(-time.Minute)),
			Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}}},
		{MetricName: aws.String("Hits"), Values: []float64{1, 2}, Counts: []float64{1, 1}, Unit: types.StandardUnitCount, Timestamp: aws.Time(now.Add(-time.Minute)),
			Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Hits"),
		Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}},
		StartTime:  aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
	if err != nil || len(gs.Datapoints) != 1 || *gs.Datapoints[0].Sum != 6 {
		t.Fatalf("GetMetricStatistics = %+v, %v", gs, err)
	}
	gd, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []types.MetricDataQuery{
			{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Hits"),
				Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}}}, Period: aws.Int32(60), Stat: aws.String("Sum")}},
			{Id: aws.String("e1"), Expression: aws.String("m1 * 2")},
		}})
	if err != nil || len(gd.MetricDataResults) != 1 || gd.MetricDataResults[0].Values[0] != 12 {
		t.Fatalf("GetMetricData = %+v, %v", gd, err)
	}
	lm, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("App")})
	if err != nil || len(lm.Metrics) != 1 {
		t.Fatalf("ListMetrics = %+v, %v", lm, err)
	}
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("hits"), Namespace: aws.String("App"), MetricName: aws.String("Hits"),
		Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, AlarmActions: []string{"arn:aws:sns:us-east-1:000000000000:t"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("c"), AlarmRule: aws.String("ALARM(hits)")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("hits"), StateValue: types.StateValueAlarm, StateReason: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	da, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm}})
	if err != nil || len(da.MetricAlarms) != 1 || len(da.CompositeAlarms) != 1 || da.CompositeAlarms[0].StateValue != types.StateValueAlarm {
		t.Fatalf("DescribeAlarms = %+v, %v", da, err)
	}
	if _, err := cw.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{Namespace: aws.String("App"), MetricName: aws.String("Hits")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{"hits"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.EnableAlarmActions(ctx, &cloudwatch.EnableAlarmActionsInput{AlarmNames: []string{"hits"}}); err != nil {
		t.Fatal(err)
	}
	h, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("hits")})
	if err != nil || len(h.AlarmHistoryItems) == 0 {
		t.Fatalf("DescribeAlarmHistory = %+v, %v", h, err)
	}
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"c", "hits"}}); err != nil {
		t.Fatal(err)
	}
	// Errors carry the query codes.
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/X"), MetricData: []types.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("error = %v", err)
	}
}

func TestRawQueryAndJSON(t *testing.T) {
	env := awstest.EnvWith(t, clock.NewManual(time.Now().UTC()))
	s, err := metrics.New(env, metrics.Options{DisableEvaluation: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	h := awstest.Handler(t, cloudwatchapi.Service(s))
	form := url.Values{"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {"App"},
		"MetricData.member.1.MetricName": {"Q"}, "MetricData.member.1.Value": {"7"}}
	req := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "PutMetricDataResponse") {
		t.Fatalf("query: %d %s", rec.Code, rec.Body)
	}
	form = url.Values{"Action": {"ListMetrics"}, "Version": {"2010-08-01"}, "Namespace": {"App"}}
	req = httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<MetricName>Q</MetricName>") {
		t.Fatalf("query ListMetrics: %d %s", rec.Code, rec.Body)
	}
	req = httptest.NewRequest("POST", "/", strings.NewReader(`{"Namespace":"App","MetricName":"Q"}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801.DescribeAlarmsForMetric")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != http.StatusOK || !strings.Contains(string(body), "MetricAlarms") {
		t.Fatalf("json: %d %s", rec.Code, body)
	}
}
