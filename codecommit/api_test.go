package codecommit_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/codecommit"
)

func TestRepositoryLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, codecommit.Options{})
	svc := f.svc
	md := f.createRepo("one")
	if md.Arn != "arn:aws:codecommit:us-east-1:000000000000:one" || md.KMSKeyID == "" || md.RepositoryID == "" {
		t.Fatalf("metadata: %+v", md)
	}
	for _, tc := range []struct {
		name string
		in   codecommit.CreateRepositoryInput
		want error
	}{
		{"exists", codecommit.CreateRepositoryInput{RepositoryName: "one"}, codecommit.ErrRepositoryNameExists},
		{"empty", codecommit.CreateRepositoryInput{}, codecommit.ErrRepositoryNameRequired},
		{"bad chars", codecommit.CreateRepositoryInput{RepositoryName: "a b"}, codecommit.ErrInvalidRepositoryName},
		{"dot git", codecommit.CreateRepositoryInput{RepositoryName: "x.git"}, codecommit.ErrInvalidRepositoryName},
		{"system tag", codecommit.CreateRepositoryInput{RepositoryName: "t", Tags: map[string]string{"aws:x": "1"}}, codecommit.ErrInvalidSystemTagUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.CreateRepository(ctx, &tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	f.createRepo("two")
	l, err := svc.ListRepositories(ctx, &codecommit.ListRepositoriesInput{Order: "descending"})
	if err != nil || len(l.Repositories) != 2 || l.Repositories[0].RepositoryName != "two" {
		t.Fatalf("list: %+v %v", l, err)
	}
	bg, err := svc.BatchGetRepositories(ctx, &codecommit.BatchGetRepositoriesInput{RepositoryNames: []string{"one", "nope"}})
	if err != nil || len(bg.Repositories) != 1 || len(bg.RepositoriesNotFound) != 1 {
		t.Fatalf("batch: %+v %v", bg, err)
	}
	if _, err := svc.UpdateRepositoryName(ctx, &codecommit.UpdateRepositoryNameInput{OldName: "two", NewName: "one"}); !errors.Is(err, codecommit.ErrRepositoryNameExists) {
		t.Fatal(err)
	}
	if _, err := svc.UpdateRepositoryName(ctx, &codecommit.UpdateRepositoryNameInput{OldName: "two", NewName: "three"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: "two"}); !errors.Is(err, codecommit.ErrRepositoryDoesNotExist) || !errors.Is(err, apierr.NotFound) {
		t.Fatal(err)
	}
	if _, err := svc.TagResource(ctx, &codecommit.TagResourceInput{ResourceArn: md.Arn, Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ := svc.ListTagsForResource(ctx, &codecommit.ListTagsForResourceInput{ResourceArn: md.Arn})
	if tags.Tags["team"] != "a" {
		t.Fatalf("tags %v", tags.Tags)
	}
	d, err := svc.DeleteRepository(ctx, &codecommit.DeleteRepositoryInput{RepositoryName: "one"})
	if err != nil || d.RepositoryID != md.RepositoryID {
		t.Fatal(d, err)
	}
	d, err = svc.DeleteRepository(ctx, &codecommit.DeleteRepositoryInput{RepositoryName: "one"})
	if err != nil || d.RepositoryID != "" {
		t.Fatal(d, err)
	}
}

func TestCommitsAndFiles(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, codecommit.Options{})
	svc := f.svc
	f.createRepo("r")

	first, err := svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "r", BranchName: "main", FilePath: "README.md", FileContent: []byte("hi\n"), CommitMessage: "init", Name: "Ann", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := svc.CreateCommit(ctx, &codecommit.CreateCommitInput{
		RepositoryName: "r", BranchName: "main", ParentCommitID: first.CommitID, CommitMessage: "more",
		PutFiles: []codecommit.PutFileEntry{
			{FilePath: "src/app.sh", FileContent: []byte("#!/bin/sh\necho hi\n"), FileMode: "EXECUTABLE"},
			{FilePath: "docs/a/b.txt", FileContent: []byte("b")},
			{FilePath: "COPY.md", SourceFile: &codecommit.SourceFileSpecifier{FilePath: "README.md"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cc.FilesAdded) != 3 {
		t.Fatalf("added %+v", cc.FilesAdded)
	}

	tests := []struct {
		name string
		in   codecommit.CreateCommitInput
		want error
	}{
		{"no parent", codecommit.CreateCommitInput{PutFiles: []codecommit.PutFileEntry{{FilePath: "x", FileContent: []byte("x")}}}, codecommit.ErrParentCommitIDRequired},
		{"outdated parent", codecommit.CreateCommitInput{ParentCommitID: first.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "x", FileContent: []byte("x")}}}, codecommit.ErrParentCommitIDOutdated},
		{"bad parent", codecommit.CreateCommitInput{ParentCommitID: "xyz", PutFiles: []codecommit.PutFileEntry{{FilePath: "x", FileContent: []byte("x")}}}, codecommit.ErrInvalidParentCommitID},
		{"same path", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "x", FileContent: []byte("x")}}, DeleteFiles: []codecommit.DeleteFileEntry{{FilePath: "x"}}}, codecommit.ErrSamePathRequest},
		{"delete missing", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, DeleteFiles: []codecommit.DeleteFileEntry{{FilePath: "nope"}}}, codecommit.ErrFileDoesNotExist},
		{"no change", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "README.md", FileContent: []byte("hi\n")}}}, codecommit.ErrNoChange},
		{"file over dir", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "src", FileContent: []byte("x")}}}, codecommit.ErrFileNameConflictsWithDirectoryName},
		{"dir over file", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "README.md/x", FileContent: []byte("x")}}}, codecommit.ErrDirectoryNameConflictsWithFileName},
		{"too big", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "big", FileContent: make([]byte, 6<<20+1)}}}, codecommit.ErrFileContentSizeLimitExceeded},
		{"content and source", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "y", FileContent: []byte("x"), SourceFile: &codecommit.SourceFileSpecifier{FilePath: "README.md"}}}}, codecommit.ErrFileContentAndSourceFileSpecified},
		{"bad mode", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, SetFileModes: []codecommit.SetFileModeEntry{{FilePath: "README.md", FileMode: "WEIRD"}}}, codecommit.ErrInvalidFileMode},
		{"bad path", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "a/../b", FileContent: []byte("x")}}}, codecommit.ErrInvalidPath},
		{"unknown branch", codecommit.CreateCommitInput{BranchName: "nope", ParentCommitID: cc.CommitID, PutFiles: []codecommit.PutFileEntry{{FilePath: "x", FileContent: []byte("x")}}}, codecommit.ErrBranchDoesNotExist},
		{"no entries", codecommit.CreateCommitInput{ParentCommitID: cc.CommitID}, codecommit.ErrFileEntryRequired},
	}
	many := codecommit.CreateCommitInput{ParentCommitID: cc.CommitID}
	for i := range 101 {
		many.DeleteFiles = append(many.DeleteFiles, codecommit.DeleteFileEntry{FilePath: "f" + string(rune('a'+i%26)) + string(rune('a'+i/26))})
	}
	tests = append(tests, struct {
		name string
		in   codecommit.CreateCommitInput
		want error
	}{"too many", many, codecommit.ErrMaximumFileEntriesExceeded})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.RepositoryName = "r"
			if in.BranchName == "" {
				in.BranchName = "main"
			}
			if _, err := svc.CreateCommit(ctx, &in); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}

	// Same content through PutFile.
	if _, err := svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "r", BranchName: "main", FilePath: "README.md", FileContent: []byte("hi\n"), ParentCommitID: cc.CommitID}); !errors.Is(err, codecommit.ErrSameFileContent) {
		t.Fatal(err)
	}
	gf, err := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "r", FilePath: "src/app.sh"})
	if err != nil || gf.FileMode != "EXECUTABLE" || string(gf.FileContent) != "#!/bin/sh\necho hi\n" || gf.CommitID != cc.CommitID {
		t.Fatalf("GetFile %+v %v", gf, err)
	}
	if _, err := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "r", FilePath: "nope"}); !errors.Is(err, codecommit.ErrFileDoesNotExist) {
		t.Fatal(err)
	}
	old, err := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "r", FilePath: "README.md", CommitSpecifier: first.CommitID})
	if err != nil || old.CommitID != first.CommitID {
		t.Fatal(old, err)
	}
	gb, err := svc.GetBlob(ctx, &codecommit.GetBlobInput{RepositoryName: "r", BlobID: gf.BlobID})
	if err != nil || !bytes.Equal(gb.Content, gf.FileContent) {
		t.Fatal(err)
	}
	fo, err := svc.GetFolder(ctx, &codecommit.GetFolderInput{RepositoryName: "r", FolderPath: "/"})
	if err != nil || len(fo.Files) != 2 || len(fo.SubFolders) != 2 {
		t.Fatalf("GetFolder %+v %v", fo, err)
	}
	if _, err := svc.GetFolder(ctx, &codecommit.GetFolderInput{RepositoryName: "r", FolderPath: "nope"}); !errors.Is(err, codecommit.ErrFolderDoesNotExist) {
		t.Fatal(err)
	}

	// Delete the only file of docs/a with and without keepEmptyFolders.
	del, err := svc.DeleteFile(ctx, &codecommit.DeleteFileInput{RepositoryName: "r", BranchName: "main", FilePath: "docs/a/b.txt", ParentCommitID: cc.CommitID, KeepEmptyFolders: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "r", FilePath: "docs/a/.gitkeep"}); err != nil {
		t.Fatal(err)
	}
	mv, err := svc.CreateCommit(ctx, &codecommit.CreateCommitInput{RepositoryName: "r", BranchName: "main", ParentCommitID: del.CommitID,
		PutFiles:     []codecommit.PutFileEntry{{FilePath: "MOVED.md", SourceFile: &codecommit.SourceFileSpecifier{FilePath: "COPY.md", IsMove: true}}},
		SetFileModes: []codecommit.SetFileModeEntry{{FilePath: "src/app.sh", FileMode: "NORMAL"}},
		DeleteFiles:  []codecommit.DeleteFileEntry{{FilePath: "docs/a/.gitkeep"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(mv.FilesAdded) != 1 || len(mv.FilesDeleted) != 2 || len(mv.FilesUpdated) != 1 {
		t.Fatalf("move: %+v", mv)
	}

	diff, err := svc.GetDifferences(ctx, &codecommit.GetDifferencesInput{RepositoryName: "r", BeforeCommitSpecifier: first.CommitID, AfterCommitSpecifier: "main"})
	if err != nil {
		t.Fatal(err)
	}
	kinds := ""
	for _, d := range diff.Differences {
		kinds += d.ChangeType
	}
	if kinds != "AA" { // MOVED.md and src/app.sh (README.md unchanged)
		t.Fatalf("differences %q: %+v", kinds, diff.Differences)
	}
	page, err := svc.GetDifferences(ctx, &codecommit.GetDifferencesInput{RepositoryName: "r", AfterCommitSpecifier: "main", MaxResults: 1})
	if err != nil || len(page.Differences) != 1 || page.NextToken == "" {
		t.Fatal(page, err)
	}

	// Branches.
	if _, err := svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "r", BranchName: "dev", CommitID: first.CommitID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "r", BranchName: "dev", CommitID: first.CommitID}); !errors.Is(err, codecommit.ErrBranchNameExists) {
		t.Fatal(err)
	}
	lb, _ := svc.ListBranches(ctx, &codecommit.ListBranchesInput{RepositoryName: "r"})
	if len(lb.Branches) != 2 {
		t.Fatal(lb)
	}
	if _, err := svc.DeleteBranch(ctx, &codecommit.DeleteBranchInput{RepositoryName: "r", BranchName: "main"}); !errors.Is(err, codecommit.ErrDefaultBranchCannotBeDeleted) {
		t.Fatal(err)
	}
	db, err := svc.DeleteBranch(ctx, &codecommit.DeleteBranchInput{RepositoryName: "r", BranchName: "dev"})
	if err != nil || db.DeletedBranch.CommitID != first.CommitID {
		t.Fatal(db, err)
	}
	gc, err := svc.GetCommit(ctx, &codecommit.GetCommitInput{RepositoryName: "r", CommitID: cc.CommitID})
	if err != nil || gc.Commit.Parents[0] != first.CommitID || gc.Commit.Message != "more" {
		t.Fatal(gc, err)
	}
	bgc, _ := svc.BatchGetCommits(ctx, &codecommit.BatchGetCommitsInput{RepositoryName: "r", CommitIDs: []string{cc.CommitID, "0000000000000000000000000000000000000001"}})
	if len(bgc.Commits) != 1 || len(bgc.Errors) != 1 {
		t.Fatal(bgc)
	}

	// Archive.
	z, id, err := svc.Archive(ctx, "r", "main")
	if err != nil || id != mv.CommitID {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[zf.Name] = string(b)
	}
	if files["MOVED.md"] != "hi\n" || files["README.md"] != "hi\n" || len(files) != 3 {
		t.Fatalf("archive files %v", files)
	}
	if got, err := svc.ResolveCommit(ctx, "r", ""); err != nil || got != mv.CommitID {
		t.Fatal(got, err)
	}

	evs := f.refEvents()
	if len(evs) != 6 || evs[0]["event"] != "referenceCreated" || evs[1]["oldCommitId"] != first.CommitID {
		t.Fatalf("events %v", evs)
	}
}

func TestTriggers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, codecommit.Options{})
	svc := f.svc
	f.createRepo("r")
	var got []*codecommit.TriggerNotification
	svc.HandleTrigger("go:ci", func(_ context.Context, n *codecommit.TriggerNotification) error {
		got = append(got, n)
		return nil
	})
	if _, err := svc.PutRepositoryTriggers(ctx, &codecommit.PutRepositoryTriggersInput{RepositoryName: "r", Triggers: []codecommit.RepositoryTrigger{{Name: "bad", DestinationArn: "nope", Events: []string{"all"}}}}); !errors.Is(err, codecommit.ErrInvalidRepositoryTriggerDestinationArn) {
		t.Fatal(err)
	}
	_, err := svc.PutRepositoryTriggers(ctx, &codecommit.PutRepositoryTriggersInput{RepositoryName: "r", Triggers: []codecommit.RepositoryTrigger{
		{Name: "ci", DestinationArn: "go:ci", Events: []string{"createReference"}, Branches: []string{"main"}, CustomData: "x"},
		{Name: "sns", DestinationArn: "arn:aws:sns:us-east-1:000000000000:topic", Events: []string{"all"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "r", BranchName: "main", FilePath: "a", FileContent: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Records[0].CustomData != "x" || !got[0].Records[0].CodeCommit.References[0].Created {
		t.Fatalf("notifications %+v", got)
	}
	tr, err := svc.TestRepositoryTriggers(ctx, &codecommit.TestRepositoryTriggersInput{RepositoryName: "r", Triggers: []codecommit.RepositoryTrigger{
		{Name: "ci", DestinationArn: "go:ci", Events: []string{"all"}},
		{Name: "sns", DestinationArn: "arn:aws:sns:us-east-1:000000000000:topic", Events: []string{"all"}},
	}})
	if err != nil || len(tr.SuccessfulExecutions) != 1 || len(tr.FailedExecutions) != 1 {
		t.Fatalf("%+v %v", tr, err)
	}
	gt, _ := svc.GetRepositoryTriggers(ctx, &codecommit.GetRepositoryTriggersInput{RepositoryName: "r"})
	if len(gt.Triggers) != 2 || gt.ConfigurationID == "" {
		t.Fatal(gt)
	}
}
