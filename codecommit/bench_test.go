package codecommit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/codecommit"
)

func BenchmarkGetFile(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, codecommit.Options{})
	f.createRepo("r")
	if _, err := f.svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "r", BranchName: "main", FilePath: "src/pkg/file.go", FileContent: []byte(strings.Repeat("package main\n", 100))}); err != nil {
		b.Fatal(err)
	}
	in := &codecommit.GetFileInput{RepositoryName: "r", FilePath: "src/pkg/file.go"}
	for b.Loop() {
		if _, err := f.svc.GetFile(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateCommit10Files(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, codecommit.Options{})
	f.createRepo("r")
	out, err := f.svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "r", BranchName: "main", FilePath: "seed", FileContent: []byte("s")})
	if err != nil {
		b.Fatal(err)
	}
	parent := out.CommitID
	i := 0
	for b.Loop() {
		in := &codecommit.CreateCommitInput{RepositoryName: "r", BranchName: "main", ParentCommitID: parent}
		for j := range 10 {
			in.PutFiles = append(in.PutFiles, codecommit.PutFileEntry{FilePath: fmt.Sprintf("d%d/f%d.txt", j%3, j), FileContent: []byte(fmt.Sprintf("content %d %d\n", i, j))})
		}
		i++
		cc, err := f.svc.CreateCommit(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		parent = cc.CommitID
	}
}

// bigWorkTree writes files files totalling about bytes bytes of text under dir and commits
// them.
func bigWorkTree(b *testing.B, g *gitCLI, dir string, files, bytes int) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"alpha", "beta", "gamma", "delta", "deploy", "build", "pipeline", "commit", "func", "return"}
	per := bytes / files
	for i := range files {
		var sb strings.Builder
		for sb.Len() < per {
			sb.WriteString(words[r.IntN(len(words))])
			sb.WriteString(fmt.Sprint(r.IntN(100000)))
			if r.IntN(8) == 0 {
				sb.WriteByte('\n')
			} else {
				sb.WriteByte(' ')
			}
		}
		writeFile(b, dir, fmt.Sprintf("d%02d/s%02d/f%04d.txt", i%50, i%7, i), sb.String())
	}
	g.run(dir, "add", ".")
	g.run(dir, "commit", "-qm", "big")
}

// BenchmarkLargeRepo pushes and clones a repository of 5,000 files / 50 MB through devopsim
// and through C git's git-http-backend on the same machine, in the same run. Compare the
// ns/op of the sub-benchmarks.
func BenchmarkLargeRepo(b *testing.B) {
	g := needGit(b)
	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		b.Skip("git --exec-path failed")
	}
	httpBackend := filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend")
	if _, err := os.Stat(httpBackend); err != nil {
		b.Skip("git-http-backend not installed")
	}
	files, size := 5000, 50<<20
	if testing.Short() {
		files, size = 500, 5<<20
	}
	tmp := b.TempDir()
	work := filepath.Join(tmp, "work")
	g.run(tmp, "init", "-q", work)
	bigWorkTree(b, g, work, files, size)

	// devopsim
	f := newFixture(b, codecommit.Options{})
	// C git behind git-http-backend.
	root := filepath.Join(tmp, "cgit")
	if err := os.MkdirAll(root, 0o755); err != nil {
		b.Fatal(err)
	}
	cgiH := &cgi.Handler{Path: httpBackend, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	csrv := httptest.NewServer(http.StripPrefix("/git", cgiH))
	b.Cleanup(csrv.Close)

	servers := []struct {
		name string
		url  func(repo string) string
		mk   func(repo string)
	}{
		{"devopsim", func(r string) string { return f.srv.URL + "/v1/repos/" + r }, func(r string) { f.createRepo(r) }},
		{"cgit", func(r string) string { return csrv.URL + "/git/" + r + ".git" }, func(r string) {
			g.run(root, "init", "-q", "--bare", r+".git")
			g.run(filepath.Join(root, r+".git"), "config", "http.receivepack", "true")
		}},
	}
	for _, s := range servers {
		n := 0
		b.Run("push/"+s.name, func(b *testing.B) {
			for b.Loop() {
				n++
				repo := fmt.Sprint("push", n)
				s.mk(repo)
				g.run(work, "-c", "http.postBuffer=1073741824", "push", "-q", s.url(repo), "HEAD:refs/heads/main")
			}
		})
	}
	for _, s := range servers {
		s.mk("clone")
		g.run(work, "-c", "http.postBuffer=1073741824", "push", "-q", s.url("clone"), "HEAD:refs/heads/main")
		n := 0
		b.Run("clone/"+s.name, func(b *testing.B) {
			for b.Loop() {
				n++
				g.run(tmp, "clone", "-q", "--no-checkout", s.url("clone"), filepath.Join(tmp, fmt.Sprint(s.name, "-clone", n)))
			}
		})
	}
	// A cold clone: a new branch before each clone changes the refs, so devopsim cannot serve
	// its cached full-clone pack and builds the pack again.
	ctx := context.Background()
	tip, err := f.svc.GetBranch(ctx, &codecommit.GetBranchInput{RepositoryName: "clone", BranchName: "main"})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	b.Run("clone-cold/devopsim", func(b *testing.B) {
		for b.Loop() {
			n++
			if _, err := f.svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "clone", BranchName: fmt.Sprint("b", n), CommitID: tip.Branch.CommitID}); err != nil {
				b.Fatal(err)
			}
			g.run(tmp, "clone", "-q", "--no-checkout", servers[0].url("clone"), filepath.Join(tmp, fmt.Sprint("cold-clone", n)))
		}
	})
}

// BenchmarkMergeLineLevel merges two branches that changed different lines of a 5,000-line
// file and 10 other files (CreateUnreferencedMergeCommit, THREE_WAY_MERGE, LINE_LEVEL).
func BenchmarkMergeLineLevel(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, codecommit.Options{})
	f.createRepo("r")
	var sb strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&sb, "line %d of the configuration\n", i)
	}
	text := sb.String()
	in := &codecommit.CreateCommitInput{RepositoryName: "r", BranchName: "main", PutFiles: []codecommit.PutFileEntry{{FilePath: "big.txt", FileContent: []byte(text)}}}
	for i := range 10 {
		in.PutFiles = append(in.PutFiles, codecommit.PutFileEntry{FilePath: fmt.Sprintf("d/f%d", i), FileContent: []byte(fmt.Sprint(i))})
	}
	base, err := f.svc.CreateCommit(ctx, in)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "r", BranchName: "src", CommitID: base.CommitID}); err != nil {
		b.Fatal(err)
	}
	put := func(branch, content string) {
		if _, err := f.svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "r", BranchName: branch, ParentCommitID: base.CommitID, FilePath: "big.txt", FileContent: []byte(content)}); err != nil {
			b.Fatal(err)
		}
	}
	put("main", strings.Replace(text, "line 100 ", "LINE 100 ", 1))
	put("src", strings.Replace(text, "line 4000 ", "LINE 4000 ", 1))
	mi := &codecommit.CreateUnreferencedMergeCommitInput{RepositoryName: "r", SourceCommitSpecifier: "src", DestinationCommitSpecifier: "main", MergeOption: "THREE_WAY_MERGE", ConflictDetailLevel: "LINE_LEVEL"}
	for b.Loop() {
		if _, err := f.svc.CreateUnreferencedMergeCommit(ctx, mi); err != nil {
			b.Fatal(err)
		}
	}
}
