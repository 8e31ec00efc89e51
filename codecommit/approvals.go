package codecommit

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

var ruleNameRE = regexp.MustCompile(`^.{1,100}$`)

// Evaluation is the verdict of a pull request's approval rules.
type Evaluation struct {
	Approved                  bool     `json:"approved"`
	Overridden                bool     `json:"overridden"`
	ApprovalRulesSatisfied    []string `json:"approvalRulesSatisfied"`
	ApprovalRulesNotSatisfied []string `json:"approvalRulesNotSatisfied"`
}

// evaluate applies a pull request's rules to its approvals of the current revision.
func (s *Service) evaluate(pr prRecord) *Evaluation {
	ev := &Evaluation{Overridden: pr.Overrider != "", ApprovalRulesSatisfied: []string{}, ApprovalRulesNotSatisfied: []string{}}
	var approvers []string
	for a, st := range pr.Approvals {
		if st == approvalApprove {
			approvers = append(approvers, a)
		}
	}
	sort.Strings(approvers)
	for _, r := range pr.ApprovalRules {
		rc, err := parseRuleContent(r.ApprovalRuleContent)
		if err == nil && rc.satisfied(approvers) {
			ev.ApprovalRulesSatisfied = append(ev.ApprovalRulesSatisfied, r.ApprovalRuleName)
		} else {
			ev.ApprovalRulesNotSatisfied = append(ev.ApprovalRulesNotSatisfied, r.ApprovalRuleName)
		}
	}
	ev.Approved = ev.Overridden || len(ev.ApprovalRulesNotSatisfied) == 0
	return ev
}

func checkRuleName(n string) error {
	if n == "" {
		return ErrApprovalRuleNameRequired
	}
	if !ruleNameRE.MatchString(n) {
		return ErrInvalidApprovalRuleName
	}
	return nil
}

func checkRuleContent(c string) error {
	if c == "" {
		return ErrApprovalRuleContentRequired
	}
	if _, err := parseRuleContent(c); err != nil {
		return ErrInvalidApprovalRuleContent.With("The content for the approval rule is not valid: %v", err)
	}
	return nil
}

// CreatePullRequestApprovalRuleInput is the input of CreatePullRequestApprovalRule.
type CreatePullRequestApprovalRuleInput struct {
	PullRequestID       string `json:"pullRequestId,omitempty"`
	ApprovalRuleName    string `json:"approvalRuleName,omitempty"`
	ApprovalRuleContent string `json:"approvalRuleContent,omitempty"`
}

// ApprovalRuleOutput is the output of the operations that answer an approval rule.
type ApprovalRuleOutput struct {
	ApprovalRule *ApprovalRule `json:"approvalRule,omitempty"`
}

// CreatePullRequestApprovalRuleOutput is the output of CreatePullRequestApprovalRule.
type CreatePullRequestApprovalRuleOutput = ApprovalRuleOutput

// CreatePullRequestApprovalRule adds an approval rule to an open pull request.
func (s *Service) CreatePullRequestApprovalRule(ctx context.Context, in *CreatePullRequestApprovalRuleInput) (*CreatePullRequestApprovalRuleOutput, error) {
	return dispatch.Do(ctx, s.d, "CreatePullRequestApprovalRule", in, func(ctx context.Context, in *CreatePullRequestApprovalRuleInput) (*ApprovalRuleOutput, error) {
		if err := checkRuleName(in.ApprovalRuleName); err != nil {
			return nil, err
		}
		if err := checkRuleContent(in.ApprovalRuleContent); err != nil {
			return nil, err
		}
		now := s.env.Clock.Now().UTC()
		var rule ApprovalRule
		pr, err := s.updatePR(ctx, in.PullRequestID, func(pr *prRecord) error {
			if pr.PullRequestStatus != prStatusOpen {
				return ErrPullRequestAlreadyClosed
			}
			if len(pr.ApprovalRules) >= maxRulesPerPR {
				return ErrNumberOfRulesExceeded
			}
			for _, r := range pr.ApprovalRules {
				if r.ApprovalRuleName == in.ApprovalRuleName {
					return ErrApprovalRuleNameAlreadyExists
				}
			}
			rule = ApprovalRule{ApprovalRuleID: uuid.NewString(), ApprovalRuleName: in.ApprovalRuleName, ApprovalRuleContent: in.ApprovalRuleContent,
				RuleContentSha256: contentSHA256(in.ApprovalRuleContent), CreationDate: now, LastModifiedDate: now, LastModifiedUser: callerArn(ctx)}
			pr.ApprovalRules = append(pr.ApprovalRules, rule)
			pr.LastActivityDate = now
			pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_APPROVAL_RULE_CREATED", ActorArn: callerArn(ctx),
				ApprovalRuleEventMetadata: &ApprovalRuleEventMetadata{ApprovalRuleName: rule.ApprovalRuleName, ApprovalRuleID: rule.ApprovalRuleID, ApprovalRuleContent: rule.ApprovalRuleContent}})
			return nil
		})
		if err != nil {
			return nil, err
		}
		s.publishPR(ctx, pr, "pullRequestApprovalRuleCreated", func(d *prEventDetail) { d.ApprovalRuleName = rule.ApprovalRuleName })
		return &ApprovalRuleOutput{ApprovalRule: &rule}, nil
	})
}

// UpdatePullRequestApprovalRuleContentInput is the input of UpdatePullRequestApprovalRuleContent.
type UpdatePullRequestApprovalRuleContentInput struct {
	PullRequestID             string `json:"pullRequestId,omitempty"`
	ApprovalRuleName          string `json:"approvalRuleName,omitempty"`
	ExistingRuleContentSha256 string `json:"existingRuleContentSha256,omitempty"`
	NewRuleContent            string `json:"newRuleContent,omitempty"`
}

// UpdatePullRequestApprovalRuleContentOutput is the output of UpdatePullRequestApprovalRuleContent.
type UpdatePullRequestApprovalRuleContentOutput = ApprovalRuleOutput

// UpdatePullRequestApprovalRuleContent replaces an approval rule's content (not one that
// came from a template).
func (s *Service) UpdatePullRequestApprovalRuleContent(ctx context.Context, in *UpdatePullRequestApprovalRuleContentInput) (*UpdatePullRequestApprovalRuleContentOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdatePullRequestApprovalRuleContent", in, func(ctx context.Context, in *UpdatePullRequestApprovalRuleContentInput) (*ApprovalRuleOutput, error) {
		if err := checkRuleName(in.ApprovalRuleName); err != nil {
			return nil, err
		}
		if err := checkRuleContent(in.NewRuleContent); err != nil {
			return nil, err
		}
		now := s.env.Clock.Now().UTC()
		var rule ApprovalRule
		pr, err := s.updatePR(ctx, in.PullRequestID, func(pr *prRecord) error {
			if pr.PullRequestStatus != prStatusOpen {
				return ErrPullRequestAlreadyClosed
			}
			for i := range pr.ApprovalRules {
				r := &pr.ApprovalRules[i]
				if r.ApprovalRuleName != in.ApprovalRuleName {
					continue
				}
				if r.OriginApprovalRuleTemplate != nil {
					return ErrCannotModifyApprovalRuleFromTemplate
				}
				if in.ExistingRuleContentSha256 != "" && in.ExistingRuleContentSha256 != r.RuleContentSha256 {
					return ErrInvalidRuleContentSha256
				}
				r.ApprovalRuleContent, r.RuleContentSha256 = in.NewRuleContent, contentSHA256(in.NewRuleContent)
				r.LastModifiedDate, r.LastModifiedUser = now, callerArn(ctx)
				rule = *r
				pr.LastActivityDate = now
				pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_APPROVAL_RULE_UPDATED", ActorArn: callerArn(ctx),
					ApprovalRuleEventMetadata: &ApprovalRuleEventMetadata{ApprovalRuleName: rule.ApprovalRuleName, ApprovalRuleID: rule.ApprovalRuleID, ApprovalRuleContent: rule.ApprovalRuleContent}})
				return nil
			}
			return ErrApprovalRuleDoesNotExist
		})
		if err != nil {
			return nil, err
		}
		s.publishPR(ctx, pr, "pullRequestApprovalRuleUpdated", func(d *prEventDetail) { d.ApprovalRuleName = rule.ApprovalRuleName })
		return &ApprovalRuleOutput{ApprovalRule: &rule}, nil
	})
}

// DeletePullRequestApprovalRuleInput is the input of DeletePullRequestApprovalRule.
type DeletePullRequestApprovalRuleInput struct {
	PullRequestID    string `json:"pullRequestId,omitempty"`
	ApprovalRuleName string `json:"approvalRuleName,omitempty"`
}

// DeletePullRequestApprovalRuleOutput is the output of DeletePullRequestApprovalRule.
type DeletePullRequestApprovalRuleOutput struct {
	ApprovalRuleID string `json:"approvalRuleId"`
}

// DeletePullRequestApprovalRule removes an approval rule (not one that came from a
// template); removing one that does not exist answers an empty ID.
func (s *Service) DeletePullRequestApprovalRule(ctx context.Context, in *DeletePullRequestApprovalRuleInput) (*DeletePullRequestApprovalRuleOutput, error) {
	return dispatch.Do(ctx, s.d, "DeletePullRequestApprovalRule", in, func(ctx context.Context, in *DeletePullRequestApprovalRuleInput) (*DeletePullRequestApprovalRuleOutput, error) {
		if err := checkRuleName(in.ApprovalRuleName); err != nil {
			return nil, err
		}
		now := s.env.Clock.Now().UTC()
		var id string
		pr, err := s.updatePR(ctx, in.PullRequestID, func(pr *prRecord) error {
			id = ""
			if pr.PullRequestStatus != prStatusOpen {
				return ErrPullRequestAlreadyClosed
			}
			for i, r := range pr.ApprovalRules {
				if r.ApprovalRuleName != in.ApprovalRuleName {
					continue
				}
				if r.OriginApprovalRuleTemplate != nil {
					return ErrCannotDeleteApprovalRuleFromTemplate
				}
				id = r.ApprovalRuleID
				pr.ApprovalRules = append(pr.ApprovalRules[:i:i], pr.ApprovalRules[i+1:]...)
				pr.LastActivityDate = now
				pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_APPROVAL_RULE_DELETED", ActorArn: callerArn(ctx),
					ApprovalRuleEventMetadata: &ApprovalRuleEventMetadata{ApprovalRuleName: r.ApprovalRuleName, ApprovalRuleID: r.ApprovalRuleID}})
				return nil
			}
			return errSkip
		})
		if errors.Is(err, errSkip) {
			return &DeletePullRequestApprovalRuleOutput{}, nil
		}
		if err != nil {
			return nil, err
		}
		s.publishPR(ctx, pr, "pullRequestApprovalRuleDeleted", func(d *prEventDetail) { d.ApprovalRuleName = in.ApprovalRuleName })
		return &DeletePullRequestApprovalRuleOutput{ApprovalRuleID: id}, nil
	})
}

// UpdatePullRequestApprovalStateInput is the input of UpdatePullRequestApprovalState.
type UpdatePullRequestApprovalStateInput struct {
	PullRequestID string `json:"pullRequestId,omitempty"`
	RevisionID    string `json:"revisionId,omitempty"`
	ApprovalState string `json:"approvalState,omitempty"`
}

// UpdatePullRequestApprovalStateOutput is the output of UpdatePullRequestApprovalState.
type UpdatePullRequestApprovalStateOutput struct{}

const maxApprovers = 200

// UpdatePullRequestApprovalState records the caller's approval (APPROVE) or its withdrawal
// (REVOKE) of the pull request's current revision. The author cannot approve.
func (s *Service) UpdatePullRequestApprovalState(ctx context.Context, in *UpdatePullRequestApprovalStateInput) (*UpdatePullRequestApprovalStateOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdatePullRequestApprovalState", in, func(ctx context.Context, in *UpdatePullRequestApprovalStateInput) (*UpdatePullRequestApprovalStateOutput, error) {
		if in.RevisionID == "" {
			return nil, ErrRevisionIDRequired
		}
		switch in.ApprovalState {
		case "":
			return nil, ErrApprovalStateRequired
		case approvalApprove, approvalRevoke:
		default:
			return nil, ErrInvalidApprovalState
		}
		caller := callerArn(ctx)
		now := s.env.Clock.Now().UTC()
		pr, err := s.updatePR(ctx, in.PullRequestID, func(pr *prRecord) error {
			if pr.PullRequestStatus != prStatusOpen {
				return ErrPullRequestAlreadyClosed
			}
			if pr.RevisionID != in.RevisionID {
				return ErrRevisionNotCurrent
			}
			if in.ApprovalState == approvalApprove && caller == pr.AuthorArn {
				return ErrPullRequestCannotBeApprovedByAuthor
			}
			if pr.Approvals == nil {
				pr.Approvals = map[string]string{}
			}
			if in.ApprovalState == approvalApprove {
				if _, ok := pr.Approvals[caller]; !ok && len(pr.Approvals) >= maxApprovers {
					return ErrMaximumNumberOfApprovalsExceeded
				}
				pr.Approvals[caller] = approvalApprove
			} else {
				delete(pr.Approvals, caller)
			}
			pr.LastActivityDate = now
			pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_APPROVAL_STATE_CHANGED", ActorArn: caller,
				ApprovalStateChangedEventMetadata: &ApprovalStateChangedEventMetadata{RevisionID: in.RevisionID, ApprovalStatus: in.ApprovalState}})
			return nil
		})
		if err != nil {
			return nil, err
		}
		s.publishPR(ctx, pr, "pullRequestApprovalStateChanged", func(d *prEventDetail) { d.ApprovalStatus = in.ApprovalState })
		return &UpdatePullRequestApprovalStateOutput{}, nil
	})
}

// Approval is one user's approval state.
type Approval struct {
	UserArn       string `json:"userArn,omitempty"`
	ApprovalState string `json:"approvalState,omitempty"`
}

// GetPullRequestApprovalStatesInput is the input of GetPullRequestApprovalStates.
type GetPullRequestApprovalStatesInput struct {
	PullRequestID string `json:"pullRequestId,omitempty"`
	RevisionID    string `json:"revisionId,omitempty"`
}

// GetPullRequestApprovalStatesOutput is the output of GetPullRequestApprovalStates.
type GetPullRequestApprovalStatesOutput struct {
	Approvals []Approval `json:"approvals"`
}

func (s *Service) prAtRevision(ctx context.Context, id, rev string) (prRecord, error) {
	if rev == "" {
		return prRecord{}, ErrRevisionIDRequired
	}
	pr, err := s.getPR(ctx, id)
	if err != nil {
		return pr, err
	}
	if pr.RevisionID != rev {
		return pr, ErrRevisionNotCurrent
	}
	return pr, nil
}

// GetPullRequestApprovalStates lists the approvals of a pull request's current revision.
func (s *Service) GetPullRequestApprovalStates(ctx context.Context, in *GetPullRequestApprovalStatesInput) (*GetPullRequestApprovalStatesOutput, error) {
	return dispatch.Do(ctx, s.d, "GetPullRequestApprovalStates", in, func(ctx context.Context, in *GetPullRequestApprovalStatesInput) (*GetPullRequestApprovalStatesOutput, error) {
		pr, err := s.prAtRevision(ctx, in.PullRequestID, in.RevisionID)
		if err != nil {
			return nil, err
		}
		out := &GetPullRequestApprovalStatesOutput{Approvals: []Approval{}}
		for a, st := range pr.Approvals {
			out.Approvals = append(out.Approvals, Approval{UserArn: a, ApprovalState: st})
		}
		sort.Slice(out.Approvals, func(i, j int) bool { return out.Approvals[i].UserArn < out.Approvals[j].UserArn })
		return out, nil
	})
}

// EvaluatePullRequestApprovalRulesInput is the input of EvaluatePullRequestApprovalRules.
type EvaluatePullRequestApprovalRulesInput struct {
	PullRequestID string `json:"pullRequestId,omitempty"`
	RevisionID    string `json:"revisionId,omitempty"`
}

// EvaluatePullRequestApprovalRulesOutput is the output of EvaluatePullRequestApprovalRules.
type EvaluatePullRequestApprovalRulesOutput struct {
	Evaluation *Evaluation `json:"evaluation,omitempty"`
}

// EvaluatePullRequestApprovalRules says which approval rules the current revision meets.
func (s *Service) EvaluatePullRequestApprovalRules(ctx context.Context, in *EvaluatePullRequestApprovalRulesInput) (*EvaluatePullRequestApprovalRulesOutput, error) {
	return dispatch.Do(ctx, s.d, "EvaluatePullRequestApprovalRules", in, func(ctx context.Context, in *EvaluatePullRequestApprovalRulesInput) (*EvaluatePullRequestApprovalRulesOutput, error) {
		pr, err := s.prAtRevision(ctx, in.PullRequestID, in.RevisionID)
		if err != nil {
			return nil, err
		}
		return &EvaluatePullRequestApprovalRulesOutput{Evaluation: s.evaluate(pr)}, nil
	})
}

// GetPullRequestOverrideStateInput is the input of GetPullRequestOverrideState.
type GetPullRequestOverrideStateInput struct {
	PullRequestID string `json:"pullRequestId,omitempty"`
	RevisionID    string `json:"revisionId,omitempty"`
}

// GetPullRequestOverrideStateOutput is the output of GetPullRequestOverrideState.
type GetPullRequestOverrideStateOutput struct {
	Overridden bool   `json:"overridden"`
	Overrider  string `json:"overrider,omitempty"`
}

// GetPullRequestOverrideState says whether the approval rules of the current revision were
// overridden, and by whom.
func (s *Service) GetPullRequestOverrideState(ctx context.Context, in *GetPullRequestOverrideStateInput) (*GetPullRequestOverrideStateOutput, error) {
	return dispatch.Do(ctx, s.d, "GetPullRequestOverrideState", in, func(ctx context.Context, in *GetPullRequestOverrideStateInput) (*GetPullRequestOverrideStateOutput, error) {
		pr, err := s.prAtRevision(ctx, in.PullRequestID, in.RevisionID)
		if err != nil {
			return nil, err
		}
		return &GetPullRequestOverrideStateOutput{Overridden: pr.Overrider != "", Overrider: pr.Overrider}, nil
	})
}

// OverridePullRequestApprovalRulesInput is the input of OverridePullRequestApprovalRules.
type OverridePullRequestApprovalRulesInput struct {
	PullRequestID  string `json:"pullRequestId,omitempty"`
	RevisionID     string `json:"revisionId,omitempty"`
	OverrideStatus string `json:"overrideStatus,omitempty"`
}

// OverridePullRequestApprovalRulesOutput is the output of OverridePullRequestApprovalRules.
type OverridePullRequestApprovalRulesOutput struct{}

// OverridePullRequestApprovalRules sets aside (OVERRIDE) or restores (REVOKE) the approval
// rules of the current revision.
func (s *Service) OverridePullRequestApprovalRules(ctx context.Context, in *OverridePullRequestApprovalRulesInput) (*OverridePullRequestApprovalRulesOutput, error) {
	return dispatch.Do(ctx, s.d, "OverridePullRequestApprovalRules", in, func(ctx context.Context, in *OverridePullRequestApprovalRulesInput) (*OverridePullRequestApprovalRulesOutput, error) {
		if in.RevisionID == "" {
			return nil, ErrRevisionIDRequired
		}
		switch in.OverrideStatus {
		case "":
			return nil, ErrOverrideStatusRequired
		case overrideOverride, overrideRevoke:
		default:
			return nil, ErrInvalidOverrideStatus
		}
		caller := callerArn(ctx)
		now := s.env.Clock.Now().UTC()
		pr, err := s.updatePR(ctx, in.PullRequestID, func(pr *prRecord) error {
			if pr.PullRequestStatus != prStatusOpen {
				return ErrPullRequestAlreadyClosed
			}
			if pr.RevisionID != in.RevisionID {
				return ErrRevisionNotCurrent
			}
			if in.OverrideStatus == overrideOverride {
				if pr.Overrider != "" {
					return ErrOverrideAlreadySet
				}
				pr.Overrider = caller
			} else {
				pr.Overrider = ""
			}
			pr.LastActivityDate = now
			pr.addEvent(PullRequestEvent{EventDate: now, PullRequestEventType: "PULL_REQUEST_APPROVAL_RULE_OVERRIDDEN", ActorArn: caller,
				ApprovalRuleOverriddenEventMetadata: &ApprovalRuleOverriddenEventMetadata{RevisionID: in.RevisionID, OverrideStatus: in.OverrideStatus}})
			return nil
		})
		if err != nil {
			return nil, err
		}
		s.publishPR(ctx, pr, "pullRequestApprovalRuleOverridden", func(d *prEventDetail) { d.OverrideStatus = in.OverrideStatus })
		return &OverridePullRequestApprovalRulesOutput{}, nil
	})
}

// ApprovalRuleTemplate is an approval rule template.
type ApprovalRuleTemplate struct {
	ApprovalRuleTemplateID          string    `json:"approvalRuleTemplateId,omitempty"`
	ApprovalRuleTemplateName        string    `json:"approvalRuleTemplateName,omitempty"`
	ApprovalRuleTemplateDescription string    `json:"approvalRuleTemplateDescription,omitempty"`
	ApprovalRuleTemplateContent     string    `json:"approvalRuleTemplateContent,omitempty"`
	RuleContentSha256               string    `json:"ruleContentSha256,omitempty"`
	LastModifiedDate                time.Time `json:"lastModifiedDate,omitzero"`
	CreationDate                    time.Time `json:"creationDate,omitzero"`
	LastModifiedUser                string    `json:"lastModifiedUser,omitempty"`
}

type templateRecord struct {
	ApprovalRuleTemplate
	Repositories []string `json:"repositories,omitempty"`
}

const (
	maxTemplates           = 1000
	maxTemplatesPerRepo    = 10
	maxTemplateDescription = 1000
)

func templateKey(ctx context.Context, name string) string { return scopeOf(ctx) + name }

func (s *Service) getTemplate(ctx context.Context, name string) (templateRecord, error) {
	if name == "" {
		return templateRecord{}, ErrApprovalRuleTemplateNameRequired
	}
	if !ruleNameRE.MatchString(name) {
		return templateRecord{}, ErrInvalidApprovalRuleTemplateName
	}
	t, err := s.templates.Get(ctx, templateKey(ctx, name))
	if errors.Is(err, store.ErrNotFound) {
		return t, ErrApprovalRuleTemplateDoesNotExist.With("The approval rule template %s does not exist.", name)
	}
	return t, internal(err)
}

func checkTemplateContent(c string) error {
	if c == "" {
		return ErrApprovalRuleTemplateContentRequired
	}
	if _, err := parseRuleContent(c); err != nil {
		return ErrInvalidApprovalRuleTemplateContent.With("The content of the approval rule template is not valid: %v", err)
	}
	return nil
}

// CreateApprovalRuleTemplateInput is the input of CreateApprovalRuleTemplate.
type CreateApprovalRuleTemplateInput struct {
	ApprovalRuleTemplateName        string `json:"approvalRuleTemplateName,omitempty"`
	ApprovalRuleTemplateContent     string `json:"approvalRuleTemplateContent,omitempty"`
	ApprovalRuleTemplateDescription string `json:"approvalRuleTemplateDescription,omitempty"`
}

// ApprovalRuleTemplateOutput is the output of the operations that answer a template.
type ApprovalRuleTemplateOutput struct {
	ApprovalRuleTemplate *ApprovalRuleTemplate `json:"approvalRuleTemplate,omitempty"`
}

// CreateApprovalRuleTemplateOutput is the output of CreateApprovalRuleTemplate.
type CreateApprovalRuleTemplateOutput = ApprovalRuleTemplateOutput

// CreateApprovalRuleTemplate creates an approval rule template.
func (s *Service) CreateApprovalRuleTemplate(ctx context.Context, in *CreateApprovalRuleTemplateInput) (*CreateApprovalRuleTemplateOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateApprovalRuleTemplate", in, func(ctx context.Context, in *CreateApprovalRuleTemplateInput) (*ApprovalRuleTemplateOutput, error) {
		if in.ApprovalRuleTemplateName == "" {
			return nil, ErrApprovalRuleTemplateNameRequired
		}
		if !ruleNameRE.MatchString(in.ApprovalRuleTemplateName) {
			return nil, ErrInvalidApprovalRuleTemplateName
		}
		if err := checkTemplateContent(in.ApprovalRuleTemplateContent); err != nil {
			return nil, err
		}
		if len(in.ApprovalRuleTemplateDescription) > maxTemplateDescription {
			return nil, ErrInvalidApprovalRuleTemplateDescription
		}
		all, err := s.templates.All(ctx, scopeOf(ctx))
		if err != nil {
			return nil, internal(err)
		}
		if len(all) >= maxTemplates {
			return nil, ErrNumberOfRuleTemplatesExceeded
		}
		now := s.env.Clock.Now().UTC()
		t := templateRecord{ApprovalRuleTemplate: ApprovalRuleTemplate{
			ApprovalRuleTemplateID: uuid.NewString(), ApprovalRuleTemplateName: in.ApprovalRuleTemplateName,
			ApprovalRuleTemplateDescription: in.ApprovalRuleTemplateDescription, ApprovalRuleTemplateContent: in.ApprovalRuleTemplateContent,
			RuleContentSha256: contentSHA256(in.ApprovalRuleTemplateContent), CreationDate: now, LastModifiedDate: now, LastModifiedUser: callerArn(ctx),
		}}
		if err := s.templates.Create(ctx, templateKey(ctx, t.ApprovalRuleTemplateName), t); errors.Is(err, store.ErrExists) {
			return nil, ErrApprovalRuleTemplateNameAlreadyExists
		} else if err != nil {
			return nil, internal(err)
		}
		return &ApprovalRuleTemplateOutput{ApprovalRuleTemplate: &t.ApprovalRuleTemplate}, nil
	})
}

// GetApprovalRuleTemplateInput is the input of GetApprovalRuleTemplate.
type GetApprovalRuleTemplateInput struct {
	ApprovalRuleTemplateName string `json:"approvalRuleTemplateName,omitempty"`
}

// GetApprovalRuleTemplateOutput is the output of GetApprovalRuleTemplate.
type GetApprovalRuleTemplateOutput = ApprovalRuleTemplateOutput

// GetApprovalRuleTemplate describes a template.
func (s *Service) GetApprovalRuleTemplate(ctx context.Context, in *GetApprovalRuleTemplateInput) (*GetApprovalRuleTemplateOutput, error) {
	return dispatch.Do(ctx, s.d, "GetApprovalRuleTemplate", in, func(ctx context.Context, in *GetApprovalRuleTemplateInput) (*ApprovalRuleTemplateOutput, error) {
		t, err := s.getTemplate(ctx, in.ApprovalRuleTemplateName)
		if err != nil {
			return nil, err
		}
		return &ApprovalRuleTemplateOutput{ApprovalRuleTemplate: &t.ApprovalRuleTemplate}, nil
	})
}

func (s *Service) updateTemplate(ctx context.Context, name string, fn func(*templateRecord) error) (*ApprovalRuleTemplateOutput, error) {
	if _, err := s.getTemplate(ctx, name); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now().UTC()
	t, err := s.templates.Update(ctx, templateKey(ctx, name), func(t *templateRecord) error {
		if err := fn(t); err != nil {
			return err
		}
		t.LastModifiedDate, t.LastModifiedUser = now, callerArn(ctx)
		return nil
	})
	if err != nil {
		return nil, internal(err)
	}
	return &ApprovalRuleTemplateOutput{ApprovalRuleTemplate: &t.ApprovalRuleTemplate}, nil
}

// UpdateApprovalRuleTemplateContentInput is the input of UpdateApprovalRuleTemplateContent.
type UpdateApprovalRuleTemplateContentInput struct {
	ApprovalRuleTemplateName  string `json:"approvalRuleTemplateName,omitempty"`
	NewRuleContent            string `json:"newRuleContent,omitempty"`
	ExistingRuleContentSha256 string `json:"existingRuleContentSha256,omitempty"`
}

// UpdateApprovalRuleTemplateContentOutput is the output of UpdateApprovalRuleTemplateContent.
type UpdateApprovalRuleTemplateContentOutput = ApprovalRuleTemplateOutput

// UpdateApprovalRuleTemplateContent replaces a template's content (pull requests created
// later get the new rule).
func (s *Service) UpdateApprovalRuleTemplateContent(ctx context.Context, in *UpdateApprovalRuleTemplateContentInput) (*UpdateApprovalRuleTemplateContentOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateApprovalRuleTemplateContent", in, func(ctx context.Context, in *UpdateApprovalRuleTemplateContentInput) (*ApprovalRuleTemplateOutput, error) {
		if err := checkTemplateContent(in.NewRuleContent); err != nil {
			return nil, err
		}
		return s.updateTemplate(ctx, in.ApprovalRuleTemplateName, func(t *templateRecord) error {
			if in.ExistingRuleContentSha256 != "" && in.ExistingRuleContentSha256 != t.RuleContentSha256 {
				return ErrInvalidRuleContentSha256
			}
			t.ApprovalRuleTemplateContent, t.RuleContentSha256 = in.NewRuleContent, contentSHA256(in.NewRuleContent)
			return nil
		})
	})
}

// UpdateApprovalRuleTemplateDescriptionInput is the input of UpdateApprovalRuleTemplateDescription.
type UpdateApprovalRuleTemplateDescriptionInput struct {
	ApprovalRuleTemplateName        string `json:"approvalRuleTemplateName,omitempty"`
	ApprovalRuleTemplateDescription string `json:"approvalRuleTemplateDescription,omitempty"`
}

// UpdateApprovalRuleTemplateDescriptionOutput is the output of UpdateApprovalRuleTemplateDescription.
type UpdateApprovalRuleTemplateDescriptionOutput = ApprovalRuleTemplateOutput

// UpdateApprovalRuleTemplateDescription changes a template's description.
func (s *Service) UpdateApprovalRuleTemplateDescription(ctx context.Context, in *UpdateApprovalRuleTemplateDescriptionInput) (*UpdateApprovalRuleTemplateDescriptionOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateApprovalRuleTemplateDescription", in, func(ctx context.Context, in *UpdateApprovalRuleTemplateDescriptionInput) (*ApprovalRuleTemplateOutput, error) {
		if len(in.ApprovalRuleTemplateDescription) > maxTemplateDescription {
			return nil, ErrInvalidApprovalRuleTemplateDescription
		}
		return s.updateTemplate(ctx, in.ApprovalRuleTemplateName, func(t *templateRecord) error {
			t.ApprovalRuleTemplateDescription = in.ApprovalRuleTemplateDescription
			return nil
		})
	})
}

// UpdateApprovalRuleTemplateNameInput is the input of UpdateApprovalRuleTemplateName.
type UpdateApprovalRuleTemplateNameInput struct {
	OldApprovalRuleTemplateName string `json:"oldApprovalRuleTemplateName,omitempty"`
	NewApprovalRuleTemplateName string `json:"newApprovalRuleTemplateName,omitempty"`
}

// UpdateApprovalRuleTemplateNameOutput is the output of UpdateApprovalRuleTemplateName.
type UpdateApprovalRuleTemplateNameOutput = ApprovalRuleTemplateOutput

// UpdateApprovalRuleTemplateName renames a template.
func (s *Service) UpdateApprovalRuleTemplateName(ctx context.Context, in *UpdateApprovalRuleTemplateNameInput) (*UpdateApprovalRuleTemplateNameOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateApprovalRuleTemplateName", in, func(ctx context.Context, in *UpdateApprovalRuleTemplateNameInput) (*ApprovalRuleTemplateOutput, error) {
		if in.NewApprovalRuleTemplateName == "" {
			return nil, ErrApprovalRuleTemplateNameRequired
		}
		if !ruleNameRE.MatchString(in.NewApprovalRuleTemplateName) {
			return nil, ErrInvalidApprovalRuleTemplateName
		}
		t, err := s.getTemplate(ctx, in.OldApprovalRuleTemplateName)
		if err != nil {
			return nil, err
		}
		if in.NewApprovalRuleTemplateName == in.OldApprovalRuleTemplateName {
			return &ApprovalRuleTemplateOutput{ApprovalRuleTemplate: &t.ApprovalRuleTemplate}, nil
		}
		t.ApprovalRuleTemplateName = in.NewApprovalRuleTemplateName
		t.LastModifiedDate, t.LastModifiedUser = s.env.Clock.Now().UTC(), callerArn(ctx)
		if err := s.templates.Create(ctx, templateKey(ctx, t.ApprovalRuleTemplateName), t); errors.Is(err, store.ErrExists) {
			return nil, ErrApprovalRuleTemplateNameAlreadyExists
		} else if err != nil {
			return nil, internal(err)
		}
		if err := s.templates.Delete(ctx, templateKey(ctx, in.OldApprovalRuleTemplateName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
		return &ApprovalRuleTemplateOutput{ApprovalRuleTemplate: &t.ApprovalRuleTemplate}, nil
	})
}

// DeleteApprovalRuleTemplateInput is the input of DeleteApprovalRuleTemplate.
type DeleteApprovalRuleTemplateInput struct {
	ApprovalRuleTemplateName string `json:"approvalRuleTemplateName,omitempty"`
}

// DeleteApprovalRuleTemplateOutput is the output of DeleteApprovalRuleTemplate.
type DeleteApprovalRuleTemplateOutput struct {
	ApprovalRuleTemplateID string `json:"approvalRuleTemplateId"`
}

// DeleteApprovalRuleTemplate deletes a template that no repository is associated with; one
// that does not exist answers an empty ID.
func (s *Service) DeleteApprovalRuleTemplate(ctx context.Context, in *DeleteApprovalRuleTemplateInput) (*DeleteApprovalRuleTemplateOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteApprovalRuleTemplate", in, func(ctx context.Context, in *DeleteApprovalRuleTemplateInput) (*DeleteApprovalRuleTemplateOutput, error) {
		t, err := s.getTemplate(ctx, in.ApprovalRuleTemplateName)
		if errors.Is(err, ErrApprovalRuleTemplateDoesNotExist) {
			return &DeleteApprovalRuleTemplateOutput{}, nil
		}
		if err != nil {
			return nil, err
		}
		if len(t.Repositories) > 0 {
			return nil, ErrApprovalRuleTemplateInUse
		}
		if err := s.templates.Delete(ctx, templateKey(ctx, t.ApprovalRuleTemplateName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
		return &DeleteApprovalRuleTemplateOutput{ApprovalRuleTemplateID: t.ApprovalRuleTemplateID}, nil
	})
}

// ListApprovalRuleTemplatesInput is the input of ListApprovalRuleTemplates.
type ListApprovalRuleTemplatesInput struct {
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults int32  `json:"maxResults,omitzero"`
}

// TemplateNamesOutput lists template names.
type TemplateNamesOutput struct {
	ApprovalRuleTemplateNames []string `json:"approvalRuleTemplateNames"`
	NextToken                 string   `json:"nextToken,omitempty"`
}

// ListApprovalRuleTemplatesOutput is the output of ListApprovalRuleTemplates.
type ListApprovalRuleTemplatesOutput = TemplateNamesOutput

// ListApprovalRuleTemplates lists template names in name order.
func (s *Service) ListApprovalRuleTemplates(ctx context.Context, in *ListApprovalRuleTemplatesInput) (*ListApprovalRuleTemplatesOutput, error) {
	return dispatch.Do(ctx, s.d, "ListApprovalRuleTemplates", in, func(ctx context.Context, in *ListApprovalRuleTemplatesInput) (*TemplateNamesOutput, error) {
		return s.listTemplates(ctx, "", in.NextToken, in.MaxResults)
	})
}

func (s *Service) listTemplates(ctx context.Context, repo, token string, maxResults int32) (*TemplateNamesOutput, error) {
	if maxResults < 0 || maxResults > 100 {
		return nil, ErrInvalidMaxResults
	}
	all, err := s.templates.All(ctx, scopeOf(ctx))
	if err != nil {
		return nil, internal(err)
	}
	var names []string
	for _, t := range all {
		if repo == "" || containsString(t.Repositories, repo) {
			names = append(names, t.ApprovalRuleTemplateName)
		}
	}
	sort.Strings(names)
	return paginate(names, token, int(maxResults), 100, func(page []string, next string) *TemplateNamesOutput {
		return &TemplateNamesOutput{ApprovalRuleTemplateNames: page, NextToken: next}
	})
}

// ListAssociatedApprovalRuleTemplatesForRepositoryInput is the input of
// ListAssociatedApprovalRuleTemplatesForRepository.
type ListAssociatedApprovalRuleTemplatesForRepositoryInput struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	NextToken      string `json:"nextToken,omitempty"`
	MaxResults     int32  `json:"maxResults,omitzero"`
}

// ListAssociatedApprovalRuleTemplatesForRepositoryOutput is the output of
// ListAssociatedApprovalRuleTemplatesForRepository.
type ListAssociatedApprovalRuleTemplatesForRepositoryOutput = TemplateNamesOutput

// ListAssociatedApprovalRuleTemplatesForRepository lists the templates associated with a
// repository.
func (s *Service) ListAssociatedApprovalRuleTemplatesForRepository(ctx context.Context, in *ListAssociatedApprovalRuleTemplatesForRepositoryInput) (*ListAssociatedApprovalRuleTemplatesForRepositoryOutput, error) {
	return dispatch.Do(ctx, s.d, "ListAssociatedApprovalRuleTemplatesForRepository", in, func(ctx context.Context, in *ListAssociatedApprovalRuleTemplatesForRepositoryInput) (*TemplateNamesOutput, error) {
		rec, err := s.getRecord(ctx, in.RepositoryName)
		if err != nil {
			return nil, err
		}
		return s.listTemplates(ctx, rec.Name, in.NextToken, in.MaxResults)
	})
}

// ListRepositoriesForApprovalRuleTemplateInput is the input of
// ListRepositoriesForApprovalRuleTemplate.
type ListRepositoriesForApprovalRuleTemplateInput struct {
	ApprovalRuleTemplateName string `json:"approvalRuleTemplateName,omitempty"`
	NextToken                string `json:"nextToken,omitempty"`
	MaxResults               int32  `json:"maxResults,omitzero"`
}

// ListRepositoriesForApprovalRuleTemplateOutput is the output of
// ListRepositoriesForApprovalRuleTemplate.
type ListRepositoriesForApprovalRuleTemplateOutput struct {
	RepositoryNames []string `json:"repositoryNames"`
	NextToken       string   `json:"nextToken,omitempty"`
}

// ListRepositoriesForApprovalRuleTemplate lists the repositories a template is associated
// with.
func (s *Service) ListRepositoriesForApprovalRuleTemplate(ctx context.Context, in *ListRepositoriesForApprovalRuleTemplateInput) (*ListRepositoriesForApprovalRuleTemplateOutput, error) {
	return dispatch.Do(ctx, s.d, "ListRepositoriesForApprovalRuleTemplate", in, func(ctx context.Context, in *ListRepositoriesForApprovalRuleTemplateInput) (*ListRepositoriesForApprovalRuleTemplateOutput, error) {
		if in.MaxResults < 0 || in.MaxResults > 100 {
			return nil, ErrInvalidMaxResults
		}
		t, err := s.getTemplate(ctx, in.ApprovalRuleTemplateName)
		if err != nil {
			return nil, err
		}
		names := append([]string{}, t.Repositories...)
		sort.Strings(names)
		return paginate(names, in.NextToken, int(in.MaxResults), 100, func(page []string, next string) *ListRepositoriesForApprovalRuleTemplateOutput {
			return &ListRepositoriesForApprovalRuleTemplateOutput{RepositoryNames: page, NextToken: next}
		})
	})
}

// associate adds (or removes) one repository to (from) a template.
func (s *Service) associate(ctx context.Context, tmpl, repoName string, add bool) error {
	rec, err := s.getRecord(ctx, repoName)
	if err != nil {
		return err
	}
	if add {
		all, err := s.templates.All(ctx, scopeOf(ctx))
		if err != nil {
			return internal(err)
		}
		n := 0
		for _, t := range all {
			if containsString(t.Repositories, rec.Name) && t.ApprovalRuleTemplateName != tmpl {
				n++
			}
		}
		if n >= maxTemplatesPerRepo {
			return ErrMaximumRuleTemplatesAssociatedWithRepository
		}
	}
	_, err = s.templates.Update(ctx, templateKey(ctx, tmpl), func(t *templateRecord) error {
		var out []string
		for _, r := range t.Repositories {
			if r != rec.Name {
				out = append(out, r)
			}
		}
		if add {
			out = append(out, rec.Name)
		}
		t.Repositories = out
		return nil
	})
	return internal(err)
}

// AssociateApprovalRuleTemplateWithRepositoryInput is the input of
// AssociateApprovalRuleTemplateWithRepository (and of its Disassociate counterpart).
type AssociateApprovalRuleTemplateWithRepositoryInput struct {
	ApprovalRuleTemplateName string `json:"approvalRuleTemplateName,omitempty"`
	RepositoryName           string `json:"repositoryName,omitempty"`
}

// AssociateApprovalRuleTemplateWithRepositoryOutput is empty.
type AssociateApprovalRuleTemplateWithRepositoryOutput struct{}

// DisassociateApprovalRuleTemplateFromRepositoryInput is the input of
// DisassociateApprovalRuleTemplateFromRepository.
type DisassociateApprovalRuleTemplateFromRepositoryInput = AssociateApprovalRuleTemplateWithRepositoryInput

// DisassociateApprovalRuleTemplateFromRepositoryOutput is empty.
type DisassociateApprovalRuleTemplateFromRepositoryOutput = AssociateApprovalRuleTemplateWithRepositoryOutput

// AssociateApprovalRuleTemplateWithRepository associates a template with a repository: pull
// requests created in it afterwards get the template's rule.
func (s *Service) AssociateApprovalRuleTemplateWithRepository(ctx context.Context, in *AssociateApprovalRuleTemplateWithRepositoryInput) (*AssociateApprovalRuleTemplateWithRepositoryOutput, error) {
	return dispatch.Do(ctx, s.d, "AssociateApprovalRuleTemplateWithRepository", in, func(ctx context.Context, in *AssociateApprovalRuleTemplateWithRepositoryInput) (*AssociateApprovalRuleTemplateWithRepositoryOutput, error) {
		if _, err := s.getTemplate(ctx, in.ApprovalRuleTemplateName); err != nil {
			return nil, err
		}
		return &AssociateApprovalRuleTemplateWithRepositoryOutput{}, s.associate(ctx, in.ApprovalRuleTemplateName, in.RepositoryName, true)
	})
}

// DisassociateApprovalRuleTemplateFromRepository removes an association (open pull requests
// keep their rules).
func (s *Service) DisassociateApprovalRuleTemplateFromRepository(ctx context.Context, in *DisassociateApprovalRuleTemplateFromRepositoryInput) (*DisassociateApprovalRuleTemplateFromRepositoryOutput, error) {
	return dispatch.Do(ctx, s.d, "DisassociateApprovalRuleTemplateFromRepository", in, func(ctx context.Context, in *AssociateApprovalRuleTemplateWithRepositoryInput) (*AssociateApprovalRuleTemplateWithRepositoryOutput, error) {
		if _, err := s.getTemplate(ctx, in.ApprovalRuleTemplateName); err != nil {
			return nil, err
		}
		return &AssociateApprovalRuleTemplateWithRepositoryOutput{}, s.associate(ctx, in.ApprovalRuleTemplateName, in.RepositoryName, false)
	})
}

// BatchAssociateApprovalRuleTemplateWithRepositoriesInput is the input of the batch
// associate and disassociate operations.
type BatchAssociateApprovalRuleTemplateWithRepositoriesInput struct {
	ApprovalRuleTemplateName string   `json:"approvalRuleTemplateName,omitempty"`
	RepositoryNames          []string `json:"repositoryNames,omitempty"`
}

// BatchTemplateError is a repository a batch association could not change.
type BatchTemplateError struct {
	RepositoryName string `json:"repositoryName,omitempty"`
	ErrorCode      string `json:"errorCode,omitempty"`
	ErrorMessage   string `json:"errorMessage,omitempty"`
}

// BatchAssociateApprovalRuleTemplateWithRepositoriesOutput is the output of
// BatchAssociateApprovalRuleTemplateWithRepositories.
type BatchAssociateApprovalRuleTemplateWithRepositoriesOutput struct {
	AssociatedRepositoryNames []string             `json:"associatedRepositoryNames"`
	Errors                    []BatchTemplateError `json:"errors"`
}

// BatchDisassociateApprovalRuleTemplateFromRepositoriesInput is the input of
// BatchDisassociateApprovalRuleTemplateFromRepositories.
type BatchDisassociateApprovalRuleTemplateFromRepositoriesInput = BatchAssociateApprovalRuleTemplateWithRepositoriesInput

// BatchDisassociateApprovalRuleTemplateFromRepositoriesOutput is the output of
// BatchDisassociateApprovalRuleTemplateFromRepositories.
type BatchDisassociateApprovalRuleTemplateFromRepositoriesOutput struct {
	DisassociatedRepositoryNames []string             `json:"disassociatedRepositoryNames"`
	Errors                       []BatchTemplateError `json:"errors"`
}

const maxBatchRepositories = 25

func (s *Service) batchAssociate(ctx context.Context, in *BatchAssociateApprovalRuleTemplateWithRepositoriesInput, add bool) ([]string, []BatchTemplateError, error) {
	if len(in.RepositoryNames) == 0 {
		return nil, nil, ErrRepositoryNamesRequired
	}
	if len(in.RepositoryNames) > maxBatchRepositories {
		return nil, nil, ErrMaximumRepositoryNamesExceeded
	}
	if _, err := s.getTemplate(ctx, in.ApprovalRuleTemplateName); err != nil {
		return nil, nil, err
	}
	done, errs := []string{}, []BatchTemplateError{}
	for _, n := range in.RepositoryNames {
		if err := s.associate(ctx, in.ApprovalRuleTemplateName, n, add); err != nil {
			var ae interface {
				ErrorCode() string
				ErrorMessage() string
			}
			be := BatchTemplateError{RepositoryName: n}
			if errors.As(err, &ae) {
				be.ErrorCode, be.ErrorMessage = ae.ErrorCode(), ae.ErrorMessage()
			}
			errs = append(errs, be)
			continue
		}
		done = append(done, n)
	}
	return done, errs, nil
}

// BatchAssociateApprovalRuleTemplateWithRepositories associates a template with up to 25
// repositories.
func (s *Service) BatchAssociateApprovalRuleTemplateWithRepositories(ctx context.Context, in *BatchAssociateApprovalRuleTemplateWithRepositoriesInput) (*BatchAssociateApprovalRuleTemplateWithRepositoriesOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchAssociateApprovalRuleTemplateWithRepositories", in, func(ctx context.Context, in *BatchAssociateApprovalRuleTemplateWithRepositoriesInput) (*BatchAssociateApprovalRuleTemplateWithRepositoriesOutput, error) {
		done, errs, err := s.batchAssociate(ctx, in, true)
		if err != nil {
			return nil, err
		}
		return &BatchAssociateApprovalRuleTemplateWithRepositoriesOutput{AssociatedRepositoryNames: done, Errors: errs}, nil
	})
}

// BatchDisassociateApprovalRuleTemplateFromRepositories removes a template's association
// with up to 25 repositories.
func (s *Service) BatchDisassociateApprovalRuleTemplateFromRepositories(ctx context.Context, in *BatchDisassociateApprovalRuleTemplateFromRepositoriesInput) (*BatchDisassociateApprovalRuleTemplateFromRepositoriesOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchDisassociateApprovalRuleTemplateFromRepositories", in, func(ctx context.Context, in *BatchAssociateApprovalRuleTemplateWithRepositoriesInput) (*BatchDisassociateApprovalRuleTemplateFromRepositoriesOutput, error) {
		done, errs, err := s.batchAssociate(ctx, in, false)
		if err != nil {
			return nil, err
		}
		return &BatchDisassociateApprovalRuleTemplateFromRepositoriesOutput{DisassociatedRepositoryNames: done, Errors: errs}, nil
	})
}
