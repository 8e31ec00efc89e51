package pattern_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
)

type triple struct {
	ID      string `json:"id"`
	Pattern string `json:"pattern"`
	Event   string `json:"event"`
	Verdict string `json:"verdict"`
	Err     string `json:"event_ruler_error"`
}

func loadCorpus(t testing.TB) []triple {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	var out []triple
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			var tr triple
			if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			tr.ID = filepath.Base(filepath.Dir(f)) + "/" + tr.ID
			out = append(out, tr)
		}
		fh.Close()
	}
	return out
}

// TestCorpus checks every recorded (pattern, event, verdict) triple: the verdicts were recorded
// by running aws/event-ruler, the engine behind EventBridge.
func TestCorpus(t *testing.T) {
	agree := 0
	all := loadCorpus(t)
	for _, tr := range all {
		got := ""
		p, err := pattern.Compile(tr.Pattern)
		if err != nil {
			got = "error"
		} else {
			ok, err := p.Match([]byte(tr.Event))
			switch {
			case err != nil:
				got = "event-error: " + err.Error()
			case ok:
				got = "match"
			default:
				got = "no_match"
			}
		}
		if got == "match" || got == "no_match" {
			// the same verdict when the event is flattened lazily
			e := pattern.NewEvent()
			e.AddJSONLazy("", []byte(tr.Event))
			if lazy := p.MatchEvent(e); lazy != (got == "match") {
				t.Errorf("%s: lazy flattening says %v", tr.ID, lazy)
			}
		}
		if p != nil {
			// the same verdict, or an error, when the event is restricted to the paths the
			// pattern looks at (whole and lazy)
			ix := pattern.NewIndex([]string{"r"}, []*pattern.Pattern{p})
			e := pattern.NewEvent()
			e.Restrict(ix)
			perr := e.Parse([]byte(tr.Event))
			if (perr != nil) != strings.HasPrefix(got, "event-error") {
				t.Errorf("%s: restricted parse error %v, unrestricted verdict %s", tr.ID, perr, got)
			} else if perr == nil {
				if m := ix.Match(e, nil); (len(m) == 1) != (got == "match") {
					t.Errorf("%s: restricted event matches %v, want %s", tr.ID, m, got)
				}
				e.Reset()
				e.AddJSONLazy("", []byte(tr.Event))
				if m := ix.Match(e, nil); (len(m) == 1) != (got == "match") {
					t.Errorf("%s: restricted lazy event matches %v, want %s", tr.ID, m, got)
				}
			}
		}
		if got != tr.Verdict {
			t.Errorf("%s: got %s, want %s (err %v)\npattern: %s\nevent: %.400s", tr.ID, got, tr.Verdict, err, tr.Pattern, tr.Event)
			continue
		}
		agree++
	}
	t.Logf("corpus agreement: %d/%d", agree, len(all))
}

// TestCorpusIndex puts every corpus pattern in one Index and checks, for every corpus event,
// that the index finds exactly the patterns that match one by one (shared conditions and
// anchors must not change a verdict).
func TestCorpusIndex(t *testing.T) {
	all := loadCorpus(t)
	var ids []string
	var ps []*pattern.Pattern
	seen := map[string]bool{}
	for _, tr := range all {
		if seen[tr.Pattern] {
			continue
		}
		seen[tr.Pattern] = true
		if p, err := pattern.Compile(tr.Pattern); err == nil {
			ids = append(ids, tr.ID)
			ps = append(ps, p)
		}
	}
	ix := pattern.NewIndex(ids, ps)
	checked := 0
	for _, tr := range all {
		e, err := pattern.ParseEvent([]byte(tr.Event))
		if err != nil {
			continue
		}
		got := ix.Match(e, nil)
		re := pattern.NewEvent()
		re.Restrict(ix)
		if err := re.Parse([]byte(tr.Event)); err != nil {
			t.Fatalf("%s: restricted parse: %v", tr.ID, err)
		}
		if rgot := ix.Match(re, nil); strings.Join(got, ",") != strings.Join(rgot, ",") {
			t.Fatalf("%s: index %v, restricted event %v", tr.ID, got, rgot)
		}
		var want []string
		for i, p := range ps {
			if p.MatchEvent(e) {
				want = append(want, ids[i])
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: index %v, one by one %v", tr.ID, got, want)
		}
		checked++
	}
	t.Logf("%d patterns, %d events", len(ps), checked)
}
