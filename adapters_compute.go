package devopsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/sns"
)

// fleet gives CodeDeploy the EC2 instances and their machines.
type fleet struct{ ec2 *ec2sim.Service }

func (f fleet) Instances(ctx context.Context) ([]codedeploy.Instance, error) {
	ctx = identity.InService(ctx, "codedeploy.amazonaws.com")
	var out []codedeploy.Instance
	in := &ec2sim.DescribeInstancesInput{}
	for {
		page, err := f.ec2.DescribeInstances(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				if i.State.Name == "terminated" {
					continue
				}
				tags := map[string]string{}
				for _, t := range i.Tags {
					tags[t.Key] = t.Value
				}
				out = append(out, codedeploy.Instance{ID: i.InstanceID, Tags: tags, State: i.State.Name, AutoScalingGroup: tags["aws:autoscaling:groupName"]})
			}
		}
		if page.NextToken == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

func (f fleet) Host(ctx context.Context, id string) (codedeploy.Host, error) {
	h, ok := f.ec2.MachineOf(id)
	if !ok {
		return nil, fmt.Errorf("instance %s has no running host", id)
	}
	return h, nil
}

func (f fleet) TerminateInstances(ctx context.Context, ids []string) error {
	_, err := f.ec2.TerminateInstances(identity.InService(ctx, "codedeploy.amazonaws.com"), &ec2sim.TerminateInstancesInput{InstanceIDs: ids})
	return err
}

// InstanceAction runs an EventBridge EC2 target action.
func (f fleet) InstanceAction(ctx context.Context, action, id string) error {
	return f.instanceAction(identity.InService(ctx, "events.amazonaws.com"), action, id)
}

// instanceAction stops, terminates or reboots an instance as the caller in ctx.
func (f fleet) instanceAction(ctx context.Context, action, id string) error {
	var err error
	switch action {
	case "stop":
		_, err = f.ec2.StopInstances(ctx, &ec2sim.StopInstancesInput{InstanceIDs: []string{id}})
	case "terminate":
		_, err = f.ec2.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{id}})
	case "reboot":
		_, err = f.ec2.RebootInstances(ctx, &ec2sim.RebootInstancesInput{InstanceIDs: []string{id}})
	default:
		err = fmt.Errorf("EC2 action %q is not supported", action)
	}
	return err
}

// groups gives CodeDeploy blue/green copies of Auto Scaling groups.
type groups struct {
	asg *autoscaling.Service
	ec2 *ec2sim.Service
}

func (g groups) CopyGroup(ctx context.Context, name, newName string) ([]string, error) {
	ctx = identity.InService(ctx, "codedeploy.amazonaws.com")
	out, err := g.asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil {
		return nil, err
	}
	if len(out.AutoScalingGroups) == 0 {
		return nil, fmt.Errorf("Auto Scaling group %s not found", name)
	}
	src := out.AutoScalingGroups[0]
	desired := src.DesiredCapacity
	in := &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: newName, LaunchConfigurationName: src.LaunchConfigurationName, LaunchTemplate: src.LaunchTemplate,
		MinSize: src.MinSize, MaxSize: src.MaxSize, DesiredCapacity: &desired, AvailabilityZones: src.AvailabilityZones,
		VPCZoneIdentifier: src.VPCZoneIdentifier, HealthCheckType: src.HealthCheckType, TerminationPolicies: src.TerminationPolicies,
	}
	for _, t := range src.Tags {
		p := t.PropagateAtLaunch
		in.Tags = append(in.Tags, autoscaling.Tag{Key: t.Key, Value: t.Value, PropagateAtLaunch: &p})
	}
	if _, err := g.asg.CreateAutoScalingGroup(ctx, in); err != nil {
		return nil, err
	}
	copied, err := g.asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{newName}})
	if err != nil || len(copied.AutoScalingGroups) == 0 {
		return nil, fmt.Errorf("copied group %s: %v", newName, err)
	}
	var ids []string
	for _, i := range copied.AutoScalingGroups[0].Instances {
		ids = append(ids, i.InstanceID)
	}
	if err := g.ec2.WaitBooted(ctx, ids...); err != nil {
		return nil, err
	}
	return ids, nil
}

func (g groups) DeleteGroup(ctx context.Context, name string) error {
	_, err := g.asg.DeleteAutoScalingGroup(identity.InService(ctx, "codedeploy.amazonaws.com"), &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: name, ForceDelete: true})
	return err
}

// notifier publishes a service's notifications (CodeDeploy triggers, stack events) to SNS.
type notifier struct {
	topics  *sns.Service
	service string
}

func (n notifier) Publish(ctx context.Context, topicARN, subject, message string) error {
	_, err := n.topics.PublishToTopic(identity.InService(ctx, n.service), topicARN, subject, message)
	return err
}

// deployOnLaunch installs a deployment group's last revision on instances an Auto Scaling
// group launches, as CodeDeploy's lifecycle hook does on AWS (here after launch, from the
// launch event). Copies made for blue/green deployments are skipped: the deployment installs
// those itself.
//
// The deployments run in the background; stop cancels and waits for them.
func deployOnLaunch(cd *codedeploy.Service) (handle func(context.Context, eventbus.Event), stop func(context.Context) error) {
	base, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	stop = func(context.Context) error {
		cancel()
		wg.Wait()
		return nil
	}
	handle = func(_ context.Context, e eventbus.Event) {
		if e.Source != "aws.autoscaling" || e.DetailType != "EC2 Instance Launch Successful" {
			return
		}
		var d struct {
			AutoScalingGroupName string `json:"AutoScalingGroupName"`
			EC2InstanceID        string `json:"EC2InstanceId"`
		}
		if json.Unmarshal(e.Detail, &d) != nil || d.EC2InstanceID == "" || strings.HasPrefix(d.AutoScalingGroupName, "CodeDeploy_") {
			return
		}
		if base.Err() != nil {
			return
		}
		ctx := identity.With(base, identity.Root(e.Account, e.Region))
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A failure is recorded on the deployment; the instance stays in service.
			_ = cd.DeployToLaunchedInstance(ctx, d.AutoScalingGroupName, d.EC2InstanceID)
		}()
	}
	return handle, stop
}

// agentCtl is the amazon-cloudwatch-agent-ctl command on every host: it runs the CloudWatch
// agent against the host's files.
func agentCtl(lg *logs.Service) host.Command {
	return func(ctx context.Context, c *host.Call) int {
		return lg.AgentCtl(ctx, agentHost{c.Host}, c.Args, c.Stdout, c.Stderr)
	}
}

type agentHost struct{ h *host.Host }

func (a agentHost) ID() string       { return a.h.ID() }
func (a agentHost) Hostname() string { return a.h.Hostname() }
func (a agentHost) Files() fs.FS     { return a.h.FS().IOFS("/") }

// scalingActions runs alarm actions that name Auto Scaling policies (ExecutePolicy, as AWS
// does when an alarm fires).
func scalingActions(asg *autoscaling.Service) func(context.Context, string, metrics.AlarmState) (bool, error) {
	return func(ctx context.Context, arn string, a metrics.AlarmState) (bool, error) {
		if !strings.HasPrefix(arn, "arn:aws:autoscaling:") || !strings.Contains(arn, ":scalingPolicy:") {
			return false, nil
		}
		_, err := asg.ExecutePolicy(ctx, &autoscaling.ExecutePolicyInput{PolicyName: arn, HonorCooldown: true})
		return true, err
	}
}

// lbTargets lets the load balancer reach the services on ec2sim hosts.
type lbTargets struct{ ec2 *ec2sim.Service }

func (t lbTargets) Handler(ctx context.Context, id string, port int) (http.Handler, bool, error) {
	state, _, ok := t.ec2.InstanceInfo(id)
	if !ok || state == "terminated" {
		return nil, false, elbv2.ErrInstanceNotFound
	}
	if state != "running" {
		return nil, false, elbv2.ErrInstanceNotRunning
	}
	h, ok := t.ec2.MachineOf(id)
	if !ok {
		return nil, false, elbv2.ErrInstanceNotRunning
	}
	handler, ok := h.Handler(port)
	return handler, ok, nil
}

// deployLB lets CodeDeploy block and allow traffic at ELBv2 target groups.
type deployLB struct{ elb *elbv2.Service }

// groupTargets registers Auto Scaling group members with the groups' target groups. The load
// balancer service is built after Auto Scaling, hence the pointer to the variable.
type groupTargets struct{ elb **elbv2.Service }

// targetGroupName is NAME in arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID.
func targetGroupName(arn string) string {
	_, rest, _ := strings.Cut(arn, ":targetgroup/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func (g groupTargets) RegisterTargets(ctx context.Context, targetGroupARN string, ids []string) error {
	return (*g.elb).RegisterInstances(identity.InService(ctx, "autoscaling.amazonaws.com"), targetGroupName(targetGroupARN), ids)
}

func (g groupTargets) DeregisterTargets(ctx context.Context, targetGroupARN string, ids []string) error {
	return (*g.elb).DeregisterInstances(identity.InService(ctx, "autoscaling.amazonaws.com"), targetGroupName(targetGroupARN), ids)
}

func (a deployLB) Register(ctx context.Context, t codedeploy.TrafficTarget, ids []string) error {
	if t.TargetGroup == "" {
		return errors.New("Classic Load Balancers are not supported: use an ELBv2 target group")
	}
	return a.elb.RegisterInstances(ctx, t.TargetGroup, ids)
}

func (a deployLB) Deregister(ctx context.Context, t codedeploy.TrafficTarget, ids []string) error {
	if t.TargetGroup == "" {
		return errors.New("Classic Load Balancers are not supported: use an ELBv2 target group")
	}
	return a.elb.DeregisterInstances(ctx, t.TargetGroup, ids)
}
