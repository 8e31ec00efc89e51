package codecommit_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/codecommit"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

// TestConcurrentPushers races two real git clients pushing different commits onto the same
// branch from the same base: exactly one wins; the other is refused cleanly and can retry.
func TestConcurrentPushers(t *testing.T) {
	g := needGit(t)
	f := newFixture(t, codecommit.Options{})
	md := f.createRepo("race")
	tmp := t.TempDir()
	seed := filepath.Join(tmp, "seed")
	g.run(tmp, "clone", md.CloneURLHTTP, seed)
	writeFile(t, seed, "f", "base\n")
	g.run(seed, "add", ".")
	g.run(seed, "commit", "-m", "base")
	g.run(seed, "push", "origin", "main")

	const n = 2
	dirs := make([]string, n)
	for i := range n {
		dirs[i] = filepath.Join(tmp, fmt.Sprint("c", i))
		g.run(tmp, "clone", md.CloneURLHTTP, dirs[i])
		writeFile(t, dirs[i], fmt.Sprint("file", i), fmt.Sprint("client ", i, "\n"))
		g.run(dirs[i], "add", ".")
		g.run(dirs[i], "commit", "-m", fmt.Sprint("client ", i))
	}
	// Both clients advertise the same base; the server's compare-and-set decides.
	var wg sync.WaitGroup
	outs := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = g.try(dirs[i], "push", "origin", "main")
		}()
	}
	wg.Wait()
	wins := 0
	for i := range n {
		if errs[i] == nil {
			wins++
			continue
		}
		if !strings.Contains(outs[i], "rejected") {
			t.Fatalf("loser's output does not say rejected:\n%s", outs[i])
		}
	}
	if wins != 1 {
		t.Fatalf("%d pushes won:\n%s\n%s", wins, outs[0], outs[1])
	}
	// The loser rebases and pushes.
	for i := range n {
		if errs[i] != nil {
			g.run(dirs[i], "pull", "--rebase", "origin", "main")
			g.run(dirs[i], "push", "origin", "main")
		}
	}
	out := g.run(seed, "pull", "origin", "main")
	_ = out
	g.run(seed, "fsck", "--strict")
}

// TestConcurrentAPI drives one repository from many goroutines: commits racing on one branch
// (exactly the ones with the current parent win), reads, branch creation.
func TestConcurrentAPI(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, codecommit.Options{})
	svc := f.svc
	f.createRepo("c")
	first, err := svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "c", BranchName: "main", FilePath: "seed", FileContent: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := 0
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				b, err := svc.GetBranch(ctx, &codecommit.GetBranchInput{RepositoryName: "c", BranchName: "main"})
				if err != nil {
					t.Error(err)
					return
				}
				_, err = svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "c", BranchName: "main", ParentCommitID: b.Branch.CommitID,
					FilePath: fmt.Sprintf("w%d/f%d", w, i), FileContent: []byte("x")})
				switch {
				case err == nil:
					mu.Lock()
					committed++
					mu.Unlock()
				case errors.Is(err, codecommit.ErrParentCommitIDOutdated):
				default:
					t.Error(err)
				}
				if _, err := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "c", FilePath: "seed"}); err != nil {
					t.Error(err)
				}
				_, _ = svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "c", BranchName: fmt.Sprint("b", i), CommitID: first.CommitID})
				if _, _, err := svc.Archive(ctx, "c", "main"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	d, err := svc.GetDifferences(ctx, &codecommit.GetDifferencesInput{RepositoryName: "c", BeforeCommitSpecifier: first.CommitID, AfterCommitSpecifier: "main", MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Differences) != committed || committed == 0 {
		t.Fatalf("%d commits won but %d files differ", committed, len(d.Differences))
	}
}

// TestConcurrentPullRequestsAndMerges drives pull requests, approvals, comments and merges of
// one repository from many goroutines: every merge either lands or fails with an AWS error,
// and the destination ends up containing every merged change.
func TestConcurrentPullRequestsAndMerges(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, codecommit.Options{})
	f.createRepo("cm")
	seed, err := f.svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "cm", BranchName: "main", FilePath: "shared.txt", FileContent: []byte("a\nb\nc\nd\ne\nf\ng\nh\n")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	for i := range n {
		br := fmt.Sprint("f", i)
		if _, err := f.svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "cm", BranchName: br, CommitID: seed.CommitID}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "cm", BranchName: br, ParentCommitID: seed.CommitID, FilePath: fmt.Sprintf("own/%d.txt", i), FileContent: []byte(br)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := fmt.Sprint("f", i)
			pr, err := f.svc.CreatePullRequest(ctx, &codecommit.CreatePullRequestInput{Title: br, Targets: []codecommit.Target{{RepositoryName: "cm", SourceReference: br}}})
			if err != nil {
				errs <- err
				return
			}
			id := pr.PullRequest.PullRequestID
			if _, err := f.svc.PostCommentForPullRequest(ctx, &codecommit.PostCommentForPullRequestInput{PullRequestID: id, RepositoryName: "cm", BeforeCommitID: seed.CommitID, AfterCommitID: pr.PullRequest.PullRequestTargets[0].SourceCommit, Content: "lgtm"}); err != nil {
				errs <- err
				return
			}
			if _, err := f.svc.GetMergeConflicts(ctx, &codecommit.GetMergeConflictsInput{RepositoryName: "cm", SourceCommitSpecifier: br, DestinationCommitSpecifier: "main", MergeOption: "THREE_WAY_MERGE", ConflictDetailLevel: "LINE_LEVEL"}); err != nil {
				errs <- err
				return
			}
			// Concurrent merges into main: retry when main moved under us.
			for try := 0; ; try++ {
				_, err := f.svc.MergePullRequestByThreeWay(ctx, &codecommit.MergePullRequestByThreeWayInput{PullRequestID: id, RepositoryName: "cm", ConflictDetailLevel: "LINE_LEVEL"})
				if err == nil {
					break
				}
				if try > 20 || !errors.Is(err, codecommit.ErrConcurrentReferenceUpdate) {
					errs <- fmt.Errorf("merge %s: %w", br, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range n {
		if _, err := f.svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "cm", FilePath: fmt.Sprintf("own/%d.txt", i)}); err != nil {
			t.Errorf("change of f%d not on main: %v", i, err)
		}
	}
	lp, err := f.svc.ListPullRequests(ctx, &codecommit.ListPullRequestsInput{RepositoryName: "cm", PullRequestStatus: "CLOSED"})
	if err != nil || len(lp.PullRequestIDs) != n {
		t.Fatalf("%+v %v", lp, err)
	}
}
