package pattern

import (
	"sort"
	"strconv"
	"strings"
)

// wildcardComplexity estimates what EventBridge calls a rule's complexity: the largest number
// of distinct wildcard patterns on one field that a single worst-case input value can be
// partway through matching at the same time. It explores the subset automaton of each field's
// wildcard patterns breadth first, with a bound on the states it visits.
func wildcardComplexity(p *Pattern) int {
	byPath := map[string]map[string]*wildcard{}
	for _, b := range p.branches {
		for _, c := range b.conds {
			for _, m := range c.ms {
				if m.op != opWildcard {
					continue
				}
				if byPath[c.path] == nil {
					byPath[c.path] = map[string]*wildcard{}
				}
				byPath[c.path][m.s] = m.wc[0]
			}
		}
	}
	max := 0
	for _, ws := range byPath {
		if n := fieldComplexity(ws); n > max {
			max = n
		}
		if max > MaxComplexity {
			break
		}
	}
	return max
}

const starTok = -1

func fieldComplexity(ws map[string]*wildcard) int {
	keys := make([]string, 0, len(ws))
	for k := range ws {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	toks := make([][]int, len(keys))
	alpha := map[int]bool{}
	for i, k := range keys {
		w := ws[k]
		for j, seg := range w.segs {
			if j > 0 {
				toks[i] = append(toks[i], starTok)
			}
			for _, c := range []byte(seg) {
				toks[i] = append(toks[i], int(c))
				alpha[int(c)] = true
			}
		}
	}
	letters := make([]int, 0, len(alpha)+1)
	for c := range alpha {
		letters = append(letters, c)
	}
	sort.Ints(letters)
	letters = append(letters, 256) // any byte that appears in no pattern

	closure := func(t []int, set []bool) {
		for p := 0; p < len(t); p++ {
			if set[p] && t[p] == starTok {
				set[p+1] = true
			}
		}
	}
	type state [][]bool
	key := func(s state) string {
		var b strings.Builder
		for i, set := range s {
			if i > 0 {
				b.WriteByte('|')
			}
			for p, on := range set {
				if on {
					b.WriteString(strconv.Itoa(p))
					b.WriteByte(',')
				}
			}
		}
		return b.String()
	}
	start := make(state, len(toks))
	for i, t := range toks {
		start[i] = make([]bool, len(t)+1)
		start[i][0] = true
		closure(t, start[i])
	}
	seen := map[string]bool{key(start): true}
	queue := []state{start}
	max := 0
	const stateBudget = 500
	for len(queue) > 0 && len(seen) < stateBudget {
		cur := queue[0]
		queue = queue[1:]
		for _, c := range letters {
			next := make(state, len(toks))
			alive := 0
			for i, t := range toks {
				ns := make([]bool, len(t)+1)
				any := false
				for p, on := range cur[i] {
					if !on || p == len(t) {
						continue
					}
					switch {
					case t[p] == starTok:
						ns[p] = true
						any = true
					case t[p] == c:
						ns[p+1] = true
						any = true
					}
				}
				closure(t, ns)
				next[i] = ns
				if any {
					alive++
				}
			}
			if alive > max {
				max = alive
				if max > MaxComplexity {
					return max
				}
			}
			if alive == 0 {
				continue
			}
			k := key(next)
			if !seen[k] {
				seen[k] = true
				queue = append(queue, next)
			}
		}
	}
	return max
}
