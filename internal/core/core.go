// Package core is what every service is built from: the platform's clock, store, logger, event
// publisher, operation hooks, object store and defaults, bundled as an Env.
package core

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Default account and region.
const (
	DefaultAccount = "000000000000"
	DefaultRegion  = "us-east-1"
)

// Objects is the S3 object store services use for artifacts, bundles and deliveries. It is
// backed by the same storage the S3 endpoint serves.
type Objects interface {
	CreateBucket(ctx context.Context, bucket string) error
	PutObject(ctx context.Context, bucket, key string, data []byte) error
	// GetObject returns the object, or an error matching store.ErrNotFound.
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
}

// Env is the environment a service is built in. Fields are never nil once the root has built it.
type Env struct {
	Clock   clock.Clock
	Store   store.Store
	Log     *slog.Logger
	Events  eventbus.Publisher
	Hooks   *dispatch.Hooks
	Objects Objects
	Account string // default account
	Region  string // default region
}

// Dispatcher returns the operation dispatcher for one service.
func (e *Env) Dispatcher(service, eventSource string) *dispatch.Dispatcher {
	return &dispatch.Dispatcher{
		Service:     service,
		EventSource: eventSource,
		Defaults:    identity.Root(e.Account, e.Region),
		Clock:       e.Clock,
		Hooks:       e.Hooks,
		Log:         e.Log,
	}
}

// Scope returns the account and region of the caller in ctx (set by the dispatcher).
func Scope(ctx context.Context) (account, region string) {
	c, _ := identity.From(ctx)
	return c.Account, c.Region
}

// ScopeKey is "account/region/", the usual start of a scoped store key.
func ScopeKey(ctx context.Context) string {
	a, r := Scope(ctx)
	return a + "/" + r + "/"
}

// ARN builds an ARN in the caller's account and region: arn:aws:service:region:account:resource.
func ARN(ctx context.Context, service, resource string) string {
	a, r := Scope(ctx)
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, r, a, resource)
}
