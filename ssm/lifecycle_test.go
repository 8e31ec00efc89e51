package ssm_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/ssm"
)

func TestCloseStopsRunningCommands(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPlatform(t, nil, nil)
		ctx := context.Background()
		h := p.fleet.add(t, nil)
		out, err := p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{h.ID()}, Parameters: shell("sleep 3000")})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		start := time.Now()
		if err := p.svc.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) != 0 {
			t.Fatalf("Close waited %v", time.Since(start))
		}
		if inv := p.invocation(t, out.Command.CommandID, h.ID()); inv.Status != ssm.StatusCancelled {
			t.Fatalf("after Close: %+v", inv)
		}
		if _, err := p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{h.ID()}, Parameters: shell("true")}); err == nil {
			t.Fatal("SendCommand after Close succeeded")
		}
	})
}

func TestEvents(t *testing.T) {
	p := newPlatform(t, nil, nil)
	var mu sync.Mutex
	seen := map[string][]map[string]string{}
	awstest.Bus(p.env).Subscribe(func(_ context.Context, e eventbus.Event) {
		var d map[string]string
		_ = json.Unmarshal(e.Detail, &d)
		mu.Lock()
		seen[e.DetailType] = append(seen[e.DetailType], d)
		mu.Unlock()
	})
	h := p.fleet.add(t, nil)
	put(t, p.svc, &ssm.PutParameterInput{Name: "/ev", Value: "1", Type: "String"})
	put(t, p.svc, &ssm.PutParameterInput{Name: "/ev", Value: "2", Overwrite: true})
	if _, err := p.svc.DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: "/ev"}); err != nil {
		t.Fatal(err)
	}
	cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: []string{h.ID()}, Parameters: shell("true")})
	mu.Lock()
	defer mu.Unlock()
	var ops []string
	for _, d := range seen["Parameter Store Change"] {
		ops = append(ops, d["operation"])
	}
	if len(ops) != 3 || ops[0] != "Create" || ops[1] != "Update" || ops[2] != "Delete" {
		t.Fatalf("parameter events %v", ops)
	}
	cmds := seen["EC2 Command Status-change Notification"]
	if len(cmds) < 3 || cmds[0]["status"] != "Pending" || cmds[len(cmds)-1]["status"] != "Success" || cmds[0]["command-id"] != cmd.CommandID {
		t.Fatalf("command events %v", cmds)
	}
	invs := seen["EC2 Command Invocation Status-change Notification"]
	if len(invs) != 2 || invs[1]["status"] != "Success" || invs[1]["instance-id"] != h.ID() {
		t.Fatalf("invocation events %v", invs)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	env := awstest.Env(t)
	fl := newFleet(env.Clock)
	h := fl.add(t, nil)
	ctx := context.Background()
	svc, err := ssm.New(env, ssm.Options{Fleet: fl, MaxStandardParameters: 2})
	if err != nil {
		t.Fatal(err)
	}
	put(t, svc, &ssm.PutParameterInput{Name: "/keep", Value: "1", Type: "String"})
	put(t, svc, &ssm.PutParameterInput{Name: "/keep2", Value: "1", Type: "String"})
	out, err := svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{h.ID()}, Parameters: shell("echo kept")})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Wait(ctx, out.Command.CommandID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err = ssm.New(env, ssm.Options{Fleet: fl, MaxStandardParameters: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close(ctx)
	if v, err := svc.Resolve(ctx, "/keep", false); err != nil || v != "1" {
		t.Fatalf("%q %v", v, err)
	}
	if _, err := svc.PutParameter(ctx, &ssm.PutParameterInput{Name: "/third", Value: "1", Type: "String"}); !errors.Is(err, ssm.ErrParameterLimitExceeded) {
		t.Fatalf("limit after restart: %v", err)
	}
	inv, err := svc.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandID: out.Command.CommandID, InstanceID: h.ID()})
	if err != nil || inv.StandardOutputContent != "kept\n" {
		t.Fatalf("%+v %v", inv, err)
	}
}
