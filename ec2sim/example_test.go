package ec2sim_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store/memstore"
)

// The seed's user data (install and start nginx) on an instance launched from a launch
// template; an HTTP GET to the host's web server answers.
func Example() {
	st := memstore.New()
	defer st.Close()
	env := &core.Env{Clock: clock.Real(), Store: st, Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, _ := ec2sim.New(env, ec2sim.Options{})
	defer svc.Close(context.Background())
	ctx := context.Background()

	userData := "#!/bin/bash\nyum install -y nginx\necho '<h1>deployed</h1>' > /usr/share/nginx/html/index.html\nsystemctl enable --now nginx\n"
	svc.CreateLaunchTemplate(ctx, &ec2sim.CreateLaunchTemplateInput{LaunchTemplateName: "web",
		LaunchTemplateData: ec2sim.LaunchTemplateData{ImageID: ec2sim.AL2023AMI, InstanceType: "t3.micro",
			UserData: base64.StdEncoding.EncodeToString([]byte(userData))}})
	res, err := svc.RunInstances(ctx, &ec2sim.RunInstancesInput{MinCount: 1, MaxCount: 1,
		LaunchTemplate: &ec2sim.LaunchTemplateSpecification{LaunchTemplateName: "web"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := res.Instances[0].InstanceID
	svc.WaitBooted(ctx, id)

	h, _ := svc.Host(id)
	resp, err := http.Get(h.URL(80))
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))
	fmt.Println(resp.Header.Get("Server"))
	// Output:
	// <h1>deployed</h1>
	// nginx
}
