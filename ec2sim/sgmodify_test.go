package ec2sim_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awstest"
)

// TestSDKSecurityGroupRuleChanges: descriptions change by permission or by rule ID, and
// ModifySecurityGroupRules replaces a rule keeping its ID, with AWS's errors.
func TestSDKSecurityGroupRuleChanges(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()
	g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	web := aws.ToString(g.GroupId)
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web),
		IpPermissions: []types.IpPermission{tcp(80, "10.0.0.0/8"), tcp(443, "10.0.0.0/8")}}); err != nil {
		t.Fatal(err)
	}
	rule := func(port int32, egress bool) types.SecurityGroupRule {
		t.Helper()
		for _, r := range groupRules(t, c, web) {
			if aws.ToBool(r.IsEgress) == egress && (egress || aws.ToInt32(r.FromPort) == port) {
				return r
			}
		}
		t.Fatalf("no rule for port %d (egress %v)", port, egress)
		return types.SecurityGroupRule{}
	}

	// By permission, with the group's name: the description in the range is the new one.
	described := tcp(80, "10.0.0.0/8")
	described.IpRanges[0].Description = aws.String("http from the VPC")
	if _, err := c.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupName: aws.String("web"),
		IpPermissions: []types.IpPermission{described}}); err != nil {
		t.Fatal(err)
	}
	if d := aws.ToString(rule(80, false).Description); d != "http from the VPC" {
		t.Fatalf("description %q", d)
	}
	// By rule ID, egress too.
	egress := rule(0, true)
	if _, err := c.UpdateSecurityGroupRuleDescriptionsEgress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsEgressInput{GroupId: aws.String(web),
		SecurityGroupRuleDescriptions: []types.SecurityGroupRuleDescription{{SecurityGroupRuleId: egress.SecurityGroupRuleId, Description: aws.String("anywhere")}}}); err != nil {
		t.Fatal(err)
	}
	if d := aws.ToString(rule(0, true).Description); d != "anywhere" {
		t.Fatalf("egress description %q", d)
	}
	gs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{web}})
	if err != nil || aws.ToString(gs.SecurityGroups[0].IpPermissionsEgress[0].IpRanges[0].Description) != "anywhere" {
		t.Fatalf("DescribeSecurityGroups after the description: %+v %v", gs, err)
	}

	// ModifySecurityGroupRules: port 443 becomes 8443 from 172.16.0.0/12, same ID.
	https := rule(443, false)
	if _, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(web), SecurityGroupRules: []types.SecurityGroupRuleUpdate{{
		SecurityGroupRuleId: https.SecurityGroupRuleId,
		SecurityGroupRule:   &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8443), ToPort: aws.Int32(8443), CidrIpv4: aws.String("172.16.0.0/12"), Description: aws.String("alt")}}}}); err != nil {
		t.Fatal(err)
	}
	moved := rule(8443, false)
	if aws.ToString(moved.SecurityGroupRuleId) != aws.ToString(https.SecurityGroupRuleId) || aws.ToString(moved.CidrIpv4) != "172.16.0.0/12" || aws.ToString(moved.Description) != "alt" {
		t.Fatalf("modified rule %+v", moved)
	}

	unknown := aws.String("sgr-0123456789abcdef0")
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"description of a missing permission", func() error {
			_, err := c.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{tcp(22, "10.0.0.0/8")}})
			return err
		}, "InvalidPermission.NotFound"},
		{"description of a missing rule ID", func() error {
			_, err := c.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(web),
				SecurityGroupRuleDescriptions: []types.SecurityGroupRuleDescription{{SecurityGroupRuleId: unknown, Description: aws.String("x")}}})
			return err
		}, "InvalidSecurityGroupRuleId.NotFound"},
		{"an egress rule ID as ingress", func() error {
			_, err := c.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(web),
				SecurityGroupRuleDescriptions: []types.SecurityGroupRuleDescription{{SecurityGroupRuleId: egress.SecurityGroupRuleId}}})
			return err
		}, "InvalidSecurityGroupRuleId.NotFound"},
		{"nothing to describe", func() error {
			_, err := c.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(web)})
			return err
		}, "MissingParameter"},
		{"modify a missing rule", func() error {
			_, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(web), SecurityGroupRules: []types.SecurityGroupRuleUpdate{{
				SecurityGroupRuleId: unknown, SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("-1"), CidrIpv4: aws.String("0.0.0.0/0")}}}})
			return err
		}, "InvalidSecurityGroupRuleId.NotFound"},
		{"modify into a duplicate", func() error {
			_, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(web), SecurityGroupRules: []types.SecurityGroupRuleUpdate{{
				SecurityGroupRuleId: moved.SecurityGroupRuleId, SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), CidrIpv4: aws.String("10.0.0.0/8")}}}})
			return err
		}, "InvalidPermission.Duplicate"},
		{"modify with a bad port range", func() error {
			_, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(web), SecurityGroupRules: []types.SecurityGroupRuleUpdate{{
				SecurityGroupRuleId: moved.SecurityGroupRuleId, SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(90), ToPort: aws.Int32(80), CidrIpv4: aws.String("10.0.0.0/8")}}}})
			return err
		}, "InvalidParameterValue"},
	} {
		if err := tc.call(); sdkCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// The failed modifications changed nothing.
	if r := rule(8443, false); aws.ToString(r.SecurityGroupRuleId) != aws.ToString(https.SecurityGroupRuleId) {
		t.Fatalf("rule after failed modifications: %+v", r)
	}
}
