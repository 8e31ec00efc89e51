package cloudtrail_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

func Example() {
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.NewManual(t0), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Objects: newMemObjects(), Account: core.DefaultAccount, Region: core.DefaultRegion}
	ct, err := cloudtrail.New(env, cloudtrail.Options{})
	if err != nil {
		panic(err)
	}
	defer ct.Close(context.Background())

	// Any operation of any service is recorded: here a tiny one.
	type in struct {
		RepositoryName string `json:"repositoryName"`
	}
	d := env.Dispatcher("codecommit", "codecommit.amazonaws.com")
	ctx := context.Background()
	dispatch.Do(ctx, d, "CreateRepository", &in{RepositoryName: "web"}, func(context.Context, *in) (*struct{}, error) {
		return &struct{}{}, nil
	})

	out, _ := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cloudtrail.LookupAttribute{
		{AttributeKey: "EventName", AttributeValue: "CreateRepository"}}})
	for _, e := range out.Events {
		fmt.Println(e.EventName, e.EventSource, e.Username, e.Resources[0].ResourceType, e.Resources[0].ResourceName)
	}
	// Output: CreateRepository codecommit.amazonaws.com root AWS::CodeCommit::Repository web
}
