package host

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

// Builtins lists the names of the default built-in commands.
func Builtins() []string {
	m := builtins()
	out := make([]string, 0, len(m))
	for k := range m {
		if !strings.HasPrefix(k, "__") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func builtins() map[string]Command {
	return map[string]Command{
		"cat": cmdCat, "mkdir": cmdMkdir, "cp": cmdCp, "mv": cmdMv, "rm": cmdRm, "rmdir": cmdRmdir, "touch": cmdTouch,
		"chmod": cmdChmod, "chown": cmdChown, "chgrp": cmdChgrp, "ln": cmdLn, "ls": cmdLs, "find": cmdFind,
		"readlink": cmdReadlink, "realpath": cmdRealpath, "basename": cmdBasename, "dirname": cmdDirname,
		"mktemp": cmdMktemp, "tee": cmdTee, "stat": cmdStat, "install": cmdInstall,
		"grep": cmdGrep, "egrep": cmdGrep, "fgrep": cmdGrep, "sed": cmdSed, "head": cmdHead, "tail": cmdTail, "wc": cmdWc,
		"cut": cmdCut, "tr": cmdTr, "sort": cmdSort, "uniq": cmdUniq, "seq": cmdSeq, "xargs": cmdXargs, "awk": cmdAwk,
		"base64": cmdBase64, "md5sum": cmdSum, "sha256sum": cmdSum, "sha1sum": cmdSum,
		"env": cmdEnv, "printenv": cmdPrintenv, "id": cmdID, "whoami": cmdWhoami, "hostname": cmdHostname, "hostnamectl": cmdHostnamectl,
		"sleep": cmdSleep, "date": cmdDate, "uname": cmdUname, "nproc": cmdNproc, "logger": cmdLogger, "sync": cmdTrue,
		"sh": cmdShell, "bash": cmdShell, "sudo": cmdSudo, "su": cmdSu, "runuser": cmdSu, "which": cmdWhich, "__host_which": cmdWhich,
		"useradd": cmdUseradd, "adduser": cmdUseradd, "groupadd": cmdGroupadd, "usermod": cmdUsermod, "passwd": cmdTrue, "chpasswd": cmdChpasswd,
		"yum": cmdPkg, "dnf": cmdPkg, "apt-get": cmdPkg, "apt": cmdPkg, "rpm": cmdRpm, "amazon-linux-extras": cmdExtras,
		"systemctl": cmdSystemctl, "service": cmdService, "chkconfig": cmdChkconfig,
		"curl": cmdCurl, "wget": cmdWget, "tar": cmdTar, "unzip": cmdUnzip, "gzip": cmdGzip, "gunzip": cmdGunzip,
		"true": cmdTrue, "false": cmdFalse, "yes": cmdYes,
	}
}

// opts is a parsed command line: short and long flags and operands.
type opts struct {
	set   map[string]bool
	val   map[string]string
	multi map[string][]string
	args  []string
}

func (o opts) has(names ...string) bool {
	for _, n := range names {
		if o.set[n] {
			return true
		}
	}
	return false
}

func (o opts) get(names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := o.val[n]; ok {
			return v, true
		}
	}
	return "", false
}

// parse parses GNU-style flags. valued lists the flags (short letters or long names) that
// take a value. Flags and operands may interleave unless stopAtOperand.
func parse(args []string, valued string, stopAtOperand bool) (opts, string) {
	o := opts{set: map[string]bool{}, val: map[string]string{}, multi: map[string][]string{}}
	takes := map[string]bool{}
	for _, v := range strings.Split(valued, ",") {
		takes[v] = true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.args = append(o.args, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "--") {
			name, v, hasV := strings.Cut(a[2:], "=")
			if takes[name] && !hasV {
				if i+1 >= len(args) {
					return o, "option '--" + name + "' requires an argument"
				}
				i++
				v, hasV = args[i], true
			}
			o.set[name] = true
			if hasV {
				o.val[name] = v
				o.multi[name] = append(o.multi[name], v)
			}
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			for j := 1; j < len(a); j++ {
				f := string(a[j])
				o.set[f] = true
				if takes[f] {
					v := a[j+1:]
					if v == "" {
						if i+1 >= len(args) {
							return o, "option requires an argument -- '" + f + "'"
						}
						i++
						v = args[i]
					}
					o.val[f] = v
					o.multi[f] = append(o.multi[f], v)
					break
				}
			}
			continue
		}
		if stopAtOperand {
			o.args = append(o.args, args[i:]...)
			break
		}
		o.args = append(o.args, a)
	}
	return o, ""
}

func errText(err error) string {
	var pe *fs.PathError
	e := err
	if ok := asPathErr(err, &pe); ok {
		e = pe.Err
	}
	switch {
	case e == fs.ErrNotExist:
		return "No such file or directory"
	case e == fs.ErrPermission:
		return "Permission denied"
	case e == fs.ErrExist:
		return "File exists"
	}
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func asPathErr(err error, pe **fs.PathError) bool {
	for err != nil {
		if p, ok := err.(*fs.PathError); ok {
			*pe = p
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func cmdTrue(context.Context, *Call) int  { return 0 }
func cmdFalse(context.Context, *Call) int { return 1 }

func cmdYes(ctx context.Context, c *Call) int {
	s := "y"
	if len(c.Args) > 1 {
		s = strings.Join(c.Args[1:], " ")
	}
	for i := 0; i < 10000 && ctx.Err() == nil; i++ {
		if _, err := fmt.Fprintln(c.Stdout, s); err != nil {
			return 0
		}
	}
	return 0
}

// readInput reads a file operand ("-" is stdin) as the caller.
func (c *Call) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(c.Stdin)
	}
	if name == "/dev/null" {
		return nil, nil
	}
	return c.Host.fs.ReadFileAs(c.Cred(), c.Path(name))
}

func (c *Call) fail(name string, err error) int {
	fmt.Fprintf(c.Stderr, "%s: %s: %s\n", path.Base(c.Args[0]), name, errText(err))
	return 1
}

func cmdCat(ctx context.Context, c *Call) int {
	o, bad := parse(c.Args[1:], "", false)
	if bad != "" {
		return c.Errorf("%s", bad)
	}
	files := o.args
	if len(files) == 0 {
		files = []string{"-"}
	}
	code := 0
	n := 0
	for _, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			code = c.fail(f, err)
			continue
		}
		if o.has("n") {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<24)
			for sc.Scan() {
				n++
				fmt.Fprintf(c.Stdout, "%6d\t%s\n", n, sc.Text())
			}
			continue
		}
		c.Stdout.Write(data)
	}
	return code
}

func cmdMkdir(ctx context.Context, c *Call) int {
	o, bad := parse(c.Args[1:], "m,mode", false)
	if bad != "" {
		return c.Errorf("%s", bad)
	}
	if len(o.args) == 0 {
		return c.Errorf("missing operand")
	}
	mode := fs.FileMode(0o755)
	if m, ok := o.get("m", "mode"); ok {
		mm, err := parseMode(m, 0o755, false)
		if err != nil {
			return c.Errorf("invalid mode '%s'", m)
		}
		mode = mm
	}
	code := 0
	for _, d := range o.args {
		p := c.Path(d)
		var err error
		if o.has("p", "parents") {
			err = c.Host.fs.MkdirAll(c.Cred(), p, mode)
		} else {
			err = c.Host.fs.Mkdir(c.Cred(), p, mode)
		}
		if err != nil {
			fmt.Fprintf(c.Stderr, "mkdir: cannot create directory '%s': %s\n", d, errText(err))
			code = 1
			continue
		}
		if _, ok := o.get("m", "mode"); ok {
			_ = c.Host.fs.Chmod(c.Cred(), p, mode)
		}
		if o.has("v") {
			fmt.Fprintf(c.Stdout, "mkdir: created directory '%s'\n", d)
		}
	}
	return code
}

func cmdRmdir(ctx context.Context, c *Call) int {
	code := 0
	for _, d := range c.Args[1:] {
		if strings.HasPrefix(d, "-") {
			continue
		}
		fi, err := c.Host.fs.Lstat(c.Path(d))
		if err == nil && !fi.IsDir() {
			fmt.Fprintf(c.Stderr, "rmdir: failed to remove '%s': Not a directory\n", d)
			code = 1
			continue
		}
		if err := c.Host.fs.Remove(c.Cred(), c.Path(d)); err != nil {
			fmt.Fprintf(c.Stderr, "rmdir: failed to remove '%s': %s\n", d, errText(err))
			code = 1
		}
	}
	return code
}

func cmdRm(ctx context.Context, c *Call) int {
	o, bad := parse(c.Args[1:], "", false)
	if bad != "" {
		return c.Errorf("%s", bad)
	}
	recursive := o.has("r", "R", "recursive")
	force := o.has("f", "force")
	if len(o.args) == 0 && !force {
		return c.Errorf("missing operand")
	}
	code := 0
	for _, a := range o.args {
		p := c.Path(a)
		if p == "/" {
			fmt.Fprintln(c.Stderr, "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe")
			code = 1
			continue
		}
		fi, err := c.Host.fs.Lstat(p)
		if err != nil {
			if !force {
				fmt.Fprintf(c.Stderr, "rm: cannot remove '%s': %s\n", a, errText(err))
				code = 1
			}
			continue
		}
		if fi.IsDir() && !recursive {
			fmt.Fprintf(c.Stderr, "rm: cannot remove '%s': Is a directory\n", a)
			code = 1
			continue
		}
		if fi.IsDir() {
			err = c.Host.fs.RemoveAll(c.Cred(), p)
		} else {
			err = c.Host.fs.Remove(c.Cred(), p)
		}
		if err != nil {
			fmt.Fprintf(c.Stderr, "rm: cannot remove '%s': %s\n", a, errText(err))
			code = 1
		} else if o.has("v") {
			fmt.Fprintf(c.Stdout, "removed '%s'\n", a)
		}
	}
	return code
}

func cmdTouch(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "d,t,r", false)
	if len(o.args) == 0 {
		return c.Errorf("missing file operand")
	}
	code := 0
	for _, a := range o.args {
		p := c.Path(a)
		if _, err := c.Host.fs.Stat(p); err == nil {
			if err := c.Host.fs.Chtimes(c.Cred(), p, c.Host.clk.Now()); err != nil {
				fmt.Fprintf(c.Stderr, "touch: cannot touch '%s': %s\n", a, errText(err))
				code = 1
			}
			continue
		}
		if o.has("c") {
			continue
		}
		f, err := c.Host.fs.OpenFile(c.Cred(), p, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			fmt.Fprintf(c.Stderr, "touch: cannot touch '%s': %s\n", a, errText(err))
			code = 1
			continue
		}
		f.Close()
	}
	return code
}

// parseMode parses an octal or symbolic chmod mode relative to old.
func parseMode(s string, old fs.FileMode, isDir bool) (fs.FileMode, error) {
	if n, err := strconv.ParseUint(s, 8, 32); err == nil {
		m := fs.FileMode(n & 0o777)
		if n&0o4000 != 0 {
			m |= fs.ModeSetuid
		}
		if n&0o2000 != 0 {
			m |= fs.ModeSetgid
		}
		if n&0o1000 != 0 {
			m |= fs.ModeSticky
		}
		return m, nil
	}
	m := old & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	for _, clause := range strings.Split(s, ",") {
		i := 0
		var who fs.FileMode
		for i < len(clause) && strings.ContainsRune("ugoa", rune(clause[i])) {
			switch clause[i] {
			case 'u':
				who |= 0o700
			case 'g':
				who |= 0o070
			case 'o':
				who |= 0o007
			case 'a':
				who |= 0o777
			}
			i++
		}
		if who == 0 {
			who = 0o777
		}
		if i >= len(clause) {
			return 0, fmt.Errorf("invalid mode")
		}
		for i < len(clause) {
			op := clause[i]
			if op != '+' && op != '-' && op != '=' {
				return 0, fmt.Errorf("invalid mode")
			}
			i++
			var bits, special fs.FileMode
			for i < len(clause) && !strings.ContainsRune("+-=", rune(clause[i])) {
				switch clause[i] {
				case 'r':
					bits |= 0o444
				case 'w':
					bits |= 0o222
				case 'x':
					bits |= 0o111
				case 'X':
					if isDir || old&0o111 != 0 {
						bits |= 0o111
					}
				case 's':
					if who&0o700 != 0 {
						special |= fs.ModeSetuid
					}
					if who&0o070 != 0 {
						special |= fs.ModeSetgid
					}
				case 't':
					special |= fs.ModeSticky
				default:
					return 0, fmt.Errorf("invalid mode")
				}
				i++
			}
			bits &= who
			switch op {
			case '+':
				m |= bits | special
			case '-':
				m &^= bits | special
			case '=':
				m = m&^who | bits | special
			}
		}
	}
	return m, nil
}

func cmdChmod(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	recursive := false
	var rest []string
	for _, a := range args {
		switch {
		case a == "-R" || a == "--recursive":
			recursive = true
		case a == "-v" || a == "-f" || a == "-c":
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) < 2 {
		return c.Errorf("missing operand")
	}
	mode := rest[0]
	code := 0
	apply := func(p, shown string) {
		fi, err := c.Host.fs.Stat(p)
		if err != nil {
			fmt.Fprintf(c.Stderr, "chmod: cannot access '%s': %s\n", shown, errText(err))
			code = 1
			return
		}
		m, err := parseMode(mode, fi.Mode(), fi.IsDir())
		if err != nil {
			fmt.Fprintf(c.Stderr, "chmod: invalid mode: '%s'\n", mode)
			code = 1
			return
		}
		if err := c.Host.fs.Chmod(c.Cred(), p, m); err != nil {
			fmt.Fprintf(c.Stderr, "chmod: changing permissions of '%s': %s\n", shown, errText(err))
			code = 1
		}
	}
	for _, a := range rest[1:] {
		p := c.Path(a)
		if recursive {
			var paths []string
			_ = c.Host.fs.Walk(p, func(q string, fi fs.FileInfo) error {
				if fi.Mode()&fs.ModeSymlink == 0 {
					paths = append(paths, q)
				}
				return nil
			})
			if len(paths) == 0 {
				apply(p, a)
			}
			for _, q := range paths {
				apply(q, q)
			}
			continue
		}
		apply(p, a)
	}
	return code
}

// parseOwner resolves "user[:group]" to ids (-1 for unchanged).
func (c *Call) parseOwner(spec string) (int, int, error) {
	u, g, hasG := strings.Cut(spec, ":")
	if !hasG {
		u, g, hasG = strings.Cut(spec, ".")
		if hasG {
			if _, err := c.Host.LookupUser(u); err != nil {
				u, g, hasG = spec, "", false
			}
		}
	}
	uid, gid := -1, -1
	if u != "" {
		usr, err := c.Host.LookupUser(u)
		if err != nil {
			return 0, 0, fmt.Errorf("invalid user: '%s'", spec)
		}
		uid = usr.UID
		if hasG && g == "" {
			gid = usr.GID
		}
	}
	if g != "" {
		grp, err := c.Host.LookupGroup(g)
		if err != nil {
			return 0, 0, fmt.Errorf("invalid group: '%s'", spec)
		}
		gid = grp.GID
	}
	return uid, gid, nil
}

func (c *Call) chownAll(targets []string, uid, gid int, recursive bool, name string) int {
	code := 0
	for _, a := range targets {
		p := c.Path(a)
		paths := []string{p}
		if recursive {
			paths = nil
			_ = c.Host.fs.Walk(p, func(q string, fi fs.FileInfo) error { paths = append(paths, q); return nil })
			if len(paths) == 0 {
				paths = []string{p}
			}
		}
		for _, q := range paths {
			fi, err := c.Host.fs.Lstat(q)
			if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				err = c.Host.fs.Lchown(c.Cred(), q, uid, gid)
			} else if err == nil {
				err = c.Host.fs.Chown(c.Cred(), q, uid, gid)
			}
			if err != nil {
				if errText(err) == "No such file or directory" {
					fmt.Fprintf(c.Stderr, "%s: cannot access '%s': %s\n", name, a, errText(err))
				} else {
					fmt.Fprintf(c.Stderr, "%s: changing ownership of '%s': %s\n", name, a, errText(err))
				}
				code = 1
			}
		}
	}
	return code
}

func cmdChown(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	if len(o.args) < 2 {
		return c.Errorf("missing operand")
	}
	uid, gid, err := c.parseOwner(o.args[0])
	if err != nil {
		return c.Errorf("%v", err)
	}
	return c.chownAll(o.args[1:], uid, gid, o.has("R", "recursive"), "chown")
}

func cmdChgrp(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	if len(o.args) < 2 {
		return c.Errorf("missing operand")
	}
	g, err := c.Host.LookupGroup(o.args[0])
	if err != nil {
		return c.Errorf("invalid group: '%s'", o.args[0])
	}
	return c.chownAll(o.args[1:], -1, g.GID, o.has("R", "recursive"), "chgrp")
}

func cmdLn(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	if len(o.args) == 0 {
		return c.Errorf("missing file operand")
	}
	target := o.args[0]
	link := path.Base(target)
	if len(o.args) > 1 {
		link = o.args[1]
	}
	lp := c.Path(link)
	if fi, err := c.Host.fs.Stat(lp); err == nil && fi.IsDir() && !o.has("n", "T") {
		lp = path.Join(lp, path.Base(target))
	}
	if o.has("f", "force") {
		_ = c.Host.fs.Remove(c.Cred(), lp)
	}
	var err error
	if o.has("s", "symbolic") {
		err = c.Host.fs.Symlink(c.Cred(), target, lp)
	} else {
		// Hard links are copies here (contents are shared copy-on-write anyway).
		var data []byte
		data, err = c.Host.fs.ReadFileAs(c.Cred(), c.Path(target))
		if err == nil {
			fi, _ := c.Host.fs.Stat(c.Path(target))
			if _, e := c.Host.fs.Lstat(lp); e == nil {
				err = fs.ErrExist
			} else {
				err = c.Host.fs.WriteFile(c.Cred(), lp, data, fi.Mode().Perm())
			}
		}
	}
	if err != nil {
		fmt.Fprintf(c.Stderr, "ln: failed to create link '%s': %s\n", link, errText(err))
		return 1
	}
	return 0
}

// copyTree copies src to dst as the caller.
func (c *Call) copyTree(src, dst string, recursive, preserve bool) error {
	fi, err := c.Host.fs.Lstat(src)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if !recursive {
			fi, err = c.Host.fs.Stat(src)
			if err != nil {
				return err
			}
		} else {
			t, _ := c.Host.fs.Readlink(src)
			_ = c.Host.fs.Remove(c.Cred(), dst)
			return c.Host.fs.Symlink(c.Cred(), t, dst)
		}
	}
	if fi.IsDir() {
		if !recursive {
			return fmt.Errorf("-r not specified; omitting directory '%s'", src)
		}
		if err := c.Host.fs.MkdirAll(c.Cred(), dst, fi.Mode().Perm()); err != nil {
			return err
		}
		ents, err := c.Host.fs.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := c.copyTree(path.Join(src, e.Name()), path.Join(dst, e.Name()), recursive, preserve); err != nil {
				return err
			}
		}
	} else {
		data, err := c.Host.fs.ReadFileAs(c.Cred(), src)
		if err != nil {
			return err
		}
		if err := c.Host.fs.WriteFile(c.Cred(), dst, data, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	if preserve {
		_ = c.Host.fs.Chmod(c.Cred(), dst, fi.Mode()&^fs.ModeType)
		if c.User.UID == 0 {
			uid, gid := hostfs.OwnerOf(fi)
			_ = c.Host.fs.Chown(c.Cred(), dst, uid, gid)
		}
	}
	return nil
}

func cmdCp(ctx context.Context, c *Call) int {
	o, bad := parse(c.Args[1:], "t,target-directory", false)
	if bad != "" {
		return c.Errorf("%s", bad)
	}
	recursive := o.has("r", "R", "a", "recursive", "archive")
	preserve := o.has("p", "a", "archive", "preserve")
	args := o.args
	var dest string
	if t, ok := o.get("t", "target-directory"); ok {
		dest = t
	} else {
		if len(args) < 2 {
			return c.Errorf("missing destination file operand after '%s'", strings.Join(args, " "))
		}
		dest, args = args[len(args)-1], args[:len(args)-1]
	}
	dp := c.Path(dest)
	dfi, derr := c.Host.fs.Stat(dp)
	destIsDir := derr == nil && dfi.IsDir()
	if len(args) > 1 && !destIsDir {
		return c.Errorf("target '%s' is not a directory", dest)
	}
	code := 0
	for _, a := range args {
		sp := c.Path(a)
		target := dp
		contents := strings.HasSuffix(a, "/.")
		if destIsDir && !contents {
			target = path.Join(dp, path.Base(sp))
		}
		if o.has("n", "no-clobber") {
			if _, err := c.Host.fs.Lstat(target); err == nil {
				continue
			}
		}
		if fi, err := c.Host.fs.Stat(sp); err == nil && fi.IsDir() && (sp == "/" || strings.HasPrefix(target+"/", sp+"/")) {
			fmt.Fprintf(c.Stderr, "cp: cannot copy a directory, '%s', into itself, '%s'\n", a, target)
			code = 1
			continue
		}
		if err := ctx.Err(); err != nil {
			return 130
		}
		if err := c.copyTree(sp, target, recursive, preserve); err != nil {
			if strings.HasPrefix(err.Error(), "-r not") {
				fmt.Fprintf(c.Stderr, "cp: %v\n", err)
			} else {
				fmt.Fprintf(c.Stderr, "cp: cannot copy '%s' to '%s': %s\n", a, dest, errText(err))
			}
			code = 1
			continue
		}
		if o.has("v") {
			fmt.Fprintf(c.Stdout, "'%s' -> '%s'\n", a, target)
		}
	}
	return code
}

func cmdInstall(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "m,o,g,mode,owner,group", false)
	mode := fs.FileMode(0o755)
	if m, ok := o.get("m", "mode"); ok {
		mm, err := parseMode(m, 0o755, false)
		if err != nil {
			return c.Errorf("invalid mode '%s'", m)
		}
		mode = mm
	}
	uid, gid := -1, -1
	if u, ok := o.get("o", "owner"); ok {
		usr, err := c.Host.LookupUser(u)
		if err != nil {
			return c.Errorf("invalid user '%s'", u)
		}
		uid = usr.UID
	}
	if g, ok := o.get("g", "group"); ok {
		grp, err := c.Host.LookupGroup(g)
		if err != nil {
			return c.Errorf("invalid group '%s'", g)
		}
		gid = grp.GID
	}
	var targets []string
	if o.has("d", "directory") {
		for _, d := range o.args {
			p := c.Path(d)
			if err := c.Host.fs.MkdirAll(c.Cred(), p, mode); err != nil {
				return c.fail(d, err)
			}
			targets = append(targets, p)
		}
	} else {
		if len(o.args) < 2 {
			return c.Errorf("missing destination file operand")
		}
		dest := c.Path(o.args[len(o.args)-1])
		if o.has("D") {
			_ = c.Host.fs.MkdirAll(c.Cred(), path.Dir(dest), 0o755)
		}
		fi, err := c.Host.fs.Stat(dest)
		isDir := err == nil && fi.IsDir()
		for _, s := range o.args[:len(o.args)-1] {
			data, err := c.readInput(s)
			if err != nil {
				return c.fail(s, err)
			}
			t := dest
			if isDir {
				t = path.Join(dest, path.Base(s))
			}
			if err := c.Host.fs.WriteFile(c.Cred(), t, data, mode); err != nil {
				return c.fail(t, err)
			}
			targets = append(targets, t)
		}
	}
	for _, t := range targets {
		_ = c.Host.fs.Chmod(c.Cred(), t, mode)
		if uid >= 0 || gid >= 0 {
			if err := c.Host.fs.Chown(c.Cred(), t, uid, gid); err != nil {
				return c.fail(t, err)
			}
		}
	}
	return 0
}

func cmdMv(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "t", false)
	args := o.args
	var dest string
	if t, ok := o.get("t"); ok {
		dest = t
	} else {
		if len(args) < 2 {
			return c.Errorf("missing destination file operand")
		}
		dest, args = args[len(args)-1], args[:len(args)-1]
	}
	dp := c.Path(dest)
	dfi, derr := c.Host.fs.Stat(dp)
	destIsDir := derr == nil && dfi.IsDir()
	if len(args) > 1 && !destIsDir {
		return c.Errorf("target '%s' is not a directory", dest)
	}
	code := 0
	for _, a := range args {
		sp := c.Path(a)
		target := dp
		if destIsDir {
			target = path.Join(dp, path.Base(sp))
		}
		if o.has("n") {
			if _, err := c.Host.fs.Lstat(target); err == nil {
				continue
			}
		}
		if tfi, err := c.Host.fs.Lstat(target); err == nil && !tfi.IsDir() {
			_ = c.Host.fs.Remove(c.Cred(), target)
		}
		if err := c.Host.fs.Rename(c.Cred(), sp, target); err != nil {
			fmt.Fprintf(c.Stderr, "mv: cannot move '%s' to '%s': %s\n", a, dest, errText(err))
			code = 1
		}
	}
	return code
}

func modeString(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	if m&fs.ModeSetuid != 0 {
		b[3] = map[bool]byte{true: 's', false: 'S'}[m&0o100 != 0]
	}
	if m&fs.ModeSetgid != 0 {
		b[6] = map[bool]byte{true: 's', false: 'S'}[m&0o010 != 0]
	}
	if m&fs.ModeSticky != 0 {
		b[9] = map[bool]byte{true: 't', false: 'T'}[m&0o001 != 0]
	}
	return string(b)
}

func cmdLs(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	long := o.has("l") || o.has("n")
	all := o.has("a", "A", "all")
	targets := o.args
	if len(targets) == 0 {
		targets = []string{"."}
	}
	code := 0
	line := func(p, name string, fi fs.FileInfo) {
		if !long {
			fmt.Fprintln(c.Stdout, name)
			return
		}
		uid, gid := hostfs.OwnerOf(fi)
		u, g := c.Host.userName(uid), c.Host.groupName(gid)
		if o.has("n") {
			u, g = strconv.Itoa(uid), strconv.Itoa(gid)
		}
		extra := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			t, _ := c.Host.fs.Readlink(p)
			extra = " -> " + t
		}
		fmt.Fprintf(c.Stdout, "%s 1 %s %s %6d %s %s%s\n", modeString(fi.Mode()), u, g, fi.Size(), fi.ModTime().UTC().Format("Jan _2 15:04"), name, extra)
	}
	var files, dirs []string
	for _, t := range targets {
		p := c.Path(t)
		fi, err := c.Host.fs.Stat(p)
		if err != nil {
			fmt.Fprintf(c.Stderr, "ls: cannot access '%s': %s\n", t, errText(err))
			code = 2
			continue
		}
		if fi.IsDir() && !o.has("d") {
			dirs = append(dirs, t)
		} else {
			files = append(files, t)
		}
	}
	for _, t := range files {
		fi, _ := c.Host.fs.Lstat(c.Path(t))
		if fi == nil {
			fi, _ = c.Host.fs.Stat(c.Path(t))
		}
		line(c.Path(t), t, fi)
	}
	var list func(t string, header bool)
	list = func(t string, header bool) {
		p := c.Path(t)
		ents, err := c.Host.fs.ReadDir(p)
		if err != nil {
			fmt.Fprintf(c.Stderr, "ls: cannot open directory '%s': %s\n", t, errText(err))
			code = 2
			return
		}
		if header {
			fmt.Fprintf(c.Stdout, "%s:\n", t)
		}
		if long {
			fmt.Fprintf(c.Stdout, "total %d\n", len(ents))
		}
		var sub []string
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") && !all {
				continue
			}
			fi, _ := e.Info()
			line(path.Join(p, e.Name()), e.Name(), fi)
			if e.IsDir() {
				sub = append(sub, path.Join(t, e.Name()))
			}
		}
		if o.has("R") {
			for _, s := range sub {
				fmt.Fprintln(c.Stdout)
				list(s, true)
			}
		}
	}
	for i, t := range dirs {
		if i > 0 || len(files) > 0 {
			fmt.Fprintln(c.Stdout)
		}
		list(t, len(dirs)+len(files) > 1 || o.has("R"))
	}
	return code
}

func cmdFind(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	var roots []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && args[0] != "(" && args[0] != "!" {
		roots = append(roots, args[0])
		args = args[1:]
	}
	if len(roots) == 0 {
		roots = []string{"."}
	}
	type test func(p string, fi fs.FileInfo) bool
	var tests []test
	var execs [][]string
	maxDepth, minDepth := -1, 0
	printed := false
	del := false
	negate := false
	add := func(t test) {
		if negate {
			inner := t
			t = func(p string, fi fs.FileInfo) bool { return !inner(p, fi) }
			negate = false
		}
		tests = append(tests, t)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, bool) {
			if i+1 >= len(args) {
				return "", false
			}
			i++
			return args[i], true
		}
		switch a {
		case "!", "-not":
			negate = true
		case "-type":
			v, ok := next()
			if !ok {
				return c.Errorf("missing argument to '-type'")
			}
			add(func(p string, fi fs.FileInfo) bool {
				switch v {
				case "f":
					return fi.Mode().IsRegular()
				case "d":
					return fi.IsDir()
				case "l":
					return fi.Mode()&fs.ModeSymlink != 0
				}
				return false
			})
		case "-name", "-iname":
			v, ok := next()
			if !ok {
				return c.Errorf("missing argument to '%s'", a)
			}
			ci := a == "-iname"
			add(func(p string, fi fs.FileInfo) bool {
				n := path.Base(p)
				if ci {
					ok, _ := path.Match(strings.ToLower(v), strings.ToLower(n))
					return ok
				}
				ok, _ := path.Match(v, n)
				return ok
			})
		case "-path":
			v, _ := next()
			add(func(p string, fi fs.FileInfo) bool { ok, _ := path.Match(v, p); return ok })
		case "-maxdepth":
			v, _ := next()
			maxDepth, _ = strconv.Atoi(v)
		case "-mindepth":
			v, _ := next()
			minDepth, _ = strconv.Atoi(v)
		case "-print":
			printed = false
		case "-delete":
			del = true
		case "-exec", "-execdir":
			var cmd []string
			for i+1 < len(args) {
				i++
				if args[i] == ";" || args[i] == "+" {
					break
				}
				cmd = append(cmd, args[i])
			}
			execs = append(execs, cmd)
		case "-o", "-a", "(", ")", "-xdev", "-mount", "-follow":
		case "-mtime", "-mmin", "-size", "-user", "-group", "-perm", "-newer":
			next()
		default:
			return c.Errorf("unknown predicate '%s'", a)
		}
	}
	code := 0
	for _, r := range roots {
		rp := c.Path(r)
		if _, err := c.Host.fs.Lstat(rp); err != nil {
			fmt.Fprintf(c.Stderr, "find: '%s': %s\n", r, errText(err))
			code = 1
			continue
		}
		var matched []string
		_ = c.Host.fs.Walk(rp, func(p string, fi fs.FileInfo) error {
			rel := strings.TrimPrefix(strings.TrimPrefix(p, rp), "/")
			depth := 0
			if rel != "" {
				depth = strings.Count(rel, "/") + 1
			}
			if maxDepth >= 0 && depth > maxDepth || depth < minDepth {
				return nil
			}
			for _, t := range tests {
				if !t(p, fi) {
					return nil
				}
			}
			shown := r
			if rel != "" {
				shown = strings.TrimSuffix(r, "/") + "/" + rel
			}
			matched = append(matched, shown)
			return nil
		})
		for _, m := range matched {
			if del {
				_ = c.Host.fs.RemoveAll(c.Cred(), c.Path(m))
				continue
			}
			if len(execs) > 0 {
				for _, e := range execs {
					argv := make([]string, len(e))
					for j, x := range e {
						argv[j] = strings.ReplaceAll(x, "{}", m)
					}
					if st := c.Run(ctx, shellJoin(argv)); st != 0 {
						code = 1
					}
				}
				continue
			}
			_ = printed
			fmt.Fprintln(c.Stdout, m)
		}
	}
	return code
}

// shellJoin quotes argv for re-parsing by the shell.
func shellJoin(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}

func cmdReadlink(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	code := 0
	for _, a := range o.args {
		if o.has("f", "e", "m") {
			p, err := c.Host.fs.Realpath(c.Path(a))
			if err != nil {
				if o.has("m") || o.has("f") {
					fmt.Fprintln(c.Stdout, c.Path(a))
					continue
				}
				code = 1
				continue
			}
			fmt.Fprintln(c.Stdout, p)
			continue
		}
		t, err := c.Host.fs.Readlink(c.Path(a))
		if err != nil {
			code = 1
			continue
		}
		fmt.Fprintln(c.Stdout, t)
	}
	return code
}

func cmdRealpath(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	code := 0
	for _, a := range o.args {
		p, err := c.Host.fs.Realpath(c.Path(a))
		if err != nil {
			if o.has("m") {
				fmt.Fprintln(c.Stdout, c.Path(a))
				continue
			}
			code = c.fail(a, err)
			continue
		}
		fmt.Fprintln(c.Stdout, p)
	}
	return code
}

func cmdBasename(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return c.Errorf("missing operand")
	}
	b := path.Base(args[0])
	if len(args) > 1 && b != args[1] {
		b = strings.TrimSuffix(b, args[1])
	}
	fmt.Fprintln(c.Stdout, b)
	return 0
}

func cmdDirname(ctx context.Context, c *Call) int {
	if len(c.Args) < 2 {
		return c.Errorf("missing operand")
	}
	for _, a := range c.Args[1:] {
		fmt.Fprintln(c.Stdout, path.Dir(a))
	}
	return 0
}

func cmdMktemp(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "p,tmpdir", false)
	dir := "/tmp"
	if d, ok := o.get("p", "tmpdir"); ok {
		dir = d
	}
	tmpl := "tmp.XXXXXXXXXX"
	if len(o.args) > 0 {
		tmpl = o.args[0]
		if strings.Contains(tmpl, "/") {
			dir = ""
		}
	}
	for try := 0; try < 100; try++ {
		name := fillX(tmpl, c.Host.clk.Now().UnixNano()+int64(try))
		p := c.Path(path.Join(dir, name))
		var err error
		if o.has("d", "directory") {
			err = c.Host.fs.Mkdir(c.Cred(), p, 0o700)
		} else {
			var f *hostfs.File
			f, err = c.Host.fs.OpenFile(c.Cred(), p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if f != nil {
				f.Close()
			}
		}
		if err == nil {
			fmt.Fprintln(c.Stdout, p)
			return 0
		}
		if !strings.Contains(errText(err), "exists") {
			return c.Errorf("failed to create file via template '%s': %s", tmpl, errText(err))
		}
	}
	return c.Errorf("failed to create file via template '%s'", tmpl)
}

func fillX(tmpl string, seed int64) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := []byte(tmpl)
	x := uint64(seed)*6364136223846793005 + 1442695040888963407
	for i := len(b) - 1; i >= 0 && b[i] == 'X'; i-- {
		x = x*6364136223846793005 + 1442695040888963407
		b[i] = chars[(x>>33)%uint64(len(chars))]
	}
	return string(b)
}

func cmdTee(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	var files []*hostfs.File
	code := 0
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if o.has("a", "append") {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	for _, a := range o.args {
		f, err := c.Host.fs.OpenFile(c.Cred(), c.Path(a), flag, 0o644)
		if err != nil {
			code = c.fail(a, err)
			continue
		}
		files = append(files, f)
	}
	data, _ := io.ReadAll(c.Stdin)
	c.Stdout.Write(data)
	for _, f := range files {
		f.Write(data)
		f.Close()
	}
	return code
}

func cmdStat(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "c,format", false)
	format, hasFmt := o.get("c", "format")
	code := 0
	for _, a := range o.args {
		fi, err := c.Host.fs.Lstat(c.Path(a))
		if err != nil {
			fmt.Fprintf(c.Stderr, "stat: cannot statx '%s': %s\n", a, errText(err))
			code = 1
			continue
		}
		uid, gid := hostfs.OwnerOf(fi)
		if hasFmt {
			r := strings.NewReplacer("%a", strconv.FormatUint(uint64(fi.Mode().Perm()), 8), "%A", modeString(fi.Mode()), "%U", c.Host.userName(uid),
				"%G", c.Host.groupName(gid), "%u", strconv.Itoa(uid), "%g", strconv.Itoa(gid), "%s", strconv.FormatInt(fi.Size(), 10), "%n", a,
				"%F", map[bool]string{true: "directory", false: "regular file"}[fi.IsDir()], "%Y", strconv.FormatInt(fi.ModTime().Unix(), 10))
			fmt.Fprintln(c.Stdout, r.Replace(format))
			continue
		}
		fmt.Fprintf(c.Stdout, "  File: %s\n  Size: %d\nAccess: (%04o/%s)  Uid: (%d/%s)   Gid: (%d/%s)\n", a, fi.Size(), fi.Mode().Perm(), modeString(fi.Mode()), uid, c.Host.userName(uid), gid, c.Host.groupName(gid))
	}
	return code
}

func cmdSleep(ctx context.Context, c *Call) int {
	if len(c.Args) < 2 {
		return c.Errorf("missing operand")
	}
	var total time.Duration
	for _, a := range c.Args[1:] {
		unit := time.Second
		switch {
		case strings.HasSuffix(a, "s"):
			a = a[:len(a)-1]
		case strings.HasSuffix(a, "m"):
			a, unit = a[:len(a)-1], time.Minute
		case strings.HasSuffix(a, "h"):
			a, unit = a[:len(a)-1], time.Hour
		case strings.HasSuffix(a, "d"):
			a, unit = a[:len(a)-1], 24*time.Hour
		}
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || f < 0 {
			return c.Errorf("invalid time interval '%s'", a)
		}
		total += time.Duration(f * float64(unit))
	}
	if err := clock.Sleep(ctx, c.Host.clk, total); err != nil {
		return 130
	}
	return 0
}

func cmdSort(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "k,t,o", false)
	var lines []string
	inputs := o.args
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	for _, f := range inputs {
		data, err := c.readInput(f)
		if err != nil {
			return c.fail(f, err)
		}
		lines = append(lines, splitLines(string(data))...)
	}
	key := func(s string) string { return s }
	if k, ok := o.get("k"); ok {
		n, _ := strconv.Atoi(strings.Split(k, ",")[0])
		sep, _ := o.get("t")
		key = func(s string) string {
			var f []string
			if sep != "" {
				f = strings.Split(s, sep)
			} else {
				f = strings.Fields(s)
			}
			if n-1 < len(f) && n > 0 {
				return f[n-1]
			}
			return ""
		}
	}
	less := func(a, b string) bool { return key(a) < key(b) }
	if o.has("n") || o.has("V") {
		less = func(a, b string) bool {
			x, _ := strconv.ParseFloat(strings.TrimSpace(key(a)), 64)
			y, _ := strconv.ParseFloat(strings.TrimSpace(key(b)), 64)
			return x < y
		}
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if o.has("r") {
			return less(lines[j], lines[i])
		}
		return less(lines[i], lines[j])
	})
	if o.has("u") {
		lines = slices.Compact(lines)
	}
	out := c.Stdout
	if f, ok := o.get("o"); ok {
		var b bytes.Buffer
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		if err := c.Host.fs.WriteFile(c.Cred(), c.Path(f), b.Bytes(), 0o644); err != nil {
			return c.fail(f, err)
		}
		return 0
	}
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	return 0
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}
