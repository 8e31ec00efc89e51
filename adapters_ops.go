package devopsim

import (
	"context"
	"errors"
	"fmt"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/ssm"
)

// ssmFleet gives Systems Manager the EC2 instances and their machines.
type ssmFleet struct{ ec2 *ec2sim.Service }

func ssmInstance(ec2 *ec2sim.Service, i ec2sim.Instance) ssm.Instance {
	tags := map[string]string{}
	for _, t := range i.Tags {
		tags[t.Key] = t.Value
	}
	out := ssm.Instance{ID: i.InstanceID, State: i.State.Name, Tags: tags, PrivateIP: i.PrivateIpAddress, PrivateDNS: i.PrivateDnsName, LaunchTime: i.LaunchTime}
	if i.IamInstanceProfile != nil {
		out.IamInstanceProfile = i.IamInstanceProfile.Arn
	}
	if h, ok := ec2.MachineOf(i.InstanceID); ok {
		out.Distro = h.Distro()
	}
	return out
}

func (f ssmFleet) describe(ctx context.Context, ids []string) ([]ssm.Instance, error) {
	ctx = identity.InService(ctx, "ssm.amazonaws.com")
	var out []ssm.Instance
	in := &ec2sim.DescribeInstancesInput{InstanceIDs: ids}
	for {
		page, err := f.ec2.DescribeInstances(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				out = append(out, ssmInstance(f.ec2, i))
			}
		}
		if page.NextToken == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

func (f ssmFleet) Instances(ctx context.Context) ([]ssm.Instance, error) { return f.describe(ctx, nil) }

func (f ssmFleet) Instance(ctx context.Context, id string) (ssm.Instance, bool, error) {
	list, err := f.describe(ctx, []string{id})
	if errors.Is(err, apierr.NotFound) || apierr.As(err) != nil && apierr.As(err).Code == "InvalidInstanceID.NotFound" {
		return ssm.Instance{}, false, nil
	}
	if err != nil {
		return ssm.Instance{}, false, err
	}
	if len(list) == 0 {
		return ssm.Instance{}, false, nil
	}
	return list[0], true, nil
}

func (f ssmFleet) Host(ctx context.Context, id string) (ssm.Host, error) {
	h, ok := f.ec2.MachineOf(id)
	if !ok {
		return nil, fmt.Errorf("instance %s has no running host", id)
	}
	return h, nil
}

// parameters gives CodeBuild and CloudFormation Parameter Store, as the calling service.
type parameters struct {
	ssm     *ssm.Service
	service string
}

// GetParameter serves CodeBuild's PARAMETER_STORE variables.
func (p parameters) GetParameter(ctx context.Context, name string, decrypt bool) (string, error) {
	return p.ssm.Resolve(identity.InService(ctx, p.service), name, decrypt)
}

// stackParameters is Parameter Store for CloudFormation.
type stackParameters struct{ ssm *ssm.Service }

func (p stackParameters) GetParameter(ctx context.Context, name string) (string, string, error) {
	v, err := p.ssm.Lookup(identity.InService(ctx, "cloudformation.amazonaws.com"), name, true)
	if err != nil {
		return "", "", err
	}
	return v.Value, v.Type, nil
}

func (p stackParameters) PutParameter(ctx context.Context, name, value, typ string, overwrite bool) error {
	_, err := p.ssm.PutParameter(identity.InService(ctx, "cloudformation.amazonaws.com"), &ssm.PutParameterInput{Name: name, Value: value, Type: typ, Overwrite: overwrite})
	return err
}

func (p stackParameters) DeleteParameter(ctx context.Context, name string) error {
	_, err := p.ssm.DeleteParameter(identity.InService(ctx, "cloudformation.amazonaws.com"), &ssm.DeleteParameterInput{Name: name})
	return err
}
