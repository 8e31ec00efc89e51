package shell_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/runner/shell"
)

var hostEnv = []string{"PATH=" + os.Getenv("PATH")}

type out struct {
	res            runner.Result
	stdout, stderr string
}

func run(t *testing.T, r runner.Runner, cmd runner.Command) out {
	t.Helper()
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	res, err := r.Run(t.Context(), &cmd)
	if err != nil {
		t.Fatalf("Run(%q): %v", cmd.Script, err)
	}
	return out{res, so.String(), se.String()}
}

func TestExitCodesAndOutput(t *testing.T) {
	sh := shell.New(shell.Options{})
	tests := []struct {
		name, script   string
		code           int
		stdout, stderr string
	}{
		{"true", "true", 0, "", ""},
		{"false", "false", 1, "", ""},
		{"exit", "echo before; exit 3; echo after", 3, "before\n", ""},
		{"last status wins", "false; true", 0, "", ""},
		{"real program", "sh -c 'echo from sh; echo oops >&2; exit 7'", 7, "from sh\n", "oops\n"},
		{"real program via path", "/bin/echo hi", 0, "hi\n", ""},
		{"not found", "no-such-command-xyz", 127, "", "no-such-command-xyz: command not found\n"},
		{"set -e stops", "set -e; echo a; false; echo b", 1, "a\n", ""},
		{"set -e and ||", "set -e; false || echo handled; echo end", 0, "handled\nend\n", ""},
		{"set -e in if", "set -e; if false; then :; fi; echo end", 0, "end\n", ""},
		{"no set -e goes on", "false; echo b", 0, "b\n", ""},
		{"pipefail", "set -o pipefail; false | true", 1, "", ""},
		{"pipeline", "printf 'b\\na\\n' | sort", 0, "a\nb\n", ""},
		{"signal", "sh -c 'kill -TERM $$'", 128 + 15, "", ""},
		{"subshell exit", "(exit 4); echo $?", 0, "4\n", ""},
		{"functions", "f() { echo \"f:$1\"; return 5; }; f x", 5, "f:x\n", ""},
		{"heredoc", "cat <<EOF\nline $((1+2))\nEOF", 0, "line 3\n", ""},
		{"bash arrays", "a=(x y z); echo ${#a[@]} ${a[1]}", 0, "3 y\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := run(t, sh, runner.Command{Script: tt.script, Env: hostEnv, Dir: t.TempDir()})
			if o.res.ExitCode != tt.code || o.stdout != tt.stdout || o.stderr != tt.stderr {
				t.Fatalf("got exit %d stdout %q stderr %q; want %d %q %q",
					o.res.ExitCode, o.stdout, o.stderr, tt.code, tt.stdout, tt.stderr)
			}
			if o.res.TimedOut {
				t.Fatal("TimedOut set")
			}
		})
	}
}

func TestDirAndEnv(t *testing.T) {
	sh := shell.New(shell.Options{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := run(t, sh, runner.Command{
		Script: `pwd; /bin/pwd; cat in.txt; echo "$FOO"; sh -c 'echo "child:$FOO:$LOCAL"'; LOCAL=x; echo > out.txt`,
		Dir:    dir,
		Env:    append(hostEnv, "FOO=bar baz"),
	})
	real, _ := filepath.EvalSymlinks(dir)
	want := fmt.Sprintf("%s\n%s\ndata\nbar baz\nchild:bar baz:\n", dir, real)
	if o.stdout != want && o.stdout != strings.Replace(want, dir+"\n", real+"\n", 1) {
		t.Fatalf("stdout %q, want %q", o.stdout, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.txt")); err != nil {
		t.Fatal("the script did not write in its directory:", err)
	}
	// A nil environment is empty, except for a default PATH so programs are found.
	o = run(t, sh, runner.Command{Script: `echo "[$FOO]"; sleep 0; env`})
	if o.stdout != "[]\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n" || o.res.ExitCode != 0 {
		t.Fatalf("empty env: %+v", o)
	}
}

func TestCouldNotRun(t *testing.T) {
	sh := shell.New(shell.Options{})
	ctx := t.Context()
	_, err := sh.Run(ctx, &runner.Command{Script: "true", Dir: filepath.Join(t.TempDir(), "missing")})
	if err == nil {
		t.Fatal("Run in a missing directory succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := sh.Run(cancelled, &runner.Command{Script: "true"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run with a cancelled context = %v", err)
	}
	if _, err := sh.Run(ctx, &runner.Command{Script: "echo ok", Env: []string{"BAD NAME=x"}}); err != nil {
		t.Fatalf("initial env with an odd name: %v", err) // the interpreter keeps it, like exec does
	}
}

func TestSyntaxError(t *testing.T) {
	sh := shell.New(shell.Options{})
	tests := []struct{ script, where string }{
		{`echo "unterminated`, "1:6"},
		{"echo ok\nif true; then\necho x\n", "2:1"},
		{"echo ok\nfoo ) bar", "2:5"},
		{"for in do", "1:"},
	}
	for _, tt := range tests {
		_, err := sh.Run(t.Context(), &runner.Command{Script: tt.script})
		if err == nil {
			t.Fatalf("%q: no error", tt.script)
		}
		var pe syntax.ParseError
		if !errors.As(err, &pe) && !strings.Contains(err.Error(), "syntax error") {
			t.Fatalf("%q: error %v is not a syntax error", tt.script, err)
		}
		if !strings.Contains(err.Error(), tt.where) {
			t.Fatalf("%q: error %q does not say where (%s)", tt.script, err, tt.where)
		}
	}
}

func TestStdin(t *testing.T) {
	sh := shell.New(shell.Options{})
	o := run(t, sh, runner.Command{Script: "read first; echo got:$first; cat", Env: hostEnv, Stdin: strings.NewReader("one\ntwo\n")})
	if o.stdout != "got:one\ntwo\n" {
		t.Fatalf("stdout %q", o.stdout)
	}
	o = run(t, sh, runner.Command{Script: "cat; echo end", Env: hostEnv})
	if o.stdout != "end\n" {
		t.Fatalf("nil stdin: %q", o.stdout)
	}
}

func TestScriptWithoutShebang(t *testing.T) {
	sh := shell.New(shell.Options{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.sh"), []byte("echo \"script:$1\"\nexit 9\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "noexec.sh"), []byte("echo x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := run(t, sh, runner.Command{Script: "./s.sh arg", Dir: dir, Env: hostEnv})
	if o.stdout != "script:arg\n" || o.res.ExitCode != 9 {
		t.Fatalf("%+v", o)
	}
	o = run(t, sh, runner.Command{Script: "./noexec.sh", Dir: dir, Env: hostEnv})
	if o.res.ExitCode != 126 && o.res.ExitCode != 127 {
		t.Fatalf("non-executable file: %+v", o)
	}
}

func TestSessionSharesState(t *testing.T) {
	sh := shell.New(shell.Options{})
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	sess, err := sh.NewSession(dir, hostEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	steps := []struct {
		script, stdout string
		code           int
	}{
		{"cd src", "", 0},
		{"pwd; /bin/pwd | xargs basename", filepath.Join(dir, "src") + "\nsrc\n", 0},
		{"export VERSION=1.2; LOCAL=only-shell; greet() { echo \"hi $1 v$VERSION\"; }", "", 0},
		{"greet you; echo $LOCAL; sh -c 'echo child:$VERSION:$LOCAL'", "hi you v1.2\nonly-shell\nchild:1.2:\n", 0},
		{"false", "", 1},
		{"echo still here", "still here\n", 0},
		{"exit 4", "", 4},
		{"echo after exit; pwd", "after exit\n" + filepath.Join(dir, "src") + "\n", 0},
		{"set -e", "", 0},
		{"false; echo not printed", "", 1},
		{"echo next command runs", "next command runs\n", 0},
	}
	for i, st := range steps {
		o := run(t, sess, runner.Command{Script: st.script})
		if o.stdout != st.stdout || o.res.ExitCode != st.code {
			t.Fatalf("step %d %q: exit %d stdout %q; want %d %q", i, st.script, o.res.ExitCode, o.stdout, st.code, st.stdout)
		}
	}
	if got := sess.Dir(); got != filepath.Join(dir, "src") {
		t.Fatalf("Dir = %q", got)
	}
	// Dir and Env on a later command apply and persist.
	o := run(t, sess, runner.Command{Script: "pwd; echo $EXTRA", Dir: dir, Env: []string{"EXTRA=it's \"quoted\" $x"}})
	if o.stdout != dir+"\nit's \"quoted\" $x\n" {
		t.Fatalf("stdout %q", o.stdout)
	}
	o = run(t, sess, runner.Command{Script: "pwd; sh -c 'echo $EXTRA'"})
	if o.stdout != dir+"\nit's \"quoted\" $x\n" {
		t.Fatalf("stdout %q", o.stdout)
	}
	if _, err := sess.Run(t.Context(), &runner.Command{Script: "true", Env: []string{"1BAD=x"}}); err == nil {
		t.Fatal("an invalid variable name was accepted")
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Run(t.Context(), &runner.Command{Script: "true"}); !errors.Is(err, shell.ErrClosed) {
		t.Fatalf("Run after Close = %v", err)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
}

// alive reports whether pid is still a running (not zombie) process after giving a SIGKILL
// sent to it up to 10 s to take effect (delivery is asynchronous; slow on a loaded machine).
func alive(pid int) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if !running(pid) {
			return false
		}
	}
	return true
}

// running reports whether pid is a running (not zombie) process now.
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

func readPids(t *testing.T, dir string, names ...string) []int {
	t.Helper()
	var pids []int
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	return pids
}

func TestTimeoutKillsProcessTree(t *testing.T) {
	sh := shell.New(shell.Options{})
	dir := t.TempDir()
	start := time.Now()
	// A foreground child with a grandchild, and a background job of the shell itself.
	o := run(t, sh, runner.Command{
		Script:  "sh -c 'echo $$ > bg.pid; exec sleep 100' &\nsh -c 'sleep 100 & echo $! > grandchild.pid; echo $$ > child.pid; wait'\necho not reached",
		Dir:     dir,
		Env:     hostEnv,
		Timeout: 300 * time.Millisecond,
	})
	if !o.res.TimedOut || o.res.ExitCode != shell.TimeoutExitCode {
		t.Fatalf("result %+v, want timed out", o.res)
	}
	if strings.Contains(o.stdout, "not reached") {
		t.Fatal("the script went on after the timeout")
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Fatalf("Run took %v", el)
	}
	if o.res.Duration < 300*time.Millisecond {
		t.Fatalf("Duration %v shorter than the timeout", o.res.Duration)
	}
	for _, pid := range readPids(t, dir, "bg.pid", "child.pid", "grandchild.pid") {
		if alive(pid) {
			t.Errorf("process %d still running after the timeout", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func TestCancelKillsProcessTree(t *testing.T) {
	sh := shell.New(shell.Options{})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	// Cancel once the child has written its pid.
	lw := runner.NewLineWriter(func(line string) {
		if line == "started" {
			cancel()
		}
	})
	res, err := sh.Run(ctx, &runner.Command{
		Script: "sh -c 'sleep 100 & echo $! > grandchild.pid; echo started; wait'",
		Dir:    dir, Env: hostEnv, Stdout: lw,
	})
	if !errors.Is(err, context.Canceled) || res.TimedOut {
		t.Fatalf("Run after cancel = %+v, %v", res, err)
	}
	for _, pid := range readPids(t, dir, "grandchild.pid") {
		if alive(pid) {
			t.Errorf("grandchild %d survived the cancel", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func TestTimeoutOnManualClock(t *testing.T) {
	m := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	sh := shell.New(shell.Options{Clock: m})
	done := make(chan runner.Result, 1)
	go func() {
		res, err := sh.Run(context.Background(), &runner.Command{Script: "echo go; sleep 100", Env: hostEnv, Timeout: time.Hour})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	if err := m.BlockUntil(t.Context(), 1); err != nil { // the timeout is armed
		t.Fatal(err)
	}
	m.Advance(time.Hour)
	res := <-done
	if !res.TimedOut || res.Duration != time.Hour {
		t.Fatalf("result %+v, want timed out after 1h of clock time", res)
	}
}

func TestSessionBackgroundJobLivesUntilClose(t *testing.T) {
	sh := shell.New(shell.Options{})
	dir := t.TempDir()
	sess, err := sh.NewSession(dir, hostEnv)
	if err != nil {
		t.Fatal(err)
	}
	// Like "nohup dockerd &" in an install phase: it outlives the command that started it.
	if o := run(t, sess, runner.Command{Script: "sh -c 'echo $$ > daemon.pid; exec sleep 100' &\nwhile [ ! -s daemon.pid ]; do sleep 0.01; done"}); o.res.ExitCode != 0 {
		t.Fatal(o)
	}
	pid := readPids(t, dir, "daemon.pid")[0]
	o := run(t, sess, runner.Command{Script: fmt.Sprintf("kill -0 %d && echo alive", pid)})
	if o.stdout != "alive\n" {
		t.Fatalf("background job did not survive to the next command: %+v", o)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatal("background job survived Close")
	}
}

func TestSessionTimeoutThenContinue(t *testing.T) {
	sh := shell.New(shell.Options{})
	sess, err := sh.NewSession(t.TempDir(), hostEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	run(t, sess, runner.Command{Script: "X=kept"})
	if o := run(t, sess, runner.Command{Script: "sleep 100", Timeout: 100 * time.Millisecond}); !o.res.TimedOut {
		t.Fatalf("%+v", o)
	}
	if o := run(t, sess, runner.Command{Script: "echo $X"}); o.stdout != "kept\n" {
		t.Fatalf("state lost after a timeout: %+v", o)
	}
}

func TestExecMiddleware(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	sh := shell.New(shell.Options{ExecMiddlewares: []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{
		func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
			return func(ctx context.Context, args []string) error {
				mu.Lock()
				seen = append(seen, args[0])
				mu.Unlock()
				if args[0] == "yum" {
					hc := interp.HandlerCtx(ctx)
					fmt.Fprintf(hc.Stdout, "installed %s\n", strings.Join(args[3:], " "))
					return nil
				}
				return next(ctx, args)
			}
		},
	}})
	o := run(t, sh, runner.Command{Script: "yum install -y httpd; /bin/echo real", Env: hostEnv})
	if o.stdout != "installed httpd\nreal\n" {
		t.Fatalf("stdout %q", o.stdout)
	}
}

func TestConcurrentRuns(t *testing.T) {
	sh := shell.New(shell.Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			var so bytes.Buffer
			dir := t.TempDir()
			res, err := sh.Run(t.Context(), &runner.Command{
				Script: fmt.Sprintf("cd %s && echo %d > n && cat n && exit %d", dir, i, i%3),
				Env:    hostEnv, Stdout: &so,
			})
			if err != nil || res.ExitCode != i%3 || so.String() != fmt.Sprintf("%d\n", i) {
				t.Errorf("run %d: %+v %v %q", i, res, err, so.String())
			}
		})
	}
	wg.Wait()
}

func TestOutputStreamsThroughLineWriter(t *testing.T) {
	sh := shell.New(shell.Options{})
	var mu sync.Mutex
	var lines []string
	lw := runner.NewLineWriter(func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() })
	_, err := sh.Run(t.Context(), &runner.Command{
		Script: "for i in 1 2 3; do echo line $i; done; printf partial; echo err >&2",
		Env:    hostEnv, Stdout: lw, Stderr: lw,
	})
	if err != nil {
		t.Fatal(err)
	}
	lw.Flush()
	if got := strings.Join(lines, "|"); got != "line 1|line 2|line 3|partialerr" {
		t.Fatalf("lines %q", got)
	}
}
