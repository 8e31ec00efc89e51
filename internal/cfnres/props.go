package cfnres

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation"
)

// errProps is the error for a property that does not fit the resource schema.
var errProps = apierr.New(apierr.Invalid, "ValidationError", "invalid property")

// propErr builds the property validation error the engine reports as CREATE_FAILED.
func propErr(format string, args ...any) error { return errProps.With(format, args...) }

// decode fills out (a pointer to a service input struct) from CloudFormation properties:
// keys match the input's json names case-insensitively (as encoding/json does), and scalars
// are coerced to the target's kind (templates give numbers and booleans as strings).
func decode(props map[string]any, out any) error {
	t := reflect.TypeOf(out).Elem()
	b, err := json.Marshal(coerce(props, t))
	if err != nil {
		return propErr("properties: %v", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return propErr("property %s: expected %s, got %s", ute.Field, ute.Type, ute.Value)
		}
		return propErr("properties: %v", err)
	}
	return nil
}

// coerce converts v towards Go type t (strings to numbers/booleans and back).
func coerce(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, val := range m {
			if f, ok := field(t, k); ok {
				out[k] = coerce(val, f.Type)
			} else {
				out[k] = val
			}
		}
		return out
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return v
		}
		l, ok := v.([]any)
		if !ok {
			if _, scalar := v.(string); scalar { // a single value where a list is expected
				return []any{coerce(v, t.Elem())}
			}
			return v
		}
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = coerce(e, t.Elem())
		}
		return out
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = coerce(e, t.Elem())
		}
		return out
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				return n
			}
		}
		if f, ok := v.(float64); ok {
			return int64(f)
		}
	case reflect.Float32, reflect.Float64:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return n
			}
		}
	case reflect.Bool:
		if s, ok := v.(string); ok {
			if b, err := strconv.ParseBool(s); err == nil {
				return b
			}
		}
	case reflect.String:
		switch v.(type) {
		case string, nil, map[string]any, []any:
		default:
			return str(map[string]any{"v": v}, "v")
		}
	}
	return v
}

// field finds the struct field whose json name matches k case-insensitively.
func field(t reflect.Type, k string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, k) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// str is a string property ("" when absent); numbers and booleans are formatted.
func str(p map[string]any, k string) string {
	switch v := p[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	case map[string]any, []any:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// strs is a list-of-strings property.
func strs(p map[string]any, k string) []string {
	l, _ := p[k].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		out = append(out, str(map[string]any{"v": v}, "v"))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// num is an integer property; ok is false when absent or not a number.
func num(p map[string]any, k string) (int64, bool, error) {
	v, present := p[k]
	if !present {
		return 0, false, nil
	}
	switch x := v.(type) {
	case float64:
		return int64(x), true, nil
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return 0, false, propErr("property %s: %q is not an integer", k, x)
		}
		return n, true, nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, false, propErr("property %s: %q is not an integer", k, x)
		}
		return n, true, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint()), true, nil
	}
	return 0, false, propErr("property %s: expected an integer", k)
}

// i32p is an optional int32 property.
func i32p(p map[string]any, k string) (*int32, error) {
	n, ok, err := num(p, k)
	if err != nil || !ok {
		return nil, err
	}
	v := int32(n)
	return &v, nil
}

// boolp is an optional boolean property.
func boolp(p map[string]any, k string) *bool {
	switch v := p[k].(type) {
	case bool:
		return &v
	case string:
		b, err := strconv.ParseBool(v)
		if err == nil {
			return &b
		}
	}
	return nil
}

// obj is a nested object property.
func obj(p map[string]any, k string) map[string]any {
	m, _ := p[k].(map[string]any)
	return m
}

// need returns an error naming a missing required property.
func need(p map[string]any, keys ...string) error {
	for _, k := range keys {
		if _, ok := p[k]; !ok {
			return propErr("Property %s cannot be empty.", k)
		}
	}
	return nil
}

// kv is a Key/Value tag.
type kv struct{ Key, Value string }

// tags merges the template's Tags property (a list of {Key, Value}) with the stack's tags,
// without the aws:cloudformation:* tags (the services refuse aws: keys from callers).
func tags(req *cloudformation.Request) []kv {
	var out []kv
	for _, t := range allTags(req) {
		if !strings.HasPrefix(t.Key, "aws:") {
			out = append(out, t)
		}
	}
	return out
}

// tagsOf converts tags (or tag keys) to a service's tag type (nil for none).
func tagsOf[E, T any](l []E, mk func(E) T) []T {
	var out []T
	for _, t := range l {
		out = append(out, mk(t))
	}
	return out
}

// droppedTags are the keys of the previous Tags property (a list) that tags no longer has.
func droppedTags(req *cloudformation.Request, tags []kv) []string {
	keep := map[string]bool{}
	for _, t := range tags {
		keep[t.Key] = true
	}
	var drop []string
	if l, ok := req.OldProperties["Tags"].([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok && !keep[str(m, "Key")] {
				drop = append(drop, str(m, "Key"))
			}
		}
	}
	return drop
}

// one is the single item a lookup by id answered: the call's error, or missing when it
// listed none.
func one[O, T any](out *O, err error, items func(*O) []T, missing error) (*T, error) {
	if err != nil {
		return nil, err
	}
	l := items(out)
	if len(l) == 0 {
		return nil, missing
	}
	return &l[0], nil
}

// allTags is tags with the aws:cloudformation:* tags.
func allTags(req *cloudformation.Request) []kv {
	var out []kv
	seen := map[string]bool{}
	if l, ok := req.Properties["Tags"].([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				k := str(m, "Key")
				seen[k] = true
				out = append(out, kv{k, str(m, "Value")})
			}
		}
	} else if m, ok := req.Properties["Tags"].(map[string]any); ok { // some types take a map
		for k := range m {
			seen[k] = true
			out = append(out, kv{k, str(m, k)})
		}
	}
	for _, t := range req.Tags {
		if !seen[t.Key] {
			out = append(out, kv{t.Key, t.Value})
		}
	}
	return out
}

func tagMap(req *cloudformation.Request) map[string]string {
	l := tags(req)
	if len(l) == 0 {
		return nil
	}
	m := make(map[string]string, len(l))
	for _, t := range l {
		m[t.Key] = t.Value
	}
	return m
}

// currentName is the resource's physical id, or a new physicalName when it has none yet.
func currentName(req *cloudformation.Request, prop string, max int) string {
	if req.PhysicalID != "" {
		return req.PhysicalID
	}
	return physicalName(req, prop, max)
}

// physicalName is the property's value or CloudFormation's generated
// "<stack>-<logical>-<RANDOM>" name, at most max characters.
func physicalName(req *cloudformation.Request, prop string, max int) string {
	if v := str(req.Properties, prop); v != "" {
		return v
	}
	return generatedName(req, max)
}

const nameAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func generatedName(req *cloudformation.Request, max int) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = nameAlphabet[int(b[i])%len(nameAlphabet)]
	}
	suffix := string(b)
	stack, logical := req.StackName, req.LogicalID
	if max <= 0 {
		max = 255
	}
	room := max - len(suffix) - 2
	if room < 2 {
		return suffix[:min(len(suffix), max)]
	}
	if len(stack)+len(logical) > room {
		half := room / 2
		if len(stack) > half {
			stack = stack[:half]
		}
		if len(stack)+len(logical) > room {
			logical = logical[:room-len(stack)]
		}
	}
	return fmt.Sprintf("%s-%s-%s", stack, logical, suffix)
}

// changed reports whether any of the keys differ between the old and new properties.
func changed(req *cloudformation.Request, keys ...string) bool {
	for _, k := range keys {
		a, _ := json.Marshal(req.OldProperties[k])
		b, _ := json.Marshal(req.Properties[k])
		if string(a) != string(b) {
			return true
		}
	}
	return false
}

// notFound maps an error matching apierr.NotFound to nil (a Delete of a gone resource).
func notFound(err error) error {
	if errors.Is(err, apierr.NotFound) {
		return nil
	}
	return err
}
