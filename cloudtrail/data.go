package cloudtrail

import (
	"context"
	"strings"
	"time"

	"github.com/devopsim/devopsim/apierr"
)

// DataResourceRef is a resource a data event touched.
type DataResourceRef struct {
	Type    string // e.g. "AWS::S3::Object"
	ARN     string
	Account string // owner; empty means the caller's account
}

// DataEvent is a call recorded outside the dispatcher: S3 object-level calls through the S3
// endpoint and git operations through the CodeCommit git endpoint.
type DataEvent struct {
	EventSource string // "s3.amazonaws.com"
	EventName   string // "PutObject"
	ReadOnly    bool
	// Management records the call as a management event (CodeCommit's GitPull and GitPush are
	// management events on AWS); otherwise it is a data event, recorded only by trails whose
	// selectors ask for it and never in event history.
	Management          bool
	Resources           []DataResourceRef
	RequestParameters   map[string]any
	ResponseElements    map[string]any
	AdditionalEventData map[string]any
	ErrorCode           string
	ErrorMessage        string
	Time                time.Time // zero: now on the platform clock
}

// RecordDataEvent records ev as made by the caller in ctx.
func (s *Service) RecordDataEvent(ctx context.Context, ev DataEvent) {
	c := s.callerOf(ctx)
	e := ev
	s.enqueue(rawCall{caller: c, data: &e})
}

// RecordS3Object records an S3 object-level call (GetObject, PutObject, DeleteObject,
// HeadObject, CopyObject...) on bucket/key; err is the call's error, if any.
func (s *Service) RecordS3Object(ctx context.Context, op, bucket, key string, err error) {
	ev := DataEvent{
		EventSource: "s3.amazonaws.com", EventName: op, ReadOnly: isReadOnly(op),
		RequestParameters: map[string]any{"bucketName": bucket, "key": key},
		Resources: []DataResourceRef{
			{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::" + bucket + "/" + key},
			{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + bucket},
		},
	}
	if err != nil {
		e := apierr.As(err)
		ev.ErrorCode, ev.ErrorMessage = e.Code, e.Message
	}
	s.RecordDataEvent(ctx, ev)
}

// RecordGit records a git operation ("GitPull" or "GitPush") on a CodeCommit repository, made
// through the git smart-HTTP endpoint.
func (s *Service) RecordGit(ctx context.Context, op, repository string, err error) {
	c := s.callerOf(ctx)
	arn := "arn:aws:codecommit:" + c.Region + ":" + c.Account + ":" + repository
	ev := DataEvent{
		EventSource: "codecommit.amazonaws.com", EventName: op, ReadOnly: strings.EqualFold(op, "GitPull"), Management: true,
		AdditionalEventData: map[string]any{"protocol": "HTTP", "repositoryName": repository, "dataTransferred": err == nil},
		Resources:           []DataResourceRef{{Type: "AWS::CodeCommit::Repository", ARN: arn}},
	}
	if err != nil {
		e := apierr.As(err)
		ev.ErrorCode, ev.ErrorMessage = e.Code, e.Message
	}
	s.RecordDataEvent(ctx, ev)
}
