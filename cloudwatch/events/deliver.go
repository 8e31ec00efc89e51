package events

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
)

// Delivery is one event sent to one target (what a Handler receives, and what Deliveries
// reports afterwards).
type Delivery struct {
	Seq          uint64
	Time         time.Time
	Account      string
	Region       string
	EventBusName string
	Rule         string
	RuleArn      string
	TargetId     string
	TargetArn    string
	Event        eventbus.Event
	// Input is what the target received: the event as JSON, or the target's Input, InputPath
	// or InputTransformer result.
	Input []byte
	// Status is "Succeeded" or "Failed"; Error says why a delivery failed.
	Status string
	Error  string
	// Result is what the target returned (message, execution or build id), when it has one.
	Result string
}

type delivery struct {
	account, region, bus string
	rule                 ruleRecord
	target               Target
	event                eventbus.Event
	eventJSON            []byte
}

// eventJSON renders an event the way EventBridge hands it to targets.
func eventJSON(ev eventbus.Event) []byte {
	detail := ev.Detail
	if len(detail) == 0 {
		detail = json.RawMessage("{}")
	}
	b := make([]byte, 0, 160+len(detail)+len(ev.DetailType)+len(ev.Source)+64*len(ev.Resources))
	b = append(b, `{"version":`...)
	b = appendJSONString(b, ev.Version)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, ev.ID)
	b = append(b, `,"detail-type":`...)
	b = appendJSONString(b, ev.DetailType)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, ev.Source)
	b = append(b, `,"account":`...)
	b = appendJSONString(b, ev.Account)
	b = append(b, `,"time":"`...)
	b = ev.Time.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","region":`...)
	b = appendJSONString(b, ev.Region)
	b = append(b, `,"resources":[`...)
	for i, r := range ev.Resources {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, r)
	}
	b = append(b, `],"detail":`...)
	if json.Valid(detail) {
		b = append(b, detail...)
	} else {
		b = append(b, "{}"...)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s) // replaces invalid bytes, as encoding/json does
		return append(b, q...)
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func (s *Service) flatten(ev eventbus.Event, pe *pattern.Event) {
	pe.Reset()
	p := &s.paths
	pe.Add(p.version, ev.Version)
	pe.Add(p.id, ev.ID)
	pe.Add(p.detailType, ev.DetailType)
	pe.Add(p.source, ev.Source)
	pe.Add(p.account, ev.Account)
	pe.AddTime(p.time, ev.Time)
	pe.Add(p.region, ev.Region)
	for _, r := range ev.Resources {
		pe.Add(p.resources, r)
	}
	if len(ev.Detail) > 0 {
		pe.AddJSONLazy("detail", ev.Detail) // parsed only if a candidate rule looks inside
	}
}

// routeIn matches ev against the enabled rules of one bus and delivers it to their targets.
func (s *Service) routeIn(ctx context.Context, account, region, bus string, ev eventbus.Event) {
	st := s.busState(account, region, bus)
	if st == nil || st.index.Len() == 0 {
		return
	}
	pe, _ := s.pool.Get().(*pattern.Event)
	if pe == nil {
		pe = pattern.NewEvent()
	}
	pe.Restrict(st.index) // keep only the fields this bus's rules look at
	s.flatten(ev, pe)
	names := st.index.Match(pe, nil)
	if err := pe.Err(); err != nil {
		s.log.Warn("events: event detail is not valid JSON", "source", ev.Source, "detail-type", ev.DetailType, "err", err)
	}
	pe.Reset()
	s.pool.Put(pe)
	if len(names) == 0 {
		return
	}
	evJSON := eventJSON(ev)
	var ds []delivery
	for _, name := range names {
		lr := st.rules[name]
		for _, t := range lr.rec.Targets {
			ds = append(ds, delivery{account: account, region: region, bus: bus, rule: lr.rec, target: t, event: ev, eventJSON: evJSON})
		}
	}
	s.enqueue(ds)
}

func (s *Service) enqueue(ds []delivery) {
	if len(ds) == 0 {
		return
	}
	if s.opts.SyncDelivery {
		for i := range ds {
			s.deliver(s.ctx, &ds[i])
		}
		return
	}
	s.qmu.Lock()
	s.queue = append(s.queue, ds...)
	s.qmu.Unlock()
	select {
	case s.qsignal <- struct{}{}:
	default:
	}
}

func (s *Service) worker() {
	defer s.wg.Done()
	for {
		s.qmu.Lock()
		if len(s.queue) == 0 {
			close(s.qdone)
			s.qdone = make(chan struct{})
			s.qmu.Unlock()
			select {
			case <-s.ctx.Done():
				return
			case <-s.qsignal:
				continue
			}
		}
		batch := s.queue
		s.queue = nil
		s.busy = len(batch)
		s.qmu.Unlock()
		for i := range batch {
			if s.ctx.Err() != nil {
				return
			}
			s.deliver(s.ctx, &batch[i])
		}
		s.qmu.Lock()
		s.busy = 0
		s.qmu.Unlock()
	}
}

// Flush waits until every delivery queued so far has been made (or ctx ends).
func (s *Service) Flush(ctx context.Context) error {
	for {
		s.qmu.Lock()
		idle := len(s.queue) == 0 && s.busy == 0
		done := s.qdone
		s.qmu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.ctx.Done():
			return nil
		}
	}
}

// Deliveries returns the most recent deliveries (oldest first), optionally only those of one
// rule ("" for all).
func (s *Service) Deliveries(rule string) []Delivery {
	return s.deliveries.List(func(d *Delivery) bool { return rule == "" || d.Rule == rule })
}

func (s *Service) record(d Delivery) { s.deliveries.Add(d) }

// deliver makes one delivery and records it. It runs with no lock held.
func (s *Service) deliver(ctx context.Context, d *delivery) {
	caller := identity.Root(d.account, d.region)
	ctx = identity.InService(identity.With(ctx, caller), "events.amazonaws.com")
	rec := Delivery{
		Time: s.env.Clock.Now(), Account: d.account, Region: d.region, EventBusName: d.bus,
		Rule: d.rule.Name, RuleArn: d.rule.Arn, TargetId: d.target.Id, TargetArn: d.target.Arn, Event: d.event,
	}
	input, err := targetInput(d)
	if err == nil {
		rec.Input = input
		rec.Result, err = s.send(ctx, d, &rec)
	}
	if err != nil {
		rec.Status, rec.Error = "Failed", err.Error()
		s.log.Warn("events: delivery failed", "rule", d.rule.Name, "target", d.target.Arn, "err", err)
	} else {
		rec.Status = "Succeeded"
	}
	s.record(rec)
}

// targetInput computes what a target receives.
func targetInput(d *delivery) ([]byte, error) {
	t := &d.target
	switch {
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "":
		doc, err := decodeJSON(d.eventJSON)
		if err != nil {
			return nil, err
		}
		p, err := parseJSONPath(t.InputPath)
		if err != nil {
			return nil, err
		}
		v, ok := p.eval(doc)
		if !ok {
			return []byte("null"), nil
		}
		return json.Marshal(v)
	case t.InputTransformer != nil:
		return transform(d, t.InputTransformer)
	}
	return d.eventJSON, nil
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// transform applies an input transformer: each <name> in the template is replaced by the value
// its path selects, as JSON outside string literals and as text inside them.
func transform(d *delivery, it *InputTransformer) ([]byte, error) {
	doc, err := decodeJSON(d.eventJSON)
	if err != nil {
		return nil, err
	}
	vals := map[string]any{}
	for name, path := range it.InputPathsMap {
		p, err := parseJSONPath(path)
		if err != nil {
			return nil, err
		}
		if v, ok := p.eval(doc); ok {
			vals[name] = v
		}
	}
	predefined := map[string]func() (any, bool){
		"aws.events.rule-arn":             func() (any, bool) { return d.rule.Arn, true },
		"aws.events.rule-name":            func() (any, bool) { return d.rule.Name, true },
		"aws.events.event.ingestion-time": func() (any, bool) { return d.event.Time.UTC().Format("2006-01-02T15:04:05Z"), true },
		"aws.events.event":                func() (any, bool) { return json.RawMessage(d.eventJSON), true },
		"aws.events.event.json":           func() (any, bool) { return json.RawMessage(d.eventJSON), true },
	}
	tpl := it.InputTemplate
	var out strings.Builder
	inString := false
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		switch {
		case c == '\\' && inString && i+1 < len(tpl):
			out.WriteByte(c)
			out.WriteByte(tpl[i+1])
			i++
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			j := strings.IndexByte(tpl[i:], '>')
			if j > 1 {
				name := tpl[i+1 : i+j]
				v, ok := vals[name]
				if !ok {
					if f := predefined[name]; f != nil {
						v, ok = f()
					} else if _, declared := it.InputPathsMap[name]; !declared {
						break // not a placeholder
					}
				}
				out.WriteString(render(v, ok, inString))
				i += j
				continue
			}
		}
		out.WriteByte(c)
	}
	return []byte(out.String()), nil
}

func render(v any, ok, inString bool) string {
	if !ok {
		if inString {
			return ""
		}
		return "null"
	}
	if inString {
		if s, isStr := v.(string); isStr {
			b, _ := json.Marshal(s)
			return string(b[1 : len(b)-1])
		}
		b, _ := json.Marshal(v)
		q, _ := json.Marshal(string(b))
		return string(q[1 : len(q)-1])
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// send dispatches one delivery by the target ARN's service.
func (s *Service) send(ctx context.Context, d *delivery, rec *Delivery) (string, error) {
	arn := d.target.Arn
	s.mu.RLock()
	h := s.handlers[arn]
	s.mu.RUnlock()
	if h != nil {
		return "", h(ctx, rec)
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "", fmt.Errorf("target %s is not an ARN and no handler is registered for it", arn)
	}
	service, region, account, resource := parts[2], parts[3], parts[4], parts[5]
	unsupported := func(what string) error {
		return fmt.Errorf("no %s is wired to this EventBridge; register a Go handler for %s", what, arn)
	}
	switch service {
	case "sns":
		if s.opts.Topics == nil {
			return "", unsupported("SNS")
		}
		return s.opts.Topics.PublishToTopic(ctx, arn, "", plainText(rec.Input))
	case "logs":
		if s.opts.LogGroups == nil {
			return "", unsupported("CloudWatch Logs")
		}
		name := strings.TrimPrefix(resource, "log-group:")
		name = strings.TrimSuffix(name, ":*")
		return "", s.opts.LogGroups.PutEventToLogGroup(ctx, name, d.event.Time, string(rec.Input))
	case "codepipeline":
		if s.opts.Pipelines == nil {
			return "", unsupported("CodePipeline")
		}
		return s.opts.Pipelines.StartPipelineFromEvent(ctx, resource)
	case "codebuild":
		if s.opts.Builds == nil {
			return "", unsupported("CodeBuild")
		}
		return s.opts.Builds.StartBuildFromEvent(ctx, strings.TrimPrefix(resource, "project/"), rec.Input)
	case "events":
		switch {
		case strings.HasPrefix(resource, "event-bus/"):
			bus := strings.TrimPrefix(resource, "event-bus/")
			ev := d.event
			ev.Account, ev.Region = account, region
			if bus != DefaultBus {
				bctx := identity.With(ctx, identity.Root(account, region))
				if _, err := s.getBus(bctx, bus); err != nil {
					return "", err
				}
			}
			s.routeIn(ctx, account, region, bus, ev)
			return "", nil
		case strings.HasPrefix(resource, "target/"):
			if s.opts.Instances == nil {
				return "", unsupported("EC2")
			}
			action := strings.TrimSuffix(strings.TrimPrefix(resource, "target/"), "-instance")
			id := plainText(rec.Input)
			return "", s.opts.Instances.InstanceAction(ctx, action, id)
		}
	}
	return "", fmt.Errorf("devopsim does not deliver to %s targets; register a Go handler for %s", service, arn)
}

// plainText is a JSON string's contents, or the input as is.
func plainText(b []byte) string {
	var s string
	if len(b) > 0 && b[0] == '"' && json.Unmarshal(b, &s) == nil {
		return s
	}
	return string(b)
}
