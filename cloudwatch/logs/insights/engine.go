package insights

import (
	"context"
	"encoding/binary"
	"iter"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/cloudwatch/logs/internal/jsonscan"
)

// Event is one log event a query reads.
type Event struct {
	Timestamp     int64 // epoch millis
	IngestionTime int64
	Message       string
	LogStream     string
	LogGroup      string // the group's name
	Account       string // @log is "account:group"
	Ptr           string // @ptr; when empty, Options.Ptr computes it for result rows
	Ref           uint64 // opaque to the engine, for Options.Ptr
}

// Field is one field of a result row.
type Field struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Stats are a query's statistics.
type Stats struct {
	RecordsMatched float64 `json:"recordsMatched"`
	RecordsScanned float64 `json:"recordsScanned"`
	BytesScanned   float64 `json:"bytesScanned"`
}

// Result is what a query returns.
type Result struct {
	Rows  [][]Field
	Stats Stats
}

// Options bound a run.
type Options struct {
	// Limit caps the rows returned (0: 10,000, AWS's default).
	Limit int
	// Ptr computes @ptr for an event that ends up in the results (events may leave Ptr empty
	// so only result rows pay for it).
	Ptr func(*Event) string
}

// DefaultLimit is the number of rows a query returns without a limit command.
const DefaultLimit = 10000

type binExpr struct{ d Value }

func (b *binExpr) eval(r *row) Value { return timeV(floorTime(r.ts(), b.d)) }

type row struct {
	ev     *Event
	vals   map[string]Value
	disc   bool
	isJSON bool
	aggs   []Value
	tsv    int64 // stats rows: no event
}

func (r *row) ts() int64 {
	if r.ev != nil {
		return r.ev.Timestamp
	}
	return r.tsv
}

func (r *row) get(name string, sys int) Value {
	if r.vals != nil {
		if v, ok := r.vals[name]; ok {
			return v
		}
	}
	if r.ev != nil {
		switch sys {
		case sysTimestamp:
			return timeV(r.ev.Timestamp)
		case sysMessage:
			return strV(r.ev.Message)
		case sysLogStream:
			return strV(r.ev.LogStream)
		case sysLog:
			return strV(r.ev.Account + ":" + r.ev.LogGroup)
		case sysIngestionTime:
			return timeV(r.ev.IngestionTime)
		case sysPtr:
			return strV(r.ev.Ptr)
		}
		if !r.disc {
			r.discover()
			if v, ok := r.vals[name]; ok {
				return v
			}
		}
		if r.isJSON {
			return jsonValue(r.ev.Message, name)
		}
	}
	return null
}

// jsonValue looks a flattened field name up in a JSON event (objects and arrays are not
// fields; null is an empty value).
func jsonValue(doc, name string) Value {
	raw, kind, ok := jsonscan.LookupPath(doc, name)
	if !ok {
		return null
	}
	switch kind {
	case jsonscan.String:
		return strV(jsonscan.Unquote(raw))
	case jsonscan.Number:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return strV(raw)
		}
		return Value{k: kNum, n: f, s: raw}
	case jsonscan.True:
		return boolV(true)
	case jsonscan.False:
		return boolV(false)
	case jsonscan.Null:
		return strV("")
	}
	return null
}

func (r *row) set(name string, v Value) {
	if r.ev != nil && !r.disc {
		r.discover()
	}
	if r.vals == nil {
		r.vals = map[string]Value{}
	}
	r.vals[name] = v
}

// discover extracts the fields AWS discovers: JSON keys flattened with dots (arrays by
// index), Lambda platform lines (@type, @requestId, @duration...), VPC flow log fields.
func (r *row) discover() {
	r.disc = true
	m := r.ev.Message
	if jsonscan.Valid(m) {
		r.isJSON = true // fields are looked up in the text on demand
		return
	}
	if strings.HasPrefix(m, "REPORT RequestId: ") || strings.HasPrefix(m, "START RequestId: ") || strings.HasPrefix(m, "END RequestId: ") {
		r.lambda(m)
		return
	}
	if f := strings.Fields(m); len(f) == 14 && f[0] == "2" && (f[12] == "ACCEPT" || f[12] == "REJECT" || f[12] == "-") {
		names := [...]string{"version", "accountId", "interfaceId", "srcAddr", "dstAddr", "srcPort", "dstPort", "protocol", "packets", "bytes", "start", "end", "action", "logStatus"}
		if r.vals == nil {
			r.vals = make(map[string]Value, 14)
		}
		for i, n := range names {
			r.vals[n] = autoValue(f[i])
		}
	}
}

func autoValue(s string) Value {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return Value{k: kStr, s: s, n: f}
	}
	return strV(s)
}

var lambdaFields = regexp.MustCompile(`(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration): ([0-9.]+) (ms|MB)`)

func (r *row) lambda(m string) {
	if r.vals == nil {
		r.vals = map[string]Value{}
	}
	typ, rest, _ := strings.Cut(m, " ")
	r.vals["@type"] = strV(typ)
	rest = strings.TrimPrefix(rest, "RequestId: ")
	id, _, _ := strings.Cut(rest, "\t")
	id, _, _ = strings.Cut(id, " ")
	r.vals["@requestId"] = strV(id)
	for _, mm := range lambdaFields.FindAllStringSubmatch(m, -1) {
		f, _ := strconv.ParseFloat(mm[2], 64)
		if mm[3] == "MB" {
			f *= 1000 * 1000 // AWS reports memory in bytes (MB as 10^6)
		}
		switch mm[1] {
		case "Duration":
			r.vals["@duration"] = numV(f)
		case "Billed Duration":
			r.vals["@billedDuration"] = numV(f)
		case "Memory Size":
			r.vals["@memorySize"] = numV(f)
		case "Max Memory Used":
			r.vals["@maxMemoryUsed"] = numV(f)
		case "Init Duration":
			r.vals["@initDuration"] = numV(f)
		}
	}
}

// Run executes q over events. It stops early when ctx is done and returns ctx.Err().
func (q *Query) Run(ctx context.Context, events iter.Seq[*Event], opts Options) (*Result, error) {
	limit := opts.Limit
	if limit <= 0 || limit > DefaultLimit {
		limit = DefaultLimit
	}
	res := &Result{}
	// The streaming prefix (fields, filter, parse, unmask) runs per event; the first blocking
	// command (stats, sort, limit, dedup, display) starts materialized processing.
	split := len(q.cmds)
	for i, c := range q.cmds {
		switch c.(type) {
		case fieldsCmd, filterCmd, parseCmd, unmaskCmd:
			continue
		}
		split = i
		break
	}
	stream, rest := q.cmds[:split], q.cmds[split:]
	var st *statsCmd
	if len(rest) > 0 {
		if s, ok := rest[0].(statsCmd); ok {
			st = &s
			rest = rest[1:]
		}
	}
	var rows []*row
	var groups *grouper
	if st != nil {
		groups = newGrouper(st)
	}
	n := 0
	// The source may reuse its Event; rows that are kept get their own copy.
	var scratch row
	for ev := range events {
		if n&1023 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		n++
		res.Stats.RecordsScanned++
		res.Stats.BytesScanned += float64(len(ev.Message) + 26)
		r := &scratch
		vals := r.vals
		clear(vals)
		*r = row{ev: ev, vals: vals}
		if !applyStreaming(stream, r) {
			continue
		}
		res.Stats.RecordsMatched++
		if groups != nil {
			groups.add(r)
		} else {
			cp := *ev
			kept := &row{ev: &cp, disc: r.disc, isJSON: r.isJSON}
			if len(r.vals) > 0 {
				kept.vals = make(map[string]Value, len(r.vals))
				for k, v := range r.vals {
					kept.vals[k] = v
				}
			}
			rows = append(rows, kept)
		}
	}
	cols := q.columns(stream)
	isStats := false
	if groups != nil {
		rows = groups.finish()
		cols = groups.columns()
		isStats = true
	}
	rows, cols, isStats = applyRest(rest, rows, cols, isStats)
	if !q.hasSort && !isStats {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].ts() > rows[j].ts() })
	}
	if len(rows) > limit {
		rows = rows[:limit]
	}
	res.Rows = make([][]Field, 0, len(rows))
	for _, r := range rows {
		fs := make([]Field, 0, len(cols)+1)
		for _, c := range cols {
			v := r.get(c, sysFields[c])
			if !v.present() {
				continue
			}
			fs = append(fs, Field{Field: c, Value: v.String()})
		}
		if r.ev != nil {
			ptr := r.ev.Ptr
			if ptr == "" && opts.Ptr != nil {
				ptr = opts.Ptr(r.ev)
			}
			if ptr != "" {
				fs = append(fs, Field{Field: "@ptr", Value: ptr})
			}
		}
		res.Rows = append(res.Rows, fs)
	}
	return res, nil
}

func applyStreaming(cmds []command, r *row) bool {
	for _, c := range cmds {
		switch c := c.(type) {
		case filterCmd:
			if !c.e.eval(r).truthy() {
				return false
			}
		case fieldsCmd:
			for _, it := range c.items {
				if f, ok := it.e.(*fieldExpr); ok && f.name == it.name {
					continue
				}
				r.set(it.name, it.e.eval(r))
			}
		case parseCmd:
			applyParse(c, r)
		}
	}
	return true
}

func applyParse(c parseCmd, r *row) {
	v := c.src.eval(r)
	if !v.present() {
		return
	}
	m := c.re.FindStringSubmatch(v.String())
	if m == nil {
		return
	}
	for i, name := range c.names {
		if name != "" && i+1 < len(m) {
			r.set(name, strV(m[i+1]))
		}
	}
}

// columns are the fields an event row shows: those named by fields and parse, or
// @timestamp and @message.
func (q *Query) columns(stream []command) []string {
	var cols []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			cols = append(cols, n)
		}
	}
	for _, c := range stream {
		switch c := c.(type) {
		case fieldsCmd:
			for _, it := range c.items {
				add(it.name)
			}
		case parseCmd:
			for _, n := range c.names {
				if n != "" {
					add(n)
				}
			}
		}
	}
	if len(cols) == 0 {
		return []string{"@timestamp", "@message"}
	}
	return cols
}

func applyRest(cmds []command, rows []*row, cols []string, isStats bool) ([]*row, []string, bool) {
	for _, c := range cmds {
		switch c := c.(type) {
		case filterCmd:
			out := rows[:0]
			for _, r := range rows {
				if c.e.eval(r).truthy() {
					out = append(out, r)
				}
			}
			rows = out
		case fieldsCmd:
			for _, r := range rows {
				for _, it := range c.items {
					if f, ok := it.e.(*fieldExpr); ok && f.name == it.name {
						continue
					}
					r.set(it.name, it.e.eval(r))
				}
			}
			for _, it := range c.items {
				if !contains(cols, it.name) {
					cols = append(cols, it.name)
				}
			}
		case parseCmd:
			for _, r := range rows {
				applyParse(c, r)
			}
			for _, n := range c.names {
				if n != "" && !contains(cols, n) {
					cols = append(cols, n)
				}
			}
		case displayCmd:
			cols = c.names
		case sortCmd:
			sortRows(rows, c.keys)
		case limitCmd:
			if len(rows) > c.n {
				rows = rows[:c.n]
			}
		case dedupCmd:
			seen := map[string]bool{}
			out := rows[:0]
			for _, r := range rows {
				var b strings.Builder
				skip := false
				for _, f := range c.fields {
					v := f.eval(r)
					if !v.present() {
						skip = true // rows missing a dedup field are kept
						break
					}
					b.WriteString(v.String())
					b.WriteByte(0)
				}
				if !skip {
					if seen[b.String()] {
						continue
					}
					seen[b.String()] = true
				}
				out = append(out, r)
			}
			rows = out
		case statsCmd:
			g := newGrouper(&c)
			for _, r := range rows {
				g.add(r)
			}
			rows, cols, isStats = g.finish(), g.columns(), true
		}
	}
	return rows, cols, isStats
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func sortRows(rows []*row, keys []sortKey) {
	type keyed struct {
		r    *row
		vals []Value
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		vals := make([]Value, len(keys))
		for j, k := range keys {
			vals[j] = k.e.eval(r)
			if !vals[j].present() {
				// stats rows: sort keys name output columns
				vals[j] = r.get(k.name, sysFields[k.name])
			}
		}
		ks[i] = keyed{r, vals}
	}
	sort.SliceStable(ks, func(a, b int) bool {
		for j, k := range keys {
			va, vb := ks[a].vals[j], ks[b].vals[j]
			if !va.present() || !vb.present() {
				if va.present() != vb.present() {
					return va.present() // absent values sort last
				}
				continue
			}
			c, _ := compare(va, vb)
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
	for i := range ks {
		rows[i] = ks[i].r
	}
}

// ---- stats ----

type group struct {
	by     []Value
	states []aggState
	first  int
}

type grouper struct {
	st     *statsCmd
	groups map[string]*group
	order  []*group
	key    []byte
	byVals []Value
	pcts   []float64
}

func newGrouper(st *statsCmd) *grouper {
	g := &grouper{st: st, groups: map[string]*group{}, byVals: make([]Value, len(st.by)), pcts: make([]float64, len(st.aggs))}
	for i, a := range st.aggs {
		if (a.fn == "pct" || a.fn == "percentile") && len(a.args) == 2 {
			if l, ok := a.args[1].(*litExpr); ok {
				g.pcts[i], _ = l.v.num()
			}
		}
	}
	return g
}

func (g *grouper) add(r *row) {
	g.key = g.key[:0]
	for i, b := range g.st.by {
		v := b.e.eval(r)
		g.byVals[i] = v
		g.key = append(g.key, byte(v.k))
		switch v.k {
		case kNum, kTime, kBool:
			g.key = binary.LittleEndian.AppendUint64(g.key, math.Float64bits(v.n))
		default:
			g.key = append(g.key, v.String()...)
		}
		g.key = append(g.key, 0)
	}
	grp, ok := g.groups[string(g.key)]
	if !ok {
		grp = &group{by: append([]Value(nil), g.byVals...), states: make([]aggState, len(g.st.aggs)), first: len(g.order)}
		g.groups[string(g.key)] = grp
		g.order = append(g.order, grp)
	}
	for i, a := range g.st.aggs {
		a.add(&grp.states[i], r)
	}
}

func (g *grouper) columns() []string {
	var cols []string
	for _, b := range g.st.by {
		cols = append(cols, b.name)
	}
	for _, it := range g.st.items {
		cols = append(cols, it.name)
	}
	return cols
}

// finish renders one row per group, ordered by the group-by values (time bins ascending).
func (g *grouper) finish() []*row {
	order := g.order
	if len(g.st.by) == 0 && len(order) == 0 {
		// stats without by over no events still answers one row (count 0)
		order = []*group{{states: make([]aggState, len(g.st.aggs))}}
	}
	sort.SliceStable(order, func(i, j int) bool {
		for k := range g.st.by {
			c, ok := compare(order[i].by[k], order[j].by[k])
			if !ok {
				if order[i].by[k].present() != order[j].by[k].present() {
					return order[i].by[k].present()
				}
				continue
			}
			if c != 0 {
				return c < 0
			}
		}
		return order[i].first < order[j].first
	})
	rows := make([]*row, 0, len(order))
	for _, grp := range order {
		r := &row{vals: map[string]Value{}}
		r.aggs = make([]Value, len(g.st.aggs))
		for i, a := range g.st.aggs {
			r.aggs[i] = a.result(&grp.states[i], g.pcts[i])
		}
		for i, b := range g.st.by {
			r.vals[b.name] = grp.by[i]
			if grp.by[i].k == kTime {
				r.tsv = int64(grp.by[i].n)
			}
		}
		for _, it := range g.st.items {
			r.vals[it.name] = it.e.eval(r)
		}
		r.aggs = nil
		rows = append(rows, r)
	}
	return rows
}
