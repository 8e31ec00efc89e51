package host

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

// User is an account on the host, from /etc/passwd and /etc/group.
type User struct {
	Name   string
	UID    int
	GID    int
	Groups []int // supplementary groups
	Home   string
	Shell  string
}

// Cred is the user's file-system credential.
func (u User) Cred() hostfs.Cred { return hostfs.Cred{UID: u.UID, GID: u.GID, Groups: u.Groups} }

// Group is a group on the host.
type Group struct {
	Name    string
	GID     int
	Members []string
}

// DefaultUser is the distribution's login user: ec2-user, or ubuntu on Ubuntu.
func DefaultUser(distro string) string {
	if distro == "ubuntu" {
		return "ubuntu"
	}
	return "ec2-user"
}

// BaseFS returns the file system of a freshly installed distribution.
func BaseFS(distro string, now func() time.Time) *hostfs.FS {
	f := hostfs.New(now)
	root := hostfs.Cred{}
	for _, d := range []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/usr/lib", "/usr/share",
		"/etc", "/etc/systemd/system", "/etc/sudoers.d", "/etc/skel", "/root", "/home", "/opt", "/srv", "/mnt", "/run", "/dev",
		"/var", "/var/log", "/var/lib", "/var/lib/cloud", "/var/cache", "/var/tmp", "/var/lib/devopsim", "/usr/share/doc"} {
		_ = f.MkdirAll(root, d, 0o755)
	}
	_ = f.Chmod(root, "/root", 0o550)
	_ = f.Mkdir(root, "/tmp", 0o777)
	_ = f.Chmod(root, "/tmp", 0o777|fs.ModeSticky)
	_ = f.Chmod(root, "/var/tmp", 0o777|fs.ModeSticky)
	login := DefaultUser(distro)
	admin := "wheel"
	if distro == "ubuntu" {
		admin = "sudo"
	}
	passwd := "root:x:0:0:root:/root:/bin/bash\n" +
		"bin:x:1:1:bin:/bin:/sbin/nologin\n" +
		"daemon:x:2:2:daemon:/sbin:/sbin/nologin\n" +
		"nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n" +
		login + ":x:1000:1000:Cloud User:/home/" + login + ":/bin/bash\n"
	group := "root:x:0:\nbin:x:1:\ndaemon:x:2:\nadm:x:4:" + login + "\n" + admin + ":x:10:" + login + "\nnobody:x:65534:\n" + login + ":x:1000:\n"
	_ = f.WriteFile(root, "/etc/passwd", []byte(passwd), 0o644)
	_ = f.WriteFile(root, "/etc/group", []byte(group), 0o644)
	_ = f.WriteFile(root, "/etc/shadow", []byte(""), 0o000)
	_ = f.WriteFile(root, "/etc/sudoers.d/90-cloud-init-users", []byte(login+" ALL=(ALL) NOPASSWD:ALL\n"), 0o440)
	_ = f.MkdirAll(root, "/home/"+login, 0o700)
	_ = f.Chown(root, "/home/"+login, 1000, 1000)
	_ = f.MkdirAll(root, "/home/"+login+"/.ssh", 0o700)
	_ = f.Chown(root, "/home/"+login+"/.ssh", 1000, 1000)
	osr := ""
	switch distro {
	case "amzn2":
		osr = "NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n"
	case "ubuntu":
		osr = "NAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 24.04 LTS\"\nVERSION_CODENAME=noble\n"
	default:
		osr = "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPRETTY_NAME=\"Amazon Linux 2023\"\n"
	}
	_ = f.WriteFile(root, "/etc/os-release", []byte(osr), 0o644)
	_ = f.WriteFile(root, "/etc/hosts", []byte("127.0.0.1   localhost localhost.localdomain\n::1         localhost6 localhost6.localdomain6\n"), 0o644)
	_ = f.WriteFile(root, "/etc/resolv.conf", []byte("nameserver 169.254.169.253\n"), 0o644)
	_ = f.WriteFile(root, "/etc/fstab", []byte("UUID=00000000-0000-0000-0000-000000000000     /           xfs    defaults,noatime  1   1\n"), 0o644)
	_ = f.WriteFile(root, "/var/lib/devopsim/packages", []byte(""), 0o644)
	return f
}

func (h *Host) readDB(name string) [][]string {
	data, err := h.fs.ReadFile(name)
	if err != nil {
		return nil
	}
	var out [][]string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, ":"))
	}
	return out
}

// Groups lists the host's groups.
func (h *Host) Groups() []Group {
	var out []Group
	for _, f := range h.readDB("/etc/group") {
		if len(f) < 3 {
			continue
		}
		gid, _ := strconv.Atoi(f[2])
		g := Group{Name: f[0], GID: gid}
		if len(f) > 3 && f[3] != "" {
			g.Members = strings.Split(f[3], ",")
		}
		out = append(out, g)
	}
	return out
}

// LookupGroup finds a group by name or numeric id.
func (h *Host) LookupGroup(name string) (Group, error) {
	for _, g := range h.Groups() {
		if g.Name == name || strconv.Itoa(g.GID) == name {
			return g, nil
		}
	}
	return Group{}, fmt.Errorf("group %q does not exist", name)
}

// Users lists the host's users.
func (h *Host) Users() []User {
	groups := h.Groups()
	var out []User
	for _, f := range h.readDB("/etc/passwd") {
		if len(f) < 7 {
			continue
		}
		uid, _ := strconv.Atoi(f[2])
		gid, _ := strconv.Atoi(f[3])
		u := User{Name: f[0], UID: uid, GID: gid, Home: f[5], Shell: f[6]}
		for _, g := range groups {
			for _, m := range g.Members {
				if m == u.Name && g.GID != gid {
					u.Groups = append(u.Groups, g.GID)
				}
			}
		}
		out = append(out, u)
	}
	return out
}

// LookupUser finds a user by name or numeric id.
func (h *Host) LookupUser(name string) (User, error) {
	for _, u := range h.Users() {
		if u.Name == name || strconv.Itoa(u.UID) == name {
			return u, nil
		}
	}
	if name == "root" || name == "0" {
		return User{Name: "root", Home: "/root", Shell: "/bin/bash"}, nil
	}
	return User{}, fmt.Errorf("user %q does not exist", name)
}

func (h *Host) userName(uid int) string {
	for _, u := range h.Users() {
		if u.UID == uid {
			return u.Name
		}
	}
	return strconv.Itoa(uid)
}

func (h *Host) groupName(gid int) string {
	for _, g := range h.Groups() {
		if g.GID == gid {
			return g.Name
		}
	}
	return strconv.Itoa(gid)
}

// AddGroup creates a group (system groups get ids below 1000).
func (h *Host) AddGroup(name string, gid int, system bool) error {
	if _, err := h.LookupGroup(name); err == nil {
		return fmt.Errorf("group '%s' already exists", name)
	}
	if gid < 0 {
		gid = h.nextID(system, func() []int {
			var ids []int
			for _, g := range h.Groups() {
				ids = append(ids, g.GID)
			}
			return ids
		}())
	}
	return h.appendLine("/etc/group", fmt.Sprintf("%s:x:%d:", name, gid))
}

func (h *Host) nextID(system bool, used []int) int {
	id := 1000
	if system {
		id = 999
		for {
			taken := false
			for _, u := range used {
				if u == id {
					taken = true
				}
			}
			if !taken {
				return id
			}
			id--
		}
	}
	for {
		taken := false
		for _, u := range used {
			if u == id {
				taken = true
			}
		}
		if !taken {
			return id
		}
		id++
	}
}

// AddUserOptions configure AddUser.
type AddUserOptions struct {
	UID        int // -1 picks one
	Group      string
	Groups     []string
	Home       string
	Shell      string
	CreateHome bool
	System     bool
	Gecos      string
}

// AddUser creates a user (and its own group when no Group is given).
func (h *Host) AddUser(name string, o AddUserOptions) error {
	if _, err := h.LookupUser(name); err == nil {
		return fmt.Errorf("user '%s' already exists", name)
	}
	if name == "" || strings.ContainsAny(name, ":/\n ") {
		return fmt.Errorf("invalid user name '%s'", name)
	}
	uid := o.UID
	if uid < 0 {
		var used []int
		for _, u := range h.Users() {
			used = append(used, u.UID)
		}
		uid = h.nextID(o.System, used)
	}
	var gid int
	if o.Group != "" {
		g, err := h.LookupGroup(o.Group)
		if err != nil {
			return fmt.Errorf("group '%s' does not exist", o.Group)
		}
		gid = g.GID
	} else if g, err := h.LookupGroup(name); err == nil {
		gid = g.GID
	} else {
		gid = uid
		if _, err := h.LookupGroup(strconv.Itoa(gid)); err == nil {
			gid = -1
		}
		if err := h.AddGroup(name, gid, o.System); err != nil {
			return err
		}
		g, _ := h.LookupGroup(name)
		gid = g.GID
	}
	for _, sg := range o.Groups {
		if _, err := h.LookupGroup(sg); err != nil {
			return fmt.Errorf("group '%s' does not exist", sg)
		}
	}
	home := o.Home
	if home == "" {
		home = "/home/" + name
	}
	shell := o.Shell
	if shell == "" {
		shell = "/bin/bash"
	}
	if err := h.appendLine("/etc/passwd", fmt.Sprintf("%s:x:%d:%d:%s:%s:%s", name, uid, gid, o.Gecos, home, shell)); err != nil {
		return err
	}
	for _, sg := range o.Groups {
		if err := h.AddToGroup(name, sg); err != nil {
			return err
		}
	}
	if o.CreateHome {
		root := hostfs.Cred{}
		if _, err := h.fs.Stat(home); err != nil {
			if err := h.fs.MkdirAll(root, home, 0o700); err != nil {
				return err
			}
			_ = h.fs.Chown(root, home, uid, gid)
		}
	}
	return nil
}

// AddToGroup adds user to group's members.
func (h *Host) AddToGroup(user, group string) error {
	data, err := h.fs.ReadFile("/etc/group")
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	found := false
	for i, line := range lines {
		f := strings.Split(line, ":")
		if len(f) < 3 || (f[0] != group && f[2] != group) {
			continue
		}
		found = true
		for len(f) < 4 {
			f = append(f, "")
		}
		var members []string
		if f[3] != "" {
			members = strings.Split(f[3], ",")
		}
		for _, m := range members {
			if m == user {
				return nil
			}
		}
		f[3] = strings.Join(append(members, user), ",")
		lines[i] = strings.Join(f, ":")
	}
	if !found {
		return fmt.Errorf("group '%s' does not exist", group)
	}
	return h.fs.WriteFile(hostfs.Cred{}, "/etc/group", []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

func (h *Host) appendLine(file, line string) error {
	fl, err := h.fs.OpenFile(hostfs.Cred{}, file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer fl.Close()
	_, err = fl.Write([]byte(line + "\n"))
	return err
}
