package codecommit

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/devopsim/devopsim/internal/dispatch"
)

// FileSizes are the sizes of a conflicting file on each side.
type FileSizes struct {
	Source      int64 `json:"source"`
	Destination int64 `json:"destination"`
	Base        int64 `json:"base"`
}

// FileModes are the modes of a conflicting file on each side.
type FileModes struct {
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination,omitempty"`
	Base        string `json:"base,omitempty"`
}

// ObjectTypes are the object types (FILE, DIRECTORY, GIT_LINK, SYMBOLIC_LINK) of a
// conflicting path on each side.
type ObjectTypes struct {
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination,omitempty"`
	Base        string `json:"base,omitempty"`
}

// IsBinaryFile says which sides of a conflicting file are binary.
type IsBinaryFile struct {
	Source      bool `json:"source"`
	Destination bool `json:"destination"`
	Base        bool `json:"base"`
}

// MergeOperations are the changes (A, M, D) each side made to a conflicting path.
type MergeOperations struct {
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination,omitempty"`
}

// ConflictMetadata describes one conflicting path.
type ConflictMetadata struct {
	FilePath           string           `json:"filePath,omitempty"`
	FileSizes          *FileSizes       `json:"fileSizes,omitempty"`
	FileModes          *FileModes       `json:"fileModes,omitempty"`
	ObjectTypes        *ObjectTypes     `json:"objectTypes,omitempty"`
	NumberOfConflicts  int32            `json:"numberOfConflicts"`
	IsBinaryFile       *IsBinaryFile    `json:"isBinaryFile,omitempty"`
	ContentConflict    bool             `json:"contentConflict"`
	FileModeConflict   bool             `json:"fileModeConflict"`
	ObjectTypeConflict bool             `json:"objectTypeConflict"`
	MergeOperations    *MergeOperations `json:"mergeOperations,omitempty"`
}

// MergeHunkDetail is one side of a merge hunk: 1-based lines startLine..endLine.
type MergeHunkDetail struct {
	StartLine   int32  `json:"startLine"`
	EndLine     int32  `json:"endLine"`
	HunkContent string `json:"hunkContent"`
}

// MergeHunk is a region that one or both sides changed.
type MergeHunk struct {
	IsConflict  bool             `json:"isConflict"`
	Source      *MergeHunkDetail `json:"source,omitempty"`
	Destination *MergeHunkDetail `json:"destination,omitempty"`
	Base        *MergeHunkDetail `json:"base,omitempty"`
}

// Conflict is a conflicting file with its hunks.
type Conflict struct {
	ConflictMetadata *ConflictMetadata `json:"conflictMetadata,omitempty"`
	MergeHunks       []MergeHunk       `json:"mergeHunks"`
}

// ReplaceContentEntry resolves a conflicting file with a side's version or new content.
type ReplaceContentEntry struct {
	FilePath        string `json:"filePath,omitempty"`
	ReplacementType string `json:"replacementType,omitempty"` // KEEP_BASE | KEEP_SOURCE | KEEP_DESTINATION | USE_NEW_CONTENT
	Content         []byte `json:"content,omitempty"`
	FileMode        string `json:"fileMode,omitempty"`
}

// ConflictResolution lists how to resolve conflicts of a merge.
type ConflictResolution struct {
	ReplaceContents []ReplaceContentEntry `json:"replaceContents,omitempty"`
	DeleteFiles     []DeleteFileEntry     `json:"deleteFiles,omitempty"`
	SetFileModes    []SetFileModeEntry    `json:"setFileModes,omitempty"`
}

// mergeRequest is what every merge operation shares.
type mergeRequest struct {
	repo, srcSpec, dstSpec string
	option                 string
	level, strategy        string
	resolution             *ConflictResolution
	author, email, message string
	keepEmpty              bool
	targetBranch           string
	// update moves targetBranch to the merge result.
	update bool
	// expectSource, when set, must be the source's commit (pull request merges).
	expectSource string
	// deferRefs leaves publishing the ref change to the caller.
	deferRefs bool
	// check runs under the write lock before a ref moves (pull request approval rules).
	check func(src, dst *object.Commit) error
}

// mergeState is a resolved source/destination pair and its merge base.
type mergeState struct {
	rec           repoRecord
	repo          *gitRepo
	src, dst      *object.Commit
	base          *object.Commit // nil: no common ancestor
	ffPossible    bool           // dst is an ancestor of src (or equal)
	alreadyMerged bool           // src is an ancestor of dst (or equal)
}

func (m *mergeState) baseID() string {
	if m.base == nil {
		return ""
	}
	return m.base.Hash.String()
}

func checkLevelStrategy(level, strategy string) (string, string, error) {
	switch level {
	case "":
		level = levelFile
	case levelFile, levelLine:
	default:
		return "", "", ErrInvalidConflictDetailLevel
	}
	switch strategy {
	case "":
		strategy = strategyNone
	case strategyNone, strategySource, strategyDest, strategyAutomerge:
	default:
		return "", "", ErrInvalidConflictResolutionStrategy
	}
	return level, strategy, nil
}

func checkMergeOption(o string) error {
	switch o {
	case "":
		return ErrMergeOptionRequired
	case mergeFastForward, mergeSquash, mergeThreeWay:
		return nil
	}
	return ErrInvalidMergeOption
}

// maxMergeWalk bounds the commits walked to find a merge base (TipsDivergenceExceeded).
const maxMergeWalk = 100000

// resolveMerge resolves both specifiers and the merge base. Caller holds a lock.
func (r *gitRepo) resolveMerge(rec repoRecord, srcSpec, dstSpec string) (*mergeState, error) {
	if srcSpec == "" || dstSpec == "" {
		return nil, ErrCommitRequired
	}
	src, err := r.resolveLocked(rec, srcSpec)
	if err != nil {
		return nil, err
	}
	dst, err := r.resolveLocked(rec, dstSpec)
	if err != nil {
		return nil, err
	}
	m := &mergeState{rec: rec, repo: r, src: src, dst: dst}
	// Ancestors of dst, then the first of src's ancestors (breadth first) among them.
	da, err := r.ancestors(dst.Hash)
	if err != nil {
		return nil, err
	}
	if da[src.Hash] {
		m.alreadyMerged = true
		m.base = src
		m.ffPossible = src.Hash == dst.Hash
		return m, nil
	}
	sa, err := r.ancestors(src.Hash)
	if err != nil {
		return nil, err
	}
	if sa[dst.Hash] {
		m.ffPossible = true
		m.base = dst
		return m, nil
	}
	bases, err := src.MergeBase(dst)
	if err != nil {
		return nil, internal(err)
	}
	if len(bases) > 0 {
		sort.Slice(bases, func(i, j int) bool { return bases[i].Hash.String() < bases[j].Hash.String() })
		m.base = bases[0]
	}
	return m, nil
}

// ancestors lists the commits reachable from h (inclusive).
func (r *gitRepo) ancestors(h plumbing.Hash) (map[plumbing.Hash]bool, error) {
	seen := map[plumbing.Hash]bool{}
	stack := []plumbing.Hash{h}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		if len(seen) >= maxMergeWalk {
			return nil, ErrTipsDivergenceExceeded
		}
		seen[h] = true
		c, err := r.commit(h)
		if err != nil {
			return nil, internal(err)
		}
		stack = append(stack, c.ParentHashes...)
	}
	return seen, nil
}

// merge computes the tree merge of m (nothing written).
func (m *mergeState) merge(level, strategy string) (*treeMerge, error) {
	return m.repo.mergeTrees(m.base, m.dst, m.src, level, strategy)
}

// applyResolution applies conflictResolution entries to tm.
func (m *mergeState) applyResolution(tm *treeMerge, cr *ConflictResolution) error {
	if cr == nil {
		return nil
	}
	n := len(cr.ReplaceContents) + len(cr.DeleteFiles) + len(cr.SetFileModes)
	if n > maxResolutionItems {
		return ErrMaximumConflictResolutionEntriesExceeded
	}
	seen := map[string]bool{}
	claim := func(p string) (string, error) {
		if p == "" {
			return "", ErrPathRequired
		}
		c, ok := cleanPath(p)
		if !ok {
			return "", ErrInvalidPath
		}
		if seen[c] {
			return "", ErrMultipleConflictResolutionEntries
		}
		seen[c] = true
		return c, nil
	}
	side := func(p string, e map[string]fileEntry) *fileEntry { return entryPtr(e, p) }
	bt, err := m.repo.flatten(m.base)
	if err != nil {
		return internal(err)
	}
	dt, err := m.repo.flatten(m.dst)
	if err != nil {
		return internal(err)
	}
	st, err := m.repo.flatten(m.src)
	if err != nil {
		return internal(err)
	}
	settle := func(p string, e *fileEntry, modeOnly bool) {
		c := tm.conflictAt(p)
		if c == nil {
			c = &fileConflict{path: p}
			if e == nil {
				delete(tm.result, p)
			} else {
				tm.result[p] = *e
			}
			return
		}
		if modeOnly && c.meta.ContentConflict && !c.resolved {
			if e != nil {
				tm.result[p] = *e
			}
			c.meta.FileModeConflict = false
			return
		}
		tm.resolve(c, e)
	}
	for _, rc := range cr.ReplaceContents {
		p, err := claim(rc.FilePath)
		if err != nil {
			return err
		}
		var e *fileEntry
		switch rc.ReplacementType {
		case "":
			return ErrReplacementTypeRequired
		case "KEEP_BASE", "KEEP_SOURCE", "KEEP_DESTINATION":
			if len(rc.Content) > 0 {
				return ErrInvalidReplacementContent
			}
			e = map[string]*fileEntry{"KEEP_BASE": side(p, bt.files), "KEEP_SOURCE": side(p, st.files), "KEEP_DESTINATION": side(p, dt.files)}[rc.ReplacementType]
		case "USE_NEW_CONTENT":
			if rc.Content == nil {
				return ErrReplacementContentRequired
			}
			if len(rc.Content) > maxFileSize {
				return ErrFileContentSizeLimitExceeded
			}
			h := plumbing.ComputeHash(plumbing.BlobObject, rc.Content)
			tm.blobs[h] = rc.Content
			mode := filemode.Regular
			if cur, ok := tm.result[p]; ok {
				mode = cur.mode
			}
			e = &fileEntry{mode: mode, hash: h}
		default:
			return ErrInvalidReplacementType
		}
		if rc.FileMode != "" && e != nil {
			md, ok := parseMode(rc.FileMode)
			if !ok {
				return ErrInvalidFileMode
			}
			e.mode = md
		}
		settle(p, e, false)
	}
	for _, d := range cr.DeleteFiles {
		p, err := claim(d.FilePath)
		if err != nil {
			return err
		}
		settle(p, nil, false)
	}
	for _, sm := range cr.SetFileModes {
		p, err := claim(sm.FilePath)
		if err != nil {
			return err
		}
		if sm.FileMode == "" {
			return ErrFileModeRequired
		}
		md, ok := parseMode(sm.FileMode)
		if !ok {
			return ErrInvalidFileMode
		}
		cur, ok := tm.result[p]
		if !ok {
			return ErrFileDoesNotExist.With("The file %s does not exist in the merge result.", p)
		}
		cur.mode = md
		settle(p, &cur, true)
	}
	return nil
}

// writeTree writes tm's result (and its merged blobs) as a tree. Caller holds the write
// lock.
func (m *mergeState) writeTree(tm *treeMerge, keepEmpty bool) (plumbing.Hash, error) {
	r := m.repo
	for h, b := range tm.blobs {
		if _, err := r.writeBlob(b); err != nil {
			return plumbing.ZeroHash, err
		}
		_ = h
	}
	type node struct {
		files map[string]fileEntry
		dirs  map[string]*node
	}
	newNode := func() *node { return &node{files: map[string]fileEntry{}, dirs: map[string]*node{}} }
	root := newNode()
	at := func(dir string) *node {
		n := root
		if dir == "." || dir == "" {
			return n
		}
		for _, part := range strings.Split(dir, "/") {
			c, ok := n.dirs[part]
			if !ok {
				c = newNode()
				n.dirs[part] = c
			}
			n = c
		}
		return n
	}
	for p, e := range tm.result {
		at(path.Dir(p)).files[path.Base(p)] = e
	}
	if keepEmpty {
		var empty plumbing.Hash
		for d := range tm.destDirs {
			if _, isFile := tm.result[d]; isFile {
				continue
			}
			has := false
			for p := range tm.result {
				if strings.HasPrefix(p, d+"/") {
					has = true
					break
				}
			}
			if !has {
				if empty.IsZero() {
					var err error
					if empty, err = r.writeBlob(nil); err != nil {
						return plumbing.ZeroHash, err
					}
				}
				at(d).files[".gitkeep"] = fileEntry{mode: filemode.Regular, hash: empty}
			}
		}
	}
	var write func(n *node) (plumbing.Hash, error)
	write = func(n *node) (plumbing.Hash, error) {
		var es []object.TreeEntry
		for name, e := range n.files {
			es = append(es, object.TreeEntry{Name: name, Mode: e.mode, Hash: e.hash})
		}
		for name, d := range n.dirs {
			h, err := write(d)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			if !h.IsZero() {
				es = append(es, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
			}
		}
		if len(es) == 0 && n != root {
			return plumbing.ZeroHash, nil
		}
		sortEntries(es)
		return r.writeObject(&object.Tree{Entries: es})
	}
	return write(root)
}

// mergeResult is a merge's commit and the ref change it made (if any).
type mergeResult struct {
	commit *object.Commit
	update *refUpdate
}

// doMerge runs a merge that creates a commit (and moves the target branch when req.update).
func (s *Service) doMerge(ctx context.Context, req mergeRequest) (*mergeResult, repoRecord, *gitRepo, error) {
	level, strategy, err := checkLevelStrategy(req.level, req.strategy)
	if err != nil {
		return nil, repoRecord{}, nil, err
	}
	if len(req.message) > maxCommitMessage {
		return nil, repoRecord{}, nil, ErrCommitMessageLengthExceeded
	}
	if len(req.author) > maxAuthorName {
		return nil, repoRecord{}, nil, ErrNameLengthExceeded
	}
	if req.srcSpec == "" || req.dstSpec == "" {
		return nil, repoRecord{}, nil, ErrCommitRequired
	}
	rec, repo, err := s.open(ctx, req.repo)
	if err != nil {
		return nil, rec, nil, err
	}
	var target plumbing.ReferenceName
	if req.update {
		tb := req.targetBranch
		if tb == "" {
			tb = req.dstSpec
		}
		if err := checkBranchName(tb); err != nil {
			return nil, rec, nil, ErrInvalidTargetBranch
		}
		target = plumbing.NewBranchReferenceName(tb)
	}
	repo.mu.Lock()
	res, err := s.mergeLocked(ctx, rec, repo, req, level, strategy, target)
	repo.mu.Unlock()
	if err != nil {
		return nil, rec, nil, err
	}
	if res.update != nil && !req.deferRefs {
		s.refsChanged(ctx, rec, repo, []refUpdate{*res.update})
	}
	return res, rec, repo, nil
}

func (s *Service) mergeLocked(ctx context.Context, rec repoRecord, repo *gitRepo, req mergeRequest, level, strategy string, target plumbing.ReferenceName) (*mergeResult, error) {
	var tip plumbing.Hash
	if target != "" {
		var err error
		if tip, err = repo.refHash(target); err != nil {
			return nil, internal(err)
		}
		if tip.IsZero() {
			return nil, ErrBranchDoesNotExist.With("Could not find branch %s", target.Short())
		}
	}
	m, err := repo.resolveMerge(rec, req.srcSpec, req.dstSpec)
	if err != nil {
		return nil, err
	}
	if req.expectSource != "" && m.src.Hash.String() != req.expectSource {
		return nil, ErrTipOfSourceReferenceIsDifferent
	}
	if req.check != nil {
		if err := req.check(m.src, m.dst); err != nil {
			return nil, err
		}
	}
	var out *object.Commit
	switch {
	case req.option == mergeFastForward:
		if !m.ffPossible && !m.alreadyMerged {
			return nil, ErrManualMergeRequired
		}
		out = m.src
		if m.alreadyMerged {
			out = m.dst
		}
	case m.alreadyMerged:
		out = m.dst
	default:
		tm, err := m.merge(level, strategy)
		if err != nil {
			return nil, internal(err)
		}
		if err := m.applyResolution(tm, req.resolution); err != nil {
			return nil, err
		}
		if len(tm.unresolved()) > 0 {
			return nil, ErrManualMergeRequired
		}
		tree, err := m.writeTree(tm, req.keepEmpty)
		if err != nil {
			return nil, internal(err)
		}
		msg := req.message
		parents := []plumbing.Hash{m.dst.Hash}
		if req.option == mergeThreeWay {
			parents = append(parents, m.src.Hash)
		}
		if msg == "" {
			msg = fmt.Sprintf("Merge %s into %s", req.srcSpec, req.dstSpec)
		}
		if out, err = s.writeCommit(ctx, repo, tree, req.author, req.email, msg, parents...); err != nil {
			return nil, internal(err)
		}
	}
	res := &mergeResult{commit: out}
	if target != "" && out.Hash != tip {
		u := refUpdate{Name: target, Old: tip, New: out.Hash}
		if err := repo.applyLocked(u); err != nil {
			return nil, ErrConcurrentReferenceUpdate
		}
		res.update = &u
	}
	return res, nil
}

// MergeBranchesByFastForwardInput is the input of MergeBranchesByFastForward.
type MergeBranchesByFastForwardInput struct {
	RepositoryName             string `json:"repositoryName,omitempty"`
	SourceCommitSpecifier      string `json:"sourceCommitSpecifier,omitempty"`
	DestinationCommitSpecifier string `json:"destinationCommitSpecifier,omitempty"`
	TargetBranch               string `json:"targetBranch,omitempty"`
}

// MergeOutput is the output of the branch merges: the resulting commit and tree.
type MergeOutput struct {
	CommitID string `json:"commitId,omitempty"`
	TreeID   string `json:"treeId,omitempty"`
}

// MergeBranchesByFastForwardOutput is the output of MergeBranchesByFastForward.
type MergeBranchesByFastForwardOutput = MergeOutput

// MergeBranchesByFastForward moves the target branch (default: the destination) to the
// source commit when the destination is its ancestor; ManualMergeRequiredException if not.
func (s *Service) MergeBranchesByFastForward(ctx context.Context, in *MergeBranchesByFastForwardInput) (*MergeBranchesByFastForwardOutput, error) {
	return dispatch.Do(ctx, s.d, "MergeBranchesByFastForward", in, func(ctx context.Context, in *MergeBranchesByFastForwardInput) (*MergeBranchesByFastForwardOutput, error) {
		res, _, _, err := s.doMerge(ctx, mergeRequest{repo: in.RepositoryName, srcSpec: in.SourceCommitSpecifier, dstSpec: in.DestinationCommitSpecifier,
			option: mergeFastForward, targetBranch: in.TargetBranch, update: true})
		if err != nil {
			return nil, err
		}
		return &MergeOutput{CommitID: res.commit.Hash.String(), TreeID: res.commit.TreeHash.String()}, nil
	})
}

// MergeBranchesInput is the input of MergeBranchesBySquash and MergeBranchesByThreeWay.
type MergeBranchesInput struct {
	RepositoryName             string              `json:"repositoryName,omitempty"`
	SourceCommitSpecifier      string              `json:"sourceCommitSpecifier,omitempty"`
	DestinationCommitSpecifier string              `json:"destinationCommitSpecifier,omitempty"`
	TargetBranch               string              `json:"targetBranch,omitempty"`
	ConflictDetailLevel        string              `json:"conflictDetailLevel,omitempty"`
	ConflictResolutionStrategy string              `json:"conflictResolutionStrategy,omitempty"`
	AuthorName                 string              `json:"authorName,omitempty"`
	Email                      string              `json:"email,omitempty"`
	CommitMessage              string              `json:"commitMessage,omitempty"`
	KeepEmptyFolders           bool                `json:"keepEmptyFolders,omitzero"`
	ConflictResolution         *ConflictResolution `json:"conflictResolution,omitempty"`
}

// MergeBranchesBySquashInput is the input of MergeBranchesBySquash.
type MergeBranchesBySquashInput = MergeBranchesInput

// MergeBranchesByThreeWayInput is the input of MergeBranchesByThreeWay.
type MergeBranchesByThreeWayInput = MergeBranchesInput

// MergeBranchesBySquashOutput is the output of MergeBranchesBySquash.
type MergeBranchesBySquashOutput = MergeOutput

// MergeBranchesByThreeWayOutput is the output of MergeBranchesByThreeWay.
type MergeBranchesByThreeWayOutput = MergeOutput

func (s *Service) mergeBranches(ctx context.Context, in *MergeBranchesInput, option string) (*MergeOutput, error) {
	res, _, _, err := s.doMerge(ctx, mergeRequest{repo: in.RepositoryName, srcSpec: in.SourceCommitSpecifier, dstSpec: in.DestinationCommitSpecifier,
		option: option, targetBranch: in.TargetBranch, update: true, level: in.ConflictDetailLevel, strategy: in.ConflictResolutionStrategy,
		resolution: in.ConflictResolution, author: in.AuthorName, email: in.Email, message: in.CommitMessage, keepEmpty: in.KeepEmptyFolders})
	if err != nil {
		return nil, err
	}
	return &MergeOutput{CommitID: res.commit.Hash.String(), TreeID: res.commit.TreeHash.String()}, nil
}

// MergeBranchesBySquash merges the source into the target branch (default: the
// destination) as one commit whose only parent is the destination.
func (s *Service) MergeBranchesBySquash(ctx context.Context, in *MergeBranchesBySquashInput) (*MergeBranchesBySquashOutput, error) {
	return dispatch.Do(ctx, s.d, "MergeBranchesBySquash", in, func(ctx context.Context, in *MergeBranchesInput) (*MergeOutput, error) {
		return s.mergeBranches(ctx, in, mergeSquash)
	})
}

// MergeBranchesByThreeWay merges the source into the target branch (default: the
// destination) with a merge commit whose parents are the destination and the source.
func (s *Service) MergeBranchesByThreeWay(ctx context.Context, in *MergeBranchesByThreeWayInput) (*MergeBranchesByThreeWayOutput, error) {
	return dispatch.Do(ctx, s.d, "MergeBranchesByThreeWay", in, func(ctx context.Context, in *MergeBranchesInput) (*MergeOutput, error) {
		return s.mergeBranches(ctx, in, mergeThreeWay)
	})
}

// CreateUnreferencedMergeCommitInput is the input of CreateUnreferencedMergeCommit.
type CreateUnreferencedMergeCommitInput struct {
	RepositoryName             string              `json:"repositoryName,omitempty"`
	SourceCommitSpecifier      string              `json:"sourceCommitSpecifier,omitempty"`
	DestinationCommitSpecifier string              `json:"destinationCommitSpecifier,omitempty"`
	MergeOption                string              `json:"mergeOption,omitempty"`
	ConflictDetailLevel        string              `json:"conflictDetailLevel,omitempty"`
	ConflictResolutionStrategy string              `json:"conflictResolutionStrategy,omitempty"`
	AuthorName                 string              `json:"authorName,omitempty"`
	Email                      string              `json:"email,omitempty"`
	CommitMessage              string              `json:"commitMessage,omitempty"`
	KeepEmptyFolders           bool                `json:"keepEmptyFolders,omitzero"`
	ConflictResolution         *ConflictResolution `json:"conflictResolution,omitempty"`
}

// CreateUnreferencedMergeCommitOutput is the output of CreateUnreferencedMergeCommit.
type CreateUnreferencedMergeCommitOutput = MergeOutput

// CreateUnreferencedMergeCommit writes the commit a merge would make without moving any
// branch (a fast-forward "merge" answers the source commit).
func (s *Service) CreateUnreferencedMergeCommit(ctx context.Context, in *CreateUnreferencedMergeCommitInput) (*CreateUnreferencedMergeCommitOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateUnreferencedMergeCommit", in, func(ctx context.Context, in *CreateUnreferencedMergeCommitInput) (*MergeOutput, error) {
		if err := checkMergeOption(in.MergeOption); err != nil {
			return nil, err
		}
		res, _, _, err := s.doMerge(ctx, mergeRequest{repo: in.RepositoryName, srcSpec: in.SourceCommitSpecifier, dstSpec: in.DestinationCommitSpecifier,
			option: in.MergeOption, level: in.ConflictDetailLevel, strategy: in.ConflictResolutionStrategy,
			resolution: in.ConflictResolution, author: in.AuthorName, email: in.Email, message: in.CommitMessage, keepEmpty: in.KeepEmptyFolders})
		if err != nil {
			return nil, err
		}
		return &MergeOutput{CommitID: res.commit.Hash.String(), TreeID: res.commit.TreeHash.String()}, nil
	})
}

// inspect resolves a merge for the read-only operations and computes its conflicts.
func (s *Service) inspect(ctx context.Context, repoName, srcSpec, dstSpec, level, strategy string, computeTree bool) (*mergeState, *treeMerge, error) {
	level, strategy, err := checkLevelStrategy(level, strategy)
	if err != nil {
		return nil, nil, err
	}
	if srcSpec == "" || dstSpec == "" {
		return nil, nil, ErrCommitRequired
	}
	rec, repo, err := s.open(ctx, repoName)
	if err != nil {
		return nil, nil, err
	}
	repo.rlock()
	defer repo.runlock()
	m, err := repo.resolveMerge(rec, srcSpec, dstSpec)
	if err != nil {
		return nil, nil, err
	}
	if !computeTree || m.alreadyMerged {
		return m, &treeMerge{}, nil
	}
	tm, err := m.merge(level, strategy)
	if err != nil {
		return nil, nil, internal(err)
	}
	// Fill line-level hunks for conflicting text files even at file level (Describe needs
	// them); the merge verdict is unchanged.
	for _, c := range tm.conflicts {
		if c.lines == nil && c.meta.ContentConflict && isRegular(c.dest) && isRegular(c.src) && (c.base == nil || isRegular(c.base)) {
			if c.lines, err = repo.lineMergeOf(c.base, c.dest, c.src); err != nil {
				return nil, nil, internal(err)
			}
		}
	}
	return m, tm, nil
}

// GetMergeOptionsInput is the input of GetMergeOptions.
type GetMergeOptionsInput struct {
	RepositoryName             string `json:"repositoryName,omitempty"`
	SourceCommitSpecifier      string `json:"sourceCommitSpecifier,omitempty"`
	DestinationCommitSpecifier string `json:"destinationCommitSpecifier,omitempty"`
	ConflictDetailLevel        string `json:"conflictDetailLevel,omitempty"`
	ConflictResolutionStrategy string `json:"conflictResolutionStrategy,omitempty"`
}

// GetMergeOptionsOutput is the output of GetMergeOptions.
type GetMergeOptionsOutput struct {
	MergeOptions        []string `json:"mergeOptions"`
	SourceCommitID      string   `json:"sourceCommitId,omitempty"`
	DestinationCommitID string   `json:"destinationCommitId,omitempty"`
	BaseCommitID        string   `json:"baseCommitId,omitempty"`
}

// GetMergeOptions lists the merge options that would succeed without manual resolution.
func (s *Service) GetMergeOptions(ctx context.Context, in *GetMergeOptionsInput) (*GetMergeOptionsOutput, error) {
	return dispatch.Do(ctx, s.d, "GetMergeOptions", in, func(ctx context.Context, in *GetMergeOptionsInput) (*GetMergeOptionsOutput, error) {
		m, tm, err := s.inspect(ctx, in.RepositoryName, in.SourceCommitSpecifier, in.DestinationCommitSpecifier, in.ConflictDetailLevel, in.ConflictResolutionStrategy, true)
		if err != nil {
			return nil, err
		}
		out := &GetMergeOptionsOutput{MergeOptions: []string{}, SourceCommitID: m.src.Hash.String(), DestinationCommitID: m.dst.Hash.String(), BaseCommitID: m.baseID()}
		if m.ffPossible || m.alreadyMerged {
			out.MergeOptions = append(out.MergeOptions, mergeFastForward)
		}
		if len(tm.unresolved()) == 0 {
			out.MergeOptions = append(out.MergeOptions, mergeSquash, mergeThreeWay)
		}
		return out, nil
	})
}

// GetMergeCommitInput is the input of GetMergeCommit.
type GetMergeCommitInput struct {
	RepositoryName             string `json:"repositoryName,omitempty"`
	SourceCommitSpecifier      string `json:"sourceCommitSpecifier,omitempty"`
	DestinationCommitSpecifier string `json:"destinationCommitSpecifier,omitempty"`
	ConflictDetailLevel        string `json:"conflictDetailLevel,omitempty"`
	ConflictResolutionStrategy string `json:"conflictResolutionStrategy,omitempty"`
}

// GetMergeCommitOutput is the output of GetMergeCommit.
type GetMergeCommitOutput struct {
	SourceCommitID      string `json:"sourceCommitId,omitempty"`
	DestinationCommitID string `json:"destinationCommitId,omitempty"`
	BaseCommitID        string `json:"baseCommitId,omitempty"`
	MergedCommitID      string `json:"mergedCommitId,omitempty"`
}

// GetMergeCommit describes a merge between two commits: their merge base and, when the
// source is already merged into the destination, the merge commit that brought it in (the
// oldest merge commit on the destination's first-parent line that contains the source; none
// after a fast-forward or squash).
func (s *Service) GetMergeCommit(ctx context.Context, in *GetMergeCommitInput) (*GetMergeCommitOutput, error) {
	return dispatch.Do(ctx, s.d, "GetMergeCommit", in, func(ctx context.Context, in *GetMergeCommitInput) (*GetMergeCommitOutput, error) {
		m, _, err := s.inspect(ctx, in.RepositoryName, in.SourceCommitSpecifier, in.DestinationCommitSpecifier, in.ConflictDetailLevel, in.ConflictResolutionStrategy, false)
		if err != nil {
			return nil, err
		}
		out := &GetMergeCommitOutput{SourceCommitID: m.src.Hash.String(), DestinationCommitID: m.dst.Hash.String(), BaseCommitID: m.baseID()}
		if m.alreadyMerged && m.src.Hash != m.dst.Hash {
			m.repo.rlock()
			defer m.repo.runlock()
			c := m.dst
			var found plumbing.Hash
			for range maxMergeWalk {
				if c.Hash == m.src.Hash || len(c.ParentHashes) == 0 {
					break // fast-forwarded: no merge commit
				}
				anc, err := m.repo.ancestors(c.ParentHashes[0])
				if err != nil {
					return nil, err
				}
				if !anc[m.src.Hash] {
					if len(c.ParentHashes) > 1 {
						found = c.Hash
					}
					break
				}
				if c, err = m.repo.commit(c.ParentHashes[0]); err != nil {
					return nil, internal(err)
				}
			}
			if !found.IsZero() {
				out.MergedCommitID = found.String()
			}
		}
		return out, nil
	})
}

// GetMergeConflictsInput is the input of GetMergeConflicts.
type GetMergeConflictsInput struct {
	RepositoryName             string `json:"repositoryName,omitempty"`
	DestinationCommitSpecifier string `json:"destinationCommitSpecifier,omitempty"`
	SourceCommitSpecifier      string `json:"sourceCommitSpecifier,omitempty"`
	MergeOption                string `json:"mergeOption,omitempty"`
	ConflictDetailLevel        string `json:"conflictDetailLevel,omitempty"`
	MaxConflictFiles           int32  `json:"maxConflictFiles,omitzero"`
	ConflictResolutionStrategy string `json:"conflictResolutionStrategy,omitempty"`
	NextToken                  string `json:"nextToken,omitempty"`
}

// GetMergeConflictsOutput is the output of GetMergeConflicts.
type GetMergeConflictsOutput struct {
	Mergeable            bool               `json:"mergeable"`
	DestinationCommitID  string             `json:"destinationCommitId,omitempty"`
	SourceCommitID       string             `json:"sourceCommitId,omitempty"`
	BaseCommitID         string             `json:"baseCommitId,omitempty"`
	ConflictMetadataList []ConflictMetadata `json:"conflictMetadataList"`
	NextToken            string             `json:"nextToken,omitempty"`
}

// GetMergeConflicts says whether a merge can be made and lists the conflicting files.
func (s *Service) GetMergeConflicts(ctx context.Context, in *GetMergeConflictsInput) (*GetMergeConflictsOutput, error) {
	return dispatch.Do(ctx, s.d, "GetMergeConflicts", in, func(ctx context.Context, in *GetMergeConflictsInput) (*GetMergeConflictsOutput, error) {
		if err := checkMergeOption(in.MergeOption); err != nil {
			return nil, err
		}
		if in.MaxConflictFiles < 0 {
			return nil, ErrInvalidMaxConflictFiles
		}
		limit := int(in.MaxConflictFiles)
		if limit == 0 {
			limit = 100
		}
		m, tm, err := s.inspect(ctx, in.RepositoryName, in.SourceCommitSpecifier, in.DestinationCommitSpecifier, in.ConflictDetailLevel, in.ConflictResolutionStrategy, in.MergeOption != mergeFastForward)
		if err != nil {
			return nil, err
		}
		out := &GetMergeConflictsOutput{ConflictMetadataList: []ConflictMetadata{}, SourceCommitID: m.src.Hash.String(), DestinationCommitID: m.dst.Hash.String(), BaseCommitID: m.baseID()}
		if in.MergeOption == mergeFastForward {
			out.Mergeable = m.ffPossible || m.alreadyMerged
			return out, nil
		}
		un := tm.unresolved()
		out.Mergeable = len(un) == 0
		start, err := decodeToken(in.NextToken)
		if err != nil || start > len(un) {
			return nil, ErrInvalidContinuationToken
		}
		end := min(start+limit, len(un))
		for _, c := range un[start:end] {
			out.ConflictMetadataList = append(out.ConflictMetadataList, c.meta)
		}
		if end < len(un) {
			out.NextToken = encodeToken(end)
		}
		return out, nil
	})
}

// hunks turns a line merge into AWS's merge hunks (the regions one or both sides changed).
func (c *fileConflict) hunks() []MergeHunk {
	lm := c.lines
	if lm == nil {
		return nil
	}
	detail := func(lines [][]byte, rng [2]int) *MergeHunkDetail {
		var sb strings.Builder
		for _, l := range lines[rng[0]:rng[1]] {
			sb.Write(l)
		}
		return &MergeHunkDetail{StartLine: int32(rng[0] + 1), EndLine: int32(rng[1]), HunkContent: sb.String()}
	}
	var out []MergeHunk
	for _, r := range lm.regions {
		if r.stable {
			continue
		}
		out = append(out, MergeHunk{IsConflict: r.conflict, Source: detail(lm.src, r.src), Destination: detail(lm.dest, r.dest), Base: detail(lm.base, r.base)})
	}
	return out
}

// DescribeMergeConflictsInput is the input of DescribeMergeConflicts.
type DescribeMergeConflictsInput struct {
	RepositoryName             string `json:"repositoryName,omitempty"`
	DestinationCommitSpecifier string `json:"destinationCommitSpecifier,omitempty"`
	SourceCommitSpecifier      string `json:"sourceCommitSpecifier,omitempty"`
	MergeOption                string `json:"mergeOption,omitempty"`
	MaxMergeHunks              int32  `json:"maxMergeHunks,omitzero"`
	FilePath                   string `json:"filePath,omitempty"`
	ConflictDetailLevel        string `json:"conflictDetailLevel,omitempty"`
	ConflictResolutionStrategy string `json:"conflictResolutionStrategy,omitempty"`
	NextToken                  string `json:"nextToken,omitempty"`
}

// DescribeMergeConflictsOutput is the output of DescribeMergeConflicts.
type DescribeMergeConflictsOutput struct {
	ConflictMetadata    *ConflictMetadata `json:"conflictMetadata,omitempty"`
	MergeHunks          []MergeHunk       `json:"mergeHunks"`
	NextToken           string            `json:"nextToken,omitempty"`
	DestinationCommitID string            `json:"destinationCommitId,omitempty"`
	SourceCommitID      string            `json:"sourceCommitId,omitempty"`
	BaseCommitID        string            `json:"baseCommitId,omitempty"`
}

// DescribeMergeConflicts lists the merge hunks of one conflicting file.
func (s *Service) DescribeMergeConflicts(ctx context.Context, in *DescribeMergeConflictsInput) (*DescribeMergeConflictsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeMergeConflicts", in, func(ctx context.Context, in *DescribeMergeConflictsInput) (*DescribeMergeConflictsOutput, error) {
		if err := checkMergeOption(in.MergeOption); err != nil {
			return nil, err
		}
		p, err := filePath(in.FilePath)
		if err != nil {
			return nil, err
		}
		if in.MaxMergeHunks < 0 {
			return nil, ErrInvalidMaxMergeHunks
		}
		limit := int(in.MaxMergeHunks)
		if limit == 0 {
			limit = 1000
		}
		m, tm, err := s.inspect(ctx, in.RepositoryName, in.SourceCommitSpecifier, in.DestinationCommitSpecifier, in.ConflictDetailLevel, in.ConflictResolutionStrategy, true)
		if err != nil {
			return nil, err
		}
		c := tm.conflictAt(p)
		if c == nil || c.resolved {
			return nil, ErrFileDoesNotExist.With("The file %s has no merge conflict.", p)
		}
		hs := c.hunks()
		start, err := decodeToken(in.NextToken)
		if err != nil || start > len(hs) {
			return nil, ErrInvalidContinuationToken
		}
		end := min(start+limit, len(hs))
		meta := c.meta
		out := &DescribeMergeConflictsOutput{ConflictMetadata: &meta, MergeHunks: append([]MergeHunk{}, hs[start:end]...),
			SourceCommitID: m.src.Hash.String(), DestinationCommitID: m.dst.Hash.String(), BaseCommitID: m.baseID()}
		if end < len(hs) {
			out.NextToken = encodeToken(end)
		}
		return out, nil
	})
}

// BatchDescribeMergeConflictsInput is the input of BatchDescribeMergeConflicts.
type BatchDescribeMergeConflictsInput struct {
	RepositoryName             string   `json:"repositoryName,omitempty"`
	DestinationCommitSpecifier string   `json:"destinationCommitSpecifier,omitempty"`
	SourceCommitSpecifier      string   `json:"sourceCommitSpecifier,omitempty"`
	MergeOption                string   `json:"mergeOption,omitempty"`
	MaxMergeHunks              int32    `json:"maxMergeHunks,omitzero"`
	MaxConflictFiles           int32    `json:"maxConflictFiles,omitzero"`
	FilePaths                  []string `json:"filePaths,omitempty"`
	ConflictDetailLevel        string   `json:"conflictDetailLevel,omitempty"`
	ConflictResolutionStrategy string   `json:"conflictResolutionStrategy,omitempty"`
	NextToken                  string   `json:"nextToken,omitempty"`
}

// BatchDescribeMergeConflictsError is a file BatchDescribeMergeConflicts could not describe.
type BatchDescribeMergeConflictsError struct {
	FilePath      string `json:"filePath,omitempty"`
	ExceptionName string `json:"exceptionName,omitempty"`
	Message       string `json:"message,omitempty"`
}

// BatchDescribeMergeConflictsOutput is the output of BatchDescribeMergeConflicts.
type BatchDescribeMergeConflictsOutput struct {
	Conflicts           []Conflict                         `json:"conflicts"`
	NextToken           string                             `json:"nextToken,omitempty"`
	Errors              []BatchDescribeMergeConflictsError `json:"errors"`
	DestinationCommitID string                             `json:"destinationCommitId,omitempty"`
	SourceCommitID      string                             `json:"sourceCommitId,omitempty"`
	BaseCommitID        string                             `json:"baseCommitId,omitempty"`
}

// BatchDescribeMergeConflicts describes the conflicting files (all, or filePaths) with their
// hunks (at most maxMergeHunks in all), maxConflictFiles a page.
func (s *Service) BatchDescribeMergeConflicts(ctx context.Context, in *BatchDescribeMergeConflictsInput) (*BatchDescribeMergeConflictsOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchDescribeMergeConflicts", in, func(ctx context.Context, in *BatchDescribeMergeConflictsInput) (*BatchDescribeMergeConflictsOutput, error) {
		if err := checkMergeOption(in.MergeOption); err != nil {
			return nil, err
		}
		if in.MaxMergeHunks < 0 {
			return nil, ErrInvalidMaxMergeHunks
		}
		if in.MaxConflictFiles < 0 {
			return nil, ErrInvalidMaxConflictFiles
		}
		maxFiles, maxHunks := int(in.MaxConflictFiles), int(in.MaxMergeHunks)
		if maxFiles == 0 {
			maxFiles = 100
		}
		if maxHunks == 0 {
			maxHunks = 1000
		}
		m, tm, err := s.inspect(ctx, in.RepositoryName, in.SourceCommitSpecifier, in.DestinationCommitSpecifier, in.ConflictDetailLevel, in.ConflictResolutionStrategy, true)
		if err != nil {
			return nil, err
		}
		out := &BatchDescribeMergeConflictsOutput{Conflicts: []Conflict{}, Errors: []BatchDescribeMergeConflictsError{},
			SourceCommitID: m.src.Hash.String(), DestinationCommitID: m.dst.Hash.String(), BaseCommitID: m.baseID()}
		list := tm.unresolved()
		if len(in.FilePaths) > 0 {
			want := map[string]bool{}
			for _, fp := range in.FilePaths {
				p, ok := cleanPath(fp)
				if !ok {
					out.Errors = append(out.Errors, BatchDescribeMergeConflictsError{FilePath: fp, ExceptionName: "InvalidPathException", Message: "The specified path is not valid."})
					continue
				}
				want[p] = true
				if c := tm.conflictAt(p); c == nil || c.resolved {
					out.Errors = append(out.Errors, BatchDescribeMergeConflictsError{FilePath: fp, ExceptionName: "FileDoesNotExistException", Message: "The file " + p + " has no merge conflict."})
				}
			}
			var sel []*fileConflict
			for _, c := range list {
				if want[c.path] {
					sel = append(sel, c)
				}
			}
			list = sel
		}
		start, err := decodeToken(in.NextToken)
		if err != nil || start > len(list) {
			return nil, ErrInvalidContinuationToken
		}
		end := min(start+maxFiles, len(list))
		hunks := 0
		for _, c := range list[start:end] {
			hs := c.hunks()
			if n := maxHunks - hunks; len(hs) > n {
				hs = hs[:max(n, 0)]
			}
			hunks += len(hs)
			meta := c.meta
			out.Conflicts = append(out.Conflicts, Conflict{ConflictMetadata: &meta, MergeHunks: append([]MergeHunk{}, hs...)})
		}
		if end < len(list) {
			out.NextToken = encodeToken(end)
		}
		return out, nil
	})
}
