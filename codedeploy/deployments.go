package codedeploy

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/codedeploy/appspec"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/store"
)

// Deployment statuses.
const (
	StatusCreated    = "Created"
	StatusQueued     = "Queued"
	StatusInProgress = "InProgress"
	StatusBaking     = "Baking"
	StatusSucceeded  = "Succeeded"
	StatusFailed     = "Failed"
	StatusStopped    = "Stopped"
	StatusReady      = "Ready"
)

var deploymentStatuses = []string{StatusCreated, StatusQueued, StatusInProgress, StatusBaking, StatusSucceeded, StatusFailed, StatusStopped, StatusReady}

func activeStatus(s string) bool {
	switch s {
	case StatusCreated, StatusQueued, StatusInProgress, StatusBaking, StatusReady:
		return true
	}
	return false
}

// createOpts are the parts of a deployment that API callers cannot set.
type createOpts struct {
	creator       string
	rollbackOf    string   // triggering deployment id, for rollbacks
	onlyInstances []string // Auto Scaling launch deployments: just these instances
	bypassLock    bool
}

// CreateDeployment deploys a revision to a deployment group.
func (s *Service) CreateDeployment(ctx context.Context, in *CreateDeploymentInput) (*CreateDeploymentOutput, error) {
	return dispatchDo(ctx, s, "CreateDeployment", in, func(ctx context.Context, in *CreateDeploymentInput) (*CreateDeploymentOutput, error) {
		id, err := s.createDeployment(ctx, in, createOpts{creator: "user"})
		if err != nil {
			return nil, wrap(err)
		}
		return &CreateDeploymentOutput{DeploymentID: id}, nil
	})
}

func (s *Service) createDeployment(ctx context.Context, in *CreateDeploymentInput, o createOpts) (string, error) {
	if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
		return "", err
	}
	if in.DeploymentGroupName == "" {
		return "", ErrDeploymentGroupNameRequired
	}
	g, err := s.getGroup(ctx, in.ApplicationName, in.DeploymentGroupName)
	if err != nil {
		return "", err
	}
	rev := in.Revision
	if rev == nil {
		rev = g.Info.TargetRevision
	}
	if err := checkRevision(rev); err != nil {
		return "", err
	}
	cfgName := in.DeploymentConfigName
	if cfgName == "" {
		cfgName = g.Info.DeploymentConfigName
	}
	if _, err := s.getConfig(ctx, cfgName); err != nil {
		return "", err
	}
	feb := in.FileExistsBehavior
	switch feb {
	case "":
		feb = appspec.Disallow
	case appspec.Disallow, appspec.Overwrite, appspec.Retain:
	default:
		return "", ErrInvalidFileExistsBehavior
	}
	if len(in.Description) > 100 {
		return "", ErrDescriptionTooLong
	}
	rollback := g.Info.AutoRollbackConfiguration
	if in.AutoRollbackConfiguration != nil {
		if err := checkRollback(in.AutoRollbackConfiguration); err != nil {
			return "", err
		}
		rollback = in.AutoRollbackConfiguration
	}
	style := g.Info.DeploymentStyle
	bg := style != nil && style.DeploymentType == "BLUE_GREEN"
	if in.TargetInstances != nil {
		if !bg {
			return "", ErrInvalidTargetInstances.With("targetInstances can only be specified for blue/green deployments")
		}
		if in.TargetInstances.EC2TagSet != nil && len(in.TargetInstances.TagFilters) > 0 {
			return "", ErrInvalidEC2TagCombination
		}
		fs, err := normalizeFilters(in.TargetInstances.TagFilters)
		if err != nil {
			return "", err
		}
		in.TargetInstances.TagFilters = fs
	}
	if bg && g.Info.BlueGreenDeploymentConfiguration.GreenFleetProvisioningOption.Action == "DISCOVER_EXISTING" && in.TargetInstances == nil && o.onlyInstances == nil {
		return "", ErrInvalidTargetInstances.With("A blue/green deployment that discovers existing instances needs targetInstances naming the replacement instances")
	}
	if s.deps.Fleet == nil {
		return "", ErrUnsupportedActionForPlatform.With("No EC2 fleet is connected to CodeDeploy on this platform")
	}
	if in.OverrideAlarmConfiguration != nil && in.OverrideAlarmConfiguration.Enabled && len(in.OverrideAlarmConfiguration.Alarms) == 0 {
		return "", ErrInvalidAlarmConfig
	}

	now := s.now()
	id := newDeploymentID()
	info := DeploymentInfo{
		ApplicationName: in.ApplicationName, DeploymentGroupName: in.DeploymentGroupName, DeploymentConfigName: cfgName,
		DeploymentID: id, Revision: rev, Status: StatusCreated, CreateTime: now,
		DeploymentOverview: &DeploymentOverview{}, Description: in.Description, Creator: o.creator,
		IgnoreApplicationStopFailures: in.IgnoreApplicationStopFailures, AutoRollbackConfiguration: rollback,
		UpdateOutdatedInstancesOnly: in.UpdateOutdatedInstancesOnly, DeploymentStyle: style,
		TargetInstances: in.TargetInstances, BlueGreenDeploymentConfiguration: g.Info.BlueGreenDeploymentConfiguration,
		LoadBalancerInfo: g.Info.LoadBalancerInfo, FileExistsBehavior: feb, ComputePlatform: "Server",
		OverrideAlarmConfiguration: in.OverrideAlarmConfiguration, PreviousRevision: g.LastSuccessfulRevision,
		DeploymentStatusMessages: []string{},
	}
	if o.rollbackOf != "" {
		info.RollbackInfo = &RollbackInfo{RollbackTriggeringDeploymentID: o.rollbackOf}
	}
	if o.onlyInstances != nil {
		// an Auto Scaling launch: in place on the new instances only
		info.DeploymentStyle = &DeploymentStyle{DeploymentType: "IN_PLACE", DeploymentOption: "WITHOUT_TRAFFIC_CONTROL"}
		info.BlueGreenDeploymentConfiguration = nil
		info.LoadBalancerInfo = nil
	}
	if !o.bypassLock {
		_, err = s.groups.Update(ctx, groupKey(ctx, in.ApplicationName, in.DeploymentGroupName), func(r *groupRecord) error {
			if la := r.Info.LastAttemptedDeployment; la != nil && activeStatus(la.Status) {
				return ErrDeploymentLimitExceeded.With("The Deployment Group '%s' already has an active Deployment '%s'", in.DeploymentGroupName, la.DeploymentID)
			}
			r.Info.LastAttemptedDeployment = &LastDeploymentInfo{DeploymentID: id, Status: StatusCreated, CreateTime: now}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	rec := deploymentRecord{Info: info, GroupID: g.Info.DeploymentGroupID}
	if err := s.deployments.Create(ctx, deploymentKey(ctx, id), rec); err != nil {
		return "", err
	}
	s.touchRevision(ctx, in.ApplicationName, rev, "", in.DeploymentGroupName, true)

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.finishEarly(ctx, id, "The deployment could not start because the service is shutting down")
		return id, nil
	}
	caller, _ := identity.From(ctx)
	rctx, cancel := context.WithCancelCause(identity.With(context.WithoutCancel(ctx), caller))
	r := &run{s: s, id: id, ctx: rctx, cancelFn: cancel, done: make(chan struct{}), signals: make(chan string, 4),
		statusOf: map[string]string{}, onlyInstances: o.onlyInstances, app: in.ApplicationName, group: in.DeploymentGroupName}
	s.running[id] = r
	s.wg.Add(1)
	s.mu.Unlock()
	go r.main()
	return id, nil
}

func (s *Service) finishEarly(ctx context.Context, id, msg string) {
	now := s.now()
	rec, err := s.deployments.Update(ctx, deploymentKey(ctx, id), func(d *deploymentRecord) error {
		d.Info.Status, d.Info.CompleteTime = StatusStopped, now
		d.Info.ErrorInformation = &ErrorInformation{Code: "INTERNAL_ERROR", Message: msg}
		return nil
	})
	if err == nil {
		s.setGroupLast(ctx, rec.Info, false)
	}
}

// GetDeployment describes a deployment.
func (s *Service) GetDeployment(ctx context.Context, in *GetDeploymentInput) (*GetDeploymentOutput, error) {
	return dispatchDo(ctx, s, "GetDeployment", in, func(ctx context.Context, in *GetDeploymentInput) (*GetDeploymentOutput, error) {
		d, err := s.getDeployment(ctx, in.DeploymentID)
		if err != nil {
			return nil, wrap(err)
		}
		s.liveOverview(&d.Info)
		return &GetDeploymentOutput{DeploymentInfo: &d.Info}, nil
	})
}

// BatchGetDeployments describes up to 25 deployments.
func (s *Service) BatchGetDeployments(ctx context.Context, in *BatchGetDeploymentsInput) (*BatchGetDeploymentsOutput, error) {
	return dispatchDo(ctx, s, "BatchGetDeployments", in, func(ctx context.Context, in *BatchGetDeploymentsInput) (*BatchGetDeploymentsOutput, error) {
		if len(in.DeploymentIDs) == 0 {
			return nil, ErrDeploymentIDRequired
		}
		if len(in.DeploymentIDs) > 25 {
			return nil, ErrBatchLimitExceeded.With("The maximum number of deployment IDs allowed for this request (25) was exceeded.")
		}
		out := &BatchGetDeploymentsOutput{DeploymentsInfo: []DeploymentInfo{}}
		for _, id := range in.DeploymentIDs {
			d, err := s.getDeployment(ctx, id)
			if errors.Is(err, ErrDeploymentDoesNotExist) {
				continue
			}
			if err != nil {
				return nil, wrap(err)
			}
			s.liveOverview(&d.Info)
			out.DeploymentsInfo = append(out.DeploymentsInfo, d.Info)
		}
		return out, nil
	})
}

// ListDeployments lists deployment ids, newest first.
func (s *Service) ListDeployments(ctx context.Context, in *ListDeploymentsInput) (*ListDeploymentsOutput, error) {
	return dispatchDo(ctx, s, "ListDeployments", in, func(ctx context.Context, in *ListDeploymentsInput) (*ListDeploymentsOutput, error) {
		if in.DeploymentGroupName != "" && in.ApplicationName == "" {
			return nil, ErrApplicationNameRequired
		}
		if in.ApplicationName != "" {
			if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
				return nil, wrap(err)
			}
			if in.DeploymentGroupName != "" {
				if _, err := s.getGroup(ctx, in.ApplicationName, in.DeploymentGroupName); err != nil {
					return nil, wrap(err)
				}
			}
		}
		for _, st := range in.IncludeOnlyStatuses {
			if !slices.Contains(deploymentStatuses, st) {
				return nil, ErrInvalidDeploymentStatus.With("Invalid deployment status: %s", st)
			}
		}
		if tr := in.CreateTimeRange; tr != nil && !tr.Start.IsZero() && !tr.End.IsZero() && tr.End.Before(tr.Start) {
			return nil, ErrInvalidTimeRange
		}
		start := 0
		if in.NextToken != "" {
			t, err := decodeToken(in.NextToken)
			if err != nil {
				return nil, err
			}
			if _, err := scanInt(t, &start); err != nil {
				return nil, err
			}
		}
		all, err := s.deployments.All(ctx, scopeKey(ctx))
		if err != nil {
			return nil, wrap(err)
		}
		var sel []DeploymentInfo
		for _, d := range all {
			i := d.Info
			if in.ApplicationName != "" && i.ApplicationName != in.ApplicationName ||
				in.DeploymentGroupName != "" && i.DeploymentGroupName != in.DeploymentGroupName ||
				in.ExternalID != "" && i.ExternalID != in.ExternalID ||
				len(in.IncludeOnlyStatuses) > 0 && !slices.Contains(in.IncludeOnlyStatuses, i.Status) {
				continue
			}
			if tr := in.CreateTimeRange; tr != nil {
				if !tr.Start.IsZero() && i.CreateTime.Before(tr.Start) || !tr.End.IsZero() && i.CreateTime.After(tr.End) {
					continue
				}
			}
			sel = append(sel, i)
		}
		sort.SliceStable(sel, func(a, b int) bool {
			if !sel[a].CreateTime.Equal(sel[b].CreateTime) {
				return sel[a].CreateTime.After(sel[b].CreateTime)
			}
			return sel[a].DeploymentID < sel[b].DeploymentID
		})
		start = min(start, len(sel))
		end := min(start+100, len(sel))
		out := &ListDeploymentsOutput{Deployments: []string{}}
		for _, d := range sel[start:end] {
			out.Deployments = append(out.Deployments, d.DeploymentID)
		}
		if end < len(sel) {
			out.NextToken = encodeToken(itoa(end))
		}
		return out, nil
	})
}

// StopDeployment stops a running deployment; with autoRollbackEnabled (or the deployment's
// DEPLOYMENT_STOP_ON_REQUEST rollback event) the last successful revision is redeployed.
func (s *Service) StopDeployment(ctx context.Context, in *StopDeploymentInput) (*StopDeploymentOutput, error) {
	return dispatchDo(ctx, s, "StopDeployment", in, func(ctx context.Context, in *StopDeploymentInput) (*StopDeploymentOutput, error) {
		d, err := s.getDeployment(ctx, in.DeploymentID)
		if err != nil {
			return nil, wrap(err)
		}
		if !activeStatus(d.Info.Status) {
			return nil, ErrDeploymentAlreadyCompleted.With("Deployment %s has already completed", in.DeploymentID)
		}
		_, err = s.deployments.Update(ctx, deploymentKey(ctx, in.DeploymentID), func(r *deploymentRecord) error {
			r.StopRequested = true
			r.OverrideRollback = in.AutoRollbackEnabled
			return nil
		})
		if err != nil {
			return nil, wrap(err)
		}
		s.mu.Lock()
		r := s.running[in.DeploymentID]
		s.mu.Unlock()
		if r == nil {
			s.finishEarly(ctx, in.DeploymentID, "The deployment was stopped while it was not running")
			return &StopDeploymentOutput{Status: "Succeeded", StatusMessage: "Deployment stopped"}, nil
		}
		r.cancel(errStopRequested)
		return &StopDeploymentOutput{Status: "Pending", StatusMessage: "Stopping Pending. Stopping to schedule commands in the deployment instances"}, nil
	})
}

// ContinueDeployment releases a blue/green deployment waiting for traffic rerouting
// (READY_WAIT) or for the original instances' termination (TERMINATION_WAIT).
func (s *Service) ContinueDeployment(ctx context.Context, in *ContinueDeploymentInput) (*ContinueDeploymentOutput, error) {
	return dispatchDo(ctx, s, "ContinueDeployment", in, func(ctx context.Context, in *ContinueDeploymentInput) (*ContinueDeploymentOutput, error) {
		return s.signal(ctx, in.DeploymentID, in.DeploymentWaitType)
	})
}

// SkipWaitTimeForInstanceTermination ends a blue/green deployment's wait before the original
// instances are terminated.
func (s *Service) SkipWaitTimeForInstanceTermination(ctx context.Context, in *SkipWaitTimeForInstanceTerminationInput) (*SkipWaitTimeForInstanceTerminationOutput, error) {
	return dispatchDo(ctx, s, "SkipWaitTimeForInstanceTermination", in, func(ctx context.Context, in *SkipWaitTimeForInstanceTerminationInput) (*SkipWaitTimeForInstanceTerminationOutput, error) {
		if _, err := s.signal(ctx, in.DeploymentID, "TERMINATION_WAIT"); err != nil {
			return nil, err
		}
		return &SkipWaitTimeForInstanceTerminationOutput{}, nil
	})
}

func (s *Service) signal(ctx context.Context, id, wait string) (*ContinueDeploymentOutput, error) {
	if wait == "" {
		wait = "READY_WAIT"
	}
	if wait != "READY_WAIT" && wait != "TERMINATION_WAIT" {
		return nil, ErrInvalidDeploymentWaitType
	}
	d, err := s.getDeployment(ctx, id)
	if err != nil {
		return nil, wrap(err)
	}
	if d.Info.DeploymentStyle == nil || d.Info.DeploymentStyle.DeploymentType != "BLUE_GREEN" {
		return nil, ErrUnsupportedActionForPlatform.With("ContinueDeployment is only valid for blue/green deployments")
	}
	if !activeStatus(d.Info.Status) {
		return nil, ErrDeploymentAlreadyCompleted.With("Deployment %s has already completed", id)
	}
	s.mu.Lock()
	r := s.running[id]
	s.mu.Unlock()
	if r == nil {
		return nil, ErrDeploymentNotReady
	}
	r.mu.Lock()
	waiting := r.waiting
	r.mu.Unlock()
	if waiting != wait {
		return nil, ErrDeploymentNotReady.With("The deployment %s is not waiting for %s", id, wait)
	}
	select {
	case r.signals <- wait:
	default:
	}
	return &ContinueDeploymentOutput{}, nil
}

// ---- instances and targets

func (s *Service) allTargets(ctx context.Context, id string) ([]InstanceTarget, error) {
	return s.targets.All(ctx, targetKey(ctx, id, ""))
}

// ListDeploymentInstances lists a deployment's instance ids.
func (s *Service) ListDeploymentInstances(ctx context.Context, in *ListDeploymentInstancesInput) (*ListDeploymentInstancesOutput, error) {
	return dispatchDo(ctx, s, "ListDeploymentInstances", in, func(ctx context.Context, in *ListDeploymentInstancesInput) (*ListDeploymentInstancesOutput, error) {
		if _, err := s.getDeployment(ctx, in.DeploymentID); err != nil {
			return nil, wrap(err)
		}
		for _, st := range in.InstanceStatusFilter {
			if !slices.Contains(instanceStatuses, st) {
				return nil, ErrInvalidInstanceStatus
			}
		}
		for _, t := range in.InstanceTypeFilter {
			if t != "Blue" && t != "Green" {
				return nil, ErrInvalidInstanceType
			}
		}
		ids, next, err := s.listTargets(ctx, in.DeploymentID, in.NextToken, in.InstanceStatusFilter, in.InstanceTypeFilter)
		if err != nil {
			return nil, err
		}
		return &ListDeploymentInstancesOutput{InstancesList: ids, NextToken: next}, nil
	})
}

var instanceStatuses = []string{"Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Unknown", "Ready"}

func (s *Service) listTargets(ctx context.Context, id, token string, statuses, labels []string) ([]string, string, error) {
	start := 0
	if token != "" {
		t, err := decodeToken(token)
		if err != nil {
			return nil, "", err
		}
		if _, err := scanInt(t, &start); err != nil {
			return nil, "", err
		}
	}
	all, err := s.allTargets(ctx, id)
	if err != nil {
		return nil, "", wrap(err)
	}
	ids := []string{}
	for _, t := range all {
		if len(statuses) > 0 && !slices.Contains(statuses, t.Status) || len(labels) > 0 && !slices.Contains(labels, t.InstanceLabel) {
			continue
		}
		ids = append(ids, t.TargetID)
	}
	start = min(start, len(ids))
	end := min(start+100, len(ids))
	next := ""
	if end < len(ids) {
		next = encodeToken(itoa(end))
	}
	return ids[start:end], next, nil
}

func summary(t InstanceTarget) InstanceSummary {
	return InstanceSummary{
		DeploymentID: t.DeploymentID, InstanceID: t.TargetArn, Status: t.Status, LastUpdatedAt: t.LastUpdatedAt,
		LifecycleEvents: t.LifecycleEvents, InstanceType: t.InstanceLabel,
	}
}

func (s *Service) getTarget(ctx context.Context, dep, id string) (InstanceTarget, error) {
	t, err := s.targets.Get(ctx, targetKey(ctx, dep, instanceIDOf(id)))
	if errors.Is(err, store.ErrNotFound) {
		return t, ErrTargetDoesNotExist.With("Target %s does not belong to deployment %s", id, dep)
	}
	return t, err
}

// instanceIDOf accepts an instance id or an instance ARN.
func instanceIDOf(s string) string {
	if i := strings.LastIndex(s, "instance/"); i >= 0 {
		return s[i+len("instance/"):]
	}
	return s
}

// BatchGetDeploymentInstances describes up to 100 of a deployment's instances.
func (s *Service) BatchGetDeploymentInstances(ctx context.Context, in *BatchGetDeploymentInstancesInput) (*BatchGetDeploymentInstancesOutput, error) {
	return dispatchDo(ctx, s, "BatchGetDeploymentInstances", in, func(ctx context.Context, in *BatchGetDeploymentInstancesInput) (*BatchGetDeploymentInstancesOutput, error) {
		if _, err := s.getDeployment(ctx, in.DeploymentID); err != nil {
			return nil, wrap(err)
		}
		if len(in.InstanceIDs) == 0 {
			return nil, ErrInstanceIDRequired
		}
		if len(in.InstanceIDs) > 100 {
			return nil, ErrBatchLimitExceeded
		}
		out := &BatchGetDeploymentInstancesOutput{InstancesSummary: []InstanceSummary{}}
		var missing []string
		for _, id := range in.InstanceIDs {
			t, err := s.getTarget(ctx, in.DeploymentID, id)
			if errors.Is(err, ErrTargetDoesNotExist) {
				missing = append(missing, id)
				continue
			}
			if err != nil {
				return nil, wrap(err)
			}
			out.InstancesSummary = append(out.InstancesSummary, summary(t))
		}
		if len(missing) > 0 {
			out.ErrorMessage = "Instances not found in the deployment: " + strings.Join(missing, ", ")
		}
		return out, nil
	})
}

// GetDeploymentInstance describes one of a deployment's instances.
func (s *Service) GetDeploymentInstance(ctx context.Context, in *GetDeploymentInstanceInput) (*GetDeploymentInstanceOutput, error) {
	return dispatchDo(ctx, s, "GetDeploymentInstance", in, func(ctx context.Context, in *GetDeploymentInstanceInput) (*GetDeploymentInstanceOutput, error) {
		if _, err := s.getDeployment(ctx, in.DeploymentID); err != nil {
			return nil, wrap(err)
		}
		if in.InstanceID == "" {
			return nil, ErrInstanceIDRequired
		}
		t, err := s.getTarget(ctx, in.DeploymentID, in.InstanceID)
		if errors.Is(err, ErrTargetDoesNotExist) {
			return nil, ErrInstanceDoesNotExist.With("Instance %s is not part of deployment %s", in.InstanceID, in.DeploymentID)
		}
		if err != nil {
			return nil, wrap(err)
		}
		sum := summary(t)
		return &GetDeploymentInstanceOutput{InstanceSummary: &sum}, nil
	})
}

// ListDeploymentTargets lists a deployment's target ids (instance ids).
func (s *Service) ListDeploymentTargets(ctx context.Context, in *ListDeploymentTargetsInput) (*ListDeploymentTargetsOutput, error) {
	return dispatchDo(ctx, s, "ListDeploymentTargets", in, func(ctx context.Context, in *ListDeploymentTargetsInput) (*ListDeploymentTargetsOutput, error) {
		if _, err := s.getDeployment(ctx, in.DeploymentID); err != nil {
			return nil, wrap(err)
		}
		var statuses, labels []string
		for k, v := range in.TargetFilters {
			switch k {
			case "TargetStatus":
				statuses = v
			case "ServerInstanceLabel":
				labels = v
			default:
				return nil, apierrInvalidInput("Invalid target filter name: " + k)
			}
		}
		ids, next, err := s.listTargets(ctx, in.DeploymentID, in.NextToken, statuses, labels)
		if err != nil {
			return nil, err
		}
		return &ListDeploymentTargetsOutput{TargetIDs: ids, NextToken: next}, nil
	})
}

// BatchGetDeploymentTargets describes up to 25 of a deployment's targets.
func (s *Service) BatchGetDeploymentTargets(ctx context.Context, in *BatchGetDeploymentTargetsInput) (*BatchGetDeploymentTargetsOutput, error) {
	return dispatchDo(ctx, s, "BatchGetDeploymentTargets", in, func(ctx context.Context, in *BatchGetDeploymentTargetsInput) (*BatchGetDeploymentTargetsOutput, error) {
		if _, err := s.getDeployment(ctx, in.DeploymentID); err != nil {
			return nil, wrap(err)
		}
		if len(in.TargetIDs) == 0 {
			return nil, ErrTargetIDRequired
		}
		if len(in.TargetIDs) > 25 {
			return nil, ErrTargetListSizeExceeded
		}
		out := &BatchGetDeploymentTargetsOutput{DeploymentTargets: []DeploymentTarget{}}
		for _, id := range in.TargetIDs {
			t, err := s.getTarget(ctx, in.DeploymentID, id)
			if err != nil {
				return nil, wrap(err)
			}
			out.DeploymentTargets = append(out.DeploymentTargets, DeploymentTarget{DeploymentTargetType: "InstanceTarget", InstanceTarget: &t})
		}
		return out, nil
	})
}

// GetDeploymentTarget describes one of a deployment's targets.
func (s *Service) GetDeploymentTarget(ctx context.Context, in *GetDeploymentTargetInput) (*GetDeploymentTargetOutput, error) {
	return dispatchDo(ctx, s, "GetDeploymentTarget", in, func(ctx context.Context, in *GetDeploymentTargetInput) (*GetDeploymentTargetOutput, error) {
		if _, err := s.getDeployment(ctx, in.DeploymentID); err != nil {
			return nil, wrap(err)
		}
		if in.TargetID == "" {
			return nil, ErrTargetIDRequired
		}
		t, err := s.getTarget(ctx, in.DeploymentID, in.TargetID)
		if err != nil {
			return nil, wrap(err)
		}
		return &GetDeploymentTargetOutput{DeploymentTarget: &DeploymentTarget{DeploymentTargetType: "InstanceTarget", InstanceTarget: &t}}, nil
	})
}

// ---- tags

func (s *Service) tagged(ctx context.Context, arn string, fn func(tags *[]Tag) error) error {
	if arn == "" {
		return ErrResourceArnRequired
	}
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":codedeploy:") {
		return ErrInvalidArn.With("Invalid ARN: %s", arn)
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ErrInvalidArn.With("Invalid ARN: %s", arn)
	}
	res := parts[5]
	switch {
	case strings.HasPrefix(res, "application:"):
		_, err := s.apps.Update(ctx, appKey(ctx, strings.TrimPrefix(res, "application:")), func(r *appRecord) error { return fn(&r.Tags) })
		if errors.Is(err, store.ErrNotFound) {
			return ErrApplicationDoesNotExist.With("No application found for ARN: %s", arn)
		}
		return err
	case strings.HasPrefix(res, "deploymentgroup:"):
		app, grp, _ := strings.Cut(strings.TrimPrefix(res, "deploymentgroup:"), "/")
		_, err := s.groups.Update(ctx, groupKey(ctx, app, grp), func(r *groupRecord) error { return fn(&r.Tags) })
		if errors.Is(err, store.ErrNotFound) {
			return ErrDeploymentGroupDoesNotExist.With("No deployment group found for ARN: %s", arn)
		}
		return err
	}
	return ErrArnNotSupported.With("Tagging is supported for applications and deployment groups: %s", arn)
}

// TagResource adds tags to an application or deployment group.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	return dispatchDo(ctx, s, "TagResource", in, func(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
		if len(in.Tags) == 0 {
			return nil, ErrTagRequired
		}
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		err := s.tagged(ctx, in.ResourceArn, func(tags *[]Tag) error {
			for _, t := range in.Tags {
				i := slices.IndexFunc(*tags, func(x Tag) bool { return x.Key == t.Key })
				if i >= 0 {
					(*tags)[i] = t
				} else {
					*tags = append(*tags, t)
				}
			}
			if len(*tags) > 50 {
				return ErrInvalidTagsToAdd.With("A resource can have at most 50 tags")
			}
			return nil
		})
		if err != nil {
			return nil, wrap(err)
		}
		return &TagResourceOutput{}, nil
	})
}

// UntagResource removes tags.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	return dispatchDo(ctx, s, "UntagResource", in, func(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
		if len(in.TagKeys) == 0 {
			return nil, ErrTagRequired
		}
		err := s.tagged(ctx, in.ResourceArn, func(tags *[]Tag) error {
			*tags = slices.DeleteFunc(*tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
			return nil
		})
		if err != nil {
			return nil, wrap(err)
		}
		return &UntagResourceOutput{}, nil
	})
}

// ListTagsForResource lists the tags of an application or deployment group.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	return dispatchDo(ctx, s, "ListTagsForResource", in, func(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
		out := &ListTagsForResourceOutput{Tags: []Tag{}}
		err := s.tagged(ctx, in.ResourceArn, func(tags *[]Tag) error {
			out.Tags = append(out.Tags, *tags...)
			return errNoWrite
		})
		if err != nil && !errors.Is(err, errNoWrite) {
			return nil, wrap(err)
		}
		return out, nil
	})
}

var errNoWrite = errors.New("read only")

// ---- Auto Scaling launches

// DeployToLaunchedInstance deploys the last successful revision of every deployment group
// that includes Auto Scaling group asg to a newly launched instance, and waits for the
// deployments (what AWS does with its launch lifecycle hook). The root calls it from the
// Auto Scaling launch path before putting the instance in service; an error means a
// deployment failed and the instance should be abandoned. Groups without a successful
// deployment are skipped. ctx carries the account and region (core.Scope).
func (s *Service) DeployToLaunchedInstance(ctx context.Context, asg, instanceID string) error {
	if c, ok := identity.From(ctx); !ok || c.Account == "" {
		ctx = identity.With(ctx, identity.Root(s.env.Account, s.env.Region))
	}
	groups, err := s.groups.All(ctx, scopeKey(ctx))
	if err != nil {
		return err
	}
	var ids []string
	for _, g := range groups {
		if g.LastSuccessfulRevision == nil || !slices.ContainsFunc(g.Info.AutoScalingGroups, func(a AutoScalingGroup) bool { return a.Name == asg }) {
			continue
		}
		id, err := s.createDeployment(ctx, &CreateDeploymentInput{
			ApplicationName: g.Info.ApplicationName, DeploymentGroupName: g.Info.DeploymentGroupName,
			Revision: g.LastSuccessfulRevision, DeploymentConfigName: AllAtOnce, FileExistsBehavior: appspec.Overwrite,
		}, createOpts{creator: "autoscaling", onlyInstances: []string{instanceID}, bypassLock: true})
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	var errs []error
	for _, id := range ids {
		if err := s.Wait(ctx, id); err != nil {
			return err
		}
		d, err := s.deployments.Get(ctx, deploymentKey(ctx, id))
		if err != nil {
			return err
		}
		if d.Info.Status != StatusSucceeded {
			msg := d.Info.Status
			if d.Info.ErrorInformation != nil {
				msg += ": " + d.Info.ErrorInformation.Message
			}
			errs = append(errs, errf("codedeploy: deployment %s to launched instance %s: %s", id, instanceID, msg))
		}
	}
	return errors.Join(errs...)
}

// run is one deployment executing in this process.
type run struct {
	s             *Service
	id            string
	app, group    string
	ctx           context.Context
	cancelFn      context.CancelCauseFunc
	done          chan struct{}
	signals       chan string
	onlyInstances []string

	mu       sync.Mutex
	waiting  string // READY_WAIT or TERMINATION_WAIT while waiting
	overview DeploymentOverview
	statusOf map[string]string
	bundle   *bundle
	bundleMu sync.Mutex
	started  time.Time
	alarmCfg *AlarmConfiguration
	specs    map[string]specResult // parsed appspecs of previous revisions, by content
}

func (r *run) cancel(cause error) { r.cancelFn(cause) }

type specResult struct {
	spec *appspec.AppSpec
	err  error
}

// parseCached parses an appspec found on a host; hosts of a group usually share one.
func (r *run) parseCached(data []byte) (*appspec.AppSpec, error) {
	r.mu.Lock()
	res, ok := r.specs[string(data)]
	r.mu.Unlock()
	if ok {
		return res.spec, res.err
	}
	sp, err := appspec.Parse(data)
	r.mu.Lock()
	if r.specs == nil {
		r.specs = map[string]specResult{}
	}
	r.specs[string(data)] = specResult{sp, err}
	r.mu.Unlock()
	return sp, err
}

// liveOverview puts the instance counts of a deployment running in this process into info
// (the stored overview is written at phase boundaries and at the end).
func (s *Service) liveOverview(info *DeploymentInfo) {
	s.mu.Lock()
	r := s.running[info.DeploymentID]
	s.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	ov := r.overview
	r.mu.Unlock()
	info.DeploymentOverview = &ov
}
