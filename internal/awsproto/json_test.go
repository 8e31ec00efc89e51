package awsproto_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codecommit"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codecommit/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/awstest"
)

type ccRepoMetadata struct {
	AccountID        string    `json:"accountId,omitempty"`
	RepositoryID     string    `json:"repositoryId,omitempty"`
	RepositoryName   string    `json:"repositoryName,omitempty"`
	Description      string    `json:"repositoryDescription,omitempty"`
	CreationDate     time.Time `json:"creationDate,omitzero"`
	LastModifiedDate time.Time `json:"lastModifiedDate,omitzero"`
	CloneURLHTTP     string    `json:"cloneUrlHttp,omitempty"`
}

type ccCreateRepositoryInput struct {
	RepositoryName string            `json:"repositoryName"`
	Description    string            `json:"repositoryDescription,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

type ccRepoOutput struct {
	RepositoryMetadata *ccRepoMetadata `json:"repositoryMetadata,omitempty"`
}

type ccGetRepositoryInput struct {
	RepositoryName string `json:"repositoryName"`
}

type ccBatchGetInput struct {
	RepositoryNames []string `json:"repositoryNames"`
}

type ccBatchGetOutput struct {
	Repositories         []ccRepoMetadata `json:"repositories"`
	RepositoriesNotFound []string         `json:"repositoriesNotFound"`
}

var errRepoNotFound = apierr.New(apierr.NotFound, "RepositoryDoesNotExistException", "repository does not exist")

type fakeCodeCommit struct {
	mu    sync.Mutex
	repos map[string]ccRepoMetadata
	tags  map[string]map[string]string
	now   time.Time
}

func (f *fakeCodeCommit) CreateRepository(ctx context.Context, in *ccCreateRepositoryInput) (*ccRepoOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.repos[in.RepositoryName]; ok {
		return nil, apierr.New(apierr.AlreadyExists, "RepositoryNameExistsException", "Repository named %s already exists", in.RepositoryName)
	}
	m := ccRepoMetadata{AccountID: "000000000000", RepositoryID: "id-" + in.RepositoryName, RepositoryName: in.RepositoryName,
		Description: in.Description, CreationDate: f.now, LastModifiedDate: f.now, CloneURLHTTP: "http://git/" + in.RepositoryName}
	f.repos[in.RepositoryName] = m
	f.tags[in.RepositoryName] = in.Tags
	return &ccRepoOutput{RepositoryMetadata: &m}, nil
}

func (f *fakeCodeCommit) GetRepository(ctx context.Context, in *ccGetRepositoryInput) (*ccRepoOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.repos[in.RepositoryName]
	if !ok {
		return nil, errRepoNotFound.With("%s does not exist", in.RepositoryName)
	}
	return &ccRepoOutput{RepositoryMetadata: &m}, nil
}

func (f *fakeCodeCommit) BatchGetRepositories(ctx context.Context, in *ccBatchGetInput) (*ccBatchGetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &ccBatchGetOutput{Repositories: []ccRepoMetadata{}, RepositoriesNotFound: []string{}}
	for _, n := range in.RepositoryNames {
		if m, ok := f.repos[n]; ok {
			out.Repositories = append(out.Repositories, m)
		} else {
			out.RepositoriesNotFound = append(out.RepositoriesNotFound, n)
		}
	}
	return out, nil
}

func (f *fakeCodeCommit) Boom(ctx context.Context, in *struct{}) (*struct{}, error) {
	panic("boom")
}

func (f *fakeCodeCommit) Fail(ctx context.Context, in *struct{}) (*struct{}, error) {
	return nil, errors.New("disk on fire at /var/secret")
}

func codeCommitService(f *fakeCodeCommit, protocol awsproto.Protocol) awsproto.Service {
	return awsproto.Service{
		Name:              "codecommit",
		Protocols:         []awsproto.Protocol{protocol},
		TargetPrefix:      "CodeCommit_20150413",
		AltTargetPrefixes: []string{"com.amazonaws.codecommit.v20150413.CodeCommit_20150413"},
		Ops: []awsproto.Op{
			awsproto.Handle("CreateRepository", f.CreateRepository),
			awsproto.Handle("GetRepository", f.GetRepository),
			awsproto.Handle("BatchGetRepositories", f.BatchGetRepositories),
			awsproto.Handle("Boom", f.Boom),
			awsproto.Handle("Fail", f.Fail),
		},
	}
}

func newFakeCodeCommit() *fakeCodeCommit {
	return &fakeCodeCommit{repos: map[string]ccRepoMetadata{}, tags: map[string]map[string]string{}, now: time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC)}
}

func TestJSON11CodeCommitSDK(t *testing.T) {
	f := newFakeCodeCommit()
	cc := codecommit.NewFromConfig(awstest.Config(t, codeCommitService(f, awsproto.JSON11)))
	ctx := context.Background()

	out, err := cc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{
		RepositoryName: aws.String("app"), RepositoryDescription: aws.String("the <app> & co"),
		Tags: map[string]string{"team": "a", "env": "dev"},
	})
	if err != nil {
		t.Fatal(err)
	}
	md := out.RepositoryMetadata
	if aws.ToString(md.RepositoryName) != "app" || aws.ToString(md.RepositoryDescription) != "the <app> & co" || !aws.ToTime(md.CreationDate).Equal(f.now) {
		t.Errorf("metadata = %+v (creation %v)", md, aws.ToTime(md.CreationDate))
	}
	if f.tags["app"]["team"] != "a" || f.tags["app"]["env"] != "dev" {
		t.Errorf("tags = %v", f.tags["app"])
	}

	_, err = cc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{RepositoryName: aws.String("app")})
	var exists *cctypes.RepositoryNameExistsException
	if !errors.As(err, &exists) || !strings.Contains(exists.ErrorMessage(), "app") {
		t.Errorf("err = %v, want RepositoryNameExistsException", err)
	}

	_, err = cc.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: aws.String("nope")})
	var dne *cctypes.RepositoryDoesNotExistException
	if !errors.As(err, &dne) || dne.ErrorMessage() != "nope does not exist" {
		t.Errorf("err = %v, want RepositoryDoesNotExistException", err)
	}

	bg, err := cc.BatchGetRepositories(ctx, &codecommit.BatchGetRepositoriesInput{RepositoryNames: []string{"app", "gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bg.Repositories) != 1 || len(bg.RepositoriesNotFound) != 1 || bg.RepositoriesNotFound[0] != "gone" {
		t.Errorf("batch = %+v", bg)
	}

	// An operation the fake lacks is named in the error.
	_, err = cc.DeleteRepository(ctx, &codecommit.DeleteRepositoryInput{RepositoryName: aws.String("app")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownOperationException" || !strings.Contains(ae.ErrorMessage(), "DeleteRepository") {
		t.Errorf("err = %v", err)
	}
}

func jsonRequest(target, ctype, body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return r
}

func TestJSONGolden(t *testing.T) {
	f := newFakeCodeCommit()
	h := awstest.Handler(t, codeCommitService(f, awsproto.JSON11), fakeJSON10Service())
	tests := []struct {
		name, target, ctype, body string
		status                    int
		wantCT, wantBody          string
		wantErrType               string
	}{
		{"1.1 success with epoch-second timestamps", "CodeCommit_20150413.CreateRepository", "application/x-amz-json-1.1",
			`{"repositoryName":"r1"}`, 200, "application/x-amz-json-1.1",
			`{"repositoryMetadata":{"accountId":"000000000000","repositoryId":"id-r1","repositoryName":"r1","creationDate":1735787045.678,"lastModifiedDate":1735787045.678,"cloneUrlHttp":"http://git/r1"}}`, ""},
		{"old target prefix", "com.amazonaws.codecommit.v20150413.CodeCommit_20150413.GetRepository", "application/x-amz-json-1.1",
			`{"repositoryName":"r1"}`, 200, "application/x-amz-json-1.1", `"repositoryName":"r1"`, ""},
		{"1.1 error envelope", "CodeCommit_20150413.GetRepository", "application/x-amz-json-1.1",
			`{"repositoryName":"zz"}`, 400, "application/x-amz-json-1.1",
			`{"__type":"RepositoryDoesNotExistException","message":"zz does not exist"}`, "RepositoryDoesNotExistException"},
		{"1.0 success, timestamps in and out", "Fake_20200101.Echo", "application/x-amz-json-1.0",
			`{"When":1700000000.5,"Names":["a","b"],"Blob":"aGk="}`, 200, "application/x-amz-json-1.0",
			`{"When":1700000000.5,"Names":["a","b"],"Blob":"aGk="}`, ""},
		{"1.0 ISO timestamp accepted", "Fake_20200101.Echo", "application/x-amz-json-1.0",
			`{"When":"2023-11-14T22:13:20Z"}`, 200, "application/x-amz-json-1.0", `{"When":1700000000}`, ""},
		{"1.0 error envelope", "Fake_20200101.Echo", "application/x-amz-json-1.0",
			`{"Names":["fail"]}`, 400, "application/x-amz-json-1.0",
			`{"__type":"ResourceNotFoundException","message":"no fail"}`, "ResourceNotFoundException"},
		{"no content type uses the service's JSON version", "Fake_20200101.Echo", "", `{}`, 200, "application/x-amz-json-1.0", `{}`, ""},
		{"empty body is an empty input", "Fake_20200101.Echo", "application/x-amz-json-1.0", ``, 200, "application/x-amz-json-1.0", `{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, jsonRequest(tt.target, tt.ctype, tt.body))
			if w.Code != tt.status {
				t.Errorf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("Content-Type"); got != tt.wantCT {
				t.Errorf("Content-Type %q, want %q", got, tt.wantCT)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("body %s\nwant   %s", w.Body, tt.wantBody)
			}
			if got := w.Header().Get("X-Amzn-ErrorType"); got != tt.wantErrType {
				t.Errorf("X-Amzn-ErrorType %q, want %q", got, tt.wantErrType)
			}
			if w.Header().Get("X-Amzn-RequestId") == "" {
				t.Error("no X-Amzn-RequestId")
			}
		})
	}
}

type echoShape struct {
	When  time.Time `json:"When,omitzero"`
	Names []string  `json:"Names,omitempty"`
	Blob  []byte    `json:"Blob,omitempty"`
}

func fakeJSON10Service() awsproto.Service {
	return awsproto.Service{
		Name:         "fake",
		Protocols:    []awsproto.Protocol{awsproto.JSON10},
		TargetPrefix: "Fake_20200101",
		Ops: []awsproto.Op{awsproto.Handle("Echo", func(ctx context.Context, in *echoShape) (*echoShape, error) {
			if len(in.Names) == 1 && in.Names[0] == "fail" {
				return nil, apierr.New(apierr.NotFound, "ResourceNotFoundException", "no fail")
			}
			if !in.When.IsZero() && in.When.Location() != time.UTC {
				return nil, apierr.New(apierr.Internal, "InternalFailure", "time not in UTC")
			}
			return in, nil
		})},
	}
}

func TestJSONBadInput(t *testing.T) {
	h := awstest.Handler(t, codeCommitService(newFakeCodeCommit(), awsproto.JSON11))
	tests := []struct {
		name, target, ctype, body string
		status                    int
		code, msg                 string
	}{
		{"malformed JSON", "CodeCommit_20150413.GetRepository", "application/x-amz-json-1.1", `{"repositoryName":`, 400, "SerializationException", "syntax error"},
		{"wrong member type", "CodeCommit_20150413.GetRepository", "application/x-amz-json-1.1", `{"repositoryName":5}`, 400, "SerializationException", "/repositoryName (expected string)"},
		{"not an object", "CodeCommit_20150413.GetRepository", "application/x-amz-json-1.1", `[1]`, 400, "SerializationException", "expected structure"},
		{"wrong content type", "CodeCommit_20150413.GetRepository", "text/plain", `{}`, 400, "SerializationException", "text/plain"},
		{"unknown target service", "Nope_20200101.GetThing", "application/x-amz-json-1.1", `{}`, 400, "UnknownOperationException", "Nope_20200101"},
		{"unknown operation", "CodeCommit_20150413.GetThing", "application/x-amz-json-1.1", `{}`, 400, "UnknownOperationException", "GetThing"},
		{"target without dot", "CodeCommit", "application/x-amz-json-1.1", `{}`, 400, "UnknownOperationException", "Service.Operation"},
		{"json content type but no target", "", "application/x-amz-json-1.1", `{}`, 400, "SerializationException", "X-Amz-Target"},
		{"nothing to route on", "", "", ``, 400, "UnknownOperationException", "matches no service"},
		{"panic becomes InternalFailure", "CodeCommit_20150413.Boom", "application/x-amz-json-1.1", `{}`, 500, "InternalFailure", "internal error"},
		{"plain error becomes InternalFailure without its text", "CodeCommit_20150413.Fail", "application/x-amz-json-1.1", `{}`, 500, "InternalFailure", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, jsonRequest(tt.target, tt.ctype, tt.body))
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if e.Type != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %s: %s; want %s containing %q", e.Type, e.Message, tt.code, tt.msg)
			}
			if strings.Contains(e.Message, "/var/secret") {
				t.Errorf("cause leaked: %s", e.Message)
			}
		})
	}
	// The router still serves after the panic.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, jsonRequest("CodeCommit_20150413.CreateRepository", "application/x-amz-json-1.1", `{"repositoryName":"after"}`))
	if w.Code != 200 {
		t.Errorf("after panic: status %d %s", w.Code, w.Body)
	}
}
