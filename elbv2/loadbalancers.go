package elbv2

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9-]+$`)

// hostedZones are the Route 53 hosted zone ids of Application Load Balancers per region.
func hostedZone(region string) string {
	switch region {
	case "us-east-1":
		return "Z35SXDOTRQ7X7K"
	case "us-east-2":
		return "Z3AADJGX6KTTL2"
	case "us-west-1":
		return "Z368ELLRRE2KJ0"
	case "us-west-2":
		return "Z1H1FL5HABSF5"
	case "eu-west-1":
		return "Z32O12XQLNTSW2"
	case "eu-west-2":
		return "ZHURV8PSTC4K8"
	case "eu-central-1":
		return "Z215JYRZR1TBD5"
	case "ap-southeast-1":
		return "Z1LMS91P8CMLE5"
	case "ap-southeast-2":
		return "Z1GM3OXH4ZPM65"
	case "ap-northeast-1":
		return "Z14GRHDCWA56QT"
	}
	return ""
}

func validateLBName(name string) error {
	if err := notNull(name, "name"); err != nil {
		return err
	}
	switch {
	case len(name) > 32:
		return validation("The load balancer name '%s' cannot be longer than '32' characters", name)
	case !nameRE.MatchString(name):
		return validation("The load balancer name '%s' can only contain characters that are alphanumeric characters and hyphens(-)", name)
	case strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-"):
		return validation("The load balancer name '%s' cannot begin or end with a hyphen", name)
	case strings.HasPrefix(strings.ToLower(name), "internal-"):
		return validation("The load balancer name '%s' cannot begin with 'internal-'", name)
	}
	return nil
}

// CreateLoadBalancer creates an Application Load Balancer. Creating one that exists with the
// same settings returns it (as AWS does); with other settings it is DuplicateLoadBalancerName.
func (s *Service) CreateLoadBalancer(ctx context.Context, in *CreateLoadBalancerInput) (*CreateLoadBalancerOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateLoadBalancer", in, s.createLoadBalancer)
}

func (s *Service) createLoadBalancer(ctx context.Context, in *CreateLoadBalancerInput) (*CreateLoadBalancerOutput, error) {
	if err := validateLBName(in.Name); err != nil {
		return nil, err
	}
	typ := in.Type
	if typ == "" {
		typ = "application"
	}
	switch typ {
	case "application":
	case "network", "gateway":
		return nil, validation("Load balancer type '%s' is not supported by devopsim; only 'application' load balancers are", typ)
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [application, gateway, network]", typ)
	}
	scheme := in.Scheme
	if scheme == "" {
		scheme = "internet-facing"
	}
	if scheme != "internet-facing" && scheme != "internal" {
		return nil, validation("1 validation error detected: Value '%s' at 'scheme' failed to satisfy constraint: Member must satisfy enum value set: [internal, internet-facing]", scheme)
	}
	ipType := in.IPAddressType
	if ipType == "" {
		ipType = "ipv4"
	}
	if ipType != "ipv4" && ipType != "dualstack" && ipType != "dualstack-without-public-ipv4" {
		return nil, validation("1 validation error detected: Value '%s' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack, dualstack-without-public-ipv4]", ipType)
	}
	if len(in.Subnets) > 0 && len(in.SubnetMappings) > 0 {
		return nil, validation("You can specify subnets or subnet mappings, not both")
	}
	subnets := slices.Clone(in.Subnets)
	for _, m := range in.SubnetMappings {
		subnets = append(subnets, m.SubnetID)
	}
	zones, vpc, err := s.resolveSubnets(ctx, subnets)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	account, region := core.Scope(ctx)
	key := scopeKey(account, region, in.Name)

	s.opMu.Lock()
	defer s.opMu.Unlock()
	if cur, err := s.lbs.Get(ctx, key); err == nil {
		if cur.Scheme == scheme && cur.Type == typ && sameZones(cur.Zones, zones) {
			return &CreateLoadBalancerOutput{LoadBalancers: []LoadBalancer{cur.view()}}, nil
		}
		return nil, ErrDuplicateLoadBalancerName.With("A load balancer with the same name '%s' exists, but with different settings", in.Name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, storeErr(err)
	}
	id := randHex(16)
	dns := in.Name + "-" + randDigits(10) + "." + region + ".elb.amazonaws.com"
	if scheme == "internal" {
		dns = "internal-" + dns
	}
	rec := lbRecord{
		Name: in.Name, ARN: core.ARN(ctx, "elasticloadbalancing", "loadbalancer/app/"+in.Name+"/"+id),
		DNSName: dns, Scheme: scheme, Type: typ, IPAddressType: ipType, VpcID: vpc, Zones: zones,
		SecurityGroups: in.SecurityGroups, Created: s.now(), Tags: in.Tags,
	}
	if err := s.lbs.Create(ctx, key, rec); err != nil {
		return nil, storeErr(err)
	}
	if err := s.openLB(rec); err != nil {
		_ = s.lbs.Delete(ctx, key)
		return nil, storeErr(err)
	}
	return &CreateLoadBalancerOutput{LoadBalancers: []LoadBalancer{rec.view()}}, nil
}

func sameZones(a, b []AvailabilityZone) bool {
	return slices.EqualFunc(a, b, func(x, y AvailabilityZone) bool { return x.SubnetID == y.SubnetID })
}

// resolveSubnets checks an Application Load Balancer's subnets: at least two, in different
// zones of one VPC.
func (s *Service) resolveSubnets(ctx context.Context, subnets []string) ([]AvailabilityZone, string, error) {
	if len(subnets) == 0 {
		return nil, "", validation("At least two subnets in two different Availability Zones must be specified")
	}
	_, region := core.Scope(ctx)
	seen := map[string]bool{}
	var zones []AvailabilityZone
	vpc := ""
	for i, id := range subnets {
		if !strings.HasPrefix(id, "subnet-") {
			return nil, "", ErrSubnetNotFound.With("The subnet ID '%s' is not valid", id)
		}
		zone := region + string(rune('a'+i%6))
		if s.deps.Subnets != nil {
			v, z, err := s.deps.Subnets.Subnet(ctx, id)
			if err != nil {
				if errors.Is(err, ErrSubnetNotFound) {
					return nil, "", ErrSubnetNotFound.With("The subnet ID '%s' does not exist", id)
				}
				return nil, "", storeErr(err)
			}
			if vpc != "" && v != vpc {
				return nil, "", ErrInvalidSubnet.With("The subnets must all belong to the same VPC")
			}
			vpc, zone = v, z
		}
		if seen[zone] {
			return nil, "", ErrInvalidConfigurationRequest.With("A load balancer cannot be attached to multiple subnets in the same Availability Zone")
		}
		seen[zone] = true
		zones = append(zones, AvailabilityZone{ZoneName: zone, SubnetID: id})
	}
	if len(zones) < 2 {
		return nil, "", validation("At least two subnets in two different Availability Zones must be specified")
	}
	sort.Slice(zones, func(i, j int) bool { return zones[i].ZoneName < zones[j].ZoneName })
	return zones, vpc, nil
}

func (r lbRecord) view() LoadBalancer {
	region, _, _, _ := arnParts(r.ARN)
	return LoadBalancer{
		LoadBalancerArn: r.ARN, DNSName: r.DNSName, CanonicalHostedZoneID: hostedZone(region),
		CreatedTime: r.Created, LoadBalancerName: r.Name, Scheme: r.Scheme, VpcID: r.VpcID,
		State: &LoadBalancerState{Code: "active"}, Type: r.Type,
		AvailabilityZones: slices.Clone(r.Zones), SecurityGroups: slices.Clone(r.SecurityGroups),
		IPAddressType: r.IPAddressType,
	}
}

// getLB loads a load balancer by ARN in the caller's scope.
func (s *Service) getLB(ctx context.Context, arn string) (lbRecord, error) {
	key, ok := lbKeyOf(arn)
	if !ok {
		return lbRecord{}, validation("'%s' is not a valid load balancer ARN", arn)
	}
	rec, err := s.lbs.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (rec.ARN != arn || !inScope(ctx, arn))) {
		return lbRecord{}, ErrLoadBalancerNotFound.With("Load balancer '%s' not found", arn)
	}
	return rec, storeErr(err)
}

// DescribeLoadBalancers describes load balancers by ARN or name, or all of them (paged).
func (s *Service) DescribeLoadBalancers(ctx context.Context, in *DescribeLoadBalancersInput) (*DescribeLoadBalancersOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeLoadBalancers", in, s.describeLoadBalancers)
}

func (s *Service) describeLoadBalancers(ctx context.Context, in *DescribeLoadBalancersInput) (*DescribeLoadBalancersOutput, error) {
	if len(in.LoadBalancerArns) > 0 && len(in.Names) > 0 {
		return nil, validation("Load balancer names and load balancer ARNs cannot be specified at the same time")
	}
	if err := checkPageSize(in.PageSize); err != nil {
		return nil, err
	}
	if len(in.LoadBalancerArns) > 20 {
		return nil, validation("1 validation error detected: Value at 'loadBalancerArns' failed to satisfy constraint: Member must have length less than or equal to 20")
	}
	account, region := core.Scope(ctx)
	var recs []lbRecord
	switch {
	case len(in.LoadBalancerArns) > 0:
		for _, arn := range in.LoadBalancerArns {
			r, err := s.getLB(ctx, arn)
			if errors.Is(err, ErrLoadBalancerNotFound) {
				return nil, ErrLoadBalancerNotFound.With("One or more load balancers not found")
			}
			if err != nil {
				return nil, err
			}
			recs = append(recs, r)
		}
	case len(in.Names) > 0:
		var missing []string
		for _, n := range in.Names {
			r, err := s.lbs.Get(ctx, scopeKey(account, region, n))
			if errors.Is(err, store.ErrNotFound) {
				missing = append(missing, n)
				continue
			}
			if err != nil {
				return nil, storeErr(err)
			}
			recs = append(recs, r)
		}
		if len(missing) > 0 {
			return nil, ErrLoadBalancerNotFound.With("Load balancers '[%s]' not found", strings.Join(missing, ", "))
		}
	default:
		all, err := s.lbs.All(ctx, scopeKey(account, region, ""))
		if err != nil {
			return nil, storeErr(err)
		}
		recs = all
	}
	page, next, err := paginate(recs, in.Marker, in.PageSize, func(r lbRecord) string { return r.ARN })
	if err != nil {
		return nil, err
	}
	out := &DescribeLoadBalancersOutput{LoadBalancers: []LoadBalancer{}, NextMarker: next}
	for _, r := range page {
		out.LoadBalancers = append(out.LoadBalancers, r.view())
	}
	return out, nil
}

func checkPageSize(n int) error {
	if n != 0 && (n < 1 || n > 400) {
		return validation("1 validation error detected: Value '%d' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400", n)
	}
	return nil
}

// paginate returns the page after marker (the id of the last item of the previous page).
func paginate[T any](all []T, marker string, size int, id func(T) string) ([]T, string, error) {
	if size == 0 {
		size = 400
	}
	start := 0
	if marker != "" {
		start = -1
		for i, v := range all {
			if id(v) == marker {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return nil, "", validation("The marker '%s' is not valid", marker)
		}
	}
	end := min(start+size, len(all))
	next := ""
	if end < len(all) {
		next = id(all[end-1])
	}
	return all[start:end], next, nil
}

// DeleteLoadBalancer deletes a load balancer and its listeners and closes its loopback
// listener. Deleting one that does not exist succeeds, as on AWS.
func (s *Service) DeleteLoadBalancer(ctx context.Context, in *DeleteLoadBalancerInput) (*DeleteLoadBalancerOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteLoadBalancer", in, s.deleteLoadBalancer)
}

func (s *Service) deleteLoadBalancer(ctx context.Context, in *DeleteLoadBalancerInput) (*DeleteLoadBalancerOutput, error) {
	if err := notNull(in.LoadBalancerArn, "loadBalancerArn"); err != nil {
		return nil, err
	}
	s.opMu.Lock()
	rec, err := s.getLB(ctx, in.LoadBalancerArn)
	if errors.Is(err, ErrLoadBalancerNotFound) {
		s.opMu.Unlock()
		return &DeleteLoadBalancerOutput{}, nil
	}
	if err != nil {
		s.opMu.Unlock()
		return nil, err
	}
	key, _ := lbKeyOf(rec.ARN)
	ls, err := s.listeners.All(ctx, key+"/")
	if err != nil {
		s.opMu.Unlock()
		return nil, storeErr(err)
	}
	for _, l := range ls {
		lk, _, _ := listenerKeyOf(l.ARN)
		if err := s.listeners.Delete(ctx, lk); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.opMu.Unlock()
			return nil, storeErr(err)
		}
	}
	if err := s.lbs.Delete(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.opMu.Unlock()
		return nil, storeErr(err)
	}
	jobs := s.closeLB(rec.ARN)
	s.opMu.Unlock()
	s.runChecks(jobs)
	return &DeleteLoadBalancerOutput{}, nil
}
