package template

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Template is a parsed template: the raw tree plus typed views of the sections the engine
// works on. Values inside Properties, Outputs and Conditions stay in the raw tree's shapes.
type Template struct {
	Raw           map[string]any
	FormatVersion string
	Description   string
	Metadata      map[string]any
	Parameters    map[string]*Parameter
	ParamOrder    []string // sorted parameter names
	Rules         map[string]any
	Mappings      map[string]any
	Conditions    map[string]any
	Transforms    []string
	Resources     map[string]*Resource
	ResourceOrder []string // sorted logical IDs
	Outputs       map[string]*Output
	OutputOrder   []string

	ext bool
}

func transformErr(tr string) *Error {
	if strings.HasPrefix(tr, "AWS::") {
		return formatErr("Transform %s is not supported by devopsim; only %s is", tr, LanguageExtensions)
	}
	return &Error{Message: "No transform named " + tr + " found."}
}

// forEachKey reports whether k is an unexpanded Fn::ForEach key the loader should skip.
func (t *Template) forEachKey(k string) bool {
	return t.ext && strings.HasPrefix(k, "Fn::ForEach::")
}

// Parameter is one declared parameter.
type Parameter struct {
	Name                  string
	Type                  string
	Default               *string
	AllowedValues         []string
	AllowedPattern        string
	MinLength, MaxLength  *int
	MinValue, MaxValue    *float64
	ConstraintDescription string
	Description           string
	NoEcho                bool
}

// Resource is one declared resource.
type Resource struct {
	LogicalID           string
	Type                string
	Properties          map[string]any
	DependsOn           []string
	Condition           string
	DeletionPolicy      any // string, or an intrinsic with AWS::LanguageExtensions
	UpdateReplacePolicy any
	Metadata            map[string]any
	CreationPolicy      map[string]any
	UpdatePolicy        map[string]any
}

// Output is one declared output.
type Output struct {
	Name        string
	Description string
	Value       any
	Export      any // the Export.Name value (may be an intrinsic), nil if none
	Condition   string
}

var topLevel = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true,
	"Rules": true, "Mappings": true, "Conditions": true, "Transform": true, "Resources": true,
	"Outputs": true, "Hooks": true,
}

var resourceAttrs = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true, "DeletionPolicy": true,
	"UpdateReplacePolicy": true, "Metadata": true, "CreationPolicy": true, "UpdatePolicy": true,
	"Version": true,
}

var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// ParameterTypes are the plain parameter types; AWS-specific and SSM types are recognised by
// ValidParameterType.
var awsSpecific = map[string]bool{
	"AWS::EC2::AvailabilityZone::Name": true, "AWS::EC2::Image::Id": true, "AWS::EC2::Instance::Id": true,
	"AWS::EC2::KeyPair::KeyName": true, "AWS::EC2::SecurityGroup::GroupName": true,
	"AWS::EC2::SecurityGroup::Id": true, "AWS::EC2::Subnet::Id": true, "AWS::EC2::Volume::Id": true,
	"AWS::EC2::VPC::Id": true, "AWS::Route53::HostedZone::Id": true,
}

// IsAWSSpecific reports whether t is an AWS-specific parameter type (not its List<> form).
func IsAWSSpecific(t string) bool { return awsSpecific[t] }

// ValidParameterType reports whether t is a parameter type CloudFormation knows.
func ValidParameterType(t string) bool {
	t = strings.ReplaceAll(t, " ", "")
	switch t {
	case "String", "Number", "List<Number>", "List<String>", "CommaDelimitedList", "AWS::SSM::Parameter::Name":
		return true
	}
	if awsSpecific[t] {
		return true
	}
	if in, ok := strings.CutPrefix(t, "List<"); ok && strings.HasSuffix(in, ">") {
		return awsSpecific[strings.TrimSuffix(in, ">")]
	}
	if in, ok := strings.CutPrefix(t, "AWS::SSM::Parameter::Value<"); ok && strings.HasSuffix(in, ">") {
		in = strings.TrimSuffix(in, ">")
		return in == "String" || in == "List<String>" || in == "CommaDelimitedList" || ValidParameterType(in) && !strings.HasPrefix(in, "AWS::SSM")
	}
	return false
}

// IsListType reports whether values of parameter type t are lists.
func IsListType(t string) bool {
	t = strings.ReplaceAll(t, " ", "")
	if in, ok := strings.CutPrefix(t, "AWS::SSM::Parameter::Value<"); ok {
		t = strings.TrimSuffix(in, ">")
	}
	return t == "CommaDelimitedList" || strings.HasPrefix(t, "List<")
}

// Load parses body and checks the template's structure (sections, parameter declarations,
// resource shapes, limits). It does not apply transforms: call Expand for
// AWS::LanguageExtensions first when Transforms lists it.
func Load(body []byte) (*Template, error) {
	if len(body) > MaxBodySize {
		return nil, &Error{Message: fmt.Sprintf("1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", MaxBodySize)}
	}
	raw, err := Parse(body)
	if err != nil {
		return nil, err
	}
	return FromRaw(raw)
}

// FromRaw builds a Template from a parsed tree.
func FromRaw(raw map[string]any) (*Template, error) {
	t := &Template{Raw: raw, Parameters: map[string]*Parameter{}, Resources: map[string]*Resource{}, Outputs: map[string]*Output{}}
	switch tr := raw["Transform"].(type) {
	case string:
		if tr != LanguageExtensions {
			return nil, transformErr(tr)
		}
	case []any:
		for _, x := range tr {
			if s, ok := x.(string); ok && s != LanguageExtensions {
				return nil, transformErr(s)
			}
		}
	}
	var bad []string
	for k := range raw {
		if !topLevel[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, formatErr("Invalid template property or properties [%s]", strings.Join(bad, ", "))
	}
	if v, ok := raw["AWSTemplateFormatVersion"]; ok {
		s, ok := scalarString(v)
		if !ok || s != "2010-09-09" {
			return nil, formatErr("Unsupported AWSTemplateFormatVersion: %v. The only valid value is 2010-09-09", v)
		}
		t.FormatVersion = s
	}
	if v, ok := raw["Description"]; ok {
		s, ok := scalarString(v)
		if !ok {
			return nil, formatErr("Every Description member must be a string.")
		}
		if len(s) > 1024 {
			return nil, formatErr("Description length is greater than 1024.")
		}
		t.Description = s
	}
	if v, ok := raw["Metadata"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, formatErr("Every Metadata member must be an object.")
		}
		t.Metadata = m
	}
	switch tr := raw["Transform"].(type) {
	case nil:
	case string:
		t.Transforms = []string{tr}
	case []any:
		for _, x := range tr {
			s, ok := x.(string)
			if !ok {
				return nil, formatErr("Every Transform member must be a string.")
			}
			t.Transforms = append(t.Transforms, s)
		}
	default:
		return nil, formatErr("Every Transform member must be a string or a list of strings; parameterised transforms are not supported.")
	}
	for _, tr := range t.Transforms {
		if tr != LanguageExtensions {
			return nil, transformErr(tr)
		}
	}
	t.ext = t.HasTransform(LanguageExtensions)
	if err := t.loadParameters(); err != nil {
		return nil, err
	}
	if v, ok := raw["Mappings"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, formatErr("Every Mappings member must be an object.")
		}
		for name, mv := range m {
			if !alnum.MatchString(name) {
				return nil, formatErr("Mappings name %s is non alphanumeric.", name)
			}
			mm, ok := mv.(map[string]any)
			if !ok {
				return nil, formatErr("Every Mappings member %s must be a map", name)
			}
			for k, second := range mm {
				sm, ok := second.(map[string]any)
				if !ok {
					return nil, formatErr("Every Mappings attribute must be a String or a List.")
				}
				for k2, leaf := range sm {
					switch leaf.(type) {
					case string, json.Number, bool, []any:
					case map[string]any:
						if len(leaf.(map[string]any)) == 1 && isIntrinsic(leaf.(map[string]any)) {
							continue
						}
						return nil, formatErr("Every Mappings attribute must be a String or a List. (%s/%s/%s)", name, k, k2)
					default:
						return nil, formatErr("Every Mappings attribute must be a String or a List. (%s/%s/%s)", name, k, k2)
					}
				}
			}
		}
		if len(m) > 200 {
			return nil, formatErr("Number of mappings, %d, is greater than maximum allowed, 200", len(m))
		}
		t.Mappings = m
	}
	if v, ok := raw["Conditions"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, formatErr("Every Conditions member must be an object.")
		}
		t.Conditions = m
	}
	if v, ok := raw["Rules"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, formatErr("Every Rules member must be an object.")
		}
		t.Rules = m
	}
	if err := t.loadResources(); err != nil {
		return nil, err
	}
	if err := t.loadOutputs(); err != nil {
		return nil, err
	}
	return t, nil
}

func isIntrinsic(m map[string]any) bool {
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// scalarString renders a scalar as CloudFormation would (numbers and booleans as text).
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func (t *Template) loadParameters() error {
	v, ok := t.Raw["Parameters"]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return formatErr("Every Parameters member must be an object.")
	}
	if len(m) > 200 {
		return formatErr("Number of parameters, %d, is greater than maximum allowed, 200", len(m))
	}
	for name, pv := range m {
		if !alnum.MatchString(name) {
			return formatErr("Parameter name %s is non alphanumeric.", name)
		}
		pm, ok := pv.(map[string]any)
		if !ok {
			return formatErr("Every Parameters object must contain a Type member.")
		}
		p := &Parameter{Name: name}
		ty, ok := pm["Type"].(string)
		if !ok {
			return formatErr("Every Parameters object must contain a Type member.")
		}
		if !ValidParameterType(ty) {
			return formatErr("Unrecognized parameter type: %s", ty)
		}
		p.Type = ty
		for k, x := range pm {
			switch k {
			case "Type":
			case "Default":
				s, err := paramText(x, IsListType(ty))
				if err != nil {
					return formatErr("Every Default member must be a string.")
				}
				p.Default = &s
			case "AllowedValues":
				l, ok := x.([]any)
				if !ok {
					return formatErr("Every AllowedValues member must be a list.")
				}
				for _, e := range l {
					s, ok := scalarString(e)
					if !ok {
						return formatErr("Every AllowedValues member must be a list of strings.")
					}
					p.AllowedValues = append(p.AllowedValues, s)
				}
			case "AllowedPattern":
				s, ok := x.(string)
				if !ok {
					return formatErr("Every AllowedPattern member must be a string.")
				}
				p.AllowedPattern = s
			case "MinLength", "MaxLength":
				s, _ := scalarString(x)
				n, err := strconv.Atoi(s)
				if err != nil {
					return formatErr("Every %s member must be an integer.", k)
				}
				if k == "MinLength" {
					p.MinLength = &n
				} else {
					p.MaxLength = &n
				}
			case "MinValue", "MaxValue":
				s, _ := scalarString(x)
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return formatErr("Every %s member must be a number.", k)
				}
				if k == "MinValue" {
					p.MinValue = &f
				} else {
					p.MaxValue = &f
				}
			case "ConstraintDescription":
				p.ConstraintDescription, _ = scalarString(x)
			case "Description":
				p.Description, _ = scalarString(x)
			case "NoEcho":
				s, _ := scalarString(x)
				p.NoEcho = strings.EqualFold(s, "true")
			default:
				return formatErr("Invalid template parameter property '%s'", k)
			}
		}
		t.Parameters[name] = p
		t.ParamOrder = append(t.ParamOrder, name)
	}
	sort.Strings(t.ParamOrder)
	return nil
}

func paramText(x any, list bool) (string, error) {
	if s, ok := scalarString(x); ok {
		return s, nil
	}
	if l, ok := x.([]any); ok && list {
		parts := make([]string, len(l))
		for i, e := range l {
			s, ok := scalarString(e)
			if !ok {
				return "", fmt.Errorf("not a string")
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("not a string")
}

func (t *Template) loadResources() error {
	v, ok := t.Raw["Resources"]
	m, isMap := v.(map[string]any)
	if !ok || !isMap || len(m) == 0 {
		return formatErr("At least one Resources member must be defined.")
	}
	if len(m) > MaxResources {
		return formatErr("Number of resources, %d, is greater than maximum allowed, %d", len(m), MaxResources)
	}
	for id, rv := range m {
		if t.forEachKey(id) {
			continue
		}
		if !alnum.MatchString(id) {
			return formatErr("Resource name %s is non alphanumeric.", id)
		}
		rm, ok := rv.(map[string]any)
		if !ok {
			return formatErr("[/Resources/%s] Every Resources object must contain a Type member.", id)
		}
		r := &Resource{LogicalID: id}
		ty, ok := rm["Type"].(string)
		if !ok || ty == "" {
			return formatErr("[/Resources/%s] Every Resources object must contain a Type member.", id)
		}
		r.Type = ty
		for k, x := range rm {
			if !resourceAttrs[k] {
				return formatErr("Invalid template resource property '%s'", k)
			}
			switch k {
			case "Properties":
				if x == nil {
					continue
				}
				pm, ok := x.(map[string]any)
				if !ok {
					return formatErr("[/Resources/%s/Properties] Every Properties member must be an object", id)
				}
				r.Properties = pm
			case "DependsOn":
				switch d := x.(type) {
				case string:
					r.DependsOn = []string{d}
				case []any:
					for _, e := range d {
						s, ok := e.(string)
						if !ok {
							return formatErr("[/Resources/%s/DependsOn] Every DependsOn value must be a string.", id)
						}
						r.DependsOn = append(r.DependsOn, s)
					}
				default:
					return formatErr("[/Resources/%s/DependsOn] Every DependsOn value must be a string.", id)
				}
			case "Condition":
				s, ok := x.(string)
				if !ok {
					return formatErr("[/Resources/%s/Condition] Every Condition member must be a string.", id)
				}
				r.Condition = s
			case "DeletionPolicy", "UpdateReplacePolicy":
				if s, ok := x.(string); ok {
					if err := checkPolicy(k, s, ty); err != nil {
						return err
					}
				} else if _, ok := x.(map[string]any); !ok {
					return formatErr("[/Resources/%s/%s] %s must be a string", id, k, k)
				}
				if k == "DeletionPolicy" {
					r.DeletionPolicy = x
				} else {
					r.UpdateReplacePolicy = x
				}
			case "Metadata", "CreationPolicy", "UpdatePolicy":
				if x == nil {
					continue
				}
				mm, ok := x.(map[string]any)
				if !ok {
					return formatErr("[/Resources/%s/%s] Every %s member must be an object", id, k, k)
				}
				switch k {
				case "Metadata":
					r.Metadata = mm
				case "CreationPolicy":
					r.CreationPolicy = mm
				default:
					r.UpdatePolicy = mm
				}
			}
		}
		if r.Properties == nil {
			r.Properties = map[string]any{}
		}
		t.Resources[id] = r
		t.ResourceOrder = append(t.ResourceOrder, id)
	}
	sort.Strings(t.ResourceOrder)
	return nil
}

func checkPolicy(attr, s, _ string) error {
	switch s {
	case "Delete", "Retain", "Snapshot", "RetainExceptOnCreate":
		return nil
	}
	return formatErr("Unrecognized %s %s", attr, s)
}

func (t *Template) loadOutputs() error {
	v, ok := t.Raw["Outputs"]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return formatErr("Every Outputs member must be an object.")
	}
	if len(m) > 200 {
		return formatErr("Number of outputs, %d, is greater than maximum allowed, 200", len(m))
	}
	for name, ov := range m {
		if t.forEachKey(name) {
			continue
		}
		if !alnum.MatchString(name) {
			return formatErr("Output name %s is non alphanumeric.", name)
		}
		om, ok := ov.(map[string]any)
		if !ok {
			return formatErr("Every Outputs member must contain a Value object")
		}
		val, ok := om["Value"]
		if !ok || val == nil {
			return formatErr("Every Outputs member must contain a Value object")
		}
		o := &Output{Name: name, Value: val}
		for k, x := range om {
			switch k {
			case "Value":
			case "Description":
				o.Description, _ = scalarString(x)
			case "Condition":
				s, ok := x.(string)
				if !ok {
					return formatErr("Every Condition member must be a string.")
				}
				o.Condition = s
			case "Export":
				em, ok := x.(map[string]any)
				if !ok || em["Name"] == nil {
					return formatErr("Output %s is malformed. Export must contain a Name", name)
				}
				o.Export = em["Name"]
			default:
				return formatErr("Invalid outputs property : [%s]", k)
			}
		}
		t.Outputs[name] = o
		t.OutputOrder = append(t.OutputOrder, name)
	}
	sort.Strings(t.OutputOrder)
	return nil
}

// HasTransform reports whether the template declares transform name.
func (t *Template) HasTransform(name string) bool {
	for _, x := range t.Transforms {
		if x == name {
			return true
		}
	}
	return false
}

// LanguageExtensions is the one transform devopsim implements.
const LanguageExtensions = "AWS::LanguageExtensions"
