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

func TestSDKVpcsAndSubnets(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()

	for _, tc := range []struct{ cidr, code string }{
		{"", "MissingParameter"}, {"10.0.0.0", "InvalidParameterValue"}, {"10.0.0.1/16", "InvalidParameterValue"},
		{"10.0.0.0/8", "InvalidVpc.Range"}, {"10.0.0.0/29", "InvalidVpc.Range"}, {"fd00::/56", "InvalidParameterValue"},
	} {
		if _, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(tc.cidr)}); sdkCode(err) != tc.code {
			t.Errorf("CreateVpc %q: %v, want %s", tc.cidr, err, tc.code)
		}
	}
	v, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("app")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(v.Vpc.VpcId)
	if aws.ToString(v.Vpc.CidrBlock) != "10.0.0.0/16" || v.Vpc.State != types.VpcStateAvailable || aws.ToBool(v.Vpc.IsDefault) || len(v.Vpc.Tags) != 1 {
		t.Fatalf("%+v", v.Vpc)
	}
	dv, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"app"}}}})
	if err != nil || len(dv.Vpcs) != 1 || aws.ToString(dv.Vpcs[0].VpcId) != vpcID {
		t.Fatalf("%+v %v", dv, err)
	}

	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String("us-east-1b")})
	if err != nil {
		t.Fatal(err)
	}
	subID := aws.ToString(sub.Subnet.SubnetId)
	if aws.ToString(sub.Subnet.AvailabilityZone) != "us-east-1b" || aws.ToInt32(sub.Subnet.AvailableIpAddressCount) != 251 || aws.ToString(sub.Subnet.VpcId) != vpcID {
		t.Fatalf("%+v", sub.Subnet)
	}
	for _, tc := range []struct{ vpc, cidr, zone, code string }{
		{vpcID, "10.0.1.128/25", "", "InvalidSubnet.Conflict"},
		{vpcID, "10.0.0.0/16", "", "InvalidSubnet.Conflict"},
		{vpcID, "10.1.0.0/24", "", "InvalidSubnet.Range"},
		{vpcID, "10.0.2.0/29", "", "InvalidSubnet.Range"},
		{vpcID, "10.0.2.0/24", "us-east-1z", "InvalidParameterValue"},
		{"vpc-0123456789abcdef0", "10.0.2.0/24", "", "InvalidVpcID.NotFound"},
	} {
		in := &ec2.CreateSubnetInput{VpcId: aws.String(tc.vpc), CidrBlock: aws.String(tc.cidr)}
		if tc.zone != "" {
			in.AvailabilityZone = aws.String(tc.zone)
		}
		if _, err := c.CreateSubnet(ctx, in); sdkCode(err) != tc.code {
			t.Errorf("CreateSubnet %s: %v, want %s", tc.cidr, err, tc.code)
		}
	}
	ds, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}})
	if err != nil || len(ds.Subnets) != 1 {
		t.Fatalf("%+v %v", ds, err)
	}

	// An instance in the subnet takes an address from its CIDR and blocks its deletion.
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ec2sim.AL2023AMI), InstanceType: types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subID)})
	if err != nil {
		t.Fatal(err)
	}
	if ip := aws.ToString(run.Instances[0].PrivateIpAddress); ip != "10.0.1.4" || aws.ToString(run.Instances[0].VpcId) != vpcID {
		t.Errorf("ip %s vpc %s", ip, aws.ToString(run.Instances[0].VpcId))
	}
	if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subID)}); sdkCode(err) != "DependencyViolation" {
		t.Errorf("delete used subnet: %v", err)
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpcID)}); sdkCode(err) != "DependencyViolation" {
		t.Errorf("delete vpc with subnet: %v", err)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subID)}); sdkCode(err) != "InvalidSubnetID.NotFound" {
		t.Errorf("delete twice: %v", err)
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpcID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}}); sdkCode(err) != "InvalidVpcID.NotFound" {
		t.Errorf("describe deleted: %v", err)
	}
	sgs, _ := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}})
	if len(sgs.SecurityGroups) != 0 {
		t.Errorf("default group of the deleted VPC left: %+v", sgs.SecurityGroups)
	}
}

func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.0/16", "172.31.0.0/20", "10.0.0.1/16", "::/0", "", "1.2.3.4/33"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ec2sim.ParseCIDR(s)
	})
}
