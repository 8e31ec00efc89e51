package ec2sim_test

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"golang.org/x/crypto/ssh"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awstest"
)

func sdkCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func colon(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

func TestSDKKeyPairs(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()

	// Created RSA key: real PKCS#1 PEM; fingerprint = SHA-1 of the PKCS#8 DER.
	ck, err := c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("deploy"), KeyFormat: types.KeyFormatPem,
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeKeyPair, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode([]byte(aws.ToString(ck.KeyMaterial)))
	if blk == nil || blk.Type != "RSA PRIVATE KEY" {
		t.Fatalf("material %q", aws.ToString(ck.KeyMaterial))
	}
	priv, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(priv)
	sum := sha1.Sum(p8)
	if got := aws.ToString(ck.KeyFingerprint); got != colon(sum[:]) || !strings.HasPrefix(aws.ToString(ck.KeyPairId), "key-") {
		t.Errorf("fingerprint %s want %s (%s)", got, colon(sum[:]), aws.ToString(ck.KeyPairId))
	}
	if _, err := c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("deploy")}); sdkCode(err) != "InvalidKeyPair.Duplicate" {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("x"), KeyType: "dsa"}); sdkCode(err) != "InvalidParameterValue" {
		t.Errorf("bad type: %v", err)
	}

	// ED25519: OpenSSH private key, base64 SHA-256 fingerprint.
	ed, err := c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("ed"), KeyType: types.KeyTypeEd25519})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey([]byte(aws.ToString(ed.KeyMaterial)))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimPrefix(ssh.FingerprintSHA256(signer.PublicKey()), "SHA256:") + "="; aws.ToString(ed.KeyFingerprint) != want {
		t.Errorf("ed25519 fingerprint %s want %s", aws.ToString(ed.KeyFingerprint), want)
	}

	// Imported RSA key: MD5 of the DER public key.
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	sp, _ := ssh.NewPublicKey(&k.PublicKey)
	line := ssh.MarshalAuthorizedKey(sp)
	im, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("laptop"), PublicKeyMaterial: line})
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	md := md5.Sum(der)
	if aws.ToString(im.KeyFingerprint) != colon(md[:]) {
		t.Errorf("import fingerprint %s want %s", aws.ToString(im.KeyFingerprint), colon(md[:]))
	}
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("bad"), PublicKeyMaterial: []byte("ssh-rsa notakey")}); sdkCode(err) != "InvalidKeyPair.Format" {
		t.Errorf("bad import: %v", err)
	}

	all, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if err != nil || len(all.KeyPairs) != 3 {
		t.Fatalf("%+v %v", all, err)
	}
	byName, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{Filters: []types.Filter{{Name: aws.String("key-name"), Values: []string{"dep*"}}}, IncludePublicKey: aws.Bool(true)})
	if err != nil || len(byName.KeyPairs) != 1 || byName.KeyPairs[0].KeyType != types.KeyTypeRsa || len(byName.KeyPairs[0].Tags) != 1 ||
		!strings.HasPrefix(aws.ToString(byName.KeyPairs[0].PublicKey), "ssh-rsa ") || byName.KeyPairs[0].CreateTime == nil {
		t.Fatalf("%+v %v", byName, err)
	}
	byID, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyPairIds: []string{aws.ToString(ed.KeyPairId)}})
	if err != nil || len(byID.KeyPairs) != 1 || aws.ToString(byID.KeyPairs[0].KeyName) != "ed" || byID.KeyPairs[0].KeyType != types.KeyTypeEd25519 {
		t.Fatalf("%+v %v", byID, err)
	}
	if _, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"nope"}}); sdkCode(err) != "InvalidKeyPair.NotFound" {
		t.Errorf("describe unknown: %v", err)
	}

	// Launch with the key: authorized_keys and IMDS carry the public key.
	if _, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ec2sim.AL2023AMI), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), KeyName: aws.String("nope")}); sdkCode(err) != "InvalidKeyPair.NotFound" {
		t.Errorf("run unknown key: %v", err)
	}
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ec2sim.AL2023AMI), InstanceType: types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1), KeyName: aws.String("laptop"),
		MetadataOptions: &types.InstanceMetadataOptionsRequest{HttpTokens: types.HttpTokensStateOptional}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	if err := s.WaitBooted(ctx, id); err != nil {
		t.Fatal(err)
	}
	h, _ := s.Host(id)
	ak, err := h.ReadFile("/home/ec2-user/.ssh/authorized_keys")
	if err != nil || !strings.HasPrefix(string(ak), strings.TrimSpace(string(line))) {
		t.Errorf("authorized_keys %q %v", ak, err)
	}
	var out strings.Builder
	h.Run(ctx, runnerCmd("curl -s http://169.254.169.254/latest/meta-data/public-keys/0/openssh-key", &out))
	if !strings.HasPrefix(out.String(), strings.TrimSpace(string(line))) {
		t.Errorf("IMDS key %q", out.String())
	}

	if _, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("deploy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("deploy")}); err != nil {
		t.Errorf("delete twice by name succeeds in AWS: %v", err)
	}
	if _, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyPairId: aws.String("key-0123456789abcdef0")}); sdkCode(err) != "InvalidKeyPair.NotFound" {
		t.Errorf("delete unknown id: %v", err)
	}
	if _, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyPairId: ed.KeyPairId}); err != nil {
		t.Fatal(err)
	}
	left, _ := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if len(left.KeyPairs) != 1 || aws.ToString(left.KeyPairs[0].KeyName) != "laptop" {
		t.Errorf("left %+v", left.KeyPairs)
	}
}

func FuzzParsePublicKey(f *testing.F) {
	f.Add([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host"))
	f.Add([]byte("ssh-rsa AAAA"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ec2sim.ParsePublicKey(b)
	})
}
