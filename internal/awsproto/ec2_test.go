package awsproto_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/internal/awstest"
)

type ec2Filter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values" ec2:"Value"`
}

type ec2Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type ec2TagSpec struct {
	ResourceType string   `json:"ResourceType"`
	Tags         []ec2Tag `json:"Tags" ec2:"Tag"`
}

type ec2State struct {
	Code int32  `json:"Code"`
	Name string `json:"Name"`
}

type ec2Instance struct {
	InstanceID   string    `json:"InstanceId"`
	ImageID      string    `json:"ImageId"`
	InstanceType string    `json:"InstanceType"`
	LaunchTime   time.Time `json:"LaunchTime,omitzero"`
	State        ec2State  `json:"State" xml:"instanceState"`
	Tags         []ec2Tag  `json:"Tags,omitempty" xml:"tagSet"`
	EbsOptimized bool      `json:"EbsOptimized"`
}

type ec2Reservation struct {
	ReservationID string        `json:"ReservationId"`
	OwnerID       string        `json:"OwnerId"`
	Instances     []ec2Instance `json:"Instances" xml:"instancesSet"`
}

type ec2DescribeInstancesInput struct {
	Filters     []ec2Filter `json:"Filters" ec2:"Filter"`
	InstanceIDs []string    `json:"InstanceIds" ec2:"InstanceId"`
	MaxResults  int32       `json:"MaxResults,omitzero"`
	DryRun      bool        `json:"DryRun,omitzero"`
}

type ec2DescribeInstancesOutput struct {
	Reservations []ec2Reservation `json:"Reservations" xml:"reservationSet"`
	NextToken    string           `json:"NextToken,omitempty"`
}

type ec2RunInstancesInput struct {
	ImageID           string       `json:"ImageId"`
	InstanceType      string       `json:"InstanceType"`
	MinCount          int32        `json:"MinCount"`
	MaxCount          int32        `json:"MaxCount"`
	UserData          string       `json:"UserData,omitempty"`
	TagSpecifications []ec2TagSpec `json:"TagSpecifications" ec2:"TagSpecification"`
	DryRun            bool         `json:"DryRun,omitzero"`
}

type fakeEC2 struct {
	mu        sync.Mutex
	instances []ec2Instance
	lastRun   ec2RunInstancesInput
	lastDesc  ec2DescribeInstancesInput
}

func (f *fakeEC2) RunInstances(ctx context.Context, in *ec2RunInstancesInput) (*ec2Reservation, error) {
	if in.DryRun {
		e := apierr.New(apierr.Denied, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		e.Status = http.StatusPreconditionFailed
		return nil, e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastRun = *in
	r := &ec2Reservation{ReservationID: "r-1", OwnerID: "000000000000"}
	for i := range in.MaxCount {
		inst := ec2Instance{InstanceID: "i-" + string(rune('a'+i)), ImageID: in.ImageID, InstanceType: in.InstanceType,
			LaunchTime: time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC), State: ec2State{Code: 0, Name: "pending"}}
		for _, ts := range in.TagSpecifications {
			if ts.ResourceType == "instance" {
				inst.Tags = append(inst.Tags, ts.Tags...)
			}
		}
		f.instances = append(f.instances, inst)
		r.Instances = append(r.Instances, inst)
	}
	return r, nil
}

func (f *fakeEC2) DescribeInstances(ctx context.Context, in *ec2DescribeInstancesInput) (*ec2DescribeInstancesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastDesc = *in
	r := ec2Reservation{ReservationID: "r-1", OwnerID: "000000000000", Instances: []ec2Instance{}}
	for _, id := range in.InstanceIDs {
		found := false
		for _, inst := range f.instances {
			if inst.InstanceID == id {
				r.Instances = append(r.Instances, inst)
				found = true
			}
		}
		if !found {
			return nil, apierr.New(apierr.NotFound, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
		}
	}
	if len(in.InstanceIDs) == 0 {
		r.Instances = append(r.Instances, f.instances...)
	}
	return &ec2DescribeInstancesOutput{Reservations: []ec2Reservation{r}}, nil
}

func ec2Service(f *fakeEC2) awsproto.Service {
	return awsproto.Service{
		Name: "ec2", Protocols: []awsproto.Protocol{awsproto.EC2Query}, Version: "2016-11-15",
		XMLNamespace: "http://ec2.amazonaws.com/doc/2016-11-15/",
		Ops: []awsproto.Op{
			awsproto.Handle("RunInstances", f.RunInstances),
			awsproto.Handle("DescribeInstances", f.DescribeInstances),
		},
	}
}

func TestEC2QuerySDK(t *testing.T) {
	f := &fakeEC2{}
	c := ec2.NewFromConfig(awstest.Config(t, ec2Service(f)))
	ctx := context.Background()

	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-1"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(2),
		UserData: aws.String("IyEvYmluL3No"),
		TagSpecifications: []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}, {Key: aws.String("env"), Value: aws.String("dev")}}},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: []ec2types.Tag{{Key: aws.String("v"), Value: aws.String("1")}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if in := f.lastRun; in.ImageID != "ami-1" || in.InstanceType != "t3.micro" || in.MaxCount != 2 || in.UserData != "IyEvYmluL3No" ||
		len(in.TagSpecifications) != 2 || len(in.TagSpecifications[0].Tags) != 2 || in.TagSpecifications[0].Tags[1].Key != "env" || in.TagSpecifications[1].ResourceType != "volume" {
		t.Errorf("decoded RunInstances input = %+v", in)
	}
	if aws.ToString(run.ReservationId) != "r-1" || len(run.Instances) != 2 || run.Instances[1].State.Name != ec2types.InstanceStateNamePending ||
		aws.ToString(run.Instances[0].Tags[0].Value) != "web" || !aws.ToTime(run.Instances[0].LaunchTime).Equal(time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)) {
		t.Errorf("RunInstances output = %+v", run)
	}

	desc, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{
		InstanceIds: []string{"i-a", "i-b"},
		Filters:     []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{"web", "api"}}, {Name: aws.String("instance-state-name"), Values: []string{"pending"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := f.lastDesc; len(d.Filters) != 2 || d.Filters[0].Values[1] != "api" || d.Filters[1].Name != "instance-state-name" || len(d.InstanceIDs) != 2 {
		t.Errorf("decoded DescribeInstances input = %+v", d)
	}
	if len(desc.Reservations) != 1 || len(desc.Reservations[0].Instances) != 2 || aws.ToString(desc.Reservations[0].Instances[1].InstanceId) != "i-b" {
		t.Errorf("DescribeInstances = %+v", desc)
	}

	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-zzz"}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidInstanceID.NotFound" || ae.ErrorMessage() != "The instance ID 'i-zzz' does not exist" {
		t.Errorf("err = %v", err)
	}
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), DryRun: aws.Bool(true)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "DryRunOperation" {
		t.Errorf("err = %v, want DryRunOperation", err)
	}
	_, err = c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{"i-a"}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" || !strings.Contains(ae.ErrorMessage(), "StopInstances") {
		t.Errorf("err = %v, want InvalidAction naming StopInstances", err)
	}
}

func TestEC2Golden(t *testing.T) {
	f := &fakeEC2{}
	h := awstest.Handler(t, ec2Service(f))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, formRequest("Action=RunInstances&Version=2016-11-15&ImageId=ami-9&InstanceType=t3.nano&MinCount=1&MaxCount=1&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=b"))
	want := `<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>` + w.Header().Get("X-Amzn-RequestId") + `</requestId>` +
		`<reservationId>r-1</reservationId><ownerId>000000000000</ownerId><instancesSet><item><instanceId>i-a</instanceId><imageId>ami-9</imageId>` +
		`<instanceType>t3.nano</instanceType><launchTime>2025-02-03T04:05:06.000Z</launchTime><instanceState><code>0</code><name>pending</name></instanceState>` +
		`<tagSet><item><key>a</key><value>b</value></item></tagSet><ebsOptimized>false</ebsOptimized></item></instancesSet></RunInstancesResponse>`
	if w.Code != 200 || !strings.HasSuffix(w.Body.String(), want) {
		t.Errorf("%d\n%s\nwant suffix\n%s", w.Code, w.Body, want)
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, formRequest("Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-nope"))
	want = `<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID &#39;i-nope&#39; does not exist</Message></Error></Errors><RequestID>` + w.Header().Get("X-Amzn-RequestId") + `</RequestID></Response>`
	if w.Code != 400 || !strings.HasSuffix(w.Body.String(), want) {
		t.Errorf("%d\n%s\nwant suffix\n%s", w.Code, w.Body, want)
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, formRequest("Action=RunInstances&Version=2016-11-15&MinCount=x"))
	if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>InvalidParameterValue</Code>") || !strings.Contains(w.Body.String(), "MinCount") {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}
