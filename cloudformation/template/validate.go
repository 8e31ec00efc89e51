package template

import (
	"sort"
	"strings"
)

// RefKind says how a template refers to something.
type RefKind int

const (
	KindRef RefKind = iota
	KindGetAtt
	KindCondition
)

// WalkRefs calls visit for every Ref, Fn::GetAtt target, Fn::Sub variable and Condition name
// in v. When cond is non-nil, Fn::If only walks the branch cond chooses.
func WalkRefs(v any, cond func(string) (bool, error), visit func(kind RefKind, name, attr string)) {
	walkRefs(v, cond, visit, 0)
}

func walkRefs(v any, cond func(string) (bool, error), visit func(RefKind, string, string), depth int) {
	if depth > maxDepth {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkRefs(e, cond, visit, depth+1)
		}
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					if s, ok := arg.(string); ok {
						visit(KindRef, s, "")
					}
					return
				case "Condition":
					if s, ok := arg.(string); ok {
						visit(KindCondition, s, "")
						return
					}
				case "Fn::GetAtt":
					switch a := arg.(type) {
					case string:
						res, attr, _ := strings.Cut(a, ".")
						visit(KindGetAtt, res, attr)
					case []any:
						if len(a) > 0 {
							if res, ok := a[0].(string); ok {
								attr, _ := a[len(a)-1].(string)
								visit(KindGetAtt, res, attr)
							}
						}
						if len(a) == 2 {
							walkRefs(a[1], cond, visit, depth+1)
						}
					}
					return
				case "Fn::Sub":
					s, vars, err := subArgs(arg)
					if err != nil {
						return
					}
					parts, err := ParseSub(s)
					if err == nil {
						for _, p := range parts {
							if p.Var == "" {
								continue
							}
							if _, ok := vars[p.Var]; ok {
								continue
							}
							if res, attr, ok := strings.Cut(p.Var, "."); ok && !IsPseudo(p.Var) {
								visit(KindGetAtt, res, attr)
							} else {
								visit(KindRef, p.Var, "")
							}
						}
					}
					for _, e := range vars {
						walkRefs(e, cond, visit, depth+1)
					}
					return
				case "Fn::If":
					if a, ok := arg.([]any); ok && len(a) == 3 {
						if name, ok := a[0].(string); ok {
							visit(KindCondition, name, "")
							if cond != nil {
								if b, err := cond(name); err == nil {
									if b {
										walkRefs(a[1], cond, visit, depth+1)
									} else {
										walkRefs(a[2], cond, visit, depth+1)
									}
									return
								}
							}
						}
						walkRefs(a[1], cond, visit, depth+1)
						walkRefs(a[2], cond, visit, depth+1)
						return
					}
				}
			}
		}
		for _, e := range x {
			walkRefs(e, cond, visit, depth+1)
		}
	}
}

// Dependencies returns each resource's dependencies on other resources (DependsOn, Ref,
// Fn::GetAtt, Fn::Sub), limited to the resources in include (nil: all). cond, when non-nil,
// prunes untaken Fn::If branches.
func (t *Template) Dependencies(include map[string]bool, cond func(string) (bool, error)) map[string][]string {
	deps := make(map[string][]string, len(t.Resources))
	for _, id := range t.ResourceOrder {
		if include != nil && !include[id] {
			continue
		}
		r := t.Resources[id]
		seen := map[string]bool{}
		add := func(name string) {
			if name == id || seen[name] {
				return
			}
			if _, ok := t.Resources[name]; !ok {
				return
			}
			if include != nil && !include[name] {
				return
			}
			seen[name] = true
			deps[id] = append(deps[id], name)
		}
		for _, d := range r.DependsOn {
			add(d)
		}
		visit := func(kind RefKind, name, _ string) {
			if kind != KindCondition {
				add(name)
			}
		}
		WalkRefs(r.Properties, cond, visit)
		WalkRefs(r.Metadata, cond, visit)
		WalkRefs(r.CreationPolicy, cond, visit)
		WalkRefs(r.UpdatePolicy, cond, visit)
		if _, ok := deps[id]; !ok {
			deps[id] = nil
		}
		sort.Strings(deps[id])
	}
	return deps
}

// Cycles returns the resources that take part in dependency cycles (strongly connected
// components of more than one node, or self loops), each sorted.
func Cycles(deps map[string][]string) [][]string {
	index := map[string]int{}
	low := map[string]int{}
	on := map[string]bool{}
	var stack []string
	var out [][]string
	n := 0
	var strong func(v string)
	strong = func(v string) {
		index[v], low[v] = n, n
		n++
		stack = append(stack, v)
		on[v] = true
		for _, w := range deps[v] {
			if _, ok := index[w]; !ok {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				sort.Strings(comp)
				out = append(out, comp)
			}
		}
	}
	keys := SortedKeys(deps)
	for _, k := range keys {
		if _, ok := index[k]; !ok {
			strong(k)
		}
	}
	return out
}

// ValidateOptions tune Validate.
type ValidateOptions struct {
	// KnownType reports whether a resource type can be provisioned; nil accepts every type.
	KnownType func(string) bool
	// Attributes lists the Fn::GetAtt attributes of a type; ok false means "any".
	Attributes func(string) (attrs []string, ok bool)
}

// Validate checks what CloudFormation checks before it touches a resource: transforms,
// intrinsic function names and shapes, references (Ref, Fn::GetAtt, Fn::Sub, DependsOn,
// conditions), circular dependencies and resource types. It returns the first problem in
// AWS's words.
func (t *Template) Validate(opts ValidateOptions) error {
	for _, tr := range t.Transforms {
		if tr != LanguageExtensions {
			return transformErr(tr)
		}
	}
	for _, sec := range []string{"Resources", "Outputs", "Conditions"} {
		if m, ok := t.Raw[sec].(map[string]any); ok && hasForEach(m) {
			return templateErr("Fn::ForEach in %s must be expanded (AWS::LanguageExtensions) before validation", sec)
		}
	}
	ext := t.HasTransform(LanguageExtensions)
	// Function names and shapes.
	check := func(v any) error { return checkFunctions(v, ext, 0) }
	for _, name := range SortedKeys(t.Conditions) {
		if err := check(t.Conditions[name]); err != nil {
			return err
		}
	}
	for _, id := range t.ResourceOrder {
		r := t.Resources[id]
		for _, v := range []any{r.Properties, r.Metadata, r.DeletionPolicy, r.UpdateReplacePolicy} {
			if err := check(v); err != nil {
				return err
			}
		}
	}
	for _, name := range t.OutputOrder {
		o := t.Outputs[name]
		if err := check(o.Value); err != nil {
			return err
		}
		if err := check(o.Export); err != nil {
			return err
		}
	}
	// Conditions: only parameters, pseudo parameters and other conditions.
	var unresolved []string
	badCond := ""
	for _, name := range SortedKeys(t.Conditions) {
		WalkRefs(t.Conditions[name], nil, func(kind RefKind, n, _ string) {
			switch kind {
			case KindRef:
				if _, ok := t.Parameters[n]; !ok && !IsPseudo(n) {
					unresolved = append(unresolved, n)
				}
			case KindGetAtt:
				unresolved = append(unresolved, n)
			case KindCondition:
				if _, ok := t.Conditions[n]; !ok && badCond == "" {
					badCond = n
				}
			}
		})
	}
	if len(unresolved) > 0 {
		return formatErr("Unresolved dependencies %s. Cannot reference resources in the Conditions block of the template", list(unresolved))
	}
	if badCond != "" {
		return templateErr("unresolved condition dependency %s in Fn::If", badCond)
	}
	c := &Context{Template: t, Extensions: ext}
	for _, name := range SortedKeys(t.Conditions) {
		if _, err := c.Condition(name); err != nil {
			if e, ok := err.(*Error); ok && strings.Contains(e.Message, "must have values") {
				continue // depends on a parameter without default: checked at create
			}
			return err
		}
	}
	// Resources.
	var types []string
	for _, id := range t.ResourceOrder {
		r := t.Resources[id]
		if opts.KnownType != nil && !opts.KnownType(r.Type) {
			types = append(types, r.Type)
		}
	}
	if len(types) > 0 {
		return formatErr("Unrecognized resource types: %s", list(types))
	}
	refs := func(block string, v any) error {
		var bad []string
		var err error
		WalkRefs(v, nil, func(kind RefKind, n, attr string) {
			if err != nil {
				return
			}
			switch kind {
			case KindRef:
				if _, ok := t.Parameters[n]; ok || IsPseudo(n) {
					return
				}
				if _, ok := t.Resources[n]; !ok {
					bad = append(bad, n)
				}
			case KindGetAtt:
				r, ok := t.Resources[n]
				if !ok {
					err = templateErr("instance of Fn::GetAtt references undefined resource %s", n)
					return
				}
				if opts.Attributes != nil && attr != "" {
					if attrs, ok := opts.Attributes(r.Type); ok && !attrAllowed(attrs, attr) {
						err = templateErr("resource %s does not support attribute type %s in Fn::GetAtt", n, attr)
					}
				}
			case KindCondition:
				if _, ok := t.Conditions[n]; !ok {
					err = templateErr("unresolved condition dependency %s in Fn::If", n)
				}
			}
		})
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return formatErr("Unresolved resource dependencies %s in the %s block of the template", list(bad), block)
		}
		return nil
	}
	for _, id := range t.ResourceOrder {
		r := t.Resources[id]
		var bad []string
		for _, d := range r.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				bad = append(bad, d)
			}
		}
		if len(bad) > 0 {
			return formatErr("Unresolved resource dependencies %s in the Resources block of the template", list(bad))
		}
		if r.Condition != "" {
			if _, ok := t.Conditions[r.Condition]; !ok {
				return formatErr("Unresolved resource dependencies [%s] in the Resources block of the template", r.Condition)
			}
		}
		for _, v := range []any{r.Properties, r.Metadata, r.CreationPolicy, r.UpdatePolicy} {
			if err := refs("Resources", v); err != nil {
				return err
			}
		}
	}
	for _, name := range t.OutputOrder {
		o := t.Outputs[name]
		if o.Condition != "" {
			if _, ok := t.Conditions[o.Condition]; !ok {
				return formatErr("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", o.Condition)
			}
		}
		if err := refs("Outputs", o.Value); err != nil {
			return err
		}
		if err := refs("Outputs", o.Export); err != nil {
			return err
		}
	}
	if cyc := Cycles(t.Dependencies(nil, nil)); len(cyc) > 0 {
		var all []string
		for _, c := range cyc {
			all = append(all, c...)
		}
		return &Error{Message: "Circular dependency between resources: " + list(all)}
	}
	return nil
}

func attrAllowed(attrs []string, attr string) bool {
	for _, a := range attrs {
		if a == attr || strings.HasSuffix(a, ".*") && strings.HasPrefix(attr, strings.TrimSuffix(a, "*")) {
			return true
		}
	}
	return false
}

func list(s []string) string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return "[" + strings.Join(out, ", ") + "]"
}

var knownFns = map[string]bool{
	"Fn::Base64": true, "Fn::Cidr": true, "Fn::FindInMap": true, "Fn::GetAZs": true, "Fn::GetAtt": true,
	"Fn::ImportValue": true, "Fn::Join": true, "Fn::Select": true, "Fn::Split": true, "Fn::Sub": true,
	"Fn::Transform": true, "Fn::If": true, "Fn::Equals": true, "Fn::And": true, "Fn::Or": true, "Fn::Not": true,
}

// checkFunctions verifies function names and argument shapes.
func checkFunctions(v any, ext bool, depth int) error {
	if depth > maxDepth {
		return templateErr("expression nests too deeply")
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := checkFunctions(e, ext, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" {
					if _, ok := arg.(string); !ok {
						return templateErr("every Ref object must have a single String value.")
					}
					return nil
				}
				if strings.HasPrefix(k, "Fn::") {
					if !knownFns[k] && !(ext && (k == "Fn::Length" || k == "Fn::ToJsonString")) {
						return templateErr("Encountered unsupported function: %s Supported functions are: [%s]", k, strings.Join(supported, ", "))
					}
					if err := checkShape(k, arg, ext); err != nil {
						return err
					}
				}
			}
		}
		for _, e := range x {
			if err := checkFunctions(e, ext, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func isFn(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 1 && isIntrinsic(m)
}

func checkShape(fn string, arg any, ext bool) error {
	l, isList := arg.([]any)
	n := len(l)
	switch fn {
	case "Fn::Join":
		if !isList || n != 2 {
			return templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		if _, ok := l[0].(string); !ok {
			return templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		if _, ok := l[1].([]any); !ok && !isFn(l[1]) {
			return templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
	case "Fn::Select":
		if !isList || n != 2 {
			return templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		if s, ok := scalarString(l[0]); ok {
			if _, err := parseIndex(s); err != nil {
				return templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
			}
		} else if !isFn(l[0]) {
			return templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		if sub, ok := l[1].([]any); ok {
			if s, ok := scalarString(l[0]); ok {
				if i, _ := parseIndex(s); i >= len(sub) {
					return templateErr("Fn::Select cannot select nonexistent value at index %d", i)
				}
			}
		} else if !isFn(l[1]) {
			return templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
	case "Fn::Split":
		if !isList || n != 2 {
			return templateErr("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
		}
	case "Fn::FindInMap":
		if !isList || n < 3 || n > 4 || (n == 4 && !ext) {
			return templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
	case "Fn::GetAtt":
		switch a := arg.(type) {
		case string:
			if r, at, ok := strings.Cut(a, "."); !ok || r == "" || at == "" {
				return templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
			}
		case []any:
			if len(a) != 2 {
				return templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
			}
			if s, ok := a[0].(string); !ok || s == "" {
				return templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
			}
			if s, ok := a[1].(string); !(ok && s != "") && !isFn(a[1]) {
				return templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
			}
		default:
			return templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
		}
	case "Fn::Sub":
		s, _, err := subArgs(arg)
		if err != nil {
			return err
		}
		if _, err := ParseSub(s); err != nil {
			return err
		}
	case "Fn::If":
		if !isList || n != 3 {
			return templateErr("Fn::If requires a list argument with three elements")
		}
		if _, ok := l[0].(string); !ok {
			return templateErr("Fn::If requires a list argument with the first element being a condition")
		}
	case "Fn::Equals":
		if !isList || n != 2 {
			return templateErr("Fn::Equals requires a list argument with two elements")
		}
	case "Fn::And", "Fn::Or":
		if !isList || n < 2 || n > 10 {
			return templateErr("%s requires a list argument with between 2 and 10 conditions", fn)
		}
	case "Fn::Not":
		if !isList || n != 1 {
			return templateErr("Fn::Not requires a list argument with one function token")
		}
	case "Fn::Cidr":
		if !isList || n != 3 {
			return templateErr("Fn::Cidr requires a list of three elements: an ipBlock, a count and the number of subnet bits")
		}
	case "Fn::Base64", "Fn::ImportValue":
		if isList {
			return templateErr("every %s object must have a String value", fn)
		}
	case "Fn::GetAZs":
		if isList {
			return templateErr("Fn::GetAZs requires a region name as a String")
		}
	}
	return nil
}

func parseIndex(s string) (int, error) {
	var i int
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, &Error{Message: "not an index"}
		}
		i = i*10 + int(r-'0')
		if i > 1<<20 {
			return i, nil
		}
	}
	if s == "" {
		return 0, &Error{Message: "not an index"}
	}
	return i, nil
}
