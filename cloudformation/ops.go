package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/cloudformation/template"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

func (s *Service) scoped(ctx context.Context) context.Context {
	if _, ok := identity.From(ctx); ok {
		return ctx
	}
	return identity.With(ctx, identity.Root(s.env.Account, s.env.Region))
}

var stackNameRe = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// templateBody returns the body from TemplateBody or an S3 TemplateURL.
func (s *Service) templateBody(ctx context.Context, body, u string) (string, error) {
	if body != "" && u != "" {
		return "", validation("Specify exactly one of TemplateBody and TemplateURL")
	}
	if u == "" {
		if body == "" {
			return "", validation("Either Template URL or Template Body must be specified.")
		}
		if len(body) > template.MaxBodySize {
			return "", validation("1 validation error detected: Value '%.20s...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", body, template.MaxBodySize)
		}
		return body, nil
	}
	bucket, key, ok := parseS3URL(u)
	if !ok {
		return "", validation("TemplateURL must be a supported URL.")
	}
	b, err := s.env.Objects.GetObject(ctx, bucket, key)
	if err != nil {
		return "", validation("S3 error: Access Denied or the object %s does not exist", u)
	}
	if len(b) > 1<<20 {
		return "", validation("Template may not exceed 1000000 bytes in size.")
	}
	return string(b), nil
}

// parseS3URL understands virtual-hosted (bucket.s3[.region].amazonaws.com/key), path-style
// (s3[.region].amazonaws.com/bucket/key) and s3://bucket/key URLs, and any other host as
// path-style (a local endpoint).
func parseS3URL(raw string) (bucket, key string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	path := strings.TrimPrefix(u.Path, "/")
	if u.Scheme == "s3" {
		return u.Host, path, path != ""
	}
	host := u.Hostname()
	if i := strings.Index(host, ".s3"); i > 0 && strings.HasSuffix(host, ".amazonaws.com") {
		return host[:i], path, path != ""
	}
	b, k, found := strings.Cut(path, "/")
	return b, k, found && k != ""
}

// prepared is a loaded, transformed and validated template with resolved parameters.
type prepared struct {
	body      string
	tmpl      *template.Template
	params    map[string]any
	records   []paramRecord
	processed string
}

func (s *Service) knownType(t string) bool {
	_, ok := s.spec(t)
	return ok
}

func (s *Service) attrs(t string) ([]string, bool) {
	sp, ok := s.spec(t)
	if !ok || len(sp.Attributes) == 0 {
		return nil, false
	}
	return sp.Attributes, true
}

func tmplErr(err error) error {
	var te *template.Error
	if errors.As(err, &te) {
		return validation("%s", te.Message)
	}
	return err
}

// effective is the body currentTemplate loads: the processed template if any.
func (p *prepared) effective() string {
	if p.processed != "" {
		return p.processed
	}
	return p.body
}

// load parses and validates body (before parameters).
func (s *Service) load(body string) (*template.Template, error) {
	t, err := template.Load([]byte(body))
	if err != nil {
		return nil, tmplErr(err)
	}
	return t, nil
}

// prepare resolves parameters against the template, expands LanguageExtensions and
// validates. prev gives previous values for UsePreviousValue.
func (s *Service) prepare(ctx context.Context, body string, given []Parameter, prev []paramRecord) (*prepared, error) {
	t, err := s.load(body)
	if err != nil {
		return nil, err
	}
	params := map[string]any{}
	var records []paramRecord
	seen := map[string]bool{}
	var unknown []string
	for _, p := range given {
		if _, ok := t.Parameters[p.ParameterKey]; !ok {
			unknown = append(unknown, p.ParameterKey)
		}
		seen[p.ParameterKey] = true
	}
	if len(unknown) > 0 {
		return nil, validation("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	var missing []string
	for _, name := range t.ParamOrder {
		decl := t.Parameters[name]
		var value string
		found := false
		for _, p := range given {
			if p.ParameterKey != name {
				continue
			}
			found = true
			if p.UsePreviousValue != nil && *p.UsePreviousValue {
				ok := false
				for _, pr := range prev {
					if pr.Key == name {
						value, ok = pr.Value, true
					}
				}
				if !ok {
					return nil, validation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", name)
				}
			} else {
				value = p.ParameterValue
			}
		}
		if !found {
			if decl.Default == nil {
				missing = append(missing, name)
				continue
			}
			value = *decl.Default
		}
		if err := decl.Check(value); err != nil {
			return nil, tmplErr(err)
		}
		rec := paramRecord{Key: name, Value: value, NoEcho: decl.NoEcho}
		resolved := value
		if strings.HasPrefix(decl.Type, "AWS::SSM::Parameter::Value<") {
			if s.opts.SSM == nil {
				return nil, validation("Parameters [%s] referenced in template have types not supported by devopsim without a Parameter Store", name)
			}
			v, _, err := s.opts.SSM.GetParameter(ctx, value)
			if err != nil {
				return nil, validation("Parameters [%s] referenced by template have types not supported by CloudFormation or the parameter %s does not exist", name, value)
			}
			resolved = v
			rec.Resolved = v
		}
		if s.opts.ResourceExists != nil {
			typ := strings.TrimSuffix(strings.TrimPrefix(strings.ReplaceAll(decl.Type, " ", ""), "List<"), ">")
			if template.IsAWSSpecific(typ) {
				vals := []string{resolved}
				if template.IsListType(decl.Type) {
					vals = strings.Split(resolved, ",")
				}
				for _, v := range vals {
					v = strings.TrimSpace(v)
					if v == "" {
						continue
					}
					ok, err := s.opts.ResourceExists(ctx, typ, v)
					if err == nil && !ok {
						return nil, validation("Parameter validation failed: parameter value %s for parameter name %s does not exist. Rollback requested by user.", v, name)
					}
				}
			}
		}
		params[name] = template.ParamValue(decl.Type, resolved)
		records = append(records, rec)
	}
	if len(missing) > 0 {
		return nil, validation("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	processed := ""
	if t.HasTransform(template.LanguageExtensions) {
		if err := template.Expand(t.Raw, params); err != nil {
			return nil, tmplErr(err)
		}
		if t, err = template.FromRaw(t.Raw); err != nil {
			return nil, tmplErr(err)
		}
		raw := map[string]any{}
		for k, v := range t.Raw {
			if k != "Transform" {
				raw[k] = v
			}
		}
		b, _ := json.Marshal(raw)
		processed = string(b)
	}
	if err := t.Validate(template.ValidateOptions{KnownType: s.knownType, Attributes: s.attrs}); err != nil {
		return nil, tmplErr(err)
	}
	if err := s.checkRules(t, params); err != nil {
		return nil, err
	}
	return &prepared{body: body, tmpl: t, params: params, records: records, processed: processed}, nil
}

// checkRules evaluates the Rules section's assertions.
func (s *Service) checkRules(t *template.Template, params map[string]any) error {
	for _, name := range template.SortedKeys(t.Rules) {
		rule, ok := t.Rules[name].(map[string]any)
		if !ok {
			return validation("Template format error: Every Rules member must be an object")
		}
		c := &template.Context{Template: t, Params: params, Region: s.env.Region}
		if rc, ok := rule["RuleCondition"]; ok {
			b, err := ruleBool(c, rc)
			if err != nil {
				return tmplErr(err)
			}
			if !b {
				continue
			}
		}
		asserts, _ := rule["Assertions"].([]any)
		for _, a := range asserts {
			am, _ := a.(map[string]any)
			b, err := ruleBool(c, am["Assert"])
			if err != nil {
				return tmplErr(err)
			}
			if !b {
				desc, _ := am["AssertDescription"].(string)
				if desc == "" {
					desc = "Template validation error: Template format error: Assertion failed for rule " + name
				}
				return validation("%s", desc)
			}
		}
	}
	return nil
}

// ruleBool evaluates a rule-specific function or a condition function.
func ruleBool(c *template.Context, v any) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		r, err := c.Eval(v)
		if err != nil {
			return false, err
		}
		b, ok := r.(bool)
		return b || r == "true", boolErr(ok || r == "true" || r == "false")
	}
	for fn, arg := range m {
		l, _ := arg.([]any)
		switch fn {
		case "Fn::And", "Fn::Or":
			res := fn == "Fn::And"
			for _, e := range l {
				b, err := ruleBool(c, e)
				if err != nil {
					return false, err
				}
				if fn == "Fn::And" {
					res = res && b
				} else {
					res = res || b
				}
			}
			return res, nil
		case "Fn::Not":
			if len(l) != 1 {
				return false, &template.Error{Message: "Template error: Fn::Not requires one argument"}
			}
			b, err := ruleBool(c, l[0])
			return !b, err
		case "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn":
			if len(l) != 2 {
				return false, &template.Error{Message: "Template error: " + fn + " requires two arguments"}
			}
			a, err := c.Eval(l[0])
			if err != nil {
				return false, err
			}
			b, err := c.Eval(l[1])
			if err != nil {
				return false, err
			}
			la := toStrings(a)
			switch fn {
			case "Fn::Contains":
				x := template.String(b)
				for _, e := range la {
					if e == x {
						return true, nil
					}
				}
				return false, nil
			case "Fn::EachMemberEquals":
				x := template.String(b)
				for _, e := range la {
					if e != x {
						return false, nil
					}
				}
				return true, nil
			default:
				lb := toStrings(b)
				for _, e := range la {
					found := false
					for _, x := range lb {
						if e == x {
							found = true
						}
					}
					if !found {
						return false, nil
					}
				}
				return true, nil
			}
		}
	}
	r, err := c.Eval(v)
	if err != nil {
		return false, err
	}
	b, ok := r.(bool)
	return b, boolErr(ok)
}

func boolErr(ok bool) error {
	if ok {
		return nil
	}
	return &template.Error{Message: "Template error: a rule assertion must be a boolean function"}
}

func toStrings(v any) []string {
	if l, ok := v.([]any); ok {
		out := make([]string, len(l))
		for i, e := range l {
			out[i] = template.String(e)
		}
		return out
	}
	return []string{template.String(v)}
}

var iamTypes = map[string][]string{
	"AWS::IAM::Role": {"RoleName"}, "AWS::IAM::User": {"UserName"}, "AWS::IAM::Group": {"GroupName"},
	"AWS::IAM::ManagedPolicy": {"ManagedPolicyName"}, "AWS::IAM::InstanceProfile": {"InstanceProfileName"},
	"AWS::IAM::Policy": nil, "AWS::IAM::AccessKey": nil, "AWS::IAM::UserToGroupAddition": nil, "AWS::IAM::RolePolicy": nil,
}

// requiredCapabilities lists what the template needs acknowledged.
func requiredCapabilities(t *template.Template) (caps []string, reason string) {
	iam, named := "", ""
	for _, id := range t.ResourceOrder {
		r := t.Resources[id]
		names, ok := iamTypes[r.Type]
		if !ok {
			continue
		}
		if iam == "" {
			iam = id
		}
		for _, n := range names {
			if _, set := r.Properties[n]; set && named == "" {
				named = id
			}
		}
	}
	switch {
	case named != "":
		return []string{"CAPABILITY_NAMED_IAM"}, "The following resource(s) require capabilities: [" + t.Resources[named].Type + "]"
	case iam != "":
		return []string{"CAPABILITY_IAM"}, "The following resource(s) require capabilities: [" + t.Resources[iam].Type + "]"
	}
	return nil, ""
}

func checkCapabilities(t *template.Template, given []string, direct bool) error {
	has := map[string]bool{}
	for _, c := range given {
		has[c] = true
	}
	if direct && len(t.Transforms) > 0 && !has["CAPABILITY_AUTO_EXPAND"] {
		return ErrInsufficientCapability.With("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
	}
	caps, _ := requiredCapabilities(t)
	for _, c := range caps {
		if c == "CAPABILITY_IAM" && (has["CAPABILITY_IAM"] || has["CAPABILITY_NAMED_IAM"]) {
			continue
		}
		if !has[c] {
			return ErrInsufficientCapability.With("Requires capabilities : [%s]", c)
		}
	}
	return nil
}

// CreateStack ----------------------------------------------------------------------------------

// CreateStack creates a stack: its resources are created in the background in dependency
// order; watch DescribeStacks/DescribeStackEvents (or WaitStack).
func (s *Service) CreateStack(ctx context.Context, in *CreateStackInput) (*CreateStackOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateStack", in, s.createStack)
}

func (s *Service) createStack(ctx context.Context, in *CreateStackInput) (*CreateStackOutput, error) {
	id, err := s.createStackInternal(ctx, in, "", true)
	if err != nil {
		return nil, err
	}
	return &CreateStackOutput{StackId: id}, nil
}

func (s *Service) checkToken(ctx context.Context, op, token, stackID string) (string, bool) {
	if token == "" {
		return "", false
	}
	key := core.ScopeKey(ctx) + op + "/" + token
	if id, err := s.tokens.Get(ctx, key); err == nil {
		return id, true
	}
	return "", false
}

func (s *Service) createStackInternal(ctx context.Context, in *CreateStackInput, parentID string, direct bool) (string, error) {
	return s.createStackAs(ctx, in, parentID, direct, nil)
}

// createStackAs creates a stack; review, when set, is the REVIEW_IN_PROGRESS stack of a
// CREATE change set whose ID and creation time the stack keeps.
func (s *Service) createStackAs(ctx context.Context, in *CreateStackInput, parentID string, direct bool, review *stackRecord) (string, error) {
	if !stackNameRe.MatchString(in.StackName) {
		return "", validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.StackName)
	}
	if id, ok := s.checkToken(ctx, "CreateStack", in.ClientRequestToken, ""); ok {
		if stackNameOf(id) != in.StackName {
			return "", ErrTokenAlreadyExists.With("Another CreateStack request (stack %s) already used the client request token %s", stackNameOf(id), in.ClientRequestToken)
		}
		return id, nil
	}
	switch in.OnFailure {
	case "", "ROLLBACK", "DELETE", "DO_NOTHING":
	default:
		return "", validation("1 validation error detected: Value '%s' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]", in.OnFailure)
	}
	if in.OnFailure != "" && in.DisableRollback != nil {
		return "", validation("You cannot specify both DisableRollback and OnFailure.")
	}
	if err := checkNotificationARNs(in.NotificationARNs); err != nil {
		return "", err
	}
	scope := core.ScopeKey(ctx)
	if _, err := s.names.Get(ctx, scope+in.StackName); err == nil {
		return "", ErrAlreadyExists.With("Stack [%s] already exists", in.StackName)
	}
	body, err := s.templateBody(ctx, in.TemplateBody, in.TemplateURL)
	if err != nil {
		return "", err
	}
	p, err := s.prepare(ctx, body, in.Parameters, nil)
	if err != nil {
		return "", err
	}
	if err := checkCapabilities(p.tmpl, in.Capabilities, direct); err != nil {
		return "", err
	}
	account, region := core.Scope(ctx)
	u := uuid.NewString()
	id := fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", region, account, in.StackName, u)
	if review != nil {
		u, id = review.UUID, review.ID
	}
	st := stackRecord{
		ID: id, UUID: u, Name: in.StackName,
		Account: account, Region: region, Status: "CREATE_IN_PROGRESS", Reason: "User Initiated", Description: p.tmpl.Description,
		Body: body, Processed: p.processed, Params: p.records, Capabilities: in.Capabilities, NotificationARNs: in.NotificationARNs,
		Tags: in.Tags, OnFailure: in.OnFailure, Policy: in.StackPolicyBody, RoleARN: in.RoleARN, Created: s.now(), ParentID: parentID,
	}
	if in.DisableRollback != nil {
		st.DisableRollback = *in.DisableRollback
	}
	if in.TimeoutInMinutes != nil {
		if *in.TimeoutInMinutes < 1 {
			return "", validation("1 validation error detected: Value '%d' at 'timeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.TimeoutInMinutes)
		}
		st.Timeout = *in.TimeoutInMinutes
	}
	if in.EnableTerminationProtection != nil {
		st.Protection = *in.EnableTerminationProtection
	}
	if parentID != "" {
		st.RootID = parentID
		if parent, err := s.stacks.Get(ctx, scope+stackUUID(parentID)); err == nil && parent.RootID != "" {
			st.RootID = parent.RootID
		}
	}
	if err := s.names.Create(ctx, scope+in.StackName, u); err != nil {
		if errors.Is(err, store.ErrExists) {
			return "", ErrAlreadyExists.With("Stack [%s] already exists", in.StackName)
		}
		return "", err
	}
	if err := s.putStack(ctx, &st); err != nil {
		return "", err
	}
	if in.ClientRequestToken != "" {
		_ = s.tokens.Put(ctx, scope+"CreateStack/"+in.ClientRequestToken, st.ID)
	}
	s.cacheTemplate(st.ID, p.effective(), p.tmpl)
	s.addEvent(ctx, &st, st.Name, st.ID, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated", nil)
	if _, err := s.startOp(ctx, st, p.tmpl, p.params, nil, func(op *operation) { op.runCreate() }); err != nil {
		return "", err
	}
	return st.ID, nil
}

// UpdateStack ----------------------------------------------------------------------------------

// UpdateStack updates a stack to a new template and/or parameters.
func (s *Service) UpdateStack(ctx context.Context, in *UpdateStackInput) (*UpdateStackOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateStack", in, s.updateStackOp)
}

func (s *Service) updateStackOp(ctx context.Context, in *UpdateStackInput) (*UpdateStackOutput, error) {
	id, err := s.updateStackInternal(ctx, in, true, "")
	if err != nil {
		return nil, err
	}
	return &UpdateStackOutput{StackId: id}, nil
}

func updatable(status string) bool {
	switch status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE", "UPDATE_FAILED":
		return true
	}
	return false
}

func (s *Service) loadResources(ctx context.Context, st stackRecord) (map[string]*resourceRecord, error) {
	recs, _, err := s.resources.List(ctx, st.Account+"/"+st.Region+"/"+st.UUID+"/", "", 0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*resourceRecord, len(recs))
	for i := range recs {
		r := recs[i]
		out[r.LogicalID] = &r
	}
	return out, nil
}

type cachedTemplate struct {
	body string
	tmpl *template.Template
}

// currentTemplate returns the stack's (processed) template, parsed once per stack and body.
// Templates are read-only once loaded, so operations share them.
func (s *Service) currentTemplate(st stackRecord) (*template.Template, error) {
	body := st.Body
	if st.Processed != "" {
		body = st.Processed
	}
	s.tmplMu.Lock()
	c, ok := s.tmpls[st.ID]
	s.tmplMu.Unlock()
	if ok && c.body == body {
		return c.tmpl, nil
	}
	t, err := template.Load([]byte(body))
	if err != nil && st.Processed != "" {
		raw, perr := template.Parse([]byte(st.Processed))
		if perr != nil {
			return nil, perr
		}
		t, err = template.FromRaw(raw)
	}
	if err != nil {
		return nil, err
	}
	s.cacheTemplate(st.ID, body, t)
	return t, nil
}

func (s *Service) cacheTemplate(id, body string, t *template.Template) {
	s.tmplMu.Lock()
	s.tmpls[id] = cachedTemplate{body, t}
	s.tmplMu.Unlock()
}

func (s *Service) forgetTemplate(id string) {
	s.tmplMu.Lock()
	delete(s.tmpls, id)
	s.tmplMu.Unlock()
}

func paramMap(t *template.Template, recs []paramRecord) map[string]any {
	out := map[string]any{}
	for _, r := range recs {
		v := r.Value
		if r.Resolved != "" {
			v = r.Resolved
		}
		typ := "String"
		if t != nil {
			if d, ok := t.Parameters[r.Key]; ok {
				typ = d.Type
			}
		}
		out[r.Key] = template.ParamValue(typ, v)
	}
	return out
}

func checkNotificationARNs(arns []string) error {
	if len(arns) > 5 {
		return validation("1 validation error detected: Value '[%s]' at 'notificationARNs' failed to satisfy constraint: Member must have length less than or equal to 5", strings.Join(arns, ", "))
	}
	for _, a := range arns {
		if !strings.HasPrefix(a, "arn:") || !strings.Contains(a, ":sns:") {
			return validation("Notification ARN %s is not a valid SNS topic ARN", a)
		}
	}
	return nil
}

func (s *Service) updateStackInternal(ctx context.Context, in *UpdateStackInput, direct bool, changeSetID string) (string, error) {
	if err := checkNotificationARNs(in.NotificationARNs); err != nil {
		return "", err
	}
	st, err := s.findStack(ctx, in.StackName)
	if err != nil {
		return "", err
	}
	if !updatable(st.Status) {
		return "", validation("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
	}
	body := st.Body
	if in.UsePreviousTemplate != nil && *in.UsePreviousTemplate {
		if in.TemplateBody != "" || in.TemplateURL != "" {
			return "", validation("You cannot specify both usePreviousTemplate and Template Body/Template URL")
		}
	} else if body, err = s.templateBody(ctx, in.TemplateBody, in.TemplateURL); err != nil {
		return "", err
	}
	p, err := s.prepare(ctx, body, in.Parameters, st.Params)
	if err != nil {
		return "", err
	}
	caps := in.Capabilities
	if err := checkCapabilities(p.tmpl, caps, direct); err != nil {
		return "", err
	}
	tags := st.Tags
	if in.Tags != nil {
		tags = in.Tags
	}
	if body == st.Body && sameValue(p.records, st.Params) && sameValue(tags, st.Tags) && in.NotificationARNs == nil && changeSetID == "" {
		return "", validation("No updates are to be performed.")
	}
	oldTmpl, err := s.currentTemplate(st)
	if err != nil {
		return "", tmplErr(err)
	}
	res, err := s.loadResources(ctx, st)
	if err != nil {
		return "", err
	}
	prevParams := paramMap(oldTmpl, st.Params)
	st.Prev = &stackSnapshot{Body: st.Body, Processed: st.Processed, Params: st.Params, Tags: st.Tags, Outputs: st.Outputs, Desc: st.Description}
	st.Body, st.Processed, st.Params, st.Tags, st.Description = body, p.processed, p.records, tags, p.tmpl.Description
	st.Capabilities = caps
	if in.NotificationARNs != nil {
		st.NotificationARNs = in.NotificationARNs
	}
	if in.StackPolicyBody != "" {
		st.Policy = in.StackPolicyBody
	}
	if in.DisableRollback != nil {
		st.DisableRollback = *in.DisableRollback
	}
	st.Status, st.Reason, st.Updated, st.ChangeSetID = "UPDATE_IN_PROGRESS", "User Initiated", s.now(), changeSetID
	duringPolicy := in.StackPolicyDuringUpdateBody
	if err := s.putStack(ctx, &st); err != nil {
		return "", err
	}
	s.cacheTemplate(st.ID, p.effective(), p.tmpl)
	s.addEvent(ctx, &st, st.Name, st.ID, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated", nil)
	op, err := s.startOp(ctx, st, p.tmpl, p.params, res, func(op *operation) {
		if duringPolicy != "" {
			op.mu.Lock()
			op.st.Policy = duringPolicy
			op.mu.Unlock()
		}
		op.runUpdate(oldTmpl, p.tmpl, prevParams)
		if duringPolicy != "" {
			op.mu.Lock()
			op.st.Policy = st.Policy
			op.mu.Unlock()
			op.saveStack()
		}
	})
	if err != nil {
		return "", err
	}
	_ = op

	return st.ID, nil
}

// DeleteStack ----------------------------------------------------------------------------------

// DeleteStack deletes a stack and its resources (DeletionPolicy honoured). Deleting a stack
// that does not exist succeeds, as on AWS.
func (s *Service) DeleteStack(ctx context.Context, in *DeleteStackInput) (*DeleteStackOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteStack", in, s.deleteStack)
}

func (s *Service) deleteStack(ctx context.Context, in *DeleteStackInput) (*DeleteStackOutput, error) {
	_, err := s.deleteStackInternal(ctx, in)
	return &DeleteStackOutput{}, err
}

func (s *Service) deleteStackInternal(ctx context.Context, in *DeleteStackInput) (*operation, error) {
	st, err := s.findStack(ctx, in.StackName)
	if err != nil || st.Status == "DELETE_COMPLETE" {
		return nil, nil
	}
	if st.Protection {
		return nil, validation("Stack [%s] cannot be deleted while TerminationProtection is enabled", st.Name)
	}
	if st.Status == "DELETE_IN_PROGRESS" {
		return nil, nil
	}
	if strings.HasSuffix(st.Status, "_IN_PROGRESS") {
		return nil, validation("Stack [%s] cannot be deleted while in status %s", st.Name, st.Status)
	}
	retain := map[string]bool{}
	for _, r := range in.RetainResources {
		retain[r] = true
	}
	if len(retain) > 0 && st.Status != "DELETE_FAILED" {
		return nil, validation("Invalid operation on stack [%s]: RetainResources can only be specified when the stack is in the DELETE_FAILED state", st.ID)
	}
	tmpl, err := s.currentTemplate(st)
	if err != nil {
		tmpl = nil
	}
	res, err := s.loadResources(ctx, st)
	if err != nil {
		return nil, err
	}
	st.Status, st.Reason = "DELETE_IN_PROGRESS", "User Initiated"
	params := paramMap(tmpl, st.Params)
	if err := s.putStack(ctx, &st); err != nil {
		return nil, err
	}
	s.addEvent(ctx, &st, st.Name, st.ID, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated", nil)
	return s.startOp(ctx, st, tmpl, params, res, func(op *operation) { op.runDelete(retain) })
}

// Describe -------------------------------------------------------------------------------------

func (s *Service) toStack(st stackRecord) Stack {
	out := Stack{
		StackId: st.ID, StackName: st.Name, Description: st.Description, CreationTime: st.Created, StackStatus: st.Status,
		StackStatusReason: st.Reason, DisableRollback: st.DisableRollback, NotificationARNs: st.NotificationARNs,
		Capabilities: st.Capabilities, Outputs: st.Outputs, RoleARN: st.RoleARN, Tags: st.Tags,
		EnableTerminationProtection: st.Protection, ParentId: st.ParentID, RootId: st.RootID, ChangeSetId: st.ChangeSetID,
		DriftInformation: stackDriftInfo(st),
	}
	if st.Timeout > 0 {
		t := st.Timeout
		out.TimeoutInMinutes = &t
	}
	if !st.Updated.IsZero() {
		t := st.Updated
		out.LastUpdatedTime = &t
	}
	if !st.Deleted.IsZero() {
		t := st.Deleted
		out.DeletionTime = &t
	}
	for _, p := range st.Params {
		v := p.Value
		if p.NoEcho {
			v = "****"
		}
		param := Parameter{ParameterKey: p.Key, ParameterValue: v}
		if p.Resolved != "" && !p.NoEcho {
			param.ResolvedValue = p.Resolved
		}
		out.Parameters = append(out.Parameters, param)
	}
	return out
}

// DescribeStacks describes one stack (by name or ID) or every live stack.
func (s *Service) DescribeStacks(ctx context.Context, in *DescribeStacksInput) (*DescribeStacksOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeStacks", in, s.describeStacks)
}

func (s *Service) describeStacks(ctx context.Context, in *DescribeStacksInput) (*DescribeStacksOutput, error) {
	if in.StackName != "" {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		return &DescribeStacksOutput{Stacks: []Stack{s.toStack(st)}}, nil
	}
	all, next, err := s.stacks.List(ctx, core.ScopeKey(ctx), in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	out := &DescribeStacksOutput{Stacks: []Stack{}, NextToken: next}
	for _, st := range all {
		if st.Status != "DELETE_COMPLETE" {
			out.Stacks = append(out.Stacks, s.toStack(st))
		}
	}
	sort.Slice(out.Stacks, func(i, j int) bool { return out.Stacks[i].CreationTime.After(out.Stacks[j].CreationTime) })
	return out, nil
}

// ListStacks lists stacks, deleted ones included, optionally filtered by status.
func (s *Service) ListStacks(ctx context.Context, in *ListStacksInput) (*ListStacksOutput, error) {
	return dispatch.Do(ctx, s.d, "ListStacks", in, s.listStacks)
}

func (s *Service) listStacks(ctx context.Context, in *ListStacksInput) (*ListStacksOutput, error) {
	filter := map[string]bool{}
	for _, f := range in.StackStatusFilter {
		filter[f] = true
	}
	all, next, err := s.stacks.List(ctx, core.ScopeKey(ctx), in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	out := &ListStacksOutput{StackSummaries: []StackSummary{}, NextToken: next}
	for _, st := range all {
		if len(filter) > 0 && !filter[st.Status] {
			continue
		}
		sum := StackSummary{StackId: st.ID, StackName: st.Name, TemplateDescription: st.Description, CreationTime: st.Created,
			StackStatus: st.Status, StackStatusReason: st.Reason, ParentId: st.ParentID, RootId: st.RootID,
			DriftInformation: stackDriftInfo(st)}
		if !st.Updated.IsZero() {
			t := st.Updated
			sum.LastUpdatedTime = &t
		}
		if !st.Deleted.IsZero() {
			t := st.Deleted
			sum.DeletionTime = &t
		}
		out.StackSummaries = append(out.StackSummaries, sum)
	}
	return out, nil
}

// DescribeStackEvents returns a stack's events, newest first.
func (s *Service) DescribeStackEvents(ctx context.Context, in *DescribeStackEventsInput) (*DescribeStackEventsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeStackEvents", in, s.describeStackEvents)
}

func (s *Service) describeStackEvents(ctx context.Context, in *DescribeStackEventsInput) (*DescribeStackEventsOutput, error) {
	st, err := s.findStack(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	evs, err := s.stackEvents(ctx, st)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	start := 0
	if in.NextToken != "" {
		fmt.Sscanf(in.NextToken, "%d", &start)
	}
	if start > len(evs) {
		start = len(evs)
	}
	end := min(start+100, len(evs))
	out := &DescribeStackEventsOutput{StackEvents: evs[start:end]}
	if end < len(evs) {
		out.NextToken = fmt.Sprint(end)
	}
	return out, nil
}

func (s *Service) resourceList(ctx context.Context, st stackRecord) ([]resourceRecord, error) {
	return s.stackResources(ctx, st)
}

// DescribeStackResource describes one resource.
func (s *Service) DescribeStackResource(ctx context.Context, in *DescribeStackResourceInput) (*DescribeStackResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeStackResource", in, s.describeStackResource)
}

func (s *Service) describeStackResource(ctx context.Context, in *DescribeStackResourceInput) (*DescribeStackResourceOutput, error) {
	st, err := s.findStack(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	r, ok := s.stackResource(ctx, st, in.LogicalResourceId)
	if !ok {
		return nil, validation("Resource %s does not exist for stack %s", in.LogicalResourceId, in.StackName)
	}
	drifts := s.driftMap(ctx, st)
	d := &StackResourceDetail{StackName: st.Name, StackId: st.ID, LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID,
		ResourceType: r.Type, LastUpdatedTimestamp: r.Updated, ResourceStatus: r.Status, ResourceStatusReason: r.Reason, DriftInformation: driftInfo(r, drifts)}
	if r.Metadata != nil {
		b, _ := json.Marshal(r.Metadata)
		d.Metadata = string(b)
	}
	return &DescribeStackResourceOutput{StackResourceDetail: d}, nil
}

// DescribeStackResources describes a stack's resources (or the stack owning a physical ID).
func (s *Service) DescribeStackResources(ctx context.Context, in *DescribeStackResourcesInput) (*DescribeStackResourcesOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeStackResources", in, s.describeStackResources)
}

func (s *Service) describeStackResources(ctx context.Context, in *DescribeStackResourcesInput) (*DescribeStackResourcesOutput, error) {
	var stacks []stackRecord
	if in.StackName != "" {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		stacks = []stackRecord{st}
	} else if in.PhysicalResourceId != "" {
		all, _, err := s.stacks.List(ctx, core.ScopeKey(ctx), "", 0)
		if err != nil {
			return nil, err
		}
		stacks = all
	} else {
		return nil, validation("Either StackName or PhysicalResourceId must be specified.")
	}
	out := &DescribeStackResourcesOutput{StackResources: []StackResource{}}
	for _, st := range stacks {
		recs, err := s.resourceList(ctx, st)
		if err != nil {
			return nil, err
		}
		drifts := s.driftMap(ctx, st)
		if in.PhysicalResourceId != "" && in.StackName == "" {
			found := false
			for _, r := range recs {
				if r.PhysicalID == in.PhysicalResourceId {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		for _, r := range recs {
			if in.LogicalResourceId != "" && r.LogicalID != in.LogicalResourceId {
				continue
			}
			out.StackResources = append(out.StackResources, StackResource{StackName: st.Name, StackId: st.ID, LogicalResourceId: r.LogicalID,
				PhysicalResourceId: r.PhysicalID, ResourceType: r.Type, Timestamp: r.Updated, ResourceStatus: r.Status,
				ResourceStatusReason: r.Reason, DriftInformation: driftInfo(r, drifts)})
		}
		if in.StackName == "" && len(out.StackResources) > 0 {
			break
		}
	}
	if in.StackName == "" && len(out.StackResources) == 0 {
		return nil, validation("Stack for %s does not exist", in.PhysicalResourceId)
	}
	return out, nil
}

// ListStackResources lists a stack's resources.
func (s *Service) ListStackResources(ctx context.Context, in *ListStackResourcesInput) (*ListStackResourcesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListStackResources", in, s.listStackResources)
}

func (s *Service) listStackResources(ctx context.Context, in *ListStackResourcesInput) (*ListStackResourcesOutput, error) {
	st, err := s.findStack(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	all, err := s.stackResources(ctx, st)
	if err != nil {
		return nil, err
	}
	start := sort.Search(len(all), func(i int) bool { return all[i].LogicalID > in.NextToken })
	if in.NextToken == "" {
		start = 0
	}
	recs := all[start:]
	drifts := s.driftMap(ctx, st)
	next := ""
	if len(recs) > 100 {
		recs = recs[:100]
		next = recs[99].LogicalID
	}
	out := &ListStackResourcesOutput{StackResourceSummaries: []StackResourceSummary{}, NextToken: next}
	for _, r := range recs {
		out.StackResourceSummaries = append(out.StackResourceSummaries, StackResourceSummary{LogicalResourceId: r.LogicalID,
			PhysicalResourceId: r.PhysicalID, ResourceType: r.Type, LastUpdatedTimestamp: r.Updated, ResourceStatus: r.Status,
			ResourceStatusReason: r.Reason, DriftInformation: driftInfo(r, drifts)})
	}
	return out, nil
}

// Templates ------------------------------------------------------------------------------------

// GetTemplate returns a stack's (or change set's) template, Original or Processed.
func (s *Service) GetTemplate(ctx context.Context, in *GetTemplateInput) (*GetTemplateOutput, error) {
	return dispatch.Do(ctx, s.d, "GetTemplate", in, s.getTemplate)
}

func (s *Service) getTemplate(ctx context.Context, in *GetTemplateInput) (*GetTemplateOutput, error) {
	if in.ChangeSetName != "" {
		cs, err := s.findChangeSet(ctx, in.ChangeSetName, in.StackName)
		if err != nil {
			return nil, err
		}
		return &GetTemplateOutput{TemplateBody: cs.Body, StagesAvailable: []string{"Original", "Processed"}}, nil
	}
	st, err := s.findStack(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	body := st.Body
	if in.TemplateStage == "Processed" && st.Processed != "" {
		body = st.Processed
	}
	return &GetTemplateOutput{TemplateBody: body, StagesAvailable: []string{"Original", "Processed"}}, nil
}

// ValidateTemplate checks a template's syntax and references.
func (s *Service) ValidateTemplate(ctx context.Context, in *ValidateTemplateInput) (*ValidateTemplateOutput, error) {
	return dispatch.Do(ctx, s.d, "ValidateTemplate", in, s.validateTemplate)
}

func (s *Service) validateTemplate(ctx context.Context, in *ValidateTemplateInput) (*ValidateTemplateOutput, error) {
	body, err := s.templateBody(ctx, in.TemplateBody, in.TemplateURL)
	if err != nil {
		return nil, err
	}
	t, err := s.load(body)
	if err != nil {
		return nil, err
	}
	if !t.HasTransform(template.LanguageExtensions) {
		// Type checks happen at create: ValidateTemplate does not know resource types.
		if err := t.Validate(template.ValidateOptions{}); err != nil {
			return nil, tmplErr(err)
		}
	}
	out := &ValidateTemplateOutput{Description: t.Description, DeclaredTransforms: t.Transforms}
	for _, name := range t.ParamOrder {
		p := t.Parameters[name]
		tp := TemplateParameter{ParameterKey: name, NoEcho: p.NoEcho, Description: p.Description}
		if p.Default != nil {
			tp.DefaultValue = *p.Default
		}
		out.Parameters = append(out.Parameters, tp)
	}
	out.Capabilities, out.CapabilitiesReason = requiredCapabilities(t)
	return out, nil
}

// GetTemplateSummary summarises a template (from a body, URL or stack).
func (s *Service) GetTemplateSummary(ctx context.Context, in *GetTemplateSummaryInput) (*GetTemplateSummaryOutput, error) {
	return dispatch.Do(ctx, s.d, "GetTemplateSummary", in, s.getTemplateSummary)
}

func (s *Service) getTemplateSummary(ctx context.Context, in *GetTemplateSummaryInput) (*GetTemplateSummaryOutput, error) {
	var body string
	var err error
	if in.StackName != "" {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		body = st.Body
	} else if body, err = s.templateBody(ctx, in.TemplateBody, in.TemplateURL); err != nil {
		return nil, err
	}
	t, err := s.load(body)
	if err != nil {
		return nil, err
	}
	out := &GetTemplateSummaryOutput{Description: t.Description, Version: t.FormatVersion, DeclaredTransforms: t.Transforms}
	if t.Metadata != nil {
		b, _ := json.Marshal(t.Metadata)
		out.Metadata = string(b)
	}
	for _, name := range t.ParamOrder {
		p := t.Parameters[name]
		d := ParameterDeclaration{ParameterKey: name, ParameterType: p.Type, NoEcho: p.NoEcho, Description: p.Description}
		if p.Default != nil {
			d.DefaultValue = *p.Default
		}
		if len(p.AllowedValues) > 0 {
			d.ParameterConstraints = &ParameterConstraints{AllowedValues: p.AllowedValues}
		}
		out.Parameters = append(out.Parameters, d)
	}
	seen := map[string]bool{}
	for _, id := range t.ResourceOrder {
		ty := t.Resources[id].Type
		if !seen[ty] {
			seen[ty] = true
			out.ResourceTypes = append(out.ResourceTypes, ty)
		}
	}
	sort.Strings(out.ResourceTypes)
	out.Capabilities, out.CapabilitiesReason = requiredCapabilities(t)
	byType := map[string][]string{}
	var unknown []string
	for _, id := range t.ResourceOrder {
		ty := t.Resources[id].Type
		if _, ok := resourceIdentifiers[ty]; ok {
			byType[ty] = append(byType[ty], id)
		}
		if !s.knownType(ty) && !slices.Contains(unknown, ty) {
			unknown = append(unknown, ty)
		}
	}
	for _, ty := range template.SortedKeys(byType) {
		out.ResourceIdentifierSummaries = append(out.ResourceIdentifierSummaries, ResourceIdentifierSummary{ResourceType: ty,
			LogicalResourceIds: byType[ty], ResourceIdentifiers: resourceIdentifiers[ty]})
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		out.Warnings = &Warnings{UnrecognizedResourceTypes: unknown}
	}
	return out, nil
}

// resourceIdentifiers are the primary identifiers of importable types (AWS's resource schemas).
var resourceIdentifiers = map[string][]string{
	"AWS::S3::Bucket": {"BucketName"}, "AWS::SSM::Parameter": {"Name"}, "AWS::Logs::LogGroup": {"LogGroupName"},
	"AWS::SNS::Topic": {"TopicArn"}, "AWS::IAM::Role": {"RoleName"}, "AWS::EC2::Instance": {"InstanceId"},
	"AWS::EC2::VPC": {"VpcId"}, "AWS::EC2::SecurityGroup": {"Id"}, "AWS::EC2::Subnet": {"SubnetId"},
	"AWS::CodeCommit::Repository": {"Id"}, "AWS::CodeBuild::Project": {"Name"}, "AWS::CodePipeline::Pipeline": {"Name"},
	"AWS::CodeDeploy::Application": {"ApplicationName"}, "AWS::CloudWatch::Alarm": {"AlarmName"}, "AWS::Events::Rule": {"Arn"},
	"AWS::AutoScaling::AutoScalingGroup": {"AutoScalingGroupName"}, "AWS::EC2::LaunchTemplate": {"LaunchTemplateId"},
}

// Protection, policies --------------------------------------------------------------------------

// UpdateTerminationProtection turns termination protection on or off.
func (s *Service) UpdateTerminationProtection(ctx context.Context, in *UpdateTerminationProtectionInput) (*UpdateTerminationProtectionOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateTerminationProtection", in, func(ctx context.Context, in *UpdateTerminationProtectionInput) (*UpdateTerminationProtectionOutput, error) {
		if in.EnableTerminationProtection == nil {
			return nil, validation("1 validation error detected: Value null at 'enableTerminationProtection' failed to satisfy constraint: Member must not be null")
		}
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		if st.ParentID != "" {
			return nil, validation("Termination protection cannot be updated on a nested stack.")
		}
		v := *in.EnableTerminationProtection
		if _, err := s.updateStack(ctx, &st, func(r *stackRecord) { r.Protection = v }); err != nil {
			return nil, err
		}
		return &UpdateTerminationProtectionOutput{StackId: st.ID}, nil
	})
}

func (s *Service) policyBody(ctx context.Context, body, u string) (string, error) {
	if u != "" {
		bucket, key, ok := parseS3URL(u)
		if !ok {
			return "", validation("StackPolicyURL must be a supported URL.")
		}
		b, err := s.env.Objects.GetObject(ctx, bucket, key)
		if err != nil {
			return "", validation("S3 error: the object %s does not exist", u)
		}
		body = string(b)
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(body), &doc); err != nil || len(doc.Statement) == 0 {
		return "", validation("Error validating stack policy: Invalid stack policy")
	}
	return body, nil
}

// SetStackPolicy sets the policy that guards a stack's resources during updates.
func (s *Service) SetStackPolicy(ctx context.Context, in *SetStackPolicyInput) (*SetStackPolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "SetStackPolicy", in, func(ctx context.Context, in *SetStackPolicyInput) (*SetStackPolicyOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		body, err := s.policyBody(ctx, in.StackPolicyBody, in.StackPolicyURL)
		if err != nil {
			return nil, err
		}
		if _, err := s.updateStack(ctx, &st, func(r *stackRecord) { r.Policy = body }); err != nil {
			return nil, err
		}
		return &SetStackPolicyOutput{}, nil
	})
}

// GetStackPolicy returns a stack's policy.
func (s *Service) GetStackPolicy(ctx context.Context, in *GetStackPolicyInput) (*GetStackPolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "GetStackPolicy", in, func(ctx context.Context, in *GetStackPolicyInput) (*GetStackPolicyOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		return &GetStackPolicyOutput{StackPolicyBody: st.Policy}, nil
	})
}

// Exports ----------------------------------------------------------------------------------------

// ListExports lists the exported outputs in the caller's account and region.
func (s *Service) ListExports(ctx context.Context, in *ListExportsInput) (*ListExportsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListExports", in, func(ctx context.Context, in *ListExportsInput) (*ListExportsOutput, error) {
		all, next, err := s.exports.List(ctx, core.ScopeKey(ctx), in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		out := &ListExportsOutput{Exports: []Export{}, NextToken: next}
		for _, e := range all {
			out.Exports = append(out.Exports, Export{ExportingStackId: e.StackID, Name: e.Name, Value: e.Value})
		}
		return out, nil
	})
}

// ListImports lists the stacks that import an export.
func (s *Service) ListImports(ctx context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListImports", in, func(ctx context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
		scope := core.ScopeKey(ctx)
		if _, err := s.exports.Get(ctx, scope+in.ExportName); err != nil {
			return nil, validation("Export '%s' is not imported by any stack.", in.ExportName)
		}
		users := s.importers(ctx, scope, in.ExportName)
		if len(users) == 0 {
			return nil, validation("Export '%s' is not imported by any stack.", in.ExportName)
		}
		return &ListImportsOutput{Imports: users}, nil
	})
}

// Update control -----------------------------------------------------------------------------------

// CancelUpdateStack cancels a running update; it rolls back.
func (s *Service) CancelUpdateStack(ctx context.Context, in *CancelUpdateStackInput) (*CancelUpdateStackOutput, error) {
	return dispatch.Do(ctx, s.d, "CancelUpdateStack", in, func(ctx context.Context, in *CancelUpdateStackInput) (*CancelUpdateStackOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		op := s.running[st.ID]
		s.mu.Unlock()
		if st.Status != "UPDATE_IN_PROGRESS" || op == nil {
			return nil, validation("CancelUpdateStack cannot be called from current stack status")
		}
		op.mu.Lock()
		op.cancelled = true
		op.mu.Unlock()
		op.cancel()
		return &CancelUpdateStackOutput{}, nil
	})
}

// ContinueUpdateRollback retries a failed update rollback, skipping ResourcesToSkip.
func (s *Service) ContinueUpdateRollback(ctx context.Context, in *ContinueUpdateRollbackInput) (*ContinueUpdateRollbackOutput, error) {
	return dispatch.Do(ctx, s.d, "ContinueUpdateRollback", in, func(ctx context.Context, in *ContinueUpdateRollbackInput) (*ContinueUpdateRollbackOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		if st.Status != "UPDATE_ROLLBACK_FAILED" {
			return nil, validation("Stack %s is in %s state and can not continue update rollback.", st.ID, st.Status)
		}
		res, err := s.loadResources(ctx, st)
		if err != nil {
			return nil, err
		}
		skip := map[string]bool{}
		for _, r := range in.ResourcesToSkip {
			skip[r] = true
		}
		var tmpl *template.Template
		if st.Prev != nil {
			tmpl, _ = template.Load([]byte(st.Prev.Body))
		}
		if tmpl == nil {
			tmpl, _ = s.currentTemplate(st)
		}
		params := paramMap(tmpl, st.Params)
		if st.Prev != nil {
			params = paramMap(tmpl, st.Prev.Params)
		}
		if s.runningOp(st.ID) != nil {
			return nil, validation("Stack %s is in UPDATE_ROLLBACK_IN_PROGRESS state and can not continue update rollback.", st.ID)
		}
		// The status changes before the call returns (waiters poll right away).
		st.Status, st.Reason = "UPDATE_ROLLBACK_IN_PROGRESS", ""
		if err := s.putStack(ctx, &st); err != nil {
			return nil, err
		}
		s.addEvent(ctx, &st, st.Name, st.ID, "AWS::CloudFormation::Stack", st.Status, "", nil)
		_, err = s.startOp(ctx, st, tmpl, params, res, func(op *operation) {
			var failed []string
			for _, id := range template.SortedKeys(res) {
				r := res[id]
				if r.Status != "UPDATE_FAILED" {
					continue
				}
				if skip[id] {
					op.setRes(r, "UPDATE_COMPLETE", "Resource skipped during UpdateRollback", nil)
					continue
				}
				spec, ok := s.spec(r.Type)
				if !ok {
					failed = append(failed, id)
					continue
				}
				if _, err := spec.Provider.Update(op.base, &Request{StackID: st.ID, StackName: st.Name, LogicalID: id, Type: r.Type,
					PhysicalID: r.PhysicalID, Properties: r.Props, OldProperties: r.Props, Attributes: r.Attrs}); err != nil && !errors.Is(err, errReplace) {
					op.setRes(r, "UPDATE_FAILED", fmtErr(err), nil)
					failed = append(failed, id)
					continue
				}
				op.setRes(r, "UPDATE_COMPLETE", "", nil)
			}
			if len(failed) > 0 {
				op.setStatus("UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to update: ["+strings.Join(failed, ", ")+"]. ")
				return
			}
			op.mu.Lock()
			if p := op.st.Prev; p != nil {
				op.st.Body, op.st.Processed, op.st.Params, op.st.Tags, op.st.Outputs, op.st.Description = p.Body, p.Processed, p.Params, p.Tags, p.Outputs, p.Desc
			}
			op.st.Prev = nil
			op.mu.Unlock()
			op.saveStack()
			op.setStatus("UPDATE_ROLLBACK_COMPLETE", "")
		})
		if err != nil {
			return nil, err
		}
		return &ContinueUpdateRollbackOutput{}, nil
	})
}

// SignalResource sends a success or failure signal to a resource with a CreationPolicy.
func (s *Service) SignalResource(ctx context.Context, in *SignalResourceInput) (*SignalResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "SignalResource", in, func(ctx context.Context, in *SignalResourceInput) (*SignalResourceOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		if in.Status != "SUCCESS" && in.Status != "FAILURE" {
			return nil, validation("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [SUCCESS, FAILURE]", in.Status)
		}
		if in.UniqueId == "" {
			return nil, validation("1 validation error detected: Value null at 'uniqueId' failed to satisfy constraint: Member must not be null")
		}
		t, err := s.currentTemplate(st)
		if err != nil || t.Resources[in.LogicalResourceId] == nil {
			return nil, validation("Resource %s does not exist for stack %s", in.LogicalResourceId, in.StackName)
		}
		// The event first: the signal may complete the resource at once.
		s.ResourceProgress(st.ID, in.LogicalResourceId, fmt.Sprintf("Received %s signal with UniqueId %s", in.Status, in.UniqueId))
		s.signals.add("rs:"+st.ID+"/"+in.LogicalResourceId, signal{UniqueID: in.UniqueId, Status: in.Status})
		return &SignalResourceOutput{}, nil
	})
}
