package elbv2

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Errors callers match with errors.Is. Codes are the awsQuery error codes AWS answers with.
var (
	ErrLoadBalancerNotFound        = apierr.New(apierr.NotFound, "LoadBalancerNotFound", "The specified load balancer does not exist.")
	ErrTargetGroupNotFound         = apierr.New(apierr.NotFound, "TargetGroupNotFound", "The specified target group does not exist.")
	ErrListenerNotFound            = apierr.New(apierr.NotFound, "ListenerNotFound", "The specified listener does not exist.")
	ErrDuplicateLoadBalancerName   = apierr.New(apierr.AlreadyExists, "DuplicateLoadBalancerName", "A load balancer with the specified name already exists.")
	ErrDuplicateTargetGroupName    = apierr.New(apierr.AlreadyExists, "DuplicateTargetGroupName", "A target group with the specified name already exists.")
	ErrDuplicateListener           = apierr.New(apierr.AlreadyExists, "DuplicateListener", "A listener with the specified port already exists.")
	ErrDuplicateTagKeys            = apierr.New(apierr.Invalid, "DuplicateTagKeys", "A tag key was specified more than once.")
	ErrInvalidTarget               = apierr.New(apierr.Invalid, "InvalidTarget", "The specified target does not exist, is not in the same VPC as the target group, or has an unsupported instance type.")
	ErrResourceInUse               = apierr.New(apierr.Conflict, "ResourceInUse", "A specified resource is in use.")
	ErrTargetGroupAssociationLimit = apierr.New(apierr.LimitExceeded, "TargetGroupAssociationLimit", "You've reached the limit on the number of load balancers per target group.")
	ErrTooManyTags                 = apierr.New(apierr.LimitExceeded, "TooManyTags", "You've reached the limit on the number of tags for this resource.")
	ErrTooManyTargets              = apierr.New(apierr.LimitExceeded, "TooManyTargets", "You've reached the limit on the number of targets.")
	ErrTooManyListeners            = apierr.New(apierr.LimitExceeded, "TooManyListeners", "You've reached the limit on the number of listeners per load balancer.")
	ErrIncompatibleProtocols       = apierr.New(apierr.Invalid, "IncompatibleProtocols", "The specified configuration is not valid with this protocol.")
	ErrUnsupportedProtocol         = apierr.New(apierr.Unsupported, "UnsupportedProtocol", "The specified protocol is not supported.")
	ErrInvalidConfigurationRequest = apierr.New(apierr.Invalid, "InvalidConfigurationRequest", "The requested configuration is not valid.")
	ErrInvalidLoadBalancerAction   = apierr.New(apierr.Invalid, "InvalidLoadBalancerAction", "The requested action is not valid.")
	ErrSubnetNotFound              = apierr.New(apierr.NotFound, "SubnetNotFound", "The specified subnet does not exist.")
	ErrInvalidSubnet               = apierr.New(apierr.Invalid, "InvalidSubnet", "The specified subnet is out of available addresses.")
	ErrValidation                  = apierr.New(apierr.Invalid, "ValidationError", "Validation error.")
)

// Errors a Targets implementation returns (wrapped or as is) so the load balancer can tell a
// missing instance from a stopped one.
var (
	// ErrInstanceNotFound: no such instance (never existed, or terminated and gone).
	ErrInstanceNotFound = errors.New("elbv2: instance not found")
	// ErrInstanceNotRunning: the instance exists but is not running (pending, stopping,
	// stopped, shutting-down, terminated).
	ErrInstanceNotRunning = errors.New("elbv2: instance not running")
)

// Targets reaches the services of instances, as the load balancer's health checks and
// requests do. The root wires it to ec2sim: look the instance up, answer ErrInstanceNotFound or
// ErrInstanceNotRunning (possibly wrapped), else the host's Handler(port).
type Targets interface {
	// Handler returns the HTTP handler of the service listening on port of the instance; ok is
	// false when the instance runs but nothing listens there.
	Handler(ctx context.Context, instanceID string, port int) (h http.Handler, ok bool, err error)
}

// Subnets resolves subnets to their VPC and Availability Zone.
type Subnets interface {
	// Subnet returns the subnet's VPC id and zone name, or an error matching ErrSubnetNotFound.
	Subnet(ctx context.Context, subnetID string) (vpcID, zone string, err error)
}

// Deps are the other services the load balancer uses; any may be nil. Without Targets no
// target ever passes a health check (and registration cannot check instance state); without
// Subnets any well-formed subnet id is accepted and placed in the region's zones in order.
type Deps struct {
	Targets Targets
	Subnets Subnets
}

// Options configure the service; the zero value is usable.
type Options struct {
	// NoLoopback turns off the real loopback listener of each load balancer (Handler, Resolve
	// and ServeHTTP still work in process).
	NoLoopback bool
}

// Service is Elastic Load Balancing v2 (Application Load Balancers). It is safe for concurrent
// use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	log  *slog.Logger
	deps Deps
	opts Options

	lbs       *store.Table[lbRecord]
	tgs       *store.Table[tgRecord]
	listeners *store.Table[listenerRecord]

	opMu sync.Mutex // serialises mutations (store then runtime)
	rt   runtime

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type lbRecord struct {
	Name           string             `json:"name"`
	ARN            string             `json:"arn"`
	DNSName        string             `json:"dnsName"`
	Scheme         string             `json:"scheme"`
	Type           string             `json:"type"`
	IPAddressType  string             `json:"ipAddressType"`
	VpcID          string             `json:"vpcId,omitempty"`
	Zones          []AvailabilityZone `json:"zones"`
	SecurityGroups []string           `json:"securityGroups,omitempty"`
	Created        time.Time          `json:"created"`
	Tags           []Tag              `json:"tags,omitempty"`
}

type healthConfig struct {
	Enabled   bool   `json:"enabled"`
	Protocol  string `json:"protocol"`
	Port      string `json:"port"`
	Path      string `json:"path"`
	Interval  int    `json:"interval"`
	Timeout   int    `json:"timeout"`
	Healthy   int    `json:"healthy"`
	Unhealthy int    `json:"unhealthy"`
	Matcher   string `json:"matcher"`
}

type targetRecord struct {
	ID         string    `json:"id"`
	Port       int       `json:"port"`
	DrainUntil time.Time `json:"drainUntil,omitzero"`
}

type tgRecord struct {
	Name            string            `json:"name"`
	ARN             string            `json:"arn"`
	Protocol        string            `json:"protocol"`
	ProtocolVersion string            `json:"protocolVersion"`
	Port            int               `json:"port"`
	VpcID           string            `json:"vpcId"`
	TargetType      string            `json:"targetType"`
	IPAddressType   string            `json:"ipAddressType"`
	HC              healthConfig      `json:"hc"`
	Attributes      map[string]string `json:"attributes,omitempty"`
	Targets         []targetRecord    `json:"targets,omitempty"`
	Created         time.Time         `json:"created"`
	Tags            []Tag             `json:"tags,omitempty"`
}

type listenerRecord struct {
	ARN      string    `json:"arn"`
	LBName   string    `json:"lbName"`
	LBARN    string    `json:"lbArn"`
	Port     int       `json:"port"`
	Protocol string    `json:"protocol"`
	Actions  []Action  `json:"actions"`
	Created  time.Time `json:"created"`
	Tags     []Tag     `json:"tags,omitempty"`
}

// New returns the service. Load balancers, target groups and listeners already in env's store
// (a durable store) come back with fresh loopback listeners; their targets start again in the
// initial health state.
func New(env *core.Env, deps Deps, opts Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("elbv2: nil env")
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		env: env, d: env.Dispatcher("elasticloadbalancing", "elasticloadbalancing.amazonaws.com"),
		log: log, deps: deps, opts: opts,
		lbs:       store.NewTable[lbRecord](env.Store, "elbv2/lb/"),
		tgs:       store.NewTable[tgRecord](env.Store, "elbv2/tg/"),
		listeners: store.NewTable[listenerRecord](env.Store, "elbv2/listener/"),
		ctx:       ctx, cancel: cancel,
	}
	s.rt.init()
	if err := s.load(ctx); err != nil {
		cancel()
		_ = s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

// load rebuilds the runtime from the store.
func (s *Service) load(ctx context.Context) error {
	lbs, err := s.lbs.All(ctx, "")
	if err != nil {
		return err
	}
	for _, lb := range lbs {
		if err := s.openLB(lb); err != nil {
			return err
		}
	}
	tgs, err := s.tgs.All(ctx, "")
	if err != nil {
		return err
	}
	for _, tg := range tgs {
		s.syncTG(tg)
	}
	ls, err := s.listeners.All(ctx, "")
	if err != nil {
		return err
	}
	var jobs []checkJob
	for _, l := range ls {
		jobs = append(jobs, s.syncListener(l)...)
	}
	s.runChecks(jobs)
	return nil
}

// Close stops health checks, closes every load balancer's listener and waits for background
// work. The service must not be used afterwards.
func (s *Service) Close(ctx context.Context) error {
	s.rt.mu.Lock()
	if s.rt.closed {
		s.rt.mu.Unlock()
		return nil
	}
	s.rt.closed = true
	var lbs []*lbRT
	for _, lb := range s.rt.lbs {
		lbs = append(lbs, lb)
	}
	for _, tg := range s.rt.tgs {
		tg.stopTimer()
	}
	s.rt.mu.Unlock()
	s.cancel()
	for _, lb := range lbs {
		lb.shutdown(ctx)
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ---- ids, keys and ARNs

func randHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func randDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

func scopeKey(account, region, name string) string { return account + "/" + region + "/" + name }

// arnParts splits an ELBv2 ARN: arn:aws:elasticloadbalancing:region:account:resource.
func arnParts(arn string) (region, account, resource string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "elasticloadbalancing" || p[3] == "" || p[4] == "" {
		return "", "", "", false
	}
	return p[3], p[4], p[5], true
}

// lbKeyOf returns the store key of a load balancer ARN (loadbalancer/app/name/id).
func lbKeyOf(arn string) (string, bool) {
	region, account, res, ok := arnParts(arn)
	if !ok {
		return "", false
	}
	p := strings.Split(res, "/")
	if len(p) != 4 || p[0] != "loadbalancer" || p[1] == "" || p[2] == "" || p[3] == "" {
		return "", false
	}
	return scopeKey(account, region, p[2]), true
}

// tgKeyOf returns the store key of a target group ARN (targetgroup/name/id).
func tgKeyOf(arn string) (string, bool) {
	region, account, res, ok := arnParts(arn)
	if !ok {
		return "", false
	}
	p := strings.Split(res, "/")
	if len(p) != 3 || p[0] != "targetgroup" || p[1] == "" || p[2] == "" {
		return "", false
	}
	return scopeKey(account, region, p[1]), true
}

// listenerKeyOf returns the store key of a listener ARN (listener/app/lb/lbid/id) and the key
// of its load balancer.
func listenerKeyOf(arn string) (key, lbKey string, ok bool) {
	region, account, res, ok := arnParts(arn)
	if !ok {
		return "", "", false
	}
	p := strings.Split(res, "/")
	if len(p) != 5 || p[0] != "listener" || p[2] == "" || p[3] == "" || p[4] == "" {
		return "", "", false
	}
	return scopeKey(account, region, p[2]+"/"+p[4]), scopeKey(account, region, p[2]), true
}

// inScope reports whether an ARN belongs to the caller's account and region.
func inScope(ctx context.Context, arn string) bool {
	region, account, _, ok := arnParts(arn)
	if !ok {
		return false
	}
	a, r := core.Scope(ctx)
	return a == account && r == region
}

func validation(format string, args ...any) error {
	return ErrValidation.With(format, args...)
}

func notNull(v, member string) error {
	if v == "" {
		return validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return nil
}

func storeErr(err error) error {
	if err == nil {
		return nil
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return err
	}
	return apierr.Wrap(err, "An internal error occurred.")
}

func (s *Service) now() time.Time { return s.env.Clock.Now().UTC() }

func joinQuoted(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = "'" + id + "'"
	}
	return strings.Join(q, ", ")
}
