package logs

import (
	"context"
	"encoding/base64"
	"errors"
	"iter"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudwatch/logs/insights"
	"github.com/devopsim/devopsim/internal/core"
)

// Query statuses.
const (
	QueryScheduled = "Scheduled"
	QueryRunning   = "Running"
	QueryComplete  = "Complete"
	QueryFailed    = "Failed"
	QueryCancelled = "Cancelled"
	QueryTimeout   = "Timeout"
)

// MaxConcurrentQueries is how many Logs Insights queries one account may run at once (AWS's
// quota).
const MaxConcurrentQueries = 30

const queryRetention = 7 * 24 * time.Hour

type query struct {
	id      string
	scope   string
	qs      string
	groups  []string
	created int64
	done    chan struct{}
	cancel  context.CancelFunc

	mu       sync.Mutex
	status   string
	results  [][]insights.Field
	stats    insights.Stats
	finished int64
}

func (q *query) setStatus(st string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch q.status {
	case QueryComplete, QueryFailed, QueryCancelled, QueryTimeout:
		return false
	}
	q.status = st
	return true
}

// ResultField is one field of a query result row.
type ResultField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// QueryStatistics are GetQueryResults' statistics.
type QueryStatistics struct {
	RecordsMatched   float64 `json:"recordsMatched"`
	RecordsScanned   float64 `json:"recordsScanned"`
	BytesScanned     float64 `json:"bytesScanned"`
	LogGroupsScanned float64 `json:"logGroupsScanned"`
}

// StartQueryInput is the input of StartQuery. startTime and endTime are epoch seconds, both
// inclusive.
type StartQueryInput struct {
	LogGroupName        string   `json:"logGroupName,omitempty"`
	LogGroupNames       []string `json:"logGroupNames,omitempty"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers,omitempty"`
	StartTime           int64    `json:"startTime"`
	EndTime             int64    `json:"endTime"`
	QueryString         string   `json:"queryString"`
	Limit               int      `json:"limit,omitzero"`
	QueryLanguage       string   `json:"queryLanguage,omitempty"`
}

// StartQueryOutput is the output of StartQuery.
type StartQueryOutput struct {
	QueryID string `json:"queryId"`
}

// StartQuery starts a Logs Insights query over up to 50 log groups; it runs in the background
// (GetQueryResults reports its status, WaitQuery waits for it).
func (s *Service) StartQuery(ctx context.Context, in *StartQueryInput) (*StartQueryOutput, error) {
	return do(ctx, s, "StartQuery", in, s.startQuery)
}

func (s *Service) startQuery(ctx context.Context, in *StartQueryInput) (*StartQueryOutput, error) {
	if in.QueryLanguage != "" && in.QueryLanguage != "CWLI" {
		return nil, ErrInvalidParameter.With("Query language %s is not supported by devopsim; use CWLI.", in.QueryLanguage)
	}
	n := 0
	var names []string
	if in.LogGroupName != "" {
		n++
		names = append(names, in.LogGroupName)
	}
	if len(in.LogGroupNames) > 0 {
		n++
		names = append(names, in.LogGroupNames...)
	}
	if len(in.LogGroupIdentifiers) > 0 {
		n++
		for _, id := range in.LogGroupIdentifiers {
			name, err := resolveGroupName("", id)
			if err != nil {
				return nil, err
			}
			names = append(names, name)
		}
	}
	if n != 1 {
		return nil, ErrInvalidParameter.With("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified.")
	}
	if len(names) > 50 {
		return nil, ErrInvalidParameter.With("A query can search at most 50 log groups.")
	}
	if in.EndTime < in.StartTime {
		return nil, ErrInvalidParameter.With("End time should not be before the start time")
	}
	if in.Limit != 0 && (in.Limit < 1 || in.Limit > 10000) {
		return nil, ErrInvalidParameter.With("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000", in.Limit)
	}
	if in.QueryString == "" || len(in.QueryString) > insights.MaxQueryLength {
		return nil, ErrInvalidParameter.With("1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length between 1 and 10000")
	}
	pq, err := insights.Parse(in.QueryString)
	if err != nil {
		var se *insights.SyntaxError
		if errors.As(err, &se) {
			return nil, ErrMalformedQuery.With("%s at line %d, column %d", se.Msg, se.Line, se.Col)
		}
		return nil, ErrMalformedQuery.With("%v", err)
	}
	account, _ := core.Scope(ctx)
	scope := core.ScopeKey(ctx)
	type src struct {
		name    string
		streams []*stream
		cutoff  int64
	}
	var srcs []src
	now := s.nowMillis()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range names {
		g := s.groups[scope+name]
		if g == nil {
			return nil, ErrResourceNotFound.With("Log group '%s' does not exist for account ID '%s'", name, account)
		}
		srcs = append(srcs, src{name: name, streams: sortedStreams(g), cutoff: retentionCutoff(now, g.rec.RetentionInDays)})
	}
	running := 0
	for _, q := range s.queries {
		if q.scope == scope {
			q.mu.Lock()
			if q.status == QueryRunning || q.status == QueryScheduled {
				running++
			}
			q.mu.Unlock()
		}
	}
	if running >= MaxConcurrentQueries {
		return nil, ErrLimitExceeded.With("Account maximum query concurrency limit of [%d] reached.", MaxConcurrentQueries)
	}
	if s.closed.Load() {
		return nil, apierr.New(apierr.Internal, "ServiceUnavailableException", "The service is shutting down.")
	}
	qctx, cancel := context.WithCancel(s.bgCtx)
	q := &query{id: uuid.NewString(), scope: scope, qs: in.QueryString, groups: names, created: now, done: make(chan struct{}), cancel: cancel, status: QueryScheduled}
	s.queries[q.id] = q
	startMs, endMs := in.StartTime*1000, in.EndTime*1000+999
	limit := in.Limit
	events := func(yield func(*insights.Event) bool) {
		ev := &insights.Event{Account: account}
		for _, sr := range srcs {
			for _, st := range sr.streams {
				d := st.data
				d.mu.RLock()
				lo, hi := d.span(max(startMs, sr.cutoff), endMs+1)
				for i := lo; i < hi; i++ {
					e := &d.events[i]
					*ev = insights.Event{Timestamp: e.ts, IngestionTime: e.ingest, Message: d.msg(e), LogStream: st.rec.Name,
						LogGroup: sr.name, Account: account, Ref: uint64(e.arena)<<32 | uint64(e.off)}
					if !yield(ev) {
						d.mu.RUnlock()
						return
					}
				}
				d.mu.RUnlock()
			}
		}
	}
	s.bg.Add(1)
	timer := s.env.Clock.AfterFunc(s.opts.QueryTimeout, func() {
		if q.setStatus(QueryTimeout) {
			cancel()
		}
	})
	go func() {
		defer s.bg.Done()
		defer close(q.done)
		defer timer.Stop()
		defer cancel()
		s.runQuery(qctx, q, pq, events, limit, len(srcs))
	}()
	return &StartQueryOutput{QueryID: q.id}, nil
}

func (s *Service) runQuery(ctx context.Context, q *query, pq *insights.Query, events iter.Seq[*insights.Event], limit, groups int) {
	if !q.setStatus(QueryRunning) {
		return
	}
	res, err := pq.Run(ctx, events, insights.Options{Limit: limit, Ptr: func(e *insights.Event) string {
		return encodePtr(e.LogGroup, e.LogStream, evKey{ts: e.Timestamp, arena: uint32(e.Ref >> 32), off: uint32(e.Ref)})
	}})
	q.mu.Lock()
	defer q.mu.Unlock()
	q.finished = s.nowMillis()
	if q.status != QueryRunning {
		return // cancelled or timed out meanwhile
	}
	if err != nil {
		if ctx.Err() != nil {
			q.status = QueryCancelled
			return
		}
		q.status = QueryFailed
		return
	}
	q.status = QueryComplete
	q.results = res.Rows
	q.stats = res.Stats
	_ = groups
}

func encodePtr(group, stream string, k evKey) string {
	return base64.RawURLEncoding.EncodeToString([]byte(group + "\x00" + stream + "\x00" + encodeKey('f', k)))
}

// WaitQuery waits until the query has finished (complete, failed, cancelled or timed out).
func (s *Service) WaitQuery(ctx context.Context, queryID string) error {
	s.mu.RLock()
	q := s.queries[queryID]
	s.mu.RUnlock()
	if q == nil {
		return ErrResourceNotFound.With("Query %s does not exist.", queryID)
	}
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// GetQueryResultsInput is the input of GetQueryResults.
type GetQueryResultsInput struct {
	QueryID string `json:"queryId"`
}

// GetQueryResultsOutput is the output of GetQueryResults.
type GetQueryResultsOutput struct {
	Results       [][]ResultField `json:"results"`
	Statistics    QueryStatistics `json:"statistics"`
	Status        string          `json:"status"`
	QueryLanguage string          `json:"queryLanguage,omitempty"`
}

// GetQueryResults returns a query's status and, once complete, its rows and statistics.
func (s *Service) GetQueryResults(ctx context.Context, in *GetQueryResultsInput) (*GetQueryResultsOutput, error) {
	return do(ctx, s, "GetQueryResults", in, func(ctx context.Context, in *GetQueryResultsInput) (*GetQueryResultsOutput, error) {
		q, err := s.lookupQuery(ctx, in.QueryID)
		if err != nil {
			return nil, err
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		out := &GetQueryResultsOutput{Status: q.status, Results: [][]ResultField{}, QueryLanguage: "CWLI",
			Statistics: QueryStatistics{RecordsMatched: q.stats.RecordsMatched, RecordsScanned: q.stats.RecordsScanned,
				BytesScanned: q.stats.BytesScanned, LogGroupsScanned: float64(len(q.groups))}}
		for _, r := range q.results {
			row := make([]ResultField, len(r))
			for i, f := range r {
				row[i] = ResultField{Field: f.Field, Value: f.Value}
			}
			out.Results = append(out.Results, row)
		}
		return out, nil
	})
}

func (s *Service) lookupQuery(ctx context.Context, id string) (*query, error) {
	s.mu.RLock()
	q := s.queries[id]
	s.mu.RUnlock()
	if q == nil || q.scope != core.ScopeKey(ctx) {
		return nil, ErrResourceNotFound.With("Query %s does not exist.", id)
	}
	return q, nil
}

// StopQueryInput is the input of StopQuery.
type StopQueryInput struct {
	QueryID string `json:"queryId"`
}

// StopQueryOutput is the output of StopQuery.
type StopQueryOutput struct {
	Success bool `json:"success"`
}

// StopQuery cancels a running query; success is false when it had already finished.
func (s *Service) StopQuery(ctx context.Context, in *StopQueryInput) (*StopQueryOutput, error) {
	return do(ctx, s, "StopQuery", in, func(ctx context.Context, in *StopQueryInput) (*StopQueryOutput, error) {
		q, err := s.lookupQuery(ctx, in.QueryID)
		if err != nil {
			return nil, err
		}
		if !q.setStatus(QueryCancelled) {
			return &StopQueryOutput{Success: false}, nil
		}
		q.cancel()
		return &StopQueryOutput{Success: true}, nil
	})
}

// QueryInfo describes a query for DescribeQueries.
type QueryInfo struct {
	QueryID       string `json:"queryId"`
	QueryString   string `json:"queryString"`
	Status        string `json:"status"`
	CreateTime    int64  `json:"createTime"`
	LogGroupName  string `json:"logGroupName,omitempty"`
	QueryLanguage string `json:"queryLanguage,omitempty"`
	QueryDuration int64  `json:"queryDuration,omitzero"`
}

// DescribeQueriesInput is the input of DescribeQueries.
type DescribeQueriesInput struct {
	LogGroupName  string `json:"logGroupName,omitempty"`
	Status        string `json:"status,omitempty"`
	MaxResults    int    `json:"maxResults,omitzero"`
	NextToken     string `json:"nextToken,omitempty"`
	QueryLanguage string `json:"queryLanguage,omitempty"`
}

// DescribeQueriesOutput is the output of DescribeQueries.
type DescribeQueriesOutput struct {
	Queries   []QueryInfo `json:"queries"`
	NextToken string      `json:"nextToken,omitempty"`
}

// DescribeQueries lists the queries of the last 7 days, newest first.
func (s *Service) DescribeQueries(ctx context.Context, in *DescribeQueriesInput) (*DescribeQueriesOutput, error) {
	return do(ctx, s, "DescribeQueries", in, func(ctx context.Context, in *DescribeQueriesInput) (*DescribeQueriesOutput, error) {
		limit, err := checkLimit(in.MaxResults, 1000, 1000)
		if err != nil {
			return nil, err
		}
		switch in.Status {
		case "", QueryScheduled, QueryRunning, QueryComplete, QueryFailed, QueryCancelled, QueryTimeout, "Unknown":
		default:
			return nil, ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Scheduled, Running, Complete, Failed, Cancelled, Timeout, Unknown]", in.Status)
		}
		scope := core.ScopeKey(ctx)
		cutoff := s.now().Add(-queryRetention).UnixMilli()
		var all []QueryInfo
		s.mu.RLock()
		for _, q := range s.queries {
			if q.scope != scope || q.created < cutoff {
				continue
			}
			if in.LogGroupName != "" && !containsStr(q.groups, in.LogGroupName) {
				continue
			}
			q.mu.Lock()
			qi := QueryInfo{QueryID: q.id, QueryString: q.qs, Status: q.status, CreateTime: q.created, QueryLanguage: "CWLI"}
			if q.finished > 0 {
				qi.QueryDuration = q.finished - q.created
			}
			q.mu.Unlock()
			if len(q.groups) > 0 {
				qi.LogGroupName = q.groups[0]
			}
			if in.Status != "" && qi.Status != in.Status {
				continue
			}
			all = append(all, qi)
		}
		s.mu.RUnlock()
		sort.Slice(all, func(i, j int) bool {
			if all[i].CreateTime != all[j].CreateTime {
				return all[i].CreateTime > all[j].CreateTime
			}
			return all[i].QueryID < all[j].QueryID
		})
		items, next, err := page(all, in.NextToken, limit)
		if err != nil {
			return nil, err
		}
		return &DescribeQueriesOutput{Queries: items, NextToken: next}, nil
	})
}

func containsStr(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// purgeQueries forgets finished queries older than AWS's 7-day retention.
func (s *Service) purgeQueries() {
	cutoff := s.now().Add(-queryRetention).UnixMilli()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, q := range s.queries {
		select {
		case <-q.done:
			if q.created < cutoff {
				delete(s.queries, id)
			}
		default:
		}
	}
}

// ---- query definitions ----

// QueryDefinition is a saved Logs Insights query.
type QueryDefinition struct {
	QueryDefinitionID string   `json:"queryDefinitionId"`
	Name              string   `json:"name"`
	QueryString       string   `json:"queryString"`
	LastModified      int64    `json:"lastModified,omitzero"`
	LogGroupNames     []string `json:"logGroupNames,omitempty"`
	QueryLanguage     string   `json:"queryLanguage,omitempty"`
}

// PutQueryDefinitionInput is the input of PutQueryDefinition.
type PutQueryDefinitionInput struct {
	Name              string   `json:"name"`
	QueryDefinitionID string   `json:"queryDefinitionId,omitempty"`
	LogGroupNames     []string `json:"logGroupNames,omitempty"`
	QueryString       string   `json:"queryString"`
	ClientToken       string   `json:"clientToken,omitempty"`
	QueryLanguage     string   `json:"queryLanguage,omitempty"`
}

// PutQueryDefinitionOutput is the output of PutQueryDefinition.
type PutQueryDefinitionOutput struct {
	QueryDefinitionID string `json:"queryDefinitionId"`
}

// PutQueryDefinition saves (or, given an ID, updates) a query definition.
func (s *Service) PutQueryDefinition(ctx context.Context, in *PutQueryDefinitionInput) (*PutQueryDefinitionOutput, error) {
	return do(ctx, s, "PutQueryDefinition", in, func(ctx context.Context, in *PutQueryDefinitionInput) (*PutQueryDefinitionOutput, error) {
		if in.Name == "" || len(in.Name) > 255 {
			return nil, ErrInvalidParameter.With("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 255")
		}
		if in.QueryString == "" || len(in.QueryString) > insights.MaxQueryLength {
			return nil, ErrInvalidParameter.With("1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length between 1 and 10000")
		}
		lang := in.QueryLanguage
		if lang == "" {
			lang = "CWLI"
		}
		scope := core.ScopeKey(ctx)
		qd := QueryDefinition{Name: in.Name, QueryString: in.QueryString, LastModified: s.nowMillis(), LogGroupNames: in.LogGroupNames, QueryLanguage: lang}
		if in.QueryDefinitionID != "" {
			qd.QueryDefinitionID = in.QueryDefinitionID
			_, err := s.qdT.Update(ctx, scope+in.QueryDefinitionID, func(old *QueryDefinition) error {
				*old = qd
				return nil
			})
			if isNotFound(err) {
				return nil, ErrResourceNotFound.With("The specified query definition does not exist.")
			}
			if err != nil {
				return nil, apierr.Wrap(err, "An internal error occurred.")
			}
			return &PutQueryDefinitionOutput{QueryDefinitionID: qd.QueryDefinitionID}, nil
		}
		qd.QueryDefinitionID = uuid.NewString()
		if err := s.qdT.Create(ctx, scope+qd.QueryDefinitionID, qd); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &PutQueryDefinitionOutput{QueryDefinitionID: qd.QueryDefinitionID}, nil
	})
}

// DescribeQueryDefinitionsInput is the input of DescribeQueryDefinitions.
type DescribeQueryDefinitionsInput struct {
	QueryDefinitionNamePrefix string `json:"queryDefinitionNamePrefix,omitempty"`
	MaxResults                int    `json:"maxResults,omitzero"`
	NextToken                 string `json:"nextToken,omitempty"`
	QueryLanguage             string `json:"queryLanguage,omitempty"`
}

// DescribeQueryDefinitionsOutput is the output of DescribeQueryDefinitions.
type DescribeQueryDefinitionsOutput struct {
	QueryDefinitions []QueryDefinition `json:"queryDefinitions"`
	NextToken        string            `json:"nextToken,omitempty"`
}

// DescribeQueryDefinitions lists saved queries by name.
func (s *Service) DescribeQueryDefinitions(ctx context.Context, in *DescribeQueryDefinitionsInput) (*DescribeQueryDefinitionsOutput, error) {
	return do(ctx, s, "DescribeQueryDefinitions", in, func(ctx context.Context, in *DescribeQueryDefinitionsInput) (*DescribeQueryDefinitionsOutput, error) {
		limit, err := checkLimit(in.MaxResults, 1000, 1000)
		if err != nil {
			return nil, err
		}
		all, err := s.qdT.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		var keep []QueryDefinition
		for _, qd := range all {
			if strings.HasPrefix(qd.Name, in.QueryDefinitionNamePrefix) && (in.QueryLanguage == "" || qd.QueryLanguage == in.QueryLanguage) {
				keep = append(keep, qd)
			}
		}
		sort.Slice(keep, func(i, j int) bool {
			if keep[i].Name != keep[j].Name {
				return keep[i].Name < keep[j].Name
			}
			return keep[i].QueryDefinitionID < keep[j].QueryDefinitionID
		})
		items, next, err := page(keep, in.NextToken, limit)
		if err != nil {
			return nil, err
		}
		return &DescribeQueryDefinitionsOutput{QueryDefinitions: items, NextToken: next}, nil
	})
}

// DeleteQueryDefinitionInput is the input of DeleteQueryDefinition.
type DeleteQueryDefinitionInput struct {
	QueryDefinitionID string `json:"queryDefinitionId"`
}

// DeleteQueryDefinitionOutput is the output of DeleteQueryDefinition.
type DeleteQueryDefinitionOutput struct {
	Success bool `json:"success"`
}

// DeleteQueryDefinition deletes a saved query.
func (s *Service) DeleteQueryDefinition(ctx context.Context, in *DeleteQueryDefinitionInput) (*DeleteQueryDefinitionOutput, error) {
	return do(ctx, s, "DeleteQueryDefinition", in, func(ctx context.Context, in *DeleteQueryDefinitionInput) (*DeleteQueryDefinitionOutput, error) {
		err := s.qdT.Delete(ctx, core.ScopeKey(ctx)+in.QueryDefinitionID)
		if isNotFound(err) {
			return nil, ErrResourceNotFound.With("The specified query definition does not exist.")
		}
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &DeleteQueryDefinitionOutput{Success: true}, nil
	})
}

// GetLogRecordInput is the input of GetLogRecord.
type GetLogRecordInput struct {
	LogRecordPointer string `json:"logRecordPointer"`
	Unmask           bool   `json:"unmask,omitzero"`
}

// GetLogRecordOutput is the output of GetLogRecord.
type GetLogRecordOutput struct {
	LogRecord map[string]string `json:"logRecord"`
}

// GetLogRecord returns the event a query result's @ptr points at.
func (s *Service) GetLogRecord(ctx context.Context, in *GetLogRecordInput) (*GetLogRecordOutput, error) {
	return do(ctx, s, "GetLogRecord", in, func(ctx context.Context, in *GetLogRecordInput) (*GetLogRecordOutput, error) {
		bad := ErrInvalidParameter.With("The specified logRecordPointer is invalid.")
		raw, err := base64.RawURLEncoding.DecodeString(in.LogRecordPointer)
		if err != nil {
			return nil, bad
		}
		parts := strings.SplitN(string(raw), "\x00", 3)
		if len(parts) != 3 {
			return nil, bad
		}
		_, k, err := decodeKey(parts[2])
		if err != nil {
			return nil, bad
		}
		_, st, err := s.streamOf(ctx, parts[0], parts[1])
		if err != nil {
			return nil, err
		}
		account, _ := core.Scope(ctx)
		d := st.data
		d.mu.RLock()
		defer d.mu.RUnlock()
		i := d.atOrAfter(k)
		if i >= len(d.events) || d.events[i].key() != k {
			return nil, ErrResourceNotFound.With("The specified log record does not exist.")
		}
		e := &d.events[i]
		return &GetLogRecordOutput{LogRecord: map[string]string{
			"@message":       d.msg(e),
			"@timestamp":     time.UnixMilli(e.ts).UTC().Format("2006-01-02 15:04:05.000"),
			"@ingestionTime": time.UnixMilli(e.ingest).UTC().Format("2006-01-02 15:04:05.000"),
			"@logStream":     st.rec.Name,
			"@log":           account + ":" + parts[0],
		}}, nil
	})
}
