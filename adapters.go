package devopsim

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/iam"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/sns"
)

// codeCommitSources lets CodeBuild (and CodePipeline) read CodeCommit trees.
type codeCommitSources struct{ cc *codecommit.Service }

// repoName takes a CodeCommit clone URL (.../v1/repos/NAME), an ARN
// (arn:aws:codecommit:region:account:NAME) or a bare name.
func repoName(location string) (string, error) {
	switch {
	case strings.HasPrefix(location, "arn:"):
		parts := strings.SplitN(location, ":", 6)
		if len(parts) == 6 && parts[2] == "codecommit" {
			return parts[5], nil
		}
	case strings.Contains(location, "/v1/repos/"):
		_, name, _ := strings.Cut(location, "/v1/repos/")
		return strings.Trim(name, "/"), nil
	case location != "" && !strings.Contains(location, "/"):
		return location, nil
	}
	return "", fmt.Errorf("%q is not a CodeCommit repository URL or ARN", location)
}

func (s codeCommitSources) FetchCodeCommit(ctx context.Context, location, version string) ([]byte, string, error) {
	name, err := repoName(location)
	if err != nil {
		return nil, "", err
	}
	// refs/heads/x^{commitId} pins a commit on a branch: the commit wins.
	if i := strings.Index(version, "^{"); i >= 0 && strings.HasSuffix(version, "}") {
		version = version[i+2 : len(version)-1]
	}
	return s.cc.Archive(identity.InService(ctx, "codebuild.amazonaws.com"), name, version)
}

// serviceLogs writes another service's output to CloudWatch Logs as that service.
type serviceLogs struct {
	logs    *logs.Service
	service string // e.g. "codebuild.amazonaws.com"
}

func (l serviceLogs) EnsureStream(ctx context.Context, group, stream string) error {
	ctx = identity.InService(ctx, l.service)
	_, err := l.logs.CreateLogGroup(ctx, &logs.CreateLogGroupInput{LogGroupName: group})
	if err != nil && !errors.Is(err, logs.ErrResourceAlreadyExists) {
		return err
	}
	_, err = l.logs.CreateLogStream(ctx, &logs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream})
	if err != nil && !errors.Is(err, logs.ErrResourceAlreadyExists) {
		return err
	}
	return nil
}

func (l serviceLogs) PutLines(ctx context.Context, group, stream string, t time.Time, lines ...string) error {
	events := make([]logs.InputLogEvent, len(lines))
	for i, line := range lines {
		if line == "" {
			line = " " // CloudWatch Logs refuses empty messages
		}
		events[i] = logs.InputLogEvent{Timestamp: t.UnixMilli(), Message: line}
	}
	_, err := l.logs.PutLogEvents(identity.InService(ctx, l.service), &logs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events})
	return err
}

// metricSink lets Logs metric filters publish to CloudWatch metrics.
type metricSink struct{ m *metrics.Service }

func (s metricSink) PutMetric(ctx context.Context, namespace, name string, dims map[string]string, value float64, unit string, t time.Time) error {
	return s.m.Publish(ctx, namespace, name, dims, value, unit, t)
}

// eventLogGroups lets EventBridge write matched events to log groups (one stream per rule
// target is what AWS does; a stream per day keeps it simple and bounded).
type eventLogGroups struct{ logs *logs.Service }

func (l eventLogGroups) PutEventToLogGroup(ctx context.Context, group string, t time.Time, message string) error {
	sl := serviceLogs{l.logs, "events.amazonaws.com"}
	stream := "events-" + t.UTC().Format("2006-01-02")
	if err := sl.EnsureStream(ctx, group, stream); err != nil {
		return err
	}
	return sl.PutLines(ctx, group, stream, t, message)
}

// eventBuilds lets EventBridge start CodeBuild builds.
type eventBuilds struct{ cb *codebuild.Service }

func (b eventBuilds) StartBuildFromEvent(ctx context.Context, project string, input []byte) (string, error) {
	in := &codebuild.StartBuildInput{}
	if len(input) > 0 {
		// A target's Input may carry StartBuild overrides, as AWS allows; anything else (the
		// event itself) is ignored.
		_ = json.Unmarshal(input, in)
	}
	in.ProjectName = project
	out, err := b.cb.StartBuild(identity.InService(ctx, "events.amazonaws.com"), in)
	if err != nil {
		return "", err
	}
	return out.Build.Id, nil
}

// alarmActions runs CloudWatch alarm actions on the services they name.
type alarmActions struct {
	topics *sns.Service
	ec2    fleet // EC2 actions (arn:aws:automate:REGION:ec2:stop|terminate|reboot|recover)
	// extra runs other targets (Auto Scaling policies)
	extra func(ctx context.Context, arn string, a metrics.AlarmState) (handled bool, err error)
}

func (r alarmActions) RunAlarmAction(ctx context.Context, arn string, a metrics.AlarmState) error {
	ctx = identity.InService(identity.With(ctx, identity.Root(a.Account, a.Region)), "cloudwatch.amazonaws.com")
	if r.extra != nil {
		if handled, err := r.extra(ctx, arn, a); handled {
			return err
		}
	}
	if action, _, isEC2, ok := metrics.ParseEC2Action(arn); isEC2 {
		id := a.InstanceID()
		switch {
		case !ok:
			return fmt.Errorf("invalid EC2 action %s", arn)
		case id == "":
			return fmt.Errorf("alarm %s has no InstanceId dimension", a.AlarmName)
		case r.ec2.ec2 == nil:
			return fmt.Errorf("alarm action %s: no EC2", arn)
		case action == metrics.EC2Recover:
			// ec2sim hosts do not fail underneath: recovering is rebooting on the same host.
			action = metrics.EC2Reboot
		}
		return r.ec2.instanceAction(ctx, action, id)
	}
	if strings.HasPrefix(arn, "arn:aws:sns:") {
		msg, _ := json.Marshal(map[string]any{
			"AlarmName": a.AlarmName, "AlarmDescription": a.Description, "AWSAccountId": a.Account,
			"NewStateValue": a.State, "NewStateReason": a.Reason, "OldStateValue": a.PreviousState,
			"StateChangeTime": a.Time.UTC().Format("2006-01-02T15:04:05.000-0700"), "Region": a.Region, "AlarmArn": a.AlarmARN,
		})
		_, err := r.topics.PublishToTopic(ctx, arn, fmt.Sprintf("%s: %q in %s", a.State, a.AlarmName, a.Region), string(msg))
		return err
	}
	return fmt.Errorf("alarm action %s is not supported", arn)
}

// trailLogs delivers CloudTrail events to CloudWatch Logs.
type trailLogs struct{ logs *logs.Service }

func (l trailLogs) PutTrailEvents(ctx context.Context, groupARN, roleARN, stream string, events []cloudtrail.LogEvent) error {
	group := groupARN
	if strings.HasPrefix(groupARN, "arn:") {
		_, rest, ok := strings.Cut(groupARN, ":log-group:")
		if !ok {
			return fmt.Errorf("%q is not a log group ARN", groupARN)
		}
		group = strings.TrimSuffix(rest, ":*")
	}
	sl := serviceLogs{l.logs, "cloudtrail.amazonaws.com"}
	if err := sl.EnsureStream(ctx, group, stream); err != nil {
		return err
	}
	// PutLogEvents takes at most 10,000 events, in time order.
	for len(events) > 0 {
		n := min(len(events), 10000)
		batch := make([]logs.InputLogEvent, n)
		for i, e := range events[:n] {
			batch[i] = logs.InputLogEvent{Timestamp: e.Time.UnixMilli(), Message: e.Message}
		}
		slices.SortStableFunc(batch, func(a, b logs.InputLogEvent) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
		if _, err := l.logs.PutLogEvents(identity.InService(ctx, "cloudtrail.amazonaws.com"), &logs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: batch}); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// s3DataEvents records S3 object-level calls on the wire as CloudTrail data events.
func s3DataEvents(ct *cloudtrail.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if bucket == "" || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		op := map[string]string{http.MethodGet: "GetObject", http.MethodHead: "HeadObject", http.MethodPut: "PutObject", http.MethodDelete: "DeleteObject", http.MethodPost: "PostObject"}[r.Method]
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if op == "" {
			return
		}
		var err error
		if rec.status >= 400 {
			err = fmt.Errorf("%s", http.StatusText(rec.status))
		}
		cred := awsproto.ParseCredential(r)
		account := ""
		if len(cred.AccessKeyID) == 12 {
			account = cred.AccessKeyID
		}
		ctx := r.Context()
		if account != "" {
			ctx = identity.With(ctx, identity.Root(account, cred.Region))
		}
		ct.RecordS3Object(ctx, op, bucket, key, err)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// gitAuth checks git endpoint credentials: the platform's static ones, then IAM's
// service-specific credentials.
func gitAuth(static map[string]string, users *iam.Service, account string) func(ctx context.Context, user, pass string) (string, string, error) {
	return func(ctx context.Context, user, pass string) (string, string, error) {
		if want, ok := static[user]; ok && subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1 {
			return account, "", nil
		}
		return users.Check(ctx, user, pass)
	}
}
