package elbv2

import "time"

// Shapes of the Elastic Load Balancing v2 API (awsQuery, 2015-12-01): json tags carry AWS's
// member names, which are the query keys and XML element names on the wire.

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value,omitempty"`
}

// TagDescription is the tags of one resource.
type TagDescription struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []Tag  `json:"Tags"`
}

// SubnetMapping picks a subnet (addresses are accepted and ignored: the simulated load
// balancer has no public addresses).
type SubnetMapping struct {
	SubnetID           string `json:"SubnetId,omitempty"`
	AllocationID       string `json:"AllocationId,omitempty"`
	PrivateIPv4Address string `json:"PrivateIPv4Address,omitempty"`
	IPv6Address        string `json:"IPv6Address,omitempty"`
}

// AvailabilityZone is a zone a load balancer is enabled in.
type AvailabilityZone struct {
	ZoneName string `json:"ZoneName"`
	SubnetID string `json:"SubnetId"`
}

// LoadBalancerState is a load balancer's state.
type LoadBalancerState struct {
	Code   string `json:"Code"`
	Reason string `json:"Reason,omitempty"`
}

// LoadBalancer describes a load balancer.
type LoadBalancer struct {
	LoadBalancerArn       string             `json:"LoadBalancerArn"`
	DNSName               string             `json:"DNSName"`
	CanonicalHostedZoneID string             `json:"CanonicalHostedZoneId,omitempty"`
	CreatedTime           time.Time          `json:"CreatedTime"`
	LoadBalancerName      string             `json:"LoadBalancerName"`
	Scheme                string             `json:"Scheme"`
	VpcID                 string             `json:"VpcId,omitempty"`
	State                 *LoadBalancerState `json:"State,omitempty"`
	Type                  string             `json:"Type"`
	AvailabilityZones     []AvailabilityZone `json:"AvailabilityZones"`
	SecurityGroups        []string           `json:"SecurityGroups,omitempty"`
	IPAddressType         string             `json:"IpAddressType"`
}

// Matcher is the HTTP codes a healthy target answers with: "200", "200,202", "200-299".
type Matcher struct {
	HTTPCode string `json:"HttpCode,omitempty"`
	GrpcCode string `json:"GrpcCode,omitempty"`
}

// TargetGroup describes a target group.
type TargetGroup struct {
	TargetGroupArn             string   `json:"TargetGroupArn"`
	TargetGroupName            string   `json:"TargetGroupName"`
	Protocol                   string   `json:"Protocol"`
	Port                       int      `json:"Port"`
	VpcID                      string   `json:"VpcId"`
	HealthCheckProtocol        string   `json:"HealthCheckProtocol"`
	HealthCheckPort            string   `json:"HealthCheckPort"`
	HealthCheckEnabled         bool     `json:"HealthCheckEnabled"`
	HealthCheckIntervalSeconds int      `json:"HealthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int      `json:"HealthCheckTimeoutSeconds"`
	HealthyThresholdCount      int      `json:"HealthyThresholdCount"`
	UnhealthyThresholdCount    int      `json:"UnhealthyThresholdCount"`
	HealthCheckPath            string   `json:"HealthCheckPath"`
	Matcher                    *Matcher `json:"Matcher,omitempty"`
	LoadBalancerArns           []string `json:"LoadBalancerArns"`
	TargetType                 string   `json:"TargetType"`
	ProtocolVersion            string   `json:"ProtocolVersion,omitempty"`
	IPAddressType              string   `json:"IpAddressType,omitempty"`
}

// TargetDescription names a target: an instance id and, optionally, a port (default: the
// target group's port).
type TargetDescription struct {
	ID               string `json:"Id"`
	Port             int    `json:"Port,omitzero"`
	AvailabilityZone string `json:"AvailabilityZone,omitempty"`
}

// TargetHealth is a target's health: State initial, healthy, unhealthy, unused, draining or
// unavailable, with AWS's reason codes (Elb.RegistrationInProgress, Target.FailedHealthChecks...).
type TargetHealth struct {
	State       string `json:"State"`
	Reason      string `json:"Reason,omitempty"`
	Description string `json:"Description,omitempty"`
}

// TargetHealthDescription is one target and its health.
type TargetHealthDescription struct {
	Target          *TargetDescription `json:"Target"`
	HealthCheckPort string             `json:"HealthCheckPort,omitempty"`
	TargetHealth    *TargetHealth      `json:"TargetHealth"`
}

// TargetGroupTuple is one target group of a weighted forward action.
type TargetGroupTuple struct {
	TargetGroupArn string `json:"TargetGroupArn"`
	Weight         *int   `json:"Weight,omitempty"`
}

// TargetGroupStickinessConfig is a forward action's group stickiness (only disabled is
// supported).
type TargetGroupStickinessConfig struct {
	Enabled         *bool `json:"Enabled,omitempty"`
	DurationSeconds int   `json:"DurationSeconds,omitzero"`
}

// ForwardActionConfig forwards to one or more weighted target groups.
type ForwardActionConfig struct {
	TargetGroups                []TargetGroupTuple           `json:"TargetGroups"`
	TargetGroupStickinessConfig *TargetGroupStickinessConfig `json:"TargetGroupStickinessConfig,omitempty"`
}

// FixedResponseActionConfig answers with a fixed response.
type FixedResponseActionConfig struct {
	StatusCode  string `json:"StatusCode"`
	ContentType string `json:"ContentType,omitempty"`
	MessageBody string `json:"MessageBody,omitempty"`
}

// RedirectActionConfig redirects; values may use #{protocol}, #{host}, #{port}, #{path} and
// #{query}.
type RedirectActionConfig struct {
	Protocol   string `json:"Protocol,omitempty"`
	Port       string `json:"Port,omitempty"`
	Host       string `json:"Host,omitempty"`
	Path       string `json:"Path,omitempty"`
	Query      string `json:"Query,omitempty"`
	StatusCode string `json:"StatusCode"`
}

// Action is a listener action: forward, fixed-response or redirect.
type Action struct {
	Type                string                     `json:"Type"`
	TargetGroupArn      string                     `json:"TargetGroupArn,omitempty"`
	Order               int                        `json:"Order,omitzero"`
	ForwardConfig       *ForwardActionConfig       `json:"ForwardConfig,omitempty"`
	FixedResponseConfig *FixedResponseActionConfig `json:"FixedResponseConfig,omitempty"`
	RedirectConfig      *RedirectActionConfig      `json:"RedirectConfig,omitempty"`
}

// Certificate is a listener certificate (HTTPS listeners are not supported).
type Certificate struct {
	CertificateArn string `json:"CertificateArn,omitempty"`
	IsDefault      *bool  `json:"IsDefault,omitempty"`
}

// Listener describes a listener.
type Listener struct {
	ListenerArn     string        `json:"ListenerArn"`
	LoadBalancerArn string        `json:"LoadBalancerArn"`
	Port            int           `json:"Port"`
	Protocol        string        `json:"Protocol"`
	DefaultActions  []Action      `json:"DefaultActions"`
	Certificates    []Certificate `json:"Certificates,omitempty"`
	SslPolicy       string        `json:"SslPolicy,omitempty"`
	AlpnPolicy      []string      `json:"AlpnPolicy,omitempty"`
}

// TargetGroupAttribute is one target group attribute.
type TargetGroupAttribute struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// ---- operation inputs and outputs

type CreateLoadBalancerInput struct {
	Name                  string          `json:"Name"`
	Subnets               []string        `json:"Subnets,omitempty"`
	SubnetMappings        []SubnetMapping `json:"SubnetMappings,omitempty"`
	SecurityGroups        []string        `json:"SecurityGroups,omitempty"`
	Scheme                string          `json:"Scheme,omitempty"`
	Tags                  []Tag           `json:"Tags,omitempty"`
	Type                  string          `json:"Type,omitempty"`
	IPAddressType         string          `json:"IpAddressType,omitempty"`
	CustomerOwnedIPv4Pool string          `json:"CustomerOwnedIpv4Pool,omitempty"`
}

type CreateLoadBalancerOutput struct {
	LoadBalancers []LoadBalancer `json:"LoadBalancers"`
}

type DescribeLoadBalancersInput struct {
	LoadBalancerArns []string `json:"LoadBalancerArns,omitempty"`
	Names            []string `json:"Names,omitempty"`
	Marker           string   `json:"Marker,omitempty"`
	PageSize         int      `json:"PageSize,omitzero"`
}

type DescribeLoadBalancersOutput struct {
	LoadBalancers []LoadBalancer `json:"LoadBalancers"`
	NextMarker    string         `json:"NextMarker,omitempty"`
}

type DeleteLoadBalancerInput struct {
	LoadBalancerArn string `json:"LoadBalancerArn"`
}

type DeleteLoadBalancerOutput struct{}

type CreateTargetGroupInput struct {
	Name                       string   `json:"Name"`
	Protocol                   string   `json:"Protocol,omitempty"`
	ProtocolVersion            string   `json:"ProtocolVersion,omitempty"`
	Port                       *int     `json:"Port,omitempty"`
	VpcID                      string   `json:"VpcId,omitempty"`
	HealthCheckProtocol        string   `json:"HealthCheckProtocol,omitempty"`
	HealthCheckPort            string   `json:"HealthCheckPort,omitempty"`
	HealthCheckEnabled         *bool    `json:"HealthCheckEnabled,omitempty"`
	HealthCheckPath            string   `json:"HealthCheckPath,omitempty"`
	HealthCheckIntervalSeconds *int     `json:"HealthCheckIntervalSeconds,omitempty"`
	HealthCheckTimeoutSeconds  *int     `json:"HealthCheckTimeoutSeconds,omitempty"`
	HealthyThresholdCount      *int     `json:"HealthyThresholdCount,omitempty"`
	UnhealthyThresholdCount    *int     `json:"UnhealthyThresholdCount,omitempty"`
	Matcher                    *Matcher `json:"Matcher,omitempty"`
	TargetType                 string   `json:"TargetType,omitempty"`
	Tags                       []Tag    `json:"Tags,omitempty"`
	IPAddressType              string   `json:"IpAddressType,omitempty"`
}

type CreateTargetGroupOutput struct {
	TargetGroups []TargetGroup `json:"TargetGroups"`
}

type DescribeTargetGroupsInput struct {
	LoadBalancerArn string   `json:"LoadBalancerArn,omitempty"`
	TargetGroupArns []string `json:"TargetGroupArns,omitempty"`
	Names           []string `json:"Names,omitempty"`
	Marker          string   `json:"Marker,omitempty"`
	PageSize        int      `json:"PageSize,omitzero"`
}

type DescribeTargetGroupsOutput struct {
	TargetGroups []TargetGroup `json:"TargetGroups"`
	NextMarker   string        `json:"NextMarker,omitempty"`
}

type ModifyTargetGroupInput struct {
	TargetGroupArn             string   `json:"TargetGroupArn"`
	HealthCheckProtocol        string   `json:"HealthCheckProtocol,omitempty"`
	HealthCheckPort            string   `json:"HealthCheckPort,omitempty"`
	HealthCheckPath            string   `json:"HealthCheckPath,omitempty"`
	HealthCheckEnabled         *bool    `json:"HealthCheckEnabled,omitempty"`
	HealthCheckIntervalSeconds *int     `json:"HealthCheckIntervalSeconds,omitempty"`
	HealthCheckTimeoutSeconds  *int     `json:"HealthCheckTimeoutSeconds,omitempty"`
	HealthyThresholdCount      *int     `json:"HealthyThresholdCount,omitempty"`
	UnhealthyThresholdCount    *int     `json:"UnhealthyThresholdCount,omitempty"`
	Matcher                    *Matcher `json:"Matcher,omitempty"`
}

type ModifyTargetGroupOutput struct {
	TargetGroups []TargetGroup `json:"TargetGroups"`
}

type DeleteTargetGroupInput struct {
	TargetGroupArn string `json:"TargetGroupArn"`
}

type DeleteTargetGroupOutput struct{}

type DescribeTargetGroupAttributesInput struct {
	TargetGroupArn string `json:"TargetGroupArn"`
}

type DescribeTargetGroupAttributesOutput struct {
	Attributes []TargetGroupAttribute `json:"Attributes"`
}

type ModifyTargetGroupAttributesInput struct {
	TargetGroupArn string                 `json:"TargetGroupArn"`
	Attributes     []TargetGroupAttribute `json:"Attributes"`
}

type ModifyTargetGroupAttributesOutput struct {
	Attributes []TargetGroupAttribute `json:"Attributes"`
}

type RegisterTargetsInput struct {
	TargetGroupArn string              `json:"TargetGroupArn"`
	Targets        []TargetDescription `json:"Targets"`
}

type RegisterTargetsOutput struct{}

type DeregisterTargetsInput struct {
	TargetGroupArn string              `json:"TargetGroupArn"`
	Targets        []TargetDescription `json:"Targets"`
}

type DeregisterTargetsOutput struct{}

type DescribeTargetHealthInput struct {
	TargetGroupArn string              `json:"TargetGroupArn"`
	Targets        []TargetDescription `json:"Targets,omitempty"`
	Include        []string            `json:"Include,omitempty"`
}

type DescribeTargetHealthOutput struct {
	TargetHealthDescriptions []TargetHealthDescription `json:"TargetHealthDescriptions"`
}

type CreateListenerInput struct {
	LoadBalancerArn string        `json:"LoadBalancerArn"`
	Protocol        string        `json:"Protocol,omitempty"`
	Port            *int          `json:"Port,omitempty"`
	DefaultActions  []Action      `json:"DefaultActions"`
	Certificates    []Certificate `json:"Certificates,omitempty"`
	SslPolicy       string        `json:"SslPolicy,omitempty"`
	AlpnPolicy      []string      `json:"AlpnPolicy,omitempty"`
	Tags            []Tag         `json:"Tags,omitempty"`
}

type CreateListenerOutput struct {
	Listeners []Listener `json:"Listeners"`
}

type DescribeListenersInput struct {
	LoadBalancerArn string   `json:"LoadBalancerArn,omitempty"`
	ListenerArns    []string `json:"ListenerArns,omitempty"`
	Marker          string   `json:"Marker,omitempty"`
	PageSize        int      `json:"PageSize,omitzero"`
}

type DescribeListenersOutput struct {
	Listeners  []Listener `json:"Listeners"`
	NextMarker string     `json:"NextMarker,omitempty"`
}

type ModifyListenerInput struct {
	ListenerArn    string        `json:"ListenerArn"`
	Protocol       string        `json:"Protocol,omitempty"`
	Port           *int          `json:"Port,omitempty"`
	DefaultActions []Action      `json:"DefaultActions,omitempty"`
	Certificates   []Certificate `json:"Certificates,omitempty"`
	SslPolicy      string        `json:"SslPolicy,omitempty"`
	AlpnPolicy     []string      `json:"AlpnPolicy,omitempty"`
}

type ModifyListenerOutput struct {
	Listeners []Listener `json:"Listeners"`
}

type DeleteListenerInput struct {
	ListenerArn string `json:"ListenerArn"`
}

type DeleteListenerOutput struct{}

type AddTagsInput struct {
	ResourceArns []string `json:"ResourceArns"`
	Tags         []Tag    `json:"Tags"`
}

type AddTagsOutput struct{}

type RemoveTagsInput struct {
	ResourceArns []string `json:"ResourceArns"`
	TagKeys      []string `json:"TagKeys"`
}

type RemoveTagsOutput struct{}

type DescribeTagsInput struct {
	ResourceArns []string `json:"ResourceArns"`
}

type DescribeTagsOutput struct {
	TagDescriptions []TagDescription `json:"TagDescriptions"`
}
