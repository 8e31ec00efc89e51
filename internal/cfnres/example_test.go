package cfnres_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/cfnres"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

// Register the providers of the services the platform has, then deploy a template.
func Example() {
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion}
	lg, _ := logs.New(env, logs.Options{})
	cf, _ := cloudformation.New(env, cloudformation.Options{})
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = cf.Close(ctx)
		_ = lg.Close(ctx)
	}()
	cfnres.Register(cf, cfnres.Services{Logs: lg}) // nil services: their types are absent

	ctx := context.Background()
	_, _ = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: "demo", TemplateBody: `
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /demo/app
      RetentionInDays: 3
Outputs:
  Name:
    Value: !Ref Group
`})
	status, _ := cf.WaitStack(ctx, "demo")
	out, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: "demo"})
	fmt.Println(status, out.Stacks[0].Outputs[0].OutputValue)
	// Output: CREATE_COMPLETE /demo/app
}
