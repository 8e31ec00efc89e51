package ssm_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/ssm"
	"github.com/devopsim/devopsim/store/memstore"
)

// oneHost is the smallest Fleet: one running instance on a real simulated host.
type oneHost struct{ h *host.Host }

func (f oneHost) Instances(context.Context) ([]ssm.Instance, error) {
	return []ssm.Instance{{ID: f.h.ID(), State: "running", Tags: map[string]string{"Role": "web"}}}, nil
}

func (f oneHost) Instance(_ context.Context, id string) (ssm.Instance, bool, error) {
	return ssm.Instance{ID: id, State: "running"}, id == f.h.ID(), nil
}

func (f oneHost) Host(context.Context, string) (ssm.Host, error) { return f.h, nil }

func Example() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion}
	h := host.New(host.Options{ID: "i-0123456789abcdef0"})
	defer h.Close()
	_ = h.WriteFile("/etc/app.conf", []byte("port=8080\n"), 0o644)

	svc, err := ssm.New(env, ssm.Options{Fleet: oneHost{h},
		PublicParameters: ssm.AMIParameters("ami-0a2023000000000a1", "", "", "")})
	if err != nil {
		panic(err)
	}
	defer svc.Close(ctx)

	// Parameter Store: versions, labels and public parameters.
	svc.PutParameter(ctx, &ssm.PutParameterInput{Name: "/app/port", Value: "8080", Type: "String"})
	svc.PutParameter(ctx, &ssm.PutParameterInput{Name: "/app/port", Value: "9090", Overwrite: true})
	svc.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/app/port", ParameterVersion: 1, Labels: []string{"stable"}})
	latest, _ := svc.Resolve(ctx, "/app/port", false)
	stable, _ := svc.Resolve(ctx, "/app/port:stable", false)
	ami, _ := svc.Resolve(ctx, "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", false)
	fmt.Println(latest, stable, ami)

	// Run Command: the script runs in the host's shell.
	out, err := svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript",
		Targets:    []ssm.Target{{Key: "tag:Role", Values: []string{"web"}}},
		Parameters: map[string][]string{"commands": {"cat /etc/app.conf", "hostname"}}})
	if err != nil {
		panic(err)
	}
	svc.Wait(ctx, out.Command.CommandID)
	inv, _ := svc.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandID: out.Command.CommandID, InstanceID: h.ID()})
	fmt.Print(inv.Status, " ", inv.StandardOutputContent)
	// Output:
	// 9090 8080 ami-0a2023000000000a1
	// Success port=8080
	// localhost
}
