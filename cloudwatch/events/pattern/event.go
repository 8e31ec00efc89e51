package pattern

import (
	"net/netip"
	"time"
	"unsafe"
)

// Kind is the JSON type of a leaf value in an event.
type Kind uint8

// Leaf kinds.
const (
	String Kind = iota + 1
	Number
	True
	False
	Null
)

type arrPos struct{ id, idx int32 }

type value struct {
	kind  Kind
	numOK bool
	s     string // string contents, or the literal text of a number / true / false / null
	micro int64  // for numbers with numOK
}

func (v *value) addr() (netip.Addr, bool) { return parseIP(v.s) }

type field struct {
	hash uint64 // pathHash(path)
	path string
	val  value
	mem  []arrPos // the arrays (and element indexes) this value sits in, outermost first
	next int32    // restricted events: the previous field at the same path (index + 1), or 0
}

// pathHash is FNV-1a; conditions carry their path's hash so most comparisons are one integer.
func pathHash(p string) uint64 { return hashMore(14695981039346656037, p) }

func hashMore(h uint64, p string) uint64 {
	for i := 0; i < len(p); i++ {
		h ^= uint64(p[i])
		h *= 1099511628211
	}
	return h
}

// Event is an event flattened into its leaf values, keyed by dotted path ("detail.state").
// Build one with ParseEvent, or with NewEvent and the Add methods. An Event is not safe for
// concurrent use; it is cheap to build and meant to be matched against many patterns at once.
type Event struct {
	fields  []field
	arena   []byte   // path bytes; never rewritten, only appended to
	mems    []arrPos // membership storage
	arrays  int32
	nested  bool // some value records array-element membership
	sorted  bool
	scratch []int32
	lazy    []lazyJSON
	table   []int32   // open-addressing index of fields by path hash (field index + 1)
	tableN  int       // number of fields the table covers
	trie    *pathTrie // Restrict: the only paths kept (nil: all)
	heads   []int32   // restricted: per path id, the last field at that path (index + 1)
}

// lazyJSON is a JSON value flattened only when a pattern first asks for a path under prefix.
type lazyJSON struct {
	prefix string
	data   string
	done   bool
	err    error
}

// NewEvent returns an empty event.
func NewEvent() *Event { return &Event{} }

// Reset empties the event for reuse, keeping its buffers.
func (e *Event) Reset() {
	e.fields = e.fields[:0]
	e.arena = e.arena[:0]
	e.mems = e.mems[:0]
	e.arrays = 0
	e.nested = false
	e.sorted = false
	e.lazy = e.lazy[:0]
	e.tableN = 0
	clear(e.heads)
}

// AddJSONLazy is AddJSON deferred: data is flattened the first time a pattern looks at a path
// under prefix (so an event no rule asks about is never parsed). data must not change while e
// is in use. A parse error then makes the value contribute no fields; Err reports it.
func (e *Event) AddJSONLazy(prefix string, data []byte) {
	e.lazy = append(e.lazy, lazyJSON{prefix: prefix, data: unsafe.String(unsafe.SliceData(data), len(data))})
}

// Err returns the first error met flattening a lazily added value, if any.
func (e *Event) Err() error {
	for i := range e.lazy {
		if e.lazy[i].err != nil {
			return e.lazy[i].err
		}
	}
	return nil
}

// ensure flattens the lazy values a lookup of path needs.
func (e *Event) ensure(path string) {
	for i := range e.lazy {
		l := &e.lazy[i]
		if l.done {
			continue
		}
		if l.prefix == "" || path == l.prefix || (len(path) > len(l.prefix) && path[len(l.prefix)] == '.' && path[:len(l.prefix)] == l.prefix) {
			l.done = true
			n := len(e.fields)
			if err := e.addJSON(l.prefix, l.data); err != nil {
				l.err = err
				e.fields = e.fields[:n]
				if e.trie != nil {
					e.rechain()
				}
			}
		}
	}
}

// ParseEvent flattens a JSON event (an object).
func ParseEvent(data []byte) (*Event, error) {
	e := &Event{fields: make([]field, 0, 16)}
	if err := e.AddJSON("", data); err != nil {
		return nil, err
	}
	return e, nil
}

// Parse empties e and flattens data into it, reusing e's buffers. Unlike ParseEvent it does
// not copy data: data must not change until e is Reset or parsed again.
func (e *Event) Parse(data []byte) error {
	e.Reset()
	return e.addJSON("", unsafe.String(unsafe.SliceData(data), len(data)))
}

// Path is a field path with its hash computed once, for callers that add the same fields to
// many events.
type Path struct {
	name string
	hash uint64
}

// NewPath returns the Path of a dotted field name.
func NewPath(name string) Path { return Path{name: name, hash: pathHash(name)} }

// Add adds a string leaf at p.
func (e *Event) Add(p Path, s string) {
	if e.trie != nil {
		if n := e.trie.lookup(p.hash, p.name); n != nil && n.leaf {
			e.addLeaf(n, value{kind: String, s: s}, nil)
		}
		return
	}
	e.fields = append(e.fields, field{hash: p.hash, path: p.name, val: value{kind: String, s: s}})
}

// AddTime adds t at p as EventBridge writes event times ("2006-01-02T15:04:05Z", UTC),
// without allocating.
func (e *Event) AddTime(p Path, t time.Time) {
	t = t.UTC()
	var b [20]byte
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	put := func(i, v, n int) {
		for k := n - 1; k >= 0; k-- {
			b[i+k] = byte('0' + v%10)
			v /= 10
		}
	}
	if y < 0 || y > 9999 {
		e.Add(p, t.Format("2006-01-02T15:04:05Z"))
		return
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(mo), 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = 'T'
	put(11, h, 2)
	b[13] = ':'
	put(14, mi, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = 'Z'
	e.Add(p, e.pathString(b[:]))
}

// AddString adds a string leaf at path.
func (e *Event) AddString(path, s string) {
	h := pathHash(path)
	if e.trie != nil {
		if n := e.trie.lookup(h, path); n != nil && n.leaf {
			e.addLeaf(n, value{kind: String, s: s}, nil)
		}
		return
	}
	e.fields = append(e.fields, field{hash: h, path: path, val: value{kind: String, s: s}})
	e.sorted = false
}

// AddStrings adds the strings of an array at path (e.g. "resources"): each is a value of the
// field, as the elements of a JSON array of strings are.
func (e *Event) AddStrings(path string, ss []string) {
	h := pathHash(path)
	if e.trie != nil {
		if n := e.trie.lookup(h, path); n != nil && n.leaf {
			for _, s := range ss {
				e.addLeaf(n, value{kind: String, s: s}, nil)
			}
		}
		return
	}
	for _, s := range ss {
		e.fields = append(e.fields, field{hash: h, path: path, val: value{kind: String, s: s}})
	}
	e.sorted = false
}

// AddJSON flattens a JSON value under prefix ("" for a whole event, "detail" for a detail
// object). Object keys join the prefix with ".".
func (e *Event) AddJSON(prefix string, data []byte) error {
	return e.addJSON(prefix, string(data))
}

func (e *Event) addJSON(prefix, data string) error {
	sc := &scanner{s: data}
	if prefix == "" {
		sc.ws()
		if sc.i >= len(sc.s) || sc.s[sc.i] != '{' {
			if sc.i >= len(sc.s) {
				return sc.fail("Unexpected end-of-input")
			}
			return &syntaxError{msg: "Event must be a JSON object", pos: sc.i}
		}
	}
	var i int
	var err *syntaxError
	if e.trie != nil {
		i, err = e.walk(data, sc.i, e.trie.descend(prefix), nil, 0, nil, 0) // nil: no pattern looks there
	} else {
		var pbuf [128]byte
		path := append(pbuf[:0], prefix...)
		i, err = e.walk(data, sc.i, nil, path, pathHash(prefix), nil, 0)
	}
	if err != nil {
		return err
	}
	if i = skipWS(data, i); i != len(data) {
		return &syntaxError{msg: "Unexpected character: expected end of input", pos: i}
	}
	e.sorted = false
	return nil
}

// pathString stores a path in the event's arena. Paths never leave the package, and the arena
// is only rewritten after Reset, so the strings stay valid for as long as they are used.
func (e *Event) pathString(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	start := len(e.arena)
	if cap(e.arena)-len(e.arena) < len(p) {
		// start a new block: strings made so far keep pointing at the old one
		n := 1024
		if len(p) > n {
			n = len(p)
		}
		e.arena = make([]byte, 0, n)
		start = 0
	}
	e.arena = append(e.arena, p...)
	b := e.arena[start:len(e.arena)]
	return unsafe.String(&b[0], len(b))
}

// walk flattens the JSON value at s[i:] and returns the index after it. An unrestricted event
// (e.trie nil) keeps every leaf, at path (whose hash is h). A restricted one follows the trie
// instead: n is the value's node, nil for a value no pattern looks into, which is only
// syntax-checked. depth is the nesting of the value's container. The index is passed along
// (not kept in a scanner) so that it stays in a register.
func (e *Event) walk(s string, i int, n *pnode, path []byte, h uint64, mem []arrPos, depth int) (int, *syntaxError) {
	i = skipWS(s, i)
	if i >= len(s) {
		return i, &syntaxError{msg: "Unexpected end-of-input", pos: i}
	}
	full := e.trie == nil
	var err *syntaxError
	switch c := s[i]; {
	case c == '{':
		depth++
		if depth > maxDepth {
			return i, &syntaxError{msg: "Maximum nesting depth exceeded", pos: i}
		}
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == '}' {
			return i + 1, nil
		}
		base := len(path)
		for {
			i = skipWS(s, i)
			if i >= len(s) || s[i] != '"' {
				return i, unexpectedAt(s, i)
			}
			var k string
			if k, i, err = scanString(s, i); err != nil {
				return i, err
			}
			i = skipWS(s, i)
			if i >= len(s) || s[i] != ':' {
				return i, &syntaxError{msg: "Unexpected character: was expecting a colon to separate field name and value", pos: i}
			}
			i++
			switch {
			case full:
				path = path[:base]
				kh := h
				// Keys join with dots below the top level, even empty ones ({"":{"":1}} is
				// the field ".", as patterns name it).
				if base > 0 || depth > 1 {
					path = append(path, '.')
					kh = hashMore(kh, ".")
				}
				path = append(path, k...)
				i, err = e.walk(s, i, nil, path, hashMore(kh, k), mem, depth)
			default:
				var kn *pnode
				if n != nil {
					kn = n.key(k)
				}
				if kn != nil {
					i, err = e.walk(s, i, kn, nil, 0, mem, depth)
					break
				}
				// No pattern looks here: check the value's syntax, strings inline.
				if i = skipWS(s, i); i < len(s) && s[i] == '"' {
					_, i, err = scanString(s, i)
				} else {
					i, err = e.walk(s, i, nil, nil, 0, nil, depth)
				}
			}
			if err != nil {
				return i, err
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return i, &syntaxError{msg: "Unexpected end-of-input: expected close marker for Object", pos: i}
			}
			if s[i] == ',' {
				i++
				continue
			}
			if s[i] == '}' {
				return i + 1, nil
			}
			return i, &syntaxError{msg: "Unexpected character: was expecting comma to separate Object entries", pos: i}
		}
	case c == '[':
		depth++
		if depth > maxDepth {
			return i, &syntaxError{msg: "Maximum nesting depth exceeded", pos: i}
		}
		keep := full || n != nil
		var id int32
		if keep {
			id = e.arrays
			e.arrays++
		}
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == ']' {
			return i + 1, nil
		}
		for idx := int32(0); ; idx++ {
			// Objects and arrays inside an array record which element they are; a primitive
			// element does not (a primitive array is a set of values of one field).
			m := mem
			i = skipWS(s, i)
			if keep && i < len(s) && (s[i] == '{' || s[i] == '[') {
				start := len(e.mems)
				e.mems = append(e.mems, mem...)
				e.mems = append(e.mems, arrPos{id: id, idx: idx})
				m = e.mems[start:len(e.mems):len(e.mems)]
				e.nested = true
			}
			if i, err = e.walk(s, i, n, path, h, m, depth); err != nil {
				return i, err
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return i, &syntaxError{msg: "Unexpected end-of-input: expected close marker for Array", pos: i}
			}
			if s[i] == ',' {
				i++
				continue
			}
			if s[i] == ']' {
				return i + 1, nil
			}
			return i, &syntaxError{msg: "Unexpected character: was expecting comma to separate Array entries", pos: i}
		}
	}
	// a leaf
	var v value
	switch c := s[i]; {
	case c == '"':
		var str string
		if str, i, err = scanString(s, i); err != nil {
			return i, err
		}
		v = value{kind: String, s: str}
	case c == '-' || (c >= '0' && c <= '9'):
		var t string
		if t, i, err = scanNumber(s, i); err != nil {
			return i, err
		}
		if !full && (n == nil || !n.leaf) {
			return i, nil
		}
		v = value{kind: Number, s: t}
		if m, err := toMicro(t); err == nil {
			v.micro, v.numOK = m, true
		}
	default:
		var k Kind
		var lit string
		if k, lit, i, err = scanLiteral(s, i); err != nil {
			return i, err
		}
		v = value{kind: k, s: lit}
	}
	switch {
	case full:
		e.fields = append(e.fields, field{hash: h, path: e.pathString(path), val: v, mem: mem})
	case n != nil && n.leaf:
		e.addLeaf(n, v, mem)
	}
	return i, nil
}

// fieldIter walks the values at one path: through the event's hash table when it has many
// fields, by a linear scan when it has few.
type fieldIter struct {
	e     *Event
	path  string
	h     uint64
	pos   int
	table bool
}

const tableMin = 12

func (e *Event) iter(path string, h uint64) fieldIter {
	if len(e.lazy) > 0 {
		e.ensure(path)
	}
	if len(e.fields) < tableMin {
		return fieldIter{e: e, path: path, h: h}
	}
	if e.tableN != len(e.fields) {
		e.buildTable()
	}
	return fieldIter{e: e, path: path, h: h, pos: int(h) & (len(e.table) - 1), table: true}
}

// next returns the index of the next value at the path, or -1.
func (it *fieldIter) next() int {
	e := it.e
	if !it.table {
		for it.pos < len(e.fields) {
			i := it.pos
			it.pos++
			if f := &e.fields[i]; f.hash == it.h && f.path == it.path {
				return i
			}
		}
		return -1
	}
	mask := len(e.table) - 1
	for {
		fi := e.table[it.pos]
		if fi == 0 {
			return -1
		}
		it.pos = (it.pos + 1) & mask
		if f := &e.fields[fi-1]; f.hash == it.h && f.path == it.path {
			return int(fi - 1)
		}
	}
}

func (e *Event) buildTable() {
	n := 32
	for n < 2*len(e.fields) {
		n *= 2
	}
	if cap(e.table) >= n {
		e.table = e.table[:n]
		clear(e.table)
	} else {
		e.table = make([]int32, n)
	}
	mask := n - 1
	for i := range e.fields {
		slot := int(e.fields[i].hash) & mask
		for e.table[slot] != 0 {
			slot = (slot + 1) & mask
		}
		e.table[slot] = int32(i + 1)
	}
	e.tableN = len(e.fields)
}

// find calls fn for each value at path (hash h) until fn returns true; it reports whether
// the path has any value.
func (e *Event) find(path string, h uint64, fn func(i int) bool) (present bool) {
	it := e.iter(path, h)
	for i := it.next(); i >= 0; i = it.next() {
		present = true
		if fn(i) {
			return true
		}
	}
	return present
}

// Len is the number of leaf values.
func (e *Event) Len() int { return len(e.fields) }

// rechain rebuilds a restricted event's per-path chains after fields were dropped.
func (e *Event) rechain() {
	clear(e.heads)
	for i := range e.fields {
		f := &e.fields[i]
		n := e.trie.byStr[f.path]
		f.next = e.heads[n.id]
		e.heads[n.id] = int32(i + 1)
	}
}
