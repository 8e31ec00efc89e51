package codedeploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/store"
)

// ---- applications

// CreateApplication creates an application.
func (s *Service) CreateApplication(ctx context.Context, in *CreateApplicationInput) (*CreateApplicationOutput, error) {
	return dispatchDo(ctx, s, "CreateApplication", in, s.createApplication)
}

func (s *Service) createApplication(ctx context.Context, in *CreateApplicationInput) (*CreateApplicationOutput, error) {
	if in.ApplicationName == "" {
		return nil, ErrApplicationNameRequired
	}
	if !validName(in.ApplicationName, 100) {
		return nil, ErrInvalidApplicationName.With("The application name is too long (more than 100 characters) or malformed.")
	}
	if err := checkPlatform(in.ComputePlatform); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	rec := appRecord{Info: ApplicationInfo{
		ApplicationID: newID(), ApplicationName: in.ApplicationName, CreateTime: s.now(), ComputePlatform: "Server",
	}, Tags: in.Tags}
	err := s.apps.Create(ctx, appKey(ctx, in.ApplicationName), rec)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrApplicationAlreadyExists.With("%s already exists in your account", in.ApplicationName)
	}
	if err != nil {
		return nil, wrap(err)
	}
	return &CreateApplicationOutput{ApplicationID: rec.Info.ApplicationID}, nil
}

func checkPlatform(p string) error {
	switch p {
	case "", "Server":
		return nil
	case "Lambda", "ECS":
		return ErrInvalidComputePlatform.With("The %s compute platform is not supported by devopsim yet; only Server (EC2/On-premises) applications can be created.", p)
	}
	return ErrInvalidComputePlatform.With("Invalid computePlatform: %s. Valid values are Server, Lambda and ECS.", p)
}

func checkTags(tags []Tag) error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(t.Key, "aws:") {
			return ErrInvalidTagsToAdd.With("Tag key %q or value %q is invalid", t.Key, t.Value)
		}
	}
	return nil
}

// GetApplication describes an application.
func (s *Service) GetApplication(ctx context.Context, in *GetApplicationInput) (*GetApplicationOutput, error) {
	return dispatchDo(ctx, s, "GetApplication", in, func(ctx context.Context, in *GetApplicationInput) (*GetApplicationOutput, error) {
		a, err := s.getApp(ctx, in.ApplicationName)
		if err != nil {
			return nil, wrap(err)
		}
		return &GetApplicationOutput{Application: &a.Info}, nil
	})
}

// BatchGetApplications describes up to 100 applications.
func (s *Service) BatchGetApplications(ctx context.Context, in *BatchGetApplicationsInput) (*BatchGetApplicationsOutput, error) {
	return dispatchDo(ctx, s, "BatchGetApplications", in, func(ctx context.Context, in *BatchGetApplicationsInput) (*BatchGetApplicationsOutput, error) {
		if len(in.ApplicationNames) == 0 {
			return nil, ErrApplicationNameRequired
		}
		if len(in.ApplicationNames) > 100 {
			return nil, ErrBatchLimitExceeded
		}
		out := &BatchGetApplicationsOutput{ApplicationsInfo: []ApplicationInfo{}}
		for _, n := range in.ApplicationNames {
			a, err := s.getApp(ctx, n)
			if err != nil {
				return nil, wrap(err)
			}
			out.ApplicationsInfo = append(out.ApplicationsInfo, a.Info)
		}
		return out, nil
	})
}

// ListApplications lists application names, 100 a page.
func (s *Service) ListApplications(ctx context.Context, in *ListApplicationsInput) (*ListApplicationsOutput, error) {
	return dispatchDo(ctx, s, "ListApplications", in, func(ctx context.Context, in *ListApplicationsInput) (*ListApplicationsOutput, error) {
		after, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if after != "" {
			after = appKey(ctx, after)
		}
		vals, next, err := s.apps.List(ctx, appKey(ctx, ""), after, 100)
		if err != nil {
			return nil, wrap(err)
		}
		out := &ListApplicationsOutput{Applications: []string{}}
		for _, a := range vals {
			out.Applications = append(out.Applications, a.Info.ApplicationName)
		}
		if next != "" && len(vals) > 0 {
			out.NextToken = encodeToken(vals[len(vals)-1].Info.ApplicationName)
		}
		return out, nil
	})
}

// UpdateApplication renames an application.
func (s *Service) UpdateApplication(ctx context.Context, in *UpdateApplicationInput) (*UpdateApplicationOutput, error) {
	return dispatchDo(ctx, s, "UpdateApplication", in, func(ctx context.Context, in *UpdateApplicationInput) (*UpdateApplicationOutput, error) {
		a, err := s.getApp(ctx, in.ApplicationName)
		if err != nil {
			return nil, wrap(err)
		}
		if in.NewApplicationName == "" || in.NewApplicationName == in.ApplicationName {
			return &UpdateApplicationOutput{}, nil
		}
		if !validName(in.NewApplicationName, 100) {
			return nil, ErrInvalidApplicationName
		}
		a.Info.ApplicationName = in.NewApplicationName
		if err := s.apps.Create(ctx, appKey(ctx, in.NewApplicationName), a); errors.Is(err, store.ErrExists) {
			return nil, ErrApplicationAlreadyExists.With("%s already exists in your account", in.NewApplicationName)
		} else if err != nil {
			return nil, wrap(err)
		}
		// move the application's groups and revisions
		groups, _ := s.groups.All(ctx, groupKey(ctx, in.ApplicationName, ""))
		for _, g := range groups {
			g.Info.ApplicationName = in.NewApplicationName
			_ = s.groups.Put(ctx, groupKey(ctx, in.NewApplicationName, g.Info.DeploymentGroupName), g)
			_ = s.groups.Delete(ctx, groupKey(ctx, in.ApplicationName, g.Info.DeploymentGroupName))
		}
		revs, _ := s.revisions.All(ctx, appKey(ctx, in.ApplicationName)+"/")
		for _, r := range revs {
			_ = s.revisions.Put(ctx, revisionKey(ctx, in.NewApplicationName, &r.Location), r)
			_ = s.revisions.Delete(ctx, revisionKey(ctx, in.ApplicationName, &r.Location))
		}
		_ = s.apps.Delete(ctx, appKey(ctx, in.ApplicationName))
		return &UpdateApplicationOutput{}, nil
	})
}

// DeleteApplication deletes an application with its deployment groups and revision records.
func (s *Service) DeleteApplication(ctx context.Context, in *DeleteApplicationInput) (*DeleteApplicationOutput, error) {
	return dispatchDo(ctx, s, "DeleteApplication", in, func(ctx context.Context, in *DeleteApplicationInput) (*DeleteApplicationOutput, error) {
		if in.ApplicationName == "" {
			return nil, ErrApplicationNameRequired
		}
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			if errors.Is(err, ErrApplicationDoesNotExist) {
				return &DeleteApplicationOutput{}, nil // AWS answers success for a missing application
			}
			return nil, wrap(err)
		}
		groups, _ := s.groups.All(ctx, groupKey(ctx, in.ApplicationName, ""))
		for _, g := range groups {
			_ = s.groups.Delete(ctx, groupKey(ctx, in.ApplicationName, g.Info.DeploymentGroupName))
		}
		revs, _ := s.revisions.All(ctx, appKey(ctx, in.ApplicationName)+"/")
		for _, r := range revs {
			_ = s.revisions.Delete(ctx, revisionKey(ctx, in.ApplicationName, &r.Location))
		}
		if err := s.apps.Delete(ctx, appKey(ctx, in.ApplicationName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, wrap(err)
		}
		return &DeleteApplicationOutput{}, nil
	})
}

// ---- revisions

func revisionKey(ctx context.Context, app string, r *RevisionLocation) string {
	h := sha256.New()
	h.Write([]byte(r.RevisionType))
	if l := r.S3Location; l != nil {
		for _, p := range []string{l.Bucket, l.Key, l.BundleType, l.Version, l.ETag} {
			h.Write([]byte{0})
			h.Write([]byte(p))
		}
	}
	if g := r.GitHubLocation; g != nil {
		h.Write([]byte(g.Repository + "\x00" + g.CommitID))
	}
	return appKey(ctx, app) + "/" + hex.EncodeToString(h.Sum(nil))[:32]
}

// checkRevision validates a revision location for the Server platform.
func checkRevision(r *RevisionLocation) error {
	if r == nil {
		return ErrRevisionRequired
	}
	switch r.RevisionType {
	case "S3":
		l := r.S3Location
		if l == nil || l.Bucket == "" || l.Key == "" {
			return ErrInvalidRevision.With("No S3 bucket or key specified for the revision")
		}
		switch l.BundleType {
		case "zip", "tar", "tgz":
		case "":
			return ErrInvalidRevision.With("Bundle type is required for S3 revision")
		case "YAML", "JSON":
			return ErrInvalidRevision.With("The bundle type %s is only valid for AWS Lambda and Amazon ECS deployments", l.BundleType)
		default:
			return ErrInvalidRevision.With("Invalid bundle type: %s. Valid values are tar, tgz and zip.", l.BundleType)
		}
	case "GitHub":
		return ErrGitHubNotSupported
	case "String", "AppSpecContent":
		return ErrInvalidRevision.With("The revision type %s is only valid for AWS Lambda and Amazon ECS deployments", r.RevisionType)
	case "":
		return ErrInvalidRevision.With("Revision type is required")
	default:
		return ErrInvalidRevision.With("Invalid revision type: %s", r.RevisionType)
	}
	return nil
}

// RegisterApplicationRevision records a revision of an application.
func (s *Service) RegisterApplicationRevision(ctx context.Context, in *RegisterApplicationRevisionInput) (*RegisterApplicationRevisionOutput, error) {
	return dispatchDo(ctx, s, "RegisterApplicationRevision", in, func(ctx context.Context, in *RegisterApplicationRevisionInput) (*RegisterApplicationRevisionOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		if err := checkRevision(in.Revision); err != nil {
			return nil, err
		}
		if len(in.Description) > 100 {
			return nil, ErrDescriptionTooLong
		}
		s.touchRevision(ctx, in.ApplicationName, in.Revision, in.Description, "", false)
		return &RegisterApplicationRevisionOutput{}, nil
	})
}

// touchRevision registers a revision if new; when group is set it records its use by a
// deployment of that group.
func (s *Service) touchRevision(ctx context.Context, app string, r *RevisionLocation, desc, group string, used bool) {
	key := revisionKey(ctx, app, r)
	now := s.now()
	_, err := s.revisions.Update(ctx, key, func(rec *revisionRecord) error {
		if desc != "" {
			rec.Info.Description = desc
		}
		if used {
			if rec.Info.FirstUsedTime.IsZero() {
				rec.Info.FirstUsedTime = now
			}
			rec.Info.LastUsedTime = now
			rec.Deployed = true
			if group != "" && !slices.Contains(rec.Info.DeploymentGroups, group) {
				rec.Info.DeploymentGroups = append(rec.Info.DeploymentGroups, group)
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		rec := revisionRecord{Location: *r, Info: GenericRevisionInfo{Description: desc, RegisterTime: now}}
		if used {
			rec.Info.FirstUsedTime, rec.Info.LastUsedTime, rec.Deployed = now, now, true
			if group != "" {
				rec.Info.DeploymentGroups = []string{group}
			}
		}
		if err := s.revisions.Create(ctx, key, rec); errors.Is(err, store.ErrExists) {
			s.touchRevision(ctx, app, r, desc, group, used)
		}
	}
}

// GetApplicationRevision describes a registered revision.
func (s *Service) GetApplicationRevision(ctx context.Context, in *GetApplicationRevisionInput) (*GetApplicationRevisionOutput, error) {
	return dispatchDo(ctx, s, "GetApplicationRevision", in, func(ctx context.Context, in *GetApplicationRevisionInput) (*GetApplicationRevisionOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		if err := checkRevision(in.Revision); err != nil {
			return nil, err
		}
		rec, err := s.revisions.Get(ctx, revisionKey(ctx, in.ApplicationName, in.Revision))
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrRevisionDoesNotExist.With("No application revision found for revision.")
		}
		if err != nil {
			return nil, wrap(err)
		}
		return &GetApplicationRevisionOutput{ApplicationName: in.ApplicationName, Revision: &rec.Location, RevisionInfo: &rec.Info}, nil
	})
}

// BatchGetApplicationRevisions describes up to 25 revisions.
func (s *Service) BatchGetApplicationRevisions(ctx context.Context, in *BatchGetApplicationRevisionsInput) (*BatchGetApplicationRevisionsOutput, error) {
	return dispatchDo(ctx, s, "BatchGetApplicationRevisions", in, func(ctx context.Context, in *BatchGetApplicationRevisionsInput) (*BatchGetApplicationRevisionsOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		if len(in.Revisions) == 0 {
			return nil, ErrRevisionRequired
		}
		if len(in.Revisions) > 25 {
			return nil, ErrBatchLimitExceeded.With("The maximum number of revisions allowed for this request (25) was exceeded.")
		}
		out := &BatchGetApplicationRevisionsOutput{ApplicationName: in.ApplicationName, Revisions: []RevisionInfo{}}
		var missing []string
		for i := range in.Revisions {
			r := &in.Revisions[i]
			if err := checkRevision(r); err != nil {
				return nil, err
			}
			rec, err := s.revisions.Get(ctx, revisionKey(ctx, in.ApplicationName, r))
			if errors.Is(err, store.ErrNotFound) {
				if r.S3Location != nil {
					missing = append(missing, "s3://"+r.S3Location.Bucket+"/"+r.S3Location.Key)
				}
				continue
			}
			if err != nil {
				return nil, wrap(err)
			}
			loc, info := rec.Location, rec.Info
			out.Revisions = append(out.Revisions, RevisionInfo{RevisionLocation: &loc, GenericRevisionInfo: &info})
		}
		if len(missing) > 0 {
			out.ErrorMessage = "Revisions not found: " + strings.Join(missing, ", ")
		}
		return out, nil
	})
}

// ListApplicationRevisions lists an application's revisions.
func (s *Service) ListApplicationRevisions(ctx context.Context, in *ListApplicationRevisionsInput) (*ListApplicationRevisionsOutput, error) {
	return dispatchDo(ctx, s, "ListApplicationRevisions", in, func(ctx context.Context, in *ListApplicationRevisionsInput) (*ListApplicationRevisionsOutput, error) {
		if _, err := s.getApp(ctx, in.ApplicationName); err != nil {
			return nil, wrap(err)
		}
		switch in.SortBy {
		case "", "registerTime", "firstUsedTime", "lastUsedTime":
		default:
			return nil, ErrInvalidSortBy
		}
		switch in.SortOrder {
		case "", "ascending", "descending":
		default:
			return nil, ErrInvalidSortOrder
		}
		switch in.Deployed {
		case "", "include", "exclude", "ignore":
		default:
			return nil, ErrInvalidDeployedState
		}
		if in.S3KeyPrefix != "" && in.S3Bucket == "" {
			return nil, apierr.New(apierr.Invalid, "InvalidBucketNameFilterException", "The bucket name either doesn't exist or was specified in an invalid format.")
		}
		start := 0
		if in.NextToken != "" {
			t, err := decodeToken(in.NextToken)
			if err != nil {
				return nil, err
			}
			if _, err := scanInt(t, &start); err != nil {
				return nil, ErrInvalidNextToken
			}
		}
		all, err := s.revisions.All(ctx, appKey(ctx, in.ApplicationName)+"/")
		if err != nil {
			return nil, wrap(err)
		}
		var sel []revisionRecord
		for _, r := range all {
			if in.Deployed == "include" && !r.Deployed || in.Deployed == "exclude" && r.Deployed {
				continue
			}
			if in.S3Bucket != "" && (r.Location.S3Location == nil || r.Location.S3Location.Bucket != in.S3Bucket ||
				!strings.HasPrefix(r.Location.S3Location.Key, in.S3KeyPrefix)) {
				continue
			}
			sel = append(sel, r)
		}
		if in.SortBy != "" {
			key := func(r revisionRecord) int64 {
				switch in.SortBy {
				case "firstUsedTime":
					return r.Info.FirstUsedTime.UnixNano()
				case "lastUsedTime":
					return r.Info.LastUsedTime.UnixNano()
				}
				return r.Info.RegisterTime.UnixNano()
			}
			sort.SliceStable(sel, func(i, j int) bool {
				if in.SortOrder == "descending" {
					return key(sel[i]) > key(sel[j])
				}
				return key(sel[i]) < key(sel[j])
			})
		}
		out := &ListApplicationRevisionsOutput{Revisions: []RevisionLocation{}}
		if start > len(sel) {
			start = len(sel)
		}
		end := min(start+100, len(sel))
		for _, r := range sel[start:end] {
			out.Revisions = append(out.Revisions, r.Location)
		}
		if end < len(sel) {
			out.NextToken = encodeToken(itoa(end))
		}
		return out, nil
	})
}
