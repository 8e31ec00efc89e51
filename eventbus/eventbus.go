// Package eventbus is how services announce what happened: AWS-shaped events
// ("CodeCommit Repository State Change", "EC2 Instance State-change Notification", ...) that
// EventBridge routes to rules and Go code can subscribe to.
//
// Publish never blocks on subscribers for long and never calls them under a lock held by the
// publisher. A Bus is safe for concurrent use.
package eventbus

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// Event is an EventBridge event.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// Publisher publishes events.
type Publisher interface {
	Publish(ctx context.Context, e Event)
}

// Bus is a simple synchronous fan-out to subscribers.
type Bus struct {
	mu   sync.RWMutex
	subs map[int]func(context.Context, Event)
	next int
}

// New returns an empty bus.
func New() *Bus { return &Bus{subs: map[int]func(context.Context, Event){}} }

// Subscribe calls fn for every event published from now on; the returned function
// unsubscribes. fn runs on the publisher's goroutine and must not block for long.
func (b *Bus) Subscribe(fn func(context.Context, Event)) (cancel func()) {
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = fn
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

// Publish delivers e to every subscriber.
func (b *Bus) Publish(ctx context.Context, e Event) {
	b.mu.RLock()
	fns := make([]func(context.Context, Event), 0, len(b.subs))
	for _, fn := range b.subs {
		fns = append(fns, fn)
	}
	b.mu.RUnlock()
	for _, fn := range fns {
		fn(ctx, e)
	}
}
