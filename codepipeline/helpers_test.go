package codepipeline_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cpsdk "github.com/aws/aws-sdk-go-v2/service/codepipeline"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awsapi/codepipelineapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
)

// --- fakes of the consumer interfaces ---

type fakeCommit struct {
	id    string
	msg   string
	files map[string]string
}

type fakeCodeCommit struct {
	mu      sync.Mutex
	repos   map[string]map[string]fakeCommit // repo -> ref (branch or commit id) -> commit
	changed []string
}

func newFakeCodeCommit() *fakeCodeCommit {
	return &fakeCodeCommit{repos: map[string]map[string]fakeCommit{}}
}

func (f *fakeCodeCommit) push(repo, branch, id, msg string, files map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.repos[repo] == nil {
		f.repos[repo] = map[string]fakeCommit{}
	}
	c := fakeCommit{id: id, msg: msg, files: files}
	f.repos[repo][branch] = c
	f.repos[repo][id] = c
}

func (f *fakeCodeCommit) Snapshot(ctx context.Context, repo, ref string) ([]byte, codepipeline.Commit, error) {
	f.mu.Lock()
	c, ok := f.repos[repo][ref]
	f.mu.Unlock()
	if !ok {
		return nil, codepipeline.Commit{}, fmt.Errorf("repository %s has no ref %s", repo, ref)
	}
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return zipOf(c.files), codepipeline.Commit{ID: c.id, Message: c.msg, AuthorName: "dev", AuthorDate: t, CommitterDate: t}, nil
}

func (f *fakeCodeCommit) ChangedFiles(ctx context.Context, repo, old, new string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed, nil
}

func zipOf(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := zw.Create(n)
		io.WriteString(w, files[n])
	}
	zw.Close()
	return buf.Bytes()
}

func unzipOf(t testing.TB, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

type fakeBuilds struct {
	env     *core.Env
	mu      sync.Mutex
	reqs    []codepipeline.BuildRequest
	fail    map[string]int // project -> number of next builds that fail
	gates   map[string]chan struct{}
	running int32
	maxRun  int32
	stopped []string
	n       int
	vars    map[string]string
	waiting map[string]codepipeline.BuildRequest
}

func newFakeBuilds(env *core.Env) *fakeBuilds {
	return &fakeBuilds{env: env, fail: map[string]int{}, gates: map[string]chan struct{}{}, waiting: map[string]codepipeline.BuildRequest{}}
}

func (f *fakeBuilds) gate(project string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{})
	f.gates[project] = ch
	return ch
}

func (f *fakeBuilds) StartBuild(ctx context.Context, req codepipeline.BuildRequest) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if req.ProjectName == "missing" {
		return "", errors.New("ResourceNotFoundException: project missing does not exist")
	}
	f.n++
	id := fmt.Sprintf("%s:build-%d", req.ProjectName, f.n)
	f.reqs = append(f.reqs, req)
	f.waiting[id] = req
	return id, nil
}

func (f *fakeBuilds) WaitBuild(ctx context.Context, id string) (codepipeline.BuildResult, error) {
	f.mu.Lock()
	req := f.waiting[id]
	gate := f.gates[req.ProjectName]
	f.mu.Unlock()
	n := atomic.AddInt32(&f.running, 1)
	for {
		m := atomic.LoadInt32(&f.maxRun)
		if n <= m || atomic.CompareAndSwapInt32(&f.maxRun, m, n) {
			break
		}
	}
	defer atomic.AddInt32(&f.running, -1)
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return codepipeline.BuildResult{}, ctx.Err()
		}
	}
	src, err := f.env.Objects.GetObject(ctx, req.Source.Bucket, req.Source.Key)
	if err != nil {
		return codepipeline.BuildResult{Status: "FAILED", Message: "DOWNLOAD_SOURCE: " + err.Error()}, nil
	}
	f.mu.Lock()
	failing := f.fail[req.ProjectName] > 0
	if failing {
		f.fail[req.ProjectName]--
	}
	vars := map[string]string{"BUILT_FROM": req.SourceVersion}
	for k, v := range f.vars {
		vars[k] = v
	}
	f.mu.Unlock()
	if failing {
		return codepipeline.BuildResult{Status: "FAILED", Message: "BUILD: command exited with 1"}, nil
	}
	files := map[string]string{"build.txt": "built by " + req.ProjectName}
	for k, v := range unzipOfNoT(src) {
		files[k] = v
	}
	for _, ev := range req.EnvironmentVariables {
		files["env/"+ev.Name] = ev.Value
	}
	for _, o := range req.Outputs {
		if err := f.env.Objects.PutObject(ctx, o.Location.Bucket, o.Location.Key, zipOf(files)); err != nil {
			return codepipeline.BuildResult{}, err
		}
	}
	return codepipeline.BuildResult{Status: "SUCCEEDED", ExportedVariables: vars}, nil
}

func unzipOfNoT(data []byte) map[string]string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

func (f *fakeBuilds) StopBuild(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = append(f.stopped, id)
	return nil
}

type fakeDeploys struct {
	env    *core.Env
	mu     sync.Mutex
	reqs   []codepipeline.DeployRequest
	files  []map[string]string
	status string
	failN  int
}

func (f *fakeDeploys) CreateDeployment(ctx context.Context, req codepipeline.DeployRequest) (string, error) {
	data, err := f.env.Objects.GetObject(ctx, req.Revision.Bucket, req.Revision.Key)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	f.files = append(f.files, unzipOfNoT(data))
	return fmt.Sprintf("d-%09d", len(f.reqs)), nil
}

func (f *fakeDeploys) WaitDeployment(ctx context.Context, id string) (codepipeline.DeployResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failN > 0 {
		f.failN--
		return codepipeline.DeployResult{Status: "Failed", Message: "deployment failed on 1 of 1 instances"}, nil
	}
	if f.status != "" {
		return codepipeline.DeployResult{Status: f.status, Message: "deployment failed on 1 of 1 instances"}, nil
	}
	return codepipeline.DeployResult{Status: "Succeeded"}, nil
}

func (f *fakeDeploys) StopDeployment(ctx context.Context, id string) error { return nil }

type fakeStacks struct {
	mu     sync.Mutex
	stacks map[string]codepipeline.StackInfo
	specs  []codepipeline.StackSpec
	calls  []string
}

func (f *fakeStacks) DescribeStack(ctx context.Context, name string) (codepipeline.StackInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stacks[name], nil
}

func (f *fakeStacks) CreateStack(ctx context.Context, spec codepipeline.StackSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "create:"+spec.StackName)
	f.specs = append(f.specs, spec)
	f.stacks[spec.StackName] = codepipeline.StackInfo{Exists: true, Status: "CREATE_COMPLETE", Outputs: map[string]string{"Endpoint": "http://" + spec.StackName + ".example", "Param": spec.Parameters["Env"]}}
	return nil
}

func (f *fakeStacks) UpdateStack(ctx context.Context, spec codepipeline.StackSpec) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "update:"+spec.StackName)
	f.specs = append(f.specs, spec)
	st := f.stacks[spec.StackName]
	st.Status = "UPDATE_COMPLETE"
	f.stacks[spec.StackName] = st
	return true, nil
}

func (f *fakeStacks) DeleteStack(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "delete:"+name)
	delete(f.stacks, name)
	return nil
}

func (f *fakeStacks) CreateChangeSet(ctx context.Context, spec codepipeline.StackSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "changeset:"+spec.StackName+"/"+spec.ChangeSetName)
	f.specs = append(f.specs, spec)
	return nil
}

func (f *fakeStacks) ExecuteChangeSet(ctx context.Context, stack, cs string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "execute:"+stack+"/"+cs)
	f.stacks[stack] = codepipeline.StackInfo{Exists: true, Status: "UPDATE_COMPLETE", Outputs: map[string]string{}}
	return nil
}

func (f *fakeStacks) WaitStack(ctx context.Context, name string) (codepipeline.StackInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stacks[name], nil
}

type fakeTopics struct {
	mu   sync.Mutex
	msgs []string
}

func (f *fakeTopics) PublishToTopic(ctx context.Context, arn, subject, msg string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, msg)
	return "m-1", nil
}

// --- harness ---

type harness struct {
	t      testing.TB
	env    *core.Env
	svc    *codepipeline.Service
	cp     *cpsdk.Client
	cc     *fakeCodeCommit
	builds *fakeBuilds
	deps   *fakeDeploys
	stacks *fakeStacks
	topics *fakeTopics

	mu     sync.Mutex
	events []eventbus.Event
	notify chan struct{}
}

func newHarness(t testing.TB, clk clock.Clock) *harness {
	t.Helper()
	env := awstest.EnvWith(t, clk)
	h := &harness{t: t, env: env, cc: newFakeCodeCommit(), builds: newFakeBuilds(env), deps: &fakeDeploys{env: env},
		stacks: &fakeStacks{stacks: map[string]codepipeline.StackInfo{}}, topics: &fakeTopics{}, notify: make(chan struct{})}
	svc, err := codepipeline.New(env, codepipeline.Deps{CodeCommit: h.cc, Builds: h.builds, Deployments: h.deps, Stacks: h.stacks, Topics: h.topics}, codepipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.svc = svc
	t.Cleanup(func() {
		if err := svc.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	unsub := awstest.Bus(env).Subscribe(func(ctx context.Context, e eventbus.Event) {
		h.mu.Lock()
		h.events = append(h.events, e)
		close(h.notify)
		h.notify = make(chan struct{})
		h.mu.Unlock()
	})
	t.Cleanup(unsub)
	h.cp = cpsdk.NewFromConfig(awstest.Config(t, codepipelineapi.Service(svc)))
	return h
}

// waitFor waits until cond holds, re-checking on every event (30s real-time guard).
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond) // for changes that publish no event (jobs)
	defer tick.Stop()
	for {
		h.mu.Lock()
		ch := h.notify
		h.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (h *harness) execStatus(pipeline, id string) string {
	out, err := h.svc.GetPipelineExecution(context.Background(), &codepipeline.GetPipelineExecutionInput{PipelineName: pipeline, PipelineExecutionID: id})
	if err != nil {
		h.t.Fatalf("GetPipelineExecution: %v", err)
	}
	return out.PipelineExecution.Status
}

func isFinal(s string) bool {
	switch s {
	case "Succeeded", "Failed", "Stopped", "Superseded", "Cancelled":
		return true
	}
	return false
}

// waitDone waits for the execution to end and returns its status.
func (h *harness) waitDone(pipeline, id string) string {
	h.t.Helper()
	var st string
	h.waitFor("execution "+id+" to end", func() bool { st = h.execStatus(pipeline, id); return isFinal(st) })
	return st
}

func (h *harness) waitStatus(pipeline, id, want string) {
	h.t.Helper()
	h.waitFor("execution "+id+" to be "+want, func() bool { return h.execStatus(pipeline, id) == want })
}

// actionStatus is the latest status of an action in GetPipelineState.
func (h *harness) action(pipeline, stage, action string) codepipeline.ActionExecution {
	out, err := h.svc.GetPipelineState(context.Background(), &codepipeline.GetPipelineStateInput{Name: pipeline})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, s := range out.StageStates {
		if s.StageName != stage {
			continue
		}
		for _, a := range s.ActionStates {
			if a.ActionName == action && a.LatestExecution != nil {
				return *a.LatestExecution
			}
		}
	}
	return codepipeline.ActionExecution{}
}

// waitEvents returns the events of a detail type once there are at least n of them (events
// are published just after the state they report is saved), or what there is after 30s.
func (h *harness) waitEvents(detailType string, n int) []eventbus.Event {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got := h.eventsOf(detailType); len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) eventsOf(detailType string) []eventbus.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []eventbus.Event
	for _, e := range h.events {
		if e.DetailType == detailType {
			out = append(out, e)
		}
	}
	return out
}

// create creates a pipeline and returns the ID of the execution creating it started.
func (h *harness) create(p codepipeline.PipelineDeclaration) string {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.svc.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: &p}); err != nil {
		h.t.Fatalf("CreatePipeline: %v", err)
	}
	out, err := h.svc.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: p.Name})
	if err != nil || len(out.PipelineExecutionSummaries) == 0 {
		h.t.Fatalf("no first execution: %v", err)
	}
	return out.PipelineExecutionSummaries[0].PipelineExecutionID
}

func (h *harness) start(name string) string {
	h.t.Helper()
	out, err := h.svc.StartPipelineExecution(context.Background(), &codepipeline.StartPipelineExecutionInput{Name: name})
	if err != nil {
		h.t.Fatalf("StartPipelineExecution: %v", err)
	}
	return out.PipelineExecutionID
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	var ce interface{ ErrorCode() string }
	if errors.As(err, &ce) {
		return ce.ErrorCode()
	}
	if err == nil {
		return ""
	}
	return "not an API error: " + err.Error()
}

// --- declarations ---

func act(name, category, provider string, cfg map[string]string, in []string, out []string) codepipeline.ActionDeclaration {
	a := codepipeline.ActionDeclaration{Name: name, ActionTypeID: &codepipeline.ActionTypeID{Category: category, Owner: "AWS", Provider: provider, Version: "1"}, Configuration: cfg}
	for _, n := range in {
		a.InputArtifacts = append(a.InputArtifacts, codepipeline.InputArtifact{Name: n})
	}
	for _, n := range out {
		a.OutputArtifacts = append(a.OutputArtifacts, codepipeline.OutputArtifact{Name: n})
	}
	return a
}

func source(name string) codepipeline.ActionDeclaration {
	a := act(name, "Source", "CodeCommit", map[string]string{"RepositoryName": "app", "BranchName": "main", "PollForSourceChanges": "false"}, nil, []string{"Src"})
	a.Namespace = "SourceVariables"
	return a
}

func build(name, project, in, out string) codepipeline.ActionDeclaration {
	var outs []string
	if out != "" {
		outs = []string{out}
	}
	return act(name, "Build", "CodeBuild", map[string]string{"ProjectName": project}, []string{in}, outs)
}

func stage(name string, actions ...codepipeline.ActionDeclaration) codepipeline.StageDeclaration {
	return codepipeline.StageDeclaration{Name: name, Actions: actions}
}

func pipeline(name string, stages ...codepipeline.StageDeclaration) codepipeline.PipelineDeclaration {
	return codepipeline.PipelineDeclaration{Name: name, RoleArn: "arn:aws:iam::000000000000:role/pipeline", ArtifactStore: &codepipeline.ArtifactStore{Type: "S3", Location: "artifacts-bucket"}, Stages: stages}
}

var _ = aws.String

func (f *fakeBuilds) requests() []codepipeline.BuildRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]codepipeline.BuildRequest(nil), f.reqs...)
}

func (f *fakeBuilds) stops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.stopped...)
}

func (f *fakeBuilds) setFail(project string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[project] = n
}

func (f *fakeBuilds) nowRunning() int32 { return atomic.LoadInt32(&f.running) }
func (f *fakeBuilds) maxRunning() int32 { return atomic.LoadInt32(&f.maxRun) }

func (f *fakeDeploys) requests() ([]codepipeline.DeployRequest, []map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]codepipeline.DeployRequest(nil), f.reqs...), append([]map[string]string(nil), f.files...)
}

func (f *fakeDeploys) failNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failN = n
}

func (f *fakeTopics) messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.msgs...)
}
