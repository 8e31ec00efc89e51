package codepipeline

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

func dispatchDo[In, Out any](ctx context.Context, s *Service, op string, in *In, fn func(context.Context, *In) (*Out, error)) (*Out, error) {
	return dispatch.Do(ctx, s.d, op, in, fn)
}

// pipelineRec is a pipeline's durable record.
type pipelineRec struct {
	Decl        PipelineDeclaration        `json:"decl"`
	Arn         string                     `json:"arn"`
	Created     time.Time                  `json:"created"`
	Updated     time.Time                  `json:"updated"`
	Tags        []Tag                      `json:"tags,omitempty"`
	Transitions map[string]TransitionState `json:"transitions,omitempty"` // "Inbound/<stage>", "Outbound/<stage>": disabled ones
}

func pipeKey(ctx context.Context, name string) string { return core.ScopeKey(ctx) + name }

func versionKey(ctx context.Context, name string, v int32) string {
	return fmt.Sprintf("%s%s/%010d", core.ScopeKey(ctx), name, v)
}

func (s *Service) getPipeline(ctx context.Context, name string) (pipelineRec, error) {
	if !pipelineNameRE.MatchString(name) {
		return pipelineRec{}, valErr("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+", name)
	}
	rec, err := s.pipelines.Get(ctx, pipeKey(ctx, name))
	if errors.Is(err, store.ErrNotFound) {
		_, region := core.Scope(ctx)
		a, _ := core.Scope(ctx)
		return rec, ErrPipelineNotFound.With("Account '%s' does not have a pipeline with name '%s' in region '%s'", a, name, region)
	}
	return rec, err
}

func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return ErrTooManyTags.With("Tag limit exceeded: a resource takes at most %d tags", maxTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return ErrInvalidTags.With("Invalid tag key or value: %q", t.Key)
		}
		if seen[t.Key] {
			return ErrInvalidTags.With("Duplicate tag key %q", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

func clonePipeline(p PipelineDeclaration) PipelineDeclaration {
	c := p
	c.Stages = make([]StageDeclaration, len(p.Stages))
	for i, st := range p.Stages {
		c.Stages[i] = st
		c.Stages[i].Actions = make([]ActionDeclaration, len(st.Actions))
		for j, a := range st.Actions {
			ca := a
			if a.Configuration != nil {
				ca.Configuration = make(map[string]string, len(a.Configuration))
				for k, v := range a.Configuration {
					ca.Configuration[k] = v
				}
			}
			if a.ActionTypeID != nil {
				id := *a.ActionTypeID
				ca.ActionTypeID = &id
			}
			ca.InputArtifacts = append([]InputArtifact{}, a.InputArtifacts...)
			ca.OutputArtifacts = append([]OutputArtifact{}, a.OutputArtifacts...)
			c.Stages[i].Actions[j] = ca
		}
	}
	return c
}

// CreatePipeline creates a pipeline and, as AWS does, starts its first execution.
func (s *Service) CreatePipeline(ctx context.Context, in *CreatePipelineInput) (*CreatePipelineOutput, error) {
	return dispatchDo(ctx, s, "CreatePipeline", in, s.createPipeline)
}

func (s *Service) createPipeline(ctx context.Context, in *CreatePipelineInput) (*CreatePipelineOutput, error) {
	if in.Pipeline == nil {
		return nil, valErr("1 validation error detected: Value null at 'pipeline' failed to satisfy constraint: Member must not be null")
	}
	p := clonePipeline(*in.Pipeline)
	normalize(&p)
	if err := s.validatePipeline(ctx, &p); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	existing, _, err := s.pipelines.List(ctx, core.ScopeKey(ctx), "", s.opts.MaxPipelines+1)
	if err != nil {
		return nil, err
	}
	if len(existing) >= s.opts.MaxPipelines {
		return nil, ErrLimitExceeded.With("The number of pipelines in this account and region has reached the limit of %d", s.opts.MaxPipelines)
	}
	p.Version = 1
	now := s.env.Clock.Now()
	rec := pipelineRec{Decl: p, Arn: core.ARN(ctx, "codepipeline", p.Name), Created: now, Updated: now, Tags: in.Tags}
	if err := s.pipelines.Create(ctx, pipeKey(ctx, p.Name), rec); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, ErrPipelineNameInUse.With("A pipeline with the name '%s' already exists", p.Name)
		}
		return nil, err
	}
	_ = s.versions.Put(ctx, versionKey(ctx, p.Name, 1), p)
	_ = s.states.Put(ctx, pipeKey(ctx, p.Name), stateRec{})
	s.dropRuntime(ctx, p.Name)
	if _, err := s.startExecution(ctx, p.Name, startSpec{trigger: ExecutionTrigger{TriggerType: "CreatePipeline", TriggerDetail: callerARN(ctx)}}); err != nil {
		s.log.Warn("codepipeline: first execution did not start", "pipeline", p.Name, "err", err)
	}
	out := clonePipeline(p)
	return &CreatePipelineOutput{Pipeline: &out, Tags: in.Tags}, nil
}

func callerARN(ctx context.Context) string {
	c, _ := identity.From(ctx)
	return c.PrincipalARN
}

// UpdatePipeline replaces a pipeline's structure; the version goes up by one. Running
// executions keep the structure they started with.
func (s *Service) UpdatePipeline(ctx context.Context, in *UpdatePipelineInput) (*UpdatePipelineOutput, error) {
	return dispatchDo(ctx, s, "UpdatePipeline", in, func(ctx context.Context, in *UpdatePipelineInput) (*UpdatePipelineOutput, error) {
		if in.Pipeline == nil {
			return nil, valErr("1 validation error detected: Value null at 'pipeline' failed to satisfy constraint: Member must not be null")
		}
		p := clonePipeline(*in.Pipeline)
		normalize(&p)
		if _, err := s.getPipeline(ctx, p.Name); err != nil {
			return nil, err
		}
		if err := s.validatePipeline(ctx, &p); err != nil {
			return nil, err
		}
		rec, err := s.pipelines.Update(ctx, pipeKey(ctx, p.Name), func(r *pipelineRec) error {
			p.Version = r.Decl.Version + 1
			r.Decl = p
			r.Updated = s.env.Clock.Now()
			stages := map[string]bool{}
			for _, st := range p.Stages {
				stages[st.Name] = true
			}
			for k := range r.Transitions {
				_, stage, _ := strings.Cut(k, "/")
				if !stages[stage] {
					delete(r.Transitions, k)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		_ = s.versions.Put(ctx, versionKey(ctx, p.Name, rec.Decl.Version), rec.Decl)
		s.refreshRuntime(ctx, rec)
		out := clonePipeline(rec.Decl)
		return &UpdatePipelineOutput{Pipeline: &out}, nil
	})
}

// GetPipeline returns a pipeline's structure (the latest, or the version asked for).
func (s *Service) GetPipeline(ctx context.Context, in *GetPipelineInput) (*GetPipelineOutput, error) {
	return dispatchDo(ctx, s, "GetPipeline", in, func(ctx context.Context, in *GetPipelineInput) (*GetPipelineOutput, error) {
		rec, err := s.getPipeline(ctx, in.Name)
		if err != nil {
			return nil, err
		}
		p := rec.Decl
		if in.Version != 0 && in.Version != p.Version {
			v, err := s.versions.Get(ctx, versionKey(ctx, in.Name, in.Version))
			if err != nil {
				return nil, ErrPipelineVersionNotFound.With("Pipeline version %d of pipeline %s does not exist", in.Version, in.Name)
			}
			p = v
		}
		out := clonePipeline(p)
		return &GetPipelineOutput{Pipeline: &out, Metadata: &PipelineMetadata{PipelineArn: rec.Arn, Created: rec.Created, Updated: rec.Updated}}, nil
	})
}

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || len(b) == 0 {
		return "", ErrInvalidNextToken.With("The next token is not valid.")
	}
	return string(b), nil
}

// ListPipelines lists the pipelines in name order.
func (s *Service) ListPipelines(ctx context.Context, in *ListPipelinesInput) (*ListPipelinesOutput, error) {
	return dispatchDo(ctx, s, "ListPipelines", in, func(ctx context.Context, in *ListPipelinesInput) (*ListPipelinesOutput, error) {
		limit := int(in.MaxResults)
		if limit == 0 {
			limit = 100
		}
		if limit < 1 || limit > 1000 {
			return nil, valErr("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000", in.MaxResults)
		}
		after := ""
		if in.NextToken != "" {
			a, err := decodeToken(in.NextToken)
			if err != nil {
				return nil, err
			}
			after = core.ScopeKey(ctx) + a
		}
		recs, next, err := s.pipelines.List(ctx, core.ScopeKey(ctx), after, limit)
		if err != nil {
			return nil, err
		}
		out := &ListPipelinesOutput{Pipelines: []PipelineSummary{}}
		for _, r := range recs {
			out.Pipelines = append(out.Pipelines, PipelineSummary{Name: r.Decl.Name, Version: r.Decl.Version, PipelineType: r.Decl.PipelineType,
				ExecutionMode: r.Decl.ExecutionMode, Created: r.Created, Updated: r.Updated})
		}
		if next != "" {
			out.NextToken = encodeToken(strings.TrimPrefix(next, core.ScopeKey(ctx)))
		}
		return out, nil
	})
}

// DeletePipeline deletes a pipeline, stopping its running executions. Deleting a missing
// pipeline succeeds, as on AWS.
func (s *Service) DeletePipeline(ctx context.Context, in *DeletePipelineInput) (*DeletePipelineOutput, error) {
	return dispatchDo(ctx, s, "DeletePipeline", in, func(ctx context.Context, in *DeletePipelineInput) (*DeletePipelineOutput, error) {
		if !pipelineNameRE.MatchString(in.Name) {
			return nil, valErr("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+", in.Name)
		}
		if err := s.pipelines.Delete(ctx, pipeKey(ctx, in.Name)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		s.abandonAll(ctx, in.Name)
		base := core.ScopeKey(ctx) + in.Name + "/"
		for _, t := range []string{s.versions.Prefix(), s.execs.Prefix(), s.actions.Prefix()} {
			_ = store.DeletePrefix(ctx, s.env.Store, t+base)
		}
		_ = s.states.Delete(ctx, pipeKey(ctx, in.Name))
		s.dropRuntime(ctx, in.Name)
		return &DeletePipelineOutput{}, nil
	})
}

// --- tags ---

// resolveARN finds the table key of a taggable resource ARN in the caller's scope.
func (s *Service) resolveARN(ctx context.Context, arn string) (kind, key string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "codepipeline" || parts[5] == "" {
		return "", "", ErrInvalidArn.With("The ARN %s is not valid", arn)
	}
	account, region := core.Scope(ctx)
	if parts[3] != region || parts[4] != account {
		return "", "", ErrResourceNotFound.With("The resource with the ARN %s was not found", arn)
	}
	res := parts[5]
	if strings.HasPrefix(res, "actiontype:") {
		f := strings.Split(strings.TrimPrefix(res, "actiontype:"), "/")
		if len(f) != 4 || f[0] != "Custom" {
			return "", "", ErrInvalidArn.With("The ARN %s is not valid", arn)
		}
		return "actiontype", typeKey(ctx, ActionTypeID{Category: f[1], Owner: f[0], Provider: f[2], Version: f[3]}), nil
	}
	if strings.HasPrefix(res, "webhook:") {
		return "", "", ErrResourceNotFound.With("The resource with the ARN %s was not found", arn)
	}
	return "pipeline", pipeKey(ctx, res), nil
}

func mergeTags(old, add []Tag) []Tag {
	out := append([]Tag(nil), old...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func (s *Service) updateTags(ctx context.Context, arn string, fn func([]Tag) ([]Tag, error)) ([]Tag, error) {
	kind, key, err := s.resolveARN(ctx, arn)
	if err != nil {
		return nil, err
	}
	var tags []Tag
	switch kind {
	case "pipeline":
		_, err = s.pipelines.Update(ctx, key, func(r *pipelineRec) error {
			t, err := fn(r.Tags)
			r.Tags, tags = t, t
			return err
		})
	default:
		_, err = s.types.Update(ctx, key, func(r *customTypeRec) error {
			if r.Deleted {
				return store.ErrNotFound
			}
			t, err := fn(r.Tags)
			r.Tags, tags = t, t
			return err
		})
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.With("The resource with the ARN %s was not found", arn)
	}
	return tags, err
}

// TagResource adds or replaces tags of a pipeline or custom action type.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	return dispatchDo(ctx, s, "TagResource", in, func(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		_, err := s.updateTags(ctx, in.ResourceArn, func(old []Tag) ([]Tag, error) {
			t := mergeTags(old, in.Tags)
			if len(t) > maxTags {
				return nil, ErrTooManyTags.With("Tag limit exceeded: a resource takes at most %d tags", maxTags)
			}
			return t, nil
		})
		if err != nil {
			return nil, err
		}
		return &TagResourceOutput{}, nil
	})
}

// UntagResource removes tags.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	return dispatchDo(ctx, s, "UntagResource", in, func(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
		_, err := s.updateTags(ctx, in.ResourceArn, func(old []Tag) ([]Tag, error) {
			var out []Tag
			for _, t := range old {
				drop := false
				for _, k := range in.TagKeys {
					drop = drop || k == t.Key
				}
				if !drop {
					out = append(out, t)
				}
			}
			return out, nil
		})
		if err != nil {
			return nil, err
		}
		return &UntagResourceOutput{}, nil
	})
}

// ListTagsForResource lists a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	return dispatchDo(ctx, s, "ListTagsForResource", in, func(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
		if in.NextToken != "" {
			return nil, ErrInvalidNextToken.With("The next token is not valid.")
		}
		tags, err := s.updateTags(ctx, in.ResourceArn, func(old []Tag) ([]Tag, error) { return old, nil })
		if err != nil {
			return nil, err
		}
		if tags == nil {
			tags = []Tag{}
		}
		sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
		return &ListTagsForResourceOutput{Tags: tags}, nil
	})
}

// --- transitions ---

func transitionKey(typ, stage string) string { return typ + "/" + stage }

func (s *Service) setTransition(ctx context.Context, pipeline, stage, typ, reason string, enable bool) error {
	if typ != "Inbound" && typ != "Outbound" {
		return valErr("1 validation error detected: Value '%s' at 'transitionType' failed to satisfy constraint: Member must satisfy enum value set: [Inbound, Outbound]", typ)
	}
	if !enable {
		if reason == "" || len(reason) > 300 {
			return valErr("1 validation error detected: Value at 'reason' failed to satisfy constraint: Member must have length between 1 and 300")
		}
	}
	rec, err := s.getPipeline(ctx, pipeline)
	if err != nil {
		return err
	}
	found := false
	for _, st := range rec.Decl.Stages {
		found = found || st.Name == stage
	}
	if !found {
		return ErrStageNotFound.With("Stage %s does not exist in pipeline %s", stage, pipeline)
	}
	rec, err = s.pipelines.Update(ctx, pipeKey(ctx, pipeline), func(r *pipelineRec) error {
		if r.Transitions == nil {
			r.Transitions = map[string]TransitionState{}
		}
		k := transitionKey(typ, stage)
		if enable {
			delete(r.Transitions, k)
		} else {
			r.Transitions[k] = TransitionState{Enabled: false, DisabledReason: reason, LastChangedAt: s.env.Clock.Now(), LastChangedBy: callerARN(ctx)}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.refreshRuntime(ctx, rec)
	return nil
}

// DisableStageTransition holds executions at a stage's inbound (or outbound) transition.
func (s *Service) DisableStageTransition(ctx context.Context, in *DisableStageTransitionInput) (*DisableStageTransitionOutput, error) {
	return dispatchDo(ctx, s, "DisableStageTransition", in, func(ctx context.Context, in *DisableStageTransitionInput) (*DisableStageTransitionOutput, error) {
		if err := s.setTransition(ctx, in.PipelineName, in.StageName, in.TransitionType, in.Reason, false); err != nil {
			return nil, err
		}
		return &DisableStageTransitionOutput{}, nil
	})
}

// EnableStageTransition lets held executions through.
func (s *Service) EnableStageTransition(ctx context.Context, in *EnableStageTransitionInput) (*EnableStageTransitionOutput, error) {
	return dispatchDo(ctx, s, "EnableStageTransition", in, func(ctx context.Context, in *EnableStageTransitionInput) (*EnableStageTransitionOutput, error) {
		if err := s.setTransition(ctx, in.PipelineName, in.StageName, in.TransitionType, "", true); err != nil {
			return nil, err
		}
		return &EnableStageTransitionOutput{}, nil
	})
}
