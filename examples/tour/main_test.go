package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

func TestTour(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the tour's build runs go")
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"arn:aws:iam::000000000000:root",
		"user data installed and started nginx",
		`git push "first version"`,
		"waits for approval",
		"SUCCEEDED",
		"<h1>hello from devopsim</h1>",
		"shipped 10 lines of /var/log/app/app.log",
		"logs insights `stats count(*) by bin(1m)`",
		"<h1>hello again, from the second commit</h1>",
		"cloudtrail LookupEvents StartBuild: 2 events, the latest from codepipeline.amazonaws.com",
		"cloudformation CreateStack tour-production from https://tour-templates.s3.amazonaws.com/environment.yaml: CREATE_COMPLETE with 14 resources",
		"auto scaling group prod from launch template prod-web in vpc-",
		"→ target group prod-web",
		"→ Production (CodeDeploy, blue/green)",
		".elb.amazonaws.com): <h1>hello from devopsim</h1>",
		".elb.amazonaws.com): <h1>hello again, from the second commit</h1>",
		"cloudtrail LookupEvents CreateDeployment: 4 events, the latest from codepipeline.amazonaws.com",
		"terminated, i-",
		"production now runs on Auto Scaling group CodeDeploy_production_d-",
		"ssm SendCommand AWS-RunShellScript to tag:Env=staging",
		": Success, output <h1>hello again, from the second commit</h1>",
		"desired capacity 2 → 3",
		`sns subscriber got "EC2 Instance Launch Successful": i-`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tour output lacks %q:\n%s", want, out.String())
		}
	}
}
