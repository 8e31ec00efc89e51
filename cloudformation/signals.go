package cloudformation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation/template"
)

// quorum blocks until needed SUCCESS signals (among those accepted by match; nil accepts
// all) arrived, more than total-needed FAILURE signals arrived, the timeout or ctx.
func (b *signalBox) quorum(ctx context.Context, clk clock.Clock, key string, match func(string) bool, total, needed int, timeout time.Duration) ([]signal, error) {
	timer := clk.NewTimer(timeout)
	defer timer.Stop()
	for {
		b.mu.Lock()
		st := b.state(key)
		var sigs []signal
		for _, s := range st.signals {
			if match == nil || match(s.UniqueID) {
				sigs = append(sigs, s)
			}
		}
		ch := st.ch
		b.mu.Unlock()
		ok, failed := 0, 0
		var firstFail signal
		for _, s := range sigs {
			if s.Status == "FAILURE" {
				if failed == 0 {
					firstFail = s
				}
				failed++
				continue
			}
			ok++
		}
		if failed > total-needed {
			return sigs, fmt.Errorf("received FAILURE signal with UniqueId %s", firstFail.UniqueID)
		}
		if ok >= needed {
			return sigs, nil
		}
		select {
		case <-ch:
		case <-timer.C():
			return sigs, fmt.Errorf("Failed to receive %d resource signal(s) within the specified duration", needed-ok)
		case <-ctx.Done():
			return sigs, ctx.Err()
		}
	}
}

// needed is how many of total signals must be SUCCESS for percent (rounded up, as AWS).
func needed(total int, percent float64) int {
	if percent >= 100 || percent < 0 {
		return total
	}
	return int(math.Ceil(float64(total) * percent / 100))
}

// minSuccessPercent reads AutoScalingCreationPolicy.MinSuccessfulInstancesPercent (100 when
// absent or invalid).
func minSuccessPercent(policy map[string]any) float64 {
	acp, _ := policy["AutoScalingCreationPolicy"].(map[string]any)
	if acp == nil {
		return 100
	}
	v, ok := acp["MinSuccessfulInstancesPercent"]
	if !ok {
		return 100
	}
	n, err := strconv.ParseFloat(template.String(v), 64)
	if err != nil || n < 0 || n > 100 {
		return 100
	}
	return n
}

// ResourceSignal is one signal a resource received (SignalResource or cfn-signal).
type ResourceSignal struct {
	UniqueID string
	Status   string // SUCCESS or FAILURE
}

// WaitResourceSignals waits for signals sent to a stack resource (SignalResource) by the
// given unique IDs (instance IDs): it returns once at least needed of them sent SUCCESS, or
// fails once more than len(ids)-needed sent FAILURE, or when timeout passes on the
// platform clock. Providers use it for UpdatePolicy WaitOnResourceSignals (rolling updates
// of Auto Scaling groups). Signals sent before the call count.
func (s *Service) WaitResourceSignals(ctx context.Context, stackID, logicalID string, ids []string, needed int, timeout time.Duration) ([]ResourceSignal, error) {
	key := "rs:" + stackID + "/" + logicalID
	sigs, err := s.signals.quorum(ctx, s.env.Clock, key, func(id string) bool { return slices.Contains(ids, id) }, len(ids), needed, timeout)
	out := make([]ResourceSignal, len(sigs))
	for i, sg := range sigs {
		out[i] = ResourceSignal{UniqueID: sg.UniqueID, Status: sg.Status}
	}
	return out, err
}

// ForgetResourceSignals drops the signals a resource received (after an update that waited
// on them).
func (s *Service) ForgetResourceSignals(stackID, logicalID string) {
	s.signals.drop("rs:" + stackID + "/" + logicalID)
}

// ResourceProgress records an event for a resource of the stack's running operation with the
// resource's current status (CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS, ...) and reason, as AWS
// reports progress inside one resource ("Received SUCCESS signal with UniqueId i-…", a rolling
// update's batches). It does nothing when the resource is not in progress.
func (s *Service) ResourceProgress(stackID, logicalID, reason string) {
	op := s.runningOp(stackID)
	if op == nil {
		return
	}
	op.mu.Lock()
	r, ok := op.res[logicalID]
	var res resourceRecord
	if ok {
		res = *r
	}
	st := op.st
	op.mu.Unlock()
	if !ok || !strings.HasSuffix(res.Status, "_IN_PROGRESS") {
		return
	}
	op.event(&st, logicalID, res.PhysicalID, res.Type, res.Status, reason, nil)
}

// Clock is the platform clock the service times stacks with (providers pause on it).
func (s *Service) Clock() clock.Clock { return s.env.Clock }
