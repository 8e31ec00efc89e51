package codecommit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/uuid"

	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// AWS's pull request limits.
const (
	maxTitle           = 150
	maxDescription     = 10240
	maxRulesPerPR      = 25
	maxPREvents        = 1000
	maxOpenPRsPerRepo  = 1000
	prStatusOpen       = "OPEN"
	prStatusClosed     = "CLOSED"
	approvalApprove    = "APPROVE"
	approvalRevoke     = "REVOKE"
	overrideOverride   = "OVERRIDE"
	overrideRevoke     = "REVOKE"
	defaultPRPageLimit = 100
)

// Target is where a pull request merges: a source branch into a destination branch.
type Target struct {
	RepositoryName       string `json:"repositoryName,omitempty"`
	SourceReference      string `json:"sourceReference,omitempty"`
	DestinationReference string `json:"destinationReference,omitempty"`
}

// MergeMetadata says whether and how a pull request was merged.
type MergeMetadata struct {
	IsMerged      bool   `json:"isMerged"`
	MergedBy      string `json:"mergedBy,omitempty"`
	MergeCommitID string `json:"mergeCommitId,omitempty"`
	MergeOption   string `json:"mergeOption,omitempty"`
}

// PullRequestTarget is a pull request's target with its commits.
type PullRequestTarget struct {
	RepositoryName       string         `json:"repositoryName,omitempty"`
	SourceReference      string         `json:"sourceReference,omitempty"`
	DestinationReference string         `json:"destinationReference,omitempty"`
	DestinationCommit    string         `json:"destinationCommit,omitempty"`
	SourceCommit         string         `json:"sourceCommit,omitempty"`
	MergeBase            string         `json:"mergeBase,omitempty"`
	MergeMetadata        *MergeMetadata `json:"mergeMetadata,omitempty"`
}

// OriginApprovalRuleTemplate names the template an approval rule came from.
type OriginApprovalRuleTemplate struct {
	ApprovalRuleTemplateID   string `json:"approvalRuleTemplateId,omitempty"`
	ApprovalRuleTemplateName string `json:"approvalRuleTemplateName,omitempty"`
}

// ApprovalRule is an approval rule of a pull request.
type ApprovalRule struct {
	ApprovalRuleID             string                      `json:"approvalRuleId,omitempty"`
	ApprovalRuleName           string                      `json:"approvalRuleName,omitempty"`
	ApprovalRuleContent        string                      `json:"approvalRuleContent,omitempty"`
	RuleContentSha256          string                      `json:"ruleContentSha256,omitempty"`
	LastModifiedDate           time.Time                   `json:"lastModifiedDate,omitzero"`
	CreationDate               time.Time                   `json:"creationDate,omitzero"`
	LastModifiedUser           string                      `json:"lastModifiedUser,omitempty"`
	OriginApprovalRuleTemplate *OriginApprovalRuleTemplate `json:"originApprovalRuleTemplate,omitempty"`
}

// PullRequest describes a pull request.
type PullRequest struct {
	PullRequestID      string              `json:"pullRequestId,omitempty"`
	Title              string              `json:"title,omitempty"`
	Description        string              `json:"description,omitempty"`
	LastActivityDate   time.Time           `json:"lastActivityDate,omitzero"`
	CreationDate       time.Time           `json:"creationDate,omitzero"`
	PullRequestStatus  string              `json:"pullRequestStatus,omitempty"`
	AuthorArn          string              `json:"authorArn,omitempty"`
	PullRequestTargets []PullRequestTarget `json:"pullRequestTargets"`
	ClientRequestToken string              `json:"clientRequestToken,omitempty"`
	RevisionID         string              `json:"revisionId,omitempty"`
	ApprovalRules      []ApprovalRule      `json:"approvalRules"`
}

// prRecord is a stored pull request.
type prRecord struct {
	PullRequest
	Account   string            `json:"account"`
	Region    string            `json:"region"`
	Approvals map[string]string `json:"approvals,omitempty"` // approver ARN -> APPROVE (current revision)
	Overrider string            `json:"overrider,omitempty"`
	Events    []PullRequestEvent
}

func prKey(ctx context.Context, id string) string {
	n, _ := strconv.Atoi(id)
	return fmt.Sprintf("%s%010d", scopeOf(ctx), n)
}

func scopeOf(ctx context.Context) string {
	c, _ := identity.From(ctx)
	return c.Account + "/" + c.Region + "/"
}

func newRevisionID() string {
	sum := sha256.Sum256([]byte(uuid.NewString()))
	return hex.EncodeToString(sum[:])
}

func callerArn(ctx context.Context) string {
	c, _ := identity.From(ctx)
	return c.PrincipalARN
}

// getPR loads a pull request by ID.
func (s *Service) getPR(ctx context.Context, id string) (prRecord, error) {
	if id == "" {
		return prRecord{}, ErrPullRequestIDRequired
	}
	if n, err := strconv.Atoi(id); err != nil || n <= 0 {
		return prRecord{}, ErrInvalidPullRequestID
	}
	pr, err := s.prs.Get(ctx, prKey(ctx, id))
	if errors.Is(err, store.ErrNotFound) {
		return pr, ErrPullRequestDoesNotExist.With("The pull request ID %s does not exist.", id)
	}
	return pr, internal(err)
}

// updatePR applies fn to a pull request and returns the new value.
func (s *Service) updatePR(ctx context.Context, id string, fn func(*prRecord) error) (prRecord, error) {
	if _, err := s.getPR(ctx, id); err != nil {
		return prRecord{}, err
	}
	pr, err := s.prs.Update(ctx, prKey(ctx, id), fn)
	if err != nil {
		return pr, internal(err)
	}
	return pr, nil
}

func (pr *prRecord) addEvent(e PullRequestEvent) {
	e.PullRequestID = pr.PullRequestID
	pr.Events = append(pr.Events, e)
	if len(pr.Events) > maxPREvents {
		pr.Events = pr.Events[len(pr.Events)-maxPREvents:]
	}
}

func (pr *prRecord) view() *PullRequest {
	out := pr.PullRequest
	out.PullRequestTargets = append([]PullRequestTarget{}, out.PullRequestTargets...)
	out.ApprovalRules = append([]ApprovalRule{}, out.ApprovalRules...)
	return &out
}

// prEventDetail is the detail of "CodeCommit Pull Request State Change".
type prEventDetail struct {
	Author               string   `json:"author,omitempty"`
	CallerUserArn        string   `json:"callerUserArn,omitempty"`
	CreationDate         string   `json:"creationDate,omitempty"`
	Description          string   `json:"description,omitempty"`
	DestinationCommit    string   `json:"destinationCommit,omitempty"`
	DestinationReference string   `json:"destinationReference,omitempty"`
	Event                string   `json:"event"`
	IsMerged             string   `json:"isMerged"`
	LastModifiedDate     string   `json:"lastModifiedDate,omitempty"`
	MergeOption          string   `json:"mergeOption,omitempty"`
	NotificationBody     string   `json:"notificationBody,omitempty"`
	PullRequestID        string   `json:"pullRequestId"`
	PullRequestStatus    string   `json:"pullRequestStatus"`
	RepositoryNames      []string `json:"repositoryNames"`
	RevisionID           string   `json:"revisionId,omitempty"`
	SourceCommit         string   `json:"sourceCommit,omitempty"`
	SourceReference      string   `json:"sourceReference,omitempty"`
	Title                string   `json:"title,omitempty"`
	ApprovalStatus       string   `json:"approvalStatus,omitempty"`
	OverrideStatus       string   `json:"overrideStatus,omitempty"`
	ApprovalRuleName     string   `json:"approvalRuleName,omitempty"`
}

// eventTime formats a date the way CodeCommit's events do ("Tue Feb 9 2019 10:25 PM").
func eventTime(t time.Time) string { return t.UTC().Format("Mon Jan 2 2006 3:04 PM") }

func (s *Service) publishPR(ctx context.Context, pr prRecord, event string, extra func(*prEventDetail)) {
	if s.env.Events == nil || len(pr.PullRequestTargets) == 0 {
		return
	}
	t := pr.PullRequestTargets[0]
	status := "Open"
	if pr.PullRequestStatus == prStatusClosed {
		status = "Closed"
	}
	merged := "False"
	if t.MergeMetadata != nil && t.MergeMetadata.IsMerged {
		merged = "True"
	}
	d := prEventDetail{
		Author: pr.AuthorArn, CallerUserArn: callerArn(ctx), CreationDate: eventTime(pr.CreationDate),
		Description: pr.Description, DestinationCommit: t.DestinationCommit, DestinationReference: t.DestinationReference,
		Event: event, IsMerged: merged, LastModifiedDate: eventTime(pr.LastActivityDate), PullRequestID: pr.PullRequestID,
		PullRequestStatus: status, RepositoryNames: []string{t.RepositoryName}, RevisionID: pr.RevisionID,
		SourceCommit: t.SourceCommit, SourceReference: t.SourceReference, Title: pr.Title,
	}
	d.NotificationBody = fmt.Sprintf("A pull request event occurred in the following AWS CodeCommit repository: %s. The user: %s made a change to the following pull request: %s. The change: %s.", t.RepositoryName, d.CallerUserArn, pr.PullRequestID, event)
	if extra != nil {
		extra(&d)
	}
	b, _ := json.Marshal(d)
	var resources []string
	if rec, err := s.repos.Get(ctx, repoKey(ctx, t.RepositoryName)); err == nil {
		resources = []string{rec.ARN}
	}
	s.env.Events.Publish(ctx, eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: "CodeCommit Pull Request State Change", Source: "aws.codecommit",
		Account: pr.Account, Time: s.env.Clock.Now().UTC(), Region: pr.Region, Resources: resources, Detail: b,
	})
}

// CreatePullRequestInput is the input of CreatePullRequest.
type CreatePullRequestInput struct {
	Title              string   `json:"title,omitempty"`
	Description        string   `json:"description,omitempty"`
	Targets            []Target `json:"targets,omitempty"`
	ClientRequestToken string   `json:"clientRequestToken,omitempty"`
}

// CreatePullRequestOutput is the output of CreatePullRequest.
type CreatePullRequestOutput struct {
	PullRequest *PullRequest `json:"pullRequest,omitempty"`
}

func fullRef(r string) string {
	if strings.HasPrefix(r, "refs/") {
		return r
	}
	return "refs/heads/" + r
}

// CreatePullRequest opens a pull request from a source branch into a destination branch
// (default: the repository's default branch) and applies the approval rule templates
// associated with the repository whose destination references match.
func (s *Service) CreatePullRequest(ctx context.Context, in *CreatePullRequestInput) (*CreatePullRequestOutput, error) {
	return dispatch.Do(ctx, s.d, "CreatePullRequest", in, func(ctx context.Context, in *CreatePullRequestInput) (*CreatePullRequestOutput, error) {
		if in.Title == "" {
			return nil, ErrTitleRequired
		}
		if len(in.Title) > maxTitle {
			return nil, ErrInvalidTitle
		}
		if len(in.Description) > maxDescription {
			return nil, ErrInvalidDescription
		}
		if len(in.Targets) == 0 {
			return nil, ErrTargetsRequired
		}
		if len(in.Targets) > 1 {
			return nil, ErrMultipleRepositoriesInPullRequest
		}
		t := in.Targets[0]
		if t.RepositoryName == "" {
			return nil, ErrRepositoryNameRequired
		}
		if t.SourceReference == "" {
			return nil, ErrReferenceNameRequired
		}
		if in.ClientRequestToken != "" {
			prs, err := s.prs.All(ctx, scopeOf(ctx))
			if err != nil {
				return nil, internal(err)
			}
			for _, pr := range prs {
				if pr.ClientRequestToken == in.ClientRequestToken && pr.AuthorArn == callerArn(ctx) {
					tt := pr.PullRequestTargets[0]
					if pr.Title != in.Title || pr.Description != in.Description || tt.RepositoryName != t.RepositoryName || tt.SourceReference != fullRef(t.SourceReference) {
						return nil, ErrIdempotencyParameterMismatch
					}
					return &CreatePullRequestOutput{PullRequest: pr.view()}, nil
				}
			}
		}
		rec, repo, err := s.open(ctx, t.RepositoryName)
		if err != nil {
			return nil, err
		}
		if t.DestinationReference == "" {
			t.DestinationReference = rec.DefaultBranch
		}
		srcRef, dstRef := plumbing.ReferenceName(fullRef(t.SourceReference)), plumbing.ReferenceName(fullRef(t.DestinationReference))
		if !srcRef.IsBranch() || !dstRef.IsBranch() {
			return nil, ErrReferenceTypeNotSupported
		}
		if srcRef == dstRef {
			return nil, ErrSourceAndDestinationAreSame
		}
		repo.rlock()
		srcH, err1 := repo.refHash(srcRef)
		dstH, err2 := repo.refHash(dstRef)
		var base string
		if err1 == nil && err2 == nil && !srcH.IsZero() && !dstH.IsZero() {
			if m, err := repo.resolveMerge(rec, srcH.String(), dstH.String()); err == nil {
				base = m.baseID()
			}
		}
		repo.runlock()
		if err := errors.Join(err1, err2); err != nil {
			return nil, internal(err)
		}
		if srcH.IsZero() {
			return nil, ErrReferenceDoesNotExist.With("The reference %s does not exist.", srcRef)
		}
		if dstH.IsZero() {
			return nil, ErrReferenceDoesNotExist.With("The reference %s does not exist.", dstRef)
		}
		now := s.env.Clock.Now().UTC()
		author := callerArn(ctx)
		var rules []ApprovalRule
		tmpls, err := s.templates.All(ctx, scopeOf(ctx))
		if err != nil {
			return nil, internal(err)
		}
		for _, tp := range tmpls {
			if !containsString(tp.Repositories, rec.Name) {
				continue
			}
			rc, err := parseRuleContent(tp.ApprovalRuleTemplateContent)
			if err != nil || !rc.appliesTo(dstRef.String()) {
				continue
			}
			rules = append(rules, ApprovalRule{
				ApprovalRuleID: uuid.NewString(), ApprovalRuleName: tp.ApprovalRuleTemplateName, ApprovalRuleContent: tp.ApprovalRuleTemplateContent,
				RuleContentSha256: contentSHA256(tp.ApprovalRuleTemplateContent), CreationDate: now, LastModifiedDate: now, LastModifiedUser: author,
				OriginApprovalRuleTemplate: &OriginApprovalRuleTemplate{ApprovalRuleTemplateID: tp.ApprovalRuleTemplateID, ApprovalRuleTemplateName: tp.ApprovalRuleTemplateName},
			})
		}
		open := 0
		all, err := s.prs.All(ctx, scopeOf(ctx))
		if err != nil {
			return nil, internal(err)
		}
		for _, pr := range all {
			if pr.PullRequestStatus == prStatusOpen && pr.PullRequestTargets[0].RepositoryName == rec.Name {
				open++
			}
		}
		if open >= maxOpenPRsPerRepo {
			return nil, ErrMaximumOpenPullRequestsExceeded
		}
		seq, err := s.nextSeq(ctx, scopeOf(ctx)+"pullrequests")
		if err != nil {
			return nil, err
		}
		c, _ := identity.From(ctx)
		pr := prRecord{
			PullRequest: PullRequest{
				PullRequestID: strconv.Itoa(seq), Title: in.Title, Description: in.Description, LastActivityDate: now, CreationDate: now,
				PullRequestStatus: prStatusOpen, AuthorArn: author, ClientRequestToken: in.ClientRequestToken, RevisionID: newRevisionID(),
				PullRequestTargets: []PullRequestTarget{{RepositoryName: rec.Name, SourceReference: srcRef.String(), DestinationReference: dstRef.String(),
					SourceCommit: srcH.String(), DestinationCommit: dstH.String(), MergeBase: base, MergeMetadata: &MergeMetadata{}}},
				ApprovalRules: rules,
			},
			Account: c.Account, Region: c.Region, Approvals: map[string]string{},
		}
		pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_CREATED", ActorArn: author,
			PullRequestCreatedEventMetadata: &PullRequestCreatedEventMetadata{RepositoryName: rec.Name, SourceCommitID: srcH.String(), DestinationCommitID: dstH.String(), MergeBase: base}})
		if err := s.prs.Create(ctx, prKey(ctx, pr.PullRequestID), pr); err != nil {
			return nil, internal(err)
		}
		s.publishPR(ctx, pr, "pullRequestCreated", nil)
		return &CreatePullRequestOutput{PullRequest: pr.view()}, nil
	})
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// nextSeq allocates the next number of a counter (pull request IDs, comment order).
func (s *Service) nextSeq(ctx context.Context, key string) (int, error) {
	for {
		n, err := s.seqs.Update(ctx, key, func(v *int) error { *v++; return nil })
		if errors.Is(err, store.ErrNotFound) {
			if err := s.seqs.Create(ctx, key, 1); err == nil {
				return 1, nil
			} else if !errors.Is(err, store.ErrExists) {
				return 0, internal(err)
			}
			continue
		}
		return n, internal(err)
	}
}

// GetPullRequestInput is the input of GetPullRequest.
type GetPullRequestInput struct {
	PullRequestID string `json:"pullRequestId,omitempty"`
}

// PullRequestOutput is the output of the operations that answer a pull request.
type PullRequestOutput struct {
	PullRequest *PullRequest `json:"pullRequest,omitempty"`
}

// GetPullRequestOutput is the output of GetPullRequest.
type GetPullRequestOutput = PullRequestOutput

// GetPullRequest describes a pull request.
func (s *Service) GetPullRequest(ctx context.Context, in *GetPullRequestInput) (*GetPullRequestOutput, error) {
	return dispatch.Do(ctx, s.d, "GetPullRequest", in, func(ctx context.Context, in *GetPullRequestInput) (*PullRequestOutput, error) {
		pr, err := s.getPR(ctx, in.PullRequestID)
		if err != nil {
			return nil, err
		}
		return &PullRequestOutput{PullRequest: pr.view()}, nil
	})
}

// ListPullRequestsInput is the input of ListPullRequests.
type ListPullRequestsInput struct {
	RepositoryName    string `json:"repositoryName,omitempty"`
	AuthorArn         string `json:"authorArn,omitempty"`
	PullRequestStatus string `json:"pullRequestStatus,omitempty"`
	NextToken         string `json:"nextToken,omitempty"`
	MaxResults        int32  `json:"maxResults,omitzero"`
}

// ListPullRequestsOutput is the output of ListPullRequests.
type ListPullRequestsOutput struct {
	PullRequestIDs []string `json:"pullRequestIds"`
	NextToken      string   `json:"nextToken,omitempty"`
}

// ListPullRequests lists a repository's pull request IDs, newest first, optionally by author
// and status.
func (s *Service) ListPullRequests(ctx context.Context, in *ListPullRequestsInput) (*ListPullRequestsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListPullRequests", in, func(ctx context.Context, in *ListPullRequestsInput) (*ListPullRequestsOutput, error) {
		switch in.PullRequestStatus {
		case "", prStatusOpen, prStatusClosed:
		default:
			return nil, ErrInvalidPullRequestStatus
		}
		if in.MaxResults < 0 || in.MaxResults > 1000 {
			return nil, ErrInvalidMaxResults
		}
		if in.AuthorArn != "" && !strings.HasPrefix(in.AuthorArn, "arn:") {
			return nil, ErrInvalidAuthorArn
		}
		rec, err := s.getRecord(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		all, err := s.prs.All(ctx, scopeOf(ctx))
		if err != nil {
			return nil, internal(err)
		}
		var ids []string
		for i := len(all) - 1; i >= 0; i-- {
			pr := all[i]
			if pr.PullRequestTargets[0].RepositoryName != rec.Name ||
				in.AuthorArn != "" && pr.AuthorArn != in.AuthorArn ||
				in.PullRequestStatus != "" && pr.PullRequestStatus != in.PullRequestStatus {
				continue
			}
			ids = append(ids, pr.PullRequestID)
		}
		return paginate(ids, in.NextToken, int(in.MaxResults), defaultPRPageLimit, func(page []string, next string) *ListPullRequestsOutput {
			return &ListPullRequestsOutput{PullRequestIDs: page, NextToken: next}
		})
	})
}

// paginate cuts a page of limit (def when 0) items after the token.
func paginate[T, O any](items []T, token string, limit, def int, mk func([]T, string) *O) (*O, error) {
	if limit == 0 {
		limit = def
	}
	start, err := decodeToken(token)
	if err != nil || start > len(items) {
		return nil, ErrInvalidContinuationToken
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = encodeToken(end)
	}
	return mk(append([]T{}, items[start:end]...), next), nil
}

// UpdatePullRequestTitleInput is the input of UpdatePullRequestTitle.
type UpdatePullRequestTitleInput struct {
	PullRequestID string `json:"pullRequestId,omitempty"`
	Title         string `json:"title,omitempty"`
}

// UpdatePullRequestTitleOutput is the output of UpdatePullRequestTitle.
type UpdatePullRequestTitleOutput = PullRequestOutput

// UpdatePullRequestTitle changes an open pull request's title.
func (s *Service) UpdatePullRequestTitle(ctx context.Context, in *UpdatePullRequestTitleInput) (*UpdatePullRequestTitleOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdatePullRequestTitle", in, func(ctx context.Context, in *UpdatePullRequestTitleInput) (*PullRequestOutput, error) {
		if in.Title == "" {
			return nil, ErrTitleRequired
		}
		if len(in.Title) > maxTitle {
			return nil, ErrInvalidTitle
		}
		return s.editOpenPR(ctx, in.PullRequestID, func(pr *prRecord) { pr.Title = in.Title })
	})
}

// UpdatePullRequestDescriptionInput is the input of UpdatePullRequestDescription.
type UpdatePullRequestDescriptionInput struct {
	PullRequestID string `json:"pullRequestId,omitempty"`
	Description   string `json:"description,omitempty"`
}

// UpdatePullRequestDescriptionOutput is the output of UpdatePullRequestDescription.
type UpdatePullRequestDescriptionOutput = PullRequestOutput

// UpdatePullRequestDescription changes an open pull request's description.
func (s *Service) UpdatePullRequestDescription(ctx context.Context, in *UpdatePullRequestDescriptionInput) (*UpdatePullRequestDescriptionOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdatePullRequestDescription", in, func(ctx context.Context, in *UpdatePullRequestDescriptionInput) (*PullRequestOutput, error) {
		if len(in.Description) > maxDescription {
			return nil, ErrInvalidDescription
		}
		return s.editOpenPR(ctx, in.PullRequestID, func(pr *prRecord) { pr.Description = in.Description })
	})
}

func (s *Service) editOpenPR(ctx context.Context, id string, fn func(*prRecord)) (*PullRequestOutput, error) {
	pr, err := s.updatePR(ctx, id, func(pr *prRecord) error {
		if pr.PullRequestStatus != prStatusOpen {
			return ErrPullRequestAlreadyClosed
		}
		fn(pr)
		pr.LastActivityDate = s.env.Clock.Now().UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PullRequestOutput{PullRequest: pr.view()}, nil
}

// UpdatePullRequestStatusInput is the input of UpdatePullRequestStatus.
type UpdatePullRequestStatusInput struct {
	PullRequestID     string `json:"pullRequestId,omitempty"`
	PullRequestStatus string `json:"pullRequestStatus,omitempty"`
}

// UpdatePullRequestStatusOutput is the output of UpdatePullRequestStatus.
type UpdatePullRequestStatusOutput = PullRequestOutput

// UpdatePullRequestStatus closes an open pull request (a closed one cannot be reopened).
func (s *Service) UpdatePullRequestStatus(ctx context.Context, in *UpdatePullRequestStatusInput) (*UpdatePullRequestStatusOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdatePullRequestStatus", in, func(ctx context.Context, in *UpdatePullRequestStatusInput) (*PullRequestOutput, error) {
		switch in.PullRequestStatus {
		case "":
			return nil, ErrPullRequestStatusRequired
		case prStatusOpen, prStatusClosed:
		default:
			return nil, ErrInvalidPullRequestStatus
		}
		changed := false
		pr, err := s.updatePR(ctx, in.PullRequestID, func(pr *prRecord) error {
			changed = false
			if pr.PullRequestStatus == in.PullRequestStatus {
				return nil
			}
			if pr.PullRequestStatus == prStatusClosed {
				return ErrInvalidPullRequestStatusUpdate
			}
			now := s.env.Clock.Now().UTC()
			pr.PullRequestStatus, pr.LastActivityDate = in.PullRequestStatus, now
			pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_STATUS_CHANGED", ActorArn: callerArn(ctx),
				PullRequestStatusChangedEventMetadata: &PullRequestStatusChangedEventMetadata{PullRequestStatus: in.PullRequestStatus}})
			changed = true
			return nil
		})
		if err != nil {
			return nil, err
		}
		if changed {
			s.publishPR(ctx, pr, "pullRequestStatusChanged", nil)
		}
		return &PullRequestOutput{PullRequest: pr.view()}, nil
	})
}

// MergePullRequestInput is the input of the pull request merges.
type MergePullRequestInput struct {
	PullRequestID              string              `json:"pullRequestId,omitempty"`
	RepositoryName             string              `json:"repositoryName,omitempty"`
	SourceCommitID             string              `json:"sourceCommitId,omitempty"`
	ConflictDetailLevel        string              `json:"conflictDetailLevel,omitempty"`
	ConflictResolutionStrategy string              `json:"conflictResolutionStrategy,omitempty"`
	CommitMessage              string              `json:"commitMessage,omitempty"`
	AuthorName                 string              `json:"authorName,omitempty"`
	Email                      string              `json:"email,omitempty"`
	KeepEmptyFolders           bool                `json:"keepEmptyFolders,omitzero"`
	ConflictResolution         *ConflictResolution `json:"conflictResolution,omitempty"`
}

// MergePullRequestByFastForwardInput is the input of MergePullRequestByFastForward.
type MergePullRequestByFastForwardInput struct {
	PullRequestID  string `json:"pullRequestId,omitempty"`
	RepositoryName string `json:"repositoryName,omitempty"`
	SourceCommitID string `json:"sourceCommitId,omitempty"`
}

// MergePullRequestBySquashInput is the input of MergePullRequestBySquash.
type MergePullRequestBySquashInput = MergePullRequestInput

// MergePullRequestByThreeWayInput is the input of MergePullRequestByThreeWay.
type MergePullRequestByThreeWayInput = MergePullRequestInput

// MergePullRequestByFastForwardOutput is the output of MergePullRequestByFastForward.
type MergePullRequestByFastForwardOutput = PullRequestOutput

// MergePullRequestBySquashOutput is the output of MergePullRequestBySquash.
type MergePullRequestBySquashOutput = PullRequestOutput

// MergePullRequestByThreeWayOutput is the output of MergePullRequestByThreeWay.
type MergePullRequestByThreeWayOutput = PullRequestOutput

// MergePullRequestByFastForward merges an open pull request by fast-forwarding its
// destination branch to its source (approval rules must be satisfied or overridden).
func (s *Service) MergePullRequestByFastForward(ctx context.Context, in *MergePullRequestByFastForwardInput) (*MergePullRequestByFastForwardOutput, error) {
	return dispatch.Do(ctx, s.d, "MergePullRequestByFastForward", in, func(ctx context.Context, in *MergePullRequestByFastForwardInput) (*PullRequestOutput, error) {
		return s.mergePR(ctx, &MergePullRequestInput{PullRequestID: in.PullRequestID, RepositoryName: in.RepositoryName, SourceCommitID: in.SourceCommitID}, mergeFastForward)
	})
}

// MergePullRequestBySquash merges an open pull request with a squash commit.
func (s *Service) MergePullRequestBySquash(ctx context.Context, in *MergePullRequestBySquashInput) (*MergePullRequestBySquashOutput, error) {
	return dispatch.Do(ctx, s.d, "MergePullRequestBySquash", in, func(ctx context.Context, in *MergePullRequestInput) (*PullRequestOutput, error) {
		return s.mergePR(ctx, in, mergeSquash)
	})
}

// MergePullRequestByThreeWay merges an open pull request with a merge commit.
func (s *Service) MergePullRequestByThreeWay(ctx context.Context, in *MergePullRequestByThreeWayInput) (*MergePullRequestByThreeWayOutput, error) {
	return dispatch.Do(ctx, s.d, "MergePullRequestByThreeWay", in, func(ctx context.Context, in *MergePullRequestInput) (*PullRequestOutput, error) {
		return s.mergePR(ctx, in, mergeThreeWay)
	})
}

func (s *Service) mergePR(ctx context.Context, in *MergePullRequestInput, option string) (*PullRequestOutput, error) {
	if in.RepositoryName == "" {
		return nil, ErrRepositoryNameRequired
	}
	if in.SourceCommitID != "" && !fullHashRE.MatchString(in.SourceCommitID) {
		return nil, ErrInvalidCommitID
	}
	pr, err := s.getPR(ctx, in.PullRequestID)
	if err != nil {
		return nil, err
	}
	t := pr.PullRequestTargets[0]
	if t.RepositoryName != in.RepositoryName {
		return nil, ErrRepositoryNotAssociatedWithPullRequest
	}
	if pr.PullRequestStatus != prStatusOpen {
		return nil, ErrPullRequestAlreadyClosed
	}
	if ev := s.evaluate(pr); !ev.Approved {
		return nil, ErrPullRequestApprovalRulesNotSatisfied
	}
	// One merge of a pull request at a time.
	claim := scopeOf(ctx) + pr.PullRequestID
	if _, busy := s.merging.LoadOrStore(claim, true); busy {
		return nil, ErrConcurrentReferenceUpdate
	}
	defer s.merging.Delete(claim)
	if cur, err := s.getPR(ctx, pr.PullRequestID); err != nil {
		return nil, err
	} else if cur.PullRequestStatus != prStatusOpen {
		return nil, ErrPullRequestAlreadyClosed
	}
	src, dst := plumbing.ReferenceName(t.SourceReference), plumbing.ReferenceName(t.DestinationReference)
	res, rec, repo, err := s.doMerge(ctx, mergeRequest{repo: in.RepositoryName, srcSpec: src.String(), dstSpec: dst.String(), option: option,
		targetBranch: dst.Short(), update: true, level: in.ConflictDetailLevel, strategy: in.ConflictResolutionStrategy, resolution: in.ConflictResolution,
		author: in.AuthorName, email: in.Email, message: in.CommitMessage, keepEmpty: in.KeepEmptyFolders, expectSource: in.SourceCommitID, deferRefs: true,
		check: func(sc, dc *object.Commit) error {
			if sc.Hash.String() != t.SourceCommit {
				return ErrTipOfSourceReferenceIsDifferent
			}
			return nil
		}})
	if err != nil {
		return nil, err
	}
	now := s.env.Clock.Now().UTC()
	caller := callerArn(ctx)
	pr, err = s.updatePR(ctx, pr.PullRequestID, func(pr *prRecord) error {
		tt := &pr.PullRequestTargets[0]
		tt.MergeMetadata = &MergeMetadata{IsMerged: true, MergedBy: caller, MergeCommitID: res.commit.Hash.String(), MergeOption: option}
		if res.update != nil {
			tt.DestinationCommit = res.update.New.String()
		}
		pr.PullRequestStatus, pr.LastActivityDate = prStatusClosed, now
		pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_MERGE_STATE_CHANGED", ActorArn: caller,
			PullRequestMergedStateChangedEventMetadata: &PullRequestMergedStateChangedEventMetadata{RepositoryName: tt.RepositoryName, DestinationReference: tt.DestinationReference, MergeMetadata: tt.MergeMetadata}})
		pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_STATUS_CHANGED", ActorArn: caller,
			PullRequestStatusChangedEventMetadata: &PullRequestStatusChangedEventMetadata{PullRequestStatus: prStatusClosed}})
		return nil
	})
	if res.update != nil {
		s.refsChanged(ctx, rec, repo, []refUpdate{*res.update})
	}
	if err != nil {
		return nil, err
	}
	s.publishPR(ctx, pr, "pullRequestMergeStatusUpdated", func(d *prEventDetail) { d.MergeOption = option })
	return &PullRequestOutput{PullRequest: pr.view()}, nil
}

// prRefsChanged keeps open pull requests in step with their branches: a moved source makes
// a new revision (approvals reset); a source that became part of the destination (merged
// outside CodeCommit's merge operations) closes the pull request as merged.
func (s *Service) prRefsChanged(ctx context.Context, rec repoRecord, repo *gitRepo, ups []refUpdate) {
	all, err := s.prs.All(ctx, scopeOf(ctx))
	if err != nil {
		return
	}
	moved := map[string]plumbing.Hash{}
	for _, u := range ups {
		if u.Name.IsBranch() {
			moved[u.Name.String()] = u.New
		}
	}
	for _, pr := range all {
		t := pr.PullRequestTargets[0]
		if pr.PullRequestStatus != prStatusOpen || t.RepositoryName != rec.Name {
			continue
		}
		_, srcMoved := moved[t.SourceReference]
		_, dstMoved := moved[t.DestinationReference]
		if !srcMoved && !dstMoved {
			continue
		}
		repo.rlock()
		srcH, _ := repo.refHash(plumbing.ReferenceName(t.SourceReference))
		dstH, _ := repo.refHash(plumbing.ReferenceName(t.DestinationReference))
		merged, base := false, t.MergeBase
		if !srcH.IsZero() && !dstH.IsZero() {
			if m, err := repo.resolveMerge(rec, srcH.String(), dstH.String()); err == nil {
				merged, base = m.alreadyMerged, m.baseID()
			}
		}
		repo.runlock()
		var events []string
		now := s.env.Clock.Now().UTC()
		caller := callerArn(ctx)
		npr, err := s.prs.Update(ctx, prKey(ctx, pr.PullRequestID), func(p *prRecord) error {
			events = nil
			tt := &p.PullRequestTargets[0]
			if p.PullRequestStatus != prStatusOpen {
				return errSkip
			}
			if !srcH.IsZero() && srcH.String() != tt.SourceCommit {
				p.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_SOURCE_REFERENCE_UPDATED", ActorArn: caller,
					PullRequestSourceReferenceUpdatedEventMetadata: &PullRequestSourceReferenceUpdatedEventMetadata{RepositoryName: tt.RepositoryName, BeforeCommitID: tt.SourceCommit, AfterCommitID: srcH.String(), MergeBase: base}})
				tt.SourceCommit = srcH.String()
				p.RevisionID = newRevisionID()
				p.Approvals = map[string]string{}
				p.Overrider = ""
				events = append(events, "pullRequestSourceBranchUpdated")
			}
			if !dstH.IsZero() {
				tt.DestinationCommit = dstH.String()
			}
			tt.MergeBase = base
			if merged {
				tt.MergeMetadata = &MergeMetadata{IsMerged: true, MergedBy: caller}
				p.PullRequestStatus = prStatusClosed
				p.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_MERGE_STATE_CHANGED", ActorArn: caller,
					PullRequestMergedStateChangedEventMetadata: &PullRequestMergedStateChangedEventMetadata{RepositoryName: tt.RepositoryName, DestinationReference: tt.DestinationReference, MergeMetadata: tt.MergeMetadata}})
				events = append(events, "pullRequestMergeStatusUpdated")
			}
			p.LastActivityDate = now
			return nil
		})
		if err != nil {
			continue
		}
		for _, e := range events {
			s.publishPR(ctx, npr, e, nil)
		}
	}
}

// PullRequestCreatedEventMetadata is the metadata of a PULL_REQUEST_CREATED event.
type PullRequestCreatedEventMetadata struct {
	RepositoryName      string `json:"repositoryName,omitempty"`
	SourceCommitID      string `json:"sourceCommitId,omitempty"`
	DestinationCommitID string `json:"destinationCommitId,omitempty"`
	MergeBase           string `json:"mergeBase,omitempty"`
}

// PullRequestStatusChangedEventMetadata is the metadata of a PULL_REQUEST_STATUS_CHANGED event.
type PullRequestStatusChangedEventMetadata struct {
	PullRequestStatus string `json:"pullRequestStatus,omitempty"`
}

// PullRequestSourceReferenceUpdatedEventMetadata is the metadata of a
// PULL_REQUEST_SOURCE_REFERENCE_UPDATED event.
type PullRequestSourceReferenceUpdatedEventMetadata struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	BeforeCommitID string `json:"beforeCommitId,omitempty"`
	AfterCommitID  string `json:"afterCommitId,omitempty"`
	MergeBase      string `json:"mergeBase,omitempty"`
}

// PullRequestMergedStateChangedEventMetadata is the metadata of a
// PULL_REQUEST_MERGE_STATE_CHANGED event.
type PullRequestMergedStateChangedEventMetadata struct {
	RepositoryName       string         `json:"repositoryName,omitempty"`
	DestinationReference string         `json:"destinationReference,omitempty"`
	MergeMetadata        *MergeMetadata `json:"mergeMetadata,omitempty"`
}

// ApprovalRuleEventMetadata is the metadata of the approval rule events.
type ApprovalRuleEventMetadata struct {
	ApprovalRuleName    string `json:"approvalRuleName,omitempty"`
	ApprovalRuleID      string `json:"approvalRuleId,omitempty"`
	ApprovalRuleContent string `json:"approvalRuleContent,omitempty"`
}

// ApprovalStateChangedEventMetadata is the metadata of a PULL_REQUEST_APPROVAL_STATE_CHANGED
// event.
type ApprovalStateChangedEventMetadata struct {
	RevisionID     string `json:"revisionId,omitempty"`
	ApprovalStatus string `json:"approvalStatus,omitempty"`
}

// ApprovalRuleOverriddenEventMetadata is the metadata of a
// PULL_REQUEST_APPROVAL_RULE_OVERRIDDEN event.
type ApprovalRuleOverriddenEventMetadata struct {
	RevisionID     string `json:"revisionId,omitempty"`
	OverrideStatus string `json:"overrideStatus,omitempty"`
}

// PullRequestEvent is one event of a pull request's history.
type PullRequestEvent struct {
	PullRequestID                                  string                                          `json:"pullRequestId,omitempty"`
	EventDate                                      time.Time                                       `json:"eventDate,omitzero"`
	PullRequestEventType                           string                                          `json:"pullRequestEventType,omitempty"`
	ActorArn                                       string                                          `json:"actorArn,omitempty"`
	PullRequestCreatedEventMetadata                *PullRequestCreatedEventMetadata                `json:"pullRequestCreatedEventMetadata,omitempty"`
	PullRequestStatusChangedEventMetadata          *PullRequestStatusChangedEventMetadata          `json:"pullRequestStatusChangedEventMetadata,omitempty"`
	PullRequestSourceReferenceUpdatedEventMetadata *PullRequestSourceReferenceUpdatedEventMetadata `json:"pullRequestSourceReferenceUpdatedEventMetadata,omitempty"`
	PullRequestMergedStateChangedEventMetadata     *PullRequestMergedStateChangedEventMetadata     `json:"pullRequestMergedStateChangedEventMetadata,omitempty"`
	ApprovalRuleEventMetadata                      *ApprovalRuleEventMetadata                      `json:"approvalRuleEventMetadata,omitempty"`
	ApprovalStateChangedEventMetadata              *ApprovalStateChangedEventMetadata              `json:"approvalStateChangedEventMetadata,omitempty"`
	ApprovalRuleOverriddenEventMetadata            *ApprovalRuleOverriddenEventMetadata            `json:"approvalRuleOverriddenEventMetadata,omitempty"`
}

// DescribePullRequestEventsInput is the input of DescribePullRequestEvents.
type DescribePullRequestEventsInput struct {
	PullRequestID        string `json:"pullRequestId,omitempty"`
	PullRequestEventType string `json:"pullRequestEventType,omitempty"`
	ActorArn             string `json:"actorArn,omitempty"`
	NextToken            string `json:"nextToken,omitempty"`
	MaxResults           int32  `json:"maxResults,omitzero"`
}

// DescribePullRequestEventsOutput is the output of DescribePullRequestEvents.
type DescribePullRequestEventsOutput struct {
	PullRequestEvents []PullRequestEvent `json:"pullRequestEvents"`
	NextToken         string             `json:"nextToken,omitempty"`
}

var prEventTypes = map[string]bool{
	"PULL_REQUEST_CREATED": true, "PULL_REQUEST_STATUS_CHANGED": true, "PULL_REQUEST_SOURCE_REFERENCE_UPDATED": true,
	"PULL_REQUEST_MERGE_STATE_CHANGED": true, "PULL_REQUEST_APPROVAL_RULE_CREATED": true, "PULL_REQUEST_APPROVAL_RULE_UPDATED": true,
	"PULL_REQUEST_APPROVAL_RULE_DELETED": true, "PULL_REQUEST_APPROVAL_RULE_OVERRIDDEN": true, "PULL_REQUEST_APPROVAL_STATE_CHANGED": true,
}

// DescribePullRequestEvents lists a pull request's events, oldest first (the last 1,000).
func (s *Service) DescribePullRequestEvents(ctx context.Context, in *DescribePullRequestEventsInput) (*DescribePullRequestEventsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribePullRequestEvents", in, func(ctx context.Context, in *DescribePullRequestEventsInput) (*DescribePullRequestEventsOutput, error) {
		if in.PullRequestEventType != "" && !prEventTypes[in.PullRequestEventType] {
			return nil, ErrInvalidPullRequestEventType
		}
		if in.MaxResults < 0 || in.MaxResults > 100 {
			return nil, ErrInvalidMaxResults
		}
		pr, err := s.getPR(ctx, in.PullRequestID)
		if err != nil {
			return nil, err
		}
		var evs []PullRequestEvent
		for _, e := range pr.Events {
			if (in.PullRequestEventType == "" || e.PullRequestEventType == in.PullRequestEventType) && (in.ActorArn == "" || e.ActorArn == in.ActorArn) {
				evs = append(evs, e)
			}
		}
		return paginate(evs, in.NextToken, int(in.MaxResults), 100, func(page []PullRequestEvent, next string) *DescribePullRequestEventsOutput {
			return &DescribePullRequestEventsOutput{PullRequestEvents: page, NextToken: next}
		})
	})
}

var _ = sort.Strings

// repoRenamed moves a repository's pull requests, comments and template associations to its
// new name.
func (s *Service) repoRenamed(ctx context.Context, oldName, newName string) {
	s.repoReferences(ctx, oldName, func(n *string) { *n = newName }, false)
}

// repoDeleted drops a repository's pull requests and comments and its template
// associations, as deleting a repository does on AWS.
func (s *Service) repoDeleted(ctx context.Context, name string) {
	s.repoReferences(ctx, name, nil, true)
}

func (s *Service) repoReferences(ctx context.Context, name string, rename func(*string), drop bool) {
	scope := scopeOf(ctx)
	if prs, err := s.prs.All(ctx, scope); err == nil {
		for _, pr := range prs {
			if pr.PullRequestTargets[0].RepositoryName != name {
				continue
			}
			key := prKey(ctx, pr.PullRequestID)
			if drop {
				_ = s.prs.Delete(ctx, key)
				continue
			}
			_, _ = s.prs.Update(ctx, key, func(p *prRecord) error { rename(&p.PullRequestTargets[0].RepositoryName); return nil })
		}
	}
	if cs, err := s.comments.All(ctx, scope); err == nil {
		for _, c := range cs {
			if c.RepositoryName != name {
				continue
			}
			key := commentKey(ctx, c.CommentID)
			if drop {
				_ = s.comments.Delete(ctx, key)
				continue
			}
			_, _ = s.comments.Update(ctx, key, func(c *commentRecord) error { rename(&c.RepositoryName); return nil })
		}
	}
	if ts, err := s.templates.All(ctx, scope); err == nil {
		for _, t := range ts {
			if !containsString(t.Repositories, name) {
				continue
			}
			_, _ = s.templates.Update(ctx, templateKey(ctx, t.ApprovalRuleTemplateName), func(t *templateRecord) error {
				var out []string
				for _, r := range t.Repositories {
					switch {
					case r != name:
						out = append(out, r)
					case !drop:
						rename(&r)
						out = append(out, r)
					}
				}
				t.Repositories = out
				return nil
			})
		}
	}
}
