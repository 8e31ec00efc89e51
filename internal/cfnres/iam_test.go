package cfnres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/iam"
)

const roleStack = `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [ec2.amazonaws.com]}
            Action: ["sts:AssumeRole"]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore, !Ref Managed]
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: "logs:*", Resource: "*"}]
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Role]
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sns:Publish", Resource: "*"}]}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref Role]
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0a2023aaaaaaaaaaa
      InstanceType: t3.micro
      IamInstanceProfile: !Ref Profile
Outputs:
  RoleArn: {Value: !GetAtt Role.Arn}
  RoleId: {Value: !GetAtt Role.RoleId}
  ProfileArn: {Value: !GetAtt Profile.Arn}
  PolicyArn: {Value: !GetAtt Managed.PolicyArn}
  Instance: {Value: !Ref Web}
`

func TestRoleInstanceProfileStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	body := strings.ReplaceAll(roleStack, "ami-0a2023aaaaaaaaaaa", ec2sim.AL2023AMI)
	status, st := p.deploy(t, "roles", body)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "roles"))
	}
	out := outputs(st)
	role := p.physical(t, "roles", "Role")
	if !strings.HasPrefix(out["RoleArn"], "arn:aws:iam::") || !strings.HasSuffix(out["RoleArn"], ":role/"+role) || !strings.HasPrefix(out["RoleId"], "AROA") {
		t.Fatal(out)
	}
	lp, err := p.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role})
	if err != nil || strings.Join(lp.PolicyNames, ",") != "extra,logs" {
		t.Fatal(lp, err)
	}
	la, err := p.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role})
	if err != nil || len(la.AttachedPolicies) != 2 || la.AttachedPolicies[1].PolicyArn != out["PolicyArn"] {
		t.Fatal(la, err)
	}
	prof, err := p.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: p.physical(t, "roles", "Profile")})
	if err != nil || prof.InstanceProfile.Arn != out["ProfileArn"] || len(prof.InstanceProfile.Roles) != 1 || prof.InstanceProfile.Roles[0].RoleName != role {
		t.Fatal(prof, err)
	}
	di, err := p.EC2.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{InstanceIDs: []string{out["Instance"]}})
	if err != nil || len(di.Reservations) == 0 || di.Reservations[0].Instances[0].IamInstanceProfile == nil {
		t.Fatal(di, err)
	}
	if got := di.Reservations[0].Instances[0].IamInstanceProfile.Arn; !strings.HasSuffix(got, ":instance-profile/"+p.physical(t, "roles", "Profile")) {
		t.Fatal(got)
	}
	p.deleteStack(t, "roles")
	if _, err := p.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: role}); err == nil {
		t.Fatal("role survives the stack")
	}
	if _, err := p.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: out["PolicyArn"]}); err == nil {
		t.Fatal("managed policy survives the stack")
	}
}
