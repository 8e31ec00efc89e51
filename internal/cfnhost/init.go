package cfnhost

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Init is a parsed AWS::CloudFormation::Init metadata block.
type Init struct {
	// ConfigSets maps a configSet name to its entries in order; nil when the metadata has no
	// configSets key (cfn-init then runs the single config named "config").
	ConfigSets map[string][]SetEntry
	// Configs are the named configs (every key other than configSets).
	Configs map[string]*Config
}

// SetEntry is one entry of a configSet: a config name, or a reference to another configSet
// ({"ConfigSet": "name"}).
type SetEntry struct {
	Config    string
	ConfigSet string
}

// Config is one config key: its sections run in AWS's order (packages, groups, users,
// sources, files, commands, services).
type Config struct {
	Name     string
	Packages []PackageSpec // in install order: rpm, yum/apt, then the rest
	Groups   []GroupSpec   // sorted by name
	Users    []UserSpec    // sorted by name
	Sources  []SourceSpec  // sorted by target directory
	Files    []FileSpec    // sorted by path
	Commands []CommandSpec // sorted by key, as cfn-init does
	Services []ServiceSpec // sorted by manager then name
}

// PackageSpec is one package of a package manager (apt, msi, python, rpm, rubygems, yum).
type PackageSpec struct {
	Manager  string
	Name     string
	Versions []string // empty: latest; for rpm a single URL or path
}

// GroupSpec is a Linux group (gid optional, -1 when absent).
type GroupSpec struct {
	Name string
	GID  int
}

// UserSpec is a Linux user.
type UserSpec struct {
	Name    string
	UID     int // -1 when absent
	Groups  []string
	HomeDir string
}

// SourceSpec is an archive downloaded and expanded into a directory.
type SourceSpec struct {
	Dir string
	URL string
}

// FileSpec is a file cfn-init writes.
type FileSpec struct {
	Path     string
	Content  *string // a JSON object content is already serialised
	Source   string
	Encoding string // "plain" or "base64"
	Mode     string // six octal digits, e.g. "000644"; "120000" makes a symlink
	Owner    string
	Group    string
	Context  map[string]any // mustache variables
}

// CommandSpec is one command.
type CommandSpec struct {
	Key          string
	Command      string   // shell form
	Argv         []string // list form (no shell)
	Env          map[string]string
	Cwd          string
	Test         string
	IgnoreErrors bool
}

// ServiceSpec is one service of a service manager (sysvinit, systemd).
type ServiceSpec struct {
	Manager       string
	Name          string
	Enabled       *bool
	EnsureRunning *bool
	Files         []string
	Sources       []string
	Packages      map[string][]string // manager -> names
	Commands      []string
}

var packageManagers = []string{"rpm", "yum", "apt", "python", "rubygems", "msi"}

// ParseInit parses the AWS::CloudFormation::Init value of a resource's Metadata (the decoded
// JSON of the whole Metadata, or of the Init key itself).
func ParseInit(metadata []byte) (*Init, error) {
	var top map[string]any
	if err := json.Unmarshal(metadata, &top); err != nil {
		return nil, fmt.Errorf("metadata is not a JSON object: %v", err)
	}
	raw, ok := top["AWS::CloudFormation::Init"]
	if !ok {
		return nil, fmt.Errorf("no metadata found at AWS::CloudFormation::Init")
	}
	init, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("AWS::CloudFormation::Init must be an object")
	}
	out := &Init{Configs: map[string]*Config{}}
	for _, k := range sortedKeys(init) {
		v := init[k]
		if k == "configSets" {
			sets, err := parseConfigSets(v)
			if err != nil {
				return nil, err
			}
			out.ConfigSets = sets
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("config %s must be an object", k)
		}
		c, err := parseConfig(k, m)
		if err != nil {
			return nil, err
		}
		out.Configs[k] = c
	}
	return out, nil
}

func parseConfigSets(v any) (map[string][]SetEntry, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("configSets must be an object")
	}
	out := map[string][]SetEntry{}
	for name, e := range m {
		list, ok := e.([]any)
		if !ok {
			list = []any{e} // a single config name
		}
		var entries []SetEntry
		for _, x := range list {
			switch y := x.(type) {
			case string:
				entries = append(entries, SetEntry{Config: y})
			case map[string]any:
				ref, ok := y["ConfigSet"].(string)
				if !ok || len(y) != 1 {
					return nil, fmt.Errorf("configSet %s: an entry must be a config name or {\"ConfigSet\": name}", name)
				}
				entries = append(entries, SetEntry{ConfigSet: ref})
			default:
				return nil, fmt.Errorf("configSet %s: an entry must be a config name or {\"ConfigSet\": name}", name)
			}
		}
		out[name] = entries
	}
	return out, nil
}

// Plan resolves configSets names (in order) to the configs to run, following nested
// {"ConfigSet": x} entries. With no configSets key the only valid set is "default", which runs
// the config named "config".
func (in *Init) Plan(sets []string) ([]*Config, error) {
	var out []*Config
	if in.ConfigSets == nil {
		for _, s := range sets {
			if s != "default" {
				return nil, fmt.Errorf("ConfigSet %s was not found in the metadata (it has no configSets)", s)
			}
		}
		c, ok := in.Configs["config"]
		if !ok {
			return nil, fmt.Errorf("no config named config found in AWS::CloudFormation::Init")
		}
		return []*Config{c}, nil
	}
	var walk func(name string, depth int) error
	walk = func(name string, depth int) error {
		if depth > 16 {
			return fmt.Errorf("ConfigSet %s: configSets nest too deeply (a cycle?)", name)
		}
		entries, ok := in.ConfigSets[name]
		if !ok {
			return fmt.Errorf("ConfigSet %s was not found in the configSets", name)
		}
		for _, e := range entries {
			if e.ConfigSet != "" {
				if err := walk(e.ConfigSet, depth+1); err != nil {
					return err
				}
				continue
			}
			c, ok := in.Configs[e.Config]
			if !ok {
				return fmt.Errorf("config %s (in configSet %s) was not found", e.Config, name)
			}
			out = append(out, c)
		}
		return nil
	}
	for _, s := range sets {
		if err := walk(s, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseConfig(name string, m map[string]any) (*Config, error) {
	c := &Config{Name: name}
	for _, k := range sortedKeys(m) {
		v := m[k]
		sec, ok := v.(map[string]any)
		if !ok {
			if l, isList := v.([]any); isList && len(l) == 0 {
				continue // "packages": [] and the like
			}
			return nil, fmt.Errorf("config %s: %s must be an object", name, k)
		}
		var err error
		switch k {
		case "packages":
			err = c.parsePackages(sec)
		case "groups":
			for _, g := range sortedKeys(sec) {
				spec := GroupSpec{Name: g, GID: -1}
				if gm, ok := sec[g].(map[string]any); ok {
					if x, ok := gm["gid"]; ok {
						if spec.GID, err = atoi(x); err != nil {
							return nil, fmt.Errorf("config %s: group %s: gid must be a number", name, g)
						}
					}
				}
				c.Groups = append(c.Groups, spec)
			}
		case "users":
			for _, u := range sortedKeys(sec) {
				um, _ := sec[u].(map[string]any)
				spec := UserSpec{Name: u, UID: -1}
				if x, ok := um["uid"]; ok {
					if spec.UID, err = atoi(x); err != nil {
						return nil, fmt.Errorf("config %s: user %s: uid must be a number", name, u)
					}
				}
				spec.Groups = stringList(um["groups"])
				spec.HomeDir = str(um["homeDir"])
				c.Users = append(c.Users, spec)
			}
		case "sources":
			for _, d := range sortedKeys(sec) {
				u := str(sec[d])
				if u == "" {
					return nil, fmt.Errorf("config %s: source %s must be a URL", name, d)
				}
				c.Sources = append(c.Sources, SourceSpec{Dir: d, URL: u})
			}
		case "files":
			err = c.parseFiles(sec)
		case "commands":
			err = c.parseCommands(sec)
		case "services":
			err = c.parseServices(sec)
		default:
			// Unknown keys are ignored, as cfn-init does.
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Config) parsePackages(sec map[string]any) error {
	for _, mgr := range sortedKeys(sec) {
		if !slices.Contains(packageManagers, mgr) {
			return fmt.Errorf("config %s: unsupported package manager: %s", c.Name, mgr)
		}
	}
	for _, mgr := range packageManagers {
		v, ok := sec[mgr]
		if !ok {
			continue
		}
		pm, ok := v.(map[string]any)
		if !ok {
			if l, isList := v.([]any); isList && len(l) == 0 {
				continue
			}
			return fmt.Errorf("config %s: packages.%s must be an object", c.Name, mgr)
		}
		for _, n := range sortedKeys(pm) {
			var vers []string
			switch x := pm[n].(type) {
			case []any:
				vers = stringList(x)
			case string:
				if x != "" {
					vers = []string{x}
				}
			case nil:
			default:
				return fmt.Errorf("config %s: package %s: versions must be a list", c.Name, n)
			}
			c.Packages = append(c.Packages, PackageSpec{Manager: mgr, Name: n, Versions: vers})
		}
	}
	return nil
}

func (c *Config) parseFiles(sec map[string]any) error {
	for _, p := range sortedKeys(sec) {
		fm, ok := sec[p].(map[string]any)
		if !ok {
			return fmt.Errorf("config %s: file %s must be an object", c.Name, p)
		}
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("config %s: file %s: the path must be absolute", c.Name, p)
		}
		f := FileSpec{Path: p, Source: str(fm["source"]), Encoding: str(fm["encoding"]), Mode: str(fm["mode"]),
			Owner: str(fm["owner"]), Group: str(fm["group"])}
		if ct, ok := fm["content"]; ok {
			var s string
			switch x := ct.(type) {
			case string:
				s = x
			case map[string]any, []any:
				b, err := json.MarshalIndent(x, "", "  ")
				if err != nil {
					return fmt.Errorf("config %s: file %s: %v", c.Name, p, err)
				}
				s = string(b)
			default:
				s = str(x)
			}
			f.Content = &s
		}
		if f.Content == nil && f.Source == "" {
			return fmt.Errorf("config %s: file %s: specify content or source", c.Name, p)
		}
		switch f.Encoding {
		case "", "plain", "base64":
		default:
			return fmt.Errorf("config %s: file %s: unsupported encoding %s", c.Name, p, f.Encoding)
		}
		if f.Mode != "" {
			if _, err := strconv.ParseUint(f.Mode, 8, 32); err != nil {
				return fmt.Errorf("config %s: file %s: mode %s is not octal", c.Name, p, f.Mode)
			}
		}
		if cm, ok := fm["context"].(map[string]any); ok {
			f.Context = cm
		}
		c.Files = append(c.Files, f)
	}
	return nil
}

func (c *Config) parseCommands(sec map[string]any) error {
	for _, k := range sortedKeys(sec) {
		cm, ok := sec[k].(map[string]any)
		if !ok {
			return fmt.Errorf("config %s: command %s must be an object", c.Name, k)
		}
		spec := CommandSpec{Key: k, Cwd: str(cm["cwd"]), Test: str(cm["test"]), IgnoreErrors: truthy(cm["ignoreErrors"])}
		switch x := cm["command"].(type) {
		case string:
			spec.Command = x
		case []any:
			spec.Argv = stringList(x)
			if len(spec.Argv) == 0 {
				return fmt.Errorf("config %s: command %s: command is empty", c.Name, k)
			}
		default:
			return fmt.Errorf("config %s: command %s does not have a command key", c.Name, k)
		}
		if spec.Command == "" && spec.Argv == nil {
			return fmt.Errorf("config %s: command %s: command is empty", c.Name, k)
		}
		if em, ok := cm["env"].(map[string]any); ok {
			spec.Env = map[string]string{}
			for ek, ev := range em {
				spec.Env[ek] = str(ev)
			}
		}
		c.Commands = append(c.Commands, spec)
	}
	return nil
}

func (c *Config) parseServices(sec map[string]any) error {
	for _, mgr := range sortedKeys(sec) {
		switch mgr {
		case "sysvinit", "systemd", "windows":
		default:
			return fmt.Errorf("config %s: unsupported service manager: %s", c.Name, mgr)
		}
		sm, ok := sec[mgr].(map[string]any)
		if !ok {
			return fmt.Errorf("config %s: services.%s must be an object", c.Name, mgr)
		}
		for _, n := range sortedKeys(sm) {
			m, ok := sm[n].(map[string]any)
			if !ok {
				return fmt.Errorf("config %s: service %s must be an object", c.Name, n)
			}
			spec := ServiceSpec{Manager: mgr, Name: n, Files: stringList(m["files"]), Sources: stringList(m["sources"]), Commands: stringList(m["commands"])}
			if v, ok := m["enabled"]; ok {
				b := truthy(v)
				spec.Enabled = &b
			}
			if v, ok := m["ensureRunning"]; ok {
				b := truthy(v)
				spec.EnsureRunning = &b
			}
			if pm, ok := m["packages"].(map[string]any); ok {
				spec.Packages = map[string][]string{}
				for k, v := range pm {
					spec.Packages[k] = stringList(v)
				}
			}
			c.Services = append(c.Services, spec)
		}
	}
	return nil
}

// Helpers ------------------------------------------------------------------------------------

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// str renders a scalar metadata value as CloudFormation does (numbers without exponent,
// booleans as true/false).
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

func atoi(v any) (int, error) {
	n, err := strconv.Atoi(str(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a number")
	}
	return n, nil
}

func stringList(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, str(e))
		}
		return out
	case map[string]any:
		return sortedKeys(x)
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	}
	return nil
}
