package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func newSvc(t testing.TB, opts metrics.Options) (*metrics.Service, *clock.Manual) {
	clk := clock.NewManual(t0)
	env := awstest.EnvWith(t, clk)
	s, err := metrics.New(env, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, clk
}

func f(v float64) *float64 { return &v }
func i32(v int32) *int32   { return &v }

func TestPutMetricDataValidation(t *testing.T) {
	s, _ := newSvc(t, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	many := make([]metrics.MetricDatum, 1001)
	for i := range many {
		many[i] = metrics.MetricDatum{MetricName: "m", Value: f(1)}
	}
	dims := make([]metrics.Dimension, 31)
	for i := range dims {
		dims[i] = metrics.Dimension{Name: fmt.Sprint("d", i), Value: "v"}
	}
	cases := []struct {
		name string
		in   metrics.PutMetricDataInput
		want error
	}{
		{"no namespace", metrics.PutMetricDataInput{MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1)}}}, metrics.ErrMissingParameter},
		{"AWS namespace", metrics.PutMetricDataInput{Namespace: "AWS/EC2", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1)}}}, metrics.ErrInvalidParameterValue},
		{"no data", metrics.PutMetricDataInput{Namespace: "App"}, metrics.ErrMissingParameter},
		{"1001 metrics", metrics.PutMetricDataInput{Namespace: "App", MetricData: many}, metrics.ErrInvalidParameterValue},
		{"31 dims", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), Dimensions: dims}}}, metrics.ErrInvalidParameterValue},
		{"NaN", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(nan())}}}, metrics.ErrInvalidParameterValue},
		{"Inf in values", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Values: []float64{1, inf()}}}}, metrics.ErrInvalidParameterValue},
		{"value and stats", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), StatisticValues: &metrics.StatisticSet{SampleCount: f(1), Sum: f(1), Minimum: f(1), Maximum: f(1)}}}}, metrics.ErrInvalidParameterCombination},
		{"nothing", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m"}}}, metrics.ErrInvalidParameterCombination},
		{"counts mismatch", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Values: []float64{1, 2}, Counts: []float64{1}}}}, metrics.ErrInvalidParameterValue},
		{"151 values", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Values: make([]float64, 151)}}}, metrics.ErrInvalidParameterValue},
		{"stat set missing sum", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", StatisticValues: &metrics.StatisticSet{SampleCount: f(1), Minimum: f(1), Maximum: f(1)}}}}, metrics.ErrMissingParameter},
		{"bad unit", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), Unit: "Furlongs"}}}, metrics.ErrInvalidParameterValue},
		{"bad resolution", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), StorageResolution: i32(30)}}}, metrics.ErrInvalidParameterValue},
		{"too old", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), Timestamp: t0.Add(-15 * 24 * time.Hour)}}}, metrics.ErrInvalidParameterValue},
		{"too new", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), Timestamp: t0.Add(3 * time.Hour)}}}, metrics.ErrInvalidParameterValue},
		{"dup dims", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), Dimensions: []metrics.Dimension{{"a", "1"}, {"a", "2"}}}}}, metrics.ErrInvalidParameterValue},
		{"ok", metrics.PutMetricDataInput{Namespace: "App", MetricData: []metrics.MetricDatum{{MetricName: "m", Value: f(1), Timestamp: t0.Add(-13 * 24 * time.Hour)}, {MetricName: "m", Values: []float64{1, 2}, Counts: []float64{3, 4}, StorageResolution: i32(1)}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.PutMetricData(ctx, &c.in)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func nan() float64 { var z float64; return z / z }
func inf() float64 { var z float64; return 1 / z }

func put(t testing.TB, s *metrics.Service, ns, name string, dims []metrics.Dimension, ts time.Time, vals ...float64) {
	t.Helper()
	var data []metrics.MetricDatum
	for _, v := range vals {
		data = append(data, metrics.MetricDatum{MetricName: name, Dimensions: dims, Timestamp: ts, Value: f(v), Unit: "Count"})
	}
	if _, err := s.PutMetricData(context.Background(), &metrics.PutMetricDataInput{Namespace: ns, MetricData: data}); err != nil {
		t.Fatal(err)
	}
}

func TestGetMetricStatistics(t *testing.T) {
	s, _ := newSvc(t, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	dims := []metrics.Dimension{{"Host", "a"}}
	for i := 1; i <= 100; i++ {
		put(t, s, "App", "Latency", dims, t0.Add(-time.Hour+time.Duration(i)*time.Second), float64(i))
	}
	put(t, s, "App", "Latency", dims, t0.Add(-50*time.Minute), 1000)
	out, err := s.GetMetricStatistics(ctx, &metrics.GetMetricStatisticsInput{Namespace: "App", MetricName: "Latency", Dimensions: dims,
		StartTime: t0.Add(-time.Hour), EndTime: t0, Period: 300, Statistics: []string{"Sum", "SampleCount", "Average", "Minimum", "Maximum"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 2 || out.Label != "Latency" {
		t.Fatalf("datapoints = %+v", out.Datapoints)
	}
	d := out.Datapoints[0]
	if *d.Sum != 5050 || *d.SampleCount != 100 || *d.Average != 50.5 || *d.Minimum != 1 || *d.Maximum != 100 || d.Unit != "Count" || !d.Timestamp.Equal(t0.Add(-time.Hour)) {
		t.Errorf("first datapoint = %+v", d)
	}
	out, err = s.GetMetricStatistics(ctx, &metrics.GetMetricStatisticsInput{Namespace: "App", MetricName: "Latency", Dimensions: dims,
		StartTime: t0.Add(-time.Hour), EndTime: t0, Period: 3600, ExtendedStatistics: []string{"p50", "p99", "p100"}})
	if err != nil {
		t.Fatal(err)
	}
	if es := out.Datapoints[0].ExtendedStatistics; es["p50"] != 51 || es["p99"] != 100 || es["p100"] != 1000 {
		t.Errorf("percentiles = %v", es)
	}
	// Unit filter, wrong dimensions, errors.
	out, _ = s.GetMetricStatistics(ctx, &metrics.GetMetricStatisticsInput{Namespace: "App", MetricName: "Latency", Dimensions: dims,
		StartTime: t0.Add(-time.Hour), EndTime: t0, Period: 3600, Statistics: []string{"Sum"}, Unit: "Seconds"})
	if len(out.Datapoints) != 0 {
		t.Errorf("unit filter: %+v", out.Datapoints)
	}
	for _, bad := range []metrics.GetMetricStatisticsInput{
		{Namespace: "App", MetricName: "Latency", StartTime: t0.Add(-time.Hour), EndTime: t0, Period: 61, Statistics: []string{"Sum"}},
		{Namespace: "App", MetricName: "Latency", StartTime: t0, EndTime: t0.Add(-time.Hour), Period: 60, Statistics: []string{"Sum"}},
		{Namespace: "App", MetricName: "Latency", StartTime: t0.Add(-time.Hour), EndTime: t0, Period: 60, Statistics: []string{"Median"}},
		{Namespace: "App", MetricName: "Latency", StartTime: t0.Add(-48 * time.Hour), EndTime: t0, Period: 60, Statistics: []string{"Sum"}},
		{Namespace: "App", MetricName: "Latency", StartTime: t0.Add(-time.Hour), EndTime: t0, Period: 60},
		{Namespace: "App", MetricName: "Latency", StartTime: t0.Add(-time.Hour), EndTime: t0, Period: 60, ExtendedStatistics: []string{"p101"}},
	} {
		if _, err := s.GetMetricStatistics(ctx, &bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

func TestGetMetricDataAndListMetrics(t *testing.T) {
	s, _ := newSvc(t, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	for i := range 5 {
		ts := t0.Add(-10*time.Minute + time.Duration(i)*time.Minute)
		put(t, s, "App", "Requests", []metrics.Dimension{{"Host", "a"}}, ts, 10)
		put(t, s, "App", "Requests", []metrics.Dimension{{"Host", "b"}}, ts, float64(i))
		if i != 2 {
			put(t, s, "App", "Errors", []metrics.Dimension{{"Host", "a"}}, ts, 1)
		}
	}
	ms := func(name, host string) *metrics.MetricStat {
		return &metrics.MetricStat{Metric: &metrics.Metric{Namespace: "App", MetricName: name, Dimensions: []metrics.Dimension{{"Host", host}}}, Period: 60, Stat: "Sum"}
	}
	no := false
	out, err := s.GetMetricData(ctx, &metrics.GetMetricDataInput{StartTime: t0.Add(-10 * time.Minute), EndTime: t0, ScanBy: "TimestampAscending",
		MetricDataQueries: []metrics.MetricDataQuery{
			{Id: "ra", MetricStat: ms("Requests", "a"), ReturnData: &no},
			{Id: "rb", MetricStat: ms("Requests", "b"), Label: "B ${PROP('Dim.Host')} max ${MAX}"},
			{Id: "ea", MetricStat: ms("Errors", "a"), ReturnData: &no},
			{Id: "rate", Expression: "100 * FILL(ea, 0) / ra", Label: "Error rate"},
			{Id: "total", Expression: "SUM([ra, rb])"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]metrics.MetricDataResult{}
	for _, r := range out.MetricDataResults {
		got[r.Id] = r
	}
	if len(got) != 3 {
		t.Fatalf("results = %+v", out.MetricDataResults)
	}
	if r := got["rate"]; fmt.Sprint(r.Values) != "[10 10 0 10 10]" || r.Label != "Error rate" || r.StatusCode != "Complete" {
		t.Errorf("rate = %+v", r)
	}
	if r := got["total"]; fmt.Sprint(r.Values) != "[10 11 12 13 14]" {
		t.Errorf("total = %+v", r)
	}
	if r := got["rb"]; r.Label != "B b max 4" {
		t.Errorf("label = %q", r.Label)
	}
	// Pagination with MaxDatapoints, descending order.
	var all []float64
	token := ""
	pages := 0
	for {
		out, err := s.GetMetricData(ctx, &metrics.GetMetricDataInput{StartTime: t0.Add(-10 * time.Minute), EndTime: t0, MaxDatapoints: i32(2), NextToken: token,
			MetricDataQueries: []metrics.MetricDataQuery{{Id: "rb", MetricStat: ms("Requests", "b")}}})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.MetricDataResults {
			all = append(all, r.Values...)
		}
		if token = out.NextToken; token == "" {
			break
		}
		if out.MetricDataResults[0].StatusCode != "PartialData" {
			t.Errorf("status = %s", out.MetricDataResults[0].StatusCode)
		}
	}
	if fmt.Sprint(all) != "[4 3 2 1 0]" || pages != 3 {
		t.Errorf("paged values = %v in %d pages", all, pages)
	}
	for _, bad := range [][]metrics.MetricDataQuery{
		{{Id: "M1", MetricStat: ms("Requests", "a")}},
		{{Id: "e1", Expression: "FOO(x)"}},
		{{Id: "e1", Expression: "m9 * 2"}},
		{{Id: "e1", Expression: "e2"}, {Id: "e2", Expression: "e1"}},
		{{Id: "a", MetricStat: ms("Requests", "a"), Expression: "1"}},
	} {
		if _, err := s.GetMetricData(ctx, &metrics.GetMetricDataInput{StartTime: t0.Add(-time.Hour), EndTime: t0, MetricDataQueries: bad}); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}

	lm, err := s.ListMetrics(ctx, &metrics.ListMetricsInput{Namespace: "App"})
	if err != nil || len(lm.Metrics) != 3 {
		t.Fatalf("ListMetrics = %+v, %v", lm, err)
	}
	b := "b"
	lm, _ = s.ListMetrics(ctx, &metrics.ListMetricsInput{Dimensions: []metrics.DimensionFilter{{Name: "Host", Value: &b}}})
	if len(lm.Metrics) != 1 || lm.Metrics[0].MetricName != "Requests" {
		t.Errorf("dimension filter: %+v", lm.Metrics)
	}
	lm, _ = s.ListMetrics(ctx, &metrics.ListMetricsInput{MetricName: "Errors", RecentlyActive: "PT3H"})
	if len(lm.Metrics) != 1 {
		t.Errorf("name filter: %+v", lm.Metrics)
	}
	if _, err := s.ListMetrics(ctx, &metrics.ListMetricsInput{RecentlyActive: "PT1H"}); !errors.Is(err, metrics.ErrInvalidParameterValue) {
		t.Errorf("RecentlyActive PT1H: %v", err)
	}
}

func TestListMetricsPagination(t *testing.T) {
	s, _ := newSvc(t, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	var data []metrics.MetricDatum
	for i := range 1000 {
		data = append(data, metrics.MetricDatum{MetricName: fmt.Sprintf("m%04d", i), Value: f(1)})
	}
	if _, err := s.PutMetricData(ctx, &metrics.PutMetricDataInput{Namespace: "N", MetricData: data}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	token := ""
	for {
		out, err := s.ListMetrics(ctx, &metrics.ListMetricsInput{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Metrics {
			seen[m.MetricName] = true
		}
		if token = out.NextToken; token == "" {
			break
		}
	}
	if len(seen) != 1000 {
		t.Errorf("listed %d metrics", len(seen))
	}
	if _, err := s.ListMetrics(ctx, &metrics.ListMetricsInput{NextToken: "garbage!"}); !errors.Is(err, metrics.ErrInvalidNextToken) {
		t.Errorf("bad token: %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	s, _ := newSvc(t, metrics.Options{})
	ctx := context.Background()
	_, err := s.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: "a", Namespace: "N", MetricName: "M", Statistic: "Sum", Period: 60,
		EvaluationPeriods: 1, Threshold: f(1), ComparisonOperator: "GreaterThanThreshold"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				put(t, s, "N", "M", []metrics.Dimension{{"g", fmt.Sprint(g % 3)}}, t0, float64(i))
				_ = s.Publish(ctx, "AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1"}, float64(i), "Percent", time.Time{})
				if i%20 == 0 {
					_, _ = s.GetMetricStatistics(ctx, &metrics.GetMetricStatisticsInput{Namespace: "N", MetricName: "M", StartTime: t0.Add(-time.Hour), EndTime: t0.Add(time.Hour), Period: 60, ExtendedStatistics: []string{"p90"}})
					_, _ = s.ListMetrics(ctx, &metrics.ListMetricsInput{})
					s.EvaluateAlarms(ctx)
					_, _ = s.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{})
				}
			}
		})
	}
	wg.Wait()
}

// events collects the alarm state change events of a bus.
func events(t *testing.T, s *metrics.Service, bus *eventbus.Bus) *[]eventbus.Event {
	var mu sync.Mutex
	var got []eventbus.Event
	cancel := bus.Subscribe(func(_ context.Context, e eventbus.Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	t.Cleanup(cancel)
	return &got
}

var _ = json.Valid
