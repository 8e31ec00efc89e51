package codecommit

import (
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Merge options, conflict detail levels and resolution strategies as AWS names them.
const (
	mergeFastForward = "FAST_FORWARD_MERGE"
	mergeSquash      = "SQUASH_MERGE"
	mergeThreeWay    = "THREE_WAY_MERGE"

	levelFile = "FILE_LEVEL"
	levelLine = "LINE_LEVEL"

	strategyNone       = "NONE"
	strategySource     = "ACCEPT_SOURCE"
	strategyDest       = "ACCEPT_DESTINATION"
	strategyAutomerge  = "AUTOMERGE"
	maxResolutionItems = 100
)

// fileEntry is a non-directory tree entry: a file, symlink or submodule.
type fileEntry struct {
	mode filemode.FileMode
	hash plumbing.Hash
}

// flatTree is a tree's non-directory entries by full path, and its directories.
type flatTree struct {
	files map[string]fileEntry
	dirs  map[string]bool
}

func (r *gitRepo) flatten(c *object.Commit) (*flatTree, error) {
	ft := &flatTree{files: map[string]fileEntry{}, dirs: map[string]bool{}}
	if c == nil {
		return ft, nil
	}
	var walk func(h plumbing.Hash, prefix string) error
	walk = func(h plumbing.Hash, prefix string) error {
		t, err := object.GetTree(r.st, h)
		if err != nil {
			return err
		}
		for _, e := range t.Entries {
			p := path.Join(prefix, e.Name)
			if e.Mode == filemode.Dir {
				ft.dirs[p] = true
				if err := walk(e.Hash, p); err != nil {
					return err
				}
				continue
			}
			ft.files[p] = fileEntry{mode: e.Mode, hash: e.Hash}
		}
		return nil
	}
	return ft, walk(c.TreeHash, "")
}

func objectType(e *fileEntry, dirs map[string]bool, p string) string {
	switch {
	case e == nil && dirs[p]:
		return "DIRECTORY"
	case e == nil:
		return ""
	case e.mode == filemode.Symlink:
		return "SYMBOLIC_LINK"
	case e.mode == filemode.Submodule:
		return "GIT_LINK"
	}
	return "FILE"
}

// fileConflict is one conflicting path of a merge.
type fileConflict struct {
	path            string
	base, dest, src *fileEntry
	meta            ConflictMetadata
	lines           *lineMerge // line-level content merge, when one was made
	// resolved content (after a strategy or resolution entry); del removes the path.
	resolved bool
	content  *fileEntry
}

// treeMerge is the outcome of merging source into destination over base.
type treeMerge struct {
	result    map[string]fileEntry
	blobs     map[plumbing.Hash][]byte // merged contents to write
	conflicts []*fileConflict
	destDirs  map[string]bool
}

func (tm *treeMerge) unresolved() []*fileConflict {
	var out []*fileConflict
	for _, c := range tm.conflicts {
		if !c.resolved {
			out = append(out, c)
		}
	}
	return out
}

func entryPtr(m map[string]fileEntry, p string) *fileEntry {
	if e, ok := m[p]; ok {
		return &e
	}
	return nil
}

func sameEntry(a, b *fileEntry) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func isRegular(e *fileEntry) bool {
	return e != nil && (e.mode == filemode.Regular || e.mode == filemode.Executable || e.mode == filemode.Deprecated)
}

func changeOp(base, side *fileEntry) string {
	switch {
	case base == nil && side != nil:
		return "A"
	case base != nil && side == nil:
		return "D"
	}
	return "M"
}

// mergeTrees merges the trees of src and dest over base (nil: empty). It reads blobs, so the
// caller holds at least the read lock; merged contents are kept in memory until written.
func (r *gitRepo) mergeTrees(base, dest, src *object.Commit, level, strategy string) (*treeMerge, error) {
	bt, err := r.flatten(base)
	if err != nil {
		return nil, err
	}
	dt, err := r.flatten(dest)
	if err != nil {
		return nil, err
	}
	st, err := r.flatten(src)
	if err != nil {
		return nil, err
	}
	tm := &treeMerge{result: map[string]fileEntry{}, blobs: map[plumbing.Hash][]byte{}, destDirs: dt.dirs}
	paths := map[string]bool{}
	for _, ft := range []*flatTree{bt, dt, st} {
		for p := range ft.files {
			paths[p] = true
		}
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	lineLevel := level == levelLine || strategy == strategyAutomerge
	for _, p := range sorted {
		b, d, s := entryPtr(bt.files, p), entryPtr(dt.files, p), entryPtr(st.files, p)
		var take *fileEntry
		switch {
		case sameEntry(d, s), sameEntry(b, s):
			take = d
		case sameEntry(b, d):
			take = s
		}
		if take != nil || sameEntry(d, s) || sameEntry(b, s) || sameEntry(b, d) {
			if take != nil {
				tm.result[p] = *take
			}
			continue
		}
		c := &fileConflict{path: p, base: b, dest: d, src: s}
		c.meta = ConflictMetadata{
			FilePath:        p,
			MergeOperations: &MergeOperations{Source: changeOp(b, s), Destination: changeOp(b, d)},
		}
		if isRegular(d) && isRegular(s) && (b == nil || isRegular(b)) {
			// Modes and contents merge separately.
			mode, modeOK := d.mode, true
			switch {
			case d.mode == s.mode:
			case b != nil && b.mode == d.mode:
				mode = s.mode
			case b != nil && b.mode == s.mode:
			default:
				modeOK = false
			}
			hash, contentOK := d.hash, true
			switch {
			case d.hash == s.hash:
			case b != nil && b.hash == d.hash:
				hash = s.hash
			case b != nil && b.hash == s.hash:
			default:
				contentOK = false
				if lineLevel {
					lm, err := r.lineMergeOf(b, d, s)
					if err != nil {
						return nil, err
					}
					if lm != nil {
						c.lines = lm
						if lm.conflicts == 0 {
							out := lm.result(0)
							hash = plumbing.ComputeHash(plumbing.BlobObject, out)
							tm.blobs[hash] = out
							contentOK = true
						}
					}
				}
			}
			if modeOK && contentOK {
				tm.result[p] = fileEntry{mode: mode, hash: hash}
				continue
			}
			c.meta.ContentConflict = !contentOK
			c.meta.FileModeConflict = !modeOK
			if !contentOK {
				c.meta.NumberOfConflicts = 1
				if c.lines != nil {
					c.meta.NumberOfConflicts = int32(c.lines.conflicts)
				}
			}
		} else {
			// A delete against a change, or different kinds of object.
			c.meta.ContentConflict = true
			c.meta.NumberOfConflicts = 1
			c.meta.ObjectTypeConflict = d != nil && s != nil && objectType(d, nil, p) != objectType(s, nil, p)
		}
		if d != nil {
			tm.result[p] = *d // provisional: the destination's version
		}
		tm.conflicts = append(tm.conflicts, c)
	}
	// A path that is a file on one side and a folder on the other.
	for _, p := range sorted {
		if _, ok := tm.result[p]; !ok {
			continue
		}
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			fe, ok := tm.result[dir]
			if !ok {
				continue
			}
			c := tm.conflictAt(dir)
			if c == nil {
				c = &fileConflict{path: dir, base: entryPtr(bt.files, dir), dest: entryPtr(dt.files, dir), src: entryPtr(st.files, dir)}
				c.meta = ConflictMetadata{FilePath: dir, MergeOperations: &MergeOperations{Source: changeOp(c.base, c.src), Destination: changeOp(c.base, c.dest)}}
				tm.conflicts = append(tm.conflicts, c)
			}
			c.meta.ObjectTypeConflict = true
			c.meta.NumberOfConflicts = max(c.meta.NumberOfConflicts, 1)
			_ = fe
		}
	}
	sort.Slice(tm.conflicts, func(i, j int) bool { return tm.conflicts[i].path < tm.conflicts[j].path })
	for _, c := range tm.conflicts {
		r.fillMeta(c, bt, dt, st)
	}
	tm.applyStrategy(strategy)
	return tm, nil
}

func (tm *treeMerge) conflictAt(p string) *fileConflict {
	for _, c := range tm.conflicts {
		if c.path == p {
			return c
		}
	}
	return nil
}

// lineMergeOf merges three text blobs line by line (nil: not mergeable as text).
func (r *gitRepo) lineMergeOf(b, d, s *fileEntry) (*lineMerge, error) {
	var bc []byte
	if b != nil {
		var err error
		if bc, err = r.blobContent(b.hash); err != nil {
			return nil, err
		}
	}
	dc, err := r.blobContent(d.hash)
	if err != nil {
		return nil, err
	}
	sc, err := r.blobContent(s.hash)
	if err != nil {
		return nil, err
	}
	if isBinary(bc) || isBinary(dc) || isBinary(sc) {
		return nil, nil
	}
	lm, ok := merge3(bc, dc, sc)
	if !ok {
		return nil, nil
	}
	return lm, nil
}

// fillMeta completes a conflict's sizes, modes, object types and binary flags.
func (r *gitRepo) fillMeta(c *fileConflict, bt, dt, st *flatTree) {
	m := &c.meta
	m.FileSizes = &FileSizes{}
	m.FileModes = &FileModes{}
	m.ObjectTypes = &ObjectTypes{}
	m.IsBinaryFile = &IsBinaryFile{}
	one := func(e *fileEntry, ft *flatTree, size *int64, mode, typ *string, bin *bool) {
		*typ = objectType(e, ft.dirs, c.path)
		if e == nil {
			return
		}
		*mode = modeName(e.mode)
		if e.mode == filemode.Submodule {
			return
		}
		if sz, err := r.st.EncodedObjectSize(e.hash); err == nil {
			*size = sz
		}
		if b, err := r.blobContent(e.hash); err == nil {
			*bin = isBinary(b)
		}
	}
	one(c.base, bt, &m.FileSizes.Base, &m.FileModes.Base, &m.ObjectTypes.Base, &m.IsBinaryFile.Base)
	one(c.dest, dt, &m.FileSizes.Destination, &m.FileModes.Destination, &m.ObjectTypes.Destination, &m.IsBinaryFile.Destination)
	one(c.src, st, &m.FileSizes.Source, &m.FileModes.Source, &m.ObjectTypes.Source, &m.IsBinaryFile.Source)
}

// applyStrategy resolves conflicts by taking one side (ACCEPT_SOURCE, ACCEPT_DESTINATION):
// a line-level merge keeps its clean changes and takes that side's lines where both
// changed; anything else takes that side's version of the path whole.
func (tm *treeMerge) applyStrategy(strategy string) {
	prefer := -1
	switch strategy {
	case strategySource:
		prefer = 1
	case strategyDest:
		prefer = 0
	default:
		return
	}
	for _, c := range tm.conflicts {
		side, other := c.dest, c.src
		if prefer == 1 {
			side, other = c.src, c.dest
		}
		var e *fileEntry
		switch {
		case c.meta.ObjectTypeConflict && side == nil && other != nil:
			// This side has a folder here: drop the other side's file.
			e = nil
		case c.lines != nil && side != nil && !c.meta.ObjectTypeConflict:
			out := c.lines.result(prefer)
			h := plumbing.ComputeHash(plumbing.BlobObject, out)
			tm.blobs[h] = out
			e = &fileEntry{mode: side.mode, hash: h}
		default:
			e = side
		}
		tm.resolve(c, e)
		if c.meta.ObjectTypeConflict && e != nil {
			// This side has a file here: drop the other side's folder.
			for p := range tm.result {
				if strings.HasPrefix(p, c.path+"/") {
					delete(tm.result, p)
				}
			}
		}
	}
}

// resolve settles conflict c with e (nil deletes the path).
func (tm *treeMerge) resolve(c *fileConflict, e *fileEntry) {
	c.resolved, c.content = true, e
	if e == nil {
		delete(tm.result, c.path)
	} else {
		tm.result[c.path] = *e
	}
}
