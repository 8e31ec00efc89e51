package codepipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awstest"
)

// finished counts executions that reached a final state.
type finished struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
	bad  []string
}

func watch(b testing.TB, h *harness) *finished {
	f := &finished{}
	f.cond = sync.NewCond(&f.mu)
	unsub := awstest.Bus(h.env).Subscribe(func(ctx context.Context, e eventbus.Event) {
		if e.DetailType != "CodePipeline Pipeline Execution State Change" {
			return
		}
		var d struct {
			State string `json:"state"`
		}
		json.Unmarshal(e.Detail, &d)
		switch d.State {
		case "SUCCEEDED", "FAILED", "STOPPED", "SUPERSEDED":
			f.mu.Lock()
			f.n++
			if d.State != "SUCCEEDED" {
				f.bad = append(f.bad, d.State)
			}
			f.cond.Broadcast()
			f.mu.Unlock()
		}
	})
	b.Cleanup(unsub)
	return f
}

func (f *finished) waitFor(n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.n < n {
		f.cond.Wait()
	}
	return f.bad
}

func fourStages(name string) codepipeline.PipelineDeclaration {
	p := pipeline(name, stage("Source", source("Source")), stage("Build", build("Build", "b", "Src", "Out")),
		stage("Test", build("Test", "t", "Out", "")),
		stage("Deploy", act("Deploy", "Deploy", "CodeDeploy", map[string]string{"ApplicationName": "a", "DeploymentGroupName": "g"}, []string{"Out"}, nil)))
	p.PipelineType, p.ExecutionMode = "V2", "PARALLEL"
	return p
}

// A 4-stage pipeline of trivial actions, from StartPipelineExecution to Succeeded.
func BenchmarkPipelineFourStages(b *testing.B) {
	h := newHarness(b, clock.Real())
	h.cc.push("app", "main", strings.Repeat("a", 40), "c", map[string]string{"index.html": "v1"})
	f := watch(b, h)
	h.create(fourStages("bench"))
	done := 1
	f.waitFor(done)
	for b.Loop() {
		if _, err := h.svc.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: "bench"}); err != nil {
			b.Fatal(err)
		}
		done++
		if bad := f.waitFor(done); len(bad) > 0 {
			b.Fatalf("executions ended %v", bad)
		}
	}
}

// 1,000 concurrent executions across 100 pipelines.
func BenchmarkThousandConcurrentExecutions(b *testing.B) {
	h := newHarness(b, clock.Real())
	h.cc.push("app", "main", strings.Repeat("a", 40), "c", map[string]string{"index.html": "v1"})
	f := watch(b, h)
	for i := 0; i < 100; i++ {
		h.create(fourStages(fmt.Sprintf("p%03d", i)))
	}
	done := 100
	f.waitFor(done)
	for b.Loop() {
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for j := 0; j < 10; j++ {
					if _, err := h.svc.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: fmt.Sprintf("p%03d", i)}); err != nil {
						b.Error(err)
					}
				}
			}(i)
		}
		wg.Wait()
		done += 1000
		if bad := f.waitFor(done); len(bad) > 0 {
			b.Fatalf("executions ended %v", bad)
		}
	}
}
