package events

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// jsonPath is the subset of JSONPath EventBridge uses in InputPath and InputPathsMap:
// $, $.name, $.name.name, $['name'], $.list[0].
type jsonPath []pathStep

type pathStep struct {
	name  string
	index int // -1 for a name step
}

var errBadPath = errors.New("bad JSON path")

func parseJSONPath(p string) (jsonPath, error) {
	if !strings.HasPrefix(p, "$") || len(p) > 256 {
		return nil, errBadPath
	}
	var out jsonPath
	i := 1
	for i < len(p) {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i+1 {
				return nil, errBadPath
			}
			out = append(out, pathStep{name: p[i+1 : j], index: -1})
			i = j
		case '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				return nil, errBadPath
			}
			inner := p[i+1 : i+j]
			i += j + 1
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				out = append(out, pathStep{name: inner[1 : len(inner)-1], index: -1})
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil || n < 0 {
				return nil, errBadPath
			}
			out = append(out, pathStep{index: n})
		default:
			return nil, errBadPath
		}
	}
	return out, nil
}

func (p jsonPath) eval(doc any) (any, bool) {
	cur := doc
	for _, st := range p {
		if st.index >= 0 {
			arr, ok := cur.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false
			}
			cur = arr[st.index]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = obj[st.name]
		if !ok {
			return nil, false
		}
	}
	if n, ok := cur.(json.Number); ok {
		return json.RawMessage(n.String()), true
	}
	return cur, true
}
