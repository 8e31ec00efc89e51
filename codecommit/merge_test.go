package codecommit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/codecommit"
	"github.com/aws/aws-sdk-go-v2/service/codecommit/types"

	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/internal/awsapi/codecommitapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// sdkRepo is a repository driven through the SDK client.
type sdkRepo struct {
	t    *testing.T
	c    *cc.Client
	svc  *codecommit.Service
	name string
}

func newSDKRepo(t *testing.T, name string) *sdkRepo {
	t.Helper()
	env := awstest.Env(t)
	svc, err := codecommit.New(env, codecommit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := cc.NewFromConfig(awstest.Config(t, codecommitapi.Service(svc)))
	if _, err := c.CreateRepository(context.Background(), &cc.CreateRepositoryInput{RepositoryName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	return &sdkRepo{t: t, c: c, svc: svc, name: name}
}

func (r *sdkRepo) tip(branch string) string {
	r.t.Helper()
	b, err := r.c.GetBranch(context.Background(), &cc.GetBranchInput{RepositoryName: aws.String(r.name), BranchName: aws.String(branch)})
	if err != nil {
		r.t.Fatal(err)
	}
	return aws.ToString(b.Branch.CommitId)
}

// commit writes files (content "" deletes) onto branch and returns the commit ID.
func (r *sdkRepo) commit(branch string, files map[string]string) string {
	r.t.Helper()
	in := &cc.CreateCommitInput{RepositoryName: aws.String(r.name), BranchName: aws.String(branch)}
	if b, err := r.c.GetBranch(context.Background(), &cc.GetBranchInput{RepositoryName: aws.String(r.name), BranchName: aws.String(branch)}); err == nil {
		in.ParentCommitId = b.Branch.CommitId
	}
	for p, c := range files {
		if c == "" {
			in.DeleteFiles = append(in.DeleteFiles, types.DeleteFileEntry{FilePath: aws.String(p)})
			continue
		}
		in.PutFiles = append(in.PutFiles, types.PutFileEntry{FilePath: aws.String(p), FileContent: []byte(c)})
	}
	out, err := r.c.CreateCommit(context.Background(), in)
	if err != nil {
		r.t.Fatal(err)
	}
	return aws.ToString(out.CommitId)
}

func (r *sdkRepo) branch(name, commit string) {
	r.t.Helper()
	if _, err := r.c.CreateBranch(context.Background(), &cc.CreateBranchInput{RepositoryName: aws.String(r.name), BranchName: aws.String(name), CommitId: aws.String(commit)}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *sdkRepo) file(spec, p string) string {
	r.t.Helper()
	out, err := r.c.GetFile(context.Background(), &cc.GetFileInput{RepositoryName: aws.String(r.name), CommitSpecifier: aws.String(spec), FilePath: aws.String(p)})
	if err != nil {
		r.t.Fatalf("GetFile %s@%s: %v", p, spec, err)
	}
	return string(out.FileContent)
}

const baseText = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n"

func TestMergeFastForward(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "ff")
	base := r.commit("main", map[string]string{"a.txt": baseText})
	r.branch("feature", base)
	f1 := r.commit("feature", map[string]string{"b.txt": "b\n"})

	opts, err := r.c.GetMergeOptions(ctx, &cc.GetMergeOptionsInput{RepositoryName: aws.String("ff"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.MergeOptions) != 3 || aws.ToString(opts.BaseCommitId) != base {
		t.Fatalf("%+v", opts)
	}
	out, err := r.c.MergeBranchesByFastForward(ctx, &cc.MergeBranchesByFastForwardInput{RepositoryName: aws.String("ff"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CommitId) != f1 || r.tip("main") != f1 {
		t.Fatalf("main = %s, want %s", r.tip("main"), f1)
	}
	// Diverged: fast-forward is refused.
	r.commit("main", map[string]string{"m.txt": "m\n"})
	r.commit("feature", map[string]string{"f.txt": "f\n"})
	_, err = r.c.MergeBranchesByFastForward(ctx, &cc.MergeBranchesByFastForwardInput{RepositoryName: aws.String("ff"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main")})
	var mm *types.ManualMergeRequiredException
	if !errors.As(err, &mm) {
		t.Fatalf("want ManualMergeRequiredException, got %v", err)
	}
	mc, err := r.c.GetMergeConflicts(ctx, &cc.GetMergeConflictsInput{RepositoryName: aws.String("ff"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"), MergeOption: types.MergeOptionTypeEnumFastForwardMerge})
	if err != nil || mc.Mergeable {
		t.Fatalf("%+v %v", mc, err)
	}
}

func TestMergeThreeWayLineLevel(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "tw")
	base := r.commit("main", map[string]string{"a.txt": baseText, "keep.txt": "k\n"})
	r.branch("feature", base)
	r.commit("main", map[string]string{"a.txt": strings.Replace(baseText, "two\n", "TWO\n", 1)})
	r.commit("feature", map[string]string{"a.txt": strings.Replace(baseText, "six\n", "SIX\n", 1), "new.txt": "n\n"})
	src, dst := r.tip("feature"), r.tip("main")

	// File level: both changed a.txt, a conflict.
	mc, err := r.c.GetMergeConflicts(ctx, &cc.GetMergeConflictsInput{RepositoryName: aws.String("tw"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"), MergeOption: types.MergeOptionTypeEnumThreeWayMerge})
	if err != nil {
		t.Fatal(err)
	}
	if mc.Mergeable || len(mc.ConflictMetadataList) != 1 || aws.ToString(mc.ConflictMetadataList[0].FilePath) != "a.txt" || !mc.ConflictMetadataList[0].ContentConflict {
		t.Fatalf("%+v", mc)
	}
	_, err = r.c.MergeBranchesByThreeWay(ctx, &cc.MergeBranchesByThreeWayInput{RepositoryName: aws.String("tw"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main")})
	var mm *types.ManualMergeRequiredException
	if !errors.As(err, &mm) {
		t.Fatalf("want ManualMergeRequiredException, got %v", err)
	}
	// Line level: the changes touch different lines and merge.
	mc, err = r.c.GetMergeConflicts(ctx, &cc.GetMergeConflictsInput{RepositoryName: aws.String("tw"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"), MergeOption: types.MergeOptionTypeEnumThreeWayMerge, ConflictDetailLevel: types.ConflictDetailLevelTypeEnumLineLevel})
	if err != nil || !mc.Mergeable || len(mc.ConflictMetadataList) != 0 {
		t.Fatalf("%+v %v", mc, err)
	}
	out, err := r.c.MergeBranchesByThreeWay(ctx, &cc.MergeBranchesByThreeWayInput{RepositoryName: aws.String("tw"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		ConflictDetailLevel: types.ConflictDetailLevelTypeEnumLineLevel, CommitMessage: aws.String("merge feature"), AuthorName: aws.String("Ann"), Email: aws.String("ann@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("two\n", "TWO\n", "six\n", "SIX\n").Replace(baseText)
	if got := r.file("main", "a.txt"); got != want {
		t.Fatalf("merged a.txt = %q, want %q", got, want)
	}
	if r.file("main", "new.txt") != "n\n" || r.file("main", "keep.txt") != "k\n" {
		t.Fatal("merge lost files")
	}
	gc, err := r.c.GetCommit(ctx, &cc.GetCommitInput{RepositoryName: aws.String("tw"), CommitId: out.CommitId})
	if err != nil {
		t.Fatal(err)
	}
	if len(gc.Commit.Parents) != 2 || gc.Commit.Parents[0] != dst || gc.Commit.Parents[1] != src || aws.ToString(gc.Commit.Message) != "merge feature" || aws.ToString(gc.Commit.Author.Name) != "Ann" {
		t.Fatalf("%+v", gc.Commit)
	}
	gm, err := r.c.GetMergeCommit(ctx, &cc.GetMergeCommitInput{RepositoryName: aws.String("tw"), SourceCommitSpecifier: aws.String(src), DestinationCommitSpecifier: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gm.MergedCommitId) != aws.ToString(out.CommitId) || aws.ToString(gm.BaseCommitId) != src {
		t.Fatalf("%+v", gm)
	}
}

func TestMergeConflictsAndResolution(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "cf")
	base := r.commit("main", map[string]string{"a.txt": baseText, "gone.txt": "g\n", "bin.dat": "\x00bin"})
	r.branch("feature", base)
	r.commit("main", map[string]string{"a.txt": strings.Replace(baseText, "three\n", "main three\n", 1), "gone.txt": "", "bin.dat": "\x00main"})
	r.commit("feature", map[string]string{"a.txt": strings.Replace(baseText, "three\n", "feature three\n", 1), "gone.txt": "changed\n", "bin.dat": "\x00feat"})

	line := types.ConflictDetailLevelTypeEnumLineLevel
	mc, err := r.c.GetMergeConflicts(ctx, &cc.GetMergeConflictsInput{RepositoryName: aws.String("cf"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		MergeOption: types.MergeOptionTypeEnumSquashMerge, ConflictDetailLevel: line, MaxConflictFiles: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if mc.Mergeable || len(mc.ConflictMetadataList) != 2 || mc.NextToken == nil {
		t.Fatalf("%+v", mc)
	}
	if m := mc.ConflictMetadataList[1]; aws.ToString(m.FilePath) != "bin.dat" && aws.ToString(m.FilePath) != "a.txt" {
		t.Fatalf("%+v", m)
	}
	bin := mc.ConflictMetadataList[1]
	if aws.ToString(bin.FilePath) != "bin.dat" || !aws.ToBool(bin.IsBinaryFile.Source) {
		t.Fatalf("bin.dat: %+v %+v", bin, bin.IsBinaryFile)
	}
	mc2, err := r.c.GetMergeConflicts(ctx, &cc.GetMergeConflictsInput{RepositoryName: aws.String("cf"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		MergeOption: types.MergeOptionTypeEnumSquashMerge, ConflictDetailLevel: line, NextToken: mc.NextToken})
	if err != nil || len(mc2.ConflictMetadataList) != 1 {
		t.Fatalf("%+v %v", mc2, err)
	}
	gone := mc2.ConflictMetadataList[0]
	if aws.ToString(gone.FilePath) != "gone.txt" || gone.MergeOperations.Destination != types.ChangeTypeEnumDeleted || gone.MergeOperations.Source != types.ChangeTypeEnumModified {
		t.Fatalf("%+v %+v", gone, gone.MergeOperations)
	}

	dc, err := r.c.DescribeMergeConflicts(ctx, &cc.DescribeMergeConflictsInput{RepositoryName: aws.String("cf"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		MergeOption: types.MergeOptionTypeEnumThreeWayMerge, ConflictDetailLevel: line, FilePath: aws.String("a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if len(dc.MergeHunks) != 1 || !dc.MergeHunks[0].IsConflict {
		t.Fatalf("%+v", dc.MergeHunks)
	}
	h := dc.MergeHunks[0]
	if aws.ToString(h.Source.HunkContent) != "feature three\n" || aws.ToString(h.Destination.HunkContent) != "main three\n" || aws.ToString(h.Base.HunkContent) != "three\n" || aws.ToInt32(h.Base.StartLine) != 3 || aws.ToInt32(h.Base.EndLine) != 3 {
		t.Fatalf("hunk %+v %+v %+v", h.Source, h.Destination, h.Base)
	}
	if dc.ConflictMetadata.NumberOfConflicts != 1 {
		t.Fatalf("%+v", dc.ConflictMetadata)
	}
	bd, err := r.c.BatchDescribeMergeConflicts(ctx, &cc.BatchDescribeMergeConflictsInput{RepositoryName: aws.String("cf"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		MergeOption: types.MergeOptionTypeEnumThreeWayMerge, ConflictDetailLevel: line, FilePaths: []string{"a.txt", "keep.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bd.Conflicts) != 1 || len(bd.Errors) != 1 || aws.ToString(bd.Errors[0].FilePath) != "keep.txt" {
		t.Fatalf("%+v", bd)
	}

	// Accept source: conflicting hunks take the source's lines, modify/delete keeps the file.
	u, err := r.c.CreateUnreferencedMergeCommit(ctx, &cc.CreateUnreferencedMergeCommitInput{RepositoryName: aws.String("cf"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		MergeOption: types.MergeOptionTypeEnumThreeWayMerge, ConflictDetailLevel: line, ConflictResolutionStrategy: types.ConflictResolutionStrategyTypeEnumAcceptSource})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.file(aws.ToString(u.CommitId), "a.txt"); !strings.Contains(got, "feature three\n") {
		t.Fatal(got)
	}
	if r.file(aws.ToString(u.CommitId), "gone.txt") != "changed\n" || r.tip("main") == aws.ToString(u.CommitId) {
		t.Fatal("accept source")
	}
	// Accept destination: the deleted file stays deleted.
	u, err = r.c.CreateUnreferencedMergeCommit(ctx, &cc.CreateUnreferencedMergeCommitInput{RepositoryName: aws.String("cf"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		MergeOption: types.MergeOptionTypeEnumSquashMerge, ConflictResolutionStrategy: types.ConflictResolutionStrategyTypeEnumAcceptDestination})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.GetFile(ctx, &cc.GetFileInput{RepositoryName: aws.String("cf"), CommitSpecifier: u.CommitId, FilePath: aws.String("gone.txt")}); err == nil {
		t.Fatal("gone.txt survived ACCEPT_DESTINATION")
	}
	// Explicit resolution of every conflict.
	res := &types.ConflictResolution{
		ReplaceContents: []types.ReplaceContentEntry{
			{FilePath: aws.String("a.txt"), ReplacementType: types.ReplacementTypeEnumUseNewContent, Content: []byte("resolved\n"), FileMode: types.FileModeTypeEnumExecutable},
			{FilePath: aws.String("bin.dat"), ReplacementType: types.ReplacementTypeEnumKeepBase},
		},
		DeleteFiles: []types.DeleteFileEntry{{FilePath: aws.String("gone.txt")}},
	}
	sq, err := r.c.MergeBranchesBySquash(ctx, &cc.MergeBranchesBySquashInput{RepositoryName: aws.String("cf"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
		ConflictDetailLevel: line, ConflictResolution: res, CommitMessage: aws.String("squash")})
	if err != nil {
		t.Fatal(err)
	}
	if r.file("main", "a.txt") != "resolved\n" || r.file("main", "bin.dat") != "\x00bin" || r.tip("main") != aws.ToString(sq.CommitId) {
		t.Fatal("resolution not applied")
	}
	gf, _ := r.c.GetFile(ctx, &cc.GetFileInput{RepositoryName: aws.String("cf"), FilePath: aws.String("a.txt")})
	if gf.FileMode != types.FileModeTypeEnumExecutable {
		t.Fatal(gf.FileMode)
	}
	gc, _ := r.c.GetCommit(ctx, &cc.GetCommitInput{RepositoryName: aws.String("cf"), CommitId: sq.CommitId})
	if len(gc.Commit.Parents) != 1 {
		t.Fatal("squash has", gc.Commit.Parents)
	}
}

func TestMergeValidation(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "v")
	base := r.commit("main", map[string]string{"a.txt": "a\n"})
	r.branch("feature", base)
	r.commit("feature", map[string]string{"b.txt": "b\n"})
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"bad level", func() error {
			_, err := r.c.MergeBranchesBySquash(ctx, &cc.MergeBranchesBySquashInput{RepositoryName: aws.String("v"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"), ConflictDetailLevel: "WORD"})
			return err
		}, "InvalidConflictDetailLevelException"},
		{"bad strategy", func() error {
			_, err := r.c.MergeBranchesBySquash(ctx, &cc.MergeBranchesBySquashInput{RepositoryName: aws.String("v"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"), ConflictResolutionStrategy: "MAGIC"})
			return err
		}, "InvalidConflictResolutionStrategyException"},
		{"no option", func() error {
			// The SDK checks this client-side; the Go API answers AWS's exception.
			_, err := r.svc.GetMergeConflicts(ctx, &codecommit.GetMergeConflictsInput{RepositoryName: "v", SourceCommitSpecifier: "feature", DestinationCommitSpecifier: "main"})
			return err
		}, "MergeOptionRequiredException"},
		{"no source", func() error {
			_, err := r.c.GetMergeOptions(ctx, &cc.GetMergeOptionsInput{RepositoryName: aws.String("v"), SourceCommitSpecifier: aws.String("nope"), DestinationCommitSpecifier: aws.String("main")})
			return err
		}, "CommitDoesNotExistException"},
		{"missing target", func() error {
			_, err := r.c.MergeBranchesByFastForward(ctx, &cc.MergeBranchesByFastForwardInput{RepositoryName: aws.String("v"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"), TargetBranch: aws.String("zzz")})
			return err
		}, "BranchDoesNotExistException"},
		{"duplicate resolution", func() error {
			_, err := r.c.MergeBranchesBySquash(ctx, &cc.MergeBranchesBySquashInput{RepositoryName: aws.String("v"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
				ConflictResolution: &types.ConflictResolution{DeleteFiles: []types.DeleteFileEntry{{FilePath: aws.String("a.txt")}, {FilePath: aws.String("a.txt")}}}})
			return err
		}, "MultipleConflictResolutionEntriesException"},
		{"new content missing", func() error {
			_, err := r.c.MergeBranchesBySquash(ctx, &cc.MergeBranchesBySquashInput{RepositoryName: aws.String("v"), SourceCommitSpecifier: aws.String("feature"), DestinationCommitSpecifier: aws.String("main"),
				ConflictResolution: &types.ConflictResolution{ReplaceContents: []types.ReplaceContentEntry{{FilePath: aws.String("a.txt"), ReplacementType: types.ReplacementTypeEnumUseNewContent}}}})
			return err
		}, "ReplacementContentRequiredException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("no error")
			}
			if code := errorCode(err); code != tc.want {
				t.Fatalf("got %s (%v), want %s", code, err, tc.want)
			}
		})
	}
}

func errorCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestListFileCommitHistory(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "h")
	c1 := r.commit("main", map[string]string{"f.txt": "1\n", "other": "o\n"})
	r.commit("main", map[string]string{"other": "o2\n"}) // does not touch f.txt
	c3 := r.commit("main", map[string]string{"f.txt": "1\n2\n"})
	r.branch("side", c3)
	c4 := r.commit("side", map[string]string{"f.txt": "0\n1\n2\n"})
	c5 := r.commit("main", map[string]string{"f.txt": "1\n2\n3\n"})
	m, err := r.c.MergeBranchesByThreeWay(ctx, &cc.MergeBranchesByThreeWayInput{RepositoryName: aws.String("h"), SourceCommitSpecifier: aws.String("side"), DestinationCommitSpecifier: aws.String("main"), ConflictDetailLevel: types.ConflictDetailLevelTypeEnumLineLevel})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.c.ListFileCommitHistory(ctx, &cc.ListFileCommitHistoryInput{RepositoryName: aws.String("h"), FilePath: aws.String("f.txt")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, v := range out.RevisionDag {
		got[aws.ToString(v.Commit.CommitId)] = v.RevisionChildren
		if aws.ToString(v.Path) != "f.txt" || aws.ToString(v.BlobId) == "" {
			t.Fatalf("%+v", v)
		}
	}
	merge := aws.ToString(m.CommitId)
	want := map[string][]string{merge: nil, c5: {merge}, c4: {merge}, c3: nil, c1: {c3}}
	if len(got) != len(want) {
		t.Fatalf("history has %d versions, want %d: %v", len(got), len(want), got)
	}
	for id, kids := range want {
		g, ok := got[id]
		if !ok {
			t.Fatalf("missing version %s", id)
		}
		if id == c3 {
			if len(g) != 2 {
				t.Fatalf("children of c3 = %v", g)
			}
			continue
		}
		if strings.Join(g, ",") != strings.Join(kids, ",") {
			t.Fatalf("children of %s = %v, want %v", id, g, kids)
		}
	}
	page, err := r.c.ListFileCommitHistory(ctx, &cc.ListFileCommitHistoryInput{RepositoryName: aws.String("h"), FilePath: aws.String("f.txt"), CommitSpecifier: aws.String(c3), MaxResults: aws.Int32(1)})
	if err != nil || len(page.RevisionDag) != 1 || page.NextToken == nil || aws.ToString(page.RevisionDag[0].Commit.CommitId) != c3 {
		t.Fatalf("%+v %v", page, err)
	}
	if _, err := r.c.ListFileCommitHistory(ctx, &cc.ListFileCommitHistoryInput{RepositoryName: aws.String("h"), FilePath: aws.String("nope")}); errorCode(err) != "FileDoesNotExistException" {
		t.Fatalf("missing file: %v", err)
	}
}

func TestGetBlobDifferences(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "bd")
	var before, after strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&before, "line %d\n", i)
		switch i {
		case 5:
			fmt.Fprintf(&after, "LINE %d\n", i)
		case 25:
			fmt.Fprintf(&after, "line  %d\n", i) // whitespace only
		default:
			fmt.Fprintf(&after, "line %d\n", i)
		}
	}
	after.WriteString("new last\n")
	b := r.commit("main", map[string]string{"f": before.String()})
	a := r.commit("main", map[string]string{"f": after.String()})
	d, err := r.c.GetDifferences(ctx, &cc.GetDifferencesInput{RepositoryName: aws.String("bd"), BeforeCommitSpecifier: aws.String(b), AfterCommitSpecifier: aws.String(a)})
	if err != nil {
		t.Fatal(err)
	}
	in := &cc.GetBlobDifferencesInput{RepositoryName: aws.String("bd"), BeforeBlobId: d.Differences[0].BeforeBlob.BlobId, AfterBlobId: d.Differences[0].AfterBlob.BlobId}
	out, err := r.c.GetBlobDifferences(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Hunks) != 2 || aws.ToBool(out.IsBinary) {
		t.Fatalf("%d hunks", len(out.Hunks))
	}
	h := out.Hunks[0]
	if aws.ToInt32(h.BeforeStartLine) != 2 || aws.ToInt32(h.BeforeLineCount) != 7 || aws.ToInt32(h.AfterLineCount) != 7 || len(h.Changes) != 8 {
		t.Fatalf("%+v", h)
	}
	if h.Changes[3].Type != types.DiffChangeTypeDelete || aws.ToString(h.Changes[3].Content) != "line 5" || h.Changes[4].Type != types.DiffChangeTypeAdd || aws.ToInt32(h.Changes[4].AfterLineNumber) != 5 {
		t.Fatalf("%+v %+v", h.Changes[3], h.Changes[4])
	}
	in.IgnoreWhitespace = aws.Bool(true)
	in.ContextLines = aws.Int32(0)
	out, err = r.c.GetBlobDifferences(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Hunks) != 2 || len(out.Hunks[1].Changes) != 1 || out.Hunks[1].Changes[0].Type != types.DiffChangeTypeAdd {
		t.Fatalf("ignoring whitespace: %+v", out.Hunks)
	}
	// No before blob: everything is added.
	out, err = r.c.GetBlobDifferences(ctx, &cc.GetBlobDifferencesInput{RepositoryName: aws.String("bd"), AfterBlobId: d.Differences[0].AfterBlob.BlobId})
	if err != nil || len(out.Hunks) != 1 || aws.ToInt32(out.Hunks[0].AfterLineCount) != 31 {
		t.Fatalf("%+v %v", out, err)
	}
	if _, err := r.c.GetBlobDifferences(ctx, &cc.GetBlobDifferencesInput{RepositoryName: aws.String("bd"), AfterBlobId: aws.String(strings.Repeat("a", 40))}); errorCode(err) != "BlobIdDoesNotExistException" {
		t.Fatalf("missing blob: %v", err)
	}
}
