package codedeploy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/codedeploy/appspec"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/runner"
)

// Where the agent keeps its state on a host (as the real agent does).
const (
	AgentRoot      = "/opt/codedeploy-agent/deployment-root"
	instructionDir = AgentRoot + "/deployment-instructions"
	deploymentLog  = AgentRoot + "/deployment-logs/codedeploy-agent-deployments.log"
)

// agent performs one instance's lifecycle events, as the CodeDeploy agent would on it.
type agent struct {
	r    *run
	rec  deploymentRecord
	g    groupRecord
	inst string
	h    Host
	t    InstanceTarget
}

func (a *agent) ctx() context.Context { return a.r.ctx }

func (a *agent) depRoot() string {
	return path.Join(AgentRoot, a.g.Info.DeploymentGroupID, a.rec.Info.DeploymentID)
}

func (a *agent) archive() string { return path.Join(a.depRoot(), "deployment-archive") }

func (a *agent) save() {
	ctx := context.WithoutCancel(a.ctx())
	a.t.LastUpdatedAt = a.r.s.now()
	if err := a.r.s.targets.Put(ctx, targetKey(ctx, a.r.id, a.inst), a.t); err != nil {
		a.r.s.log.Error("codedeploy: save target", "deployment", a.r.id, "instance", a.inst, "err", err)
	}
}

// run performs events; with final, a successful instance ends Succeeded, else Ready.
func (a *agent) run(events []string, final bool) bool {
	s := a.r.s
	ctx := context.WithoutCancel(a.ctx())
	t, err := s.targets.Get(ctx, targetKey(ctx, a.r.id, a.inst))
	if err != nil {
		s.log.Error("codedeploy: load target", "err", err)
		return false
	}
	a.t = t
	first := t.Status == "Pending"
	a.t.Status = "InProgress"
	if len(events) == 0 || !a.slow(events[0]) {
		a.save()
	}
	a.r.setStatus(a.inst, "InProgress")
	if first {
		a.r.instanceEvent(a.rec.Info, a.g.Info, a.inst, "START")
		a.r.trigger(a.rec.Info, a.g.Info, "InstanceStart", a.inst)
	}
	h, herr := s.deps.Fleet.Host(a.ctx(), a.inst)
	a.h = h
	ok := true
	for _, name := range events {
		i := slices.IndexFunc(a.t.LifecycleEvents, func(e LifecycleEvent) bool { return e.LifecycleEventName == name })
		if i < 0 {
			continue
		}
		ev := &a.t.LifecycleEvents[i]
		if !ok {
			ev.Status = "Skipped"
			continue
		}
		ev.Status, ev.StartTime = "InProgress", s.now()
		if a.slow(name) {
			a.save() // visible while its scripts run; quick steps are saved when they end
		}
		var d *Diagnostics
		if herr != nil {
			d = unknown("The instance could not be reached: " + herr.Error())
		} else if a.ctx().Err() != nil {
			d = unknown("The deployment was stopped before this lifecycle event ran.")
		} else {
			d = a.event(name)
		}
		ev.Diagnostics, ev.EndTime = d, s.now()
		if d.ErrorCode == "Success" {
			ev.Status = "Succeeded"
		} else {
			ev.Status = "Failed"
			ok = false
		}
		// the end of an event is saved with the next event that runs scripts, or at the end
	}
	if ok && herr == nil && slices.Contains(events, "Install") {
		_ = a.h.FS().WriteFile(hostfs.Cred{}, path.Join(instructionDir, a.g.Info.DeploymentGroupID+"_last_successful_install"), []byte(a.depRoot()), 0o644)
	}
	switch {
	case !ok:
		// later phases will not run either
		for i := range a.t.LifecycleEvents {
			if a.t.LifecycleEvents[i].Status == "Pending" {
				a.t.LifecycleEvents[i].Status = "Skipped"
			}
		}
		a.t.Status = "Failed"
	case final:
		a.t.Status = "Succeeded"
	default:
		a.t.Status = "Ready"
	}
	a.save()
	a.r.setStatus(a.inst, a.t.Status)
	switch a.t.Status {
	case "Failed":
		a.r.instanceEvent(a.rec.Info, a.g.Info, a.inst, "FAILURE")
		a.r.trigger(a.rec.Info, a.g.Info, "InstanceFailure", a.inst)
	case "Succeeded":
		a.r.instanceEvent(a.rec.Info, a.g.Info, a.inst, "SUCCESS")
		a.r.trigger(a.rec.Info, a.g.Info, "InstanceSuccess", a.inst)
	case "Ready":
		a.r.instanceEvent(a.rec.Info, a.g.Info, a.inst, "READY")
		a.r.trigger(a.rec.Info, a.g.Info, "InstanceReady", a.inst)
	}
	return ok
}

// slow reports whether an event runs scripts (so it is worth recording as InProgress).
func (a *agent) slow(name string) bool {
	switch name {
	case "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic":
		return false
	}
	b := a.r.getBundle(a.rec.Info.Revision)
	return b.spec == nil || len(b.spec.Hooks[name]) > 0
}

func unknown(msg string) *Diagnostics {
	return &Diagnostics{ErrorCode: "UnknownError", Message: msg}
}

func success(tail string) *Diagnostics {
	return &Diagnostics{ErrorCode: "Success", Message: "Succeeded", LogTail: tail}
}

// event performs one lifecycle event.
func (a *agent) event(name string) *Diagnostics {
	switch name {
	case "ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic":
		d := a.previousHooks(name)
		if d.ErrorCode != "Success" && a.rec.Info.IgnoreApplicationStopFailures {
			d.Message = d.Message + " (ignored: the deployment ignores ApplicationStop failures)"
			d.ErrorCode = "Success"
		}
		return d
	case "DownloadBundle":
		return a.download()
	case "Install":
		return a.install()
	case "BlockTraffic", "AllowTraffic":
		return a.traffic(name == "AllowTraffic")
	default:
		b := a.r.getBundle(a.rec.Info.Revision)
		if d := a.specProblem(b); d != nil {
			return d
		}
		return a.hooks(name, a.archive(), b.spec)
	}
}

// specProblem reports a bundle whose appspec cannot be used on this Linux host.
func (a *agent) specProblem(b *bundle) *Diagnostics {
	switch {
	case b.err != nil:
		return unknown(b.err.Error())
	case b.specMissing:
		arch := a.archive()
		return unknown(fmt.Sprintf("The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory at revision-relative path \"appspec.yml\". The revision was unpacked to directory \"%s\", and the AppSpec file was expected but not found at path \"%s/appspec.yml\". Consult the AWS CodeDeploy Appspec documentation for more information at http://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file.html", arch, arch))
	case b.specErr != nil:
		return unknown(b.specErr.Error())
	case b.spec.OS != "linux":
		return unknown(fmt.Sprintf("The deployment failed because the application specification file specifies an unsupported operating system (%s). Specify either \"linux\" or \"windows\" in the os section of the AppSpec file, and then try again.", b.spec.OS))
	}
	return nil
}

// previousHooks runs an event's hooks from the last revision successfully installed on the
// host by this deployment group (ApplicationStop and the block-traffic hooks).
func (a *agent) previousHooks(name string) *Diagnostics {
	fsys := a.h.FS()
	data, err := fsys.ReadFile(path.Join(instructionDir, a.g.Info.DeploymentGroupID+"_last_successful_install"))
	if err != nil {
		return success("")
	}
	prev := strings.TrimSpace(string(data))
	arch := path.Join(prev, "deployment-archive")
	var spec []byte
	for _, n := range []string{"appspec.yml", "appspec.yaml", "appspec.json"} {
		if spec, err = fsys.ReadFile(path.Join(arch, n)); err == nil {
			break
		}
	}
	if err != nil {
		return success("")
	}
	sp, err := a.r.parseCached(spec)
	if err != nil {
		return unknown(err.Error())
	}
	return a.hooks(name, arch, sp)
}

// ---- DownloadBundle

func (a *agent) download() *Diagnostics {
	b := a.r.getBundle(a.rec.Info.Revision)
	if b.err != nil {
		return unknown(b.err.Error())
	}
	fsys := a.h.FS()
	root := hostfs.Cred{}
	for _, d := range []string{AgentRoot, instructionDir, path.Dir(deploymentLog), path.Join(AgentRoot, a.g.Info.DeploymentGroupID)} {
		if err := fsys.MkdirAll(root, d, 0o755); err != nil {
			return unknown("Could not create the deployment directory: " + err.Error())
		}
	}
	dep := a.depRoot()
	_ = fsys.RemoveAll(root, dep)
	a.pruneArchives()
	arch := a.archive()
	if err := fsys.MkdirAll(root, arch, 0o755); err != nil {
		return unknown("Could not create the deployment archive directory: " + err.Error())
	}
	for _, f := range b.files {
		p := path.Join(arch, f.Name)
		var err error
		if f.Mode.IsDir() {
			err = fsys.MkdirAll(root, p, 0o755)
		} else {
			err = fsys.WriteFile(root, p, f.Data, f.Mode.Perm())
		}
		if err != nil {
			return unknown("Could not unpack the bundle on the instance: " + err.Error())
		}
	}
	_ = fsys.WriteFile(root, path.Join(instructionDir, a.g.Info.DeploymentGroupID+"_most_recent_install"), []byte(dep), 0o644)
	if d := a.specProblem(b); d != nil {
		return d
	}
	return success("")
}

// maxRevisions is how many deployment directories the agent keeps per group (its
// :max_revisions: setting, default 5); older ones are deleted, except the last successful.
const maxRevisions = 5

func (a *agent) pruneArchives() {
	fsys := a.h.FS()
	dir := path.Join(AgentRoot, a.g.Info.DeploymentGroupID)
	ents, err := fsys.ReadDir(dir)
	if err != nil || len(ents) < maxRevisions {
		return
	}
	keep := ""
	if b, err := fsys.ReadFile(path.Join(instructionDir, a.g.Info.DeploymentGroupID+"_last_successful_install")); err == nil {
		keep = strings.TrimSpace(string(b))
	}
	type dirAge struct {
		name string
		mod  time.Time
	}
	var ds []dirAge
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && e.IsDir() {
			ds = append(ds, dirAge{path.Join(dir, e.Name()), fi.ModTime()})
		}
	}
	slices.SortFunc(ds, func(x, y dirAge) int { return x.mod.Compare(y.mod) })
	for len(ds) >= maxRevisions {
		if ds[0].name != keep {
			_ = fsys.RemoveAll(hostfs.Cred{}, ds[0].name)
		}
		ds = ds[1:]
	}
}

// ---- Install

func (a *agent) install() *Diagnostics {
	b := a.r.getBundle(a.rec.Info.Revision)
	if d := a.specProblem(b); d != nil {
		return d
	}
	spec := b.spec
	fsys := a.h.FS()
	root := hostfs.Cred{}
	feb := a.rec.Info.FileExistsBehavior
	if spec.FileExistsBehavior != "" && a.rec.Info.FileExistsBehavior == appspec.Disallow {
		feb = spec.FileExistsBehavior
	}
	cleanup := path.Join(instructionDir, a.g.Info.DeploymentGroupID+"-cleanup")
	// remove what the previous deployment of this group installed
	if data, err := fsys.ReadFile(cleanup); err == nil {
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		for i := len(lines) - 1; i >= 0; i-- {
			l := lines[i]
			if d, ok := strings.CutPrefix(l, "rmdir_if_empty "); ok {
				if ents, err := fsys.ReadDir(d); err == nil && len(ents) == 0 {
					_ = fsys.Remove(root, d)
				}
			} else if l != "" {
				_ = fsys.Remove(root, l)
			}
		}
	}
	var files, dirs []string
	mkdirs := func(d string) error {
		var missing []string
		for p := d; p != "/" && p != "."; p = path.Dir(p) {
			if _, err := fsys.Stat(p); err == nil {
				break
			}
			missing = append(missing, p)
		}
		for i := len(missing) - 1; i >= 0; i-- {
			if err := fsys.Mkdir(root, missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			dirs = append(dirs, missing[i])
		}
		return nil
	}
	copyFile := func(src *bundleFile, dst string) error {
		fi, err := fsys.Lstat(dst)
		if err == nil {
			if fi.IsDir() {
				return fmt.Errorf("The deployment failed because a directory already exists at the location of a file to install: %s", dst)
			}
			switch feb {
			case appspec.Retain:
				return nil
			case appspec.Overwrite:
			default:
				return fmt.Errorf("The deployment failed because a specified file already exists at this location: %s", dst)
			}
		}
		if err := fsys.WriteFile(root, dst, src.Data, src.Mode.Perm()); err != nil {
			return err
		}
		if fi != nil {
			_ = fsys.Chmod(root, dst, src.Mode.Perm())
		}
		files = append(files, dst)
		return nil
	}
	// The agent copies from the unpacked archive; its content is the bundle's, which is used
	// directly (no need to read every file back from the host).
	for _, f := range spec.Files {
		src := strings.TrimPrefix(path.Clean("/"+f.Source), "/")
		dst := path.Clean("/" + f.Destination)
		var file *bundleFile
		isDir := src == ""
		for i := range b.files {
			if b.files[i].Name == src {
				file = &b.files[i]
				isDir = file.Mode.IsDir()
				break
			}
		}
		if file == nil && !isDir {
			return unknown(fmt.Sprintf("The deployment failed because the files section of the application specification file names a source that is not in the revision: %s", f.Source))
		}
		if err := mkdirs(dst); err != nil {
			return unknown(err.Error())
		}
		if !isDir {
			if err := copyFile(file, path.Join(dst, path.Base(src))); err != nil {
				return unknown(err.Error())
			}
			continue
		}
		prefix := src + "/"
		if src == "" {
			prefix = ""
		}
		for i := range b.files {
			bf := &b.files[i]
			rel, ok := strings.CutPrefix(bf.Name, prefix)
			if !ok || rel == "" {
				continue
			}
			target := path.Join(dst, rel)
			var err error
			if bf.Mode.IsDir() {
				err = mkdirs(target)
			} else {
				err = copyFile(bf, target)
			}
			if err != nil {
				return unknown(err.Error())
			}
		}
	}
	// permissions apply to what was installed
	for i := range spec.Permissions {
		p := &spec.Permissions[i]
		if err := a.applyPermission(p, files, dirs); err != nil {
			return unknown(err.Error())
		}
	}
	var sb strings.Builder
	for _, d := range dirs {
		sb.WriteString("rmdir_if_empty " + d + "\n")
	}
	for _, f := range files {
		sb.WriteString(f + "\n")
	}
	if err := fsys.WriteFile(root, cleanup, []byte(sb.String()), 0o644); err != nil {
		return unknown(err.Error())
	}
	return success("")
}

func (a *agent) applyPermission(p *appspec.Permission, files, dirs []string) error {
	fsys := a.h.FS()
	obj := path.Clean("/" + p.Object)
	if fi, err := fsys.Stat(obj); err == nil && !fi.IsDir() {
		if err := p.ValidateFilePermission(); err != nil {
			return err
		}
		if err := p.ValidateFileACL(); err != nil {
			return err
		}
	}
	uid, gid := -1, -1
	if p.Owner != "" {
		u, err := a.h.LookupUser(p.Owner)
		if err != nil {
			return fmt.Errorf("The deployment failed because the owner %q named in the permissions section does not exist on the instance", p.Owner)
		}
		uid = u.UID
	}
	if p.Group != "" {
		g, err := a.h.LookupGroup(p.Group)
		if err != nil {
			return fmt.Errorf("The deployment failed because the group %q named in the permissions section does not exist on the instance", p.Group)
		}
		gid = g.GID
	}
	apply := func(name string) error {
		if uid >= 0 || gid >= 0 {
			fi, err := fsys.Lstat(name)
			if err != nil {
				return err
			}
			cu, cg := hostfs.OwnerOf(fi)
			nu, ng := cu, cg
			if uid >= 0 {
				nu = uid
			}
			if gid >= 0 {
				ng = gid
			}
			if err := fsys.Chown(hostfs.Cred{}, name, nu, ng); err != nil {
				return err
			}
		}
		if p.Mode != nil {
			if err := fsys.Chmod(hostfs.Cred{}, name, p.Mode.Bits); err != nil {
				return err
			}
		}
		return nil
	}
	for _, d := range dirs {
		if p.AppliesTo(d, true) {
			if err := apply(d); err != nil {
				return err
			}
		}
	}
	for _, f := range files {
		if p.AppliesTo(f, false) {
			if err := apply(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- load balancer

func (a *agent) traffic(allow bool) *Diagnostics {
	lb := a.r.s.deps.LoadBalancer
	targets := trafficTargets(a.rec.Info.LoadBalancerInfo)
	if len(targets) == 0 {
		return success("")
	}
	if lb == nil {
		return unknown("No load balancer service is connected to CodeDeploy on this platform.")
	}
	for _, t := range targets {
		var err error
		if allow {
			err = lb.Register(a.ctx(), t, []string{a.inst})
		} else {
			err = lb.Deregister(a.ctx(), t, []string{a.inst})
		}
		if err != nil {
			what := "register the instance with"
			if !allow {
				what = "deregister the instance from"
			}
			name := t.TargetGroup
			if name == "" {
				name = t.ClassicELB
			}
			return unknown(fmt.Sprintf("Could not %s load balancer target %s: %v", what, name, err))
		}
	}
	return success("")
}

// ---- hooks

// scriptLog collects hook output the way the agent does: each entry goes to the deployment's
// scripts.log and the agent's deployment log on the host, and the tail is kept for the
// lifecycle event's diagnostics.
type scriptLog struct {
	a    *agent
	dir  string
	mu   sync.Mutex
	tail []byte
	max  int
	buf  strings.Builder
}

func (l *scriptLog) entry(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tail = append(l.tail, msg...)
	if len(l.tail) > l.max {
		l.tail = l.tail[len(l.tail)-l.max:]
	}
	now := l.a.r.s.env.Clock.Now().UTC()
	l.buf.WriteString(now.Format("2006-01-02 15:04:05") + " " + msg)
}

func (l *scriptLog) flush() {
	l.mu.Lock()
	text := l.buf.String()
	l.buf.Reset()
	l.mu.Unlock()
	if text == "" {
		return
	}
	fsys := l.a.h.FS()
	appendFile(fsys, path.Join(l.dir, "logs", "scripts.log"), text)
	var dl strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		// "2006-01-02 15:04:05 msg" -> "[2006-01-02 15:04:05.000] [d-XXXX]msg"
		if len(line) > 20 {
			dl.WriteString("[" + line[:19] + ".000] [" + l.a.r.id + "]" + line[20:])
		}
	}
	appendFile(fsys, deploymentLog, dl.String())
}

func appendFile(fsys *hostfs.FS, name, text string) {
	_ = fsys.MkdirAll(hostfs.Cred{}, path.Dir(name), 0o755)
	f, err := fsys.OpenFile(hostfs.Cred{}, name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	_, _ = f.Write([]byte(text))
	_ = f.Close()
}

type prefixWriter struct {
	l      *scriptLog
	prefix string
	lw     *runner.LineWriter
}

func newPrefixWriter(l *scriptLog, prefix string) *prefixWriter {
	w := &prefixWriter{l: l, prefix: prefix}
	w.lw = runner.NewLineWriter(func(line string) { l.entry(prefix + line + "\n") })
	return w
}

func (w *prefixWriter) Write(p []byte) (int, error) { return w.lw.Write(p) }

// hooks runs the scripts of one lifecycle event from an unpacked revision.
func (a *agent) hooks(event, arch string, spec *appspec.AppSpec) *Diagnostics {
	scripts := spec.Hooks[event]
	if len(scripts) == 0 {
		return success("")
	}
	l := &scriptLog{a: a, dir: path.Dir(arch), max: a.r.s.opts.MaxLogTail}
	defer l.flush()
	l.entry("LifecycleEvent - " + event + "\n")
	fsys := a.h.FS()
	for _, sc := range scripts {
		p := path.Join(arch, path.Clean("/"+sc.Location))
		fi, err := fsys.Stat(p)
		if err != nil || fi.IsDir() {
			return &Diagnostics{ErrorCode: "ScriptMissing", ScriptName: sc.Location, Message: "Script does not exist at specified location: " + sc.Location, LogTail: string(l.tail)}
		}
		if fi.Mode()&0o111 == 0 {
			if err := fsys.Chmod(hostfs.Cred{}, p, fi.Mode().Perm()|0o111); err != nil {
				return &Diagnostics{ErrorCode: "ScriptNotExecutable", ScriptName: sc.Location, Message: "Unable to set script at specified location: " + sc.Location + " as executable", LogTail: string(l.tail)}
			}
		}
		l.entry("Script - " + sc.Location + "\n")
		user := sc.RunAs
		if user == "" {
			user = "root"
		}
		failMsg := func(code int) string {
			if sc.RunAs != "" {
				return "Script at specified location: " + sc.Location + " run as user " + sc.RunAs + " failed with exit code " + strconv.Itoa(code)
			}
			return "Script at specified location: " + sc.Location + " failed with exit code " + strconv.Itoa(code)
		}
		u, err := a.h.LookupUser(user)
		if err != nil {
			l.entry("[stderr]su: user " + user + " does not exist\n")
			return &Diagnostics{ErrorCode: "ScriptFailed", ScriptName: sc.Location, Message: failMsg(1), LogTail: string(l.tail)}
		}
		out, errw := newPrefixWriter(l, "[stdout]"), newPrefixWriter(l, "[stderr]")
		env := []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"HOME=" + u.Home, "USER=" + u.Name, "LOGNAME=" + u.Name, "SHELL=/bin/bash", "LANG=C.UTF-8", "PWD=/",
			"LIFECYCLE_EVENT=" + event, "DEPLOYMENT_ID=" + a.rec.Info.DeploymentID,
			"APPLICATION_NAME=" + a.rec.Info.ApplicationName, "DEPLOYMENT_GROUP_NAME=" + a.rec.Info.DeploymentGroupName,
			"DEPLOYMENT_GROUP_ID=" + a.g.Info.DeploymentGroupID,
		}
		res, err := a.h.RunAs(a.ctx(), user, &runner.Command{
			Script: shellQuote(p), Dir: "/", Env: env, Stdout: out, Stderr: errw,
			Timeout: secondsDur(sc.Timeout),
		})
		out.lw.Flush()
		errw.lw.Flush()
		timedOut := res.TimedOut || sc.Timeout > 0 && res.Duration >= secondsDur(sc.Timeout) && a.ctx().Err() == nil
		switch {
		case timedOut:
			return &Diagnostics{ErrorCode: "ScriptTimedOut", ScriptName: sc.Location, Message: "Script at specified location: " + sc.Location + " failed to complete in " + strconv.Itoa(sc.Timeout) + " seconds", LogTail: string(l.tail)}
		case err != nil && a.ctx().Err() != nil:
			return &Diagnostics{ErrorCode: "UnknownError", ScriptName: sc.Location, Message: "The deployment was stopped while the script was running.", LogTail: string(l.tail)}
		case err != nil:
			return &Diagnostics{ErrorCode: "UnknownError", ScriptName: sc.Location, Message: err.Error(), LogTail: string(l.tail)}
		case res.ExitCode != 0:
			return &Diagnostics{ErrorCode: "ScriptFailed", ScriptName: sc.Location, Message: failMsg(res.ExitCode), LogTail: string(l.tail)}
		}
	}
	return success(string(l.tail))
}

func secondsDur(n int) time.Duration { return time.Duration(n) * time.Second }

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
