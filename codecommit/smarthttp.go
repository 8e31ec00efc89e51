package codecommit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// maxPushBytes bounds one push's pack (AWS limits a single push to 2 GB; we keep it in
// memory, so the bound is lower).
const maxPushBytes = 1 << 30

const agent = "agent=devopsim/1"

// GitHandler returns the git smart HTTP endpoint. The platform mounts it at /v1/repos/ (the
// path AWS uses: https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>); it serves
// GET <name>/info/refs, POST <name>/git-upload-pack and POST <name>/git-receive-pack.
func (s *Service) GitHandler() http.Handler { return http.HandlerFunc(s.serveGit) }

// GitInput is the recorded input of the GitPull and GitPush events (as CloudTrail logs them).
type GitInput struct {
	RepositoryName string `json:"repositoryName"`
	Service        string `json:"-"`
}

// GitOutput is empty: the response went to the HTTP client.
type GitOutput struct{}

var hostRegion = regexp.MustCompile(`^git-codecommit(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?::\d+)?$`)
var atAccount = regexp.MustCompile(`-at-(\d{12})$`)

func (s *Service) gitCaller(r *http.Request) (identity.Caller, int) {
	acct, region := s.env.Account, s.env.Region
	if m := hostRegion.FindStringSubmatch(r.Host); m != nil {
		region = m[1]
	}
	user, pass, ok := r.BasicAuth()
	if s.opts.GitAuth != nil {
		if !ok {
			return identity.Caller{}, http.StatusUnauthorized
		}
		a, rg, err := s.opts.GitAuth(r.Context(), user, pass)
		if err != nil {
			return identity.Caller{}, http.StatusUnauthorized
		}
		if a != "" {
			acct = a
		}
		if rg != "" {
			region = rg
		}
	} else if ok {
		if m := atAccount.FindStringSubmatch(user); m != nil {
			acct = m[1]
		}
	}
	c := identity.Root(acct, region)
	c.SourceIP = r.RemoteAddr
	c.UserAgent = r.UserAgent()
	return c, 0
}

func (s *Service) serveGit(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if i := strings.Index(p, "/v1/repos/"); i >= 0 {
		p = p[i+len("/v1/repos/"):]
	}
	p = strings.TrimPrefix(p, "/")
	name, rest, _ := strings.Cut(p, "/")
	var svc string
	switch {
	case rest == "info/refs" && r.Method == http.MethodGet:
		svc = r.URL.Query().Get("service")
		if svc != "git-upload-pack" && svc != "git-receive-pack" {
			http.Error(w, "dumb HTTP is not supported; use a git client that speaks smart HTTP", http.StatusForbidden)
			return
		}
	case (rest == "git-upload-pack" || rest == "git-receive-pack") && r.Method == http.MethodPost:
		svc = rest
	default:
		http.NotFound(w, r)
		return
	}
	caller, status := s.gitCaller(r)
	if status != 0 {
		w.Header().Set("WWW-Authenticate", `Basic realm="CodeCommit"`)
		http.Error(w, "authentication required", status)
		return
	}
	ctx := identity.With(r.Context(), caller)
	op := "GitPull"
	if svc == "git-receive-pack" {
		op = "GitPush"
	}
	in := &GitInput{RepositoryName: name, Service: svc}
	wrote := false
	_, err := dispatch.Do(ctx, s.d, op, in, func(ctx context.Context, in *GitInput) (*GitOutput, error) {
		rec, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		wrote = true
		if rest == "info/refs" {
			return nil, s.advertise(w, repo, svc)
		}
		body := io.Reader(r.Body)
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, "bad gzip body", http.StatusBadRequest)
				return nil, apierr.New(apierr.Invalid, "InvalidRequestException", "bad gzip body")
			}
			defer zr.Close()
			body = zr
		}
		if svc == "git-upload-pack" {
			return nil, s.uploadPack(ctx, w, repo, body)
		}
		return nil, s.receivePack(ctx, w, rec, repo, body)
	})
	if err != nil && !wrote {
		code := http.StatusInternalServerError
		switch {
		case errors.Is(err, apierr.NotFound), errors.Is(err, apierr.Invalid):
			code = http.StatusNotFound
		case errors.Is(err, apierr.Denied):
			code = http.StatusForbidden
		}
		http.Error(w, apierr.As(err).Message, code)
	}
}

// advertise writes the reference advertisement.
func (s *Service) advertise(w http.ResponseWriter, repo *gitRepo, svc string) error {
	repo.rlock()
	refs, err := repo.refs()
	head, _ := repo.refHash(plumbing.HEAD)
	headTarget := ""
	if ref, err := repo.st.Reference(plumbing.HEAD); err == nil && ref.Type() == plumbing.SymbolicReference {
		headTarget = ref.Target().String()
	}
	peeled := map[plumbing.ReferenceName]plumbing.Hash{}
	for n, h := range refs {
		if n.IsTag() {
			if t, err := object.GetTag(repo.st, h); err == nil {
				for t.TargetType == plumbing.TagObject {
					nt, err := object.GetTag(repo.st, t.Target)
					if err != nil {
						break
					}
					t = nt
				}
				peeled[n] = t.Target
			}
		}
	}
	repo.runlock()
	if err != nil {
		return err
	}
	var caps string
	if svc == "git-upload-pack" {
		caps = "multi_ack_detailed no-done side-band-64k side-band ofs-delta shallow include-tag no-progress"
		if !head.IsZero() && headTarget != "" {
			caps += " symref=HEAD:" + headTarget
		}
	} else {
		caps = "report-status delete-refs ofs-delta atomic"
	}
	caps += " " + agent

	w.Header().Set("Content-Type", "application/x-"+svc+"-advertisement")
	w.Header().Set("Cache-Control", "no-cache")
	pw := &pktWriter{w: w}
	pw.line("# service=%s\n", svc)
	pw.flush()
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n.String())
	}
	sort.Strings(names)
	first := true
	emit := func(h plumbing.Hash, name string) {
		if first {
			pw.line("%s %s\x00%s\n", h, name, caps)
			first = false
			return
		}
		pw.line("%s %s\n", h, name)
	}
	if !head.IsZero() && svc == "git-upload-pack" {
		emit(head, "HEAD")
	}
	for _, n := range names {
		h := refs[plumbing.ReferenceName(n)]
		emit(h, n)
		if p, ok := peeled[plumbing.ReferenceName(n)]; ok && svc == "git-upload-pack" {
			pw.line("%s %s^{}\n", p, n)
		}
	}
	if first {
		pw.line("%s capabilities^{}\x00%s\n", plumbing.ZeroHash, caps)
	}
	pw.flush()
	return pw.err
}

// uploadPack answers one stateless upload-pack round: shallow info, negotiation ACKs, and the
// pack once the client is done (or the server is ready and the client allows no-done).
func (s *Service) uploadPack(ctx context.Context, w http.ResponseWriter, repo *gitRepo, body io.Reader) error {
	req, err := parseUploadRequest(io.LimitReader(body, 64<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return apierr.New(apierr.Invalid, "InvalidRequestException", "%v", err)
	}
	// Read what follows "done" (the client's closing flush) before answering.
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<20))
	w.Header().Set("Content-Type", "application/x-git-upload-pack-result")
	w.Header().Set("Cache-Control", "no-cache")
	pw := &pktWriter{w: w}
	if len(req.Wants) == 0 {
		pw.flush()
		return pw.err
	}
	repo.rlock()
	defer repo.runlock()

	for _, h := range req.Wants {
		if _, err := repo.st.EncodedObject(plumbing.AnyObject, h); err != nil {
			pw.line("ERR upload-pack: not our ref %s", h)
			return pw.err
		}
	}
	plan := newPackPlan(repo, req)
	if req.Depth > 0 {
		if err := plan.deepen(); err != nil {
			return err
		}
		for _, h := range plan.newShallow {
			pw.line("shallow %s\n", h)
		}
		for _, h := range plan.unshallow {
			pw.line("unshallow %s\n", h)
		}
		pw.flush()
	}
	if !req.Negotiate && !req.Done {
		return pw.err // the stateless client reads the shallow list first
	}

	multiAck := 0
	if req.has("multi_ack_detailed") {
		multiAck = 2
	} else if req.has("multi_ack") {
		multiAck = 1
	}
	var common []plumbing.Hash
	var last plumbing.Hash
	gotCommon, gotOther, sentReady := false, false, false
	for _, h := range req.Haves {
		c, err := repo.commit(h)
		if err != nil {
			if _, err := repo.st.EncodedObject(plumbing.AnyObject, h); err != nil {
				gotOther = true
				if multiAck > 0 && plan.okToGiveUp(common) {
					if multiAck == 2 {
						sentReady = true
						pw.line("ACK %s ready\n", h)
					} else {
						pw.line("ACK %s continue\n", h)
					}
				}
				continue
			}
		}
		_ = c
		gotCommon = true
		last = h
		common = append(common, h)
		switch multiAck {
		case 2:
			pw.line("ACK %s common\n", h)
		case 1:
			pw.line("ACK %s continue\n", h)
		default:
			if len(common) == 1 {
				pw.line("ACK %s\n", h)
			}
		}
	}
	if !req.Done {
		if multiAck == 2 && gotCommon && !gotOther && plan.okToGiveUp(common) {
			sentReady = true
			pw.line("ACK %s ready\n", last)
		}
		if len(common) == 0 || multiAck > 0 {
			pw.line("NAK\n")
		}
		if !(req.has("no-done") && sentReady) {
			return pw.err // next round
		}
		pw.line("ACK %s\n", last)
	} else {
		if len(common) > 0 {
			if multiAck > 0 {
				pw.line("ACK %s\n", last)
			}
		} else {
			pw.line("NAK\n")
		}
	}
	if pw.err != nil {
		return pw.err
	}
	mode := ""
	switch {
	case req.has("side-band-64k"):
		mode = "side-band-64k"
	case req.has("side-band"):
		mode = "side-band"
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	sb := newSidebandWriter(bw, mode)
	// A full clone (nothing in common, not shallow) is cached per repository: CI clones the
	// same tip over and over. Objects never change, so the pack for the same wants and refs
	// stays right.
	key := ""
	if len(common) == 0 && req.Depth == 0 && len(req.Shallows) == 0 {
		key = repo.fullCloneKey(req)
	}
	if data, ok := repo.cachedPack(key); ok {
		if _, err := sb.Write(data); err != nil {
			return err
		}
	} else {
		objs, err := plan.objects(common)
		if err != nil {
			return err
		}
		var dst io.Writer = sb
		var keep *cappedBuffer
		if key != "" {
			keep = &cappedBuffer{max: maxCachedPack}
			dst = io.MultiWriter(sb, keep)
		}
		workers := runtime.GOMAXPROCS(0)
		if repo.disk {
			workers = 1 // go-git's filesystem storage is not safe for concurrent reads
		}
		if _, err := repo.writePackTo(dst, objs, workers); err != nil {
			sb.errorMessage("error: " + sanitize(err.Error()) + "\n")
			_ = bw.Flush()
			return err
		}
		if keep != nil && !keep.over {
			repo.cachePack(key, keep.Bytes())
		}
	}
	if mode != "" {
		_, _ = bw.WriteString("0000")
	}
	return bw.Flush()
}

// maxCachedPack bounds the cached full-clone pack of a repository.
const maxCachedPack = 256 << 20

// cappedBuffer keeps what is written until it passes max, then gives up (over).
type cappedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if !c.over {
		if c.Len()+len(p) > c.max {
			c.over = true
			c.Buffer = bytes.Buffer{}
		} else {
			c.Buffer.Write(p)
		}
	}
	return len(p), nil
}

// fullCloneKey identifies a full clone's pack: the wants, the refs (include-tag adds the
// tags of sent commits) and the capabilities that change the pack. Caller holds a lock.
func (r *gitRepo) fullCloneKey(req *uploadRequest) string {
	var sb strings.Builder
	ws := make([]string, 0, len(req.Wants))
	for _, h := range req.Wants {
		ws = append(ws, h.String())
	}
	sort.Strings(ws)
	sb.WriteString(strings.Join(ws, ","))
	fmt.Fprintf(&sb, "|include-tag=%v|", req.has("include-tag"))
	refs, err := r.refs()
	if err != nil {
		return ""
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n.String())
	}
	sort.Strings(names)
	for _, n := range names {
		sb.WriteString(n)
		sb.WriteByte('=')
		sb.WriteString(refs[plumbing.ReferenceName(n)].String())
		sb.WriteByte(';')
	}
	return sb.String()
}

func (r *gitRepo) cachedPack(key string) ([]byte, bool) {
	if key == "" {
		return nil, false
	}
	r.packMu.Lock()
	defer r.packMu.Unlock()
	return r.packData, r.packKey == key && r.packData != nil
}

func (r *gitRepo) cachePack(key string, data []byte) {
	r.packMu.Lock()
	r.packKey, r.packData = key, data
	r.packMu.Unlock()
}

// receivePack applies one push.
func (s *Service) receivePack(ctx context.Context, w http.ResponseWriter, rec repoRecord, repo *gitRepo, body io.Reader) error {
	req, err := parseReceiveRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return apierr.New(apierr.Invalid, "InvalidRequestException", "%v", err)
	}
	if len(req.Commands) == 0 {
		// git probes with a lone flush before a large chunked push.
		w.Header().Set("Content-Type", "application/x-git-receive-pack-result")
		return nil
	}
	needPack := false
	for _, c := range req.Commands {
		if !c.New.IsZero() {
			needPack = true
		}
	}
	var pack []byte
	if needPack {
		pack, err = io.ReadAll(io.LimitReader(req.Pack, maxPushBytes+1))
		if err == nil && len(pack) > maxPushBytes {
			err = errors.New("pack exceeds the maximum push size")
		}
	}
	statuses := make([]string, len(req.Commands))
	unpack := "ok"
	var applied []refUpdate

	repo.mu.Lock()
	if err == nil && len(pack) > 0 {
		err = writePack(repo, pack)
	}
	if err != nil {
		unpack = sanitize(err.Error())
		for i := range statuses {
			statuses[i] = "unpacker error"
		}
	} else {
		for i, c := range req.Commands {
			statuses[i] = s.checkCommand(rec, repo, c)
		}
		if req.has("atomic") {
			for i, c := range req.Commands {
				if statuses[i] == "" {
					if cur, err := repo.refHash(c.Name); err != nil || cur != c.Old {
						statuses[i] = "failed to lock"
					}
				}
			}
			failed := false
			for _, st := range statuses {
				failed = failed || st != ""
			}
			if failed {
				for i := range statuses {
					if statuses[i] == "" {
						statuses[i] = "atomic push failed"
					}
				}
			}
		}
		for i, c := range req.Commands {
			if statuses[i] != "" {
				continue
			}
			u := refUpdate{Name: c.Name, Old: c.Old, New: c.New}
			if err := repo.applyLocked(u); err != nil {
				var moved *errRefMoved
				if errors.As(err, &moved) {
					statuses[i] = "failed to lock"
				} else {
					statuses[i] = "failed to update ref"
				}
				continue
			}
			applied = append(applied, u)
		}
	}
	repo.mu.Unlock()

	s.refsChanged(ctx, rec, repo, applied)

	w.Header().Set("Content-Type", "application/x-git-receive-pack-result")
	w.Header().Set("Cache-Control", "no-cache")
	if !req.has("report-status") {
		return nil
	}
	pw := &pktWriter{w: w}
	pw.line("unpack %s\n", unpack)
	for i, c := range req.Commands {
		if statuses[i] == "" {
			pw.line("ok %s\n", c.Name)
		} else {
			pw.line("ng %s %s\n", c.Name, statuses[i])
		}
	}
	pw.flush()
	return pw.err
}

// checkCommand validates one ref command under the write lock; "" means it may proceed.
func (s *Service) checkCommand(rec repoRecord, repo *gitRepo, c refCommand) string {
	n := c.Name
	if !strings.HasPrefix(n.String(), "refs/") || plumbing.ReferenceName(n).Validate() != nil {
		return "funny refname"
	}
	if c.New.IsZero() {
		if n.IsBranch() && n.Short() == rec.DefaultBranch && repo.headBranch() == rec.DefaultBranch {
			if refs, err := repo.refs(); err == nil && countBranches(refs) > 1 {
				return "the default branch cannot be deleted; set another default branch first"
			}
		}
		return ""
	}
	o, err := repo.st.EncodedObject(plumbing.AnyObject, c.New)
	if err != nil {
		return "missing necessary objects"
	}
	if n.IsBranch() && o.Type() != plumbing.CommitObject {
		return "branch must point to a commit"
	}
	return ""
}

func countBranches(refs map[plumbing.ReferenceName]plumbing.Hash) int {
	n := 0
	for r := range refs {
		if r.IsBranch() {
			n++
		}
	}
	return n
}

// writePack stores a received pack's objects, resolving thin-pack deltas against the objects
// already in the repository. Caller holds the write lock.
func writePack(repo *gitRepo, pack []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt pack: %v", r)
		}
	}()
	p, err := packfile.NewParserWithStorage(packfile.NewScanner(bytes.NewReader(pack)), repo.st)
	if err != nil {
		return err
	}
	_, err = p.Parse()
	return err
}

func sanitize(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
