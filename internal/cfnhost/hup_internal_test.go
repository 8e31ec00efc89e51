package cfnhost

import (
	"strings"
	"testing"

	"github.com/devopsim/devopsim/ec2sim/host"
)

// FuzzReadHupConfig: any cfn-hup.conf and hooks file either loads into a configuration with a
// stack, a positive interval and complete hooks, or fails with a message; never a panic.
func FuzzReadHupConfig(f *testing.F) {
	f.Add("[main]\nstack=s\nregion=us-east-1\ninterval=5\n", "[h]\ntriggers=post.update\npath=Resources.R.Metadata\naction=true\n")
	f.Add("[main]\nstack=arn:aws:cloudformation:us-east-1:000000000000:stack/s/x\n", "[h]\ntriggers=post.add, post.remove\npath=Resources.R.PhysicalResourceId\naction=echo\nrunas=nobody\n")
	f.Add("[main]\ninterval=0\n", "")
	f.Add("stack: s\n[main]\nstack: s\ninterval: -3\n", "[a]\n[b]\npath=Other\n")
	f.Add("\x00[main", "[[h]]\n=\n")
	f.Fuzz(func(t *testing.T, conf, hooks string) {
		h := host.New(host.Options{ID: "i-0123456789abcdef0"})
		defer h.Close()
		if err := h.WriteFile("/etc/cfn/cfn-hup.conf", []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := h.WriteFile("/etc/cfn/hooks.d/h.conf", []byte(hooks), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := readHupConfig(h, "/etc/cfn")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "Error: ") {
				t.Fatalf("message %q", err)
			}
			return
		}
		if cfg.stack == "" || cfg.interval <= 0 || len(cfg.hooks) == 0 {
			t.Fatalf("accepted %+v", cfg)
		}
		for _, hk := range cfg.hooks {
			if hk.Path == "" || hk.Action == "" || len(hk.Triggers) == 0 || hk.RunAs == "" {
				t.Fatalf("incomplete hook %+v", hk)
			}
		}
	})
}
