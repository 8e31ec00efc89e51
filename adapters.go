package devopsim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/identity"
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
