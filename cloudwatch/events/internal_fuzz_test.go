package events

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/devopsim/devopsim/eventbus"
)

// FuzzInputTransformer exercises the JSON path parser and the template renderer with
// untrusted paths, templates and events.
func FuzzInputTransformer(f *testing.F) {
	f.Add("$.detail.state", `{"msg": "state is <state>", "raw": <state>}`, `{"state":"running","n":[1,2]}`)
	f.Add("$['detail']['n'][1]", `"<state> \" <aws.events.rule-name>"`, `{"n":[1,2.50]}`)
	f.Add("$", "<state>", `{}`)
	f.Fuzz(func(t *testing.T, path, tpl, detail string) {
		p, err := parseJSONPath(path)
		if err != nil {
			return
		}
		ev := eventbus.Event{Version: "0", ID: "1", Source: "s", DetailType: "d", Detail: []byte(detail)}
		if !isJSONObject(detail) {
			ev.Detail = []byte("{}")
		}
		d := &delivery{rule: ruleRecord{Name: "r"}, event: ev, eventJSON: eventJSON(ev)}
		doc, err := decodeJSON(d.eventJSON)
		if err != nil {
			t.Fatalf("event JSON does not decode: %v", err)
		}
		p.eval(doc)
		if _, err := transform(d, &InputTransformer{InputPathsMap: map[string]string{"state": path}, InputTemplate: tpl}); err != nil {
			t.Fatalf("transform: %v", err)
		}
	})
}

// FuzzEventJSON: whatever the event's strings hold, targets receive valid JSON.
func FuzzEventJSON(f *testing.F) {
	f.Add("src", "type \"q\"", "r\x00\xff", `{"a":1}`)
	f.Fuzz(func(t *testing.T, src, dt, res, detail string) {
		ev := eventbus.Event{Version: "0", ID: "i", Source: src, DetailType: dt, Resources: []string{res}, Detail: []byte(detail)}
		b := eventJSON(ev)
		if !json.Valid(b) {
			t.Fatalf("invalid JSON %q", b)
		}
		var back struct {
			Source     string   `json:"source"`
			DetailType string   `json:"detail-type"`
			Resources  []string `json:"resources"`
		}
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(src) && back.Source != src || utf8.ValidString(dt) && back.DetailType != dt {
			t.Fatalf("round trip %q %q -> %q %q", src, dt, back.Source, back.DetailType)
		}
	})
}
