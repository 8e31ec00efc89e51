package codecommit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/codecommit"
)

func TestGitRoundTrip(t *testing.T) {
	g := needGit(t)
	f := newFixture(t, codecommit.Options{})
	md := f.createRepo("app")
	tmp := t.TempDir()
	a := filepath.Join(tmp, "a")

	out := g.run(tmp, "clone", md.CloneURLHTTP, a)
	if !strings.Contains(out, "empty repository") {
		t.Logf("clone of empty repo: %s", out)
	}
	writeFile(t, a, "README.md", "hello\n")
	writeFile(t, a, "src/main.go", "package main\n\nfunc main() {}\n")
	g.run(a, "add", ".")
	g.run(a, "commit", "-m", "first")
	g.run(a, "push", "origin", "main")
	first := strings.TrimSpace(g.run(a, "rev-parse", "HEAD"))

	rep, err := f.svc.GetRepository(context.Background(), &codecommit.GetRepositoryInput{RepositoryName: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.RepositoryMetadata.DefaultBranch != "main" {
		t.Fatalf("default branch = %q", rep.RepositoryMetadata.DefaultBranch)
	}

	b := filepath.Join(tmp, "b")
	g.run(tmp, "clone", md.CloneURLHTTP, b)
	if got := strings.TrimSpace(g.run(b, "rev-parse", "HEAD")); got != first {
		t.Fatalf("clone HEAD = %s, want %s", got, first)
	}

	// A second full clone of the same tip is served from the cached pack.
	g.run(tmp, "clone", md.CloneURLHTTP, filepath.Join(tmp, "b2"))
	g.run(filepath.Join(tmp, "b2"), "fsck", "--strict")

	// Delta push: modify a file.
	var big strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&big, "line %d of a large file\n", i)
	}
	writeFile(t, a, "big.txt", big.String())
	g.run(a, "add", ".")
	g.run(a, "commit", "-m", "big")
	g.run(a, "push", "origin", "main")
	writeFile(t, a, "big.txt", big.String()+"one more line\n")
	g.run(a, "commit", "-am", "delta")
	g.run(a, "push", "origin", "main")
	tip := strings.TrimSpace(g.run(a, "rev-parse", "HEAD"))

	// Incremental fetch into the existing clone.
	g.run(b, "fetch", "origin")
	if got := strings.TrimSpace(g.run(b, "rev-parse", "origin/main")); got != tip {
		t.Fatalf("fetched origin/main = %s, want %s", got, tip)
	}
	g.run(b, "merge", "--ff-only", "origin/main")
	g.run(b, "fsck", "--strict")

	// Non-fast-forward refused, then forced.
	writeFile(t, b, "other.txt", "b's change\n")
	g.run(b, "add", ".")
	g.run(b, "commit", "-m", "b")
	g.run(b, "push", "origin", "main")
	writeFile(t, a, "mine.txt", "a's change\n")
	g.run(a, "add", ".")
	g.run(a, "commit", "-m", "a")
	if out, err := g.try(a, "push", "origin", "main"); err == nil {
		t.Fatalf("non-fast-forward push succeeded:\n%s", out)
	}
	g.run(a, "push", "--force", "origin", "main")

	// Branch create and delete, tags.
	g.run(a, "push", "origin", "main:feature")
	g.run(a, "tag", "v1")
	g.run(a, "tag", "-a", "v2", "-m", "annotated")
	g.run(a, "push", "origin", "--tags")
	g.run(a, "push", "origin", "--delete", "feature")
	refs := g.run(a, "ls-remote", "origin")
	if strings.Contains(refs, "refs/heads/feature") || !strings.Contains(refs, "refs/tags/v2^{}") || !strings.Contains(refs, "refs/tags/v1") {
		t.Fatalf("ls-remote:\n%s", refs)
	}

	// Shallow clone.
	c := filepath.Join(tmp, "c")
	g.run(tmp, "clone", "--depth", "1", md.CloneURLHTTP, c)
	if n := strings.TrimSpace(g.run(c, "rev-list", "--count", "HEAD")); n != "1" {
		t.Fatalf("shallow clone has %s commits", n)
	}
	g.run(c, "fetch", "--depth", "2")
	if n := strings.TrimSpace(g.run(c, "rev-list", "--count", "HEAD")); n != "2" {
		t.Fatalf("deepened clone has %s commits", n)
	}
	g.run(c, "fsck")

	evs := f.refEvents()
	kinds := map[string]int{}
	for _, e := range evs {
		kinds[e["event"]]++
	}
	if kinds["referenceCreated"] < 4 || kinds["referenceUpdated"] < 4 || kinds["referenceDeleted"] != 1 {
		t.Fatalf("events: %v", kinds)
	}
}

// TestCloneLargeObjectsTwice clones a repository holding incompressible objects larger than
// a side-band packet, twice (the second clone is served from the cached pack), with and
// without side-band, and checks the clones with fsck.
func TestCloneLargeObjectsTwice(t *testing.T) {
	g := needGit(t)
	f := newFixture(t, codecommit.Options{})
	md := f.createRepo("big")
	tmp := t.TempDir()
	a := filepath.Join(tmp, "a")
	g.run(tmp, "clone", md.CloneURLHTTP, a)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 3 {
		b := make([]byte, 300<<10+i*7777)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		writeFile(t, a, fmt.Sprintf("blob%d.bin", i), string(b))
	}
	for i := range 200 {
		writeFile(t, a, fmt.Sprintf("src/f%03d.txt", i), strings.Repeat(fmt.Sprintf("line %d\n", i), 50))
	}
	g.run(a, "add", ".")
	g.run(a, "commit", "-qm", "big objects")
	g.run(a, "tag", "-a", "v1", "-m", "v1")
	g.run(a, "push", "-q", "origin", "main", "--tags")
	for i, args := range [][]string{{}, {}, {"-c", "transfer.unpackLimit=100000"}} {
		dir := filepath.Join(tmp, fmt.Sprint("clone", i))
		g.run(tmp, append(args, "clone", "-q", md.CloneURLHTTP, dir)...)
		g.run(dir, "fsck", "--strict")
		if got := g.run(dir, "tag"); !strings.Contains(got, "v1") {
			t.Fatalf("clone %d has tags %q", i, got)
		}
	}
}
