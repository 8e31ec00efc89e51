package events_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

// An Auto Scaling launch event, published on the platform bus, reaches a rule's target.
func Example() {
	ctx := context.Background()
	bus := eventbus.New()
	env := &core.Env{Clock: clock.Real(), Store: memstore.New(), Log: slog.New(slog.DiscardHandler), Events: bus,
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, _ := events.New(env, events.Options{SyncDelivery: true})
	defer svc.Close(ctx)
	bus.Subscribe(svc.Deliver) // what the platform root does

	svc.PutRule(ctx, &events.PutRuleInput{Name: "launches",
		EventPattern: `{"source":["aws.autoscaling"],"detail-type":["EC2 Instance Launch Successful"]}`})
	svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "launches", Targets: []events.Target{{
		Id: "notify", Arn: "go:notify",
		InputTransformer: &events.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.EC2InstanceId", "group": "$.detail.AutoScalingGroupName"},
			InputTemplate: `"<id> joined <group>"`,
		},
	}}})
	svc.RegisterHandler("go:notify", func(ctx context.Context, d *events.Delivery) error {
		fmt.Println(string(d.Input))
		return nil
	})
	bus.Publish(ctx, eventbus.Event{Source: "aws.autoscaling", DetailType: "EC2 Instance Launch Successful",
		Detail: []byte(`{"EC2InstanceId":"i-0abc","AutoScalingGroupName":"web"}`)})
	// Output: "i-0abc joined web"
}
