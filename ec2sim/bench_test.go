package ec2sim_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/runner"
)

func BenchmarkRunInstances10(b *testing.B) {
	s, _ := newService(b, clock.Real(), ec2sim.Options{MaxInstances: 1 << 30})
	ctx := context.Background()
	ud := b64("#!/bin/sh\necho hello > /tmp/hello\n")
	for b.Loop() {
		if _, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 10, MaxCount: 10, UserData: ud}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s.Settle(ctx)
}

// RunInstances of 1,000 instances with a small user-data script, including their boots.
func BenchmarkRunInstances1000Booted(b *testing.B) {
	ctx := context.Background()
	ud := b64("#!/bin/sh\necho hello > /tmp/hello\n")
	for b.Loop() {
		b.StopTimer()
		s, _ := newService(b, clock.Real(), ec2sim.Options{})
		b.StartTimer()
		if _, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 1000, MaxCount: 1000, UserData: ud}); err != nil {
			b.Fatal(err)
		}
		s.Settle(ctx)
		b.StopTimer()
		s.Close(ctx)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/instance")
}

func BenchmarkDescribeInstancesTagFilter10k(b *testing.B) {
	s, _ := newService(b, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, MinCount: 1000, MaxCount: 1000,
			TagSpecifications: []ec2sim.TagSpecification{{ResourceType: "instance", Tags: []ec2sim.Tag{{Key: "group", Value: fmt.Sprint(i)}}}}}); err != nil {
			b.Fatal(err)
		}
	}
	s.Settle(ctx)
	in := &ec2sim.DescribeInstancesInput{Filters: []ec2sim.Filter{{Name: "tag:group", Values: []string{"7"}}}}
	for b.Loop() {
		out, err := s.DescribeInstances(ctx, in)
		if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateImage1000Files(b *testing.B) {
	s, _ := newService(b, clock.Real(), ec2sim.Options{})
	ctx := context.Background()
	id := run(b, s, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI})[0]
	s.WaitBooted(ctx, id)
	h, _ := s.Host(id)
	if res, err := h.Run(ctx, &runner.Command{Script: "mkdir -p /srv/app; for i in $(seq 1 1000); do echo $i > /srv/app/f$i; done"}); err != nil || res.ExitCode != 0 {
		b.Fatal(err, res)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := s.CreateImage(ctx, &ec2sim.CreateImageInput{InstanceID: id, Name: fmt.Sprintf("img-%d", i), NoReboot: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s.Settle(ctx)
}
