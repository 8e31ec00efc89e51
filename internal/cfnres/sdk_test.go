package cfnres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/devopsim/devopsim/internal/awsapi/cloudformationapi"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awstest"
)

// TestSDKStack drives a stack through the real aws-sdk-go-v2 CloudFormation client and checks
// the instance through the EC2 client.
func TestSDKStack(t *testing.T) {
	p := newPlatform(t)
	cfg := awstest.Config(t, cloudformationapi.Service(p.cf), ec2api.Service(p.EC2))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cf := cfn.NewFromConfig(cfg)
	if _, err := cf.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("sdk"), TemplateBody: aws.String(webTemplate)}); err != nil {
		t.Fatal(err)
	}
	w := cfn.NewStackCreateCompleteWaiter(cf, func(o *cfn.StackCreateCompleteWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 100 * time.Millisecond
	})
	out, err := w.WaitForOutput(ctx, &cfn.DescribeStacksInput{StackName: aws.String("sdk")}, time.Minute)
	if err != nil {
		t.Fatalf("waiter: %v\n%s", err, p.failures(t, "sdk"))
	}
	var id string
	for _, o := range out.Stacks[0].Outputs {
		if aws.ToString(o.OutputKey) == "InstanceId" {
			id = aws.ToString(o.OutputValue)
		}
	}
	res, err := cf.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("sdk"), LogicalResourceId: aws.String("Web")})
	if err != nil || aws.ToString(res.StackResourceDetail.PhysicalResourceId) != id || res.StackResourceDetail.ResourceStatus != cfntypes.ResourceStatusCreateComplete {
		t.Fatalf("resource %+v %v", res, err)
	}
	inst, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(inst.Reservations) != 1 || !strings.HasPrefix(aws.ToString(inst.Reservations[0].Instances[0].PrivateIpAddress), "") {
		t.Fatalf("ec2 %v %v", inst, err)
	}
	if _, err := cf.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("sdk")}); err != nil {
		t.Fatal(err)
	}
	dw := cfn.NewStackDeleteCompleteWaiter(cf, func(o *cfn.StackDeleteCompleteWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 100 * time.Millisecond
	})
	if err := dw.Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String(aws.ToString(out.Stacks[0].StackId))}, time.Minute); err != nil {
		t.Fatal(err)
	}
}
