// Package devopsimtest gives Go tests a private devopsim platform and an aws.Config whose
// clients talk to it in memory, no socket:
//
//	p, cfg := devopsimtest.New(t)
//	client := codecommit.NewFromConfig(cfg) // the real aws-sdk-go-v2 client
//
// The platform is closed by t.Cleanup.
package devopsimtest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/internal/awstest"
)

// New returns a fresh platform (built with opts, if given) and an aws.Config for it: static
// credentials whose access key id is the platform's account (so calls act as its root), the
// platform's region, and retries off so failures surface at once.
func New(t testing.TB, opts ...devopsim.Options) (*devopsim.Platform, aws.Config) {
	t.Helper()
	var o devopsim.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	p, err := devopsim.New(o)
	if err != nil {
		t.Fatalf("devopsimtest: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(context.Background()); err != nil {
			t.Errorf("devopsimtest: close: %v", err)
		}
	})
	return p, Config(p)
}

// Config returns an aws.Config whose clients call p in memory: static credentials whose access
// key id is p's account (so calls act as its root), p's region, retries off.
func Config(p *devopsim.Platform) aws.Config {
	cfg := awstest.ConfigFor(p.Handler())
	cfg.Region = p.Region()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(p.Account(), "devopsim", "")
	return cfg
}

// ForAccount returns a copy of cfg acting as the root of account.
func ForAccount(cfg aws.Config, account string) aws.Config {
	c := cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(account, "devopsim", "")
	return c
}
