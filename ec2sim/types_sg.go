package ec2sim

// Shapes of security group rule operations and of VPC and subnet attributes.

// AuthorizeSecurityGroupIngressInput adds ingress rules: IpPermissions, or the older
// single-rule fields (IpProtocol, FromPort, ToPort with CidrIp or SourceSecurityGroupName).
type AuthorizeSecurityGroupIngressInput struct {
	GroupID                    string             `json:"GroupId,omitempty"`
	GroupName                  string             `json:"GroupName,omitempty"`
	IpPermissions              []IpPermission     `json:"IpPermissions,omitempty"`
	IpProtocol                 string             `json:"IpProtocol,omitempty"`
	FromPort                   int32              `json:"FromPort,omitzero"`
	ToPort                     int32              `json:"ToPort,omitzero"`
	CidrIp                     string             `json:"CidrIp,omitempty"`
	SourceSecurityGroupName    string             `json:"SourceSecurityGroupName,omitempty"`
	SourceSecurityGroupOwnerID string             `json:"SourceSecurityGroupOwnerId,omitempty"`
	TagSpecifications          []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun                     bool               `json:"DryRun,omitzero"`
}

// AuthorizeSecurityGroupIngressOutput lists the rules added.
type AuthorizeSecurityGroupIngressOutput struct {
	Return             bool                `json:"Return,omitzero" xml:"return"`
	SecurityGroupRules []SecurityGroupRule `json:"SecurityGroupRules,omitempty" xml:"securityGroupRuleSet"`
}

// AuthorizeSecurityGroupEgressInput adds egress rules to a group (by ID only, as EC2).
type AuthorizeSecurityGroupEgressInput struct {
	GroupID                    string             `json:"GroupId"`
	IpPermissions              []IpPermission     `json:"IpPermissions,omitempty"`
	IpProtocol                 string             `json:"IpProtocol,omitempty"`
	FromPort                   int32              `json:"FromPort,omitzero"`
	ToPort                     int32              `json:"ToPort,omitzero"`
	CidrIp                     string             `json:"CidrIp,omitempty"`
	SourceSecurityGroupName    string             `json:"SourceSecurityGroupName,omitempty"`
	SourceSecurityGroupOwnerID string             `json:"SourceSecurityGroupOwnerId,omitempty"`
	TagSpecifications          []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun                     bool               `json:"DryRun,omitzero"`
}

// AuthorizeSecurityGroupEgressOutput lists the rules added.
type AuthorizeSecurityGroupEgressOutput = AuthorizeSecurityGroupIngressOutput

// RevokeSecurityGroupIngressInput removes ingress rules, by IpPermissions (or the single-rule
// fields) or by SecurityGroupRuleIds.
type RevokeSecurityGroupIngressInput struct {
	GroupID                    string         `json:"GroupId,omitempty"`
	GroupName                  string         `json:"GroupName,omitempty"`
	IpPermissions              []IpPermission `json:"IpPermissions,omitempty"`
	SecurityGroupRuleIDs       []string       `json:"SecurityGroupRuleIds,omitempty" ec2:"SecurityGroupRuleId"`
	IpProtocol                 string         `json:"IpProtocol,omitempty"`
	FromPort                   int32          `json:"FromPort,omitzero"`
	ToPort                     int32          `json:"ToPort,omitzero"`
	CidrIp                     string         `json:"CidrIp,omitempty"`
	SourceSecurityGroupName    string         `json:"SourceSecurityGroupName,omitempty"`
	SourceSecurityGroupOwnerID string         `json:"SourceSecurityGroupOwnerId,omitempty"`
	DryRun                     bool           `json:"DryRun,omitzero"`
}

// RevokeSecurityGroupIngressOutput lists the rules removed and, for groups of the default
// VPC, the requested rules that did not exist.
type RevokeSecurityGroupIngressOutput struct {
	Return                    bool                       `json:"Return,omitzero" xml:"return"`
	UnknownIpPermissions      []IpPermission             `json:"UnknownIpPermissions,omitempty" xml:"unknownIpPermissionSet"`
	RevokedSecurityGroupRules []RevokedSecurityGroupRule `json:"RevokedSecurityGroupRules,omitempty" xml:"revokedSecurityGroupRuleSet"`
}

// RevokeSecurityGroupEgressInput removes egress rules (group by ID only).
type RevokeSecurityGroupEgressInput struct {
	GroupID                    string         `json:"GroupId"`
	IpPermissions              []IpPermission `json:"IpPermissions,omitempty"`
	SecurityGroupRuleIDs       []string       `json:"SecurityGroupRuleIds,omitempty" ec2:"SecurityGroupRuleId"`
	IpProtocol                 string         `json:"IpProtocol,omitempty"`
	FromPort                   int32          `json:"FromPort,omitzero"`
	ToPort                     int32          `json:"ToPort,omitzero"`
	CidrIp                     string         `json:"CidrIp,omitempty"`
	SourceSecurityGroupName    string         `json:"SourceSecurityGroupName,omitempty"`
	SourceSecurityGroupOwnerID string         `json:"SourceSecurityGroupOwnerId,omitempty"`
	DryRun                     bool           `json:"DryRun,omitzero"`
}

// RevokeSecurityGroupEgressOutput lists the rules removed.
type RevokeSecurityGroupEgressOutput = RevokeSecurityGroupIngressOutput

// ReferencedSecurityGroup is the peer group of a rule.
type ReferencedSecurityGroup struct {
	GroupID string `json:"GroupId"`
	UserID  string `json:"UserId,omitempty"`
	VpcID   string `json:"VpcId,omitempty"`
}

// SecurityGroupRule is one rule: a protocol, a port range (-1 when the protocol has none)
// and one peer (IPv4 or IPv6 CIDR, prefix list or group).
type SecurityGroupRule struct {
	SecurityGroupRuleID  string                   `json:"SecurityGroupRuleId"`
	SecurityGroupRuleArn string                   `json:"SecurityGroupRuleArn"`
	GroupID              string                   `json:"GroupId"`
	GroupOwnerID         string                   `json:"GroupOwnerId"`
	IsEgress             bool                     `json:"IsEgress"`
	IpProtocol           string                   `json:"IpProtocol"`
	FromPort             int32                    `json:"FromPort"`
	ToPort               int32                    `json:"ToPort"`
	CidrIpv4             string                   `json:"CidrIpv4,omitempty"`
	CidrIpv6             string                   `json:"CidrIpv6,omitempty"`
	PrefixListID         string                   `json:"PrefixListId,omitempty"`
	ReferencedGroupInfo  *ReferencedSecurityGroup `json:"ReferencedGroupInfo,omitempty"`
	Description          string                   `json:"Description,omitempty"`
	Tags                 []Tag                    `json:"Tags,omitempty" xml:"tagSet"`
}

// RevokedSecurityGroupRule is a rule a revoke removed.
type RevokedSecurityGroupRule struct {
	SecurityGroupRuleID       string `json:"SecurityGroupRuleId"`
	GroupID                   string `json:"GroupId"`
	IsEgress                  bool   `json:"IsEgress"`
	IpProtocol                string `json:"IpProtocol"`
	FromPort                  int32  `json:"FromPort"`
	ToPort                    int32  `json:"ToPort"`
	CidrIpv4                  string `json:"CidrIpv4,omitempty"`
	CidrIpv6                  string `json:"CidrIpv6,omitempty"`
	PrefixListID              string `json:"PrefixListId,omitempty"`
	ReferencedSecurityGroupID string `json:"ReferencedSecurityGroupId,omitempty"`
	Description               string `json:"Description,omitempty"`
}

// DescribeSecurityGroupRulesInput lists rules (filters group-id, security-group-rule-id,
// tag:<key>, tag-key, tag-value).
type DescribeSecurityGroupRulesInput struct {
	SecurityGroupRuleIDs []string `json:"SecurityGroupRuleIds,omitempty" ec2:"SecurityGroupRuleId"`
	Filters              []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults           int32    `json:"MaxResults,omitzero"`
	NextToken            string   `json:"NextToken,omitempty"`
	DryRun               bool     `json:"DryRun,omitzero"`
}

// DescribeSecurityGroupRulesOutput is a page of rules.
type DescribeSecurityGroupRulesOutput struct {
	SecurityGroupRules []SecurityGroupRule `json:"SecurityGroupRules" xml:"securityGroupRuleSet"`
	NextToken          string              `json:"NextToken,omitempty"`
}

// ModifyVpcAttributeInput changes one VPC attribute.
type ModifyVpcAttributeInput struct {
	VpcID                            string                 `json:"VpcId"`
	EnableDnsSupport                 *AttributeBooleanValue `json:"EnableDnsSupport,omitempty"`
	EnableDnsHostnames               *AttributeBooleanValue `json:"EnableDnsHostnames,omitempty"`
	EnableNetworkAddressUsageMetrics *AttributeBooleanValue `json:"EnableNetworkAddressUsageMetrics,omitempty"`
}

// ModifyVpcAttributeOutput is empty.
type ModifyVpcAttributeOutput struct{}

// DescribeVpcAttributeInput asks one attribute: enableDnsSupport, enableDnsHostnames or
// enableNetworkAddressUsageMetrics.
type DescribeVpcAttributeInput struct {
	VpcID     string `json:"VpcId"`
	Attribute string `json:"Attribute"`
	DryRun    bool   `json:"DryRun,omitzero"`
}

// DescribeVpcAttributeOutput holds the asked attribute.
type DescribeVpcAttributeOutput struct {
	VpcID                            string                 `json:"VpcId"`
	EnableDnsSupport                 *AttributeBooleanValue `json:"EnableDnsSupport,omitempty"`
	EnableDnsHostnames               *AttributeBooleanValue `json:"EnableDnsHostnames,omitempty"`
	EnableNetworkAddressUsageMetrics *AttributeBooleanValue `json:"EnableNetworkAddressUsageMetrics,omitempty"`
}

// ModifySubnetAttributeInput changes one subnet attribute. MapPublicIpOnLaunch is modelled
// (instances launched in the subnet get a public IP); the IPv6, customer-owned and DNS64
// attributes may only be set to false (the subnets have no IPv6 or outpost).
type ModifySubnetAttributeInput struct {
	SubnetID                    string                 `json:"SubnetId"`
	MapPublicIpOnLaunch         *AttributeBooleanValue `json:"MapPublicIpOnLaunch,omitempty"`
	AssignIpv6AddressOnCreation *AttributeBooleanValue `json:"AssignIpv6AddressOnCreation,omitempty"`
	MapCustomerOwnedIpOnLaunch  *AttributeBooleanValue `json:"MapCustomerOwnedIpOnLaunch,omitempty"`
	EnableDns64                 *AttributeBooleanValue `json:"EnableDns64,omitempty"`
	CustomerOwnedIpv4Pool       string                 `json:"CustomerOwnedIpv4Pool,omitempty"`
}

// ModifySubnetAttributeOutput is empty.
type ModifySubnetAttributeOutput struct{}

// SecurityGroupRuleDescription sets one rule's description by its ID.
type SecurityGroupRuleDescription struct {
	SecurityGroupRuleID string `json:"SecurityGroupRuleId"`
	Description         string `json:"Description,omitempty"`
}

// UpdateSecurityGroupRuleDescriptionsIngressInput replaces the descriptions of existing
// inbound rules, named by permissions (their descriptions are the new ones; none removes it)
// or by rule ID.
type UpdateSecurityGroupRuleDescriptionsIngressInput struct {
	GroupID                       string                         `json:"GroupId,omitempty"`
	GroupName                     string                         `json:"GroupName,omitempty"`
	IpPermissions                 []IpPermission                 `json:"IpPermissions,omitempty"`
	SecurityGroupRuleDescriptions []SecurityGroupRuleDescription `json:"SecurityGroupRuleDescriptions,omitempty" ec2:"SecurityGroupRuleDescription"`
	DryRun                        bool                           `json:"DryRun,omitzero"`
}

// UpdateSecurityGroupRuleDescriptionsIngressOutput reports success.
type UpdateSecurityGroupRuleDescriptionsIngressOutput struct {
	Return bool `json:"Return"`
}

// UpdateSecurityGroupRuleDescriptionsEgressInput is the outbound counterpart.
type UpdateSecurityGroupRuleDescriptionsEgressInput UpdateSecurityGroupRuleDescriptionsIngressInput

// UpdateSecurityGroupRuleDescriptionsEgressOutput reports success.
type UpdateSecurityGroupRuleDescriptionsEgressOutput UpdateSecurityGroupRuleDescriptionsIngressOutput

// SecurityGroupRuleRequest is a rule's new protocol, ports, peer and description.
type SecurityGroupRuleRequest struct {
	IpProtocol        string `json:"IpProtocol,omitempty"`
	FromPort          int32  `json:"FromPort,omitzero"`
	ToPort            int32  `json:"ToPort,omitzero"`
	CidrIpv4          string `json:"CidrIpv4,omitempty"`
	CidrIpv6          string `json:"CidrIpv6,omitempty"`
	PrefixListID      string `json:"PrefixListId,omitempty"`
	ReferencedGroupID string `json:"ReferencedGroupId,omitempty"`
	Description       string `json:"Description,omitempty"`
}

// SecurityGroupRuleUpdate replaces one rule, keeping its ID.
type SecurityGroupRuleUpdate struct {
	SecurityGroupRuleID string                    `json:"SecurityGroupRuleId"`
	SecurityGroupRule   *SecurityGroupRuleRequest `json:"SecurityGroupRule,omitempty"`
}

// ModifySecurityGroupRulesInput replaces rules of a group in place.
type ModifySecurityGroupRulesInput struct {
	GroupID            string                    `json:"GroupId"`
	SecurityGroupRules []SecurityGroupRuleUpdate `json:"SecurityGroupRules,omitempty" ec2:"SecurityGroupRule"`
	DryRun             bool                      `json:"DryRun,omitzero"`
}

// ModifySecurityGroupRulesOutput reports success.
type ModifySecurityGroupRulesOutput struct {
	Return bool `json:"Return"`
}
