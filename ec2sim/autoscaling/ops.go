package autoscaling

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

func do[In, Out any](ctx context.Context, s *Service, op string, in *In, fn func(context.Context, *In) (*Out, error)) (*Out, error) {
	return dispatch.Do(ctx, s.d, op, in, fn)
}

var nameRE = regexp.MustCompile(`^[\x20-\x7e]{1,255}$`)

func validName(field, v string) error {
	if v == "" {
		return ErrValidation.With("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if !nameRE.MatchString(v) || strings.Contains(v, ":") && field == "autoScalingGroupName" {
		return ErrValidation.With("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*", v, field)
	}
	return nil
}

func (s *Service) groupARN(ctx context.Context, name string) string {
	return core.ARN(ctx, "autoscaling", fmt.Sprintf("autoScalingGroup:%s:autoScalingGroupName/%s", newUUID(), name))
}

// CreateAutoScalingGroup creates a group and launches its desired capacity.
func (s *Service) CreateAutoScalingGroup(ctx context.Context, in *CreateAutoScalingGroupInput) (*Empty, error) {
	return do(ctx, s, "CreateAutoScalingGroup", in, s.createGroup)
}

func (s *Service) createGroup(ctx context.Context, in *CreateAutoScalingGroupInput) (*Empty, error) {
	if err := validName("autoScalingGroupName", in.AutoScalingGroupName); err != nil {
		return nil, err
	}
	sources := 0
	for _, v := range []bool{in.LaunchTemplate != nil, in.LaunchConfigurationName != "", in.InstanceID != "", in.MixedInstancesPolicy != nil} {
		if v {
			sources++
		}
	}
	if sources != 1 {
		return nil, ErrValidation.With("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
	}
	if in.MinSize < 0 || in.MaxSize < in.MinSize {
		return nil, ErrValidation.With("Max bound, %d, must be greater than or equal to min bound, %d", in.MaxSize, in.MinSize)
	}
	desired := in.MinSize
	if in.DesiredCapacity != nil {
		desired = *in.DesiredCapacity
		if desired < in.MinSize || desired > in.MaxSize {
			return nil, ErrValidation.With("Desired capacity:%d must be between the specified min size:%d and max size:%d", desired, in.MinSize, in.MaxSize)
		}
	}
	if in.VPCZoneIdentifier == "" && len(in.AvailabilityZones) == 0 {
		return nil, ErrValidation.With("At least one Availability Zone or VPC Subnet is required.")
	}
	account, region := core.Scope(ctx)
	g := groupRecord{Group: Group{AutoScalingGroupName: in.AutoScalingGroupName, LaunchConfigurationName: in.LaunchConfigurationName,
		MinSize: in.MinSize, MaxSize: in.MaxSize, DesiredCapacity: desired, DefaultCooldown: 300, AvailabilityZones: in.AvailabilityZones,
		LoadBalancerNames: in.LoadBalancerNames, TargetGroupARNs: in.TargetGroupARNs, HealthCheckType: "EC2", CreatedTime: s.clk.Now().UTC(),
		SuspendedProcesses: []SuspendedProcess{}, EnabledMetrics: []EnabledMetric{}, VPCZoneIdentifier: in.VPCZoneIdentifier, TerminationPolicies: in.TerminationPolicies,
		NewInstancesProtectedFromScaleIn: in.NewInstancesProtectedFromScaleIn,
		ServiceLinkedRoleARN:             fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", account)},
		Scope: scope(ctx), Account: account, Region: region}
	if g.LoadBalancerNames == nil {
		g.LoadBalancerNames = []string{}
	}
	if g.TargetGroupARNs == nil {
		g.TargetGroupARNs = []string{}
	}
	if len(g.TerminationPolicies) == 0 {
		g.TerminationPolicies = []string{"Default"}
	}
	if in.DefaultCooldown != nil {
		g.DefaultCooldown = *in.DefaultCooldown
	}
	if in.HealthCheckType != "" {
		if in.HealthCheckType != "EC2" && in.HealthCheckType != "ELB" {
			return nil, ErrValidation.With("Health check type %s is not valid", in.HealthCheckType)
		}
		g.HealthCheckType = in.HealthCheckType
	}
	if in.HealthCheckGracePeriod != nil {
		g.HealthCheckGracePeriod = *in.HealthCheckGracePeriod
	}
	if in.LaunchTemplate != nil {
		lts, err := s.ec2.DescribeLaunchTemplates(ctx, &ec2sim.DescribeLaunchTemplatesInput{LaunchTemplateIDs: nonEmpty(in.LaunchTemplate.LaunchTemplateID), LaunchTemplateNames: nonEmpty(in.LaunchTemplate.LaunchTemplateName)})
		if err != nil || len(lts.LaunchTemplates) != 1 {
			return nil, ErrValidation.With("You must use a valid fully-formed launch template. The specified launch template, with template name %s, does not exist.", in.LaunchTemplate.LaunchTemplateName+in.LaunchTemplate.LaunchTemplateID)
		}
		lt := *in.LaunchTemplate
		lt.LaunchTemplateID, lt.LaunchTemplateName = lts.LaunchTemplates[0].LaunchTemplateID, lts.LaunchTemplates[0].LaunchTemplateName
		if lt.Version == "" {
			lt.Version = "$Default"
		}
		g.LaunchTemplate = &lt
	}
	if mip := in.MixedInstancesPolicy; mip != nil {
		if mip.LaunchTemplate == nil || mip.LaunchTemplate.LaunchTemplateSpecification == nil {
			return nil, ErrValidation.With("The specified launch template is not valid: a MixedInstancesPolicy needs LaunchTemplate.LaunchTemplateSpecification.")
		}
		spec := mip.LaunchTemplate.LaunchTemplateSpecification
		lts, err := s.ec2.DescribeLaunchTemplates(ctx, &ec2sim.DescribeLaunchTemplatesInput{LaunchTemplateIDs: nonEmpty(spec.LaunchTemplateID), LaunchTemplateNames: nonEmpty(spec.LaunchTemplateName)})
		if err != nil || len(lts.LaunchTemplates) != 1 {
			return nil, ErrValidation.With("You must use a valid fully-formed launch template. The specified launch template, with template name %s, does not exist.", spec.LaunchTemplateName+spec.LaunchTemplateID)
		}
		lt := *spec
		lt.LaunchTemplateID, lt.LaunchTemplateName = lts.LaunchTemplates[0].LaunchTemplateID, lts.LaunchTemplates[0].LaunchTemplateName
		if lt.Version == "" {
			lt.Version = "$Default"
		}
		for _, o := range mip.LaunchTemplate.Overrides {
			if o.InstanceType == "" {
				return nil, ErrValidation.With("An override must specify InstanceType.")
			}
		}
		g.MixedInstancesPolicy = &MixedInstancesPolicy{LaunchTemplate: &MixedLaunchTemplate{LaunchTemplateSpecification: &lt, Overrides: mip.LaunchTemplate.Overrides}}
	}
	if in.LaunchConfigurationName != "" {
		if _, err := s.configs.Get(ctx, scope(ctx)+in.LaunchConfigurationName); err != nil {
			return nil, ErrValidation.With("Launch configuration name not found - Launch configuration %s not found", in.LaunchConfigurationName)
		}
	}
	if in.InstanceID != "" {
		return nil, apierr.New(apierr.Unsupported, "ValidationError", "Creating a group from InstanceId is not supported by devopsim; use a launch template.")
	}
	subnets := splitList(in.VPCZoneIdentifier)
	if len(subnets) > 0 {
		out, err := s.ec2.DescribeSubnets(ctx, &ec2sim.DescribeSubnetsInput{SubnetIDs: subnets})
		if err != nil {
			return nil, ErrValidation.With("The subnet ID '%s' does not exist", strings.Join(subnets, ","))
		}
		g.AvailabilityZones = nil
		for _, sn := range out.Subnets {
			if !slices.Contains(g.AvailabilityZones, sn.AvailabilityZone) {
				g.AvailabilityZones = append(g.AvailabilityZones, sn.AvailabilityZone)
			}
		}
	} else {
		for _, az := range in.AvailabilityZones {
			if !slices.Contains(ec2sim.Zones(region), az) {
				return nil, ErrValidation.With("The availability zone %s is not legitimate", az)
			}
		}
	}
	for _, t := range in.Tags {
		if t.Key == "" || len(t.Key) > 128 || strings.HasPrefix(t.Key, "aws:") {
			return nil, ErrValidation.With("Invalid tag key: %q", t.Key)
		}
		g.Tags = append(g.Tags, TagDescription{ResourceID: in.AutoScalingGroupName, ResourceType: "auto-scaling-group", Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch != nil && *t.PropagateAtLaunch})
	}
	if len(g.Tags) > 50 {
		return nil, ErrLimitExceeded.With("The number of tags per group exceeds the limit of 50")
	}
	if g.Tags == nil {
		g.Tags = []TagDescription{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g.AutoScalingGroupARN = s.groupARN(ctx, in.AutoScalingGroupName)
	if err := s.groups.Create(ctx, scope(ctx)+in.AutoScalingGroupName, g); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, ErrAlreadyExists.With("AutoScalingGroup by this name already exists - A group with the name %s already exists", in.AutoScalingGroupName)
		}
		return nil, err
	}
	for _, h := range in.LifecycleHookSpecificationList {
		if _, err := s.putHook(ctx, &PutLifecycleHookInput{LifecycleHookName: h.LifecycleHookName, AutoScalingGroupName: in.AutoScalingGroupName,
			LifecycleTransition: h.LifecycleTransition, HeartbeatTimeout: ptr(h.HeartbeatTimeout), DefaultResult: h.DefaultResult,
			NotificationMetadata: h.NotificationMetadata, NotificationTargetARN: h.NotificationTargetARN, RoleARN: h.RoleARN}); err != nil {
			_ = s.groups.Delete(ctx, scope(ctx)+in.AutoScalingGroupName)
			return nil, err
		}
	}
	if err := s.reconcileLocked(ec2sim.WithInternal(ctx), in.AutoScalingGroupName, ""); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func ptr(v int32) *int32 {
	if v == 0 {
		return nil
	}
	return &v
}

func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// UpdateAutoScalingGroup changes sizes, template, zones; the group is reconciled at once.
func (s *Service) UpdateAutoScalingGroup(ctx context.Context, in *UpdateAutoScalingGroupInput) (*Empty, error) {
	return do(ctx, s, "UpdateAutoScalingGroup", in, func(ctx context.Context, in *UpdateAutoScalingGroupInput) (*Empty, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.group(ctx, in.AutoScalingGroupName)
		if err != nil {
			return nil, err
		}
		if in.MinSize != nil {
			g.MinSize = *in.MinSize
		}
		if in.MaxSize != nil {
			g.MaxSize = *in.MaxSize
		}
		if in.DesiredCapacity != nil {
			g.DesiredCapacity = *in.DesiredCapacity
		} else {
			g.DesiredCapacity = max(g.MinSize, min(g.MaxSize, g.DesiredCapacity))
		}
		if g.MaxSize < g.MinSize {
			return nil, ErrValidation.With("Max bound, %d, must be greater than or equal to min bound, %d", g.MaxSize, g.MinSize)
		}
		if g.DesiredCapacity < g.MinSize || g.DesiredCapacity > g.MaxSize {
			return nil, ErrValidation.With("Desired capacity:%d must be between the specified min size:%d and max size:%d", g.DesiredCapacity, g.MinSize, g.MaxSize)
		}
		if in.LaunchTemplate != nil {
			lt := *in.LaunchTemplate
			if lt.Version == "" {
				lt.Version = "$Default"
			}
			g.LaunchTemplate, g.LaunchConfigurationName = &lt, ""
		}
		if in.LaunchConfigurationName != "" {
			g.LaunchConfigurationName, g.LaunchTemplate = in.LaunchConfigurationName, nil
		}
		if in.DefaultCooldown != nil {
			g.DefaultCooldown = *in.DefaultCooldown
		}
		if len(in.AvailabilityZones) > 0 {
			g.AvailabilityZones = in.AvailabilityZones
		}
		if in.VPCZoneIdentifier != "" {
			g.VPCZoneIdentifier = in.VPCZoneIdentifier
		}
		if in.HealthCheckType != "" {
			g.HealthCheckType = in.HealthCheckType
		}
		if in.HealthCheckGracePeriod != nil {
			g.HealthCheckGracePeriod = *in.HealthCheckGracePeriod
		}
		if len(in.TerminationPolicies) > 0 {
			g.TerminationPolicies = in.TerminationPolicies
		}
		if in.NewInstancesProtectedFromScaleIn != nil {
			g.NewInstancesProtectedFromScaleIn = *in.NewInstancesProtectedFromScaleIn
		}
		if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil {
			return nil, err
		}
		return &Empty{}, s.reconcileLocked(ec2sim.WithInternal(ctx), g.AutoScalingGroupName, "")
	})
}

// DeleteAutoScalingGroup deletes an empty group, or with ForceDelete terminates its instances.
func (s *Service) DeleteAutoScalingGroup(ctx context.Context, in *DeleteAutoScalingGroupInput) (*Empty, error) {
	return do(ctx, s, "DeleteAutoScalingGroup", in, func(ctx context.Context, in *DeleteAutoScalingGroupInput) (*Empty, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.group(ctx, in.AutoScalingGroupName)
		if err != nil {
			return nil, err
		}
		if len(g.Members) > 0 && !in.ForceDelete {
			return nil, ErrResourceInUse.With("You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.")
		}
		var ids []string
		for _, m := range g.Members {
			ids = append(ids, m.ID)
		}
		if len(ids) > 0 {
			if _, err := s.ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: ids}); err != nil && !errors.Is(err, ec2sim.ErrInstanceNotFound) {
				return nil, err
			}
		}
		_ = store.DeletePrefix(ctx, s.env.Store, s.policies.Prefix()+g.Scope+g.AutoScalingGroupName+"/")
		_ = store.DeletePrefix(ctx, s.env.Store, s.hooks.Prefix()+g.Scope+g.AutoScalingGroupName+"/")
		_ = store.DeletePrefix(ctx, s.env.Store, s.refreshes.Prefix()+g.Scope+g.AutoScalingGroupName+"/")
		if err := s.groups.Delete(ctx, g.Scope+g.AutoScalingGroupName); err != nil {
			return nil, err
		}
		return &Empty{}, nil
	})
}

func (g *groupRecord) view() Group {
	out := g.Group
	out.Instances = []Instance{}
	for _, m := range g.Members {
		out.Instances = append(out.Instances, Instance{InstanceID: m.ID, InstanceType: m.InstanceType, AvailabilityZone: m.AZ, LifecycleState: m.Lifecycle,
			HealthStatus: m.Health, LaunchConfigurationName: m.LaunchConfig, LaunchTemplate: m.LaunchTemplate, ProtectedFromScaleIn: m.Protected})
	}
	if out.AvailabilityZones == nil {
		out.AvailabilityZones = []string{}
	}
	if out.EnabledMetrics == nil {
		out.EnabledMetrics = []EnabledMetric{}
	}
	if out.SuspendedProcesses == nil {
		out.SuspendedProcesses = []SuspendedProcess{}
	}
	return out
}

// DescribeAutoScalingGroups lists groups (filters tag:<key>, tag-key, tag-value).
func (s *Service) DescribeAutoScalingGroups(ctx context.Context, in *DescribeAutoScalingGroupsInput) (*DescribeAutoScalingGroupsOutput, error) {
	return do(ctx, s, "DescribeAutoScalingGroups", in, func(ctx context.Context, in *DescribeAutoScalingGroupsInput) (*DescribeAutoScalingGroupsOutput, error) {
		limit := int(in.MaxRecords)
		if limit < 0 || limit > 100 {
			return nil, ErrValidation.With("MaxRecords must be between 1 and 100")
		}
		if limit == 0 {
			limit = 50
		}
		all, err := s.groups.All(ctx, scope(ctx))
		if err != nil {
			return nil, err
		}
		out := &DescribeAutoScalingGroupsOutput{AutoScalingGroups: []Group{}}
		for _, g := range all {
			if len(in.AutoScalingGroupNames) > 0 && !slices.Contains(in.AutoScalingGroupNames, g.AutoScalingGroupName) {
				continue
			}
			if in.NextToken != "" && g.AutoScalingGroupName <= in.NextToken {
				continue
			}
			if !matchTags(in.Filters, g.Tags) {
				continue
			}
			if len(out.AutoScalingGroups) == limit {
				out.NextToken = out.AutoScalingGroups[limit-1].AutoScalingGroupName
				break
			}
			out.AutoScalingGroups = append(out.AutoScalingGroups, g.view())
		}
		return out, nil
	})
}

func matchTags(filters []Filter, tags []TagDescription) bool {
	for _, f := range filters {
		hit := false
		for _, t := range tags {
			for _, v := range f.Values {
				switch {
				case strings.HasPrefix(f.Name, "tag:"):
					hit = hit || t.Key == f.Name[4:] && t.Value == v
				case f.Name == "tag-key":
					hit = hit || t.Key == v
				case f.Name == "tag-value":
					hit = hit || t.Value == v
				}
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// DescribeAutoScalingInstances lists group members.
func (s *Service) DescribeAutoScalingInstances(ctx context.Context, in *DescribeAutoScalingInstancesInput) (*DescribeAutoScalingInstancesOutput, error) {
	return do(ctx, s, "DescribeAutoScalingInstances", in, func(ctx context.Context, in *DescribeAutoScalingInstancesInput) (*DescribeAutoScalingInstancesOutput, error) {
		all, err := s.groups.All(ctx, scope(ctx))
		if err != nil {
			return nil, err
		}
		out := &DescribeAutoScalingInstancesOutput{AutoScalingInstances: []AutoScalingInstanceDetails{}}
		for _, g := range all {
			for _, m := range g.Members {
				if len(in.InstanceIDs) > 0 && !slices.Contains(in.InstanceIDs, m.ID) {
					continue
				}
				out.AutoScalingInstances = append(out.AutoScalingInstances, AutoScalingInstanceDetails{InstanceID: m.ID, InstanceType: m.InstanceType,
					AutoScalingGroupName: g.AutoScalingGroupName, AvailabilityZone: m.AZ, LifecycleState: m.Lifecycle, HealthStatus: strings.ToUpper(m.Health),
					LaunchConfigurationName: m.LaunchConfig, LaunchTemplate: m.LaunchTemplate, ProtectedFromScaleIn: m.Protected})
			}
		}
		return out, nil
	})
}

// SetDesiredCapacity changes a group's desired capacity and reconciles it.
func (s *Service) SetDesiredCapacity(ctx context.Context, in *SetDesiredCapacityInput) (*Empty, error) {
	return do(ctx, s, "SetDesiredCapacity", in, func(ctx context.Context, in *SetDesiredCapacityInput) (*Empty, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return &Empty{}, s.setDesiredLocked(ctx, in.AutoScalingGroupName, in.DesiredCapacity, in.HonorCooldown, "")
	})
}

func (s *Service) setDesiredLocked(ctx context.Context, name string, desired int32, honor bool, cause string) error {
	g, err := s.group(ctx, name)
	if err != nil {
		return err
	}
	if desired > g.MaxSize {
		return ErrValidation.With("New SetDesiredCapacity value %d is above max value %d for the AutoScalingGroup.", desired, g.MaxSize)
	}
	if desired < g.MinSize {
		return ErrValidation.With("New SetDesiredCapacity value %d is below min value %d for the AutoScalingGroup.", desired, g.MinSize)
	}
	if honor && !g.LastScaleAt.IsZero() && s.clk.Now().Sub(g.LastScaleAt).Seconds() < float64(g.DefaultCooldown) {
		return ErrScalingActive.With("Scaling activity %s is in progress and blocks this action", name)
	}
	if cause == "" {
		cause = s.cause("a user request explicitly set group desired capacity changing the desired capacity from %d to %d.", g.DesiredCapacity, desired)
	}
	g.DesiredCapacity = desired
	g.LastScaleAt = s.clk.Now().UTC()
	if err := s.groups.Put(ctx, g.Scope+name, g); err != nil {
		return err
	}
	return s.reconcileLocked(ec2sim.WithInternal(ctx), name, cause)
}

// TerminateInstanceInAutoScalingGroup terminates a member, optionally lowering the desired
// capacity (else a replacement launches).
func (s *Service) TerminateInstanceInAutoScalingGroup(ctx context.Context, in *TerminateInstanceInAutoScalingGroupInput) (*TerminateInstanceInAutoScalingGroupOutput, error) {
	return do(ctx, s, "TerminateInstanceInAutoScalingGroup", in, func(ctx context.Context, in *TerminateInstanceInAutoScalingGroupInput) (*TerminateInstanceInAutoScalingGroupOutput, error) {
		if in.ShouldDecrementDesiredCapacity == nil {
			return nil, ErrValidation.With("1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, idx, err := s.memberOf(ctx, in.InstanceID)
		if err != nil {
			return nil, err
		}
		if *in.ShouldDecrementDesiredCapacity {
			if g.DesiredCapacity-1 < g.MinSize {
				return nil, ErrValidation.With("Currently, desiredSize equals minSize (%d). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.", g.MinSize)
			}
			g.DesiredCapacity--
		}
		m := &g.Members[idx]
		cause := s.cause("instance %s was taken out of service in response to a user request.", m.ID)
		if *in.ShouldDecrementDesiredCapacity {
			cause += fmt.Sprintf(" Shrinking the capacity from %d to %d.", g.DesiredCapacity+1, g.DesiredCapacity)
		}
		s.startTerminate(ctx, &g, m, cause)
		act := m.Activity
		if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil {
			return nil, err
		}
		if err := s.reconcileLocked(ec2sim.WithInternal(ctx), g.AutoScalingGroupName, ""); err != nil {
			return nil, err
		}
		return &TerminateInstanceInAutoScalingGroupOutput{Activity: &Activity{ActivityID: act, AutoScalingGroupName: g.AutoScalingGroupName,
			Description: "Terminating EC2 instance: " + in.InstanceID, Cause: cause, StartTime: s.clk.Now().UTC(), StatusCode: "InProgress"}}, nil
	})
}

func (s *Service) memberOf(ctx context.Context, id string) (groupRecord, int, error) {
	all, err := s.groups.All(ctx, scope(ctx))
	if err != nil {
		return groupRecord{}, 0, err
	}
	for _, g := range all {
		for i, m := range g.Members {
			if m.ID == id {
				return g, i, nil
			}
		}
	}
	return groupRecord{}, 0, ErrValidation.With("Instance Id not found - No managed instance found for instance ID: %s", id)
}

// SetInstanceHealth marks a member Healthy or Unhealthy (unhealthy ones are replaced).
func (s *Service) SetInstanceHealth(ctx context.Context, in *SetInstanceHealthInput) (*Empty, error) {
	return do(ctx, s, "SetInstanceHealth", in, func(ctx context.Context, in *SetInstanceHealthInput) (*Empty, error) {
		if in.HealthStatus != "Healthy" && in.HealthStatus != "Unhealthy" {
			return nil, ErrValidation.With("Valid health status values are Healthy and Unhealthy")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, idx, err := s.memberOf(ctx, in.InstanceID)
		if err != nil {
			return nil, err
		}
		g.Members[idx].Health = in.HealthStatus
		if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil {
			return nil, err
		}
		return &Empty{}, s.reconcileLocked(ec2sim.WithInternal(ctx), g.AutoScalingGroupName, "")
	})
}

// DescribeScalingActivities lists a group's activities, newest first.
func (s *Service) DescribeScalingActivities(ctx context.Context, in *DescribeScalingActivitiesInput) (*DescribeScalingActivitiesOutput, error) {
	return do(ctx, s, "DescribeScalingActivities", in, func(ctx context.Context, in *DescribeScalingActivitiesInput) (*DescribeScalingActivitiesOutput, error) {
		limit := int(in.MaxRecords)
		if limit <= 0 || limit > 100 {
			limit = 100
		}
		prefix := scope(ctx)
		if in.AutoScalingGroupName != "" {
			prefix += in.AutoScalingGroupName + "/"
		}
		vals, next, err := s.activities.List(ctx, prefix, in.NextToken, limit)
		if err != nil {
			return nil, err
		}
		out := &DescribeScalingActivitiesOutput{Activities: []Activity{}, NextToken: next}
		for _, a := range vals {
			if len(in.ActivityIDs) > 0 && !slices.Contains(in.ActivityIDs, a.ActivityID) {
				continue
			}
			out.Activities = append(out.Activities, a.Activity)
		}
		return out, nil
	})
}

// Policies

// PutScalingPolicy creates or replaces a SimpleScaling, StepScaling or TargetTrackingScaling
// (predefined ASGAverageCPUUtilization, read from SetCPU) policy.
func (s *Service) PutScalingPolicy(ctx context.Context, in *PutScalingPolicyInput) (*PutScalingPolicyOutput, error) {
	return do(ctx, s, "PutScalingPolicy", in, func(ctx context.Context, in *PutScalingPolicyInput) (*PutScalingPolicyOutput, error) {
		if err := validName("policyName", in.PolicyName); err != nil {
			return nil, err
		}
		if _, err := s.group(ctx, in.AutoScalingGroupName); err != nil {
			return nil, err
		}
		p := policyRecord{ScalingPolicy: ScalingPolicy{AutoScalingGroupName: in.AutoScalingGroupName, PolicyName: in.PolicyName, PolicyType: in.PolicyType,
			AdjustmentType: in.AdjustmentType, ScalingAdjustment: in.ScalingAdjustment, MinAdjustmentMagnitude: in.MinAdjustmentMagnitude, Cooldown: in.Cooldown,
			StepAdjustments: in.StepAdjustments, MetricAggregationType: in.MetricAggregationType, EstimatedInstanceWarmup: in.EstimatedInstanceWarmup,
			TargetTrackingConfiguration: in.TargetTrackingConfiguration, Alarms: []Alarm{}, Enabled: in.Enabled == nil || *in.Enabled}}
		if p.PolicyType == "" {
			p.PolicyType = "SimpleScaling"
		}
		switch p.PolicyType {
		case "SimpleScaling":
			if in.ScalingAdjustment == nil {
				return nil, ErrValidation.With("ScalingAdjustment is required for SimpleScaling policy")
			}
		case "StepScaling":
			if len(in.StepAdjustments) == 0 {
				return nil, ErrValidation.With("StepAdjustments is required for StepScaling policy")
			}
		case "TargetTrackingScaling":
			tt := in.TargetTrackingConfiguration
			if tt == nil || tt.PredefinedMetricSpecification == nil {
				return nil, ErrValidation.With("TargetTrackingConfiguration with a PredefinedMetricSpecification is required (customized metrics are not supported by devopsim)")
			}
			if tt.PredefinedMetricSpecification.PredefinedMetricType != "ASGAverageCPUUtilization" {
				return nil, apierr.New(apierr.Unsupported, "ValidationError", "Predefined metric %s is not supported by devopsim; use ASGAverageCPUUtilization", tt.PredefinedMetricSpecification.PredefinedMetricType)
			}
			if tt.TargetValue <= 0 {
				return nil, ErrValidation.With("TargetValue must be greater than 0")
			}
			p.Alarms = []Alarm{{AlarmName: "TargetTracking-" + in.AutoScalingGroupName + "-AlarmHigh-" + newUUID(), AlarmARN: core.ARN(ctx, "cloudwatch", "alarm:TargetTracking-"+in.AutoScalingGroupName+"-AlarmHigh")}}
		default:
			return nil, ErrValidation.With("Invalid policy type %s", p.PolicyType)
		}
		if p.AdjustmentType == "" && p.PolicyType != "TargetTrackingScaling" {
			p.AdjustmentType = "ChangeInCapacity"
		}
		switch p.AdjustmentType {
		case "", "ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity":
		default:
			return nil, ErrValidation.With("Invalid adjustment type %s", p.AdjustmentType)
		}
		p.PolicyARN = core.ARN(ctx, "autoscaling", fmt.Sprintf("scalingPolicy:%s:autoScalingGroupName/%s:policyName/%s", newUUID(), in.AutoScalingGroupName, in.PolicyName))
		if old, err := s.policies.Get(ctx, scope(ctx)+in.AutoScalingGroupName+"/"+in.PolicyName); err == nil {
			p.PolicyARN = old.PolicyARN
		}
		if err := s.policies.Put(ctx, scope(ctx)+in.AutoScalingGroupName+"/"+in.PolicyName, p); err != nil {
			return nil, err
		}
		return &PutScalingPolicyOutput{PolicyARN: p.PolicyARN, Alarms: p.Alarms}, nil
	})
}

func (s *Service) policy(ctx context.Context, group, name string) (policyRecord, error) {
	if group != "" {
		p, err := s.policies.Get(ctx, scope(ctx)+group+"/"+name)
		if err != nil {
			return p, ErrValidation.With("No such policy %s for group %s", name, group)
		}
		return p, nil
	}
	all, _ := s.policies.All(ctx, scope(ctx))
	for _, p := range all {
		if p.PolicyName == name || p.PolicyARN == name {
			return p, nil
		}
	}
	return policyRecord{}, ErrValidation.With("No such policy %s", name)
}

// DescribePolicies lists policies.
func (s *Service) DescribePolicies(ctx context.Context, in *DescribePoliciesInput) (*DescribePoliciesOutput, error) {
	return do(ctx, s, "DescribePolicies", in, func(ctx context.Context, in *DescribePoliciesInput) (*DescribePoliciesOutput, error) {
		prefix := scope(ctx)
		if in.AutoScalingGroupName != "" {
			prefix += in.AutoScalingGroupName + "/"
		}
		all, err := s.policies.All(ctx, prefix)
		if err != nil {
			return nil, err
		}
		out := &DescribePoliciesOutput{ScalingPolicies: []ScalingPolicy{}}
		for _, p := range all {
			if len(in.PolicyNames) > 0 && !slices.Contains(in.PolicyNames, p.PolicyName) || len(in.PolicyTypes) > 0 && !slices.Contains(in.PolicyTypes, p.PolicyType) {
				continue
			}
			out.ScalingPolicies = append(out.ScalingPolicies, p.ScalingPolicy)
		}
		return out, nil
	})
}

// DeletePolicy deletes a policy.
func (s *Service) DeletePolicy(ctx context.Context, in *DeletePolicyInput) (*Empty, error) {
	return do(ctx, s, "DeletePolicy", in, func(ctx context.Context, in *DeletePolicyInput) (*Empty, error) {
		p, err := s.policy(ctx, in.AutoScalingGroupName, in.PolicyName)
		if err != nil {
			return nil, err
		}
		return &Empty{}, s.policies.Delete(ctx, scope(ctx)+p.AutoScalingGroupName+"/"+p.PolicyName)
	})
}

// ExecutePolicy runs a simple or step policy now (step policies need MetricValue and
// BreachThreshold).
func (s *Service) ExecutePolicy(ctx context.Context, in *ExecutePolicyInput) (*Empty, error) {
	return do(ctx, s, "ExecutePolicy", in, func(ctx context.Context, in *ExecutePolicyInput) (*Empty, error) {
		p, err := s.policy(ctx, in.AutoScalingGroupName, in.PolicyName)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.group(ctx, p.AutoScalingGroupName)
		if err != nil {
			return nil, err
		}
		if fromAlarm(ctx) && g.suspended(ProcessAlarmNotification) {
			return &Empty{}, nil // AlarmNotification suspended: alarms do not run policies
		}
		var adj int32
		switch p.PolicyType {
		case "TargetTrackingScaling":
			return nil, ErrValidation.With("ExecutePolicy is not supported for a target tracking scaling policy.")
		case "SimpleScaling":
			adj = *p.ScalingAdjustment
			cd := g.DefaultCooldown
			if p.Cooldown != nil {
				cd = *p.Cooldown
			}
			if in.HonorCooldown && !g.LastScaleAt.IsZero() && s.clk.Now().Sub(g.LastScaleAt).Seconds() < float64(cd) {
				return nil, ErrScalingActive.With("Scaling activity is in progress and blocks this action")
			}
		case "StepScaling":
			if in.MetricValue == nil || in.BreachThreshold == nil {
				return nil, ErrValidation.With("MetricValue and BreachThreshold are required for a step scaling policy.")
			}
			diff := *in.MetricValue - *in.BreachThreshold
			found := false
			for _, st := range p.StepAdjustments {
				lo, hi := math.Inf(-1), math.Inf(1)
				if st.MetricIntervalLowerBound != nil {
					lo = *st.MetricIntervalLowerBound
				}
				if st.MetricIntervalUpperBound != nil {
					hi = *st.MetricIntervalUpperBound
				}
				if diff >= lo && diff < hi || diff == hi && hi > 0 && math.IsInf(lo, 0) {
					adj, found = st.ScalingAdjustment, true
					break
				}
			}
			if !found {
				return nil, ErrValidation.With("The metric value %v does not fall within any step adjustment interval", *in.MetricValue)
			}
		}
		cur := g.DesiredCapacity
		want := cur
		switch p.AdjustmentType {
		case "ExactCapacity":
			want = adj
		case "PercentChangeInCapacity":
			d := float64(cur) * float64(adj) / 100
			step := int32(math.Trunc(d))
			if step == 0 && adj != 0 {
				step = 1
				if adj < 0 {
					step = -1
				}
			}
			if p.MinAdjustmentMagnitude != nil && abs(step) < *p.MinAdjustmentMagnitude {
				step = *p.MinAdjustmentMagnitude * sign(step)
			}
			want = cur + step
		default:
			want = cur + adj
		}
		want = max(g.MinSize, min(g.MaxSize, want))
		if want == cur {
			return &Empty{}, nil
		}
		return &Empty{}, s.setDesiredLocked(ctx, g.AutoScalingGroupName, want, false,
			s.cause("a user request executed policy %s changing the desired capacity from %d to %d.", p.PolicyName, cur, want))
	})
}

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int32) int32 {
	if v < 0 {
		return -1
	}
	return 1
}

// Lifecycle hooks

// PutLifecycleHook creates or updates a hook (default timeout 3600 s, default result ABANDON).
func (s *Service) PutLifecycleHook(ctx context.Context, in *PutLifecycleHookInput) (*Empty, error) {
	return do(ctx, s, "PutLifecycleHook", in, s.putHook)
}

func (s *Service) putHook(ctx context.Context, in *PutLifecycleHookInput) (*Empty, error) {
	if err := validName("lifecycleHookName", in.LifecycleHookName); err != nil {
		return nil, err
	}
	if _, err := s.group(ctx, in.AutoScalingGroupName); err != nil {
		return nil, err
	}
	h := hookRecord{LifecycleHook{LifecycleHookName: in.LifecycleHookName, AutoScalingGroupName: in.AutoScalingGroupName, LifecycleTransition: in.LifecycleTransition,
		NotificationTargetARN: in.NotificationTargetARN, RoleARN: in.RoleARN, NotificationMetadata: in.NotificationMetadata, HeartbeatTimeout: 3600, DefaultResult: "ABANDON"}}
	key := scope(ctx) + in.AutoScalingGroupName + "/" + in.LifecycleHookName
	if old, err := s.hooks.Get(ctx, key); err == nil {
		h = old
		if in.LifecycleTransition != "" {
			h.LifecycleTransition = in.LifecycleTransition
		}
	}
	switch h.LifecycleTransition {
	case "autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING":
	default:
		return nil, ErrValidation.With("Invalid Lifecycle Transition: %q", h.LifecycleTransition)
	}
	if in.HeartbeatTimeout != nil {
		if *in.HeartbeatTimeout < 30 || *in.HeartbeatTimeout > 7200 {
			return nil, ErrValidation.With("Heartbeat timeout must be between 30 and 7200 seconds")
		}
		h.HeartbeatTimeout = *in.HeartbeatTimeout
	}
	h.GlobalTimeout = min(h.HeartbeatTimeout*100, 172800)
	if in.DefaultResult != "" {
		if in.DefaultResult != "CONTINUE" && in.DefaultResult != "ABANDON" {
			return nil, ErrValidation.With("Valid values for DefaultResult are CONTINUE and ABANDON")
		}
		h.DefaultResult = in.DefaultResult
	}
	if in.NotificationMetadata != "" {
		h.NotificationMetadata = in.NotificationMetadata
	}
	if err := s.hooks.Put(ctx, key, h); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DescribeLifecycleHooks lists a group's hooks.
func (s *Service) DescribeLifecycleHooks(ctx context.Context, in *DescribeLifecycleHooksInput) (*DescribeLifecycleHooksOutput, error) {
	return do(ctx, s, "DescribeLifecycleHooks", in, func(ctx context.Context, in *DescribeLifecycleHooksInput) (*DescribeLifecycleHooksOutput, error) {
		if _, err := s.group(ctx, in.AutoScalingGroupName); err != nil {
			return nil, err
		}
		all, err := s.hooks.All(ctx, scope(ctx)+in.AutoScalingGroupName+"/")
		if err != nil {
			return nil, err
		}
		out := &DescribeLifecycleHooksOutput{LifecycleHooks: []LifecycleHook{}}
		for _, h := range all {
			if len(in.LifecycleHookNames) == 0 || slices.Contains(in.LifecycleHookNames, h.LifecycleHookName) {
				out.LifecycleHooks = append(out.LifecycleHooks, h.LifecycleHook)
			}
		}
		return out, nil
	})
}

// DeleteLifecycleHook deletes a hook.
func (s *Service) DeleteLifecycleHook(ctx context.Context, in *DeleteLifecycleHookInput) (*Empty, error) {
	return do(ctx, s, "DeleteLifecycleHook", in, func(ctx context.Context, in *DeleteLifecycleHookInput) (*Empty, error) {
		if err := s.hooks.Delete(ctx, scope(ctx)+in.AutoScalingGroupName+"/"+in.LifecycleHookName); err != nil {
			return nil, ErrValidation.With("No Lifecycle Hook found with name %s for group %s", in.LifecycleHookName, in.AutoScalingGroupName)
		}
		return &Empty{}, nil
	})
}

func (s *Service) waitingMember(ctx context.Context, group, hook, token, id string) (groupRecord, int, error) {
	g, err := s.group(ctx, group)
	if err != nil {
		return g, 0, err
	}
	for i, m := range g.Members {
		if (id != "" && m.ID == id || token != "" && m.Token == token) && strings.HasSuffix(m.Lifecycle, ":Wait") && m.Hook == hook {
			return g, i, nil
		}
	}
	if id != "" {
		return g, 0, ErrValidation.With("No active Lifecycle Action found with instance ID %s", id)
	}
	return g, 0, ErrValidation.With("No active Lifecycle Action found with token %s", token)
}

// CompleteLifecycleAction ends a waiting action with CONTINUE or ABANDON.
func (s *Service) CompleteLifecycleAction(ctx context.Context, in *CompleteLifecycleActionInput) (*Empty, error) {
	return do(ctx, s, "CompleteLifecycleAction", in, func(ctx context.Context, in *CompleteLifecycleActionInput) (*Empty, error) {
		if in.LifecycleActionResult != "CONTINUE" && in.LifecycleActionResult != "ABANDON" {
			return nil, ErrValidation.With("Valid values for LifecycleActionResult are CONTINUE and ABANDON")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, i, err := s.waitingMember(ctx, in.AutoScalingGroupName, in.LifecycleHookName, in.LifecycleActionToken, in.InstanceID)
		if err != nil {
			return nil, err
		}
		m := &g.Members[i]
		switch {
		case strings.HasPrefix(m.Lifecycle, "Pending") && in.LifecycleActionResult == "CONTINUE":
			m.Lifecycle = "Pending:Proceed"
		case strings.HasPrefix(m.Lifecycle, "Pending"):
			m.Lifecycle, m.Health = "Terminating:Proceed", "Unhealthy"
			m.Activity = s.addActivity(ctx, &g, "Terminating EC2 instance: "+m.ID, s.cause("the launch lifecycle action was abandoned."), "InProgress", "")
		default:
			m.Lifecycle = "Terminating:Proceed"
		}
		if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil {
			return nil, err
		}
		return &Empty{}, s.reconcileLocked(ec2sim.WithInternal(ctx), g.AutoScalingGroupName, "")
	})
}

// RecordLifecycleActionHeartbeat restarts a waiting action's timeout.
func (s *Service) RecordLifecycleActionHeartbeat(ctx context.Context, in *RecordLifecycleActionHeartbeatInput) (*Empty, error) {
	return do(ctx, s, "RecordLifecycleActionHeartbeat", in, func(ctx context.Context, in *RecordLifecycleActionHeartbeatInput) (*Empty, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g, i, err := s.waitingMember(ctx, in.AutoScalingGroupName, in.LifecycleHookName, in.LifecycleActionToken, in.InstanceID)
		if err != nil {
			return nil, err
		}
		h, err := s.hooks.Get(ctx, g.Scope+g.AutoScalingGroupName+"/"+in.LifecycleHookName)
		if err != nil {
			return nil, ErrValidation.With("No Lifecycle Hook found with name %s", in.LifecycleHookName)
		}
		g.Members[i].Deadline = s.clk.Now().UTC().Add(secs(h.HeartbeatTimeout))
		return &Empty{}, s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g)
	})
}

// Launch configurations

// CreateLaunchConfiguration creates a launch configuration.
func (s *Service) CreateLaunchConfiguration(ctx context.Context, in *CreateLaunchConfigurationInput) (*Empty, error) {
	return do(ctx, s, "CreateLaunchConfiguration", in, func(ctx context.Context, in *CreateLaunchConfigurationInput) (*Empty, error) {
		if err := validName("launchConfigurationName", in.LaunchConfigurationName); err != nil {
			return nil, err
		}
		if in.ImageID == "" || in.InstanceType == "" {
			return nil, ErrValidation.With("ImageId and InstanceType are required")
		}
		if _, err := s.ec2.DescribeImages(ctx, &ec2sim.DescribeImagesInput{ImageIDs: []string{in.ImageID}}); err != nil {
			return nil, ErrValidation.With("The image id '[%s]' does not exist", in.ImageID)
		}
		c := configRecord{LaunchConfiguration{LaunchConfigurationName: in.LaunchConfigurationName,
			LaunchConfigurationARN: core.ARN(ctx, "autoscaling", fmt.Sprintf("launchConfiguration:%s:launchConfigurationName/%s", newUUID(), in.LaunchConfigurationName)),
			ImageID:                in.ImageID, InstanceType: in.InstanceType, KeyName: in.KeyName, SecurityGroups: in.SecurityGroups, UserData: in.UserData,
			IamInstanceProfile: in.IamInstanceProfile, CreatedTime: s.clk.Now().UTC()}}
		if c.SecurityGroups == nil {
			c.SecurityGroups = []string{}
		}
		if err := s.configs.Create(ctx, scope(ctx)+in.LaunchConfigurationName, c); err != nil {
			if errors.Is(err, store.ErrExists) {
				return nil, ErrAlreadyExists.With("Launch Configuration by this name already exists - A launch configuration already exists with the name %s", in.LaunchConfigurationName)
			}
			return nil, err
		}
		return &Empty{}, nil
	})
}

// DescribeLaunchConfigurations lists launch configurations.
func (s *Service) DescribeLaunchConfigurations(ctx context.Context, in *DescribeLaunchConfigurationsInput) (*DescribeLaunchConfigurationsOutput, error) {
	return do(ctx, s, "DescribeLaunchConfigurations", in, func(ctx context.Context, in *DescribeLaunchConfigurationsInput) (*DescribeLaunchConfigurationsOutput, error) {
		all, err := s.configs.All(ctx, scope(ctx))
		if err != nil {
			return nil, err
		}
		out := &DescribeLaunchConfigurationsOutput{LaunchConfigurations: []LaunchConfiguration{}}
		for _, c := range all {
			if len(in.LaunchConfigurationNames) == 0 || slices.Contains(in.LaunchConfigurationNames, c.LaunchConfigurationName) {
				out.LaunchConfigurations = append(out.LaunchConfigurations, c.LaunchConfiguration)
			}
		}
		return out, nil
	})
}

// DeleteLaunchConfiguration deletes an unused launch configuration.
func (s *Service) DeleteLaunchConfiguration(ctx context.Context, in *DeleteLaunchConfigurationInput) (*Empty, error) {
	return do(ctx, s, "DeleteLaunchConfiguration", in, func(ctx context.Context, in *DeleteLaunchConfigurationInput) (*Empty, error) {
		groups, _ := s.groups.All(ctx, scope(ctx))
		for _, g := range groups {
			if g.LaunchConfigurationName == in.LaunchConfigurationName {
				return nil, ErrResourceInUse.With("Cannot delete launch configuration %s because it is attached to AutoScalingGroup %s", in.LaunchConfigurationName, g.AutoScalingGroupName)
			}
		}
		if err := s.configs.Delete(ctx, scope(ctx)+in.LaunchConfigurationName); err != nil {
			return nil, ErrValidation.With("Launch configuration name not found - Launch configuration %s not found", in.LaunchConfigurationName)
		}
		return &Empty{}, nil
	})
}
