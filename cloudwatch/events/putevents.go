package events

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
)

// PutEventsRequestEntry is one event sent with PutEvents.
type PutEventsRequestEntry struct {
	Time         time.Time `json:"Time,omitzero"`
	Source       string    `json:"Source,omitempty"`
	Resources    []string  `json:"Resources,omitempty"`
	DetailType   string    `json:"DetailType,omitempty"`
	Detail       string    `json:"Detail,omitempty"`
	EventBusName string    `json:"EventBusName,omitempty"`
	TraceHeader  string    `json:"TraceHeader,omitempty"`
}

type PutEventsInput struct {
	Entries    []PutEventsRequestEntry `json:"Entries"`
	EndpointId string                  `json:"EndpointId,omitempty"`
}

// PutEventsResultEntry is an event's id, or why it was refused.
type PutEventsResultEntry struct {
	EventId      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type PutEventsOutput struct {
	FailedEntryCount int32                  `json:"FailedEntryCount"`
	Entries          []PutEventsResultEntry `json:"Entries,omitempty"`
}

// maxPutEventsSize is the limit on the entries of one PutEvents call.
const maxPutEventsSize = 256 * 1024

// entrySize is AWS's size of an entry: Time counts 14 bytes, then Source, DetailType, Detail
// and each Resource in UTF-8 bytes.
func entrySize(e *PutEventsRequestEntry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if !e.Time.IsZero() {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func (s *Service) PutEvents(ctx context.Context, in *PutEventsInput) (*PutEventsOutput, error) {
	return dispatchDo(ctx, s, "PutEvents", in, s.putEvents)
}

func (s *Service) putEvents(ctx context.Context, in *PutEventsInput) (*PutEventsOutput, error) {
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		return nil, ErrValidation.With("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	total := 0
	for i := range in.Entries {
		total += entrySize(&in.Entries[i])
	}
	if total > maxPutEventsSize {
		return nil, ErrValidation.With("Total size of the entries in the request is over the limit.")
	}
	acct, region := core.Scope(ctx)
	out := &PutEventsOutput{Entries: make([]PutEventsResultEntry, len(in.Entries))}
	fail := func(i int, code, msg string) {
		out.Entries[i] = PutEventsResultEntry{ErrorCode: code, ErrorMessage: msg}
		out.FailedEntryCount++
	}
	now := s.env.Clock.Now()
	for i := range in.Entries {
		e := &in.Entries[i]
		switch {
		case e.Source == "":
			fail(i, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.")
			continue
		case e.DetailType == "":
			fail(i, "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.")
			continue
		case e.Detail == "":
			fail(i, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.")
			continue
		case strings.HasPrefix(e.Source, "aws."):
			fail(i, "NotAuthorizedForSourceException", "Not authorized for the source.")
			continue
		}
		if !isJSONObject(e.Detail) {
			fail(i, "MalformedDetail", "Detail is malformed.")
			continue
		}
		bus, err := s.getBus(ctx, e.EventBusName)
		if err != nil {
			fail(i, "ResourceNotFoundException", "Event bus "+busName(e.EventBusName)+" does not exist.")
			continue
		}
		t := e.Time
		if t.IsZero() {
			t = now
		}
		ev := eventbus.Event{
			Version: "0", ID: uuid.NewString(), DetailType: e.DetailType, Source: e.Source,
			Account: acct, Time: t.UTC(), Region: region, Resources: e.Resources, Detail: json.RawMessage(e.Detail),
		}
		if ev.Resources == nil {
			ev.Resources = []string{}
		}
		out.Entries[i] = PutEventsResultEntry{EventId: ev.ID}
		s.route(ctx, bus.Name, ev)
	}
	return out, nil
}

func isJSONObject(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return strings.HasPrefix(s, "{") && json.Valid([]byte(s))
}

// Deliver routes an event from the platform event stream (a service's "EC2 Instance
// State-change Notification", "CodeCommit Repository State Change", ...) through the rules of
// the default bus of the event's account and region. The root subscribes it to the platform
// bus. It does not block on targets unless Options.SyncDelivery is set.
func (s *Service) Deliver(ctx context.Context, ev eventbus.Event) {
	if ev.Account == "" {
		ev.Account = s.env.Account
	}
	if ev.Region == "" {
		ev.Region = s.env.Region
	}
	if ev.Version == "" {
		ev.Version = "0"
	}
	if ev.ID == "" {
		ev.ID = uuid.NewString()
	}
	if ev.Time.IsZero() {
		ev.Time = s.env.Clock.Now()
	}
	if ev.Resources == nil {
		ev.Resources = []string{}
	}
	if len(ev.Detail) == 0 {
		ev.Detail = json.RawMessage("{}")
	}
	s.routeIn(ctx, ev.Account, ev.Region, DefaultBus, ev)
}

func (s *Service) route(ctx context.Context, bus string, ev eventbus.Event) {
	s.routeIn(ctx, ev.Account, ev.Region, bus, ev)
}
