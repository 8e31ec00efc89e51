package cloudtrail_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudtrail"
)

// TestConcurrent drives recording, lookups, trail changes and deliveries from many goroutines.
func TestConcurrent(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{MaxEvents: 5000})
	ctx := context.Background()
	f.objs.CreateBucket(ctx, "cbucket")
	f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "conc", S3BucketName: "cbucket", EnableLogFileValidation: ptr(true)})
	f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: "conc"})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := user("000000000000", fmt.Sprintf("user%d", g))
			for i := 0; i < 500; i++ {
				f.call(u, "CreateRepository", &repoIn{RepositoryName: fmt.Sprintf("r%d", i%7)})
				if i%50 == 0 {
					out, err := f.ct.LookupEvents(u, &cloudtrail.LookupEventsInput{LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "Username", AttributeValue: fmt.Sprintf("user%d", g)}}})
					if err != nil || len(out.Events) == 0 {
						t.Errorf("lookup: %v %d", err, len(out.Events))
					}
				}
				if i%100 == 0 {
					f.ct.RecordS3Object(u, "PutObject", "cbucket", "x", nil)
				}
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			f.clk.Advance(3 * time.Minute)
			f.ct.Flush(ctx)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: "conc", EventSelectors: []cloudtrail.EventSelector{{ReadWriteType: "All"}}})
			f.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: "conc"})
		}
	}()
	wg.Wait()
	if err := f.ct.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.objs.keys("cbucket", "AWSLogs/")) == 0 {
		t.Error("nothing delivered")
	}
}
