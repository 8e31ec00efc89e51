package ec2sim

import (
	"context"
	"net/http"
	"net/netip"
	"slices"

	"github.com/devopsim/devopsim/ec2sim/host"
)

// connect is the network as an instance's host sees it: another running instance by private or
// public IP or DNS name, subject to the security groups (the destination's inbound rules and
// the source's outbound rules must both allow TCP to the port; a dropped connection times
// out, as in AWS), then the names Options.Network resolves (platform endpoints).
func (s *Service) connect(fromID, hostname string, port int) (http.Handler, error) {
	s.mu.Lock()
	var target *host.Host
	var dst instanceRecord
	for id, r := range s.inst {
		if r.State.Name != "running" {
			continue
		}
		if r.PrivateIpAddress == hostname || r.PrivateDnsName == hostname || r.PublicIpAddress == hostname || r.PublicDnsName == hostname {
			target, dst = s.hosts[id], *r
			break
		}
	}
	src, hasSrc := s.inst[fromID]
	var from instanceRecord
	if hasSrc {
		from = *src
	}
	s.mu.Unlock()
	if target == nil {
		if s.opts.Network != nil {
			if hd, ok := s.opts.Network(hostname, port); ok {
				return hd, nil
			}
		}
		return nil, host.ErrUnknownHost
	}
	if hasSrc && from.InstanceID != dst.InstanceID && !s.allowed(&from, &dst, hostname, port) {
		return nil, host.ErrTimedOut
	}
	hd, ok := target.Handler(port)
	if !ok {
		return nil, host.ErrRefused
	}
	return hd, nil
}

// allowed reports whether TCP from src to dst's port passes both instances' security groups.
// Over private addresses (same VPC only) group references and CIDRs match the private IPs;
// over public addresses only CIDRs match, against the public IPs.
func (s *Service) allowed(src, dst *instanceRecord, hostname string, port int) bool {
	private := hostname == dst.PrivateIpAddress || hostname == dst.PrivateDnsName
	if private && src.VpcID != dst.VpcID {
		return false // no peering between VPCs here
	}
	srcAddr, dstAddr := src.PrivateIpAddress, dst.PrivateIpAddress
	if !private {
		srcAddr, dstAddr = first(src.PublicIpAddress, src.PrivateIpAddress), dst.PublicIpAddress
	}
	return s.groupsAllow(dst, false, src, srcAddr, private, port) && s.groupsAllow(src, true, dst, dstAddr, private, port)
}

// groupsAllow reports whether one of inst's groups has a rule in the direction (egress or
// ingress) allowing TCP on port with peer (at addr).
func (s *Service) groupsAllow(inst *instanceRecord, egress bool, peer *instanceRecord, addr string, private bool, port int) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	for _, gi := range inst.SecurityGroups {
		g, err := s.groups.Get(context.Background(), inst.Scope+gi.GroupID)
		if err != nil {
			continue
		}
		for _, r := range g.rules() {
			if r.Egress != egress || !(r.Protocol == "-1" || r.Protocol == "tcp" && r.From <= int32(port) && int32(port) <= r.To) {
				continue
			}
			switch {
			case r.GroupID != "":
				if private && slices.ContainsFunc(peer.SecurityGroups, func(p GroupIdentifier) bool { return p.GroupID == r.GroupID }) {
					return true
				}
			case r.CidrIpv4 != "":
				if pfx, err := netip.ParsePrefix(r.CidrIpv4); err == nil && pfx.Contains(ip) {
					return true
				}
			}
		}
	}
	return false
}
