package cfnres

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/sns"
)

// ---- SNS ----

func registerSNS(cf *cloudformation.Service, svc *sns.Service) {
	t := topics{svc}
	cf.RegisterProvider("AWS::SNS::Topic", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: t.create, UpdateFunc: t.update, DeleteFunc: t.delete, ReadFunc: t.read},
		Attributes: []string{"TopicArn", "TopicName"},
		ReplaceOn:  []string{"TopicName", "FifoTopic"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::SNS::Subscription", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: t.subscribe, UpdateFunc: t.updateSubscription, DeleteFunc: t.unsubscribe},
		Attributes: []string{"Arn"},
		ReplaceOn:  []string{"TopicArn", "Protocol", "Endpoint", "Region"},
	})
	cf.RegisterProvider("AWS::SNS::TopicPolicy", cloudformation.TypeSpec{
		Provider: cloudformation.ProviderFuncs{CreateFunc: t.putPolicy, UpdateFunc: t.putPolicy},
	})
}

type topics struct{ svc *sns.Service }

// topicAttrs are the Topic properties that are SNS topic attributes.
var topicAttrs = []string{"DisplayName", "KmsMasterKeyId", "ContentBasedDeduplication", "FifoTopic", "SignatureVersion", "TracingConfig"}

func (t topics) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	name := str(p, "TopicName")
	if name == "" {
		name = generatedName(req, 256)
		if str(p, "FifoTopic") == "true" {
			name = generatedName(req, 251) + ".fifo"
		}
	}
	in := &sns.CreateTopicInput{Name: name, Attributes: map[string]string{}}
	for _, k := range topicAttrs {
		if v := str(p, k); v != "" {
			in.Attributes[k] = v
		}
	}
	in.Tags = append(in.Tags, tagsOf(tags(req), func(t kv) sns.Tag { return sns.Tag{Key: t.Key, Value: t.Value} })...)
	out, err := t.svc.CreateTopic(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := t.subscribeAll(ctx, out.TopicArn, p["Subscription"]); err != nil {
		_, _ = t.svc.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: out.TopicArn})
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.TopicArn, Attributes: map[string]any{"TopicArn": out.TopicArn, "TopicName": name}}, nil
}

func (t topics) subscribeAll(ctx context.Context, arn string, v any) error {
	l, _ := v.([]any)
	for _, e := range l {
		m, _ := e.(map[string]any)
		if err := need(m, "Protocol", "Endpoint"); err != nil {
			return err
		}
		if _, err := t.svc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: arn, Protocol: str(m, "Protocol"), Endpoint: str(m, "Endpoint")}); err != nil {
			return err
		}
	}
	return nil
}

func (t topics) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	for _, k := range topicAttrs {
		if k != "FifoTopic" && changed(req, k) {
			if _, err := t.svc.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: req.PhysicalID, AttributeName: k, AttributeValue: str(req.Properties, k)}); err != nil {
				return nil, err
			}
		}
	}
	if changed(req, "Subscription") { // add the new inline subscriptions (Subscribe is idempotent)
		if err := t.subscribeAll(ctx, req.PhysicalID, req.Properties["Subscription"]); err != nil {
			return nil, err
		}
	}
	if changed(req, "Tags") {
		if tg := tagsOf(tags(req), func(t kv) sns.Tag { return sns.Tag{Key: t.Key, Value: t.Value} }); len(tg) > 0 {
			if _, err := t.svc.TagResource(ctx, &sns.TagResourceInput{ResourceArn: req.PhysicalID, Tags: tg}); err != nil {
				return nil, err
			}
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (t topics) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := t.svc.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: req.PhysicalID})
	return notFound(err)
}

func (t topics) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := t.svc.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	props := map[string]any{}
	if _, ok := req.Properties["DisplayName"]; ok {
		props["DisplayName"] = out.Attributes["DisplayName"]
	}
	return props, nil
}

func (t topics) subscribe(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "TopicArn", "Protocol"); err != nil {
		return nil, err
	}
	in := &sns.SubscribeInput{TopicArn: str(p, "TopicArn"), Protocol: str(p, "Protocol"), Endpoint: str(p, "Endpoint"), ReturnSubscriptionArn: true, Attributes: subAttrs(p)}
	out, err := t.svc.Subscribe(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.SubscriptionArn, Attributes: map[string]any{"Arn": out.SubscriptionArn}}, nil
}

// subAttrs are the Subscription properties that are subscription attributes (policies are
// JSON objects in templates, strings on the API).
func subAttrs(p map[string]any) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy", "SubscriptionRoleArn"} {
		switch v := p[k].(type) {
		case nil:
		case map[string]any, []any:
			b, _ := json.Marshal(v)
			out[k] = string(b)
		default:
			out[k] = str(p, k)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (t topics) updateSubscription(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	for k, v := range subAttrs(req.Properties) {
		if changed(req, k) {
			if _, err := t.svc.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: req.PhysicalID, AttributeName: k, AttributeValue: v}); err != nil {
				return nil, err
			}
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (t topics) unsubscribe(ctx context.Context, req *cloudformation.Request) error {
	_, err := t.svc.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: req.PhysicalID})
	return notFound(err)
}

// putPolicy sets the Policy attribute of every topic of an AWS::SNS::TopicPolicy.
func (t topics) putPolicy(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := need(req.Properties, "PolicyDocument", "Topics"); err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(req.Properties["PolicyDocument"])
	for _, arn := range strs(req.Properties, "Topics") {
		if _, err := t.svc.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: arn, AttributeName: "Policy", AttributeValue: string(doc)}); err != nil {
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: generatedName(req, 64)}, nil
}

// ---- Logs ----

func registerLogs(cf *cloudformation.Service, svc *logs.Service) {
	g := logGroups{svc}
	cf.RegisterProvider("AWS::Logs::LogGroup", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.create, UpdateFunc: g.update, DeleteFunc: g.delete, ReadFunc: g.read},
		Attributes: []string{"Arn"},
		ReplaceOn:  []string{"LogGroupName", "LogGroupClass"},
		Taggable:   true,
	})
}

type logGroups struct{ svc *logs.Service }

func (g logGroups) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	name := physicalName(req, "LogGroupName", 512)
	in := &logs.CreateLogGroupInput{LogGroupName: name, KmsKeyID: str(p, "KmsKeyId"), LogGroupClass: str(p, "LogGroupClass"), Tags: tagMap(req)}
	if _, err := g.svc.CreateLogGroup(ctx, in); err != nil {
		return nil, err
	}
	if err := g.retention(ctx, name, req); err != nil {
		_, _ = g.svc.DeleteLogGroup(ctx, &logs.DeleteLogGroupInput{LogGroupName: name})
		return nil, err
	}
	return g.result(ctx, name)
}

func (g logGroups) retention(ctx context.Context, name string, req *cloudformation.Request) error {
	n, ok, err := num(req.Properties, "RetentionInDays")
	if err != nil {
		return err
	}
	if ok {
		_, err = g.svc.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: name, RetentionInDays: int(n)})
	} else if req.OldProperties != nil {
		_, err = g.svc.DeleteRetentionPolicy(ctx, &logs.DeleteRetentionPolicyInput{LogGroupName: name})
	}
	return err
}

func (g logGroups) describe(ctx context.Context, name string) (*logs.LogGroup, error) {
	out, err := g.svc.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{LogGroupNamePrefix: name})
	if err != nil {
		return nil, err
	}
	for i := range out.LogGroups {
		if out.LogGroups[i].LogGroupName == name {
			return &out.LogGroups[i], nil
		}
	}
	return nil, logs.ErrResourceNotFound.With("The specified log group does not exist.")
}

func (g logGroups) result(ctx context.Context, name string) (*cloudformation.Result, error) {
	lg, err := g.describe(ctx, name)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"Arn": lg.Arn}}, nil
}

func (g logGroups) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if changed(req, "RetentionInDays") {
		if err := g.retention(ctx, req.PhysicalID, req); err != nil {
			return nil, err
		}
	}
	return g.result(ctx, req.PhysicalID)
}

func (g logGroups) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := g.svc.DeleteLogGroup(ctx, &logs.DeleteLogGroupInput{LogGroupName: req.PhysicalID})
	return notFound(err)
}

func (g logGroups) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	lg, err := g.describe(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	props := map[string]any{}
	if _, ok := req.Properties["LogGroupName"]; ok {
		props["LogGroupName"] = lg.LogGroupName
	}
	if _, ok := req.Properties["RetentionInDays"]; ok || lg.RetentionInDays != 0 {
		props["RetentionInDays"] = str(map[string]any{"v": float64(lg.RetentionInDays)}, "v")
	}
	return props, nil
}

// ---- CloudWatch alarms ----

func registerMetrics(cf *cloudformation.Service, svc *metrics.Service) {
	a := alarms{svc}
	cf.RegisterProvider("AWS::CloudWatch::Alarm", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: a.put, UpdateFunc: a.put, DeleteFunc: a.delete, ReadFunc: a.read},
		Attributes: []string{"Arn"},
		ReplaceOn:  []string{"AlarmName"},
		Taggable:   true,
	})
}

type alarms struct{ svc *metrics.Service }

func (a alarms) put(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "ComparisonOperator", "EvaluationPeriods"); err != nil {
		return nil, err
	}
	in := &metrics.PutMetricAlarmInput{}
	if err := alarmInput(req, in, &in.AlarmName, &in.Tags); err != nil {
		return nil, err
	}
	if _, err := a.svc.PutMetricAlarm(ctx, in); err != nil {
		return nil, err
	}
	out, err := a.svc.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{in.AlarmName}})
	if err != nil {
		return nil, err
	}
	arn := ""
	if len(out.MetricAlarms) > 0 {
		arn = out.MetricAlarms[0].AlarmArn
	}
	return &cloudformation.Result{PhysicalID: in.AlarmName, Attributes: map[string]any{"Arn": arn}}, nil
}

// alarmInput decodes an alarm's properties but Tags and AlarmName into in, and sets its name
// (the physical id, or a new name) and tags.
func alarmInput(req *cloudformation.Request, in any, name *string, tg *[]metrics.Tag) error {
	sub := map[string]any{}
	for k, v := range req.Properties {
		if k != "Tags" && k != "AlarmName" {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return err
	}
	*name = currentName(req, "AlarmName", 255)
	*tg = append(*tg, tagsOf(tags(req), func(t kv) metrics.Tag { return metrics.Tag{Key: t.Key, Value: t.Value} })...)
	return nil
}

func (a alarms) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := a.svc.DeleteAlarms(ctx, &metrics.DeleteAlarmsInput{AlarmNames: []string{req.PhysicalID}})
	return notFound(err)
}

func (a alarms) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := a.svc.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.MetricAlarms) == 0 {
		return nil, metrics.ErrResourceNotFound.With("Alarm %s not found", req.PhysicalID)
	}
	m := out.MetricAlarms[0]
	props := map[string]any{"ComparisonOperator": m.ComparisonOperator}
	if _, ok := req.Properties["MetricName"]; ok {
		props["MetricName"] = m.MetricName
	}
	if _, ok := req.Properties["Namespace"]; ok {
		props["Namespace"] = m.Namespace
	}
	return props, nil
}

// ---- EventBridge rules ----

func registerEvents(cf *cloudformation.Service, svc *events.Service) {
	r := rules{svc}
	cf.RegisterProvider("AWS::Events::Rule", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: r.put, UpdateFunc: r.put, DeleteFunc: r.delete, ReadFunc: r.read},
		Attributes: []string{"Arn"},
		ReplaceOn:  []string{"Name", "EventBusName"},
	})
}

type rules struct{ svc *events.Service }

// ruleName splits a physical ID ("name", or "bus|name" on a custom bus).
func ruleName(id string) (bus, name string) {
	if b, n, ok := strings.Cut(id, "|"); ok {
		return b, n
	}
	return "", id
}

func (r rules) put(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	bus, name := ruleName(req.PhysicalID)
	if name == "" {
		name, bus = physicalName(req, "Name", 64), str(p, "EventBusName")
		if i := strings.LastIndexByte(bus, '/'); i >= 0 { // an ARN
			bus = bus[i+1:]
		}
	}
	in := &events.PutRuleInput{Name: name, EventBusName: bus, ScheduleExpression: str(p, "ScheduleExpression"), State: str(p, "State"),
		Description: str(p, "Description"), RoleArn: str(p, "RoleArn")}
	if in.State == "" {
		in.State = "ENABLED"
	}
	switch v := p["EventPattern"].(type) {
	case string:
		in.EventPattern = v
	case nil:
	default:
		b, _ := json.Marshal(v)
		in.EventPattern = string(b)
	}
	out, err := r.svc.PutRule(ctx, in)
	if err != nil {
		return nil, err
	}
	var targets []events.Target
	if l, ok := p["Targets"].([]any); ok {
		if err := decode(map[string]any{"Targets": l}, &struct {
			Targets *[]events.Target `json:"Targets"`
		}{&targets}); err != nil {
			return nil, err
		}
	}
	// Remove targets no longer listed, then put the current ones.
	if req.OldProperties != nil {
		keep := map[string]bool{}
		for _, t := range targets {
			keep[t.Id] = true
		}
		cur, err := r.svc.ListTargetsByRule(ctx, &events.ListTargetsByRuleInput{Rule: name, EventBusName: bus})
		if err != nil {
			return nil, err
		}
		var drop []string
		for _, t := range cur.Targets {
			if !keep[t.Id] {
				drop = append(drop, t.Id)
			}
		}
		if len(drop) > 0 {
			if _, err := r.svc.RemoveTargets(ctx, &events.RemoveTargetsInput{Rule: name, EventBusName: bus, Ids: drop}); err != nil {
				return nil, err
			}
		}
	}
	if len(targets) > 0 {
		res, err := r.svc.PutTargets(ctx, &events.PutTargetsInput{Rule: name, EventBusName: bus, Targets: targets})
		if err != nil {
			return nil, err
		}
		if res.FailedEntryCount > 0 {
			if req.OldProperties == nil {
				_, _ = r.svc.DeleteRule(ctx, &events.DeleteRuleInput{Name: name, EventBusName: bus, Force: true})
			}
			return nil, propErr("target %s: %s", res.FailedEntries[0].TargetId, res.FailedEntries[0].ErrorMessage)
		}
	}
	id := name
	if bus != "" && bus != "default" {
		id = bus + "|" + name
	}
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{"Arn": out.RuleArn}}, nil
}

func (r rules) delete(ctx context.Context, req *cloudformation.Request) error {
	bus, name := ruleName(req.PhysicalID)
	cur, err := r.svc.ListTargetsByRule(ctx, &events.ListTargetsByRuleInput{Rule: name, EventBusName: bus})
	if err != nil {
		return notFound(err)
	}
	var ids []string
	for _, t := range cur.Targets {
		ids = append(ids, t.Id)
	}
	if len(ids) > 0 {
		if _, err := r.svc.RemoveTargets(ctx, &events.RemoveTargetsInput{Rule: name, EventBusName: bus, Ids: ids, Force: true}); err != nil {
			return notFound(err)
		}
	}
	_, err = r.svc.DeleteRule(ctx, &events.DeleteRuleInput{Name: name, EventBusName: bus, Force: true})
	return notFound(err)
}

func (r rules) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	bus, name := ruleName(req.PhysicalID)
	out, err := r.svc.DescribeRule(ctx, &events.DescribeRuleInput{Name: name, EventBusName: bus})
	if err != nil {
		return nil, err
	}
	props := map[string]any{}
	for k, v := range map[string]string{"State": out.State, "ScheduleExpression": out.ScheduleExpression, "Description": out.Description} {
		if _, ok := req.Properties[k]; ok {
			props[k] = v
		}
	}
	return props, nil
}
