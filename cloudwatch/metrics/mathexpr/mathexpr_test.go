package mathexpr_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/metrics/mathexpr"
)

func ser(label string, period int64, pts ...float64) *mathexpr.Series {
	s := &mathexpr.Series{Label: label, Period: period}
	for i := 0; i+1 < len(pts); i += 2 {
		s.Times = append(s.Times, int64(pts[i]))
		s.Values = append(s.Values, pts[i+1])
	}
	return s
}

func env() *mathexpr.Env {
	m1 := ser("m1", 60, 0, 1, 60, 2, 120, 4, 240, 8)
	m2 := ser("m2", 60, 0, 10, 60, 0, 120, 30, 180, 40)
	ids := map[string]*mathexpr.Series{"m1": m1, "m2": m2}
	return &mathexpr.Env{Start: 0, End: 300, Period: 60,
		Lookup: func(id string) (mathexpr.Value, error) {
			s, ok := ids[id]
			if !ok {
				return mathexpr.Value{}, fmt.Errorf("unknown %s", id)
			}
			return mathexpr.Value{Kind: mathexpr.TimeSeries, Series: []*mathexpr.Series{s}}, nil
		},
		Metrics: func() []*mathexpr.Series { return []*mathexpr.Series{m1, m2} },
	}
}

func TestEval(t *testing.T) {
	cases := []struct {
		expr   string
		times  []int64
		values []float64
		scalar *float64
	}{
		{expr: "m1 + m2", times: []int64{0, 60, 120}, values: []float64{11, 2, 34}},
		{expr: "m2 / m1", times: []int64{0, 60, 120}, values: []float64{10, 0, 7.5}},
		{expr: "m1 / m2", times: []int64{0, 120}, values: []float64{0.1, 4.0 / 30}},
		{expr: "m1 * 2 ^ 2", times: []int64{0, 60, 120, 240}, values: []float64{4, 8, 16, 32}},
		{expr: "-m1 + 1", times: []int64{0, 60, 120, 240}, values: []float64{0, -1, -3, -7}},
		{expr: "SUM(METRICS())", times: []int64{0, 60, 120, 180, 240}, values: []float64{11, 2, 34, 40, 8}},
		{expr: "AVG([m1, m2])", times: []int64{0, 60, 120, 180, 240}, values: []float64{5.5, 1, 17, 40, 8}},
		{expr: "MAX([m1, m2])", times: []int64{0, 60, 120, 180, 240}, values: []float64{10, 2, 30, 40, 8}},
		{expr: "MIN(METRICS('m2'))", times: []int64{0, 60, 120, 180}, values: []float64{10, 0, 30, 40}},
		{expr: "FILL(m1, 0)", times: []int64{0, 60, 120, 180, 240}, values: []float64{1, 2, 4, 0, 8}},
		{expr: "FILL(m1, REPEAT)", times: []int64{0, 60, 120, 180, 240}, values: []float64{1, 2, 4, 4, 8}},
		{expr: "FILL(m1, LINEAR)", times: []int64{0, 60, 120, 180, 240}, values: []float64{1, 2, 4, 6, 8}},
		{expr: "RATE(m1)", times: []int64{60, 120, 240}, values: []float64{1.0 / 60, 2.0 / 60, 4.0 / 120}},
		{expr: "DIFF(m1)", times: []int64{60, 120, 240}, values: []float64{1, 2, 4}},
		{expr: "DIFF_TIME(m1)", times: []int64{60, 120, 240}, values: []float64{60, 60, 120}},
		{expr: "IF(m1 > 2, m1, 0)", times: []int64{0, 60, 120, 240}, values: []float64{0, 0, 4, 8}},
		{expr: "IF(m1 >= 2 AND m1 < 8, 1)", times: []int64{60, 120}, values: []float64{1, 1}},
		{expr: "IF(m1 == 1 || m1 == 8, m2)", times: []int64{0}, values: []float64{10}},
		{expr: "ABS(m1 - 3)", times: []int64{0, 60, 120, 240}, values: []float64{2, 1, 1, 5}},
		{expr: "RUNNING_SUM(m1)", times: []int64{0, 60, 120, 240}, values: []float64{1, 3, 7, 15}},
		{expr: "PERIOD(m1)", times: []int64{0, 60, 120, 240}, values: []float64{60, 60, 60, 60}},
		{expr: "TIME_SERIES(5)", times: []int64{0, 60, 120, 180, 240}, values: []float64{5, 5, 5, 5, 5}},
		{expr: "SUM(m1)", scalar: ptr(15.0)},
		{expr: "MAX(m1) / 2", scalar: ptr(4.0)},
		{expr: "STDDEV(m2)", scalar: ptr(math.Sqrt(250))},
		{expr: "(1 + 2) * 3", scalar: ptr(9.0)},
	}
	for _, c := range cases {
		n, err := mathexpr.Parse(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		v, err := mathexpr.Eval(n, env())
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if c.scalar != nil {
			if v.Kind != mathexpr.Scalar || math.Abs(v.Scalar-*c.scalar) > 1e-9 {
				t.Errorf("%s = %+v, want %v", c.expr, v, *c.scalar)
			}
			continue
		}
		if v.Kind == mathexpr.Scalar || len(v.Series) != 1 {
			t.Fatalf("%s: kind %v, %d series", c.expr, v.Kind, len(v.Series))
		}
		s := v.Series[0]
		if !slices.Equal(s.Times, c.times) || len(s.Values) != len(c.values) {
			t.Errorf("%s: times %v values %v; want %v %v", c.expr, s.Times, s.Values, c.times, c.values)
			continue
		}
		for i := range s.Values {
			if math.Abs(s.Values[i]-c.values[i]) > 1e-9 {
				t.Errorf("%s: values %v; want %v", c.expr, s.Values, c.values)
				break
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"", "m1 +", "FOO(m1)", "(m1", "m1 m2", "M1", "[m1,", "'abc", "m1 # 2", "SUM(m1, m2)", "1..2", "AND"} {
		n, err := mathexpr.Parse(bad)
		if err == nil {
			if _, err = mathexpr.Eval(n, env()); err == nil {
				t.Errorf("%q: no error", bad)
			}
		}
	}
}

func TestRefs(t *testing.T) {
	n, _ := mathexpr.Parse("IF(e1 > 0, m1 + m2, m1) / SUM(METRICS())")
	if got := mathexpr.Refs(n); !slices.Equal(got, []string{"e1", "m1", "m2"}) {
		t.Errorf("Refs = %v", got)
	}
	if !mathexpr.UsesMetrics(n) {
		t.Error("UsesMetrics = false")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"m1+m2", "SUM(METRICS())", "FILL(m1, REPEAT)", "IF(m1 > 10 AND m2 < 3, 1, 0)", "[m1, m2] * 2", "-(-m1)^2", "METRICS('x')", "RATE(DIFF(m1))/PERIOD(m1)", "((((((m1))))))", "1e309", "LOG10(ABS(m1 - 1.5e3))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := mathexpr.Parse(s)
		if err != nil {
			return
		}
		// A parsed expression re-parses from its printed form and evaluates without panicking.
		if _, err := mathexpr.Parse(n.String()); err != nil && len(n.String()) <= 2048 {
			t.Fatalf("reparse %q (from %q): %v", n.String(), s, err)
		}
		_, _ = mathexpr.Eval(n, env())
	})
}
