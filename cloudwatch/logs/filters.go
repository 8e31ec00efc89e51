package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudwatch/logs/filterpattern"
	"github.com/devopsim/devopsim/internal/core"
)

// Limits on filters per log group (AWS's).
const (
	MaxMetricFiltersPerGroup       = 100
	MaxSubscriptionFiltersPerGroup = 2
)

var standardUnits = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
	"Count/Second", "None"}

// MetricTransformation says what metric a metric filter publishes.
type MetricTransformation struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

// MetricFilter is a metric filter as DescribeMetricFilters reports it.
type MetricFilter struct {
	FilterName            string                 `json:"filterName"`
	FilterPattern         string                 `json:"filterPattern"`
	MetricTransformations []MetricTransformation `json:"metricTransformations"`
	CreationTime          int64                  `json:"creationTime,omitzero"`
	LogGroupName          string                 `json:"logGroupName"`
}

type metricFilterRecord struct {
	Scope  string       `json:"scope"`
	Filter MetricFilter `json:"filter"`
}

type metricFilter struct {
	rec metricFilterRecord
	pat *filterpattern.Pattern
}

func compileMetricFilter(r metricFilterRecord) (*metricFilter, error) {
	p, err := parsePattern(r.Filter.FilterPattern)
	if err != nil {
		return nil, err
	}
	return &metricFilter{rec: r, pat: p}, nil
}

func validateFilterName(n string) error {
	if n == "" || len(n) > 512 || strings.ContainsAny(n, ":*") {
		return ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", n)
	}
	return nil
}

func isFieldRef(v string) bool { return strings.HasPrefix(v, "$") && len(v) > 1 }

func validateTransformation(t MetricTransformation) error {
	if t.MetricName == "" || len(t.MetricName) > 255 || strings.ContainsAny(t.MetricName, ":*$") {
		return ErrInvalidParameter.With("Invalid metric name: %q", t.MetricName)
	}
	if t.MetricNamespace == "" || len(t.MetricNamespace) > 255 || strings.ContainsAny(t.MetricNamespace, ":*$") {
		return ErrInvalidParameter.With("Invalid metric namespace: %q", t.MetricNamespace)
	}
	if t.MetricValue == "" || len(t.MetricValue) > 100 {
		return ErrInvalidParameter.With("Invalid metric value: %q", t.MetricValue)
	}
	if !isFieldRef(t.MetricValue) {
		if _, err := strconv.ParseFloat(t.MetricValue, 64); err != nil {
			return ErrInvalidParameter.With("Invalid metric value: %q. The metric value must be a number or a field reference such as $.latency or $size.", t.MetricValue)
		}
	}
	if len(t.Dimensions) > 3 {
		return ErrInvalidParameter.With("A metric filter can have at most 3 dimensions.")
	}
	for k, v := range t.Dimensions {
		if k == "" || !isFieldRef(v) {
			return ErrInvalidParameter.With("Invalid dimension %q: dimension values must be field references such as $.field or $field.", k)
		}
	}
	if len(t.Dimensions) > 0 && t.DefaultValue != nil {
		return ErrInvalidParameter.With("You cannot specify a default value when you specify dimensions.")
	}
	if t.Unit != "" && !slices.Contains(standardUnits, t.Unit) {
		return ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'metricTransformations.1.member.unit' failed to satisfy constraint: Member must satisfy enum value set", t.Unit)
	}
	return nil
}

// PutMetricFilterInput is the input of PutMetricFilter.
type PutMetricFilterInput struct {
	LogGroupName          string                 `json:"logGroupName"`
	FilterName            string                 `json:"filterName"`
	FilterPattern         string                 `json:"filterPattern"`
	MetricTransformations []MetricTransformation `json:"metricTransformations"`
}

// PutMetricFilterOutput is the output of PutMetricFilter.
type PutMetricFilterOutput struct{}

// PutMetricFilter creates or replaces a metric filter.
func (s *Service) PutMetricFilter(ctx context.Context, in *PutMetricFilterInput) (*PutMetricFilterOutput, error) {
	return do(ctx, s, "PutMetricFilter", in, func(ctx context.Context, in *PutMetricFilterInput) (*PutMetricFilterOutput, error) {
		if err := validateGroupName(in.LogGroupName); err != nil {
			return nil, err
		}
		if err := validateFilterName(in.FilterName); err != nil {
			return nil, err
		}
		if len(in.MetricTransformations) != 1 {
			return nil, ErrInvalidParameter.With("1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1")
		}
		if err := validateTransformation(in.MetricTransformations[0]); err != nil {
			return nil, err
		}
		rec := metricFilterRecord{Scope: core.ScopeKey(ctx), Filter: MetricFilter{
			FilterName: in.FilterName, FilterPattern: in.FilterPattern, MetricTransformations: in.MetricTransformations,
			CreationTime: s.nowMillis(), LogGroupName: in.LogGroupName,
		}}
		mf, err := compileMetricFilter(rec)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
		if err != nil {
			return nil, err
		}
		if old := g.mfs[in.FilterName]; old != nil {
			rec.Filter.CreationTime = old.rec.Filter.CreationTime
		} else if len(g.mfs) >= MaxMetricFiltersPerGroup {
			return nil, ErrLimitExceeded.With("Resource limit exceeded.")
		}
		if err := s.mfT.Put(ctx, rec.Scope+in.LogGroupName+":"+in.FilterName, rec); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		g.mfs[in.FilterName] = mf
		return &PutMetricFilterOutput{}, nil
	})
}

// DeleteMetricFilterInput is the input of DeleteMetricFilter.
type DeleteMetricFilterInput struct {
	LogGroupName string `json:"logGroupName"`
	FilterName   string `json:"filterName"`
}

// DeleteMetricFilterOutput is the output of DeleteMetricFilter.
type DeleteMetricFilterOutput struct{}

// DeleteMetricFilter deletes a metric filter.
func (s *Service) DeleteMetricFilter(ctx context.Context, in *DeleteMetricFilterInput) (*DeleteMetricFilterOutput, error) {
	return do(ctx, s, "DeleteMetricFilter", in, func(ctx context.Context, in *DeleteMetricFilterInput) (*DeleteMetricFilterOutput, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
		if err != nil {
			return nil, err
		}
		if g.mfs[in.FilterName] == nil {
			return nil, ErrResourceNotFound.With("The specified metric filter does not exist.")
		}
		delete(g.mfs, in.FilterName)
		_ = s.mfT.Delete(ctx, g.rec.Scope+g.rec.Name+":"+in.FilterName)
		return &DeleteMetricFilterOutput{}, nil
	})
}

// DescribeMetricFiltersInput is the input of DescribeMetricFilters.
type DescribeMetricFiltersInput struct {
	LogGroupName     string `json:"logGroupName,omitempty"`
	FilterNamePrefix string `json:"filterNamePrefix,omitempty"`
	NextToken        string `json:"nextToken,omitempty"`
	Limit            int    `json:"limit,omitzero"`
	MetricName       string `json:"metricName,omitempty"`
	MetricNamespace  string `json:"metricNamespace,omitempty"`
}

// DescribeMetricFiltersOutput is the output of DescribeMetricFilters.
type DescribeMetricFiltersOutput struct {
	MetricFilters []MetricFilter `json:"metricFilters"`
	NextToken     string         `json:"nextToken,omitempty"`
}

// DescribeMetricFilters lists metric filters of one group, or of all groups, or by metric.
func (s *Service) DescribeMetricFilters(ctx context.Context, in *DescribeMetricFiltersInput) (*DescribeMetricFiltersOutput, error) {
	return do(ctx, s, "DescribeMetricFilters", in, func(ctx context.Context, in *DescribeMetricFiltersInput) (*DescribeMetricFiltersOutput, error) {
		if in.FilterNamePrefix != "" && in.LogGroupName == "" {
			return nil, ErrInvalidParameter.With("If you specify filterNamePrefix, you must also specify logGroupName.")
		}
		if (in.MetricName == "") != (in.MetricNamespace == "") {
			return nil, ErrInvalidParameter.With("metricName and metricNamespace must be specified together.")
		}
		limit, err := checkLimit(in.Limit, 50, 50)
		if err != nil {
			return nil, err
		}
		scope := core.ScopeKey(ctx)
		var all []MetricFilter
		s.mu.RLock()
		if in.LogGroupName != "" {
			g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
			if err != nil {
				s.mu.RUnlock()
				return nil, err
			}
			for _, mf := range g.mfs {
				all = append(all, mf.rec.Filter)
			}
		} else {
			for k, g := range s.groups {
				if strings.HasPrefix(k, scope) {
					for _, mf := range g.mfs {
						all = append(all, mf.rec.Filter)
					}
				}
			}
		}
		s.mu.RUnlock()
		var keep []MetricFilter
		for _, f := range all {
			if !strings.HasPrefix(f.FilterName, in.FilterNamePrefix) {
				continue
			}
			if in.MetricName != "" {
				t := f.MetricTransformations[0]
				if t.MetricName != in.MetricName || t.MetricNamespace != in.MetricNamespace {
					continue
				}
			}
			keep = append(keep, f)
		}
		sort.Slice(keep, func(i, j int) bool {
			if keep[i].LogGroupName != keep[j].LogGroupName {
				return keep[i].LogGroupName < keep[j].LogGroupName
			}
			return keep[i].FilterName < keep[j].FilterName
		})
		items, next, err := page(keep, in.NextToken, limit)
		if err != nil {
			return nil, err
		}
		return &DescribeMetricFiltersOutput{MetricFilters: items, NextToken: next}, nil
	})
}

// page returns items[offset:offset+limit] with an offset token.
func page[T any](items []T, token string, limit int) ([]T, string, error) {
	off := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "o/"))
		if err != nil || n < 0 || !strings.HasPrefix(token, "o/") {
			return nil, "", ErrInvalidParameter.With("The specified nextToken is invalid.")
		}
		off = min(n, len(items))
	}
	end := min(off+limit, len(items))
	out := append([]T{}, items[off:end]...)
	next := ""
	if end < len(items) {
		next = "o/" + strconv.Itoa(end)
	}
	return out, next, nil
}

// MetricFilterMatchRecord is one TestMetricFilter match.
type MetricFilterMatchRecord struct {
	EventNumber     int64             `json:"eventNumber"`
	EventMessage    string            `json:"eventMessage"`
	ExtractedValues map[string]string `json:"extractedValues"`
}

// TestMetricFilterInput is the input of TestMetricFilter.
type TestMetricFilterInput struct {
	FilterPattern    string   `json:"filterPattern"`
	LogEventMessages []string `json:"logEventMessages"`
}

// TestMetricFilterOutput is the output of TestMetricFilter.
type TestMetricFilterOutput struct {
	Matches []MetricFilterMatchRecord `json:"matches"`
}

// TestMetricFilter matches sample messages against a pattern.
func (s *Service) TestMetricFilter(ctx context.Context, in *TestMetricFilterInput) (*TestMetricFilterOutput, error) {
	return do(ctx, s, "TestMetricFilter", in, func(ctx context.Context, in *TestMetricFilterInput) (*TestMetricFilterOutput, error) {
		if len(in.LogEventMessages) < 1 || len(in.LogEventMessages) > 50 {
			return nil, ErrInvalidParameter.With("1 validation error detected: Value at 'logEventMessages' failed to satisfy constraint: Member must have length between 1 and 50")
		}
		p, err := parsePattern(in.FilterPattern)
		if err != nil {
			return nil, err
		}
		out := &TestMetricFilterOutput{Matches: []MetricFilterMatchRecord{}}
		for i, m := range in.LogEventMessages {
			if r, ok := p.Eval(m); ok {
				out.Matches = append(out.Matches, MetricFilterMatchRecord{EventNumber: int64(i + 1), EventMessage: m, ExtractedValues: r.Extracted()})
			}
		}
		return out, nil
	})
}

// applyMetricFilters publishes the data points the accepted events produce.
func (s *Service) applyMetricFilters(ctx context.Context, mfs []*metricFilter, evs []InputLogEvent) {
	s.sinkMu.RLock()
	sink := s.sink
	s.sinkMu.RUnlock()
	if sink == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, mf := range mfs {
		t := mf.rec.Filter.MetricTransformations[0]
		matched := false
		for _, e := range evs {
			r, ok := mf.pat.Eval(e.Message)
			if !ok {
				continue
			}
			var v float64
			if isFieldRef(t.MetricValue) {
				sv, ok := r.Value(t.MetricValue)
				if !ok {
					continue
				}
				f, err := strconv.ParseFloat(sv, 64)
				if err != nil {
					continue
				}
				v = f
			} else {
				v, _ = strconv.ParseFloat(t.MetricValue, 64)
			}
			var dims map[string]string
			if len(t.Dimensions) > 0 {
				dims = make(map[string]string, len(t.Dimensions))
				okAll := true
				for k, ref := range t.Dimensions {
					dv, ok := r.Value(ref)
					if !ok || dv == "" {
						okAll = false
						break
					}
					dims[k] = dv
				}
				if !okAll {
					continue
				}
			}
			matched = true
			if err := sink.PutMetric(ctx, t.MetricNamespace, t.MetricName, dims, v, unitOr(t.Unit), time.UnixMilli(e.Timestamp).UTC()); err != nil {
				s.log.Warn("metric filter publish failed", "filter", mf.rec.Filter.FilterName, "err", err)
			}
		}
		if !matched && t.DefaultValue != nil && len(evs) > 0 {
			ts := time.UnixMilli(evs[len(evs)-1].Timestamp).UTC()
			if err := sink.PutMetric(ctx, t.MetricNamespace, t.MetricName, nil, *t.DefaultValue, unitOr(t.Unit), ts); err != nil {
				s.log.Warn("metric filter publish failed", "filter", mf.rec.Filter.FilterName, "err", err)
			}
		}
	}
}

func unitOr(u string) string {
	if u == "" {
		return "None"
	}
	return u
}

// ---- subscription filters ----

// SubscriptionFilter is a subscription filter as DescribeSubscriptionFilters reports it.
type SubscriptionFilter struct {
	FilterName     string `json:"filterName"`
	LogGroupName   string `json:"logGroupName"`
	FilterPattern  string `json:"filterPattern"`
	DestinationArn string `json:"destinationArn"`
	RoleArn        string `json:"roleArn,omitempty"`
	Distribution   string `json:"distribution,omitempty"`
	CreationTime   int64  `json:"creationTime,omitzero"`
}

type subscriptionRecord struct {
	Scope  string             `json:"scope"`
	Owner  string             `json:"owner"`
	Filter SubscriptionFilter `json:"filter"`
}

type subscription struct {
	rec subscriptionRecord
	pat *filterpattern.Pattern
}

func compileSubscription(r subscriptionRecord) (*subscription, error) {
	p, err := parsePattern(r.Filter.FilterPattern)
	if err != nil {
		return nil, err
	}
	return &subscription{rec: r, pat: p}, nil
}

// PutSubscriptionFilterInput is the input of PutSubscriptionFilter.
type PutSubscriptionFilterInput struct {
	LogGroupName   string `json:"logGroupName"`
	FilterName     string `json:"filterName"`
	FilterPattern  string `json:"filterPattern"`
	DestinationArn string `json:"destinationArn"`
	RoleArn        string `json:"roleArn,omitempty"`
	Distribution   string `json:"distribution,omitempty"`
}

// PutSubscriptionFilterOutput is the output of PutSubscriptionFilter.
type PutSubscriptionFilterOutput struct{}

// PutSubscriptionFilter creates or replaces a subscription filter.
func (s *Service) PutSubscriptionFilter(ctx context.Context, in *PutSubscriptionFilterInput) (*PutSubscriptionFilterOutput, error) {
	return do(ctx, s, "PutSubscriptionFilter", in, func(ctx context.Context, in *PutSubscriptionFilterInput) (*PutSubscriptionFilterOutput, error) {
		if err := validateGroupName(in.LogGroupName); err != nil {
			return nil, err
		}
		if err := validateFilterName(in.FilterName); err != nil {
			return nil, err
		}
		dist := in.Distribution
		if dist == "" {
			dist = "ByLogStream"
		}
		if dist != "ByLogStream" && dist != "Random" {
			return nil, ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'distribution' failed to satisfy constraint: Member must satisfy enum value set: [Random, ByLogStream]", dist)
		}
		if !strings.HasPrefix(in.DestinationArn, "arn:") {
			return nil, ErrInvalidParameter.With("Invalid destination ARN: %q", in.DestinationArn)
		}
		account, _ := core.Scope(ctx)
		rec := subscriptionRecord{Scope: core.ScopeKey(ctx), Owner: account, Filter: SubscriptionFilter{
			FilterName: in.FilterName, LogGroupName: in.LogGroupName, FilterPattern: in.FilterPattern,
			DestinationArn: in.DestinationArn, RoleArn: in.RoleArn, Distribution: dist, CreationTime: s.nowMillis(),
		}}
		sf, err := compileSubscription(rec)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.destinationKnownLocked(ctx, in.DestinationArn) {
			return nil, ErrInvalidParameter.With("Could not deliver test message to specified destination. Check if the destination is valid.")
		}
		g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
		if err != nil {
			return nil, err
		}
		if old := g.subs[in.FilterName]; old != nil {
			rec.Filter.CreationTime = old.rec.Filter.CreationTime
		} else if len(g.subs) >= MaxSubscriptionFiltersPerGroup {
			return nil, ErrLimitExceeded.With("Resource limit exceeded.")
		}
		if err := s.sfT.Put(ctx, rec.Scope+in.LogGroupName+":"+in.FilterName, rec); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		g.subs[in.FilterName] = sf
		return &PutSubscriptionFilterOutput{}, nil
	})
}

// destinationKnownLocked: a registered Go destination, a log group of this service, or any ARN
// when a Destination is wired. Callers hold s.mu.
func (s *Service) destinationKnownLocked(ctx context.Context, arn string) bool {
	if s.dests[arn] != nil {
		return true
	}
	if name, ok := logGroupARN(arn); ok {
		_, err := s.lookupGroupLocked(ctx, name)
		return err == nil
	}
	return s.opts.Destinations != nil
}

func logGroupARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", false
	}
	return strings.TrimSuffix(parts[6], ":*"), true
}

// DeleteSubscriptionFilterInput is the input of DeleteSubscriptionFilter.
type DeleteSubscriptionFilterInput struct {
	LogGroupName string `json:"logGroupName"`
	FilterName   string `json:"filterName"`
}

// DeleteSubscriptionFilterOutput is the output of DeleteSubscriptionFilter.
type DeleteSubscriptionFilterOutput struct{}

// DeleteSubscriptionFilter deletes a subscription filter.
func (s *Service) DeleteSubscriptionFilter(ctx context.Context, in *DeleteSubscriptionFilterInput) (*DeleteSubscriptionFilterOutput, error) {
	return do(ctx, s, "DeleteSubscriptionFilter", in, func(ctx context.Context, in *DeleteSubscriptionFilterInput) (*DeleteSubscriptionFilterOutput, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
		if err != nil {
			return nil, err
		}
		if g.subs[in.FilterName] == nil {
			return nil, ErrResourceNotFound.With("The specified subscription filter does not exist.")
		}
		delete(g.subs, in.FilterName)
		_ = s.sfT.Delete(ctx, g.rec.Scope+g.rec.Name+":"+in.FilterName)
		return &DeleteSubscriptionFilterOutput{}, nil
	})
}

// DescribeSubscriptionFiltersInput is the input of DescribeSubscriptionFilters.
type DescribeSubscriptionFiltersInput struct {
	LogGroupName     string `json:"logGroupName"`
	FilterNamePrefix string `json:"filterNamePrefix,omitempty"`
	NextToken        string `json:"nextToken,omitempty"`
	Limit            int    `json:"limit,omitzero"`
}

// DescribeSubscriptionFiltersOutput is the output of DescribeSubscriptionFilters.
type DescribeSubscriptionFiltersOutput struct {
	SubscriptionFilters []SubscriptionFilter `json:"subscriptionFilters"`
	NextToken           string               `json:"nextToken,omitempty"`
}

// DescribeSubscriptionFilters lists a group's subscription filters.
func (s *Service) DescribeSubscriptionFilters(ctx context.Context, in *DescribeSubscriptionFiltersInput) (*DescribeSubscriptionFiltersOutput, error) {
	return do(ctx, s, "DescribeSubscriptionFilters", in, func(ctx context.Context, in *DescribeSubscriptionFiltersInput) (*DescribeSubscriptionFiltersOutput, error) {
		limit, err := checkLimit(in.Limit, 50, 50)
		if err != nil {
			return nil, err
		}
		s.mu.RLock()
		g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
		if err != nil {
			s.mu.RUnlock()
			return nil, err
		}
		var all []SubscriptionFilter
		for _, sf := range g.subs {
			if strings.HasPrefix(sf.rec.Filter.FilterName, in.FilterNamePrefix) {
				all = append(all, sf.rec.Filter)
			}
		}
		s.mu.RUnlock()
		sort.Slice(all, func(i, j int) bool { return all[i].FilterName < all[j].FilterName })
		items, next, err := page(all, in.NextToken, limit)
		if err != nil {
			return nil, err
		}
		return &DescribeSubscriptionFiltersOutput{SubscriptionFilters: items, NextToken: next}, nil
	})
}

// SubscriptionMessage is the JSON a subscription delivers (gzipped on the wire).
type SubscriptionMessage struct {
	MessageType         string              `json:"messageType"`
	Owner               string              `json:"owner"`
	LogGroup            string              `json:"logGroup"`
	LogStream           string              `json:"logStream"`
	SubscriptionFilters []string            `json:"subscriptionFilters"`
	LogEvents           []SubscriptionEvent `json:"logEvents"`
}

// SubscriptionEvent is one event in a SubscriptionMessage.
type SubscriptionEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// DecodeSubscriptionPayload gunzips and decodes a subscription delivery.
func DecodeSubscriptionPayload(payload []byte) (*SubscriptionMessage, error) {
	zr, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var m SubscriptionMessage
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// deliver sends the matching events to each subscription's destination, outside any lock.
func (s *Service) deliver(ctx context.Context, subs []*subscription, groupName, streamName string, evs []InputLogEvent) {
	ctx = context.WithoutCancel(ctx)
	for _, sf := range subs {
		msg := SubscriptionMessage{
			MessageType: "DATA_MESSAGE", Owner: sf.rec.Owner, LogGroup: groupName, LogStream: streamName,
			SubscriptionFilters: []string{sf.rec.Filter.FilterName},
		}
		for i, e := range evs {
			if sf.pat.Match(e.Message) {
				msg.LogEvents = append(msg.LogEvents, SubscriptionEvent{
					ID:        eventID(streamName, evKey{ts: e.Timestamp, off: uint32(i)}),
					Timestamp: e.Timestamp, Message: e.Message,
				})
			}
		}
		if len(msg.LogEvents) == 0 {
			continue
		}
		arn := sf.rec.Filter.DestinationArn
		if name, ok := logGroupARN(arn); ok {
			s.deliverToGroup(ctx, name, groupName, streamName, msg.LogEvents)
			continue
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_ = json.NewEncoder(zw).Encode(msg)
		_ = zw.Close()
		s.mu.RLock()
		fn := s.dests[arn]
		s.mu.RUnlock()
		var err error
		switch {
		case fn != nil:
			err = fn(ctx, buf.Bytes())
		case s.opts.Destinations != nil:
			err = s.opts.Destinations.DeliverLogs(ctx, arn, buf.Bytes())
		}
		if err != nil {
			s.log.Warn("subscription delivery failed", "filter", sf.rec.Filter.FilterName, "destination", arn, "err", err)
		}
	}
}

// deliverToGroup copies events into a log group of this service, one stream per source
// stream ("<source group>/<source stream>"), creating it when missing.
func (s *Service) deliverToGroup(ctx context.Context, dest, srcGroup, srcStream string, evs []SubscriptionEvent) {
	if dest == srcGroup {
		return // never loop a group into itself
	}
	streamName := strings.ReplaceAll(srcGroup+"/"+srcStream, ":", "_")
	if _, _, err := s.streamOf(ctx, dest, streamName); err != nil {
		if _, err := s.createLogStream(ctx, &CreateLogStreamInput{LogGroupName: dest, LogStreamName: streamName}); err != nil && !isAlreadyExists(err) {
			s.log.Warn("subscription delivery to log group failed", "group", dest, "err", err)
			return
		}
	}
	in := &PutLogEventsInput{LogGroupName: dest, LogStreamName: streamName}
	for _, e := range evs {
		in.LogEvents = append(in.LogEvents, InputLogEvent{Timestamp: e.Timestamp, Message: e.Message})
	}
	if _, err := s.putLogEvents(ctx, in); err != nil {
		s.log.Warn("subscription delivery to log group failed", "group", dest, "err", err)
	}
}
