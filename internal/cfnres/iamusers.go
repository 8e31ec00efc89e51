package cfnres

import (
	"context"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/iam"
)

// registerIAMUsers registers AWS::IAM::User (Ref: the name; Arn) and AWS::IAM::AccessKey
// (Ref: the access key ID; SecretAccessKey).
func registerIAMUsers(cf *cloudformation.Service, svc *iam.Service) {
	r := iamRes{svc}
	cf.RegisterProvider("AWS::IAM::User", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: r.createUser, UpdateFunc: r.updateUser, DeleteFunc: r.deleteUser, ReadFunc: r.readUser},
		Attributes: []string{"Arn"},
		// The iam service has no UpdateUser or user tags: a new Path or Tags replaces the user.
		ReplaceOn: []string{"UserName", "Path", "Tags"},
	})
	cf.RegisterProvider("AWS::IAM::AccessKey", cloudformation.TypeSpec{
		Provider:   cloudformation.ProviderFuncs{CreateFunc: r.createKey, UpdateFunc: r.updateKey, DeleteFunc: r.deleteKey, ReadFunc: r.readKey},
		Attributes: []string{"SecretAccessKey"},
		ReplaceOn:  []string{"UserName", "Serial"},
	})
}

// unmodelledUser refuses the User properties the iam service cannot hold, rather than
// dropping them.
func unmodelledUser(p map[string]any) error {
	for _, k := range []string{"Groups", "LoginProfile", "ManagedPolicyArns", "Policies", "PermissionsBoundary"} {
		switch v := p[k].(type) {
		case nil:
		case []any:
			if len(v) > 0 {
				return propErr("Property %s of AWS::IAM::User is not supported (the iam service models no user groups, policies or console logins)", k)
			}
		default:
			return propErr("Property %s of AWS::IAM::User is not supported (the iam service models no user groups, policies or console logins)", k)
		}
	}
	return nil
}

func (r iamRes) createUser(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := unmodelledUser(req.Properties); err != nil {
		return nil, err
	}
	out, err := r.svc.CreateUser(ctx, &iam.CreateUserInput{UserName: physicalName(req, "UserName", 64), Path: str(req.Properties, "Path")})
	if err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: out.User.UserName, Attributes: map[string]any{"Arn": out.User.Arn}}, nil
}

func (r iamRes) updateUser(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if err := unmodelledUser(req.Properties); err != nil {
		return nil, err
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (r iamRes) deleteUser(ctx context.Context, req *cloudformation.Request) error {
	_, err := r.svc.DeleteUser(ctx, &iam.DeleteUserInput{UserName: req.PhysicalID})
	return notFound(err)
}

func (r iamRes) readUser(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := r.svc.GetUser(ctx, &iam.GetUserInput{UserName: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	props := map[string]any{}
	if _, ok := req.Properties["UserName"]; ok {
		props["UserName"] = out.User.UserName
	}
	if _, ok := req.Properties["Path"]; ok {
		props["Path"] = out.User.Path
	}
	return props, nil
}

func (r iamRes) createKey(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	p := req.Properties
	if err := need(p, "UserName"); err != nil {
		return nil, err
	}
	status := str(p, "Status")
	if status != "" && status != "Active" && status != "Inactive" {
		return nil, propErr("Property Status must be Active or Inactive")
	}
	out, err := r.svc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: str(p, "UserName")})
	if err != nil {
		return nil, err
	}
	k := out.AccessKey
	if status == "Inactive" {
		if _, err := r.svc.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: status}); err != nil {
			_, _ = r.svc.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: k.UserName, AccessKeyID: k.AccessKeyID})
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: k.AccessKeyID, Attributes: map[string]any{"SecretAccessKey": k.SecretAccessKey}}, nil
}

func (r iamRes) updateKey(ctx context.Context, req *cloudformation.Request) (*cloudformation.Result, error) {
	if changed(req, "Status") {
		status := str(req.Properties, "Status")
		if status == "" {
			status = "Active"
		}
		if _, err := r.svc.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: str(req.Properties, "UserName"), AccessKeyID: req.PhysicalID, Status: status}); err != nil {
			return nil, err
		}
	}
	return &cloudformation.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (r iamRes) deleteKey(ctx context.Context, req *cloudformation.Request) error {
	_, err := r.svc.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: str(req.Properties, "UserName"), AccessKeyID: req.PhysicalID})
	return notFound(err)
}

func (r iamRes) readKey(ctx context.Context, req *cloudformation.Request) (map[string]any, error) {
	out, err := r.svc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: str(req.Properties, "UserName")})
	if err != nil {
		return nil, err
	}
	for _, k := range out.AccessKeyMetadata {
		if k.AccessKeyID == req.PhysicalID {
			props := map[string]any{"UserName": k.UserName}
			if _, ok := req.Properties["Status"]; ok {
				props["Status"] = k.Status
			}
			return props, nil
		}
	}
	return nil, iam.ErrNoSuchEntity.With("The Access Key with id %s cannot be found.", req.PhysicalID)
}
