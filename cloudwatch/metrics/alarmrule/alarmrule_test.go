package alarmrule_test

import (
	"slices"
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/metrics/alarmrule"
)

func TestParseEval(t *testing.T) {
	states := map[string]string{"cpu": "ALARM", "mem": "OK", "disk high": "INSUFFICIENT_DATA",
		"arn:aws:cloudwatch:us-east-1:000000000000:alarm:net": "ALARM"}
	state := func(a string) string { return states[a] }
	cases := []struct {
		rule string
		want bool
		refs []string
	}{
		{"TRUE", true, nil},
		{"FALSE", false, nil},
		{"ALARM(cpu)", true, []string{"cpu"}},
		{`ALARM("cpu") AND OK("mem")`, true, []string{"cpu", "mem"}},
		{`ALARM(cpu) AND ALARM(mem)`, false, nil},
		{`ALARM(cpu) AND NOT ALARM(mem)`, true, nil},
		{`(ALARM(mem) OR INSUFFICIENT_DATA("disk high")) AND TRUE`, true, nil},
		{`ALARM(mem) OR ALARM(cpu) AND FALSE`, false, nil},
		{`NOT NOT ALARM(cpu)`, true, nil},
		{`ALARM(arn:aws:cloudwatch:us-east-1:000000000000:alarm:net)`, true, nil},
		{`ALARM(unknown)`, false, nil},
		{`alarm(cpu) and ok(mem)`, true, nil},
		{`ALARM("a \"quoted\" name")`, false, []string{`a "quoted" name`}},
	}
	for _, c := range cases {
		r, err := alarmrule.Parse(c.rule)
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		if got := r.Eval(state); got != c.want {
			t.Errorf("%s = %v, want %v", c.rule, got, c.want)
		}
		if c.refs != nil && !slices.Equal(r.Alarms(), c.refs) {
			t.Errorf("%s: alarms %v, want %v", c.rule, r.Alarms(), c.refs)
		}
		r2, err := alarmrule.Parse(r.String())
		if err != nil || r2.String() != r.String() {
			t.Errorf("%s: reparse of %q: %v", c.rule, r.String(), err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"", "ALARM", "ALARM()", "ALARM(cpu", "ALARM(cpu) AND", "FOO(cpu)", "(TRUE", "TRUE FALSE", `ALARM("x)`, "NOT", "ALARM(cpu) XOR OK(mem)"} {
		if _, err := alarmrule.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"TRUE", `ALARM("cpu") AND OK(mem)`, "NOT (ALARM(a) OR INSUFFICIENT_DATA(b))", "((((FALSE))))", `ALARM("a\"b")`, "alarm(x) or not ok(y)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := alarmrule.Parse(s)
		if err != nil {
			return
		}
		r2, err := alarmrule.Parse(r.String())
		if err != nil {
			t.Fatalf("reparse %q: %v", r.String(), err)
		}
		if r2.String() != r.String() {
			t.Fatalf("not canonical: %q vs %q", r.String(), r2.String())
		}
		st := func(string) string { return "ALARM" }
		if r.Eval(st) != r2.Eval(st) {
			t.Fatal("eval differs after reparse")
		}
	})
}
