package iam

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// ErrMalformedPolicyDocument answers a policy document that is not a valid IAM policy.
var ErrMalformedPolicyDocument = apierr.New(apierr.Invalid, "MalformedPolicyDocument", "The policy document is malformed.")

const (
	maxInlinePoliciesPerRole = 100 // AWS limits by size; this bounds the count.
	maxAttachedPerRole       = 20
	maxRolesPerProfile       = 1
)

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Role is an IAM role. AssumeRolePolicyDocument is answered URL-encoded, as AWS does.
type Role struct {
	Path                     string    `json:"Path,omitempty"`
	RoleName                 string    `json:"RoleName,omitempty"`
	RoleID                   string    `json:"RoleId,omitempty"`
	Arn                      string    `json:"Arn,omitempty"`
	CreateDate               time.Time `json:"CreateDate,omitzero"`
	AssumeRolePolicyDocument string    `json:"AssumeRolePolicyDocument,omitempty"`
	Description              string    `json:"Description,omitempty"`
	MaxSessionDuration       int32     `json:"MaxSessionDuration,omitzero"`
	Tags                     []Tag     `json:"Tags,omitempty"`
}

type roleRecord struct {
	Role
	Inline   map[string]string `json:"inline,omitempty"`   // policy name -> document
	Attached []string          `json:"attached,omitempty"` // managed policy ARNs
}

func (r roleRecord) out() Role {
	o := r.Role
	o.AssumeRolePolicyDocument = encodeDoc(o.AssumeRolePolicyDocument)
	o.Tags = append([]Tag(nil), o.Tags...)
	return o
}

// encodeDoc URL-encodes a policy document as IAM answers it (RFC 3986).
func encodeDoc(d string) string { return strings.ReplaceAll(url.QueryEscape(d), "+", "%20") }

// checkPolicy validates a policy document: a JSON object with a Statement (an object or a
// non-empty list of objects, each with Effect Allow or Deny) and, if any, Version
// 2012-10-17 or 2008-10-17.
func checkPolicy(doc string) error {
	if strings.TrimSpace(doc) == "" {
		return ErrMalformedPolicyDocument.With("Syntax errors in policy.")
	}
	if len(doc) > 131072 {
		return ErrLimitExceeded.With("Cannot exceed quota for PolicySize: 131072")
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil || m == nil {
		return ErrMalformedPolicyDocument.With("Syntax errors in policy.")
	}
	if v, ok := m["Version"]; ok {
		if s, _ := v.(string); s != "2012-10-17" && s != "2008-10-17" {
			return ErrMalformedPolicyDocument.With("The policy failed legacy parsing")
		}
	}
	var stmts []any
	switch s := m["Statement"].(type) {
	case map[string]any:
		stmts = []any{s}
	case []any:
		stmts = s
	default:
		return ErrMalformedPolicyDocument.With("Missing required field Statement")
	}
	if len(stmts) == 0 {
		return ErrMalformedPolicyDocument.With("Missing required field Statement")
	}
	for _, st := range stmts {
		sm, ok := st.(map[string]any)
		if !ok {
			return ErrMalformedPolicyDocument.With("Syntax errors in policy.")
		}
		if e, _ := sm["Effect"].(string); e != "Allow" && e != "Deny" {
			return ErrMalformedPolicyDocument.With("Invalid effect: %v", sm["Effect"])
		}
	}
	return nil
}

func checkName(field, n string, max int) error {
	if n == "" {
		return ErrValidation.With("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if len(n) > max || !userNameRE.MatchString(n[:min(len(n), 64)]) || strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-") != "" {
		return ErrValidation.With("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", n, field)
	}
	return nil
}

func checkPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if !pathRE.MatchString(p) || len(p) > 512 {
		return "", ErrValidation.With("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return p, nil
}

func (s *Service) now() time.Time { return s.env.Clock.Now().UTC().Truncate(time.Second) }

func internal(err error) error { return apierr.Wrap(err, "An internal error occurred.") }

// CreateRoleInput is the input of CreateRole.
type CreateRoleInput struct {
	RoleName                 string `json:"RoleName,omitempty"`
	Path                     string `json:"Path,omitempty"`
	AssumeRolePolicyDocument string `json:"AssumeRolePolicyDocument,omitempty"`
	Description              string `json:"Description,omitempty"`
	MaxSessionDuration       int32  `json:"MaxSessionDuration,omitzero"`
	PermissionsBoundary      string `json:"PermissionsBoundary,omitempty"`
	Tags                     []Tag  `json:"Tags,omitempty"`
}

// RoleOutput answers one role.
type RoleOutput struct {
	Role *Role `json:"Role,omitempty"`
}

// CreateRoleOutput is the output of CreateRole.
type CreateRoleOutput = RoleOutput

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(ctx context.Context, in *CreateRoleInput) (*CreateRoleOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateRole", in, func(ctx context.Context, in *CreateRoleInput) (*RoleOutput, error) {
		if err := checkName("roleName", in.RoleName, 64); err != nil {
			return nil, err
		}
		p, err := checkPath(in.Path)
		if err != nil {
			return nil, err
		}
		if in.AssumeRolePolicyDocument == "" {
			return nil, ErrValidation.With("1 validation error detected: Value at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null")
		}
		if err := checkPolicy(in.AssumeRolePolicyDocument); err != nil {
			return nil, err
		}
		msd := in.MaxSessionDuration
		if msd == 0 {
			msd = 3600
		}
		if msd < 3600 || msd > 43200 {
			return nil, ErrValidation.With("1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200", msd)
		}
		if len(in.Description) > 1000 {
			return nil, ErrValidation.With("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
		}
		if len(in.Tags) > 50 {
			return nil, ErrLimitExceeded.With("The number of tags has reached the maximum limit.")
		}
		acct := account(ctx)
		r := roleRecord{Role: Role{Path: p, RoleName: in.RoleName, RoleID: randomID("AROA", 17), Arn: "arn:aws:iam::" + acct + ":role" + p + in.RoleName,
			CreateDate: s.now(), AssumeRolePolicyDocument: in.AssumeRolePolicyDocument, Description: in.Description, MaxSessionDuration: msd, Tags: in.Tags}}
		if err := s.roles.Create(ctx, userKey(acct, in.RoleName), r); errors.Is(err, store.ErrExists) {
			return nil, ErrEntityAlreadyExists.With("Role with name %s already exists.", in.RoleName)
		} else if err != nil {
			return nil, internal(err)
		}
		o := r.out()
		return &RoleOutput{Role: &o}, nil
	})
}

func (s *Service) getRole(ctx context.Context, name string) (roleRecord, error) {
	if err := checkName("roleName", name, 64); err != nil {
		return roleRecord{}, err
	}
	r, err := s.roles.Get(ctx, userKey(account(ctx), name))
	if errors.Is(err, store.ErrNotFound) {
		return r, ErrNoSuchEntity.With("The role with name %s cannot be found.", name)
	}
	if err != nil {
		return r, internal(err)
	}
	return r, nil
}

func (s *Service) updateRole(ctx context.Context, name string, fn func(*roleRecord) error) (roleRecord, error) {
	if err := checkName("roleName", name, 64); err != nil {
		return roleRecord{}, err
	}
	r, err := s.roles.Update(ctx, userKey(account(ctx), name), fn)
	if errors.Is(err, store.ErrNotFound) {
		return r, ErrNoSuchEntity.With("The role with name %s cannot be found.", name)
	}
	var ae *apierr.Error
	if err != nil && !errors.As(err, &ae) {
		return r, internal(err)
	}
	return r, err
}

// GetRoleInput is the input of GetRole.
type GetRoleInput struct {
	RoleName string `json:"RoleName,omitempty"`
}

// GetRoleOutput is the output of GetRole.
type GetRoleOutput = RoleOutput

// GetRole describes a role.
func (s *Service) GetRole(ctx context.Context, in *GetRoleInput) (*GetRoleOutput, error) {
	return dispatch.Do(ctx, s.d, "GetRole", in, func(ctx context.Context, in *GetRoleInput) (*RoleOutput, error) {
		r, err := s.getRole(ctx, in.RoleName)
		if err != nil {
			return nil, err
		}
		o := r.out()
		return &RoleOutput{Role: &o}, nil
	})
}

// ListRolesInput is the input of ListRoles.
type ListRolesInput struct {
	PathPrefix string `json:"PathPrefix,omitempty"`
	Marker     string `json:"Marker,omitempty"`
	MaxItems   int32  `json:"MaxItems,omitzero"`
}

// ListRolesOutput is the output of ListRoles.
type ListRolesOutput struct {
	Roles       []Role `json:"Roles"`
	IsTruncated bool   `json:"IsTruncated"`
	Marker      string `json:"Marker,omitempty"`
}

// ListRoles lists the account's roles by name (tags are not answered, as AWS).
func (s *Service) ListRoles(ctx context.Context, in *ListRolesInput) (*ListRolesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListRoles", in, func(ctx context.Context, in *ListRolesInput) (*ListRolesOutput, error) {
		all, err := s.roles.All(ctx, account(ctx)+"/")
		if err != nil {
			return nil, internal(err)
		}
		var rs []Role
		for _, r := range all {
			if in.PathPrefix == "" || strings.HasPrefix(r.Path, in.PathPrefix) {
				o := r.out()
				o.Tags = nil
				rs = append(rs, o)
			}
		}
		page, marker, err := paginate(rs, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return &ListRolesOutput{Roles: page, IsTruncated: marker != "", Marker: marker}, nil
	})
}

// DeleteRoleInput is the input of DeleteRole.
type DeleteRoleInput struct {
	RoleName string `json:"RoleName,omitempty"`
}

// DeleteRoleOutput is empty.
type DeleteRoleOutput struct{}

// DeleteRole deletes a role with no inline or attached policies and in no instance profile
// (DeleteConflict otherwise).
func (s *Service) DeleteRole(ctx context.Context, in *DeleteRoleInput) (*DeleteRoleOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteRole", in, func(ctx context.Context, in *DeleteRoleInput) (*DeleteRoleOutput, error) {
		r, err := s.getRole(ctx, in.RoleName)
		if err != nil {
			return nil, err
		}
		if len(r.Inline) > 0 || len(r.Attached) > 0 {
			return nil, ErrDeleteConflict.With("Cannot delete entity, must delete policies first.")
		}
		profs, err := s.profiles.All(ctx, account(ctx)+"/")
		if err != nil {
			return nil, internal(err)
		}
		for _, p := range profs {
			for _, rn := range p.RoleNames {
				if strings.EqualFold(rn, r.RoleName) {
					return nil, ErrDeleteConflict.With("Cannot delete entity, must remove roles from instance profile first.")
				}
			}
		}
		if err := s.roles.Delete(ctx, userKey(account(ctx), r.RoleName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
		return &DeleteRoleOutput{}, nil
	})
}

// UpdateAssumeRolePolicyInput is the input of UpdateAssumeRolePolicy.
type UpdateAssumeRolePolicyInput struct {
	RoleName       string `json:"RoleName,omitempty"`
	PolicyDocument string `json:"PolicyDocument,omitempty"`
}

// UpdateAssumeRolePolicyOutput is empty.
type UpdateAssumeRolePolicyOutput struct{}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *UpdateAssumeRolePolicyInput) (*UpdateAssumeRolePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateAssumeRolePolicy", in, func(ctx context.Context, in *UpdateAssumeRolePolicyInput) (*UpdateAssumeRolePolicyOutput, error) {
		if err := checkPolicy(in.PolicyDocument); err != nil {
			return nil, err
		}
		if _, err := s.updateRole(ctx, in.RoleName, func(r *roleRecord) error {
			r.AssumeRolePolicyDocument = in.PolicyDocument
			return nil
		}); err != nil {
			return nil, err
		}
		return &UpdateAssumeRolePolicyOutput{}, nil
	})
}

// PutRolePolicyInput is the input of PutRolePolicy.
type PutRolePolicyInput struct {
	RoleName       string `json:"RoleName,omitempty"`
	PolicyName     string `json:"PolicyName,omitempty"`
	PolicyDocument string `json:"PolicyDocument,omitempty"`
}

// PutRolePolicyOutput is empty.
type PutRolePolicyOutput struct{}

// PutRolePolicy adds or replaces a role's inline policy.
func (s *Service) PutRolePolicy(ctx context.Context, in *PutRolePolicyInput) (*PutRolePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "PutRolePolicy", in, func(ctx context.Context, in *PutRolePolicyInput) (*PutRolePolicyOutput, error) {
		if err := checkName("policyName", in.PolicyName, 128); err != nil {
			return nil, err
		}
		if err := checkPolicy(in.PolicyDocument); err != nil {
			return nil, err
		}
		if _, err := s.updateRole(ctx, in.RoleName, func(r *roleRecord) error {
			if _, ok := r.Inline[in.PolicyName]; !ok && len(r.Inline) >= maxInlinePoliciesPerRole {
				return ErrLimitExceeded.With("Maximum policy size of 10240 bytes exceeded for role %s", r.RoleName)
			}
			if r.Inline == nil {
				r.Inline = map[string]string{}
			}
			r.Inline[in.PolicyName] = in.PolicyDocument
			return nil
		}); err != nil {
			return nil, err
		}
		return &PutRolePolicyOutput{}, nil
	})
}

// RolePolicyInput names a role's inline policy (GetRolePolicy, DeleteRolePolicy).
type RolePolicyInput struct {
	RoleName   string `json:"RoleName,omitempty"`
	PolicyName string `json:"PolicyName,omitempty"`
}

// GetRolePolicyInput is the input of GetRolePolicy.
type GetRolePolicyInput = RolePolicyInput

// GetRolePolicyOutput is the output of GetRolePolicy (the document URL-encoded).
type GetRolePolicyOutput struct {
	RoleName       string `json:"RoleName"`
	PolicyName     string `json:"PolicyName"`
	PolicyDocument string `json:"PolicyDocument"`
}

// GetRolePolicy answers a role's inline policy.
func (s *Service) GetRolePolicy(ctx context.Context, in *GetRolePolicyInput) (*GetRolePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "GetRolePolicy", in, func(ctx context.Context, in *GetRolePolicyInput) (*GetRolePolicyOutput, error) {
		r, err := s.getRole(ctx, in.RoleName)
		if err != nil {
			return nil, err
		}
		doc, ok := r.Inline[in.PolicyName]
		if !ok {
			return nil, ErrNoSuchEntity.With("The role policy with name %s cannot be found.", in.PolicyName)
		}
		return &GetRolePolicyOutput{RoleName: r.RoleName, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
	})
}

// DeleteRolePolicyInput is the input of DeleteRolePolicy.
type DeleteRolePolicyInput = RolePolicyInput

// DeleteRolePolicyOutput is empty.
type DeleteRolePolicyOutput struct{}

// DeleteRolePolicy deletes a role's inline policy.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *DeleteRolePolicyInput) (*DeleteRolePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteRolePolicy", in, func(ctx context.Context, in *DeleteRolePolicyInput) (*DeleteRolePolicyOutput, error) {
		if _, err := s.updateRole(ctx, in.RoleName, func(r *roleRecord) error {
			if _, ok := r.Inline[in.PolicyName]; !ok {
				return ErrNoSuchEntity.With("The role policy with name %s cannot be found.", in.PolicyName)
			}
			delete(r.Inline, in.PolicyName)
			return nil
		}); err != nil {
			return nil, err
		}
		return &DeleteRolePolicyOutput{}, nil
	})
}

// ListRolePoliciesInput is the input of ListRolePolicies.
type ListRolePoliciesInput struct {
	RoleName string `json:"RoleName,omitempty"`
	Marker   string `json:"Marker,omitempty"`
	MaxItems int32  `json:"MaxItems,omitzero"`
}

// ListRolePoliciesOutput is the output of ListRolePolicies.
type ListRolePoliciesOutput struct {
	PolicyNames []string `json:"PolicyNames"`
	IsTruncated bool     `json:"IsTruncated"`
	Marker      string   `json:"Marker,omitempty"`
}

// ListRolePolicies lists a role's inline policy names.
func (s *Service) ListRolePolicies(ctx context.Context, in *ListRolePoliciesInput) (*ListRolePoliciesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListRolePolicies", in, func(ctx context.Context, in *ListRolePoliciesInput) (*ListRolePoliciesOutput, error) {
		r, err := s.getRole(ctx, in.RoleName)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(r.Inline))
		for n := range r.Inline {
			names = append(names, n)
		}
		sort.Strings(names)
		page, marker, err := paginate(names, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return &ListRolePoliciesOutput{PolicyNames: page, IsTruncated: marker != "", Marker: marker}, nil
	})
}
