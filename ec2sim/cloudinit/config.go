package cloudinit

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Command is a runcmd/bootcmd entry: a shell string, or an argv list (run without a shell).
type Command struct {
	Shell string
	Argv  []string
}

// File is a write_files entry.
type File struct {
	Path        string `yaml:"path"`
	Content     string `yaml:"content"`
	Source      any    `yaml:"source"`
	Owner       string `yaml:"owner"`
	Permissions string `yaml:"permissions"` // octal, e.g. "0644"
	Encoding    string `yaml:"encoding"`
	Append      bool   `yaml:"append"`
	Defer       bool   `yaml:"defer"`
}

// UnmarshalYAML accepts what cloud-init (PyYAML) accepts: !!binary content (decoded
// leniently, ignoring characters outside the base64 alphabet) and permissions given as a
// YAML integer (0755 read as octal) or a string.
func (f *File) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		Path        string    `yaml:"path"`
		Content     yaml.Node `yaml:"content"`
		Source      any       `yaml:"source"`
		Owner       string    `yaml:"owner"`
		Permissions yaml.Node `yaml:"permissions"`
		Encoding    string    `yaml:"encoding"`
		Append      bool      `yaml:"append"`
		Defer       bool      `yaml:"defer"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	*f = File{Path: raw.Path, Source: raw.Source, Owner: raw.Owner, Encoding: raw.Encoding, Append: raw.Append, Defer: raw.Defer}
	switch {
	case raw.Content.Kind == 0:
	case raw.Content.Tag == "!!binary":
		f.Content = string(LenientBase64(raw.Content.Value))
	case raw.Content.Kind == yaml.ScalarNode:
		f.Content = raw.Content.Value
	default:
		return fmt.Errorf("write_files content must be a string")
	}
	if raw.Permissions.Kind == yaml.ScalarNode {
		p := raw.Permissions
		if p.Tag == "!!int" {
			var v int64
			if err := p.Decode(&v); err != nil {
				return err
			}
			f.Permissions = strconv.FormatInt(v, 8)
		} else {
			f.Permissions = p.Value
		}
	}
	return nil
}

// LenientBase64 decodes base64 the way Python's base64.b64decode does by default: characters
// outside the alphabet are ignored and missing padding is tolerated.
func LenientBase64(s string) []byte {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' {
			b.WriteRune(r)
		}
	}
	clean := b.String()
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out, _ := base64.RawStdEncoding.DecodeString(clean)
	return out
}

// User is a users entry ("default" is the distribution's login user).
type User struct {
	Default           bool
	Name              string   `yaml:"name"`
	Gecos             string   `yaml:"gecos"`
	Homedir           string   `yaml:"homedir"`
	PrimaryGroup      string   `yaml:"primary_group"`
	Groups            []string `yaml:"-"`
	Shell             string   `yaml:"shell"`
	System            bool     `yaml:"system"`
	NoCreateHome      bool     `yaml:"no_create_home"`
	UID               any      `yaml:"uid"`
	Sudo              any      `yaml:"sudo"`
	SSHAuthorizedKeys []string `yaml:"ssh_authorized_keys"`
	LockPasswd        *bool    `yaml:"lock_passwd"`
}

// Group is a groups entry.
type Group struct {
	Name    string
	Members []string
}

// Package is a packages entry: a name and an optional version.
type Package struct {
	Name    string
	Version string
}

// Config is the part of #cloud-config that devopsim acts on; Keys lists every top-level key
// (so callers can report the modules that were ignored).
type Config struct {
	Packages          []Package
	PackageUpdate     bool
	PackageUpgrade    bool
	RunCmd            []Command
	BootCmd           []Command
	WriteFiles        []File
	Users             []User
	Groups            []Group
	Hostname          string
	FQDN              string
	FinalMessage      string
	SSHAuthorizedKeys []string
	Keys              []string
}

// Supported reports whether a cloud-config key is applied by devopsim.
func Supported(key string) bool {
	switch key {
	case "packages", "package_update", "package_upgrade", "apt_update", "apt_upgrade", "repo_update", "repo_upgrade",
		"runcmd", "bootcmd", "write_files", "users", "groups", "hostname", "fqdn",
		"final_message", "ssh_authorized_keys", "preserve_hostname", "package_reboot_if_required":
		return true
	}
	return false
}

// ParseConfig parses a #cloud-config document.
func ParseConfig(b []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("invalid cloud-config YAML: %w", err)
	}
	cfg := &Config{}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return cfg, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("invalid cloud-config: top level is not a mapping")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, root.Content[i+1]
		cfg.Keys = append(cfg.Keys, k)
		var err error
		switch k {
		case "packages":
			cfg.Packages, err = decodePackages(v)
		case "package_update", "apt_update", "repo_update":
			var b bool
			err = v.Decode(&b)
			cfg.PackageUpdate = cfg.PackageUpdate || b
		case "package_upgrade", "apt_upgrade", "repo_upgrade":
			var b bool
			if v.Kind == yaml.ScalarNode && (v.Value == "all" || v.Value == "security") {
				b = true
			} else {
				err = v.Decode(&b)
			}
			cfg.PackageUpgrade = cfg.PackageUpgrade || b
		case "runcmd":
			cfg.RunCmd, err = decodeCommands(v)
		case "bootcmd":
			cfg.BootCmd, err = decodeCommands(v)
		case "write_files":
			err = v.Decode(&cfg.WriteFiles)
		case "users":
			cfg.Users, err = decodeUsers(v)
		case "groups":
			cfg.Groups, err = decodeGroups(v)
		case "hostname":
			err = v.Decode(&cfg.Hostname)
		case "fqdn":
			err = v.Decode(&cfg.FQDN)
		case "final_message":
			err = v.Decode(&cfg.FinalMessage)
		case "ssh_authorized_keys":
			err = v.Decode(&cfg.SSHAuthorizedKeys)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid cloud-config key %q: %w", k, err)
		}
	}
	return cfg, nil
}

func decodePackages(v *yaml.Node) ([]Package, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("packages must be a list")
	}
	var out []Package
	for _, it := range v.Content {
		switch it.Kind {
		case yaml.ScalarNode:
			out = append(out, Package{Name: it.Value})
		case yaml.SequenceNode:
			if len(it.Content) == 0 {
				continue
			}
			p := Package{Name: it.Content[0].Value}
			if len(it.Content) > 1 {
				p.Version = it.Content[1].Value
			}
			out = append(out, p)
		case yaml.MappingNode:
			// {apt: [...], snap: [...]}: take every listed name.
			for j := 1; j < len(it.Content); j += 2 {
				sub, err := decodePackages(it.Content[j])
				if err != nil {
					return nil, err
				}
				out = append(out, sub...)
			}
		}
	}
	return out, nil
}

func decodeCommands(v *yaml.Node) ([]Command, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("must be a list")
	}
	var out []Command
	for _, it := range v.Content {
		switch it.Kind {
		case yaml.ScalarNode:
			out = append(out, Command{Shell: it.Value})
		case yaml.SequenceNode:
			var argv []string
			for _, a := range it.Content {
				argv = append(argv, a.Value)
			}
			out = append(out, Command{Argv: argv})
		default:
			return nil, fmt.Errorf("entries must be strings or lists")
		}
	}
	return out, nil
}

func decodeUsers(v *yaml.Node) ([]User, error) {
	var items []*yaml.Node
	switch v.Kind {
	case yaml.SequenceNode:
		items = v.Content
	case yaml.ScalarNode:
		for _, n := range strings.Split(v.Value, ",") {
			items = append(items, &yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimSpace(n)})
		}
	case yaml.MappingNode:
		items = []*yaml.Node{v}
	default:
		return nil, fmt.Errorf("users must be a list")
	}
	var out []User
	for _, it := range items {
		switch it.Kind {
		case yaml.ScalarNode:
			if it.Value == "default" {
				out = append(out, User{Default: true})
			} else if it.Value != "" {
				out = append(out, User{Name: it.Value})
			}
		case yaml.MappingNode:
			var u User
			if err := it.Decode(&u); err != nil {
				return nil, err
			}
			for i := 0; i+1 < len(it.Content); i += 2 {
				if it.Content[i].Value != "groups" {
					continue
				}
				g := it.Content[i+1]
				switch g.Kind {
				case yaml.ScalarNode:
					for _, n := range strings.Split(g.Value, ",") {
						if n = strings.TrimSpace(n); n != "" {
							u.Groups = append(u.Groups, n)
						}
					}
				case yaml.SequenceNode:
					for _, n := range g.Content {
						u.Groups = append(u.Groups, n.Value)
					}
				}
			}
			if u.Name == "" {
				continue // e.g. snapuser: cloud-init hands these to snap
			}
			out = append(out, u)
		}
	}
	return out, nil
}

func decodeGroups(v *yaml.Node) ([]Group, error) {
	var out []Group
	add := func(n *yaml.Node) {
		switch n.Kind {
		case yaml.ScalarNode:
			for _, g := range strings.Split(n.Value, ",") {
				if g = strings.TrimSpace(g); g != "" {
					out = append(out, Group{Name: g})
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				g := Group{Name: n.Content[i].Value}
				m := n.Content[i+1]
				switch m.Kind {
				case yaml.ScalarNode:
					for _, x := range strings.Split(m.Value, ",") {
						if x = strings.TrimSpace(x); x != "" {
							g.Members = append(g.Members, x)
						}
					}
				case yaml.SequenceNode:
					for _, x := range m.Content {
						g.Members = append(g.Members, x.Value)
					}
				}
				out = append(out, g)
			}
		}
	}
	switch v.Kind {
	case yaml.SequenceNode:
		for _, n := range v.Content {
			add(n)
		}
	case yaml.ScalarNode, yaml.MappingNode:
		add(v)
	default:
		return nil, fmt.Errorf("groups must be a list")
	}
	return out, nil
}
