package insights_test

import (
	"context"
	"fmt"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/logs/insights"
)

func Example() {
	q, err := insights.Parse(`filter level = "ERROR" | stats count(*) as errors by bin(1m)`)
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	msgs := []string{`{"level":"ERROR"}`, `{"level":"INFO"}`, `{"level":"ERROR"}`, `{"level":"ERROR"}`}
	events := func(yield func(*insights.Event) bool) {
		for i, m := range msgs {
			ts := t0.Add(time.Duration(i) * 20 * time.Second).UnixMilli()
			if !yield(&insights.Event{Timestamp: ts, Message: m}) {
				return
			}
		}
	}
	res, err := q.Run(context.Background(), events, insights.Options{})
	if err != nil {
		panic(err)
	}
	for _, row := range res.Rows {
		fmt.Println(row)
	}
	// Output:
	// [{bin(1m) 2026-01-01 10:00:00.000} {errors 2}]
	// [{bin(1m) 2026-01-01 10:01:00.000} {errors 1}]
}
