package codepipeline

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
)

var (
	pipelineNameRE = regexp.MustCompile(`^[A-Za-z0-9.@\-_]{1,100}$`)
	stageNameRE    = pipelineNameRE
	actionNameRE   = pipelineNameRE
	artifactNameRE = regexp.MustCompile(`^[a-zA-Z0-9_\-]{1,100}$`)
	namespaceRE    = regexp.MustCompile(`^[A-Za-z0-9@\-_]{1,100}$`)
	varNameRE      = regexp.MustCompile(`^[A-Za-z0-9@\-_]{1,128}$`)
	providerRE     = regexp.MustCompile(`^[0-9A-Za-z_-]{1,35}$`)
	versionRE      = regexp.MustCompile(`^[0-9A-Za-z_-]{1,9}$`)
	bucketRE       = regexp.MustCompile(`^[a-zA-Z0-9.\-]{3,63}$`)
	varRefRE       = regexp.MustCompile(`#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_.]+)\}`)
)

// Limits of AWS CodePipeline.
const (
	maxStages           = 50
	maxActionsPerStage  = 50
	maxPipelineVars     = 50
	maxTags             = 50
	maxTriggers         = 50
	maxConfigValueBytes = 1000
	maxConcurrentRuns   = 50 // QUEUED and PARALLEL executions in progress per pipeline
)

func valErr(format string, args ...any) *apierr.Error {
	return ErrValidation.With(format, args...)
}

// normalize fills defaults AWS fills (runOrder 1, pipelineType V1, executionMode
// SUPERSEDED, empty artifact lists).
func normalize(p *PipelineDeclaration) {
	if p.PipelineType == "" {
		p.PipelineType = "V1"
	}
	if p.ExecutionMode == "" {
		p.ExecutionMode = "SUPERSEDED"
	}
	for i := range p.Stages {
		for j := range p.Stages[i].Actions {
			a := &p.Stages[i].Actions[j]
			if a.RunOrder == 0 {
				a.RunOrder = 1
			}
			if a.InputArtifacts == nil {
				a.InputArtifacts = []InputArtifact{}
			}
			if a.OutputArtifacts == nil {
				a.OutputArtifacts = []OutputArtifact{}
			}
		}
	}
}

// validatePipeline checks a declaration as AWS does, returning AWS's error.
func (s *Service) validatePipeline(ctx context.Context, p *PipelineDeclaration) error {
	if p == nil {
		return valErr("1 validation error detected: Value null at 'pipeline' failed to satisfy constraint: Member must not be null")
	}
	if !pipelineNameRE.MatchString(p.Name) {
		return valErr("1 validation error detected: Value '%s' at 'pipeline.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+ and have length between 1 and 100", p.Name)
	}
	if p.RoleArn == "" {
		return valErr("1 validation error detected: Value null at 'pipeline.roleArn' failed to satisfy constraint: Member must not be null")
	}
	if len(p.RoleArn) > 1024 {
		return valErr("1 validation error detected: Value at 'pipeline.roleArn' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	switch p.PipelineType {
	case "V1", "V2":
	default:
		return valErr("1 validation error detected: Value '%s' at 'pipeline.pipelineType' failed to satisfy constraint: Member must satisfy enum value set: [V1, V2]", p.PipelineType)
	}
	switch p.ExecutionMode {
	case "SUPERSEDED":
	case "QUEUED", "PARALLEL":
		if p.PipelineType != "V2" {
			return valErr("Execution mode %s is only supported for pipeline type V2", p.ExecutionMode)
		}
	default:
		return valErr("1 validation error detected: Value '%s' at 'pipeline.executionMode' failed to satisfy constraint: Member must satisfy enum value set: [QUEUED, SUPERSEDED, PARALLEL]", p.ExecutionMode)
	}
	if err := s.validateStores(ctx, p); err != nil {
		return err
	}
	if len(p.Stages) < 2 {
		return ErrInvalidStructure.With("Pipeline has fewer than 2 stages. A pipeline must contain at least two stages.")
	}
	if len(p.Stages) > maxStages {
		return ErrLimitExceeded.With("Pipeline has more than %d stages.", maxStages)
	}
	if p.PipelineType == "V1" && (len(p.Variables) > 0 || len(p.Triggers) > 0) {
		return valErr("Pipeline variables and triggers are only supported for pipeline type V2")
	}
	vars := map[string]bool{}
	if len(p.Variables) > maxPipelineVars {
		return ErrLimitExceeded.With("Pipeline has more than %d variables.", maxPipelineVars)
	}
	for _, v := range p.Variables {
		if !varNameRE.MatchString(v.Name) {
			return valErr("1 validation error detected: Value '%s' at 'pipeline.variables.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+", v.Name)
		}
		if vars[v.Name] {
			return ErrInvalidStructure.With("Pipeline variable names must be unique: %s", v.Name)
		}
		if len(v.DefaultValue) > 1000 {
			return valErr("Default value of pipeline variable %s is longer than 1000 characters", v.Name)
		}
		vars[v.Name] = true
	}

	stageNames := map[string]bool{}
	artifacts := map[string]bool{}  // produced so far (earlier stages)
	namespaces := map[string]bool{} // declared so far (earlier stages)
	allNamespaces := map[string]bool{}
	sourceActions := map[string]ActionDeclaration{}
	for si, st := range p.Stages {
		if !stageNameRE.MatchString(st.Name) {
			return ErrInvalidStageDeclaration.With("Stage name '%s' is invalid: it must match [A-Za-z0-9.@\\-_]+ and be 1 to 100 characters", st.Name)
		}
		if stageNames[st.Name] {
			return ErrInvalidStructure.With("Stage names must be unique in a pipeline: %s", st.Name)
		}
		stageNames[st.Name] = true
		if len(st.Blockers) > 0 {
			return ErrInvalidBlockerDeclaration.With("Blockers are reserved for future use and are not supported (stage %s)", st.Name)
		}
		if st.BeforeEntry != nil || st.OnSuccess != nil || (st.OnFailure != nil && len(st.OnFailure.Conditions) > 0) {
			return ErrInvalidStageDeclaration.With("Stage %s: stage conditions (beforeEntry, onSuccess, onFailure conditions) are not supported by devopsim", st.Name)
		}
		if f := st.OnFailure; f != nil {
			switch f.Result {
			case "FAIL":
			case "ROLLBACK", "RETRY":
				if p.PipelineType != "V2" {
					return valErr("Stage %s: onFailure %s is only supported for pipeline type V2", st.Name, f.Result)
				}
				if f.Result == "ROLLBACK" && si == 0 {
					return ErrInvalidStageDeclaration.With("Stage %s: a source stage cannot roll back", st.Name)
				}
			default:
				return valErr("1 validation error detected: Value '%s' at 'pipeline.stages.member.onFailure.result' failed to satisfy constraint: Member must satisfy enum value set: [ROLLBACK, FAIL, RETRY]", f.Result)
			}
			if rc := f.RetryConfiguration; rc != nil {
				if f.Result != "RETRY" {
					return ErrInvalidStageDeclaration.With("Stage %s: retryConfiguration requires onFailure result RETRY", st.Name)
				}
				if rc.RetryMode != "" && rc.RetryMode != "FAILED_ACTIONS" && rc.RetryMode != "ALL_ACTIONS" {
					return valErr("1 validation error detected: Value '%s' at 'retryMode' failed to satisfy constraint: Member must satisfy enum value set: [FAILED_ACTIONS, ALL_ACTIONS]", rc.RetryMode)
				}
			}
		}
		if len(st.Actions) == 0 {
			return ErrInvalidStageDeclaration.With("Stage %s has no actions. A stage must contain at least one action.", st.Name)
		}
		if len(st.Actions) > maxActionsPerStage {
			return ErrLimitExceeded.With("Stage %s has more than %d actions.", st.Name, maxActionsPerStage)
		}
		// Actions of this stage in runOrder.
		acts := append([]ActionDeclaration(nil), st.Actions...)
		sort.SliceStable(acts, func(i, j int) bool { return acts[i].RunOrder < acts[j].RunOrder })
		actionNames := map[string]bool{}
		stageArtifacts := map[int32]map[string]bool{}
		stageNS := map[int32]map[string]bool{}
		for _, a := range acts {
			if !actionNameRE.MatchString(a.Name) {
				return ErrInvalidActionDeclaration.With("Action name '%s' in stage %s is invalid", a.Name, st.Name)
			}
			if actionNames[a.Name] {
				return ErrInvalidStructure.With("Action names must be unique within a stage: %s in stage %s", a.Name, st.Name)
			}
			actionNames[a.Name] = true
			if a.RunOrder < 1 || a.RunOrder > 999 {
				return ErrInvalidActionDeclaration.With("Action %s has invalid runOrder %d; it must be between 1 and 999", a.Name, a.RunOrder)
			}
			if a.ActionTypeID == nil {
				return valErr("1 validation error detected: Value null at 'pipeline.stages.member.actions.member.actionTypeId' failed to satisfy constraint: Member must not be null")
			}
			id := *a.ActionTypeID
			switch id.Category {
			case "Source", "Build", "Test", "Deploy", "Approval", "Invoke", "Compute":
			default:
				return valErr("1 validation error detected: Value '%s' at 'pipeline.stages.member.actions.member.actionTypeId.category' failed to satisfy constraint: Member must satisfy enum value set: [Source, Build, Deploy, Test, Invoke, Approval, Compute]", id.Category)
			}
			switch id.Owner {
			case "AWS", "ThirdParty", "Custom":
			default:
				return valErr("1 validation error detected: Value '%s' at 'pipeline.stages.member.actions.member.actionTypeId.owner' failed to satisfy constraint: Member must satisfy enum value set: [AWS, ThirdParty, Custom]", id.Owner)
			}
			typ, ok := s.lookupType(ctx, id)
			if !ok {
				_, region := core.Scope(ctx)
				return ErrInvalidActionDeclaration.With("ActionType (Category: '%s', Provider: '%s', Owner: '%s', Version: '%s') in action '%s' is not available in region '%s'",
					id.Category, id.Provider, id.Owner, id.Version, a.Name, region)
			}
			if si == 0 && id.Category != "Source" {
				return ErrInvalidStructure.With("The first stage of a pipeline must contain only source actions; action %s is a %s action", a.Name, id.Category)
			}
			if si > 0 && id.Category == "Source" {
				return ErrInvalidStructure.With("Source actions can only be in the first stage of a pipeline; action %s is in stage %s", a.Name, st.Name)
			}
			if err := checkConfig(a, typ); err != nil {
				return err
			}
			if a.TimeoutInMinutes != 0 && (a.TimeoutInMinutes < 5 || a.TimeoutInMinutes > 86400) {
				return ErrInvalidActionDeclaration.With("Action %s: timeoutInMinutes must be between 5 and 86400", a.Name)
			}
			if n := int32(len(a.InputArtifacts)); n < typ.in.MinimumCount || n > typ.in.MaximumCount {
				return ErrInvalidActionDeclaration.With("Action %s declares %d input artifacts; action type %s/%s/%s/%s takes %d to %d",
					a.Name, n, id.Category, id.Owner, id.Provider, id.Version, typ.in.MinimumCount, typ.in.MaximumCount)
			}
			if n := int32(len(a.OutputArtifacts)); n < typ.out.MinimumCount || n > typ.out.MaximumCount {
				return ErrInvalidActionDeclaration.With("Action %s declares %d output artifacts; action type %s/%s/%s/%s produces %d to %d",
					a.Name, n, id.Category, id.Owner, id.Provider, id.Version, typ.out.MinimumCount, typ.out.MaximumCount)
			}
			// Inputs must come from earlier stages or earlier runOrders of this stage.
			for _, in := range a.InputArtifacts {
				found := artifacts[in.Name]
				for ro, names := range stageArtifacts {
					if ro < a.RunOrder && names[in.Name] {
						found = true
					}
				}
				if !found {
					return ErrInvalidStructure.With("Input Artifact Bundle %s in action '%s' is not declared as an output artifact of a preceding action", in.Name, a.Name)
				}
			}
			// Variable references must name namespaces of actions that run before.
			for _, v := range a.Configuration {
				for _, m := range varRefRE.FindAllStringSubmatch(v, -1) {
					ns, name := m[1], m[2]
					switch ns {
					case "variables":
						if !vars[name] {
							return ErrInvalidActionDeclaration.With("Action %s references pipeline variable '%s', which the pipeline does not declare", a.Name, name)
						}
						continue
					case "codepipeline":
						if name != "PipelineExecutionId" {
							return ErrInvalidActionDeclaration.With("Action %s references unknown variable #{codepipeline.%s}", a.Name, name)
						}
						continue
					}
					found := namespaces[ns]
					for ro, names := range stageNS {
						if ro < a.RunOrder && names[ns] {
							found = true
						}
					}
					if !found {
						return ErrInvalidActionDeclaration.With("Action %s references namespace '%s', which no preceding action declares", a.Name, ns)
					}
				}
			}
			for _, out := range a.OutputArtifacts {
				if !artifactNameRE.MatchString(out.Name) {
					return ErrInvalidActionDeclaration.With("Output artifact name '%s' of action %s is invalid: it must match [a-zA-Z0-9_\\-]+", out.Name, a.Name)
				}
				if artifacts[out.Name] || anyHas(stageArtifacts, out.Name) {
					return ErrInvalidStructure.With("Output artifact name %s is declared by more than one action; artifact names must be unique in a pipeline", out.Name)
				}
				if stageArtifacts[a.RunOrder] == nil {
					stageArtifacts[a.RunOrder] = map[string]bool{}
				}
				stageArtifacts[a.RunOrder][out.Name] = true
			}
			if a.Namespace != "" {
				if !namespaceRE.MatchString(a.Namespace) || a.Namespace == "variables" || a.Namespace == "codepipeline" {
					return ErrInvalidActionDeclaration.With("Namespace '%s' of action %s is invalid", a.Namespace, a.Name)
				}
				if allNamespaces[a.Namespace] {
					return ErrInvalidActionDeclaration.With("Namespace %s is used by more than one action; namespaces must be unique in a pipeline", a.Namespace)
				}
				allNamespaces[a.Namespace] = true
				if stageNS[a.RunOrder] == nil {
					stageNS[a.RunOrder] = map[string]bool{}
				}
				stageNS[a.RunOrder][a.Namespace] = true
			}
			if si == 0 {
				sourceActions[a.Name] = a
			}
			if a.Region != "" && p.ArtifactStores != nil {
				if _, ok := p.ArtifactStores[a.Region]; !ok {
					return ErrInvalidStructure.With("Action %s runs in region %s, for which the pipeline declares no artifact store", a.Name, a.Region)
				}
			}
		}
		for _, names := range stageArtifacts {
			for n := range names {
				artifacts[n] = true
			}
		}
		for _, names := range stageNS {
			for n := range names {
				namespaces[n] = true
			}
		}
	}
	if len(p.Triggers) > maxTriggers {
		return ErrLimitExceeded.With("Pipeline has more than %d triggers", maxTriggers)
	}
	for _, t := range p.Triggers {
		if t.ProviderType != "CodeStarSourceConnection" {
			return valErr("1 validation error detected: Value '%s' at 'pipeline.triggers.member.providerType' failed to satisfy constraint: Member must satisfy enum value set: [CodeStarSourceConnection]", t.ProviderType)
		}
		g := t.GitConfiguration
		if g == nil {
			return valErr("1 validation error detected: Value null at 'pipeline.triggers.member.gitConfiguration' failed to satisfy constraint: Member must not be null")
		}
		a, ok := sourceActions[g.SourceActionName]
		if !ok {
			return ErrInvalidStructure.With("Trigger source action %s is not a source action of the pipeline", g.SourceActionName)
		}
		if a.ActionTypeID.Provider != "CodeCommit" {
			return ErrInvalidStructure.With("Trigger source action %s must be a CodeCommit source action in devopsim (CodeStarSourceConnection sources are not supported)", g.SourceActionName)
		}
		if len(g.Push) > 3 || len(g.PullRequest) > 3 {
			return ErrLimitExceeded.With("A trigger takes at most 3 push and 3 pull request filters")
		}
		if len(g.PullRequest) > 0 {
			return valErr("Pull request triggers are not supported by devopsim (CodeCommit pull request events are not emitted)")
		}
		for _, f := range g.Push {
			if f.Tags != nil && (f.Branches != nil || f.FilePaths != nil) {
				return valErr("A push filter takes either tags or branches (with file paths), not both")
			}
			if f.Tags == nil && f.Branches == nil {
				return valErr("A push filter needs tags or branches")
			}
			for _, c := range []*GitBranchFilterCriteria{f.Tags, f.Branches, f.FilePaths} {
				if c == nil {
					continue
				}
				if len(c.Includes) > 8 || len(c.Excludes) > 8 {
					return ErrLimitExceeded.With("A filter takes at most 8 includes and 8 excludes")
				}
				for _, pat := range append(append([]string(nil), c.Includes...), c.Excludes...) {
					if !validGlob(pat) {
						return valErr("Invalid glob pattern %q in trigger filter", pat)
					}
				}
			}
		}
	}
	return nil
}

func anyHas(m map[int32]map[string]bool, name string) bool {
	for _, names := range m {
		if names[name] {
			return true
		}
	}
	return false
}

func (s *Service) validateStores(ctx context.Context, p *PipelineDeclaration) error {
	if p.ArtifactStore != nil && p.ArtifactStores != nil {
		return ErrInvalidStructure.With("Pipeline must contain either artifactStore or artifactStores, not both")
	}
	if p.ArtifactStore == nil && len(p.ArtifactStores) == 0 {
		return ErrInvalidStructure.With("Pipeline must contain either artifactStore or artifactStores")
	}
	check := func(where string, st ArtifactStore) error {
		if st.Type != "S3" {
			return valErr("1 validation error detected: Value '%s' at '%s.type' failed to satisfy constraint: Member must satisfy enum value set: [S3]", st.Type, where)
		}
		if !bucketRE.MatchString(st.Location) {
			return valErr("1 validation error detected: Value '%s' at '%s.location' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9\\-\\.]+ and have length between 3 and 63", st.Location, where)
		}
		if k := st.EncryptionKey; k != nil && k.Type != "KMS" {
			return valErr("Encryption key type must be KMS")
		}
		return nil
	}
	if p.ArtifactStore != nil {
		return check("pipeline.artifactStore", *p.ArtifactStore)
	}
	_, region := core.Scope(ctx)
	if _, ok := p.ArtifactStores[region]; !ok {
		return ErrInvalidStructure.With("artifactStores must contain an artifact store for the pipeline's region %s", region)
	}
	keys := make([]string, 0, len(p.ArtifactStores))
	for k := range p.ArtifactStores {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := check(fmt.Sprintf("pipeline.artifactStores.%s", k), p.ArtifactStores[k]); err != nil {
			return err
		}
	}
	return nil
}

// checkConfig validates an action's configuration against its type.
func checkConfig(a ActionDeclaration, t resolvedType) error {
	known := map[string]bool{}
	for _, p := range t.props {
		known[p.Name] = true
		if p.Required && strings.TrimSpace(a.Configuration[p.Name]) == "" {
			return ErrInvalidActionDeclaration.With("Action configuration for action '%s' is missing required configuration '%s'", a.Name, p.Name)
		}
	}
	keys := make([]string, 0, len(a.Configuration))
	for k := range a.Configuration {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			return ErrInvalidActionDeclaration.With("Action configuration for action '%s' contains unknown configuration '%s'", a.Name, k)
		}
		if len(a.Configuration[k]) > maxConfigValueBytes && k != "ParameterOverrides" && k != "EnvironmentVariables" {
			return ErrInvalidActionDeclaration.With("Action configuration value of '%s' in action '%s' is longer than %d characters", k, a.Name, maxConfigValueBytes)
		}
	}
	c := a.Configuration
	switch t.id.Provider {
	case "CodeCommit":
		if v := c["OutputArtifactFormat"]; v != "" && v != "CODE_ZIP" && v != "CODEBUILD_CLONE_REF" {
			return ErrInvalidActionDeclaration.With("OutputArtifactFormat of action '%s' must be CODE_ZIP or CODEBUILD_CLONE_REF", a.Name)
		}
		if v := c["PollForSourceChanges"]; v != "" && v != "true" && v != "false" {
			return ErrInvalidActionDeclaration.With("PollForSourceChanges of action '%s' must be true or false", a.Name)
		}
	case "CloudFormation":
		switch c["ActionMode"] {
		case "CREATE_UPDATE", "REPLACE_ON_FAILURE", "CHANGE_SET_REPLACE":
			if c["TemplatePath"] == "" {
				return ErrInvalidActionDeclaration.With("Action configuration for action '%s' is missing required configuration 'TemplatePath'", a.Name)
			}
		case "DELETE_ONLY":
		case "CHANGE_SET_EXECUTE":
		default:
			return ErrInvalidActionDeclaration.With("ActionMode '%s' of action '%s' is invalid: use CREATE_UPDATE, DELETE_ONLY, REPLACE_ON_FAILURE, CHANGE_SET_REPLACE or CHANGE_SET_EXECUTE", c["ActionMode"], a.Name)
		}
		if strings.HasPrefix(c["ActionMode"], "CHANGE_SET") && c["ChangeSetName"] == "" {
			return ErrInvalidActionDeclaration.With("Action configuration for action '%s' is missing required configuration 'ChangeSetName'", a.Name)
		}
	case "S3":
		if t.id.Category == "Deploy" {
			switch strings.ToLower(c["Extract"]) {
			case "true":
			case "false":
				if c["ObjectKey"] == "" {
					return ErrInvalidActionDeclaration.With("Action configuration for action '%s' is missing required configuration 'ObjectKey' (required when Extract is false)", a.Name)
				}
			default:
				return ErrInvalidActionDeclaration.With("Extract of action '%s' must be true or false", a.Name)
			}
		}
	}
	return nil
}

// validGlob reports whether pat is a glob CodePipeline accepts (*, **, ?, [..], {a,b}).
func validGlob(pat string) bool {
	if pat == "" || len(pat) > 255 {
		return false
	}
	_, err := globRegexp(pat)
	return err == nil
}
