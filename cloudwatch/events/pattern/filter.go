package pattern

import (
	"encoding/binary"
	"strings"
	"unsafe"
)

// pathTrie is the set of field paths the patterns of an Index look at, as a tree of key
// segments, so that an Event restricted to the Index (Event.Restrict) flattens only those:
// the walk follows the tree key by key (no path building or hashing) and skips every subtree
// no pattern looks into. Each condition path (a leaf) has an id; a restricted event chains its
// fields by id, so a condition finds its values without searching.
type pathTrie struct {
	root  *pnode
	n     int32             // number of leaf ids
	byStr map[string]*pnode // every node by its path, for Add
}

type pnode struct {
	kids []pkid            // children by key segment (few: linear search)
	km   map[string]*pnode // the same when many
	leaf bool              // a condition's path: values here are kept
	id   int32             // leaf id
	hash uint64            // pathHash(path)
	path string            // canonical path string (shared by every event's fields)
}

type pkid struct {
	w   uint64 // the key's first 8 bytes (keyWord), to reject most keys without comparing
	key string
	n   *pnode
}

// keyWord packs the first 8 bytes of k (fewer when k is shorter) into a word.
func keyWord(k string) uint64 {
	if len(k) >= 8 {
		return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(k), 8))
	}
	var w uint64
	for i := len(k) - 1; i >= 0; i-- {
		w = w<<8 | uint64(k[i])
	}
	return w
}

func newPathTrie(paths []string) *pathTrie {
	t := &pathTrie{root: &pnode{hash: pathHash("")}, byStr: map[string]*pnode{}}
	for _, p := range paths {
		if n := t.byStr[p]; n != nil && n.leaf {
			continue
		}
		n := t.root
		rest := p
		for {
			seg, more, found := strings.Cut(rest, ".")
			n = n.childOrNew(seg, p[:len(p)-len(more)-b2i(found)])
			t.byStr[n.path] = n
			if !found {
				break
			}
			rest = more
		}
		if !n.leaf {
			n.leaf, n.id = true, t.n
			t.n++
		}
	}
	return t
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (n *pnode) childOrNew(seg, path string) *pnode {
	if c := n.child(seg); c != nil {
		return c
	}
	c := &pnode{hash: pathHash(path), path: strings.Clone(path)}
	n.kids = append(n.kids, pkid{w: keyWord(seg), key: strings.Clone(seg), n: c})
	if len(n.kids) > 8 {
		n.km = make(map[string]*pnode, len(n.kids))
		for _, k := range n.kids {
			n.km[k.key] = k.n
		}
	}
	return c
}

func (n *pnode) child(seg string) *pnode {
	if n.km != nil {
		return n.km[seg]
	}
	w := keyWord(seg)
	for i := range n.kids {
		if k := &n.kids[i]; k.w == w && len(k.key) == len(seg) && (len(seg) <= 8 || k.key[8:] == seg[8:]) {
			return k.n
		}
	}
	return nil
}

// key returns the node of object key k under n: k may itself hold dots ({"a.b": 1} is the
// field a.b, as {"a": {"b": 1}} is).
func (n *pnode) key(k string) *pnode {
	if c := n.child(k); c != nil {
		return c
	}
	if strings.IndexByte(k, '.') < 0 {
		return nil
	}
	for {
		seg, more, found := strings.Cut(k, ".")
		if n = n.child(seg); n == nil || !found {
			return n
		}
		k = more
	}
}

// descend returns the node of a path ("" is the root), or nil.
func (t *pathTrie) descend(path string) *pnode {
	if path == "" {
		return t.root
	}
	return t.byStr[path]
}

// lookup returns the node of path, or nil.
func (t *pathTrie) lookup(_ uint64, path string) *pnode { return t.byStr[path] }

// Restrict makes e keep only the fields ix's patterns look at: Parse, AddJSON, AddJSONLazy and
// the Add methods then skip (still checking the JSON syntax of) everything else, which makes
// flattening an event much cheaper, and ix.Match finds each condition's values directly.
// An event restricted to one Index must be matched only with that Index (others may miss
// fields). Restrict(nil) lifts the restriction; Reset keeps it. Call it on an empty event.
func (e *Event) Restrict(ix *Index) {
	e.Reset()
	if ix == nil {
		e.trie, e.heads = nil, e.heads[:0]
		return
	}
	e.trie = ix.trie
	if cap(e.heads) >= int(ix.trie.n) {
		e.heads = e.heads[:ix.trie.n]
		clear(e.heads)
	} else {
		e.heads = make([]int32, ix.trie.n)
	}
}

// addLeaf appends a value at a restricted event's leaf path n.
func (e *Event) addLeaf(n *pnode, v value, mem []arrPos) {
	// Grow by one and fill the slot in place (cheaper than appending a composite literal).
	if len(e.fields) < cap(e.fields) {
		e.fields = e.fields[:len(e.fields)+1]
	} else {
		e.fields = append(e.fields, field{})
	}
	f := &e.fields[len(e.fields)-1]
	f.hash, f.path, f.val, f.mem = n.hash, n.path, v, mem
	f.next = e.heads[n.id]
	e.heads[n.id] = int32(len(e.fields))
	e.sorted = false
}

// parseLiteral reads true, false or null.
func (sc *scanner) parseLiteral() (Kind, string, error) {
	k, lit, i, err := scanLiteral(sc.s, sc.i)
	sc.i = i
	if err != nil {
		return 0, "", err
	}
	return k, lit, nil
}

// scanLiteral reads true, false or null at s[i:].
func scanLiteral(s string, i int) (Kind, string, int, *syntaxError) {
	rest := s[i:]
	var k Kind
	var lit string
	switch {
	case strings.HasPrefix(rest, "true"):
		k, lit = True, "true"
	case strings.HasPrefix(rest, "false"):
		k, lit = False, "false"
	case strings.HasPrefix(rest, "null"):
		k, lit = Null, "null"
	default:
		if isIdent(s[i]) {
			return 0, "", i, unrecognizedAt(s, i)
		}
		return 0, "", i, unexpectedAt(s, i)
	}
	if len(rest) > len(lit) && isIdent(rest[len(lit)]) {
		return 0, "", i, unrecognizedAt(s, i)
	}
	return k, lit, i + len(lit), nil
}
