package events

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
	"github.com/devopsim/devopsim/cloudwatch/events/schedule"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/deliverylog"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Errors callers match with errors.Is.
var (
	ErrResourceNotFound       = apierr.New(apierr.NotFound, "ResourceNotFoundException", "resource not found")
	ErrResourceAlreadyExists  = apierr.New(apierr.AlreadyExists, "ResourceAlreadyExistsException", "resource already exists")
	ErrValidation             = apierr.New(apierr.Invalid, "ValidationException", "validation failed")
	ErrInvalidEventPattern    = apierr.New(apierr.Invalid, "InvalidEventPatternException", "Event pattern is not valid.")
	ErrLimitExceeded          = apierr.New(apierr.LimitExceeded, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	ErrConcurrentModification = apierr.New(apierr.Conflict, "ConcurrentModificationException", "concurrent modification")
)

// Target deliveries go through these interfaces, which the platform wires to the other
// services. A nil interface makes deliveries to that kind of target fail (recorded, never a
// panic).

// Topics publishes to SNS topics (the sns package's Service implements it).
type Topics interface {
	PublishToTopic(ctx context.Context, topicArn, subject, message string) (messageID string, err error)
}

// LogGroups writes one log event to a CloudWatch Logs log group (creating the stream
// EventBridge writes to if needed).
type LogGroups interface {
	PutEventToLogGroup(ctx context.Context, logGroupName string, t time.Time, message string) error
}

// Pipelines starts CodePipeline executions.
type Pipelines interface {
	StartPipelineFromEvent(ctx context.Context, pipelineName string) (executionID string, err error)
}

// Builds starts CodeBuild builds; input is the target input (the event, or the transformed
// input), which may carry overrides as StartBuild's JSON.
type Builds interface {
	StartBuildFromEvent(ctx context.Context, projectName string, input []byte) (buildID string, err error)
}

// Instances performs EC2 actions: "stop", "terminate", "reboot" (and "create-snapshot" on a
// volume id).
type Instances interface {
	InstanceAction(ctx context.Context, action, id string) error
}

// Options configure the service. The zero value delivers asynchronously on one background
// worker, with no external targets wired.
type Options struct {
	Topics    Topics
	LogGroups LogGroups
	Pipelines Pipelines
	Builds    Builds
	Instances Instances
	// SyncDelivery delivers to targets on the goroutine that produced the event (PutEvents,
	// Deliver, the schedule loop) instead of the background worker. Handy in tests.
	SyncDelivery bool
	// DeliveryLog is how many recent deliveries Deliveries remembers (default 1000).
	DeliveryLog int
}

// Service is Amazon EventBridge (CloudWatch Events). It is safe for concurrent use.
type Service struct {
	env   *core.Env
	d     *dispatch.Dispatcher
	opts  Options
	log   *slog.Logger
	buses *store.Table[busRecord]
	rules *store.Table[ruleRecord]

	pool      sync.Pool // *pattern.Event, reused across routing calls
	paths     struct{ version, id, detailType, source, account, time, region, resources pattern.Path }
	refreshMu sync.Mutex
	busMu     sync.Mutex // serialises UpdateEventBus and DeleteEventBus (read-modify-write)
	mu        sync.RWMutex
	busCache  map[string]*busState // key: account/region/bus
	handlers  map[string]Handler

	// background work
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	qmu     sync.Mutex
	queue   []delivery
	busy    int // deliveries taken off the queue but not finished
	qsignal chan struct{}
	qdone   chan struct{} // closed and replaced when the queue drains
	tmu     sync.Mutex
	timer   interface{ Stop() bool }
	closed  bool

	deliveries *deliverylog.Log[Delivery]
}

// Handler receives the deliveries of targets whose Arn it was registered under.
type Handler func(ctx context.Context, d *Delivery) error

// busState is the in-memory view of one bus's rules, rebuilt when they change.
type busState struct {
	account, region, name string
	rules                 map[string]*liveRule
	index                 *pattern.Index
	order                 []*liveRule
}

type liveRule struct {
	rec     ruleRecord
	pattern *pattern.Pattern
	sched   *schedule.Schedule
	nextRun time.Time
}

// New returns the EventBridge service, with its schedule loop and delivery worker running.
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("events: nil env")
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.DeliveryLog <= 0 {
		opts.DeliveryLog = 1000
	}
	s := &Service{
		deliveries: deliverylog.New(opts.DeliveryLog, func(d *Delivery, seq uint64) { d.Seq = seq }),
		env:        env,
		d:          env.Dispatcher("events", "events.amazonaws.com"),
		opts:       opts,
		log:        log,
		buses:      store.NewTable[busRecord](env.Store, "events/bus/"),
		rules:      store.NewTable[ruleRecord](env.Store, "events/rule/"),
		busCache:   map[string]*busState{},
		handlers:   map[string]Handler{},
		qsignal:    make(chan struct{}, 1),
		qdone:      make(chan struct{}),
	}
	s.paths.version, s.paths.id, s.paths.detailType = pattern.NewPath("version"), pattern.NewPath("id"), pattern.NewPath("detail-type")
	s.paths.source, s.paths.account, s.paths.time = pattern.NewPath("source"), pattern.NewPath("account"), pattern.NewPath("time")
	s.paths.region, s.paths.resources = pattern.NewPath("region"), pattern.NewPath("resources")
	ctx := context.Background()
	recs, err := s.rules.All(ctx, "")
	if err != nil {
		return nil, err
	}
	byBus := map[string][]ruleRecord{}
	for _, r := range recs {
		k := r.Account + "/" + r.Region + "/" + r.EventBusName
		byBus[k] = append(byBus[k], r)
	}
	now := env.Clock.Now()
	for k, rs := range byBus {
		parts := strings.SplitN(k, "/", 3)
		s.busCache[k] = buildBusState(parts[0], parts[1], parts[2], rs, nil, now)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.worker()
	s.armSchedule()
	return s, nil
}

// Close stops the schedule loop and the delivery worker (deliveries still queued are
// dropped) and waits for them.
func (s *Service) Close(ctx context.Context) error {
	s.cancel()
	s.stopSchedule()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RegisterHandler makes fn the receiver of every target whose Arn is arn (any string; e.g.
// "arn:aws:lambda:us-east-1:000000000000:function:my-fn" to stand in for a Lambda function).
// fn runs outside any lock, on the delivery worker. A nil fn unregisters.
func (s *Service) RegisterHandler(arn string, fn Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn == nil {
		delete(s.handlers, arn)
		return
	}
	s.handlers[arn] = fn
}

// OnTarget is RegisterHandler.
func (s *Service) OnTarget(arn string, fn Handler) { s.RegisterHandler(arn, fn) }

func busKey(account, region, bus string) string { return account + "/" + region + "/" + bus }

func buildBusState(account, region, bus string, recs []ruleRecord, prev *busState, now time.Time) *busState {
	st := &busState{account: account, region: region, name: bus, rules: map[string]*liveRule{}}
	var ids []string
	var ps []*pattern.Pattern
	for _, r := range recs {
		lr := &liveRule{rec: r}
		if r.EventPattern != "" {
			p, err := pattern.Compile(r.EventPattern)
			if err == nil {
				lr.pattern = p
			}
		}
		if r.ScheduleExpression != "" {
			if sc, err := schedule.Parse(r.ScheduleExpression); err == nil {
				lr.sched = sc
				if prev != nil {
					if old := prev.rules[r.Name]; old != nil && old.sched != nil && old.rec.ScheduleExpression == r.ScheduleExpression && old.rec.Anchor.Equal(r.Anchor) {
						lr.nextRun = old.nextRun
					}
				}
				if lr.nextRun.IsZero() {
					lr.nextRun = sc.Next(r.Anchor, now)
				}
			}
		}
		st.rules[r.Name] = lr
		st.order = append(st.order, lr)
		if lr.pattern != nil && r.State != StateDisabled {
			ids = append(ids, r.Name)
			ps = append(ps, lr.pattern)
		}
	}
	st.index = pattern.NewIndex(ids, ps)
	return st
}

// refreshBus reloads one bus's rules from the store into the cache.
func (s *Service) refreshBus(ctx context.Context, account, region, bus string) error {
	// serialised, so a slow reader never installs an older view over a newer one
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	recs, err := s.rules.All(ctx, account+"/"+region+"/"+bus+"/")
	if err != nil {
		return apierr.Wrap(err, "An internal error occurred.")
	}
	k := busKey(account, region, bus)
	s.mu.Lock()
	prev := s.busCache[k]
	if len(recs) == 0 {
		delete(s.busCache, k)
	} else {
		s.busCache[k] = buildBusState(account, region, bus, recs, prev, s.env.Clock.Now())
	}
	s.mu.Unlock()
	s.armSchedule()
	return nil
}

func (s *Service) busState(account, region, bus string) *busState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.busCache[busKey(account, region, bus)]
}
