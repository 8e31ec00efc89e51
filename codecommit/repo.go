package codecommit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"
)

// gitRepo is one repository's object and reference storage with the lock that makes it safe
// for concurrent use: readers (clone, fetch, GetFile) share it; writers (push, commits, ref
// changes) hold it alone. go-git's storages are not safe for concurrent use on their own.
type gitRepo struct {
	// packMu guards the cached full-clone pack (see uploadPack).
	packMu   sync.Mutex
	packKey  string
	packData []byte

	mu   sync.RWMutex
	st   storage.Storer
	disk bool
	dir  string
}

// repoStore owns the open repositories, keyed by repository ID.
type repoStore struct {
	mu    sync.Mutex
	dir   string // "" = memory
	repos map[string]*gitRepo
}

func newRepoStore(dir string) *repoStore {
	return &repoStore{dir: dir, repos: map[string]*gitRepo{}}
}

// open returns the repository with id, creating empty storage if none exists yet.
func (rs *repoStore) open(id string) (*gitRepo, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if r, ok := rs.repos[id]; ok {
		return r, nil
	}
	r := &gitRepo{}
	if rs.dir == "" {
		r.st = memory.NewStorage()
	} else {
		r.disk = true
		r.dir = filepath.Join(rs.dir, id+".git")
		if err := os.MkdirAll(r.dir, 0o755); err != nil {
			return nil, err
		}
		fs := filesystem.NewStorageWithOptions(osfs.New(r.dir), cache.NewObjectLRUDefault(), filesystem.Options{})
		r.st = fs
		// A new bare repository needs HEAD and a config.
		if _, err := fs.Reference(plumbing.HEAD); errors.Is(err, plumbing.ErrReferenceNotFound) {
			if err := fs.Init(); err != nil {
				return nil, err
			}
		}
	}
	if _, err := r.st.Reference(plumbing.HEAD); errors.Is(err, plumbing.ErrReferenceNotFound) {
		if err := r.st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
			return nil, err
		}
	}
	rs.repos[id] = r
	return r, nil
}

// remove drops the repository and its files.
func (rs *repoStore) remove(id string) error {
	rs.mu.Lock()
	r := rs.repos[id]
	delete(rs.repos, id)
	rs.mu.Unlock()
	if r != nil && r.disk {
		r.mu.Lock()
		defer r.mu.Unlock()
		return os.RemoveAll(r.dir)
	}
	if rs.dir != "" {
		return os.RemoveAll(filepath.Join(rs.dir, id+".git"))
	}
	return nil
}

// rlock takes the read side. On disk the storage caches packfiles lazily, so readers are
// exclusive there too.
func (r *gitRepo) rlock() {
	if r.disk {
		r.mu.Lock()
		return
	}
	r.mu.RLock()
}

func (r *gitRepo) runlock() {
	if r.disk {
		r.mu.Unlock()
		return
	}
	r.mu.RUnlock()
}

// objectStorer hides PackfileWriter so received packs (thin ones included) are always parsed
// against the existing objects rather than copied verbatim.
type objectStorer struct{ storer.EncodedObjectStorer }

// refUpdate is one reference change with its old and new values (zero hash = absent).
type refUpdate struct {
	Name plumbing.ReferenceName
	Old  plumbing.Hash
	New  plumbing.Hash
}

// errRefMoved reports that a ref was not at the value the caller expected.
type errRefMoved struct {
	name     plumbing.ReferenceName
	got, exp plumbing.Hash
}

func (e *errRefMoved) Error() string {
	if e.got.IsZero() {
		return fmt.Sprintf("cannot lock ref '%s': reference is missing but expected %s", e.name, e.exp)
	}
	if e.exp.IsZero() {
		return fmt.Sprintf("cannot lock ref '%s': reference already exists", e.name)
	}
	return fmt.Sprintf("cannot lock ref '%s': is at %s but expected %s", e.name, e.got, e.exp)
}

// refHash returns the hash of ref name, or the zero hash when missing. Caller holds a lock.
func (r *gitRepo) refHash(name plumbing.ReferenceName) (plumbing.Hash, error) {
	ref, err := r.st.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if ref.Type() == plumbing.SymbolicReference {
		ref, err = storer.ResolveReference(r.st, name)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return plumbing.ZeroHash, nil
		}
		if err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return ref.Hash(), nil
}

// applyLocked compares and sets one ref. Caller holds the write lock.
func (r *gitRepo) applyLocked(u refUpdate) error {
	cur, err := r.refHash(u.Name)
	if err != nil {
		return err
	}
	if cur != u.Old {
		return &errRefMoved{name: u.Name, got: cur, exp: u.Old}
	}
	if u.New.IsZero() {
		return r.st.RemoveReference(u.Name)
	}
	return r.st.SetReference(plumbing.NewHashReference(u.Name, u.New))
}

// commit reads a commit object. Caller holds a lock.
func (r *gitRepo) commit(h plumbing.Hash) (*object.Commit, error) {
	return object.GetCommit(r.st, h)
}

// headBranch is the branch HEAD points at.
func (r *gitRepo) headBranch() string {
	ref, err := r.st.Reference(plumbing.HEAD)
	if err != nil || ref.Type() != plumbing.SymbolicReference {
		return ""
	}
	return ref.Target().Short()
}

// branches lists the branch names with their tips. Caller holds a lock.
func (r *gitRepo) refs() (map[plumbing.ReferenceName]plumbing.Hash, error) {
	it, err := r.st.IterReferences()
	if err != nil {
		return nil, err
	}
	out := map[plumbing.ReferenceName]plumbing.Hash{}
	err = it.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.HashReference && ref.Name() != plumbing.HEAD {
			out[ref.Name()] = ref.Hash()
		}
		return nil
	})
	return out, err
}
