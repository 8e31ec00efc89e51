package ec2sim

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
)

// Security group rule errors.
var (
	ErrPermissionDuplicate = apierr.New(apierr.AlreadyExists, "InvalidPermission.Duplicate", "")
	ErrPermissionNotFound  = apierr.New(apierr.NotFound, "InvalidPermission.NotFound", "")
	ErrRuleNotFound        = apierr.New(apierr.NotFound, "InvalidSecurityGroupRuleId.NotFound", "")
	ErrRuleMalformed       = apierr.New(apierr.Invalid, "InvalidSecurityGroupRuleId.Malformed", "")
	ErrRulesLimitExceeded  = apierr.New(apierr.LimitExceeded, "RulesPerSecurityGroupLimitExceeded", "")
)

// RulesPerGroup is EC2's default quota of inbound (and, separately, outbound) rules per
// security group.
const RulesPerGroup = 60

// sgRule is one stored rule: EC2 keeps one rule per protocol, port range and peer, and
// renders IpPermissions by grouping them.
type sgRule struct {
	ID          string `json:"id"`
	Egress      bool   `json:"egress,omitempty"`
	Protocol    string `json:"protocol"`
	From        int32  `json:"from"`
	To          int32  `json:"to"`
	CidrIpv4    string `json:"cidr4,omitempty"`
	CidrIpv6    string `json:"cidr6,omitempty"`
	PrefixList  string `json:"prefixList,omitempty"`
	GroupID     string `json:"group,omitempty"`
	UserID      string `json:"user,omitempty"`
	Description string `json:"description,omitempty"`
	Tags        []Tag  `json:"tags,omitempty"`
}

// key identifies a rule regardless of its description (what Duplicate and revoke match on).
func (r *sgRule) key() string {
	return fmt.Sprintf("%t|%s|%d|%d|%s|%s|%s|%s", r.Egress, r.Protocol, r.From, r.To, r.CidrIpv4, r.CidrIpv6, r.PrefixList, r.GroupID)
}

func (r *sgRule) peer() string {
	return first(r.CidrIpv4, r.CidrIpv6, r.PrefixList, r.GroupID)
}

type groupRecord struct {
	SecurityGroup
	// Rules are the group's rules in creation order; IpPermissions and IpPermissionsEgress
	// are rendered from them after every change.
	Rules []sgRule `json:"rules,omitempty"`
}

// rules returns the group's rules; records written before rules were stored one by one get
// theirs from IpPermissions, with IDs derived from the group and the rule.
func (g *groupRecord) rules() []sgRule {
	if g.Rules != nil || len(g.IpPermissions)+len(g.IpPermissionsEgress) == 0 {
		return g.Rules
	}
	var out []sgRule
	for _, egress := range []bool{false, true} {
		perms := g.IpPermissions
		if egress {
			perms = g.IpPermissionsEgress
		}
		for _, p := range perms {
			for _, r := range splitPermission(p, egress) {
				sum := sha256.Sum256([]byte(g.GroupID + "|" + r.key()))
				r.ID = "sgr-0" + hex.EncodeToString(sum[:])[:16]
				out = append(out, r)
			}
		}
	}
	return out
}

// setRules stores rules and renders the IpPermissions views.
func (g *groupRecord) setRules(rules []sgRule) {
	if rules == nil {
		rules = []sgRule{}
	}
	g.Rules = rules
	g.IpPermissions = renderPermissions(rules, false)
	g.IpPermissionsEgress = renderPermissions(rules, true)
}

// newGroup builds a group with AWS's default rules: all outbound traffic to 0.0.0.0/0 and,
// for a VPC's default group, all inbound traffic from the group itself.
func newGroup(account, vpcID, name, desc string, tags []Tag, isDefault bool) groupRecord {
	g := groupRecord{SecurityGroup: SecurityGroup{GroupID: newID("sg"), GroupName: name, Description: desc, VpcID: vpcID, OwnerID: account, Tags: tags}}
	rules := []sgRule{{ID: newID("sgr"), Egress: true, Protocol: "-1", From: -1, To: -1, CidrIpv4: "0.0.0.0/0"}}
	if isDefault {
		rules = append([]sgRule{{ID: newID("sgr"), Protocol: "-1", From: -1, To: -1, GroupID: g.GroupID, UserID: account}}, rules...)
	}
	g.setRules(rules)
	return g
}

func hasPorts(protocol string) bool {
	switch protocol {
	case "tcp", "udp", "icmp", "icmpv6":
		return true
	}
	return false
}

// renderPermissions groups rules of one direction by protocol and port range, in order of
// first appearance, as DescribeSecurityGroups shows them.
func renderPermissions(rules []sgRule, egress bool) []IpPermission {
	out := []IpPermission{}
	at := map[string]int{}
	for _, r := range rules {
		if r.Egress != egress {
			continue
		}
		k := fmt.Sprintf("%s|%d|%d", r.Protocol, r.From, r.To)
		i, ok := at[k]
		if !ok {
			p := IpPermission{IpProtocol: r.Protocol}
			if hasPorts(r.Protocol) {
				p.FromPort, p.ToPort = r.From, r.To
			}
			out = append(out, p)
			i = len(out) - 1
			at[k] = i
		}
		p := &out[i]
		switch {
		case r.CidrIpv4 != "":
			p.IpRanges = append(p.IpRanges, IpRange{CidrIp: r.CidrIpv4, Description: r.Description})
		case r.CidrIpv6 != "":
			p.Ipv6Ranges = append(p.Ipv6Ranges, Ipv6Range{CidrIpv6: r.CidrIpv6, Description: r.Description})
		case r.PrefixList != "":
			p.PrefixListIDs = append(p.PrefixListIDs, PrefixListID{PrefixListID: r.PrefixList, Description: r.Description})
		case r.GroupID != "":
			p.UserIdGroupPairs = append(p.UserIdGroupPairs, UserIdGroupPair{GroupID: r.GroupID, UserID: r.UserID, Description: r.Description})
		}
	}
	return out
}

// splitPermission turns a stored (already normalized) IpPermission into rules.
func splitPermission(p IpPermission, egress bool) []sgRule {
	base := sgRule{Egress: egress, Protocol: p.IpProtocol, From: p.FromPort, To: p.ToPort}
	if !hasPorts(p.IpProtocol) {
		base.From, base.To = -1, -1
	}
	var out []sgRule
	for _, r := range p.IpRanges {
		x := base
		x.CidrIpv4, x.Description = r.CidrIp, r.Description
		out = append(out, x)
	}
	for _, r := range p.Ipv6Ranges {
		x := base
		x.CidrIpv6, x.Description = r.CidrIpv6, r.Description
		out = append(out, x)
	}
	for _, r := range p.PrefixListIDs {
		x := base
		x.PrefixList, x.Description = r.PrefixListID, r.Description
		out = append(out, x)
	}
	for _, r := range p.UserIdGroupPairs {
		x := base
		x.GroupID, x.UserID, x.Description = r.GroupID, r.UserID, r.Description
		out = append(out, x)
	}
	return out
}

// normProtocol maps a protocol name or number to EC2's stored form (tcp, udp, icmp, icmpv6,
// -1 or a number).
func normProtocol(p string) (string, error) {
	switch strings.ToLower(p) {
	case "tcp", "6":
		return "tcp", nil
	case "udp", "17":
		return "udp", nil
	case "icmp", "1":
		return "icmp", nil
	case "icmpv6", "58":
		return "icmpv6", nil
	case "-1", "all":
		return "-1", nil
	case "":
		return "", ErrMissingParameter.With("The request must contain the parameter ipProtocol")
	}
	if n, err := strconv.Atoi(p); err == nil && n >= 0 && n <= 255 {
		return strconv.Itoa(n), nil
	}
	return "", ErrInvalidParameterValue.With("Invalid value '%s' for IP protocol. Unknown protocol.", p)
}

// expand validates and normalizes permissions into rules (no IDs yet). With strict, referenced
// groups must exist (authorize); revoke only resolves names.
func (s *Service) expand(ctx context.Context, g *groupRecord, perms []IpPermission, egress, strict bool) ([]sgRule, error) {
	account, _ := core.Scope(ctx)
	var out []sgRule
	for _, p := range perms {
		proto, err := normProtocol(p.IpProtocol)
		if err != nil {
			return nil, err
		}
		base := sgRule{Egress: egress, Protocol: proto, From: p.FromPort, To: p.ToPort}
		switch proto {
		case "tcp", "udp":
			if base.From < 0 || base.To > 65535 || base.From > base.To {
				return nil, ErrInvalidParameterValue.With("Invalid TCP/UDP port range %d-%d: ports must be 0-65535 and fromPort must not exceed toPort", base.From, base.To)
			}
		case "icmp", "icmpv6":
			if base.From < -1 || base.From > 255 || base.To < -1 || base.To > 255 {
				return nil, ErrInvalidParameterValue.With("Invalid ICMP type %d or code %d", base.From, base.To)
			}
			if base.From == -1 {
				base.To = -1
			}
		default:
			base.From, base.To = -1, -1
		}
		n := 0
		add := func(r sgRule, desc string) error {
			if len(desc) > 255 {
				return ErrInvalidParameterValue.With("Invalid rule description. Valid descriptions are strings less than 256 characters")
			}
			r.Description = desc
			out = append(out, r)
			n++
			return nil
		}
		for _, ir := range p.IpRanges {
			pfx, err := netip.ParsePrefix(ir.CidrIp)
			if err != nil || !pfx.Addr().Is4() {
				return nil, ErrInvalidParameterValue.With("CIDR block %s is malformed", ir.CidrIp)
			}
			r := base
			r.CidrIpv4 = ir.CidrIp
			if err := add(r, ir.Description); err != nil {
				return nil, err
			}
		}
		for _, ir := range p.Ipv6Ranges {
			pfx, err := netip.ParsePrefix(ir.CidrIpv6)
			if err != nil || !pfx.Addr().Is6() || pfx.Addr().Is4In6() {
				return nil, ErrInvalidParameterValue.With("CIDR block %s is malformed", ir.CidrIpv6)
			}
			r := base
			r.CidrIpv6 = ir.CidrIpv6
			if err := add(r, ir.Description); err != nil {
				return nil, err
			}
		}
		for _, pl := range p.PrefixListIDs {
			if !validID(pl.PrefixListID, "pl") {
				return nil, apierr.New(apierr.Invalid, "InvalidPrefixListId.Malformed", "The prefix list ID '%s' is malformed", pl.PrefixListID)
			}
			r := base
			r.PrefixList = pl.PrefixListID
			if err := add(r, pl.Description); err != nil {
				return nil, err
			}
		}
		for _, pair := range p.UserIdGroupPairs {
			r := base
			r.UserID = first(pair.UserID, account)
			switch {
			case pair.GroupID != "":
				r.GroupID = pair.GroupID
				if strict && r.UserID == account {
					if _, err := s.groups.Get(ctx, scope(ctx)+pair.GroupID); err != nil {
						return nil, ErrGroupNotFound.With("The security group '%s' does not exist", pair.GroupID)
					}
				}
			case pair.GroupName != "":
				ref, err := s.groupInVpc(ctx, pair.GroupName, g.VpcID)
				if err != nil {
					return nil, err
				}
				r.GroupID = ref.GroupID
			default:
				return nil, ErrMissingParameter.With("The request must contain the parameter groupId or groupName for each user/group pair")
			}
			if err := add(r, pair.Description); err != nil {
				return nil, err
			}
		}
		if n == 0 {
			return nil, ErrMissingParameter.With("The request must contain the parameter ipRanges, ipv6Ranges, prefixListIds or groups for protocol %s", p.IpProtocol)
		}
	}
	return out, nil
}

func (s *Service) groupInVpc(ctx context.Context, name, vpcID string) (groupRecord, error) {
	all, err := s.groups.All(ctx, scope(ctx))
	if err != nil {
		return groupRecord{}, err
	}
	for _, g := range all {
		if g.GroupName == name && g.VpcID == vpcID {
			return g, nil
		}
	}
	return groupRecord{}, ErrGroupNotFound.With("The security group '%s' does not exist in VPC '%s'", name, vpcID)
}

// legacyPermission is the single rule of the older request fields, if any.
func legacyPermission(ctx context.Context, protocol string, from, to int32, cidr, srcGroup, srcOwner string) []IpPermission {
	if protocol == "" && cidr == "" && srcGroup == "" {
		return nil
	}
	p := IpPermission{IpProtocol: first(protocol, "-1"), FromPort: from, ToPort: to}
	if cidr != "" {
		p.IpRanges = []IpRange{{CidrIp: cidr}}
	}
	if srcGroup != "" {
		account, _ := core.Scope(ctx)
		p.UserIdGroupPairs = []UserIdGroupPair{{GroupName: srcGroup, UserID: first(srcOwner, account)}}
	}
	return []IpPermission{p}
}

func (s *Service) ruleView(ctx context.Context, g *groupRecord, r *sgRule) SecurityGroupRule {
	account, region := core.Scope(ctx)
	v := SecurityGroupRule{SecurityGroupRuleID: r.ID, SecurityGroupRuleArn: fmt.Sprintf("arn:aws:ec2:%s:%s:security-group-rule/%s", region, account, r.ID),
		GroupID: g.GroupID, GroupOwnerID: g.OwnerID, IsEgress: r.Egress, IpProtocol: r.Protocol, FromPort: r.From, ToPort: r.To,
		CidrIpv4: r.CidrIpv4, CidrIpv6: r.CidrIpv6, PrefixListID: r.PrefixList, Description: r.Description, Tags: r.Tags}
	if r.GroupID != "" {
		v.ReferencedGroupInfo = &ReferencedSecurityGroup{GroupID: r.GroupID, UserID: r.UserID}
	}
	return v
}

func revokedView(g *groupRecord, r *sgRule) RevokedSecurityGroupRule {
	return RevokedSecurityGroupRule{SecurityGroupRuleID: r.ID, GroupID: g.GroupID, IsEgress: r.Egress, IpProtocol: r.Protocol, FromPort: r.From, ToPort: r.To,
		CidrIpv4: r.CidrIpv4, CidrIpv6: r.CidrIpv6, PrefixListID: r.PrefixList, ReferencedSecurityGroupID: r.GroupID, Description: r.Description}
}

func duplicateRule(r *sgRule) error {
	proto := strings.ToUpper(r.Protocol)
	if r.Protocol == "-1" {
		return ErrPermissionDuplicate.With("the specified rule \"peer: %s, ALL, ALLOW\" already exists", r.peer())
	}
	return ErrPermissionDuplicate.With("the specified rule \"peer: %s, %s, from port: %d, to port: %d, ALLOW\" already exists", r.peer(), proto, r.From, r.To)
}

// authorize adds rules to a group: all or none (a duplicate, in the group or the request,
// fails the call).
func (s *Service) authorize(ctx context.Context, g groupRecord, perms []IpPermission, egress bool, specs []TagSpecification) ([]SecurityGroupRule, error) {
	if len(perms) == 0 {
		return nil, ErrMissingParameter.With("No ip permissions specified")
	}
	tags, err := tagsFor(specs, "security-group-rule")
	if err != nil {
		return nil, err
	}
	add, err := s.expand(ctx, &g, perms, egress, true)
	if err != nil {
		return nil, err
	}
	for i := range add {
		add[i].ID = newID("sgr")
		add[i].Tags = tags
	}
	rec, err := s.groups.Update(ctx, scope(ctx)+g.GroupID, func(r *groupRecord) error {
		rules := r.rules()
		seen := map[string]bool{}
		count := 0
		for i := range rules {
			seen[rules[i].key()] = true
			if rules[i].Egress == egress {
				count++
			}
		}
		for i := range add {
			if seen[add[i].key()] {
				return duplicateRule(&add[i])
			}
			seen[add[i].key()] = true
		}
		if count+len(add) > RulesPerGroup {
			return ErrRulesLimitExceeded.With("The maximum number of rules per security group has been reached.")
		}
		r.setRules(append(slices.Clone(rules), add...))
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]SecurityGroupRule, len(add))
	for i := range add {
		out[i] = s.ruleView(ctx, &rec, &add[i])
	}
	return out, nil
}

// revoke removes rules by ID or by permissions. By permissions, a rule that does not exist
// fails the call (InvalidPermission.NotFound, nothing revoked) unless the group is in the
// default VPC, where the rest is revoked and the unknown ones are returned, as EC2 does.
func (s *Service) revoke(ctx context.Context, g groupRecord, perms []IpPermission, ids []string, egress bool) (*RevokeSecurityGroupIngressOutput, error) {
	if len(perms) > 0 && len(ids) > 0 {
		return nil, ErrInvalidParameterCombo.With("The parameter 'SecurityGroupRuleIds' may not be used in combination with 'IpPermissions'")
	}
	if len(perms) == 0 && len(ids) == 0 {
		return nil, ErrMissingParameter.With("No ip permissions or security group rule IDs specified")
	}
	for _, id := range ids {
		if !validID(id, "sgr") {
			return nil, ErrRuleMalformed.With("Invalid id: \"%s\" (expecting \"sgr-...\")", id)
		}
	}
	var want []sgRule
	if len(perms) > 0 {
		var err error
		if want, err = s.expand(ctx, &g, perms, egress, false); err != nil {
			return nil, err
		}
	}
	defaultVpc := false
	if v, err := s.vpcs.Get(ctx, scope(ctx)+g.VpcID); err == nil {
		defaultVpc = v.IsDefault
	}
	out := &RevokeSecurityGroupIngressOutput{Return: true}
	_, err := s.groups.Update(ctx, scope(ctx)+g.GroupID, func(r *groupRecord) error {
		out.RevokedSecurityGroupRules, out.UnknownIpPermissions = nil, nil
		rules := r.rules()
		drop := map[int]bool{}
		for _, id := range ids {
			i := slices.IndexFunc(rules, func(x sgRule) bool { return x.ID == id && x.Egress == egress })
			if i < 0 {
				return ErrRuleNotFound.With("The security group rule ID '%s' does not exist", id)
			}
			drop[i] = true
		}
		var unknown []sgRule
		for _, w := range want {
			i := slices.IndexFunc(rules, func(x sgRule) bool { return x.key() == w.key() })
			if i < 0 {
				unknown = append(unknown, w)
				continue
			}
			drop[i] = true
		}
		if len(unknown) > 0 && !defaultVpc {
			return ErrPermissionNotFound.With("The specified rule does not exist in this security group.")
		}
		var keep []sgRule
		for i := range rules {
			if drop[i] {
				out.RevokedSecurityGroupRules = append(out.RevokedSecurityGroupRules, revokedView(r, &rules[i]))
				continue
			}
			keep = append(keep, rules[i])
		}
		if len(unknown) > 0 {
			out.UnknownIpPermissions = renderPermissions(unknown, egress)
		}
		r.setRules(keep)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AuthorizeSecurityGroupIngress adds inbound rules (CIDR ranges, prefix lists or groups).
func (s *Service) AuthorizeSecurityGroupIngress(ctx context.Context, in *AuthorizeSecurityGroupIngressInput) (*AuthorizeSecurityGroupIngressOutput, error) {
	return dispatchDo(ctx, s, "AuthorizeSecurityGroupIngress", in, s.authorizeIngress)
}

func (s *Service) authorizeIngress(ctx context.Context, in *AuthorizeSecurityGroupIngressInput) (*AuthorizeSecurityGroupIngressOutput, error) {
	return withRuleGroup(ctx, s, in.GroupID, in.GroupName, true, in.DryRun, func(g groupRecord) (*AuthorizeSecurityGroupIngressOutput, error) {
		rules, err := s.authorize(ctx, g, append(slices.Clone(in.IpPermissions), legacyPermission(ctx, in.IpProtocol, in.FromPort, in.ToPort, in.CidrIp, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerID)...), false, in.TagSpecifications)
		if err != nil {
			return nil, err
		}
		return &AuthorizeSecurityGroupIngressOutput{Return: true, SecurityGroupRules: rules}, nil
	})
}

// withRuleGroup runs a rule change on a group (by id, or by name too when byName) under the
// network lock.
func withRuleGroup[Out any](ctx context.Context, s *Service, id, name string, byName, dryRun bool, change func(groupRecord) (*Out, error)) (*Out, error) {
	if !byName && id == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter groupId")
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	g, err := s.groupByIDOrName(ctx, id, name)
	if err != nil {
		return nil, err
	}
	if dryRun {
		return nil, ErrDryRun
	}
	return change(g)
}

// AuthorizeSecurityGroupEgress adds outbound rules.
func (s *Service) AuthorizeSecurityGroupEgress(ctx context.Context, in *AuthorizeSecurityGroupEgressInput) (*AuthorizeSecurityGroupEgressOutput, error) {
	return dispatchDo(ctx, s, "AuthorizeSecurityGroupEgress", in, s.authorizeEgress)
}

func (s *Service) authorizeEgress(ctx context.Context, in *AuthorizeSecurityGroupEgressInput) (*AuthorizeSecurityGroupEgressOutput, error) {
	return withRuleGroup(ctx, s, in.GroupID, "", false, in.DryRun, func(g groupRecord) (*AuthorizeSecurityGroupEgressOutput, error) {
		rules, err := s.authorize(ctx, g, append(slices.Clone(in.IpPermissions), legacyPermission(ctx, in.IpProtocol, in.FromPort, in.ToPort, in.CidrIp, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerID)...), true, in.TagSpecifications)
		if err != nil {
			return nil, err
		}
		return &AuthorizeSecurityGroupEgressOutput{Return: true, SecurityGroupRules: rules}, nil
	})
}

// RevokeSecurityGroupIngress removes inbound rules.
func (s *Service) RevokeSecurityGroupIngress(ctx context.Context, in *RevokeSecurityGroupIngressInput) (*RevokeSecurityGroupIngressOutput, error) {
	return dispatchDo(ctx, s, "RevokeSecurityGroupIngress", in, s.revokeIngress)
}

func (s *Service) revokeIngress(ctx context.Context, in *RevokeSecurityGroupIngressInput) (*RevokeSecurityGroupIngressOutput, error) {
	return withRuleGroup(ctx, s, in.GroupID, in.GroupName, true, in.DryRun, func(g groupRecord) (*RevokeSecurityGroupIngressOutput, error) {
		return s.revoke(ctx, g, append(slices.Clone(in.IpPermissions), legacyPermission(ctx, in.IpProtocol, in.FromPort, in.ToPort, in.CidrIp, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerID)...), in.SecurityGroupRuleIDs, false)
	})
}

// RevokeSecurityGroupEgress removes outbound rules.
func (s *Service) RevokeSecurityGroupEgress(ctx context.Context, in *RevokeSecurityGroupEgressInput) (*RevokeSecurityGroupEgressOutput, error) {
	return dispatchDo(ctx, s, "RevokeSecurityGroupEgress", in, s.revokeEgress)
}

func (s *Service) revokeEgress(ctx context.Context, in *RevokeSecurityGroupEgressInput) (*RevokeSecurityGroupEgressOutput, error) {
	return withRuleGroup(ctx, s, in.GroupID, "", false, in.DryRun, func(g groupRecord) (*RevokeSecurityGroupEgressOutput, error) {
		return s.revoke(ctx, g, append(slices.Clone(in.IpPermissions), legacyPermission(ctx, in.IpProtocol, in.FromPort, in.ToPort, in.CidrIp, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerID)...), in.SecurityGroupRuleIDs, true)
	})
}

// DescribeSecurityGroupRules lists rules, ordered by rule ID.
func (s *Service) DescribeSecurityGroupRules(ctx context.Context, in *DescribeSecurityGroupRulesInput) (*DescribeSecurityGroupRulesOutput, error) {
	return dispatchDo(ctx, s, "DescribeSecurityGroupRules", in, s.describeSecurityGroupRules)
}

func (s *Service) describeSecurityGroupRules(ctx context.Context, in *DescribeSecurityGroupRulesInput) (*DescribeSecurityGroupRulesOutput, error) {
	if err := validateFilters(in.Filters); err != nil {
		return nil, err
	}
	limit, after, err := pageParams(in.MaxResults, 5, 1000, nil, in.NextToken)
	if err != nil {
		return nil, err
	}
	for _, id := range in.SecurityGroupRuleIDs {
		if !validID(id, "sgr") {
			return nil, ErrRuleMalformed.With("Invalid id: \"%s\" (expecting \"sgr-...\")", id)
		}
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	groups, err := scopedAll(ctx, s, s.groups)
	if err != nil {
		return nil, err
	}
	var all []SecurityGroupRule
	for gi := range groups {
		g := &groups[gi]
		rules := g.rules()
		for i := range rules {
			all = append(all, s.ruleView(ctx, g, &rules[i]))
		}
	}
	slices.SortFunc(all, func(a, b SecurityGroupRule) int { return cmp.Compare(a.SecurityGroupRuleID, b.SecurityGroupRuleID) })
	id := func(r SecurityGroupRule) string { return r.SecurityGroupRuleID }
	rules, next, err := selection[SecurityGroupRule, SecurityGroupRule]{
		ids:     []byID[SecurityGroupRule]{{in.SecurityGroupRuleIDs, id, missing(ErrRuleNotFound, "The security group rule ID '%s' does not exist")}},
		filters: in.Filters, values: ruleViewFilter, view: func(r SecurityGroupRule) SecurityGroupRule { return r },
		limit: limit, after: after, key: id,
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeSecurityGroupRulesOutput{SecurityGroupRules: rules, NextToken: next}, nil
}

func ruleViewFilter(r SecurityGroupRule, name string) ([]string, bool) {
	switch name {
	case "group-id":
		return []string{r.GroupID}, true
	case "security-group-rule-id":
		return []string{r.SecurityGroupRuleID}, true
	}
	return tagFilter(name, r.Tags)
}

func (s *Service) defaultGroup(ctx context.Context, vpcID string) (groupRecord, error) {
	return s.groupInVpc(ctx, "default", vpcID)
}

// DescribeSecurityGroups lists security groups (filters group-id, group-name, vpc-id,
// description, owner-id, tags and the ip-permission.* / egress.ip-permission.* rule filters).
func (s *Service) DescribeSecurityGroups(ctx context.Context, in *DescribeSecurityGroupsInput) (*DescribeSecurityGroupsOutput, error) {
	return dispatchDo(ctx, s, "DescribeSecurityGroups", in, s.describeSecurityGroups)
}

// ruleFilter answers ip-permission.* (ingress) and egress.ip-permission.* filters.
func ruleFilter(name string, rules []sgRule) ([]string, bool) {
	egress := false
	rest, ok := strings.CutPrefix(name, "ip-permission.")
	if !ok {
		if rest, ok = strings.CutPrefix(name, "egress.ip-permission."); !ok {
			return nil, false
		}
		egress = true
	}
	var out []string
	for _, r := range rules {
		if r.Egress != egress {
			continue
		}
		switch rest {
		case "cidr":
			out = append(out, r.CidrIpv4)
		case "ipv6-cidr":
			out = append(out, r.CidrIpv6)
		case "prefix-list-id":
			out = append(out, r.PrefixList)
		case "from-port":
			out = append(out, strconv.Itoa(int(r.From)))
		case "to-port":
			out = append(out, strconv.Itoa(int(r.To)))
		case "protocol":
			out = append(out, r.Protocol)
		case "group-id":
			out = append(out, r.GroupID)
		case "user-id":
			out = append(out, r.UserID)
		default:
			return nil, false
		}
	}
	return out, true
}

func (s *Service) describeSecurityGroups(ctx context.Context, in *DescribeSecurityGroupsInput) (*DescribeSecurityGroupsOutput, error) {
	all, err := scopedAll(ctx, s, s.groups)
	if err != nil {
		return nil, err
	}
	groups, _, err := selection[groupRecord, SecurityGroup]{
		ids: []byID[groupRecord]{
			{in.GroupIDs, func(g groupRecord) string { return g.GroupID }, missing(ErrGroupNotFound, "The security group '%s' does not exist")},
			{in.GroupNames, func(g groupRecord) string { return g.GroupName }, missing(ErrGroupNotFound, "The security group '%s' does not exist in default VPC")},
		},
		filters: in.Filters, values: groupFilter, view: func(g groupRecord) SecurityGroup { return g.SecurityGroup },
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeSecurityGroupsOutput{SecurityGroups: groups}, nil
}

func groupFilter(g groupRecord, name string) ([]string, bool) {
	switch name {
	case "group-id":
		return []string{g.GroupID}, true
	case "group-name":
		return []string{g.GroupName}, true
	case "vpc-id":
		return []string{g.VpcID}, true
	case "description":
		return []string{g.Description}, true
	case "owner-id":
		return []string{g.OwnerID}, true
	}
	if v, ok := ruleFilter(name, g.rules()); ok {
		return v, true
	}
	return tagFilter(name, g.Tags)
}

// CreateSecurityGroup creates a security group (in the default VPC unless VpcId is given)
// with AWS's default egress rule (all traffic to 0.0.0.0/0).
func (s *Service) CreateSecurityGroup(ctx context.Context, in *CreateSecurityGroupInput) (*CreateSecurityGroupOutput, error) {
	return dispatchDo(ctx, s, "CreateSecurityGroup", in, s.createSecurityGroup)
}

func (s *Service) createSecurityGroup(ctx context.Context, in *CreateSecurityGroupInput) (*CreateSecurityGroupOutput, error) {
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	if in.GroupName == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter groupName")
	}
	if in.Description == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter groupDescription")
	}
	if len(in.GroupName) > 255 || strings.HasPrefix(strings.ToLower(in.GroupName), "sg-") {
		return nil, ErrInvalidParameterValue.With("Group names may not be in the format sg-* or longer than 255 characters")
	}
	var tags []Tag
	for _, ts := range in.TagSpecifications {
		if ts.ResourceType == "security-group" {
			tags = append(tags, ts.Tags...)
		}
	}
	if err := validateTags(tags, false); err != nil {
		return nil, err
	}
	account, _ := core.Scope(ctx)
	vpcID := in.VpcID
	if vpcID == "" {
		vs, err := s.describeVpcs(ctx, &DescribeVpcsInput{Filters: []Filter{{Name: "is-default", Values: []string{"true"}}}})
		if err != nil {
			return nil, err
		}
		if len(vs.Vpcs) == 0 {
			return nil, apierr.New(apierr.Invalid, "VPCIdNotSpecified", "No default VPC for this user")
		}
		vpcID = vs.Vpcs[0].VpcID
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	if _, err := s.vpcs.Get(ctx, scope(ctx)+vpcID); err != nil {
		return nil, ErrVpcNotFound.With("The vpc ID '%s' does not exist", vpcID)
	}
	if _, err := s.groupInVpc(ctx, in.GroupName, vpcID); err == nil {
		return nil, ErrGroupDuplicate.With("The security group '%s' already exists for VPC '%s'", in.GroupName, vpcID)
	}
	g := newGroup(account, vpcID, in.GroupName, in.Description, tags, false)
	if err := s.groups.Put(ctx, scope(ctx)+g.GroupID, g); err != nil {
		return nil, err
	}
	return &CreateSecurityGroupOutput{GroupID: g.GroupID, Tags: tags}, nil
}

func (s *Service) groupByIDOrName(ctx context.Context, id, name string) (groupRecord, error) {
	if id != "" {
		g, err := s.groups.Get(ctx, scope(ctx)+id)
		if err != nil {
			return g, ErrGroupNotFound.With("The security group '%s' does not exist", id)
		}
		return g, nil
	}
	if name == "" {
		return groupRecord{}, ErrMissingParameter.With("The request must contain the parameter groupName or groupId")
	}
	all, err := s.groups.All(ctx, scope(ctx))
	if err != nil {
		return groupRecord{}, err
	}
	for _, g := range all {
		if g.GroupName == name {
			return g, nil
		}
	}
	return groupRecord{}, ErrGroupNotFound.With("The security group '%s' does not exist in default VPC", name)
}

// DeleteSecurityGroup deletes a group that no instance uses and no other group's rule
// references.
func (s *Service) DeleteSecurityGroup(ctx context.Context, in *DeleteSecurityGroupInput) (*DeleteSecurityGroupOutput, error) {
	return dispatchDo(ctx, s, "DeleteSecurityGroup", in, s.deleteSecurityGroup)
}

func (s *Service) deleteSecurityGroup(ctx context.Context, in *DeleteSecurityGroupInput) (*DeleteSecurityGroupOutput, error) {
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	g, err := s.groupByIDOrName(ctx, in.GroupID, in.GroupName)
	if err != nil {
		return nil, err
	}
	if g.GroupName == "default" {
		return nil, apierr.New(apierr.Invalid, "CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.GroupID)
	}
	sc := scope(ctx)
	s.mu.Lock()
	for _, r := range s.inst {
		if r.Scope != sc || r.State.Name == "terminated" {
			continue
		}
		for _, sg := range r.SecurityGroups {
			if sg.GroupID == g.GroupID {
				s.mu.Unlock()
				return nil, ErrDependencyViolation.With("resource %s has a dependent object", g.GroupID)
			}
		}
	}
	s.mu.Unlock()
	all, err := s.groups.All(ctx, sc)
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.GroupID == g.GroupID {
			continue
		}
		for _, r := range o.rules() {
			if r.GroupID == g.GroupID {
				return nil, ErrDependencyViolation.With("resource %s has a dependent object", g.GroupID)
			}
		}
	}
	if err := s.groups.Delete(ctx, sc+g.GroupID); err != nil {
		return nil, err
	}
	return &DeleteSecurityGroupOutput{Return: true}, nil
}
