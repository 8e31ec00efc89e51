// Package buildspec parses CodeBuild buildspec files (version 0.2, and 0.1 where it differs).
//
// Parse accepts what CodeBuild accepts and rejects what it rejects with an *Error whose message
// reads like CodeBuild's YAML_FILE_ERROR phase context. Values are normalised: scalar variables
// become strings, "yes"/"no"/true/false become bools, single strings where lists are allowed
// become one-element lists.
package buildspec

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Spec is a parsed buildspec.
type Spec struct {
	Version string
	RunAs   string
	Env     Env
	Phases  Phases
	Reports map[string]Report
	// ReportOrder lists report group names in file order.
	ReportOrder []string
	Artifacts   *Artifacts
	Cache       Cache
	// Batch is present when the buildspec configures batch builds (recorded, not run).
	Batch bool
	// Ignored lists unknown top-level keys, which CodeBuild ignores.
	Ignored []string
}

// Env is the env section.
type Env struct {
	Shell             string
	Variables         []Var
	ParameterStore    []Var // value: parameter name
	SecretsManager    []Var // value: secret-id:json-key:version-stage:version-id
	ExportedVariables []string
	GitCredential     bool
}

// Var is one name/value pair, in file order.
type Var struct{ Name, Value string }

// Phases holds the four phases; a nil phase is absent.
type Phases struct {
	Install, PreBuild, Build, PostBuild *Phase
}

// Phase is one phase's commands.
type Phase struct {
	Name            string // install, pre_build, build, post_build
	RunAs           string
	OnFailure       string // ABORT (default) or CONTINUE
	RuntimeVersions []Var  // install only
	Commands        []string
	Finally         []string
}

// Report is one report group.
type Report struct {
	Files         []string
	BaseDirectory string
	DiscardPaths  bool
	FileFormat    string
}

// Artifacts is the artifacts section (and each secondary artifact).
type Artifacts struct {
	Files          []string
	Name           string
	DiscardPaths   bool
	BaseDirectory  string
	ExcludePaths   []string
	EnableSymlinks bool
	S3Prefix       string
	Secondary      map[string]*Artifacts
}

// Cache is the cache section.
type Cache struct{ Paths []string }

// Error is an invalid buildspec.
type Error struct{ Msg string }

func (e *Error) Error() string { return "YAML_FILE_ERROR: " + e.Msg }

func errf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Report file formats CodeBuild knows.
var reportFormats = map[string]bool{
	"JUNITXML": true, "CUCUMBERJSON": true, "TESTNGXML": true, "NUNITXML": true, "NUNIT3XML": true,
	"VISUALSTUDIOTRX": true, "CLOVERXML": true, "COBERTURAXML": true, "JACOCOXML": true, "SIMPLECOV": true,
}

// MaxSize is the largest buildspec accepted.
const MaxSize = 1 << 20

// Parse parses a buildspec.
func Parse(data []byte) (*Spec, error) {
	if len(data) > MaxSize {
		return nil, errf("Message: buildspec is larger than %d bytes", MaxSize)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, errf("Message: Unable to parse buildspec: %v", err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, errf("Message: the buildspec is empty")
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, errf("Message: the buildspec must be a YAML mapping, at line %d", doc.Line)
	}
	s := &Spec{}
	seen := map[string]bool{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i].Value, doc.Content[i+1]
		if seen[k] {
			return nil, errf("Message: duplicate key %q at line %d", k, doc.Content[i].Line)
		}
		seen[k] = true
		var err error
		switch k {
		case "version":
			s.Version, err = scalar(v, "version")
		case "run-as":
			s.RunAs, err = scalar(v, "run-as")
		case "env":
			err = parseEnv(v, &s.Env)
		case "phases":
			err = parsePhases(v, s)
		case "reports":
			err = parseReports(v, s)
		case "artifacts":
			s.Artifacts, err = parseArtifacts(v, true)
		case "cache":
			err = mapping(v, "cache", func(k string, v *yaml.Node) error {
				if k != "paths" {
					return errf("Message: Unknown key %q in cache at line %d", k, v.Line)
				}
				var e error
				s.Cache.Paths, e = stringList(v, "cache.paths")
				return e
			})
		case "proxy":
			// upload-artifacts / logs: recorded by CodeBuild for VPC proxies; no effect here.
		case "batch":
			s.Batch = true
		case "environment_variables":
			// version 0.1: environment_variables: {plaintext: {K: V}}
			err = mapping(v, "environment_variables", func(k string, v *yaml.Node) error {
				if k != "plaintext" {
					return errf("Message: Unknown key %q in environment_variables at line %d", k, v.Line)
				}
				vs, err := vars(v, "environment_variables.plaintext")
				s.Env.Variables = append(s.Env.Variables, vs...)
				return err
			})
		default:
			// CodeBuild ignores top-level keys it does not know (Elastic Beanstalk's
			// eb_codebuild_settings lives there).
			s.Ignored = append(s.Ignored, k)
		}
		if err != nil {
			return nil, err
		}
	}
	switch s.Version {
	case "":
		return nil, errf("Message: Missing required field 'version' in buildspec")
	case "0.1", "0.2":
	default:
		return nil, errf("Message: Unknown buildspec version %q; expected 0.1 or 0.2", s.Version)
	}
	return s, nil
}

func scalar(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errf("Message: %s must be a string, at line %d", field, n.Line)
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

func boolean(n *yaml.Node, field string) (bool, error) {
	if n.Kind != yaml.ScalarNode {
		return false, errf("Message: %s must be yes or no, at line %d", field, n.Line)
	}
	switch strings.ToLower(n.Value) {
	case "yes", "true", "on", "y":
		return true, nil
	case "no", "false", "off", "n", "":
		return false, nil
	}
	return false, errf("Message: %s must be yes or no, not %q, at line %d", field, n.Value, n.Line)
}

func stringList(n *yaml.Node, field string) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, errf("Message: every item of %s must be a string, at line %d", field, c.Line)
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, errf("Message: %s must be a list of strings, at line %d", field, n.Line)
}

func mapping(n *yaml.Node, field string, fn func(k string, v *yaml.Node) error) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errf("Message: %s must be a mapping, at line %d", field, n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind != yaml.ScalarNode {
			return errf("Message: keys of %s must be strings, at line %d", field, n.Content[i].Line)
		}
		if err := fn(n.Content[i].Value, n.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func vars(n *yaml.Node, field string) ([]Var, error) {
	var out []Var
	err := mapping(n, field, func(k string, v *yaml.Node) error {
		if v.Kind != yaml.ScalarNode {
			return errf("Message: %s.%s must be a scalar value, at line %d", field, k, v.Line)
		}
		val := v.Value
		if v.Tag == "!!null" {
			val = ""
		}
		out = append(out, Var{Name: k, Value: val})
		return nil
	})
	return out, err
}

func parseEnv(n *yaml.Node, e *Env) error {
	return mapping(n, "env", func(k string, v *yaml.Node) error {
		var err error
		switch k {
		case "shell":
			e.Shell, err = scalar(v, "env.shell")
			if err == nil && e.Shell != "" && e.Shell != "bash" && e.Shell != "sh" && e.Shell != "/bin/sh" && e.Shell != "/bin/bash" {
				err = errf("Message: env.shell %q is not supported on Linux; use bash or sh", e.Shell)
			}
		case "variables":
			e.Variables, err = vars(v, "env.variables")
		case "parameter-store":
			e.ParameterStore, err = vars(v, "env.parameter-store")
		case "secrets-manager":
			e.SecretsManager, err = vars(v, "env.secrets-manager")
		case "exported-variables":
			e.ExportedVariables, err = stringList(v, "env.exported-variables")
		case "git-credential-helper":
			e.GitCredential, err = boolean(v, "env.git-credential-helper")
		default:
			err = errf("Message: Unknown key %q in env at line %d", k, v.Line)
		}
		return err
	})
}

// PhaseNames in execution order.
var PhaseNames = []string{"install", "pre_build", "build", "post_build"}

func parsePhases(n *yaml.Node, s *Spec) error {
	return mapping(n, "phases", func(k string, v *yaml.Node) error {
		p := &Phase{Name: k}
		switch k {
		case "install":
			s.Phases.Install = p
		case "pre_build":
			s.Phases.PreBuild = p
		case "build":
			s.Phases.Build = p
		case "post_build":
			s.Phases.PostBuild = p
		default:
			return errf("Message: Unknown phase %q at line %d; phases are install, pre_build, build and post_build", k, v.Line)
		}
		return mapping(v, "phases."+k, func(pk string, pv *yaml.Node) error {
			var err error
			switch pk {
			case "commands":
				p.Commands, err = stringList(pv, k+".commands")
			case "finally":
				p.Finally, err = stringList(pv, k+".finally")
			case "run-as":
				p.RunAs, err = scalar(pv, k+".run-as")
			case "on-failure":
				p.OnFailure, err = scalar(pv, k+".on-failure")
				if err == nil && p.OnFailure != "ABORT" && p.OnFailure != "CONTINUE" {
					err = errf("Message: on-failure must be ABORT or CONTINUE, not %q, at line %d", p.OnFailure, pv.Line)
				}
			case "runtime-versions":
				if k != "install" {
					return errf("Message: runtime-versions is only allowed in the install phase, at line %d", pv.Line)
				}
				p.RuntimeVersions, err = vars(pv, "install.runtime-versions")
			default:
				err = errf("Message: Unknown key %q in phase %s at line %d", pk, k, pv.Line)
			}
			return err
		})
	})
}

func parseReports(n *yaml.Node, s *Spec) error {
	s.Reports = map[string]Report{}
	return mapping(n, "reports", func(name string, v *yaml.Node) error {
		var r Report
		err := mapping(v, "reports."+name, func(k string, v *yaml.Node) error {
			var err error
			switch k {
			case "files":
				r.Files, err = stringList(v, "reports."+name+".files")
			case "base-directory":
				r.BaseDirectory, err = scalar(v, k)
			case "discard-paths":
				r.DiscardPaths, err = boolean(v, k)
			case "file-format":
				r.FileFormat, err = scalar(v, k)
				if err == nil && !reportFormats[strings.ToUpper(r.FileFormat)] {
					err = errf("Message: Unknown report file-format %q at line %d", r.FileFormat, v.Line)
				}
				r.FileFormat = strings.ToUpper(r.FileFormat)
			default:
				err = errf("Message: Unknown key %q in report group %s at line %d", k, name, v.Line)
			}
			return err
		})
		if err != nil {
			return err
		}
		if len(r.Files) == 0 {
			return errf("Message: report group %s has no files", name)
		}
		if r.FileFormat == "" {
			r.FileFormat = "JUNITXML"
		}
		s.Reports[name] = r
		s.ReportOrder = append(s.ReportOrder, name)
		return nil
	})
}

func parseArtifacts(n *yaml.Node, top bool) (*Artifacts, error) {
	a := &Artifacts{}
	err := mapping(n, "artifacts", func(k string, v *yaml.Node) error {
		var err error
		switch k {
		case "files":
			a.Files, err = stringList(v, "artifacts.files")
		case "name":
			a.Name, err = scalar(v, "artifacts.name")
		case "discard-paths":
			a.DiscardPaths, err = boolean(v, "artifacts.discard-paths")
		case "base-directory":
			a.BaseDirectory, err = scalar(v, "artifacts.base-directory")
		case "exclude-paths":
			a.ExcludePaths, err = stringList(v, "artifacts.exclude-paths")
		case "enable-symlinks":
			a.EnableSymlinks, err = boolean(v, "artifacts.enable-symlinks")
		case "s3-prefix":
			a.S3Prefix, err = scalar(v, "artifacts.s3-prefix")
		case "secondary-artifacts":
			if !top {
				return errf("Message: secondary-artifacts cannot be nested, at line %d", v.Line)
			}
			a.Secondary = map[string]*Artifacts{}
			err = mapping(v, "artifacts.secondary-artifacts", func(id string, v *yaml.Node) error {
				sa, err := parseArtifacts(v, false)
				if err != nil {
					return err
				}
				a.Secondary[id] = sa
				return nil
			})
		default:
			err = errf("Message: Unknown key %q in artifacts at line %d", k, v.Line)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(a.Files) == 0 && len(a.Secondary) == 0 {
		return nil, errf("Message: artifacts must list files")
	}
	return a, nil
}

// PhaseList returns the phases present, in execution order.
func (s *Spec) PhaseList() []*Phase {
	var out []*Phase
	for _, p := range []*Phase{s.Phases.Install, s.Phases.PreBuild, s.Phases.Build, s.Phases.PostBuild} {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

// SortedSecondary returns the secondary artifact ids in order.
func (a *Artifacts) SortedSecondary() []string {
	ids := make([]string, 0, len(a.Secondary))
	for id := range a.Secondary {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
