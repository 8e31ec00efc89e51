package iam_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/devopsim/devopsim/iam"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
const perms = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`

func TestRolesSDK(t *testing.T) {
	ctx := context.Background()
	_, c := newIAM(t)
	cr, err := c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("web"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("web servers"), MaxSessionDuration: aws.Int32(7200), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(cr.Role.Arn); got != "arn:aws:iam::000000000000:role/app/web" {
		t.Fatal(got)
	}
	if id := aws.ToString(cr.Role.RoleId); len(id) != 21 || id[:4] != "AROA" {
		t.Fatal(id)
	}
	gr, err := c.GetRole(ctx, &sdkiam.GetRoleInput{RoleName: aws.String("WEB")})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(gr.Role.AssumeRolePolicyDocument))
	if doc != trust || aws.ToInt32(gr.Role.MaxSessionDuration) != 7200 || aws.ToString(gr.Role.Description) != "web servers" || len(gr.Role.Tags) != 1 {
		t.Fatalf("%+v %s", gr.Role, doc)
	}
	for _, tc := range []struct {
		name string
		in   *sdkiam.CreateRoleInput
		code string
	}{
		{"duplicate", &sdkiam.CreateRoleInput{RoleName: aws.String("Web"), AssumeRolePolicyDocument: aws.String(trust)}, "EntityAlreadyExists"},
		{"bad json", &sdkiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String("{")}, "MalformedPolicyDocument"},
		{"no statement", &sdkiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17"}`)}, "MalformedPolicyDocument"},
		{"bad version", &sdkiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2020","Statement":[]}`)}, "MalformedPolicyDocument"},
		{"bad name", &sdkiam.CreateRoleInput{RoleName: aws.String("a b"), AssumeRolePolicyDocument: aws.String(trust)}, "ValidationError"},
		{"session", &sdkiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(60)}, "ValidationError"},
	} {
		if _, err := c.CreateRole(ctx, tc.in); code(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, err := c.GetRole(ctx, &sdkiam.GetRoleInput{RoleName: aws.String("nope")}); code(err) != "NoSuchEntity" {
		t.Fatal(err)
	}
	if _, err := c.UpdateAssumeRolePolicy(ctx, &sdkiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: aws.String("[]")}); code(err) != "MalformedPolicyDocument" {
		t.Fatal(err)
	}
	if _, err := c.UpdateAssumeRolePolicy(ctx, &sdkiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: aws.String(perms)}); err != nil {
		t.Fatal(err)
	}

	// Inline policies.
	if _, err := c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("read"), PolicyDocument: aws.String(perms)}); err != nil {
		t.Fatal(err)
	}
	gp, err := c.GetRolePolicy(ctx, &sdkiam.GetRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("read")})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); d != perms {
		t.Fatal(d)
	}
	lp, err := c.ListRolePolicies(ctx, &sdkiam.ListRolePoliciesInput{RoleName: aws.String("web")})
	if err != nil || len(lp.PolicyNames) != 1 || lp.PolicyNames[0] != "read" {
		t.Fatal(lp, err)
	}

	// Managed policies.
	cp, err := c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("ops"), PolicyDocument: aws.String(perms)})
	if err != nil {
		t.Fatal(err)
	}
	parn := aws.ToString(cp.Policy.Arn)
	if parn != "arn:aws:iam::000000000000:policy/ops" || aws.ToString(cp.Policy.DefaultVersionId) != "v1" {
		t.Fatal(parn)
	}
	if _, err := c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("ops"), Path: aws.String("/x/"), PolicyDocument: aws.String(perms)}); code(err) != "EntityAlreadyExists" {
		t.Fatal(err)
	}
	for _, arn := range []string{parn, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"} {
		if _, err := c.AttachRolePolicy(ctx, &sdkiam.AttachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.AttachRolePolicy(ctx, &sdkiam.AttachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String("arn:aws:iam::000000000000:policy/none")}); code(err) != "NoSuchEntity" {
		t.Fatal(err)
	}
	la, err := c.ListAttachedRolePolicies(ctx, &sdkiam.ListAttachedRolePoliciesInput{RoleName: aws.String("web")})
	if err != nil || len(la.AttachedPolicies) != 2 || aws.ToString(la.AttachedPolicies[1].PolicyName) != "AmazonSSMManagedInstanceCore" {
		t.Fatal(la, err)
	}
	gpo, err := c.GetPolicy(ctx, &sdkiam.GetPolicyInput{PolicyArn: aws.String(parn)})
	if err != nil || aws.ToInt32(gpo.Policy.AttachmentCount) != 1 {
		t.Fatal(gpo, err)
	}
	if _, err := c.DeletePolicy(ctx, &sdkiam.DeletePolicyInput{PolicyArn: aws.String(parn)}); code(err) != "DeleteConflict" {
		t.Fatal(err)
	}

	// Instance profiles.
	ip, err := c.CreateInstanceProfile(ctx, &sdkiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
	if err != nil || aws.ToString(ip.InstanceProfile.Arn) != "arn:aws:iam::000000000000:instance-profile/web-profile" {
		t.Fatal(ip, err)
	}
	if _, err := c.AddRoleToInstanceProfile(ctx, &sdkiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddRoleToInstanceProfile(ctx, &sdkiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("other")}); code(err) != "LimitExceeded" {
		t.Fatal(err)
	}
	gi, err := c.GetInstanceProfile(ctx, &sdkiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
	if err != nil || len(gi.InstanceProfile.Roles) != 1 || aws.ToString(gi.InstanceProfile.Roles[0].RoleName) != "web" {
		t.Fatal(gi, err)
	}
	li, err := c.ListInstanceProfiles(ctx, &sdkiam.ListInstanceProfilesInput{})
	if err != nil || len(li.InstanceProfiles) != 1 {
		t.Fatal(li, err)
	}

	// Deletion order: conflicts until the role is bare.
	if _, err := c.DeleteRole(ctx, &sdkiam.DeleteRoleInput{RoleName: aws.String("web")}); code(err) != "DeleteConflict" {
		t.Fatal(err)
	}
	if _, err := c.DeleteInstanceProfile(ctx, &sdkiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")}); code(err) != "DeleteConflict" {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error {
			_, err := c.DeleteRolePolicy(ctx, &sdkiam.DeleteRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("read")})
			return err
		},
		func() error {
			_, err := c.DetachRolePolicy(ctx, &sdkiam.DetachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String(parn)})
			return err
		},
		func() error {
			_, err := c.DetachRolePolicy(ctx, &sdkiam.DetachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")})
			return err
		},
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatal(i, err)
		}
	}
	if _, err := c.DeleteRole(ctx, &sdkiam.DeleteRoleInput{RoleName: aws.String("web")}); code(err) != "DeleteConflict" {
		t.Fatal("still in profile:", err)
	}
	if _, err := c.RemoveRoleFromInstanceProfile(ctx, &sdkiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func() error{
		func() error {
			_, err := c.DeleteRole(ctx, &sdkiam.DeleteRoleInput{RoleName: aws.String("web")})
			return err
		},
		func() error {
			_, err := c.DeleteInstanceProfile(ctx, &sdkiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
			return err
		},
		func() error {
			_, err := c.DeletePolicy(ctx, &sdkiam.DeletePolicyInput{PolicyArn: aws.String(parn)})
			return err
		},
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetPolicy(ctx, &sdkiam.GetPolicyInput{PolicyArn: aws.String(parn)}); code(err) != "NoSuchEntity" {
		t.Fatal(err)
	}
}

func TestListRolesPagination(t *testing.T) {
	ctx := context.Background()
	_, c := newIAM(t)
	var wg sync.WaitGroup
	for i := range 25 {
		wg.Go(func() {
			path := "/a/"
			if i%5 == 0 {
				path = "/b/"
			}
			if _, err := c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%02d", i)), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	n := 0
	p := sdkiam.NewListRolesPaginator(c, &sdkiam.ListRolesInput{PathPrefix: aws.String("/a/"), MaxItems: aws.Int32(7)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Roles)
	}
	if n != 20 {
		t.Fatalf("listed %d roles under /a/, want 20", n)
	}
}

func FuzzPolicyDocument(f *testing.F) {
	for _, s := range []string{trust, perms, "{", "[]", `{"Statement":[1]}`, `{"Version":1,"Statement":{}}`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		svc, _ := newIAM(t)
		_, _ = svc.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: doc})
		_, _ = svc.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: "p", PolicyDocument: doc})
	})
}
