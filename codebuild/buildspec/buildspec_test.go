package buildspec_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/codebuild/buildspec"
)

// TestCorpus parses every real-world buildspec: complete ones parse, fragments (no version)
// are rejected with the missing-version message.
func TestCorpus(t *testing.T) {
	f, err := os.Open("testdata/corpus/MANIFEST.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		path := filepath.Join("testdata/corpus", strings.TrimPrefix(cols[1], "buildspec/"))
		note := cols[6]
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n++
		spec, err := buildspec.Parse(data)
		fragment := strings.Contains(note, "no-version")
		switch {
		case strings.Contains(note, "YAML-ERROR") || invalidTemplates[filepath.Base(path)]:
			var be *buildspec.Error
			if !errors.As(err, &be) {
				t.Errorf("%s: invalid buildspec parsed: %v", path, err)
			}
		case fragment:
			var be *buildspec.Error
			if !errors.As(err, &be) || !strings.Contains(err.Error(), "version") {
				t.Errorf("%s: fragment without version: got %v, want a missing-version error", path, err)
			}
		case err != nil:
			t.Errorf("%s: %v", path, err)
		default:
			if !strings.Contains(note, "version="+spec.Version) {
				t.Errorf("%s: version %s, note %q", path, spec.Version, note)
			}
			if want, ok := notedPhases(note); ok {
				var got []string
				for _, p := range spec.PhaseList() {
					got = append(got, p.Name)
				}
				if strings.Join(got, "/") != want {
					t.Errorf("%s: phases %v, note says %q", path, got, want)
				}
			}
		}
	}
	if n < 90 {
		t.Fatalf("only %d corpus buildspecs", n)
	}
}

// invalidTemplates are documentation templates with placeholders (shell-tag,
// "ABORT | CONTINUE") that CodeBuild would reject.
var invalidTemplates = map[string]bool{"build-spec-ref__block1.yml": true}

// notedPhases returns the "phases=a/b" list of a manifest note.
func notedPhases(note string) (string, bool) {
	_, rest, ok := strings.Cut(strings.ReplaceAll(note, `\_`, "_"), "phases=")
	if !ok {
		return "", false
	}
	list, _, _ := strings.Cut(rest, ";")
	return list, true
}

func TestParse(t *testing.T) {
	spec, err := buildspec.Parse([]byte(`
version: 0.2
env:
  shell: bash
  variables:
    N: 3
    EMPTY:
  parameter-store:
    DB: /app/db
  exported-variables: [N, OUT]
phases:
  install:
    runtime-versions:
      golang: 1.x
    commands: go version
  build:
    on-failure: CONTINUE
    commands:
      - go test ./...
    finally:
      - echo done
reports:
  unit:
    files: ['**/*.xml']
    file-format: junitxml
artifacts:
  files: ['**/*']
  discard-paths: yes
  secondary-artifacts:
    bin:
      files: [bin/app]
cache:
  paths: ['/root/.cache/**/*']
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := spec.Env.Variables; len(got) != 2 || got[0] != (buildspec.Var{"N", "3"}) || got[1] != (buildspec.Var{"EMPTY", ""}) {
		t.Errorf("variables %v", got)
	}
	if spec.Phases.Install.Commands[0] != "go version" || spec.Phases.Install.RuntimeVersions[0].Value != "1.x" {
		t.Errorf("install %+v", spec.Phases.Install)
	}
	if spec.Phases.Build.OnFailure != "CONTINUE" || spec.Phases.Build.Finally[0] != "echo done" {
		t.Errorf("build %+v", spec.Phases.Build)
	}
	if spec.Reports["unit"].FileFormat != "JUNITXML" || !spec.Artifacts.DiscardPaths || spec.Artifacts.Secondary["bin"].Files[0] != "bin/app" {
		t.Errorf("reports/artifacts %+v %+v", spec.Reports, spec.Artifacts)
	}
}

func TestInvalid(t *testing.T) {
	tests := map[string]string{
		"empty":            ``,
		"not a map":        `- a`,
		"bad yaml":         "version: 0.2\nphases: [",
		"no version":       "phases: {build: {commands: [ls]}}",
		"bad version":      "version: 0.3",
		"unknown env key":  "version: 0.2\nenv: {foo: bar}",
		"unknown phase":    "version: 0.2\nphases: {deploy: {commands: [ls]}}",
		"bad on-failure":   "version: 0.2\nphases: {build: {on-failure: RETRY, commands: [ls]}}",
		"runtime in build": "version: 0.2\nphases: {build: {runtime-versions: {go: 1}}}",
		"commands map":     "version: 0.2\nphases: {build: {commands: {a: b}}}",
		"bad format":       "version: 0.2\nreports: {r: {files: [a], file-format: PDF}}",
		"artifacts empty":  "version: 0.2\nartifacts: {name: x}",
		"dup key":          "version: 0.2\nversion: 0.2",
		"windows shell":    "version: 0.2\nenv: {shell: powershell.exe}",
	}
	for name, src := range tests {
		_, err := buildspec.Parse([]byte(src))
		var be *buildspec.Error
		if !errors.As(err, &be) || !strings.HasPrefix(err.Error(), "YAML_FILE_ERROR") {
			t.Errorf("%s: got %v, want YAML_FILE_ERROR", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"))
	f.Add([]byte("version: 0.2\nenv: {variables: {A: 1}}\nartifacts: {files: ['**/*'], secondary-artifacts: {x: {files: [a]}}}"))
	f.Add([]byte("version: 0.1\nphases: {install: {runtime-versions: {go: 1.x}, commands: ls, finally: [x]}}"))
	f.Add([]byte("version: 0.2\nreports: {g: {files: [a], file-format: CUCUMBERJSON}}\ncache: {paths: [a]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := buildspec.Parse(data)
		if err == nil && spec.Version == "" {
			t.Fatal("parsed without a version")
		}
		if err != nil {
			var be *buildspec.Error
			if !errors.As(err, &be) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}
