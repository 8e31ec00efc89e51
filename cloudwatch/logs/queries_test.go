package logs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/logs"
)

func runQuery(t *testing.T, s *logs.Service, in logs.StartQueryInput) *logs.GetQueryResultsOutput {
	t.Helper()
	ctx := context.Background()
	out, err := s.StartQuery(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitQuery(ctx, out.QueryID); err != nil {
		t.Fatal(err)
	}
	res, err := s.GetQueryResults(ctx, &logs.GetQueryResultsInput{QueryID: out.QueryID})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestInsightsQueries(t *testing.T) {
	s, clk := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "/app/a", "s1", "s2")
	mustGroup(t, s, "/app/b", "s1")
	for i := range 10 {
		put(t, s, "/app/a", fmt.Sprintf("s%d", i%2+1), ev(t0.Add(time.Duration(i-10)*time.Minute), fmt.Sprintf(`{"level":"%s","n":%d}`, map[bool]string{true: "ERROR", false: "INFO"}[i%3 == 0], i)))
	}
	put(t, s, "/app/b", "s1", ev(t0.Add(-5*time.Minute), `{"level":"ERROR","n":100}`))
	clk.Advance(time.Minute)
	start, end := t0.Add(-time.Hour).Unix(), t0.Unix()

	res := runQuery(t, s, logs.StartQueryInput{LogGroupNames: []string{"/app/a", "/app/b"}, StartTime: start, EndTime: end,
		QueryString: `filter level = "ERROR" | stats count(*) as c, sum(n) as total by @log | sort @log`})
	if res.Status != logs.QueryComplete {
		t.Fatalf("status %s", res.Status)
	}
	got := fmt.Sprint(res.Results)
	if got != "[[{@log 000000000000:/app/a} {c 4} {total 18}] [{@log 000000000000:/app/b} {c 1} {total 100}]]" {
		t.Errorf("results = %s", got)
	}
	if res.Statistics.RecordsScanned != 11 || res.Statistics.RecordsMatched != 5 || res.Statistics.BytesScanned == 0 {
		t.Errorf("stats = %+v", res.Statistics)
	}

	// Default: newest first, @ptr resolves through GetLogRecord.
	res = runQuery(t, s, logs.StartQueryInput{LogGroupName: "/app/a", StartTime: start, EndTime: end, QueryString: `fields @timestamp, n, @logStream`, Limit: 2})
	if len(res.Results) != 2 || res.Results[0][1].Value != "9" || res.Results[0][2].Value != "s2" || res.Results[0][3].Field != "@ptr" {
		t.Fatalf("results = %v", res.Results)
	}
	rec, err := s.GetLogRecord(ctx, &logs.GetLogRecordInput{LogRecordPointer: res.Results[0][3].Value})
	if err != nil || rec.LogRecord["@message"] != `{"level":"ERROR","n":9}` || rec.LogRecord["@logStream"] != "s2" {
		t.Errorf("record = %v %v", rec, err)
	}

	// Time range is honoured (seconds, inclusive).
	res = runQuery(t, s, logs.StartQueryInput{LogGroupName: "/app/a", StartTime: t0.Add(-3 * time.Minute).Unix(), EndTime: t0.Add(-2 * time.Minute).Unix(), QueryString: `stats count(*)`})
	if fmt.Sprint(res.Results) != "[[{count(*) 2}]]" {
		t.Errorf("range = %v", res.Results)
	}

	tests := []struct {
		in   logs.StartQueryInput
		want error
		msg  string
	}{
		{logs.StartQueryInput{LogGroupName: "/app/a", StartTime: start, EndTime: end, QueryString: "fields | x"}, logs.ErrMalformedQuery, "line 1, column 8"},
		{logs.StartQueryInput{LogGroupName: "/nope", StartTime: start, EndTime: end, QueryString: "fields @message"}, logs.ErrResourceNotFound, "does not exist"},
		{logs.StartQueryInput{LogGroupName: "/app/a", StartTime: end, EndTime: start, QueryString: "fields @message"}, logs.ErrInvalidParameter, "End time"},
		{logs.StartQueryInput{StartTime: start, EndTime: end, QueryString: "fields @message"}, logs.ErrInvalidParameter, "Exactly one"},
		{logs.StartQueryInput{LogGroupName: "/app/a", StartTime: start, EndTime: end, QueryString: "fields @message", Limit: 10001}, logs.ErrInvalidParameter, "limit"},
	}
	for _, tt := range tests {
		_, err := s.StartQuery(ctx, &tt.in)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("StartQuery(%q) = %v, want %v %q", tt.in.QueryString, err, tt.want, tt.msg)
		}
	}

	d, err := s.DescribeQueries(ctx, &logs.DescribeQueriesInput{LogGroupName: "/app/b"})
	if err != nil || len(d.Queries) != 1 || d.Queries[0].Status != logs.QueryComplete {
		t.Errorf("describe = %+v %v", d, err)
	}
	all, _ := s.DescribeQueries(ctx, &logs.DescribeQueriesInput{})
	if len(all.Queries) != 3 {
		t.Errorf("queries = %d", len(all.Queries))
	}
	stop, err := s.StopQuery(ctx, &logs.StopQueryInput{QueryID: d.Queries[0].QueryID})
	if err != nil || stop.Success {
		t.Errorf("stop finished = %+v %v", stop, err)
	}
	if _, err := s.GetQueryResults(ctx, &logs.GetQueryResultsInput{QueryID: "nope"}); !errors.Is(err, logs.ErrResourceNotFound) {
		t.Errorf("unknown query: %v", err)
	}
	// Queries are forgotten after 7 days.
	clk.Advance(8 * 24 * time.Hour)
	all, _ = s.DescribeQueries(ctx, &logs.DescribeQueriesInput{})
	if len(all.Queries) != 0 {
		t.Errorf("queries after 8 days = %d", len(all.Queries))
	}
}

func TestQueryDefinitions(t *testing.T) {
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	a, err := s.PutQueryDefinition(ctx, &logs.PutQueryDefinitionInput{Name: "errors/by-minute", QueryString: "filter level = 'ERROR' | stats count(*) by bin(1m)", LogGroupNames: []string{"/app"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutQueryDefinition(ctx, &logs.PutQueryDefinitionInput{Name: "latency", QueryString: "stats avg(latency)"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutQueryDefinition(ctx, &logs.PutQueryDefinitionInput{Name: "errors/all", QueryDefinitionID: a.QueryDefinitionID, QueryString: "filter level = 'ERROR'"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutQueryDefinition(ctx, &logs.PutQueryDefinitionInput{Name: "x", QueryDefinitionID: "nope", QueryString: "x"}); !errors.Is(err, logs.ErrResourceNotFound) {
		t.Errorf("update unknown: %v", err)
	}
	d, err := s.DescribeQueryDefinitions(ctx, &logs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: "errors"})
	if err != nil || len(d.QueryDefinitions) != 1 || d.QueryDefinitions[0].Name != "errors/all" || d.QueryDefinitions[0].QueryString != "filter level = 'ERROR'" {
		t.Errorf("describe = %+v %v", d, err)
	}
	del, err := s.DeleteQueryDefinition(ctx, &logs.DeleteQueryDefinitionInput{QueryDefinitionID: a.QueryDefinitionID})
	if err != nil || !del.Success {
		t.Errorf("delete = %+v %v", del, err)
	}
	if _, err := s.DeleteQueryDefinition(ctx, &logs.DeleteQueryDefinitionInput{QueryDefinitionID: a.QueryDefinitionID}); !errors.Is(err, logs.ErrResourceNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}
