package template

import (
	"regexp"
	"strings"
)

// Expand applies the AWS::LanguageExtensions transform to a parsed template in place:
// every "Fn::ForEach::Name": [Identifier, Collection, {OutputKey: OutputValue}] is replaced
// by one copy of its fragment per collection item, with ${Identifier} and &{Identifier}
// substituted in keys, Ref Identifier replaced in values and ${Identifier} in Fn::Sub
// strings. params resolves Refs in collections (parameter values, as for Context.Params).
func Expand(raw map[string]any, params map[string]any) error {
	t, err := FromRawLoose(raw)
	if err != nil {
		return err
	}
	c := &Context{Template: t, Params: params, Extensions: true}
	for _, sec := range []string{"Conditions", "Resources", "Outputs"} {
		m, ok := raw[sec].(map[string]any)
		if !ok {
			continue
		}
		out, err := expandMap(c, m, 0)
		if err != nil {
			return err
		}
		for k, v := range out {
			r, err := resolveNames(c, v, 0)
			if err != nil {
				return err
			}
			out[k] = r
		}
		raw[sec] = out
	}
	return nil
}

// resolveNames turns {"Ref": <intrinsic>} and {"Fn::GetAtt": [<intrinsic>, attr]} (allowed
// with the transform) into literal names, so dependencies can be found.
func resolveNames(c *Context, v any, depth int) (any, error) {
	if depth > maxDepth {
		return v, nil
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if arg, ok := x["Ref"]; ok && isFn(arg) {
				n, err := c.Eval(arg)
				if err != nil {
					return nil, err
				}
				s, ok := n.(string)
				if !ok {
					return nil, templateErr("every Ref object must have a single String value.")
				}
				return map[string]any{"Ref": s}, nil
			}
			if arg, ok := x["Fn::GetAtt"].([]any); ok && len(arg) == 2 && isFn(arg[0]) {
				n, err := c.Eval(arg[0])
				if err != nil {
					return nil, err
				}
				s, ok := n.(string)
				if !ok {
					return nil, templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
				}
				return map[string]any{"Fn::GetAtt": []any{s, arg[1]}}, nil
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := resolveNames(c, e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := resolveNames(c, e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// FromRawLoose gives a Template view for evaluation (parameters and mappings only) without
// checking the other sections.
func FromRawLoose(raw map[string]any) (*Template, error) {
	t := &Template{Raw: raw, Parameters: map[string]*Parameter{}}
	if err := t.loadParameters(); err != nil {
		return nil, err
	}
	t.Mappings, _ = raw["Mappings"].(map[string]any)
	t.Conditions, _ = raw["Conditions"].(map[string]any)
	return t, nil
}

func expandMap(c *Context, m map[string]any, depth int) (map[string]any, error) {
	if depth > 10 {
		return nil, templateErr("Fn::ForEach nests too deeply")
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !strings.HasPrefix(k, "Fn::ForEach::") {
			out[k] = v
			continue
		}
		l, ok := v.([]any)
		if !ok || len(l) != 3 {
			return nil, templateErr("Fn::ForEach %s: expected a list of 3 elements: identifier, collection and output", k)
		}
		id, ok := l[0].(string)
		if !ok || !alnum.MatchString(id) {
			return nil, templateErr("Fn::ForEach %s: the loop identifier must be an alphanumeric string", k)
		}
		coll, err := c.Eval(l[1])
		if err != nil {
			return nil, err
		}
		items, ok := coll.([]any)
		if !ok {
			return nil, templateErr("Fn::ForEach %s: the collection must be a list or resolve to a list", k)
		}
		frag, ok := l[2].(map[string]any)
		if !ok {
			return nil, templateErr("Fn::ForEach %s: the output must be an object", k)
		}
		for _, it := range items {
			val, ok := scalarString(it)
			if !ok {
				return nil, templateErr("Fn::ForEach %s: collection items must be strings", k)
			}
			inst := substitute(frag, id, val).(map[string]any)
			inst, err = expandMap(c, inst, depth+1)
			if err != nil {
				return nil, err
			}
			for ik, iv := range inst {
				if _, dup := out[ik]; dup {
					return nil, templateErr("Fn::ForEach %s produced duplicate key %s", k, ik)
				}
				if _, dup := m[ik]; dup {
					return nil, templateErr("Fn::ForEach %s produced duplicate key %s", k, ik)
				}
				out[ik] = iv
			}
		}
	}
	// Nested loops inside values (e.g. within Properties).
	for k, v := range out {
		if vm, ok := v.(map[string]any); ok && hasForEach(vm) {
			e, err := expandMap(c, vm, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
	}
	return out, nil
}

func hasForEach(m map[string]any) bool {
	for k, v := range m {
		if strings.HasPrefix(k, "Fn::ForEach::") {
			return true
		}
		if vm, ok := v.(map[string]any); ok && hasForEach(vm) {
			return true
		}
	}
	return false
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)

func substitute(v any, id, val string) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if r, ok := x["Ref"].(string); ok && r == id {
				return val
			}
			if s, ok := x["Fn::Sub"]; ok {
				switch a := s.(type) {
				case string:
					return map[string]any{"Fn::Sub": subText(a, id, val)}
				case []any:
					if len(a) == 2 {
						if str, ok := a[0].(string); ok {
							return map[string]any{"Fn::Sub": []any{subText(str, id, val), substitute(a[1], id, val)}}
						}
					}
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			k = strings.ReplaceAll(k, "${"+id+"}", val)
			k = strings.ReplaceAll(k, "&{"+id+"}", nonAlnum.ReplaceAllString(val, ""))
			out[k] = substitute(e, id, val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substitute(e, id, val)
		}
		return out
	}
	return v
}

func subText(s, id, val string) string {
	s = strings.ReplaceAll(s, "${"+id+"}", val)
	return strings.ReplaceAll(s, "&{"+id+"}", nonAlnum.ReplaceAllString(val, ""))
}
