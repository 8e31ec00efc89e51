package ec2sim

// Shapes of internet gateways, route tables and Elastic IP addresses.

// InternetGatewayAttachment is an internet gateway's attachment to a VPC (State "available"
// while attached, as EC2 reports it).
type InternetGatewayAttachment struct {
	State string `json:"State"`
	VpcID string `json:"VpcId"`
}

// InternetGateway is an internet gateway.
type InternetGateway struct {
	Attachments       []InternetGatewayAttachment `json:"Attachments" xml:"attachmentSet"`
	InternetGatewayID string                      `json:"InternetGatewayId"`
	OwnerID           string                      `json:"OwnerId"`
	Tags              []Tag                       `json:"Tags,omitempty" xml:"tagSet"`
}

// CreateInternetGatewayInput creates an internet gateway.
type CreateInternetGatewayInput struct {
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun            bool               `json:"DryRun,omitzero"`
}

// CreateInternetGatewayOutput is the new gateway.
type CreateInternetGatewayOutput struct {
	InternetGateway InternetGateway `json:"InternetGateway"`
}

// AttachInternetGatewayInput attaches (or detaches) a gateway to (from) a VPC.
type AttachInternetGatewayInput struct {
	InternetGatewayID string `json:"InternetGatewayId"`
	VpcID             string `json:"VpcId"`
	DryRun            bool   `json:"DryRun,omitzero"`
}

// AttachInternetGatewayOutput reports success.
type AttachInternetGatewayOutput struct {
	Return bool `json:"Return,omitzero" xml:"return"`
}

// DetachInternetGatewayInput detaches a gateway from a VPC.
type DetachInternetGatewayInput = AttachInternetGatewayInput

// DetachInternetGatewayOutput reports success.
type DetachInternetGatewayOutput = AttachInternetGatewayOutput

// DeleteInternetGatewayInput deletes a detached gateway.
type DeleteInternetGatewayInput struct {
	InternetGatewayID string `json:"InternetGatewayId"`
	DryRun            bool   `json:"DryRun,omitzero"`
}

// DeleteInternetGatewayOutput reports success.
type DeleteInternetGatewayOutput = AttachInternetGatewayOutput

// DescribeInternetGatewaysInput lists gateways.
type DescribeInternetGatewaysInput struct {
	InternetGatewayIDs []string `json:"InternetGatewayIds,omitempty" ec2:"InternetGatewayId"`
	Filters            []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults         int32    `json:"MaxResults,omitzero"`
	NextToken          string   `json:"NextToken,omitempty"`
	DryRun             bool     `json:"DryRun,omitzero"`
}

// DescribeInternetGatewaysOutput is a page of gateways.
type DescribeInternetGatewaysOutput struct {
	InternetGateways []InternetGateway `json:"InternetGateways" xml:"internetGatewaySet"`
	NextToken        string            `json:"NextToken,omitempty"`
}

// Route is one route of a route table. Origin is CreateRouteTable (the local route) or
// CreateRoute; State is active, or blackhole when the target is gone.
type Route struct {
	DestinationCidrBlock        string `json:"DestinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock    string `json:"DestinationIpv6CidrBlock,omitempty"`
	GatewayID                   string `json:"GatewayId,omitempty"`
	EgressOnlyInternetGatewayID string `json:"EgressOnlyInternetGatewayId,omitempty"`
	InstanceID                  string `json:"InstanceId,omitempty"`
	InstanceOwnerID             string `json:"InstanceOwnerId,omitempty"`
	NatGatewayID                string `json:"NatGatewayId,omitempty"`
	NetworkInterfaceID          string `json:"NetworkInterfaceId,omitempty"`
	TransitGatewayID            string `json:"TransitGatewayId,omitempty"`
	VpcPeeringConnectionID      string `json:"VpcPeeringConnectionId,omitempty"`
	Origin                      string `json:"Origin"`
	State                       string `json:"State"`
}

// RouteTableAssociationState is an association's state (associated, disassociated, ...).
type RouteTableAssociationState struct {
	State         string `json:"State"`
	StatusMessage string `json:"StatusMessage,omitempty"`
}

// RouteTableAssociation links a route table to a subnet or gateway, or marks it main.
type RouteTableAssociation struct {
	Main                    bool                        `json:"Main"`
	RouteTableAssociationID string                      `json:"RouteTableAssociationId"`
	RouteTableID            string                      `json:"RouteTableId"`
	SubnetID                string                      `json:"SubnetId,omitempty"`
	GatewayID               string                      `json:"GatewayId,omitempty"`
	AssociationState        *RouteTableAssociationState `json:"AssociationState,omitempty"`
}

// RouteTable is a VPC route table.
type RouteTable struct {
	Associations []RouteTableAssociation `json:"Associations" xml:"associationSet"`
	RouteTableID string                  `json:"RouteTableId"`
	Routes       []Route                 `json:"Routes" xml:"routeSet"`
	Tags         []Tag                   `json:"Tags,omitempty" xml:"tagSet"`
	VpcID        string                  `json:"VpcId"`
	OwnerID      string                  `json:"OwnerId"`
}

// CreateRouteTableInput creates a route table in a VPC.
type CreateRouteTableInput struct {
	VpcID             string             `json:"VpcId"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	ClientToken       string             `json:"ClientToken,omitempty"`
	DryRun            bool               `json:"DryRun,omitzero"`
}

// CreateRouteTableOutput is the new route table.
type CreateRouteTableOutput struct {
	RouteTable  RouteTable `json:"RouteTable"`
	ClientToken string     `json:"ClientToken,omitempty"`
}

// DeleteRouteTableInput deletes a route table without associations.
type DeleteRouteTableInput struct {
	RouteTableID string `json:"RouteTableId"`
	DryRun       bool   `json:"DryRun,omitzero"`
}

// DeleteRouteTableOutput reports success.
type DeleteRouteTableOutput = AttachInternetGatewayOutput

// CreateRouteInput adds (or, for ReplaceRoute, replaces) a route: one destination and one
// target.
type CreateRouteInput struct {
	RouteTableID                string `json:"RouteTableId"`
	DestinationCidrBlock        string `json:"DestinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock    string `json:"DestinationIpv6CidrBlock,omitempty"`
	DestinationPrefixListID     string `json:"DestinationPrefixListId,omitempty"`
	GatewayID                   string `json:"GatewayId,omitempty"`
	EgressOnlyInternetGatewayID string `json:"EgressOnlyInternetGatewayId,omitempty"`
	InstanceID                  string `json:"InstanceId,omitempty"`
	NatGatewayID                string `json:"NatGatewayId,omitempty"`
	NetworkInterfaceID          string `json:"NetworkInterfaceId,omitempty"`
	TransitGatewayID            string `json:"TransitGatewayId,omitempty"`
	VpcPeeringConnectionID      string `json:"VpcPeeringConnectionId,omitempty"`
	VpcEndpointID               string `json:"VpcEndpointId,omitempty"`
	CarrierGatewayID            string `json:"CarrierGatewayId,omitempty"`
	LocalGatewayID              string `json:"LocalGatewayId,omitempty"`
	LocalTarget                 bool   `json:"LocalTarget,omitzero"`
	DryRun                      bool   `json:"DryRun,omitzero"`
}

// CreateRouteOutput reports success.
type CreateRouteOutput = AttachInternetGatewayOutput

// ReplaceRouteInput replaces an existing route's target.
type ReplaceRouteInput = CreateRouteInput

// ReplaceRouteOutput reports success.
type ReplaceRouteOutput = AttachInternetGatewayOutput

// DeleteRouteInput deletes a route.
type DeleteRouteInput struct {
	RouteTableID             string `json:"RouteTableId"`
	DestinationCidrBlock     string `json:"DestinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock string `json:"DestinationIpv6CidrBlock,omitempty"`
	DestinationPrefixListID  string `json:"DestinationPrefixListId,omitempty"`
	DryRun                   bool   `json:"DryRun,omitzero"`
}

// DeleteRouteOutput reports success.
type DeleteRouteOutput = AttachInternetGatewayOutput

// AssociateRouteTableInput associates a route table with a subnet (or a gateway).
type AssociateRouteTableInput struct {
	RouteTableID string `json:"RouteTableId"`
	SubnetID     string `json:"SubnetId,omitempty"`
	GatewayID    string `json:"GatewayId,omitempty"`
	DryRun       bool   `json:"DryRun,omitzero"`
}

// AssociateRouteTableOutput is the new association.
type AssociateRouteTableOutput struct {
	AssociationID    string                      `json:"AssociationId"`
	AssociationState *RouteTableAssociationState `json:"AssociationState,omitempty"`
}

// DisassociateRouteTableInput removes an association.
type DisassociateRouteTableInput struct {
	AssociationID string `json:"AssociationId"`
	DryRun        bool   `json:"DryRun,omitzero"`
}

// DisassociateRouteTableOutput reports success.
type DisassociateRouteTableOutput = AttachInternetGatewayOutput

// ReplaceRouteTableAssociationInput moves an association (the main one too) to another table.
type ReplaceRouteTableAssociationInput struct {
	AssociationID string `json:"AssociationId"`
	RouteTableID  string `json:"RouteTableId"`
	DryRun        bool   `json:"DryRun,omitzero"`
}

// ReplaceRouteTableAssociationOutput is the new association.
type ReplaceRouteTableAssociationOutput struct {
	NewAssociationID string                      `json:"NewAssociationId"`
	AssociationState *RouteTableAssociationState `json:"AssociationState,omitempty"`
}

// DescribeRouteTablesInput lists route tables.
type DescribeRouteTablesInput struct {
	RouteTableIDs []string `json:"RouteTableIds,omitempty" ec2:"RouteTableId"`
	Filters       []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults    int32    `json:"MaxResults,omitzero"`
	NextToken     string   `json:"NextToken,omitempty"`
	DryRun        bool     `json:"DryRun,omitzero"`
}

// DescribeRouteTablesOutput is a page of route tables.
type DescribeRouteTablesOutput struct {
	RouteTables []RouteTable `json:"RouteTables" xml:"routeTableSet"`
	NextToken   string       `json:"NextToken,omitempty"`
}

// Address is an Elastic IP address.
type Address struct {
	AllocationID            string `json:"AllocationId"`
	AssociationID           string `json:"AssociationId,omitempty"`
	Domain                  string `json:"Domain"`
	InstanceID              string `json:"InstanceId,omitempty"`
	NetworkBorderGroup      string `json:"NetworkBorderGroup,omitempty"`
	NetworkInterfaceID      string `json:"NetworkInterfaceId,omitempty"`
	NetworkInterfaceOwnerID string `json:"NetworkInterfaceOwnerId,omitempty"`
	PrivateIpAddress        string `json:"PrivateIpAddress,omitempty"`
	PublicIp                string `json:"PublicIp"`
	PublicIpv4Pool          string `json:"PublicIpv4Pool,omitempty"`
	Tags                    []Tag  `json:"Tags,omitempty" xml:"tagSet"`
}

// AllocateAddressInput allocates an Elastic IP address (Domain vpc).
type AllocateAddressInput struct {
	Domain             string             `json:"Domain,omitempty"`
	Address            string             `json:"Address,omitempty"`
	PublicIpv4Pool     string             `json:"PublicIpv4Pool,omitempty"`
	NetworkBorderGroup string             `json:"NetworkBorderGroup,omitempty"`
	TagSpecifications  []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun             bool               `json:"DryRun,omitzero"`
}

// AllocateAddressOutput is the new address.
type AllocateAddressOutput struct {
	AllocationID       string `json:"AllocationId"`
	PublicIp           string `json:"PublicIp"`
	Domain             string `json:"Domain"`
	PublicIpv4Pool     string `json:"PublicIpv4Pool,omitempty"`
	NetworkBorderGroup string `json:"NetworkBorderGroup,omitempty"`
}

// AssociateAddressInput associates an address with an instance or a network interface.
type AssociateAddressInput struct {
	AllocationID       string `json:"AllocationId,omitempty"`
	PublicIp           string `json:"PublicIp,omitempty"`
	InstanceID         string `json:"InstanceId,omitempty"`
	NetworkInterfaceID string `json:"NetworkInterfaceId,omitempty"`
	PrivateIpAddress   string `json:"PrivateIpAddress,omitempty"`
	AllowReassociation bool   `json:"AllowReassociation,omitzero"`
	DryRun             bool   `json:"DryRun,omitzero"`
}

// AssociateAddressOutput is the association id.
type AssociateAddressOutput struct {
	AssociationID string `json:"AssociationId"`
}

// DisassociateAddressInput disassociates an address.
type DisassociateAddressInput struct {
	AssociationID string `json:"AssociationId,omitempty"`
	PublicIp      string `json:"PublicIp,omitempty"`
	DryRun        bool   `json:"DryRun,omitzero"`
}

// DisassociateAddressOutput reports success.
type DisassociateAddressOutput = AttachInternetGatewayOutput

// ReleaseAddressInput releases an unassociated address.
type ReleaseAddressInput struct {
	AllocationID       string `json:"AllocationId,omitempty"`
	PublicIp           string `json:"PublicIp,omitempty"`
	NetworkBorderGroup string `json:"NetworkBorderGroup,omitempty"`
	DryRun             bool   `json:"DryRun,omitzero"`
}

// ReleaseAddressOutput reports success.
type ReleaseAddressOutput = AttachInternetGatewayOutput

// DescribeAddressesInput lists addresses.
type DescribeAddressesInput struct {
	AllocationIDs []string `json:"AllocationIds,omitempty" ec2:"AllocationId"`
	PublicIps     []string `json:"PublicIps,omitempty" ec2:"PublicIp"`
	Filters       []Filter `json:"Filters,omitempty" ec2:"Filter"`
	DryRun        bool     `json:"DryRun,omitzero"`
}

// DescribeAddressesOutput lists addresses.
type DescribeAddressesOutput struct {
	Addresses []Address `json:"Addresses" xml:"addressesSet"`
}
