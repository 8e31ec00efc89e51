package codecommit

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// RepositoryMetadata describes a repository.
type RepositoryMetadata struct {
	AccountID             string    `json:"accountId,omitempty"`
	RepositoryID          string    `json:"repositoryId,omitempty"`
	RepositoryName        string    `json:"repositoryName,omitempty"`
	RepositoryDescription string    `json:"repositoryDescription,omitempty"`
	DefaultBranch         string    `json:"defaultBranch,omitempty"`
	LastModifiedDate      time.Time `json:"lastModifiedDate,omitzero"`
	CreationDate          time.Time `json:"creationDate,omitzero"`
	CloneURLHTTP          string    `json:"cloneUrlHttp,omitempty"`
	CloneURLSSH           string    `json:"cloneUrlSsh,omitempty"`
	Arn                   string    `json:"Arn,omitempty"`
	KMSKeyID              string    `json:"kmsKeyId,omitempty"`
}

func (s *Service) metadata(rec repoRecord) *RepositoryMetadata {
	h, ssh := s.cloneURLs(rec)
	return &RepositoryMetadata{
		AccountID: rec.Account, RepositoryID: rec.ID, RepositoryName: rec.Name,
		RepositoryDescription: rec.Description, DefaultBranch: rec.DefaultBranch,
		LastModifiedDate: rec.Modified, CreationDate: rec.Created,
		CloneURLHTTP: h, CloneURLSSH: ssh, Arn: rec.ARN, KMSKeyID: rec.KMSKeyID,
	}
}

// CreateRepositoryInput is the input of CreateRepository.
type CreateRepositoryInput struct {
	RepositoryName        string            `json:"repositoryName,omitempty"`
	RepositoryDescription string            `json:"repositoryDescription,omitempty"`
	Tags                  map[string]string `json:"tags,omitempty"`
	KMSKeyID              string            `json:"kmsKeyId,omitempty"`
}

// CreateRepositoryOutput is the output of CreateRepository.
type CreateRepositoryOutput struct {
	RepositoryMetadata *RepositoryMetadata `json:"repositoryMetadata,omitempty"`
}

// CreateRepository creates an empty repository.
func (s *Service) CreateRepository(ctx context.Context, in *CreateRepositoryInput) (*CreateRepositoryOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateRepository", in, s.createRepository)
}

const defaultKMSKey = "alias/aws/codecommit"

func (s *Service) createRepository(ctx context.Context, in *CreateRepositoryInput) (*CreateRepositoryOutput, error) {
	if err := checkRepoName(in.RepositoryName); err != nil {
		return nil, err
	}
	if len(in.RepositoryDescription) > 1000 {
		return nil, ErrInvalidRepositoryDescription
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if in.KMSKeyID != "" && len(in.KMSKeyID) > 2048 {
		return nil, ErrEncryptionKeyInvalidID
	}
	acct, region := core.Scope(ctx)
	now := s.env.Clock.Now().UTC()
	kms := in.KMSKeyID
	if kms == "" {
		kms = defaultKMSKey
	}
	rec := repoRecord{
		ID: uuid.NewString(), Name: in.RepositoryName, Description: in.RepositoryDescription,
		Account: acct, Region: region, ARN: core.ARN(ctx, "codecommit", in.RepositoryName),
		KMSKeyID: kms, Created: now, Modified: now, Tags: in.Tags,
	}
	if err := s.repos.Create(ctx, repoKey(ctx, rec.Name), rec); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, ErrRepositoryNameExists.With("Repository named %s already exists", rec.Name)
		}
		return nil, internal(err)
	}
	if _, err := s.git.open(rec.ID); err != nil {
		return nil, internal(err)
	}
	return &CreateRepositoryOutput{RepositoryMetadata: s.metadata(rec)}, nil
}

// GetRepositoryInput is the input of GetRepository.
type GetRepositoryInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
}

// GetRepositoryOutput is the output of GetRepository.
type GetRepositoryOutput struct {
	RepositoryMetadata *RepositoryMetadata `json:"repositoryMetadata,omitempty"`
}

// GetRepository describes a repository.
func (s *Service) GetRepository(ctx context.Context, in *GetRepositoryInput) (*GetRepositoryOutput, error) {
	return dispatch.Do(ctx, s.d, "GetRepository", in, func(ctx context.Context, in *GetRepositoryInput) (*GetRepositoryOutput, error) {
		rec, err := s.getRecord(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		return &GetRepositoryOutput{RepositoryMetadata: s.metadata(rec)}, nil
	})
}

// BatchGetRepositoriesInput is the input of BatchGetRepositories.
type BatchGetRepositoriesInput struct {
	RepositoryNames []string `json:"repositoryNames,omitempty"`
}

// BatchGetRepositoriesError is one repository BatchGetRepositories could not return.
type BatchGetRepositoriesError struct {
	RepositoryID   string `json:"repositoryId,omitempty"`
	RepositoryName string `json:"repositoryName,omitempty"`
	ErrorCode      string `json:"errorCode,omitempty"`
	ErrorMessage   string `json:"errorMessage,omitempty"`
}

// BatchGetRepositoriesOutput is the output of BatchGetRepositories.
type BatchGetRepositoriesOutput struct {
	Repositories         []*RepositoryMetadata       `json:"repositories"`
	RepositoriesNotFound []string                    `json:"repositoriesNotFound"`
	Errors               []BatchGetRepositoriesError `json:"errors,omitempty"`
}

// BatchGetRepositories describes up to 100 repositories.
func (s *Service) BatchGetRepositories(ctx context.Context, in *BatchGetRepositoriesInput) (*BatchGetRepositoriesOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchGetRepositories", in, func(ctx context.Context, in *BatchGetRepositoriesInput) (*BatchGetRepositoriesOutput, error) {
		if len(in.RepositoryNames) == 0 {
			return nil, ErrRepositoryNamesRequired
		}
		if len(in.RepositoryNames) > 100 {
			return nil, ErrMaximumRepositoryNamesExceeded
		}
		out := &BatchGetRepositoriesOutput{Repositories: []*RepositoryMetadata{}, RepositoriesNotFound: []string{}}
		for _, n := range in.RepositoryNames {
			rec, err := s.getRecord(ctx, n)
			switch {
			case err == nil:
				out.Repositories = append(out.Repositories, s.metadata(rec))
			case errors.Is(err, ErrRepositoryDoesNotExist):
				out.RepositoriesNotFound = append(out.RepositoriesNotFound, n)
			default:
				ae := apierr.As(err)
				out.Errors = append(out.Errors, BatchGetRepositoriesError{RepositoryName: n, ErrorCode: ae.Code, ErrorMessage: ae.Message})
			}
		}
		return out, nil
	})
}

// ListRepositoriesInput is the input of ListRepositories.
type ListRepositoriesInput struct {
	NextToken string `json:"nextToken,omitempty"`
	SortBy    string `json:"sortBy,omitempty"` // repositoryName | lastModifiedDate
	Order     string `json:"order,omitempty"`  // ascending | descending
}

// RepositoryNameIDPair names a repository.
type RepositoryNameIDPair struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	RepositoryID   string `json:"repositoryId,omitempty"`
}

// ListRepositoriesOutput is the output of ListRepositories.
type ListRepositoriesOutput struct {
	Repositories []RepositoryNameIDPair `json:"repositories"`
	NextToken    string                 `json:"nextToken,omitempty"`
}

const listPage = 1000

// ListRepositories lists the repositories of the caller's account and region, 1,000 a page.
func (s *Service) ListRepositories(ctx context.Context, in *ListRepositoriesInput) (*ListRepositoriesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListRepositories", in, func(ctx context.Context, in *ListRepositoriesInput) (*ListRepositoriesOutput, error) {
		switch in.SortBy {
		case "", "repositoryName", "lastModifiedDate":
		default:
			return nil, ErrInvalidSortBy
		}
		switch in.Order {
		case "", "ascending", "descending":
		default:
			return nil, ErrInvalidOrder
		}
		recs, err := s.repos.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, internal(err)
		}
		slices.SortStableFunc(recs, func(a, b repoRecord) int {
			c := strings.Compare(a.Name, b.Name)
			if in.SortBy == "lastModifiedDate" {
				if c2 := a.Modified.Compare(b.Modified); c2 != 0 {
					c = c2
				}
			}
			if in.Order == "descending" {
				c = -c
			}
			return c
		})
		start, err := decodeToken(in.NextToken)
		if err != nil || start > len(recs) {
			return nil, ErrInvalidContinuationToken
		}
		out := &ListRepositoriesOutput{Repositories: []RepositoryNameIDPair{}}
		end := min(start+listPage, len(recs))
		for _, r := range recs[start:end] {
			out.Repositories = append(out.Repositories, RepositoryNameIDPair{RepositoryName: r.Name, RepositoryID: r.ID})
		}
		if end < len(recs) {
			out.NextToken = encodeToken(end)
		}
		return out, nil
	})
}

// DeleteRepositoryInput is the input of DeleteRepository.
type DeleteRepositoryInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
}

// DeleteRepositoryOutput is the output of DeleteRepository; RepositoryID is empty when the
// repository did not exist (AWS answers success then too).
type DeleteRepositoryOutput struct {
	RepositoryID string `json:"repositoryId,omitempty"`
}

// DeleteRepository deletes a repository and its git data.
func (s *Service) DeleteRepository(ctx context.Context, in *DeleteRepositoryInput) (*DeleteRepositoryOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteRepository", in, func(ctx context.Context, in *DeleteRepositoryInput) (*DeleteRepositoryOutput, error) {
		rec, err := s.getRecord(ctx, in.RepositoryName)
		if errors.Is(err, ErrRepositoryDoesNotExist) {
			return &DeleteRepositoryOutput{}, nil
		}
		if err != nil {
			return nil, err
		}
		if err := s.repos.Delete(ctx, repoKey(ctx, rec.Name)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
		if err := s.git.remove(rec.ID); err != nil {
			s.log.Warn("codecommit: removing repository data", "repository", rec.Name, "err", err)
		}
		s.repoDeleted(ctx, rec.Name)
		return &DeleteRepositoryOutput{RepositoryID: rec.ID}, nil
	})
}

// UpdateRepositoryNameInput is the input of UpdateRepositoryName.
type UpdateRepositoryNameInput struct {
	OldName string `json:"oldName,omitempty"`
	NewName string `json:"newName,omitempty"`
}

// UpdateRepositoryNameOutput is the output of UpdateRepositoryName.
type UpdateRepositoryNameOutput struct{}

// UpdateRepositoryName renames a repository; its ID and git data stay.
func (s *Service) UpdateRepositoryName(ctx context.Context, in *UpdateRepositoryNameInput) (*UpdateRepositoryNameOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateRepositoryName", in, func(ctx context.Context, in *UpdateRepositoryNameInput) (*UpdateRepositoryNameOutput, error) {
		if err := checkRepoName(in.NewName); err != nil {
			return nil, err
		}
		rec, err := s.getRecord(ctx, in.OldName)
		if err != nil {
			return nil, err
		}
		if in.NewName == in.OldName {
			return &UpdateRepositoryNameOutput{}, nil
		}
		nrec := rec
		nrec.Name = in.NewName
		nrec.ARN = core.ARN(ctx, "codecommit", in.NewName)
		nrec.Modified = s.env.Clock.Now().UTC()
		if err := s.repos.Create(ctx, repoKey(ctx, nrec.Name), nrec); err != nil {
			if errors.Is(err, store.ErrExists) {
				return nil, ErrRepositoryNameExists.With("Repository named %s already exists", nrec.Name)
			}
			return nil, internal(err)
		}
		if err := s.repos.Delete(ctx, repoKey(ctx, rec.Name)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
		s.repoRenamed(ctx, rec.Name, nrec.Name)
		return &UpdateRepositoryNameOutput{}, nil
	})
}

// UpdateRepositoryDescriptionInput is the input of UpdateRepositoryDescription.
type UpdateRepositoryDescriptionInput struct {
	RepositoryName        string `json:"repositoryName,omitempty"`
	RepositoryDescription string `json:"repositoryDescription,omitempty"`
}

// UpdateRepositoryDescriptionOutput is the output of UpdateRepositoryDescription.
type UpdateRepositoryDescriptionOutput struct{}

// UpdateRepositoryDescription sets or clears a repository's description.
func (s *Service) UpdateRepositoryDescription(ctx context.Context, in *UpdateRepositoryDescriptionInput) (*UpdateRepositoryDescriptionOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateRepositoryDescription", in, func(ctx context.Context, in *UpdateRepositoryDescriptionInput) (*UpdateRepositoryDescriptionOutput, error) {
		if len(in.RepositoryDescription) > 1000 {
			return nil, ErrInvalidRepositoryDescription
		}
		return &UpdateRepositoryDescriptionOutput{}, s.updateRecord(ctx, in.RepositoryName, func(r *repoRecord) error {
			r.Description = in.RepositoryDescription
			return nil
		})
	})
}

// UpdateRepositoryEncryptionKeyInput is the input of UpdateRepositoryEncryptionKey.
type UpdateRepositoryEncryptionKeyInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	KMSKeyID       string `json:"kmsKeyId,omitempty"`
}

// UpdateRepositoryEncryptionKeyOutput is the output of UpdateRepositoryEncryptionKey.
type UpdateRepositoryEncryptionKeyOutput struct {
	RepositoryID     string `json:"repositoryId,omitempty"`
	KMSKeyID         string `json:"kmsKeyId,omitempty"`
	OriginalKMSKeyID string `json:"originalKmsKeyId,omitempty"`
}

// UpdateRepositoryEncryptionKey records a new KMS key for the repository (no encryption
// happens in the simulator).
func (s *Service) UpdateRepositoryEncryptionKey(ctx context.Context, in *UpdateRepositoryEncryptionKeyInput) (*UpdateRepositoryEncryptionKeyOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateRepositoryEncryptionKey", in, func(ctx context.Context, in *UpdateRepositoryEncryptionKeyInput) (*UpdateRepositoryEncryptionKeyOutput, error) {
		if in.KMSKeyID == "" {
			return nil, apierr.New(apierr.Invalid, "EncryptionKeyRequiredException", "A KMS encryption key ID is required but was not specified.")
		}
		if len(in.KMSKeyID) > 2048 {
			return nil, ErrEncryptionKeyInvalidID
		}
		out := &UpdateRepositoryEncryptionKeyOutput{KMSKeyID: in.KMSKeyID}
		err := s.updateRecord(ctx, in.RepositoryName, func(r *repoRecord) error {
			out.OriginalKMSKeyID, out.RepositoryID = r.KMSKeyID, r.ID
			r.KMSKeyID = in.KMSKeyID
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	})
}

func (s *Service) updateRecord(ctx context.Context, name string, fn func(*repoRecord) error) error {
	if err := checkRepoName(name); err != nil {
		return err
	}
	_, err := s.repos.Update(ctx, repoKey(ctx, name), func(r *repoRecord) error {
		if err := fn(r); err != nil {
			return err
		}
		r.Modified = s.env.Clock.Now().UTC()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrRepositoryDoesNotExist.With("%s does not exist", name)
	}
	return internal(err)
}

// --- tags ---

func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return ErrTooManyTags
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return ErrInvalidTagsMap
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return ErrInvalidSystemTagUsage
		}
	}
	return nil
}

// repoNameFromARN returns the repository name of an ARN in the caller's account and region.
func repoNameFromARN(ctx context.Context, arn string) (string, error) {
	if arn == "" {
		return "", ErrResourceArnRequired
	}
	acct, region := core.Scope(ctx)
	prefix := "arn:aws:codecommit:" + region + ":" + acct + ":"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || checkRepoName(name) != nil {
		return "", ErrInvalidResourceArn
	}
	return name, nil
}

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	ResourceArn string            `json:"resourceArn,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// TagResourceOutput is the output of TagResource.
type TagResourceOutput struct{}

// TagResource adds or replaces tags of a repository.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "TagResource", in, func(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
		name, err := repoNameFromARN(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		if in.Tags == nil {
			return nil, ErrTagsMapRequired
		}
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		return &TagResourceOutput{}, s.updateRecord(ctx, name, func(r *repoRecord) error {
			if r.Tags == nil {
				r.Tags = map[string]string{}
			}
			for k, v := range in.Tags {
				r.Tags[k] = v
			}
			if len(r.Tags) > 50 {
				return ErrTooManyTags
			}
			return nil
		})
	})
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn,omitempty"`
	TagKeys     []string `json:"tagKeys,omitempty"`
}

// UntagResourceOutput is the output of UntagResource.
type UntagResourceOutput struct{}

// UntagResource removes tags from a repository.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "UntagResource", in, func(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
		name, err := repoNameFromARN(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		if len(in.TagKeys) == 0 {
			return nil, ErrTagKeysListRequired
		}
		return &UntagResourceOutput{}, s.updateRecord(ctx, name, func(r *repoRecord) error {
			for _, k := range in.TagKeys {
				if strings.HasPrefix(strings.ToLower(k), "aws:") {
					return ErrInvalidSystemTagUsage
				}
				delete(r.Tags, k)
			}
			return nil
		})
	})
}

// ListTagsForResourceInput is the input of ListTagsForResource.
type ListTagsForResourceInput struct {
	ResourceArn string `json:"resourceArn,omitempty"`
	NextToken   string `json:"nextToken,omitempty"`
}

// ListTagsForResourceOutput is the output of ListTagsForResource.
type ListTagsForResourceOutput struct {
	Tags      map[string]string `json:"tags"`
	NextToken string            `json:"nextToken,omitempty"`
}

// ListTagsForResource lists a repository's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "ListTagsForResource", in, func(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
		name, err := repoNameFromARN(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		rec, err := s.getRecord(ctx, name)
		if err != nil {
			return nil, err
		}
		tags := rec.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		return &ListTagsForResourceOutput{Tags: tags}, nil
	})
}

// Pagination tokens are opaque base64 offsets.
func encodeToken(off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + itoa(off)))
}

func decodeToken(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, err
	}
	v, ok := strings.CutPrefix(string(b), "o:")
	if !ok {
		return 0, errors.New("bad token")
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' || n > 1<<40 {
			return 0, errors.New("bad token")
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
