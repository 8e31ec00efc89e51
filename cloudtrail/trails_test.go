package cloudtrail_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/identity"
)

func inRegion(region string) context.Context {
	return identity.With(context.Background(), identity.Caller{Region: region})
}

func TestTrailLifecycle(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	out, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "main", S3BucketName: "logs-bucket", S3KeyPrefix: "ct",
		KmsKeyID: "12345678-1234-1234-1234-123456789012", TagsList: []cloudtrail.Tag{{Key: "env", Value: "prod"}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.TrailARN != "arn:aws:cloudtrail:us-east-1:000000000000:trail/main" || !out.IncludeGlobalServiceEvents || out.IsMultiRegionTrail ||
		out.KmsKeyID != "arn:aws:kms:us-east-1:000000000000:key/12345678-1234-1234-1234-123456789012" {
		t.Errorf("create = %+v", out)
	}
	if _, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "main", S3BucketName: "logs-bucket"}); !errors.Is(err, cloudtrail.ErrTrailAlreadyExists) {
		t.Errorf("duplicate: %v", err)
	}
	st, err := f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: "main"})
	if err != nil || st.IsLogging {
		t.Fatalf("status %+v %v", st, err)
	}
	if _, err := f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: out.TrailARN}); err != nil {
		t.Fatal(err)
	}
	st, _ = f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: "main"})
	if !st.IsLogging || !st.StartLoggingTime.Equal(t0) || st.TimeLoggingStarted != "2026-03-01T12:00:00Z" {
		t.Errorf("status = %+v", st)
	}
	up, err := f.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: "main", IsMultiRegionTrail: ptr(true), EnableLogFileValidation: ptr(true)})
	if err != nil || !up.IsMultiRegionTrail || !up.LogFileValidationEnabled || up.S3KeyPrefix != "ct" {
		t.Fatalf("update = %+v, %v", up, err)
	}
	// a multi-region trail shows as a shadow in other regions, but is changed only at home
	west := inRegion("us-west-2")
	d, _ := f.ct.DescribeTrails(west, &cloudtrail.DescribeTrailsInput{})
	if len(d.TrailList) != 1 || d.TrailList[0].HomeRegion != "us-east-1" {
		t.Errorf("shadow = %+v", d.TrailList)
	}
	d, _ = f.ct.DescribeTrails(west, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: ptr(false)})
	if len(d.TrailList) != 0 {
		t.Errorf("without shadows = %+v", d.TrailList)
	}
	if _, err := f.ct.DeleteTrail(west, &cloudtrail.DeleteTrailInput{Name: "main"}); !errors.Is(err, cloudtrail.ErrInvalidHomeRegion) {
		t.Errorf("delete elsewhere: %v", err)
	}
	g, err := f.ct.GetTrail(west, &cloudtrail.GetTrailInput{Name: out.TrailARN})
	if err != nil || g.Trail.Name != "main" {
		t.Errorf("get shadow: %+v %v", g, err)
	}
	lt, _ := f.ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	if len(lt.Trails) != 1 || lt.Trails[0].TrailARN != out.TrailARN {
		t.Errorf("list = %+v", lt)
	}
	// tags
	if _, err := f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceID: out.TrailARN, TagsList: []cloudtrail.Tag{{Key: "team", Value: "x"}, {Key: "env", Value: "dev"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceID: out.TrailARN, TagsList: []cloudtrail.Tag{{Key: "team"}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIDList: []string{out.TrailARN}})
	if err != nil || len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 || tags.ResourceTagList[0].TagsList[0] != (cloudtrail.Tag{Key: "env", Value: "dev"}) {
		t.Errorf("tags = %+v %v", tags, err)
	}
	// insight selectors
	if _, err := f.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: "main"}); !errors.Is(err, cloudtrail.ErrInsightNotEnabled) {
		t.Errorf("insights before: %v", err)
	}
	if _, err := f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: "main", InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}}}); err != nil {
		t.Fatal(err)
	}
	gi, err := f.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: "main"})
	if err != nil || len(gi.InsightSelectors) != 1 {
		t.Errorf("insights = %+v %v", gi, err)
	}
	es, _ := f.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: "main"})
	if len(es.EventSelectors) != 1 || es.EventSelectors[0].ReadWriteType != "All" || !*es.EventSelectors[0].IncludeManagementEvents {
		t.Errorf("default selectors = %+v", es)
	}
	if _, err := f.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: "main"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: "main"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: "main"}); !errors.Is(err, cloudtrail.ErrTrailNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

func TestTrailValidation(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	tests := []struct {
		name string
		in   cloudtrail.CreateTrailInput
		want error
	}{
		{"short name", cloudtrail.CreateTrailInput{Name: "ab", S3BucketName: "bucket"}, cloudtrail.ErrInvalidTrailName},
		{"adjacent punctuation", cloudtrail.CreateTrailInput{Name: "my--trail", S3BucketName: "bucket"}, cloudtrail.ErrInvalidTrailName},
		{"ends with dash", cloudtrail.CreateTrailInput{Name: "trail-", S3BucketName: "bucket"}, cloudtrail.ErrInvalidTrailName},
		{"ip address", cloudtrail.CreateTrailInput{Name: "192.168.5.4", S3BucketName: "bucket"}, cloudtrail.ErrInvalidTrailName},
		{"bad chars", cloudtrail.CreateTrailInput{Name: "my trail", S3BucketName: "bucket"}, cloudtrail.ErrInvalidTrailName},
		{"no bucket", cloudtrail.CreateTrailInput{Name: "trail"}, cloudtrail.ErrInvalidS3BucketName},
		{"bad bucket", cloudtrail.CreateTrailInput{Name: "trail", S3BucketName: "Bad_Bucket"}, cloudtrail.ErrInvalidS3BucketName},
		{"log group without role", cloudtrail.CreateTrailInput{Name: "trail", S3BucketName: "bucket",
			CloudWatchLogsLogGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:ct:*"}, cloudtrail.ErrInvalidParamCombo},
		{"bad log group", cloudtrail.CreateTrailInput{Name: "trail", S3BucketName: "bucket",
			CloudWatchLogsLogGroupArn: "ct", CloudWatchLogsRoleArn: "arn:aws:iam::000000000000:role/r"}, cloudtrail.ErrInvalidLogGroupArn},
		{"bad kms", cloudtrail.CreateTrailInput{Name: "trail", S3BucketName: "bucket", KmsKeyID: "nope"}, cloudtrail.ErrInvalidKmsKeyID},
		{"org without org", cloudtrail.CreateTrailInput{Name: "trail", S3BucketName: "bucket", IsOrganizationTrail: ptr(true)}, cloudtrail.ErrOrgsNotInUse},
		{"bad tag", cloudtrail.CreateTrailInput{Name: "trail", S3BucketName: "bucket", TagsList: []cloudtrail.Tag{{Key: "aws:x"}}}, cloudtrail.ErrInvalidTagParameter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.ct.CreateTrail(ctx, &tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	for i := 0; i < cloudtrail.MaxTrailsPerRegion; i++ {
		if _, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "t" + string(rune('a'+i)) + "x", S3BucketName: "bucket"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "onemore", S3BucketName: "bucket"}); !errors.Is(err, cloudtrail.ErrMaxTrails) {
		t.Errorf("sixth trail: %v", err)
	}
	for _, name := range []string{"nothere", "arn:aws:cloudtrail:us-east-1:000000000000:trail/nothere"} {
		if _, err := f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name}); !errors.Is(err, cloudtrail.ErrTrailNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: "arn:aws:s3:::bucket"}); !errors.Is(err, cloudtrail.ErrARNInvalid) {
		t.Errorf("bad arn: %v", err)
	}
	sel := []struct {
		name string
		in   cloudtrail.PutEventSelectorsInput
		want error
	}{
		{"both kinds", cloudtrail.PutEventSelectorsInput{TrailName: "tax", EventSelectors: []cloudtrail.EventSelector{{}},
			AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}}}}, cloudtrail.ErrInvalidParamCombo},
		{"none", cloudtrail.PutEventSelectorsInput{TrailName: "tax"}, cloudtrail.ErrInvalidEventSelectors},
		{"bad rw", cloudtrail.PutEventSelectorsInput{TrailName: "tax", EventSelectors: []cloudtrail.EventSelector{{ReadWriteType: "Sometimes"}}}, cloudtrail.ErrInvalidEventSelectors},
		{"bad data type", cloudtrail.PutEventSelectorsInput{TrailName: "tax", EventSelectors: []cloudtrail.EventSelector{{DataResources: []cloudtrail.DataResource{{Type: "AWS::EC2::Instance", Values: []string{"arn:aws:ec2"}}}}}}, cloudtrail.ErrInvalidEventSelectors},
		{"no category", cloudtrail.PutEventSelectorsInput{TrailName: "tax", AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{{Field: "eventName", Equals: []string{"X"}}}}}}, cloudtrail.ErrInvalidEventSelectors},
		{"bad field", cloudtrail.PutEventSelectorsInput{TrailName: "tax", AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}, {Field: "color", Equals: []string{"x"}}}}}}, cloudtrail.ErrInvalidEventSelectors},
		{"no operator", cloudtrail.PutEventSelectorsInput{TrailName: "tax", AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{{Field: "eventCategory"}}}}}, cloudtrail.ErrInvalidEventSelectors},
		{"unknown trail", cloudtrail.PutEventSelectorsInput{TrailName: "nothere", EventSelectors: []cloudtrail.EventSelector{{}}}, cloudtrail.ErrTrailNotFound},
	}
	for _, tc := range sel {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.ct.PutEventSelectors(ctx, &tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: "tax", InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "Bogus"}}}); !errors.Is(err, cloudtrail.ErrInvalidInsightSelector) {
		t.Errorf("bad insight: %v", err)
	}
}

func TestTrailsSurviveRestart(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	f.objs.CreateBucket(ctx, "persist")
	f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "keep", S3BucketName: "persist"})
	f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: "keep"})
	if err := f.ct.Close(ctx); err != nil {
		t.Fatal(err)
	}
	ct2, err := cloudtrail.New(f.env, cloudtrail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ct2.Close(ctx)
	st, err := ct2.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: "keep"})
	if err != nil || !st.IsLogging {
		t.Fatalf("after restart: %+v %v", st, err)
	}
	f.call(ctx, "CreateRepository", &repoIn{RepositoryName: "after"})
	f.clk.Advance(5 * time.Minute)
	ct2.Flush(ctx)
	if len(f.objs.keys("persist", "AWSLogs/")) == 0 {
		t.Error("restarted service does not deliver")
	}
}
