package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
)

type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) RunAlarmAction(_ context.Context, arn string, a metrics.AlarmState) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, a.AlarmName+":"+a.State+":"+arn)
	if arn == "arn:aws:sns:us-east-1:000000000000:broken" {
		return errors.New("topic does not exist")
	}
	return nil
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

func state(t *testing.T, s *metrics.Service, name string) string {
	t.Helper()
	st, err := s.AlarmStateOf(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestMissingDataTreatments follows AWS's table for 3 of 3 over an evaluation range of 5
// periods (oldest first; 0 = not breaching, X = breaching, - = missing).
func TestMissingDataTreatments(t *testing.T) {
	rows := []struct {
		data string
		want map[string]string // treatment -> state ("" = retained, i.e. INSUFFICIENT_DATA initially)
	}{
		{"0-X-X", map[string]string{"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}},
		{"----0", map[string]string{"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}},
		{"-----", map[string]string{"missing": "INSUFFICIENT_DATA", "ignore": "INSUFFICIENT_DATA", "breaching": "ALARM", "notBreaching": "OK"}},
		{"0XX-X", map[string]string{"missing": "ALARM", "ignore": "ALARM", "breaching": "ALARM", "notBreaching": "ALARM"}},
		{"--X--", map[string]string{"missing": "ALARM", "ignore": "INSUFFICIENT_DATA", "breaching": "ALARM", "notBreaching": "OK"}},
		{"---X0", map[string]string{"missing": "OK", "ignore": "INSUFFICIENT_DATA", "breaching": "OK", "notBreaching": "OK"}},
	}
	for ri, row := range rows {
		t.Run(row.data, func(t *testing.T) {
			s, clk := newSvc(t, metrics.Options{DisableEvaluation: true})
			ctx := context.Background()
			metric := fmt.Sprint("m", ri)
			for tmd := range row.want {
				_, err := s.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: tmd, Namespace: "App", MetricName: metric, Statistic: "Maximum",
					Period: 60, EvaluationPeriods: 3, Threshold: f(5), ComparisonOperator: "GreaterThanThreshold", TreatMissingData: tmd})
				if err != nil {
					t.Fatal(err)
				}
			}
			for i, c := range row.data {
				switch c {
				case '0':
					put(t, s, "App", metric, nil, t0.Add(time.Duration(i)*time.Minute), 1)
				case 'X':
					put(t, s, "App", metric, nil, t0.Add(time.Duration(i)*time.Minute), 10)
				}
			}
			clk.Set(t0.Add(5 * time.Minute))
			s.EvaluateAlarms(ctx)
			for tmd, want := range row.want {
				if got := state(t, s, tmd); got != want {
					t.Errorf("%s: %s, want %s", tmd, got, want)
				}
			}
		})
	}
}

func TestMofNActionsOncePerTransition(t *testing.T) {
	rec := &recorder{}
	clk := clock.NewManual(t0)
	env := awstest.EnvWith(t, clk)
	var evMu sync.Mutex
	var evs []eventbus.Event
	awstest.Bus(env).Subscribe(func(_ context.Context, e eventbus.Event) {
		evMu.Lock()
		evs = append(evs, e)
		evMu.Unlock()
	})
	s, err := metrics.New(env, metrics.Options{Actions: rec, DisableEvaluation: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx := context.Background()
	topic := "arn:aws:sns:us-east-1:000000000000:ops"
	_, err = s.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: "high-cpu", AlarmDescription: "CPU high", Namespace: "App", MetricName: "CPU",
		Dimensions: []metrics.Dimension{{"Host", "a"}}, Statistic: "Average", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: i32(2),
		Threshold: f(80), ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching",
		AlarmActions: []string{topic, "arn:aws:sns:us-east-1:000000000000:broken"}, OKActions: []string{topic}})
	if err != nil {
		t.Fatal(err)
	}
	seq := []struct {
		v    float64
		want string
	}{{50, "OK"}, {90, "OK"}, {95, "ALARM"}, {95, "ALARM"}, {10, "ALARM"}, {10, "OK"}, {10, "OK"}}
	for i, step := range seq {
		put(t, s, "App", "CPU", []metrics.Dimension{{"Host", "a"}}, clk.Now(), step.v)
		clk.Advance(time.Minute)
		s.EvaluateAlarms(ctx)
		s.EvaluateAlarms(ctx) // evaluating twice changes nothing
		if got := state(t, s, "high-cpu"); got != step.want {
			t.Fatalf("step %d: state %s, want %s", i, got, step.want)
		}
	}
	want := []string{"high-cpu:OK:" + topic, "high-cpu:ALARM:" + topic, "high-cpu:ALARM:arn:aws:sns:us-east-1:000000000000:broken", "high-cpu:OK:" + topic}
	if got := rec.list(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("actions = %v, want %v", got, want)
	}
	evMu.Lock()
	if len(evs) != 3 {
		t.Fatalf("events = %d, want 3", len(evs))
	}
	e := evs[1]
	evMu.Unlock()
	var detail struct {
		AlarmName string `json:"alarmName"`
		State     struct {
			Value, Reason, ReasonData, Timestamp string
		} `json:"state"`
		PreviousState struct{ Value string } `json:"previousState"`
		Configuration struct {
			Description string
			Metrics     []struct {
				MetricStat struct {
					Metric struct {
						Namespace, Name string
						Dimensions      map[string]string
					}
					Period int
					Stat   string
				}
			}
		}
	}
	if err := json.Unmarshal(e.Detail, &detail); err != nil {
		t.Fatal(err)
	}
	if e.DetailType != "CloudWatch Alarm State Change" || e.Source != "aws.cloudwatch" || e.Resources[0] != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-cpu" ||
		detail.State.Value != "ALARM" || detail.PreviousState.Value != "OK" || detail.Configuration.Description != "CPU high" ||
		detail.Configuration.Metrics[0].MetricStat.Metric.Dimensions["Host"] != "a" || detail.Configuration.Metrics[0].MetricStat.Stat != "Average" {
		t.Errorf("event = %+v %s", e, e.Detail)
	}
	if !json.Valid([]byte(detail.State.ReasonData)) || detail.State.Reason == "" {
		t.Errorf("reason = %q data = %q", detail.State.Reason, detail.State.ReasonData)
	}
	h, err := s.DescribeAlarmHistory(ctx, &metrics.DescribeAlarmHistoryInput{AlarmName: "high-cpu"})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, it := range h.AlarmHistoryItems {
		counts[it.HistoryItemType]++
	}
	if counts["StateUpdate"] != 3 || counts["Action"] != 4 || counts["ConfigurationUpdate"] != 1 {
		t.Errorf("history counts = %v", counts)
	}
	h, _ = s.DescribeAlarmHistory(ctx, &metrics.DescribeAlarmHistoryInput{HistoryItemType: "Action", MaxRecords: 3, ScanBy: "TimestampAscending"})
	if len(h.AlarmHistoryItems) != 3 || h.NextToken == "" {
		t.Errorf("history page = %+v", h)
	}
	// Disabled actions: transitions happen, actions do not run.
	if _, err := s.DisableAlarmActions(ctx, &metrics.AlarmNamesInput{AlarmNames: []string{"high-cpu"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAlarmState(ctx, &metrics.SetAlarmStateInput{AlarmName: "high-cpu", StateValue: "ALARM", StateReason: "test"}); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.list()); n != 4 {
		t.Errorf("actions ran while disabled: %d", n)
	}
	if _, err := s.SetAlarmState(ctx, &metrics.SetAlarmStateInput{AlarmName: "nope", StateValue: "ALARM", StateReason: "x"}); !errors.Is(err, metrics.ErrResourceNotFound) {
		t.Errorf("unknown alarm: %v", err)
	}
}

func TestLowSampleCountPercentileAndMathAlarm(t *testing.T) {
	s, clk := newSvc(t, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	for _, mode := range []string{"ignore", "evaluate"} {
		_, err := s.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: "p99-" + mode, Namespace: "App", MetricName: "Lat", ExtendedStatistic: "p99",
			Period: 60, EvaluationPeriods: 1, Threshold: f(100), ComparisonOperator: "GreaterThanThreshold", EvaluateLowSampleCountPercentile: mode})
		if err != nil {
			t.Fatal(err)
		}
	}
	no := false
	_, err := s.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: "ratio", EvaluationPeriods: 1, Threshold: f(50), ComparisonOperator: "GreaterThanThreshold",
		Metrics: []metrics.MetricDataQuery{
			{Id: "lat", MetricStat: &metrics.MetricStat{Metric: &metrics.Metric{Namespace: "App", MetricName: "Lat"}, Period: 60, Stat: "Maximum"}, ReturnData: &no},
			{Id: "e1", Expression: "lat / 10", Label: "scaled"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "App", "Lat", nil, clk.Now(), 1000) // one sample: too few for p99
	clk.Advance(time.Minute)
	s.EvaluateAlarms(ctx)
	if got := state(t, s, "p99-ignore"); got != "INSUFFICIENT_DATA" {
		t.Errorf("ignore: %s", got)
	}
	if got := state(t, s, "p99-evaluate"); got != "ALARM" {
		t.Errorf("evaluate: %s", got)
	}
	if got := state(t, s, "ratio"); got != "ALARM" {
		t.Errorf("math alarm: %s", got)
	}
	// Bad alarms.
	for _, bad := range []metrics.PutMetricAlarmInput{
		{AlarmName: "x", Namespace: "A", MetricName: "M", Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "Bigger"},
		{AlarmName: "x", Namespace: "A", MetricName: "M", Statistic: "Average", ExtendedStatistic: "p9", Period: 60, EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold"},
		{AlarmName: "x", Namespace: "A", MetricName: "M", Statistic: "Average", Period: 45, EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold"},
		{AlarmName: "x", Namespace: "A", MetricName: "M", Statistic: "Average", Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: i32(3), Threshold: f(1), ComparisonOperator: "GreaterThanThreshold"},
		{AlarmName: "x", Namespace: "A", MetricName: "M", Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "sometimes"},
		{AlarmName: "x", Namespace: "A", MetricName: "M", Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold", AlarmActions: []string{"not-an-arn"}},
		{AlarmName: "x", EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold", Metrics: []metrics.MetricDataQuery{{Id: "e1", Expression: "1", ReturnData: &no}}},
	} {
		if _, err := s.PutMetricAlarm(ctx, &bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

func TestCompositeAlarms(t *testing.T) {
	rec := &recorder{}
	s, _ := newSvc(t, metrics.Options{Actions: rec, DisableEvaluation: true})
	ctx := context.Background()
	for _, n := range []string{"cpu", "mem"} {
		if _, err := s.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: n, Namespace: "A", MetricName: n, Statistic: "Average", Period: 60,
			EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold"}); err != nil {
			t.Fatal(err)
		}
	}
	topic := "arn:aws:sns:us-east-1:000000000000:page"
	if _, err := s.PutCompositeAlarm(ctx, &metrics.PutCompositeAlarmInput{AlarmName: "both", AlarmRule: `ALARM("cpu") AND ALARM(mem)`, AlarmActions: []string{topic}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutCompositeAlarm(ctx, &metrics.PutCompositeAlarmInput{AlarmName: "either", AlarmRule: `ALARM(both) OR ALARM(arn:aws:cloudwatch:us-east-1:000000000000:alarm:cpu)`}); err != nil {
		t.Fatal(err)
	}
	if got := state(t, s, "both"); got != "OK" {
		t.Errorf("both initially %s", got)
	}
	set := func(n, st string) {
		if _, err := s.SetAlarmState(ctx, &metrics.SetAlarmStateInput{AlarmName: n, StateValue: st, StateReason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	set("cpu", "ALARM")
	if state(t, s, "both") != "OK" || state(t, s, "either") != "ALARM" {
		t.Errorf("after cpu ALARM: both=%s either=%s", state(t, s, "both"), state(t, s, "either"))
	}
	set("mem", "ALARM")
	if state(t, s, "both") != "ALARM" {
		t.Errorf("after mem ALARM: both=%s", state(t, s, "both"))
	}
	set("mem", "ALARM") // no transition, no second action
	set("cpu", "OK")
	if state(t, s, "both") != "OK" || state(t, s, "either") != "OK" {
		t.Errorf("after cpu OK: both=%s either=%s", state(t, s, "both"), state(t, s, "either"))
	}
	if got := rec.list(); len(got) != 1 || got[0] != "both:ALARM:"+topic {
		t.Errorf("actions = %v", got)
	}
	// Errors: unknown child, cycle, bad rule, EC2 action on a composite, deleting a child.
	for _, bad := range []metrics.PutCompositeAlarmInput{
		{AlarmName: "c", AlarmRule: "ALARM(nope)"},
		{AlarmName: "both", AlarmRule: "ALARM(either)"},
		{AlarmName: "c", AlarmRule: "ALARM(cpu) AND"},
		{AlarmName: "c", AlarmRule: "ALARM(cpu)", AlarmActions: []string{"arn:aws:automate:us-east-1:ec2:stop"}},
	} {
		if _, err := s.PutCompositeAlarm(ctx, &bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if _, err := s.DeleteAlarms(ctx, &metrics.DeleteAlarmsInput{AlarmNames: []string{"cpu"}}); err == nil {
		t.Error("deleted a composite's child")
	}
	// DescribeAlarms filters.
	d, _ := s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{})
	if len(d.MetricAlarms) != 2 || len(d.CompositeAlarms) != 0 {
		t.Errorf("default types: %d metric %d composite", len(d.MetricAlarms), len(d.CompositeAlarms))
	}
	d, _ = s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmTypes: []string{"CompositeAlarm"}, StateValue: "OK"})
	if len(d.CompositeAlarms) != 2 {
		t.Errorf("composite ALARM: %+v", d.CompositeAlarms)
	}
	d, _ = s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{ChildrenOfAlarmName: "both"})
	if len(d.MetricAlarms) != 2 {
		t.Errorf("children: %+v", d)
	}
	d, _ = s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{ParentsOfAlarmName: "cpu"})
	if len(d.CompositeAlarms) != 2 {
		t.Errorf("parents: %+v", d)
	}
	d, _ = s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmTypes: []string{"CompositeAlarm"}, ActionPrefix: "arn:aws:sns"})
	if len(d.CompositeAlarms) != 1 {
		t.Errorf("action prefix: %+v", d)
	}
	if _, err := s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{"a"}, AlarmNamePrefix: "a"}); !errors.Is(err, metrics.ErrInvalidParameterCombination) {
		t.Errorf("names+prefix: %v", err)
	}
	// Pagination.
	var names []string
	token := ""
	for {
		d, err := s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmTypes: []string{"MetricAlarm", "CompositeAlarm"}, MaxRecords: 1, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range d.MetricAlarms {
			names = append(names, a.AlarmName)
		}
		for _, a := range d.CompositeAlarms {
			names = append(names, a.AlarmName)
		}
		if token = d.NextToken; token == "" {
			break
		}
	}
	if fmt.Sprint(names) != "[both cpu either mem]" {
		t.Errorf("paged names = %v", names)
	}
	fm, _ := s.DescribeAlarmsForMetric(ctx, &metrics.DescribeAlarmsForMetricInput{Namespace: "A", MetricName: "cpu"})
	if len(fm.MetricAlarms) != 1 || fm.MetricAlarms[0].AlarmName != "cpu" {
		t.Errorf("for metric: %+v", fm)
	}
	if _, err := s.DeleteAlarms(ctx, &metrics.DeleteAlarmsInput{AlarmNames: []string{"either", "both", "cpu", "mem"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteAlarms(ctx, &metrics.DeleteAlarmsInput{AlarmNames: []string{"cpu"}}); !errors.Is(err, metrics.ErrResourceNotFound) {
		t.Errorf("delete missing: %v", err)
	}
}

// TestEvaluationLoop drives the background loop with the manual clock.
func TestEvaluationLoop(t *testing.T) {
	s, clk := newSvc(t, metrics.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: "a", Namespace: "A", MetricName: "M", Statistic: "Sum", Period: 60,
		EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	if err := clk.BlockUntil(ctx, 1); err != nil { // the loop waits for the next minute
		t.Fatal(err)
	}
	put(t, s, "A", "M", nil, clk.Now(), 5)
	clk.Advance(time.Minute)
	if err := clk.BlockUntil(ctx, 1); err != nil { // evaluated and waiting again
		t.Fatal(err)
	}
	if got := state(t, s, "a"); got != "ALARM" {
		t.Errorf("state = %s", got)
	}
	// The evaluation range reaches two periods further back, so the datapoint counts for two
	// more minutes.
	for range 3 {
		clk.Advance(time.Minute)
		if err := clk.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	if got := state(t, s, "a"); got != "INSUFFICIENT_DATA" {
		t.Errorf("state after no data = %s", got)
	}
}

// TestEvaluationCatchUp: when the clock jumps five minutes in one call, the loop still
// evaluates every minute, each as of its own minute (state times, history, M of N windows).
func TestEvaluationCatchUp(t *testing.T) {
	s, clk := newSvc(t, metrics.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, in := range []*metrics.PutMetricAlarmInput{
		{AlarmName: "flip", Namespace: "A", MetricName: "M1", Statistic: "Sum", Period: 60,
			EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold"},
		{AlarmName: "mofn", Namespace: "A", MetricName: "M2", Statistic: "Sum", Period: 60, EvaluationPeriods: 3,
			DatapointsToAlarm: i32(2), Threshold: f(1), ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
	} {
		if _, err := s.PutMetricAlarm(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// One datapoint per minute from t0 (12:00) to 12:04.
	for i, v := range []float64{5, 0, 5, 0, 5} {
		put(t, s, "A", "M1", nil, t0.Add(time.Duration(i)*time.Minute), v)
	}
	for i, v := range []float64{5, 0, 5, 0, 0} {
		put(t, s, "A", "M2", nil, t0.Add(time.Duration(i)*time.Minute), v)
	}
	if err := clk.BlockUntil(ctx, 1); err != nil { // the loop waits for 12:01
		t.Fatal(err)
	}
	clk.Advance(5 * time.Minute)
	if err := clk.BlockUntil(ctx, 1); err != nil { // caught up and waiting for 12:06
		t.Fatal(err)
	}
	transitions := func(name string) []string {
		t.Helper()
		h, err := s.DescribeAlarmHistory(ctx, &metrics.DescribeAlarmHistoryInput{AlarmName: name, HistoryItemType: "StateUpdate", ScanBy: "TimestampAscending"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range h.AlarmHistoryItems {
			out = append(out, it.Timestamp.UTC().Format("15:04:05")+" "+strings.TrimPrefix(it.HistorySummary, "Alarm updated from "))
		}
		return out
	}
	for _, c := range []struct {
		alarm string
		want  []string
	}{
		// Each minute's evaluation reads the minute before it: 5, 0, 5, 0, 5.
		{"flip", []string{"12:01:00 INSUFFICIENT_DATA to ALARM", "12:02:00 ALARM to OK", "12:03:00 OK to ALARM",
			"12:04:00 ALARM to OK", "12:05:00 OK to ALARM"}},
		// 2 of 3 breaching: windows ending 12:01 (5), 12:02 (5 0), 12:03 (5 0 5), 12:04 (0 5 0), 12:05 (5 0 0).
		{"mofn", []string{"12:01:00 INSUFFICIENT_DATA to OK", "12:03:00 OK to ALARM", "12:04:00 ALARM to OK"}},
	} {
		if got := transitions(c.alarm); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s transitions:\n got %q\nwant %q", c.alarm, got, c.want)
		}
	}
	a, err := s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{"flip"}})
	if err != nil || len(a.MetricAlarms) != 1 {
		t.Fatal(err)
	}
	if got := a.MetricAlarms[0].StateUpdatedTimestamp; !got.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("flip state updated at %v, want 12:05", got)
	}
}

// TestEC2Actions: automate ARNs are validated as AWS does (a known action, the alarm's
// region, a metric with an InstanceId dimension), and the action runner learns the instance.
func TestEC2Actions(t *testing.T) {
	var mu sync.Mutex
	var got []string
	runner := metrics.ActionRunnerFunc(func(_ context.Context, arn string, a metrics.AlarmState) error {
		action, _, isEC2, ok := metrics.ParseEC2Action(arn)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%s %s %v %v %s %s", a.AlarmName, action, isEC2, ok, a.InstanceID(), a.State))
		return nil
	})
	s, clk := newSvc(t, metrics.Options{Actions: runner, DisableEvaluation: true})
	ctx := context.Background()
	inst := []metrics.Dimension{{"AutoScalingGroupName", "web"}, {"InstanceId", "i-0abc"}}
	alarm := func(name string, dims []metrics.Dimension, actions ...string) *metrics.PutMetricAlarmInput {
		return &metrics.PutMetricAlarmInput{AlarmName: name, Namespace: "AWS/EC2", MetricName: "CPUUtilization", Dimensions: dims,
			Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: f(50), ComparisonOperator: "GreaterThanThreshold", AlarmActions: actions}
	}
	for _, c := range []struct {
		in      *metrics.PutMetricAlarmInput
		wantErr string
	}{
		{alarm("stop", inst, "arn:aws:automate:us-east-1:ec2:stop"), ""},
		{alarm("legacy", inst, "arn:aws:swf:us-east-1:000000000000:action/actions/AWS_EC2.InstanceId.Reboot/1.0"), ""},
		{alarm("recover", inst, "arn:aws:automate:us-east-1:ec2:recover", "arn:aws:sns:us-east-1:000000000000:ops"), ""},
		{alarm("nodim", []metrics.Dimension{{"AutoScalingGroupName", "web"}}, "arn:aws:automate:us-east-1:ec2:terminate"), "Invalid use of EC2 action"},
		{alarm("badaction", inst, "arn:aws:automate:us-east-1:ec2:explode"), "Invalid EC2 action"},
		{alarm("region", inst, "arn:aws:automate:eu-west-1:ec2:stop"), "Invalid region eu-west-1 specified. Only us-east-1 is supported."},
		{&metrics.PutMetricAlarmInput{AlarmName: "math", Metrics: []metrics.MetricDataQuery{
			{Id: "m", MetricStat: &metrics.MetricStat{Metric: &metrics.Metric{Namespace: "AWS/EC2", MetricName: "CPUUtilization", Dimensions: inst}, Period: 60, Stat: "Average"}}},
			EvaluationPeriods: 1, Threshold: f(50), ComparisonOperator: "GreaterThanThreshold", AlarmActions: []string{"arn:aws:automate:us-east-1:ec2:reboot"}}, ""},
	} {
		_, err := s.PutMetricAlarm(ctx, c.in)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.in.AlarmName, err)
		case c.wantErr != "" && (!errors.Is(err, metrics.ErrValidation) || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want ValidationError %q", c.in.AlarmName, err, c.wantErr)
		}
	}
	if err := s.Publish(ctx, "AWS/EC2", "CPUUtilization", map[string]string{"AutoScalingGroupName": "web", "InstanceId": "i-0abc"}, 90, "Percent", clk.Now()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	s.EvaluateAlarms(ctx)
	slices.Sort(got)
	want := []string{
		"legacy reboot true true i-0abc ALARM",
		"math reboot true true i-0abc ALARM",
		"recover  false false i-0abc ALARM", // the SNS action learns the instance too
		"recover recover true true i-0abc ALARM",
		"stop stop true true i-0abc ALARM",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("actions:\n got %q\nwant %q", got, want)
	}
}

func FuzzParseEC2Action(f *testing.F) {
	for _, s := range []string{"arn:aws:automate:us-east-1:ec2:stop", "arn:aws:swf:us-east-1:1:action/actions/AWS_EC2.InstanceId.Stop/1.0",
		"arn:aws:automate::ec2:reboot", "arn:aws:sns:us-east-1:1:t", "arn:", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		action, _, isEC2, ok := metrics.ParseEC2Action(arn)
		if ok && (!isEC2 || (action != metrics.EC2Stop && action != metrics.EC2Terminate && action != metrics.EC2Reboot && action != metrics.EC2Recover)) {
			t.Fatalf("%q: action %q isEC2 %v ok %v", arn, action, isEC2, ok)
		}
	})
}
