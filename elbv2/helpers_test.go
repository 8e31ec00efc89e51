package elbv2_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fleet is a Targets over real simulated hosts, as the root wires ec2sim.
type fleet struct {
	mu      sync.Mutex
	hosts   map[string]*host.Host
	stopped map[string]bool
}

func newFleet() *fleet { return &fleet{hosts: map[string]*host.Host{}, stopped: map[string]bool{}} }

func (f *fleet) Handler(ctx context.Context, id string, port int) (http.Handler, bool, error) {
	f.mu.Lock()
	h, stopped := f.hosts[id], f.stopped[id]
	f.mu.Unlock()
	if h == nil {
		return nil, false, elbv2.ErrInstanceNotFound
	}
	if stopped {
		return nil, false, elbv2.ErrInstanceNotRunning
	}
	hd, ok := h.Handler(port)
	return hd, ok, nil
}

// add boots a host running pkg (nginx or httpd) that serves page at / .
func (f *fleet) add(t testing.TB, clk clock.Clock, id, pkg, page string) *host.Host {
	t.Helper()
	h := host.New(host.Options{ID: id, Clock: clk})
	t.Cleanup(func() { h.Close() })
	if err := h.Install(pkg); err != nil {
		t.Fatal(err)
	}
	root := "/usr/share/nginx/html"
	if pkg == "httpd" {
		root = "/var/www/html"
	}
	if err := h.WriteFile(root+"/index.html", []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.StartService(pkg); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.hosts[id] = h
	f.mu.Unlock()
	return h
}

func (f *fleet) setStopped(id string, v bool) {
	f.mu.Lock()
	f.stopped[id] = v
	f.mu.Unlock()
}

func (f *fleet) remove(id string) {
	f.mu.Lock()
	delete(f.hosts, id)
	f.mu.Unlock()
}

type rig struct {
	t     testing.TB
	clk   *clock.Manual
	fleet *fleet
	svc   *elbv2.Service
	ctx   context.Context
	env   *core.Env
}

func newRig(t testing.TB, opts elbv2.Options) *rig {
	t.Helper()
	clk := clock.NewManual(t0)
	env := awstest.EnvWith(t, clk)
	f := newFleet()
	s, err := elbv2.New(env, elbv2.Deps{Targets: f}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &rig{t: t, clk: clk, fleet: f, svc: s, ctx: context.Background(), env: env}
}

func ptr[T any](v T) *T { return &v }

func (r *rig) lb(name string) elbv2.LoadBalancer {
	r.t.Helper()
	out, err := r.svc.CreateLoadBalancer(r.ctx, &elbv2.CreateLoadBalancerInput{Name: name, Subnets: []string{"subnet-aaaa1111", "subnet-bbbb2222"}})
	if err != nil {
		r.t.Fatal(err)
	}
	return out.LoadBalancers[0]
}

func (r *rig) tg(name string, mod func(*elbv2.CreateTargetGroupInput)) elbv2.TargetGroup {
	r.t.Helper()
	in := &elbv2.CreateTargetGroupInput{Name: name, Protocol: "HTTP", Port: ptr(80), VpcID: "vpc-12345678"}
	if mod != nil {
		mod(in)
	}
	out, err := r.svc.CreateTargetGroup(r.ctx, in)
	if err != nil {
		r.t.Fatal(err)
	}
	return out.TargetGroups[0]
}

func (r *rig) listener(lbARN string, port int, actions ...elbv2.Action) elbv2.Listener {
	r.t.Helper()
	out, err := r.svc.CreateListener(r.ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lbARN, Protocol: "HTTP", Port: ptr(port), DefaultActions: actions})
	if err != nil {
		r.t.Fatal(err)
	}
	return out.Listeners[0]
}

func forward(tgARN string) elbv2.Action { return elbv2.Action{Type: "forward", TargetGroupArn: tgARN} }

func (r *rig) register(tgARN string, ids ...string) {
	r.t.Helper()
	var ts []elbv2.TargetDescription
	for _, id := range ids {
		ts = append(ts, elbv2.TargetDescription{ID: id})
	}
	if _, err := r.svc.RegisterTargets(r.ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tgARN, Targets: ts}); err != nil {
		r.t.Fatal(err)
	}
}

// health returns id -> "state/reason".
func (r *rig) health(tgARN string) map[string]string {
	r.t.Helper()
	out, err := r.svc.DescribeTargetHealth(r.ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tgARN})
	if err != nil {
		r.t.Fatal(err)
	}
	m := map[string]string{}
	for _, d := range out.TargetHealthDescriptions {
		m[d.Target.ID] = d.TargetHealth.State + "/" + d.TargetHealth.Reason
	}
	return m
}

// get sends a request through h with the given Host and returns status and body.
func get(h http.Handler, hostHeader, path string) (int, string) {
	req := httptest.NewRequest(http.MethodGet, "http://"+hostHeader+path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func doGet(h http.Handler, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "http://"+target, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
