package codecommit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codecommit"
)

// FuzzGitReceivePack posts arbitrary bodies (commands and pack data) to git-receive-pack:
// the server must answer, never panic, and never leave a ref pointing at a missing object.
func FuzzGitReceivePack(f *testing.F) {
	f.Add([]byte("00770000000000000000000000000000000000000000 83402f2cb52193caa59fa9573ede124ad381e00e refs/heads/main\x00report-status ofs-delta\n0000PACK\x00\x00\x00\x02\x00\x00\x00\x01"))
	f.Add([]byte("00770000000000000000000000000000000000000000 4b825dc642cb6eb9a060e54bf8d69288fbee4904 refs/heads/main\x00report-status ofs-delta\n0000PACK\x00\x00\x00\x02\x00\x00\x00\x00\x02\x9d\x08\x82\x3b\xd8\xa8\xea\xb5\x10\xad\x6a\xc7\x5c\x82\x3c\xfd\x3e\xd3\x1e"))
	f.Add([]byte("0000"))
	env := newEnv(f, clock.Real())
	svc, err := codecommit.New(env, codecommit.Options{})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateRepository(context.Background(), &codecommit.CreateRepositoryInput{RepositoryName: "fz"}); err != nil {
		f.Fatal(err)
	}
	h := svc.GitHandler()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range []string{"/v1/repos/fz/git-receive-pack", "/v1/repos/fz/git-upload-pack"} {
			r := httptest.NewRequest(http.MethodPost, p, bytes.NewReader(body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s: status %d: %s", p, w.Code, w.Body)
			}
		}
	})
}

// FuzzCreateCommit commits arbitrary paths, modes and contents: AWS errors or a commit whose
// files read back, never a panic.
func FuzzCreateCommit(f *testing.F) {
	f.Add("a/b.txt", "NORMAL", []byte("x"), "a", false)
	f.Add("../x", "EXECUTABLE", []byte(""), "", true)
	f.Add("a//b", "SYMLINK", []byte("target"), "a/b", false)
	f.Add(".git/config", "", []byte("x"), "x", true)
	env := newEnv(f, clock.Real())
	svc, err := codecommit.New(env, codecommit.Options{})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "fz"}); err != nil {
		f.Fatal(err)
	}
	seed, err := svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "fz", BranchName: "main", FilePath: "a/seed", FileContent: []byte("s")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, mode string, content []byte, del string, move bool) {
		b, err := svc.GetBranch(ctx, &codecommit.GetBranchInput{RepositoryName: "fz", BranchName: "main"})
		if err != nil {
			t.Fatal(err)
		}
		in := &codecommit.CreateCommitInput{RepositoryName: "fz", BranchName: "main", ParentCommitID: b.Branch.CommitID,
			PutFiles: []codecommit.PutFileEntry{{FilePath: path, FileMode: mode, FileContent: content}}}
		if move {
			in.PutFiles[0].FileContent = nil
			in.PutFiles[0].SourceFile = &codecommit.SourceFileSpecifier{FilePath: del}
		} else if del != "" {
			in.DeleteFiles = []codecommit.DeleteFileEntry{{FilePath: del}}
		}
		out, err := svc.CreateCommit(ctx, in)
		if err != nil {
			return
		}
		for _, fa := range append(out.FilesAdded, out.FilesUpdated...) {
			if _, err := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "fz", CommitSpecifier: out.CommitID, FilePath: fa.AbsolutePath}); err != nil {
				t.Fatalf("committed %s but cannot read it: %v", fa.AbsolutePath, err)
			}
		}
		_ = seed
	})
}

// FuzzMergeBranches merges arbitrary contents of one file changed on two branches: the merge
// succeeds with a file whose content is a side's when the other side left it alone, or
// fails with AWS's ManualMergeRequiredException; never a panic or an internal error.
func FuzzMergeBranches(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("A\nb\nc\n"), []byte("a\nb\nC\n"), true, uint8(0))
	f.Add([]byte("x"), []byte("y"), []byte("z"), false, uint8(1))
	f.Add([]byte("1\n2\n"), []byte("1\n2\n"), []byte("\x00bin"), true, uint8(2))
	f.Add([]byte(""), []byte("new\n"), []byte("other\n"), true, uint8(3))
	env := newEnv(f, clock.Real())
	svc, err := codecommit.New(env, codecommit.Options{})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "fz"}); err != nil {
		f.Fatal(err)
	}
	root, err := svc.PutFile(ctx, &codecommit.PutFileInput{RepositoryName: "fz", BranchName: "main", FilePath: "root", FileContent: []byte("r")})
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	strategies := []string{"NONE", "ACCEPT_SOURCE", "ACCEPT_DESTINATION", "AUTOMERGE"}
	f.Fuzz(func(t *testing.T, base, dest, src []byte, line bool, strategy uint8) {
		n++
		commit := func(branch, parent string, content []byte) string {
			if _, err := svc.CreateBranch(ctx, &codecommit.CreateBranchInput{RepositoryName: "fz", BranchName: branch, CommitID: parent}); err != nil {
				t.Fatal(err)
			}
			in := &codecommit.CreateCommitInput{RepositoryName: "fz", BranchName: branch, ParentCommitID: parent}
			if len(content) == 0 {
				in.DeleteFiles = []codecommit.DeleteFileEntry{{FilePath: "f"}}
			} else {
				in.PutFiles = []codecommit.PutFileEntry{{FilePath: "f", FileContent: content}}
			}
			out, err := svc.CreateCommit(ctx, in)
			if err != nil {
				return parent // no change (same content, or nothing to delete)
			}
			return out.CommitID
		}
		b := commit(fmt.Sprint("b", n), root.CommitID, base)
		d := commit(fmt.Sprint("d", n), b, dest)
		s := commit(fmt.Sprint("s", n), b, src)
		level := "FILE_LEVEL"
		if line {
			level = "LINE_LEVEL"
		}
		out, err := svc.CreateUnreferencedMergeCommit(ctx, &codecommit.CreateUnreferencedMergeCommitInput{RepositoryName: "fz",
			SourceCommitSpecifier: s, DestinationCommitSpecifier: d, MergeOption: "THREE_WAY_MERGE", ConflictDetailLevel: level,
			ConflictResolutionStrategy: strategies[int(strategy)%len(strategies)]})
		if err != nil {
			if !errors.Is(err, codecommit.ErrManualMergeRequired) {
				t.Fatalf("merge: %v", err)
			}
			return
		}
		got, err := svc.GetFile(ctx, &codecommit.GetFileInput{RepositoryName: "fz", CommitSpecifier: out.CommitID, FilePath: "f"})
		var content []byte
		if err == nil {
			content = got.FileContent
		} else if !errors.Is(err, codecommit.ErrFileDoesNotExist) {
			t.Fatal(err)
		}
		if s == b && !bytes.Equal(content, dest) || d == b && !bytes.Equal(content, src) {
			t.Fatalf("one-sided merge gave %q (base %q dest %q src %q)", content, base, dest, src)
		}
	})
}
