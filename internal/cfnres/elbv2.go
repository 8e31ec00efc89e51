package cfnres

import (
	"context"
	"strings"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/elbv2"
)

func registerELBv2(cf *cloudformation.Service, svc *elbv2.Service) {
	e := elbRes{svc}
	cf.RegisterProvider("AWS::ElasticLoadBalancingV2::TargetGroup", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: e.createTG, DeleteFunc: e.deleteTG},
		Attributes: []string{"TargetGroupArn", "TargetGroupFullName", "TargetGroupName", "LoadBalancerArns"},
		ReplaceOn:  []string{"*"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::ElasticLoadBalancingV2::LoadBalancer", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: e.createLB, DeleteFunc: e.deleteLB},
		Attributes: []string{"DNSName", "LoadBalancerFullName", "LoadBalancerName", "CanonicalHostedZoneID", "SecurityGroups", "LoadBalancerArn"},
		ReplaceOn:  []string{"*"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::ElasticLoadBalancingV2::Listener", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: e.createListener, DeleteFunc: e.deleteListener},
		Attributes: []string{"ListenerArn"},
		ReplaceOn:  []string{"*"},
	})
}

type elbRes struct{ svc *elbv2.Service }

func elbTags(req *cloudformation.Request) []elbv2.Tag {
	return tagsOf(tags(req), func(t kv) elbv2.Tag { return elbv2.Tag{Key: t.Key, Value: t.Value} })
}

// fullName is the part of an ELB ARN after "loadbalancer/" or ":" (targetgroup/...).
func fullName(arn, after string) string {
	if i := strings.Index(arn, after); i >= 0 {
		return arn[i+len(after):]
	}
	return ""
}

func (e elbRes) createTG(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	var in elbv2.CreateTargetGroupInput
	props := map[string]any{}
	for k, v := range p {
		if k != "Targets" && k != "Tags" && k != "TargetGroupAttributes" {
			props[k] = v
		}
	}
	if err := decode(props, &in); err != nil {
		return nil, err
	}
	in.Name = physicalName(req, "Name", 32)
	if len(in.Name) > 32 {
		in.Name = in.Name[:32]
	}
	in.Name = strings.Trim(in.Name, "-")
	in.Tags = elbTags(req)
	out, err := e.svc.CreateTargetGroup(ctx, &in)
	if err != nil {
		return nil, err
	}
	tg := out.TargetGroups[0]
	var targets []elbv2.TargetDescription
	if err := decode(map[string]any{"Targets": p["Targets"]}, &struct {
		Targets *[]elbv2.TargetDescription `json:"Targets"`
	}{&targets}); err != nil {
		_, _ = e.svc.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: tg.TargetGroupArn})
		return nil, err
	}
	if len(targets) > 0 {
		if _, err := e.svc.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: targets}); err != nil {
			_, _ = e.svc.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: tg.TargetGroupArn})
			return nil, err
		}
	}
	lbs := tg.LoadBalancerArns
	if lbs == nil {
		lbs = []string{}
	}
	return &cloudformation.Result{PhysicalID: tg.TargetGroupArn, Attributes: map[string]any{
		"TargetGroupArn": tg.TargetGroupArn, "TargetGroupFullName": "targetgroup/" + fullName(tg.TargetGroupArn, ":targetgroup/"),
		"TargetGroupName": tg.TargetGroupName, "LoadBalancerArns": lbs}}, nil
}

func (e elbRes) deleteTG(ctx context.Context, req *cloudformation.Request) error {
	_, err := e.svc.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: req.PhysicalID})
	return notFound(err)
}

func (e elbRes) createLB(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	in := elbv2.CreateLoadBalancerInput{Subnets: strs(p, "Subnets"), SecurityGroups: strs(p, "SecurityGroups"), Scheme: str(p, "Scheme"),
		Type: str(p, "Type"), IPAddressType: str(p, "IpAddressType"), Tags: elbTags(req)}
	if l, ok := p["SubnetMappings"]; ok {
		if err := decode(map[string]any{"SubnetMappings": l}, &in); err != nil {
			return nil, err
		}
	}
	in.Name = strings.Trim(physicalName(req, "Name", 32), "-")
	out, err := e.svc.CreateLoadBalancer(ctx, &in)
	if err != nil {
		return nil, err
	}
	lb := out.LoadBalancers[0]
	sgs := lb.SecurityGroups
	if sgs == nil {
		sgs = []string{}
	}
	return &cloudformation.Result{PhysicalID: lb.LoadBalancerArn, Attributes: map[string]any{
		"DNSName": lb.DNSName, "LoadBalancerFullName": fullName(lb.LoadBalancerArn, ":loadbalancer/"), "LoadBalancerName": lb.LoadBalancerName,
		"CanonicalHostedZoneID": lb.CanonicalHostedZoneID, "SecurityGroups": sgs, "LoadBalancerArn": lb.LoadBalancerArn}}, nil
}

func (e elbRes) deleteLB(ctx context.Context, req *cloudformation.Request) error {
	_, err := e.svc.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: req.PhysicalID})
	return notFound(err)
}

func (e elbRes) createListener(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := need(req.Properties, "LoadBalancerArn", "DefaultActions"); err != nil {
		return nil, err
	}
	var in elbv2.CreateListenerInput
	if err := decode(req.Properties, &in); err != nil {
		return nil, err
	}
	out, err := e.svc.CreateListener(ctx, &in)
	if err != nil {
		return nil, err
	}
	arn := out.Listeners[0].ListenerArn
	return &cloudformation.Result{PhysicalID: arn, Attributes: map[string]any{"ListenerArn": arn}}, nil
}

func (e elbRes) deleteListener(ctx context.Context, req *cloudformation.Request) error {
	_, err := e.svc.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: req.PhysicalID})
	return notFound(err)
}
