package ec2sim

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// Elastic IP addresses come from the documentation ranges TEST-NET-2 and TEST-NET-3
// (198.51.100.0/24, 203.0.113.0/24, RFC 5737): 508 addresses shared by every account.
var addressPools = []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")}

func inAddressPool(a netip.Addr) bool {
	for _, p := range addressPools {
		if p.Contains(a) && a != p.Addr() && a.As4()[3] != 255 {
			return true
		}
	}
	return false
}

// eniOf is the id of an instance's primary network interface (derived from the instance id).
func eniOf(instanceID string) string { return "eni-" + strings.TrimPrefix(instanceID, "i-") }

func (s *Service) instanceByENI(ctx context.Context, eni string) (*instanceRecord, error) {
	if !validID(eni, "eni") {
		return nil, ErrInvalidParameterValue.With("Invalid id: \"%s\" (expecting \"eni-...\")", eni)
	}
	r, err := s.instance(ctx, "i-"+strings.TrimPrefix(eni, "eni-"))
	if err != nil || r.State.Name == "terminated" {
		return nil, ErrNetworkInterfaceNotFound.With("The networkInterface ID '%s' does not exist", eni)
	}
	return r, nil
}

// address finds an address by allocation id or public IP.
func (s *Service) address(ctx context.Context, allocID, ip string) (addressRecord, error) {
	if allocID != "" {
		if !validID(allocID, "eipalloc") {
			return addressRecord{}, ErrAllocationNotFound.With("The allocation ID '%s' does not exist", allocID)
		}
		r, err := s.addresses.Get(ctx, scope(ctx)+allocID)
		if errors.Is(err, store.ErrNotFound) {
			return r, ErrAllocationNotFound.With("The allocation ID '%s' does not exist", allocID)
		}
		return r, err
	}
	if ip == "" {
		return addressRecord{}, ErrMissingParameter.With("Either public IP or allocation id must be specified")
	}
	all, err := s.addresses.All(ctx, scope(ctx))
	if err != nil {
		return addressRecord{}, err
	}
	for _, a := range all {
		if a.PublicIp == ip {
			return a, nil
		}
	}
	return addressRecord{}, ErrAddressNotFound.With("Address '%s' not found.", ip)
}

// AllocateAddress allocates an Elastic IP address for use in a VPC.
func (s *Service) AllocateAddress(ctx context.Context, in *AllocateAddressInput) (*AllocateAddressOutput, error) {
	return dispatchDo(ctx, s, "AllocateAddress", in, s.allocateAddress)
}

func (s *Service) allocateAddress(ctx context.Context, in *AllocateAddressInput) (*AllocateAddressOutput, error) {
	if in.Domain != "" && in.Domain != "vpc" && in.Domain != "standard" {
		return nil, ErrInvalidParameterValue.With("Value (%s) for parameter domain is invalid.", in.Domain)
	}
	if in.Domain == "standard" {
		return nil, ErrInvalidParameterValue.With("EC2-Classic has been retired: Domain must be vpc")
	}
	if in.PublicIpv4Pool != "" && in.PublicIpv4Pool != "amazon" {
		return nil, ErrInvalidParameterValue.With("The pool ID '%s' does not exist", in.PublicIpv4Pool)
	}
	_, region := core.Scope(ctx)
	if in.NetworkBorderGroup != "" && in.NetworkBorderGroup != region {
		return nil, ErrInvalidParameterValue.With("The network border group '%s' is invalid", in.NetworkBorderGroup)
	}
	tags, err := tagsFor(in.TagSpecifications, "elastic-ip")
	if err != nil {
		return nil, err
	}
	var want netip.Addr
	if in.Address != "" {
		a, err := netip.ParseAddr(in.Address)
		if err != nil || !a.Is4() {
			return nil, ErrInvalidParameterValue.With("Value (%s) for parameter address is invalid.", in.Address)
		}
		if !inAddressPool(a) {
			return nil, ErrAddressNotFound.With("Address '%s' not found.", in.Address)
		}
		want = a
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	sc := scope(ctx)
	mine, err := s.addresses.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	if len(mine) >= s.opts.MaxAddresses {
		return nil, ErrAddressLimitExceeded.With("The maximum number of addresses has been reached.")
	}
	// Public IPs are global: look at every account's addresses.
	every, err := s.addresses.All(ctx, "")
	if err != nil {
		return nil, err
	}
	used := map[netip.Addr]bool{}
	for _, a := range every {
		if ip, err := netip.ParseAddr(a.PublicIp); err == nil {
			used[ip] = true
		}
	}
	var ip netip.Addr
	if want.IsValid() {
		if used[want] {
			return nil, ErrAddressInUse.With("Address %s is in use.", want)
		}
		ip = want
	} else {
	pools:
		for _, p := range addressPools {
			for a := p.Addr().Next(); p.Contains(a) && a.As4()[3] != 255; a = a.Next() {
				if !used[a] {
					ip = a
					break pools
				}
			}
		}
		if !ip.IsValid() {
			return nil, ErrAddressLimitExceeded.With("The maximum number of addresses has been reached.")
		}
	}
	r := addressRecord{Address{AllocationID: newID("eipalloc"), Domain: "vpc", PublicIp: ip.String(), PublicIpv4Pool: "amazon", NetworkBorderGroup: region, Tags: tags}}
	if err := s.addresses.Put(ctx, sc+r.AllocationID, r); err != nil {
		return nil, err
	}
	return &AllocateAddressOutput{AllocationID: r.AllocationID, PublicIp: r.PublicIp, Domain: r.Domain, PublicIpv4Pool: r.PublicIpv4Pool, NetworkBorderGroup: region}, nil
}

// AssociateAddress associates an address with an instance (or its primary network interface);
// the instance's public IP becomes the address. An instance's previous address is
// disassociated; an associated address moves only with AllowReassociation.
func (s *Service) AssociateAddress(ctx context.Context, in *AssociateAddressInput) (*AssociateAddressOutput, error) {
	return dispatchDo(ctx, s, "AssociateAddress", in, s.associateAddress)
}

func (s *Service) associateAddress(ctx context.Context, in *AssociateAddressInput) (*AssociateAddressOutput, error) {
	if in.InstanceID == "" && in.NetworkInterfaceID == "" {
		return nil, ErrMissingParameter.With("Either instance ID or network interface id must be specified")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	a, err := s.address(ctx, in.AllocationID, in.PublicIp)
	if err != nil {
		return nil, err
	}
	var inst *instanceRecord
	if in.InstanceID != "" {
		if inst, err = s.instance(ctx, in.InstanceID); err != nil {
			return nil, err
		}
		if in.NetworkInterfaceID != "" && in.NetworkInterfaceID != eniOf(inst.InstanceID) {
			return nil, ErrInvalidParameterCombo.With("You may specify either an instance ID or a network interface ID, but not both")
		}
	} else if inst, err = s.instanceByENI(ctx, in.NetworkInterfaceID); err != nil {
		return nil, err
	}
	switch inst.State.Name {
	case "terminated", "shutting-down":
		return nil, ErrIncorrectInstanceState.With("The instance '%s' is not in a valid state for this operation.", inst.InstanceID)
	}
	if in.PrivateIpAddress != "" && in.PrivateIpAddress != inst.PrivateIpAddress {
		return nil, ErrInvalidParameterValue.With("The specified private IP address %s is not assigned to interface %s", in.PrivateIpAddress, eniOf(inst.InstanceID))
	}
	if gw, err := s.vpcGateway(ctx, inst.VpcID); err != nil {
		return nil, err
	} else if gw == "" {
		return nil, ErrGatewayNotAttached.With("Network %s is not attached to any internet gateway", inst.VpcID)
	}
	if a.AssociationID != "" && a.InstanceID != inst.InstanceID && !in.AllowReassociation {
		return nil, ErrResourceAssociated.With("resource %s is already associated with associate-id %s", a.AllocationID, a.AssociationID)
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	sc := scope(ctx)
	// The address leaves its previous instance; the instance's previous address is freed.
	if a.InstanceID != "" && a.InstanceID != inst.InstanceID {
		if err := s.setElasticIP(ctx, a.InstanceID, ""); err != nil {
			return nil, err
		}
	}
	all, err := s.addresses.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.InstanceID == inst.InstanceID && o.AllocationID != a.AllocationID {
			if _, err := s.addresses.Update(ctx, sc+o.AllocationID, clearAssociation); err != nil {
				return nil, err
			}
		}
	}
	assoc := newID("eipassoc")
	account, _ := core.Scope(ctx)
	if _, err := s.addresses.Update(ctx, sc+a.AllocationID, func(r *addressRecord) error {
		r.AssociationID, r.InstanceID, r.NetworkInterfaceID = assoc, inst.InstanceID, eniOf(inst.InstanceID)
		r.NetworkInterfaceOwnerID, r.PrivateIpAddress = account, inst.PrivateIpAddress
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.setElasticIP(ctx, inst.InstanceID, a.PublicIp); err != nil {
		return nil, err
	}
	return &AssociateAddressOutput{AssociationID: assoc}, nil
}

func clearAssociation(r *addressRecord) error {
	r.AssociationID, r.InstanceID, r.NetworkInterfaceID, r.NetworkInterfaceOwnerID, r.PrivateIpAddress = "", "", "", "", ""
	return nil
}

// setElasticIP records an instance's Elastic IP ("" to drop it) and updates its public IP
// and DNS name and its metadata.
func (s *Service) setElasticIP(ctx context.Context, id, ip string) error {
	var mapPublic bool
	if r, err := s.instance(ctx, id); err == nil {
		if sub, err := s.subnets.Get(ctx, r.Scope+r.SubnetID); err == nil {
			mapPublic = sub.MapPublicIpOnLaunch
		}
	}
	nr, err := s.update(ctx, id, func(r *instanceRecord) error {
		r.ElasticIP = ip
		r.PublicIpAddress = publicAddress(r, mapPublic)
		r.PublicDnsName = s.publicDNSOf(ctx, r, r.PublicIpAddress)
		return nil
	})
	if err != nil {
		return err
	}
	if h, ok := s.MachineOf(id); ok {
		h.SetMetadata(metadataOf(nr))
	}
	return nil
}

// publicAddress is an instance's public IPv4 address: its Elastic IP, else the address
// mapped at launch while it runs in a subnet that maps public IPs.
func publicAddress(r *instanceRecord, mapPublic bool) string {
	switch {
	case r.ElasticIP != "":
		return r.ElasticIP
	case mapPublic && (r.State.Name == "running" || r.State.Name == "pending"):
		return publicIP(r.PrivateIpAddress)
	}
	return ""
}

// DisassociateAddress disassociates an address from its instance.
func (s *Service) DisassociateAddress(ctx context.Context, in *DisassociateAddressInput) (*DisassociateAddressOutput, error) {
	return dispatchDo(ctx, s, "DisassociateAddress", in, s.disassociateAddress)
}

func (s *Service) disassociateAddress(ctx context.Context, in *DisassociateAddressInput) (*DisassociateAddressOutput, error) {
	if in.AssociationID == "" && in.PublicIp == "" {
		return nil, ErrMissingParameter.With("Either public IP or association id must be specified")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	sc := scope(ctx)
	all, err := s.addresses.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(a addressRecord) bool {
		return in.AssociationID != "" && a.AssociationID == in.AssociationID || in.AssociationID == "" && a.PublicIp == in.PublicIp
	})
	if i < 0 {
		if in.AssociationID != "" {
			return nil, ErrAssociationNotFound.With("The association ID '%s' does not exist", in.AssociationID)
		}
		return nil, ErrAddressNotFound.With("Address '%s' not found.", in.PublicIp)
	}
	a := all[i]
	if in.DryRun {
		return nil, ErrDryRun
	}
	if a.AssociationID == "" {
		return &DisassociateAddressOutput{Return: true}, nil
	}
	if _, err := s.addresses.Update(ctx, sc+a.AllocationID, clearAssociation); err != nil {
		return nil, err
	}
	if a.InstanceID != "" {
		if err := s.setElasticIP(ctx, a.InstanceID, ""); err != nil && !errors.Is(err, ErrInstanceNotFound) {
			return nil, err
		}
	}
	return &DisassociateAddressOutput{Return: true}, nil
}

// ReleaseAddress releases an address that is not associated.
func (s *Service) ReleaseAddress(ctx context.Context, in *ReleaseAddressInput) (*ReleaseAddressOutput, error) {
	return dispatchDo(ctx, s, "ReleaseAddress", in, s.releaseAddress)
}

func (s *Service) releaseAddress(ctx context.Context, in *ReleaseAddressInput) (*ReleaseAddressOutput, error) {
	if in.AllocationID == "" && in.PublicIp == "" {
		return nil, ErrMissingParameter.With("Either public IP or allocation id must be specified")
	}
	err := deleteIdle(ctx, s, s.addresses, func() (addressRecord, error) { return s.address(ctx, in.AllocationID, in.PublicIp) },
		func(a addressRecord) string { return a.AllocationID },
		func(a addressRecord) error {
			if a.AssociationID != "" {
				return ErrAddressInUse.With("Address %s is in use.", first(in.AllocationID, a.PublicIp))
			}
			return nil
		}, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &ReleaseAddressOutput{Return: true}, nil
}

// DescribeAddresses lists addresses (filters allocation-id, association-id, domain,
// instance-id, network-border-group, network-interface-id, network-interface-owner-id,
// private-ip-address, public-ip, tag:<k>, tag-key, tag-value).
func (s *Service) DescribeAddresses(ctx context.Context, in *DescribeAddressesInput) (*DescribeAddressesOutput, error) {
	return dispatchDo(ctx, s, "DescribeAddresses", in, s.describeAddresses)
}

func (s *Service) describeAddresses(ctx context.Context, in *DescribeAddressesInput) (*DescribeAddressesOutput, error) {
	if err := validateFilters(in.Filters); err != nil {
		return nil, err
	}
	all, err := s.addresses.All(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	addrs, _, err := selection[addressRecord, Address]{
		ids: []byID[addressRecord]{
			{in.AllocationIDs, func(a addressRecord) string { return a.AllocationID }, missing(ErrAllocationNotFound, "The allocation ID '%s' does not exist")},
			{in.PublicIps, func(a addressRecord) string { return a.PublicIp }, missing(ErrAddressNotFound, "Address '%s' not found.")},
		},
		filters: in.Filters, values: addressFilter, view: func(a addressRecord) Address { return a.Address },
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeAddressesOutput{Addresses: addrs}, nil
}

func addressFilter(a addressRecord, name string) ([]string, bool) {
	switch name {
	case "allocation-id":
		return []string{a.AllocationID}, true
	case "association-id":
		return []string{a.AssociationID}, true
	case "domain":
		return []string{a.Domain}, true
	case "instance-id":
		return []string{a.InstanceID}, true
	case "network-border-group":
		return []string{a.NetworkBorderGroup}, true
	case "network-interface-id":
		return []string{a.NetworkInterfaceID}, true
	case "network-interface-owner-id":
		return []string{a.NetworkInterfaceOwnerID}, true
	case "private-ip-address":
		return []string{a.PrivateIpAddress}, true
	case "public-ip":
		return []string{a.PublicIp}, true
	}
	return tagFilter(name, a.Tags)
}

// releaseInstanceAddresses disassociates the addresses of a terminated instance (scope is the
// instance's store scope: this runs in the background, without a caller).
func (s *Service) releaseInstanceAddresses(ctx context.Context, sc, instanceID string) {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	all, err := s.addresses.All(ctx, sc)
	if err != nil {
		return
	}
	for _, a := range all {
		if a.InstanceID == instanceID {
			_, _ = s.addresses.Update(ctx, sc+a.AllocationID, clearAssociation)
		}
	}
}
