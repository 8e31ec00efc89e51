package pattern_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
)

var benchSources = []string{"aws.ec2", "aws.autoscaling", "aws.codecommit", "aws.codebuild", "aws.codepipeline",
	"aws.codedeploy", "aws.cloudwatch", "aws.s3", "myapp.orders", "myapp.billing"}

func benchRules(tb testing.TB) *pattern.Index {
	ids, ps := benchPatterns(tb)
	return pattern.NewIndex(ids, ps)
}

func benchPatterns(tb testing.TB) ([]string, []*pattern.Pattern) {
	var ids []string
	var ps []*pattern.Pattern
	for i := 0; i < 100; i++ {
		src := benchSources[i%len(benchSources)]
		var pat string
		switch i % 5 {
		case 0:
			pat = fmt.Sprintf(`{"source":[%q],"detail-type":["State Change %d"]}`, src, i%7)
		case 1:
			pat = fmt.Sprintf(`{"source":[%q],"detail":{"state":[{"prefix":"run"}],"count":[{"numeric":[">",%d,"<=",100]}]}}`, src, i%50)
		case 2:
			pat = fmt.Sprintf(`{"source":[%q],"detail":{"state":[{"anything-but":["stopped","terminated"]}],"ip":[{"cidr":"10.%d.0.0/16"}]}}`, src, i%4)
		case 3:
			pat = fmt.Sprintf(`{"source":[%q],"$or":[{"detail":{"name":[{"wildcard":"*-%d-*"}]}},{"detail":{"tags":["t%d"]}}]}`, src, i%9, i%5)
		case 4:
			pat = fmt.Sprintf(`{"source":[%q],"detail":{"missing":[{"exists":false}],"state":[{"equals-ignore-case":"RUNNING"}]}}`, src)
		}
		p, err := pattern.Compile(pat)
		if err != nil {
			tb.Fatalf("%s: %v", pat, err)
		}
		ids = append(ids, fmt.Sprintf("rule-%d", i))
		ps = append(ps, p)
	}
	return ids, ps
}

func benchEvents() [][]byte {
	var evs [][]byte
	for i := 0; i < 64; i++ {
		evs = append(evs, []byte(fmt.Sprintf(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf370346771%d","detail-type":"State Change %d","source":%q,"account":"111122223333","time":"2017-12-22T18:43:48Z","region":"us-west-1","resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],"detail":{"instance-id":"i-1234567890abcdef0","state":"running","count":%d,"ip":"10.%d.3.4","name":"web-%d-blue","tags":["t%d","prod"]}}`,
			i%10, i%7, benchSources[i%len(benchSources)], i, i%4, i%9, i%5)))
	}
	return evs
}

// BenchmarkIndexMatch: parse one event and match it against 100 rules.
func BenchmarkIndexMatch(b *testing.B) {
	ix := benchRules(b)
	evs := benchEvents()
	var dst []string
	n := 0
	matched := 0
	for b.Loop() {
		e, err := pattern.ParseEvent(evs[n%len(evs)])
		if err != nil {
			b.Fatal(err)
		}
		dst = ix.Match(e, dst[:0])
		matched += len(dst)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(matched)/float64(n), "matches/event")
}

// BenchmarkIndexMatchReuse: as BenchmarkIndexMatch, reusing the Event's buffers (what the
// EventBridge service does), on every core.
func BenchmarkIndexMatchReuse(b *testing.B) {
	ix := benchRules(b)
	evs := benchEvents()
	b.RunParallel(func(pb *testing.PB) {
		e := pattern.NewEvent()
		var dst []string
		n := 0
		for pb.Next() {
			if err := e.Parse(evs[n%len(evs)]); err != nil {
				b.Fatal(err)
			}
			dst = ix.Match(e, dst[:0])
			n++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkIndexMatchLazy: as the EventBridge service routes an event: the event restricted
// to the rules' paths, envelope fields added as strings, the detail flattened only if a
// candidate rule looks inside, buffers reused.
func BenchmarkIndexMatchLazy(b *testing.B) {
	ix := benchRules(b)
	type env struct {
		source, dt string
		detail     []byte
	}
	var evs []env
	for i := 0; i < 64; i++ {
		evs = append(evs, env{benchSources[i%len(benchSources)], fmt.Sprintf("State Change %d", i%7),
			[]byte(fmt.Sprintf(`{"instance-id":"i-1234567890abcdef0","state":"running","count":%d,"ip":"10.%d.3.4","name":"web-%d-blue","tags":["t%d","prod"]}`, i, i%4, i%9, i%5))})
	}
	e := pattern.NewEvent()
	e.Restrict(ix)
	var dst []string
	n := 0
	for b.Loop() {
		ev := &evs[n%len(evs)]
		e.Reset()
		e.AddString("version", "0")
		e.AddString("id", "6a7e8feb-b491-4cf7-a9f1-bf3703467718")
		e.AddString("detail-type", ev.dt)
		e.AddString("source", ev.source)
		e.AddString("account", "111122223333")
		e.AddString("time", "2017-12-22T18:43:48Z")
		e.AddString("region", "us-west-1")
		e.AddStrings("resources", []string{"arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"})
		e.AddJSONLazy("detail", ev.detail)
		dst = ix.Match(e, dst[:0])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkIndexMatchPreparsed: matching alone, the event already flattened.
func BenchmarkIndexMatchPreparsed(b *testing.B) {
	ix := benchRules(b)
	var evs []*pattern.Event
	for _, raw := range benchEvents() {
		e, _ := pattern.ParseEvent(raw)
		evs = append(evs, e)
	}
	var dst []string
	n := 0
	for b.Loop() {
		dst = ix.Match(evs[n%len(evs)], dst[:0])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// TestIndexAgreesWithPatterns: the index finds exactly what matching each pattern finds.
func TestIndexAgreesWithPatterns(t *testing.T) {
	ids, ps := benchPatterns(t)
	ix := pattern.NewIndex(ids, ps)
	total := 0
	for _, raw := range benchEvents() {
		e, err := pattern.ParseEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		got := ix.Match(e, nil)
		var want []string
		for i, p := range ps {
			if p.MatchEvent(e) {
				want = append(want, ids[i])
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("index %v, one by one %v", got, want)
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("benchmark rules match nothing")
	}
}

// BenchmarkIndexMatchJSON is the target: parse a whole JSON event (buffers reused,
// only the fields the rules look at kept) and match it against 100 rules, on one goroutine.
func BenchmarkIndexMatchJSON(b *testing.B) {
	ix := benchRules(b)
	evs := benchEvents()
	e := pattern.NewEvent()
	e.Restrict(ix)
	var dst []string
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		if err := e.Parse(evs[n%len(evs)]); err != nil {
			b.Fatal(err)
		}
		dst = ix.Match(e, dst[:0])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	// On a shared machine wall time counts the time other processes hold the CPU: report
	// the throughput per CPU-second this process used as well.
	b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
}

// cpuTime is the CPU time (user + system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIndexMatchJSONParallel is the same work from GOMAXPROCS goroutines sharing one
// Index, as PutEvents callers on several cores do: the service's throughput.
func BenchmarkIndexMatchJSONParallel(b *testing.B) {
	ix := benchRules(b)
	evs := benchEvents()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		e := pattern.NewEvent()
		e.Restrict(ix)
		var dst []string
		n := 0
		for pb.Next() {
			if err := e.Parse(evs[n%len(evs)]); err != nil {
				b.Error(err)
				return
			}
			dst = ix.Match(e, dst[:0])
			n++
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
