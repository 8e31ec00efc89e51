package codepipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// artifactFile reads "ArtifactName::path/in/zip" from the action's input artifacts.
func (s *Service) artifactFile(ctx context.Context, ar *actionRun, ref string) ([]byte, error) {
	name, p, ok := strings.Cut(ref, "::")
	if !ok || name == "" || p == "" {
		return nil, fmt.Errorf("%q is not of the form ArtifactName::path", ref)
	}
	for _, in := range ar.in {
		if in.Name != name {
			continue
		}
		data, err := s.getArtifact(ctx, in.Loc)
		if err != nil {
			return nil, fmt.Errorf("could not read input artifact %s: %v", name, err)
		}
		files, err := unzipAll(data)
		if err != nil {
			return nil, fmt.Errorf("input artifact %s is not a zip archive: %v", name, err)
		}
		b, ok := files[strings.TrimPrefix(p, "./")]
		if !ok {
			return nil, fmt.Errorf("file %s does not exist in artifact %s", p, name)
		}
		return b, nil
	}
	return nil, fmt.Errorf("artifact %s is not an input artifact of the action", name)
}

// parameterOverrides reads ParameterOverrides, resolving Fn::GetParam and Fn::GetArtifactAtt.
func (s *Service) parameterOverrides(ctx context.Context, ar *actionRun, raw string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(raw) == "" {
		return out, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("ParameterOverrides is not a JSON object: %v", err)
	}
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64, bool:
			out[k] = fmt.Sprint(x)
		case map[string]any:
			val, err := s.paramFunction(ctx, ar, x)
			if err != nil {
				return nil, fmt.Errorf("parameter %s: %v", k, err)
			}
			out[k] = val
		default:
			return nil, fmt.Errorf("parameter %s: unsupported value %v", k, v)
		}
	}
	return out, nil
}

func (s *Service) paramFunction(ctx context.Context, ar *actionRun, fn map[string]any) (string, error) {
	args := func(name string) ([]string, error) {
		list, ok := fn[name].([]any)
		if !ok {
			return nil, fmt.Errorf("%s takes a list of strings", name)
		}
		var out []string
		for _, a := range list {
			s, ok := a.(string)
			if !ok {
				return nil, fmt.Errorf("%s takes a list of strings", name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	switch {
	case fn["Fn::GetParam"] != nil:
		a, err := args("Fn::GetParam")
		if err != nil || len(a) != 3 {
			return "", fmt.Errorf("Fn::GetParam takes [artifactName, JSONFileName, keyName]")
		}
		b, err := s.artifactFile(ctx, ar, a[0]+"::"+a[1])
		if err != nil {
			return "", err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return "", fmt.Errorf("Fn::GetParam: %s is not a JSON object", a[1])
		}
		v, ok := m[a[2]]
		if !ok {
			return "", fmt.Errorf("Fn::GetParam: key %s not found in %s", a[2], a[1])
		}
		if s, ok := v.(string); ok {
			return s, nil
		}
		return fmt.Sprint(v), nil
	case fn["Fn::GetArtifactAtt"] != nil:
		a, err := args("Fn::GetArtifactAtt")
		if err != nil || len(a) != 2 {
			return "", fmt.Errorf("Fn::GetArtifactAtt takes [artifactName, attributeName]")
		}
		for _, in := range ar.in {
			if in.Name == a[0] {
				switch a[1] {
				case "BucketName":
					return in.Loc.Bucket, nil
				case "ObjectKey":
					return in.Loc.Key, nil
				case "URL":
					return "https://" + in.Loc.Bucket + ".s3.amazonaws.com/" + in.Loc.Key, nil
				}
				return "", fmt.Errorf("Fn::GetArtifactAtt: unknown attribute %s", a[1])
			}
		}
		return "", fmt.Errorf("Fn::GetArtifactAtt: %s is not an input artifact", a[0])
	}
	return "", fmt.Errorf("only Fn::GetParam and Fn::GetArtifactAtt are allowed in ParameterOverrides")
}

var failedStackStates = map[string]bool{"ROLLBACK_COMPLETE": true, "ROLLBACK_FAILED": true, "CREATE_FAILED": true, "DELETE_FAILED": true, "UPDATE_ROLLBACK_FAILED": true}

func (s *Service) runCloudFormation(ctx context.Context, ar *actionRun) actionResult {
	st := s.deps.Stacks
	if st == nil {
		return failed("ConfigurationError", "CloudFormation is not wired to this CodePipeline")
	}
	c := ar.config
	spec := StackSpec{StackName: c["StackName"], RoleArn: c["RoleArn"], ChangeSetName: c["ChangeSetName"], Parameters: map[string]string{}, Tags: map[string]string{}}
	for _, cp := range strings.Split(c["Capabilities"], ",") {
		if cp = strings.TrimSpace(cp); cp != "" {
			spec.Capabilities = append(spec.Capabilities, cp)
		}
	}
	mode := c["ActionMode"]
	needsTemplate := mode == "CREATE_UPDATE" || mode == "REPLACE_ON_FAILURE" || mode == "CHANGE_SET_REPLACE"
	if needsTemplate {
		b, err := s.artifactFile(ctx, ar, c["TemplatePath"])
		if err != nil {
			return failed("ConfigurationError", "TemplatePath: %v", err)
		}
		spec.TemplateBody = string(b)
		if tc := c["TemplateConfiguration"]; tc != "" {
			b, err := s.artifactFile(ctx, ar, tc)
			if err != nil {
				return failed("ConfigurationError", "TemplateConfiguration: %v", err)
			}
			var cfg struct {
				Parameters  map[string]string `json:"Parameters"`
				Tags        map[string]string `json:"Tags"`
				StackPolicy json.RawMessage   `json:"StackPolicy"`
			}
			if err := json.Unmarshal(b, &cfg); err != nil {
				return failed("ConfigurationError", "TemplateConfiguration %s is not valid JSON: %v", tc, err)
			}
			for k, v := range cfg.Parameters {
				spec.Parameters[k] = v
			}
			for k, v := range cfg.Tags {
				spec.Tags[k] = v
			}
			if len(cfg.StackPolicy) > 0 {
				spec.StackPolicy = string(cfg.StackPolicy)
			}
		}
		over, err := s.parameterOverrides(ctx, ar, c["ParameterOverrides"])
		if err != nil {
			return failed("ConfigurationError", "%v", err)
		}
		for k, v := range over {
			spec.Parameters[k] = v
		}
	}
	fail := func(err error) actionResult {
		if ctx.Err() != nil {
			return ctxFailure(ctx, "stack "+spec.StackName, err)
		}
		return failed("JobFailed", "%v", err)
	}
	waitOK := func(what string) (StackInfo, *actionResult) {
		info, err := st.WaitStack(ctx, spec.StackName)
		if err != nil {
			r := fail(err)
			return info, &r
		}
		if info.Exists && (strings.Contains(info.Status, "ROLLBACK") || strings.HasSuffix(info.Status, "FAILED")) {
			r := failed("JobFailed", "Stack %s %s ended in %s: %s", spec.StackName, what, info.Status, info.StatusReason)
			return info, &r
		}
		return info, nil
	}
	summary := ""
	switch mode {
	case "DELETE_ONLY":
		info, err := st.DescribeStack(ctx, spec.StackName)
		if err != nil {
			return fail(err)
		}
		if info.Exists && info.Status != "DELETE_COMPLETE" {
			if err := st.DeleteStack(ctx, spec.StackName); err != nil {
				return fail(err)
			}
			info, err = st.WaitStack(ctx, spec.StackName)
			if err != nil {
				return fail(err)
			}
			if info.Exists && info.Status != "DELETE_COMPLETE" {
				return failed("JobFailed", "Stack %s deletion ended in %s: %s", spec.StackName, info.Status, info.StatusReason)
			}
		}
		return actionResult{Status: "Succeeded", Summary: "Stack " + spec.StackName + " was deleted", Vars: map[string]string{}}
	case "CHANGE_SET_REPLACE":
		if err := st.CreateChangeSet(ctx, spec); err != nil {
			return fail(err)
		}
		return actionResult{Status: "Succeeded", Summary: "Change set " + spec.ChangeSetName + " was created", Vars: map[string]string{}}
	case "CHANGE_SET_EXECUTE":
		if err := st.ExecuteChangeSet(ctx, spec.StackName, spec.ChangeSetName); err != nil {
			return fail(err)
		}
		if _, r := waitOK("change set execution"); r != nil {
			return *r
		}
		summary = "Change set " + spec.ChangeSetName + " was executed"
	case "CREATE_UPDATE", "REPLACE_ON_FAILURE":
		info, err := st.DescribeStack(ctx, spec.StackName)
		if err != nil {
			return fail(err)
		}
		if info.Exists && mode == "REPLACE_ON_FAILURE" && failedStackStates[info.Status] {
			if err := st.DeleteStack(ctx, spec.StackName); err != nil {
				return fail(err)
			}
			if _, err := st.WaitStack(ctx, spec.StackName); err != nil {
				return fail(err)
			}
			info.Exists = false
		}
		switch {
		case !info.Exists || info.Status == "DELETE_COMPLETE":
			if err := st.CreateStack(ctx, spec); err != nil {
				return fail(err)
			}
			summary = "Stack " + spec.StackName + " was created"
		case info.Status == "ROLLBACK_COMPLETE":
			return failed("JobFailed", "Stack %s is in ROLLBACK_COMPLETE state and can not be updated", spec.StackName)
		default:
			changed, err := st.UpdateStack(ctx, spec)
			if err != nil {
				return fail(err)
			}
			summary = "Stack " + spec.StackName + " was updated"
			if !changed {
				summary = "No updates are to be performed on stack " + spec.StackName
			}
		}
		if _, r := waitOK("operation"); r != nil {
			return *r
		}
	}
	info, err := st.DescribeStack(ctx, spec.StackName)
	if err != nil {
		return fail(err)
	}
	vars := map[string]string{}
	for k, v := range info.Outputs {
		vars[k] = v
	}
	if name := c["OutputFileName"]; name != "" && len(ar.out) > 0 {
		b, _ := json.MarshalIndent(info.Outputs, "", "  ")
		z, err := zipFiles(map[string][]byte{name: b})
		if err != nil {
			return failed("JobFailed", "%v", err)
		}
		if err := s.putArtifact(ctx, ar.out[0].Loc, z); err != nil {
			return failed("JobFailed", "Could not upload the output artifact: %v", err)
		}
	}
	return actionResult{Status: "Succeeded", Summary: summary, ExternalID: spec.StackName, Vars: vars}
}

// zipFiles builds a zip archive of files (sorted by name).
func zipFiles(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf strings.Builder
	zw := newZipWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return []byte(buf.String()), nil
}
