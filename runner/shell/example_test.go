package shell_test

import (
	"context"
	"fmt"
	"os"

	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/runner/shell"
)

func Example() {
	ctx := context.Background()
	sh := shell.New(shell.Options{})
	res, err := sh.Run(ctx, &runner.Command{
		Script: `echo "building $PROJECT"; exit 2`,
		Env:    []string{"PROJECT=web"},
		Stdout: os.Stdout,
	})
	fmt.Println(res.ExitCode, err) // a failing script is data, not an error
	// Output:
	// building web
	// 2 <nil>
}

func ExampleSession() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "build")
	defer os.RemoveAll(dir)
	os.Mkdir(dir+"/src", 0o755)

	// The commands of a buildspec phase, run one by one in one shell, as CodeBuild does.
	sess, _ := shell.New(shell.Options{}).NewSession(dir, []string{"PATH=" + os.Getenv("PATH")})
	defer sess.Close()
	for _, command := range []string{
		"cd src",
		"export STAGE=test; note() { echo \"[$STAGE] $*\"; }",
		"note in $(basename \"$PWD\")",
	} {
		res, _ := sess.Run(ctx, &runner.Command{Script: command, Stdout: os.Stdout})
		if res.ExitCode != 0 {
			fmt.Println("command failed:", command)
			return
		}
	}
	// Output: [test] in src
}
