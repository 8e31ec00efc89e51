package codedeploy_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/devopsim/devopsim/internal/awsapi/codedeployapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// TestSDKRoundTrip drives every wired operation through the real aws-sdk-go-v2 client.
func TestSDKRoundTrip(t *testing.T) {
	p := newPlatform(t, nil)
	c := cd.NewFromConfig(awstest.Config(t, codedeployapi.Service(p.svc)))
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	hosts := []string{p.fleet.add(t, map[string]string{"Env": "sdk"}, "").ID(), p.fleet.add(t, map[string]string{"Env": "sdk"}, "").ID()}

	// applications
	app, err := c.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("sdk-app"), ComputePlatform: types.ComputePlatformServer,
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	check("CreateApplication", err)
	if aws.ToString(app.ApplicationId) == "" {
		t.Fatal("no application id")
	}
	_, err = c.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("sdk-app")})
	var exists *types.ApplicationAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate application: %v", err)
	}
	_, err = c.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("lambda-app"), ComputePlatform: types.ComputePlatformLambda})
	var badPlatform *types.InvalidComputePlatformException
	if !errors.As(err, &badPlatform) {
		t.Fatalf("lambda: %v", err)
	}
	ga, err := c.GetApplication(ctx, &cd.GetApplicationInput{ApplicationName: aws.String("sdk-app")})
	check("GetApplication", err)
	if ga.Application.ComputePlatform != types.ComputePlatformServer || ga.Application.CreateTime == nil {
		t.Fatalf("application %+v", ga.Application)
	}
	_, err = c.GetApplication(ctx, &cd.GetApplicationInput{ApplicationName: aws.String("nope")})
	var noApp *types.ApplicationDoesNotExistException
	if !errors.As(err, &noApp) {
		t.Fatalf("missing application: %v", err)
	}
	check("CreateApplication 2", func() error {
		_, err := c.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("tmp")})
		return err
	}())
	_, err = c.UpdateApplication(ctx, &cd.UpdateApplicationInput{ApplicationName: aws.String("tmp"), NewApplicationName: aws.String("tmp2")})
	check("UpdateApplication", err)
	la, err := c.ListApplications(ctx, &cd.ListApplicationsInput{})
	check("ListApplications", err)
	if !slices.Equal(la.Applications, []string{"sdk-app", "tmp2"}) {
		t.Fatalf("applications %v", la.Applications)
	}
	bga, err := c.BatchGetApplications(ctx, &cd.BatchGetApplicationsInput{ApplicationNames: []string{"sdk-app", "tmp2"}})
	check("BatchGetApplications", err)
	if len(bga.ApplicationsInfo) != 2 {
		t.Fatalf("batch %+v", bga.ApplicationsInfo)
	}
	_, err = c.DeleteApplication(ctx, &cd.DeleteApplicationInput{ApplicationName: aws.String("tmp2")})
	check("DeleteApplication", err)

	// tags
	appArn := "arn:aws:codedeploy:us-east-1:000000000000:application:sdk-app"
	_, err = c.TagResource(ctx, &cd.TagResourceInput{ResourceArn: aws.String(appArn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}})
	check("TagResource", err)
	_, err = c.UntagResource(ctx, &cd.UntagResourceInput{ResourceArn: aws.String(appArn), TagKeys: []string{"team"}})
	check("UntagResource", err)
	lt, err := c.ListTagsForResource(ctx, &cd.ListTagsForResourceInput{ResourceArn: aws.String(appArn)})
	check("ListTagsForResource", err)
	if len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Key) != "env" {
		t.Fatalf("tags %+v", lt.Tags)
	}

	// deployment configs
	dc, err := c.CreateDeploymentConfig(ctx, &cd.CreateDeploymentConfigInput{DeploymentConfigName: aws.String("TwoAtATime"),
		MinimumHealthyHosts: &types.MinimumHealthyHosts{Type: types.MinimumHealthyHostsTypeHostCount, Value: 1}})
	check("CreateDeploymentConfig", err)
	if aws.ToString(dc.DeploymentConfigId) == "" {
		t.Fatal("no config id")
	}
	_, err = c.CreateDeploymentConfig(ctx, &cd.CreateDeploymentConfigInput{DeploymentConfigName: aws.String("bad"),
		MinimumHealthyHosts: &types.MinimumHealthyHosts{Type: types.MinimumHealthyHostsTypeFleetPercent, Value: 150}})
	var badMin *types.InvalidMinimumHealthyHostValueException
	if !errors.As(err, &badMin) {
		t.Fatalf("bad minimum: %v", err)
	}
	gdc, err := c.GetDeploymentConfig(ctx, &cd.GetDeploymentConfigInput{DeploymentConfigName: aws.String("CodeDeployDefault.HalfAtATime")})
	check("GetDeploymentConfig", err)
	if m := gdc.DeploymentConfigInfo.MinimumHealthyHosts; m.Type != types.MinimumHealthyHostsTypeFleetPercent || m.Value != 50 {
		t.Fatalf("half at a time %+v", m)
	}
	ldc, err := c.ListDeploymentConfigs(ctx, &cd.ListDeploymentConfigsInput{})
	check("ListDeploymentConfigs", err)
	if len(ldc.DeploymentConfigsList) != 4 {
		t.Fatalf("configs %v", ldc.DeploymentConfigsList)
	}
	_, err = c.DeleteDeploymentConfig(ctx, &cd.DeleteDeploymentConfigInput{DeploymentConfigName: aws.String("CodeDeployDefault.OneAtATime")})
	var invalidOp *types.InvalidOperationException
	if !errors.As(err, &invalidOp) {
		t.Fatalf("delete built-in: %v", err)
	}

	// deployment groups
	dg, err := c.CreateDeploymentGroup(ctx, &cd.CreateDeploymentGroupInput{
		ApplicationName: aws.String("sdk-app"), DeploymentGroupName: aws.String("sdk-group"), ServiceRoleArn: aws.String(role),
		DeploymentConfigName:      aws.String("TwoAtATime"),
		Ec2TagFilters:             []types.EC2TagFilter{{Key: aws.String("Env"), Value: aws.String("sdk"), Type: types.EC2TagFilterTypeKeyAndValue}},
		AutoRollbackConfiguration: &types.AutoRollbackConfiguration{Enabled: true, Events: []types.AutoRollbackEvent{types.AutoRollbackEventDeploymentFailure}},
		AlarmConfiguration:        &types.AlarmConfiguration{Enabled: false},
	})
	check("CreateDeploymentGroup", err)
	if aws.ToString(dg.DeploymentGroupId) == "" {
		t.Fatal("no group id")
	}
	_, err = c.DeleteDeploymentConfig(ctx, &cd.DeleteDeploymentConfigInput{DeploymentConfigName: aws.String("TwoAtATime")})
	var inUse *types.DeploymentConfigInUseException
	if !errors.As(err, &inUse) {
		t.Fatalf("delete config in use: %v", err)
	}
	_, err = c.CreateDeploymentGroup(ctx, &cd.CreateDeploymentGroupInput{
		ApplicationName: aws.String("sdk-app"), DeploymentGroupName: aws.String("both"), ServiceRoleArn: aws.String(role),
		Ec2TagFilters: []types.EC2TagFilter{{Key: aws.String("a")}},
		Ec2TagSet:     &types.EC2TagSet{Ec2TagSetList: [][]types.EC2TagFilter{{{Key: aws.String("b")}}}},
	})
	var combo *types.InvalidEC2TagCombinationException
	if !errors.As(err, &combo) {
		t.Fatalf("tag combination: %v", err)
	}
	_, err = c.CreateDeploymentGroup(ctx, &cd.CreateDeploymentGroupInput{
		ApplicationName: aws.String("sdk-app"), DeploymentGroupName: aws.String("tmp"), ServiceRoleArn: aws.String(role)})
	check("CreateDeploymentGroup tmp", err)
	_, err = c.UpdateDeploymentGroup(ctx, &cd.UpdateDeploymentGroupInput{ApplicationName: aws.String("sdk-app"),
		CurrentDeploymentGroupName: aws.String("tmp"), NewDeploymentGroupName: aws.String("tmp2"),
		DeploymentStyle:  &types.DeploymentStyle{DeploymentType: types.DeploymentTypeBlueGreen, DeploymentOption: types.DeploymentOptionWithTrafficControl},
		LoadBalancerInfo: &types.LoadBalancerInfo{TargetGroupInfoList: []types.TargetGroupInfo{{Name: aws.String("tg")}}}})
	check("UpdateDeploymentGroup", err)
	gdg, err := c.GetDeploymentGroup(ctx, &cd.GetDeploymentGroupInput{ApplicationName: aws.String("sdk-app"), DeploymentGroupName: aws.String("tmp2")})
	check("GetDeploymentGroup", err)
	if bg := gdg.DeploymentGroupInfo.BlueGreenDeploymentConfiguration; bg == nil || bg.GreenFleetProvisioningOption.Action != types.GreenFleetProvisioningActionDiscoverExisting {
		t.Fatalf("blue/green defaults %+v", bg)
	}
	ldg, err := c.ListDeploymentGroups(ctx, &cd.ListDeploymentGroupsInput{ApplicationName: aws.String("sdk-app")})
	check("ListDeploymentGroups", err)
	if !slices.Equal(ldg.DeploymentGroups, []string{"sdk-group", "tmp2"}) {
		t.Fatalf("groups %v", ldg.DeploymentGroups)
	}
	bgg, err := c.BatchGetDeploymentGroups(ctx, &cd.BatchGetDeploymentGroupsInput{ApplicationName: aws.String("sdk-app"), DeploymentGroupNames: []string{"sdk-group", "missing"}})
	check("BatchGetDeploymentGroups", err)
	if len(bgg.DeploymentGroupsInfo) != 1 || aws.ToString(bgg.ErrorMessage) == "" {
		t.Fatalf("batch groups %+v %q", bgg.DeploymentGroupsInfo, aws.ToString(bgg.ErrorMessage))
	}
	_, err = c.DeleteDeploymentGroup(ctx, &cd.DeleteDeploymentGroupInput{ApplicationName: aws.String("sdk-app"), DeploymentGroupName: aws.String("tmp2")})
	check("DeleteDeploymentGroup", err)

	// revisions
	rev := p.put("sdk/v1.zip", webApp("v1"))
	sdkRev := &types.RevisionLocation{RevisionType: types.RevisionLocationTypeS3, S3Location: &types.S3Location{
		Bucket: aws.String(rev.S3Location.Bucket), Key: aws.String(rev.S3Location.Key), BundleType: types.BundleTypeZip}}
	_, err = c.RegisterApplicationRevision(ctx, &cd.RegisterApplicationRevisionInput{ApplicationName: aws.String("sdk-app"), Revision: sdkRev, Description: aws.String("first")})
	check("RegisterApplicationRevision", err)
	_, err = c.RegisterApplicationRevision(ctx, &cd.RegisterApplicationRevisionInput{ApplicationName: aws.String("sdk-app"),
		Revision: &types.RevisionLocation{RevisionType: types.RevisionLocationTypeGitHub, GitHubLocation: &types.GitHubLocation{Repository: aws.String("a/b"), CommitId: aws.String("abc")}}})
	var badRev *types.InvalidRevisionException
	if !errors.As(err, &badRev) {
		t.Fatalf("github revision: %v", err)
	}
	gar, err := c.GetApplicationRevision(ctx, &cd.GetApplicationRevisionInput{ApplicationName: aws.String("sdk-app"), Revision: sdkRev})
	check("GetApplicationRevision", err)
	if aws.ToString(gar.RevisionInfo.Description) != "first" || gar.RevisionInfo.RegisterTime == nil {
		t.Fatalf("revision info %+v", gar.RevisionInfo)
	}
	lar, err := c.ListApplicationRevisions(ctx, &cd.ListApplicationRevisionsInput{ApplicationName: aws.String("sdk-app"), SortBy: types.ApplicationRevisionSortByRegisterTime, SortOrder: types.SortOrderDescending})
	check("ListApplicationRevisions", err)
	if len(lar.Revisions) != 1 {
		t.Fatalf("revisions %+v", lar.Revisions)
	}
	bgr, err := c.BatchGetApplicationRevisions(ctx, &cd.BatchGetApplicationRevisionsInput{ApplicationName: aws.String("sdk-app"), Revisions: []types.RevisionLocation{*sdkRev}})
	check("BatchGetApplicationRevisions", err)
	if len(bgr.Revisions) != 1 {
		t.Fatalf("batch revisions %+v", bgr.Revisions)
	}

	// a deployment
	cdep, err := c.CreateDeployment(ctx, &cd.CreateDeploymentInput{ApplicationName: aws.String("sdk-app"), DeploymentGroupName: aws.String("sdk-group"),
		Revision: sdkRev, Description: aws.String("sdk deploy"), FileExistsBehavior: types.FileExistsBehaviorOverwrite})
	check("CreateDeployment", err)
	id := aws.ToString(cdep.DeploymentId)
	p.wait(id)
	gd, err := c.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String(id)})
	check("GetDeployment", err)
	di := gd.DeploymentInfo
	if di.Status != types.DeploymentStatusSucceeded || di.DeploymentOverview.Succeeded != 2 || di.CompleteTime == nil || di.Creator != types.DeploymentCreatorUser ||
		di.FileExistsBehavior != types.FileExistsBehaviorOverwrite || aws.ToString(di.Revision.S3Location.Key) != "sdk/v1.zip" {
		t.Fatalf("deployment %+v", di)
	}
	bgd, err := c.BatchGetDeployments(ctx, &cd.BatchGetDeploymentsInput{DeploymentIds: []string{id}})
	check("BatchGetDeployments", err)
	if len(bgd.DeploymentsInfo) != 1 {
		t.Fatal("batch deployments")
	}
	ld, err := c.ListDeployments(ctx, &cd.ListDeploymentsInput{ApplicationName: aws.String("sdk-app"), DeploymentGroupName: aws.String("sdk-group"),
		IncludeOnlyStatuses: []types.DeploymentStatus{types.DeploymentStatusSucceeded},
		CreateTimeRange:     &types.TimeRange{Start: aws.Time(time.Now().Add(-time.Hour)), End: aws.Time(time.Now().Add(time.Hour))}})
	check("ListDeployments", err)
	if !slices.Equal(ld.Deployments, []string{id}) {
		t.Fatalf("deployments %v", ld.Deployments)
	}
	ldi, err := c.ListDeploymentInstances(ctx, &cd.ListDeploymentInstancesInput{DeploymentId: aws.String(id), InstanceStatusFilter: []types.InstanceStatus{types.InstanceStatusSucceeded}})
	check("ListDeploymentInstances", err)
	if !slices.Equal(ldi.InstancesList, hosts) {
		t.Fatalf("instances %v", ldi.InstancesList)
	}
	bgi, err := c.BatchGetDeploymentInstances(ctx, &cd.BatchGetDeploymentInstancesInput{DeploymentId: aws.String(id), InstanceIds: hosts})
	check("BatchGetDeploymentInstances", err)
	if len(bgi.InstancesSummary) != 2 || len(bgi.InstancesSummary[0].LifecycleEvents) != 7 {
		t.Fatalf("instance summaries %+v", bgi.InstancesSummary)
	}
	gdi, err := c.GetDeploymentInstance(ctx, &cd.GetDeploymentInstanceInput{DeploymentId: aws.String(id), InstanceId: aws.String(hosts[0])})
	check("GetDeploymentInstance", err)
	if gdi.InstanceSummary.Status != types.InstanceStatusSucceeded {
		t.Fatalf("instance %+v", gdi.InstanceSummary)
	}
	ldt, err := c.ListDeploymentTargets(ctx, &cd.ListDeploymentTargetsInput{DeploymentId: aws.String(id), TargetFilters: map[string][]string{"TargetStatus": {"Succeeded"}}})
	check("ListDeploymentTargets", err)
	if !slices.Equal(ldt.TargetIds, hosts) {
		t.Fatalf("targets %v", ldt.TargetIds)
	}
	bgt, err := c.BatchGetDeploymentTargets(ctx, &cd.BatchGetDeploymentTargetsInput{DeploymentId: aws.String(id), TargetIds: hosts})
	check("BatchGetDeploymentTargets", err)
	if len(bgt.DeploymentTargets) != 2 || bgt.DeploymentTargets[0].DeploymentTargetType != types.DeploymentTargetTypeInstanceTarget {
		t.Fatalf("targets %+v", bgt.DeploymentTargets)
	}
	gdt, err := c.GetDeploymentTarget(ctx, &cd.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String(hosts[1])})
	check("GetDeploymentTarget", err)
	it := gdt.DeploymentTarget.InstanceTarget
	ev := it.LifecycleEvents[2]
	if it.Status != types.TargetStatusSucceeded || aws.ToString(ev.LifecycleEventName) != "BeforeInstall" || ev.Status != types.LifecycleEventStatusSucceeded ||
		ev.Diagnostics.ErrorCode != types.LifecycleErrorCodeSuccess || ev.StartTime == nil || ev.EndTime == nil || aws.ToString(ev.Diagnostics.LogTail) == "" {
		t.Fatalf("target %+v event %+v diag %+v", it, ev, ev.Diagnostics)
	}
	_, err = c.StopDeployment(ctx, &cd.StopDeploymentInput{DeploymentId: aws.String(id)})
	var done *types.DeploymentAlreadyCompletedException
	if !errors.As(err, &done) {
		t.Fatalf("stop completed: %v", err)
	}
	_, err = c.ContinueDeployment(ctx, &cd.ContinueDeploymentInput{DeploymentId: aws.String(id), DeploymentWaitType: types.DeploymentWaitTypeReadyWait})
	var unsupported *types.UnsupportedActionForDeploymentTypeException
	if !errors.As(err, &unsupported) {
		t.Fatalf("continue in-place: %v", err)
	}
	_, err = c.SkipWaitTimeForInstanceTermination(ctx, &cd.SkipWaitTimeForInstanceTerminationInput{DeploymentId: aws.String(id)})
	if !errors.As(err, &unsupported) {
		t.Fatalf("skip wait in-place: %v", err)
	}
	_, err = c.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String("d-NOTREAL00")})
	var noDep *types.DeploymentDoesNotExistException
	if !errors.As(err, &noDep) {
		t.Fatalf("missing deployment: %v", err)
	}
	_, err = c.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String("bogus")})
	var badID *types.InvalidDeploymentIdException
	if !errors.As(err, &badID) {
		t.Fatalf("bad deployment id: %v", err)
	}
}

// TestSDKBlueGreenContinue covers ContinueDeployment and SkipWaitTimeForInstanceTermination
// on a blue/green deployment through the SDK.
func TestSDKBlueGreenContinue(t *testing.T) {
	p := newPlatform(t, nil)
	c := cd.NewFromConfig(awstest.Config(t, codedeployapi.Service(p.svc)))
	ctx := context.Background()
	blue := p.fleet.add(t, map[string]string{"Fleet": "blue"}, "")
	p.fleet.add(t, map[string]string{"Fleet": "green"}, "")
	p.app("bg")
	_, err := c.CreateDeploymentGroup(ctx, &cd.CreateDeploymentGroupInput{
		ApplicationName: aws.String("bg"), DeploymentGroupName: aws.String("g"), ServiceRoleArn: aws.String(role),
		Ec2TagFilters:    []types.EC2TagFilter{{Key: aws.String("Fleet"), Value: aws.String("blue"), Type: types.EC2TagFilterTypeKeyAndValue}},
		DeploymentStyle:  &types.DeploymentStyle{DeploymentType: types.DeploymentTypeBlueGreen, DeploymentOption: types.DeploymentOptionWithTrafficControl},
		LoadBalancerInfo: &types.LoadBalancerInfo{TargetGroupInfoList: []types.TargetGroupInfo{{Name: aws.String("tg")}}},
		BlueGreenDeploymentConfiguration: &types.BlueGreenDeploymentConfiguration{
			DeploymentReadyOption:                     &types.DeploymentReadyOption{ActionOnTimeout: types.DeploymentReadyActionStopDeployment, WaitTimeInMinutes: 30},
			GreenFleetProvisioningOption:              &types.GreenFleetProvisioningOption{Action: types.GreenFleetProvisioningActionDiscoverExisting},
			TerminateBlueInstancesOnDeploymentSuccess: &types.BlueInstanceTerminationOption{Action: types.InstanceActionTerminate, TerminationWaitTimeInMinutes: 120},
		}})
	if err != nil {
		t.Fatal(err)
	}
	rev := p.put("bg.zip", map[string]string{"appspec.yml": "version: 0.0\nos: linux\n"})
	out, err := c.CreateDeployment(ctx, &cd.CreateDeploymentInput{ApplicationName: aws.String("bg"), DeploymentGroupName: aws.String("g"),
		Revision:        &types.RevisionLocation{RevisionType: types.RevisionLocationTypeS3, S3Location: &types.S3Location{Bucket: aws.String("bundles"), Key: aws.String(rev.S3Location.Key), BundleType: types.BundleTypeZip}},
		TargetInstances: &types.TargetInstances{TagFilters: []types.EC2TagFilter{{Key: aws.String("Fleet"), Value: aws.String("green"), Type: types.EC2TagFilterTypeKeyAndValue}}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.DeploymentId)
	waitFor(t, "Ready", func() bool { return p.status(id) == "Ready" })
	if _, err := c.ContinueDeployment(ctx, &cd.ContinueDeploymentInput{DeploymentId: aws.String(id), DeploymentWaitType: types.DeploymentWaitTypeReadyWait}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "termination wait", func() bool {
		_, err := c.SkipWaitTimeForInstanceTermination(ctx, &cd.SkipWaitTimeForInstanceTerminationInput{DeploymentId: aws.String(id)})
		return err == nil
	})
	d := p.wait(id)
	if d.Status != "Succeeded" || p.fleet.state(blue.ID()) != "terminated" {
		t.Fatalf("%s %+v blue %s", d.Status, d.ErrorInformation, p.fleet.state(blue.ID()))
	}
	ldi, err := c.ListDeploymentInstances(ctx, &cd.ListDeploymentInstancesInput{DeploymentId: aws.String(id), InstanceTypeFilter: []types.InstanceType{types.InstanceTypeGreen}})
	if err != nil || len(ldi.InstancesList) != 1 {
		t.Fatalf("green instances %v %v", ldi, err)
	}
}
