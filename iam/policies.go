package iam

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Policy is a customer managed policy (one version, v1).
type Policy struct {
	PolicyName       string    `json:"PolicyName,omitempty"`
	PolicyID         string    `json:"PolicyId,omitempty"`
	Arn              string    `json:"Arn,omitempty"`
	Path             string    `json:"Path,omitempty"`
	DefaultVersionID string    `json:"DefaultVersionId,omitempty"`
	AttachmentCount  int32     `json:"AttachmentCount"`
	IsAttachable     bool      `json:"IsAttachable"`
	Description      string    `json:"Description,omitempty"`
	CreateDate       time.Time `json:"CreateDate,omitzero"`
	UpdateDate       time.Time `json:"UpdateDate,omitzero"`
	Tags             []Tag     `json:"Tags,omitempty"`
}

type policyRecord struct {
	Policy
	Document string `json:"document"`
}

// policyKey keys a customer managed policy by its ARN's account and path/name.
func policyKey(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", false
	}
	acct, res, ok := strings.Cut(rest, ":policy/")
	if !ok || acct == "" || res == "" {
		return "", false
	}
	return acct + "/" + strings.ToLower(res), true
}

// AWSManaged reports whether arn names an AWS managed policy (arn:aws:iam::aws:policy/...);
// they are accepted for attachment without being modelled.
func AWSManaged(arn string) bool {
	return strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") && len(arn) > len("arn:aws:iam::aws:policy/")
}

// CreatePolicyInput is the input of CreatePolicy.
type CreatePolicyInput struct {
	PolicyName     string `json:"PolicyName,omitempty"`
	Path           string `json:"Path,omitempty"`
	PolicyDocument string `json:"PolicyDocument,omitempty"`
	Description    string `json:"Description,omitempty"`
	Tags           []Tag  `json:"Tags,omitempty"`
}

// PolicyOutput answers one policy.
type PolicyOutput struct {
	Policy *Policy `json:"Policy,omitempty"`
}

// CreatePolicyOutput is the output of CreatePolicy.
type CreatePolicyOutput = PolicyOutput

// CreatePolicy creates a customer managed policy (default version v1).
func (s *Service) CreatePolicy(ctx context.Context, in *CreatePolicyInput) (*CreatePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "CreatePolicy", in, func(ctx context.Context, in *CreatePolicyInput) (*PolicyOutput, error) {
		if err := checkName("policyName", in.PolicyName, 128); err != nil {
			return nil, err
		}
		p, err := checkPath(in.Path)
		if err != nil {
			return nil, err
		}
		if err := checkPolicy(in.PolicyDocument); err != nil {
			return nil, err
		}
		acct := account(ctx)
		now := s.now()
		rec := policyRecord{Policy: Policy{PolicyName: in.PolicyName, PolicyID: randomID("ANPA", 17), Arn: "arn:aws:iam::" + acct + ":policy" + p + in.PolicyName,
			Path: p, DefaultVersionID: "v1", IsAttachable: true, Description: in.Description, CreateDate: now, UpdateDate: now, Tags: in.Tags}, Document: in.PolicyDocument}
		// Names are unique per account whatever the path.
		all, err := s.policies.All(ctx, acct+"/")
		if err != nil {
			return nil, internal(err)
		}
		for _, o := range all {
			if strings.EqualFold(o.PolicyName, in.PolicyName) {
				return nil, ErrEntityAlreadyExists.With("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
			}
		}
		key, _ := policyKey(rec.Arn)
		if err := s.policies.Create(ctx, key, rec); errors.Is(err, store.ErrExists) {
			return nil, ErrEntityAlreadyExists.With("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
		} else if err != nil {
			return nil, internal(err)
		}
		o := rec.Policy
		return &PolicyOutput{Policy: &o}, nil
	})
}

func (s *Service) getPolicy(ctx context.Context, arn string) (policyRecord, error) {
	key, ok := policyKey(arn)
	if !ok {
		return policyRecord{}, ErrInvalidInput.With("ARN %s is not valid.", arn)
	}
	if !strings.HasPrefix(key, account(ctx)+"/") {
		return policyRecord{}, ErrNoSuchEntity.With("Policy %s does not exist or is not attachable.", arn)
	}
	rec, err := s.policies.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return rec, ErrNoSuchEntity.With("Policy %s does not exist or is not attachable.", arn)
	}
	if err != nil {
		return rec, internal(err)
	}
	n, err := s.attachments(ctx, rec.Arn)
	if err != nil {
		return rec, err
	}
	rec.AttachmentCount = int32(n)
	return rec, nil
}

// attachments counts the roles a managed policy is attached to.
func (s *Service) attachments(ctx context.Context, arn string) (int, error) {
	roles, err := s.roles.All(ctx, account(ctx)+"/")
	if err != nil {
		return 0, internal(err)
	}
	n := 0
	for _, r := range roles {
		if slices.Contains(r.Attached, arn) {
			n++
		}
	}
	return n, nil
}

// GetPolicyInput is the input of GetPolicy.
type GetPolicyInput struct {
	PolicyArn string `json:"PolicyArn,omitempty"`
}

// GetPolicyOutput is the output of GetPolicy.
type GetPolicyOutput = PolicyOutput

// GetPolicy describes a customer managed policy.
func (s *Service) GetPolicy(ctx context.Context, in *GetPolicyInput) (*GetPolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "GetPolicy", in, func(ctx context.Context, in *GetPolicyInput) (*PolicyOutput, error) {
		rec, err := s.getPolicy(ctx, in.PolicyArn)
		if err != nil {
			return nil, err
		}
		o := rec.Policy
		return &PolicyOutput{Policy: &o}, nil
	})
}

// PolicyVersion is a managed policy's document (GetPolicyVersion).
type PolicyVersion struct {
	Document         string    `json:"Document,omitempty"`
	VersionID        string    `json:"VersionId,omitempty"`
	IsDefaultVersion bool      `json:"IsDefaultVersion"`
	CreateDate       time.Time `json:"CreateDate,omitzero"`
}

// GetPolicyVersionInput is the input of GetPolicyVersion.
type GetPolicyVersionInput struct {
	PolicyArn string `json:"PolicyArn,omitempty"`
	VersionID string `json:"VersionId,omitempty"`
}

// GetPolicyVersionOutput is the output of GetPolicyVersion.
type GetPolicyVersionOutput struct {
	PolicyVersion *PolicyVersion `json:"PolicyVersion,omitempty"`
}

// GetPolicyVersion answers a customer managed policy's document (only v1 exists).
func (s *Service) GetPolicyVersion(ctx context.Context, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
	return dispatch.Do(ctx, s.d, "GetPolicyVersion", in, func(ctx context.Context, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
		rec, err := s.getPolicy(ctx, in.PolicyArn)
		if err != nil {
			return nil, err
		}
		if in.VersionID != rec.DefaultVersionID {
			return nil, ErrNoSuchEntity.With("Policy %s version %s does not exist or is not attachable.", in.PolicyArn, in.VersionID)
		}
		return &GetPolicyVersionOutput{PolicyVersion: &PolicyVersion{Document: encodeDoc(rec.Document), VersionID: rec.DefaultVersionID, IsDefaultVersion: true, CreateDate: rec.CreateDate}}, nil
	})
}

// DeletePolicyInput is the input of DeletePolicy.
type DeletePolicyInput struct {
	PolicyArn string `json:"PolicyArn,omitempty"`
}

// DeletePolicyOutput is empty.
type DeletePolicyOutput struct{}

// DeletePolicy deletes a customer managed policy attached to no role (DeleteConflict).
func (s *Service) DeletePolicy(ctx context.Context, in *DeletePolicyInput) (*DeletePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "DeletePolicy", in, func(ctx context.Context, in *DeletePolicyInput) (*DeletePolicyOutput, error) {
		rec, err := s.getPolicy(ctx, in.PolicyArn)
		if err != nil {
			return nil, err
		}
		if rec.AttachmentCount > 0 {
			return nil, ErrDeleteConflict.With("Cannot delete a policy attached to entities.")
		}
		key, _ := policyKey(rec.Arn)
		if err := s.policies.Delete(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
		return &DeletePolicyOutput{}, nil
	})
}

// RolePolicyAttachmentInput names a role and a managed policy.
type RolePolicyAttachmentInput struct {
	RoleName  string `json:"RoleName,omitempty"`
	PolicyArn string `json:"PolicyArn,omitempty"`
}

// AttachRolePolicyInput is the input of AttachRolePolicy.
type AttachRolePolicyInput = RolePolicyAttachmentInput

// AttachRolePolicyOutput is empty.
type AttachRolePolicyOutput struct{}

// AttachRolePolicy attaches a managed policy (customer managed, which must exist, or AWS
// managed) to a role; attaching twice is a no-op.
func (s *Service) AttachRolePolicy(ctx context.Context, in *AttachRolePolicyInput) (*AttachRolePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "AttachRolePolicy", in, func(ctx context.Context, in *AttachRolePolicyInput) (*AttachRolePolicyOutput, error) {
		if !AWSManaged(in.PolicyArn) {
			if _, err := s.getPolicy(ctx, in.PolicyArn); err != nil {
				return nil, err
			}
		}
		if _, err := s.updateRole(ctx, in.RoleName, func(r *roleRecord) error {
			if slices.Contains(r.Attached, in.PolicyArn) {
				return nil
			}
			if len(r.Attached) >= maxAttachedPerRole {
				return ErrLimitExceeded.With("Cannot exceed quota for PoliciesPerRole: %d", maxAttachedPerRole)
			}
			r.Attached = append(r.Attached, in.PolicyArn)
			return nil
		}); err != nil {
			return nil, err
		}
		return &AttachRolePolicyOutput{}, nil
	})
}

// DetachRolePolicyInput is the input of DetachRolePolicy.
type DetachRolePolicyInput = RolePolicyAttachmentInput

// DetachRolePolicyOutput is empty.
type DetachRolePolicyOutput struct{}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, in *DetachRolePolicyInput) (*DetachRolePolicyOutput, error) {
	return dispatch.Do(ctx, s.d, "DetachRolePolicy", in, func(ctx context.Context, in *DetachRolePolicyInput) (*DetachRolePolicyOutput, error) {
		if _, err := s.updateRole(ctx, in.RoleName, func(r *roleRecord) error {
			i := slices.Index(r.Attached, in.PolicyArn)
			if i < 0 {
				return ErrNoSuchEntity.With("Policy %s was not found.", in.PolicyArn)
			}
			r.Attached = slices.Delete(r.Attached, i, i+1)
			return nil
		}); err != nil {
			return nil, err
		}
		return &DetachRolePolicyOutput{}, nil
	})
}

// AttachedPolicy names an attached managed policy.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

// ListAttachedRolePoliciesInput is the input of ListAttachedRolePolicies.
type ListAttachedRolePoliciesInput struct {
	RoleName   string `json:"RoleName,omitempty"`
	PathPrefix string `json:"PathPrefix,omitempty"`
	Marker     string `json:"Marker,omitempty"`
	MaxItems   int32  `json:"MaxItems,omitzero"`
}

// ListAttachedRolePoliciesOutput is the output of ListAttachedRolePolicies.
type ListAttachedRolePoliciesOutput struct {
	AttachedPolicies []AttachedPolicy `json:"AttachedPolicies"`
	IsTruncated      bool             `json:"IsTruncated"`
	Marker           string           `json:"Marker,omitempty"`
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *ListAttachedRolePoliciesInput) (*ListAttachedRolePoliciesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListAttachedRolePolicies", in, func(ctx context.Context, in *ListAttachedRolePoliciesInput) (*ListAttachedRolePoliciesOutput, error) {
		r, err := s.getRole(ctx, in.RoleName)
		if err != nil {
			return nil, err
		}
		var ps []AttachedPolicy
		for _, arn := range r.Attached {
			_, res, _ := strings.Cut(arn, ":policy")
			i := strings.LastIndex(res, "/")
			if in.PathPrefix != "" && !strings.HasPrefix(res[:i+1], in.PathPrefix) {
				continue
			}
			ps = append(ps, AttachedPolicy{PolicyName: res[i+1:], PolicyArn: arn})
		}
		page, marker, err := paginate(ps, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return &ListAttachedRolePoliciesOutput{AttachedPolicies: page, IsTruncated: marker != "", Marker: marker}, nil
	})
}
