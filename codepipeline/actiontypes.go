package codepipeline

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/internal/core"
)

// builtinType is an AWS-owned action type this platform runs.
type builtinType struct {
	id       ActionTypeID
	props    []ActionConfigurationProperty
	in, out  ArtifactDetails
	timeout  time.Duration // AWS's default action timeout
	entity   string        // entity URL template ({Config:Name} and {region})
	execURL  string
	waitsFor string // what the action waits on, for docs
}

func prop(name string, required, key bool, desc string) ActionConfigurationProperty {
	return ActionConfigurationProperty{Name: name, Required: required, Key: key, Description: desc}
}

var builtinTypes = []builtinType{
	{id: ActionTypeID{"Source", "AWS", "CodeCommit", "1"}, in: ArtifactDetails{0, 0}, out: ArtifactDetails{1, 1}, timeout: time.Hour,
		props: []ActionConfigurationProperty{prop("RepositoryName", true, true, "The name of the CodeCommit repository"), prop("BranchName", true, true, "The branch to build"),
			prop("PollForSourceChanges", false, false, "Whether the pipeline starts on source changes without an EventBridge rule"), prop("OutputArtifactFormat", false, false, "CODE_ZIP or CODEBUILD_CLONE_REF")},
		entity: "https://console.aws.amazon.com/codecommit/home?region={region}#/repository/{Config:RepositoryName}/browse/{Config:BranchName}/--/"},
	{id: ActionTypeID{"Source", "AWS", "S3", "1"}, in: ArtifactDetails{0, 0}, out: ArtifactDetails{1, 1}, timeout: time.Hour,
		props: []ActionConfigurationProperty{prop("S3Bucket", true, true, "The S3 bucket"), prop("S3ObjectKey", true, true, "The object key of the source zip"),
			prop("PollForSourceChanges", false, false, ""), prop("AllowOverrideForS3ObjectKey", false, false, "")},
		entity: "https://console.aws.amazon.com/s3/home?region={region}#&bucket={Config:S3Bucket}&prefix={Config:S3ObjectKey}"},
	{id: ActionTypeID{"Build", "AWS", "CodeBuild", "1"}, in: ArtifactDetails{1, 5}, out: ArtifactDetails{0, 5}, timeout: 8 * time.Hour,
		props: codeBuildProps(), entity: "https://console.aws.amazon.com/codebuild/home?region={region}#/projects/{Config:ProjectName}/view",
		execURL: "https://console.aws.amazon.com/codebuild/home?region={region}#/builds/{ExternalExecutionId}/view/new"},
	{id: ActionTypeID{"Test", "AWS", "CodeBuild", "1"}, in: ArtifactDetails{1, 5}, out: ArtifactDetails{0, 5}, timeout: 8 * time.Hour,
		props: codeBuildProps(), entity: "https://console.aws.amazon.com/codebuild/home?region={region}#/projects/{Config:ProjectName}/view",
		execURL: "https://console.aws.amazon.com/codebuild/home?region={region}#/builds/{ExternalExecutionId}/view/new"},
	{id: ActionTypeID{"Deploy", "AWS", "CodeDeploy", "1"}, in: ArtifactDetails{1, 1}, out: ArtifactDetails{0, 0}, timeout: 5 * 24 * time.Hour,
		props:   []ActionConfigurationProperty{prop("ApplicationName", true, true, ""), prop("DeploymentGroupName", true, true, "")},
		entity:  "https://console.aws.amazon.com/codedeploy/home?region={region}#/applications/{Config:ApplicationName}/deployment-groups/{Config:DeploymentGroupName}",
		execURL: "https://console.aws.amazon.com/codedeploy/home?region={region}#/deployments/{ExternalExecutionId}"},
	{id: ActionTypeID{"Deploy", "AWS", "CloudFormation", "1"}, in: ArtifactDetails{0, 10}, out: ArtifactDetails{0, 1}, timeout: 3 * 24 * time.Hour,
		props: []ActionConfigurationProperty{prop("ActionMode", true, false, ""), prop("StackName", true, true, ""), prop("TemplatePath", false, false, ""),
			prop("TemplateConfiguration", false, false, ""), prop("ParameterOverrides", false, false, ""), prop("Capabilities", false, false, ""),
			prop("RoleArn", false, false, ""), prop("OutputFileName", false, false, ""), prop("ChangeSetName", false, false, "")},
		entity: "https://console.aws.amazon.com/cloudformation/home?region={region}#/stacks"},
	{id: ActionTypeID{"Deploy", "AWS", "S3", "1"}, in: ArtifactDetails{1, 1}, out: ArtifactDetails{0, 0}, timeout: 20 * time.Minute,
		props: []ActionConfigurationProperty{prop("BucketName", true, true, ""), prop("Extract", true, false, ""), prop("ObjectKey", false, false, ""),
			prop("KMSEncryptionKeyARN", false, false, ""), prop("CannedACL", false, false, ""), prop("CacheControl", false, false, "")},
		entity: "https://console.aws.amazon.com/s3/home?region={region}#&bucket={Config:BucketName}"},
	{id: ActionTypeID{"Approval", "AWS", "Manual", "1"}, in: ArtifactDetails{0, 0}, out: ArtifactDetails{0, 0}, timeout: 7 * 24 * time.Hour,
		props: []ActionConfigurationProperty{prop("NotificationArn", false, false, ""), prop("CustomData", false, false, ""), prop("ExternalEntityLink", false, false, "")}},
	{id: ActionTypeID{"Invoke", "AWS", "Lambda", "1"}, in: ArtifactDetails{0, 5}, out: ArtifactDetails{0, 5}, timeout: time.Hour,
		props:  []ActionConfigurationProperty{prop("FunctionName", true, true, ""), prop("UserParameters", false, false, "")},
		entity: "https://console.aws.amazon.com/lambda/home?region={region}#/functions/{Config:FunctionName}"},
}

func codeBuildProps() []ActionConfigurationProperty {
	return []ActionConfigurationProperty{prop("ProjectName", true, true, "The CodeBuild project"), prop("PrimarySource", false, false, ""),
		prop("EnvironmentVariables", false, false, "JSON list of environment variables"), prop("BatchEnabled", false, false, ""), prop("CombineArtifacts", false, false, "")}
}

func (b builtinType) actionType() ActionType {
	id := b.id
	return ActionType{ID: &id, ActionConfigurationProperties: b.props, InputArtifactDetails: &ArtifactDetails{b.in.MinimumCount, b.in.MaximumCount},
		OutputArtifactDetails: &ArtifactDetails{b.out.MinimumCount, b.out.MaximumCount},
		Settings:              &ActionTypeSettings{EntityURLTemplate: b.entity, ExecutionURLTemplate: b.execURL}}
}

func findBuiltin(id ActionTypeID) (builtinType, bool) {
	for _, b := range builtinTypes {
		if b.id == id {
			return b, true
		}
	}
	return builtinType{}, false
}

// customTypeRec is a custom action type.
type customTypeRec struct {
	Type    ActionType `json:"type"`
	Tags    []Tag      `json:"tags,omitempty"`
	Created time.Time  `json:"created"`
	Deleted bool       `json:"deleted,omitempty"`
}

func typeKey(ctx context.Context, id ActionTypeID) string {
	return core.ScopeKey(ctx) + id.Category + "/" + id.Provider + "/" + id.Version
}

// resolvedType is the definition an action runs with.
type resolvedType struct {
	id      ActionTypeID
	props   []ActionConfigurationProperty
	in, out ArtifactDetails
	timeout time.Duration
	entity  string
	execURL string
	custom  bool
}

func (s *Service) lookupType(ctx context.Context, id ActionTypeID) (resolvedType, bool) {
	if id.Owner == "AWS" {
		b, ok := findBuiltin(id)
		if !ok {
			return resolvedType{}, false
		}
		return resolvedType{id: id, props: b.props, in: b.in, out: b.out, timeout: b.timeout, entity: b.entity, execURL: b.execURL}, true
	}
	if id.Owner != "Custom" {
		return resolvedType{}, false
	}
	rec, err := s.types.Get(ctx, typeKey(ctx, id))
	if err != nil || rec.Deleted {
		return resolvedType{}, false
	}
	t := rec.Type
	rt := resolvedType{id: id, props: t.ActionConfigurationProperties, timeout: time.Hour, custom: true}
	if t.InputArtifactDetails != nil {
		rt.in = *t.InputArtifactDetails
	}
	if t.OutputArtifactDetails != nil {
		rt.out = *t.OutputArtifactDetails
	}
	if t.Settings != nil {
		rt.entity, rt.execURL = t.Settings.EntityURLTemplate, t.Settings.ExecutionURLTemplate
	}
	return rt, true
}

// expandURL fills an AWS URL template: {Config:Name}, {ExternalExecutionId}, {region}.
func expandURL(tmpl, region, externalID string, cfg map[string]string) string {
	if tmpl == "" {
		return ""
	}
	out := strings.ReplaceAll(tmpl, "{region}", region)
	out = strings.ReplaceAll(out, "{ExternalExecutionId}", externalID)
	for {
		i := strings.Index(out, "{Config:")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(out[i:], '}')
		if j < 0 {
			return out
		}
		name := out[i+len("{Config:") : i+j]
		out = out[:i] + cfg[name] + out[i+j+1:]
	}
}

// ListActionTypes lists the built-in action types and the account's custom ones.
func (s *Service) ListActionTypes(ctx context.Context, in *ListActionTypesInput) (*ListActionTypesOutput, error) {
	return dispatchDo(ctx, s, "ListActionTypes", in, func(ctx context.Context, in *ListActionTypesInput) (*ListActionTypesOutput, error) {
		switch in.ActionOwnerFilter {
		case "", "AWS", "Custom", "ThirdParty":
		default:
			return nil, ErrValidation.With("1 validation error detected: Value '%s' at 'actionOwnerFilter' failed to satisfy constraint: Member must satisfy enum value set: [AWS, ThirdParty, Custom]", in.ActionOwnerFilter)
		}
		if in.NextToken != "" {
			return nil, ErrInvalidNextToken.With("The next token is not valid.")
		}
		out := &ListActionTypesOutput{ActionTypes: []ActionType{}}
		if in.ActionOwnerFilter == "" || in.ActionOwnerFilter == "AWS" {
			for _, b := range builtinTypes {
				out.ActionTypes = append(out.ActionTypes, b.actionType())
			}
		}
		if in.ActionOwnerFilter == "" || in.ActionOwnerFilter == "Custom" {
			recs, err := s.types.All(ctx, core.ScopeKey(ctx))
			if err != nil {
				return nil, err
			}
			var cs []ActionType
			for _, r := range recs {
				if !r.Deleted {
					cs = append(cs, r.Type)
				}
			}
			sort.Slice(cs, func(i, j int) bool { return typeString(*cs[i].ID) < typeString(*cs[j].ID) })
			out.ActionTypes = append(out.ActionTypes, cs...)
		}
		return out, nil
	})
}

func typeString(id ActionTypeID) string {
	return id.Category + "/" + id.Owner + "/" + id.Provider + "/" + id.Version
}
