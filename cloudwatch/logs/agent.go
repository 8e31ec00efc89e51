package logs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// AgentHost is what the CloudWatch agent needs from a host: its identity and its filesystem.
// The root adapts ec2sim hosts to it (Files is hostfs's IOFS("/")).
type AgentHost interface {
	// ID is the instance ID, for {instance_id}.
	ID() string
	// Hostname is the host's name, for {hostname} and {local_hostname}.
	Hostname() string
	// Files is the host's filesystem rooted at "/": names are absolute paths without the
	// leading slash ("var/log/app/app.log").
	Files() fs.FS
}

// AgentConfig is the CloudWatch agent's JSON configuration (the parts about logs).
type AgentConfig struct {
	Agent struct {
		Region string `json:"region,omitempty"`
	} `json:"agent"`
	Logs struct {
		LogsCollected struct {
			Files struct {
				CollectList []AgentFile `json:"collect_list"`
			} `json:"files"`
		} `json:"logs_collected"`
		LogStreamName      string `json:"log_stream_name,omitempty"`
		ForceFlushInterval int    `json:"force_flush_interval,omitempty"` // seconds; 0: 5
	} `json:"logs"`
}

// AgentFile is one collect_list entry.
type AgentFile struct {
	FilePath              string `json:"file_path"`
	LogGroupName          string `json:"log_group_name,omitempty"`
	LogStreamName         string `json:"log_stream_name,omitempty"`
	TimestampFormat       string `json:"timestamp_format,omitempty"`
	Timezone              string `json:"timezone,omitempty"`
	MultiLineStartPattern string `json:"multi_line_start_pattern,omitempty"`
	RetentionInDays       int    `json:"retention_in_days,omitempty"`
	LogGroupClass         string `json:"log_group_class,omitempty"`
}

// ParseAgentConfig parses and checks an agent configuration file.
func ParseAgentConfig(data []byte) (*AgentConfig, error) {
	var c AgentConfig
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	for i, f := range c.Logs.LogsCollected.Files.CollectList {
		if f.FilePath == "" {
			return nil, fmt.Errorf("logs.logs_collected.files.collect_list[%d]: file_path is required", i)
		}
		if _, err := compileTimestamp(f.TimestampFormat); err != nil {
			return nil, fmt.Errorf("logs.logs_collected.files.collect_list[%d].timestamp_format: %v", i, err)
		}
		if p := f.MultiLineStartPattern; p != "" && p != "{timestamp_format}" {
			if _, err := regexp.Compile(p); err != nil {
				return nil, fmt.Errorf("logs.logs_collected.files.collect_list[%d].multi_line_start_pattern: %v", i, err)
			}
		}
		if f.RetentionInDays != 0 && f.RetentionInDays != -1 {
			if err := validateDays(f.RetentionInDays); err != nil {
				return nil, fmt.Errorf("logs.logs_collected.files.collect_list[%d].retention_in_days: %d is not an allowed value", i, f.RetentionInDays)
			}
		}
	}
	return &c, nil
}

// Agent is the CloudWatch agent running on one host.
type Agent struct {
	s      *Service
	host   AgentHost
	ctx    context.Context
	cfg    *AgentConfig
	files  []agentFile
	start  time.Time
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex // one tick at a time
	state  map[string]*tailState
	ready  map[string]bool // group/stream known to exist
	lines  atomic.Int64
	ticks  atomic.Int64
	closed atomic.Bool
}

type agentFile struct {
	AgentFile
	ts    *tsFormat
	start *regexp.Regexp // multi-line start
}

type tailState struct {
	offset  int64
	print   [32]byte // hash of the first bytes, to notice a replaced file
	printN  int
	pending *pendingEvent // multi-line event waiting for its end (held for one flush)
}

type pendingEvent struct {
	ts  int64
	msg strings.Builder
}

// AttachAgent starts the CloudWatch agent on host with cfg: every force_flush_interval (5 s)
// of the platform clock it ships new lines of the configured files, creating groups and
// streams when missing. An agent already running on the host is replaced.
func (s *Service) AttachAgent(ctx context.Context, host AgentHost, cfg *AgentConfig) (*Agent, error) {
	if s.closed.Load() {
		return nil, errors.New("logs: service closed")
	}
	a := &Agent{s: s, host: host, ctx: context.WithoutCancel(ctx), cfg: cfg, start: s.now(), stop: make(chan struct{}), done: make(chan struct{}),
		state: map[string]*tailState{}, ready: map[string]bool{}}
	for _, f := range cfg.Logs.LogsCollected.Files.CollectList {
		af := agentFile{AgentFile: f}
		var err error
		if af.ts, err = compileTimestamp(f.TimestampFormat); err != nil {
			return nil, err
		}
		switch p := f.MultiLineStartPattern; {
		case p == "{timestamp_format}" && af.ts != nil:
			af.start = af.ts.re
		case p != "" && p != "{timestamp_format}":
			if af.start, err = regexp.Compile(p); err != nil {
				return nil, err
			}
		}
		a.files = append(a.files, af)
	}
	interval := time.Duration(cfg.Logs.ForceFlushInterval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	s.agentMu.Lock()
	old := s.agents[host.ID()]
	s.agents[host.ID()] = a
	s.bg.Add(1)
	s.agentMu.Unlock()
	if old != nil {
		old.Stop()
	}
	t := s.env.Clock.NewTimer(interval) // armed before Run returns: a manual clock may move at once
	go func() {
		defer s.bg.Done()
		defer close(a.done)
		for {
			select {
			case <-t.C():
				a.Sync(a.ctx)
				a.ticks.Add(1)
				t = s.env.Clock.NewTimer(interval)
			case <-a.stop:
				t.Stop()
				a.Sync(a.ctx) // ship what is left, as the agent does on stop
				return
			case <-s.bgCtx.Done():
				t.Stop()
				return
			}
		}
	}()
	return a, nil
}

// Agent returns the agent running on the host with this ID, or nil.
func (s *Service) Agent(hostID string) *Agent {
	s.agentMu.Lock()
	defer s.agentMu.Unlock()
	return s.agents[hostID]
}

// Stop ships what is left and stops the agent; it waits for its last flush.
func (a *Agent) Stop() {
	if a.closed.CompareAndSwap(false, true) {
		close(a.stop)
		a.s.agentMu.Lock()
		if a.s.agents[a.host.ID()] == a {
			delete(a.s.agents, a.host.ID())
		}
		a.s.agentMu.Unlock()
	}
	<-a.done
}

// Running reports whether the agent is running.
func (a *Agent) Running() bool { return !a.closed.Load() }

// Lines is how many log lines (events) the agent has shipped.
func (a *Agent) Lines() int64 { return a.lines.Load() }

// Ticks is how many timed flushes have run.
func (a *Agent) Ticks() int64 { return a.ticks.Load() }

// Config returns the agent's configuration.
func (a *Agent) Config() *AgentConfig { return a.cfg }

// Sync reads the configured files now and ships new complete lines (the timed flush does this
// every force_flush_interval).
func (a *Agent) Sync(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fsys := a.host.Files()
	for _, f := range a.files {
		pat := strings.TrimPrefix(f.FilePath, "/")
		matches, err := fs.Glob(fsys, pat)
		if err != nil {
			continue
		}
		sort.Strings(matches)
		for _, m := range matches {
			a.tail(ctx, fsys, f, m)
		}
	}
}

func (a *Agent) expand(s string) string {
	r := strings.NewReplacer("{instance_id}", a.host.ID(), "{hostname}", a.host.Hostname(), "{local_hostname}", a.host.Hostname(),
		"{ip_address}", "127.0.0.1")
	return r.Replace(s)
}

func (a *Agent) tail(ctx context.Context, fsys fs.FS, f agentFile, name string) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return
	}
	st := a.state[name]
	if st == nil {
		st = &tailState{}
		a.state[name] = st
	}
	// Rotation: a replaced file (its first bytes changed) or a truncated one starts over.
	n := min(len(data), 256)
	sum := sha256.Sum256(data[:n])
	if int64(len(data)) < st.offset || (st.printN > 0 && (n < st.printN || sha256.Sum256(data[:st.printN]) != st.print)) {
		st.offset, st.pending = 0, nil
	}
	if n > st.printN {
		st.print, st.printN = sum, n
	}
	chunk := data[st.offset:]
	end := bytes.LastIndexByte(chunk, '\n')
	var events []InputLogEvent
	now := a.s.now()
	flushPending := func() {
		if st.pending != nil {
			events = append(events, InputLogEvent{Timestamp: st.pending.ts, Message: st.pending.msg.String()})
			st.pending = nil
		}
	}
	if end >= 0 {
		for _, line := range strings.Split(string(chunk[:end]), "\n") {
			line = strings.TrimSuffix(line, "\r")
			ts := now.UnixMilli()
			if f.ts != nil {
				if t, ok := f.ts.find(line, f.Timezone, now); ok {
					ts = t.UnixMilli()
				}
			}
			if f.start != nil {
				if f.start.MatchString(line) || st.pending == nil {
					flushPending()
					st.pending = &pendingEvent{ts: ts}
					st.pending.msg.WriteString(line)
				} else {
					st.pending.msg.WriteByte('\n')
					st.pending.msg.WriteString(line)
				}
				continue
			}
			if line == "" {
				continue // the agent does not ship empty lines
			}
			events = append(events, InputLogEvent{Timestamp: ts, Message: line})
		}
		st.offset += int64(end + 1)
	} else if st.pending != nil {
		// nothing new since the last flush: the multi-line event held then is complete
		flushPending()
	}
	if len(events) == 0 {
		return
	}
	group := a.expand(f.LogGroupName)
	if group == "" {
		group = f.FilePath
	}
	streamName := f.LogStreamName
	if streamName == "" {
		streamName = a.cfg.Logs.LogStreamName
	}
	if streamName == "" {
		streamName = "{instance_id}"
	}
	streamName = a.expand(streamName)
	if err := a.ensure(ctx, group, streamName, f); err != nil {
		a.s.log.Warn("logs agent: cannot create destination", "host", a.host.ID(), "group", group, "err", err)
		return
	}
	a.ship(ctx, group, streamName, events)
}

func (a *Agent) ensure(ctx context.Context, group, stream string, f agentFile) error {
	key := group + "\x00" + stream
	if a.ready[key] {
		if _, _, err := a.s.streamOf(ctx, group, stream); err == nil {
			return nil
		}
	}
	_, err := a.s.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: group, LogGroupClass: f.LogGroupClass})
	if err == nil && f.RetentionInDays > 0 {
		_, err = a.s.PutRetentionPolicy(ctx, &PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: f.RetentionInDays})
	}
	if err != nil && !isAlreadyExists(err) {
		return err
	}
	if _, err := a.s.CreateLogStream(ctx, &CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil && !isAlreadyExists(err) {
		return err
	}
	a.ready[key] = true
	return nil
}

// ship puts events in batches that keep AWS's limits (sorted, ≤ 10,000 events, ≤ 1 MiB,
// ≤ 24 hours each); oversized events are truncated as the agent does.
func (a *Agent) ship(ctx context.Context, group, stream string, events []InputLogEvent) {
	for i := range events {
		if len(events[i].Message)+EventOverhead > MaxEventBytes {
			events[i].Message = events[i].Message[:MaxEventBytes-EventOverhead]
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Timestamp < events[j].Timestamp })
	for len(events) > 0 {
		n, size := 0, 0
		for n < len(events) && n < MaxBatchEvents {
			sz := len(events[n].Message) + EventOverhead
			if size+sz > MaxBatchBytes || events[n].Timestamp-events[0].Timestamp > maxBatchSpan.Milliseconds() {
				break
			}
			size += sz
			n++
		}
		_, err := a.s.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events[:n]})
		if err != nil {
			a.s.log.Warn("logs agent: PutLogEvents failed", "host", a.host.ID(), "group", group, "err", err)
		} else {
			a.lines.Add(int64(n))
		}
		events = events[n:]
	}
}

// ---- timestamp_format (strftime as the agent documents it) ----

type tsFormat struct {
	layout string
	re     *regexp.Regexp
}

var strftime = map[byte][2]string{
	'Y': {"2006", `\d{4}`}, 'y': {"06", `\d{2}`}, 'm': {"01", `\d{2}`}, 'd': {"02", `\d{2}`}, 'H': {"15", `\d{2}`},
	'M': {"04", `\d{2}`}, 'S': {"05", `\d{2}`}, 'b': {"Jan", `[A-Z][a-z]{2}`}, 'B': {"January", `[A-Z][a-z]+`},
	'a': {"Mon", `[A-Z][a-z]{2}`}, 'A': {"Monday", `[A-Z][a-z]+`}, 'p': {"PM", `[AP]M`}, 'I': {"03", `\d{2}`},
	'Z': {"MST", `[A-Z]{2,5}`}, 'z': {"-0700", `[+-]\d{4}`}, 'f': {"000000000", `\d{1,9}`},
}

var strftimeNoPad = map[byte][2]string{
	'm': {"1", `\d{1,2}`}, 'd': {"2", `\d{1,2}`}, 'I': {"3", `\d{1,2}`}, 'M': {"4", `\d{1,2}`}, 'S': {"5", `\d{1,2}`},
}

func compileTimestamp(format string) (*tsFormat, error) {
	if format == "" {
		return nil, nil
	}
	var layout, re strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			layout.WriteByte(c)
			re.WriteString(regexp.QuoteMeta(string(c)))
			continue
		}
		i++
		tbl := strftime
		if format[i] == '-' && i+1 < len(format) {
			i++
			tbl = strftimeNoPad
		}
		d, ok := tbl[format[i]]
		if !ok {
			return nil, fmt.Errorf("unsupported directive %%%c", format[i])
		}
		if format[i] == 'f' {
			// Go layouts want fractional seconds after a dot or comma
			l := layout.String()
			if strings.HasSuffix(l, ".") || strings.HasSuffix(l, ",") {
				layout.Reset()
				layout.WriteString(l[:len(l)-1])
				layout.WriteString(l[len(l)-1:] + "999999999")
				re.WriteString(d[1])
				continue
			}
		}
		layout.WriteString(d[0])
		re.WriteString(d[1])
	}
	r, err := regexp.Compile(re.String())
	if err != nil {
		return nil, err
	}
	return &tsFormat{layout: layout.String(), re: r}, nil
}

func (f *tsFormat) find(line, tz string, now time.Time) (time.Time, bool) {
	m := f.re.FindString(line)
	if m == "" {
		return time.Time{}, false
	}
	loc := time.UTC
	t, err := time.ParseInLocation(f.layout, m, loc)
	if err != nil {
		return time.Time{}, false
	}
	if !strings.Contains(f.layout, "2006") && !strings.Contains(f.layout, "06") {
		t = t.AddDate(now.Year(), 0, 0) // formats without a year mean this year
	}
	_ = tz
	return t, true
}

// ---- amazon-cloudwatch-agent-ctl ----

// AgentCtl is the host command amazon-cloudwatch-agent-ctl (the root registers it on every
// host): -a fetch-config|append-config|remove-config|start|stop|status, -m ec2|onPremise,
// -c file:/path|default, -s (start after fetching). It returns the exit code.
func (s *Service) AgentCtl(ctx context.Context, host AgentHost, args []string, stdout, stderr io.Writer) int {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	var action, mode, cfgSrc string
	start := false
	for i := 1; i < len(args); i++ {
		arg := args[i]
		val := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch arg {
		case "-a":
			action = val()
		case "-m":
			mode = val()
		case "-c":
			cfgSrc = val()
		case "-s":
			start = true
		case "-h", "--help":
			fmt.Fprintln(stdout, "usage: amazon-cloudwatch-agent-ctl -a fetch-config|append-config|remove-config|start|stop|status [-m ec2|onPremise|auto] [-c file:<path>|default] [-s]")
			return 0
		default:
			fmt.Fprintf(stderr, "unknown option %s\n", arg)
			return 1
		}
	}
	if mode != "" && mode != "ec2" && mode != "onPremise" && mode != "onPrem" && mode != "auto" {
		fmt.Fprintf(stderr, "invalid mode %q\n", mode)
		return 1
	}
	statusOut := func() {
		a := s.Agent(host.ID())
		st := map[string]string{"status": "stopped", "starttime": "", "configstatus": "not configured", "version": "1.300049.1"}
		s.agentMu.Lock()
		cfg := s.agentCfg[host.ID()]
		s.agentMu.Unlock()
		if cfg != nil {
			st["configstatus"] = "configured"
		}
		if a != nil {
			st["status"] = "running"
			st["starttime"] = a.start.UTC().Format("2006-01-02T15:04:05+00:00")
		}
		b, _ := json.MarshalIndent(st, "", "  ")
		fmt.Fprintln(stdout, string(b))
	}
	startAgent := func() int {
		s.agentMu.Lock()
		cfg := s.agentCfg[host.ID()]
		s.agentMu.Unlock()
		if cfg == nil {
			cfg = &AgentConfig{}
		}
		if _, err := s.AttachAgent(ctx, host, cfg); err != nil {
			fmt.Fprintf(stderr, "E! cannot start the agent: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "amazon-cloudwatch-agent has been started")
		return 0
	}
	switch action {
	case "fetch-config", "append-config":
		var data []byte
		switch {
		case cfgSrc == "" || cfgSrc == "default":
			data = []byte(`{"logs":{"logs_collected":{"files":{"collect_list":[]}}}}`)
		case strings.HasPrefix(cfgSrc, "file:"):
			p := strings.TrimPrefix(strings.TrimPrefix(cfgSrc, "file:"), "/")
			b, err := fs.ReadFile(host.Files(), p)
			if err != nil {
				fmt.Fprintf(stderr, "E! cannot read the configuration %s: %v\n", cfgSrc, err)
				return 1
			}
			data = b
		case strings.HasPrefix(cfgSrc, "ssm:"):
			fmt.Fprintf(stderr, "E! %s: SSM Parameter Store is not available in devopsim; use file:\n", cfgSrc)
			return 1
		default:
			fmt.Fprintf(stderr, "E! invalid configuration location %q\n", cfgSrc)
			return 1
		}
		cfg, err := ParseAgentConfig(data)
		if err != nil {
			fmt.Fprintf(stderr, "E! invalid configuration %s: %v\nConfiguration validation first phase failed.\n", cfgSrc, err)
			return 1
		}
		fmt.Fprintln(stdout, "Configuration validation first phase succeeded")
		s.agentMu.Lock()
		if old := s.agentCfg[host.ID()]; action == "append-config" && old != nil {
			merged := *old
			merged.Logs.LogsCollected.Files.CollectList = append(append([]AgentFile{}, old.Logs.LogsCollected.Files.CollectList...), cfg.Logs.LogsCollected.Files.CollectList...)
			cfg = &merged
		}
		s.agentCfg[host.ID()] = cfg
		running := s.agents[host.ID()] != nil
		s.agentMu.Unlock()
		if start || running {
			return startAgent()
		}
		return 0
	case "remove-config":
		s.agentMu.Lock()
		delete(s.agentCfg, host.ID())
		s.agentMu.Unlock()
		return 0
	case "start":
		return startAgent()
	case "stop":
		if a := s.Agent(host.ID()); a != nil {
			a.Stop()
		}
		return 0
	case "status":
		statusOut()
		return 0
	case "":
		fmt.Fprintln(stderr, "E! -a is required")
		return 1
	}
	fmt.Fprintf(stderr, "E! unknown action %q\n", action)
	return 1
}
