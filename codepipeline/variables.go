package codepipeline

import (
	"fmt"
	"regexp"
	"strings"
)

// resolveVars replaces #{namespace.Variable} references in s: "variables" are pipeline
// variables, "codepipeline.PipelineExecutionId" the execution ID, any other namespace the
// output variables of the action that declared it.
func resolveVars(s string, pvars map[string]string, ns map[string]map[string]string, execID string) (string, error) {
	if !strings.Contains(s, "#{") {
		return s, nil
	}
	var missing []string
	out := varRefRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := varRefRE.FindStringSubmatch(m)
		space, name := sub[1], sub[2]
		switch space {
		case "variables":
			if v, ok := pvars[name]; ok {
				return v
			}
		case "codepipeline":
			if name == "PipelineExecutionId" {
				return execID
			}
		default:
			if v, ok := ns[space][name]; ok {
				return v
			}
		}
		missing = append(missing, m)
		return m
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unable to resolve variable %s: the referenced action did not produce it", missing[0])
	}
	return out, nil
}

func resolvePipelineVars(decl PipelineDeclaration, given []PipelineVariable) (map[string]string, error) {
	if len(given) > 0 && decl.PipelineType != "V2" {
		return nil, valErr("Pipeline variables are only supported for pipeline type V2")
	}
	declared := map[string]PipelineVariableDeclaration{}
	for _, v := range decl.Variables {
		declared[v.Name] = v
	}
	out := map[string]string{}
	for _, v := range given {
		if _, ok := declared[v.Name]; !ok {
			return nil, valErr("Pipeline variable %s is not declared in pipeline %s", v.Name, decl.Name)
		}
		if _, dup := out[v.Name]; dup {
			return nil, valErr("Pipeline variable %s is given more than once", v.Name)
		}
		if len(v.Value) > 1000 {
			return nil, valErr("The value of pipeline variable %s is longer than 1000 characters", v.Name)
		}
		out[v.Name] = v.Value
	}
	for _, d := range decl.Variables {
		if _, ok := out[d.Name]; !ok {
			if d.DefaultValue == "" {
				return nil, valErr("Pipeline variable %s has no default value and no value was provided", d.Name)
			}
			out[d.Name] = d.DefaultValue
		}
	}
	return out, nil
}

func checkOverrides(decl PipelineDeclaration, ovs []SourceRevisionOverride) error {
	if len(ovs) == 0 {
		return nil
	}
	if len(decl.Stages) == 0 {
		return valErr("pipeline has no stages")
	}
	seen := map[string]bool{}
	for _, o := range ovs {
		var act *ActionDeclaration
		for i := range decl.Stages[0].Actions {
			if decl.Stages[0].Actions[i].Name == o.ActionName {
				act = &decl.Stages[0].Actions[i]
			}
		}
		if act == nil {
			return valErr("Source revision override names action %s, which is not a source action of pipeline %s", o.ActionName, decl.Name)
		}
		if seen[o.ActionName] {
			return valErr("More than one source revision override for action %s", o.ActionName)
		}
		seen[o.ActionName] = true
		switch o.RevisionType {
		case "COMMIT_ID":
			if act.ActionTypeID.Provider != "CodeCommit" {
				return valErr("Revision type COMMIT_ID does not apply to action %s (provider %s)", o.ActionName, act.ActionTypeID.Provider)
			}
			if !commitRE.MatchString(o.RevisionValue) {
				return valErr("Revision value %q is not a commit ID", o.RevisionValue)
			}
		case "S3_OBJECT_KEY", "S3_OBJECT_VERSION_ID":
			if act.ActionTypeID.Provider != "S3" {
				return valErr("Revision type %s does not apply to action %s (provider %s)", o.RevisionType, o.ActionName, act.ActionTypeID.Provider)
			}
			if o.RevisionType == "S3_OBJECT_KEY" && act.Configuration["AllowOverrideForS3ObjectKey"] != "true" {
				return valErr("Action %s does not allow overriding its S3 object key (AllowOverrideForS3ObjectKey)", o.ActionName)
			}
		case "IMAGE_DIGEST":
			return valErr("Revision type IMAGE_DIGEST does not apply to action %s", o.ActionName)
		default:
			return valErr("1 validation error detected: Value '%s' at 'sourceRevisions.member.revisionType' failed to satisfy constraint: Member must satisfy enum value set: [COMMIT_ID, IMAGE_DIGEST, S3_OBJECT_VERSION_ID, S3_OBJECT_KEY]", o.RevisionType)
		}
	}
	return nil
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
