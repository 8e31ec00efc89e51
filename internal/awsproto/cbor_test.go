package awsproto_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/fxamacker/cbor/v2"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/awstest"
)

// A fake CloudWatch with test-local shapes, the way a service package declares them.

type cwDimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type cwMetric struct {
	Namespace  string        `json:"Namespace,omitempty"`
	MetricName string        `json:"MetricName,omitempty"`
	Dimensions []cwDimension `json:"Dimensions,omitempty"`
}

type cwListMetricsInput struct {
	Namespace  string        `json:"Namespace,omitempty"`
	MetricName string        `json:"MetricName,omitempty"`
	Dimensions []cwDimension `json:"Dimensions,omitempty"`
	NextToken  string        `json:"NextToken,omitempty"`
}

type cwListMetricsOutput struct {
	Metrics   []cwMetric `json:"Metrics"`
	NextToken string     `json:"NextToken,omitempty"`
}

type cwStatisticSet struct {
	SampleCount float64 `json:"SampleCount"`
	Sum         float64 `json:"Sum"`
	Minimum     float64 `json:"Minimum"`
	Maximum     float64 `json:"Maximum"`
}

type cwMetricDatum struct {
	MetricName      string          `json:"MetricName"`
	Dimensions      []cwDimension   `json:"Dimensions,omitempty"`
	Timestamp       time.Time       `json:"Timestamp,omitzero"`
	Value           *float64        `json:"Value,omitempty"`
	Values          []float64       `json:"Values,omitempty"`
	Counts          []float64       `json:"Counts,omitempty"`
	StatisticValues *cwStatisticSet `json:"StatisticValues,omitempty"`
	Unit            string          `json:"Unit,omitempty"`
}

type cwPutMetricDataInput struct {
	Namespace  string          `json:"Namespace"`
	MetricData []cwMetricDatum `json:"MetricData"`
}

type cwPutMetricDataOutput struct{}

type cwGetMetricStatisticsInput struct {
	Namespace  string    `json:"Namespace"`
	MetricName string    `json:"MetricName"`
	StartTime  time.Time `json:"StartTime,omitzero"`
	EndTime    time.Time `json:"EndTime,omitzero"`
	Period     int32     `json:"Period,omitzero"`
	Statistics []string  `json:"Statistics,omitempty"`
}

type cwDatapoint struct {
	Timestamp   time.Time `json:"Timestamp,omitzero"`
	SampleCount *float64  `json:"SampleCount,omitempty"`
	Sum         *float64  `json:"Sum,omitempty"`
	Unit        string    `json:"Unit,omitempty"`
}

type cwGetMetricStatisticsOutput struct {
	Label      string        `json:"Label,omitempty"`
	Datapoints []cwDatapoint `json:"Datapoints"`
}

type cwWidgetInput struct {
	MetricWidget string `json:"MetricWidget"`
	OutputFormat string `json:"OutputFormat,omitempty"`
}

type cwWidgetOutput struct {
	MetricWidgetImage []byte `json:"MetricWidgetImage,omitempty"`
}

type cwDeleteDashboardsInput struct {
	DashboardNames []string `json:"DashboardNames"`
}

type fakeCloudWatch struct {
	mu      sync.Mutex
	metrics []cwMetricDatum
	callers []identity.Caller
}

func (f *fakeCloudWatch) record(ctx context.Context) {
	c, _ := identity.From(ctx)
	f.mu.Lock()
	f.callers = append(f.callers, c)
	f.mu.Unlock()
}

func (f *fakeCloudWatch) PutMetricData(ctx context.Context, in *cwPutMetricDataInput) (*cwPutMetricDataOutput, error) {
	f.record(ctx)
	if in.Namespace == "" {
		return nil, apierr.New(apierr.Invalid, "MissingParameter", "The parameter Namespace is required.")
	}
	for _, d := range in.MetricData {
		if d.Value != nil && *d.Value < 0 && d.Unit == "Count" {
			// The service answers with the awsQuery code; the router finds the shape name.
			return nil, apierr.New(apierr.Invalid, "InvalidParameterValue", "The value %v for parameter MetricData.member.1.Value is invalid.", *d.Value)
		}
		if strings.HasPrefix(d.MetricName, "AWS/") {
			// ...or with the shape name.
			return nil, apierr.New(apierr.Invalid, "InvalidParameterValueException", "The value AWS/ for parameter MetricName is invalid.")
		}
	}
	f.mu.Lock()
	f.metrics = append(f.metrics, in.MetricData...)
	f.mu.Unlock()
	return &cwPutMetricDataOutput{}, nil
}

func (f *fakeCloudWatch) ListMetrics(ctx context.Context, in *cwListMetricsInput) (*cwListMetricsOutput, error) {
	f.record(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &cwListMetricsOutput{Metrics: []cwMetric{}}
	seen := map[string]bool{}
	for _, d := range f.metrics {
		if in.MetricName != "" && d.MetricName != in.MetricName {
			continue
		}
		if seen[d.MetricName] {
			continue
		}
		seen[d.MetricName] = true
		out.Metrics = append(out.Metrics, cwMetric{Namespace: "Test", MetricName: d.MetricName, Dimensions: d.Dimensions})
	}
	return out, nil
}

func (f *fakeCloudWatch) GetMetricStatistics(ctx context.Context, in *cwGetMetricStatisticsInput) (*cwGetMetricStatisticsOutput, error) {
	f.record(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &cwGetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []cwDatapoint{}}
	for _, d := range f.metrics {
		if d.MetricName != in.MetricName || d.Timestamp.Before(in.StartTime) || !d.Timestamp.Before(in.EndTime) {
			continue
		}
		one, v := 1.0, *d.Value
		out.Datapoints = append(out.Datapoints, cwDatapoint{Timestamp: d.Timestamp, SampleCount: &one, Sum: &v, Unit: d.Unit})
	}
	return out, nil
}

func (f *fakeCloudWatch) GetMetricWidgetImage(ctx context.Context, in *cwWidgetInput) (*cwWidgetOutput, error) {
	return &cwWidgetOutput{MetricWidgetImage: append([]byte("\x89PNG\r\n\x1a\n"), in.MetricWidget...)}, nil
}

func (f *fakeCloudWatch) DeleteDashboards(ctx context.Context, in *cwDeleteDashboardsInput) (*struct{}, error) {
	e := apierr.New(apierr.NotFound, "DashboardNotFoundError", "Dashboard %s does not exist", in.DashboardNames[0])
	e.Status = http.StatusNotFound
	return nil, e
}

func cloudWatchService(f *fakeCloudWatch) awsproto.Service {
	return awsproto.Service{
		Name:            "monitoring",
		Protocols:       []awsproto.Protocol{awsproto.RPCv2CBOR, awsproto.Query, awsproto.JSON10},
		TargetPrefix:    "GraniteServiceVersion20100801",
		Version:         "2010-08-01",
		XMLNamespace:    "http://monitoring.amazonaws.com/doc/2010-08-01/",
		CBORName:        "GraniteServiceVersion20100801",
		QueryCompatible: true,
		QueryErrors: map[string]string{
			"InvalidParameterValueException":    "InvalidParameterValue",
			"MissingRequiredParameterException": "MissingParameter",
			"DashboardNotFoundError":            "ResourceNotFound",
		},
		Ops: []awsproto.Op{
			awsproto.Handle("PutMetricData", f.PutMetricData),
			awsproto.Handle("ListMetrics", f.ListMetrics),
			awsproto.Handle("GetMetricStatistics", f.GetMetricStatistics),
			awsproto.Handle("GetMetricWidgetImage", f.GetMetricWidgetImage),
			awsproto.Handle("DeleteDashboards", f.DeleteDashboards),
		},
	}
}

func TestCBORCloudWatchSDK(t *testing.T) {
	f := &fakeCloudWatch{}
	cfg := awstest.Config(t, cloudWatchService(f))
	cw := cloudwatch.NewFromConfig(cfg)
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 250e6, time.UTC)

	_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("Test"),
		MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Latency"), Value: aws.Float64(12.5), Unit: cwtypes.StandardUnitMilliseconds, Timestamp: aws.Time(t0),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}}},
			{MetricName: aws.String("Latency"), Value: aws.Float64(7), Unit: cwtypes.StandardUnitMilliseconds, Timestamp: aws.Time(t0.Add(time.Minute))},
			{MetricName: aws.String("Hist"), Values: []float64{1, 2.5}, Counts: []float64{3, 4}, Timestamp: aws.Time(t0),
				StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(7), Sum: aws.Float64(13), Minimum: aws.Float64(1), Maximum: aws.Float64(2.5)}},
		},
	})
	if err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
	f.mu.Lock()
	got := f.metrics
	f.mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("stored %d metrics, want 3", len(got))
	}
	if !got[0].Timestamp.Equal(t0) || got[0].Timestamp.Location() != time.UTC {
		t.Errorf("timestamp = %v, want %v in UTC", got[0].Timestamp, t0)
	}
	if got[0].Dimensions[0] != (cwDimension{"Host", "a"}) || *got[0].Value != 12.5 || got[0].Unit != "Milliseconds" {
		t.Errorf("datum = %+v", got[0])
	}
	if got[2].StatisticValues == nil || got[2].StatisticValues.Sum != 13 || len(got[2].Counts) != 2 || got[2].Values[1] != 2.5 {
		t.Errorf("datum with statistics = %+v", got[2])
	}

	lm, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{MetricName: aws.String("Latency")})
	if err != nil {
		t.Fatalf("ListMetrics: %v", err)
	}
	if len(lm.Metrics) != 1 || aws.ToString(lm.Metrics[0].MetricName) != "Latency" || aws.ToString(lm.Metrics[0].Dimensions[0].Value) != "a" {
		t.Errorf("ListMetrics = %+v", lm.Metrics)
	}

	st, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("Test"), MetricName: aws.String("Latency"),
		StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
	})
	if err != nil {
		t.Fatalf("GetMetricStatistics: %v", err)
	}
	if len(st.Datapoints) != 2 {
		t.Fatalf("datapoints = %d, want 2", len(st.Datapoints))
	}
	if ts := aws.ToTime(st.Datapoints[0].Timestamp); !ts.Equal(t0) {
		t.Errorf("datapoint timestamp = %v, want %v (fractional seconds kept)", ts, t0)
	}
	if ts := aws.ToTime(st.Datapoints[1].Timestamp); !ts.Equal(t0.Add(time.Minute)) {
		t.Errorf("datapoint timestamp = %v", ts)
	}
	if aws.ToFloat64(st.Datapoints[0].Sum) != 12.5 || st.Datapoints[0].Unit != cwtypes.StandardUnitMilliseconds {
		t.Errorf("datapoint = %+v", st.Datapoints[0])
	}

	img, err := cw.GetMetricWidgetImage(ctx, &cloudwatch.GetMetricWidgetImageInput{MetricWidget: aws.String(`{"metrics":[]}`)})
	if err != nil {
		t.Fatalf("GetMetricWidgetImage: %v", err)
	}
	if !bytes.Equal(img.MetricWidgetImage, []byte("\x89PNG\r\n\x1a\n{\"metrics\":[]}")) {
		t.Errorf("blob = %q", img.MetricWidgetImage)
	}

	f.mu.Lock()
	for _, c := range f.callers {
		if c.Account != "000000000000" || c.Region != "us-east-1" || c.RequestID == "" {
			t.Errorf("caller = %+v", c)
		}
	}
	f.mu.Unlock()
}

func TestCBORCloudWatchErrors(t *testing.T) {
	f := &fakeCloudWatch{}
	cw := cloudwatch.NewFromConfig(awstest.Config(t, cloudWatchService(f)))
	ctx := context.Background()

	// The op answers with the query code: the SDK still gets its typed error.
	_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("T"), MetricData: []cwtypes.MetricDatum{
		{MetricName: aws.String("m"), Value: aws.Float64(-1), Unit: cwtypes.StandardUnitCount},
	}})
	var ipv *cwtypes.InvalidParameterValueException
	if !errors.As(err, &ipv) {
		t.Fatalf("err = %T %v, want *InvalidParameterValueException", err, err)
	}
	if ipv.ErrorCode() != "InvalidParameterValue" || !strings.Contains(ipv.ErrorMessage(), "-1") {
		t.Errorf("code %q message %q", ipv.ErrorCode(), ipv.ErrorMessage())
	}

	// The op answers with the shape name: same result.
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("T"), MetricData: []cwtypes.MetricDatum{
		{MetricName: aws.String("AWS/x"), Value: aws.Float64(1)},
	}})
	if !errors.As(err, &ipv) || ipv.ErrorCode() != "InvalidParameterValue" {
		t.Fatalf("err = %v, want InvalidParameterValue", err)
	}

	// 404 with a mapped code.
	_, err = cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"d"}})
	var dnf *cwtypes.DashboardNotFoundError
	if !errors.As(err, &dnf) || dnf.ErrorCode() != "ResourceNotFound" {
		t.Fatalf("err = %v, want DashboardNotFoundError coded ResourceNotFound", err)
	}

	// An operation the fake does not have.
	_, err = cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownOperationException" || !strings.Contains(ae.ErrorMessage(), "ListDashboards") {
		t.Fatalf("err = %v, want UnknownOperationException naming ListDashboards", err)
	}
	if ae.ErrorFault() != smithy.FaultClient {
		t.Errorf("fault = %v, want client", ae.ErrorFault())
	}
}

// TestCBORGzip: the SDK gzips PutMetricData bodies over 10 KiB (requestCompression trait).
func TestCBORGzip(t *testing.T) {
	f := &fakeCloudWatch{}
	var sawGzip bool
	rt := awstest.Handler(t, cloudWatchService(f))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Encoding") == "gzip" {
			sawGzip = true
		}
		rt.ServeHTTP(w, r)
	})
	cw := cloudwatch.NewFromConfig(awstest.ConfigFor(h))
	var data []cwtypes.MetricDatum
	for i := range 800 {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String(fmt.Sprintf("metric-%04d", i)), Value: aws.Float64(float64(i))})
	}
	if _, err := cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("T"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
	if !sawGzip {
		t.Error("the SDK did not compress; the test does not exercise gzip")
	}
	if len(f.metrics) != 800 || f.metrics[799].MetricName != "metric-0799" {
		t.Errorf("stored %d metrics", len(f.metrics))
	}
}

func cborRequest(t testing.TB, op string, body []byte) *http.Request {
	r := httptest.NewRequest("POST", "/service/GraniteServiceVersion20100801/operation/"+op, bytes.NewReader(body))
	r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	r.Header.Set("Content-Type", "application/cbor")
	r.Header.Set("Accept", "application/cbor")
	return r
}

func decodeCBORMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := cbor.Unmarshal(b, &m); err != nil {
		t.Fatalf("response is not a CBOR map: %v (% x)", err, b)
	}
	return m
}

// TestCBORGolden checks the bytes on the wire without an SDK.
func TestCBORGolden(t *testing.T) {
	f := &fakeCloudWatch{}
	h := awstest.Handler(t, cloudWatchService(f))

	// Request: indefinite-length map, tag-1 integer timestamp, float16 value.
	// {_ "Namespace": "N", "MetricData": [_ {_ "MetricName": "m", "Timestamp": 1(1700000000), "Value": 1.5}]}
	body := []byte{0xbf,
		0x69, 'N', 'a', 'm', 'e', 's', 'p', 'a', 'c', 'e', 0x61, 'N',
		0x6a, 'M', 'e', 't', 'r', 'i', 'c', 'D', 'a', 't', 'a', 0x9f, 0xbf,
		0x6a, 'M', 'e', 't', 'r', 'i', 'c', 'N', 'a', 'm', 'e', 0x61, 'm',
		0x69, 'T', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00,
		0x65, 'V', 'a', 'l', 'u', 'e', 0xf9, 0x3e, 0x00,
		0xff, 0xff, 0xff}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, cborRequest(t, "PutMetricData", body))
	if w.Code != 200 {
		t.Fatalf("status %d: %x", w.Code, w.Body.Bytes())
	}
	if w.Header().Get("Smithy-Protocol") != "rpc-v2-cbor" || w.Header().Get("Content-Type") != "application/cbor" || w.Header().Get("X-Amzn-RequestId") == "" {
		t.Errorf("headers = %v", w.Header())
	}
	if got := w.Body.Bytes(); !bytes.Equal(got, []byte{0xa0}) {
		t.Errorf("body = % x, want a0 (empty map)", got)
	}
	if d := f.metrics[0]; !d.Timestamp.Equal(time.Unix(1700000000, 0)) || *d.Value != 1.5 || d.MetricName != "m" {
		t.Errorf("decoded %+v", d)
	}

	// Response timestamps: tag 1, integer when whole, float otherwise.
	req := cborRequest(t, "GetMetricStatistics", mustCBOR(t, map[string]any{
		"Namespace": "N", "MetricName": "m",
		"StartTime": cbor.Tag{Number: 1, Content: 1699999999.5}, "EndTime": cbor.Tag{Number: 1, Content: 1700000001},
	}))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	want := []byte{0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00} // 1(1700000000)
	if !bytes.Contains(w.Body.Bytes(), want) {
		t.Errorf("response % x lacks tag-1 timestamp % x", w.Body.Bytes(), want)
	}

	// Errors: CBOR map, status, query-compatible header.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, cborRequest(t, "DeleteDashboards", mustCBOR(t, map[string]any{"DashboardNames": []string{"x"}})))
	if w.Code != 404 {
		t.Errorf("status %d, want 404", w.Code)
	}
	m := decodeCBORMap(t, w.Body.Bytes())
	if m["__type"] != "DashboardNotFoundError" || m["message"] != "Dashboard x does not exist" {
		t.Errorf("error body = %v", m)
	}
	if got := w.Header().Get("X-Amzn-Query-Error"); got != "ResourceNotFound;Sender" {
		t.Errorf("X-Amzn-Query-Error = %q", got)
	}
}

func mustCBOR(t testing.TB, v any) []byte {
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCBORBadInput(t *testing.T) {
	h := awstest.Handler(t, cloudWatchService(&fakeCloudWatch{}))
	good := mustCBOR(t, map[string]any{"Namespace": "N", "MetricData": []any{map[string]any{"MetricName": "m"}}})
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
		msg    string
	}{
		{"truncated", func() *http.Request { return cborRequest(t, "PutMetricData", good[:len(good)-3]) }, 400, "SerializationException", "truncated"},
		{"not a map", func() *http.Request { return cborRequest(t, "PutMetricData", mustCBOR(t, 42)) }, 400, "SerializationException", "CBOR positive integer"},
		{"wrong member type", func() *http.Request {
			return cborRequest(t, "PutMetricData", mustCBOR(t, map[string]any{"Namespace": 7}))
		}, 400, "SerializationException", "Namespace"},
		{"trailing bytes", func() *http.Request { return cborRequest(t, "PutMetricData", append(append([]byte{}, good...), 0x01)) }, 400, "SerializationException", "extra data"},
		{"timestamp tag", func() *http.Request {
			return cborRequest(t, "PutMetricData", mustCBOR(t, map[string]any{"Namespace": "N", "MetricData": []any{map[string]any{"MetricName": "m", "Timestamp": cbor.Tag{Number: 99, Content: 1}}}}))
		}, 400, "SerializationException", "CBOR"},
		{"wrong content type", func() *http.Request {
			r := cborRequest(t, "PutMetricData", good)
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 400, "SerializationException", "application/cbor"},
		{"missing smithy-protocol", func() *http.Request {
			r := cborRequest(t, "PutMetricData", good)
			r.Header.Del("Smithy-Protocol")
			return r
		}, 400, "SerializationException", "smithy-protocol"},
		{"unknown operation", func() *http.Request { return cborRequest(t, "DescribeNothing", nil) }, 400, "UnknownOperationException", "DescribeNothing"},
		{"unknown service", func() *http.Request {
			r := cborRequest(t, "X", nil)
			r.URL.Path = "/service/NoSuchService/operation/X"
			return r
		}, 400, "UnknownOperationException", "NoSuchService"},
		{"broken gzip", func() *http.Request {
			r := cborRequest(t, "PutMetricData", []byte("not gzip"))
			r.Header.Set("Content-Encoding", "gzip")
			return r
		}, 400, "SerializationException", "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req())
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			body, _ := io.ReadAll(w.Body)
			m := decodeCBORMap(t, body)
			if m["__type"] != tt.code || !strings.Contains(fmt.Sprint(m["message"]), tt.msg) {
				t.Errorf("error = %v, want %s containing %q", m, tt.code, tt.msg)
			}
			if w.Header().Get("X-Amzn-Query-Error") == "" && tt.name != "unknown service" {
				t.Errorf("no X-Amzn-Query-Error header")
			}
		})
	}
}
