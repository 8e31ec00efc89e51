package cfnres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ssm"
)

const networkTemplate = `
Parameters:
  SubnetCidr: {Type: String, Default: 10.20.1.0/24}
  Env: {Type: String, Default: test}
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.20.0.0/16
      EnableDnsHostnames: true
      Tags: [{Key: Env, Value: !Ref Env}]
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: !Ref SubnetCidr
      AvailabilityZone: !Select [1, !GetAZs ""]
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref VPC
  Key:
    Type: AWS::EC2::KeyPair
    Properties:
      KeyName: !Sub "${AWS::StackName}-key"
Outputs:
  Vpc: {Value: !Ref VPC}
  VpcCidr: {Value: !GetAtt VPC.CidrBlock}
  DefaultSG: {Value: !GetAtt VPC.DefaultSecurityGroup}
  Subnet: {Value: !Ref Subnet}
  SubnetAZ: {Value: !GetAtt Subnet.AvailabilityZone}
  SubnetVpc: {Value: !GetAtt Subnet.VpcId}
  Key: {Value: !Ref Key}
  KeyId: {Value: !GetAtt Key.KeyPairId}
  KeyFingerprint: {Value: !GetAtt Key.KeyFingerprint}
`

func TestNetworkStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "net", networkTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "net"))
	}
	out := outputs(st)
	if !strings.HasPrefix(out["Vpc"], "vpc-") || out["VpcCidr"] != "10.20.0.0/16" || !strings.HasPrefix(out["DefaultSG"], "sg-") ||
		!strings.HasPrefix(out["Subnet"], "subnet-") || out["SubnetVpc"] != out["Vpc"] || out["SubnetAZ"] != "us-east-1b" ||
		out["Key"] != "net-key" || !strings.HasPrefix(out["KeyId"], "key-") || out["KeyFingerprint"] == "" {
		t.Fatalf("outputs %v", out)
	}
	vpcs, err := p.EC2.DescribeVpcs(ctx, &ec2sim.DescribeVpcsInput{VpcIDs: []string{out["Vpc"]}})
	if err != nil || len(vpcs.Vpcs) != 1 || len(vpcs.Vpcs[0].Tags) != 1 || vpcs.Vpcs[0].Tags[0].Value != "test" {
		t.Fatalf("vpc %+v %v", vpcs, err)
	}
	// The private key is in Parameter Store, as AWS keeps it.
	prm, err := p.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: "/ec2/keypair/" + out["KeyId"], WithDecryption: true})
	if err != nil || !strings.Contains(prm.Parameter.Value, "PRIVATE KEY") || prm.Parameter.Type != "SecureString" {
		t.Fatalf("key parameter %+v %v", prm, err)
	}

	// In place: a tag on the VPC. Replacement: the subnet's CIDR block.
	in := withParams(updateInput("net", networkTemplate), param("Env", "prod"), param("SubnetCidr", "10.20.2.0/24"))
	if _, err := p.cf.UpdateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	if status, st = p.wait(t, "net"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s\n%s", status, p.failures(t, "net"))
	}
	after := outputs(st)
	if after["Vpc"] != out["Vpc"] || after["Subnet"] == out["Subnet"] || after["Key"] != out["Key"] {
		t.Fatalf("after update %v (before %v)", after, out)
	}
	vpcs, _ = p.EC2.DescribeVpcs(ctx, &ec2sim.DescribeVpcsInput{VpcIDs: []string{out["Vpc"]}})
	if vpcs.Vpcs[0].Tags[0].Value != "prod" {
		t.Fatalf("tags after update %+v", vpcs.Vpcs[0].Tags)
	}
	if s, err := p.EC2.DescribeSubnets(ctx, &ec2sim.DescribeSubnetsInput{SubnetIDs: []string{out["Subnet"]}}); err == nil && len(s.Subnets) > 0 {
		t.Fatal("replaced subnet survived the update")
	}

	p.deleteStack(t, "net")
	if v, err := p.EC2.DescribeVpcs(ctx, &ec2sim.DescribeVpcsInput{VpcIDs: []string{out["Vpc"]}}); err == nil && len(v.Vpcs) > 0 {
		t.Fatal("vpc survived the stack")
	}
	if k, err := p.EC2.DescribeKeyPairs(ctx, &ec2sim.DescribeKeyPairsInput{KeyNames: []string{"net-key"}}); err == nil && len(k.KeyPairs) > 0 {
		t.Fatal("key pair survived the stack")
	}
	if _, err := p.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: "/ec2/keypair/" + out["KeyId"]}); err == nil {
		t.Fatal("key parameter survived the stack")
	}
}

// TestUnsupportedTypeRefused: a type without a provider (ec2sim has no network ACLs) fails
// the stack with AWS's message, never skipped.
func TestUnsupportedTypeRefused(t *testing.T) {
	p := newPlatform(t)
	_, err := p.cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: "acl", TemplateBody: `
Resources:
  V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.9.0.0/16}}
  Acl: {Type: AWS::EC2::NetworkAcl, Properties: {VpcId: !Ref V}}
`})
	if err == nil || !strings.Contains(err.Error(), "Unrecognized resource types: [AWS::EC2::NetworkAcl]") {
		t.Fatalf("err = %v", err)
	}
}
