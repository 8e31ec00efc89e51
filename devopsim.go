package devopsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awsapi/stsapi"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/internal/s3obj"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/boltstore"
	"github.com/devopsim/devopsim/store/memstore"
	"github.com/devopsim/devopsim/sts"
)

// Default account and region of a platform.
const (
	DefaultAccount = core.DefaultAccount
	DefaultRegion  = core.DefaultRegion
)

// Options configure a Platform. The zero value is a private in-memory platform on real time in
// account 000000000000, region us-east-1.
type Options struct {
	Account string // default account; "" means DefaultAccount
	Region  string // default region; "" means DefaultRegion
	// Clock is the platform's time; nil means the machine's clock. Use clock.NewManual to move
	// time yourself.
	Clock clock.Clock
	// DataDir keeps state on disk (bbolt) so it survives a restart; "" keeps it in memory.
	DataDir string
	// Store overrides the state store (DataDir is then used only for bulk data).
	Store store.Store
	// Logger receives the platform's logs; nil discards them.
	Logger *slog.Logger
	// Authenticate overrides how wire requests' credentials map to callers (strict SigV4).
	Authenticate awsproto.Authenticator
	// Endpoint is the base URL the platform is served at (e.g. "http://127.0.0.1:4566"), used
	// in URLs it hands out such as CodeCommit clone URLs; "" gives AWS's URLs.
	Endpoint string
	// GitCredentials, when non-nil, makes the CodeCommit git endpoint require HTTP basic auth:
	// a user/password from this map (acting in the default account) or an IAM
	// service-specific credential (CreateServiceSpecificCredential for codecommit.amazonaws.com,
	// acting in its user's account). Nil leaves the git endpoint open, as most local setups want.
	GitCredentials map[string]string
	// BuildShell returns the shell for one CodeBuild build (see codebuild.Options.NewShell);
	// nil runs real programs on this machine through the shell interpreter, with the
	// privileges of this process.
	BuildShell func(dir string, env []string) (runner.Runner, error)
	// HostCommands adds commands written in Go to the shell of every simulated EC2 host (user
	// data, CodeDeploy hooks, Run Command), replacing built-ins of the same name.
	HostCommands map[string]host.Command
	// HostPrograms names commands the hosts run as real programs on this machine: an explicit
	// opt-in, as they see this machine's file system rather than the host's.
	HostPrograms []string
}

// Platform is a whole AWS DevOps platform in one process. It is safe for concurrent use.
type Platform struct {
	opts Options
	env  *core.Env
	bus  *eventbus.Bus
	s3   *s3obj.S3
	gen  atomic.Pointer[generation] // the services; reset replaces them
	base []func(context.Context) error

	resetMu   sync.Mutex
	closeOnce sync.Once
	closeErr  error
}

// generation is one set of services and the router serving them. Reset closes a generation,
// wipes the state and builds a new one.
type generation struct {
	router  *awsproto.Router
	sts     *sts.Service
	svc     services
	closers []func(context.Context) error // run in reverse order
}

func (g *generation) onClose(fn func(context.Context) error) { g.closers = append(g.closers, fn) }

func (g *generation) close(ctx context.Context) error {
	var errs []error
	for i := len(g.closers) - 1; i >= 0; i-- {
		errs = append(errs, g.closers[i](ctx))
	}
	return errors.Join(errs...)
}

// New builds a platform.
func New(opts Options) (*Platform, error) {
	if opts.Account == "" {
		opts.Account = DefaultAccount
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Platform{opts: opts, bus: eventbus.New()}
	st := opts.Store
	var objects *s3obj.S3
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, err
		}
		if st == nil {
			bs, err := boltstore.Open(filepath.Join(opts.DataDir, "state.db"))
			if err != nil {
				return nil, err
			}
			st = bs
		}
		o, err := s3obj.OpenFile(filepath.Join(opts.DataDir, "s3.db"), opts.Clock)
		if err != nil {
			return nil, errors.Join(err, st.Close())
		}
		objects = o
	} else {
		if st == nil {
			st = memstore.New()
		}
		objects = s3obj.NewMemory(opts.Clock)
	}
	p.s3 = objects
	p.base = append(p.base, func(context.Context) error { return errors.Join(objects.Close(), st.Close()) })
	p.env = &core.Env{
		Clock:   opts.Clock,
		Store:   st,
		Log:     opts.Logger,
		Events:  p.bus,
		Hooks:   &dispatch.Hooks{},
		Objects: objects,
		Account: opts.Account,
		Region:  opts.Region,
	}
	g, err := p.newGeneration()
	if err != nil {
		_ = p.Close(context.Background())
		return nil, err
	}
	p.gen.Store(g)
	return p, nil
}

// newGeneration builds the services and the router that serves them.
func (p *Platform) newGeneration() (*generation, error) {
	g := &generation{router: awsproto.NewRouter(awsproto.RouterOptions{
		Account:      p.opts.Account,
		Region:       p.opts.Region,
		Log:          p.opts.Logger,
		Authenticate: p.opts.Authenticate,
	})}
	g.sts = sts.New(p.env)
	g.router.Register(stsapi.Service(g.sts))
	if err := p.addServices(g); err != nil {
		_ = g.close(context.Background())
		return nil, err
	}
	g.router.Mount("/_devopsim/", p.adminHandler())
	g.router.Fallback(s3DataEvents(g.svc.cloudtrail, p.s3.Handler()))
	return g, nil
}

// Handler serves every service's wire protocol, git smart HTTP, S3 and the admin endpoints.
func (p *Platform) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := p.gen.Load()
		// Requests for a load balancer's DNS name go to its targets.
		if host := r.Host; strings.HasSuffix(hostOnly(host), ".elb.amazonaws.com") && g.svc.elbv2 != nil {
			port := 80
			if _, ps, err := net.SplitHostPort(host); err == nil {
				if n, err := strconv.Atoi(ps); err == nil {
					port = n
				}
			}
			if h, ok := g.svc.elbv2.Resolve(hostOnly(host), port); ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		g.router.ServeHTTP(w, r)
	})
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

func (p *Platform) svc() *services { return &p.gen.Load().svc }

// Clock is the platform's clock.
func (p *Platform) Clock() clock.Clock { return p.opts.Clock }

// Events is the platform's event stream: every service's AWS-shaped events. Subscribe to watch
// them from Go.
func (p *Platform) Events() *eventbus.Bus { return p.bus }

// STS is the security token service (GetCallerIdentity).
func (p *Platform) STS() *sts.Service { return p.gen.Load().sts }

// S3 is the platform's object store (the same objects the S3 endpoint serves).
func (p *Platform) S3() core.Objects { return p.s3 }

// Account and Region are the platform's defaults.
func (p *Platform) Account() string { return p.opts.Account }
func (p *Platform) Region() string  { return p.opts.Region }

// Close stops every service's background work and waits for it, then closes the store.
func (p *Platform) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		p.resetMu.Lock()
		defer p.resetMu.Unlock()
		var errs []error
		if g := p.gen.Load(); g != nil {
			errs = append(errs, g.close(ctx))
		}
		for i := len(p.base) - 1; i >= 0; i-- {
			errs = append(errs, p.base[i](ctx))
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}

// As returns ctx acting as the root of account in region, for calls from Go in other
// accounts or regions than the platform's defaults.
func As(ctx context.Context, account, region string) context.Context {
	return identity.With(ctx, identity.Root(account, region))
}

// Reset wipes all state: it stops every service, empties the store, S3 and the services' own
// data (git repositories, log events, metrics, event history) and starts fresh services. Go
// callers must fetch services again afterwards (p.CodeBuild() and friends); values obtained
// before Reset belong to the stopped services.
func (p *Platform) Reset(ctx context.Context) error {
	p.resetMu.Lock()
	defer p.resetMu.Unlock()
	w, ok := p.env.Store.(store.Wiper)
	if !ok {
		return fmt.Errorf("the store cannot be wiped")
	}
	old := p.gen.Load()
	if err := old.close(ctx); err != nil {
		return err
	}
	errs := []error{w.Wipe(ctx), p.s3.Wipe(ctx)}
	if p.opts.DataDir != "" {
		errs = append(errs, os.RemoveAll(filepath.Join(p.opts.DataDir, "codecommit")))
	}
	g, err := p.newGeneration()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	p.gen.Store(g)
	return errors.Join(errs...)
}
