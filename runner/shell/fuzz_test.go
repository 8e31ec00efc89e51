package shell_test

import (
	"strings"
	"testing"

	"github.com/devopsim/devopsim/runner/shell"
)

// FuzzParse feeds arbitrary scripts (buildspec commands, appspec hooks and user data are
// untrusted input) to the parse path: never a panic, and a syntax error always says where.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"echo hello", "set -e\ncd src && make", `echo "unterminated`, "if true; then\n", "a=(1 2); echo ${a[@]}",
		"cat <<EOF\nx $((1+2))\nEOF\n", "f() { return 3; }; f", "case $x in a) ;; esac", "$(", "`", "((", "[[ -f x ]]",
		"for i in 1 2; do echo $i; done", "echo ${x:-default} ${#y} ${z/a/b}", "coproc x", "a &\nwait", "\x00", "#!/bin/bash\necho hi",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		file, err := shell.Parse(script)
		if err != nil {
			if !strings.Contains(err.Error(), ":") {
				t.Fatalf("syntax error without a position: %v", err)
			}
			return
		}
		if file == nil {
			t.Fatal("nil file without an error")
		}
	})
}
