package cloudtrail

import (
	"reflect"
	"strings"
	"sync"

	"github.com/devopsim/devopsim/identity"
)

// source is an interned event source.
type source struct {
	service     string // "codecommit"
	eventSource string // "codecommit.amazonaws.com"
	display     string // "CodeCommit"
	ebSource    string // "aws.codecommit"
	global      bool   // a global service (IAM, STS, CloudFront)
}

// principal is an interned caller (without its request ID) with its rendered userIdentity.
type principal struct {
	identity.Caller
	username string
	ident    []byte // the userIdentity JSON object
}

// interner shares the strings of callers and sources among records. Used under procMu only.
type interner struct {
	mu      sync.Mutex
	callers map[identity.Caller]*principal
	sources map[string]*source
	res     map[string][]resourceRef
	blobs   map[string][]byte
	buf     []byte
}

// blob returns a shared copy of a small JSON value: parameters repeat.
func (in *interner) blob(b []byte) []byte {
	if len(b) == 0 || len(b) > 128 {
		return b
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.blobs[string(b)]; ok {
		return shared
	}
	if len(in.blobs) >= maxInterned {
		clear(in.blobs)
	}
	in.blobs[string(b)] = b
	return b
}

func (in *interner) init() {
	in.callers = map[identity.Caller]*principal{}
	in.sources = map[string]*source{}
	in.res = map[string][]resourceRef{}
	in.blobs = map[string][]byte{}
}

// resources returns a shared copy of rs: most calls name the same few resources.
func (in *interner) resources(rs []resourceRef) []resourceRef {
	if len(rs) == 0 {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	b := in.buf[:0]
	for _, r := range rs {
		b = append(b, r.Type...)
		b = append(b, 0)
		b = append(b, r.Name...)
		b = append(b, 0)
		b = append(b, r.ARN...)
		b = append(b, 0)
		b = append(b, r.Account...)
		b = append(b, 1)
	}
	in.buf = b
	if shared, ok := in.res[string(b)]; ok {
		return shared
	}
	if len(in.res) >= maxInterned {
		clear(in.res)
	}
	in.res[string(b)] = rs
	return rs
}

const maxInterned = 10000

func (in *interner) principal(c identity.Caller) *principal {
	c.RequestID = ""
	in.mu.Lock()
	defer in.mu.Unlock()
	if p, ok := in.callers[c]; ok {
		return p
	}
	if len(in.callers) >= maxInterned {
		clear(in.callers)
	}
	p := &principal{Caller: c, username: usernameOf(c)}
	p.ident = appendIdentity(nil, p)
	in.callers[c] = p
	return p
}

func (in *interner) source(eventSource string) *source {
	in.mu.Lock()
	defer in.mu.Unlock()
	if s, ok := in.sources[eventSource]; ok {
		return s
	}
	svc, _, _ := strings.Cut(eventSource, ".")
	s := &source{service: svc, eventSource: eventSource, display: displayName(svc), ebSource: "aws." + svc}
	switch svc {
	case "iam", "sts", "cloudfront", "route53", "organizations":
		s.global = true
	}
	if len(in.sources) >= maxInterned {
		clear(in.sources)
	}
	in.sources[eventSource] = s
	return s
}

// displayName is the service's name in resource types (AWS::<display>::<Type>).
func displayName(svc string) string {
	switch svc {
	case "codecommit":
		return "CodeCommit"
	case "codebuild":
		return "CodeBuild"
	case "codepipeline":
		return "CodePipeline"
	case "codedeploy":
		return "CodeDeploy"
	case "cloudformation":
		return "CloudFormation"
	case "cloudtrail":
		return "CloudTrail"
	case "logs":
		return "Logs"
	case "monitoring":
		return "CloudWatch"
	case "events":
		return "Events"
	case "autoscaling":
		return "AutoScaling"
	case "elasticbeanstalk":
		return "ElasticBeanstalk"
	case "opsworks":
		return "OpsWorks"
	case "ec2", "s3", "iam", "sts", "sns", "sqs", "ssm", "kms":
		return strings.ToUpper(svc)
	case "lambda":
		return "Lambda"
	}
	if svc == "" {
		return ""
	}
	return strings.ToUpper(svc[:1]) + svc[1:]
}

// primaryType is the resource type of a bare "Name"/"name" member per service.
func primaryType(svc string) string {
	switch svc {
	case "cloudtrail":
		return "Trail"
	case "codebuild":
		return "Project"
	case "codepipeline":
		return "Pipeline"
	case "events":
		return "Rule"
	}
	return ""
}

// usernameOf is the Username LookupEvents reports for a caller.
func usernameOf(c identity.Caller) string {
	switch c.Type {
	case "Root":
		return "root"
	case "AWSService":
		return c.InvokedBy
	}
	if i := strings.LastIndexByte(c.PrincipalARN, '/'); i >= 0 {
		return c.PrincipalARN[i+1:]
	}
	return c.PrincipalARN
}

// plan says which members of an input type name resources.
type plan struct {
	fields []resField
}

type resField struct {
	index []int
	base  string // resource type from the member name ("Repository"), or "" for bare names
	kind  reflect.Kind
	elem  bool // *string
}

// excluded member-name bases that look like resources but are not AWS resources.
func excludedBase(b string) bool {
	switch strings.ToLower(b) {
	case "commit", "aftercommit", "beforecommit", "parentcommit", "kmskey", "accesskey", "request",
		"clientrequest", "branch", "defaultbranch", "file", "folder", "region", "account", "key",
		"principal", "sourcecommit", "destinationcommit", "mergecommit", "event", "requestid",
		"attribute", "next", "token", "metric", "namespace", "dimension", "query", "target", "stage",
		"action", "version", "template", "change", "owner", "provider", "category", "user", "session", "snstopic", "topic":
		return true
	}
	return false
}

func (s *Service) planFor(t reflect.Type) *plan {
	if p, ok := s.plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for i := 0; i < st.NumField(); i++ {
			f := st.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, ok := f.Tag.Lookup("json"); ok {
				n, _, _ := strings.Cut(tag, ",")
				if n == "-" {
					continue
				}
				if n != "" {
					name = n
				}
			}
			base, ok := resourceBase(name)
			if !ok || excludedBase(base) {
				continue
			}
			ft := f.Type
			rf := resField{index: f.Index, base: capitalize(base)}
			switch {
			case ft.Kind() == reflect.String:
				rf.kind = reflect.String
			case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.String:
				rf.kind, rf.elem = reflect.String, true
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
				rf.kind = reflect.Slice
			default:
				continue
			}
			p.fields = append(p.fields, rf)
		}
	}
	v, _ := s.plans.LoadOrStore(t, p)
	return v.(*plan)
}

// resourceBase strips a resource suffix (Name, Names, Arn, Arns, ARN, Id, Ids) off a member name.
func resourceBase(name string) (string, bool) {
	for _, suf := range [...]string{"Names", "Name", "Arns", "Arn", "ARNs", "ARN", "Ids", "Id", "IDs", "ID"} {
		if strings.HasSuffix(name, suf) {
			return name[:len(name)-len(suf)], true
		}
	}
	switch name {
	case "name", "arn", "id":
		return "", true
	}
	return "", false
}

func capitalize(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// resources extracts the resources named in an input.
func (p *plan) resources(in any, src *source, c identity.Caller) []resourceRef {
	if len(p.fields) == 0 {
		return nil
	}
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	var out []resourceRef
	add := func(base, val string) {
		if val == "" || len(out) >= 20 {
			return
		}
		out = append(out, makeResource(base, val, src, c))
	}
	for _, f := range p.fields {
		fv := v.FieldByIndex(f.index)
		switch {
		case f.elem:
			if !fv.IsNil() {
				add(f.base, fv.Elem().String())
			}
		case f.kind == reflect.String:
			add(f.base, fv.String())
		case f.kind == reflect.Slice:
			for i := 0; i < fv.Len(); i++ {
				add(f.base, fv.Index(i).String())
			}
		}
	}
	return out
}

// makeResource names the resource of a member value.
func makeResource(base, val string, src *source, c identity.Caller) resourceRef {
	r := resourceRef{Name: val, Account: c.Account}
	if strings.HasPrefix(val, "arn:") {
		r.ARN = val
		parts := strings.SplitN(val, ":", 6)
		if len(parts) == 6 {
			svc := parts[2]
			if parts[4] != "" {
				r.Account = parts[4]
			}
			typ := base
			if typ == "" {
				res := parts[5]
				if i := strings.IndexAny(res, "/:"); i > 0 {
					typ = camel(res[:i])
				}
			}
			if typ == "" {
				typ = primaryType(svc)
			}
			if typ != "" {
				r.Type = "AWS::" + displayName(svc) + "::" + typ
			}
		}
		return r
	}
	typ := base
	if typ == "" {
		typ = primaryType(src.service)
	}
	if typ != "" {
		r.Type = "AWS::" + src.display + "::" + typ
	}
	r.ARN = arnFor(src.service, typ, val, c)
	return r
}

// arnFor builds the ARN of a named resource where the format is known.
func arnFor(svc, typ, name string, c identity.Caller) string {
	pre := "arn:aws:" + svc + ":" + c.Region + ":" + c.Account + ":"
	switch svc + "/" + typ {
	case "codecommit/Repository", "codepipeline/Pipeline":
		return pre + name
	case "codebuild/Project":
		return pre + "project/" + name
	case "cloudtrail/Trail":
		return pre + "trail/" + name
	case "logs/LogGroup":
		return pre + "log-group:" + name
	case "codedeploy/Application":
		return pre + "application:" + name
	case "cloudformation/Stack":
		return pre + "stack/" + name
	case "ec2/Instance":
		return pre + "instance/" + name
	case "s3/Bucket":
		return "arn:aws:s3:::" + name
	case "iam/Role":
		return "arn:aws:iam::" + c.Account + ":role/" + name
	case "iam/User":
		return "arn:aws:iam::" + c.Account + ":user/" + name
	}
	return ""
}

// camel turns "log-group" into "LogGroup".
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '_' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
