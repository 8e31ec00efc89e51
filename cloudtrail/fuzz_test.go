package cloudtrail_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudtrail"
)

// FuzzLookupEvents feeds arbitrary tokens and attributes to LookupEvents: it must answer or
// refuse with an AWS validation error, never panic.
func FuzzLookupEvents(f *testing.F) {
	f.Add("", "EventName", "CreateRepository", int32(10))
	f.Add("djE6MTA6YWJj", "EventId", "00000000-0000-4000-8000-000000000001", int32(50))
	f.Add("v1:1:1", "ReadOnly", "true", int32(0))
	f.Add("%%%", "Username", strings.Repeat("x", 3000), int32(-1))
	fx := newFixture(f, cloudtrail.Options{})
	ctx := context.Background()
	for i := 0; i < 60; i++ {
		fx.call(ctx, "CreateRepository", &repoIn{RepositoryName: "r"})
	}
	first, _ := fx.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	f.Add(first.NextToken, "", "", int32(5))
	f.Fuzz(func(t *testing.T, token, key, value string, max int32) {
		in := &cloudtrail.LookupEventsInput{NextToken: token, MaxResults: &max}
		if key != "" {
			in.LookupAttributes = []cloudtrail.LookupAttribute{{AttributeKey: key, AttributeValue: value}}
		}
		out, err := fx.ct.LookupEvents(ctx, in)
		if err != nil {
			if !errors.Is(err, apierr.Invalid) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(out.Events) > int(max) {
			t.Fatalf("%d events for MaxResults %d", len(out.Events), max)
		}
	})
}

// FuzzCreateTrail feeds arbitrary names, buckets, prefixes and ARNs to CreateTrail.
func FuzzCreateTrail(f *testing.F) {
	f.Add("main", "bucket", "", "", "")
	f.Add("my--trail", "Bad_Bucket", strings.Repeat("p", 201), "arn:aws:logs:us-east-1:1:log-group:x:*", "")
	f.Add("192.168.0.1", "b", "", "", "arn:aws:iam::1:role/r")
	f.Add("a.b_c-d", "bucket.name", "x/y", "arn:aws:logs", "arn:aws:iam::000000000000:role/x")
	fx := newFixture(f, cloudtrail.Options{})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name, bucket, prefix, group, role string) {
		out, err := fx.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: bucket, S3KeyPrefix: prefix,
			CloudWatchLogsLogGroupArn: group, CloudWatchLogsRoleArn: role})
		if err != nil {
			var e *apierr.Error
			if !errors.As(err, &e) || e.Kind == apierr.Internal {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if _, err := fx.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: out.TrailARN}); err != nil {
			t.Fatalf("delete %s: %v", out.TrailARN, err)
		}
	})
}

// FuzzRecordParameters records inputs with arbitrary member names and values: the record must
// stay valid JSON and secret-named members must be hidden.
func FuzzRecordParameters(f *testing.F) {
	f.Add("password", "hunter2", "name")
	f.Add("SecretAccessKey", "\x00\"\\", "type")
	f.Add("value", "SecureString", "Type")
	f.Add("nextToken", "</script>", "\u2028")
	fx := newFixture(f, cloudtrail.Options{})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, key, value, name string) {
		fx.call(ctx, "TagResource", &repoIn{RepositoryName: name, Tags: map[string]string{key: value}})
		out, err := fx.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: ptr(int32(1)),
			LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "EventName", AttributeValue: "TagResource"}}})
		if err != nil || len(out.Events) != 1 {
			t.Fatalf("lookup: %v", err)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(out.Events[0].CloudTrailEvent), &rec); err != nil {
			t.Fatalf("invalid record: %v\n%s", err, out.Events[0].CloudTrailEvent)
		}
		rp, _ := rec["requestParameters"].(map[string]any)
		tags, _ := rp["tags"].(map[string]any)
		l := strings.ToLower(key)
		if strings.Contains(l, "password") && !strings.HasSuffix(l, "id") && !strings.HasSuffix(l, "arn") && !strings.HasSuffix(l, "name") && !strings.HasSuffix(l, "type") {
			if v, ok := tags[key]; ok && v != "HIDDEN_DUE_TO_SECURITY_REASONS" {
				t.Fatalf("%s not hidden: %v", key, v)
			}
		}
	})
}
