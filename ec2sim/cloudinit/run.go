package cloudinit

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/runner"
)

// Version is the cloud-init version devopsim reports.
const Version = "22.2.2"

// Result is what a boot did with the user data.
type Result struct {
	FirstBoot bool
	// Ran counts the scripts run (user scripts, runcmd, bootcmd, boothooks).
	Ran int
	// Failed lists what failed ("part-001 [1]", "write_files /x: permission denied"...).
	Failed []string
	// Ignored lists parts and cloud-config keys that were not applied, with why.
	Ignored []string
}

// OK reports whether everything that ran succeeded.
func (r *Result) OK() bool { return len(r.Failed) == 0 }

// Boot runs user data on h the way cloud-init does at boot: bootcmd and boothooks at every
// boot; the rest once per instance id (the semaphore files live under
// /var/lib/cloud/instances/<id>/sem, so an instance launched from an image of another runs
// its own user data). raw is the user data after EC2's base64 decoding. Output goes to
// /var/log/cloud-init-output.log and the host's console. The error is non-nil only if the
// host could not be used at all (e.g. ctx cancelled).
func Boot(ctx context.Context, h *host.Host, instanceID string, raw []byte) (*Result, error) {
	fsys := h.FS()
	root := hostfs.Cred{}
	idir := "/var/lib/cloud/instances/" + instanceID
	res := &Result{}
	_, err := fsys.Stat(idir + "/sem/config_scripts_user")
	res.FirstBoot = err != nil
	for _, d := range []string{idir + "/sem", idir + "/scripts", "/var/lib/cloud/scripts/per-boot", "/var/log"} {
		if err := fsys.MkdirAll(root, d, 0o755); err != nil {
			return nil, err
		}
	}
	_ = fsys.Remove(root, "/var/lib/cloud/instance")
	_ = fsys.Symlink(root, idir, "/var/lib/cloud/instance")

	out := &logWriter{h: h}
	log := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
	}
	warn := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		fmt.Fprintf(out, "%s - %s\n", h.Clock().Now().UTC().Format("2006-01-02 15:04:05,000"), msg)
		appendFile(fsys, "/var/log/cloud-init.log", []byte(h.Clock().Now().UTC().Format("2006-01-02 15:04:05,000")+" - "+msg+"\n"), 0o640)
	}
	start := h.Clock().Now()
	log("Cloud-init v. %s running 'init-local' at %s. Up 3.20 seconds.", Version, start.UTC().Format(time.RFC1123Z))
	log("Cloud-init v. %s running 'init' at %s. Up 5.10 seconds.", Version, start.UTC().Format(time.RFC1123Z))

	if res.FirstBoot {
		if err := fsys.WriteFile(root, idir+"/user-data.txt", raw, 0o600); err != nil {
			return nil, err
		}
	}
	ud, perr := Parse(raw)
	if perr != nil {
		warn("util.py[WARNING]: Failed decoding user data: %v", perr)
		res.Failed = append(res.Failed, "user-data: "+perr.Error())
		ud = &UserData{}
	}
	if res.FirstBoot && ud.Gzipped {
		_ = fsys.WriteFile(root, idir+"/user-data.txt.i", ud.Decoded, 0o600)
	}

	runScript := func(name, p string) {
		if err := ctx.Err(); err != nil {
			return
		}
		res.Ran++
		r, err := h.RunFile(ctx, "root", p, &runner.Command{Dir: "/", Stdout: out, Stderr: out})
		if err != nil {
			warn("util.py[WARNING]: Failed running %s [%v]", p, err)
			res.Failed = append(res.Failed, fmt.Sprintf("%s [%v]", name, err))
			return
		}
		if r.ExitCode != 0 {
			warn("util.py[WARNING]: Failed running %s [%d]", p, r.ExitCode)
			res.Failed = append(res.Failed, fmt.Sprintf("%s [%d]", name, r.ExitCode))
		}
	}
	writeScript := func(p string, body []byte) bool {
		if err := fsys.WriteFile(root, p, body, 0o700); err != nil {
			warn("util.py[WARNING]: Failed writing %s: %v", p, err)
			res.Failed = append(res.Failed, "write "+p)
			return false
		}
		_ = fsys.Chmod(root, p, 0o700)
		return true
	}

	var configs []*Config
	var scripts []Part
	var boothooks []Part
	for i, p := range ud.Parts {
		switch p.Kind {
		case CloudConfig:
			if p.Err != nil {
				warn("util.py[WARNING]: Failed loading yaml blob. %v", p.Err)
				res.Failed = append(res.Failed, fmt.Sprintf("part %d: %v", i+1, p.Err))
				continue
			}
			if p.Config != nil {
				configs = append(configs, p.Config)
			}
		case Script:
			scripts = append(scripts, p)
		case Boothook:
			boothooks = append(boothooks, p)
		case Windows:
			msg := "Windows user data (<powershell>, <script> or EC2Launch YAML) cannot run on this Linux image; it was ignored"
			warn("__init__.py[WARNING]: Unhandled non-multipart (text/x-not-multipart) userdata: %s", firstLine(p.Content))
			log("%s", msg)
			res.Ignored = append(res.Ignored, msg)
		case Include:
			warn("util.py[WARNING]: #include user data needs network access to fetch URLs; ignored")
			res.Ignored = append(res.Ignored, "#include")
		case PartHandler:
			warn("util.py[WARNING]: part-handler (Python) is not supported; ignored")
			res.Ignored = append(res.Ignored, "part-handler")
		case Jinja:
			warn("util.py[WARNING]: jinja templates are not supported; ignored")
			res.Ignored = append(res.Ignored, "jinja template")
		default:
			if len(bytes.TrimSpace(p.Content)) > 0 {
				warn("__init__.py[WARNING]: Unhandled non-multipart (%s) userdata: '%s...'", orDefault(p.ContentType, "text/x-not-multipart"), firstLine(p.Content))
				res.Ignored = append(res.Ignored, "unhandled part "+orDefault(p.ContentType, "text/x-not-multipart"))
			}
		}
	}
	for _, c := range configs {
		for _, k := range c.Keys {
			if !Supported(k) {
				res.Ignored = append(res.Ignored, "cloud-config key "+k)
			}
		}
	}

	// init stage: bootcmd and boothooks run at every boot.
	for ci, c := range configs {
		if len(c.BootCmd) == 0 {
			continue
		}
		p := fmt.Sprintf("%s/bootcmd-%d", idir, ci)
		if writeScript(p, commandScript(c.BootCmd)) {
			runScript("bootcmd", p)
		}
	}
	for i, b := range boothooks {
		body := b.Content
		if line, rest, ok := bytes.Cut(body, []byte("\n")); ok && bytes.HasPrefix(line, []byte("#cloud-boothook")) {
			body = append([]byte("#!/bin/sh\n"), rest...)
		}
		p := fmt.Sprintf("%s/boothooks/part-%03d", idir, i+1)
		_ = fsys.MkdirAll(root, path.Dir(p), 0o755)
		if writeScript(p, body) {
			runScript("boothook", p)
		}
	}

	if res.FirstBoot {
		// init/config stages.
		for _, c := range configs {
			if c.Hostname != "" || c.FQDN != "" {
				name := c.Hostname
				if c.FQDN != "" {
					name = c.FQDN
				}
				h.SetHostname(name)
			}
			for _, g := range c.Groups {
				if _, err := h.LookupGroup(g.Name); err != nil {
					if err := h.AddGroup(g.Name, -1, false); err != nil {
						warn("cc_users_groups.py[WARNING]: Failed to create group %s: %v", g.Name, err)
						res.Failed = append(res.Failed, "group "+g.Name)
						continue
					}
				}
				for _, m := range g.Members {
					if _, err := h.LookupUser(m); err != nil {
						warn("util.py[WARNING]: Unable to add group member '%s' to group '%s'; user does not exist.", m, g.Name)
						continue
					}
					_ = h.AddToGroup(m, g.Name)
				}
			}
			for _, u := range c.Users {
				if err := applyUser(h, u, c.SSHAuthorizedKeys); err != nil {
					warn("cc_users_groups.py[WARNING]: Failed to create user %s: %v", u.Name, err)
					res.Failed = append(res.Failed, "user "+u.Name+": "+err.Error())
				}
			}
			if len(c.Users) == 0 && len(c.SSHAuthorizedKeys) > 0 {
				_ = applyUser(h, User{Default: true}, c.SSHAuthorizedKeys)
			}
			for _, f := range c.WriteFiles {
				if f.Defer {
					continue
				}
				if err := writeFile(h, f); err != nil {
					warn("cc_write_files.py[WARNING]: Failed writing %s: %v", f.Path, err)
					res.Failed = append(res.Failed, "write_files "+f.Path+": "+err.Error())
				}
			}
		}
		log("Cloud-init v. %s running 'modules:config' at %s. Up 8.00 seconds.", Version, h.Clock().Now().UTC().Format(time.RFC1123Z))
		log("Cloud-init v. %s running 'modules:final' at %s. Up 9.00 seconds.", Version, h.Clock().Now().UTC().Format(time.RFC1123Z))
		// final stage: packages, then scripts-user (user scripts, then runcmd).
		var update, upgrade bool
		var pkgs []string
		for _, c := range configs {
			update = update || c.PackageUpdate
			upgrade = upgrade || c.PackageUpgrade
			for _, p := range c.Packages {
				pkgs = append(pkgs, p.Name)
			}
		}
		if update || upgrade || len(pkgs) > 0 {
			var script strings.Builder
			ubuntu := h.Distro() == "ubuntu"
			if ubuntu {
				if update || upgrade || len(pkgs) > 0 {
					script.WriteString("apt-get update\n")
				}
				if upgrade {
					script.WriteString("apt-get -y upgrade\n")
				}
				if len(pkgs) > 0 {
					script.WriteString("DEBIAN_FRONTEND=noninteractive apt-get -y install " + shellQuote(pkgs...) + "\n")
				}
			} else {
				if upgrade {
					script.WriteString("yum -y upgrade\n")
				}
				if len(pkgs) > 0 {
					script.WriteString("yum -y install " + shellQuote(pkgs...) + "\n")
				}
			}
			p := idir + "/package-update-upgrade-install"
			if writeScript(p, []byte("#!/bin/sh\nset -e\n"+script.String())) {
				before := len(res.Failed)
				runScript("package-update-upgrade-install", p)
				if len(res.Failed) > before {
					warn("cc_package_update_upgrade_install.py[WARNING]: 1 failed with exceptions, re-raising the last one")
				}
				res.Ran--
			}
		}
		before := len(res.Failed)
		for i, s := range scripts {
			name := s.Filename
			if name == "" || strings.Contains(name, "/") {
				name = fmt.Sprintf("part-%03d", i+1)
			}
			p := idir + "/scripts/" + name
			if writeScript(p, s.Content) {
				runScript(name, p)
			}
		}
		var run []Command
		for _, c := range configs {
			run = append(run, c.RunCmd...)
		}
		if len(run) > 0 {
			p := idir + "/scripts/runcmd"
			if writeScript(p, commandScript(run)) {
				runScript("runcmd", p)
			}
		}
		if len(res.Failed) > before {
			warn("cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud/instance/scripts)")
			warn("util.py[WARNING]: Running module scripts-user (<module 'cloudinit.config.cc_scripts_user' from '/usr/lib/python3.9/site-packages/cloudinit/config/cc_scripts_user.py'>) failed")
		}
		for _, c := range configs {
			for _, f := range c.WriteFiles {
				if !f.Defer {
					continue
				}
				if err := writeFile(h, f); err != nil {
					warn("cc_write_files_deferred.py[WARNING]: Failed writing %s: %v", f.Path, err)
					res.Failed = append(res.Failed, "write_files "+f.Path+": "+err.Error())
				}
			}
		}
		_ = fsys.WriteFile(root, idir+"/sem/config_scripts_user", []byte(strconv.FormatInt(h.Clock().Now().Unix(), 10)+"\n"), 0o644)
	}
	final := fmt.Sprintf("Cloud-init v. %s finished at %s. Datasource DataSourceEc2.  Up 10.00 seconds", Version, h.Clock().Now().UTC().Format(time.RFC1123Z))
	for _, c := range configs {
		if c.FinalMessage != "" {
			final = strings.NewReplacer("$version", Version, "$datasource", "DataSourceEc2", "$UPTIME", "10.00", "$TIMESTAMP", h.Clock().Now().UTC().Format(time.RFC1123Z)).Replace(c.FinalMessage)
		}
	}
	log("%s", final)
	_ = fsys.MkdirAll(root, "/var/lib/cloud/data", 0o755)
	status := "done"
	if len(res.Failed) > 0 {
		status = "error"
	}
	_ = fsys.WriteFile(root, "/var/lib/cloud/data/status", []byte(status+"\n"), 0o644)
	return res, ctx.Err()
}

type logWriter struct{ h *host.Host }

func (w *logWriter) Write(p []byte) (int, error) {
	appendFile(w.h.FS(), "/var/log/cloud-init-output.log", p, 0o644)
	return w.h.ConsoleWriter().Write(p)
}

func appendFile(fsys *hostfs.FS, p string, data []byte, perm fs.FileMode) {
	f, err := fsys.OpenFile(hostfs.Cred{}, p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, perm)
	if err != nil {
		return
	}
	_, _ = f.Write(data)
	_ = f.Close()
}

func firstLine(b []byte) string {
	l, _, _ := bytes.Cut(bytes.TrimSpace(b), []byte("\n"))
	if len(l) > 60 {
		l = l[:60]
	}
	return string(l)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func shellQuote(args ...string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}

func commandScript(cmds []Command) []byte {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	for _, c := range cmds {
		if c.Argv != nil {
			b.WriteString(shellQuote(c.Argv...) + "\n")
		} else {
			b.WriteString(c.Shell + "\n")
		}
	}
	return []byte(b.String())
}

func applyUser(h *host.Host, u User, defaultKeys []string) error {
	name := u.Name
	keys := u.SSHAuthorizedKeys
	if u.Default {
		name = host.DefaultUser(h.Distro())
		keys = append(keys, defaultKeys...)
	}
	if _, err := h.LookupUser(name); err != nil {
		uid := -1
		switch v := u.UID.(type) {
		case int:
			uid = v
		case string:
			if n, err := strconv.Atoi(v); err == nil {
				uid = n
			}
		}
		if u.PrimaryGroup == name {
			if _, err := h.LookupGroup(name); err != nil {
				if err := h.AddGroup(name, -1, u.System); err != nil {
					return err
				}
			}
		}
		for _, g := range u.Groups {
			if _, err := h.LookupGroup(g); err != nil {
				if err := h.AddGroup(g, -1, false); err != nil {
					return err
				}
			}
		}
		if err := h.AddUser(name, host.AddUserOptions{UID: uid, Group: u.PrimaryGroup, Groups: u.Groups, Home: u.Homedir, Shell: u.Shell, CreateHome: !u.NoCreateHome && !u.System, System: u.System, Gecos: u.Gecos}); err != nil {
			return err
		}
	}
	usr, err := h.LookupUser(name)
	if err != nil {
		return err
	}
	var sudo []string
	switch v := u.Sudo.(type) {
	case string:
		sudo = []string{v}
	case []any:
		for _, s := range v {
			if str, ok := s.(string); ok {
				sudo = append(sudo, str)
			}
		}
	}
	fsys := h.FS()
	root := hostfs.Cred{}
	for _, s := range sudo {
		appendFile(fsys, "/etc/sudoers.d/90-cloud-init-users", []byte(name+" "+s+"\n"), 0o440)
	}
	if len(keys) > 0 {
		dir := usr.Home + "/.ssh"
		if err := fsys.MkdirAll(root, dir, 0o700); err != nil {
			return err
		}
		_ = fsys.Chown(root, dir, usr.UID, usr.GID)
		appendFile(fsys, dir+"/authorized_keys", []byte(strings.Join(keys, "\n")+"\n"), 0o600)
		_ = fsys.Chown(root, dir+"/authorized_keys", usr.UID, usr.GID)
	}
	return nil
}

func writeFile(h *host.Host, f File) error {
	if f.Path == "" {
		return fmt.Errorf("no path")
	}
	content := []byte(f.Content)
	switch strings.ToLower(f.Encoding) {
	case "", "text/plain":
	case "b64", "base64":
		content = LenientBase64(f.Content)
	case "gz", "gzip", "gz+b64", "gz+base64", "gzip+b64", "gzip+base64":
		if strings.Contains(f.Encoding, "b") {
			content = LenientBase64(f.Content)
		}
		zr, err := gzip.NewReader(bytes.NewReader(content))
		if err != nil {
			return fmt.Errorf("bad gzip content: %w", err)
		}
		d, err := io.ReadAll(io.LimitReader(zr, MaxDecompressed))
		if err != nil {
			return fmt.Errorf("bad gzip content: %w", err)
		}
		content = d
	default:
		return fmt.Errorf("unknown encoding %q", f.Encoding)
	}
	if f.Source != nil && f.Content == "" {
		return fmt.Errorf("write_files source URLs need network access")
	}
	perm := fs.FileMode(0o644)
	if f.Permissions != "" {
		n, err := strconv.ParseUint(strings.TrimPrefix(f.Permissions, "0o"), 8, 32)
		if err != nil {
			return fmt.Errorf("invalid permissions %q", f.Permissions)
		}
		perm = fs.FileMode(n & 0o7777)
	}
	fsys := h.FS()
	root := hostfs.Cred{}
	p := hostfs.Clean(f.Path)
	if err := fsys.MkdirAll(root, path.Dir(p), 0o755); err != nil {
		return err
	}
	if f.Append {
		appendFile(fsys, p, content, perm)
	} else if err := fsys.WriteFile(root, p, content, perm); err != nil {
		return err
	}
	if err := fsys.Chmod(root, p, perm); err != nil {
		return err
	}
	owner := f.Owner
	if owner == "" {
		owner = "root:root"
	}
	un, gn, _ := strings.Cut(owner, ":")
	u, err := h.LookupUser(un)
	if err != nil {
		return fmt.Errorf("owner %q: %w", owner, err)
	}
	gid := u.GID
	if gn != "" {
		g, err := h.LookupGroup(gn)
		if err != nil {
			return fmt.Errorf("owner %q: %w", owner, err)
		}
		gid = g.GID
	}
	return fsys.Chown(root, p, u.UID, gid)
}
