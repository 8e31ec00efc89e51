package iam_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/iam"
	"github.com/devopsim/devopsim/internal/awsapi/iamapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

func code(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func newIAM(t *testing.T) (*iam.Service, *sdkiam.Client) {
	env := awstest.Env(t)
	svc, err := iam.New(env, iam.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return svc, sdkiam.NewFromConfig(awstest.Config(t, iamapi.Service(svc)))
}

func TestServiceSpecificCredentialsSDK(t *testing.T) {
	ctx := context.Background()
	svc, c := newIAM(t)
	cu, err := c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String("Mary")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cu.User.Arn) != "arn:aws:iam::000000000000:user/Mary" {
		t.Fatal(aws.ToString(cu.User.Arn))
	}
	if _, err := c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String("mary")}); code(err) != "EntityAlreadyExists" {
		t.Fatalf("duplicate user: %v", err)
	}
	if _, err := c.CreateServiceSpecificCredential(ctx, &sdkiam.CreateServiceSpecificCredentialInput{UserName: aws.String("nobody"), ServiceName: aws.String("codecommit.amazonaws.com")}); code(err) != "NoSuchEntity" {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := c.CreateServiceSpecificCredential(ctx, &sdkiam.CreateServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceName: aws.String("s3.amazonaws.com")}); code(err) != "NotSupportedService" {
		t.Fatalf("unsupported service: %v", err)
	}
	cr, err := c.CreateServiceSpecificCredential(ctx, &sdkiam.CreateServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	cred := cr.ServiceSpecificCredential
	if aws.ToString(cred.ServiceUserName) != "Mary-at-000000000000" || len(aws.ToString(cred.ServicePassword)) != 44 || cred.Status != types.StatusTypeActive || cred.CreateDate == nil {
		t.Fatalf("%+v", cred)
	}
	user, pw := aws.ToString(cred.ServiceUserName), aws.ToString(cred.ServicePassword)
	if acct, _, err := svc.Check(ctx, user, pw); err != nil || acct != "000000000000" {
		t.Fatalf("check: %s %v", acct, err)
	}
	if _, _, err := svc.Check(ctx, user, pw+"x"); !errors.Is(err, iam.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	cr2, err := c.CreateServiceSpecificCredential(ctx, &sdkiam.CreateServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil || aws.ToString(cr2.ServiceSpecificCredential.ServiceUserName) == user {
		t.Fatalf("%+v %v", cr2, err)
	}
	if _, err := c.CreateServiceSpecificCredential(ctx, &sdkiam.CreateServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceName: aws.String("codecommit.amazonaws.com")}); code(err) != "LimitExceeded" {
		t.Fatalf("third credential: %v", err)
	}
	ls, err := c.ListServiceSpecificCredentials(ctx, &sdkiam.ListServiceSpecificCredentialsInput{UserName: aws.String("Mary"), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil || len(ls.ServiceSpecificCredentials) != 2 || aws.ToString(ls.ServiceSpecificCredentials[0].ServiceUserName) != user {
		t.Fatalf("%+v %v", ls, err)
	}
	id := cred.ServiceSpecificCredentialId
	if _, err := c.UpdateServiceSpecificCredential(ctx, &sdkiam.UpdateServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceSpecificCredentialId: id, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Check(ctx, user, pw); !errors.Is(err, iam.ErrBadCredentials) {
		t.Fatalf("inactive credential: %v", err)
	}
	if _, err := c.UpdateServiceSpecificCredential(ctx, &sdkiam.UpdateServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceSpecificCredentialId: id, Status: types.StatusTypeActive}); err != nil {
		t.Fatal(err)
	}
	rs, err := c.ResetServiceSpecificCredential(ctx, &sdkiam.ResetServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceSpecificCredentialId: id})
	if err != nil {
		t.Fatal(err)
	}
	pw2 := aws.ToString(rs.ServiceSpecificCredential.ServicePassword)
	if _, _, err := svc.Check(ctx, user, pw); err == nil {
		t.Fatal("old password works after reset")
	}
	if _, _, err := svc.Check(ctx, user, pw2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &sdkiam.DeleteUserInput{UserName: aws.String("Mary")}); code(err) != "DeleteConflict" {
		t.Fatalf("delete user with credentials: %v", err)
	}
	for _, cid := range []*string{id, cr2.ServiceSpecificCredential.ServiceSpecificCredentialId} {
		if _, err := c.DeleteServiceSpecificCredential(ctx, &sdkiam.DeleteServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceSpecificCredentialId: cid}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteServiceSpecificCredential(ctx, &sdkiam.DeleteServiceSpecificCredentialInput{UserName: aws.String("Mary"), ServiceSpecificCredentialId: id}); code(err) != "NoSuchEntity" {
		t.Fatalf("delete twice: %v", err)
	}
	gu, err := c.GetUser(ctx, &sdkiam.GetUserInput{UserName: aws.String("Mary")})
	if err != nil || aws.ToString(gu.User.UserName) != "Mary" {
		t.Fatalf("%+v %v", gu, err)
	}
	lu, err := c.ListUsers(ctx, &sdkiam.ListUsersInput{})
	if err != nil || len(lu.Users) != 1 {
		t.Fatalf("%+v %v", lu, err)
	}
	if _, err := c.DeleteUser(ctx, &sdkiam.DeleteUserInput{UserName: aws.String("Mary")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Check(ctx, user, pw2); err == nil {
		t.Fatal("deleted credential works")
	}
}

func TestConcurrentCredentials(t *testing.T) {
	ctx := context.Background()
	svc, _ := newIAM(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("u", i)
			if _, err := svc.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
				t.Error(err)
				return
			}
			out, err := svc.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: name, ServiceName: "codecommit.amazonaws.com"})
			if err != nil {
				t.Error(err)
				return
			}
			if _, _, err := svc.Check(ctx, out.ServiceSpecificCredential.ServiceUserName, out.ServiceSpecificCredential.ServicePassword); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// TestGitPushWithCredentials wires codecommit's GitAuth to Check and pushes with the real git
// client: the right password pushes, a wrong one is refused.
func TestGitPushWithCredentials(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ctx := context.Background()
	env := awstest.Env(t)
	ids, err := iam.New(env, iam.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	t.Cleanup(srv.Close)
	cc, err := codecommit.New(env, codecommit.Options{GitAuth: ids.Check, Endpoint: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/v1/repos/", cc.GitHandler())
	srv.Start()
	md, err := cc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: "secure"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.CreateUser(ctx, &iam.CreateUserInput{UserName: "dev"}); err != nil {
		t.Fatal(err)
	}
	cred, err := ids.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: "dev", ServiceName: "codecommit.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(md.RepositoryMetadata.CloneURLHTTP)
	good := *u
	good.User = url.UserPassword(cred.ServiceSpecificCredential.ServiceUserName, cred.ServiceSpecificCredential.ServicePassword)
	bad := *u
	bad.User = url.UserPassword(cred.ServiceSpecificCredential.ServiceUserName, "wrong")

	home := t.TempDir()
	gitEnv := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	git := func(dir string, args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main", "-c", "credential.helper="}, args...)...)
		cmd.Dir, cmd.Env = dir, gitEnv
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	work := filepath.Join(t.TempDir(), "w")
	if out, err := git(filepath.Dir(work), "init", "-q", work); err != nil {
		t.Fatal(out)
	}
	if err := os.WriteFile(filepath.Join(work, "f"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", "."}, {"commit", "-qm", "one"}} {
		if out, err := git(work, args...); err != nil {
			t.Fatal(out)
		}
	}
	if out, err := git(work, "push", bad.String(), "HEAD:refs/heads/main"); err == nil || !strings.Contains(out, "401") && !strings.Contains(strings.ToLower(out), "authentication") {
		t.Fatalf("push with a wrong password: %v\n%s", err, out)
	}
	if out, err := git(work, "push", "-q", good.String(), "HEAD:refs/heads/main"); err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	if out, err := git(work, "ls-remote", u.String()); err == nil {
		t.Fatalf("anonymous ls-remote succeeded:\n%s", out)
	}
	b, err := cc.GetBranch(ctx, &codecommit.GetBranchInput{RepositoryName: "secure", BranchName: "main"})
	if err != nil || b.Branch.CommitID == "" {
		t.Fatalf("%+v %v", b, err)
	}
}
