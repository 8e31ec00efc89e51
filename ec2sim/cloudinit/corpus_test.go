package cloudinit_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/ec2sim/cloudinit"
	"github.com/devopsim/devopsim/ec2sim/host"
)

func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir("testdata/userdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[strings.TrimPrefix(p, "testdata/userdata/")] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("corpus has %d files", len(out))
	}
	return out
}

func TestCorpusReport(t *testing.T) {
	if os.Getenv("CORPUS_REPORT") == "" {
		t.Skip("set CORPUS_REPORT=1")
	}
	for name, b := range corpus(t) {
		distro := "al2023"
		if strings.Contains(string(b), "amazon-linux-extras") {
			distro = "amzn2"
		}
		h := host.New(host.Options{ID: "i-1", Distro: distro, Clock: newInstant()})
		res, err := cloudinit.Boot(context.Background(), h, "i-1", b)
		if len(res.Failed) > 0 {
			for _, l := range strings.Split(string(h.Console()), "\n") {
				if strings.Contains(l, "not found") || strings.Contains(l, "rror") || strings.Contains(l, "bad interp") {
					t.Logf("   %s", l)
				}
			}
		}
		h.Close()
		ud, _ := cloudinit.Parse(b)
		var kinds []string
		for _, p := range ud.Parts {
			kinds = append(kinds, string(p.Kind))
		}
		t.Logf("%-90s %v ran=%d failed=%q ignored=%d err=%v", name, kinds, res.Ran, res.Failed, len(res.Ignored), err)
	}
}
