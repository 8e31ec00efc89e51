package codecommit

import (
	"context"
	"errors"
	"net/mail"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// AWS's limits on API commits.
const (
	maxFileSize       = 6 << 20
	maxCommitContent  = 7 << 20
	maxFileEntries    = 100
	maxCommitMessage  = 100 * 1024
	maxAuthorName     = 1024
	maxBatchCommitIDs = 100
)

// UserInfo is a commit's author or committer.
type UserInfo struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Date  string `json:"date,omitempty"`
}

// Commit describes a commit.
type Commit struct {
	CommitID       string    `json:"commitId,omitempty"`
	TreeID         string    `json:"treeId,omitempty"`
	Parents        []string  `json:"parents"`
	Message        string    `json:"message,omitempty"`
	Author         *UserInfo `json:"author,omitempty"`
	Committer      *UserInfo `json:"committer,omitempty"`
	AdditionalData string    `json:"additionalData,omitempty"`
}

func toCommit(c *object.Commit) *Commit {
	out := &Commit{
		CommitID: c.Hash.String(), TreeID: c.TreeHash.String(), Parents: []string{}, Message: c.Message,
		Author:    &UserInfo{Name: c.Author.Name, Email: c.Author.Email, Date: gitDate(c.Author.When)},
		Committer: &UserInfo{Name: c.Committer.Name, Email: c.Committer.Email, Date: gitDate(c.Committer.When)},
	}
	for _, p := range c.ParentHashes {
		out.Parents = append(out.Parents, p.String())
	}
	return out
}

// FileMetadata describes a file a commit added, updated or deleted.
type FileMetadata struct {
	AbsolutePath string `json:"absolutePath,omitempty"`
	BlobID       string `json:"blobId,omitempty"`
	FileMode     string `json:"fileMode,omitempty"`
}

// GetCommitInput is the input of GetCommit.
type GetCommitInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	CommitID       string `json:"commitId,omitempty"`
}

// GetCommitOutput is the output of GetCommit.
type GetCommitOutput struct {
	Commit *Commit `json:"commit,omitempty"`
}

// GetCommit describes a commit by its full ID.
func (s *Service) GetCommit(ctx context.Context, in *GetCommitInput) (*GetCommitOutput, error) {
	return dispatch.Do(ctx, s.d, "GetCommit", in, func(ctx context.Context, in *GetCommitInput) (*GetCommitOutput, error) {
		if in.CommitID == "" {
			return nil, ErrCommitIDRequired
		}
		if !fullHashRE.MatchString(in.CommitID) {
			return nil, ErrInvalidCommitID
		}
		_, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		repo.rlock()
		c, err := repo.commit(plumbing.NewHash(in.CommitID))
		repo.runlock()
		if err != nil {
			return nil, ErrCommitIDDoesNotExist.With("Could not find commit %s", in.CommitID)
		}
		return &GetCommitOutput{Commit: toCommit(c)}, nil
	})
}

// BatchGetCommitsInput is the input of BatchGetCommits.
type BatchGetCommitsInput struct {
	RepositoryName string   `json:"repositoryName,omitempty"`
	CommitIDs      []string `json:"commitIds,omitempty"`
}

// BatchGetCommitsError is a commit BatchGetCommits could not return.
type BatchGetCommitsError struct {
	CommitID     string `json:"commitId,omitempty"`
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// BatchGetCommitsOutput is the output of BatchGetCommits.
type BatchGetCommitsOutput struct {
	Commits []*Commit              `json:"commits"`
	Errors  []BatchGetCommitsError `json:"errors"`
}

// BatchGetCommits describes up to 100 commits.
func (s *Service) BatchGetCommits(ctx context.Context, in *BatchGetCommitsInput) (*BatchGetCommitsOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchGetCommits", in, func(ctx context.Context, in *BatchGetCommitsInput) (*BatchGetCommitsOutput, error) {
		if len(in.CommitIDs) == 0 {
			return nil, ErrCommitIDsListRequired
		}
		if len(in.CommitIDs) > maxBatchCommitIDs {
			return nil, ErrCommitIDsLimitExceeded
		}
		_, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		out := &BatchGetCommitsOutput{Commits: []*Commit{}, Errors: []BatchGetCommitsError{}}
		repo.rlock()
		defer repo.runlock()
		for _, id := range in.CommitIDs {
			if !fullHashRE.MatchString(id) {
				out.Errors = append(out.Errors, BatchGetCommitsError{CommitID: id, ErrorCode: "InvalidCommitIdException", ErrorMessage: "The specified commit ID is not valid."})
				continue
			}
			c, err := repo.commit(plumbing.NewHash(id))
			if err != nil {
				out.Errors = append(out.Errors, BatchGetCommitsError{CommitID: id, ErrorCode: "CommitDoesNotExistException", ErrorMessage: "Could not find commit " + id})
				continue
			}
			out.Commits = append(out.Commits, toCommit(c))
		}
		return out, nil
	})
}

// commitPlan is one API commit onto a branch.
type commitPlan struct {
	branch, parent         string
	author, email, message string
	keepEmpty              bool
	// sameContent, when set, is returned instead of NoChangeException.
	sameContent error
	// build lists the changes against the parent commit (nil for a first commit); it runs
	// under the repository's write lock.
	build func(repo *gitRepo, parent *object.Commit) ([]fileChange, error)
}

// commitToBranch checks the parent, applies the changes, writes the commit and moves the
// branch, then publishes the ref change.
func (s *Service) commitToBranch(ctx context.Context, rec repoRecord, repo *gitRepo, p commitPlan) (*object.Commit, *treeEdit, error) {
	if err := checkBranchName(p.branch); err != nil {
		return nil, nil, err
	}
	if len(p.message) > maxCommitMessage {
		return nil, nil, ErrCommitMessageLengthExceeded
	}
	if len(p.author) > maxAuthorName {
		return nil, nil, ErrNameLengthExceeded
	}
	if p.email != "" {
		if _, err := mail.ParseAddress(p.email); err != nil || len(p.email) > 320 {
			return nil, nil, ErrInvalidEmail
		}
	}
	if p.parent != "" && !fullHashRE.MatchString(p.parent) {
		return nil, nil, ErrInvalidParentCommitID
	}
	ref := plumbing.NewBranchReferenceName(p.branch)
	repo.mu.Lock()
	c, te, u, err := s.commitLocked(ctx, repo, ref, p)
	repo.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	s.refsChanged(ctx, rec, repo, []refUpdate{u})
	return c, te, nil
}

func (s *Service) commitLocked(ctx context.Context, repo *gitRepo, ref plumbing.ReferenceName, p commitPlan) (*object.Commit, *treeEdit, refUpdate, error) {
	var u refUpdate
	tip, err := repo.refHash(ref)
	if err != nil {
		return nil, nil, u, internal(err)
	}
	var parent *object.Commit
	if tip.IsZero() {
		refs, err := repo.refs()
		if err != nil {
			return nil, nil, u, internal(err)
		}
		if countBranches(refs) > 0 {
			return nil, nil, u, ErrBranchDoesNotExist.With("Could not find branch %s", p.branch)
		}
		if p.parent != "" {
			if _, err := repo.commit(plumbing.NewHash(p.parent)); err != nil {
				return nil, nil, u, ErrParentCommitDoesNotExist
			}
			return nil, nil, u, ErrParentCommitIDOutdated
		}
	} else {
		if p.parent == "" {
			return nil, nil, u, ErrParentCommitIDRequired
		}
		ph := plumbing.NewHash(p.parent)
		if _, err := repo.commit(ph); err != nil {
			return nil, nil, u, ErrParentCommitDoesNotExist
		}
		if ph != tip {
			return nil, nil, u, ErrParentCommitIDOutdated.With("The parent commit ID %s is not the current tip of the branch %s (%s).", p.parent, p.branch, tip)
		}
		if parent, err = repo.commit(tip); err != nil {
			return nil, nil, u, internal(err)
		}
	}
	changes, err := p.build(repo, parent)
	if err != nil {
		return nil, nil, u, err
	}
	te := &treeEdit{r: repo, keepEmpty: p.keepEmpty}
	var base plumbing.Hash
	if parent != nil {
		base = parent.TreeHash
	}
	tree, err := te.apply(base, "", changes, 0)
	if err != nil {
		return nil, nil, u, internal(err)
	}
	if tree.IsZero() {
		if tree, err = repo.emptyTree(); err != nil {
			return nil, nil, u, internal(err)
		}
	}
	if parent != nil && tree == parent.TreeHash || len(te.added)+len(te.updated)+len(te.deleted) == 0 {
		if p.sameContent != nil {
			return nil, nil, u, p.sameContent
		}
		return nil, nil, u, ErrNoChange
	}
	c, err := s.writeCommit(ctx, repo, tree, p.author, p.email, p.message, parentHashes(parent)...)
	if err != nil {
		return nil, nil, u, internal(err)
	}
	u = refUpdate{Name: ref, Old: tip, New: c.Hash}
	if err := repo.applyLocked(u); err != nil {
		return nil, nil, u, internal(err)
	}
	return c, te, u, nil
}

func parentHashes(c *object.Commit) []plumbing.Hash {
	if c == nil {
		return nil
	}
	return []plumbing.Hash{c.Hash}
}

// writeCommit writes a commit object authored by name/email (defaults: the caller).
func (s *Service) writeCommit(ctx context.Context, repo *gitRepo, tree plumbing.Hash, name, email, msg string, parents ...plumbing.Hash) (*object.Commit, error) {
	if name == "" {
		caller, _ := identity.From(ctx)
		name = caller.PrincipalARN
		if i := strings.LastIndexAny(name, ":/"); i >= 0 {
			name = name[i+1:]
		}
	}
	now := s.env.Clock.Now().Truncate(time.Second).UTC()
	sig := object.Signature{Name: name, Email: email, When: now}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: parents}
	h, err := repo.writeObject(c)
	if err != nil {
		return nil, err
	}
	c.Hash = h
	return repo.commit(h)
}

// PutFileEntry is a file CreateCommit adds or replaces.
type PutFileEntry struct {
	FilePath    string               `json:"filePath,omitempty"`
	FileMode    string               `json:"fileMode,omitempty"`
	FileContent []byte               `json:"fileContent,omitempty"`
	SourceFile  *SourceFileSpecifier `json:"sourceFile,omitempty"`
}

// SourceFileSpecifier names a file of the parent commit to copy (or move).
type SourceFileSpecifier struct {
	FilePath string `json:"filePath,omitempty"`
	IsMove   bool   `json:"isMove,omitzero"`
}

// DeleteFileEntry is a file CreateCommit deletes.
type DeleteFileEntry struct {
	FilePath string `json:"filePath,omitempty"`
}

// SetFileModeEntry changes a file's mode.
type SetFileModeEntry struct {
	FilePath string `json:"filePath,omitempty"`
	FileMode string `json:"fileMode,omitempty"`
}

// CreateCommitInput is the input of CreateCommit.
type CreateCommitInput struct {
	RepositoryName   string             `json:"repositoryName,omitempty"`
	BranchName       string             `json:"branchName,omitempty"`
	ParentCommitID   string             `json:"parentCommitId,omitempty"`
	AuthorName       string             `json:"authorName,omitempty"`
	Email            string             `json:"email,omitempty"`
	CommitMessage    string             `json:"commitMessage,omitempty"`
	KeepEmptyFolders bool               `json:"keepEmptyFolders,omitzero"`
	PutFiles         []PutFileEntry     `json:"putFiles,omitempty"`
	DeleteFiles      []DeleteFileEntry  `json:"deleteFiles,omitempty"`
	SetFileModes     []SetFileModeEntry `json:"setFileModes,omitempty"`
}

// CreateCommitOutput is the output of CreateCommit.
type CreateCommitOutput struct {
	CommitID     string         `json:"commitId,omitempty"`
	TreeID       string         `json:"treeId,omitempty"`
	FilesAdded   []FileMetadata `json:"filesAdded"`
	FilesUpdated []FileMetadata `json:"filesUpdated"`
	FilesDeleted []FileMetadata `json:"filesDeleted"`
}

// CreateCommit commits file changes to a branch (the first commit of an empty repository
// creates the branch).
func (s *Service) CreateCommit(ctx context.Context, in *CreateCommitInput) (*CreateCommitOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateCommit", in, s.createCommit)
}

func (s *Service) createCommit(ctx context.Context, in *CreateCommitInput) (*CreateCommitOutput, error) {
	if err := checkBranchName(in.BranchName); err != nil {
		return nil, err
	}
	n := len(in.PutFiles) + len(in.DeleteFiles) + len(in.SetFileModes)
	if n > maxFileEntries {
		return nil, ErrMaximumFileEntriesExceeded
	}
	seen := map[string]bool{}
	claim := func(p string) (string, error) {
		c, ok := cleanPath(p)
		if p == "" {
			return "", ErrPathRequired
		}
		if !ok {
			return "", ErrInvalidPath.With("The specified path %s is not valid.", p)
		}
		if seen[c] {
			return "", ErrSamePathRequest.With("The commit cannot be created because more than one change applies to %s.", c)
		}
		seen[c] = true
		return c, nil
	}
	type put struct {
		path    string
		mode    filemode.FileMode
		content []byte
		src     string
		move    bool
	}
	var puts []put
	total := 0
	for _, e := range in.PutFiles {
		p, err := claim(e.FilePath)
		if err != nil {
			return nil, err
		}
		m, ok := parseMode(e.FileMode)
		if !ok {
			return nil, ErrInvalidFileMode
		}
		pe := put{path: p, mode: m, content: e.FileContent}
		switch {
		case e.SourceFile != nil && len(e.FileContent) > 0:
			return nil, ErrFileContentAndSourceFileSpecified
		case e.SourceFile != nil:
			src, ok := cleanPath(e.SourceFile.FilePath)
			if !ok {
				return nil, ErrInvalidPath
			}
			pe.src, pe.move = src, e.SourceFile.IsMove
			if pe.move {
				if _, err := claim(src); err != nil {
					return nil, err
				}
			}
		case e.FileContent == nil:
			return nil, ErrSourceFileOrContentRequired
		}
		if len(e.FileContent) > maxFileSize {
			return nil, ErrFileContentSizeLimitExceeded
		}
		total += len(e.FileContent)
		puts = append(puts, pe)
	}
	if total > maxCommitContent {
		return nil, ErrFileContentSizeLimitExceeded
	}
	var dels []string
	for _, e := range in.DeleteFiles {
		p, err := claim(e.FilePath)
		if err != nil {
			return nil, err
		}
		dels = append(dels, p)
	}
	type setMode struct {
		path string
		mode filemode.FileMode
	}
	var modes []setMode
	for _, e := range in.SetFileModes {
		p, err := claim(e.FilePath)
		if err != nil {
			return nil, err
		}
		if e.FileMode == "" {
			return nil, ErrFileModeRequired
		}
		m, ok := parseMode(e.FileMode)
		if !ok {
			return nil, ErrInvalidFileMode
		}
		modes = append(modes, setMode{p, m})
	}
	rec, repo, err := s.open(ctx, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrFileEntryRequired
	}
	c, te, err := s.commitToBranch(ctx, rec, repo, commitPlan{
		branch: in.BranchName, parent: in.ParentCommitID, author: in.AuthorName, email: in.Email,
		message: in.CommitMessage, keepEmpty: in.KeepEmptyFolders,
		build: func(repo *gitRepo, parent *object.Commit) ([]fileChange, error) {
			var tree *object.Tree
			if parent != nil {
				t, err := parent.Tree()
				if err != nil {
					return nil, internal(err)
				}
				tree = t
			}
			var out []fileChange
			for _, p := range puts {
				h := plumbing.ZeroHash
				if p.src != "" {
					var e *object.TreeEntry
					if tree != nil {
						e, _ = repo.lookupPath(tree, p.src)
					}
					if e == nil || e.Mode == filemode.Dir {
						return nil, ErrFileDoesNotExist.With("The source file %s does not exist.", p.src)
					}
					h = e.Hash
					if p.move {
						out = append(out, fileChange{parts: strings.Split(p.src, "/"), del: true})
					}
				} else {
					var err error
					if h, err = repo.writeBlob(p.content); err != nil {
						return nil, internal(err)
					}
				}
				out = append(out, fileChange{parts: strings.Split(p.path, "/"), mode: p.mode, hash: h})
			}
			for _, d := range dels {
				out = append(out, fileChange{parts: strings.Split(d, "/"), del: true})
			}
			for _, m := range modes {
				out = append(out, fileChange{parts: strings.Split(m.path, "/"), modeOnly: true, mode: m.mode})
			}
			return out, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return &CreateCommitOutput{
		CommitID: c.Hash.String(), TreeID: c.TreeHash.String(),
		FilesAdded: nonNil(te.added), FilesUpdated: nonNil(te.updated), FilesDeleted: nonNil(te.deleted),
	}, nil
}

func nonNil(f []FileMetadata) []FileMetadata {
	if f == nil {
		return []FileMetadata{}
	}
	return f
}

// PutFileInput is the input of PutFile.
type PutFileInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	BranchName     string `json:"branchName,omitempty"`
	FileContent    []byte `json:"fileContent,omitempty"`
	FilePath       string `json:"filePath,omitempty"`
	FileMode       string `json:"fileMode,omitempty"`
	ParentCommitID string `json:"parentCommitId,omitempty"`
	CommitMessage  string `json:"commitMessage,omitempty"`
	Name           string `json:"name,omitempty"`
	Email          string `json:"email,omitempty"`
}

// PutFileOutput is the output of PutFile.
type PutFileOutput struct {
	CommitID string `json:"commitId,omitempty"`
	BlobID   string `json:"blobId,omitempty"`
	TreeID   string `json:"treeId,omitempty"`
}

// PutFile adds or replaces one file in a branch.
func (s *Service) PutFile(ctx context.Context, in *PutFileInput) (*PutFileOutput, error) {
	return dispatch.Do(ctx, s.d, "PutFile", in, func(ctx context.Context, in *PutFileInput) (*PutFileOutput, error) {
		if err := checkBranchName(in.BranchName); err != nil {
			return nil, err
		}
		if len(in.FileContent) == 0 {
			return nil, ErrFileContentRequired
		}
		if len(in.FileContent) > maxFileSize {
			return nil, ErrFileContentSizeLimitExceeded
		}
		p, err := filePath(in.FilePath)
		if err != nil {
			return nil, err
		}
		m, ok := parseMode(in.FileMode)
		if !ok {
			return nil, ErrInvalidFileMode
		}
		rec, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		var blob plumbing.Hash
		c, _, err := s.commitToBranch(ctx, rec, repo, commitPlan{
			branch: in.BranchName, parent: in.ParentCommitID, author: in.Name, email: in.Email,
			message: in.CommitMessage, sameContent: ErrSameFileContent,
			build: func(repo *gitRepo, parent *object.Commit) ([]fileChange, error) {
				var err error
				if blob, err = repo.writeBlob(in.FileContent); err != nil {
					return nil, internal(err)
				}
				return []fileChange{{parts: strings.Split(p, "/"), mode: m, hash: blob}}, nil
			},
		})
		if err != nil {
			return nil, err
		}
		return &PutFileOutput{CommitID: c.Hash.String(), BlobID: blob.String(), TreeID: c.TreeHash.String()}, nil
	})
}

// DeleteFileInput is the input of DeleteFile.
type DeleteFileInput struct {
	RepositoryName   string `json:"repositoryName,omitempty"`
	BranchName       string `json:"branchName,omitempty"`
	FilePath         string `json:"filePath,omitempty"`
	ParentCommitID   string `json:"parentCommitId,omitempty"`
	KeepEmptyFolders bool   `json:"keepEmptyFolders,omitzero"`
	CommitMessage    string `json:"commitMessage,omitempty"`
	Name             string `json:"name,omitempty"`
	Email            string `json:"email,omitempty"`
}

// DeleteFileOutput is the output of DeleteFile.
type DeleteFileOutput struct {
	CommitID string `json:"commitId,omitempty"`
	BlobID   string `json:"blobId,omitempty"`
	TreeID   string `json:"treeId,omitempty"`
	FilePath string `json:"filePath,omitempty"`
}

// DeleteFile deletes one file from a branch.
func (s *Service) DeleteFile(ctx context.Context, in *DeleteFileInput) (*DeleteFileOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteFile", in, func(ctx context.Context, in *DeleteFileInput) (*DeleteFileOutput, error) {
		if err := checkBranchName(in.BranchName); err != nil {
			return nil, err
		}
		p, err := filePath(in.FilePath)
		if err != nil {
			return nil, err
		}
		if in.ParentCommitID == "" {
			return nil, ErrParentCommitIDRequired
		}
		rec, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		c, te, err := s.commitToBranch(ctx, rec, repo, commitPlan{
			branch: in.BranchName, parent: in.ParentCommitID, author: in.Name, email: in.Email,
			message: in.CommitMessage, keepEmpty: in.KeepEmptyFolders,
			build: func(*gitRepo, *object.Commit) ([]fileChange, error) {
				return []fileChange{{parts: strings.Split(p, "/"), del: true}}, nil
			},
		})
		if err != nil {
			return nil, err
		}
		out := &DeleteFileOutput{CommitID: c.Hash.String(), TreeID: c.TreeHash.String(), FilePath: p}
		if len(te.deleted) > 0 {
			out.BlobID = te.deleted[0].BlobID
		}
		return out, nil
	})
}

// GetFileInput is the input of GetFile.
type GetFileInput struct {
	RepositoryName  string `json:"repositoryName,omitempty"`
	CommitSpecifier string `json:"commitSpecifier,omitempty"`
	FilePath        string `json:"filePath,omitempty"`
}

// GetFileOutput is the output of GetFile.
type GetFileOutput struct {
	CommitID    string `json:"commitId,omitempty"`
	BlobID      string `json:"blobId,omitempty"`
	FilePath    string `json:"filePath,omitempty"`
	FileMode    string `json:"fileMode,omitempty"`
	FileSize    int64  `json:"fileSize"`
	FileContent []byte `json:"fileContent"`
}

// GetFile returns a file's content at a commit, branch or tag (default: the default branch).
func (s *Service) GetFile(ctx context.Context, in *GetFileInput) (*GetFileOutput, error) {
	return dispatch.Do(ctx, s.d, "GetFile", in, s.getFile)
}

func (s *Service) getFile(ctx context.Context, in *GetFileInput) (*GetFileOutput, error) {
	p, err := filePath(in.FilePath)
	if err != nil {
		return nil, err
	}
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
	e, err := repo.lookupPath(tree, p)
	if err != nil {
		return nil, internal(err)
	}
	if e == nil || e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
		return nil, ErrFileDoesNotExist.With("The file %s does not exist at %s.", p, c.Hash)
	}
	size, err := repo.st.EncodedObjectSize(e.Hash)
	if err != nil {
		return nil, internal(err)
	}
	if size > maxFileSize {
		return nil, ErrFileTooLarge
	}
	content, err := repo.blobContent(e.Hash)
	if err != nil {
		return nil, internal(err)
	}
	return &GetFileOutput{
		CommitID: c.Hash.String(), BlobID: e.Hash.String(), FilePath: p,
		FileMode: modeName(e.Mode), FileSize: int64(len(content)), FileContent: content,
	}, nil
}

// Folder is a sub-folder in GetFolder's answer.
type Folder struct {
	TreeID       string `json:"treeId,omitempty"`
	AbsolutePath string `json:"absolutePath,omitempty"`
	RelativePath string `json:"relativePath,omitempty"`
}

// File is a file in GetFolder's answer.
type File struct {
	BlobID       string `json:"blobId,omitempty"`
	AbsolutePath string `json:"absolutePath,omitempty"`
	RelativePath string `json:"relativePath,omitempty"`
	FileMode     string `json:"fileMode,omitempty"`
}

// SymbolicLink is a symlink in GetFolder's answer.
type SymbolicLink = File

// SubModule is a submodule in GetFolder's answer.
type SubModule struct {
	CommitID     string `json:"commitId,omitempty"`
	AbsolutePath string `json:"absolutePath,omitempty"`
	RelativePath string `json:"relativePath,omitempty"`
}

// GetFolderInput is the input of GetFolder.
type GetFolderInput struct {
	RepositoryName  string `json:"repositoryName,omitempty"`
	CommitSpecifier string `json:"commitSpecifier,omitempty"`
	FolderPath      string `json:"folderPath,omitempty"`
}

// GetFolderOutput is the output of GetFolder.
type GetFolderOutput struct {
	CommitID      string         `json:"commitId,omitempty"`
	FolderPath    string         `json:"folderPath,omitempty"`
	TreeID        string         `json:"treeId,omitempty"`
	SubFolders    []Folder       `json:"subFolders"`
	Files         []File         `json:"files"`
	SymbolicLinks []SymbolicLink `json:"symbolicLinks"`
	SubModules    []SubModule    `json:"subModules"`
}

// GetFolder lists a folder ("" or "/" is the root) at a commit, branch or tag.
func (s *Service) GetFolder(ctx context.Context, in *GetFolderInput) (*GetFolderOutput, error) {
	return dispatch.Do(ctx, s.d, "GetFolder", in, func(ctx context.Context, in *GetFolderInput) (*GetFolderOutput, error) {
		if in.FolderPath == "" {
			return nil, ErrPathRequired
		}
		p := strings.Trim(in.FolderPath, "/")
		if p != "" {
			var ok bool
			if p, ok = cleanPath(p); !ok {
				return nil, ErrInvalidPath
			}
		}
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
		if p != "" {
			e, err := repo.lookupPath(tree, p)
			if err != nil {
				return nil, internal(err)
			}
			if e == nil || e.Mode != filemode.Dir {
				return nil, ErrFolderDoesNotExist.With("The folder %s does not exist at %s.", in.FolderPath, c.Hash)
			}
			if tree, err = object.GetTree(repo.st, e.Hash); err != nil {
				return nil, internal(err)
			}
		}
		out := &GetFolderOutput{
			CommitID: c.Hash.String(), FolderPath: in.FolderPath, TreeID: tree.Hash.String(),
			SubFolders: []Folder{}, Files: []File{}, SymbolicLinks: []SymbolicLink{}, SubModules: []SubModule{},
		}
		for _, e := range tree.Entries {
			abs := path.Join(p, e.Name)
			switch e.Mode {
			case filemode.Dir:
				out.SubFolders = append(out.SubFolders, Folder{TreeID: e.Hash.String(), AbsolutePath: abs, RelativePath: e.Name})
			case filemode.Submodule:
				out.SubModules = append(out.SubModules, SubModule{CommitID: e.Hash.String(), AbsolutePath: abs, RelativePath: e.Name})
			case filemode.Symlink:
				out.SymbolicLinks = append(out.SymbolicLinks, SymbolicLink{BlobID: e.Hash.String(), AbsolutePath: abs, RelativePath: e.Name, FileMode: "SYMLINK"})
			default:
				out.Files = append(out.Files, File{BlobID: e.Hash.String(), AbsolutePath: abs, RelativePath: e.Name, FileMode: modeName(e.Mode)})
			}
		}
		return out, nil
	})
}

// GetBlobInput is the input of GetBlob.
type GetBlobInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	BlobID         string `json:"blobId,omitempty"`
}

// GetBlobOutput is the output of GetBlob.
type GetBlobOutput struct {
	Content []byte `json:"content"`
}

// GetBlob returns a blob's content.
func (s *Service) GetBlob(ctx context.Context, in *GetBlobInput) (*GetBlobOutput, error) {
	return dispatch.Do(ctx, s.d, "GetBlob", in, func(ctx context.Context, in *GetBlobInput) (*GetBlobOutput, error) {
		if in.BlobID == "" {
			return nil, ErrBlobIDRequired
		}
		if !fullHashRE.MatchString(in.BlobID) {
			return nil, ErrInvalidBlobID
		}
		_, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		repo.rlock()
		defer repo.runlock()
		h := plumbing.NewHash(in.BlobID)
		o, err := repo.st.EncodedObject(plumbing.BlobObject, h)
		if err != nil {
			return nil, ErrBlobIDDoesNotExist.With("Could not find blob %s", in.BlobID)
		}
		if o.Size() > maxFileSize {
			return nil, ErrFileTooLarge
		}
		b, err := repo.blobContent(h)
		if err != nil {
			return nil, internal(err)
		}
		return &GetBlobOutput{Content: b}, nil
	})
}

// BlobMetadata describes one side of a difference.
type BlobMetadata struct {
	BlobID string `json:"blobId,omitempty"`
	Path   string `json:"path,omitempty"`
	Mode   string `json:"mode,omitempty"`
}

// Difference is one changed file.
type Difference struct {
	BeforeBlob *BlobMetadata `json:"beforeBlob,omitempty"`
	AfterBlob  *BlobMetadata `json:"afterBlob,omitempty"`
	ChangeType string        `json:"changeType,omitempty"` // A | M | D
}

// GetDifferencesInput is the input of GetDifferences.
type GetDifferencesInput struct {
	RepositoryName        string `json:"repositoryName,omitempty"`
	BeforeCommitSpecifier string `json:"beforeCommitSpecifier,omitempty"`
	AfterCommitSpecifier  string `json:"afterCommitSpecifier,omitempty"`
	BeforePath            string `json:"beforePath,omitempty"`
	AfterPath             string `json:"afterPath,omitempty"`
	MaxResults            int32  `json:"MaxResults,omitzero"`
	NextToken             string `json:"NextToken,omitempty"`
}

// GetDifferencesOutput is the output of GetDifferences.
type GetDifferencesOutput struct {
	Differences []Difference `json:"differences"`
	NextToken   string       `json:"NextToken,omitempty"`
}

// GetDifferences lists the files that differ between two commit specifiers (no "before"
// means every file of "after" is added), optionally under paths, 100 a page by default.
func (s *Service) GetDifferences(ctx context.Context, in *GetDifferencesInput) (*GetDifferencesOutput, error) {
	return dispatch.Do(ctx, s.d, "GetDifferences", in, func(ctx context.Context, in *GetDifferencesInput) (*GetDifferencesOutput, error) {
		if in.AfterCommitSpecifier == "" {
			return nil, ErrCommitRequired
		}
		if in.MaxResults < 0 || in.MaxResults > 1000 {
			return nil, ErrInvalidMaxResults
		}
		limit := int(in.MaxResults)
		if limit == 0 {
			limit = 100
		}
		rec, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		repo.rlock()
		defer repo.runlock()
		after, err := repo.resolveLocked(rec, in.AfterCommitSpecifier)
		if err != nil {
			return nil, err
		}
		at, err := after.Tree()
		if err != nil {
			return nil, internal(err)
		}
		var bt *object.Tree
		if in.BeforeCommitSpecifier != "" {
			before, err := repo.resolveLocked(rec, in.BeforeCommitSpecifier)
			if err != nil {
				return nil, err
			}
			if bt, err = before.Tree(); err != nil {
				return nil, internal(err)
			}
		}
		bp, ap := strings.Trim(in.BeforePath, "/"), strings.Trim(in.AfterPath, "/")
		for _, chk := range []struct {
			p string
			t *object.Tree
		}{{bp, bt}, {ap, at}} {
			if chk.p == "" {
				continue
			}
			if chk.t == nil {
				return nil, ErrPathDoesNotExist
			}
			if e, err := repo.lookupPath(chk.t, chk.p); err != nil || e == nil {
				return nil, ErrPathDoesNotExist.With("The specified path %s does not exist.", chk.p)
			}
		}
		changes, err := object.DiffTree(bt, at)
		if err != nil {
			return nil, internal(err)
		}
		under := func(p, dir string) bool {
			return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
		}
		var diffs []Difference
		for _, ch := range changes {
			d := Difference{}
			if ch.From.Name != "" {
				d.BeforeBlob = &BlobMetadata{BlobID: ch.From.TreeEntry.Hash.String(), Path: ch.From.Name, Mode: modeOctal(ch.From.TreeEntry.Mode)}
			}
			if ch.To.Name != "" {
				d.AfterBlob = &BlobMetadata{BlobID: ch.To.TreeEntry.Hash.String(), Path: ch.To.Name, Mode: modeOctal(ch.To.TreeEntry.Mode)}
			}
			switch {
			case d.BeforeBlob == nil:
				d.ChangeType = "A"
			case d.AfterBlob == nil:
				d.ChangeType = "D"
			default:
				d.ChangeType = "M"
			}
			okB := bp == "" || (d.BeforeBlob != nil && under(d.BeforeBlob.Path, bp)) || (d.BeforeBlob == nil && d.AfterBlob != nil && under(d.AfterBlob.Path, bp))
			okA := ap == "" || (d.AfterBlob != nil && under(d.AfterBlob.Path, ap)) || (d.AfterBlob == nil && d.BeforeBlob != nil && under(d.BeforeBlob.Path, ap))
			if okB && okA {
				diffs = append(diffs, d)
			}
		}
		sort.SliceStable(diffs, func(i, j int) bool { return diffPath(diffs[i]) < diffPath(diffs[j]) })
		start, err := decodeToken(in.NextToken)
		if err != nil || start > len(diffs) {
			return nil, ErrInvalidContinuationToken
		}
		end := min(start+limit, len(diffs))
		out := &GetDifferencesOutput{Differences: append([]Difference{}, diffs[start:end]...)}
		if end < len(diffs) {
			out.NextToken = encodeToken(end)
		}
		return out, nil
	})
}

func diffPath(d Difference) string {
	if d.AfterBlob != nil {
		return d.AfterBlob.Path
	}
	return d.BeforeBlob.Path
}

func modeOctal(m filemode.FileMode) string {
	return strings.TrimLeft(m.String(), "0")
}

var _ = errors.New
