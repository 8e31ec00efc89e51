package ec2sim_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awstest"
)

func tcp(port int32, cidrs ...string) types.IpPermission {
	p := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	for _, c := range cidrs {
		p.IpRanges = append(p.IpRanges, types.IpRange{CidrIp: aws.String(c)})
	}
	return p
}

func groupRules(t *testing.T, c *ec2.Client, group string) []types.SecurityGroupRule {
	t.Helper()
	out, err := c.DescribeSecurityGroupRules(context.Background(), &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{filter("group-id", group)}})
	if err != nil {
		t.Fatal(err)
	}
	return out.SecurityGroupRules
}

func TestSDKSecurityGroupRules(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()

	v, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(v.Vpc.VpcId)
	mk := func(name string) string {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpc)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(g.GroupId)
	}
	web, db := mk("web"), mk("db")

	// A new group allows all outbound traffic, as AWS.
	rules := groupRules(t, c, web)
	if len(rules) != 1 || !aws.ToBool(rules[0].IsEgress) || aws.ToString(rules[0].IpProtocol) != "-1" || aws.ToString(rules[0].CidrIpv4) != "0.0.0.0/0" ||
		aws.ToInt32(rules[0].FromPort) != -1 || !strings.HasPrefix(aws.ToString(rules[0].SecurityGroupRuleId), "sgr-") ||
		!strings.Contains(aws.ToString(rules[0].SecurityGroupRuleArn), ":security-group-rule/sgr-") {
		t.Fatalf("default rules %+v", rules)
	}
	defaultEgress := aws.ToString(rules[0].SecurityGroupRuleId)

	in, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{
		tcp(22, "10.0.0.0/8", "192.168.0.0/16"),
		{IpProtocol: aws.String("6"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0"), Description: aws.String("https v6")}}},
	}, TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroupRule, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(in.Return) || len(in.SecurityGroupRules) != 3 || aws.ToString(in.SecurityGroupRules[2].IpProtocol) != "tcp" ||
		aws.ToString(in.SecurityGroupRules[2].CidrIpv6) != "::/0" || aws.ToString(in.SecurityGroupRules[2].Description) != "https v6" || len(in.SecurityGroupRules[0].Tags) != 1 {
		t.Fatalf("authorize %+v", in.SecurityGroupRules)
	}
	v6Rule := aws.ToString(in.SecurityGroupRules[2].SecurityGroupRuleId)

	for _, tc := range []struct {
		name string
		perm types.IpPermission
		code string
	}{
		{"duplicate", tcp(22, "192.168.0.0/16"), "InvalidPermission.Duplicate"},
		{"protocol", types.IpPermission{IpProtocol: aws.String("tcpx"), IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32")}}}, "InvalidParameterValue"},
		{"cidr", tcp(80, "10.0.0.300/8"), "InvalidParameterValue"},
		{"ports", types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(90), ToPort: aws.Int32(80), IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32")}}}, "InvalidParameterValue"},
		{"no peer", types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80)}, "MissingParameter"},
		{"group", types.IpPermission{IpProtocol: aws.String("-1"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-0123456789abcdef0")}}}, "InvalidGroup.NotFound"},
	} {
		_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{tc.perm}})
		if sdkCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// A failed call adds nothing (the duplicate came with nothing new, but check the count).
	if n := len(groupRules(t, c, web)); n != 4 {
		t.Fatalf("%d rules after failed authorizations", n)
	}

	// Egress to another group, by reference.
	eg, err := c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(db), Description: aws.String("postgres")}}}}})
	if err != nil || len(eg.SecurityGroupRules) != 1 || aws.ToString(eg.SecurityGroupRules[0].ReferencedGroupInfo.GroupId) != db || !aws.ToBool(eg.SecurityGroupRules[0].IsEgress) {
		t.Fatalf("egress %+v %v", eg, err)
	}
	toDB := aws.ToString(eg.SecurityGroupRules[0].SecurityGroupRuleId)

	d, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{web}})
	if err != nil {
		t.Fatal(err)
	}
	g := d.SecurityGroups[0]
	if len(g.IpPermissions) != 2 || len(g.IpPermissions[0].IpRanges) != 2 || aws.ToInt32(g.IpPermissions[0].FromPort) != 22 ||
		len(g.IpPermissions[1].Ipv6Ranges) != 1 || len(g.IpPermissionsEgress) != 2 || aws.ToString(g.IpPermissionsEgress[0].IpProtocol) != "-1" ||
		aws.ToString(g.IpPermissionsEgress[1].UserIdGroupPairs[0].GroupId) != db || aws.ToString(g.IpPermissionsEgress[1].UserIdGroupPairs[0].Description) != "postgres" {
		t.Fatalf("group %+v", g)
	}
	byCidr, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("ip-permission.cidr", "10.0.0.0/8"), filter("ip-permission.from-port", "22")}})
	if err != nil || len(byCidr.SecurityGroups) != 1 || aws.ToString(byCidr.SecurityGroups[0].GroupId) != web {
		t.Fatalf("ip-permission filter %+v %v", byCidr, err)
	}

	// The referenced group cannot go while the rule is there.
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(db)}); sdkCode(err) != "DependencyViolation" {
		t.Fatalf("delete referenced group: %v", err)
	}

	// Revoke by permissions: one CIDR of the two; again: not found (non-default VPC).
	rv, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{tcp(22, "10.0.0.0/8")}})
	if err != nil || !aws.ToBool(rv.Return) || len(rv.RevokedSecurityGroupRules) != 1 || aws.ToString(rv.RevokedSecurityGroupRules[0].CidrIpv4) != "10.0.0.0/8" {
		t.Fatalf("revoke %+v %v", rv, err)
	}
	if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{tcp(22, "10.0.0.0/8", "192.168.0.0/16")}}); sdkCode(err) != "InvalidPermission.NotFound" {
		t.Fatalf("revoke missing: %v", err)
	}
	if n := len(groupRules(t, c, web)); n != 4 { // the failed revoke revoked nothing
		t.Fatalf("%d rules after a failed revoke", n)
	}

	// Revoke by rule IDs, with the direction checked.
	for _, tc := range []struct {
		ids  []string
		code string
	}{{[]string{"bogus"}, "InvalidSecurityGroupRuleId.Malformed"}, {[]string{"sgr-0123456789abcdef0"}, "InvalidSecurityGroupRuleId.NotFound"}, {[]string{toDB}, "InvalidSecurityGroupRuleId.NotFound"}} {
		if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(web), SecurityGroupRuleIds: tc.ids}); sdkCode(err) != tc.code {
			t.Errorf("revoke %v: %v, want %s", tc.ids, err, tc.code)
		}
	}
	if rv, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(web), SecurityGroupRuleIds: []string{v6Rule}}); err != nil ||
		len(rv.RevokedSecurityGroupRules) != 1 || aws.ToString(rv.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != v6Rule {
		t.Fatalf("revoke by id %+v %v", rv, err)
	}
	if rv, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{
		{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil ||
		aws.ToString(rv.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != defaultEgress {
		t.Fatalf("revoke default egress %+v %v", rv, err)
	}
	if _, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(web), SecurityGroupRuleIds: []string{toDB}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(db)}); err != nil {
		t.Fatalf("delete unreferenced group: %v", err)
	}
	d, _ = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{web}})
	if g := d.SecurityGroups[0]; len(g.IpPermissions) != 1 || len(g.IpPermissions[0].IpRanges) != 1 || len(g.IpPermissionsEgress) != 0 {
		t.Fatalf("after revokes %+v", g)
	}

	// In the default VPC an unknown rule is reported, not an error.
	def, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("classic"), Description: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupName: aws.String("classic"), IpProtocol: aws.String("tcp"),
		FromPort: aws.Int32(80), ToPort: aws.Int32(80), CidrIp: aws.String("0.0.0.0/0")}); err != nil {
		t.Fatal(err)
	}
	rv, err = c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: def.GroupId, IpPermissions: []types.IpPermission{tcp(80, "0.0.0.0/0"), tcp(8080, "0.0.0.0/0")}})
	if err != nil || len(rv.RevokedSecurityGroupRules) != 1 || len(rv.UnknownIpPermissions) != 1 || aws.ToInt32(rv.UnknownIpPermissions[0].FromPort) != 8080 {
		t.Fatalf("default VPC revoke %+v %v", rv, err)
	}

	// DescribeSecurityGroupRules: by ID, by tag, paginated.
	one, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{aws.ToString(in.SecurityGroupRules[1].SecurityGroupRuleId)}})
	if err != nil || len(one.SecurityGroupRules) != 1 || aws.ToString(one.SecurityGroupRules[0].CidrIpv4) != "192.168.0.0/16" || aws.ToString(one.SecurityGroupRules[0].GroupId) != web {
		t.Fatalf("by id %+v %v", one, err)
	}
	tagged, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{filter("tag:team", "a")}})
	if err != nil || len(tagged.SecurityGroupRules) != 1 {
		t.Fatalf("by tag %+v %v", tagged, err)
	}
	if _, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{"sgr-0123456789abcdef0"}}); sdkCode(err) != "InvalidSecurityGroupRuleId.NotFound" {
		t.Fatalf("unknown id: %v", err)
	}
	var perms []types.IpPermission
	for i := range 12 {
		perms = append(perms, tcp(int32(1000+i), "172.16.0.0/12"))
	}
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: perms}); err != nil {
		t.Fatal(err)
	}
	all, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	pg := ec2.NewDescribeSecurityGroupRulesPaginator(c, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(5)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.SecurityGroupRules {
			seen[aws.ToString(r.SecurityGroupRuleId)] = true
		}
	}
	if len(seen) != len(all.SecurityGroupRules) || len(seen) < 15 {
		t.Fatalf("paginated %d of %d", len(seen), len(all.SecurityGroupRules))
	}

	// The quota: 60 inbound rules.
	perms = nil
	for i := range 60 {
		perms = append(perms, tcp(int32(2000+i), "172.16.0.0/12"))
	}
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: perms}); sdkCode(err) != "RulesPerSecurityGroupLimitExceeded" {
		t.Fatalf("quota: %v", err)
	}
}

func TestSDKVpcAndSubnetAttributes(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()

	attr := func(vpc string, a types.VpcAttributeName) bool {
		t.Helper()
		out, err := c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpc), Attribute: a})
		if err != nil {
			t.Fatal(err)
		}
		switch a {
		case types.VpcAttributeNameEnableDnsSupport:
			return aws.ToBool(out.EnableDnsSupport.Value)
		case types.VpcAttributeNameEnableDnsHostnames:
			return aws.ToBool(out.EnableDnsHostnames.Value)
		}
		return aws.ToBool(out.EnableNetworkAddressUsageMetrics.Value)
	}
	dv, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("is-default", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	defVpc := aws.ToString(dv.Vpcs[0].VpcId)
	if !attr(defVpc, types.VpcAttributeNameEnableDnsSupport) || !attr(defVpc, types.VpcAttributeNameEnableDnsHostnames) {
		t.Fatal("default VPC has DNS support and hostnames")
	}
	v, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(v.Vpc.VpcId)
	if !attr(vpc, types.VpcAttributeNameEnableDnsSupport) || attr(vpc, types.VpcAttributeNameEnableDnsHostnames) || attr(vpc, types.VpcAttributeNameEnableNetworkAddressUsageMetrics) {
		t.Fatal("a new VPC has DNS support and no hostnames")
	}
	on := &types.AttributeBooleanValue{Value: aws.Bool(true)}
	off := &types.AttributeBooleanValue{Value: aws.Bool(false)}
	if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: on}); err != nil {
		t.Fatal(err)
	}
	if !attr(vpc, types.VpcAttributeNameEnableDnsHostnames) {
		t.Fatal("hostnames not enabled")
	}
	for _, tc := range []struct {
		in   *ec2.ModifyVpcAttributeInput
		code string
	}{
		{&ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: on, EnableDnsSupport: on}, "InvalidParameterCombination"},
		{&ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc)}, "MissingParameter"},
		{&ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsSupport: off}, "InvalidParameterValue"},
		{&ec2.ModifyVpcAttributeInput{VpcId: aws.String("vpc-0123456789abcdef0"), EnableDnsSupport: on}, "InvalidVpcID.NotFound"},
	} {
		if _, err := c.ModifyVpcAttribute(ctx, tc.in); sdkCode(err) != tc.code {
			t.Errorf("ModifyVpcAttribute: %v, want %s", err, tc.code)
		}
	}
	if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: off}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsSupport: off}); err != nil || attr(vpc, types.VpcAttributeNameEnableDnsSupport) {
		t.Fatalf("disable DNS support: %v", err)
	}
	if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: on}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatalf("hostnames without support: %v", err)
	}
	if _, err := c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpc), Attribute: "bogus"}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatalf("unknown attribute: %v", err)
	}

	// MapPublicIpOnLaunch: off for a new subnet; on, instances launched there get a public IP.
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.1.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	subID := aws.ToString(sub.Subnet.SubnetId)
	if aws.ToBool(sub.Subnet.MapPublicIpOnLaunch) {
		t.Fatal("new subnet maps public IPs")
	}
	launch := func() (ip, dns string) {
		t.Helper()
		run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ec2sim.AL2023AMI), InstanceType: types.InstanceTypeT2Nano, SubnetId: aws.String(subID),
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(run.Instances[0].InstanceId)
		if err := s.WaitBooted(ctx, id); err != nil {
			t.Fatal(err)
		}
		d, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		in := d.Reservations[0].Instances[0]
		return aws.ToString(in.PublicIpAddress), aws.ToString(in.PublicDnsName)
	}
	if ip, _ := launch(); ip != "" {
		t.Fatalf("public IP %q in a private subnet", ip)
	}
	if _, err := c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(subID), MapPublicIpOnLaunch: on}); err != nil {
		t.Fatal(err)
	}
	ds, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("map-public-ip-on-launch", "true"), filter("vpc-id", vpc)}})
	if err != nil || len(ds.Subnets) != 1 || !aws.ToBool(ds.Subnets[0].MapPublicIpOnLaunch) {
		t.Fatalf("describe %+v %v", ds, err)
	}
	// Public DNS names follow the VPC's enableDnsHostnames.
	for _, hostnames := range []bool{false, true} {
		if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsSupport: on}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(hostnames)}}); err != nil {
			t.Fatal(err)
		}
		ip, dns := launch()
		if ip == "" {
			t.Fatal("no public IP in a subnet mapping public IPs")
		}
		if (dns != "") != hostnames {
			t.Fatalf("enableDnsHostnames %v: public DNS name %q", hostnames, dns)
		}
	}
	// Turning the attribute off and on renames the instances already running there.
	for _, hostnames := range []bool{false, true} {
		if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(hostnames)}}); err != nil {
			t.Fatal(err)
		}
		d, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{filter("subnet-id", subID)}})
		if err != nil {
			t.Fatal(err)
		}
		named := 0
		for _, r := range d.Reservations {
			for _, in := range r.Instances {
				if in.PublicIpAddress != nil && aws.ToString(in.PublicDnsName) != "" {
					named++
				}
			}
		}
		if want := map[bool]int{false: 0, true: 2}[hostnames]; named != want {
			t.Fatalf("enableDnsHostnames %v: %d running instances with public DNS names, want %d", hostnames, named, want)
		}
	}
	for _, tc := range []struct {
		in   *ec2.ModifySubnetAttributeInput
		code string
	}{
		{&ec2.ModifySubnetAttributeInput{SubnetId: aws.String(subID), AssignIpv6AddressOnCreation: on}, "InvalidParameterValue"},
		{&ec2.ModifySubnetAttributeInput{SubnetId: aws.String(subID), MapCustomerOwnedIpOnLaunch: on}, "UnsupportedOperation"},
		{&ec2.ModifySubnetAttributeInput{SubnetId: aws.String(subID)}, "MissingParameter"},
		{&ec2.ModifySubnetAttributeInput{SubnetId: aws.String("subnet-0123456789abcdef0"), MapPublicIpOnLaunch: on}, "InvalidSubnetID.NotFound"},
	} {
		if _, err := c.ModifySubnetAttribute(ctx, tc.in); sdkCode(err) != tc.code {
			t.Errorf("ModifySubnetAttribute: %v, want %s", err, tc.code)
		}
	}
}

// TestSecurityGroupRulesConcurrent authorizes and revokes from many goroutines: every rule
// lands once, and the revokes leave only the default egress rule.
func TestSecurityGroupRulesConcurrent(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	g, err := s.CreateSecurityGroup(ctx, &ec2sim.CreateSecurityGroupInput{GroupName: "busy", Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Go(func() {
			perm := []ec2sim.IpPermission{{IpProtocol: "tcp", FromPort: int32(100 + i), ToPort: int32(100 + i), IpRanges: []ec2sim.IpRange{{CidrIp: "10.0.0.0/8"}}}}
			if _, err := s.AuthorizeSecurityGroupIngress(ctx, &ec2sim.AuthorizeSecurityGroupIngressInput{GroupID: g.GroupID, IpPermissions: perm}); err != nil {
				errs <- err
				return
			}
			if _, err := s.DescribeSecurityGroupRules(ctx, &ec2sim.DescribeSecurityGroupRulesInput{}); err != nil {
				errs <- err
			}
			if _, err := s.RevokeSecurityGroupIngress(ctx, &ec2sim.RevokeSecurityGroupIngressInput{GroupID: g.GroupID, IpPermissions: perm}); err != nil {
				errs <- fmt.Errorf("revoke %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out, err := s.DescribeSecurityGroupRules(ctx, &ec2sim.DescribeSecurityGroupRulesInput{Filters: []ec2sim.Filter{{Name: "group-id", Values: []string{g.GroupID}}}})
	if err != nil || len(out.SecurityGroupRules) != 1 || !out.SecurityGroupRules[0].IsEgress {
		t.Fatalf("%+v %v", out, err)
	}
}

// FuzzSecurityGroupPermission: any permission is added or refused with an EC2 error, never a
// panic; an added one revokes cleanly.
func FuzzSecurityGroupPermission(f *testing.F) {
	f.Add("tcp", int32(22), int32(22), "10.0.0.0/8", "", "")
	f.Add("-1", int32(0), int32(0), "", "::/0", "")
	f.Add("icmp", int32(-1), int32(5), "0.0.0.0/0", "", "pl-0123abcd")
	f.Add("50", int32(7), int32(9), "", "", "")
	f.Add("TCP", int32(90), int32(80), "1.2.3.4", "fe80::1/200", "pl-x")
	s, _ := newService(f, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	g, err := s.CreateSecurityGroup(ctx, &ec2sim.CreateSecurityGroupInput{GroupName: "fuzz", Description: "d"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, proto string, from, to int32, cidr4, cidr6, pl string) {
		p := ec2sim.IpPermission{IpProtocol: proto, FromPort: from, ToPort: to}
		if cidr4 != "" {
			p.IpRanges = []ec2sim.IpRange{{CidrIp: cidr4}}
		}
		if cidr6 != "" {
			p.Ipv6Ranges = []ec2sim.Ipv6Range{{CidrIpv6: cidr6}}
		}
		if pl != "" {
			p.PrefixListIDs = []ec2sim.PrefixListID{{PrefixListID: pl}}
		}
		out, err := s.AuthorizeSecurityGroupIngress(ctx, &ec2sim.AuthorizeSecurityGroupIngressInput{GroupID: g.GroupID, IpPermissions: []ec2sim.IpPermission{p}})
		if err != nil {
			if ae := (*apierr.Error)(nil); !errors.As(err, &ae) || ae.Kind == apierr.Internal {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		ids := make([]string, len(out.SecurityGroupRules))
		for i, r := range out.SecurityGroupRules {
			ids[i] = r.SecurityGroupRuleID
		}
		if _, err := s.RevokeSecurityGroupIngress(ctx, &ec2sim.RevokeSecurityGroupIngressInput{GroupID: g.GroupID, IpPermissions: []ec2sim.IpPermission{p}}); err != nil {
			t.Fatalf("revoke of an authorized permission %+v: %v", p, err)
		}
	})
}
