package codecommit

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"path"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// scoped gives ctx the platform's default caller when it carries none, for Go-only helpers
// that are not API operations.
func (s *Service) scoped(ctx context.Context) context.Context {
	c, ok := identity.From(ctx)
	if !ok || c.Account == "" || c.Region == "" {
		d := identity.Root(s.env.Account, s.env.Region)
		if ok {
			if c.Account != "" {
				d.Account = c.Account
			}
			if c.Region != "" {
				d.Region = c.Region
			}
		}
		return identity.With(ctx, d)
	}
	return ctx
}

// ResolveCommit returns the full commit ID that a commit specifier (branch, tag or commit ID;
// "" for the default branch) names in repository repoName of the caller's account and region.
// It is for other services (CodePipeline's source action) and is not an API call.
func (s *Service) ResolveCommit(ctx context.Context, repoName, commitOrRef string) (string, error) {
	ctx = s.scoped(ctx)
	rec, repo, err := s.open(ctx, repoName)
	if err != nil {
		return "", err
	}
	repo.rlock()
	defer repo.runlock()
	c, err := repo.resolveLocked(rec, commitOrRef)
	if err != nil {
		return "", err
	}
	return c.Hash.String(), nil
}

// ArchiveInput is the recorded input of an archive (CloudTrail: UploadArchive).
type ArchiveInput struct {
	RepositoryName  string `json:"repositoryName"`
	CommitSpecifier string `json:"commitSpecifier,omitempty"`
}

// ArchiveOutput is the zip of a commit's tree.
type ArchiveOutput struct {
	CommitID string `json:"commitId"`
	Zip      []byte `json:"-"`
}

// Archive zips the tree of a commit (branch, tag or commit ID; "" for the default branch):
// what CodePipeline's CodeCommit source action and CodeBuild's CODECOMMIT source take. File
// modes are kept (executables 0755), symlinks are stored as zip symlinks, submodules are
// left out. It runs as the operation UploadArchive, as AWS records it.
func (s *Service) Archive(ctx context.Context, repoName, commitOrRef string) (zipBytes []byte, commitID string, err error) {
	out, err := dispatch.Do(ctx, s.d, "UploadArchive", &ArchiveInput{RepositoryName: repoName, CommitSpecifier: commitOrRef}, s.archive)
	if err != nil {
		return nil, "", err
	}
	return out.Zip, out.CommitID, nil
}

func (s *Service) archive(ctx context.Context, in *ArchiveInput) (*ArchiveOutput, error) {
	rec, repo, err := s.open(ctx, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	repo.rlock()
	defer repo.runlock()
	c, err := repo.resolveLocked(rec, in.CommitSpecifier)
	if err != nil {
		return nil, err
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, internal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	when := c.Committer.When.UTC()
	if err := writeTreeZip(repo, zw, tree, "", when); err != nil {
		return nil, internal(err)
	}
	if err := zw.Close(); err != nil {
		return nil, internal(err)
	}
	return &ArchiveOutput{CommitID: c.Hash.String(), Zip: buf.Bytes()}, nil
}

func writeTreeZip(repo *gitRepo, zw *zip.Writer, tree *object.Tree, prefix string, when time.Time) error {
	for _, e := range tree.Entries {
		p := path.Join(prefix, e.Name)
		switch e.Mode {
		case filemode.Submodule:
			continue
		case filemode.Dir:
			sub, err := object.GetTree(repo.st, e.Hash)
			if err != nil {
				return err
			}
			if err := writeTreeZip(repo, zw, sub, p, when); err != nil {
				return err
			}
			continue
		}
		h := &zip.FileHeader{Name: p, Method: zip.Deflate, Modified: when}
		switch e.Mode {
		case filemode.Executable:
			h.SetMode(0o755)
		case filemode.Symlink:
			h.SetMode(fs.ModeSymlink | 0o777)
		default:
			h.SetMode(0o644)
		}
		content, err := repo.blobContent(e.Hash)
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(content); err != nil {
			return err
		}
	}
	return nil
}
