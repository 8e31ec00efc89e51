package host

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/runner"
)

func cmdEnv(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	env := slices.Clone(c.Env)
	for len(args) > 0 {
		a := args[0]
		if a == "-i" || a == "-" {
			env = nil
		} else if a == "-u" && len(args) > 1 {
			args = args[1:]
			env = slices.DeleteFunc(env, func(e string) bool { return strings.HasPrefix(e, args[0]+"=") })
		} else if strings.Contains(a, "=") && !strings.HasPrefix(a, "-") {
			env = append(env, a)
		} else if a == "--" {
			args = args[1:]
			break
		} else {
			break
		}
		args = args[1:]
	}
	if len(args) == 0 {
		for _, e := range env {
			fmt.Fprintln(c.Stdout, e)
		}
		return 0
	}
	code, err := c.Host.run(ctx, c.User, &runner.Command{Script: shellJoin(args), Dir: c.Dir, Env: env, Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr}, nil)
	if err != nil {
		return 126
	}
	return code
}

func cmdPrintenv(ctx context.Context, c *Call) int {
	if len(c.Args) == 1 {
		for _, e := range c.Env {
			fmt.Fprintln(c.Stdout, e)
		}
		return 0
	}
	code := 0
	for _, k := range c.Args[1:] {
		found := false
		for _, e := range c.Env {
			if v, ok := strings.CutPrefix(e, k+"="); ok {
				fmt.Fprintln(c.Stdout, v)
				found = true
			}
		}
		if !found {
			code = 1
		}
	}
	return code
}

func cmdID(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	u := c.User
	if len(o.args) > 0 {
		var err error
		u, err = c.Host.LookupUser(o.args[0])
		if err != nil {
			fmt.Fprintf(c.Stderr, "id: '%s': no such user\n", o.args[0])
			return 1
		}
	} else if fresh, err := c.Host.LookupUser(u.Name); err == nil {
		u = fresh
	}
	name := o.has("n", "name")
	switch {
	case o.has("u", "user"):
		if name {
			fmt.Fprintln(c.Stdout, u.Name)
		} else {
			fmt.Fprintln(c.Stdout, u.UID)
		}
	case o.has("g", "group"):
		if name {
			fmt.Fprintln(c.Stdout, c.Host.groupName(u.GID))
		} else {
			fmt.Fprintln(c.Stdout, u.GID)
		}
	case o.has("G", "groups"):
		ids := append([]int{u.GID}, u.Groups...)
		var parts []string
		for _, g := range ids {
			if name {
				parts = append(parts, c.Host.groupName(g))
			} else {
				parts = append(parts, strconv.Itoa(g))
			}
		}
		fmt.Fprintln(c.Stdout, strings.Join(parts, " "))
	default:
		var gs []string
		for _, g := range append([]int{u.GID}, u.Groups...) {
			gs = append(gs, fmt.Sprintf("%d(%s)", g, c.Host.groupName(g)))
		}
		fmt.Fprintf(c.Stdout, "uid=%d(%s) gid=%d(%s) groups=%s\n", u.UID, u.Name, u.GID, c.Host.groupName(u.GID), strings.Join(gs, ","))
	}
	return 0
}

func cmdWhoami(ctx context.Context, c *Call) int {
	fmt.Fprintln(c.Stdout, c.User.Name)
	return 0
}

func cmdHostname(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	if len(o.args) > 0 {
		if c.User.UID != 0 {
			fmt.Fprintln(c.Stderr, "hostname: you must be root to change the host name")
			return 1
		}
		c.Host.SetHostname(o.args[0])
		return 0
	}
	name := c.Host.Hostname()
	m := c.Host.Metadata()
	switch {
	case o.has("i", "I", "ip-address", "all-ip-addresses"):
		ip := m.LocalIPv4
		if ip == "" {
			ip = "127.0.0.1"
		}
		fmt.Fprintln(c.Stdout, ip)
	case o.has("s", "short"):
		short, _, _ := strings.Cut(name, ".")
		fmt.Fprintln(c.Stdout, short)
	case o.has("f", "fqdn", "A"):
		if !strings.Contains(name, ".") {
			region := m.Region
			if region == "" && len(m.AvailabilityZone) > 1 {
				region = m.AvailabilityZone[:len(m.AvailabilityZone)-1]
			}
			name += "." + regionDomain(region)
		}
		fmt.Fprintln(c.Stdout, name)
	default:
		fmt.Fprintln(c.Stdout, name)
	}
	return 0
}

func cmdHostnamectl(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	if len(args) >= 2 && args[0] == "set-hostname" {
		if c.User.UID != 0 {
			fmt.Fprintln(c.Stderr, "Could not set hostname: Access denied")
			return 1
		}
		c.Host.SetHostname(args[1])
		return 0
	}
	fmt.Fprintf(c.Stdout, " Static hostname: %s\n", c.Host.Hostname())
	return 0
}

// strftime formats t with the date(1) conversions deploy scripts use.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'N':
			fmt.Fprintf(&b, "%09d", t.Nanosecond())
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(strconv.Itoa(wd))
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

func cmdDate(ctx context.Context, c *Call) int {
	t := c.Host.clk.Now().UTC()
	format := "%a %b %e %H:%M:%S %Z %Y"
	args := c.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "+"):
			format = a[1:]
		case a == "-u" || a == "--utc" || a == "-R" && false:
		case a == "-R" || a == "--rfc-2822":
			format = "%a, %d %b %Y %H:%M:%S %z"
		case strings.HasPrefix(a, "-I") || strings.HasPrefix(a, "--iso-8601"):
			v := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(a, "-I"), "--iso-8601"), "=")
			switch v {
			case "", "date":
				format = "%Y-%m-%d"
			default:
				format = "%Y-%m-%dT%H:%M:%S+00:00"
			}
		case a == "-d" || a == "--date":
			if i+1 >= len(args) {
				return c.Errorf("option requires an argument -- 'd'")
			}
			i++
			v := args[i]
			if s, ok := strings.CutPrefix(v, "@"); ok {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return c.Errorf("invalid date '%s'", v)
				}
				t = time.Unix(n, 0).UTC()
				continue
			}
			parsed := false
			for _, l := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02"} {
				if pt, err := time.Parse(l, v); err == nil {
					t, parsed = pt.UTC(), true
					break
				}
			}
			if !parsed && v != "now" {
				return c.Errorf("invalid date '%s'", v)
			}
		default:
			return c.Errorf("invalid date '%s'", a)
		}
	}
	fmt.Fprintln(c.Stdout, strftime(format, t))
	return 0
}

func cmdUname(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	kernel := "6.1.0-devopsim.x86_64"
	if c.Host.distro == "ubuntu" {
		kernel = "6.8.0-1008-aws"
	}
	host := c.Host.Hostname()
	switch {
	case o.has("a", "all"):
		fmt.Fprintf(c.Stdout, "Linux %s %s #1 SMP x86_64 x86_64 x86_64 GNU/Linux\n", host, kernel)
	case o.has("r"):
		fmt.Fprintln(c.Stdout, kernel)
	case o.has("m", "p", "i"):
		fmt.Fprintln(c.Stdout, "x86_64")
	case o.has("n"):
		fmt.Fprintln(c.Stdout, host)
	default:
		fmt.Fprintln(c.Stdout, "Linux")
	}
	return 0
}

func cmdNproc(ctx context.Context, c *Call) int { fmt.Fprintln(c.Stdout, 2); return 0 }

func cmdLogger(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "t,p,tag,priority", false)
	tag, _ := o.get("t", "tag")
	if tag == "" {
		tag = c.User.Name
	}
	msg := strings.Join(o.args, " ")
	line := fmt.Sprintf("%s %s %s: %s\n", c.Host.clk.Now().UTC().Format("Jan _2 15:04:05"), c.Host.Hostname(), tag, msg)
	f, err := c.Host.fs.OpenFile(hostfs.Cred{}, "/var/log/messages", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err == nil {
		f.Write([]byte(line))
		f.Close()
	}
	return 0
}

// cmdShell is sh/bash: -c script, a script file, or a script on stdin.
func cmdShell(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	var script string
	argv := []string{path.Base(c.Args[0])}
	haveScript := false
	for len(args) > 0 {
		a := args[0]
		if a == "-c" {
			if len(args) < 2 {
				fmt.Fprintf(c.Stderr, "%s: -c: option requires an argument\n", path.Base(c.Args[0]))
				return 2
			}
			script, haveScript = args[1], true
			if len(args) > 2 {
				argv = args[2:]
			}
			break
		}
		if a == "-s" || a == "--" {
			args = args[1:]
			break
		}
		if strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+") {
			if a == "-o" && len(args) > 1 {
				args = args[1:]
			}
			args = args[1:]
			continue
		}
		data, err := c.Host.fs.ReadFileAs(c.Cred(), c.Path(a))
		if err != nil {
			fmt.Fprintf(c.Stderr, "%s: %s: %s\n", path.Base(c.Args[0]), a, errText(err))
			return 127
		}
		script, haveScript = string(data), true
		argv = args
		break
	}
	if !haveScript {
		data, _ := readAllFrom(c)
		script = string(data)
		argv = append(argv, args...)
	}
	code, err := c.Host.run(ctx, c.User, &runner.Command{Script: script, Dir: c.Dir, Env: c.Env, Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr}, argv)
	if err != nil {
		fmt.Fprintf(c.Stderr, "%s: %v\n", path.Base(c.Args[0]), err)
	}
	return code
}

func (c *Call) mayBecome(target string) bool {
	if c.User.UID == 0 {
		return true
	}
	u, err := c.Host.LookupUser(c.User.Name)
	if err != nil {
		return false
	}
	for _, g := range u.Groups {
		n := c.Host.groupName(g)
		if n == "wheel" || n == "sudo" || n == "admin" {
			return true
		}
	}
	ents, _ := c.Host.fs.ReadDir("/etc/sudoers.d")
	files := []string{"/etc/sudoers"}
	for _, e := range ents {
		files = append(files, "/etc/sudoers.d/"+e.Name())
	}
	for _, f := range files {
		data, _ := c.Host.fs.ReadFile(f)
		for _, l := range strings.Split(string(data), "\n") {
			if fl := strings.Fields(l); len(fl) > 1 && fl[0] == c.User.Name {
				return true
			}
		}
	}
	return false
}

func (c *Call) runAs(ctx context.Context, user string, argv []string, login bool, script string) int {
	u, err := c.Host.LookupUser(user)
	if err != nil {
		fmt.Fprintf(c.Stderr, "%s: unknown user %s\n", path.Base(c.Args[0]), user)
		return 1
	}
	env := slices.Clone(c.Env)
	dir := c.Dir
	if login {
		env = c.Host.defaultEnv(u, u.Home)
		dir = u.Home
		if _, err := c.Host.fs.Stat(dir); err != nil {
			dir = "/"
		}
	} else {
		env = append(env, "USER="+u.Name, "LOGNAME="+u.Name, "HOME="+u.Home)
	}
	if script == "" {
		script = shellJoin(argv)
	}
	code, err := c.Host.run(ctx, u, &runner.Command{Script: script, Dir: dir, Env: env, Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr}, nil)
	if err != nil {
		return 1
	}
	return code
}

func cmdSudo(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	user := "root"
	login := false
	shell := false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		args = args[1:]
		switch {
		case a == "--":
			goto done
		case a == "-u" && len(args) > 0:
			user = args[0]
			args = args[1:]
		case strings.HasPrefix(a, "--user="):
			user = a[len("--user="):]
		case a == "-i" || a == "--login":
			login = true
		case a == "-s" || a == "--shell":
			shell = true
		case a == "-g" && len(args) > 0:
			args = args[1:]
		}
	}
done:
	if !c.mayBecome(user) {
		fmt.Fprintf(c.Stderr, "%s is not in the sudoers file.  This incident will be reported.\n", c.User.Name)
		return 1
	}
	if len(args) == 0 {
		if login || shell {
			return 0
		}
		fmt.Fprintln(c.Stderr, "usage: sudo [-u user] command")
		return 1
	}
	script := ""
	if login || shell {
		script = strings.Join(args, " ")
	}
	return c.runAs(ctx, user, args, login, script)
}

// cmdSu is su and runuser: [-] [-l] [-s shell] [-c cmd] [user] or runuser -u user -- cmd.
func cmdSu(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	user := "root"
	login := false
	cmd := ""
	var argv []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-" || a == "-l" || a == "--login":
			login = true
		case (a == "-c" || a == "--command") && i+1 < len(args):
			i++
			cmd = args[i]
		case (a == "-s" || a == "--shell" || a == "-g") && i+1 < len(args):
			i++
		case a == "-u" && i+1 < len(args):
			i++
			user = args[i]
		case a == "--":
			argv = args[i+1:]
			i = len(args)
		case a == "-m" || a == "-p":
		default:
			user = a
		}
	}
	if c.User.UID != 0 {
		fmt.Fprintf(c.Stderr, "%s: Authentication failure\n", path.Base(c.Args[0]))
		return 1
	}
	if cmd == "" && len(argv) == 0 {
		return 0
	}
	return c.runAs(ctx, user, argv, login, cmd)
}

func cmdWhich(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	mode := ""
	if len(args) > 0 && (args[0] == "-v" || args[0] == "-V" || args[0] == "-type") && path.Base(c.Args[0]) == "__host_which" {
		mode, args = args[0], args[1:]
	}
	code := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		p := c.lookPath(a)
		if p == "" {
			if isShellBuiltin(a) && mode != "" {
				if mode == "-v" {
					fmt.Fprintln(c.Stdout, a)
				} else {
					fmt.Fprintf(c.Stdout, "%s is a shell builtin\n", a)
				}
				continue
			}
			code = 1
			switch mode {
			case "":
				fmt.Fprintf(c.Stderr, "which: no %s in (%s)\n", a, c.Getenv("PATH"))
			case "-type", "-V":
				fmt.Fprintf(c.Stderr, "bash: type: %s: not found\n", a)
			}
			continue
		}
		switch mode {
		case "-type", "-V":
			fmt.Fprintf(c.Stdout, "%s is %s\n", a, p)
		default:
			fmt.Fprintln(c.Stdout, p)
		}
	}
	return code
}

func isShellBuiltin(n string) bool {
	switch n {
	case "echo", "printf", "cd", "pwd", "test", "[", "export", "read", "set", "unset", "exit", "return", "source", ".", "eval", "exec", "shift", "trap", "wait", "true", "false", "local", "declare", "alias", "type", "command", "getopts", "umask", "readonly", "let", "mapfile":
		return true
	}
	return false
}

// lookPath finds a command on the host: a built-in (reported under /usr/bin) or an
// executable file in PATH.
func (c *Call) lookPath(name string) string {
	if strings.Contains(name, "/") {
		if fi, err := c.Host.fs.Stat(c.Path(name)); err == nil && fi.Mode()&0o111 != 0 {
			return name
		}
		return ""
	}
	for _, dir := range strings.Split(c.Getenv("PATH"), ":") {
		if dir == "" {
			continue
		}
		p := path.Join(dir, name)
		if fi, err := c.Host.fs.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	if c.Host.HasCommand(name) && !strings.HasPrefix(name, "__") {
		if c.Host.distro != "ubuntu" && !c.Host.availableHere(name) {
			return ""
		}
		switch name {
		case "useradd", "groupadd", "usermod", "chkconfig", "service", "chpasswd", "runuser":
			return "/usr/sbin/" + name
		}
		return "/usr/bin/" + name
	}
	return ""
}

// availableHere reports whether a package-manager command exists on this distribution.
func (h *Host) availableHere(name string) bool {
	switch name {
	case "apt-get", "apt":
		return h.distro == "ubuntu"
	case "yum", "rpm":
		return h.distro != "ubuntu"
	case "dnf":
		return h.distro == "al2023"
	case "amazon-linux-extras":
		return h.distro == "amzn2"
	}
	return true
}

func (c *Call) requireRoot(msg string) bool {
	if c.User.UID == 0 {
		return true
	}
	fmt.Fprintln(c.Stderr, msg)
	return false
}

func cmdUseradd(ctx context.Context, c *Call) int {
	if !c.requireRoot(path.Base(c.Args[0]) + ": Permission denied.\n" + path.Base(c.Args[0]) + ": cannot lock /etc/passwd; try again later.") {
		return 1
	}
	o, bad := parse(c.Args[1:], "d,s,u,g,G,c,p,e,k,home,home-dir,shell,uid,gid,groups,comment,password,gecos,ingroup", false)
	if bad != "" {
		fmt.Fprintf(c.Stderr, "useradd: %s\n", bad)
		return 2
	}
	if len(o.args) != 1 {
		fmt.Fprintln(c.Stderr, "Usage: useradd [options] LOGIN")
		return 2
	}
	name := o.args[0]
	ao := AddUserOptions{UID: -1, System: o.has("r", "system"), CreateHome: o.has("m", "create-home")}
	if path.Base(c.Args[0]) == "adduser" {
		ao.CreateHome = !o.has("no-create-home")
	}
	if !ao.CreateHome && !o.has("M", "no-create-home") && c.Host.distro != "ubuntu" && !ao.System {
		ao.CreateHome = true // CREATE_HOME yes in Amazon Linux's login.defs
	}
	ao.Home, _ = o.get("d", "home", "home-dir")
	ao.Shell, _ = o.get("s", "shell")
	ao.Gecos, _ = o.get("c", "comment", "gecos")
	if u, ok := o.get("u", "uid"); ok {
		n, err := strconv.Atoi(u)
		if err != nil {
			fmt.Fprintf(c.Stderr, "useradd: invalid user ID '%s'\n", u)
			return 3
		}
		ao.UID = n
	}
	ao.Group, _ = o.get("g", "gid", "ingroup")
	if g, ok := o.get("G", "groups"); ok && g != "" {
		ao.Groups = strings.Split(g, ",")
	}
	c.Host.dbMu.Lock()
	err := c.Host.AddUser(name, ao)
	c.Host.dbMu.Unlock()
	if err != nil {
		fmt.Fprintf(c.Stderr, "useradd: %v\n", err)
		if strings.Contains(err.Error(), "already exists") {
			return 9
		}
		if strings.Contains(err.Error(), "group") {
			return 6
		}
		return 1
	}
	return 0
}

func cmdGroupadd(ctx context.Context, c *Call) int {
	if !c.requireRoot("groupadd: Permission denied.\ngroupadd: cannot lock /etc/group; try again later.") {
		return 10
	}
	o, _ := parse(c.Args[1:], "g,gid", false)
	if len(o.args) != 1 {
		fmt.Fprintln(c.Stderr, "Usage: groupadd [options] GROUP")
		return 2
	}
	gid := -1
	if g, ok := o.get("g", "gid"); ok {
		n, err := strconv.Atoi(g)
		if err != nil {
			fmt.Fprintf(c.Stderr, "groupadd: invalid group ID '%s'\n", g)
			return 3
		}
		gid = n
	}
	c.Host.dbMu.Lock()
	err := c.Host.AddGroup(o.args[0], gid, o.has("r", "system"))
	c.Host.dbMu.Unlock()
	if err != nil {
		if o.has("f", "force") && strings.Contains(err.Error(), "exists") {
			return 0
		}
		fmt.Fprintf(c.Stderr, "groupadd: %v\n", err)
		return 9
	}
	return 0
}

func cmdUsermod(ctx context.Context, c *Call) int {
	if !c.requireRoot("usermod: Permission denied.\nusermod: cannot lock /etc/passwd; try again later.") {
		return 1
	}
	o, _ := parse(c.Args[1:], "G,g,s,d,c,l,groups,shell,home", false)
	if len(o.args) != 1 {
		fmt.Fprintln(c.Stderr, "Usage: usermod [options] LOGIN")
		return 2
	}
	user := o.args[0]
	if _, err := c.Host.LookupUser(user); err != nil {
		fmt.Fprintf(c.Stderr, "usermod: user '%s' does not exist\n", user)
		return 6
	}
	if g, ok := o.get("G", "groups"); ok {
		c.Host.dbMu.Lock()
		defer c.Host.dbMu.Unlock()
		for _, grp := range strings.Split(g, ",") {
			if err := c.Host.AddToGroup(user, grp); err != nil {
				fmt.Fprintf(c.Stderr, "usermod: group '%s' does not exist\n", grp)
				return 6
			}
		}
	}
	return 0
}

func cmdChpasswd(ctx context.Context, c *Call) int {
	_, _ = readAllFrom(c)
	return 0
}

// Package managers.

func cmdPkg(ctx context.Context, c *Call) int {
	tool := path.Base(c.Args[0])
	if !c.Host.availableHere(tool) {
		fmt.Fprintf(c.Stderr, "%s: command not found\n", c.Args[0])
		return 127
	}
	apt := tool == "apt-get" || tool == "apt"
	var sub string
	var names []string
	yes := false
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "-y" || a == "--yes" || a == "--assumeyes" || a == "-qy" || a == "-yq" || a == "--assume-yes":
			yes = true
		case a == "-q" || a == "-qq" || a == "--quiet":
		case (a == "-o" || a == "--enablerepo" || a == "--disablerepo" || a == "-t") && i+1 < len(c.Args):
			i++
		case strings.HasPrefix(a, "-"):
			if strings.Contains(a, "y") && !strings.HasPrefix(a, "--") {
				yes = true
			}
		case sub == "":
			sub = a
		default:
			names = append(names, a)
		}
	}
	if sub != "" && sub != "list" && sub != "info" && sub != "search" && sub != "makecache" && sub != "clean" && sub != "check-update" && !c.requireRoot(rootMsg(tool)) {
		return 1
	}
	switch sub {
	case "install", "reinstall", "localinstall", "groupinstall":
		if len(names) == 0 {
			if apt {
				fmt.Fprintln(c.Stdout, "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.")
				return 0
			}
			fmt.Fprintln(c.Stderr, "Error: Need to pass a list of pkgs to install")
			return 1
		}
		var pkgs []string
		for _, n := range names {
			n = pkgName(n)
			if n == "" {
				continue
			}
			if c.Host.unavailable(n) {
				if apt {
					fmt.Fprintf(c.Stderr, "E: Unable to locate package %s\n", n)
					return 100
				}
				fmt.Fprintf(c.Stdout, "No match for argument: %s\n", n)
				fmt.Fprintf(c.Stderr, "Error: Unable to find a match: %s\n", n)
				return 1
			}
			pkgs = append(pkgs, n)
		}
		var todo []string
		for _, p := range pkgs {
			if !c.Host.Installed(p) {
				todo = append(todo, p)
			}
		}
		if len(todo) == 0 {
			if apt {
				fmt.Fprintln(c.Stdout, "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.")
			} else {
				fmt.Fprintln(c.Stdout, "Package(s) already installed.\nDependencies resolved.\nNothing to do.\nComplete!")
			}
			return 0
		}
		if !yes {
			if apt {
				fmt.Fprintf(c.Stdout, "The following NEW packages will be installed:\n  %s\nDo you want to continue? [Y/n] Abort.\n", strings.Join(todo, " "))
				return 1
			}
			fmt.Fprintf(c.Stdout, "Installing:\n %s\nIs this ok [y/N]: Operation aborted.\n", strings.Join(todo, "\n "))
			return 1
		}
		if err := c.Host.Install(todo...); err != nil {
			fmt.Fprintf(c.Stderr, "%s: %v\n", tool, err)
			return 1
		}
		if apt {
			for _, p := range todo {
				fmt.Fprintf(c.Stdout, "Setting up %s ...\n", p)
			}
		} else {
			fmt.Fprintf(c.Stdout, "Installed:\n  %s\n\nComplete!\n", strings.Join(todo, "\n  "))
		}
		return 0
	case "remove", "erase", "purge", "autoremove":
		if len(names) == 0 {
			if sub == "autoremove" {
				return 0
			}
			fmt.Fprintln(c.Stderr, "Error: Need to pass a list of pkgs to remove")
			return 1
		}
		if err := c.Host.Remove(names...); err != nil {
			fmt.Fprintf(c.Stderr, "%s: %v\n", tool, err)
			return 1
		}
		if !apt {
			fmt.Fprintln(c.Stdout, "Removed:\n  "+strings.Join(names, "\n  ")+"\n\nComplete!")
		}
		return 0
	case "update", "upgrade", "dist-upgrade", "full-upgrade", "makecache", "clean", "check-update", "distro-sync":
		if apt && sub == "update" {
			fmt.Fprintln(c.Stdout, "Reading package lists... Done")
			return 0
		}
		if !apt && (sub == "update" || sub == "upgrade") && !yes && len(names) == 0 {
			fmt.Fprintln(c.Stdout, "Dependencies resolved.\nNothing to do.\nComplete!")
			return 0
		}
		if apt {
			fmt.Fprintln(c.Stdout, "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.")
		} else {
			fmt.Fprintln(c.Stdout, "Dependencies resolved.\nNothing to do.\nComplete!")
		}
		return 0
	case "list", "info":
		for _, p := range c.Host.Packages() {
			if len(names) == 0 || slices.Contains(names, p) || slices.Contains(names, "installed") || slices.Contains(names, "--installed") {
				fmt.Fprintln(c.Stdout, p)
			}
		}
		return 0
	case "search":
		return 0
	case "":
		fmt.Fprintf(c.Stderr, "%s: no command given\n", tool)
		return 1
	}
	fmt.Fprintf(c.Stderr, "No such command: %s. Please use /usr/bin/%s --help\n", sub, tool)
	return 1
}

func rootMsg(tool string) string {
	if tool == "apt-get" || tool == "apt" {
		return "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)"
	}
	return "Error: This command has to be run with superuser privileges (under the root user on most systems)."
}

// pkgName turns an install argument (name, name-version, URL or path of an .rpm/.deb) into a
// package name.
func pkgName(n string) string {
	if strings.HasSuffix(n, ".rpm") || strings.HasSuffix(n, ".deb") {
		n = path.Base(n)
		n = strings.TrimSuffix(strings.TrimSuffix(n, ".rpm"), ".deb")
		if i := strings.IndexAny(n, "_"); i > 0 {
			n = n[:i]
		}
		for _, suf := range []string{".noarch", ".x86_64", ".aarch64", ".amd64"} {
			n = strings.TrimSuffix(n, suf)
		}
		return n
	}
	if i := strings.Index(n, "="); i > 0 {
		n = n[:i]
	}
	return n
}

func (h *Host) unavailable(n string) bool {
	switch h.distro {
	case "ubuntu":
		return n == "httpd" || n == "mariadb105-server" || n == "amazon-linux-extras"
	default:
		return n == "apache2" || n == "apache2-utils"
	}
}

func cmdRpm(ctx context.Context, c *Call) int {
	if !c.Host.availableHere("rpm") {
		fmt.Fprintf(c.Stderr, "%s: command not found\n", c.Args[0])
		return 127
	}
	o, _ := parse(c.Args[1:], "", false)
	if o.has("qa") || (o.has("q") && o.has("a")) {
		for _, p := range c.Host.Packages() {
			fmt.Fprintln(c.Stdout, p)
		}
		return 0
	}
	if o.has("q") {
		code := 0
		for _, n := range o.args {
			if c.Host.Installed(n) {
				fmt.Fprintln(c.Stdout, n)
			} else {
				fmt.Fprintf(c.Stdout, "package %s is not installed\n", n)
				code = 1
			}
		}
		return code
	}
	if o.has("i", "U") {
		if !c.requireRoot("error: can't create transaction lock on /var/lib/rpm/.rpm.lock (Permission denied)") {
			return 1
		}
		var names []string
		for _, a := range o.args {
			names = append(names, pkgName(a))
		}
		if err := c.Host.Install(names...); err != nil {
			fmt.Fprintf(c.Stderr, "rpm: %v\n", err)
			return 1
		}
		return 0
	}
	if o.has("e") {
		if err := c.Host.Remove(o.args...); err != nil {
			return 1
		}
		return 0
	}
	return 0
}

func cmdExtras(ctx context.Context, c *Call) int {
	if !c.Host.availableHere("amazon-linux-extras") {
		fmt.Fprintf(c.Stderr, "%s: command not found\n", c.Args[0])
		return 127
	}
	var sub string
	var topics []string
	for _, a := range c.Args[1:] {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if sub == "" {
			sub = a
			continue
		}
		topics = append(topics, a)
	}
	switch sub {
	case "install", "enable":
		if !c.requireRoot("You lack permissions to write to system configuration.") {
			return 1
		}
		var pkgs []string
		for _, t := range topics {
			t = strings.SplitN(t, "=", 2)[0]
			switch {
			case strings.HasPrefix(t, "nginx"):
				pkgs = append(pkgs, "nginx")
			case strings.HasPrefix(t, "lamp-mariadb"):
				pkgs = append(pkgs, "php", "mariadb")
			case strings.HasPrefix(t, "php"):
				pkgs = append(pkgs, "php")
			case strings.HasPrefix(t, "docker"):
				pkgs = append(pkgs, "docker")
			default:
				pkgs = append(pkgs, t)
			}
			fmt.Fprintf(c.Stdout, "Topic %s has been enabled.\n", t)
		}
		if sub == "install" {
			if err := c.Host.Install(pkgs...); err != nil {
				fmt.Fprintf(c.Stderr, "amazon-linux-extras: %v\n", err)
				return 1
			}
		}
		return 0
	case "list", "":
		fmt.Fprintln(c.Stdout, "  0  ansible2   available\n  5  nginx1   available\n 17  lamp-mariadb10.2-php7.2   available\n 25  docker   available")
		return 0
	}
	fmt.Fprintf(c.Stderr, "amazon-linux-extras: unknown command %s\n", sub)
	return 1
}

func cmdSystemctl(ctx context.Context, c *Call) int {
	var sub string
	var units []string
	now := false
	quiet := false
	for _, a := range c.Args[1:] {
		switch {
		case a == "--now":
			now = true
		case a == "-q" || a == "--quiet":
			quiet = true
		case strings.HasPrefix(a, "-"):
		case sub == "":
			sub = a
		default:
			units = append(units, strings.TrimSuffix(a, ".service"))
		}
	}
	h := c.Host
	switch sub {
	case "daemon-reload", "reset-failed", "daemon-reexec":
		return 0
	case "list-units", "list-unit-files", "":
		for _, s := range h.Services() {
			state := "inactive"
			if s.Active {
				state = "active"
			}
			fmt.Fprintf(c.Stdout, "%s.service loaded %s running\n", s.Name, state)
		}
		return 0
	case "is-active":
		code := 0
		for _, u := range units {
			if h.ServiceActive(u) {
				if !quiet {
					fmt.Fprintln(c.Stdout, "active")
				}
			} else {
				if !quiet {
					fmt.Fprintln(c.Stdout, "inactive")
				}
				code = 3
			}
		}
		return code
	case "is-enabled":
		code := 0
		for _, u := range units {
			if h.ServiceEnabled(u) {
				if !quiet {
					fmt.Fprintln(c.Stdout, "enabled")
				}
			} else {
				if !quiet {
					fmt.Fprintln(c.Stdout, "disabled")
				}
				code = 1
			}
		}
		return code
	case "status":
		code := 0
		for _, u := range units {
			h.mu.Lock()
			_, known := h.serviceDefLocked(u)
			h.mu.Unlock()
			if !known {
				fmt.Fprintf(c.Stderr, "Unit %s.service could not be found.\n", u)
				code = 4
				continue
			}
			enabled := "disabled"
			if h.ServiceEnabled(u) {
				enabled = "enabled"
			}
			state := "inactive (dead)"
			if h.ServiceActive(u) {
				state = "active (running)"
			} else {
				code = 3
			}
			fmt.Fprintf(c.Stdout, "● %s.service\n     Loaded: loaded (/usr/lib/systemd/system/%s.service; %s; preset: disabled)\n     Active: %s\n", u, u, enabled, state)
		}
		return code
	}
	if len(units) == 0 {
		fmt.Fprintf(c.Stderr, "Too few arguments.\n")
		return 1
	}
	if c.User.UID != 0 {
		fmt.Fprintf(c.Stderr, "Failed to %s %s.service: Access denied\n", sub, units[0])
		return 4
	}
	code := 0
	for _, u := range units {
		var err error
		switch sub {
		case "start":
			err = h.StartService(u)
		case "stop":
			err = h.StopService(u)
		case "restart", "reload", "try-restart", "reload-or-restart", "condrestart", "force-reload":
			if sub == "try-restart" && !h.ServiceActive(u) {
				continue
			}
			if sub == "reload" && !h.ServiceActive(u) {
				fmt.Fprintf(c.Stderr, "Job for %s.service invalid.\n", u)
				code = 1
				continue
			}
			if err = h.StopService(u); err == nil {
				err = h.StartService(u)
			}
		case "enable", "disable":
			err = h.EnableService(u, sub == "enable")
			if err == nil && sub == "enable" {
				fmt.Fprintf(c.Stderr, "Created symlink /etc/systemd/system/multi-user.target.wants/%s.service → /usr/lib/systemd/system/%s.service.\n", u, u)
			}
			if err == nil && now {
				if sub == "enable" {
					err = h.StartService(u)
				} else {
					err = h.StopService(u)
				}
			}
		case "mask", "unmask":
		default:
			fmt.Fprintf(c.Stderr, "Unknown command verb %s.\n", sub)
			return 1
		}
		if err != nil {
			if _, ok := err.(ErrNoUnit); ok {
				fmt.Fprintf(c.Stderr, "Failed to %s %s.service: %v\n", sub, u, err)
				code = 5
				continue
			}
			fmt.Fprintf(c.Stderr, "Job for %s.service failed because the control process exited with error code.\n%v\n", u, err)
			code = 1
		}
	}
	return code
}

func cmdService(ctx context.Context, c *Call) int {
	if len(c.Args) < 3 {
		if len(c.Args) == 2 && c.Args[1] == "--status-all" {
			for _, s := range c.Host.Services() {
				st := "-"
				if s.Active {
					st = "+"
				}
				fmt.Fprintf(c.Stdout, " [ %s ]  %s\n", st, s.Name)
			}
			return 0
		}
		fmt.Fprintln(c.Stderr, "Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]")
		return 1
	}
	name, action := c.Args[1], c.Args[2]
	if c.Host.distro != "ubuntu" {
		fmt.Fprintf(c.Stderr, "Redirecting to /bin/systemctl %s %s.service\n", action, name)
	}
	c2 := *c
	c2.Args = []string{"systemctl", action, name}
	return cmdSystemctl(ctx, &c2)
}

func cmdChkconfig(ctx context.Context, c *Call) int {
	if len(c.Args) < 3 {
		return 0
	}
	c2 := *c
	verb := "enable"
	if c.Args[2] == "off" {
		verb = "disable"
	}
	c2.Args = []string{"systemctl", verb, c.Args[1]}
	return cmdSystemctl(ctx, &c2)
}

// HTTP clients.

// handlerFor routes an in-host HTTP request: loopback and the host's own names to its own
// services, 169.254.169.254 to IMDS, anything else to the platform network.
func (h *Host) handlerFor(u *url.URL) (http.Handler, string) {
	host := u.Hostname()
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, "(3) URL rejected: Port number was not a decimal number between 0 and 65535"
		}
		port = n
	}
	m := h.Metadata()
	switch {
	case host == MetadataAddr || host == "instance-data" || host == "fd00:ec2::254":
		if port != 80 {
			return nil, fmt.Sprintf("(7) Failed to connect to %s port %d after 0 ms: Couldn't connect to server", host, port)
		}
		return h.MetadataHandler(), ""
	case host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "0.0.0.0" || host == h.Hostname() || (m.LocalIPv4 != "" && host == m.LocalIPv4):
		if hd, ok := h.Handler(port); ok {
			return hd, ""
		}
		return nil, fmt.Sprintf("(7) Failed to connect to %s port %d after 0 ms: Couldn't connect to server", host, port)
	}
	if h.network == nil {
		return nil, fmt.Sprintf("(6) Could not resolve host: %s", host)
	}
	hd, err := h.network(host, port)
	switch {
	case err == nil && hd != nil:
		return hd, ""
	case errors.Is(err, ErrRefused):
		return nil, fmt.Sprintf("(7) Failed to connect to %s port %d after 0 ms: Couldn't connect to server", host, port)
	case errors.Is(err, ErrTimedOut):
		return nil, fmt.Sprintf("(28) Failed to connect to %s port %d after 0 ms: Connection timed out", host, port)
	}
	return nil, fmt.Sprintf("(6) Could not resolve host: %s", host)
}

type httpResult struct {
	status int
	header http.Header
	body   []byte
	url    string
}

func (h *Host) fetch(ctx context.Context, method, rawURL string, headers http.Header, body []byte, follow bool) (*httpResult, int, string) {
	for hop := 0; hop < 10; hop++ {
		if !strings.Contains(rawURL, "://") {
			rawURL = "http://" + rawURL
		}
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return nil, 3, "(3) URL rejected: Malformed input to a URL function"
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, 1, fmt.Sprintf("(1) Protocol \"%s\" not supported", u.Scheme)
		}
		hd, msg := h.handlerFor(u)
		if hd == nil {
			code, _ := strconv.Atoi(strings.Trim(strings.Fields(msg)[0], "()"))
			return nil, code, msg
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, 3, "(3) URL rejected: Malformed input to a URL function"
		}
		req.RequestURI = req.URL.RequestURI()
		req.Header = headers.Clone()
		req.RemoteAddr = "127.0.0.1:40000"
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, req)
		res := &httpResult{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes(), url: u.String()}
		if follow && res.status >= 300 && res.status < 400 {
			if loc := res.header.Get("Location"); loc != "" {
				next, err := u.Parse(loc)
				if err == nil {
					rawURL = next.String()
					if res.status != 307 && res.status != 308 {
						method, body = http.MethodGet, nil
					}
					continue
				}
			}
		}
		return res, 0, ""
	}
	return nil, 47, "(47) Maximum (10) redirects followed"
}

func cmdCurl(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	method := ""
	headers := http.Header{}
	var data []byte
	var urls []string
	out := ""
	remoteName := false
	silent, showErr, fail, follow, head, include, writeOut := false, false, false, false, false, false, ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() (string, bool) {
			if i+1 >= len(args) {
				return "", false
			}
			i++
			return args[i], true
		}
		switch {
		case a == "-X" || a == "--request":
			v, ok := val()
			if !ok {
				return c.curlErr(2, "(2) option "+a+": requires parameter", showErr || !silent)
			}
			method = v
		case a == "-H" || a == "--header":
			v, _ := val()
			k, hv, _ := strings.Cut(v, ":")
			headers.Add(strings.TrimSpace(k), strings.TrimSpace(hv))
		case a == "-d" || a == "--data" || a == "--data-binary" || a == "--data-raw" || a == "--data-urlencode":
			v, _ := val()
			if strings.HasPrefix(v, "@") && a != "--data-raw" {
				b, err := c.readInput(v[1:])
				if err != nil {
					return c.curlErr(26, "(26) Failed to open/read local data from file/application", true)
				}
				v = string(b)
			}
			if len(data) > 0 {
				data = append(data, '&')
			}
			data = append(data, v...)
		case a == "-o" || a == "--output":
			out, _ = val()
		case a == "-O" || a == "--remote-name":
			remoteName = true
		case a == "-w" || a == "--write-out":
			writeOut, _ = val()
		case a == "-u" || a == "--user" || a == "-A" || a == "--user-agent" || a == "-m" || a == "--max-time" || a == "--connect-timeout" || a == "--retry" || a == "--retry-delay" || a == "-e" || a == "--cacert" || a == "-b" || a == "-c" || a == "--retry-max-time":
			val()
		case a == "-I" || a == "--head":
			head = true
		case a == "-i" || a == "--include":
			include = true
		case a == "-s" || a == "--silent":
			silent = true
		case a == "-S" || a == "--show-error":
			showErr = true
		case a == "-f" || a == "--fail":
			fail = true
		case a == "-L" || a == "--location":
			follow = true
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for _, f := range a[1:] {
				switch f {
				case 's':
					silent = true
				case 'S':
					showErr = true
				case 'f':
					fail = true
				case 'L':
					follow = true
				case 'I':
					head = true
				case 'i':
					include = true
				case 'O':
					remoteName = true
				case 'k', 'v', 'q', 'g', '#':
				case 'o':
					out, _ = val()
				case 'X':
					method, _ = val()
				case 'H':
					v, _ := val()
					k, hv, _ := strings.Cut(v, ":")
					headers.Add(strings.TrimSpace(k), strings.TrimSpace(hv))
				case 'd':
					v, _ := val()
					data = append(data, v...)
				case 'w':
					writeOut, _ = val()
				}
			}
		default:
			urls = append(urls, a)
		}
	}
	if len(urls) == 0 {
		fmt.Fprintln(c.Stderr, "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information")
		return 2
	}
	if method == "" {
		method = http.MethodGet
		if head {
			method = http.MethodHead
		} else if data != nil {
			method = http.MethodPost
		}
	}
	if data != nil && headers.Get("Content-Type") == "" {
		headers.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if headers.Get("User-Agent") == "" {
		headers.Set("User-Agent", "curl/8.5.0")
	}
	for _, raw := range urls {
		res, code, msg := c.Host.fetch(ctx, method, raw, headers, data, follow)
		if code != 0 {
			return c.curlErr(code, msg, showErr || !silent)
		}
		if fail && res.status >= 400 {
			return c.curlErr(22, fmt.Sprintf("(22) The requested URL returned error: %d", res.status), showErr || !silent)
		}
		var buf bytes.Buffer
		if include || head {
			fmt.Fprintf(&buf, "HTTP/1.1 %d %s\r\n", res.status, http.StatusText(res.status))
			_ = res.header.Write(&buf)
			buf.WriteString("\r\n")
		}
		if !head {
			buf.Write(res.body)
		}
		target := out
		if remoteName && target == "" {
			u, _ := url.Parse(res.url)
			target = path.Base(u.Path)
			if target == "/" || target == "." || target == "" {
				return c.curlErr(23, "(23) Remote file name has no length", true)
			}
		}
		if target != "" && target != "-" {
			if err := c.Host.fs.WriteFile(c.Cred(), c.Path(target), buf.Bytes(), 0o644); err != nil {
				return c.curlErr(23, fmt.Sprintf("(23) Failure writing output to destination, passed %d returned 0", buf.Len()), showErr || !silent)
			}
		} else {
			c.Stdout.Write(buf.Bytes())
		}
		if writeOut != "" {
			w := strings.NewReplacer("%{http_code}", strconv.Itoa(res.status), "%{response_code}", strconv.Itoa(res.status), "%{url_effective}", res.url, `\n`, "\n").Replace(writeOut)
			fmt.Fprint(c.Stdout, w)
		}
	}
	return 0
}

func (c *Call) curlErr(code int, msg string, show bool) int {
	if show {
		fmt.Fprintf(c.Stderr, "curl: %s\n", msg)
	}
	return code
}

func cmdWget(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "O,P,output-document,directory-prefix,header,t,tries,T,timeout,U,user-agent", false)
	if len(o.args) == 0 {
		fmt.Fprintln(c.Stderr, "wget: missing URL")
		return 1
	}
	quiet := o.has("q", "quiet")
	headers := http.Header{"User-Agent": {"Wget/1.21"}}
	for _, hv := range o.multi["header"] {
		k, v, _ := strings.Cut(hv, ":")
		headers.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	for _, raw := range o.args {
		res, code, msg := c.Host.fetch(ctx, http.MethodGet, raw, headers, nil, true)
		if code != 0 {
			if !quiet {
				fmt.Fprintf(c.Stderr, "wget: unable to resolve host address or connect: %s\n", msg)
			}
			return 4
		}
		if res.status >= 400 {
			if !quiet {
				fmt.Fprintf(c.Stderr, "ERROR %d: %s.\n", res.status, http.StatusText(res.status))
			}
			return 8
		}
		target, ok := o.get("O", "output-document")
		if !ok {
			u, _ := url.Parse(res.url)
			target = path.Base(u.Path)
			if target == "/" || target == "." || target == "" {
				target = "index.html"
			}
			if d, ok := o.get("P", "directory-prefix"); ok {
				target = path.Join(d, target)
			}
		}
		if target == "-" {
			c.Stdout.Write(res.body)
			continue
		}
		if err := c.Host.fs.WriteFile(c.Cred(), c.Path(target), res.body, 0o644); err != nil {
			fmt.Fprintf(c.Stderr, "%s: %s\n", target, errText(err))
			return 3
		}
		if !quiet {
			fmt.Fprintf(c.Stderr, "'%s' saved [%d]\n", target, len(res.body))
		}
	}
	return 0
}

// Archives.

func cmdTar(ctx context.Context, c *Call) int {
	args := slices.Clone(c.Args[1:])
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args[0] = "-" + args[0] // old-style "tar xzf"
	}
	var mode byte
	gz, verbose := false, false
	file := ""
	dir := c.Dir
	strip := 0
	noOwner := c.User.UID != 0
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-C" || a == "--directory":
			if i+1 >= len(args) {
				return c.Errorf("option requires an argument -- 'C'")
			}
			i++
			dir = c.Path(args[i])
		case strings.HasPrefix(a, "--directory="):
			dir = c.Path(a[len("--directory="):])
		case strings.HasPrefix(a, "--strip-components"):
			v := strings.TrimPrefix(strings.TrimPrefix(a, "--strip-components"), "=")
			if v == "" && i+1 < len(args) {
				i++
				v = args[i]
			}
			strip, _ = strconv.Atoi(v)
		case a == "--file" && i+1 < len(args):
			i++
			file = args[i]
		case a == "--no-same-owner":
			noOwner = true
		case a == "--gzip" || a == "--gunzip":
			gz = true
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				switch a[j] {
				case 'c', 'x', 't':
					mode = a[j]
				case 'z':
					gz = true
				case 'v':
					verbose = true
				case 'j', 'J':
					return c.Errorf("bzip2/xz compression is not supported on simulated hosts")
				case 'f':
					if j+1 < len(a) {
						file = a[j+1:]
					} else if i+1 < len(args) {
						i++
						file = args[i]
					}
					j = len(a)
				case 'p', 'o', 'P', 'h', 'm':
				case 'C':
					if i+1 < len(args) {
						i++
						dir = c.Path(args[i])
					}
				default:
					return c.Errorf("invalid option -- '%c'", a[j])
				}
			}
		default:
			operands = append(operands, a)
		}
	}
	switch mode {
	case 'c':
		return c.tarCreate(file, dir, operands, gz, verbose)
	case 'x', 't':
		var data []byte
		var err error
		if file == "" || file == "-" {
			data, err = readAllFrom(c)
		} else {
			data, err = c.readInput(file)
		}
		if err != nil {
			fmt.Fprintf(c.Stderr, "tar: %s: Cannot open: %s\ntar: Error is not recoverable: exiting now\n", file, errText(err))
			return 2
		}
		return c.tarExtract(data, dir, mode == 't', verbose, strip, noOwner, operands)
	}
	fmt.Fprintln(c.Stderr, "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options")
	return 2
}

func (c *Call) tarCreate(file, dir string, operands []string, gz, verbose bool) int {
	if len(operands) == 0 {
		fmt.Fprintln(c.Stderr, "tar: Cowardly refusing to create an empty archive")
		return 2
	}
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, op := range operands {
		root := path.Join(dir, op)
		if strings.HasPrefix(op, "/") {
			root = op
		}
		err := c.Host.fs.Walk(root, func(p string, fi fs.FileInfo) error {
			name := strings.TrimPrefix(op+strings.TrimPrefix(p, root), "/")
			if name == "" {
				name = "."
			}
			uid, gid := hostfs.OwnerOf(fi)
			hdr := &tar.Header{Name: name, Mode: int64(fi.Mode().Perm()), Uid: uid, Gid: gid, ModTime: fi.ModTime(), Uname: c.Host.userName(uid), Gname: c.Host.groupName(gid)}
			switch {
			case fi.IsDir():
				hdr.Typeflag = tar.TypeDir
				hdr.Name += "/"
			case fi.Mode()&fs.ModeSymlink != 0:
				hdr.Typeflag = tar.TypeSymlink
				hdr.Linkname, _ = c.Host.fs.Readlink(p)
			default:
				hdr.Typeflag = tar.TypeReg
				hdr.Size = fi.Size()
			}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if hdr.Typeflag == tar.TypeReg {
				data, err := c.Host.fs.ReadFileAs(c.Cred(), p)
				if err != nil {
					return err
				}
				if _, err := tw.Write(data); err != nil {
					return err
				}
			}
			if verbose {
				fmt.Fprintln(c.Stdout, hdr.Name)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(c.Stderr, "tar: %s: Cannot stat: %s\n", op, errText(err))
			return 2
		}
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	if file == "" || file == "-" {
		c.Stdout.Write(buf.Bytes())
		return 0
	}
	if err := c.Host.fs.WriteFile(c.Cred(), c.Path(file), buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(c.Stderr, "tar: %s: Cannot open: %s\n", file, errText(err))
		return 2
	}
	return 0
}

func stripPath(name string, n int) (string, bool) {
	parts := strings.Split(strings.Trim(path.Clean("/"+name), "/"), "/")
	if len(parts) <= n {
		return "", false
	}
	return strings.Join(parts[n:], "/"), true
}

func (c *Call) tarExtract(data []byte, dir string, list, verbose bool, strip int, noOwner bool, only []string) int {
	var r io.Reader = bytes.NewReader(data)
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			fmt.Fprintln(c.Stderr, "gzip: stdin: not in gzip format\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now")
			return 2
		}
		r = zr
	}
	tr := tar.NewReader(r)
	fsys := c.Host.fs
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return 0
		}
		if err != nil {
			fmt.Fprintln(c.Stderr, "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors")
			return 2
		}
		if len(only) > 0 && !slices.ContainsFunc(only, func(o string) bool {
			return strings.TrimPrefix(hdr.Name, "./") == strings.TrimPrefix(o, "./") || strings.HasPrefix(strings.TrimPrefix(hdr.Name, "./"), strings.TrimSuffix(strings.TrimPrefix(o, "./"), "/")+"/")
		}) {
			continue
		}
		if list || verbose {
			fmt.Fprintln(c.Stdout, hdr.Name)
		}
		if list {
			continue
		}
		name, ok := stripPath(hdr.Name, strip)
		if !ok || name == "" || name == "." {
			continue
		}
		target := path.Join(dir, name)
		if !strings.HasPrefix(target, strings.TrimSuffix(dir, "/")+"/") && target != dir {
			continue
		}
		if err := fsys.MkdirAll(c.Cred(), path.Dir(target), 0o755); err != nil {
			return c.fail(target, err)
		}
		mode := fs.FileMode(hdr.Mode).Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := fsys.MkdirAll(c.Cred(), target, mode); err != nil {
				return c.fail(target, err)
			}
			_ = fsys.Chmod(c.Cred(), target, mode)
		case tar.TypeSymlink:
			_ = fsys.Remove(c.Cred(), target)
			if err := fsys.Symlink(c.Cred(), hdr.Linkname, target); err != nil {
				return c.fail(target, err)
			}
			continue
		case tar.TypeReg, tar.TypeRegA:
			body, err := io.ReadAll(io.LimitReader(tr, 1<<30))
			if err != nil {
				return c.Errorf("%s: read error", hdr.Name)
			}
			if err := fsys.WriteFile(c.Cred(), target, body, mode); err != nil {
				fmt.Fprintf(c.Stderr, "tar: %s: Cannot open: %s\n", name, errText(err))
				return 2
			}
			_ = fsys.Chmod(c.Cred(), target, mode)
		default:
			continue
		}
		if !noOwner {
			uid, gid := hdr.Uid, hdr.Gid
			if u, err := c.Host.LookupUser(hdr.Uname); err == nil && hdr.Uname != "" {
				uid = u.UID
			}
			if g, err := c.Host.LookupGroup(hdr.Gname); err == nil && hdr.Gname != "" {
				gid = g.GID
			}
			_ = fsys.Chown(c.Cred(), target, uid, gid)
		}
	}
}

func cmdUnzip(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "d", false)
	if len(o.args) == 0 {
		fmt.Fprintln(c.Stderr, "UnZip 6.00 of 20 April 2009. Usage: unzip [-Z] [-opts[modifiers]] file[.zip] [list] [-x xlist] [-d exdir]")
		return 10
	}
	quiet := o.has("q", "qq")
	overwrite := o.has("o")
	dir := c.Dir
	if d, ok := o.get("d"); ok {
		dir = c.Path(d)
	}
	data, err := c.readInput(o.args[0])
	if err != nil {
		fmt.Fprintf(c.Stderr, "unzip:  cannot find or open %s, %s.zip or %s.ZIP.\n", o.args[0], o.args[0], o.args[0])
		return 9
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		fmt.Fprintf(c.Stderr, "  End-of-central-directory signature not found.  Either this file is not\n  a zipfile, or it constitutes one disk of a multi-part archive.\nunzip:  cannot find zipfile directory in %s\n", o.args[0])
		return 9
	}
	if !quiet {
		fmt.Fprintf(c.Stdout, "Archive:  %s\n", o.args[0])
	}
	if o.has("l") {
		for _, f := range zr.File {
			fmt.Fprintf(c.Stdout, "%9d  %s\n", f.UncompressedSize64, f.Name)
		}
		return 0
	}
	if err := c.Host.fs.MkdirAll(c.Cred(), dir, 0o755); err != nil {
		return c.fail(dir, err)
	}
	for _, f := range zr.File {
		target := path.Join(dir, f.Name)
		if !strings.HasPrefix(target, strings.TrimSuffix(dir, "/")+"/") {
			continue
		}
		if strings.HasSuffix(f.Name, "/") {
			if err := c.Host.fs.MkdirAll(c.Cred(), target, 0o755); err != nil {
				return c.fail(target, err)
			}
			if !quiet {
				fmt.Fprintf(c.Stdout, "   creating: %s\n", target)
			}
			continue
		}
		if _, err := c.Host.fs.Lstat(target); err == nil && !overwrite && !o.has("n") {
			// unzip would prompt; with no terminal it skips like -n.
			continue
		}
		if err := c.Host.fs.MkdirAll(c.Cred(), path.Dir(target), 0o755); err != nil {
			return c.fail(target, err)
		}
		rc, err := f.Open()
		if err != nil {
			return c.Errorf("%s: %v", f.Name, err)
		}
		body, err := io.ReadAll(io.LimitReader(rc, 1<<30))
		rc.Close()
		if err != nil {
			return c.Errorf("%s: %v", f.Name, err)
		}
		mode := f.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			_ = c.Host.fs.Remove(c.Cred(), target)
			if err := c.Host.fs.Symlink(c.Cred(), string(body), target); err != nil {
				return c.fail(target, err)
			}
			continue
		}
		if err := c.Host.fs.WriteFile(c.Cred(), target, body, mode); err != nil {
			return c.fail(target, err)
		}
		_ = c.Host.fs.Chmod(c.Cred(), target, mode)
		if !quiet {
			fmt.Fprintf(c.Stdout, "  inflating: %s\n", target)
		}
	}
	return 0
}

func cmdGzip(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	if o.has("d", "decompress") {
		return cmdGunzip(ctx, c)
	}
	if len(o.args) == 0 {
		data, _ := readAllFrom(c)
		zw := gzip.NewWriter(c.Stdout)
		zw.Write(data)
		zw.Close()
		return 0
	}
	for _, f := range o.args {
		data, err := c.readInput(f)
		if err != nil {
			return c.fail(f, err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		if o.has("c", "stdout") {
			c.Stdout.Write(buf.Bytes())
			continue
		}
		if err := c.Host.fs.WriteFile(c.Cred(), c.Path(f)+".gz", buf.Bytes(), 0o644); err != nil {
			return c.fail(f+".gz", err)
		}
		if !o.has("k", "keep") {
			_ = c.Host.fs.Remove(c.Cred(), c.Path(f))
		}
	}
	return 0
}

func cmdGunzip(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	inputs := o.args
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	for _, f := range inputs {
		data, err := c.readInput(f)
		if err != nil {
			return c.fail(f, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			fmt.Fprintf(c.Stderr, "gzip: %s: not in gzip format\n", f)
			return 1
		}
		out, err := io.ReadAll(io.LimitReader(zr, 1<<30))
		if err != nil {
			fmt.Fprintf(c.Stderr, "gzip: %s: invalid compressed data--format violated\n", f)
			return 1
		}
		if f == "-" || o.has("c", "stdout") {
			c.Stdout.Write(out)
			continue
		}
		target := strings.TrimSuffix(c.Path(f), ".gz")
		if err := c.Host.fs.WriteFile(c.Cred(), target, out, 0o644); err != nil {
			return c.fail(target, err)
		}
		if !o.has("k", "keep") {
			_ = c.Host.fs.Remove(c.Cred(), c.Path(f))
		}
	}
	return 0
}
