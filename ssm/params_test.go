package ssm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ssm"
)

func put(t testing.TB, s *ssm.Service, in *ssm.PutParameterInput) *ssm.PutParameterOutput {
	t.Helper()
	out, err := s.PutParameter(context.Background(), in)
	if err != nil {
		t.Fatalf("PutParameter %s: %v", in.Name, err)
	}
	return out
}

func TestParameterVersionsAndLabels(t *testing.T) {
	p := newPlatform(t, nil, nil)
	s, ctx := p.svc, context.Background()
	for i := 1; i <= 3; i++ {
		out := put(t, s, &ssm.PutParameterInput{Name: "/app/db/url", Value: fmt.Sprint("v", i), Type: "String", Overwrite: i > 1, Description: "db"})
		if out.Version != int64(i) || out.Tier != "Standard" {
			t.Fatalf("put %d: %+v", i, out)
		}
	}
	if _, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: "/app/db/url", Value: "x", Type: "String"}); !errors.Is(err, ssm.ErrParameterAlreadyExists) {
		t.Fatal(err)
	}
	lab, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/app/db/url", ParameterVersion: 2, Labels: []string{"prod", "1bad", "awsx", "ok.label"}})
	if err != nil || lab.ParameterVersion != 2 || !slices.Equal(lab.InvalidLabels, []string{"1bad", "awsx"}) {
		t.Fatalf("label: %+v %v", lab, err)
	}
	tests := []struct {
		ref     string
		value   string
		version int64
		sel     string
		err     error
	}{
		{"/app/db/url", "v3", 3, "", nil},
		{"/app/db/url:1", "v1", 1, ":1", nil},
		{"/app/db/url:prod", "v2", 2, ":prod", nil},
		{"arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url:ok.label", "v2", 2, ":ok.label", nil},
		{"/app/db/url:9", "", 0, "", ssm.ErrParameterVersionNotFound},
		{"/app/db/url:staging", "", 0, "", ssm.ErrParameterNotFound},
		{"/app/db/url:1:2", "", 0, "", ssm.ErrValidation},
		{"/app/db/nope", "", 0, "", ssm.ErrParameterNotFound},
		{"", "", 0, "", ssm.ErrValidation},
	}
	for _, tt := range tests {
		out, err := s.GetParameter(ctx, &ssm.GetParameterInput{Name: tt.ref})
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: got %v want %v", tt.ref, err, tt.err)
			}
			continue
		}
		if err != nil || out.Parameter.Value != tt.value || out.Parameter.Version != tt.version || out.Parameter.Selector != tt.sel || out.Parameter.Name != "/app/db/url" {
			t.Errorf("%s: %+v %v", tt.ref, out, err)
		}
	}
	// Moving a label to the latest version.
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/app/db/url", Labels: []string{"prod"}}); err != nil {
		t.Fatal(err)
	}
	h, err := s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: "/app/db/url"})
	if err != nil || len(h.Parameters) != 3 {
		t.Fatal(err)
	}
	if !slices.Equal(h.Parameters[1].Labels, []string{"ok.label"}) || !slices.Equal(h.Parameters[2].Labels, []string{"prod"}) || h.Parameters[0].Description != "db" {
		t.Fatalf("history %+v", h.Parameters)
	}
	un, err := s.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: "/app/db/url", ParameterVersion: 3, Labels: []string{"prod", "nope"}})
	if err != nil || !slices.Equal(un.RemovedLabels, []string{"prod"}) || !slices.Equal(un.InvalidLabels, []string{"nope"}) {
		t.Fatalf("unlabel %+v %v", un, err)
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/app/db/url", ParameterVersion: 7, Labels: []string{"x"}}); !errors.Is(err, ssm.ErrParameterVersionNotFound) {
		t.Fatal(err)
	}
	var many []string
	for i := range 10 {
		many = append(many, fmt.Sprint("l", i))
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/app/db/url", ParameterVersion: 1, Labels: many}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/app/db/url", ParameterVersion: 1, Labels: []string{"eleven"}}); !errors.Is(err, ssm.ErrParameterVersionLabelLimit) {
		t.Fatal(err)
	}
	// History pagination.
	h, err = s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: "/app/db/url", MaxResults: 2})
	if err != nil || len(h.Parameters) != 2 || h.NextToken == "" {
		t.Fatalf("page 1 %+v %v", h, err)
	}
	h, err = s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: "/app/db/url", MaxResults: 2, NextToken: h.NextToken})
	if err != nil || len(h.Parameters) != 1 || h.NextToken != "" || h.Parameters[0].Version != 3 {
		t.Fatalf("page 2 %+v %v", h, err)
	}
}

func TestVersionLimit(t *testing.T) {
	p := newPlatform(t, nil, &ssm.Options{MaxVersions: 3})
	s, ctx := p.svc, context.Background()
	for i := range 3 {
		put(t, s, &ssm.PutParameterInput{Name: "lim", Value: fmt.Sprint(i), Type: "String", Overwrite: true})
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "lim", ParameterVersion: 1, Labels: []string{"keep"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: "lim", Value: "x", Overwrite: true}); !errors.Is(err, ssm.ErrParameterMaxVersionLimit) {
		t.Fatal(err)
	}
	if _, err := s.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: "lim", ParameterVersion: 1, Labels: []string{"keep"}}); err != nil {
		t.Fatal(err)
	}
	out := put(t, s, &ssm.PutParameterInput{Name: "lim", Value: "x", Overwrite: true})
	h, _ := s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: "lim"})
	if out.Version != 4 || len(h.Parameters) != 3 || h.Parameters[0].Version != 2 {
		t.Fatalf("after drop: %+v %+v", out, h.Parameters)
	}
	if _, err := s.GetParameter(ctx, &ssm.GetParameterInput{Name: "lim:1"}); !errors.Is(err, ssm.ErrParameterVersionNotFound) {
		t.Fatal(err)
	}
}

func TestParameterTypesAndSecureString(t *testing.T) {
	p := newPlatform(t, nil, nil)
	s, ctx := p.svc, context.Background()
	put(t, s, &ssm.PutParameterInput{Name: "/s/list", Value: "a,b,c", Type: "StringList"})
	put(t, s, &ssm.PutParameterInput{Name: "/s/secret", Value: "hunter2", Type: "SecureString"})
	put(t, s, &ssm.PutParameterInput{Name: "/s/custom", Value: "k", Type: "SecureString", KeyID: "alias/my-key"})
	g, err := s.GetParameter(ctx, &ssm.GetParameterInput{Name: "/s/secret"})
	if err != nil || g.Parameter.Value == "hunter2" || !strings.HasPrefix(g.Parameter.Value, "AQICAH") || g.Parameter.Type != "SecureString" {
		t.Fatalf("encrypted: %+v %v", g.Parameter, err)
	}
	g, err = s.GetParameter(ctx, &ssm.GetParameterInput{Name: "/s/secret", WithDecryption: true})
	if err != nil || g.Parameter.Value != "hunter2" {
		t.Fatalf("decrypted: %+v %v", g.Parameter, err)
	}
	d, err := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "KeyId", Values: []string{"alias/aws/ssm"}}}})
	if err != nil || len(d.Parameters) != 1 || d.Parameters[0].Name != "/s/secret" || d.Parameters[0].KeyID != "alias/aws/ssm" {
		t.Fatalf("describe keyid: %+v %v", d, err)
	}
	if v, err := s.Resolve(ctx, "/s/list", false); err != nil || v != "a,b,c" {
		t.Fatalf("resolve list %q %v", v, err)
	}
	if v, err := s.Resolve(ctx, "/s/custom", true); err != nil || v != "k" {
		t.Fatalf("resolve secure %q %v", v, err)
	}
	if _, err := s.Resolve(ctx, "/s/missing", false); !errors.Is(err, ssm.ErrParameterNotFound) || !strings.Contains(err.Error(), "/s/missing") {
		t.Fatalf("resolve missing %v", err)
	}
	// Type changes on overwrite; key id only for SecureString.
	put(t, s, &ssm.PutParameterInput{Name: "/s/list", Value: "plain", Type: "String", Overwrite: true})
	if _, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: "/s/x", Value: "v", Type: "String", KeyID: "alias/k"}); !errors.Is(err, ssm.ErrValidation) {
		t.Fatal(err)
	}
	gp, err := s.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/s/secret", "/s/none", "/s/list:1", "/s/list:5"}, WithDecryption: true})
	if err != nil || len(gp.Parameters) != 2 || gp.Parameters[0].Value != "hunter2" || gp.Parameters[1].Value != "a,b,c" ||
		!slices.Equal(gp.InvalidParameters, []string{"/s/none", "/s/list:5"}) {
		t.Fatalf("GetParameters %+v %v", gp, err)
	}
}

func TestPutParameterErrors(t *testing.T) {
	p := newPlatform(t, nil, nil)
	s, ctx := p.svc, context.Background()
	deep := strings.Repeat("/l", 15) + "/p"
	tests := []struct {
		name string
		in   ssm.PutParameterInput
		want error
	}{
		{"no type", ssm.PutParameterInput{Name: "a", Value: "v"}, ssm.ErrValidation},
		{"bad type", ssm.PutParameterInput{Name: "a", Value: "v", Type: "Integer"}, ssm.ErrValidation},
		{"empty value", ssm.PutParameterInput{Name: "a", Type: "String"}, ssm.ErrValidation},
		{"empty name", ssm.PutParameterInput{Value: "v", Type: "String"}, ssm.ErrValidation},
		{"space", ssm.PutParameterInput{Name: "my param", Value: "v", Type: "String"}, ssm.ErrValidation},
		{"aws prefix", ssm.PutParameterInput{Name: "awsthing", Value: "v", Type: "String"}, ssm.ErrValidation},
		{"ssm prefix", ssm.PutParameterInput{Name: "/SSM/thing", Value: "v", Type: "String"}, ssm.ErrValidation},
		{"reserved path", ssm.PutParameterInput{Name: "/aws/service/x", Value: "v", Type: "String"}, ssm.ErrAccessDenied},
		{"double slash", ssm.PutParameterInput{Name: "/a//b", Value: "v", Type: "String"}, ssm.ErrValidation},
		{"trailing slash", ssm.PutParameterInput{Name: "/a/b/", Value: "v", Type: "String"}, ssm.ErrValidation},
		{"relative path", ssm.PutParameterInput{Name: "a/b", Value: "v", Type: "String"}, ssm.ErrValidation},
		{"too deep", ssm.PutParameterInput{Name: deep, Value: "v", Type: "String"}, ssm.ErrHierarchyLevelLimitExceeded},
		{"too long", ssm.PutParameterInput{Name: "/" + strings.Repeat("n", 1100), Value: "v", Type: "String"}, ssm.ErrValidation},
		{"standard too big", ssm.PutParameterInput{Name: "big", Value: strings.Repeat("x", 4097), Type: "String"}, ssm.ErrValidation},
		{"advanced too big", ssm.PutParameterInput{Name: "big", Value: strings.Repeat("x", 8193), Type: "String", Tier: "Advanced"}, ssm.ErrValidation},
		{"bad tier", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", Tier: "Gold"}, ssm.ErrValidation},
		{"bad pattern", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", AllowedPattern: "([a-z"}, ssm.ErrInvalidAllowedPattern},
		{"pattern mismatch", ssm.PutParameterInput{Name: "a", Value: "12a", Type: "String", AllowedPattern: `\d+`}, ssm.ErrParameterPatternMismatch},
		{"bad data type", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", DataType: "Text"}, ssm.ErrValidation},
		{"bad ami", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", DataType: "aws:ec2:image"}, ssm.ErrValidation},
		{"tags and overwrite", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", Overwrite: true, Tags: []ssm.Tag{{Key: "k", Value: "v"}}}, ssm.ErrValidation},
		{"policies on standard", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", Policies: `[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00Z"}}]`}, ssm.ErrValidation},
		{"bad policy type", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", Tier: "Advanced", Policies: `[{"Type":"Explode"}]`}, ssm.ErrInvalidPolicyType},
		{"bad policy attribute", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", Tier: "Advanced", Policies: `[{"Type":"Expiration","Attributes":{"Timestamp":"soon"}}]`}, ssm.ErrInvalidPolicyAttribute},
		{"duplicate policy", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", Tier: "Advanced", Policies: `[{"Type":"NoChangeNotification","Attributes":{"After":"2","Unit":"Days"}},{"Type":"NoChangeNotification","Attributes":{"After":"3","Unit":"Days"}}]`}, ssm.ErrIncompatiblePolicy},
		{"bad key id", ssm.PutParameterInput{Name: "a", Value: "v", Type: "SecureString", KeyID: "key with spaces"}, ssm.ErrInvalidKeyID},
		{"too many tags", ssm.PutParameterInput{Name: "a", Value: "v", Type: "String", Tags: make([]ssm.Tag, 51)}, ssm.ErrTooManyTags},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutParameter(ctx, &tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	// A pattern stays with the parameter.
	put(t, s, &ssm.PutParameterInput{Name: "port", Value: "8080", Type: "String", AllowedPattern: `^\d+$`})
	if _, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: "port", Value: "http", Overwrite: true}); !errors.Is(err, ssm.ErrParameterPatternMismatch) {
		t.Fatal(err)
	}
	// Fifteen levels are fine.
	put(t, s, &ssm.PutParameterInput{Name: strings.Repeat("/l", 14) + "/p", Value: "v", Type: "String"})
}

func TestTiersAndLimits(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	p := newPlatform(t, clk, &ssm.Options{MaxStandardParameters: 3, MaxAdvancedParameters: 1})
	s, ctx := p.svc, context.Background()
	for i := range 3 {
		put(t, s, &ssm.PutParameterInput{Name: fmt.Sprint("p", i), Value: "v", Type: "String"})
	}
	if _, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: "p3", Value: "v", Type: "String"}); !errors.Is(err, ssm.ErrParameterLimitExceeded) {
		t.Fatal(err)
	}
	// Intelligent-Tiering upgrades a big value to Advanced, freeing a standard slot.
	out := put(t, s, &ssm.PutParameterInput{Name: "p0", Value: strings.Repeat("x", 5000), Tier: "Intelligent-Tiering", Overwrite: true})
	if out.Tier != "Advanced" {
		t.Fatalf("tier %s", out.Tier)
	}
	put(t, s, &ssm.PutParameterInput{Name: "p3", Value: "v", Type: "String"})
	if _, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: "p1", Value: "v", Tier: "Advanced", Overwrite: true}); !errors.Is(err, ssm.ErrParameterLimitExceeded) {
		t.Fatal(err)
	}
	if _, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: "p0", Value: "small", Tier: "Standard", Overwrite: true}); !errors.Is(err, ssm.ErrValidation) {
		t.Fatal("downgrade:", err)
	}
	// Without a tier an advanced parameter stays advanced.
	if out := put(t, s, &ssm.PutParameterInput{Name: "p0", Value: "small", Overwrite: true}); out.Tier != "Advanced" {
		t.Fatal(out.Tier)
	}
	// Deleting frees the slot.
	if _, err := s.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: "p0"}); err != nil {
		t.Fatal(err)
	}
	// Expiration policies delete the parameter when their time comes.
	put(t, s, &ssm.PutParameterInput{Name: "temp", Value: "v", Type: "String", Tier: "Advanced",
		Policies: `[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2025-01-02T00:00:00Z"}}]`})
	d, _ := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Name", Values: []string{"temp"}}}})
	if len(d.Parameters) != 1 || d.Parameters[0].Policies[0].PolicyType != "Expiration" || d.Parameters[0].Tier != "Advanced" {
		t.Fatalf("policies %+v", d.Parameters)
	}
	clk.Advance(25 * time.Hour)
	if _, err := s.GetParameter(ctx, &ssm.GetParameterInput{Name: "temp"}); !errors.Is(err, ssm.ErrParameterNotFound) {
		t.Fatal("expired:", err)
	}
	put(t, s, &ssm.PutParameterInput{Name: "temp", Value: "again", Type: "String", Tier: "Advanced"})
}

func TestParametersByPath(t *testing.T) {
	p := newPlatform(t, nil, nil)
	s, ctx := p.svc, context.Background()
	names := []string{"/app/a", "/app/b", "/app/sub/c", "/app/sub/deep/d", "/apple", "/other/x", "top"}
	for _, n := range names {
		typ := "String"
		if strings.HasSuffix(n, "b") {
			typ = "SecureString"
		}
		team := strings.Split(strings.TrimPrefix(n, "/"), "/")[0]
		put(t, s, &ssm.PutParameterInput{Name: n, Value: "val-" + n, Type: typ, Tags: []ssm.Tag{{Key: "team", Value: team}}})
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: "/app/sub/c", Labels: []string{"live"}}); err != nil {
		t.Fatal(err)
	}
	list := func(in ssm.GetParametersByPathInput) []string {
		t.Helper()
		var got []string
		for {
			out, err := s.GetParametersByPath(ctx, &in)
			if err != nil {
				t.Fatalf("%+v: %v", in, err)
			}
			for _, p := range out.Parameters {
				got = append(got, p.Name)
			}
			if out.NextToken == "" {
				return got
			}
			in.NextToken = out.NextToken
		}
	}
	tests := []struct {
		name string
		in   ssm.GetParametersByPathInput
		want []string
	}{
		{"one level", ssm.GetParametersByPathInput{Path: "/app"}, []string{"/app/a", "/app/b"}},
		{"trailing slash", ssm.GetParametersByPathInput{Path: "/app/"}, []string{"/app/a", "/app/b"}},
		{"recursive", ssm.GetParametersByPathInput{Path: "/app", Recursive: true}, []string{"/app/a", "/app/b", "/app/sub/c", "/app/sub/deep/d"}},
		{"paged", ssm.GetParametersByPathInput{Path: "/app", Recursive: true, MaxResults: 1}, []string{"/app/a", "/app/b", "/app/sub/c", "/app/sub/deep/d"}},
		{"root", ssm.GetParametersByPathInput{Path: "/"}, []string{"/apple", "top"}},
		{"type filter", ssm.GetParametersByPathInput{Path: "/app", Recursive: true, ParameterFilters: []ssm.ParameterStringFilter{{Key: "Type", Values: []string{"SecureString"}}}}, []string{"/app/b"}},
		{"label filter", ssm.GetParametersByPathInput{Path: "/", Recursive: true, ParameterFilters: []ssm.ParameterStringFilter{{Key: "Label", Values: []string{"live"}}}}, []string{"/app/sub/c"}},
		{"tag filter", ssm.GetParametersByPathInput{Path: "/", Recursive: true, ParameterFilters: []ssm.ParameterStringFilter{{Key: "tag:team", Values: []string{"other"}}}}, []string{"/other/x"}},
		{"nothing", ssm.GetParametersByPathInput{Path: "/none"}, nil},
		{"public", ssm.GetParametersByPathInput{Path: "/aws/service/ami-amazon-linux-latest", MaxResults: 3}, []string{
			"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
			"/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-6.1-x86_64", "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64",
			"/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-ebs", "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
			"/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-ebs", "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := list(tt.in); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
		})
	}
	out, err := s.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: "/app", WithDecryption: true})
	if err != nil || out.Parameters[1].Value != "val-/app/b" {
		t.Fatalf("decrypt: %+v %v", out, err)
	}
	for _, bad := range []ssm.GetParametersByPathInput{
		{Path: "app"}, {Path: "/a b"}, {Path: "/ssm/x"}, {Path: "/app", MaxResults: 11},
		{Path: "/app", ParameterFilters: []ssm.ParameterStringFilter{{Key: "Name", Values: []string{"x"}}}},
		{Path: "/app", ParameterFilters: []ssm.ParameterStringFilter{{Key: "Type", Option: "Contains", Values: []string{"String"}}}},
		{Path: "/app", ParameterFilters: []ssm.ParameterStringFilter{{Key: "Type", Values: []string{"Number"}}}},
		{Path: "/app", NextToken: "%%%"},
	} {
		if _, err := s.GetParametersByPath(ctx, &bad); !errors.Is(err, apierr.Invalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestDescribeParametersAndTags(t *testing.T) {
	p := newPlatform(t, nil, nil)
	s, ctx := p.svc, context.Background()
	for i := range 60 {
		tier := ""
		if i%10 == 0 {
			tier = "Advanced"
		}
		put(t, s, &ssm.PutParameterInput{Name: fmt.Sprintf("/fleet/%02d/conf", i), Value: "v", Type: "String", Tier: tier, Description: fmt.Sprint("n", i)})
	}
	var all []ssm.ParameterMetadata
	token := ""
	for {
		out, err := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Parameters...)
		if token = out.NextToken; token == "" {
			break
		}
	}
	if len(all) != 60 || all[0].Name != "/fleet/00/conf" || all[0].ARN != "arn:aws:ssm:us-east-1:000000000000:parameter/fleet/00/conf" || all[0].LastModifiedUser == "" {
		t.Fatalf("%d %+v", len(all), all[0])
	}
	count := func(in ssm.DescribeParametersInput) int {
		t.Helper()
		in.MaxResults = 50
		out, err := s.DescribeParameters(ctx, &in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		return len(out.Parameters)
	}
	if n := count(ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Tier", Values: []string{"Advanced"}}}}); n != 6 {
		t.Fatal("tier", n)
	}
	if n := count(ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Name", Option: "BeginsWith", Values: []string{"/fleet/1"}}}}); n != 10 {
		t.Fatal("begins", n)
	}
	if n := count(ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Name", Option: "Contains", Values: []string{"5/"}}}}); n != 6 {
		t.Fatal("contains", n)
	}
	if n := count(ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Path", Values: []string{"/fleet/07"}}}}); n != 1 {
		t.Fatal("path", n)
	}
	if n := count(ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Path", Option: "Recursive", Values: []string{"/fleet"}}}}); n != 50 {
		t.Fatal("path recursive (first page)", n)
	}
	if n := count(ssm.DescribeParametersInput{Filters: []ssm.ParametersFilter{{Key: "Name", Values: []string{"/fleet/2"}}}}); n != 10 {
		t.Fatal("old filter", n)
	}
	for _, bad := range []ssm.DescribeParametersInput{
		{Filters: []ssm.ParametersFilter{{Key: "Name", Values: []string{"x"}}}, ParameterFilters: []ssm.ParameterStringFilter{{Key: "Name", Values: []string{"x"}}}},
		{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Label", Values: []string{"x"}}}},
		{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Path", Values: []string{"/aws/x"}}}},
		{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Path", Option: "Deep", Values: []string{"/x"}}}},
		{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Name", Values: []string{"a"}}, {Key: "Name", Values: []string{"b"}}}},
		{ParameterFilters: []ssm.ParameterStringFilter{{Key: "Tier"}}},
		{MaxResults: 51},
	} {
		if _, err := s.DescribeParameters(ctx, &bad); !errors.Is(err, apierr.Invalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}

	// Tags.
	if _, err := s.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "Parameter", ResourceID: "/fleet/00/conf", Tags: []ssm.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: "Parameter", ResourceID: "/fleet/00/conf", Tags: []ssm.Tag{{Key: "a", Value: "3"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: "Parameter", ResourceID: "/fleet/00/conf", TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	tl, err := s.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "Parameter", ResourceID: "/fleet/00/conf"})
	if err != nil || len(tl.TagList) != 1 || tl.TagList[0] != (ssm.Tag{Key: "a", Value: "3"}) {
		t.Fatalf("tags %+v %v", tl, err)
	}
	if n := count(ssm.DescribeParametersInput{ParameterFilters: []ssm.ParameterStringFilter{{Key: "tag:a", Values: []string{"3"}}}}); n != 1 {
		t.Fatal("tag filter", n)
	}
	if _, err := s.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "Parameter", ResourceID: "/nope"}); !errors.Is(err, ssm.ErrInvalidResourceID) {
		t.Fatal(err)
	}
	if _, err := s.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "Bucket", ResourceID: "/nope"}); !errors.Is(err, ssm.ErrInvalidResourceType) {
		t.Fatal(err)
	}

	// Deletes.
	del, err := s.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: []string{"/fleet/00/conf", "/fleet/01/conf", "/nope"}})
	if err != nil || !slices.Equal(del.DeletedParameters, []string{"/fleet/00/conf", "/fleet/01/conf"}) || !slices.Equal(del.InvalidParameters, []string{"/nope"}) {
		t.Fatalf("delete %+v %v", del, err)
	}
	if _, err := s.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: "/fleet/00/conf"}); !errors.Is(err, ssm.ErrParameterNotFound) {
		t.Fatal(err)
	}
	if _, err := s.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: make([]string, 11)}); !errors.Is(err, ssm.ErrValidation) {
		t.Fatal(err)
	}
}

func TestPublicAMIParameters(t *testing.T) {
	p := newPlatform(t, nil, nil)
	s, ctx := p.svc, context.Background()
	tests := map[string]string{
		"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64":              "ami-0a2023000000000a1",
		"/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2":                      "ami-0a2000000000000a2",
		"/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id": "ami-0b2404000000000b1",
		"/aws/service/canonical/ubuntu/server/jammy/stable/current/amd64/hvm/ebs-gp2/ami-id": "ami-0b2204000000000b2",
	}
	for name, want := range tests {
		v, err := s.Resolve(ctx, name, false)
		if err != nil || v != want {
			t.Errorf("%s = %q %v", name, v, err)
		}
	}
	g, err := s.GetParameter(ctx, &ssm.GetParameterInput{Name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"})
	if err != nil || g.Parameter.ARN != "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" || g.Parameter.Type != "String" {
		t.Fatalf("%+v %v", g, err)
	}
	if _, err := s.GetParameter(ctx, &ssm.GetParameterInput{Name: "/aws/service/nothing"}); !errors.Is(err, ssm.ErrParameterNotFound) {
		t.Fatal(err)
	}
	if _, err := s.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"}); !errors.Is(err, ssm.ErrAccessDenied) {
		t.Fatal(err)
	}
	h, err := s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"})
	if err != nil || len(h.Parameters) != 1 {
		t.Fatal(err)
	}
}

func TestParametersAreScopedByAccountAndRegion(t *testing.T) {
	p := newPlatform(t, nil, nil)
	ctx := context.Background()
	put(t, p.svc, &ssm.PutParameterInput{Name: "/scoped", Value: "east", Type: "String"})
	west := withRegion(ctx, "us-west-2")
	if _, err := p.svc.GetParameter(west, &ssm.GetParameterInput{Name: "/scoped"}); !errors.Is(err, ssm.ErrParameterNotFound) {
		t.Fatal(err)
	}
	if _, err := p.svc.PutParameter(west, &ssm.PutParameterInput{Name: "/scoped", Value: "west", Type: "String"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.svc.Resolve(west, "/scoped", false); v != "west" {
		t.Fatal(v)
	}
}
