package codepipeline_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/internal/s3obj"
	"github.com/devopsim/devopsim/store/memstore"
)

// A pipeline whose source is an S3 zip, with a manual approval before an S3 deploy.
func Example() {
	ctx := context.Background()
	bus := eventbus.New()
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: bus, Hooks: &dispatch.Hooks{},
		Objects: s3obj.NewMemory(clock.Real()), Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, err := codepipeline.New(env, codepipeline.Deps{}, codepipeline.Options{})
	if err != nil {
		panic(err)
	}
	defer svc.Close(ctx)

	var mu sync.Mutex
	var wg sync.WaitGroup
	defer wg.Wait()
	done := make(chan string, 1)
	bus.Subscribe(func(ctx context.Context, e eventbus.Event) {
		if e.DetailType == "CodePipeline Action Execution State Change" && contains(string(e.Detail), `"action":"Approve"`, `"STARTED"`) {
			mu.Lock()
			defer mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); approve(ctx, svc) }() // answer outside the publisher
		}
		if e.DetailType == "CodePipeline Pipeline Execution State Change" && contains(string(e.Detail), `"SUCCEEDED"`) {
			done <- "Succeeded"
		}
	})
	env.Objects.PutObject(ctx, "sources", "site.zip", zipOf(map[string]string{"index.html": "<h1>v1</h1>"}))
	p := codepipeline.PipelineDeclaration{
		Name: "site", RoleArn: "arn:aws:iam::000000000000:role/pipeline",
		ArtifactStore: &codepipeline.ArtifactStore{Type: "S3", Location: "artifacts"},
		Stages: []codepipeline.StageDeclaration{
			{Name: "Source", Actions: []codepipeline.ActionDeclaration{{Name: "Source",
				ActionTypeID:    &codepipeline.ActionTypeID{Category: "Source", Owner: "AWS", Provider: "S3", Version: "1"},
				Configuration:   map[string]string{"S3Bucket": "sources", "S3ObjectKey": "site.zip", "PollForSourceChanges": "false"},
				OutputArtifacts: []codepipeline.OutputArtifact{{Name: "Site"}}}}},
			{Name: "Release", Actions: []codepipeline.ActionDeclaration{
				{Name: "Approve", ActionTypeID: &codepipeline.ActionTypeID{Category: "Approval", Owner: "AWS", Provider: "Manual", Version: "1"}},
				{Name: "Publish", RunOrder: 2, ActionTypeID: &codepipeline.ActionTypeID{Category: "Deploy", Owner: "AWS", Provider: "S3", Version: "1"},
					Configuration:  map[string]string{"BucketName": "www", "Extract": "true"},
					InputArtifacts: []codepipeline.InputArtifact{{Name: "Site"}}},
			}},
		},
	}
	if _, err := svc.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: &p}); err != nil {
		panic(err)
	}
	fmt.Println(<-done)
	page, _ := env.Objects.GetObject(ctx, "www", "index.html")
	fmt.Println(string(page))
	// Output:
	// Succeeded
	// <h1>v1</h1>
}

func approve(ctx context.Context, svc *codepipeline.Service) {
	st, err := svc.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: "site"})
	if err != nil {
		return
	}
	for _, s := range st.StageStates {
		for _, a := range s.ActionStates {
			if a.ActionName == "Approve" && a.LatestExecution != nil && a.LatestExecution.Token != "" {
				svc.PutApprovalResult(ctx, &codepipeline.PutApprovalResultInput{PipelineName: "site", StageName: s.StageName, ActionName: "Approve",
					Token: a.LatestExecution.Token, Result: &codepipeline.ApprovalResult{Status: "Approved", Summary: "ship it"}})
				return
			}
		}
	}
}

func contains(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
