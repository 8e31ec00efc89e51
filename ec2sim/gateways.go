package ec2sim

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
)

// Internet gateway, route table and address errors.
var (
	ErrInternetGatewayNotFound = apierr.New(apierr.NotFound, "InvalidInternetGatewayID.NotFound", "")
	ErrGatewayNotFound         = apierr.New(apierr.NotFound, "InvalidGatewayID.NotFound", "")
	ErrGatewayNotAttached      = apierr.New(apierr.Conflict, "Gateway.NotAttached", "")
	ErrResourceAssociated      = apierr.New(apierr.Conflict, "Resource.AlreadyAssociated", "")
	ErrRouteTableNotFound      = apierr.New(apierr.NotFound, "InvalidRouteTableID.NotFound", "")
	ErrRouteNotFound           = apierr.New(apierr.NotFound, "InvalidRoute.NotFound", "")
	ErrRouteAlreadyExists      = apierr.New(apierr.AlreadyExists, "RouteAlreadyExists", "")
	ErrAssociationNotFound     = apierr.New(apierr.NotFound, "InvalidAssociationID.NotFound", "")
	ErrAllocationNotFound      = apierr.New(apierr.NotFound, "InvalidAllocationID.NotFound", "")
	ErrAddressNotFound         = apierr.New(apierr.NotFound, "InvalidAddress.NotFound", "")
	ErrAddressInUse            = apierr.New(apierr.Conflict, "InvalidIPAddress.InUse", "")
	ErrAddressLimitExceeded    = apierr.New(apierr.LimitExceeded, "AddressLimitExceeded", "")
)

type igwRecord struct {
	InternetGateway
}

type routeTableRecord struct {
	RouteTable
}

type addressRecord struct {
	Address
}

func (r *routeTableRecord) main() bool {
	for _, a := range r.Associations {
		if a.Main {
			return true
		}
	}
	return false
}

func associated() *RouteTableAssociationState {
	return &RouteTableAssociationState{State: "associated"}
}

// newVpcNetwork makes a VPC's main route table (its local route, plus 0.0.0.0/0 through igw
// when igw is given, as the default VPC has).
func newMainRouteTable(account, vpcID, cidr, igw string) routeTableRecord {
	rt := routeTableRecord{RouteTable{RouteTableID: newID("rtb"), VpcID: vpcID, OwnerID: account,
		Routes: []Route{{DestinationCidrBlock: cidr, GatewayID: "local", Origin: "CreateRouteTable", State: "active"}}}}
	rt.Associations = []RouteTableAssociation{{Main: true, RouteTableAssociationID: newID("rtbassoc"), RouteTableID: rt.RouteTableID, AssociationState: associated()}}
	if igw != "" {
		rt.Routes = append(rt.Routes, Route{DestinationCidrBlock: "0.0.0.0/0", GatewayID: igw, Origin: "CreateRoute", State: "active"})
	}
	return rt
}

func (s *Service) igw(ctx context.Context, id string) (igwRecord, error) {
	return record(ctx, s.igws, id, "igw", apierr.New(apierr.Invalid, "InvalidInternetGatewayId.Malformed", "Invalid id: \"%s\" (expecting \"igw-...\")", id),
		ErrInternetGatewayNotFound.With("The internetGateway ID '%s' does not exist", id))
}

func (s *Service) routeTable(ctx context.Context, id string) (routeTableRecord, error) {
	return record(ctx, s.routeTables, id, "rtb", apierr.New(apierr.Invalid, "InvalidRouteTableId.Malformed", "Invalid id: \"%s\" (expecting \"rtb-...\")", id),
		ErrRouteTableNotFound.With("The routeTable ID '%s' does not exist", id))
}

// CreateInternetGateway creates a detached internet gateway.
func (s *Service) CreateInternetGateway(ctx context.Context, in *CreateInternetGatewayInput) (*CreateInternetGatewayOutput, error) {
	return dispatchDo(ctx, s, "CreateInternetGateway", in, s.createInternetGateway)
}

func (s *Service) createInternetGateway(ctx context.Context, in *CreateInternetGatewayInput) (*CreateInternetGatewayOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "internet-gateway")
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	account, _ := core.Scope(ctx)
	g := igwRecord{InternetGateway{InternetGatewayID: newID("igw"), OwnerID: account, Attachments: []InternetGatewayAttachment{}, Tags: tags}}
	if err := s.igws.Put(ctx, scope(ctx)+g.InternetGatewayID, g); err != nil {
		return nil, err
	}
	return &CreateInternetGatewayOutput{InternetGateway: g.InternetGateway}, nil
}

// AttachInternetGateway attaches a gateway to a VPC (one gateway per VPC, one VPC per gateway).
func (s *Service) AttachInternetGateway(ctx context.Context, in *AttachInternetGatewayInput) (*AttachInternetGatewayOutput, error) {
	return dispatchDo(ctx, s, "AttachInternetGateway", in, s.attachInternetGateway)
}

func (s *Service) attachInternetGateway(ctx context.Context, in *AttachInternetGatewayInput) (*AttachInternetGatewayOutput, error) {
	if in.InternetGatewayID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter internetGatewayId")
	}
	if in.VpcID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter vpcId")
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	g, err := s.igw(ctx, in.InternetGatewayID)
	if err != nil {
		return nil, err
	}
	v, err := s.vpc(ctx, in.VpcID)
	if err != nil {
		return nil, err
	}
	if len(g.Attachments) > 0 {
		return nil, ErrResourceAssociated.With("resource %s is already attached to network %s", g.InternetGatewayID, g.Attachments[0].VpcID)
	}
	if other, err := s.vpcGateway(ctx, v.VpcID); err != nil {
		return nil, err
	} else if other != "" {
		return nil, ErrResourceAssociated.With("Network %s already has an internet gateway attached", v.VpcID)
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	_, err = s.igws.Update(ctx, scope(ctx)+g.InternetGatewayID, func(r *igwRecord) error {
		r.Attachments = []InternetGatewayAttachment{{State: "available", VpcID: v.VpcID}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.refreshBlackholes(ctx, v.VpcID)
	return &AttachInternetGatewayOutput{Return: true}, nil
}

// vpcGateway returns the id of the internet gateway attached to a VPC, "" if none.
func (s *Service) vpcGateway(ctx context.Context, vpcID string) (string, error) {
	all, err := s.igws.All(ctx, scope(ctx))
	if err != nil {
		return "", err
	}
	for _, g := range all {
		for _, a := range g.Attachments {
			if a.VpcID == vpcID {
				return g.InternetGatewayID, nil
			}
		}
	}
	return "", nil
}

// DetachInternetGateway detaches a gateway from its VPC; it fails while instances in the VPC
// have public addresses mapped through it (Elastic IPs).
func (s *Service) DetachInternetGateway(ctx context.Context, in *DetachInternetGatewayInput) (*DetachInternetGatewayOutput, error) {
	return dispatchDo(ctx, s, "DetachInternetGateway", in, s.detachInternetGateway)
}

func (s *Service) detachInternetGateway(ctx context.Context, in *DetachInternetGatewayInput) (*DetachInternetGatewayOutput, error) {
	if in.InternetGatewayID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter internetGatewayId")
	}
	if in.VpcID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter vpcId")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	g, err := s.igw(ctx, in.InternetGatewayID)
	if err != nil {
		return nil, err
	}
	if len(g.Attachments) == 0 || g.Attachments[0].VpcID != in.VpcID {
		return nil, ErrGatewayNotAttached.With("resource %s is not attached to network %s", g.InternetGatewayID, in.VpcID)
	}
	addrs, err := s.addresses.All(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if a.InstanceID == "" {
			continue
		}
		if r, err := s.instance(ctx, a.InstanceID); err == nil && r.VpcID == in.VpcID {
			return nil, ErrDependencyViolation.With("Network %s has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.", in.VpcID)
		}
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	_, err = s.igws.Update(ctx, scope(ctx)+g.InternetGatewayID, func(r *igwRecord) error {
		r.Attachments = []InternetGatewayAttachment{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.refreshBlackholes(ctx, in.VpcID)
	return &DetachInternetGatewayOutput{Return: true}, nil
}

// DeleteInternetGateway deletes a detached gateway.
func (s *Service) DeleteInternetGateway(ctx context.Context, in *DeleteInternetGatewayInput) (*DeleteInternetGatewayOutput, error) {
	return dispatchDo(ctx, s, "DeleteInternetGateway", in, s.deleteInternetGateway)
}

func (s *Service) deleteInternetGateway(ctx context.Context, in *DeleteInternetGatewayInput) (*DeleteInternetGatewayOutput, error) {
	if in.InternetGatewayID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter internetGatewayId")
	}
	err := deleteIdle(ctx, s, s.igws, func() (igwRecord, error) { return s.igw(ctx, in.InternetGatewayID) },
		func(g igwRecord) string { return g.InternetGatewayID },
		func(g igwRecord) error {
			if len(g.Attachments) > 0 {
				return ErrDependencyViolation.With("The internetGateway '%s' has dependencies and cannot be deleted.", g.InternetGatewayID)
			}
			return nil
		}, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &DeleteInternetGatewayOutput{Return: true}, nil
}

// DescribeInternetGateways lists gateways (filters internet-gateway-id, attachment.vpc-id,
// attachment.state, owner-id, tag:<k>, tag-key, tag-value).
func (s *Service) DescribeInternetGateways(ctx context.Context, in *DescribeInternetGatewaysInput) (*DescribeInternetGatewaysOutput, error) {
	return dispatchDo(ctx, s, "DescribeInternetGateways", in, s.describeInternetGateways)
}

func (s *Service) describeInternetGateways(ctx context.Context, in *DescribeInternetGatewaysInput) (*DescribeInternetGatewaysOutput, error) {
	limit, after, err := pageParams(in.MaxResults, 5, 1000, in.Filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := scopedAll(ctx, s, s.igws)
	if err != nil {
		return nil, err
	}
	id := func(g igwRecord) string { return g.InternetGatewayID }
	gws, next, err := selection[igwRecord, InternetGateway]{
		ids:     []byID[igwRecord]{{in.InternetGatewayIDs, id, missing(ErrInternetGatewayNotFound, "The internetGateway ID '%s' does not exist")}},
		filters: in.Filters, values: igwFilter, view: func(g igwRecord) InternetGateway { return g.InternetGateway },
		limit: limit, after: after, key: id,
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeInternetGatewaysOutput{InternetGateways: gws, NextToken: next}, nil
}

func igwFilter(g igwRecord, name string) ([]string, bool) {
	switch name {
	case "internet-gateway-id":
		return []string{g.InternetGatewayID}, true
	case "owner-id":
		return []string{g.OwnerID}, true
	case "attachment.vpc-id":
		var out []string
		for _, a := range g.Attachments {
			out = append(out, a.VpcID)
		}
		return out, true
	case "attachment.state":
		var out []string
		for _, a := range g.Attachments {
			out = append(out, a.State)
		}
		return out, true
	}
	return tagFilter(name, g.Tags)
}

// Route tables

// CreateRouteTable creates a route table with the VPC's local route.
func (s *Service) CreateRouteTable(ctx context.Context, in *CreateRouteTableInput) (*CreateRouteTableOutput, error) {
	return dispatchDo(ctx, s, "CreateRouteTable", in, s.createRouteTable)
}

func (s *Service) createRouteTable(ctx context.Context, in *CreateRouteTableInput) (*CreateRouteTableOutput, error) {
	if in.VpcID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter vpcId")
	}
	tags, err := tagsFor(in.TagSpecifications, "route-table")
	if err != nil {
		return nil, err
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
	account, _ := core.Scope(ctx)
	rt := routeTableRecord{RouteTable{RouteTableID: newID("rtb"), VpcID: v.VpcID, OwnerID: account, Associations: []RouteTableAssociation{},
		Routes: []Route{{DestinationCidrBlock: v.CidrBlock, GatewayID: "local", Origin: "CreateRouteTable", State: "active"}}, Tags: tags}}
	if err := s.routeTables.Put(ctx, scope(ctx)+rt.RouteTableID, rt); err != nil {
		return nil, err
	}
	return &CreateRouteTableOutput{RouteTable: rt.RouteTable, ClientToken: in.ClientToken}, nil
}

// DeleteRouteTable deletes a route table that is not associated (nor main).
func (s *Service) DeleteRouteTable(ctx context.Context, in *DeleteRouteTableInput) (*DeleteRouteTableOutput, error) {
	return dispatchDo(ctx, s, "DeleteRouteTable", in, s.deleteRouteTable)
}

func (s *Service) deleteRouteTable(ctx context.Context, in *DeleteRouteTableInput) (*DeleteRouteTableOutput, error) {
	if in.RouteTableID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter routeTableId")
	}
	err := deleteIdle(ctx, s, s.routeTables, func() (routeTableRecord, error) { return s.routeTable(ctx, in.RouteTableID) },
		func(rt routeTableRecord) string { return rt.RouteTableID },
		func(rt routeTableRecord) error {
			if len(rt.Associations) > 0 {
				return ErrDependencyViolation.With("The routeTable '%s' has dependencies and cannot be deleted.", rt.RouteTableID)
			}
			return nil
		}, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &DeleteRouteTableOutput{Return: true}, nil
}

// routeTarget validates a route's destination and target and returns the route.
func (s *Service) routeTarget(ctx context.Context, rt routeTableRecord, in *CreateRouteInput) (Route, error) {
	if in.DestinationIpv6CidrBlock != "" || in.DestinationPrefixListID != "" {
		return Route{}, apierr.New(apierr.Unsupported, "UnsupportedOperation", "devopsim supports IPv4 destination CIDR blocks only")
	}
	if in.DestinationCidrBlock == "" {
		return Route{}, ErrMissingParameter.With("The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId")
	}
	p, err := netip.ParsePrefix(in.DestinationCidrBlock)
	if err != nil || !p.Addr().Is4() {
		return Route{}, ErrInvalidParameterValue.With("Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", in.DestinationCidrBlock)
	}
	dest := p.Masked().String()
	r := Route{DestinationCidrBlock: dest, Origin: "CreateRoute", State: "active"}
	n := 0
	for _, t := range []string{in.GatewayID, in.InstanceID, in.NatGatewayID, in.NetworkInterfaceID, in.TransitGatewayID, in.VpcPeeringConnectionID,
		in.EgressOnlyInternetGatewayID, in.VpcEndpointID, in.CarrierGatewayID, in.LocalGatewayID} {
		if t != "" {
			n++
		}
	}
	if in.LocalTarget {
		n++
	}
	if n != 1 {
		return Route{}, ErrInvalidParameterCombo.With("The parameter combination is not valid: exactly one route target must be specified")
	}
	switch {
	case in.GatewayID != "" || in.LocalTarget:
		gw := in.GatewayID
		if in.LocalTarget || gw == "local" {
			return Route{}, ErrInvalidParameterValue.With("The destination CIDR block %s is not within the VPC CIDR range; a local route covers the VPC CIDR only", dest)
		}
		if !strings.HasPrefix(gw, "igw-") {
			return Route{}, ErrGatewayNotFound.With("The gateway ID '%s' does not exist", gw)
		}
		g, err := s.igws.Get(ctx, scope(ctx)+gw)
		if err != nil {
			return Route{}, ErrGatewayNotFound.With("The gateway ID '%s' does not exist", gw)
		}
		if len(g.Attachments) == 0 || g.Attachments[0].VpcID != rt.VpcID {
			return Route{}, ErrInvalidParameterValue.With("route table %s and network gateway %s belong to different networks", rt.RouteTableID, gw)
		}
		r.GatewayID = gw
	case in.InstanceID != "":
		inst, err := s.instance(ctx, in.InstanceID)
		if err != nil {
			return Route{}, err
		}
		if inst.VpcID != rt.VpcID {
			return Route{}, ErrInvalidParameterValue.With("route table %s and instance %s belong to different networks", rt.RouteTableID, inst.InstanceID)
		}
		if inst.State.Name == "terminated" || inst.State.Name == "shutting-down" {
			return Route{}, ErrIncorrectInstanceState.With("The instance '%s' is not in a valid state for this operation.", inst.InstanceID)
		}
		r.InstanceID, r.InstanceOwnerID, r.NetworkInterfaceID = inst.InstanceID, inst.Account, eniOf(inst.InstanceID)
	case in.NetworkInterfaceID != "":
		inst, err := s.instanceByENI(ctx, in.NetworkInterfaceID)
		if err != nil {
			return Route{}, err
		}
		if inst.VpcID != rt.VpcID {
			return Route{}, ErrInvalidParameterValue.With("route table %s and interface %s belong to different networks", rt.RouteTableID, in.NetworkInterfaceID)
		}
		r.InstanceID, r.InstanceOwnerID, r.NetworkInterfaceID = inst.InstanceID, inst.Account, in.NetworkInterfaceID
	case in.NatGatewayID != "":
		if !validID(in.NatGatewayID, "nat") {
			return Route{}, apierr.New(apierr.NotFound, "InvalidNatGatewayID.NotFound", "The natGateway ID '%s' does not exist", in.NatGatewayID)
		}
		r.NatGatewayID = in.NatGatewayID
	case in.TransitGatewayID != "":
		if !validID(in.TransitGatewayID, "tgw") {
			return Route{}, apierr.New(apierr.NotFound, "InvalidTransitGatewayID.NotFound", "The transitGateway ID '%s' does not exist", in.TransitGatewayID)
		}
		r.TransitGatewayID = in.TransitGatewayID
	case in.VpcPeeringConnectionID != "":
		if !validID(in.VpcPeeringConnectionID, "pcx") {
			return Route{}, apierr.New(apierr.NotFound, "InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID '%s' does not exist", in.VpcPeeringConnectionID)
		}
		r.VpcPeeringConnectionID = in.VpcPeeringConnectionID
	case in.EgressOnlyInternetGatewayID != "":
		return Route{}, apierr.New(apierr.Unsupported, "UnsupportedOperation", "egress-only internet gateways are IPv6 only; devopsim routes IPv4")
	default:
		return Route{}, apierr.New(apierr.Unsupported, "UnsupportedOperation", "devopsim does not model this route target")
	}
	return r, nil
}

// CreateRoute adds a route to a route table.
func (s *Service) CreateRoute(ctx context.Context, in *CreateRouteInput) (*CreateRouteOutput, error) {
	return dispatchDo(ctx, s, "CreateRoute", in, func(ctx context.Context, in *CreateRouteInput) (*CreateRouteOutput, error) {
		return s.putRoute(ctx, in, false)
	})
}

// ReplaceRoute replaces the target of an existing route.
func (s *Service) ReplaceRoute(ctx context.Context, in *ReplaceRouteInput) (*ReplaceRouteOutput, error) {
	return dispatchDo(ctx, s, "ReplaceRoute", in, func(ctx context.Context, in *ReplaceRouteInput) (*ReplaceRouteOutput, error) {
		return s.putRoute(ctx, in, true)
	})
}

func (s *Service) putRoute(ctx context.Context, in *CreateRouteInput, replace bool) (*CreateRouteOutput, error) {
	if in.RouteTableID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter routeTableId")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	rt, err := s.routeTable(ctx, in.RouteTableID)
	if err != nil {
		return nil, err
	}
	if replace && in.LocalTarget {
		// Restoring the local target of the VPC CIDR route.
		return nil, ErrInvalidParameterValue.With("The local route of %s cannot be replaced", rt.RouteTableID)
	}
	r, err := s.routeTarget(ctx, rt, in)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	_, err = s.routeTables.Update(ctx, scope(ctx)+rt.RouteTableID, func(x *routeTableRecord) error {
		i := slices.IndexFunc(x.Routes, func(e Route) bool { return e.DestinationCidrBlock == r.DestinationCidrBlock })
		switch {
		case i >= 0 && x.Routes[i].GatewayID == "local":
			if replace {
				return ErrInvalidParameterValue.With("cannot replace local route %s in route table %s", r.DestinationCidrBlock, rt.RouteTableID)
			}
			return ErrRouteAlreadyExists.With("The route identified by %s already exists.", r.DestinationCidrBlock)
		case i >= 0 && !replace:
			return ErrRouteAlreadyExists.With("The route identified by %s already exists.", r.DestinationCidrBlock)
		case i < 0 && replace:
			return ErrInvalidParameterValue.With("There is no route defined for '%s' in the route table. Use CreateRoute instead.", r.DestinationCidrBlock)
		case i >= 0:
			x.Routes[i] = r
		default:
			x.Routes = append(x.Routes, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateRouteOutput{Return: true}, nil
}

// DeleteRoute deletes a route (not the local one).
func (s *Service) DeleteRoute(ctx context.Context, in *DeleteRouteInput) (*DeleteRouteOutput, error) {
	return dispatchDo(ctx, s, "DeleteRoute", in, s.deleteRoute)
}

func (s *Service) deleteRoute(ctx context.Context, in *DeleteRouteInput) (*DeleteRouteOutput, error) {
	if in.RouteTableID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter routeTableId")
	}
	if in.DestinationCidrBlock == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	rt, err := s.routeTable(ctx, in.RouteTableID)
	if err != nil {
		return nil, err
	}
	dest := in.DestinationCidrBlock
	if p, err := netip.ParsePrefix(dest); err == nil {
		dest = p.Masked().String()
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	_, err = s.routeTables.Update(ctx, scope(ctx)+rt.RouteTableID, func(x *routeTableRecord) error {
		i := slices.IndexFunc(x.Routes, func(e Route) bool { return e.DestinationCidrBlock == dest })
		if i < 0 {
			return ErrRouteNotFound.With("no route with destination-cidr-block %s in route table %s", in.DestinationCidrBlock, rt.RouteTableID)
		}
		if x.Routes[i].GatewayID == "local" {
			return ErrInvalidParameterValue.With("cannot remove local route %s in route table %s", dest, rt.RouteTableID)
		}
		x.Routes = slices.Delete(x.Routes, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteRouteOutput{Return: true}, nil
}

// findAssociation returns the route table holding an association id.
func (s *Service) findAssociation(ctx context.Context, id string) (routeTableRecord, int, error) {
	all, err := s.routeTables.All(ctx, scope(ctx))
	if err != nil {
		return routeTableRecord{}, 0, err
	}
	for _, rt := range all {
		for i, a := range rt.Associations {
			if a.RouteTableAssociationID == id {
				return rt, i, nil
			}
		}
	}
	return routeTableRecord{}, 0, ErrAssociationNotFound.With("The association ID '%s' does not exist", id)
}

// AssociateRouteTable associates a route table with a subnet of its VPC (or an internet
// gateway attached to it, for edge routing).
func (s *Service) AssociateRouteTable(ctx context.Context, in *AssociateRouteTableInput) (*AssociateRouteTableOutput, error) {
	return dispatchDo(ctx, s, "AssociateRouteTable", in, s.associateRouteTable)
}

func (s *Service) associateRouteTable(ctx context.Context, in *AssociateRouteTableInput) (*AssociateRouteTableOutput, error) {
	if in.RouteTableID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter routeTableId")
	}
	if (in.SubnetID == "") == (in.GatewayID == "") {
		return nil, ErrInvalidParameterCombo.With("The parameter combination is not valid: specify exactly one of subnetId and gatewayId")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	rt, err := s.routeTable(ctx, in.RouteTableID)
	if err != nil {
		return nil, err
	}
	a := RouteTableAssociation{RouteTableAssociationID: newID("rtbassoc"), RouteTableID: rt.RouteTableID, AssociationState: associated()}
	if in.SubnetID != "" {
		sub, err := s.subnet(ctx, in.SubnetID)
		if err != nil {
			return nil, err
		}
		if sub.VpcID != rt.VpcID {
			return nil, ErrInvalidParameterValue.With("Route table %s and subnet %s belong to different networks", rt.RouteTableID, sub.SubnetID)
		}
		a.SubnetID = sub.SubnetID
	} else {
		g, err := s.igw(ctx, in.GatewayID)
		if err != nil {
			return nil, err
		}
		if len(g.Attachments) == 0 || g.Attachments[0].VpcID != rt.VpcID {
			return nil, ErrInvalidParameterValue.With("Route table %s and gateway %s belong to different networks", rt.RouteTableID, g.InternetGatewayID)
		}
		a.GatewayID = g.InternetGatewayID
	}
	all, err := s.routeTables.All(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		for _, e := range o.Associations {
			if e.SubnetID != "" && e.SubnetID == a.SubnetID || e.GatewayID != "" && e.GatewayID == a.GatewayID {
				return nil, ErrResourceAssociated.With("the specified association for route table %s conflicts with an existing association", rt.RouteTableID)
			}
		}
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	_, err = s.routeTables.Update(ctx, scope(ctx)+rt.RouteTableID, func(x *routeTableRecord) error {
		x.Associations = append(x.Associations, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AssociateRouteTableOutput{AssociationID: a.RouteTableAssociationID, AssociationState: associated()}, nil
}

// DisassociateRouteTable removes a subnet or gateway association (not the main one).
func (s *Service) DisassociateRouteTable(ctx context.Context, in *DisassociateRouteTableInput) (*DisassociateRouteTableOutput, error) {
	return dispatchDo(ctx, s, "DisassociateRouteTable", in, s.disassociateRouteTable)
}

func (s *Service) disassociateRouteTable(ctx context.Context, in *DisassociateRouteTableInput) (*DisassociateRouteTableOutput, error) {
	if in.AssociationID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter associationId")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	rt, i, err := s.findAssociation(ctx, in.AssociationID)
	if err != nil {
		return nil, err
	}
	if rt.Associations[i].Main {
		return nil, ErrInvalidParameterValue.With("cannot disassociate the main route table association %s", in.AssociationID)
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	_, err = s.routeTables.Update(ctx, scope(ctx)+rt.RouteTableID, func(x *routeTableRecord) error {
		x.Associations = slices.DeleteFunc(x.Associations, func(a RouteTableAssociation) bool { return a.RouteTableAssociationID == in.AssociationID })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DisassociateRouteTableOutput{Return: true}, nil
}

// ReplaceRouteTableAssociation moves an association to another route table of the same VPC;
// moving the main association makes the other table the main one.
func (s *Service) ReplaceRouteTableAssociation(ctx context.Context, in *ReplaceRouteTableAssociationInput) (*ReplaceRouteTableAssociationOutput, error) {
	return dispatchDo(ctx, s, "ReplaceRouteTableAssociation", in, s.replaceRouteTableAssociation)
}

func (s *Service) replaceRouteTableAssociation(ctx context.Context, in *ReplaceRouteTableAssociationInput) (*ReplaceRouteTableAssociationOutput, error) {
	if in.AssociationID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter associationId")
	}
	if in.RouteTableID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter routeTableId")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	from, i, err := s.findAssociation(ctx, in.AssociationID)
	if err != nil {
		return nil, err
	}
	to, err := s.routeTable(ctx, in.RouteTableID)
	if err != nil {
		return nil, err
	}
	if to.VpcID != from.VpcID {
		return nil, ErrInvalidParameterValue.With("Route table %s and association %s belong to different networks", to.RouteTableID, in.AssociationID)
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	a := from.Associations[i]
	a.RouteTableAssociationID = newID("rtbassoc")
	a.RouteTableID = to.RouteTableID
	sc := scope(ctx)
	if _, err := s.routeTables.Update(ctx, sc+from.RouteTableID, func(x *routeTableRecord) error {
		x.Associations = slices.DeleteFunc(x.Associations, func(e RouteTableAssociation) bool { return e.RouteTableAssociationID == in.AssociationID })
		return nil
	}); err != nil {
		return nil, err
	}
	if _, err := s.routeTables.Update(ctx, sc+to.RouteTableID, func(x *routeTableRecord) error {
		x.Associations = append(x.Associations, a)
		return nil
	}); err != nil {
		return nil, err
	}
	return &ReplaceRouteTableAssociationOutput{NewAssociationID: a.RouteTableAssociationID, AssociationState: associated()}, nil
}

// refreshBlackholes marks routes to internet gateways that are no longer attached to the
// route table's VPC as blackhole, and attached ones active again.
func (s *Service) refreshBlackholes(ctx context.Context, vpcID string) {
	sc := scope(ctx)
	all, err := s.routeTables.All(ctx, sc)
	if err != nil {
		return
	}
	gws, err := s.igws.All(ctx, sc)
	if err != nil {
		return
	}
	attached := map[string]bool{}
	for _, g := range gws {
		if len(g.Attachments) > 0 && g.Attachments[0].VpcID == vpcID {
			attached[g.InternetGatewayID] = true
		}
	}
	for _, rt := range all {
		if rt.VpcID != vpcID {
			continue
		}
		_, _ = s.routeTables.Update(ctx, sc+rt.RouteTableID, func(x *routeTableRecord) error {
			for i, r := range x.Routes {
				if strings.HasPrefix(r.GatewayID, "igw-") {
					x.Routes[i].State = map[bool]string{true: "active", false: "blackhole"}[attached[r.GatewayID]]
				}
			}
			return nil
		})
	}
}

// DescribeRouteTables lists route tables (filters route-table-id, vpc-id,
// association.subnet-id, association.route-table-association-id, association.route-table-id,
// association.gateway-id, association.main, route.destination-cidr-block, route.gateway-id,
// route.instance-id, route.nat-gateway-id, route.state, route.origin, owner-id, tags).
func (s *Service) DescribeRouteTables(ctx context.Context, in *DescribeRouteTablesInput) (*DescribeRouteTablesOutput, error) {
	return dispatchDo(ctx, s, "DescribeRouteTables", in, s.describeRouteTables)
}

func (s *Service) describeRouteTables(ctx context.Context, in *DescribeRouteTablesInput) (*DescribeRouteTablesOutput, error) {
	limit, after, err := pageParams(in.MaxResults, 5, 100, in.Filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := scopedAll(ctx, s, s.routeTables)
	if err != nil {
		return nil, err
	}
	id := func(rt routeTableRecord) string { return rt.RouteTableID }
	rts, next, err := selection[routeTableRecord, RouteTable]{
		ids:     []byID[routeTableRecord]{{in.RouteTableIDs, id, missing(ErrRouteTableNotFound, "The routeTable ID '%s' does not exist")}},
		filters: in.Filters, values: routeTableFilter, view: func(rt routeTableRecord) RouteTable { return rt.RouteTable },
		limit: limit, after: after, key: id,
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeRouteTablesOutput{RouteTables: rts, NextToken: next}, nil
}

func routeTableFilter(rt routeTableRecord, name string) ([]string, bool) {
	var vals []string
	switch name {
	case "route-table-id":
		return []string{rt.RouteTableID}, true
	case "vpc-id":
		return []string{rt.VpcID}, true
	case "owner-id":
		return []string{rt.OwnerID}, true
	case "association.subnet-id", "association.route-table-association-id", "association.route-table-id", "association.gateway-id",
		"association.main", "association.association-state":
		for _, a := range rt.Associations {
			switch name {
			case "association.subnet-id":
				vals = append(vals, a.SubnetID)
			case "association.route-table-association-id":
				vals = append(vals, a.RouteTableAssociationID)
			case "association.route-table-id":
				vals = append(vals, a.RouteTableID)
			case "association.gateway-id":
				vals = append(vals, a.GatewayID)
			case "association.main":
				vals = append(vals, strconv.FormatBool(a.Main))
			default:
				vals = append(vals, a.AssociationState.State)
			}
		}
		if name == "association.main" && len(vals) == 0 {
			vals = []string{"false"}
		}
		return vals, true
	case "route.destination-cidr-block", "route.gateway-id", "route.instance-id", "route.nat-gateway-id", "route.state", "route.origin",
		"route.transit-gateway-id", "route.vpc-peering-connection-id":
		for _, r := range rt.Routes {
			switch name {
			case "route.destination-cidr-block":
				vals = append(vals, r.DestinationCidrBlock)
			case "route.gateway-id":
				vals = append(vals, r.GatewayID)
			case "route.instance-id":
				vals = append(vals, r.InstanceID)
			case "route.nat-gateway-id":
				vals = append(vals, r.NatGatewayID)
			case "route.state":
				vals = append(vals, r.State)
			case "route.origin":
				vals = append(vals, r.Origin)
			case "route.transit-gateway-id":
				vals = append(vals, r.TransitGatewayID)
			default:
				vals = append(vals, r.VpcPeeringConnectionID)
			}
		}
		return vals, true
	}
	return tagFilter(name, rt.Tags)
}

// dropSubnetAssociations removes the explicit route table associations of a deleted subnet.
func (s *Service) dropSubnetAssociations(ctx context.Context, subnetID string) error {
	sc := scope(ctx)
	all, err := s.routeTables.All(ctx, sc)
	if err != nil {
		return err
	}
	for _, rt := range all {
		if !slices.ContainsFunc(rt.Associations, func(a RouteTableAssociation) bool { return a.SubnetID == subnetID }) {
			continue
		}
		if _, err := s.routeTables.Update(ctx, sc+rt.RouteTableID, func(x *routeTableRecord) error {
			x.Associations = slices.DeleteFunc(x.Associations, func(a RouteTableAssociation) bool { return a.SubnetID == subnetID })
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
