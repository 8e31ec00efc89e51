package cfnres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/johannesboyne/gofakes3"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/internal/core"
)

// ---- CodeBuild report groups ----

func registerReportGroups(cf *cloudformation.Service, svc *codebuild.Service) {
	g := reportGroups{svc}
	cf.RegisterProvider("AWS::CodeBuild::ReportGroup", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: g.create, UpdateFunc: g.update, DeleteFunc: g.delete, ReadFunc: g.read},
		Attributes: []string{"Arn", "Name"},
		// codebuild has no UpdateReportGroup: a new ExportConfig or Tags replaces the group
		// (AWS updates them in place).
		ReplaceOn: []string{"Name", "Type", "ExportConfig", "Tags"},
		Taggable:  true,
	})
}

type reportGroups struct{ svc *codebuild.Service }

func (g reportGroups) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "Type", "ExportConfig"); err != nil {
		return nil, err
	}
	in := &codebuild.CreateReportGroupInput{Name: physicalName(req, "Name", 128), Type: str(p, "Type")}
	in.ExportConfig = &codebuild.ReportExportConfig{}
	if err := decode(obj(p, "ExportConfig"), in.ExportConfig); err != nil {
		return nil, err
	}
	in.Tags = append(in.Tags, tagsOf(tags(req), func(t kv) codebuild.Tag { return codebuild.Tag{Key: t.Key, Value: t.Value} })...)
	out, err := g.svc.CreateReportGroup(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.ReportGroup.Arn, Attributes: map[string]any{"Arn": out.ReportGroup.Arn, "Name": out.ReportGroup.Name}}, nil
}

// update has nothing to apply in place but DeleteReports (read at delete).
func (g reportGroups) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (g reportGroups) delete(ctx context.Context, req *cloudformation.Request) error {
	del := boolp(req.Properties, "DeleteReports")
	_, err := g.svc.DeleteReportGroup(ctx, &codebuild.DeleteReportGroupInput{Arn: req.PhysicalID, DeleteReports: del != nil && *del})
	return notFound(err)
}

func (g reportGroups) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := g.svc.BatchGetReportGroups(ctx, &codebuild.BatchGetReportGroupsInput{ReportGroupArns: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.ReportGroups) == 0 {
		return nil, codebuild.ErrResourceNotFound.With("Report group %s does not exist", req.PhysicalID)
	}
	rg := out.ReportGroups[0]
	props := map[string]any{"Type": rg.Type}
	if _, ok := req.Properties["Name"]; ok {
		props["Name"] = rg.Name
	}
	return props, nil
}

// ---- S3 bucket policies ----

func registerBucketPolicies(cf *cloudformation.Service, objects core.Objects) {
	b := bucketPolicies{objects}
	cf.RegisterProvider("AWS::S3::BucketPolicy", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: b.put, UpdateFunc: b.put, DeleteFunc: b.delete},
		ReplaceOn: []string{"Bucket"},
	})
}

type bucketPolicies struct{ objects core.Objects }

// S3's errors for a bucket policy.
var (
	errNoSuchBucket    = apierr.New(apierr.NotFound, "NoSuchBucket", "The specified bucket does not exist")
	errMalformedPolicy = apierr.New(apierr.Invalid, "MalformedPolicy", "")
)

// bucketExists asks the object store for a key of the bucket: a missing bucket and a missing
// key are told apart by gofakes3's error code.
func bucketExists(ctx context.Context, objects core.Objects, bucket string) (bool, error) {
	_, err := objects.GetObject(ctx, bucket, ".devopsim-bucket-probe")
	if err == nil {
		return true, nil
	}
	var coded interface{ ErrorCode() gofakes3.ErrorCode }
	if errors.As(err, &coded) {
		switch coded.ErrorCode() {
		case gofakes3.ErrNoSuchBucket:
			return false, nil
		case gofakes3.ErrNoSuchKey:
			return true, nil
		}
	}
	return false, err
}

// put checks the document (a policy with statements) and the bucket; the policy is recorded
// with the stack, not enforced (the S3 here evaluates no policies). Ref is the bucket name.
func (b bucketPolicies) put(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "Bucket", "PolicyDocument"); err != nil {
		return nil, err
	}
	doc, err := policyDoc(p, "PolicyDocument")
	if err != nil {
		return nil, err
	}
	var pd struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(doc), &pd) != nil || len(pd.Statement) == 0 {
		return nil, errMalformedPolicy.With("Policies must be valid JSON and the first byte must be '{' with a Statement")
	}
	bucket := str(p, "Bucket")
	var ok bool
	ok, err = bucketExists(ctx, b.objects, bucket)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchBucket.With("The specified bucket does not exist (Bucket: %s)", bucket)
	}
	return &cloudformation.Result{PhysicalID: bucket}, nil
}

func (b bucketPolicies) delete(context.Context, *cloudformation.Request) error { return nil }
