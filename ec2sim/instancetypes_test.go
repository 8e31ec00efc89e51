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

func TestSDKDescribeInstanceTypes(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()

	out, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{types.InstanceTypeT3Micro, types.InstanceTypeM52xlarge}})
	if err != nil || len(out.InstanceTypes) != 2 {
		t.Fatalf("%+v %v", out, err)
	}
	m5, t3 := out.InstanceTypes[0], out.InstanceTypes[1]
	if m5.InstanceType != types.InstanceTypeM52xlarge || aws.ToInt32(m5.VCpuInfo.DefaultVCpus) != 8 || aws.ToInt64(m5.MemoryInfo.SizeInMiB) != 32768 ||
		m5.ProcessorInfo.SupportedArchitectures[0] != types.ArchitectureTypeX8664 || m5.Hypervisor != types.InstanceTypeHypervisorNitro {
		t.Errorf("m5.2xlarge %+v", m5)
	}
	if aws.ToInt32(t3.VCpuInfo.DefaultVCpus) != 2 || aws.ToInt64(t3.MemoryInfo.SizeInMiB) != 1024 || !aws.ToBool(t3.BurstablePerformanceSupported) || !aws.ToBool(t3.FreeTierEligible) {
		t.Errorf("t3.micro %+v", t3)
	}
	small, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{types.InstanceTypeT1Micro, types.InstanceTypeT2Nano}})
	if err != nil || len(small.InstanceTypes) != 2 {
		t.Fatalf("%+v %v", small, err)
	}
	t1, t2 := small.InstanceTypes[0], small.InstanceTypes[1]
	if aws.ToInt64(t1.MemoryInfo.SizeInMiB) != 627 || aws.ToBool(t1.CurrentGeneration) || aws.ToBool(t1.BurstablePerformanceSupported) ||
		aws.ToString(t1.NetworkInfo.NetworkPerformance) != "Very Low" || len(t1.SupportedVirtualizationTypes) != 2 {
		t.Errorf("t1.micro %+v", t1)
	}
	if aws.ToInt64(t2.MemoryInfo.SizeInMiB) != 512 || aws.ToInt32(t2.VCpuInfo.DefaultVCpus) != 1 || !aws.ToBool(t2.BurstablePerformanceSupported) ||
		aws.ToBool(t2.FreeTierEligible) || t2.EbsInfo.EbsOptimizedSupport != types.EbsOptimizedSupportUnsupported {
		t.Errorf("t2.nano %+v", t2)
	}
	if _, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{"x9.huge"}}); sdkCode(err) != "InvalidInstanceType" {
		t.Errorf("unknown: %v", err)
	}
	fours, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{Filters: []types.Filter{{Name: aws.String("vcpu-info.default-vcpus"), Values: []string{"4"}}}})
	if err != nil || len(fours.InstanceTypes) != 6 { // t2/t3/t3a.xlarge, m4/m5.xlarge, c5.xlarge
		for _, it := range fours.InstanceTypes {
			t.Log(it.InstanceType)
		}
		t.Errorf("4 vCPUs: %d %v", len(fours.InstanceTypes), err)
	}
	// Pagination walks the whole catalogue.
	var n int
	p := ec2.NewDescribeInstanceTypesPaginator(c, &ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.InstanceTypes)
	}
	if n != len(ec2sim.InstanceTypes()) || n != 27 {
		t.Errorf("paginated %d of %d", n, len(ec2sim.InstanceTypes()))
	}

	// RunInstances takes exactly the catalogue.
	for _, tc := range []struct {
		typ  types.InstanceType
		code string
	}{{types.InstanceTypeT3aXlarge, ""}, {types.InstanceTypeR5Large, ""}, {types.InstanceTypeT3Nano, "InvalidParameterValue"}, {types.InstanceTypeM6iLarge, "InvalidParameterValue"}, {"bogus", "InvalidParameterValue"}} {
		_, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ec2sim.AL2023AMI), InstanceType: tc.typ, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
		if sdkCode(err) != tc.code || tc.code == "" && err != nil {
			t.Errorf("RunInstances %s: %v, want %q", tc.typ, err, tc.code)
		}
	}
}
