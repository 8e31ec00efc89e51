package cfnres

import (
	"context"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

// registerLifecycleHooks registers AWS::AutoScaling::LifecycleHook (Ref: the hook name; no
// attributes, as AWS).
func registerLifecycleHooks(cf *cloudformation.Service, svc *autoscaling.Service) {
	h := hooks{svc}
	cf.RegisterProvider("AWS::AutoScaling::LifecycleHook", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: h.put, UpdateFunc: h.put, DeleteFunc: h.delete, ReadFunc: h.read},
		ReplaceOn: []string{"AutoScalingGroupName", "LifecycleHookName"},
	})
}

// errHookGone reports a hook missing at drift detection (DELETED).
var errHookGone = apierr.New(apierr.NotFound, "ValidationError", "")

type hooks struct{ svc *autoscaling.Service }

func (h hooks) put(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "AutoScalingGroupName", "LifecycleTransition"); err != nil {
		return nil, err
	}
	name := currentName(req, "LifecycleHookName", 255)
	timeout, err := i32p(p, "HeartbeatTimeout")
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.PutLifecycleHook(ctx, &autoscaling.PutLifecycleHookInput{
		LifecycleHookName: name, AutoScalingGroupName: str(p, "AutoScalingGroupName"), LifecycleTransition: str(p, "LifecycleTransition"),
		RoleARN: str(p, "RoleARN"), NotificationTargetARN: str(p, "NotificationTargetARN"), NotificationMetadata: str(p, "NotificationMetadata"),
		HeartbeatTimeout: timeout, DefaultResult: str(p, "DefaultResult"),
	}); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name}, nil
}

func (h hooks) get(ctx context.Context, req *cloudformation.Request) (*autoscaling.LifecycleHook, error) {
	out, err := h.svc.DescribeLifecycleHooks(ctx, &autoscaling.DescribeLifecycleHooksInput{
		AutoScalingGroupName: str(req.Properties, "AutoScalingGroupName"), LifecycleHookNames: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.LifecycleHooks) == 0 {
		return nil, nil
	}
	return &out.LifecycleHooks[0], nil
}

// delete removes the hook; a hook (or group) already gone is done.
func (h hooks) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := h.svc.DeleteLifecycleHook(ctx, &autoscaling.DeleteLifecycleHookInput{
		LifecycleHookName: req.PhysicalID, AutoScalingGroupName: str(req.Properties, "AutoScalingGroupName")})
	if err == nil {
		return nil
	}
	if cur, gerr := h.get(ctx, req); gerr != nil || cur == nil {
		return nil
	}
	return err
}

func (h hooks) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	cur, err := h.get(ctx, req)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, errHookGone.With("No Lifecycle Hook found with name %s", req.PhysicalID)
	}
	props := map[string]any{"AutoScalingGroupName": cur.AutoScalingGroupName, "LifecycleTransition": cur.LifecycleTransition}
	if _, ok := req.Properties["DefaultResult"]; ok {
		props["DefaultResult"] = cur.DefaultResult
	}
	if _, ok := req.Properties["HeartbeatTimeout"]; ok {
		props["HeartbeatTimeout"] = str(map[string]any{"v": float64(cur.HeartbeatTimeout)}, "v")
	}
	return props, nil
}
