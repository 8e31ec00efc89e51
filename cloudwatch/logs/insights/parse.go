package insights

import (
	"regexp"
	"strconv"
	"strings"
)

// MaxQueryLength is the longest query string AWS accepts.
const MaxQueryLength = 10000

// Query is a parsed Logs Insights query. It is immutable and safe for concurrent use.
type Query struct {
	src            string
	cmds           []command
	hasStats       bool
	hasSort        bool
	needsDiscovery bool
}

// String returns the query as written.
func (q *Query) String() string { return q.src }

type command interface{ name() string }

type namedExpr struct {
	name string
	e    expr
}

type fieldsCmd struct{ items []namedExpr }
type displayCmd struct{ names []string }
type filterCmd struct{ e expr }
type statsCmd struct {
	items []namedExpr
	by    []namedExpr
	aggs  []*aggExpr
}
type sortKey struct {
	e    expr
	name string
	desc bool
}
type sortCmd struct{ keys []sortKey }
type limitCmd struct{ n int }
type parseCmd struct {
	src   expr
	re    *regexp.Regexp
	names []string // output field per capture group
}
type dedupCmd struct{ fields []expr }
type unmaskCmd struct{}

func (fieldsCmd) name() string  { return "fields" }
func (displayCmd) name() string { return "display" }
func (filterCmd) name() string  { return "filter" }
func (statsCmd) name() string   { return "stats" }
func (sortCmd) name() string    { return "sort" }
func (limitCmd) name() string   { return "limit" }
func (parseCmd) name() string   { return "parse" }
func (dedupCmd) name() string   { return "dedup" }
func (unmaskCmd) name() string  { return "unmask" }

type parser struct {
	lx      lexer
	tok     token
	stats   *statsCmd // the stats command being parsed (aggregates allowed)
	q       *Query
	lastEnd int // end of the last consumed token
}

// Parse parses a Logs Insights query. Errors are *SyntaxError naming the position.
func Parse(src string) (*Query, error) {
	if len(src) > MaxQueryLength {
		return nil, &SyntaxError{Pos: MaxQueryLength, Line: 1, Col: 1, Msg: "query is longer than 10000 characters"}
	}
	p := &parser{lx: lexer{src: src}, q: &Query{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, p.lx.errAt(0, "the query is empty")
	}
	for {
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		p.q.cmds = append(p.q.cmds, c)
		if p.tok.kind == tEOF {
			break
		}
		if !p.isOp("|") {
			return nil, p.errHere("expected '|' or end of query, found %s", p.tok)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tEOF {
			return nil, p.errHere("expected a command after '|'")
		}
	}
	return p.q, nil
}

func (p *parser) advance() error {
	p.lastEnd = p.tok.end
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errHere(format string, args ...any) *SyntaxError {
	return p.lx.errAt(p.tok.pos, format, args...)
}

func (p *parser) isOp(op string) bool { return p.tok.kind == tOp && p.tok.text == op }

func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tIdent && !p.tok.quoted && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) expectOp(op string) error {
	if !p.isOp(op) {
		return p.errHere("expected '%s', found %s", op, p.tok)
	}
	return p.advance()
}

func (p *parser) command() (command, error) {
	if p.tok.kind != tIdent {
		return nil, p.errHere("expected a command (fields, filter, stats, sort, limit, parse, display, dedup, unmask), found %s", p.tok)
	}
	name := strings.ToLower(p.tok.text)
	at := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch name {
	case "fields":
		items, err := p.namedList(false)
		if err != nil {
			return nil, err
		}
		return fieldsCmd{items}, nil
	case "display":
		var names []string
		for {
			if p.tok.kind != tIdent {
				return nil, p.errHere("expected a field name, found %s", p.tok)
			}
			names = append(names, p.tok.text)
			if err := p.advance(); err != nil {
				return nil, err
			}
			if !p.isOp(",") {
				return displayCmd{names}, nil
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	case "filter":
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return filterCmd{e}, nil
	case "stats":
		return p.statsCommand()
	case "sort":
		if p.isKeyword("by") {
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		var keys []sortKey
		for {
			start := p.tok.pos
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			k := sortKey{e: e, name: exprName(p.lx.src[start:p.prevEnd()])}
			if p.isKeyword("desc") {
				k.desc = true
				if err := p.advance(); err != nil {
					return nil, err
				}
			} else if p.isKeyword("asc") {
				if err := p.advance(); err != nil {
					return nil, err
				}
			}
			keys = append(keys, k)
			if !p.isOp(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		p.q.hasSort = true
		return sortCmd{keys}, nil
	case "limit":
		if p.tok.kind != tNumber {
			return nil, p.errHere("limit needs a number, found %s", p.tok)
		}
		n, err := strconv.Atoi(p.tok.text)
		if err != nil || n < 1 || n > 10000 {
			return nil, p.errHere("limit must be between 1 and 10000")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return limitCmd{n}, nil
	case "parse":
		return p.parseCommand()
	case "dedup":
		var fs []expr
		for {
			if p.tok.kind != tIdent {
				return nil, p.errHere("expected a field name, found %s", p.tok)
			}
			fs = append(fs, newField(p.tok.text))
			if err := p.advance(); err != nil {
				return nil, err
			}
			if !p.isOp(",") {
				return dedupCmd{fs}, nil
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	case "unmask":
		if p.tok.kind == tIdent {
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		return unmaskCmd{}, nil
	}
	return nil, p.lx.errAt(at.pos, "unknown command %q", at.text)
}

// prevEnd is the end of the last consumed token.
func (p *parser) prevEnd() int { return p.lastEnd }

func exprName(s string) string { return strings.Join(strings.Fields(s), " ") }

// namedList parses "expr [as name], ...".
func (p *parser) namedList(stopAtBy bool) ([]namedExpr, error) {
	var out []namedExpr
	for {
		start := p.tok.pos
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		ne := namedExpr{e: e, name: exprName(p.lx.src[start:p.lastEnd])}
		if f, ok := e.(*fieldExpr); ok {
			ne.name = f.name
		}
		if p.isKeyword("as") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tIdent {
				return nil, p.errHere("expected a name after 'as', found %s", p.tok)
			}
			ne.name = p.tok.text
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		out = append(out, ne)
		if !p.isOp(",") {
			return out, nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
}

func (p *parser) statsCommand() (command, error) {
	sc := &statsCmd{}
	p.stats = sc
	items, err := p.namedList(true)
	p.stats = nil
	if err != nil {
		return nil, err
	}
	if len(sc.aggs) == 0 {
		return nil, p.lx.errAt(p.tok.pos, "stats needs at least one aggregate function such as count(*)")
	}
	sc.items = items
	if p.isKeyword("by") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		by, err := p.namedList(false)
		if err != nil {
			return nil, err
		}
		for _, b := range by {
			if containsAgg(b.e) {
				return nil, p.errHere("aggregate functions are not allowed after 'by'")
			}
		}
		sc.by = by
	}
	p.q.hasStats = true
	return *sc, nil
}

func (p *parser) parseCommand() (command, error) {
	start := p.tok.pos
	var src expr = newField("@message")
	// parse [field] (pattern|/regex/) [as a, b]
	if !(p.tok.kind == tString || p.isOp("/")) {
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		src = e
	}
	pc := parseCmd{src: src}
	switch {
	case p.tok.kind == tString:
		glob := p.tok.text
		var b strings.Builder
		n := strings.Count(glob, "*")
		if n == 0 {
			return nil, p.errHere("a parse pattern needs at least one '*'")
		}
		parts := strings.Split(glob, "*")
		for i, part := range parts {
			b.WriteString(regexp.QuoteMeta(part))
			if i < len(parts)-1 {
				if i == len(parts)-2 && parts[len(parts)-1] == "" {
					b.WriteString("(.*)")
				} else {
					b.WriteString("(.*?)")
				}
			}
		}
		re, err := regexp.Compile("(?s)" + b.String())
		if err != nil {
			return nil, p.errHere("invalid parse pattern: %v", err)
		}
		pc.re = re
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isKeyword("as") {
			return nil, p.errHere("a glob parse pattern needs 'as' and %d field names", n)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		for {
			if p.tok.kind != tIdent {
				return nil, p.errHere("expected a field name, found %s", p.tok)
			}
			pc.names = append(pc.names, p.tok.text)
			if err := p.advance(); err != nil {
				return nil, err
			}
			if !p.isOp(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if len(pc.names) != n {
			return nil, p.lx.errAt(start, "the parse pattern has %d '*' but %d field names follow 'as'", n, len(pc.names))
		}
	case p.isOp("/"):
		t, err := p.lx.regex(p.tok.pos)
		if err != nil {
			return nil, err
		}
		re, err := compileRegex(t.text)
		if err != nil {
			return nil, p.lx.errAt(t.pos, "invalid regular expression: %v", err)
		}
		pc.re = re
		p.tok = t
		if err := p.advance(); err != nil {
			return nil, err
		}
		names := re.SubexpNames()
		for i := 1; i < len(names); i++ {
			pc.names = append(pc.names, names[i])
		}
		named := 0
		for _, n := range pc.names {
			if n != "" {
				named++
			}
		}
		if named == 0 {
			return nil, p.lx.errAt(t.pos, "a parse regular expression needs named groups such as (?<name>...)")
		}
		if p.isKeyword("as") {
			return nil, p.errHere("a regular expression parse names its fields with (?<name>...), not 'as'")
		}
	default:
		return nil, p.errHere("parse needs a \"glob*pattern\" or a /regular expression/, found %s", p.tok)
	}
	return pc, nil
}

func compileRegex(s string) (*regexp.Regexp, error) { return regexp.Compile(s) }

// ---- expressions ----

func (p *parser) expr() (expr, error) { return p.orExpr() }

func (p *parser) orExpr() (expr, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") || p.isOp("||") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = &logicExpr{or: true, l: l, r: r}
	}
	return l, nil
}

func (p *parser) andExpr() (expr, error) {
	l, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") || p.isOp("&&") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		l = &logicExpr{l: l, r: r}
	}
	return l, nil
}

func (p *parser) notExpr() (expr, error) {
	if p.isKeyword("not") || p.isOp("!") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		e, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		return &notOp{e}, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	neg := false
	if p.isKeyword("not") {
		// "x not like y", "x not in [...]"
		neg = true
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isKeyword("like") && !p.isKeyword("in") {
			return nil, p.errHere("expected 'like' or 'in' after 'not', found %s", p.tok)
		}
	}
	switch {
	case p.isKeyword("like") || p.isOp("=~"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		le := &likeExpr{e: l, neg: neg}
		switch {
		case p.tok.kind == tString:
			le.sub = p.tok.text
			if err := p.advance(); err != nil {
				return nil, err
			}
		case p.isOp("/"):
			t, err := p.lx.regex(p.tok.pos)
			if err != nil {
				return nil, err
			}
			re, err := compileRegex(t.text)
			if err != nil {
				return nil, p.lx.errAt(t.pos, "invalid regular expression: %v", err)
			}
			if lit, complete := re.LiteralPrefix(); complete {
				le.sub = lit // a plain literal: substring search is the same and faster
			} else {
				le.re = re
			}
			p.tok = t
			if err := p.advance(); err != nil {
				return nil, err
			}
		default:
			return nil, p.errHere("'like' needs a \"string\" or a /regular expression/, found %s", p.tok)
		}
		return le, nil
	case p.isKeyword("in"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.expectOp("["); err != nil {
			return nil, err
		}
		ie := &inExpr{e: l, neg: neg}
		for !p.isOp("]") {
			v, err := p.additive()
			if err != nil {
				return nil, err
			}
			ie.list = append(ie.list, v)
			if p.isOp(",") {
				if err := p.advance(); err != nil {
					return nil, err
				}
			} else if !p.isOp("]") {
				return nil, p.errHere("expected ',' or ']', found %s", p.tok)
			}
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return ie, nil
	}
	if neg {
		return nil, p.errHere("expected 'like' or 'in'")
	}
	if p.tok.kind == tOp {
		switch p.tok.text {
		case "=", "==", "!=", "<", "<=", ">", ">=":
			op := p.tok.text
			if op == "==" {
				op = "="
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
			r, err := p.additive()
			if err != nil {
				return nil, err
			}
			return &cmpExpr{op: op, l: l, r: r}, nil
		}
	}
	return l, nil
}

func (p *parser) additive() (expr, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &arithExpr{op: op[0], l: l, r: r}
	}
	return l, nil
}

func (p *parser) multiplicative() (expr, error) {
	l, err := p.power()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		op := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		l = &arithExpr{op: op[0], l: l, r: r}
	}
	return l, nil
}

func (p *parser) power() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	if p.isOp("^") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		return &arithExpr{op: '^', l: l, r: r}, nil
	}
	return l, nil
}

func (p *parser) unary() (expr, error) {
	if p.isOp("-") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &arithExpr{op: '-', l: &litExpr{numV(0)}, r: e}, nil
	}
	if p.isOp("+") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.unary()
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	t := p.tok
	switch t.kind {
	case tEOF:
		return nil, p.errHere("unexpected end of query")
	case tString:
		return &litExpr{strV(t.text)}, p.advance()
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errHere("invalid number %q", t.text)
		}
		return &litExpr{numV(f)}, p.advance()
	case tDuration:
		d, err := parseDuration(t.text)
		if err != nil {
			return nil, p.errHere("%v", err)
		}
		return &litExpr{d}, p.advance()
	case tIdent:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.isOp("(") && !t.quoted {
			return p.call(t)
		}
		if !t.quoted {
			switch strings.ToLower(t.text) {
			case "true":
				return &litExpr{boolV(true)}, nil
			case "false":
				return &litExpr{boolV(false)}, nil
			}
		}
		return newField(t.text), nil
	case tOp:
		switch t.text {
		case "(":
			if err := p.advance(); err != nil {
				return nil, err
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return e, nil
		case "/":
			rt, err := p.lx.regex(t.pos)
			if err != nil {
				return nil, err
			}
			re, err := compileRegex(rt.text)
			if err != nil {
				return nil, p.lx.errAt(rt.pos, "invalid regular expression: %v", err)
			}
			p.tok = rt
			if err := p.advance(); err != nil {
				return nil, err
			}
			return &litExpr{Value{k: kRegex, s: rt.text, re: re}}, nil
		}
	}
	return nil, p.errHere("unexpected %s", t)
}

func (p *parser) call(name token) (expr, error) {
	fname := strings.ToLower(name.text)
	if err := p.advance(); err != nil { // (
		return nil, err
	}
	var args []expr
	star := false
	if p.isOp("*") {
		star = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	} else {
		for !p.isOp(")") {
			a, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.isOp(",") {
				if err := p.advance(); err != nil {
					return nil, err
				}
			} else if !p.isOp(")") {
				return nil, p.errHere("expected ',' or ')', found %s", p.tok)
			}
		}
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	if a, ok := aggregates[fname]; ok {
		if p.stats == nil {
			if p.q.hasStats {
				// after stats, count(*) names the stats output column
				return newField(exprName(p.lx.src[name.pos:p.lastEnd])), nil
			}
			return nil, p.lx.errAt(name.pos, "aggregate function %s() is only allowed in stats", name.text)
		}
		for _, x := range args {
			if containsAgg(x) {
				return nil, p.lx.errAt(name.pos, "aggregate functions cannot be nested")
			}
		}
		if (star || len(args) == 0) && fname != "count" {
			return nil, p.lx.errAt(name.pos, "%s() needs a field", name.text)
		}
		if len(args) < a.minArgs && !(fname == "count") || len(args) > a.maxArgs {
			return nil, p.lx.errAt(name.pos, "wrong number of arguments to %s()", name.text)
		}
		ae := &aggExpr{fn: fname, args: args, idx: len(p.stats.aggs)}
		p.stats.aggs = append(p.stats.aggs, ae)
		return ae, nil
	}
	if fname == "bin" {
		if len(args) != 1 {
			return nil, p.lx.errAt(name.pos, "bin() takes one time period, such as bin(5m)")
		}
		l, ok := args[0].(*litExpr)
		if !ok || l.v.k != kDur {
			return nil, p.lx.errAt(name.pos, "bin() needs a time period such as 30s, 5m, 1h or 1d")
		}
		return &binExpr{d: l.v}, nil
	}
	f, ok := functions[fname]
	if !ok {
		return nil, p.lx.errAt(name.pos, "unknown function %s()", name.text)
	}
	if star {
		return nil, p.lx.errAt(name.pos, "%s() does not take *", name.text)
	}
	if len(args) < f.minArgs || (f.maxArgs >= 0 && len(args) > f.maxArgs) {
		return nil, p.lx.errAt(name.pos, "wrong number of arguments to %s()", name.text)
	}
	return &callExpr{name: fname, fn: f.fn, args: args}, nil
}
