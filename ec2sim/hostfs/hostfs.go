package hostfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Cred is who performs an operation: a user id and its groups. The zero Cred is root (UID 0),
// which passes every permission check but execute.
type Cred struct {
	UID    int
	GID    int
	Groups []int
}

func (c Cred) inGroup(gid int) bool {
	return c.GID == gid || slices.Contains(c.Groups, gid)
}

// node is one inode. Nodes are immutable once stored in a map: every change stores a new
// node, so a Snapshot can share them (copy-on-write).
type node struct {
	mode   fs.FileMode // type bits and permission bits (incl. setuid/setgid/sticky)
	uid    int
	gid    int
	data   []byte // file contents; never mutated in place
	target string // symlink target
	mtime  time.Time
}

// FS is an in-memory file system with modes, owners and symbolic links. It is safe for
// concurrent use.
type FS struct {
	mu    sync.RWMutex
	nodes map[string]*node
	now   func() time.Time
}

// New returns an FS holding only the root directory. now gives modification times (nil means
// the zero time, keeping the package free of wall-clock reads).
func New(now func() time.Time) *FS {
	if now == nil {
		now = func() time.Time { return time.Time{} }
	}
	f := &FS{nodes: map[string]*node{}, now: now}
	f.nodes["/"] = &node{mode: fs.ModeDir | 0o755, mtime: now()}
	return f
}

// Snapshot returns a copy of f that shares file contents with it until either side changes
// them (copy-on-write). It costs one map copy.
func (f *FS) Snapshot() *FS {
	f.mu.RLock()
	defer f.mu.RUnlock()
	c := &FS{nodes: make(map[string]*node, len(f.nodes)), now: f.now}
	for k, v := range f.nodes {
		c.nodes[k] = v
	}
	return c
}

// WithClock returns f's snapshot using now for modification times.
func (f *FS) WithClock(now func() time.Time) *FS {
	c := f.Snapshot()
	if now != nil {
		c.now = now
	}
	return c
}

// Len is the number of entries (files, directories and links, including "/").
func (f *FS) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.nodes)
}

func perr(op, p string, err error) error { return &fs.PathError{Op: op, Path: p, Err: err} }

// Clean makes p absolute and clean.
func Clean(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return path.Clean(p)
}

const maxLinks = 40

// resolveLocked follows symbolic links in every component of p (and in the last one when
// follow). It returns the resolved path and its node (nil if the last component is missing
// but its parent exists).
func (f *FS) resolveLocked(p string, follow bool) (string, *node, error) {
	p = Clean(p)
	for hops := 0; hops < maxLinks; hops++ {
		if p == "/" {
			return p, f.nodes["/"], nil
		}
		restarted := false
		// Walk the prefixes "/a", "/a/b", ... without allocating.
		for i := 1; i <= len(p); i++ {
			if i < len(p) && p[i] != '/' {
				continue
			}
			cur := p[:i]
			last := i == len(p)
			n := f.nodes[cur]
			if n == nil {
				if last {
					return cur, nil, nil
				}
				return cur, nil, fs.ErrNotExist
			}
			if n.mode&fs.ModeSymlink != 0 && (!last || follow) {
				t := n.target
				if !strings.HasPrefix(t, "/") {
					t = path.Join(path.Dir(cur), t)
				}
				p = Clean(t + p[i:])
				restarted = true
				break
			}
			if !last && !n.mode.IsDir() {
				return cur, nil, syscall.ENOTDIR
			}
			if last {
				return cur, n, nil
			}
		}
		if !restarted {
			return p, f.nodes[p], nil
		}
	}
	return p, nil, syscall.ELOOP
}

// can reports whether c may access n with want (4 read, 2 write, 1 exec).
func can(c Cred, n *node, want fs.FileMode) bool {
	if c.UID == 0 {
		if want&1 != 0 && !n.mode.IsDir() {
			return n.mode&0o111 != 0
		}
		return true
	}
	perm := n.mode.Perm()
	var bits fs.FileMode
	switch {
	case c.UID == n.uid:
		bits = (perm >> 6) & 7
	case c.inGroup(n.gid):
		bits = (perm >> 3) & 7
	default:
		bits = perm & 7
	}
	return bits&want == want
}

// parentLocked returns the resolved parent directory of p (which must exist and be writable
// and searchable by c) and the base name.
func (f *FS) parentLocked(op string, c Cred, p string) (dir string, base string, err error) {
	p = Clean(p)
	if p == "/" {
		return "", "", perr(op, p, fs.ErrExist)
	}
	d, b := path.Split(p)
	rd, dn, err := f.resolveLocked(d, true)
	if err != nil {
		return "", "", perr(op, p, err)
	}
	if dn == nil {
		return "", "", perr(op, p, fs.ErrNotExist)
	}
	if !dn.mode.IsDir() {
		return "", "", perr(op, p, syscall.ENOTDIR)
	}
	if !can(c, dn, 3) {
		return "", "", perr(op, p, fs.ErrPermission)
	}
	if rd == "/" {
		rd = ""
	}
	return rd, b, nil
}

// Stat describes the file at name, following symbolic links.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p, n, err := f.resolveLocked(name, true)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, perr("stat", name, err)
	}
	return info(path.Base(p), n), nil
}

// Lstat describes the file at name without following a final symbolic link.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p, n, err := f.resolveLocked(name, false)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, perr("lstat", name, err)
	}
	return info(path.Base(p), n), nil
}

// Access reports whether c may read (4), write (2) or execute (1) name.
func (f *FS) Access(c Cred, name string, want fs.FileMode) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, n, err := f.resolveLocked(name, true)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return perr("access", name, err)
	}
	if !can(c, n, want) {
		return perr("access", name, fs.ErrPermission)
	}
	return nil
}

// ReadDir lists the directory name, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p, n, err := f.resolveLocked(name, true)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, perr("readdir", name, err)
	}
	if !n.mode.IsDir() {
		return nil, perr("readdir", name, syscall.ENOTDIR)
	}
	prefix := p + "/"
	if p == "/" {
		prefix = "/"
	}
	var out []fs.DirEntry
	for k, v := range f.nodes {
		if k == "/" || !strings.HasPrefix(k, prefix) || strings.Contains(k[len(prefix):], "/") {
			continue
		}
		out = append(out, fs.FileInfoToDirEntry(info(k[len(prefix):], v)))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Mkdir creates one directory owned by c.
func (f *FS) Mkdir(c Cred, name string, perm fs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mkdirLocked(c, name, perm)
}

func (f *FS) mkdirLocked(c Cred, name string, perm fs.FileMode) error {
	d, b, err := f.parentLocked("mkdir", c, name)
	if err != nil {
		return err
	}
	if f.nodes[d+"/"+b] != nil {
		return perr("mkdir", name, fs.ErrExist)
	}
	f.nodes[d+"/"+b] = &node{mode: fs.ModeDir | perm&(fs.ModePerm|fs.ModeSetgid|fs.ModeSticky), uid: c.UID, gid: c.GID, mtime: f.now()}
	return nil
}

// MkdirAll creates name and any missing parents.
func (f *FS) MkdirAll(c Cred, name string, perm fs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = Clean(name)
	if name == "/" {
		return nil
	}
	parts := strings.Split(name[1:], "/")
	cur := ""
	for _, part := range parts {
		cur += "/" + part
		_, n, err := f.resolveLocked(cur, true)
		if err != nil {
			return perr("mkdir", cur, err)
		}
		if n != nil {
			if !n.mode.IsDir() {
				return perr("mkdir", cur, syscall.ENOTDIR)
			}
			continue
		}
		if err := f.mkdirLocked(c, cur, perm); err != nil {
			return err
		}
	}
	return nil
}

// ReadFile returns the contents of name, without permission checks.
func (f *FS) ReadFile(name string) ([]byte, error) {
	return f.ReadFileAs(Cred{}, name)
}

// ReadFileAs returns the contents of name as read by c.
func (f *FS) ReadFileAs(c Cred, name string) ([]byte, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, n, err := f.resolveLocked(name, true)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, perr("open", name, err)
	}
	if n.mode.IsDir() {
		return nil, perr("read", name, syscall.EISDIR)
	}
	if !can(c, n, 4) {
		return nil, perr("open", name, fs.ErrPermission)
	}
	return bytes.Clone(n.data), nil
}

// WriteFile writes data to name as c, creating it with perm if missing (then owned by c).
func (f *FS) WriteFile(c Cred, name string, data []byte, perm fs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.createLocked(c, name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	n := *f.nodes[p]
	n.data = bytes.Clone(data)
	n.mtime = f.now()
	f.nodes[p] = &n
	return nil
}

// createLocked opens (and maybe creates or truncates) the regular file at name for writing
// and returns its resolved path.
func (f *FS) createLocked(c Cred, name string, flag int, perm fs.FileMode) (string, error) {
	p, n, err := f.resolveLocked(name, true)
	if err != nil {
		return "", perr("open", name, err)
	}
	if n == nil {
		if flag&os.O_CREATE == 0 {
			return "", perr("open", name, fs.ErrNotExist)
		}
		d, b, err := f.parentLocked("open", c, p)
		if err != nil {
			return "", err
		}
		p = d + "/" + b
		f.nodes[p] = &node{mode: perm & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid), uid: c.UID, gid: c.GID, mtime: f.now()}
		return p, nil
	}
	if flag&os.O_EXCL != 0 && flag&os.O_CREATE != 0 {
		return "", perr("open", name, fs.ErrExist)
	}
	if n.mode.IsDir() {
		return "", perr("open", name, syscall.EISDIR)
	}
	if !can(c, n, 2) {
		return "", perr("open", name, fs.ErrPermission)
	}
	if flag&os.O_TRUNC != 0 {
		c := *n
		c.data = nil
		c.mtime = f.now()
		f.nodes[p] = &c
	}
	return p, nil
}

// OpenFile opens name as c with os.O_* flags.
func (f *FS) OpenFile(c Cred, name string, flag int, perm fs.FileMode) (*File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_TRUNC) != 0 {
		p, err := f.createLocked(c, name, flag, perm)
		if err != nil {
			return nil, err
		}
		n := f.nodes[p]
		file := &File{fs: f, path: p, name: path.Base(p), writable: true}
		file.buf = bytes.Clone(n.data)
		if flag&os.O_APPEND != 0 {
			file.append = true
		}
		if flag&os.O_RDWR != 0 {
			file.rd = bytes.NewReader(n.data)
		}
		return file, nil
	}
	p, n, err := f.resolveLocked(name, true)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, perr("open", name, err)
	}
	if !can(c, n, 4) {
		return nil, perr("open", name, fs.ErrPermission)
	}
	return &File{fs: f, path: p, name: path.Base(p), rd: bytes.NewReader(n.data), dir: n.mode.IsDir(), info: info(path.Base(p), n)}, nil
}

// Open opens name for reading as root.
func (f *FS) Open(name string) (*File, error) { return f.OpenFile(Cred{}, name, os.O_RDONLY, 0) }

// Remove removes a file, link or empty directory.
func (f *FS) Remove(c Cred, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, b, err := f.parentLocked("remove", c, name)
	if err != nil {
		return err
	}
	p := d + "/" + b
	n := f.nodes[p]
	if n == nil {
		return perr("remove", name, fs.ErrNotExist)
	}
	if n.mode.IsDir() {
		for k := range f.nodes {
			if strings.HasPrefix(k, p+"/") {
				return perr("remove", name, syscall.ENOTEMPTY)
			}
		}
	}
	delete(f.nodes, p)
	return nil
}

// RemoveAll removes name and everything below it; a missing name is not an error.
func (f *FS) RemoveAll(c Cred, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if Clean(name) == "/" {
		return perr("remove", name, syscall.EBUSY)
	}
	d, b, err := f.parentLocked("remove", c, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	p := d + "/" + b
	if f.nodes[p] == nil {
		return nil
	}
	// A non-root user needs write access to every directory emptied.
	if c.UID != 0 {
		for k, v := range f.nodes {
			if strings.HasPrefix(k, p+"/") && v.mode.IsDir() && !can(c, v, 3) {
				return perr("remove", k, fs.ErrPermission)
			}
		}
		if n := f.nodes[p]; n.mode.IsDir() && !can(c, n, 3) {
			return perr("remove", p, fs.ErrPermission)
		}
	}
	for k := range f.nodes {
		if strings.HasPrefix(k, p+"/") {
			delete(f.nodes, k)
		}
	}
	delete(f.nodes, p)
	return nil
}

// Rename moves oldname to newname (replacing a file there, or an empty directory).
func (f *FS) Rename(c Cred, oldname, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	od, ob, err := f.parentLocked("rename", c, oldname)
	if err != nil {
		return err
	}
	op := od + "/" + ob
	n := f.nodes[op]
	if n == nil {
		return perr("rename", oldname, fs.ErrNotExist)
	}
	nd, nb, err := f.parentLocked("rename", c, newname)
	if err != nil {
		return err
	}
	np := nd + "/" + nb
	if np == op {
		return nil
	}
	if strings.HasPrefix(np, op+"/") {
		return perr("rename", newname, syscall.EINVAL)
	}
	if t := f.nodes[np]; t != nil {
		if t.mode.IsDir() != n.mode.IsDir() {
			if t.mode.IsDir() {
				return perr("rename", newname, syscall.EISDIR)
			}
			return perr("rename", newname, syscall.ENOTDIR)
		}
		for k := range f.nodes {
			if strings.HasPrefix(k, np+"/") {
				return perr("rename", newname, syscall.ENOTEMPTY)
			}
		}
	}
	moved := map[string]*node{}
	for k, v := range f.nodes {
		if strings.HasPrefix(k, op+"/") {
			moved[np+k[len(op):]] = v
			delete(f.nodes, k)
		}
	}
	delete(f.nodes, op)
	f.nodes[np] = n
	for k, v := range moved {
		f.nodes[k] = v
	}
	return nil
}

// Symlink creates newname as a symbolic link to target.
func (f *FS) Symlink(c Cred, target, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, b, err := f.parentLocked("symlink", c, newname)
	if err != nil {
		return err
	}
	if f.nodes[d+"/"+b] != nil {
		return perr("symlink", newname, fs.ErrExist)
	}
	f.nodes[d+"/"+b] = &node{mode: fs.ModeSymlink | 0o777, uid: c.UID, gid: c.GID, target: target, mtime: f.now()}
	return nil
}

// Readlink returns the target of the symbolic link name.
func (f *FS) Readlink(name string) (string, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, n, err := f.resolveLocked(name, false)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return "", perr("readlink", name, err)
	}
	if n.mode&fs.ModeSymlink == 0 {
		return "", perr("readlink", name, syscall.EINVAL)
	}
	return n.target, nil
}

// Realpath resolves every symbolic link in name.
func (f *FS) Realpath(name string) (string, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p, n, err := f.resolveLocked(name, true)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return "", perr("realpath", name, err)
	}
	return p, nil
}

func (f *FS) modify(op string, c Cred, name string, follow bool, fn func(n *node) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, n, err := f.resolveLocked(name, follow)
	if err == nil && n == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return perr(op, name, err)
	}
	cp := *n
	if err := fn(&cp); err != nil {
		return perr(op, name, err)
	}
	f.nodes[p] = &cp
	return nil
}

// Chmod sets the permission bits of name; only its owner or root may.
func (f *FS) Chmod(c Cred, name string, mode fs.FileMode) error {
	return f.modify("chmod", c, name, true, func(n *node) error {
		if c.UID != 0 && c.UID != n.uid {
			return fs.ErrPermission
		}
		n.mode = n.mode&fs.ModeType | mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
		return nil
	})
}

// Chown sets the owner and group of name (a negative id leaves it unchanged); only root may
// change the owner, and an owner may change the group to one of its own.
func (f *FS) Chown(c Cred, name string, uid, gid int) error {
	return f.chown(c, name, uid, gid, true)
}

// Lchown is Chown on a symbolic link itself.
func (f *FS) Lchown(c Cred, name string, uid, gid int) error {
	return f.chown(c, name, uid, gid, false)
}

func (f *FS) chown(c Cred, name string, uid, gid int, follow bool) error {
	return f.modify("chown", c, name, follow, func(n *node) error {
		if c.UID != 0 {
			if (uid >= 0 && uid != n.uid) || c.UID != n.uid || (gid >= 0 && !c.inGroup(gid)) {
				return fs.ErrPermission
			}
		}
		if uid >= 0 {
			n.uid = uid
		}
		if gid >= 0 {
			n.gid = gid
		}
		return nil
	})
}

// Chtimes sets the modification time of name, creating nothing.
func (f *FS) Chtimes(c Cred, name string, mtime time.Time) error {
	return f.modify("chtimes", c, name, true, func(n *node) error {
		if c.UID != 0 && c.UID != n.uid && !can(c, n, 2) {
			return fs.ErrPermission
		}
		n.mtime = mtime
		return nil
	})
}

// Now is the FS's current time.
func (f *FS) Now() time.Time { return f.now() }

// Walk calls fn for root and everything below it in lexical order, not following links.
func (f *FS) Walk(root string, fn func(p string, fi fs.FileInfo) error) error {
	root = Clean(root)
	f.mu.RLock()
	type entry struct {
		p string
		n *node
	}
	var list []entry
	for k, v := range f.nodes {
		if k == root || strings.HasPrefix(k, root+"/") || root == "/" {
			list = append(list, entry{k, v})
		}
	}
	f.mu.RUnlock()
	if len(list) == 0 {
		return perr("walk", root, fs.ErrNotExist)
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.p, b.p) })
	for _, e := range list {
		if err := fn(e.p, info(path.Base(e.p), e.n)); err != nil {
			if errors.Is(err, fs.SkipDir) {
				continue
			}
			return err
		}
	}
	return nil
}

// FileInfo is what Stat returns; Sys() is *Owner.
type fileInfo struct {
	name string
	n    *node
}

// Owner is the Sys() value of a FileInfo from this package.
type Owner struct {
	UID, GID int
	Target   string // symlink target
}

func info(name string, n *node) fs.FileInfo {
	if name == "" {
		name = "/"
	}
	return fileInfo{name: name, n: n}
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return int64(len(fi.n.data)) }
func (fi fileInfo) Mode() fs.FileMode  { return fi.n.mode }
func (fi fileInfo) ModTime() time.Time { return fi.n.mtime }
func (fi fileInfo) IsDir() bool        { return fi.n.mode.IsDir() }
func (fi fileInfo) Sys() any           { return &Owner{UID: fi.n.uid, GID: fi.n.gid, Target: fi.n.target} }

// OwnerOf returns the owner of a FileInfo from this package (-1, -1 otherwise).
func OwnerOf(fi fs.FileInfo) (uid, gid int) {
	if o, ok := fi.Sys().(*Owner); ok {
		return o.UID, o.GID
	}
	return -1, -1
}

// File is an open file. Writes are visible to others as soon as Write returns.
type File struct {
	fs       *FS
	path     string
	name     string
	rd       *bytes.Reader
	writable bool
	append   bool
	buf      []byte
	off      int
	dir      bool
	info     fs.FileInfo
	dirRead  bool
	closed   bool
}

// Read reads from a file opened for reading.
func (fl *File) Read(p []byte) (int, error) {
	if fl.dir {
		return 0, perr("read", fl.path, syscall.EISDIR)
	}
	if fl.rd == nil {
		return 0, perr("read", fl.path, syscall.EBADF)
	}
	return fl.rd.Read(p)
}

// Seek moves the read offset.
func (fl *File) Seek(offset int64, whence int) (int64, error) {
	if fl.rd == nil {
		return 0, perr("seek", fl.path, syscall.EBADF)
	}
	return fl.rd.Seek(offset, whence)
}

// Write writes to a file opened for writing.
func (fl *File) Write(p []byte) (int, error) {
	if !fl.writable || fl.closed {
		return 0, perr("write", fl.path, syscall.EBADF)
	}
	if fl.append {
		fl.off = len(fl.buf)
	}
	end := fl.off + len(p)
	if end > len(fl.buf) {
		fl.buf = append(fl.buf, make([]byte, end-len(fl.buf))...)
	}
	copy(fl.buf[fl.off:], p)
	fl.off = end
	// Publish a copy so later writes never change what others hold.
	data := bytes.Clone(fl.buf)
	f := fl.fs
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.nodes[fl.path]
	if n == nil { // removed while open: keep writing into the void, like an unlinked inode
		return len(p), nil
	}
	c := *n
	c.data = data
	c.mtime = f.now()
	f.nodes[fl.path] = &c
	return len(p), nil
}

// Close closes the file.
func (fl *File) Close() error { fl.closed = true; return nil }

// Stat describes the open file.
func (fl *File) Stat() (fs.FileInfo, error) {
	if fl.info != nil {
		return fl.info, nil
	}
	return fl.fs.Stat(fl.path)
}

// ReadDir lists an open directory (fs.ReadDirFile).
func (fl *File) ReadDir(n int) ([]fs.DirEntry, error) {
	if !fl.dir {
		return nil, perr("readdir", fl.path, syscall.ENOTDIR)
	}
	if fl.dirRead {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	fl.dirRead = true
	return fl.fs.ReadDir(fl.path)
}

// IOFS returns a read-only io/fs view of the tree below root (for net/http.FS and friends).
func (f *FS) IOFS(root string) fs.FS { return ioFS{f: f, root: Clean(root)} }

type ioFS struct {
	f    *FS
	root string
}

func (i ioFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, perr("open", name, fs.ErrInvalid)
	}
	fl, err := i.f.OpenFile(Cred{}, path.Join(i.root, name), os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	return fl, nil
}
