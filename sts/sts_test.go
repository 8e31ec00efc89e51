package sts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/devopsim/devopsim/internal/awsapi/stsapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/sts"
)

func TestGetCallerIdentity(t *testing.T) {
	env := awstest.Env(t)
	cfg := awstest.Config(t, stsapi.Service(sts.New(env)))
	tests := []struct {
		key, account string
	}{
		{"test", "000000000000"},
		{"AKIAIOSFODNN7EXAMPLE", "000000000000"},
		{"111122223333", "111122223333"},
	}
	for _, tt := range tests {
		c := cfg.Copy()
		c.Credentials = credentials.NewStaticCredentialsProvider(tt.key, "secret", "")
		out, err := awssts.NewFromConfig(c).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", tt.key, err)
		}
		if got := aws.ToString(out.Account); got != tt.account {
			t.Errorf("%s: account = %s, want %s", tt.key, got, tt.account)
		}
		if got, want := aws.ToString(out.Arn), "arn:aws:iam::"+tt.account+":root"; got != want {
			t.Errorf("%s: arn = %s, want %s", tt.key, got, want)
		}
	}
}
