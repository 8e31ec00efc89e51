package cfnhost

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

var initFlags = append([]flagSpec{
	{"stack", "s", true}, {"resource", "r", true}, {"region", "", true}, {"configsets", "c", true}, {"verbose", "v", false},
}, credFlags...)

const initUsage = `Usage: cfn-init [options]

Options:
  -s STACK_NAME, --stack=STACK_NAME   A CloudFormation stack name or ID
  -r LOGICAL_RESOURCE_ID, --resource=LOGICAL_RESOURCE_ID
                                      A CloudFormation logical resource ID
  -c CONFIGSETS, --configsets=CONFIGSETS
                                      An optional list of configSets (default: default)
  --region=REGION                     Specify the CloudFormation region
  -v, --verbose                       Enables verbose logging
`

// buildError is a failure of one config.
type buildError struct{ msg string }

func (e *buildError) Error() string { return e.msg }

func failf(format string, args ...any) error { return &buildError{fmt.Sprintf(format, args...)} }

// run is one cfn-init run on a host.
type run struct {
	t       *Tools
	c       *host.Call
	h       *host.Host
	log     *logger
	cmdLog  *logger
	verbose bool
	// what this run changed, for service restart triggers
	files    map[string]bool
	sources  map[string]bool
	packages map[string]bool // manager/name
	commands map[string]bool
}

// cmdInit is cfn-init.
func (t *Tools) cmdInit(ctx context.Context, c *host.Call) int {
	opts, _, err := parseFlags(c.Args[1:], initFlags)
	if err != nil {
		fmt.Fprintf(c.Stderr, "%s\ncfn-init: error: %v\n", initUsage, err)
		return 2
	}
	if opts["stack"] == "" || opts["resource"] == "" {
		fmt.Fprintf(c.Stderr, "%s\ncfn-init: error: Error: You must specify both a stack name and logical resource id\n", initUsage)
		return 2
	}
	if c.User.UID != 0 {
		fmt.Fprintln(c.Stderr, "cfn-init: error: [Errno 13] Permission denied: '/var/log/cfn-init.log' (cfn-init must run as root)")
		return 1
	}
	pid := nextPID()
	r := &run{t: t, c: c, h: c.Host, verbose: opts["verbose"] != "",
		log:    &logger{h: c.Host, file: "/var/log/cfn-init.log", pid: pid},
		cmdLog: &logger{h: c.Host, file: "/var/log/cfn-init-cmd.log", pid: pid},
		files:  map[string]bool{}, sources: map[string]bool{}, packages: map[string]bool{}, commands: map[string]bool{}}
	sets := []string{"default"}
	if s := opts["configsets"]; s != "" {
		sets = nil
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				sets = append(sets, x)
			}
		}
	}
	r.log.printf("INFO", "-----------------------Starting build-----------------------")
	if err := r.build(ctx, opts, sets); err != nil {
		var be *buildError
		if errors.As(err, &be) {
			fmt.Fprintf(c.Stderr, "Error occurred during build: %s\n", be.msg)
		} else {
			fmt.Fprintln(c.Stderr, err)
		}
		return 1
	}
	r.log.printf("INFO", "-----------------------Build complete-----------------------")
	return 0
}

func (r *run) build(ctx context.Context, opts map[string]string, sets []string) error {
	md, err := r.t.metadata(ctx, r.h, opts["stack"], opts["resource"], opts["region"])
	if err != nil {
		r.log.printf("ERROR", "%v", err)
		return err
	}
	if r.verbose {
		r.log.printf("DEBUG", "CloudFormation client initialized with endpoint https://cloudformation.%s.amazonaws.com", callerRegion(r.h, opts["region"]))
		r.log.printf("DEBUG", "Describing resource %s in stack %s", opts["resource"], opts["stack"])
	}
	init, err := ParseInit(md)
	if err != nil {
		r.log.printf("ERROR", "Error: %v", err)
		return failf("%v", err)
	}
	r.log.printf("INFO", "Running configSets: %s", strings.Join(sets, ", "))
	for _, set := range sets {
		configs, err := init.Plan([]string{set})
		if err != nil {
			r.log.printf("ERROR", "Error: %v", err)
			return failf("%v", err)
		}
		r.log.printf("INFO", "Running configSet %s", set)
		for _, cfg := range configs {
			r.log.printf("INFO", "Running config %s", cfg.Name)
			if err := r.config(ctx, cfg); err != nil {
				r.log.printf("ERROR", "Error encountered during build of %s: %v", cfg.Name, err)
				return err
			}
		}
	}
	r.log.printf("INFO", "ConfigSets completed")
	return nil
}

func callerRegion(h *host.Host, region string) string {
	if region != "" {
		return region
	}
	return h.Metadata().Region
}

// config runs one config's sections in AWS's order.
func (r *run) config(ctx context.Context, cfg *Config) error {
	steps := []func(context.Context, *Config) error{r.doPackages, r.doGroups, r.doUsers, r.doSources, r.doFiles, r.doCommands, r.doServices}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(ctx, cfg); err != nil {
			return err
		}
	}
	return nil
}

// shell runs a script on the host as root; it returns the combined output and exit status.
func (r *run) shell(ctx context.Context, script, dir string, env []string) (string, int) {
	var out bytes.Buffer
	cc := *r.c
	cc.Stdout, cc.Stderr = &out, &out
	if dir != "" {
		cc.Dir = dir
	}
	if env != nil {
		cc.Env = env
	}
	code := cc.Run(ctx, script)
	return out.String(), code
}

func quote(s string) string {
	q, err := syntax.Quote(s, syntax.LangBash)
	if err != nil {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return q
}

func (r *run) doPackages(ctx context.Context, cfg *Config) error {
	byMgr := map[string][]PackageSpec{}
	var order []string
	for _, p := range cfg.Packages {
		if _, ok := byMgr[p.Manager]; !ok {
			order = append(order, p.Manager)
		}
		byMgr[p.Manager] = append(byMgr[p.Manager], p)
	}
	for _, mgr := range order {
		var args []string
		for _, p := range byMgr[mgr] {
			name := p.Name
			if len(p.Versions) > 0 && p.Versions[0] != "" {
				switch mgr {
				case "yum":
					name += "-" + p.Versions[0]
				case "apt":
					name += "=" + p.Versions[0]
				case "python":
					name += "==" + p.Versions[0]
				case "rpm":
					name = p.Versions[0] // a URL or path
				}
			}
			args = append(args, quote(name))
		}
		var script string
		switch mgr {
		case "yum":
			script = "yum -y install " + strings.Join(args, " ")
		case "apt":
			script = "DEBIAN_FRONTEND=noninteractive apt-get -q -y install " + strings.Join(args, " ")
		case "rpm":
			script = "rpm -U --quiet " + strings.Join(args, " ")
		case "python":
			script = "pip3 install " + strings.Join(args, " ")
		case "rubygems":
			script = "gem install " + strings.Join(args, " ")
		case "msi":
			return failf("msi packages can only be installed on Windows")
		}
		r.log.printf("INFO", "Installing %s packages: %s", mgr, strings.Join(args, " "))
		out, code := r.shell(ctx, script, "/", nil)
		r.logCommand(mgr, script, out, code)
		if code != 0 {
			return failf("%s failed to install packages (exit status %d): %s", mgr, code, firstLine(out))
		}
		for _, p := range byMgr[mgr] {
			r.packages[mgr+"/"+p.Name] = true
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func (r *run) doGroups(ctx context.Context, cfg *Config) error {
	for _, g := range cfg.Groups {
		if _, err := r.h.LookupGroup(g.Name); err == nil {
			r.log.printf("INFO", "Group %s already exists", g.Name)
			continue
		}
		if err := r.h.AddGroup(g.Name, g.GID, false); err != nil {
			return failf("Failed to create group %s: %v", g.Name, err)
		}
		r.log.printf("INFO", "Created group %s successfully", g.Name)
	}
	return nil
}

func (r *run) doUsers(ctx context.Context, cfg *Config) error {
	for _, u := range cfg.Users {
		for _, g := range u.Groups {
			if _, err := r.h.LookupGroup(g); err != nil {
				return failf("Failed to add user %s: group %s does not exist", u.Name, g)
			}
		}
		if _, err := r.h.LookupUser(u.Name); err != nil {
			home := u.HomeDir
			if home == "" {
				home = "/home/" + u.Name
			}
			// cfn-init creates non-interactive users.
			if err := r.h.AddUser(u.Name, host.AddUserOptions{UID: u.UID, Home: home, Shell: "/sbin/nologin", CreateHome: true}); err != nil {
				return failf("Failed to add user %s: %v", u.Name, err)
			}
			r.log.printf("INFO", "Created user %s successfully", u.Name)
		}
		for _, g := range u.Groups {
			if err := r.h.AddToGroup(u.Name, g); err != nil {
				return failf("Failed to add user %s to group %s: %v", u.Name, g, err)
			}
		}
	}
	return nil
}

// s3Path recognises S3 URLs (virtual-hosted and path style, s3://).
var s3Host = regexp.MustCompile(`^(?:(.+)\.)?s3(?:[.-]([a-z0-9-]+))?(?:\.dualstack\.[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$`)

func s3Location(raw string) (bucket, key string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	if u.Scheme == "s3" {
		return u.Host, strings.TrimPrefix(u.Path, "/"), u.Host != ""
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", "", false
	}
	m := s3Host.FindStringSubmatch(u.Hostname())
	if m == nil {
		return "", "", false
	}
	p := strings.TrimPrefix(u.Path, "/")
	if m[1] != "" {
		return m[1], p, p != ""
	}
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key, bucket != "" && key != ""
}

// fetch downloads a URL: S3 objects from the platform's object store, anything else
// through the host's network (curl on the host).
func (r *run) fetch(ctx context.Context, raw string) ([]byte, error) {
	if b, k, ok := s3Location(raw); ok && r.t.opts.Objects != nil {
		data, err := r.t.opts.Objects.GetObject(ctx, b, k)
		if err != nil {
			return nil, fmt.Errorf("Failed to retrieve %s: HTTP Error 404 : <Error><Code>NoSuchKey</Code></Error>", raw)
		}
		return data, nil
	}
	tmp := fmt.Sprintf("/var/lib/cfn-init/downloads/%d", nextPID())
	_ = r.h.FS().MkdirAll(hostfs.Cred{}, path.Dir(tmp), 0o700)
	out, code := r.shell(ctx, "curl -sSfL -o "+quote(tmp)+" "+quote(raw), "/", nil)
	defer func() { _ = r.h.FS().Remove(hostfs.Cred{}, tmp) }()
	if code != 0 {
		return nil, fmt.Errorf("Failed to retrieve %s: %s", raw, strings.TrimSpace(out))
	}
	return r.h.FS().ReadFile(tmp)
}

func (r *run) doSources(ctx context.Context, cfg *Config) error {
	for _, s := range cfg.Sources {
		data, err := r.fetch(ctx, s.URL)
		if err != nil {
			return failf("%v", err)
		}
		fsys := r.h.FS()
		if err := fsys.MkdirAll(hostfs.Cred{}, s.Dir, 0o755); err != nil {
			return failf("Failed to create %s: %v", s.Dir, err)
		}
		tmp := fmt.Sprintf("/var/lib/cfn-init/downloads/src-%d", nextPID())
		_ = fsys.MkdirAll(hostfs.Cred{}, path.Dir(tmp), 0o700)
		if err := fsys.WriteFile(hostfs.Cred{}, tmp, data, 0o600); err != nil {
			return failf("%v", err)
		}
		var script string
		switch {
		case bytes.HasPrefix(data, []byte("PK\x03\x04")):
			script = "unzip -o -q " + quote(tmp) + " -d " + quote(s.Dir)
		case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
			script = "tar -xzf " + quote(tmp) + " -C " + quote(s.Dir)
		case len(data) > 262 && string(data[257:262]) == "ustar":
			script = "tar -xf " + quote(tmp) + " -C " + quote(s.Dir)
		default:
			_ = fsys.Remove(hostfs.Cred{}, tmp)
			return failf("Failed to expand %s into %s: unsupported archive type (zip, tar and tar.gz are supported)", s.URL, s.Dir)
		}
		out, code := r.shell(ctx, script, "/", nil)
		_ = fsys.Remove(hostfs.Cred{}, tmp)
		r.logCommand("source "+s.Dir, script, out, code)
		if code != 0 {
			return failf("Failed to expand %s into %s: %s", s.URL, s.Dir, firstLine(out))
		}
		r.sources[s.Dir] = true
		r.log.printf("INFO", "Retrieved %s and expanded it into %s", s.URL, s.Dir)
	}
	return nil
}

var mustacheVar = regexp.MustCompile(`\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{\s*(&?)\s*([\w.-]+)\s*\}\}`)

// renderMustache substitutes {{var}} (HTML-escaped), {{{var}}} and {{& var}} from ctx.
func renderMustache(tmpl string, ctxVars map[string]any) string {
	return mustacheVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		sub := mustacheVar.FindStringSubmatch(m)
		if sub[1] != "" {
			return str(ctxVars[sub[1]])
		}
		v := str(ctxVars[sub[3]])
		if sub[2] == "&" {
			return v
		}
		return html.EscapeString(v)
	})
}

func (r *run) doFiles(ctx context.Context, cfg *Config) error {
	fsys := r.h.FS()
	root := hostfs.Cred{}
	for _, f := range cfg.Files {
		var data []byte
		switch {
		case f.Content != nil:
			s := *f.Content
			if f.Context != nil {
				s = renderMustache(s, f.Context)
			}
			data = []byte(s)
		default:
			b, err := r.fetch(ctx, f.Source)
			if err != nil {
				return failf("Failed to retrieve %s: %v", f.Path, err)
			}
			if f.Context != nil {
				b = []byte(renderMustache(string(b), f.Context))
			}
			data = b
		}
		if f.Encoding == "base64" {
			dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
			if err != nil {
				return failf("Failed to decode base64 content of %s: %v", f.Path, err)
			}
			data = dec
		}
		mode := fs.FileMode(0o644)
		symlink := false
		if f.Mode != "" {
			n, _ := strconv.ParseUint(f.Mode, 8, 32)
			if n&0o170000 == 0o120000 {
				symlink = true
			}
			mode = fs.FileMode(n & 0o777)
			if n&0o4000 != 0 {
				mode |= fs.ModeSetuid
			}
			if n&0o2000 != 0 {
				mode |= fs.ModeSetgid
			}
			if n&0o1000 != 0 {
				mode |= fs.ModeSticky
			}
		}
		if err := fsys.MkdirAll(root, path.Dir(f.Path), 0o755); err != nil {
			return failf("Failed to create the directory of %s: %v", f.Path, err)
		}
		if symlink {
			target := strings.TrimSpace(string(data))
			if cur, err := fsys.Readlink(f.Path); err == nil && cur == target {
				continue
			}
			_ = fsys.Remove(root, f.Path)
			if err := fsys.Symlink(root, target, f.Path); err != nil {
				return failf("Failed to create symlink %s: %v", f.Path, err)
			}
			r.files[f.Path] = true
			r.log.printf("INFO", "Created symlink %s -> %s", f.Path, target)
			continue
		}
		old, err := fsys.ReadFile(f.Path)
		changed := err != nil || !bytes.Equal(old, data)
		if err == nil && changed {
			// cfn-init keeps the previous version as <file>.bak.
			if err := fsys.WriteFile(root, f.Path+".bak", old, 0o600); err != nil {
				return failf("Failed to back up %s: %v", f.Path, err)
			}
		}
		if err := fsys.WriteFile(root, f.Path, data, mode); err != nil {
			return failf("Failed to write %s: %v", f.Path, err)
		}
		if err := fsys.Chmod(root, f.Path, mode); err != nil {
			return failf("Failed to set the mode of %s: %v", f.Path, err)
		}
		uid, gid := 0, 0
		if f.Owner != "" {
			u, err := r.h.LookupUser(f.Owner)
			if err != nil {
				return failf("Failed to set the owner of %s: no such user %s", f.Path, f.Owner)
			}
			uid, gid = u.UID, u.GID
		}
		if f.Group != "" {
			g, err := r.h.LookupGroup(f.Group)
			if err != nil {
				return failf("Failed to set the group of %s: no such group %s", f.Path, f.Group)
			}
			gid = g.GID
		}
		if err := fsys.Chown(root, f.Path, uid, gid); err != nil {
			return failf("Failed to set the owner of %s: %v", f.Path, err)
		}
		if changed {
			r.files[f.Path] = true
		}
		r.log.printf("INFO", "Wrote %s", f.Path)
	}
	return nil
}

func (r *run) logCommand(name, script, out string, code int) {
	r.cmdLog.printf("INFO", "Command %s", name)
	if r.verbose {
		r.cmdLog.printf("DEBUG", "%s", script)
	}
	if out != "" {
		r.cmdLog.printf("INFO", "-----------------------Command Output-----------------------")
		var b strings.Builder
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			b.WriteString("\t" + l + "\n")
		}
		r.cmdLog.printf("INFO", "%s", b.String())
		r.cmdLog.printf("INFO", "------------------------------------------------------------")
	}
	if code == 0 {
		r.cmdLog.printf("INFO", "Completed successfully.")
	} else {
		r.cmdLog.printf("ERROR", "Exited with error code %d", code)
	}
}

func (r *run) doCommands(ctx context.Context, cfg *Config) error {
	for _, cmd := range cfg.Commands {
		script := cmd.Command
		if cmd.Argv != nil {
			q := make([]string, len(cmd.Argv))
			for i, a := range cmd.Argv {
				q[i] = quote(a)
			}
			script = strings.Join(q, " ")
		}
		var env []string
		if cmd.Env != nil {
			// env replaces the environment, as cfn-init does.
			for _, k := range sortedKeys(cmd.Env) {
				env = append(env, k+"="+cmd.Env[k])
			}
			if _, ok := cmd.Env["PATH"]; !ok {
				env = append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
			}
		}
		dir := cmd.Cwd
		if dir != "" {
			if fi, err := r.h.FS().Stat(dir); err != nil || !fi.IsDir() {
				return failf("Command %s failed: cwd %s does not exist", cmd.Key, dir)
			}
		}
		if cmd.Test != "" {
			out, code := r.shell(ctx, cmd.Test, dir, env)
			r.logCommand(cmd.Key+" test", cmd.Test, out, code)
			if code != 0 {
				r.log.printf("INFO", "Test failed with code %d", code)
				continue
			}
		}
		out, code := r.shell(ctx, script, dir, env)
		r.logCommand(cmd.Key, script, out, code)
		if code != 0 {
			r.log.printf("ERROR", "Command %s (%s) failed", cmd.Key, script)
			if cmd.IgnoreErrors {
				r.log.printf("INFO", "ignoreErrors set to true, continuing build")
				continue
			}
			return failf("Command %s failed", cmd.Key)
		}
		r.log.printf("INFO", "Command %s succeeded", cmd.Key)
		r.commands[cmd.Key] = true
	}
	return nil
}

func (r *run) doServices(ctx context.Context, cfg *Config) error {
	for _, s := range cfg.Services {
		if s.Manager == "windows" {
			return failf("windows services are not supported on this platform")
		}
		if s.Enabled != nil {
			var noUnit host.ErrNoUnit
			if err := r.h.EnableService(s.Name, *s.Enabled); err != nil && !*s.Enabled && errors.As(err, &noUnit) {
				// Not installed: it is not enabled, which is what the config asks for.
				r.log.printf("INFO", "Service %s is not installed; nothing to disable", s.Name)
			} else if err != nil {
				return failf("Could not %s service %s: %v", map[bool]string{true: "enable", false: "disable"}[*s.Enabled], s.Name, err)
			}
			r.log.printf("INFO", "%s service %s", map[bool]string{true: "Enabled", false: "Disabled"}[*s.Enabled], s.Name)
		}
		restart := r.triggered(s)
		running := r.h.ServiceActive(s.Name)
		switch {
		case s.EnsureRunning != nil && !*s.EnsureRunning:
			if running {
				if err := r.h.StopService(s.Name); err != nil {
					return failf("Could not stop service %s: %v", s.Name, err)
				}
				r.log.printf("INFO", "Stopped service %s", s.Name)
			}
		case running && restart:
			_ = r.h.StopService(s.Name)
			if err := r.h.StartService(s.Name); err != nil {
				return failf("Could not restart service %s: %v", s.Name, err)
			}
			r.log.printf("INFO", "Restarted service %s", s.Name)
		case s.EnsureRunning != nil && *s.EnsureRunning && !running:
			if err := r.h.StartService(s.Name); err != nil {
				return failf("Could not start service %s: %v", s.Name, err)
			}
			r.log.printf("INFO", "Started service %s", s.Name)
		}
	}
	return nil
}

// triggered reports whether this run changed something a service lists (files, sources,
// packages, commands): the service is restarted if it is running.
func (r *run) triggered(s ServiceSpec) bool {
	for _, f := range s.Files {
		if r.files[f] {
			return true
		}
	}
	for _, d := range s.Sources {
		if r.sources[d] {
			return true
		}
	}
	for mgr, names := range s.Packages {
		for _, n := range names {
			if r.packages[mgr+"/"+n] {
				return true
			}
		}
	}
	for _, k := range s.Commands {
		if r.commands[k] {
			return true
		}
	}
	return false
}
