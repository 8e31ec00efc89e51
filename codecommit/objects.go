package codecommit

import (
	"bytes"
	"errors"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

var fullHashRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// resolveLocked turns a commit specifier (branch, tag or full commit ID; "" means the default
// branch) into a commit. Caller holds a lock.
func (r *gitRepo) resolveLocked(rec repoRecord, spec string) (*object.Commit, error) {
	if spec == "" {
		spec = rec.DefaultBranch
		if spec == "" {
			return nil, ErrCommitDoesNotExist
		}
	}
	try := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(spec), plumbing.NewTagReferenceName(spec)}
	if strings.HasPrefix(spec, "refs/") {
		try = append([]plumbing.ReferenceName{plumbing.ReferenceName(spec)}, try...)
	}
	for _, n := range try {
		h, err := r.refHash(n)
		if err != nil {
			return nil, err
		}
		if !h.IsZero() {
			return r.peelCommit(h)
		}
	}
	if fullHashRE.MatchString(spec) {
		c, err := r.peelCommit(plumbing.NewHash(spec))
		if err == nil {
			return c, nil
		}
	}
	return nil, ErrCommitDoesNotExist.With("Could not find commit for %s", spec)
}

func (r *gitRepo) peelCommit(h plumbing.Hash) (*object.Commit, error) {
	for range 16 {
		o, err := r.st.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return nil, ErrCommitDoesNotExist
		}
		switch o.Type() {
		case plumbing.CommitObject:
			return object.DecodeCommit(r.st, o)
		case plumbing.TagObject:
			t, err := object.DecodeTag(r.st, o)
			if err != nil {
				return nil, err
			}
			h = t.Target
		default:
			return nil, ErrInvalidCommit
		}
	}
	return nil, ErrInvalidCommit
}

// writeBlob stores content as a blob. Caller holds the write lock.
func (r *gitRepo) writeBlob(content []byte) (plumbing.Hash, error) {
	o := r.st.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	o.SetSize(int64(len(content)))
	w, err := o.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(content); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.st.SetEncodedObject(o)
}

func (r *gitRepo) writeObject(enc interface {
	Encode(o plumbing.EncodedObject) error
}) (plumbing.Hash, error) {
	o := r.st.NewEncodedObject()
	if err := enc.Encode(o); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.st.SetEncodedObject(o)
}

func (r *gitRepo) blobContent(h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(r.st, h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// sortEntries orders tree entries the way git does (a directory sorts as name + "/").
func sortEntries(es []object.TreeEntry) {
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(es, func(i, j int) bool { return key(es[i]) < key(es[j]) })
}

// fileChange is one change to a tree.
type fileChange struct {
	parts    []string
	del      bool
	modeOnly bool
	mode     filemode.FileMode
	hash     plumbing.Hash
}

// treeEdit is the result of applying changes: what was added, updated and deleted.
type treeEdit struct {
	r         *gitRepo
	keepEmpty bool
	added     []FileMetadata
	updated   []FileMetadata
	deleted   []FileMetadata
	emptyBlob plumbing.Hash
}

// apply applies changes to tree h (zero: empty tree) and returns the new tree's hash, or the
// zero hash when the result is empty.
func (te *treeEdit) apply(h plumbing.Hash, prefix string, changes []fileChange, depth int) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !h.IsZero() {
		t, err := object.GetTree(te.r.st, h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, t.Entries...)
	}
	idx := map[string]int{}
	for i, e := range entries {
		idx[e.Name] = i
	}
	groups := map[string][]fileChange{}
	var order []string
	for _, c := range changes {
		n := c.parts[depth]
		if _, ok := groups[n]; !ok {
			order = append(order, n)
		}
		groups[n] = append(groups[n], c)
	}
	removed := map[string]bool{}
	for _, name := range order {
		g := groups[name]
		full := path.Join(prefix, name)
		i, exists := idx[name]
		var file *fileChange
		var sub []fileChange
		for k := range g {
			if len(g[k].parts) == depth+1 {
				file = &g[k]
			} else {
				sub = append(sub, g[k])
			}
		}
		if file != nil && len(sub) > 0 {
			return plumbing.ZeroHash, ErrFileNameConflictsWithDirectoryName.With("The file %s cannot be added because it has the same name as a directory.", full)
		}
		if file != nil {
			c := *file
			switch {
			case c.del:
				if !exists || entries[i].Mode == filemode.Dir {
					return plumbing.ZeroHash, ErrFileDoesNotExist.With("The file %s does not exist.", full)
				}
				te.deleted = append(te.deleted, FileMetadata{AbsolutePath: full, BlobID: entries[i].Hash.String(), FileMode: modeName(entries[i].Mode)})
				removed[name] = true
			case c.modeOnly:
				if !exists || entries[i].Mode == filemode.Dir {
					return plumbing.ZeroHash, ErrFileDoesNotExist.With("The file %s does not exist.", full)
				}
				if entries[i].Mode == filemode.Submodule {
					return plumbing.ZeroHash, ErrFilePathConflictsWithSubmodulePath
				}
				if entries[i].Mode != c.mode {
					entries[i].Mode = c.mode
					te.updated = append(te.updated, FileMetadata{AbsolutePath: full, BlobID: entries[i].Hash.String(), FileMode: modeName(c.mode)})
				}
			default:
				if exists {
					switch entries[i].Mode {
					case filemode.Dir:
						return plumbing.ZeroHash, ErrFileNameConflictsWithDirectoryName.With("The file %s cannot be added because it has the same name as a directory.", full)
					case filemode.Submodule:
						return plumbing.ZeroHash, ErrFilePathConflictsWithSubmodulePath
					}
					if entries[i].Hash != c.hash || entries[i].Mode != c.mode {
						entries[i].Hash, entries[i].Mode = c.hash, c.mode
						te.updated = append(te.updated, FileMetadata{AbsolutePath: full, BlobID: c.hash.String(), FileMode: modeName(c.mode)})
					}
				} else {
					entries = append(entries, object.TreeEntry{Name: name, Mode: c.mode, Hash: c.hash})
					idx[name] = len(entries) - 1
					te.added = append(te.added, FileMetadata{AbsolutePath: full, BlobID: c.hash.String(), FileMode: modeName(c.mode)})
				}
			}
			continue
		}
		var subHash plumbing.Hash
		if exists {
			if entries[i].Mode != filemode.Dir {
				return plumbing.ZeroHash, ErrDirectoryNameConflictsWithFileName.With("The directory %s cannot be added because it has the same name as a file.", full)
			}
			subHash = entries[i].Hash
		}
		nh, err := te.apply(subHash, full, sub, depth+1)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if nh.IsZero() && te.keepEmpty && exists {
			if te.emptyBlob.IsZero() {
				if te.emptyBlob, err = te.r.writeBlob(nil); err != nil {
					return plumbing.ZeroHash, err
				}
			}
			nh, err = te.r.writeObject(&object.Tree{Entries: []object.TreeEntry{{Name: ".gitkeep", Mode: filemode.Regular, Hash: te.emptyBlob}}})
			if err != nil {
				return plumbing.ZeroHash, err
			}
		}
		switch {
		case nh.IsZero() && exists:
			removed[name] = true
		case nh.IsZero():
		case exists:
			entries[i].Hash = nh
		default:
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: nh})
			idx[name] = len(entries) - 1
		}
	}
	out := entries[:0]
	for _, e := range entries {
		if !removed[e.Name] {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return plumbing.ZeroHash, nil
	}
	sortEntries(out)
	return te.r.writeObject(&object.Tree{Entries: out})
}

// emptyTree writes the empty tree (a commit whose files were all deleted has it).
func (r *gitRepo) emptyTree() (plumbing.Hash, error) {
	return r.writeObject(&object.Tree{})
}

// lookupPath finds the entry at p in tree h ("" is the tree itself).
func (r *gitRepo) lookupPath(tree *object.Tree, p string) (*object.TreeEntry, error) {
	e, err := tree.FindEntry(p)
	if err != nil {
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrFileNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return e, nil
}

func modeName(m filemode.FileMode) string {
	switch m {
	case filemode.Executable:
		return "EXECUTABLE"
	case filemode.Symlink:
		return "SYMLINK"
	}
	return "NORMAL"
}

func parseMode(s string) (filemode.FileMode, bool) {
	switch s {
	case "", "NORMAL":
		return filemode.Regular, true
	case "EXECUTABLE":
		return filemode.Executable, true
	case "SYMLINK":
		return filemode.Symlink, true
	}
	return 0, false
}

// filePath checks a request's file path: PathRequiredException when empty,
// InvalidPathException when not a valid path; else the cleaned path.
func filePath(p string) (string, error) {
	if p == "" {
		return "", ErrPathRequired
	}
	c, ok := cleanPath(p)
	if !ok {
		return "", ErrInvalidPath
	}
	return c, nil
}

// cleanPath normalizes an API file path; ok is false for paths AWS rejects.
func cleanPath(p string) (string, bool) {
	p = strings.Trim(p, "/")
	if p == "" || len(p) > 4096 || strings.ContainsRune(p, 0) {
		return "", false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || part == ".git" {
			return "", false
		}
	}
	return p, true
}

var _ = bytes.Equal
