package awsproto_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/awstest"
)

type benchIn struct {
	Name  string `json:"Name"`
	Count int32  `json:"Count,omitzero"`
}

type benchOut struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

func benchOp(ctx context.Context, in *benchIn) (*benchOut, error) {
	return &benchOut{ID: "id-1", Name: in.Name}, nil
}

func benchRouter() *awsproto.Router {
	rt := awsproto.NewRouter(awsproto.RouterOptions{Account: "000000000000", Region: "us-east-1"})
	ops := []awsproto.Op{awsproto.Handle("Get", benchOp)}
	rt.Register(awsproto.Service{Name: "bj", Protocols: []awsproto.Protocol{awsproto.JSON11}, TargetPrefix: "Bench_20200101", Ops: ops})
	rt.Register(awsproto.Service{Name: "bq", Protocols: []awsproto.Protocol{awsproto.Query}, Version: "2020-01-01", XMLNamespace: "urn:bq", Ops: ops})
	rt.Register(awsproto.Service{Name: "bc", Protocols: []awsproto.Protocol{awsproto.RPCv2CBOR}, CBORName: "BenchCBOR", Ops: ops})
	return rt
}

// rewindBody is a request body that can be replayed.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

func benchServe(b *testing.B, r *http.Request, body []byte) {
	rt := benchRouter()
	rb := &rewindBody{}
	r.Body = rb
	r.ContentLength = int64(len(body))
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		rb.Reset(body)
		clear(w.h)
		rt.ServeHTTP(w, r)
		if w.code != 200 {
			b.Fatalf("status %d", w.code)
		}
	}
}

// BenchmarkHandlerJSON is the router's overhead for a small awsJson call, no socket.
func BenchmarkHandlerJSON(b *testing.B) {
	body := []byte(`{"Name":"repo-1","Count":3}`)
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("X-Amz-Target", "Bench_20200101.Get")
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bj/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
	benchServe(b, r, body)
}

func BenchmarkHandlerQuery(b *testing.B) {
	body := []byte(`Action=Get&Version=2020-01-01&Name=repo-1&Count=3`)
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bq/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef")
	benchServe(b, r, body)
}

func BenchmarkHandlerCBOR(b *testing.B) {
	body := []byte{0xa2, 0x64, 'N', 'a', 'm', 'e', 0x66, 'r', 'e', 'p', 'o', '-', '1', 0x65, 'C', 'o', 'u', 'n', 't', 0x03}
	r := httptest.NewRequest("POST", "/service/BenchCBOR/operation/Get", nil)
	r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	r.Header.Set("Content-Type", "application/cbor")
	benchServe(b, r, body)
}

// BenchmarkSDKGetCallerIdentity is a whole aws-sdk-go-v2 STS call (sign, serialize, route,
// dispatch, XML, deserialize) in memory.
func BenchmarkSDKGetCallerIdentity(b *testing.B) {
	c := awssts.NewFromConfig(awstest.Config(b, stsService(b)))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil {
			b.Fatal(err)
		}
	}
}
