package cloudtrail

import (
	"context"
	"encoding/base64"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// MaxLookupResults is the largest page LookupEvents returns (AWS's limit).
const MaxLookupResults = 50

// lookupKey maps a lookup attribute key to its index (-1: EventId).
func lookupKey(k string) (int, bool) {
	switch k {
	case "EventName":
		return attrEventName, true
	case "Username":
		return attrUsername, true
	case "ResourceType":
		return attrResourceType, true
	case "ResourceName":
		return attrResourceName, true
	case "EventSource":
		return attrEventSource, true
	case "AccessKeyId":
		return attrAccessKeyID, true
	case "ReadOnly":
		return attrReadOnly, true
	case "EventId":
		return -1, true
	}
	return 0, false
}

// LookupEvents returns the management events (or, with EventCategory "insight", the Insights
// events) of the caller's account and region, newest first.
func (s *Service) LookupEvents(ctx context.Context, in *LookupEventsInput) (*LookupEventsOutput, error) {
	return dispatch.Do(ctx, s.d, "LookupEvents", in, s.lookupEvents)
}

type lookupQuery struct {
	account, region string
	insight         bool
	attr            int // -1: EventId, -2: none
	value           string
	start, end      time.Time
	hasStart        bool
	hasEnd          bool
	limit           int
}

func (q *lookupQuery) hash() uint64 {
	h := fnv.New64a()
	h.Write([]byte(q.account + "|" + q.region + "|" + strconv.FormatBool(q.insight) + "|" + strconv.Itoa(q.attr) + "|" + q.value + "|"))
	h.Write([]byte(q.start.UTC().String() + "|" + q.end.UTC().String()))
	return h.Sum64()
}

func encodeToken(pos, hash uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatUint(pos, 10) + ":" + strconv.FormatUint(hash, 16)))
}

// decodeToken parses a NextToken; ok is false for anything this service did not make.
func decodeToken(tok string) (pos, hash uint64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "v1" {
		return 0, 0, false
	}
	pos, err1 := strconv.ParseUint(parts[1], 10, 64)
	hash, err2 := strconv.ParseUint(parts[2], 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return pos, hash, true
}

func (s *Service) lookupEvents(ctx context.Context, in *LookupEventsInput) (*LookupEventsOutput, error) {
	q := lookupQuery{attr: -2, limit: MaxLookupResults}
	q.account, q.region = core.Scope(ctx)
	switch in.EventCategory {
	case "":
	case "insight":
		q.insight = true
	default:
		return nil, ErrInvalidEventCategory.With("Event category %s is not valid. Valid values are: [insight]", in.EventCategory)
	}
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > MaxLookupResults {
			return nil, ErrInvalidMaxResults.With("Value %d for parameter MaxResults is invalid. Valid range is 1 to 50.", *in.MaxResults)
		}
		q.limit = int(*in.MaxResults)
	}
	if len(in.LookupAttributes) > 1 {
		return nil, ErrInvalidLookupAttrs.With("You can specify only one lookup attribute.")
	}
	if len(in.LookupAttributes) == 1 {
		a := in.LookupAttributes[0]
		idx, ok := lookupKey(a.AttributeKey)
		if !ok {
			return nil, ErrInvalidLookupAttrs.With("Lookup attribute key %q is not valid.", a.AttributeKey)
		}
		if a.AttributeValue == "" || len(a.AttributeValue) > 2000 {
			return nil, ErrInvalidLookupAttrs.With("Lookup attribute value must be 1 to 2000 characters.")
		}
		q.attr, q.value = idx, a.AttributeValue
	}
	if in.StartTime != nil {
		q.start, q.hasStart = *in.StartTime, true
	}
	if in.EndTime != nil {
		q.end, q.hasEnd = *in.EndTime, true
	}
	if q.hasStart && q.hasEnd && q.start.After(q.end) {
		return nil, ErrInvalidTimeRange.With("Start time must be before end time.")
	}
	from := ^uint64(0)
	if in.NextToken != "" {
		pos, h, ok := decodeToken(in.NextToken)
		if !ok || h != q.hash() {
			return nil, ErrInvalidNextToken.With("Invalid NextToken.")
		}
		from = pos
	}
	s.process()
	s.hist.expire(s.env.Clock.Now())
	recs, next := s.hist.lookup(&q, from, s)
	out := &LookupEventsOutput{Events: make([]Event, 0, len(recs))}
	for _, r := range recs {
		out.Events = append(out.Events, s.lookupEvent(r))
	}
	if next != 0 {
		out.NextToken = encodeToken(next, q.hash())
	}
	return out, nil
}

func (s *Service) lookupEvent(r *record) Event {
	e := Event{
		EventID:         s.eventID(r.pos),
		EventName:       r.name,
		EventSource:     r.src.eventSource,
		EventTime:       r.t.UTC().Truncate(time.Second),
		CloudTrailEvent: string(s.appendRecord(nil, r)),
		ReadOnly:        strconv.FormatBool(r.readOnly),
	}
	if r.cat != catInsight {
		e.Username = r.who.username
		e.AccessKeyID = r.who.AccessKeyID
		for _, res := range r.resources {
			e.Resources = append(e.Resources, Resource{ResourceName: res.Name, ResourceType: res.Type})
		}
	}
	return e
}

// lookup returns up to q.limit matching records at positions below from, newest first, and the
// position to continue from (0 when done).
func (h *history) lookup(q *lookupQuery, from uint64, s *Service) ([]*record, uint64) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	x := h.scopes[scopeKey{q.account, q.region}]
	if x == nil {
		return nil, 0
	}
	var list []uint64
	switch {
	case q.attr == -1:
		pos, ok := s.posOf(q.value)
		if !ok {
			return nil, 0
		}
		r := h.get(pos)
		if r == nil || (r.cat == catInsight) != q.insight || r.cat == catData || r.who.Account != q.account || r.who.Region != q.region {
			return nil, 0
		}
		list = []uint64{pos}
	case q.insight:
		list = x.insights
		if q.attr >= 0 {
			var l []uint64
			for _, p := range list {
				r := h.get(p)
				if r != nil && insightAttr(r, q.attr) == q.value {
					l = append(l, p)
				}
			}
			list = l
		}
	case q.attr >= 0:
		list = x.attrs[q.attr][q.value]
	default:
		list = x.all
	}
	// newest first: start below from
	i := sort.Search(len(list), func(i int) bool { return list[i] >= from })
	var out []*record
	for i--; i >= 0; i-- {
		p := list[i]
		if p < h.first {
			break
		}
		r := h.get(p)
		if q.hasStart && r.t.Before(q.start) || q.hasEnd && r.t.After(q.end) {
			continue
		}
		if len(out) == q.limit {
			return out, out[len(out)-1].pos
		}
		out = append(out, r)
	}
	return out, 0
}

func insightAttr(r *record, a int) string {
	switch a {
	case attrEventName:
		return r.name
	case attrEventSource:
		return r.src.eventSource
	case attrReadOnly:
		return "false"
	}
	return ""
}
