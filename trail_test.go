package devopsim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/codecommit"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/devopsim/devopsim/devopsimtest"
)

// TestEveryCallLandsInCloudTrail: wire calls of several services and two accounts are in
// event history with the right identity; failures carry their error code.
func TestEveryCallLandsInCloudTrail(t *testing.T) {
	_, cfg := devopsimtest.New(t)
	ctx := context.Background()
	cc := codecommit.NewFromConfig(cfg)
	if _, err := cc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: aws.String("audited")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: aws.String("missing")}); err == nil {
		t.Fatal("want an error")
	}
	other := devopsimtest.ForAccount(cfg, "111122223333")
	if _, err := codecommit.NewFromConfig(other).CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: aws.String("theirs")}); err != nil {
		t.Fatal(err)
	}
	lookup := func(cfg aws.Config, name string) []cttypes.Event {
		out, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Events
	}
	created := lookup(cfg, "CreateRepository")
	if len(created) != 1 || aws.ToString(created[0].EventSource) != "codecommit.amazonaws.com" || !strings.Contains(aws.ToString(created[0].CloudTrailEvent), `"repositoryName":"audited"`) {
		t.Fatalf("CreateRepository events in 000000000000: %+v", created)
	}
	if theirs := lookup(other, "CreateRepository"); len(theirs) != 1 || !strings.Contains(aws.ToString(theirs[0].CloudTrailEvent), "111122223333") {
		t.Fatalf("CreateRepository events in 111122223333: %+v", theirs)
	}
	failed := lookup(cfg, "GetRepository")
	if len(failed) != 1 || !strings.Contains(aws.ToString(failed[0].CloudTrailEvent), `"errorCode":"RepositoryDoesNotExistException"`) {
		t.Fatalf("GetRepository events: %+v", failed)
	}
	// S3 object calls through the S3 endpoint are data events.
	s3c := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("trail-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("trail-bucket"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
}
