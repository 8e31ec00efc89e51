package cfnres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

const webTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Ami:
    Type: String
    Default: ami-0a2023000000000a1
Resources:
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: "80"
          CidrIp: 0.0.0.0/0
  SshRule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt WebSG.GroupId
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: 10.0.0.0/8
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref Ami
      InstanceType: t3.micro
      SecurityGroupIds: [!GetAtt WebSG.GroupId]
      Tags:
        - Key: Name
          Value: web-1
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          echo "hello from ${AWS::StackName}" > /tmp/hello.txt
Outputs:
  InstanceId:
    Value: !Ref Web
  PrivateIp:
    Value: !GetAtt Web.PrivateIp
  AZ:
    Value: !GetAtt Web.AvailabilityZone
  DNS:
    Value: !GetAtt Web.PrivateDnsName
  Group:
    Value: !GetAtt WebSG.GroupId
`

func TestInstanceStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "web", webTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s: %s", status, p.failures(t, "web"))
	}
	out := outputs(st)
	id := out["InstanceId"]
	if !strings.HasPrefix(id, "i-") || out["PrivateIp"] == "" || out["AZ"] == "" || out["DNS"] == "" {
		t.Fatalf("outputs %v", out)
	}
	desc, err := p.EC2.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{InstanceIDs: []string{id}})
	if err != nil || len(desc.Reservations) != 1 {
		t.Fatalf("DescribeInstances: %v %v", desc, err)
	}
	inst := desc.Reservations[0].Instances[0]
	if inst.State.Name != "running" || inst.InstanceType != "t3.micro" || inst.PrivateIpAddress != out["PrivateIp"] {
		t.Fatalf("instance %+v", inst)
	}
	if len(inst.SecurityGroups) != 1 || inst.SecurityGroups[0].GroupID != out["Group"] {
		t.Fatalf("groups %+v, want %s", inst.SecurityGroups, out["Group"])
	}
	tags := map[string]string{}
	for _, tg := range inst.Tags {
		tags[tg.Key] = tg.Value
	}
	if tags["Name"] != "web-1" || tags["aws:cloudformation:stack-name"] != "web" || tags["aws:cloudformation:logical-id"] != "Web" {
		t.Fatalf("tags %v", tags)
	}
	h, ok := p.EC2.MachineOf(id)
	if !ok {
		t.Fatal("no host")
	}
	if b, err := h.ReadFile("/tmp/hello.txt"); err != nil || string(b) != "hello from web\n" {
		t.Fatalf("user data output %q %v", b, err)
	}
	sgs, err := p.EC2.DescribeSecurityGroups(ctx, &ec2sim.DescribeSecurityGroupsInput{GroupIDs: []string{out["Group"]}})
	if err != nil || len(sgs.SecurityGroups) != 1 {
		t.Fatalf("DescribeSecurityGroups %v", err)
	}
	if n := len(sgs.SecurityGroups[0].IpPermissions); n != 2 {
		t.Fatalf("rules %+v", sgs.SecurityGroups[0].IpPermissions)
	}

	p.deleteStack(t, "web")
	desc, err = p.EC2.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{InstanceIDs: []string{id}})
	if err == nil && len(desc.Reservations) > 0 {
		if s := desc.Reservations[0].Instances[0].State.Name; s != "terminated" && s != "shutting-down" {
			t.Fatalf("instance state after delete: %s", s)
		}
	}
	if sgs, err := p.EC2.DescribeSecurityGroups(ctx, &ec2sim.DescribeSecurityGroupsInput{GroupIDs: []string{out["Group"]}}); err == nil && len(sgs.SecurityGroups) > 0 {
		t.Fatalf("security group survived the stack")
	}
}

const asgTemplate = `
Resources:
  LT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-0a2023000000000a1
        InstanceType: t3.small
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      AvailabilityZones: !GetAZs ""
      MinSize: "1"
      MaxSize: "4"
      DesiredCapacity: "2"
      LaunchTemplate:
        LaunchTemplateId: !Ref LT
        Version: !GetAtt LT.LatestVersionNumber
      Tags:
        - Key: Role
          Value: worker
          PropagateAtLaunch: true
  ScaleUp:
    Type: AWS::AutoScaling::ScalingPolicy
    Properties:
      AutoScalingGroupName: !Ref Group
      AdjustmentType: ChangeInCapacity
      ScalingAdjustment: 1
  LC:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: ami-0a2023000000000a1
      InstanceType: t3.nano
Outputs:
  Group:
    Value: !Ref Group
  Policy:
    Value: !Ref ScaleUp
  PolicyArn:
    Value: !GetAtt ScaleUp.Arn
  LC:
    Value: !Ref LC
`

func TestAutoScalingStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	status, st := p.deploy(t, "fleet", asgTemplate)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s: %s", status, p.failures(t, "fleet"))
	}
	out := outputs(st)
	g, err := p.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{out["Group"]}})
	if err != nil || len(g.AutoScalingGroups) != 1 {
		t.Fatalf("group %v", err)
	}
	if n := len(g.AutoScalingGroups[0].Instances); n != 2 {
		t.Fatalf("%d instances", n)
	}
	if !strings.HasPrefix(out["Policy"], "arn:aws:autoscaling:") || out["Policy"] != out["PolicyArn"] {
		t.Fatalf("policy outputs %v", out)
	}
	lcs, err := p.AutoScaling.DescribeLaunchConfigurations(ctx, &autoscaling.DescribeLaunchConfigurationsInput{LaunchConfigurationNames: []string{out["LC"]}})
	if err != nil || len(lcs.LaunchConfigurations) != 1 {
		t.Fatalf("launch configuration %v", err)
	}

	// In-place update: desired capacity 2 -> 3.
	body := strings.Replace(asgTemplate, `DesiredCapacity: "2"`, `DesiredCapacity: "3"`, 1)
	if _, err := p.cf.UpdateStack(ctx, updateInput("fleet", body)); err != nil {
		t.Fatal(err)
	}
	if status, _ := p.wait(t, "fleet"); status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s %s", status, p.failures(t, "fleet"))
	}
	g, _ = p.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{out["Group"]}})
	if g.AutoScalingGroups[0].DesiredCapacity != 3 || p.physical(t, "fleet", "Group") != out["Group"] {
		t.Fatalf("after update: %+v", g.AutoScalingGroups[0])
	}

	p.deleteStack(t, "fleet")
	g, _ = p.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{out["Group"]}})
	if g != nil && len(g.AutoScalingGroups) > 0 {
		t.Fatal("group survived the stack")
	}
	lts, _ := p.EC2.DescribeLaunchTemplates(ctx, &ec2sim.DescribeLaunchTemplatesInput{})
	if lts != nil && len(lts.LaunchTemplates) > 0 {
		t.Fatalf("launch templates survived: %+v", lts.LaunchTemplates)
	}
}
