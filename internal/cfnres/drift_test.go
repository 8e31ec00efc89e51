package cfnres_test

import (
	"context"
	"testing"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/ec2sim"
)

// TestDriftNewTypes: the new types' Reads report live state (IN_SYNC, MODIFIED, DELETED).
func TestDriftNewTypes(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	body := `
Resources:
  Group: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: /d}}
  Filter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref Group
      FilterPattern: ERROR
      MetricTransformations: [{MetricName: E, MetricNamespace: N, MetricValue: "1"}]
  Stream: {Type: AWS::Logs::LogStream, Properties: {LogGroupName: !Ref Group}}
  VPC: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.40.0.0/16}}
  Subnet: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref VPC, CidrBlock: 10.40.0.0/24}}
  Key: {Type: AWS::EC2::KeyPair, Properties: {KeyName: drift-key}}
`
	if status, _ := p.deploy(t, "drift2", body); status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "drift2"))
	}
	if _, err := p.Logs.PutMetricFilter(ctx, &logs.PutMetricFilterInput{LogGroupName: "/d", FilterName: p.physical(t, "drift2", "Filter"), FilterPattern: "WARN",
		MetricTransformations: []logs.MetricTransformation{{MetricName: "E", MetricNamespace: "N", MetricValue: "1"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.EC2.DeleteKeyPair(ctx, &ec2sim.DeleteKeyPairInput{KeyName: "drift-key"}); err != nil {
		t.Fatal(err)
	}
	for logical, want := range map[string]string{"Filter": "MODIFIED", "Key": "DELETED", "Stream": "IN_SYNC", "VPC": "IN_SYNC", "Subnet": "IN_SYNC"} {
		out, err := p.cf.DetectStackResourceDrift(ctx, &cloudformation.DetectStackResourceDriftInput{StackName: "drift2", LogicalResourceId: logical})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.StackResourceDrift.StackResourceDriftStatus; got != want {
			t.Errorf("%s: %s, want %s (%+v)", logical, got, want, out.StackResourceDrift)
		}
	}
}
