package ssm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ssm"
)

// checkAPIError fails unless err is nil or a client error with an AWS code.
func checkAPIError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind == apierr.Internal || e.Code == "" {
		t.Fatalf("%s: not a client API error: %v", what, err)
	}
}

// FuzzParameterNames feeds untrusted names, references (selectors, ARNs) and paths to every
// operation that parses them.
func FuzzParameterNames(f *testing.F) {
	for _, s := range []string{
		"/app/db/url", "plain", "/app/db/url:3", "/app/db/url:prod", "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url:2",
		"arn:aws:ssm:us-east-1:000000000000:parameter/top", "arn:aws:s3:::bucket", "/", "//", "/a//b", "/a/b/", "a/b", "/aws/service/x",
		"/ssm/x", "AWSx", "name:", "name::", "name:0", "name:-1", "name:99999999999999999999", "/é/ü", "/a b", strings.Repeat("/l", 16),
		"/" + strings.Repeat("x", 1100), ":", "arn:", "arn:aws:ssm:r:a:parameter", "/aws", "\x00", "/app/%2F",
	} {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name string) {
		// A fresh service per input keeps executions independent (and minimizable).
		p := newPlatform(t, nil, nil)
		if _, err := p.svc.PutParameter(ctx, &ssm.PutParameterInput{Name: "/app/db/url", Value: "v", Type: "String"}); err != nil {
			t.Fatal(err)
		}
		_, err := p.svc.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Value: "v", Type: "String", Overwrite: true})
		checkAPIError(t, "PutParameter", err)
		if err == nil {
			g, err := p.svc.GetParameter(ctx, &ssm.GetParameterInput{Name: name})
			if err != nil || g.Parameter.Value != "v" {
				t.Fatalf("put %q but get: %+v %v", name, g, err)
			}
		}
		_, err = p.svc.GetParameter(ctx, &ssm.GetParameterInput{Name: name})
		checkAPIError(t, "GetParameter", err)
		_, err = p.svc.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{name}})
		checkAPIError(t, "GetParameters", err)
		_, err = p.svc.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: name, Recursive: true})
		checkAPIError(t, "GetParametersByPath", err)
		_, err = p.svc.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: name})
		checkAPIError(t, "GetParameterHistory", err)
		_, err = p.svc.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: name, Labels: []string{name}})
		checkAPIError(t, "LabelParameterVersion", err)
		_, err = p.svc.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Path", Values: []string{name}}}})
		checkAPIError(t, "DescribeParameters", err)
		_, err = p.svc.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "Parameter", ResourceID: name})
		checkAPIError(t, "ListTagsForResource", err)
		_, err = p.svc.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: name})
		checkAPIError(t, "DeleteParameter", err)
	})
}

// FuzzAllowedPattern checks that any pattern and value give a result or an AWS error.
func FuzzAllowedPattern(f *testing.F) {
	for _, s := range [][2]string{
		{`^\d+$`, "123"}, {`\d+`, "12a"}, {`[a-z`, "a"}, {`(a|b)*c`, "ababc"}, {`^.{1,4}$`, "toolong"},
		{`(?i)yes|no`, "YES"}, {`a{1001}`, "a"}, {`(a*)*$`, strings.Repeat("a", 40) + "b"}, {`\p{Greek}+`, "αβ"},
		{`(?<name>x)`, "x"}, {`(?=x)`, "x"}, {`\1`, "x"}, {"", "v"}, {strings.Repeat("a", 1025), "a"},
	} {
		f.Add(s[0], s[1])
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, pattern, value string) {
		p := newPlatform(t, nil, nil)
		_, err := p.svc.PutParameter(ctx, &ssm.PutParameterInput{Name: "/fuzz/pattern", Value: value, Type: "String", AllowedPattern: pattern, Overwrite: true})
		checkAPIError(t, "PutParameter", err)
		_, err = p.svc.PutParameter(ctx, &ssm.PutParameterInput{Name: "/fuzz/pattern", Value: value + "x", Overwrite: true})
		checkAPIError(t, "PutParameter overwrite", err)
	})
}

// FuzzSendCommandParameters feeds untrusted document parameters and concurrency settings.
func FuzzSendCommandParameters(f *testing.F) {
	for _, s := range [][4]string{
		{"echo hi", "", "60", "50"}, {"exit 3", "/tmp", "1", "1"}, {"", "", "", ""}, {"x", "", "abc", "10%"},
		{"x", "", "172801", "0"}, {"x", "/nope", " 5 ", "100%"}, {"x", "", "-1", "101%"}, {"echo $((1/0))", "", "3", "7"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	p := newPlatform(f, nil, nil)
	h := p.fleet.add(f, nil)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, command, dir, timeout, conc string) {
		params := map[string][]string{"commands": {command}}
		if dir != "" {
			params["workingDirectory"] = []string{dir}
		}
		if timeout != "" {
			params["executionTimeout"] = []string{timeout}
		}
		out, err := p.svc.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: "AWS-RunShellScript", InstanceIDs: []string{h.ID()},
			Parameters: params, MaxConcurrency: conc, MaxErrors: conc})
		checkAPIError(t, "SendCommand", err)
		if err == nil {
			if err := p.svc.Wait(ctx, out.Command.CommandID); err != nil {
				t.Fatal(err)
			}
		}
	})
}
