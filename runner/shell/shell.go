package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/runner"
)

// TimeoutExitCode is Result.ExitCode for a command killed by its Timeout (as coreutils
// timeout(1) reports).
const TimeoutExitCode = 124

// ErrClosed is returned by Session.Run after Close.
var ErrClosed = errors.New("shell: session closed")

var errTimedOut = errors.New("shell: command timed out")

// Options configures a Shell. The zero value runs real programs on real time.
type Options struct {
	// Clock times commands (Result.Duration) and their Timeout; nil means clock.Real().
	Clock clock.Clock
	// WaitDelay bounds how long a program that has exited may keep the shell waiting because
	// something it left running still holds its output open; 0 means 2 seconds.
	WaitDelay time.Duration
	// ExecMiddlewares run before the real-program handler, outermost first: a middleware may
	// implement a command itself or call next (which looks the program up in PATH and runs it).
	ExecMiddlewares []func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc
	// RunnerOptions are extra interpreter options (open, stat, readdir handlers...), applied
	// after the shell's own.
	RunnerOptions []interp.RunnerOption
}

// Shell runs commands with the mvdan.cc/sh interpreter (bash syntax) and real programs.
// It is safe for concurrent use; each Run has its own shell.
type Shell struct {
	opts Options
	clk  clock.Clock
}

var _ runner.Runner = (*Shell)(nil)

// New returns a shell runner. opts is not modified or retained beyond its values.
func New(opts Options) *Shell {
	s := &Shell{opts: opts, clk: opts.Clock}
	if s.clk == nil {
		s.clk = clock.Real()
	}
	if s.opts.WaitDelay <= 0 {
		s.opts.WaitDelay = 2 * time.Second
	}
	s.opts.ExecMiddlewares = append([]func(interp.ExecHandlerFunc) interp.ExecHandlerFunc(nil), opts.ExecMiddlewares...)
	s.opts.RunnerOptions = append([]interp.RunnerOption(nil), opts.RunnerOptions...)
	return s
}

// Run runs cmd.Script in a fresh shell in cmd.Dir with cmd.Env. When it returns, nothing it
// started is left running: background jobs and their process groups are killed.
func (s *Shell) Run(ctx context.Context, cmd *runner.Command) (runner.Result, error) {
	if _, err := Parse(cmd.Script); err != nil {
		return runner.Result{}, err
	}
	sess, err := s.NewSession(cmd.Dir, cmd.Env)
	if err != nil {
		return runner.Result{}, err
	}
	defer sess.Close()
	c := *cmd
	c.Dir, c.Env = "", nil // already applied
	return sess.Run(ctx, &c)
}

// Parse parses a script as bash. A syntax error says where: "line:col: message" (a
// syntax.ParseError, or syntax.LangError for bash features the interpreter lacks).
func Parse(script string) (*syntax.File, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		return nil, fmt.Errorf("shell: syntax error: %w", err)
	}
	return f, nil
}

// Session is one shell whose successive commands share state, as CodeBuild's buildspec
// version 0.2 runs every command of a build in one shell instance: the working directory,
// variables (exported or not), functions, aliases and options (set -e) carry over from one Run
// to the next, and background jobs keep running until Close.
//
// A Session runs one command at a time (concurrent Run calls wait their turn). Close kills
// whatever is still running.
type Session struct {
	sh     *Shell
	mu     sync.Mutex // serializes Run and Close
	r      *interp.Runner
	groups groups
	base   context.Context // parent of every command's context; cancelled by Close
	stop   context.CancelFunc
	runs   []context.CancelFunc
	gen    uint64
	closed bool
}

var _ runner.Runner = (*Session)(nil)

// NewSession starts a shell in dir (the process's working directory when empty) with env as
// its environment (KEY=VALUE, all exported; nil is an empty environment, to which a default
// PATH is added when env has none).
func (s *Shell) NewSession(dir string, env []string) (*Session, error) {
	sess := &Session{sh: s}
	sess.base, sess.stop = context.WithCancel(context.Background())
	mws := append(s.opts.ExecMiddlewares[:len(s.opts.ExecMiddlewares):len(s.opts.ExecMiddlewares)],
		func(interp.ExecHandlerFunc) interp.ExecHandlerFunc {
			return execHandler(&sess.groups, s.opts.WaitDelay, s.opts.RunnerOptions)
		})
	opts := []interp.RunnerOption{
		interp.Env(expand.ListEnviron(withPath(env)...)),
		interp.ExecHandlers(mws...),
		interp.StdIO(nil, io.Discard, io.Discard),
		interp.CallHandler(externalBuiltins),
	}
	if dir != "" {
		opts = append(opts, interp.Dir(dir))
	}
	opts = append(opts, s.opts.RunnerOptions...)
	r, err := interp.New(opts...)
	if err != nil {
		sess.stop()
		return nil, fmt.Errorf("shell: %w", err)
	}
	sess.r = r
	return sess, nil
}

// Run runs cmd.Script in the session's shell. A non-empty cmd.Dir changes the shell's directory
// first and cmd.Env entries are exported first; both persist, like cd and export. cmd.Timeout
// (on the Shell's clock) and cancelling ctx kill every process the command started, including
// its background jobs; a timeout is reported as Result.TimedOut with TimeoutExitCode, a
// cancellation as ctx's error.
func (s *Session) Run(ctx context.Context, cmd *runner.Command) (runner.Result, error) {
	file, err := Parse(cmd.Script)
	if err != nil {
		return runner.Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return runner.Result{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return runner.Result{}, err
	}
	clk := s.sh.clk
	start := clk.Now()

	s.gen++
	gen := s.gen
	runCtx, cancel := context.WithCancelCause(context.WithValue(s.base, genKey{}, gen))
	s.runs = append(s.runs, func() { cancel(context.Canceled) })
	// The command dies with ctx; once it is over, ctx no longer matters (background jobs
	// live on until Close).
	stopWatch := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	defer stopWatch()
	if cmd.Timeout > 0 {
		t := clk.AfterFunc(cmd.Timeout, func() { cancel(errTimedOut) })
		defer t.Stop()
	}

	stdout, stderr := cmd.Stdout, cmd.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	if cmd.Dir != "" {
		if err := s.builtin(runCtx, "cd", cmd.Dir); err != nil {
			return runner.Result{}, err
		}
	}
	for _, kv := range cmd.Env {
		if err := s.export(runCtx, kv); err != nil {
			return runner.Result{}, err
		}
	}

	stdout, stderr = syncWriters(stdout, stderr)
	if err := interp.StdIO(cmd.Stdin, stdout, stderr)(s.r); err != nil {
		return runner.Result{}, fmt.Errorf("shell: %w", err)
	}
	// Statement by statement, as a shell reading its input does: an exit trap is not run
	// between commands, and exit or set -e stops the command's remaining statements.
	var runErr error
	for _, st := range file.Stmts {
		runErr = s.r.Run(runCtx, st)
		if _, isExit := interp.IsExitStatus(runErr); s.r.Exited() || runCtx.Err() != nil || runErr != nil && !isExit {
			break
		}
	}
	res := runner.Result{Duration: clk.Now().Sub(start)}
	if runCtx.Err() != nil {
		// Kill what is left of the command's process groups (orphans of killed programs).
		s.groups.kill(gen)
		if errors.Is(context.Cause(runCtx), errTimedOut) {
			res.TimedOut, res.ExitCode = true, TimeoutExitCode
			return res, nil
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		return res, context.Cause(runCtx)
	}
	if code, ok := interp.IsExitStatus(runErr); ok {
		res.ExitCode = int(code)
		return res, nil
	}
	if runErr != nil {
		return res, fmt.Errorf("shell: %w", runErr)
	}
	return res, nil
}

// externalBuiltins runs the program for the bash builtins the interpreter lacks and a
// program provides (kill: the interpreter only knows its own jobs).
func externalBuiltins(ctx context.Context, args []string) ([]string, error) {
	if args[0] == "kill" {
		hc := interp.HandlerCtx(ctx)
		if path, err := interp.LookPathDir(hc.Dir, hc.Env, "kill"); err == nil {
			args[0] = path
		}
	}
	return args, nil
}

// export sets KEY=VALUE as an exported shell variable.
func (s *Session) export(ctx context.Context, kv string) error {
	name, value, ok := strings.Cut(kv, "=")
	if !ok || !syntax.ValidName(name) {
		return fmt.Errorf("shell: invalid environment entry %q", kv)
	}
	return s.builtin(ctx, "export", name+"="+value)
}

// builtin runs the builtin name with one argument, quoted, in the session's shell.
func (s *Session) builtin(ctx context.Context, name, arg string) error {
	q, err := syntax.Quote(arg, syntax.LangBash)
	if err != nil {
		return fmt.Errorf("shell: %s %q: %w", name, arg, err)
	}
	f, err := Parse(name + " " + q)
	if err != nil {
		return err
	}
	var msg strings.Builder
	r := s.r
	_ = interp.StdIO(nil, io.Discard, &msg)(r)
	defer func() { _ = interp.StdIO(nil, io.Discard, io.Discard)(r) }()
	if err := r.Run(ctx, f.Stmts[0]); err != nil {
		return fmt.Errorf("shell: %s %s: %s", name, q, strings.TrimSpace(msg.String()))
	}
	return nil
}

// Dir is the shell's current directory.
func (s *Session) Dir() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Dir
}

// Close kills every process the session started that is still running (background jobs,
// daemons, orphans), waits for its background jobs to end, and makes later Runs fail with
// ErrClosed. It is safe to call more than once.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	for _, c := range s.runs {
		c()
	}
	s.stop()
	s.groups.kill(0)
	// Join the interpreter's background jobs: with their contexts cancelled and their
	// processes killed, they end promptly.
	if f, err := Parse("wait"); err == nil {
		_ = interp.StdIO(nil, io.Discard, io.Discard)(s.r)
		_ = s.r.Run(context.Background(), f.Stmts[0])
	}
	s.groups.kill(0)
	return nil
}

// syncWriter serializes writes: programs in the background and in the foreground, and the
// copiers of their stdout and stderr pipes, write concurrently.
type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func syncWriters(out, errw io.Writer) (io.Writer, io.Writer) {
	if out == io.Discard && errw == io.Discard {
		return out, errw
	}
	mu := new(sync.Mutex)
	return syncWriter{mu, out}, syncWriter{mu, errw}
}
