package metrics

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/metrics/tsdb"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Options configures a Service. The zero value gives AWS's defaults.
type Options struct {
	// Actions runs alarm actions (SNS, Auto Scaling, EC2). Nil: actions are recorded in the
	// alarm history as failed ("no action runner"). SetActionRunner can set it later.
	Actions ActionRunner
	// MaxSeries caps the number of metric series kept in memory (0: 1,000,000).
	MaxSeries int
	// EvaluationInterval is how often alarms are evaluated (0: every minute, as AWS).
	EvaluationInterval time.Duration
	// DisableEvaluation stops the background evaluation loop; EvaluateAlarms still works.
	DisableEvaluation bool
}

// Service is CloudWatch metrics and alarms. It is safe for concurrent use.
type Service struct {
	env  *core.Env
	d    *dispatch.Dispatcher
	db   *tsdb.DB
	opts Options

	alarms  *store.Table[alarmRecord]
	history *store.Table[HistoryItem]

	actMu   sync.RWMutex
	actions ActionRunner

	evalMu sync.Mutex // one evaluation pass at a time

	scratch sync.Pool // *putScratch

	stop    chan struct{}
	done    chan struct{}
	closeMu sync.Once
}

// New returns a CloudWatch metrics service on env and starts its alarm evaluation loop.
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil || env.Clock == nil || env.Store == nil {
		return nil, fmt.Errorf("metrics: env with Clock and Store required")
	}
	if opts.EvaluationInterval <= 0 {
		opts.EvaluationInterval = time.Minute
	}
	s := &Service{
		env:     env,
		d:       env.Dispatcher("monitoring", "monitoring.amazonaws.com"),
		db:      tsdb.New(env.Clock, tsdb.Options{MaxSeries: opts.MaxSeries}),
		opts:    opts,
		alarms:  store.NewTable[alarmRecord](env.Store, "cloudwatch/alarm/"),
		history: store.NewTable[HistoryItem](env.Store, "cloudwatch/alarmhistory/"),
		actions: opts.Actions,
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if opts.DisableEvaluation {
		close(s.done)
	} else {
		// Arm the first tick before New returns, so a manual clock advanced at once still
		// evaluates the minute the service was created in.
		next := env.Clock.Now().Truncate(opts.EvaluationInterval).Add(opts.EvaluationInterval)
		go s.loop(context.Background(), next, env.Clock.NewTimer(next.Sub(env.Clock.Now())))
	}
	return s, nil
}

// SetActionRunner sets (or replaces) the runner of alarm actions.
func (s *Service) SetActionRunner(r ActionRunner) {
	s.actMu.Lock()
	s.actions = r
	s.actMu.Unlock()
}

// Close stops the evaluation loop and waits for it.
func (s *Service) Close(ctx context.Context) error {
	s.closeMu.Do(func() { close(s.stop) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maxCatchUp bounds how many missed ticks the loop evaluates after the clock jumps: beyond a
// day's worth it evaluates the most recent ones only.
const maxCatchUp = 1440

func (s *Service) loop(ctx context.Context, next time.Time, t clock.Timer) {
	defer close(s.done)
	iv := s.opts.EvaluationInterval
	for {
		select {
		case <-s.stop:
			t.Stop()
			return
		case <-t.C():
		}
		// Evaluate at every tick that has passed, each as of its own time, so a clock that
		// jumps several minutes at once (a manual clock) skips no evaluation.
		now := s.env.Clock.Now()
		if behind := now.Sub(next) / iv; behind >= maxCatchUp {
			next = next.Add((behind - maxCatchUp + 1) * iv)
		}
		for !next.After(now) {
			select {
			case <-s.stop:
				return
			default:
			}
			s.evaluateAt(ctx, next)
			next = next.Add(iv)
		}
		s.db.Compact()
		t = s.env.Clock.NewTimer(max(next.Sub(s.env.Clock.Now()), 0))
	}
}

// Publish records one value of an AWS metric (AWS/EC2 CPUUtilization, AWS/CodeBuild Builds,
// ...) on behalf of a service, in the caller's account and region (ctx; the platform's
// default when unset). Unlike PutMetricData it accepts AWS/ namespaces; it is not an API call.
func (s *Service) Publish(ctx context.Context, namespace, name string, dims map[string]string, value float64, unit string, t time.Time) error {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return invalid("The value %v for parameter Value is invalid.", value)
	}
	if unit == "" {
		unit = "None"
	}
	if t.IsZero() {
		t = s.env.Clock.Now()
	}
	key := tsdb.Key{Scope: s.scope(ctx), Namespace: namespace, Name: name}
	for k, v := range dims {
		key.Dims = append(key.Dims, tsdb.Dim{Name: k, Value: v})
	}
	return s.db.Add(key, t, unit, false, tsdb.Sample{N: 1, Sum: value, Min: value, Max: value})
}

func (s *Service) scope(ctx context.Context) string {
	a, r := core.Scope(ctx)
	if a == "" {
		a = s.env.Account
	}
	if r == "" {
		r = s.env.Region
	}
	return a + "/" + r + "/"
}

// PutMetricData publishes metric data points.
func (s *Service) PutMetricData(ctx context.Context, in *PutMetricDataInput) (*PutMetricDataOutput, error) {
	return dispatch.Do(ctx, s.d, "PutMetricData", in, s.putMetricData)
}

const maxValue = 0x1p360

// okValue reports whether v is a value CloudWatch accepts (finite, within ±2^360, and not
// closer to zero than 2^-360 unless zero).
func okValue(v float64) bool {
	a := math.Abs(v)
	return a <= maxValue && (a == 0 || a >= 0x1p-360) // false for NaN too
}

func checkValue(v float64, param fmt.Stringer) error {
	if !okValue(v) {
		return invalid("The value %s for parameter %s is invalid.", fmtFloat(v), param)
	}
	return nil
}

func fmtFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return fmt.Sprint(v)
}

func checkName(v, param string, maxLen int) error {
	if v == "" {
		return missing(param)
	}
	if utf8.RuneCountInString(v) > maxLen {
		return invalid("The parameter %s must be shorter than %d characters.", param, maxLen+1)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return invalid("The parameter %s must contain only ASCII printable characters.", param)
		}
	}
	if strings.TrimSpace(v) == "" {
		return invalid("The parameter %s must contain at least one non-whitespace character.", param)
	}
	return nil
}

func checkDims(dims []Dimension, param string) error {
	if len(dims) > 30 {
		return invalid("The collection %s must not have a size greater than 30.", param)
	}
	for j, d := range dims {
		p := func() string { return fmt.Sprintf("%s.member.%d", param, j+1) }
		if !okName(d.Name, 255) {
			return checkName(d.Name, p()+".Name", 255)
		}
		if strings.HasPrefix(d.Name, ":") {
			return invalid("The value %s for parameter %s.Name is invalid.", d.Name, p())
		}
		if !okName(d.Value, 1024) {
			return checkName(d.Value, p()+".Value", 1024)
		}
		for k := 0; k < j; k++ {
			if dims[k].Name == d.Name {
				return invalid("No metric may have duplicate dimension names. Dimension %s is duplicated.", d.Name)
			}
		}
	}
	return nil
}

// dimsOK is the fast path of checkDims.
func dimsOK(dims []Dimension) bool {
	if len(dims) > 30 {
		return false
	}
	for j, d := range dims {
		if !okName(d.Name, 255) || d.Name[0] == ':' || !okName(d.Value, 1024) {
			return false
		}
		for k := 0; k < j; k++ {
			if dims[k].Name == d.Name {
				return false
			}
		}
	}
	return true
}

// okName is the fast path of checkName.
func okName(v string, maxLen int) bool {
	if v == "" || len(v) > maxLen {
		return false
	}
	blank := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c != ' ' {
			blank = false
		}
	}
	return !blank
}

// path is a parameter path such as MetricData.member.3, formatted only when an error needs it.
type path struct {
	prefix string
	i      int
	suffix string
}

func (p path) String() string { return fmt.Sprintf("%s.member.%d%s", p.prefix, p.i+1, p.suffix) }

func (p path) with(suffix string) path { p.suffix += suffix; return p }

// valuePath names MetricData.member.N.Values.member.M, formatted only for an error.
type valuePath struct {
	p path
	j int
}

func (v valuePath) String() string { return fmt.Sprintf("%s.Values.member.%d", v.p, v.j+1) }

type preparedDatum struct {
	d       *MetricDatum
	t       time.Time
	unit    string
	highRes bool
	smp     tsdb.Sample
}

// putScratch is the reusable memory of one PutMetricData call (pooled), so the hot path does
// not allocate per datum.
type putScratch struct {
	prep []preparedDatum
	dims []tsdb.Dim
	id   []byte
}

// timeWindow is the range of timestamps PutMetricData accepts, computed once per call.
type timeWindow struct{ now, lo, hi time.Time }

func (s *Service) putMetricData(ctx context.Context, in *PutMetricDataInput) (*PutMetricDataOutput, error) {
	if err := checkName(in.Namespace, "Namespace", 255); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.Namespace, "AWS/") {
		return nil, invalid("The value %s for parameter Namespace is invalid.", in.Namespace)
	}
	if len(in.EntityMetricData) > 2 {
		return nil, invalid("The collection EntityMetricData must not have a size greater than 2.")
	}
	total := len(in.MetricData)
	for _, e := range in.EntityMetricData {
		total += len(e.MetricData)
	}
	if total == 0 {
		return nil, missing("MetricData")
	}
	if total > 1000 {
		return nil, invalid("The collection MetricData must not have a size greater than 1000.")
	}
	now := s.env.Clock.Now()
	win := timeWindow{now: now, lo: now.Add(-14 * 24 * time.Hour), hi: now.Add(2 * time.Hour)}
	size := len(in.Namespace) + 64
	sc, _ := s.scratch.Get().(*putScratch)
	if sc == nil {
		sc = &putScratch{}
	}
	defer func() {
		clear(sc.prep)
		clear(sc.dims)
		sc.prep, sc.dims = sc.prep[:0], sc.dims[:0]
		s.scratch.Put(sc)
	}()
	// Validate everything first: a call is applied entirely or not at all.
	add := func(prefix string, list []MetricDatum) error {
		for i := range list {
			sc.prep = append(sc.prep, preparedDatum{})
			if err := prepareDatum(&sc.prep[len(sc.prep)-1], &list[i], path{prefix: prefix, i: i}, &win, &size); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add("MetricData", in.MetricData); err != nil {
		return nil, err
	}
	for i, e := range in.EntityMetricData {
		if err := add(fmt.Sprintf("EntityMetricData.member.%d.MetricData", i+1), e.MetricData); err != nil {
			return nil, err
		}
	}
	if size > 1<<20 {
		return nil, ErrRequestTooLarge
	}
	scope := s.scope(ctx)
	var ser *tsdb.Series
	var prev *MetricDatum
	for i := range sc.prep {
		p := &sc.prep[i]
		if prev == nil || !sameSeries(prev, p.d) {
			var err error
			if ser, err = s.seriesOf(sc, scope, in.Namespace, p.d); err != nil {
				return nil, ErrLimitExceeded.With("Too many metrics: %v", err)
			}
			prev = p.d
		}
		ser.Add(now, p.t, p.unit, p.highRes, p.smp)
	}
	return &PutMetricDataOutput{}, nil
}

// sameSeries reports whether two data of one call name the same metric (same name and the
// same dimensions in the same order).
func sameSeries(a, b *MetricDatum) bool {
	return a.MetricName == b.MetricName && slices.Equal(a.Dimensions, b.Dimensions)
}

// seriesOf finds (or creates) the series of d without allocating when it exists.
func (s *Service) seriesOf(sc *putScratch, scope, ns string, d *MetricDatum) (*tsdb.Series, error) {
	sc.dims = sc.dims[:0]
	for _, dm := range d.Dimensions {
		sc.dims = append(sc.dims, tsdb.Dim{Name: dm.Name, Value: dm.Value})
	}
	tsdb.SortDims(sc.dims)
	sc.id = tsdb.AppendID(sc.id[:0], scope, ns, d.MetricName, sc.dims)
	return s.db.SeriesID(sc.id, tsdb.Key{Scope: scope, Namespace: ns, Name: d.MetricName, Dims: sc.dims})
}

// prepareDatum validates d into out without allocating (except to build an error).
func prepareDatum(out *preparedDatum, d *MetricDatum, p path, win *timeWindow, size *int) error {
	out.d = d
	if !okName(d.MetricName, 255) {
		return checkName(d.MetricName, p.with(".MetricName").String(), 255)
	}
	if len(d.Dimensions) > 0 && !dimsOK(d.Dimensions) {
		if err := checkDims(d.Dimensions, p.with(".Dimensions").String()); err != nil {
			return err
		}
	}
	*size += len(d.MetricName) + 48 + 24*(len(d.Values)+len(d.Counts))
	for _, dm := range d.Dimensions {
		*size += len(dm.Name) + len(dm.Value) + 48
	}
	unit := d.Unit
	if unit == "" {
		unit = "None"
	} else if !validUnits[unit] {
		return invalid("The value %s for parameter %s.Unit is invalid.", unit, p)
	}
	if d.StorageResolution != nil && *d.StorageResolution != 1 && *d.StorageResolution != 60 {
		return invalid("The value %d for parameter %s.StorageResolution is invalid.", *d.StorageResolution, p)
	}
	t := d.Timestamp
	if t.IsZero() {
		t = win.now
	}
	if t.Before(win.lo) {
		return invalid("The parameter %s.Timestamp must specify a time no more than two weeks in the past.", p)
	}
	if t.After(win.hi) {
		return invalid("The parameter %s.Timestamp must specify a time no more than two hours in the future.", p)
	}
	n := 0
	if d.Value != nil {
		n++
	}
	if d.StatisticValues != nil {
		n++
	}
	if len(d.Values) > 0 {
		n++
	}
	if n > 1 {
		return combination("The parameters %s.Value, %s.StatisticValues and %s.Values are mutually exclusive and you have specified more than one.", p, p, p)
	}
	if len(d.Counts) > 0 && len(d.Values) == 0 {
		return combination("The parameter %s.Counts may only be specified with %s.Values.", p, p)
	}
	var smp tsdb.Sample
	switch {
	case d.Value != nil:
		v := *d.Value
		if !okValue(v) {
			return checkValue(v, p.with(".Value"))
		}
		// Values nil: one value (tsdb.Sample).
		smp = tsdb.Sample{N: 1, Sum: v, Min: v, Max: v}
	case d.StatisticValues != nil:
		sv := d.StatisticValues
		for _, f := range [...]struct {
			name string
			v    *float64
		}{{"SampleCount", sv.SampleCount}, {"Sum", sv.Sum}, {"Minimum", sv.Minimum}, {"Maximum", sv.Maximum}} {
			if f.v == nil {
				return missing(p.with(".StatisticValues." + f.name).String())
			}
			if !okValue(*f.v) {
				return checkValue(*f.v, p.with(".StatisticValues."+f.name))
			}
		}
		c, sum, mn, mx := *sv.SampleCount, *sv.Sum, *sv.Minimum, *sv.Maximum
		if c <= 0 {
			return invalid("The value %s for parameter %s.StatisticValues.SampleCount is invalid.", fmtFloat(c), p)
		}
		if mn > mx {
			return invalid("The parameter %s.StatisticValues.Minimum must be less than or equal to %s.StatisticValues.Maximum.", p, p)
		}
		smp = tsdb.Sample{N: c, Sum: sum, Min: mn, Max: mx}
		// Percentiles are available only when the values are known: c times one value
		// (Values nil with Min == Max, see tsdb.Sample).
		if mn != mx || math.Abs(sum-mn*c) > 1e-9*math.Max(1, math.Abs(sum)) {
			smp.NoValues = true
		}
	case len(d.Values) > 0:
		if len(d.Values) > 150 {
			return invalid("The collection %s.Values must not have a size greater than 150.", p)
		}
		if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
			return invalid("The parameters %s.Values and %s.Counts must be of the same size.", p, p)
		}
		smp.Values, smp.Counts = d.Values, d.Counts
		smp.Min, smp.Max = math.Inf(1), math.Inf(-1)
		for j, v := range d.Values {
			if !okValue(v) {
				return checkValue(v, valuePath{p, j})
			}
			w := 1.0
			if d.Counts != nil {
				w = d.Counts[j]
				if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
					return invalid("The value %s for parameter %s.Counts.member.%d is invalid.", fmtFloat(w), p, j+1)
				}
			}
			smp.N += w
			smp.Sum += v * w
			smp.Min = min(smp.Min, v)
			smp.Max = max(smp.Max, v)
		}
		if smp.N == 0 {
			return invalid("The parameter %s.Counts must contain at least one positive count.", p)
		}
	default:
		return combination("At least one of the parameters %s.Value, %s.StatisticValues or %s.Values must be specified.", p, p, p)
	}
	out.t, out.unit, out.smp = t, unit, smp
	out.highRes = d.StorageResolution != nil && *d.StorageResolution == 1
	return nil
}

// GetMetricStatistics returns statistics of one metric.
func (s *Service) GetMetricStatistics(ctx context.Context, in *GetMetricStatisticsInput) (*GetMetricStatisticsOutput, error) {
	return dispatch.Do(ctx, s.d, "GetMetricStatistics", in, s.getMetricStatistics)
}

func checkPeriod(p int32, param string) error {
	switch {
	case p <= 0:
		return invalid("The parameter %s must be greater than 0.", param)
	case p < 60 && p != 1 && p != 5 && p != 10 && p != 20 && p != 30:
		return invalid("The parameter %s must be 1, 5, 10, 20, 30, 60, or any multiple of 60.", param)
	case p >= 60 && p%60 != 0:
		return invalid("The parameter %s must be a multiple of 60.", param)
	}
	return nil
}

// alignStart rounds start down as CloudWatch does for a period.
func alignStart(start time.Time, period int64) time.Time {
	a := int64(1)
	switch {
	case period%3600 == 0:
		a = 3600
	case period%300 == 0:
		a = 300
	case period%60 == 0:
		a = 60
	default:
		a = period
	}
	u := start.Unix()
	u -= ((u % a) + a) % a
	return time.Unix(u, 0).UTC()
}

func (s *Service) getMetricStatistics(ctx context.Context, in *GetMetricStatisticsInput) (*GetMetricStatisticsOutput, error) {
	if err := checkName(in.Namespace, "Namespace", 255); err != nil {
		return nil, err
	}
	if err := checkName(in.MetricName, "MetricName", 255); err != nil {
		return nil, err
	}
	if in.StartTime.IsZero() {
		return nil, missing("StartTime")
	}
	if in.EndTime.IsZero() {
		return nil, missing("EndTime")
	}
	if in.Period == 0 {
		return nil, missing("Period")
	}
	if err := checkPeriod(in.Period, "Period"); err != nil {
		return nil, err
	}
	if err := checkDims(in.Dimensions, "Dimensions"); err != nil {
		return nil, err
	}
	if !in.StartTime.Before(in.EndTime) {
		return nil, invalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, combination("Must specify either Statistics or ExtendedStatistics, but not both.")
	}
	if len(in.Statistics) > 0 && len(in.ExtendedStatistics) > 0 {
		return nil, combination("Must specify either Statistics or ExtendedStatistics, but not both.")
	}
	if len(in.Statistics) > 5 {
		return nil, invalid("The collection Statistics must not have a size greater than 5.")
	}
	if len(in.ExtendedStatistics) > 10 {
		return nil, invalid("The collection ExtendedStatistics must not have a size greater than 10.")
	}
	if in.Unit != "" && !validUnits[in.Unit] {
		return nil, invalid("The value %s for parameter Unit is invalid.", in.Unit)
	}
	var stats []tsdb.Stat
	for i, name := range in.Statistics {
		if !simpleStats[name] {
			return nil, invalid("The value %s for parameter Statistics.member.%d is invalid.", name, i+1)
		}
		st, _ := tsdb.ParseStat(name)
		stats = append(stats, st)
	}
	for i, name := range in.ExtendedStatistics {
		st, err := tsdb.ParseStat(name)
		if err != nil || st.Simple() {
			return nil, invalid("The value %s for parameter ExtendedStatistics.member.%d is invalid.", name, i+1)
		}
		stats = append(stats, st)
	}
	period := int64(in.Period)
	start := alignStart(in.StartTime, period)
	if n := (in.EndTime.Unix() - start.Unix() + period - 1) / period; n > 1440 {
		return nil, combination("You have requested up to %d datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n)
	}
	out := &GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []Datapoint{}}
	key := tsdb.Key{Scope: s.scope(ctx), Namespace: in.Namespace, Name: in.MetricName}
	for _, d := range in.Dimensions {
		key.Dims = append(key.Dims, tsdb.Dim{Name: d.Name, Value: d.Value})
	}
	ser := s.db.Get(key)
	if ser == nil {
		return out, nil
	}
	// Distributions are copied only when an extended statistic needs them.
	for _, pt := range ser.QueryStats(s.env.Clock.Now(), start, in.EndTime, period, in.Unit, len(in.ExtendedStatistics) > 0) {
		dp := Datapoint{Timestamp: pt.T, Unit: pt.Unit}
		for _, st := range stats {
			v, ok := pt.Agg.Value(st)
			if !ok {
				continue
			}
			switch st.Kind {
			case tsdb.SampleCount:
				dp.SampleCount = &v
			case tsdb.Sum:
				dp.Sum = &v
			case tsdb.Average:
				dp.Average = &v
			case tsdb.Minimum:
				dp.Minimum = &v
			case tsdb.Maximum:
				dp.Maximum = &v
			default:
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[st.Name] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

// ListMetrics lists the metrics that have data, 500 per page.
func (s *Service) ListMetrics(ctx context.Context, in *ListMetricsInput) (*ListMetricsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListMetrics", in, s.listMetrics)
}

func (s *Service) listMetrics(ctx context.Context, in *ListMetricsInput) (*ListMetricsOutput, error) {
	if in.RecentlyActive != "" && in.RecentlyActive != "PT3H" {
		return nil, invalid("The value %s for parameter RecentlyActive is invalid.", in.RecentlyActive)
	}
	if len(in.Dimensions) > 10 {
		return nil, invalid("The collection Dimensions must not have a size greater than 10.")
	}
	for i, f := range in.Dimensions {
		if f.Name == "" {
			return nil, missing(fmt.Sprintf("Dimensions.member.%d.Name", i+1))
		}
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "lm:") {
			return nil, ErrInvalidNextToken.With("Invalid NextToken.")
		}
		after = string(b[3:])
	}
	now := s.env.Clock.Now()
	horizon := now.Add(-14 * 24 * time.Hour)
	if in.RecentlyActive == "PT3H" {
		horizon = now.Add(-3 * time.Hour)
	}
	type item struct {
		sort string
		m    Metric
	}
	var items []item
	s.db.Each(s.scope(ctx), func(ser *tsdb.Series) bool {
		k := ser.Key
		if in.Namespace != "" && k.Namespace != in.Namespace {
			return true
		}
		if in.MetricName != "" && k.Name != in.MetricName {
			return true
		}
		for _, f := range in.Dimensions {
			found := false
			for _, d := range k.Dims {
				if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
					found = true
					break
				}
			}
			if !found {
				return true
			}
		}
		if ser.LastActive().Before(horizon) {
			return true
		}
		m := Metric{Namespace: k.Namespace, MetricName: k.Name, Dimensions: []Dimension{}}
		var sb strings.Builder
		sb.WriteString(k.Namespace + "\x00" + k.Name + "\x00")
		for _, d := range k.Dims {
			m.Dimensions = append(m.Dimensions, Dimension{Name: d.Name, Value: d.Value})
			sb.WriteString(d.Name + "\x01" + d.Value + "\x02")
		}
		if sk := sb.String(); sk > after {
			items = append(items, item{sk, m})
		}
		return true
	})
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.sort, b.sort) })
	out := &ListMetricsOutput{Metrics: []Metric{}}
	const page = 500
	for i, it := range items {
		if i == page {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("lm:" + items[i-1].sort))
			break
		}
		out.Metrics = append(out.Metrics, it.m)
	}
	if in.IncludeLinkedAccounts != nil && *in.IncludeLinkedAccounts {
		a, _ := core.Scope(ctx)
		for range out.Metrics {
			out.OwningAccounts = append(out.OwningAccounts, a)
		}
	}
	return out, nil
}
