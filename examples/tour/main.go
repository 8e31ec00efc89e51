// Command tour walks through devopsim's DevOps flow in one process: it starts a platform,
// pushes an application with the real git client, builds and tests it with CodeBuild, and
// prints what happens at each step. Everything goes through the real AWS SDK for Go.
//
//	go run ./examples/tour
//
// It needs go on PATH: the build runs go vet and go test on the pushed application.
package main

import (
	"context"
	"encoding/base64"
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
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cb "github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/codecommit"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/devopsimtest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

// The application the tour pushes, builds and tests.
var app = map[string]string{
	"go.mod":       "module example.com/hello\n\ngo 1.22\n",
	"main.go":      "package main\n\nimport \"fmt\"\n\nfunc Greeting() string { return \"hello from devopsim\" }\n\nfunc main() { fmt.Println(Greeting()) }\n",
	"main_test.go": "package main\n\nimport \"testing\"\n\nfunc TestGreeting(t *testing.T) {\n\tif Greeting() != \"hello from devopsim\" {\n\t\tt.Fatal(Greeting())\n\t}\n}\n",
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
	"scripts/validate.sh": "#!/bin/bash\ncurl -s http://localhost/ | grep -q 'hello from devopsim'\n",
	"buildspec.yml": `version: 0.2
env:
  exported-variables: [APP_VERSION]
phases:
  build:
    commands:
      - go vet ./...
      - go test ./...
      - go build -o bin/hello .
      - export APP_VERSION=$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c1-7)
      - mkdir -p site && echo "<h1>$(go run .) at $APP_VERSION</h1>" > site/index.html
artifacts:
  files: [site/index.html, appspec.yml, scripts/*]
`,
}

func run(ctx context.Context, w io.Writer) error {
	step := func(format string, args ...any) { fmt.Fprintf(w, "==> "+format+"\n", args...) }

	// The platform, served on a loopback port so the real git client can push to it.
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
	cfg := devopsimtest.Config(p)
	step("platform up at %s: account %s, region %s", endpoint, p.Account(), p.Region())

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	step("sts GetCallerIdentity through the AWS SDK: %s", aws.ToString(id.Arn))

	// CodeCommit: a repository, and a real git push into it.
	repo, err := codecommit.NewFromConfig(cfg).CreateRepository(ctx, &codecommit.CreateRepositoryInput{
		RepositoryName: aws.String("hello"), RepositoryDescription: aws.String("the tour's application"),
	})
	if err != nil {
		return err
	}
	cloneURL := aws.ToString(repo.RepositoryMetadata.CloneUrlHttp)
	step("codecommit CreateRepository: %s", cloneURL)
	head, err := pushApp(ctx, cloneURL)
	if err != nil {
		return err
	}
	branch, err := codecommit.NewFromConfig(cfg).GetBranch(ctx, &codecommit.GetBranchInput{RepositoryName: aws.String("hello"), BranchName: aws.String("main")})
	if err != nil {
		return err
	}
	step("git push (go-git client): main is at %s on the server (local HEAD %s)", short(aws.ToString(branch.Branch.CommitId)), short(head))

	// CodeBuild: build and test the pushed commit, for real.
	build := cb.NewFromConfig(cfg)
	_, err = build.CreateProject(ctx, &cb.CreateProjectInput{
		Name:        aws.String("hello-build"),
		Source:      &cbtypes.ProjectSource{Type: cbtypes.SourceTypeCodecommit, Location: aws.String(cloneURL)},
		Artifacts:   &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeS3, Location: aws.String("tour-artifacts"), Packaging: cbtypes.ArtifactPackagingZip, Name: aws.String("hello.zip")},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/standard:7.0"), ComputeType: cbtypes.ComputeTypeBuildGeneral1Small},
		ServiceRole: aws.String("arn:aws:iam::" + p.Account() + ":role/codebuild"),
	})
	if err != nil {
		return err
	}
	started, err := build.StartBuild(ctx, &cb.StartBuildInput{ProjectName: aws.String("hello-build"), SourceVersion: aws.String("main")})
	if err != nil {
		return err
	}
	step("codebuild StartBuild: %s", aws.ToString(started.Build.Id))
	done, err := p.CodeBuild().Wait(ctx, aws.ToString(started.Build.Id))
	if err != nil {
		return err
	}
	var phases []string
	for _, ph := range done.Phases {
		if ph.PhaseStatus != "" {
			phases = append(phases, ph.PhaseType+"="+ph.PhaseStatus)
		}
	}
	step("build %s at commit %s: %s", done.BuildStatus, short(done.ResolvedSourceVersion), strings.Join(phases, " "))
	if done.BuildStatus != "SUCCEEDED" {
		return fmt.Errorf("the build %s", done.BuildStatus)
	}
	if done.Artifacts != nil {
		step("artifact: %s", done.Artifacts.Location)
	}
	logEvents, err := cloudwatchlogs.NewFromConfig(cfg).GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(done.Logs.GroupName), LogStreamName: aws.String(done.Logs.StreamName), StartFromHead: aws.Bool(true),
	})
	if err != nil {
		return err
	}
	for _, e := range logEvents.Events {
		if msg := aws.ToString(e.Message); strings.Contains(msg, "Running command go") || strings.HasPrefix(msg, "ok ") {
			step("build log %s: %s", done.Logs.GroupName, msg)
		}
	}
	return deployStaging(ctx, p, cfg, step)
}

// deployStaging launches two web servers with user data and deploys the build's artifact to
// them in place with CodeDeploy, then checks over HTTP that they serve it.
func deployStaging(ctx context.Context, p *devopsim.Platform, cfg aws.Config, step func(string, ...any)) error {
	userData := base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\nyum install -y nginx\nsystemctl enable --now nginx\n"))
	run, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-0a2023000000000a1"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		UserData:          aws.String(userData),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Env"), Value: aws.String("staging")}}}},
	})
	if err != nil {
		return err
	}
	var ids []string
	for _, i := range run.Instances {
		ids = append(ids, aws.ToString(i.InstanceId))
	}
	if err := p.EC2().WaitBooted(ctx, ids...); err != nil {
		return err
	}
	step("ec2 RunInstances: %s booted; user data installed nginx", strings.Join(ids, ", "))

	cd := codedeploy.NewFromConfig(cfg)
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("hello"), ComputePlatform: cdtypes.ComputePlatformServer}); err != nil {
		return err
	}
	_, err = cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String("hello"), DeploymentGroupName: aws.String("staging"),
		ServiceRoleArn:       aws.String("arn:aws:iam::" + p.Account() + ":role/codedeploy"),
		DeploymentConfigName: aws.String("CodeDeployDefault.OneAtATime"),
		Ec2TagFilters:        []cdtypes.EC2TagFilter{{Key: aws.String("Env"), Value: aws.String("staging"), Type: cdtypes.EC2TagFilterTypeKeyAndValue}},
	})
	if err != nil {
		return err
	}
	dep, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: aws.String("hello"), DeploymentGroupName: aws.String("staging"),
		// nginx's package put a default index.html there, and CodeDeploy refuses to replace
		// files it did not deploy unless told to, as on AWS.
		FileExistsBehavior: cdtypes.FileExistsBehaviorOverwrite,
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeS3, S3Location: &cdtypes.S3Location{
			Bucket: aws.String("tour-artifacts"), Key: aws.String("hello.zip"), BundleType: cdtypes.BundleTypeZip}},
	})
	if err != nil {
		return err
	}
	if err := p.CodeDeploy().Wait(ctx, aws.ToString(dep.DeploymentId)); err != nil {
		return err
	}
	info, err := cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: dep.DeploymentId})
	if err != nil {
		return err
	}
	o := info.DeploymentInfo.DeploymentOverview
	step("codedeploy %s to staging (OneAtATime): %s, %d succeeded, %d failed", aws.ToString(dep.DeploymentId), info.DeploymentInfo.Status, o.Succeeded, o.Failed)
	if info.DeploymentInfo.Status != cdtypes.DeploymentStatusSucceeded {
		return fmt.Errorf("the deployment %s: %s", info.DeploymentInfo.Status, deploymentDiagnostics(ctx, cd, aws.ToString(dep.DeploymentId)))
	}
	for _, id := range ids {
		h, _ := p.EC2().MachineOf(id)
		res, err := http.Get(h.URL(80))
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		step("GET %s (nginx on %s): %s", h.URL(80), id, strings.TrimSpace(string(body)))
		if !strings.Contains(string(body), "hello from devopsim") {
			return fmt.Errorf("%s serves %q", id, body)
		}
	}
	return nil
}

// pushApp commits the application into a fresh in-memory repository and pushes it to url
// with go-git, the way `git push URL HEAD:main` would with the git command.
func pushApp(ctx context.Context, url string) (string, error) {
	repo, err := git.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		return "", err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(app))
	for name := range app {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := wt.Filesystem.MkdirAll(path.Dir(name), 0o755); err != nil {
			return "", err
		}
		if err := util.WriteFile(wt.Filesystem, name, []byte(app[name]), 0o755); err != nil {
			return "", err
		}
		if _, err := wt.Add(name); err != nil {
			return "", err
		}
	}
	sig := &object.Signature{Name: "Tour", Email: "tour@example.com", When: time.Now()}
	head, err := wt.Commit("first version", &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return "", err
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}}); err != nil {
		return "", err
	}
	// git.Init names the first branch master; the server calls it main.
	err = repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/master:refs/heads/main"}})
	if err != nil {
		return "", fmt.Errorf("git push: %w", err)
	}
	return head.String(), nil
}

// deploymentDiagnostics says why a deployment's instances failed.
func deploymentDiagnostics(ctx context.Context, cd *codedeploy.Client, id string) string {
	targets, err := cd.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(id)})
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, t := range targets.TargetIds {
		got, err := cd.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String(t)})
		if err != nil || got.DeploymentTarget.InstanceTarget == nil {
			continue
		}
		for _, ev := range got.DeploymentTarget.InstanceTarget.LifecycleEvents {
			if ev.Status == cdtypes.LifecycleEventStatusFailed && ev.Diagnostics != nil {
				out = append(out, fmt.Sprintf("%s %s: %s %s", t, aws.ToString(ev.LifecycleEventName), aws.ToString(ev.Diagnostics.Message), aws.ToString(ev.Diagnostics.LogTail)))
			}
		}
	}
	return strings.Join(out, "; ")
}

func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}
