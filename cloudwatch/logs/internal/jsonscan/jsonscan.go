// Package jsonscan finds values inside JSON text without decoding the whole document: the
// filter pattern and Logs Insights engines look up a few fields of millions of events.
package jsonscan

import (
	"encoding/json"
	"strings"
	"unsafe"
)

// Kind is the JSON type of a value.
type Kind uint8

// Value kinds.
const (
	Invalid Kind = iota
	String
	Number
	True
	False
	Null
	Object
	Array
)

// Step is one selector step: an object key, or an array index when Index >= 0.
type Step struct {
	Key   string
	Index int
}

// Valid reports whether s is a JSON object (the events JSON patterns and discovery accept).
func Valid(s string) bool {
	t := strings.TrimSpace(s)
	// json.Valid only reads its argument: no need to copy the event
	return len(t) > 1 && t[0] == '{' && json.Valid(unsafe.Slice(unsafe.StringData(t), len(t)))
}

// LookupSteps returns the raw text and kind of the value at steps in doc, which must be valid
// JSON (check with Valid).
func LookupSteps(doc string, steps []Step) (raw string, kind Kind, found bool) {
	i := skipWS(doc, 0)
	for _, st := range steps {
		if i >= len(doc) {
			return "", Invalid, false
		}
		if st.Index >= 0 {
			if doc[i] != '[' {
				return "", Invalid, false
			}
			j, ok := arrayElem(doc, i, st.Index)
			if !ok {
				return "", Invalid, false
			}
			i = j
			continue
		}
		if doc[i] != '{' {
			return "", Invalid, false
		}
		j, ok := objectField(doc, i, func(k string) bool { return k == st.Key })
		if !ok {
			return "", Invalid, false
		}
		i = j
	}
	end := skipValue(doc, i)
	return doc[i:end], kindAt(doc, i), true
}

// LookupPath returns the value at a dotted path ("a.b.0.c"): numeric parts index arrays, and
// keys that themselves contain dots match too, as Logs Insights flattens them.
func LookupPath(doc, path string) (raw string, kind Kind, found bool) {
	i := skipWS(doc, 0)
	rest := path
	for rest != "" {
		if i >= len(doc) {
			return "", Invalid, false
		}
		switch doc[i] {
		case '{':
			var matched string
			j, ok := objectField(doc, i, func(k string) bool {
				if rest == k || strings.HasPrefix(rest, k) && len(rest) > len(k) && rest[len(k)] == '.' {
					matched = k
					return true
				}
				return false
			})
			if !ok {
				return "", Invalid, false
			}
			i = j
			rest = strings.TrimPrefix(rest[len(matched):], ".")
		case '[':
			part, after, _ := strings.Cut(rest, ".")
			n := 0
			if part == "" {
				return "", Invalid, false
			}
			for k := 0; k < len(part); k++ {
				if part[k] < '0' || part[k] > '9' || n > 1<<20 {
					return "", Invalid, false
				}
				n = n*10 + int(part[k]-'0')
			}
			j, ok := arrayElem(doc, i, n)
			if !ok {
				return "", Invalid, false
			}
			i = j
			rest = after
		default:
			return "", Invalid, false
		}
	}
	end := skipValue(doc, i)
	return doc[i:end], kindAt(doc, i), true
}

// Unquote returns the content of a raw JSON string.
func Unquote(raw string) string {
	if len(raw) < 2 {
		return ""
	}
	body := raw[1 : len(raw)-1]
	if !strings.ContainsRune(body, '\\') {
		return body
	}
	var s string
	if json.Unmarshal([]byte(raw), &s) != nil {
		return body
	}
	return s
}

func kindAt(doc string, i int) Kind {
	if i >= len(doc) {
		return Invalid
	}
	switch doc[i] {
	case '"':
		return String
	case '{':
		return Object
	case '[':
		return Array
	case 't':
		return True
	case 'f':
		return False
	case 'n':
		return Null
	}
	return Number
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// objectField finds the value of the first key for which match is true in the object at i;
// it returns the value's start.
func objectField(doc string, i int, match func(string) bool) (int, bool) {
	i = skipWS(doc, i+1)
	for i < len(doc) && doc[i] != '}' {
		if doc[i] != '"' {
			return 0, false
		}
		kend := skipString(doc, i)
		key := doc[i+1 : kend-1]
		if strings.IndexByte(key, '\\') >= 0 {
			key = Unquote(doc[i:kend])
		}
		i = skipWS(doc, kend)
		if i >= len(doc) || doc[i] != ':' {
			return 0, false
		}
		i = skipWS(doc, i+1)
		if match(key) {
			return i, true
		}
		i = skipWS(doc, skipValue(doc, i))
		if i < len(doc) && doc[i] == ',' {
			i = skipWS(doc, i+1)
		}
	}
	return 0, false
}

func arrayElem(doc string, i, n int) (int, bool) {
	i = skipWS(doc, i+1)
	for k := 0; i < len(doc) && doc[i] != ']'; k++ {
		if k == n {
			return i, true
		}
		i = skipWS(doc, skipValue(doc, i))
		if i < len(doc) && doc[i] == ',' {
			i = skipWS(doc, i+1)
		}
	}
	return 0, false
}

func skipString(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

// skipValue returns the index just past the value starting at i.
func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				j = skipString(s, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(s)
	}
	j := i
	for j < len(s) && !strings.ContainsRune(",}] \t\n\r", rune(s[j])) {
		j++
	}
	return j
}
