package ssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/runner"
	"github.com/devopsim/devopsim/store"
)

// Command and invocation statuses (Status) and details (StatusDetails).
const (
	StatusPending    = "Pending"
	StatusInProgress = "InProgress"
	StatusDelayed    = "Delayed"
	StatusSuccess    = "Success"
	StatusCancelled  = "Cancelled"
	StatusCancelling = "Cancelling"
	StatusFailed     = "Failed"
	StatusTimedOut   = "TimedOut"

	DetailsDeliveryTimedOut  = "DeliveryTimedOut"
	DetailsExecutionTimedOut = "ExecutionTimedOut"
	DetailsUndeliverable     = "Undeliverable"
	DetailsTerminated        = "Terminated"
	DetailsIncomplete        = "Incomplete"
	DetailsNoInstancesInTag  = "NoInstancesInTag"
)

const (
	runShellScript      = "AWS-RunShellScript"
	pluginName          = "aws:runShellScript"
	stoppedExitCode     = 137 // the agent's code for a script it stopped (timeout, cancel)
	defaultExecTimeout  = 3600
	maxExecTimeout      = 172800
	defaultDeliveryTime = 3600
	agentVersion        = "3.3.1142.0"
)

type commandRecord struct {
	Command
	Commands    []string `json:"commands"`
	WorkingDir  string   `json:"workingDir,omitempty"`
	ExecTimeout int      `json:"execTimeout"`
	Order       []string `json:"order"` // instance ids, in delivery order
	Cancelled   bool     `json:"cancelled,omitempty"`
}

type invocationRecord struct {
	CommandID    string    `json:"commandId"`
	InstanceID   string    `json:"instanceId"`
	InstanceName string    `json:"instanceName,omitempty"`
	Status       string    `json:"status"`
	Details      string    `json:"details"`
	ResponseCode int32     `json:"code"`
	Requested    time.Time `json:"requested"`
	Start        time.Time `json:"start,omitzero"`
	End          time.Time `json:"end,omitzero"`
	Stdout       string    `json:"stdout,omitempty"`
	Stderr       string    `json:"stderr,omitempty"`
	StdoutURL    string    `json:"stdoutUrl,omitempty"`
	StderrURL    string    `json:"stderrUrl,omitempty"`
}

func terminal(status string) bool {
	switch status {
	case StatusSuccess, StatusFailed, StatusCancelled, StatusTimedOut:
		return true
	}
	return false
}

func commandKey(ctx context.Context, id string) string { return core.ScopeKey(ctx) + id }
func invocationKey(ctx context.Context, cmd, inst string) string {
	return core.ScopeKey(ctx) + cmd + "/" + inst
}

var (
	instanceIDPattern = regexp.MustCompile(`^(i|mi)-[0-9a-f]{8,17}$`)
	concurrencyRE     = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	errorsRE          = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
	logGroupRE        = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)
)

// limitOf evaluates a MaxConcurrency/MaxErrors value ("10" or "10%") for n targets.
func limitOf(v string, n, floor int) int {
	if p, ok := strings.CutSuffix(v, "%"); ok {
		pct, _ := strconv.Atoi(p)
		return max(floor, n*pct/100)
	}
	x, _ := strconv.Atoi(v)
	return max(floor, x)
}

// SendCommand runs AWS-RunShellScript on instances (InstanceIds or Targets), in the
// background: the command is returned Pending and moves on the platform clock.
func (s *Service) SendCommand(ctx context.Context, in *SendCommandInput) (*SendCommandOutput, error) {
	return dispatch.Do(ctx, s.d, "SendCommand", in, s.sendCommand)
}

func (s *Service) sendCommand(ctx context.Context, in *SendCommandInput) (*SendCommandOutput, error) {
	doc := in.DocumentName
	if doc == "" {
		return nil, validation("1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null")
	}
	if i := strings.LastIndex(doc, ":document/"); strings.HasPrefix(doc, "arn:") && i >= 0 {
		doc = doc[i+len(":document/"):]
	}
	if doc != runShellScript {
		return nil, ErrInvalidDocument.With("Document %s does not exist or is not supported by devopsim (only AWS-RunShellScript is).", in.DocumentName)
	}
	switch in.DocumentVersion {
	case "", "$DEFAULT", "$LATEST", "1":
	default:
		return nil, ErrInvalidDocumentVersion.With("Document version %s is not valid for %s.", in.DocumentVersion, doc)
	}
	cmds, dir, execTimeout, err := shellParameters(in.Parameters)
	if err != nil {
		return nil, err
	}
	timeout := int(in.TimeoutSeconds)
	if timeout == 0 {
		timeout = defaultDeliveryTime
	}
	if timeout < 30 || timeout > 2592000 {
		return nil, validation("1 validation error detected: Value '%d' at 'timeoutSeconds' failed to satisfy constraint: Member must have value between 30 and 2592000", in.TimeoutSeconds)
	}
	conc, maxErr := in.MaxConcurrency, in.MaxErrors
	if conc == "" {
		conc = "50"
	}
	if maxErr == "" {
		maxErr = "0"
	}
	if len(conc) > 7 || !concurrencyRE.MatchString(conc) {
		return nil, validation("1 validation error detected: Value '%s' at 'maxConcurrency' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%%|[1-9]%%|100%%)$", conc)
	}
	if len(maxErr) > 7 || !errorsRE.MatchString(maxErr) {
		return nil, validation("1 validation error detected: Value '%s' at 'maxErrors' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([1-9][0-9]*|[0]|[1-9][0-9]%%|[0-9]%%|100%%)$", maxErr)
	}
	if len(in.Comment) > 100 {
		return nil, validation("1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	cw := in.CloudWatchOutputConfig
	if cw != nil && cw.CloudWatchOutputEnabled {
		c := *cw
		if c.CloudWatchLogGroupName == "" {
			c.CloudWatchLogGroupName = "/aws/ssm/" + doc
		}
		if !logGroupRE.MatchString(c.CloudWatchLogGroupName) {
			return nil, validation("1 validation error detected: Value '%s' at 'cloudWatchOutputConfig.cloudWatchLogGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", c.CloudWatchLogGroupName)
		}
		cw = &c
	}
	if in.OutputS3BucketName != "" && (len(in.OutputS3BucketName) < 3 || len(in.OutputS3BucketName) > 63) {
		return nil, validation("1 validation error detected: Value '%s' at 'outputS3BucketName' failed to satisfy constraint: Member must have length between 3 and 63", in.OutputS3BucketName)
	}
	if len(in.OutputS3KeyPrefix) > 500 {
		return nil, validation("1 validation error detected: Value at 'outputS3KeyPrefix' failed to satisfy constraint: Member must have length less than or equal to 500")
	}
	ids, err := s.resolveTargets(ctx, in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	account, region := core.Scope(ctx)
	rec := commandRecord{
		Command: Command{
			CloudWatchOutputConfig: cw, CommandID: uuid.NewString(), Comment: in.Comment, DocumentName: doc,
			DocumentVersion: "$DEFAULT", ExpiresAfter: now.Add(time.Duration(timeout+execTimeout) * time.Second),
			InstanceIDs: slices.Clone(in.InstanceIDs), MaxConcurrency: conc, MaxErrors: maxErr,
			NotificationConfig: in.NotificationConfig, OutputS3BucketName: in.OutputS3BucketName,
			OutputS3KeyPrefix: in.OutputS3KeyPrefix, OutputS3Region: in.OutputS3Region, Parameters: in.Parameters,
			RequestedDateTime: now, ServiceRole: in.ServiceRoleArn, Status: StatusPending, StatusDetails: StatusPending,
			TargetCount: int32(len(ids)), Targets: in.Targets, TimeoutSeconds: int32(timeout),
		},
		Commands: cmds, WorkingDir: dir, ExecTimeout: execTimeout, Order: ids,
	}
	if in.DocumentVersion != "" {
		rec.DocumentVersion = in.DocumentVersion
	}
	if rec.OutputS3BucketName != "" && rec.OutputS3Region == "" {
		rec.OutputS3Region = region
	}
	if rec.InstanceIDs == nil {
		rec.InstanceIDs = []string{}
	}
	if len(ids) == 0 {
		rec.Status, rec.StatusDetails = StatusSuccess, DetailsNoInstancesInTag
	}
	for _, id := range ids {
		inv := invocationRecord{CommandID: rec.CommandID, InstanceID: id, Status: StatusPending, Details: StatusPending,
			ResponseCode: -1, Requested: now}
		if err := s.invocations.Put(ctx, invocationKey(ctx, rec.CommandID, id), inv); err != nil {
			return nil, err
		}
	}
	if err := s.commands.Create(ctx, commandKey(ctx, rec.CommandID), rec); err != nil {
		return nil, err
	}
	s.commandEvent(ctx, &rec)
	if len(ids) > 0 {
		caller, _ := identity.From(ctx)
		done := make(chan struct{})
		s.mu.Lock()
		s.done[rec.CommandID] = done
		s.mu.Unlock()
		bg := identity.With(s.ctx, caller)
		if !s.spawn(func() {
			defer func() {
				s.mu.Lock()
				delete(s.done, rec.CommandID)
				s.mu.Unlock()
				close(done)
			}()
			s.runCommand(bg, rec, account, region)
		}) {
			close(done)
			return nil, errors.New("ssm: service closed")
		}
	}
	out := rec.Command
	return &SendCommandOutput{Command: &out}, nil
}

// shellParameters checks AWS-RunShellScript's parameters.
func shellParameters(p map[string][]string) (cmds []string, dir string, timeout int, err error) {
	bad := ErrInvalidParameters
	for k := range p {
		switch k {
		case "commands", "workingDirectory", "executionTimeout":
		default:
			return nil, "", 0, bad
		}
	}
	cmds = p["commands"]
	if len(cmds) == 0 {
		return nil, "", 0, bad
	}
	if d := p["workingDirectory"]; len(d) > 1 {
		return nil, "", 0, bad
	} else if len(d) == 1 {
		dir = d[0]
	}
	timeout = defaultExecTimeout
	if t := p["executionTimeout"]; len(t) > 1 {
		return nil, "", 0, bad
	} else if len(t) == 1 {
		n, err := strconv.Atoi(strings.TrimSpace(t[0]))
		if err != nil || n < 1 || n > maxExecTimeout {
			return nil, "", 0, bad
		}
		timeout = n
	}
	return cmds, dir, timeout, nil
}

// resolveTargets returns the instance ids a command goes to.
func (s *Service) resolveTargets(ctx context.Context, in *SendCommandInput) ([]string, error) {
	if len(in.InstanceIDs) > 0 && len(in.Targets) > 0 {
		return nil, validation("You can specify InstanceIds or Targets, but not both.")
	}
	if len(in.InstanceIDs) == 0 && len(in.Targets) == 0 {
		return nil, validation("You must specify either InstanceIds or Targets.")
	}
	fleet := s.opts.Fleet
	if len(in.InstanceIDs) > 0 {
		if len(in.InstanceIDs) > 50 {
			return nil, validation("1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50")
		}
		var ids, invalid []string
		for _, id := range in.InstanceIDs {
			if slices.Contains(ids, id) {
				continue
			}
			if !instanceIDPattern.MatchString(id) {
				invalid = append(invalid, id)
				continue
			}
			ok := false
			if fleet != nil {
				var err error
				if _, ok, err = fleet.Instance(ctx, id); err != nil {
					return nil, err
				}
			}
			if !ok {
				invalid = append(invalid, id)
				continue
			}
			ids = append(ids, id)
		}
		if len(invalid) > 0 {
			account, _ := core.Scope(ctx)
			return nil, ErrInvalidInstanceID.With("Instances [[%s]] not in a valid state for account %s", strings.Join(invalid, ", "), account)
		}
		return ids, nil
	}
	if len(in.Targets) > 5 {
		return nil, validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 5")
	}
	for _, t := range in.Targets {
		switch {
		case t.Key == "InstanceIds", t.Key == "tag-key", strings.HasPrefix(t.Key, "tag:") && len(t.Key) > 4:
		case strings.HasPrefix(t.Key, "resource-groups:"):
			return nil, ErrInvalidTarget.With("Target key %s (resource groups) is not supported by devopsim.", t.Key)
		default:
			return nil, ErrInvalidTarget.With("Target key %s is not valid. Valid keys are InstanceIds, tag:<key> and tag-key.", t.Key)
		}
		if len(t.Values) == 0 || len(t.Values) > 50 {
			return nil, ErrInvalidTarget.With("Target %s must have between 1 and 50 values.", t.Key)
		}
	}
	if fleet == nil {
		return nil, nil
	}
	all, err := fleet.Instances(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, inst := range all {
		if inst.State == "terminated" || inst.State == "shutting-down" {
			continue
		}
		if matchTargets(inst, in.Targets) {
			ids = append(ids, inst.ID)
		}
	}
	return ids, nil
}

// matchTargets: every target must match; any value of a target matches it.
func matchTargets(inst Instance, targets []Target) bool {
	for _, t := range targets {
		ok := false
		switch {
		case t.Key == "InstanceIds":
			ok = slices.Contains(t.Values, inst.ID)
		case t.Key == "tag-key":
			for _, k := range t.Values {
				if _, has := inst.Tags[k]; has {
					ok = true
				}
			}
		default:
			v, has := inst.Tags[t.Key[4:]]
			ok = has && slices.Contains(t.Values, v)
		}
		if !ok {
			return false
		}
	}
	return true
}

// runCommand delivers a command to its instances, MaxConcurrency at a time, and stops sending
// once more than MaxErrors invocations failed.
func (s *Service) runCommand(ctx context.Context, rec commandRecord, account, region string) {
	n := len(rec.Order)
	conc := limitOf(rec.MaxConcurrency, n, 1)
	maxErr := limitOf(rec.MaxErrors, n, 0)
	s.setCommandStatus(ctx, rec.CommandID, StatusInProgress, StatusInProgress)
	var errCount atomic.Int32
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	stopped := ""
	for _, id := range rec.Order {
		if stopped == "" {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				stopped = DetailsTerminated
			}
		}
		switch {
		case stopped != "":
		case s.isCancelled(rec.CommandID, id):
			stopped = StatusCancelled
		case int(errCount.Load()) > maxErr:
			stopped = DetailsTerminated
		}
		if stopped != "" {
			if stopped == StatusCancelled {
				s.finishInvocation(ctx, &rec, id, StatusCancelled, StatusCancelled, -1)
			} else {
				s.finishInvocation(ctx, &rec, id, StatusFailed, DetailsTerminated, -1)
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if counts := s.invoke(ctx, &rec, id, region); counts {
				errCount.Add(1)
			}
		}()
	}
	wg.Wait()
	s.finishCommand(ctx, rec.CommandID, maxErr)
}

// isCancelled reports whether the command, or its invocation on instance id, was cancelled.
func (s *Service) isCancelled(cmd, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancels[cmd] || s.cancels[cmd+"/"+id]
}

// invoke delivers and runs the command on one instance; it reports whether the outcome counts
// against MaxErrors.
func (s *Service) invoke(ctx context.Context, rec *commandRecord, id, region string) bool {
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	if s.running[rec.CommandID] == nil {
		s.running[rec.CommandID] = map[string]func(){}
	}
	s.running[rec.CommandID][id] = cancel
	s.mu.Unlock()
	cancelled := s.isCancelled(rec.CommandID, id)
	defer func() {
		s.mu.Lock()
		delete(s.running[rec.CommandID], id)
		if len(s.running[rec.CommandID]) == 0 {
			delete(s.running, rec.CommandID)
		}
		s.mu.Unlock()
	}()
	if cancelled {
		s.finishInvocation(ctx, rec, id, StatusCancelled, StatusCancelled, -1)
		return false
	}
	deadline := rec.RequestedDateTime.Add(time.Duration(rec.TimeoutSeconds) * time.Second)
	delayed := false
	for {
		if s.isCancelled(rec.CommandID, id) || ctx.Err() != nil {
			s.finishInvocation(ctx, rec, id, StatusCancelled, StatusCancelled, -1)
			return false
		}
		if !s.clk.Now().Before(deadline) {
			s.finishInvocation(ctx, rec, id, StatusTimedOut, DetailsDeliveryTimedOut, -1)
			return false
		}
		inst, ok, err := s.opts.Fleet.Instance(ictx, id)
		if err == nil && (!ok || inst.State == "terminated" || inst.State == "shutting-down") {
			s.finishInvocation(ctx, rec, id, StatusFailed, DetailsUndeliverable, -1)
			return false
		}
		var h Host
		if err == nil && inst.State == "running" {
			h, err = s.opts.Fleet.Host(ictx, id)
		}
		if h != nil {
			return s.execute(ctx, ictx, rec, inst, h, region)
		}
		if !delayed {
			delayed = true
			s.updateInvocation(ctx, rec.CommandID, id, func(r *invocationRecord) { r.Status, r.Details = StatusDelayed, StatusDelayed })
		}
		wait := min(s.opts.DeliveryRetry, deadline.Sub(s.clk.Now()))
		_ = clock.Sleep(ictx, s.clk, max(wait, time.Millisecond))
	}
}

// execute runs the script on the host.
func (s *Service) execute(ctx, ictx context.Context, rec *commandRecord, inst Instance, h Host, region string) bool {
	id := inst.ID
	start := s.now()
	s.updateInvocation(ctx, rec.CommandID, id, func(r *invocationRecord) {
		r.Status, r.Details, r.Start, r.InstanceName = StatusInProgress, StatusInProgress, start, inst.PrivateDNS
	})
	s.invocationEvent(ctx, rec, id, StatusInProgress)
	orch := fmt.Sprintf("/var/lib/amazon/ssm/%s/document/orchestration/%s/awsrunShellScript/0.awsrunShellScript", id, rec.CommandID)
	dir := rec.WorkingDir
	if dir == "" {
		_, _ = h.Run(ictx, &runner.Command{Script: "mkdir -p '" + orch + "'"})
		dir = orch
	}
	var full *strings.Builder
	if rec.OutputS3BucketName != "" {
		full = &strings.Builder{}
	}
	stdout := &capture{limit: maxStdout, full: full}
	var fullErr *strings.Builder
	if full != nil {
		fullErr = &strings.Builder{}
	}
	stderr := &capture{limit: maxStderr, full: fullErr}
	var outW, errW = runnerWriter(stdout), runnerWriter(stderr)
	var cwOut, cwErr *runner.LineWriter
	if cw := rec.CloudWatchOutputConfig; cw != nil && cw.CloudWatchOutputEnabled && s.opts.Logs != nil {
		group := cw.CloudWatchLogGroupName
		base := rec.CommandID + "/" + id + "/aws-runShellScript/"
		sink := func(stream string) *runner.LineWriter {
			ensured := false
			return runner.NewLineWriter(func(line string) {
				if !ensured {
					ensured = true
					if err := s.opts.Logs.EnsureStream(ctx, group, base+stream); err != nil {
						s.log.Warn("ssm: cloudwatch output", "group", group, "err", err)
					}
				}
				if err := s.opts.Logs.PutLines(ctx, group, base+stream, s.clk.Now(), line); err != nil {
					s.log.Warn("ssm: cloudwatch output", "group", group, "err", err)
				}
			})
		}
		cwOut, cwErr = sink("stdout"), sink("stderr")
		outW, errW = multi(stdout, cwOut), multi(stderr, cwErr)
	}
	env := []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "USER=root",
		"AWS_SSM_INSTANCE_ID=" + id, "AWS_SSM_REGION_NAME=" + region, "PWD=" + dir,
	}
	var timedOut atomic.Bool
	rctx, stop := context.WithCancel(ictx)
	timer := s.clk.AfterFunc(time.Duration(rec.ExecTimeout)*time.Second, func() { timedOut.Store(true); stop() })
	res, err := h.Run(rctx, &runner.Command{Script: strings.Join(rec.Commands, "\n") + "\n", Dir: dir, Env: env, Stdout: outW, Stderr: errW})
	timer.Stop()
	stop()
	status, details, code := StatusSuccess, StatusSuccess, int32(res.ExitCode)
	counts := false
	switch {
	case timedOut.Load() || res.TimedOut:
		status, details, code, counts = StatusTimedOut, DetailsExecutionTimedOut, stoppedExitCode, true
		stderr.WriteString("failed to run commands: exit status " + strconv.Itoa(stoppedExitCode) + "\n")
	case s.isCancelled(rec.CommandID, id) || ctx.Err() != nil:
		status, details, code = StatusCancelled, StatusCancelled, stoppedExitCode
	case err != nil:
		status, details, code, counts = StatusFailed, StatusFailed, 1, true
		stderr.WriteString(err.Error() + "\nfailed to run commands: exit status 1\n")
	case res.ExitCode != 0:
		status, details, counts = StatusFailed, StatusFailed, true
		stderr.WriteString("failed to run commands: exit status " + strconv.Itoa(res.ExitCode) + "\n")
	}
	if cwOut != nil {
		cwOut.Flush()
		cwErr.Flush()
	}
	var outURL, errURL string
	if rec.OutputS3BucketName != "" {
		outURL, errURL = s.uploadOutput(ctx, rec, id, region, stdout.Full(), stderr.Full())
	}
	end := s.now()
	outText := stdout.String()
	s.updateInvocation(ctx, rec.CommandID, id, func(r *invocationRecord) {
		r.Status, r.Details, r.ResponseCode, r.End = status, details, code, end
		r.Stdout = cut(outText, maxStdout, outTruncated)
		r.Stderr = cut(stderr.String(), maxStderr, errTruncated)
		r.StdoutURL, r.StderrURL = outURL, errURL
	})
	s.countInvocation(ctx, rec.CommandID, status, details)
	s.invocationEvent(ctx, rec, id, status)
	return counts
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func runnerWriter(c *capture) writerFunc { return c.Write }

func multi(c *capture, lw *runner.LineWriter) writerFunc {
	return func(p []byte) (int, error) {
		_, _ = c.Write(p)
		return lw.Write(p)
	}
}

// uploadOutput writes the full output to S3 as the agent does and returns its URLs.
func (s *Service) uploadOutput(ctx context.Context, rec *commandRecord, id, region, stdout, stderr string) (string, string) {
	if s.env.Objects == nil {
		return "", ""
	}
	prefix := path.Join(rec.OutputS3KeyPrefix, rec.CommandID, id, "awsrunShellScript", "0.awsrunShellScript")
	prefix = strings.TrimPrefix(prefix, "/")
	url := func(key string) string {
		return "https://s3." + rec.OutputS3Region + ".amazonaws.com/" + rec.OutputS3BucketName + "/" + key
	}
	var outURL, errURL string
	if stdout != "" {
		if err := s.env.Objects.PutObject(ctx, rec.OutputS3BucketName, prefix+"/stdout", []byte(stdout)); err != nil {
			s.log.Warn("ssm: S3 output", "bucket", rec.OutputS3BucketName, "err", err)
		} else {
			outURL = url(prefix + "/stdout")
		}
	}
	if stderr != "" {
		if err := s.env.Objects.PutObject(ctx, rec.OutputS3BucketName, prefix+"/stderr", []byte(stderr)); err != nil {
			s.log.Warn("ssm: S3 output", "bucket", rec.OutputS3BucketName, "err", err)
		} else {
			errURL = url(prefix + "/stderr")
		}
	}
	_ = region
	return outURL, errURL
}

func (s *Service) updateInvocation(ctx context.Context, cmd, id string, fn func(*invocationRecord)) {
	_, err := s.invocations.Update(context.WithoutCancel(ctx), invocationKey(ctx, cmd, id), func(r *invocationRecord) error {
		fn(r)
		return nil
	})
	if err != nil {
		s.log.Warn("ssm: update invocation", "command", cmd, "instance", id, "err", err)
	}
}

// finishInvocation ends an invocation that did not run (or was stopped before it could).
func (s *Service) finishInvocation(ctx context.Context, rec *commandRecord, id, status, details string, code int32) {
	end := s.now()
	s.updateInvocation(ctx, rec.CommandID, id, func(r *invocationRecord) {
		r.Status, r.Details, r.ResponseCode, r.End = status, details, code, end
	})
	s.countInvocation(ctx, rec.CommandID, status, details)
	s.invocationEvent(ctx, rec, id, status)
}

func (s *Service) countInvocation(ctx context.Context, cmd, status, details string) {
	_, err := s.commands.Update(context.WithoutCancel(ctx), commandKey(ctx, cmd), func(r *commandRecord) error {
		r.CompletedCount++
		switch {
		case details == DetailsDeliveryTimedOut:
			r.DeliveryTimedOutCount++
		case status == StatusFailed && details != DetailsUndeliverable && details != DetailsTerminated, status == StatusTimedOut:
			r.ErrorCount++
		}
		return nil
	})
	if err != nil {
		s.log.Warn("ssm: count invocation", "command", cmd, "err", err)
	}
}

func (s *Service) setCommandStatus(ctx context.Context, cmd, status, details string) {
	rec, err := s.commands.Update(context.WithoutCancel(ctx), commandKey(ctx, cmd), func(r *commandRecord) error {
		if terminal(r.Status) {
			return nil
		}
		r.Status, r.StatusDetails = status, details
		return nil
	})
	if err == nil {
		s.commandEvent(ctx, &rec)
	}
}

// finishCommand sets the command's final status from its invocations.
func (s *Service) finishCommand(ctx context.Context, cmd string, maxErr int) {
	invs, err := s.invocations.All(context.WithoutCancel(ctx), core.ScopeKey(ctx)+cmd+"/")
	if err != nil {
		s.log.Warn("ssm: finish command", "command", cmd, "err", err)
		return
	}
	var success, failed, execTimedOut, deliveryTimedOut, cancelled int
	for _, r := range invs {
		switch {
		case r.Status == StatusSuccess:
			success++
		case r.Status == StatusCancelled:
			cancelled++
		case r.Details == DetailsExecutionTimedOut:
			execTimedOut++
		case r.Details == DetailsDeliveryTimedOut:
			deliveryTimedOut++
		case r.Status == StatusFailed && r.Details == StatusFailed:
			failed++
		}
	}
	status, details := StatusSuccess, StatusSuccess
	switch {
	case s.isCancelled(cmd, "") || cancelled > 0 && success+failed+execTimedOut == 0:
		status, details = StatusCancelled, StatusCancelled
	case failed+execTimedOut > maxErr && execTimedOut > failed:
		status, details = StatusTimedOut, DetailsExecutionTimedOut
	case failed+execTimedOut > maxErr:
		status, details = StatusFailed, StatusFailed
	case deliveryTimedOut > maxErr:
		status, details = StatusTimedOut, DetailsDeliveryTimedOut
	case success < len(invs):
		status, details = StatusFailed, DetailsIncomplete
	}
	s.setCommandStatus(ctx, cmd, status, details)
	s.mu.Lock()
	delete(s.cancels, cmd)
	for _, r := range invs {
		delete(s.cancels, cmd+"/"+r.InstanceID)
	}
	s.mu.Unlock()
}

func (s *Service) commandEvent(ctx context.Context, rec *commandRecord) {
	account, region := core.Scope(ctx)
	params, _ := json.Marshal(rec.Parameters)
	detail, _ := json.Marshal(map[string]string{
		"command-id": rec.CommandID, "document-name": rec.DocumentName, "expire-after": rec.ExpiresAfter.Format("2006-01-02T15:04:05.000Z"),
		"parameters": string(params), "requested-date-time": rec.RequestedDateTime.Format("2006-01-02T15:04:05.000Z"), "status": rec.Status,
	})
	s.env.Events.Publish(context.WithoutCancel(ctx), eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: "EC2 Command Status-change Notification", Source: "aws.ssm",
		Account: account, Time: s.clk.Now().UTC(), Region: region, Resources: instanceARNs(region, account, rec.Order), Detail: detail,
	})
}

func (s *Service) invocationEvent(ctx context.Context, rec *commandRecord, id, status string) {
	account, region := core.Scope(ctx)
	detail, _ := json.Marshal(map[string]string{
		"command-id": rec.CommandID, "document-name": rec.DocumentName, "instance-id": id,
		"requested-date-time": rec.RequestedDateTime.Format("2006-01-02T15:04:05.000Z"), "status": status,
	})
	s.env.Events.Publish(context.WithoutCancel(ctx), eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: "EC2 Command Invocation Status-change Notification", Source: "aws.ssm",
		Account: account, Time: s.clk.Now().UTC(), Region: region, Resources: instanceARNs(region, account, []string{id}), Detail: detail,
	})
}

func instanceARNs(region, account string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "arn:aws:ec2:" + region + ":" + account + ":instance/" + id
	}
	return out
}

// CancelCommand stops a command on all or some of its instances: pending invocations are not
// sent, running scripts are stopped.
func (s *Service) CancelCommand(ctx context.Context, in *CancelCommandInput) (*CancelCommandOutput, error) {
	return dispatch.Do(ctx, s.d, "CancelCommand", in, s.cancelCommand)
}

func (s *Service) cancelCommand(ctx context.Context, in *CancelCommandInput) (*CancelCommandOutput, error) {
	if len(in.CommandID) != 36 {
		return nil, ErrInvalidCommandID
	}
	rec, err := s.commands.Get(ctx, commandKey(ctx, in.CommandID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidCommandID
	}
	if err != nil {
		return nil, err
	}
	for _, id := range in.InstanceIDs {
		if !slices.Contains(rec.Order, id) {
			return nil, ErrInvalidInstanceID.With("Instance %s is not a target of command %s.", id, in.CommandID)
		}
	}
	if terminal(rec.Status) {
		return &CancelCommandOutput{}, nil
	}
	var cancels []func()
	s.mu.Lock()
	if len(in.InstanceIDs) == 0 {
		s.cancels[in.CommandID] = true
		for _, c := range s.running[in.CommandID] {
			cancels = append(cancels, c)
		}
	} else {
		for _, id := range in.InstanceIDs {
			s.cancels[in.CommandID+"/"+id] = true
			if c, ok := s.running[in.CommandID][id]; ok {
				cancels = append(cancels, c)
			}
		}
	}
	s.mu.Unlock()
	if len(in.InstanceIDs) == 0 {
		_, _ = s.commands.Update(ctx, commandKey(ctx, in.CommandID), func(r *commandRecord) error {
			if !terminal(r.Status) {
				r.Status, r.StatusDetails, r.Cancelled = StatusCancelling, StatusCancelling, true
			}
			return nil
		})
	}
	for _, c := range cancels {
		c()
	}
	return &CancelCommandOutput{}, nil
}
