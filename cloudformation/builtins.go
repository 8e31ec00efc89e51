package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/cloudformation/template"
	"github.com/devopsim/devopsim/internal/core"
)

// CustomRequest is what a custom resource handler gets.
type CustomRequest struct {
	RequestType           string // Create, Update, Delete
	StackID               string
	LogicalResourceID     string
	PhysicalResourceID    string
	ResourceType          string
	ResourceProperties    map[string]any
	OldResourceProperties map[string]any
}

// CustomResponse is a custom resource handler's answer; an error fails the resource with its
// message as the reason.
type CustomResponse struct {
	PhysicalResourceID string
	Data               map[string]any
}

// CustomHandler backs custom resources whose ServiceToken it is registered for.
type CustomHandler func(ctx context.Context, req *CustomRequest) (*CustomResponse, error)

// RegisterCustomResource routes custom resources (Custom::* and
// AWS::CloudFormation::CustomResource) with this ServiceToken to h.
func (s *Service) RegisterCustomResource(serviceToken string, h CustomHandler) {
	s.mu.Lock()
	s.custom[serviceToken] = h
	s.mu.Unlock()
}

func (s *Service) registerBuiltins() {
	s.types["AWS::CloudFormation::CustomResource"] = TypeSpec{Provider: customProvider{s}, ReplaceOn: []string{"ServiceToken"}}
	s.types["AWS::CloudFormation::WaitConditionHandle"] = TypeSpec{Provider: ProviderFuncs{CreateFunc: s.createHandle, UpdateFunc: func(ctx context.Context, req *Request) (*Result, error) {
		return &Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
	}}}
	s.types["AWS::CloudFormation::WaitCondition"] = TypeSpec{Provider: ProviderFuncs{CreateFunc: s.createWaitCondition, UpdateFunc: func(ctx context.Context, req *Request) (*Result, error) {
		return &Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
	}}, Attributes: []string{"Data"}}
	s.types["AWS::CloudFormation::Stack"] = TypeSpec{Provider: nestedProvider{s}, Attributes: []string{"Outputs.*"}, ReplaceOn: []string{}, Taggable: true}
	s.types["AWS::S3::Bucket"] = TypeSpec{Provider: bucketProvider{s}, Attributes: []string{"Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL"}, ReplaceOn: []string{"BucketName"}, Taggable: true}
	if s.opts.SSM != nil {
		s.types["AWS::SSM::Parameter"] = TypeSpec{Provider: ssmParamProvider{s.opts.SSM}, Attributes: []string{"Type", "Value"}, ReplaceOn: []string{"Name"}}
	}
}

// SSM parameters ------------------------------------------------------------------------------

type ssmParamProvider struct{ ps ParameterStore }

func ssmParamFields(req *Request) (name, value, typ string, err error) {
	name, _ = req.Properties["Name"].(string)
	typ, _ = req.Properties["Type"].(string)
	switch typ {
	case "String", "StringList":
	case "":
		return "", "", "", validation("Property validation failure: [The property {/Type} is required]")
	case "SecureString":
		return "", "", "", validation("SecureString parameter type is not supported by CloudFormation: create it with PutParameter")
	default:
		return "", "", "", validation("Property validation failure: [Value for property {/Type} does not match enum [String, StringList]]")
	}
	v, ok := req.Properties["Value"]
	if !ok {
		return "", "", "", validation("Property validation failure: [The property {/Value} is required]")
	}
	if l, isList := v.([]any); isList {
		parts := make([]string, len(l))
		for i, e := range l {
			parts[i] = template.String(e)
		}
		value = strings.Join(parts, ",")
	} else {
		value = template.String(v)
	}
	if len(value) > 4096 {
		return "", "", "", validation("Property validation failure: [Length of the property {/Value} is greater than maximum allowed length 4096]")
	}
	return name, value, typ, nil
}

func (p ssmParamProvider) Create(ctx context.Context, req *Request) (*Result, error) {
	name, value, typ, err := ssmParamFields(req)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = "CFN-" + req.LogicalID + "-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	}
	if err := p.ps.PutParameter(ctx, name, value, typ, false); err != nil {
		return nil, err
	}
	return &Result{PhysicalID: name, Attributes: map[string]any{"Type": typ, "Value": value}}, nil
}

func (p ssmParamProvider) Update(ctx context.Context, req *Request) (*Result, error) {
	_, value, typ, err := ssmParamFields(req)
	if err != nil {
		return nil, err
	}
	if err := p.ps.PutParameter(ctx, req.PhysicalID, value, typ, true); err != nil {
		return nil, err
	}
	return &Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Type": typ, "Value": value}}, nil
}

func (p ssmParamProvider) Delete(ctx context.Context, req *Request) error {
	return p.ps.DeleteParameter(ctx, req.PhysicalID)
}

// Read reports the parameter's current Name, Type and Value (drift detection).
func (p ssmParamProvider) Read(ctx context.Context, req *Request) (map[string]any, error) {
	value, typ, err := p.ps.GetParameter(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range req.Properties { // properties SSM does not report are taken as set
		out[k] = v
	}
	out["Type"] = typ
	if _, isList := req.Properties["Value"].([]any); isList {
		l := []any{}
		for _, e := range strings.Split(value, ",") {
			l = append(l, e)
		}
		out["Value"] = l
	} else {
		out["Value"] = value
	}
	if _, ok := req.Properties["Name"]; ok {
		out["Name"] = req.PhysicalID
	}
	return out, nil
}

type customProvider struct{ s *Service }

func (p customProvider) call(ctx context.Context, kind string, req *Request) (*Result, error) {
	token, _ := req.Properties["ServiceToken"].(string)
	if token == "" {
		return nil, validation("Template error: Custom resource %s must have a ServiceToken property", req.LogicalID)
	}
	p.s.mu.Lock()
	h := p.s.custom[token]
	p.s.mu.Unlock()
	if h == nil {
		if kind == "Delete" {
			return nil, nil
		}
		return nil, validation("Invalid service token %s: no handler is registered for it", token)
	}
	phys := req.PhysicalID
	resp, err := h(ctx, &CustomRequest{RequestType: kind, StackID: req.StackID, LogicalResourceID: req.LogicalID, PhysicalResourceID: phys,
		ResourceType: req.Type, ResourceProperties: req.Properties, OldResourceProperties: req.OldProperties})
	if err != nil {
		return nil, fmt.Errorf("Received response status [FAILED] from custom resource. Message returned: %s", fmtErr(err))
	}
	if resp == nil {
		resp = &CustomResponse{}
	}
	if resp.PhysicalResourceID != "" {
		phys = resp.PhysicalResourceID
	}
	if phys == "" {
		phys = req.StackName + "-" + req.LogicalID + "-" + strings.ToUpper(uuid.NewString()[:12])
	}
	return &Result{PhysicalID: phys, Attributes: resp.Data}, nil
}

func (p customProvider) Create(ctx context.Context, req *Request) (*Result, error) {
	return p.call(ctx, "Create", req)
}
func (p customProvider) Update(ctx context.Context, req *Request) (*Result, error) {
	return p.call(ctx, "Update", req)
}
func (p customProvider) Delete(ctx context.Context, req *Request) error {
	_, err := p.call(ctx, "Delete", req)
	return err
}

// Wait conditions ---------------------------------------------------------------------------

func (s *Service) waitBase(ctx context.Context) string {
	if s.opts.WaitConditionURL != "" {
		return strings.TrimSuffix(s.opts.WaitConditionURL, "/") + "/"
	}
	_, region := core.Scope(ctx)
	return "https://cloudformation-waitcondition-" + region + ".s3.amazonaws.com/"
}

func (s *Service) createHandle(ctx context.Context, req *Request) (*Result, error) {
	u := s.waitBase(ctx) + url.PathEscape(req.StackID) + "/" + uuid.NewString() + "/" + req.LogicalID
	return &Result{PhysicalID: u}, nil
}

func handleKey(u string) string { return "wc:" + u }

// SignalWaitCondition delivers a cfn-signal to a WaitConditionHandle URL (what a host's
// cfn-signal, or curl -T, would PUT). Status is SUCCESS or FAILURE.
func (s *Service) SignalWaitCondition(ctx context.Context, handleURL, status, reason, uniqueID, data string) error {
	if status != "SUCCESS" && status != "FAILURE" {
		return validation("Status must be SUCCESS or FAILURE")
	}
	if i := strings.IndexByte(handleURL, '?'); i >= 0 {
		handleURL = handleURL[:i]
	}
	s.signals.add(handleKey(handleURL), signal{UniqueID: uniqueID, Status: status, Reason: reason, Data: data})
	return nil
}

func (s *Service) createWaitCondition(ctx context.Context, req *Request) (*Result, error) {
	handle, _ := req.Properties["Handle"].(string)
	if handle == "" {
		// A WaitCondition without Handle is a CreationPolicy placeholder: nothing to wait for.
		return &Result{PhysicalID: req.StackID + "/" + req.LogicalID, Attributes: map[string]any{"Data": "{}"}}, nil
	}
	count := 1
	if c, ok := req.Properties["Count"]; ok {
		if n, err := strconv.Atoi(template.String(c)); err == nil && n > 0 {
			count = n
		}
	}
	timeout := 12 * time.Hour
	if t, ok := req.Properties["Timeout"]; ok {
		n, err := strconv.Atoi(template.String(t))
		if err != nil || n < 1 || n > 43200 {
			return nil, validation("Timeout must be an integer between 1 and 43200")
		}
		timeout = time.Duration(n) * time.Second
	}
	sigs, err := s.signals.wait(ctx, s.env.Clock, handleKey(handle), count, timeout)
	if err != nil {
		for _, sg := range sigs {
			if sg.Status == "FAILURE" {
				return nil, fmt.Errorf("WaitCondition received failed message: '%s' for uniqueId: %s", sg.Reason, sg.UniqueID)
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("WaitCondition timed out. Received %d conditions when expecting %d", len(sigs), count)
	}
	data := map[string]string{}
	for _, sg := range sigs {
		data[sg.UniqueID] = sg.Data
	}
	b, _ := json.Marshal(data)
	return &Result{PhysicalID: req.StackID + "/" + req.LogicalID, Attributes: map[string]any{"Data": string(b)}}, nil
}

// Nested stacks -------------------------------------------------------------------------------

type nestedProvider struct{ s *Service }

func nestedParams(props map[string]any) []Parameter {
	m, _ := props["Parameters"].(map[string]any)
	var out []Parameter
	for _, k := range template.SortedKeys(m) {
		out = append(out, Parameter{ParameterKey: k, ParameterValue: template.String(m[k])})
	}
	return out
}

func (p nestedProvider) result(ctx context.Context, id string) (*Result, error) {
	status, err := p.s.WaitStack(ctx, id)
	if err != nil {
		return nil, err
	}
	st, err := p.s.findStack(ctx, id)
	if err != nil {
		return nil, err
	}
	if status != "CREATE_COMPLETE" && status != "UPDATE_COMPLETE" {
		return &Result{PhysicalID: id}, fmt.Errorf("Embedded stack %s was not successfully created: %s", id, st.Reason)
	}
	attrs := map[string]any{}
	for _, o := range st.Outputs {
		attrs["Outputs."+o.OutputKey] = o.OutputValue
	}
	return &Result{PhysicalID: id, Attributes: attrs}, nil
}

func (p nestedProvider) Create(ctx context.Context, req *Request) (*Result, error) {
	u, _ := req.Properties["TemplateURL"].(string)
	in := &CreateStackInput{StackName: fmt.Sprintf("%s-%s-%s", req.StackName, req.LogicalID, strings.ToUpper(uuid.NewString()[:12])),
		TemplateURL: u, Parameters: nestedParams(req.Properties), Tags: req.Tags, Capabilities: []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}
	if len(in.StackName) > 128 {
		in.StackName = in.StackName[:128]
	}
	var clean []Tag
	for _, t := range req.Tags {
		if !strings.HasPrefix(t.Key, "aws:") {
			clean = append(clean, t)
		}
	}
	in.Tags = clean
	id, err := p.s.createStackInternal(ctx, in, req.StackID, false)
	if err != nil {
		return nil, err
	}
	res, err := p.result(ctx, id)
	if err != nil && res != nil {
		// The child rolled back: delete it so the parent's rollback finds nothing.
		return nil, err
	}
	return res, err
}

func (p nestedProvider) Update(ctx context.Context, req *Request) (*Result, error) {
	u, _ := req.Properties["TemplateURL"].(string)
	_, err := p.s.updateStackInternal(ctx, &UpdateStackInput{StackName: req.PhysicalID, TemplateURL: u, Parameters: nestedParams(req.Properties),
		Capabilities: []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}, false, "")
	if err != nil && strings.Contains(fmtErr(err), "No updates are to be performed") {
		return p.result(ctx, req.PhysicalID)
	}
	if err != nil {
		return nil, err
	}
	return p.result(ctx, req.PhysicalID)
}

func (p nestedProvider) Delete(ctx context.Context, req *Request) error {
	op, err := p.s.deleteStackInternal(ctx, &DeleteStackInput{StackName: req.PhysicalID})
	if err != nil {
		return err
	}
	if op != nil {
		<-op.done
	}
	st, err := p.s.findStack(ctx, req.PhysicalID)
	if err == nil && st.Status == "DELETE_FAILED" {
		return fmt.Errorf("Embedded stack %s was not successfully deleted: %s", req.PhysicalID, st.Reason)
	}
	return nil
}

// S3 buckets ----------------------------------------------------------------------------------

type bucketProvider struct{ s *Service }

var bucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func bucketAttrs(ctx context.Context, name string) map[string]any {
	_, region := core.Scope(ctx)
	return map[string]any{
		"Arn": "arn:aws:s3:::" + name, "DomainName": name + ".s3.amazonaws.com",
		"DualStackDomainName": name + ".s3.dualstack." + region + ".amazonaws.com",
		"RegionalDomainName":  name + ".s3." + region + ".amazonaws.com",
		"WebsiteURL":          "http://" + name + ".s3-website-" + region + ".amazonaws.com",
	}
}

func (p bucketProvider) Create(ctx context.Context, req *Request) (*Result, error) {
	name, _ := req.Properties["BucketName"].(string)
	if name == "" {
		base := strings.ToLower(req.StackName + "-" + req.LogicalID)
		base = regexp.MustCompile(`[^a-z0-9-]`).ReplaceAllString(base, "")
		if len(base) > 49 {
			base = base[:49]
		}
		name = base + "-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	}
	if !bucketNameRe.MatchString(name) {
		return nil, validation("Bucket name should not contain uppercase characters and must be 3-63 characters of lower-case letters, digits, dots and hyphens")
	}
	if err := p.s.env.Objects.CreateBucket(ctx, name); err != nil {
		return nil, fmt.Errorf("%s already exists", name)
	}
	return &Result{PhysicalID: name, Attributes: bucketAttrs(ctx, name)}, nil
}

func (p bucketProvider) Update(ctx context.Context, req *Request) (*Result, error) {
	return &Result{PhysicalID: req.PhysicalID, Attributes: bucketAttrs(ctx, req.PhysicalID)}, nil
}

// Delete deletes the bucket when the object store can (an optional DeleteBucket method);
// otherwise the bucket stays in the object store (deviation: core.Objects has no delete).
func (p bucketProvider) Delete(ctx context.Context, req *Request) error {
	if d, ok := p.s.env.Objects.(interface {
		DeleteBucket(ctx context.Context, bucket string) error
	}); ok {
		return d.DeleteBucket(ctx, req.PhysicalID)
	}
	return nil
}

// Dynamic references --------------------------------------------------------------------------

var dynRef = regexp.MustCompile(`\{\{resolve:([a-z-]+):([^}]*)\}\}`)

// resolveDynamic replaces {{resolve:ssm:name[:version]}} and {{resolve:ssm-secure:...}} in
// string property values. It returns new containers and never writes into props: evaluated
// properties share values (parameters, attributes) with other resources being created at once.
func (s *Service) resolveDynamic(ctx context.Context, props map[string]any) (map[string]any, error) {
	var walk func(v any) (any, error)
	walk = func(v any) (any, error) {
		switch x := v.(type) {
		case string:
			if !strings.Contains(x, "{{resolve:") {
				return x, nil
			}
			var ferr error
			out := dynRef.ReplaceAllStringFunc(x, func(m string) string {
				sub := dynRef.FindStringSubmatch(m)
				switch sub[1] {
				case "ssm", "ssm-secure":
					if s.opts.SSM == nil {
						ferr = validation("Dynamic reference %s: no Parameter Store is configured", m)
						return m
					}
					name := sub[2]
					if i := strings.LastIndexByte(name, ':'); i > 0 {
						if _, err := strconv.Atoi(name[i+1:]); err == nil {
							name = name[:i]
						}
					}
					val, _, err := s.opts.SSM.GetParameter(ctx, name)
					if err != nil {
						ferr = validation("Parameters: [ssm:%s] cannot be found.", name)
						return m
					}
					return val
				}
				ferr = validation("Dynamic reference service %s is not supported by devopsim", sub[1])
				return m
			})
			return out, ferr
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[k] = r
			}
			return out, nil
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[i] = r
			}
			return out, nil
		}
		return v, nil
	}
	out, err := walk(props)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}
