package devopsimtest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/devopsim/devopsim/devopsimtest"
)

func TestNew(t *testing.T) {
	_, cfg := devopsimtest.New(t)
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "000000000000" {
		t.Fatalf("account %s", aws.ToString(out.Account))
	}
	other := devopsimtest.ForAccount(cfg, "111122223333")
	out, err = sts.NewFromConfig(other).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != "arn:aws:iam::111122223333:root" {
		t.Fatalf("arn %s", aws.ToString(out.Arn))
	}
}

func ExampleNew() {
	t := &testing.T{} // in a real test, the *testing.T you are given
	_, cfg := devopsimtest.New(t)
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		panic(err)
	}
	fmt.Println(aws.ToString(out.Arn))
	// Output: arn:aws:iam::000000000000:root
}
