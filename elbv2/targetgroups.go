package elbv2

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

const attrDeregDelay = "deregistration_delay.timeout_seconds"

// defaultAttributes are a new instance target group's attributes.
func defaultAttributes() map[string]string {
	return map[string]string{
		attrDeregDelay:                          "300",
		"stickiness.enabled":                    "false",
		"stickiness.type":                       "lb_cookie",
		"stickiness.lb_cookie.duration_seconds": "86400",
		"slow_start.duration_seconds":           "0",
		"load_balancing.algorithm.type":         "round_robin",
		"load_balancing.cross_zone.enabled":     "use_load_balancer_configuration",
	}
}

func validateTGName(name string) error {
	if err := notNull(name, "name"); err != nil {
		return err
	}
	switch {
	case len(name) > 32:
		return validation("Target group name '%s' cannot be longer than '32' characters", name)
	case !nameRE.MatchString(name):
		return validation("Target group name '%s' can only contain characters that are alphanumeric characters or hyphens(-)", name)
	case strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-"):
		return validation("Target group name '%s' cannot begin or end with '-'", name)
	}
	return nil
}

func between(v *int, member string, lo, hi int) error {
	if v != nil && (*v < lo || *v > hi) {
		return validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value %s", *v, member, rangeText(lo, hi))
	}
	return nil
}

func rangeText(lo, hi int) string {
	return "between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi)
}

func validMatcher(m string) bool {
	if m == "" {
		return false
	}
	for _, part := range strings.Split(m, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 200 || a > 499 {
			return false
		}
		if isRange {
			b, err := strconv.Atoi(hi)
			if err != nil || b < a || b > 499 {
				return false
			}
		}
	}
	return true
}

// healthPatch is the health check settings of a create or modify request.
type healthPatch struct {
	Protocol, Port, Path          string
	Enabled                       *bool
	Interval, Timeout, Healthy, U *int
	Matcher                       *Matcher
}

func (p healthPatch) apply(hc *healthConfig) error {
	if p.Enabled != nil && !*p.Enabled {
		return validation("Health check enabled must be true for target groups with target type 'instance'")
	}
	if p.Protocol != "" {
		switch p.Protocol {
		case "HTTP", "HTTPS":
			hc.Protocol = p.Protocol
		case "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE":
			return ErrIncompatibleProtocols.With("Health check protocol '%s' is not supported for target groups with the HTTP protocol", p.Protocol)
		default:
			return validation("1 validation error detected: Value '%s' at 'healthCheckProtocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE]", p.Protocol)
		}
	}
	if p.Port != "" {
		if p.Port != "traffic-port" {
			n, err := strconv.Atoi(p.Port)
			if err != nil || n < 1 || n > 65535 {
				return validation("Health check port '%s' must be 'traffic-port' or a number between 1 and 65535", p.Port)
			}
		}
		hc.Port = p.Port
	}
	if p.Path != "" {
		if !strings.HasPrefix(p.Path, "/") || len(p.Path) > 1024 {
			return validation("Health check path '%s' must begin with '/' and be at most 1024 characters", p.Path)
		}
		hc.Path = p.Path
	}
	for _, c := range []struct {
		v      *int
		member string
		lo, hi int
		dst    *int
	}{
		{p.Interval, "healthCheckIntervalSeconds", 5, 300, &hc.Interval},
		{p.Timeout, "healthCheckTimeoutSeconds", 2, 120, &hc.Timeout},
		{p.Healthy, "healthyThresholdCount", 2, 10, &hc.Healthy},
		{p.U, "unhealthyThresholdCount", 2, 10, &hc.Unhealthy},
	} {
		if err := between(c.v, c.member, c.lo, c.hi); err != nil {
			return err
		}
		if c.v != nil {
			*c.dst = *c.v
		}
	}
	if hc.Timeout >= hc.Interval {
		return validation("Health check timeout '%d' must be smaller than the interval '%d'", hc.Timeout, hc.Interval)
	}
	if p.Matcher != nil {
		if p.Matcher.GrpcCode != "" {
			return validation("You cannot specify a gRPC code matcher for target groups with protocol version 'HTTP1'")
		}
		m := strings.ReplaceAll(p.Matcher.HTTPCode, " ", "")
		if !validMatcher(m) {
			return validation("Health check matcher HTTP code '%s' must be within '200-499' range", p.Matcher.HTTPCode)
		}
		hc.Matcher = m
	}
	return nil
}

// CreateTargetGroup creates an instance target group with HTTP health checks (defaults: path
// /, port traffic-port, every 30 s, timeout 5 s, healthy 5, unhealthy 2, matcher 200).
func (s *Service) CreateTargetGroup(ctx context.Context, in *CreateTargetGroupInput) (*CreateTargetGroupOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateTargetGroup", in, s.createTargetGroup)
}

func (s *Service) createTargetGroup(ctx context.Context, in *CreateTargetGroupInput) (*CreateTargetGroupOutput, error) {
	if err := validateTGName(in.Name); err != nil {
		return nil, err
	}
	tt := in.TargetType
	if tt == "" {
		tt = "instance"
	}
	switch tt {
	case "instance":
	case "ip", "lambda", "alb":
		return nil, validation("Target type '%s' is not supported by devopsim; only 'instance' target groups are", tt)
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [instance, ip, lambda, alb]", tt)
	}
	switch in.Protocol {
	case "":
		return nil, validation("A protocol must be specified")
	case "HTTP":
	case "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE":
		return nil, ErrUnsupportedProtocol.With("Protocol '%s' is not supported by devopsim target groups; use HTTP", in.Protocol)
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE]", in.Protocol)
	}
	pv := in.ProtocolVersion
	if pv == "" {
		pv = "HTTP1"
	}
	if pv != "HTTP1" && pv != "HTTP2" {
		return nil, validation("Protocol version '%s' is not supported by devopsim; use HTTP1 or HTTP2", pv)
	}
	if in.Port == nil {
		return nil, validation("A port must be specified")
	}
	if err := between(in.Port, "port", 1, 65535); err != nil {
		return nil, err
	}
	if in.VpcID == "" {
		return nil, validation("A VPC ID must be specified")
	}
	if !strings.HasPrefix(in.VpcID, "vpc-") {
		return nil, validation("The VPC ID '%s' is not found", in.VpcID)
	}
	ipt := in.IPAddressType
	if ipt == "" {
		ipt = "ipv4"
	}
	if ipt != "ipv4" && ipt != "ipv6" {
		return nil, validation("1 validation error detected: Value '%s' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, ipv6]", ipt)
	}
	hc := healthConfig{Enabled: true, Protocol: "HTTP", Port: "traffic-port", Path: "/", Interval: 30, Timeout: 5, Healthy: 5, Unhealthy: 2, Matcher: "200"}
	err := healthPatch{Protocol: in.HealthCheckProtocol, Port: in.HealthCheckPort, Path: in.HealthCheckPath, Enabled: in.HealthCheckEnabled,
		Interval: in.HealthCheckIntervalSeconds, Timeout: in.HealthCheckTimeoutSeconds, Healthy: in.HealthyThresholdCount, U: in.UnhealthyThresholdCount,
		Matcher: in.Matcher}.apply(&hc)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	account, region := core.Scope(ctx)
	key := scopeKey(account, region, in.Name)
	rec := tgRecord{
		Name: in.Name, Protocol: in.Protocol, ProtocolVersion: pv, Port: *in.Port, VpcID: in.VpcID,
		TargetType: tt, IPAddressType: ipt, HC: hc, Attributes: defaultAttributes(), Created: s.now(), Tags: in.Tags,
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	if cur, err := s.tgs.Get(ctx, key); err == nil {
		if cur.Protocol == rec.Protocol && cur.Port == rec.Port && cur.VpcID == rec.VpcID && cur.TargetType == rec.TargetType && cur.HC == rec.HC {
			return &CreateTargetGroupOutput{TargetGroups: []TargetGroup{cur.view(s.usersOf(ctx)[cur.ARN])}}, nil
		}
		return nil, ErrDuplicateTargetGroupName.With("A target group with the same name '%s' exists, but with different settings", in.Name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, storeErr(err)
	}
	rec.ARN = core.ARN(ctx, "elasticloadbalancing", "targetgroup/"+in.Name+"/"+randHex(16))
	if err := s.tgs.Create(ctx, key, rec); err != nil {
		return nil, storeErr(err)
	}
	s.syncTG(rec)
	return &CreateTargetGroupOutput{TargetGroups: []TargetGroup{rec.view(nil)}}, nil
}

func (r tgRecord) view(lbs []string) TargetGroup {
	m := &Matcher{HTTPCode: r.HC.Matcher}
	if lbs == nil {
		lbs = []string{}
	}
	return TargetGroup{
		TargetGroupArn: r.ARN, TargetGroupName: r.Name, Protocol: r.Protocol, Port: r.Port, VpcID: r.VpcID,
		HealthCheckProtocol: r.HC.Protocol, HealthCheckPort: r.HC.Port, HealthCheckEnabled: r.HC.Enabled,
		HealthCheckIntervalSeconds: r.HC.Interval, HealthCheckTimeoutSeconds: r.HC.Timeout,
		HealthyThresholdCount: r.HC.Healthy, UnhealthyThresholdCount: r.HC.Unhealthy, HealthCheckPath: r.HC.Path,
		Matcher: m, LoadBalancerArns: lbs, TargetType: r.TargetType, ProtocolVersion: r.ProtocolVersion,
		IPAddressType: r.IPAddressType,
	}
}

// usersOf maps each target group ARN of the caller's scope to the load balancers whose
// listeners forward to it.
func (s *Service) usersOf(ctx context.Context) map[string][]string {
	account, region := core.Scope(ctx)
	ls, err := s.listeners.All(ctx, scopeKey(account, region, ""))
	out := map[string][]string{}
	if err != nil {
		return out
	}
	for _, l := range ls {
		for _, a := range l.Actions {
			for _, g := range forwardGroups(a) {
				if !slices.Contains(out[g.TargetGroupArn], l.LBARN) {
					out[g.TargetGroupArn] = append(out[g.TargetGroupArn], l.LBARN)
				}
			}
		}
	}
	return out
}

// getTG loads a target group by ARN in the caller's scope.
func (s *Service) getTG(ctx context.Context, arn string) (tgRecord, string, error) {
	key, ok := tgKeyOf(arn)
	if !ok {
		return tgRecord{}, "", validation("'%s' is not a valid target group ARN", arn)
	}
	rec, err := s.tgs.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (rec.ARN != arn || !inScope(ctx, arn))) {
		return tgRecord{}, "", ErrTargetGroupNotFound.With("Target groups '%s' not found", arn)
	}
	return rec, key, storeErr(err)
}

// DescribeTargetGroups describes target groups by ARN, name or load balancer, or all of them.
func (s *Service) DescribeTargetGroups(ctx context.Context, in *DescribeTargetGroupsInput) (*DescribeTargetGroupsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeTargetGroups", in, s.describeTargetGroups)
}

func (s *Service) describeTargetGroups(ctx context.Context, in *DescribeTargetGroupsInput) (*DescribeTargetGroupsOutput, error) {
	n := 0
	for _, set := range []bool{in.LoadBalancerArn != "", len(in.TargetGroupArns) > 0, len(in.Names) > 0} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, validation("Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time")
	}
	if err := checkPageSize(in.PageSize); err != nil {
		return nil, err
	}
	account, region := core.Scope(ctx)
	users := s.usersOf(ctx)
	var recs []tgRecord
	switch {
	case len(in.TargetGroupArns) > 0:
		for _, arn := range in.TargetGroupArns {
			r, _, err := s.getTG(ctx, arn)
			if errors.Is(err, ErrTargetGroupNotFound) {
				return nil, ErrTargetGroupNotFound.With("One or more target groups not found")
			}
			if err != nil {
				return nil, err
			}
			recs = append(recs, r)
		}
	case len(in.Names) > 0:
		for _, name := range in.Names {
			r, err := s.tgs.Get(ctx, scopeKey(account, region, name))
			if errors.Is(err, store.ErrNotFound) {
				return nil, ErrTargetGroupNotFound.With("One or more target groups not found")
			}
			if err != nil {
				return nil, storeErr(err)
			}
			recs = append(recs, r)
		}
	default:
		if in.LoadBalancerArn != "" {
			if _, err := s.getLB(ctx, in.LoadBalancerArn); err != nil {
				return nil, err
			}
		}
		all, err := s.tgs.All(ctx, scopeKey(account, region, ""))
		if err != nil {
			return nil, storeErr(err)
		}
		for _, r := range all {
			if in.LoadBalancerArn == "" || slices.Contains(users[r.ARN], in.LoadBalancerArn) {
				recs = append(recs, r)
			}
		}
	}
	page, next, err := paginate(recs, in.Marker, in.PageSize, func(r tgRecord) string { return r.ARN })
	if err != nil {
		return nil, err
	}
	out := &DescribeTargetGroupsOutput{TargetGroups: []TargetGroup{}, NextMarker: next}
	for _, r := range page {
		out.TargetGroups = append(out.TargetGroups, r.view(users[r.ARN]))
	}
	return out, nil
}

// ModifyTargetGroup changes a target group's health check settings; checks restart on the new
// interval.
func (s *Service) ModifyTargetGroup(ctx context.Context, in *ModifyTargetGroupInput) (*ModifyTargetGroupOutput, error) {
	return dispatch.Do(ctx, s.d, "ModifyTargetGroup", in, s.modifyTargetGroup)
}

func (s *Service) modifyTargetGroup(ctx context.Context, in *ModifyTargetGroupInput) (*ModifyTargetGroupOutput, error) {
	if err := notNull(in.TargetGroupArn, "targetGroupArn"); err != nil {
		return nil, err
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	_, key, err := s.getTG(ctx, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	p := healthPatch{Protocol: in.HealthCheckProtocol, Port: in.HealthCheckPort, Path: in.HealthCheckPath, Enabled: in.HealthCheckEnabled,
		Interval: in.HealthCheckIntervalSeconds, Timeout: in.HealthCheckTimeoutSeconds, Healthy: in.HealthyThresholdCount,
		U: in.UnhealthyThresholdCount, Matcher: in.Matcher}
	rec, err := s.tgs.Update(ctx, key, func(r *tgRecord) error { return p.apply(&r.HC) })
	if err != nil {
		return nil, storeErr(err)
	}
	s.syncTG(rec)
	return &ModifyTargetGroupOutput{TargetGroups: []TargetGroup{rec.view(s.usersOf(ctx)[rec.ARN])}}, nil
}

// DeleteTargetGroup deletes a target group that no listener uses. Deleting one that does not
// exist succeeds.
func (s *Service) DeleteTargetGroup(ctx context.Context, in *DeleteTargetGroupInput) (*DeleteTargetGroupOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteTargetGroup", in, s.deleteTargetGroup)
}

func (s *Service) deleteTargetGroup(ctx context.Context, in *DeleteTargetGroupInput) (*DeleteTargetGroupOutput, error) {
	if err := notNull(in.TargetGroupArn, "targetGroupArn"); err != nil {
		return nil, err
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	rec, key, err := s.getTG(ctx, in.TargetGroupArn)
	if errors.Is(err, ErrTargetGroupNotFound) {
		return &DeleteTargetGroupOutput{}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(s.usersOf(ctx)[rec.ARN]) > 0 {
		return nil, ErrResourceInUse.With("Target group '%s' is currently in use by a listener or a rule", rec.ARN)
	}
	if err := s.tgs.Delete(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, storeErr(err)
	}
	s.removeTG(rec.ARN)
	return &DeleteTargetGroupOutput{}, nil
}

// DescribeTargetGroupAttributes lists a target group's attributes.
func (s *Service) DescribeTargetGroupAttributes(ctx context.Context, in *DescribeTargetGroupAttributesInput) (*DescribeTargetGroupAttributesOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeTargetGroupAttributes", in, s.describeTargetGroupAttributes)
}

func (s *Service) describeTargetGroupAttributes(ctx context.Context, in *DescribeTargetGroupAttributesInput) (*DescribeTargetGroupAttributesOutput, error) {
	if err := notNull(in.TargetGroupArn, "targetGroupArn"); err != nil {
		return nil, err
	}
	rec, _, err := s.getTG(ctx, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	return &DescribeTargetGroupAttributesOutput{Attributes: attrList(rec.Attributes)}, nil
}

func attrList(m map[string]string) []TargetGroupAttribute {
	out := []TargetGroupAttribute{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, TargetGroupAttribute{Key: k, Value: m[k]})
	}
	return out
}

// ModifyTargetGroupAttributes changes attributes. deregistration_delay.timeout_seconds takes
// effect; the stickiness, slow start and algorithm attributes accept only the behaviour the
// simulator has (stickiness off, no slow start, round robin).
func (s *Service) ModifyTargetGroupAttributes(ctx context.Context, in *ModifyTargetGroupAttributesInput) (*ModifyTargetGroupAttributesOutput, error) {
	return dispatch.Do(ctx, s.d, "ModifyTargetGroupAttributes", in, s.modifyTargetGroupAttributes)
}

func validateAttribute(a TargetGroupAttribute) error {
	num := func(lo, hi int) error {
		n, err := strconv.Atoi(a.Value)
		if err != nil || n < lo || n > hi {
			return validation("'%s' must be an integer between %d and %d", a.Key, lo, hi)
		}
		return nil
	}
	only := func(vals ...string) error {
		if !slices.Contains(vals, a.Value) {
			return validation("The value '%s' of attribute '%s' is not supported by devopsim (supported: %s)", a.Value, a.Key, strings.Join(vals, ", "))
		}
		return nil
	}
	switch a.Key {
	case attrDeregDelay:
		return num(0, 3600)
	case "stickiness.enabled":
		return only("false")
	case "stickiness.type":
		return only("lb_cookie", "app_cookie")
	case "stickiness.lb_cookie.duration_seconds":
		return num(1, 604800)
	case "slow_start.duration_seconds":
		return only("0")
	case "load_balancing.algorithm.type":
		return only("round_robin")
	case "load_balancing.cross_zone.enabled":
		return only("true", "false", "use_load_balancer_configuration")
	}
	return validation("Target group attribute key '%s' is not recognized", a.Key)
}

func (s *Service) modifyTargetGroupAttributes(ctx context.Context, in *ModifyTargetGroupAttributesInput) (*ModifyTargetGroupAttributesOutput, error) {
	if err := notNull(in.TargetGroupArn, "targetGroupArn"); err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, validation("1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null")
	}
	for _, a := range in.Attributes {
		if err := validateAttribute(a); err != nil {
			return nil, err
		}
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	_, key, err := s.getTG(ctx, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	rec, err := s.tgs.Update(ctx, key, func(r *tgRecord) error {
		if r.Attributes == nil {
			r.Attributes = defaultAttributes()
		}
		for _, a := range in.Attributes {
			if n, err := strconv.Atoi(a.Value); err == nil && strings.HasSuffix(a.Key, "_seconds") {
				a.Value = strconv.Itoa(n)
			}
			r.Attributes[a.Key] = a.Value
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err)
	}
	s.syncTG(rec)
	return &ModifyTargetGroupAttributesOutput{Attributes: attrList(rec.Attributes)}, nil
}
