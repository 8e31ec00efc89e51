package ec2sim

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/devopsim/devopsim/ec2sim/cloudinit"
	"github.com/devopsim/devopsim/ec2sim/host"
)

// publicIP makes a stable fake public address from a private one.
func publicIP(private string) string {
	var b [4]int
	fmt.Sscanf(private, "%d.%d.%d.%d", &b[0], &b[1], &b[2], &b[3])
	return fmt.Sprintf("3.%d.%d.%d", (b[1]+b[2])%256, b[2], b[3])
}

// publicDNSOf is the public DNS name of r at ip: none when its VPC has DNS hostnames off
// (enableDnsHostnames; off by default in VPCs other than the default one, as in AWS).
func (s *Service) publicDNSOf(ctx context.Context, r *instanceRecord, ip string) string {
	if v, err := s.vpcs.Get(ctx, r.Scope+r.VpcID); err == nil && !v.dnsHostnames() {
		return ""
	}
	return publicDNS(ip, r.Region)
}

func publicDNS(ip, region string) string {
	if ip == "" {
		return ""
	}
	name := "ec2-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return name + ".compute-1.amazonaws.com"
	}
	return name + "." + region + ".compute.amazonaws.com"
}

// toRunning moves a pending instance to running and boots its host.
func (s *Service) toRunning(ctx context.Context, id string) {
	var mapPublic bool
	r, err := s.update(ctx, id, func(r *instanceRecord) error {
		if r.State.Name != "pending" {
			return errSkip
		}
		r.State = state("running")
		r.StateReason = nil
		r.StateTransitionReason = ""
		r.StateChangedAt = s.clk.Now().UTC()
		r.Booted = false
		if sub, err := s.subnets.Get(ctx, r.Scope+r.SubnetID); err == nil && sub.MapPublicIpOnLaunch {
			mapPublic = true
		}
		if ip := publicAddress(r, mapPublic); ip != "" {
			r.PublicIpAddress = ip
			r.PublicDnsName = s.publicDNSOf(ctx, r, r.PublicIpAddress)
		}
		return nil
	})
	if err != nil {
		return
	}
	_ = mapPublic
	s.publishState(ctx, r)
	s.mu.Lock()
	h := s.hosts[id]
	done := s.booted[id]
	s.mu.Unlock()
	if h == nil {
		return
	}
	h.SetMetadata(metadataOf(r))
	h.SetTags(tagsToMap(r.Tags))
	select {
	case s.bootSem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	s.boot(ctx, r, h)
	<-s.bootSem
	_, _ = s.update(ctx, id, func(r *instanceRecord) error {
		if r.State.Name != "running" {
			return errSkip
		}
		r.Booted = true
		return nil
	})
	if done != nil {
		s.mu.Lock()
		if s.booted[id] == done {
			close(done)
		}
		s.mu.Unlock()
	}
}

// boot starts the host's enabled services and runs cloud-init with the user data.
func (s *Service) boot(ctx context.Context, r *instanceRecord, h *host.Host) {
	h.Reopen()
	cw := h.ConsoleWriter()
	fmt.Fprintf(cw, "[    0.000000] Linux version 6.1.0 (devopsim) #1 SMP\n[    0.100000] Booting %s (%s) in %s\n", r.InstanceID, r.ImageID, r.Placement.AvailabilityZone)
	for _, err := range h.Boot() {
		fmt.Fprintf(cw, "[FAILED] %v\n", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(r.UserData)
	if _, err := cloudinit.Boot(ctx, h, r.InstanceID, raw); err != nil {
		s.log.Warn("ec2sim: boot", "instance", r.InstanceID, "err", err)
	}
}

type skipError struct{}

func (skipError) Error() string { return "skip" }

var errSkip error = skipError{}

// transition moves instances to an intermediate state now and to a final state after d.
func (s *Service) transition(ctx context.Context, recs []*instanceRecord, allowed func(string) (bool, error), mid, final string, reason string) ([]InstanceStateChange, error) {
	for _, r := range recs {
		ok, err := allowed(r.State.Name)
		if err != nil {
			return nil, err
		}
		_ = ok
	}
	var out []InstanceStateChange
	for _, r := range recs {
		prev := r.State
		ok, _ := allowed(r.State.Name)
		if !ok {
			out = append(out, InstanceStateChange{InstanceID: r.InstanceID, CurrentState: prev, PreviousState: prev})
			continue
		}
		nr, err := s.update(ctx, r.InstanceID, func(x *instanceRecord) error {
			x.State = state(mid)
			x.StateChangedAt = s.clk.Now().UTC()
			if reason != "" {
				x.StateTransitionReason = fmt.Sprintf("%s (%s GMT)", reason, s.clk.Now().UTC().Format("2006-01-02 15:04:05"))
				x.StateReason = &StateReason{Code: "Client.UserInitiatedShutdown", Message: "Client.UserInitiatedShutdown: User initiated shutdown"}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, InstanceStateChange{InstanceID: r.InstanceID, CurrentState: nr.State, PreviousState: prev})
		s.publishState(ctx, nr)
	}
	return out, nil
}

// StopInstances stops running instances (running → stopping → stopped); their services stop.
func (s *Service) StopInstances(ctx context.Context, in *StopInstancesInput) (*StopInstancesOutput, error) {
	return dispatchDo(ctx, s, "StopInstances", in, func(ctx context.Context, in *StopInstancesInput) (*StopInstancesOutput, error) {
		recs, err := s.instancesByID(ctx, in.InstanceIDs)
		if err != nil {
			return nil, err
		}
		if in.DryRun {
			return nil, ErrDryRun
		}
		changes, err := s.transition(ctx, recs, func(st string) (bool, error) {
			switch st {
			case "running", "pending":
				return true, nil
			case "stopped", "stopping":
				return false, nil
			}
			return false, ErrIncorrectInstanceState.With("This instance '%s' is not in a state from which it can be stopped.", idOf(recs, st))
		}, "stopping", "stopped", "User initiated")
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			if c.CurrentState.Name != "stopping" || c.PreviousState.Name == "stopping" {
				continue
			}
			id := c.InstanceID
			s.after(s.opts.StoppingTime, func(ctx context.Context) {
				s.mu.Lock()
				h := s.hosts[id]
				s.mu.Unlock()
				if h != nil {
					h.StopAll()
				}
				r, err := s.update(ctx, id, func(r *instanceRecord) error {
					if r.State.Name != "stopping" {
						return errSkip
					}
					r.State = state("stopped")
					r.StateChangedAt = s.clk.Now().UTC()
					r.PublicIpAddress, r.PublicDnsName = "", ""
					if r.ElasticIP != "" { // an Elastic IP stays with a stopped instance
						r.PublicIpAddress, r.PublicDnsName = r.ElasticIP, s.publicDNSOf(ctx, r, r.ElasticIP)
					}
					r.Booted = false
					return nil
				})
				if err == nil {
					s.publishState(ctx, r)
				}
			})
		}
		return &StopInstancesOutput{StoppingInstances: changes}, nil
	})
}

func idOf(recs []*instanceRecord, st string) string {
	for _, r := range recs {
		if r.State.Name == st {
			return r.InstanceID
		}
	}
	return ""
}

// StartInstances starts stopped instances (stopped → pending → running); enabled services
// start and cloud-init runs its per-boot parts.
func (s *Service) StartInstances(ctx context.Context, in *StartInstancesInput) (*StartInstancesOutput, error) {
	return dispatchDo(ctx, s, "StartInstances", in, func(ctx context.Context, in *StartInstancesInput) (*StartInstancesOutput, error) {
		recs, err := s.instancesByID(ctx, in.InstanceIDs)
		if err != nil {
			return nil, err
		}
		if in.DryRun {
			return nil, ErrDryRun
		}
		changes, err := s.transition(ctx, recs, func(st string) (bool, error) {
			switch st {
			case "stopped":
				return true, nil
			case "running", "pending":
				return false, nil
			}
			return false, ErrIncorrectInstanceState.With("The instance '%s' is not in a state from which it can be started.", idOf(recs, st))
		}, "pending", "running", "")
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			if c.PreviousState.Name != "stopped" {
				continue
			}
			id := c.InstanceID
			s.mu.Lock()
			s.booted[id] = make(chan struct{})
			s.mu.Unlock()
			s.after(s.opts.PendingTime, func(ctx context.Context) { s.toRunning(ctx, id) })
		}
		return &StartInstancesOutput{StartingInstances: changes}, nil
	})
}

// RebootInstances restarts running instances' services and runs cloud-init's per-boot parts.
func (s *Service) RebootInstances(ctx context.Context, in *RebootInstancesInput) (*RebootInstancesOutput, error) {
	return dispatchDo(ctx, s, "RebootInstances", in, func(ctx context.Context, in *RebootInstancesInput) (*RebootInstancesOutput, error) {
		recs, err := s.instancesByID(ctx, in.InstanceIDs)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if r.State.Name != "running" {
				return nil, ErrIncorrectInstanceState.With("The instance '%s' is not in the 'running' state.", r.InstanceID)
			}
		}
		if in.DryRun {
			return nil, ErrDryRun
		}
		for _, r := range recs {
			id := r.InstanceID
			done := make(chan struct{})
			s.mu.Lock()
			h := s.hosts[id]
			s.booted[id] = done
			s.mu.Unlock()
			if h == nil {
				continue
			}
			s.spawn(func(ctx context.Context) {
				h.StopAll()
				fmt.Fprintf(h.ConsoleWriter(), "[  OK  ] Reached target Reboot.\n")
				if r, ok := s.rec(id); ok {
					s.boot(ctx, r, h)
				}
				s.mu.Lock()
				if s.booted[id] == done {
					close(done)
				}
				s.mu.Unlock()
			})
		}
		return &RebootInstancesOutput{Return: true}, nil
	})
}

// TerminateInstances terminates instances (→ shutting-down → terminated); their hosts shut
// down and are discarded. Terminated instances stay visible for Options.TerminatedVisibleFor.
func (s *Service) TerminateInstances(ctx context.Context, in *TerminateInstancesInput) (*TerminateInstancesOutput, error) {
	return dispatchDo(ctx, s, "TerminateInstances", in, s.terminateInstances)
}

func (s *Service) terminateInstances(ctx context.Context, in *TerminateInstancesInput) (*TerminateInstancesOutput, error) {
	recs, err := s.instancesByID(ctx, in.InstanceIDs)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.DisableApiTermination && r.State.Name != "terminated" {
			return nil, ErrOperationNotPermitted.With("The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", r.InstanceID)
		}
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	changes, err := s.transition(ctx, recs, func(st string) (bool, error) {
		return st != "terminated" && st != "shutting-down", nil
	}, "shutting-down", "terminated", "User initiated")
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		if c.CurrentState.Name != "shutting-down" || c.PreviousState.Name == "shutting-down" {
			continue
		}
		id := c.InstanceID
		s.after(s.opts.ShuttingDownTime, func(ctx context.Context) { s.toTerminated(ctx, id) })
	}
	return &TerminateInstancesOutput{TerminatingInstances: changes}, nil
}

func (s *Service) toTerminated(ctx context.Context, id string) {
	s.mu.Lock()
	h := s.hosts[id]
	delete(s.hosts, id)
	done := s.booted[id]
	delete(s.booted, id)
	s.mu.Unlock()
	if h != nil {
		_ = h.Close()
	}
	if done != nil {
		select {
		case <-done:
		default:
			close(done)
		}
	}
	r, err := s.update(ctx, id, func(r *instanceRecord) error {
		r.State = state("terminated")
		r.StateChangedAt = s.clk.Now().UTC()
		r.PublicIpAddress, r.PublicDnsName, r.PrivateDnsName = "", "", ""
		r.ElasticIP = ""
		r.Booted = false
		return nil
	})
	if err == nil {
		s.releaseInstanceAddresses(ctx, r.Scope, id)
		s.publishState(ctx, r)
	}
}

func (s *Service) rec(id string) (*instanceRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.inst[id]
	return r, ok
}

// purge drops terminated instances older than Options.TerminatedVisibleFor.
func (s *Service) purge(ctx context.Context) {
	now := s.clk.Now()
	s.mu.Lock()
	if s.nextPurge.IsZero() || now.Before(s.nextPurge) {
		s.mu.Unlock()
		return
	}
	s.nextPurge = time.Time{}
	var gone []*instanceRecord
	keep := make([]*slot, 0, len(s.order))
	for _, sl := range s.order {
		r := sl.rec
		if r.State.Name == "terminated" {
			due := r.StateChangedAt.Add(s.opts.TerminatedVisibleFor)
			if now.After(due) {
				gone = append(gone, r)
				s.indexTags(sl, r, nil)
				delete(s.inst, r.InstanceID)
				delete(s.slots, r.InstanceID)
				continue
			}
			if s.nextPurge.IsZero() || due.Before(s.nextPurge) {
				s.nextPurge = due
			}
		}
		keep = append(keep, sl)
	}
	s.order = keep
	s.mu.Unlock()
	if len(gone) > 0 {
		s.cpuMu.Lock()
		for _, r := range gone {
			delete(s.cpu, r.InstanceID)
		}
		s.cpuMu.Unlock()
		s.viewMu.Lock()
		for _, r := range gone {
			delete(s.views, r.ReservationID)
		}
		s.viewMu.Unlock()
	}
	for _, r := range gone {
		_ = s.instances.Delete(ctx, r.Scope+r.InstanceID)
	}
}
