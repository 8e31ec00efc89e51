package ec2sim_test

import (
	"io"

	"github.com/devopsim/devopsim/runner"
)

func runnerCmd(script string, out io.Writer) *runner.Command {
	return &runner.Command{Script: script, Stdout: out, Stderr: out}
}
