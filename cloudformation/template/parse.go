package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxBodySize is the largest TemplateBody CloudFormation accepts (bytes).
const MaxBodySize = 51200

// MaxResources is the most resources one template may declare.
const MaxResources = 500

// maxNodes bounds the number of values a parsed template may hold (after alias expansion),
// and maxDepth how deeply they may nest, so hostile input cannot exhaust memory or stack.
const (
	maxNodes = 1 << 20
	maxDepth = 200
)

// Error is a template error with AWS's message. CloudFormation answers every template
// problem with the ValidationError code; Message is its text.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func formatErr(format string, args ...any) *Error {
	return &Error{Message: "Template format error: " + fmt.Sprintf(format, args...)}
}

func templateErr(format string, args ...any) *Error {
	return &Error{Message: "Template error: " + fmt.Sprintf(format, args...)}
}

// Parse decodes a template body, JSON or YAML, into the generic value tree every other part
// of the package works on: map[string]any, []any, string, json.Number, bool and nil. YAML
// short-form tags become their long forms (!Ref x is {"Ref": "x"}, !GetAtt a.b is
// {"Fn::GetAtt": ["a", "b"]}, !Sub s is {"Fn::Sub": s}, ...). Duplicate keys are refused, as
// CloudFormation refuses them.
func Parse(body []byte) (map[string]any, error) {
	if !utf8.Valid(body) {
		return nil, formatErr("template is not valid UTF-8")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, formatErr("At least one Resources member must be defined.")
	}
	var v any
	var err error
	if trimmed[0] == '{' {
		v, err = parseJSON(trimmed)
	} else {
		v, err = parseYAML(body)
	}
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil, formatErr("At least one Resources member must be defined.")
		}
		return nil, formatErr("template format is not a JSON or YAML object")
	}
	return m, nil
}

// ---- JSON ----

type jsonParser struct {
	dec   *json.Decoder
	data  []byte
	nodes int
}

func parseJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	p := &jsonParser{dec: d, data: data}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, p.syntax(errors.New("trailing data"))
	}
	return v, nil
}

func (p *jsonParser) syntax(err error) *Error {
	off := p.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	line, col := lineCol(p.data, int(off))
	return formatErr("JSON not well-formed. (line %d, column %d)", line, col)
}

func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, formatErr("template nests deeper than %d levels", maxDepth)
	}
	p.nodes++
	if p.nodes > maxNodes {
		return nil, formatErr("template has too many values")
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntax(err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, p.syntax(errors.New("key"))
				}
				line, _ := lineCol(p.data, int(p.dec.InputOffset()))
				if _, dup := m[k]; dup {
					return nil, formatErr("Duplicate found '%s' (line %d)", k, line)
				}
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				m[k] = v
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err)
			}
			return m, nil
		case '[':
			l := []any{}
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err)
			}
			return l, nil
		}
		return nil, p.syntax(errors.New("delim"))
	default:
		return t, nil // string, json.Number, bool, nil
	}
}

// ---- YAML ----

type yamlParser struct{ nodes int }

func parseYAML(data []byte) (any, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, yamlErr(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, yamlErr(err)
		}
		return nil, formatErr("YAML not well-formed. (line %d, column %d): more than one document", extra.Line, extra.Column)
	}
	p := &yamlParser{}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return p.node(doc.Content[0], 0)
}

func yamlErr(err error) *Error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	return formatErr("YAML not well-formed. %s", msg)
}

var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join", "!Select": "Fn::Select",
	"!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr",
	"!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue", "!If": "Fn::If", "!Equals": "Fn::Equals",
	"!And": "Fn::And", "!Or": "Fn::Or", "!Not": "Fn::Not", "!Transform": "Fn::Transform",
	"!ToJsonString": "Fn::ToJsonString", "!Length": "Fn::Length", "!ForEach": "Fn::ForEach",
	// Rules functions.
	"!Contains": "Fn::Contains", "!EachMemberEquals": "Fn::EachMemberEquals", "!EachMemberIn": "Fn::EachMemberIn",
	"!RefAll": "Fn::RefAll", "!ValueOf": "Fn::ValueOf", "!ValueOfAll": "Fn::ValueOfAll",
}

func (p *yamlParser) node(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, formatErr("template nests deeper than %d levels", maxDepth)
	}
	p.nodes++
	if p.nodes > maxNodes {
		return nil, formatErr("template has too many values")
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, formatErr("YAML not well-formed. (line %d, column %d): unknown alias", n.Line, n.Column)
		}
		return p.node(n.Alias, depth+1)
	}
	if fn, ok := shortTags[n.Tag]; ok {
		var inner any
		var err error
		switch n.Kind {
		case yaml.ScalarNode:
			inner = n.Value
			if fn == "Fn::GetAtt" {
				res, attr, ok := strings.Cut(n.Value, ".")
				if !ok {
					return nil, templateErr("Fn::GetAtt %q must be of the form LogicalId.Attribute (line %d)", n.Value, n.Line)
				}
				inner = []any{res, attr}
			}
		default:
			inner, err = p.plain(n, depth)
			if err != nil {
				return nil, err
			}
		}
		return map[string]any{fn: inner}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, formatErr("YAML not well-formed. Unknown tag %s (line %d, column %d)", n.Tag, n.Line, n.Column)
	}
	return p.plain(n, depth)
}

func (p *yamlParser) plain(n *yaml.Node, depth int) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return scalar(n), nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := p.node(c, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				if err := p.merge(m, vn, depth); err != nil {
					return nil, err
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, formatErr("YAML not well-formed. Unhashable key (line %d, column %d)", k.Line, k.Column)
			}
			if _, dup := m[k.Value]; dup {
				return nil, formatErr("Duplicate found '%s' (line %d)", k.Value, k.Line)
			}
			v, err := p.node(vn, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.AliasNode, yaml.DocumentNode:
		return p.node(n, depth+1)
	}
	return nil, formatErr("YAML not well-formed. (line %d, column %d)", n.Line, n.Column)
}

func (p *yamlParser) merge(m map[string]any, vn *yaml.Node, depth int) error {
	v, err := p.node(vn, depth+1)
	if err != nil {
		return err
	}
	var srcs []any
	switch t := v.(type) {
	case map[string]any:
		srcs = []any{t}
	case []any:
		srcs = t
	}
	for _, s := range srcs {
		sm, ok := s.(map[string]any)
		if !ok {
			return formatErr("YAML not well-formed. merge value is not a mapping (line %d)", vn.Line)
		}
		for k, x := range sm {
			if _, set := m[k]; !set {
				m[k] = x
			}
		}
	}
	return nil
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on", "y":
			return true
		}
		return false
	case "!!int":
		// Keep the literal (0x1F, 0o17 become decimal like YAML would).
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		return n.Value
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || n.Value == ".nan" || strings.Contains(strings.ToLower(n.Value), "inf") {
			return n.Value
		}
		if json.Valid([]byte(n.Value)) {
			return json.Number(n.Value)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return n.Value
}
