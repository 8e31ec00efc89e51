package elbv2_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/elbv2"
)

func fetch(t testing.TB, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A blue/green switch (register green, deregister blue) as CodeDeploy does it, seen by a real
// HTTP client on the load balancer's loopback port and through the DNS name.
func TestBlueGreenSwitchOverHTTP(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	r.fleet.add(t, r.clk, i1, "nginx", "blue v1")
	r.fleet.add(t, r.clk, i2, "nginx", "blue v1")
	r.fleet.add(t, r.clk, i3, "httpd", "green v2")
	r.fleet.add(t, r.clk, i4, "httpd", "green v2")
	lb := r.lb("prod")
	tg := r.tg("prod-tg", nil)
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	if err := r.svc.RegisterInstances(r.ctx, "prod-tg", []string{i1, i2}); err != nil {
		t.Fatal(err)
	}
	url := r.svc.URL("prod")
	if url == "" || r.svc.URL(lb.DNSName) != url {
		t.Fatalf("URL = %q", url)
	}
	for range 4 {
		if code, body := fetch(t, url+"/"); code != 200 || body != "blue v1" {
			t.Fatalf("before: %d %q", code, body)
		}
	}
	// AllowTraffic on green, BlockTraffic on blue.
	if err := r.svc.RegisterInstances(r.ctx, "prod-tg", []string{i3, i4}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeregisterInstances(r.ctx, "prod-tg", []string{i1, i2, "i-00000000000000ff"}); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if code, body := fetch(t, url+"/"); code != 200 || body != "green v2" {
			t.Fatalf("after: %d %q", code, body)
		}
	}
	// The platform handler path: a request whose Host is the DNS name.
	h, ok := r.svc.Resolve(strings.ToUpper(lb.DNSName), 80)
	if !ok {
		t.Fatal("Resolve")
	}
	if code, body := get(h, lb.DNSName, "/"); code != 200 || body != "green v2" {
		t.Fatalf("resolve: %d %q", code, body)
	}
	if _, ok := r.svc.Resolve(lb.DNSName, 8080); ok {
		t.Fatal("no listener on 8080")
	}
	want(t, r.health(tg.TargetGroupArn), map[string]string{
		i1: "draining/Target.DeregistrationInProgress", i2: "draining/Target.DeregistrationInProgress",
		i3: "healthy/", i4: "healthy/",
	})
	// Deleting the load balancer closes its port.
	if _, err := r.svc.DeleteLoadBalancer(r.ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(url + "/"); err == nil {
		t.Fatal("port still open after DeleteLoadBalancer")
	}
	if r.svc.URL("prod") != "" {
		t.Fatal("URL after delete")
	}
}

func TestRoundRobinAndWeights(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	r.fleet.add(t, r.clk, i1, "nginx", "a1")
	r.fleet.add(t, r.clk, i2, "nginx", "a2")
	r.fleet.add(t, r.clk, i3, "nginx", "b1")
	lb := r.lb("web")
	a := r.tg("a", nil)
	b := r.tg("b", nil)
	r.register(a.TargetGroupArn, i1, i2)
	r.register(b.TargetGroupArn, i3)
	l := r.listener(lb.LoadBalancerArn, 80, forward(a.TargetGroupArn))
	h := r.svc.Handler(lb.DNSName)
	count := func(n int) map[string]int {
		m := map[string]int{}
		for range n {
			code, body := get(h, "x", "/")
			if code != 200 {
				t.Fatalf("status %d", code)
			}
			m[body]++
		}
		return m
	}
	if got := count(100); got["a1"] != 50 || got["a2"] != 50 {
		t.Fatalf("round robin: %v", got)
	}
	// Weighted forward 3:1 (a canary), then all to b.
	_, err := r.svc.ModifyListener(r.ctx, &elbv2.ModifyListenerInput{ListenerArn: l.ListenerArn, DefaultActions: []elbv2.Action{{
		Type: "forward", ForwardConfig: &elbv2.ForwardActionConfig{TargetGroups: []elbv2.TargetGroupTuple{
			{TargetGroupArn: a.TargetGroupArn, Weight: ptr(3)}, {TargetGroupArn: b.TargetGroupArn, Weight: ptr(1)}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(400); got["a1"]+got["a2"] != 300 || got["b1"] != 100 {
		t.Fatalf("weighted: %v", got)
	}
	_, err = r.svc.ModifyListener(r.ctx, &elbv2.ModifyListenerInput{ListenerArn: l.ListenerArn, DefaultActions: []elbv2.Action{{
		Type: "forward", ForwardConfig: &elbv2.ForwardActionConfig{TargetGroups: []elbv2.TargetGroupTuple{
			{TargetGroupArn: a.TargetGroupArn, Weight: ptr(0)}, {TargetGroupArn: b.TargetGroupArn, Weight: ptr(1)}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(10); got["b1"] != 10 {
		t.Fatalf("all to b: %v", got)
	}
}

// The request reaches the target with the Host and the headers an ALB adds.
func TestForwardedHeaders(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	hst := r.fleet.add(t, r.clk, i1, "nginx", "x")
	hst.RegisterService(host.ServiceDef{Name: "echo", Port: 9000, Handler: func(*host.Host) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
			fmt.Fprintf(w, "%s|%s|%s|%s|%t", q.Host, q.Header.Get("X-Forwarded-For"), q.Header.Get("X-Forwarded-Proto"),
				q.Header.Get("X-Forwarded-Port"), strings.HasPrefix(q.Header.Get("X-Amzn-Trace-Id"), "Root=1-"))
		})
	}})
	if err := hst.StartService("echo"); err != nil {
		t.Fatal(err)
	}
	lb := r.lb("web")
	tg := r.tg("echo", func(in *elbv2.CreateTargetGroupInput) { in.Port = ptr(9000) })
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	r.register(tg.TargetGroupArn, i1)
	code, body := get(r.svc.Handler("web"), lb.DNSName, "/")
	if want := lb.DNSName + "|192.0.2.1|http|80|true"; code != 200 || body != want {
		t.Fatalf("got %d %q, want %q", code, body, want)
	}
}

func TestFixedResponseAndRedirect(t *testing.T) {
	r := newRig(t, elbv2.Options{NoLoopback: true})
	lb := r.lb("web")
	r.listener(lb.LoadBalancerArn, 80, elbv2.Action{Type: "redirect", RedirectConfig: &elbv2.RedirectActionConfig{Port: "8080", StatusCode: "HTTP_301"}})
	r.listener(lb.LoadBalancerArn, 8080, elbv2.Action{Type: "fixed-response", FixedResponseConfig: &elbv2.FixedResponseActionConfig{StatusCode: "418", ContentType: "text/plain", MessageBody: "teapot"}})
	h := r.svc.Handler("web")
	req := lb.DNSName + "/a/b?x=1"
	rec := doGet(h, req)
	if rec.Code != 301 || rec.Header().Get("Location") != "http://"+lb.DNSName+":8080/a/b?x=1" {
		t.Fatalf("redirect: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if code, body := get(h, lb.DNSName+":8080", "/"); code != 418 || body != "teapot" {
		t.Fatalf("fixed: %d %q", code, body)
	}
	fh, ok := r.svc.Resolve(lb.DNSName, 8080)
	if !ok {
		t.Fatal("resolve 8080")
	}
	if code, _ := get(fh, lb.DNSName, "/"); code != 418 {
		t.Fatalf("resolve fixed: %d", code)
	}
}

// Many clients while targets come and go: every answer is a target's page or a 503/502, never
// anything else, and -race finds nothing.
func TestConcurrentTrafficDuringRegistration(t *testing.T) {
	r := newRig(t, elbv2.Options{})
	ids := []string{i1, i2, i3, i4}
	for _, id := range ids {
		r.fleet.add(t, r.clk, id, "nginx", "page "+id)
	}
	lb := r.lb("web")
	tg := r.tg("tg", nil)
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	r.register(tg.TargetGroupArn, i1)
	h := r.svc.Handler("web")
	url := r.svc.URL("web")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 300 && ctx.Err() == nil; n++ {
				var code int
				var body string
				if g%2 == 0 && n%10 == 0 {
					res, err := http.Get(url + "/")
					if err != nil {
						errs <- err
						return
					}
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					code, body = res.StatusCode, string(b)
				} else {
					code, body = get(h, "x", "/")
				}
				if code == 200 && strings.HasPrefix(body, "page i-") || code == 503 || code == 502 {
					continue
				}
				errs <- fmt.Errorf("unexpected %d %q", code, body)
				return
			}
		}()
	}
	for n := range 200 {
		id := ids[n%len(ids)]
		if n%2 == 0 {
			if err := r.svc.RegisterInstances(r.ctx, "tg", []string{id}); err != nil {
				t.Error(err)
			}
		} else if err := r.svc.DeregisterInstances(r.ctx, "tg", []string{id}); err != nil {
			t.Error(err)
		}
		if n%50 == 0 {
			r.clk.Advance(30_000_000_000)
		}
		_ = r.health(tg.TargetGroupArn)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
