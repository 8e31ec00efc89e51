package eventbus_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/devopsim/devopsim/eventbus"
)

func TestSubscribeAndCancel(t *testing.T) {
	b := eventbus.New()
	var got []string
	cancel := b.Subscribe(func(_ context.Context, e eventbus.Event) { got = append(got, e.DetailType) })
	b.Publish(context.Background(), eventbus.Event{DetailType: "one"})
	cancel()
	b.Publish(context.Background(), eventbus.Event{DetailType: "two"})
	if len(got) != 1 || got[0] != "one" {
		t.Fatalf("got %v", got)
	}
}

func TestConcurrentPublish(t *testing.T) {
	b := eventbus.New()
	var n atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		cancel := b.Subscribe(func(context.Context, eventbus.Event) { n.Add(1) })
		defer cancel()
	}
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Publish(context.Background(), eventbus.Event{})
		}()
	}
	wg.Wait()
	if n.Load() != 400 {
		t.Fatalf("%d deliveries", n.Load())
	}
}

// A subscriber may publish and subscribe from inside its callback.
func TestReentrant(t *testing.T) {
	b := eventbus.New()
	depth := 0
	b.Subscribe(func(ctx context.Context, e eventbus.Event) {
		if depth < 3 {
			depth++
			b.Subscribe(func(context.Context, eventbus.Event) {})
			b.Publish(ctx, eventbus.Event{})
		}
	})
	b.Publish(context.Background(), eventbus.Event{})
	if depth != 3 {
		t.Fatalf("depth %d", depth)
	}
}
