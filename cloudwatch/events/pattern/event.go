package pattern

import (
	"net/netip"
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
}

// pathHash is FNV-1a; conditions carry their path's hash so most comparisons are one integer.
func pathHash(p string) uint64 {
	h := uint64(14695981039346656037)
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

// AddString adds a string leaf at path.
func (e *Event) AddString(path, s string) {
	e.fields = append(e.fields, field{hash: pathHash(path), path: path, val: value{kind: String, s: s}})
	e.sorted = false
}

// AddStrings adds the strings of an array at path (e.g. "resources"): each is a value of the
// field, as the elements of a JSON array of strings are.
func (e *Event) AddStrings(path string, ss []string) {
	for _, s := range ss {
		e.fields = append(e.fields, field{hash: pathHash(path), path: path, val: value{kind: String, s: s}})
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
	path := make([]byte, 0, 64)
	path = append(path, prefix...)
	if err := e.walk(sc, path, nil); err != nil {
		return err
	}
	sc.ws()
	if sc.i != len(sc.s) {
		return sc.fail("Unexpected character: expected end of input")
	}
	e.sorted = false
	return nil
}

// pathString stores a path in the event's arena. Paths never leave the package, and the arena
// is only rewritten after Reset, so the strings stay valid for as long as they are used.
func (e *Event) pathString(p []byte) (string, uint64) {
	h := pathHash(unsafe.String(unsafe.SliceData(p), len(p)))
	if len(p) == 0 {
		return "", h
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
	return unsafe.String(&b[0], len(b)), h
}

func (e *Event) walk(sc *scanner, path []byte, mem []arrPos) error {
	sc.ws()
	if sc.i >= len(sc.s) {
		return sc.fail("Unexpected end-of-input")
	}
	switch c := sc.s[sc.i]; {
	case c == '{':
		sc.depth++
		if sc.depth > maxDepth {
			return sc.fail("Maximum nesting depth exceeded")
		}
		sc.i++
		sc.ws()
		if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
			sc.i++
			sc.depth--
			return nil
		}
		base := len(path)
		for {
			sc.ws()
			if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
				return sc.unexpected()
			}
			k, err := sc.parseString()
			if err != nil {
				return err
			}
			sc.ws()
			if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
				return sc.fail("Unexpected character: was expecting a colon to separate field name and value")
			}
			sc.i++
			path = path[:base]
			if base > 0 {
				path = append(path, '.')
			}
			path = append(path, k...)
			if err := e.walk(sc, path, mem); err != nil {
				return err
			}
			sc.ws()
			if sc.i >= len(sc.s) {
				return sc.fail("Unexpected end-of-input: expected close marker for Object")
			}
			if sc.s[sc.i] == ',' {
				sc.i++
				continue
			}
			if sc.s[sc.i] == '}' {
				sc.i++
				sc.depth--
				return nil
			}
			return sc.fail("Unexpected character: was expecting comma to separate Object entries")
		}
	case c == '[':
		sc.depth++
		if sc.depth > maxDepth {
			return sc.fail("Maximum nesting depth exceeded")
		}
		sc.i++
		id := e.arrays
		e.arrays++
		sc.ws()
		if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
			sc.i++
			sc.depth--
			return nil
		}
		for idx := int32(0); ; idx++ {
			// Objects and arrays inside an array record which element they are; a primitive
			// element does not (a primitive array is a set of values of one field).
			m := mem
			sc.ws()
			if sc.i < len(sc.s) && (sc.s[sc.i] == '{' || sc.s[sc.i] == '[') {
				start := len(e.mems)
				e.mems = append(e.mems, mem...)
				e.mems = append(e.mems, arrPos{id: id, idx: idx})
				m = e.mems[start:len(e.mems):len(e.mems)]
				e.nested = true
			}
			if err := e.walk(sc, path, m); err != nil {
				return err
			}
			sc.ws()
			if sc.i >= len(sc.s) {
				return sc.fail("Unexpected end-of-input: expected close marker for Array")
			}
			if sc.s[sc.i] == ',' {
				sc.i++
				continue
			}
			if sc.s[sc.i] == ']' {
				sc.i++
				sc.depth--
				return nil
			}
			return sc.fail("Unexpected character: was expecting comma to separate Array entries")
		}
	case c == '"':
		s, err := sc.parseString()
		if err != nil {
			return err
		}
		ps, h := e.pathString(path)
		e.fields = append(e.fields, field{hash: h, path: ps, val: value{kind: String, s: s}, mem: mem})
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		t, err := sc.parseNumber()
		if err != nil {
			return err
		}
		v := value{kind: Number, s: t}
		if m, err := toMicro(t); err == nil {
			v.micro, v.numOK = m, true
		}
		ps, h := e.pathString(path)
		e.fields = append(e.fields, field{hash: h, path: ps, val: v, mem: mem})
		return nil
	default:
		n, err := sc.parseValue() // literal or error
		if err != nil {
			return err
		}
		var k Kind
		switch n.kind {
		case kTrue:
			k = True
		case kFalse:
			k = False
		default:
			k = Null
		}
		ps, h := e.pathString(path)
		e.fields = append(e.fields, field{hash: h, path: ps, val: value{kind: k, s: n.str}, mem: mem})
		return nil
	}
}

// find calls fn for each value at path (hash h) until fn returns true; it reports whether
// the path has any value.
func (e *Event) find(path string, h uint64, fn func(i int) bool) (present bool) {
	for i := range e.fields {
		if f := &e.fields[i]; f.hash == h && f.path == path {
			present = true
			if fn(i) {
				return true
			}
		}
	}
	return present
}

// Len is the number of leaf values.
func (e *Event) Len() int { return len(e.fields) }
