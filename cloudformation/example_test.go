package cloudformation_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/internal/s3obj"
	"github.com/devopsim/devopsim/store/memstore"
)

// Example registers a provider for a resource type, creates a stack whose second resource
// depends on the first, reads its output and deletes it.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Objects: s3obj.NewMemory(clock.Real()), Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, err := cloudformation.New(env, cloudformation.Options{})
	if err != nil {
		panic(err)
	}
	defer svc.Close(ctx)

	// A resource type whose physical ID is its Name property.
	svc.RegisterProvider("Example::Greeting", cloudformation.TypeSpec{
		Attributes: []string{"Text"},
		Provider: cloudformation.ProviderFuncs{
			CreateFunc: func(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
				name := req.Properties["Name"].(string)
				return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"Text": "hello, " + name}}, nil
			},
		},
	})
	body := `
Resources:
  First:
    Type: Example::Greeting
    Properties: {Name: world}
  Second:
    Type: Example::Greeting
    Properties: {Name: !Sub "${First}-again"}
Outputs:
  Text: {Value: !GetAtt Second.Text}
`
	if _, err := svc.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: "demo", TemplateBody: body}); err != nil {
		panic(err)
	}
	status, _ := svc.WaitStack(ctx, "demo")
	out, _ := svc.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: "demo"})
	fmt.Println(status, out.Stacks[0].Outputs[0].OutputValue)

	id := out.Stacks[0].StackId
	if _, err := svc.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: "demo"}); err != nil {
		panic(err)
	}
	status, _ = svc.WaitStack(ctx, id)
	fmt.Println(status)
	// Output:
	// CREATE_COMPLETE hello, world-again
	// DELETE_COMPLETE
}
