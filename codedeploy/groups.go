package codedeploy

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/store"
)

var triggerEventTypes = []string{"DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop",
	"DeploymentRollback", "DeploymentReady", "InstanceStart", "InstanceSuccess", "InstanceFailure", "InstanceReady"}

var rollbackEvents = []string{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"}

// groupSpec is what Create and Update share.
type groupSpec struct {
	DeploymentConfigName             *string
	EC2TagFilters                    []EC2TagFilter
	OnPremisesInstanceTagFilters     []TagFilter
	AutoScalingGroups                []string
	ServiceRoleArn                   *string
	TriggerConfigurations            []TriggerConfig
	AlarmConfiguration               *AlarmConfiguration
	AutoRollbackConfiguration        *AutoRollbackConfiguration
	OutdatedInstancesStrategy        *string
	DeploymentStyle                  *DeploymentStyle
	BlueGreenDeploymentConfiguration *BlueGreenDeploymentConfiguration
	LoadBalancerInfo                 *LoadBalancerInfo
	EC2TagSet                        *EC2TagSet
	ECSServices                      []ECSService
	OnPremisesTagSet                 *OnPremisesTagSet
	TerminationHookEnabled           *bool
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// apply validates spec and writes it onto g.
func (s *Service) applyGroupSpec(ctx context.Context, g *DeploymentGroupInfo, sp groupSpec) error {
	if sp.DeploymentConfigName != nil {
		if _, err := s.getConfig(ctx, *sp.DeploymentConfigName); err != nil {
			return err
		}
		g.DeploymentConfigName = *sp.DeploymentConfigName
	}
	if sp.ServiceRoleArn != nil {
		if !strings.HasPrefix(*sp.ServiceRoleArn, "arn:") || !strings.Contains(*sp.ServiceRoleArn, ":iam::") {
			return ErrInvalidRole.With("Invalid service role ARN: %s", *sp.ServiceRoleArn)
		}
		g.ServiceRoleArn = *sp.ServiceRoleArn
	}
	if sp.EC2TagFilters != nil && sp.EC2TagSet != nil && len(sp.EC2TagFilters) > 0 && len(sp.EC2TagSet.EC2TagSetList) > 0 {
		return ErrInvalidEC2TagCombination
	}
	if sp.EC2TagFilters != nil {
		fs, err := normalizeFilters(sp.EC2TagFilters)
		if err != nil {
			return err
		}
		g.EC2TagFilters = fs
		if len(fs) > 0 {
			g.EC2TagSet = nil
		}
	}
	if sp.EC2TagSet != nil {
		if len(sp.EC2TagSet.EC2TagSetList) > 3 {
			return ErrInvalidEC2TagCombination.With("An EC2 tag set can contain at most three tag groups")
		}
		set := &EC2TagSet{}
		for _, grp := range sp.EC2TagSet.EC2TagSetList {
			fs, err := normalizeFilters(grp)
			if err != nil {
				return err
			}
			set.EC2TagSetList = append(set.EC2TagSetList, fs)
		}
		if len(set.EC2TagSetList) > 0 {
			g.EC2TagSet = set
			g.EC2TagFilters = nil
		} else {
			g.EC2TagSet = nil
		}
	}
	if sp.OnPremisesInstanceTagFilters != nil {
		g.OnPremisesInstanceTagFilters = sp.OnPremisesInstanceTagFilters
	}
	if sp.OnPremisesTagSet != nil {
		g.OnPremisesTagSet = sp.OnPremisesTagSet
	}
	if sp.AutoScalingGroups != nil {
		var asgs []AutoScalingGroup
		for _, n := range sp.AutoScalingGroups {
			if n == "" || len(n) > 255 {
				return ErrInvalidAutoScalingGroup.With("Invalid Auto Scaling group name: %q", n)
			}
			hook := "CodeDeploy-managed-automatic-launch-deployment-hook-" + g.DeploymentGroupName + "-" + uuid.NewString()[:8]
			for _, old := range g.AutoScalingGroups {
				if old.Name == n {
					hook = old.Hook
				}
			}
			asgs = append(asgs, AutoScalingGroup{Name: n, Hook: hook})
		}
		g.AutoScalingGroups = asgs
	}
	if sp.TriggerConfigurations != nil {
		if len(sp.TriggerConfigurations) > 10 {
			return ErrTriggerTargetsLimit
		}
		for _, t := range sp.TriggerConfigurations {
			if t.TriggerName == "" || !strings.HasPrefix(t.TriggerTargetArn, "arn:") || !strings.Contains(t.TriggerTargetArn, ":sns:") {
				return ErrInvalidTriggerConfig.With("Trigger %q must name an SNS topic ARN", t.TriggerName)
			}
			for _, e := range t.TriggerEvents {
				if !slices.Contains(triggerEventTypes, e) {
					return ErrInvalidTriggerConfig.With("Invalid trigger event type: %s", e)
				}
			}
		}
		g.TriggerConfigurations = sp.TriggerConfigurations
	}
	if a := sp.AlarmConfiguration; a != nil {
		if len(a.Alarms) > 10 {
			return ErrAlarmsLimitExceeded
		}
		if a.Enabled && len(a.Alarms) == 0 {
			return ErrInvalidAlarmConfig.With("At least one alarm must be specified when the alarm configuration is enabled")
		}
		for _, al := range a.Alarms {
			if al.Name == "" {
				return ErrInvalidAlarmConfig.With("An alarm name is empty")
			}
		}
		g.AlarmConfiguration = a
	}
	if r := sp.AutoRollbackConfiguration; r != nil {
		if err := checkRollback(r); err != nil {
			return err
		}
		g.AutoRollbackConfiguration = r
	}
	if o := sp.OutdatedInstancesStrategy; o != nil {
		if *o != "UPDATE" && *o != "IGNORE" {
			return apierrInvalidInput("outdatedInstancesStrategy must be UPDATE or IGNORE")
		}
		g.OutdatedInstancesStrategy = *o
	}
	if st := sp.DeploymentStyle; st != nil {
		c := *st
		if c.DeploymentType == "" {
			c.DeploymentType = "IN_PLACE"
		}
		if c.DeploymentOption == "" {
			c.DeploymentOption = "WITHOUT_TRAFFIC_CONTROL"
		}
		if c.DeploymentType != "IN_PLACE" && c.DeploymentType != "BLUE_GREEN" ||
			c.DeploymentOption != "WITH_TRAFFIC_CONTROL" && c.DeploymentOption != "WITHOUT_TRAFFIC_CONTROL" {
			return ErrInvalidDeploymentStyle.With("Invalid deployment style %s/%s", c.DeploymentType, c.DeploymentOption)
		}
		g.DeploymentStyle = &c
	}
	if lb := sp.LoadBalancerInfo; lb != nil {
		for _, e := range lb.ELBInfoList {
			if e.Name == "" {
				return ErrInvalidLoadBalancerInfo
			}
		}
		for _, t := range lb.TargetGroupInfoList {
			if t.Name == "" {
				return ErrInvalidLoadBalancerInfo
			}
		}
		if len(lb.TargetGroupPairInfoList) > 0 {
			return ErrInvalidLoadBalancerInfo.With("Target group pairs are only valid for Amazon ECS deployment groups")
		}
		g.LoadBalancerInfo = lb
	}
	if bg := sp.BlueGreenDeploymentConfiguration; bg != nil {
		c := *bg
		g.BlueGreenDeploymentConfiguration = &c
	}
	if sp.TerminationHookEnabled != nil {
		g.TerminationHookEnabled = *sp.TerminationHookEnabled
	}
	if len(sp.ECSServices) > 0 {
		return ErrInvalidDeploymentStyle.With("ecsServices is only valid for Amazon ECS deployment groups")
	}
	// cross-field rules
	style := g.DeploymentStyle
	hasLB := g.LoadBalancerInfo != nil && (len(g.LoadBalancerInfo.ELBInfoList) > 0 || len(g.LoadBalancerInfo.TargetGroupInfoList) > 0)
	if style.DeploymentOption == "WITH_TRAFFIC_CONTROL" && !hasLB {
		return ErrInvalidLoadBalancerInfo.With("A load balancer (loadBalancerInfo) is required for deployments with traffic control")
	}
	if style.DeploymentType == "BLUE_GREEN" {
		if style.DeploymentOption != "WITH_TRAFFIC_CONTROL" {
			return ErrInvalidDeploymentStyle.With("Blue/green deployments on the Server compute platform require WITH_TRAFFIC_CONTROL")
		}
		if g.BlueGreenDeploymentConfiguration == nil {
			g.BlueGreenDeploymentConfiguration = &BlueGreenDeploymentConfiguration{}
		}
		bg := g.BlueGreenDeploymentConfiguration
		if bg.DeploymentReadyOption == nil {
			bg.DeploymentReadyOption = &DeploymentReadyOption{ActionOnTimeout: "CONTINUE_DEPLOYMENT"}
		}
		if bg.GreenFleetProvisioningOption == nil {
			bg.GreenFleetProvisioningOption = &GreenFleetProvisioningOption{Action: "DISCOVER_EXISTING"}
		}
		if bg.TerminateBlueInstancesOnDeploymentSuccess == nil {
			bg.TerminateBlueInstancesOnDeploymentSuccess = &BlueInstanceTerminationOption{Action: "TERMINATE", TerminationWaitTimeInMinutes: 60}
		}
		r, p, t := bg.DeploymentReadyOption, bg.GreenFleetProvisioningOption, bg.TerminateBlueInstancesOnDeploymentSuccess
		if r.ActionOnTimeout == "" {
			r.ActionOnTimeout = "CONTINUE_DEPLOYMENT"
		}
		if r.ActionOnTimeout != "CONTINUE_DEPLOYMENT" && r.ActionOnTimeout != "STOP_DEPLOYMENT" || r.WaitTimeInMinutes < 0 || r.WaitTimeInMinutes > 2880 {
			return ErrInvalidBlueGreenConfig.With("Invalid deploymentReadyOption")
		}
		if p.Action == "" {
			p.Action = "DISCOVER_EXISTING"
		}
		if p.Action != "DISCOVER_EXISTING" && p.Action != "COPY_AUTO_SCALING_GROUP" {
			return ErrInvalidBlueGreenConfig.With("Invalid greenFleetProvisioningOption action: %s", p.Action)
		}
		if p.Action == "COPY_AUTO_SCALING_GROUP" && len(g.AutoScalingGroups) != 1 {
			return ErrInvalidBlueGreenConfig.With("COPY_AUTO_SCALING_GROUP requires exactly one Auto Scaling group in the deployment group")
		}
		if t.Action == "" {
			t.Action = "TERMINATE"
		}
		if t.Action != "TERMINATE" && t.Action != "KEEP_ALIVE" || t.TerminationWaitTimeInMinutes < 0 || t.TerminationWaitTimeInMinutes > 2880 {
			return ErrInvalidBlueGreenConfig.With("Invalid terminateBlueInstancesOnDeploymentSuccess")
		}
	}
	return nil
}

func checkRollback(r *AutoRollbackConfiguration) error {
	if r.Enabled && len(r.Events) == 0 {
		return ErrInvalidAutoRollbackConfig.With("At least one event must be specified when automatic rollback is enabled")
	}
	for _, e := range r.Events {
		if !slices.Contains(rollbackEvents, e) {
			return ErrInvalidAutoRollbackConfig.With("Invalid automatic rollback event: %s", e)
		}
	}
	return nil
}

func normalizeFilters(in []EC2TagFilter) ([]EC2TagFilter, error) {
	out := make([]EC2TagFilter, 0, len(in))
	for _, f := range in {
		if f.Type == "" {
			switch {
			case f.Key != "" && f.Value != "":
				f.Type = "KEY_AND_VALUE"
			case f.Key != "":
				f.Type = "KEY_ONLY"
			default:
				f.Type = "VALUE_ONLY"
			}
		}
		switch f.Type {
		case "KEY_ONLY":
			if f.Key == "" {
				return nil, ErrInvalidEC2Tag.With("A KEY_ONLY tag filter needs a key")
			}
		case "VALUE_ONLY":
			if f.Value == "" {
				return nil, ErrInvalidEC2Tag.With("A VALUE_ONLY tag filter needs a value")
			}
		case "KEY_AND_VALUE":
			if f.Key == "" {
				return nil, ErrInvalidEC2Tag.With("A KEY_AND_VALUE tag filter needs a key")
			}
		default:
			return nil, ErrInvalidEC2Tag.With("Invalid tag filter type: %s", f.Type)
		}
		out = append(out, f)
	}
	return out, nil
}

// CreateDeploymentGroup creates a deployment group.
func (s *Service) CreateDeploymentGroup(ctx context.Context, in *CreateDeploymentGroupInput) (*CreateDeploymentGroupOutput, error) {
	return dispatchDo(ctx, s, "CreateDeploymentGroup", in, func(ctx context.Context, in *CreateDeploymentGroupInput) (*CreateDeploymentGroupOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		if in.DeploymentGroupName == "" {
			return nil, ErrDeploymentGroupNameRequired
		}
		if !validName(in.DeploymentGroupName, 100) {
			return nil, ErrInvalidDeploymentGroupName
		}
		if in.ServiceRoleArn == "" {
			return nil, ErrRoleRequired
		}
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		g := DeploymentGroupInfo{
			ApplicationName: in.ApplicationName, DeploymentGroupID: newID(), DeploymentGroupName: in.DeploymentGroupName,
			DeploymentConfigName: OneAtATime, ComputePlatform: "Server", OutdatedInstancesStrategy: "UPDATE",
			DeploymentStyle:           &DeploymentStyle{DeploymentType: "IN_PLACE", DeploymentOption: "WITHOUT_TRAFFIC_CONTROL"},
			AlarmConfiguration:        &AlarmConfiguration{Alarms: []Alarm{}},
			AutoRollbackConfiguration: &AutoRollbackConfiguration{},
		}
		sp := groupSpec{
			DeploymentConfigName: strp(in.DeploymentConfigName), EC2TagFilters: in.EC2TagFilters,
			OnPremisesInstanceTagFilters: in.OnPremisesInstanceTagFilters, AutoScalingGroups: in.AutoScalingGroups,
			ServiceRoleArn: strp(in.ServiceRoleArn), TriggerConfigurations: in.TriggerConfigurations,
			AlarmConfiguration: in.AlarmConfiguration, AutoRollbackConfiguration: in.AutoRollbackConfiguration,
			OutdatedInstancesStrategy: strp(in.OutdatedInstancesStrategy), DeploymentStyle: in.DeploymentStyle,
			BlueGreenDeploymentConfiguration: in.BlueGreenDeploymentConfiguration, LoadBalancerInfo: in.LoadBalancerInfo,
			EC2TagSet: in.EC2TagSet, ECSServices: in.ECSServices, OnPremisesTagSet: in.OnPremisesTagSet,
			TerminationHookEnabled: &in.TerminationHookEnabled,
		}
		if err := s.applyGroupSpec(ctx, &g, sp); err != nil {
			return nil, wrap(err)
		}
		err := s.groups.Create(ctx, groupKey(ctx, in.ApplicationName, in.DeploymentGroupName), groupRecord{Info: g, Tags: in.Tags})
		if errors.Is(err, store.ErrExists) {
			return nil, ErrDeploymentGroupExists.With("Deployment Group already exists with name %s", in.DeploymentGroupName)
		}
		if err != nil {
			return nil, wrap(err)
		}
		return &CreateDeploymentGroupOutput{DeploymentGroupID: g.DeploymentGroupID}, nil
	})
}

// UpdateDeploymentGroup changes a deployment group.
func (s *Service) UpdateDeploymentGroup(ctx context.Context, in *UpdateDeploymentGroupInput) (*UpdateDeploymentGroupOutput, error) {
	return dispatchDo(ctx, s, "UpdateDeploymentGroup", in, func(ctx context.Context, in *UpdateDeploymentGroupInput) (*UpdateDeploymentGroupOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		if in.CurrentDeploymentGroupName == "" {
			return nil, ErrDeploymentGroupNameRequired
		}
		key := groupKey(ctx, in.ApplicationName, in.CurrentDeploymentGroupName)
		newName := in.NewDeploymentGroupName
		if newName != "" && !validName(newName, 100) {
			return nil, ErrInvalidDeploymentGroupName
		}
		sp := groupSpec{
			DeploymentConfigName: strp(in.DeploymentConfigName), EC2TagFilters: in.EC2TagFilters,
			OnPremisesInstanceTagFilters: in.OnPremisesInstanceTagFilters, AutoScalingGroups: in.AutoScalingGroups,
			ServiceRoleArn: strp(in.ServiceRoleArn), TriggerConfigurations: in.TriggerConfigurations,
			AlarmConfiguration: in.AlarmConfiguration, AutoRollbackConfiguration: in.AutoRollbackConfiguration,
			OutdatedInstancesStrategy: strp(in.OutdatedInstancesStrategy), DeploymentStyle: in.DeploymentStyle,
			BlueGreenDeploymentConfiguration: in.BlueGreenDeploymentConfiguration, LoadBalancerInfo: in.LoadBalancerInfo,
			EC2TagSet: in.EC2TagSet, ECSServices: in.ECSServices, OnPremisesTagSet: in.OnPremisesTagSet,
			TerminationHookEnabled: in.TerminationHookEnabled,
		}
		rec, err := s.groups.Update(ctx, key, func(r *groupRecord) error {
			return s.applyGroupSpec(ctx, &r.Info, sp)
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrDeploymentGroupDoesNotExist.With("No Deployment Group found for name: %s", in.CurrentDeploymentGroupName)
		}
		if err != nil {
			return nil, wrap(err)
		}
		if newName != "" && newName != in.CurrentDeploymentGroupName {
			rec.Info.DeploymentGroupName = newName
			if err := s.groups.Create(ctx, groupKey(ctx, in.ApplicationName, newName), rec); errors.Is(err, store.ErrExists) {
				return nil, ErrDeploymentGroupExists.With("Deployment Group already exists with name %s", newName)
			} else if err != nil {
				return nil, wrap(err)
			}
			_ = s.groups.Delete(ctx, key)
		}
		return &UpdateDeploymentGroupOutput{HooksNotCleanedUp: []AutoScalingGroup{}}, nil
	})
}

// GetDeploymentGroup describes a deployment group.
func (s *Service) GetDeploymentGroup(ctx context.Context, in *GetDeploymentGroupInput) (*GetDeploymentGroupOutput, error) {
	return dispatchDo(ctx, s, "GetDeploymentGroup", in, func(ctx context.Context, in *GetDeploymentGroupInput) (*GetDeploymentGroupOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		g, err := s.getGroup(ctx, in.ApplicationName, in.DeploymentGroupName)
		if err != nil {
			return nil, wrap(err)
		}
		return &GetDeploymentGroupOutput{DeploymentGroupInfo: &g.Info}, nil
	})
}

// BatchGetDeploymentGroups describes up to 100 deployment groups.
func (s *Service) BatchGetDeploymentGroups(ctx context.Context, in *BatchGetDeploymentGroupsInput) (*BatchGetDeploymentGroupsOutput, error) {
	return dispatchDo(ctx, s, "BatchGetDeploymentGroups", in, func(ctx context.Context, in *BatchGetDeploymentGroupsInput) (*BatchGetDeploymentGroupsOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		if len(in.DeploymentGroupNames) == 0 {
			return nil, ErrDeploymentGroupNameRequired
		}
		if len(in.DeploymentGroupNames) > 100 {
			return nil, ErrBatchLimitExceeded
		}
		out := &BatchGetDeploymentGroupsOutput{DeploymentGroupsInfo: []DeploymentGroupInfo{}}
		var missing []string
		for _, n := range in.DeploymentGroupNames {
			g, err := s.getGroup(ctx, in.ApplicationName, n)
			if errors.Is(err, ErrDeploymentGroupDoesNotExist) {
				missing = append(missing, n)
				continue
			}
			if err != nil {
				return nil, wrap(err)
			}
			out.DeploymentGroupsInfo = append(out.DeploymentGroupsInfo, g.Info)
		}
		if len(missing) > 0 {
			out.ErrorMessage = "Deployment groups not found: " + strings.Join(missing, ", ")
		}
		return out, nil
	})
}

// ListDeploymentGroups lists an application's deployment groups.
func (s *Service) ListDeploymentGroups(ctx context.Context, in *ListDeploymentGroupsInput) (*ListDeploymentGroupsOutput, error) {
	return dispatchDo(ctx, s, "ListDeploymentGroups", in, func(ctx context.Context, in *ListDeploymentGroupsInput) (*ListDeploymentGroupsOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		after, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if after != "" {
			after = groupKey(ctx, in.ApplicationName, after)
		}
		vals, next, err := s.groups.List(ctx, groupKey(ctx, in.ApplicationName, ""), after, 100)
		if err != nil {
			return nil, wrap(err)
		}
		out := &ListDeploymentGroupsOutput{ApplicationName: in.ApplicationName, DeploymentGroups: []string{}}
		for _, g := range vals {
			out.DeploymentGroups = append(out.DeploymentGroups, g.Info.DeploymentGroupName)
		}
		if next != "" && len(vals) > 0 {
			out.NextToken = encodeToken(vals[len(vals)-1].Info.DeploymentGroupName)
		}
		return out, nil
	})
}

// DeleteDeploymentGroup deletes a deployment group.
func (s *Service) DeleteDeploymentGroup(ctx context.Context, in *DeleteDeploymentGroupInput) (*DeleteDeploymentGroupOutput, error) {
	return dispatchDo(ctx, s, "DeleteDeploymentGroup", in, func(ctx context.Context, in *DeleteDeploymentGroupInput) (*DeleteDeploymentGroupOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		if in.DeploymentGroupName == "" {
			return nil, ErrDeploymentGroupNameRequired
		}
		err := s.groups.Delete(ctx, groupKey(ctx, in.ApplicationName, in.DeploymentGroupName))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, wrap(err)
		}
		return &DeleteDeploymentGroupOutput{HooksNotCleanedUp: []AutoScalingGroup{}}, nil
	})
}

// matchTags reports whether an instance's tags satisfy a group's (or a deployment's) tag
// filters: with filters, any filter matches; with a tag set, every group has a matching
// filter.
func matchTags(tags map[string]string, filters []EC2TagFilter, set *EC2TagSet) bool {
	if set != nil && len(set.EC2TagSetList) > 0 {
		for _, grp := range set.EC2TagSetList {
			if !anyFilter(tags, grp) {
				return false
			}
		}
		return true
	}
	return anyFilter(tags, filters)
}

func anyFilter(tags map[string]string, filters []EC2TagFilter) bool {
	for _, f := range filters {
		switch f.Type {
		case "KEY_ONLY":
			if _, ok := tags[f.Key]; ok {
				return true
			}
		case "VALUE_ONLY":
			for _, v := range tags {
				if v == f.Value {
					return true
				}
			}
		default:
			if v, ok := tags[f.Key]; ok && v == f.Value {
				return true
			}
		}
	}
	return false
}
