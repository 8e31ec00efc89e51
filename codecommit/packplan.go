package codecommit

import (
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// packPlan decides which objects an upload-pack response carries. It runs under the
// repository's read lock.
type packPlan struct {
	repo *gitRepo
	req  *uploadRequest
	// boundary commits are treated as having no parents (the client's shallow commits, and
	// after deepen the new shallow commits).
	boundary      map[plumbing.Hash]bool
	clientShallow map[plumbing.Hash]bool
	newShallow    []plumbing.Hash
	unshallow     []plumbing.Hash
	// depthCut: commits included by a depth limit (nil: no depth limit).
	depthCut map[plumbing.Hash]bool
}

func newPackPlan(repo *gitRepo, req *uploadRequest) *packPlan {
	p := &packPlan{repo: repo, req: req, boundary: map[plumbing.Hash]bool{}, clientShallow: map[plumbing.Hash]bool{}}
	for _, h := range req.Shallows {
		p.boundary[h] = true
		p.clientShallow[h] = true
	}
	return p
}

// peelToCommit follows tags to a commit; ok is false when h is not (a tag of) a commit.
func (p *packPlan) peelToCommit(h plumbing.Hash) (plumbing.Hash, bool) {
	for range 16 {
		o, err := p.repo.st.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return h, false
		}
		switch o.Type() {
		case plumbing.CommitObject:
			return h, true
		case plumbing.TagObject:
			t, err := object.DecodeTag(p.repo.st, o)
			if err != nil {
				return h, false
			}
			h = t.Target
		default:
			return h, false
		}
	}
	return h, false
}

// deepen walks req.Depth commits from the wants and records the new shallow boundary.
func (p *packPlan) deepen() error {
	depth := map[plumbing.Hash]int{}
	var queue []plumbing.Hash
	for _, w := range p.req.Wants {
		if c, ok := p.peelToCommit(w); ok {
			if _, seen := depth[c]; !seen {
				depth[c] = 1
				queue = append(queue, c)
			}
		}
	}
	clientShallow := p.clientShallow
	p.boundary = map[plumbing.Hash]bool{}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		c, err := p.repo.commit(h)
		if err != nil {
			return err
		}
		d := depth[h]
		if d >= p.req.Depth {
			if len(c.ParentHashes) > 0 {
				p.boundary[h] = true
				if !clientShallow[h] {
					p.newShallow = append(p.newShallow, h)
				}
			}
			continue
		}
		for _, ph := range c.ParentHashes {
			if od, seen := depth[ph]; !seen || od > d+1 {
				depth[ph] = d + 1
				queue = append(queue, ph)
			}
		}
	}
	for h := range clientShallow {
		if _, reached := depth[h]; reached && !p.boundary[h] {
			p.unshallow = append(p.unshallow, h)
		}
	}
	p.depthCut = map[plumbing.Hash]bool{}
	for h := range depth {
		p.depthCut[h] = true
	}
	return nil
}

func (p *packPlan) parents(c *object.Commit) []plumbing.Hash {
	if p.boundary[c.Hash] {
		return nil
	}
	return c.ParentHashes
}

// ancestors returns the commits reachable from roots (inclusive), stopping at boundaries.
func (p *packPlan) ancestors(roots []plumbing.Hash, limit int, client bool) map[plumbing.Hash]bool {
	seen := map[plumbing.Hash]bool{}
	queue := append([]plumbing.Hash(nil), roots...)
	for len(queue) > 0 && (limit <= 0 || len(seen) < limit) {
		h := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[h] {
			continue
		}
		c, err := p.repo.commit(h)
		if err != nil {
			continue
		}
		seen[h] = true
		if client && p.clientShallow[h] {
			continue // the client has nothing behind its shallow commits
		}
		queue = append(queue, p.parents(c)...)
	}
	return seen
}

// okToGiveUp reports whether every wanted commit has a common commit among its ancestors.
func (p *packPlan) okToGiveUp(common []plumbing.Hash) bool {
	if len(common) == 0 {
		return false
	}
	cs := map[plumbing.Hash]bool{}
	for _, h := range common {
		cs[h] = true
	}
	for _, w := range p.req.Wants {
		c, ok := p.peelToCommit(w)
		if !ok {
			continue
		}
		found := false
		for h := range p.ancestors([]plumbing.Hash{c}, 100000, false) {
			if cs[h] {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// objects lists what to send: commits reachable from the wants but not from the common
// commits, their trees and blobs except those in the trees of the edge commits, wanted tag
// objects, and (with include-tag) annotated tags of sent commits.
func (p *packPlan) objects(common []plumbing.Hash) ([]plumbing.Hash, error) {
	st := p.repo.st
	have := p.ancestors(common, 0, true)
	var out []plumbing.Hash
	sent := map[plumbing.Hash]bool{}
	add := func(h plumbing.Hash) {
		if !sent[h] {
			sent[h] = true
			out = append(out, h)
		}
	}
	var roots []plumbing.Hash
	for _, w := range p.req.Wants {
		h := w
		for range 16 {
			o, err := st.EncodedObject(plumbing.AnyObject, h)
			if err != nil {
				return nil, err
			}
			if o.Type() != plumbing.TagObject {
				break
			}
			add(h)
			t, err := object.DecodeTag(st, o)
			if err != nil {
				return nil, err
			}
			h = t.Target
		}
		o, err := st.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return nil, err
		}
		switch o.Type() {
		case plumbing.CommitObject:
			roots = append(roots, h)
		case plumbing.TreeObject:
			if err := p.addTree(h, map[plumbing.Hash]bool{}, add, sent); err != nil {
				return nil, err
			}
		default:
			add(h)
		}
	}
	// Commits the client stops being shallow at need their parents sent.
	for _, u := range p.unshallow {
		if c, err := p.repo.commit(u); err == nil {
			roots = append(roots, c.ParentHashes...)
		}
	}
	// Walk the interesting commits.
	var commits []*object.Commit
	edges := map[plumbing.Hash]bool{}
	seen := map[plumbing.Hash]bool{}
	stack := roots
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		if have[h] {
			edges[h] = true
			continue
		}
		if p.depthCut != nil && !p.depthCut[h] {
			continue
		}
		c, err := p.repo.commit(h)
		if err != nil {
			return nil, err
		}
		commits = append(commits, c)
		stack = append(stack, p.parents(c)...)
	}
	for _, h := range common {
		edges[h] = true
	}
	// Objects the client has: everything in the edge commits' trees.
	excl := map[plumbing.Hash]bool{}
	for h := range edges {
		c, err := p.repo.commit(h)
		if err != nil {
			continue
		}
		p.markTree(c.TreeHash, excl)
	}
	for _, c := range commits {
		add(c.Hash)
		if err := p.addTree(c.TreeHash, excl, add, sent); err != nil {
			return nil, err
		}
	}
	if p.req.has("include-tag") {
		refs, err := p.repo.refs()
		if err != nil {
			return nil, err
		}
		for n, h := range refs {
			if !n.IsTag() || sent[h] {
				continue
			}
			if t, err := object.GetTag(st, h); err == nil && sent[t.Target] {
				add(h)
			}
		}
	}
	return out, nil
}

// markTree puts tree h and everything under it into set.
func (p *packPlan) markTree(h plumbing.Hash, set map[plumbing.Hash]bool) {
	if set[h] {
		return
	}
	t, err := object.GetTree(p.repo.st, h)
	if err != nil {
		return
	}
	set[h] = true
	for _, e := range t.Entries {
		switch e.Mode {
		case filemode.Submodule:
		case filemode.Dir:
			p.markTree(e.Hash, set)
		default:
			set[e.Hash] = true
		}
	}
}

// addTree adds tree h and everything under it that is neither in skip nor already sent.
// Gitlinks (submodules) are not objects of this repository.
func (p *packPlan) addTree(h plumbing.Hash, skip map[plumbing.Hash]bool, add func(plumbing.Hash), sent map[plumbing.Hash]bool) error {
	if skip[h] || sent[h] {
		return nil
	}
	t, err := object.GetTree(p.repo.st, h)
	if err != nil {
		return err
	}
	add(h)
	for _, e := range t.Entries {
		switch e.Mode {
		case filemode.Submodule:
		case filemode.Dir:
			if err := p.addTree(e.Hash, skip, add, sent); err != nil {
				return err
			}
		default:
			if !skip[e.Hash] && !sent[e.Hash] {
				add(e.Hash)
			}
		}
	}
	return nil
}
