package logs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/internal/awsapi/logsapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// FuzzPutLogEventsWire sends arbitrary PutLogEvents bodies through the awsJson decoder and
// the service: every answer is a well-formed 200 or 4xx, never a 5xx or a panic.
func FuzzPutLogEventsWire(f *testing.F) {
	for _, s := range []string{
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1772366400000,"message":"hello"}]}`,
		`{"logGroupName":"g","logStreamName":"s","logEvents":[]}`,
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":"x","message":1}]}`,
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1772366400000,"message":"b"},{"timestamp":1,"message":"a"}],"sequenceToken":"49"}`,
		`{"logGroupName":"g:bad","logStreamName":"s"}`,
		`{}`, `[]`, `nul`, ``,
	} {
		f.Add(s)
	}
	s, _ := newSvc(f, logs.Options{})
	mustGroup(f, s, "g", "s")
	h := awstest.Handler(f, logsapi.Service(s))
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=x")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		if rec.Code != 200 && !strings.Contains(rec.Body.String(), "__type") {
			t.Fatalf("error without __type: %d %s", rec.Code, rec.Body.String())
		}
	})
}
