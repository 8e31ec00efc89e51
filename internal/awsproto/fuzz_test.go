package awsproto_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/devopsim/devopsim/internal/awsproto"
)

// sink is an input shape with every kind of member the codecs handle.
type sinkInner struct {
	S    string     `json:"S,omitempty"`
	N    *int64     `json:"N,omitempty"`
	Next *sinkInner `json:"Next,omitempty"`
}

type sink struct {
	Str     string               `json:"Str,omitempty"`
	Int     int32                `json:"Int,omitzero"`
	I64     int64                `json:"I64,omitzero"`
	U       uint16               `json:"U,omitzero"`
	F       float64              `json:"F,omitzero"`
	B       bool                 `json:"B,omitzero"`
	T       time.Time            `json:"T,omitzero"`
	Blob    []byte               `json:"Blob,omitempty"`
	List    []string             `json:"List,omitempty"`
	Structs []sinkInner          `json:"Structs,omitempty"`
	Nested  [][]string           `json:"Nested,omitempty"`
	Map     map[string]string    `json:"Map,omitempty"`
	MapS    map[string]sinkInner `json:"MapS,omitempty"`
	Ptr     *sinkInner           `json:"Ptr,omitempty"`
	Any     any                  `json:"Any,omitempty"`
	Skip    string               `json:"-"`
	EC2Name []string             `json:"Renamed,omitempty" ec2:"Item" xml:"itemSet"`
}

func echoSink(ctx context.Context, in *sink) (*sink, error) { return in, nil }

// fuzzRouter serves one service per protocol, each with the Sink operation.
func fuzzRouter(tb testing.TB) *awsproto.Router {
	rt := awsproto.NewRouter(awsproto.RouterOptions{Account: "000000000000", Region: "us-east-1", MaxBody: 1 << 16})
	ops := []awsproto.Op{awsproto.Handle("Sink", echoSink)}
	rt.Register(awsproto.Service{Name: "j10", Protocols: []awsproto.Protocol{awsproto.JSON10}, TargetPrefix: "J10", Ops: ops})
	rt.Register(awsproto.Service{Name: "j11", Protocols: []awsproto.Protocol{awsproto.JSON11}, TargetPrefix: "J11", Ops: ops})
	rt.Register(awsproto.Service{Name: "q", Protocols: []awsproto.Protocol{awsproto.Query}, Version: "2020-01-01", XMLNamespace: "urn:q", Ops: ops})
	rt.Register(awsproto.Service{Name: "e", Protocols: []awsproto.Protocol{awsproto.EC2Query}, Version: "2016-11-15", XMLNamespace: "urn:e", Ops: ops})
	rt.Register(awsproto.Service{Name: "c", Protocols: []awsproto.Protocol{awsproto.RPCv2CBOR}, CBORName: "C", QueryCompatible: true, Ops: ops})
	return rt
}

func serveFuzz(t *testing.T, rt http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, r)
	if w.Code == 500 {
		t.Fatalf("500 (a panic or encoding failure): %s", w.Body)
	}
	if w.Header().Get("X-Amzn-RequestId") == "" {
		t.Fatalf("no request id")
	}
	return w
}

func checkStatus(t *testing.T, w *httptest.ResponseRecorder) {
	if w.Code != 200 && w.Code != 400 && w.Code != 413 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

func FuzzJSONDecode(f *testing.F) {
	for _, s := range []string{
		`{}`, ``, `{"Str":"x","Int":3,"T":1700000000.25,"Blob":"aGk=","List":["a"],"Map":{"k":"v"},"Any":{"a":[1,2]}}`,
		`{"Ptr":{"Next":{"Next":{"S":"deep"}}}}`, `{"T":"2024-01-01T00:00:00Z"}`, `{"Int":1e10}`, `{"Str":`, `[`, `null`,
		`{"Nested":[["a"],[]],"MapS":{"x":{"N":5}}}`, `{"Str":"a","Str":"b"}`, `{"U":-1}`, `{"T":"never"}`, "{\"Str\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	rt := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []string{"1.0", "1.1"} {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			r.Header.Set("X-Amz-Target", "J"+strings.ReplaceAll(v, ".", "")+".Sink")
			r.Header.Set("Content-Type", "application/x-amz-json-"+v)
			w := serveFuzz(t, rt, r)
			checkStatus(t, w)
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("response is not JSON: %q", w.Body)
			}
		}
	})
}

func fuzzForm(f *testing.F, version string, seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	rt := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, form string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader("Action=Sink&Version="+version+"&"+form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := serveFuzz(t, rt, r)
		checkStatus(t, w)
		if err := xml.Unmarshal(w.Body.Bytes(), new(struct{})); err != nil {
			t.Fatalf("response is not XML: %v\n%s", err, w.Body)
		}
	})
}

func FuzzQueryForm(f *testing.F) {
	fuzzForm(f, "2020-01-01", []string{
		"", "Str=a&Int=3&B=true&T=2024-01-01T00:00:00Z&Blob=aGk%3D",
		"List.member.1=a&List.member.2=b", "List=", "List.1=a", "List.Item.1=x",
		"Structs.member.1.S=x&Structs.member.1.N=4", "Nested.member.1.member.1=a",
		"Map.entry.1.key=k&Map.entry.1.value=v", "Map.1.Name=k&Map.1.Value=v", "MapS.entry.1.key=k&MapS.entry.1.value.N=1",
		"Ptr.Next.Next.Next.S=deep", "Int=x", "U=-1", "F=NaN", "T=1e300", "Any=x", "%zz", "Blob=%%%",
		"Ptr" + strings.Repeat(".Next", 80) + ".S=x",
	})
}

func FuzzEC2Form(f *testing.F) {
	fuzzForm(f, "2016-11-15", []string{
		"", "Str=a&Int=3", "List.1=a&List.2=b", "Item.1=x&Item.2=y", "Structs.1.S=x", "Nested.1.1=a",
		"Map.entry.1.key=k&Map.entry.1.value=v", "Map.1.Key=k&Map.1.Value=v", "Ptr.Next.S=x", "B=maybe",
	})
}

func FuzzCBORDecode(f *testing.F) {
	full, _ := cbor.Marshal(map[string]any{
		"Str": "x", "Int": 3, "T": cbor.Tag{Number: 1, Content: 1700000000.5}, "Blob": []byte("hi"),
		"List": []string{"a"}, "Map": map[string]string{"k": "v"}, "Ptr": map[string]any{"Next": map[string]any{"S": "y"}},
		"Any": map[string]any{"a": []any{1, "b"}}, "F": 1.5,
	})
	for _, s := range [][]byte{
		nil, {0xa0}, {0xbf, 0xff}, full, full[:len(full)/2], {0xf6}, {0x18}, {0xc1, 0x00}, {0x9f},
		{0xbf, 0x61, 'T', 0xc1, 0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 0xff}, // T: 1(NaN)
		{0xa1, 0x61, 'T', 0xc1, 0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		f.Add(s)
	}
	rt := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/service/C/operation/Sink", bytes.NewReader(body))
		r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		r.Header.Set("Content-Type", "application/cbor")
		w := serveFuzz(t, rt, r)
		checkStatus(t, w)
		var v any
		if err := cbor.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("response is not CBOR: %v % x", err, w.Body.Bytes())
		}
	})
}

// FuzzRouter feeds arbitrary requests to a router: it must answer every one without a 500.
// headers is "Name: value" lines.
func FuzzRouter(f *testing.F) {
	seeds := []struct{ method, path, headers, body string }{
		{"POST", "/", "X-Amz-Target: J11.Sink\nContent-Type: application/x-amz-json-1.1", `{"Str":"a"}`},
		{"POST", "/", "X-Amz-Target: J10.Nope\nContent-Type: application/x-amz-json-1.0", `{}`},
		{"POST", "/", "X-Amz-Target: J11\nContent-Type: application/json", `{}`},
		{"POST", "/", "Content-Type: application/x-www-form-urlencoded", "Action=Sink&Version=2020-01-01&Str=a"},
		{"POST", "/", "Content-Type: application/x-www-form-urlencoded\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/e/aws4_request, SignedHeaders=host, Signature=00", "Action=Sink&Version=2016-11-15"},
		{"GET", "/?Action=Sink&Version=2020-01-01&List.member.1=x", "", ""},
		{"GET", "/?Action=Sink&X-Amz-Credential=a%2Fb", "", ""},
		{"POST", "/service/C/operation/Sink", "Smithy-Protocol: rpc-v2-cbor\nContent-Type: application/cbor", "\xa1\x63Str\x61x"},
		{"POST", "/service/C/operation/Sink", "Smithy-Protocol: rpc-v2-cbor\nContent-Encoding: gzip", "\x1f\x8b\x08"},
		{"POST", "/service//operation/", "Smithy-Protocol: rpc-v2-cbor", ""},
		{"PUT", "/bucket/key", "Content-Type: text/plain", "data"},
		{"POST", "/", "Content-Type: application/x-www-form-urlencoded\nContent-Encoding: br", "x"},
		{"POST", "/", "Authorization: AWS4-HMAC-SHA256 Credential=12345678901/x/y/q/aws4_request", "Action=Sink"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.headers, []byte(s.body))
	}
	rt := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, method, path, headers string, body []byte) {
		if !validMethod(method) {
			method = "POST"
		}
		r, err := http.NewRequest(method, "http://devopsim.local/", bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		p, q, _ := strings.Cut(path, "?")
		r.URL.Path, r.URL.RawQuery = "/"+strings.TrimPrefix(p, "/"), q
		r.RemoteAddr = "127.0.0.1:1"
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		w := serveFuzz(t, rt, r)
		if w.Code < 200 || w.Code > 499 {
			t.Fatalf("status %d", w.Code)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
