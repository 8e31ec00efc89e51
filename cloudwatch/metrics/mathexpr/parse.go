// Package mathexpr is CloudWatch's metric math: a parser for expressions such as
// "SUM(METRICS())/2", "IF(m1 > 10, m1, 0)" or "FILL(RATE(m1), REPEAT)" and an evaluator over
// time series.
//
// Values are scalars, time series (sorted timestamps with values, missing points simply absent)
// or arrays of time series. Binary operators between two series combine the points whose
// timestamps both have; with a scalar they apply to every point; with an array they apply to
// each member. Comparisons and AND/OR yield 1 or 0. A division by zero drops the point.
//
// Functions: ABS, CEIL, FLOOR, LOG, LOG10, SQRT, SUM, AVG, MIN, MAX, STDDEV (of an array: a
// series per timestamp; of one series: a scalar), METRICS([filter]), FILL(x, value|REPEAT|
// LINEAR), RATE, DIFF, DIFF_TIME, PERIOD, RUNNING_SUM, IF(cond, a[, b]), REMOVE_EMPTY, FIRST,
// LAST, TIME_SERIES(scalar).
//
// Parse never panics on any input; a parse error says where. The package has no state and is
// safe for concurrent use.
package mathexpr

import (
	"fmt"
	"strconv"
	"strings"
)

// Node is a parsed expression.
type Node interface{ String() string }

// Num is a number literal.
type Num struct{ V float64 }

// Str is a string literal.
type Str struct{ V string }

// Ref refers to another query by Id.
type Ref struct{ ID string }

// Keyword is a bare upper-case word used as a function argument (REPEAT, LINEAR).
type Keyword struct{ Name string }

// Call is a function call.
type Call struct {
	Fn   string
	Args []Node
}

// Unary is -x or NOT x.
type Unary struct {
	Op string
	X  Node
}

// Binary is x op y.
type Binary struct {
	Op   string
	X, Y Node
}

// Array is [a, b, ...].
type Array struct{ Elems []Node }

func (n *Num) String() string     { return strconv.FormatFloat(n.V, 'g', -1, 64) }
func (n *Str) String() string     { return strconv.Quote(n.V) }
func (n *Ref) String() string     { return n.ID }
func (n *Keyword) String() string { return n.Name }
func (n *Call) String() string {
	parts := make([]string, len(n.Args))
	for i, a := range n.Args {
		parts[i] = a.String()
	}
	return n.Fn + "(" + strings.Join(parts, ", ") + ")"
}
func (n *Unary) String() string  { return "(" + n.Op + " " + n.X.String() + ")" }
func (n *Binary) String() string { return "(" + n.X.String() + " " + n.Op + " " + n.Y.String() + ")" }
func (n *Array) String() string {
	parts := make([]string, len(n.Elems))
	for i, a := range n.Elems {
		parts[i] = a.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Error is a syntax or evaluation error.
type Error struct {
	Pos int // byte offset, -1 when not positional
	Msg string
}

func (e *Error) Error() string {
	if e.Pos >= 0 {
		return fmt.Sprintf("%s (at position %d)", e.Msg, e.Pos)
	}
	return e.Msg
}

const maxLen = 2048
const maxDepth = 100

type token struct {
	kind byte // 'n' number, 's' string, 'i' identifier, 'o' operator/punct, 0 EOF
	text string
	num  float64
	pos  int
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					j = k
				}
			}
			v, err := strconv.ParseFloat(src[i:j], 64)
			if err != nil {
				return nil, &Error{i, fmt.Sprintf("invalid number %q", src[i:j])}
			}
			toks = append(toks, token{kind: 'n', text: src[i:j], num: v, pos: i})
			i = j
		case c == '"' || c == '\'':
			j := i + 1
			var sb strings.Builder
			for j < len(src) && src[j] != c {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				sb.WriteByte(src[j])
				j++
			}
			if j >= len(src) {
				return nil, &Error{i, "unterminated string"}
			}
			toks = append(toks, token{kind: 's', text: sb.String(), pos: i})
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, token{kind: 'i', text: src[i:j], pos: i})
			i = j
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "==", "!=", "<=", ">=", "&&", "||":
				toks = append(toks, token{kind: 'o', text: two, pos: i})
				i += 2
				continue
			}
			if strings.IndexByte("+-*/^(),[]<>!", c) < 0 {
				return nil, &Error{i, fmt.Sprintf("unexpected character %q", rune(c))}
			}
			toks = append(toks, token{kind: 'o', text: string(c), pos: i})
			i++
		}
	}
	toks = append(toks, token{pos: len(src)})
	return toks, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

// Parse parses a metric math expression.
func Parse(src string) (Node, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &Error{0, "empty expression"}
	}
	if len(src) > maxLen {
		return nil, &Error{-1, fmt.Sprintf("expression longer than %d characters", maxLen)}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, &Error{t.pos, fmt.Sprintf("unexpected %q", t.text)}
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}

func (p *parser) isOp(ops ...string) (string, bool) {
	t := p.peek()
	if t.kind == 'o' || t.kind == 'i' {
		for _, o := range ops {
			if t.text == o {
				return o, true
			}
		}
	}
	return "", false
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return &Error{p.peek().pos, "expression nested too deeply"}
	}
	return nil
}

func (p *parser) expr() (Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.or()
}

func (p *parser) or() (Node, error) {
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	for {
		if _, ok := p.isOp("OR", "||"); !ok {
			return x, nil
		}
		p.next()
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		x = &Binary{"OR", x, y}
	}
}

func (p *parser) and() (Node, error) {
	x, err := p.cmp()
	if err != nil {
		return nil, err
	}
	for {
		if _, ok := p.isOp("AND", "&&"); !ok {
			return x, nil
		}
		p.next()
		y, err := p.cmp()
		if err != nil {
			return nil, err
		}
		x = &Binary{"AND", x, y}
	}
}

func (p *parser) cmp() (Node, error) {
	x, err := p.add()
	if err != nil {
		return nil, err
	}
	if op, ok := p.isOp("==", "!=", "<=", ">=", "<", ">"); ok {
		p.next()
		y, err := p.add()
		if err != nil {
			return nil, err
		}
		return &Binary{op, x, y}, nil
	}
	return x, nil
}

func (p *parser) add() (Node, error) {
	x, err := p.mul()
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.isOp("+", "-")
		if !ok {
			return x, nil
		}
		p.next()
		y, err := p.mul()
		if err != nil {
			return nil, err
		}
		x = &Binary{op, x, y}
	}
}

func (p *parser) mul() (Node, error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.isOp("*", "/")
		if !ok {
			return x, nil
		}
		p.next()
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		x = &Binary{op, x, y}
	}
}

func (p *parser) unary() (Node, error) {
	if op, ok := p.isOp("-", "+", "!", "NOT"); ok {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		switch op {
		case "+":
			return x, nil
		case "-":
			if n, ok := x.(*Num); ok {
				return &Num{-n.V}, nil
			}
			return &Unary{"-", x}, nil
		}
		return &Unary{"NOT", x}, nil
	}
	return p.pow()
}

func (p *parser) pow() (Node, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if _, ok := p.isOp("^"); ok {
		p.next()
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Binary{"^", x, y}, nil
	}
	return x, nil
}

func (p *parser) primary() (Node, error) {
	t := p.next()
	switch t.kind {
	case 'n':
		return &Num{t.num}, nil
	case 's':
		return &Str{t.text}, nil
	case 'i':
		if _, ok := p.isOp("("); ok {
			p.next()
			fn := strings.ToUpper(t.text)
			if _, ok := functions[fn]; !ok {
				return nil, &Error{t.pos, fmt.Sprintf("Unrecognized function %q", t.text)}
			}
			var args []Node
			if _, ok := p.isOp(")"); !ok {
				for {
					a, err := p.expr()
					if err != nil {
						return nil, err
					}
					args = append(args, a)
					if _, ok := p.isOp(","); ok {
						p.next()
						continue
					}
					break
				}
			}
			if c := p.next(); c.text != ")" || c.kind != 'o' {
				return nil, &Error{c.pos, "expected ')'"}
			}
			return &Call{Fn: fn, Args: args}, nil
		}
		switch t.text {
		case "REPEAT", "LINEAR":
			return &Keyword{t.text}, nil
		case "AND", "OR", "NOT":
			return nil, &Error{t.pos, fmt.Sprintf("unexpected %q", t.text)}
		}
		if t.text[0] < 'a' || t.text[0] > 'z' {
			return nil, &Error{t.pos, fmt.Sprintf("Unrecognized identifier %q: ids start with a lowercase letter", t.text)}
		}
		return &Ref{t.text}, nil
	case 'o':
		switch t.text {
		case "(":
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if c := p.next(); c.text != ")" || c.kind != 'o' {
				return nil, &Error{c.pos, "expected ')'"}
			}
			return x, nil
		case "[":
			var elems []Node
			for {
				x, err := p.expr()
				if err != nil {
					return nil, err
				}
				elems = append(elems, x)
				c := p.next()
				if c.kind == 'o' && c.text == "]" {
					return &Array{elems}, nil
				}
				if c.kind != 'o' || c.text != "," {
					return nil, &Error{c.pos, "expected ',' or ']'"}
				}
			}
		}
	case 0:
		return nil, &Error{t.pos, "unexpected end of expression"}
	}
	return nil, &Error{t.pos, fmt.Sprintf("unexpected %q", t.text)}
}

// Refs returns the query Ids an expression refers to, in order of first use.
func Refs(n Node) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(Node)
	walk = func(n Node) {
		switch n := n.(type) {
		case *Ref:
			if !seen[n.ID] {
				seen[n.ID] = true
				out = append(out, n.ID)
			}
		case *Call:
			for _, a := range n.Args {
				walk(a)
			}
		case *Unary:
			walk(n.X)
		case *Binary:
			walk(n.X)
			walk(n.Y)
		case *Array:
			for _, e := range n.Elems {
				walk(e)
			}
		}
	}
	walk(n)
	return out
}

// UsesMetrics reports whether the expression calls METRICS().
func UsesMetrics(n Node) bool {
	found := false
	var walk func(Node)
	walk = func(n Node) {
		switch n := n.(type) {
		case *Call:
			if n.Fn == "METRICS" {
				found = true
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *Unary:
			walk(n.X)
		case *Binary:
			walk(n.X)
			walk(n.Y)
		case *Array:
			for _, e := range n.Elems {
				walk(e)
			}
		}
	}
	walk(n)
	return found
}
