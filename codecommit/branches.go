package codecommit

import (
	"context"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/devopsim/devopsim/internal/dispatch"
)

// BranchInfo names a branch and its tip.
type BranchInfo struct {
	BranchName string `json:"branchName,omitempty"`
	CommitID   string `json:"commitId,omitempty"`
}

func checkBranchName(n string) error {
	if n == "" {
		return ErrBranchNameRequired
	}
	if len(n) > 256 || plumbing.NewBranchReferenceName(n).Validate() != nil {
		return ErrInvalidBranchName
	}
	return nil
}

// CreateBranchInput is the input of CreateBranch.
type CreateBranchInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	BranchName     string `json:"branchName,omitempty"`
	CommitID       string `json:"commitId,omitempty"`
}

// CreateBranchOutput is the output of CreateBranch.
type CreateBranchOutput struct{}

// CreateBranch creates a branch at a commit (a commit ID, or a branch or tag name).
func (s *Service) CreateBranch(ctx context.Context, in *CreateBranchInput) (*CreateBranchOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateBranch", in, func(ctx context.Context, in *CreateBranchInput) (*CreateBranchOutput, error) {
		if err := checkBranchName(in.BranchName); err != nil {
			return nil, err
		}
		if in.CommitID == "" {
			return nil, ErrCommitIDRequired
		}
		rec, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		name := plumbing.NewBranchReferenceName(in.BranchName)
		repo.mu.Lock()
		c, err := repo.resolveLocked(rec, in.CommitID)
		if err != nil {
			repo.mu.Unlock()
			return nil, ErrCommitDoesNotExist.With("Could not find commit %s", in.CommitID)
		}
		u := refUpdate{Name: name, New: c.Hash}
		err = repo.applyLocked(u)
		repo.mu.Unlock()
		if err != nil {
			if _, ok := err.(*errRefMoved); ok {
				return nil, ErrBranchNameExists.With("Branch %s already exists", in.BranchName)
			}
			return nil, internal(err)
		}
		s.refsChanged(ctx, rec, repo, []refUpdate{u})
		return &CreateBranchOutput{}, nil
	})
}

// GetBranchInput is the input of GetBranch.
type GetBranchInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	BranchName     string `json:"branchName,omitempty"`
}

// GetBranchOutput is the output of GetBranch.
type GetBranchOutput struct {
	Branch *BranchInfo `json:"branch,omitempty"`
}

// GetBranch returns a branch's tip.
func (s *Service) GetBranch(ctx context.Context, in *GetBranchInput) (*GetBranchOutput, error) {
	return dispatch.Do(ctx, s.d, "GetBranch", in, func(ctx context.Context, in *GetBranchInput) (*GetBranchOutput, error) {
		if err := checkBranchName(in.BranchName); err != nil {
			return nil, err
		}
		_, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		repo.rlock()
		h, err := repo.refHash(plumbing.NewBranchReferenceName(in.BranchName))
		repo.runlock()
		if err != nil {
			return nil, internal(err)
		}
		if h.IsZero() {
			return nil, ErrBranchDoesNotExist.With("Could not find branch %s", in.BranchName)
		}
		return &GetBranchOutput{Branch: &BranchInfo{BranchName: in.BranchName, CommitID: h.String()}}, nil
	})
}

// ListBranchesInput is the input of ListBranches.
type ListBranchesInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	NextToken      string `json:"nextToken,omitempty"`
}

// ListBranchesOutput is the output of ListBranches.
type ListBranchesOutput struct {
	Branches  []string `json:"branches"`
	NextToken string   `json:"nextToken,omitempty"`
}

// ListBranches lists branch names, 100 a page.
func (s *Service) ListBranches(ctx context.Context, in *ListBranchesInput) (*ListBranchesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListBranches", in, func(ctx context.Context, in *ListBranchesInput) (*ListBranchesOutput, error) {
		_, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		repo.rlock()
		refs, err := repo.refs()
		repo.runlock()
		if err != nil {
			return nil, internal(err)
		}
		var names []string
		for n := range refs {
			if n.IsBranch() {
				names = append(names, n.Short())
			}
		}
		sort.Strings(names)
		start, err := decodeToken(in.NextToken)
		if err != nil || start > len(names) {
			return nil, ErrInvalidContinuationToken
		}
		end := min(start+100, len(names))
		out := &ListBranchesOutput{Branches: append([]string{}, names[start:end]...)}
		if end < len(names) {
			out.NextToken = encodeToken(end)
		}
		return out, nil
	})
}

// DeleteBranchInput is the input of DeleteBranch.
type DeleteBranchInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	BranchName     string `json:"branchName,omitempty"`
}

// DeleteBranchOutput is the output of DeleteBranch.
type DeleteBranchOutput struct {
	DeletedBranch *BranchInfo `json:"deletedBranch,omitempty"`
}

// DeleteBranch deletes a branch other than the default one.
func (s *Service) DeleteBranch(ctx context.Context, in *DeleteBranchInput) (*DeleteBranchOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteBranch", in, func(ctx context.Context, in *DeleteBranchInput) (*DeleteBranchOutput, error) {
		if err := checkBranchName(in.BranchName); err != nil {
			return nil, err
		}
		rec, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		if in.BranchName == rec.DefaultBranch {
			return nil, ErrDefaultBranchCannotBeDeleted
		}
		name := plumbing.NewBranchReferenceName(in.BranchName)
		repo.mu.Lock()
		h, err := repo.refHash(name)
		if err == nil && !h.IsZero() {
			err = repo.applyLocked(refUpdate{Name: name, Old: h})
		}
		repo.mu.Unlock()
		if err != nil {
			return nil, internal(err)
		}
		if h.IsZero() {
			// AWS answers an empty deletedBranch for a branch that does not exist.
			return &DeleteBranchOutput{}, nil
		}
		s.refsChanged(ctx, rec, repo, []refUpdate{{Name: name, Old: h}})
		return &DeleteBranchOutput{DeletedBranch: &BranchInfo{BranchName: in.BranchName, CommitID: h.String()}}, nil
	})
}

// UpdateDefaultBranchInput is the input of UpdateDefaultBranch.
type UpdateDefaultBranchInput struct {
	RepositoryName    string `json:"repositoryName,omitempty"`
	DefaultBranchName string `json:"defaultBranchName,omitempty"`
}

// UpdateDefaultBranchOutput is the output of UpdateDefaultBranch.
type UpdateDefaultBranchOutput struct{}

// UpdateDefaultBranch sets the branch HEAD points at (what clones check out).
func (s *Service) UpdateDefaultBranch(ctx context.Context, in *UpdateDefaultBranchInput) (*UpdateDefaultBranchOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateDefaultBranch", in, func(ctx context.Context, in *UpdateDefaultBranchInput) (*UpdateDefaultBranchOutput, error) {
		if err := checkBranchName(in.DefaultBranchName); err != nil {
			return nil, err
		}
		_, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		name := plumbing.NewBranchReferenceName(in.DefaultBranchName)
		repo.mu.Lock()
		h, err := repo.refHash(name)
		if err == nil && !h.IsZero() {
			err = repo.st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, name))
		}
		repo.mu.Unlock()
		if err != nil {
			return nil, internal(err)
		}
		if h.IsZero() {
			return nil, ErrBranchDoesNotExist.With("Could not find branch %s", in.DefaultBranchName)
		}
		return &UpdateDefaultBranchOutput{}, s.updateRecord(ctx, in.RepositoryName, func(r *repoRecord) error {
			r.DefaultBranch = in.DefaultBranchName
			return nil
		})
	})
}
