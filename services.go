package devopsim

import (
	"context"
	"maps"
	"net/http"
	"path/filepath"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/iam"
	"github.com/devopsim/devopsim/internal/awsapi/autoscalingapi"
	"github.com/devopsim/devopsim/internal/awsapi/cloudformationapi"
	"github.com/devopsim/devopsim/internal/awsapi/cloudtrailapi"
	"github.com/devopsim/devopsim/internal/awsapi/cloudwatchapi"
	"github.com/devopsim/devopsim/internal/awsapi/codebuildapi"
	"github.com/devopsim/devopsim/internal/awsapi/codecommitapi"
	"github.com/devopsim/devopsim/internal/awsapi/codedeployapi"
	"github.com/devopsim/devopsim/internal/awsapi/codepipelineapi"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awsapi/elbv2api"
	"github.com/devopsim/devopsim/internal/awsapi/eventsapi"
	"github.com/devopsim/devopsim/internal/awsapi/iamapi"
	"github.com/devopsim/devopsim/internal/awsapi/logsapi"
	"github.com/devopsim/devopsim/internal/awsapi/snsapi"
	"github.com/devopsim/devopsim/internal/awsapi/ssmapi"
	"github.com/devopsim/devopsim/internal/cfnhost"
	"github.com/devopsim/devopsim/internal/cfnres"
	"github.com/devopsim/devopsim/internal/pipelinewire"
	"github.com/devopsim/devopsim/sns"
	"github.com/devopsim/devopsim/ssm"
)

// services holds every service the platform composes.
type services struct {
	cloudtrail     *cloudtrail.Service
	metrics        *metrics.Service
	logs           *logs.Service
	sns            *sns.Service
	events         *events.Service
	codecommit     *codecommit.Service
	codebuild      *codebuild.Service
	ec2            *ec2sim.Service
	autoscaling    *autoscaling.Service
	codedeploy     *codedeploy.Service
	ssm            *ssm.Service
	cloudformation *cloudformation.Service
	codepipeline   *codepipeline.Service
	elbv2          *elbv2.Service
	iam            *iam.Service
}

// closer is a service with background work.
type closer interface{ Close(context.Context) error }

// addServices builds every service beyond STS and S3 into g and registers it with g's router.
func (p *Platform) addServices(g *generation) error {
	track := func(c closer) { g.onClose(c.Close) }
	env := p.env
	cw, err := metrics.New(env, metrics.Options{})
	if err != nil {
		return err
	}
	g.svc.metrics = cw
	track(cw)
	g.router.Register(cloudwatchapi.Service(cw))

	lg, err := logs.New(env, logs.Options{Metrics: metricSink{cw}, DurableEvents: p.opts.DataDir != ""})
	if err != nil {
		return err
	}
	g.svc.logs = lg
	track(lg)
	g.router.Register(logsapi.Service(lg))

	// CloudTrail's audit hook sees every call (no service makes calls while being built).
	ct, err := cloudtrail.New(env, cloudtrail.Options{Logs: trailLogs{lg}, DurableHistory: p.opts.DataDir != ""})
	if err != nil {
		return err
	}
	g.svc.cloudtrail = ct
	track(ct)
	g.router.Register(cloudtrailapi.Service(ct))

	topics, err := sns.New(env, sns.Options{Endpoint: p.opts.Endpoint})
	if err != nil {
		return err
	}
	g.svc.sns = topics
	track(topics)
	g.router.Register(snsapi.Service(topics))
	cw.SetActionRunner(alarmActions{topics: topics})

	users, err := iam.New(env, iam.Options{})
	if err != nil {
		return err
	}
	g.svc.iam = users
	track(users)
	g.router.Register(iamapi.Service(users))

	ccOpts := codecommit.Options{Endpoint: p.opts.Endpoint}
	if p.opts.GitCredentials != nil {
		ccOpts.GitAuth = gitAuth(p.opts.GitCredentials, users, p.opts.Account)
	}
	if p.opts.DataDir != "" {
		ccOpts.Dir = filepath.Join(p.opts.DataDir, "codecommit")
	}
	cc, err := codecommit.New(env, ccOpts)
	if err != nil {
		return err
	}
	g.svc.codecommit = cc
	track(cc)
	g.router.Register(codecommitapi.Service(cc))
	g.router.Mount("/v1/repos/", cc.GitHandler())

	var balancers *elbv2.Service // built after EC2; hosts resolve load balancer names through it
	// The CloudFormation helper scripts (cfn-init, cfn-signal...) on hosts; CloudFormation is
	// attached once it is built.
	cfnTools := cfnhost.New(cfnhost.Options{Objects: env.Objects})
	hostCommands := cfnTools.Commands()
	hostCommands["amazon-cloudwatch-agent-ctl"] = agentCtl(lg)
	maps.Copy(hostCommands, p.opts.HostCommands)
	machines, err := ec2sim.New(env, ec2sim.Options{
		Metrics:      cw,
		Commands:     hostCommands,
		Packages:     cfnTools.Packages(),
		RealPrograms: p.opts.HostPrograms,
		Network: func(hostname string, port int) (http.Handler, bool) {
			if cfnhost.IsWaitConditionHost(hostname) {
				return cfnTools.WaitConditionHandler(), true
			}
			if balancers == nil {
				return nil, false
			}
			return balancers.Resolve(hostname, port)
		},
	})
	if err != nil {
		return err
	}
	g.svc.ec2 = machines
	track(machines)
	g.router.Register(ec2api.Service(machines))
	asg, err := autoscaling.New(env, machines, autoscaling.Options{Metrics: cw, LoadBalancer: groupTargets{&balancers}})
	if err != nil {
		return err
	}
	g.svc.autoscaling = asg
	track(asg) // closed before EC2
	g.router.Register(autoscalingapi.Service(asg))
	cw.SetActionRunner(alarmActions{topics: topics, ec2: fleet{machines}, extra: scalingActions(asg)})

	balancers, err = elbv2.New(env, elbv2.Deps{Targets: lbTargets{machines}}, elbv2.Options{})
	if err != nil {
		return err
	}
	g.svc.elbv2 = balancers
	track(balancers)
	g.router.Register(elbv2api.Service(balancers))

	params, err := ssm.New(env, ssm.Options{
		Fleet: ssmFleet{machines}, Logs: serviceLogs{lg, "ssm.amazonaws.com"},
		PublicParameters: ssm.AMIParameters(ec2sim.AL2023AMI, ec2sim.AmazonLinux2AMI, ec2sim.Ubuntu2404AMI, ec2sim.Ubuntu2204AMI),
	})
	if err != nil {
		return err
	}
	g.svc.ssm = params
	track(params) // closed before EC2 and Logs
	g.router.Register(ssmapi.Service(params))

	cb, err := codebuild.New(env, codebuild.Deps{
		Sources: codeCommitSources{cc}, Metrics: cw, Logs: serviceLogs{lg, "codebuild.amazonaws.com"},
		Parameters: parameters{params, "codebuild.amazonaws.com"},
	}, codebuild.Options{
		NewShell: p.opts.BuildShell,
	})
	if err != nil {
		return err
	}
	g.svc.codebuild = cb
	track(cb)
	g.router.Register(codebuildapi.Service(cb))

	cd, err := codedeploy.New(env, codedeploy.Deps{
		Fleet: fleet{machines}, AutoScaling: groups{asg, machines}, LoadBalancer: deployLB{balancers}, Alarms: cw, Notifier: notifier{topics, "codedeploy.amazonaws.com"},
	}, codedeploy.Options{})
	if err != nil {
		return err
	}
	g.svc.codedeploy = cd
	track(cd)
	g.router.Register(codedeployapi.Service(cd))
	onLaunch, stopLaunches := deployOnLaunch(cd)
	unsubscribeLaunches := p.bus.Subscribe(onLaunch)
	g.onClose(func(ctx context.Context) error { unsubscribeLaunches(); return stopLaunches(ctx) })

	stacks, err := cloudformation.New(env, cloudformation.Options{
		SSM: stackParameters{params}, Notifier: notifier{topics, "cloudformation.amazonaws.com"},
	})
	if err != nil {
		return err
	}
	g.svc.cloudformation = stacks
	cfnTools.Attach(stacks)
	track(stacks)
	g.router.Register(cloudformationapi.Service(stacks))

	pipelines, err := codepipeline.New(env, codepipeline.Deps{
		CodeCommit: pipelinewire.Sources{CC: cc}, Builds: pipelinewire.Builds{CB: cb}, Deployments: pipelinewire.Deployments{CD: cd},
		Stacks: pipelinewire.Stacks{CF: stacks}, Topics: topics,
	}, codepipeline.Options{})
	if err != nil {
		return err
	}
	g.svc.codepipeline = pipelines
	track(pipelines) // closed before CodeBuild and CodeCommit
	g.router.Register(codepipelineapi.Service(pipelines))
	unsubscribePipelines := p.bus.Subscribe(pipelines.HandleEvent)
	g.onClose(func(context.Context) error { unsubscribePipelines(); return nil })

	// EventBridge last: it delivers to the other services, and every service's events flow
	// through its rules.
	eb, err := events.New(env, events.Options{
		Topics:    topics,
		LogGroups: eventLogGroups{lg},
		Builds:    eventBuilds{cb},
		Instances: fleet{machines},
		Pipelines: pipelines,
	})
	if err != nil {
		return err
	}
	g.svc.events = eb
	track(eb)
	g.router.Register(eventsapi.Service(eb))
	unsubscribe := p.bus.Subscribe(eb.Deliver)
	g.onClose(func(context.Context) error { unsubscribe(); return nil })

	// Every service exists now: give CloudFormation their resource types.
	cfnres.Register(stacks, cfnres.Services{
		CodeCommit: cc, CodeBuild: cb, Logs: lg, Metrics: cw, SNS: topics, Events: eb,
		EC2: machines, AutoScaling: asg, CodeDeploy: cd, SSM: params, Objects: env.Objects,
		IAM: users, ELBv2: balancers, CodePipeline: pipelines, CloudTrail: ct,
	})
	return nil
}

// CloudWatch is metrics and alarms.
func (p *Platform) CloudWatch() *metrics.Service { return p.svc().metrics }

// Logs is CloudWatch Logs and Logs Insights.
func (p *Platform) Logs() *logs.Service { return p.svc().logs }

// CloudTrail records every call and runs trails.
func (p *Platform) CloudTrail() *cloudtrail.Service { return p.svc().cloudtrail }

// SNS is Simple Notification Service topics.
func (p *Platform) SNS() *sns.Service { return p.svc().sns }

// EventBridge routes every service's events through rules to targets.
func (p *Platform) EventBridge() *events.Service { return p.svc().events }

// CodeCommit is git hosting: repositories, branches, commits, and the git endpoint.
func (p *Platform) CodeCommit() *codecommit.Service { return p.svc().codecommit }

// EC2 is ec2sim: instances on simulated hosts, images, launch templates.
func (p *Platform) EC2() *ec2sim.Service { return p.svc().ec2 }

// AutoScaling is EC2 Auto Scaling on ec2sim.
func (p *Platform) AutoScaling() *autoscaling.Service { return p.svc().autoscaling }

// CodeDeploy deploys revisions onto ec2sim hosts, in place or blue/green.
func (p *Platform) CodeDeploy() *codedeploy.Service { return p.svc().codedeploy }

// SSM is Systems Manager: Run Command on hosts and Parameter Store.
func (p *Platform) SSM() *ssm.Service { return p.svc().ssm }

// CloudFormation creates stacks of resources in the other services.
func (p *Platform) CloudFormation() *cloudformation.Service { return p.svc().cloudformation }

// CodePipeline runs pipelines: source, build, approval and deploy actions on the other services.
func (p *Platform) CodePipeline() *codepipeline.Service { return p.svc().codepipeline }

// ELBv2 is Application Load Balancers proxying real HTTP to ec2sim hosts.
func (p *Platform) ELBv2() *elbv2.Service { return p.svc().elbv2 }

// IAM holds users and their CodeCommit git credentials (service-specific credentials).
func (p *Platform) IAM() *iam.Service { return p.svc().iam }

// CodeBuild runs buildspecs for real.
func (p *Platform) CodeBuild() *codebuild.Service { return p.svc().codebuild }
