package devopsim

import (
	"context"
	"path/filepath"

	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/internal/awsapi"
)

// services holds every service the platform composes.
type services struct {
	metrics    *metrics.Service
	logs       *logs.Service
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
	return nil
}

// CloudWatch is metrics and alarms.
func (p *Platform) CloudWatch() *metrics.Service { return p.svc.metrics }

// Logs is CloudWatch Logs and Logs Insights.
func (p *Platform) Logs() *logs.Service { return p.svc.logs }

// CodeCommit is git hosting: repositories, branches, commits, and the git endpoint.
func (p *Platform) CodeCommit() *codecommit.Service { return p.svc.codecommit }

// CodeBuild runs buildspecs for real.
func (p *Platform) CodeBuild() *codebuild.Service { return p.svc.codebuild }
