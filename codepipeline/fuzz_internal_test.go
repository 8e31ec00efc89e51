package codepipeline

import "testing"

// FuzzGlob compiles trigger filter globs and matches them: never a panic.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"feature/**", "src/**/*.go", "release-[0-9]*", "{main,develop}", "a\\*b", "[!x]", "[", "{a,b", "}", "**/", "?"} {
		f.Add(s, "feature/login/src/a.go")
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		re, err := globRegexp(pat)
		if err == nil {
			re.MatchString(s)
		}
		validGlob(pat)
	})
}

// FuzzResolveVars resolves #{ns.var} references: never a panic, and a string without
// references is returned as is.
func FuzzResolveVars(f *testing.F) {
	f.Add("#{SourceVariables.CommitId}-#{variables.env}-#{codepipeline.PipelineExecutionId}")
	f.Add("plain")
	f.Add("#{")
	f.Add("#{a.b")
	f.Fuzz(func(t *testing.T, s string) {
		out, err := resolveVars(s, map[string]string{"env": "prod"}, map[string]map[string]string{"SourceVariables": {"CommitId": "abc"}}, "id")
		if err == nil && !varRefRE.MatchString(s) && out != s {
			t.Fatalf("%q became %q", s, out)
		}
	})
}

func TestGlobs(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"feature/*", "feature/login", true},
		{"feature/*", "feature/a/b", false},
		{"feature/**", "feature/a/b", true},
		{"src/**/*.go", "src/main.go", true},
		{"src/**/*.go", "src/a/b/c.go", true},
		{"src/**/*.go", "src/a/b/c.js", false},
		{"{main,develop}", "develop", true},
		{"{main,develop}", "dev", false},
		{"release-[0-9]*", "release-2", true},
		{"release-[!0-9]*", "release-2", false},
		{"v?.0", "v1.0", true},
		{"a\\*b", "a*b", true},
		{"a\\*b", "axb", false},
	} {
		if got := globMatch(tc.pat, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}
