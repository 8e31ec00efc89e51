package cloudtrail

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Defaults of Options.
const (
	DefaultRetention        = 90 * 24 * time.Hour
	DefaultMaxEvents        = 1_000_000
	DefaultDeliveryInterval = 5 * time.Minute
	DefaultDigestInterval   = time.Hour
)

// LogEvent is one event delivered to a trail's CloudWatch Logs log group.
type LogEvent struct {
	Time    time.Time
	Message string
}

// LogDelivery is where trails with a CloudWatch Logs log group send their events; the root wires
// CloudWatch Logs into it. PutTrailEvents creates the stream when it is missing.
type LogDelivery interface {
	PutTrailEvents(ctx context.Context, logGroupARN, roleARN, logStream string, events []LogEvent) error
}

// Organization is an AWS Organizations organization: its management account's organization
// trails record the events of every member account.
type Organization struct {
	ID                string // o-xxxxxxxxxx
	ManagementAccount string
	Members           []string // member accounts (the management account is implied)
}

func (o *Organization) has(account string) bool {
	if o == nil {
		return false
	}
	if account == o.ManagementAccount {
		return true
	}
	for _, m := range o.Members {
		if m == account {
			return true
		}
	}
	return false
}

// Options configure a Service; the zero value gives AWS's defaults.
type Options struct {
	// Retention is how long event history keeps events (default 90 days, on the platform clock).
	Retention time.Duration
	// MaxEvents caps the events kept in history; the oldest go first (default 1,000,000).
	MaxEvents int
	// DeliveryInterval is how often logging trails deliver log files (default 5 minutes).
	DeliveryInterval time.Duration
	// DigestInterval is how often trails with log file validation deliver digests (default 1 hour).
	DigestInterval time.Duration
	// Logs receives the events of trails that name a CloudWatch Logs log group; nil records a
	// delivery error on such trails.
	Logs LogDelivery
	// Organization, when set, makes organization trails possible.
	Organization *Organization
	// SigningKey signs digest files (an *rsa.PrivateKey or *ecdsa.PrivateKey). Nil: an RSA-2048
	// key generated on first use and kept in the store.
	SigningKey crypto.Signer
	// InsightMinBaseline is how much history a baseline needs before Insights fire (default 1h).
	InsightMinBaseline time.Duration
	// InsightBaselineWindow is the trailing window of the baseline (default 7 days).
	InsightBaselineWindow time.Duration
	// DurableHistory also writes event history to env.Store, one store write per processed
	// batch (per chunk of 8,192 events), and reloads it in New (retention and the cap applied,
	// evicted chunks pruned), so event history and its event IDs survive a restart on the
	// durable store (the root sets it when the platform has a data directory).
	DurableHistory bool
}

// Service is CloudTrail: it records every operation the platform's dispatcher runs, serves event
// history, and runs trails. A Service is safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	opts Options
	log  *slog.Logger

	trails  *store.Table[trailRecord]
	digests *store.Table[digestState]
	sigs    *store.Table[sigRecord]
	keys    *store.Table[keyRecord]

	// recorder
	pmu      sync.Mutex
	pending  []rawCall
	spare    []rawCall
	closed   bool
	procMu   sync.Mutex // serializes processing
	hist     *history
	interns  interner
	plans    sync.Map // reflect.Type -> *plan
	jsonOpts json.Options

	idPrefix string // event IDs are idPrefix + 12 hex digits of the record position

	// durable history (Options.DurableHistory)
	persistEnd uint64 // positions below are covered by stored chunks; under procMu
	perBuf     []byte // chunk encoding buffer; under procMu
	perMu      sync.Mutex
	persisted  []persistedKey // stored chunks, oldest first

	snap   atomic.Pointer[trailSnapshot]
	trMu   sync.Mutex // serializes trail mutations and snapshot rebuilds
	dmu    sync.Mutex // delivery buffers
	bufs   map[string]*trailBuf
	dlvMu  sync.Mutex // serializes delivery rounds
	ins    *insights
	orgMu  sync.RWMutex
	org    *Organization
	keyMu  sync.Mutex
	signer crypto.Signer
	keyAt  time.Time

	wake  chan struct{}
	flush chan flushReq
	stop  chan struct{}
	done  chan struct{}
}

type flushReq struct {
	deliver bool
	done    chan struct{}
	hold    chan struct{} // tests: the worker waits on it after answering
}

// New returns a CloudTrail service recording every operation dispatched in env.
func New(env *core.Env, opts Options) (*Service, error) {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	if opts.DeliveryInterval <= 0 {
		opts.DeliveryInterval = DefaultDeliveryInterval
	}
	if opts.DigestInterval <= 0 {
		opts.DigestInterval = DefaultDigestInterval
	}
	if opts.InsightMinBaseline <= 0 {
		opts.InsightMinBaseline = time.Hour
	}
	if opts.InsightBaselineWindow <= 0 {
		opts.InsightBaselineWindow = 7 * 24 * time.Hour
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var salt [8]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, err
	}
	a, b := binary.BigEndian.Uint32(salt[:4]), binary.BigEndian.Uint32(salt[4:])
	s := &Service{
		env:      env,
		d:        env.Dispatcher("cloudtrail", "cloudtrail.amazonaws.com"),
		opts:     opts,
		log:      log,
		trails:   store.NewTable[trailRecord](env.Store, "cloudtrail/trail/"),
		digests:  store.NewTable[digestState](env.Store, "cloudtrail/digest/"),
		sigs:     store.NewTable[sigRecord](env.Store, "cloudtrail/signature/"),
		keys:     store.NewTable[keyRecord](env.Store, "cloudtrail/key/"),
		hist:     newHistory(opts.MaxEvents, opts.Retention),
		idPrefix: fmt.Sprintf("%08x-%04x-4%03x-%04x-", a, b>>16, b&0xfff, 0x8000|(a>>3)&0x3fff),
		bufs:     map[string]*trailBuf{},
		org:      opts.Organization,
		signer:   opts.SigningKey,
		jsonOpts: marshalOptions(),
		wake:     make(chan struct{}, 1),
		flush:    make(chan flushReq),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.interns.init()
	s.ins = newInsights(s)
	if err := s.rebuildSnapshot(context.Background()); err != nil {
		return nil, err
	}
	if opts.DurableHistory {
		if err := s.loadHistory(context.Background()); err != nil {
			return nil, err
		}
	}
	env.Hooks.OnAudit(s.audit)
	go s.run(env.Clock.NewTimer(opts.DeliveryInterval))
	return s, nil
}

// SetOrganization sets (or, with nil, clears) the organization whose management account may
// create organization trails.
func (s *Service) SetOrganization(o *Organization) {
	s.orgMu.Lock()
	if o != nil {
		c := *o
		c.Members = append([]string(nil), o.Members...)
		o = &c
	}
	s.org = o
	s.orgMu.Unlock()
	_ = s.rebuildSnapshot(context.Background())
}

func (s *Service) organization() *Organization {
	s.orgMu.RLock()
	defer s.orgMu.RUnlock()
	return s.org
}

// Close stops recording and background delivery and waits for them. Events still buffered for
// trails are not delivered.
func (s *Service) Close(ctx context.Context) error {
	s.pmu.Lock()
	if s.closed {
		s.pmu.Unlock()
		return nil
	}
	s.closed = true
	s.pmu.Unlock()
	close(s.stop)
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flush makes every call recorded so far visible to LookupEvents and routed to trails (and
// EventBridge), and lets any delivery that fell due on the clock finish. LookupEvents flushes by
// itself; Flush is for Go code that watches the bus or S3. Flush and Deliver must not be called
// from an event bus subscriber or a LogDelivery: those run on the goroutine Flush waits for.
func (s *Service) Flush(ctx context.Context) error { return s.request(ctx, false) }

// Deliver runs a delivery round now, as the 5-minute timer does: log files of every logging
// trail to S3 and CloudWatch Logs, Insights evaluation, and digests that are due.
func (s *Service) Deliver(ctx context.Context) error { return s.request(ctx, true) }

func (s *Service) request(ctx context.Context, deliver bool) error {
	r := flushReq{deliver: deliver, done: make(chan struct{})}
	select {
	case s.flush <- r:
	case <-s.done:
		s.process()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) run(t clock.Timer) {
	defer close(s.done)
	ctx := context.Background()
	defer t.Stop()
	tick := func() {
		s.tick(ctx)
		t.Reset(s.opts.DeliveryInterval)
	}
	for {
		select {
		case <-s.stop:
			s.process()
			s.procMu.Lock()
			s.persistTail()
			s.procMu.Unlock()
			return
		case <-s.wake:
			s.process()
		case <-t.C():
			tick()
		case r := <-s.flush:
			select {
			case <-t.C():
				tick()
			default:
			}
			if r.deliver {
				s.tick(ctx)
			} else {
				s.process()
			}
			close(r.done)
			if r.hold != nil {
				<-r.hold
			}
		}
	}
}

// tick is one delivery round.
func (s *Service) tick(ctx context.Context) {
	s.process()
	now := s.env.Clock.Now()
	s.insightTick(now)
	if s.opts.DurableHistory {
		s.hist.expire(now)
		s.prune()
	}
	s.deliver(ctx, now, "", false)
}

// callerOf returns the caller in ctx with the dispatcher's defaults filled in.
func (s *Service) callerOf(ctx context.Context) identity.Caller {
	c, ok := identity.From(ctx)
	if !ok {
		c = identity.Root(s.env.Account, s.env.Region)
	}
	if c.Account == "" {
		c.Account = s.env.Account
	}
	if c.Region == "" {
		c.Region = s.env.Region
	}
	if c.PrincipalARN == "" {
		r := identity.Root(c.Account, c.Region)
		c.PrincipalARN, c.UserID, c.Type = r.PrincipalARN, r.UserID, r.Type
	}
	return c
}
