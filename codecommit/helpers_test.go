package codecommit_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

type fixture struct {
	t      testing.TB
	env    *core.Env
	svc    *codecommit.Service
	srv    *httptest.Server
	mu     sync.Mutex
	events []eventbus.Event
}

func newFixture(t testing.TB, opts codecommit.Options) *fixture {
	t.Helper()
	f := &fixture{t: t, env: newEnv(t, clock.Real())}
	cancel := f.env.Events.(*eventbus.Bus).Subscribe(func(_ context.Context, e eventbus.Event) {
		f.mu.Lock()
		f.events = append(f.events, e)
		f.mu.Unlock()
	})
	t.Cleanup(cancel)
	mux := http.NewServeMux()
	var svc *codecommit.Service
	mux.Handle("/v1/repos/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { svc.GitHandler().ServeHTTP(w, r) }))
	f.srv = httptest.NewUnstartedServer(mux)
	t.Cleanup(f.srv.Close)
	opts.Endpoint = "http://" + f.srv.Listener.Addr().String()
	var err error
	svc, err = codecommit.New(f.env, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	f.srv.Start()
	t.Cleanup(func() { svc.Close(context.Background()) })
	return f
}

func (f *fixture) createRepo(name string) *codecommit.RepositoryMetadata {
	f.t.Helper()
	out, err := f.svc.CreateRepository(context.Background(), &codecommit.CreateRepositoryInput{RepositoryName: name})
	if err != nil {
		f.t.Fatal(err)
	}
	return out.RepositoryMetadata
}

// refEvents returns the details of the repository state change events so far.
func (f *fixture) refEvents() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]string
	for _, e := range f.events {
		if e.DetailType != "CodeCommit Repository State Change" {
			continue
		}
		var m map[string]string
		_ = json.Unmarshal(e.Detail, &m)
		out = append(out, m)
	}
	return out
}

// gitEnv is an isolated environment for the git command.
func gitEnv(t testing.TB) []string {
	home := t.TempDir()
	return append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Tester", "GIT_AUTHOR_EMAIL=tester@example.com",
		"GIT_COMMITTER_NAME=Tester", "GIT_COMMITTER_EMAIL=tester@example.com",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
	)
}

type gitCLI struct {
	t   testing.TB
	env []string
}

func needGit(t testing.TB) *gitCLI {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	return &gitCLI{t: t, env: gitEnv(t)}
}

// run runs git in dir and fails the test on error.
func (g *gitCLI) run(dir string, args ...string) string {
	g.t.Helper()
	out, err := g.try(dir, args...)
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (g *gitCLI) try(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main", "-c", "protocol.version=0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = g.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newEnv is a minimal environment (the domain tests do not need the wire layer).
func newEnv(t testing.TB, clk clock.Clock) *core.Env {
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	return &core.Env{
		Clock: clk, Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion,
	}
}
