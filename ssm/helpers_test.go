package ssm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/ssm"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fleet is a fake EC2 on real hosts, so scripts really run in host shells.
type fleet struct {
	clk   clock.Clock
	mu    sync.Mutex
	n     int
	insts map[string]*ssm.Instance
	hosts map[string]*host.Host
	order []string
}

func newFleet(clk clock.Clock) *fleet {
	return &fleet{clk: clk, insts: map[string]*ssm.Instance{}, hosts: map[string]*host.Host{}}
}

// add starts a running instance with a real host.
func (f *fleet) add(t testing.TB, tags map[string]string) *host.Host {
	f.mu.Lock()
	f.n++
	id := fmt.Sprintf("i-%017x", f.n)
	ip := fmt.Sprintf("172.31.0.%d", f.n)
	f.mu.Unlock()
	h := host.New(host.Options{ID: id, Clock: f.clk})
	h.SetTags(tags)
	t.Cleanup(func() { h.Close() })
	f.mu.Lock()
	defer f.mu.Unlock()
	f.insts[id] = &ssm.Instance{ID: id, State: "running", Tags: tags, Distro: "al2023", PrivateIP: ip,
		PrivateDNS: "ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal", LaunchTime: f.clk.Now()}
	f.hosts[id] = h
	f.order = append(f.order, id)
	return h
}

func (f *fleet) setState(id, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.insts[id].State = state
}

func (f *fleet) Instances(ctx context.Context) ([]ssm.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ssm.Instance
	for _, id := range f.order {
		out = append(out, *f.insts[id])
	}
	return out, nil
}

func (f *fleet) Instance(ctx context.Context, id string) (ssm.Instance, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.insts[id]
	if !ok {
		return ssm.Instance{}, false, nil
	}
	return *i, true, nil
}

func (f *fleet) Host(ctx context.Context, id string) (ssm.Host, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.insts[id]
	if !ok || i.State != "running" {
		return nil, errors.New("instance not running")
	}
	return f.hosts[id], nil
}

// logSink collects CloudWatch output.
type logSink struct {
	mu      sync.Mutex
	streams map[string][]string
}

func (l *logSink) EnsureStream(ctx context.Context, group, stream string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.streams == nil {
		l.streams = map[string][]string{}
	}
	if _, ok := l.streams[group+":"+stream]; !ok {
		l.streams[group+":"+stream] = []string{}
	}
	return nil
}

func (l *logSink) PutLines(ctx context.Context, group, stream string, _ time.Time, lines ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.streams[group+":"+stream]; !ok {
		return errors.New("no stream " + stream)
	}
	l.streams[group+":"+stream] = append(l.streams[group+":"+stream], lines...)
	return nil
}

func (l *logSink) lines(key string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.streams[key])
}

type platform struct {
	env   *core.Env
	svc   *ssm.Service
	fleet *fleet
	logs  *logSink
}

func amis() map[string]string {
	return ssm.AMIParameters("ami-0a2023000000000a1", "ami-0a2000000000000a2", "ami-0b2404000000000b1", "ami-0b2204000000000b2")
}

// newPlatform builds the service on clk (nil: real time), with a fleet and a log sink.
func newPlatform(t testing.TB, clk clock.Clock, opts *ssm.Options) *platform {
	t.Helper()
	if clk == nil {
		clk = clock.Real()
	}
	env := awstest.EnvWith(t, clk)
	p := &platform{env: env, fleet: newFleet(clk), logs: &logSink{}}
	o := ssm.Options{}
	if opts != nil {
		o = *opts
	}
	o.Fleet, o.Logs = p.fleet, p.logs
	if o.PublicParameters == nil {
		o.PublicParameters = amis()
	}
	svc, err := ssm.New(env, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := svc.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	p.svc = svc
	return p
}

// run sends commands to instances and waits for the command to finish.
func (p *platform) run(t testing.TB, in *ssm.SendCommandInput) *ssm.Command {
	t.Helper()
	ctx := context.Background()
	if in.DocumentName == "" {
		in.DocumentName = "AWS-RunShellScript"
	}
	out, err := p.svc.SendCommand(ctx, in)
	if err != nil {
		t.Fatalf("SendCommand: %v", err)
	}
	if err := p.svc.Wait(ctx, out.Command.CommandID); err != nil {
		t.Fatal(err)
	}
	l, err := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{CommandID: out.Command.CommandID})
	if err != nil {
		t.Fatal(err)
	}
	return &l.Commands[0]
}

func (p *platform) invocation(t testing.TB, cmd, id string) *ssm.GetCommandInvocationOutput {
	t.Helper()
	out, err := p.svc.GetCommandInvocation(context.Background(), &ssm.GetCommandInvocationInput{CommandID: cmd, InstanceID: id})
	if err != nil {
		t.Fatalf("GetCommandInvocation: %v", err)
	}
	return out
}

func shell(lines ...string) map[string][]string { return map[string][]string{"commands": lines} }

func withRegion(ctx context.Context, region string) context.Context {
	return identity.With(ctx, identity.Root(core.DefaultAccount, region))
}
