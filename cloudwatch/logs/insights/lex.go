package insights

import (
	"fmt"
	"strings"
)

// SyntaxError is a query that does not parse. Line and Col are 1-based; Pos is the byte offset.
type SyntaxError struct {
	Pos, Line, Col int
	Msg            string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tDuration
	tRegex
	tOp // operators and punctuation
)

type token struct {
	kind   tokKind
	text   string // identifier name, string value, operator text, number text
	pos    int
	end    int
	quoted bool // identifier written in backticks
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("'%s'", t.text)
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) errAt(pos int, format string, args ...any) *SyntaxError {
	line, col := 1, 1
	for i := 0; i < pos && i < len(l.src); i++ {
		if l.src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &SyntaxError{Pos: pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '@' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '.' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lexer) skip() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xa0:
			l.pos++
		case c == 0xc2 && l.pos+1 < len(l.src) && l.src[l.pos+1] == 0xa0: // no-break space
			l.pos += 2
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		default:
			return
		}
	}
}

func (l *lexer) next() (token, error) {
	l.skip()
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start, end: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case isIdentStart(c):
		l.pos++
		for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
			l.pos++
		}
		// A bare URL such as http://host/ (the guide writes one unquoted) is a string.
		if strings.HasPrefix(l.src[l.pos:], "://") {
			for l.pos < len(l.src) && !strings.ContainsRune(" \t\n\r|)", rune(l.src[l.pos])) {
				l.pos++
			}
			return token{kind: tString, text: l.src[start:l.pos], pos: start, end: l.pos}, nil
		}
		return token{kind: tIdent, text: l.src[start:l.pos], pos: start, end: l.pos}, nil
	case c == '`':
		j := strings.IndexByte(l.src[l.pos+1:], '`')
		if j < 0 {
			return token{}, l.errAt(start, "unterminated `quoted` field name")
		}
		l.pos += j + 2
		return token{kind: tIdent, text: l.src[start+1 : l.pos-1], pos: start, end: l.pos, quoted: true}, nil
	case c == '"' || c == '\'':
		s, err := l.quoted(c)
		if err != nil {
			return token{}, err
		}
		return token{kind: tString, text: s, pos: start, end: l.pos}, nil
	case isDigit(c) || (c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1])):
		for l.pos < len(l.src) && (isDigit(l.src[l.pos]) || l.src[l.pos] == '.') {
			l.pos++
		}
		if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
			q := l.pos + 1
			if q < len(l.src) && (l.src[q] == '+' || l.src[q] == '-') {
				q++
			}
			if q < len(l.src) && isDigit(l.src[q]) {
				for q < len(l.src) && isDigit(l.src[q]) {
					q++
				}
				l.pos = q
			}
		}
		num := l.pos
		for l.pos < len(l.src) && (l.src[l.pos] >= 'a' && l.src[l.pos] <= 'z') {
			l.pos++
		}
		if l.pos > num {
			return token{kind: tDuration, text: l.src[start:l.pos], pos: start, end: l.pos}, nil
		}
		return token{kind: tNumber, text: l.src[start:l.pos], pos: start, end: l.pos}, nil
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "=~", "&&", "||"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += 2
			return token{kind: tOp, text: op, pos: start, end: l.pos}, nil
		}
	}
	if strings.ContainsRune("=<>+-*/%^()[],|!", rune(c)) {
		l.pos++
		return token{kind: tOp, text: string(c), pos: start, end: l.pos}, nil
	}
	return token{}, l.errAt(start, "unexpected character %q", c)
}

func (l *lexer) quoted(q byte) (string, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\\' && l.pos+1 < len(l.src) {
			n := l.src[l.pos+1]
			switch n {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				if n != q && n != '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(n)
			}
			l.pos += 2
			continue
		}
		if c == q {
			l.pos++
			return b.String(), nil
		}
		b.WriteByte(c)
		l.pos++
	}
	return "", l.errAt(start, "unterminated string")
}

// regex reads /.../ starting at pos (which holds '/').
func (l *lexer) regex(pos int) (token, error) {
	l.pos = pos + 1
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\\' && l.pos+1 < len(l.src) {
			if l.src[l.pos+1] == '/' {
				b.WriteByte('/')
			} else {
				b.WriteByte(c)
				b.WriteByte(l.src[l.pos+1])
			}
			l.pos += 2
			continue
		}
		if c == '/' {
			l.pos++
			return token{kind: tRegex, text: b.String(), pos: pos, end: l.pos}, nil
		}
		b.WriteByte(c)
		l.pos++
	}
	return token{}, l.errAt(pos, "unterminated regular expression")
}
