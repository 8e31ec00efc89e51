package dispatch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
)

type in struct{ N int }
type out struct{ Caller identity.Caller }

func newDispatcher(h *dispatch.Hooks) *dispatch.Dispatcher {
	return &dispatch.Dispatcher{Service: "svc", EventSource: "svc.amazonaws.com", Defaults: identity.Root("000000000000", "us-east-1"),
		Clock: clock.NewManual(time.Unix(1700000000, 0)), Hooks: h}
}

func echo(ctx context.Context, _ *in) (*out, error) {
	c, _ := identity.From(ctx)
	return &out{Caller: c}, nil
}

func TestDefaultsAndRequestID(t *testing.T) {
	d := newDispatcher(&dispatch.Hooks{})
	o, err := dispatch.Do(context.Background(), d, "Op", nil, echo)
	if err != nil {
		t.Fatal(err)
	}
	c := o.Caller
	if c.Account != "000000000000" || c.Region != "us-east-1" || c.PrincipalARN != "arn:aws:iam::000000000000:root" || c.RequestID == "" {
		t.Fatalf("caller %+v", c)
	}
	ctx := identity.With(context.Background(), identity.Caller{Account: "111122223333", RequestID: "rid"})
	o, _ = dispatch.Do(ctx, d, "Op", &in{}, echo)
	if o.Caller.Account != "111122223333" || o.Caller.Region != "us-east-1" || o.Caller.RequestID != "rid" || o.Caller.PrincipalARN != "arn:aws:iam::111122223333:root" {
		t.Fatalf("caller %+v", o.Caller)
	}
}

func TestAuditAuthorizeAndErrors(t *testing.T) {
	h := &dispatch.Hooks{}
	var mu sync.Mutex
	var calls []*dispatch.Call
	h.OnAudit(func(ctx context.Context, c *dispatch.Call) {
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
	})
	d := newDispatcher(h)
	notFound := apierr.New(apierr.NotFound, "ThingNotFoundException", "no thing")
	_, err := dispatch.Do(context.Background(), d, "Get", &in{N: 1}, func(context.Context, *in) (*out, error) { return nil, notFound })
	if !errors.Is(err, notFound) || !errors.Is(err, apierr.NotFound) {
		t.Fatalf("err %v", err)
	}
	if e := apierr.As(err); e.Op != "Get" {
		t.Errorf("op %q", e.Op)
	}
	_, err = dispatch.Do(context.Background(), d, "Boom", &in{}, func(context.Context, *in) (*out, error) { panic("kaboom") })
	if e := apierr.As(err); e == nil || e.Code != "InternalFailure" {
		t.Fatalf("panic gave %v", err)
	}
	h.SetAuthorizer(func(ctx context.Context, c *dispatch.Call) error {
		if c.Op == "Secret" {
			return apierr.ErrAccessDenied
		}
		return nil
	})
	ran := false
	_, err = dispatch.Do(context.Background(), d, "Secret", &in{}, func(context.Context, *in) (*out, error) { ran = true; return &out{}, nil })
	if !errors.Is(err, apierr.Denied) || ran {
		t.Fatalf("authorizer: err %v ran %v", err, ran)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 3 {
		t.Fatalf("%d audited calls", len(calls))
	}
	if c := calls[0]; c.Op != "Get" || c.Service != "svc" || c.Input.(*in).N != 1 || c.Err == nil || c.Time.Unix() != 1700000000 {
		t.Errorf("first call %+v", c)
	}
}

func TestConcurrentCalls(t *testing.T) {
	h := &dispatch.Hooks{}
	var mu sync.Mutex
	n := 0
	h.OnAudit(func(context.Context, *dispatch.Call) { mu.Lock(); n++; mu.Unlock() })
	d := newDispatcher(h)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := dispatch.Do(context.Background(), d, "Op", &in{}, echo); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n != 50 {
		t.Fatalf("%d audited", n)
	}
}

func BenchmarkDo(b *testing.B) {
	d := newDispatcher(&dispatch.Hooks{})
	ctx := context.Background()
	input := &in{}
	for b.Loop() {
		if _, err := dispatch.Do(ctx, d, "Op", input, echo); err != nil {
			b.Fatal(err)
		}
	}
}
