package appspec_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/codedeploy/appspec"
)

type agentCase struct {
	File           string   `json:"file"`
	Expected       string   `json:"expected"`
	ExpectedErrors []string `json:"expected_errors"`
	Should         []string `json:"should"`
}

// TestAgentCases runs every case of the CodeDeploy agent's own AppSpec tests.
func TestAgentCases(t *testing.T) {
	raw, err := os.ReadFile("testdata/cases/CASES.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []agentCase }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 60 {
		t.Fatalf("only %d cases", len(doc.Cases))
	}
	for _, c := range doc.Cases {
		t.Run(c.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/cases", c.File))
			if err != nil {
				t.Fatal(err)
			}
			spec, err := appspec.Parse(data)
			fileCheck := slices.ContainsFunc(c.Should, func(s string) bool {
				return strings.Contains(s, "validated as file permission") || strings.Contains(s, "validate as a file acl")
			})
			if fileCheck && err == nil {
				// the agent raises these only when the permission is applied to a file
				for i := range spec.Permissions {
					p := &spec.Permissions[i]
					if err = p.ValidateFilePermission(); err == nil {
						err = p.ValidateFileACL()
					}
					if err != nil {
						break
					}
				}
			}
			switch c.Expected {
			case "valid":
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
			case "error":
				var ve *appspec.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("want ValidationError, got %v", err)
				}
				if !slices.Contains(c.ExpectedErrors, ve.Message) {
					t.Fatalf("message\n got: %s\nwant: %s", ve.Message, c.ExpectedErrors[0])
				}
			default:
				t.Fatalf("unknown expectation %q", c.Expected)
			}
		})
	}
}

// TestAgentCaseFields checks the fields the agent's tests assert on valid cases.
func TestAgentCaseFields(t *testing.T) {
	read := func(name string) *appspec.AppSpec {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata/cases", name))
		if err != nil {
			t.Fatal(err)
		}
		s, err := appspec.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := read("11-with-two-complete-hooks.yml")
	if got := s.Hooks["test_hook"]; len(got) != 2 || got[0] != (appspec.Script{Location: "test_location_1", RunAs: "foo", Timeout: 30}) || got[1].Location != "test_location_2" {
		t.Fatalf("hooks %+v", got)
	}
	s = read("12-with-partial-hooks-just-a-runas.yml")
	if got := s.Hooks["test_hook"]; got[0].Timeout != 3600 || got[1].RunAs != "foo3" {
		t.Fatalf("hooks %+v", got)
	}
	s = read("10-with-sudo-hook.yml")
	if !s.Hooks["test_hook"][0].Sudo {
		t.Fatal("sudo not set")
	}
	s = read("14-with-empty-hook.yml")
	if len(s.Hooks["empty_test_hook"]) != 0 || len(s.Hooks["test_hook"]) != 1 {
		t.Fatalf("hooks %+v", s.Hooks)
	}
	s = read("18-file-map-contains-multiple-files.yml")
	if len(s.Files) != 2 || s.Files[1] != (appspec.File{Source: "test_source_2", Destination: "test_destination_2"}) {
		t.Fatalf("files %+v", s.Files)
	}
	s = read("30-with-valid-permission-object.yml")
	p := s.Permissions[0]
	if p.Object != "test" || p.Pattern != "prefix*" || p.Owner != "bob" || p.Group != "dev" || p.Mode.Mode != "6763" ||
		!slices.Equal(p.Type, []string{"file"}) || p.Context.User != "user_u" || p.Context.Type != "unconfined_t" {
		t.Fatalf("permission %+v", p)
	}
	if p.Context.Range.Low != 3 || p.Context.Range.High != 5 || !slices.Equal(p.Context.Range.Categories, []int{0, 1, 2, 3, 4, 5, 6, 7, 13}) {
		t.Fatalf("range %+v", p.Context.Range)
	}
	if p.ACLs.ACEs[0].String() != "user:henry:rwx" || p.ACLs.ACEs[1].String() != "default:group:manager:rw-" {
		t.Fatalf("acls %v %v", p.ACLs.ACEs[0], p.ACLs.ACEs[1])
	}
	for _, m := range []struct {
		name string
		want bool
	}{{"test/prefix_a", true}, {"test/prefixReadMe", false}, {"test/prefix.tmp", false}, {"test/other", false}, {"test/prefix/x", false}} {
		abs := "/" + m.name
		p.Object = "/test"
		if got := p.MatchesPattern(abs) && !p.MatchesExcept(abs); got != m.want {
			t.Errorf("%s: got %v want %v", m.name, got, m.want)
		}
	}
	s = read("62-with-permission-with-mode-with-2-digits.yml")
	if s.Permissions[0].Mode.Mode != "012" || s.Permissions[0].Mode.Bits != 0o12 {
		t.Fatalf("mode %+v", s.Permissions[0].Mode)
	}
	s = read("64-with-permission-with-valid-modes.yml")
	if s.Permissions[0].Mode.Mode != "7777" || s.Permissions[1].Mode.Mode != "0000" || s.Permissions[2].Mode.Bits != 0o777 {
		t.Fatalf("modes %+v %+v %+v", s.Permissions[0].Mode, s.Permissions[1].Mode, s.Permissions[2].Mode)
	}
	s = read("52-with-valid-category.yml")
	if r := s.Permissions[0].Context.Range; !slices.Equal(r.Categories, []int{0, 1, 7, 8, 9, 15}) {
		t.Fatalf("categories %v", r.Categories)
	}
	s = read("40-with-permission-with-acl-with-valid-ace-with-3-parts.yml")
	want := []string{"default:user:bob:rwx", "default:user::rw-", "mask::rwx", "mask::rwx", "group:dev:rwx", "group:dev:rwx", "user:bob:rwx", "user:bob:rwx", "user:mask:rwx", "user:other:rwx"}
	for i, e := range s.Permissions[0].ACLs.ACEs {
		if e.String() != want[i] {
			t.Errorf("ace %d: %s want %s", i, e, want[i])
		}
	}
}

// templates are corpus files with placeholders instead of values.
var templates = map[string]string{
	"aws-samples__aws-codedeploy-appspec-assistant__server-ec2-and-onPrem-default-appspec-template-advanced.json":   "(object-type)",
	"aws-samples__aws-codedeploy-appspec-assistant__server-ec2-and-onPrem-default-appspec-template-uncommented.yml": "invalid timeout value",
	"awsdocs__aws-codedeploy-user-guide__application-revisions-appspec-file__block6.yml":                            "no location value",
}

// TestCorpus parses every EC2/On-premises appspec of the corpus.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*")
	if len(files) < 20 {
		t.Fatalf("only %d corpus files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s, err := appspec.Parse(data)
			if want, ok := templates[filepath.Base(f)]; ok {
				// fill-in-the-blanks templates: the agent rejects them as they stand
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("template: want error containing %q, got %v", want, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.OS != "linux" && s.OS != "windows" {
				t.Fatalf("os %q", s.OS)
			}
		})
	}
}

func TestParseTable(t *testing.T) {
	for _, tc := range []struct {
		name, src, err string
		check          func(*appspec.AppSpec) bool
	}{
		{name: "json", src: `{"version": 0.0, "os": "linux", "files": [{"source": "/", "destination": "/var/www"}]}`,
			check: func(a *appspec.AppSpec) bool { return a.Files[0].Destination == "/var/www" }},
		{name: "integer version", src: "version: 0\nos: linux\n"},
		{name: "string version refused like the agent", src: "version: '0.0'\nos: linux\n", err: "invalid version value (0.0)"},
		{name: "null document", src: "# just a comment\n", err: "was empty"},
		{name: "list document", src: "- a\n", err: "not a map"},
		{name: "bad yaml", src: "version: [\n", err: "not valid YAML"},
		{name: "hooks not a map", src: "version: 0.0\nos: linux\nhooks: x\n", err: "hooks section"},
		{name: "windows permissions", src: "version: 0.0\nos: windows\npermissions:\n  - object: C:\\\n", err: "specifiles file permissions"},
		{name: "bad type", src: "version: 0.0\nos: linux\npermissions:\n  - object: /x\n    type: [socket]\n", err: "(socket)"},
		{name: "negative timeout", src: "version: 0.0\nos: linux\nhooks:\n  A:\n    - location: a\n      timeout: -1\n", err: "invalid timeout"},
		{name: "string timeout", src: "version: 0.0\nos: linux\nhooks:\n  A:\n    - location: a\n      timeout: '45'\n",
			check: func(a *appspec.AppSpec) bool { return a.Hooks["A"][0].Timeout == 45 }},
		{name: "octal-looking mode kept as written", src: "version: 0.0\nos: linux\npermissions:\n  - object: /x\n    mode: 0644\n",
			check: func(a *appspec.AppSpec) bool { return a.Permissions[0].Mode.Bits == 0o644 }},
		{name: "file exists behavior", src: "version: 0.0\nos: linux\nfile_exists_behavior: RETAIN\n",
			check: func(a *appspec.AppSpec) bool { return a.FileExistsBehavior == appspec.Retain }},
		{name: "base acl", src: "version: 0.0\nos: linux\npermissions:\n  - object: /x\n    acls: ['o:rwx']\n", err: "Use mode to set the base acl entry (o:rwx)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := appspec.Parse([]byte(tc.src))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want error containing %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil && !tc.check(a) {
				t.Fatalf("check failed: %+v", a)
			}
		})
	}
}

func TestAppliesTo(t *testing.T) {
	a, err := appspec.Parse([]byte("version: 0.0\nos: linux\npermissions:\n  - object: /var/www\n    pattern: '*.html'\n    except: ['secret*']\n    type: [file]\n    mode: 640\n  - object: /etc/app.conf\n    mode: 600\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, f := &a.Permissions[0], &a.Permissions[1]
	for _, c := range []struct {
		p     *appspec.Permission
		name  string
		isDir bool
		want  bool
	}{
		{p, "/var/www/index.html", false, true},
		{p, "/var/www/secret.html", false, false},
		{p, "/var/www/sub/index.html", false, false},
		{p, "/var/www/css", true, false},
		{p, "/var/wwwx/index.html", false, false},
		{f, "/etc/app.conf", false, true},
		{f, "/etc/other.conf", false, false},
	} {
		if got := c.p.AppliesTo(c.name, c.isDir); got != c.want {
			t.Errorf("%s %s: got %v", c.p.Object, c.name, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/cases", "testdata/corpus"} {
		files, _ := filepath.Glob(dir + "/*")
		for _, name := range files {
			if strings.HasSuffix(name, ".json") && strings.Contains(name, "CASES") {
				continue
			}
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("version: 0.0\nos: linux\npermissions:\n  - object: /x\n    context: {type: t, range: 's0-s3:c0.c4,c9'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := appspec.Parse(data)
		if err != nil {
			var ve *appspec.ValidationError
			if !errors.As(err, &ve) || ve.Message == "" {
				t.Fatalf("error of the wrong type: %T %v", err, err)
			}
			return
		}
		if a.OS != "linux" && a.OS != "windows" {
			t.Fatalf("accepted os %q", a.OS)
		}
		for _, hs := range a.Hooks {
			for _, s := range hs {
				if s.Timeout <= 0 || s.Location == "" {
					t.Fatalf("bad script %+v", s)
				}
			}
		}
		for i := range a.Permissions {
			p := &a.Permissions[i]
			_ = p.ValidateFilePermission()
			_ = p.ValidateFileACL()
			_ = p.AppliesTo("/"+p.Object+"/x", false)
		}
	})
}
