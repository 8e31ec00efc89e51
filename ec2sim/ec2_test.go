package ec2sim_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newService(t testing.TB, clk clock.Clock, opts ec2sim.Options) (*ec2sim.Service, *core.Env) {
	t.Helper()
	env := awstest.EnvWith(t, clk)
	s, err := ec2sim.New(env, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, env
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

const nginxUserData = `#!/bin/bash
yum install -y nginx
echo "<h1>Hello from $(hostname)</h1>" > /usr/share/nginx/html/index.html
systemctl enable --now nginx
`

func run(t testing.TB, s *ec2sim.Service, in *ec2sim.RunInstancesInput) []string {
	t.Helper()
	if in.MinCount == 0 {
		in.MinCount, in.MaxCount = 1, max(1, in.MaxCount)
	}
	res, err := s.RunInstances(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, i := range res.Instances {
		ids = append(ids, i.InstanceID)
	}
	return ids
}

func describe(t testing.TB, s *ec2sim.Service, id string) ec2sim.Instance {
	t.Helper()
	out, err := s.DescribeInstances(context.Background(), &ec2sim.DescribeInstancesInput{InstanceIDs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Reservations[0].Instances[0]
}

func TestLaunchTemplateNginxServesHTTP(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	lt, err := s.CreateLaunchTemplate(ctx, &ec2sim.CreateLaunchTemplateInput{LaunchTemplateName: "web",
		LaunchTemplateData: ec2sim.LaunchTemplateData{ImageID: ec2sim.AL2023AMI, InstanceType: "t3.micro", UserData: b64(nginxUserData),
			TagSpecifications: []ec2sim.LaunchTemplateTagSpecification{{ResourceType: "instance", Tags: []ec2sim.Tag{{Key: "app", Value: "web"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := run(t, s, &ec2sim.RunInstancesInput{MinCount: 2, MaxCount: 2, LaunchTemplate: &ec2sim.LaunchTemplateSpecification{LaunchTemplateID: lt.LaunchTemplate.LaunchTemplateID, Version: "$Latest"}})
	if err := s.WaitBooted(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		inst := describe(t, s, id)
		if inst.State.Name != "running" || inst.InstanceType != "t3.micro" || len(inst.Tags) != 1 || inst.PrivateIpAddress == "" || !strings.HasPrefix(inst.PrivateIpAddress, "172.31.") {
			t.Fatalf("instance %+v", inst)
		}
		h, ok := s.Host(id)
		if !ok {
			t.Fatal("no host")
		}
		resp, err := http.Get(h.URL(80))
		if err != nil {
			t.Fatalf("GET: %v\nconsole:\n%s", err, h.Console())
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "<h1>Hello from ip-" + strings.ReplaceAll(inst.PrivateIpAddress, ".", "-") + "</h1>\n"
		if string(body) != want {
			t.Errorf("body %q, want %q", body, want)
		}
		con, err := s.GetConsoleOutput(ctx, &ec2sim.GetConsoleOutputInput{InstanceID: id})
		if err != nil {
			t.Fatal(err)
		}
		text, _ := base64.StdEncoding.DecodeString(con.Output)
		if !strings.Contains(string(text), "Complete!") || !strings.Contains(string(text), "Cloud-init v. ") {
			t.Errorf("console output:\n%s", text)
		}
		ud, _ := h.ReadFile("/var/lib/cloud/instances/" + id + "/user-data.txt")
		if string(ud) != nginxUserData {
			t.Errorf("user-data.txt %q", ud)
		}
	}
	st, err := s.DescribeInstanceStatus(ctx, &ec2sim.DescribeInstanceStatusInput{InstanceIDs: ids})
	if err != nil || len(st.InstanceStatuses) != 2 || st.InstanceStatuses[0].InstanceStatus.Status != "ok" {
		t.Fatalf("%+v %v", st, err)
	}
	// A host reaches another by private IP.
	h0, _ := s.Host(ids[0])
	other := describe(t, s, ids[1])
	var out strings.Builder
	res, err := h0.Run(ctx, runnerCmd("curl -s http://"+other.PrivateIpAddress+"/", &out))
	if err != nil || res.ExitCode != 0 || !strings.Contains(out.String(), "Hello from") {
		t.Errorf("curl to other host: %d %v %q", res.ExitCode, err, out.String())
	}
}

func TestLifecycleOnManualClock(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s, env := newService(t, clk, ec2sim.Options{PendingTime: 5 * time.Second, StoppingTime: 10 * time.Second, ShuttingDownTime: 20 * time.Second})
	var mu sync.Mutex
	var states []string
	awstest.Bus(env).Subscribe(func(_ context.Context, e eventbus.Event) {
		if e.DetailType != "EC2 Instance State-change Notification" || e.Source != "aws.ec2" {
			return
		}
		var d struct {
			State string `json:"state"`
		}
		json.Unmarshal(e.Detail, &d)
		mu.Lock()
		states = append(states, d.State)
		mu.Unlock()
	})
	ctx := context.Background()
	id := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AmazonLinux2AMI, UserData: b64("#!/bin/sh\necho booted > /tmp/b\n")})[0]
	step := func(d time.Duration, want string) {
		t.Helper()
		clk.Advance(d)
		if err := s.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		if got := describe(t, s, id).State.Name; got != want {
			t.Fatalf("after %v: state %s, want %s", d, got, want)
		}
	}
	step(0, "pending")
	step(4*time.Second, "pending")
	step(time.Second, "running")
	h, _ := s.Host(id)
	if b, _ := h.ReadFile("/tmp/b"); string(b) != "booted\n" {
		t.Errorf("user data did not run: %q", b)
	}
	if _, err := s.StopInstances(ctx, &ec2sim.StopInstancesInput{InstanceIDs: []string{id}}); err != nil {
		t.Fatal(err)
	}
	step(0, "stopping")
	step(10*time.Second, "stopped")
	if inst := describe(t, s, id); inst.PublicIpAddress != "" || inst.StateReason == nil {
		t.Errorf("stopped instance %+v", inst)
	}
	if _, err := s.ModifyInstanceAttribute(ctx, &ec2sim.ModifyInstanceAttributeInput{InstanceID: id, InstanceType: &ec2sim.AttributeValue{Value: "t3.large"}}); err != nil {
		t.Fatal(err)
	}
	out, err := s.StartInstances(ctx, &ec2sim.StartInstancesInput{InstanceIDs: []string{id}})
	if err != nil || out.StartingInstances[0].PreviousState.Name != "stopped" || out.StartingInstances[0].CurrentState.Name != "pending" {
		t.Fatalf("%+v %v", out, err)
	}
	step(5*time.Second, "running")
	if describe(t, s, id).InstanceType != "t3.large" {
		t.Error("instance type not changed")
	}
	if b, _ := h.ReadFile("/tmp/b"); string(b) != "booted\n" {
		t.Errorf("user data ran again or file lost: %q", b)
	}
	_, err = s.ModifyInstanceAttribute(ctx, &ec2sim.ModifyInstanceAttributeInput{InstanceID: id, DisableApiTermination: &ec2sim.AttributeBooleanValue{Value: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{id}}); !errors.Is(err, ec2sim.ErrOperationNotPermitted) {
		t.Fatalf("terminate protected: %v", err)
	}
	s.ModifyInstanceAttribute(ctx, &ec2sim.ModifyInstanceAttributeInput{InstanceID: id, DisableApiTermination: &ec2sim.AttributeBooleanValue{Value: false}})
	if _, err := s.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{id}}); err != nil {
		t.Fatal(err)
	}
	step(0, "shutting-down")
	step(20*time.Second, "terminated")
	if _, ok := s.Host(id); ok {
		t.Error("host still there after termination")
	}
	if _, err := s.StartInstances(ctx, &ec2sim.StartInstancesInput{InstanceIDs: []string{id}}); !errors.Is(err, ec2sim.ErrIncorrectInstanceState) {
		t.Errorf("start terminated: %v", err)
	}
	clk.Advance(2 * time.Hour)
	if _, err := s.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{InstanceIDs: []string{id}}); !errors.Is(err, ec2sim.ErrInstanceNotFound) {
		t.Errorf("terminated instance still visible after an hour: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "pending running stopping stopped pending running shutting-down terminated"
	if got := strings.Join(states, " "); got != want {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestRunInstancesErrors(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{MaxInstances: 3})
	ctx := context.Background()
	big := strings.Repeat("x", ec2sim.MaxUserData+1)
	tests := []struct {
		name string
		in   ec2sim.RunInstancesInput
		err  *apierr.Error
		msg  string
	}{
		{"no image", ec2sim.RunInstancesInput{MinCount: 1, MaxCount: 1}, ec2sim.ErrMissingParameter, "ImageId"},
		{"malformed ami", ec2sim.RunInstancesInput{ImageID: "ami-xyz", MinCount: 1, MaxCount: 1}, ec2sim.ErrAMIMalformed, `Invalid id: "ami-xyz"`},
		{"unknown ami", ec2sim.RunInstancesInput{ImageID: "ami-0123456789abcdef0", MinCount: 1, MaxCount: 1}, ec2sim.ErrAMINotFound, "The image id '[ami-0123456789abcdef0]' does not exist"},
		{"bad type", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, InstanceType: "t9.huge", MinCount: 1, MaxCount: 1}, ec2sim.ErrInvalidParameterValue, "Invalid value 't9.huge' for InstanceType."},
		{"bad base64", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, UserData: "!!!", MinCount: 1, MaxCount: 1}, ec2sim.ErrInvalidParameterValue, "Invalid BASE64 encoding of user data."},
		{"user data too big", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, UserData: b64(big), MinCount: 1, MaxCount: 1}, ec2sim.ErrInvalidParameterValue, "User data is limited to 16384 bytes"},
		{"min zero", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 0, MaxCount: 1}, ec2sim.ErrInvalidParameterValue, "minCount"},
		{"max < min", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 3, MaxCount: 2}, ec2sim.ErrInvalidParameterValue, "maxCount"},
		{"limit", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 4, MaxCount: 4}, ec2sim.ErrInstanceLimitExceeded, "instance limit of 3"},
		{"bad subnet", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, SubnetID: "subnet-0123456789abcdef0", MinCount: 1, MaxCount: 1}, ec2sim.ErrSubnetNotFound, "subnet-0123456789abcdef0"},
		{"bad group", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, SecurityGroupIDs: []string{"sg-0123456789abcdef0"}, MinCount: 1, MaxCount: 1}, ec2sim.ErrGroupNotFound, "sg-0123456789abcdef0"},
		{"no template", ec2sim.RunInstancesInput{LaunchTemplate: &ec2sim.LaunchTemplateSpecification{LaunchTemplateName: "nope"}, MinCount: 1, MaxCount: 1}, ec2sim.ErrLaunchTemplateNotFound, "nope"},
		{"aws tag", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 1, MaxCount: 1, TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "instance", Tags: []ec2sim.Tag{{Key: "aws:x", Value: "y"}}}}}, ec2sim.ErrInvalidParameterValue, "reserved"},
		{"dry run", ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 1, MaxCount: 1, DryRun: true}, ec2sim.ErrDryRun, "DryRun flag is set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.RunInstances(ctx, &tc.in)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want %s containing %q", err, tc.err.Code, tc.msg)
			}
		})
	}
	// MaxCount beyond the limit launches what fits.
	res, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 1, MaxCount: 10})
	if err != nil || len(res.Instances) != 3 {
		t.Fatalf("%v %d", err, len(res.Instances))
	}
	for _, in := range []*ec2sim.DescribeInstancesInput{{InstanceIDs: []string{"i-0123456789abcdef0"}}, {InstanceIDs: []string{"bogus"}}, {Filters: []ec2sim.Filter{{Name: "no-such-filter", Values: []string{"x"}}}}, {MaxResults: 2}} {
		if _, err := s.DescribeInstances(ctx, in); err == nil {
			t.Errorf("DescribeInstances(%+v) succeeded", in)
		}
	}
	if _, err := s.StopInstances(ctx, &ec2sim.StopInstancesInput{InstanceIDs: []string{"i-0123456789abcdef0", "i-0123456789abcdef1"}}); !errors.Is(err, ec2sim.ErrInstanceNotFound) || !strings.Contains(err.Error(), "do not exist") {
		t.Errorf("stop unknown: %v", err)
	}
}

func TestDescribeFiltersAndPages(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	var all []string
	for i := 0; i < 12; i++ {
		role := []string{"web", "db", "cache"}[i%3]
		ids := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.Ubuntu2404AMI, InstanceType: "t3.small", MinCount: 1, MaxCount: 1,
			Placement:         &ec2sim.Placement{AvailabilityZone: "us-east-1" + string(rune('a'+i%2))},
			TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "instance", Tags: []ec2sim.Tag{{Key: "role", Value: role}, {Key: "Name", Value: fmt.Sprintf("%s-%d", role, i)}}}}})
		all = append(all, ids...)
	}
	if err := s.WaitBooted(ctx, all...); err != nil {
		t.Fatal(err)
	}
	s.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: all[:1]})
	s.Settle(ctx)
	count := func(out *ec2sim.DescribeInstancesOutput) int {
		n := 0
		for _, r := range out.Reservations {
			n += len(r.Instances)
		}
		return n
	}
	tests := []struct {
		filters []ec2sim.Filter
		want    int
	}{
		{nil, 12},
		{[]ec2sim.Filter{{Name: "tag:role", Values: []string{"web"}}}, 4},
		{[]ec2sim.Filter{{Name: "tag:role", Values: []string{"web", "db"}}}, 8},
		{[]ec2sim.Filter{{Name: "tag:Name", Values: []string{"web-*"}}}, 4},
		{[]ec2sim.Filter{{Name: "tag-key", Values: []string{"role"}}}, 12},
		{[]ec2sim.Filter{{Name: "instance-state-name", Values: []string{"running"}}}, 11},
		{[]ec2sim.Filter{{Name: "instance-state-name", Values: []string{"terminated"}}}, 1},
		{[]ec2sim.Filter{{Name: "tag:role", Values: []string{"web"}}, {Name: "instance-state-name", Values: []string{"running"}}}, 3},
		{[]ec2sim.Filter{{Name: "availability-zone", Values: []string{"us-east-1b"}}}, 6},
		{[]ec2sim.Filter{{Name: "instance-id", Values: all[2:4]}}, 2},
		{[]ec2sim.Filter{{Name: "image-id", Values: []string{ec2sim.Ubuntu2404AMI}}}, 12},
		{[]ec2sim.Filter{{Name: "instance-type", Values: []string{"t3.micro"}}}, 0},
	}
	for _, tc := range tests {
		out, err := s.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{Filters: tc.filters})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(out); n != tc.want {
			t.Errorf("filters %+v: %d instances, want %d", tc.filters, n, tc.want)
		}
	}
	// Pages of 5.
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		out, err := s.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{MaxResults: 5, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				seen = append(seen, i.InstanceID)
			}
		}
		if token = out.NextToken; token == "" {
			break
		}
		if pages > 5 {
			t.Fatal("too many pages")
		}
	}
	if strings.Join(seen, ",") != strings.Join(all, ",") {
		t.Errorf("paged %v\nwant  %v", seen, all)
	}
}

func TestImagesAndSharing(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s, _ := newService(t, clk, ec2sim.Options{ImagePendingTime: time.Minute})
	ctx := context.Background()
	id := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, UserData: b64(nginxUserData)})[0]
	s.Settle(ctx)
	if err := s.WaitBooted(ctx, id); err != nil {
		t.Fatal(err)
	}
	img, err := s.CreateImage(ctx, &ec2sim.CreateImageInput{InstanceID: id, Name: "web-v1", TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "image", Tags: []ec2sim.Tag{{Key: "v", Value: "1"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateImage(ctx, &ec2sim.CreateImageInput{InstanceID: id, Name: "web-v1"}); !errors.Is(err, ec2sim.ErrAMINameDuplicate) {
		t.Errorf("duplicate name: %v", err)
	}
	if _, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{ImageID: img.ImageID, MinCount: 1, MaxCount: 1}); !errors.Is(err, ec2sim.ErrAMIUnavailable) {
		t.Errorf("launch from pending image: %v", err)
	}
	clk.Advance(time.Minute)
	s.Settle(ctx)
	self, err := s.DescribeImages(ctx, &ec2sim.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(self.Images) != 1 || self.Images[0].State != "available" || self.Images[0].Tags[0].Value != "1" {
		t.Fatalf("%+v %v", self, err)
	}
	amazon, _ := s.DescribeImages(ctx, &ec2sim.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []ec2sim.Filter{{Name: "name", Values: []string{"al2023-ami-*"}}}})
	if len(amazon.Images) != 1 || amazon.Images[0].ImageID != ec2sim.AL2023AMI {
		t.Errorf("amazon images %+v", amazon.Images)
	}
	// Launch from the image: nginx is installed and enabled, the page is there, and the new
	// instance ran cloud-init for itself.
	id2 := run(t, s, &ec2sim.RunInstancesInput{ImageID: img.ImageID})[0]
	s.Settle(ctx)
	if err := s.WaitBooted(ctx, id2); err != nil {
		t.Fatal(err)
	}
	h2, _ := s.MachineOf(id2)
	if !h2.Installed("nginx") || !h2.ServiceActive("nginx") {
		t.Fatalf("image did not carry nginx: %v %v", h2.Packages(), h2.Services())
	}
	if _, err := h2.ReadFile("/var/lib/cloud/instances/" + id + "/user-data.txt"); err == nil {
		t.Error("per-instance cloud-init data carried into the image")
	}
	// Another account cannot see or launch it until shared.
	other := identity.With(ctx, identity.Caller{Account: "111122223333", Region: "us-east-1"})
	if _, err := s.RunInstances(other, &ec2sim.RunInstancesInput{ImageID: img.ImageID, MinCount: 1, MaxCount: 1}); !errors.Is(err, ec2sim.ErrAMINotFound) {
		t.Errorf("unshared launch: %v", err)
	}
	if _, err := s.ModifyImageAttribute(ctx, &ec2sim.ModifyImageAttributeInput{ImageID: img.ImageID, LaunchPermission: &ec2sim.LaunchPermissionModifications{Add: []ec2sim.LaunchPermission{{UserID: "111122223333"}}}}); err != nil {
		t.Fatal(err)
	}
	attr, _ := s.DescribeImageAttribute(ctx, &ec2sim.DescribeImageAttributeInput{ImageID: img.ImageID, Attribute: "launchPermission"})
	if len(attr.LaunchPermissions) != 1 || attr.LaunchPermissions[0].UserID != "111122223333" {
		t.Errorf("%+v", attr)
	}
	if _, err := s.RunInstances(other, &ec2sim.RunInstancesInput{ImageID: img.ImageID, MinCount: 1, MaxCount: 1}); err != nil {
		t.Errorf("shared launch: %v", err)
	}
	if _, err := s.DeregisterImage(other, &ec2sim.DeregisterImageInput{ImageID: img.ImageID}); !errors.Is(err, ec2sim.ErrAuthFailure) {
		t.Errorf("deregister by non-owner: %v", err)
	}
	cp, err := s.CopyImage(identity.With(ctx, identity.Caller{Account: core.DefaultAccount, Region: "eu-west-1"}), &ec2sim.CopyImageInput{Name: "web-v1-eu", SourceImageID: img.ImageID, SourceRegion: "us-east-1"})
	if err != nil || cp.ImageID == "" {
		t.Fatal(err)
	}
	// AMI names are unique per account and region, for every way of making an image.
	if _, err := s.CopyImage(ctx, &ec2sim.CopyImageInput{Name: "web-v1", SourceImageID: img.ImageID, SourceRegion: "us-east-1"}); !errors.Is(err, ec2sim.ErrAMINameDuplicate) {
		t.Errorf("copy to a used name: %v", err)
	}
	root := self.Images[0].BlockDeviceMappings[0]
	if _, err := s.RegisterImage(ctx, &ec2sim.RegisterImageInput{Name: "web-v1", RootDeviceName: root.DeviceName, BlockDeviceMappings: []ec2sim.BlockDeviceMapping{root}}); !errors.Is(err, ec2sim.ErrAMINameDuplicate) {
		t.Errorf("register a used name: %v", err)
	}
	if _, err := s.CreateImage(other, &ec2sim.CreateImageInput{InstanceID: id2, Name: "web-v1"}); errors.Is(err, ec2sim.ErrAMINameDuplicate) {
		t.Errorf("another account's name: %v", err)
	}
	if _, err := s.DeregisterImage(ctx, &ec2sim.DeregisterImageInput{ImageID: img.ImageID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DescribeImages(ctx, &ec2sim.DescribeImagesInput{ImageIDs: []string{img.ImageID}}); !errors.Is(err, ec2sim.ErrAMINotFound) {
		t.Errorf("deregistered image: %v", err)
	}
	again, err := s.RegisterImage(ctx, &ec2sim.RegisterImageInput{Name: "web-v1", RootDeviceName: root.DeviceName, BlockDeviceMappings: []ec2sim.BlockDeviceMapping{root}})
	if err != nil {
		t.Fatalf("name freed by DeregisterImage: %v", err)
	}
	clk.Advance(time.Minute)
	s.Settle(ctx)
	id3 := run(t, s, &ec2sim.RunInstancesInput{ImageID: again.ImageID})[0]
	s.Settle(ctx)
	if err := s.WaitBooted(ctx, id3); err != nil {
		t.Fatal(err)
	}
	if h3, _ := s.MachineOf(id3); !h3.Installed("nginx") {
		t.Errorf("registered image lost the snapshot's packages: %v", h3.Packages())
	}
	s.Settle(ctx)
}

func TestLaunchTemplateVersions(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	lt, err := s.CreateLaunchTemplate(ctx, &ec2sim.CreateLaunchTemplateInput{LaunchTemplateName: "app", LaunchTemplateData: ec2sim.LaunchTemplateData{ImageID: ec2sim.AL2023AMI, InstanceType: "t3.micro"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLaunchTemplate(ctx, &ec2sim.CreateLaunchTemplateInput{LaunchTemplateName: "app"}); !errors.Is(err, ec2sim.ErrLaunchTemplateExists) {
		t.Errorf("duplicate: %v", err)
	}
	v2, err := s.CreateLaunchTemplateVersion(ctx, &ec2sim.CreateLaunchTemplateVersionInput{LaunchTemplateName: "app", SourceVersion: "1", LaunchTemplateData: ec2sim.LaunchTemplateData{InstanceType: "t3.large"}})
	if err != nil || v2.LaunchTemplateVersion.VersionNumber != 2 || v2.LaunchTemplateVersion.LaunchTemplateData.ImageID != ec2sim.AL2023AMI {
		t.Fatalf("%+v %v", v2, err)
	}
	launchType := func(version string) string {
		id := run(t, s, &ec2sim.RunInstancesInput{LaunchTemplate: &ec2sim.LaunchTemplateSpecification{LaunchTemplateName: "app", Version: version}})[0]
		return describe(t, s, id).InstanceType
	}
	if got := launchType(""); got != "t3.micro" {
		t.Errorf("default version type %s", got)
	}
	if got := launchType("$Latest"); got != "t3.large" {
		t.Errorf("latest version type %s", got)
	}
	if _, err := s.ModifyLaunchTemplate(ctx, &ec2sim.ModifyLaunchTemplateInput{LaunchTemplateID: lt.LaunchTemplate.LaunchTemplateID, DefaultVersion: "2"}); err != nil {
		t.Fatal(err)
	}
	if got := launchType("$Default"); got != "t3.large" {
		t.Errorf("new default type %s", got)
	}
	if _, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{MinCount: 1, MaxCount: 1, LaunchTemplate: &ec2sim.LaunchTemplateSpecification{LaunchTemplateName: "app", Version: "9"}}); !errors.Is(err, ec2sim.ErrLaunchTemplateVersion) {
		t.Errorf("missing version: %v", err)
	}
	del, err := s.DeleteLaunchTemplateVersions(ctx, &ec2sim.DeleteLaunchTemplateVersionsInput{LaunchTemplateName: "app", Versions: []string{"1", "2"}})
	if err != nil || len(del.SuccessfullyDeleted) != 1 || len(del.UnsuccessfullyDeleted) != 1 || del.UnsuccessfullyDeleted[0].ResponseError.Code != "launchTemplateVersionIsDefault" {
		t.Fatalf("%+v %v", del, err)
	}
	vs, _ := s.DescribeLaunchTemplateVersions(ctx, &ec2sim.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: "app"})
	if len(vs.LaunchTemplateVersions) != 1 || !vs.LaunchTemplateVersions[0].DefaultVersion {
		t.Errorf("%+v", vs)
	}
	if _, err := s.DeleteLaunchTemplate(ctx, &ec2sim.DeleteLaunchTemplateInput{LaunchTemplateName: "app"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DescribeLaunchTemplates(ctx, &ec2sim.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"app"}}); !errors.Is(err, ec2sim.ErrLaunchTemplateNotFound) {
		t.Errorf("deleted template: %v", err)
	}
	s.Settle(ctx)
}

func TestTagsAndMetadata(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	id := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AmazonLinux2AMI, MetadataOptions: &ec2sim.MetadataOptions{InstanceMetadataTags: "enabled"},
		IamInstanceProfile: &ec2sim.IamInstanceProfileSpecification{Name: "web-role"}})[0]
	if err := s.WaitBooted(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTags(ctx, &ec2sim.CreateTagsInput{Resources: []string{id}, Tags: []ec2sim.Tag{{Key: "Name", Value: "web-1"}, {Key: "env", Value: "prod"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTags(ctx, &ec2sim.CreateTagsInput{Resources: []string{"i-0123456789abcdef0"}, Tags: []ec2sim.Tag{{Key: "a", Value: "b"}}}); !errors.Is(err, ec2sim.ErrInstanceNotFound) {
		t.Errorf("tag unknown: %v", err)
	}
	h, _ := s.Host(id)
	var out strings.Builder
	h.Run(ctx, runnerCmd("curl -s http://169.254.169.254/latest/meta-data/tags/instance/Name; echo; curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/", &out))
	if out.String() != "web-1\nweb-role" {
		t.Errorf("IMDS: %q", out.String())
	}
	s.DeleteTags(ctx, &ec2sim.DeleteTagsInput{Resources: []string{id}, Tags: []ec2sim.Tag{{Key: "env"}}})
	tags, err := s.DescribeTags(ctx, &ec2sim.DescribeTagsInput{Filters: []ec2sim.Filter{{Name: "resource-id", Values: []string{id}}}})
	if err != nil || len(tags.Tags) != 1 || tags.Tags[0].Key != "Name" || tags.Tags[0].ResourceType != "instance" {
		t.Errorf("%+v %v", tags, err)
	}
	vpcs, _ := s.DescribeVpcs(ctx, &ec2sim.DescribeVpcsInput{})
	subs, _ := s.DescribeSubnets(ctx, &ec2sim.DescribeSubnetsInput{Filters: []ec2sim.Filter{{Name: "default-for-az", Values: []string{"true"}}}})
	sgs, _ := s.DescribeSecurityGroups(ctx, &ec2sim.DescribeSecurityGroupsInput{GroupNames: []string{"default"}})
	azs, _ := s.DescribeAvailabilityZones(ctx, &ec2sim.DescribeAvailabilityZonesInput{})
	if len(vpcs.Vpcs) != 1 || !vpcs.Vpcs[0].IsDefault || len(subs.Subnets) != 6 || len(sgs.SecurityGroups) != 1 || len(azs.AvailabilityZones) != 6 {
		t.Errorf("defaults: %d vpcs, %d subnets, %d groups, %d zones", len(vpcs.Vpcs), len(subs.Subnets), len(sgs.SecurityGroups), len(azs.AvailabilityZones))
	}
	sg, err := s.CreateSecurityGroup(ctx, &ec2sim.CreateSecurityGroupInput{GroupName: "web", Description: "web servers"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthorizeSecurityGroupIngress(ctx, &ec2sim.AuthorizeSecurityGroupIngressInput{GroupID: sg.GroupID, IpPermissions: []ec2sim.IpPermission{{IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: []ec2sim.IpRange{{CidrIp: "0.0.0.0/0"}}}}}); err != nil {
		t.Fatal(err)
	}
	id2 := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, SecurityGroupIDs: []string{sg.GroupID}})[0]
	if _, err := s.DeleteSecurityGroup(ctx, &ec2sim.DeleteSecurityGroupInput{GroupID: sg.GroupID}); !errors.Is(err, ec2sim.ErrDependencyViolation) {
		t.Errorf("delete used group: %v", err)
	}
	s.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: []string{id2}})
	s.Settle(ctx)
	if _, err := s.DeleteSecurityGroup(ctx, &ec2sim.DeleteSecurityGroupInput{GroupID: sg.GroupID}); err != nil {
		t.Errorf("delete unused group: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 2, MaxCount: 2, UserData: b64("#!/bin/sh\necho hi > /tmp/x\n"),
				TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "instance", Tags: []ec2sim.Tag{{Key: "g", Value: fmt.Sprint(g)}}}}})
			if err != nil {
				t.Error(err)
				return
			}
			ids := []string{res.Instances[0].InstanceID, res.Instances[1].InstanceID}
			if err := s.WaitBooted(ctx, ids...); err != nil {
				t.Error(err)
			}
			s.CreateTags(ctx, &ec2sim.CreateTagsInput{Resources: ids, Tags: []ec2sim.Tag{{Key: "done", Value: "yes"}}})
			out, err := s.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{Filters: []ec2sim.Filter{{Name: "tag:g", Values: []string{fmt.Sprint(g)}}}})
			if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 2 {
				t.Errorf("%+v %v", out, err)
			}
			if _, err := s.TerminateInstances(ctx, &ec2sim.TerminateInstancesInput{InstanceIDs: ids}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s.Settle(ctx)
	out, _ := s.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{Filters: []ec2sim.Filter{{Name: "instance-state-name", Values: []string{"terminated"}}}})
	n := 0
	for _, r := range out.Reservations {
		n += len(r.Instances)
	}
	if n != 16 {
		t.Errorf("%d terminated", n)
	}
}
