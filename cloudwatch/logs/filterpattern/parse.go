package filterpattern

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MaxLength is the longest pattern AWS accepts.
const MaxLength = 1024

// Parse parses a filter pattern. Errors are *SyntaxError.
func Parse(src string) (*Pattern, error) {
	p := &parser{src: src}
	pat, err := p.parse()
	if err != nil {
		return nil, err
	}
	if p.nre > MaxRegexps {
		return nil, p.errAt(0, "a filter pattern can contain at most %d regular expressions", MaxRegexps)
	}
	pat.src = src
	return pat, nil
}

// MustParse is Parse for patterns known to be valid; it panics otherwise.
func MustParse(src string) *Pattern {
	p, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return p
}

type parser struct {
	src string
	pos int
	nre int
	sd  bool // parsing space-delimited conditions (refs are field names)
}

func (p *parser) errAt(pos int, format string, args ...any) *SyntaxError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &SyntaxError{Pattern: p.src, Pos: pos, Msg: msg}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) parse() (*Pattern, error) {
	if len(p.src) > MaxLength {
		return nil, p.errAt(MaxLength, "pattern longer than %d characters", MaxLength)
	}
	p.skipSpace()
	if p.pos == len(p.src) {
		return &Pattern{kind: MatchAll}, nil
	}
	switch p.src[p.pos] {
	case '{':
		return p.parseJSON()
	case '[':
		return p.parseSpaceDelimited()
	}
	return p.parseTerms()
}

// ---- terms ----

func (p *parser) parseTerms() (*Pattern, error) {
	pat := &Pattern{kind: Terms}
	onlyBlank := true
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			break
		}
		start := p.pos
		kind := byte(0)
		if c := p.src[p.pos]; c == '?' || c == '-' {
			kind = c
			p.pos++
			if kind == '-' {
				p.skipSpace() // `- "Exiting"` as written in the 2021 guide
			}
			if p.pos >= len(p.src) {
				return nil, p.errAt(start, "%q must be followed by a term", string(kind))
			}
		}
		t, blank, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		if !blank {
			onlyBlank = false
		}
		if blank && kind == 0 {
			continue // "" and " " match everything
		}
		switch kind {
		case '?':
			pat.or = append(pat.or, t)
		case '-':
			pat.not = append(pat.not, t)
		default:
			pat.and = append(pat.and, t)
		}
	}
	if onlyBlank && len(pat.or) == 0 && len(pat.not) == 0 {
		return &Pattern{kind: MatchAll}, nil
	}
	return pat, nil
}

func (p *parser) parseTerm() (t term, blank bool, err error) {
	start := p.pos
	c := p.src[p.pos]
	switch c {
	case '"':
		s, err := p.quoted()
		if err != nil {
			return t, false, err
		}
		return term{text: s}, strings.TrimSpace(s) == "", nil
	case '%':
		re, err := p.regex()
		if err != nil {
			return t, false, err
		}
		return term{re: re}, false, nil
	}
	for p.pos < len(p.src) && !isSpace(p.src[p.pos]) {
		switch p.src[p.pos] {
		case '"', '{', '}', '[', ']':
			return t, false, p.errAt(p.pos, "invalid character %q in term; quote terms that contain special characters", p.src[p.pos])
		}
		p.pos++
	}
	if p.pos == start {
		return t, false, p.errAt(start, "empty term")
	}
	return term{text: p.src[start:p.pos]}, false, nil
}

// quoted reads a "..." string with \" and \\ escapes; p.pos is at the opening quote.
func (p *parser) quoted() (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 < len(p.src) {
				b.WriteByte(p.src[p.pos+1])
				p.pos += 2
				continue
			}
		case '"':
			p.pos++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.pos++
	}
	return "", p.errAt(start, "unterminated quoted string")
}

// regex reads a %...% regular expression; p.pos is at the opening %.
func (p *parser) regex() (*regexp.Regexp, error) {
	start := p.pos
	j := strings.IndexByte(p.src[p.pos+1:], '%')
	if j < 0 {
		return nil, p.errAt(start, "unterminated regular expression")
	}
	body := p.src[p.pos+1 : p.pos+1+j]
	p.pos += j + 2
	if body == "" {
		return nil, p.errAt(start, "empty regular expression")
	}
	re, err := regexp.Compile(body)
	if err != nil {
		return nil, p.errAt(start, "invalid regular expression: %v", err)
	}
	p.nre++
	return re, nil
}

// ---- JSON ----

func (p *parser) parseJSON() (*Pattern, error) {
	open := p.pos
	p.pos++ // {
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '}' {
		if p.pos >= len(p.src) {
			return nil, p.errAt(open, "missing closing }")
		}
		return nil, p.errAt(p.pos, "unexpected %q", p.src[p.pos])
	}
	p.pos++
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.errAt(p.pos, "unexpected text after }")
	}
	pat := &Pattern{kind: JSON, expr: e}
	pat.needles = jsonNeedles(e)
	return pat, nil
}

// jsonNeedles are key names every match must contain (as "key"), for a quick reject.
func jsonNeedles(n node) []string {
	switch x := n.(type) {
	case andNode:
		return append(jsonNeedles(x.l), jsonNeedles(x.r)...)
	case cmpNode:
		if x.op == opNotExists || x.ref.sel == nil {
			return nil
		}
		for i := len(x.ref.sel.steps) - 1; i >= 0; i-- {
			if st := x.ref.sel.steps[i]; st.index < 0 {
				if strings.ContainsAny(st.key, "\"\\") || !isASCII(st.key) {
					return nil
				}
				return []string{`"` + st.key + `"`}
			}
		}
	}
	return nil
}

func (p *parser) parseOr() (node, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if strings.HasPrefix(p.src[p.pos:], "||") {
			p.pos += 2
			r, err := p.parseAnd()
			if err != nil {
				return nil, err
			}
			l = orNode{l, r}
			continue
		}
		return l, nil
	}
}

func (p *parser) parseAnd() (node, error) {
	l, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if strings.HasPrefix(p.src[p.pos:], "&&") {
			p.pos += 2
			r, err := p.parsePrimary()
			if err != nil {
				return nil, err
			}
			l = andNode{l, r}
			continue
		}
		return l, nil
	}
}

func (p *parser) parsePrimary() (node, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.errAt(p.pos, "unexpected end of pattern")
	}
	if p.src[p.pos] == '(' {
		open := p.pos
		p.pos++
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.errAt(open, "missing closing )")
		}
		p.pos++
		return e, nil
	}
	return p.parseComparison()
}

func (p *parser) parseRef() (ref, error) {
	start := p.pos
	if p.sd {
		for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == start {
			return ref{}, p.errAt(start, "expected a field name")
		}
		return ref{name: p.src[start:p.pos]}, nil
	}
	if p.src[p.pos] != '$' {
		return ref{}, p.errAt(start, "expected a selector starting with $.")
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isSpace(c) || c == '=' || c == '!' || c == '<' || c == '>' || c == ')' || c == '}' || c == '&' || c == '|' {
			break
		}
		p.pos++
	}
	sel, err := parseSelector(p.src[start:p.pos])
	if err != nil {
		return ref{}, p.errAt(start, "%v", err)
	}
	return ref{sel: sel}, nil
}

func isIdent(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *parser) parseComparison() (node, error) {
	r, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	rest := p.src[p.pos:]
	kw := func(words ...string) bool {
		q := p.pos
		for _, w := range words {
			for q < len(p.src) && isSpace(p.src[q]) {
				q++
			}
			if len(p.src)-q < len(w) || !strings.EqualFold(p.src[q:q+len(w)], w) {
				return false
			}
			q += len(w)
			if q < len(p.src) && isIdent(p.src[q]) {
				return false
			}
		}
		p.pos = q
		return true
	}
	switch {
	case kw("IS", "NULL"):
		return cmpNode{ref: r, op: opIsNull}, nil
	case kw("IS", "TRUE"):
		return cmpNode{ref: r, op: opIsTrue}, nil
	case kw("IS", "FALSE"):
		return cmpNode{ref: r, op: opIsFalse}, nil
	case kw("NOT", "EXISTS"):
		return cmpNode{ref: r, op: opNotExists}, nil
	case kw("EXISTS"):
		return cmpNode{ref: r, op: opExists}, nil
	}
	var o op
	switch {
	case strings.HasPrefix(rest, "!="):
		o, p.pos = opNe, p.pos+2
	case strings.HasPrefix(rest, "<="):
		o, p.pos = opLe, p.pos+2
	case strings.HasPrefix(rest, ">="):
		o, p.pos = opGe, p.pos+2
	case strings.HasPrefix(rest, "="):
		o, p.pos = opEq, p.pos+1
		if strings.HasPrefix(p.src[p.pos:], "=") {
			p.pos++ // tolerate ==
		}
	case strings.HasPrefix(rest, "<"):
		o, p.pos = opLt, p.pos+1
	case strings.HasPrefix(rest, ">"):
		o, p.pos = opGt, p.pos+1
	default:
		if p.pos >= len(p.src) {
			return nil, p.errAt(p.pos, "expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS)")
		}
		return nil, p.errAt(p.pos, "expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS), found %q", p.src[p.pos])
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if o != opEq && o != opNe && !v.isNum {
		return nil, p.errAt(p.pos, "operator needs a numeric value, found %q", v.raw)
	}
	return cmpNode{ref: r, op: o, val: v}, nil
}

func (p *parser) parseValue() (value, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return value{}, p.errAt(p.pos, "expected a value")
	}
	switch p.src[p.pos] {
	case '"':
		s, err := p.quoted()
		if err != nil {
			return value{}, err
		}
		return makeValue(s, true), nil
	case '%':
		re, err := p.regex()
		if err != nil {
			return value{}, err
		}
		return value{raw: re.String(), re: re}, nil
	}
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isSpace(c) || c == ')' || c == '}' || c == ',' || c == ']' {
			break
		}
		if (c == '&' || c == '|') && p.pos+1 < len(p.src) && p.src[p.pos+1] == c {
			break
		}
		if c == '"' || c == '(' {
			return value{}, p.errAt(p.pos, "unexpected %q in value", c)
		}
		p.pos++
	}
	if p.pos == start {
		return value{}, p.errAt(start, "expected a value")
	}
	return makeValue(p.src[start:p.pos], false), nil
}

func makeValue(s string, quoted bool) value {
	v := value{raw: s, quoted: quoted}
	if s == "*" {
		v.star = true
		return v
	}
	if strings.Contains(s, "*") {
		v.glob = strings.Split(s, "*")
		return v
	}
	if !quoted {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			v.num, v.isNum = f, true
		}
	}
	return v
}

// ---- space-delimited ----

func (p *parser) parseSpaceDelimited() (*Pattern, error) {
	open := p.pos
	p.pos++ // [
	p.sd = true
	pat := &Pattern{kind: SpaceDelimited}
	var conds []node
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errAt(open, "missing closing ]")
		}
		c := p.src[p.pos]
		switch {
		case c == ',' || c == ']':
			// an empty field: only allowed as a trailing unnamed field after a comma
			if c == ']' && len(pat.fields) == 0 {
				return nil, p.errAt(p.pos, "a space-delimited pattern needs at least one field")
			}
			if c == ',' || (c == ']' && p.src[p.pos-1] == ',') || p.lastWasComma(open) {
				pat.fields = append(pat.fields, sdField{})
			}
		case strings.HasPrefix(p.src[p.pos:], "..."):
			p.pos += 3
			pat.fields = append(pat.fields, sdField{ellipsis: true})
		default:
			start := p.pos
			for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
				p.pos++
			}
			if p.pos == start {
				return nil, p.errAt(p.pos, "unexpected %q in field list", c)
			}
			name := p.src[start:p.pos]
			pat.fields = append(pat.fields, sdField{name: name})
			p.skipSpace()
			if p.pos < len(p.src) && p.src[p.pos] != ',' && p.src[p.pos] != ']' {
				p.pos = start
				e, err := p.parseOr()
				if err != nil {
					return nil, err
				}
				conds = append(conds, e)
			}
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errAt(open, "missing closing ]")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			continue
		case ']':
			p.pos++
		default:
			return nil, p.errAt(p.pos, "expected , or ] but found %q", p.src[p.pos])
		}
		break
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.errAt(p.pos, "unexpected text after ]")
	}
	// remove the placeholder appended for an empty slot right before ']' when it was not after a comma
	for _, c := range conds {
		if pat.cond == nil {
			pat.cond = c
		} else {
			pat.cond = andNode{pat.cond, c}
		}
	}
	seen := map[string]bool{}
	for _, f := range pat.fields {
		if f.name != "" {
			if seen[f.name] {
				return nil, p.errAt(open, "duplicate field name %q", f.name)
			}
			seen[f.name] = true
		}
	}
	return pat, nil
}

// lastWasComma reports whether the previous non-space character is a comma (so "]" closes an
// empty trailing field, as in "[a, b,]").
func (p *parser) lastWasComma(open int) bool {
	q := p.pos - 1
	for q > open && isSpace(p.src[q]) {
		q--
	}
	return q > open && p.src[q] == ','
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
