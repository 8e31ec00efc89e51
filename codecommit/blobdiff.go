package codecommit

import (
	"context"
	"strings"
	"unicode"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/devopsim/devopsim/internal/dispatch"
)

// DiffChange is one line of a diff hunk: CONTEXT, ADD or DELETE.
type DiffChange struct {
	Type             string `json:"type,omitempty"`
	BeforeLineNumber int32  `json:"beforeLineNumber,omitzero"`
	AfterLineNumber  int32  `json:"afterLineNumber,omitzero"`
	Content          string `json:"content"`
}

// DiffHunk is a block of changes with its context lines.
type DiffHunk struct {
	BeforeStartLine int32        `json:"beforeStartLine"`
	BeforeLineCount int32        `json:"beforeLineCount"`
	AfterStartLine  int32        `json:"afterStartLine"`
	AfterLineCount  int32        `json:"afterLineCount"`
	Changes         []DiffChange `json:"changes"`
}

// GetBlobDifferencesInput is the input of GetBlobDifferences.
type GetBlobDifferencesInput struct {
	RepositoryName   string `json:"repositoryName,omitempty"`
	AfterBlobID      string `json:"afterBlobId,omitempty"`
	BeforeBlobID     string `json:"beforeBlobId,omitempty"`
	ContextLines     *int32 `json:"contextLines,omitempty"`
	IgnoreWhitespace bool   `json:"ignoreWhitespace,omitzero"`
	MaxResults       int32  `json:"MaxResults,omitzero"`
	NextToken        string `json:"NextToken,omitempty"`
}

// GetBlobDifferencesOutput is the output of GetBlobDifferences.
type GetBlobDifferencesOutput struct {
	Hunks          []DiffHunk `json:"hunks"`
	IsBinary       bool       `json:"isBinary"`
	BeforeBlobSize int64      `json:"beforeBlobSize"`
	AfterBlobSize  int64      `json:"afterBlobSize"`
	NextToken      string     `json:"NextToken,omitempty"`
}

// GetBlobDifferences diffs two blobs line by line (no before blob: against an empty file)
// into hunks with contextLines lines of context (default 3, at most 20), optionally
// ignoring whitespace-only changes; binary blobs answer isBinary and no hunks.
func (s *Service) GetBlobDifferences(ctx context.Context, in *GetBlobDifferencesInput) (*GetBlobDifferencesOutput, error) {
	return dispatch.Do(ctx, s.d, "GetBlobDifferences", in, func(ctx context.Context, in *GetBlobDifferencesInput) (*GetBlobDifferencesOutput, error) {
		if in.AfterBlobID == "" {
			return nil, ErrBlobIDRequired
		}
		ctxLines := 3
		if in.ContextLines != nil {
			if *in.ContextLines < 0 || *in.ContextLines > 20 {
				return nil, ErrInvalidDiffContext
			}
			ctxLines = int(*in.ContextLines)
		}
		if in.MaxResults < 0 || in.MaxResults > 1000 {
			return nil, ErrInvalidMaxResults
		}
		for _, id := range []string{in.AfterBlobID, in.BeforeBlobID} {
			if id != "" && !fullHashRE.MatchString(id) {
				return nil, ErrInvalidBlobID
			}
		}
		_, repo, err := s.open(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		repo.rlock()
		read := func(id string) ([]byte, error) {
			if id == "" {
				return nil, nil
			}
			h := plumbing.NewHash(id)
			if _, err := repo.st.EncodedObject(plumbing.BlobObject, h); err != nil {
				return nil, ErrBlobIDDoesNotExist.With("Could not find blob %s", id)
			}
			if sz, err := repo.st.EncodedObjectSize(h); err == nil && sz > maxFileSize {
				return nil, ErrFileTooLarge
			}
			return repo.blobContent(h)
		}
		before, err1 := read(in.BeforeBlobID)
		after, err2 := read(in.AfterBlobID)
		repo.runlock()
		for _, err := range []error{err1, err2} {
			if err != nil {
				return nil, internal(err)
			}
		}
		out := &GetBlobDifferencesOutput{Hunks: []DiffHunk{}, BeforeBlobSize: int64(len(before)), AfterBlobSize: int64(len(after))}
		if isBinary(before) || isBinary(after) {
			out.IsBinary = true
			return out, nil
		}
		hunks, ok := blobHunks(before, after, ctxLines, in.IgnoreWhitespace)
		if !ok {
			out.IsBinary = true // too many distinct lines to diff
			return out, nil
		}
		return paginate(hunks, in.NextToken, int(in.MaxResults), 100, func(page []DiffHunk, tok string) *GetBlobDifferencesOutput {
			out.Hunks, out.NextToken = page, tok
			return out
		})
	})
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// blobHunks builds unified-diff hunks from before to after.
func blobHunks(before, after []byte, ctxLines int, ignoreSpace bool) ([]DiffHunk, bool) {
	bl, al := splitLines(before), splitLines(after)
	key := func(lines [][]byte) [][]byte {
		if !ignoreSpace {
			return lines
		}
		out := make([][]byte, len(lines))
		for i, l := range lines {
			out[i] = []byte(stripSpace(string(l)))
		}
		return out
	}
	m := lineRunes{}
	br, ok := m.runes(key(bl))
	if !ok {
		return nil, false
	}
	changes, ok := diffLines(m, br, key(al), 0)
	if !ok {
		return nil, false
	}
	text := func(l []byte) string { return strings.TrimSuffix(string(l), "\n") }
	var out []DiffHunk
	for i := 0; i < len(changes); {
		// Group changes whose context windows touch.
		j := i + 1
		for j < len(changes) && changes[j].oLo-changes[j-1].oHi <= 2*ctxLines {
			j++
		}
		first, last := changes[i], changes[j-1]
		bLo := max(first.oLo-ctxLines, 0)
		aLo := first.sLo - (first.oLo - bLo)
		bHi := min(last.oHi+ctxLines, len(bl))
		aHi := last.sHi + (bHi - last.oHi)
		h := DiffHunk{BeforeStartLine: int32(bLo + 1), BeforeLineCount: int32(bHi - bLo), AfterStartLine: int32(aLo + 1), AfterLineCount: int32(aHi - aLo), Changes: []DiffChange{}}
		bp, ap := bLo, aLo
		context := func(upto int) {
			for ; bp < upto; bp, ap = bp+1, ap+1 {
				h.Changes = append(h.Changes, DiffChange{Type: "CONTEXT", BeforeLineNumber: int32(bp + 1), AfterLineNumber: int32(ap + 1), Content: text(bl[bp])})
			}
		}
		for _, c := range changes[i:j] {
			context(c.oLo)
			for ; bp < c.oHi; bp++ {
				h.Changes = append(h.Changes, DiffChange{Type: "DELETE", BeforeLineNumber: int32(bp + 1), Content: text(bl[bp])})
			}
			for ; ap < c.sHi; ap++ {
				h.Changes = append(h.Changes, DiffChange{Type: "ADD", AfterLineNumber: int32(ap + 1), Content: text(al[ap])})
			}
		}
		context(bHi)
		out = append(out, h)
		i = j
	}
	return out, true
}
