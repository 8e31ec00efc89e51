package awsproto_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/awstest"
)

// --- a fake CloudFormation (lists, nested structs, timestamps, bools, ints) ---

type cfParameter struct {
	ParameterKey     string `json:"ParameterKey,omitempty"`
	ParameterValue   string `json:"ParameterValue,omitempty"`
	UsePreviousValue *bool  `json:"UsePreviousValue,omitempty"`
}

type cfTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type cfCreateStackInput struct {
	StackName                   string        `json:"StackName"`
	TemplateBody                string        `json:"TemplateBody,omitempty"`
	Parameters                  []cfParameter `json:"Parameters,omitempty"`
	Capabilities                []string      `json:"Capabilities,omitempty"`
	Tags                        []cfTag       `json:"Tags,omitempty"`
	TimeoutInMinutes            *int32        `json:"TimeoutInMinutes,omitempty"`
	EnableTerminationProtection *bool         `json:"EnableTerminationProtection,omitempty"`
	NotificationARNs            []string      `json:"NotificationARNs"`
}

type cfCreateStackOutput struct {
	StackID string `json:"StackId,omitempty"`
}

type cfOutput struct {
	OutputKey   string `json:"OutputKey,omitempty"`
	OutputValue string `json:"OutputValue,omitempty"`
}

type cfStack struct {
	StackName                   string        `json:"StackName"`
	StackID                     string        `json:"StackId,omitempty"`
	CreationTime                time.Time     `json:"CreationTime,omitzero"`
	StackStatus                 string        `json:"StackStatus"`
	Parameters                  []cfParameter `json:"Parameters,omitempty"`
	Outputs                     []cfOutput    `json:"Outputs,omitempty"`
	Capabilities                []string      `json:"Capabilities,omitempty"`
	Tags                        []cfTag       `json:"Tags,omitempty"`
	EnableTerminationProtection bool          `json:"EnableTerminationProtection"`
	TimeoutInMinutes            int32         `json:"TimeoutInMinutes,omitzero"`
	NotificationARNs            []string      `json:"NotificationARNs"`
}

type cfDescribeStacksInput struct {
	StackName string `json:"StackName,omitempty"`
}

type cfDescribeStacksOutput struct {
	Stacks []cfStack `json:"Stacks"`
}

type fakeCloudFormation struct {
	mu     sync.Mutex
	stacks map[string]cfStack
	inputs []cfCreateStackInput
}

func (f *fakeCloudFormation) CreateStack(ctx context.Context, in *cfCreateStackInput) (*cfCreateStackOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.stacks[in.StackName]; ok {
		return nil, apierr.New(apierr.AlreadyExists, "AlreadyExistsException", "Stack [%s] already exists", in.StackName)
	}
	f.inputs = append(f.inputs, *in)
	s := cfStack{StackName: in.StackName, StackID: "arn:aws:cloudformation:us-east-1:000000000000:stack/" + in.StackName + "/1",
		CreationTime: time.Date(2024, 5, 6, 7, 8, 9, 120e6, time.UTC), StackStatus: "CREATE_COMPLETE",
		Parameters: in.Parameters, Capabilities: in.Capabilities, Tags: in.Tags, NotificationARNs: in.NotificationARNs,
		Outputs: []cfOutput{{OutputKey: "Url", OutputValue: "http://x/?a=1&b=<2>"}}}
	if in.EnableTerminationProtection != nil {
		s.EnableTerminationProtection = *in.EnableTerminationProtection
	}
	if in.TimeoutInMinutes != nil {
		s.TimeoutInMinutes = *in.TimeoutInMinutes
	}
	f.stacks[in.StackName] = s
	return &cfCreateStackOutput{StackID: s.StackID}, nil
}

func (f *fakeCloudFormation) DescribeStacks(ctx context.Context, in *cfDescribeStacksInput) (*cfDescribeStacksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.stacks[in.StackName]
	if !ok {
		return nil, apierr.New(apierr.Invalid, "ValidationError", "Stack with id %s does not exist", in.StackName)
	}
	return &cfDescribeStacksOutput{Stacks: []cfStack{s}}, nil
}

func cloudFormationService(f *fakeCloudFormation) awsproto.Service {
	return awsproto.Service{
		Name:         "cloudformation",
		Protocols:    []awsproto.Protocol{awsproto.Query},
		Version:      "2010-05-15",
		XMLNamespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateStack", f.CreateStack),
			awsproto.Handle("DescribeStacks", f.DescribeStacks),
		},
	}
}

func TestQueryCloudFormationSDK(t *testing.T) {
	f := &fakeCloudFormation{stacks: map[string]cfStack{}}
	cf := cloudformation.NewFromConfig(awstest.Config(t, cloudFormationService(f)))
	ctx := context.Background()

	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName:    aws.String("web"),
		TemplateBody: aws.String("Resources: {}\n# a & b = c"),
		Parameters: []cftypes.Parameter{
			{ParameterKey: aws.String("Env"), ParameterValue: aws.String("prod")},
			{ParameterKey: aws.String("Size"), UsePreviousValue: aws.Bool(true)},
		},
		Capabilities:                []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityNamedIam},
		Tags:                        []cftypes.Tag{{Key: aws.String("team"), Value: aws.String("a b")}},
		TimeoutInMinutes:            aws.Int32(30),
		EnableTerminationProtection: aws.Bool(true),
		NotificationARNs:            []string{}, // sent as NotificationARNs= (empty list)
	})
	if err != nil {
		t.Fatal(err)
	}
	in := f.inputs[0]
	if in.TemplateBody != "Resources: {}\n# a & b = c" || len(in.Parameters) != 2 || in.Parameters[1].UsePreviousValue == nil || !*in.Parameters[1].UsePreviousValue ||
		in.Capabilities[1] != "CAPABILITY_NAMED_IAM" || in.Tags[0].Value != "a b" || *in.TimeoutInMinutes != 30 || !*in.EnableTerminationProtection {
		t.Errorf("decoded input = %+v", in)
	}
	if in.NotificationARNs == nil || len(in.NotificationARNs) != 0 {
		t.Errorf("empty list decoded as %#v, want empty non-nil", in.NotificationARNs)
	}

	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Stacks[0]
	if aws.ToString(s.StackName) != "web" || !aws.ToTime(s.CreationTime).Equal(time.Date(2024, 5, 6, 7, 8, 9, 120e6, time.UTC)) ||
		s.StackStatus != cftypes.StackStatusCreateComplete || aws.ToString(s.Outputs[0].OutputValue) != "http://x/?a=1&b=<2>" ||
		len(s.Parameters) != 2 || aws.ToString(s.Parameters[0].ParameterValue) != "prod" || len(s.Capabilities) != 2 ||
		!aws.ToBool(s.EnableTerminationProtection) || aws.ToInt32(s.TimeoutInMinutes) != 30 || aws.ToString(s.Tags[0].Key) != "team" {
		t.Errorf("stack = %+v", s)
	}

	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("web")})
	var ae *cftypes.AlreadyExistsException
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "[web]") {
		t.Errorf("err = %v, want AlreadyExistsException", err)
	}
	_, err = cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("nope")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationError" || api.ErrorMessage() != "Stack with id nope does not exist" {
		t.Errorf("err = %v, want ValidationError", err)
	}
	_, err = cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("web")})
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidAction" || !strings.Contains(api.ErrorMessage(), "DeleteStack") {
		t.Errorf("err = %v, want InvalidAction naming DeleteStack", err)
	}
}

// --- a fake SNS (maps in requests and responses, a query error code resolved by the SDK) ---

type snsTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type snsCreateTopicInput struct {
	Name       string            `json:"Name"`
	Attributes map[string]string `json:"Attributes,omitempty"`
	Tags       []snsTag          `json:"Tags,omitempty"`
}

type snsCreateTopicOutput struct {
	TopicArn string `json:"TopicArn"`
}

type snsGetTopicAttributesInput struct {
	TopicArn string `json:"TopicArn"`
}

type snsGetTopicAttributesOutput struct {
	Attributes map[string]string `json:"Attributes"`
}

type fakeSNS struct {
	mu     sync.Mutex
	topics map[string]map[string]string
	tags   map[string][]snsTag
}

func (f *fakeSNS) CreateTopic(ctx context.Context, in *snsCreateTopicInput) (*snsCreateTopicOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := "arn:aws:sns:us-east-1:000000000000:" + in.Name
	attrs := map[string]string{"TopicArn": arn}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	f.topics[arn] = attrs
	f.tags[arn] = in.Tags
	return &snsCreateTopicOutput{TopicArn: arn}, nil
}

func (f *fakeSNS) GetTopicAttributes(ctx context.Context, in *snsGetTopicAttributesInput) (*snsGetTopicAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.topics[in.TopicArn]
	if !ok {
		e := apierr.New(apierr.NotFound, "NotFound", "Topic does not exist")
		e.Status = http.StatusNotFound
		return nil, e
	}
	return &snsGetTopicAttributesOutput{Attributes: a}, nil
}

func snsService(f *fakeSNS) awsproto.Service {
	return awsproto.Service{
		Name: "sns", Protocols: []awsproto.Protocol{awsproto.Query}, Version: "2010-03-31",
		XMLNamespace: "http://sns.amazonaws.com/doc/2010-03-31/",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateTopic", f.CreateTopic),
			awsproto.Handle("GetTopicAttributes", f.GetTopicAttributes),
		},
	}
}

func TestQuerySNSMapsSDK(t *testing.T) {
	f := &fakeSNS{topics: map[string]map[string]string{}, tags: map[string][]snsTag{}}
	c := sns.NewFromConfig(awstest.Config(t, snsService(f)))
	ctx := context.Background()
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{
		Name:       aws.String("t"),
		Attributes: map[string]string{"DisplayName": "T & co", "Policy": `{"a":"<b>"}`},
		Tags:       []snstypes.Tag{{Key: aws.String("k1"), Value: aws.String("v1")}, {Key: aws.String("k2"), Value: aws.String("v2")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TopicArn)
	if len(f.tags[arn]) != 2 || f.tags[arn][1].Value != "v2" {
		t.Errorf("tags = %v", f.tags[arn])
	}
	ga, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: out.TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	if ga.Attributes["DisplayName"] != "T & co" || ga.Attributes["Policy"] != `{"a":"<b>"}` || ga.Attributes["TopicArn"] != arn {
		t.Errorf("attributes = %v", ga.Attributes)
	}
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:none")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("err = %T %v, want *NotFoundException (resolved from query code NotFound)", err, err)
	}
}

func formRequest(form string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

func TestQueryGolden(t *testing.T) {
	f := &fakeCloudFormation{stacks: map[string]cfStack{}}
	h := awstest.Handler(t, cloudFormationService(f), snsService(&fakeSNS{topics: map[string]map[string]string{}, tags: map[string][]snsTag{}}))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, formRequest("Action=CreateStack&Version=2010-05-15&StackName=s1&Parameters.member.1.ParameterKey=A&Parameters.member.1.ParameterValue=1&Tags.member.1.Key=k&Tags.member.1.Value=v&Capabilities.member.1=CAPABILITY_IAM"))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<CreateStackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><CreateStackResult><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/s1/1</StackId></CreateStackResult><ResponseMetadata><RequestId>` + w.Header().Get("X-Amzn-RequestId") + `</RequestId></ResponseMetadata></CreateStackResponse>`
	if w.Body.String() != want {
		t.Errorf("body\n%s\nwant\n%s", w.Body, want)
	}
	if w.Header().Get("Content-Type") != "text/xml" {
		t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
	}

	// GET with the parameters in the URL; nested lists, timestamps, escaping in the response.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/?Action=DescribeStacks&Version=2010-05-15&StackName=s1", nil))
	for _, s := range []string{
		`<DescribeStacksResult><Stacks><member><StackName>s1</StackName>`,
		`<CreationTime>2024-05-06T07:08:09.120Z</CreationTime>`,
		`<Parameters><member><ParameterKey>A</ParameterKey><ParameterValue>1</ParameterValue></member></Parameters>`,
		`<Outputs><member><OutputKey>Url</OutputKey><OutputValue>http://x/?a=1&amp;b=&lt;2&gt;</OutputValue></member></Outputs>`,
		`<Capabilities><member>CAPABILITY_IAM</member></Capabilities>`,
		`<EnableTerminationProtection>false</EnableTerminationProtection>`,
	} {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("response lacks %s\n%s", s, w.Body)
		}
	}

	// Flattened lists and custom member names are accepted in requests.
	f2 := &fakeCloudFormation{stacks: map[string]cfStack{}}
	h2 := awstest.Handler(t, cloudFormationService(f2))
	for i, form := range []string{
		"Action=CreateStack&Version=2010-05-15&StackName=a&Capabilities.1=X&Capabilities.2=Y",
		"Action=CreateStack&Version=2010-05-15&StackName=b&Capabilities.Item.1=X&Capabilities.Item.2=Y",
	} {
		w = httptest.NewRecorder()
		h2.ServeHTTP(w, formRequest(form))
		if w.Code != 200 || strings.Join(f2.inputs[i].Capabilities, ",") != "X,Y" {
			t.Errorf("%s: %d %v", form, w.Code, f2.inputs[len(f2.inputs)-1].Capabilities)
		}
	}

	// Maps: entry/key/value in, entry/key/value out, sorted by key.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, formRequest("Action=CreateTopic&Version=2010-03-31&Name=t&Attributes.entry.1.key=B&Attributes.entry.1.value=2&Attributes.entry.2.key=A&Attributes.entry.2.value=1"))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, formRequest("Action=GetTopicAttributes&Version=2010-03-31&TopicArn="+url.QueryEscape("arn:aws:sns:us-east-1:000000000000:t")))
	if want := `<Attributes><entry><key>A</key><value>1</value></entry><entry><key>B</key><value>2</value></entry><entry><key>TopicArn</key>`; !strings.Contains(w.Body.String(), want) {
		t.Errorf("response lacks %s\n%s", want, w.Body)
	}

	// Error XML.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, formRequest("Action=DescribeStacks&Version=2010-05-15&StackName=zz"))
	want = `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id zz does not exist</Message></Error><RequestId>` + w.Header().Get("X-Amzn-RequestId") + `</RequestId></ErrorResponse>`
	if w.Code != 400 || !strings.HasSuffix(w.Body.String(), want) {
		t.Errorf("%d\n%s\nwant suffix\n%s", w.Code, w.Body, want)
	}
}

func TestQueryBadInput(t *testing.T) {
	f := &fakeCloudFormation{stacks: map[string]cfStack{}}
	h := awstest.Handler(t, cloudFormationService(f))
	tests := []struct {
		name   string
		req    *http.Request
		status int
		code   string
		msg    string
	}{
		{"garbled body", formRequest("Action=CreateStack&Version=2010-05-15&StackName=%zz"), 400, "MalformedQueryString", "not a valid query string"},
		{"missing Action", formRequest("Version=2010-05-15&StackName=a"), 400, "MissingAction", "Action"},
		{"missing Version", signedForm("cloudformation", "Action=CreateStack&StackName=a"), 400, "MissingParameter", "Version"},
		{"unknown Version", formRequest("Action=CreateStack&Version=2099-01-01"), 400, "InvalidAction", "2099-01-01"},
		{"unknown Version for the signed service", signedForm("cloudformation", "Action=CreateStack&Version=2099-01-01"), 400, "InvalidAction", "Could not find operation CreateStack for version 2099-01-01"},
		{"unknown Action", formRequest("Action=UpdateStackSet&Version=2010-05-15"), 400, "InvalidAction", "UpdateStackSet"},
		{"bad integer", formRequest("Action=CreateStack&Version=2010-05-15&StackName=a&TimeoutInMinutes=ten"), 400, "InvalidParameterValue", "TimeoutInMinutes"},
		{"bad boolean", formRequest("Action=CreateStack&Version=2010-05-15&StackName=a&EnableTerminationProtection=yes"), 400, "InvalidParameterValue", "boolean"},
		{"wrong Content-Type for a signed query service", func() *http.Request {
			r := signedForm("cloudformation", "Action=CreateStack&Version=2010-05-15")
			r.Header.Set("Content-Type", "text/plain")
			return r
		}(), 400, "MalformedQueryString", "text/plain"},
		{"oversized body", formRequest("Action=CreateStack&Version=2010-05-15&TemplateBody=" + strings.Repeat("x", 2<<20)), 413, "RequestEntityTooLarge", "limit"},
	}
	h.Register(cloudFormationService(f))
	small := awsproto.NewRouter(awsproto.RouterOptions{Account: "000000000000", Region: "us-east-1", MaxBody: 1 << 20})
	small.Register(cloudFormationService(f))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			small.ServeHTTP(w, tt.req)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			body := w.Body.String()
			if !strings.Contains(body, "<Code>"+tt.code+"</Code>") || !strings.Contains(body, tt.msg) || !strings.Contains(body, "<ErrorResponse") {
				t.Errorf("body %s\nwant %s containing %q", body, tt.code, tt.msg)
			}
		})
	}
}

// signedForm is a form request with a SigV4 Authorization header naming service (unverified by
// the default authenticator).
func signedForm(service, form string) *http.Request {
	r := formRequest(form)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/"+service+"/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
	return r
}
