package elbv2

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

const maxListeners = 50

var fixedStatusRE = regexp.MustCompile(`^[245]\d\d$`)

// normActions validates a listener's default actions against the load balancer and returns
// them as AWS reports them (a forward to one group also carries its ForwardConfig, weight 1).
func (s *Service) normActions(ctx context.Context, lb lbRecord, actions []Action) ([]Action, error) {
	if len(actions) == 0 {
		return nil, validation("1 validation error detected: Value null at 'defaultActions' failed to satisfy constraint: Member must not be null")
	}
	terminal := 0
	orders := map[int]bool{}
	users := s.usersOf(ctx)
	out := make([]Action, 0, len(actions))
	for i, a := range actions {
		if a.Order != 0 {
			if a.Order < 1 || a.Order > 50000 {
				return nil, validation("1 validation error detected: Value '%d' at 'defaultActions.%d.member.order' failed to satisfy constraint: Member must have value between 1 and 50000", a.Order, i+1)
			}
			if orders[a.Order] {
				return nil, validation("Action order '%d' was provided multiple times", a.Order)
			}
			orders[a.Order] = true
		}
		switch a.Type {
		case "forward", "fixed-response", "redirect":
			terminal++
		case "authenticate-oidc", "authenticate-cognito", "jwt-validation":
			return nil, ErrInvalidLoadBalancerAction.With("Action type '%s' is not supported by devopsim", a.Type)
		case "":
			return nil, validation("1 validation error detected: Value null at 'defaultActions.%d.member.type' failed to satisfy constraint: Member must not be null", i+1)
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'defaultActions.%d.member.type' failed to satisfy constraint: Member must satisfy enum value set: [forward, authenticate-oidc, authenticate-cognito, redirect, fixed-response, jwt-validation]", a.Type, i+1)
		}
		switch a.Type {
		case "forward":
			n, err := s.normForward(ctx, lb, a, users)
			if err != nil {
				return nil, err
			}
			a = n
		case "fixed-response":
			c := a.FixedResponseConfig
			if c == nil {
				return nil, ErrInvalidLoadBalancerAction.With("The fixed-response action requires a fixed-response config")
			}
			if !fixedStatusRE.MatchString(c.StatusCode) {
				return nil, validation("1 validation error detected: Value '%s' at 'defaultActions.%d.member.fixedResponseConfig.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$", c.StatusCode, i+1)
			}
			if c.ContentType != "" && !slices.Contains([]string{"text/plain", "text/css", "text/html", "application/javascript", "application/json"}, c.ContentType) {
				return nil, validation("Content type '%s' is not valid; use text/plain, text/css, text/html, application/javascript or application/json", c.ContentType)
			}
			if len(c.MessageBody) > 1024 {
				return nil, validation("1 validation error detected: Value at 'defaultActions.%d.member.fixedResponseConfig.messageBody' failed to satisfy constraint: Member must have length less than or equal to 1024", i+1)
			}
			a.TargetGroupArn, a.ForwardConfig, a.RedirectConfig = "", nil, nil
		case "redirect":
			c := a.RedirectConfig
			if c == nil {
				return nil, ErrInvalidLoadBalancerAction.With("The redirect action requires a redirect config")
			}
			if c.StatusCode != "HTTP_301" && c.StatusCode != "HTTP_302" {
				return nil, validation("1 validation error detected: Value '%s' at 'defaultActions.%d.member.redirectConfig.statusCode' failed to satisfy constraint: Member must satisfy enum value set: [HTTP_301, HTTP_302]", c.StatusCode, i+1)
			}
			if c.Protocol != "" && c.Protocol != "HTTP" && c.Protocol != "HTTPS" && c.Protocol != "#{protocol}" {
				return nil, validation("Redirect protocol '%s' must be HTTP, HTTPS or #{protocol}", c.Protocol)
			}
			unchanged := func(v, def string) bool { return v == "" || v == def }
			if unchanged(c.Protocol, "#{protocol}") && unchanged(c.Port, "#{port}") && unchanged(c.Host, "#{host}") && unchanged(c.Path, "/#{path}") {
				return nil, ErrInvalidLoadBalancerAction.With("You must modify at least one of the following components to avoid a redirect loop: protocol, port, hostname or path.")
			}
			a.TargetGroupArn, a.ForwardConfig, a.FixedResponseConfig = "", nil, nil
		}
		out = append(out, a)
	}
	if terminal != 1 {
		return nil, ErrInvalidLoadBalancerAction.With("A listener must have exactly one forward, redirect or fixed-response action")
	}
	return out, nil
}

func (s *Service) normForward(ctx context.Context, lb lbRecord, a Action, users map[string][]string) (Action, error) {
	groups := slices.Clone(forwardGroups(a))
	if len(groups) == 0 {
		return a, validation("A target group ARN must be specified for a forward action")
	}
	if a.TargetGroupArn != "" && a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 0 &&
		(len(a.ForwardConfig.TargetGroups) != 1 || a.ForwardConfig.TargetGroups[0].TargetGroupArn != a.TargetGroupArn) {
		return a, ErrInvalidLoadBalancerAction.With("You cannot specify a target group ARN and a forward config with different target groups")
	}
	if len(groups) > 5 {
		return a, ErrInvalidLoadBalancerAction.With("A forward action can have at most 5 target groups")
	}
	seen := map[string]bool{}
	for i, g := range groups {
		w := 1
		if g.Weight != nil {
			w = *g.Weight
		}
		if w < 0 || w > 999 {
			return a, validation("1 validation error detected: Value '%d' at 'weight' failed to satisfy constraint: Member must have value between 0 and 999", w)
		}
		groups[i].Weight = &w
		if seen[g.TargetGroupArn] {
			return a, validation("Target group '%s' was specified more than once", g.TargetGroupArn)
		}
		seen[g.TargetGroupArn] = true
		tg, _, err := s.getTG(ctx, g.TargetGroupArn)
		if errors.Is(err, ErrTargetGroupNotFound) || errors.Is(err, ErrValidation) {
			return a, ErrTargetGroupNotFound.With("Target group '%s' not found", g.TargetGroupArn)
		}
		if err != nil {
			return a, err
		}
		if lb.VpcID != "" && tg.VpcID != lb.VpcID {
			return a, ErrInvalidConfigurationRequest.With("The load balancer and the target group '%s' must be in the same VPC", tg.ARN)
		}
		for _, other := range users[tg.ARN] {
			if other != lb.ARN {
				return a, ErrTargetGroupAssociationLimit.With("The following target groups cannot be associated with more than one load balancer: %s", tg.ARN)
			}
		}
	}
	if sc := a.ForwardConfig; sc != nil && sc.TargetGroupStickinessConfig != nil && sc.TargetGroupStickinessConfig.Enabled != nil && *sc.TargetGroupStickinessConfig.Enabled {
		return a, ErrInvalidLoadBalancerAction.With("Target group stickiness is not supported by devopsim")
	}
	off := false
	a.ForwardConfig = &ForwardActionConfig{TargetGroups: groups, TargetGroupStickinessConfig: &TargetGroupStickinessConfig{Enabled: &off}}
	a.TargetGroupArn = ""
	if len(groups) == 1 {
		a.TargetGroupArn = groups[0].TargetGroupArn
	}
	a.FixedResponseConfig, a.RedirectConfig = nil, nil
	return a, nil
}

func checkListenerProtocol(p string) (string, error) {
	switch p {
	case "", "HTTP":
		return "HTTP", nil
	case "HTTPS":
		return "", ErrUnsupportedProtocol.With("HTTPS listeners are not supported by devopsim; use HTTP")
	case "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE":
		return "", ErrIncompatibleProtocols.With("Listener protocol '%s' is not supported with a load balancer of type 'application'", p)
	}
	return "", validation("1 validation error detected: Value '%s' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE]", p)
}

// CreateListener adds an HTTP listener to a load balancer. Its default action forwards to one
// target group or to several with weights, answers a fixed response, or redirects.
func (s *Service) CreateListener(ctx context.Context, in *CreateListenerInput) (*CreateListenerOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateListener", in, s.createListener)
}

func (s *Service) createListener(ctx context.Context, in *CreateListenerInput) (*CreateListenerOutput, error) {
	if err := notNull(in.LoadBalancerArn, "loadBalancerArn"); err != nil {
		return nil, err
	}
	proto, err := checkListenerProtocol(in.Protocol)
	if err != nil {
		return nil, err
	}
	if in.Port == nil {
		return nil, validation("A listener port must be specified")
	}
	if err := between(in.Port, "port", 1, 65535); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.opMu.Lock()
	lb, err := s.getLB(ctx, in.LoadBalancerArn)
	if err != nil {
		s.opMu.Unlock()
		return nil, err
	}
	actions, err := s.normActions(ctx, lb, in.DefaultActions)
	if err != nil {
		s.opMu.Unlock()
		return nil, err
	}
	lbKey, _ := lbKeyOf(lb.ARN)
	existing, err := s.listeners.All(ctx, lbKey+"/")
	if err != nil {
		s.opMu.Unlock()
		return nil, storeErr(err)
	}
	for _, l := range existing {
		if l.Port == *in.Port {
			s.opMu.Unlock()
			return nil, ErrDuplicateListener.With("A listener already exists on this port for this load balancer '%s'", lb.ARN)
		}
	}
	if len(existing) >= maxListeners {
		s.opMu.Unlock()
		return nil, ErrTooManyListeners.With("You've reached the limit on the number of listeners per load balancer (%d)", maxListeners)
	}
	id := randHex(16)
	lbID := lb.ARN[strings.LastIndex(lb.ARN, "/")+1:]
	rec := listenerRecord{
		ARN:    core.ARN(ctx, "elasticloadbalancing", "listener/app/"+lb.Name+"/"+lbID+"/"+id),
		LBName: lb.Name, LBARN: lb.ARN, Port: *in.Port, Protocol: proto, Actions: actions, Created: s.now(), Tags: in.Tags,
	}
	key, _, _ := listenerKeyOf(rec.ARN)
	if err := s.listeners.Create(ctx, key, rec); err != nil {
		s.opMu.Unlock()
		return nil, storeErr(err)
	}
	jobs := s.syncListener(rec)
	s.opMu.Unlock()
	s.runChecks(jobs)
	return &CreateListenerOutput{Listeners: []Listener{rec.view()}}, nil
}

func (r listenerRecord) view() Listener {
	return Listener{ListenerArn: r.ARN, LoadBalancerArn: r.LBARN, Port: r.Port, Protocol: r.Protocol, DefaultActions: slices.Clone(r.Actions)}
}

// getListener loads a listener by ARN in the caller's scope.
func (s *Service) getListener(ctx context.Context, arn string) (listenerRecord, string, error) {
	key, _, ok := listenerKeyOf(arn)
	if !ok {
		return listenerRecord{}, "", validation("'%s' is not a valid listener ARN", arn)
	}
	rec, err := s.listeners.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (rec.ARN != arn || !inScope(ctx, arn))) {
		return listenerRecord{}, "", ErrListenerNotFound.With("Listener '%s' not found", arn)
	}
	return rec, key, storeErr(err)
}

// DescribeListeners describes the listeners of a load balancer, or listeners by ARN.
func (s *Service) DescribeListeners(ctx context.Context, in *DescribeListenersInput) (*DescribeListenersOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeListeners", in, s.describeListeners)
}

func (s *Service) describeListeners(ctx context.Context, in *DescribeListenersInput) (*DescribeListenersOutput, error) {
	if (in.LoadBalancerArn == "") == (len(in.ListenerArns) == 0) {
		return nil, validation("You must specify either listener ARNs or a load balancer ARN")
	}
	if err := checkPageSize(in.PageSize); err != nil {
		return nil, err
	}
	var recs []listenerRecord
	if in.LoadBalancerArn != "" {
		lb, err := s.getLB(ctx, in.LoadBalancerArn)
		if err != nil {
			return nil, err
		}
		k, _ := lbKeyOf(lb.ARN)
		all, err := s.listeners.All(ctx, k+"/")
		if err != nil {
			return nil, storeErr(err)
		}
		recs = all
		slices.SortFunc(recs, func(a, b listenerRecord) int { return a.Port - b.Port })
	} else {
		for _, arn := range in.ListenerArns {
			r, _, err := s.getListener(ctx, arn)
			if errors.Is(err, ErrListenerNotFound) {
				return nil, ErrListenerNotFound.With("One or more listeners not found")
			}
			if err != nil {
				return nil, err
			}
			recs = append(recs, r)
		}
	}
	page, next, err := paginate(recs, in.Marker, in.PageSize, func(r listenerRecord) string { return r.ARN })
	if err != nil {
		return nil, err
	}
	out := &DescribeListenersOutput{Listeners: []Listener{}, NextMarker: next}
	for _, r := range page {
		out.Listeners = append(out.Listeners, r.view())
	}
	return out, nil
}

// ModifyListener changes a listener's port, protocol or default actions; requests follow the
// new actions at once.
func (s *Service) ModifyListener(ctx context.Context, in *ModifyListenerInput) (*ModifyListenerOutput, error) {
	return dispatch.Do(ctx, s.d, "ModifyListener", in, s.modifyListener)
}

func (s *Service) modifyListener(ctx context.Context, in *ModifyListenerInput) (*ModifyListenerOutput, error) {
	if err := notNull(in.ListenerArn, "listenerArn"); err != nil {
		return nil, err
	}
	var proto string
	if in.Protocol != "" {
		p, err := checkListenerProtocol(in.Protocol)
		if err != nil {
			return nil, err
		}
		proto = p
	}
	if err := between(in.Port, "port", 1, 65535); err != nil {
		return nil, err
	}
	s.opMu.Lock()
	cur, key, err := s.getListener(ctx, in.ListenerArn)
	if err != nil {
		s.opMu.Unlock()
		return nil, err
	}
	lb, err := s.getLB(ctx, cur.LBARN)
	if err != nil {
		s.opMu.Unlock()
		return nil, err
	}
	var actions []Action
	if len(in.DefaultActions) > 0 {
		if actions, err = s.normActions(ctx, lb, in.DefaultActions); err != nil {
			s.opMu.Unlock()
			return nil, err
		}
	}
	if in.Port != nil && *in.Port != cur.Port {
		lbKey, _ := lbKeyOf(lb.ARN)
		others, err := s.listeners.All(ctx, lbKey+"/")
		if err != nil {
			s.opMu.Unlock()
			return nil, storeErr(err)
		}
		for _, l := range others {
			if l.Port == *in.Port && l.ARN != cur.ARN {
				s.opMu.Unlock()
				return nil, ErrDuplicateListener.With("A listener already exists on this port for this load balancer '%s'", lb.ARN)
			}
		}
	}
	rec, err := s.listeners.Update(ctx, key, func(r *listenerRecord) error {
		if proto != "" {
			r.Protocol = proto
		}
		if in.Port != nil {
			r.Port = *in.Port
		}
		if actions != nil {
			r.Actions = actions
		}
		return nil
	})
	if err != nil {
		s.opMu.Unlock()
		return nil, storeErr(err)
	}
	jobs := s.syncListener(rec)
	s.opMu.Unlock()
	s.runChecks(jobs)
	return &ModifyListenerOutput{Listeners: []Listener{rec.view()}}, nil
}

// DeleteListener deletes a listener.
func (s *Service) DeleteListener(ctx context.Context, in *DeleteListenerInput) (*DeleteListenerOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteListener", in, s.deleteListener)
}

func (s *Service) deleteListener(ctx context.Context, in *DeleteListenerInput) (*DeleteListenerOutput, error) {
	if err := notNull(in.ListenerArn, "listenerArn"); err != nil {
		return nil, err
	}
	s.opMu.Lock()
	rec, key, err := s.getListener(ctx, in.ListenerArn)
	if err != nil {
		s.opMu.Unlock()
		return nil, err
	}
	if err := s.listeners.Delete(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.opMu.Unlock()
		return nil, storeErr(err)
	}
	jobs := s.removeListener(rec.LBARN, rec.ARN)
	s.opMu.Unlock()
	s.runChecks(jobs)
	return &DeleteListenerOutput{}, nil
}
