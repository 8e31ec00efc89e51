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

// InstanceProfile is an instance profile with its roles (at most one).
type InstanceProfile struct {
	Path                string    `json:"Path,omitempty"`
	InstanceProfileName string    `json:"InstanceProfileName,omitempty"`
	InstanceProfileID   string    `json:"InstanceProfileId,omitempty"`
	Arn                 string    `json:"Arn,omitempty"`
	CreateDate          time.Time `json:"CreateDate,omitzero"`
	Roles               []Role    `json:"Roles"`
	Tags                []Tag     `json:"Tags,omitempty"`
}

type profileRecord struct {
	InstanceProfile
	RoleNames []string `json:"roleNames,omitempty"`
}

// out answers the profile with its roles as they are now.
func (s *Service) profileOut(ctx context.Context, p profileRecord) InstanceProfile {
	o := p.InstanceProfile
	o.Roles = []Role{}
	for _, n := range p.RoleNames {
		if r, err := s.roles.Get(ctx, userKey(account(ctx), n)); err == nil {
			o.Roles = append(o.Roles, r.out())
		}
	}
	return o
}

// CreateInstanceProfileInput is the input of CreateInstanceProfile.
type CreateInstanceProfileInput struct {
	InstanceProfileName string `json:"InstanceProfileName,omitempty"`
	Path                string `json:"Path,omitempty"`
	Tags                []Tag  `json:"Tags,omitempty"`
}

// InstanceProfileOutput answers one instance profile.
type InstanceProfileOutput struct {
	InstanceProfile *InstanceProfile `json:"InstanceProfile,omitempty"`
}

// CreateInstanceProfileOutput is the output of CreateInstanceProfile.
type CreateInstanceProfileOutput = InstanceProfileOutput

// CreateInstanceProfile creates an empty instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, in *CreateInstanceProfileInput) (*CreateInstanceProfileOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateInstanceProfile", in, func(ctx context.Context, in *CreateInstanceProfileInput) (*InstanceProfileOutput, error) {
		if err := checkName("instanceProfileName", in.InstanceProfileName, 128); err != nil {
			return nil, err
		}
		p, err := checkPath(in.Path)
		if err != nil {
			return nil, err
		}
		acct := account(ctx)
		rec := profileRecord{InstanceProfile: InstanceProfile{Path: p, InstanceProfileName: in.InstanceProfileName, InstanceProfileID: randomID("AIPA", 17),
			Arn: "arn:aws:iam::" + acct + ":instance-profile" + p + in.InstanceProfileName, CreateDate: s.now(), Tags: in.Tags}}
		if err := s.profiles.Create(ctx, userKey(acct, in.InstanceProfileName), rec); errors.Is(err, store.ErrExists) {
			return nil, ErrEntityAlreadyExists.With("Instance Profile %s already exists.", in.InstanceProfileName)
		} else if err != nil {
			return nil, internal(err)
		}
		o := s.profileOut(ctx, rec)
		return &InstanceProfileOutput{InstanceProfile: &o}, nil
	})
}

func (s *Service) getProfile(ctx context.Context, name string) (profileRecord, error) {
	if err := checkName("instanceProfileName", name, 128); err != nil {
		return profileRecord{}, err
	}
	p, err := s.profiles.Get(ctx, userKey(account(ctx), name))
	if errors.Is(err, store.ErrNotFound) {
		return p, ErrNoSuchEntity.With("Instance Profile %s cannot be found.", name)
	}
	if err != nil {
		return p, internal(err)
	}
	return p, nil
}

// GetInstanceProfileInput is the input of GetInstanceProfile.
type GetInstanceProfileInput struct {
	InstanceProfileName string `json:"InstanceProfileName,omitempty"`
}

// GetInstanceProfileOutput is the output of GetInstanceProfile.
type GetInstanceProfileOutput = InstanceProfileOutput

// GetInstanceProfile describes an instance profile.
func (s *Service) GetInstanceProfile(ctx context.Context, in *GetInstanceProfileInput) (*GetInstanceProfileOutput, error) {
	return dispatch.Do(ctx, s.d, "GetInstanceProfile", in, func(ctx context.Context, in *GetInstanceProfileInput) (*InstanceProfileOutput, error) {
		p, err := s.getProfile(ctx, in.InstanceProfileName)
		if err != nil {
			return nil, err
		}
		o := s.profileOut(ctx, p)
		return &InstanceProfileOutput{InstanceProfile: &o}, nil
	})
}

// DeleteInstanceProfileInput is the input of DeleteInstanceProfile.
type DeleteInstanceProfileInput struct {
	InstanceProfileName string `json:"InstanceProfileName,omitempty"`
}

// DeleteInstanceProfileOutput is empty.
type DeleteInstanceProfileOutput struct{}

// DeleteInstanceProfile deletes an instance profile with no role (DeleteConflict).
func (s *Service) DeleteInstanceProfile(ctx context.Context, in *DeleteInstanceProfileInput) (*DeleteInstanceProfileOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteInstanceProfile", in, func(ctx context.Context, in *DeleteInstanceProfileInput) (*DeleteInstanceProfileOutput, error) {
		p, err := s.getProfile(ctx, in.InstanceProfileName)
		if err != nil {
			return nil, err
		}
		if len(p.RoleNames) > 0 {
			return nil, ErrDeleteConflict.With("Cannot delete entity, must remove roles from instance profile first.")
		}
		if err := s.profiles.Delete(ctx, userKey(account(ctx), p.InstanceProfileName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
		return &DeleteInstanceProfileOutput{}, nil
	})
}

// InstanceProfileRoleInput names an instance profile and a role.
type InstanceProfileRoleInput struct {
	InstanceProfileName string `json:"InstanceProfileName,omitempty"`
	RoleName            string `json:"RoleName,omitempty"`
}

// AddRoleToInstanceProfileInput is the input of AddRoleToInstanceProfile.
type AddRoleToInstanceProfileInput = InstanceProfileRoleInput

// AddRoleToInstanceProfileOutput is empty.
type AddRoleToInstanceProfileOutput struct{}

// AddRoleToInstanceProfile puts a role in an instance profile (one role per profile:
// LimitExceeded).
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *AddRoleToInstanceProfileInput) (*AddRoleToInstanceProfileOutput, error) {
	return dispatch.Do(ctx, s.d, "AddRoleToInstanceProfile", in, func(ctx context.Context, in *AddRoleToInstanceProfileInput) (*AddRoleToInstanceProfileOutput, error) {
		r, err := s.getRole(ctx, in.RoleName)
		if err != nil {
			return nil, err
		}
		if _, err := s.getProfile(ctx, in.InstanceProfileName); err != nil {
			return nil, err
		}
		_, err = s.profiles.Update(ctx, userKey(account(ctx), in.InstanceProfileName), func(p *profileRecord) error {
			if slices.ContainsFunc(p.RoleNames, func(n string) bool { return strings.EqualFold(n, r.RoleName) }) {
				return ErrEntityAlreadyExists.With("Instance Profile %s already contains role %s.", p.InstanceProfileName, r.RoleName)
			}
			if len(p.RoleNames) >= maxRolesPerProfile {
				return ErrLimitExceeded.With("Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerProfile)
			}
			p.RoleNames = append(p.RoleNames, r.RoleName)
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoSuchEntity.With("Instance Profile %s cannot be found.", in.InstanceProfileName)
		}
		if err != nil {
			return nil, err
		}
		return &AddRoleToInstanceProfileOutput{}, nil
	})
}

// RemoveRoleFromInstanceProfileInput is the input of RemoveRoleFromInstanceProfile.
type RemoveRoleFromInstanceProfileInput = InstanceProfileRoleInput

// RemoveRoleFromInstanceProfileOutput is empty.
type RemoveRoleFromInstanceProfileOutput struct{}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *RemoveRoleFromInstanceProfileInput) (*RemoveRoleFromInstanceProfileOutput, error) {
	return dispatch.Do(ctx, s.d, "RemoveRoleFromInstanceProfile", in, func(ctx context.Context, in *RemoveRoleFromInstanceProfileInput) (*RemoveRoleFromInstanceProfileOutput, error) {
		if err := checkName("roleName", in.RoleName, 64); err != nil {
			return nil, err
		}
		if _, err := s.getProfile(ctx, in.InstanceProfileName); err != nil {
			return nil, err
		}
		_, err := s.profiles.Update(ctx, userKey(account(ctx), in.InstanceProfileName), func(p *profileRecord) error {
			i := slices.IndexFunc(p.RoleNames, func(n string) bool { return strings.EqualFold(n, in.RoleName) })
			if i < 0 {
				return ErrNoSuchEntity.With("The role with name %s cannot be found.", in.RoleName)
			}
			p.RoleNames = slices.Delete(p.RoleNames, i, i+1)
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoSuchEntity.With("Instance Profile %s cannot be found.", in.InstanceProfileName)
		}
		if err != nil {
			return nil, err
		}
		return &RemoveRoleFromInstanceProfileOutput{}, nil
	})
}

// ListInstanceProfilesInput is the input of ListInstanceProfiles.
type ListInstanceProfilesInput struct {
	PathPrefix string `json:"PathPrefix,omitempty"`
	Marker     string `json:"Marker,omitempty"`
	MaxItems   int32  `json:"MaxItems,omitzero"`
}

// ListInstanceProfilesOutput is the output of ListInstanceProfiles.
type ListInstanceProfilesOutput struct {
	InstanceProfiles []InstanceProfile `json:"InstanceProfiles"`
	IsTruncated      bool              `json:"IsTruncated"`
	Marker           string            `json:"Marker,omitempty"`
}

// ListInstanceProfiles lists the account's instance profiles by name.
func (s *Service) ListInstanceProfiles(ctx context.Context, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListInstanceProfiles", in, func(ctx context.Context, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
		all, err := s.profiles.All(ctx, account(ctx)+"/")
		if err != nil {
			return nil, internal(err)
		}
		var ps []InstanceProfile
		for _, p := range all {
			if in.PathPrefix == "" || strings.HasPrefix(p.Path, in.PathPrefix) {
				ps = append(ps, s.profileOut(ctx, p))
			}
		}
		page, marker, err := paginate(ps, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return &ListInstanceProfilesOutput{InstanceProfiles: page, IsTruncated: marker != "", Marker: marker}, nil
	})
}
