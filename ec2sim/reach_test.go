package ec2sim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awsapi/ec2api"
	"github.com/devopsim/devopsim/internal/awstest"
)

// TestSecurityGroupsGuardHosts: a host reaches another's web server only when the target's
// inbound rules (by group or CIDR) and the source's outbound rules allow it; a dropped
// connection times out (curl exit 28), a port nobody listens on is refused (7).
func TestSecurityGroupsGuardHosts(t *testing.T) {
	s, _ := newService(t, clock.Real(), ec2sim.Options{})
	c := ec2.NewFromConfig(awstest.Config(t, ec2api.Service(s)))
	ctx := context.Background()
	group := func(name string) string {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(g.GroupId)
	}
	web, client := group("web"), group("client")
	launch := func(sg, userData string) string {
		out, err := s.RunInstances(ctx, &ec2sim.RunInstancesInput{ImageID: ec2sim.AL2023AMI, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1,
			SecurityGroupIDs: []string{sg}, UserData: b64(userData)})
		if err != nil {
			t.Fatal(err)
		}
		id := out.Instances[0].InstanceID
		if err := s.WaitBooted(ctx, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	server := describe(t, s, launch(web, nginxUserData))
	caller, _ := s.Host(launch(client, "#!/bin/bash\ntrue\n"))
	curl := func(url string) (int, string) {
		t.Helper()
		var out strings.Builder
		res, err := caller.Run(ctx, runnerCmd("curl -sS "+url, &out))
		if err != nil {
			t.Fatal(err)
		}
		return res.ExitCode, out.String()
	}
	expect := func(step, url string, code int, text string) {
		t.Helper()
		if got, out := curl(url); got != code || !strings.Contains(out, text) {
			t.Fatalf("%s: curl %s = %d %q, want %d %q", step, url, got, out, code, text)
		}
	}
	ingress := func(perm types.IpPermission) {
		t.Helper()
		if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{perm}}); err != nil {
			t.Fatal(err)
		}
	}
	site := "http://" + server.PrivateIpAddress + "/"
	expect("no inbound rule", site, 28, "Connection timed out")
	ingress(types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(client)}}})
	expect("port 80 from the client group", site, 0, "Hello from")
	expect("by private DNS name", "http://"+server.PrivateDnsName+"/", 0, "Hello from")
	expect("another port", "http://"+server.PrivateIpAddress+":8080/", 28, "Connection timed out")
	ingress(tcp(8080, describe(t, s, caller.ID()).PrivateIpAddress+"/32"))
	expect("8080 from the client's address, nothing listening", "http://"+server.PrivateIpAddress+":8080/", 7, "Couldn't connect to server")
	// The client's outbound rules count too.
	if _, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(client),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	expect("no outbound rule", site, 28, "Connection timed out")
	expect("an unknown host", "http://10.9.9.9/", 6, "Could not resolve host")
}
