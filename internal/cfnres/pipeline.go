package cfnres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/internal/core"
)

// registerCodePipeline registers AWS::CodePipeline::Pipeline (Ref: the name; Version) and
// AWS::CodePipeline::CustomActionType (Ref: "Category|Provider|Version"; Id).
func registerCodePipeline(cf *cloudformation.Service, svc *codepipeline.Service) {
	p := pipelines{svc}
	cf.RegisterProvider("AWS::CodePipeline::Pipeline", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: p.create, UpdateFunc: p.update, DeleteFunc: p.delete, ReadFunc: p.read},
		Attributes: []string{"Version"},
		ReplaceOn:  []string{"Name"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::CodePipeline::CustomActionType", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: p.createAction, UpdateFunc: p.updateAction, DeleteFunc: p.deleteAction},
		Attributes: []string{"Id"},
		ReplaceOn: []string{"Category", "Provider", "Version", "Settings", "ConfigurationProperties",
			"InputArtifactDetails", "OutputArtifactDetails"},
		Taggable: true,
	})
}

type pipelines struct{ svc *codepipeline.Service }

func cpTags(req *cloudformation.Request) []codepipeline.Tag {
	return tagsOf(tags(req), func(t kv) codepipeline.Tag { return codepipeline.Tag{Key: t.Key, Value: t.Value} })
}

// declaration maps the template's pipeline properties onto the API's PipelineDeclaration:
// the same structure with PascalCase names, ArtifactStores as a list of {Region,
// ArtifactStore} (a map by region on the API) and action Configuration values that may be
// numbers, booleans or objects (strings, JSON for objects, on the API).
func declaration(name string, p map[string]any) (*codepipeline.PipelineDeclaration, error) {
	if err := need(p, "RoleArn", "Stages"); err != nil {
		return nil, err
	}
	sub := map[string]any{}
	for _, k := range []string{"RoleArn", "ArtifactStore", "Stages", "ExecutionMode", "PipelineType", "Variables", "Triggers"} {
		if v, ok := p[k]; ok {
			sub[k] = configStrings(v)
		}
	}
	d := &codepipeline.PipelineDeclaration{}
	if err := decode(sub, d); err != nil {
		return nil, err
	}
	d.Name = name
	if l, ok := p["ArtifactStores"].([]any); ok {
		d.ArtifactStores = map[string]codepipeline.ArtifactStore{}
		for _, e := range l {
			m, _ := e.(map[string]any)
			if err := need(m, "Region", "ArtifactStore"); err != nil {
				return nil, err
			}
			var st codepipeline.ArtifactStore
			if err := decode(obj(m, "ArtifactStore"), &st); err != nil {
				return nil, err
			}
			d.ArtifactStores[str(m, "Region")] = st
		}
	}
	if d.ArtifactStore == nil && d.ArtifactStores == nil {
		return nil, propErr("Either ArtifactStore or ArtifactStores must be specified.")
	}
	return d, nil
}

// configStrings walks a Stages value and turns action and rule Configuration values into
// strings.
func configStrings(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = configStrings(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if strings.EqualFold(k, "Configuration") {
				if m, ok := e.(map[string]any); ok {
					c := make(map[string]any, len(m))
					for ck, cv := range m {
						switch cv.(type) {
						case map[string]any, []any:
							b, _ := json.Marshal(cv)
							c[ck] = string(b)
						default:
							c[ck] = str(m, ck)
						}
					}
					out[k] = c
					continue
				}
			}
			out[k] = configStrings(e)
		}
		return out
	}
	return v
}

func (s pipelines) create(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	name := physicalName(req, "Name", 100)
	d, err := declaration(name, req.Properties)
	if err != nil {
		return nil, err
	}
	out, err := s.svc.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: d, Tags: cpTags(req)})
	if err != nil {
		return nil, err
	}
	if err := s.transitions(ctx, name, req); err != nil {
		_, _ = s.svc.DeletePipeline(ctx, &codepipeline.DeletePipelineInput{Name: name})
		return nil, err
	}
	return pipelineResult(name, out.Pipeline.Version), nil
}

func pipelineResult(name string, version int32) *cloudformation.Result {
	return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"Version": fmt.Sprint(version)}}
}

// transitions applies DisableInboundStageTransitions ([{StageName, Reason}]), enabling the
// inbound transitions of stages no longer listed.
func (s pipelines) transitions(ctx context.Context, name string, req *cloudformation.Request) error {
	want := map[string]string{}
	if l, ok := req.Properties["DisableInboundStageTransitions"].([]any); ok {
		for _, e := range l {
			m, _ := e.(map[string]any)
			if err := need(m, "StageName", "Reason"); err != nil {
				return err
			}
			want[str(m, "StageName")] = str(m, "Reason")
		}
	}
	if l, ok := req.OldProperties["DisableInboundStageTransitions"].([]any); ok {
		for _, e := range l {
			m, _ := e.(map[string]any)
			if _, still := want[str(m, "StageName")]; !still {
				_, _ = s.svc.EnableStageTransition(ctx, &codepipeline.EnableStageTransitionInput{PipelineName: name, StageName: str(m, "StageName"), TransitionType: "Inbound"})
			}
		}
	}
	for stage, reason := range want {
		if _, err := s.svc.DisableStageTransition(ctx, &codepipeline.DisableStageTransitionInput{PipelineName: name, StageName: stage, TransitionType: "Inbound", Reason: reason}); err != nil {
			return err
		}
	}
	return nil
}

func (s pipelines) update(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	name := req.PhysicalID
	d, err := declaration(name, req.Properties)
	if err != nil {
		return nil, err
	}
	version := int32(0)
	if changed(req, "RoleArn", "ArtifactStore", "ArtifactStores", "Stages", "ExecutionMode", "PipelineType", "Variables", "Triggers") {
		out, err := s.svc.UpdatePipeline(ctx, &codepipeline.UpdatePipelineInput{Pipeline: d})
		if err != nil {
			return nil, err
		}
		version = out.Pipeline.Version
		if b := boolp(req.Properties, "RestartExecutionOnUpdate"); b != nil && *b {
			if _, err := s.svc.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: name}); err != nil {
				return nil, err
			}
		}
	}
	if changed(req, "DisableInboundStageTransitions") {
		if err := s.transitions(ctx, name, req); err != nil {
			return nil, err
		}
	}
	if changed(req, "Tags") {
		if err := s.retag(ctx, req); err != nil {
			return nil, err
		}
	}
	if version == 0 {
		cur, err := s.svc.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: name})
		if err != nil {
			return nil, err
		}
		version = cur.Pipeline.Version
	}
	return pipelineResult(name, version), nil
}

func (s pipelines) retag(ctx context.Context, req *cloudformation.Request) error {
	cur, err := s.svc.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: req.PhysicalID})
	if err != nil {
		return err
	}
	arn := cur.Metadata.PipelineArn
	return s.replaceTags(ctx, arn, req)
}

// replaceTags makes the resource's tags the template's (and the stack's).
func (s pipelines) replaceTags(ctx context.Context, arn string, req *cloudformation.Request) error {
	have, err := s.svc.ListTagsForResource(ctx, &codepipeline.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil {
		return err
	}
	want := cpTags(req)
	keep := map[string]bool{}
	for _, t := range want {
		keep[t.Key] = true
	}
	var drop []string
	for _, t := range have.Tags {
		if !keep[t.Key] {
			drop = append(drop, t.Key)
		}
	}
	if len(drop) > 0 {
		if _, err := s.svc.UntagResource(ctx, &codepipeline.UntagResourceInput{ResourceArn: arn, TagKeys: drop}); err != nil {
			return err
		}
	}
	if len(want) > 0 {
		_, err = s.svc.TagResource(ctx, &codepipeline.TagResourceInput{ResourceArn: arn, Tags: want})
	}
	return err
}

func (s pipelines) delete(ctx context.Context, req *cloudformation.Request) error {
	_, err := s.svc.DeletePipeline(ctx, &codepipeline.DeletePipelineInput{Name: req.PhysicalID})
	return notFound(err)
}

func (s pipelines) read(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	cur, err := s.svc.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	props := map[string]any{"RoleArn": cur.Pipeline.RoleArn}
	if _, ok := req.Properties["Name"]; ok {
		props["Name"] = cur.Pipeline.Name
	}
	var stages []any
	for _, st := range cur.Pipeline.Stages {
		stages = append(stages, st.Name)
	}
	var want []any
	if l, ok := req.Properties["Stages"].([]any); ok {
		for _, e := range l {
			m, _ := e.(map[string]any)
			want = append(want, str(m, "Name"))
		}
	}
	// Stage names are compared; the rest of the structure is reported as the template's.
	if fmt.Sprint(stages) == fmt.Sprint(want) {
		props["Stages"] = req.Properties["Stages"]
	} else {
		props["Stages"] = stages
	}
	return props, nil
}

// ---- custom action types ----

func actionID(category, provider, version string) string {
	return category + "|" + provider + "|" + version
}

func (s pipelines) createAction(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "Category", "Provider", "Version", "InputArtifactDetails", "OutputArtifactDetails"); err != nil {
		return nil, err
	}
	sub := map[string]any{}
	for k, v := range p {
		if k != "Tags" {
			sub[k] = v
		}
	}
	in := &codepipeline.CreateCustomActionTypeInput{}
	if err := decode(sub, in); err != nil {
		return nil, err
	}
	in.Tags = cpTags(req)
	if _, err := s.svc.CreateCustomActionType(ctx, in); err != nil {
		return nil, err
	}
	id := actionID(in.Category, in.Provider, in.Version)
	return &cloudformation.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

// updateAction applies tag changes (every other property replaces the type).
func (s pipelines) updateAction(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if changed(req, "Tags") {
		parts := strings.SplitN(req.PhysicalID, "|", 3)
		if len(parts) == 3 {
			arn := actionTypeARN(ctx, parts[0], parts[1], parts[2])
			if err := s.replaceTags(ctx, arn, req); err != nil {
				return nil, err
			}
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (s pipelines) deleteAction(ctx context.Context, req *cloudformation.Request) error {
	parts := strings.SplitN(req.PhysicalID, "|", 3)
	if len(parts) != 3 {
		return nil
	}
	_, err := s.svc.DeleteCustomActionType(ctx, &codepipeline.DeleteCustomActionTypeInput{Category: parts[0], Provider: parts[1], Version: parts[2]})
	return notFound(err)
}

func actionTypeARN(ctx context.Context, category, provider, version string) string {
	return core.ARN(ctx, "codepipeline", "actiontype:Custom/"+category+"/"+provider+"/"+version)
}
