package ec2sim_test

import (
	"context"
	"slices"
	"testing"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
)

// DescribeInstances by tag goes through the tag index: it must follow tag changes, keep
// launch order and paginate like the full scan.
func TestDescribeInstancesTagIndex(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	ids := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 12, MaxCount: 12,
		TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "instance", Tags: []ec2sim.Tag{{Key: "app", Value: "x"}}}}})
	if _, err := s.CreateTags(ctx, &ec2sim.CreateTagsInput{Resources: ids[3:5], Tags: []ec2sim.Tag{{Key: "app", Value: "y"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteTags(ctx, &ec2sim.DeleteTagsInput{Resources: ids[11:], Tags: []ec2sim.Tag{{Key: "app"}}}); err != nil {
		t.Fatal(err)
	}
	got := func(in *ec2sim.DescribeInstancesInput) (out []string, next string) {
		t.Helper()
		res, err := s.DescribeInstances(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Reservations {
			for _, i := range r.Instances {
				out = append(out, i.InstanceID)
			}
		}
		return out, res.NextToken
	}
	want := append(slices.Clone(ids[:3]), ids[5:11]...)
	for _, tc := range []struct {
		name    string
		filters []ec2sim.Filter
		want    []string
	}{
		{"x", []ec2sim.Filter{{Name: "tag:app", Values: []string{"x"}}}, want},
		{"y", []ec2sim.Filter{{Name: "tag:app", Values: []string{"y"}}}, ids[3:5]},
		{"x or y", []ec2sim.Filter{{Name: "tag:app", Values: []string{"y", "x"}}}, ids[:11]},
		{"wildcard", []ec2sim.Filter{{Name: "tag:app", Values: []string{"?"}}}, ids[:11]},
		{"x and id", []ec2sim.Filter{{Name: "tag:app", Values: []string{"x"}}, {Name: "instance-id", Values: []string{ids[0], ids[4]}}}, ids[:1]},
		{"none", []ec2sim.Filter{{Name: "tag:app", Values: []string{"z"}}}, nil},
		{"tag-key", []ec2sim.Filter{{Name: "tag-key", Values: []string{"app"}}}, ids[:11]},
	} {
		if out, _ := got(&ec2sim.DescribeInstancesInput{Filters: tc.filters}); !slices.Equal(out, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, out, tc.want)
		}
	}
	var paged []string
	in := &ec2sim.DescribeInstancesInput{Filters: []ec2sim.Filter{{Name: "tag:app", Values: []string{"x"}}}, MaxResults: 5}
	for range 5 {
		out, next := got(in)
		paged = append(paged, out...)
		if next == "" {
			break
		}
		in.NextToken = next
	}
	if !slices.Equal(paged, want) {
		t.Fatalf("paged %v, want %v", paged, want)
	}
}

// Describing unchanged instances again reuses the reservation's output; any change, or a
// different selection, builds it anew.
func TestDescribeReusesUnchangedReservations(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	ids := run(t, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 3, MaxCount: 3})
	s.Settle(ctx)
	describe := func(in *ec2sim.DescribeInstancesInput) []ec2sim.Instance {
		t.Helper()
		out, err := s.DescribeInstances(ctx, in)
		if err != nil || len(out.Reservations) != 1 {
			t.Fatalf("%+v %v", out, err)
		}
		return out.Reservations[0].Instances
	}
	a, b := describe(&ec2sim.DescribeInstancesInput{}), describe(&ec2sim.DescribeInstancesInput{})
	if len(a) != 3 || &a[0] != &b[0] {
		t.Fatal("unchanged reservation rebuilt")
	}
	if c := append(a, ec2sim.Instance{}); &c[0] == &a[0] {
		t.Fatal("the shared output can be appended into")
	}
	if _, err := s.CreateTags(ctx, &ec2sim.CreateTagsInput{Resources: ids[1:2], Tags: []ec2sim.Tag{{Key: "k", Value: "v"}}}); err != nil {
		t.Fatal(err)
	}
	c := describe(&ec2sim.DescribeInstancesInput{})
	if &c[0] == &a[0] || len(c[1].Tags) != 1 || len(a[1].Tags) != 0 {
		t.Fatalf("change not seen, or earlier output changed: %+v / %+v", c[1].Tags, a[1].Tags)
	}
	one := describe(&ec2sim.DescribeInstancesInput{Filters: []ec2sim.Filter{{Name: "tag:k", Values: []string{"v"}}}})
	if len(one) != 1 || one[0].InstanceID != ids[1] {
		t.Fatalf("%+v", one)
	}
	if _, err := s.StopInstances(ctx, &ec2sim.StopInstancesInput{InstanceIDs: ids[2:]}); err != nil {
		t.Fatal(err)
	}
	s.Settle(ctx)
	if d := describe(&ec2sim.DescribeInstancesInput{}); len(d) != 3 || d[2].State.Name != "stopped" || d[0].State.Name != "running" {
		t.Fatalf("%+v", d)
	}
}
