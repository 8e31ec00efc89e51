package cfnres

import (
	"context"
	"strings"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

// goneAS treats Auto Scaling's "... not found" validation errors as deleted.
func goneAS(err error) error {
	if err = notFound(err); err != nil && strings.Contains(strings.ToLower(err.Error()), "not found") {
		return nil
	}
	return err
}

func registerAutoScaling(cf *cloudformation.Service, svc *autoscaling.Service, ec2 *ec2sim.Service) {
	g := asGroups{svc, ec2}
	cf.RegisterProvider("AWS::AutoScaling::AutoScalingGroup", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: g.create, UpdateFunc: g.update, DeleteFunc: g.delete, ReadFunc: g.read},
		ReplaceOn: []string{"AutoScalingGroupName", "InstanceId"},
		Taggable:  true,
	})
	cf.RegisterProvider("AWS::AutoScaling::LaunchConfiguration", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: g.createLC, DeleteFunc: g.deleteLC},
		ReplaceOn: []string{"*"},
	})
	cf.RegisterProvider("AWS::AutoScaling::ScalingPolicy", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.putPolicy, UpdateFunc: g.putPolicy, DeleteFunc: g.deletePolicy},
		Attributes: []string{"Arn", "PolicyName"},
		ReplaceOn:  []string{"AutoScalingGroupName"},
	})
}

type asGroups struct {
	svc *autoscaling.Service
	ec2 *ec2sim.Service
}

// groupFields are the properties that carry UpdateAutoScalingGroup's names.
var groupFields = []string{"LaunchConfigurationName", "LaunchTemplate", "MinSize", "MaxSize", "DesiredCapacity", "AvailabilityZones",
	"HealthCheckType", "HealthCheckGracePeriod", "TerminationPolicies", "NewInstancesProtectedFromScaleIn"}

func groupProps(p map[string]any) map[string]any {
	sub := map[string]any{}
	for _, k := range groupFields {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if v, ok := p["Cooldown"]; ok {
		sub["DefaultCooldown"] = v
	}
	if lt := obj(p, "LaunchTemplateSpecification"); lt != nil { // older spelling
		sub["LaunchTemplate"] = lt
	}
	return sub
}

func (g asGroups) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "MinSize", "MaxSize"); err != nil {
		return nil, err
	}
	in := &autoscaling.CreateAutoScalingGroupInput{}
	sub := groupProps(p)
	for _, k := range []string{"LoadBalancerNames", "TargetGroupARNs", "LifecycleHookSpecificationList", "ServiceLinkedRoleARN", "InstanceId"} {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.AutoScalingGroupName = physicalName(req, "AutoScalingGroupName", 255)
	in.VPCZoneIdentifier = strings.Join(strs(p, "VPCZoneIdentifier"), ",")
	in.Tags = g.tags(req)
	if _, err := g.svc.CreateAutoScalingGroup(ctx, in); err != nil {
		return nil, err
	}
	if err := g.settle(ctx, in.AutoScalingGroupName); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.AutoScalingGroupName}, nil
}

func (g asGroups) tags(req *cloudformation.Request) []autoscaling.Tag {
	prop := map[string]bool{}
	if l, ok := req.Properties["Tags"].([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				prop[str(m, "Key")] = boolp(m, "PropagateAtLaunch") != nil && *boolp(m, "PropagateAtLaunch")
			}
		}
	}
	var out []autoscaling.Tag
	for _, t := range tags(req) {
		pr, ok := prop[t.Key]
		if !ok {
			pr = true // stack tags propagate
		}
		out = append(out, autoscaling.Tag{Key: t.Key, Value: t.Value, PropagateAtLaunch: &pr})
	}
	return out
}

// settle waits until the group's instances have booted (CloudFormation completes a group
// once its desired capacity is in service).
func (g asGroups) settle(ctx context.Context, name string) error {
	out, err := g.svc.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil || len(out.AutoScalingGroups) == 0 || g.ec2 == nil {
		return err
	}
	var ids []string
	for _, i := range out.AutoScalingGroups[0].Instances {
		ids = append(ids, i.InstanceID)
	}
	return g.ec2.WaitBooted(ctx, ids...)
}

func (g asGroups) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	in := &autoscaling.UpdateAutoScalingGroupInput{}
	if err := decode(groupProps(req.Properties), in); err != nil {
		return nil, err
	}
	in.AutoScalingGroupName = req.PhysicalID
	in.VPCZoneIdentifier = strings.Join(strs(req.Properties, "VPCZoneIdentifier"), ",")
	if _, err := g.svc.UpdateAutoScalingGroup(ctx, in); err != nil {
		return nil, err
	}
	if err := g.settle(ctx, req.PhysicalID); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID}, nil
}

func (g asGroups) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: req.PhysicalID, ForceDelete: true})
	if err != nil || g.ec2 == nil {
		return goneAS(err)
	}
	return g.ec2.Settle(ctx) // the instances' termination
}

func (g asGroups) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := g.svc.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.AutoScalingGroups) == 0 {
		return nil, autoscaling.ErrValidation.With("AutoScalingGroup name not found - %s", req.PhysicalID)
	}
	grp := out.AutoScalingGroups[0]
	props := map[string]any{"MinSize": str(map[string]any{"v": float64(grp.MinSize)}, "v"), "MaxSize": str(map[string]any{"v": float64(grp.MaxSize)}, "v")}
	if _, ok := req.Properties["DesiredCapacity"]; ok {
		props["DesiredCapacity"] = str(map[string]any{"v": float64(grp.DesiredCapacity)}, "v")
	}
	return props, nil
}

func (g asGroups) createLC(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "ImageId", "InstanceType"); err != nil {
		return nil, err
	}
	in := &autoscaling.CreateLaunchConfigurationInput{}
	sub := map[string]any{}
	for _, k := range []string{"ImageId", "InstanceType", "KeyName", "SecurityGroups", "UserData", "IamInstanceProfile"} {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.LaunchConfigurationName = physicalName(req, "LaunchConfigurationName", 255)
	if _, err := g.svc.CreateLaunchConfiguration(ctx, in); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.LaunchConfigurationName}, nil
}

func (g asGroups) deleteLC(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DeleteLaunchConfiguration(ctx, &autoscaling.DeleteLaunchConfigurationInput{LaunchConfigurationName: req.PhysicalID})
	return goneAS(err)
}

func (g asGroups) putPolicy(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "AutoScalingGroupName"); err != nil {
		return nil, err
	}
	in := &autoscaling.PutScalingPolicyInput{}
	sub := map[string]any{}
	for _, k := range []string{"PolicyType", "AdjustmentType", "ScalingAdjustment", "MinAdjustmentMagnitude", "Cooldown", "MetricAggregationType",
		"StepAdjustments", "EstimatedInstanceWarmup", "TargetTrackingConfiguration", "Enabled"} {
		if v, ok := p[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.AutoScalingGroupName = str(p, "AutoScalingGroupName")
	in.PolicyName, _ = req.Attributes["PolicyName"].(string)
	if in.PolicyName == "" {
		in.PolicyName = generatedName(req, 255)
	}
	out, err := g.svc.PutScalingPolicy(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.PolicyARN, Attributes: map[string]any{"Arn": out.PolicyARN, "PolicyName": in.PolicyName}}, nil
}

func (g asGroups) deletePolicy(ctx context.Context, req *cloudformation.Request) error {
	name, _ := req.Attributes["PolicyName"].(string)
	_, err := g.svc.DeletePolicy(ctx, &autoscaling.DeletePolicyInput{AutoScalingGroupName: str(req.Properties, "AutoScalingGroupName"), PolicyName: name})
	return goneAS(err)
}
