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
