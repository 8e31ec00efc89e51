package ssm

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/store"
)

// Instance is what Run Command and DescribeInstanceInformation know of an EC2 instance.
type Instance struct {
	ID    string
	State string // EC2 state name: pending, running, stopping, stopped, shutting-down, terminated
	Tags  map[string]string
	// Distro is the host's distribution: "al2023", "amzn2" or "ubuntu" (sets PlatformName and
	// PlatformVersion; "" means Amazon Linux 2023).
	Distro     string
	PrivateIP  string
	PrivateDNS string // the computer name
	// IamInstanceProfile is the instance profile ARN, if any (IamRole in the instance information).
	IamInstanceProfile string
	LaunchTime         time.Time
}

// Host is the machine a command runs on. *host.Host satisfies it.
type Host interface {
	Run(ctx context.Context, cmd *runner.Command) (runner.Result, error)
}

// Fleet is what the service needs from EC2: the caller's instances (account and region come
// from ctx, as set by the dispatcher) and their hosts.
type Fleet interface {
	// Instances returns the account/region's instances, terminated ones included while EC2
	// still shows them.
	Instances(ctx context.Context) ([]Instance, error)
	// Instance returns one instance; ok is false when EC2 does not know it.
	Instance(ctx context.Context, id string) (inst Instance, ok bool, err error)
	// Host returns the host of a running instance.
	Host(ctx context.Context, instanceID string) (Host, error)
}

// LogSink receives command output for CloudWatch Logs (the same shape CodeBuild uses).
type LogSink interface {
	// EnsureStream creates the group and stream if they do not exist.
	EnsureStream(ctx context.Context, group, stream string) error
	// PutLines appends lines with their time.
	PutLines(ctx context.Context, group, stream string, t time.Time, lines ...string) error
}

// Options configure the service; the zero value is usable (no instances, no public
// parameters, no CloudWatch output).
type Options struct {
	// Fleet gives Run Command its instances; nil means there are none.
	Fleet Fleet
	// Logs receives CloudWatch output (CloudWatchOutputConfig); nil drops it.
	Logs LogSink
	// PublicParameters are read-only global parameters (name → value), e.g. from
	// AMIParameters: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64".
	PublicParameters map[string]string
	// DeliveryRetry is how often an invocation to a stopped instance is retried (status
	// Delayed) until the command's TimeoutSeconds run out (default 30s of platform time).
	DeliveryRetry time.Duration
	// MaxStandardParameters and MaxAdvancedParameters cap parameters per account and region
	// (defaults 10,000 and 100,000, as AWS).
	MaxStandardParameters int
	MaxAdvancedParameters int
	// MaxVersions is the version history kept per parameter (default 100, as AWS).
	MaxVersions int
}

// Service is AWS Systems Manager: Run Command on ec2sim hosts and Parameter Store. It is safe
// for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	clk  clock.Clock
	log  *slog.Logger
	opts Options

	params      *store.Table[paramRecord]
	commands    *store.Table[commandRecord]
	invocations *store.Table[invocationRecord]
	public      publicSet

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	counts  map[string]*tierCount        // scope → parameter counts (lazily loaded)
	running map[string]map[string]func() // command id → instance id → cancel
	cancels map[string]bool              // command ids being cancelled
	done    map[string]chan struct{}     // command id → closed when the command finished
	idle    *sync.Cond
	active  int
}

type tierCount struct{ standard, advanced int }

// New returns the service. Close it to stop running commands.
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil || env.Store == nil || env.Clock == nil {
		return nil, errors.New("ssm: env with a store and a clock is required")
	}
	if opts.DeliveryRetry <= 0 {
		opts.DeliveryRetry = 30 * time.Second
	}
	if opts.MaxStandardParameters <= 0 {
		opts.MaxStandardParameters = 10000
	}
	if opts.MaxAdvancedParameters <= 0 {
		opts.MaxAdvancedParameters = 100000
	}
	if opts.MaxVersions <= 0 {
		opts.MaxVersions = 100
	}
	lg := env.Log
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		env: env, d: env.Dispatcher("ssm", "ssm.amazonaws.com"), clk: env.Clock, log: lg, opts: opts,
		params:      store.NewTable[paramRecord](env.Store, "ssm/param/"),
		commands:    store.NewTable[commandRecord](env.Store, "ssm/command/"),
		invocations: store.NewTable[invocationRecord](env.Store, "ssm/invocation/"),
		ctx:         ctx, cancel: cancel,
		counts:  map[string]*tierCount{},
		running: map[string]map[string]func(){},
		cancels: map[string]bool{},
		done:    map[string]chan struct{}{},
	}
	s.idle = sync.NewCond(&s.mu)
	s.public = buildPublic(opts.PublicParameters)
	return s, nil
}

// Close cancels running commands and waits for them to stop.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// spawn runs fn in the background as service-owned work; false once closed.
func (s *Service) spawn(fn func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	s.active++
	go func() {
		defer func() {
			s.mu.Lock()
			s.active--
			if s.active == 0 {
				s.idle.Broadcast()
			}
			s.mu.Unlock()
			s.wg.Done()
		}()
		fn()
	}()
	return true
}

// Wait blocks until the command has finished (every invocation reached a terminal status) or
// ctx is done. An unknown or already finished command returns at once.
func (s *Service) Wait(ctx context.Context, commandID string) error {
	s.mu.Lock()
	ch, ok := s.done[commandID]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Settle blocks until no command is running or ctx is done.
func (s *Service) Settle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.active > 0 && ctx.Err() == nil {
		s.idle.Wait()
	}
	return ctx.Err()
}

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || len(b) == 0 {
		return "", ErrInvalidNextToken
	}
	return string(b), nil
}
