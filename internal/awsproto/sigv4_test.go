package awsproto_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codecommit"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/sts"
)

var strictKeys = map[string]struct {
	secret string
	caller identity.Caller
}{
	"AKIDALICE": {"alice-secret", identity.Caller{Account: "111122223333", PrincipalARN: "arn:aws:iam::111122223333:user/alice", UserID: "AIDAALICE", Type: "IAMUser"}},
}

func strictLookup(id string) (string, identity.Caller, bool) {
	k, ok := strictKeys[id]
	return k.secret, k.caller, ok
}

func strictRouter(t testing.TB, clk clock.Clock, svcs ...awsproto.Service) *awsproto.Router {
	rt := awsproto.NewRouter(awsproto.RouterOptions{Account: "000000000000", Region: "us-east-1",
		Authenticate: awsproto.StrictSigV4(awsproto.SigV4Options{Lookup: strictLookup, Clock: clk})})
	for _, s := range svcs {
		rt.Register(s)
	}
	return rt
}

func withKeys(cfg aws.Config, id, secret string) aws.Config {
	c := cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	return c
}

func TestStrictSigV4SDK(t *testing.T) {
	stsSvc := stsService(t)
	rt := strictRouter(t, nil, stsSvc, codeCommitService(newFakeCodeCommit(), awsproto.JSON11), cloudWatchService(&fakeCloudWatch{}))
	cfg := awstest.ConfigFor(rt)
	ctx := context.Background()

	out, err := awssts.NewFromConfig(withKeys(cfg, "AKIDALICE", "alice-secret")).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("good signature: %v", err)
	}
	if aws.ToString(out.Account) != "111122223333" || aws.ToString(out.Arn) != "arn:aws:iam::111122223333:user/alice" || aws.ToString(out.UserId) != "AIDAALICE" {
		t.Errorf("identity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}

	tests := []struct {
		name, id, secret string
		call             func(aws.Config) error
		code             string
	}{
		{"query wrong secret", "AKIDALICE", "nope", stsCall, "SignatureDoesNotMatch"},
		{"query unknown key", "AKIDBOB", "x", stsCall, "InvalidClientTokenId"},
		{"json wrong secret", "AKIDALICE", "nope", ccCall, "InvalidSignatureException"},
		{"json unknown key", "AKIDBOB", "x", ccCall, "UnrecognizedClientException"},
		{"cbor wrong secret (query compatible)", "AKIDALICE", "nope", cwCall, "SignatureDoesNotMatch"},
		{"cbor good", "AKIDALICE", "alice-secret", cwCall, ""},
		{"cbor gzip body good", "AKIDALICE", "alice-secret", cwBigCall, ""},
		{"cbor gzip body wrong secret", "AKIDALICE", "nope", cwBigCall, "SignatureDoesNotMatch"},
		{"json good", "AKIDALICE", "alice-secret", ccCall, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(withKeys(cfg, tt.id, tt.secret))
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			var re interface{ HTTPStatusCode() int }
			if errors.As(err, &re) && re.HTTPStatusCode() != 403 {
				t.Errorf("status %d, want 403", re.HTTPStatusCode())
			}
		})
	}
}

func stsCall(cfg aws.Config) error {
	_, err := awssts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	return err
}

func ccCall(cfg aws.Config) error {
	_, err := codecommit.NewFromConfig(cfg).CreateRepository(context.Background(), &codecommit.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprint(time.Now().UnixNano()))})
	return err
}

func cwCall(cfg aws.Config) error {
	_, err := cloudwatch.NewFromConfig(cfg).ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{Namespace: aws.String("N")})
	return err
}

func cwBigCall(cfg aws.Config) error {
	var data []cwtypes.MetricDatum
	for i := range 600 {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String(fmt.Sprintf("metric-%04d", i)), Value: aws.Float64(1)})
	}
	_, err := cloudwatch.NewFromConfig(cfg).PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: data})
	return err
}

func TestStrictSigV4Raw(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewManual(t0)
	rt := strictRouter(t, clk, stsService(t))
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret"}
	emptyHash := hex.EncodeToString(func() []byte { h := sha256.Sum256(nil); return h[:] }())

	presign := func(t *testing.T, query string, at time.Time, expires int) string {
		r := httptest.NewRequest("GET", "http://sts.local/?"+query+"&X-Amz-Expires="+fmt.Sprint(expires), nil)
		u, _, err := signer.PresignHTTP(context.Background(), creds, r, emptyHash, "sts", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	serve := func(r *http.Request) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, r)
		return w
	}

	t.Run("presigned", func(t *testing.T) {
		u := presign(t, "Action=GetCallerIdentity&Version=2011-06-15", t0, 900)
		w := serve(httptest.NewRequest("GET", u, nil))
		if w.Code != 200 || !strings.Contains(w.Body.String(), "<Account>111122223333</Account>") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("presigned tampered", func(t *testing.T) {
		u := presign(t, "Action=GetCallerIdentity&Version=2011-06-15", t0, 900)
		u = strings.Replace(u, "X-Amz-Expires=900", "X-Amz-Expires=901", 1)
		w := serve(httptest.NewRequest("GET", u, nil))
		if w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("presigned expired", func(t *testing.T) {
		u := presign(t, "Action=GetCallerIdentity&Version=2011-06-15", t0.Add(-time.Hour), 60)
		w := serve(httptest.NewRequest("GET", u, nil))
		if w.Code != 403 || !strings.Contains(w.Body.String(), "expired") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("header signed, clock skew", func(t *testing.T) {
		body := "Action=GetCallerIdentity&Version=2011-06-15"
		r := httptest.NewRequest("POST", "http://sts.local/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h := sha256.Sum256([]byte(body))
		if err := signer.SignHTTP(context.Background(), creds, r, hex.EncodeToString(h[:]), "sts", "us-east-1", t0.Add(-20*time.Minute)); err != nil {
			t.Fatal(err)
		}
		w := serve(r)
		if w.Code != 403 || !strings.Contains(w.Body.String(), "Signature expired") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("body changed after signing", func(t *testing.T) {
		body := "Action=GetCallerIdentity&Version=2011-06-15"
		r := httptest.NewRequest("POST", "http://sts.local/", strings.NewReader(body+"&X=1"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h := sha256.Sum256([]byte(body))
		if err := signer.SignHTTP(context.Background(), creds, r, hex.EncodeToString(h[:]), "sts", "us-east-1", t0); err != nil {
			t.Fatal(err)
		}
		w := serve(r)
		if w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		w := serve(formRequest("Action=GetCallerIdentity&Version=2011-06-15"))
		if w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>MissingAuthenticationToken</Code>") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("malformed authorization", func(t *testing.T) {
		r := formRequest("Action=GetCallerIdentity&Version=2011-06-15")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/20250601/us-east-1/sts/aws4_request")
		w := serve(r)
		if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>IncompleteSignature</Code>") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
}

func TestParseCredential(t *testing.T) {
	tests := []struct {
		name string
		req  func() *http.Request
		want awsproto.Credential
	}{
		{"header", func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd")
			return r
		}, awsproto.Credential{AccessKeyID: "AKID", Date: "20250101", Region: "eu-west-1", Service: "logs", Signed: true, SignedHeaders: "host;x-amz-date", Signature: "abcd"}},
		{"presigned", func() *http.Request {
			return httptest.NewRequest("GET", "/?X-Amz-Credential=AKID%2F20250101%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-SignedHeaders=host&X-Amz-Signature=ff", nil)
		}, awsproto.Credential{AccessKeyID: "AKID", Date: "20250101", Region: "us-west-2", Service: "sts", Signed: true, Presigned: true, SignedHeaders: "host", Signature: "ff"}},
		{"short scope", func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/2025")
			return r
		}, awsproto.Credential{AccessKeyID: "AKID", Signed: true}},
		{"none", func() *http.Request { return httptest.NewRequest("GET", "/", nil) }, awsproto.Credential{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := awsproto.ParseCredential(tt.req()); got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// stsService is STS as internal/awsapi wires it (not imported here, so this package's tests do
// not build every service).
func stsService(t testing.TB) awsproto.Service {
	return awsproto.Service{
		Name: "sts", Protocols: []awsproto.Protocol{awsproto.Query}, Version: "2011-06-15",
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Ops:          []awsproto.Op{awsproto.Handle("GetCallerIdentity", sts.New(awstest.Env(t)).GetCallerIdentity)},
	}
}
