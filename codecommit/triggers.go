package codecommit

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// RepositoryTrigger sends a notification to a destination when references change.
type RepositoryTrigger struct {
	Name           string   `json:"name,omitempty"`
	DestinationArn string   `json:"destinationArn,omitempty"`
	CustomData     string   `json:"customData,omitempty"`
	Branches       []string `json:"branches,omitempty"`
	Events         []string `json:"events,omitempty"` // all | updateReference | createReference | deleteReference
}

// TriggerNotification is the message a trigger delivers (the shape SNS subscribers of a
// CodeCommit trigger receive).
type TriggerNotification struct {
	Records []TriggerRecord `json:"Records"`
}

// TriggerRecord is one record of a trigger notification.
type TriggerRecord struct {
	AWSRegion            string            `json:"awsRegion"`
	CodeCommit           TriggerReferences `json:"codecommit"`
	CustomData           string            `json:"customData,omitempty"`
	EventID              string            `json:"eventId"`
	EventName            string            `json:"eventName"` // ReferenceChanges | TriggerEventTest
	EventPartNumber      int               `json:"eventPartNumber"`
	EventSource          string            `json:"eventSource"`
	EventSourceARN       string            `json:"eventSourceARN"`
	EventTime            string            `json:"eventTime"`
	EventTotalParts      int               `json:"eventTotalParts"`
	EventTriggerConfigID string            `json:"eventTriggerConfigId"`
	EventTriggerName     string            `json:"eventTriggerName"`
	EventVersion         string            `json:"eventVersion"`
	UserIdentityARN      string            `json:"userIdentityARN"`
}

// TriggerReferences lists the changed references.
type TriggerReferences struct {
	References []TriggerReference `json:"references"`
}

// TriggerReference is one changed reference.
type TriggerReference struct {
	Commit  string `json:"commit"`
	Ref     string `json:"ref"`
	Created bool   `json:"created,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
}

var triggerNameRE = regexp.MustCompile(`^[\w.-]{1,100}$`)
var triggerArnRE = regexp.MustCompile(`^arn:aws[a-z-]*:(sns|lambda):[a-z0-9-]+:\d{12}:.+$`)

func checkTriggers(ts []RepositoryTrigger) error {
	if ts == nil {
		return ErrRepositoryTriggersListRequired
	}
	if len(ts) > 10 {
		return ErrMaximumRepositoryTriggersExceeded
	}
	for _, t := range ts {
		switch {
		case t.Name == "":
			return ErrRepositoryTriggerNameRequired
		case !triggerNameRE.MatchString(t.Name):
			return ErrInvalidRepositoryTriggerName
		case t.DestinationArn == "":
			return ErrRepositoryTriggerDestinationArnRequired
		case !triggerArnRE.MatchString(t.DestinationArn) && !strings.HasPrefix(t.DestinationArn, "go:"):
			return ErrInvalidRepositoryTriggerDestinationArn.With("The Amazon Resource Name (ARN) for the trigger %s is not valid for the specified destination. The most common reason for this error is that the ARN does not meet the requirements for the service type.", t.Name)
		case len(t.Events) == 0:
			return ErrRepositoryTriggerEventsListRequired
		case len(t.Branches) > 100:
			return ErrMaximumBranchesExceeded
		}
		for _, e := range t.Events {
			switch e {
			case "all", "updateReference", "createReference", "deleteReference":
			default:
				return ErrInvalidRepositoryTriggerEvents
			}
		}
	}
	return nil
}

// PutRepositoryTriggersInput is the input of PutRepositoryTriggers.
type PutRepositoryTriggersInput struct {
	RepositoryName string              `json:"repositoryName,omitempty"`
	Triggers       []RepositoryTrigger `json:"triggers,omitempty"`
}

// PutRepositoryTriggersOutput is the output of PutRepositoryTriggers.
type PutRepositoryTriggersOutput struct {
	ConfigurationID string `json:"configurationId,omitempty"`
}

// PutRepositoryTriggers replaces a repository's triggers. Destination ARNs are SNS topic or
// Lambda function ARNs, or "go:<name>" for a Go handler registered with HandleTrigger.
func (s *Service) PutRepositoryTriggers(ctx context.Context, in *PutRepositoryTriggersInput) (*PutRepositoryTriggersOutput, error) {
	return dispatch.Do(ctx, s.d, "PutRepositoryTriggers", in, func(ctx context.Context, in *PutRepositoryTriggersInput) (*PutRepositoryTriggersOutput, error) {
		if err := checkTriggers(in.Triggers); err != nil {
			return nil, err
		}
		id := uuid.NewString()
		err := s.updateRecord(ctx, in.RepositoryName, func(r *repoRecord) error {
			r.Triggers = slices.Clone(in.Triggers)
			r.TriggersID = id
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &PutRepositoryTriggersOutput{ConfigurationID: id}, nil
	})
}

// GetRepositoryTriggersInput is the input of GetRepositoryTriggers.
type GetRepositoryTriggersInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
}

// GetRepositoryTriggersOutput is the output of GetRepositoryTriggers.
type GetRepositoryTriggersOutput struct {
	ConfigurationID string              `json:"configurationId,omitempty"`
	Triggers        []RepositoryTrigger `json:"triggers"`
}

// GetRepositoryTriggers returns a repository's triggers.
func (s *Service) GetRepositoryTriggers(ctx context.Context, in *GetRepositoryTriggersInput) (*GetRepositoryTriggersOutput, error) {
	return dispatch.Do(ctx, s.d, "GetRepositoryTriggers", in, func(ctx context.Context, in *GetRepositoryTriggersInput) (*GetRepositoryTriggersOutput, error) {
		rec, err := s.getRecord(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		ts := rec.Triggers
		if ts == nil {
			ts = []RepositoryTrigger{}
		}
		return &GetRepositoryTriggersOutput{ConfigurationID: rec.TriggersID, Triggers: ts}, nil
	})
}

// TestRepositoryTriggersInput is the input of TestRepositoryTriggers.
type TestRepositoryTriggersInput struct {
	RepositoryName string              `json:"repositoryName,omitempty"`
	Triggers       []RepositoryTrigger `json:"triggers,omitempty"`
}

// RepositoryTriggerExecutionFailure is a trigger that could not be delivered.
type RepositoryTriggerExecutionFailure struct {
	Trigger        string `json:"trigger,omitempty"`
	FailureMessage string `json:"failureMessage,omitempty"`
}

// TestRepositoryTriggersOutput is the output of TestRepositoryTriggers.
type TestRepositoryTriggersOutput struct {
	SuccessfulExecutions []string                            `json:"successfulExecutions"`
	FailedExecutions     []RepositoryTriggerExecutionFailure `json:"failedExecutions"`
}

// TestRepositoryTriggers sends a TriggerEventTest notification to each trigger's destination.
func (s *Service) TestRepositoryTriggers(ctx context.Context, in *TestRepositoryTriggersInput) (*TestRepositoryTriggersOutput, error) {
	return dispatch.Do(ctx, s.d, "TestRepositoryTriggers", in, func(ctx context.Context, in *TestRepositoryTriggersInput) (*TestRepositoryTriggersOutput, error) {
		if err := checkTriggers(in.Triggers); err != nil {
			return nil, err
		}
		rec, err := s.getRecord(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		out := &TestRepositoryTriggersOutput{SuccessfulExecutions: []string{}, FailedExecutions: []RepositoryTriggerExecutionFailure{}}
		for _, t := range in.Triggers {
			n := s.notification(ctx, rec, t, "TriggerEventTest", []TriggerReference{{Commit: "", Ref: ""}})
			if err := s.deliver(ctx, t.DestinationArn, n); err != nil {
				out.FailedExecutions = append(out.FailedExecutions, RepositoryTriggerExecutionFailure{Trigger: t.Name, FailureMessage: err.Error()})
				continue
			}
			out.SuccessfulExecutions = append(out.SuccessfulExecutions, t.Name)
		}
		return out, nil
	})
}

func (s *Service) notification(ctx context.Context, rec repoRecord, t RepositoryTrigger, name string, refs []TriggerReference) *TriggerNotification {
	caller, _ := identity.From(ctx)
	return &TriggerNotification{Records: []TriggerRecord{{
		AWSRegion:            rec.Region,
		CodeCommit:           TriggerReferences{References: refs},
		CustomData:           t.CustomData,
		EventID:              uuid.NewString(),
		EventName:            name,
		EventPartNumber:      1,
		EventSource:          "aws:codecommit",
		EventSourceARN:       rec.ARN,
		EventTime:            s.env.Clock.Now().UTC().Format(time.RFC3339Nano),
		EventTotalParts:      1,
		EventTriggerConfigID: rec.TriggersID,
		EventTriggerName:     t.Name,
		EventVersion:         "1.0",
		UserIdentityARN:      caller.PrincipalARN,
	}}}
}

type triggerError string

func (e triggerError) Error() string { return string(e) }

func (s *Service) deliver(ctx context.Context, arn string, n *TriggerNotification) error {
	s.mu.Lock()
	fn := s.handlers[arn]
	s.mu.Unlock()
	if fn != nil {
		return fn(ctx, n)
	}
	if s.opts.Triggers != nil {
		return s.opts.Triggers.DeliverTrigger(ctx, arn, n)
	}
	return triggerError("No destination is configured for " + arn)
}

// fireTriggers delivers the notifications of the triggers that match the changes.
func (s *Service) fireTriggers(ctx context.Context, rec repoRecord, ups []refUpdate, name string) {
	if len(rec.Triggers) == 0 {
		// The record passed in may predate a concurrent PutRepositoryTriggers; reload.
		r, err := s.repos.Get(ctx, repoKey(ctx, rec.Name))
		if err != nil || len(r.Triggers) == 0 {
			return
		}
		rec = r
	}
	for _, t := range rec.Triggers {
		var refs []TriggerReference
		for _, u := range ups {
			kind := "updateReference"
			tr := TriggerReference{Commit: u.New.String(), Ref: u.Name.String()}
			switch {
			case u.Old.IsZero():
				kind, tr.Created = "createReference", true
			case u.New.IsZero():
				kind, tr.Deleted, tr.Commit = "deleteReference", true, u.Old.String()
			}
			if !slices.Contains(t.Events, "all") && !slices.Contains(t.Events, kind) {
				continue
			}
			if len(t.Branches) > 0 && !(u.Name.IsBranch() && slices.Contains(t.Branches, u.Name.Short())) {
				continue
			}
			refs = append(refs, tr)
		}
		if len(refs) == 0 {
			continue
		}
		if err := s.deliver(ctx, t.DestinationArn, s.notification(ctx, rec, t, name, refs)); err != nil {
			s.log.Warn("codecommit: trigger delivery failed", "repository", rec.Name, "trigger", t.Name, "err", err)
		}
	}
}
