package codepipeline_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/internal/awsapi/codepipelineapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// FuzzCreatePipeline feeds arbitrary CreatePipeline bodies to the wire: the answer is a
// pipeline or AWS's client error, never a 500.
func FuzzCreatePipeline(f *testing.F) {
	for _, name := range []string{"aws__aws-cli/create-pipeline.json", "awsdocs__aws-codepipeline-user-guide/actions-create-cross-region__block6.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"pipeline":{"name":"x","roleArn":"r","artifactStore":{"type":"S3","location":"bkt"},"stages":[{"name":"S","actions":[]}]}}`))
	f.Add([]byte(`{"pipeline":{"name":"x","roleArn":"r","pipelineType":"V2","triggers":[{"providerType":"CodeStarSourceConnection","gitConfiguration":{"sourceActionName":"S","push":[{"branches":{"includes":["{a,b"]}}]}}]}}`))
	f.Add([]byte(`{"pipeline":null}`))
	f.Add([]byte(`[]`))
	h := newHarness(f, clock.Real())
	wire := awstest.Handler(f, codepipelineapi.Service(h.svc))
	f.Fuzz(func(t *testing.T, body []byte) {
		var code int
		var out string
		done := make(chan struct{})
		go func() { defer close(done); code, out = callRaw(t, wire, "CreatePipeline", body) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("CreatePipeline hung on %q\n%s", body, buf[:n])
		}
		if code >= 500 {
			t.Fatalf("%d %s for %q", code, out, body)
		}
		if code == 200 {
			var v struct {
				Pipeline struct {
					Name string `json:"name"`
				} `json:"pipeline"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil || v.Pipeline.Name == "" {
				t.Fatalf("bad output %s", out)
			}
			in, _ := json.Marshal(map[string]string{"name": v.Pipeline.Name})
			if code, out := callRaw(t, wire, "DeletePipeline", in); code != 200 {
				t.Fatalf("delete: %s", out)
			}
		} else if !strings.Contains(out, "__type") {
			t.Fatalf("error without a type: %s", out)
		}
	})
}
