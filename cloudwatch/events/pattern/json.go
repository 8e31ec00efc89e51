package pattern

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// A small strict JSON reader. Patterns need things encoding/json hides (key order, duplicate
// keys, the literal text of numbers) and events need a fast flattening walk, so both are built
// on this scanner.

type nodeKind uint8

const (
	kObject nodeKind = iota + 1
	kArray
	kString
	kNumber
	kTrue
	kFalse
	kNull
)

type member struct {
	key  string
	val  *node
	kpos int
}

type node struct {
	kind   nodeKind
	str    string // string value, or the literal text of a number
	fields []member
	elems  []*node
	pos    int // offset of the node's first byte
	end    int // offset after the node's last byte
}

type syntaxError struct {
	msg string
	pos int
}

func (e *syntaxError) Error() string { return e.msg }

type scanner struct {
	data  []byte
	s     string // data as a string (shares nothing when built from a string)
	i     int
	depth int
}

const maxDepth = 200

func (sc *scanner) ws() { sc.i = skipWS(sc.s, sc.i) }

// skipWS returns the index of the first non-whitespace byte of s at or after i.
func skipWS(s string, i int) int {
	for i < len(s) && s[i] <= ' ' && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func (sc *scanner) fail(msg string) *syntaxError { return &syntaxError{msg: msg, pos: sc.i} }

func (sc *scanner) unexpected() *syntaxError { return unexpectedAt(sc.s, sc.i) }

func unexpectedAt(s string, i int) *syntaxError {
	if i >= len(s) {
		return &syntaxError{msg: "Unexpected end-of-input", pos: i}
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return &syntaxError{msg: "Unexpected character ('" + string(r) + "' (code " + strconv.Itoa(int(r)) + "))", pos: i}
}

// parseValue reads one JSON value into a node tree.
func (sc *scanner) parseValue() (*node, error) {
	sc.ws()
	if sc.i >= len(sc.s) {
		return nil, sc.fail("Unexpected end-of-input")
	}
	start := sc.i
	switch c := sc.s[sc.i]; {
	case c == '{':
		sc.depth++
		if sc.depth > maxDepth {
			return nil, sc.fail("Maximum nesting depth exceeded")
		}
		sc.i++
		n := &node{kind: kObject, pos: start}
		sc.ws()
		if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
			sc.i++
			n.end = sc.i
			sc.depth--
			return n, nil
		}
		for {
			sc.ws()
			if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
				if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
					return nil, sc.fail("Unexpected character ('}' (code 125)): was expecting double-quote to start field name")
				}
				return nil, sc.unexpected()
			}
			kpos := sc.i
			k, err := sc.parseString()
			if err != nil {
				return nil, err
			}
			sc.ws()
			if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
				return nil, sc.fail("Unexpected character: was expecting a colon to separate field name and value")
			}
			sc.i++
			v, err := sc.parseValue()
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, member{key: k, val: v, kpos: kpos})
			sc.ws()
			if sc.i >= len(sc.s) {
				return nil, sc.fail("Unexpected end-of-input: expected close marker for Object")
			}
			if sc.s[sc.i] == ',' {
				sc.i++
				continue
			}
			if sc.s[sc.i] == '}' {
				sc.i++
				n.end = sc.i
				sc.depth--
				return n, nil
			}
			return nil, sc.fail("Unexpected character: was expecting comma to separate Object entries")
		}
	case c == '[':
		sc.depth++
		if sc.depth > maxDepth {
			return nil, sc.fail("Maximum nesting depth exceeded")
		}
		sc.i++
		n := &node{kind: kArray, pos: start}
		sc.ws()
		if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
			sc.i++
			n.end = sc.i
			sc.depth--
			return n, nil
		}
		for {
			v, err := sc.parseValue()
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, v)
			sc.ws()
			if sc.i >= len(sc.s) {
				return nil, sc.fail("Unexpected end-of-input: expected close marker for Array")
			}
			if sc.s[sc.i] == ',' {
				sc.i++
				continue
			}
			if sc.s[sc.i] == ']' {
				sc.i++
				n.end = sc.i
				sc.depth--
				return n, nil
			}
			return nil, sc.fail("Unexpected character: was expecting comma to separate Array entries")
		}
	case c == '"':
		s, err := sc.parseString()
		if err != nil {
			return nil, err
		}
		return &node{kind: kString, str: s, pos: start, end: sc.i}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		t, err := sc.parseNumber()
		if err != nil {
			return nil, err
		}
		return &node{kind: kNumber, str: t, pos: start, end: sc.i}, nil
	default:
		for _, lit := range [...]struct {
			s string
			k nodeKind
		}{{"true", kTrue}, {"false", kFalse}, {"null", kNull}} {
			if len(sc.s)-sc.i >= len(lit.s) && sc.s[sc.i:sc.i+len(lit.s)] == lit.s {
				sc.i += len(lit.s)
				if sc.i < len(sc.s) && isIdent(sc.s[sc.i]) {
					sc.i -= len(lit.s)
					return nil, sc.unrecognizedToken()
				}
				return &node{kind: lit.k, str: lit.s, pos: start, end: sc.i}, nil
			}
		}
		if isIdent(c) {
			return nil, sc.unrecognizedToken()
		}
		return nil, sc.unexpected()
	}
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (sc *scanner) unrecognizedToken() *syntaxError { return unrecognizedAt(sc.s, sc.i) }

func unrecognizedAt(s string, i int) *syntaxError {
	j := i
	for j < len(s) && isIdent(s[j]) {
		j++
	}
	return &syntaxError{msg: "Unrecognized token '" + s[i:j] + "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", pos: i}
}

// parseNumber reads a JSON number and returns its literal text.
func (sc *scanner) parseNumber() (string, error) {
	t, i, err := scanNumber(sc.s, sc.i)
	sc.i = i
	if err != nil {
		return "", err
	}
	return t, nil
}

// scanNumber reads the JSON number at s[i:] and returns its literal text and the index after
// it (or, on error, where the error is).
func scanNumber(s string, i int) (string, int, *syntaxError) {
	start := i
	fail := func(msg string) (string, int, *syntaxError) { return "", i, &syntaxError{msg: msg, pos: i} }
	if s[i] == '-' {
		i++
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return fail("Unexpected character: expected digit after minus sign")
	}
	if s[i] == '0' {
		i++
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			return fail("Invalid numeric value: Leading zeroes not allowed")
		}
	} else {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return fail("Unexpected character: Decimal point not followed by a digit")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return fail("Unexpected character: Exponent indicator not followed by a digit")
		}
	}
	if i < len(s) && isIdent(s[i]) {
		return fail("Unexpected character: expected space separating root-level values")
	}
	return s[start:i], i, nil
}

// strSpecial marks the bytes that end a plain run inside a string.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

func hasZeroByte(x uint64) uint64 { return (x - lows) & ^x & highs }

// hasLessByte is non-zero when some byte of x is < n (n <= 128).
func hasLessByte(x uint64, n uint64) uint64 { return (x - lows*n) & ^x & highs }

// parseString reads a JSON string (sc.s[sc.i] == '"'). Strings without escapes are returned as
// substrings of the input, without copying.
func (sc *scanner) parseString() (string, error) {
	v, i, err := scanString(sc.s, sc.i)
	sc.i = i
	if err != nil {
		return "", err
	}
	return v, nil
}

// scanString reads the JSON string at s[i:] (s[i] == '"') and returns its value and the index
// after its closing quote (or, on error, where the error is).
func scanString(s string, i int) (string, int, *syntaxError) {
	i++
	start := i
	// eight bytes at a time while none is a quote, a backslash or a control character
	for i+8 <= len(s) {
		x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		// The lowest set bit of each mask marks exactly the first such byte.
		if m := hasZeroByte(x^0x2222222222222222) | hasZeroByte(x^0x5c5c5c5c5c5c5c5c) | hasLessByte(x, 0x20); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if s[i] == '"' {
				return s[start:i], i + 1, nil
			}
			break
		}
		i += 8
	}
	for i < len(s) {
		c := s[i]
		if !strSpecial[c] {
			i++
			continue
		}
		if c == '"' {
			return s[start:i], i + 1, nil
		}
		if c == '\\' {
			return scanEscaped(s, start, i)
		}
		return "", i, &syntaxError{msg: "Illegal unquoted character: has to be escaped using backslash to be included in string value", pos: i}
	}
	return "", i, &syntaxError{msg: "Unexpected end-of-input: was expecting closing quote for a string value", pos: i}
}

// scanEscaped finishes a string that starts at s[start:] and has an escape at s[i].
func scanEscaped(s string, start, i int) (string, int, *syntaxError) {
	fail := func(msg string) (string, int, *syntaxError) { return "", i, &syntaxError{msg: msg, pos: i} }
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			return string(buf), i + 1, nil
		case c < 0x20:
			return fail("Illegal unquoted character: has to be escaped using backslash to be included in string value")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		e := s[i]
		i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ni, ok := hex4(s, i)
			if !ok {
				return fail("Unexpected character: expected a hex-digit for character escape sequence")
			}
			i = ni
			if utf16.IsSurrogate(r) {
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2, ni, ok := hex4(s, i+2); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							buf = utf8.AppendRune(buf, d)
							i = ni
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return fail("Unrecognized character escape '" + string(e) + "'")
		}
	}
	return fail("Unexpected end-of-input: was expecting closing quote for a string value")
}

func hex4(s string, i int) (rune, int, bool) {
	if len(s)-i < 4 {
		return 0, i, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := s[i+k]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, i, false
		}
	}
	return r, i + 4, true
}

// parseDocument parses s as exactly one JSON value.
func parseDocument(s string) (*node, error) {
	sc := &scanner{s: s}
	n, err := sc.parseValue()
	if err != nil {
		return nil, err
	}
	sc.ws()
	if sc.i != len(sc.s) {
		return nil, sc.fail("Unexpected character: expected end of input")
	}
	return n, nil
}

// lineCol converts a byte offset to a 1-based line and column, for error messages.
func lineCol(s string, pos int) (line, col int) {
	line, col = 1, 1
	if pos > len(s) {
		pos = len(s)
	}
	for i := 0; i < pos; i++ {
		if s[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
