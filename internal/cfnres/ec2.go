package cfnres

import (
	"context"
	"fmt"
	"strings"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
)

// ec2Tags are the resource's tags; ec2sim accepts the aws:cloudformation:* tags only on
// instances (from internal callers), so other types get the user tags alone.
func ec2Tags(req *cloudformation.Request) []ec2sim.Tag {
	return tagsOf(ec2TagList(req), func(t kv) ec2sim.Tag { return ec2sim.Tag{Key: t.Key, Value: t.Value} })
}

func ec2TagList(req *cloudformation.Request) []kv {
	if req.Type == "AWS::EC2::Instance" {
		return allTags(req)
	}
	return tags(req)
}

func ec2TagSpecs(req *cloudformation.Request, typ string) []ec2sim.TagSpecification {
	t := ec2Tags(req)
	if len(t) == 0 {
		return nil
	}
	return []ec2sim.TagSpecification{{ResourceType: typ, Tags: t}}
}

// retag replaces the resource's user tags (aws: tags stay) after an update.
func retag(ctx context.Context, svc *ec2sim.Service, id string, req *cloudformation.Request) error {
	if !changed(req, "Tags") {
		return nil
	}
	if drop := tagsOf(droppedTags(req, ec2TagList(req)), func(k string) ec2sim.Tag { return ec2sim.Tag{Key: k} }); len(drop) > 0 {
		if _, err := svc.DeleteTags(ctx, &ec2sim.DeleteTagsInput{Resources: []string{id}, Tags: drop}); err != nil {
			return err
		}
	}
	if t := ec2Tags(req); len(t) > 0 {
		_, err := svc.CreateTags(ec2sim.WithInternal(ctx), &ec2sim.CreateTagsInput{Resources: []string{id}, Tags: t})
		return err
	}
	return nil
}

func registerEC2(cf *cloudformation.Service, svc *ec2sim.Service) {
	sg := securityGroups{svc}
	cf.RegisterProvider("AWS::EC2::SecurityGroup", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: sg.create, UpdateFunc: sg.update, DeleteFunc: sg.delete, ReadFunc: sg.read},
		Attributes: []string{"GroupId", "VpcId"},
		// SecurityGroupIngress/SecurityGroupEgress changes authorize and revoke in place.
		ReplaceOn: []string{"GroupName", "GroupDescription", "VpcId"},
		Taggable:  true,
	})
	cf.RegisterProvider("AWS::EC2::SecurityGroupIngress", sg.ruleTypeSpec(false))
	cf.RegisterProvider("AWS::EC2::SecurityGroupEgress", sg.ruleTypeSpec(true))
	in := instances{svc}
	cf.RegisterProvider("AWS::EC2::Instance", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: in.create, UpdateFunc: in.update, DeleteFunc: in.delete, ReadFunc: in.read},
		Attributes: []string{"AvailabilityZone", "PrivateDnsName", "PrivateIp", "PublicDnsName", "PublicIp", "InstanceId", "VpcId"},
		ReplaceOn: []string{"ImageId", "KeyName", "SubnetId", "AvailabilityZone", "LaunchTemplate", "NetworkInterfaces",
			"PrivateIpAddress", "SecurityGroups", "SecurityGroupIds", "BlockDeviceMappings", "InstanceType", "UserData", "IamInstanceProfile"},
		Taggable: true,
	})
	lt := launchTemplates{svc}
	cf.RegisterProvider("AWS::EC2::LaunchTemplate", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: lt.create, UpdateFunc: lt.update, DeleteFunc: lt.delete},
		Attributes: []string{"LaunchTemplateId", "DefaultVersionNumber", "LatestVersionNumber"},
		ReplaceOn:  []string{"LaunchTemplateName", "TagSpecifications"},
		Taggable:   true,
	})
}

type securityGroups struct{ svc *ec2sim.Service }

func (g securityGroups) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "GroupDescription"); err != nil {
		return nil, err
	}
	name := physicalName(req, "GroupName", 255)
	out, err := g.svc.CreateSecurityGroup(ctx, &ec2sim.CreateSecurityGroupInput{
		GroupName: name, Description: str(p, "GroupDescription"), VpcID: str(p, "VpcId"), TagSpecifications: ec2TagSpecs(req, "security-group"),
	})
	if err != nil {
		return nil, err
	}
	ingress, egress, err := groupRules(p)
	if err == nil {
		err = g.syncRules(ctx, out.GroupID, nil, ingress, false)
	}
	if err == nil {
		err = g.syncRules(ctx, out.GroupID, []ec2sim.IpPermission{allEgress}, egress, true)
	}
	if err != nil {
		_, _ = g.svc.DeleteSecurityGroup(ctx, &ec2sim.DeleteSecurityGroupInput{GroupID: out.GroupID})
		return nil, err
	}
	desc, err := g.svc.DescribeSecurityGroups(ctx, &ec2sim.DescribeSecurityGroupsInput{GroupIDs: []string{out.GroupID}})
	if err != nil {
		return nil, err
	}
	vpc := ""
	if len(desc.SecurityGroups) > 0 {
		vpc = desc.SecurityGroups[0].VpcID
	}
	// AWS: Ref is the group ID when VpcId is given, else the group name.
	ref := out.GroupID
	if str(p, "VpcId") == "" {
		ref = name
	}
	return &cloudformation.Result{PhysicalID: ref, Attributes: map[string]any{"GroupId": out.GroupID, "VpcId": vpc}}, nil
}

func (g securityGroups) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	id, _ := req.Attributes["GroupId"].(string)
	oldIn, oldOut, err := groupRules(req.OldProperties)
	if err != nil {
		return nil, err
	}
	newIn, newOut, err := groupRules(req.Properties)
	if err != nil {
		return nil, err
	}
	if err := g.syncRules(ctx, id, oldIn, newIn, false); err != nil {
		return nil, err
	}
	if err := g.syncRules(ctx, id, oldOut, newOut, true); err != nil {
		return nil, err
	}
	if err := retag(ctx, g.svc, id, req); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (g securityGroups) delete(ctx context.Context, req *cloudformation.Request) error {
	id, _ := req.Attributes["GroupId"].(string)
	in := &ec2sim.DeleteSecurityGroupInput{GroupID: id}
	if id == "" {
		in = &ec2sim.DeleteSecurityGroupInput{GroupName: req.PhysicalID}
	}
	_, err := g.svc.DeleteSecurityGroup(ctx, in)
	return notFound(err)
}

func (g securityGroups) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	id, _ := req.Attributes["GroupId"].(string)
	out, err := g.svc.DescribeSecurityGroups(ctx, &ec2sim.DescribeSecurityGroupsInput{GroupIDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.SecurityGroups) == 0 {
		return nil, ec2sim.ErrGroupNotFound.With("The security group '%s' does not exist", id)
	}
	sg := out.SecurityGroups[0]
	props := map[string]any{"GroupDescription": sg.Description}
	if _, ok := req.Properties["GroupName"]; ok {
		props["GroupName"] = sg.GroupName
	}
	if _, ok := req.Properties["VpcId"]; ok {
		props["VpcId"] = sg.VpcID
	}
	return props, nil
}

type instances struct{ svc *ec2sim.Service }

func (s instances) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	in := &ec2sim.RunInstancesInput{MinCount: 1, MaxCount: 1}
	// ImageId, InstanceType, KeyName, SecurityGroupIds, SecurityGroups, SubnetId, UserData,
	// PrivateIpAddress, EbsOptimized, DisableApiTermination, BlockDeviceMappings,
	// NetworkInterfaces, LaunchTemplate carry the API's names.
	sub := map[string]any{}
	for _, k := range []string{"ImageId", "InstanceType", "KeyName", "SecurityGroupIds", "SecurityGroups", "SubnetId", "UserData",
		"PrivateIpAddress", "EbsOptimized", "DisableApiTermination", "BlockDeviceMappings", "NetworkInterfaces", "LaunchTemplate"} {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	if lt := obj(p, "LaunchTemplate"); lt != nil && in.LaunchTemplate != nil && in.LaunchTemplate.Version == "" {
		in.LaunchTemplate.Version = str(lt, "Version")
	}
	// A group without VpcId Refs to its name; templates still list it in SecurityGroupIds.
	var ids []string
	for _, g := range in.SecurityGroupIDs {
		if strings.HasPrefix(g, "sg-") {
			ids = append(ids, g)
		} else {
			in.SecurityGroups = append(in.SecurityGroups, g)
		}
	}
	in.SecurityGroupIDs = ids
	if name := str(p, "IamInstanceProfile"); name != "" {
		in.IamInstanceProfile = &ec2sim.IamInstanceProfileSpecification{Name: name}
	}
	if az := str(p, "AvailabilityZone"); az != "" {
		in.Placement = &ec2sim.Placement{AvailabilityZone: az, Tenancy: str(p, "Tenancy")}
	}
	in.TagSpecifications = ec2TagSpecs(req, "instance")
	res, err := s.svc.RunInstances(ec2sim.WithInternal(ctx), in)
	if err != nil {
		return nil, err
	}
	if len(res.Instances) == 0 {
		return nil, fmt.Errorf("RunInstances launched no instance")
	}
	id := res.Instances[0].InstanceID
	// CloudFormation completes an instance once it runs; the simulator also waits for the
	// user data to finish so templates can rely on what it installs.
	if err := s.svc.WaitBooted(ctx, id); err != nil {
		return nil, err
	}
	return s.result(ctx, id)
}

func (s instances) describe(ctx context.Context, id string) (*ec2sim.Instance, error) {
	out, err := s.svc.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{InstanceIDs: []string{id}})
	if err != nil {
		return nil, err
	}
	for _, r := range out.Reservations {
		for i := range r.Instances {
			return &r.Instances[i], nil
		}
	}
	return nil, ec2sim.ErrInstanceNotFound.With("The instance ID '%s' does not exist", id)
}

func (s instances) result(ctx context.Context, id string) (*cloudformation.Result, error) {
	i, err := s.describe(ctx, id)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{
		"InstanceId": id, "AvailabilityZone": i.Placement.AvailabilityZone, "PrivateDnsName": i.PrivateDnsName,
		"PrivateIp": i.PrivateIpAddress, "PublicDnsName": i.PublicDnsName, "PublicIp": i.PublicIpAddress, "VpcId": i.VpcID,
	}}, nil
}

func (s instances) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := retag(ctx, s.svc, req.PhysicalID, req); err != nil {
		return nil, err
	}
	return s.result(ctx, req.PhysicalID)
}

// delete terminates the instance and, as CloudFormation does, waits for the termination
// (so the security groups it used can be deleted next).
func (s instances) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := s.svc.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{req.PhysicalID}})
	if err != nil {
		return notFound(err)
	}
	return s.svc.Settle(ctx)
}

func (s instances) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	i, err := s.describe(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	if i.State.Name == "terminated" {
		return nil, ec2sim.ErrInstanceNotFound.With("The instance ID '%s' does not exist", req.PhysicalID)
	}
	props := map[string]any{}
	for k, v := range map[string]string{"ImageId": i.ImageID, "InstanceType": i.InstanceType, "KeyName": i.KeyName, "SubnetId": i.SubnetID} {
		if _, ok := req.Properties[k]; ok {
			props[k] = v
		}
	}
	return props, nil
}

type launchTemplates struct{ svc *ec2sim.Service }

func (s launchTemplates) data(req *cloudformation.Request) (ec2sim.LaunchTemplateData, error) {
	var d ec2sim.LaunchTemplateData
	m := obj(req.Properties, "LaunchTemplateData")
	if m == nil {
		return d, propErr("Property LaunchTemplateData cannot be empty.")
	}
	rest := map[string]any{}
	for k, v := range m {
		if k != "IamInstanceProfile" {
			rest[k] = v
		}
	}
	if err := decode(rest, &d); err != nil {
		return d, err
	}
	if ip := obj(m, "IamInstanceProfile"); ip != nil {
		d.IamInstanceProfile = &ec2sim.IamInstanceProfileSpecification{Arn: str(ip, "Arn"), Name: str(ip, "Name")}
	}
	return d, nil
}

func (s launchTemplates) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	d, err := s.data(req)
	if err != nil {
		return nil, err
	}
	out, err := s.svc.CreateLaunchTemplate(ctx, &ec2sim.CreateLaunchTemplateInput{
		LaunchTemplateName: physicalName(req, "LaunchTemplateName", 128), LaunchTemplateData: d,
		VersionDescription: str(req.Properties, "VersionDescription"), TagSpecifications: ec2TagSpecs(req, "launch-template"),
	})
	if err != nil {
		return nil, err
	}
	return ltResult(out.LaunchTemplate.LaunchTemplateID, out.LaunchTemplate.DefaultVersionNumber, out.LaunchTemplate.LatestVersionNumber), nil
}

func ltResult(id string, def, latest int64) *cloudformation.Result {
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{
		"LaunchTemplateId": id, "DefaultVersionNumber": fmt.Sprint(def), "LatestVersionNumber": fmt.Sprint(latest)}}
}

// update adds a version and makes it the default, as CloudFormation does.
func (s launchTemplates) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	d, err := s.data(req)
	if err != nil {
		return nil, err
	}
	v, err := s.svc.CreateLaunchTemplateVersion(ctx, &ec2sim.CreateLaunchTemplateVersionInput{
		LaunchTemplateID: req.PhysicalID, LaunchTemplateData: d, VersionDescription: str(req.Properties, "VersionDescription"),
	})
	if err != nil {
		return nil, err
	}
	n := v.LaunchTemplateVersion.VersionNumber
	if _, err := s.svc.ModifyLaunchTemplate(ctx, &ec2sim.ModifyLaunchTemplateInput{LaunchTemplateID: req.PhysicalID, DefaultVersion: fmt.Sprint(n)}); err != nil {
		return nil, err
	}
	return ltResult(req.PhysicalID, n, n), nil
}

func (s launchTemplates) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := s.svc.DeleteLaunchTemplate(ctx, &ec2sim.DeleteLaunchTemplateInput{LaunchTemplateID: req.PhysicalID})
	return notFound(err)
}
