package cfnres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/ec2sim"
)

const publicVPCTemplate = `
Parameters:
  Ami: {Type: String, Default: ami-0a2023000000000a1}
  UseSecond: {Type: String, Default: "no"}
Conditions:
  Second: !Equals [!Ref UseSecond, "yes"]
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.30.0.0/16}
  IGW:
    Type: AWS::EC2::InternetGateway
    Properties:
      Tags: [{Key: Name, Value: igw}]
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref VPC, InternetGatewayId: !Ref IGW}
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref VPC, CidrBlock: 10.30.1.0/24}
  Routes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref VPC}
  Routes2:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref VPC}
  Default:
    Type: AWS::EC2::Route
    DependsOn: Attach
    Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref IGW}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref Public
      RouteTableId: !If [Second, !Ref Routes2, !Ref Routes]
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: !Ref Ami, InstanceType: t3.micro, SubnetId: !Ref Public}
  IP:
    Type: AWS::EC2::EIP
    DependsOn: Attach
    Properties: {Domain: vpc}
  IPAssoc:
    Type: AWS::EC2::EIPAssociation
    Properties: {AllocationId: !GetAtt IP.AllocationId, InstanceId: !Ref Web}
Outputs:
  VPC: {Value: !Ref VPC}
  IGW: {Value: !Ref IGW}
  IGWId: {Value: !GetAtt IGW.InternetGatewayId}
  Attach: {Value: !Ref Attach}
  Table: {Value: !Ref Routes}
  Route: {Value: !Ref Default}
  Assoc: {Value: !Ref Assoc}
  IP: {Value: !Ref IP}
  Alloc: {Value: !GetAtt IP.AllocationId}
  IPAssoc: {Value: !Ref IPAssoc}
  Web: {Value: !Ref Web}
`

func TestPublicVPCStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "pub", publicVPCTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "pub"))
	}
	out := outputs(st)
	if !strings.HasPrefix(out["IGW"], "igw-") || out["IGWId"] != out["IGW"] || out["Attach"] != "IGW|"+out["VPC"] ||
		out["Route"] != out["Table"]+"|0.0.0.0/0" || !strings.HasPrefix(out["Assoc"], "rtbassoc-") || !strings.HasPrefix(out["Alloc"], "eipalloc-") ||
		!strings.HasPrefix(out["IPAssoc"], "eipassoc-") {
		t.Fatalf("outputs %v", out)
	}
	rt, err := p.EC2.DescribeRouteTables(ctx, &ec2sim.DescribeRouteTablesInput{RouteTableIDs: []string{out["Table"]}})
	if err != nil || len(rt.RouteTables) != 1 {
		t.Fatal(rt, err)
	}
	routes := rt.RouteTables[0].Routes
	if len(routes) != 2 || routes[1].GatewayID != out["IGW"] || len(rt.RouteTables[0].Associations) != 1 {
		t.Fatalf("table %+v", rt.RouteTables[0])
	}
	ad, err := p.EC2.DescribeAddresses(ctx, &ec2sim.DescribeAddressesInput{AllocationIDs: []string{out["Alloc"]}})
	if err != nil || len(ad.Addresses) != 1 || ad.Addresses[0].InstanceID != out["Web"] || ad.Addresses[0].PublicIp != out["IP"] {
		t.Fatalf("address %+v %v", ad, err)
	}

	// In place: the subnet moves to the second table (ReplaceRouteTableAssociation).
	if _, err := p.cf.UpdateStack(ctx, withParams(updateInput("pub", publicVPCTemplate), param("UseSecond", "yes"))); err != nil {
		t.Fatal(err)
	}
	if status, st = p.wait(t, "pub"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s\n%s", status, p.failures(t, "pub"))
	}
	rt, _ = p.EC2.DescribeRouteTables(ctx, &ec2sim.DescribeRouteTablesInput{Filters: []ec2sim.Filter{{Name: "association.subnet-id", Values: []string{p.physical(t, "pub", "Public")}}}})
	if len(rt.RouteTables) != 1 || rt.RouteTables[0].RouteTableID != p.physical(t, "pub", "Routes2") {
		t.Fatalf("subnet's table after update: %+v", rt.RouteTables)
	}

	p.deleteStack(t, "pub")
	if v, err := p.EC2.DescribeVpcs(ctx, &ec2sim.DescribeVpcsInput{VpcIDs: []string{out["VPC"]}}); err == nil && len(v.Vpcs) > 0 {
		t.Fatal("vpc survived the stack")
	}
	if g, err := p.EC2.DescribeInternetGateways(ctx, &ec2sim.DescribeInternetGatewaysInput{InternetGatewayIDs: []string{out["IGW"]}}); err == nil && len(g.InternetGateways) > 0 {
		t.Fatal("internet gateway survived the stack")
	}
	if a, err := p.EC2.DescribeAddresses(ctx, &ec2sim.DescribeAddressesInput{AllocationIDs: []string{out["Alloc"]}}); err == nil && len(a.Addresses) > 0 {
		t.Fatal("address survived the stack")
	}
}
