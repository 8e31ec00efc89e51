package ec2sim

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/store"
)

// Host is one simulated machine: what deployments and user data act on. *host.Host
// implements it.
type Host interface {
	ID() string
	// FS is the host's private file system.
	FS() *hostfs.FS
	// Run runs a shell script as root; RunAs as another user. A non-zero exit is data in the
	// Result; the error means the script could not run.
	Run(ctx context.Context, cmd *runner.Command) (runner.Result, error)
	RunAs(ctx context.Context, user string, cmd *runner.Command) (runner.Result, error)
	ReadFile(name string) ([]byte, error)
	WriteFile(name string, data []byte, perm fs.FileMode) error
	Services() []host.ServiceStatus
	ServiceActive(name string) bool
	Packages() []string
	Tags() map[string]string
	// URL is the real loopback URL of the web service on the host's port (e.g. 80), "" if
	// none listens; Handler is the same service without a socket.
	URL(port int) string
	Handler(port int) (http.Handler, bool)
	Console() []byte
	RegisterCommand(name string, c host.Command)
}

var _ Host = (*host.Host)(nil)

// Options configure the service; the zero value is usable.
type Options struct {
	// PendingTime, StoppingTime and ShuttingDownTime are how long instances stay in those
	// states on the platform clock (default 0: the next state is scheduled at once, still
	// asynchronously). ImagePendingTime is how long a new image stays pending.
	PendingTime      time.Duration
	StoppingTime     time.Duration
	ShuttingDownTime time.Duration
	ImagePendingTime time.Duration
	// TerminatedVisibleFor is how long terminated instances stay visible (default 1h).
	TerminatedVisibleFor time.Duration
	// MaxInstances caps the instances (not terminated) per account and region (default 20,000).
	MaxInstances int
	// MaxAddresses caps the Elastic IP addresses per account and region (default 5, EC2's
	// default quota).
	MaxAddresses int
	// BootConcurrency caps how many hosts run their user data at once (default 8).
	BootConcurrency int
	// Metrics, when set, receives AWS/EC2 CPUUtilization every minute of the platform clock
	// (see PublishMetrics); the root wires it to CloudWatch.
	Metrics MetricPublisher
	// Commands, Packages and RealPrograms are given to every host (see host.Options).
	Commands     map[string]host.Command
	Packages     map[string]host.Package
	RealPrograms []string
	// Network resolves names the hosts do not know themselves (other platform endpoints).
	Network func(hostname string, port int) (http.Handler, bool)
}

// Service is Amazon EC2: instances running on simulated hosts, images, launch templates,
// tags and a default VPC. It is safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	clk  clock.Clock
	log  *slog.Logger
	opts Options

	instances   *store.Table[instanceRecord]
	images      *store.Table[imageRecord]
	amiNames    *store.Table[string] // image id by region/account/name: AMI names are unique per account and region
	templates   *store.Table[templateRecord]
	versions    *store.Table[LaunchTemplateVersion]
	vpcs        *store.Table[vpcRecord]
	subnets     *store.Table[subnetRecord]
	groups      *store.Table[groupRecord]
	keyPairs    *store.Table[keyPairRecord]
	igws        *store.Table[igwRecord]
	routeTables *store.Table[routeTableRecord]
	addresses   *store.Table[addressRecord]

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	bootSem chan struct{}

	netMu     sync.Mutex // serialises VPC and subnet creation and deletion (CIDR checks)
	mu        sync.Mutex
	closed    bool
	inst      map[string]*instanceRecord // every instance, by id (mirror of the store)
	order     []*slot                    // instances in launch order
	slots     map[string]*slot
	nextPurge time.Time
	hosts     map[string]*host.Host
	booted    map[string]chan struct{} // closed when the current boot's user data finished
	imageFS   map[string]*hostfs.FS
	snapOS    map[string]string // distro of the snapshots made here
	baseFS    map[string]*hostfs.FS
	timers    map[int]timerEntry
	nextT     int
	busy      int
	idle      *sync.Cond
	defaults  map[string]bool    // scopes whose default VPC exists
	catalog   *host.Catalog      // built-in commands and packages shared by the hosts
	tagIdx    map[string][]*slot // instances by scope, tag key and value, in launch order
	viewMu    sync.Mutex
	views     map[string]*resView // DescribeInstances output per reservation, under viewMu
	cpuMu     sync.Mutex
	cpu       map[string]float64 // CPU utilisation per instance (SetCPU)
	nextSeq   uint64
}

// New returns the EC2 service. Close it to stop its timers and hosts.
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil || env.Store == nil || env.Clock == nil {
		return nil, errors.New("ec2sim: env with a store and a clock is required")
	}
	if opts.TerminatedVisibleFor <= 0 {
		opts.TerminatedVisibleFor = time.Hour
	}
	if opts.MaxInstances <= 0 {
		opts.MaxInstances = 20000
	}
	if opts.MaxAddresses <= 0 {
		opts.MaxAddresses = 5
	}
	if opts.BootConcurrency <= 0 {
		opts.BootConcurrency = 8
	}
	lg := env.Log
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		env: env, d: env.Dispatcher("ec2", "ec2.amazonaws.com"), clk: env.Clock, log: lg, opts: opts,
		instances:   store.NewTable[instanceRecord](env.Store, "ec2/instances/"),
		images:      store.NewTable[imageRecord](env.Store, "ec2/images/"),
		amiNames:    store.NewTable[string](env.Store, "ec2/aminames/"),
		templates:   store.NewTable[templateRecord](env.Store, "ec2/templates/"),
		versions:    store.NewTable[LaunchTemplateVersion](env.Store, "ec2/ltversions/"),
		vpcs:        store.NewTable[vpcRecord](env.Store, "ec2/vpcs/"),
		subnets:     store.NewTable[subnetRecord](env.Store, "ec2/subnets/"),
		groups:      store.NewTable[groupRecord](env.Store, "ec2/groups/"),
		keyPairs:    store.NewTable[keyPairRecord](env.Store, "ec2/keypairs/"),
		igws:        store.NewTable[igwRecord](env.Store, "ec2/igws/"),
		routeTables: store.NewTable[routeTableRecord](env.Store, "ec2/routetables/"),
		addresses:   store.NewTable[addressRecord](env.Store, "ec2/addresses/"),
		ctx:         ctx, cancel: cancel, bootSem: make(chan struct{}, opts.BootConcurrency),
		inst: map[string]*instanceRecord{}, slots: map[string]*slot{}, hosts: map[string]*host.Host{}, booted: map[string]chan struct{}{},
		imageFS: map[string]*hostfs.FS{}, snapOS: map[string]string{}, baseFS: map[string]*hostfs.FS{}, timers: map[int]timerEntry{},
		defaults: map[string]bool{}, catalog: host.NewCatalog(), tagIdx: map[string][]*slot{}, cpu: map[string]float64{}, views: map[string]*resView{},
	}
	s.idle = sync.NewCond(&s.mu)
	s.nextPurge = env.Clock.Now() // a first pass drops stale terminated instances
	recs, err := s.instances.All(context.Background(), "")
	if err != nil {
		cancel()
		return nil, err
	}
	slices.SortFunc(recs, func(a, b instanceRecord) int {
		if c := a.LaunchTime.Compare(b.LaunchTime); c != 0 {
			return c
		}
		return strings.Compare(a.InstanceID, b.InstanceID)
	})
	for i := range recs {
		r := recs[i]
		s.inst[r.InstanceID] = &r
		s.addSlot(&r)
	}
	if opts.Metrics != nil {
		s.wg.Add(1)
		s.startMetrics()
	}
	return s, nil
}

// Close stops the service's timers and background boots and shuts every host down.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for id, t := range s.timers {
		if t.t.Stop() {
			s.wg.Done()
		}
		delete(s.timers, id)
	}
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	hosts := make([]*host.Host, 0, len(s.hosts))
	for _, h := range s.hosts {
		hosts = append(hosts, h)
	}
	s.hosts = map[string]*host.Host{}
	s.mu.Unlock()
	for _, h := range hosts {
		_ = h.Close()
	}
	return nil
}

type timerEntry struct {
	t   clock.Timer
	due time.Time
}

// after runs fn on the platform clock after d, as background work owned by the service.
func (s *Service) after(d time.Duration, fn func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	id := s.nextT
	s.nextT++
	due := s.clk.Now().Add(d)
	t := s.clk.AfterFunc(d, func() {
		defer s.wg.Done()
		s.mu.Lock()
		delete(s.timers, id)
		s.busy++
		s.mu.Unlock()
		defer s.doneBusy()
		if s.ctx.Err() != nil {
			return
		}
		fn(s.ctx)
	})
	if _, fired := s.timers[id]; !fired {
		s.timers[id] = timerEntry{t: t, due: due}
	}
}

// spawn runs fn in the background now.
func (s *Service) spawn(fn func(ctx context.Context)) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.busy++
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer s.doneBusy()
		fn(s.ctx)
	}()
}

func (s *Service) doneBusy() {
	s.mu.Lock()
	s.busy--
	s.idle.Broadcast()
	s.mu.Unlock()
}

// Settle waits until the service is quiet: no transition or boot running and no timer due by
// the clock's current time (on a manual clock, advance it first; timers due later are left
// alone). It returns early with ctx's error.
func (s *Service) Settle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for ctx.Err() == nil {
		due := 0
		now := s.clk.Now()
		for _, t := range s.timers {
			if !t.due.After(now) {
				due++
			}
		}
		if s.busy == 0 && due == 0 {
			return nil
		}
		if due > 0 && s.busy == 0 {
			// A due timer has not started yet: poll briefly (it starts on its own goroutine).
			s.mu.Unlock()
			runtime.Gosched()
			s.mu.Lock()
			continue
		}
		s.idle.Wait()
	}
	return ctx.Err()
}

// Host returns the simulated machine of an instance (any account).
func (s *Service) Host(instanceID string) (Host, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hosts[instanceID]
	if !ok {
		return nil, false
	}
	return h, true
}

// MachineOf is Host with the concrete type (services, packages, IMDS and more).
func (s *Service) MachineOf(instanceID string) (*host.Host, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hosts[instanceID]
	return h, ok
}

// WaitBooted waits until the instances are running and their user data has finished.
func (s *Service) WaitBooted(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		for {
			s.mu.Lock()
			r, ok := s.inst[id]
			ch := s.booted[id]
			var state string
			if ok {
				state = r.State.Name
			}
			s.mu.Unlock()
			if !ok {
				return ErrInstanceNotFound.With("The instance ID '%s' does not exist", id)
			}
			if state == "terminated" || state == "shutting-down" || state == "stopped" || state == "stopping" {
				return ErrIncorrectInstanceState.With("The instance '%s' is %s.", id, state)
			}
			if ch == nil {
				return fmt.Errorf("ec2sim: instance %s is not booting", id)
			}
			select {
			case <-ch:
			case <-ctx.Done():
				return ctx.Err()
			}
			s.mu.Lock()
			same := s.booted[id] == ch
			s.mu.Unlock()
			if same {
				break
			}
		}
	}
	return nil
}

func newID(prefix string) string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return prefix + "-0" + hex.EncodeToString(b[:])[:16]
}

func validID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"-")
	if !ok || (len(rest) != 8 && len(rest) != 17) {
		return false
	}
	for _, c := range rest {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func scope(ctx context.Context) string { return core.ScopeKey(ctx) }

func tagsToMap(tags []Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func mapToTags(m map[string]string) []Tag {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Tag, len(keys))
	for i, k := range keys {
		out[i] = Tag{Key: k, Value: m[k]}
	}
	return out
}

// validateTags applies EC2's tag rules: at most 50, keys 1-128 chars, values up to 256, no
// "aws:" prefix from users.
func validateTags(tags []Tag, internal bool) error {
	if len(tags) > 50 {
		return apierr.New(apierr.Invalid, "TagLimitExceeded", "The maximum number of tags per resource is 50")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return ErrInvalidParameterValue.With("Tag key must be between 1 and 128 characters")
		}
		if len(t.Value) > 256 {
			return ErrInvalidParameterValue.With("Tag value exceeds the maximum length of 256 characters")
		}
		if !internal && strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return ErrInvalidParameterValue.With("Value ( %s ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use", t.Key)
		}
	}
	return nil
}

// encodeToken and decodeToken make opaque pagination tokens.
func encodeToken(s string) string {
	if s == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeToken(t string) (string, error) {
	if t == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return "", ErrInvalidNextToken.With("The token '%s' is invalid.", t)
	}
	return string(b), nil
}

// pageLimit validates MaxResults (min..max, 0 for all).
func pageLimit(n int32, min, max int) (int, error) {
	if n == 0 {
		return 0, nil
	}
	if int(n) < min || int(n) > max {
		return 0, ErrInvalidParameterValue.With("Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than %d and less than %d.", n, min-1, max+1)
	}
	return int(n), nil
}

func scopeParts(ctx context.Context) (account, region string) { return core.Scope(ctx) }

// InstanceInfo reports an instance's state name and whether its current boot (user data)
// finished, for other parts of the platform (Auto Scaling, CodeDeploy); it is not an API
// call.
func (s *Service) InstanceInfo(id string) (state string, booted bool, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.inst[id]
	if !ok {
		return "", false, false
	}
	return r.State.Name, r.Booted, true
}

// slot holds an instance's current record in launch order (records are replaced, not
// mutated, so readers may keep a pointer).
type slot struct {
	rec *instanceRecord
	seq uint64 // launch order
}

// tagKey is the tag index key of a tag in a scope.
func tagKey(scope, key, value string) string { return scope + "\x00" + key + "\x00" + value }

// indexTags moves a slot in the tag index from old's tags to nw's (either may be nil);
// s.mu is held. Each index entry lists its slots in launch order.
func (s *Service) indexTags(sl *slot, old, nw *instanceRecord) {
	if old != nil && nw != nil && old.Scope == nw.Scope && slices.Equal(old.Tags, nw.Tags) {
		return
	}
	bySeq := func(a *slot, seq uint64) int { return cmp.Compare(a.seq, seq) }
	if old != nil {
		for _, t := range old.Tags {
			k := tagKey(old.Scope, t.Key, t.Value)
			list := s.tagIdx[k]
			if i, found := slices.BinarySearchFunc(list, sl.seq, bySeq); found {
				list = slices.Delete(list, i, i+1)
			}
			if len(list) == 0 {
				delete(s.tagIdx, k)
			} else {
				s.tagIdx[k] = list
			}
		}
	}
	if nw != nil {
		for _, t := range nw.Tags {
			k := tagKey(nw.Scope, t.Key, t.Value)
			list := s.tagIdx[k]
			if n := len(list); n == 0 || list[n-1].seq < sl.seq {
				s.tagIdx[k] = append(list, sl)
			} else if i, found := slices.BinarySearchFunc(list, sl.seq, bySeq); !found {
				s.tagIdx[k] = slices.Insert(list, i, sl)
			}
		}
	}
}

// addSlot registers a new instance record in launch order; s.mu is held.
func (s *Service) addSlot(r *instanceRecord) {
	s.nextSeq++
	sl := &slot{rec: r, seq: s.nextSeq}
	s.slots[r.InstanceID] = sl
	s.order = append(s.order, sl)
	s.indexTags(sl, nil, r)
}
