package codedeploy_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

func webApp(version string) map[string]string {
	return map[string]string{
		"appspec.yml": `version: 0.0
os: linux
files:
  - source: /html
    destination: /var/www/html
permissions:
  - object: /var/www/html
    pattern: "*.html"
    owner: apache
    mode: 640
    type: [file]
hooks:
  ApplicationStop:
    - location: scripts/stop.sh
  BeforeInstall:
    - location: scripts/install_deps.sh
      timeout: 300
  ApplicationStart:
    - location: scripts/start.sh
  ValidateService:
    - location: scripts/validate.sh
      runas: ec2-user
`,
		"html/index.html":         "<h1>" + version + "</h1>\n",
		"html/about.html":         "about " + version + "\n",
		"scripts/install_deps.sh": "#!/bin/bash\nyum install -y httpd\necho installed deps for $DEPLOYMENT_ID in $LIFECYCLE_EVENT\n",
		"scripts/start.sh":        "#!/bin/bash\nsystemctl start httpd\n",
		"scripts/stop.sh":         "#!/bin/bash\necho stopping " + version + " >> /tmp/stops\nsystemctl stop httpd || true\n",
		"scripts/validate.sh":     "#!/bin/bash\ncurl -sf http://localhost/ | grep -q " + version + " || { echo validation failed >&2; exit 3; }\necho valid as $(whoami)\n",
	}
}

func TestInPlaceOneAtATime(t *testing.T) {
	p := newPlatform(t, nil)
	ctx := context.Background()
	var hosts []*host.Host
	for range 3 {
		hosts = append(hosts, p.fleet.add(t, map[string]string{"Env": "staging"}, ""))
	}
	p.fleet.add(t, map[string]string{"Env": "prod"}, "") // not in the group
	p.app("web")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "web", DeploymentGroupName: "staging",
		EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "Env", Value: "staging", Type: "KEY_AND_VALUE"}}})

	d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "web", DeploymentGroupName: "staging", Revision: p.put("v1.zip", webApp("v1"))})
	if d.Status != "Succeeded" {
		for _, h := range hosts {
			for _, e := range p.target(d.DeploymentID, h.ID()).LifecycleEvents {
				t.Logf("%s %s %+v", e.LifecycleEventName, e.Status, e.Diagnostics)
			}
		}
		t.Fatalf("status %s %+v", d.Status, d.ErrorInformation)
	}
	if ov := d.DeploymentOverview; ov.Succeeded != 3 || ov.Pending != 0 || ov.InProgress != 0 {
		t.Fatalf("overview %+v", ov)
	}
	for _, h := range hosts {
		if got := read(t, h, "/var/www/html/index.html"); got != "<h1>v1</h1>\n" {
			t.Fatalf("index %q", got)
		}
		fi, _ := h.FS().Stat("/var/www/html/index.html")
		uid, _ := hostfs.OwnerOf(fi)
		u, _ := h.LookupUser("apache")
		if fi.Mode().Perm() != 0o640 || uid != u.UID {
			t.Fatalf("permissions %v uid %d", fi.Mode(), uid)
		}
		if !h.ServiceActive("httpd") {
			t.Fatal("httpd not started")
		}
		tg := p.target(d.DeploymentID, h.ID())
		if tg.Status != "Succeeded" || len(tg.LifecycleEvents) != 7 {
			t.Fatalf("target %+v", tg)
		}
		bi := eventOf(tg, "BeforeInstall")
		if bi.Status != "Succeeded" || bi.Diagnostics.ErrorCode != "Success" || !strings.Contains(bi.Diagnostics.LogTail, "[stdout]installed deps for "+d.DeploymentID+" in BeforeInstall") {
			t.Fatalf("BeforeInstall %+v", bi.Diagnostics)
		}
		if vs := eventOf(tg, "ValidateService"); !strings.Contains(vs.Diagnostics.LogTail, "valid as ec2-user") {
			t.Fatalf("ValidateService %+v", vs.Diagnostics)
		}
		log := read(t, h, "/opt/codedeploy-agent/deployment-root/deployment-logs/codedeploy-agent-deployments.log")
		if !strings.Contains(log, "["+d.DeploymentID+"][stdout]installed deps") {
			t.Fatalf("agent log %q", log)
		}
	}
	if got := p.events.states("CodeDeploy Deployment State-change Notification"); strings.Join(got, ",") != "START,SUCCESS" {
		t.Fatalf("deployment events %v", got)
	}
	if got := p.events.states("CodeDeploy Instance State-change Notification"); len(got) != 6 {
		t.Fatalf("instance events %v", got)
	}

	// v2: ApplicationStop of v1 runs, the files of v1 are replaced (cleanup), no DISALLOW error
	d2 := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "web", DeploymentGroupName: "staging", Revision: p.put("v2.zip", webApp("v2"))})
	if d2.Status != "Succeeded" {
		t.Fatalf("v2 status %s %+v", d2.Status, d2.ErrorInformation)
	}
	for _, h := range hosts {
		if got := read(t, h, "/tmp/stops"); got != "stopping v1\n" {
			t.Fatalf("ApplicationStop of the previous revision: %q", got)
		}
		if got := read(t, h, "/var/www/html/index.html"); got != "<h1>v2</h1>\n" {
			t.Fatalf("index %q", got)
		}
	}
	if d2.PreviousRevision == nil || d2.PreviousRevision.S3Location.Key != "v1.zip" {
		t.Fatalf("previous revision %+v", d2.PreviousRevision)
	}
	g, _ := p.svc.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: "web", DeploymentGroupName: "staging"})
	if g.DeploymentGroupInfo.LastSuccessfulDeployment.DeploymentID != d2.DeploymentID {
		t.Fatalf("last successful %+v", g.DeploymentGroupInfo.LastSuccessfulDeployment)
	}
	rev, err := p.svc.GetApplicationRevision(ctx, &codedeploy.GetApplicationRevisionInput{ApplicationName: "web", Revision: d2.Revision})
	if err != nil || rev.RevisionInfo.DeploymentGroups[0] != "staging" || rev.RevisionInfo.FirstUsedTime.IsZero() {
		t.Fatalf("revision %+v %v", rev, err)
	}
}

func TestOneAtATimeFailureStopsAndRollsBack(t *testing.T) {
	p := newPlatform(t, nil)
	var hosts []*host.Host
	for range 3 {
		hosts = append(hosts, p.fleet.add(t, map[string]string{"App": "web"}, ""))
	}
	hosts[1].WriteFile("/etc/broken", []byte("yes"), 0o644)
	p.app("web")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "web", DeploymentGroupName: "prod",
		EC2TagFilters:             []codedeploy.EC2TagFilter{{Key: "App", Type: "KEY_ONLY"}},
		AutoRollbackConfiguration: &codedeploy.AutoRollbackConfiguration{Enabled: true, Events: []string{"DEPLOYMENT_FAILURE"}}})
	d1 := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "web", DeploymentGroupName: "prod", Revision: p.put("v1.zip", webApp("v1"))})
	if d1.Status != "Succeeded" {
		t.Fatalf("v1 %s %+v", d1.Status, d1.ErrorInformation)
	}
	v2 := webApp("v2")
	v2["scripts/validate.sh"] = "#!/bin/bash\nif [ -f /etc/broken ]; then echo broken host >&2; exit 7; fi\necho ok\n"
	d2 := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "web", DeploymentGroupName: "prod", Revision: p.put("v2.zip", v2)})
	if d2.Status != "Failed" || d2.ErrorInformation.Code != "HEALTH_CONSTRAINTS" {
		t.Fatalf("v2 %s %+v", d2.Status, d2.ErrorInformation)
	}
	want := map[string]string{hosts[0].ID(): "Succeeded", hosts[1].ID(): "Failed", hosts[2].ID(): "Skipped"}
	for id, st := range want {
		if tg := p.target(d2.DeploymentID, id); tg.Status != st {
			t.Fatalf("%s: %s, want %s", id, tg.Status, st)
		}
	}
	vs := eventOf(p.target(d2.DeploymentID, hosts[1].ID()), "ValidateService")
	if vs.Status != "Failed" || vs.Diagnostics.ErrorCode != "ScriptFailed" ||
		vs.Diagnostics.Message != "Script at specified location: scripts/validate.sh run as user ec2-user failed with exit code 7" ||
		!strings.Contains(vs.Diagnostics.LogTail, "[stderr]broken host") {
		t.Fatalf("ValidateService %+v", vs.Diagnostics)
	}
	if d2.RollbackInfo == nil || d2.RollbackInfo.RollbackDeploymentID == "" {
		t.Fatalf("rollback info %+v", d2.RollbackInfo)
	}
	rb := p.wait(d2.RollbackInfo.RollbackDeploymentID)
	if rb.Status != "Succeeded" || rb.Creator != "codeDeployRollback" || rb.RollbackInfo.RollbackTriggeringDeploymentID != d2.DeploymentID {
		t.Fatalf("rollback %s %s %+v %+v", rb.Status, rb.Creator, rb.RollbackInfo, rb.ErrorInformation)
	}
	for _, h := range hosts {
		if got := read(t, h, "/var/www/html/index.html"); got != "<h1>v1</h1>\n" {
			t.Fatalf("%s after rollback: %q", h.ID(), got)
		}
	}
}

func TestHalfAtATimeBatches(t *testing.T) {
	p := newPlatform(t, nil)
	g := newGate()
	for range 5 {
		h := p.fleet.add(t, map[string]string{"Role": "api"}, "")
		h.RegisterCommand("gate", g.command)
	}
	p.app("api")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "api", DeploymentGroupName: "g",
		DeploymentConfigName: codedeploy.HalfAtATime, EC2TagFilters: []codedeploy.EC2TagFilter{{Value: "api", Type: "VALUE_ONLY"}}})
	rev := p.put("a.zip", map[string]string{
		"appspec.yml":     "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/gate.sh\n",
		"scripts/gate.sh": "#!/bin/bash\ngate\n",
	})
	out, err := p.svc.CreateDeployment(context.Background(), &codedeploy.CreateDeploymentInput{ApplicationName: "api", DeploymentGroupName: "g", Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	// FLEET_PERCENT 50 of 5: at least ceil(2.5)=3 healthy, so at most 2 at a time (2, 2, 1;
	// a host starts as soon as another finishes).
	for _, batch := range []int{2, 2, 1} {
		for range batch {
			<-g.entered
		}
		g.mu.Lock()
		n := g.inflight
		g.mu.Unlock()
		if n > 2 {
			t.Fatalf("in flight %d, want at most 2", n)
		}
		for range batch {
			g.release <- struct{}{}
		}
	}
	d := p.wait(out.DeploymentID)
	if d.Status != "Succeeded" || g.max != 2 {
		t.Fatalf("status %s, max in flight %d", d.Status, g.max)
	}
}

func TestHealthPlans(t *testing.T) {
	// minimum healthy hosts as AWS documents it, observed as the largest batch in flight
	for _, tc := range []struct {
		name   string
		config string
		mh     *codedeploy.MinimumHealthyHosts
		n      int
		batch  int
	}{
		{"one at a time", codedeploy.OneAtATime, nil, 4, 1},
		{"all at once", codedeploy.AllAtOnce, nil, 4, 4},
		{"host count 6 of 9", "hc6", &codedeploy.MinimumHealthyHosts{Type: "HOST_COUNT", Value: 6}, 9, 3},
		{"fleet percent 40 of 9", "fp40", &codedeploy.MinimumHealthyHosts{Type: "FLEET_PERCENT", Value: 40}, 9, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlatform(t, nil)
			g := newGate()
			for range tc.n {
				p.fleet.add(t, map[string]string{"T": "x"}, "").RegisterCommand("gate", g.command)
			}
			if tc.mh != nil {
				if _, err := p.svc.CreateDeploymentConfig(context.Background(), &codedeploy.CreateDeploymentConfigInput{DeploymentConfigName: tc.config, MinimumHealthyHosts: tc.mh}); err != nil {
					t.Fatal(err)
				}
			}
			p.app("a")
			p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", DeploymentConfigName: tc.config,
				EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "T", Value: "x"}}})
			rev := p.put("a.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: g.sh\n", "g.sh": "#!/bin/sh\ngate\n"})
			out, err := p.svc.CreateDeployment(context.Background(), &codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev})
			if err != nil {
				t.Fatal(err)
			}
			left := tc.n
			for left > 0 {
				b := min(tc.batch, left)
				for range b {
					<-g.entered
				}
				for range b {
					g.release <- struct{}{}
				}
				left -= b
			}
			if d := p.wait(out.DeploymentID); d.Status != "Succeeded" || g.max != tc.batch {
				t.Fatalf("status %s max %d want %d", d.Status, g.max, tc.batch)
			}
		})
	}
}

func TestBlueGreenHTTP(t *testing.T) {
	p := newPlatform(t, nil)
	ctx := context.Background()
	p.fleet.launch = func(h *host.Host) { h.Install("httpd") }
	var blue []*host.Host
	for range 2 {
		h := p.fleet.add(t, map[string]string{"Name": "web-blue"}, "web-asg")
		h.WriteFile("/var/www/html/index.html", []byte("<h1>v1</h1>\n"), 0o644)
		h.StartService("httpd")
		blue = append(blue, h)
	}
	p.lb.Register(ctx, codedeploy.TrafficTarget{TargetGroup: "web-tg"}, []string{blue[0].ID(), blue[1].ID()})
	srv := httptest.NewServer(p.lb.handler("web-tg"))
	defer srv.Close()
	get := func() string {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get(); got != "<h1>v1</h1>\n" {
		t.Fatalf("before: %q", got)
	}
	p.app("web")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "web", DeploymentGroupName: "prod",
		AutoScalingGroups: []string{"web-asg"},
		DeploymentStyle:   &codedeploy.DeploymentStyle{DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL"},
		LoadBalancerInfo:  &codedeploy.LoadBalancerInfo{TargetGroupInfoList: []codedeploy.TargetGroupInfo{{Name: "web-tg"}}},
		BlueGreenDeploymentConfiguration: &codedeploy.BlueGreenDeploymentConfiguration{
			GreenFleetProvisioningOption:              &codedeploy.GreenFleetProvisioningOption{Action: "COPY_AUTO_SCALING_GROUP"},
			DeploymentReadyOption:                     &codedeploy.DeploymentReadyOption{ActionOnTimeout: "STOP_DEPLOYMENT", WaitTimeInMinutes: 60},
			TerminateBlueInstancesOnDeploymentSuccess: &codedeploy.BlueInstanceTerminationOption{Action: "TERMINATE", TerminationWaitTimeInMinutes: 0},
		}})
	out, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "web", DeploymentGroupName: "prod", Revision: p.put("v2.zip", webApp("v2"))})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Ready", func() bool { return p.status(out.DeploymentID) == "Ready" })
	if got := get(); got != "<h1>v1</h1>\n" {
		t.Fatalf("while ready: %q", got)
	}
	if _, err := p.svc.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{DeploymentID: out.DeploymentID, DeploymentWaitType: "TERMINATION_WAIT"}); !errors.Is(err, codedeploy.ErrDeploymentNotReady) {
		t.Fatalf("wrong wait type: %v", err)
	}
	if _, err := p.svc.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{DeploymentID: out.DeploymentID, DeploymentWaitType: "READY_WAIT"}); err != nil {
		t.Fatal(err)
	}
	d := p.wait(out.DeploymentID)
	if d.Status != "Succeeded" {
		t.Fatalf("status %s %+v", d.Status, d.ErrorInformation)
	}
	for range 4 {
		if got := get(); got != "<h1>v2</h1>\n" {
			t.Fatalf("after: %q", got)
		}
	}
	for _, h := range blue {
		if st := p.fleet.state(h.ID()); st != "terminated" {
			t.Fatalf("blue %s is %s", h.ID(), st)
		}
		if tg := p.target(d.DeploymentID, h.ID()); tg.InstanceLabel != "Blue" || tg.Status != "Succeeded" || eventOf(tg, "BlockTraffic").Status != "Succeeded" {
			t.Fatalf("blue target %+v", tg)
		}
	}
	green := p.lb.targets("web-tg")
	if len(green) != 2 {
		t.Fatalf("target group %v", green)
	}
	for _, id := range green {
		if tg := p.target(d.DeploymentID, id); tg.InstanceLabel != "Green" || len(tg.LifecycleEvents) != 10 || eventOf(tg, "AllowTraffic").Status != "Succeeded" {
			t.Fatalf("green target %+v", tg)
		}
	}
	g, _ := p.svc.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: "web", DeploymentGroupName: "prod"})
	if n := g.DeploymentGroupInfo.AutoScalingGroups[0].Name; n != "CodeDeploy_prod_"+d.DeploymentID {
		t.Fatalf("group's ASG is %s", n)
	}
	if got := strings.Join(p.events.states("CodeDeploy Deployment State-change Notification"), ","); got != "START,READY,SUCCESS" {
		t.Fatalf("events %s", got)
	}
}

func TestBlueGreenDiscoverExistingKeepAliveAndTerminationWait(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p := newPlatform(t, clk)
	ctx := context.Background()
	blue := p.fleet.add(t, map[string]string{"Color": "blue"}, "")
	green := p.fleet.add(t, map[string]string{"Color": "green"}, "")
	p.app("svc")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "svc", DeploymentGroupName: "g",
		EC2TagFilters:    []codedeploy.EC2TagFilter{{Key: "Color", Value: "blue"}},
		DeploymentStyle:  &codedeploy.DeploymentStyle{DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL"},
		LoadBalancerInfo: &codedeploy.LoadBalancerInfo{ELBInfoList: []codedeploy.ELBInfo{{Name: "classic"}}},
		BlueGreenDeploymentConfiguration: &codedeploy.BlueGreenDeploymentConfiguration{
			TerminateBlueInstancesOnDeploymentSuccess: &codedeploy.BlueInstanceTerminationOption{Action: "TERMINATE", TerminationWaitTimeInMinutes: 30},
		}})
	rev := p.put("r.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - source: app.txt\n    destination: /srv\n", "app.txt": "green\n"})
	if _, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "svc", DeploymentGroupName: "g", Revision: rev}); !errors.Is(err, codedeploy.ErrInvalidTargetInstances) {
		t.Fatalf("without targetInstances: %v", err)
	}
	out, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "svc", DeploymentGroupName: "g", Revision: rev,
		TargetInstances: &codedeploy.TargetInstances{TagFilters: []codedeploy.EC2TagFilter{{Key: "Color", Value: "green"}}}})
	if err != nil {
		t.Fatal(err)
	}
	// the deployment waits 30 minutes on the platform clock before terminating the original
	waitFor(t, "termination wait", func() bool {
		d, _ := p.svc.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentID: out.DeploymentID})
		return d.DeploymentInfo.InstanceTerminationWaitTimeStarted
	})
	if p.fleet.state(blue.ID()) != "running" {
		t.Fatal("blue terminated before the wait")
	}
	clk.BlockUntil(ctx, 1)
	clk.Advance(30 * time.Minute)
	d := p.wait(out.DeploymentID)
	if d.Status != "Succeeded" || p.fleet.state(blue.ID()) != "terminated" {
		t.Fatalf("status %s blue %s", d.Status, p.fleet.state(blue.ID()))
	}
	if got := read(t, green, "/srv/app.txt"); got != "green\n" {
		t.Fatalf("green %q", got)
	}
	if got := p.lb.targets("elb:classic"); len(got) != 1 || got[0] != green.ID() {
		t.Fatalf("elb %v", got)
	}
}

func TestHookTimeoutOnPlatformClock(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p := newPlatform(t, clk)
	h := p.fleet.add(t, map[string]string{"k": "v"}, "")
	p.app("a")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}}})
	rev := p.put("slow.zip", map[string]string{
		"appspec.yml":     "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/slow.sh\n      timeout: 90\n",
		"scripts/slow.sh": "#!/bin/bash\necho starting\nsleep 600\necho never\n",
	})
	out, err := p.svc.CreateDeployment(context.Background(), &codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	clk.BlockUntil(context.Background(), 2) // the hook's timeout and its sleep
	clk.Advance(91 * time.Second)
	d := p.wait(out.DeploymentID)
	ev := eventOf(p.target(out.DeploymentID, h.ID()), "ApplicationStart")
	if d.Status != "Failed" || ev.Diagnostics.ErrorCode != "ScriptTimedOut" ||
		ev.Diagnostics.Message != "Script at specified location: scripts/slow.sh failed to complete in 90 seconds" ||
		!strings.Contains(ev.Diagnostics.LogTail, "[stdout]starting") {
		t.Fatalf("%s %+v", d.Status, ev.Diagnostics)
	}
	if vs := eventOf(p.target(out.DeploymentID, h.ID()), "ValidateService"); vs.Status != "Skipped" {
		t.Fatalf("ValidateService %s", vs.Status)
	}
}

func TestAgentDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		feb    string
		setup  func(h *host.Host)
		event  string
		code   string
		msg    string
		status string
	}{
		{name: "script missing", files: map[string]string{"appspec.yml": "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/nope.sh\n"},
			event: "AfterInstall", code: "ScriptMissing", msg: "Script does not exist at specified location: scripts/nope.sh", status: "Failed"},
		{name: "no appspec", files: map[string]string{"readme.txt": "x"},
			event: "DownloadBundle", code: "UnknownError", msg: "did not find an AppSpec file", status: "Failed"},
		{name: "invalid appspec", files: map[string]string{"appspec.yml": "version: 1.0\nos: linux\n"},
			event: "DownloadBundle", code: "UnknownError", msg: "invalid version value (1.0)", status: "Failed"},
		{name: "windows appspec", files: map[string]string{"appspec.yml": "version: 0.0\nos: windows\n"},
			event: "DownloadBundle", code: "UnknownError", msg: "unsupported operating system (windows)", status: "Failed"},
		{name: "file exists disallow", files: map[string]string{"appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - source: a.conf\n    destination: /etc/app\n", "a.conf": "new"},
			setup: func(h *host.Host) { h.WriteFile("/etc/app/a.conf", []byte("old"), 0o644) },
			event: "Install", code: "UnknownError", msg: "The deployment failed because a specified file already exists at this location: /etc/app/a.conf", status: "Failed"},
		{name: "file exists overwrite", feb: "OVERWRITE", files: map[string]string{"appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - source: a.conf\n    destination: /etc/app\n", "a.conf": "new"},
			setup: func(h *host.Host) { h.WriteFile("/etc/app/a.conf", []byte("old"), 0o644) },
			event: "Install", code: "Success", status: "Succeeded"},
		{name: "unknown runas user", files: map[string]string{"appspec.yml": "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: s.sh\n      runas: nobody2\n", "s.sh": "#!/bin/sh\ntrue\n"},
			event: "AfterInstall", code: "ScriptFailed", msg: "Script at specified location: s.sh run as user nobody2 failed with exit code 1", status: "Failed"},
		{name: "not executable is made executable", files: map[string]string{"appspec.yml": "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: run.txt\n", "run.txt": "#!/bin/sh\necho ran\n"},
			event: "AfterInstall", code: "Success", status: "Succeeded"},
		{name: "missing bundle", event: "DownloadBundle", code: "UnknownError", msg: "The specified key does not exist.", status: "Failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlatform(t, nil)
			h := p.fleet.add(t, map[string]string{"k": "v"}, "")
			if tc.setup != nil {
				tc.setup(h)
			}
			p.app("a")
			p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}}})
			var rev *codedeploy.RevisionLocation
			if tc.files != nil {
				rev = p.put("b.zip", tc.files)
			} else {
				rev = &codedeploy.RevisionLocation{RevisionType: "S3", S3Location: &codedeploy.S3Location{Bucket: "bundles", Key: "missing.zip", BundleType: "zip"}}
			}
			d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev, FileExistsBehavior: tc.feb})
			ev := eventOf(p.target(d.DeploymentID, h.ID()), tc.event)
			if ev.Status != tc.status || ev.Diagnostics == nil || ev.Diagnostics.ErrorCode != tc.code || !strings.Contains(ev.Diagnostics.Message, tc.msg) {
				t.Fatalf("%s: %s %+v (deployment %s)", tc.event, ev.Status, ev.Diagnostics, d.Status)
			}
		})
	}
}

func TestAlarmStopsAndRollsBack(t *testing.T) {
	p := newPlatform(t, nil)
	g := newGate()
	for range 3 {
		p.fleet.add(t, map[string]string{"k": "v"}, "").RegisterCommand("gate", g.command)
	}
	p.app("a")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}},
		AlarmConfiguration:        &codedeploy.AlarmConfiguration{Enabled: true, Alarms: []codedeploy.Alarm{{Name: "5xx"}}},
		AutoRollbackConfiguration: &codedeploy.AutoRollbackConfiguration{Enabled: true, Events: []string{"DEPLOYMENT_STOP_ON_ALARM"}}})
	p.alarms.set("5xx", "OK")
	plain := map[string]string{"appspec.yml": "version: 0.0\nos: linux\n"}
	if d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: p.put("v1.zip", plain)}); d.Status != "Succeeded" {
		t.Fatalf("v1 %s %+v", d.Status, d.ErrorInformation)
	}
	rev := p.put("v2.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: g.sh\n", "g.sh": "#!/bin/sh\ngate\n"})
	out, err := p.svc.CreateDeployment(context.Background(), &codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	<-g.entered // the first host is in its AfterInstall hook
	p.alarms.set("5xx", "ALARM")
	g.release <- struct{}{}
	d := p.wait(out.DeploymentID)
	if d.Status != "Stopped" || d.ErrorInformation.Code != "ALARM_ACTIVE" || !strings.HasSuffix(d.ErrorInformation.Message, "Activated alarms: 5xx") {
		t.Fatalf("%s %+v", d.Status, d.ErrorInformation)
	}
	if d.RollbackInfo == nil || d.RollbackInfo.RollbackDeploymentID == "" {
		t.Fatalf("rollback %+v", d.RollbackInfo)
	}
	p.alarms.set("5xx", "OK")
	if rb := p.wait(d.RollbackInfo.RollbackDeploymentID); rb.Status != "Succeeded" {
		t.Fatalf("rollback %s %+v", rb.Status, rb.ErrorInformation)
	}
}

func TestStopDeployment(t *testing.T) {
	p := newPlatform(t, nil)
	g := newGate()
	h := p.fleet.add(t, map[string]string{"k": "v"}, "")
	h.RegisterCommand("gate", g.command)
	p.fleet.add(t, map[string]string{"k": "v"}, "").RegisterCommand("gate", g.command)
	p.app("a")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}},
		TriggerConfigurations: []codedeploy.TriggerConfig{{TriggerName: "t", TriggerTargetArn: "arn:aws:sns:us-east-1:000000000000:deploys", TriggerEvents: []string{"DeploymentStart", "DeploymentStop"}}}})
	rev := p.put("v.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: g.sh\n", "g.sh": "#!/bin/sh\ngate\n"})
	ctx := context.Background()
	out, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	<-g.entered
	if _, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev}); !errors.Is(err, codedeploy.ErrDeploymentLimitExceeded) {
		t.Fatalf("second active deployment: %v", err)
	}
	st, err := p.svc.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentID: out.DeploymentID})
	if err != nil || st.Status != "Pending" {
		t.Fatalf("%+v %v", st, err)
	}
	d := p.wait(out.DeploymentID)
	if d.Status != "Stopped" || d.ErrorInformation.Code != "MANUAL_STOP" || d.RollbackInfo != nil {
		t.Fatalf("%s %+v %+v", d.Status, d.ErrorInformation, d.RollbackInfo)
	}
	if _, err := p.svc.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentID: out.DeploymentID}); !errors.Is(err, codedeploy.ErrDeploymentAlreadyCompleted) {
		t.Fatalf("stop twice: %v", err)
	}
	p.sns.mu.Lock()
	msgs := strings.Join(p.sns.msgs, "|")
	p.sns.mu.Unlock()
	if !strings.Contains(msgs, "CREATED: AWS CodeDeploy") && !strings.Contains(msgs, "INPROGRESS: AWS CodeDeploy "+out.DeploymentID) || !strings.Contains(msgs, "STOPPED: AWS CodeDeploy "+out.DeploymentID) {
		t.Fatalf("triggers %s", msgs)
	}
}

func TestAutoScalingLaunchGetsLastRevision(t *testing.T) {
	p := newPlatform(t, nil)
	p.fleet.add(t, nil, "asg")
	p.app("a")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", AutoScalingGroups: []string{"asg"}})
	rev := p.put("v.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - source: v.txt\n    destination: /app\n", "v.txt": "v1"})
	if d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev}); d.Status != "Succeeded" {
		t.Fatalf("%s %+v", d.Status, d.ErrorInformation)
	}
	h := p.fleet.add(t, nil, "asg") // scale out
	if err := p.svc.DeployToLaunchedInstance(context.Background(), "asg", h.ID()); err != nil {
		t.Fatal(err)
	}
	if got := read(t, h, "/app/v.txt"); got != "v1" {
		t.Fatalf("%q", got)
	}
	l, _ := p.svc.ListDeployments(context.Background(), &codedeploy.ListDeploymentsInput{ApplicationName: "a", DeploymentGroupName: "g"})
	if len(l.Deployments) != 2 {
		t.Fatalf("deployments %v", l.Deployments)
	}
	d, _ := p.svc.GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentID: l.Deployments[0]})
	if d.DeploymentInfo.Creator != "autoscaling" {
		t.Fatalf("creator %s", d.DeploymentInfo.Creator)
	}
}

func TestNoInstances(t *testing.T) {
	p := newPlatform(t, nil)
	p.app("a")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "none"}}})
	d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: p.put("v.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\n"})})
	if d.Status != "Failed" || d.ErrorInformation.Code != "NO_INSTANCES" {
		t.Fatalf("%s %+v", d.Status, d.ErrorInformation)
	}
}

func TestTagSets(t *testing.T) {
	p := newPlatform(t, nil)
	a := p.fleet.add(t, map[string]string{"Env": "prod", "Tier": "web"}, "")
	p.fleet.add(t, map[string]string{"Env": "prod", "Tier": "db"}, "")
	b := p.fleet.add(t, map[string]string{"Env": "staging", "Web": "yes"}, "")
	p.fleet.add(t, map[string]string{"Tier": "web"}, "")
	p.app("a")
	// (Env=prod OR Env=staging) AND (Tier=web OR key Web)
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagSet: &codedeploy.EC2TagSet{EC2TagSetList: [][]codedeploy.EC2TagFilter{
		{{Key: "Env", Value: "prod", Type: "KEY_AND_VALUE"}, {Key: "Env", Value: "staging", Type: "KEY_AND_VALUE"}},
		{{Key: "Tier", Value: "web", Type: "KEY_AND_VALUE"}, {Key: "Web", Type: "KEY_ONLY"}},
	}}})
	d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: p.put("v.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\n"})})
	l, _ := p.svc.ListDeploymentTargets(context.Background(), &codedeploy.ListDeploymentTargetsInput{DeploymentID: d.DeploymentID})
	if strings.Join(l.TargetIDs, ",") != a.ID()+","+b.ID() {
		t.Fatalf("targets %v", l.TargetIDs)
	}
}

// TestCorpusBundles deploys the corpus's EC2/On-premises bundles to hosts.
func TestCorpusBundles(t *testing.T) {
	for _, tc := range []struct {
		dir   string
		extra map[string]string
		check func(t *testing.T, h *host.Host)
	}{
		{dir: "aws-samples__aws-codedeploy-samples__applications__SampleApp_Linux", extra: map[string]string{"index.html": "<h1>sample</h1>"},
			check: func(t *testing.T, h *host.Host) {
				if !h.ServiceActive("httpd") || read(t, h, "/var/www/html/index.html") != "<h1>sample</h1>" {
					t.Fatal("httpd not serving the sample")
				}
			}},
		{dir: "aws-samples__aws-codepipeline-s3-codedeploy-linux", extra: map[string]string{"index.html": "<h1>pipeline</h1>"},
			check: func(t *testing.T, h *host.Host) {
				if !h.ServiceActive("httpd") {
					t.Fatal("httpd not started")
				}
			}},
		{dir: "aws__aws-codedeploy-agent__sample_app_bundle_linux"},
		{dir: "aws__aws-codedeploy-agent__sample_custom_event_app_bundle_linux"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p := newPlatform(t, nil)
			h := p.fleet.add(t, map[string]string{"k": "v"}, "")
			p.app("a")
			p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}}})
			files := dirBundle(t, filepath.Join("testdata", "bundles", tc.dir), tc.extra)
			d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: p.put("b.zip", files)})
			if d.Status != "Succeeded" {
				tg := p.target(d.DeploymentID, h.ID())
				for _, e := range tg.LifecycleEvents {
					if e.Status == "Failed" {
						t.Fatalf("%s failed: %+v", e.LifecycleEventName, e.Diagnostics)
					}
				}
				t.Fatalf("status %s %+v", d.Status, d.ErrorInformation)
			}
			if tc.check != nil {
				tc.check(t, h)
			}
			// and a second deployment runs the first one's ApplicationStop
			d2 := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: p.put("b2.zip", files)})
			if d2.Status != "Succeeded" {
				t.Fatalf("second: %s %+v %+v", d2.Status, d2.ErrorInformation, p.target(d2.DeploymentID, h.ID()).LifecycleEvents)
			}
		})
	}
	if _, err := os.Stat("testdata/MANIFEST.tsv"); err != nil {
		t.Fatal(err)
	}
}

// TestCorpusBundlesUnsupported deploys the corpus bundles whose commands simulated hosts do
// not have (or whose corpus copy lacks files) and checks they fail the way the agent reports it.
func TestCorpusBundlesUnsupported(t *testing.T) {
	for _, tc := range []struct{ dir, event, msg, log string }{
		{"aws-samples__aws-codedeploy-samples__conf-mgmt__ansible__local-only", "BeforeInstall", "failed with exit code 127", "pip: command not found"},
		{"aws-samples__aws-codedeploy-samples__conf-mgmt__chef__solo", "BeforeInstall", "failed with exit code 1", "gem2.0: command not found"},
		{"aws-samples__aws-codedeploy-samples__conf-mgmt__puppet__masterless", "Install", "names a source that is not in the revision: puppet/", ""},
		{"aws-samples__aws-codedeploy-samples__conf-mgmt__salt__local-only", "Install", "names a source that is not in the revision: salt/", ""},
		{"aws-samples__aws-codedeploy-samples__load-balancing__elb", "ApplicationStart", "register_with_elb.sh failed with exit code 1", "Unable to get this instance's ID"},
		{"aws-samples__aws-codedeploy-samples__load-balancing__elb-v2", "ApplicationStart", "register_with_elb.sh failed with exit code 1", "Unable to get this instance's ID"},
		{"awsdocs__aws-codedeploy-user-guide__wordpress-tutorial", "ApplicationStart", "scripts/start_server.sh failed with exit code 5", "Unit php-fpm.service not found"},
		{"awslabs__aws-deployment-framework__sample-ec2-java-app-codedeploy", "ApplicationStart", "Script does not exist at specified location: start.sh", ""},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p := newPlatform(t, nil)
			h := p.fleet.add(t, map[string]string{"k": "v"}, "")
			p.app("a")
			p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}}})
			d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g",
				Revision: p.put("b.zip", dirBundle(t, filepath.Join("testdata", "bundles", tc.dir), nil))})
			ev := eventOf(p.target(d.DeploymentID, h.ID()), tc.event)
			if d.Status != "Failed" || ev.Status != "Failed" || !strings.Contains(ev.Diagnostics.Message, tc.msg) || !strings.Contains(ev.Diagnostics.LogTail, tc.log) {
				t.Fatalf("%s %s %+v", d.Status, ev.Status, ev.Diagnostics)
			}
		})
	}
}

func tarBundle(t *testing.T, files map[string]string, gz bool) []byte {
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	tw.WriteHeader(&tar.Header{Name: "./scripts/", Typeflag: tar.TypeDir, Mode: 0o755})
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: "./" + name, Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(body))})
		tw.Write([]byte(body))
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func TestBundleTypesAndETag(t *testing.T) {
	files := map[string]string{
		"appspec.yml":      "version: 0.0\nos: linux\nfiles:\n  - source: conf/app.conf\n    destination: /etc/app\nhooks:\n  AfterInstall:\n    - location: scripts/after.sh\n",
		"conf/app.conf":    "port=8080\n",
		"scripts/after.sh": "#!/bin/sh\ncat /etc/app/app.conf\n",
	}
	for _, tc := range []struct {
		kind string
		data func() []byte
		etag string
		ok   bool
	}{
		{"tar", func() []byte { return tarBundle(t, files, false) }, "", true},
		{"tgz", func() []byte { return tarBundle(t, files, true) }, "", true},
		{"zip", func() []byte { return zipBundle(t, files) }, "md5", true},
		{"zip", func() []byte { return zipBundle(t, files) }, "0123456789abcdef0123456789abcdef", false},
		{"tgz", func() []byte { return []byte("not gzip") }, "", false},
	} {
		t.Run(tc.kind+"/"+tc.etag, func(t *testing.T) {
			p := newPlatform(t, nil)
			h := p.fleet.add(t, map[string]string{"k": "v"}, "")
			p.app("a")
			p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}}})
			data := tc.data()
			etag := tc.etag
			if etag == "md5" {
				sum := md5.Sum(data)
				etag = `"` + hex.EncodeToString(sum[:]) + `"`
			}
			p.env.Objects.PutObject(context.Background(), "bundles", "b", data)
			d := p.deploy(&codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g",
				Revision: &codedeploy.RevisionLocation{RevisionType: "S3", S3Location: &codedeploy.S3Location{Bucket: "bundles", Key: "b", BundleType: tc.kind, ETag: etag}}})
			if (d.Status == "Succeeded") != tc.ok {
				t.Fatalf("%s %+v %+v", d.Status, d.ErrorInformation, eventOf(p.target(d.DeploymentID, h.ID()), "DownloadBundle").Diagnostics)
			}
			if tc.ok {
				if got := read(t, h, "/etc/app/app.conf"); got != "port=8080\n" {
					t.Fatalf("%q", got)
				}
				if ev := eventOf(p.target(d.DeploymentID, h.ID()), "AfterInstall"); !strings.Contains(ev.Diagnostics.LogTail, "[stdout]port=8080") {
					t.Fatalf("%+v", ev.Diagnostics)
				}
			}
		})
	}
}
