package cfnres

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/iam"
)

func registerIAM(cf *cloudformation.Service, svc *iam.Service) {
	r := iamRes{svc}
	cf.RegisterProvider("AWS::IAM::Role", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: r.createRole, UpdateFunc: r.updateRole, DeleteFunc: r.deleteRole},
		Attributes: []string{"Arn", "RoleId"},
		ReplaceOn:  []string{"RoleName", "Path", "Description", "MaxSessionDuration", "Tags", "PermissionsBoundary"},
		Taggable:   true,
	})
	cf.RegisterProvider("AWS::IAM::InstanceProfile", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: r.createProfile, UpdateFunc: r.updateProfile, DeleteFunc: r.deleteProfile},
		Attributes: []string{"Arn"},
		ReplaceOn:  []string{"InstanceProfileName", "Path"},
	})
	cf.RegisterProvider("AWS::IAM::Policy", cloudformation.TypeSpec{
		Provider:  cloudformation.ProviderFuncs{CreateFunc: r.createPolicy, UpdateFunc: r.updatePolicy, DeleteFunc: r.deletePolicy},
		ReplaceOn: []string{"PolicyName"},
	})
	cf.RegisterProvider("AWS::IAM::ManagedPolicy", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: r.createManaged, UpdateFunc: r.updateManaged, DeleteFunc: r.deleteManaged},
		Attributes: []string{"PolicyArn"},
		// One policy version is modelled: a new document replaces the policy.
		ReplaceOn: []string{"ManagedPolicyName", "Path", "Description", "PolicyDocument"},
	})
}

type iamRes struct{ svc *iam.Service }

// policyDoc is a policy document property: templates give an object or a JSON string.
func policyDoc(p map[string]any, k string) (string, error) {
	switch v := p[k].(type) {
	case nil:
		return "", propErr("Property %s cannot be empty.", k)
	case string:
		return v, nil
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", propErr("property %s: %v", k, err)
		}
		return string(b), nil
	}
}

type inlinePolicy struct{ name, doc string }

func inlinePolicies(p map[string]any) ([]inlinePolicy, error) {
	l, _ := p["Policies"].([]any)
	var out []inlinePolicy
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, propErr("Policies entries must be objects")
		}
		if err := need(m, "PolicyName", "PolicyDocument"); err != nil {
			return nil, err
		}
		doc, err := policyDoc(m, "PolicyDocument")
		if err != nil {
			return nil, err
		}
		out = append(out, inlinePolicy{str(m, "PolicyName"), doc})
	}
	return out, nil
}

func iamTags(req *cloudformation.Request) []iam.Tag {
	return tagsOf(tags(req), func(t kv) iam.Tag { return iam.Tag{Key: t.Key, Value: t.Value} })
}

func (r iamRes) createRole(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	trust, err := policyDoc(p, "AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	msd, err := i32p(p, "MaxSessionDuration")
	if err != nil {
		return nil, err
	}
	in := &iam.CreateRoleInput{RoleName: physicalName(req, "RoleName", 64), Path: str(p, "Path"), AssumeRolePolicyDocument: trust,
		Description: str(p, "Description"), PermissionsBoundary: str(p, "PermissionsBoundary"), Tags: iamTags(req)}
	if msd != nil {
		in.MaxSessionDuration = *msd
	}
	out, err := r.svc.CreateRole(ctx, in)
	if err != nil {
		return nil, err
	}
	name := out.Role.RoleName
	if err := r.syncRolePolicies(ctx, name, nil, req.Properties); err != nil {
		_ = r.deleteRoleNamed(ctx, name)
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"Arn": out.Role.Arn, "RoleId": out.Role.RoleID}}, nil
}

// syncRolePolicies makes the role's inline and managed policies those of props (removing
// those only in old).
func (r iamRes) syncRolePolicies(ctx context.Context, role string, old, props map[string]any) error {
	want, err := inlinePolicies(props)
	if err != nil {
		return err
	}
	had, _ := inlinePolicies(old)
	for _, h := range had {
		if !slices.ContainsFunc(want, func(w inlinePolicy) bool { return w.name == h.name }) {
			if _, err := r.svc.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: h.name}); notFound(err) != nil {
				return err
			}
		}
	}
	for _, w := range want {
		if _, err := r.svc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: w.name, PolicyDocument: w.doc}); err != nil {
			return err
		}
	}
	wantArns, hadArns := strs(props, "ManagedPolicyArns"), strs(old, "ManagedPolicyArns")
	for _, a := range hadArns {
		if !slices.Contains(wantArns, a) {
			if _, err := r.svc.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: a}); notFound(err) != nil {
				return err
			}
		}
	}
	for _, a := range wantArns {
		if _, err := r.svc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: a}); err != nil {
			return err
		}
	}
	return nil
}

func (r iamRes) updateRole(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if changed(req, "AssumeRolePolicyDocument") {
		trust, err := policyDoc(req.Properties, "AssumeRolePolicyDocument")
		if err != nil {
			return nil, err
		}
		if _, err := r.svc.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: req.PhysicalID, PolicyDocument: trust}); err != nil {
			return nil, err
		}
	}
	if err := r.syncRolePolicies(ctx, req.PhysicalID, req.OldProperties, req.Properties); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// deleteRoleNamed removes the role's policies (the template's and any added since, as
// CloudFormation does) and the role.
func (r iamRes) deleteRoleNamed(ctx context.Context, name string) error {
	lp, err := r.svc.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: name, MaxItems: 1000})
	if err != nil {
		return notFound(err)
	}
	for _, n := range lp.PolicyNames {
		if _, err := r.svc.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: name, PolicyName: n}); notFound(err) != nil {
			return err
		}
	}
	la, err := r.svc.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: name, MaxItems: 1000})
	if err != nil {
		return notFound(err)
	}
	for _, a := range la.AttachedPolicies {
		if _, err := r.svc.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: a.PolicyArn}); notFound(err) != nil {
			return err
		}
	}
	_, err = r.svc.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name})
	return notFound(err)
}

func (r iamRes) deleteRole(ctx context.Context, req *cloudformation.Request) error {
	return r.deleteRoleNamed(ctx, req.PhysicalID)
}

func (r iamRes) createProfile(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	out, err := r.svc.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: physicalName(req, "InstanceProfileName", 128), Path: str(p, "Path")})
	if err != nil {
		return nil, err
	}
	name := out.InstanceProfile.InstanceProfileName
	for _, role := range strs(p, "Roles") {
		if _, err := r.svc.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: name, RoleName: role}); err != nil {
			_ = r.deleteProfileNamed(ctx, name, strs(p, "Roles"))
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: name, Attributes: map[string]any{"Arn": out.InstanceProfile.Arn}}, nil
}

func (r iamRes) updateProfile(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	want, had := strs(req.Properties, "Roles"), strs(req.OldProperties, "Roles")
	for _, h := range had {
		if !slices.Contains(want, h) {
			if _, err := r.svc.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: req.PhysicalID, RoleName: h}); notFound(err) != nil {
				return nil, err
			}
		}
	}
	for _, w := range want {
		if !slices.Contains(had, w) {
			if _, err := r.svc.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: req.PhysicalID, RoleName: w}); err != nil {
				return nil, err
			}
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (r iamRes) deleteProfileNamed(ctx context.Context, name string, _ []string) error {
	out, err := r.svc.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: name})
	if err != nil {
		return notFound(err)
	}
	for _, role := range out.InstanceProfile.Roles {
		if _, err := r.svc.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: name, RoleName: role.RoleName}); notFound(err) != nil {
			return err
		}
	}
	_, err = r.svc.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: name})
	return notFound(err)
}

func (r iamRes) deleteProfile(ctx context.Context, req *cloudformation.Request) error {
	return r.deleteProfileNamed(ctx, req.PhysicalID, nil)
}

var errNoUserPolicies = propErr("AWS::IAM::Policy and AWS::IAM::ManagedPolicy attach to Roles only: IAM users and groups have no policies in devopsim")

func (r iamRes) putPolicy(ctx context.Context, req *cloudformation.Request, roles []string) error {
	p := req.Properties
	doc, err := policyDoc(p, "PolicyDocument")
	if err != nil {
		return err
	}
	for _, role := range roles {
		if _, err := r.svc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: str(p, "PolicyName"), PolicyDocument: doc}); err != nil {
			return err
		}
	}
	return nil
}

func (r iamRes) createPolicy(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "PolicyName", "PolicyDocument"); err != nil {
		return nil, err
	}
	if len(strs(p, "Users"))+len(strs(p, "Groups")) > 0 {
		return nil, errNoUserPolicies
	}
	roles := strs(p, "Roles")
	if len(roles) == 0 {
		return nil, propErr("At least one of [Groups,Roles,Users] must be non-empty.")
	}
	if err := r.putPolicy(ctx, req, roles); err != nil {
		r.dropPolicy(ctx, str(p, "PolicyName"), roles)
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: generatedName(req, 64)}, nil
}

func (r iamRes) dropPolicy(ctx context.Context, name string, roles []string) {
	for _, role := range roles {
		_, _ = r.svc.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: name})
	}
}

func (r iamRes) updatePolicy(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if len(strs(req.Properties, "Users"))+len(strs(req.Properties, "Groups")) > 0 {
		return nil, errNoUserPolicies
	}
	want := strs(req.Properties, "Roles")
	for _, h := range strs(req.OldProperties, "Roles") {
		if !slices.Contains(want, h) {
			r.dropPolicy(ctx, str(req.Properties, "PolicyName"), []string{h})
		}
	}
	if err := r.putPolicy(ctx, req, want); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID}, nil
}

func (r iamRes) deletePolicy(ctx context.Context, req *cloudformation.Request) error {
	for _, role := range strs(req.Properties, "Roles") {
		_, err := r.svc.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: str(req.Properties, "PolicyName")})
		if notFound(err) != nil {
			return err
		}
	}
	return nil
}

func (r iamRes) createManaged(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if len(strs(p, "Users"))+len(strs(p, "Groups")) > 0 {
		return nil, errNoUserPolicies
	}
	doc, err := policyDoc(p, "PolicyDocument")
	if err != nil {
		return nil, err
	}
	out, err := r.svc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: physicalName(req, "ManagedPolicyName", 128), Path: str(p, "Path"),
		PolicyDocument: doc, Description: str(p, "Description")})
	if err != nil {
		return nil, err
	}
	arn := out.Policy.Arn
	for _, role := range strs(p, "Roles") {
		if _, err := r.svc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: arn}); err != nil {
			_ = r.deleteManagedArn(ctx, arn, strs(p, "Roles"))
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: arn, Attributes: map[string]any{"PolicyArn": arn}}, nil
}

func (r iamRes) updateManaged(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if len(strs(req.Properties, "Users"))+len(strs(req.Properties, "Groups")) > 0 {
		return nil, errNoUserPolicies
	}
	want, had := strs(req.Properties, "Roles"), strs(req.OldProperties, "Roles")
	for _, h := range had {
		if !slices.Contains(want, h) {
			if _, err := r.svc.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: h, PolicyArn: req.PhysicalID}); notFound(err) != nil {
				return nil, err
			}
		}
	}
	for _, w := range want {
		if _, err := r.svc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: w, PolicyArn: req.PhysicalID}); err != nil {
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (r iamRes) deleteManagedArn(ctx context.Context, arn string, roles []string) error {
	for _, role := range roles {
		if _, err := r.svc.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: arn}); notFound(err) != nil {
			return err
		}
	}
	_, err := r.svc.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	if errors.Is(err, iam.ErrDeleteConflict) {
		return err
	}
	return notFound(err)
}

func (r iamRes) deleteManaged(ctx context.Context, req *cloudformation.Request) error {
	return r.deleteManagedArn(ctx, req.PhysicalID, strs(req.Properties, "Roles"))
}
