package cfnres

import (
	"context"
	"errors"
	"strings"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
)

// registerGateways registers internet gateways, their attachments, route tables, routes,
// subnet associations and Elastic IPs (with their associations).
func registerGateways(cf *cloudformation.Service, svc *ec2sim.Service) {
	g := gateways{svc}
	cf.RegisterProvider("AWS::EC2::InternetGateway", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.createIGW, UpdateFunc: g.retagged("InternetGatewayId"), DeleteFunc: g.deleteIGW, ReadFunc: g.readIGW},
		Attributes: []string{"InternetGatewayId"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::EC2::VPCGatewayAttachment", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: g.attach, UpdateFunc: g.reattach, DeleteFunc: g.detach, ReadFunc: g.readAttachment},
		ReplaceOn: []string{"VpcId"},
	})
	cf.RegisterProvider("AWS::EC2::RouteTable", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.createTable, UpdateFunc: g.retagged("RouteTableId"), DeleteFunc: g.deleteTable, ReadFunc: g.readTable},
		Attributes: []string{"RouteTableId"},
		ReplaceOn:  []string{"VpcId"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::EC2::Route", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.createRoute, UpdateFunc: g.replaceRoute, DeleteFunc: g.deleteRoute, ReadFunc: g.readRoute},
		Attributes: []string{"CidrBlock"},
		ReplaceOn:  []string{"RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"},
	})
	cf.RegisterProvider("AWS::EC2::SubnetRouteTableAssociation", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.associate, UpdateFunc: g.reassociate, DeleteFunc: g.disassociate, ReadFunc: g.readAssociation},
		Attributes: []string{"Id"},
		ReplaceOn:  []string{"SubnetId"},
	})
	cf.RegisterProvider("AWS::EC2::EIP", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.allocate, UpdateFunc: g.updateEIP, DeleteFunc: g.release, ReadFunc: g.readEIP},
		Attributes: []string{"AllocationId", "PublicIp"},
		ReplaceOn:  []string{"Domain", "PublicIpv4Pool", "NetworkBorderGroup", "Address", "IpamPoolId", "TransferAddress"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::EC2::EIPAssociation", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.associateEIP, DeleteFunc: g.disassociateEIP},
		Attributes: []string{"Id"},
		ReplaceOn:  []string{"*"},
	})
}

type gateways struct{ svc *ec2sim.Service }

// retagged is an Update that applies tag changes to the resource in attribute attr.
func (g gateways) retagged(attr string) func(context.Context, *cloudformation.Request) (*cloudformation.Result, error) {
	return func(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
		if err := retag(ctx, g.svc, req.PhysicalID, req); err != nil {
			return nil, err
		}
		return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{attr: req.PhysicalID}}, nil
	}
}

// ---- internet gateways ----

func (g gateways) createIGW(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	out, err := g.svc.CreateInternetGateway(ctx, &ec2sim.CreateInternetGatewayInput{TagSpecifications: ec2TagSpecs(req, "internet-gateway")})
	if err != nil {
		return nil, err
	}
	id := out.InternetGateway.InternetGatewayID
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{"InternetGatewayId": id}}, nil
}

func (g gateways) deleteIGW(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DeleteInternetGateway(ctx, &ec2sim.DeleteInternetGatewayInput{InternetGatewayID: req.PhysicalID})
	return notFound(err)
}

func (g gateways) igw(ctx context.Context, id string) (*ec2sim.InternetGateway, error) {
	out, err := g.svc.DescribeInternetGateways(ctx, &ec2sim.DescribeInternetGatewaysInput{InternetGatewayIDs: []string{id}})
	return one(out, err, func(o *ec2sim.DescribeInternetGatewaysOutput) []ec2sim.InternetGateway { return o.InternetGateways },
		ec2sim.ErrInternetGatewayNotFound.With("The internetGateway ID '%s' does not exist", id))
}

func (g gateways) readIGW(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	if _, err := g.igw(ctx, req.PhysicalID); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

// ---- attachments (Ref: "IGW|<vpc>", as AWS) ----

func (g gateways) attach(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "VpcId"); err != nil {
		return nil, err
	}
	if str(p, "VpnGatewayId") != "" {
		return nil, propErr("VpnGatewayId is not supported (no virtual private gateways); use InternetGatewayId")
	}
	if err := need(p, "InternetGatewayId"); err != nil {
		return nil, err
	}
	vpc := str(p, "VpcId")
	if _, err := g.svc.AttachInternetGateway(ctx, &ec2sim.AttachInternetGatewayInput{InternetGatewayID: str(p, "InternetGatewayId"), VpcID: vpc}); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: "IGW|" + vpc}, nil
}

// reattach moves the VPC to another internet gateway.
func (g gateways) reattach(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if changed(req, "InternetGatewayId", "VpnGatewayId") {
		old := &cloudformation.Request{Properties: req.OldProperties}
		if err := g.detach(ctx, old); err != nil {
			return nil, err
		}
		return g.attach(ctx, req)
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID}, nil
}

func (g gateways) detach(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DetachInternetGateway(ctx, &ec2sim.DetachInternetGatewayInput{InternetGatewayID: str(req.Properties, "InternetGatewayId"), VpcID: str(req.Properties, "VpcId")})
	if errors.Is(err, ec2sim.ErrGatewayNotAttached) {
		return nil
	}
	return notFound(err)
}

func (g gateways) readAttachment(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	gw, err := g.igw(ctx, str(req.Properties, "InternetGatewayId"))
	if err != nil {
		return nil, err
	}
	for _, a := range gw.Attachments {
		if a.VpcID == str(req.Properties, "VpcId") {
			return map[string]any{"VpcId": a.VpcID, "InternetGatewayId": gw.InternetGatewayID}, nil
		}
	}
	return nil, ec2sim.ErrGatewayNotAttached.With("resource %s is not attached", gw.InternetGatewayID)
}

// ---- route tables ----

func (g gateways) createTable(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := need(req.Properties, "VpcId"); err != nil {
		return nil, err
	}
	out, err := g.svc.CreateRouteTable(ctx, &ec2sim.CreateRouteTableInput{VpcID: str(req.Properties, "VpcId"), TagSpecifications: ec2TagSpecs(req, "route-table")})
	if err != nil {
		return nil, err
	}
	id := out.RouteTable.RouteTableID
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{"RouteTableId": id}}, nil
}

func (g gateways) deleteTable(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DeleteRouteTable(ctx, &ec2sim.DeleteRouteTableInput{RouteTableID: req.PhysicalID})
	return notFound(err)
}

func (g gateways) table(ctx context.Context, id string) (*ec2sim.RouteTable, error) {
	out, err := g.svc.DescribeRouteTables(ctx, &ec2sim.DescribeRouteTablesInput{RouteTableIDs: []string{id}})
	return one(out, err, func(o *ec2sim.DescribeRouteTablesOutput) []ec2sim.RouteTable { return o.RouteTables },
		ec2sim.ErrRouteTableNotFound.With("The routeTable ID '%s' does not exist", id))
}

func (g gateways) readTable(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	t, err := g.table(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"VpcId": t.VpcID}, nil
}

// ---- routes (Ref: "<table>|<destination>") ----

// routeTargets are the Route properties naming its target (the API's names).
var routeTargets = []string{"GatewayId", "EgressOnlyInternetGatewayId", "InstanceId", "NatGatewayId", "NetworkInterfaceId",
	"TransitGatewayId", "VpcPeeringConnectionId", "VpcEndpointId", "CarrierGatewayId", "LocalGatewayId"}

func routeInput(p map[string]any) (*ec2sim.CreateRouteInput, error) {
	if err := need(p, "RouteTableId"); err != nil {
		return nil, err
	}
	sub := map[string]any{}
	for _, k := range append([]string{"RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"}, routeTargets...) {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	in := &ec2sim.CreateRouteInput{}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	return in, nil
}

func routeDest(in *ec2sim.CreateRouteInput) string {
	return first3(in.DestinationCidrBlock, in.DestinationIpv6CidrBlock, in.DestinationPrefixListID)
}

func first3(a, b, c string) string {
	switch {
	case a != "":
		return a
	case b != "":
		return b
	}
	return c
}

func (g gateways) createRoute(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	in, err := routeInput(req.Properties)
	if err != nil {
		return nil, err
	}
	if _, err := g.svc.CreateRoute(ctx, in); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.RouteTableID + "|" + routeDest(in), Attributes: map[string]any{"CidrBlock": in.DestinationCidrBlock}}, nil
}

// replaceRoute points the route at its new target (ReplaceRoute).
func (g gateways) replaceRoute(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	in, err := routeInput(req.Properties)
	if err != nil {
		return nil, err
	}
	if changed(req, routeTargets...) {
		if _, err := g.svc.ReplaceRoute(ctx, in); err != nil {
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"CidrBlock": in.DestinationCidrBlock}}, nil
}

func (g gateways) deleteRoute(ctx context.Context, req *cloudformation.Request) error {
	in, err := routeInput(req.Properties)
	if err != nil {
		return nil
	}
	_, err = g.svc.DeleteRoute(ctx, &ec2sim.DeleteRouteInput{RouteTableID: in.RouteTableID, DestinationCidrBlock: in.DestinationCidrBlock,
		DestinationIpv6CidrBlock: in.DestinationIpv6CidrBlock, DestinationPrefixListID: in.DestinationPrefixListID})
	return notFound(err)
}

func (g gateways) readRoute(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	tableID, dest, _ := strings.Cut(req.PhysicalID, "|")
	t, err := g.table(ctx, tableID)
	if err != nil {
		return nil, err
	}
	for _, r := range t.Routes {
		if r.DestinationCidrBlock == dest || r.DestinationIpv6CidrBlock == dest {
			props := map[string]any{"RouteTableId": tableID}
			for k, v := range map[string]string{"DestinationCidrBlock": r.DestinationCidrBlock, "GatewayId": r.GatewayID, "InstanceId": r.InstanceID,
				"NatGatewayId": r.NatGatewayID, "NetworkInterfaceId": r.NetworkInterfaceID, "VpcPeeringConnectionId": r.VpcPeeringConnectionID} {
				if _, ok := req.Properties[k]; ok {
					props[k] = v
				}
			}
			return props, nil
		}
	}
	return nil, ec2sim.ErrRouteNotFound.With("no route with destination-cidr-block %s in route table %s", dest, tableID)
}

// ---- subnet associations ----

func (g gateways) associate(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "RouteTableId", "SubnetId"); err != nil {
		return nil, err
	}
	out, err := g.svc.AssociateRouteTable(ctx, &ec2sim.AssociateRouteTableInput{RouteTableID: str(p, "RouteTableId"), SubnetID: str(p, "SubnetId")})
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.AssociationID, Attributes: map[string]any{"Id": out.AssociationID}}, nil
}

// reassociate moves the subnet to another table; the association gets a new ID (as AWS).
func (g gateways) reassociate(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if !changed(req, "RouteTableId") {
		return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
	}
	out, err := g.svc.ReplaceRouteTableAssociation(ctx, &ec2sim.ReplaceRouteTableAssociationInput{AssociationID: req.PhysicalID, RouteTableID: str(req.Properties, "RouteTableId")})
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.NewAssociationID, Attributes: map[string]any{"Id": out.NewAssociationID}}, nil
}

func (g gateways) disassociate(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DisassociateRouteTable(ctx, &ec2sim.DisassociateRouteTableInput{AssociationID: req.PhysicalID})
	return notFound(err)
}

func (g gateways) readAssociation(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := g.svc.DescribeRouteTables(ctx, &ec2sim.DescribeRouteTablesInput{})
	if err != nil {
		return nil, err
	}
	for _, t := range out.RouteTables {
		for _, a := range t.Associations {
			if a.RouteTableAssociationID == req.PhysicalID {
				return map[string]any{"RouteTableId": t.RouteTableID, "SubnetId": a.SubnetID}, nil
			}
		}
	}
	return nil, ec2sim.ErrAssociationNotFound.With("The association ID '%s' does not exist", req.PhysicalID)
}

// ---- Elastic IPs (Ref: the public IP) ----

func (g gateways) allocate(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	// CloudFormation takes the domain in any case ("VPC" in AWS's own samples).
	out, err := g.svc.AllocateAddress(ctx, &ec2sim.AllocateAddressInput{Domain: strings.ToLower(str(p, "Domain")), Address: str(p, "Address"),
		PublicIpv4Pool: str(p, "PublicIpv4Pool"), NetworkBorderGroup: str(p, "NetworkBorderGroup"), TagSpecifications: ec2TagSpecs(req, "elastic-ip")})
	if err != nil {
		return nil, err
	}
	res := &cloudformation.Result{PhysicalID: out.PublicIp, Attributes: map[string]any{"AllocationId": out.AllocationID, "PublicIp": out.PublicIp}}
	if inst := str(p, "InstanceId"); inst != "" {
		if _, err := g.svc.AssociateAddress(ctx, &ec2sim.AssociateAddressInput{AllocationID: out.AllocationID, InstanceID: inst}); err != nil {
			_, _ = g.svc.ReleaseAddress(ctx, &ec2sim.ReleaseAddressInput{AllocationID: out.AllocationID})
			return nil, err
		}
	}
	return res, nil
}

func (g gateways) address(ctx context.Context, alloc string) (*ec2sim.Address, error) {
	out, err := g.svc.DescribeAddresses(ctx, &ec2sim.DescribeAddressesInput{AllocationIDs: []string{alloc}})
	return one(out, err, func(o *ec2sim.DescribeAddressesOutput) []ec2sim.Address { return o.Addresses },
		ec2sim.ErrAllocationNotFound.With("The allocation ID '%s' does not exist", alloc))
}

// updateEIP moves the address to the new InstanceId (or detaches it) and applies tags.
func (g gateways) updateEIP(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	alloc, _ := req.Attributes["AllocationId"].(string)
	if changed(req, "InstanceId") {
		a, err := g.address(ctx, alloc)
		if err != nil {
			return nil, err
		}
		if a.AssociationID != "" {
			if _, err := g.svc.DisassociateAddress(ctx, &ec2sim.DisassociateAddressInput{AssociationID: a.AssociationID}); err != nil {
				return nil, err
			}
		}
		if inst := str(req.Properties, "InstanceId"); inst != "" {
			if _, err := g.svc.AssociateAddress(ctx, &ec2sim.AssociateAddressInput{AllocationID: alloc, InstanceID: inst}); err != nil {
				return nil, err
			}
		}
	}
	if err := retag(ctx, g.svc, alloc, req); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// release disassociates the address if needed and releases it.
func (g gateways) release(ctx context.Context, req *cloudformation.Request) error {
	alloc, _ := req.Attributes["AllocationId"].(string)
	a, err := g.address(ctx, alloc)
	if err != nil {
		return notFound(err)
	}
	if a.AssociationID != "" {
		if _, err := g.svc.DisassociateAddress(ctx, &ec2sim.DisassociateAddressInput{AssociationID: a.AssociationID}); notFound(err) != nil {
			return err
		}
	}
	_, err = g.svc.ReleaseAddress(ctx, &ec2sim.ReleaseAddressInput{AllocationID: alloc})
	return notFound(err)
}

func (g gateways) readEIP(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	alloc, _ := req.Attributes["AllocationId"].(string)
	a, err := g.address(ctx, alloc)
	if err != nil {
		return nil, err
	}
	props := map[string]any{}
	if _, ok := req.Properties["InstanceId"]; ok {
		props["InstanceId"] = a.InstanceID
	}
	if _, ok := req.Properties["Domain"]; ok {
		props["Domain"] = a.Domain
	}
	return props, nil
}

// ---- EIP associations ----

func (g gateways) associateEIP(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	in := &ec2sim.AssociateAddressInput{AllocationID: str(p, "AllocationId"), PublicIp: str(p, "EIP"), InstanceID: str(p, "InstanceId"),
		NetworkInterfaceID: str(p, "NetworkInterfaceId"), PrivateIpAddress: str(p, "PrivateIpAddress"), AllowReassociation: true}
	if in.AllocationID == "" && in.PublicIp == "" {
		return nil, propErr("Either AllocationId or EIP must be specified.")
	}
	out, err := g.svc.AssociateAddress(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.AssociationID, Attributes: map[string]any{"Id": out.AssociationID}}, nil
}

func (g gateways) disassociateEIP(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DisassociateAddress(ctx, &ec2sim.DisassociateAddressInput{AssociationID: req.PhysicalID})
	return notFound(err)
}
