// Package pipelinewire adapts CodeCommit, CodeBuild, CodeDeploy and CloudFormation to the
// interfaces CodePipeline declares; the root wires them, and codepipeline's own tests use them
// to run against the real services.
package pipelinewire

import (
	"context"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/identity"
)

const pipelineService = "codepipeline.amazonaws.com"

// Sources gives CodePipeline's source action and triggers CodeCommit.
type Sources struct{ CC *codecommit.Service }

func parseGitDate(s string) time.Time {
	if f := strings.Fields(s); len(f) > 0 {
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func (a Sources) Snapshot(ctx context.Context, repo, ref string) ([]byte, codepipeline.Commit, error) {
	ctx = identity.InService(ctx, pipelineService)
	zip, id, err := a.CC.Archive(ctx, repo, ref)
	if err != nil {
		return nil, codepipeline.Commit{}, err
	}
	out, err := a.CC.GetCommit(ctx, &codecommit.GetCommitInput{RepositoryName: repo, CommitID: id})
	if err != nil {
		return nil, codepipeline.Commit{}, err
	}
	c := codepipeline.Commit{ID: id, Message: out.Commit.Message}
	if u := out.Commit.Author; u != nil {
		c.AuthorName, c.AuthorDate = u.Name, parseGitDate(u.Date)
	}
	if u := out.Commit.Committer; u != nil {
		c.CommitterDate = parseGitDate(u.Date)
	}
	return zip, c, nil
}

func (a Sources) ChangedFiles(ctx context.Context, repo, old, new string) ([]string, error) {
	ctx = identity.InService(ctx, pipelineService)
	var files []string
	token := ""
	for {
		out, err := a.CC.GetDifferences(ctx, &codecommit.GetDifferencesInput{RepositoryName: repo, BeforeCommitSpecifier: old, AfterCommitSpecifier: new, NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, d := range out.Differences {
			if d.AfterBlob != nil {
				files = append(files, d.AfterBlob.Path)
			} else if d.BeforeBlob != nil {
				files = append(files, d.BeforeBlob.Path)
			}
		}
		if token = out.NextToken; token == "" {
			return files, nil
		}
	}
}

// Builds runs CodePipeline's build and test actions on CodeBuild: the input artifact
// is the build's S3 source and the output artifacts are its zipped artifacts.
type Builds struct{ CB *codebuild.Service }

func (a Builds) StartBuild(ctx context.Context, req codepipeline.BuildRequest) (string, error) {
	in := &codebuild.StartBuildInput{ProjectName: req.ProjectName, SourceTypeOverride: "S3", SourceLocationOverride: req.Source.Bucket + "/" + req.Source.Key}
	for _, v := range req.EnvironmentVariables {
		in.EnvironmentVariablesOverride = append(in.EnvironmentVariablesOverride, codebuild.EnvironmentVariable{Name: v.Name, Value: v.Value, Type: v.Type})
	}
	for i, o := range req.Outputs {
		art := &codebuild.ProjectArtifacts{Type: "S3", Location: o.Location.Bucket, Path: path.Dir(o.Location.Key), Name: path.Base(o.Location.Key), Packaging: "ZIP", NamespaceType: "NONE"}
		if i == 0 {
			in.ArtifactsOverride = art
		} else {
			art.ArtifactIdentifier = o.Name
			in.SecondaryArtifactsOverride = append(in.SecondaryArtifactsOverride, *art)
		}
	}
	out, err := a.CB.StartBuild(identity.InService(ctx, pipelineService), in)
	if err != nil {
		return "", err
	}
	return out.Build.Id, nil
}

func (a Builds) WaitBuild(ctx context.Context, id string) (codepipeline.BuildResult, error) {
	b, err := a.CB.Wait(ctx, id)
	if err != nil {
		return codepipeline.BuildResult{}, err
	}
	res := codepipeline.BuildResult{Status: b.BuildStatus, ExportedVariables: map[string]string{}}
	for _, v := range b.ExportedEnvironmentVariables {
		res.ExportedVariables[v.Name] = v.Value
	}
	for _, p := range b.Phases {
		if p.PhaseStatus != "" && p.PhaseStatus != codebuild.StatusSucceeded {
			for _, c := range p.Contexts {
				res.Message = p.PhaseType + ": " + c.Message
			}
		}
	}
	if b.Logs != nil {
		res.LogURL, res.LogStreamARN = b.Logs.DeepLink, b.Logs.CloudWatchLogsArn
	}
	return res, nil
}

func (a Builds) StopBuild(ctx context.Context, id string) error {
	_, err := a.CB.StopBuild(identity.InService(ctx, pipelineService), &codebuild.StopBuildInput{Id: id})
	return err
}

// Deployments runs CodePipeline's CodeDeploy actions.
type Deployments struct{ CD *codedeploy.Service }

func (a Deployments) CreateDeployment(ctx context.Context, req codepipeline.DeployRequest) (string, error) {
	out, err := a.CD.CreateDeployment(identity.InService(ctx, pipelineService), &codedeploy.CreateDeploymentInput{
		ApplicationName: req.ApplicationName, DeploymentGroupName: req.DeploymentGroupName, Description: req.Description,
		Revision: &codedeploy.RevisionLocation{RevisionType: "S3", S3Location: &codedeploy.S3Location{Bucket: req.Revision.Bucket, Key: req.Revision.Key, BundleType: req.BundleType}},
	})
	if err != nil {
		return "", err
	}
	return out.DeploymentID, nil
}

func (a Deployments) WaitDeployment(ctx context.Context, id string) (codepipeline.DeployResult, error) {
	if err := a.CD.Wait(ctx, id); err != nil {
		return codepipeline.DeployResult{}, err
	}
	out, err := a.CD.GetDeployment(identity.InService(ctx, pipelineService), &codedeploy.GetDeploymentInput{DeploymentID: id})
	if err != nil {
		return codepipeline.DeployResult{}, err
	}
	res := codepipeline.DeployResult{Status: out.DeploymentInfo.Status}
	if e := out.DeploymentInfo.ErrorInformation; e != nil {
		res.Message = e.Message
	}
	return res, nil
}

func (a Deployments) StopDeployment(ctx context.Context, id string) error {
	_, err := a.CD.StopDeployment(identity.InService(ctx, pipelineService), &codedeploy.StopDeploymentInput{DeploymentID: id})
	return err
}

// Stacks runs CodePipeline's CloudFormation actions.
type Stacks struct{ CF *cloudformation.Service }

func stackParams(m map[string]string) []cloudformation.Parameter {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]cloudformation.Parameter, len(keys))
	for i, k := range keys {
		out[i] = cloudformation.Parameter{ParameterKey: k, ParameterValue: m[k]}
	}
	return out
}

func stackTags(m map[string]string) []cloudformation.Tag {
	var out []cloudformation.Tag
	for k, v := range m {
		out = append(out, cloudformation.Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (a Stacks) DescribeStack(ctx context.Context, name string) (codepipeline.StackInfo, error) {
	out, err := a.CF.DescribeStacks(identity.InService(ctx, pipelineService), &cloudformation.DescribeStacksInput{StackName: name})
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return codepipeline.StackInfo{}, nil
		}
		return codepipeline.StackInfo{}, err
	}
	if len(out.Stacks) == 0 || out.Stacks[0].StackStatus == "DELETE_COMPLETE" {
		return codepipeline.StackInfo{}, nil
	}
	st := out.Stacks[0]
	info := codepipeline.StackInfo{Exists: true, Status: st.StackStatus, StatusReason: st.StackStatusReason, Outputs: map[string]string{}}
	for _, o := range st.Outputs {
		info.Outputs[o.OutputKey] = o.OutputValue
	}
	return info, nil
}

func (a Stacks) CreateStack(ctx context.Context, spec codepipeline.StackSpec) error {
	_, err := a.CF.CreateStack(identity.InService(ctx, pipelineService), &cloudformation.CreateStackInput{
		StackName: spec.StackName, TemplateBody: spec.TemplateBody, Parameters: stackParams(spec.Parameters),
		Capabilities: spec.Capabilities, RoleARN: spec.RoleArn, Tags: stackTags(spec.Tags), StackPolicyBody: spec.StackPolicy,
	})
	return err
}

func (a Stacks) UpdateStack(ctx context.Context, spec codepipeline.StackSpec) (bool, error) {
	_, err := a.CF.UpdateStack(identity.InService(ctx, pipelineService), &cloudformation.UpdateStackInput{
		StackName: spec.StackName, TemplateBody: spec.TemplateBody, Parameters: stackParams(spec.Parameters),
		Capabilities: spec.Capabilities, RoleARN: spec.RoleArn, Tags: stackTags(spec.Tags), StackPolicyBody: spec.StackPolicy,
	})
	if err != nil && strings.Contains(err.Error(), "No updates are to be performed") {
		return false, nil
	}
	return err == nil, err
}

func (a Stacks) DeleteStack(ctx context.Context, name string) error {
	_, err := a.CF.DeleteStack(identity.InService(ctx, pipelineService), &cloudformation.DeleteStackInput{StackName: name})
	return err
}

func (a Stacks) CreateChangeSet(ctx context.Context, spec codepipeline.StackSpec) error {
	ctx = identity.InService(ctx, pipelineService)
	info, err := a.DescribeStack(ctx, spec.StackName)
	if err != nil {
		return err
	}
	typ := "UPDATE"
	if !info.Exists || info.Status == "REVIEW_IN_PROGRESS" {
		typ = "CREATE"
	}
	_, _ = a.CF.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{StackName: spec.StackName, ChangeSetName: spec.ChangeSetName})
	_, err = a.CF.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: spec.StackName, ChangeSetName: spec.ChangeSetName, ChangeSetType: typ, TemplateBody: spec.TemplateBody,
		Parameters: stackParams(spec.Parameters), Capabilities: spec.Capabilities, RoleARN: spec.RoleArn, Tags: stackTags(spec.Tags),
	})
	return err
}

func (a Stacks) ExecuteChangeSet(ctx context.Context, stack, changeSet string) error {
	_, err := a.CF.ExecuteChangeSet(identity.InService(ctx, pipelineService), &cloudformation.ExecuteChangeSetInput{StackName: stack, ChangeSetName: changeSet})
	return err
}

func (a Stacks) WaitStack(ctx context.Context, name string) (codepipeline.StackInfo, error) {
	if _, err := a.CF.WaitStack(ctx, name); err != nil && !strings.Contains(err.Error(), "does not exist") {
		return codepipeline.StackInfo{}, err
	}
	return a.DescribeStack(ctx, name)
}
