package devopsim

import (
	"context"
	"path/filepath"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/internal/awsapi"
	"github.com/devopsim/devopsim/sns"
)

// services holds every service the platform composes.
type services struct {
	cloudtrail *cloudtrail.Service
	metrics    *metrics.Service
	logs       *logs.Service
	sns        *sns.Service
	events     *events.Service
	codecommit *codecommit.Service
	codebuild  *codebuild.Service
}

// closer is a service with background work.
type closer interface{ Close(context.Context) error }

func (p *Platform) track(c closer) { p.onClose(c.Close) }

// addServices builds every service beyond STS and S3 and registers it with the router.
func (p *Platform) addServices() error {
	env := p.env
	cw, err := metrics.New(env, metrics.Options{})
	if err != nil {
		return err
	}
	p.svc.metrics = cw
	p.track(cw)
	p.router.Register(awsapi.CloudWatch(cw))

	lg, err := logs.New(env, logs.Options{Metrics: metricSink{cw}, DurableEvents: p.opts.DataDir != ""})
	if err != nil {
		return err
	}
	p.svc.logs = lg
	p.track(lg)
	p.router.Register(awsapi.Logs(lg))

	// CloudTrail's audit hook sees every call (no service makes calls while being built).
	ct, err := cloudtrail.New(env, cloudtrail.Options{Logs: trailLogs{lg}})
	if err != nil {
		return err
	}
	p.svc.cloudtrail = ct
	p.track(ct)
	p.router.Register(awsapi.CloudTrail(ct))

	topics, err := sns.New(env, sns.Options{Endpoint: p.opts.Endpoint})
	if err != nil {
		return err
	}
	p.svc.sns = topics
	p.track(topics)
	p.router.Register(awsapi.SNS(topics))
	cw.SetActionRunner(alarmActions{topics: topics})

	ccOpts := codecommit.Options{Endpoint: p.opts.Endpoint}
	if p.opts.DataDir != "" {
		ccOpts.Dir = filepath.Join(p.opts.DataDir, "codecommit")
	}
	cc, err := codecommit.New(env, ccOpts)
	if err != nil {
		return err
	}
	p.svc.codecommit = cc
	p.track(cc)
	p.router.Register(awsapi.CodeCommit(cc))
	p.router.Mount("/v1/repos/", cc.GitHandler())

	cb, err := codebuild.New(env, codebuild.Deps{Sources: codeCommitSources{cc}, Metrics: cw, Logs: serviceLogs{lg, "codebuild.amazonaws.com"}}, codebuild.Options{
		NewShell: p.opts.BuildShell,
	})
	if err != nil {
		return err
	}
	p.svc.codebuild = cb
	p.track(cb)
	p.router.Register(awsapi.CodeBuild(cb))

	// EventBridge last: it delivers to the other services, and every service's events flow
	// through its rules.
	eb, err := events.New(env, events.Options{
		Topics:    topics,
		LogGroups: eventLogGroups{lg},
		Builds:    eventBuilds{cb},
	})
	if err != nil {
		return err
	}
	p.svc.events = eb
	p.track(eb)
	p.router.Register(awsapi.Events(eb))
	unsubscribe := p.bus.Subscribe(eb.Deliver)
	p.onClose(func(context.Context) error { unsubscribe(); return nil })
	return nil
}

// CloudWatch is metrics and alarms.
func (p *Platform) CloudWatch() *metrics.Service { return p.svc.metrics }

// Logs is CloudWatch Logs and Logs Insights.
func (p *Platform) Logs() *logs.Service { return p.svc.logs }

// CloudTrail records every call and runs trails.
func (p *Platform) CloudTrail() *cloudtrail.Service { return p.svc.cloudtrail }

// SNS is Simple Notification Service topics.
func (p *Platform) SNS() *sns.Service { return p.svc.sns }

// EventBridge routes every service's events through rules to targets.
func (p *Platform) EventBridge() *events.Service { return p.svc.events }

// CodeCommit is git hosting: repositories, branches, commits, and the git endpoint.
func (p *Platform) CodeCommit() *codecommit.Service { return p.svc.codecommit }

// CodeBuild runs buildspecs for real.
func (p *Platform) CodeBuild() *codebuild.Service { return p.svc.codebuild }
