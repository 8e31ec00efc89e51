package insights

import (
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"
)

type expr interface{ eval(r *row) Value }

// System fields.
const (
	sysNone = iota
	sysTimestamp
	sysMessage
	sysLogStream
	sysLog
	sysIngestionTime
	sysPtr
	sysLogGroup // not an AWS field name; "@log" carries account:group
)

var sysFields = map[string]int{
	"@timestamp":     sysTimestamp,
	"@message":       sysMessage,
	"@logStream":     sysLogStream,
	"@log":           sysLog,
	"@ingestionTime": sysIngestionTime,
	"@ptr":           sysPtr,
}

type fieldExpr struct {
	name string
	sys  int
}

func newField(name string) *fieldExpr { return &fieldExpr{name: name, sys: sysFields[name]} }

func (f *fieldExpr) eval(r *row) Value { return r.get(f.name, f.sys) }

type litExpr struct{ v Value }

func (l *litExpr) eval(*row) Value { return l.v }

type logicExpr struct {
	or   bool
	l, r expr
}

func (e *logicExpr) eval(r *row) Value {
	a := e.l.eval(r).truthy()
	if e.or {
		return boolV(a || e.r.eval(r).truthy())
	}
	return boolV(a && e.r.eval(r).truthy())
}

type notOp struct{ e expr }

func (e *notOp) eval(r *row) Value { return boolV(!e.e.eval(r).truthy()) }

type cmpExpr struct {
	op   string
	l, r expr
}

func (e *cmpExpr) eval(r *row) Value {
	c, ok := compare(e.l.eval(r), e.r.eval(r))
	if !ok {
		return boolV(false)
	}
	switch e.op {
	case "=":
		return boolV(c == 0)
	case "!=":
		return boolV(c != 0)
	case "<":
		return boolV(c < 0)
	case "<=":
		return boolV(c <= 0)
	case ">":
		return boolV(c > 0)
	case ">=":
		return boolV(c >= 0)
	}
	return boolV(false)
}

type likeExpr struct {
	e   expr
	sub string
	re  *regexp.Regexp
	neg bool
}

func (e *likeExpr) eval(r *row) Value {
	v := e.e.eval(r)
	if !v.present() {
		return boolV(false)
	}
	s := v.String()
	var m bool
	if e.re != nil {
		m = e.re.MatchString(s)
	} else {
		m = strings.Contains(s, e.sub)
	}
	return boolV(m != e.neg)
}

type inExpr struct {
	e    expr
	list []expr
	neg  bool
}

func (e *inExpr) eval(r *row) Value {
	v := e.e.eval(r)
	if !v.present() {
		return boolV(false)
	}
	found := false
	for _, x := range e.list {
		if c, ok := compare(v, x.eval(r)); ok && c == 0 {
			found = true
			break
		}
	}
	return boolV(found != e.neg)
}

type arithExpr struct {
	op   byte
	l, r expr
}

func (e *arithExpr) eval(r *row) Value {
	a, b := e.l.eval(r), e.r.eval(r)
	x, ok1 := a.num()
	y, ok2 := b.num()
	if !ok1 || !ok2 {
		return null
	}
	var z float64
	switch e.op {
	case '+':
		z = x + y
	case '-':
		z = x - y
	case '*':
		z = x * y
	case '/':
		if y == 0 {
			return null
		}
		z = x / y
	case '%':
		if y == 0 {
			return null
		}
		z = math.Mod(x, y)
	case '^':
		z = math.Pow(x, y)
	}
	// time +/- number stays a time
	if a.k == kTime && (e.op == '+' || e.op == '-') && b.k != kTime {
		return timeV(int64(z))
	}
	return numV(z)
}

type callExpr struct {
	name string
	fn   func(args []Value) Value
	args []expr
}

func (c *callExpr) eval(r *row) Value {
	var buf [4]Value
	args := buf[:0]
	for _, a := range c.args {
		args = append(args, a.eval(r))
	}
	return c.fn(args)
}

// aggExpr is an aggregate call inside stats; at output time it reads the group's result.
type aggExpr struct {
	fn   string
	args []expr
	idx  int
}

func (a *aggExpr) eval(r *row) Value {
	if r.aggs == nil || a.idx >= len(r.aggs) {
		return null
	}
	return r.aggs[a.idx]
}

func containsAgg(e expr) bool {
	switch x := e.(type) {
	case *aggExpr:
		return true
	case *logicExpr:
		return containsAgg(x.l) || containsAgg(x.r)
	case *notOp:
		return containsAgg(x.e)
	case *cmpExpr:
		return containsAgg(x.l) || containsAgg(x.r)
	case *arithExpr:
		return containsAgg(x.l) || containsAgg(x.r)
	case *likeExpr:
		return containsAgg(x.e)
	case *inExpr:
		return containsAgg(x.e)
	case *callExpr:
		for _, a := range x.args {
			if containsAgg(a) {
				return true
			}
		}
	}
	return false
}

// ---- functions ----

type function struct {
	minArgs, maxArgs int // maxArgs -1: variadic
	fn               func(args []Value) Value
}

func strFn(f func(string) Value) func([]Value) Value {
	return func(a []Value) Value {
		if !a[0].present() {
			return null
		}
		return f(a[0].String())
	}
}

func numFn(f func(float64) float64) func([]Value) Value {
	return func(a []Value) Value {
		x, ok := a[0].num()
		if !ok {
			return null
		}
		z := f(x)
		if math.IsNaN(z) {
			return null
		}
		return numV(z)
	}
}

func timeArg(v Value) (int64, bool) {
	switch v.k {
	case kTime, kNum:
		return int64(v.n), true
	case kStr:
		if t, err := time.Parse(timeLayout, v.s); err == nil {
			return t.UnixMilli(), true
		}
		if t, err := time.Parse(time.RFC3339Nano, v.s); err == nil {
			return t.UnixMilli(), true
		}
		if f, ok := v.num(); ok {
			return int64(f), true
		}
	}
	return 0, false
}

func subnetFn(want func(netip.Addr) bool) func([]Value) Value {
	return func(a []Value) Value {
		ip, ok := parseAddr(a[0])
		if !ok || !want(ip) || a[1].k != kStr {
			return boolV(false)
		}
		pfx, err := netip.ParsePrefix(strings.TrimSpace(a[1].s))
		if err != nil {
			return boolV(false)
		}
		return boolV(pfx.Contains(ip.Unmap()))
	}
}

var functions = map[string]function{
	// string
	"strlen":      {1, 1, strFn(func(s string) Value { return numV(float64(len([]rune(s)))) })},
	"toupper":     {1, 1, strFn(func(s string) Value { return strV(strings.ToUpper(s)) })},
	"tolower":     {1, 1, strFn(func(s string) Value { return strV(strings.ToLower(s)) })},
	"trim":        {1, 1, strFn(func(s string) Value { return strV(strings.TrimSpace(s)) })},
	"ltrim":       {1, 2, trimFn(strings.TrimLeft, func(s string) string { return strings.TrimLeft(s, " \t\n\r") })},
	"rtrim":       {1, 2, trimFn(strings.TrimRight, func(s string) string { return strings.TrimRight(s, " \t\n\r") })},
	"concat":      {1, -1, concat},
	"substr":      {2, 3, substr},
	"replace":     {3, 3, replace},
	"strcontains": {2, 2, strcontains},
	// numeric
	"abs":      {1, 1, numFn(math.Abs)},
	"ceil":     {1, 1, numFn(math.Ceil)},
	"floor":    {1, 1, numFn(math.Floor)},
	"log":      {1, 1, numFn(math.Log)},
	"sqrt":     {1, 1, numFn(math.Sqrt)},
	"greatest": {1, -1, extreme(1)},
	"least":    {1, -1, extreme(-1)},
	// datetime
	"datefloor":  {2, 2, dateFn(floorTime)},
	"dateceil":   {2, 2, dateFn(ceilTime)},
	"frommillis": {1, 1, fromMillis},
	"tomillis":   {1, 1, toMillis},
	// general
	"ispresent": {1, 1, func(a []Value) Value { return boolV(a[0].present()) }},
	"isempty":   {1, 1, func(a []Value) Value { return boolV(!a[0].present() || a[0].String() == "") }},
	"isblank":   {1, 1, func(a []Value) Value { return boolV(!a[0].present() || strings.TrimSpace(a[0].String()) == "") }},
	"coalesce":  {1, -1, coalesce},
	// IP
	"isvalidip":      {1, 1, func(a []Value) Value { _, ok := parseAddr(a[0]); return boolV(ok) }},
	"isvalidipv4":    {1, 1, func(a []Value) Value { ip, ok := parseAddr(a[0]); return boolV(ok && ip.Is4()) }},
	"isvalidipv6":    {1, 1, func(a []Value) Value { ip, ok := parseAddr(a[0]); return boolV(ok && ip.Is6() && !ip.Is4In6()) }},
	"isipinsubnet":   {2, 2, subnetFn(func(netip.Addr) bool { return true })},
	"isipv4insubnet": {2, 2, subnetFn(netip.Addr.Is4)},
	"isipv6insubnet": {2, 2, subnetFn(netip.Addr.Is6)},
}

func trimFn(withSet func(string, string) string, plain func(string) string) func([]Value) Value {
	return func(a []Value) Value {
		if !a[0].present() {
			return null
		}
		if len(a) == 2 {
			return strV(withSet(a[0].String(), a[1].String()))
		}
		return strV(plain(a[0].String()))
	}
}

func concat(a []Value) Value {
	var b strings.Builder
	for _, v := range a {
		b.WriteString(v.String())
	}
	return strV(b.String())
}

func substr(a []Value) Value {
	if !a[0].present() {
		return null
	}
	r := []rune(a[0].String())
	st, ok := a[1].num()
	if !ok {
		return null
	}
	start := max(0, min(len(r), int(st)))
	end := len(r)
	if len(a) == 3 {
		n, ok := a[2].num()
		if !ok {
			return null
		}
		end = max(start, min(len(r), start+int(n)))
	}
	return strV(string(r[start:end]))
}

func replace(a []Value) Value {
	if !a[0].present() {
		return null
	}
	return strV(strings.ReplaceAll(a[0].String(), a[1].String(), a[2].String()))
}

func strcontains(a []Value) Value {
	if !a[0].present() {
		return numV(0)
	}
	if strings.Contains(a[0].String(), a[1].String()) {
		return numV(1)
	}
	return numV(0)
}

func extreme(sign int) func([]Value) Value {
	return func(a []Value) Value {
		var best Value
		for _, v := range a {
			if !v.present() {
				continue
			}
			if !best.present() {
				best = v
				continue
			}
			if c, ok := compare(v, best); ok && c*sign > 0 {
				best = v
			}
		}
		return best
	}
}

func dateFn(f func(int64, Value) int64) func([]Value) Value {
	return func(a []Value) Value {
		ms, ok := timeArg(a[0])
		if !ok || a[1].k != kDur {
			return null
		}
		return timeV(f(ms, a[1]))
	}
}

func fromMillis(a []Value) Value {
	x, ok := a[0].num()
	if !ok {
		return null
	}
	return timeV(int64(x))
}

func toMillis(a []Value) Value {
	ms, ok := timeArg(a[0])
	if !ok {
		return null
	}
	return numV(float64(ms))
}

func coalesce(a []Value) Value {
	for _, v := range a {
		if v.present() {
			return v
		}
	}
	return null
}

// ---- aggregates ----

type aggSpec struct{ minArgs, maxArgs int }

var aggregates = map[string]aggSpec{
	"count": {0, 1}, "count_distinct": {1, 1}, "sum": {1, 1}, "avg": {1, 1}, "min": {1, 1}, "max": {1, 1},
	"pct": {2, 2}, "percentile": {2, 2}, "median": {1, 1}, "stddev": {1, 1}, "earliest": {1, 1}, "latest": {1, 1},
	"sortsfirst": {1, 1}, "sortslast": {1, 1},
}

type aggState struct {
	n        float64
	sum      float64
	sumsq    float64
	best     Value
	bestTs   int64
	has      bool
	vals     []float64
	distinct map[string]struct{}
}

func (a *aggExpr) add(st *aggState, r *row) {
	if a.fn == "count" && len(a.args) == 0 {
		st.n++
		return
	}
	v := a.args[0].eval(r)
	if !v.present() {
		return
	}
	switch a.fn {
	case "count":
		st.n++
	case "count_distinct":
		if st.distinct == nil {
			st.distinct = map[string]struct{}{}
		}
		st.distinct[v.String()] = struct{}{}
	case "sum", "avg", "stddev":
		x, ok := v.num()
		if !ok {
			return
		}
		st.n++
		st.sum += x
		st.sumsq += x * x
	case "min", "max":
		if _, ok := v.num(); !ok && v.k == kStr {
			return
		}
		if !st.has {
			st.best, st.has = v, true
			return
		}
		c, _ := compare(v, st.best)
		if (a.fn == "min" && c < 0) || (a.fn == "max" && c > 0) {
			st.best = v
		}
	case "pct", "percentile", "median":
		x, ok := v.num()
		if ok {
			st.vals = append(st.vals, x)
		}
	case "earliest", "latest":
		ts := r.ts()
		if !st.has || (a.fn == "earliest" && ts < st.bestTs) || (a.fn == "latest" && ts >= st.bestTs) {
			st.best, st.bestTs, st.has = v, ts, true
		}
	case "sortsfirst", "sortslast":
		if !st.has {
			st.best, st.has = v, true
			return
		}
		c := strings.Compare(v.String(), st.best.String())
		if (a.fn == "sortsfirst" && c < 0) || (a.fn == "sortslast" && c > 0) {
			st.best = v
		}
	}
}

func (a *aggExpr) result(st *aggState, pctArg float64) Value {
	switch a.fn {
	case "count":
		return numV(st.n)
	case "count_distinct":
		return numV(float64(len(st.distinct)))
	case "sum":
		if st.n == 0 {
			return null
		}
		return numV(st.sum)
	case "avg":
		if st.n == 0 {
			return null
		}
		return numV(st.sum / st.n)
	case "stddev":
		if st.n < 2 {
			if st.n == 1 {
				return numV(0)
			}
			return null
		}
		mean := st.sum / st.n
		v := (st.sumsq - st.n*mean*mean) / (st.n - 1)
		return numV(math.Sqrt(math.Max(v, 0)))
	case "pct", "percentile", "median":
		if len(st.vals) == 0 {
			return null
		}
		p := pctArg
		if a.fn == "median" {
			p = 50
		}
		sort.Float64s(st.vals)
		rank := int(math.Ceil(p/100*float64(len(st.vals)))) - 1
		rank = max(0, min(len(st.vals)-1, rank))
		return numV(st.vals[rank])
	default:
		if !st.has {
			return null
		}
		return st.best
	}
}
