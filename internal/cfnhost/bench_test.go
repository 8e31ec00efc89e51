package cfnhost_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/internal/cfnhost"
)

func benchMetadata(files, commands int) string {
	var b strings.Builder
	b.WriteString(`{"AWS::CloudFormation::Init": {"configSets": {"default": ["a", {"ConfigSet": "more"}], "more": ["b"]}, "a": {"packages": {"yum": {"nginx": [], "git": []}}, "files": {`)
	for i := range files {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"/etc/app/f%d": {"content": "value %d", "mode": "000644", "owner": "root", "group": "root"}`, i, i)
	}
	b.WriteString(`}}, "b": {"commands": {`)
	for i := range commands {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%02d_cmd": {"command": "echo %d >> /tmp/out", "cwd": "/tmp"}`, i, i)
	}
	b.WriteString(`}, "services": {"sysvinit": {"nginx": {"enabled": "true", "ensureRunning": "true"}}}}}}`)
	return b.String()
}

func BenchmarkParseInit(b *testing.B) {
	md := []byte(benchMetadata(50, 20))
	b.SetBytes(int64(len(md)))
	for b.Loop() {
		in, err := cfnhost.ParseInit(md)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.Plan([]string{"default"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCfnInit runs cfn-init (10 files, 5 commands, a package and a service) on a host
// against a stack resource, as user data does.
func BenchmarkCfnInit(b *testing.B) {
	cf, h, _ := bareB(b)
	md := benchMetadata(10, 5)
	stackBody := "Resources:\n  Config:\n    Type: AWS::CloudFormation::WaitConditionHandle\n    Metadata: " + md + "\n"
	stackWithB(b, cf, "bench", stackBody)
	ctx := context.Background()
	for b.Loop() {
		_, e, code, err := h.Exec(ctx, "cfn-init -s bench -r Config")
		if err != nil || code != 0 {
			b.Fatalf("%d %s %v", code, e, err)
		}
	}
}
