package elbv2_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

// oneHost is a Targets with a single instance: the root wires ec2sim instead.
type oneHost struct{ h *host.Host }

func (o oneHost) Handler(_ context.Context, id string, port int) (http.Handler, bool, error) {
	if id != o.h.ID() {
		return nil, false, elbv2.ErrInstanceNotFound
	}
	h, ok := o.h.Handler(port)
	return h, ok, nil
}

// A load balancer in front of a host running nginx: the target passes its health check, and a
// request to the load balancer's DNS name reaches the host's page.
func Example() {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	web := host.New(host.Options{ID: "i-0abc1234def567890", Clock: clk})
	defer web.Close()
	_ = web.Install("nginx")
	_ = web.WriteFile("/usr/share/nginx/html/index.html", []byte("hello from the fleet\n"), 0o644)
	_ = web.StartService("nginx")

	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clk, Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(), Hooks: &dispatch.Hooks{},
		Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, _ := elbv2.New(env, elbv2.Deps{Targets: oneHost{web}}, elbv2.Options{})
	defer svc.Close(ctx)

	lb, _ := svc.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: "web", Subnets: []string{"subnet-1a", "subnet-1b"}})
	port := 80
	tg, _ := svc.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: "web", Protocol: "HTTP", Port: &port, VpcID: "vpc-1"})
	tgARN := tg.TargetGroups[0].TargetGroupArn
	_, _ = svc.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn, Protocol: "HTTP", Port: &port,
		DefaultActions: []elbv2.Action{{Type: "forward", TargetGroupArn: tgARN}}})
	_, _ = svc.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tgARN, Targets: []elbv2.TargetDescription{{ID: web.ID()}}})

	health, _ := svc.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tgARN})
	fmt.Println(health.TargetHealthDescriptions[0].Target.ID, health.TargetHealthDescriptions[0].TargetHealth.State)

	dns := lb.LoadBalancers[0].DNSName
	h, _ := svc.Resolve(dns, 80)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://"+dns+"/", nil))
	body, _ := io.ReadAll(rec.Body)
	fmt.Print(rec.Code, " ", string(body))
	// Output:
	// i-0abc1234def567890 healthy
	// 200 hello from the fleet
}
