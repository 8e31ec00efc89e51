package filterpattern_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/logs/filterpattern"
)

type corpusRecord struct {
	ID          string `json:"id"`
	Pattern     string `json:"pattern"`
	Description string `json:"description"`
	Note        string `json:"note"`
	Cases       []struct {
		Event         string `json:"event"`
		ExpectedMatch bool   `json:"expected_match"`
	} `json:"cases"`
	Extracted map[string]any `json:"expected_extracted_fields"`
}

// knownWrong are documented claims the corpus itself flags as mistakes in the guide.
var knownWrong = map[string]string{
	"fp018": "the 2021 guide's claim contradicts its own pattern (w1!=ERROR cannot match a line starting with ERROR); the newer guide agrees with us",
}

func loadCorpus(t *testing.T) []corpusRecord {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no corpus files")
	}
	var out []corpusRecord
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var r corpusRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, r)
		}
		fh.Close()
	}
	return out
}

func TestCorpus(t *testing.T) {
	recs := loadCorpus(t)
	cases := 0
	for _, r := range recs {
		t.Run(r.ID, func(t *testing.T) {
			p, err := filterpattern.Parse(r.Pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", r.Pattern, err)
			}
			if why, ok := knownWrong[r.ID]; ok {
				t.Skip(why)
			}
			for _, c := range r.Cases {
				cases++
				if got := p.Match(c.Event); got != c.ExpectedMatch {
					t.Errorf("Match(%q, %q) = %v, want %v", r.Pattern, c.Event, got, c.ExpectedMatch)
				}
			}
			if len(r.Extracted) > 0 && len(r.Cases) > 0 {
				res, ok := p.Eval(r.Cases[0].Event)
				if !ok {
					t.Fatalf("Eval did not match")
				}
				for k, want := range r.Extracted {
					if r.ID == "fp066" && k == "$request" {
						continue // the guide's value does not match its own event (flagged in the corpus)
					}
					ref := k
					if len(k) > len("metricValue(") && k[:len("metricValue(")] == "metricValue(" {
						ref = k[len("metricValue(") : len(k)-1]
					}
					got, ok := res.Value(ref)
					if !ok || got != fmt.Sprint(want) {
						t.Errorf("Value(%q) = %q, %v; want %v", ref, got, ok, want)
					}
				}
			}
		})
	}
	t.Logf("%d patterns, %d documented cases", len(recs), cases)
}

func TestMatch(t *testing.T) {
	apache := `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
	tests := []struct {
		pattern, event string
		want           bool
	}{
		{"", "anything", true},
		{`""`, "anything", true},
		{"ERROR", "error", false},
		{`%ERR[O]+R%`, "an ERROOR here", true},
		{`?ERROR ?WARN`, "INFO", false},
		{`ERROR -"bad thing"`, "ERROR bad thing", false},
		{`{ $.a = "x*" }`, `{"a":"xyz"}`, true},
		{`{ $.a = x* }`, `{"a":"yz"}`, false},
		{`{ $.n > 10 }`, `{"n": 11}`, true},
		{`{ $.n > 10 }`, `{"n": "11"}`, true},
		{`{ $.n = 1e1 }`, `{"n": 10}`, true},
		{`{ $.n != 10 }`, `{"m": 11}`, false},
		{`{ $.b IS FALSE }`, `{"b": false}`, true},
		{`{ $.b IS TRUE }`, `{"b": "true"}`, false},
		{`{ $.b EXISTS }`, `{"b": 1}`, true},
		{`{ $.a.b[1] = 2 }`, `{"a":{"b":[1,2]}}`, true},
		{`{ $.a = %^ab+c$% }`, `{"a":"abbbc"}`, true},
		{`{ $.a = 1 }`, `not json`, false},
		{`[ip, user, ..., status_code, bytes]`, apache, true},
		{`[ip, user, username, timestamp, request, status_code = 4*, bytes]`, apache, false},
		{`[ip, user, username, timestamp, request, status_code = 5* && bytes > 5000, bytes]`, apache, true},
		{`[ip, user, username, timestamp, request, status_code = 5* && bytes > 6000, bytes]`, apache, false},
		{`[..., status_code = %5[0-9]{2}%, bytes]`, apache, true},
		{`[a, b]`, "one", false},
		{`[...]`, "", true},
	}
	for _, tt := range tests {
		p, err := filterpattern.Parse(tt.pattern)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.pattern, err)
			continue
		}
		if got := p.Match(tt.event); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.event, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	bad := []string{
		`{ $.a = }`, `{ $.a = 1`, `{ a = 1 }`, `{ $.a ~ 1 }`, `{ $.a > "x" }`, `[a, b`, `[]`,
		`"unterminated`, `{ ($.a = 1 }`, `%abc`, `%(%`, `[a, a]`, `{ $.a = 1 } x`, `?`,
		`%a% %b% %c%`, `{ $. = 1 }`, `{ $.a[x] = 1 }`,
	}
	for _, s := range bad {
		_, err := filterpattern.Parse(s)
		var se *filterpattern.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", s, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{"", `""`, "ERROR", `?a ?b -c "d e"`, `{ $.a = "x" && ($.b > 1 || $.c IS NULL) }`,
		`[ip, user, ..., status = 4* || status = 5*, bytes > 10,]`, `%ab+%`, `{ $.a[0].b != *x* }`}
	for _, s := range seeds {
		f.Add(s, `{"a":"x","b":2} 127.0.0.1 - - "GET /" 404 12`)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := filterpattern.Parse(pattern)
		if err != nil {
			return
		}
		m := p.Match(event)
		if _, ok := p.Eval(event); ok != m && !strings.Contains(event, `\`) {
			// the fast path (scanning) and the full decode must agree (duplicate keys and
			// escaped keys aside)
			var dup map[string]json.RawMessage
			if json.Unmarshal([]byte(event), &dup) == nil && strings.Count(event, `":`) == len(dup) {
				t.Fatalf("Match = %v, Eval = %v for %q on %q", m, ok, pattern, event)
			}
		}
		if r, ok := p.Eval(event); ok {
			r.Extracted()
			r.Value("$.a")
		}
	})
}

func BenchmarkMatchTerm(b *testing.B) {
	p := filterpattern.MustParse("ERROR")
	msg := `2024-01-01T00:00:00Z INFO request handled path=/api/v1/items status=200 duration=12ms`
	for b.Loop() {
		p.Match(msg)
	}
}

func BenchmarkMatchJSON(b *testing.B) {
	p := filterpattern.MustParse(`{ $.status = 500 && $.path = "/api/*" }`)
	msg := `{"level":"info","status":500,"path":"/api/v1/items","duration":12}`
	for b.Loop() {
		p.Match(msg)
	}
}
