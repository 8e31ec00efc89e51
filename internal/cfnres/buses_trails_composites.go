package cfnres

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
)

// ---- CloudWatch composite alarms ----

func registerCompositeAlarms(cf *cloudformation.Service, svc *metrics.Service) {
	a := alarms{svc}
	cf.RegisterProvider("AWS::CloudWatch::CompositeAlarm", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: a.putComposite, UpdateFunc: a.putComposite, DeleteFunc: a.delete, ReadFunc: a.readComposite},
		Attributes: []string{"Arn"},
		ReplaceOn:  []string{"AlarmName"},
		Taggable:   true,
	})
}

// putComposite creates or updates the alarm (PutCompositeAlarm replaces it whole). Ref is
// the name.
func (a alarms) putComposite(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "AlarmRule"); err != nil {
		return nil, err
	}
	in := &metrics.PutCompositeAlarmInput{}
	if err := alarmInput(req, in, &in.AlarmName, &in.Tags); err != nil {
		return nil, err
	}
	if _, err := a.svc.PutCompositeAlarm(ctx, in); err != nil {
		return nil, err
	}
	c, err := a.composite(ctx, in.AlarmName)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.AlarmName, Attributes: map[string]any{"Arn": c.AlarmArn}}, nil
}

func (a alarms) composite(ctx context.Context, name string) (*metrics.CompositeAlarm, error) {
	out, err := a.svc.DescribeAlarms(ctx, &metrics.DescribeAlarmsInput{AlarmNames: []string{name}, AlarmTypes: []string{"CompositeAlarm"}})
	if err != nil {
		return nil, err
	}
	if len(out.CompositeAlarms) == 0 {
		return nil, metrics.ErrResourceNotFound.With("Alarm %s not found", name)
	}
	return &out.CompositeAlarms[0], nil
}

func (a alarms) readComposite(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	c, err := a.composite(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	props := map[string]any{"AlarmRule": c.AlarmRule}
	if _, ok := req.Properties["AlarmDescription"]; ok {
		props["AlarmDescription"] = c.AlarmDescription
	}
	return props, nil
}

// ---- EventBridge event buses ----

func registerEventBuses(cf *cloudformation.Service, svc *events.Service) {
	b := buses{svc}
	cf.RegisterProvider("AWS::Events::EventBus", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: b.create, UpdateFunc: b.update, DeleteFunc: b.delete, ReadFunc: b.read},
		Attributes: []string{"Arn", "Name", "Policy"},
		ReplaceOn:  []string{"Name", "EventSourceName"},
		Taggable:   true,
	})
}

type buses struct{ svc *events.Service }

func busTags(req *cloudformation.Request) []events.Tag {
	return tagsOf(tags(req), func(t kv) events.Tag { return events.Tag{Key: t.Key, Value: t.Value} })
}

// busPolicy is the Policy property as a JSON string ("" when absent).
func busPolicy(p map[string]any) string {
	switch v := p["Policy"].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func (b buses) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "Name"); err != nil {
		return nil, err
	}
	in := &events.CreateEventBusInput{Name: str(p, "Name"), EventSourceName: str(p, "EventSourceName"), Description: str(p, "Description"),
		KmsKeyIdentifier: str(p, "KmsKeyIdentifier"), Tags: busTags(req)}
	if dl := obj(p, "DeadLetterConfig"); dl != nil {
		in.DeadLetterConfig = &events.DeadLetterConfig{Arn: str(dl, "Arn")}
	}
	out, err := b.svc.CreateEventBus(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.Name, Attributes: map[string]any{"Arn": out.EventBusArn, "Name": in.Name, "Policy": busPolicy(p)}}, nil
}

// update applies Description, KmsKeyIdentifier and DeadLetterConfig changes (UpdateEventBus)
// and tag changes; the bus's Policy is recorded (not enforced).
func (b buses) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if changed(req, "Description", "KmsKeyIdentifier", "DeadLetterConfig") {
		p := req.Properties
		desc, kms := str(p, "Description"), str(p, "KmsKeyIdentifier")
		in := &events.UpdateEventBusInput{Name: req.PhysicalID, Description: &desc, KmsKeyIdentifier: &kms, DeadLetterConfig: &events.DeadLetterConfig{}}
		if dl := obj(p, "DeadLetterConfig"); dl != nil {
			in.DeadLetterConfig.Arn = str(dl, "Arn")
		}
		if _, err := b.svc.UpdateEventBus(ctx, in); err != nil {
			return nil, err
		}
	}
	d, err := b.svc.DescribeEventBus(ctx, &events.DescribeEventBusInput{Name: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	if changed(req, "Tags") {
		if drop := droppedTags(req, tags(req)); len(drop) > 0 {
			if _, err := b.svc.UntagResource(ctx, &events.UntagResourceInput{ResourceARN: d.Arn, TagKeys: drop}); err != nil {
				return nil, err
			}
		}
		if t := busTags(req); len(t) > 0 {
			if _, err := b.svc.TagResource(ctx, &events.TagResourceInput{ResourceARN: d.Arn, Tags: t}); err != nil {
				return nil, err
			}
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Arn": d.Arn, "Name": d.Name, "Policy": busPolicy(req.Properties)}}, nil
}

func (b buses) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := b.svc.DeleteEventBus(ctx, &events.DeleteEventBusInput{Name: req.PhysicalID})
	return notFound(err)
}

func (b buses) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	d, err := b.svc.DescribeEventBus(ctx, &events.DescribeEventBusInput{Name: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	props := map[string]any{"Name": d.Name}
	if _, ok := req.Properties["Description"]; ok {
		props["Description"] = d.Description
	}
	return props, nil
}

// ---- CloudTrail trails ----

func registerCloudTrail(cf *cloudformation.Service, svc *cloudtrail.Service) {
	t := trails{svc}
	cf.RegisterProvider("AWS::CloudTrail::Trail", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: t.create, UpdateFunc: t.update, DeleteFunc: t.delete, ReadFunc: t.read},
		Attributes: []string{"Arn", "SnsTopicArn"},
		ReplaceOn:  []string{"TrailName"},
		Taggable:   true,
	})
}

type trails struct{ svc *cloudtrail.Service }

func trailTags(req *cloudformation.Request) []cloudtrail.Tag {
	return tagsOf(tags(req), func(t kv) cloudtrail.Tag { return cloudtrail.Tag{Key: t.Key, Value: t.Value} })
}

func (t trails) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "S3BucketName", "IsLogging"); err != nil {
		return nil, err
	}
	name := physicalName(req, "TrailName", 128)
	out, err := t.svc.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: name, S3BucketName: str(p, "S3BucketName"), S3KeyPrefix: str(p, "S3KeyPrefix"), SnsTopicName: str(p, "SnsTopicName"),
		CloudWatchLogsLogGroupArn: str(p, "CloudWatchLogsLogGroupArn"), CloudWatchLogsRoleArn: str(p, "CloudWatchLogsRoleArn"),
		KmsKeyID: str(p, "KMSKeyId"), EnableLogFileValidation: boolp(p, "EnableLogFileValidation"),
		IncludeGlobalServiceEvents: boolp(p, "IncludeGlobalServiceEvents"), IsMultiRegionTrail: boolp(p, "IsMultiRegionTrail"),
		IsOrganizationTrail: boolp(p, "IsOrganizationTrail"), TagsList: trailTags(req),
	})
	if err != nil {
		return nil, err
	}
	if err := t.settings(ctx, name, req); err != nil {
		_, _ = t.svc.DeleteTrail(ctx, &cloudtrail.TrailNameInput{Name: name})
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"Arn": out.TrailARN, "SnsTopicArn": out.SnsTopicARN}}, nil
}

// settings applies the selectors and the logging state (IsLogging).
func (t trails) settings(ctx context.Context, name string, req *cloudformation.Request) error {
	p := req.Properties
	first := req.OldProperties == nil
	if first && (p["EventSelectors"] != nil || p["AdvancedEventSelectors"] != nil) || !first && changed(req, "EventSelectors", "AdvancedEventSelectors") {
		in := &cloudtrail.PutEventSelectorsInput{TrailName: name}
		if err := decode(map[string]any{"EventSelectors": p["EventSelectors"], "AdvancedEventSelectors": p["AdvancedEventSelectors"]}, in); err != nil {
			return err
		}
		if len(in.EventSelectors) == 0 && len(in.AdvancedEventSelectors) == 0 { // back to the default
			all := true
			in.EventSelectors = []cloudtrail.EventSelector{{ReadWriteType: "All", IncludeManagementEvents: &all}}
		}
		if _, err := t.svc.PutEventSelectors(ctx, in); err != nil {
			return err
		}
	}
	if first && p["InsightSelectors"] != nil || !first && changed(req, "InsightSelectors") {
		in := &cloudtrail.PutInsightSelectorsInput{TrailName: name}
		if err := decode(map[string]any{"InsightSelectors": p["InsightSelectors"]}, in); err != nil {
			return err
		}
		if in.InsightSelectors == nil {
			in.InsightSelectors = []cloudtrail.InsightSelector{}
		}
		if _, err := t.svc.PutInsightSelectors(ctx, in); err != nil {
			return err
		}
	}
	if first || changed(req, "IsLogging") {
		on := boolp(p, "IsLogging")
		var err error
		if on != nil && *on {
			_, err = t.svc.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name})
		} else if !first {
			_, err = t.svc.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: name})
		}
		return err
	}
	return nil
}

func (t trails) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	name := req.PhysicalID
	sp := func(k string) *string {
		if !changed(req, k) {
			return nil
		}
		v := str(p, k)
		return &v
	}
	u := &cloudtrail.UpdateTrailInput{Name: name, S3BucketName: sp("S3BucketName"), S3KeyPrefix: sp("S3KeyPrefix"), SnsTopicName: sp("SnsTopicName"),
		CloudWatchLogsLogGroupArn: sp("CloudWatchLogsLogGroupArn"), CloudWatchLogsRoleArn: sp("CloudWatchLogsRoleArn"), KmsKeyID: sp("KMSKeyId")}
	for k, dst := range map[string]**bool{"EnableLogFileValidation": &u.EnableLogFileValidation, "IncludeGlobalServiceEvents": &u.IncludeGlobalServiceEvents,
		"IsMultiRegionTrail": &u.IsMultiRegionTrail, "IsOrganizationTrail": &u.IsOrganizationTrail} {
		if changed(req, k) {
			b := boolp(p, k)
			if b == nil {
				f := k == "IncludeGlobalServiceEvents" // AWS's defaults
				b = &f
			}
			*dst = b
		}
	}
	out, err := t.svc.UpdateTrail(ctx, u)
	if err != nil {
		return nil, err
	}
	if err := t.settings(ctx, name, req); err != nil {
		return nil, err
	}
	if changed(req, "Tags") {
		drop := tagsOf(droppedTags(req, tags(req)), func(k string) cloudtrail.Tag { return cloudtrail.Tag{Key: k} })
		if len(drop) > 0 {
			if _, err := t.svc.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceID: out.TrailARN, TagsList: drop}); err != nil {
				return nil, err
			}
		}
		if tg := trailTags(req); len(tg) > 0 {
			if _, err := t.svc.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceID: out.TrailARN, TagsList: tg}); err != nil {
				return nil, err
			}
		}
	}
	return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"Arn": out.TrailARN, "SnsTopicArn": out.SnsTopicARN}}, nil
}

func (t trails) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := t.svc.DeleteTrail(ctx, &cloudtrail.TrailNameInput{Name: req.PhysicalID})
	return notFound(err)
}

func (t trails) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := t.svc.GetTrail(ctx, &cloudtrail.TrailNameInput{Name: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	st, err := t.svc.GetTrailStatus(ctx, &cloudtrail.TrailNameInput{Name: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	props := map[string]any{"S3BucketName": out.Trail.S3BucketName, "IsLogging": st.IsLogging}
	if _, isStr := req.Properties["IsLogging"].(string); isStr {
		props["IsLogging"] = strconv.FormatBool(st.IsLogging)
	}
	if _, ok := req.Properties["S3KeyPrefix"]; ok {
		props["S3KeyPrefix"] = out.Trail.S3KeyPrefix
	}
	return props, nil
}
