package wiretest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	stsclient "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/internal/awsapi/cloudtrailapi"
	"github.com/devopsim/devopsim/internal/awsapi/stsapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/sts"
)

func TestSDKRoundTrip(t *testing.T) {
	env := awstest.EnvWith(t, clock.NewManual(t0))
	ct, err := cloudtrail.New(env, cloudtrail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ct.Close(context.Background()) })
	h := awstest.Handler(t, cloudtrailapi.Service(ct), stsapi.Service(sts.New(env)))
	cfg := awstest.ConfigFor(h)
	cli := sdk.NewFromConfig(cfg)
	other := cfg.Copy()
	other.Credentials = credentials.NewStaticCredentialsProvider("AKIAOTHERPRINCIPAL", "x", "")
	ctx := context.Background()
	if err := env.Objects.CreateBucket(ctx, "sdk-bucket"); err != nil {
		t.Fatal(err)
	}

	// several services, two principals
	if _, err := stsclient.NewFromConfig(cfg).GetCallerIdentity(ctx, &stsclient.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	cr, err := sdk.NewFromConfig(other).CreateTrail(ctx, &sdk.CreateTrailInput{Name: aws.String("sdk"), S3BucketName: aws.String("sdk-bucket"),
		TagsList: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(cr.TrailARN)
	_, err = cli.GetTrail(ctx, &sdk.GetTrailInput{Name: aws.String("nope")})
	var nf *types.TrailNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("GetTrail(nope): %v", err)
	}
	steps := []struct {
		name string
		call func() error
	}{
		{"UpdateTrail", func() error {
			o, err := cli.UpdateTrail(ctx, &sdk.UpdateTrailInput{Name: aws.String("sdk"), EnableLogFileValidation: aws.Bool(true)})
			if err == nil && !aws.ToBool(o.LogFileValidationEnabled) {
				t.Error("validation not enabled")
			}
			return err
		}},
		{"DescribeTrails", func() error {
			o, err := cli.DescribeTrails(ctx, &sdk.DescribeTrailsInput{TrailNameList: []string{"sdk"}})
			if err == nil && (len(o.TrailList) != 1 || aws.ToString(o.TrailList[0].TrailARN) != arn) {
				t.Errorf("DescribeTrails = %+v", o.TrailList)
			}
			return err
		}},
		{"ListTrails", func() error {
			o, err := cli.ListTrails(ctx, &sdk.ListTrailsInput{})
			if err == nil && len(o.Trails) != 1 {
				t.Errorf("ListTrails = %+v", o.Trails)
			}
			return err
		}},
		{"StartLogging", func() error {
			_, err := cli.StartLogging(ctx, &sdk.StartLoggingInput{Name: aws.String(arn)})
			return err
		}},
		{"GetTrailStatus", func() error {
			o, err := cli.GetTrailStatus(ctx, &sdk.GetTrailStatusInput{Name: aws.String("sdk")})
			if err == nil && (!aws.ToBool(o.IsLogging) || !aws.ToTime(o.StartLoggingTime).Equal(t0)) {
				t.Errorf("status = %+v", o)
			}
			return err
		}},
		{"PutEventSelectors", func() error {
			_, err := cli.PutEventSelectors(ctx, &sdk.PutEventSelectorsInput{TrailName: aws.String("sdk"), AdvancedEventSelectors: []types.AdvancedEventSelector{{
				Name: aws.String("mgmt"), FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}})
			return err
		}},
		{"GetEventSelectors", func() error {
			o, err := cli.GetEventSelectors(ctx, &sdk.GetEventSelectorsInput{TrailName: aws.String("sdk")})
			if err == nil && (len(o.AdvancedEventSelectors) != 1 || aws.ToString(o.AdvancedEventSelectors[0].Name) != "mgmt") {
				t.Errorf("selectors = %+v", o)
			}
			return err
		}},
		{"PutInsightSelectors", func() error {
			_, err := cli.PutInsightSelectors(ctx, &sdk.PutInsightSelectorsInput{TrailName: aws.String("sdk"), InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}}})
			return err
		}},
		{"GetInsightSelectors", func() error {
			o, err := cli.GetInsightSelectors(ctx, &sdk.GetInsightSelectorsInput{TrailName: aws.String("sdk")})
			if err == nil && len(o.InsightSelectors) != 1 {
				t.Errorf("insights = %+v", o)
			}
			return err
		}},
		{"AddTags", func() error {
			_, err := cli.AddTags(ctx, &sdk.AddTagsInput{ResourceId: aws.String(arn), TagsList: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}}})
			return err
		}},
		{"RemoveTags", func() error {
			_, err := cli.RemoveTags(ctx, &sdk.RemoveTagsInput{ResourceId: aws.String(arn), TagsList: []types.Tag{{Key: aws.String("a")}}})
			return err
		}},
		{"ListTags", func() error {
			o, err := cli.ListTags(ctx, &sdk.ListTagsInput{ResourceIdList: []string{arn}})
			if err == nil && (len(o.ResourceTagList) != 1 || len(o.ResourceTagList[0].TagsList) != 1 || aws.ToString(o.ResourceTagList[0].TagsList[0].Key) != "b") {
				t.Errorf("tags = %+v", o.ResourceTagList)
			}
			return err
		}},
		{"ListPublicKeys", func() error {
			o, err := cli.ListPublicKeys(ctx, &sdk.ListPublicKeysInput{})
			if err == nil && (len(o.PublicKeyList) != 1 || len(o.PublicKeyList[0].Value) == 0) {
				t.Errorf("keys = %+v", o)
			}
			return err
		}},
		{"StopLogging", func() error {
			_, err := cli.StopLogging(ctx, &sdk.StopLoggingInput{Name: aws.String("sdk")})
			return err
		}},
		{"DeleteTrail", func() error { _, err := cli.DeleteTrail(ctx, &sdk.DeleteTrailInput{Name: aws.String(arn)}); return err }},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}

	// everything above is in event history, with identity, source and parameters
	out, err := cli.LookupEvents(ctx, &sdk.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateTrail")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || aws.ToString(out.Events[0].AccessKeyId) != "AKIAOTHERPRINCIPAL" || aws.ToString(out.Events[0].Username) != "root" {
		t.Fatalf("CreateTrail events = %+v", out.Events)
	}
	var rec map[string]any
	json.Unmarshal([]byte(aws.ToString(out.Events[0].CloudTrailEvent)), &rec)
	if rec["requestParameters"].(map[string]any)["Name"] != "sdk" || rec["userAgent"] == "devopsim" || rec["sourceIPAddress"] == "" {
		t.Errorf("record = %v", rec)
	}
	if len(out.Events[0].Resources) == 0 || aws.ToString(out.Events[0].Resources[0].ResourceType) != "AWS::CloudTrail::Trail" {
		t.Errorf("resources = %+v", out.Events[0].Resources)
	}
	failed, _ := cli.LookupEvents(ctx, &sdk.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("GetTrail")}}})
	if len(failed.Events) != 1 {
		t.Fatalf("GetTrail events = %d", len(failed.Events))
	}
	json.Unmarshal([]byte(aws.ToString(failed.Events[0].CloudTrailEvent)), &rec)
	if rec["errorCode"] != "TrailNotFoundException" {
		t.Errorf("failure record = %v", rec)
	}
	sts, _ := cli.LookupEvents(ctx, &sdk.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventSource, AttributeValue: aws.String("sts.amazonaws.com")}}})
	if len(sts.Events) != 1 || aws.ToString(sts.Events[0].AccessKeyId) != "test" || aws.ToString(sts.Events[0].ReadOnly) != "true" {
		t.Errorf("sts events = %+v", sts.Events)
	}
	// paginator over everything, with the SDK's own NextToken handling
	p := sdk.NewLookupEventsPaginator(cli, &sdk.LookupEventsInput{MaxResults: aws.Int32(3), StartTime: aws.Time(t0.Add(-time.Hour))})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Events)
	}
	if n < len(steps)+3 {
		t.Errorf("paginated %d events", n)
	}
	_, err = cli.LookupEvents(ctx, &sdk.LookupEventsInput{MaxResults: aws.Int32(51)})
	var bad *types.InvalidMaxResultsException
	if !errors.As(err, &bad) {
		t.Errorf("MaxResults 51: %v", err)
	}
}

func TestWireAltTargetPrefix(t *testing.T) {
	env := awstest.EnvWith(t, clock.NewManual(t0))
	ct, err := cloudtrail.New(env, cloudtrail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ct.Close(context.Background()) })
	h := awstest.Handler(t, cloudtrailapi.Service(ct))
	for _, target := range []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails", "CloudTrail_20131101.DescribeTrails"} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(`{"includeShadowTrails":true}`))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"trailList":[]`) {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body.String())
		}
	}
}
