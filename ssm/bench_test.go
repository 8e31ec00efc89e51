package ssm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/devopsim/devopsim/ssm"
)

func BenchmarkGetParameter(b *testing.B) {
	p := newPlatform(b, nil, nil)
	ctx := context.Background()
	put(b, p.svc, &ssm.PutParameterInput{Name: "/bench/db/url", Value: "postgres://db:5432/app", Type: "String"})
	in := &ssm.GetParameterInput{Name: "/bench/db/url"}
	for b.Loop() {
		if _, err := p.svc.GetParameter(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveSecureStringLabel(b *testing.B) {
	p := newPlatform(b, nil, nil)
	ctx := context.Background()
	put(b, p.svc, &ssm.PutParameterInput{Name: "/bench/secret", Value: "s3cret", Type: "SecureString"})
	if _, err := p.svc.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/bench/secret", Labels: []string{"prod"}}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.svc.Resolve(ctx, "/bench/secret:prod", true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutParameterOverwrite(b *testing.B) {
	p := newPlatform(b, nil, nil)
	ctx := context.Background()
	in := &ssm.PutParameterInput{Name: "/bench/counter", Value: "v", Type: "String", Overwrite: true}
	for b.Loop() {
		if _, err := p.svc.PutParameter(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParametersByPath(b *testing.B) {
	p := newPlatform(b, nil, nil)
	ctx := context.Background()
	for i := range 1000 {
		put(b, p.svc, &ssm.PutParameterInput{Name: fmt.Sprintf("/svc%d/conf/key%d", i%10, i), Value: "v", Type: "String"})
	}
	in := &ssm.GetParametersByPathInput{Path: "/svc3", Recursive: true}
	for b.Loop() {
		if _, err := p.svc.GetParametersByPath(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunCommand is SendCommand to one host, run in its shell, waited for and read back.
func BenchmarkRunCommand(b *testing.B) {
	p := newPlatform(b, nil, nil)
	ctx := context.Background()
	h := p.fleet.add(b, nil)
	in := &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{h.ID()}, Parameters: shell("echo hello")}
	for b.Loop() {
		out, err := p.svc.SendCommand(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.svc.Wait(ctx, out.Command.CommandID); err != nil {
			b.Fatal(err)
		}
		inv, err := p.svc.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandID: out.Command.CommandID, InstanceID: h.ID()})
		if err != nil || inv.StandardOutputContent != "hello\n" {
			b.Fatal(inv, err)
		}
	}
}

// BenchmarkRunCommandFleet sends one command to 20 hosts.
func BenchmarkRunCommandFleet(b *testing.B) {
	p := newPlatform(b, nil, nil)
	ctx := context.Background()
	for range 20 {
		p.fleet.add(b, map[string]string{"Role": "web"})
	}
	in := &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", Targets: []ssm.Target{{Key: "tag:Role", Values: []string{"web"}}}, Parameters: shell("uname -a")}
	for b.Loop() {
		out, err := p.svc.SendCommand(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.svc.Wait(ctx, out.Command.CommandID); err != nil {
			b.Fatal(err)
		}
	}
}
