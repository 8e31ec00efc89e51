package cloudformation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/cloudformation"
)

// TestConcurrentStacks drives the service from many goroutines: each creates, describes,
// updates and deletes its own stack while the others do the same (run with -race).
func TestConcurrentStacks(t *testing.T) {
	ctx := context.Background()
	s, f := newService(t)
	const workers = 12
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("conc-%d", w)
			fail := func(format string, args ...any) { errs <- fmt.Errorf(name+": "+format, args...) }
			if _, err := s.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: name, TemplateBody: chain}); err != nil {
				fail("create: %v", err)
				return
			}
			// Read while the operation runs.
			if _, err := s.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: name}); err != nil {
				fail("events: %v", err)
			}
			if _, err := s.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: name}); err != nil {
				fail("resources: %v", err)
			}
			if st, err := s.WaitStack(ctx, name); err != nil || st != "CREATE_COMPLETE" {
				fail("create status %s %v", st, err)
				return
			}
			if _, err := s.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: name, TemplateBody: chain,
				Parameters: []cloudformation.Parameter{{ParameterKey: "Size", ParameterValue: fmt.Sprint(w + 2)}}}); err != nil {
				fail("update: %v", err)
				return
			}
			if _, err := s.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{}); err != nil {
				fail("describe all: %v", err)
			}
			if st, err := s.WaitStack(ctx, name); err != nil || st != "UPDATE_COMPLETE" {
				fail("update status %s %v", st, err)
				return
			}
			d, err := s.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: name})
			if err != nil {
				fail("describe: %v", err)
				return
			}
			if _, err := s.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: name}); err != nil {
				fail("delete: %v", err)
				return
			}
			if st, err := s.WaitStack(ctx, d.Stacks[0].StackId); err != nil || st != "DELETE_COMPLETE" {
				fail("delete status %s %v", st, err)
			}
			ev, err := s.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: d.Stacks[0].StackId})
			if err != nil || len(ev.StackEvents) == 0 || ev.StackEvents[0].ResourceStatus != "DELETE_COMPLETE" {
				fail("final events %v", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.count(); n != 0 {
		t.Fatalf("%d resources left", n)
	}
	ex, _ := s.ListExports(ctx, &cloudformation.ListExportsInput{})
	if len(ex.Exports) != 0 {
		t.Fatalf("exports left: %+v", ex.Exports)
	}
}
