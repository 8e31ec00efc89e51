package codecommit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Options configure a Service. The zero value keeps repositories in memory and builds clone
// URLs that look like AWS's.
type Options struct {
	// Dir, when set, keeps each repository's git data on disk under Dir/<repositoryId>.git.
	Dir string
	// Endpoint is the base URL cloneUrlHttp points at, e.g. "http://127.0.0.1:4566". Empty
	// gives AWS's https://git-codecommit.<region>.amazonaws.com.
	Endpoint string
	// GitAuth, when set, checks the HTTP basic credentials of every git request and says which
	// account and region they act in (an error answers 401). When nil, a user name ending in
	// "-at-<12-digit account>" (IAM service-specific credentials) selects that account, and
	// everything else acts in the platform's default account and region.
	GitAuth func(ctx context.Context, username, password string) (account, region string, err error)
	// Triggers delivers repository trigger notifications to destinations that no Go handler
	// registered with HandleTrigger claims (SNS topics, Lambda functions). Nil: such
	// deliveries fail and TestRepositoryTriggers reports them as failed.
	Triggers TriggerSink
}

// TriggerSink delivers a repository trigger's notification to its destination ARN.
type TriggerSink interface {
	DeliverTrigger(ctx context.Context, destinationArn string, n *TriggerNotification) error
}

// Service is AWS CodeCommit. It is safe for concurrent use.
type Service struct {
	env   *core.Env
	d     *dispatch.Dispatcher
	opts  Options
	log   *slog.Logger
	repos *store.Table[repoRecord]
	git   *repoStore

	prs       *store.Table[prRecord]
	seqs      *store.Table[int]
	templates *store.Table[templateRecord]
	comments  *store.Table[commentRecord]

	merging sync.Map // pull requests being merged

	mu       sync.Mutex
	handlers map[string]func(context.Context, *TriggerNotification) error
}

// repoRecord is the durable metadata of a repository.
type repoRecord struct {
	ID            string              `json:"id"`
	Name          string              `json:"name"`
	Description   string              `json:"description,omitempty"`
	Account       string              `json:"account"`
	Region        string              `json:"region"`
	ARN           string              `json:"arn"`
	DefaultBranch string              `json:"defaultBranch,omitempty"`
	KMSKeyID      string              `json:"kmsKeyId,omitempty"`
	Created       time.Time           `json:"created"`
	Modified      time.Time           `json:"modified"`
	Tags          map[string]string   `json:"tags,omitempty"`
	Triggers      []RepositoryTrigger `json:"triggers,omitempty"`
	TriggersID    string              `json:"triggersId,omitempty"`
}

// New returns a CodeCommit service in env.
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("codecommit: nil env")
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		env:   env,
		d:     env.Dispatcher("codecommit", "codecommit.amazonaws.com"),
		opts:  opts,
		log:   log,
		repos: store.NewTable[repoRecord](env.Store, "codecommit/repo/"),
		git:   newRepoStore(opts.Dir),

		prs:       store.NewTable[prRecord](env.Store, "codecommit/pr/"),
		seqs:      store.NewTable[int](env.Store, "codecommit/seq/"),
		templates: store.NewTable[templateRecord](env.Store, "codecommit/template/"),
		comments:  store.NewTable[commentRecord](env.Store, "codecommit/comment/"),
		handlers:  map[string]func(context.Context, *TriggerNotification) error{},
	}, nil
}

// Close releases the service. CodeCommit runs no background work; Close waits for nothing.
func (s *Service) Close(ctx context.Context) error { return nil }

// HandleTrigger registers fn as the destination destinationArn of repository triggers: a
// trigger whose destinationArn equals it calls fn (outside any lock). A nil fn unregisters.
func (s *Service) HandleTrigger(destinationArn string, fn func(context.Context, *TriggerNotification) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn == nil {
		delete(s.handlers, destinationArn)
		return
	}
	s.handlers[destinationArn] = fn
}

var repoNameRE = regexp.MustCompile(`^[\w.-]{1,100}$`)

func checkRepoName(name string) error {
	if name == "" {
		return ErrRepositoryNameRequired
	}
	if !repoNameRE.MatchString(name) || name == "." || name == ".." || strings.HasSuffix(strings.ToLower(name), ".git") {
		return ErrInvalidRepositoryName
	}
	return nil
}

func repoKey(ctx context.Context, name string) string { return core.ScopeKey(ctx) + name }

// getRecord loads a repository's metadata.
func (s *Service) getRecord(ctx context.Context, name string) (repoRecord, error) {
	if err := checkRepoName(name); err != nil {
		return repoRecord{}, err
	}
	rec, err := s.repos.Get(ctx, repoKey(ctx, name))
	if errors.Is(err, store.ErrNotFound) {
		return rec, ErrRepositoryDoesNotExist.With("%s does not exist", name)
	}
	if err != nil {
		return rec, apierr.Wrap(err, "An internal error occurred.")
	}
	return rec, nil
}

// open loads a repository's metadata and its git storage.
func (s *Service) open(ctx context.Context, name string) (repoRecord, *gitRepo, error) {
	rec, err := s.getRecord(ctx, name)
	if err != nil {
		return rec, nil, err
	}
	r, err := s.git.open(rec.ID)
	if err != nil {
		return rec, nil, apierr.Wrap(err, "An internal error occurred.")
	}
	return rec, r, nil
}

func (s *Service) cloneURLs(rec repoRecord) (http, ssh string) {
	base := s.opts.Endpoint
	if base == "" {
		base = "https://git-codecommit." + rec.Region + ".amazonaws.com"
	}
	return strings.TrimRight(base, "/") + "/v1/repos/" + rec.Name,
		"ssh://git-codecommit." + rec.Region + ".amazonaws.com/v1/repos/" + rec.Name
}

// refEvent is the detail of "CodeCommit Repository State Change".
type refEvent struct {
	CallerUserArn     string `json:"callerUserArn,omitempty"`
	CommitID          string `json:"commitId,omitempty"`
	Event             string `json:"event"`
	OldCommitID       string `json:"oldCommitId,omitempty"`
	ReferenceFullName string `json:"referenceFullName"`
	ReferenceName     string `json:"referenceName"`
	ReferenceType     string `json:"referenceType"`
	RepositoryID      string `json:"repositoryId"`
	RepositoryName    string `json:"repositoryName"`
}

// refsChanged runs after ref changes were applied (with no lock held): it sets the default
// branch of a repository that had none, publishes one event per change and fires triggers.
func (s *Service) refsChanged(ctx context.Context, rec repoRecord, r *gitRepo, ups []refUpdate) {
	if len(ups) == 0 {
		return
	}
	if rec.DefaultBranch == "" {
		for _, u := range ups {
			if u.Name.IsBranch() && !u.New.IsZero() {
				branch := u.Name.Short()
				nrec, err := s.repos.Update(ctx, repoKey(ctx, rec.Name), func(v *repoRecord) error {
					if v.ID != rec.ID || v.DefaultBranch != "" {
						return errSkip
					}
					v.DefaultBranch = branch
					return nil
				})
				if err == nil {
					rec = nrec
					r.mu.Lock()
					_ = r.st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, u.Name))
					r.mu.Unlock()
				}
				break
			}
		}
	}
	caller, _ := identity.From(ctx)
	now := s.env.Clock.Now().UTC()
	for _, u := range ups {
		d := refEvent{
			CallerUserArn:     caller.PrincipalARN,
			ReferenceFullName: u.Name.String(),
			ReferenceName:     u.Name.Short(),
			ReferenceType:     refType(u.Name),
			RepositoryID:      rec.ID,
			RepositoryName:    rec.Name,
		}
		switch {
		case u.Old.IsZero():
			d.Event, d.CommitID = "referenceCreated", u.New.String()
		case u.New.IsZero():
			d.Event, d.OldCommitID = "referenceDeleted", u.Old.String()
		default:
			d.Event, d.CommitID, d.OldCommitID = "referenceUpdated", u.New.String(), u.Old.String()
		}
		if d.ReferenceType == "tag" || d.ReferenceType == "branch" {
			d.ReferenceName = u.Name.Short()
		}
		b, _ := json.Marshal(d)
		if s.env.Events != nil {
			s.env.Events.Publish(ctx, eventbus.Event{
				Version:    "0",
				ID:         uuid.NewString(),
				DetailType: "CodeCommit Repository State Change",
				Source:     "aws.codecommit",
				Account:    rec.Account,
				Time:       now,
				Region:     rec.Region,
				Resources:  []string{rec.ARN},
				Detail:     b,
			})
		}
	}
	s.fireTriggers(ctx, rec, ups, "ReferenceChanges")
	s.prRefsChanged(ctx, rec, r, ups)
}

var errSkip = errors.New("skip")

func refType(n plumbing.ReferenceName) string {
	switch {
	case n.IsBranch():
		return "branch"
	case n.IsTag():
		return "tag"
	}
	return "reference"
}

func internal(err error) error {
	if err == nil {
		return nil
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return err
	}
	return apierr.Wrap(err, "An internal error occurred.")
}

// gitDate formats a time the way CodeCommit's UserInfo.date does: "<epoch> <zone>".
func gitDate(t time.Time) string {
	return fmt.Sprintf("%d %s", t.Unix(), t.Format("-0700"))
}
