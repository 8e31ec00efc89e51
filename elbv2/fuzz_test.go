package elbv2_test

import (
	"testing"

	"github.com/devopsim/devopsim/elbv2"
)

// Untrusted strings in the places the service parses them (ARNs, names, matchers, health
// check settings, redirect templates): errors, never panics.
func FuzzInputs(f *testing.F) {
	for _, s := range []string{
		"", "200", "200-299", "200,202", "499-200", "-", ",", "200-", "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/x/1",
		"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/x/1", "arn:aws:elasticloadbalancing:::listener/app/a/b/c",
		"arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web//", "traffic-port", "65536", "/#{path}", "#{host}", "a--b",
	} {
		f.Add(s)
	}
	r := newRig(f, elbv2.Options{NoLoopback: true})
	lb := r.lb("fuzz")
	tg := r.tg("fuzz", nil)
	f.Fuzz(func(t *testing.T, s string) {
		ctx := r.ctx
		_, _ = r.svc.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: "f", Protocol: "HTTP", Port: ptr(80), VpcID: "vpc-1",
			Matcher: &elbv2.Matcher{HTTPCode: s}, HealthCheckPath: s, HealthCheckPort: s})
		_, _ = r.svc.ModifyTargetGroup(ctx, &elbv2.ModifyTargetGroupInput{TargetGroupArn: s})
		_, _ = r.svc.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{s}})
		_, _ = r.svc.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{s}, Marker: s})
		_, _ = r.svc.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{s}})
		_, _ = r.svc.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{s}})
		_, _ = r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: s, Subnets: []string{s, "subnet-2"}})
		_, _ = r.svc.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: []elbv2.TargetDescription{{ID: s}}})
		_, _ = r.svc.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn,
			Attributes: []elbv2.TargetGroupAttribute{{Key: s, Value: s}, {Key: "deregistration_delay.timeout_seconds", Value: s}}})
		if out, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(81), DefaultActions: []elbv2.Action{{
			Type: "redirect", RedirectConfig: &elbv2.RedirectActionConfig{Host: s, Path: "/" + s, Query: s, Port: s, StatusCode: "HTTP_302"}}}}); err == nil {
			_ = doGet(r.svc.Handler("fuzz"), lb.DNSName+":81/x")
			_, _ = r.svc.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: out.Listeners[0].ListenerArn})
		}
	})
}
