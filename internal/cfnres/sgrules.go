package cfnres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
)

// Security group rules: the inline SecurityGroupIngress/SecurityGroupEgress of
// AWS::EC2::SecurityGroup and the standalone AWS::EC2::SecurityGroupIngress/Egress types.

// allEgress is the rule EC2 gives every new group, and CloudFormation removes when the
// template lists SecurityGroupEgress.
var allEgress = ec2sim.IpPermission{IpProtocol: "-1", IpRanges: []ec2sim.IpRange{{CidrIp: "0.0.0.0/0"}}}

// sgRule maps one rule object (CidrIp, CidrIpv6, Source*/Destination* peer, IpProtocol,
// FromPort, ToPort, Description) to an IpPermission with exactly one peer.
func sgRule(m map[string]any, egress bool) (ec2sim.IpPermission, error) {
	if err := need(m, "IpProtocol"); err != nil {
		return ec2sim.IpPermission{}, err
	}
	perm := ec2sim.IpPermission{IpProtocol: str(m, "IpProtocol")}
	for k, dst := range map[string]*int32{"FromPort": &perm.FromPort, "ToPort": &perm.ToPort} {
		n, err := i32p(m, k)
		if err != nil {
			return perm, err
		}
		if n != nil {
			*dst = *n
		}
	}
	desc := str(m, "Description")
	group, prefixList := "SourceSecurityGroupId", "SourcePrefixListId"
	if egress {
		group, prefixList = "DestinationSecurityGroupId", "DestinationPrefixListId"
	}
	peers := 0
	if c := str(m, "CidrIp"); c != "" {
		perm.IpRanges = []ec2sim.IpRange{{CidrIp: c, Description: desc}}
		peers++
	}
	if c := str(m, "CidrIpv6"); c != "" {
		perm.Ipv6Ranges = []ec2sim.Ipv6Range{{CidrIpv6: c, Description: desc}}
		peers++
	}
	if id := str(m, prefixList); id != "" {
		perm.PrefixListIDs = []ec2sim.PrefixListID{{PrefixListID: id, Description: desc}}
		peers++
	}
	if id := str(m, group); id != "" {
		owner := ""
		if !egress {
			owner = str(m, "SourceSecurityGroupOwnerId")
		}
		perm.UserIdGroupPairs = []ec2sim.UserIdGroupPair{{GroupID: id, UserID: owner, Description: desc}}
		peers++
	}
	if name := str(m, "SourceSecurityGroupName"); name != "" && !egress {
		perm.UserIdGroupPairs = append(perm.UserIdGroupPairs, ec2sim.UserIdGroupPair{GroupName: name, UserID: str(m, "SourceSecurityGroupOwnerId"), Description: desc})
		peers++
	}
	if peers != 1 {
		if egress {
			return perm, propErr("Exactly one of CidrIp, CidrIpv6, DestinationPrefixListId or DestinationSecurityGroupId must be specified")
		}
		return perm, propErr("Exactly one of CidrIp, CidrIpv6, SourcePrefixListId, SourceSecurityGroupId or SourceSecurityGroupName must be specified")
	}
	return perm, nil
}

// sgRules maps a SecurityGroupIngress or SecurityGroupEgress list.
func sgRules(v any, egress bool) ([]ec2sim.IpPermission, error) {
	l, _ := v.([]any)
	var out []ec2sim.IpPermission
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, propErr("SecurityGroupIngress and SecurityGroupEgress entries must be objects")
		}
		perm, err := sgRule(m, egress)
		if err != nil {
			return nil, err
		}
		out = append(out, perm)
	}
	return out, nil
}

// groupRules are a group's inline rules as the template wants them: egress is the default
// all-traffic rule when the template lists none.
func groupRules(p map[string]any) (ingress, egress []ec2sim.IpPermission, err error) {
	if ingress, err = sgRules(p["SecurityGroupIngress"], false); err != nil {
		return nil, nil, err
	}
	if egress, err = sgRules(p["SecurityGroupEgress"], true); err != nil {
		return nil, nil, err
	}
	if len(egress) == 0 {
		egress = []ec2sim.IpPermission{allEgress}
	}
	return ingress, egress, nil
}

func permKey(p ec2sim.IpPermission) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// minus is the permissions of a that b does not hold.
func minus(a, b []ec2sim.IpPermission) []ec2sim.IpPermission {
	in := map[string]bool{}
	for _, p := range b {
		in[permKey(p)] = true
	}
	var out []ec2sim.IpPermission
	for _, p := range a {
		if !in[permKey(p)] {
			out = append(out, p)
			in[permKey(p)] = true
		}
	}
	return out
}

// ruleGone reports a revoke of a rule that is no longer there (done).
func ruleGone(err error) bool {
	return err == nil || errors.Is(err, apierr.NotFound)
}

// syncRules revokes the rules of from that to lacks, then authorizes the rules of to that
// from lacks (one call per rule, so a rule already gone does not stop the others).
func (g securityGroups) syncRules(ctx context.Context, id string, from, to []ec2sim.IpPermission, egress bool) error {
	for _, p := range minus(from, to) {
		var err error
		if egress {
			_, err = g.svc.RevokeSecurityGroupEgress(ctx, &ec2sim.RevokeSecurityGroupEgressInput{GroupID: id, IpPermissions: []ec2sim.IpPermission{p}})
		} else {
			_, err = g.svc.RevokeSecurityGroupIngress(ctx, &ec2sim.RevokeSecurityGroupIngressInput{GroupID: id, IpPermissions: []ec2sim.IpPermission{p}})
		}
		if !ruleGone(err) {
			return err
		}
	}
	add := minus(to, from)
	if len(add) == 0 {
		return nil
	}
	var err error
	if egress {
		_, err = g.svc.AuthorizeSecurityGroupEgress(ctx, &ec2sim.AuthorizeSecurityGroupEgressInput{GroupID: id, IpPermissions: add})
	} else {
		_, err = g.svc.AuthorizeSecurityGroupIngress(ctx, &ec2sim.AuthorizeSecurityGroupIngressInput{GroupID: id, IpPermissions: add})
	}
	return err
}

// ---- AWS::EC2::SecurityGroupIngress / SecurityGroupEgress ----

// ruleGroup is the group a standalone rule belongs to (GroupId, or GroupName for ingress).
func ruleGroup(req *cloudformation.Request) (id, name string) {
	if id, _ = req.Attributes["GroupId"].(string); id != "" {
		return id, ""
	}
	return str(req.Properties, "GroupId"), str(req.Properties, "GroupName")
}

func (g securityGroups) createRule(egress bool) func(context.Context, *cloudformation.Request) (*cloudformation.Result, error) {
	return func(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
		p := req.Properties
		perm, err := sgRule(p, egress)
		if err != nil {
			return nil, err
		}
		var rules []ec2sim.SecurityGroupRule
		if egress {
			if err := need(p, "GroupId"); err != nil {
				return nil, err
			}
			out, err := g.svc.AuthorizeSecurityGroupEgress(ctx, &ec2sim.AuthorizeSecurityGroupEgressInput{GroupID: str(p, "GroupId"), IpPermissions: []ec2sim.IpPermission{perm}})
			if err != nil {
				return nil, err
			}
			rules = out.SecurityGroupRules
		} else {
			in := &ec2sim.AuthorizeSecurityGroupIngressInput{GroupID: str(p, "GroupId"), GroupName: str(p, "GroupName"), IpPermissions: []ec2sim.IpPermission{perm}}
			if in.GroupID == "" && in.GroupName == "" {
				return nil, propErr("Property GroupId cannot be empty.")
			}
			out, err := g.svc.AuthorizeSecurityGroupIngress(ctx, in)
			if err != nil {
				return nil, err
			}
			rules = out.SecurityGroupRules
		}
		if len(rules) != 1 {
			return nil, propErr("expected one security group rule, EC2 added %d", len(rules))
		}
		r := rules[0]
		return &cloudformation.Result{PhysicalID: r.SecurityGroupRuleID, Attributes: map[string]any{"Id": r.SecurityGroupRuleID, "GroupId": r.GroupID}}, nil
	}
}

func (g securityGroups) deleteRule(egress bool) func(context.Context, *cloudformation.Request) error {
	return func(ctx context.Context, req *cloudformation.Request) error {
		id, name := ruleGroup(req)
		var ids []string
		var perms []ec2sim.IpPermission
		if strings.HasPrefix(req.PhysicalID, "sgr-") {
			ids = []string{req.PhysicalID}
		} else { // a rule recorded before rules had IDs: revoke by its properties
			perm, err := sgRule(req.Properties, egress)
			if err != nil {
				return nil
			}
			perms = []ec2sim.IpPermission{perm}
		}
		var err error
		if egress {
			_, err = g.svc.RevokeSecurityGroupEgress(ctx, &ec2sim.RevokeSecurityGroupEgressInput{GroupID: id, SecurityGroupRuleIDs: ids, IpPermissions: perms})
		} else {
			_, err = g.svc.RevokeSecurityGroupIngress(ctx, &ec2sim.RevokeSecurityGroupIngressInput{GroupID: id, GroupName: name, SecurityGroupRuleIDs: ids, IpPermissions: perms})
		}
		if ruleGone(err) {
			return nil
		}
		return err
	}
}

// updateRule applies a Description change (the only property AWS updates in place) by
// replacing the EC2 rule: the rule ID, and so Ref, changes.
func (g securityGroups) updateRule(egress bool) func(context.Context, *cloudformation.Request) (*cloudformation.Result, error) {
	return func(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
		if !changed(req, "Description") {
			return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
		}
		if _, err := sgRule(req.Properties, egress); err != nil {
			return nil, err
		}
		if err := g.deleteRule(egress)(ctx, req); err != nil {
			return nil, err
		}
		return g.createRule(egress)(ctx, req)
	}
}

// ruleTypeSpec is the TypeSpec of AWS::EC2::SecurityGroupIngress or Egress.
func (g securityGroups) ruleTypeSpec(egress bool) cloudformation.TypeSpec {
	replace := []string{"GroupId", "GroupName", "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6", "SourcePrefixListId",
		"SourceSecurityGroupId", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"}
	if egress {
		replace = []string{"GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6", "DestinationPrefixListId", "DestinationSecurityGroupId"}
	}
	return cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.createRule(egress), UpdateFunc: g.updateRule(egress), DeleteFunc: g.deleteRule(egress)},
		Attributes: []string{"Id"},
		ReplaceOn:  replace,
	}
}
