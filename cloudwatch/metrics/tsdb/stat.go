package tsdb

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// StatKind is the kind of a statistic.
type StatKind int

// The statistics CloudWatch computes.
const (
	SampleCount StatKind = iota + 1
	Sum
	Average
	Minimum
	Maximum
	Percentile     // pNN
	TrimmedMean    // tmNN, TM(a:b)
	WinsorizedMean // wmNN, WM(a:b)
	TrimmedCount   // tcNN, TC(a:b)
	TrimmedSum     // tsNN, TS(a:b)
	PercentileRank // PR(a:b)
)

// Stat is a parsed statistic name: a simple statistic (Average) or an extended one (p99,
// TM(10%:90%), PR(:300), IQM).
type Stat struct {
	Kind StatKind
	// Lo and Hi bound the values included; in percent (0-100) unless Abs.
	Lo, Hi float64
	Abs    bool
	Name   string // as given
}

// Simple reports whether the statistic is one of the five basic ones.
func (s Stat) Simple() bool { return s.Kind >= SampleCount && s.Kind <= Maximum }

// ErrBadStat is returned by ParseStat for a name that is not a statistic.
var ErrBadStat = errors.New("tsdb: invalid statistic")

// ParseStat parses a statistic name.
func ParseStat(name string) (Stat, error) {
	st := Stat{Name: name}
	switch name {
	case "SampleCount":
		st.Kind = SampleCount
		return st, nil
	case "Sum":
		st.Kind = Sum
		return st, nil
	case "Average":
		st.Kind = Average
		return st, nil
	case "Minimum":
		st.Kind = Minimum
		return st, nil
	case "Maximum":
		st.Kind = Maximum
		return st, nil
	}
	l := strings.ToLower(name)
	if l == "iqm" {
		st.Kind, st.Lo, st.Hi = TrimmedMean, 25, 75
		return st, nil
	}
	var prefix string
	switch {
	case strings.HasPrefix(l, "pr"):
		prefix, st.Kind = "pr", PercentileRank
	case strings.HasPrefix(l, "p"):
		prefix, st.Kind = "p", Percentile
	case strings.HasPrefix(l, "tm"):
		prefix, st.Kind = "tm", TrimmedMean
	case strings.HasPrefix(l, "wm"):
		prefix, st.Kind = "wm", WinsorizedMean
	case strings.HasPrefix(l, "tc"):
		prefix, st.Kind = "tc", TrimmedCount
	case strings.HasPrefix(l, "ts"):
		prefix, st.Kind = "ts", TrimmedSum
	default:
		return st, ErrBadStat
	}
	rest := l[len(prefix):]
	if st.Kind == Percentile {
		v, ok := parsePct(rest)
		if !ok {
			return st, ErrBadStat
		}
		st.Hi = v
		return st, nil
	}
	if !strings.HasPrefix(rest, "(") {
		if st.Kind == PercentileRank {
			return st, ErrBadStat
		}
		v, ok := parsePct(rest)
		if !ok {
			return st, ErrBadStat
		}
		st.Lo, st.Hi = 0, v
		return st, nil
	}
	if !strings.HasSuffix(rest, ")") {
		return st, ErrBadStat
	}
	lo, hi, ok := strings.Cut(rest[1:len(rest)-1], ":")
	if !ok || (lo == "" && hi == "") {
		return st, ErrBadStat
	}
	pctLo, pctHi := strings.HasSuffix(lo, "%"), strings.HasSuffix(hi, "%")
	st.Abs = !(pctLo || pctHi)
	if st.Kind == PercentileRank && !st.Abs {
		return st, ErrBadStat
	}
	if (lo != "" && hi != "" && pctLo != pctHi) || (lo == "" && !st.Abs && !pctHi) || (hi == "" && !st.Abs && !pctLo) {
		return st, ErrBadStat
	}
	parse := func(s string, def float64) (float64, bool) {
		if s == "" {
			return def, true
		}
		if st.Abs {
			v, err := strconv.ParseFloat(s, 64)
			return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
		}
		return parsePct(strings.TrimSuffix(s, "%"))
	}
	defLo, defHi := 0.0, 100.0
	if st.Abs {
		defLo, defHi = math.Inf(-1), math.Inf(1)
	}
	var okLo, okHi bool
	st.Lo, okLo = parse(lo, defLo)
	st.Hi, okHi = parse(hi, defHi)
	if !okLo || !okHi || st.Lo > st.Hi {
		return st, ErrBadStat
	}
	return st, nil
}

func parsePct(s string) (float64, bool) {
	if s == "" || len(s) > 6 || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 2 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 100 {
		return 0, false
	}
	return v, true
}

// Agg is the aggregate of the values in one period.
type Agg struct {
	N, Sum, Min, Max float64
	// NoDist is set when part of the data came as statistic sets without their values, so
	// extended statistics cannot be computed.
	NoDist bool
	acc    acc
	sorted []WV
	exact  bool
	done   bool
}

// Values returns the sorted (value, weight) pairs of the period and whether they are exact
// (false: approximated to within about 1% by a sketch).
func (a *Agg) Values() ([]WV, bool) {
	if !a.done {
		a.sorted, a.exact = a.acc.sorted()
		a.acc = acc{}
		a.done = true
	}
	return a.sorted, a.exact
}

// Value computes the statistic; ok is false when it cannot be computed for this period
// (no samples, or an extended statistic over statistic sets).
func (a *Agg) Value(st Stat) (float64, bool) {
	if a.N <= 0 {
		return 0, false
	}
	switch st.Kind {
	case SampleCount:
		return a.N, true
	case Sum:
		return a.Sum, true
	case Average:
		return a.Sum / a.N, true
	case Minimum:
		return a.Min, true
	case Maximum:
		return a.Max, true
	}
	if a.NoDist {
		return 0, false
	}
	vals, _ := a.Values()
	var total float64
	for _, p := range vals {
		total += p.W
	}
	if total <= 0 {
		return 0, false
	}
	clamp := func(v float64) float64 { return math.Min(a.Max, math.Max(a.Min, v)) }
	if st.Kind == Percentile {
		return clamp(quantile(vals, total, st.Hi/100)), true
	}
	if st.Kind == PercentileRank {
		var in float64
		for _, p := range vals {
			if p.V > st.Lo && p.V <= st.Hi {
				in += p.W
			}
		}
		return 100 * in / total, true
	}
	// Trimmed/winsorized statistics: weight of each value inside the window.
	var sumIn, wIn, wSum float64
	if st.Abs {
		for _, p := range vals {
			if p.V > st.Lo && p.V <= st.Hi {
				sumIn += p.V * p.W
				wIn += p.W
			}
		}
	} else {
		loW, hiW := total*st.Lo/100, total*st.Hi/100
		var cum float64
		for _, p := range vals {
			a0, a1 := cum, cum+p.W
			cum = a1
			in := math.Min(a1, hiW) - math.Max(a0, loW)
			if in > 0 {
				sumIn += p.V * in
				wIn += in
			}
		}
	}
	switch st.Kind {
	case TrimmedCount:
		return wIn, true
	case TrimmedSum:
		return sumIn, true
	case TrimmedMean:
		if wIn == 0 {
			return 0, false
		}
		return clamp(sumIn / wIn), true
	case WinsorizedMean:
		var lo, hi float64
		if st.Abs {
			lo, hi = st.Lo, st.Hi
		} else {
			lo, hi = quantile(vals, total, st.Lo/100), quantile(vals, total, st.Hi/100)
		}
		for _, p := range vals {
			wSum += math.Min(hi, math.Max(lo, p.V)) * p.W
		}
		return clamp(wSum / total), true
	}
	return 0, false
}

// quantile is the nearest-rank quantile q (0..1) of sorted weighted values.
func quantile(vals []WV, total, q float64) float64 {
	if q <= 0 {
		return vals[0].V
	}
	rank := q * total
	var cum float64
	for _, p := range vals {
		cum += p.W
		if cum >= rank-1e-9 {
			return p.V
		}
	}
	return vals[len(vals)-1].V
}
