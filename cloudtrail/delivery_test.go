package cloudtrail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
)

type delivered struct {
	Records []map[string]any
}

func (f *fixture) files(t *testing.T, bucket, prefix string) map[string]delivered {
	t.Helper()
	out := map[string]delivered{}
	for _, k := range f.objs.keys(bucket, prefix) {
		b, _ := f.objs.GetObject(context.Background(), bucket, k)
		var d delivered
		if err := json.Unmarshal(gunzip(t, b), &d); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		out[k] = d
	}
	return out
}

func eventNames(fs map[string]delivered) []string {
	var names []string
	for _, d := range fs {
		for _, r := range d.Records {
			names = append(names, r["eventName"].(string))
		}
	}
	sort.Strings(names)
	return names
}

func TestDeliveryToS3LogsAndDigests(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	f.objs.CreateBucket(ctx, "trail-bucket")
	tr, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "main", S3BucketName: "trail-bucket", EnableLogFileValidation: ptr(true),
		CloudWatchLogsLogGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:ct:*", CloudWatchLogsRoleArn: "arn:aws:iam::000000000000:role/ct"})
	if err != nil {
		t.Fatal(err)
	}
	f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: "main"})
	f.call(ctx, "CreateRepository", &repoIn{RepositoryName: "web"})
	f.call(ctx, "GetRepository", &repoIn{RepositoryName: "web"})
	f.clk.Advance(4 * time.Minute)
	f.ct.Flush(ctx)
	if ks := f.objs.keys("trail-bucket", "AWSLogs/"); len(ks) != 0 {
		t.Fatalf("delivered before 5 minutes: %v", ks)
	}
	f.clk.Advance(time.Minute)
	f.ct.Flush(ctx)
	fs := f.files(t, "trail-bucket", "AWSLogs/000000000000/CloudTrail/us-east-1/2026/03/01/000000000000_CloudTrail_us-east-1_20260301T1205Z_")
	if len(fs) != 1 {
		t.Fatalf("files = %v", f.objs.keys("trail-bucket", ""))
	}
	// exactly the calls made after StartLogging, before the delivery
	if got := strings.Join(eventNames(fs), ","); got != "CreateRepository,GetRepository,StartLogging" {
		t.Errorf("delivered %s", got)
	}
	st, _ := f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: "main"})
	if !st.LatestDeliveryTime.Equal(t0.Add(5*time.Minute)) || st.LatestDeliveryError != "" || !st.LatestCloudWatchLogsDeliveryTime.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("status = %+v", st)
	}
	f.logs.mu.Lock()
	evs := f.logs.events["arn:aws:logs:us-east-1:000000000000:log-group:ct:*|000000000000_CloudTrail_us-east-1"]
	f.logs.mu.Unlock()
	if len(evs) != 3 || !strings.Contains(evs[0].Message, `"eventSource"`) {
		t.Errorf("log events = %+v", evs)
	}

	// more traffic, then the hourly digests chain and verify
	for i := 0; i < 3; i++ {
		f.call(ctx, "PutFile", &repoIn{RepositoryName: "web"})
		f.clk.Advance(20 * time.Minute)
		f.ct.Flush(ctx)
	}
	f.clk.Advance(time.Hour)
	f.ct.Flush(ctx)
	digests := f.objs.keys("trail-bucket", "AWSLogs/000000000000/CloudTrail-Digest/us-east-1/2026/03/01/000000000000_CloudTrail-Digest_us-east-1_main_us-east-1_")
	if len(digests) < 2 {
		t.Fatalf("digests = %v", digests)
	}
	pub, err := f.ct.PublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prevSig, prevHash := "", ""
	covered := map[string]bool{}
	for _, k := range digests {
		gz, _ := f.objs.GetObject(ctx, "trail-bucket", k)
		raw := gunzip(t, gz)
		var d struct {
			DigestEndTime string  `json:"digestEndTime"`
			PrevSig       *string `json:"previousDigestSignature"`
			PrevHash      *string `json:"previousDigestHashValue"`
			Object        string  `json:"digestS3Object"`
			LogFiles      []struct {
				S3Object  string `json:"s3Object"`
				HashValue string `json:"hashValue"`
			} `json:"logFiles"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		if d.Object != k {
			t.Errorf("digestS3Object %s != %s", d.Object, k)
		}
		if (d.PrevSig == nil) != (prevSig == "") || d.PrevSig != nil && (*d.PrevSig != prevSig || *d.PrevHash != prevHash) {
			t.Errorf("%s: chain broken", k)
		}
		sigHex, alg, err := f.ct.DigestSignature(ctx, "trail-bucket", k)
		if err != nil || alg != "SHA256withECDSA" {
			t.Fatalf("signature: %v %s", err, alg)
		}
		sig, _ := hex.DecodeString(sigHex)
		h := sha256.Sum256([]byte(cloudtrail.DigestSigningString(d.DigestEndTime, "trail-bucket", k, raw, prevSig)))
		if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), h[:], sig) {
			t.Errorf("%s: signature does not verify", k)
		}
		for _, lf := range d.LogFiles {
			gz, err := f.objs.GetObject(ctx, "trail-bucket", lf.S3Object)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(gunzip(t, gz))
			if hex.EncodeToString(sum[:]) != lf.HashValue {
				t.Errorf("%s: hash mismatch", lf.S3Object)
			}
			covered[lf.S3Object] = true
		}
		sum := sha256.Sum256(raw)
		prevSig, prevHash = sigHex, hex.EncodeToString(sum[:])
	}
	for _, k := range f.objs.keys("trail-bucket", "AWSLogs/000000000000/CloudTrail/") {
		if !covered[k] {
			t.Errorf("log file %s not in any digest", k)
		}
	}
	pk, err := f.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(pk.PublicKeyList) != 1 || len(pk.PublicKeyList[0].Value) == 0 {
		t.Errorf("ListPublicKeys = %+v %v", pk, err)
	}

	// StopLogging delivers at once and later calls are not delivered
	f.call(ctx, "DeleteRepository", &repoIn{RepositoryName: "web"})
	before := len(f.objs.keys("trail-bucket", "AWSLogs/000000000000/CloudTrail/"))
	if _, err := f.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: tr.TrailARN}); err != nil {
		t.Fatal(err)
	}
	if after := len(f.objs.keys("trail-bucket", "AWSLogs/000000000000/CloudTrail/")); after != before+1 {
		t.Errorf("StopLogging delivered %d files", after-before)
	}
	f.call(ctx, "CreateRepository", &repoIn{RepositoryName: "late"})
	f.clk.Advance(10 * time.Minute)
	f.ct.Flush(ctx)
	for _, d := range f.files(t, "trail-bucket", "AWSLogs/000000000000/CloudTrail/") {
		for _, r := range d.Records {
			if rp, ok := r["requestParameters"].(map[string]any); ok && rp["repositoryName"] == "late" {
				t.Error("delivered an event after StopLogging")
			}
		}
	}
}

func TestEventBridge(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	var mu sync.Mutex
	var got []eventbus.Event
	f.bus.Subscribe(func(_ context.Context, e eventbus.Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	f.call(ctx, "CreateRepository", &repoIn{RepositoryName: "web"})
	f.call(ctx, "GetRepository", &repoIn{RepositoryName: "web"})
	f.ct.RecordS3Object(ctx, "PutObject", "b", "k", nil) // data event, no trail selects it
	f.ct.Flush(ctx)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("events = %+v", got)
	}
	e := got[0]
	var d map[string]any
	json.Unmarshal(e.Detail, &d)
	if e.DetailType != "AWS API Call via CloudTrail" || e.Source != "aws.codecommit" || d["eventName"] != "CreateRepository" ||
		len(e.Resources) != 1 || e.Resources[0] != "arn:aws:codecommit:us-east-1:000000000000:web" {
		t.Errorf("event = %+v detail %v", e, d)
	}
}

func TestSelectors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		put  cloudtrail.PutEventSelectorsInput
		want string // delivered event names, sorted
	}{
		{"write only", cloudtrail.PutEventSelectorsInput{EventSelectors: []cloudtrail.EventSelector{{ReadWriteType: "WriteOnly"}}},
			"CreateRepository,GitPush"},
		{"exclude source", cloudtrail.PutEventSelectorsInput{EventSelectors: []cloudtrail.EventSelector{{ExcludeManagementEventSources: []string{"codecommit.amazonaws.com"}}}},
			""},
		{"s3 bucket data", cloudtrail.PutEventSelectorsInput{EventSelectors: []cloudtrail.EventSelector{{IncludeManagementEvents: ptr(false),
			DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::data/"}}}}}},
			"GetObject,PutObject"},
		{"s3 read data", cloudtrail.PutEventSelectorsInput{EventSelectors: []cloudtrail.EventSelector{{IncludeManagementEvents: ptr(false), ReadWriteType: "ReadOnly",
			DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}}}},
			"GetObject,GetObject"},
		{"advanced management writes", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{Name: "w", FieldSelectors: []cloudtrail.AdvancedFieldSelector{
			{Field: "eventCategory", Equals: []string{"Management"}}, {Field: "readOnly", Equals: []string{"false"}}, {Field: "eventName", NotStartsWith: []string{"Git"}}}}}},
			"CreateRepository"},
		{"advanced data by ARN", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
			{Field: "eventCategory", Equals: []string{"Data"}}, {Field: "resources.type", Equals: []string{"AWS::S3::Object"}},
			{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::other/"}}}}}},
			"GetObject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cloudtrail.Options{})
			f.objs.CreateBucket(ctx, "tbucket")
			f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "sel", S3BucketName: "tbucket"})
			tc.put.TrailName = "sel"
			if _, err := f.ct.PutEventSelectors(ctx, &tc.put); err != nil {
				t.Fatal(err)
			}
			f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: "sel"})
			f.ct.Flush(ctx)
			f.clk.Advance(5 * time.Minute) // StartLogging itself goes in the first file
			f.ct.Flush(ctx)
			base := len(f.objs.keys("tbucket", ""))
			f.call(ctx, "CreateRepository", &repoIn{RepositoryName: "web"})
			f.call(ctx, "GetRepository", &repoIn{RepositoryName: "web"})
			f.ct.RecordGit(ctx, "GitPush", "web", nil)
			f.ct.RecordS3Object(ctx, "PutObject", "data", "a.txt", nil)
			f.ct.RecordS3Object(ctx, "GetObject", "data", "a.txt", nil)
			f.ct.RecordS3Object(ctx, "GetObject", "other", "b.txt", nil)
			f.clk.Advance(5 * time.Minute)
			f.ct.Flush(ctx)
			all := f.files(t, "tbucket", "")
			keys := f.objs.keys("tbucket", "")
			fresh := map[string]delivered{}
			for _, k := range keys {
				if !strings.Contains(k, "T1200Z") && !strings.Contains(k, "T1205Z") {
					fresh[k] = all[k]
				}
			}
			_ = base
			if got := strings.Join(eventNames(fresh), ","); got != tc.want {
				t.Errorf("delivered %q, want %q", got, tc.want)
			}
			// data events never show in event history; git events do
			if n := len(lookup(t, f, ctx, byAttr("EventSource", "s3.amazonaws.com")).Events); n != 0 {
				t.Errorf("s3 data events in history: %d", n)
			}
			if n := len(lookup(t, f, ctx, byAttr("EventName", "GitPush")).Events); n != 1 {
				t.Errorf("GitPush in history: %d", n)
			}
		})
	}
}

func TestOrganizationTrail(t *testing.T) {
	const mgmt, member, outsider = "111111111111", "222222222222", "333333333333"
	f := newFixture(t, cloudtrail.Options{Organization: &cloudtrail.Organization{ID: "o-abc123", ManagementAccount: mgmt, Members: []string{member}}})
	mctx := identity.With(context.Background(), identity.Caller{Account: mgmt})
	uctx := identity.With(context.Background(), identity.Caller{Account: member})
	octx := identity.With(context.Background(), identity.Caller{Account: outsider})
	f.objs.CreateBucket(mctx, "org-bucket")
	if _, err := f.ct.CreateTrail(uctx, &cloudtrail.CreateTrailInput{Name: "mine", S3BucketName: "org-bucket", IsOrganizationTrail: ptr(true)}); !isCode(err, "NotOrganizationMasterAccountException") {
		t.Errorf("member org trail: %v", err)
	}
	tr, err := f.ct.CreateTrail(mctx, &cloudtrail.CreateTrailInput{Name: "org", S3BucketName: "org-bucket", IsOrganizationTrail: ptr(true), IsMultiRegionTrail: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	f.ct.StartLogging(mctx, &cloudtrail.StartLoggingInput{Name: "org"})
	d, _ := f.ct.DescribeTrails(uctx, &cloudtrail.DescribeTrailsInput{})
	if len(d.TrailList) != 1 || !d.TrailList[0].IsOrganizationTrail {
		t.Errorf("member sees %+v", d.TrailList)
	}
	if d, _ := f.ct.DescribeTrails(octx, &cloudtrail.DescribeTrailsInput{}); len(d.TrailList) != 0 {
		t.Errorf("outsider sees %+v", d.TrailList)
	}
	if _, err := f.ct.StopLogging(uctx, &cloudtrail.StopLoggingInput{Name: tr.TrailARN}); !isCode(err, "NotOrganizationMasterAccountException") {
		t.Errorf("member stops org trail: %v", err)
	}
	if _, err := f.ct.GetTrail(octx, &cloudtrail.GetTrailInput{Name: tr.TrailARN}); !isCode(err, "TrailNotFoundException") {
		t.Errorf("outsider reads org trail: %v", err)
	}
	f.call(uctx, "CreateRepository", &repoIn{RepositoryName: "member-repo"})
	f.call(octx, "CreateRepository", &repoIn{RepositoryName: "outsider-repo"})
	f.clk.Advance(5 * time.Minute)
	f.ct.Flush(mctx)
	fs := f.files(t, "org-bucket", "AWSLogs/o-abc123/"+member+"/CloudTrail/us-east-1/")
	if got := strings.Join(eventNames(fs), ","); !strings.Contains(got, "CreateRepository") {
		t.Errorf("member events in management bucket: %s (keys %v)", got, f.objs.keys("org-bucket", ""))
	}
	if ks := f.objs.keys("org-bucket", "AWSLogs/o-abc123/"+outsider); len(ks) != 0 {
		t.Errorf("outsider delivered: %v", ks)
	}
	// event history stays per account
	if n := len(lookup(t, f, mctx, byAttr("ResourceName", "member-repo")).Events); n != 0 {
		t.Errorf("management history shows member events: %d", n)
	}
	if n := len(lookup(t, f, uctx, byAttr("ResourceName", "member-repo")).Events); n != 1 {
		t.Errorf("member history: %d", n)
	}
}

func TestDataEventsToEventBridge(t *testing.T) {
	f := newFixture(t, cloudtrail.Options{})
	ctx := context.Background()
	var mu sync.Mutex
	var got []eventbus.Event
	f.bus.Subscribe(func(_ context.Context, e eventbus.Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	f.objs.CreateBucket(ctx, "src-bucket")
	f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: "data", S3BucketName: "src-bucket"})
	f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: "data", EventSelectors: []cloudtrail.EventSelector{{
		ReadWriteType: "WriteOnly", IncludeManagementEvents: ptr(false),
		DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::src-bucket/app.zip"}}}}}})
	f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: "data"})
	alice := user("000000000000", "alice")
	f.ct.RecordS3Object(alice, "PutObject", "src-bucket", "app.zip", nil)
	f.ct.RecordS3Object(alice, "PutObject", "src-bucket", "other.zip", nil)
	f.ct.RecordS3Object(alice, "GetObject", "src-bucket", "app.zip", nil)
	f.ct.Flush(ctx)
	mu.Lock()
	defer mu.Unlock()
	var s3 []map[string]any
	for _, e := range got {
		if e.Source == "aws.s3" {
			var d map[string]any
			json.Unmarshal(e.Detail, &d)
			s3 = append(s3, d)
		}
	}
	if len(s3) != 1 {
		t.Fatalf("s3 events = %v", s3)
	}
	d := s3[0]
	rp := d["requestParameters"].(map[string]any)
	if d["eventName"] != "PutObject" || rp["key"] != "app.zip" || d["managementEvent"] != false || d["eventCategory"] != "Data" ||
		d["userIdentity"].(map[string]any)["userName"] != "alice" {
		t.Errorf("detail = %v", d)
	}
}
