package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// groups records the process groups a session started, so it can kill what is left of them
// (daemons, orphans) when a command times out or the session closes.
type groups struct {
	mu   sync.Mutex
	byID map[int]uint64 // pgid -> the generation (command) that started it
}

func (g *groups) add(pgid int, gen uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.byID == nil {
		g.byID = map[int]uint64{}
	}
	g.byID[pgid] = gen
}

// kill sends SIGKILL to every recorded group started by generation gen (all groups when
// gen is 0) and forgets them.
func (g *groups) kill(gen uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for pgid, gn := range g.byID {
		if gen == 0 || gn == gen {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			delete(g.byID, pgid)
		}
	}
}

type genKey struct{}

// execHandler runs real programs like interp.DefaultExecHandler does, but each in its own
// process group, killed as a whole (SIGKILL) when ctx is done.
func execHandler(g *groups, waitDelay time.Duration, opts []interp.RunnerOption) interp.ExecHandlerFunc {
	var self interp.ExecHandlerFunc
	self = func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		path, err := interp.LookPathDir(hc.Dir, hc.Env, args[0])
		if err != nil {
			fmt.Fprintf(hc.Stderr, "%s: command not found\n", args[0])
			return interp.ExitStatus(127)
		}
		env := execEnv(hc.Env)
		gen, _ := ctx.Value(genKey{}).(uint64)
		newCmd := func() *exec.Cmd {
			cmd := exec.CommandContext(ctx, path)
			cmd.Args = args
			cmd.Env = env
			cmd.Dir = hc.Dir
			cmd.Stdin = hc.Stdin
			cmd.Stdout = hc.Stdout
			cmd.Stderr = hc.Stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error {
				// The whole tree: the program and everything it started in its group.
				return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
			cmd.WaitDelay = waitDelay
			return cmd
		}
		cmd := newCmd()
		err = cmd.Start()
		// A concurrently forked process may briefly hold a write descriptor of a freshly
		// written file (go.dev/issue/22315): retry ETXTBSY with a short backoff, as
		// interp.DefaultExecHandler does.
		for delay := time.Millisecond; errors.Is(err, syscall.ETXTBSY) && delay < 300*time.Millisecond; delay *= 2 {
			time.Sleep(delay)
			cmd = newCmd()
			err = cmd.Start()
		}
		if errors.Is(err, syscall.ENOEXEC) {
			return runScript(ctx, hc, self, opts, path, args)
		}
		if err == nil {
			g.add(cmd.Process.Pid, gen)
			err = cmd.Wait()
		}
		var exitErr *exec.ExitError
		var execErr *exec.Error
		switch {
		case err == nil:
			return nil
		case errors.As(err, &exitErr):
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return interp.ExitStatus(128 + int(ws.Signal()))
			}
			return interp.ExitStatus(exitErr.ExitCode())
		case errors.As(err, &execErr), errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EACCES):
			fmt.Fprintf(hc.Stderr, "%s: %v\n", args[0], err)
			return interp.ExitStatus(126)
		case errors.Is(err, exec.ErrWaitDelay):
			// The program exited, but something it left behind held its output open.
			return nil
		default:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
	return self
}

// runScript runs a file the kernel would not execute (no #! line) as a script in a new shell
// with the same handlers, as POSIX shells do.
func runScript(ctx context.Context, hc interp.HandlerContext, exec interp.ExecHandlerFunc, opts []interp.RunnerOption, path string, args []string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(hc.Stderr, err)
		return interp.ExitStatus(126)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	if bytes.IndexByte(line, 0) >= 0 {
		fmt.Fprintf(hc.Stderr, "%s: cannot execute binary file\n", args[0])
		return interp.ExitStatus(126)
	}
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(b), args[0])
	if err != nil {
		fmt.Fprintln(hc.Stderr, err)
		return interp.ExitStatus(2)
	}
	all := append([]interp.RunnerOption{
		interp.Dir(hc.Dir),
		interp.Env(expand.ListEnviron(execEnv(hc.Env)...)),
		interp.StdIO(hc.Stdin, hc.Stdout, hc.Stderr),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return exec }),
	}, opts...)
	r, err := interp.New(all...)
	if err != nil {
		return err
	}
	r.Params = args[1:]
	return r.Run(ctx, file)
}

// execEnv is the environment a program sees: the exported string variables.
func execEnv(env expand.Environ) []string {
	var list []string
	for name, vr := range env.Each {
		if !vr.IsSet() {
			// Set in a parent scope but unset here: drop what was listed for it.
			list = slices.DeleteFunc(list, func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
		}
		if vr.Exported && vr.Kind == expand.String && vr.IsSet() {
			list = append(list, name+"="+vr.String())
		}
	}
	return list
}

// defaultPath is the search path when the environment has no PATH, as bash's built-in default.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func withPath(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			return env
		}
	}
	return append(env[:len(env):len(env)], "PATH="+defaultPath)
}
