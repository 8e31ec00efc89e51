package cfnhost_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/cfnhost"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/internal/s3obj"
	"github.com/devopsim/devopsim/store/memstore"
)

// A host runs cfn-init against a stack resource's AWS::CloudFormation::Init metadata.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Objects: s3obj.NewMemory(clock.Real()), Account: core.DefaultAccount, Region: core.DefaultRegion}
	cf, _ := cloudformation.New(env, cloudformation.Options{})
	defer cf.Close(ctx)

	tools := cfnhost.New(cfnhost.Options{})
	h := host.New(host.Options{ID: "i-0example", Commands: tools.Commands(), Packages: tools.Packages(),
		Metadata: host.Metadata{InstanceID: "i-0example", AccountID: core.DefaultAccount, Region: core.DefaultRegion}})
	defer h.Close()
	tools.Attach(cf)

	_, _ = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: "demo", TemplateBody: `
Resources:
  Config:
    Type: AWS::CloudFormation::WaitConditionHandle
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/motd: {content: "managed by cfn-init\n"}
          commands:
            01_hello: {command: "echo hello > /tmp/hello"}
`})
	_, _ = cf.WaitStack(ctx, "demo")
	_, stderr, code, _ := h.Exec(ctx, "yum install -y aws-cfn-bootstrap >/dev/null && /opt/aws/bin/cfn-init -v --stack demo --resource Config")
	motd, _ := h.ReadFile("/etc/motd")
	fmt.Printf("exit %d%s\n%s", code, stderr, motd)
	// Output:
	// exit 0
	// managed by cfn-init
}
