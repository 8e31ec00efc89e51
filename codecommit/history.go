package codecommit

import (
	"container/heap"
	"context"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/devopsim/devopsim/internal/dispatch"
)

// maxHistoryWalk bounds the commits ListFileCommitHistory walks.
const maxHistoryWalk = 100000

// FileVersion is one version of a file in its history.
type FileVersion struct {
	Commit           *Commit  `json:"commit,omitempty"`
	BlobID           string   `json:"blobId,omitempty"`
	Path             string   `json:"path,omitempty"`
	RevisionChildren []string `json:"revisionChildren"`
}

// ListFileCommitHistoryInput is the input of ListFileCommitHistory.
type ListFileCommitHistoryInput struct {
	RepositoryName  string `json:"repositoryName,omitempty"`
	CommitSpecifier string `json:"commitSpecifier,omitempty"`
	FilePath        string `json:"filePath,omitempty"`
	MaxResults      int32  `json:"maxResults,omitzero"`
	NextToken       string `json:"nextToken,omitempty"`
}

// ListFileCommitHistoryOutput is the output of ListFileCommitHistory.
type ListFileCommitHistoryOutput struct {
	RevisionDag []FileVersion `json:"revisionDag"`
	NextToken   string        `json:"nextToken,omitempty"`
}

// ListFileCommitHistory lists the commits that changed a file, newest first, from a commit
// specifier (default: the default branch), with git's history simplification: a merge whose
// file equals one parent's follows that parent only. Each version names the newer versions
// made from it (revisionChildren). Renames are not followed.
func (s *Service) ListFileCommitHistory(ctx context.Context, in *ListFileCommitHistoryInput) (*ListFileCommitHistoryOutput, error) {
	return dispatch.Do(ctx, s.d, "ListFileCommitHistory", in, func(ctx context.Context, in *ListFileCommitHistoryInput) (*ListFileCommitHistoryOutput, error) {
		p, err := filePath(in.FilePath)
		if err != nil {
			return nil, err
		}
		if in.MaxResults < 0 || in.MaxResults > 1000 {
			return nil, ErrInvalidMaxResults
		}
		rec, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		repo.rlock()
		defer repo.runlock()
		start, err := repo.resolveLocked(rec, in.CommitSpecifier)
		if err != nil {
			return nil, err
		}
		blobs := map[plumbing.Hash]plumbing.Hash{} // commit -> blob of p (zero: absent)
		blobAt := func(c *object.Commit) (plumbing.Hash, error) {
			if b, ok := blobs[c.Hash]; ok {
				return b, nil
			}
			t, err := c.Tree()
			if err != nil {
				return plumbing.ZeroHash, err
			}
			e, err := repo.lookupPath(t, p)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			var b plumbing.Hash
			if e != nil && e.Mode != filemode.Dir && e.Mode != filemode.Submodule {
				b = e.Hash
			}
			blobs[c.Hash] = b
			return b, nil
		}
		// Walk newest first; next[c] are the parents the simplified history follows.
		commits := map[plumbing.Hash]*object.Commit{}
		next := map[plumbing.Hash][]plumbing.Hash{}
		included := map[plumbing.Hash]bool{}
		var order []*object.Commit
		queue := &commitQueue{start}
		seen := map[plumbing.Hash]bool{start.Hash: true}
		for queue.Len() > 0 {
			if len(seen) > maxHistoryWalk {
				return nil, ErrTipsDivergenceExceeded
			}
			c := heap.Pop(queue).(*object.Commit)
			commits[c.Hash] = c
			order = append(order, c)
			b, err := blobAt(c)
			if err != nil {
				return nil, internal(err)
			}
			var parents []*object.Commit
			same := -1
			for i, ph := range c.ParentHashes {
				pc, err := repo.commit(ph)
				if err != nil {
					return nil, internal(err)
				}
				pb, err := blobAt(pc)
				if err != nil {
					return nil, internal(err)
				}
				if pb == b && same < 0 {
					same = i
				}
				parents = append(parents, pc)
			}
			if same >= 0 {
				parents = parents[same : same+1] // treesame: follow that parent only
			} else if !b.IsZero() {
				included[c.Hash] = true
			}
			if b.IsZero() && same < 0 {
				parents = nil // the file does not exist here: its history ends
			}
			for _, pc := range parents {
				next[c.Hash] = append(next[c.Hash], pc.Hash)
				if !seen[pc.Hash] {
					seen[pc.Hash] = true
					heap.Push(queue, pc)
				}
			}
		}
		// revisionChildren: for each included version, the nearest included descendants.
		children := map[plumbing.Hash][]string{}
		for _, c := range order {
			if !included[c.Hash] {
				continue
			}
			found := map[plumbing.Hash]bool{}
			stack := append([]plumbing.Hash(nil), next[c.Hash]...)
			visited := map[plumbing.Hash]bool{}
			for len(stack) > 0 {
				h := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if visited[h] {
					continue
				}
				visited[h] = true
				if included[h] {
					found[h] = true
					continue
				}
				stack = append(stack, next[h]...)
			}
			for h := range found {
				children[h] = append(children[h], c.Hash.String())
			}
		}
		var dag []FileVersion
		for _, c := range order {
			if !included[c.Hash] {
				continue
			}
			kids := append([]string{}, children[c.Hash]...)
			sort.Strings(kids)
			dag = append(dag, FileVersion{Commit: toCommit(c), BlobID: blobs[c.Hash].String(), Path: p, RevisionChildren: kids})
		}
		if len(dag) == 0 {
			if b, _ := blobAt(start); b.IsZero() {
				return nil, ErrFileDoesNotExist.With("The file %s does not exist at %s.", p, start.Hash)
			}
		}
		return paginate(dag, in.NextToken, int(in.MaxResults), 100, func(page []FileVersion, tok string) *ListFileCommitHistoryOutput {
			return &ListFileCommitHistoryOutput{RevisionDag: page, NextToken: tok}
		})
	})
}

// commitQueue orders commits newest first (by committer date, then hash).
type commitQueue []*object.Commit

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	if !q[i].Committer.When.Equal(q[j].Committer.When) {
		return q[i].Committer.When.After(q[j].Committer.When)
	}
	return q[i].Hash.String() < q[j].Hash.String()
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*object.Commit)) }
func (q *commitQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}
