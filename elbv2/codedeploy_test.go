package elbv2_test

import (
	"context"
	"errors"
	"testing"

	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/elbv2"
)

// deployLB is the adapter the root wires into codedeploy.Deps.LoadBalancer.
type deployLB struct{ s *elbv2.Service }

var _ codedeploy.LoadBalancer = deployLB{}

func (a deployLB) Register(ctx context.Context, t codedeploy.TrafficTarget, ids []string) error {
	if t.TargetGroup == "" {
		return errors.New("Classic Load Balancers are not supported: use an ELBv2 target group")
	}
	return a.s.RegisterInstances(ctx, t.TargetGroup, ids)
}

func (a deployLB) Deregister(ctx context.Context, t codedeploy.TrafficTarget, ids []string) error {
	if t.TargetGroup == "" {
		return errors.New("Classic Load Balancers are not supported: use an ELBv2 target group")
	}
	return a.s.DeregisterInstances(ctx, t.TargetGroup, ids)
}

// CodeDeploy's BlockTraffic/AllowTraffic through the adapter: deregistering an instance that
// was never registered is fine (first deployment), and traffic follows.
func TestCodeDeployAdapter(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	r.fleet.add(t, r.clk, i1, "nginx", "v1")
	lb := r.lb("app")
	tg := r.tg("app-tg", nil)
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	var lbi codedeploy.LoadBalancer = deployLB{r.svc}
	target := codedeploy.TrafficTarget{TargetGroup: "app-tg"}
	if err := lbi.Deregister(r.ctx, target, []string{i1}); err != nil {
		t.Fatal(err)
	}
	if err := lbi.Register(r.ctx, target, []string{i1}); err != nil {
		t.Fatal(err)
	}
	if code, body := get(r.svc.Handler("app"), "x", "/"); code != 200 || body != "v1" {
		t.Fatalf("after AllowTraffic: %d %q", code, body)
	}
	if err := lbi.Deregister(r.ctx, target, []string{i1}); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(r.svc.Handler("app"), "x", "/"); code != 503 {
		t.Fatalf("after BlockTraffic: %d", code)
	}
	if err := lbi.Register(r.ctx, codedeploy.TrafficTarget{TargetGroup: "missing"}, []string{i1}); !errors.Is(err, elbv2.ErrTargetGroupNotFound) {
		t.Fatalf("missing group: %v", err)
	}
	if err := lbi.Register(r.ctx, codedeploy.TrafficTarget{ClassicELB: "old"}, []string{i1}); err == nil {
		t.Fatal("classic ELB accepted")
	}
}
