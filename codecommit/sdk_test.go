package codecommit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/codecommit"
	"github.com/aws/aws-sdk-go-v2/service/codecommit/types"

	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/internal/awsapi/codecommitapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// TestSDKRoundTrip drives every wired operation through the real aws-sdk-go-v2 client.
func TestSDKRoundTrip(t *testing.T) {
	ctx := context.Background()
	env := awstest.Env(t)
	svc, err := codecommit.New(env, codecommit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := cc.NewFromConfig(awstest.Config(t, codecommitapi.Service(svc)))
	svc.HandleTrigger("go:t", func(context.Context, *codecommit.TriggerNotification) error { return nil })

	cr, err := c.CreateRepository(ctx, &cc.CreateRepositoryInput{RepositoryName: aws.String("sdk"), RepositoryDescription: aws.String("d"), Tags: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(cr.RepositoryMetadata.Arn)
	if arn == "" || cr.RepositoryMetadata.CreationDate == nil {
		t.Fatalf("%+v", cr.RepositoryMetadata)
	}
	_, err = c.GetRepository(ctx, &cc.GetRepositoryInput{RepositoryName: aws.String("missing")})
	var dne *types.RepositoryDoesNotExistException
	if !errors.As(err, &dne) {
		t.Fatalf("want RepositoryDoesNotExistException, got %v", err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pf, err := c.PutFile(ctx, &cc.PutFileInput{RepositoryName: aws.String("sdk"), BranchName: aws.String("main"), FilePath: aws.String("a.txt"), FileContent: []byte("a")})
	must(pf, err)
	cm, err := c.CreateCommit(ctx, &cc.CreateCommitInput{RepositoryName: aws.String("sdk"), BranchName: aws.String("main"), ParentCommitId: pf.CommitId,
		PutFiles: []types.PutFileEntry{{FilePath: aws.String("dir/b.txt"), FileContent: []byte("b"), FileMode: types.FileModeTypeEnumExecutable}}})
	must(cm, err)
	gf, err := c.GetFile(ctx, &cc.GetFileInput{RepositoryName: aws.String("sdk"), FilePath: aws.String("dir/b.txt")})
	must(gf, err)
	if string(gf.FileContent) != "b" || gf.FileMode != types.FileModeTypeEnumExecutable {
		t.Fatalf("%+v", gf)
	}
	must(c.GetFolder(ctx, &cc.GetFolderInput{RepositoryName: aws.String("sdk"), FolderPath: aws.String("/")}))
	must(c.GetBlob(ctx, &cc.GetBlobInput{RepositoryName: aws.String("sdk"), BlobId: gf.BlobId}))
	gc, err := c.GetCommit(ctx, &cc.GetCommitInput{RepositoryName: aws.String("sdk"), CommitId: cm.CommitId})
	must(gc, err)
	if len(gc.Commit.Parents) != 1 {
		t.Fatal(gc.Commit)
	}
	must(c.BatchGetCommits(ctx, &cc.BatchGetCommitsInput{RepositoryName: aws.String("sdk"), CommitIds: []string{aws.ToString(cm.CommitId)}}))
	gd, err := c.GetDifferences(ctx, &cc.GetDifferencesInput{RepositoryName: aws.String("sdk"), BeforeCommitSpecifier: pf.CommitId, AfterCommitSpecifier: aws.String("main")})
	must(gd, err)
	if len(gd.Differences) != 1 || gd.Differences[0].ChangeType != types.ChangeTypeEnumAdded {
		t.Fatalf("%+v", gd.Differences)
	}
	must(c.CreateBranch(ctx, &cc.CreateBranchInput{RepositoryName: aws.String("sdk"), BranchName: aws.String("dev"), CommitId: pf.CommitId}))
	must(c.GetBranch(ctx, &cc.GetBranchInput{RepositoryName: aws.String("sdk"), BranchName: aws.String("dev")}))
	lb, err := c.ListBranches(ctx, &cc.ListBranchesInput{RepositoryName: aws.String("sdk")})
	must(lb, err)
	if len(lb.Branches) != 2 {
		t.Fatal(lb.Branches)
	}
	must(c.UpdateDefaultBranch(ctx, &cc.UpdateDefaultBranchInput{RepositoryName: aws.String("sdk"), DefaultBranchName: aws.String("dev")}))
	must(c.UpdateDefaultBranch(ctx, &cc.UpdateDefaultBranchInput{RepositoryName: aws.String("sdk"), DefaultBranchName: aws.String("main")}))
	df, err := c.DeleteFile(ctx, &cc.DeleteFileInput{RepositoryName: aws.String("sdk"), BranchName: aws.String("main"), FilePath: aws.String("a.txt"), ParentCommitId: cm.CommitId})
	must(df, err)
	must(c.DeleteBranch(ctx, &cc.DeleteBranchInput{RepositoryName: aws.String("sdk"), BranchName: aws.String("dev")}))
	_, err = c.CreateCommit(ctx, &cc.CreateCommitInput{RepositoryName: aws.String("sdk"), BranchName: aws.String("main"), ParentCommitId: cm.CommitId,
		PutFiles: []types.PutFileEntry{{FilePath: aws.String("x"), FileContent: []byte("x")}}})
	var outdated *types.ParentCommitIdOutdatedException
	if !errors.As(err, &outdated) {
		t.Fatalf("want ParentCommitIdOutdatedException, got %v", err)
	}

	trig := []types.RepositoryTrigger{{Name: aws.String("t"), DestinationArn: aws.String("go:t"), Events: []types.RepositoryTriggerEventEnum{types.RepositoryTriggerEventEnumAll}}}
	must(c.PutRepositoryTriggers(ctx, &cc.PutRepositoryTriggersInput{RepositoryName: aws.String("sdk"), Triggers: trig}))
	gt, err := c.GetRepositoryTriggers(ctx, &cc.GetRepositoryTriggersInput{RepositoryName: aws.String("sdk")})
	must(gt, err)
	if len(gt.Triggers) != 1 {
		t.Fatal(gt.Triggers)
	}
	tt, err := c.TestRepositoryTriggers(ctx, &cc.TestRepositoryTriggersInput{RepositoryName: aws.String("sdk"), Triggers: trig})
	must(tt, err)
	if len(tt.SuccessfulExecutions) != 1 {
		t.Fatal(tt)
	}

	must(c.TagResource(ctx, &cc.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"x": "y"}}))
	must(c.UntagResource(ctx, &cc.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"k"}}))
	lt, err := c.ListTagsForResource(ctx, &cc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	must(lt, err)
	if len(lt.Tags) != 1 || lt.Tags["x"] != "y" {
		t.Fatal(lt.Tags)
	}
	must(c.UpdateRepositoryDescription(ctx, &cc.UpdateRepositoryDescriptionInput{RepositoryName: aws.String("sdk"), RepositoryDescription: aws.String("new")}))
	must(c.UpdateRepositoryEncryptionKey(ctx, &cc.UpdateRepositoryEncryptionKeyInput{RepositoryName: aws.String("sdk"), KmsKeyId: aws.String("alias/mine")}))
	must(c.UpdateRepositoryName(ctx, &cc.UpdateRepositoryNameInput{OldName: aws.String("sdk"), NewName: aws.String("sdk2")}))
	bg, err := c.BatchGetRepositories(ctx, &cc.BatchGetRepositoriesInput{RepositoryNames: []string{"sdk2", "sdk"}})
	must(bg, err)
	if len(bg.Repositories) != 1 || len(bg.RepositoriesNotFound) != 1 || aws.ToString(bg.Repositories[0].RepositoryDescription) != "new" {
		t.Fatalf("%+v", bg)
	}
	lr, err := c.ListRepositories(ctx, &cc.ListRepositoriesInput{SortBy: types.SortByEnumModifiedDate, Order: types.OrderEnumDescending})
	must(lr, err)
	if len(lr.Repositories) != 1 {
		t.Fatal(lr.Repositories)
	}
	dr, err := c.DeleteRepository(ctx, &cc.DeleteRepositoryInput{RepositoryName: aws.String("sdk2")})
	must(dr, err)
	if aws.ToString(dr.RepositoryId) != aws.ToString(cr.RepositoryMetadata.RepositoryId) {
		t.Fatal(dr)
	}
}
