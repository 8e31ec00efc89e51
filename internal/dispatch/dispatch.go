// Package dispatch is the one choke point every service operation runs through, whether it is
// called from Go or from the wire: it settles the caller's identity, gives the call a request
// ID, asks the authorization hook, runs the operation, recovers a panic into InternalFailure,
// and hands the finished call to the audit hooks (CloudTrail subscribes there).
package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/identity"
)

// Call is one finished (or, for Authorize, about to run) operation.
type Call struct {
	Service     string // e.g. "codecommit"
	EventSource string // e.g. "codecommit.amazonaws.com"
	Op          string
	Caller      identity.Caller
	Time        time.Time
	Input       any
	Output      any
	Err         error
}

// Hooks are the platform-wide callbacks around every operation. Safe for concurrent use.
type Hooks struct {
	mu        sync.RWMutex
	audits    []func(context.Context, *Call)
	authorize func(context.Context, *Call) error
}

// OnAudit registers fn to be called after every operation. fn must not block for long.
func (h *Hooks) OnAudit(fn func(context.Context, *Call)) {
	h.mu.Lock()
	h.audits = append(h.audits, fn)
	h.mu.Unlock()
}

// SetAuthorizer sets the function that may refuse a call before it runs (IAM).
func (h *Hooks) SetAuthorizer(fn func(context.Context, *Call) error) {
	h.mu.Lock()
	h.authorize = fn
	h.mu.Unlock()
}

// Dispatcher runs one service's operations.
type Dispatcher struct {
	Service     string
	EventSource string
	Defaults    identity.Caller // account and region used when ctx carries no caller
	Clock       clock.Clock
	Hooks       *Hooks
	Log         *slog.Logger
}

// WithCaller returns ctx carrying its caller completed with d's defaults (account, region,
// root principal, a new request ID), as Do runs operations; a service's Go helpers that read
// its state without being an API call (no audit) use it to scope their keys.
func (d *Dispatcher) WithCaller(ctx context.Context) (context.Context, identity.Caller) {
	caller, ok := identity.From(ctx)
	if !ok {
		caller = d.Defaults
	}
	if caller.Account == "" {
		caller.Account = d.Defaults.Account
	}
	if caller.Region == "" {
		caller.Region = d.Defaults.Region
	}
	if caller.PrincipalARN == "" {
		root := identity.Root(caller.Account, caller.Region)
		caller.PrincipalARN, caller.UserID, caller.Type = root.PrincipalARN, root.UserID, root.Type
	}
	if caller.RequestID == "" {
		caller.RequestID = NewRequestID()
	}
	return identity.With(ctx, caller), caller
}

// Do runs fn as operation op of d's service.
func Do[In, Out any](ctx context.Context, d *Dispatcher, op string, in *In, fn func(context.Context, *In) (*Out, error)) (out *Out, err error) {
	ctx, caller := d.WithCaller(ctx)
	if in == nil {
		in = new(In)
	}
	call := &Call{Service: d.Service, EventSource: d.EventSource, Op: op, Caller: caller, Time: d.Clock.Now(), Input: in}

	var hooks []func(context.Context, *Call)
	var authorize func(context.Context, *Call) error
	if d.Hooks != nil {
		d.Hooks.mu.RLock()
		hooks, authorize = d.Hooks.audits, d.Hooks.authorize
		d.Hooks.mu.RUnlock()
	}
	defer func() {
		if r := recover(); r != nil {
			d.logger().Error("panic in operation", "service", d.Service, "op", op, "panic", r, "stack", string(debug.Stack()))
			out, err = nil, apierr.Wrap(fmt.Errorf("panic: %v", r), "An internal error occurred.")
		}
		if err != nil {
			e := apierr.As(err)
			if e.Op == "" {
				c := *e
				c.Op = op
				e = &c
			}
			err = e
		}
		call.Output, call.Err = out, err
		for _, h := range hooks {
			h(ctx, call)
		}
	}()
	if authorize != nil {
		if err := authorize(ctx, call); err != nil {
			return nil, err
		}
	}
	return fn(ctx, in)
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}
