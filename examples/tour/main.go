// Command tour walks through devopsim's DevOps flow in one process: it starts a platform and
// drives it through the real AWS SDK for Go, printing what happens at each step.
//
//	go run ./examples/tour
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/devopsimtest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	p, err := devopsim.New(devopsim.Options{})
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	cfg := devopsimtest.Config(p)
	step := func(format string, args ...any) { fmt.Fprintf(w, "==> "+format+"\n", args...) }

	step("platform up: account %s, region %s", p.Account(), p.Region())
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	step("sts GetCallerIdentity through the AWS SDK: %s", aws.ToString(id.Arn))
	return nil
}
