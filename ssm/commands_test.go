package ssm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ssm"
)

func TestSendCommandReadsUserData(t *testing.T) {
	p := newPlatform(t, nil, nil)
	var ids []string
	for i := range 2 {
		h := p.fleet.add(t, map[string]string{"Env": "test"})
		if err := h.WriteFile("/var/lib/cloud/instances/"+h.ID()+"/user-data.txt", fmt.Appendf(nil, "#!/bin/bash\necho host %d\n", i), 0o600); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID())
	}
	cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: ids,
		Parameters: shell(`cat /var/lib/cloud/instances/$AWS_SSM_INSTANCE_ID/user-data.txt`, `echo "region=$AWS_SSM_REGION_NAME user=$(whoami)"`)})
	if cmd.Status != ssm.StatusSuccess || cmd.StatusDetails != ssm.StatusSuccess || cmd.CompletedCount != 2 || cmd.TargetCount != 2 || cmd.ErrorCount != 0 {
		t.Fatalf("command %+v", cmd)
	}
	for i, id := range ids {
		inv := p.invocation(t, cmd.CommandID, id)
		want := fmt.Sprintf("#!/bin/bash\necho host %d\nregion=us-east-1 user=root\n", i)
		if inv.Status != ssm.StatusSuccess || inv.ResponseCode != 0 || inv.StandardOutputContent != want || inv.StandardErrorContent != "" {
			t.Fatalf("invocation %d: %+v", i, inv)
		}
		if inv.PluginName != "aws:runShellScript" || inv.ExecutionStartDateTime == "" || !strings.HasPrefix(inv.ExecutionElapsedTime, "PT") {
			t.Fatalf("invocation times %+v", inv)
		}
	}
}

func TestFailingCommand(t *testing.T) {
	p := newPlatform(t, nil, nil)
	h := p.fleet.add(t, nil)
	cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: []string{h.ID()}, Parameters: shell("echo before", "cat /nope", "exit 3")})
	if cmd.Status != ssm.StatusFailed || cmd.StatusDetails != ssm.StatusFailed || cmd.ErrorCount != 1 {
		t.Fatalf("command %+v", cmd)
	}
	inv := p.invocation(t, cmd.CommandID, h.ID())
	if inv.Status != ssm.StatusFailed || inv.ResponseCode != 3 || inv.StandardOutputContent != "before\n" {
		t.Fatalf("invocation %+v", inv)
	}
	if !strings.Contains(inv.StandardErrorContent, "/nope") || !strings.HasSuffix(inv.StandardErrorContent, "failed to run commands: exit status 3\n") {
		t.Fatalf("stderr %q", inv.StandardErrorContent)
	}
	l, err := p.svc.ListCommandInvocations(context.Background(), &ssm.ListCommandInvocationsInput{CommandID: cmd.CommandID, Details: true})
	if err != nil {
		t.Fatal(err)
	}
	out := l.CommandInvocations[0].CommandPlugins[0].Output
	if !strings.HasPrefix(out, "before\n\n----------ERROR-------\n") || l.CommandInvocations[0].CommandPlugins[0].ResponseCode != 3 {
		t.Fatalf("plugin output %q", out)
	}
}

func TestTargets(t *testing.T) {
	p := newPlatform(t, nil, nil)
	a := p.fleet.add(t, map[string]string{"Env": "prod", "Role": "web"})
	b := p.fleet.add(t, map[string]string{"Env": "prod", "Role": "db"})
	c := p.fleet.add(t, map[string]string{"Env": "dev"})
	d := p.fleet.add(t, map[string]string{"Env": "prod"})
	p.fleet.setState(d.ID(), "terminated")
	tests := []struct {
		name    string
		targets []ssm.Target
		want    []string
	}{
		{"tag", []ssm.Target{{Key: "tag:Env", Values: []string{"prod"}}}, []string{a.ID(), b.ID()}},
		{"tag values or", []ssm.Target{{Key: "tag:Env", Values: []string{"prod", "dev"}}}, []string{a.ID(), b.ID(), c.ID()}},
		{"targets and", []ssm.Target{{Key: "tag:Env", Values: []string{"prod"}}, {Key: "tag:Role", Values: []string{"web"}}}, []string{a.ID()}},
		{"tag-key", []ssm.Target{{Key: "tag-key", Values: []string{"Role"}}}, []string{a.ID(), b.ID()}},
		{"instance ids", []ssm.Target{{Key: "InstanceIds", Values: []string{c.ID()}}}, []string{c.ID()}},
		{"none", []ssm.Target{{Key: "tag:Env", Values: []string{"qa"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := p.run(t, &ssm.SendCommandInput{Targets: tt.targets, Parameters: shell("hostname")})
			l, err := p.svc.ListCommandInvocations(context.Background(), &ssm.ListCommandInvocationsInput{CommandID: cmd.CommandID})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, inv := range l.CommandInvocations {
				got = append(got, inv.InstanceID)
				if inv.Status != ssm.StatusSuccess {
					t.Errorf("%s: %s", inv.InstanceID, inv.Status)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || int(cmd.TargetCount) != len(tt.want) {
				t.Fatalf("targets %v, want %v (count %d)", got, tt.want, cmd.TargetCount)
			}
			if len(tt.want) == 0 && cmd.StatusDetails != ssm.DetailsNoInstancesInTag {
				t.Fatalf("no targets: %+v", cmd)
			}
		})
	}
}

func TestMaxErrorsTerminatesTheRest(t *testing.T) {
	p := newPlatform(t, nil, nil)
	var ids []string
	for range 4 {
		ids = append(ids, p.fleet.add(t, nil).ID())
	}
	cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: ids, MaxConcurrency: "1", MaxErrors: "1", Parameters: shell("exit 1")})
	if cmd.Status != ssm.StatusFailed || cmd.ErrorCount != 2 || cmd.CompletedCount != 4 {
		t.Fatalf("command %+v", cmd)
	}
	want := []string{"Failed", "Failed", "Terminated", "Terminated"}
	for i, id := range ids {
		if inv := p.invocation(t, cmd.CommandID, id); inv.StatusDetails != want[i] {
			t.Fatalf("invocation %d: %s/%s", i, inv.Status, inv.StatusDetails)
		}
	}
	// A percentage: 50% of 4 allows 2 errors, so every instance is tried.
	cmd = p.run(t, &ssm.SendCommandInput{InstanceIDs: ids, MaxConcurrency: "25%", MaxErrors: "50%", Parameters: shell(`[ "$AWS_SSM_INSTANCE_ID" != "` + ids[0] + `" ]`)})
	if cmd.Status != ssm.StatusFailed || cmd.StatusDetails != ssm.DetailsIncomplete || cmd.ErrorCount != 1 {
		t.Fatalf("incomplete command %+v", cmd)
	}
}

func TestUndeliverableAndDelayed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPlatform(t, nil, nil)
		ctx := context.Background()
		gone := p.fleet.add(t, nil)
		stopped := p.fleet.add(t, nil)
		p.fleet.setState(gone.ID(), "terminated")
		p.fleet.setState(stopped.ID(), "stopped")
		out, err := p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{gone.ID(), stopped.ID()},
			Parameters: shell("echo delivered"), TimeoutSeconds: 300})
		if err != nil {
			t.Fatal(err)
		}
		id := out.Command.CommandID
		synctest.Wait()
		if inv := p.invocation(t, id, gone.ID()); inv.Status != ssm.StatusFailed || inv.StatusDetails != ssm.DetailsUndeliverable || inv.ResponseCode != -1 {
			t.Fatalf("terminated instance: %+v", inv)
		}
		if inv := p.invocation(t, id, stopped.ID()); inv.Status != ssm.StatusDelayed {
			t.Fatalf("stopped instance: %+v", inv)
		}
		time.Sleep(100 * time.Second)
		p.fleet.setState(stopped.ID(), "running")
		if err := p.svc.Wait(ctx, id); err != nil {
			t.Fatal(err)
		}
		if inv := p.invocation(t, id, stopped.ID()); inv.Status != ssm.StatusSuccess || inv.StandardOutputContent != "delivered\n" {
			t.Fatalf("started instance: %+v", inv)
		}
		l, _ := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{CommandID: id})
		if c := l.Commands[0]; c.Status != ssm.StatusFailed || c.StatusDetails != ssm.DetailsIncomplete || c.ErrorCount != 0 {
			t.Fatalf("command %+v", c)
		}

		// Never started: the delivery timeout runs out.
		out, err = p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{stopped.ID()},
			Parameters: shell("true"), TimeoutSeconds: 60})
		if err != nil {
			t.Fatal(err)
		}
		p.fleet.setState(stopped.ID(), "stopped")
		start := time.Now()
		if err := p.svc.Wait(ctx, out.Command.CommandID); err != nil {
			t.Fatal(err)
		}
		inv := p.invocation(t, out.Command.CommandID, stopped.ID())
		if inv.Status != ssm.StatusTimedOut || inv.StatusDetails != ssm.DetailsDeliveryTimedOut || time.Since(start) > 61*time.Second {
			t.Fatalf("delivery timeout: %+v after %v", inv, time.Since(start))
		}
		l, _ = p.svc.ListCommands(ctx, &ssm.ListCommandsInput{CommandID: out.Command.CommandID})
		if c := l.Commands[0]; c.Status != ssm.StatusTimedOut || c.StatusDetails != ssm.DetailsDeliveryTimedOut || c.DeliveryTimedOutCount != 1 {
			t.Fatalf("command %+v", c)
		}
	})
}

func TestExecutionTimeoutAndCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPlatform(t, nil, nil)
		ctx := context.Background()
		h := p.fleet.add(t, nil)
		start := time.Now()
		cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: []string{h.ID()},
			Parameters: map[string][]string{"commands": {"echo start", "sleep 600", "echo never"}, "executionTimeout": {"30"}}})
		if took := time.Since(start); took != 30*time.Second {
			t.Fatalf("timed out after %v", took)
		}
		inv := p.invocation(t, cmd.CommandID, h.ID())
		if cmd.Status != ssm.StatusTimedOut || cmd.StatusDetails != ssm.DetailsExecutionTimedOut || inv.Status != ssm.StatusTimedOut ||
			inv.StatusDetails != ssm.DetailsExecutionTimedOut || inv.ResponseCode != 137 || inv.StandardOutputContent != "start\n" {
			t.Fatalf("timeout: command %+v invocation %+v", cmd, inv)
		}

		out, err := p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{h.ID()},
			Parameters: shell("sleep 600")})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if inv := p.invocation(t, out.Command.CommandID, h.ID()); inv.Status != ssm.StatusInProgress {
			t.Fatalf("before cancel: %+v", inv)
		}
		if _, err := p.svc.CancelCommand(ctx, &ssm.CancelCommandInput{CommandID: out.Command.CommandID}); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.Wait(ctx, out.Command.CommandID); err != nil {
			t.Fatal(err)
		}
		l, _ := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{CommandID: out.Command.CommandID})
		inv = p.invocation(t, out.Command.CommandID, h.ID())
		if l.Commands[0].Status != ssm.StatusCancelled || inv.Status != ssm.StatusCancelled {
			t.Fatalf("cancel: %+v %+v", l.Commands[0], inv)
		}
		// Cancelling a finished command is a no-op; an unknown one is an error.
		if _, err := p.svc.CancelCommand(ctx, &ssm.CancelCommandInput{CommandID: out.Command.CommandID}); err != nil {
			t.Fatal(err)
		}
		_, err = p.svc.CancelCommand(ctx, &ssm.CancelCommandInput{CommandID: "00000000-0000-0000-0000-000000000000"})
		if !errors.Is(err, ssm.ErrInvalidCommandID) {
			t.Fatalf("unknown command: %v", err)
		}
	})
}

func TestCancelPendingInvocation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPlatform(t, nil, nil)
		ctx := context.Background()
		a, b := p.fleet.add(t, nil), p.fleet.add(t, nil)
		out, err := p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{a.ID(), b.ID()},
			MaxConcurrency: "1", Parameters: shell("sleep 100")})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if _, err := p.svc.CancelCommand(ctx, &ssm.CancelCommandInput{CommandID: out.Command.CommandID, InstanceIDs: []string{b.ID()}}); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.Wait(ctx, out.Command.CommandID); err != nil {
			t.Fatal(err)
		}
		if inv := p.invocation(t, out.Command.CommandID, a.ID()); inv.Status != ssm.StatusSuccess {
			t.Fatalf("a: %+v", inv)
		}
		if inv := p.invocation(t, out.Command.CommandID, b.ID()); inv.Status != ssm.StatusCancelled || inv.ResponseCode != -1 {
			t.Fatalf("b: %+v", inv)
		}
	})
}

func TestOutputLimitsS3AndCloudWatch(t *testing.T) {
	p := newPlatform(t, nil, nil)
	ctx := context.Background()
	if err := p.env.Objects.CreateBucket(ctx, "cmd-output"); err != nil {
		t.Fatal(err)
	}
	h := p.fleet.add(t, nil)
	script := `i=0; while [ $i -lt 3000 ]; do echo "line $i 0123456789"; i=$((i+1)); done; echo oops >&2`
	cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: []string{h.ID()}, Parameters: shell(script),
		OutputS3BucketName: "cmd-output", OutputS3KeyPrefix: "runs",
		CloudWatchOutputConfig: &ssm.CloudWatchOutputConfig{CloudWatchOutputEnabled: true}})
	inv := p.invocation(t, cmd.CommandID, h.ID())
	if len(inv.StandardOutputContent) != 24000 || !strings.HasSuffix(inv.StandardOutputContent, "\n---Output truncated---") {
		t.Fatalf("stdout %d bytes, ends %q", len(inv.StandardOutputContent), inv.StandardOutputContent[len(inv.StandardOutputContent)-40:])
	}
	key := "runs/" + cmd.CommandID + "/" + h.ID() + "/awsrunShellScript/0.awsrunShellScript/stdout"
	full, err := p.env.Objects.GetObject(ctx, "cmd-output", key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(full), "line 2999 0123456789\n") || strings.Count(string(full), "\n") != 3000 {
		t.Fatalf("S3 output %d bytes", len(full))
	}
	if inv.StandardOutputURL != "https://s3.us-east-1.amazonaws.com/cmd-output/"+key {
		t.Fatalf("url %q", inv.StandardOutputURL)
	}
	lines := p.logs.lines("/aws/ssm/AWS-RunShellScript:" + cmd.CommandID + "/" + h.ID() + "/aws-runShellScript/stdout")
	if len(lines) != 3000 || lines[2999] != "line 2999 0123456789" {
		t.Fatalf("cloudwatch: %d lines", len(lines))
	}
	if errs := p.logs.lines("/aws/ssm/AWS-RunShellScript:" + cmd.CommandID + "/" + h.ID() + "/aws-runShellScript/stderr"); len(errs) != 1 || errs[0] != "oops" {
		t.Fatalf("cloudwatch stderr: %q", errs)
	}
	l, err := p.svc.ListCommandInvocations(ctx, &ssm.ListCommandInvocationsInput{CommandID: cmd.CommandID, Details: true})
	if err != nil {
		t.Fatal(err)
	}
	plugin := l.CommandInvocations[0].CommandPlugins[0]
	if len(plugin.Output) > 2500 || !strings.Contains(plugin.Output, "---Output truncated---\n----------ERROR-------\noops") {
		t.Fatalf("plugin output %d: %q", len(plugin.Output), plugin.Output[len(plugin.Output)-80:])
	}
	if plugin.OutputS3KeyPrefix != "runs/"+cmd.CommandID+"/"+h.ID()+"/awsrunShellScript" {
		t.Fatalf("prefix %q", plugin.OutputS3KeyPrefix)
	}
}

func TestWorkingDirectoryAndEnvironment(t *testing.T) {
	p := newPlatform(t, nil, nil)
	h := p.fleet.add(t, nil)
	cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: []string{h.ID()}, Parameters: shell("pwd")})
	inv := p.invocation(t, cmd.CommandID, h.ID())
	want := "/var/lib/amazon/ssm/" + h.ID() + "/document/orchestration/" + cmd.CommandID + "/awsrunShellScript/0.awsrunShellScript\n"
	if inv.StandardOutputContent != want {
		t.Fatalf("got %q want %q", inv.StandardOutputContent, want)
	}
	cmd = p.run(t, &ssm.SendCommandInput{InstanceIDs: []string{h.ID()}, Parameters: map[string][]string{"commands": {"pwd", "touch made-here"}, "workingDirectory": {"/tmp"}}})
	if inv := p.invocation(t, cmd.CommandID, h.ID()); inv.StandardOutputContent != "/tmp\n" {
		t.Fatalf("workingDirectory: %q", inv.StandardOutputContent)
	}
	if _, err := h.ReadFile("/tmp/made-here"); err != nil {
		t.Fatal("the script did not run on the host:", err)
	}
}

func TestSendCommandErrors(t *testing.T) {
	p := newPlatform(t, nil, nil)
	h := p.fleet.add(t, nil)
	ids := []string{h.ID()}
	tests := []struct {
		name string
		in   ssm.SendCommandInput
		want error
	}{
		{"no document", ssm.SendCommandInput{InstanceIDs: ids, Parameters: shell("true")}, ssm.ErrValidation},
		{"other document", ssm.SendCommandInput{DocumentName: "AWS-RunPowerShellScript", InstanceIDs: ids, Parameters: shell("true")}, ssm.ErrInvalidDocument},
		{"bad version", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", DocumentVersion: "7", InstanceIDs: ids, Parameters: shell("true")}, ssm.ErrInvalidDocumentVersion},
		{"no commands", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids}, ssm.ErrInvalidParameters},
		{"unknown parameter", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, Parameters: map[string][]string{"commands": {"x"}, "foo": {"y"}}}, ssm.ErrInvalidParameters},
		{"bad timeout", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, Parameters: map[string][]string{"commands": {"x"}, "executionTimeout": {"0"}}}, ssm.ErrInvalidParameters},
		{"huge timeout", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, Parameters: map[string][]string{"commands": {"x"}, "executionTimeout": {"172801"}}}, ssm.ErrInvalidParameters},
		{"no targets", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", Parameters: shell("true")}, ssm.ErrValidation},
		{"both", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, Targets: []ssm.Target{{Key: "tag:a", Values: []string{"b"}}}, Parameters: shell("true")}, ssm.ErrValidation},
		{"unknown instance", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{"i-0123456789abcdef0"}, Parameters: shell("true")}, ssm.ErrInvalidInstanceID},
		{"malformed instance", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{"web-1"}, Parameters: shell("true")}, ssm.ErrInvalidInstanceID},
		{"bad concurrency", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, MaxConcurrency: "0", Parameters: shell("true")}, ssm.ErrValidation},
		{"bad errors", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, MaxErrors: "101%", Parameters: shell("true")}, ssm.ErrValidation},
		{"bad delivery timeout", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, TimeoutSeconds: 10, Parameters: shell("true")}, ssm.ErrValidation},
		{"resource group", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", Targets: []ssm.Target{{Key: "resource-groups:Name", Values: []string{"g"}}}, Parameters: shell("true")}, ssm.ErrInvalidTarget},
		{"bad target key", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", Targets: []ssm.Target{{Key: "Name", Values: []string{"g"}}}, Parameters: shell("true")}, ssm.ErrInvalidTarget},
		{"bad log group", ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, Parameters: shell("true"), CloudWatchOutputConfig: &ssm.CloudWatchOutputConfig{CloudWatchOutputEnabled: true, CloudWatchLogGroupName: "bad group!"}}, ssm.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.svc.SendCommand(context.Background(), &tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	ctx := context.Background()
	_, err := p.svc.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandID: "short", InstanceID: h.ID()})
	if !errors.Is(err, ssm.ErrValidation) {
		t.Fatal(err)
	}
	_, err = p.svc.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandID: "00000000-0000-0000-0000-000000000000", InstanceID: h.ID()})
	if !errors.Is(err, ssm.ErrInvalidCommandID) {
		t.Fatal(err)
	}
	cmd := p.run(t, &ssm.SendCommandInput{InstanceIDs: ids, Parameters: shell("true")})
	_, err = p.svc.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandID: cmd.CommandID, InstanceID: "i-0000000000000000f"})
	if !errors.Is(err, ssm.ErrInvocationDoesNotExist) {
		t.Fatal(err)
	}
	_, err = p.svc.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandID: cmd.CommandID, InstanceID: h.ID(), PluginName: "aws:runPowerShellScript"})
	if !errors.Is(err, ssm.ErrInvalidPluginName) {
		t.Fatal(err)
	}
}

func TestListCommands(t *testing.T) {
	p := newPlatform(t, nil, nil)
	ctx := context.Background()
	a, b := p.fleet.add(t, nil), p.fleet.add(t, nil)
	var sent []string
	for i := range 5 {
		ids := []string{a.ID()}
		if i%2 == 0 {
			ids = append(ids, b.ID())
		}
		c := p.run(t, &ssm.SendCommandInput{InstanceIDs: ids, Parameters: shell(fmt.Sprintf("exit %d", i%2)), Comment: fmt.Sprint("run ", i)})
		sent = append(sent, c.CommandID)
	}
	var got []string
	token := ""
	for {
		l, err := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{MaxResults: 2, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range l.Commands {
			got = append(got, c.CommandID)
		}
		if token = l.NextToken; token == "" {
			break
		}
	}
	if len(got) != 5 {
		t.Fatalf("listed %d commands", len(got))
	}
	l, err := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{InstanceID: b.ID()})
	if err != nil || len(l.Commands) != 3 {
		t.Fatalf("by instance: %d %v", len(l.Commands), err)
	}
	l, err = p.svc.ListCommands(ctx, &ssm.ListCommandsInput{Filters: []ssm.CommandFilter{{Key: "Status", Value: "Failed"}}})
	if err != nil || len(l.Commands) != 2 {
		t.Fatalf("failed: %d %v", len(l.Commands), err)
	}
	l, err = p.svc.ListCommands(ctx, &ssm.ListCommandsInput{Filters: []ssm.CommandFilter{{Key: "ExecutionStage", Value: "Complete"}, {Key: "InvokedAfter", Value: "2000-01-01T00:00:00Z"}}})
	if err != nil || len(l.Commands) != 5 {
		t.Fatalf("complete: %d %v", len(l.Commands), err)
	}
	if _, err := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{Filters: []ssm.CommandFilter{{Key: "Color", Value: "red"}}}); !errors.Is(err, ssm.ErrValidation) {
		t.Fatal(err)
	}
	if _, err := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{NextToken: "!!"}); !errors.Is(err, ssm.ErrInvalidNextToken) {
		t.Fatal(err)
	}
	li, err := p.svc.ListCommandInvocations(ctx, &ssm.ListCommandInvocationsInput{InstanceID: a.ID(), MaxResults: 50})
	if err != nil || len(li.CommandInvocations) != 5 || li.CommandInvocations[0].CommandPlugins != nil {
		t.Fatalf("invocations of a: %d %v", len(li.CommandInvocations), err)
	}
	li, err = p.svc.ListCommandInvocations(ctx, &ssm.ListCommandInvocationsInput{CommandID: sent[0]})
	if err != nil || len(li.CommandInvocations) != 2 {
		t.Fatalf("invocations of first: %+v %v", li, err)
	}
}

func TestDescribeInstanceInformation(t *testing.T) {
	p := newPlatform(t, nil, nil)
	ctx := context.Background()
	a := p.fleet.add(t, map[string]string{"Env": "prod"})
	b := p.fleet.add(t, nil)
	c := p.fleet.add(t, nil)
	p.fleet.setState(b.ID(), "stopped")
	p.fleet.setState(c.ID(), "terminated")
	out, err := p.svc.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.InstanceInformationList) != 2 {
		t.Fatalf("%+v", out.InstanceInformationList)
	}
	ia, ib := out.InstanceInformationList[0], out.InstanceInformationList[1]
	if ia.InstanceID != a.ID() || ia.PingStatus != "Online" || ia.PlatformType != "Linux" || ia.PlatformName != "Amazon Linux" || ia.ResourceType != "EC2Instance" || ia.IPAddress == "" {
		t.Fatalf("a: %+v", ia)
	}
	if ib.PingStatus != "ConnectionLost" {
		t.Fatalf("b: %+v", ib)
	}
	for _, f := range [][]ssm.InstanceInformationStringFilter{
		{{Key: "PingStatus", Values: []string{"Online"}}},
		{{Key: "tag:Env", Values: []string{"prod"}}},
		{{Key: "InstanceIds", Values: []string{a.ID()}}},
	} {
		out, err := p.svc.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{Filters: f})
		if err != nil || len(out.InstanceInformationList) != 1 || out.InstanceInformationList[0].InstanceID != a.ID() {
			t.Fatalf("filter %+v: %+v %v", f, out, err)
		}
	}
	out, err = p.svc.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{InstanceInformationFilterList: []ssm.InstanceInformationFilter{{Key: "PingStatus", ValueSet: []string{"ConnectionLost"}}}})
	if err != nil || len(out.InstanceInformationList) != 1 || out.InstanceInformationList[0].InstanceID != b.ID() {
		t.Fatalf("old filter: %+v %v", out, err)
	}
	_, err = p.svc.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{Filters: []ssm.InstanceInformationStringFilter{{Key: "Color", Values: []string{"x"}}}})
	if !errors.Is(err, ssm.ErrInvalidInstanceInfoFilter) {
		t.Fatal(err)
	}
	_, err = p.svc.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{MaxResults: 2})
	if !errors.Is(err, apierr.Invalid) {
		t.Fatal(err)
	}
}

// TestConcurrentUse drives commands and parameters from many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	p := newPlatform(t, nil, nil)
	ctx := context.Background()
	var ids []string
	for range 3 {
		ids = append(ids, p.fleet.add(t, nil).ID())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 8 {
		wg.Go(func() {
			for i := range 5 {
				name := fmt.Sprintf("/conc/g%d/p", g)
				if _, err := p.svc.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Value: fmt.Sprint(i), Type: "String", Overwrite: true}); err != nil {
					errs <- err
					return
				}
				if _, err := p.svc.PutParameter(ctx, &ssm.PutParameterInput{Name: "/conc/shared", Value: fmt.Sprint(g), Type: "String", Overwrite: true}); err != nil {
					errs <- err
					return
				}
				out, err := p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: ids, Parameters: shell("echo " + fmt.Sprint(g, i))})
				if err != nil {
					errs <- err
					return
				}
				if g%3 == 0 {
					_, _ = p.svc.CancelCommand(ctx, &ssm.CancelCommandInput{CommandID: out.Command.CommandID})
				}
				if _, err := p.svc.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: "/conc", Recursive: true}); err != nil {
					errs <- err
					return
				}
				if _, err := p.svc.ListCommandInvocations(ctx, &ssm.ListCommandInvocationsInput{CommandID: out.Command.CommandID, Details: true}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := p.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := p.svc.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: "/conc/shared"})
	if err != nil || len(h.Parameters) != 40 || h.Parameters[39].Version != 40 {
		t.Fatalf("shared history: %d %v", len(h.Parameters), err)
	}
	l, err := p.svc.ListCommands(ctx, &ssm.ListCommandsInput{Filters: []ssm.CommandFilter{{Key: "ExecutionStage", Value: "Executing"}}})
	if err != nil || len(l.Commands) != 0 {
		t.Fatalf("still executing: %d %v", len(l.Commands), err)
	}
}
