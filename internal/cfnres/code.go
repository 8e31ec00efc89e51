package cfnres

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/internal/core"
)

// ---- CodeCommit ----

func registerCodeCommit(cf *cloudformation.Service, svc *codecommit.Service, objects core.Objects) {
	r := repos{svc, objects}
	cf.RegisterProvider("AWS::CodeCommit::Repository", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: r.create, UpdateFunc: r.update, DeleteFunc: r.delete, ReadFunc: r.read},
		Attributes: []string{"Arn", "CloneUrlHttp", "CloneUrlSsh", "Name", "KmsKeyId"},
		ReplaceOn:  []string{},
		Taggable:   true,
	})
}

type repos struct {
	svc     *codecommit.Service
	objects core.Objects
}

func (r repos) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "RepositoryName"); err != nil {
		return nil, err
	}
	name := str(p, "RepositoryName")
	out, err := r.svc.CreateRepository(ctx, &codecommit.CreateRepositoryInput{
		RepositoryName: name, RepositoryDescription: str(p, "RepositoryDescription"), Tags: tagMap(req), KMSKeyID: str(p, "KmsKeyId"),
	})
	if err != nil {
		return nil, err
	}
	err = r.initialCode(ctx, name, obj(p, "Code"))
	if err == nil {
		err = r.triggers(ctx, name, p["Triggers"])
	}
	if err != nil {
		_, _ = r.svc.DeleteRepository(ctx, &codecommit.DeleteRepositoryInput{RepositoryName: name})
		return nil, err
	}
	return repoResult(out.RepositoryMetadata), nil
}

func repoResult(m *codecommit.RepositoryMetadata) *cloudformation.Result {
	return &cloudformation.Result{PhysicalID: m.RepositoryID, Attributes: map[string]any{
		"Arn": m.Arn, "CloneUrlHttp": m.CloneURLHTTP, "CloneUrlSsh": m.CloneURLSSH, "Name": m.RepositoryName, "KmsKeyId": m.KMSKeyID}}
}

// initialCode commits the Code.S3 zip's files to Code.BranchName (default main).
func (r repos) initialCode(ctx context.Context, repo string, code map[string]any) error {
	if code == nil {
		return nil
	}
	s3 := obj(code, "S3")
	if err := need(s3, "Bucket", "Key"); err != nil {
		return err
	}
	if r.objects == nil {
		return propErr("Code.S3: no S3 object store is configured")
	}
	data, err := r.objects.GetObject(ctx, str(s3, "Bucket"), str(s3, "Key"))
	if err != nil {
		return propErr("Code.S3: s3://%s/%s: %v", str(s3, "Bucket"), str(s3, "Key"), err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return propErr("Code.S3: s3://%s/%s is not a zip file: %v", str(s3, "Bucket"), str(s3, "Key"), err)
	}
	var files []codecommit.PutFileEntry
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return propErr("Code.S3: %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, 6<<20))
		rc.Close()
		if err != nil {
			return propErr("Code.S3: %s: %v", f.Name, err)
		}
		mode := "NORMAL"
		if f.Mode()&0o111 != 0 {
			mode = "EXECUTABLE"
		}
		files = append(files, codecommit.PutFileEntry{FilePath: strings.TrimPrefix(f.Name, "/"), FileMode: mode, FileContent: b})
	}
	if len(files) == 0 {
		return nil
	}
	branch := str(code, "BranchName")
	if branch == "" {
		branch = "main"
	}
	_, err = r.svc.CreateCommit(ctx, &codecommit.CreateCommitInput{RepositoryName: repo, BranchName: branch, PutFiles: files,
		AuthorName: "AWS CloudFormation", CommitMessage: "Initial commit by AWS CloudFormation"})
	return err
}

func (r repos) triggers(ctx context.Context, repo string, v any) error {
	l, ok := v.([]any)
	if !ok && v == nil {
		return nil
	}
	var ts []codecommit.RepositoryTrigger
	if err := decode(map[string]any{"T": l}, &struct {
		T *[]codecommit.RepositoryTrigger `json:"T"`
	}{&ts}); err != nil {
		return err
	}
	if ts == nil {
		ts = []codecommit.RepositoryTrigger{}
	}
	_, err := r.svc.PutRepositoryTriggers(ctx, &codecommit.PutRepositoryTriggersInput{RepositoryName: repo, Triggers: ts})
	return err
}

func (r repos) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	name := str(p, "RepositoryName")
	if changed(req, "RepositoryName") {
		if _, err := r.svc.UpdateRepositoryName(ctx, &codecommit.UpdateRepositoryNameInput{OldName: str(req.OldProperties, "RepositoryName"), NewName: name}); err != nil {
			return nil, err
		}
	}
	if changed(req, "RepositoryDescription") {
		if _, err := r.svc.UpdateRepositoryDescription(ctx, &codecommit.UpdateRepositoryDescriptionInput{RepositoryName: name, RepositoryDescription: str(p, "RepositoryDescription")}); err != nil {
			return nil, err
		}
	}
	if changed(req, "Triggers") {
		if err := r.triggers(ctx, name, p["Triggers"]); err != nil {
			return nil, err
		}
	}
	out, err := r.svc.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: name})
	if err != nil {
		return nil, err
	}
	return repoResult(out.RepositoryMetadata), nil
}

func (r repos) delete(ctx context.Context, req *cloudformation.Request) error {
	name, _ := req.Attributes["Name"].(string)
	if name == "" {
		name = str(req.Properties, "RepositoryName")
	}
	_, err := r.svc.DeleteRepository(ctx, &codecommit.DeleteRepositoryInput{RepositoryName: name})
	return notFound(err)
}

func (r repos) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	name, _ := req.Attributes["Name"].(string)
	out, err := r.svc.GetRepository(ctx, &codecommit.GetRepositoryInput{RepositoryName: name})
	if err != nil {
		return nil, err
	}
	props := map[string]any{"RepositoryName": out.RepositoryMetadata.RepositoryName}
	if _, ok := req.Properties["RepositoryDescription"]; ok {
		props["RepositoryDescription"] = out.RepositoryMetadata.RepositoryDescription
	}
	return props, nil
}

// ---- CodeBuild ----

func registerCodeBuild(cf *cloudformation.Service, svc *codebuild.Service) {
	p := projects{svc}
	cf.RegisterProvider("AWS::CodeBuild::Project", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: p.create, UpdateFunc: p.update, DeleteFunc: p.delete, ReadFunc: p.read},
		Attributes: []string{"Arn"},
		ReplaceOn:  []string{"Name"},
		Taggable:   true,
	})
}

type projects struct{ svc *codebuild.Service }

func (s projects) input(req *cloudformation.Request, name string) (*codebuild.CreateProjectInput, error) {
	p := req.Properties
	if err := need(p, "Source", "Artifacts", "Environment"); err != nil {
		return nil, err
	}
	sub := map[string]any{}
	for k, v := range p {
		switch k {
		case "Name", "Tags", "Triggers", "BadgeEnabled", "Visibility", "ResourceAccessRole", "VpcConfig", "FileSystemLocations", "BuildBatchConfig", "AutoRetryLimit":
		default:
			sub[k] = v
		}
	}
	in := &codebuild.CreateProjectInput{}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.Name = name
	in.Tags = append(in.Tags, tagsOf(tags(req), func(t kv) codebuild.Tag { return codebuild.Tag{Key: t.Key, Value: t.Value} })...)
	return in, nil
}

func (s projects) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	in, err := s.input(req, physicalName(req, "Name", 150))
	if err != nil {
		return nil, err
	}
	out, err := s.svc.CreateProject(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.Project.Name, Attributes: map[string]any{"Arn": out.Project.Arn}}, nil
}

func (s projects) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	in, err := s.input(req, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	out, err := s.svc.UpdateProject(ctx, in)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.Project.Name, Attributes: map[string]any{"Arn": out.Project.Arn}}, nil
}

func (s projects) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := s.svc.DeleteProject(ctx, &codebuild.DeleteProjectInput{Name: req.PhysicalID})
	return notFound(err)
}

func (s projects) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := s.svc.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.Projects) == 0 {
		return nil, codebuild.ErrResourceNotFound.With("Project %s not found", req.PhysicalID)
	}
	pr := out.Projects[0]
	props := map[string]any{}
	if _, ok := req.Properties["Description"]; ok {
		props["Description"] = pr.Description
	}
	if _, ok := req.Properties["ServiceRole"]; ok {
		props["ServiceRole"] = pr.ServiceRole
	}
	return props, nil
}

// ---- CodeDeploy ----

func registerCodeDeploy(cf *cloudformation.Service, svc *codedeploy.Service) {
	d := deploys{svc}
	cf.RegisterProvider("AWS::CodeDeploy::Application", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: d.createApp, UpdateFunc: d.keep, DeleteFunc: d.deleteApp},
		ReplaceOn: []string{"ApplicationName", "ComputePlatform"},
		Taggable:  true,
	})
	cf.RegisterProvider("AWS::CodeDeploy::DeploymentConfig", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: d.createConfig, DeleteFunc: d.deleteConfig},
		ReplaceOn: []string{"*"},
	})
	cf.RegisterProvider("AWS::CodeDeploy::DeploymentGroup", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: d.createGroup, UpdateFunc: d.updateGroup, DeleteFunc: d.deleteGroup, ReadFunc: d.readGroup},
		ReplaceOn: []string{"ApplicationName", "DeploymentGroupName"},
		Taggable:  true,
	})
}

type deploys struct{ svc *codedeploy.Service }

func (d deploys) keep(_ context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func cdTags(req *cloudformation.Request) []codedeploy.Tag {
	return tagsOf(tags(req), func(t kv) codedeploy.Tag { return codedeploy.Tag{Key: t.Key, Value: t.Value} })
}

func (d deploys) createApp(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	name := physicalName(req, "ApplicationName", 100)
	if _, err := d.svc.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: name, ComputePlatform: str(req.Properties, "ComputePlatform"), Tags: cdTags(req)}); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name}, nil
}

func (d deploys) deleteApp(ctx context.Context, req *cloudformation.Request) error {
	_, err := d.svc.DeleteApplication(ctx, &codedeploy.DeleteApplicationInput{ApplicationName: req.PhysicalID})
	return notFound(err)
}

func (d deploys) createConfig(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	in := &codedeploy.CreateDeploymentConfigInput{}
	sub := map[string]any{}
	for _, k := range []string{"MinimumHealthyHosts", "TrafficRoutingConfig", "ComputePlatform", "ZonalConfig"} {
		if v, ok := req.Properties[k]; ok {
			sub[k] = v
		}
	}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.DeploymentConfigName = physicalName(req, "DeploymentConfigName", 100)
	if _, err := d.svc.CreateDeploymentConfig(ctx, in); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: in.DeploymentConfigName}, nil
}

func (d deploys) deleteConfig(ctx context.Context, req *cloudformation.Request) error {
	_, err := d.svc.DeleteDeploymentConfig(ctx, &codedeploy.DeleteDeploymentConfigInput{DeploymentConfigName: req.PhysicalID})
	return notFound(err)
}

// groupSub maps DeploymentGroup properties to the API's shapes: Ec2TagSet and
// OnPremisesTagSet nest their groups in objects in templates, plain lists on the API.
func groupSub(p map[string]any) map[string]any {
	sub := map[string]any{}
	for k, v := range p {
		switch k {
		case "Tags", "DeploymentGroupName", "ApplicationName", "Deployment":
		case "Ec2TagSet":
			sub[k] = map[string]any{"ec2TagSetList": unwrapSet(obj(p, k)["Ec2TagSetList"], "Ec2TagGroup")}
		case "OnPremisesTagSet":
			sub[k] = map[string]any{"onPremisesTagSetList": unwrapSet(obj(p, k)["OnPremisesTagSetList"], "OnPremisesTagGroup")}
		default:
			sub[k] = v
		}
	}
	return sub
}

func unwrapSet(v any, key string) []any {
	l, _ := v.([]any)
	out := make([]any, 0, len(l))
	for _, e := range l {
		m, _ := e.(map[string]any)
		g, _ := m[key].([]any)
		out = append(out, g)
	}
	return out
}

func (d deploys) createGroup(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "ApplicationName", "ServiceRoleArn"); err != nil {
		return nil, err
	}
	in := &codedeploy.CreateDeploymentGroupInput{}
	if err := decode(groupSub(p), in); err != nil {
		return nil, err
	}
	in.ApplicationName = str(p, "ApplicationName")
	in.DeploymentGroupName = physicalName(req, "DeploymentGroupName", 100)
	in.Tags = cdTags(req)
	if _, err := d.svc.CreateDeploymentGroup(ctx, in); err != nil {
		return nil, err
	}
	if dep := obj(p, "Deployment"); dep != nil {
		if err := d.deploy(ctx, in.ApplicationName, in.DeploymentGroupName, dep); err != nil {
			_, _ = d.svc.DeleteDeploymentGroup(ctx, &codedeploy.DeleteDeploymentGroupInput{ApplicationName: in.ApplicationName, DeploymentGroupName: in.DeploymentGroupName})
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: in.DeploymentGroupName}, nil
}

// deploy starts the group's Deployment property (a revision) as CloudFormation does on
// create and when the property changes; it does not wait for the deployment.
func (d deploys) deploy(ctx context.Context, app, group string, dep map[string]any) error {
	in := &codedeploy.CreateDeploymentInput{}
	if err := decode(dep, in); err != nil {
		return err
	}
	in.ApplicationName, in.DeploymentGroupName = app, group
	_, err := d.svc.CreateDeployment(ctx, in)
	return err
}

func (d deploys) updateGroup(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	in := &codedeploy.UpdateDeploymentGroupInput{}
	if err := decode(groupSub(req.Properties), in); err != nil {
		return nil, err
	}
	in.ApplicationName = str(req.Properties, "ApplicationName")
	in.CurrentDeploymentGroupName = req.PhysicalID
	if _, err := d.svc.UpdateDeploymentGroup(ctx, in); err != nil {
		return nil, err
	}
	if dep := obj(req.Properties, "Deployment"); dep != nil && changed(req, "Deployment") {
		if err := d.deploy(ctx, in.ApplicationName, req.PhysicalID, dep); err != nil {
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID}, nil
}

func (d deploys) deleteGroup(ctx context.Context, req *cloudformation.Request) error {
	_, err := d.svc.DeleteDeploymentGroup(ctx, &codedeploy.DeleteDeploymentGroupInput{ApplicationName: str(req.Properties, "ApplicationName"), DeploymentGroupName: req.PhysicalID})
	return notFound(err)
}

func (d deploys) readGroup(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := d.svc.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: str(req.Properties, "ApplicationName"), DeploymentGroupName: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	props := map[string]any{"ApplicationName": out.DeploymentGroupInfo.ApplicationName}
	if _, ok := req.Properties["ServiceRoleArn"]; ok {
		props["ServiceRoleArn"] = out.DeploymentGroupInfo.ServiceRoleArn
	}
	return props, nil
}
