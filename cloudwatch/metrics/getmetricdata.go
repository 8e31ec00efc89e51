package metrics

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/metrics/mathexpr"
	"github.com/devopsim/devopsim/cloudwatch/metrics/tsdb"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// GetMetricData runs metric queries and metric math expressions.
func (s *Service) GetMetricData(ctx context.Context, in *GetMetricDataInput) (*GetMetricDataOutput, error) {
	return dispatch.Do(ctx, s.d, "GetMetricData", in, s.getMetricData)
}

var idPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// seriesResult is one evaluated series of a query.
type seriesResult struct {
	id     string
	label  string
	times  []int64
	values []float64
	ret    bool
}

// queryEval evaluates a list of MetricDataQuery over [start, end).
type queryEval struct {
	s          *Service
	scope      string
	now        time.Time
	start, end time.Time
	queries    []MetricDataQuery
	byID       map[string]int
	parsed     map[string]mathexpr.Node
	memo       map[string]mathexpr.Value
	visiting   map[string]bool
	period     int64 // smallest period among the queries
}

func (s *Service) newQueryEval(scope string, queries []MetricDataQuery, start, end time.Time, param string) (*queryEval, error) {
	q := &queryEval{s: s, scope: scope, now: s.env.Clock.Now(), start: start, end: end, queries: queries,
		byID: map[string]int{}, parsed: map[string]mathexpr.Node{}, memo: map[string]mathexpr.Value{}, visiting: map[string]bool{}}
	for i, mq := range queries {
		p := fmt.Sprintf("%s.member.%d", param, i+1)
		if mq.Id == "" {
			return nil, missing(p + ".Id")
		}
		if len(mq.Id) > 255 || !idPattern.MatchString(mq.Id) {
			return nil, ErrValidation.With("The value %s for parameter %s.Id is invalid. Ids must start with a lowercase letter and contain only letters, numbers and underscores.", mq.Id, p)
		}
		if _, dup := q.byID[mq.Id]; dup {
			return nil, ErrValidation.With("The value %s for parameter %s.Id is not unique.", mq.Id, p)
		}
		q.byID[mq.Id] = i
		hasStat, hasExpr := mq.MetricStat != nil, mq.Expression != ""
		if hasStat == hasExpr {
			return nil, ErrValidation.With("Exactly one of %s.MetricStat and %s.Expression must be specified.", p, p)
		}
		if mq.Period != 0 {
			if err := checkPeriod(mq.Period, p+".Period"); err != nil {
				return nil, err
			}
		}
		if hasStat {
			ms := mq.MetricStat
			if ms.Metric == nil {
				return nil, missing(p + ".MetricStat.Metric")
			}
			if err := checkName(ms.Metric.Namespace, p+".MetricStat.Metric.Namespace", 255); err != nil {
				return nil, err
			}
			if err := checkName(ms.Metric.MetricName, p+".MetricStat.Metric.MetricName", 255); err != nil {
				return nil, err
			}
			if err := checkDims(ms.Metric.Dimensions, p+".MetricStat.Metric.Dimensions"); err != nil {
				return nil, err
			}
			if ms.Period == 0 {
				return nil, missing(p + ".MetricStat.Period")
			}
			if err := checkPeriod(ms.Period, p+".MetricStat.Period"); err != nil {
				return nil, err
			}
			if ms.Stat == "" {
				return nil, missing(p + ".MetricStat.Stat")
			}
			if _, err := tsdb.ParseStat(ms.Stat); err != nil {
				return nil, invalid("The value %s for parameter %s.MetricStat.Stat is invalid.", ms.Stat, p)
			}
			if ms.Unit != "" && !validUnits[ms.Unit] {
				return nil, invalid("The value %s for parameter %s.MetricStat.Unit is invalid.", ms.Unit, p)
			}
			if q.period == 0 || int64(ms.Period) < q.period {
				q.period = int64(ms.Period)
			}
			continue
		}
		n, err := mathexpr.Parse(mq.Expression)
		if err != nil {
			return nil, ErrValidation.With("Error in expression %s: %v", mq.Id, err)
		}
		q.parsed[mq.Id] = n
	}
	for id, n := range q.parsed {
		for _, r := range mathexpr.Refs(n) {
			if _, ok := q.byID[r]; !ok {
				return nil, ErrValidation.With("Error in expression %s: Unrecognized id %q", id, r)
			}
		}
	}
	if q.period == 0 {
		q.period = 60
		for _, mq := range queries {
			if mq.Period != 0 {
				q.period = int64(mq.Period)
				break
			}
		}
	}
	return q, nil
}

func (q *queryEval) metricSeries(mq *MetricDataQuery) *mathexpr.Series {
	ms := mq.MetricStat
	period := int64(ms.Period)
	st, _ := tsdb.ParseStat(ms.Stat)
	out := &mathexpr.Series{Label: mq.Label, Period: period, Props: map[string]string{
		"MetricName": ms.Metric.MetricName, "Namespace": ms.Metric.Namespace, "Stat": ms.Stat,
		"Period": strconv.FormatInt(period, 10)}}
	if out.Label == "" {
		out.Label = ms.Metric.MetricName
	}
	key := tsdb.Key{Scope: q.scope, Namespace: ms.Metric.Namespace, Name: ms.Metric.MetricName}
	for _, d := range ms.Metric.Dimensions {
		key.Dims = append(key.Dims, tsdb.Dim{Name: d.Name, Value: d.Value})
		out.Props["Dim."+d.Name] = d.Value
	}
	ser := q.s.db.Get(key)
	if ser == nil {
		return out
	}
	start := alignStart(q.start, period)
	var lastT int64 = math.MinInt64
	for _, pt := range ser.Query(q.now, start, q.end, period, ms.Unit) {
		v, ok := pt.Agg.Value(st)
		if !ok {
			continue
		}
		t := pt.T.Unix()
		if t == lastT { // several units in one period: keep the first
			continue
		}
		lastT = t
		out.Times = append(out.Times, t)
		out.Values = append(out.Values, v)
	}
	return out
}

func (q *queryEval) value(id string) (mathexpr.Value, error) {
	if v, ok := q.memo[id]; ok {
		return v, nil
	}
	i, ok := q.byID[id]
	if !ok {
		return mathexpr.Value{}, fmt.Errorf("Unrecognized id %q", id)
	}
	mq := &q.queries[i]
	if mq.MetricStat != nil {
		v := mathexpr.Value{Kind: mathexpr.TimeSeries, Series: []*mathexpr.Series{q.metricSeries(mq)}}
		q.memo[id] = v
		return v, nil
	}
	if q.visiting[id] {
		return mathexpr.Value{}, fmt.Errorf("circular reference involving %q", id)
	}
	q.visiting[id] = true
	defer delete(q.visiting, id)
	period := q.period
	if mq.Period != 0 {
		period = int64(mq.Period)
	}
	env := &mathexpr.Env{Start: q.start.Unix(), End: q.end.Unix(), Period: period, Lookup: q.value,
		Metrics: func() []*mathexpr.Series {
			var out []*mathexpr.Series
			for j := range q.queries {
				if q.queries[j].MetricStat != nil {
					v, _ := q.value(q.queries[j].Id)
					out = append(out, v.Series...)
				}
			}
			return out
		}}
	v, err := mathexpr.Eval(q.parsed[id], env)
	if err != nil {
		return v, err
	}
	if v.Kind == mathexpr.Scalar {
		// A scalar result is returned at every timestamp of the range.
		s := &mathexpr.Series{Period: period}
		if !math.IsNaN(v.Scalar) {
			for t := alignStart(q.start, period).Unix(); t < q.end.Unix(); t += period {
				if t >= q.start.Unix() || period > 1 {
					s.Times = append(s.Times, t)
					s.Values = append(s.Values, v.Scalar)
				}
			}
		}
		v = mathexpr.Value{Kind: mathexpr.TimeSeries, Series: []*mathexpr.Series{s}}
	}
	if v.Kind == mathexpr.TimeSeries && v.Series[0].Props == nil {
		// Results of functions over arrays carry no metric properties.
		c := *v.Series[0]
		c.Label = ""
		v.Series = []*mathexpr.Series{&c}
	}
	q.memo[id] = v
	return v, nil
}

// results evaluates every query; for expressions that fail it returns an error.
func (q *queryEval) results(tz *time.Location) ([]seriesResult, error) {
	var out []seriesResult
	for i := range q.queries {
		mq := &q.queries[i]
		v, err := q.value(mq.Id)
		if err != nil {
			return nil, ErrValidation.With("Error in expression %s: %v", mq.Id, err)
		}
		ret := mq.ReturnData == nil || *mq.ReturnData
		for _, s := range v.Series {
			label := mq.Label
			if mq.Expression != "" {
				if len(v.Series) > 1 || (label == "" && s.Label != "" && v.Kind == mathexpr.SeriesArray) {
					if label == "" {
						label = s.Label
					} else if s.Label != "" {
						label = s.Label + " " + label
					}
				}
				if label == "" {
					label = mq.Id
				}
			} else if label == "" {
				label = s.Label
			}
			label = dynamicLabel(label, s, tz)
			out = append(out, seriesResult{id: mq.Id, label: label, times: s.Times, values: s.Values, ret: ret})
		}
	}
	return out, nil
}

var dynLabel = regexp.MustCompile(`\$\{([A-Z_]+)(?:\('([^']*)'\))?\}`)

func dynamicLabel(label string, s *mathexpr.Series, tz *time.Location) string {
	if !strings.Contains(label, "${") {
		return label
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return dynLabel.ReplaceAllStringFunc(label, func(m string) string {
		sub := dynLabel.FindStringSubmatch(m)
		vals := s.Values
		switch sub[1] {
		case "PROP":
			return s.Props[sub[2]]
		case "LABEL":
			return s.Label
		case "DATAPOINT_COUNT":
			return strconv.Itoa(len(vals))
		}
		if len(vals) == 0 {
			return ""
		}
		switch sub[1] {
		case "AVG":
			var t float64
			for _, v := range vals {
				t += v
			}
			return num(t / float64(len(vals)))
		case "SUM":
			var t float64
			for _, v := range vals {
				t += v
			}
			return num(t)
		case "MIN":
			return num(slices.Min(vals))
		case "MAX":
			return num(slices.Max(vals))
		case "FIRST":
			return num(vals[0])
		case "LAST":
			return num(vals[len(vals)-1])
		case "FIRST_TIME":
			return time.Unix(s.Times[0], 0).In(tz).Format(time.RFC3339)
		case "LAST_TIME":
			return time.Unix(s.Times[len(s.Times)-1], 0).In(tz).Format(time.RFC3339)
		}
		return m
	})
}

func parseTZ(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	if len(tz) != 5 || (tz[0] != '+' && tz[0] != '-') {
		return nil, invalid("The value %s for parameter LabelOptions.Timezone is invalid.", tz)
	}
	h, err1 := strconv.Atoi(tz[1:3])
	m, err2 := strconv.Atoi(tz[3:5])
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return nil, invalid("The value %s for parameter LabelOptions.Timezone is invalid.", tz)
	}
	off := h*3600 + m*60
	if tz[0] == '-' {
		off = -off
	}
	return time.FixedZone(tz, off), nil
}

func (s *Service) getMetricData(ctx context.Context, in *GetMetricDataInput) (*GetMetricDataOutput, error) {
	if len(in.MetricDataQueries) == 0 {
		return nil, missing("MetricDataQueries")
	}
	if len(in.MetricDataQueries) > 500 {
		return nil, invalid("The collection MetricDataQueries must not have a size greater than 500.")
	}
	if in.StartTime.IsZero() {
		return nil, missing("StartTime")
	}
	if in.EndTime.IsZero() {
		return nil, missing("EndTime")
	}
	if !in.StartTime.Before(in.EndTime) {
		return nil, invalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	desc := true
	switch in.ScanBy {
	case "", "TimestampDescending":
	case "TimestampAscending":
		desc = false
	default:
		return nil, invalid("The value %s for parameter ScanBy is invalid.", in.ScanBy)
	}
	maxDP := 100800
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints <= 0 {
			return nil, invalid("The value %d for parameter MaxDatapoints is invalid.", *in.MaxDatapoints)
		}
		maxDP = int(*in.MaxDatapoints)
	}
	tz := time.UTC
	if in.LabelOptions != nil {
		var err error
		if tz, err = parseTZ(in.LabelOptions.Timezone); err != nil {
			return nil, err
		}
	}
	var ri, pi int
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil {
			return nil, ErrInvalidNextToken.With("Invalid NextToken.")
		}
		if _, err := fmt.Sscanf(string(b), "gmd:%d:%d", &ri, &pi); err != nil || ri < 0 || pi < 0 {
			return nil, ErrInvalidNextToken.With("Invalid NextToken.")
		}
	}
	q, err := s.newQueryEval(s.scope(ctx), in.MetricDataQueries, in.StartTime, in.EndTime, "MetricDataQueries")
	if err != nil {
		return nil, err
	}
	all, err := q.results(tz)
	if err != nil {
		return nil, err
	}
	var res []seriesResult
	for _, r := range all {
		if r.ret {
			res = append(res, r)
		}
	}
	out := &GetMetricDataOutput{MetricDataResults: []MetricDataResult{}}
	budget := maxDP
	for i := ri; i < len(res); i++ {
		r := res[i]
		start := 0
		if i == ri {
			start = pi
		}
		n := len(r.times)
		if start > n {
			return nil, ErrInvalidNextToken.With("Invalid NextToken.")
		}
		take := min(n-start, budget)
		mr := MetricDataResult{Id: r.id, Label: r.label, Timestamps: make([]time.Time, 0, take), Values: make([]float64, 0, take), StatusCode: "Complete"}
		for k := start; k < start+take; k++ {
			j := k
			if desc {
				j = n - 1 - k
			}
			mr.Timestamps = append(mr.Timestamps, time.Unix(r.times[j], 0).UTC())
			mr.Values = append(mr.Values, r.values[j])
		}
		budget -= take
		if start+take < n {
			mr.StatusCode = "PartialData"
			out.MetricDataResults = append(out.MetricDataResults, mr)
			out.NextToken = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "gmd:%d:%d", i, start+take))
			out.Messages = append(out.Messages, MessageData{Code: "MaxDatapointsExceeded",
				Value: fmt.Sprintf("The query returned more than %d data points; use NextToken to get the rest.", maxDP)})
			break
		}
		out.MetricDataResults = append(out.MetricDataResults, mr)
	}
	return out, nil
}
