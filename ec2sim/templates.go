package ec2sim

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/store"
)

type templateRecord struct {
	LaunchTemplate
}

var ltName = regexp.MustCompile(`^[a-zA-Z0-9().\-/_]{3,128}$`)

func versionKey(ltID string, v int64) string { return fmt.Sprintf("%s/%010d", ltID, v) }

func (s *Service) template(ctx context.Context, id, name string) (templateRecord, error) {
	switch {
	case id != "" && name != "":
		return templateRecord{}, ErrInvalidParameterCombo.With("Specify either a launch template ID or a launch template name, but not both.")
	case id != "":
		if !validID(id, "lt") {
			return templateRecord{}, apierr.New(apierr.Invalid, "InvalidLaunchTemplateId.Malformed", "The specified launch template ID is invalid: %s", id)
		}
		r, err := s.templates.Get(ctx, scope(ctx)+id)
		if errors.Is(err, store.ErrNotFound) {
			return r, ErrLaunchTemplateIDNotFound.With("The specified launch template, with template ID %s, does not exist.", id)
		}
		return r, err
	case name != "":
		all, err := s.templates.All(ctx, scope(ctx))
		if err != nil {
			return templateRecord{}, err
		}
		for _, t := range all {
			if t.LaunchTemplateName == name {
				return t, nil
			}
		}
		return templateRecord{}, ErrLaunchTemplateNotFound.With("The specified launch template, with template name %s, does not exist.", name)
	}
	return templateRecord{}, ErrMissingParameter.With("The request must contain the parameter LaunchTemplateId or LaunchTemplateName")
}

// versionNumber resolves "", "$Default", "$Latest" or a number.
func versionNumber(t templateRecord, v string) (int64, error) {
	switch v {
	case "", "$Default":
		return t.DefaultVersionNumber, nil
	case "$Latest":
		return t.LatestVersionNumber, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, apierr.New(apierr.Invalid, "InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %s for launch template %s", v, t.LaunchTemplateID)
	}
	return n, nil
}

func (s *Service) templateVersion(ctx context.Context, t templateRecord, v string) (LaunchTemplateVersion, error) {
	n, err := versionNumber(t, v)
	if err != nil {
		return LaunchTemplateVersion{}, err
	}
	ver, err := s.versions.Get(ctx, scope(ctx)+versionKey(t.LaunchTemplateID, n))
	if errors.Is(err, store.ErrNotFound) {
		return ver, ErrLaunchTemplateVersion.With("Could not find launch template version %s for launch template %s", v, t.LaunchTemplateID)
	}
	ver.DefaultVersion = n == t.DefaultVersionNumber
	return ver, err
}

func validateTemplateData(d *LaunchTemplateData) error {
	if d.UserData != "" {
		if _, err := base64.StdEncoding.DecodeString(d.UserData); err != nil {
			return ErrInvalidParameterValue.With("Invalid BASE64 encoding of user data.")
		}
	}
	if d.ImageID != "" && !validID(d.ImageID, "ami") && !strings.HasPrefix(d.ImageID, "resolve:ssm:") {
		return ErrAMIMalformed.With("Invalid id: \"%s\" (expecting \"ami-...\")", d.ImageID)
	}
	if d.InstanceType != "" && !knownInstanceType(d.InstanceType) {
		return ErrInvalidParameterValue.With("Invalid value '%s' for InstanceType.", d.InstanceType)
	}
	for _, ts := range d.TagSpecifications {
		switch ts.ResourceType {
		case "instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu":
		default:
			return ErrInvalidParameterValue.With("'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
		if err := validateTags(ts.Tags, false); err != nil {
			return err
		}
	}
	return nil
}

// CreateLaunchTemplate creates a launch template with its version 1.
func (s *Service) CreateLaunchTemplate(ctx context.Context, in *CreateLaunchTemplateInput) (*CreateLaunchTemplateOutput, error) {
	return dispatchDo(ctx, s, "CreateLaunchTemplate", in, s.createLaunchTemplate)
}

func (s *Service) createLaunchTemplate(ctx context.Context, in *CreateLaunchTemplateInput) (*CreateLaunchTemplateOutput, error) {
	if !ltName.MatchString(in.LaunchTemplateName) {
		return nil, ErrInvalidParameterValue.With("Launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'")
	}
	if err := validateTemplateData(&in.LaunchTemplateData); err != nil {
		return nil, err
	}
	var tags []Tag
	for _, ts := range in.TagSpecifications {
		if ts.ResourceType != "launch-template" {
			return nil, ErrInvalidParameterValue.With("'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
		tags = append(tags, ts.Tags...)
	}
	if err := validateTags(tags, false); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	if _, err := s.template(ctx, "", in.LaunchTemplateName); err == nil {
		return nil, ErrLaunchTemplateExists.With("Launch template name already in use.")
	}
	caller, _ := identity.From(ctx)
	now := s.clk.Now().UTC()
	t := templateRecord{LaunchTemplate{LaunchTemplateID: newID("lt"), LaunchTemplateName: in.LaunchTemplateName, CreateTime: now,
		CreatedBy: caller.PrincipalARN, DefaultVersionNumber: 1, LatestVersionNumber: 1, Tags: tags}}
	v := LaunchTemplateVersion{LaunchTemplateID: t.LaunchTemplateID, LaunchTemplateName: t.LaunchTemplateName, VersionNumber: 1,
		VersionDescription: in.VersionDescription, CreateTime: now, CreatedBy: caller.PrincipalARN, DefaultVersion: true, LaunchTemplateData: in.LaunchTemplateData}
	if err := s.templates.Create(ctx, scope(ctx)+t.LaunchTemplateID, t); err != nil {
		return nil, err
	}
	if err := s.versions.Put(ctx, scope(ctx)+versionKey(t.LaunchTemplateID, 1), v); err != nil {
		return nil, err
	}
	return &CreateLaunchTemplateOutput{LaunchTemplate: t.LaunchTemplate}, nil
}

// CreateLaunchTemplateVersion adds a version; with SourceVersion the new data is merged over
// that version's (top-level fields given replace the source's).
func (s *Service) CreateLaunchTemplateVersion(ctx context.Context, in *CreateLaunchTemplateVersionInput) (*CreateLaunchTemplateVersionOutput, error) {
	return dispatchDo(ctx, s, "CreateLaunchTemplateVersion", in, func(ctx context.Context, in *CreateLaunchTemplateVersionInput) (*CreateLaunchTemplateVersionOutput, error) {
		t, err := s.template(ctx, in.LaunchTemplateID, in.LaunchTemplateName)
		if err != nil {
			return nil, err
		}
		if err := validateTemplateData(&in.LaunchTemplateData); err != nil {
			return nil, err
		}
		data := in.LaunchTemplateData
		if in.SourceVersion != "" {
			src, err := s.templateVersion(ctx, t, in.SourceVersion)
			if err != nil {
				return nil, err
			}
			data = mergeData(src.LaunchTemplateData, data)
		}
		caller, _ := identity.From(ctx)
		var v LaunchTemplateVersion
		t2, err := s.templates.Update(ctx, scope(ctx)+t.LaunchTemplateID, func(r *templateRecord) error {
			r.LatestVersionNumber++
			return nil
		})
		if err != nil {
			return nil, err
		}
		if t2.LatestVersionNumber > 10000 {
			return nil, apierr.New(apierr.LimitExceeded, "LaunchTemplateVersionLimitExceeded", "You have reached the maximum number of versions (10000) for this launch template.")
		}
		v = LaunchTemplateVersion{LaunchTemplateID: t.LaunchTemplateID, LaunchTemplateName: t.LaunchTemplateName, VersionNumber: t2.LatestVersionNumber,
			VersionDescription: in.VersionDescription, CreateTime: s.clk.Now().UTC(), CreatedBy: caller.PrincipalARN, LaunchTemplateData: data}
		if err := s.versions.Put(ctx, scope(ctx)+versionKey(t.LaunchTemplateID, v.VersionNumber), v); err != nil {
			return nil, err
		}
		return &CreateLaunchTemplateVersionOutput{LaunchTemplateVersion: v}, nil
	})
}

func mergeData(base, over LaunchTemplateData) LaunchTemplateData {
	out := base
	if over.ImageID != "" {
		out.ImageID = over.ImageID
	}
	if over.InstanceType != "" {
		out.InstanceType = over.InstanceType
	}
	if over.KeyName != "" {
		out.KeyName = over.KeyName
	}
	if over.SecurityGroupIDs != nil {
		out.SecurityGroupIDs = over.SecurityGroupIDs
	}
	if over.SecurityGroups != nil {
		out.SecurityGroups = over.SecurityGroups
	}
	if over.UserData != "" {
		out.UserData = over.UserData
	}
	if over.TagSpecifications != nil {
		out.TagSpecifications = over.TagSpecifications
	}
	if over.IamInstanceProfile != nil {
		out.IamInstanceProfile = over.IamInstanceProfile
	}
	if over.MetadataOptions != nil {
		out.MetadataOptions = over.MetadataOptions
	}
	if over.NetworkInterfaces != nil {
		out.NetworkInterfaces = over.NetworkInterfaces
	}
	if over.BlockDeviceMappings != nil {
		out.BlockDeviceMappings = over.BlockDeviceMappings
	}
	if over.Placement != nil {
		out.Placement = over.Placement
	}
	if over.DisableApiTermination {
		out.DisableApiTermination = true
	}
	if over.Monitoring != nil {
		out.Monitoring = over.Monitoring
	}
	return out
}

// DescribeLaunchTemplates lists templates.
func (s *Service) DescribeLaunchTemplates(ctx context.Context, in *DescribeLaunchTemplatesInput) (*DescribeLaunchTemplatesOutput, error) {
	return dispatchDo(ctx, s, "DescribeLaunchTemplates", in, func(ctx context.Context, in *DescribeLaunchTemplatesInput) (*DescribeLaunchTemplatesOutput, error) {
		limit, after, err := pageParams(in.MaxResults, 1, 200, nil, in.NextToken)
		if err != nil {
			return nil, err
		}
		for _, id := range in.LaunchTemplateIDs {
			if _, err := s.template(ctx, id, ""); err != nil {
				return nil, err
			}
		}
		for _, n := range in.LaunchTemplateNames {
			if _, err := s.template(ctx, "", n); err != nil {
				return nil, err
			}
		}
		all, err := s.templates.All(ctx, scope(ctx))
		if err != nil {
			return nil, err
		}
		slices.SortFunc(all, func(a, b templateRecord) int { return strings.Compare(a.LaunchTemplateID, b.LaunchTemplateID) })
		id := func(t templateRecord) string { return t.LaunchTemplateID }
		lts, next, err := selection[templateRecord, LaunchTemplate]{
			ids: []byID[templateRecord]{{want: in.LaunchTemplateIDs, of: id},
				{want: in.LaunchTemplateNames, of: func(t templateRecord) string { return t.LaunchTemplateName }}},
			filters: in.Filters, values: templateFilter, view: func(t templateRecord) LaunchTemplate { return t.LaunchTemplate },
			limit: limit, after: after, key: id,
		}.run(all)
		if err != nil {
			return nil, err
		}
		return &DescribeLaunchTemplatesOutput{LaunchTemplates: lts, NextToken: next}, nil
	})
}

func templateFilter(t templateRecord, name string) ([]string, bool) {
	switch name {
	case "launch-template-name":
		return []string{t.LaunchTemplateName}, true
	case "create-time":
		return []string{t.CreateTime.Format("2006-01-02T15:04:05.000Z")}, true
	}
	return tagFilter(name, t.Tags)
}

// DeleteLaunchTemplate deletes a template and its versions.
func (s *Service) DeleteLaunchTemplate(ctx context.Context, in *DeleteLaunchTemplateInput) (*DeleteLaunchTemplateOutput, error) {
	return dispatchDo(ctx, s, "DeleteLaunchTemplate", in, func(ctx context.Context, in *DeleteLaunchTemplateInput) (*DeleteLaunchTemplateOutput, error) {
		t, err := s.template(ctx, in.LaunchTemplateID, in.LaunchTemplateName)
		if err != nil {
			return nil, err
		}
		if err := store.DeletePrefix(ctx, s.env.Store, s.versions.Prefix()+scope(ctx)+t.LaunchTemplateID+"/"); err != nil {
			return nil, err
		}
		if err := s.templates.Delete(ctx, scope(ctx)+t.LaunchTemplateID); err != nil {
			return nil, err
		}
		return &DeleteLaunchTemplateOutput{LaunchTemplate: t.LaunchTemplate}, nil
	})
}

// ModifyLaunchTemplate sets the default version.
func (s *Service) ModifyLaunchTemplate(ctx context.Context, in *ModifyLaunchTemplateInput) (*ModifyLaunchTemplateOutput, error) {
	return dispatchDo(ctx, s, "ModifyLaunchTemplate", in, func(ctx context.Context, in *ModifyLaunchTemplateInput) (*ModifyLaunchTemplateOutput, error) {
		t, err := s.template(ctx, in.LaunchTemplateID, in.LaunchTemplateName)
		if err != nil {
			return nil, err
		}
		if in.DefaultVersion != "" {
			v, err := s.templateVersion(ctx, t, in.DefaultVersion)
			if err != nil {
				return nil, err
			}
			t, err = s.templates.Update(ctx, scope(ctx)+t.LaunchTemplateID, func(r *templateRecord) error {
				r.DefaultVersionNumber = v.VersionNumber
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		return &ModifyLaunchTemplateOutput{LaunchTemplate: t.LaunchTemplate}, nil
	})
}

// DescribeLaunchTemplateVersions lists versions of one template (or the named versions).
func (s *Service) DescribeLaunchTemplateVersions(ctx context.Context, in *DescribeLaunchTemplateVersionsInput) (*DescribeLaunchTemplateVersionsOutput, error) {
	return dispatchDo(ctx, s, "DescribeLaunchTemplateVersions", in, func(ctx context.Context, in *DescribeLaunchTemplateVersionsInput) (*DescribeLaunchTemplateVersionsOutput, error) {
		t, err := s.template(ctx, in.LaunchTemplateID, in.LaunchTemplateName)
		if err != nil {
			return nil, err
		}
		limit, err := pageLimit(in.MaxResults, 1, 200)
		if err != nil {
			return nil, err
		}
		after, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		afterN, _ := strconv.ParseInt(after, 10, 64)
		out := &DescribeLaunchTemplateVersionsOutput{LaunchTemplateVersions: []LaunchTemplateVersion{}}
		if len(in.Versions) > 0 {
			for _, v := range in.Versions {
				ver, err := s.templateVersion(ctx, t, v)
				if err != nil {
					return nil, err
				}
				out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, ver)
			}
			return out, nil
		}
		var minV, maxV int64 = 0, 1 << 62
		if in.MinVersion != "" {
			if minV, err = versionNumber(t, in.MinVersion); err != nil {
				return nil, err
			}
		}
		if in.MaxVersion != "" {
			if maxV, err = versionNumber(t, in.MaxVersion); err != nil {
				return nil, err
			}
		}
		all, err := s.versions.All(ctx, scope(ctx)+t.LaunchTemplateID+"/")
		if err != nil {
			return nil, err
		}
		for _, v := range all {
			if v.VersionNumber < minV || v.VersionNumber > maxV || v.VersionNumber <= afterN {
				continue
			}
			v.DefaultVersion = v.VersionNumber == t.DefaultVersionNumber
			ok, err := matchFilters(in.Filters, func(name string) ([]string, bool) {
				switch name {
				case "image-id":
					return []string{v.LaunchTemplateData.ImageID}, true
				case "instance-type":
					return []string{v.LaunchTemplateData.InstanceType}, true
				case "is-default-version":
					return []string{fmt.Sprint(v.DefaultVersion)}, true
				case "version-description":
					return []string{v.VersionDescription}, true
				}
				return nil, false
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if limit > 0 && len(out.LaunchTemplateVersions) == limit {
				out.NextToken = encodeToken(strconv.FormatInt(out.LaunchTemplateVersions[limit-1].VersionNumber, 10))
				break
			}
			out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, v)
		}
		return out, nil
	})
}

// DeleteLaunchTemplateVersions deletes versions other than the default one.
func (s *Service) DeleteLaunchTemplateVersions(ctx context.Context, in *DeleteLaunchTemplateVersionsInput) (*DeleteLaunchTemplateVersionsOutput, error) {
	return dispatchDo(ctx, s, "DeleteLaunchTemplateVersions", in, func(ctx context.Context, in *DeleteLaunchTemplateVersionsInput) (*DeleteLaunchTemplateVersionsOutput, error) {
		t, err := s.template(ctx, in.LaunchTemplateID, in.LaunchTemplateName)
		if err != nil {
			return nil, err
		}
		if len(in.Versions) == 0 {
			return nil, ErrMissingParameter.With("The request must contain the parameter LaunchTemplateVersion")
		}
		out := &DeleteLaunchTemplateVersionsOutput{}
		for _, vs := range in.Versions {
			item := DeleteLaunchTemplateVersionsResponseItem{LaunchTemplateID: t.LaunchTemplateID, LaunchTemplateName: t.LaunchTemplateName}
			n, err := strconv.ParseInt(vs, 10, 64)
			if err != nil {
				item.ResponseError = &ResponseError{Code: "launchTemplateVersionDoesNotExist", Message: "The specified launch template version does not exist."}
				out.UnsuccessfullyDeleted = append(out.UnsuccessfullyDeleted, item)
				continue
			}
			item.VersionNumber = n
			if n == t.DefaultVersionNumber {
				item.ResponseError = &ResponseError{Code: "launchTemplateVersionIsDefault", Message: "You cannot delete the default version of a launch template."}
				out.UnsuccessfullyDeleted = append(out.UnsuccessfullyDeleted, item)
				continue
			}
			if err := s.versions.Delete(ctx, scope(ctx)+versionKey(t.LaunchTemplateID, n)); err != nil {
				item.ResponseError = &ResponseError{Code: "launchTemplateVersionDoesNotExist", Message: "The specified launch template version does not exist."}
				out.UnsuccessfullyDeleted = append(out.UnsuccessfullyDeleted, item)
				continue
			}
			out.SuccessfullyDeleted = append(out.SuccessfullyDeleted, item)
		}
		return out, nil
	})
}
