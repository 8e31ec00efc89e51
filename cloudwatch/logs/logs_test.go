package logs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/internal/awstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newSvc(t testing.TB, opts logs.Options) (*logs.Service, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(t0)
	env := awstest.EnvWith(t, clk)
	s, err := logs.New(env, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, clk
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func mustGroup(t testing.TB, s *logs.Service, group string, streams ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.CreateLogGroup(ctx, &logs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	for _, st := range streams {
		if _, err := s.CreateLogStream(ctx, &logs.CreateLogStreamInput{LogGroupName: group, LogStreamName: st}); err != nil {
			t.Fatal(err)
		}
	}
}

func put(t testing.TB, s *logs.Service, group, stream string, evs ...logs.InputLogEvent) *logs.PutLogEventsOutput {
	t.Helper()
	out, err := s.PutLogEvents(context.Background(), &logs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: evs})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ev(at time.Time, msg string) logs.InputLogEvent {
	return logs.InputLogEvent{Timestamp: ms(at), Message: msg}
}

func TestGroupsAndStreams(t *testing.T) {
	s, clk := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "/app/web", "a", "b", "c")
	mustGroup(t, s, "/app/worker")
	mustGroup(t, s, "/other")

	_, err := s.CreateLogGroup(ctx, &logs.CreateLogGroupInput{LogGroupName: "/app/web"})
	if !errors.Is(err, logs.ErrResourceAlreadyExists) {
		t.Fatalf("duplicate group: %v", err)
	}
	_, err = s.CreateLogGroup(ctx, &logs.CreateLogGroupInput{LogGroupName: "bad:name"})
	if !errors.Is(err, logs.ErrInvalidParameter) {
		t.Fatalf("bad name: %v", err)
	}
	_, err = s.CreateLogStream(ctx, &logs.CreateLogStreamInput{LogGroupName: "/nope", LogStreamName: "x"})
	if !errors.Is(err, logs.ErrResourceNotFound) || !strings.Contains(err.Error(), "log group does not exist") {
		t.Fatalf("missing group: %v", err)
	}

	tests := []struct {
		in   logs.DescribeLogGroupsInput
		want []string
	}{
		{logs.DescribeLogGroupsInput{}, []string{"/app/web", "/app/worker", "/other"}},
		{logs.DescribeLogGroupsInput{LogGroupNamePrefix: "/app"}, []string{"/app/web", "/app/worker"}},
		{logs.DescribeLogGroupsInput{LogGroupNamePattern: "WORK"}, []string{"/app/worker"}},
		{logs.DescribeLogGroupsInput{Limit: 2}, []string{"/app/web", "/app/worker"}},
	}
	for _, tt := range tests {
		out, err := s.DescribeLogGroups(ctx, &tt.in)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range out.LogGroups {
			got = append(got, g.LogGroupName)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("DescribeLogGroups(%+v) = %v, want %v", tt.in, got, tt.want)
		}
		if tt.in.Limit == 2 {
			next, _ := s.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{Limit: 2, NextToken: out.NextToken})
			if len(next.LogGroups) != 1 || next.LogGroups[0].LogGroupName != "/other" || next.NextToken != "" {
				t.Errorf("page 2 = %+v", next)
			}
		}
	}

	// Streams ordered by last event time.
	put(t, s, "/app/web", "b", ev(t0.Add(-3*time.Minute), "b1"))
	put(t, s, "/app/web", "c", ev(t0.Add(-2*time.Minute), "c1"))
	put(t, s, "/app/web", "a", ev(t0.Add(-time.Minute), "a1"))
	clk.Advance(time.Second)
	out, err := s.DescribeLogStreams(ctx, &logs.DescribeLogStreamsInput{LogGroupName: "/app/web", OrderBy: "LastEventTime", Descending: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range out.LogStreams {
		names = append(names, st.LogStreamName)
	}
	if fmt.Sprint(names) != "[a c b]" {
		t.Errorf("by last event desc = %v", names)
	}
	a := out.LogStreams[0]
	if a.FirstEventTimestamp != ms(t0.Add(-time.Minute)) || a.LastIngestionTime != ms(t0) || a.StoredBytes != 2 || a.Arn == "" {
		t.Errorf("stream a = %+v", a)
	}
	_, err = s.DescribeLogStreams(ctx, &logs.DescribeLogStreamsInput{LogGroupName: "/app/web", OrderBy: "LastEventTime", LogStreamNamePrefix: "a"})
	if !errors.Is(err, logs.ErrInvalidParameter) {
		t.Errorf("prefix with LastEventTime: %v", err)
	}

	// Retention, tags.
	if _, err := s.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: "/app/web", RetentionInDays: 2}); !errors.Is(err, logs.ErrInvalidParameter) {
		t.Errorf("retention 2: %v", err)
	}
	if _, err := s.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: "/app/web", RetentionInDays: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TagLogGroup(ctx, &logs.TagLogGroupInput{LogGroupName: "/app/web", Tags: map[string]string{"team": "a", "env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:/app/web"
	if _, err := s.UntagResource(ctx, &logs.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := s.ListTagsForResource(ctx, &logs.ListTagsForResourceInput{ResourceArn: arn + ":*"})
	if err != nil || fmt.Sprint(tags.Tags) != "map[team:a]" {
		t.Errorf("tags = %v, %v", tags, err)
	}
	g, _ := s.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{LogGroupNamePrefix: "/app/web"})
	if g.LogGroups[0].RetentionInDays != 7 || g.LogGroups[0].StoredBytes != 6 || g.LogGroups[0].LogGroupClass != "STANDARD" {
		t.Errorf("group = %+v", g.LogGroups[0])
	}

	if _, err := s.DeleteLogStream(ctx, &logs.DeleteLogStreamInput{LogGroupName: "/app/web", LogStreamName: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLogGroup(ctx, &logs.DeleteLogGroupInput{LogGroupName: "/app/web"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLogGroup(ctx, &logs.DeleteLogGroupInput{LogGroupName: "/app/web"}); !errors.Is(err, apierr.NotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestPutLogEventsRules(t *testing.T) {
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "g", "s")
	big := strings.Repeat("x", logs.MaxEventBytes-logs.EventOverhead+1)
	tests := []struct {
		name string
		evs  []logs.InputLogEvent
		msg  string
	}{
		{"empty", nil, "length greater than or equal to 1"},
		{"too many", make([]logs.InputLogEvent, 10001), "less than or equal to 10000"},
		{"event too large", []logs.InputLogEvent{ev(t0, big)}, "Log event too large"},
		{"batch too large", func() []logs.InputLogEvent {
			var out []logs.InputLogEvent
			for range 5 {
				out = append(out, ev(t0, strings.Repeat("y", 220000)))
			}
			return out
		}(), "Upload too large"},
		{"out of order", []logs.InputLogEvent{ev(t0, "b"), ev(t0.Add(-time.Second), "a")}, "chronological order"},
		{"span", []logs.InputLogEvent{ev(t0.Add(-25*time.Hour), "a"), ev(t0, "b")}, "24 hours"},
		{"empty message", []logs.InputLogEvent{{Timestamp: ms(t0)}}, "length greater than or equal to 1"},
	}
	for _, tt := range tests {
		_, err := s.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: tt.evs})
		if !errors.Is(err, logs.ErrInvalidParameter) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err = %v, want InvalidParameterException %q", tt.name, err, tt.msg)
		}
	}
	_, err := s.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: "g", LogStreamName: "nope", LogEvents: []logs.InputLogEvent{ev(t0, "x")}})
	if !errors.Is(err, logs.ErrResourceNotFound) || !strings.Contains(err.Error(), "log stream does not exist") {
		t.Errorf("missing stream: %v", err)
	}

	// Exactly at the limit is fine: 1,048,576 bytes counting 26 per event.
	n := 4
	per := logs.MaxBatchBytes/n - logs.EventOverhead
	var evs []logs.InputLogEvent
	for range n {
		evs = append(evs, ev(t0, strings.Repeat("z", per)))
	}
	put(t, s, "g", "s", evs...)

}

func TestRejectedLogEventsInfo(t *testing.T) {
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "g", "s")
	if _, err := s.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: "g", RetentionInDays: 1}); err != nil {
		t.Fatal(err)
	}
	base := t0.Add(-22 * time.Hour)
	_, err := s.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: []logs.InputLogEvent{
		ev(base, "x"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	// retention 1 day: events older than 24h are expired; 2h ahead is the future limit.
	out := put(t, s, "g", "s",
		ev(t0.Add(-25*time.Hour), "expired"), ev(t0.Add(-24*time.Hour-time.Minute), "expired2"),
		ev(t0.Add(-time.Hour), "ok1"))
	r := out.RejectedLogEventsInfo
	if r == nil || r.ExpiredLogEventEndIndex == nil || *r.ExpiredLogEventEndIndex != 1 || r.TooNewLogEventStartIndex != nil || r.TooOldLogEventEndIndex != nil {
		t.Fatalf("rejected = %+v", r)
	}
	out = put(t, s, "g", "s",
		ev(t0.Add(time.Hour), "ok2"),
		ev(t0.Add(2*time.Hour+time.Minute), "new1"), ev(t0.Add(2*time.Hour+2*time.Minute), "new2"))
	r = out.RejectedLogEventsInfo
	if r == nil || r.TooNewLogEventStartIndex == nil || *r.TooNewLogEventStartIndex != 1 || r.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejected = %+v", r)
	}
	got, _ := s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartFromHead: true})
	var msgs []string
	for _, e := range got.Events {
		msgs = append(msgs, e.Message)
	}
	if fmt.Sprint(msgs) != "[x ok1 ok2]" {
		t.Errorf("stored = %v", msgs)
	}
	// too old: more than 14 days, without retention
	mustGroup(t, s, "h", "s")
	out = put(t, s, "h", "s", ev(t0.Add(-14*24*time.Hour-time.Hour), "old"), ev(t0.Add(-14*24*time.Hour+time.Hour), "fine"))
	if r := out.RejectedLogEventsInfo; r == nil || r.TooOldLogEventEndIndex == nil || *r.TooOldLogEventEndIndex != 0 {
		t.Errorf("too old = %+v", r)
	}
	if out.NextSequenceToken == "" {
		t.Error("no sequence token")
	}
}

func TestGetLogEventsPaging(t *testing.T) {
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "g", "s")
	var evs []logs.InputLogEvent
	for i := range 25 {
		evs = append(evs, ev(t0.Add(time.Duration(i-30)*time.Minute), fmt.Sprintf("m%02d", i)))
	}
	put(t, s, "g", "s", evs...)
	// a late event lands in timestamp order
	put(t, s, "g", "s", ev(t0.Add(-30*time.Minute-30*time.Second), "late"))

	msgs := func(o *logs.GetLogEventsOutput) string {
		var m []string
		for _, e := range o.Events {
			m = append(m, e.Message)
		}
		return strings.Join(m, ",")
	}
	get := func(in logs.GetLogEventsInput) *logs.GetLogEventsOutput {
		t.Helper()
		in.LogGroupName, in.LogStreamName = "g", "s"
		o, err := s.GetLogEvents(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	head := get(logs.GetLogEventsInput{StartFromHead: true, Limit: 3})
	if msgs(head) != "late,m00,m01" {
		t.Errorf("head = %s", msgs(head))
	}
	tail := get(logs.GetLogEventsInput{Limit: 3})
	if msgs(tail) != "m22,m23,m24" {
		t.Errorf("tail = %s", msgs(tail))
	}
	// Forward from the head page to the end: the last call returns the token passed in.
	tok := head.NextForwardToken
	var all []string
	for i := 0; ; i++ {
		o := get(logs.GetLogEventsInput{NextToken: tok, Limit: 10})
		if m := msgs(o); m != "" {
			all = append(all, m)
		}
		if o.NextForwardToken == tok {
			if len(o.Events) != 0 {
				t.Error("same token with events")
			}
			break
		}
		tok = o.NextForwardToken
		if i > 10 {
			t.Fatal("no end")
		}
	}
	if got := strings.Join(all, ","); !strings.HasPrefix(got, "m02,m03") || !strings.HasSuffix(got, "m23,m24") || strings.Count(got, ",") != 22 {
		t.Errorf("forward = %s", got)
	}
	// Backward from the tail.
	back := get(logs.GetLogEventsInput{NextToken: tail.NextBackwardToken, Limit: 2})
	if msgs(back) != "m20,m21" {
		t.Errorf("back = %s", msgs(back))
	}
	// Time range [start, end).
	st, en := ms(t0.Add(-20*time.Minute)), ms(t0.Add(-18*time.Minute))
	rng := get(logs.GetLogEventsInput{StartTime: &st, EndTime: &en, StartFromHead: true})
	if msgs(rng) != "m10,m11" {
		t.Errorf("range = %s", msgs(rng))
	}
	// Polling an empty stream with its own token keeps the token.
	mustGroup(t, s, "e", "s")
	o1, _ := s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "e", LogStreamName: "s", StartFromHead: true})
	o2, _ := s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "e", LogStreamName: "s", NextToken: o1.NextForwardToken})
	if o2.NextForwardToken != o1.NextForwardToken {
		t.Errorf("empty stream tokens %q %q", o1.NextForwardToken, o2.NextForwardToken)
	}
	put(t, s, "e", "s", ev(t0, "new"))
	o3, _ := s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "e", LogStreamName: "s", NextToken: o2.NextForwardToken})
	if msgs(o3) != "new" {
		t.Errorf("tailing = %q", msgs(o3))
	}
	if _, err := s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", NextToken: "garbage"}); !errors.Is(err, logs.ErrInvalidParameter) {
		t.Errorf("bad token: %v", err)
	}
}

func TestRetentionOnClock(t *testing.T) {
	s, clk := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "g", "s")
	put(t, s, "g", "s", ev(t0.Add(-time.Hour), "a"), ev(t0, "b"))
	if _, err := s.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: "g", RetentionInDays: 1}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(24*time.Hour - 30*time.Minute)
	o, _ := s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartFromHead: true})
	if len(o.Events) != 1 || o.Events[0].Message != "b" {
		t.Errorf("after 23.5h: %+v", o.Events)
	}
	clk.Advance(time.Hour)
	f, _ := s.FilterLogEvents(ctx, &logs.FilterLogEventsInput{LogGroupName: "g"})
	if len(f.Events) != 0 {
		t.Errorf("after 24.5h: %+v", f.Events)
	}
	g, _ := s.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{})
	if g.LogGroups[0].StoredBytes != 0 {
		t.Errorf("sweep did not free: %+v", g.LogGroups[0])
	}
}

func TestFilterLogEvents(t *testing.T) {
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "g", "web-1", "web-2", "db")
	put(t, s, "g", "web-1", ev(t0.Add(-5*time.Minute), "ERROR 500 /a"), ev(t0.Add(-3*time.Minute), "INFO 200 /b"), ev(t0.Add(-1*time.Minute), "ERROR 404 /c"))
	put(t, s, "g", "web-2", ev(t0.Add(-4*time.Minute), "ERROR 503 /d"), ev(t0.Add(-2*time.Minute), `{"level":"ERROR","status":500}`))
	put(t, s, "g", "db", ev(t0.Add(-4*time.Minute), "ERROR deadlock"))

	names := func(o *logs.FilterLogEventsOutput) string {
		var m []string
		for _, e := range o.Events {
			m = append(m, e.LogStreamName+":"+e.Message)
		}
		return strings.Join(m, " | ")
	}
	tests := []struct {
		in   logs.FilterLogEventsInput
		want string
	}{
		{logs.FilterLogEventsInput{FilterPattern: "ERROR -deadlock", LogStreamNamePrefix: "web"},
			`web-1:ERROR 500 /a | web-2:ERROR 503 /d | web-2:{"level":"ERROR","status":500} | web-1:ERROR 404 /c`},
		{logs.FilterLogEventsInput{FilterPattern: `{ $.status >= 500 }`}, `web-2:{"level":"ERROR","status":500}`},
		{logs.FilterLogEventsInput{FilterPattern: `[level = ERROR, code = 5*, path]`}, `web-1:ERROR 500 /a | web-2:ERROR 503 /d`},
		{logs.FilterLogEventsInput{LogStreamNames: []string{"db", "web-2"}}, `db:ERROR deadlock | web-2:ERROR 503 /d | web-2:{"level":"ERROR","status":500}`},
	}
	for _, tt := range tests {
		tt.in.LogGroupName = "g"
		o, err := s.FilterLogEvents(ctx, &tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(o); got != tt.want {
			t.Errorf("FilterLogEvents(%q)\n got %s\nwant %s", tt.in.FilterPattern, got, tt.want)
		}
	}
	// Time range is inclusive at both ends; pagination with nextToken.
	st, en := ms(t0.Add(-4*time.Minute)), ms(t0.Add(-2*time.Minute))
	var got []string
	tok := ""
	for {
		o, err := s.FilterLogEvents(ctx, &logs.FilterLogEventsInput{LogGroupName: "g", StartTime: &st, EndTime: &en, Limit: 1, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, names(o))
		if o.NextToken == "" {
			break
		}
		tok = o.NextToken
	}
	if want := `db:ERROR deadlock,web-2:ERROR 503 /d,web-1:INFO 200 /b,web-2:{"level":"ERROR","status":500}`; strings.Join(got, ",") != want {
		t.Errorf("paged = %v", got)
	}
	_, err := s.FilterLogEvents(ctx, &logs.FilterLogEventsInput{LogGroupName: "g", FilterPattern: "{ $.a = "})
	if !errors.Is(err, logs.ErrInvalidParameter) {
		t.Errorf("bad pattern: %v", err)
	}
}

type sinkPoint struct {
	ns, name string
	dims     map[string]string
	v        float64
	unit     string
	t        time.Time
}

type fakeSink struct {
	mu  sync.Mutex
	pts []sinkPoint
}

func (f *fakeSink) PutMetric(_ context.Context, ns, name string, dims map[string]string, v float64, unit string, t time.Time) error {
	f.mu.Lock()
	f.pts = append(f.pts, sinkPoint{ns, name, dims, v, unit, t})
	f.mu.Unlock()
	return nil
}

func TestMetricFilters(t *testing.T) {
	sink := &fakeSink{}
	s, _ := newSvc(t, logs.Options{Metrics: sink})
	ctx := context.Background()
	mustGroup(t, s, "g", "s")
	zero := 0.0
	for _, in := range []logs.PutMetricFilterInput{
		{FilterName: "latency", FilterPattern: `{ $.latency = * }`, MetricTransformations: []logs.MetricTransformation{{MetricName: "Latency", MetricNamespace: "App", MetricValue: "$.latency", Unit: "Milliseconds"}}},
		{FilterName: "bytes404", FilterPattern: `[ip, id, user, timestamp, request, status_code=404, size]`, MetricTransformations: []logs.MetricTransformation{{MetricName: "Bytes404", MetricNamespace: "App", MetricValue: "$size", Dimensions: map[string]string{"User": "$user"}}}},
		{FilterName: "errors", FilterPattern: "ERROR", MetricTransformations: []logs.MetricTransformation{{MetricName: "Errors", MetricNamespace: "App", MetricValue: "1", DefaultValue: &zero}}},
	} {
		in.LogGroupName = "g"
		if _, err := s.PutMetricFilter(ctx, &in); err != nil {
			t.Fatal(err)
		}
	}
	put(t, s, "g", "s",
		ev(t0, `{"latency": 50, "requestType": "GET"}`),
		ev(t0, `127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326`),
		ev(t0, `127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /apache_pb2.gif HTTP/1.0" 200 2326`))
	put(t, s, "g", "s", ev(t0, "an ERROR"))
	sink.mu.Lock()
	got := fmt.Sprint(sink.pts)
	sink.mu.Unlock()
	for _, want := range []string{"{App Latency map[] 50 Milliseconds", "{App Bytes404 map[User:bob] 2326 None", "{App Errors map[] 0 None", "{App Errors map[] 1 None"} {
		if !strings.Contains(got, want) {
			t.Errorf("points %s lack %s", got, want)
		}
	}
	d, err := s.DescribeMetricFilters(ctx, &logs.DescribeMetricFiltersInput{LogGroupName: "g", FilterNamePrefix: "b"})
	if err != nil || len(d.MetricFilters) != 1 || d.MetricFilters[0].FilterName != "bytes404" {
		t.Errorf("describe = %+v %v", d, err)
	}
	tm, err := s.TestMetricFilter(ctx, &logs.TestMetricFilterInput{FilterPattern: `[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`,
		LogEventMessages: []string{`127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`, "nope"}})
	if err != nil || len(tm.Matches) != 1 || tm.Matches[0].ExtractedValues["$status_code"] != "404" || tm.Matches[0].EventNumber != 1 {
		t.Errorf("test = %+v %v", tm, err)
	}
	_, err = s.PutMetricFilter(ctx, &logs.PutMetricFilterInput{LogGroupName: "g", FilterName: "x", FilterPattern: "a",
		MetricTransformations: []logs.MetricTransformation{{MetricName: "M", MetricNamespace: "N", MetricValue: "$.v", DefaultValue: &zero, Dimensions: map[string]string{"a": "$.a"}}}})
	if !errors.Is(err, logs.ErrInvalidParameter) {
		t.Errorf("dims+default: %v", err)
	}
	if _, err := s.DeleteMetricFilter(ctx, &logs.DeleteMetricFilterInput{LogGroupName: "g", FilterName: "latency"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteMetricFilter(ctx, &logs.DeleteMetricFilterInput{LogGroupName: "g", FilterName: "latency"}); !errors.Is(err, logs.ErrResourceNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestSubscriptions(t *testing.T) {
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	mustGroup(t, s, "g", "s")
	mustGroup(t, s, "archive")
	var mu sync.Mutex
	var got []*logs.SubscriptionMessage
	arn := "arn:aws:lambda:us-east-1:000000000000:function:consumer"
	defer s.RegisterDestination(arn, func(_ context.Context, p []byte) error {
		m, err := logs.DecodeSubscriptionPayload(p)
		if err != nil {
			return err
		}
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
		return nil
	})()
	if _, err := s.PutSubscriptionFilter(ctx, &logs.PutSubscriptionFilterInput{LogGroupName: "g", FilterName: "errs", FilterPattern: "ERROR", DestinationArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSubscriptionFilter(ctx, &logs.PutSubscriptionFilterInput{LogGroupName: "g", FilterName: "all", DestinationArn: "arn:aws:logs:us-east-1:000000000000:log-group:archive:*"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSubscriptionFilter(ctx, &logs.PutSubscriptionFilterInput{LogGroupName: "g", FilterName: "third", DestinationArn: arn}); !errors.Is(err, logs.ErrLimitExceeded) {
		t.Errorf("third filter: %v", err)
	}
	if _, err := s.PutSubscriptionFilter(ctx, &logs.PutSubscriptionFilterInput{LogGroupName: "archive", FilterName: "x", DestinationArn: "arn:aws:kinesis:us-east-1:000000000000:stream/nope"}); !errors.Is(err, logs.ErrInvalidParameter) {
		t.Errorf("unknown destination: %v", err)
	}
	put(t, s, "g", "s", ev(t0, "INFO fine"), ev(t0, "ERROR bad"))
	mu.Lock()
	if len(got) != 1 || got[0].MessageType != "DATA_MESSAGE" || got[0].LogGroup != "g" || got[0].LogStream != "s" ||
		len(got[0].LogEvents) != 1 || got[0].LogEvents[0].Message != "ERROR bad" || got[0].SubscriptionFilters[0] != "errs" || got[0].Owner != "000000000000" {
		t.Errorf("delivered = %+v", got)
	}
	mu.Unlock()
	f, _ := s.FilterLogEvents(ctx, &logs.FilterLogEventsInput{LogGroupName: "archive"})
	if len(f.Events) != 2 || f.Events[0].LogStreamName != "g/s" {
		t.Errorf("archive = %+v", f.Events)
	}
	d, _ := s.DescribeSubscriptionFilters(ctx, &logs.DescribeSubscriptionFiltersInput{LogGroupName: "g"})
	if len(d.SubscriptionFilters) != 2 || d.SubscriptionFilters[0].FilterName != "all" || d.SubscriptionFilters[1].Distribution != "ByLogStream" {
		t.Errorf("describe = %+v", d)
	}
	if _, err := s.DeleteSubscriptionFilter(ctx, &logs.DeleteSubscriptionFilterInput{LogGroupName: "g", FilterName: "errs"}); err != nil {
		t.Fatal(err)
	}
}

func TestBoundedMemory(t *testing.T) {
	s, _ := newSvc(t, logs.Options{MaxStoredBytes: 10000})
	mustGroup(t, s, "g", "a", "b")
	for i := range 100 {
		put(t, s, "g", []string{"a", "b"}[i%2], ev(t0.Add(time.Duration(i-200)*time.Second), strings.Repeat("x", 99)+fmt.Sprint(i%10)))
	}
	g, _ := s.DescribeLogGroups(context.Background(), &logs.DescribeLogGroupsInput{})
	if b := g.LogGroups[0].StoredBytes; b > 10000 || b < 5000 {
		t.Errorf("stored %d bytes, bound 10000", b)
	}
	o, _ := s.FilterLogEvents(context.Background(), &logs.FilterLogEventsInput{LogGroupName: "g"})
	if last := o.Events[len(o.Events)-1]; last.Timestamp != ms(t0.Add(-101*time.Second)) {
		t.Errorf("newest event evicted: %+v", last)
	}
}

func TestConcurrent(t *testing.T) {
	s, _ := newSvc(t, logs.Options{MaxStoredBytes: 1 << 20})
	ctx := context.Background()
	mustGroup(t, s, "g")
	if _, err := s.PutMetricFilter(ctx, &logs.PutMetricFilterInput{LogGroupName: "g", FilterName: "f", FilterPattern: "ERROR",
		MetricTransformations: []logs.MetricTransformation{{MetricName: "E", MetricNamespace: "N", MetricValue: "1"}}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := fmt.Sprintf("s%d", w%4)
			s.CreateLogStream(ctx, &logs.CreateLogStreamInput{LogGroupName: "g", LogStreamName: st})
			for i := range 50 {
				s.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: "g", LogStreamName: st, LogEvents: []logs.InputLogEvent{ev(t0.Add(time.Duration(i)*time.Millisecond), "ERROR x"), ev(t0.Add(time.Duration(i)*time.Millisecond), "INFO y")}})
				s.FilterLogEvents(ctx, &logs.FilterLogEventsInput{LogGroupName: "g", FilterPattern: "ERROR", Limit: 5})
				s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: st, Limit: 5})
				s.DescribeLogStreams(ctx, &logs.DescribeLogStreamsInput{LogGroupName: "g"})
				if i%10 == 0 {
					s.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: "g", RetentionInDays: 30})
					s.Sweep()
				}
			}
		}()
	}
	wg.Wait()
	o, _ := s.DescribeLogStreams(ctx, &logs.DescribeLogStreamsInput{LogGroupName: "g"})
	if len(o.LogStreams) != 4 {
		t.Errorf("streams = %d", len(o.LogStreams))
	}
}
