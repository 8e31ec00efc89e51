package ssm

import (
	"sort"
	"strings"
	"time"
)

// AMIParameters returns the public parameters that name the latest Amazon Linux and Ubuntu
// AMIs, pointing at the given image ids (ec2sim's built-in images): what
// "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}" and
// AWS::SSM::Parameter::Value<AWS::EC2::Image::Id> templates read. An empty id leaves its
// parameters out.
func AMIParameters(al2023, amzn2, ubuntu2404, ubuntu2204 string) map[string]string {
	m := map[string]string{}
	add := func(id string, names ...string) {
		if id == "" {
			return
		}
		for _, n := range names {
			m[n] = id
		}
	}
	const al = "/aws/service/ami-amazon-linux-latest/"
	add(al2023, al+"al2023-ami-kernel-default-x86_64", al+"al2023-ami-kernel-6.1-x86_64",
		al+"al2023-ami-minimal-kernel-default-x86_64", al+"al2023-ami-minimal-kernel-6.1-x86_64")
	add(amzn2, al+"amzn2-ami-hvm-x86_64-gp2", al+"amzn2-ami-hvm-x86_64-ebs",
		al+"amzn2-ami-kernel-5.10-hvm-x86_64-gp2", al+"amzn2-ami-kernel-5.10-hvm-x86_64-ebs")
	const ub = "/aws/service/canonical/ubuntu/server/"
	add(ubuntu2404, ub+"24.04/stable/current/amd64/hvm/ebs-gp3/ami-id", ub+"noble/stable/current/amd64/hvm/ebs-gp3/ami-id",
		ub+"24.04/stable/current/amd64/hvm/ebs-gp2/ami-id")
	add(ubuntu2204, ub+"22.04/stable/current/amd64/hvm/ebs-gp2/ami-id", ub+"jammy/stable/current/amd64/hvm/ebs-gp2/ami-id",
		ub+"22.04/stable/current/amd64/hvm/ebs-gp3/ami-id", ub+"jammy/stable/current/amd64/hvm/ebs-gp3/ami-id")
	return m
}

type publicParam struct {
	Name  string
	Value string
}

// publicSet is the read-only global parameters, sorted by name for path listings.
type publicSet struct {
	byName map[string]publicParam
	sorted []string
}

func buildPublic(m map[string]string) publicSet {
	ps := publicSet{byName: map[string]publicParam{}}
	for n, v := range m {
		if !strings.HasPrefix(n, "/aws/") {
			continue
		}
		ps.byName[n] = publicParam{Name: n, Value: v}
		ps.sorted = append(ps.sorted, n)
	}
	sort.Strings(ps.sorted)
	return ps
}

// publicModified is the LastModifiedDate of public parameters.
func publicModified() time.Time { return time.Date(2024, 10, 10, 0, 0, 0, 0, time.UTC) }

func (p publicParam) parameter(region string) Parameter {
	return Parameter{
		ARN: "arn:aws:ssm:" + region + "::parameter" + p.Name, DataType: "text", LastModifiedDate: publicModified(),
		Name: p.Name, Type: "String", Value: p.Value, Version: 1,
	}
}

func isPublic(name string) bool { return strings.HasPrefix(name, "/aws/") }
