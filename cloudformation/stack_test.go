package cloudformation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/internal/awstest"
)

// fake records calls and fails on demand; it implements Read (drift detection).
type fake struct {
	mu           sync.Mutex
	n            int
	live         map[string]map[string]any
	phys         map[string]string // logical ID -> physical ID
	tags         map[string][]cloudformation.Tag
	updatePolicy map[string]map[string]any
	failOn       map[string]bool // logical IDs whose Create fails
	failUpd      map[string]bool
	updLeft      map[string]int // updates that succeed before failUpd applies
}

func newFake() *fake {
	return &fake{live: map[string]map[string]any{}, phys: map[string]string{}, tags: map[string][]cloudformation.Tag{},
		updatePolicy: map[string]map[string]any{}, failOn: map[string]bool{}, failUpd: map[string]bool{}, updLeft: map[string]int{}}
}

func (f *fake) setFail(id string, v bool) {
	f.mu.Lock()
	f.failOn[id] = v
	f.mu.Unlock()
}

func (f *fake) setFailUpd(id string, v bool) {
	f.mu.Lock()
	f.failUpd[id] = v
	f.mu.Unlock()
}

// failUpdateAfter lets n updates of id succeed, then fails the following ones.
func (f *fake) failUpdateAfter(id string, n int) {
	f.mu.Lock()
	f.failUpd[id] = true
	f.updLeft[id] = n
	f.mu.Unlock()
}

func (f *fake) mutate(fn func(live map[string]map[string]any, phys func(string) string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.live, func(id string) string { return f.phys[id] })
}

func copyProps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (f *fake) Create(ctx context.Context, r *cloudformation.Request) (*cloudformation.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOn[r.LogicalID] {
		return nil, errors.New("boom")
	}
	f.n++
	id := fmt.Sprintf("%s-%d", r.LogicalID, f.n)
	f.live[id] = copyProps(r.Properties)
	f.phys[r.LogicalID] = id
	f.tags[r.LogicalID] = r.Tags
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{"Arn": "arn:fake:" + id}}, nil
}

func (f *fake) Update(ctx context.Context, r *cloudformation.Request) (*cloudformation.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failUpd[r.LogicalID] {
		if f.updLeft[r.LogicalID] > 0 {
			f.updLeft[r.LogicalID]--
		} else {
			return nil, errors.New("update boom")
		}
	}
	f.live[r.PhysicalID] = copyProps(r.Properties)
	f.updatePolicy[r.LogicalID] = r.UpdatePolicy
	return &cloudformation.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": "arn:fake:" + r.PhysicalID}}, nil
}

func (f *fake) Delete(ctx context.Context, r *cloudformation.Request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.live, r.PhysicalID)
	return nil
}

func (f *fake) Read(ctx context.Context, r *cloudformation.Request) (map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.live[r.PhysicalID]
	if !ok {
		return nil, apierr.New(apierr.NotFound, "NotFound", "%s is gone", r.PhysicalID)
	}
	return copyProps(p), nil
}

func (f *fake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.live)
}

func newService(t *testing.T) (*cloudformation.Service, *fake) {
	env := awstest.Env(t)
	s, err := cloudformation.New(env, cloudformation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	f := newFake()
	s.RegisterProvider("Test::Thing", cloudformation.TypeSpec{Provider: f, Attributes: []string{"Arn"}, ReplaceOn: []string{"Name"}})
	return s, f
}

const chain = `
Parameters:
  Size: {Type: Number, Default: "1", MinValue: 1}
Resources:
  A: {Type: Test::Thing, Properties: {Size: !Ref Size}}
  B: {Type: Test::Thing, Properties: {Dep: !Ref A}}
  C: {Type: Test::Thing, Properties: {Dep: !GetAtt B.Arn}}
  D: {Type: Test::Thing, Properties: {Dep: !Sub "${C}-x"}}
Outputs:
  Out: {Value: !GetAtt D.Arn, Export: {Name: !Sub "${AWS::StackName}-d"}}
`

func TestCreateRollbackUpdateDelete(t *testing.T) {
	ctx := context.Background()
	s, f := newService(t)
	// The fourth resource fails: the first three are rolled back.
	f.setFail("D", true)
	if _, err := s.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: "bad", TemplateBody: chain}); err != nil {
		t.Fatal(err)
	}
	st, err := s.WaitStack(ctx, "bad")
	if err != nil || st != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s %v", st, err)
	}
	if f.count() != 0 {
		t.Fatalf("%d resources left after rollback", f.count())
	}
	ev, _ := s.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: "bad"})
	if ev.StackEvents[0].ResourceStatus != "ROLLBACK_COMPLETE" {
		t.Fatalf("newest event %+v", ev.StackEvents[0])
	}
	// A good stack.
	f.setFail("D", false)
	if _, err := s.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: "good", TemplateBody: chain}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.WaitStack(ctx, "good"); st != "CREATE_COMPLETE" {
		t.Fatalf("status %s", st)
	}
	d, _ := s.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: "good"})
	if len(d.Stacks[0].Outputs) != 1 || d.Stacks[0].Outputs[0].ExportName != "good-d" {
		t.Fatalf("outputs %+v", d.Stacks[0].Outputs)
	}
	// An update that fails rolls back to the previous properties.
	f.setFailUpd("A", true)
	if _, err := s.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: "good", TemplateBody: chain, Parameters: []cloudformation.Parameter{{ParameterKey: "Size", ParameterValue: "2"}}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.WaitStack(ctx, "good"); st != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("status %s", st)
	}
	f.setFailUpd("A", false)
	if _, err := s.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: "good", TemplateBody: chain, Parameters: []cloudformation.Parameter{{ParameterKey: "Size", ParameterValue: "3"}}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.WaitStack(ctx, "good"); st != "UPDATE_COMPLETE" {
		t.Fatalf("status %s", st)
	}
	if _, err := s.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: "good"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.WaitStack(ctx, d.Stacks[0].StackId); st != "DELETE_COMPLETE" {
		t.Fatalf("status %s", st)
	}
	if f.count() != 0 {
		t.Fatalf("%d resources left", f.count())
	}
}

func TestValidationErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	cases := []struct{ body, want string }{
		{"Resources:\n  A: {Type: Nope::Thing}\n", "Template format error: Unrecognized resource types: [Nope::Thing]"},
		{"Resources:\n  A: {Type: Test::Thing, Properties: {X: !Ref Missing}}\n", "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template"},
		{"Resources:\n  A: {Type: Test::Thing, DependsOn: B}\n  B: {Type: Test::Thing, DependsOn: A}\n", "Circular dependency between resources: [A, B]"},
	}
	for _, c := range cases {
		_, err := s.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: "x", TemplateBody: c.body})
		if err == nil || !errors.Is(err, cloudformation.ErrValidation) || !contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s", c.body, err, c.want)
		}
	}
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(sub) == 0 || indexOf(s, sub) >= 0)
}
func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
