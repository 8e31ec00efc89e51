package ec2sim

import (
	"context"

	"github.com/devopsim/devopsim/apierr"
)

// ErrUnsupportedOperation is EC2's error for a request the resource cannot satisfy.
var ErrUnsupportedOperation = apierr.New(apierr.Unsupported, "UnsupportedOperation", "")

func boolAttr(v bool) *AttributeBooleanValue { return &AttributeBooleanValue{Value: v} }

// ModifyVpcAttribute changes one of enableDnsSupport, enableDnsHostnames or
// enableNetworkAddressUsageMetrics. DNS hostnames can only be enabled while DNS support is.
func (s *Service) ModifyVpcAttribute(ctx context.Context, in *ModifyVpcAttributeInput) (*ModifyVpcAttributeOutput, error) {
	return dispatchDo(ctx, s, "ModifyVpcAttribute", in, s.modifyVpcAttribute)
}

func (s *Service) modifyVpcAttribute(ctx context.Context, in *ModifyVpcAttributeInput) (*ModifyVpcAttributeOutput, error) {
	if in.VpcID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter vpcId")
	}
	n := 0
	for _, a := range []*AttributeBooleanValue{in.EnableDnsSupport, in.EnableDnsHostnames, in.EnableNetworkAddressUsageMetrics} {
		if a != nil {
			n++
		}
	}
	if n == 0 {
		return nil, ErrMissingParameter.With("The request must contain one of the parameters enableDnsSupport, enableDnsHostnames or enableNetworkAddressUsageMetrics")
	}
	if n > 1 {
		return nil, ErrInvalidParameterCombo.With("Only one attribute can be modified at a time")
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	s.netMu.Lock()
	v, err := s.vpc(ctx, in.VpcID)
	if err != nil {
		s.netMu.Unlock()
		return nil, err
	}
	_, err = s.vpcs.Update(ctx, scope(ctx)+v.VpcID, func(r *vpcRecord) error {
		switch {
		case in.EnableDnsSupport != nil:
			on := in.EnableDnsSupport.Value
			if !on && r.dnsHostnames() {
				return ErrInvalidParameterValue.With("Cannot disable DNS support while DNS hostnames are enabled for vpc '%s'", r.VpcID)
			}
			r.DnsSupport = &on
		case in.EnableDnsHostnames != nil:
			on := in.EnableDnsHostnames.Value
			if on && !r.dnsSupport() {
				return ErrInvalidParameterValue.With("DNS hostnames can only be enabled when DNS support is enabled for vpc '%s'", r.VpcID)
			}
			r.DnsHostnames = &on
		default:
			r.AddrMetrics = in.EnableNetworkAddressUsageMetrics.Value
		}
		return nil
	})
	s.netMu.Unlock()
	if err != nil {
		return nil, err
	}
	if in.EnableDnsHostnames != nil {
		// As in AWS, instances already running in the VPC gain (or lose) their public DNS names.
		if err := s.renamePublicDNS(ctx, v.VpcID); err != nil {
			return nil, err
		}
	}
	return &ModifyVpcAttributeOutput{}, nil
}

// renamePublicDNS recomputes the public DNS name of every live instance of the VPC.
func (s *Service) renamePublicDNS(ctx context.Context, vpcID string) error {
	sc := scope(ctx)
	var ids []string
	s.mu.Lock()
	for id, r := range s.inst {
		if r.Scope == sc && r.VpcID == vpcID && r.State.Name != "terminated" {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	for _, id := range ids {
		if _, err := s.update(ctx, id, func(r *instanceRecord) error {
			r.PublicDnsName = s.publicDNSOf(ctx, r, r.PublicIpAddress)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// DescribeVpcAttribute returns one VPC attribute.
func (s *Service) DescribeVpcAttribute(ctx context.Context, in *DescribeVpcAttributeInput) (*DescribeVpcAttributeOutput, error) {
	return dispatchDo(ctx, s, "DescribeVpcAttribute", in, s.describeVpcAttribute)
}

func (s *Service) describeVpcAttribute(ctx context.Context, in *DescribeVpcAttributeInput) (*DescribeVpcAttributeOutput, error) {
	if in.VpcID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter vpcId")
	}
	if in.Attribute == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter attribute")
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	v, err := s.vpc(ctx, in.VpcID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	out := &DescribeVpcAttributeOutput{VpcID: v.VpcID}
	switch in.Attribute {
	case "enableDnsSupport":
		out.EnableDnsSupport = boolAttr(v.dnsSupport())
	case "enableDnsHostnames":
		out.EnableDnsHostnames = boolAttr(v.dnsHostnames())
	case "enableNetworkAddressUsageMetrics":
		out.EnableNetworkAddressUsageMetrics = boolAttr(v.AddrMetrics)
	default:
		return nil, ErrInvalidParameterValue.With("Value (%s) for parameter attribute is invalid. Unknown attribute.", in.Attribute)
	}
	return out, nil
}

// ModifySubnetAttribute changes MapPublicIpOnLaunch (instances launched in the subnet from
// then on get a public IPv4 address). The IPv6, customer-owned IP and DNS64 attributes can only
// be set to false: the subnets have no IPv6 CIDR and are not on an outpost.
func (s *Service) ModifySubnetAttribute(ctx context.Context, in *ModifySubnetAttributeInput) (*ModifySubnetAttributeOutput, error) {
	return dispatchDo(ctx, s, "ModifySubnetAttribute", in, s.modifySubnetAttribute)
}

func (s *Service) modifySubnetAttribute(ctx context.Context, in *ModifySubnetAttributeInput) (*ModifySubnetAttributeOutput, error) {
	if in.SubnetID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter subnetId")
	}
	if in.MapPublicIpOnLaunch == nil && in.AssignIpv6AddressOnCreation == nil && in.MapCustomerOwnedIpOnLaunch == nil && in.EnableDns64 == nil && in.CustomerOwnedIpv4Pool == "" {
		return nil, ErrMissingParameter.With("The request must contain an attribute to modify")
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	sub, err := s.subnet(ctx, in.SubnetID)
	if err != nil {
		return nil, err
	}
	switch {
	case in.AssignIpv6AddressOnCreation != nil && in.AssignIpv6AddressOnCreation.Value:
		return nil, ErrInvalidParameterValue.With("Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set assignIpv6AddressOnCreation to true unless the subnet (%s) has an IPv6 CIDR block associated with it.", sub.SubnetID)
	case in.EnableDns64 != nil && in.EnableDns64.Value:
		return nil, ErrInvalidParameterValue.With("Invalid value 'true' for enableDns64. Cannot enable DNS64 on subnet (%s) without an IPv6 CIDR block.", sub.SubnetID)
	case in.MapCustomerOwnedIpOnLaunch != nil && in.MapCustomerOwnedIpOnLaunch.Value || in.CustomerOwnedIpv4Pool != "":
		return nil, ErrUnsupportedOperation.With("The subnet (%s) is not on an outpost: customer-owned IP addresses are not available.", sub.SubnetID)
	}
	if in.MapPublicIpOnLaunch == nil {
		return &ModifySubnetAttributeOutput{}, nil
	}
	_, err = s.subnets.Update(ctx, scope(ctx)+sub.SubnetID, func(r *subnetRecord) error {
		r.MapPublicIpOnLaunch = in.MapPublicIpOnLaunch.Value
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ModifySubnetAttributeOutput{}, nil
}
