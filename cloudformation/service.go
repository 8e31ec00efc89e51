package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation/template"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Errors callers match with errors.Is.
var (
	ErrValidation             = apierr.New(apierr.Invalid, "ValidationError", "validation error")
	ErrAlreadyExists          = apierr.New(apierr.AlreadyExists, "AlreadyExistsException", "already exists")
	ErrInsufficientCapability = apierr.New(apierr.Invalid, "InsufficientCapabilitiesException", "insufficient capabilities")
	ErrChangeSetNotFound      = apierr.New(apierr.NotFound, "ChangeSetNotFound", "change set not found")
	ErrInvalidChangeSetStatus = apierr.New(apierr.Invalid, "InvalidChangeSetStatus", "invalid change set status")
	ErrTokenAlreadyExists     = apierr.New(apierr.AlreadyExists, "TokenAlreadyExistsException", "token already exists")
	ErrLimitExceeded          = apierr.New(apierr.LimitExceeded, "LimitExceededException", "limit exceeded")
)

func validation(format string, args ...any) *apierr.Error {
	return ErrValidation.With(format, args...)
}

// Request is what a provider gets for one resource operation.
type Request struct {
	StackID    string
	StackName  string
	LogicalID  string
	Type       string
	PhysicalID string // Update and Delete
	// Properties are the resolved properties (every intrinsic evaluated, AWS::NoValue removed).
	Properties map[string]any
	// OldProperties are the properties before an update (Update only).
	OldProperties map[string]any
	// Attributes are the attributes the last Create/Update returned (Update and Delete).
	Attributes map[string]any
	// Tags are the stack's tags plus aws:cloudformation:stack-name, -stack-id and -logical-id,
	// for types that take tags.
	Tags []Tag
	// Snapshot is set on Delete when DeletionPolicy/UpdateReplacePolicy is Snapshot.
	Snapshot bool
	// UpdatePolicy is the resource's evaluated UpdatePolicy attribute (Update only), e.g.
	// {"AutoScalingRollingUpdate": {"MinInstancesInService": "1", "MaxBatchSize": "2", ...}}:
	// providers that roll instances honour it. AutoScalingReplacingUpdate with WillReplace
	// true is honoured by the engine itself (the update becomes a replacement).
	UpdatePolicy map[string]any
	// CreationPolicy is the resource's evaluated CreationPolicy attribute (Create), e.g.
	// AutoScalingCreationPolicy.MinSuccessfulInstancesPercent; ResourceSignal is honoured by
	// the engine (the resource completes after its signals).
	CreationPolicy map[string]any
}

// Result is what a provider returns after Create or Update.
type Result struct {
	// PhysicalID is the resource's physical ID: what Ref returns unless RefValue is set.
	PhysicalID string
	// Attributes are the Fn::GetAtt values.
	Attributes map[string]any
}

// Provider creates, updates and deletes one resource type. Calls carry the stack caller's
// identity in ctx. A Delete of a resource that no longer exists should return nil or an error
// matching apierr.NotFound (both count as deleted).
type Provider interface {
	Create(ctx context.Context, req *Request) (*Result, error)
	Update(ctx context.Context, req *Request) (*Result, error)
	Delete(ctx context.Context, req *Request) error
}

// ProviderFuncs adapts functions to Provider (and Reader); a nil Update means every change
// replaces, a nil Read that drift detection reports NOT_CHECKED.
type ProviderFuncs struct {
	CreateFunc func(ctx context.Context, req *Request) (*Result, error)
	UpdateFunc func(ctx context.Context, req *Request) (*Result, error)
	DeleteFunc func(ctx context.Context, req *Request) error
	ReadFunc   func(ctx context.Context, req *Request) (map[string]any, error)
}

func (p ProviderFuncs) Read(ctx context.Context, req *Request) (map[string]any, error) {
	if p.ReadFunc == nil {
		return nil, ErrNotReadable
	}
	return p.ReadFunc(ctx, req)
}

func (p ProviderFuncs) Create(ctx context.Context, req *Request) (*Result, error) {
	return p.CreateFunc(ctx, req)
}
func (p ProviderFuncs) Update(ctx context.Context, req *Request) (*Result, error) {
	if p.UpdateFunc == nil {
		return nil, errReplace
	}
	return p.UpdateFunc(ctx, req)
}
func (p ProviderFuncs) Delete(ctx context.Context, req *Request) error {
	if p.DeleteFunc == nil {
		return nil
	}
	return p.DeleteFunc(ctx, req)
}

var errReplace = errors.New("replacement required")

// TypeSpec describes one resource type to the engine.
type TypeSpec struct {
	Provider Provider
	// Attributes are the Fn::GetAtt names the type supports; "Outputs.*" style prefixes end
	// in ".*". Empty: any attribute the provider returns.
	Attributes []string
	// ReplaceOn are the top-level properties whose change requires replacement; "*" makes
	// every change a replacement.
	ReplaceOn []string
	// Taggable types get the stack's tags in Request.Tags.
	Taggable bool
	// RollbackFailedUpdate: the provider's Update may have changed the resource before it
	// failed (e.g. a rolling update that replaced some instances), so an update rollback calls
	// Update again with the previous properties and UpdatePolicy.
	RollbackFailedUpdate bool
}

// Options configure the service; the zero value is usable.
type Options struct {
	// Parallelism bounds how many resources one stack operation works on at once (default 16).
	Parallelism int
	// AZs lists a region's Availability Zones for Fn::GetAZs (default: region + a, b, c).
	AZs func(region string) []string
	// SSM resolves SSM parameter types and {{resolve:ssm:...}} references; nil refuses them.
	SSM ParameterStore
	// ResourceExists checks AWS-specific parameter values (AWS::EC2::VPC::Id...) exist; nil
	// skips the check.
	ResourceExists func(ctx context.Context, paramType, value string) (bool, error)
	// WaitConditionURL is the base of WaitConditionHandle URLs (default
	// "https://cloudformation-waitcondition-<region>.s3.amazonaws.com/").
	WaitConditionURL string
	// Notifier publishes stack events to the stacks' NotificationARNs (SNS); nil drops them.
	Notifier Notifier
}

// Notifier is what the service needs from SNS: publish one message to a topic.
type Notifier interface {
	Publish(ctx context.Context, topicARN, subject, message string) error
}

// ParameterStore is what the service needs from Systems Manager Parameter Store: reads for
// SSM parameter types and dynamic references, writes for AWS::SSM::Parameter resources.
type ParameterStore interface {
	// GetParameter returns the value (decrypted for SecureString) and type of a parameter,
	// or an error matching apierr.NotFound.
	GetParameter(ctx context.Context, name string) (value, typ string, err error)
	// PutParameter creates (overwrite false: fails if it exists) or overwrites a parameter.
	PutParameter(ctx context.Context, name, value, typ string, overwrite bool) error
	// DeleteParameter deletes a parameter, or returns an error matching apierr.NotFound.
	DeleteParameter(ctx context.Context, name string) error
}

// Service is AWS CloudFormation. It is safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	log  *slog.Logger
	opts Options

	stacks     *store.Table[stackRecord]
	names      *store.Table[string] // scope+name -> stack uuid (live stacks)
	resources  *store.Table[resourceRecord]
	events     *store.Table[[]StackEvent]
	exports    *store.Table[exportRecord]
	imports    *store.Table[string]
	changeSets *store.Table[changeSetRecord]
	tokens     *store.Table[string]
	drifts     *store.Table[StackResourceDrift] // stack key/logical ID -> last result
	driftRuns  *store.Table[driftRecord]

	mu      sync.Mutex
	types   map[string]TypeSpec
	custom  map[string]CustomHandler
	running map[string]*operation // by stack ID
	signals *signalBox
	seq     atomic.Int64
	tmplMu  sync.Mutex
	tmpls   map[string]cachedTemplate // by stack ID

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

// New returns the CloudFormation service with its built-in resource types registered
// (AWS::CloudFormation::Stack, WaitCondition, WaitConditionHandle, CustomResource and
// Custom::*, AWS::S3::Bucket).
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("cloudformation: nil env")
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = 16
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		env: env, d: env.Dispatcher("cloudformation", "cloudformation.amazonaws.com"), log: log, opts: opts,
		stacks:     store.NewTable[stackRecord](env.Store, "cloudformation/stack/"),
		names:      store.NewTable[string](env.Store, "cloudformation/name/"),
		resources:  store.NewTable[resourceRecord](env.Store, "cloudformation/resource/"),
		events:     store.NewTable[[]StackEvent](env.Store, "cloudformation/event/"),
		exports:    store.NewTable[exportRecord](env.Store, "cloudformation/export/"),
		imports:    store.NewTable[string](env.Store, "cloudformation/import/"),
		changeSets: store.NewTable[changeSetRecord](env.Store, "cloudformation/changeset/"),
		tokens:     store.NewTable[string](env.Store, "cloudformation/token/"),
		drifts:     store.NewTable[StackResourceDrift](env.Store, "cloudformation/drift/"),
		driftRuns:  store.NewTable[driftRecord](env.Store, "cloudformation/driftrun/"),
		types:      map[string]TypeSpec{},
		custom:     map[string]CustomHandler{},
		running:    map[string]*operation{},
		signals:    newSignalBox(),
		ctx:        ctx, cancel: cancel,
	}
	s.seq.Store(max(env.Clock.Now().UnixNano(), lastEventSeq(env.Store)+1<<20)) // past the last chunk's events
	s.tmpls = map[string]cachedTemplate{}
	s.registerBuiltins()
	return s, nil
}

// lastEventSeq is the highest event sequence number stored (events keep their order across
// restarts on a durable store, whatever the clock says).
func lastEventSeq(st store.Store) int64 {
	var last int64
	after := ""
	for {
		items, next, err := st.List(context.Background(), "cloudformation/event/", after, 1000)
		if err != nil {
			return last
		}
		for _, it := range items {
			if i := strings.LastIndexByte(it.Key, '/'); i >= 0 {
				if n, err := strconv.ParseInt(it.Key[i+1:], 10, 64); err == nil && n > last {
					last = n
				}
			}
		}
		if next == "" {
			return last
		}
		after = next
	}
}

// Close cancels running stack operations and waits for them.
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

// RegisterProvider makes resource type typeName provisionable. Registering "Custom::*" style
// names is not needed: custom resources are built in (see RegisterCustomResource).
func (s *Service) RegisterProvider(typeName string, spec TypeSpec) {
	s.mu.Lock()
	s.types[typeName] = spec
	s.mu.Unlock()
}

// ResourceTypes lists the registered resource types.
func (s *Service) ResourceTypes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return template.SortedKeys(s.types)
}

func (s *Service) spec(typ string) (TypeSpec, bool) {
	if strings.HasPrefix(typ, "Custom::") {
		typ = "AWS::CloudFormation::CustomResource"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.types[typ]
	return sp, ok
}

func (s *Service) now() time.Time { return s.env.Clock.Now().UTC() }

// Records ----------------------------------------------------------------------------------

type paramRecord struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Resolved string `json:"resolved,omitempty"`
	NoEcho   bool   `json:"noEcho,omitempty"`
}

type stackRecord struct {
	ID               string        `json:"id"`
	UUID             string        `json:"uuid"`
	Name             string        `json:"name"`
	Account          string        `json:"account"`
	Region           string        `json:"region"`
	Status           string        `json:"status"`
	Reason           string        `json:"reason,omitempty"`
	Description      string        `json:"description,omitempty"`
	Body             string        `json:"body"`
	Processed        string        `json:"processed,omitempty"`
	Params           []paramRecord `json:"params,omitempty"`
	Capabilities     []string      `json:"capabilities,omitempty"`
	NotificationARNs []string      `json:"notificationARNs,omitempty"`
	Tags             []Tag         `json:"tags,omitempty"`
	DisableRollback  bool          `json:"disableRollback,omitempty"`
	OnFailure        string        `json:"onFailure,omitempty"`
	Timeout          int32         `json:"timeout,omitempty"`
	Protection       bool          `json:"protection,omitempty"`
	Policy           string        `json:"policy,omitempty"`
	RoleARN          string        `json:"roleARN,omitempty"`
	Created          time.Time     `json:"created"`
	Updated          time.Time     `json:"updated,omitzero"`
	Deleted          time.Time     `json:"deleted,omitzero"`
	Outputs          []Output      `json:"outputs,omitempty"`
	Imports          []string      `json:"imports,omitempty"`
	ParentID         string        `json:"parentId,omitempty"`
	RootID           string        `json:"rootId,omitempty"`
	ChangeSetID      string        `json:"changeSetId,omitempty"`
	// Prev is the stack before the running update (for rollback).
	Prev *stackSnapshot `json:"prev,omitempty"`
	// Pending replaced physical resources to clean up or restore.
	Drift     string    `json:"drift,omitempty"`
	DriftTime time.Time `json:"driftTime,omitzero"`
}

type stackSnapshot struct {
	Body      string        `json:"body"`
	Processed string        `json:"processed,omitempty"`
	Params    []paramRecord `json:"params,omitempty"`
	Tags      []Tag         `json:"tags,omitempty"`
	Outputs   []Output      `json:"outputs,omitempty"`
	Desc      string        `json:"desc,omitempty"`
}

type resourceRecord struct {
	LogicalID  string         `json:"logicalId"`
	Type       string         `json:"type"`
	PhysicalID string         `json:"physicalId,omitempty"`
	Status     string         `json:"status"`
	Reason     string         `json:"reason,omitempty"`
	Props      map[string]any `json:"props,omitempty"`
	Attrs      map[string]any `json:"attrs,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
	Updated    time.Time      `json:"updated"`
	Drift      string         `json:"drift,omitempty"`
	DriftTime  time.Time      `json:"driftTime,omitzero"`
}

type exportRecord struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	StackID string `json:"stackId"`
}

type changeSetRecord struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	StackID         string        `json:"stackId"`
	StackName       string        `json:"stackName"`
	Type            string        `json:"type"`
	Description     string        `json:"description,omitempty"`
	Body            string        `json:"body"`
	Params          []paramRecord `json:"params,omitempty"`
	Capabilities    []string      `json:"capabilities,omitempty"`
	Tags            []Tag         `json:"tags,omitempty"`
	Notification    []string      `json:"notification,omitempty"`
	Status          string        `json:"status"`
	ExecutionStatus string        `json:"executionStatus"`
	Reason          string        `json:"reason,omitempty"`
	Changes         []Change      `json:"changes,omitempty"`
	Created         time.Time     `json:"created"`
	OnFailure       string        `json:"onFailure,omitempty"`
}

// Stack lookup --------------------------------------------------------------------------

func stackUUID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// findStack finds a live stack by name, or any stack by ID.
func (s *Service) findStack(ctx context.Context, nameOrID string) (stackRecord, error) {
	scope := core.ScopeKey(ctx)
	if strings.HasPrefix(nameOrID, "arn:") {
		st, err := s.stacks.Get(ctx, scope+stackUUID(nameOrID))
		if err == nil && st.ID == nameOrID {
			return st, nil
		}
	} else if nameOrID != "" {
		if id, err := s.names.Get(ctx, scope+nameOrID); err == nil {
			if st, err := s.stacks.Get(ctx, scope+id); err == nil {
				return st, nil
			}
		}
	}
	return stackRecord{}, validation("Stack with id %s does not exist", nameOrID)
}

func (s *Service) putStack(ctx context.Context, st *stackRecord) error {
	return s.stacks.Put(ctx, st.Account+"/"+st.Region+"/"+st.UUID, *st)
}

func (s *Service) updateStack(ctx context.Context, st *stackRecord, fn func(*stackRecord)) (stackRecord, error) {
	return s.stacks.Update(ctx, st.Account+"/"+st.Region+"/"+st.UUID, func(r *stackRecord) error {
		fn(r)
		return nil
	})
}

func fmtErr(err error) string {
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	var te *template.Error
	if errors.As(err, &te) {
		return te.Message
	}
	return fmt.Sprint(err)
}
