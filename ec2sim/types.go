package ec2sim

import "time"

// Shapes of the EC2 API. json tags carry the AWS SDK member names; ec2 tags the query names
// where EC2's wire name differs (lists are singular); xml tags the response element names.

// Tag is a key/value tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Filter is a DescribeX filter.
type Filter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values" ec2:"Value"`
}

// TagSpecification tags resources at creation.
type TagSpecification struct {
	ResourceType string `json:"ResourceType"`
	Tags         []Tag  `json:"Tags,omitempty" ec2:"Tag" xml:"tagSet"`
}

// InstanceState is a state code and name (pending 0, running 16, shutting-down 32,
// terminated 48, stopping 64, stopped 80).
type InstanceState struct {
	Code int32  `json:"Code"`
	Name string `json:"Name"`
}

// Placement is where an instance runs.
type Placement struct {
	AvailabilityZone string `json:"AvailabilityZone,omitempty"`
	Tenancy          string `json:"Tenancy,omitempty"`
	GroupName        string `json:"GroupName,omitempty"`
}

// GroupIdentifier names a security group.
type GroupIdentifier struct {
	GroupID   string `json:"GroupId"`
	GroupName string `json:"GroupName"`
}

// IamInstanceProfileSpecification names an instance profile.
type IamInstanceProfileSpecification struct {
	Arn  string `json:"Arn,omitempty"`
	Name string `json:"Name,omitempty"`
}

// IamInstanceProfile is an instance's profile.
type IamInstanceProfile struct {
	Arn string `json:"Arn,omitempty"`
	ID  string `json:"Id,omitempty"`
}

// MetadataOptions are the IMDS settings.
type MetadataOptions struct {
	HttpTokens              string `json:"HttpTokens,omitempty"`
	HttpEndpoint            string `json:"HttpEndpoint,omitempty"`
	HttpPutResponseHopLimit int32  `json:"HttpPutResponseHopLimit,omitzero"`
	InstanceMetadataTags    string `json:"InstanceMetadataTags,omitempty"`
	State                   string `json:"State,omitempty"`
}

// StateReason says why an instance changed state.
type StateReason struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// Monitoring is the detailed monitoring state.
type Monitoring struct {
	State string `json:"State"`
}

// EbsBlockDevice describes an EBS volume.
type EbsBlockDevice struct {
	DeleteOnTermination bool   `json:"DeleteOnTermination,omitzero"`
	VolumeSize          int32  `json:"VolumeSize,omitzero"`
	VolumeType          string `json:"VolumeType,omitempty"`
	Encrypted           bool   `json:"Encrypted,omitzero"`
	SnapshotID          string `json:"SnapshotId,omitempty"`
}

// BlockDeviceMapping maps a device name to a volume.
type BlockDeviceMapping struct {
	DeviceName string          `json:"DeviceName"`
	Ebs        *EbsBlockDevice `json:"Ebs,omitempty"`
}

// InstanceBlockDeviceMapping is an attached volume.
type InstanceBlockDeviceMapping struct {
	DeviceName string            `json:"DeviceName"`
	Ebs        *EbsInstanceBlock `json:"Ebs,omitempty"`
}

// EbsInstanceBlock is an attached EBS volume.
type EbsInstanceBlock struct {
	VolumeID            string    `json:"VolumeId"`
	Status              string    `json:"Status"`
	AttachTime          time.Time `json:"AttachTime,omitzero"`
	DeleteOnTermination bool      `json:"DeleteOnTermination"`
}

// InstanceNetworkInterfaceSpecification is a network interface at launch.
type InstanceNetworkInterfaceSpecification struct {
	DeviceIndex              int32    `json:"DeviceIndex"`
	SubnetID                 string   `json:"SubnetId,omitempty"`
	Groups                   []string `json:"Groups,omitempty" ec2:"SecurityGroupId"`
	AssociatePublicIpAddress bool     `json:"AssociatePublicIpAddress,omitzero"`
	DeleteOnTermination      bool     `json:"DeleteOnTermination,omitzero"`
	PrivateIpAddress         string   `json:"PrivateIpAddress,omitempty"`
}

// LaunchTemplateSpecification picks a launch template and version at launch.
type LaunchTemplateSpecification struct {
	LaunchTemplateID   string `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string `json:"LaunchTemplateName,omitempty"`
	Version            string `json:"Version,omitempty"`
}

// Instance is an EC2 instance.
type Instance struct {
	InstanceID            string                       `json:"InstanceId"`
	ImageID               string                       `json:"ImageId"`
	State                 InstanceState                `json:"State" xml:"instanceState"`
	PrivateDnsName        string                       `json:"PrivateDnsName"`
	PublicDnsName         string                       `json:"PublicDnsName" xml:"dnsName"`
	StateTransitionReason string                       `json:"StateTransitionReason" xml:"reason"`
	KeyName               string                       `json:"KeyName,omitempty"`
	AmiLaunchIndex        int32                        `json:"AmiLaunchIndex"`
	InstanceType          string                       `json:"InstanceType"`
	LaunchTime            time.Time                    `json:"LaunchTime"`
	Placement             Placement                    `json:"Placement"`
	Monitoring            Monitoring                   `json:"Monitoring"`
	SubnetID              string                       `json:"SubnetId,omitempty"`
	VpcID                 string                       `json:"VpcId,omitempty"`
	PrivateIpAddress      string                       `json:"PrivateIpAddress,omitempty"`
	PublicIpAddress       string                       `json:"PublicIpAddress,omitempty" xml:"ipAddress"`
	SecurityGroups        []GroupIdentifier            `json:"SecurityGroups" xml:"groupSet"`
	Architecture          string                       `json:"Architecture"`
	RootDeviceType        string                       `json:"RootDeviceType"`
	RootDeviceName        string                       `json:"RootDeviceName"`
	BlockDeviceMappings   []InstanceBlockDeviceMapping `json:"BlockDeviceMappings" xml:"blockDeviceMapping"`
	VirtualizationType    string                       `json:"VirtualizationType"`
	Hypervisor            string                       `json:"Hypervisor"`
	ClientToken           string                       `json:"ClientToken,omitempty"`
	Tags                  []Tag                        `json:"Tags,omitempty" xml:"tagSet"`
	IamInstanceProfile    *IamInstanceProfile          `json:"IamInstanceProfile,omitempty"`
	StateReason           *StateReason                 `json:"StateReason,omitempty"`
	MetadataOptions       *MetadataOptions             `json:"MetadataOptions,omitempty"`
	EbsOptimized          bool                         `json:"EbsOptimized"`
	EnaSupport            bool                         `json:"EnaSupport"`
	SourceDestCheck       bool                         `json:"SourceDestCheck"`
	PlatformDetails       string                       `json:"PlatformDetails"`
	UsageOperation        string                       `json:"UsageOperation"`
	BootMode              string                       `json:"BootMode,omitempty"`
}

// Reservation is a group of instances launched together.
type Reservation struct {
	ReservationID string            `json:"ReservationId"`
	OwnerID       string            `json:"OwnerId"`
	RequesterID   string            `json:"RequesterId,omitempty"`
	Groups        []GroupIdentifier `json:"Groups" xml:"groupSet"`
	Instances     []Instance        `json:"Instances" xml:"instancesSet"`
}

// RunInstancesInput launches instances.
type RunInstancesInput struct {
	ImageID               string                                  `json:"ImageId,omitempty"`
	InstanceType          string                                  `json:"InstanceType,omitempty"`
	MinCount              int32                                   `json:"MinCount"`
	MaxCount              int32                                   `json:"MaxCount"`
	KeyName               string                                  `json:"KeyName,omitempty"`
	SecurityGroupIDs      []string                                `json:"SecurityGroupIds,omitempty" ec2:"SecurityGroupId"`
	SecurityGroups        []string                                `json:"SecurityGroups,omitempty" ec2:"SecurityGroup"`
	SubnetID              string                                  `json:"SubnetId,omitempty"`
	UserData              string                                  `json:"UserData,omitempty"`
	TagSpecifications     []TagSpecification                      `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	LaunchTemplate        *LaunchTemplateSpecification            `json:"LaunchTemplate,omitempty"`
	IamInstanceProfile    *IamInstanceProfileSpecification        `json:"IamInstanceProfile,omitempty"`
	MetadataOptions       *MetadataOptions                        `json:"MetadataOptions,omitempty"`
	Placement             *Placement                              `json:"Placement,omitempty"`
	NetworkInterfaces     []InstanceNetworkInterfaceSpecification `json:"NetworkInterfaces,omitempty" ec2:"NetworkInterface"`
	BlockDeviceMappings   []BlockDeviceMapping                    `json:"BlockDeviceMappings,omitempty" ec2:"BlockDeviceMapping"`
	PrivateIpAddress      string                                  `json:"PrivateIpAddress,omitempty"`
	ClientToken           string                                  `json:"ClientToken,omitempty"`
	DisableApiTermination *bool                                   `json:"DisableApiTermination,omitempty"`
	EbsOptimized          bool                                    `json:"EbsOptimized,omitzero"`
	Monitoring            *RunInstancesMonitoringEnabled          `json:"Monitoring,omitempty"`
	DryRun                bool                                    `json:"DryRun,omitzero"`
}

// DescribeInstancesInput lists instances.
type DescribeInstancesInput struct {
	InstanceIDs []string `json:"InstanceIds,omitempty" ec2:"InstanceId"`
	Filters     []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults  int32    `json:"MaxResults,omitzero"`
	NextToken   string   `json:"NextToken,omitempty"`
	DryRun      bool     `json:"DryRun,omitzero"`
}

// DescribeInstancesOutput is a page of reservations.
type DescribeInstancesOutput struct {
	Reservations []Reservation `json:"Reservations" xml:"reservationSet"`
	NextToken    string        `json:"NextToken,omitempty"`
}

// InstanceIDsInput names instances (Start, Reboot, Terminate).
type InstanceIDsInput struct {
	InstanceIDs []string `json:"InstanceIds" ec2:"InstanceId"`
	DryRun      bool     `json:"DryRun,omitzero"`
}

// StartInstancesInput starts stopped instances.
type StartInstancesInput = InstanceIDsInput

// RebootInstancesInput reboots running instances.
type RebootInstancesInput = InstanceIDsInput

// TerminateInstancesInput terminates instances.
type TerminateInstancesInput = InstanceIDsInput

// StopInstancesInput stops running instances.
type StopInstancesInput struct {
	InstanceIDs []string `json:"InstanceIds" ec2:"InstanceId"`
	Force       bool     `json:"Force,omitzero"`
	Hibernate   bool     `json:"Hibernate,omitzero"`
	DryRun      bool     `json:"DryRun,omitzero"`
}

// InstanceStateChange is one instance's transition.
type InstanceStateChange struct {
	InstanceID    string        `json:"InstanceId"`
	CurrentState  InstanceState `json:"CurrentState"`
	PreviousState InstanceState `json:"PreviousState"`
}

// StartInstancesOutput lists the starting instances.
type StartInstancesOutput struct {
	StartingInstances []InstanceStateChange `json:"StartingInstances" xml:"instancesSet"`
}

// StopInstancesOutput lists the stopping instances.
type StopInstancesOutput struct {
	StoppingInstances []InstanceStateChange `json:"StoppingInstances" xml:"instancesSet"`
}

// TerminateInstancesOutput lists the terminating instances.
type TerminateInstancesOutput struct {
	TerminatingInstances []InstanceStateChange `json:"TerminatingInstances" xml:"instancesSet"`
}

// RebootInstancesOutput is empty.
type RebootInstancesOutput struct {
	Return bool `json:"Return,omitzero" xml:"return"`
}

// DescribeInstanceStatusInput lists instance status checks.
type DescribeInstanceStatusInput struct {
	InstanceIDs         []string `json:"InstanceIds,omitempty" ec2:"InstanceId"`
	Filters             []Filter `json:"Filters,omitempty" ec2:"Filter"`
	IncludeAllInstances bool     `json:"IncludeAllInstances,omitzero"`
	MaxResults          int32    `json:"MaxResults,omitzero"`
	NextToken           string   `json:"NextToken,omitempty"`
}

// InstanceStatusDetails is one check.
type InstanceStatusDetails struct {
	Name   string `json:"Name"`
	Status string `json:"Status"`
}

// InstanceStatusSummary is a status and its checks.
type InstanceStatusSummary struct {
	Status  string                  `json:"Status"`
	Details []InstanceStatusDetails `json:"Details" xml:"details"`
}

// InstanceStatus is one instance's status checks.
type InstanceStatus struct {
	InstanceID       string                `json:"InstanceId"`
	AvailabilityZone string                `json:"AvailabilityZone"`
	InstanceState    InstanceState         `json:"InstanceState"`
	InstanceStatus   InstanceStatusSummary `json:"InstanceStatus"`
	SystemStatus     InstanceStatusSummary `json:"SystemStatus"`
}

// DescribeInstanceStatusOutput is a page of statuses.
type DescribeInstanceStatusOutput struct {
	InstanceStatuses []InstanceStatus `json:"InstanceStatuses" xml:"instanceStatusSet"`
	NextToken        string           `json:"NextToken,omitempty"`
}

// GetConsoleOutputInput asks for an instance's console output.
type GetConsoleOutputInput struct {
	InstanceID string `json:"InstanceId"`
	Latest     bool   `json:"Latest,omitzero"`
}

// GetConsoleOutputOutput is the console output, base64 encoded.
type GetConsoleOutputOutput struct {
	InstanceID string    `json:"InstanceId"`
	Output     string    `json:"Output,omitempty"`
	Timestamp  time.Time `json:"Timestamp"`
}

// DescribeInstanceAttributeInput asks for one attribute.
type DescribeInstanceAttributeInput struct {
	InstanceID string `json:"InstanceId"`
	Attribute  string `json:"Attribute"`
}

// AttributeValue is a string attribute.
type AttributeValue struct {
	Value string `json:"Value"`
}

// AttributeBooleanValue is a boolean attribute.
type AttributeBooleanValue struct {
	Value bool `json:"Value"`
}

// DescribeInstanceAttributeOutput holds the asked attribute.
type DescribeInstanceAttributeOutput struct {
	InstanceID            string                 `json:"InstanceId"`
	InstanceType          *AttributeValue        `json:"InstanceType,omitempty"`
	UserData              *AttributeValue        `json:"UserData,omitempty"`
	DisableApiTermination *AttributeBooleanValue `json:"DisableApiTermination,omitempty"`
}

// ModifyInstanceAttributeInput changes one attribute.
type ModifyInstanceAttributeInput struct {
	InstanceID            string                 `json:"InstanceId"`
	InstanceType          *AttributeValue        `json:"InstanceType,omitempty"`
	UserData              *BlobAttributeValue    `json:"UserData,omitempty"`
	DisableApiTermination *AttributeBooleanValue `json:"DisableApiTermination,omitempty"`
	Attribute             string                 `json:"Attribute,omitempty"`
	Value                 string                 `json:"Value,omitempty"`
}

// BlobAttributeValue is a binary attribute (user data).
type BlobAttributeValue struct {
	Value []byte `json:"Value"`
}

// ModifyInstanceAttributeOutput is empty.
type ModifyInstanceAttributeOutput struct{}

// Tags

// CreateTagsInput tags resources.
type CreateTagsInput struct {
	Resources []string `json:"Resources" ec2:"ResourceId"`
	Tags      []Tag    `json:"Tags" ec2:"Tag"`
	DryRun    bool     `json:"DryRun,omitzero"`
}

// CreateTagsOutput is empty.
type CreateTagsOutput struct{}

// DeleteTagsInput removes tags (a tag without a value removes the key whatever its value).
type DeleteTagsInput struct {
	Resources []string `json:"Resources" ec2:"ResourceId"`
	Tags      []Tag    `json:"Tags,omitempty" ec2:"Tag"`
	DryRun    bool     `json:"DryRun,omitzero"`
}

// DeleteTagsOutput is empty.
type DeleteTagsOutput struct{}

// DescribeTagsInput lists tags.
type DescribeTagsInput struct {
	Filters    []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults int32    `json:"MaxResults,omitzero"`
	NextToken  string   `json:"NextToken,omitempty"`
}

// TagDescription is one tag of one resource.
type TagDescription struct {
	ResourceID   string `json:"ResourceId"`
	ResourceType string `json:"ResourceType"`
	Key          string `json:"Key"`
	Value        string `json:"Value"`
}

// DescribeTagsOutput is a page of tags.
type DescribeTagsOutput struct {
	Tags      []TagDescription `json:"Tags" xml:"tagSet"`
	NextToken string           `json:"NextToken,omitempty"`
}

// Images

// Image is an AMI.
type Image struct {
	ImageID             string               `json:"ImageId"`
	ImageLocation       string               `json:"ImageLocation"`
	State               string               `json:"State" xml:"imageState"`
	OwnerID             string               `json:"OwnerId" xml:"imageOwnerId"`
	CreationDate        string               `json:"CreationDate"`
	Public              bool                 `json:"Public" xml:"isPublic"`
	Architecture        string               `json:"Architecture"`
	ImageType           string               `json:"ImageType"`
	PlatformDetails     string               `json:"PlatformDetails"`
	UsageOperation      string               `json:"UsageOperation"`
	Name                string               `json:"Name"`
	Description         string               `json:"Description,omitempty"`
	ImageOwnerAlias     string               `json:"ImageOwnerAlias,omitempty"`
	RootDeviceType      string               `json:"RootDeviceType"`
	RootDeviceName      string               `json:"RootDeviceName"`
	BlockDeviceMappings []BlockDeviceMapping `json:"BlockDeviceMappings" xml:"blockDeviceMapping"`
	VirtualizationType  string               `json:"VirtualizationType"`
	Hypervisor          string               `json:"Hypervisor"`
	EnaSupport          bool                 `json:"EnaSupport"`
	BootMode            string               `json:"BootMode,omitempty"`
	Tags                []Tag                `json:"Tags,omitempty" xml:"tagSet"`
	StateReason         *StateReason         `json:"StateReason,omitempty"`
	SourceInstanceID    string               `json:"SourceInstanceId,omitempty"`
}

// CreateImageInput snapshots an instance into an AMI.
type CreateImageInput struct {
	InstanceID          string               `json:"InstanceId"`
	Name                string               `json:"Name"`
	Description         string               `json:"Description,omitempty"`
	NoReboot            bool                 `json:"NoReboot,omitzero"`
	TagSpecifications   []TagSpecification   `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	BlockDeviceMappings []BlockDeviceMapping `json:"BlockDeviceMappings,omitempty" ec2:"BlockDeviceMapping"`
	DryRun              bool                 `json:"DryRun,omitzero"`
}

// CreateImageOutput is the new image id.
type CreateImageOutput struct {
	ImageID string `json:"ImageId"`
}

// RegisterImageInput registers an image from another image's root snapshot
// (devopsim: SourceImageId in place of a snapshot).
type RegisterImageInput struct {
	Name                string               `json:"Name"`
	Description         string               `json:"Description,omitempty"`
	Architecture        string               `json:"Architecture,omitempty"`
	RootDeviceName      string               `json:"RootDeviceName,omitempty"`
	BlockDeviceMappings []BlockDeviceMapping `json:"BlockDeviceMappings,omitempty" ec2:"BlockDeviceMapping"`
	VirtualizationType  string               `json:"VirtualizationType,omitempty"`
	TagSpecifications   []TagSpecification   `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
}

// RegisterImageOutput is the new image id.
type RegisterImageOutput struct {
	ImageID string `json:"ImageId"`
}

// CopyImageInput copies an image from another region into the caller's.
type CopyImageInput struct {
	Name          string `json:"Name"`
	Description   string `json:"Description,omitempty"`
	SourceImageID string `json:"SourceImageId"`
	SourceRegion  string `json:"SourceRegion"`
	ClientToken   string `json:"ClientToken,omitempty"`
}

// CopyImageOutput is the new image id.
type CopyImageOutput struct {
	ImageID string `json:"ImageId"`
}

// DescribeImagesInput lists images.
type DescribeImagesInput struct {
	ImageIDs          []string `json:"ImageIds,omitempty" ec2:"ImageId"`
	Owners            []string `json:"Owners,omitempty" ec2:"Owner"`
	ExecutableUsers   []string `json:"ExecutableUsers,omitempty" ec2:"ExecutableBy"`
	Filters           []Filter `json:"Filters,omitempty" ec2:"Filter"`
	IncludeDeprecated bool     `json:"IncludeDeprecated,omitzero"`
	MaxResults        int32    `json:"MaxResults,omitzero"`
	NextToken         string   `json:"NextToken,omitempty"`
}

// DescribeImagesOutput is a page of images.
type DescribeImagesOutput struct {
	Images    []Image `json:"Images" xml:"imagesSet"`
	NextToken string  `json:"NextToken,omitempty"`
}

// DeregisterImageInput removes an image.
type DeregisterImageInput struct {
	ImageID string `json:"ImageId"`
}

// DeregisterImageOutput is empty.
type DeregisterImageOutput struct {
	Return bool `json:"Return,omitzero" xml:"return"`
}

// LaunchPermission grants an account (or "all") the right to launch an image.
type LaunchPermission struct {
	UserID string `json:"UserId,omitempty"`
	Group  string `json:"Group,omitempty"`
}

// LaunchPermissionModifications adds and removes permissions.
type LaunchPermissionModifications struct {
	Add    []LaunchPermission `json:"Add,omitempty"`
	Remove []LaunchPermission `json:"Remove,omitempty"`
}

// DescribeImageAttributeInput asks for an image attribute (launchPermission, description).
type DescribeImageAttributeInput struct {
	ImageID   string `json:"ImageId"`
	Attribute string `json:"Attribute"`
}

// DescribeImageAttributeOutput holds it.
type DescribeImageAttributeOutput struct {
	ImageID           string             `json:"ImageId"`
	LaunchPermissions []LaunchPermission `json:"LaunchPermissions,omitempty" xml:"launchPermission"`
	Description       *AttributeValue    `json:"Description,omitempty"`
}

// ModifyImageAttributeInput changes launch permissions or the description.
type ModifyImageAttributeInput struct {
	ImageID          string                         `json:"ImageId"`
	Attribute        string                         `json:"Attribute,omitempty"`
	LaunchPermission *LaunchPermissionModifications `json:"LaunchPermission,omitempty"`
	OperationType    string                         `json:"OperationType,omitempty"`
	UserIDs          []string                       `json:"UserIds,omitempty" ec2:"UserId"`
	UserGroups       []string                       `json:"UserGroups,omitempty" ec2:"UserGroup"`
	Description      *AttributeValue                `json:"Description,omitempty"`
}

// ModifyImageAttributeOutput is empty.
type ModifyImageAttributeOutput struct{}
