// Package runner is the seam through which devopsim runs commands: build phases, deployment
// hooks, user data. A Runner runs one Command; a non-zero exit code is data in the Result, an
// error means the command could not be run at all (or was cancelled).
//
// Implementations: the shell runner in runner/shell (a bash-syntax interpreter, mvdan.cc/sh,
// running real programs in a real directory) and Func, for tests.
package runner

import (
	"context"
	"io"
	"time"
)

// Command is one script to run.
type Command struct {
	Script  string    // shell source, bash syntax
	Dir     string    // working directory
	Env     []string  // KEY=VALUE pairs; nil means an empty environment
	Stdin   io.Reader // nil means no input
	Stdout  io.Writer // nil discards
	Stderr  io.Writer // nil discards
	Timeout time.Duration
}

// Result is how a command ended.
type Result struct {
	ExitCode int
	Duration time.Duration
	TimedOut bool
}

// Runner runs commands.
type Runner interface {
	Run(ctx context.Context, cmd *Command) (Result, error)
}

// Func adapts a function to Runner.
type Func func(ctx context.Context, cmd *Command) (Result, error)

// Run calls f.
func (f Func) Run(ctx context.Context, cmd *Command) (Result, error) { return f(ctx, cmd) }
