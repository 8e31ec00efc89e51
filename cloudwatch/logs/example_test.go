package logs_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

func Example() {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	env := &core.Env{Clock: clk, Store: memstore.New(), Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, _ := logs.New(env, logs.Options{})
	defer svc.Close(ctx)

	svc.CreateLogGroup(ctx, &logs.CreateLogGroupInput{LogGroupName: "/app"})
	svc.CreateLogStream(ctx, &logs.CreateLogStreamInput{LogGroupName: "/app", LogStreamName: "web"})
	now := clk.Now()
	var evs []logs.InputLogEvent
	for i, level := range []string{"INFO", "ERROR", "INFO", "ERROR", "ERROR"} {
		evs = append(evs, logs.InputLogEvent{Timestamp: now.Add(time.Duration(i-5) * 30 * time.Second).UnixMilli(), Message: fmt.Sprintf(`{"level":%q,"n":%d}`, level, i)})
	}
	svc.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: "/app", LogStreamName: "web", LogEvents: evs})

	f, _ := svc.FilterLogEvents(ctx, &logs.FilterLogEventsInput{LogGroupName: "/app", FilterPattern: `{ $.level = "ERROR" }`})
	fmt.Println(len(f.Events), "errors")

	q, _ := svc.StartQuery(ctx, &logs.StartQueryInput{LogGroupName: "/app", StartTime: now.Add(-time.Hour).Unix(), EndTime: now.Unix(),
		QueryString: `filter level = "ERROR" | stats count(*) as errors by bin(1m)`})
	svc.WaitQuery(ctx, q.QueryID)
	r, _ := svc.GetQueryResults(ctx, &logs.GetQueryResultsInput{QueryID: q.QueryID})
	for _, row := range r.Results {
		fmt.Println(row[0].Value, row[1].Field, row[1].Value)
	}
	// Output:
	// 3 errors
	// 2026-01-01 11:58:00.000 errors 1
	// 2026-01-01 11:59:00.000 errors 2
}
