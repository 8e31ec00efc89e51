package insights

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

type kind uint8

const (
	kNull kind = iota
	kNum
	kStr
	kBool
	kTime  // n = epoch millis
	kDur   // n = millis, s = unit for calendar units (mo, q, y)
	kRegex // a /regex/ literal used as a function argument
)

// Value is a dynamically typed query value.
type Value struct {
	k  kind
	n  float64
	s  string
	re *regexp.Regexp
}

func numV(f float64) Value { return Value{k: kNum, n: f} }
func strV(s string) Value  { return Value{k: kStr, s: s} }
func timeV(ms int64) Value { return Value{k: kTime, n: float64(ms)} }
func boolV(b bool) Value {
	if b {
		return Value{k: kBool, n: 1}
	}
	return Value{k: kBool}
}

var null = Value{}

func (v Value) present() bool { return v.k != kNull }

// num returns v as a number, parsing strings; ok is false when it is not one.
func (v Value) num() (float64, bool) {
	switch v.k {
	case kNum, kTime, kBool, kDur:
		return v.n, true
	case kStr:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
		if err != nil {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

func (v Value) truthy() bool {
	switch v.k {
	case kBool, kNum:
		return v.n != 0
	case kStr:
		return v.s != ""
	case kTime:
		return true
	}
	return false
}

const timeLayout = "2006-01-02 15:04:05.000"

// String is how GetQueryResults shows v.
func (v Value) String() string {
	switch v.k {
	case kNum:
		return formatNum(v.n)
	case kStr:
		return v.s
	case kBool:
		if v.n != 0 {
			return "1"
		}
		return "0"
	case kTime:
		return time.UnixMilli(int64(v.n)).UTC().Format(timeLayout)
	case kDur:
		return formatNum(v.n)
	case kRegex:
		return "/" + v.s + "/"
	}
	return ""
}

func formatNum(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// compare orders a and b: numerically when both are numbers (or numeric strings), else as
// strings. ok is false when either is absent.
func compare(a, b Value) (int, bool) {
	if !a.present() || !b.present() {
		return 0, false
	}
	if a.k != kStr || b.k != kStr {
		if x, ok := a.num(); ok {
			if y, ok := b.num(); ok {
				switch {
				case x < y:
					return -1, true
				case x > y:
					return 1, true
				}
				return 0, true
			}
		}
	}
	return strings.Compare(a.String(), b.String()), true
}

func parseDuration(s string) (Value, error) {
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || n <= 0 {
		return null, fmt.Errorf("invalid time period %q", s)
	}
	unit := s[i:]
	var ms float64
	switch unit {
	case "ms":
		ms = 1
	case "s", "sec", "secs", "second", "seconds":
		ms = 1000
	case "m", "min", "mins", "minute", "minutes":
		ms = 60e3
	case "h", "hr", "hrs", "hour", "hours":
		ms = 3600e3
	case "d", "day", "days":
		ms = 86400e3
	case "w", "week", "weeks":
		ms = 7 * 86400e3
	case "mo", "month", "months":
		return Value{k: kDur, n: n, s: "mo"}, nil
	case "q", "quarter", "quarters":
		return Value{k: kDur, n: n * 3, s: "mo"}, nil
	case "y", "year", "years":
		return Value{k: kDur, n: n * 12, s: "mo"}, nil
	default:
		return null, fmt.Errorf("invalid time unit %q in %q (use ms, s, m, h, d, w, mo, q or y)", unit, s)
	}
	return Value{k: kDur, n: n * ms}, nil
}

// floorTime rounds ms down to a multiple of the period d.
func floorTime(ms int64, d Value) int64 {
	if d.s == "mo" {
		t := time.UnixMilli(ms).UTC()
		months := t.Year()*12 + int(t.Month()) - 1
		step := int(d.n)
		if step < 1 {
			step = 1
		}
		months -= months % step
		return time.Date(months/12, time.Month(months%12+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	p := int64(d.n)
	if p <= 0 {
		return ms
	}
	r := ms % p
	if r < 0 {
		r += p
	}
	return ms - r
}

func ceilTime(ms int64, d Value) int64 {
	f := floorTime(ms, d)
	if f == ms {
		return ms
	}
	if d.s == "mo" {
		t := time.UnixMilli(f).UTC()
		return t.AddDate(0, int(d.n), 0).UnixMilli()
	}
	return f + int64(d.n)
}

func parseAddr(v Value) (netip.Addr, bool) {
	if v.k != kStr {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(strings.TrimSpace(v.s))
	return a, err == nil
}
