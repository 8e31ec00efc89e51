package logs_test

import (
	"bytes"
	"context"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/logs"
)

// fakeHost is an AgentHost with a mutable in-memory filesystem.
type fakeHost struct {
	id    string
	mu    sync.Mutex
	files map[string]string
}

func newHost(id string) *fakeHost { return &fakeHost{id: id, files: map[string]string{}} }

func (h *fakeHost) ID() string       { return h.id }
func (h *fakeHost) Hostname() string { return "ip-10-0-0-1" }
func (h *fakeHost) Files() fs.FS {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := fstest.MapFS{}
	for k, v := range h.files {
		m[strings.TrimPrefix(k, "/")] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}
func (h *fakeHost) write(name, data string) {
	h.mu.Lock()
	h.files[name] = data
	h.mu.Unlock()
}
func (h *fakeHost) append(name, data string) {
	h.mu.Lock()
	h.files[name] += data
	h.mu.Unlock()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func messages(t *testing.T, s *logs.Service, group, stream string) []string {
	t.Helper()
	o, err := s.GetLogEvents(context.Background(), &logs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range o.Events {
		out = append(out, e.Message)
	}
	return out
}

const agentConfig = `{
  "agent": {"run_as_user": "root"},
  "logs": {
    "logs_collected": {"files": {"collect_list": [
      {"file_path": "/var/log/app/*.log", "log_group_name": "/app/{hostname}", "log_stream_name": "{instance_id}", "retention_in_days": 7},
      {"file_path": "/var/log/java.log", "log_group_name": "java", "log_stream_name": "{instance_id}-java",
       "timestamp_format": "%Y-%m-%d %H:%M:%S", "multi_line_start_pattern": "{timestamp_format}"}
    ]}}
  }
}`

func TestAgentCtlAndShipping(t *testing.T) {
	s, clk := newSvc(t, logs.Options{})
	ctx := context.Background()
	h := newHost("i-0abc")
	h.write("/opt/aws/amazon-cloudwatch-agent/etc/config.json", agentConfig)
	h.write("/var/log/app/app.log", "started\nhello 1\n")

	var out, errb bytes.Buffer
	code := s.AgentCtl(ctx, h, strings.Fields("amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:/opt/aws/amazon-cloudwatch-agent/etc/config.json -s"), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "has been started") {
		t.Fatalf("ctl = %d, %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	s.AgentCtl(ctx, h, []string{"amazon-cloudwatch-agent-ctl", "-a", "status"}, &out, nil)
	if !strings.Contains(out.String(), `"status": "running"`) || !strings.Contains(out.String(), `"configstatus": "configured"`) {
		t.Errorf("status = %s", out.String())
	}
	a := s.Agent("i-0abc")
	if a == nil {
		t.Fatal("no agent")
	}

	// Every 5 seconds of the platform clock the agent ships new lines.
	if err := clk.BlockUntil(ctx, 2); err != nil { // the retention sweep and the agent's timer
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)
	waitFor(t, "first flush", func() bool { return a.Ticks() >= 1 })
	if got := strings.Join(messages(t, s, "/app/ip-10-0-0-1", "i-0abc"), ","); got != "started,hello 1" {
		t.Fatalf("shipped = %q", got)
	}
	g, _ := s.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{LogGroupNamePrefix: "/app/"})
	if len(g.LogGroups) != 1 || g.LogGroups[0].RetentionInDays != 7 {
		t.Errorf("group = %+v", g.LogGroups)
	}

	// A partial line waits for its newline; new lines follow.
	h.append("/var/log/app/app.log", "hello 2\npart")
	a.Sync(ctx)
	h.append("/var/log/app/app.log", "ial\n")
	a.Sync(ctx)
	if got := strings.Join(messages(t, s, "/app/ip-10-0-0-1", "i-0abc"), ","); got != "started,hello 1,hello 2,partial" {
		t.Fatalf("shipped = %q", got)
	}
	// Truncation starts over; so does a replaced (rotated) file.
	h.write("/var/log/app/app.log", "after truncate\n")
	a.Sync(ctx)
	h.write("/var/log/app/app.log", "rotated file line 1 is longer than before\nline 2\n")
	a.Sync(ctx)
	msgs := messages(t, s, "/app/ip-10-0-0-1", "i-0abc")
	if got := strings.Join(msgs[4:], ","); got != "after truncate,rotated file line 1 is longer than before,line 2" {
		t.Errorf("after rotation = %q", got)
	}
	// A second file matching the glob goes to the same stream.
	h.write("/var/log/app/other.log", "other\n")
	a.Sync(ctx)
	if msgs := messages(t, s, "/app/ip-10-0-0-1", "i-0abc"); msgs[len(msgs)-1] != "other" {
		t.Errorf("other file = %v", msgs)
	}

	// Multi-line events start at a timestamp; their time comes from the line.
	h.write("/var/log/java.log", "2026-03-01 11:00:00 ERROR boom\n\tat a.b.C(C.java:1)\n\tat a.b.D(D.java:2)\n2026-03-01 11:00:05 INFO ok\n")
	a.Sync(ctx) // the last event is held: more lines may follow
	a.Sync(ctx) // nothing new: it is complete
	o, _ := s.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "java", LogStreamName: "i-0abc-java", StartFromHead: true})
	if len(o.Events) != 2 || o.Events[0].Message != "2026-03-01 11:00:00 ERROR boom\n\tat a.b.C(C.java:1)\n\tat a.b.D(D.java:2)" ||
		o.Events[0].Timestamp != time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC).UnixMilli() || o.Events[1].Message != "2026-03-01 11:00:05 INFO ok" {
		t.Errorf("java = %+v", o.Events)
	}

	// stop ships what is left and stops.
	h.append("/var/log/app/app.log", "last words\n")
	if code := s.AgentCtl(ctx, h, []string{"amazon-cloudwatch-agent-ctl", "-a", "stop"}, nil, nil); code != 0 {
		t.Fatal("stop failed")
	}
	if msgs := messages(t, s, "/app/ip-10-0-0-1", "i-0abc"); msgs[len(msgs)-1] != "last words" {
		t.Errorf("after stop = %v", msgs)
	}
	if s.Agent("i-0abc") != nil || a.Running() {
		t.Error("agent still running")
	}
}

func TestAgentCtlErrors(t *testing.T) {
	s, _ := newSvc(t, logs.Options{})
	ctx := context.Background()
	h := newHost("i-1")
	h.write("/etc/bad.json", `{"logs":{"logs_collected":{"files":{"collect_list":[{"log_group_name":"x"}]}}}}`)
	tests := []struct {
		args string
		want string
	}{
		{"-a fetch-config -m ec2 -c file:/nope.json -s", "cannot read"},
		{"-a fetch-config -m ec2 -c file:/etc/bad.json", "file_path is required"},
		{"-a fetch-config -m ec2 -c ssm:AmazonCloudWatch-linux", "SSM"},
		{"-a explode", "unknown action"},
		{"-m mars -a start", "invalid mode"},
	}
	for _, tt := range tests {
		var errb bytes.Buffer
		code := s.AgentCtl(ctx, h, append([]string{"amazon-cloudwatch-agent-ctl"}, strings.Fields(tt.args)...), nil, &errb)
		if code == 0 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%s: code %d, stderr %q", tt.args, code, errb.String())
		}
	}
	if _, err := logs.ParseAgentConfig([]byte(`{"logs":{"logs_collected":{"files":{"collect_list":[{"file_path":"/a","timestamp_format":"%Q"}]}}}}`)); err == nil {
		t.Error("bad timestamp_format accepted")
	}
}
