package cfnhost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/runner"
)

var hupFlags = append([]flagSpec{
	{"no-daemon", "", false}, {"verbose", "v", false}, {"config", "c", true}, {"pid-file", "p", true},
}, credFlags...)

// Hook is one cfn-hup hook ([name] section of hooks.conf or hooks.d/*.conf).
type Hook struct {
	Name     string
	Triggers []string // post.add, post.update, post.remove
	Path     string   // Resources.<LogicalID>.Metadata[.key...] or Resources.<LogicalID>.PhysicalResourceId
	Action   string
	RunAs    string
}

// parseINI parses the INI files cfn-hup reads: [section] then key=value (or key: value)
// lines; continuation lines (indented) extend the previous value.
func parseINI(data string) map[string]map[string]string {
	out := map[string]map[string]string{}
	var sec map[string]string
	lastKey := ""
	for _, line := range strings.Split(data, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			name := strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			sec = map[string]string{}
			out[name] = sec
			lastKey = ""
			continue
		}
		if sec == nil {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && lastKey != "" {
			sec[lastKey] += " " + trimmed
			continue
		}
		i := strings.IndexAny(trimmed, "=:")
		if i <= 0 {
			continue
		}
		lastKey = strings.TrimSpace(trimmed[:i])
		sec[lastKey] = strings.TrimSpace(trimmed[i+1:])
	}
	return out
}

const hupDB = "/var/lib/cfn-hup/data/metadata_db.json"

// cmdHup is cfn-hup: it reads /etc/cfn/cfn-hup.conf and the hooks, fetches the metadata each
// hook watches and runs the hook's action when it was added, changed or removed since the
// last check (the first check of a hook records a baseline, like the daemon's first poll).
// The command performs one check and returns (without --no-daemon the real one forks a
// daemon); the cfn-hup service (hupDaemon) is the daemon that polls every interval.
func (t *Tools) cmdHup(ctx context.Context, c *host.Call) int {
	opts, _, err := parseFlags(c.Args[1:], hupFlags)
	if err != nil {
		fmt.Fprintf(c.Stderr, "cfn-hup: error: %v\n", err)
		return 2
	}
	if c.User.UID != 0 {
		fmt.Fprintln(c.Stderr, "cfn-hup: error: cfn-hup must be run as root")
		return 1
	}
	dir := opts["config"]
	if dir == "" {
		dir = "/etc/cfn"
	}
	lg := &logger{h: c.Host, file: "/var/log/cfn-hup.log", pid: nextPID()}
	cfg, err := readHupConfig(c.Host, dir)
	if err != nil {
		lg.printf("ERROR", "%v", err)
		fmt.Fprintln(c.Stderr, err)
		return 1
	}
	lg.printf("INFO", "cfn-hup processing is alive.")
	if err := t.pollHooks(ctx, c.Host, cfg.stack, cfg.region, cfg.hooks, lg); err != nil {
		lg.printf("ERROR", "%v", err)
		if opts["no-daemon"] != "" {
			fmt.Fprintln(c.Stderr, err)
			return 1
		}
	}
	return 0
}

// hupDaemon is the cfn-hup service: it reads /etc/cfn once, as the real daemon does at
// start, then checks the hooks at once and every [main] interval minutes (15 by default) of the
// host's clock until the service stops. It logs to /var/log/cfn-hup.log and exits on a bad
// configuration, as the real one does.
func (t *Tools) hupDaemon(ctx context.Context, h *host.Host) {
	lg := &logger{h: h, file: "/var/log/cfn-hup.log", pid: nextPID()}
	cfg, err := readHupConfig(h, "/etc/cfn")
	if err != nil {
		lg.printf("ERROR", "%v", err)
		return
	}
	lg.printf("INFO", "cfn-hup processing is alive.")
	for {
		if err := t.pollHooks(ctx, h, cfg.stack, cfg.region, cfg.hooks, lg); err != nil {
			lg.printf("ERROR", "%v", err)
		}
		if clock.Sleep(ctx, h.Clock(), cfg.interval) != nil {
			return
		}
	}
}

// hupConfig is what cfn-hup reads at start: cfn-hup.conf's [main] section and the hooks.
type hupConfig struct {
	stack, region string
	interval      time.Duration
	hooks         []Hook
}

func readHupConfig(h *host.Host, dir string) (*hupConfig, error) {
	data, err := h.FS().ReadFile(path.Join(dir, "cfn-hup.conf"))
	if err != nil {
		return nil, fmt.Errorf("Error: could not find main configuration at %s", path.Join(dir, "cfn-hup.conf"))
	}
	main := parseINI(string(data))["main"]
	if main == nil || main["stack"] == "" {
		return nil, errors.New("Error: configuration must specify a stack in the [main] section")
	}
	cfg := &hupConfig{stack: main["stack"], region: main["region"], interval: 15 * time.Minute}
	if v := main["interval"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("Error: interval must be a positive number of minutes, not %q", v)
		}
		cfg.interval = time.Duration(n) * time.Minute
	}
	if cfg.hooks, err = readHooks(h, dir); err != nil {
		return nil, err
	}
	if len(cfg.hooks) == 0 {
		return nil, fmt.Errorf("Error: No hooks were found; add some to %s", path.Join(dir, "hooks.d"))
	}
	return cfg, nil
}

func readHooks(h *host.Host, dir string) ([]Hook, error) {
	files := []string{path.Join(dir, "hooks.conf")}
	if ents, err := h.FS().ReadDir(path.Join(dir, "hooks.d")); err == nil {
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".conf") {
				files = append(files, path.Join(dir, "hooks.d", e.Name()))
			}
		}
	}
	var hooks []Hook
	for _, f := range files {
		data, err := h.FS().ReadFile(f)
		if err != nil {
			continue
		}
		secs := parseINI(string(data))
		for _, name := range sortedKeys(secs) {
			s := secs[name]
			hk := Hook{Name: name, Path: s["path"], Action: s["action"], RunAs: s["runas"]}
			for _, tr := range strings.Split(s["triggers"], ",") {
				if tr = strings.TrimSpace(tr); tr != "" {
					hk.Triggers = append(hk.Triggers, tr)
				}
			}
			if hk.Path == "" || hk.Action == "" || len(hk.Triggers) == 0 {
				return nil, fmt.Errorf("Error: hook %s in %s must specify triggers, path and action", name, f)
			}
			if !strings.HasPrefix(hk.Path, "Resources.") {
				return nil, fmt.Errorf("Error: hook %s: path must start with Resources.<LogicalResourceId>", name)
			}
			if hk.RunAs == "" {
				hk.RunAs = "root"
			}
			hooks = append(hooks, hk)
		}
	}
	return hooks, nil
}

// pollHooks checks every hook once against the stored state.
func (t *Tools) pollHooks(ctx context.Context, h *host.Host, stack, region string, hooks []Hook, lg *logger) error {
	db := map[string]json.RawMessage{}
	if b, err := h.FS().ReadFile(hupDB); err == nil {
		_ = json.Unmarshal(b, &db)
	}
	seen := map[string]bool{}
	if b, err := h.FS().ReadFile(hupDB + ".seen"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" {
				seen[l] = true
			}
		}
	}
	var firstErr error
	for _, hk := range hooks {
		cur, err := t.hookValue(ctx, h, stack, region, hk.Path)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		prev, had := db[hk.Path]
		trigger := ""
		switch {
		case !seen[hk.Path]:
			// first check of this path: baseline
		case cur == nil && had:
			trigger = "post.remove"
		case cur != nil && !had:
			trigger = "post.add"
		case cur != nil && had && !bytes.Equal(cur, prev):
			trigger = "post.update"
		}
		seen[hk.Path] = true
		if cur == nil {
			delete(db, hk.Path)
		} else {
			db[hk.Path] = cur
		}
		if trigger == "" || !slices.Contains(hk.Triggers, trigger) {
			continue
		}
		lg.printf("INFO", "Data has changed from previous state; action for %s will be run", hk.Name)
		var out bytes.Buffer
		res, err := h.RunAs(ctx, hk.RunAs, &runner.Command{Script: hk.Action, Stdout: &out, Stderr: &out})
		lg.printf("INFO", "Running action for %s", hk.Name)
		if out.Len() > 0 {
			lg.printf("INFO", "Action for %s output: %s", hk.Name, strings.TrimSpace(out.String()))
		}
		if err != nil || res.ExitCode != 0 {
			lg.printf("WARNING", "Action for %s exited with %d, returning %v", hk.Name, res.ExitCode, err)
		}
	}
	b, _ := json.Marshal(db)
	_ = h.WriteFile(hupDB, b, 0o600)
	_ = h.FS().WriteFile(hostfs.Cred{}, hupDB+".seen", []byte(strings.Join(sortedKeys(seen), "\n")+"\n"), 0o600)
	return firstErr
}

// hookValue is the JSON at a hook's path (nil when absent).
func (t *Tools) hookValue(ctx context.Context, h *host.Host, stack, region, p string) (json.RawMessage, error) {
	rest := strings.TrimPrefix(p, "Resources.")
	logical, rest, _ := strings.Cut(rest, ".")
	if rest == "PhysicalResourceId" {
		cf, err := t.stacks()
		if err != nil {
			return nil, err
		}
		out, err := cf.DescribeStackResource(callerCtx(ctx, h, region), describeIn(stack, logical))
		if err != nil {
			return nil, fmt.Errorf("%s", apiMessage(err))
		}
		b, _ := json.Marshal(out.StackResourceDetail.PhysicalResourceId)
		return b, nil
	}
	md, err := t.metadata(ctx, h, stack, logical, region)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(md, &v); err != nil {
		return nil, err
	}
	sub, ok := strings.CutPrefix(rest, "Metadata")
	if !ok {
		return nil, fmt.Errorf("Error: hook path %s must be Resources.<id>.Metadata[...] or Resources.<id>.PhysicalResourceId", p)
	}
	sub = strings.TrimPrefix(sub, ".")
	if sub != "" {
		for _, k := range splitPath(sub) {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, nil
			}
			if v, ok = m[k]; !ok {
				return nil, nil
			}
		}
	}
	b, _ := json.Marshal(v)
	return b, nil
}

// splitPath splits a metadata path on dots, keeping "AWS::CloudFormation::Init" style keys.
func splitPath(s string) []string { return strings.Split(s, ".") }

func describeIn(stack, logical string) *cloudformation.DescribeStackResourceInput {
	return &cloudformation.DescribeStackResourceInput{StackName: stack, LogicalResourceId: logical}
}
