package cfnres

import (
	"context"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudwatch/logs"
)

// registerLogsMore registers AWS::Logs::LogStream, MetricFilter, SubscriptionFilter (Ref:
// the name; no attributes) and QueryDefinition (Ref: the ID; QueryDefinitionId).
func registerLogsMore(cf *cloudformation.Service, svc *logs.Service) {
	l := logRes{svc}
	cf.RegisterProvider("AWS::Logs::LogStream", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: l.createStream, DeleteFunc: l.deleteStream, ReadFunc: l.readStream},
		ReplaceOn: []string{"LogGroupName", "LogStreamName"},
	})
	cf.RegisterProvider("AWS::Logs::MetricFilter", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: l.putMetricFilter, UpdateFunc: l.putMetricFilter, DeleteFunc: l.deleteMetricFilter, ReadFunc: l.readMetricFilter},
		ReplaceOn: []string{"FilterName", "LogGroupName"},
	})
	cf.RegisterProvider("AWS::Logs::SubscriptionFilter", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: l.putSubscription, UpdateFunc: l.putSubscription, DeleteFunc: l.deleteSubscription, ReadFunc: l.readSubscription},
		ReplaceOn: []string{"FilterName", "LogGroupName"},
	})
	cf.RegisterProvider("AWS::Logs::QueryDefinition", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: l.putQuery, UpdateFunc: l.putQuery, DeleteFunc: l.deleteQuery, ReadFunc: l.readQuery},
		Attributes: []string{"QueryDefinitionId"},
	})
}

type logRes struct{ svc *logs.Service }

// ---- streams ----

func (l logRes) createStream(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := need(req.Properties, "LogGroupName"); err != nil {
		return nil, err
	}
	name := physicalName(req, "LogStreamName", 512)
	if _, err := l.svc.CreateLogStream(ctx, &logs.CreateLogStreamInput{LogGroupName: str(req.Properties, "LogGroupName"), LogStreamName: name}); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name}, nil
}

func (l logRes) deleteStream(ctx context.Context, req *cloudformation.Request) error {
	_, err := l.svc.DeleteLogStream(ctx, &logs.DeleteLogStreamInput{LogGroupName: str(req.Properties, "LogGroupName"), LogStreamName: req.PhysicalID})
	return notFound(err)
}

func (l logRes) readStream(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	group := str(req.Properties, "LogGroupName")
	out, err := l.svc.DescribeLogStreams(ctx, &logs.DescribeLogStreamsInput{LogGroupName: group, LogStreamNamePrefix: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	for _, s := range out.LogStreams {
		if s.LogStreamName == req.PhysicalID {
			props := map[string]any{"LogGroupName": group}
			if _, ok := req.Properties["LogStreamName"]; ok {
				props["LogStreamName"] = s.LogStreamName
			}
			return props, nil
		}
	}
	return nil, logs.ErrResourceNotFound.With("The specified log stream does not exist.")
}

// ---- metric filters ----

// transformations maps MetricTransformations (Dimensions as a list of {Key, Value}) onto
// the API's (a map).
func transformations(v any) ([]logs.MetricTransformation, error) {
	l, _ := v.([]any)
	out := make([]logs.MetricTransformation, 0, len(l))
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, propErr("MetricTransformations entries must be objects")
		}
		sub := map[string]any{}
		for k, v := range m {
			if k != "Dimensions" {
				sub[k] = v
			}
		}
		var t logs.MetricTransformation
		if err := decode(sub, &t); err != nil {
			return nil, err
		}
		if dl, ok := m["Dimensions"].([]any); ok {
			t.Dimensions = map[string]string{}
			for _, d := range dl {
				dm, _ := d.(map[string]any)
				t.Dimensions[str(dm, "Key")] = str(dm, "Value")
			}
		}
		out = append(out, t)
	}
	return out, nil
}

func (l logRes) putMetricFilter(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "LogGroupName", "FilterPattern", "MetricTransformations"); err != nil {
		return nil, err
	}
	name := currentName(req, "FilterName", 512)
	mt, err := transformations(p["MetricTransformations"])
	if err != nil {
		return nil, err
	}
	if _, err := l.svc.PutMetricFilter(ctx, &logs.PutMetricFilterInput{LogGroupName: str(p, "LogGroupName"), FilterName: name,
		FilterPattern: str(p, "FilterPattern"), MetricTransformations: mt}); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name}, nil
}

func (l logRes) deleteMetricFilter(ctx context.Context, req *cloudformation.Request) error {
	_, err := l.svc.DeleteMetricFilter(ctx, &logs.DeleteMetricFilterInput{LogGroupName: str(req.Properties, "LogGroupName"), FilterName: req.PhysicalID})
	return notFound(err)
}

func (l logRes) readMetricFilter(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := l.svc.DescribeMetricFilters(ctx, &logs.DescribeMetricFiltersInput{LogGroupName: str(req.Properties, "LogGroupName"), FilterNamePrefix: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	for _, f := range out.MetricFilters {
		if f.FilterName == req.PhysicalID {
			return map[string]any{"LogGroupName": f.LogGroupName, "FilterPattern": f.FilterPattern}, nil
		}
	}
	return nil, logs.ErrResourceNotFound.With("The specified metric filter does not exist.")
}

// ---- subscription filters ----

func (l logRes) putSubscription(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "LogGroupName", "FilterPattern", "DestinationArn"); err != nil {
		return nil, err
	}
	name := currentName(req, "FilterName", 512)
	if _, err := l.svc.PutSubscriptionFilter(ctx, &logs.PutSubscriptionFilterInput{LogGroupName: str(p, "LogGroupName"), FilterName: name,
		FilterPattern: str(p, "FilterPattern"), DestinationArn: str(p, "DestinationArn"), RoleArn: str(p, "RoleArn"), Distribution: str(p, "Distribution")}); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name}, nil
}

func (l logRes) deleteSubscription(ctx context.Context, req *cloudformation.Request) error {
	_, err := l.svc.DeleteSubscriptionFilter(ctx, &logs.DeleteSubscriptionFilterInput{LogGroupName: str(req.Properties, "LogGroupName"), FilterName: req.PhysicalID})
	return notFound(err)
}

func (l logRes) readSubscription(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := l.svc.DescribeSubscriptionFilters(ctx, &logs.DescribeSubscriptionFiltersInput{LogGroupName: str(req.Properties, "LogGroupName"), FilterNamePrefix: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	for _, f := range out.SubscriptionFilters {
		if f.FilterName == req.PhysicalID {
			return map[string]any{"LogGroupName": f.LogGroupName, "FilterPattern": f.FilterPattern, "DestinationArn": f.DestinationArn}, nil
		}
	}
	return nil, logs.ErrResourceNotFound.With("The specified subscription filter does not exist.")
}

// ---- query definitions ----

func (l logRes) putQuery(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "Name", "QueryString"); err != nil {
		return nil, err
	}
	out, err := l.svc.PutQueryDefinition(ctx, &logs.PutQueryDefinitionInput{Name: str(p, "Name"), QueryDefinitionID: req.PhysicalID,
		LogGroupNames: strs(p, "LogGroupNames"), QueryString: str(p, "QueryString"), QueryLanguage: str(p, "QueryLanguage")})
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.QueryDefinitionID, Attributes: map[string]any{"QueryDefinitionId": out.QueryDefinitionID}}, nil
}

func (l logRes) deleteQuery(ctx context.Context, req *cloudformation.Request) error {
	_, err := l.svc.DeleteQueryDefinition(ctx, &logs.DeleteQueryDefinitionInput{QueryDefinitionID: req.PhysicalID})
	return notFound(err)
}

func (l logRes) readQuery(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := l.svc.DescribeQueryDefinitions(ctx, &logs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: str(req.Properties, "Name")})
	if err != nil {
		return nil, err
	}
	for _, q := range out.QueryDefinitions {
		if q.QueryDefinitionID == req.PhysicalID {
			return map[string]any{"Name": q.Name, "QueryString": q.QueryString}, nil
		}
	}
	return nil, logs.ErrResourceNotFound.With("The specified query definition does not exist.")
}
