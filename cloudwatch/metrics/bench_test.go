package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/metrics"
)

// BenchmarkPutMetricData1M publishes 1,000,000 datapoints per iteration: 1,000 calls of
// 1,000 metrics (10 series x 100 timestamps) with one value each.
func BenchmarkPutMetricData1M(b *testing.B) {
	s, clk := newSvc(b, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	now := clk.Now()
	inputs := make([]*metrics.PutMetricDataInput, 1000)
	for c := range inputs {
		in := &metrics.PutMetricDataInput{Namespace: "Bench"}
		for i := range 1000 {
			v := float64(i)
			in.MetricData = append(in.MetricData, metrics.MetricDatum{MetricName: "Latency",
				Dimensions: []metrics.Dimension{{"Host", string(rune('a' + i%10))}},
				Timestamp:  now.Add(-28*time.Hour + time.Duration(c*100+i/10)*time.Second), Value: &v, Unit: "Milliseconds"})
		}
		inputs[c] = in
	}
	for b.Loop() {
		for _, in := range inputs {
			if _, err := s.PutMetricData(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "datapoints/s")
}

// BenchmarkGetMetricStatistics1M queries one series holding 1,000,000 points over the last
// 3 hours: all five statistics and p99 at a 1-minute period.
func BenchmarkGetMetricStatistics1M(b *testing.B) {
	s, clk := newSvc(b, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	now := clk.Now()
	for c := range 1000 {
		in := &metrics.PutMetricDataInput{Namespace: "Bench"}
		for i := range 1000 {
			v := float64((c*1000 + i) % 997)
			in.MetricData = append(in.MetricData, metrics.MetricDatum{MetricName: "Latency",
				Timestamp: now.Add(-time.Duration((c*1000+i)%10800) * time.Second), Value: &v})
		}
		if _, err := s.PutMetricData(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	in := &metrics.GetMetricStatisticsInput{Namespace: "Bench", MetricName: "Latency", StartTime: now.Add(-3 * time.Hour), EndTime: now, Period: 60,
		Statistics: []string{"SampleCount", "Sum", "Average", "Minimum", "Maximum"}}
	inP := &metrics.GetMetricStatisticsInput{Namespace: "Bench", MetricName: "Latency", StartTime: now.Add(-3 * time.Hour), EndTime: now, Period: 60,
		ExtendedStatistics: []string{"p99"}}
	for b.Loop() {
		out, err := s.GetMetricStatistics(ctx, in)
		if err != nil || len(out.Datapoints) != 180 {
			b.Fatalf("%v %d", err, len(out.Datapoints))
		}
		if _, err := s.GetMetricStatistics(ctx, inP); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPutMetricDataAllocs: once its series and buckets exist, a call of 1,000 data allocates
// a small constant amount, not per datum (the hot path of BenchmarkPutMetricData1M).
func TestPutMetricDataAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	s, clk := newSvc(t, metrics.Options{DisableEvaluation: true})
	ctx := context.Background()
	in := &metrics.PutMetricDataInput{Namespace: "Bench"}
	for i := range 1000 {
		v := float64(i % 7)
		in.MetricData = append(in.MetricData, metrics.MetricDatum{MetricName: "Latency",
			Dimensions: []metrics.Dimension{{"Host", string(rune('a' + i%10))}, {"AZ", "z"}},
			Timestamp:  clk.Now().Add(-time.Duration(i%10) * time.Second), Value: &v, Unit: "Milliseconds"})
	}
	if _, err := s.PutMetricData(ctx, in); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(20, func() {
		if _, err := s.PutMetricData(ctx, in); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%v allocations per call", n)
	if n > 50 {
		t.Errorf("PutMetricData of 1,000 data: %v allocations per call, want a small constant", n)
	}
}
