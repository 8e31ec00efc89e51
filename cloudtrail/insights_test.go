package cloudtrail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudtrail"
)

func TestInsights(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	f.objs.CreateBucket(ctx, "ins-bucket")
	f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "ins", S3BucketName: "ins-bucket"})
	if _, err := f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: "ins",
		InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}, {InsightType: "ApiErrorRateInsight"}}}); err != nil {
		t.Fatal(err)
	}
	f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: "ins"})
	// a steady baseline: one write per minute for 90 minutes, one failing write every 10
	for i := 0; i < 90; i++ {
		f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
		if i%10 == 0 {
			f.call(ctx, "DeleteFile", &repoIn{RepositoryName: "missing"})
		}
		// process the minute's records before the clock moves on (the recorder is asynchronous)
		f.ct.Flush(ctx)
		f.clk.Advance(time.Minute)
	}
	if n := len(lookup(t, f, ctx, &cloudtrail.LookupEventsInput{EventCategory: "insight"}).Events); n != 0 {
		t.Fatalf("insights on a steady baseline: %d", n)
	}
	// a burst: 200 writes and 50 failures in one minute
	for i := 0; i < 200; i++ {
		f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
	}
	for i := 0; i < 50; i++ {
		f.call(ctx, "DeleteFile", &repoIn{RepositoryName: "missing"})
	}
	f.ct.Flush(ctx)
	f.clk.Advance(time.Minute)
	f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
	f.ct.Flush(ctx)
	f.clk.Advance(5 * time.Minute)
	f.ct.Deliver(ctx)

	out := lookup(t, f, ctx, &cloudtrail.LookupEventsInput{EventCategory: "insight"})
	got := map[string]bool{}
	for _, e := range out.Events {
		r := decode(t, e.CloudTrailEvent)
		d := r["insightDetails"].(map[string]any)
		if r["eventType"] != "AwsCloudTrailInsight" || r["eventCategory"] != "Insight" {
			t.Errorf("record %v", r)
		}
		got[d["insightType"].(string)+"/"+e.EventName+"/"+d["state"].(string)] = true
	}
	for _, want := range []string{"ApiCallRateInsight/PutFile/Start", "ApiCallRateInsight/PutFile/End",
		"ApiErrorRateInsight/DeleteFile/Start", "ApiErrorRateInsight/DeleteFile/End"} {
		if !got[want] {
			t.Errorf("missing %s; got %v", want, got)
		}
	}
	if got["ApiCallRateInsight/DeleteFile/Start"] && got["ApiCallRateInsight/PutFile/Start"] && len(got) > 6 {
		t.Errorf("unexpected insights %v", got)
	}
	// filtered by name
	out = lookup(t, f, ctx, &cloudtrail.LookupEventsInput{EventCategory: "insight", LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "EventName", AttributeValue: "PutFile"}}})
	for _, e := range out.Events {
		if e.EventName != "PutFile" {
			t.Errorf("filter: %s", e.EventName)
		}
	}
	// delivered under CloudTrail-Insight
	ks := f.objs.keys("ins-bucket", "AWSLogs/000000000000/CloudTrail-Insight/us-east-1/")
	if len(ks) == 0 {
		t.Fatalf("no insight files: %v", f.objs.keys("ins-bucket", ""))
	}
	fs := f.files(t, "ins-bucket", "AWSLogs/000000000000/CloudTrail-Insight/")
	for k, d := range fs {
		if !strings.Contains(k, "_CloudTrail-Insight_us-east-1_") {
			t.Errorf("key %s", k)
		}
		for _, r := range d.Records {
			if r["eventCategory"] != "Insight" {
				t.Errorf("non-insight record in %s", k)
			}
		}
	}
}
