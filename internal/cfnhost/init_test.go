package cfnhost_test

import (
	"strings"
	"testing"

	"github.com/devopsim/devopsim/internal/cfnhost"
)

func TestParseInitAndPlan(t *testing.T) {
	md := `{"AWS::CloudFormation::Init": {
		"configSets": {"default": ["a", {"ConfigSet": "other"}], "other": "b", "loop": [{"ConfigSet": "loop"}]},
		"a": {"packages": {"python": {"boto3": []}, "yum": {"nginx": [], "git": ["2.40"]}, "rpm": {"epel": "https://x/epel.rpm"}},
		      "commands": {"b": {"command": "echo b"}, "a": {"command": ["echo", "a b"], "ignoreErrors": true}}},
		"b": {"files": {"/z": {"content": "z"}, "/a": {"content": {"k": 1}}},
		      "services": {"systemd": {"nginx": {"enabled": true, "ensureRunning": "true", "files": ["/a"]}}}}
	}}`
	in, err := cfnhost.ParseInit([]byte(md))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := in.Plan([]string{"default"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 2 || plan[0].Name != "a" || plan[1].Name != "b" {
		t.Fatalf("plan: %+v", plan)
	}
	var order []string
	for _, p := range plan[0].Packages {
		order = append(order, p.Manager+":"+p.Name)
	}
	if got := strings.Join(order, " "); got != "rpm:epel yum:git yum:nginx python:boto3" {
		t.Errorf("package order %s", got)
	}
	if c := plan[0].Commands; c[0].Key != "a" || c[0].Argv[1] != "a b" || !c[0].IgnoreErrors || c[1].Command != "echo b" {
		t.Errorf("commands %+v", c)
	}
	if f := plan[1].Files; f[0].Path != "/a" || *f[0].Content != "{\n  \"k\": 1\n}" {
		t.Errorf("files %+v", f)
	}
	if s := plan[1].Services[0]; s.Name != "nginx" || !*s.Enabled || !*s.EnsureRunning {
		t.Errorf("services %+v", s)
	}
	if _, err := in.Plan([]string{"loop"}); err == nil {
		t.Error("a configSet cycle was accepted")
	}
	if _, err := in.Plan([]string{"missing"}); err == nil {
		t.Error("a missing configSet was accepted")
	}
}

func TestParseInitErrors(t *testing.T) {
	for _, tc := range []struct{ name, md, want string }{
		{"not json", `nope`, "not a JSON object"},
		{"no init", `{"Other": {}}`, "no metadata found at AWS::CloudFormation::Init"},
		{"init not object", `{"AWS::CloudFormation::Init": 3}`, "must be an object"},
		{"bad manager", `{"AWS::CloudFormation::Init": {"config": {"packages": {"brew": {"x": []}}}}}`, "unsupported package manager: brew"},
		{"relative file", `{"AWS::CloudFormation::Init": {"config": {"files": {"etc/x": {"content": "x"}}}}}`, "must be absolute"},
		{"no content", `{"AWS::CloudFormation::Init": {"config": {"files": {"/x": {"mode": "000644"}}}}}`, "specify content or source"},
		{"bad mode", `{"AWS::CloudFormation::Init": {"config": {"files": {"/x": {"content": "x", "mode": "rwx"}}}}}`, "is not octal"},
		{"bad encoding", `{"AWS::CloudFormation::Init": {"config": {"files": {"/x": {"content": "x", "encoding": "rot13"}}}}}`, "unsupported encoding"},
		{"no command", `{"AWS::CloudFormation::Init": {"config": {"commands": {"a": {"cwd": "/"}}}}}`, "does not have a command key"},
		{"bad service manager", `{"AWS::CloudFormation::Init": {"config": {"services": {"upstart": {}}}}}`, "unsupported service manager"},
		{"bad gid", `{"AWS::CloudFormation::Init": {"config": {"groups": {"g": {"gid": "x"}}}}}`, "gid must be a number"},
		{"bad configset entry", `{"AWS::CloudFormation::Init": {"configSets": {"default": [3]}}}`, "config name or"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cfnhost.ParseInit([]byte(tc.md))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPlanWithoutConfigSets(t *testing.T) {
	in, err := cfnhost.ParseInit([]byte(`{"AWS::CloudFormation::Init": {"config": {"commands": {"x": {"command": "true"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := in.Plan([]string{"default"}); err != nil || len(p) != 1 || p[0].Name != "config" {
		t.Fatalf("%v %v", p, err)
	}
	if _, err := in.Plan([]string{"InstallAndRun"}); err == nil {
		t.Fatal("a configSet was found in metadata without configSets")
	}
}

func FuzzParseInit(f *testing.F) {
	f.Add([]byte(`{"AWS::CloudFormation::Init": {"config": {"files": {"/x": {"content": "x", "mode": "000644"}}}}}`))
	f.Add([]byte(`{"AWS::CloudFormation::Init": {"configSets": {"default": ["a", {"ConfigSet": "b"}], "b": "a"}, "a": {"commands": {"1": {"command": ["a"], "env": {"A": 1}}}}}}`))
	f.Add([]byte(`{"AWS::CloudFormation::Init": {"config": {"packages": {"yum": {"nginx": []}}, "services": {"sysvinit": {"nginx": {"enabled": "true", "packages": {"yum": ["nginx"]}}}}}}}`))
	f.Add([]byte(`{"AWS::CloudFormation::Init": {"configSets": {"x": [{"ConfigSet": "x"}]}}}`))
	f.Add([]byte(`{"AWS::CloudFormation::Init": {"config": {"users": {"u": {"uid": 5, "groups": "g"}}, "groups": {"g": {}}, "sources": {"/d": "https://b.s3.amazonaws.com/k.zip"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := cfnhost.ParseInit(data)
		if err != nil {
			return
		}
		for name := range in.ConfigSets {
			_, _ = in.Plan([]string{name})
		}
		_, _ = in.Plan([]string{"default"})
	})
}
