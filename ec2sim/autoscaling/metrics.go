package autoscaling

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
)

// MetricPublisher publishes a CloudWatch data point in the account and region of ctx's caller
// (metrics.Service.Publish has this shape).
type MetricPublisher = ec2sim.MetricPublisher

// The group metrics EnableMetricsCollection can turn on (warm pool metrics are not: warm pools
// are not implemented). Capacity metrics equal the instance counts (no instance weights).
var groupMetrics = []string{"GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances",
	"GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances", "GroupInServiceCapacity", "GroupPendingCapacity",
	"GroupStandbyCapacity", "GroupTerminatingCapacity", "GroupTotalCapacity"}

// EnabledMetric is a group metric being collected.
type EnabledMetric struct {
	Metric      string `json:"Metric"`
	Granularity string `json:"Granularity"`
}

// EnableMetricsCollectionInput turns group metrics on (none named: all of them).
type EnableMetricsCollectionInput struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName"`
	Metrics              []string `json:"Metrics,omitempty"`
	Granularity          string   `json:"Granularity"`
}

// DisableMetricsCollectionInput turns group metrics off (none named: all of them).
type DisableMetricsCollectionInput struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName"`
	Metrics              []string `json:"Metrics,omitempty"`
}

// DescribeMetricCollectionTypesInput is empty.
type DescribeMetricCollectionTypesInput struct{}

// MetricCollectionType is a group metric.
type MetricCollectionType struct {
	Metric string `json:"Metric"`
}

// MetricGranularityType is a collection granularity.
type MetricGranularityType struct {
	Granularity string `json:"Granularity"`
}

// DescribeMetricCollectionTypesOutput lists the metrics and granularities.
type DescribeMetricCollectionTypesOutput struct {
	Metrics       []MetricCollectionType  `json:"Metrics"`
	Granularities []MetricGranularityType `json:"Granularities"`
}

func metricList(in []string) ([]string, error) {
	return namesIn(in, groupMetrics, func(m string) error {
		return ErrValidation.With("Invalid metric name %s. Valid metrics are %s", m, strings.Join(groupMetrics, ", "))
	})
}

// EnableMetricsCollection starts publishing group metrics (AWS/AutoScaling, dimension
// AutoScalingGroupName) every minute. Granularity must be 1Minute.
func (s *Service) EnableMetricsCollection(ctx context.Context, in *EnableMetricsCollectionInput) (*Empty, error) {
	return do(ctx, s, "EnableMetricsCollection", in, func(ctx context.Context, in *EnableMetricsCollectionInput) (*Empty, error) {
		if in.Granularity != "1Minute" {
			return nil, ErrValidation.With("Valid granularity values are: 1Minute")
		}
		ms, err := metricList(in.Metrics)
		if err != nil {
			return nil, err
		}
		return &Empty{}, s.withGroup(ctx, in.AutoScalingGroupName, func(g *groupRecord) {
			for _, m := range ms {
				if !slices.ContainsFunc(g.EnabledMetrics, func(e EnabledMetric) bool { return e.Metric == m }) {
					g.EnabledMetrics = append(g.EnabledMetrics, EnabledMetric{Metric: m, Granularity: "1Minute"})
				}
			}
		}, nil)
	})
}

// DisableMetricsCollection stops publishing group metrics.
func (s *Service) DisableMetricsCollection(ctx context.Context, in *DisableMetricsCollectionInput) (*Empty, error) {
	return do(ctx, s, "DisableMetricsCollection", in, func(ctx context.Context, in *DisableMetricsCollectionInput) (*Empty, error) {
		ms, err := metricList(in.Metrics)
		if err != nil {
			return nil, err
		}
		return &Empty{}, s.withGroup(ctx, in.AutoScalingGroupName, func(g *groupRecord) {
			g.EnabledMetrics = slices.DeleteFunc(g.EnabledMetrics, func(e EnabledMetric) bool { return slices.Contains(ms, e.Metric) })
		}, nil)
	})
}

// DescribeMetricCollectionTypes lists the group metrics and the granularity.
func (s *Service) DescribeMetricCollectionTypes(ctx context.Context, in *DescribeMetricCollectionTypesInput) (*DescribeMetricCollectionTypesOutput, error) {
	return do(ctx, s, "DescribeMetricCollectionTypes", in, func(ctx context.Context, in *DescribeMetricCollectionTypesInput) (*DescribeMetricCollectionTypesOutput, error) {
		out := &DescribeMetricCollectionTypesOutput{Granularities: []MetricGranularityType{{Granularity: "1Minute"}}}
		for _, m := range groupMetrics {
			out.Metrics = append(out.Metrics, MetricCollectionType{Metric: m})
		}
		return out, nil
	})
}

// startMetrics publishes group metrics at every minute of the platform clock.
func (s *Service) startMetrics() {
	loop := clock.EveryMinute(s.ctx, s.clk, func(t time.Time) { s.PublishMetrics(s.ctx, t) })
	go func() {
		defer close(s.mdone)
		loop()
	}()
}

// PublishMetrics publishes the enabled group metrics of every group at t (what the
// background publisher does every minute when Options.Metrics is set).
func (s *Service) PublishMetrics(ctx context.Context, t time.Time) {
	if s.opts.Metrics == nil {
		return
	}
	t = t.UTC().Truncate(time.Minute)
	all, err := s.groups.All(ctx, "")
	if err != nil {
		return
	}
	for _, g := range all {
		if len(g.EnabledMetrics) == 0 {
			continue
		}
		var inService, pending, standby, terminating float64
		for _, m := range g.Members {
			switch {
			case m.Lifecycle == "InService":
				inService++
			case strings.HasPrefix(m.Lifecycle, "Pending"):
				pending++
			case m.Lifecycle == "Standby":
				standby++
			case strings.HasPrefix(m.Lifecycle, "Terminating"):
				terminating++
			}
		}
		vals := map[string]float64{"GroupMinSize": float64(g.MinSize), "GroupMaxSize": float64(g.MaxSize), "GroupDesiredCapacity": float64(g.DesiredCapacity),
			"GroupInServiceInstances": inService, "GroupPendingInstances": pending, "GroupStandbyInstances": standby,
			"GroupTerminatingInstances": terminating, "GroupTotalInstances": inService + pending + terminating,
			"GroupInServiceCapacity": inService, "GroupPendingCapacity": pending, "GroupStandbyCapacity": standby,
			"GroupTerminatingCapacity": terminating, "GroupTotalCapacity": inService + pending + terminating}
		gctx := s.asCaller(ctx, g.Account, g.Region)
		dims := map[string]string{"AutoScalingGroupName": g.AutoScalingGroupName}
		for _, e := range g.EnabledMetrics {
			if err := s.opts.Metrics.Publish(gctx, "AWS/AutoScaling", e.Metric, dims, vals[e.Metric], "None", t); err != nil {
				s.log.Warn("autoscaling: publishing metric", "group", g.AutoScalingGroupName, "metric", e.Metric, "err", err)
			}
		}
	}
}
