package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// MetricSink receives the metric data points metric filters produce. The root wires it to
// CloudWatch metrics. It is called without any lock held, on the goroutine of PutLogEvents.
type MetricSink interface {
	PutMetric(ctx context.Context, namespace, name string, dims map[string]string, value float64, unit string, t time.Time) error
}

// Destination receives subscription filter deliveries whose destination ARN is not a log
// group of this service nor registered with RegisterDestination (Lambda functions, Kinesis
// streams, Firehose: the root wires whatever exists). payload is AWS's shape: gzipped JSON
// with messageType DATA_MESSAGE and logEvents.
type Destination interface {
	DeliverLogs(ctx context.Context, destinationARN string, payload []byte) error
}

// Options configures a Service. The zero value gives AWS's defaults.
type Options struct {
	// Metrics receives metric filter data points; nil drops them (SetMetricSink sets it later).
	Metrics MetricSink
	// Destinations receives subscription deliveries to ARNs the service does not own.
	Destinations Destination
	// MaxStoredBytes bounds the message bytes kept in memory across all streams; the oldest
	// events are evicted past it (0: 1 GiB).
	MaxStoredBytes int64
	// RetentionSweep is how often expired events are dropped (0: every 10 minutes of the
	// platform clock). Reads never return expired events, whatever the sweep interval.
	RetentionSweep time.Duration
	// DurableEvents also writes every accepted PutLogEvents batch to env.Store and replays
	// them in New, so log events survive a restart on the durable store (the root sets it
	// when the platform has a data directory).
	DurableEvents bool
	// QueryTimeout is how long a Logs Insights query may run before it times out (0: 60
	// minutes, as AWS).
	QueryTimeout time.Duration
}

// Service is CloudWatch Logs. It is safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	opts Options
	log  *slog.Logger

	groupsT  *store.Table[groupRecord]
	streamsT *store.Table[streamRecord]
	mfT      *store.Table[metricFilterRecord]
	sfT      *store.Table[subscriptionRecord]
	qdT      *store.Table[QueryDefinition]

	mu      sync.RWMutex
	groups  map[string]*group // scope + group name
	queries map[string]*query
	dests   map[string]func(context.Context, []byte) error

	sinkMu sync.RWMutex
	sink   MetricSink

	agentMu  sync.Mutex
	agents   map[string]*Agent       // by host ID
	agentCfg map[string]*AgentConfig // fetched configurations, by host ID

	total atomic.Int64 // message bytes stored

	bg      sync.WaitGroup
	bgCtx   context.Context
	cancel  context.CancelFunc
	sweepMu sync.Mutex
	sweep   clock.Timer
	closed  atomic.Bool
}

type group struct {
	rec     groupRecord
	streams map[string]*stream
	mfs     map[string]*metricFilter
	subs    map[string]*subscription
}

type stream struct {
	rec  streamRecord
	data *streamData
}

// New returns a CloudWatch Logs service on env.
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil || env.Clock == nil || env.Store == nil {
		return nil, fmt.Errorf("logs: env with Clock and Store required")
	}
	if opts.MaxStoredBytes <= 0 {
		opts.MaxStoredBytes = 1 << 30
	}
	if opts.RetentionSweep <= 0 {
		opts.RetentionSweep = 10 * time.Minute
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 60 * time.Minute
	}
	lg := env.Log
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		env:      env,
		d:        env.Dispatcher("logs", "logs.amazonaws.com"),
		opts:     opts,
		log:      lg,
		groupsT:  store.NewTable[groupRecord](env.Store, "logs/group/"),
		streamsT: store.NewTable[streamRecord](env.Store, "logs/stream/"),
		mfT:      store.NewTable[metricFilterRecord](env.Store, "logs/metricfilter/"),
		sfT:      store.NewTable[subscriptionRecord](env.Store, "logs/subscription/"),
		qdT:      store.NewTable[QueryDefinition](env.Store, "logs/querydef/"),
		groups:   map[string]*group{},
		queries:  map[string]*query{},
		dests:    map[string]func(context.Context, []byte) error{},
		sink:     opts.Metrics,
		agents:   map[string]*Agent{},
		agentCfg: map[string]*AgentConfig{},
	}
	s.bgCtx, s.cancel = context.WithCancel(context.Background())
	if err := s.load(context.Background()); err != nil {
		return nil, err
	}
	if opts.DurableEvents {
		if err := s.loadEvents(context.Background()); err != nil {
			return nil, err
		}
	}
	s.sweepMu.Lock()
	s.sweep = env.Clock.AfterFunc(opts.RetentionSweep, s.sweepTick)
	s.sweepMu.Unlock()
	return s, nil
}

// SetMetricSink sets (or replaces) where metric filters publish.
func (s *Service) SetMetricSink(m MetricSink) {
	s.sinkMu.Lock()
	s.sink = m
	s.sinkMu.Unlock()
}

// RegisterDestination makes arn a subscription destination served by fn (a Go subscriber).
// fn receives AWS's payload (gzipped JSON). The returned function unregisters it.
func (s *Service) RegisterDestination(arn string, fn func(ctx context.Context, payload []byte) error) (unregister func()) {
	s.mu.Lock()
	s.dests[arn] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.dests, arn)
		s.mu.Unlock()
	}
}

// Close stops background work (retention sweeps, running queries, agents) and waits for it.
func (s *Service) Close(ctx context.Context) error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	s.sweepMu.Lock()
	if s.sweep != nil {
		s.sweep.Stop()
	}
	s.sweepMu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.bg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) load(ctx context.Context) error {
	groups, err := s.groupsT.All(ctx, "")
	if err != nil {
		return err
	}
	for _, g := range groups {
		s.groups[g.Scope+g.Name] = &group{rec: g, streams: map[string]*stream{}, mfs: map[string]*metricFilter{}, subs: map[string]*subscription{}}
	}
	streams, err := s.streamsT.All(ctx, "")
	if err != nil {
		return err
	}
	for _, st := range streams {
		if g := s.groups[st.Scope+st.Group]; g != nil {
			g.streams[st.Name] = &stream{rec: st, data: &streamData{}}
		}
	}
	mfs, err := s.mfT.All(ctx, "")
	if err != nil {
		return err
	}
	for _, r := range mfs {
		if g := s.groups[r.Scope+r.Filter.LogGroupName]; g != nil {
			if mf, err := compileMetricFilter(r); err == nil {
				g.mfs[r.Filter.FilterName] = mf
			}
		}
	}
	subs, err := s.sfT.All(ctx, "")
	if err != nil {
		return err
	}
	for _, r := range subs {
		if g := s.groups[r.Scope+r.Filter.LogGroupName]; g != nil {
			if sf, err := compileSubscription(r); err == nil {
				g.subs[r.Filter.FilterName] = sf
			}
		}
	}
	return nil
}

func (s *Service) now() time.Time { return s.env.Clock.Now() }

func (s *Service) nowMillis() int64 { return s.env.Clock.Now().UnixMilli() }

// sweepTick drops expired events and reschedules itself.
func (s *Service) sweepTick() {
	if s.closed.Load() {
		return
	}
	s.Sweep()
	s.sweepMu.Lock()
	if !s.closed.Load() {
		s.sweep = s.env.Clock.AfterFunc(s.opts.RetentionSweep, s.sweepTick)
	}
	s.sweepMu.Unlock()
}

// Sweep drops the events that have outlived their log group's retention now. It runs on the
// platform clock every Options.RetentionSweep; reads hide expired events even between sweeps.
func (s *Service) Sweep() {
	now := s.nowMillis()
	type job struct {
		d      *streamData
		rec    streamRecord
		cutoff int64
	}
	var jobs []job
	s.mu.RLock()
	for _, g := range s.groups {
		if g.rec.RetentionInDays == 0 {
			continue
		}
		cutoff := retentionCutoff(now, g.rec.RetentionInDays)
		for _, st := range g.streams {
			jobs = append(jobs, job{st.data, st.rec, cutoff})
		}
	}
	s.mu.RUnlock()
	for _, j := range jobs {
		s.total.Add(-j.d.trimBefore(j.cutoff))
		s.dropPersisted(context.Background(), j.rec, j.cutoff, false)
	}
	s.purgeQueries()
}

func retentionCutoff(now int64, days int) int64 {
	if days <= 0 {
		return minTime
	}
	return now - int64(days)*24*int64(time.Hour/time.Millisecond)
}

const (
	minTime = -1 << 62
	maxTime = 1 << 62
)

// evict drops the oldest events, across all streams, until the store is under its bound.
func (s *Service) evict() {
	for s.total.Load() > s.opts.MaxStoredBytes {
		var oldest *streamData
		var ots int64
		s.mu.RLock()
		for _, g := range s.groups {
			for _, st := range g.streams {
				if ts, ok := st.data.oldest(); ok && (oldest == nil || ts < ots) {
					oldest, ots = st.data, ts
				}
			}
		}
		s.mu.RUnlock()
		if oldest == nil {
			return
		}
		over := s.total.Load() - s.opts.MaxStoredBytes
		n := 1
		if c := oldest.stats().count; c > 0 {
			avg := oldest.stats().bytes / int64(c)
			if avg > 0 {
				n = int(over/avg) + 1
			}
			n = max(n, c/16)
		}
		s.total.Add(-oldest.dropFirst(n))
	}
}

// ---- lookups ----

func (s *Service) groupKey(ctx context.Context, name string) string { return core.ScopeKey(ctx) + name }

// lookupGroup returns the group; callers hold s.mu.
func (s *Service) lookupGroupLocked(ctx context.Context, name string) (*group, error) {
	g := s.groups[s.groupKey(ctx, name)]
	if g == nil {
		return nil, ErrResourceNotFound.With("The specified log group does not exist.")
	}
	return g, nil
}

// resolveGroupName accepts a log group name or its ARN (logGroupIdentifier).
func resolveGroupName(name, identifier string) (string, error) {
	if name != "" && identifier != "" {
		return "", ErrInvalidParameter.With("LogGroupName and LogGroupIdentifier are mutually exclusive parameters.")
	}
	if identifier != "" {
		if strings.HasPrefix(identifier, "arn:") {
			i := strings.Index(identifier, ":log-group:")
			if i < 0 {
				return "", ErrInvalidParameter.With("Invalid log group identifier: %s", identifier)
			}
			n := identifier[i+len(":log-group:"):]
			n = strings.TrimSuffix(n, ":*")
			return n, nil
		}
		return identifier, nil
	}
	if name == "" {
		return "", ErrInvalidParameter.With("Either LogGroupName or LogGroupIdentifier is required.")
	}
	return name, nil
}

// streamOf returns the stream data of group/stream.
func (s *Service) streamOf(ctx context.Context, groupName, streamName string) (*group, *stream, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.lookupGroupLocked(ctx, groupName)
	if err != nil {
		return nil, nil, err
	}
	st := g.streams[streamName]
	if st == nil {
		return nil, nil, ErrResourceNotFound.With("The specified log stream does not exist.")
	}
	return g, st, nil
}

// sortedStreams returns the group's streams sorted by name; callers hold s.mu.
func sortedStreams(g *group) []*stream {
	out := make([]*stream, 0, len(g.streams))
	for _, st := range g.streams {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rec.Name < out[j].rec.Name })
	return out
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// do runs fn as operation op through the dispatcher (identity, audit, request ID).
func do[In, Out any](ctx context.Context, s *Service, op string, in *In, fn func(context.Context, *In) (*Out, error)) (*Out, error) {
	return dispatch.Do(ctx, s.d, op, in, fn)
}

func isAlreadyExists(err error) bool { return errors.Is(err, ErrResourceAlreadyExists) }
