package cloudtrail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/boltstore"
	"github.com/devopsim/devopsim/store/memstore"
)

// durable is a platform's life on one data directory: each open is a restart.
type durable struct {
	t    testing.TB
	dir  string
	clk  *clock.Manual
	objs *memObjects
	key  *ecdsa.PrivateKey
}

func newDurable(t testing.TB) *durable {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &durable{t: t, dir: t.TempDir(), clk: clock.NewManual(t0), objs: newMemObjects(), key: k}
}

// open starts a Service on the directory's store; close it with f.close.
func (d *durable) open(opts cloudtrail.Options) (*fixture, store.Store) {
	return d.openWith(opts, boltstore.Options{NoSync: true})
}

func (d *durable) openWith(opts cloudtrail.Options, bopts boltstore.Options) (*fixture, store.Store) {
	d.t.Helper()
	st, err := boltstore.OpenWith(d.dir+"/state.db", bopts)
	if err != nil {
		d.t.Fatal(err)
	}
	return d.openOn(st, opts), st
}

func (d *durable) openOn(st store.Store, opts cloudtrail.Options) *fixture {
	d.t.Helper()
	f := &fixture{clk: d.clk, objs: d.objs, bus: eventbus.New(), logs: &logSink{}}
	f.env = &core.Env{Clock: d.clk, Store: st, Log: slog.New(slog.DiscardHandler), Events: f.bus,
		Hooks: &dispatch.Hooks{}, Objects: d.objs, Account: core.DefaultAccount, Region: core.DefaultRegion}
	opts.Logs, opts.SigningKey = f.logs, d.key
	ct, err := cloudtrail.New(f.env, opts)
	if err != nil {
		st.Close()
		d.t.Fatal(err)
	}
	f.ct = ct
	f.fake = f.env.Dispatcher("codecommit", "codecommit.amazonaws.com")
	return f
}

func (f *fixture) close(t testing.TB, st store.Store) {
	t.Helper()
	if err := f.ct.Close(context.Background()); err != nil {
		t.Error(err)
	}
	if err := st.Close(); err != nil {
		t.Error(err)
	}
}

// allEvents pages through LookupEvents (small pages, so NextToken is exercised) and leaves out
// the LookupEvents calls, which are recorded too.
func allEvents(t *testing.T, f *fixture, ctx context.Context, in cloudtrail.LookupEventsInput) []cloudtrail.Event {
	t.Helper()
	in.MaxResults = ptr(int32(7))
	var out []cloudtrail.Event
	for {
		page := lookup(t, f, ctx, &in)
		for _, e := range page.Events {
			if e.EventName != "LookupEvents" {
				out = append(out, e)
			}
		}
		if page.NextToken == "" {
			return out
		}
		in.NextToken = page.NextToken
	}
}

func chunkKeys(t *testing.T, st store.Store) []string {
	t.Helper()
	items, _, err := st.List(context.Background(), "cloudtrail/history/", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, it := range items {
		ks = append(ks, it.Key)
	}
	return ks
}

func TestHistorySurvivesRestart(t *testing.T) {
	d := newDurable(t)
	opts := cloudtrail.Options{DurableHistory: true}
	f, st := d.open(opts)
	alice, bob := user("000000000000", "alice"), user("111111111111", "bob")
	ctx := context.Background()
	// a trail logging S3 data events, so a data event's ID is visible in a delivered file
	d.objs.CreateBucket(ctx, "trail-bucket")
	if _, err := f.ct.CreateTrail(alice, &cloudtrail.CreateTrailInput{Name: "main", S3BucketName: "trail-bucket"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ct.PutEventSelectors(alice, &cloudtrail.PutEventSelectorsInput{TrailName: "main", EventSelectors: []cloudtrail.EventSelector{{
		DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ct.StartLogging(alice, &cloudtrail.StartLoggingInput{Name: "main"}); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		who := alice
		if i%3 == 0 {
			who = bob
		}
		name := "web"
		if i%7 == 0 {
			name = "missing" // a failure with errorCode
		}
		f.call(who, []string{"CreateRepository", "GetRepository", "PutFile"}[i%3], &repoIn{RepositoryName: name,
			Password: "hunter2", Tags: map[string]string{"n": string(rune('a' + i%26))}})
		if i%10 == 9 {
			f.ct.Flush(ctx) // several batches, so several chunks
			d.clk.Advance(time.Minute + 300*time.Millisecond)
		}
	}
	f.ct.RecordGit(alice, "GitPush", "web", nil) // a management event from outside the dispatcher
	f.ct.Flush(ctx)
	d.clk.Advance(time.Minute)
	// the last batch holds a data event only: its position must not be reused
	f.ct.RecordS3Object(alice, "PutObject", "data", "k", nil)
	if err := f.ct.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	var dataID string
	for _, fl := range f.files(t, "trail-bucket", "AWSLogs/") {
		for _, r := range fl.Records {
			if r["eventName"] == "PutObject" {
				dataID = r["eventID"].(string)
			}
		}
	}
	if dataID == "" {
		t.Fatal("data event not delivered")
	}
	queries := map[string]cloudtrail.LookupEventsInput{
		"all":      {},
		"by name":  *byAttr("EventName", "PutFile"),
		"by user":  *byAttr("Username", "alice"),
		"readonly": *byAttr("ReadOnly", "true"),
		"by key":   *byAttr("AccessKeyId", "AKIAALICE"),
		"range":    {StartTime: ptr(t0.Add(time.Minute)), EndTime: ptr(t0.Add(3 * time.Minute))},
	}
	principals := map[string]context.Context{"alice": alice, "bob": bob}
	before := map[string][]cloudtrail.Event{}
	for name, q := range queries {
		for p, who := range principals {
			before[name+"/"+p] = allEvents(t, f, who, q)
		}
	}
	if n := len(before["all/alice"]); n < 20 {
		t.Fatalf("alice has %d events", n)
	}
	f.close(t, st)

	f, st = d.open(opts)
	defer f.close(t, st)
	for name, q := range queries {
		for p, who := range principals {
			k := name + "/" + p
			if got := allEvents(t, f, who, q); !reflect.DeepEqual(got, before[k]) {
				t.Errorf("%s after restart:\n got %d events %v\nwant %d events %v", k, len(got), ids(got), len(before[k]), ids(before[k]))
			}
		}
	}
	// lookup by the ID of an event recorded before the restart
	old := before["all/bob"][3]
	if got := lookup(t, f, bob, byAttr("EventId", old.EventID)).Events; len(got) != 1 || !reflect.DeepEqual(got[0], old) {
		t.Errorf("EventId lookup: %v", got)
	}
	// new events continue after the old ones, with new IDs
	f.call(alice, "DeleteRepository", &repoIn{RepositoryName: "web"})
	got := allEvents(t, f, alice, cloudtrail.LookupEventsInput{})
	if len(got) != len(before["all/alice"])+1 || got[0].EventName != "DeleteRepository" || !reflect.DeepEqual(got[1:], before["all/alice"]) {
		t.Fatalf("after a new call: %d events, newest %s", len(got), got[0].EventName)
	}
	seen := map[string]bool{dataID: true}
	for _, e := range before["all/alice"] {
		seen[e.EventID] = true
	}
	for _, e := range before["all/bob"] {
		seen[e.EventID] = true
	}
	if seen[got[0].EventID] {
		t.Errorf("event ID %s reused after restart", got[0].EventID)
	}
	// the trail (in the store) still logs: the call after the restart is delivered
	if err := f.ct.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, fl := range f.files(t, "trail-bucket", "AWSLogs/") {
		for _, r := range fl.Records {
			found = found || r["eventID"] == got[0].EventID
		}
	}
	if !found {
		t.Error("the call after the restart was not delivered")
	}
}

func ids(es []cloudtrail.Event) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.EventName+":"+e.EventID[len(e.EventID)-4:])
	}
	return out
}

func TestHistoryRetentionAndCapOnReload(t *testing.T) {
	d := newDurable(t)
	ctx := context.Background()
	opts := cloudtrail.Options{DurableHistory: true, Retention: time.Hour}
	f, st := d.open(opts)
	resume := cloudtrail.PauseWorker(f.ct) // batches of exactly two calls
	for j, repo := range []string{"old", "new"} {
		if j == 1 {
			d.clk.Advance(40 * time.Minute)
		}
		for i := range 6 {
			f.call(ctx, "PutFile", &repoIn{RepositoryName: repo})
			if i%2 == 1 {
				cloudtrail.Process(f.ct)
			}
		}
	}
	resume()
	if n := len(chunkKeys(t, st)); n != 6 {
		t.Fatalf("%d chunks stored, want 6 (one per processed batch)", n)
	}
	f.close(t, st)

	// 70 minutes after them, the old events are past the 1-hour retention
	d.clk.Advance(30 * time.Minute)
	f, st = d.open(opts)
	if n := len(chunkKeys(t, st)); n != 3 {
		t.Errorf("%d chunks stored after retention, want 3", n)
	}
	kept := lookup(t, f, ctx, &cloudtrail.LookupEventsInput{}).Events
	if len(kept) != 6 {
		t.Fatalf("%d events after retention, want 6", len(kept))
	}
	for _, e := range kept {
		if e.Resources[0].ResourceName != "new" && !strings.Contains(e.CloudTrailEvent, `"new"`) {
			t.Errorf("kept %s", e.CloudTrailEvent)
		}
	}
	f.close(t, st)

	// a smaller cap on reload keeps the newest: the LookupEvents call and the last two
	opts.MaxEvents = 3
	f, st = d.open(opts)
	if n := len(chunkKeys(t, st)); n != 2 {
		t.Errorf("%d chunks stored after the cap, want 2", n)
	}
	got := lookup(t, f, ctx, &cloudtrail.LookupEventsInput{}).Events
	if len(got) != 3 || got[0].EventName != "LookupEvents" || !reflect.DeepEqual(got[1:], kept[:2]) {
		t.Errorf("after the cap: %v, want LookupEvents + %v", ids(got), ids(kept[:2]))
	}
	// retention while running prunes the store too
	d.clk.Advance(2 * time.Hour)
	if err := f.ct.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if ks := chunkKeys(t, st); len(ks) != 0 {
		t.Errorf("chunks left after retention: %v", ks)
	}
	if n := len(allEvents(t, f, ctx, cloudtrail.LookupEventsInput{})); n != 0 {
		t.Errorf("%d events past retention", n)
	}
	f.close(t, st)
}

func TestInsightSurvivesRestart(t *testing.T) {
	d := newDurable(t)
	ctx := context.Background()
	opts := cloudtrail.Options{DurableHistory: true}
	f, st := d.open(opts)
	d.objs.CreateBucket(ctx, "ins-bucket")
	f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "ins", S3BucketName: "ins-bucket"})
	if _, err := f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: "ins",
		InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}}}); err != nil {
		t.Fatal(err)
	}
	f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: "ins"})
	for range 90 { // the baseline: one write a minute
		f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
		f.ct.Flush(ctx)
		d.clk.Advance(time.Minute)
	}
	for range 200 { // the burst
		f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
	}
	f.ct.Flush(ctx)
	d.clk.Advance(time.Minute)
	f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"}) // closes the burst minute: Start
	f.ct.Flush(ctx)
	ins := lookup(t, f, ctx, &cloudtrail.LookupEventsInput{EventCategory: "insight"}).Events
	if len(ins) != 1 {
		t.Fatalf("%d insights before the restart", len(ins))
	}
	start := decode(t, ins[0].CloudTrailEvent)
	f.close(t, st)

	f, st = d.open(opts)
	defer f.close(t, st)
	if got := lookup(t, f, ctx, &cloudtrail.LookupEventsInput{EventCategory: "insight"}).Events; !reflect.DeepEqual(got, ins) {
		t.Fatalf("insights after restart: %v", got)
	}
	// the open Insight ends after the restart, with the shared ID of its start, once
	d.clk.Advance(time.Minute)
	f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
	d.clk.Advance(5 * time.Minute)
	f.ct.Deliver(ctx)
	got := lookup(t, f, ctx, &cloudtrail.LookupEventsInput{EventCategory: "insight"}).Events
	if len(got) != 2 {
		t.Fatalf("%d insights after the restart, want start and end", len(got))
	}
	end := decode(t, got[0].CloudTrailEvent)
	if end["insightDetails"].(map[string]any)["state"] != "End" || end["sharedEventID"] != start["sharedEventID"] {
		t.Errorf("end %v does not match start %v", end, start)
	}
}

func TestHistoryNotStoredByDefault(t *testing.T) {
	st := memstore.New()
	defer st.Close()
	d := newDurable(t)
	f := d.openOn(st, cloudtrail.Options{})
	ctx := context.Background()
	f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
	f.ct.Flush(ctx)
	if err := f.ct.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if ks := chunkKeys(t, st); len(ks) != 0 {
		t.Errorf("history stored without DurableHistory: %v", ks)
	}
	if _, err := st.Get(ctx, "cloudtrail/meta/history"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("meta stored without DurableHistory: %v", err)
	}
}

// FuzzReloadHistory feeds arbitrary stored chunks to New: a damaged store must not make it
// panic or hang, and what it reloads must be served.
func FuzzReloadHistory(f *testing.F) {
	// seeds: the chunks a real recording stores
	st := memstore.New()
	d := newDurable(f)
	fx := d.openOn(st, cloudtrail.Options{DurableHistory: true})
	ctx := context.Background()
	fx.call(user("000000000000", "alice"), "CreateRepository", &repoIn{RepositoryName: "web", Password: "x"})
	fx.call(ctx, "DeleteRepository", &repoIn{RepositoryName: "missing"})
	fx.ct.RecordGit(ctx, "GitPush", "web", nil)
	fx.ct.Flush(ctx)
	fx.ct.RecordS3Object(ctx, "GetObject", "b", "k", nil)
	fx.close(f, st)
	items, _, _ := st.List(ctx, "cloudtrail/history/", "", 0)
	for _, it := range items {
		f.Add(strings.TrimPrefix(it.Key, "cloudtrail/history/"), it.Value)
	}
	f.Add("0000000000000000-ffffffffffffffff", []byte(`{"f":0,"e":18446744073709551615}`))
	f.Add("x", []byte(`{"f":5,"e":9,"s":["s3.amazonaws.com"],"p":[{}],"r":[{"n":7,"t":1,"s":0,"w":0,"e":"X","c":2}]}`))
	f.Fuzz(func(t *testing.T, key string, value []byte) {
		st := memstore.New()
		defer st.Close()
		ctx := context.Background()
		st.Put(ctx, "cloudtrail/history/"+key, value, store.AnyRev)
		d := newDurable(t)
		fx := d.openOn(st, cloudtrail.Options{DurableHistory: true, MaxEvents: 1000})
		defer fx.ct.Close(ctx)
		for _, cat := range []string{"", "insight"} {
			for _, e := range allEvents(t, fx, ctx, cloudtrail.LookupEventsInput{EventCategory: cat}) {
				got := lookup(t, fx, ctx, &cloudtrail.LookupEventsInput{EventCategory: cat,
					LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "EventId", AttributeValue: e.EventID}}})
				if len(got.Events) != 1 {
					t.Fatalf("EventId %s: %d events", e.EventID, len(got.Events))
				}
			}
		}
	})
}
