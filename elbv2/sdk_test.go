package elbv2_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/internal/awsapi/elbv2api"
	"github.com/devopsim/devopsim/internal/awstest"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Every operation through the real aws-sdk-go-v2 elasticloadbalancingv2 client, in memory.
func TestSDKRoundTrip(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	for id, page := range map[string]string{i1: "hello from one", i2: "hello from two"} {
		h := r.fleet.add(t, r.clk, id, "nginx", page)
		if err := h.WriteFile("/usr/share/nginx/html/healthz", []byte("ok"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := elb.NewFromConfig(awstest.Config(t, elbv2api.Service(r.svc)))
	ctx := context.Background()

	lbOut, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String("my-alb"), Subnets: []string{"subnet-0a", "subnet-0b"}, SecurityGroups: []string{"sg-1"},
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	lb := lbOut.LoadBalancers[0]
	lbARN := aws.ToString(lb.LoadBalancerArn)
	if !strings.HasPrefix(lbARN, "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/my-alb/") ||
		!strings.HasPrefix(aws.ToString(lb.DNSName), "my-alb-") || !strings.HasSuffix(aws.ToString(lb.DNSName), ".us-east-1.elb.amazonaws.com") ||
		lb.State.Code != types.LoadBalancerStateEnumActive || lb.Type != types.LoadBalancerTypeEnumApplication ||
		lb.Scheme != types.LoadBalancerSchemeEnumInternetFacing || len(lb.AvailabilityZones) != 2 || lb.CreatedTime == nil ||
		aws.ToString(lb.CanonicalHostedZoneId) != "Z35SXDOTRQ7X7K" {
		t.Fatalf("load balancer: %+v", lb)
	}
	if _, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("my-alb"), Subnets: []string{"subnet-0c", "subnet-0d"}}); apiCode(err) != "DuplicateLoadBalancerName" {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("-bad"), Subnets: []string{"subnet-0c", "subnet-0d"}}); apiCode(err) != "ValidationError" {
		t.Fatalf("bad name: %v", err)
	}
	dlb, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"my-alb"}})
	if err != nil || len(dlb.LoadBalancers) != 1 || aws.ToString(dlb.LoadBalancers[0].LoadBalancerArn) != lbARN {
		t.Fatalf("describe lb: %v %+v", err, dlb)
	}
	var lbNF *types.LoadBalancerNotFoundException
	if _, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"nope"}}); !errors.As(err, &lbNF) {
		t.Fatalf("lb not found: %v", err)
	}

	tgOut, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String("my-tg"), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(80), VpcId: aws.String("vpc-0123abcd"),
		HealthCheckPath: aws.String("/"), HealthCheckIntervalSeconds: aws.Int32(10), HealthCheckTimeoutSeconds: aws.Int32(5),
		HealthyThresholdCount: aws.Int32(3), UnhealthyThresholdCount: aws.Int32(2), Matcher: &types.Matcher{HttpCode: aws.String("200-299")},
		TargetType: types.TargetTypeEnumInstance,
	})
	if err != nil {
		t.Fatal(err)
	}
	tg := tgOut.TargetGroups[0]
	tgARN := aws.ToString(tg.TargetGroupArn)
	if aws.ToInt32(tg.HealthCheckIntervalSeconds) != 10 || aws.ToString(tg.Matcher.HttpCode) != "200-299" || aws.ToString(tg.HealthCheckPort) != "traffic-port" ||
		!aws.ToBool(tg.HealthCheckEnabled) || tg.TargetType != types.TargetTypeEnumInstance || aws.ToInt32(tg.Port) != 80 {
		t.Fatalf("target group: %+v", tg)
	}
	mtg, err := c.ModifyTargetGroup(ctx, &elb.ModifyTargetGroupInput{TargetGroupArn: aws.String(tgARN), HealthCheckPath: aws.String("/healthz")})
	if err != nil || aws.ToString(mtg.TargetGroups[0].HealthCheckPath) != "/healthz" {
		t.Fatalf("modify tg: %v", err)
	}
	if _, err := c.ModifyTargetGroup(ctx, &elb.ModifyTargetGroupInput{TargetGroupArn: aws.String(tgARN), HealthCheckTimeoutSeconds: aws.Int32(10)}); apiCode(err) != "ValidationError" {
		t.Fatalf("timeout >= interval: %v", err)
	}
	attrs, err := c.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(tgARN),
		Attributes: []types.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("0")}}})
	if err != nil || len(attrs.Attributes) == 0 {
		t.Fatalf("modify attrs: %v", err)
	}
	da, err := c.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(tgARN)})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range da.Attributes {
		if aws.ToString(a.Key) == "deregistration_delay.timeout_seconds" && aws.ToString(a.Value) != "0" {
			t.Fatalf("attr = %s", aws.ToString(a.Value))
		}
	}

	if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tgARN), Targets: []types.TargetDescription{{Id: aws.String(i1)}, {Id: aws.String(i2), Port: aws.Int32(80)}}}); err != nil {
		t.Fatal(err)
	}
	var invalid *types.InvalidTargetException
	if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tgARN), Targets: []types.TargetDescription{{Id: aws.String(i4)}}}); !errors.As(err, &invalid) {
		t.Fatalf("invalid target: %v", err)
	}
	th, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgARN)})
	if err != nil || len(th.TargetHealthDescriptions) != 2 || th.TargetHealthDescriptions[0].TargetHealth.State != types.TargetHealthStateEnumUnused ||
		th.TargetHealthDescriptions[0].TargetHealth.Reason != types.TargetHealthReasonEnumNotInUse {
		t.Fatalf("health before listener: %v %+v", err, th)
	}

	lOut, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}})
	if err != nil {
		t.Fatal(err)
	}
	l := lOut.Listeners[0]
	lARN := aws.ToString(l.ListenerArn)
	if fc := l.DefaultActions[0].ForwardConfig; fc == nil || len(fc.TargetGroups) != 1 || aws.ToInt32(fc.TargetGroups[0].Weight) != 1 || aws.ToInt32(l.Port) != 80 {
		t.Fatalf("listener: %+v", l)
	}
	var dup *types.DuplicateListenerException
	if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}}); !errors.As(err, &dup) {
		t.Fatalf("duplicate listener: %v", err)
	}
	th, err = c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgARN), Targets: []types.TargetDescription{{Id: aws.String(i1)}}})
	if err != nil || len(th.TargetHealthDescriptions) != 1 || th.TargetHealthDescriptions[0].TargetHealth.State != types.TargetHealthStateEnumHealthy ||
		aws.ToString(th.TargetHealthDescriptions[0].HealthCheckPort) != "80" {
		t.Fatalf("health: %v %+v", err, *th.TargetHealthDescriptions[0].TargetHealth)
	}
	// The SDK's waiter sees the targets in service.
	if err := elb.NewTargetInServiceWaiter(c).Wait(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgARN)}, 1e9); err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if code, body := fetch(t, r.svc.URL(aws.ToString(lb.DNSName))+"/"); code != 200 || !strings.HasPrefix(body, "hello from") {
		t.Fatalf("http: %d %q", code, body)
	}

	dtg, err := c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(lbARN)})
	if err != nil || len(dtg.TargetGroups) != 1 || len(dtg.TargetGroups[0].LoadBalancerArns) != 1 || dtg.TargetGroups[0].LoadBalancerArns[0] != lbARN {
		t.Fatalf("describe tg: %v %+v", err, dtg)
	}
	var tgNF *types.TargetGroupNotFoundException
	if _, err := c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"nope"}}); !errors.As(err, &tgNF) {
		t.Fatalf("tg not found: %v", err)
	}
	var inUse *types.ResourceInUseException
	if _, err := c.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(tgARN)}); !errors.As(err, &inUse) {
		t.Fatalf("delete in use: %v", err)
	}

	dl, err := c.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN)})
	if err != nil || len(dl.Listeners) != 1 || aws.ToString(dl.Listeners[0].ListenerArn) != lARN {
		t.Fatalf("describe listeners: %v %+v", err, dl)
	}
	ml, err := c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(lARN), Port: aws.Int32(8080),
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumFixedResponse, FixedResponseConfig: &types.FixedResponseActionConfig{StatusCode: aws.String("200"), MessageBody: aws.String("maintenance")}}}})
	if err != nil || aws.ToInt32(ml.Listeners[0].Port) != 8080 || aws.ToString(ml.Listeners[0].DefaultActions[0].FixedResponseConfig.MessageBody) != "maintenance" {
		t.Fatalf("modify listener: %v", err)
	}

	if _, err := c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{lbARN, tgARN, lARN}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTags(ctx, &elb.RemoveTagsInput{ResourceArns: []string{lbARN}, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	dt, err := c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{lbARN, tgARN}})
	if err != nil || len(dt.TagDescriptions) != 2 || len(dt.TagDescriptions[0].Tags) != 1 || aws.ToString(dt.TagDescriptions[0].Tags[0].Key) != "team" {
		t.Fatalf("tags: %v %+v", err, dt)
	}

	if _, err := c.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(tgARN), Targets: []types.TargetDescription{{Id: aws.String(i1)}, {Id: aws.String(i2)}}}); err != nil {
		t.Fatal(err)
	}
	if err := elb.NewTargetDeregisteredWaiter(c).Wait(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgARN), Targets: []types.TargetDescription{{Id: aws.String(i1)}}}, 1e9); err != nil {
		t.Fatalf("deregistered waiter: %v", err)
	}
	if _, err := c.DeleteListener(ctx, &elb.DeleteListenerInput{ListenerArn: aws.String(lARN)}); err != nil {
		t.Fatal(err)
	}
	var lNF *types.ListenerNotFoundException
	if _, err := c.DeleteListener(ctx, &elb.DeleteListenerInput{ListenerArn: aws.String(lARN)}); !errors.As(err, &lNF) {
		t.Fatalf("listener not found: %v", err)
	}
	if _, err := c.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(tgARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(lbARN)}); err != nil {
		t.Fatal(err)
	}
	all, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil || len(all.LoadBalancers) != 0 {
		t.Fatalf("after delete: %v %+v", err, all)
	}
}

// Paging through DescribeLoadBalancers with the SDK's paginator.
func TestSDKPagination(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	c := elb.NewFromConfig(awstest.Config(t, elbv2api.Service(r.svc)))
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		r.lb("lb-" + n)
	}
	p := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(2)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, lb := range out.LoadBalancers {
			names = append(names, aws.ToString(lb.LoadBalancerName))
		}
	}
	if pages != 3 || strings.Join(names, ",") != "lb-a,lb-b,lb-c,lb-d,lb-e" {
		t.Fatalf("pages %d names %v", pages, names)
	}
}
