package cfnres_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/elbv2"
)

const albStack = `
Parameters:
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  Vpc: {Type: "AWS::EC2::VPC::Id"}
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: IMAGE
      InstanceType: t3.micro
      UserData:
        Fn::Base64: |
          #!/bin/bash
          yum install -y nginx
          echo "hello from nginx" > /usr/share/nginx/html/index.html
          systemctl start nginx
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: HTTP
      VpcId: !Ref Vpc
      HealthCheckPath: /
      Targets: [{Id: !Ref Web, Port: 80}]
  ALB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref Subnets
  Forward:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ALB
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref TG}]
  Fixed:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ALB
      Port: 8080
      Protocol: HTTP
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "200", ContentType: text/plain, MessageBody: hello from the stack}
Outputs:
  DNS: {Value: !GetAtt ALB.DNSName}
  Name: {Value: !GetAtt ALB.LoadBalancerName}
  Full: {Value: !GetAtt ALB.LoadBalancerFullName}
  TGFull: {Value: !GetAtt TG.TargetGroupFullName}
  TGArn: {Value: !Ref TG}
`

func TestLoadBalancerStack(t *testing.T) {
	p := newPlatform(t)
	ctx := context.Background()
	body := strings.ReplaceAll(albStack, "IMAGE", ec2sim.AL2023AMI)
	status, st := p.deploy(t, "alb", body, param("Subnets", p.defaultSubnets(t)), param("Vpc", p.defaultVPC(t)))
	if status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, p.failures(t, "alb"))
	}
	out := outputs(st)
	if !strings.HasPrefix(out["Full"], "app/"+out["Name"]+"/") || !strings.HasPrefix(out["TGFull"], "targetgroup/") || out["DNS"] == "" {
		t.Fatal(out)
	}
	th, err := p.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: out["TGArn"]})
	if err != nil || len(th.TargetHealthDescriptions) != 1 {
		t.Fatal(th, err)
	}
	// The fixed-response listener answers through the load balancer's handler.
	rec := &recorder{h: http.Header{}}
	req, _ := http.NewRequest("GET", "http://"+out["DNS"]+":8080/", nil)
	h, ok := p.ELBv2.Resolve(out["DNS"], 8080)
	if !ok {
		t.Fatal("no listener on 8080")
	}
	h.ServeHTTP(rec, req)
	if rec.code != 200 || rec.body.String() != "hello from the stack" {
		t.Fatalf("%d %q", rec.code, rec.body.String())
	}
	// The forward listener reaches nginx on the instance, over the load balancer's real URL.
	resp, err := http.Get(p.ELBv2.URL(out["DNS"]) + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "hello from nginx") {
		t.Fatalf("through the ALB: %d %q", resp.StatusCode, b)
	}
	p.deleteStack(t, "alb")
	if d, err := p.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{}); err != nil || len(d.LoadBalancers) != 0 {
		t.Fatal(d, err)
	}
}

type recorder struct {
	h    http.Header
	code int
	body strings.Builder
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(c int) { r.code = c }

var _ io.Writer = (*recorder)(nil)
