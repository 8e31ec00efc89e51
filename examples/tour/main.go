// Command tour walks through devopsim's DevOps flow in one process, through the real AWS SDK
// for Go: it launches staging web servers whose user data installs nginx, creates production
// from a CloudFormation template (environment.yaml: VPC, security group, launch template, Auto
// Scaling group behind an application load balancer, alarm and scaling policy, EventBridge rule
// to an SNS topic, log group) and sets its alarm off, pushes an application to CodeCommit with a
// git client, and a CodePipeline builds and tests it with CodeBuild, waits for a manual approval,
// deploys it with CodeDeploy onto the staging servers in place and then blue/green to
// production; a second push flows through the pipeline by itself. Every call lands in
// CloudTrail. Systems Manager Run Command reads the page on the staging servers, and the
// CloudWatch agent ships an app log that Logs Insights queries.
//
//	go run ./examples/tour
//
// It needs go on PATH: the build runs go vet and go test on the pushed application.
package main

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cb "github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/codecommit"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/devopsimtest"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/sns"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

// app is the application the tour pushes, builds, tests and deploys; %s is its greeting.
func app(greeting string) map[string]string {
	return map[string]string{
		"go.mod":       "module example.com/hello\n\ngo 1.22\n",
		"main.go":      "package main\n\nimport \"fmt\"\n\nfunc Greeting() string { return \"" + greeting + "\" }\n\nfunc main() { fmt.Println(Greeting()) }\n",
		"main_test.go": "package main\n\nimport (\n\t\"strings\"\n\t\"testing\"\n)\n\nfunc TestGreeting(t *testing.T) {\n\tif !strings.HasPrefix(Greeting(), \"hello\") {\n\t\tt.Fatal(Greeting())\n\t}\n}\n",
		"appspec.yml": `version: 0.0
os: linux
files:
  - source: site/index.html
    destination: /usr/share/nginx/html
hooks:
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
  ValidateService:
    - location: scripts/validate.sh
      timeout: 60
`,
		"scripts/start.sh":    "#!/bin/bash\nsystemctl restart nginx\n",
		"scripts/validate.sh": "#!/bin/bash\ncurl -s http://localhost/ | grep -q 'hello'\n",
		"buildspec.yml": `version: 0.2
env:
  exported-variables: [APP_VERSION]
phases:
  build:
    commands:
      - go vet ./...
      - go test ./...
      - export APP_VERSION=$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c1-7)
      - mkdir -p site && echo "<h1>$(go run .)</h1>" > site/index.html
artifacts:
  files: [site/index.html, appspec.yml, scripts/*]
`,
	}
}

// tour holds what the steps share.
type tour struct {
	ctx  context.Context
	w    io.Writer
	p    *devopsim.Platform
	cfg  aws.Config
	repo *git.Repository
	url  string
	// prodGroup is the Auto Scaling group production runs on after the blue/green deployment.
	prodGroup string
	prodDNS   string   // the production load balancer's DNS name
	blue      []string // production's current instances, replaced by the next deployment
	topic     string   // the SNS topic the group's launch events reach
}

// environmentTemplate is production's CloudFormation template.
//
//go:embed environment.yaml
var environmentTemplate string

func (t *tour) step(format string, args ...any) { fmt.Fprintf(t.w, "==> "+format+"\n", args...) }

func run(ctx context.Context, w io.Writer) error {
	// The platform, served on a loopback port so the git client can push to it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	endpoint := "http://" + ln.Addr().String()
	p, err := devopsim.New(devopsim.Options{Endpoint: endpoint})
	if err != nil {
		ln.Close()
		return err
	}
	defer p.Close(ctx)
	srv := &http.Server{Handler: p.Handler()}
	go srv.Serve(ln)
	defer srv.Close()
	t := &tour{ctx: ctx, w: w, p: p, cfg: devopsimtest.Config(p)}
	t.step("platform up at %s: account %s, region %s", endpoint, p.Account(), p.Region())

	id, err := sts.NewFromConfig(t.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	t.step("sts GetCallerIdentity: %s", aws.ToString(id.Arn))

	servers, err := t.launchServers()
	if err != nil {
		return err
	}
	if err := t.environment(); err != nil {
		return err
	}
	if err := t.observe(); err != nil {
		return err
	}
	if err := t.createRepository(); err != nil {
		return err
	}
	if err := t.push("hello from devopsim", "first version"); err != nil {
		return err
	}
	if err := t.createPipeline(); err != nil {
		return err
	}
	// CreatePipeline starts an execution on the branch's head, as AWS does.
	if err := t.approveAndFinish(); err != nil {
		return err
	}
	if err := t.checkServers(servers, "hello from devopsim"); err != nil {
		return err
	}
	if err := t.checkProduction("hello from devopsim"); err != nil {
		return err
	}
	if err := t.showBuildLog(); err != nil {
		return err
	}

	// A second commit flows through the pipeline by itself.
	if err := t.push("hello again, from the second commit", "second version"); err != nil {
		return err
	}
	if err := t.approveAndFinish(); err != nil {
		return err
	}
	if err := t.checkServers(servers, "hello again, from the second commit"); err != nil {
		return err
	}
	if err := t.checkProduction("hello again, from the second commit"); err != nil {
		return err
	}
	if err := t.showTrail(); err != nil {
		return err
	}

	if err := t.runCommand(); err != nil {
		return err
	}
	return t.logsInsights()
}

// observe sets off the stack's alarm: its action, the stack's scaling policy, scales production
// out, and the group's launch event reaches an SNS subscriber through the stack's EventBridge rule.
func (t *tour) observe() error {
	got := make(chan sns.Message, 16)
	if _, err := t.p.SNS().SubscribeFunc(t.ctx, t.topic, func(_ context.Context, m *sns.Message) error {
		select {
		case got <- *m:
		default:
		}
		return nil
	}); err != nil {
		return err
	}
	as := autoscaling.NewFromConfig(t.cfg)
	cw := cloudwatch.NewFromConfig(t.cfg)
	var err error
	dims := []cwtypes.Dimension{{Name: aws.String("AutoScalingGroupName"), Value: aws.String(t.prodGroup)}}
	if _, err := cw.PutMetricData(t.ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Tour"), MetricData: []cwtypes.MetricDatum{
		{MetricName: aws.String("RequestsPerInstance"), Dimensions: dims, Value: aws.Float64(250), Timestamp: aws.Time(time.Now())}}}); err != nil {
		return err
	}
	t.step("cloudwatch alarm prod-busy (RequestsPerInstance > 100) → the stack's scaling policy (+1 on %s); put 250", t.prodGroup)
	// The alarm evaluates once a minute on the real clock; SetAlarmState sets it off now and,
	// as on AWS, runs its actions.
	if _, err := cw.SetAlarmState(t.ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("prod-busy"), StateValue: cwtypes.StateValueAlarm,
		StateReason: aws.String("Threshold Crossed: 1 datapoint [250.0] was greater than the threshold (100.0).")}); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := as.DescribeAutoScalingGroups(t.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{t.prodGroup}})
		if err != nil {
			return err
		}
		if len(out.AutoScalingGroups) == 1 && aws.ToInt32(out.AutoScalingGroups[0].DesiredCapacity) == 3 {
			t.step("alarm prod-busy in ALARM: %s desired capacity 2 → 3", t.prodGroup)
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the alarm did not scale %s out", t.prodGroup)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for {
		select {
		case m := <-got:
			var e struct {
				DetailType string `json:"detail-type"`
				Detail     struct {
					AutoScalingGroupName string `json:"AutoScalingGroupName"`
					EC2InstanceID        string `json:"EC2InstanceId"`
				} `json:"detail"`
			}
			if err := json.Unmarshal([]byte(m.Message), &e); err != nil {
				return fmt.Errorf("sns message %q: %w", m.Message, err)
			}
			if e.Detail.AutoScalingGroupName != t.prodGroup {
				continue
			}
			t.step("sns subscriber got %q: %s launched in %s", e.DetailType, e.Detail.EC2InstanceID, e.Detail.AutoScalingGroupName)
			// The first blue/green deployment replaces all three.
			t.blue, err = t.groupInstances(t.prodGroup, 3)
			return err
		case <-time.After(time.Minute):
			return fmt.Errorf("no launch event reached the SNS subscriber")
		}
	}
}

// runCommand reads the page on the staging servers with Systems Manager Run Command.
func (t *tour) runCommand() error {
	c := ssm.NewFromConfig(t.cfg)
	out, err := c.SendCommand(t.ctx, &ssm.SendCommandInput{
		DocumentName: aws.String("AWS-RunShellScript"),
		Targets:      []ssmtypes.Target{{Key: aws.String("tag:Env"), Values: []string{"staging"}}},
		Parameters:   map[string][]string{"commands": {"cat /usr/share/nginx/html/index.html"}},
	})
	if err != nil {
		return err
	}
	id := aws.ToString(out.Command.CommandId)
	t.step("ssm SendCommand AWS-RunShellScript to tag:Env=staging: command %s", id)
	if err := t.p.SSM().Wait(t.ctx, id); err != nil {
		return err
	}
	inv, err := c.ListCommandInvocations(t.ctx, &ssm.ListCommandInvocationsInput{CommandId: aws.String(id)})
	if err != nil {
		return err
	}
	if len(inv.CommandInvocations) == 0 {
		return fmt.Errorf("command %s ran on no instance", id)
	}
	for _, i := range inv.CommandInvocations {
		got, err := c.GetCommandInvocation(t.ctx, &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: i.InstanceId})
		if err != nil {
			return err
		}
		t.step("ssm GetCommandInvocation %s: %s, output %s", aws.ToString(i.InstanceId), got.Status, strings.TrimSpace(aws.ToString(got.StandardOutputContent)))
		if got.Status != ssmtypes.CommandInvocationStatusSuccess {
			return fmt.Errorf("command on %s: %s %s", aws.ToString(i.InstanceId), got.Status, aws.ToString(got.StandardErrorContent))
		}
	}
	return nil
}

// launchServers starts two web servers whose user data installs and starts nginx.
func (t *tour) launchServers() ([]string, error) {
	userData := "#!/bin/bash\nyum install -y nginx\nrm -f /usr/share/nginx/html/index.html\nsystemctl enable --now nginx\n"
	run, err := ec2.NewFromConfig(t.cfg).RunInstances(t.ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-0a2023000000000a1"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		UserData: aws.String(base64.StdEncoding.EncodeToString([]byte(userData))),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{{Key: aws.String("Env"), Value: aws.String("staging")}}}},
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, i := range run.Instances {
		ids = append(ids, aws.ToString(i.InstanceId))
	}
	if err := t.p.EC2().WaitBooted(t.ctx, ids...); err != nil {
		return nil, err
	}
	t.step("ec2 RunInstances: %s booted; their user data installed and started nginx", strings.Join(ids, ", "))
	return ids, nil
}

func (t *tour) createRepository() error {
	repo, err := codecommit.NewFromConfig(t.cfg).CreateRepository(t.ctx, &codecommit.CreateRepositoryInput{
		RepositoryName: aws.String("hello"), RepositoryDescription: aws.String("the tour's application"),
	})
	if err != nil {
		return err
	}
	t.url = aws.ToString(repo.RepositoryMetadata.CloneUrlHttp)
	t.step("codecommit CreateRepository: %s", t.url)
	t.repo, err = git.Init(memory.NewStorage(), memfs.New())
	return err
}

// push commits the application with the given greeting and pushes it to main with go-git,
// as `git push URL HEAD:main` would with the git command.
func (t *tour) push(greeting, message string) error {
	wt, err := t.repo.Worktree()
	if err != nil {
		return err
	}
	files := app(greeting)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := wt.Filesystem.MkdirAll(path.Dir(name), 0o755); err != nil {
			return err
		}
		if err := util.WriteFile(wt.Filesystem, name, []byte(files[name]), 0o755); err != nil {
			return err
		}
		if _, err := wt.Add(name); err != nil {
			return err
		}
	}
	sig := &object.Signature{Name: "Tour", Email: "tour@example.com", When: time.Now()}
	head, err := wt.Commit(message, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return err
	}
	if _, err := t.repo.Remote("origin"); err != nil {
		if _, err := t.repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{t.url}}); err != nil {
			return err
		}
	}
	// git.Init names the first branch master; the server calls it main.
	if err := t.repo.PushContext(t.ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/master:refs/heads/main"}}); err != nil {
		return fmt.Errorf("git push: %w", err)
	}
	t.step("git push %q: main is at %s", message, head.String()[:7])
	return nil
}

// createPipeline makes the build project, the deployment group and the pipeline
// Source → Build → Approval → Deploy.
func (t *tour) createPipeline() error {
	_, err := cb.NewFromConfig(t.cfg).CreateProject(t.ctx, &cb.CreateProjectInput{
		Name:        aws.String("hello-build"),
		Source:      &cbtypes.ProjectSource{Type: cbtypes.SourceTypeCodepipeline},
		Artifacts:   &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeCodepipeline},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/standard:7.0"), ComputeType: cbtypes.ComputeTypeBuildGeneral1Small},
		ServiceRole: aws.String("arn:aws:iam::" + t.p.Account() + ":role/codebuild"),
	})
	if err != nil {
		return err
	}
	cd := codedeploy.NewFromConfig(t.cfg)
	if _, err := cd.CreateApplication(t.ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("hello"), ComputePlatform: cdtypes.ComputePlatformServer}); err != nil {
		return err
	}
	_, err = cd.CreateDeploymentGroup(t.ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String("hello"), DeploymentGroupName: aws.String("staging"),
		ServiceRoleArn:       aws.String("arn:aws:iam::" + t.p.Account() + ":role/codedeploy"),
		DeploymentConfigName: aws.String("CodeDeployDefault.OneAtATime"),
		Ec2TagFilters:        []cdtypes.EC2TagFilter{{Key: aws.String("Env"), Value: aws.String("staging"), Type: cdtypes.EC2TagFilterTypeKeyAndValue}},
	})
	if err != nil {
		return err
	}
	// Production: the stack's Auto Scaling group, deployed blue/green.
	if err := t.productionGroup(); err != nil {
		return err
	}
	action := func(name string, cat cptypes.ActionCategory, provider string, cfg map[string]string, in, out string) cptypes.ActionDeclaration {
		a := cptypes.ActionDeclaration{Name: aws.String(name), Configuration: cfg,
			ActionTypeId: &cptypes.ActionTypeId{Category: cat, Owner: cptypes.ActionOwnerAws, Provider: aws.String(provider), Version: aws.String("1")}}
		if in != "" {
			a.InputArtifacts = []cptypes.InputArtifact{{Name: aws.String(in)}}
		}
		if out != "" {
			a.OutputArtifacts = []cptypes.OutputArtifact{{Name: aws.String(out)}}
		}
		return a
	}
	_, err = codepipeline.NewFromConfig(t.cfg).CreatePipeline(t.ctx, &codepipeline.CreatePipelineInput{Pipeline: &cptypes.PipelineDeclaration{
		Name:          aws.String("hello"),
		RoleArn:       aws.String("arn:aws:iam::" + t.p.Account() + ":role/codepipeline"),
		ArtifactStore: &cptypes.ArtifactStore{Type: cptypes.ArtifactStoreTypeS3, Location: aws.String("tour-pipeline-artifacts")},
		Stages: []cptypes.StageDeclaration{
			{Name: aws.String("Source"), Actions: []cptypes.ActionDeclaration{action("Source", cptypes.ActionCategorySource, "CodeCommit", map[string]string{"RepositoryName": "hello", "BranchName": "main"}, "", "App")}},
			{Name: aws.String("Build"), Actions: []cptypes.ActionDeclaration{action("BuildAndTest", cptypes.ActionCategoryBuild, "CodeBuild", map[string]string{"ProjectName": "hello-build"}, "App", "Site")}},
			{Name: aws.String("Approval"), Actions: []cptypes.ActionDeclaration{action("Approve", cptypes.ActionCategoryApproval, "Manual", map[string]string{"CustomData": "Deploy to staging?"}, "", "")}},
			{Name: aws.String("Deploy"), Actions: []cptypes.ActionDeclaration{action("Deploy", cptypes.ActionCategoryDeploy, "CodeDeploy", map[string]string{"ApplicationName": "hello", "DeploymentGroupName": "staging"}, "Site", "")}},
			{Name: aws.String("Production"), Actions: []cptypes.ActionDeclaration{action("BlueGreen", cptypes.ActionCategoryDeploy, "CodeDeploy", map[string]string{"ApplicationName": "hello", "DeploymentGroupName": "production"}, "Site", "")}},
		},
	}})
	if err != nil {
		return err
	}
	t.step("codepipeline CreatePipeline hello: Source (CodeCommit) → Build (CodeBuild) → Approval (manual) → Deploy (CodeDeploy, staging in place) → Production (CodeDeploy, blue/green)")
	return nil
}

// waitEvent waits for a platform event the filter accepts.
func (t *tour) waitEvent(match func(eventbus.Event) bool) (eventbus.Event, error) {
	got := make(chan eventbus.Event, 1)
	cancel := t.p.Events().Subscribe(func(_ context.Context, e eventbus.Event) {
		if match(e) {
			select {
			case got <- e:
			default:
			}
		}
	})
	defer cancel()
	select {
	case e := <-got:
		return e, nil
	case <-time.After(2 * time.Minute):
		return eventbus.Event{}, fmt.Errorf("timed out waiting for an event")
	}
}

func detail(e eventbus.Event) map[string]any {
	var d map[string]any
	_ = json.Unmarshal(e.Detail, &d)
	return d
}

// approveAndFinish waits for the pipeline to reach the approval, approves it, and waits for
// the execution to end.
func (t *tour) approveAndFinish() error {
	cp := codepipeline.NewFromConfig(t.cfg)
	finished := make(chan eventbus.Event, 1)
	cancel := t.p.Events().Subscribe(func(_ context.Context, e eventbus.Event) {
		if e.DetailType == "CodePipeline Pipeline Execution State Change" {
			if s := detail(e)["state"]; s == "SUCCEEDED" || s == "FAILED" || s == "STOPPED" {
				select {
				case finished <- e:
				default:
				}
			}
		}
	})
	defer cancel()
	var token string
	for token == "" {
		state, err := cp.GetPipelineState(t.ctx, &codepipeline.GetPipelineStateInput{Name: aws.String("hello")})
		if err != nil {
			return err
		}
		for _, s := range state.StageStates {
			if aws.ToString(s.StageName) == "Build" && s.LatestExecution != nil && s.LatestExecution.Status == cptypes.StageExecutionStatusFailed {
				return fmt.Errorf("the build stage failed: %+v", s.ActionStates)
			}
			if aws.ToString(s.StageName) != "Approval" {
				continue
			}
			for _, a := range s.ActionStates {
				if a.LatestExecution != nil && a.LatestExecution.Status == cptypes.ActionExecutionStatusInProgress {
					token = aws.ToString(a.LatestExecution.Token)
				}
			}
		}
		if token == "" {
			if _, err := t.waitEvent(func(e eventbus.Event) bool {
				return e.DetailType == "CodePipeline Action Execution State Change" && detail(e)["action"] == "Approve"
			}); err != nil {
				return err
			}
		}
	}
	t.step("pipeline built and tested the commit and waits for approval; approving")
	_, err := cp.PutApprovalResult(t.ctx, &codepipeline.PutApprovalResultInput{
		PipelineName: aws.String("hello"), StageName: aws.String("Approval"), ActionName: aws.String("Approve"), Token: aws.String(token),
		Result: &cptypes.ApprovalResult{Status: cptypes.ApprovalStatusApproved, Summary: aws.String("looks good")},
	})
	if err != nil {
		return err
	}
	select {
	case e := <-finished:
		d := detail(e)
		t.step("pipeline execution %v: %v", d["execution-id"], d["state"])
		if d["state"] != "SUCCEEDED" {
			return fmt.Errorf("the pipeline execution %v", d["state"])
		}
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("timed out waiting for the pipeline")
	}
	return nil
}

// checkServers reads each web server's page over HTTP.
func (t *tour) checkServers(ids []string, want string) error {
	for _, id := range ids {
		h, _ := t.p.EC2().MachineOf(id)
		res, err := http.Get(h.URL(80))
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.step("GET %s (nginx on %s): %s", h.URL(80), id, strings.TrimSpace(string(body)))
		if !strings.Contains(string(body), want) {
			return fmt.Errorf("%s serves %q, want %q", id, body, want)
		}
	}
	return nil
}

// showBuildLog prints the test lines of the last build's CloudWatch Logs stream.
func (t *tour) showBuildLog() error {
	builds, err := cb.NewFromConfig(t.cfg).ListBuildsForProject(t.ctx, &cb.ListBuildsForProjectInput{ProjectName: aws.String("hello-build")})
	if err != nil || len(builds.Ids) == 0 {
		return fmt.Errorf("no build: %v", err)
	}
	got, err := cb.NewFromConfig(t.cfg).BatchGetBuilds(t.ctx, &cb.BatchGetBuildsInput{Ids: builds.Ids[:1]})
	if err != nil {
		return err
	}
	logs := got.Builds[0].Logs
	events, err := cloudwatchlogs.NewFromConfig(t.cfg).GetLogEvents(t.ctx, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: logs.GroupName, LogStreamName: logs.StreamName, StartFromHead: aws.Bool(true)})
	if err != nil {
		return err
	}
	for _, e := range events.Events {
		if msg := aws.ToString(e.Message); strings.Contains(msg, "Running command go") || strings.HasPrefix(msg, "ok ") {
			t.step("build log %s: %s", aws.ToString(logs.GroupName), msg)
		}
	}
	return nil
}

// showTrail counts what CloudTrail recorded, including the calls services made for each other.
func (t *tour) showTrail() error {
	for _, name := range []string{"StartBuild", "CreateDeployment", "PutApprovalResult"} {
		out, err := cloudtrail.NewFromConfig(t.cfg).LookupEvents(t.ctx, &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}})
		if err != nil {
			return err
		}
		by := ""
		if len(out.Events) > 0 {
			var rec struct {
				SourceIPAddress string `json:"sourceIPAddress"`
			}
			_ = json.Unmarshal([]byte(aws.ToString(out.Events[0].CloudTrailEvent)), &rec)
			by = rec.SourceIPAddress
		}
		t.step("cloudtrail LookupEvents %s: %d events, the latest from %s", name, len(out.Events), by)
	}
	return nil
}

// environment creates production from the CloudFormation template environment.yaml, stored
// in S3 as the seed keeps its templates: a VPC, a security group, a launch template whose user
// data installs nginx, an Auto Scaling group behind an application load balancer, an alarm with
// a scaling policy, an SNS topic fed by an EventBridge rule, and the application's log group.
func (t *tour) environment() error {
	s3c := s3.NewFromConfig(t.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(t.ctx, &s3.CreateBucketInput{Bucket: aws.String("tour-templates")}); err != nil {
		return err
	}
	if _, err := s3c.PutObject(t.ctx, &s3.PutObjectInput{Bucket: aws.String("tour-templates"), Key: aws.String("environment.yaml"),
		Body: strings.NewReader(environmentTemplate)}); err != nil {
		return err
	}
	cf := cloudformation.NewFromConfig(t.cfg)
	url := "https://tour-templates.s3.amazonaws.com/environment.yaml"
	if _, err := cf.CreateStack(t.ctx, &cloudformation.CreateStackInput{StackName: aws.String("tour-production"), TemplateURL: aws.String(url),
		Tags: []cftypes.Tag{{Key: aws.String("Project"), Value: aws.String("tour")}}}); err != nil {
		return err
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
	}).Wait(t.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("tour-production")}, 2*time.Minute); err != nil {
		return fmt.Errorf("stack tour-production: %w", err)
	}
	stack, err := cf.DescribeStacks(t.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("tour-production")})
	if err != nil {
		return err
	}
	out := map[string]string{}
	for _, o := range stack.Stacks[0].Outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	res, err := cf.ListStackResources(t.ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("tour-production")})
	if err != nil {
		return err
	}
	t.step("cloudformation CreateStack tour-production from %s: %s with %d resources", url, stack.Stacks[0].StackStatus, len(res.StackResourceSummaries))
	t.prodGroup, t.prodDNS, t.topic = out["GroupName"], out["LoadBalancerDNS"], out["TopicArn"]
	if t.blue, err = t.groupInstances(t.prodGroup, 2); err != nil {
		return err
	}
	t.step("auto scaling group %s from launch template prod-web in %s: %s booted, behind load balancer %s → target group %s",
		t.prodGroup, out["VpcId"], strings.Join(t.blue, ", "), t.prodDNS, out["TargetGroupName"])
	return nil
}

// productionGroup has CodeDeploy deploy production blue/green: it copies the Auto Scaling
// group, installs the revision on the copy, moves the target group to it and terminates the
// original instances.
func (t *tour) productionGroup() error {
	_, err := codedeploy.NewFromConfig(t.cfg).CreateDeploymentGroup(t.ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String("hello"), DeploymentGroupName: aws.String("production"),
		ServiceRoleArn:    aws.String("arn:aws:iam::" + t.p.Account() + ":role/codedeploy"),
		AutoScalingGroups: []string{t.prodGroup},
		DeploymentStyle:   &cdtypes.DeploymentStyle{DeploymentType: cdtypes.DeploymentTypeBlueGreen, DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl},
		BlueGreenDeploymentConfiguration: &cdtypes.BlueGreenDeploymentConfiguration{
			GreenFleetProvisioningOption:              &cdtypes.GreenFleetProvisioningOption{Action: cdtypes.GreenFleetProvisioningActionCopyAutoScalingGroup},
			DeploymentReadyOption:                     &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionContinueDeployment},
			TerminateBlueInstancesOnDeploymentSuccess: &cdtypes.BlueInstanceTerminationOption{Action: cdtypes.InstanceActionTerminate, TerminationWaitTimeInMinutes: 0},
		},
		LoadBalancerInfo: &cdtypes.LoadBalancerInfo{TargetGroupInfoList: []cdtypes.TargetGroupInfo{{Name: aws.String("prod-web")}}},
	})
	return err
}

// checkProduction reads production's page through the load balancer and checks the blue
// instances of the last blue/green deployment are gone.
func (t *tour) checkProduction(want string) error {
	dns, blue := t.prodDNS, t.blue
	cd := codedeploy.NewFromConfig(t.cfg)
	url := t.p.ELBv2().URL(dns)
	for range 2 {
		res, err := http.Get(url)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.step("GET %s (load balancer %s): %s", url, dns, strings.TrimSpace(string(body)))
		if !strings.Contains(string(body), want) {
			return fmt.Errorf("production serves %q", body)
		}
	}
	desc, err := ec2.NewFromConfig(t.cfg).DescribeInstances(t.ctx, &ec2.DescribeInstancesInput{InstanceIds: blue})
	if err != nil {
		return err
	}
	var states []string
	for _, r := range desc.Reservations {
		for _, i := range r.Instances {
			states = append(states, aws.ToString(i.InstanceId)+" "+string(i.State.Name))
		}
	}
	t.step("blue instances: %s", strings.Join(states, ", "))
	for _, s := range states {
		if !strings.HasSuffix(s, " terminated") && !strings.HasSuffix(s, " shutting-down") {
			return fmt.Errorf("blue instance %s", s)
		}
	}
	g, err := cd.GetDeploymentGroup(t.ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String("hello"), DeploymentGroupName: aws.String("production")})
	if err != nil {
		return err
	}
	if asgs := g.DeploymentGroupInfo.AutoScalingGroups; len(asgs) == 1 {
		t.prodGroup = aws.ToString(asgs[0].Name)
	}
	t.step("production now runs on Auto Scaling group %s (the green copy)", t.prodGroup)
	// The next blue/green deployment replaces this green fleet.
	if t.blue, err = t.groupInstances(t.prodGroup, 2); err != nil {
		return err
	}
	return nil
}

// groupInstances waits until an Auto Scaling group has n in-service instances and they booted.
func (t *tour) groupInstances(name string, n int) ([]string, error) {
	as := autoscaling.NewFromConfig(t.cfg)
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := as.DescribeAutoScalingGroups(t.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
		if err != nil {
			return nil, err
		}
		var ids []string
		if len(out.AutoScalingGroups) == 1 {
			for _, i := range out.AutoScalingGroups[0].Instances {
				if i.LifecycleState == astypes.LifecycleStateInService || i.LifecycleState == astypes.LifecycleStatePending {
					ids = append(ids, aws.ToString(i.InstanceId))
				}
			}
		}
		if len(ids) >= n {
			sort.Strings(ids)
			return ids, t.p.EC2().WaitBooted(t.ctx, ids...)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("group %s has %d instances, want %d", name, len(ids), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
