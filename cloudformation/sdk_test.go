package cloudformation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/internal/awsapi/cloudformationapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
)

// memSSM is an in-memory Parameter Store.
type memSSM struct {
	mu sync.Mutex
	m  map[string][2]string // name -> value, type
}

func newSSM() *memSSM { return &memSSM{m: map[string][2]string{}} }

func (p *memSSM) GetParameter(ctx context.Context, name string) (string, string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[name]
	if !ok {
		return "", "", apierr.New(apierr.NotFound, "ParameterNotFound", "parameter %s not found", name)
	}
	return v[0], v[1], nil
}

func (p *memSSM) PutParameter(ctx context.Context, name, value, typ string, overwrite bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[name]; ok && !overwrite {
		return apierr.New(apierr.AlreadyExists, "ParameterAlreadyExists", "The parameter already exists.")
	}
	p.m[name] = [2]string{value, typ}
	return nil
}

func (p *memSSM) DeleteParameter(ctx context.Context, name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[name]; !ok {
		return apierr.New(apierr.NotFound, "ParameterNotFound", "parameter %s not found", name)
	}
	delete(p.m, name)
	return nil
}

func (p *memSSM) get(name string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[name]
	return v[0], ok
}

// notes records SNS notifications.
type notes struct {
	mu   sync.Mutex
	msgs map[string][]string
}

func (n *notes) Publish(ctx context.Context, topic, subject, msg string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.msgs == nil {
		n.msgs = map[string][]string{}
	}
	n.msgs[topic] = append(n.msgs[topic], msg)
	return nil
}

func (n *notes) all(topic string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.msgs[topic]...)
}

// bucketDeleter adds DeleteBucket to the object store.
type bucketDeleter struct {
	core.Objects
	mu      sync.Mutex
	deleted []string
}

func (b *bucketDeleter) DeleteBucket(ctx context.Context, bucket string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deleted = append(b.deleted, bucket)
	return nil
}

type sdkEnv struct {
	c       *cfn.Client
	s       *cloudformation.Service
	f       *fake
	ssm     *memSSM
	notes   *notes
	buckets *bucketDeleter
}

func newSDK(t *testing.T) *sdkEnv {
	t.Helper()
	env := awstest.Env(t)
	bd := &bucketDeleter{Objects: env.Objects}
	env.Objects = bd
	e := &sdkEnv{ssm: newSSM(), notes: &notes{}, buckets: bd, f: newFake()}
	s, err := cloudformation.New(env, cloudformation.Options{SSM: e.ssm, Notifier: e.notes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	s.RegisterProvider("Test::Thing", cloudformation.TypeSpec{Provider: e.f, Attributes: []string{"Arn"}, ReplaceOn: []string{"Name"}, Taggable: true})
	s.RegisterProvider("AWS::IAM::Role", cloudformation.TypeSpec{Provider: e.f, Attributes: []string{"Arn"}, ReplaceOn: []string{"RoleName"}})
	e.s = s
	e.c = cfn.NewFromConfig(awstest.Config(t, cloudformationapi.Service(s)))
	return e
}

func fast[T any](o *T) {
	// Every waiter options struct has MinDelay/MaxDelay; set them through a small switch.
	switch w := any(o).(type) {
	case *cfn.StackCreateCompleteWaiterOptions:
		w.MinDelay, w.MaxDelay = time.Millisecond, 5*time.Millisecond
	case *cfn.StackUpdateCompleteWaiterOptions:
		w.MinDelay, w.MaxDelay = time.Millisecond, 5*time.Millisecond
	case *cfn.StackDeleteCompleteWaiterOptions:
		w.MinDelay, w.MaxDelay = time.Millisecond, 5*time.Millisecond
	case *cfn.StackRollbackCompleteWaiterOptions:
		w.MinDelay, w.MaxDelay = time.Millisecond, 5*time.Millisecond
	case *cfn.ChangeSetCreateCompleteWaiterOptions:
		w.MinDelay, w.MaxDelay = time.Millisecond, 5*time.Millisecond
	case *cfn.StackExistsWaiterOptions:
		w.MinDelay, w.MaxDelay = time.Millisecond, 5*time.Millisecond
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func apiMsg(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

const sdkTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Description: sdk round trip
Parameters:
  Size:
    Type: Number
    Default: "1"
    AllowedValues: ["1", "2", "3"]
  Secret:
    Type: String
    NoEcho: true
    Default: hush
Resources:
  A:
    Type: Test::Thing
    Properties: {Name: a, Size: !Ref Size}
  B:
    Type: Test::Thing
    Properties: {Name: b, Dep: !GetAtt A.Arn}
  P:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: !Ref A}
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  AArn:
    Value: !GetAtt A.Arn
    Description: the arn
    Export: {Name: !Sub "${AWS::StackName}-a"}
  Param:
    Value: !Ref P
`

func TestSDKStackLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newSDK(t)
	c := e.c
	topic := "arn:aws:sns:us-east-1:000000000000:stack-events"
	out, err := c.CreateStack(ctx, &cfn.CreateStackInput{
		StackName: aws.String("life"), TemplateBody: aws.String(sdkTemplate),
		Parameters:       []types.Parameter{{ParameterKey: aws.String("Size"), ParameterValue: aws.String("2")}},
		Tags:             []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}},
		Capabilities:     []types.Capability{types.CapabilityCapabilityIam},
		NotificationARNs: []string{topic}, TimeoutInMinutes: aws.Int32(10), EnableTerminationProtection: aws.Bool(true),
		ClientRequestToken: aws.String("tok-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(out.StackId), "arn:aws:cloudformation:us-east-1:") {
		t.Fatalf("stack id %q", aws.ToString(out.StackId))
	}
	// Same token, same stack: the same ID. Same token, another stack: TokenAlreadyExists.
	again, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("life"), TemplateBody: aws.String(sdkTemplate), ClientRequestToken: aws.String("tok-1")})
	if err != nil || aws.ToString(again.StackId) != aws.ToString(out.StackId) {
		t.Fatalf("idempotent create: %v %v", again, err)
	}
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("other"), TemplateBody: aws.String(sdkTemplate), ClientRequestToken: aws.String("tok-1")})
	var tae *types.TokenAlreadyExistsException
	if !errors.As(err, &tae) {
		t.Fatalf("token reuse: %v", err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("life")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// AlreadyExists.
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("life"), TemplateBody: aws.String(sdkTemplate)})
	var aee *types.AlreadyExistsException
	if !errors.As(err, &aee) || aee.ErrorMessage() != "Stack [life] already exists" {
		t.Fatalf("already exists: %v", err)
	}

	// DescribeStacks: every list and timestamp shape.
	ds, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("life")})
	if err != nil {
		t.Fatal(err)
	}
	st := ds.Stacks[0]
	if st.StackStatus != types.StackStatusCreateComplete || aws.ToString(st.Description) != "sdk round trip" {
		t.Fatalf("stack %+v", st)
	}
	if st.CreationTime == nil || time.Since(*st.CreationTime) > time.Minute || aws.ToInt32(st.TimeoutInMinutes) != 10 || !aws.ToBool(st.EnableTerminationProtection) {
		t.Fatalf("creation time / timeout / protection: %v %v %v", st.CreationTime, st.TimeoutInMinutes, st.EnableTerminationProtection)
	}
	params := map[string]string{}
	for _, p := range st.Parameters {
		params[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	if params["Size"] != "2" || params["Secret"] != "****" {
		t.Fatalf("parameters %v", params)
	}
	if len(st.Tags) != 1 || aws.ToString(st.Tags[0].Key) != "team" || aws.ToString(st.Tags[0].Value) != "ops" {
		t.Fatalf("tags %+v", st.Tags)
	}
	if len(st.Capabilities) != 1 || st.Capabilities[0] != types.CapabilityCapabilityIam {
		t.Fatalf("capabilities %v", st.Capabilities)
	}
	if len(st.NotificationARNs) != 1 || st.NotificationARNs[0] != topic {
		t.Fatalf("notification ARNs %v", st.NotificationARNs)
	}
	outs := map[string]types.Output{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = o
	}
	if !strings.HasPrefix(aws.ToString(outs["AArn"].OutputValue), "arn:fake:A-") || aws.ToString(outs["AArn"].ExportName) != "life-a" || aws.ToString(outs["AArn"].Description) != "the arn" {
		t.Fatalf("outputs %+v", st.Outputs)
	}
	if st.DriftInformation == nil || st.DriftInformation.StackDriftStatus != types.StackDriftStatusNotChecked {
		t.Fatalf("drift info %+v", st.DriftInformation)
	}
	// The SSM parameter really exists, named by CloudFormation.
	paramName := aws.ToString(outs["Param"].OutputValue)
	if v, ok := e.ssm.get(paramName); !ok || !strings.HasPrefix(paramName, "CFN-P-") || !strings.HasPrefix(v, "A-") {
		t.Fatalf("ssm parameter %q = %q %v", paramName, v, ok)
	}
	// Tags propagate to taggable resources.
	e.f.mu.Lock()
	tags := e.f.tags["A"]
	e.f.mu.Unlock()
	if !hasTag(tags, "team", "ops") || !hasTag(tags, "aws:cloudformation:stack-name", "life") || !hasTag(tags, "aws:cloudformation:logical-id", "A") {
		t.Fatalf("resource tags %+v", tags)
	}
	// SNS notifications carry the stack events.
	msgs := e.notes.all(topic)
	if len(msgs) == 0 || !strings.Contains(strings.Join(msgs, "\n"), "ResourceStatus='CREATE_COMPLETE'") || !strings.Contains(msgs[0], "StackName='life'") {
		t.Fatalf("notifications %d: %q", len(msgs), msgs)
	}

	// ListStacks with a status filter.
	ls, err := c.ListStacks(ctx, &cfn.ListStacksInput{StackStatusFilter: []types.StackStatus{types.StackStatusCreateComplete}})
	if err != nil || len(ls.StackSummaries) != 1 || aws.ToString(ls.StackSummaries[0].StackName) != "life" || ls.StackSummaries[0].CreationTime == nil {
		t.Fatalf("list stacks %+v %v", ls, err)
	}
	ls, _ = c.ListStacks(ctx, &cfn.ListStacksInput{StackStatusFilter: []types.StackStatus{types.StackStatusDeleteComplete}})
	if len(ls.StackSummaries) != 0 {
		t.Fatalf("filter %+v", ls.StackSummaries)
	}

	// Events: newest first, the stack's own events included.
	ev, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("life")})
	if err != nil {
		t.Fatal(err)
	}
	if ev.StackEvents[0].ResourceStatus != types.ResourceStatusCreateComplete || aws.ToString(ev.StackEvents[0].LogicalResourceId) != "life" || ev.StackEvents[0].Timestamp == nil {
		t.Fatalf("newest event %+v", ev.StackEvents[0])
	}
	last := ev.StackEvents[len(ev.StackEvents)-1]
	if last.ResourceStatus != types.ResourceStatusCreateInProgress || aws.ToString(last.ResourceStatusReason) != "User Initiated" {
		t.Fatalf("oldest event %+v", last)
	}
	sawProps := false
	for _, x := range ev.StackEvents {
		if aws.ToString(x.LogicalResourceId) == "A" && x.ResourceStatus == types.ResourceStatusCreateInProgress {
			sawProps = strings.Contains(aws.ToString(x.ResourceProperties), `"Size":"2"`)
		}
	}
	if !sawProps {
		t.Fatal("no CREATE_IN_PROGRESS event with ResourceProperties for A")
	}

	// Resources.
	lr, err := c.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String("life")})
	if err != nil || len(lr.StackResourceSummaries) != 4 {
		t.Fatalf("list resources %+v %v", lr, err)
	}
	for _, r := range lr.StackResourceSummaries {
		if r.ResourceStatus != types.ResourceStatusCreateComplete || r.LastUpdatedTimestamp == nil || aws.ToString(r.PhysicalResourceId) == "" || r.DriftInformation == nil {
			t.Fatalf("summary %+v", r)
		}
	}
	dr, err := c.DescribeStackResources(ctx, &cfn.DescribeStackResourcesInput{StackName: aws.String("life"), LogicalResourceId: aws.String("B")})
	if err != nil || len(dr.StackResources) != 1 || aws.ToString(dr.StackResources[0].ResourceType) != "Test::Thing" || dr.StackResources[0].Timestamp == nil {
		t.Fatalf("describe resources %+v %v", dr, err)
	}
	byPhys, err := c.DescribeStackResources(ctx, &cfn.DescribeStackResourcesInput{PhysicalResourceId: dr.StackResources[0].PhysicalResourceId})
	if err != nil || len(byPhys.StackResources) != 4 {
		t.Fatalf("by physical id %+v %v", byPhys, err)
	}
	one, err := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("life"), LogicalResourceId: aws.String("A")})
	if err != nil || one.StackResourceDetail.LastUpdatedTimestamp == nil || aws.ToString(one.StackResourceDetail.StackName) != "life" {
		t.Fatalf("describe resource %+v %v", one, err)
	}
	_, err = c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("life"), LogicalResourceId: aws.String("Nope")})
	if apiCode(err) != "ValidationError" || apiMsg(err) != "Resource Nope does not exist for stack life" {
		t.Fatalf("missing resource: %v", err)
	}

	// Templates.
	gt, err := c.GetTemplate(ctx, &cfn.GetTemplateInput{StackName: aws.String("life")})
	if err != nil || aws.ToString(gt.TemplateBody) != sdkTemplate || len(gt.StagesAvailable) != 2 {
		t.Fatalf("get template %v", err)
	}
	sum, err := c.GetTemplateSummary(ctx, &cfn.GetTemplateSummaryInput{StackName: aws.String("life")})
	if err != nil || len(sum.Parameters) != 2 || aws.ToString(sum.Version) != "2010-09-09" || len(sum.ResourceTypes) != 3 {
		t.Fatalf("summary %+v %v", sum, err)
	}
	decl := map[string]types.ParameterDeclaration{}
	for _, p := range sum.Parameters {
		decl[aws.ToString(p.ParameterKey)] = p
	}
	if decl["Size"].ParameterConstraints == nil || len(decl["Size"].ParameterConstraints.AllowedValues) != 3 || !aws.ToBool(decl["Secret"].NoEcho) || aws.ToString(decl["Size"].ParameterType) != "Number" {
		t.Fatalf("summary parameters %+v", sum.Parameters)
	}
	if len(sum.ResourceIdentifierSummaries) != 2 || aws.ToString(sum.ResourceIdentifierSummaries[0].ResourceType) != "AWS::S3::Bucket" || sum.ResourceIdentifierSummaries[0].ResourceIdentifiers[0] != "BucketName" {
		t.Fatalf("identifier summaries %+v", sum.ResourceIdentifierSummaries)
	}
	sum, err = c.GetTemplateSummary(ctx, &cfn.GetTemplateSummaryInput{TemplateBody: aws.String("Resources:\n  X: {Type: AWS::Nope::Thing}\n")})
	if err != nil || sum.Warnings == nil || len(sum.Warnings.UnrecognizedResourceTypes) != 1 {
		t.Fatalf("summary warnings %+v %v", sum, err)
	}

	// Exports and imports.
	ex, err := c.ListExports(ctx, &cfn.ListExportsInput{})
	if err != nil || len(ex.Exports) != 1 || aws.ToString(ex.Exports[0].Name) != "life-a" || aws.ToString(ex.Exports[0].ExportingStackId) != aws.ToString(out.StackId) {
		t.Fatalf("exports %+v %v", ex, err)
	}
	_, err = c.ListImports(ctx, &cfn.ListImportsInput{ExportName: aws.String("life-a")})
	if apiCode(err) != "ValidationError" || apiMsg(err) != "Export 'life-a' is not imported by any stack." {
		t.Fatalf("no imports: %v", err)
	}
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("user"),
		TemplateBody: aws.String("Resources:\n  U: {Type: Test::Thing, Properties: {Name: u, In: !ImportValue life-a}}\n")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("user")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	im, err := c.ListImports(ctx, &cfn.ListImportsInput{ExportName: aws.String("life-a")})
	if err != nil || len(im.Imports) != 1 || im.Imports[0] != "user" {
		t.Fatalf("imports %+v %v", im, err)
	}

	// Termination protection.
	_, err = c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("life")})
	if apiCode(err) != "ValidationError" || apiMsg(err) != "Stack [life] cannot be deleted while TerminationProtection is enabled" {
		t.Fatalf("protected delete: %v", err)
	}
	up, err := c.UpdateTerminationProtection(ctx, &cfn.UpdateTerminationProtectionInput{StackName: aws.String("life"), EnableTerminationProtection: aws.Bool(false)})
	if err != nil || aws.ToString(up.StackId) != aws.ToString(out.StackId) {
		t.Fatalf("protection %v", err)
	}

	// Stack policy.
	policy := `{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"},{"Effect":"Deny","Action":"Update:Replace","Principal":"*","Resource":"LogicalResourceId/A"}]}`
	if _, err := c.SetStackPolicy(ctx, &cfn.SetStackPolicyInput{StackName: aws.String("life"), StackPolicyBody: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	gp, err := c.GetStackPolicy(ctx, &cfn.GetStackPolicyInput{StackName: aws.String("life")})
	if err != nil || aws.ToString(gp.StackPolicyBody) != policy {
		t.Fatalf("policy %v", err)
	}
	_, err = c.SetStackPolicy(ctx, &cfn.SetStackPolicyInput{StackName: aws.String("life"), StackPolicyBody: aws.String("{")})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("bad policy: %v", err)
	}

	// Update: UsePreviousTemplate + UsePreviousValue; the waiter sees UPDATE_COMPLETE.
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("life"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), ParameterValue: aws.String("3")}, {ParameterKey: aws.String("Secret"), UsePreviousValue: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("life")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	ds, _ = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("life")})
	if ds.Stacks[0].LastUpdatedTime == nil {
		t.Fatal("no LastUpdatedTime after update")
	}
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("life"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), UsePreviousValue: aws.Bool(true)}}})
	if apiCode(err) != "ValidationError" || apiMsg(err) != "No updates are to be performed." {
		t.Fatalf("no-op update: %v", err)
	}
	// The stack policy denies replacing A: the update rolls back.
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("life"),
		TemplateBody: aws.String(strings.Replace(sdkTemplate, "{Name: a,", "{Name: a2,", 1)), Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), UsePreviousValue: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.s.WaitStack(ctx, "life"); st != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("policy-denied update: %s", st)
	}

	// Delete: the importer must go first.
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("life")}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.s.WaitStack(ctx, aws.ToString(out.StackId)); st != "DELETE_FAILED" {
		t.Fatalf("delete of an imported export: %s", st)
	}
	for _, name := range []string{"user", "life"} {
		if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if err := cfn.NewStackDeleteCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)}, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := e.ssm.get(paramName); ok {
		t.Fatal("SSM parameter left behind")
	}
	e.buckets.mu.Lock()
	nb := len(e.buckets.deleted)
	e.buckets.mu.Unlock()
	if nb != 1 || e.f.count() != 0 {
		t.Fatalf("buckets deleted %d, things left %d", nb, e.f.count())
	}
	// A deleted stack is described by ID, not by name.
	ds, err = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: out.StackId})
	if err != nil || ds.Stacks[0].StackStatus != types.StackStatusDeleteComplete || ds.Stacks[0].DeletionTime == nil {
		t.Fatalf("deleted stack %+v %v", ds, err)
	}
	_, err = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("life")})
	if apiCode(err) != "ValidationError" || apiMsg(err) != "Stack with id life does not exist" {
		t.Fatalf("deleted by name: %v", err)
	}
	// Deleting a stack that does not exist succeeds.
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("never")}); err != nil {
		t.Fatal(err)
	}
}

func hasTag(tags []cloudformation.Tag, k, v string) bool {
	for _, t := range tags {
		if t.Key == k && t.Value == v {
			return true
		}
	}
	return false
}

func TestSDKValidationErrors(t *testing.T) {
	ctx := context.Background()
	c := newSDK(t).c
	iam := "Resources:\n  R: {Type: AWS::IAM::Role, Properties: {RoleName: r}}\n"
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"unresolved", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String("Resources:\n  A: {Type: Test::Thing, Properties: {X: !Ref Missing}}\n")})
			return err
		}, "ValidationError", "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template"},
		{"circular", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String("Resources:\n  A: {Type: Test::Thing, DependsOn: B}\n  B: {Type: Test::Thing, DependsOn: A}\n")})
			return err
		}, "ValidationError", "Circular dependency between resources: [A, B]"},
		{"unrecognized", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String("Resources:\n  A: {Type: AWS::Nope::Thing}\n")})
			return err
		}, "ValidationError", "Template format error: Unrecognized resource types: [AWS::Nope::Thing]"},
		{"missing parameter", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String("Parameters:\n  P: {Type: String}\nResources:\n  A: {Type: Test::Thing}\n")})
			return err
		}, "ValidationError", "Parameters: [P] must have values"},
		{"unknown parameter", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String("Resources:\n  A: {Type: Test::Thing}\n"),
				Parameters: []types.Parameter{{ParameterKey: aws.String("Q"), ParameterValue: aws.String("1")}}})
			return err
		}, "ValidationError", "Parameters: [Q] do not exist in the template"},
		{"bad stack name", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("1bad"), TemplateBody: aws.String("Resources:\n  A: {Type: Test::Thing}\n")})
			return err
		}, "ValidationError", "1 validation error detected: Value '1bad' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"},
		{"no body", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x")})
			return err
		}, "ValidationError", "Either Template URL or Template Body must be specified."},
		{"capabilities", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String(iam), Capabilities: []types.Capability{types.CapabilityCapabilityIam}})
			return err
		}, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]"},
		{"too many topics", func() error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String("Resources:\n  A: {Type: Test::Thing}\n"),
				NotificationARNs: []string{"arn:aws:sns:us-east-1:1:a", "arn:aws:sns:us-east-1:1:b", "arn:aws:sns:us-east-1:1:c", "arn:aws:sns:us-east-1:1:d", "arn:aws:sns:us-east-1:1:e", "arn:aws:sns:us-east-1:1:f"}})
			return err
		}, "ValidationError", ""},
		{"update missing stack", func() error {
			_, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("ghost"), UsePreviousTemplate: aws.Bool(true)})
			return err
		}, "ValidationError", "Stack with id ghost does not exist"},
		{"validate bad yaml", func() error {
			_, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateBody: aws.String("Resources: [")})
			return err
		}, "ValidationError", ""},
		{"describe change set missing", func() error {
			_, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String("arn:aws:cloudformation:us-east-1:000000000000:changeSet/nope/123")})
			return err
		}, "ChangeSetNotFound", "ChangeSet [arn:aws:cloudformation:us-east-1:000000000000:changeSet/nope/123] does not exist"},
		{"estimate cost", func() error {
			_, err := c.EstimateTemplateCost(ctx, &cfn.EstimateTemplateCostInput{TemplateBody: aws.String("Resources:\n  A: {Type: Test::Thing}\n")})
			return err
		}, "NotImplemented", ""},
		{"drift status missing", func() error {
			_, err := c.DescribeStackDriftDetectionStatus(ctx, &cfn.DescribeStackDriftDetectionStatusInput{StackDriftDetectionId: aws.String("nope")})
			return err
		}, "ValidationError", "Drift detection with ID nope does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if apiCode(err) != tc.code || (tc.msg != "" && apiMsg(err) != tc.msg) {
				t.Fatalf("got %v; want %s: %s", err, tc.code, tc.msg)
			}
		})
	}
	var ice *types.InsufficientCapabilitiesException
	_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("x"), TemplateBody: aws.String(iam)})
	if !errors.As(err, &ice) {
		t.Fatalf("typed InsufficientCapabilitiesException: %v", err)
	}
	var cnf *types.ChangeSetNotFoundException
	_, err = c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String("nope"), StackName: aws.String("ghost")})
	if !errors.As(err, &cnf) {
		t.Fatalf("typed ChangeSetNotFound: %v", err)
	}
}

func TestSDKValidateTemplate(t *testing.T) {
	ctx := context.Background()
	c := newSDK(t).c
	v, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateBody: aws.String(sdkTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	tp := map[string]types.TemplateParameter{}
	for _, p := range v.Parameters {
		tp[aws.ToString(p.ParameterKey)] = p
	}
	if aws.ToString(v.Description) != "sdk round trip" || len(v.Parameters) != 2 || aws.ToString(tp["Size"].DefaultValue) != "1" || !aws.ToBool(tp["Secret"].NoEcho) {
		t.Fatalf("validate %+v", v)
	}
	v, err = c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateBody: aws.String("Resources:\n  R: {Type: AWS::IAM::Role}\n")})
	if err != nil || len(v.Capabilities) != 1 || v.Capabilities[0] != types.CapabilityCapabilityIam || aws.ToString(v.CapabilitiesReason) == "" {
		t.Fatalf("capabilities %+v %v", v, err)
	}
	lim, err := c.DescribeAccountLimits(ctx, &cfn.DescribeAccountLimitsInput{})
	if err != nil || len(lim.AccountLimits) != 3 || aws.ToString(lim.AccountLimits[0].Name) != "StackLimit" || aws.ToInt32(lim.AccountLimits[0].Value) != 2000 {
		t.Fatalf("limits %+v %v", lim, err)
	}
}

const csTemplate = `
Parameters:
  Size: {Type: String, Default: "1"}
Resources:
  A: {Type: Test::Thing, Properties: {Name: a, Size: !Ref Size}}
  B: {Type: Test::Thing, Properties: {Name: b}}
`

func TestSDKChangeSets(t *testing.T) {
	ctx := context.Background()
	e := newSDK(t)
	c := e.c
	// CREATE change set: the stack waits in REVIEW_IN_PROGRESS.
	cs, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("first"),
		ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(csTemplate), Description: aws.String("initial"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewChangeSetCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: cs.Id}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	ds, _ := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("cs")})
	if ds.Stacks[0].StackStatus != types.StackStatusReviewInProgress {
		t.Fatalf("status %s", ds.Stacks[0].StackStatus)
	}
	d, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String("first"), StackName: aws.String("cs")})
	if err != nil || len(d.Changes) != 2 || d.Changes[0].ResourceChange.Action != types.ChangeActionAdd || d.CreationTime == nil ||
		d.ExecutionStatus != types.ExecutionStatusAvailable || aws.ToString(d.Description) != "initial" || len(d.Tags) != 1 || len(d.Parameters) != 1 {
		t.Fatalf("describe %+v %v", d, err)
	}
	_, err = c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("first"), TemplateBody: aws.String(csTemplate)})
	var aee *types.AlreadyExistsException
	if !errors.As(err, &aee) {
		t.Fatalf("duplicate change set: %v", err)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("cs")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	var ics *types.InvalidChangeSetStatusException
	_, err = c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs.Id})
	if !errors.As(err, &ics) {
		t.Fatalf("re-execute: %v", err)
	}
	// UPDATE change set: Modify with Replacement and Details; Remove; Add.
	next := strings.Replace(csTemplate, "{Name: b}", "{Name: b2}", 1) + "  C: {Type: Test::Thing, Properties: {Name: c}}\n"
	next = strings.Replace(next, "  A: {Type: Test::Thing, Properties: {Name: a, Size: !Ref Size}}\n", "  A: {Type: Test::Thing, Properties: {Name: a, Size: !Ref Size}}\n", 1)
	up, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("second"), TemplateBody: aws.String(next),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), ParameterValue: aws.String("2")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: up.Id})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*types.ResourceChange{}
	for _, ch := range d.Changes {
		if ch.Type != types.ChangeTypeResource {
			t.Fatalf("change type %s", ch.Type)
		}
		got[aws.ToString(ch.ResourceChange.LogicalResourceId)] = ch.ResourceChange
	}
	a, b, cc := got["A"], got["B"], got["C"]
	if a == nil || a.Action != types.ChangeActionModify || a.Replacement != types.ReplacementFalse || len(a.Scope) != 1 || a.Scope[0] != types.ResourceAttributeProperties {
		t.Fatalf("A %+v", a)
	}
	if len(a.Details) != 1 || aws.ToString(a.Details[0].Target.Name) != "Size" || a.Details[0].Target.RequiresRecreation != types.RequiresRecreationNever || a.Details[0].Evaluation != types.EvaluationTypeStatic {
		t.Fatalf("A details %+v", a.Details)
	}
	if b == nil || b.Replacement != types.ReplacementTrue || b.Details[0].Target.RequiresRecreation != types.RequiresRecreationAlways || aws.ToString(b.PhysicalResourceId) == "" {
		t.Fatalf("B %+v", b)
	}
	if cc == nil || cc.Action != types.ChangeActionAdd {
		t.Fatalf("C %+v", cc)
	}
	gt, err := c.GetTemplate(ctx, &cfn.GetTemplateInput{StackName: aws.String("cs"), ChangeSetName: aws.String("second")})
	if err != nil || aws.ToString(gt.TemplateBody) != next {
		t.Fatalf("change set template %v", err)
	}
	if _, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("third"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), ParameterValue: aws.String("3")}}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListChangeSets(ctx, &cfn.ListChangeSetsInput{StackName: aws.String("cs")})
	if err != nil || len(l.Summaries) != 3 {
		t.Fatalf("list %+v %v", l, err)
	}
	if _, err := c.DeleteChangeSet(ctx, &cfn.DeleteChangeSetInput{ChangeSetName: aws.String("third"), StackName: aws.String("cs")}); err != nil {
		t.Fatal(err)
	}
	var cnf *types.ChangeSetNotFoundException
	if _, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String("third"), StackName: aws.String("cs")}); !errors.As(err, &cnf) {
		t.Fatalf("deleted change set: %v", err)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: aws.String("second"), StackName: aws.String("cs")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("cs")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	ds, _ = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("cs")})
	if aws.ToString(ds.Stacks[0].ChangeSetId) != aws.ToString(up.Id) {
		t.Fatalf("stack change set id %v", ds.Stacks[0].ChangeSetId)
	}
	// Executing one change set removes the stack's others.
	l, _ = c.ListChangeSets(ctx, &cfn.ListChangeSetsInput{StackName: aws.String("cs")})
	if len(l.Summaries) != 1 || l.Summaries[0].ExecutionStatus != types.ExecutionStatusExecuteComplete {
		t.Fatalf("after execute %+v", l.Summaries)
	}
	// A change set with no changes fails.
	nochange, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("none"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), UsePreviousValue: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	err = cfn.NewChangeSetCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: nochange.Id}, 30*time.Second)
	if err == nil {
		t.Fatal("waiter succeeded on a FAILED change set")
	}
	d, _ = c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: nochange.Id})
	if d.Status != types.ChangeSetStatusFailed || !strings.Contains(aws.ToString(d.StatusReason), "didn't contain changes") {
		t.Fatalf("no-change %+v", d)
	}
	_, err = c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("imp"), ChangeSetType: types.ChangeSetTypeImport, TemplateBody: aws.String(csTemplate)})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("import: %v", err)
	}
}

func TestSDKRollbackAndContinue(t *testing.T) {
	ctx := context.Background()
	e := newSDK(t)
	c := e.c
	e.f.setFail("D", true)
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("rb"), TemplateBody: aws.String(chain)}); err != nil {
		t.Fatal(err)
	}
	err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("rb")}, 30*time.Second)
	if err == nil {
		t.Fatal("create waiter succeeded on a rolled back stack")
	}
	ds, _ := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("rb")})
	if ds.Stacks[0].StackStatus != types.StackStatusRollbackComplete {
		t.Fatalf("rollback %+v", ds.Stacks[0])
	}
	ev, _ := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("rb")})
	found, reason := false, false
	for _, x := range ev.StackEvents {
		if aws.ToString(x.LogicalResourceId) == "D" && x.ResourceStatus == types.ResourceStatusCreateFailed && aws.ToString(x.ResourceStatusReason) == "boom" {
			found = true
		}
		if x.ResourceStatus == types.ResourceStatusRollbackInProgress && aws.ToString(x.ResourceStatusReason) == "The following resource(s) failed to create: [D]. Rollback requested by user." {
			reason = true
		}
	}
	if !found || !reason {
		t.Fatalf("events: CREATE_FAILED with the provider's reason %v, ROLLBACK_IN_PROGRESS with AWS's reason %v", found, reason)
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("rb")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("rb")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// An update whose rollback fails: UPDATE_ROLLBACK_FAILED, then ContinueUpdateRollback
	// skipping the resource.
	e.f.setFail("D", false)
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(chain)}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("up")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	e.f.failUpdateAfter("A", 1) // the update succeeds, its rollback fails
	e.f.setFail("E", true)      // a new resource fails: the update rolls back
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(strings.Replace(chain, "Outputs:", "  E: {Type: Test::Thing, Properties: {Dep: !Ref A}}\nOutputs:", 1)),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), ParameterValue: aws.String("5")}}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.s.WaitStack(ctx, "up"); st != "UPDATE_ROLLBACK_FAILED" {
		t.Fatalf("status %s", st)
	}
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("up"), UsePreviousTemplate: aws.Bool(true)})
	if apiCode(err) != "ValidationError" || !strings.Contains(apiMsg(err), "UPDATE_ROLLBACK_FAILED state and can not be updated") {
		t.Fatalf("update from UPDATE_ROLLBACK_FAILED: %v", err)
	}
	if _, err := c.ContinueUpdateRollback(ctx, &cfn.ContinueUpdateRollbackInput{StackName: aws.String("up"), ResourcesToSkip: []string{"A"}}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackRollbackCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("up")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.ContinueUpdateRollback(ctx, &cfn.ContinueUpdateRollbackInput{StackName: aws.String("up")})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("continue from a good state: %v", err)
	}
	_, err = c.CancelUpdateStack(ctx, &cfn.CancelUpdateStackInput{StackName: aws.String("up")})
	if apiCode(err) != "ValidationError" || apiMsg(err) != "CancelUpdateStack cannot be called from current stack status" {
		t.Fatalf("cancel without update: %v", err)
	}
}

func TestSDKCancelUpdateAndSignal(t *testing.T) {
	ctx := context.Background()
	e := newSDK(t)
	c := e.c
	body := "Resources:\n  A: {Type: Test::Thing, Properties: {Name: a}}\n"
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("sig"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("sig")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// W waits for a signal; cancel the update while it waits.
	waiting := body + "  W:\n    Type: Test::Thing\n    Properties: {Name: w}\n    CreationPolicy: {ResourceSignal: {Count: 1, Timeout: PT1H}}\n"
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("sig"), TemplateBody: aws.String(waiting)}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, c, "sig", "W", types.ResourceStatusCreateInProgress)
	if _, err := c.CancelUpdateStack(ctx, &cfn.CancelUpdateStackInput{StackName: aws.String("sig")}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.s.WaitStack(ctx, "sig"); st != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("after cancel: %s", st)
	}
	// Again, and signal it.
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("sig"), TemplateBody: aws.String(waiting)}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, c, "sig", "W", types.ResourceStatusCreateInProgress)
	_, err := c.SignalResource(ctx, &cfn.SignalResourceInput{StackName: aws.String("sig"), LogicalResourceId: aws.String("W"), UniqueId: aws.String("i-1"), Status: "MAYBE"})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := c.SignalResource(ctx, &cfn.SignalResourceInput{StackName: aws.String("sig"), LogicalResourceId: aws.String("W"),
		UniqueId: aws.String("i-1"), Status: types.ResourceSignalStatusSuccess}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("sig")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// The signal shows in the resource's events, as in AWS.
	evs, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("sig")})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs.StackEvents, func(e types.StackEvent) bool {
		return aws.ToString(e.LogicalResourceId) == "W" && e.ResourceStatus == types.ResourceStatusCreateInProgress &&
			aws.ToString(e.ResourceStatusReason) == "Received SUCCESS signal with UniqueId i-1"
	}) {
		t.Errorf("no signal event in %+v", evs.StackEvents)
	}
}

// waitEvent polls DescribeStackEvents until the resource's latest event has status (the
// operation runs in the background; the fake's Create returns at once, so this is quick).
func waitEvent(t *testing.T, c *cfn.Client, stack, logical string, status types.ResourceStatus) {
	t.Helper()
	for range 10000 {
		ev, err := c.DescribeStackEvents(context.Background(), &cfn.DescribeStackEventsInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ev.StackEvents { // newest first
			if aws.ToString(x.LogicalResourceId) == logical {
				if x.ResourceStatus == status {
					return
				}
				break
			}
		}
	}
	t.Fatalf("%s never reached %s", logical, status)
}

func TestSDKDrift(t *testing.T) {
	ctx := context.Background()
	e := newSDK(t)
	c := e.c
	body := "Resources:\n  A: {Type: Test::Thing, Properties: {Name: a, Size: 1, List: [x, y], Map: {K: v}}}\n  B: {Type: Test::Thing, Properties: {Name: b}}\n  Bucket: {Type: AWS::S3::Bucket}\n"
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("drift"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("drift")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	det, err := c.DetectStackDrift(ctx, &cfn.DetectStackDriftInput{StackName: aws.String("drift")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.DescribeStackDriftDetectionStatus(ctx, &cfn.DescribeStackDriftDetectionStatusInput{StackDriftDetectionId: det.StackDriftDetectionId})
	if err != nil || st.DetectionStatus != types.StackDriftDetectionStatusDetectionComplete || st.StackDriftStatus != types.StackDriftStatusInSync || aws.ToInt32(st.DriftedStackResourceCount) != 0 || st.Timestamp == nil {
		t.Fatalf("in sync %+v %v", st, err)
	}
	// Change A behind CloudFormation's back, delete B.
	e.f.mutate(func(live map[string]map[string]any, phys func(string) string) {
		a := live[phys("A")]
		a["Size"] = 2
		a["List"] = []any{"x"}
		a["Map"] = map[string]any{"K": "w"}
		delete(live, phys("B"))
	})
	det, err = c.DetectStackDrift(ctx, &cfn.DetectStackDriftInput{StackName: aws.String("drift")})
	if err != nil {
		t.Fatal(err)
	}
	st, _ = c.DescribeStackDriftDetectionStatus(ctx, &cfn.DescribeStackDriftDetectionStatusInput{StackDriftDetectionId: det.StackDriftDetectionId})
	if st.StackDriftStatus != types.StackDriftStatusDrifted || aws.ToInt32(st.DriftedStackResourceCount) != 2 {
		t.Fatalf("drifted %+v", st)
	}
	drs, err := c.DescribeStackResourceDrifts(ctx, &cfn.DescribeStackResourceDriftsInput{StackName: aws.String("drift")})
	if err != nil || len(drs.StackResourceDrifts) != 2 {
		t.Fatalf("resource drifts %+v %v", drs, err)
	}
	a := drs.StackResourceDrifts[0]
	if a.StackResourceDriftStatus != types.StackResourceDriftStatusModified || aws.ToString(a.ExpectedProperties) == "" || aws.ToString(a.ActualProperties) == "" || a.Timestamp == nil {
		t.Fatalf("A drift %+v", a)
	}
	diffs := map[string]types.PropertyDifference{}
	for _, d := range a.PropertyDifferences {
		diffs[aws.ToString(d.PropertyPath)] = d
	}
	if d := diffs["/Size"]; d.DifferenceType != types.DifferenceTypeNotEqual || aws.ToString(d.ExpectedValue) != "1" || aws.ToString(d.ActualValue) != "2" {
		t.Fatalf("size diff %+v (all %+v)", d, a.PropertyDifferences)
	}
	if d := diffs["/List/1"]; d.DifferenceType != types.DifferenceTypeRemove {
		t.Fatalf("list diff %+v", d)
	}
	if d := diffs["/Map/K"]; d.DifferenceType != types.DifferenceTypeNotEqual {
		t.Fatalf("map diff %+v", d)
	}
	if drs.StackResourceDrifts[1].StackResourceDriftStatus != types.StackResourceDriftStatusDeleted {
		t.Fatalf("B drift %+v", drs.StackResourceDrifts[1])
	}
	only, err := c.DescribeStackResourceDrifts(ctx, &cfn.DescribeStackResourceDriftsInput{StackName: aws.String("drift"),
		StackResourceDriftStatusFilters: []types.StackResourceDriftStatus{types.StackResourceDriftStatusDeleted}})
	if err != nil || len(only.StackResourceDrifts) != 1 {
		t.Fatalf("filtered %+v %v", only, err)
	}
	one, err := c.DetectStackResourceDrift(ctx, &cfn.DetectStackResourceDriftInput{StackName: aws.String("drift"), LogicalResourceId: aws.String("A")})
	if err != nil || one.StackResourceDrift.StackResourceDriftStatus != types.StackResourceDriftStatusModified {
		t.Fatalf("one %+v %v", one, err)
	}
	// The bucket's provider cannot read: drift detection does not support it.
	_, err = c.DetectStackResourceDrift(ctx, &cfn.DetectStackResourceDriftInput{StackName: aws.String("drift"), LogicalResourceId: aws.String("Bucket")})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("unsupported: %v", err)
	}
	ds, _ := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("drift")})
	if ds.Stacks[0].DriftInformation.StackDriftStatus != types.StackDriftStatusDrifted || ds.Stacks[0].DriftInformation.LastCheckTimestamp == nil {
		t.Fatalf("stack drift info %+v", ds.Stacks[0].DriftInformation)
	}
	lr, _ := c.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String("drift")})
	status := map[string]types.StackResourceDriftStatus{}
	for _, r := range lr.StackResourceSummaries {
		status[aws.ToString(r.LogicalResourceId)] = r.DriftInformation.StackResourceDriftStatus
	}
	if status["A"] != types.StackResourceDriftStatusModified || status["B"] != types.StackResourceDriftStatusDeleted || status["Bucket"] != types.StackResourceDriftStatusNotChecked {
		t.Fatalf("resource drift statuses %v", status)
	}
}

func TestSDKUpdatePolicy(t *testing.T) {
	ctx := context.Background()
	e := newSDK(t)
	c := e.c
	body := `
Parameters:
  Size: {Type: String, Default: "1"}
Resources:
  G:
    Type: Test::Thing
    Properties: {Name: g, Size: !Ref Size}
    UpdatePolicy:
      AutoScalingRollingUpdate: {MinInstancesInService: 1, MaxBatchSize: !Ref Size}
  R:
    Type: Test::Thing
    Properties: {Name: r, Size: !Ref Size}
    UpdatePolicy:
      AutoScalingReplacingUpdate: {WillReplace: true}
`
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("pol"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("pol")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	before, _ := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("pol"), LogicalResourceId: aws.String("R")})
	cs, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("pol"), ChangeSetName: aws.String("p"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Size"), ParameterValue: aws.String("2")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: cs.Id})
	for _, ch := range d.Changes {
		want := types.ReplacementFalse
		if aws.ToString(ch.ResourceChange.LogicalResourceId) == "R" {
			want = types.ReplacementTrue
		}
		if ch.ResourceChange.Replacement != want {
			t.Fatalf("%s replacement %s", aws.ToString(ch.ResourceChange.LogicalResourceId), ch.ResourceChange.Replacement)
		}
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c, fast).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("pol")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	after, _ := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("pol"), LogicalResourceId: aws.String("R")})
	if aws.ToString(after.StackResourceDetail.PhysicalResourceId) == aws.ToString(before.StackResourceDetail.PhysicalResourceId) {
		t.Fatal("WillReplace did not replace")
	}
	e.f.mu.Lock()
	pol := e.f.updatePolicy["G"]
	e.f.mu.Unlock()
	ru, _ := pol["AutoScalingRollingUpdate"].(map[string]any)
	if ru == nil || fmt.Sprint(ru["MaxBatchSize"]) != "2" {
		t.Fatalf("update policy seen by the provider: %v", pol)
	}
}
