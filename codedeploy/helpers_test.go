package codedeploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ---- fakes of the platform services, on real simulated hosts

type fakeInstance struct {
	inst codedeploy.Instance
	h    *host.Host
}

type fakeFleet struct {
	clk clock.Clock
	mu  sync.Mutex
	ins map[string]*fakeInstance
	n   int
	// launch prepares a new host (what a launch template's AMI and user data would do).
	launch func(h *host.Host)
}

func newFleet(clk clock.Clock) *fakeFleet {
	return &fakeFleet{clk: clk, ins: map[string]*fakeInstance{}}
}

func (f *fakeFleet) add(t testing.TB, tags map[string]string, asg string) *host.Host {
	f.mu.Lock()
	f.n++
	id := fmt.Sprintf("i-%017d", f.n)
	f.mu.Unlock()
	h := host.New(host.Options{ID: id, Clock: f.clk, Network: f.network})
	if t != nil {
		t.Cleanup(func() { h.Close() })
	}
	all := map[string]string{}
	for k, v := range tags {
		all[k] = v
	}
	if asg != "" {
		all["aws:autoscaling:groupName"] = asg
	}
	h.SetTags(all)
	if f.launch != nil {
		f.launch(h)
	}
	f.mu.Lock()
	f.ins[id] = &fakeInstance{inst: codedeploy.Instance{ID: id, Tags: all, State: "running", AutoScalingGroup: asg}, h: h}
	f.mu.Unlock()
	return h
}

func (f *fakeFleet) network(string, int) (http.Handler, error) { return nil, host.ErrUnknownHost }

func (f *fakeFleet) Instances(ctx context.Context) ([]codedeploy.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []codedeploy.Instance
	for _, i := range f.ins {
		if i.inst.State != "terminated" {
			out = append(out, i.inst)
		}
	}
	return out, nil
}

func (f *fakeFleet) Host(ctx context.Context, id string) (codedeploy.Host, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.ins[id]
	if !ok {
		return nil, fmt.Errorf("no instance %s", id)
	}
	return i.h, nil
}

func (f *fakeFleet) host(id string) *host.Host {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ins[id].h
}

func (f *fakeFleet) state(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ins[id].inst.State
}

func (f *fakeFleet) TerminateInstances(ctx context.Context, ids []string) error {
	f.mu.Lock()
	var hs []*host.Host
	for _, id := range ids {
		if i, ok := f.ins[id]; ok {
			i.inst.State = "terminated"
			hs = append(hs, i.h)
		}
	}
	f.mu.Unlock()
	for _, h := range hs {
		h.StopAll()
	}
	return nil
}

// CopyGroup and DeleteGroup make fakeFleet an AutoScaling too.
func (f *fakeFleet) CopyGroup(ctx context.Context, name, newName string) ([]string, error) {
	f.mu.Lock()
	var src []codedeploy.Instance
	for _, i := range f.ins {
		if i.inst.AutoScalingGroup == name && i.inst.State != "terminated" {
			src = append(src, i.inst)
		}
	}
	f.mu.Unlock()
	if len(src) == 0 {
		return nil, fmt.Errorf("no Auto Scaling group %s", name)
	}
	var ids []string
	for _, in := range src {
		tags := map[string]string{}
		for k, v := range in.Tags {
			if k != "aws:autoscaling:groupName" {
				tags[k] = v
			}
		}
		h := f.add(nil, tags, newName)
		ids = append(ids, h.ID())
	}
	return ids, nil
}

func (f *fakeFleet) DeleteGroup(ctx context.Context, name string) error {
	f.mu.Lock()
	var ids []string
	for id, i := range f.ins {
		if i.inst.AutoScalingGroup == name {
			ids = append(ids, id)
		}
	}
	f.mu.Unlock()
	return f.TerminateInstances(ctx, ids)
}

func (f *fakeFleet) closeAll() {
	f.mu.Lock()
	var hs []*host.Host
	for _, i := range f.ins {
		hs = append(hs, i.h)
	}
	f.mu.Unlock()
	for _, h := range hs {
		h.Close()
	}
}

// fakeLB is a load balancer in front of target groups: it proxies HTTP to the registered
// instances' port 80, round robin.
type fakeLB struct {
	fleet *fakeFleet
	mu    sync.Mutex
	tgs   map[string][]string
	next  int
	calls []string
}

func newLB(f *fakeFleet) *fakeLB { return &fakeLB{fleet: f, tgs: map[string][]string{}} }

func (l *fakeLB) name(t codedeploy.TrafficTarget) string {
	if t.TargetGroup != "" {
		return t.TargetGroup
	}
	return "elb:" + t.ClassicELB
}

func (l *fakeLB) Register(ctx context.Context, t codedeploy.TrafficTarget, ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.name(t)
	for _, id := range ids {
		if !slices.Contains(l.tgs[n], id) {
			l.tgs[n] = append(l.tgs[n], id)
		}
		l.calls = append(l.calls, "register "+n+" "+id)
	}
	return nil
}

func (l *fakeLB) Deregister(ctx context.Context, t codedeploy.TrafficTarget, ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.name(t)
	l.tgs[n] = slices.DeleteFunc(l.tgs[n], func(x string) bool { return slices.Contains(ids, x) })
	for _, id := range ids {
		l.calls = append(l.calls, "deregister "+n+" "+id)
	}
	return nil
}

func (l *fakeLB) targets(tg string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Sorted(slices.Values(l.tgs[tg]))
}

// handler serves target group tg: a request goes to the next registered instance whose web
// service answers.
func (l *fakeLB) handler(tg string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		ids := slices.Clone(l.tgs[tg])
		start := l.next
		l.next++
		l.mu.Unlock()
		for i := range ids {
			id := ids[(start+i)%len(ids)]
			if h, ok := l.fleet.host(id).Handler(80); ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		http.Error(w, "no healthy targets", http.StatusServiceUnavailable)
	})
}

type fakeAlarms struct {
	mu     sync.Mutex
	states map[string]string
}

func (a *fakeAlarms) set(name, st string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.states == nil {
		a.states = map[string]string{}
	}
	a.states[name] = st
}

func (a *fakeAlarms) AlarmStateOf(ctx context.Context, name string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, ok := a.states[name]
	if !ok {
		return "", errors.New("ResourceNotFound: alarm " + name)
	}
	return st, nil
}

type fakeSNS struct {
	mu   sync.Mutex
	msgs []string
}

func (n *fakeSNS) Publish(ctx context.Context, topic, subject, msg string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.msgs = append(n.msgs, subject)
	return nil
}

// ---- the test platform

type platform struct {
	t      testing.TB
	env    *core.Env
	svc    *codedeploy.Service
	fleet  *fakeFleet
	lb     *fakeLB
	alarms *fakeAlarms
	sns    *fakeSNS
	events *eventLog
}

type eventLog struct {
	mu  sync.Mutex
	evs []eventbus.Event
}

func (l *eventLog) add(_ context.Context, e eventbus.Event) {
	l.mu.Lock()
	l.evs = append(l.evs, e)
	l.mu.Unlock()
}

func (l *eventLog) states(detailType string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.evs {
		if e.DetailType == detailType {
			s := string(e.Detail)
			i := strings.Index(s, `"state":"`)
			if i >= 0 {
				out = append(out, strings.SplitN(s[i+9:], `"`, 2)[0])
			}
		}
	}
	return out
}

func newPlatform(t testing.TB, clk clock.Clock) *platform {
	if clk == nil {
		clk = clock.Real()
	}
	env := awstest.EnvWith(t, clk)
	f := newFleet(clk)
	p := &platform{t: t, env: env, fleet: f, lb: newLB(f), alarms: &fakeAlarms{}, sns: &fakeSNS{}, events: &eventLog{}}
	unsub := awstest.Bus(env).Subscribe(p.events.add)
	svc, err := codedeploy.New(env, codedeploy.Deps{Fleet: f, AutoScaling: f, LoadBalancer: p.lb, Alarms: p.alarms, Notifier: p.sns}, codedeploy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.svc = svc
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		unsub()
		f.closeAll()
	})
	if err := env.Objects.CreateBucket(context.Background(), "bundles"); err != nil {
		t.Fatal(err)
	}
	return p
}

// zipBundle makes a zip of files (name -> content); names ending in .sh or under scripts/
// are executable.
func zipBundle(t testing.TB, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate}
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(n, ".sh") || strings.HasPrefix(n, "scripts/") {
			mode = 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dirBundle zips a directory of testdata.
func dirBundle(t testing.TB, dir string, extra map[string]string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		files[k] = v
	}
	return files
}

func (p *platform) put(key string, files map[string]string) *codedeploy.RevisionLocation {
	p.t.Helper()
	if err := p.env.Objects.PutObject(context.Background(), "bundles", key, zipBundle(p.t, files)); err != nil {
		p.t.Fatal(err)
	}
	return &codedeploy.RevisionLocation{RevisionType: "S3", S3Location: &codedeploy.S3Location{Bucket: "bundles", Key: key, BundleType: "zip"}}
}

func (p *platform) app(name string) {
	p.t.Helper()
	if _, err := p.svc.CreateApplication(context.Background(), &codedeploy.CreateApplicationInput{ApplicationName: name}); err != nil {
		p.t.Fatal(err)
	}
}

const role = "arn:aws:iam::000000000000:role/CodeDeployServiceRole"

func (p *platform) group(in *codedeploy.CreateDeploymentGroupInput) {
	p.t.Helper()
	if in.ServiceRoleArn == "" {
		in.ServiceRoleArn = role
	}
	if _, err := p.svc.CreateDeploymentGroup(context.Background(), in); err != nil {
		p.t.Fatal(err)
	}
}

// deploy creates a deployment and waits for it.
func (p *platform) deploy(in *codedeploy.CreateDeploymentInput) *codedeploy.DeploymentInfo {
	p.t.Helper()
	ctx := context.Background()
	out, err := p.svc.CreateDeployment(ctx, in)
	if err != nil {
		p.t.Fatal(err)
	}
	return p.wait(out.DeploymentID)
}

func (p *platform) wait(id string) *codedeploy.DeploymentInfo {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := p.svc.Wait(ctx, id); err != nil {
		p.t.Fatal(err)
	}
	d, err := p.svc.GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentID: id})
	if err != nil {
		p.t.Fatal(err)
	}
	return d.DeploymentInfo
}

func (p *platform) target(dep, inst string) *codedeploy.InstanceTarget {
	p.t.Helper()
	out, err := p.svc.GetDeploymentTarget(context.Background(), &codedeploy.GetDeploymentTargetInput{DeploymentID: dep, TargetID: inst})
	if err != nil {
		p.t.Fatal(err)
	}
	return out.DeploymentTarget.InstanceTarget
}

func eventOf(t *codedeploy.InstanceTarget, name string) codedeploy.LifecycleEvent {
	for _, e := range t.LifecycleEvents {
		if e.LifecycleEventName == name {
			return e
		}
	}
	return codedeploy.LifecycleEvent{}
}

func read(t testing.TB, h *host.Host, name string) string {
	t.Helper()
	b, err := h.ReadFile(name)
	if err != nil {
		t.Fatalf("%s: %v", h.ID(), err)
	}
	return string(b)
}

// waitFor polls cond (yielding, no sleeping) until it holds or 30s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func (p *platform) status(id string) string {
	d, err := p.svc.GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentID: id})
	if err != nil {
		p.t.Fatal(err)
	}
	return d.DeploymentInfo.Status
}

// gate is a host command that blocks until released, recording how many run at once.
type gate struct {
	mu       sync.Mutex
	inflight int
	max      int
	entered  chan string
	release  chan struct{}
}

func newGate() *gate {
	return &gate{entered: make(chan string, 100), release: make(chan struct{}, 100)}
}

func (g *gate) command(ctx context.Context, c *host.Call) int {
	g.mu.Lock()
	g.inflight++
	g.max = max(g.max, g.inflight)
	g.mu.Unlock()
	g.entered <- c.Host.ID()
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
	return 0
}
