// Package alarmrule parses and evaluates the AlarmRule language of CloudWatch composite
// alarms: ALARM(name), OK(name), INSUFFICIENT_DATA(name), TRUE, FALSE, combined with AND, OR,
// NOT and parentheses. A name is an alarm name or ARN, in double quotes or bare (a bare name
// runs to the closing parenthesis).
//
// Parse never panics; it rejects rules longer than 10,240 characters, nested deeper than 100
// levels or with more than 100 alarm references, as AWS does. A parsed Rule is immutable and
// safe for concurrent use.
package alarmrule

import (
	"fmt"
	"strings"
)

// MaxLength is the longest rule AWS accepts.
const MaxLength = 10240

const maxDepth = 100
const maxRefs = 100

// Rule is a parsed alarm rule.
type Rule struct {
	root node
	refs []string
}

// Ref is one state test in a rule.
type Ref struct {
	State string // ALARM, OK or INSUFFICIENT_DATA
	Alarm string // name or ARN as written
}

type node interface{}

type constNode bool
type refNode Ref
type notNode struct{ x node }
type binNode struct {
	and  bool
	x, y node
}

// Error is a parse error.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s at position %d", e.Msg, e.Pos) }

// Parse parses a rule.
func Parse(src string) (*Rule, error) {
	if len(src) > MaxLength {
		return nil, &Error{MaxLength, fmt.Sprintf("rule longer than %d characters", MaxLength)}
	}
	p := &parser{src: src}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.i < len(p.src) {
		return nil, &Error{p.i, fmt.Sprintf("unexpected %q", p.rest(10))}
	}
	r := &Rule{root: n}
	seen := map[string]bool{}
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case refNode:
			if !seen[n.Alarm] {
				seen[n.Alarm] = true
				r.refs = append(r.refs, n.Alarm)
			}
		case notNode:
			walk(n.x)
		case binNode:
			walk(n.x)
			walk(n.y)
		}
	}
	walk(n)
	if p.nrefs > maxRefs {
		return nil, &Error{0, fmt.Sprintf("rule references more than %d alarms", maxRefs)}
	}
	return r, nil
}

// Alarms returns the alarm names or ARNs the rule refers to, in order of first use.
func (r *Rule) Alarms() []string { return append([]string(nil), r.refs...) }

// Eval evaluates the rule; state returns the state of a referenced alarm (name or ARN as
// written in the rule). A reference to an unknown alarm (state "") is false.
func (r *Rule) Eval(state func(alarm string) string) bool { return eval(r.root, state) }

func eval(n node, state func(string) string) bool {
	switch n := n.(type) {
	case constNode:
		return bool(n)
	case refNode:
		return state(n.Alarm) == n.State
	case notNode:
		return !eval(n.x, state)
	case binNode:
		if n.and {
			return eval(n.x, state) && eval(n.y, state)
		}
		return eval(n.x, state) || eval(n.y, state)
	}
	return false
}

// String prints the rule in canonical form.
func (r *Rule) String() string { return str(r.root) }

func str(n node) string {
	switch n := n.(type) {
	case constNode:
		if n {
			return "TRUE"
		}
		return "FALSE"
	case refNode:
		return n.State + "(" + quote(n.Alarm) + ")"
	case notNode:
		return "NOT (" + str(n.x) + ")"
	case binNode:
		op := " OR "
		if n.and {
			op = " AND "
		}
		return "(" + str(n.x) + op + str(n.y) + ")"
	}
	return ""
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

type parser struct {
	src   string
	i     int
	depth int
	nrefs int
}

func (p *parser) rest(n int) string {
	if p.i+n > len(p.src) {
		return p.src[p.i:]
	}
	return p.src[p.i : p.i+n]
}

func (p *parser) skip() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t' || p.src[p.i] == '\n' || p.src[p.i] == '\r') {
		p.i++
	}
}

// word reads an identifier-like keyword without consuming it.
func (p *parser) word() string {
	p.skip()
	j := p.i
	for j < len(p.src) && (p.src[j] == '_' || p.src[j] >= 'A' && p.src[j] <= 'Z' || p.src[j] >= 'a' && p.src[j] <= 'z') {
		j++
	}
	return strings.ToUpper(p.src[p.i:j])
}

func (p *parser) or() (node, error) {
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.word() == "OR" {
		p.i += 2
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		x = binNode{false, x, y}
	}
	return x, nil
}

func (p *parser) and() (node, error) {
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.word() == "AND" {
		p.i += 3
		y, err := p.not()
		if err != nil {
			return nil, err
		}
		x = binNode{true, x, y}
	}
	return x, nil
}

func (p *parser) not() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, &Error{p.i, "rule nested too deeply"}
	}
	if p.word() == "NOT" {
		p.i += 3
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return notNode{x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	p.skip()
	if p.i >= len(p.src) {
		return nil, &Error{p.i, "unexpected end of rule"}
	}
	if p.src[p.i] == '(' {
		p.i++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.i >= len(p.src) || p.src[p.i] != ')' {
			return nil, &Error{p.i, "expected ')'"}
		}
		p.i++
		return x, nil
	}
	w := p.word()
	start := p.i
	switch w {
	case "TRUE", "FALSE":
		p.i += len(w)
		return constNode(w == "TRUE"), nil
	case "ALARM", "OK", "INSUFFICIENT_DATA":
		p.i += len(w)
		p.skip()
		if p.i >= len(p.src) || p.src[p.i] != '(' {
			return nil, &Error{p.i, fmt.Sprintf("expected '(' after %s", w)}
		}
		p.i++
		p.skip()
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.i >= len(p.src) || p.src[p.i] != ')' {
			return nil, &Error{p.i, "expected ')'"}
		}
		p.i++
		p.nrefs++
		return refNode{State: w, Alarm: name}, nil
	}
	return nil, &Error{start, fmt.Sprintf("unexpected %q: expected ALARM, OK, INSUFFICIENT_DATA, TRUE, FALSE, NOT or '('", p.rest(10))}
}

func (p *parser) name() (string, error) {
	start := p.i
	if p.i < len(p.src) && p.src[p.i] == '"' {
		p.i++
		var sb strings.Builder
		for p.i < len(p.src) && p.src[p.i] != '"' {
			if p.src[p.i] == '\\' && p.i+1 < len(p.src) {
				p.i++
			}
			sb.WriteByte(p.src[p.i])
			p.i++
		}
		if p.i >= len(p.src) {
			return "", &Error{start, "unterminated alarm name"}
		}
		p.i++
		if sb.Len() == 0 {
			return "", &Error{start, "empty alarm name"}
		}
		return sb.String(), nil
	}
	for p.i < len(p.src) && p.src[p.i] != ')' && p.src[p.i] != '(' {
		p.i++
	}
	name := strings.TrimSpace(p.src[start:p.i])
	if name == "" {
		return "", &Error{start, "empty alarm name"}
	}
	return name, nil
}
