package cloudtrail_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
	"github.com/devopsim/devopsim/store/memstore"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// memObjects is an in-memory core.Objects.
type memObjects struct {
	mu      sync.Mutex
	buckets map[string]map[string][]byte
}

func newMemObjects() *memObjects { return &memObjects{buckets: map[string]map[string][]byte{}} }

func (m *memObjects) CreateBucket(_ context.Context, b string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets[b] == nil {
		m.buckets[b] = map[string][]byte{}
	}
	return nil
}

func (m *memObjects) PutObject(_ context.Context, b, k string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets[b] == nil {
		return apierr.New(apierr.NotFound, "NoSuchBucket", "The specified bucket does not exist")
	}
	m.buckets[b][k] = append([]byte(nil), data...)
	return nil
}

func (m *memObjects) GetObject(_ context.Context, b, k string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.buckets[b][k]
	if !ok {
		return nil, store.ErrNotFound
	}
	return d, nil
}

func (m *memObjects) keys(b, prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ks []string
	for k := range m.buckets[b] {
		if strings.HasPrefix(k, prefix) {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// logSink is a fake LogDelivery.
type logSink struct {
	mu     sync.Mutex
	events map[string][]cloudtrail.LogEvent // group/stream -> events
}

func (l *logSink) PutTrailEvents(_ context.Context, group, role, stream string, evs []cloudtrail.LogEvent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = map[string][]cloudtrail.LogEvent{}
	}
	l.events[group+"|"+stream] = append(l.events[group+"|"+stream], evs...)
	return nil
}

type fixture struct {
	env  *core.Env
	clk  *clock.Manual
	objs *memObjects
	bus  *eventbus.Bus
	ct   *cloudtrail.Service
	logs *logSink
	fake *dispatch.Dispatcher
}

func newFixture(t testing.TB, opts cloudtrail.Options) *fixture {
	t.Helper()
	clk := clock.NewManual(t0)
	st := memstore.New()
	f := &fixture{clk: clk, objs: newMemObjects(), bus: eventbus.New(), logs: &logSink{}}
	f.env = &core.Env{Clock: clk, Store: st, Log: slog.New(slog.DiscardHandler), Events: f.bus,
		Hooks: &dispatch.Hooks{}, Objects: f.objs, Account: core.DefaultAccount, Region: core.DefaultRegion}
	if opts.Logs == nil {
		opts.Logs = f.logs
	}
	if opts.SigningKey == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		opts.SigningKey = k
	}
	ct, err := cloudtrail.New(f.env, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.ct = ct
	f.fake = f.env.Dispatcher("codecommit", "codecommit.amazonaws.com")
	t.Cleanup(func() {
		if err := ct.Close(context.Background()); err != nil {
			t.Error(err)
		}
		st.Close()
	})
	return f
}

// The tiny fake service driven through dispatch.Do.
type repoIn struct {
	RepositoryName string            `json:"repositoryName"`
	Description    string            `json:"repositoryDescription,omitempty"`
	Password       string            `json:"password,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	NextToken      string            `json:"nextToken,omitempty"`
	Content        []byte            `json:"content,omitempty"`
}

type repoOut struct {
	RepositoryID string `json:"repositoryId"`
	Arn          string `json:"Arn"`
}

var errNoRepo = apierr.New(apierr.NotFound, "RepositoryDoesNotExistException", "repository does not exist")

func (f *fixture) call(ctx context.Context, op string, in *repoIn) error {
	_, err := dispatch.Do(ctx, f.fake, op, in, func(ctx context.Context, in *repoIn) (*repoOut, error) {
		if in.RepositoryName == "missing" {
			return nil, errNoRepo.With("%s does not exist", in.RepositoryName)
		}
		return &repoOut{RepositoryID: "id-" + in.RepositoryName, Arn: core.ARN(ctx, "codecommit", in.RepositoryName)}, nil
	})
	return err
}

func lookup(t testing.TB, f *fixture, ctx context.Context, in *cloudtrail.LookupEventsInput) *cloudtrail.LookupEventsOutput {
	t.Helper()
	if in == nil {
		in = &cloudtrail.LookupEventsInput{}
	}
	out, err := f.ct.LookupEvents(ctx, in)
	if err != nil {
		t.Fatalf("LookupEvents: %v", err)
	}
	return out
}

func byAttr(k, v string) *cloudtrail.LookupEventsInput {
	return &cloudtrail.LookupEventsInput{LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: k, AttributeValue: v}}}
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad record %s: %v", s, err)
	}
	return m
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func user(account, name string) context.Context {
	return identity.With(context.Background(), identity.Caller{
		Account: account, Region: "us-east-1", Type: "IAMUser", UserID: "AIDA" + strings.ToUpper(name),
		PrincipalARN: "arn:aws:iam::" + account + ":user/" + name, AccessKeyID: "AKIA" + strings.ToUpper(name),
		SourceIP: "203.0.113.7", UserAgent: "test-agent/1.0",
	})
}

func isCode(err error, code string) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Code == code
}

func ptr[T any](v T) *T { return &v }

func dispatchDo[In any](ctx context.Context, d *dispatch.Dispatcher, op string, in *In) {
	dispatch.Do(ctx, d, op, in, func(context.Context, *In) (*struct{}, error) { return &struct{}{}, nil })
}
