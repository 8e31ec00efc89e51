package logs_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/boltstore"
)

func TestDurableRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	clk := clock.NewManual(t0)
	open := func() (*logs.Service, func()) {
		st, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		env := &core.Env{Clock: clk, Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(), Hooks: &dispatch.Hooks{},
			Account: core.DefaultAccount, Region: core.DefaultRegion}
		s, err := logs.New(env, logs.Options{DurableEvents: true})
		if err != nil {
			t.Fatal(err)
		}
		return s, func() { s.Close(context.Background()); st.Close() }
	}
	ctx := context.Background()
	s, closeFn := open()
	mustGroup(t, s, "g", "a", "b")
	put(t, s, "g", "a", ev(t0.Add(-3*24*time.Hour), "old"))
	put(t, s, "g", "a", ev(t0.Add(-time.Minute), "one"), ev(t0, "two"))
	put(t, s, "g", "b", ev(t0, "gone with b"))
	if _, err := s.DeleteLogStream(ctx, &logs.DeleteLogStreamInput{LogGroupName: "g", LogStreamName: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMetricFilter(ctx, &logs.PutMetricFilterInput{LogGroupName: "g", FilterName: "f", FilterPattern: "x",
		MetricTransformations: []logs.MetricTransformation{{MetricName: "M", MetricNamespace: "N", MetricValue: "1"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: "g", RetentionInDays: 1}); err != nil {
		t.Fatal(err)
	}
	s.Sweep()
	closeFn()

	s, closeFn = open()
	defer closeFn()
	if got := strings.Join(messages(t, s, "g", "a"), ","); got != "one,two" {
		t.Errorf("after restart = %q", got)
	}
	streams, _ := s.DescribeLogStreams(ctx, &logs.DescribeLogStreamsInput{LogGroupName: "g"})
	if len(streams.LogStreams) != 1 {
		t.Errorf("streams = %+v", streams.LogStreams)
	}
	mf, _ := s.DescribeMetricFilters(ctx, &logs.DescribeMetricFiltersInput{LogGroupName: "g"})
	if len(mf.MetricFilters) != 1 {
		t.Errorf("metric filters = %+v", mf.MetricFilters)
	}
}
