package codebuild_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cb "github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codebuild/types"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/internal/awsapi/codebuildapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/runner"
)

// bashRunner runs each command with the real bash in dir with env; no state is shared
// between commands (the default shell session is tested elsewhere).
func bashRunner(dir string, env []string) (runner.Runner, error) {
	return runner.Func(func(ctx context.Context, c *runner.Command) (runner.Result, error) {
		cmd := exec.CommandContext(ctx, "bash", "-c", c.Script)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, c.Stdout, c.Stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ctx.Err() == nil {
			return runner.Result{ExitCode: ee.ExitCode()}, nil
		}
		if err != nil {
			return runner.Result{}, err
		}
		return runner.Result{}, nil
	}), nil
}

type memLogs struct {
	mu    sync.Mutex
	lines map[string][]string
}

func (m *memLogs) EnsureStream(ctx context.Context, group, stream string) error { return nil }
func (m *memLogs) PutLines(ctx context.Context, group, stream string, t time.Time, lines ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lines == nil {
		m.lines = map[string][]string{}
	}
	m.lines[group+"|"+stream] = append(m.lines[group+"|"+stream], lines...)
	return nil
}
func (m *memLogs) text(group, stream string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.lines[group+"|"+stream], "\n")
}

type params map[string]string

func (p params) GetParameter(ctx context.Context, name string, decrypt bool) (string, error) {
	v, ok := p[name]
	if !ok {
		return "", errors.New("ParameterNotFound")
	}
	return v, nil
}

type fixture struct {
	env    *core.Env
	svc    *codebuild.Service
	client *cb.Client
	logs   *memLogs
}

func newFixture(t *testing.T, opts codebuild.Options) *fixture {
	t.Helper()
	env := awstest.Env(t)
	logs := &memLogs{}
	opts.WorkDir = t.TempDir()
	opts.SkipRuntimeCheck = true
	svc, err := codebuild.New(env, codebuild.Deps{Logs: logs, Parameters: params{"/app/greeting": "hello"}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	return &fixture{env: env, svc: svc, client: cb.NewFromConfig(awstest.Config(t, codebuildapi.Service(svc))), logs: logs}
}

func (f *fixture) project(t *testing.T, name, spec string, mod func(*cb.CreateProjectInput)) {
	t.Helper()
	in := &cb.CreateProjectInput{
		Name:        aws.String(name),
		ServiceRole: aws.String("arn:aws:iam::000000000000:role/build"),
		Source:      &types.ProjectSource{Type: types.SourceTypeNoSource, Buildspec: aws.String(spec)},
		Artifacts:   &types.ProjectArtifacts{Type: types.ArtifactsTypeNoArtifacts},
		Environment: &types.ProjectEnvironment{Type: types.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/standard:7.0"), ComputeType: types.ComputeTypeBuildGeneral1Small},
	}
	if mod != nil {
		mod(in)
	}
	if _, err := f.client.CreateProject(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) build(t *testing.T, in *cb.StartBuildInput) types.Build {
	t.Helper()
	ctx := context.Background()
	out, err := f.client.StartBuild(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Wait(ctx, aws.ToString(out.Build.Id)); err != nil {
		t.Fatal(err)
	}
	got, err := f.client.BatchGetBuilds(ctx, &cb.BatchGetBuildsInput{Ids: []string{aws.ToString(out.Build.Id)}})
	if err != nil {
		t.Fatal(err)
	}
	return got.Builds[0]
}

func phaseStatus(b types.Build) map[string]string {
	m := map[string]string{}
	for _, p := range b.Phases {
		m[string(p.PhaseType)] = string(p.PhaseStatus)
	}
	return m
}

func TestBuildSucceedsAndExports(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	f.project(t, "hello", `version: 0.2
env:
  variables: {WHO: world}
  parameter-store: {GREETING: /app/greeting}
  exported-variables: [RESULT]
phases:
  build:
    commands:
      - echo "$GREETING $WHO from $CODEBUILD_BUILD_NUMBER"
      - export RESULT=done
`, nil)
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("hello")})
	if b.BuildStatus != types.StatusTypeSucceeded || !b.BuildComplete {
		t.Fatalf("status %s, phases %v", b.BuildStatus, phaseStatus(b))
	}
	if aws.ToInt64(b.BuildNumber) != 1 {
		t.Errorf("build number %d", aws.ToInt64(b.BuildNumber))
	}
	log := f.logs.text("/aws/codebuild/hello", aws.ToString(b.Logs.StreamName))
	for _, want := range []string{"hello world from 1", "Entering phase BUILD", "Running command echo", "Phase complete: BUILD State: SUCCEEDED"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	var order []string
	for _, p := range b.Phases {
		order = append(order, string(p.PhaseType))
	}
	if got := strings.Join(order, ","); got != "SUBMITTED,QUEUED,PROVISIONING,DOWNLOAD_SOURCE,INSTALL,PRE_BUILD,BUILD,POST_BUILD,UPLOAD_ARTIFACTS,FINALIZING,COMPLETED" {
		t.Errorf("phases %s", got)
	}
}

func TestFailedBuildRunsPostBuild(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	// the default shell session: post_build sees the exported CODEBUILD_BUILD_SUCCEEDING=0
	f.project(t, "fails", `version: 0.2
phases:
  build:
    commands:
      - exit 3
  post_build:
    commands:
      - echo "succeeding=$CODEBUILD_BUILD_SUCCEEDING"
`, nil)
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("fails")})
	ph := phaseStatus(b)
	if b.BuildStatus != types.StatusTypeFailed || ph["BUILD"] != "FAILED" || ph["POST_BUILD"] != "SUCCEEDED" || ph["UPLOAD_ARTIFACTS"] != "SUCCEEDED" {
		t.Fatalf("status %s phases %v", b.BuildStatus, ph)
	}
	for _, p := range b.Phases {
		if p.PhaseType == types.BuildPhaseTypeBuild {
			if len(p.Contexts) == 0 || aws.ToString(p.Contexts[0].StatusCode) != "COMMAND_EXECUTION_ERROR" || !strings.Contains(aws.ToString(p.Contexts[0].Message), "exit status 3") {
				t.Errorf("build context %+v", p.Contexts)
			}
		}
	}
	if log := f.logs.text("/aws/codebuild/fails", aws.ToString(b.Logs.StreamName)); !strings.Contains(log, "succeeding=0") {
		t.Errorf("post_build did not see CODEBUILD_BUILD_SUCCEEDING=0:\n%s", log)
	}
}

func TestPreBuildFailureSkipsToFinalizing(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	f.project(t, "pre", "version: 0.2\nphases:\n  pre_build:\n    commands: [false]\n  build:\n    commands: [echo never]\n", nil)
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("pre")})
	ph := phaseStatus(b)
	if _, ran := ph["BUILD"]; ran || ph["PRE_BUILD"] != "FAILED" || b.BuildStatus != types.StatusTypeFailed {
		t.Fatalf("phases %v status %s", ph, b.BuildStatus)
	}
}

func TestInvalidBuildspecAndMissingParameter(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	f.project(t, "bad", "version: 0.2\nphases: {deploy: {commands: [ls]}}", nil)
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("bad")})
	if b.BuildStatus != types.StatusTypeFailed || phaseStatus(b)["DOWNLOAD_SOURCE"] != "FAILED" {
		t.Fatalf("status %s phases %v", b.BuildStatus, phaseStatus(b))
	}
	for _, p := range b.Phases {
		if p.PhaseType == types.BuildPhaseTypeDownloadSource && aws.ToString(p.Contexts[0].StatusCode) != "YAML_FILE_ERROR" {
			t.Errorf("context %+v", p.Contexts)
		}
	}
	f.project(t, "param", "version: 0.2\nphases: {build: {commands: [ls]}}", nil)
	b = f.build(t, &cb.StartBuildInput{ProjectName: aws.String("param"), EnvironmentVariablesOverride: []types.EnvironmentVariable{{Name: aws.String("X"), Value: aws.String("/missing"), Type: types.EnvironmentVariableTypeParameterStore}}})
	if b.BuildStatus == types.StatusTypeSucceeded {
		t.Fatalf("build with a missing parameter succeeded")
	}
}

func TestStopBuild(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	f.project(t, "slow", "version: 0.2\nphases: {build: {commands: ['sleep 60']}}", nil)
	ctx := context.Background()
	out, err := f.client.StartBuild(ctx, &cb.StartBuildInput{ProjectName: aws.String("slow")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.StopBuild(ctx, &cb.StopBuildInput{Id: out.Build.Id}); err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Wait(ctx, aws.ToString(out.Build.Id))
	if err != nil {
		t.Fatal(err)
	}
	if b.BuildStatus != codebuild.StatusStopped {
		t.Fatalf("status %s", b.BuildStatus)
	}
}

func TestArtifactsZipToS3(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	f.project(t, "art", `version: 0.2
phases:
  build:
    commands:
      - mkdir -p out/sub && echo a > out/a.txt && echo b > out/sub/b.txt && echo x > skip.log
artifacts:
  files: ['out/**/*']
  discard-paths: no
`, func(in *cb.CreateProjectInput) {
		in.Artifacts = &types.ProjectArtifacts{Type: types.ArtifactsTypeS3, Location: aws.String("artifacts"), Packaging: types.ArtifactPackagingZip, Name: aws.String("app.zip"), NamespaceType: types.ArtifactNamespaceBuildId, Path: aws.String("builds")}
	})
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("art")})
	if b.BuildStatus != types.StatusTypeSucceeded {
		t.Fatalf("status %s %v", b.BuildStatus, phaseStatus(b))
	}
	uuid := strings.TrimPrefix(aws.ToString(b.Id), "art:")
	if got, want := aws.ToString(b.Artifacts.Location), "arn:aws:s3:::artifacts/builds/"+uuid+"/app.zip"; got != want {
		t.Fatalf("location %s, want %s", got, want)
	}
	data, err := f.env.Objects.GetObject(context.Background(), "artifacts", "builds/"+uuid+"/app.zip")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
	}
	if strings.Join(names, ",") != "out/a.txt,out/sub/b.txt" {
		t.Fatalf("zip holds %v", names)
	}
}

func TestProjectsAPI(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	ctx := context.Background()
	f.project(t, "one", "version: 0.2", nil)
	f.project(t, "two", "version: 0.2", nil)
	_, err := f.client.CreateProject(ctx, &cb.CreateProjectInput{Name: aws.String("one"), ServiceRole: aws.String("r"), Source: &types.ProjectSource{Type: types.SourceTypeNoSource, Buildspec: aws.String("x")}, Artifacts: &types.ProjectArtifacts{Type: types.ArtifactsTypeNoArtifacts}, Environment: &types.ProjectEnvironment{Type: types.EnvironmentTypeLinuxContainer, Image: aws.String("i"), ComputeType: types.ComputeTypeBuildGeneral1Small}})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate: %v", err)
	}
	list, err := f.client.ListProjects(ctx, &cb.ListProjectsInput{SortOrder: types.SortOrderTypeDescending})
	if err != nil || strings.Join(list.Projects, ",") != "two,one" {
		t.Fatalf("list %v %v", list, err)
	}
	up, err := f.client.UpdateProject(ctx, &cb.UpdateProjectInput{Name: aws.String("one"), Description: aws.String("d"), TimeoutInMinutes: aws.Int32(30)})
	if err != nil || aws.ToString(up.Project.Description) != "d" || aws.ToInt32(up.Project.TimeoutInMinutes) != 30 {
		t.Fatalf("update %v %v", up, err)
	}
	got, err := f.client.BatchGetProjects(ctx, &cb.BatchGetProjectsInput{Names: []string{"one", "nope"}})
	if err != nil || len(got.Projects) != 1 || got.ProjectsNotFound[0] != "nope" {
		t.Fatalf("batch get %v %v", got, err)
	}
	if _, err := f.client.DeleteProject(ctx, &cb.DeleteProjectInput{Name: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.StartBuild(ctx, &cb.StartBuildInput{ProjectName: aws.String("two")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("start on deleted project: %v", err)
	}
	_, err = f.client.CreateProject(ctx, &cb.CreateProjectInput{Name: aws.String("x"), ServiceRole: aws.String("r"), Source: &types.ProjectSource{Type: "SVN"}, Artifacts: &types.ProjectArtifacts{Type: types.ArtifactsTypeNoArtifacts}, Environment: &types.ProjectEnvironment{Type: types.EnvironmentTypeLinuxContainer, Image: aws.String("i"), ComputeType: types.ComputeTypeBuildGeneral1Small}})
	var inv *types.InvalidInputException
	if !errors.As(err, &inv) {
		t.Fatalf("invalid: %v", err)
	}
}

func TestBuildsListRetryDelete(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	ctx := context.Background()
	f.project(t, "pp", "version: 0.2\nphases: {build: {commands: ['true']}}", nil)
	b1 := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("pp")})
	r, err := f.client.RetryBuild(ctx, &cb.RetryBuildInput{Id: b1.Id})
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := f.svc.Wait(ctx, aws.ToString(r.Build.Id))
	if b2.BuildNumber != 2 || b2.BuildStatus != "SUCCEEDED" {
		t.Fatalf("retry %+v", b2)
	}
	ids, err := f.client.ListBuildsForProject(ctx, &cb.ListBuildsForProjectInput{ProjectName: aws.String("pp")})
	if err != nil || len(ids.Ids) != 2 || ids.Ids[0] != b2.Id {
		t.Fatalf("list %v %v", ids, err)
	}
	all, err := f.client.ListBuilds(ctx, &cb.ListBuildsInput{})
	if err != nil || len(all.Ids) != 2 {
		t.Fatalf("list all %v %v", all, err)
	}
	del, err := f.client.BatchDeleteBuilds(ctx, &cb.BatchDeleteBuildsInput{Ids: []string{b2.Id, "pp:nope"}})
	if err != nil || len(del.BuildsDeleted) != 1 || len(del.BuildsNotDeleted) != 1 {
		t.Fatalf("delete %+v %v", del, err)
	}
}

func TestConcurrentBuilds(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	f.project(t, "many", "version: 0.2\nphases: {build: {commands: ['echo $CODEBUILD_BUILD_NUMBER']}}", func(in *cb.CreateProjectInput) {
		in.ConcurrentBuildLimit = aws.Int32(3)
	})
	var wg sync.WaitGroup
	nums := make(chan int64, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("many")})
			if b.BuildStatus != types.StatusTypeSucceeded {
				t.Errorf("status %s", b.BuildStatus)
			}
			nums <- aws.ToInt64(b.BuildNumber)
		}()
	}
	wg.Wait()
	close(nums)
	seen := map[int64]bool{}
	for n := range nums {
		if seen[n] {
			t.Errorf("build number %d twice", n)
		}
		seen[n] = true
	}
	if len(seen) != 20 {
		t.Errorf("%d distinct build numbers", len(seen))
	}
}

func TestShellStatePersistsAcrossPhases(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	f.project(t, "state", `version: 0.2
env:
  exported-variables: [WHERE, COUNT]
phases:
  install:
    commands:
      - mkdir -p sub && cd sub
      - export COUNT=1
  build:
    commands:
      - export WHERE=$(basename "$PWD") COUNT=$((COUNT+1))
`, nil)
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("state")})
	got := map[string]string{}
	for _, v := range b.ExportedEnvironmentVariables {
		got[aws.ToString(v.Name)] = aws.ToString(v.Value)
	}
	if b.BuildStatus != types.StatusTypeSucceeded || got["WHERE"] != "sub" || got["COUNT"] != "2" {
		t.Fatalf("status %s exported %v", b.BuildStatus, got)
	}
}

func TestCustomRunner(t *testing.T) {
	var mu sync.Mutex
	var scripts []string
	f := newFixture(t, codebuild.Options{NewShell: func(dir string, env []string) (runner.Runner, error) {
		return runner.Func(func(ctx context.Context, c *runner.Command) (runner.Result, error) {
			mu.Lock()
			scripts = append(scripts, c.Script)
			mu.Unlock()
			if c.Script == "make test" {
				return runner.Result{ExitCode: 2}, nil
			}
			return runner.Result{}, nil
		}), nil
	}})
	f.project(t, "custom", "version: 0.2\nphases: {build: {commands: [make, make test]}}", nil)
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("custom")})
	if b.BuildStatus != types.StatusTypeFailed || strings.Join(scripts, ";") != "make;make test" {
		t.Fatalf("status %s scripts %v", b.BuildStatus, scripts)
	}
	// the real bash works through the seam too
	g := newFixture(t, codebuild.Options{NewShell: bashRunner})
	g.project(t, "bash", "version: 0.2\nphases: {build: {commands: ['[[ -n $BASH_VERSION ]]']}}", nil)
	if b := g.build(t, &cb.StartBuildInput{ProjectName: aws.String("bash")}); b.BuildStatus != types.StatusTypeSucceeded {
		t.Fatalf("bash build %s", b.BuildStatus)
	}
}

func TestBuildTimeout(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := awstest.EnvWith(t, clk)
	started := make(chan struct{})
	svc, err := codebuild.New(env, codebuild.Deps{}, codebuild.Options{WorkDir: t.TempDir(), NewShell: func(dir string, e []string) (runner.Runner, error) {
		return runner.Func(func(ctx context.Context, c *runner.Command) (runner.Result, error) {
			if strings.HasPrefix(c.Script, "export") || strings.HasPrefix(c.Script, "printf") {
				return runner.Result{}, nil
			}
			close(started)
			<-ctx.Done() // a command that runs until killed
			return runner.Result{}, ctx.Err()
		}), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	ctx := context.Background()
	_, err = svc.CreateProject(ctx, &codebuild.CreateProjectInput{Name: "slow", TimeoutInMinutes: 5,
		Source:      &codebuild.ProjectSource{Type: "NO_SOURCE", Buildspec: "version: 0.2\nphases: {build: {commands: [forever]}}"},
		Artifacts:   &codebuild.ProjectArtifacts{Type: "NO_ARTIFACTS"},
		Environment: &codebuild.ProjectEnvironment{Type: "LINUX_CONTAINER", Image: "aws/codebuild/standard:7.0", ComputeType: "BUILD_GENERAL1_SMALL"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := svc.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: "slow"})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	clk.Advance(5 * time.Minute)
	b, err := svc.Wait(ctx, out.Build.Id)
	if err != nil {
		t.Fatal(err)
	}
	if b.BuildStatus != codebuild.StatusTimedOut {
		t.Fatalf("status %s", b.BuildStatus)
	}
	for _, p := range b.Phases {
		if p.PhaseType == codebuild.PhaseBuild && p.PhaseStatus != codebuild.StatusTimedOut {
			t.Errorf("BUILD phase %s", p.PhaseStatus)
		}
	}
}

func TestReports(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	ctx := context.Background()
	f.project(t, "rep", `version: 0.2
phases:
  build:
    commands:
      - mkdir -p results
      - printf '<testsuite name="s"><testcase classname="c" name="ok" time="0.1"/><testcase classname="c" name="bad"><failure message="boom"/></testcase></testsuite>' > results/junit.xml
      - printf '<coverage><packages><package><classes><class filename="a.go"><lines><line number="1" hits="1"/><line number="2" hits="0"/></lines></class></classes></package></packages></coverage>' > cov.xml
reports:
  unit:
    files: ['**/*.xml']
    base-directory: results
  coverage:
    files: [cov.xml]
    file-format: COBERTURAXML
`, nil)
	b := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("rep")})
	if len(b.ReportArns) != 2 {
		t.Fatalf("report arns %v (status %s)", b.ReportArns, b.BuildStatus)
	}
	reps, err := f.client.BatchGetReports(ctx, &cb.BatchGetReportsInput{ReportArns: b.ReportArns})
	if err != nil {
		t.Fatal(err)
	}
	var test, cov types.Report
	for _, r := range reps.Reports {
		if r.Type == types.ReportTypeTest {
			test = r
		} else {
			cov = r
		}
	}
	if test.Status != types.ReportStatusTypeFailed || aws.ToInt32(test.TestSummary.Total) != 2 || test.TestSummary.StatusCounts["FAILED"] != 1 {
		t.Errorf("test report %+v %+v", test, test.TestSummary)
	}
	if cov.CodeCoverageSummary == nil || aws.ToFloat64(cov.CodeCoverageSummary.LineCoveragePercentage) != 50 {
		t.Errorf("coverage report %+v", cov)
	}
	cases, err := f.client.DescribeTestCases(ctx, &cb.DescribeTestCasesInput{ReportArn: test.Arn, Filter: &types.TestCaseFilter{Status: aws.String("FAILED")}})
	if err != nil || len(cases.TestCases) != 1 || aws.ToString(cases.TestCases[0].Message) != "boom" {
		t.Fatalf("test cases %+v %v", cases, err)
	}
	covs, err := f.client.DescribeCodeCoverages(ctx, &cb.DescribeCodeCoveragesInput{ReportArn: cov.Arn})
	if err != nil || len(covs.CodeCoverages) != 1 || aws.ToString(covs.CodeCoverages[0].FilePath) != "a.go" {
		t.Fatalf("coverages %+v %v", covs, err)
	}
	groups, err := f.client.ListReportGroups(ctx, &cb.ListReportGroupsInput{})
	if err != nil || len(groups.ReportGroups) != 2 {
		t.Fatalf("groups %v %v", groups, err)
	}
	forGroup, err := f.client.ListReportsForReportGroup(ctx, &cb.ListReportsForReportGroupInput{ReportGroupArn: test.ReportGroupArn})
	if err != nil || len(forGroup.Reports) != 1 {
		t.Fatalf("reports for group %v %v", forGroup, err)
	}
	all, err := f.client.ListReports(ctx, &cb.ListReportsInput{})
	if err != nil || len(all.Reports) != 2 {
		t.Fatalf("reports %v %v", all, err)
	}
	_, err = f.client.DeleteReportGroup(ctx, &cb.DeleteReportGroupInput{Arn: test.ReportGroupArn})
	var inv *types.InvalidInputException
	if !errors.As(err, &inv) {
		t.Fatalf("delete group with reports: %v", err)
	}
	if _, err := f.client.DeleteReport(ctx, &cb.DeleteReportInput{Arn: test.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.DeleteReportGroup(ctx, &cb.DeleteReportGroupInput{Arn: test.ReportGroupArn}); err != nil {
		t.Fatal(err)
	}
	created, err := f.client.CreateReportGroup(ctx, &cb.CreateReportGroupInput{Name: aws.String("manual"), Type: types.ReportTypeTest, ExportConfig: &types.ReportExportConfig{ExportConfigType: types.ReportExportConfigTypeNoExport}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.client.BatchGetReportGroups(ctx, &cb.BatchGetReportGroupsInput{ReportGroupArns: []string{aws.ToString(created.ReportGroup.Arn), "arn:aws:codebuild:us-east-1:000000000000:report-group/none"}})
	if err != nil || len(got.ReportGroups) != 1 || len(got.ReportGroupsNotFound) != 1 {
		t.Fatalf("batch get groups %+v %v", got, err)
	}
}

func TestSecondarySourcesCacheAndS3Logs(t *testing.T) {
	f := newFixture(t, codebuild.Options{})
	ctx := context.Background()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("lib/data.txt")
	w.Write([]byte("from the secondary source"))
	zw.Close()
	if err := f.env.Objects.PutObject(ctx, "srcbucket", "lib.zip", zbuf.Bytes()); err != nil {
		t.Fatal(err)
	}
	f.project(t, "extras", `version: 0.2
phases:
  build:
    commands:
      - cat "$CODEBUILD_SRC_DIR_lib/lib/data.txt"
      - if [ -f deps/cached.txt ]; then echo "cache hit"; else mkdir -p deps && echo v1 > deps/cached.txt; fi
cache:
  paths: ['deps/**/*', '/root/.m2/**/*']
`, func(in *cb.CreateProjectInput) {
		in.SecondarySources = []types.ProjectSource{{Type: types.SourceTypeS3, Location: aws.String("srcbucket/lib.zip"), SourceIdentifier: aws.String("lib")}}
		in.Cache = &types.ProjectCache{Type: types.CacheTypeS3, Location: aws.String("cachebucket/cb")}
		in.LogsConfig = &types.LogsConfig{S3Logs: &types.S3LogsConfig{Status: types.LogsConfigStatusTypeEnabled, Location: aws.String("logbucket/build-logs")}}
	})
	b1 := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("extras")})
	b2 := f.build(t, &cb.StartBuildInput{ProjectName: aws.String("extras")})
	if b1.BuildStatus != types.StatusTypeSucceeded || b2.BuildStatus != types.StatusTypeSucceeded {
		t.Fatalf("statuses %s %s", b1.BuildStatus, b2.BuildStatus)
	}
	key := strings.TrimPrefix(aws.ToString(b2.Logs.S3LogsArn), "arn:aws:s3:::logbucket/")
	data, err := f.env.Objects.GetObject(ctx, "logbucket", key)
	if err != nil {
		t.Fatalf("S3 log %q: %v", key, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(zr)
	for _, want := range []string{"from the secondary source", "cache hit", "Skipping cache path /root/.m2/**/*"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("second build's log lacks %q:\n%s", want, text)
		}
	}
}
