package cfnhost_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/cfnhost"
	"github.com/devopsim/devopsim/internal/core"
)

// bare builds a CloudFormation service and one host carrying the tools (no EC2).
func bare(t *testing.T) (*cloudformation.Service, *host.Host, *cfnhost.Tools) { return bareB(t) }

func bareB(t testing.TB) (*cloudformation.Service, *host.Host, *cfnhost.Tools) {
	t.Helper()
	return bareOn(t, clock.Real())
}

// bareOn is bare on a given clock (the host's and the services').
func bareOn(t testing.TB, clk clock.Clock) (*cloudformation.Service, *host.Host, *cfnhost.Tools) {
	t.Helper()
	env := awstest.EnvWith(t, clk)
	cf, err := cloudformation.New(env, cloudformation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cf.Close(context.Background()) })
	tools := cfnhost.New(cfnhost.Options{Objects: env.Objects})
	h := host.New(host.Options{ID: "i-0123456789abcdef0", Clock: clk, Commands: tools.Commands(), Packages: tools.Packages(),
		Metadata: host.Metadata{InstanceID: "i-0123456789abcdef0", AccountID: core.DefaultAccount, Region: core.DefaultRegion}})
	t.Cleanup(func() { _ = h.Close() })
	tools.Attach(cf)
	return cf, h, tools
}

func stackWithB(t testing.TB, cf *cloudformation.Service, name, body string) {
	t.Helper()
	stackWith(t, cf, name, body, false)
}

func stackWith(t testing.TB, cf *cloudformation.Service, name, body string, update bool) {
	t.Helper()
	ctx := context.Background()
	var err error
	if update {
		_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: name, TemplateBody: body})
	} else {
		_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: name, TemplateBody: body})
	}
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := cf.WaitStack(wctx, name); err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, h *host.Host, script string) (string, string, int) {
	t.Helper()
	out, errOut, code, err := h.Exec(context.Background(), script)
	if err != nil {
		t.Fatal(err)
	}
	return out, errOut, code
}

const metaTemplate = `
Resources:
  Config:
    Type: AWS::CloudFormation::WaitConditionHandle
    Metadata:
      Version: VERSION
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/app/version: {content: VERSION}
`

func TestCfnHupRunsHooksOnChange(t *testing.T) {
	cf, h, _ := bare(t)
	stackWith(t, cf, "hup", strings.ReplaceAll(metaTemplate, "VERSION", "v1"), false)
	if _, e, code := exec(t, h, "cfn-hup --no-daemon"); code != 1 || !strings.Contains(e, "could not find main configuration") {
		t.Fatalf("without config: %d %q", code, e)
	}
	setup := `mkdir -p /etc/cfn/hooks.d
printf '[main]\nstack=hup\nregion=us-east-1\n' > /etc/cfn/cfn-hup.conf
printf '[reloader]\ntriggers=post.update\npath=Resources.Config.Metadata.AWS::CloudFormation::Init\naction=cfn-init -s hup -r Config\nrunas=root\n' > /etc/cfn/hooks.d/reloader.conf
`
	if _, e, code := exec(t, h, setup+"cfn-hup --no-daemon"); code != 0 {
		t.Fatalf("first run: %d %s", code, e)
	}
	if _, err := h.ReadFile("/etc/app/version"); err == nil {
		t.Fatal("the first cfn-hup check ran the hook (it records a baseline)")
	}
	stackWith(t, cf, "hup", strings.ReplaceAll(metaTemplate, "VERSION", "v2"), true)
	if _, e, code := exec(t, h, "cfn-hup --no-daemon"); code != 0 {
		t.Fatalf("second run: %d %s", code, e)
	}
	if b, err := h.ReadFile("/etc/app/version"); err != nil || string(b) != "v2" {
		t.Fatalf("hook action did not run cfn-init: %q %v\n%s", b, err, must(h.ReadFile("/var/log/cfn-hup.log")))
	}
	// No change: no action (the file is removed and stays removed).
	exec(t, h, "rm /etc/app/version; cfn-hup --no-daemon")
	if _, err := h.ReadFile("/etc/app/version"); err == nil {
		t.Fatal("hook ran without a change")
	}
}

// TestCfnHupDaemonPolls: the cfn-hup service records a baseline at start, then checks every
// interval of the platform clock and runs the hook when the stack's metadata changed.
func TestCfnHupDaemonPolls(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cf, h, _ := bareOn(t, clk)
	stackWith(t, cf, "hup", strings.ReplaceAll(metaTemplate, "VERSION", "v1"), false)
	setup := `yum install -y aws-cfn-bootstrap >/dev/null
mkdir -p /etc/cfn/hooks.d
printf '[main]\nstack=hup\nregion=us-east-1\ninterval=5\n' > /etc/cfn/cfn-hup.conf
printf '[reloader]\ntriggers=post.update\npath=Resources.Config.Metadata.AWS::CloudFormation::Init\naction=cfn-init -s hup -r Config\n' > /etc/cfn/hooks.d/reloader.conf
systemctl enable --now cfn-hup
`
	if _, e, code := exec(t, h, setup); code != 0 {
		t.Fatalf("setup: %d %s", code, e)
	}
	until := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); runtime.Gosched() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; cfn-hup.log:\n%s", what, must(h.ReadFile("/var/log/cfn-hup.log")))
			}
		}
	}
	// The daemon's first check records the baseline at once.
	until("the baseline", func() bool { _, err := h.ReadFile("/var/lib/cfn-hup/data/metadata_db.json.seen"); return err == nil })
	stackWith(t, cf, "hup", strings.ReplaceAll(metaTemplate, "VERSION", "v2"), true)
	// Four minutes of the clock: no check yet.
	clk.Advance(4 * time.Minute)
	if _, err := h.ReadFile("/etc/app/version"); err == nil {
		t.Fatal("the hook ran before the interval passed")
	}
	// The fifth minute: the daemon checks, sees the change and runs cfn-init.
	until("the hook", func() bool {
		clk.Advance(time.Minute)
		b, err := h.ReadFile("/etc/app/version")
		return err == nil && string(b) == "v2"
	})
	if log := must(h.ReadFile("/var/log/cfn-hup.log")); !strings.Contains(log, "cfn-hup processing is alive.") || !strings.Contains(log, "action for reloader will be run") {
		t.Fatalf("cfn-hup.log:\n%s", log)
	}
}

func must(b []byte, _ error) string { return string(b) }

func TestCommandErrors(t *testing.T) {
	cf, h, _ := bare(t)
	stackWith(t, cf, "meta", strings.ReplaceAll(metaTemplate, "VERSION", "v1"), false)
	for _, tc := range []struct {
		script string
		code   int
		stderr string
	}{
		{"cfn-init", 2, "You must specify both a stack name and logical resource id"},
		{"cfn-init -s meta -r Nope", 1, "ValidationError: Resource Nope does not exist for stack meta"},
		{"cfn-init -s nostack -r Config", 1, "ValidationError"},
		{"cfn-init -s meta -r Config -c missing", 1, "Error occurred during build: ConfigSet missing was not found"},
		{"cfn-init -s meta -r Config --bogus", 2, "no such option: --bogus"},
		{"su ec2-user -c 'cfn-init -s meta -r Config'", 1, "Permission denied"},
		{"cfn-signal -e 0", 2, "WaitConditionHandle URL or --stack and --resource are required"},
		{"cfn-signal -e x --stack meta --resource Config", 2, "invalid integer value"},
		{"cfn-signal -e 0 --stack meta", 2, "must be specified together"},
		{"cfn-signal -e 0 --stack meta --resource Nope", 1, "Resource Nope does not exist"},
		{"cfn-signal -e 0 not-a-url", 1, "invalid WaitConditionHandle URL"},
		{"cfn-get-metadata -s meta -r Config -k Nope", 1, "Nope is not present"},
		{"pip3 install boto3", 127, "pip3: command not found"},
		{"easy_install x.tar.gz", 127, "command not found"},
	} {
		_, e, code := exec(t, h, tc.script)
		if code != tc.code || !strings.Contains(e, tc.stderr) {
			t.Errorf("%s: exit %d stderr %q; want %d %q", tc.script, code, e, tc.code, tc.stderr)
		}
	}
	out, _, code := exec(t, h, "cfn-get-metadata -s meta -r Config -k Version")
	if code != 0 || strings.TrimSpace(out) != `"v1"` {
		t.Errorf("cfn-get-metadata: %d %q", code, out)
	}
}

func TestBootstrapInstallPaths(t *testing.T) {
	cf, h, _ := bare(t)
	stackWith(t, cf, "meta", strings.ReplaceAll(metaTemplate, "VERSION", "v9"), false)
	script := `set -e
yum install -y python3-pip python-setuptools
pip3 install https://s3.amazonaws.com/cloudformation-examples/aws-cfn-bootstrap-py3-latest.tar.gz
/usr/local/bin/cfn-init -s meta -r Config
test -x /usr/local/init/ubuntu/cfn-hup
touch /tmp/aws-cfn-bootstrap-latest.tar.gz
easy_install --script-dir /opt/aws/bin /tmp/aws-cfn-bootstrap-latest.tar.gz
/opt/aws/bin/cfn-get-metadata -s meta -r Config -k Version
`
	out, e, code := exec(t, h, script)
	if code != 0 || !strings.Contains(out, `"v9"`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, e)
	}
	if b, _ := h.ReadFile("/etc/app/version"); string(b) != "v9" {
		t.Fatalf("cfn-init through pip's script: %q", b)
	}
}

func TestNotAttached(t *testing.T) {
	tools := cfnhost.New(cfnhost.Options{})
	h := host.New(host.Options{Commands: tools.Commands()})
	defer h.Close()
	_, e, code, _ := h.Exec(context.Background(), "cfn-signal -e 0 --stack s --resource r")
	if code != 1 || !strings.Contains(e, "not reachable") {
		t.Fatalf("%d %q", code, e)
	}
}

// TestConcurrentSignals drives cfn-init and cfn-signal from many hosts at once (a group with
// a ResourceSignal Count).
func TestConcurrentSignals(t *testing.T) {
	env := awstest.Env(t)
	cf, err := cloudformation.New(env, cloudformation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close(context.Background())
	cmds := cfnhost.Commands(cf, cfnhost.Options{})
	body := `
Resources:
  Group:
    Type: AWS::CloudFormation::WaitCondition
    CreationPolicy: {ResourceSignal: {Count: 12, Timeout: PT1M}}
    Metadata:
      AWS::CloudFormation::Init:
        config:
          commands: {a: {command: "echo ok > /tmp/ok"}}
`
	if _, err := cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: "many", TemplateBody: body}); err != nil {
		t.Fatal(err)
	}
	for { // the hosts boot once the resource is being created
		if _, err := cf.DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{StackName: "many", LogicalResourceId: "Group"}); err == nil {
			break
		}
		runtime.Gosched()
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "i-" + strings.Repeat("0", 16) + string(rune('a'+i))
			h := host.New(host.Options{ID: id, Commands: cmds, Metadata: host.Metadata{InstanceID: id, AccountID: core.DefaultAccount, Region: core.DefaultRegion}})
			defer h.Close()
			_, e, code, err := h.Exec(context.Background(), "cfn-init -s many -r Group; cfn-signal -e $? --stack many --resource Group")
			if err != nil || code != 0 {
				t.Errorf("%s: %d %s %v", id, code, e, err)
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if status, err := cf.WaitStack(ctx, "many"); err != nil || status != "CREATE_COMPLETE" {
		t.Fatalf("%s %v", status, err)
	}
}

func TestServicesThatDoNotExist(t *testing.T) {
	cf, h, _ := bare(t)
	stackWith(t, cf, "svc", `
Resources:
  Config:
    Type: AWS::CloudFormation::WaitConditionHandle
    Metadata:
      AWS::CloudFormation::Init:
        configSets: {off: [off], on: [on]}
        off:
          services: {sysvinit: {sendmail: {enabled: "false", ensureRunning: "false"}}}
        on:
          services: {systemd: {ghost: {enabled: "true", ensureRunning: "true"}}}
`, false)
	if _, e, code := exec(t, h, "cfn-init -s svc -r Config -c off"); code != 0 {
		t.Errorf("disabling a service that is not installed: %d %s", code, e)
	}
	if _, e, code := exec(t, h, "cfn-init -s svc -r Config -c on"); code != 1 || !strings.Contains(e, "Could not enable service ghost") {
		t.Errorf("enabling a missing service: %d %s", code, e)
	}
}
