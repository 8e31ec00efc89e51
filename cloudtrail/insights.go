package cloudtrail

import (
	"strconv"
	"sync"
	"time"
)

// insightDetail is the body of an Insights event.
type insightDetail struct {
	state        string // Start or End
	insightType  string
	errorCode    string
	sharedID     string
	baseline     float64
	value        float64
	duration     int // minutes
	baselineMins int
}

type insightKey struct {
	account, region, source, name string
}

type minuteCount struct {
	minute      int64
	calls, errs int
}

type counter struct {
	src               *source
	who               *principal
	first, minute     int64
	calls, errs       int
	hist              []minuteCount
	sumCalls, sumErrs int
	active            [2]*activeInsight // call rate, error rate
}

type activeInsight struct {
	shared   string
	start    int64
	peak     float64
	baseline float64
	errCode  string
}

// insights tracks per-minute write-call and error counts per API against a trailing baseline.
// An Insight starts when a minute's count exceeds 3× the baseline average plus 10 and ends at
// the first minute back under it.
type insights struct {
	s        *Service
	mu       sync.Mutex
	counters map[insightKey]*counter
	lastErr  map[insightKey]string
	seq      uint64
}

func newInsights(s *Service) *insights {
	return &insights{s: s, counters: map[insightKey]*counter{}, lastErr: map[insightKey]string{}}
}

func minuteOf(t time.Time) int64 { return t.Unix() / 60 }

// observe counts r and appends the Insights events that closing earlier minutes produced.
func (in *insights) observe(r *record, out []record) []record {
	in.mu.Lock()
	defer in.mu.Unlock()
	k := insightKey{r.who.Account, r.who.Region, r.src.eventSource, r.name}
	m := minuteOf(r.t)
	c := in.counters[k]
	if c == nil {
		c = &counter{src: r.src, who: r.who, first: m, minute: m}
		in.counters[k] = c
	}
	if m > c.minute {
		out = in.close(k, c, m, out)
	}
	if m >= c.minute {
		c.calls++
		if code := r.errCode(); code != "" {
			c.errs++
			in.lastErr[k] = code
		}
	}
	return out
}

// close evaluates c's open minute and every empty minute up to (excluding) now.
func (in *insights) close(k insightKey, c *counter, now int64, out []record) []record {
	window := int64(in.s.opts.InsightBaselineWindow / time.Minute)
	minBase := int64(in.s.opts.InsightMinBaseline / time.Minute)
	for c.minute < now {
		elapsed := c.minute - c.first
		if elapsed > window {
			elapsed = window
		}
		if elapsed >= minBase && elapsed > 0 {
			for i, v := range [2]int{c.calls, c.errs} {
				sum := c.sumCalls
				typ := "ApiCallRateInsight"
				if i == 1 {
					sum, typ = c.sumErrs, "ApiErrorRateInsight"
				}
				base := float64(sum) / float64(elapsed)
				anomalous := float64(v) > 3*base+10
				a := c.active[i]
				switch {
				case anomalous && a == nil:
					in.seq++
					a = &activeInsight{shared: in.s.eventID(1<<47 | in.seq), start: c.minute, peak: float64(v), baseline: base}
					if i == 1 {
						a.errCode = in.lastErr[k]
					}
					c.active[i] = a
					out = append(out, in.event(c, k, typ, "Start", a, c.minute, int(elapsed)))
				case anomalous:
					if float64(v) > a.peak {
						a.peak = float64(v)
					}
				case a != nil:
					out = append(out, in.event(c, k, typ, "End", a, c.minute, int(elapsed)))
					c.active[i] = nil
				}
			}
		}
		if c.calls > 0 || c.errs > 0 {
			c.hist = append(c.hist, minuteCount{c.minute, c.calls, c.errs})
			c.sumCalls += c.calls
			c.sumErrs += c.errs
		}
		for len(c.hist) > 0 && c.hist[0].minute <= c.minute-window {
			c.sumCalls -= c.hist[0].calls
			c.sumErrs -= c.hist[0].errs
			c.hist = c.hist[1:]
		}
		c.calls, c.errs = 0, 0
		if c.active[0] == nil && c.active[1] == nil && len(c.hist) == 0 {
			// nothing to remember but the start of the baseline
			c.minute = now
			break
		}
		c.minute++
		if c.active[0] == nil && c.active[1] == nil && c.minute < now {
			c.minute = now // skip empty minutes: nothing can start in them
		}
	}
	return out
}

func (in *insights) event(c *counter, k insightKey, typ, state string, a *activeInsight, minute int64, baseMins int) record {
	t := time.Unix(a.start*60, 0).UTC()
	if state == "End" {
		t = time.Unix((minute)*60, 0).UTC()
	}
	return record{
		t: t, src: c.src, name: k.name, who: c.who, cat: catInsight,
		x: &extra{insight: &insightDetail{state: state, insightType: typ, errorCode: a.errCode, sharedID: a.shared,
			baseline: a.baseline, value: a.peak, duration: int(minute - a.start + 1), baselineMins: baseMins}},
	}
}

// insightTick closes the minutes that ended without traffic.
func (s *Service) insightTick(now time.Time) {
	in := s.ins
	m := minuteOf(now)
	var out []record
	in.mu.Lock()
	for k, c := range in.counters {
		if c.minute < m {
			out = in.close(k, c, m, out)
		}
		if c.active[0] == nil && c.active[1] == nil && len(c.hist) == 0 && c.minute < m-int64(s.opts.InsightBaselineWindow/time.Minute) {
			delete(in.counters, k)
		}
	}
	in.mu.Unlock()
	if len(out) == 0 {
		return
	}
	s.procMu.Lock()
	ptrs := s.hist.insert(out, now)
	s.persist(ptrs)
	pub := s.route(s.snap.Load(), ptrs)
	s.procMu.Unlock()
	s.publish(pub)
}

// appendInsight renders an Insights event.
func (s *Service) appendInsight(b []byte, r *record) []byte {
	d := r.insight()
	b = append(b, '{')
	b = appendField(b, "eventVersion", eventVersion)
	b = appendKey(b, "eventTime")
	b = appendTime(b, r.t)
	b = append(b, ',')
	b = appendField(b, "awsRegion", r.who.Region)
	b = appendField(b, "eventID", s.eventID(r.pos))
	b = appendField(b, "eventType", "AwsCloudTrailInsight")
	b = appendField(b, "recipientAccountId", r.who.Account)
	b = appendField(b, "sharedEventID", d.sharedID)
	b = append(b, `"insightDetails":{`...)
	b = appendField(b, "state", d.state)
	b = appendField(b, "eventSource", r.src.eventSource)
	b = appendField(b, "eventName", r.name)
	b = appendField(b, "insightType", d.insightType)
	if d.errorCode != "" {
		b = appendField(b, "errorCode", d.errorCode)
	}
	b = append(b, `"insightContext":{"statistics":{"baseline":{"average":`...)
	b = strconv.AppendFloat(b, d.baseline, 'f', -1, 64)
	b = append(b, `},"insight":{"average":`...)
	b = strconv.AppendFloat(b, d.value, 'f', -1, 64)
	b = append(b, `},"insightDuration":`...)
	b = strconv.AppendInt(b, int64(d.duration), 10)
	b = append(b, `,"baselineDuration":`...)
	b = strconv.AppendInt(b, int64(d.baselineMins), 10)
	b = append(b, `}}},"eventCategory":"Insight"}`...)
	return b
}
