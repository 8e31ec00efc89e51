// Package hostfs is the private in-memory file system of a simulated host: directories,
// regular files, symbolic links, permission bits (including setgid and sticky), numeric owners
// and groups, and modification times from an injected clock.
//
// Permission checks follow POSIX for the operations a deploy script performs: creating or
// removing an entry needs write and search permission on its directory, reading a file needs
// read permission, writing needs write permission, chmod needs ownership and chown needs root.
// The zero Cred is root and passes every check.
//
// Snapshot copies the tree in one map copy; file contents are shared and never mutated in
// place, so snapshots are copy-on-write (what an AMI is made of).
//
// An FS is safe for concurrent use. A File is not; use one per goroutine. Errors are
// *fs.PathError wrapping fs.ErrNotExist, fs.ErrExist, fs.ErrPermission or a syscall.Errno
// (ENOTDIR, EISDIR, ENOTEMPTY, ELOOP).
package hostfs
