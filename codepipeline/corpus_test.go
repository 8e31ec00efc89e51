package codepipeline_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/internal/awsapi/codepipelineapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// callRaw sends a raw awsJson1_1 request to the wire and returns the status and body.
func callRaw(t *testing.T, h http.Handler, op string, body []byte) (int, string) {
	t.Helper()
	req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "CodePipeline_20150709."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/codepipeline/aws4_request, SignedHeaders=host, Signature=x")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

var sanitizeRE = regexp.MustCompile(`[^a-z0-9-]+`)

// placeholder stands for the value of a CloudFormation intrinsic function.
func placeholder(text string) string {
	s := strings.Trim(sanitizeRE.ReplaceAllString(strings.ToLower(text), "-"), "-")
	if len(s) > 40 {
		s = s[:40]
	}
	for len(s) < 3 {
		s += "x"
	}
	return strings.Trim(s, "-")
}

// cfnValue turns a CloudFormation YAML/JSON node into plain data: intrinsic functions become
// placeholders (Fn::If takes its first branch), numbers and booleans become strings.
func cfnValue(n *yaml.Node) any {
	if n.Kind == yaml.DocumentNode {
		return cfnValue(n.Content[0])
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		if n.Tag == "!If" && n.Kind == yaml.SequenceNode && len(n.Content) == 3 {
			return cfnValue(n.Content[1])
		}
		var b strings.Builder
		collectText(n, &b)
		return placeholder(b.String())
	}
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			k := n.Content[0].Value
			if k == "Fn::If" && n.Content[1].Kind == yaml.SequenceNode && len(n.Content[1].Content) == 3 {
				return cfnValue(n.Content[1].Content[1])
			}
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				var b strings.Builder
				collectText(n.Content[1], &b)
				return placeholder(b.String())
			}
		}
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = cfnValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		var l []any
		for _, c := range n.Content {
			l = append(l, cfnValue(c))
		}
		return l
	case yaml.AliasNode:
		return cfnValue(n.Alias)
	}
	return n.Value
}

func collectText(n *yaml.Node, b *strings.Builder) {
	if n.Value != "" {
		b.WriteString(n.Value + "-")
	}
	for _, c := range n.Content {
		collectText(c, b)
	}
}

// camel turns CloudFormation property names into API member names, leaving action
// configurations alone.
func camel(v any, inConfig bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if inConfig {
				out[k] = val
				continue
			}
			name := strings.ToLower(k[:1]) + k[1:]
			if str, ok := val.(string); ok && (k == "RunOrder" || k == "TimeoutInMinutes") {
				var n int
				fmt.Sscan(str, &n)
				val = n
			}
			out[name] = camel(val, k == "Configuration")
		}
		return out
	case []any:
		for i := range x {
			x[i] = camel(x[i], false)
		}
	}
	return v
}

type corpusPipeline struct {
	name     string
	body     []byte // CreatePipeline request
	disabled []map[string]any
}

// cfnPipelines extracts the AWS::CodePipeline::Pipeline resources of a template.
func cfnPipelines(t *testing.T, data []byte) []corpusPipeline {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("template: %v", err)
	}
	tmpl, _ := cfnValue(&doc).(map[string]any)
	res, _ := tmpl["Resources"].(map[string]any)
	if res == nil {
		res = tmpl // a fragment of resources
	}
	var out []corpusPipeline
	names := make([]string, 0, len(res))
	for k := range res {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, logical := range names {
		r, _ := res[logical].(map[string]any)
		if r == nil || r["Type"] != "AWS::CodePipeline::Pipeline" {
			continue
		}
		props := r["Properties"].(map[string]any)
		if props["Name"] == nil {
			props["Name"] = logical
		}
		var disabled []map[string]any
		if d, ok := props["DisableInboundStageTransitions"].([]any); ok {
			for _, x := range d {
				disabled = append(disabled, x.(map[string]any))
			}
		}
		for _, k := range []string{"DisableInboundStageTransitions", "RestartExecutionOnUpdate", "Tags"} {
			delete(props, k)
		}
		p := camel(props, false)
		body, _ := json.Marshal(map[string]any{"pipeline": p})
		out = append(out, corpusPipeline{name: fmt.Sprint(props["Name"]), body: body, disabled: disabled})
	}
	return out
}

// The corpus pipeline definitions: those using providers devopsim runs are accepted (and
// start), the rest are refused with AWS's error.
func TestCorpusPipelines(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string // error code per pipeline, "" for accepted
	}{
		{"aws__aws-cli/create-pipeline.json", []string{""}},
		{"aws__aws-cli/get-pipeline.json", []string{""}},
		{"aws__aws-cli/update-pipeline.json", []string{""}},
		{"awsdocs__aws-codepipeline-user-guide/pipelines-create__block2.json", []string{""}},
		{"awsdocs__aws-codepipeline-user-guide/actions-create-cross-region__block6.json", []string{""}},
		{"aws-cloudformation__cfn-lint/resources_codepipeline.yaml", []string{"InvalidActionDeclarationException"}},
		{"aws-samples__aws-codepipeline-stepfunctions/codepipeline_template.yaml", []string{""}},
		{"awslabs__aws-cloudformation-templates/CodeBuildAndCodePipeline__template.yml", []string{""}},
		{"awslabs__aws-cloudformation-templates/custom-ci-cd-pipeline__template.yml", []string{""}},
		{"awslabs__aws-cloudformation-templates/python-webservice-lambda__template.yml", []string{"InvalidActionDeclarationException"}},
		{"awsdocs__aws-cloudformation-user-guide/aws-resource-codepipeline-pipeline__block2.json", []string{""}},
		{"awsdocs__aws-codepipeline-user-guide/update-change-detection__block44.yaml", []string{""}},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "corpus", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, clock.Real())
			wire := awstest.Handler(t, codepipelineapi.Service(h.svc))
			var pipes []corpusPipeline
			if strings.HasPrefix(strings.TrimSpace(string(data)), "{\n") && strings.Contains(string(data), `"pipeline"`) {
				var doc map[string]json.RawMessage
				if err := json.Unmarshal(data, &doc); err != nil {
					t.Fatal(err)
				}
				body, _ := json.Marshal(map[string]json.RawMessage{"pipeline": doc["pipeline"]})
				pipes = []corpusPipeline{{name: "cli", body: body}}
			} else {
				if strings.HasPrefix(strings.TrimSpace(string(data)), `"`) {
					// A resource fragment ("AppPipeline": {...}); its closing braces are
					// one short in the documentation.
					data = append(append([]byte("{"), data...), "}}"...)
				}
				pipes = cfnPipelines(t, data)
			}
			if len(pipes) != len(tc.want) {
				t.Fatalf("%d pipelines, want %d", len(pipes), len(tc.want))
			}
			for i, p := range pipes {
				code, body := callRaw(t, wire, "CreatePipeline", p.body)
				got := ""
				if code != 200 {
					var e struct {
						Type string `json:"__type"`
					}
					json.Unmarshal([]byte(body), &e)
					got = e.Type
				}
				if got != tc.want[i] {
					t.Errorf("pipeline %s: got %q (%s), want %q", p.name, got, body, tc.want[i])
					continue
				}
				if got != "" {
					continue
				}
				var out codepipeline.CreatePipelineOutput
				if err := json.Unmarshal([]byte(body), &out); err != nil || out.Pipeline.Version != 1 {
					t.Errorf("create output %s", body)
				}
				for _, d := range p.disabled {
					in, _ := json.Marshal(map[string]any{"pipelineName": out.Pipeline.Name, "stageName": d["StageName"], "transitionType": "Inbound", "reason": d["Reason"]})
					if code, body := callRaw(t, wire, "DisableStageTransition", in); code != 200 {
						t.Errorf("DisableStageTransition: %s", body)
					}
				}
				in, _ := json.Marshal(map[string]string{"name": out.Pipeline.Name})
				if code, body := callRaw(t, wire, "GetPipelineState", in); code != 200 || !strings.Contains(body, `"stageStates"`) {
					t.Errorf("GetPipelineState: %s", body)
				}
			}
		})
	}
}
