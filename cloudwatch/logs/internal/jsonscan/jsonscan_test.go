package jsonscan_test

import (
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/logs/internal/jsonscan"
)

func TestLookup(t *testing.T) {
	doc := `{"a": {"b": [1, {"c": "x\"y"}], "d.e": true}, "s": "str", "n": null, "k\u0065y": 2, "arr": [[0, 1]]}`
	if !jsonscan.Valid(doc) {
		t.Fatal("invalid")
	}
	tests := []struct {
		path string
		raw  string
		kind jsonscan.Kind
		ok   bool
	}{
		{"a.b.0", "1", jsonscan.Number, true},
		{"a.b.1.c", `"x\"y"`, jsonscan.String, true},
		{"a.d.e", "true", jsonscan.True, true},
		{"s", `"str"`, jsonscan.String, true},
		{"n", "null", jsonscan.Null, true},
		{"key", "2", jsonscan.Number, true},
		{"arr.0.1", "1", jsonscan.Number, true},
		{"a.b", `[1, {"c": "x\"y"}]`, jsonscan.Array, true},
		{"a.x", "", jsonscan.Invalid, false},
		{"a.b.5", "", jsonscan.Invalid, false},
		{"s.x", "", jsonscan.Invalid, false},
	}
	for _, tt := range tests {
		raw, kind, ok := jsonscan.LookupPath(doc, tt.path)
		if raw != tt.raw || kind != tt.kind || ok != tt.ok {
			t.Errorf("LookupPath(%q) = %q %v %v", tt.path, raw, kind, ok)
		}
	}
	raw, _, ok := jsonscan.LookupSteps(doc, []jsonscan.Step{{Key: "a", Index: -1}, {Key: "b", Index: -1}, {Index: 1}, {Key: "c", Index: -1}})
	if !ok || jsonscan.Unquote(raw) != `x"y` {
		t.Errorf("LookupSteps = %q %v", raw, ok)
	}
}

func FuzzLookup(f *testing.F) {
	f.Add(`{"a":{"b":[1,{"c":"x"}]}}`, "a.b.1.c")
	f.Add(`{"a":"\u00e9"}`, "a")
	f.Fuzz(func(t *testing.T, doc, path string) {
		if !jsonscan.Valid(doc) {
			return
		}
		raw, kind, ok := jsonscan.LookupPath(doc, path)
		if ok && kind == jsonscan.String {
			jsonscan.Unquote(raw)
		}
	})
}
