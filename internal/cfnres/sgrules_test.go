package cfnres_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/ec2sim"
)

const sgRulesTemplate = `
Parameters:
  SshCidr: {Type: String, Default: 10.0.0.0/8}
  WithEgress: {Type: String, Default: "no"}
  KeepOut: {Type: String, Default: "yes"}
  Desc: {Type: String, Default: app}
  DnsHostnames: {Type: String, Default: "false"}
  PublicIp: {Type: String, Default: "false"}
Conditions:
  Egress: !Equals [!Ref WithEgress, "yes"]
  Out: !Equals [!Ref KeepOut, "yes"]
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.30.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: !Ref DnsHostnames}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref VPC, CidrBlock: 10.30.1.0/24, MapPublicIpOnLaunch: !Ref PublicIp}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref SshCidr}
        - {IpProtocol: tcp, FromPort: "443", ToPort: "443", CidrIpv6: "::/0"}
      SecurityGroupEgress: !If [Egress, [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}], !Ref "AWS::NoValue"]
  DB:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: db, VpcId: !Ref VPC}
  DBIn:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref DB, IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !Ref Web, Description: !Ref Desc}
  WebOut:
    Type: AWS::EC2::SecurityGroupEgress
    Condition: Out
    Properties: {GroupId: !GetAtt Web.GroupId, IpProtocol: tcp, FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: !Ref DB}
Outputs:
  Vpc: {Value: !Ref VPC}
  Subnet: {Value: !Ref Subnet}
  Web: {Value: !Ref Web}
  DB: {Value: !Ref DB}
  DBIn: {Value: !Ref DBIn}
  DBInId: {Value: !GetAtt DBIn.Id}
`

// rulesOf lists a group's rules as "in|out proto from-to peer [description]".
func rulesOf(t *testing.T, p *platform, group string) []string {
	t.Helper()
	out, err := p.EC2.DescribeSecurityGroupRules(context.Background(), &ec2sim.DescribeSecurityGroupRulesInput{
		Filters: []ec2sim.Filter{{Name: "group-id", Values: []string{group}}}})
	if err != nil {
		t.Fatal(err)
	}
	var l []string
	for _, r := range out.SecurityGroupRules {
		dir, peer := "in", r.CidrIpv4+r.CidrIpv6+r.PrefixListID
		if r.IsEgress {
			dir = "out"
		}
		if r.ReferencedGroupInfo != nil {
			peer = r.ReferencedGroupInfo.GroupID
		}
		s := dir + " " + r.IpProtocol + " " + itoa(r.FromPort) + "-" + itoa(r.ToPort) + " " + peer
		if r.Description != "" {
			s += " " + r.Description
		}
		l = append(l, s)
	}
	slices.Sort(l)
	return l
}

func itoa(n int32) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func wantRules(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s rules:\n got %q\nwant %q", what, got, want)
	}
}

func vpcAttr(t *testing.T, p *platform, vpc, attr string) bool {
	t.Helper()
	out, err := p.EC2.DescribeVpcAttribute(context.Background(), &ec2sim.DescribeVpcAttributeInput{VpcID: vpc, Attribute: attr})
	if err != nil {
		t.Fatal(err)
	}
	if out.EnableDnsSupport != nil {
		return out.EnableDnsSupport.Value
	}
	return out.EnableDnsHostnames.Value
}

func subnetMaps(t *testing.T, p *platform, id string) bool {
	t.Helper()
	out, err := p.EC2.DescribeSubnets(context.Background(), &ec2sim.DescribeSubnetsInput{SubnetIDs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Subnets[0].MapPublicIpOnLaunch
}

// TestSecurityGroupRulesStack: inline and standalone rules are real EC2 rules; rule, DNS and
// subnet attribute changes apply in place; deleting the stack leaves nothing.
func TestSecurityGroupRulesStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "rules", sgRulesTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "rules"))
	}
	out := outputs(st)
	web, db := out["Web"], out["DB"]
	if !strings.HasPrefix(out["DBIn"], "sgr-") || out["DBIn"] != out["DBInId"] {
		t.Fatalf("outputs %v", out)
	}
	wantRules(t, "web", rulesOf(t, p, web), "in tcp 22-22 10.0.0.0/8", "in tcp 443-443 ::/0", "out -1 -1--1 0.0.0.0/0", "out tcp 5432-5432 "+db)
	wantRules(t, "db", rulesOf(t, p, db), "in tcp 5432-5432 "+web+" app", "out -1 -1--1 0.0.0.0/0")
	if !vpcAttr(t, p, out["Vpc"], "enableDnsSupport") || vpcAttr(t, p, out["Vpc"], "enableDnsHostnames") || subnetMaps(t, p, out["Subnet"]) {
		t.Fatal("VPC and subnet attributes after create")
	}

	// In place: ingress CIDR, explicit egress (the default rule goes), rule description, DNS
	// hostnames, public IPs.
	in := withParams(updateInput("rules", sgRulesTemplate), param("SshCidr", "192.168.0.0/16"), param("WithEgress", "yes"), param("Desc", "db access"),
		param("DnsHostnames", "true"), param("PublicIp", "true"))
	if _, err := p.cf.UpdateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	if status, st = p.wait(t, "rules"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s\n%s", status, p.failures(t, "rules"))
	}
	after := outputs(st)
	if after["Web"] != web || after["DB"] != db || after["Vpc"] != out["Vpc"] || after["Subnet"] != out["Subnet"] || after["DBIn"] == out["DBIn"] {
		t.Fatalf("after update %v (before %v)", after, out)
	}
	wantRules(t, "web", rulesOf(t, p, web), "in tcp 22-22 192.168.0.0/16", "in tcp 443-443 ::/0", "out tcp 443-443 0.0.0.0/0", "out tcp 5432-5432 "+db)
	wantRules(t, "db", rulesOf(t, p, db), "in tcp 5432-5432 "+web+" db access", "out -1 -1--1 0.0.0.0/0")
	if !vpcAttr(t, p, out["Vpc"], "enableDnsHostnames") || !subnetMaps(t, p, out["Subnet"]) {
		t.Fatal("VPC and subnet attributes after update")
	}

	// Back: no SecurityGroupEgress brings EC2's default rule back; a removed
	// SecurityGroupEgress resource revokes its rule.
	in = withParams(updateInput("rules", sgRulesTemplate), param("KeepOut", "no"))
	if _, err := p.cf.UpdateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	if status, _ = p.wait(t, "rules"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update 2: %s\n%s", status, p.failures(t, "rules"))
	}
	wantRules(t, "web", rulesOf(t, p, web), "in tcp 22-22 10.0.0.0/8", "in tcp 443-443 ::/0", "out -1 -1--1 0.0.0.0/0")
	if vpcAttr(t, p, out["Vpc"], "enableDnsHostnames") || subnetMaps(t, p, out["Subnet"]) {
		t.Fatal("VPC and subnet attributes after the second update")
	}

	p.deleteStack(t, "rules")
	if v, err := p.EC2.DescribeVpcs(ctx, &ec2sim.DescribeVpcsInput{VpcIDs: []string{out["Vpc"]}}); err == nil && len(v.Vpcs) > 0 {
		t.Fatal("vpc survived the stack")
	}
	if _, err := p.EC2.DescribeSecurityGroups(ctx, &ec2sim.DescribeSecurityGroupsInput{GroupIDs: []string{web}}); err == nil {
		t.Fatal("group survived the stack")
	}
}

// TestSecurityGroupEgressOnDefaultVpcGroup: a standalone egress rule on a group of the
// default VPC (no VpcId: Ref is the group name) is added and revoked with its stack.
func TestSecurityGroupEgressOnDefaultVpcGroup(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	g, err := p.EC2.CreateSecurityGroup(ctx, &ec2sim.CreateSecurityGroupInput{GroupName: "shared", Description: "outside the stack"})
	if err != nil {
		t.Fatal(err)
	}
	status, st := p.deploy(t, "eg", `
Parameters:
  G: {Type: String}
Resources:
  Out: {Type: AWS::EC2::SecurityGroupEgress, Properties: {GroupId: !Ref G, IpProtocol: udp, FromPort: 53, ToPort: 53, CidrIp: 10.0.0.2/32, Description: dns}}
  In: {Type: AWS::EC2::SecurityGroupIngress, Properties: {GroupName: shared, IpProtocol: icmp, FromPort: -1, ToPort: -1, CidrIp: 0.0.0.0/0}}
Outputs:
  Out: {Value: !Ref Out}
`, param("G", g.GroupID))
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "eg"))
	}
	if !strings.HasPrefix(outputs(st)["Out"], "sgr-") {
		t.Fatalf("outputs %v", outputs(st))
	}
	wantRules(t, "shared", rulesOf(t, p, g.GroupID), "in icmp -1--1 0.0.0.0/0", "out -1 -1--1 0.0.0.0/0", "out udp 53-53 10.0.0.2/32 dns")
	p.deleteStack(t, "eg")
	wantRules(t, "shared", rulesOf(t, p, g.GroupID), "out -1 -1--1 0.0.0.0/0")
}
