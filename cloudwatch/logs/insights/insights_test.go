package insights_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/logs/insights"
)

type corpusQuery struct {
	ID       string         `json:"id"`
	Query    string         `json:"query"`
	Samples  []string       `json:"sample_log_events"`
	Expected map[string]any `json:"expected"`
	Note     string         `json:"expected_note"`
}

func loadCorpus(t *testing.T) []corpusQuery {
	files, _ := filepath.Glob("testdata/*.jsonl")
	var out []corpusQuery
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var q corpusQuery
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatal(err)
			}
			out = append(out, q)
		}
		fh.Close()
	}
	if len(out) == 0 {
		t.Fatal("empty corpus")
	}
	return out
}

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func events(msgs ...string) iter.Seq[*insights.Event] {
	return func(yield func(*insights.Event) bool) {
		for i, m := range msgs {
			ts := base.Add(time.Duration(i) * time.Minute).UnixMilli()
			if !yield(&insights.Event{Timestamp: ts, IngestionTime: ts, Message: m, LogStream: "s", LogGroup: "/aws/lambda/my-fn", Account: "000000000000", Ptr: fmt.Sprint("p", i)}) {
				return
			}
		}
	}
}

func rowMap(r []insights.Field) map[string]string {
	m := map[string]string{}
	for _, f := range r {
		m[f.Field] = f.Value
	}
	return m
}

func TestCorpusParses(t *testing.T) {
	n, checked := 0, 0
	for _, q := range loadCorpus(t) {
		t.Run(q.ID, func(t *testing.T) {
			p, err := insights.Parse(q.Query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", q.Query, err)
			}
			n++
			if len(q.Samples) == 0 || q.Expected == nil {
				return
			}
			res, err := p.Run(context.Background(), events(q.Samples...), insights.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if want, ok := q.Expected["matches_sample"]; ok {
				if got := len(res.Rows) == len(q.Samples); got != want.(bool) {
					t.Errorf("matches = %v, want %v (rows %v)", got, want, res.Rows)
				}
				return
			}
			if len(res.Rows) != 1 {
				t.Fatalf("rows = %v", res.Rows)
			}
			got := rowMap(res.Rows[0])
			for k, v := range q.Expected {
				if got[k] != fmt.Sprint(v) {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
	t.Logf("%d queries parse, %d with documented results checked", n, checked)
}

func run(t *testing.T, query string, msgs ...string) [][]insights.Field {
	t.Helper()
	q, err := insights.Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	res, err := q.Run(context.Background(), events(msgs...), insights.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows
}

func render(rows [][]insights.Field) string {
	var out []string
	for _, r := range rows {
		var fs []string
		for _, f := range r {
			if f.Field == "@ptr" {
				continue
			}
			fs = append(fs, f.Field+"="+f.Value)
		}
		out = append(out, strings.Join(fs, ","))
	}
	return strings.Join(out, " | ")
}

func TestQueries(t *testing.T) {
	web := []string{
		`{"status": 200, "path": "/a", "latency": 12, "user": {"id": 7}, "tags": ["x", "y"]}`,
		`{"status": 500, "path": "/b", "latency": 250, "user": {"id": 8}}`,
		`{"status": 404, "path": "/a", "latency": 30, "user": {"id": 7}}`,
		`{"status": 500, "path": "/a", "latency": 90, "user": {"id": 9}, "err": "boom"}`,
		`plain text ERROR line`,
	}
	tests := []struct{ query, want string }{
		{`fields @timestamp, @message | filter @message like /ERROR/`, `@timestamp=2026-03-01 12:04:00.000,@message=plain text ERROR line`},
		{`filter status >= 500 | fields path, latency | sort latency desc`, `path=/b,latency=250 | path=/a,latency=90`},
		{`filter status in [404, 500] and path = "/a" | fields status`, `status=500 | status=404`},
		{`filter status not in [200] and ispresent(err) | display err`, `err=boom`},
		{`stats count(*) as n, avg(latency) as avg, max(latency), min(latency), sum(latency) by path`, `path=/a,n=3,avg=44,max(latency)=90,min(latency)=12,sum(latency)=132 | path=/b,n=1,avg=250,max(latency)=250,min(latency)=250,sum(latency)=250 | n=1`},
		{`stats count(*) by status | sort count(*) desc | limit 1`, `status=500,count(*)=2`},
		{`stats count_distinct(user.id) as users, pct(latency, 50) as p50, median(latency) as med, stddev(latency) as sd`, `users=3,p50=30,med=30,sd=108.2635672791175`},
		{`filter ispresent(status) | stats count(*) by bin(2m)`, `bin(2m)=2026-03-01 12:00:00.000,count(*)=2 | bin(2m)=2026-03-01 12:02:00.000,count(*)=2`},
		{`fields tags.1, user.id | filter ispresent(tags.0)`, `tags.1=y,user.id=7`},
		{`fields concat(path, "-", status) as k, strlen(path) as l, toupper(path) as u, substr(path, 1) as s, replace(path, "/", "_") as r | filter status = 200`, `k=/a-200,l=2,u=/A,s=a,r=_a`},
		{`fields abs(0 - latency) as a, ceil(latency / 7) as c, floor(latency / 7) as f, greatest(latency, 100) as g, least(latency, 100) as le, sqrt(latency * latency) as sq | filter status = 404`, `a=30,c=5,f=4,g=100,le=30,sq=30`},
		{`fields coalesce(err, "none") as e | sort @timestamp asc | limit 2`, `e=none | e=none`},
		{`filter status = 500 | stats earliest(path) as first, latest(path) as last, sortsFirst(path) as sf, sortsLast(path) as sl`, `first=/b,last=/a,sf=/a,sl=/b`},
		{`fields path | filter ispresent(path) | dedup path | sort @timestamp asc`, `path=/a | path=/b`},
		{`parse @message "plain * ERROR *" as kind, rest | filter ispresent(kind) | display kind`, `kind=text`},
		{`parse @message /(?<word>[A-Z]{5})/ | filter ispresent(word) | fields word`, `word=ERROR`},
		{`stats avg(latency) as a by path | filter a > 100`, `path=/b,a=250`},
		{`filter status = 500 | stats sum(latency) / count(*) * 2 as x, count(*) as n, x / n as y`, `x=340,n=2,y=170`},
		{`fields datefloor(@timestamp, 1h) as h, toMillis(@timestamp) - toMillis(datefloor(@timestamp, 1h)) as off | filter status = 404`, `h=2026-03-01 12:00:00.000,off=120000`},
		{`fields isValidIp("10.0.0.1") as a, isIpv4InSubnet("10.0.0.1", "10.0.0.0/8") as b, isIpInSubnet("192.168.1.1", "10.0.0.0/8") as c, isValidIpV6("::1") as d | limit 1`, `a=1,b=1,c=0,d=1`},
		{`filter @message not like "ERROR" and not (status = 200) | stats count()`, `count()=3`},
		{`filter isempty(err) and not isblank(path) | stats count(*)`, `count(*)=3`},
		{`filter strcontains(@message, "ERROR") = 1 | fields @logStream, @log`, `@logStream=s,@log=000000000000:/aws/lambda/my-fn`},
		{`stats count(*) by status, path | sort status desc, path asc`, `status=500,path=/a,count(*)=1 | status=500,path=/b,count(*)=1 | status=404,path=/a,count(*)=1 | status=200,path=/a,count(*)=1 | count(*)=1`},
		{"fields `user.id` as u | filter u = 9", `u=9`},
		{`filter status = 999 | stats count(*)`, `count(*)=0`},
		{`unmask | filter status = 404 | fields status`, `status=404`},
	}
	for _, tt := range tests {
		if got := render(run(t, tt.query, web...)); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.query, got, tt.want)
		}
	}
}

func TestLambdaAndFlowLogs(t *testing.T) {
	lambda := []string{
		"START RequestId: 8f5a Version: $LATEST",
		"REPORT RequestId: 8f5a\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.50 ms",
		"REPORT RequestId: 9abc\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 128 MB\tMax Memory Used: 72 MB",
	}
	got := render(run(t, `filter @type = "REPORT" | stats max(@memorySize / 1000 / 1000) as mem, avg(@duration) as d, sum(strcontains(@message, "Init Duration")) / count(*) * 100 as cold`, lambda...))
	if got != "mem=128,d=61.125,cold=50" {
		t.Errorf("lambda = %s", got)
	}
	flow := []string{
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
		"2 123456789010 eni-1235b8ca123456789 192.0.2.1 172.31.9.12 49761 3389 17 20 1000 1418530010 1418530070 ACCEPT OK",
	}
	got = render(run(t, `filter isIpv4InSubnet(srcAddr, "172.31.0.0/16") | stats sum(bytes) as b by action | sort b desc`, flow...))
	if got != "action=ACCEPT,b=4249 | action=REJECT,b=4249" {
		t.Errorf("flow = %s", got)
	}
	got = render(run(t, `filter protocol=17 | stats count(*) by srcAddr`, flow...))
	if got != "srcAddr=192.0.2.1,count(*)=1" {
		t.Errorf("flow udp = %s", got)
	}
}

func TestDefaults(t *testing.T) {
	var msgs []string
	for i := range 12000 {
		msgs = append(msgs, fmt.Sprint("m", i))
	}
	rows := run(t, `fields @message`, msgs...)
	if len(rows) != insights.DefaultLimit {
		t.Errorf("rows = %d", len(rows))
	}
	if rowMap(rows[0])["@message"] != "m11999" {
		t.Errorf("default order is @timestamp desc: first = %v", rows[0])
	}
	if rowMap(rows[0])["@ptr"] == "" {
		t.Errorf("no @ptr: %v", rows[0])
	}
	q, _ := insights.Parse(`filter @message like /m1/`)
	res, _ := q.Run(context.Background(), events(msgs[:100]...), insights.Options{Limit: 5})
	if len(res.Rows) != 5 || res.Stats.RecordsScanned != 100 || res.Stats.RecordsMatched != 11 {
		t.Errorf("rows %d stats %+v", len(res.Rows), res.Stats)
	}
}

func TestParseErrors(t *testing.T) {
	bad := []struct{ q, msg string }{
		{``, "empty"},
		{`fields`, "unexpected end"},
		{`filtr x = 1`, "unknown command"},
		{`filter x = `, "unexpected end"},
		{`stats count(*) by`, "unexpected end"},
		{`stats x`, "aggregate"},
		{`fields count(*)`, "only allowed in stats"},
		{`stats count(*) by bin(5x)`, "time unit"},
		{`fields foo(1)`, "unknown function"},
		{`parse @message "a*b*" as x`, "2 '*' but 1"},
		{`parse @message /abc/`, "named groups"},
		{`filter x like /[/`, "regular expression"},
		{`limit 0`, "between 1 and 10000"},
		{"fields a |\n filter (b = 1", "line 2"},
		{`fields "unterminated`, "unterminated"},
		{`stats sum(count(*))`, "nested"},
	}
	for _, tt := range bad {
		_, err := insights.Parse(tt.q)
		var se *insights.SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError containing %q", tt.q, err, tt.msg)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`fields @timestamp, @message | sort @timestamp desc | limit 25`,
		`filter @message like /Exception/ | stats count(*) as exceptionCount by bin(1h) | sort exceptionCount desc`,
		`parse @message "[*] *" as loggingType, loggingMessage | filter loggingType = "ERROR" | display loggingMessage`,
		`stats sum(strcontains(@message, "Init")) / count(*) * 100 as x, avg(@duration) by bin(5m)`,
		"fields `foo-bar`, abs(f3-f4), concat(a, '-', b) as c | filter a in [1, \"x\"] and not b like /y/",
		`parse @message /(?<a>\d+)-(?<b>\w+)/ | dedup a | stats pct(a, 99) by b`,
	} {
		f.Add(s, `{"a": 1, "b": "x", "f3": 5, "f4": 2}`)
	}
	f.Fuzz(func(t *testing.T, query, msg string) {
		q, err := insights.Parse(query)
		if err != nil {
			var se *insights.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a SyntaxError: %v", err)
			}
			return
		}
		if _, err := q.Run(context.Background(), events(msg, msg), insights.Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

var _ = slices.Contains[[]string]
