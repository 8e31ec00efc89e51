package pattern

import (
	"sort"
	"strconv"
	"strings"
)

// Error is an invalid event pattern. Its message is EventBridge's
// ("Event pattern is not valid. Reason: ...").
type Error struct {
	Reason string // what event-ruler / EventBridge says is wrong
	Line   int    // 1-based position of the problem in the pattern, 0 when not positional
	Column int
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return "Event pattern is not valid. Reason: " + e.Reason
	}
	return "Event pattern is not valid. Reason: " + e.Reason + "\n at [Source: (String); line: " +
		strconv.Itoa(e.Line) + ", column: " + strconv.Itoa(e.Column) + "]"
}

// ReasonTooComplex is the reason given for patterns whose wildcards make matching too costly.
const ReasonTooComplex = "Rule is too complex - try using fewer wildcard characters"

// MaxComplexity is the largest wildcard complexity a pattern may have (see doc.go).
const MaxComplexity = 100

// maxBranches bounds the $or expansion of one pattern.
const maxBranches = 4096

// Pattern is a compiled event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	src      string
	branches []*branch
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.src }

type branch struct {
	conds []cond // sorted by path
}

type cond struct {
	key      string // identifies equal conditions across patterns (path and values text)
	hash     uint64
	path     string
	ms       []matcher
	absentOK bool // {"exists": false} is among the values
}

type fieldSpec struct {
	ms       []matcher
	absentOK bool
	src      string // the values' source text: equal text, equal condition
}

type ruleMap map[string]*fieldSpec

type compiler struct {
	src string
}

type compileError struct {
	reason string
	pos    int
}

func (c *compiler) barf(n *node, reason string) {
	pos := 0
	if n != nil {
		pos = n.end
	}
	panic(&compileError{reason: reason, pos: pos})
}

// Compile parses and validates an event pattern. The error, if any, is an *Error.
func Compile(src string) (p *Pattern, err error) {
	root, perr := parseDocument(src)
	if perr != nil {
		se := perr.(*syntaxError)
		l, c := lineCol(src, se.pos)
		return nil, &Error{Reason: se.msg, Line: l, Column: c}
	}
	c := &compiler{src: src}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*compileError)
			if !ok {
				panic(r)
			}
			l, col := lineCol(src, ce.pos)
			if ce.pos < 0 {
				l, col = 0, 0
			}
			p, err = nil, &Error{Reason: ce.reason, Line: l, Column: col}
		}
	}()
	if root.kind != kObject {
		c.barf(root, "Filter is not an object")
	}
	var rules []ruleMap
	c.parseObject(&rules, nil, root, false)
	if len(rules) > maxBranches {
		panic(&compileError{reason: ReasonTooComplex, pos: -1})
	}
	p = &Pattern{src: src}
	for _, r := range rules {
		b := &branch{}
		for path, fs := range r {
			b.conds = append(b.conds, cond{hash: pathHash(path), path: path, ms: fs.ms, absentOK: fs.absentOK, key: path + "\x00" + fs.src})
		}
		sort.Slice(b.conds, func(i, j int) bool { return b.conds[i].path < b.conds[j].path })
		p.branches = append(p.branches, b)
	}
	if wildcardComplexity(p) > MaxComplexity {
		return nil, &Error{Reason: ReasonTooComplex}
	}
	return p, nil
}

// MustCompile is Compile that panics on error, for patterns in code and tests.
func MustCompile(src string) *Pattern {
	p, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return p
}

func joinPath(path []string, name string) string {
	if len(path) == 0 {
		return name
	}
	return strings.Join(path, ".") + "." + name
}

var reservedInOr = map[string]bool{
	"anything-but": true, "prefix": true, "suffix": true, "numeric": true, "exists": true,
	"cidr": true, "equals-ignore-case": true, "wildcard": true, "exact": true,
}

// isOrRelationship reports whether a "$or" member introduces alternatives: an array of at
// least two objects none of which is a match expression. Otherwise "$or" is an ordinary field.
func isOrRelationship(n *node) bool {
	if n.kind != kArray || len(n.elems) < 2 {
		return false
	}
	for _, e := range n.elems {
		if e.kind != kObject {
			return false
		}
		for _, f := range e.fields {
			if reservedInOr[f.key] {
				return false
			}
		}
	}
	return true
}

func (c *compiler) parseObject(rules *[]ruleMap, path []string, obj *node, insideOr bool) {
	if len(obj.fields) == 0 {
		c.barf(obj, "Empty objects are not allowed")
	}
	for _, f := range obj.fields {
		if f.key == "$or" && isOrRelationship(f.val) {
			c.parseOr(rules, path, f.val)
			continue
		}
		if insideOr && reservedInOr[f.key] {
			c.barf(f.val, f.key+" is Ruler reserved fieldName which cannot be used inside $or.")
		}
		switch f.val.kind {
		case kObject:
			c.parseObject(rules, append(path[:len(path):len(path)], f.key), f.val, insideOr)
		case kArray:
			c.writeRules(rules, joinPath(path, f.key), f.val)
		default:
			c.barf(f.val, "\""+f.key+"\" must be an object or an array")
		}
	}
}

func (c *compiler) parseOr(rules *[]ruleMap, path []string, arr *node) {
	current := copyRules(*rules)
	var out []ruleMap
	for _, el := range arr.elems {
		nr := copyRules(current)
		if len(nr) == 0 {
			nr = append(nr, ruleMap{})
		}
		c.parseObject(&nr, path, el, true)
		out = append(out, nr...)
		if len(out) > maxBranches {
			panic(&compileError{reason: ReasonTooComplex, pos: -1})
		}
	}
	*rules = out
}

func copyRules(rs []ruleMap) []ruleMap {
	out := make([]ruleMap, len(rs))
	for i, r := range rs {
		m := make(ruleMap, len(r))
		for k, v := range r {
			m[k] = v
		}
		out[i] = m
	}
	return out
}

func (c *compiler) writeRules(rules *[]ruleMap, name string, arr *node) {
	fs := &fieldSpec{src: c.src[arr.pos:arr.end]}
	for _, v := range arr.elems {
		switch v.kind {
		case kObject:
			m, absent := c.matchExpression(v)
			if absent {
				fs.absentOK = true
			} else {
				fs.ms = append(fs.ms, m)
			}
		case kString:
			if a, ok := parseIP(v.str); ok {
				fs.ms = append(fs.ms, matcher{op: opCIDR, ip: singleIP(a), s: v.str})
			} else {
				fs.ms = append(fs.ms, matcher{op: opExact, s: v.str})
			}
		case kNumber:
			m := matcher{op: opExactNumber, s: v.str}
			if micro, err := toMicro(v.str); err == nil {
				m.lo, m.numOK = micro, true
			}
			fs.ms = append(fs.ms, m)
		case kTrue, kFalse, kNull:
			k := map[nodeKind]Kind{kTrue: True, kFalse: False, kNull: Null}[v.kind]
			fs.ms = append(fs.ms, matcher{op: opLiteral, kind: k})
		default:
			c.barf(v, "Match value must be String, number, true, false, or null")
		}
	}
	if len(arr.elems) == 0 {
		c.barf(arr, "Empty arrays are not allowed")
	}
	if len(*rules) == 0 {
		*rules = append(*rules, ruleMap{})
	}
	for _, r := range *rules {
		r[name] = fs
	}
}

func (c *compiler) oneKey(n *node) {
	if len(n.fields) > 1 {
		c.barf(n.fields[1].val, "Only one key allowed in match expression")
	}
}

func (c *compiler) tooMany(n *node, max int) {
	if len(n.fields) > max {
		c.barf(n.fields[max].val, "Too many elements in numeric expression")
	}
}

// matchExpression compiles {"prefix": ...} and friends. absent is true for {"exists": false}.
func (c *compiler) matchExpression(n *node) (m matcher, absent bool) {
	if len(n.fields) == 0 {
		c.barf(n, "Match expression name not found")
	}
	name, v := n.fields[0].key, n.fields[0].val
	switch name {
	case "exact":
		if v.kind != kString {
			c.barf(v, "exact match pattern must be a string")
		}
		c.oneKey(n)
		return matcher{op: opExact, s: v.str}, false
	case "prefix", "suffix":
		if v.kind == kObject {
			title := "Prefix"
			if name == "suffix" {
				title = "Suffix"
			}
			if len(v.fields) == 0 {
				c.barf(v, title+" expression name not found")
			}
			if v.fields[0].key != "equals-ignore-case" {
				c.barf(v.fields[0].val, "Unsupported "+name+" pattern: "+v.fields[0].key)
			}
			s := v.fields[0].val
			if s.kind != kString {
				c.barf(s, "equals-ignore-case match pattern must be a string")
			}
			c.oneKey(v)
			c.oneKey(n)
			op := opPrefixEIC
			if name == "suffix" {
				op = opSuffixEIC
			}
			return matcher{op: op, s: foldCase(s.str)}, false
		}
		if v.kind != kString {
			c.barf(v, name+" match pattern must be a string")
		}
		c.oneKey(n)
		if name == "prefix" {
			return matcher{op: opPrefix, s: v.str}, false
		}
		return matcher{op: opSuffix, s: v.str}, false
	case "numeric":
		if v.kind != kArray {
			c.barf(v, "Value of numeric must be an array.")
		}
		m = c.numeric(v)
		c.tooMany(n, 1)
		return m, false
	case "anything-but":
		m = c.anythingBut(n, v)
		return m, false
	case "exists":
		switch v.kind {
		case kTrue:
			c.oneKey(n)
			return matcher{op: opExists}, false
		case kFalse:
			c.oneKey(n)
			return matcher{}, true
		}
		c.barf(v, "exists match pattern must be either true or false.")
	case "cidr":
		if v.kind != kString {
			c.barf(v, "prefix match pattern must be a string")
		}
		r, err := parseCIDR(v.str)
		if err != nil {
			c.barf(v, err.Error())
		}
		c.oneKey(n)
		return matcher{op: opCIDR, ip: r, s: v.str}, false
	case "equals-ignore-case":
		if v.kind != kString {
			c.barf(v, "equals-ignore-case match pattern must be a string")
		}
		c.oneKey(n)
		return matcher{op: opEIC, s: foldCase(v.str)}, false
	case "wildcard":
		if v.kind != kString {
			c.barf(v, "wildcard match pattern must be a string")
		}
		w, err := parseWildcard(v.str)
		if err != nil {
			c.barf(v, err.Error())
		}
		c.oneKey(n)
		return matcher{op: opWildcard, wc: []*wildcard{w}, s: v.str}, false
	}
	c.barf(n.fields[0].val, "Unrecognized match type "+name)
	return matcher{}, false
}

func tokenText(n *node) string {
	switch n.kind {
	case kObject:
		return "{"
	case kArray:
		return "["
	}
	return n.str
}

func (c *compiler) micro(n *node, lit string) int64 {
	v, err := toMicro(lit)
	if err != nil {
		c.barf(n, err.Error())
	}
	return v
}

func (c *compiler) numeric(arr *node) matcher {
	el := arr.elems
	at := func(i int) *node {
		if i < len(el) {
			return el[i]
		}
		return &node{kind: 0, str: "]", pos: arr.end - 1, end: arr.end}
	}
	isNum := func(n *node) bool { return n.kind == kNumber }
	first := at(0)
	if first.kind != kString {
		c.barf(first, "Invalid member in numeric match: "+tokenText(first))
	}
	op := first.str
	val := at(1)
	m := matcher{op: opRange, loInf: true, hiInf: true}
	switch op {
	case "=":
		if !isNum(val) {
			c.barf(val, "Value of equals must be numeric")
		}
		x := c.micro(val, val.str)
		if len(el) > 2 {
			c.barf(el[2], "Too many elements in numeric expression")
		}
		m.lo, m.hi, m.loInf, m.hiInf = x, x, false, false
		return m
	case ">=", ">":
		if !isNum(val) {
			c.barf(val, "Value of "+op+" must be numeric")
		}
		m.lo, m.loInf, m.loOpen = c.micro(val, val.str), false, op == ">"
		if len(el) == 2 {
			return m
		}
		t := el[2]
		if t.kind != kString {
			c.barf(t, "Bad value in numeric range: "+tokenText(t))
		}
		switch t.str {
		case "<":
			m.hiOpen = true
		case "<=":
		default:
			c.barf(t, "Bad numeric range operator: "+t.str)
		}
		top := at(3)
		if !isNum(top) {
			c.barf(top, "Value of "+t.str+" must be numeric")
		}
		m.hi, m.hiInf = c.micro(top, top.str), false
		if len(el) > 4 {
			c.barf(el[4], "Too many terms in numeric range expression")
		}
		if m.lo >= m.hi {
			c.barf(top, "Bottom must be less than top")
		}
		return m
	case "<=", "<":
		if !isNum(val) {
			c.barf(val, "Value of "+op+" must be numeric")
		}
		m.hi, m.hiInf, m.hiOpen = c.micro(val, val.str), false, op == "<"
		if len(el) > 2 {
			c.barf(el[2], "Too many elements in numeric expression")
		}
		return m
	}
	c.barf(first, "Unrecognized numeric range operator: "+op)
	return m
}

func (c *compiler) anythingBut(outer, v *node) matcher {
	setOp := ""
	inner := v
	if v.kind == kObject {
		if len(v.fields) == 0 {
			c.barf(v, "Anything-But expression name not found")
		}
		setOp = v.fields[0].key
		switch setOp {
		case "equals-ignore-case", "prefix", "suffix", "wildcard":
		default:
			c.barf(v.fields[0].val, "Unsupported anything-but pattern: "+setOp)
		}
		v = v.fields[0].val
	}
	if v.kind != kArray && v.kind != kString && v.kind != kNumber {
		c.barf(v, "Value of anything-but must be an array or single string/number value.")
	}
	var m matcher
	if setOp == "" {
		m = matcher{op: opNotExact}
		var vals []*node
		if v.kind == kArray {
			vals = v.elems
			hasNum, hasStr := false, false
			for _, e := range vals {
				switch e.kind {
				case kString:
					hasStr = true
				case kNumber:
					hasNum = true
				default:
					c.barf(e, "Inside anything but list, start|null|boolean is not supported.")
				}
			}
			if hasNum == hasStr {
				c.barf(v, "Inside anything but list, either all values are number or string, mixed type is not supported")
			}
		} else {
			vals = []*node{v}
		}
		for _, e := range vals {
			if e.kind == kNumber {
				m.op = opNotNumber
				m.nums = append(m.nums, c.micro(e, e.str))
			} else {
				m.strs = append(m.strs, e.str)
			}
		}
	} else {
		var vals []*node
		if v.kind == kArray {
			vals = v.elems
		} else {
			vals = []*node{v}
		}
		for _, e := range vals {
			if e.kind != kString {
				switch setOp {
				case "equals-ignore-case":
					c.barf(e, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
				case "wildcard":
					c.barf(e, "wildcard match pattern must be a string")
				default:
					c.barf(e, "prefix/suffix match pattern must be a string")
				}
			}
			if (setOp == "prefix" || setOp == "suffix") && e.str == "" {
				c.barf(e, "Null prefix/suffix not allowed")
			}
		}
		switch setOp {
		case "equals-ignore-case":
			m.op = opNotEIC
			for _, e := range vals {
				m.strs = append(m.strs, foldCase(e.str))
			}
		case "prefix":
			m.op = opNotPrefix
			for _, e := range vals {
				m.strs = append(m.strs, e.str)
			}
		case "suffix":
			m.op = opNotSuffix
			for _, e := range vals {
				m.strs = append(m.strs, e.str)
			}
		case "wildcard":
			m.op = opNotWildcard
			for _, e := range vals {
				w, err := parseWildcard(e.str)
				if err != nil {
					c.barf(e, err.Error())
				}
				m.wc = append(m.wc, w)
			}
		}
		if len(inner.fields) > 1 {
			c.barf(inner.fields[1].val, "Too many elements in numeric expression")
		}
	}
	if len(outer.fields) > 1 {
		c.barf(outer.fields[1].val, "Too many elements in numeric expression")
	}
	if len(m.strs) > 1 {
		m.set = make(map[string]struct{}, len(m.strs))
		for _, s := range m.strs {
			m.set[s] = struct{}{}
		}
	}
	return m
}
