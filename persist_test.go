package devopsim_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/store"

	"github.com/devopsim/devopsim"
)

// TestDataDirSurvivesRestart checks that state written with DataDir is there after a restart.
func TestDataDirSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	p, err := devopsim.New(devopsim.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.S3().PutObject(ctx, "bucket", "key", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CodeCommit().CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "kept"}); err != nil {
		t.Fatal(err)
	}
	byName := &cloudtrail.LookupEventsInput{LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "EventName", AttributeValue: "CreateRepository"}}}
	before, err := p.CloudTrail().LookupEvents(ctx, byName)
	if err != nil || len(before.Events) != 1 {
		t.Fatalf("event history: %v, %v", before, err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	p, err = devopsim.New(devopsim.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	got, err := p.S3().GetObject(ctx, "bucket", "key")
	if err != nil || string(got) != "kept" {
		t.Fatalf("after restart: %q, %v", got, err)
	}
	// CloudTrail's event history survives too, with the same event IDs.
	after, err := p.CloudTrail().LookupEvents(ctx, byName)
	if err != nil || !reflect.DeepEqual(after.Events, before.Events) {
		t.Fatalf("event history after restart: %+v, %v; want %+v", after, err, before)
	}
}

// TestReset: POST /_devopsim/reset wipes every service's state, including git data and S3.
func TestReset(t *testing.T) {
	ctx := context.Background()
	p, err := devopsim.New(devopsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	if _, err := p.CodeCommit().CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "r1"}); err != nil {
		t.Fatal(err)
	}
	if err := p.S3().PutObject(ctx, "b", "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/_devopsim/reset", nil))
	if rec.Code != 200 {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	if _, err := p.CodeCommit().GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: "r1"}); !errors.Is(err, apierr.NotFound) {
		t.Fatalf("repository after reset: %v", err)
	}
	if _, err := p.S3().GetObject(ctx, "b", "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("object after reset: %v", err)
	}
	// the platform works after a reset
	if _, err := p.CodeCommit().CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "r1"}); err != nil {
		t.Fatal(err)
	}
}
