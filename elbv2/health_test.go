package elbv2_test

import (
	"errors"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/devopsim/devopsim/elbv2"
)

const (
	i1 = "i-0000000000000001"
	i2 = "i-0000000000000002"
	i3 = "i-0000000000000003"
	i4 = "i-0000000000000004"
)

func want(t *testing.T, got map[string]string, w map[string]string) {
	t.Helper()
	if !maps.Equal(got, w) {
		t.Fatalf("health = %v, want %v", got, w)
	}
}

func TestHealthFollowsTheService(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	h1 := r.fleet.add(t, r.clk, i1, "nginx", "one")
	r.fleet.add(t, r.clk, i2, "httpd", "two")
	lb := r.lb("web")
	tg := r.tg("web-tg", nil)

	// Registered in a group no listener uses: unused, Target.NotInUse.
	r.register(tg.TargetGroupArn, i1, i2)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "unused/Target.NotInUse", i2: "unused/Target.NotInUse"})

	// A listener puts the group in use: targets are checked at once and pass.
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "healthy/"})

	// The service stops: one failure is below UnhealthyThresholdCount (2), two are not.
	if err := h1.StopService("nginx"); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(30 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "healthy/"})
	r.clk.Advance(30 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "unhealthy/Target.FailedHealthChecks", i2: "healthy/"})

	// Back up: HealthyThresholdCount (5) consecutive successes to return.
	if err := h1.StartService("nginx"); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(4 * 30 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "unhealthy/Target.FailedHealthChecks", i2: "healthy/"})
	r.clk.Advance(30 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "healthy/"})

	// A stopped instance is unused, Target.InvalidState; started again it is checked anew.
	r.fleet.setStopped(i2, true)
	r.clk.Advance(30 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "unused/Target.InvalidState"})
	r.fleet.setStopped(i2, false)
	r.clk.Advance(30 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "healthy/"})

	// A terminated instance is deregistered: it drains for the deregistration delay.
	r.fleet.remove(i2)
	r.clk.Advance(30 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "draining/Target.DeregistrationInProgress"})
	r.clk.Advance(300 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/"})
}

func TestHealthInitialMismatchAndDraining(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	r.fleet.add(t, r.clk, i1, "nginx", "one")
	down := r.fleet.add(t, r.clk, i2, "nginx", "two")
	if err := down.StopService("nginx"); err != nil {
		t.Fatal(err)
	}
	lb := r.lb("web")
	tg := r.tg("web-tg", func(in *elbv2.CreateTargetGroupInput) {
		in.HealthCheckIntervalSeconds = ptr(10)
		in.HealthyThresholdCount = ptr(2)
	})
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	r.register(tg.TargetGroupArn, i1, i2)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "initial/Elb.InitialHealthChecking"})
	r.clk.Advance(10 * time.Second)
	want(t, r.health(tg.TargetGroupArn), map[string]string{i1: "healthy/", i2: "unhealthy/Target.FailedHealthChecks"})

	// A path the server lacks: 404 is a code mismatch, with the code in the description.
	if _, err := r.svc.ModifyTargetGroup(r.ctx, &elbv2.ModifyTargetGroupInput{TargetGroupArn: tg.TargetGroupArn, HealthCheckPath: "/health"}); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(20 * time.Second)
	out, err := r.svc.DescribeTargetHealth(r.ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn, Targets: []elbv2.TargetDescription{{ID: i1}, {ID: i3}}})
	if err != nil {
		t.Fatal(err)
	}
	got := out.TargetHealthDescriptions
	if len(got) != 2 || got[0].TargetHealth.Reason != "Target.ResponseCodeMismatch" || got[0].TargetHealth.Description != "Health checks failed with these codes: [404]" {
		t.Fatalf("mismatch: %+v", got[0].TargetHealth)
	}
	if got[1].TargetHealth.State != "unused" || got[1].TargetHealth.Reason != "Target.NotRegistered" || got[1].Target.Port != 80 {
		t.Fatalf("unregistered: %+v %+v", got[1].Target, got[1].TargetHealth)
	}
	// A matcher that accepts 404 makes it healthy again (after HealthyThresholdCount passes).
	if _, err := r.svc.ModifyTargetGroup(r.ctx, &elbv2.ModifyTargetGroupInput{TargetGroupArn: tg.TargetGroupArn, Matcher: &elbv2.Matcher{HTTPCode: "200-299,404"}}); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(20 * time.Second)
	if h := r.health(tg.TargetGroupArn); h[i1] != "healthy/" {
		t.Fatalf("after matcher: %v", h)
	}

	// Deregistration drains for deregistration_delay.timeout_seconds.
	if _, err := r.svc.ModifyTargetGroupAttributes(r.ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn,
		Attributes: []elbv2.TargetGroupAttribute{{Key: "deregistration_delay.timeout_seconds", Value: "60"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.DeregisterTargets(r.ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: []elbv2.TargetDescription{{ID: i1}}}); err != nil {
		t.Fatal(err)
	}
	if h := r.health(tg.TargetGroupArn); h[i1] != "draining/Target.DeregistrationInProgress" {
		t.Fatalf("draining: %v", h)
	}
	r.clk.Advance(59 * time.Second)
	if h := r.health(tg.TargetGroupArn); h[i1] != "draining/Target.DeregistrationInProgress" {
		t.Fatalf("still draining: %v", h)
	}
	r.clk.Advance(time.Second)
	if h := r.health(tg.TargetGroupArn); h[i1] != "" {
		t.Fatalf("after delay: %v", h)
	}
}

func TestRegisterChecksInstanceState(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	r.fleet.add(t, r.clk, i1, "nginx", "one")
	r.fleet.setStopped(i1, true)
	tg := r.tg("tg", nil)
	for _, c := range []struct {
		id  string
		err error
		msg string
	}{
		{i1, elbv2.ErrInvalidTarget, "The following targets are not in a running state and cannot be registered: '" + i1 + "'"},
		{i4, elbv2.ErrInvalidTarget, "The following targets are not valid instances: '" + i4 + "'"},
		{"web-1", elbv2.ErrValidation, "Instance ID 'web-1' is not valid"},
	} {
		_, err := r.svc.RegisterTargets(r.ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: []elbv2.TargetDescription{{ID: c.id}}})
		if !errors.Is(err, c.err) {
			t.Fatalf("%s: err = %v, want %v", c.id, err, c.err)
		}
		var ae interface{ ErrorMessage() string }
		if errors.As(err, &ae) && ae.ErrorMessage() != c.msg {
			t.Errorf("%s: message %q, want %q", c.id, ae.ErrorMessage(), c.msg)
		}
	}
}

func TestDataPlaneStatuses(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	h1 := r.fleet.add(t, r.clk, i1, "nginx", "one")
	lb := r.lb("web")
	tg := r.tg("tg", nil)
	h := r.svc.Handler("web")

	// No listener yet, then a listener with no targets: 503 from awselb/2.0.
	if code, _ := get(h, "x", "/"); code != http.StatusServiceUnavailable {
		t.Fatalf("no listener: %d", code)
	}
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	if code, body := get(h, "x", "/"); code != http.StatusServiceUnavailable || body == "" {
		t.Fatalf("no targets: %d %q", code, body)
	}
	r.register(tg.TargetGroupArn, i1)
	if code, body := get(h, lb.DNSName, "/"); code != 200 || body != "one" {
		t.Fatalf("healthy: %d %q", code, body)
	}
	// The service dies between checks: the balancer still picks it and gets no answer (502).
	if err := h1.StopService("nginx"); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(h, "x", "/"); code != http.StatusBadGateway {
		t.Fatalf("dead target: %d", code)
	}
	// Unhealthy and alone: AWS fails open and keeps sending it requests.
	r.clk.Advance(60 * time.Second)
	if got := r.health(tg.TargetGroupArn)[i1]; got != "unhealthy/Target.FailedHealthChecks" {
		t.Fatal(got)
	}
	if err := h1.StartService("nginx"); err != nil {
		t.Fatal(err)
	}
	if code, body := get(h, "x", "/"); code != 200 || body != "one" {
		t.Fatalf("fail open: %d %q", code, body)
	}
	// Unknown load balancer.
	if code, _ := get(r.svc.Handler("nope"), "x", "/"); code != http.StatusServiceUnavailable {
		t.Fatalf("unknown lb: %d", code)
	}
}
