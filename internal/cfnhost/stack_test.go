package cfnhost_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/cfnhost"
	"github.com/devopsim/devopsim/internal/cfnres"
	"github.com/devopsim/devopsim/internal/core"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2.runClock"))
}

type platform struct {
	env   *core.Env
	ec2   *ec2sim.Service
	cf    *cloudformation.Service
	tools *cfnhost.Tools
}

// newPlatform wires EC2 and CloudFormation as the root does: the tools are built before EC2
// (hosts get their commands at launch) and attached to CloudFormation once it exists.
func newPlatform(t *testing.T) *platform {
	t.Helper()
	env := awstest.Env(t)
	p := &platform{env: env, tools: cfnhost.New(cfnhost.Options{Objects: env.Objects})}
	var err error
	p.ec2, err = ec2sim.New(env, ec2sim.Options{Commands: p.tools.Commands(), Packages: p.tools.Packages(),
		Network: func(hostname string, port int) (http.Handler, bool) {
			if cfnhost.IsWaitConditionHost(hostname) {
				return p.tools.WaitConditionHandler(), true
			}
			return nil, false
		}})
	if err != nil {
		t.Fatal(err)
	}
	p.cf, err = cloudformation.New(env, cloudformation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = p.cf.Close(ctx)
		_ = p.ec2.Close(ctx)
	})
	cfnres.Register(p.cf, cfnres.Services{EC2: p.ec2})
	p.tools.Attach(p.cf)
	return p
}

func (p *platform) deploy(t *testing.T, name, body string) (string, *cloudformation.Stack) {
	t.Helper()
	if _, err := p.cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: name, TemplateBody: body}); err != nil {
		t.Fatalf("CreateStack: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := p.cf.WaitStack(ctx, name); err != nil {
		t.Fatalf("WaitStack: %v", err)
	}
	out, err := p.cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: name})
	if err != nil {
		t.Fatal(err)
	}
	return out.Stacks[0].StackStatus, &out.Stacks[0]
}

func (p *platform) events(t *testing.T, name string) string {
	out, err := p.cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: name})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range out.StackEvents {
		b.WriteString(e.LogicalResourceId + " " + e.ResourceStatus + " " + e.ResourceStatusReason + "\n")
	}
	return b.String()
}

func (p *platform) host(t *testing.T, stack, logical string) ec2sim.Host {
	t.Helper()
	out, err := p.cf.DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{StackName: stack, LogicalResourceId: logical})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := p.ec2.Host(out.StackResourceDetail.PhysicalResourceId)
	if !ok {
		t.Fatalf("no host for %s", out.StackResourceDetail.PhysicalResourceId)
	}
	return h
}

const webTemplate = `
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Greeting: {Type: String, Default: hello}
  Failing: {Type: String, Default: "true"}
Resources:
  Web:
    Type: AWS::EC2::Instance
    CreationPolicy:
      ResourceSignal: {Count: 1, Timeout: PT5M}
    Metadata:
      AWS::CloudFormation::Init:
        configSets:
          default: [install, {ConfigSet: extra}]
          extra: [site]
        install:
          packages:
            yum: {nginx: []}
          groups:
            web: {gid: "4500"}
          users:
            deploy: {groups: [web], uid: "4501", homeDir: /srv/deploy}
        site:
          files:
            /usr/share/nginx/html/index.html:
              content: "<h1>{{greeting}} from {{stack}}</h1>\n"
              context: {greeting: !Ref Greeting, stack: !Ref AWS::StackName}
              mode: "000644"
              owner: deploy
              group: web
            /etc/app/config.json:
              content: {port: 80, names: [a, b]}
            /etc/app/blob:
              content: aGVsbG8gYmFzZTY0
              encoding: base64
              mode: "000600"
            /etc/app/current:
              content: /etc/app/config.json
              mode: "120000"
          commands:
            10_second:
              command: echo second >> /tmp/order
            02_first:
              command: ["sh", "-c", "echo first $GREETING > /tmp/order"]
              env: {GREETING: !Ref Greeting}
            20_skipped:
              command: echo never > /tmp/skipped
              test: test -e /nonexistent
            30_cwd:
              command: pwd > /tmp/cwd
              cwd: /etc/app
            40_may_fail:
              command: !Ref Failing
              ignoreErrors: "false"
          services:
            sysvinit:
              nginx:
                enabled: "true"
                ensureRunning: "true"
                files: [/usr/share/nginx/html/index.html]
    Properties:
      ImageId: ami-0a2023000000000a1
      InstanceType: t3.micro
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          yum install -y aws-cfn-bootstrap
          /opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource Web --region ${AWS::Region}
          /opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource Web --region ${AWS::Region}
Outputs:
  Id: {Value: !Ref Web}
`

func TestCfnInitAndSignal(t *testing.T) {
	p := newPlatform(t)
	status, _ := p.deploy(t, "web", webTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s\n%s", status, p.events(t, "web"))
	}
	h := p.host(t, "web", "Web")
	read := func(name string) string {
		b, err := h.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return string(b)
	}
	checks := map[string]string{
		"/usr/share/nginx/html/index.html": "<h1>hello from web</h1>\n",
		"/etc/app/blob":                    "hello base64",
		"/tmp/order":                       "first hello\nsecond\n",
		"/tmp/cwd":                         "/etc/app\n",
		"/etc/app/current":                 read("/etc/app/config.json"),
	}
	for f, want := range checks {
		if got := read(f); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if !strings.Contains(read("/etc/app/config.json"), `"names": [`) {
		t.Errorf("JSON content not serialised: %s", read("/etc/app/config.json"))
	}
	if _, err := h.ReadFile("/tmp/skipped"); err == nil {
		t.Error("a command whose test failed ran")
	}
	if !strings.Contains(read("/etc/passwd"), "deploy:x:4501:") || !strings.Contains(read("/etc/group"), "web:x:4500:deploy") {
		t.Errorf("users/groups:\n%s\n%s", read("/etc/passwd"), read("/etc/group"))
	}
	if !h.ServiceActive("nginx") {
		t.Fatal("nginx is not running")
	}
	resp := get(t, h.URL(80)+"/")
	if resp != "<h1>hello from web</h1>\n" {
		t.Errorf("nginx answered %q", resp)
	}
	for _, l := range []string{"Starting build", "Running configSet default", "Running config install", "Running config site", "Command 02_first succeeded", "Build complete"} {
		if !strings.Contains(read("/var/log/cfn-init.log"), l) {
			t.Errorf("cfn-init.log lacks %q:\n%s", l, read("/var/log/cfn-init.log"))
		}
	}
	if !strings.Contains(read("/var/log/cfn-init-cmd.log"), "Command 02_first") || !strings.Contains(read("/var/log/cfn-init-cmd.log"), "\t  nginx") {
		t.Errorf("cfn-init-cmd.log:\n%s", read("/var/log/cfn-init-cmd.log"))
	}
	// cfn-get-metadata and a second cfn-init run (files unchanged: no .bak).
	out, _, code, err := h.(interface {
		Exec(context.Context, string) (string, string, int, error)
	}).Exec(context.Background(), "/opt/aws/bin/cfn-get-metadata -s web -r Web -k AWS::CloudFormation::Init.configSets")
	if err != nil || code != 0 || !strings.Contains(out, `"extra"`) {
		t.Errorf("cfn-get-metadata: %q %d %v", out, code, err)
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestFailingCommandRollsBack(t *testing.T) {
	p := newPlatform(t)
	body := strings.Replace(webTemplate, `Failing: {Type: String, Default: "true"}`, `Failing: {Type: String, Default: "false"}`, 1)
	status, _ := p.deploy(t, "broken", body)
	if status != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s\n%s", status, p.events(t, "broken"))
	}
	ev := p.events(t, "broken")
	if !strings.Contains(ev, "Web CREATE_FAILED received FAILURE signal with UniqueId i-") {
		t.Errorf("events:\n%s", ev)
	}
	if !strings.Contains(ev, "Web DELETE_COMPLETE") {
		t.Errorf("instance not deleted on rollback:\n%s", ev)
	}
}

const waitTemplate = `
Resources:
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
  Box:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0a2023000000000a1
      InstanceType: t3.micro
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          yum install -y aws-cfn-bootstrap
          /opt/aws/bin/cfn-signal -e 0 -i first -d "from cfn-signal" '${Handle}'
          curl -sSf -X PUT -H 'Content-Type:' --data-binary '{"Status":"SUCCESS","Reason":"ok","UniqueId":"second","Data":"from curl"}' "${Handle}"
  Wait:
    Type: AWS::CloudFormation::WaitCondition
    DependsOn: Box
    Properties:
      Handle: !Ref Handle
      Count: 2
      Timeout: 300
Outputs:
  Data: {Value: !GetAtt Wait.Data}
`

func TestWaitConditionByURL(t *testing.T) {
	p := newPlatform(t)
	status, st := p.deploy(t, "wait", waitTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s\n%s", status, p.events(t, "wait"))
	}
	var data string
	for _, o := range st.Outputs {
		if o.OutputKey == "Data" {
			data = o.OutputValue
		}
	}
	if data != `{"first":"from cfn-signal","second":"from curl"}` {
		t.Errorf("Data = %s", data)
	}
}

func TestWaitConditionFailure(t *testing.T) {
	p := newPlatform(t)
	body := strings.Replace(waitTemplate, "-e 0 -i first", "-e 3 -r 'disk full' -i first", 1)
	status, _ := p.deploy(t, "waitfail", body)
	if status != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s", status)
	}
	if ev := p.events(t, "waitfail"); !strings.Contains(ev, "WaitCondition received failed message: 'disk full' for uniqueId: first") {
		t.Errorf("events:\n%s", ev)
	}
}

func TestWaitConditionHandlerRejectsBadInput(t *testing.T) {
	p := newPlatform(t)
	h := p.tools.WaitConditionHandler()
	for _, tc := range []struct {
		method, body string
		want         int
	}{
		{"GET", "", http.StatusMethodNotAllowed},
		{"PUT", "not json", http.StatusBadRequest},
		{"PUT", `{"Status":"MAYBE","UniqueId":"x"}`, http.StatusBadRequest},
		{"PUT", `{"Status":"SUCCESS","UniqueId":"x"}`, http.StatusOK},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, "https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/x/y/z", strings.NewReader(tc.body)))
		if rec.Code != tc.want {
			t.Errorf("%s %q: %d, want %d", tc.method, tc.body, rec.Code, tc.want)
		}
	}
}
