package elbv2_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/identity"
)

func TestValidation(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	lb := r.lb("web")
	other := r.lb("other")
	tg := r.tg("tg", nil)
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	ctx := r.ctx
	subnets := []string{"subnet-1", "subnet-2"}
	tgIn := func(mod func(*elbv2.CreateTargetGroupInput)) *elbv2.CreateTargetGroupInput {
		in := &elbv2.CreateTargetGroupInput{Name: "x", Protocol: "HTTP", Port: ptr(80), VpcID: "vpc-1"}
		mod(in)
		return in
	}
	lbARNMissing := strings.Replace(lb.LoadBalancerArn, "/web/", "/gone/", 1)
	tgARNMissing := strings.Replace(tg.TargetGroupArn, "targetgroup/tg/", "targetgroup/gone/", 1)
	for _, c := range []struct {
		name string
		call func() error
		want error
		msg  string
	}{
		{"lb name empty", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Subnets: subnets})
			return err
		}, elbv2.ErrValidation, ""},
		{"lb name long", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: strings.Repeat("a", 33), Subnets: subnets})
			return err
		}, elbv2.ErrValidation, "cannot be longer than '32' characters"},
		{"lb name chars", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "a_b", Subnets: subnets})
			return err
		}, elbv2.ErrValidation, "alphanumeric"},
		{"lb name hyphen", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "ab-", Subnets: subnets})
			return err
		}, elbv2.ErrValidation, "hyphen"},
		{"lb name internal", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "internal-x", Subnets: subnets})
			return err
		}, elbv2.ErrValidation, "internal-"},
		{"lb one subnet", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "a", Subnets: subnets[:1]})
			return err
		}, elbv2.ErrValidation, "At least two subnets"},
		{"lb bad subnet", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "a", Subnets: []string{"s1", "s2"}})
			return err
		}, elbv2.ErrSubnetNotFound, ""},
		{"lb network type", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "a", Subnets: subnets, Type: "network"})
			return err
		}, elbv2.ErrValidation, "not supported"},
		{"lb duplicate", func() error {
			_, err := r.svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "web", Subnets: []string{"subnet-7", "subnet-8"}})
			return err
		}, elbv2.ErrDuplicateLoadBalancerName, "exists, but with different settings"},
		{"lb describe names and arns", func() error {
			_, err := r.svc.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"web"}, LoadBalancerArns: []string{lb.LoadBalancerArn}})
			return err
		}, elbv2.ErrValidation, ""},
		{"lb describe missing arn", func() error {
			_, err := r.svc.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{lbARNMissing}})
			return err
		}, elbv2.ErrLoadBalancerNotFound, ""},
		{"lb describe bad arn", func() error {
			_, err := r.svc.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{"nope"}})
			return err
		}, elbv2.ErrValidation, "not a valid load balancer ARN"},
		{"lb describe page size", func() error {
			_, err := r.svc.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{PageSize: 401})
			return err
		}, elbv2.ErrValidation, ""},
		{"tg name", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.Name = "-x" }))
			return err
		}, elbv2.ErrValidation, "cannot begin or end with '-'"},
		{"tg no protocol", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.Protocol = "" }))
			return err
		}, elbv2.ErrValidation, ""},
		{"tg tcp", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.Protocol = "TCP" }))
			return err
		}, elbv2.ErrUnsupportedProtocol, ""},
		{"tg no port", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.Port = nil }))
			return err
		}, elbv2.ErrValidation, "port"},
		{"tg no vpc", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.VpcID = "" }))
			return err
		}, elbv2.ErrValidation, "VPC"},
		{"tg interval", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.HealthCheckIntervalSeconds = ptr(4) }))
			return err
		}, elbv2.ErrValidation, "healthCheckIntervalSeconds"},
		{"tg threshold", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.HealthyThresholdCount = ptr(11) }))
			return err
		}, elbv2.ErrValidation, "healthyThresholdCount"},
		{"tg matcher", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.Matcher = &elbv2.Matcher{HTTPCode: "600"} }))
			return err
		}, elbv2.ErrValidation, "200-499"},
		{"tg path", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.HealthCheckPath = "health" }))
			return err
		}, elbv2.ErrValidation, "begin with '/'"},
		{"tg hc disabled", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.HealthCheckEnabled = ptr(false) }))
			return err
		}, elbv2.ErrValidation, "must be true"},
		{"tg ip type", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.TargetType = "ip" }))
			return err
		}, elbv2.ErrValidation, "not supported"},
		{"tg duplicate", func() error {
			_, err := r.svc.CreateTargetGroup(ctx, tgIn(func(in *elbv2.CreateTargetGroupInput) { in.Name = "tg"; in.Port = ptr(81) }))
			return err
		}, elbv2.ErrDuplicateTargetGroupName, ""},
		{"tg not found", func() error {
			_, err := r.svc.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{tgARNMissing}})
			return err
		}, elbv2.ErrTargetGroupNotFound, ""},
		{"tg in use", func() error {
			_, err := r.svc.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: tg.TargetGroupArn})
			return err
		}, elbv2.ErrResourceInUse, "currently in use"},
		{"tg attr unknown", func() error {
			_, err := r.svc.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn, Attributes: []elbv2.TargetGroupAttribute{{Key: "x", Value: "1"}}})
			return err
		}, elbv2.ErrValidation, "not recognized"},
		{"tg attr sticky", func() error {
			_, err := r.svc.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn, Attributes: []elbv2.TargetGroupAttribute{{Key: "stickiness.enabled", Value: "true"}}})
			return err
		}, elbv2.ErrValidation, ""},
		{"register no targets", func() error {
			_, err := r.svc.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn})
			return err
		}, elbv2.ErrValidation, ""},
		{"register missing tg", func() error {
			_, err := r.svc.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tgARNMissing, Targets: []elbv2.TargetDescription{{ID: i1}}})
			return err
		}, elbv2.ErrTargetGroupNotFound, ""},
		{"register bad port", func() error {
			_, err := r.svc.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: []elbv2.TargetDescription{{ID: i1, Port: 70000}}})
			return err
		}, elbv2.ErrValidation, ""},
		{"deregister unknown instance", func() error {
			_, err := r.svc.DeregisterTargets(ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: []elbv2.TargetDescription{{ID: i4}}})
			return err
		}, elbv2.ErrInvalidTarget, ""},
		{"listener no port", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, DefaultActions: []elbv2.Action{forward(tg.TargetGroupArn)}})
			return err
		}, elbv2.ErrValidation, ""},
		{"listener https", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Protocol: "HTTPS", Port: ptr(443), DefaultActions: []elbv2.Action{forward(tg.TargetGroupArn)}})
			return err
		}, elbv2.ErrUnsupportedProtocol, ""},
		{"listener duplicate", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(80), DefaultActions: []elbv2.Action{forward(tg.TargetGroupArn)}})
			return err
		}, elbv2.ErrDuplicateListener, ""},
		{"listener missing lb", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lbARNMissing, Port: ptr(81), DefaultActions: []elbv2.Action{forward(tg.TargetGroupArn)}})
			return err
		}, elbv2.ErrLoadBalancerNotFound, ""},
		{"listener missing tg", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(81), DefaultActions: []elbv2.Action{forward(tgARNMissing)}})
			return err
		}, elbv2.ErrTargetGroupNotFound, ""},
		{"listener tg on two lbs", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: other.LoadBalancerArn, Port: ptr(80), DefaultActions: []elbv2.Action{forward(tg.TargetGroupArn)}})
			return err
		}, elbv2.ErrTargetGroupAssociationLimit, ""},
		{"listener no actions", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(81)})
			return err
		}, elbv2.ErrValidation, ""},
		{"listener two forwards", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(81), DefaultActions: []elbv2.Action{forward(tg.TargetGroupArn), forward(tg.TargetGroupArn)}})
			return err
		}, elbv2.ErrInvalidLoadBalancerAction, ""},
		{"listener weight", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(81), DefaultActions: []elbv2.Action{{Type: "forward",
				ForwardConfig: &elbv2.ForwardActionConfig{TargetGroups: []elbv2.TargetGroupTuple{{TargetGroupArn: tg.TargetGroupArn, Weight: ptr(1000)}}}}}})
			return err
		}, elbv2.ErrValidation, ""},
		{"listener redirect loop", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(81), DefaultActions: []elbv2.Action{{Type: "redirect", RedirectConfig: &elbv2.RedirectActionConfig{StatusCode: "HTTP_301"}}}})
			return err
		}, elbv2.ErrInvalidLoadBalancerAction, "redirect loop"},
		{"listener fixed status", func() error {
			_, err := r.svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Port: ptr(81), DefaultActions: []elbv2.Action{{Type: "fixed-response", FixedResponseConfig: &elbv2.FixedResponseActionConfig{StatusCode: "301"}}}})
			return err
		}, elbv2.ErrValidation, ""},
		{"listener describe neither", func() error {
			_, err := r.svc.DescribeListeners(ctx, &elbv2.DescribeListenersInput{})
			return err
		}, elbv2.ErrValidation, ""},
		{"tags duplicate keys", func() error {
			_, err := r.svc.AddTags(ctx, &elbv2.AddTagsInput{ResourceArns: []string{lb.LoadBalancerArn}, Tags: []elbv2.Tag{{Key: "a"}, {Key: "a"}}})
			return err
		}, elbv2.ErrDuplicateTagKeys, ""},
		{"tags reserved", func() error {
			_, err := r.svc.AddTags(ctx, &elbv2.AddTagsInput{ResourceArns: []string{lb.LoadBalancerArn}, Tags: []elbv2.Tag{{Key: "aws:x"}}})
			return err
		}, elbv2.ErrValidation, ""},
		{"tags missing resource", func() error {
			_, err := r.svc.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{lbARNMissing}})
			return err
		}, elbv2.ErrLoadBalancerNotFound, ""},
		{"other account cannot see", func() error {
			octx := identity.With(ctx, identity.Root("111111111111", "us-east-1"))
			_, err := r.svc.DescribeTargetHealth(octx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
			return err
		}, elbv2.ErrTargetGroupNotFound, ""},
		{"codedeploy unknown group", func() error {
			return r.svc.RegisterInstances(ctx, "nope", []string{i1})
		}, elbv2.ErrTargetGroupNotFound, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v, want it to contain %q", err, c.msg)
			}
		})
	}
}

// Create is idempotent with the same settings; deleting what does not exist succeeds.
func TestIdempotence(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	a := r.lb("web")
	b := r.lb("web")
	if a.LoadBalancerArn != b.LoadBalancerArn || a.DNSName != b.DNSName {
		t.Fatalf("second create: %s vs %s", a.LoadBalancerArn, b.LoadBalancerArn)
	}
	t1 := r.tg("tg", nil)
	t2 := r.tg("tg", nil)
	if t1.TargetGroupArn != t2.TargetGroupArn {
		t.Fatal("tg create not idempotent")
	}
	for range 2 {
		if _, err := r.svc.DeleteLoadBalancer(r.ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: a.LoadBalancerArn}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.DeleteTargetGroup(r.ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: t1.TargetGroupArn}); err != nil {
			t.Fatal(err)
		}
	}
}

// The API from many goroutines at once: creates, describes, registrations, deletes.
func TestConcurrentAPI(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	for _, id := range []string{i1, i2, i3, i4} {
		r.fleet.add(t, r.clk, id, "nginx", id)
	}
	var wg sync.WaitGroup
	var ok atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			name := "lb-" + string(rune('a'+g))
			lb := r.lb(name)
			tg := r.tg("tg-"+name, nil)
			r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
			for n := range 20 {
				r.register(tg.TargetGroupArn, i1, i2, i3, i4)
				if _, err := r.svc.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{}); err != nil {
					t.Error(err)
				}
				// Other goroutines move the shared clock, so a check may time out (503 while
				// the targets are initial); anything but 200 or 503 is a bug.
				switch code, _ := get(r.svc.Handler(name), "x", "/"); code {
				case 200:
					ok.Add(1)
				case 503:
				default:
					t.Errorf("%s: %d", name, code)
				}
				if n%5 == 0 {
					r.clk.Advance(1e9)
				}
			}
			if _, err := r.svc.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancerArn}); err != nil {
				t.Error(err)
			}
			if _, err := r.svc.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: tg.TargetGroupArn}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() == 0 {
		t.Fatal("no request reached a target")
	}
	out, err := r.svc.DescribeLoadBalancers(r.ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil || len(out.LoadBalancers) != 0 {
		t.Fatalf("left: %v %d", err, len(out.LoadBalancers))
	}
}

// A service built over a store that already holds load balancers (a durable store) brings them
// back: same ARNs and DNS names, a new loopback port, targets checked again.
func TestReopenFromStore(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	r.fleet.add(t, r.clk, i1, "nginx", "still here")
	lb := r.lb("web")
	tg := r.tg("tg", nil)
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	r.register(tg.TargetGroupArn, i1)
	if err := r.svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := elbv2.New(r.env, elbv2.Deps{Targets: r.fleet}, elbv2.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(context.Background())
	out, err := again.DescribeLoadBalancers(r.ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"web"}})
	if err != nil || out.LoadBalancers[0].DNSName != lb.DNSName {
		t.Fatalf("describe: %v", err)
	}
	if code, body := fetch(t, again.URL(lb.DNSName)+"/"); code != 200 || body != "still here" {
		t.Fatalf("after reopen: %d %q", code, body)
	}
}
