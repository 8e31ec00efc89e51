package cloudformation

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/eventbus"
)

// Stack events and resource records are written behind: a running operation keeps them in
// memory, readers overlay the running operation's state on what is stored, and the operation
// writes them at each stack status change, every flushEvery changes and when it ends. Events
// are stored in chunks (one store record per flush), resources once per flush whatever the
// number of status changes in between.

const flushEvery = 256

func stackKey(st *stackRecord) string { return st.Account + "/" + st.Region + "/" + st.UUID }

func seqKey(prefix string, seq int64) string {
	b := make([]byte, 0, len(prefix)+21)
	b = append(b, prefix...)
	b = append(b, '/')
	n := strconv.AppendInt(nil, seq, 10)
	for i := len(n); i < 20; i++ {
		b = append(b, '0')
	}
	return string(append(b, n...))
}

func (s *Service) newEvent(st *stackRecord, seq int64, logical, physical, typ, status, reason string, props map[string]any) StackEvent {
	ev := StackEvent{
		StackId: st.ID, StackName: st.Name, LogicalResourceId: logical, PhysicalResourceId: physical,
		ResourceType: typ, Timestamp: s.now(), ResourceStatus: status, ResourceStatusReason: reason, Seq: seq,
	}
	if logical == st.Name && typ == "AWS::CloudFormation::Stack" {
		ev.EventId = strconv.FormatInt(seq, 10)
	} else {
		ev.EventId = logical + "-" + status + "-" + strconv.FormatInt(seq, 10)
	}
	if props != nil {
		b, _ := json.Marshal(props)
		ev.ResourceProperties = string(b)
	}
	return ev
}

type statusDetails struct {
	Status       string `json:"status"`
	StatusReason string `json:"status-reason"`
}

type resourceDetail struct {
	StackID       string        `json:"stack-id"`
	LogicalID     string        `json:"logical-resource-id,omitempty"`
	PhysicalID    string        `json:"physical-resource-id,omitempty"`
	StatusDetails statusDetails `json:"status-details"`
	ResourceType  string        `json:"resource-type,omitempty"`
}

// announce sends an event to EventBridge and to the stack's SNS topics.
func (s *Service) announce(ctx context.Context, st *stackRecord, ev *StackEvent) {
	stackLevel := ev.ResourceType == "AWS::CloudFormation::Stack" && ev.LogicalResourceId == st.Name
	if s.env.Events != nil {
		d := resourceDetail{StackID: st.ID, StatusDetails: statusDetails{ev.ResourceStatus, ev.ResourceStatusReason}}
		detailType := "CloudFormation Stack Status Change"
		if !stackLevel {
			detailType = "CloudFormation Resource Status Change"
			d.LogicalID, d.PhysicalID, d.ResourceType = ev.LogicalResourceId, ev.PhysicalResourceId, ev.ResourceType
		}
		b, _ := json.Marshal(d)
		s.env.Events.Publish(ctx, eventbus.Event{Version: "0", ID: "cfn-" + strconv.FormatInt(ev.Seq, 10), DetailType: detailType,
			Source: "aws.cloudformation", Account: st.Account, Region: st.Region, Time: ev.Timestamp, Resources: []string{st.ID}, Detail: b})
	}
	if s.opts.Notifier != nil && len(st.NotificationARNs) > 0 {
		msg := notificationMessage(st, ev)
		for _, topic := range st.NotificationARNs {
			if err := s.opts.Notifier.Publish(ctx, topic, "AWS CloudFormation Notification", msg); err != nil {
				s.log.Warn("cloudformation: notification", "topic", topic, "err", err)
			}
		}
	}
}

// notificationMessage is the text CloudFormation publishes to a stack's SNS topics.
func notificationMessage(st *stackRecord, ev *StackEvent) string {
	q := func(v string) string { return "'" + v + "'" }
	props := ev.ResourceProperties
	if props == "" {
		props = "null"
	}
	tok := ev.ClientRequestToken
	if tok == "" {
		tok = "null"
	}
	var b strings.Builder
	for _, kv := range [][2]string{
		{"StackId", ev.StackId}, {"Timestamp", ev.Timestamp.Format("2006-01-02T15:04:05.000Z")}, {"EventId", ev.EventId},
		{"LogicalResourceId", ev.LogicalResourceId}, {"Namespace", st.Account}, {"PhysicalResourceId", ev.PhysicalResourceId},
		{"PrincipalId", st.Account}, {"ResourceProperties", props}, {"ResourceStatus", ev.ResourceStatus},
		{"ResourceStatusReason", ev.ResourceStatusReason}, {"ResourceType", ev.ResourceType}, {"StackName", ev.StackName},
		{"ClientRequestToken", tok},
	} {
		b.WriteString(kv[0] + "=" + q(kv[1]) + "\n")
	}
	return b.String()
}

// addEvent stores and announces an event outside a running operation.
func (s *Service) addEvent(ctx context.Context, st *stackRecord, logical, physical, typ, status, reason string, props map[string]any) {
	ev := s.newEvent(st, s.seq.Add(1), logical, physical, typ, status, reason, props)
	if err := s.events.Put(ctx, seqKey(stackKey(st), ev.Seq), []StackEvent{ev}); err != nil {
		s.log.Warn("cloudformation: event", "err", err)
	}
	s.announce(ctx, st, &ev)
}

// event records an event of the running operation.
func (op *operation) event(st *stackRecord, logical, physical, typ, status, reason string, props map[string]any) {
	op.evMu.Lock()
	ev := op.s.newEvent(st, op.s.seq.Add(1), logical, physical, typ, status, reason, props)
	op.evBuf = append(op.evBuf, ev)
	full := len(op.evBuf) >= flushEvery
	op.evMu.Unlock()
	op.s.announce(op.base, st, &ev)
	if full {
		op.flush()
	}
}

// flush writes the buffered events and changed resource records.
func (op *operation) flush() {
	op.flushMu.Lock()
	defer op.flushMu.Unlock()
	op.mu.Lock()
	key := stackKey(&op.st)
	var recs []resourceRecord
	for id := range op.dirty {
		if r, ok := op.res[id]; ok {
			cp := *r
			if cp.Status == "DELETE_COMPLETE" { // nothing reads a deleted resource's properties
				cp.Props, cp.Attrs, cp.Metadata = nil, nil, nil
			}
			recs = append(recs, cp)
		}
	}
	clear(op.dirty)
	op.mu.Unlock()
	for i := range recs {
		if err := op.s.resources.Put(op.base, key+"/"+recs[i].LogicalID, recs[i]); err != nil {
			op.s.log.Warn("cloudformation: resource", "err", err)
		}
	}
	op.evMu.Lock()
	defer op.evMu.Unlock()
	if len(op.evBuf) == 0 {
		return
	}
	if err := op.s.events.Put(op.base, seqKey(key, op.evBuf[0].Seq), op.evBuf); err != nil {
		op.s.log.Warn("cloudformation: events", "err", err)
	}
	op.evBuf = nil
}

func (op *operation) setStatus(status, reason string) {
	op.mu.Lock()
	op.st.Status, op.st.Reason = status, reason
	if status == "UPDATE_IN_PROGRESS" {
		op.st.Updated = op.s.now()
	}
	st := op.st
	op.mu.Unlock()
	op.event(&st, st.Name, st.ID, "AWS::CloudFormation::Stack", status, reason, nil)
	op.flush()
	_, err := op.s.updateStack(op.base, &st, func(r *stackRecord) {
		r.Status, r.Reason, r.Updated = status, reason, st.Updated
	})
	if err != nil {
		op.s.log.Warn("cloudformation: status", "err", err)
	}
}

func (op *operation) saveStack() {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	if err := op.s.putStack(op.base, &st); err != nil {
		op.s.log.Warn("cloudformation: save stack", "err", err)
	}
}

// setRes records a resource status change (written at the next flush) and its event.
func (op *operation) setRes(r *resourceRecord, status, reason string, props map[string]any) {
	now := op.s.now()
	op.mu.Lock()
	r.Status, r.Reason, r.Updated = status, reason, now
	op.res[r.LogicalID] = r
	op.dirty[r.LogicalID] = true
	logical, physical, typ := r.LogicalID, r.PhysicalID, r.Type
	st := op.st
	op.mu.Unlock()
	op.event(&st, logical, physical, typ, status, reason, props)
}

func (op *operation) dropResource(id string) {
	op.flushMu.Lock()
	defer op.flushMu.Unlock()
	op.mu.Lock()
	delete(op.dirty, id)
	key := stackKey(&op.st) + "/" + id
	op.mu.Unlock()
	_ = op.s.resources.Delete(op.base, key)
}

// Readers -----------------------------------------------------------------------------------

func (s *Service) runningOp(id string) *operation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[id]
}

// stackEvents returns a stack's events, oldest first.
func (s *Service) stackEvents(ctx context.Context, st stackRecord) ([]StackEvent, error) {
	op := s.runningOp(st.ID)
	if op != nil {
		op.evMu.Lock()
		defer op.evMu.Unlock()
	}
	chunks, _, err := s.events.List(ctx, stackKey(&st)+"/", "", 0)
	if err != nil {
		return nil, err
	}
	var out []StackEvent
	for _, c := range chunks {
		out = append(out, c...)
	}
	if op != nil {
		out = append(out, op.evBuf...)
	}
	return out, nil
}

// stackResources returns a stack's resource records sorted by logical ID, the running
// operation's current state included.
func (s *Service) stackResources(ctx context.Context, st stackRecord) ([]resourceRecord, error) {
	op := s.runningOp(st.ID)
	recs, _, err := s.resources.List(ctx, stackKey(&st)+"/", "", 0)
	if err != nil || op == nil {
		return recs, err
	}
	op.mu.Lock()
	live := make(map[string]resourceRecord, len(op.res))
	for id, r := range op.res {
		live[id] = *r
	}
	op.mu.Unlock()
	out := make([]resourceRecord, 0, len(live))
	for _, r := range recs {
		if _, ok := live[r.LogicalID]; !ok {
			out = append(out, r)
		}
	}
	for _, r := range live {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out, nil
}

// stackResource returns one resource record, the running operation's state included.
func (s *Service) stackResource(ctx context.Context, st stackRecord, id string) (resourceRecord, bool) {
	if op := s.runningOp(st.ID); op != nil {
		op.mu.Lock()
		r, ok := op.res[id]
		var cp resourceRecord
		if ok {
			cp = *r
		}
		op.mu.Unlock()
		if ok {
			return cp, true
		}
	}
	r, err := s.resources.Get(ctx, stackKey(&st)+"/"+id)
	return r, err == nil
}
