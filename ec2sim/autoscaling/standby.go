package autoscaling

import (
	"context"
	"fmt"

	"github.com/devopsim/devopsim/ec2sim"
)

// InstancesInput names instances of a group and whether the desired capacity follows.
type InstancesInput struct {
	AutoScalingGroupName           string   `json:"AutoScalingGroupName"`
	InstanceIDs                    []string `json:"InstanceIds,omitempty"`
	ShouldDecrementDesiredCapacity *bool    `json:"ShouldDecrementDesiredCapacity,omitempty"`
}

// ActivitiesOutput lists the activities an operation started.
type ActivitiesOutput struct {
	Activities []Activity `json:"Activities"`
}

// EnterStandby moves InService members to Standby (they stay running, out of the count).
func (s *Service) EnterStandby(ctx context.Context, in *InstancesInput) (*ActivitiesOutput, error) {
	return do(ctx, s, "EnterStandby", in, func(ctx context.Context, in *InstancesInput) (*ActivitiesOutput, error) {
		if in.ShouldDecrementDesiredCapacity == nil {
			return nil, ErrValidation.With("1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null")
		}
		return s.moveMembers(ctx, in, "InService", "Standby", *in.ShouldDecrementDesiredCapacity, -1,
			"Moving EC2 instance to Standby: %s", "instance %s was moved to standby in response to a user request")
	})
}

// ExitStandby returns Standby members to service, raising the desired capacity.
func (s *Service) ExitStandby(ctx context.Context, in *InstancesInput) (*ActivitiesOutput, error) {
	return do(ctx, s, "ExitStandby", in, func(ctx context.Context, in *InstancesInput) (*ActivitiesOutput, error) {
		return s.moveMembers(ctx, in, "Standby", "InService", true, +1,
			"Moving EC2 instance out of Standby: %s", "instance %s was moved out of standby in response to a user request")
	})
}

// DetachInstances removes members from the group; the instances keep running.
func (s *Service) DetachInstances(ctx context.Context, in *InstancesInput) (*ActivitiesOutput, error) {
	return do(ctx, s, "DetachInstances", in, func(ctx context.Context, in *InstancesInput) (*ActivitiesOutput, error) {
		if in.ShouldDecrementDesiredCapacity == nil {
			return nil, ErrValidation.With("1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null")
		}
		return s.moveMembers(ctx, in, "", "", *in.ShouldDecrementDesiredCapacity, -1,
			"Detaching EC2 instance: %s", "instance %s was detached in response to a user request")
	})
}

// moveMembers moves the named members from one lifecycle state to another ("" to: detach),
// adjusting the desired capacity by delta per instance when adjust is set.
func (s *Service) moveMembers(ctx context.Context, in *InstancesInput, from, to string, adjust bool, delta int32, desc, why string) (*ActivitiesOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, ErrValidation.With("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
	}
	if len(in.InstanceIDs) == 0 && from != "" {
		return nil, ErrValidation.With("The instance ids parameter is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(ctx, in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	var idx []int
	for _, id := range in.InstanceIDs {
		i := -1
		for j, m := range g.Members {
			if m.ID == id {
				i = j
			}
		}
		if i < 0 {
			return nil, ErrValidation.With("The instance %s is not part of Auto Scaling group %s.", id, g.AutoScalingGroupName)
		}
		if from != "" && g.Members[i].Lifecycle != from {
			return nil, ErrValidation.With("The instance %s is not in %s.", id, from)
		}
		if from == "" && g.Members[i].Lifecycle != "InService" && g.Members[i].Lifecycle != "Standby" {
			return nil, ErrValidation.With("The instance %s is not in InService or Standby.", id)
		}
		idx = append(idx, i)
	}
	old := g.DesiredCapacity
	if adjust {
		n := g.DesiredCapacity + delta*int32(len(idx))
		if n < g.MinSize {
			return nil, ErrValidation.With("The number of instances would make the desired capacity %d, below the group's min size %d.", n, g.MinSize)
		}
		if n > g.MaxSize {
			return nil, ErrValidation.With("The number of instances would make the desired capacity %d, above the group's max size %d.", n, g.MaxSize)
		}
		g.DesiredCapacity = n
	}
	out := &ActivitiesOutput{Activities: []Activity{}}
	drop := map[int]bool{}
	for _, i := range idx {
		m := &g.Members[i]
		cause := s.cause(why, m.ID)
		if adjust {
			cause += fmt.Sprintf(" Changing the desired capacity from %d to %d.", old, g.DesiredCapacity)
		}
		if to == "InService" {
			s.lbRegister(ctx, &g, m)
		} else {
			s.lbDeregister(ctx, &g, m)
		}
		if to == "" {
			drop[i] = true
		} else {
			m.Lifecycle = to
			m.Since = s.clk.Now().UTC()
		}
		out.Activities = append(out.Activities, Activity{ActivityID: fmt.Sprintf("%x", s.clk.Now().UnixNano()+int64(i)), AutoScalingGroupName: g.AutoScalingGroupName,
			Description: fmt.Sprintf(desc, m.ID), Cause: cause, StartTime: s.clk.Now().UTC(), StatusCode: "InProgress"})
	}
	if len(drop) > 0 {
		keep := g.Members[:0:0]
		for i, m := range g.Members {
			if !drop[i] {
				keep = append(keep, m)
			}
		}
		g.Members = keep
	}
	if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil {
		return nil, err
	}
	if err := s.reconcileLocked(ec2sim.WithInternal(ctx), g.AutoScalingGroupName, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// AttachInstances adds running instances to a group, raising its desired capacity.
func (s *Service) AttachInstances(ctx context.Context, in *InstancesInput) (*Empty, error) {
	return do(ctx, s, "AttachInstances", in, func(ctx context.Context, in *InstancesInput) (*Empty, error) {
		if in.AutoScalingGroupName == "" {
			return nil, ErrValidation.With("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
		}
		if len(in.InstanceIDs) == 0 {
			return &Empty{}, nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.group(ctx, in.AutoScalingGroupName)
		if err != nil {
			return nil, err
		}
		if n := g.DesiredCapacity + int32(len(in.InstanceIDs)); n > g.MaxSize {
			return nil, ErrValidation.With("The number of instances would make the desired capacity %d, above the group's max size %d.", n, g.MaxSize)
		}
		ictx := ec2sim.WithInternal(ctx)
		out, err := s.ec2.DescribeInstances(ictx, &ec2sim.DescribeInstancesInput{InstanceIDs: in.InstanceIDs})
		if err != nil {
			return nil, ErrValidation.With("Invalid Instance ID(s): %v specified", in.InstanceIDs)
		}
		all, err := s.groups.All(ctx, scope(ctx))
		if err != nil {
			return nil, err
		}
		var add []member
		now := s.clk.Now().UTC()
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				if i.State.Name != "running" {
					return nil, ErrValidation.With("Instance %s is not in correct state. It should be in running state.", i.InstanceID)
				}
				for _, o := range all {
					for _, m := range o.Members {
						if m.ID == i.InstanceID {
							return nil, ErrValidation.With("The instance %s is already part of the Auto Scaling group %s.", i.InstanceID, o.AutoScalingGroupName)
						}
					}
				}
				add = append(add, member{ID: i.InstanceID, AZ: i.Placement.AvailabilityZone, InstanceType: i.InstanceType, Lifecycle: "InService", Health: "Healthy", Since: now})
			}
		}
		for i := range add {
			m := &add[i]
			s.lbRegister(ctx, &g, m)
			_, _ = s.ec2.CreateTags(ictx, &ec2sim.CreateTagsInput{Resources: []string{m.ID}, Tags: []ec2sim.Tag{{Key: "aws:autoscaling:groupName", Value: g.AutoScalingGroupName}}})
		}
		g.Members = append(g.Members, add...)
		g.DesiredCapacity += int32(len(add))
		if err := s.groups.Put(ctx, g.Scope+g.AutoScalingGroupName, g); err != nil {
			return nil, err
		}
		if err := s.reconcileLocked(ictx, g.AutoScalingGroupName, ""); err != nil {
			return nil, err
		}
		return &Empty{}, nil
	})
}
