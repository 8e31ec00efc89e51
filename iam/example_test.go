package iam_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/iam"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

// Example creates HTTPS git credentials for CodeCommit and checks them as the git endpoint
// does.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: "123456789012", Region: "us-east-1"}
	svc, _ := iam.New(env, iam.Options{})
	_, _ = svc.CreateUser(ctx, &iam.CreateUserInput{UserName: "Mary_Major"})
	out, err := svc.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: "Mary_Major", ServiceName: "codecommit.amazonaws.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := out.ServiceSpecificCredential
	fmt.Println(c.ServiceUserName, len(c.ServicePassword))
	acct, _, err := svc.Check(ctx, c.ServiceUserName, c.ServicePassword)
	fmt.Println(acct, err)
	_, _, err = svc.Check(ctx, c.ServiceUserName, "guess")
	fmt.Println(err != nil)
	// Output:
	// Mary_Major-at-123456789012 44
	// 123456789012 <nil>
	// true
}

func FuzzCheck(f *testing.F) {
	f.Add("dev-at-000000000000", "pw")
	f.Add("-at-", "")
	f.Add("a-at-00000000000x", "p")
	f.Fuzz(func(t *testing.T, user, pw string) {
		svc, _ := newIAMNoSDK(t)
		if acct, _, err := svc.Check(context.Background(), user, pw); err == nil {
			t.Fatalf("%q/%q accepted for %s with no credentials", user, pw, acct)
		}
	})
}

func newIAMNoSDK(t testing.TB) (*iam.Service, error) {
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: "000000000000", Region: "us-east-1"}
	return iam.New(env, iam.Options{})
}
