package iam_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/devopsim/devopsim/iam"
)

func TestAccessKeysSDK(t *testing.T) {
	ctx := context.Background()
	_, c := newIAM(t)
	if _, err := c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String("ci")}); err != nil {
		t.Fatal(err)
	}
	k1, err := c.CreateAccessKey(ctx, &sdkiam.CreateAccessKeyInput{UserName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	id, secret := aws.ToString(k1.AccessKey.AccessKeyId), aws.ToString(k1.AccessKey.SecretAccessKey)
	if len(id) != 20 || id[:4] != "AKIA" || len(secret) != 40 || k1.AccessKey.Status != types.StatusTypeActive {
		t.Fatalf("key %q secret %q status %s", id, secret, k1.AccessKey.Status)
	}
	if _, err := c.CreateAccessKey(ctx, &sdkiam.CreateAccessKeyInput{UserName: aws.String("ci")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAccessKey(ctx, &sdkiam.CreateAccessKeyInput{UserName: aws.String("ci")}); code(err) != "LimitExceeded" {
		t.Fatalf("third key: %v", err)
	}
	if _, err := c.CreateAccessKey(ctx, &sdkiam.CreateAccessKeyInput{UserName: aws.String("nobody")}); code(err) != "NoSuchEntity" {
		t.Fatalf("unknown user: %v", err)
	}
	l, err := c.ListAccessKeys(ctx, &sdkiam.ListAccessKeysInput{UserName: aws.String("ci")})
	if err != nil || len(l.AccessKeyMetadata) != 2 || aws.ToString(l.AccessKeyMetadata[0].AccessKeyId) != id {
		t.Fatalf("list %+v %v", l, err)
	}
	for _, tc := range []struct {
		name, status, id, code string
	}{
		{"inactive", "Inactive", id, ""},
		{"bad status", "Paused", id, "ValidationError"},
		{"unknown key", "Active", "AKIAAAAAAAAAAAAAAAAA", "NoSuchEntity"},
	} {
		_, err := c.UpdateAccessKey(ctx, &sdkiam.UpdateAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: aws.String(tc.id), Status: types.StatusType(tc.status)})
		if code(err) != tc.code {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	l, _ = c.ListAccessKeys(ctx, &sdkiam.ListAccessKeysInput{UserName: aws.String("ci")})
	if l.AccessKeyMetadata[0].Status != types.StatusTypeInactive {
		t.Fatalf("status after update: %s", l.AccessKeyMetadata[0].Status)
	}
	if _, err := c.DeleteUser(ctx, &sdkiam.DeleteUserInput{UserName: aws.String("ci")}); code(err) != "DeleteConflict" {
		t.Fatalf("delete user with keys: %v", err)
	}
	for _, k := range l.AccessKeyMetadata {
		if _, err := c.DeleteAccessKey(ctx, &sdkiam.DeleteAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: k.AccessKeyId}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteAccessKey(ctx, &sdkiam.DeleteAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: aws.String(id)}); code(err) != "NoSuchEntity" {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := c.DeleteUser(ctx, &sdkiam.DeleteUserInput{UserName: aws.String("ci")}); err != nil {
		t.Fatal(err)
	}
}

// TestAccessKeyQuotaConcurrent: racing creations never exceed two keys per user.
func TestAccessKeyQuotaConcurrent(t *testing.T) {
	ctx := context.Background()
	svc, _ := newIAM(t)
	if _, err := svc.CreateUser(ctx, &iamCreateUser{UserName: "racer"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 8 {
		wg.Go(func() {
			if _, err := svc.CreateAccessKey(ctx, &iamCreateKey{UserName: "racer"}); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 2 {
		t.Fatalf("%d keys created, want 2", ok)
	}
}

type (
	iamCreateUser = iam.CreateUserInput
	iamCreateKey  = iam.CreateAccessKeyInput
)
