package cfnres

import (
	"context"
	"errors"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ssm"
)

// registerNetwork registers the VPC, subnet and key pair types (ps, when set, receives key
// pairs' private keys as AWS does).
func registerNetwork(cf *cloudformation.Service, svc *ec2sim.Service, ps *ssm.Service) {
	n := network{svc: svc, ssm: ps}
	cf.RegisterProvider("AWS::EC2::VPC", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: n.createVpc, UpdateFunc: n.updateVpc, DeleteFunc: n.deleteVpc, ReadFunc: n.readVpc},
		Attributes: []string{"CidrBlock", "DefaultSecurityGroup", "Ipv6CidrBlocks", "VpcId"},
		ReplaceOn:  []string{"CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId", "Ipv4NetmaskLength"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::EC2::Subnet", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: n.createSubnet, UpdateFunc: n.updateSubnet, DeleteFunc: n.deleteSubnet, ReadFunc: n.readSubnet},
		Attributes: []string{"AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "Ipv6CidrBlocks", "SubnetId", "VpcId"},
		ReplaceOn: []string{"AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "VpcId", "Ipv4IpamPoolId", "Ipv4NetmaskLength",
			"Ipv6IpamPoolId", "Ipv6Native", "Ipv6NetmaskLength", "OutpostArn"},
		Taggable: true,
	})
	cf.RegisterProvider("AWS::EC2::KeyPair", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: n.createKeyPair, DeleteFunc: n.deleteKeyPair, ReadFunc: n.readKeyPair},
		Attributes: []string{"KeyFingerprint", "KeyPairId"},
		// Every AWS::EC2::KeyPair property requires replacement, Tags included.
		ReplaceOn: []string{"*"},
		Taggable:  true,
	})
}

type network struct {
	svc *ec2sim.Service
	ssm *ssm.Service
}

// ---- VPC ----

func (n network) createVpc(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "CidrBlock"); err != nil {
		return nil, err
	}
	out, err := n.svc.CreateVpc(ctx, &ec2sim.CreateVpcInput{CidrBlock: str(p, "CidrBlock"), InstanceTenancy: str(p, "InstanceTenancy"),
		TagSpecifications: ec2TagSpecs(req, "vpc")})
	if err != nil {
		return nil, err
	}
	if err := n.applyVpcDNS(ctx, out.Vpc.VpcID, nil, p); err != nil {
		_, _ = n.svc.DeleteVpc(ctx, &ec2sim.DeleteVpcInput{VpcID: out.Vpc.VpcID})
		return nil, err
	}
	return n.vpcResult(ctx, out.Vpc.VpcID)
}

// vpcDNS is the template's EnableDnsSupport (default true) and EnableDnsHostnames (default
// false).
func vpcDNS(p map[string]any) (support, hostnames bool) {
	support = true
	if b := boolp(p, "EnableDnsSupport"); b != nil {
		support = *b
	}
	if b := boolp(p, "EnableDnsHostnames"); b != nil {
		hostnames = *b
	}
	return support, hostnames
}

// applyVpcDNS moves the VPC's DNS attributes from the old properties' values (nil: a new
// VPC's defaults) to the new ones, in the order EC2 accepts: support before hostnames when
// enabling, hostnames before support when disabling.
func (n network) applyVpcDNS(ctx context.Context, id string, old, p map[string]any) error {
	oldSupport, oldHosts := vpcDNS(old)
	support, hosts := vpcDNS(p)
	set := func(in *ec2sim.ModifyVpcAttributeInput) error {
		in.VpcID = id
		_, err := n.svc.ModifyVpcAttribute(ctx, in)
		return err
	}
	if support && !oldSupport {
		if err := set(&ec2sim.ModifyVpcAttributeInput{EnableDnsSupport: &ec2sim.AttributeBooleanValue{Value: true}}); err != nil {
			return err
		}
	}
	if hosts != oldHosts {
		if err := set(&ec2sim.ModifyVpcAttributeInput{EnableDnsHostnames: &ec2sim.AttributeBooleanValue{Value: hosts}}); err != nil {
			return err
		}
	}
	if !support && oldSupport {
		return set(&ec2sim.ModifyVpcAttributeInput{EnableDnsSupport: &ec2sim.AttributeBooleanValue{Value: false}})
	}
	return nil
}

func (n network) describeVpc(ctx context.Context, id string) (*ec2sim.Vpc, error) {
	out, err := n.svc.DescribeVpcs(ctx, &ec2sim.DescribeVpcsInput{VpcIDs: []string{id}})
	return one(out, err, func(o *ec2sim.DescribeVpcsOutput) []ec2sim.Vpc { return o.Vpcs },
		ec2sim.ErrVpcNotFound.With("The vpc ID '%s' does not exist", id))
}

func (n network) vpcResult(ctx context.Context, id string) (*cloudformation.Result, error) {
	v, err := n.describeVpc(ctx, id)
	if err != nil {
		return nil, err
	}
	sgs, err := n.svc.DescribeSecurityGroups(ctx, &ec2sim.DescribeSecurityGroupsInput{Filters: []ec2sim.Filter{
		{Name: "vpc-id", Values: []string{id}}, {Name: "group-name", Values: []string{"default"}}}})
	if err != nil {
		return nil, err
	}
	def := ""
	if len(sgs.SecurityGroups) > 0 {
		def = sgs.SecurityGroups[0].GroupID
	}
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{
		"VpcId": id, "CidrBlock": v.CidrBlock, "DefaultSecurityGroup": def, "Ipv6CidrBlocks": []any{},
	}}, nil
}

// updateVpc applies tag and DNS attribute changes.
func (n network) updateVpc(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := retag(ctx, n.svc, req.PhysicalID, req); err != nil {
		return nil, err
	}
	if err := n.applyVpcDNS(ctx, req.PhysicalID, req.OldProperties, req.Properties); err != nil {
		return nil, err
	}
	return n.vpcResult(ctx, req.PhysicalID)
}

func (n network) deleteVpc(ctx context.Context, req *cloudformation.Request) error {
	_, err := n.svc.DeleteVpc(ctx, &ec2sim.DeleteVpcInput{VpcID: req.PhysicalID})
	return notFound(err)
}

func (n network) readVpc(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	v, err := n.describeVpc(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	props := map[string]any{"CidrBlock": v.CidrBlock}
	if _, ok := req.Properties["InstanceTenancy"]; ok {
		props["InstanceTenancy"] = v.InstanceTenancy
	}
	for _, a := range []struct{ prop, attr string }{{"EnableDnsSupport", "enableDnsSupport"}, {"EnableDnsHostnames", "enableDnsHostnames"}} {
		if _, ok := req.Properties[a.prop]; !ok {
			continue
		}
		out, err := n.svc.DescribeVpcAttribute(ctx, &ec2sim.DescribeVpcAttributeInput{VpcID: v.VpcID, Attribute: a.attr})
		if err != nil {
			return nil, err
		}
		if out.EnableDnsSupport != nil {
			props[a.prop] = out.EnableDnsSupport.Value
		} else if out.EnableDnsHostnames != nil {
			props[a.prop] = out.EnableDnsHostnames.Value
		}
	}
	return props, nil
}

// ---- Subnet ----

func (n network) createSubnet(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "VpcId"); err != nil {
		return nil, err
	}
	if str(p, "CidrBlock") == "" {
		return nil, propErr("Property CidrBlock cannot be empty.")
	}
	out, err := n.svc.CreateSubnet(ctx, &ec2sim.CreateSubnetInput{VpcID: str(p, "VpcId"), CidrBlock: str(p, "CidrBlock"),
		AvailabilityZone: str(p, "AvailabilityZone"), AvailabilityZoneID: str(p, "AvailabilityZoneId"), TagSpecifications: ec2TagSpecs(req, "subnet")})
	if err != nil {
		return nil, err
	}
	if b := boolp(p, "MapPublicIpOnLaunch"); b != nil && *b {
		if _, err := n.svc.ModifySubnetAttribute(ctx, &ec2sim.ModifySubnetAttributeInput{SubnetID: out.Subnet.SubnetID,
			MapPublicIpOnLaunch: &ec2sim.AttributeBooleanValue{Value: true}}); err != nil {
			_, _ = n.svc.DeleteSubnet(ctx, &ec2sim.DeleteSubnetInput{SubnetID: out.Subnet.SubnetID})
			return nil, err
		}
	}
	return subnetResult(&out.Subnet), nil
}

func subnetResult(s *ec2sim.Subnet) *cloudformation.Result {
	return &cloudformation.Result{PhysicalID: s.SubnetID, Attributes: map[string]any{
		"SubnetId": s.SubnetID, "VpcId": s.VpcID, "CidrBlock": s.CidrBlock, "AvailabilityZone": s.AvailabilityZone,
		"AvailabilityZoneId": s.AvailabilityZoneID, "Ipv6CidrBlocks": []any{},
	}}
}

func (n network) describeSubnet(ctx context.Context, id string) (*ec2sim.Subnet, error) {
	out, err := n.svc.DescribeSubnets(ctx, &ec2sim.DescribeSubnetsInput{SubnetIDs: []string{id}})
	return one(out, err, func(o *ec2sim.DescribeSubnetsOutput) []ec2sim.Subnet { return o.Subnets },
		ec2sim.ErrSubnetNotFound.With("The subnet ID '%s' does not exist", id))
}

// updateSubnet applies tag and MapPublicIpOnLaunch changes; the other in-place attributes
// are recorded.
func (n network) updateSubnet(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := retag(ctx, n.svc, req.PhysicalID, req); err != nil {
		return nil, err
	}
	if changed(req, "MapPublicIpOnLaunch") {
		b := boolp(req.Properties, "MapPublicIpOnLaunch")
		if _, err := n.svc.ModifySubnetAttribute(ctx, &ec2sim.ModifySubnetAttributeInput{SubnetID: req.PhysicalID,
			MapPublicIpOnLaunch: &ec2sim.AttributeBooleanValue{Value: b != nil && *b}}); err != nil {
			return nil, err
		}
	}
	s, err := n.describeSubnet(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	return subnetResult(s), nil
}

func (n network) deleteSubnet(ctx context.Context, req *cloudformation.Request) error {
	_, err := n.svc.DeleteSubnet(ctx, &ec2sim.DeleteSubnetInput{SubnetID: req.PhysicalID})
	return notFound(err)
}

func (n network) readSubnet(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	s, err := n.describeSubnet(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	props := map[string]any{"VpcId": s.VpcID, "CidrBlock": s.CidrBlock}
	if _, ok := req.Properties["AvailabilityZone"]; ok {
		props["AvailabilityZone"] = s.AvailabilityZone
	}
	if _, ok := req.Properties["MapPublicIpOnLaunch"]; ok {
		props["MapPublicIpOnLaunch"] = s.MapPublicIpOnLaunch
	}
	return props, nil
}

// ---- Key pair ----

// keyParam is where AWS (and we) keep a created key pair's private key.
func keyParam(id string) string { return "/ec2/keypair/" + id }

func (n network) createKeyPair(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "KeyName"); err != nil {
		return nil, err
	}
	name := str(p, "KeyName")
	if pub := str(p, "PublicKeyMaterial"); pub != "" {
		out, err := n.svc.ImportKeyPair(ctx, &ec2sim.ImportKeyPairInput{KeyName: name, PublicKeyMaterial: []byte(pub), TagSpecifications: ec2TagSpecs(req, "key-pair")})
		if err != nil {
			return nil, err
		}
		return keyResult(out.KeyName, out.KeyPairID, out.KeyFingerprint), nil
	}
	out, err := n.svc.CreateKeyPair(ctx, &ec2sim.CreateKeyPairInput{KeyName: name, KeyType: str(p, "KeyType"), KeyFormat: str(p, "KeyFormat"),
		TagSpecifications: ec2TagSpecs(req, "key-pair")})
	if err != nil {
		return nil, err
	}
	if n.ssm != nil {
		if _, err := n.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: keyParam(out.KeyPairID), Value: out.KeyMaterial, Type: "SecureString",
			Description: "Private key of " + name}); err != nil {
			_, _ = n.svc.DeleteKeyPair(ctx, &ec2sim.DeleteKeyPairInput{KeyPairID: out.KeyPairID})
			return nil, err
		}
	}
	return keyResult(out.KeyName, out.KeyPairID, out.KeyFingerprint), nil
}

func keyResult(name, id, fp string) *cloudformation.Result {
	return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"KeyPairId": id, "KeyFingerprint": fp}}
}

func (n network) deleteKeyPair(ctx context.Context, req *cloudformation.Request) error {
	id, _ := req.Attributes["KeyPairId"].(string)
	if _, err := n.svc.DeleteKeyPair(ctx, &ec2sim.DeleteKeyPairInput{KeyName: req.PhysicalID}); notFound(err) != nil {
		return err
	}
	if n.ssm != nil && id != "" && str(req.Properties, "PublicKeyMaterial") == "" {
		if _, err := n.ssm.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: keyParam(id)}); err != nil && !errors.Is(err, ssm.ErrParameterNotFound) {
			return notFound(err)
		}
	}
	return nil
}

func (n network) readKeyPair(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := n.svc.DescribeKeyPairs(ctx, &ec2sim.DescribeKeyPairsInput{KeyNames: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.KeyPairs) == 0 {
		return nil, ec2sim.ErrKeyPairNotFound.With("The key pair '%s' does not exist", req.PhysicalID)
	}
	props := map[string]any{"KeyName": out.KeyPairs[0].KeyName}
	if _, ok := req.Properties["KeyType"]; ok {
		props["KeyType"] = out.KeyPairs[0].KeyType
	}
	return props, nil
}
