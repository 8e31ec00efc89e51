package codecommit_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

func Example() {
	ctx := context.Background()
	bus := eventbus.New()
	bus.Subscribe(func(_ context.Context, e eventbus.Event) { fmt.Println(e.DetailType) })
	env := &core.Env{
		Clock: clock.Real(), Store: memstore.New(), Log: slog.New(slog.DiscardHandler), Events: bus,
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion,
	}
	svc, _ := codecommit.New(env, codecommit.Options{Endpoint: "http://localhost:4566"})
	defer svc.Close(ctx)

	repo, _ := svc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "app"})
	fmt.Println(repo.RepositoryMetadata.CloneURLHTTP)

	c, _ := svc.CreateCommit(ctx, &codecommit.CreateCommitInput{
		RepositoryName: "app", BranchName: "main", CommitMessage: "first",
		PutFiles: []codecommit.PutFileEntry{
			{FilePath: "buildspec.yml", FileContent: []byte("version: 0.2\n")},
			{FilePath: "scripts/start.sh", FileContent: []byte("#!/bin/sh\n"), FileMode: "EXECUTABLE"},
		},
	})
	fmt.Println(len(c.FilesAdded), "files added")

	f, _ := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "app", FilePath: "scripts/start.sh"})
	fmt.Println(f.FileMode, f.CommitID == c.CommitID)

	_, id, _ := svc.Archive(ctx, "app", "main")
	fmt.Println(id == c.CommitID)
	// Output:
	// http://localhost:4566/v1/repos/app
	// CodeCommit Repository State Change
	// 2 files added
	// EXECUTABLE true
	// true
}

// Example_pullRequest opens a pull request whose branch changed another line of a file than
// the destination did (changes to adjacent lines would conflict, as in git), and merges it with a line-level three-way merge.
func Example_pullRequest() {
	ctx := context.Background()
	env := &core.Env{
		Clock: clock.Real(), Store: memstore.New(), Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion,
	}
	svc, _ := codecommit.New(env, codecommit.Options{})
	defer svc.Close(ctx)
	_, _ = svc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "app"})
	base, _ := svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "app", BranchName: "main", FilePath: "conf", FileContent: []byte("port=80\nworkers=2\nlog=info\n")})
	_, _ = svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "app", BranchName: "tune", CommitID: base.CommitID})
	_, _ = svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "app", BranchName: "tune", ParentCommitID: base.CommitID, FilePath: "conf", FileContent: []byte("port=80\nworkers=2\nlog=debug\n")})
	_, _ = svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "app", BranchName: "main", ParentCommitID: base.CommitID, FilePath: "conf", FileContent: []byte("port=443\nworkers=2\nlog=info\n")})

	pr, _ := svc.CreatePullRequest(ctx, &codecommit.CreatePullRequestInput{Title: "Debug logs",
		Targets: []codecommit.Target{{RepositoryName: "app", SourceReference: "tune", DestinationReference: "main"}}})
	opts, _ := svc.GetMergeOptions(ctx, &codecommit.GetMergeOptionsInput{RepositoryName: "app", SourceCommitSpecifier: "tune", DestinationCommitSpecifier: "main", ConflictDetailLevel: "LINE_LEVEL"})
	fmt.Println(opts.MergeOptions)
	m, err := svc.MergePullRequestByThreeWay(ctx, &codecommit.MergePullRequestByThreeWayInput{PullRequestID: pr.PullRequest.PullRequestID, RepositoryName: "app", ConflictDetailLevel: "LINE_LEVEL"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.PullRequest.PullRequestStatus, m.PullRequest.PullRequestTargets[0].MergeMetadata.IsMerged)
	f, _ := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "app", FilePath: "conf"})
	fmt.Print(string(f.FileContent))
	// Output:
	// [SQUASH_MERGE THREE_WAY_MERGE]
	// CLOSED true
	// port=443
	// workers=2
	// log=debug
}
