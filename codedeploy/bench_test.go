//go:build unix

package codedeploy_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/devopsim/devopsim/codedeploy"
)

func benchRevision(p *platform, key string) *codedeploy.RevisionLocation {
	files := map[string]string{"appspec.yml": `version: 0.0
os: linux
files:
  - source: site
    destination: /var/www/app
hooks:
  ApplicationStop:
    - location: scripts/stop.sh
  BeforeInstall:
    - location: scripts/before.sh
  AfterInstall:
    - location: scripts/after.sh
  ApplicationStart:
    - location: scripts/start.sh
  ValidateService:
    - location: scripts/validate.sh
`}
	for i := range 45 {
		files[fmt.Sprintf("site/page%02d.html", i)] = fmt.Sprintf("<p>page %d of %s</p>\n", i, key)
	}
	for _, s := range []string{"stop", "before", "after", "start", "validate"} {
		files["scripts/"+s+".sh"] = "#!/bin/bash\necho " + s + "\n"
	}
	return p.put(key, files)
}

// BenchmarkInPlaceOneAtATime100 deploys a revision of 50 files and 5 short hooks to 100 hosts,
// one at a time.
func BenchmarkInPlaceOneAtATime100(b *testing.B) {
	p := newPlatform(b, nil)
	for range 100 {
		p.fleet.add(b, map[string]string{"Fleet": "bench"}, "")
	}
	p.app("bench")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "bench", DeploymentGroupName: "g",
		EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "Fleet", Value: "bench"}}})
	rev := benchRevision(p, "bench.zip")
	ctx := context.Background()
	defer reportCPU(b)()
	for b.Loop() {
		out, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "bench", DeploymentGroupName: "g", Revision: rev})
		if err != nil {
			b.Fatal(err)
		}
		if d := p.wait(out.DeploymentID); d.Status != "Succeeded" {
			b.Fatalf("%s %+v", d.Status, d.ErrorInformation)
		}
	}
}

// BenchmarkBlueGreen20 copies a 20-instance Auto Scaling group, deploys to the copy, reroutes
// the load balancer and terminates the original fleet.
func BenchmarkBlueGreen20(b *testing.B) {
	p := newPlatform(b, nil)
	for range 20 {
		p.fleet.add(b, map[string]string{"Fleet": "bg"}, "asg")
	}
	p.app("bg")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "bg", DeploymentGroupName: "g",
		AutoScalingGroups: []string{"asg"}, DeploymentConfigName: codedeploy.HalfAtATime,
		DeploymentStyle:  &codedeploy.DeploymentStyle{DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL"},
		LoadBalancerInfo: &codedeploy.LoadBalancerInfo{TargetGroupInfoList: []codedeploy.TargetGroupInfo{{Name: "tg"}}},
		BlueGreenDeploymentConfiguration: &codedeploy.BlueGreenDeploymentConfiguration{
			GreenFleetProvisioningOption:              &codedeploy.GreenFleetProvisioningOption{Action: "COPY_AUTO_SCALING_GROUP"},
			TerminateBlueInstancesOnDeploymentSuccess: &codedeploy.BlueInstanceTerminationOption{Action: "TERMINATE"},
		}})
	rev := benchRevision(p, "bg.zip")
	ctx := context.Background()
	defer reportCPU(b)()
	for b.Loop() {
		out, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "bg", DeploymentGroupName: "g", Revision: rev})
		if err != nil {
			b.Fatal(err)
		}
		if d := p.wait(out.DeploymentID); d.Status != "Succeeded" {
			b.Fatalf("%s %+v", d.Status, d.ErrorInformation)
		}
	}
}

// reportCPU reports the process CPU time per operation: on a shared machine the wall time
// also counts other processes' load.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64((cpu()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}
