package metrics_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

func Example() {
	clk := clock.NewManual(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clk, Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(), Hooks: &dispatch.Hooks{},
		Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, _ := metrics.New(env, metrics.Options{DisableEvaluation: true,
		Actions: metrics.ActionRunnerFunc(func(_ context.Context, arn string, a metrics.AlarmState) error {
			fmt.Println("action", arn, "for", a.AlarmName, "->", a.State)
			return nil
		})})
	defer svc.Close(context.Background())
	ctx := context.Background()

	threshold := 80.0
	svc.PutMetricAlarm(ctx, &metrics.PutMetricAlarmInput{AlarmName: "cpu-high", Namespace: "AWS/EC2", MetricName: "CPUUtilization",
		Dimensions: []metrics.Dimension{{Name: "InstanceId", Value: "i-1"}}, Statistic: "Average", Period: 60, EvaluationPeriods: 1,
		Threshold: &threshold, ComparisonOperator: "GreaterThanThreshold", AlarmActions: []string{"arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:x:autoScalingGroupName/web:policyName/up"}})

	// EC2 publishes its metric; a minute later the alarm fires.
	svc.Publish(ctx, "AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1"}, 95, "Percent", clk.Now())
	clk.Advance(time.Minute)
	svc.EvaluateAlarms(ctx)

	out, _ := svc.GetMetricStatistics(ctx, &metrics.GetMetricStatisticsInput{Namespace: "AWS/EC2", MetricName: "CPUUtilization",
		Dimensions: []metrics.Dimension{{Name: "InstanceId", Value: "i-1"}}, StartTime: clk.Now().Add(-time.Hour), EndTime: clk.Now(),
		Period: 60, Statistics: []string{"Maximum"}})
	fmt.Println("max", *out.Datapoints[0].Maximum, out.Datapoints[0].Unit)
	// Output:
	// action arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:x:autoScalingGroupName/web:policyName/up for cpu-high -> ALARM
	// max 95 Percent
}
