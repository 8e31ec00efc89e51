package mathexpr

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Series is a time series: Times (Unix seconds, ascending) and Values of equal length.
type Series struct {
	Label  string
	Times  []int64
	Values []float64
	Period int64
	// Props are the metric's properties for dynamic labels (MetricName, Namespace, Stat,
	// Period, Dim.<name>), when the series is a metric.
	Props map[string]string
}

// Kind is the kind of a Value.
type Kind int

// Value kinds.
const (
	Scalar Kind = iota + 1
	TimeSeries
	SeriesArray
)

// Value is the result of an expression.
type Value struct {
	Kind   Kind
	Scalar float64
	Series []*Series // one for TimeSeries
}

// Env is what an evaluation reads: the time range and the other queries.
type Env struct {
	Start, End int64 // Unix seconds, [Start, End)
	Period     int64 // default period for series made from scalars
	// Lookup returns the value of another query by Id.
	Lookup func(id string) (Value, error)
	// Metrics returns the metric (MetricStat) series of the request, for METRICS().
	Metrics func() []*Series
}

type fnInfo struct{ min, max int }

var functions = map[string]fnInfo{
	"ABS": {1, 1}, "CEIL": {1, 1}, "FLOOR": {1, 1}, "LOG": {1, 1}, "LOG10": {1, 1}, "SQRT": {1, 1},
	"SUM": {1, 1}, "AVG": {1, 1}, "MIN": {1, 1}, "MAX": {1, 1}, "STDDEV": {1, 1},
	"METRICS": {0, 1}, "FILL": {2, 2}, "RATE": {1, 1}, "DIFF": {1, 1}, "DIFF_TIME": {1, 1},
	"PERIOD": {1, 1}, "RUNNING_SUM": {1, 1}, "IF": {2, 3}, "REMOVE_EMPTY": {1, 1},
	"FIRST": {1, 1}, "LAST": {1, 1}, "TIME_SERIES": {1, 1},
}

func errf(format string, args ...any) error { return &Error{-1, fmt.Sprintf(format, args...)} }

// Eval evaluates n in env.
func Eval(n Node, env *Env) (Value, error) {
	switch n := n.(type) {
	case *Num:
		return Value{Kind: Scalar, Scalar: n.V}, nil
	case *Ref:
		if env.Lookup == nil {
			return Value{}, errf("Unknown id %q", n.ID)
		}
		return env.Lookup(n.ID)
	case *Str:
		return Value{}, errf("unexpected string %q", n.V)
	case *Keyword:
		return Value{}, errf("unexpected %s", n.Name)
	case *Array:
		out := Value{Kind: SeriesArray}
		for _, e := range n.Elems {
			v, err := Eval(e, env)
			if err != nil {
				return Value{}, err
			}
			switch v.Kind {
			case Scalar:
				return Value{}, errf("array elements must be time series")
			default:
				out.Series = append(out.Series, v.Series...)
			}
		}
		return out, nil
	case *Unary:
		x, err := Eval(n.X, env)
		if err != nil {
			return Value{}, err
		}
		if n.Op == "-" {
			return mapValue(x, func(v float64) (float64, bool) { return -v, true }), nil
		}
		return mapValue(x, func(v float64) (float64, bool) { return b2f(v == 0), true }), nil
	case *Binary:
		x, err := Eval(n.X, env)
		if err != nil {
			return Value{}, err
		}
		y, err := Eval(n.Y, env)
		if err != nil {
			return Value{}, err
		}
		return binary(n.Op, x, y)
	case *Call:
		return call(n, env)
	}
	return Value{}, errf("invalid expression")
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func applyOp(op string, a, b float64) (float64, bool) {
	switch op {
	case "+":
		return a + b, true
	case "-":
		return a - b, true
	case "*":
		return a * b, true
	case "/":
		if b == 0 {
			return 0, false
		}
		return a / b, true
	case "^":
		r := math.Pow(a, b)
		return r, !math.IsNaN(r) && !math.IsInf(r, 0)
	case "==":
		return b2f(a == b), true
	case "!=":
		return b2f(a != b), true
	case "<":
		return b2f(a < b), true
	case ">":
		return b2f(a > b), true
	case "<=":
		return b2f(a <= b), true
	case ">=":
		return b2f(a >= b), true
	case "AND":
		return b2f(a != 0 && b != 0), true
	case "OR":
		return b2f(a != 0 || b != 0), true
	}
	return 0, false
}

func mapSeries(s *Series, f func(float64) (float64, bool)) *Series {
	out := &Series{Label: s.Label, Period: s.Period, Props: s.Props, Times: make([]int64, 0, len(s.Times)), Values: make([]float64, 0, len(s.Values))}
	for i, v := range s.Values {
		if r, ok := f(v); ok && !math.IsNaN(r) && !math.IsInf(r, 0) {
			out.Times = append(out.Times, s.Times[i])
			out.Values = append(out.Values, r)
		}
	}
	return out
}

func mapValue(x Value, f func(float64) (float64, bool)) Value {
	if x.Kind == Scalar {
		r, ok := f(x.Scalar)
		if !ok {
			r = math.NaN()
		}
		return Value{Kind: Scalar, Scalar: r}
	}
	out := Value{Kind: x.Kind}
	for _, s := range x.Series {
		out.Series = append(out.Series, mapSeries(s, f))
	}
	return out
}

// join combines two series on the timestamps both have.
func join(a, b *Series, f func(x, y float64) (float64, bool)) *Series {
	out := &Series{Label: a.Label, Period: a.Period, Props: a.Props}
	i, j := 0, 0
	for i < len(a.Times) && j < len(b.Times) {
		switch {
		case a.Times[i] < b.Times[j]:
			i++
		case a.Times[i] > b.Times[j]:
			j++
		default:
			if r, ok := f(a.Values[i], b.Values[j]); ok && !math.IsNaN(r) && !math.IsInf(r, 0) {
				out.Times = append(out.Times, a.Times[i])
				out.Values = append(out.Values, r)
			}
			i++
			j++
		}
	}
	return out
}

func binary(op string, x, y Value) (Value, error) {
	f := func(a, b float64) (float64, bool) { return applyOp(op, a, b) }
	switch {
	case x.Kind == Scalar && y.Kind == Scalar:
		r, ok := f(x.Scalar, y.Scalar)
		if !ok {
			r = math.NaN()
		}
		return Value{Kind: Scalar, Scalar: r}, nil
	case x.Kind == Scalar:
		return mapValue(y, func(b float64) (float64, bool) { return f(x.Scalar, b) }), nil
	case y.Kind == Scalar:
		return mapValue(x, func(a float64) (float64, bool) { return f(a, y.Scalar) }), nil
	case x.Kind == TimeSeries && y.Kind == TimeSeries:
		return Value{Kind: TimeSeries, Series: []*Series{join(x.Series[0], y.Series[0], f)}}, nil
	case x.Kind == SeriesArray && y.Kind == TimeSeries:
		out := Value{Kind: SeriesArray}
		for _, s := range x.Series {
			out.Series = append(out.Series, join(s, y.Series[0], f))
		}
		return out, nil
	case x.Kind == TimeSeries && y.Kind == SeriesArray:
		out := Value{Kind: SeriesArray}
		for _, s := range y.Series {
			j := join(x.Series[0], s, f)
			j.Label, j.Props = s.Label, s.Props
			out.Series = append(out.Series, j)
		}
		return out, nil
	}
	return Value{}, errf("the operator %s cannot combine two arrays of time series", op)
}

func argSeries(v Value, fn string) ([]*Series, error) {
	if v.Kind == Scalar {
		return nil, errf("%s expects a time series or an array of time series", fn)
	}
	return v.Series, nil
}

func call(n *Call, env *Env) (Value, error) {
	info := functions[n.Fn]
	if len(n.Args) < info.min || len(n.Args) > info.max {
		return Value{}, errf("%s takes %d to %d arguments, got %d", n.Fn, info.min, info.max, len(n.Args))
	}
	if n.Fn == "METRICS" {
		filter := ""
		if len(n.Args) == 1 {
			s, ok := n.Args[0].(*Str)
			if !ok {
				return Value{}, errf("METRICS takes a string filter")
			}
			filter = s.V
		}
		out := Value{Kind: SeriesArray}
		if env.Metrics != nil {
			for _, s := range env.Metrics() {
				if filter == "" || strings.Contains(s.Label, filter) {
					out.Series = append(out.Series, s)
				}
			}
		}
		return out, nil
	}
	if n.Fn == "FILL" {
		x, err := Eval(n.Args[0], env)
		if err != nil {
			return Value{}, err
		}
		ss, err := argSeries(x, n.Fn)
		if err != nil {
			return Value{}, err
		}
		mode, fillv := "", 0.0
		switch a := n.Args[1].(type) {
		case *Keyword:
			mode = a.Name
		default:
			v, err := Eval(a, env)
			if err != nil {
				return Value{}, err
			}
			if v.Kind != Scalar {
				return Value{}, errf("FILL takes a number, REPEAT or LINEAR")
			}
			fillv = v.Scalar
		}
		out := Value{Kind: x.Kind}
		for _, s := range ss {
			out.Series = append(out.Series, fill(s, env, mode, fillv))
		}
		return out, nil
	}
	if n.Fn == "IF" {
		c, err := Eval(n.Args[0], env)
		if err != nil {
			return Value{}, err
		}
		a, err := Eval(n.Args[1], env)
		if err != nil {
			return Value{}, err
		}
		var b *Value
		if len(n.Args) == 3 {
			bv, err := Eval(n.Args[2], env)
			if err != nil {
				return Value{}, err
			}
			b = &bv
		}
		return ifValue(c, a, b, env)
	}
	x, err := Eval(n.Args[0], env)
	if err != nil {
		return Value{}, err
	}
	switch n.Fn {
	case "ABS":
		return mapValue(x, func(v float64) (float64, bool) { return math.Abs(v), true }), nil
	case "CEIL":
		return mapValue(x, func(v float64) (float64, bool) { return math.Ceil(v), true }), nil
	case "FLOOR":
		return mapValue(x, func(v float64) (float64, bool) { return math.Floor(v), true }), nil
	case "LOG":
		return mapValue(x, func(v float64) (float64, bool) { return math.Log(v), v > 0 }), nil
	case "LOG10":
		return mapValue(x, func(v float64) (float64, bool) { return math.Log10(v), v > 0 }), nil
	case "SQRT":
		return mapValue(x, func(v float64) (float64, bool) { return math.Sqrt(v), v >= 0 }), nil
	case "SUM", "AVG", "MIN", "MAX", "STDDEV":
		return aggregate(n.Fn, x)
	case "TIME_SERIES":
		if x.Kind != Scalar {
			return Value{}, errf("TIME_SERIES takes a number")
		}
		p := max(env.Period, 1)
		s := &Series{Period: p}
		for t := env.Start - mod(env.Start, p); t < env.End; t += p {
			if t >= env.Start {
				s.Times = append(s.Times, t)
				s.Values = append(s.Values, x.Scalar)
			}
		}
		return Value{Kind: TimeSeries, Series: []*Series{s}}, nil
	}
	ss, err := argSeries(x, n.Fn)
	if err != nil {
		return Value{}, err
	}
	switch n.Fn {
	case "REMOVE_EMPTY":
		out := Value{Kind: SeriesArray}
		for _, s := range ss {
			if len(s.Times) > 0 {
				out.Series = append(out.Series, s)
			}
		}
		return out, nil
	case "FIRST", "LAST":
		if len(ss) == 0 {
			return Value{Kind: SeriesArray}, nil
		}
		s := ss[0]
		if n.Fn == "LAST" {
			s = ss[len(ss)-1]
		}
		return Value{Kind: TimeSeries, Series: []*Series{s}}, nil
	}
	out := Value{Kind: x.Kind}
	for _, s := range ss {
		r := &Series{Label: s.Label, Period: s.Period, Props: s.Props}
		var acc float64
		for i, t := range s.Times {
			var v float64
			switch n.Fn {
			case "RATE", "DIFF", "DIFF_TIME":
				if i == 0 {
					continue
				}
				dt := float64(t - s.Times[i-1])
				switch n.Fn {
				case "RATE":
					v = (s.Values[i] - s.Values[i-1]) / dt
				case "DIFF":
					v = s.Values[i] - s.Values[i-1]
				default:
					v = dt
				}
			case "PERIOD":
				v = float64(s.Period)
			case "RUNNING_SUM":
				acc += s.Values[i]
				v = acc
			}
			r.Times = append(r.Times, t)
			r.Values = append(r.Values, v)
		}
		out.Series = append(out.Series, r)
	}
	return out, nil
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func fill(s *Series, env *Env, mode string, v float64) *Series {
	p := s.Period
	if p <= 0 {
		p = max(env.Period, 1)
	}
	start := env.Start - mod(env.Start, p)
	if start < env.Start {
		start += p
	}
	if len(s.Times) > 0 && s.Times[0] < start {
		start = s.Times[0] - (s.Times[0]-start)/p*p
	}
	out := &Series{Label: s.Label, Period: s.Period, Props: s.Props}
	if env.End <= start || (env.End-start)/p > 1_000_000 {
		return s
	}
	j := 0
	for t := start; t < env.End; t += p {
		for j < len(s.Times) && s.Times[j] < t {
			j++
		}
		if j < len(s.Times) && s.Times[j] == t {
			out.Times = append(out.Times, t)
			out.Values = append(out.Values, s.Values[j])
			continue
		}
		switch mode {
		case "REPEAT":
			if j > 0 {
				out.Times = append(out.Times, t)
				out.Values = append(out.Values, s.Values[j-1])
			} else if j < len(s.Times) {
				out.Times = append(out.Times, t)
				out.Values = append(out.Values, s.Values[j])
			}
		case "LINEAR":
			if j > 0 && j < len(s.Times) {
				t0, t1 := s.Times[j-1], s.Times[j]
				v0, v1 := s.Values[j-1], s.Values[j]
				out.Times = append(out.Times, t)
				out.Values = append(out.Values, v0+(v1-v0)*float64(t-t0)/float64(t1-t0))
			}
		default:
			out.Times = append(out.Times, t)
			out.Values = append(out.Values, v)
		}
	}
	return out
}

func aggregate(fn string, x Value) (Value, error) {
	agg := func(vs []float64) float64 {
		switch fn {
		case "SUM":
			var s float64
			for _, v := range vs {
				s += v
			}
			return s
		case "AVG":
			var s float64
			for _, v := range vs {
				s += v
			}
			return s / float64(len(vs))
		case "MIN":
			return slices.Min(vs)
		case "MAX":
			return slices.Max(vs)
		}
		var s, sq float64
		for _, v := range vs {
			s += v
		}
		mean := s / float64(len(vs))
		for _, v := range vs {
			sq += (v - mean) * (v - mean)
		}
		return math.Sqrt(sq / float64(len(vs)))
	}
	switch x.Kind {
	case Scalar:
		return x, nil
	case TimeSeries:
		s := x.Series[0]
		if len(s.Values) == 0 {
			return Value{Kind: Scalar, Scalar: math.NaN()}, nil
		}
		return Value{Kind: Scalar, Scalar: agg(s.Values)}, nil
	}
	// An array: one value per timestamp across the series.
	byT := map[int64][]float64{}
	var period int64
	for _, s := range x.Series {
		if period == 0 {
			period = s.Period
		}
		for i, t := range s.Times {
			byT[t] = append(byT[t], s.Values[i])
		}
	}
	out := &Series{Period: period}
	for t := range byT {
		out.Times = append(out.Times, t)
	}
	slices.Sort(out.Times)
	for _, t := range out.Times {
		out.Values = append(out.Values, agg(byT[t]))
	}
	return Value{Kind: TimeSeries, Series: []*Series{out}}, nil
}

func ifValue(c, a Value, b *Value, env *Env) (Value, error) {
	if c.Kind == Scalar {
		if c.Scalar != 0 {
			return a, nil
		}
		if b == nil {
			return Value{Kind: TimeSeries, Series: []*Series{{Period: env.Period}}}, nil
		}
		return *b, nil
	}
	pick := func(cs *Series) *Series {
		out := &Series{Label: cs.Label, Period: cs.Period, Props: cs.Props}
		valAt := func(v *Value, t int64, idx int) (float64, bool) {
			if v == nil {
				return 0, false
			}
			if v.Kind == Scalar {
				return v.Scalar, true
			}
			s := v.Series[0]
			if idx < len(v.Series) {
				s = v.Series[idx]
			}
			i, ok := slices.BinarySearch(s.Times, t)
			if !ok {
				return 0, false
			}
			return s.Values[i], true
		}
		for i, t := range cs.Times {
			var r float64
			var ok bool
			if cs.Values[i] != 0 {
				r, ok = valAt(&a, t, 0)
			} else {
				r, ok = valAt(b, t, 0)
			}
			if ok {
				out.Times = append(out.Times, t)
				out.Values = append(out.Values, r)
			}
		}
		return out
	}
	out := Value{Kind: c.Kind}
	for _, cs := range c.Series {
		out.Series = append(out.Series, pick(cs))
	}
	if (a.Kind == SeriesArray || (b != nil && b.Kind == SeriesArray)) && c.Kind == TimeSeries {
		return Value{}, errf("IF with an array of time series needs an array condition")
	}
	return out, nil
}
