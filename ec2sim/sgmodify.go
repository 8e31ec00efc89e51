package ec2sim

import (
	"context"
	"slices"
)

// UpdateSecurityGroupRuleDescriptionsIngress replaces the descriptions of existing inbound
// rules (group by ID or name).
func (s *Service) UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, in *UpdateSecurityGroupRuleDescriptionsIngressInput) (*UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
	return dispatchDo(ctx, s, "UpdateSecurityGroupRuleDescriptionsIngress", in, func(ctx context.Context, in *UpdateSecurityGroupRuleDescriptionsIngressInput) (*UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
		return withRuleGroup(ctx, s, in.GroupID, in.GroupName, true, in.DryRun, func(g groupRecord) (*UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
			return &UpdateSecurityGroupRuleDescriptionsIngressOutput{Return: true}, s.setRuleDescriptions(ctx, g, in.IpPermissions, in.SecurityGroupRuleDescriptions, false)
		})
	})
}

// UpdateSecurityGroupRuleDescriptionsEgress replaces the descriptions of existing outbound
// rules.
func (s *Service) UpdateSecurityGroupRuleDescriptionsEgress(ctx context.Context, in *UpdateSecurityGroupRuleDescriptionsEgressInput) (*UpdateSecurityGroupRuleDescriptionsEgressOutput, error) {
	return dispatchDo(ctx, s, "UpdateSecurityGroupRuleDescriptionsEgress", in, func(ctx context.Context, in *UpdateSecurityGroupRuleDescriptionsEgressInput) (*UpdateSecurityGroupRuleDescriptionsEgressOutput, error) {
		return withRuleGroup(ctx, s, in.GroupID, in.GroupName, true, in.DryRun, func(g groupRecord) (*UpdateSecurityGroupRuleDescriptionsEgressOutput, error) {
			return &UpdateSecurityGroupRuleDescriptionsEgressOutput{Return: true}, s.setRuleDescriptions(ctx, g, in.IpPermissions, in.SecurityGroupRuleDescriptions, true)
		})
	})
}

// setRuleDescriptions sets rule descriptions, all or none: every rule named must exist.
func (s *Service) setRuleDescriptions(ctx context.Context, g groupRecord, perms []IpPermission, byID []SecurityGroupRuleDescription, egress bool) error {
	if len(perms) > 0 && len(byID) > 0 {
		return ErrInvalidParameterCombo.With("The parameter 'SecurityGroupRuleDescriptions' may not be used in combination with 'IpPermissions'")
	}
	if len(perms) == 0 && len(byID) == 0 {
		return ErrMissingParameter.With("No ip permissions or security group rule descriptions specified")
	}
	for _, d := range byID {
		if !validID(d.SecurityGroupRuleID, "sgr") {
			return ErrRuleMalformed.With("Invalid id: \"%s\" (expecting \"sgr-...\")", d.SecurityGroupRuleID)
		}
		if len(d.Description) > 255 {
			return ErrInvalidParameterValue.With("Invalid rule description. Valid descriptions are strings less than 256 characters")
		}
	}
	want, err := s.expand(ctx, &g, perms, egress, false)
	if err != nil {
		return err
	}
	_, err = s.groups.Update(ctx, scope(ctx)+g.GroupID, func(r *groupRecord) error {
		rules := slices.Clone(r.rules())
		for _, d := range byID {
			i := slices.IndexFunc(rules, func(x sgRule) bool { return x.ID == d.SecurityGroupRuleID && x.Egress == egress })
			if i < 0 {
				return ErrRuleNotFound.With("The security group rule ID '%s' does not exist", d.SecurityGroupRuleID)
			}
			rules[i].Description = d.Description
		}
		for _, w := range want {
			i := slices.IndexFunc(rules, func(x sgRule) bool { return x.key() == w.key() })
			if i < 0 {
				return ErrPermissionNotFound.With("The specified rule does not exist in this security group.")
			}
			rules[i].Description = w.Description
		}
		r.setRules(rules)
		return nil
	})
	return err
}

// ModifySecurityGroupRules replaces rules of a group in place: each keeps its ID and tags and
// takes the new protocol, ports, peer and description.
func (s *Service) ModifySecurityGroupRules(ctx context.Context, in *ModifySecurityGroupRulesInput) (*ModifySecurityGroupRulesOutput, error) {
	return dispatchDo(ctx, s, "ModifySecurityGroupRules", in, s.modifySecurityGroupRules)
}

func (s *Service) modifySecurityGroupRules(ctx context.Context, in *ModifySecurityGroupRulesInput) (*ModifySecurityGroupRulesOutput, error) {
	if len(in.SecurityGroupRules) == 0 {
		return nil, ErrMissingParameter.With("The request must contain the parameter SecurityGroupRules")
	}
	return withRuleGroup(ctx, s, in.GroupID, "", false, in.DryRun, func(g groupRecord) (*ModifySecurityGroupRulesOutput, error) {
		current := g.rules()
		type change struct {
			id   string
			rule sgRule
		}
		var changes []change
		for _, u := range in.SecurityGroupRules {
			if !validID(u.SecurityGroupRuleID, "sgr") {
				return nil, ErrRuleMalformed.With("Invalid id: \"%s\" (expecting \"sgr-...\")", u.SecurityGroupRuleID)
			}
			if u.SecurityGroupRule == nil {
				return nil, ErrMissingParameter.With("The request must contain the parameter SecurityGroupRule for rule %s", u.SecurityGroupRuleID)
			}
			i := slices.IndexFunc(current, func(x sgRule) bool { return x.ID == u.SecurityGroupRuleID })
			if i < 0 {
				return nil, ErrRuleNotFound.With("The security group rule ID '%s' does not exist", u.SecurityGroupRuleID)
			}
			rules, err := s.expand(ctx, &g, []IpPermission{u.SecurityGroupRule.permission()}, current[i].Egress, true)
			if err != nil {
				return nil, err
			}
			if len(rules) != 1 {
				return nil, ErrInvalidParameterValue.With("Rule %s must name exactly one of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId", u.SecurityGroupRuleID)
			}
			changes = append(changes, change{u.SecurityGroupRuleID, rules[0]})
		}
		_, err := s.groups.Update(ctx, scope(ctx)+g.GroupID, func(r *groupRecord) error {
			rules := slices.Clone(r.rules())
			for _, c := range changes {
				i := slices.IndexFunc(rules, func(x sgRule) bool { return x.ID == c.id })
				if i < 0 {
					return ErrRuleNotFound.With("The security group rule ID '%s' does not exist", c.id)
				}
				c.rule.ID, c.rule.Tags = rules[i].ID, rules[i].Tags
				rules[i] = c.rule
			}
			seen := map[string]bool{}
			for i := range rules {
				if k := rules[i].key(); seen[k] {
					return duplicateRule(&rules[i])
				} else {
					seen[k] = true
				}
			}
			r.setRules(rules)
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &ModifySecurityGroupRulesOutput{Return: true}, nil
	})
}

// permission is the request as an IpPermission with its one peer.
func (q *SecurityGroupRuleRequest) permission() IpPermission {
	p := IpPermission{IpProtocol: q.IpProtocol, FromPort: q.FromPort, ToPort: q.ToPort}
	if q.CidrIpv4 != "" {
		p.IpRanges = []IpRange{{CidrIp: q.CidrIpv4, Description: q.Description}}
	}
	if q.CidrIpv6 != "" {
		p.Ipv6Ranges = []Ipv6Range{{CidrIpv6: q.CidrIpv6, Description: q.Description}}
	}
	if q.PrefixListID != "" {
		p.PrefixListIDs = []PrefixListID{{PrefixListID: q.PrefixListID, Description: q.Description}}
	}
	if q.ReferencedGroupID != "" {
		p.UserIdGroupPairs = []UserIdGroupPair{{GroupID: q.ReferencedGroupID, Description: q.Description}}
	}
	return p
}
