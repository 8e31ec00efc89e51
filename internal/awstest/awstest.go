// Package awstest lets a service's tests talk to it through the real aws-sdk-go-v2 clients, in
// memory, without building the whole platform.
package awstest

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/internal/s3obj"
	"github.com/devopsim/devopsim/store/memstore"
)

// Env returns a fresh environment on the real clock.
func Env(t testing.TB) *core.Env { return EnvWith(t, clock.Real()) }

// EnvWith returns a fresh environment on clk: memstore, an event bus, hooks, in-memory S3.
func EnvWith(t testing.TB, clk clock.Clock) *core.Env {
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	return &core.Env{
		Clock:   clk,
		Store:   st,
		Log:     slog.New(slog.DiscardHandler),
		Events:  eventbus.New(),
		Hooks:   &dispatch.Hooks{},
		Objects: s3obj.NewMemory(clk),
		Account: core.DefaultAccount,
		Region:  core.DefaultRegion,
	}
}

// Bus returns env's event bus (EnvWith always makes an *eventbus.Bus).
func Bus(env *core.Env) *eventbus.Bus { return env.Events.(*eventbus.Bus) }

// Handler returns a router serving svcs.
func Handler(t testing.TB, svcs ...awsproto.Service) *awsproto.Router {
	rt := awsproto.NewRouter(awsproto.RouterOptions{Account: core.DefaultAccount, Region: core.DefaultRegion})
	for _, s := range svcs {
		rt.Register(s)
	}
	return rt
}

// Config returns an aws.Config whose clients call a router serving svcs, in memory.
func Config(t testing.TB, svcs ...awsproto.Service) aws.Config {
	return ConfigFor(Handler(t, svcs...))
}

// ConfigFor returns an aws.Config whose clients call h in memory, with static credentials
// (access key "test") in us-east-1 and retries off.
func ConfigFor(h http.Handler) aws.Config {
	return aws.Config{
		Region:       core.DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   InMemoryClient(h),
		BaseEndpoint: aws.String("http://devopsim.local"),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// InMemoryClient is an HTTP client that serves every request with h, no socket.
func InMemoryClient(h http.Handler) *http.Client {
	return &http.Client{Transport: handlerTransport{h}}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	r = r.Clone(r.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if r.RemoteAddr == "" {
		r.RemoteAddr = "127.0.0.1:0"
	}
	// A server sees Content-Length as a header too.
	if r.ContentLength > 0 && r.Header.Get("Content-Length") == "" {
		r.Header.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	t.h.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}
