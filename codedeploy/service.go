package codedeploy

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/store"
)

// Host is one machine a deployment acts on; *host.Host satisfies it.
type Host interface {
	ID() string
	// RunAs runs a script as the named user (root for "root").
	RunAs(ctx context.Context, user string, cmd *runner.Command) (runner.Result, error)
	// FS is the host's file system (the agent writes the bundle and installs files there).
	FS() *hostfs.FS
	LookupUser(name string) (host.User, error)
	LookupGroup(name string) (host.Group, error)
}

// Instance is an EC2 instance as CodeDeploy sees it.
type Instance struct {
	ID    string
	Tags  map[string]string
	State string // pending, running, stopping, stopped, shutting-down, terminated
	// AutoScalingGroup is the name of the Auto Scaling group the instance belongs to, if any.
	AutoScalingGroup string
}

// Fleet is EC2 as CodeDeploy needs it. Calls carry the caller's account and region in ctx
// (core.Scope).
type Fleet interface {
	// Instances lists the instances of the caller's account and region that are not
	// terminated.
	Instances(ctx context.Context) ([]Instance, error)
	// Host returns the machine of an instance.
	Host(ctx context.Context, instanceID string) (Host, error)
	// TerminateInstances terminates instances.
	TerminateInstances(ctx context.Context, instanceIDs []string) error
}

// AutoScaling is Auto Scaling as blue/green deployments need it.
type AutoScaling interface {
	// CopyGroup creates Auto Scaling group newName with the launch template (or
	// configuration), capacity and settings of group name, waits for its instances to be
	// running and returns their ids. The new group's instances must not be deployed to by
	// CodeDeploy's launch hook (the deployment installs the revision itself).
	CopyGroup(ctx context.Context, name, newName string) ([]string, error)
	// DeleteGroup deletes a group and terminates its instances.
	DeleteGroup(ctx context.Context, name string) error
}

// TrafficTarget is a load balancer a deployment group routes through: a target group (ELBv2)
// or a Classic Load Balancer, by name.
type TrafficTarget struct {
	TargetGroup string
	ClassicELB  string
}

// LoadBalancer registers instances behind a deployment group's load balancers.
type LoadBalancer interface {
	Register(ctx context.Context, t TrafficTarget, instanceIDs []string) error
	Deregister(ctx context.Context, t TrafficTarget, instanceIDs []string) error
}

// Alarms reads CloudWatch alarm states (OK, ALARM, INSUFFICIENT_DATA).
type Alarms interface {
	AlarmStateOf(ctx context.Context, name string) (string, error)
}

// Notifier publishes trigger notifications to SNS topics.
type Notifier interface {
	Publish(ctx context.Context, topicARN, subject, message string) error
}

// Deps are the other services CodeDeploy drives; any may be nil, and a deployment that needs a
// missing one fails with a clear message.
type Deps struct {
	Fleet        Fleet
	AutoScaling  AutoScaling
	LoadBalancer LoadBalancer
	Alarms       Alarms
	Notifier     Notifier
}

// Options configure the service; the zero value is usable.
type Options struct {
	// AlarmPollInterval is how often alarms are checked during a deployment (platform clock);
	// 0 means 10s. Alarms are also checked before each batch of instances.
	AlarmPollInterval time.Duration
	// MaxLogTail is how much hook output is kept in a lifecycle event's diagnostics; 0 means
	// 4096 bytes (AWS keeps "up to the last 4 KB").
	MaxLogTail int
}

// Service is CodeDeploy for the EC2/On-premises compute platform. Safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	deps Deps
	opts Options
	log  *slog.Logger

	apps        *store.Table[appRecord]
	revisions   *store.Table[revisionRecord]
	configs     *store.Table[DeploymentConfigInfo]
	groups      *store.Table[groupRecord]
	deployments *store.Table[deploymentRecord]
	targets     *store.Table[InstanceTarget]

	mu      sync.Mutex
	running map[string]*run // by deployment id
	closed  bool
	wg      sync.WaitGroup
}

type appRecord struct {
	Info ApplicationInfo
	Tags []Tag
}

type revisionRecord struct {
	Location RevisionLocation
	Info     GenericRevisionInfo
	Deployed bool
}

type groupRecord struct {
	Info DeploymentGroupInfo
	Tags []Tag
	// LastSuccessfulRevision is what a rollback or an Auto Scaling launch deploys.
	LastSuccessfulRevision *RevisionLocation
}

type deploymentRecord struct {
	Info              DeploymentInfo
	GroupID           string
	Targets           []string // instance ids, in deployment order
	OverrideRollback  *bool    // StopDeployment's autoRollbackEnabled
	StopRequested     bool
	ReplacementASGs   []string // blue/green copies
	OriginalASGs      []string
	OriginalInstances []string
}

// Errors callers match on (AWS's exception names).
var (
	ErrApplicationNameRequired      = apierr.New(apierr.Invalid, "ApplicationNameRequiredException", "The application name was not specified.")
	ErrInvalidApplicationName       = apierr.New(apierr.Invalid, "InvalidApplicationNameException", "The application name was specified in an invalid format.")
	ErrApplicationAlreadyExists     = apierr.New(apierr.AlreadyExists, "ApplicationAlreadyExistsException", "An application with the specified name already exists.")
	ErrApplicationDoesNotExist      = apierr.New(apierr.NotFound, "ApplicationDoesNotExistException", "The application does not exist.")
	ErrInvalidComputePlatform       = apierr.New(apierr.Invalid, "InvalidComputePlatformException", "The computePlatform is invalid.")
	ErrBatchLimitExceeded           = apierr.New(apierr.LimitExceeded, "BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (100) was exceeded.")
	ErrRevisionRequired             = apierr.New(apierr.Invalid, "RevisionRequiredException", "The revision ID was not specified.")
	ErrInvalidRevision              = apierr.New(apierr.Invalid, "InvalidRevisionException", "The revision was specified in an invalid format.")
	ErrRevisionDoesNotExist         = apierr.New(apierr.NotFound, "RevisionDoesNotExistException", "The named revision does not exist with the user or Amazon Web Services account.")
	ErrDescriptionTooLong           = apierr.New(apierr.Invalid, "DescriptionTooLongException", "The description is too long.")
	ErrDeploymentConfigNameReq      = apierr.New(apierr.Invalid, "DeploymentConfigNameRequiredException", "The deployment configuration name was not specified.")
	ErrInvalidDeploymentConfigName  = apierr.New(apierr.Invalid, "InvalidDeploymentConfigNameException", "The deployment configuration name was specified in an invalid format.")
	ErrDeploymentConfigExists       = apierr.New(apierr.AlreadyExists, "DeploymentConfigAlreadyExistsException", "A deployment configuration with the specified name already exists.")
	ErrDeploymentConfigDoesNotExist = apierr.New(apierr.NotFound, "DeploymentConfigDoesNotExistException", "The deployment configuration does not exist.")
	ErrDeploymentConfigInUse        = apierr.New(apierr.Conflict, "DeploymentConfigInUseException", "The deployment configuration is still in use.")
	ErrInvalidMinimumHealthyHosts   = apierr.New(apierr.Invalid, "InvalidMinimumHealthyHostValueException", "The minimum healthy instance value was specified in an invalid format.")
	ErrInvalidOperation             = apierr.New(apierr.Invalid, "InvalidOperationException", "An invalid operation was detected.")
	ErrDeploymentGroupNameRequired  = apierr.New(apierr.Invalid, "DeploymentGroupNameRequiredException", "The deployment group name was not specified.")
	ErrInvalidDeploymentGroupName   = apierr.New(apierr.Invalid, "InvalidDeploymentGroupNameException", "The deployment group name was specified in an invalid format.")
	ErrDeploymentGroupExists        = apierr.New(apierr.AlreadyExists, "DeploymentGroupAlreadyExistsException", "A deployment group with the specified name with the user or Amazon Web Services account already exists.")
	ErrDeploymentGroupDoesNotExist  = apierr.New(apierr.NotFound, "DeploymentGroupDoesNotExistException", "The named deployment group with the user or Amazon Web Services account does not exist.")
	ErrRoleRequired                 = apierr.New(apierr.Invalid, "RoleRequiredException", "The role ID was not specified.")
	ErrInvalidRole                  = apierr.New(apierr.Invalid, "InvalidRoleException", "The service role ARN was specified in an invalid format.")
	ErrInvalidEC2Tag                = apierr.New(apierr.Invalid, "InvalidEC2TagException", "The tag was specified in an invalid format.")
	ErrInvalidEC2TagCombination     = apierr.New(apierr.Invalid, "InvalidEC2TagCombinationException", "A call was submitted that specified both Ec2TagFilters and Ec2TagSet, but only one of these data types can be used in a single call.")
	ErrInvalidTag                   = apierr.New(apierr.Invalid, "InvalidTagException", "The tag was specified in an invalid format.")
	ErrInvalidAutoScalingGroup      = apierr.New(apierr.Invalid, "InvalidAutoScalingGroupException", "The Auto Scaling group was specified in an invalid format or does not exist.")
	ErrInvalidDeploymentStyle       = apierr.New(apierr.Invalid, "InvalidDeploymentStyleException", "An invalid deployment style was specified.")
	ErrInvalidBlueGreenConfig       = apierr.New(apierr.Invalid, "InvalidBlueGreenDeploymentConfigurationException", "The configuration for the blue/green deployment group was provided in an invalid format.")
	ErrInvalidLoadBalancerInfo      = apierr.New(apierr.Invalid, "InvalidLoadBalancerInfoException", "An invalid load balancer name, or no load balancer name, was specified.")
	ErrInvalidAlarmConfig           = apierr.New(apierr.Invalid, "InvalidAlarmConfigException", "The format of the alarm configuration is invalid.")
	ErrInvalidAutoRollbackConfig    = apierr.New(apierr.Invalid, "InvalidAutoRollbackConfigException", "The automatic rollback configuration was specified in an invalid format.")
	ErrInvalidTriggerConfig         = apierr.New(apierr.Invalid, "InvalidTriggerConfigException", "The trigger was specified in an invalid format.")
	ErrTriggerTargetsLimit          = apierr.New(apierr.LimitExceeded, "TriggerTargetsLimitExceededException", "The maximum allowed number of triggers was exceeded.")
	ErrAlarmsLimitExceeded          = apierr.New(apierr.LimitExceeded, "AlarmsLimitExceededException", "The maximum number of alarms for a deployment group (10) was exceeded.")
	ErrInvalidInput                 = apierr.New(apierr.Invalid, "InvalidInputException", "The input was specified in an invalid format.")
	ErrDeploymentIDRequired         = apierr.New(apierr.Invalid, "DeploymentIdRequiredException", "At least one deployment ID must be specified.")
	ErrInvalidDeploymentID          = apierr.New(apierr.Invalid, "InvalidDeploymentIdException", "At least one of the deployment IDs was specified in an invalid format.")
	ErrDeploymentDoesNotExist       = apierr.New(apierr.NotFound, "DeploymentDoesNotExistException", "The deployment with the user or Amazon Web Services account does not exist.")
	ErrDeploymentAlreadyCompleted   = apierr.New(apierr.Conflict, "DeploymentAlreadyCompletedException", "The deployment is already complete.")
	ErrDeploymentLimitExceeded      = apierr.New(apierr.LimitExceeded, "DeploymentLimitExceededException", "The number of allowed deployments was exceeded.")
	ErrDeploymentNotReady           = apierr.New(apierr.Conflict, "DeploymentIsNotInReadyStateException", "The deployment does not have a status of Ready and can't continue yet.")
	ErrInvalidDeploymentWaitType    = apierr.New(apierr.Invalid, "InvalidDeploymentWaitTypeException", "The wait type is invalid.")
	ErrInvalidFileExistsBehavior    = apierr.New(apierr.Invalid, "InvalidFileExistsBehaviorException", "An invalid fileExistsBehavior option was specified to determine how CodeDeploy handles files or directories that already exist in a deployment target location, but weren't part of the previous successful deployment. Valid values include \"DISALLOW,\" \"OVERWRITE,\" and \"RETAIN.\"")
	ErrInvalidTargetInstances       = apierr.New(apierr.Invalid, "InvalidTargetInstancesException", "The target instance configuration is invalid.")
	ErrInvalidDeploymentStatus      = apierr.New(apierr.Invalid, "InvalidDeploymentStatusException", "The specified deployment status doesn't exist or cannot be determined.")
	ErrInvalidTimeRange             = apierr.New(apierr.Invalid, "InvalidTimeRangeException", "The specified time range was specified in an invalid format.")
	ErrInvalidNextToken             = apierr.New(apierr.Invalid, "InvalidNextTokenException", "The next token was specified in an invalid format.")
	ErrInvalidSortBy                = apierr.New(apierr.Invalid, "InvalidSortByException", "The column name to sort by is either not present or was specified in an invalid format.")
	ErrInvalidSortOrder             = apierr.New(apierr.Invalid, "InvalidSortOrderException", "The sort order was specified in an invalid format.")
	ErrInvalidDeployedState         = apierr.New(apierr.Invalid, "InvalidDeployedStateFilterException", "The deployed state filter was specified in an invalid format.")
	ErrInstanceIDRequired           = apierr.New(apierr.Invalid, "InstanceIdRequiredException", "The instance ID was not specified.")
	ErrInstanceDoesNotExist         = apierr.New(apierr.NotFound, "InstanceDoesNotExistException", "The specified instance does not exist in the deployment group.")
	ErrTargetIDRequired             = apierr.New(apierr.Invalid, "DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
	ErrTargetDoesNotExist           = apierr.New(apierr.NotFound, "DeploymentTargetDoesNotExistException", "The provided target ID does not belong to the attempted deployment.")
	ErrTargetListSizeExceeded       = apierr.New(apierr.LimitExceeded, "DeploymentTargetListSizeExceededException", "The maximum number of targets that can be associated with an Amazon ECS or Lambda deployment was exceeded.")
	ErrInvalidDeploymentTargetID    = apierr.New(apierr.Invalid, "InvalidDeploymentTargetIdException", "The target ID provided was not valid.")
	ErrInvalidInstanceStatus        = apierr.New(apierr.Invalid, "InvalidInstanceStatusException", "The specified instance status does not exist.")
	ErrInvalidInstanceType          = apierr.New(apierr.Invalid, "InvalidInstanceTypeException", "An invalid instance type was specified for instances in a blue/green deployment.")
	ErrResourceArnRequired          = apierr.New(apierr.Invalid, "ResourceArnRequiredException", "The ARN of a resource is required, but was not found.")
	ErrInvalidArn                   = apierr.New(apierr.Invalid, "InvalidArnException", "The specified ARN is not in a valid format.")
	ErrArnNotSupported              = apierr.New(apierr.Invalid, "ArnNotSupportedException", "The specified ARN is not supported.")
	ErrTagRequired                  = apierr.New(apierr.Invalid, "TagRequiredException", "A tag was not specified.")
	ErrInvalidTagsToAdd             = apierr.New(apierr.Invalid, "InvalidTagsToAddException", "The specified tags are not valid.")
	ErrResourceNotFound             = apierr.New(apierr.NotFound, "ResourceNotFoundException", "The specified resource could not be found.")
	ErrGitHubNotSupported           = apierr.New(apierr.Unsupported, "InvalidRevisionException", "GitHub revisions are not supported by devopsim: store the bundle in S3.")
	ErrUnsupportedActionForPlatform = apierr.New(apierr.Unsupported, "UnsupportedActionForDeploymentTypeException", "This action is not supported for this deployment type.")
)

// New returns the CodeDeploy service.
func New(env *core.Env, deps Deps, opts Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("codedeploy: nil env")
	}
	if opts.AlarmPollInterval <= 0 {
		opts.AlarmPollInterval = 10 * time.Second
	}
	if opts.MaxLogTail <= 0 {
		opts.MaxLogTail = 4096
	}
	lg := env.Log
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Service{
		env:         env,
		d:           env.Dispatcher("codedeploy", "codedeploy.amazonaws.com"),
		deps:        deps,
		opts:        opts,
		log:         lg,
		apps:        store.NewTable[appRecord](env.Store, "codedeploy/app/"),
		revisions:   store.NewTable[revisionRecord](env.Store, "codedeploy/revision/"),
		configs:     store.NewTable[DeploymentConfigInfo](env.Store, "codedeploy/config/"),
		groups:      store.NewTable[groupRecord](env.Store, "codedeploy/group/"),
		deployments: store.NewTable[deploymentRecord](env.Store, "codedeploy/deployment/"),
		targets:     store.NewTable[InstanceTarget](env.Store, "codedeploy/target/"),
		running:     map[string]*run{},
	}, nil
}

// Close stops every running deployment (as StopDeployment without rollback would) and waits
// for them.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for _, r := range s.running {
		r.cancel(errClosed)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var errClosed = errors.New("codedeploy: service closed")

// Wait blocks until the deployment is no longer running in this process (it finished, or was
// stopped), or ctx is done.
func (s *Service) Wait(ctx context.Context, deploymentID string) error {
	s.mu.Lock()
	r := s.running[deploymentID]
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) now() time.Time { return s.env.Clock.Now().UTC().Truncate(time.Millisecond) }

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// deploymentID is "d-" and nine upper-case letters and digits, as AWS makes them.
func newDeploymentID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return "d-" + string(b[:])
}

func newID() string { return uuid.NewString() }

// keys

func appKey(ctx context.Context, name string) string { return core.ScopeKey(ctx) + name }
func scopeKey(ctx context.Context) string            { return core.ScopeKey(ctx) }

func apierrInvalidInput(msg string) error { return ErrInvalidInput.With("%s", msg) }
func groupKey(ctx context.Context, app, name string) string {
	return core.ScopeKey(ctx) + app + "/" + name
}
func deploymentKey(ctx context.Context, id string) string { return core.ScopeKey(ctx) + id }
func targetKey(ctx context.Context, dep, inst string) string {
	return core.ScopeKey(ctx) + dep + "/" + inst
}

func validName(n string, max int) bool {
	if n == "" || len(n) > max {
		return false
	}
	return !strings.ContainsAny(n, "\x00\n\r")
}

func (s *Service) getApp(ctx context.Context, name string) (appRecord, error) {
	if name == "" {
		return appRecord{}, ErrApplicationNameRequired
	}
	if len(name) > 100 {
		return appRecord{}, ErrInvalidApplicationName.With("The application name is too long (more than 100 characters).")
	}
	a, err := s.apps.Get(ctx, appKey(ctx, name))
	if errors.Is(err, store.ErrNotFound) {
		return a, ErrApplicationDoesNotExist.With("No application found for name: %s", name)
	}
	return a, err
}

func (s *Service) getGroup(ctx context.Context, app, name string) (groupRecord, error) {
	if name == "" {
		return groupRecord{}, ErrDeploymentGroupNameRequired
	}
	g, err := s.groups.Get(ctx, groupKey(ctx, app, name))
	if errors.Is(err, store.ErrNotFound) {
		return g, ErrDeploymentGroupDoesNotExist.With("No Deployment Group found for name: %s", name)
	}
	return g, err
}

func (s *Service) getDeployment(ctx context.Context, id string) (deploymentRecord, error) {
	if id == "" {
		return deploymentRecord{}, ErrDeploymentIDRequired
	}
	if !strings.HasPrefix(id, "d-") || len(id) != 11 {
		return deploymentRecord{}, ErrInvalidDeploymentID.With("Specified DeploymentId is not in the valid format: %s", id)
	}
	d, err := s.deployments.Get(ctx, deploymentKey(ctx, id))
	if errors.Is(err, store.ErrNotFound) {
		return d, ErrDeploymentDoesNotExist.With("Deployment %s does not exist", id)
	}
	return d, err
}

// pageToken encodes a position in a list as the next token.
func decodeToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	if !strings.HasPrefix(tok, "tok:") {
		return "", ErrInvalidNextToken
	}
	return tok[4:], nil
}

func encodeToken(after string) string {
	if after == "" {
		return ""
	}
	return "tok:" + after
}

func arnApp(ctx context.Context, name string) string {
	return core.ARN(ctx, "codedeploy", "application:"+name)
}
func arnGroup(ctx context.Context, app, name string) string {
	return core.ARN(ctx, "codedeploy", "deploymentgroup:"+app+"/"+name)
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	var e *apierr.Error
	if errors.As(err, &e) {
		return e
	}
	return apierr.Wrap(err, "An internal error occurred.")
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func dispatchDo[In, Out any](ctx context.Context, s *Service, op string, in *In, fn func(context.Context, *In) (*Out, error)) (*Out, error) {
	return dispatch.Do(ctx, s.d, op, in, fn)
}

func scanInt(s string, v *int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, ErrInvalidNextToken
	}
	*v = n
	return n, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
