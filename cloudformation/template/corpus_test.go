package template_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudformation/template"
)

type corpusEntry struct {
	path, notes string
}

func loadManifest(t *testing.T) []corpusEntry {
	f, err := os.Open("testdata/MANIFEST.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 7 || cols[0] != "cloudformation" {
			continue
		}
		p := strings.TrimPrefix(cols[1], "cloudformation/")
		if !strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml") && !strings.HasSuffix(p, ".template") {
			continue
		}
		out = append(out, corpusEntry{path: filepath.Join("testdata/corpus", p), notes: cols[6]})
	}
	return out
}

// check runs what CloudFormation runs before provisioning: parse, structure, the
// LanguageExtensions transform, validation.
func check(body []byte, given map[string]string) error {
	t, err := template.Load(body)
	if err != nil {
		return err
	}
	if t.HasTransform(template.LanguageExtensions) {
		params := map[string]any{}
		for name, p := range t.Parameters {
			if p.Default == nil {
				v := "a,b"
				if g, ok := given[name]; ok {
					v = g
				} else if len(p.AllowedValues) > 0 {
					v = p.AllowedValues[0]
				}
				params[name] = template.ParamValue(p.Type, v)
			}
		}
		if err := template.Expand(t.Raw, params); err != nil {
			return err
		}
		if t, err = template.FromRaw(t.Raw); err != nil {
			return err
		}
	}
	return t.Validate(template.ValidateOptions{})
}

// knownDeviation lists corpus templates cfn-lint accepts but CloudFormation refuses.
var knownDeviation = map[string]string{
	"good/parameters__default.yaml": "no Resources section: CloudFormation answers 'At least one Resources member must be defined.'",
	"good/decode__parsing.json":     "empty Resources: CloudFormation answers 'At least one Resources member must be defined.'",
}

func relName(p string) string {
	return filepath.Base(filepath.Dir(p)) + "/" + filepath.Base(p)
}

// corpusParams gives parameters the corpus templates need for their ForEach collections.
var corpusParams = map[string]map[string]string{
	"good/functions__foreach.yaml": {"Environment": "Production"},
}

func TestCorpus(t *testing.T) {
	entries := loadManifest(t)
	if len(entries) < 200 {
		t.Fatalf("only %d corpus entries", len(entries))
	}
	var parsed, rejectedInvalid, acceptedValid, badRejected, badTotal, transformRefused int
	for _, e := range entries {
		body, err := os.ReadFile(e.path)
		if err != nil {
			t.Fatal(err)
		}
		_, perr := template.Load(body)
		verr := check(body, corpusParams[relName(e.path)])
		var te *template.Error
		if verr != nil && !errors.As(verr, &te) {
			t.Errorf("%s: error is not a *template.Error: %v", e.path, verr)
		}
		switch {
		case strings.Contains(e.notes, "INVALID (does not parse)"):
			if perr == nil {
				t.Errorf("%s: parsed, corpus says it does not parse", e.path)
			} else {
				rejectedInvalid++
			}
		case knownDeviation[relName(e.path)] != "":
			if verr == nil {
				t.Errorf("%s: accepted; expected refusal: %s", e.path, knownDeviation[relName(e.path)])
			}
		case strings.Contains(e.path, "cfn-lint/bad/"):
			badTotal++
			if verr != nil {
				badRejected++
			}
		default:
			if verr != nil && (strings.Contains(verr.Error(), "Transform") || strings.Contains(verr.Error(), "No transform")) {
				transformRefused++
				continue
			}
			if perr != nil && !strings.Contains(e.notes, "errors:") {
				t.Errorf("%s: %v", e.path, perr)
				continue
			}
			parsed++
			if verr != nil && !strings.Contains(e.notes, "errors:") {
				t.Errorf("%s: valid template refused: %v", e.path, verr)
				continue
			}
			if verr == nil {
				acceptedValid++
			}
		}
	}
	t.Logf("corpus: %d entries; %d valid-or-schema-error templates parsed, %d validated, %d refused for an unsupported transform; %d/%d INVALID rejected; %d/%d cfn-lint bad fixtures rejected by validation",
		len(entries), parsed, acceptedValid, transformRefused, rejectedInvalid, rejectedInvalid, badRejected, badTotal)
}
