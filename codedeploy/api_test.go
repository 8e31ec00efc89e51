package codedeploy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/codedeploy"
)

func TestValidationErrors(t *testing.T) {
	p := newPlatform(t, nil)
	ctx := context.Background()
	s := p.svc
	p.app("app")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "g"})
	s3 := func(key, kind string) *codedeploy.RevisionLocation {
		return &codedeploy.RevisionLocation{RevisionType: "S3", S3Location: &codedeploy.S3Location{Bucket: "b", Key: key, BundleType: kind}}
	}
	for _, tc := range []struct {
		name string
		call func() error
		want error
	}{
		{"app name required", func() error { _, err := s.CreateApplication(ctx, &codedeploy.CreateApplicationInput{}); return err }, codedeploy.ErrApplicationNameRequired},
		{"app name too long", func() error {
			_, err := s.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: strings.Repeat("a", 101)})
			return err
		}, codedeploy.ErrInvalidApplicationName},
		{"ECS not supported", func() error {
			_, err := s.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: "e", ComputePlatform: "ECS"})
			return err
		}, codedeploy.ErrInvalidComputePlatform},
		{"batch get too many", func() error {
			_, err := s.BatchGetApplications(ctx, &codedeploy.BatchGetApplicationsInput{ApplicationNames: make([]string, 101)})
			return err
		}, codedeploy.ErrBatchLimitExceeded},
		{"revision required", func() error {
			_, err := s.RegisterApplicationRevision(ctx, &codedeploy.RegisterApplicationRevisionInput{ApplicationName: "app"})
			return err
		}, codedeploy.ErrRevisionRequired},
		{"bundle type", func() error {
			_, err := s.RegisterApplicationRevision(ctx, &codedeploy.RegisterApplicationRevisionInput{ApplicationName: "app", Revision: s3("k", "rar")})
			return err
		}, codedeploy.ErrInvalidRevision},
		{"YAML bundle is Lambda/ECS only", func() error {
			_, err := s.RegisterApplicationRevision(ctx, &codedeploy.RegisterApplicationRevisionInput{ApplicationName: "app", Revision: s3("k", "YAML")})
			return err
		}, codedeploy.ErrInvalidRevision},
		{"revision does not exist", func() error {
			_, err := s.GetApplicationRevision(ctx, &codedeploy.GetApplicationRevisionInput{ApplicationName: "app", Revision: s3("nope", "zip")})
			return err
		}, codedeploy.ErrRevisionDoesNotExist},
		{"sort by", func() error {
			_, err := s.ListApplicationRevisions(ctx, &codedeploy.ListApplicationRevisionsInput{ApplicationName: "app", SortBy: "size"})
			return err
		}, codedeploy.ErrInvalidSortBy},
		{"config exists", func() error {
			_, err := s.CreateDeploymentConfig(ctx, &codedeploy.CreateDeploymentConfigInput{DeploymentConfigName: codedeploy.OneAtATime, MinimumHealthyHosts: &codedeploy.MinimumHealthyHosts{Type: "HOST_COUNT", Value: 1}})
			return err
		}, codedeploy.ErrDeploymentConfigExists},
		{"config type", func() error {
			_, err := s.CreateDeploymentConfig(ctx, &codedeploy.CreateDeploymentConfigInput{DeploymentConfigName: "x", MinimumHealthyHosts: &codedeploy.MinimumHealthyHosts{Type: "MOST_CONCURRENCY", Value: 1}})
			return err
		}, codedeploy.ErrInvalidMinimumHealthyHosts},
		{"config missing", func() error {
			_, err := s.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: "x"})
			return err
		}, codedeploy.ErrDeploymentConfigDoesNotExist},
		{"role required", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "x"})
			return err
		}, codedeploy.ErrRoleRequired},
		{"group exists", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "g", ServiceRoleArn: role})
			return err
		}, codedeploy.ErrDeploymentGroupExists},
		{"bad tag filter", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "x", ServiceRoleArn: role,
				EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k", Type: "VALUE_ONLY"}}})
			return err
		}, codedeploy.ErrInvalidEC2Tag},
		{"blue/green needs a load balancer", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "x", ServiceRoleArn: role,
				DeploymentStyle: &codedeploy.DeploymentStyle{DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL"}})
			return err
		}, codedeploy.ErrInvalidLoadBalancerInfo},
		{"copy ASG needs one ASG", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "x", ServiceRoleArn: role,
				DeploymentStyle:  &codedeploy.DeploymentStyle{DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL"},
				LoadBalancerInfo: &codedeploy.LoadBalancerInfo{TargetGroupInfoList: []codedeploy.TargetGroupInfo{{Name: "tg"}}},
				BlueGreenDeploymentConfiguration: &codedeploy.BlueGreenDeploymentConfiguration{
					GreenFleetProvisioningOption: &codedeploy.GreenFleetProvisioningOption{Action: "COPY_AUTO_SCALING_GROUP"}}})
			return err
		}, codedeploy.ErrInvalidBlueGreenConfig},
		{"alarms enabled without alarms", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "x", ServiceRoleArn: role,
				AlarmConfiguration: &codedeploy.AlarmConfiguration{Enabled: true}})
			return err
		}, codedeploy.ErrInvalidAlarmConfig},
		{"rollback event", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "x", ServiceRoleArn: role,
				AutoRollbackConfiguration: &codedeploy.AutoRollbackConfiguration{Enabled: true, Events: []string{"SOMETIMES"}}})
			return err
		}, codedeploy.ErrInvalidAutoRollbackConfig},
		{"trigger target", func() error {
			_, err := s.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "x", ServiceRoleArn: role,
				TriggerConfigurations: []codedeploy.TriggerConfig{{TriggerName: "t", TriggerTargetArn: "arn:aws:sqs:us-east-1:0:q"}}})
			return err
		}, codedeploy.ErrInvalidTriggerConfig},
		{"group missing", func() error {
			_, err := s.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: "app", DeploymentGroupName: "nope"})
			return err
		}, codedeploy.ErrDeploymentGroupDoesNotExist},
		{"deployment revision required", func() error {
			_, err := s.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "app", DeploymentGroupName: "g"})
			return err
		}, codedeploy.ErrRevisionRequired},
		{"file exists behavior", func() error {
			_, err := s.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "app", DeploymentGroupName: "g", Revision: s3("k", "zip"), FileExistsBehavior: "MERGE"})
			return err
		}, codedeploy.ErrInvalidFileExistsBehavior},
		{"target instances on in-place", func() error {
			_, err := s.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "app", DeploymentGroupName: "g", Revision: s3("k", "zip"), TargetInstances: &codedeploy.TargetInstances{}})
			return err
		}, codedeploy.ErrInvalidTargetInstances},
		{"list deployments status", func() error {
			_, err := s.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{IncludeOnlyStatuses: []string{"Done"}})
			return err
		}, codedeploy.ErrInvalidDeploymentStatus},
		{"deployment id required", func() error { _, err := s.GetDeployment(ctx, &codedeploy.GetDeploymentInput{}); return err }, codedeploy.ErrDeploymentIDRequired},
		{"next token", func() error {
			_, err := s.ListApplications(ctx, &codedeploy.ListApplicationsInput{NextToken: "garbage"})
			return err
		}, codedeploy.ErrInvalidNextToken},
		{"wait type", func() error {
			_, err := s.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{DeploymentID: "d-AAAAAAAAA", DeploymentWaitType: "SOON"})
			return err
		}, codedeploy.ErrInvalidDeploymentWaitType},
		{"arn required", func() error { _, err := s.ListTagsForResource(ctx, &codedeploy.ListTagsForResourceInput{}); return err }, codedeploy.ErrResourceArnRequired},
		{"arn not supported", func() error {
			_, err := s.TagResource(ctx, &codedeploy.TagResourceInput{ResourceArn: "arn:aws:codedeploy:us-east-1:000000000000:deploymentconfig:x", Tags: []codedeploy.Tag{{Key: "a"}}})
			return err
		}, codedeploy.ErrArnNotSupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Message == "" {
				t.Fatalf("not an apierr with a message: %v", err)
			}
		})
	}
}

// TestConcurrentDeployments drives the service from many goroutines: each creates its own
// application and group and deploys to its own hosts, while others read and list.
func TestConcurrentDeployments(t *testing.T) {
	p := newPlatform(t, nil)
	ctx := context.Background()
	const n = 8
	rev := p.put("c.zip", map[string]string{
		"appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - source: f.txt\n    destination: /srv\nhooks:\n  AfterInstall:\n    - location: a.sh\n",
		"f.txt":       "x", "a.sh": "#!/bin/sh\necho $DEPLOYMENT_GROUP_NAME > /srv/group\n",
	})
	for i := range n {
		for range 2 {
			p.fleet.add(t, map[string]string{"G": fmt.Sprint(i)}, "")
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			app := fmt.Sprintf("app%d", i)
			if _, err := p.svc.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: app}); err != nil {
				errs <- err
				return
			}
			if _, err := p.svc.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: app, DeploymentGroupName: "g", ServiceRoleArn: role,
				DeploymentConfigName: codedeploy.AllAtOnce, EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "G", Value: fmt.Sprint(i)}}}); err != nil {
				errs <- err
				return
			}
			for range 2 {
				out, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: app, DeploymentGroupName: "g", Revision: rev, FileExistsBehavior: "OVERWRITE"})
				if err != nil {
					errs <- err
					return
				}
				if err := p.svc.Wait(ctx, out.DeploymentID); err != nil {
					errs <- err
					return
				}
				d, err := p.svc.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentID: out.DeploymentID})
				if err != nil || d.DeploymentInfo.Status != "Succeeded" {
					errs <- fmt.Errorf("deployment %v %+v", err, d)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := p.svc.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{}); err != nil {
					errs <- err
				}
				if _, err := p.svc.ListApplications(ctx, &codedeploy.ListApplicationsInput{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	l, _ := p.svc.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{})
	if len(l.Deployments) != 2*n {
		t.Fatalf("%d deployments", len(l.Deployments))
	}
}

func TestCloseStopsRunningDeployments(t *testing.T) {
	p := newPlatform(t, nil)
	g := newGate()
	p.fleet.add(t, map[string]string{"k": "v"}, "").RegisterCommand("gate", g.command)
	p.app("a")
	p.group(&codedeploy.CreateDeploymentGroupInput{ApplicationName: "a", DeploymentGroupName: "g", EC2TagFilters: []codedeploy.EC2TagFilter{{Key: "k"}}})
	rev := p.put("v.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: g.sh\n", "g.sh": "#!/bin/sh\ngate\n"})
	ctx := context.Background()
	out, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	<-g.entered
	if err := p.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := p.svc.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentID: out.DeploymentID})
	if err != nil || d.DeploymentInfo.Status != "Stopped" {
		t.Fatalf("%+v %v", d, err)
	}
	out2, err := p.svc.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: "a", DeploymentGroupName: "g", Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	if st := p.status(out2.DeploymentID); st != "Stopped" {
		t.Fatalf("after close: %s", st)
	}
}
