package events

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// DefaultBus is the name of every account's default event bus.
const DefaultBus = "default"

type busRecord struct {
	Name        string            `json:"name"`
	Account     string            `json:"account"`
	Region      string            `json:"region"`
	Arn         string            `json:"arn"`
	Description string            `json:"description,omitempty"`
	KmsKey      string            `json:"kmsKey,omitempty"`
	DLQ         string            `json:"dlq,omitempty"`
	Created     time.Time         `json:"created"`
	Modified    time.Time         `json:"modified"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// DeadLetterConfig names the queue failed deliveries would go to (recorded, not used).
type DeadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

type CreateEventBusInput struct {
	Name             string            `json:"Name"`
	EventSourceName  string            `json:"EventSourceName,omitempty"`
	Description      string            `json:"Description,omitempty"`
	KmsKeyIdentifier string            `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	Tags             []Tag             `json:"Tags,omitempty"`
}

type CreateEventBusOutput struct {
	EventBusArn      string            `json:"EventBusArn,omitempty"`
	Description      string            `json:"Description,omitempty"`
	KmsKeyIdentifier string            `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

type DescribeEventBusInput struct {
	Name string `json:"Name,omitempty"`
}

type DescribeEventBusOutput struct {
	Name             string            `json:"Name,omitempty"`
	Arn              string            `json:"Arn,omitempty"`
	Description      string            `json:"Description,omitempty"`
	KmsKeyIdentifier string            `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	Policy           string            `json:"Policy,omitempty"`
	CreationTime     time.Time         `json:"CreationTime,omitzero"`
	LastModifiedTime time.Time         `json:"LastModifiedTime,omitzero"`
}

// UpdateEventBusInput changes a bus's description, KMS key or dead-letter queue (the default
// bus when Name is empty); a field left out keeps its value, an empty one clears it.
type UpdateEventBusInput struct {
	Name             string            `json:"Name,omitempty"`
	Description      *string           `json:"Description,omitempty"`
	KmsKeyIdentifier *string           `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

type UpdateEventBusOutput struct {
	Name             string            `json:"Name,omitempty"`
	Arn              string            `json:"Arn,omitempty"`
	Description      string            `json:"Description,omitempty"`
	KmsKeyIdentifier string            `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

type DeleteEventBusInput struct {
	Name string `json:"Name"`
}

type DeleteEventBusOutput struct{}

type ListEventBusesInput struct {
	NamePrefix string `json:"NamePrefix,omitempty"`
	NextToken  string `json:"NextToken,omitempty"`
	Limit      int32  `json:"Limit,omitzero"`
}

type EventBus struct {
	Name             string    `json:"Name,omitempty"`
	Arn              string    `json:"Arn,omitempty"`
	Description      string    `json:"Description,omitempty"`
	Policy           string    `json:"Policy,omitempty"`
	CreationTime     time.Time `json:"CreationTime,omitzero"`
	LastModifiedTime time.Time `json:"LastModifiedTime,omitzero"`
}

type ListEventBusesOutput struct {
	EventBuses []EventBus `json:"EventBuses,omitempty"`
	NextToken  string     `json:"NextToken,omitempty"`
}

var busNameRE = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

func (s *Service) CreateEventBus(ctx context.Context, in *CreateEventBusInput) (*CreateEventBusOutput, error) {
	return dispatchDo(ctx, s, "CreateEventBus", in, s.createEventBus)
}

func (s *Service) createEventBus(ctx context.Context, in *CreateEventBusInput) (*CreateEventBusOutput, error) {
	if !busNameRE.MatchString(in.Name) || strings.HasPrefix(in.Name, "aws.") && in.EventSourceName == "" {
		return nil, ErrValidation.With("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.Name == DefaultBus {
		return nil, ErrResourceAlreadyExists.With("Event bus %s already exists.", in.Name)
	}
	acct, region := core.Scope(ctx)
	now := s.env.Clock.Now()
	rec := busRecord{
		Name: in.Name, Account: acct, Region: region, Arn: core.ARN(ctx, "events", "event-bus/"+in.Name),
		Description: in.Description, KmsKey: in.KmsKeyIdentifier, Created: now, Modified: now, Tags: tagMap(in.Tags),
	}
	if in.DeadLetterConfig != nil {
		rec.DLQ = in.DeadLetterConfig.Arn
	}
	err := s.buses.Create(ctx, core.ScopeKey(ctx)+in.Name, rec)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrResourceAlreadyExists.With("Event bus %s already exists.", in.Name)
	}
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	return &CreateEventBusOutput{EventBusArn: rec.Arn, Description: rec.Description, KmsKeyIdentifier: rec.KmsKey, DeadLetterConfig: in.DeadLetterConfig}, nil
}

// busName accepts a bus name or ARN ("" is the default bus).
func busName(nameOrArn string) string {
	if nameOrArn == "" {
		return DefaultBus
	}
	if strings.HasPrefix(nameOrArn, "arn:") {
		if i := strings.Index(nameOrArn, ":event-bus/"); i >= 0 {
			return nameOrArn[i+len(":event-bus/"):]
		}
	}
	return nameOrArn
}

// getBus returns the bus record; the default bus always exists (stored once updated).
func (s *Service) getBus(ctx context.Context, nameOrArn string) (busRecord, error) {
	name := busName(nameOrArn)
	rec, err := s.buses.Get(ctx, core.ScopeKey(ctx)+name)
	if name == DefaultBus && errors.Is(err, store.ErrNotFound) {
		acct, region := core.Scope(ctx)
		return busRecord{Name: DefaultBus, Account: acct, Region: region, Arn: core.ARN(ctx, "events", "event-bus/default")}, nil
	}
	if errors.Is(err, store.ErrNotFound) {
		return rec, ErrResourceNotFound.With("Event bus %s does not exist.", name)
	}
	if err != nil {
		return rec, apierr.Wrap(err, "An internal error occurred.")
	}
	return rec, nil
}

func (s *Service) DescribeEventBus(ctx context.Context, in *DescribeEventBusInput) (*DescribeEventBusOutput, error) {
	return dispatchDo(ctx, s, "DescribeEventBus", in, func(ctx context.Context, in *DescribeEventBusInput) (*DescribeEventBusOutput, error) {
		b, err := s.getBus(ctx, in.Name)
		if err != nil {
			return nil, err
		}
		out := &DescribeEventBusOutput{Name: b.Name, Arn: b.Arn, Description: b.Description, KmsKeyIdentifier: b.KmsKey,
			CreationTime: b.Created, LastModifiedTime: b.Modified}
		if b.DLQ != "" {
			out.DeadLetterConfig = &DeadLetterConfig{Arn: b.DLQ}
		}
		return out, nil
	})
}

// UpdateEventBus changes a bus's description, KMS key identifier or dead-letter queue (kept,
// not used: events are not encrypted or dead-lettered here).
func (s *Service) UpdateEventBus(ctx context.Context, in *UpdateEventBusInput) (*UpdateEventBusOutput, error) {
	return dispatchDo(ctx, s, "UpdateEventBus", in, func(ctx context.Context, in *UpdateEventBusInput) (*UpdateEventBusOutput, error) {
		if in.Description != nil && len(*in.Description) > 512 {
			return nil, ErrValidation.With("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
		}
		s.busMu.Lock()
		defer s.busMu.Unlock()
		b, err := s.getBus(ctx, in.Name)
		if err != nil {
			return nil, err
		}
		if in.Description != nil {
			b.Description = *in.Description
		}
		if in.KmsKeyIdentifier != nil {
			b.KmsKey = *in.KmsKeyIdentifier
		}
		if in.DeadLetterConfig != nil {
			b.DLQ = in.DeadLetterConfig.Arn
		}
		if b.Created.IsZero() {
			b.Created = s.env.Clock.Now()
		}
		b.Modified = s.env.Clock.Now()
		if err := s.buses.Put(ctx, core.ScopeKey(ctx)+b.Name, b); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		out := &UpdateEventBusOutput{Name: b.Name, Arn: b.Arn, Description: b.Description, KmsKeyIdentifier: b.KmsKey}
		if b.DLQ != "" {
			out.DeadLetterConfig = &DeadLetterConfig{Arn: b.DLQ}
		}
		return out, nil
	})
}

func (s *Service) DeleteEventBus(ctx context.Context, in *DeleteEventBusInput) (*DeleteEventBusOutput, error) {
	return dispatchDo(ctx, s, "DeleteEventBus", in, func(ctx context.Context, in *DeleteEventBusInput) (*DeleteEventBusOutput, error) {
		name := busName(in.Name)
		if name == DefaultBus {
			return nil, ErrValidation.With("Cannot delete event bus default.")
		}
		s.busMu.Lock()
		defer s.busMu.Unlock()
		err := s.buses.Delete(ctx, core.ScopeKey(ctx)+name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		if err == nil {
			// rules of a deleted bus go with it
			if err := store.DeletePrefix(ctx, s.env.Store, s.rules.Prefix()+core.ScopeKey(ctx)+name+"/"); err != nil {
				return nil, apierr.Wrap(err, "An internal error occurred.")
			}
			acct, region := core.Scope(ctx)
			if err := s.refreshBus(ctx, acct, region, name); err != nil {
				return nil, err
			}
		}
		return &DeleteEventBusOutput{}, nil
	})
}

func (s *Service) ListEventBuses(ctx context.Context, in *ListEventBusesInput) (*ListEventBusesOutput, error) {
	return dispatchDo(ctx, s, "ListEventBuses", in, func(ctx context.Context, in *ListEventBusesInput) (*ListEventBusesOutput, error) {
		recs, err := s.buses.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		if !slices.ContainsFunc(recs, func(b busRecord) bool { return b.Name == DefaultBus }) {
			def, _ := s.getBus(ctx, DefaultBus)
			recs = append(recs, def)
		}
		var all []EventBus
		for _, b := range recs {
			if strings.HasPrefix(b.Name, in.NamePrefix) {
				all = append(all, EventBus{Name: b.Name, Arn: b.Arn, Description: b.Description, CreationTime: b.Created, LastModifiedTime: b.Modified})
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
		page, next, err := paginate(all, in.NextToken, int(in.Limit), func(b EventBus) string { return b.Name })
		if err != nil {
			return nil, err
		}
		return &ListEventBusesOutput{EventBuses: page, NextToken: next}, nil
	})
}

func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func tagList(m map[string]string) []Tag {
	out := make([]Tag, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// paginate pages a sorted list: the token is the key of the last item returned.
func paginate[T any](all []T, token string, limit int, key func(T) string) ([]T, string, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	start := 0
	if token != "" {
		start = sort.Search(len(all), func(i int) bool { return key(all[i]) > token })
	}
	end := start + limit
	if end >= len(all) {
		return all[start:], "", nil
	}
	return all[start:end], key(all[end-1]), nil
}
