package pattern

import (
	"net/netip"
	"sort"
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
	s     string // string contents, or the literal text of a number / true / false / null
	micro int64  // for numbers with numOK
	numOK bool
	ipRes uint8 // 0 unknown, 1 not an IP, 2 IP
	ip    netip.Addr
}

func (v *value) addr() (netip.Addr, bool) {
	if v.ipRes == 0 {
		v.ipRes = 1
		if a, ok := parseIP(v.s); ok {
			v.ip, v.ipRes = a, 2
		}
	}
	return v.ip, v.ipRes == 2
}

type field struct {
	path string
	val  value
	mem  []arrPos // the arrays (and element indexes) this value sits in, outermost first
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

// ParseEvent flattens a JSON event (an object).
func ParseEvent(data []byte) (*Event, error) {
	e := &Event{fields: make([]field, 0, 16)}
	if err := e.AddJSON("", data); err != nil {
		return nil, err
	}
	return e, nil
}

// AddString adds a string leaf at path.
func (e *Event) AddString(path, s string) {
	e.fields = append(e.fields, field{path: path, val: value{kind: String, s: s}})
	e.sorted = false
}

// AddStrings adds the strings of an array at path (e.g. "resources"): each is a value of the
// field, as the elements of a JSON array of strings are.
func (e *Event) AddStrings(path string, ss []string) {
	for _, s := range ss {
		e.fields = append(e.fields, field{path: path, val: value{kind: String, s: s}})
	}
	e.sorted = false
}

// AddJSON flattens a JSON value under prefix ("" for a whole event, "detail" for a detail
// object). Object keys join the prefix with ".".
func (e *Event) AddJSON(prefix string, data []byte) error {
	sc := &scanner{s: string(data)}
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

func (e *Event) pathString(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	start := len(e.arena)
	if cap(e.arena)-len(e.arena) < len(p) {
		// start a new block: old strings keep pointing at the old one, which is never touched again
		n := 512
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
		e.fields = append(e.fields, field{path: e.pathString(path), val: value{kind: String, s: s}, mem: mem})
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
		e.fields = append(e.fields, field{path: e.pathString(path), val: v, mem: mem})
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
		e.fields = append(e.fields, field{path: e.pathString(path), val: value{kind: k, s: n.str}, mem: mem})
		return nil
	}
}

// lookup returns the indexes range [i, j) of fields at path once sorted, or scans.
func (e *Event) find(path string, fn func(i int) bool) (present bool) {
	if len(e.fields) <= 24 {
		for i := range e.fields {
			if e.fields[i].path == path {
				present = true
				if fn(i) {
					return true
				}
			}
		}
		return present
	}
	if !e.sorted {
		sort.SliceStable(e.fields, func(a, b int) bool { return e.fields[a].path < e.fields[b].path })
		e.sorted = true
	}
	i := sort.Search(len(e.fields), func(k int) bool { return e.fields[k].path >= path })
	for ; i < len(e.fields) && e.fields[i].path == path; i++ {
		present = true
		if fn(i) {
			return true
		}
	}
	return present
}

// Len is the number of leaf values.
func (e *Event) Len() int { return len(e.fields) }
