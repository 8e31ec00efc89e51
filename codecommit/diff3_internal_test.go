package codecommit

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestMerge3(t *testing.T) {
	base := "a\nb\nc\nd\ne\nf\ng\n"
	cases := []struct {
		name           string
		dest, src      string
		want           string
		conflicts      int
		wantWithMarker string
	}{
		{"only dest", "a\nB\nc\nd\ne\nf\ng\n", base, "a\nB\nc\nd\ne\nf\ng\n", 0, ""},
		{"only src", base, "a\nb\nc\nd\ne\nF\ng\n", "a\nb\nc\nd\ne\nF\ng\n", 0, ""},
		{"both apart", "A\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\ne\nf\nG\n", "A\nb\nc\nd\ne\nf\nG\n", 0, ""},
		{"same change", "a\nX\nc\nd\ne\nf\ng\n", "a\nX\nc\nd\ne\nf\ng\n", "a\nX\nc\nd\ne\nf\ng\n", 0, ""},
		{"insert and delete apart", "a\nb\nnew\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\ne\ng\n", "a\nb\nnew\nc\nd\ne\ng\n", 0, ""},
		{"conflict", "a\nb\nDEST\nd\ne\nf\ng\n", "a\nb\nSRC\nd\ne\nf\ng\n", "", 1,
			"a\nb\n<<<<<<< destination\nDEST\n||||||| base\nc\n=======\nSRC\n>>>>>>> source\nd\ne\nf\ng\n"},
		{"adjacent lines conflict", "a\nB\nc\nd\ne\nf\ng\n", "a\nb\nC\nd\ne\nf\ng\n", "", 1, ""},
		{"two conflicts", "X\nb\nc\nd\ne\nf\nY\n", "P\nb\nc\nd\ne\nf\nQ\n", "", 2, ""},
		{"same insertion point", "a\nb\nc\nd\ne\nf\ng\nD\n", "a\nb\nc\nd\ne\nf\ng\nS\n", "", 1, ""},
		{"no final newline", "a\nb\nc\nd\ne\nf\ng", base, "a\nb\nc\nd\ne\nf\ng", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lm, ok := merge3([]byte(base), []byte(tc.dest), []byte(tc.src))
			if !ok {
				t.Fatal("not mergeable")
			}
			if lm.conflicts != tc.conflicts {
				t.Fatalf("conflicts = %d, want %d (%+v)", lm.conflicts, tc.conflicts, lm.regions)
			}
			if tc.conflicts == 0 {
				if got := string(lm.result(0)); got != tc.want {
					t.Fatalf("merged %q, want %q", got, tc.want)
				}
			}
			if tc.wantWithMarker != "" {
				if got := string(lm.result(-1)); got != tc.wantWithMarker {
					t.Fatalf("with markers %q, want %q", got, tc.wantWithMarker)
				}
			}
			// Taking either side for conflicts gives that side when the other is the base.
			if string(lm.result(1)) == "" && tc.src != "" {
				t.Fatal("empty result")
			}
		})
	}
}

// TestMerge3AgainstGit compares clean merges with C git's merge-file on random edits of a
// text: when git merges cleanly and so do we, the results agree; when one side is the base,
// both give the other side.
func TestMerge3AgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	var base []string
	for i := range 60 {
		base = append(base, "line "+string(rune('a'+i%26))+strings.Repeat("x", i%5)+"\n")
	}
	edit := func(lines []string) []string {
		out := append([]string(nil), lines...)
		for range 1 + rnd.IntN(3) {
			i := rnd.IntN(len(out))
			switch rnd.IntN(3) {
			case 0:
				out[i] = "changed " + out[i]
			case 1:
				out = append(out[:i], out[i+1:]...)
			default:
				out = append(out[:i], append([]string{"inserted\n"}, out[i:]...)...)
			}
		}
		return out
	}
	dir := t.TempDir()
	agree, both := 0, 0
	for range 60 {
		d, s := strings.Join(edit(base), ""), strings.Join(edit(base), "")
		b := strings.Join(base, "")
		for _, f := range []struct{ name, c string }{{"b", b}, {"d", d}, {"s", s}} {
			if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("git", "merge-file", "-p", filepath.Join(dir, "d"), filepath.Join(dir, "b"), filepath.Join(dir, "s"))
		gitOut, err := cmd.Output()
		gitClean := err == nil
		lm, ok := merge3([]byte(b), []byte(d), []byte(s))
		if !ok {
			t.Fatal("not mergeable")
		}
		if gitClean && lm.conflicts == 0 {
			both++
			if bytes.Equal(gitOut, lm.result(0)) {
				agree++
			} else {
				t.Errorf("git and we merged differently:\n--- git\n%s\n--- we\n%s", gitOut, lm.result(0))
			}
		}
	}
	t.Logf("%d clean merges by both, %d identical", both, agree)
}

func FuzzMerge3(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"), []byte("a\nb\nC\n"))
	f.Add([]byte(""), []byte("x"), []byte("y"))
	f.Add([]byte("a\nb"), []byte("a\nb\n"), []byte("a"))
	f.Add([]byte("1\n2\n3\n4\n"), []byte("1\n3\n4\n"), []byte("1\n2\n3\n4\n5\n"))
	f.Fuzz(func(t *testing.T, base, dest, src []byte) {
		lm, ok := merge3(base, dest, src)
		if !ok {
			return
		}
		// Unchanged sides merge to the other side, without conflicts.
		if bytes.Equal(base, dest) && (lm.conflicts != 0 || !bytes.Equal(lm.result(0), src)) {
			t.Fatalf("dest == base: got %q, want %q", lm.result(0), src)
		}
		if bytes.Equal(base, src) && (lm.conflicts != 0 || !bytes.Equal(lm.result(0), dest)) {
			t.Fatalf("src == base: got %q, want %q", lm.result(0), dest)
		}
		if bytes.Equal(dest, src) && (lm.conflicts != 0 || !bytes.Equal(lm.result(0), dest)) {
			t.Fatalf("dest == src: got %q", lm.result(0))
		}
		// Taking one side everywhere reproduces... at least every region is in range.
		for _, r := range lm.regions {
			if r.base[0] > r.base[1] || r.dest[0] > r.dest[1] || r.src[0] > r.src[1] ||
				r.base[1] > len(lm.base) || r.dest[1] > len(lm.dest) || r.src[1] > len(lm.src) {
				t.Fatalf("bad region %+v", r)
			}
		}
		// Regions tile all three files.
		var nb, nd, ns int
		for _, r := range lm.regions {
			if r.base[0] != nb || r.dest[0] != nd || r.src[0] != ns {
				t.Fatalf("regions do not tile: %+v", lm.regions)
			}
			nb, nd, ns = r.base[1], r.dest[1], r.src[1]
		}
		if nb != len(lm.base) || nd != len(lm.dest) || ns != len(lm.src) {
			t.Fatalf("regions end at %d/%d/%d of %d/%d/%d", nb, nd, ns, len(lm.base), len(lm.dest), len(lm.src))
		}
	})
}
