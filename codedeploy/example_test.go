package codedeploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"log/slog"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/internal/s3obj"
	"github.com/devopsim/devopsim/store/memstore"
)

// Deploy a revision from S3 to two hosts chosen by tag, in place, one at a time.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Objects: s3obj.NewMemory(clock.Real()), Account: core.DefaultAccount, Region: core.DefaultRegion}

	// two simulated EC2 instances (the platform wires its EC2 simulator here)
	fleet := newFleet(env.Clock)
	defer fleet.closeAll()
	web1 := fleet.add(nil, map[string]string{"Role": "web"}, "")
	fleet.add(nil, map[string]string{"Role": "web"}, "")

	svc, _ := codedeploy.New(env, codedeploy.Deps{Fleet: fleet}, codedeploy.Options{})
	defer svc.Close(ctx)

	// the revision: an appspec, a page and a hook, zipped into S3
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - source: index.html\n    destination: /var/www/html\n" +
			"hooks:\n  AfterInstall:\n    - location: after.sh\n",
		"index.html": "<h1>hello</h1>\n",
		"after.sh":   "#!/bin/bash\necho installed on $(hostname) by $DEPLOYMENT_GROUP_NAME\n",
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	env.Objects.CreateBucket(ctx, "releases")
	env.Objects.PutObject(ctx, "releases", "web-1.zip", buf.Bytes())

	svc.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: "web"})
	svc.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: "web", DeploymentGroupName: "staging",
		ServiceRoleArn: "arn:aws:iam::000000000000:role/CodeDeploy",
		EC2TagFilters:  []codedeploy.EC2TagFilter{{Key: "Role", Value: "web", Type: "KEY_AND_VALUE"}},
	})
	out, err := svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: "web", DeploymentGroupName: "staging",
		Revision: &codedeploy.RevisionLocation{RevisionType: "S3",
			S3Location: &codedeploy.S3Location{Bucket: "releases", Key: "web-1.zip", BundleType: "zip"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	svc.Wait(ctx, out.DeploymentID)
	d, _ := svc.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentID: out.DeploymentID})
	fmt.Println(d.DeploymentInfo.Status, d.DeploymentInfo.DeploymentOverview.Succeeded)
	page, _ := web1.ReadFile("/var/www/html/index.html")
	fmt.Print(string(page))
	tg, _ := svc.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentID: out.DeploymentID, TargetID: web1.ID()})
	for _, e := range tg.DeploymentTarget.InstanceTarget.LifecycleEvents {
		fmt.Println(e.LifecycleEventName, e.Status)
	}
	// Output:
	// Succeeded 2
	// <h1>hello</h1>
	// ApplicationStop Succeeded
	// DownloadBundle Succeeded
	// BeforeInstall Succeeded
	// Install Succeeded
	// AfterInstall Succeeded
	// ApplicationStart Succeeded
	// ValidateService Succeeded
}
