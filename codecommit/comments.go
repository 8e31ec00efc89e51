package codecommit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/google/uuid"

	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

const maxCommentContent = 10240

// Location is where in a file a comment sits.
type Location struct {
	FilePath            string `json:"filePath,omitempty"`
	FilePosition        int64  `json:"filePosition,omitzero"`
	RelativeFileVersion string `json:"relativeFileVersion,omitempty"` // BEFORE | AFTER
}

// Comment is a comment on a pull request or on compared commits.
type Comment struct {
	CommentID          string         `json:"commentId,omitempty"`
	Content            string         `json:"content,omitempty"`
	InReplyTo          string         `json:"inReplyTo,omitempty"`
	CreationDate       time.Time      `json:"creationDate,omitzero"`
	LastModifiedDate   time.Time      `json:"lastModifiedDate,omitzero"`
	AuthorArn          string         `json:"authorArn,omitempty"`
	Deleted            bool           `json:"deleted"`
	ClientRequestToken string         `json:"clientRequestToken,omitempty"`
	CallerReactions    []string       `json:"callerReactions"`
	ReactionCounts     map[string]int `json:"reactionCounts"`
}

// commentRecord is a stored comment with where it was made.
type commentRecord struct {
	Comment
	PullRequestID  string    `json:"pullRequestId,omitempty"`
	RepositoryName string    `json:"repositoryName"`
	BeforeCommitID string    `json:"beforeCommitId,omitempty"`
	AfterCommitID  string    `json:"afterCommitId,omitempty"`
	BeforeBlobID   string    `json:"beforeBlobId,omitempty"`
	AfterBlobID    string    `json:"afterBlobId,omitempty"`
	Location       *Location `json:"location,omitempty"`
	Seq            int64     `json:"seq"`
}

func (c commentRecord) view() *Comment {
	out := c.Comment
	out.CallerReactions = []string{}
	out.ReactionCounts = map[string]int{}
	return &out
}

func commentKey(ctx context.Context, id string) string { return scopeOf(ctx) + id }

func (s *Service) getComment(ctx context.Context, id string) (commentRecord, error) {
	if id == "" {
		return commentRecord{}, ErrCommentIDRequired
	}
	if _, err := uuid.Parse(id); err != nil {
		return commentRecord{}, ErrInvalidCommentID
	}
	c, err := s.comments.Get(ctx, commentKey(ctx, id))
	if errors.Is(err, store.ErrNotFound) {
		return c, ErrCommentDoesNotExist
	}
	return c, internal(err)
}

func checkCommentContent(c string) error {
	if c == "" {
		return ErrCommentContentRequired
	}
	if len(c) > maxCommentContent {
		return ErrCommentContentSizeLimitExceeded
	}
	return nil
}

// commentEventDetail is the detail of the comment events.
type commentEventDetail struct {
	AfterCommitID    string `json:"afterCommitId,omitempty"`
	BeforeCommitID   string `json:"beforeCommitId,omitempty"`
	CallerUserArn    string `json:"callerUserArn,omitempty"`
	CommentID        string `json:"commentId"`
	Event            string `json:"event"`
	InReplyTo        string `json:"inReplyTo,omitempty"`
	NotificationBody string `json:"notificationBody,omitempty"`
	PullRequestID    string `json:"pullRequestId,omitempty"`
	RepositoryID     string `json:"repositoryId,omitempty"`
	RepositoryName   string `json:"repositoryName"`
}

func (s *Service) publishComment(ctx context.Context, c commentRecord, verb string) {
	if s.env.Events == nil {
		return
	}
	rec, err := s.repos.Get(ctx, repoKey(ctx, c.RepositoryName))
	if err != nil {
		return
	}
	dt, ev := "CodeCommit Comment on Commit", "commentOnCommit"+verb
	if c.PullRequestID != "" {
		dt, ev = "CodeCommit Comment on Pull Request", "commentOnPullRequest"+verb
	}
	d := commentEventDetail{AfterCommitID: c.AfterCommitID, BeforeCommitID: c.BeforeCommitID, CallerUserArn: callerArn(ctx), CommentID: c.CommentID,
		Event: ev, InReplyTo: c.InReplyTo, PullRequestID: c.PullRequestID, RepositoryID: rec.ID, RepositoryName: rec.Name}
	d.NotificationBody = fmt.Sprintf("A user (%s) made a comment in the following AWS CodeCommit repository: %s. The comment ID is %s.", d.CallerUserArn, rec.Name, c.CommentID)
	b, _ := json.Marshal(d)
	s.env.Events.Publish(ctx, eventbus.Event{Version: "0", ID: uuid.NewString(), DetailType: dt, Source: "aws.codecommit",
		Account: rec.Account, Time: s.env.Clock.Now().UTC(), Region: rec.Region, Resources: []string{rec.ARN}, Detail: b})
}

// locate checks a comment's commits and location and finds the blobs it refers to.
func (s *Service) locate(ctx context.Context, c *commentRecord) error {
	if c.AfterCommitID == "" {
		return ErrCommitIDRequired
	}
	rec, repo, err := s.open(ctx, c.RepositoryName)
	if err != nil {
		return err
	}
	repo.rlock()
	defer repo.runlock()
	blobAt := func(spec string) (string, error) {
		if spec == "" {
			return "", nil
		}
		if !fullHashRE.MatchString(spec) {
			return "", ErrInvalidCommitID
		}
		cm, err := repo.resolveLocked(rec, spec)
		if err != nil {
			return "", ErrCommitDoesNotExist
		}
		if c.Location == nil {
			return "", nil
		}
		t, err := cm.Tree()
		if err != nil {
			return "", internal(err)
		}
		e, err := repo.lookupPath(t, c.Location.FilePath)
		if err != nil || e == nil || e.Mode == filemode.Dir {
			return "", nil
		}
		return e.Hash.String(), nil
	}
	if c.Location != nil {
		p, ok := cleanPath(c.Location.FilePath)
		if !ok {
			return ErrInvalidPath
		}
		c.Location.FilePath = p
		switch c.Location.RelativeFileVersion {
		case "BEFORE", "AFTER":
		default:
			return ErrInvalidRelativeFileVersion
		}
		if c.Location.FilePosition < 0 {
			return ErrInvalidFilePosition
		}
	}
	if c.BeforeBlobID, err = blobAt(c.BeforeCommitID); err != nil {
		return err
	}
	if c.AfterBlobID, err = blobAt(c.AfterCommitID); err != nil {
		return err
	}
	if c.Location != nil && c.BeforeBlobID == "" && c.AfterBlobID == "" {
		return ErrPathDoesNotExist.With("The path %s does not exist in either commit.", c.Location.FilePath)
	}
	_ = plumbing.ZeroHash
	return nil
}

// postComment stores a new comment (or answers the one with the same client request token).
func (s *Service) postComment(ctx context.Context, c commentRecord, token string) (commentRecord, bool, error) {
	if err := checkCommentContent(c.Content); err != nil {
		return c, false, err
	}
	if token != "" {
		all, err := s.comments.All(ctx, scopeOf(ctx))
		if err != nil {
			return c, false, internal(err)
		}
		for _, o := range all {
			if o.ClientRequestToken == token && o.AuthorArn == callerArn(ctx) {
				if o.Content != c.Content || o.InReplyTo != c.InReplyTo || o.PullRequestID != c.PullRequestID {
					return c, false, ErrIdempotencyParameterMismatch
				}
				return o, false, nil
			}
		}
	}
	now := s.env.Clock.Now().UTC()
	c.CommentID = uuid.NewString()
	c.CreationDate, c.LastModifiedDate, c.AuthorArn, c.ClientRequestToken = now, now, callerArn(ctx), token
	seq, err := s.nextSeq(ctx, scopeOf(ctx)+"comments")
	if err != nil {
		return c, false, err
	}
	c.Seq = int64(seq)
	if err := s.comments.Create(ctx, commentKey(ctx, c.CommentID), c); err != nil {
		return c, false, internal(err)
	}
	return c, true, nil
}

// PostCommentForPullRequestInput is the input of PostCommentForPullRequest.
type PostCommentForPullRequestInput struct {
	PullRequestID      string    `json:"pullRequestId,omitempty"`
	RepositoryName     string    `json:"repositoryName,omitempty"`
	BeforeCommitID     string    `json:"beforeCommitId,omitempty"`
	AfterCommitID      string    `json:"afterCommitId,omitempty"`
	Location           *Location `json:"location,omitempty"`
	Content            string    `json:"content,omitempty"`
	ClientRequestToken string    `json:"clientRequestToken,omitempty"`
}

// PostCommentForPullRequestOutput is the output of PostCommentForPullRequest.
type PostCommentForPullRequestOutput struct {
	RepositoryName string    `json:"repositoryName,omitempty"`
	PullRequestID  string    `json:"pullRequestId,omitempty"`
	BeforeCommitID string    `json:"beforeCommitId,omitempty"`
	AfterCommitID  string    `json:"afterCommitId,omitempty"`
	BeforeBlobID   string    `json:"beforeBlobId,omitempty"`
	AfterBlobID    string    `json:"afterBlobId,omitempty"`
	Location       *Location `json:"location,omitempty"`
	Comment        *Comment  `json:"comment,omitempty"`
}

// PostCommentForPullRequest comments on a pull request (on a file location or generally).
func (s *Service) PostCommentForPullRequest(ctx context.Context, in *PostCommentForPullRequestInput) (*PostCommentForPullRequestOutput, error) {
	return dispatch.Do(ctx, s.d, "PostCommentForPullRequest", in, func(ctx context.Context, in *PostCommentForPullRequestInput) (*PostCommentForPullRequestOutput, error) {
		if in.RepositoryName == "" {
			return nil, ErrRepositoryNameRequired
		}
		if err := checkCommentContent(in.Content); err != nil {
			return nil, err
		}
		pr, err := s.getPR(ctx, in.PullRequestID)
		if err != nil {
			return nil, err
		}
		if pr.PullRequestTargets[0].RepositoryName != in.RepositoryName {
			return nil, ErrRepositoryNotAssociatedWithPullRequest
		}
		if in.BeforeCommitID == "" {
			return nil, ErrCommitIDRequired
		}
		c := commentRecord{Comment: Comment{Content: in.Content}, PullRequestID: pr.PullRequestID, RepositoryName: in.RepositoryName,
			BeforeCommitID: in.BeforeCommitID, AfterCommitID: in.AfterCommitID, Location: in.Location}
		if err := s.locate(ctx, &c); err != nil {
			return nil, err
		}
		c, created, err := s.postComment(ctx, c, in.ClientRequestToken)
		if err != nil {
			return nil, err
		}
		if created {
			s.publishComment(ctx, c, "Created")
		}
		return &PostCommentForPullRequestOutput{RepositoryName: c.RepositoryName, PullRequestID: c.PullRequestID, BeforeCommitID: c.BeforeCommitID,
			AfterCommitID: c.AfterCommitID, BeforeBlobID: c.BeforeBlobID, AfterBlobID: c.AfterBlobID, Location: c.Location, Comment: c.view()}, nil
	})
}

// PostCommentForComparedCommitInput is the input of PostCommentForComparedCommit.
type PostCommentForComparedCommitInput struct {
	RepositoryName     string    `json:"repositoryName,omitempty"`
	BeforeCommitID     string    `json:"beforeCommitId,omitempty"`
	AfterCommitID      string    `json:"afterCommitId,omitempty"`
	Location           *Location `json:"location,omitempty"`
	Content            string    `json:"content,omitempty"`
	ClientRequestToken string    `json:"clientRequestToken,omitempty"`
}

// PostCommentForComparedCommitOutput is the output of PostCommentForComparedCommit.
type PostCommentForComparedCommitOutput struct {
	RepositoryName string    `json:"repositoryName,omitempty"`
	BeforeCommitID string    `json:"beforeCommitId,omitempty"`
	AfterCommitID  string    `json:"afterCommitId,omitempty"`
	BeforeBlobID   string    `json:"beforeBlobId,omitempty"`
	AfterBlobID    string    `json:"afterBlobId,omitempty"`
	Location       *Location `json:"location,omitempty"`
	Comment        *Comment  `json:"comment,omitempty"`
}

// PostCommentForComparedCommit comments on the comparison of two commits (or on one commit).
func (s *Service) PostCommentForComparedCommit(ctx context.Context, in *PostCommentForComparedCommitInput) (*PostCommentForComparedCommitOutput, error) {
	return dispatch.Do(ctx, s.d, "PostCommentForComparedCommit", in, func(ctx context.Context, in *PostCommentForComparedCommitInput) (*PostCommentForComparedCommitOutput, error) {
		if in.RepositoryName == "" {
			return nil, ErrRepositoryNameRequired
		}
		if err := checkCommentContent(in.Content); err != nil {
			return nil, err
		}
		c := commentRecord{Comment: Comment{Content: in.Content}, RepositoryName: in.RepositoryName,
			BeforeCommitID: in.BeforeCommitID, AfterCommitID: in.AfterCommitID, Location: in.Location}
		if err := s.locate(ctx, &c); err != nil {
			return nil, err
		}
		c, created, err := s.postComment(ctx, c, in.ClientRequestToken)
		if err != nil {
			return nil, err
		}
		if created {
			s.publishComment(ctx, c, "Created")
		}
		return &PostCommentForComparedCommitOutput{RepositoryName: c.RepositoryName, BeforeCommitID: c.BeforeCommitID,
			AfterCommitID: c.AfterCommitID, BeforeBlobID: c.BeforeBlobID, AfterBlobID: c.AfterBlobID, Location: c.Location, Comment: c.view()}, nil
	})
}

// PostCommentReplyInput is the input of PostCommentReply.
type PostCommentReplyInput struct {
	InReplyTo          string `json:"inReplyTo,omitempty"`
	ClientRequestToken string `json:"clientRequestToken,omitempty"`
	Content            string `json:"content,omitempty"`
}

// CommentOutput is the output of the operations that answer one comment.
type CommentOutput struct {
	Comment *Comment `json:"comment,omitempty"`
}

// PostCommentReplyOutput is the output of PostCommentReply.
type PostCommentReplyOutput = CommentOutput

// PostCommentReply replies to a comment (in the same place as the comment).
func (s *Service) PostCommentReply(ctx context.Context, in *PostCommentReplyInput) (*PostCommentReplyOutput, error) {
	return dispatch.Do(ctx, s.d, "PostCommentReply", in, func(ctx context.Context, in *PostCommentReplyInput) (*CommentOutput, error) {
		if err := checkCommentContent(in.Content); err != nil {
			return nil, err
		}
		parent, err := s.getComment(ctx, in.InReplyTo)
		if err != nil {
			return nil, err
		}
		c := parent
		c.Comment = Comment{Content: in.Content, InReplyTo: parent.CommentID}
		c, created, err := s.postComment(ctx, c, in.ClientRequestToken)
		if err != nil {
			return nil, err
		}
		if created {
			s.publishComment(ctx, c, "Created")
		}
		return &CommentOutput{Comment: c.view()}, nil
	})
}

// GetCommentInput is the input of GetComment.
type GetCommentInput struct {
	CommentID string `json:"commentId,omitempty"`
}

// GetCommentOutput is the output of GetComment.
type GetCommentOutput = CommentOutput

// GetComment returns a comment (CommentDeletedException once its content was deleted).
func (s *Service) GetComment(ctx context.Context, in *GetCommentInput) (*GetCommentOutput, error) {
	return dispatch.Do(ctx, s.d, "GetComment", in, func(ctx context.Context, in *GetCommentInput) (*CommentOutput, error) {
		c, err := s.getComment(ctx, in.CommentID)
		if err != nil {
			return nil, err
		}
		if c.Deleted {
			return nil, ErrCommentDeleted
		}
		return &CommentOutput{Comment: c.view()}, nil
	})
}

// UpdateCommentInput is the input of UpdateComment.
type UpdateCommentInput struct {
	CommentID string `json:"commentId,omitempty"`
	Content   string `json:"content,omitempty"`
}

// UpdateCommentOutput is the output of UpdateComment.
type UpdateCommentOutput = CommentOutput

// UpdateComment replaces the content of a comment the caller wrote.
func (s *Service) UpdateComment(ctx context.Context, in *UpdateCommentInput) (*UpdateCommentOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateComment", in, func(ctx context.Context, in *UpdateCommentInput) (*CommentOutput, error) {
		if err := checkCommentContent(in.Content); err != nil {
			return nil, err
		}
		if _, err := s.getComment(ctx, in.CommentID); err != nil {
			return nil, err
		}
		caller := callerArn(ctx)
		c, err := s.comments.Update(ctx, commentKey(ctx, in.CommentID), func(c *commentRecord) error {
			if c.Deleted {
				return ErrCommentDeleted
			}
			if c.AuthorArn != caller {
				return ErrCommentNotCreatedByCaller
			}
			c.Content, c.LastModifiedDate = in.Content, s.env.Clock.Now().UTC()
			return nil
		})
		if err != nil {
			return nil, internal(err)
		}
		s.publishComment(ctx, c, "Updated")
		return &CommentOutput{Comment: c.view()}, nil
	})
}

// DeleteCommentContentInput is the input of DeleteCommentContent.
type DeleteCommentContentInput struct {
	CommentID string `json:"commentId,omitempty"`
}

// DeleteCommentContentOutput is the output of DeleteCommentContent.
type DeleteCommentContentOutput = CommentOutput

// DeleteCommentContent empties a comment and marks it deleted (replies stay).
func (s *Service) DeleteCommentContent(ctx context.Context, in *DeleteCommentContentInput) (*DeleteCommentContentOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteCommentContent", in, func(ctx context.Context, in *DeleteCommentContentInput) (*CommentOutput, error) {
		if _, err := s.getComment(ctx, in.CommentID); err != nil {
			return nil, err
		}
		c, err := s.comments.Update(ctx, commentKey(ctx, in.CommentID), func(c *commentRecord) error {
			c.Content, c.Deleted, c.LastModifiedDate = "", true, s.env.Clock.Now().UTC()
			return nil
		})
		if err != nil {
			return nil, internal(err)
		}
		return &CommentOutput{Comment: c.view()}, nil
	})
}

// commentGroup is the comments made at one place (commits and location).
type commentGroup struct {
	key      string
	first    commentRecord
	comments []*Comment
}

// groupComments groups comments (oldest first) by commits and location; replies join their
// root's group.
func groupComments(cs []commentRecord) []*commentGroup {
	sortComments(cs)
	byID := map[string]commentRecord{}
	for _, c := range cs {
		byID[c.CommentID] = c
	}
	root := func(c commentRecord) commentRecord {
		for i := 0; i < 100 && c.InReplyTo != ""; i++ {
			p, ok := byID[c.InReplyTo]
			if !ok {
				break
			}
			c = p
		}
		return c
	}
	var groups []*commentGroup
	idx := map[string]*commentGroup{}
	for _, c := range cs {
		r := root(c)
		loc, _ := json.Marshal(r.Location)
		key := r.BeforeCommitID + "|" + r.AfterCommitID + "|" + string(loc)
		g, ok := idx[key]
		if !ok {
			g = &commentGroup{key: key, first: r}
			idx[key] = g
			groups = append(groups, g)
		}
		g.comments = append(g.comments, c.view())
	}
	return groups
}

func sortComments(cs []commentRecord) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && (cs[j].Seq < cs[j-1].Seq || cs[j].Seq == cs[j-1].Seq && cs[j].CommentID < cs[j-1].CommentID); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// CommentsForPullRequest is the comments at one place of a pull request.
type CommentsForPullRequest struct {
	PullRequestID  string     `json:"pullRequestId,omitempty"`
	RepositoryName string     `json:"repositoryName,omitempty"`
	BeforeCommitID string     `json:"beforeCommitId,omitempty"`
	AfterCommitID  string     `json:"afterCommitId,omitempty"`
	BeforeBlobID   string     `json:"beforeBlobId,omitempty"`
	AfterBlobID    string     `json:"afterBlobId,omitempty"`
	Location       *Location  `json:"location,omitempty"`
	Comments       []*Comment `json:"comments"`
}

// GetCommentsForPullRequestInput is the input of GetCommentsForPullRequest.
type GetCommentsForPullRequestInput struct {
	PullRequestID  string `json:"pullRequestId,omitempty"`
	RepositoryName string `json:"repositoryName,omitempty"`
	BeforeCommitID string `json:"beforeCommitId,omitempty"`
	AfterCommitID  string `json:"afterCommitId,omitempty"`
	NextToken      string `json:"nextToken,omitempty"`
	MaxResults     int32  `json:"maxResults,omitzero"`
}

// GetCommentsForPullRequestOutput is the output of GetCommentsForPullRequest.
type GetCommentsForPullRequestOutput struct {
	CommentsForPullRequestData []CommentsForPullRequest `json:"commentsForPullRequestData"`
	NextToken                  string                   `json:"nextToken,omitempty"`
}

// GetCommentsForPullRequest lists a pull request's comments grouped by place, optionally
// only those on given commits.
func (s *Service) GetCommentsForPullRequest(ctx context.Context, in *GetCommentsForPullRequestInput) (*GetCommentsForPullRequestOutput, error) {
	return dispatch.Do(ctx, s.d, "GetCommentsForPullRequest", in, func(ctx context.Context, in *GetCommentsForPullRequestInput) (*GetCommentsForPullRequestOutput, error) {
		if in.MaxResults < 0 || in.MaxResults > 100 {
			return nil, ErrInvalidMaxResults
		}
		pr, err := s.getPR(ctx, in.PullRequestID)
		if err != nil {
			return nil, err
		}
		if in.RepositoryName != "" && pr.PullRequestTargets[0].RepositoryName != in.RepositoryName {
			return nil, ErrRepositoryNotAssociatedWithPullRequest
		}
		all, err := s.comments.All(ctx, scopeOf(ctx))
		if err != nil {
			return nil, internal(err)
		}
		var cs []commentRecord
		for _, c := range all {
			if c.PullRequestID == pr.PullRequestID && (in.BeforeCommitID == "" || c.BeforeCommitID == in.BeforeCommitID) && (in.AfterCommitID == "" || c.AfterCommitID == in.AfterCommitID) {
				cs = append(cs, c)
			}
		}
		var data []CommentsForPullRequest
		for _, g := range groupComments(cs) {
			f := g.first
			data = append(data, CommentsForPullRequest{PullRequestID: f.PullRequestID, RepositoryName: f.RepositoryName, BeforeCommitID: f.BeforeCommitID,
				AfterCommitID: f.AfterCommitID, BeforeBlobID: f.BeforeBlobID, AfterBlobID: f.AfterBlobID, Location: f.Location, Comments: g.comments})
		}
		return paginate(data, in.NextToken, int(in.MaxResults), 100, func(page []CommentsForPullRequest, next string) *GetCommentsForPullRequestOutput {
			return &GetCommentsForPullRequestOutput{CommentsForPullRequestData: page, NextToken: next}
		})
	})
}

// CommentsForComparedCommit is the comments at one place of a commit comparison.
type CommentsForComparedCommit struct {
	RepositoryName string     `json:"repositoryName,omitempty"`
	BeforeCommitID string     `json:"beforeCommitId,omitempty"`
	AfterCommitID  string     `json:"afterCommitId,omitempty"`
	BeforeBlobID   string     `json:"beforeBlobId,omitempty"`
	AfterBlobID    string     `json:"afterBlobId,omitempty"`
	Location       *Location  `json:"location,omitempty"`
	Comments       []*Comment `json:"comments"`
}

// GetCommentsForComparedCommitInput is the input of GetCommentsForComparedCommit.
type GetCommentsForComparedCommitInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	BeforeCommitID string `json:"beforeCommitId,omitempty"`
	AfterCommitID  string `json:"afterCommitId,omitempty"`
	NextToken      string `json:"nextToken,omitempty"`
	MaxResults     int32  `json:"maxResults,omitzero"`
}

// GetCommentsForComparedCommitOutput is the output of GetCommentsForComparedCommit.
type GetCommentsForComparedCommitOutput struct {
	CommentsForComparedCommitData []CommentsForComparedCommit `json:"commentsForComparedCommitData"`
	NextToken                     string                      `json:"nextToken,omitempty"`
}

// GetCommentsForComparedCommit lists the comments on a commit comparison (not those made on
// pull requests), grouped by place.
func (s *Service) GetCommentsForComparedCommit(ctx context.Context, in *GetCommentsForComparedCommitInput) (*GetCommentsForComparedCommitOutput, error) {
	return dispatch.Do(ctx, s.d, "GetCommentsForComparedCommit", in, func(ctx context.Context, in *GetCommentsForComparedCommitInput) (*GetCommentsForComparedCommitOutput, error) {
		if in.AfterCommitID == "" {
			return nil, ErrCommitIDRequired
		}
		if in.MaxResults < 0 || in.MaxResults > 100 {
			return nil, ErrInvalidMaxResults
		}
		rec, err := s.getRecord(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		all, err := s.comments.All(ctx, scopeOf(ctx))
		if err != nil {
			return nil, internal(err)
		}
		var cs []commentRecord
		for _, c := range all {
			if c.PullRequestID == "" && c.RepositoryName == rec.Name && c.AfterCommitID == in.AfterCommitID && (in.BeforeCommitID == "" || c.BeforeCommitID == in.BeforeCommitID) {
				cs = append(cs, c)
			}
		}
		var data []CommentsForComparedCommit
		for _, g := range groupComments(cs) {
			f := g.first
			data = append(data, CommentsForComparedCommit{RepositoryName: f.RepositoryName, BeforeCommitID: f.BeforeCommitID,
				AfterCommitID: f.AfterCommitID, BeforeBlobID: f.BeforeBlobID, AfterBlobID: f.AfterBlobID, Location: f.Location, Comments: g.comments})
		}
		return paginate(data, in.NextToken, int(in.MaxResults), 100, func(page []CommentsForComparedCommit, next string) *GetCommentsForComparedCommitOutput {
			return &GetCommentsForComparedCommitOutput{CommentsForComparedCommitData: page, NextToken: next}
		})
	})
}
