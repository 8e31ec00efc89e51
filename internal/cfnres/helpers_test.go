package cfnres_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

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
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/cfnhost"
	"github.com/devopsim/devopsim/internal/cfnres"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/pipelinewire"
	"github.com/devopsim/devopsim/sns"
	"github.com/devopsim/devopsim/ssm"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2.runClock"))
}

type platform struct {
	env *core.Env
	cf  *cloudformation.Service
	cfnres.Services
}

type closer interface{ Close(context.Context) error }

// codeCommitSources lets CodeBuild read CodeCommit trees (as the root's adapter does).
type codeCommitSources struct{ cc *codecommit.Service }

func (s codeCommitSources) FetchCodeCommit(ctx context.Context, location, version string) ([]byte, string, error) {
	name := location
	if i := strings.LastIndex(location, "/"); i >= 0 {
		name = location[i+1:]
	}
	if i := strings.LastIndex(name, ":"); i >= 0 {
		name = name[i+1:]
	}
	return s.cc.Archive(identity.InService(ctx, "codebuild.amazonaws.com"), name, version)
}

type serviceLogs struct{ logs *logs.Service }

func (l serviceLogs) EnsureStream(ctx context.Context, group, stream string) error {
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
	ev := make([]logs.InputLogEvent, len(lines))
	for i, line := range lines {
		if line == "" {
			line = " "
		}
		ev[i] = logs.InputLogEvent{Timestamp: t.UnixMilli(), Message: line}
	}
	_, err := l.logs.PutLogEvents(ctx, &logs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: ev})
	return err
}

// newPlatform builds the real services on one environment (as the root does) and
// CloudFormation with every provider registered.
func newPlatform(t *testing.T) *platform {
	t.Helper()
	env := awstest.Env(t)
	var closers []closer
	must := func(c closer, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, c)
	}
	t.Cleanup(func() {
		for i := len(closers) - 1; i >= 0; i-- {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_ = closers[i].Close(ctx)
			cancel()
		}
	})
	p := &platform{env: env}
	var err error
	p.Metrics, err = metrics.New(env, metrics.Options{})
	must(p.Metrics, err)
	p.Logs, err = logs.New(env, logs.Options{})
	must(p.Logs, err)
	p.SNS, err = sns.New(env, sns.Options{})
	must(p.SNS, err)
	p.CodeCommit, err = codecommit.New(env, codecommit.Options{})
	must(p.CodeCommit, err)
	p.CodeBuild, err = codebuild.New(env, codebuild.Deps{Sources: codeCommitSources{p.CodeCommit}, Metrics: p.Metrics, Logs: serviceLogs{p.Logs}}, codebuild.Options{WorkDir: t.TempDir()})
	must(p.CodeBuild, err)
	// The hosts run cfn-init/cfn-signal (attached to CloudFormation below) and reach wait
	// condition handle URLs with curl.
	tools := cfnhost.New(cfnhost.Options{Objects: env.Objects})
	p.EC2, err = ec2sim.New(env, ec2sim.Options{Commands: tools.Commands(), Packages: tools.Packages(),
		Network: func(hostname string, _ int) (http.Handler, bool) {
			return tools.WaitConditionHandler(), cfnhost.IsWaitConditionHost(hostname)
		}})
	must(p.EC2, err)
	p.AutoScaling, err = autoscaling.New(env, p.EC2, autoscaling.Options{})
	must(p.AutoScaling, err)
	p.CodeDeploy, err = codedeploy.New(env, codedeploy.Deps{Alarms: p.Metrics}, codedeploy.Options{})
	must(p.CodeDeploy, err)
	p.Events, err = events.New(env, events.Options{Topics: p.SNS})
	must(p.Events, err)
	p.Objects = env.Objects
	p.IAM, err = iam.New(env, iam.Options{})
	must(p.IAM, err)
	p.ELBv2, err = elbv2.New(env, elbv2.Deps{Targets: ec2Targets{p.EC2}}, elbv2.Options{})
	must(p.ELBv2, err)
	p.SSM, err = ssm.New(env, ssm.Options{PublicParameters: ssm.AMIParameters(ec2sim.AL2023AMI, ec2sim.AmazonLinux2AMI, ec2sim.Ubuntu2404AMI, ec2sim.Ubuntu2204AMI)})
	must(p.SSM, err)
	p.cf, err = cloudformation.New(env, cloudformation.Options{SSM: paramStore{p.SSM}})
	must(p.cf, err)
	p.CloudTrail, err = cloudtrail.New(env, cloudtrail.Options{})
	must(p.CloudTrail, err)
	p.CodePipeline, err = codepipeline.New(env, codepipeline.Deps{CodeCommit: pipelinewire.Sources{CC: p.CodeCommit}, Builds: pipelinewire.Builds{CB: p.CodeBuild},
		Deployments: pipelinewire.Deployments{CD: p.CodeDeploy}, Stacks: pipelinewire.Stacks{CF: p.cf}, Topics: p.SNS}, codepipeline.Options{})
	must(p.CodePipeline, err)
	cfnres.Register(p.cf, p.Services)
	tools.Attach(p.cf)
	return p
}

// deploy creates a stack and waits for it; it returns the final status and the stack.
func (p *platform) deploy(t *testing.T, name, body string, params ...cloudformation.Parameter) (string, *cloudformation.Stack) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: name, TemplateBody: body, Parameters: params,
		Capabilities: []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}); err != nil {
		t.Fatalf("CreateStack %s: %v", name, err)
	}
	return p.wait(t, name)
}

func (p *platform) wait(t *testing.T, name string) (string, *cloudformation.Stack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := p.cf.WaitStack(ctx, name); err != nil {
		t.Fatalf("WaitStack %s: %v", name, err)
	}
	return p.stack(t, name)
}

func (p *platform) stack(t *testing.T, name string) (string, *cloudformation.Stack) {
	t.Helper()
	out, err := p.cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: name})
	if err != nil || len(out.Stacks) == 0 {
		t.Fatalf("DescribeStacks %s: %v", name, err)
	}
	st := out.Stacks[0]
	return st.StackStatus, &st
}

// failures lists the stack's failed resource events (for messages).
func (p *platform) failures(t *testing.T, name string) string {
	out, err := p.cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: name})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range out.StackEvents {
		if strings.HasSuffix(e.ResourceStatus, "FAILED") {
			b.WriteString(e.LogicalResourceId + ": " + e.ResourceStatusReason + "\n")
		}
	}
	return b.String()
}

func outputs(st *cloudformation.Stack) map[string]string {
	m := map[string]string{}
	for _, o := range st.Outputs {
		m[o.OutputKey] = o.OutputValue
	}
	return m
}

func (p *platform) physical(t *testing.T, stack, logical string) string {
	t.Helper()
	out, err := p.cf.DescribeStackResources(context.Background(), &cloudformation.DescribeStackResourcesInput{StackName: stack, LogicalResourceId: logical})
	if err != nil || len(out.StackResources) == 0 {
		t.Fatalf("DescribeStackResources %s/%s: %v", stack, logical, err)
	}
	return out.StackResources[0].PhysicalResourceId
}

func (p *platform) deleteStack(t *testing.T, name string) {
	t.Helper()
	id := name
	_, st := p.stack(t, name)
	id = st.StackId
	if _, err := p.cf.DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: name}); err != nil {
		t.Fatal(err)
	}
	status, _ := p.wait(t, id)
	if status != "DELETE_COMPLETE" {
		t.Fatalf("delete %s: %s\n%s", name, status, p.failures(t, id))
	}
}

func updateInput(name, body string) *cloudformation.UpdateStackInput {
	return &cloudformation.UpdateStackInput{StackName: name, TemplateBody: body, Capabilities: []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}
}

func param(k, v string) cloudformation.Parameter {
	return cloudformation.Parameter{ParameterKey: k, ParameterValue: v}
}

func withParams(in *cloudformation.UpdateStackInput, ps ...cloudformation.Parameter) *cloudformation.UpdateStackInput {
	in.Parameters = ps
	return in
}

// paramStore gives CloudFormation Parameter Store (as the root's adapter does).
type paramStore struct{ s *ssm.Service }

func (p paramStore) GetParameter(ctx context.Context, name string) (string, string, error) {
	out, err := p.s.GetParameter(ctx, &ssm.GetParameterInput{Name: name, WithDecryption: true})
	if err != nil {
		return "", "", err
	}
	return out.Parameter.Value, out.Parameter.Type, nil
}

func (p paramStore) PutParameter(ctx context.Context, name, value, typ string, overwrite bool) error {
	_, err := p.s.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Value: value, Type: typ, Overwrite: overwrite})
	return err
}

func (p paramStore) DeleteParameter(ctx context.Context, name string) error {
	_, err := p.s.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: name})
	return err
}

// ec2Targets lets the load balancer reach instances' web services (as the root's adapter does).
type ec2Targets struct{ ec2 *ec2sim.Service }

func (e ec2Targets) Handler(_ context.Context, id string, port int) (http.Handler, bool, error) {
	h, ok := e.ec2.Host(id)
	if !ok {
		return nil, false, elbv2.ErrInstanceNotFound
	}
	hh, ok := h.Handler(port)
	return hh, ok, nil
}
