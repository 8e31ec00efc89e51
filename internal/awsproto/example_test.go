package awsproto_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awsproto"
)

type greetInput struct {
	Name string `json:"name"`
}

type greetOutput struct {
	Greeting string `json:"greeting"`
	Account  string `json:"account"`
}

// A service describes itself with typed operations; the router serves it in every protocol it
// lists.
func Example() {
	greet := func(ctx context.Context, in *greetInput) (*greetOutput, error) {
		if in.Name == "" {
			return nil, apierr.New(apierr.Invalid, "ValidationException", "name is required")
		}
		c, _ := identity.From(ctx)
		return &greetOutput{Greeting: "hello " + in.Name, Account: c.Account}, nil
	}
	rt := awsproto.NewRouter(awsproto.RouterOptions{Account: "000000000000", Region: "us-east-1"})
	rt.Register(awsproto.Service{
		Name:         "greeter",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "Greeter_20240101",
		Ops:          []awsproto.Op{awsproto.Handle("Greet", greet)},
	})

	for _, body := range []string{`{"name":"world"}`, `{}`} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "Greeter_20240101.Greet")
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		// A 12-digit access key id selects that account.
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=111122223333/20250101/us-east-1/greeter/aws4_request, SignedHeaders=host, Signature=00")
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 {"greeting":"hello world","account":"111122223333"}
	// 400 {"__type":"ValidationException","message":"name is required"}
}

func TestJSONBodies(t *testing.T) {
	rt := awsproto.NewRouter(awsproto.RouterOptions{Account: "000000000000", Region: "us-east-1", MaxBody: 1024})
	rt.Register(codeCommitService(newFakeCodeCommit(), awsproto.JSON11))
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	tests := []struct {
		name     string
		body     []byte
		encoding string
		status   int
		want     string
	}{
		{"gzip accepted", gz(`{"repositoryName":"zipped"}`), "gzip", 200, `"repositoryName":"zipped"`},
		{"broken gzip", []byte("not gzip at all"), "gzip", 400, `"__type":"SerializationException"`},
		{"truncated gzip", gz(`{"repositoryName":"zipped2"}`)[:20], "gzip", 400, "does not decompress"},
		{"unknown encoding", []byte(`{}`), "br", 400, "unsupported Content-Encoding"},
		{"oversized", []byte(`{"repositoryName":"` + strings.Repeat("x", 2000) + `"}`), "", 413, `"__type":"RequestEntityTooLarge"`},
		{"oversized after decompression", gz(`{"repositoryName":"` + strings.Repeat("x", 5000) + `"}`), "gzip", 413, "limit of 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := jsonRequest("CodeCommit_20150413.CreateRepository", "application/x-amz-json-1.1", string(tt.body))
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			w := httptest.NewRecorder()
			rt.ServeHTTP(w, r)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%d %s; want %d containing %s", w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	// A chunked body (no Content-Length) over the limit.
	r := jsonRequest("CodeCommit_20150413.CreateRepository", "application/x-amz-json-1.1", strings.Repeat(" ", 3000)+"{}")
	r.ContentLength = -1
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, r)
	if w.Code != 413 {
		t.Errorf("chunked oversize: %d %s", w.Code, w.Body)
	}
}

// TestConcurrent drives one router from many goroutines in every protocol (run with -race).
func TestConcurrent(t *testing.T) {
	cc := newFakeCodeCommit()
	cw := &fakeCloudWatch{}
	cf := &fakeCloudFormation{stacks: map[string]cfStack{}}
	rt := awsproto.NewRouter(awsproto.RouterOptions{Account: "000000000000", Region: "us-east-1"})
	rt.Register(codeCommitService(cc, awsproto.JSON11))
	rt.Register(cloudWatchService(cw))
	rt.Register(cloudFormationService(cf))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				name := fmt.Sprintf("r-%d-%d", g, i)
				reqs := []*httptest.ResponseRecorder{httptest.NewRecorder(), httptest.NewRecorder(), httptest.NewRecorder(), httptest.NewRecorder()}
				rt.ServeHTTP(reqs[0], jsonRequest("CodeCommit_20150413.CreateRepository", "application/x-amz-json-1.1", `{"repositoryName":"`+name+`"}`))
				rt.ServeHTTP(reqs[1], cborRequest(t, "PutMetricData", mustCBOR(t, map[string]any{"Namespace": "N", "MetricData": []any{map[string]any{"MetricName": name, "Value": 1.0}}})))
				rt.ServeHTTP(reqs[2], formRequest("Action=CreateStack&Version=2010-05-15&StackName="+name))
				rt.ServeHTTP(reqs[3], jsonRequest("CodeCommit_20150413.Boom", "application/x-amz-json-1.1", `{}`))
				for j, w := range reqs[:3] {
					if w.Code != 200 {
						t.Errorf("request %d: %d %s", j, w.Code, w.Body)
					}
				}
				if reqs[3].Code != 500 {
					t.Errorf("panic op: %d", reqs[3].Code)
				}
			}
		})
	}
	wg.Wait()
	if len(cc.repos) != 400 || len(cw.metrics) != 400 || len(cf.stacks) != 400 {
		t.Errorf("repos %d metrics %d stacks %d, want 400 each", len(cc.repos), len(cw.metrics), len(cf.stacks))
	}
}
