package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/cloudwatch/metrics/alarmrule"
	"github.com/devopsim/devopsim/cloudwatch/metrics/tsdb"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// HistoryItem is one entry of an alarm's history.
type HistoryItem struct {
	AlarmName       string    `json:"AlarmName,omitempty"`
	AlarmType       string    `json:"AlarmType,omitempty"`
	Timestamp       time.Time `json:"Timestamp,omitzero"`
	HistoryItemType string    `json:"HistoryItemType,omitempty"`
	HistorySummary  string    `json:"HistorySummary,omitempty"`
	HistoryData     string    `json:"HistoryData,omitempty"`
}

const awsTime = "2006-01-02T15:04:05.000-0700"

var historySeq atomic.Uint64

func jsonValid(s string) bool { return json.Valid([]byte(s)) }

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (s *Service) addHistory(ctx context.Context, rec *alarmRecord, typ, summary string, data any) {
	s.addHistoryAt(ctx, rec, s.env.Clock.Now(), typ, summary, data)
}

// addHistoryAt records a history item at now (an evaluation's scheduled time).
func (s *Service) addHistoryAt(ctx context.Context, rec *alarmRecord, now time.Time, typ, summary string, data any) {
	key := fmt.Sprintf("%s%s/%020d/%d", s.scope(ctx), rec.name(), now.UnixNano(), historySeq.Add(1))
	item := HistoryItem{AlarmName: rec.name(), AlarmType: rec.Type, Timestamp: now, HistoryItemType: typ, HistorySummary: summary, HistoryData: mustJSON(data)}
	if err := s.history.Put(ctx, key, item); err != nil {
		s.env.Log.Warn("cloudwatch: could not record alarm history", "alarm", rec.name(), "err", err)
	}
}

// DescribeAlarmHistoryInput is the input of DescribeAlarmHistory.
type DescribeAlarmHistoryInput struct {
	AlarmName       string    `json:"AlarmName,omitempty"`
	AlarmTypes      []string  `json:"AlarmTypes,omitempty"`
	HistoryItemType string    `json:"HistoryItemType,omitempty"`
	StartDate       time.Time `json:"StartDate,omitzero"`
	EndDate         time.Time `json:"EndDate,omitzero"`
	MaxRecords      int32     `json:"MaxRecords,omitzero"`
	NextToken       string    `json:"NextToken,omitempty"`
	ScanBy          string    `json:"ScanBy,omitempty"`
}

// DescribeAlarmHistoryOutput is the output of DescribeAlarmHistory.
type DescribeAlarmHistoryOutput struct {
	AlarmHistoryItems []HistoryItem `json:"AlarmHistoryItems"`
	NextToken         string        `json:"NextToken,omitempty"`
}

// DescribeAlarmHistory returns alarm history (kept 30 days), newest first by default.
func (s *Service) DescribeAlarmHistory(ctx context.Context, in *DescribeAlarmHistoryInput) (*DescribeAlarmHistoryOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeAlarmHistory", in, s.describeAlarmHistory)
}

func (s *Service) describeAlarmHistory(ctx context.Context, in *DescribeAlarmHistoryInput) (*DescribeAlarmHistoryOutput, error) {
	switch in.HistoryItemType {
	case "", "ConfigurationUpdate", "StateUpdate", "Action":
	default:
		return nil, invalid("The value %s for parameter HistoryItemType is invalid.", in.HistoryItemType)
	}
	desc := true
	switch in.ScanBy {
	case "", "TimestampDescending":
	case "TimestampAscending":
		desc = false
	default:
		return nil, invalid("The value %s for parameter ScanBy is invalid.", in.ScanBy)
	}
	limit := 100
	if in.MaxRecords != 0 {
		if in.MaxRecords < 1 || in.MaxRecords > 100 {
			return nil, invalid("The parameter MaxRecords must be between 1 and 100.")
		}
		limit = int(in.MaxRecords)
	}
	types := map[string]bool{}
	for _, t := range in.AlarmTypes {
		if t != "MetricAlarm" && t != "CompositeAlarm" {
			return nil, invalid("The value %s for parameter AlarmTypes is invalid.", t)
		}
		types[t] = true
	}
	if len(types) == 0 {
		types["MetricAlarm"] = true
		types["CompositeAlarm"] = true
	}
	offset := 0
	if in.NextToken != "" {
		if _, err := fmt.Sscanf(in.NextToken, "dah-%d", &offset); err != nil || offset < 0 {
			return nil, ErrInvalidNextToken.With("Invalid NextToken.")
		}
	}
	prefix := s.scope(ctx)
	if in.AlarmName != "" {
		prefix += in.AlarmName + "/"
	}
	items, err := s.history.All(ctx, prefix)
	if err != nil {
		return nil, err
	}
	cutoff := s.env.Clock.Now().Add(-30 * 24 * time.Hour)
	var matched []HistoryItem
	for _, it := range items {
		if it.Timestamp.Before(cutoff) || !types[it.AlarmType] || (in.HistoryItemType != "" && it.HistoryItemType != in.HistoryItemType) ||
			(!in.StartDate.IsZero() && it.Timestamp.Before(in.StartDate)) || (!in.EndDate.IsZero() && it.Timestamp.After(in.EndDate)) {
			continue
		}
		matched = append(matched, it)
	}
	slices.SortStableFunc(matched, func(a, b HistoryItem) int {
		if desc {
			return b.Timestamp.Compare(a.Timestamp)
		}
		return a.Timestamp.Compare(b.Timestamp)
	})
	out := &DescribeAlarmHistoryOutput{AlarmHistoryItems: []HistoryItem{}}
	if offset > len(matched) {
		return nil, ErrInvalidNextToken.With("Invalid NextToken.")
	}
	end := min(offset+limit, len(matched))
	out.AlarmHistoryItems = append(out.AlarmHistoryItems, matched[offset:end]...)
	if end < len(matched) {
		out.NextToken = fmt.Sprintf("dah-%d", end)
	}
	return out, nil
}

// EvaluateAlarms evaluates every alarm of every account and region now. The service's loop
// calls it every minute on the platform clock; tests may call it directly.
func (s *Service) EvaluateAlarms(ctx context.Context) {
	s.evaluateAt(ctx, s.env.Clock.Now())
}

// evaluateAt evaluates every alarm as of at: the evaluation range ends at at's period
// boundary, and state changes, history, events and actions carry at as their time.
func (s *Service) evaluateAt(ctx context.Context, at time.Time) {
	s.evalMu.Lock()
	defer s.evalMu.Unlock()
	all, err := s.alarms.All(ctx, "")
	if err != nil {
		s.env.Log.Warn("cloudwatch: list alarms", "err", err)
		return
	}
	scopes := map[string]bool{}
	for _, rec := range all {
		sctx := identity.With(ctx, identity.Root(rec.Account, rec.Region))
		scope := rec.Account + "/" + rec.Region + "/"
		scopes[scope] = true
		if rec.Metric == nil {
			continue
		}
		if state, reason, data, ok := s.evaluateMetricAlarm(scope, rec.Metric, at); ok {
			s.transition(sctx, scope, rec.Metric.AlarmName, state, reason, data, true, at)
		}
	}
	for scope := range scopes {
		a, r, _ := strings.Cut(strings.TrimSuffix(scope, "/"), "/")
		s.evaluateComposites(identity.With(ctx, identity.Root(a, r)), scope, at)
	}
	s.pruneHistory(ctx)
}

func (s *Service) pruneHistory(ctx context.Context) {
	cutoff := s.env.Clock.Now().Add(-30 * 24 * time.Hour)
	// Keys embed the alarm name before the time, so walk every key.
	after := ""
	for {
		list, next, err := s.env.Store.List(ctx, s.history.Prefix(), after, 500)
		if err != nil {
			return
		}
		for _, it := range list {
			var h HistoryItem
			if json.Unmarshal(it.Value, &h) == nil && h.Timestamp.Before(cutoff) {
				_ = s.env.Store.Delete(ctx, it.Key, it.Rev)
			}
		}
		if next == "" {
			return
		}
		after = next
	}
}

type evalPoint struct {
	t       int64
	v       float64
	n       float64 // sample count (0 when unknown)
	present bool
}

func compare(op string, v, th float64) bool {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return v >= th
	case "GreaterThanThreshold":
		return v > th
	case "LessThanThreshold":
		return v < th
	case "LessThanOrEqualToThreshold":
		return v <= th
	}
	return false
}

var opWords = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to", "GreaterThanThreshold": "greater than",
	"LessThanThreshold": "less than", "LessThanOrEqualToThreshold": "less than or equal to",
}

// alarmPoints fetches the alarm's datapoints of the last r periods before end.
func (s *Service) alarmPoints(scope string, m *MetricAlarm, now time.Time) (pts []evalPoint, period int64) {
	if len(m.Metrics) > 0 {
		q, err := s.newQueryEval(scope, m.Metrics, time.Unix(0, 0), time.Unix(1, 0), "Metrics")
		if err != nil {
			return nil, 0
		}
		period = q.alarmPeriod()
	} else {
		period = int64(m.Period)
	}
	if period <= 0 {
		return nil, 0
	}
	n := int64(m.EvaluationPeriods)
	r := n + 2
	end := now.Unix() / period * period
	start := end - r*period
	pts = make([]evalPoint, r)
	for i := range pts {
		pts[i].t = start + int64(i)*period
	}
	set := func(t int64, v, cnt float64) {
		if t < start || t >= end {
			return
		}
		i := (t - start) / period
		pts[i].v, pts[i].n, pts[i].present = v, cnt, true
	}
	st, et := time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
	if len(m.Metrics) > 0 {
		q, err := s.newQueryEval(scope, m.Metrics, st, et, "Metrics")
		if err != nil {
			return nil, period
		}
		res, err := q.results(time.UTC)
		if err != nil {
			return nil, period
		}
		for _, rr := range res {
			if rr.ret {
				for i, t := range rr.times {
					set(t, rr.values[i], 0)
				}
				break
			}
		}
		return pts, period
	}
	stat := m.Statistic + m.ExtendedStatistic
	pst, err := tsdb.ParseStat(stat)
	if err != nil {
		return nil, period
	}
	key := tsdb.Key{Scope: scope, Namespace: m.Namespace, Name: m.MetricName}
	for _, d := range m.Dimensions {
		key.Dims = append(key.Dims, tsdb.Dim{Name: d.Name, Value: d.Value})
	}
	if ser := s.db.Get(key); ser != nil {
		for _, p := range ser.Query(now, st, et, period, m.Unit) {
			if v, ok := p.Agg.Value(pst); ok {
				set(p.T.Unix(), v, p.Agg.N)
			}
		}
	}
	return pts, period
}

// evaluateMetricAlarm applies AWS's rules: of the evaluation range (EvaluationPeriods plus two
// earlier periods), the most recent EvaluationPeriods real datapoints are used when there are
// that many; otherwise missing periods are filled per TreatMissingData, as few as needed.
func (s *Service) evaluateMetricAlarm(scope string, m *MetricAlarm, now time.Time) (state, reason, data string, ok bool) {
	pts, period := s.alarmPoints(scope, m, now)
	if pts == nil {
		return "", "", "", false
	}
	n := int(m.EvaluationPeriods)
	need := n
	if m.DatapointsToAlarm != nil {
		need = int(*m.DatapointsToAlarm)
	}
	th := *m.Threshold
	var present []evalPoint
	for _, p := range pts {
		if p.present {
			present = append(present, p)
		}
	}
	if m.ExtendedStatistic != "" && m.EvaluateLowSampleCountPercentile == "ignore" {
		if st, err := tsdb.ParseStat(m.ExtendedStatistic); err == nil && st.Kind == tsdb.Percentile && st.Hi < 100 {
			minSamples := 10 / (1 - st.Hi/100)
			for _, p := range present {
				if p.n > 0 && p.n < minSamples {
					return "", "", "", false // too few samples: the state does not change
				}
			}
		}
	}
	tmd := m.TreatMissingData
	if tmd == "" {
		tmd = "missing"
	}
	var used []evalPoint // the datapoints evaluated, oldest first
	breaches := 0
	switch {
	case len(present) >= n:
		used = present[len(present)-n:]
		for _, p := range used {
			if compare(m.ComparisonOperator, p.v, th) {
				breaches++
			}
		}
	default:
		used = present
		for _, p := range present {
			if compare(m.ComparisonOperator, p.v, th) {
				breaches++
			}
		}
		fill := n - len(present)
		switch tmd {
		case "breaching":
			breaches += fill
		case "notBreaching":
		case "ignore":
			if breaches < need && (len(present) == 0 || breaches > 0) {
				return "", "", "", false // keep the current state
			}
		case "missing":
			if len(present) == 0 {
				state = StateInsufficientData
				reason = fmt.Sprintf("Insufficient Data: %d datapoint%s %s unknown.", n, plural(n), map[bool]string{true: "was", false: "were"}[n == 1])
				return state, reason, s.reasonData(m, now, period, used, th), true
			}
			if breaches > 0 && breaches == len(present) {
				// Every real datapoint breaches and there are too few to say OK.
				breaches = max(breaches, need)
			}
		}
	}
	state = StateOK
	verb := "was not"
	if breaches >= need {
		state, verb = StateAlarm, "was"
	}
	var vals []string
	for i := len(used) - 1; i >= 0; i-- {
		vals = append(vals, fmt.Sprintf("%s (%s)", fmtNum(used[i].v), time.Unix(used[i].t, 0).UTC().Format("02/01/06 15:04:05")))
	}
	reason = fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s the threshold (%s) (minimum %d datapoint%s for %s transition).",
		breaches, n, strings.Join(vals, ", "), verb, opWords[m.ComparisonOperator], fmtNum(th), need, plural(need),
		map[string]string{StateAlarm: "OK -> ALARM", StateOK: "ALARM -> OK"}[state])
	return state, reason, s.reasonData(m, now, period, used, th), true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func fmtNum(v float64) string {
	s := fmt.Sprintf("%g", v)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

func (s *Service) reasonData(m *MetricAlarm, now time.Time, period int64, used []evalPoint, th float64) string {
	type dp struct {
		Timestamp   string   `json:"timestamp"`
		SampleCount *float64 `json:"sampleCount,omitempty"`
		Value       float64  `json:"value"`
	}
	d := map[string]any{"version": "1.0", "queryDate": now.UTC().Format(awsTime), "period": period, "threshold": th}
	if len(m.Metrics) == 0 {
		d["statistic"] = m.Statistic
		if m.ExtendedStatistic != "" {
			d["statistic"] = m.ExtendedStatistic
		}
		if m.Unit != "" {
			d["unit"] = m.Unit
		}
	}
	recent := []float64{}
	evald := []dp{}
	for i := len(used) - 1; i >= 0; i-- {
		p := used[i]
		recent = append(recent, p.v)
		e := dp{Timestamp: time.Unix(p.t, 0).UTC().Format(awsTime), Value: p.v}
		if p.n > 0 {
			c := p.n
			e.SampleCount = &c
		}
		evald = append(evald, e)
	}
	slices.Reverse(recent)
	if len(used) > 0 {
		d["startDate"] = time.Unix(used[0].t, 0).UTC().Format(awsTime)
	}
	d["recentDatapoints"] = recent
	if len(evald) > 0 {
		d["evaluatedDatapoints"] = evald
	}
	return mustJSON(d)
}

// evaluateComposites re-evaluates the composite alarms of a scope until nothing changes.
func (s *Service) evaluateComposites(ctx context.Context, scope string, now time.Time) {
	for round := 0; round < 10; round++ {
		all, err := s.alarms.All(ctx, scope)
		if err != nil {
			return
		}
		byName := map[string]*alarmRecord{}
		for i := range all {
			byName[all[i].name()] = &all[i]
		}
		changed := false
		for _, rec := range all {
			c := rec.Composite
			if c == nil {
				continue
			}
			rule, err := alarmrule.Parse(c.AlarmRule)
			if err != nil {
				continue
			}
			var triggering []map[string]any
			val := rule.Eval(func(ref string) string {
				r := byName[s.refName(ctx, ref)]
				if r == nil {
					return ""
				}
				return r.state()
			})
			for _, ref := range rule.Alarms() {
				if r := byName[s.refName(ctx, ref)]; r != nil {
					st, _, _, up, _, _, _, _, _, _ := r.common()
					triggering = append(triggering, map[string]any{"arn": r.arn(), "state": map[string]any{"value": *st, "timestamp": up.UTC().Format(awsTime)}})
				}
			}
			state := StateOK
			if val {
				state = StateAlarm
			}
			if state == c.StateValue {
				continue
			}
			reason := fmt.Sprintf("Composite alarm rule %s evaluated to %s", c.AlarmRule, map[bool]string{true: "TRUE", false: "FALSE"}[val])
			if s.transition(ctx, scope, c.AlarmName, state, reason, mustJSON(map[string]any{"triggeringAlarms": triggering}), true, now) {
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

// transition moves an alarm to state, records it, publishes the event and runs the actions.
// It reports whether the state changed: as on AWS, only a change of state is a transition, so
// actions run once per transition however often the alarm is evaluated.
func (s *Service) transition(ctx context.Context, scope, name, state, reason, data string, evaluated bool, now time.Time) bool {
	var old alarmRecord
	changed := false
	rec, err := s.alarms.Update(ctx, scope+name, func(r *alarmRecord) error {
		old = *r
		if r.Metric != nil {
			c := *r.Metric
			r.Metric = &c
		} else {
			c := *r.Composite
			r.Composite = &c
		}
		st, rs, rd, up, tr, _, _, _, _, _ := r.common()
		changed = *st != state
		if !changed {
			return errNoChange
		}
		*st, *rs, *rd, *up, *tr = state, reason, data, now, now
		return nil
	})
	if err != nil || !changed {
		return false
	}
	ost, ors, ord, oup, _, _, _, _, _, _ := old.common()
	s.addHistoryAt(ctx, &rec, now, "StateUpdate", fmt.Sprintf("Alarm updated from %s to %s", *ost, state), map[string]any{
		"version":  "1.0",
		"oldState": map[string]any{"stateValue": *ost, "stateReason": *ors, "stateReasonData": rawOrNil(*ord)},
		"newState": map[string]any{"stateValue": state, "stateReason": reason, "stateReasonData": rawOrNil(data)},
	})
	s.publishEvent(ctx, &rec, *ost, *ors, *ord, *oup, now)
	_, _, _, _, _, enabled, okA, alA, inA, desc := rec.common()
	if !*enabled {
		return true
	}
	actions := map[string][]string{StateOK: okA, StateAlarm: alA, StateInsufficientData: inA}[state]
	s.actMu.RLock()
	runner := s.actions
	s.actMu.RUnlock()
	acct, region, _ := strings.Cut(strings.TrimSuffix(scope, "/"), "/")
	for _, arn := range actions {
		as := AlarmState{AlarmName: name, AlarmARN: rec.arn(), Account: acct, Region: region, State: state, PreviousState: *ost,
			Reason: reason, ReasonData: data, Time: now, Description: desc}
		as.Namespace, as.MetricName, as.Dimensions = alarmMetric(rec.Metric)
		as.Dimensions = slices.Clone(as.Dimensions)
		var err error
		if runner == nil {
			err = fmt.Errorf("no action runner is configured")
		} else {
			err = runner.RunAlarmAction(identity.InService(ctx, "cloudwatch.amazonaws.com"), arn, as)
		}
		if err != nil {
			s.env.Log.Warn("cloudwatch: alarm action failed", "alarm", name, "action", arn, "err", err)
			s.addHistoryAt(ctx, &rec, now, "Action", fmt.Sprintf("Failed to execute action %s. Received error: %q", arn, err.Error()),
				map[string]any{"actionState": "Failed", "stateUpdateTimestamp": now.UnixMilli(), "error": err.Error()})
			continue
		}
		s.addHistoryAt(ctx, &rec, now, "Action", "Successfully executed action "+arn,
			map[string]any{"actionState": "Succeeded", "stateUpdateTimestamp": now.UnixMilli()})
	}
	return true
}

var errNoChange = fmt.Errorf("no change")

func rawOrNil(s string) any {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}

func (s *Service) publishEvent(ctx context.Context, rec *alarmRecord, prevState, prevReason, prevData string, prevTime, now time.Time) {
	if s.env.Events == nil {
		return
	}
	st, rs, rd, up, _, _, _, _, _, desc := rec.common()
	stateObj := func(v, r, d string, t time.Time) map[string]any {
		o := map[string]any{"value": v, "reason": r, "timestamp": t.UTC().Format(awsTime)}
		if d != "" {
			o["reasonData"] = d
		}
		return o
	}
	cfg := map[string]any{}
	if desc != "" {
		cfg["description"] = desc
	}
	if m := rec.Metric; m != nil {
		var metrics []map[string]any
		if len(m.Metrics) > 0 {
			for _, q := range m.Metrics {
				e := map[string]any{"id": q.Id, "returnData": q.ReturnData == nil || *q.ReturnData}
				if q.Expression != "" {
					e["expression"] = q.Expression
					if q.Label != "" {
						e["label"] = q.Label
					}
				}
				if q.MetricStat != nil && q.MetricStat.Metric != nil {
					e["metricStat"] = metricStatJSON(q.MetricStat.Metric.Namespace, q.MetricStat.Metric.MetricName, q.MetricStat.Metric.Dimensions, q.MetricStat.Period, q.MetricStat.Stat)
				}
				metrics = append(metrics, e)
			}
		} else {
			metrics = append(metrics, map[string]any{"id": uuid.NewSHA1(uuid.NameSpaceURL, []byte(m.AlarmArn)).String(), "returnData": true,
				"metricStat": metricStatJSON(m.Namespace, m.MetricName, m.Dimensions, m.Period, m.Statistic+m.ExtendedStatistic)})
		}
		cfg["metrics"] = metrics
	} else {
		cfg["alarmRule"] = rec.Composite.AlarmRule
		if rec.Composite.ActionsSuppressor != "" {
			cfg["actionsSuppressor"] = rec.Composite.ActionsSuppressor
		}
	}
	detail := map[string]any{
		"alarmName":     rec.name(),
		"state":         stateObj(*st, *rs, *rd, *up),
		"previousState": stateObj(prevState, prevReason, prevData, prevTime),
		"configuration": cfg,
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return
	}
	s.env.Events.Publish(ctx, eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: "CloudWatch Alarm State Change", Source: "aws.cloudwatch",
		Account: rec.Account, Region: rec.Region, Time: now.UTC(), Resources: []string{rec.arn()}, Detail: b,
	})
}

func metricStatJSON(ns, name string, dims []Dimension, period int32, stat string) map[string]any {
	dm := map[string]string{}
	for _, d := range dims {
		dm[d.Name] = d.Value
	}
	return map[string]any{"metric": map[string]any{"namespace": ns, "name": name, "dimensions": dm}, "period": period, "stat": stat}
}
