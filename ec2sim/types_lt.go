package ec2sim

import "time"

// LaunchTemplateTagSpecification tags resources launched from a template.
type LaunchTemplateTagSpecification struct {
	ResourceType string `json:"ResourceType"`
	Tags         []Tag  `json:"Tags,omitempty" ec2:"Tag" xml:"tagSet"`
}

// LaunchTemplateNetworkInterface is a template's network interface.
type LaunchTemplateNetworkInterface struct {
	DeviceIndex              int32    `json:"DeviceIndex"`
	SubnetID                 string   `json:"SubnetId,omitempty"`
	Groups                   []string `json:"Groups,omitempty" ec2:"SecurityGroupId" xml:"groupSet"`
	AssociatePublicIpAddress bool     `json:"AssociatePublicIpAddress,omitzero"`
	DeleteOnTermination      bool     `json:"DeleteOnTermination,omitzero"`
}

// LaunchTemplateBlockDeviceMapping is a template's volume.
type LaunchTemplateBlockDeviceMapping struct {
	DeviceName string          `json:"DeviceName,omitempty"`
	Ebs        *EbsBlockDevice `json:"Ebs,omitempty"`
}

// LaunchTemplateData is what a template version launches: the request shape
// (RequestLaunchTemplateData) on input and the response shape (ResponseLaunchTemplateData)
// on output share these Go fields; their wire names differ, see the ec2 and xml tags.
type LaunchTemplateData struct {
	ImageID               string                             `json:"ImageId,omitempty"`
	InstanceType          string                             `json:"InstanceType,omitempty"`
	KeyName               string                             `json:"KeyName,omitempty"`
	SecurityGroupIDs      []string                           `json:"SecurityGroupIds,omitempty" ec2:"SecurityGroupId" xml:"securityGroupIdSet"`
	SecurityGroups        []string                           `json:"SecurityGroups,omitempty" ec2:"SecurityGroup" xml:"securityGroupSet"`
	UserData              string                             `json:"UserData,omitempty"`
	TagSpecifications     []LaunchTemplateTagSpecification   `json:"TagSpecifications,omitempty" ec2:"TagSpecification" xml:"tagSpecificationSet"`
	IamInstanceProfile    *IamInstanceProfileSpecification   `json:"IamInstanceProfile,omitempty"`
	MetadataOptions       *MetadataOptions                   `json:"MetadataOptions,omitempty"`
	NetworkInterfaces     []LaunchTemplateNetworkInterface   `json:"NetworkInterfaces,omitempty" ec2:"NetworkInterface" xml:"networkInterfaceSet"`
	BlockDeviceMappings   []LaunchTemplateBlockDeviceMapping `json:"BlockDeviceMappings,omitempty" ec2:"BlockDeviceMapping" xml:"blockDeviceMappingSet"`
	Placement             *Placement                         `json:"Placement,omitempty"`
	DisableApiTermination bool                               `json:"DisableApiTermination,omitzero"`
	EbsOptimized          bool                               `json:"EbsOptimized,omitzero"`
	Monitoring            *RunInstancesMonitoringEnabled     `json:"Monitoring,omitempty"`
}

// LaunchTemplate is a launch template.
type LaunchTemplate struct {
	LaunchTemplateID     string    `json:"LaunchTemplateId"`
	LaunchTemplateName   string    `json:"LaunchTemplateName"`
	CreateTime           time.Time `json:"CreateTime"`
	CreatedBy            string    `json:"CreatedBy"`
	DefaultVersionNumber int64     `json:"DefaultVersionNumber"`
	LatestVersionNumber  int64     `json:"LatestVersionNumber"`
	Tags                 []Tag     `json:"Tags,omitempty" xml:"tagSet"`
}

// LaunchTemplateVersion is one version of a template.
type LaunchTemplateVersion struct {
	LaunchTemplateID   string             `json:"LaunchTemplateId"`
	LaunchTemplateName string             `json:"LaunchTemplateName"`
	VersionNumber      int64              `json:"VersionNumber"`
	VersionDescription string             `json:"VersionDescription,omitempty"`
	CreateTime         time.Time          `json:"CreateTime"`
	CreatedBy          string             `json:"CreatedBy"`
	DefaultVersion     bool               `json:"DefaultVersion"`
	LaunchTemplateData LaunchTemplateData `json:"LaunchTemplateData"`
}

// CreateLaunchTemplateInput creates a template and its version 1.
type CreateLaunchTemplateInput struct {
	LaunchTemplateName string             `json:"LaunchTemplateName"`
	VersionDescription string             `json:"VersionDescription,omitempty"`
	LaunchTemplateData LaunchTemplateData `json:"LaunchTemplateData"`
	TagSpecifications  []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	ClientToken        string             `json:"ClientToken,omitempty"`
	DryRun             bool               `json:"DryRun,omitzero"`
}

// CreateLaunchTemplateOutput is the new template.
type CreateLaunchTemplateOutput struct {
	LaunchTemplate LaunchTemplate `json:"LaunchTemplate"`
}

// CreateLaunchTemplateVersionInput adds a version, optionally based on SourceVersion.
type CreateLaunchTemplateVersionInput struct {
	LaunchTemplateID   string             `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string             `json:"LaunchTemplateName,omitempty"`
	SourceVersion      string             `json:"SourceVersion,omitempty"`
	VersionDescription string             `json:"VersionDescription,omitempty"`
	LaunchTemplateData LaunchTemplateData `json:"LaunchTemplateData"`
	ClientToken        string             `json:"ClientToken,omitempty"`
}

// CreateLaunchTemplateVersionOutput is the new version.
type CreateLaunchTemplateVersionOutput struct {
	LaunchTemplateVersion LaunchTemplateVersion `json:"LaunchTemplateVersion"`
}

// DescribeLaunchTemplatesInput lists templates.
type DescribeLaunchTemplatesInput struct {
	LaunchTemplateIDs   []string `json:"LaunchTemplateIds,omitempty" ec2:"LaunchTemplateId"`
	LaunchTemplateNames []string `json:"LaunchTemplateNames,omitempty" ec2:"LaunchTemplateName"`
	Filters             []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults          int32    `json:"MaxResults,omitzero"`
	NextToken           string   `json:"NextToken,omitempty"`
}

// DescribeLaunchTemplatesOutput is a page of templates.
type DescribeLaunchTemplatesOutput struct {
	LaunchTemplates []LaunchTemplate `json:"LaunchTemplates" xml:"launchTemplates"`
	NextToken       string           `json:"NextToken,omitempty"`
}

// DeleteLaunchTemplateInput deletes a template and all its versions.
type DeleteLaunchTemplateInput struct {
	LaunchTemplateID   string `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string `json:"LaunchTemplateName,omitempty"`
}

// DeleteLaunchTemplateOutput is the deleted template.
type DeleteLaunchTemplateOutput struct {
	LaunchTemplate LaunchTemplate `json:"LaunchTemplate"`
}

// ModifyLaunchTemplateInput sets the default version.
type ModifyLaunchTemplateInput struct {
	LaunchTemplateID   string `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string `json:"LaunchTemplateName,omitempty"`
	DefaultVersion     string `json:"DefaultVersion,omitempty" ec2:"SetDefaultVersion"`
}

// ModifyLaunchTemplateOutput is the template.
type ModifyLaunchTemplateOutput struct {
	LaunchTemplate LaunchTemplate `json:"LaunchTemplate"`
}

// DescribeLaunchTemplateVersionsInput lists versions ($Latest and $Default accepted).
type DescribeLaunchTemplateVersionsInput struct {
	LaunchTemplateID   string   `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string   `json:"LaunchTemplateName,omitempty"`
	Versions           []string `json:"Versions,omitempty" ec2:"LaunchTemplateVersion"`
	MinVersion         string   `json:"MinVersion,omitempty"`
	MaxVersion         string   `json:"MaxVersion,omitempty"`
	Filters            []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults         int32    `json:"MaxResults,omitzero"`
	NextToken          string   `json:"NextToken,omitempty"`
}

// DescribeLaunchTemplateVersionsOutput is a page of versions.
type DescribeLaunchTemplateVersionsOutput struct {
	LaunchTemplateVersions []LaunchTemplateVersion `json:"LaunchTemplateVersions" xml:"launchTemplateVersionSet"`
	NextToken              string                  `json:"NextToken,omitempty"`
}

// DeleteLaunchTemplateVersionsInput deletes versions (not the default one).
type DeleteLaunchTemplateVersionsInput struct {
	LaunchTemplateID   string   `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string   `json:"LaunchTemplateName,omitempty"`
	Versions           []string `json:"Versions" ec2:"LaunchTemplateVersion"`
}

// ResponseError is a per-item error.
type ResponseError struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// DeleteLaunchTemplateVersionsResponseItem is one version's outcome.
type DeleteLaunchTemplateVersionsResponseItem struct {
	LaunchTemplateID   string         `json:"LaunchTemplateId"`
	LaunchTemplateName string         `json:"LaunchTemplateName"`
	VersionNumber      int64          `json:"VersionNumber"`
	ResponseError      *ResponseError `json:"ResponseError,omitempty"`
}

// DeleteLaunchTemplateVersionsOutput lists what was and was not deleted.
type DeleteLaunchTemplateVersionsOutput struct {
	SuccessfullyDeleted   []DeleteLaunchTemplateVersionsResponseItem `json:"SuccessfullyDeletedLaunchTemplateVersions,omitempty" xml:"successfullyDeletedLaunchTemplateVersionSet"`
	UnsuccessfullyDeleted []DeleteLaunchTemplateVersionsResponseItem `json:"UnsuccessfullyDeletedLaunchTemplateVersions,omitempty" xml:"unsuccessfullyDeletedLaunchTemplateVersionSet"`
}

// Network

// Vpc is a VPC.
type Vpc struct {
	VpcID           string `json:"VpcId"`
	CidrBlock       string `json:"CidrBlock"`
	State           string `json:"State"`
	IsDefault       bool   `json:"IsDefault"`
	OwnerID         string `json:"OwnerId"`
	DhcpOptionsID   string `json:"DhcpOptionsId"`
	InstanceTenancy string `json:"InstanceTenancy"`
	Tags            []Tag  `json:"Tags,omitempty" xml:"tagSet"`
}

// Subnet is a subnet.
type Subnet struct {
	SubnetID                string `json:"SubnetId"`
	SubnetArn               string `json:"SubnetArn"`
	VpcID                   string `json:"VpcId"`
	CidrBlock               string `json:"CidrBlock"`
	AvailabilityZone        string `json:"AvailabilityZone"`
	AvailabilityZoneID      string `json:"AvailabilityZoneId"`
	AvailableIpAddressCount int32  `json:"AvailableIpAddressCount"`
	DefaultForAz            bool   `json:"DefaultForAz"`
	MapPublicIpOnLaunch     bool   `json:"MapPublicIpOnLaunch"`
	State                   string `json:"State"`
	OwnerID                 string `json:"OwnerId"`
	Tags                    []Tag  `json:"Tags,omitempty" xml:"tagSet"`
}

// IpRange is an IPv4 CIDR in a rule.
type IpRange struct {
	CidrIp      string `json:"CidrIp"`
	Description string `json:"Description,omitempty"`
}

// Ipv6Range is an IPv6 CIDR in a rule.
type Ipv6Range struct {
	CidrIpv6    string `json:"CidrIpv6"`
	Description string `json:"Description,omitempty"`
}

// PrefixListID is a prefix list in a rule.
type PrefixListID struct {
	PrefixListID string `json:"PrefixListId"`
	Description  string `json:"Description,omitempty"`
}

// UserIdGroupPair is a security group reference in a rule (GroupName only for groups of
// the default VPC, as in EC2).
type UserIdGroupPair struct {
	GroupID     string `json:"GroupId,omitempty"`
	GroupName   string `json:"GroupName,omitempty"`
	UserID      string `json:"UserId,omitempty"`
	VpcID       string `json:"VpcId,omitempty"`
	Description string `json:"Description,omitempty"`
}

// IpPermission is a set of security group rules sharing a protocol and port range (EC2
// stores one rule per peer; see SecurityGroupRule). For protocol -1 the ports are absent.
type IpPermission struct {
	IpProtocol       string            `json:"IpProtocol"`
	FromPort         int32             `json:"FromPort,omitzero"`
	ToPort           int32             `json:"ToPort,omitzero"`
	IpRanges         []IpRange         `json:"IpRanges,omitempty" xml:"ipRanges"`
	Ipv6Ranges       []Ipv6Range       `json:"Ipv6Ranges,omitempty" xml:"ipv6Ranges"`
	PrefixListIDs    []PrefixListID    `json:"PrefixListIds,omitempty" xml:"prefixListIds"`
	UserIdGroupPairs []UserIdGroupPair `json:"UserIdGroupPairs,omitempty" ec2:"Groups" xml:"groups"`
}

// SecurityGroup is a security group.
type SecurityGroup struct {
	GroupID             string         `json:"GroupId"`
	GroupName           string         `json:"GroupName"`
	Description         string         `json:"Description" xml:"groupDescription"`
	VpcID               string         `json:"VpcId"`
	OwnerID             string         `json:"OwnerId"`
	IpPermissions       []IpPermission `json:"IpPermissions" xml:"ipPermissions"`
	IpPermissionsEgress []IpPermission `json:"IpPermissionsEgress" xml:"ipPermissionsEgress"`
	Tags                []Tag          `json:"Tags,omitempty" xml:"tagSet"`
}

// DescribeVpcsInput lists VPCs.
type DescribeVpcsInput struct {
	VpcIDs     []string `json:"VpcIds,omitempty" ec2:"VpcId"`
	Filters    []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults int32    `json:"MaxResults,omitzero"`
	NextToken  string   `json:"NextToken,omitempty"`
}

// DescribeVpcsOutput lists VPCs.
type DescribeVpcsOutput struct {
	Vpcs      []Vpc  `json:"Vpcs" xml:"vpcSet"`
	NextToken string `json:"NextToken,omitempty"`
}

// DescribeSubnetsInput lists subnets.
type DescribeSubnetsInput struct {
	SubnetIDs  []string `json:"SubnetIds,omitempty" ec2:"SubnetId"`
	Filters    []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults int32    `json:"MaxResults,omitzero"`
	NextToken  string   `json:"NextToken,omitempty"`
}

// DescribeSubnetsOutput lists subnets.
type DescribeSubnetsOutput struct {
	Subnets   []Subnet `json:"Subnets" xml:"subnetSet"`
	NextToken string   `json:"NextToken,omitempty"`
}

// DescribeSecurityGroupsInput lists security groups.
type DescribeSecurityGroupsInput struct {
	GroupIDs   []string `json:"GroupIds,omitempty" ec2:"GroupId"`
	GroupNames []string `json:"GroupNames,omitempty" ec2:"GroupName"`
	Filters    []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults int32    `json:"MaxResults,omitzero"`
	NextToken  string   `json:"NextToken,omitempty"`
}

// DescribeSecurityGroupsOutput lists security groups.
type DescribeSecurityGroupsOutput struct {
	SecurityGroups []SecurityGroup `json:"SecurityGroups" xml:"securityGroupInfo"`
	NextToken      string          `json:"NextToken,omitempty"`
}

// CreateSecurityGroupInput creates a security group.
type CreateSecurityGroupInput struct {
	GroupName         string             `json:"GroupName"`
	Description       string             `json:"Description" ec2:"GroupDescription"`
	VpcID             string             `json:"VpcId,omitempty"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
}

// CreateSecurityGroupOutput is the new group.
type CreateSecurityGroupOutput struct {
	GroupID string `json:"GroupId"`
	Tags    []Tag  `json:"Tags,omitempty" xml:"tagSet"`
}

// DeleteSecurityGroupInput deletes a group.
type DeleteSecurityGroupInput struct {
	GroupID   string `json:"GroupId,omitempty"`
	GroupName string `json:"GroupName,omitempty"`
}

// DeleteSecurityGroupOutput is empty.
type DeleteSecurityGroupOutput struct {
	Return bool `json:"Return,omitzero" xml:"return"`
}

// DescribeAvailabilityZonesInput lists zones.
type DescribeAvailabilityZonesInput struct {
	ZoneNames            []string `json:"ZoneNames,omitempty" ec2:"ZoneName"`
	ZoneIDs              []string `json:"ZoneIds,omitempty" ec2:"ZoneId"`
	Filters              []Filter `json:"Filters,omitempty" ec2:"Filter"`
	AllAvailabilityZones bool     `json:"AllAvailabilityZones,omitzero"`
}

// AvailabilityZone is a zone.
type AvailabilityZone struct {
	ZoneName           string `json:"ZoneName"`
	ZoneID             string `json:"ZoneId"`
	State              string `json:"State" xml:"zoneState"`
	RegionName         string `json:"RegionName"`
	GroupName          string `json:"GroupName"`
	NetworkBorderGroup string `json:"NetworkBorderGroup"`
	OptInStatus        string `json:"OptInStatus"`
	ZoneType           string `json:"ZoneType"`
}

// DescribeAvailabilityZonesOutput lists zones.
type DescribeAvailabilityZonesOutput struct {
	AvailabilityZones []AvailabilityZone `json:"AvailabilityZones" xml:"availabilityZoneInfo"`
}

// DescribeRegionsInput lists regions.
type DescribeRegionsInput struct {
	RegionNames []string `json:"RegionNames,omitempty" ec2:"RegionName"`
	AllRegions  bool     `json:"AllRegions,omitzero"`
}

// Region is a region.
type Region struct {
	RegionName  string `json:"RegionName"`
	Endpoint    string `json:"Endpoint" xml:"regionEndpoint"`
	OptInStatus string `json:"OptInStatus"`
}

// DescribeRegionsOutput lists regions.
type DescribeRegionsOutput struct {
	Regions []Region `json:"Regions" xml:"regionInfo"`
}
