package hostfs_test

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

func TestPermissionsLinksSnapshot(t *testing.T) {
	root := hostfs.Cred{}
	user := hostfs.Cred{UID: 1000, GID: 1000}
	f := hostfs.New(nil)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.MkdirAll(root, "/etc/app", 0o755))
	must(f.WriteFile(root, "/etc/app/conf", []byte("a"), 0o644))
	must(f.MkdirAll(root, "/home/u", 0o700))
	must(f.Chown(root, "/home/u", 1000, 1000))
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"user writes root file", f.WriteFile(user, "/etc/app/conf", []byte("x"), 0o644), fs.ErrPermission},
		{"user creates in root dir", f.WriteFile(user, "/etc/app/new", []byte("x"), 0o644), fs.ErrPermission},
		{"user writes home", f.WriteFile(user, "/home/u/f", []byte("x"), 0o600), nil},
		{"user reads root 0600", func() error {
			must(f.WriteFile(root, "/etc/secret", []byte("s"), 0o600))
			_, err := f.ReadFileAs(user, "/etc/secret")
			return err
		}(), fs.ErrPermission},
		{"user chowns", f.Chown(user, "/home/u/f", 0, 0), fs.ErrPermission},
		{"user chmods own", f.Chmod(user, "/home/u/f", 0o644), nil},
		{"remove non-empty", f.Remove(root, "/etc/app"), syscall.ENOTEMPTY},
		{"mkdir exists", f.Mkdir(root, "/etc", 0o755), fs.ErrExist},
		{"file as dir", f.MkdirAll(root, "/etc/app/conf/x", 0o755), syscall.ENOTDIR},
		{"loop", func() error {
			must(f.Symlink(root, "/loop2", "/loop1"))
			must(f.Symlink(root, "/loop1", "/loop2"))
			_, err := f.Stat("/loop1")
			return err
		}(), syscall.ELOOP},
	}
	for _, tc := range tests {
		if tc.want == nil && tc.err != nil || tc.want != nil && !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	must(f.Symlink(root, "app", "/etc/link"))
	if b, err := f.ReadFile("/etc/link/conf"); err != nil || string(b) != "a" {
		t.Errorf("relative link: %q %v", b, err)
	}
	snap := f.Snapshot()
	must(f.WriteFile(root, "/etc/app/conf", []byte("changed"), 0o644))
	fl, err := f.OpenFile(root, "/etc/app/conf", os.O_WRONLY|os.O_APPEND, 0)
	must(err)
	fl.Write([]byte("+more"))
	fl.Close()
	if b, _ := snap.ReadFile("/etc/app/conf"); string(b) != "a" {
		t.Errorf("snapshot changed: %q", b)
	}
	if b, _ := f.ReadFile("/etc/app/conf"); string(b) != "changed+more" {
		t.Errorf("append: %q", b)
	}
	must(f.Rename(root, "/etc/app", "/etc/app2"))
	if _, err := f.Stat("/etc/app2/conf"); err != nil {
		t.Error(err)
	}
	ents, _ := f.ReadDir("/etc")
	if len(ents) != 3 {
		t.Errorf("%d entries in /etc", len(ents))
	}
}
