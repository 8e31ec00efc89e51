package ec2sim

import (
	"context"
	"math"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/identity"
)

// MetricPublisher publishes a CloudWatch data point in the account and region of ctx's caller
// (the shape of metrics.Service.Publish, which the root wires in).
type MetricPublisher interface {
	Publish(ctx context.Context, namespace, name string, dims map[string]string, value float64, unit string, t time.Time) error
}

// SetCPU sets the CPU utilisation (percent, clamped to 0..100) an instance reports: the
// AWS/EC2 CPUUtilization it publishes and what Auto Scaling target tracking reads. Instances
// default to 0. NaN is ignored.
func (s *Service) SetCPU(instanceID string, percent float64) {
	if math.IsNaN(percent) {
		return
	}
	percent = max(0, min(100, percent))
	s.cpuMu.Lock()
	s.cpu[instanceID] = percent
	s.cpuMu.Unlock()
}

// CPU is the CPU utilisation an instance reports (SetCPU; 0 by default).
func (s *Service) CPU(instanceID string) float64 {
	s.cpuMu.Lock()
	defer s.cpuMu.Unlock()
	return s.cpu[instanceID]
}

// startMetrics publishes the instances' metrics at every minute of the platform clock.
func (s *Service) startMetrics() {
	loop := clock.EveryMinute(s.ctx, s.clk, func(t time.Time) { s.PublishMetrics(s.ctx, t) })
	go func() {
		defer s.wg.Done()
		loop()
	}()
}

type cpuSample struct {
	id, account, region, group string
	detailed                   bool
}

// PublishMetrics publishes AWS/EC2 CPUUtilization (Percent) for the running instances at t,
// as the background publisher does every minute when Options.Metrics is set: instances with
// detailed monitoring every minute, the others at five-minute marks; dimension InstanceId,
// and for Auto Scaling group members the average per AutoScalingGroupName over the instances
// published at t.
func (s *Service) PublishMetrics(ctx context.Context, t time.Time) {
	if s.opts.Metrics == nil {
		return
	}
	t = t.UTC().Truncate(time.Minute)
	five := t.Minute()%5 == 0
	var batch []cpuSample
	s.mu.Lock()
	for _, sl := range s.order {
		r := sl.rec
		if r.State.Name != "running" {
			continue
		}
		detailed := r.Monitoring.State == "enabled" || r.Monitoring.State == "pending"
		if !detailed && !five {
			continue
		}
		c := cpuSample{id: r.InstanceID, account: r.Account, region: r.Region, detailed: detailed}
		for _, tg := range r.Tags {
			if tg.Key == "aws:autoscaling:groupName" {
				c.group = tg.Value
			}
		}
		batch = append(batch, c)
	}
	s.mu.Unlock()
	type groupKey struct{ account, region, group string }
	type agg struct {
		sum float64
		n   int
	}
	groups := map[groupKey]*agg{}
	var order []groupKey
	for _, c := range batch {
		v := s.CPU(c.id)
		s.publishMetric(ctx, c.account, c.region, "CPUUtilization", map[string]string{"InstanceId": c.id}, v, "Percent", t)
		if c.group == "" {
			continue
		}
		k := groupKey{c.account, c.region, c.group}
		a := groups[k]
		if a == nil {
			a = &agg{}
			groups[k] = a
			order = append(order, k)
		}
		a.sum += v
		a.n++
	}
	for _, k := range order {
		a := groups[k]
		s.publishMetric(ctx, k.account, k.region, "CPUUtilization", map[string]string{"AutoScalingGroupName": k.group}, a.sum/float64(a.n), "Percent", t)
	}
}

func (s *Service) publishMetric(ctx context.Context, account, region, name string, dims map[string]string, v float64, unit string, t time.Time) {
	ctx = identity.With(ctx, identity.Caller{Account: account, Region: region, Type: "AWSService", PrincipalARN: "ec2.amazonaws.com", InvokedBy: "ec2.amazonaws.com"})
	if err := s.opts.Metrics.Publish(ctx, "AWS/EC2", name, dims, v, unit, t); err != nil {
		s.log.Warn("ec2: publishing metric", "metric", name, "dims", dims, "err", err)
	}
}

// RunInstancesMonitoringEnabled turns detailed monitoring on at launch.
type RunInstancesMonitoringEnabled struct {
	Enabled bool `json:"Enabled"`
}

// InstanceMonitoring is an instance's monitoring state after Monitor/UnmonitorInstances.
type InstanceMonitoring struct {
	InstanceID string     `json:"InstanceId"`
	Monitoring Monitoring `json:"Monitoring"`
}

// MonitorInstancesOutput lists the instances' new monitoring states.
type MonitorInstancesOutput struct {
	InstanceMonitorings []InstanceMonitoring `json:"InstanceMonitorings" xml:"instancesSet"`
}

// MonitorInstances turns on detailed monitoring (CPUUtilization every minute). The answer says
// "pending", as EC2's does; the instances describe "enabled".
func (s *Service) MonitorInstances(ctx context.Context, in *InstanceIDsInput) (*MonitorInstancesOutput, error) {
	return dispatchDo(ctx, s, "MonitorInstances", in, func(ctx context.Context, in *InstanceIDsInput) (*MonitorInstancesOutput, error) {
		return s.setMonitoring(ctx, in, "enabled", "pending")
	})
}

// UnmonitorInstances turns detailed monitoring off (basic monitoring: every five minutes).
func (s *Service) UnmonitorInstances(ctx context.Context, in *InstanceIDsInput) (*MonitorInstancesOutput, error) {
	return dispatchDo(ctx, s, "UnmonitorInstances", in, func(ctx context.Context, in *InstanceIDsInput) (*MonitorInstancesOutput, error) {
		return s.setMonitoring(ctx, in, "disabled", "disabling")
	})
}

func (s *Service) setMonitoring(ctx context.Context, in *InstanceIDsInput, state, answer string) (*MonitorInstancesOutput, error) {
	recs, err := s.instancesByID(ctx, in.InstanceIDs)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.State.Name == "terminated" || r.State.Name == "shutting-down" {
			return nil, ErrIncorrectInstanceState.With("The instance '%s' is not in a state from which it can be monitored.", r.InstanceID)
		}
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	out := &MonitorInstancesOutput{InstanceMonitorings: make([]InstanceMonitoring, 0, len(recs))}
	for _, r := range recs {
		if _, err := s.update(ctx, r.InstanceID, func(x *instanceRecord) error {
			x.Monitoring.State = state
			return nil
		}); err != nil {
			return nil, err
		}
		out.InstanceMonitorings = append(out.InstanceMonitorings, InstanceMonitoring{InstanceID: r.InstanceID, Monitoring: Monitoring{State: answer}})
	}
	return out, nil
}
