package codecommit

import (
	"bytes"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// This file is the line-level three-way merge of text files, with diff3 semantics: both
// sides are diffed against the base (Myers' algorithm, from github.com/sergi/go-diff, on
// lines mapped to runes); changes of one side whose base ranges overlap or touch changes of
// the other side form one region, which merges cleanly when only one side changed it or
// both changed it identically, and conflicts otherwise (as git's merge does, changes to
// adjacent lines conflict).

// lineHunk says that base lines [oLo,oHi) became side lines [sLo,sHi).
type lineHunk struct {
	oLo, oHi, sLo, sHi int
	side               int // 0: destination, 1: source
}

// maxDiffLines bounds the distinct lines a diff maps to runes (the rune space minus
// surrogates); a bigger file is merged at file level.
const maxDiffLines = 0x10FFFF - 0x800 - 1

// splitLines splits b into lines that keep their "\n" (the last one may lack it).
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// lineRunes maps lines to runes, the same line to the same rune, skipping surrogates
// (go-diff converts rune slices to strings internally).
type lineRunes map[string]rune

func (m lineRunes) runes(lines [][]byte) ([]rune, bool) {
	out := make([]rune, len(lines))
	for i, l := range lines {
		r, ok := m[string(l)]
		if !ok {
			n := len(m) + 1
			if n > maxDiffLines {
				return nil, false
			}
			if n >= 0xD800 {
				n += 0x800
			}
			r = rune(n)
			m[string(l)] = r
		}
		out[i] = r
	}
	return out, true
}

// diffLines lists the hunks that turn base into side.
func diffLines(m lineRunes, base []rune, side [][]byte, tag int) ([]lineHunk, bool) {
	rs, ok := m.runes(side)
	if !ok {
		return nil, false
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // optimal and deterministic
	var out []lineHunk
	i, j := 0, 0
	var cur *lineHunk
	for _, d := range dmp.DiffMainRunes(base, rs, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			}
			i += n
			j += n
		case diffmatchpatch.DiffDelete:
			if cur == nil {
				cur = &lineHunk{oLo: i, oHi: i, sLo: j, sHi: j, side: tag}
			}
			i += n
			cur.oHi = i
		case diffmatchpatch.DiffInsert:
			if cur == nil {
				cur = &lineHunk{oLo: i, oHi: i, sLo: j, sHi: j, side: tag}
			}
			j += n
			cur.sHi = j
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out, true
}

// mergeRegion is one region of a three-way merge: stable (no side changed it), changed by
// one or both sides identically, or a conflict. Ranges are line indexes [lo,hi).
type mergeRegion struct {
	stable, conflict bool
	fromSrc          bool // a clean change takes the source's lines (else the destination's)
	base, dest, src  [2]int
}

// lineMerge is the three-way merge of one text file.
type lineMerge struct {
	base, dest, src [][]byte
	regions         []mergeRegion
	conflicts       int
}

// merge3 merges dest and src, both derived from base, line by line. ok is false when the
// files have too many distinct lines to diff.
func merge3(base, dest, src []byte) (*lineMerge, bool) {
	lm := &lineMerge{base: splitLines(base), dest: splitLines(dest), src: splitLines(src)}
	m := lineRunes{}
	ob, ok := m.runes(lm.base)
	if !ok {
		return nil, false
	}
	hd, ok := diffLines(m, ob, lm.dest, 0)
	if !ok {
		return nil, false
	}
	hs, ok := diffLines(m, ob, lm.src, 1)
	if !ok {
		return nil, false
	}
	// Interleave both sides' hunks by base position.
	all := make([]lineHunk, 0, len(hd)+len(hs))
	a, b := 0, 0
	for a < len(hd) || b < len(hs) {
		if b >= len(hs) || a < len(hd) && hd[a].oLo <= hs[b].oLo {
			all = append(all, hd[a])
			a++
		} else {
			all = append(all, hs[b])
			b++
		}
	}
	off := [2]int{} // side line = base line + off[side] outside hunks
	pos := 0        // next base line not yet emitted
	emitStable := func(lo, hi int) {
		if lo < hi {
			lm.regions = append(lm.regions, mergeRegion{stable: true, base: [2]int{lo, hi},
				dest: [2]int{lo + off[0], hi + off[0]}, src: [2]int{lo + off[1], hi + off[1]}})
		}
	}
	for i := 0; i < len(all); {
		lo, hi := all[i].oLo, all[i].oHi
		j := i + 1
		for j < len(all) && all[j].oLo <= hi {
			hi = max(hi, all[j].oHi)
			j++
		}
		emitStable(pos, lo)
		var rng [2][2]int
		var touched [2]bool
		for side := range 2 {
			var first, last *lineHunk
			for k := i; k < j; k++ {
				if all[k].side == side {
					if first == nil {
						first = &all[k]
					}
					last = &all[k]
				}
			}
			if first == nil {
				rng[side] = [2]int{lo + off[side], hi + off[side]}
				continue
			}
			touched[side] = true
			rng[side] = [2]int{first.sLo - (first.oLo - lo), last.sHi + (hi - last.oHi)}
		}
		r := mergeRegion{base: [2]int{lo, hi}, dest: rng[0], src: rng[1], fromSrc: touched[1]}
		if touched[0] && touched[1] && !equalLines(lm.dest[rng[0][0]:rng[0][1]], lm.src[rng[1][0]:rng[1][1]]) {
			r.conflict = true
			lm.conflicts++
		}
		lm.regions = append(lm.regions, r)
		for side := range 2 {
			off[side] = rng[side][1] - hi
		}
		pos = hi
		i = j
	}
	emitStable(pos, len(lm.base))
	return lm, true
}

func equalLines(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// result writes the merged file; conflicts take prefer's side (0: destination, 1: source,
// -1: both with git's conflict markers).
func (lm *lineMerge) result(prefer int) []byte {
	var buf bytes.Buffer
	put := func(lines [][]byte) {
		for _, l := range lines {
			buf.Write(l)
		}
	}
	for _, r := range lm.regions {
		switch {
		case r.stable:
			put(lm.base[r.base[0]:r.base[1]])
		case r.conflict && prefer < 0:
			buf.WriteString("<<<<<<< destination\n")
			put(lm.dest[r.dest[0]:r.dest[1]])
			ensureNL(&buf)
			buf.WriteString("||||||| base\n")
			put(lm.base[r.base[0]:r.base[1]])
			ensureNL(&buf)
			buf.WriteString("=======\n")
			put(lm.src[r.src[0]:r.src[1]])
			ensureNL(&buf)
			buf.WriteString(">>>>>>> source\n")
		case r.conflict && prefer == 1:
			put(lm.src[r.src[0]:r.src[1]])
		case r.conflict:
			put(lm.dest[r.dest[0]:r.dest[1]])
		case r.fromSrc:
			put(lm.src[r.src[0]:r.src[1]])
		default:
			put(lm.dest[r.dest[0]:r.dest[1]])
		}
	}
	return buf.Bytes()
}

func ensureNL(buf *bytes.Buffer) {
	if b := buf.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' {
		buf.WriteByte('\n')
	}
}

// isBinary applies git's heuristic: a NUL byte in the first 8,000 bytes.
func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0
}
