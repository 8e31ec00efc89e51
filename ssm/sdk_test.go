package ssm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/devopsim/devopsim/internal/awsapi/ssmapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

// TestSDKRoundTrip drives every wired operation through the real aws-sdk-go-v2 ssm client.
func TestSDKRoundTrip(t *testing.T) {
	p := newPlatform(t, nil, nil)
	c := awsssm.NewFromConfig(awstest.Config(t, ssmapi.Service(p.svc)))
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Parameter Store.
	pp, err := c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/sdk/db/password"), Value: aws.String("s3cret"),
		Type: types.ParameterTypeSecureString, Description: aws.String("db"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	check("PutParameter", err)
	if pp.Version != 1 || pp.Tier != types.ParameterTierStandard {
		t.Fatalf("put %+v", pp)
	}
	_, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/sdk/db/password"), Value: aws.String("x"), Type: types.ParameterTypeString})
	var exists *types.ParameterAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate: %v", err)
	}
	pp, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/sdk/db/password"), Value: aws.String("n3w"), Overwrite: aws.Bool(true)})
	check("PutParameter overwrite", err)
	if pp.Version != 2 {
		t.Fatalf("overwrite %+v", pp)
	}
	_, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/sdk/db/host"), Value: aws.String("db.local"), Type: types.ParameterTypeString})
	check("PutParameter host", err)
	_, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/sdk/ports"), Value: aws.String("80,443"), Type: types.ParameterTypeStringList})
	check("PutParameter list", err)
	_, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/aws/mine"), Value: aws.String("x"), Type: types.ParameterTypeString})
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Fatalf("reserved: %v", err)
	}
	_, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String(strings.Repeat("/l", 16)), Value: aws.String("x"), Type: types.ParameterTypeString})
	var deep *types.HierarchyLevelLimitExceededException
	if !errors.As(err, &deep) {
		t.Fatalf("deep: %v", err)
	}
	_, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/sdk/n"), Value: aws.String("x"), Type: types.ParameterTypeString, AllowedPattern: aws.String(`\d+`)})
	var mismatch *types.ParameterPatternMismatchException
	if !errors.As(err, &mismatch) {
		t.Fatalf("pattern: %v", err)
	}
	_, err = c.PutParameter(ctx, &awsssm.PutParameterInput{Name: aws.String("/sdk/n"), Value: aws.String("x"), Type: types.ParameterTypeString, AllowedPattern: aws.String(`(`)})
	var badPattern *types.InvalidAllowedPatternException
	if !errors.As(err, &badPattern) {
		t.Fatalf("bad pattern: %v", err)
	}

	gp, err := c.GetParameter(ctx, &awsssm.GetParameterInput{Name: aws.String("/sdk/db/password"), WithDecryption: aws.Bool(true)})
	check("GetParameter", err)
	if aws.ToString(gp.Parameter.Value) != "n3w" || gp.Parameter.Version != 2 || gp.Parameter.Type != types.ParameterTypeSecureString ||
		aws.ToString(gp.Parameter.ARN) != "arn:aws:ssm:us-east-1:000000000000:parameter/sdk/db/password" || gp.Parameter.LastModifiedDate == nil {
		t.Fatalf("get %+v", gp.Parameter)
	}
	gp, err = c.GetParameter(ctx, &awsssm.GetParameterInput{Name: aws.String("/sdk/db/password:1"), WithDecryption: aws.Bool(true)})
	check("GetParameter:1", err)
	if aws.ToString(gp.Parameter.Value) != "s3cret" || aws.ToString(gp.Parameter.Selector) != ":1" {
		t.Fatalf("get :1 %+v", gp.Parameter)
	}
	_, err = c.GetParameter(ctx, &awsssm.GetParameterInput{Name: aws.String("/sdk/nope")})
	var notFound *types.ParameterNotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("missing: %v", err)
	}
	_, err = c.GetParameter(ctx, &awsssm.GetParameterInput{Name: aws.String("/sdk/db/password:9")})
	var noVersion *types.ParameterVersionNotFound
	if !errors.As(err, &noVersion) {
		t.Fatalf("missing version: %v", err)
	}
	gps, err := c.GetParameters(ctx, &awsssm.GetParametersInput{Names: []string{"/sdk/db/host", "/sdk/ports", "/sdk/none"}})
	check("GetParameters", err)
	if len(gps.Parameters) != 2 || len(gps.InvalidParameters) != 1 || aws.ToString(gps.Parameters[1].Value) != "80,443" {
		t.Fatalf("GetParameters %+v", gps)
	}
	var names []string
	pager := awsssm.NewGetParametersByPathPaginator(c, &awsssm.GetParametersByPathInput{Path: aws.String("/sdk"), Recursive: aws.Bool(true), MaxResults: aws.Int32(1)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		check("GetParametersByPath", err)
		for _, p := range page.Parameters {
			names = append(names, aws.ToString(p.Name))
		}
	}
	if strings.Join(names, " ") != "/sdk/db/host /sdk/db/password /sdk/ports" {
		t.Fatalf("by path %q", names)
	}
	ami, err := c.GetParameter(ctx, &awsssm.GetParameterInput{Name: aws.String("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")})
	check("public", err)
	if aws.ToString(ami.Parameter.Value) != "ami-0a2023000000000a1" {
		t.Fatalf("ami %+v", ami.Parameter)
	}
	dp, err := c.DescribeParameters(ctx, &awsssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Type"), Values: []string{"SecureString"}}}})
	check("DescribeParameters", err)
	if len(dp.Parameters) != 1 || aws.ToString(dp.Parameters[0].KeyId) != "alias/aws/ssm" || dp.Parameters[0].Version != 2 || aws.ToString(dp.Parameters[0].Description) != "db" {
		t.Fatalf("describe %+v", dp.Parameters)
	}
	_, err = c.DescribeParameters(ctx, &awsssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Label"), Values: []string{"x"}}}})
	var badKey *types.InvalidFilterKey
	if !errors.As(err, &badKey) {
		t.Fatalf("filter key: %v", err)
	}
	lv, err := c.LabelParameterVersion(ctx, &awsssm.LabelParameterVersionInput{Name: aws.String("/sdk/db/password"), ParameterVersion: aws.Int64(1), Labels: []string{"old", "9bad"}})
	check("LabelParameterVersion", err)
	if lv.ParameterVersion != 1 || len(lv.InvalidLabels) != 1 {
		t.Fatalf("label %+v", lv)
	}
	hist, err := c.GetParameterHistory(ctx, &awsssm.GetParameterHistoryInput{Name: aws.String("/sdk/db/password"), WithDecryption: aws.Bool(true)})
	check("GetParameterHistory", err)
	if len(hist.Parameters) != 2 || hist.Parameters[0].Labels[0] != "old" || aws.ToString(hist.Parameters[0].Value) != "s3cret" {
		t.Fatalf("history %+v", hist.Parameters)
	}
	ul, err := c.UnlabelParameterVersion(ctx, &awsssm.UnlabelParameterVersionInput{Name: aws.String("/sdk/db/password"), ParameterVersion: aws.Int64(1), Labels: []string{"old"}})
	check("UnlabelParameterVersion", err)
	if len(ul.RemovedLabels) != 1 {
		t.Fatalf("unlabel %+v", ul)
	}
	_, err = c.AddTagsToResource(ctx, &awsssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/sdk/db/password"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}})
	check("AddTagsToResource", err)
	_, err = c.RemoveTagsFromResource(ctx, &awsssm.RemoveTagsFromResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/sdk/db/password"), TagKeys: []string{"team"}})
	check("RemoveTagsFromResource", err)
	lt, err := c.ListTagsForResource(ctx, &awsssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/sdk/db/password")})
	check("ListTagsForResource", err)
	if len(lt.TagList) != 1 || aws.ToString(lt.TagList[0].Key) != "env" {
		t.Fatalf("tags %+v", lt.TagList)
	}
	_, err = c.DeleteParameter(ctx, &awsssm.DeleteParameterInput{Name: aws.String("/sdk/ports")})
	check("DeleteParameter", err)
	dps, err := c.DeleteParameters(ctx, &awsssm.DeleteParametersInput{Names: []string{"/sdk/db/host", "/sdk/ports"}})
	check("DeleteParameters", err)
	if len(dps.DeletedParameters) != 1 || len(dps.InvalidParameters) != 1 {
		t.Fatalf("delete %+v", dps)
	}

	// Run Command on two instances.
	var ids []string
	for range 2 {
		h := p.fleet.add(t, map[string]string{"Role": "sdk"})
		if err := h.WriteFile("/var/lib/cloud/instances/"+h.ID()+"/user-data.txt", []byte("#!/bin/bash\necho hello from "+h.ID()+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID())
	}
	di, err := c.DescribeInstanceInformation(ctx, &awsssm.DescribeInstanceInformationInput{})
	check("DescribeInstanceInformation", err)
	if len(di.InstanceInformationList) != 2 || di.InstanceInformationList[0].PingStatus != types.PingStatusOnline || di.InstanceInformationList[0].PlatformType != types.PlatformTypeLinux {
		t.Fatalf("instances %+v", di.InstanceInformationList)
	}
	sc, err := c.SendCommand(ctx, &awsssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids,
		Parameters: map[string][]string{"commands": {"cat /var/lib/cloud/instances/$AWS_SSM_INSTANCE_ID/user-data.txt"}}, Comment: aws.String("read user data")})
	check("SendCommand", err)
	if sc.Command.Status != types.CommandStatusPending || sc.Command.TargetCount != 2 || aws.ToString(sc.Command.MaxConcurrency) != "50" {
		t.Fatalf("sent %+v", sc.Command)
	}
	id := aws.ToString(sc.Command.CommandId)
	check("wait", p.svc.Wait(ctx, id))
	for _, inst := range ids {
		inv, err := c.GetCommandInvocation(ctx, &awsssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(inst)})
		check("GetCommandInvocation", err)
		if inv.Status != types.CommandInvocationStatusSuccess || inv.ResponseCode != 0 ||
			aws.ToString(inv.StandardOutputContent) != "#!/bin/bash\necho hello from "+inst+"\n" {
			t.Fatalf("invocation %+v", inv)
		}
	}
	fail, err := c.SendCommand(ctx, &awsssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"),
		Targets:    []types.Target{{Key: aws.String("tag:Role"), Values: []string{"sdk"}}},
		Parameters: map[string][]string{"commands": {"echo failing >&2", "exit 42"}}})
	check("SendCommand failing", err)
	fid := aws.ToString(fail.Command.CommandId)
	check("wait", p.svc.Wait(ctx, fid))
	inv, err := c.GetCommandInvocation(ctx, &awsssm.GetCommandInvocationInput{CommandId: aws.String(fid), InstanceId: aws.String(ids[0])})
	check("GetCommandInvocation failing", err)
	if inv.Status != types.CommandInvocationStatusFailed || inv.ResponseCode != 42 || !strings.HasPrefix(aws.ToString(inv.StandardErrorContent), "failing\n") {
		t.Fatalf("failing invocation %+v", inv)
	}
	lc, err := c.ListCommands(ctx, &awsssm.ListCommandsInput{})
	check("ListCommands", err)
	if len(lc.Commands) != 2 || aws.ToString(lc.Commands[0].CommandId) != fid || lc.Commands[0].Status != types.CommandStatusFailed || lc.Commands[0].ErrorCount != 2 {
		t.Fatalf("commands %+v", lc.Commands)
	}
	lci, err := c.ListCommandInvocations(ctx, &awsssm.ListCommandInvocationsInput{CommandId: aws.String(id), Details: true})
	check("ListCommandInvocations", err)
	if len(lci.CommandInvocations) != 2 || len(lci.CommandInvocations[0].CommandPlugins) != 1 ||
		!strings.Contains(aws.ToString(lci.CommandInvocations[0].CommandPlugins[0].Output), "hello from") {
		t.Fatalf("invocations %+v", lci.CommandInvocations)
	}
	_, err = c.CancelCommand(ctx, &awsssm.CancelCommandInput{CommandId: aws.String(id)})
	check("CancelCommand", err)
	_, err = c.GetCommandInvocation(ctx, &awsssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String("i-0123456789abcdef0")})
	var noInv *types.InvocationDoesNotExist
	if !errors.As(err, &noInv) {
		t.Fatalf("no invocation: %v", err)
	}
	_, err = c.SendCommand(ctx, &awsssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{"i-0123456789abcdef0"},
		Parameters: map[string][]string{"commands": {"true"}}})
	var badInstance *types.InvalidInstanceId
	if !errors.As(err, &badInstance) {
		t.Fatalf("bad instance: %v", err)
	}
	_, err = c.SendCommand(ctx, &awsssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids,
		Parameters: map[string][]string{"command": {"true"}}})
	var badParams *types.InvalidParameters
	if !errors.As(err, &badParams) {
		t.Fatalf("bad parameters: %v", err)
	}
}
