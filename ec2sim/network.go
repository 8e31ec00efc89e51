package ec2sim

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

type vpcRecord struct {
	Vpc
	// DNS attributes; nil is the default (support on; hostnames on in the default VPC only).
	DnsSupport   *bool `json:"dnsSupport,omitempty"`
	DnsHostnames *bool `json:"dnsHostnames,omitempty"`
	AddrMetrics  bool  `json:"addrMetrics,omitempty"`
}

func (v *vpcRecord) dnsSupport() bool { return v.DnsSupport == nil || *v.DnsSupport }

func (v *vpcRecord) dnsHostnames() bool {
	if v.DnsHostnames == nil {
		return v.IsDefault
	}
	return *v.DnsHostnames
}

type subnetRecord struct {
	Subnet
	NextIP int `json:"nextIP"`
}

// Zones returns the availability zones of a region (six in us-east-1, three elsewhere).
func Zones(region string) []string {
	n := 3
	if region == "us-east-1" {
		n = 6
	}
	out := make([]string, n)
	for i := range out {
		out[i] = region + string(rune('a'+i))
	}
	return out
}

func zoneID(region string, i int) string {
	parts := strings.Split(region, "-")
	short := ""
	for _, p := range parts {
		if p != "" {
			short += p[:1]
		}
	}
	if len(parts) == 3 {
		short = parts[0][:2] + parts[1][:1] + parts[2]
	}
	return fmt.Sprintf("%s-az%d", short, i+1)
}

// ensureDefaults creates the caller's default VPC (172.31.0.0/16), a default subnet per zone
// and the default security group, once per account and region.
func (s *Service) ensureDefaults(ctx context.Context) error {
	sc := scope(ctx)
	s.mu.Lock()
	done := s.defaults[sc]
	s.mu.Unlock()
	if done {
		return nil
	}
	account, region := core.Scope(ctx)
	existing, err := s.vpcs.All(ctx, sc)
	if err != nil {
		return err
	}
	for _, v := range existing {
		if v.IsDefault {
			s.mu.Lock()
			s.defaults[sc] = true
			s.mu.Unlock()
			return nil
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.defaults[sc] {
		return nil
	}
	vpc := vpcRecord{Vpc: Vpc{VpcID: newID("vpc"), CidrBlock: "172.31.0.0/16", State: "available", IsDefault: true, OwnerID: account,
		DhcpOptionsID: newID("dopt"), InstanceTenancy: "default"}}
	if err := s.vpcs.Put(ctx, sc+vpc.VpcID, vpc); err != nil {
		return err
	}
	for i, z := range Zones(region) {
		id := newID("subnet")
		sub := subnetRecord{Subnet: Subnet{SubnetID: id, SubnetArn: fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", region, account, id),
			VpcID: vpc.VpcID, CidrBlock: fmt.Sprintf("172.31.%d.0/20", i*16), AvailabilityZone: z, AvailabilityZoneID: zoneID(region, i),
			AvailableIpAddressCount: 4091, DefaultForAz: true, MapPublicIpOnLaunch: true, State: "available", OwnerID: account}, NextIP: 4}
		if err := s.subnets.Put(ctx, sc+id, sub); err != nil {
			return err
		}
	}
	sg := newGroup(account, vpc.VpcID, "default", "default VPC security group", nil, true)
	if err := s.groups.Put(ctx, sc+sg.GroupID, sg); err != nil {
		return err
	}
	// The default VPC has an internet gateway and a main route table sending 0.0.0.0/0 to it.
	igw := igwRecord{InternetGateway{InternetGatewayID: newID("igw"), OwnerID: account,
		Attachments: []InternetGatewayAttachment{{State: "available", VpcID: vpc.VpcID}}}}
	if err := s.igws.Put(ctx, sc+igw.InternetGatewayID, igw); err != nil {
		return err
	}
	rt := newMainRouteTable(account, vpc.VpcID, vpc.CidrBlock, igw.InternetGatewayID)
	if err := s.routeTables.Put(ctx, sc+rt.RouteTableID, rt); err != nil {
		return err
	}
	s.defaults[sc] = true
	return nil
}

func (s *Service) defaultSubnet(ctx context.Context, zone string) (subnetRecord, error) {
	subs, err := s.subnets.All(ctx, scope(ctx))
	if err != nil {
		return subnetRecord{}, err
	}
	var first *subnetRecord
	for i := range subs {
		if !subs[i].DefaultForAz {
			continue
		}
		// Without a zone, the default subnet with the most free addresses (launches spread).
		if zone == "" || subs[i].AvailabilityZone == zone {
			if first == nil || subs[i].AvailableIpAddressCount > first.AvailableIpAddressCount ||
				subs[i].AvailableIpAddressCount == first.AvailableIpAddressCount && subs[i].AvailabilityZone < first.AvailabilityZone {
				first = &subs[i]
			}
		}
	}
	if first == nil {
		return subnetRecord{}, ErrInvalidParameterValue.With("Invalid availability zone: [%s]", zone)
	}
	return *first, nil
}

func (s *Service) subnet(ctx context.Context, id string) (subnetRecord, error) {
	r, err := s.subnets.Get(ctx, scope(ctx)+id)
	if errors.Is(err, store.ErrNotFound) {
		return r, ErrSubnetNotFound.With("The subnet ID '%s' does not exist", id)
	}
	return r, err
}

// allocIP takes the next private address of a subnet.
func (s *Service) allocIP(ctx context.Context, subnetID string) (string, error) {
	var ip string
	_, err := s.subnets.Update(ctx, scope(ctx)+subnetID, func(r *subnetRecord) error {
		pfx, err := netip.ParsePrefix(r.CidrBlock)
		if err != nil {
			return err
		}
		size := 1 << (32 - pfx.Bits())
		if r.NextIP >= size-1 || r.AvailableIpAddressCount <= 0 {
			return apierr.New(apierr.LimitExceeded, "InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", subnetID)
		}
		a := pfx.Addr().As4()
		n := binary.BigEndian.Uint32(a[:]) + uint32(r.NextIP)
		binary.BigEndian.PutUint32(a[:], n)
		ip = netip.AddrFrom4(a).String()
		r.NextIP++
		r.AvailableIpAddressCount--
		return nil
	})
	return ip, err
}

// DescribeVpcs lists VPCs (the default VPC is created on first use).
func (s *Service) DescribeVpcs(ctx context.Context, in *DescribeVpcsInput) (*DescribeVpcsOutput, error) {
	return dispatchDo(ctx, s, "DescribeVpcs", in, s.describeVpcs)
}

func (s *Service) describeVpcs(ctx context.Context, in *DescribeVpcsInput) (*DescribeVpcsOutput, error) {
	all, err := scopedAll(ctx, s, s.vpcs)
	if err != nil {
		return nil, err
	}
	vpcs, _, err := selection[vpcRecord, Vpc]{
		ids:     []byID[vpcRecord]{{in.VpcIDs, func(v vpcRecord) string { return v.VpcID }, missing(ErrVpcNotFound, "The vpc ID '%s' does not exist")}},
		filters: in.Filters, values: vpcFilter, view: func(v vpcRecord) Vpc { return v.Vpc },
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeVpcsOutput{Vpcs: vpcs}, nil
}

func vpcFilter(v vpcRecord, name string) ([]string, bool) {
	switch name {
	case "vpc-id":
		return []string{v.VpcID}, true
	case "is-default", "isDefault":
		return []string{fmt.Sprint(v.IsDefault)}, true
	case "cidr", "cidr-block", "cidrBlock":
		return []string{v.CidrBlock}, true
	case "state":
		return []string{v.State}, true
	case "owner-id":
		return []string{v.OwnerID}, true
	}
	return tagFilter(name, v.Tags)
}

// DescribeSubnets lists subnets.
func (s *Service) DescribeSubnets(ctx context.Context, in *DescribeSubnetsInput) (*DescribeSubnetsOutput, error) {
	return dispatchDo(ctx, s, "DescribeSubnets", in, s.describeSubnets)
}

func (s *Service) describeSubnets(ctx context.Context, in *DescribeSubnetsInput) (*DescribeSubnetsOutput, error) {
	all, err := scopedAll(ctx, s, s.subnets)
	if err != nil {
		return nil, err
	}
	subs, _, err := selection[subnetRecord, Subnet]{
		ids:     []byID[subnetRecord]{{in.SubnetIDs, func(v subnetRecord) string { return v.SubnetID }, missing(ErrSubnetNotFound, "The subnet ID '%s' does not exist")}},
		filters: in.Filters, values: subnetFilter, view: func(v subnetRecord) Subnet { return v.Subnet },
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeSubnetsOutput{Subnets: subs}, nil
}

func subnetFilter(v subnetRecord, name string) ([]string, bool) {
	switch name {
	case "subnet-id":
		return []string{v.SubnetID}, true
	case "vpc-id":
		return []string{v.VpcID}, true
	case "availability-zone", "availabilityZone":
		return []string{v.AvailabilityZone}, true
	case "availability-zone-id":
		return []string{v.AvailabilityZoneID}, true
	case "default-for-az", "defaultForAz":
		return []string{fmt.Sprint(v.DefaultForAz)}, true
	case "cidr-block", "cidr", "cidrBlock":
		return []string{v.CidrBlock}, true
	case "state":
		return []string{v.State}, true
	case "map-public-ip-on-launch":
		return []string{fmt.Sprint(v.MapPublicIpOnLaunch)}, true
	}
	return tagFilter(name, v.Tags)
}

// DescribeAvailabilityZones lists the region's zones.
func (s *Service) DescribeAvailabilityZones(ctx context.Context, in *DescribeAvailabilityZonesInput) (*DescribeAvailabilityZonesOutput, error) {
	return dispatchDo(ctx, s, "DescribeAvailabilityZones", in, func(ctx context.Context, in *DescribeAvailabilityZonesInput) (*DescribeAvailabilityZonesOutput, error) {
		_, region := core.Scope(ctx)
		out := &DescribeAvailabilityZonesOutput{AvailabilityZones: []AvailabilityZone{}}
		for i, z := range Zones(region) {
			az := AvailabilityZone{ZoneName: z, ZoneID: zoneID(region, i), State: "available", RegionName: region, GroupName: region,
				NetworkBorderGroup: region, OptInStatus: "opt-in-not-required", ZoneType: "availability-zone"}
			if len(in.ZoneNames) > 0 && !contains(in.ZoneNames, z) || len(in.ZoneIDs) > 0 && !contains(in.ZoneIDs, az.ZoneID) {
				continue
			}
			ok, err := matchFilters(in.Filters, func(name string) ([]string, bool) {
				switch name {
				case "zone-name":
					return []string{az.ZoneName}, true
				case "zone-id":
					return []string{az.ZoneID}, true
				case "state":
					return []string{az.State}, true
				case "region-name":
					return []string{region}, true
				case "zone-type":
					return []string{az.ZoneType}, true
				case "opt-in-status":
					return []string{az.OptInStatus}, true
				}
				return nil, false
			})
			if err != nil {
				return nil, err
			}
			if ok {
				out.AvailabilityZones = append(out.AvailabilityZones, az)
			}
		}
		for _, z := range in.ZoneNames {
			if !contains(Zones(region), z) {
				return nil, ErrInvalidParameterValue.With("The zone '%s' does not exist.", z)
			}
		}
		return out, nil
	})
}

// Regions lists the regions devopsim answers for.
func Regions() []string {
	return []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1", "sa-east-1", "ca-central-1"}
}

// DescribeRegions lists regions.
func (s *Service) DescribeRegions(ctx context.Context, in *DescribeRegionsInput) (*DescribeRegionsOutput, error) {
	return dispatchDo(ctx, s, "DescribeRegions", in, func(ctx context.Context, in *DescribeRegionsInput) (*DescribeRegionsOutput, error) {
		out := &DescribeRegionsOutput{Regions: []Region{}}
		for _, r := range Regions() {
			if len(in.RegionNames) > 0 && !contains(in.RegionNames, r) {
				continue
			}
			out.Regions = append(out.Regions, Region{RegionName: r, Endpoint: "ec2." + r + ".amazonaws.com", OptInStatus: "opt-in-not-required"})
		}
		return out, nil
	})
}
