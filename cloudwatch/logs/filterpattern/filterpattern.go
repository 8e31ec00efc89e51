package filterpattern

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/cloudwatch/logs/internal/jsonscan"
)

// Kind is the form of a pattern.
type Kind int

// The pattern forms.
const (
	MatchAll       Kind = iota // "" or an empty pattern
	Terms                      // terms, phrases, ?term, -term
	JSON                       // { $.a = "x" }
	SpaceDelimited             // [a, b = 1, ...]
)

func (k Kind) String() string {
	switch k {
	case MatchAll:
		return "match-all"
	case Terms:
		return "terms"
	case JSON:
		return "json"
	case SpaceDelimited:
		return "space-delimited"
	}
	return "unknown"
}

// MaxRegexps is how many %regex% terms one pattern may hold (AWS's limit).
const MaxRegexps = 2

// SyntaxError is a pattern that does not parse. Pos is the byte offset of the problem.
type SyntaxError struct {
	Pattern string
	Pos     int
	Msg     string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid filter pattern at position %d: %s", e.Pos, e.Msg)
}

// Pattern is a parsed filter pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	src  string
	kind Kind

	// Terms
	and []term
	or  []term
	not []term
	// JSON
	expr node
	// Space-delimited
	fields []sdField
	cond   node // conditions over the extracted fields, nil when none
	// literal substrings every matching event must contain (fast reject)
	needles []string
}

type term struct {
	text string
	re   *regexp.Regexp
}

func (t term) match(s string) bool {
	if t.re != nil {
		return t.re.MatchString(s)
	}
	return strings.Contains(s, t.text)
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Kind returns the pattern's form.
func (p *Pattern) Kind() Kind { return p.kind }

// Match reports whether the event message matches.
func (p *Pattern) Match(msg string) bool {
	switch p.kind {
	case MatchAll:
		return true
	case Terms:
		for _, t := range p.and {
			if !t.match(msg) {
				return false
			}
		}
		for _, t := range p.not {
			if t.match(msg) {
				return false
			}
		}
		if len(p.or) > 0 {
			for _, t := range p.or {
				if t.match(msg) {
					return true
				}
			}
			return false
		}
		return true
	}
	for _, n := range p.needles {
		if !strings.Contains(msg, n) {
			return false
		}
	}
	if p.kind == JSON {
		// scan only the selected fields instead of decoding the event
		return jsonscan.Valid(msg) && p.expr.eval(env{raw: msg, useRaw: true})
	}
	_, ok := p.Eval(msg)
	return ok
}

// Result is what a match extracted from an event, for metric values and TestMetricFilter.
type Result struct {
	doc    any               // parsed JSON event, when the event is JSON
	fields map[string]string // space-delimited fields: "$name" and "$N"
	order  []string
}

// Eval matches msg and returns what the match extracted.
func (p *Pattern) Eval(msg string) (*Result, bool) {
	switch p.kind {
	case MatchAll, Terms:
		if !p.Match(msg) {
			return nil, false
		}
		return &Result{doc: parseJSON(msg)}, true
	case JSON:
		doc := parseJSON(msg)
		if doc == nil {
			return nil, false
		}
		if !p.expr.eval(env{doc: doc}) {
			return nil, false
		}
		return &Result{doc: doc}, true
	case SpaceDelimited:
		words := splitFields(msg)
		res := &Result{fields: map[string]string{}}
		if !p.matchFields(words, res) {
			return nil, false
		}
		return res, true
	}
	return nil, false
}

// Value returns the value a metric transformation's metricValue names: "$.a.b" (a JSON
// selector) or "$name" / "$3" (a space-delimited field). ok is false when absent.
func (r *Result) Value(ref string) (string, bool) {
	if r == nil {
		return "", false
	}
	if strings.HasPrefix(ref, "$.") || ref == "$" {
		if r.doc == nil {
			return "", false
		}
		sel, err := parseSelector(ref)
		if err != nil {
			return "", false
		}
		v, ok := sel.lookup(r.doc)
		if !ok {
			return "", false
		}
		switch x := v.(type) {
		case map[string]any, []any:
			return "", false
		case nil:
			return "", false
		default:
			return scalarString(x), true
		}
	}
	v, ok := r.fields[ref]
	return v, ok
}

// Extracted returns the extracted values as TestMetricFilter reports them ($name / $N for
// space-delimited patterns; empty for other forms).
func (r *Result) Extracted() map[string]string {
	if r == nil || r.fields == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(r.fields))
	for _, k := range r.order {
		out[k] = r.fields[k]
	}
	return out
}

func parseJSON(msg string) any {
	s := strings.TrimSpace(msg)
	if len(s) == 0 || (s[0] != '{' && s[0] != '[') {
		return nil
	}
	var doc any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return nil
	}
	if d.More() {
		return nil
	}
	return doc
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// ---- expression tree shared by JSON and space-delimited patterns ----

// jval is a value a selector or field found.
type jval struct {
	k jkind
	s string // text of strings and numbers
	b bool
}

type jkind uint8

const (
	jStr jkind = iota
	jNum
	jBool
	jNull
	jCont // an object or an array
)

func (v jval) text() string {
	switch v.k {
	case jBool:
		if v.b {
			return "true"
		}
		return "false"
	case jNull:
		return "null"
	}
	return v.s
}

// env is what an expression reads: raw JSON text (scanned), a decoded JSON document, or the
// fields of a space-delimited event. It is passed by value so evaluation does not allocate.
type env struct {
	raw    string
	useRaw bool
	doc    any
	vals   map[string]string
}

// get returns the value for a selector or field name; found is false when absent.
func (e env) get(r *ref) (jval, bool) {
	switch {
	case r.sel != nil && e.useRaw:
		raw, kind, ok := jsonscan.LookupSteps(e.raw, r.sel.js)
		if !ok {
			return jval{}, false
		}
		switch kind {
		case jsonscan.String:
			return jval{k: jStr, s: jsonscan.Unquote(raw)}, true
		case jsonscan.Number:
			return jval{k: jNum, s: raw}, true
		case jsonscan.True:
			return jval{k: jBool, b: true}, true
		case jsonscan.False:
			return jval{k: jBool}, true
		case jsonscan.Null:
			return jval{k: jNull}, true
		}
		return jval{k: jCont}, true
	case r.sel != nil:
		v, ok := r.sel.lookup(e.doc)
		if !ok {
			return jval{}, false
		}
		switch x := v.(type) {
		case string:
			return jval{k: jStr, s: x}, true
		case json.Number:
			return jval{k: jNum, s: x.String()}, true
		case bool:
			return jval{k: jBool, b: x}, true
		case nil:
			return jval{k: jNull}, true
		}
		return jval{k: jCont}, true
	}
	v, ok := e.vals["$"+r.name]
	if !ok {
		for k, x := range e.vals {
			if strings.EqualFold(k, "$"+r.name) {
				return jval{k: jStr, s: x}, true
			}
		}
		return jval{}, false
	}
	return jval{k: jStr, s: v}, true
}

type node interface{ eval(env) bool }

type andNode struct{ l, r node }
type orNode struct{ l, r node }

func (n andNode) eval(e env) bool { return n.l.eval(e) && n.r.eval(e) }
func (n orNode) eval(e env) bool  { return n.l.eval(e) || n.r.eval(e) }

type op int

const (
	opEq op = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opIsNull
	opIsTrue
	opIsFalse
	opNotExists
	opExists
)

type ref struct {
	name string    // space-delimited field name
	sel  *selector // JSON selector
}

type value struct {
	raw    string
	quoted bool
	num    float64
	isNum  bool
	glob   []string       // wildcard match, when the value has '*': the literal parts
	re     *regexp.Regexp // %regex%
	star   bool           // the value is just '*'
}

type cmpNode struct {
	ref ref
	op  op
	val value
}

func (n cmpNode) eval(e env) bool {
	v, found := e.get(&n.ref)
	switch n.op {
	case opNotExists:
		return !found
	case opExists:
		return found
	}
	if !found {
		return false
	}
	switch n.op {
	case opIsNull:
		return v.k == jNull
	case opIsTrue:
		return v.k == jBool && v.b
	case opIsFalse:
		return v.k == jBool && !v.b
	}
	if v.k == jCont {
		return false // a selector that names an object or array never matches
	}
	if v.k == jNull {
		// null compares as the text "null" for = and !=
		isNull := !n.val.quoted && n.val.raw == "null"
		switch n.op {
		case opEq:
			return isNull
		case opNe:
			return !isNull
		}
		return false
	}
	s := v.text()
	switch n.op {
	case opEq, opNe:
		eq := n.val.equal(v, s)
		if n.op == opEq {
			return eq
		}
		return !eq
	}
	// ordering comparisons are numeric only
	if !n.val.isNum {
		return false
	}
	f, ok := toNumber(v, s)
	if !ok {
		return false
	}
	switch n.op {
	case opLt:
		return f < n.val.num
	case opLe:
		return f <= n.val.num
	case opGt:
		return f > n.val.num
	case opGe:
		return f >= n.val.num
	}
	return false
}

func (val value) equal(v jval, s string) bool {
	if val.star {
		return true
	}
	if val.re != nil {
		return val.re.MatchString(s)
	}
	if val.glob != nil {
		return globMatch(val.glob, s)
	}
	if val.isNum && !val.quoted {
		if f, ok := toNumber(v, s); ok {
			return f == val.num
		}
		return s == val.raw
	}
	return s == val.raw
}

func toNumber(v jval, s string) (float64, bool) {
	if v.k == jBool {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// ---- JSON selectors ----

type selStep struct {
	key   string
	index int // -1 when the step is a key
}

type selector struct {
	steps []selStep
	js    []jsonscan.Step
}

func (s *selector) lookup(doc any) (any, bool) {
	cur := doc
	for _, st := range s.steps {
		if st.index >= 0 {
			a, ok := cur.([]any)
			if !ok || st.index >= len(a) {
				return nil, false
			}
			cur = a[st.index]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[st.key]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// parseSelector parses "$.a.b[0].c" (also "$.['a b']" is not supported by AWS and rejected).
func parseSelector(s string) (*selector, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("selector must start with $")
	}
	sel := &selector{}
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("empty key in selector %q", s)
			}
			sel.steps = append(sel.steps, selStep{key: s[i:j], index: -1})
			i = j
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unterminated [ in selector %q", s)
			}
			n, err := strconv.Atoi(s[i+1 : i+j])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad array index in selector %q", s)
			}
			sel.steps = append(sel.steps, selStep{index: n})
			i += j + 1
		default:
			return nil, fmt.Errorf("unexpected %q in selector %q", s[i], s)
		}
	}
	if len(sel.steps) == 0 {
		return nil, fmt.Errorf("selector %q names no field", s)
	}
	for _, st := range sel.steps {
		sel.js = append(sel.js, jsonscan.Step{Key: st.key, Index: st.index})
	}
	return sel, nil
}

// ---- space-delimited events ----

// splitFields splits an event into space-delimited fields; "..." and [...] group a field and
// lose their delimiters.
func splitFields(msg string) []string {
	var out []string
	i := 0
	for i < len(msg) {
		c := msg[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		switch c {
		case '"':
			j := strings.IndexByte(msg[i+1:], '"')
			if j >= 0 {
				out = append(out, msg[i+1:i+1+j])
				i += j + 2
				continue
			}
		case '[':
			j := strings.IndexByte(msg[i+1:], ']')
			if j >= 0 {
				out = append(out, msg[i+1:i+1+j])
				i += j + 2
				continue
			}
		}
		j := i
		for j < len(msg) && msg[j] != ' ' && msg[j] != '\t' {
			j++
		}
		out = append(out, msg[i:j])
		i = j
	}
	return out
}

type sdField struct {
	name     string // "" for an unnamed field
	ellipsis bool
}

func (p *Pattern) matchFields(words []string, res *Result) bool {
	assign := make([]int, len(p.fields)) // start index of each pattern field in words
	budget := 10000                      // bounds backtracking over several ellipses
	var rec func(fi, wi int) bool
	rec = func(fi, wi int) bool {
		if budget--; budget < 0 {
			return false
		}
		if fi == len(p.fields) {
			if wi != len(words) {
				return false
			}
			return p.checkAssign(words, assign, res)
		}
		f := p.fields[fi]
		if f.ellipsis {
			// try shortest first
			for n := 0; wi+n <= len(words); n++ {
				assign[fi] = wi
				if rec(fi+1, wi+n) {
					return true
				}
			}
			return false
		}
		if wi >= len(words) {
			return false
		}
		assign[fi] = wi
		return rec(fi+1, wi+1)
	}
	return rec(0, 0)
}

func (p *Pattern) checkAssign(words []string, assign []int, res *Result) bool {
	vals := make(map[string]string, len(words))
	var order []string
	named := map[int]string{}
	for fi, f := range p.fields {
		if !f.ellipsis && f.name != "" {
			named[assign[fi]] = f.name
		}
	}
	for i, w := range words {
		k := "$" + strconv.Itoa(i+1)
		if n, ok := named[i]; ok {
			k = "$" + n
		}
		vals[k] = w
		order = append(order, k)
	}
	if p.cond != nil && !p.cond.eval(env{vals: vals}) {
		return false
	}
	res.fields = vals
	res.order = order
	return true
}

// globMatch matches s against literal parts separated by '*' wildcards.
func globMatch(parts []string, s string) bool {
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
