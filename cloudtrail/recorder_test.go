package cloudtrail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/identity"
)

func TestRecordShape(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	alice := user("000000000000", "alice")
	if err := f.call(alice, "CreateRepository", &repoIn{RepositoryName: "web", Password: "hunter2", Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	out := lookup(t, f, alice, byAttr("EventName", "CreateRepository"))
	if len(out.Events) != 1 {
		t.Fatalf("got %d events", len(out.Events))
	}
	e := out.Events[0]
	if e.Username != "alice" || e.AccessKeyID != "AKIAALICE" || e.ReadOnly != "false" || e.EventSource != "codecommit.amazonaws.com" {
		t.Errorf("event = %+v", e)
	}
	if len(e.Resources) != 1 || e.Resources[0].ResourceType != "AWS::CodeCommit::Repository" || e.Resources[0].ResourceName != "web" {
		t.Errorf("resources = %+v", e.Resources)
	}
	r := decode(t, e.CloudTrailEvent)
	want := map[string]any{
		"eventSource": "codecommit.amazonaws.com", "eventName": "CreateRepository", "awsRegion": "us-east-1",
		"sourceIPAddress": "203.0.113.7", "userAgent": "test-agent/1.0", "eventType": "AwsApiCall",
		"managementEvent": true, "readOnly": false, "recipientAccountId": "000000000000", "eventCategory": "Management",
		"eventID": e.EventID, "eventTime": "2026-03-01T12:00:00Z",
	}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s = %v, want %v", k, r[k], v)
		}
	}
	ui := r["userIdentity"].(map[string]any)
	if ui["type"] != "IAMUser" || ui["userName"] != "alice" || ui["arn"] != "arn:aws:iam::000000000000:user/alice" || ui["accessKeyId"] != "AKIAALICE" {
		t.Errorf("userIdentity = %v", ui)
	}
	rp := r["requestParameters"].(map[string]any)
	if rp["repositoryName"] != "web" || rp["password"] != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("requestParameters = %v", rp)
	}
	re := r["responseElements"].(map[string]any)
	if re["repositoryId"] != "id-web" {
		t.Errorf("responseElements = %v", re)
	}
	if r["requestID"] == "" || r["requestID"] == nil {
		t.Error("no requestID")
	}
}

func TestRecordVariants(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	root := context.Background()
	role := identity.With(root, identity.Caller{Type: "AssumedRole", UserID: "AROAXYZ:deployer",
		PrincipalARN: "arn:aws:sts::000000000000:assumed-role/Deploy/deployer", AccessKeyID: "ASIAX"})
	svc := identity.InService(user("000000000000", "bob"), "codepipeline.amazonaws.com")

	f.call(root, "GetRepository", &repoIn{RepositoryName: "web"})
	f.call(role, "DeleteRepository", &repoIn{RepositoryName: "missing"})
	f.call(svc, "UpdateRepositoryDescription", &repoIn{RepositoryName: "web", Content: make([]byte, 5000)})

	tests := []struct {
		name  string
		check func(t *testing.T, r map[string]any, e cloudtrail.Event)
		event string
	}{
		{"root read", func(t *testing.T, r map[string]any, e cloudtrail.Event) {
			ui := r["userIdentity"].(map[string]any)
			if ui["type"] != "Root" || e.Username != "root" || r["readOnly"] != true || r["responseElements"] != nil {
				t.Errorf("record = %v", r)
			}
		}, "GetRepository"},
		{"assumed role failure", func(t *testing.T, r map[string]any, e cloudtrail.Event) {
			ui := r["userIdentity"].(map[string]any)
			sc := ui["sessionContext"].(map[string]any)["sessionIssuer"].(map[string]any)
			if ui["type"] != "AssumedRole" || sc["arn"] != "arn:aws:iam::000000000000:role/Deploy" || sc["userName"] != "Deploy" {
				t.Errorf("identity = %v", ui)
			}
			if r["errorCode"] != "RepositoryDoesNotExistException" || !strings.Contains(r["errorMessage"].(string), "missing") || r["responseElements"] != nil {
				t.Errorf("record = %v", r)
			}
			if e.Username != "deployer" {
				t.Errorf("username = %s", e.Username)
			}
		}, "DeleteRepository"},
		{"service to service", func(t *testing.T, r map[string]any, e cloudtrail.Event) {
			ui := r["userIdentity"].(map[string]any)
			if r["sourceIPAddress"] != "codepipeline.amazonaws.com" || r["userAgent"] != "codepipeline.amazonaws.com" || ui["invokedBy"] != "codepipeline.amazonaws.com" {
				t.Errorf("record = %v", r)
			}
			if c := r["requestParameters"].(map[string]any)["content"]; c != "<5000 bytes omitted>" {
				t.Errorf("content = %v", c)
			}
		}, "UpdateRepositoryDescription"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := lookup(t, f, root, byAttr("EventName", tc.event))
			if len(out.Events) != 1 {
				t.Fatalf("%d events", len(out.Events))
			}
			tc.check(t, decode(t, out.Events[0].CloudTrailEvent), out.Events[0])
		})
	}
}

func TestInputReuseDoesNotChangeRecord(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	in := &repoIn{RepositoryName: "a"}
	for _, tok := range []string{"", "t1", "t2"} {
		in.NextToken = tok
		f.call(ctx, "ListRepositories", in)
	}
	out := lookup(t, f, ctx, byAttr("EventName", "ListRepositories"))
	var got []string
	for _, e := range out.Events {
		rp := decode(t, e.CloudTrailEvent)["requestParameters"].(map[string]any)
		tok, _ := rp["nextToken"].(string)
		got = append(got, tok)
	}
	if strings.Join(got, ",") != "t2,t1," {
		t.Errorf("tokens newest first = %v", got)
	}
}

func TestSecureStringRedacted(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	type putParam struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	d := f.env.Dispatcher("ssm", "ssm.amazonaws.com")
	ctx := context.Background()
	for _, typ := range []string{"SecureString", "String"} {
		dispatchDo(ctx, d, "PutParameter", &putParam{Name: "p-" + typ, Type: typ, Value: "s3cret"})
	}
	out := lookup(t, f, ctx, byAttr("EventName", "PutParameter"))
	for _, e := range out.Events {
		rp := decode(t, e.CloudTrailEvent)["requestParameters"].(map[string]any)
		want := "s3cret"
		if rp["type"] == "SecureString" {
			want = "HIDDEN_DUE_TO_SECURITY_REASONS"
		}
		if rp["value"] != want {
			t.Errorf("%v: value = %v", rp["type"], rp["value"])
		}
	}
}
