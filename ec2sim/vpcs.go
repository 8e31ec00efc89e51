package ec2sim

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// VPC and subnet errors.
var (
	ErrVpcRange       = apierr.New(apierr.Invalid, "InvalidVpc.Range", "")
	ErrSubnetRange    = apierr.New(apierr.Invalid, "InvalidSubnet.Range", "")
	ErrSubnetConflict = apierr.New(apierr.Conflict, "InvalidSubnet.Conflict", "")
)

// CreateVpcInput creates a VPC.
type CreateVpcInput struct {
	CidrBlock         string             `json:"CidrBlock"`
	InstanceTenancy   string             `json:"InstanceTenancy,omitempty"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun            bool               `json:"DryRun,omitzero"`
}

// CreateVpcOutput is the new VPC.
type CreateVpcOutput struct {
	Vpc Vpc `json:"Vpc"`
}

// DeleteVpcInput deletes a VPC.
type DeleteVpcInput struct {
	VpcID  string `json:"VpcId"`
	DryRun bool   `json:"DryRun,omitzero"`
}

// DeleteVpcOutput reports the deletion.
type DeleteVpcOutput struct {
	Return bool `json:"Return,omitzero" xml:"return"`
}

// CreateSubnetInput creates a subnet.
type CreateSubnetInput struct {
	VpcID              string             `json:"VpcId"`
	CidrBlock          string             `json:"CidrBlock"`
	AvailabilityZone   string             `json:"AvailabilityZone,omitempty"`
	AvailabilityZoneID string             `json:"AvailabilityZoneId,omitempty"`
	TagSpecifications  []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun             bool               `json:"DryRun,omitzero"`
}

// CreateSubnetOutput is the new subnet.
type CreateSubnetOutput struct {
	Subnet Subnet `json:"Subnet"`
}

// DeleteSubnetInput deletes a subnet.
type DeleteSubnetInput struct {
	SubnetID string `json:"SubnetId"`
	DryRun   bool   `json:"DryRun,omitzero"`
}

// DeleteSubnetOutput reports the deletion.
type DeleteSubnetOutput struct {
	Return bool `json:"Return,omitzero" xml:"return"`
}

func tagsFor(specs []TagSpecification, resource string) ([]Tag, error) {
	var tags []Tag
	for _, ts := range specs {
		if ts.ResourceType != resource {
			return nil, ErrInvalidParameterValue.With("'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
		tags = append(tags, ts.Tags...)
	}
	return tags, validateTags(tags, false)
}

// ParseCIDR parses an IPv4 CIDR block with a prefix between /16 and /28, as VPCs and
// subnets need; host bits must be zero.
func ParseCIDR(cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, ErrInvalidParameterValue.With("Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", cidr)
	}
	if p.Masked() != p {
		return netip.Prefix{}, ErrInvalidParameterValue.With("Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", cidr)
	}
	return p, nil
}

// CreateVpc creates a VPC (and its default security group).
func (s *Service) CreateVpc(ctx context.Context, in *CreateVpcInput) (*CreateVpcOutput, error) {
	return dispatchDo(ctx, s, "CreateVpc", in, s.createVpc)
}

func (s *Service) createVpc(ctx context.Context, in *CreateVpcInput) (*CreateVpcOutput, error) {
	if in.CidrBlock == "" {
		return nil, ErrMissingParameter.With("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	}
	p, err := ParseCIDR(in.CidrBlock)
	if err != nil {
		return nil, err
	}
	if p.Bits() < 16 || p.Bits() > 28 {
		return nil, ErrVpcRange.With("The CIDR '%s' is invalid.", in.CidrBlock)
	}
	tenancy := first(in.InstanceTenancy, "default")
	if tenancy != "default" && tenancy != "dedicated" {
		return nil, ErrInvalidParameterValue.With("Value (%s) for parameter instanceTenancy is invalid.", tenancy)
	}
	tags, err := tagsFor(in.TagSpecifications, "vpc")
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	account, _ := core.Scope(ctx)
	sc := scope(ctx)
	v := vpcRecord{Vpc: Vpc{VpcID: newID("vpc"), CidrBlock: p.String(), State: "available", OwnerID: account, DhcpOptionsID: newID("dopt"),
		InstanceTenancy: tenancy, Tags: tags}}
	if err := s.vpcs.Put(ctx, sc+v.VpcID, v); err != nil {
		return nil, err
	}
	sg := newGroup(account, v.VpcID, "default", "default VPC security group", nil, true)
	if err := s.groups.Put(ctx, sc+sg.GroupID, sg); err != nil {
		return nil, err
	}
	rt := newMainRouteTable(account, v.VpcID, v.CidrBlock, "")
	if err := s.routeTables.Put(ctx, sc+rt.RouteTableID, rt); err != nil {
		return nil, err
	}
	return &CreateVpcOutput{Vpc: v.Vpc}, nil
}

func (s *Service) vpc(ctx context.Context, id string) (vpcRecord, error) {
	return record(ctx, s.vpcs, id, "vpc", apierr.New(apierr.Invalid, "InvalidVpcID.Malformed", "Invalid id: \"%s\"", id),
		ErrVpcNotFound.With("The vpc ID '%s' does not exist", id))
}

// DeleteVpc deletes a VPC without subnets, non-default security groups, an attached internet
// gateway or route tables other than its main one.
func (s *Service) DeleteVpc(ctx context.Context, in *DeleteVpcInput) (*DeleteVpcOutput, error) {
	return dispatchDo(ctx, s, "DeleteVpc", in, s.deleteVpc)
}

func (s *Service) deleteVpc(ctx context.Context, in *DeleteVpcInput) (*DeleteVpcOutput, error) {
	if in.VpcID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter vpcId")
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	v, err := s.vpc(ctx, in.VpcID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	sc := scope(ctx)
	subs, err := s.subnets.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if sub.VpcID == v.VpcID {
			return nil, ErrDependencyViolation.With("The vpc '%s' has dependencies and cannot be deleted.", v.VpcID)
		}
	}
	gs, err := s.groups.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	var own []string
	for _, g := range gs {
		if g.VpcID != v.VpcID {
			continue
		}
		if g.GroupName != "default" {
			return nil, ErrDependencyViolation.With("The vpc '%s' has dependencies and cannot be deleted.", v.VpcID)
		}
		own = append(own, g.GroupID)
	}
	if gw, err := s.vpcGateway(ctx, v.VpcID); err != nil {
		return nil, err
	} else if gw != "" {
		return nil, ErrDependencyViolation.With("The vpc '%s' has dependencies and cannot be deleted.", v.VpcID)
	}
	rts, err := s.routeTables.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	var mainRT []string
	for _, rt := range rts {
		if rt.VpcID != v.VpcID {
			continue
		}
		if !rt.main() {
			return nil, ErrDependencyViolation.With("The vpc '%s' has dependencies and cannot be deleted.", v.VpcID)
		}
		mainRT = append(mainRT, rt.RouteTableID)
	}
	for _, id := range own {
		if err := s.groups.Delete(ctx, sc+id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	for _, id := range mainRT {
		if err := s.routeTables.Delete(ctx, sc+id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if err := s.vpcs.Delete(ctx, sc+v.VpcID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &DeleteVpcOutput{Return: true}, nil
}

// CreateSubnet creates a subnet inside a VPC's CIDR block, not overlapping its other subnets.
func (s *Service) CreateSubnet(ctx context.Context, in *CreateSubnetInput) (*CreateSubnetOutput, error) {
	return dispatchDo(ctx, s, "CreateSubnet", in, s.createSubnet)
}

func (s *Service) createSubnet(ctx context.Context, in *CreateSubnetInput) (*CreateSubnetOutput, error) {
	if in.VpcID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter vpcId")
	}
	if in.CidrBlock == "" {
		return nil, ErrMissingParameter.With("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	}
	p, err := ParseCIDR(in.CidrBlock)
	if err != nil {
		return nil, err
	}
	tags, err := tagsFor(in.TagSpecifications, "subnet")
	if err != nil {
		return nil, err
	}
	account, region := core.Scope(ctx)
	zones := Zones(region)
	zi := -1
	switch {
	case in.AvailabilityZone != "":
		for i, z := range zones {
			if z == in.AvailabilityZone {
				zi = i
			}
		}
	case in.AvailabilityZoneID != "":
		for i := range zones {
			if zoneID(region, i) == in.AvailabilityZoneID {
				zi = i
			}
		}
	default:
		zi = 0
	}
	if zi < 0 {
		return nil, ErrInvalidParameterValue.With("Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.",
			first(in.AvailabilityZone, in.AvailabilityZoneID), strings.Join(zones, ", "))
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	v, err := s.vpc(ctx, in.VpcID)
	if err != nil {
		return nil, err
	}
	vp, err := netip.ParsePrefix(v.CidrBlock)
	if err != nil {
		return nil, err
	}
	if p.Bits() < 16 || p.Bits() > 28 || p.Bits() < vp.Bits() || !vp.Contains(p.Addr()) {
		return nil, ErrSubnetRange.With("The CIDR '%s' is invalid.", in.CidrBlock)
	}
	sc := scope(ctx)
	subs, err := s.subnets.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	for _, o := range subs {
		if o.VpcID != v.VpcID {
			continue
		}
		if op, err := netip.ParsePrefix(o.CidrBlock); err == nil && op.Overlaps(p) {
			return nil, ErrSubnetConflict.With("The CIDR '%s' conflicts with another subnet", in.CidrBlock)
		}
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	id := newID("subnet")
	sub := subnetRecord{Subnet: Subnet{SubnetID: id, SubnetArn: fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", region, account, id), VpcID: v.VpcID,
		CidrBlock: p.String(), AvailabilityZone: zones[zi], AvailabilityZoneID: zoneID(region, zi),
		AvailableIpAddressCount: int32(1<<(32-p.Bits())) - 5, State: "available", OwnerID: account, Tags: tags}, NextIP: 4}
	if err := s.subnets.Put(ctx, sc+id, sub); err != nil {
		return nil, err
	}
	return &CreateSubnetOutput{Subnet: sub.Subnet}, nil
}

// DeleteSubnet deletes a subnet no instance uses.
func (s *Service) DeleteSubnet(ctx context.Context, in *DeleteSubnetInput) (*DeleteSubnetOutput, error) {
	return dispatchDo(ctx, s, "DeleteSubnet", in, s.deleteSubnet)
}

func (s *Service) deleteSubnet(ctx context.Context, in *DeleteSubnetInput) (*DeleteSubnetOutput, error) {
	if in.SubnetID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter subnetId")
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
	if in.DryRun {
		return nil, ErrDryRun
	}
	sc := scope(ctx)
	s.mu.Lock()
	for _, r := range s.inst {
		if r.Scope == sc && r.SubnetID == sub.SubnetID && r.State.Name != "terminated" {
			s.mu.Unlock()
			return nil, ErrDependencyViolation.With("The subnet '%s' has dependencies and cannot be deleted.", sub.SubnetID)
		}
	}
	s.mu.Unlock()
	if err := s.dropSubnetAssociations(ctx, sub.SubnetID); err != nil {
		return nil, err
	}
	if err := s.subnets.Delete(ctx, sc+sub.SubnetID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &DeleteSubnetOutput{Return: true}, nil
}
