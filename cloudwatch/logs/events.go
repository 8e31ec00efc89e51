package logs

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/logs/filterpattern"
)

// AWS's PutLogEvents limits.
const (
	MaxBatchEvents   = 10000
	MaxBatchBytes    = 1048576
	EventOverhead    = 26
	MaxEventBytes    = 262144
	maxBatchSpan     = 24 * time.Hour
	maxPast          = 14 * 24 * time.Hour
	maxFuture        = 2 * time.Hour
	maxResponseBytes = 1048576
)

// InputLogEvent is one event to put.
type InputLogEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// RejectedLogEventsInfo says which events PutLogEvents did not store.
type RejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

// PutLogEventsInput is the input of PutLogEvents.
type PutLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []InputLogEvent `json:"logEvents"`
	SequenceToken string          `json:"sequenceToken,omitempty"`
}

// PutLogEventsOutput is the output of PutLogEvents.
type PutLogEventsOutput struct {
	NextSequenceToken     string                 `json:"nextSequenceToken,omitempty"`
	RejectedLogEventsInfo *RejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
}

// PutLogEvents stores a batch of events in a stream, by AWS's rules: at most 10,000 events and
// 1,048,576 bytes (counting 26 bytes per event), events of at most 256 KiB, in chronological
// order, spanning at most 24 hours. Events more than 2 hours ahead, more than 14 days old or
// older than the group's retention are rejected into RejectedLogEventsInfo and the rest are
// stored. Sequence tokens are accepted and ignored.
func (s *Service) PutLogEvents(ctx context.Context, in *PutLogEventsInput) (*PutLogEventsOutput, error) {
	return do(ctx, s, "PutLogEvents", in, s.putLogEvents)
}

// ValidatePutLogEvents checks a batch against AWS's PutLogEvents limits.
func ValidatePutLogEvents(events []InputLogEvent) error {
	if len(events) == 0 {
		return ErrInvalidParameter.With("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(events) > MaxBatchEvents {
		return ErrInvalidParameter.With("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to %d", MaxBatchEvents)
	}
	size := 0
	for i, e := range events {
		n := len(e.Message) + EventOverhead
		if len(e.Message) == 0 {
			return ErrInvalidParameter.With("1 validation error detected: Value '' at 'logEvents.%d.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		}
		if n > MaxEventBytes {
			return ErrInvalidParameter.With("Log event too large: %d bytes exceeds limit of %d", n, MaxEventBytes)
		}
		size += n
		if i > 0 && e.Timestamp < events[i-1].Timestamp {
			return ErrInvalidParameter.With("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > MaxBatchBytes {
		return ErrInvalidParameter.With("Upload too large: %d bytes exceeds limit of %d", size, MaxBatchBytes)
	}
	if span := events[len(events)-1].Timestamp - events[0].Timestamp; span > maxBatchSpan.Milliseconds() {
		return ErrInvalidParameter.With("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return nil
}

func (s *Service) putLogEvents(ctx context.Context, in *PutLogEventsInput) (*PutLogEventsOutput, error) {
	if err := validateGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	if err := validateStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	if err := ValidatePutLogEvents(in.LogEvents); err != nil {
		return nil, err
	}
	now := s.now()
	nowMs := now.UnixMilli()

	s.mu.RLock()
	g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
	if err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		s.mu.RUnlock()
		return nil, ErrResourceNotFound.With("The specified log stream does not exist.")
	}
	retention := g.rec.RetentionInDays
	var mfs []*metricFilter
	for _, mf := range g.mfs {
		mfs = append(mfs, mf)
	}
	var subs []*subscription
	for _, sf := range g.subs {
		subs = append(subs, sf)
	}
	groupName := g.rec.Name
	s.mu.RUnlock()

	evs := in.LogEvents
	out := &PutLogEventsOutput{}
	tooOld := nowMs - maxPast.Milliseconds()
	tooNew := nowMs + maxFuture.Milliseconds()
	expired := retentionCutoff(nowMs, retention)
	lo, hi := 0, len(evs)
	var rej RejectedLogEventsInfo
	rejected := false
	for i, e := range evs {
		if e.Timestamp < tooOld {
			j := i
			rej.TooOldLogEventEndIndex, rejected = &j, true
			lo = i + 1
		}
		if retention > 0 && e.Timestamp < expired {
			j := i
			rej.ExpiredLogEventEndIndex, rejected = &j, true
			lo = i + 1
		}
	}
	for i := len(evs) - 1; i >= 0 && evs[i].Timestamp > tooNew; i-- {
		j := i
		rej.TooNewLogEventStartIndex, rejected = &j, true
		hi = i
	}
	if rejected {
		out.RejectedLogEventsInfo = &rej
	}
	accepted := evs[lo:max(lo, hi)]
	if len(accepted) > 0 {
		ts := make([]int64, len(accepted))
		msgs := make([]string, len(accepted))
		for i, e := range accepted {
			ts[i], msgs[i] = e.Timestamp, e.Message
		}
		added := st.data.append(ts, msgs, nowMs)
		s.persistBatch(ctx, st, ts, msgs, nowMs)
		if s.total.Add(added) > s.opts.MaxStoredBytes {
			s.evict()
		}
		if len(mfs) > 0 {
			s.applyMetricFilters(ctx, mfs, accepted)
		}
		if len(subs) > 0 {
			s.deliver(ctx, subs, groupName, in.LogStreamName, accepted)
		}
	}
	out.NextSequenceToken = seqToken(int64(st.data.stats().count))
	return out, nil
}

// ---- reading ----

// OutputLogEvent is an event GetLogEvents returns.
type OutputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// GetLogEventsInput is the input of GetLogEvents.
type GetLogEventsInput struct {
	LogGroupName       string `json:"logGroupName,omitempty"`
	LogGroupIdentifier string `json:"logGroupIdentifier,omitempty"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime,omitempty"`
	EndTime            *int64 `json:"endTime,omitempty"`
	NextToken          string `json:"nextToken,omitempty"`
	Limit              int    `json:"limit,omitzero"`
	StartFromHead      bool   `json:"startFromHead,omitzero"`
	Unmask             bool   `json:"unmask,omitzero"`
}

// GetLogEventsOutput is the output of GetLogEvents.
type GetLogEventsOutput struct {
	Events            []OutputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken,omitempty"`
	NextBackwardToken string           `json:"nextBackwardToken,omitempty"`
}

func encodeKey(dir byte, k evKey) string {
	return fmt.Sprintf("%c/%020d%010d%010d/s", dir, uint64(k.ts-minTime), k.arena, k.off)
}

func decodeKey(tok string) (dir byte, k evKey, err error) {
	bad := ErrInvalidParameter.With("The specified nextToken is invalid.")
	if len(tok) != 2+40+2 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' || !strings.HasSuffix(tok, "/s") {
		return 0, k, bad
	}
	d := tok[2:42]
	ts, err1 := strconv.ParseUint(d[:20], 10, 64)
	a, err2 := strconv.ParseUint(d[20:30], 10, 32)
	o, err3 := strconv.ParseUint(d[30:40], 10, 32)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, k, bad
	}
	return tok[0], evKey{ts: int64(ts) + minTime, arena: uint32(a), off: uint32(o)}, nil
}

// GetLogEvents reads a stream in timestamp order, forward or backward, with AWS's tokens: at
// the end of the stream the token returned is the one passed in.
func (s *Service) GetLogEvents(ctx context.Context, in *GetLogEventsInput) (*GetLogEventsOutput, error) {
	return do(ctx, s, "GetLogEvents", in, s.getLogEvents)
}

func (s *Service) getLogEvents(ctx context.Context, in *GetLogEventsInput) (*GetLogEventsOutput, error) {
	name, err := resolveGroupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if err := validateStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, 10000, 10000)
	if err != nil {
		return nil, err
	}
	var dir byte
	var tk evKey
	if in.NextToken != "" {
		if dir, tk, err = decodeKey(in.NextToken); err != nil {
			return nil, err
		}
	}
	g, st, err := s.streamOf(ctx, name, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	start, end := int64(minTime), int64(maxTime)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	s.mu.RLock()
	start = max(start, retentionCutoff(s.nowMillis(), g.rec.RetentionInDays))
	s.mu.RUnlock()

	d := st.data
	d.mu.RLock()
	defer d.mu.RUnlock()
	lo, hi := d.span(start, end)
	var from, to int // the page is events[from:to]
	switch {
	case dir == 'f':
		from = max(lo, d.after(tk))
		to = from
		size := 0
		for to < hi && to-from < limit {
			size += int(d.events[to].n) + EventOverhead
			if size > maxResponseBytes {
				break
			}
			to++
		}
	case dir == 'b' || !in.StartFromHead:
		to = hi
		if dir == 'b' {
			to = min(hi, d.atOrAfter(tk))
		}
		from = to
		size := 0
		for from > lo && to-from < limit {
			size += int(d.events[from-1].n) + EventOverhead
			if size > maxResponseBytes {
				break
			}
			from--
		}
	default: // from head
		from, to = lo, lo
		size := 0
		for to < hi && to-from < limit {
			size += int(d.events[to].n) + EventOverhead
			if size > maxResponseBytes {
				break
			}
			to++
		}
	}
	out := &GetLogEventsOutput{Events: make([]OutputLogEvent, 0, to-from)}
	for i := from; i < to; i++ {
		e := &d.events[i]
		out.Events = append(out.Events, OutputLogEvent{Timestamp: e.ts, Message: d.msg(e), IngestionTime: e.ingest})
	}
	if to > from {
		out.NextForwardToken = encodeKey('f', d.events[to-1].key())
		out.NextBackwardToken = encodeKey('b', d.events[from].key())
	} else {
		// Nothing here: the forward token stays where it is (the same-token-at-end rule).
		switch {
		case in.NextToken != "":
			out.NextForwardToken, out.NextBackwardToken = in.NextToken, in.NextToken
			if dir == 'f' {
				out.NextBackwardToken = encodeKey('b', evKey{ts: tk.ts, arena: tk.arena, off: tk.off + 1})
			} else {
				out.NextForwardToken = encodeKey('f', evKey{ts: tk.ts, arena: tk.arena, off: tk.off})
			}
		default:
			pos := evKey{ts: start - 1, arena: ^uint32(0), off: ^uint32(0)}
			if from > 0 {
				pos = d.events[from-1].key()
			}
			out.NextForwardToken = encodeKey('f', pos)
			out.NextBackwardToken = encodeKey('b', evKey{ts: start})
		}
	}
	return out, nil
}

// FilteredLogEvent is an event FilterLogEvents returns.
type FilteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// SearchedLogStream reports whether a stream was searched completely.
type SearchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

// FilterLogEventsInput is the input of FilterLogEvents.
type FilterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier,omitempty"`
	LogStreamNames      []string `json:"logStreamNames,omitempty"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix,omitempty"`
	StartTime           *int64   `json:"startTime,omitempty"`
	EndTime             *int64   `json:"endTime,omitempty"`
	FilterPattern       string   `json:"filterPattern,omitempty"`
	NextToken           string   `json:"nextToken,omitempty"`
	Limit               int      `json:"limit,omitzero"`
	Interleaved         bool     `json:"interleaved,omitzero"`
	Unmask              bool     `json:"unmask,omitzero"`
}

// FilterLogEventsOutput is the output of FilterLogEvents.
type FilterLogEventsOutput struct {
	Events             []FilteredLogEvent  `json:"events"`
	SearchedLogStreams []SearchedLogStream `json:"searchedLogStreams"`
	NextToken          string              `json:"nextToken,omitempty"`
}

// FilterLogEvents searches a group's streams (all, named, or by prefix) for events matching a
// filter pattern, merged in timestamp order. startTime and endTime are both inclusive.
func (s *Service) FilterLogEvents(ctx context.Context, in *FilterLogEventsInput) (*FilterLogEventsOutput, error) {
	return do(ctx, s, "FilterLogEvents", in, s.filterLogEvents)
}

// parsePattern parses a filter pattern into AWS's error.
func parsePattern(p string) (*filterpattern.Pattern, error) {
	pat, err := filterpattern.Parse(p)
	if err != nil {
		var se *filterpattern.SyntaxError
		if errors.As(err, &se) {
			return nil, ErrInvalidParameter.With("Invalid filter pattern: %s (at position %d)", se.Msg, se.Pos)
		}
		return nil, ErrInvalidParameter.With("Invalid filter pattern: %v", err)
	}
	return pat, nil
}

type cursor struct {
	st   *stream
	d    *streamData
	i    int
	hi   int
	pat  *filterpattern.Pattern
	done bool
}

// next moves to the next matching event; it reports false at the end.
func (c *cursor) next() bool {
	for c.i < c.hi {
		e := &c.d.events[c.i]
		if c.pat.Match(c.d.msg(e)) {
			return true
		}
		c.i++
	}
	c.done = true
	return false
}

type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	a, b := &h[i].d.events[h[i].i], &h[j].d.events[h[j].i]
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	if h[i].st.rec.Name != h[j].st.rec.Name {
		return h[i].st.rec.Name < h[j].st.rec.Name
	}
	return a.key().less(b.key())
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func eventID(stream string, k evKey) string {
	h := fnv.New32a()
	h.Write([]byte(stream))
	return fmt.Sprintf("%020d%010d%010d%010d", uint64(k.ts-minTime), h.Sum32(), k.arena, k.off)
}

func (s *Service) filterLogEvents(ctx context.Context, in *FilterLogEventsInput) (*FilterLogEventsOutput, error) {
	name, err := resolveGroupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, ErrInvalidParameter.With("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if len(in.LogStreamNames) > 100 {
		return nil, ErrInvalidParameter.With("1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	limit, err := checkLimit(in.Limit, 10000, 10000)
	if err != nil {
		return nil, err
	}
	pat, err := parsePattern(in.FilterPattern)
	if err != nil {
		return nil, err
	}
	// token: "<stream>\x00<key>" encoded
	var tokStream string
	var tokKey evKey
	hasTok := false
	if in.NextToken != "" {
		i := strings.LastIndexByte(in.NextToken, '|')
		if i < 0 {
			return nil, ErrInvalidParameter.With("The specified nextToken is invalid.")
		}
		_, k, err := decodeKey(in.NextToken[i+1:])
		if err != nil {
			return nil, err
		}
		tokStream, tokKey, hasTok = in.NextToken[:i], k, true
	}
	start, end := int64(minTime), int64(maxTime)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	s.mu.RLock()
	g, err := s.lookupGroupLocked(ctx, name)
	if err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	start = max(start, retentionCutoff(s.nowMillis(), g.rec.RetentionInDays))
	var streams []*stream
	if len(in.LogStreamNames) > 0 {
		for _, n := range in.LogStreamNames {
			st := g.streams[n]
			if st == nil {
				s.mu.RUnlock()
				return nil, ErrResourceNotFound.With("The specified log stream does not exist.")
			}
			streams = append(streams, st)
		}
	} else {
		for _, st := range sortedStreams(g) {
			if strings.HasPrefix(st.rec.Name, in.LogStreamNamePrefix) {
				streams = append(streams, st)
			}
		}
	}
	s.mu.RUnlock()

	out := &FilterLogEventsOutput{Events: []FilteredLogEvent{}, SearchedLogStreams: []SearchedLogStream{}}
	if end < start {
		return out, nil
	}
	h := make(cursorHeap, 0, len(streams))
	cursors := make([]*cursor, 0, len(streams))
	for _, st := range streams {
		st.data.mu.RLock()
		defer st.data.mu.RUnlock()
		d := st.data
		lo, hi := d.span(start, end+1)
		if hasTok {
			switch {
			case st.rec.Name < tokStream:
				lo = max(lo, d.after(evKey{ts: tokKey.ts, arena: ^uint32(0), off: ^uint32(0)}))
			case st.rec.Name == tokStream:
				lo = max(lo, d.after(tokKey))
			default:
				lo = max(lo, d.atOrAfter(evKey{ts: tokKey.ts}))
			}
		}
		c := &cursor{st: st, d: d, i: lo, hi: hi, pat: pat}
		cursors = append(cursors, c)
		if c.next() {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	size := 0
	var lastKey evKey
	for h.Len() > 0 && len(out.Events) < limit {
		c := h[0]
		e := &c.d.events[c.i]
		size += int(e.n) + EventOverhead
		if size > maxResponseBytes && len(out.Events) > 0 {
			break
		}
		out.Events = append(out.Events, FilteredLogEvent{
			LogStreamName: c.st.rec.Name, Timestamp: e.ts, Message: c.d.msg(e), IngestionTime: e.ingest,
			EventID: eventID(c.st.rec.Name, e.key()),
		})
		lastKey = e.key()
		c.i++
		if c.next() {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	if h.Len() > 0 && len(out.Events) > 0 {
		out.NextToken = out.Events[len(out.Events)-1].LogStreamName + "|" + encodeKey('f', lastKey)
	}
	for _, c := range cursors {
		out.SearchedLogStreams = append(out.SearchedLogStreams, SearchedLogStream{LogStreamName: c.st.rec.Name, SearchedCompletely: c.done})
	}
	return out, nil
}
