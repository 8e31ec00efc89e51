package pattern

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

type opcode uint8

const (
	opExact       opcode = iota + 1 // string equal to s
	opExactNumber                   // number whose literal is s, or numerically equal (numOK)
	opLiteral                       // true / false / null
	opPrefix
	opSuffix
	opEIC // equals-ignore-case (s folded)
	opPrefixEIC
	opSuffixEIC
	opWildcard
	opRange // numeric range
	opCIDR  // string that is an IP address in ip
	opExists
	opNotExact    // anything-but strings
	opNotNumber   // anything-but numbers
	opNotEIC      // anything-but equals-ignore-case
	opNotPrefix   // anything-but prefix
	opNotSuffix   // anything-but suffix
	opNotWildcard // anything-but wildcard
)

type matcher struct {
	op     opcode
	kind   Kind
	s      string
	strs   []string
	set    map[string]struct{}
	nums   []int64
	numOK  bool
	lo, hi int64
	loInf  bool
	hiInf  bool
	loOpen bool
	hiOpen bool
	ip     *ipRange
	wc     []*wildcard
}

func (m *matcher) match(v *value) bool {
	switch m.op {
	case opExact:
		return v.kind == String && v.s == m.s
	case opExactNumber:
		if v.kind != Number {
			return false
		}
		return v.s == m.s || (m.numOK && v.numOK && v.micro == m.lo)
	case opLiteral:
		return v.kind == m.kind
	case opPrefix:
		return v.kind == String && strings.HasPrefix(v.s, m.s)
	case opSuffix:
		return v.kind == String && strings.HasSuffix(v.s, m.s)
	case opEIC:
		return v.kind == String && foldCase(v.s) == m.s
	case opPrefixEIC:
		return v.kind == String && strings.HasPrefix(foldCase(v.s), m.s)
	case opSuffixEIC:
		return v.kind == String && strings.HasSuffix(foldCase(v.s), m.s)
	case opWildcard:
		return v.kind == String && m.wc[0].match(v.s)
	case opRange:
		if v.kind != Number || !v.numOK {
			return false
		}
		x := v.micro
		if !m.loInf && (x < m.lo || (m.loOpen && x == m.lo)) {
			return false
		}
		if !m.hiInf && (x > m.hi || (m.hiOpen && x == m.hi)) {
			return false
		}
		return true
	case opCIDR:
		if v.kind != String {
			return false
		}
		a, ok := v.addr()
		return ok && m.ip.contains(a)
	case opExists:
		return true
	case opNotExact:
		if v.kind != String {
			return true
		}
		if m.set != nil {
			_, hit := m.set[v.s]
			return !hit
		}
		for _, s := range m.strs {
			if v.s == s {
				return false
			}
		}
		return true
	case opNotNumber:
		if v.kind != Number || !v.numOK {
			return true
		}
		for _, n := range m.nums {
			if v.micro == n {
				return false
			}
		}
		return true
	case opNotEIC:
		if v.kind != String {
			return true
		}
		f := foldCase(v.s)
		for _, s := range m.strs {
			if f == s {
				return false
			}
		}
		return true
	case opNotPrefix:
		if v.kind != String {
			return true
		}
		for _, s := range m.strs {
			if strings.HasPrefix(v.s, s) {
				return false
			}
		}
		return true
	case opNotSuffix:
		if v.kind != String {
			return true
		}
		for _, s := range m.strs {
			if strings.HasSuffix(v.s, s) {
				return false
			}
		}
		return true
	case opNotWildcard:
		if v.kind != String {
			return true
		}
		for _, w := range m.wc {
			if w.match(v.s) {
				return false
			}
		}
		return true
	}
	return false
}

// foldCase lower-cases s rune by rune (ASCII fast path), the comparison form for
// equals-ignore-case.
func foldCase(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

// wildcard is a pattern where * matches any run of characters; \* and \\ are literal.
type wildcard struct {
	segs   []string // literal segments between stars
	lead   bool     // pattern starts with *
	trail  bool     // pattern ends with *
	source string
}

func parseWildcard(s string) (*wildcard, error) {
	w := &wildcard{source: s}
	var cur []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return nil, errors.New("Consecutive wildcard characters at pos " + strconv.Itoa(i+1))
			}
			if i == 0 {
				w.lead = true
			}
			if i == len(s)-1 {
				w.trail = true
			}
			w.segs = append(w.segs, string(cur))
			cur = cur[:0]
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				cur = append(cur, s[i+1])
				i++
				continue
			}
			return nil, errors.New("Invalid escape character at pos " + strconv.Itoa(i+1))
		default:
			cur = append(cur, c)
		}
	}
	w.segs = append(w.segs, string(cur))
	return w, nil
}

// match reports whether s matches the whole pattern.
func (w *wildcard) match(s string) bool {
	segs := w.segs
	if len(segs) == 1 {
		return s == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, mid := range segs[1 : len(segs)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return true
}

// Match reports whether the JSON event matches the pattern. The error is for an event that
// is not a JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	e, err := ParseEvent(event)
	if err != nil {
		return false, err
	}
	return p.MatchEvent(e), nil
}

// MatchEvent reports whether a flattened event matches the pattern.
func (p *Pattern) MatchEvent(e *Event) bool {
	for _, b := range p.branches {
		if b.match(e) {
			return true
		}
	}
	return false
}

func (b *branch) match(e *Event) bool {
	if len(e.lazy) > 0 {
		for i := range b.conds {
			e.ensure(b.conds[i].path)
		}
	}
	if !e.nested {
		for i := range b.conds {
			if !b.conds[i].matchAny(e) {
				return false
			}
		}
		return true
	}
	return b.matchStructured(e)
}

// matchAny: some value at the path satisfies a matcher, or the path is absent and absence is
// allowed.
func (c *cond) matchAny(e *Event) bool {
	present := false
	it := e.iter(c.path, c.hash)
	for i := it.next(); i >= 0; i = it.next() {
		f := &e.fields[i]
		present = true
		for k := range c.ms {
			if c.ms[k].match(&f.val) {
				return true
			}
		}
	}
	return !present && c.absentOK
}

// matchPID is matchAny for an event restricted to the index that gave pid (c's path id).
func (e *Event) matchPID(c *cond, pid int32) bool {
	if len(e.lazy) > 0 {
		e.ensure(c.path)
	}
	present := false
	for fi := e.heads[pid]; fi != 0; {
		f := &e.fields[fi-1]
		fi = f.next
		present = true
		for k := range c.ms {
			if c.ms[k].match(&f.val) {
				return true
			}
		}
	}
	return !present && c.absentOK
}

// matchStructured honours array consistency: the values chosen for different fields must come
// from the same element of every array of objects they share, and a field that may be absent
// ({"exists": false}) is absent when no value at its path lies in the chosen elements.
func (b *branch) matchStructured(e *Event) bool {
	type option struct {
		cands   []int32 // matching values in some array element
		present []int32 // every value at the path (for the absence check)
		absent  bool    // absence is allowed
	}
	var opts []option
	for i := range b.conds {
		c := &b.conds[i]
		var o option
		free := false
		e.find(c.path, c.hash, func(j int) bool {
			o.present = append(o.present, int32(j))
			v := &e.fields[j].val
			for k := range c.ms {
				if c.ms[k].match(v) {
					if len(e.fields[j].mem) == 0 {
						free = true
					}
					o.cands = append(o.cands, int32(j))
					break
				}
			}
			return false
		})
		if free {
			continue // a matching value outside any array is compatible with every choice
		}
		o.absent = c.absentOK
		if len(o.cands) == 0 && !o.absent {
			return false
		}
		if len(o.present) == 0 && o.absent {
			continue // absent everywhere
		}
		opts = append(opts, o)
	}
	if len(opts) == 0 {
		return true
	}
	assign := make([]int32, e.arrays)
	for i := range assign {
		assign[i] = -1
	}
	compatible := func(fi int32) bool {
		for _, ap := range e.fields[fi].mem {
			if cur := assign[ap.id]; cur != -1 && cur != ap.idx {
				return false
			}
		}
		return true
	}
	budget := 100000
	var newly []int32 // array ids assigned along the current search path
	var absentOpts []int
	var try func(k int) bool
	try = func(k int) bool {
		if k == len(opts) {
			for _, a := range absentOpts {
				for _, fi := range opts[a].present {
					if compatible(fi) {
						return false
					}
				}
			}
			return true
		}
		o := &opts[k]
		for _, fi := range o.cands {
			budget--
			if budget < 0 {
				return false
			}
			mark := len(newly)
			ok := true
			for _, ap := range e.fields[fi].mem {
				cur := assign[ap.id]
				if cur == -1 {
					assign[ap.id] = ap.idx
					newly = append(newly, ap.id)
					continue
				}
				if cur != ap.idx {
					ok = false
					break
				}
			}
			if ok && try(k+1) {
				return true
			}
			for _, id := range newly[mark:] {
				assign[id] = -1
			}
			newly = newly[:mark]
		}
		if o.absent {
			absentOpts = append(absentOpts, k)
			if try(k + 1) {
				return true
			}
			absentOpts = absentOpts[:len(absentOpts)-1]
		}
		return false
	}
	return try(0)
}
