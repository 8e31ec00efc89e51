package ec2sim_test

import (
	"errors"
	"fmt"

	"context"
	"github.com/devopsim/devopsim/apierr"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awstest"
)

func filter(name string, vals ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: vals}
}

func tagSpec(rt types.ResourceType, k, v string) []types.TagSpecification {
	return []types.TagSpecification{{ResourceType: rt, Tags: []types.Tag{{Key: aws.String(k), Value: aws.String(v)}}}}
}

func TestSDKDefaultVpcNetwork(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()
	vs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("is-default", "true")}})
	if err != nil || len(vs.Vpcs) != 1 {
		t.Fatalf("%+v %v", vs, err)
	}
	def := aws.ToString(vs.Vpcs[0].VpcId)
	gws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{filter("attachment.vpc-id", def)}})
	if err != nil || len(gws.InternetGateways) != 1 || gws.InternetGateways[0].Attachments[0].State != "available" {
		t.Fatalf("%+v %v", gws, err)
	}
	igw := aws.ToString(gws.InternetGateways[0].InternetGatewayId)
	rts, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", def), filter("association.main", "true")}})
	if err != nil || len(rts.RouteTables) != 1 {
		t.Fatalf("%+v %v", rts, err)
	}
	rt := rts.RouteTables[0]
	if len(rt.Routes) != 2 || aws.ToString(rt.Routes[0].GatewayId) != "local" || aws.ToString(rt.Routes[0].DestinationCidrBlock) != "172.31.0.0/16" ||
		aws.ToString(rt.Routes[1].GatewayId) != igw || rt.Routes[1].State != types.RouteStateActive || rt.Routes[0].Origin != types.RouteOriginCreateRouteTable ||
		!aws.ToBool(rt.Associations[0].Main) || !strings.HasPrefix(aws.ToString(rt.Associations[0].RouteTableAssociationId), "rtbassoc-") {
		t.Fatalf("%+v", rt)
	}
	// The main association cannot be removed; the main table cannot be deleted.
	if _, err := c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: rt.Associations[0].RouteTableAssociationId}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatal(err)
	}
	if _, err := c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: rt.RouteTableId}); sdkCode(err) != "DependencyViolation" {
		t.Fatal(err)
	}
}

func TestSDKInternetGatewaysAndRouteTables(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()

	v, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(v.Vpc.VpcId)
	// A new VPC gets a main route table with its local route only.
	mains, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", vpc)}})
	if err != nil || len(mains.RouteTables) != 1 || len(mains.RouteTables[0].Routes) != 1 || !aws.ToBool(mains.RouteTables[0].Associations[0].Main) {
		t.Fatalf("%+v %v", mains, err)
	}

	g, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tagSpec(types.ResourceTypeInternetGateway, "Name", "gw")})
	if err != nil {
		t.Fatal(err)
	}
	igw := aws.ToString(g.InternetGateway.InternetGatewayId)
	if !strings.HasPrefix(igw, "igw-") || len(g.InternetGateway.Attachments) != 0 || len(g.InternetGateway.Tags) != 1 || aws.ToString(g.InternetGateway.OwnerId) == "" {
		t.Fatalf("%+v", g.InternetGateway)
	}
	if _, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tagSpec(types.ResourceTypeVpc, "a", "b")}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatal(err)
	}
	for _, tc := range []struct{ igw, vpc, code string }{
		{"igw-0123456789abcdef0", vpc, "InvalidInternetGatewayID.NotFound"},
		{igw, "vpc-0123456789abcdef0", "InvalidVpcID.NotFound"},
		{"", vpc, "MissingParameter"},
	} {
		if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(tc.igw), VpcId: aws.String(tc.vpc)}); sdkCode(err) != tc.code {
			t.Errorf("attach %s %s: %v, want %s", tc.igw, tc.vpc, err, tc.code)
		}
	}
	if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}); sdkCode(err) != "Gateway.NotAttached" {
		t.Fatal(err)
	}
	if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}); sdkCode(err) != "Resource.AlreadyAssociated" {
		t.Fatal(err)
	}
	g2, _ := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: g2.InternetGateway.InternetGatewayId, VpcId: aws.String(vpc)}); sdkCode(err) != "Resource.AlreadyAssociated" {
		t.Fatal(err)
	}
	if _, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: g2.InternetGateway.InternetGatewayId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)}); sdkCode(err) != "DependencyViolation" {
		t.Fatal(err)
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)}); sdkCode(err) != "DependencyViolation" {
		t.Fatal(err)
	}
	dg, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{filter("tag:Name", "gw")}})
	if err != nil || len(dg.InternetGateways) != 1 || aws.ToString(dg.InternetGateways[0].Attachments[0].VpcId) != vpc {
		t.Fatalf("%+v %v", dg, err)
	}
	if _, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{"igw-0123456789abcdef0"}}); sdkCode(err) != "InvalidInternetGatewayID.NotFound" {
		t.Fatal(err)
	}

	rt, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc), TagSpecifications: tagSpec(types.ResourceTypeRouteTable, "Name", "public")})
	if err != nil {
		t.Fatal(err)
	}
	rtb := aws.ToString(rt.RouteTable.RouteTableId)
	if len(rt.RouteTable.Routes) != 1 || aws.ToString(rt.RouteTable.Routes[0].DestinationCidrBlock) != "10.0.0.0/16" || len(rt.RouteTable.Associations) != 0 || len(rt.RouteTable.Tags) != 1 {
		t.Fatalf("%+v", rt.RouteTable)
	}
	route := func(dest, gw string) *ec2.CreateRouteInput {
		return &ec2.CreateRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String(dest), GatewayId: aws.String(gw)}
	}
	if _, err := c.CreateRoute(ctx, route("0.0.0.0/0", igw)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   *ec2.CreateRouteInput
		code string
	}{
		{route("0.0.0.0/0", igw), "RouteAlreadyExists"},
		{route("10.0.0.0/16", igw), "RouteAlreadyExists"},
		{route("not-a-cidr", igw), "InvalidParameterValue"},
		{route("192.168.0.0/16", "igw-0123456789abcdef0"), "InvalidGatewayID.NotFound"},
		{&ec2.CreateRouteInput{RouteTableId: aws.String("rtb-0123456789abcdef0"), DestinationCidrBlock: aws.String("1.0.0.0/8"), GatewayId: aws.String(igw)}, "InvalidRouteTableID.NotFound"},
		{&ec2.CreateRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("1.0.0.0/8")}, "InvalidParameterCombination"},
	} {
		if _, err := c.CreateRoute(ctx, tc.in); sdkCode(err) != tc.code {
			t.Errorf("CreateRoute %s: %v, want %s", aws.ToString(tc.in.DestinationCidrBlock), err, tc.code)
		}
	}
	if _, err := c.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("192.168.0.0/16"), GatewayId: aws.String(igw)}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatal(err)
	}
	if _, err := c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("192.168.0.0/16"), NatGatewayId: aws.String("nat-0123456789abcdef0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("192.168.0.0/16"), GatewayId: aws.String(igw)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("10.0.0.0/16")}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatal(err)
	}
	if _, err := c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("172.16.0.0/12")}); sdkCode(err) != "InvalidRoute.NotFound" {
		t.Fatal(err)
	}
	if _, err := c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("192.168.0.0/16")}); err != nil {
		t.Fatal(err)
	}

	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	subID := aws.ToString(sub.Subnet.SubnetId)
	as, err := c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rtb), SubnetId: aws.String(subID)})
	if err != nil || !strings.HasPrefix(aws.ToString(as.AssociationId), "rtbassoc-") || as.AssociationState.State != types.RouteTableAssociationStateCodeAssociated {
		t.Fatalf("%+v %v", as, err)
	}
	if _, err := c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rtb), SubnetId: aws.String(subID)}); sdkCode(err) != "Resource.AlreadyAssociated" {
		t.Fatal(err)
	}
	defSubs, _ := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("default-for-az", "true")}})
	if _, err := c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rtb), SubnetId: defSubs.Subnets[0].SubnetId}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatal(err)
	}
	found, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("association.subnet-id", subID)}})
	if err != nil || len(found.RouteTables) != 1 || aws.ToString(found.RouteTables[0].RouteTableId) != rtb || len(found.RouteTables[0].Routes) != 2 ||
		aws.ToString(found.RouteTables[0].Routes[1].GatewayId) != igw {
		t.Fatalf("%+v %v", found, err)
	}
	byTag, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("tag:Name", "public")}, RouteTableIds: []string{rtb}})
	if err != nil || len(byTag.RouteTables) != 1 {
		t.Fatalf("%+v %v", byTag, err)
	}
	if _, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("bogus", "x")}}); sdkCode(err) != "InvalidParameterValue" {
		t.Fatal(err)
	}
	if _, err := c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(rtb)}); sdkCode(err) != "DependencyViolation" {
		t.Fatal(err)
	}
	// Detaching the gateway makes its routes blackholes.
	if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}); err != nil {
		t.Fatal(err)
	}
	bh, _ := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("route.state", "blackhole")}})
	if len(bh.RouteTables) != 1 {
		t.Fatalf("%+v", bh)
	}
	if _, err := c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: as.AssociationId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: as.AssociationId}); sdkCode(err) != "InvalidAssociationID.NotFound" {
		t.Fatal(err)
	}
	// The table still exists: DeleteVpc refuses.
	if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)}); sdkCode(err) != "DependencyViolation" {
		t.Fatal(err)
	}
	if _, err := c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(rtb)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)}); err != nil {
		t.Fatal(err)
	}
	left, _ := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", vpc)}})
	if len(left.RouteTables) != 0 {
		t.Fatalf("main route table outlived its VPC: %+v", left)
	}
}

func TestSDKElasticIPs(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()

	al, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc, TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "Name", "web")})
	if err != nil {
		t.Fatal(err)
	}
	alloc, ip := aws.ToString(al.AllocationId), aws.ToString(al.PublicIp)
	if !strings.HasPrefix(alloc, "eipalloc-") || !strings.HasPrefix(ip, "198.51.100.") || al.Domain != types.DomainTypeVpc {
		t.Fatalf("%+v", al)
	}
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ec2sim.AL2023AMI), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	if err := s.WaitBooted(ctx, id); err != nil {
		t.Fatal(err)
	}
	pub := func() string {
		d, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(d.Reservations[0].Instances[0].PublicIpAddress)
	}
	auto := pub()
	if auto == "" || auto == ip {
		t.Fatalf("auto public ip %q", auto)
	}
	for _, tc := range []struct {
		in   *ec2.AssociateAddressInput
		code string
	}{
		{&ec2.AssociateAddressInput{AllocationId: aws.String(alloc)}, "MissingParameter"},
		{&ec2.AssociateAddressInput{AllocationId: aws.String("eipalloc-0123456789abcdef0"), InstanceId: aws.String(id)}, "InvalidAllocationID.NotFound"},
		{&ec2.AssociateAddressInput{AllocationId: aws.String(alloc), InstanceId: aws.String("i-0123456789abcdef0")}, "InvalidInstanceID.NotFound"},
		{&ec2.AssociateAddressInput{AllocationId: aws.String(alloc), NetworkInterfaceId: aws.String("eni-0123456789abcdef0")}, "InvalidNetworkInterfaceID.NotFound"},
	} {
		if _, err := c.AssociateAddress(ctx, tc.in); sdkCode(err) != tc.code {
			t.Errorf("%+v: %v, want %s", tc.in, err, tc.code)
		}
	}
	as, err := c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: aws.String(alloc), InstanceId: aws.String(id)})
	if err != nil || !strings.HasPrefix(aws.ToString(as.AssociationId), "eipassoc-") {
		t.Fatalf("%+v %v", as, err)
	}
	if got := pub(); got != ip {
		t.Fatalf("public ip %q, want %q", got, ip)
	}
	h, _ := s.MachineOf(id)
	var out strings.Builder
	if _, err := h.Run(ctx, runnerCmd("TOKEN=$(curl -s -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token); curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/public-ipv4", &out)); err != nil || out.String() != ip {
		t.Fatalf("IMDS public-ipv4 %q %v", out.String(), err)
	}
	da, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{filter("instance-id", id)}})
	if err != nil || len(da.Addresses) != 1 || aws.ToString(da.Addresses[0].AssociationId) != aws.ToString(as.AssociationId) ||
		!strings.HasPrefix(aws.ToString(da.Addresses[0].NetworkInterfaceId), "eni-") || aws.ToString(da.Addresses[0].PrivateIpAddress) == "" || len(da.Addresses[0].Tags) != 1 {
		t.Fatalf("%+v %v", da, err)
	}
	eni := aws.ToString(da.Addresses[0].NetworkInterfaceId)
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(alloc)}); sdkCode(err) != "InvalidIPAddress.InUse" {
		t.Fatal(err)
	}
	// The default VPC's gateway cannot be detached while the address is mapped.
	gws, _ := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{})
	if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: gws.InternetGateways[0].InternetGatewayId,
		VpcId: gws.InternetGateways[0].Attachments[0].VpcId}); sdkCode(err) != "DependencyViolation" {
		t.Fatal(err)
	}
	// A second address on the same instance replaces the first.
	al2, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	if err != nil || aws.ToString(al2.PublicIp) == ip {
		t.Fatalf("%+v %v", al2, err)
	}
	if _, err := c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: al2.AllocationId, NetworkInterfaceId: aws.String(eni)}); err != nil {
		t.Fatal(err)
	}
	if got := pub(); got != aws.ToString(al2.PublicIp) {
		t.Fatalf("public ip %q", got)
	}
	first, _ := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{alloc}})
	if aws.ToString(first.Addresses[0].AssociationId) != "" {
		t.Fatalf("first address still associated: %+v", first.Addresses[0])
	}
	if _, err := c.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{PublicIp: al2.PublicIp}); err != nil {
		t.Fatal(err)
	}
	if got := pub(); got != auto {
		t.Fatalf("public ip after disassociation %q, want %q", got, auto)
	}
	if _, err := c.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: aws.String("eipassoc-0123456789abcdef0")}); sdkCode(err) != "InvalidAssociationID.NotFound" {
		t.Fatal(err)
	}
	// Terminating the instance disassociates its address.
	if _, err := c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: aws.String(alloc), InstanceId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{PublicIps: []string{ip}})
	if len(after.Addresses) != 1 || aws.ToString(after.Addresses[0].InstanceId) != "" {
		t.Fatalf("%+v", after)
	}
	tags, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{filter("resource-type", "elastic-ip")}})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].ResourceId) != alloc {
		t.Fatalf("%+v %v", tags, err)
	}
	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(al2.AllocationId), aws.ToString(gws.InternetGateways[0].InternetGatewayId)},
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	byTag, _ := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{filter("tag:env", "prod")}})
	if len(byTag.Addresses) != 1 {
		t.Fatalf("%+v", byTag)
	}
	for _, a := range []string{alloc, aws.ToString(al2.AllocationId)} {
		if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(alloc)}); sdkCode(err) != "InvalidAllocationID.NotFound" {
		t.Fatal(err)
	}
	// EC2's default quota: five addresses per region.
	for i := range 6 {
		_, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
		if i < 5 && err != nil || i == 5 && sdkCode(err) != "AddressLimitExceeded" {
			t.Fatalf("%d: %v", i, err)
		}
	}
}

func TestElasticIPNeedsGateway(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	v, err := s.CreateVpc(ctx, &ec2sim.CreateVpcInput{CidrBlock: "10.1.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.CreateSubnet(ctx, &ec2sim.CreateSubnetInput{VpcID: v.Vpc.VpcID, CidrBlock: "10.1.0.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	ids := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, SubnetID: sub.Subnet.SubnetID})
	al, err := s.AllocateAddress(ctx, &ec2sim.AllocateAddressInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssociateAddress(ctx, &ec2sim.AssociateAddressInput{AllocationID: al.AllocationID, InstanceID: ids[0]}); !isCode(err, "Gateway.NotAttached") {
		t.Fatal(err)
	}
	g, _ := s.CreateInternetGateway(ctx, &ec2sim.CreateInternetGatewayInput{})
	if _, err := s.AttachInternetGateway(ctx, &ec2sim.AttachInternetGatewayInput{InternetGatewayID: g.InternetGateway.InternetGatewayID, VpcID: v.Vpc.VpcID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssociateAddress(ctx, &ec2sim.AssociateAddressInput{AllocationID: al.AllocationID, InstanceID: ids[0]}); err != nil {
		t.Fatal(err)
	}
	// Routes to an instance record its interface.
	rt, _ := s.CreateRouteTable(ctx, &ec2sim.CreateRouteTableInput{VpcID: v.Vpc.VpcID})
	if _, err := s.CreateRoute(ctx, &ec2sim.CreateRouteInput{RouteTableID: rt.RouteTable.RouteTableID, DestinationCidrBlock: "0.0.0.0/0", InstanceID: ids[0]}); err != nil {
		t.Fatal(err)
	}
	d, _ := s.DescribeRouteTables(ctx, &ec2sim.DescribeRouteTablesInput{Filters: []ec2sim.Filter{{Name: "route.instance-id", Values: []string{ids[0]}}}})
	if len(d.RouteTables) != 1 || d.RouteTables[0].Routes[1].NetworkInterfaceID == "" {
		t.Fatalf("%+v", d)
	}
	// Stopping keeps the Elastic IP.
	if _, err := s.StopInstances(ctx, &ec2sim.StopInstancesInput{InstanceIDs: ids}); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if inst := describe(t, s, ids[0]); inst.State.Name != "stopped" || inst.PublicIpAddress != al.PublicIp {
		t.Fatalf("%+v", inst)
	}
}

func TestNetworkConcurrent(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{MaxAddresses: 100})
	ctx := context.Background()
	v, err := s.CreateVpc(ctx, &ec2sim.CreateVpcInput{CidrBlock: "10.2.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := s.CreateRouteTable(ctx, &ec2sim.CreateRouteTableInput{VpcID: v.Vpc.VpcID})
	var wg sync.WaitGroup
	ips := make([]string, 20)
	for i := range 20 {
		wg.Go(func() {
			a, err := s.AllocateAddress(ctx, &ec2sim.AllocateAddressInput{Domain: "vpc"})
			if err != nil {
				t.Error(err)
				return
			}
			ips[i] = a.PublicIp
			dest := fmt.Sprintf("10.%d.0.0/16", 10+i)
			if _, err := s.CreateRoute(ctx, &ec2sim.CreateRouteInput{RouteTableID: rt.RouteTable.RouteTableID, DestinationCidrBlock: dest, NatGatewayID: "nat-0123456789abcdef0"}); err != nil &&
				!isCode(err, "RouteAlreadyExists") {
				t.Error(err)
			}
			if _, err := s.DescribeRouteTables(ctx, &ec2sim.DescribeRouteTablesInput{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, ip := range ips {
		if seen[ip] {
			t.Fatalf("address %s allocated twice", ip)
		}
		seen[ip] = true
	}
}

func isCode(err error, code string) bool {
	var ae *apierr.Error
	return errors.As(err, &ae) && ae.Code == code
}
