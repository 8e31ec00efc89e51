package template

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"sort"
	"strconv"
	"strings"
)

// NoValue is what {"Ref": "AWS::NoValue"} evaluates to; Eval drops it from maps and lists.
type noValue struct{}

// NoValue is the sentinel for AWS::NoValue.
var NoValue any = noValue{}

// Pseudo parameter names.
var pseudoParams = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

// IsPseudo reports whether name is a pseudo parameter.
func IsPseudo(name string) bool { return pseudoParams[name] }

// Context is what an evaluation can see. Functions left nil make the intrinsics that need
// them fail with a template error.
type Context struct {
	Template *Template
	// Params holds each parameter's value: a string, or a []any of strings for list types.
	Params           map[string]any
	AccountID        string
	Region           string
	StackID          string
	StackName        string
	Partition        string // default "aws"
	URLSuffix        string // default "amazonaws.com"
	NotificationARNs []string
	// AZs lists a region's Availability Zones (Fn::GetAZs); nil gives region+"a", "b", "c".
	AZs func(region string) []string
	// Ref returns a resource's Ref value (its physical ID, usually).
	Ref func(logicalID string) (any, error)
	// GetAtt returns a resource's attribute.
	GetAtt func(logicalID, attr string) (any, error)
	// Import returns the value of an export (Fn::ImportValue).
	Import func(name string) (string, error)
	// Extensions enables AWS::LanguageExtensions functions (Fn::Length, Fn::ToJsonString,
	// Fn::FindInMap DefaultValue); true when the template declares the transform.
	Extensions bool

	conds map[string]bool
	busy  map[string]bool
	depth int
}

var supported = []string{"Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAZs", "Fn::GetAtt", "Fn::ImportValue", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::Transform", "Ref", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::Length", "Fn::ToJsonString", "Condition"}

// Eval resolves every intrinsic function in v. The result holds no NoValue.
func (c *Context) Eval(v any) (any, error) {
	r, err := c.eval(v)
	if err != nil {
		return nil, err
	}
	if r == NoValue {
		return nil, nil
	}
	return r, nil
}

func (c *Context) eval(v any) (any, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxDepth {
		return nil, templateErr("expression nests too deeply")
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return c.call(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := c.eval(e)
			if err != nil {
				return nil, err
			}
			if r != NoValue {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			r, err := c.eval(e)
			if err != nil {
				return nil, err
			}
			if r != NoValue {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

func (c *Context) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, templateErr("every Ref object must have a single String value.")
		}
		return c.ref(name)
	case "Fn::GetAtt":
		res, attr, err := c.getAttArgs(arg)
		if err != nil {
			return nil, err
		}
		if c.GetAtt == nil {
			return nil, templateErr("Fn::GetAtt is not available here")
		}
		return c.GetAtt(res, attr)
	case "Fn::Join":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		delim, ok := scalarString(l[0])
		if !ok {
			return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		lv, err := c.eval(l[1])
		if err != nil {
			return nil, err
		}
		items, ok := lv.([]any)
		if !ok {
			return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := scalarString(it)
			if !ok {
				return nil, templateErr("Fn::Join requires a list of strings; found %s", describe(it))
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, delim), nil
	case "Fn::Sub":
		return c.sub(arg)
	case "Fn::Select":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		iv, err := c.eval(l[0])
		if err != nil {
			return nil, err
		}
		is, _ := scalarString(iv)
		idx, err := strconv.Atoi(is)
		if err != nil {
			return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		lv, err := c.eval(l[1])
		if err != nil {
			return nil, err
		}
		items, ok := lv.([]any)
		if !ok {
			return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		if idx < 0 || idx >= len(items) {
			return nil, templateErr("Fn::Select cannot select nonexistent value at index %d", idx)
		}
		return items[idx], nil
	case "Fn::Split":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, templateErr("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
		}
		delim, ok := l[0].(string)
		if !ok || delim == "" {
			return nil, templateErr("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
		}
		sv, err := c.eval(l[1])
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(sv)
		if !ok {
			return nil, templateErr("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
		}
		parts := strings.Split(s, delim)
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	case "Fn::FindInMap":
		return c.findInMap(arg)
	case "Fn::Base64":
		v, err := c.eval(arg)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, templateErr("every Fn::Base64 object must have a String value")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::Cidr":
		return c.cidr(arg)
	case "Fn::GetAZs":
		v, err := c.eval(arg)
		if err != nil {
			return nil, err
		}
		region, ok := scalarString(v)
		if !ok && v != nil {
			return nil, templateErr("Fn::GetAZs requires a region name as a String")
		}
		if region == "" {
			region = c.Region
		}
		var azs []string
		if c.AZs != nil {
			azs = c.AZs(region)
		} else {
			azs = []string{region + "a", region + "b", region + "c"}
		}
		out := make([]any, len(azs))
		for i, a := range azs {
			out[i] = a
		}
		return out, nil
	case "Fn::ImportValue":
		v, err := c.eval(arg)
		if err != nil {
			return nil, err
		}
		name, ok := v.(string)
		if !ok {
			return nil, templateErr("Fn::ImportValue requires a String export name")
		}
		if c.Import == nil {
			return nil, templateErr("Fn::ImportValue is not available here")
		}
		return c.Import(name)
	case "Fn::If":
		l, ok := arg.([]any)
		if !ok || len(l) != 3 {
			return nil, templateErr("Fn::If requires a list argument with three elements")
		}
		name, ok := l[0].(string)
		if !ok {
			return nil, templateErr("Fn::If requires a condition name as its first element")
		}
		b, err := c.Condition(name)
		if err != nil {
			return nil, err
		}
		if b {
			return c.eval(l[1])
		}
		return c.eval(l[2])
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		b, err := c.condFn(fn, arg)
		if err != nil {
			return nil, err
		}
		return b, nil
	case "Fn::Length":
		if !c.Extensions {
			break
		}
		v, err := c.eval(arg)
		if err != nil {
			return nil, err
		}
		l, ok := v.([]any)
		if !ok {
			return nil, templateErr("Fn::Length object requires a list or intrinsic function that returns a list")
		}
		return json.Number(strconv.Itoa(len(l))), nil
	case "Fn::ToJsonString":
		if !c.Extensions {
			break
		}
		v, err := c.eval(arg)
		if err != nil {
			return nil, err
		}
		if _, ok := v.(map[string]any); !ok {
			if _, ok := v.([]any); !ok {
				return nil, templateErr("Fn::ToJsonString object requires an object or a list")
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, templateErr("Fn::ToJsonString: %v", err)
		}
		return string(b), nil
	case "Fn::Transform":
		return nil, formatErr("Fn::Transform macros are not supported by devopsim")
	}
	return nil, templateErr("Encountered unsupported function: %s Supported functions are: [%s]", fn, strings.Join(supported, ", "))
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		b = append(b[:77], "..."...)
	}
	return string(b)
}

func (c *Context) getAttArgs(arg any) (string, string, error) {
	bad := templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
	switch a := arg.(type) {
	case string:
		res, attr, ok := strings.Cut(a, ".")
		if !ok || res == "" || attr == "" {
			return "", "", bad
		}
		return res, attr, nil
	case []any:
		if len(a) != 2 {
			return "", "", bad
		}
		res, ok := a[0].(string)
		if !ok || res == "" {
			return "", "", bad
		}
		av, err := c.eval(a[1])
		if err != nil {
			return "", "", err
		}
		attr, ok := av.(string)
		if !ok || attr == "" {
			return "", "", bad
		}
		return res, attr, nil
	}
	return "", "", bad
}

func (c *Context) ref(name string) (any, error) {
	if v, ok := c.Params[name]; ok {
		return v, nil
	}
	if c.Template != nil {
		if p, ok := c.Template.Parameters[name]; ok {
			if p.Default != nil {
				return paramValue(p.Type, *p.Default), nil
			}
			return nil, &Error{Message: fmt.Sprintf("Parameters: [%s] must have values", name)}
		}
	}
	switch name {
	case "AWS::AccountId":
		return c.AccountID, nil
	case "AWS::Region":
		return c.Region, nil
	case "AWS::StackId":
		return c.StackID, nil
	case "AWS::StackName":
		return c.StackName, nil
	case "AWS::Partition":
		if c.Partition == "" {
			return "aws", nil
		}
		return c.Partition, nil
	case "AWS::URLSuffix":
		if c.URLSuffix == "" {
			return "amazonaws.com", nil
		}
		return c.URLSuffix, nil
	case "AWS::NoValue":
		return NoValue, nil
	case "AWS::NotificationARNs":
		out := make([]any, len(c.NotificationARNs))
		for i, a := range c.NotificationARNs {
			out[i] = a
		}
		return out, nil
	}
	if c.Ref != nil {
		return c.Ref(name)
	}
	return nil, formatErr("Unresolved resource dependencies [%s] in the Resources block of the template", name)
}

// ParamValue converts a parameter's text to its value: a list for list types, else the text.
func paramValue(typ, s string) any {
	if !IsListType(typ) {
		return s
	}
	if s == "" {
		return []any{}
	}
	parts := strings.Split(s, ",")
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = strings.TrimSpace(p)
	}
	return out
}

// ParamValue converts a parameter's text to its value: a []any for list types, else the text.
func ParamValue(typ, s string) any { return paramValue(typ, s) }

func (c *Context) findInMap(arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) < 3 || len(l) > 4 || (len(l) == 4 && !c.Extensions) {
		return nil, templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	keys := make([]string, 3)
	for i := 0; i < 3; i++ {
		v, err := c.eval(l[i])
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
		keys[i] = s
	}
	var def any
	hasDef := false
	if len(l) == 4 {
		m, ok := l[3].(map[string]any)
		if !ok {
			return nil, templateErr("Fn::FindInMap's fourth parameter must be an object with a DefaultValue")
		}
		def, hasDef = m["DefaultValue"]
	}
	var mappings map[string]any
	if c.Template != nil {
		mappings = c.Template.Mappings
	}
	if m, ok := mappings[keys[0]].(map[string]any); ok {
		if m2, ok := m[keys[1]].(map[string]any); ok {
			if v, ok := m2[keys[2]]; ok {
				return c.eval(v)
			}
		}
	} else if !hasDef {
		return nil, templateErr("Mapping named '%s' is not present in the 'Mappings' section of template.", keys[0])
	}
	if hasDef {
		return c.eval(def)
	}
	return nil, templateErr("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
}

func (c *Context) cidr(arg any) (any, error) {
	bad := templateErr("Fn::Cidr requires a list of three elements: an ipBlock, a count and the number of subnet bits")
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, bad
	}
	vals := make([]string, 3)
	for i := range l {
		v, err := c.eval(l[i])
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, bad
		}
		vals[i] = s
	}
	_, block, err := net.ParseCIDR(vals[0])
	if err != nil {
		return nil, templateErr("Fn::Cidr: invalid ipBlock %q", vals[0])
	}
	count, err1 := strconv.Atoi(vals[1])
	bits, err2 := strconv.Atoi(vals[2])
	ones, total := block.Mask.Size()
	if err1 != nil || err2 != nil || count < 1 || count > 256 || bits < 0 || total-bits < ones {
		return nil, templateErr("Fn::Cidr: cannot make %s subnets of %s host bits in %s", vals[1], vals[2], vals[0])
	}
	prefix := total - bits
	if prefix-ones < 63 && count > 1<<(prefix-ones) {
		return nil, templateErr("Fn::Cidr: %s cannot hold %d subnets of /%d", vals[0], count, prefix)
	}
	base := new(big.Int).SetBytes(block.IP)
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	out := make([]any, count)
	size := len(block.IP)
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		b := n.FillBytes(make([]byte, size))
		out[i] = fmt.Sprintf("%s/%d", net.IP(b).String(), prefix)
	}
	return out, nil
}

// Sub ---------------------------------------------------------------------------------------

// SubPart is one piece of an Fn::Sub string: literal text or a ${Var}.
type SubPart struct {
	Text string
	Var  string // non-empty for a variable
}

// ParseSub splits an Fn::Sub template into literal text and variables. ${!X} is the literal
// ${X}.
func ParseSub(s string) ([]SubPart, error) {
	var parts []SubPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		rest := s[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			lit.WriteString(s[i:])
			break
		}
		name := rest[:j]
		if strings.HasPrefix(name, "!") {
			lit.WriteString("${" + name[1:] + "}")
		} else {
			name = strings.TrimSpace(name)
			if !validSubVar(name) {
				return nil, templateErr("variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons")
			}
			if lit.Len() > 0 {
				parts = append(parts, SubPart{Text: lit.String()})
				lit.Reset()
			}
			parts = append(parts, SubPart{Var: name})
		}
		s = rest[j+1:]
	}
	if lit.Len() > 0 {
		parts = append(parts, SubPart{Text: lit.String()})
	}
	return parts, nil
}

func validSubVar(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == ':' || r == '-') {
			return false
		}
	}
	return true
}

func subArgs(arg any) (string, map[string]any, error) {
	bad := templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
	switch a := arg.(type) {
	case string:
		return a, nil, nil
	case []any:
		if len(a) != 2 {
			return "", nil, bad
		}
		s, ok := a[0].(string)
		if !ok {
			return "", nil, bad
		}
		m, ok := a[1].(map[string]any)
		if !ok {
			return "", nil, bad
		}
		return s, m, nil
	}
	return "", nil, bad
}

func (c *Context) sub(arg any) (any, error) {
	s, vars, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	parts, err := ParseSub(s)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Var == "" {
			b.WriteString(p.Text)
			continue
		}
		var v any
		if x, ok := vars[p.Var]; ok {
			v, err = c.eval(x)
		} else if res, attr, ok := strings.Cut(p.Var, "."); ok && !IsPseudo(p.Var) {
			if c.GetAtt == nil {
				return nil, templateErr("Fn::GetAtt is not available here")
			}
			v, err = c.GetAtt(res, attr)
		} else {
			v, err = c.ref(p.Var)
		}
		if err != nil {
			return nil, err
		}
		str, ok := scalarString(v)
		if !ok {
			return nil, templateErr("variable %s in Fn::Sub expression does not resolve to a string", p.Var)
		}
		b.WriteString(str)
	}
	return b.String(), nil
}

// Conditions --------------------------------------------------------------------------------

// Condition evaluates a named condition (memoised).
func (c *Context) Condition(name string) (bool, error) {
	if b, ok := c.conds[name]; ok {
		return b, nil
	}
	var def any
	ok := false
	if c.Template != nil {
		def, ok = c.Template.Conditions[name]
	}
	if !ok {
		return false, templateErr("unresolved condition dependency %s in Fn::If", name)
	}
	if c.busy == nil {
		c.busy = map[string]bool{}
		c.conds = map[string]bool{}
	}
	if c.busy[name] {
		return false, formatErr("Circular dependency between conditions: [%s]", name)
	}
	c.busy[name] = true
	defer delete(c.busy, name)
	b, err := c.condValue(def)
	if err != nil {
		return false, err
	}
	c.conds[name] = b
	return b, nil
}

func (c *Context) condValue(v any) (bool, error) {
	m, ok := v.(map[string]any)
	if ok && len(m) == 1 {
		for k, arg := range m {
			if k == "Condition" {
				name, ok := arg.(string)
				if !ok {
					return false, templateErr("Condition requires a condition name")
				}
				return c.Condition(name)
			}
			if k == "Fn::Equals" || k == "Fn::And" || k == "Fn::Or" || k == "Fn::Not" {
				return c.condFn(k, arg)
			}
		}
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	if s, ok := v.(string); ok && (s == "true" || s == "false") {
		return s == "true", nil
	}
	return false, formatErr("Conditions can only be boolean operations on parameters and other conditions")
}

func (c *Context) condFn(fn string, arg any) (bool, error) {
	l, ok := arg.([]any)
	switch fn {
	case "Fn::Equals":
		if !ok || len(l) != 2 {
			return false, templateErr("Fn::Equals requires a list argument with two elements")
		}
		a, err := c.Eval(l[0])
		if err != nil {
			return false, err
		}
		b, err := c.Eval(l[1])
		if err != nil {
			return false, err
		}
		return equalValues(a, b), nil
	case "Fn::Not":
		if !ok || len(l) != 1 {
			return false, templateErr("Fn::Not requires a list argument with one function token")
		}
		b, err := c.condValue(l[0])
		return !b, err
	default:
		if !ok || len(l) < 2 || len(l) > 10 {
			return false, templateErr("%s requires a list argument with between 2 and 10 conditions", fn)
		}
		and := fn == "Fn::And"
		res := and
		for _, e := range l {
			b, err := c.condValue(e)
			if err != nil {
				return false, err
			}
			if and {
				res = res && b
			} else {
				res = res || b
			}
		}
		return res, nil
	}
}

func equalValues(a, b any) bool {
	sa, oka := scalarString(a)
	sb, okb := scalarString(b)
	if oka && okb {
		return sa == sb
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// String renders an evaluated value as CloudFormation shows it in outputs and parameters:
// scalars as text, lists comma-joined, objects as JSON.
func String(v any) string {
	if s, ok := scalarString(v); ok {
		return s
	}
	switch x := v.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = String(e)
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// SortedKeys returns m's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
