package cloudtrail_test

import (
	"context"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/identity"
)

func TestLookupAttributes(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	alice, bob := user("000000000000", "alice"), user("000000000000", "bob")
	f.call(alice, "CreateRepository", &repoIn{RepositoryName: "web"})
	f.clk.Advance(time.Minute)
	f.call(bob, "GetRepository", &repoIn{RepositoryName: "web"})
	f.clk.Advance(time.Minute)
	f.call(bob, "CreateRepository", &repoIn{RepositoryName: "api"})
	f.clk.Advance(time.Minute)
	// another account and another region are invisible
	f.call(user("111111111111", "carol"), "CreateRepository", &repoIn{RepositoryName: "web"})
	west := identity.With(context.Background(), identity.Caller{Region: "us-west-2"})
	f.call(west, "CreateRepository", &repoIn{RepositoryName: "web"})

	all := lookup(t, f, alice, nil)
	var id string
	for _, e := range all.Events {
		if e.EventName == "GetRepository" {
			id = e.EventID
		}
	}
	tests := []struct {
		key, value string
		want       []string // event names newest first
	}{
		{"EventName", "CreateRepository", []string{"CreateRepository", "CreateRepository"}},
		{"Username", "bob", []string{"CreateRepository", "GetRepository"}},
		{"AccessKeyId", "AKIAALICE", []string{"CreateRepository"}},
		{"ReadOnly", "true", []string{"GetRepository"}},
		{"ReadOnly", "false", []string{"CreateRepository", "CreateRepository"}},
		{"ResourceName", "web", []string{"GetRepository", "CreateRepository"}},
		{"ResourceType", "AWS::CodeCommit::Repository", []string{"CreateRepository", "GetRepository", "CreateRepository"}},
		{"EventSource", "codecommit.amazonaws.com", []string{"CreateRepository", "GetRepository", "CreateRepository"}},
		{"EventId", id, []string{"GetRepository"}},
		{"EventId", "not-an-id", nil},
		{"EventName", "Nope", nil},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			out := lookup(t, f, alice, byAttr(tc.key, tc.value))
			var got []string
			for _, e := range out.Events {
				if e.EventSource != "codecommit.amazonaws.com" {
					continue
				}
				got = append(got, e.EventName)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	// time range: only the middle call
	out := lookup(t, f, alice, &cloudtrail.LookupEventsInput{
		StartTime: ptr(t0.Add(30 * time.Second)), EndTime: ptr(t0.Add(90 * time.Second)),
		LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "EventSource", AttributeValue: "codecommit.amazonaws.com"}},
	})
	if len(out.Events) != 1 || out.Events[0].EventName != "GetRepository" {
		t.Errorf("time range: %+v", out.Events)
	}
}

func TestLookupErrors(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	tests := []struct {
		name string
		in   cloudtrail.LookupEventsInput
		code string
	}{
		{"max results 0", cloudtrail.LookupEventsInput{MaxResults: ptr(int32(0))}, "InvalidMaxResultsException"},
		{"max results 51", cloudtrail.LookupEventsInput{MaxResults: ptr(int32(51))}, "InvalidMaxResultsException"},
		{"two attributes", cloudtrail.LookupEventsInput{LookupAttributes: []cloudtrail.LookupAttribute{{"EventName", "a"}, {"Username", "b"}}}, "InvalidLookupAttributesException"},
		{"bad key", cloudtrail.LookupEventsInput{LookupAttributes: []cloudtrail.LookupAttribute{{"Color", "a"}}}, "InvalidLookupAttributesException"},
		{"empty value", cloudtrail.LookupEventsInput{LookupAttributes: []cloudtrail.LookupAttribute{{"EventName", ""}}}, "InvalidLookupAttributesException"},
		{"time range", cloudtrail.LookupEventsInput{StartTime: ptr(t0), EndTime: ptr(t0.Add(-time.Hour))}, "InvalidTimeRangeException"},
		{"category", cloudtrail.LookupEventsInput{EventCategory: "data"}, "InvalidEventCategoryException"},
		{"token", cloudtrail.LookupEventsInput{NextToken: "garbage"}, "InvalidNextTokenException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.ct.LookupEvents(ctx, &tc.in)
			if !isCode(err, tc.code) {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
	// the failed lookups are recorded too, with their error codes
	out := lookup(t, f, ctx, byAttr("EventName", "LookupEvents"))
	if len(out.Events) != len(tests) {
		t.Errorf("%d LookupEvents records, want %d", len(out.Events), len(tests))
	}
}

func TestLookupPaging(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	for i := 0; i < 120; i++ {
		f.call(ctx, "CreateRepository", &repoIn{RepositoryName: "r"})
		f.clk.Advance(time.Second)
	}
	in := byAttr("EventName", "CreateRepository")
	seen, pages := map[string]bool{}, 0
	var last time.Time
	for {
		out := lookup(t, f, ctx, in)
		pages++
		if len(out.Events) > 50 {
			t.Fatalf("page of %d", len(out.Events))
		}
		for _, e := range out.Events {
			if seen[e.EventID] {
				t.Fatalf("duplicate %s", e.EventID)
			}
			if !last.IsZero() && e.EventTime.After(last) {
				t.Fatalf("not newest first")
			}
			last = e.EventTime
			seen[e.EventID] = true
		}
		if out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	if len(seen) != 120 || pages != 3 {
		t.Errorf("seen %d in %d pages", len(seen), pages)
	}
	// a token is bound to its query
	out := lookup(t, f, ctx, &cloudtrail.LookupEventsInput{MaxResults: ptr(int32(5))})
	_, err := f.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: out.NextToken, LookupAttributes: []cloudtrail.LookupAttribute{{"EventName", "X"}}})
	if !isCode(err, "InvalidNextTokenException") {
		t.Errorf("reused token: %v", err)
	}
}

func TestRetentionAndCap(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	f.call(ctx, "CreateRepository", &repoIn{RepositoryName: "old"})
	f.clk.Advance(89 * 24 * time.Hour)
	if n := len(lookup(t, f, ctx, byAttr("ResourceName", "old")).Events); n != 1 {
		t.Fatalf("after 89 days: %d", n)
	}
	f.clk.Advance(2 * 24 * time.Hour)
	if n := len(lookup(t, f, ctx, byAttr("ResourceName", "old")).Events); n != 0 {
		t.Fatalf("after 91 days: %d", n)
	}

	g := newFixture(t, cloudtrail.Options{MaxEvents: 10000})
	for i := 0; i < 30000; i++ {
		g.call(ctx, "PutFile", &repoIn{RepositoryName: "r"})
	}
	in := byAttr("EventName", "PutFile")
	n := 0
	for {
		out := lookup(t, g, ctx, in)
		n += len(out.Events)
		if out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	if n > 10000 || n < 9700 { // the LookupEvents calls themselves take some of the cap
		t.Errorf("cap 10000 kept %d", n)
	}
}
