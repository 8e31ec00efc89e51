package events

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
	"github.com/devopsim/devopsim/cloudwatch/events/schedule"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Rule states.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
	stateCT       = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

const maxTargetsPerRule = 5

type ruleRecord struct {
	Name               string            `json:"name"`
	Account            string            `json:"account"`
	Region             string            `json:"region"`
	EventBusName       string            `json:"bus"`
	Arn                string            `json:"arn"`
	EventPattern       string            `json:"pattern,omitempty"`
	ScheduleExpression string            `json:"schedule,omitempty"`
	State              string            `json:"state"`
	Description        string            `json:"description,omitempty"`
	RoleArn            string            `json:"roleArn,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	Targets            []Target          `json:"targets,omitempty"`
	Created            time.Time         `json:"created"`
	Anchor             time.Time         `json:"anchor"` // rate schedules count from here
}

// Target is where a rule sends matching events.
type Target struct {
	Id               string            `json:"Id"`
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn,omitempty"`
	Input            string            `json:"Input,omitempty"`
	InputPath        string            `json:"InputPath,omitempty"`
	InputTransformer *InputTransformer `json:"InputTransformer,omitempty"`
	RetryPolicy      *RetryPolicy      `json:"RetryPolicy,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

// InputTransformer builds a target's input from parts of the event.
type InputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

// RetryPolicy is recorded; devopsim delivers once (see doc.go).
type RetryPolicy struct {
	MaximumRetryAttempts     *int32 `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int32 `json:"MaximumEventAgeInSeconds,omitempty"`
}

type PutRuleInput struct {
	Name               string `json:"Name"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	Tags               []Tag  `json:"Tags,omitempty"`
	EventBusName       string `json:"EventBusName,omitempty"`
}

type PutRuleOutput struct {
	RuleArn string `json:"RuleArn,omitempty"`
}

type DescribeRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
}

type DescribeRuleOutput struct {
	Name               string `json:"Name,omitempty"`
	Arn                string `json:"Arn,omitempty"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	EventBusName       string `json:"EventBusName,omitempty"`
	CreatedBy          string `json:"CreatedBy,omitempty"`
}

type ListRulesInput struct {
	NamePrefix   string `json:"NamePrefix,omitempty"`
	EventBusName string `json:"EventBusName,omitempty"`
	NextToken    string `json:"NextToken,omitempty"`
	Limit        int32  `json:"Limit,omitzero"`
}

// Rule is a rule as ListRules reports it.
type Rule struct {
	Name               string `json:"Name,omitempty"`
	Arn                string `json:"Arn,omitempty"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	EventBusName       string `json:"EventBusName,omitempty"`
}

type ListRulesOutput struct {
	Rules     []Rule `json:"Rules,omitempty"`
	NextToken string `json:"NextToken,omitempty"`
}

type DeleteRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
	Force        bool   `json:"Force,omitzero"`
}

type DeleteRuleOutput struct{}

type EnableRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
}

type EnableRuleOutput struct{}

type DisableRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
}

type DisableRuleOutput struct{}

type PutTargetsInput struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName,omitempty"`
	Targets      []Target `json:"Targets"`
}

type PutTargetsResultEntry struct {
	TargetId     string `json:"TargetId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type PutTargetsOutput struct {
	FailedEntryCount int32                   `json:"FailedEntryCount"`
	FailedEntries    []PutTargetsResultEntry `json:"FailedEntries,omitempty"`
}

type RemoveTargetsInput struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName,omitempty"`
	Ids          []string `json:"Ids"`
	Force        bool     `json:"Force,omitzero"`
}

type RemoveTargetsResultEntry = PutTargetsResultEntry

type RemoveTargetsOutput struct {
	FailedEntryCount int32                      `json:"FailedEntryCount"`
	FailedEntries    []RemoveTargetsResultEntry `json:"FailedEntries,omitempty"`
}

type ListTargetsByRuleInput struct {
	Rule         string `json:"Rule"`
	EventBusName string `json:"EventBusName,omitempty"`
	NextToken    string `json:"NextToken,omitempty"`
	Limit        int32  `json:"Limit,omitzero"`
}

type ListTargetsByRuleOutput struct {
	Targets   []Target `json:"Targets,omitempty"`
	NextToken string   `json:"NextToken,omitempty"`
}

type ListRuleNamesByTargetInput struct {
	TargetArn    string `json:"TargetArn"`
	EventBusName string `json:"EventBusName,omitempty"`
	NextToken    string `json:"NextToken,omitempty"`
	Limit        int32  `json:"Limit,omitzero"`
}

type ListRuleNamesByTargetOutput struct {
	RuleNames []string `json:"RuleNames,omitempty"`
	NextToken string   `json:"NextToken,omitempty"`
}

type TestEventPatternInput struct {
	EventPattern string `json:"EventPattern"`
	Event        string `json:"Event"`
}

type TestEventPatternOutput struct {
	Result bool `json:"Result"`
}

type TagResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
	Tags        []Tag  `json:"Tags"`
}

type TagResourceOutput struct{}

type UntagResourceInput struct {
	ResourceARN string   `json:"ResourceARN"`
	TagKeys     []string `json:"TagKeys"`
}

type UntagResourceOutput struct{}

type ListTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
}

type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags,omitempty"`
}

func dispatchDo[In, Out any](ctx context.Context, s *Service, op string, in *In, fn func(context.Context, *In) (*Out, error)) (*Out, error) {
	return dispatch.Do(ctx, s.d, op, in, fn)
}

var (
	ruleNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	targetIDRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
)

func ruleKey(ctx context.Context, bus, name string) string {
	return core.ScopeKey(ctx) + bus + "/" + name
}

func ruleArn(ctx context.Context, bus, name string) string {
	if bus == DefaultBus {
		return core.ARN(ctx, "events", "rule/"+name)
	}
	return core.ARN(ctx, "events", "rule/"+bus+"/"+name)
}

func checkRuleName(name string) error {
	if !ruleNameRE.MatchString(name) {
		return ErrValidation.With("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", name)
	}
	return nil
}

// compilePattern validates an EventPattern as PutRule and TestEventPattern do.
func compilePattern(src string) (*pattern.Pattern, error) {
	if len(src) > 4096 {
		return nil, ErrValidation.With("1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096")
	}
	p, err := pattern.Compile(src)
	if err != nil {
		return nil, ErrInvalidEventPattern.With("%s", err.Error())
	}
	return p, nil
}

func (s *Service) PutRule(ctx context.Context, in *PutRuleInput) (*PutRuleOutput, error) {
	return dispatchDo(ctx, s, "PutRule", in, s.putRule)
}

func (s *Service) putRule(ctx context.Context, in *PutRuleInput) (*PutRuleOutput, error) {
	if err := checkRuleName(in.Name); err != nil {
		return nil, err
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, ErrValidation.With("Parameter(s) EventPattern and/or ScheduleExpression must be specified.")
	}
	if in.EventPattern != "" {
		if _, err := compilePattern(in.EventPattern); err != nil {
			return nil, err
		}
	}
	bus, err := s.getBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if in.ScheduleExpression != "" {
		if bus.Name != DefaultBus {
			return nil, ErrValidation.With("ScheduleExpression is supported only on the default event bus.")
		}
		if _, err := schedule.Parse(in.ScheduleExpression); err != nil {
			return nil, ErrValidation.With("%s", err.Error())
		}
	}
	state := in.State
	switch state {
	case "":
		state = StateEnabled
	case StateEnabled, StateDisabled, stateCT:
	default:
		return nil, ErrValidation.With("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", state)
	}
	if len(in.Description) > 512 {
		return nil, ErrValidation.With("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	acct, region := core.Scope(ctx)
	now := s.env.Clock.Now()
	key := ruleKey(ctx, bus.Name, in.Name)
	rec := ruleRecord{
		Name: in.Name, Account: acct, Region: region, EventBusName: bus.Name, Arn: ruleArn(ctx, bus.Name, in.Name),
		EventPattern: in.EventPattern, ScheduleExpression: in.ScheduleExpression, State: state,
		Description: in.Description, RoleArn: in.RoleArn, Tags: tagMap(in.Tags), Created: now, Anchor: now,
	}
	_, err = s.rules.Update(ctx, key, func(v *ruleRecord) error {
		// PutRule replaces the rule but keeps its targets, tags (unless given) and creation time
		targets, tags, created, anchor := v.Targets, v.Tags, v.Created, v.Anchor
		wasEnabled := v.State != StateDisabled
		sched := v.ScheduleExpression
		*v = rec
		v.Targets, v.Created = targets, created
		if len(in.Tags) == 0 {
			v.Tags = tags
		}
		if sched == rec.ScheduleExpression && wasEnabled == (state != StateDisabled) {
			v.Anchor = anchor
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		err = s.rules.Create(ctx, key, rec)
		if errors.Is(err, store.ErrExists) {
			return nil, ErrConcurrentModification.With("Rule %s was modified concurrently.", in.Name)
		}
	}
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	if err := s.refreshBus(ctx, acct, region, bus.Name); err != nil {
		return nil, err
	}
	return &PutRuleOutput{RuleArn: rec.Arn}, nil
}

// getRule loads a rule or answers ResourceNotFoundException.
func (s *Service) getRule(ctx context.Context, name, busNameOrArn string) (ruleRecord, error) {
	bus := busName(busNameOrArn)
	rec, err := s.rules.Get(ctx, ruleKey(ctx, bus, name))
	if errors.Is(err, store.ErrNotFound) {
		return rec, ErrResourceNotFound.With("Rule %s does not exist on EventBus %s.", name, bus)
	}
	if err != nil {
		return rec, apierr.Wrap(err, "An internal error occurred.")
	}
	return rec, nil
}

func (s *Service) DescribeRule(ctx context.Context, in *DescribeRuleInput) (*DescribeRuleOutput, error) {
	return dispatchDo(ctx, s, "DescribeRule", in, func(ctx context.Context, in *DescribeRuleInput) (*DescribeRuleOutput, error) {
		r, err := s.getRule(ctx, in.Name, in.EventBusName)
		if err != nil {
			return nil, err
		}
		return &DescribeRuleOutput{Name: r.Name, Arn: r.Arn, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
			State: r.State, Description: r.Description, RoleArn: r.RoleArn, EventBusName: r.EventBusName, CreatedBy: r.Account}, nil
	})
}

func (s *Service) ListRules(ctx context.Context, in *ListRulesInput) (*ListRulesOutput, error) {
	return dispatchDo(ctx, s, "ListRules", in, func(ctx context.Context, in *ListRulesInput) (*ListRulesOutput, error) {
		bus := busName(in.EventBusName)
		if _, err := s.getBus(ctx, bus); err != nil {
			return nil, err
		}
		recs, err := s.rules.All(ctx, core.ScopeKey(ctx)+bus+"/"+in.NamePrefix)
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		var all []Rule
		for _, r := range recs {
			all = append(all, Rule{Name: r.Name, Arn: r.Arn, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
				State: r.State, Description: r.Description, RoleArn: r.RoleArn, EventBusName: r.EventBusName})
		}
		page, next, err := paginate(all, in.NextToken, int(in.Limit), func(r Rule) string { return r.Name })
		if err != nil {
			return nil, err
		}
		return &ListRulesOutput{Rules: page, NextToken: next}, nil
	})
}

func (s *Service) DeleteRule(ctx context.Context, in *DeleteRuleInput) (*DeleteRuleOutput, error) {
	return dispatchDo(ctx, s, "DeleteRule", in, func(ctx context.Context, in *DeleteRuleInput) (*DeleteRuleOutput, error) {
		if err := checkRuleName(in.Name); err != nil {
			return nil, err
		}
		bus := busName(in.EventBusName)
		r, err := s.getRule(ctx, in.Name, bus)
		if errors.Is(err, ErrResourceNotFound) {
			return &DeleteRuleOutput{}, nil
		}
		if err != nil {
			return nil, err
		}
		if len(r.Targets) > 0 {
			return nil, ErrValidation.With("Rule can't be deleted since it has targets.")
		}
		if err := s.rules.Delete(ctx, ruleKey(ctx, bus, in.Name)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		acct, region := core.Scope(ctx)
		return &DeleteRuleOutput{}, s.refreshBus(ctx, acct, region, bus)
	})
}

func (s *Service) setState(ctx context.Context, name, busArg, state string) error {
	bus := busName(busArg)
	if _, err := s.getRule(ctx, name, bus); err != nil {
		return err
	}
	now := s.env.Clock.Now()
	_, err := s.rules.Update(ctx, ruleKey(ctx, bus, name), func(v *ruleRecord) error {
		if v.State == StateDisabled && state != StateDisabled {
			v.Anchor = now
		}
		v.State = state
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrResourceNotFound.With("Rule %s does not exist on EventBus %s.", name, bus)
	}
	if err != nil {
		return apierr.Wrap(err, "An internal error occurred.")
	}
	acct, region := core.Scope(ctx)
	return s.refreshBus(ctx, acct, region, bus)
}

func (s *Service) EnableRule(ctx context.Context, in *EnableRuleInput) (*EnableRuleOutput, error) {
	return dispatchDo(ctx, s, "EnableRule", in, func(ctx context.Context, in *EnableRuleInput) (*EnableRuleOutput, error) {
		return &EnableRuleOutput{}, s.setState(ctx, in.Name, in.EventBusName, StateEnabled)
	})
}

func (s *Service) DisableRule(ctx context.Context, in *DisableRuleInput) (*DisableRuleOutput, error) {
	return dispatchDo(ctx, s, "DisableRule", in, func(ctx context.Context, in *DisableRuleInput) (*DisableRuleOutput, error) {
		return &DisableRuleOutput{}, s.setState(ctx, in.Name, in.EventBusName, StateDisabled)
	})
}

func validateTarget(t *Target) error {
	if !targetIDRE.MatchString(t.Id) {
		return ErrValidation.With("1 validation error detected: Value '%s' at 'targets.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", t.Id)
	}
	if t.Arn == "" || len(t.Arn) > 1600 {
		return ErrValidation.With("1 validation error detected: Value at 'targets.arn' failed to satisfy constraint: Member must have length between 1 and 1600")
	}
	n := 0
	if t.Input != "" {
		n++
		if !json.Valid([]byte(t.Input)) {
			return ErrValidation.With("Input is not valid JSON text.")
		}
	}
	if t.InputPath != "" {
		n++
		if _, err := parseJSONPath(t.InputPath); err != nil {
			return ErrValidation.With("InputPath is not a valid JSON path: %s", t.InputPath)
		}
	}
	if t.InputTransformer != nil {
		n++
		if t.InputTransformer.InputTemplate == "" {
			return ErrValidation.With("InputTemplate is required in InputTransformer.")
		}
		if len(t.InputTransformer.InputPathsMap) > 100 {
			return ErrValidation.With("InputPathsMap can have at most 100 entries.")
		}
		for k, p := range t.InputTransformer.InputPathsMap {
			if strings.HasPrefix(k, "aws.") {
				return ErrValidation.With("InputPathsMap key %s is reserved.", k)
			}
			if _, err := parseJSONPath(p); err != nil {
				return ErrValidation.With("InputPathsMap value for %s is not a valid JSON path: %s", k, p)
			}
		}
	}
	if n > 1 {
		return ErrValidation.With("Only one of Input, InputPath, or InputTransformer can be provided for target %s.", t.Id)
	}
	if rp := t.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil && (*rp.MaximumRetryAttempts < 0 || *rp.MaximumRetryAttempts > 185) {
			return ErrValidation.With("1 validation error detected: Value at 'targets.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value between 0 and 185")
		}
		if rp.MaximumEventAgeInSeconds != nil && (*rp.MaximumEventAgeInSeconds < 60 || *rp.MaximumEventAgeInSeconds > 86400) {
			return ErrValidation.With("1 validation error detected: Value at 'targets.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400")
		}
	}
	return nil
}

func (s *Service) PutTargets(ctx context.Context, in *PutTargetsInput) (*PutTargetsOutput, error) {
	return dispatchDo(ctx, s, "PutTargets", in, func(ctx context.Context, in *PutTargetsInput) (*PutTargetsOutput, error) {
		if len(in.Targets) == 0 || len(in.Targets) > 10 {
			return nil, ErrValidation.With("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
		}
		for i := range in.Targets {
			if err := validateTarget(&in.Targets[i]); err != nil {
				return nil, err
			}
		}
		bus := busName(in.EventBusName)
		if _, err := s.getRule(ctx, in.Rule, bus); err != nil {
			return nil, err
		}
		_, err := s.rules.Update(ctx, ruleKey(ctx, bus, in.Rule), func(v *ruleRecord) error {
			byID := map[string]int{}
			for i, t := range v.Targets {
				byID[t.Id] = i
			}
			next := append([]Target(nil), v.Targets...)
			for _, t := range in.Targets {
				if i, ok := byID[t.Id]; ok {
					next[i] = t
					continue
				}
				byID[t.Id] = len(next)
				next = append(next, t)
			}
			if len(next) > maxTargetsPerRule {
				return ErrLimitExceeded.With("The requested resource exceeds the maximum number allowed.")
			}
			v.Targets = next
			return nil
		})
		if err != nil {
			if ae := apierr.As(err); ae.Code == ErrLimitExceeded.Code {
				return nil, ae
			}
			if errors.Is(err, store.ErrNotFound) {
				return nil, ErrResourceNotFound.With("Rule %s does not exist on EventBus %s.", in.Rule, bus)
			}
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		acct, region := core.Scope(ctx)
		if err := s.refreshBus(ctx, acct, region, bus); err != nil {
			return nil, err
		}
		return &PutTargetsOutput{}, nil
	})
}

func (s *Service) RemoveTargets(ctx context.Context, in *RemoveTargetsInput) (*RemoveTargetsOutput, error) {
	return dispatchDo(ctx, s, "RemoveTargets", in, func(ctx context.Context, in *RemoveTargetsInput) (*RemoveTargetsOutput, error) {
		if len(in.Ids) == 0 || len(in.Ids) > 100 {
			return nil, ErrValidation.With("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100")
		}
		bus := busName(in.EventBusName)
		if _, err := s.getRule(ctx, in.Rule, bus); err != nil {
			return nil, err
		}
		var failed []RemoveTargetsResultEntry
		_, err := s.rules.Update(ctx, ruleKey(ctx, bus, in.Rule), func(v *ruleRecord) error {
			failed = failed[:0]
			remove := map[string]bool{}
			for _, id := range in.Ids {
				remove[id] = true
			}
			var keep []Target
			for _, t := range v.Targets {
				if remove[t.Id] {
					delete(remove, t.Id)
					continue
				}
				keep = append(keep, t)
			}
			for _, id := range in.Ids {
				if remove[id] {
					failed = append(failed, RemoveTargetsResultEntry{TargetId: id, ErrorCode: "ResourceNotFoundException", ErrorMessage: "Target " + id + " does not exist."})
					delete(remove, id)
				}
			}
			v.Targets = keep
			return nil
		})
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		acct, region := core.Scope(ctx)
		if err := s.refreshBus(ctx, acct, region, bus); err != nil {
			return nil, err
		}
		return &RemoveTargetsOutput{FailedEntryCount: int32(len(failed)), FailedEntries: failed}, nil
	})
}

func (s *Service) ListTargetsByRule(ctx context.Context, in *ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
	return dispatchDo(ctx, s, "ListTargetsByRule", in, func(ctx context.Context, in *ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
		r, err := s.getRule(ctx, in.Rule, in.EventBusName)
		if err != nil {
			return nil, err
		}
		ts := append([]Target(nil), r.Targets...)
		sort.Slice(ts, func(i, j int) bool { return ts[i].Id < ts[j].Id })
		page, next, err := paginate(ts, in.NextToken, int(in.Limit), func(t Target) string { return t.Id })
		if err != nil {
			return nil, err
		}
		return &ListTargetsByRuleOutput{Targets: page, NextToken: next}, nil
	})
}

func (s *Service) ListRuleNamesByTarget(ctx context.Context, in *ListRuleNamesByTargetInput) (*ListRuleNamesByTargetOutput, error) {
	return dispatchDo(ctx, s, "ListRuleNamesByTarget", in, func(ctx context.Context, in *ListRuleNamesByTargetInput) (*ListRuleNamesByTargetOutput, error) {
		if in.TargetArn == "" {
			return nil, ErrValidation.With("1 validation error detected: Value null at 'targetArn' failed to satisfy constraint: Member must not be null")
		}
		bus := busName(in.EventBusName)
		recs, err := s.rules.All(ctx, core.ScopeKey(ctx)+bus+"/")
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		var names []string
		for _, r := range recs {
			for _, t := range r.Targets {
				if t.Arn == in.TargetArn {
					names = append(names, r.Name)
					break
				}
			}
		}
		page, next, err := paginate(names, in.NextToken, int(in.Limit), func(n string) string { return n })
		if err != nil {
			return nil, err
		}
		return &ListRuleNamesByTargetOutput{RuleNames: page, NextToken: next}, nil
	})
}

func (s *Service) TestEventPattern(ctx context.Context, in *TestEventPatternInput) (*TestEventPatternOutput, error) {
	return dispatchDo(ctx, s, "TestEventPattern", in, func(ctx context.Context, in *TestEventPatternInput) (*TestEventPatternOutput, error) {
		p, err := compilePattern(in.EventPattern)
		if err != nil {
			return nil, err
		}
		var ev map[string]json.RawMessage
		if err := json.Unmarshal([]byte(in.Event), &ev); err != nil {
			return nil, ErrValidation.With("Parameter Event is not valid.")
		}
		for _, f := range []string{"id", "account", "source", "time", "region", "detail-type"} {
			if _, ok := ev[f]; !ok {
				return nil, ErrValidation.With("Parameter Event is not valid.")
			}
		}
		ok, err := p.Match([]byte(in.Event))
		if err != nil {
			return nil, ErrValidation.With("Parameter Event is not valid.")
		}
		return &TestEventPatternOutput{Result: ok}, nil
	})
}

// updateTags finds the rule or bus an ARN names and applies fn to its tags.
func (s *Service) updateTags(ctx context.Context, arn string, fn func(map[string]string) map[string]string) (map[string]string, error) {
	res := arn
	if i := strings.Index(arn, ":event-bus/"); i >= 0 {
		name := arn[i+len(":event-bus/"):]
		if name == DefaultBus {
			return nil, ErrValidation.With("Tags cannot be set on the default event bus.")
		}
		var out map[string]string
		_, err := s.buses.Update(ctx, core.ScopeKey(ctx)+name, func(v *busRecord) error {
			if v.Arn != arn {
				return store.ErrNotFound
			}
			v.Tags = fn(v.Tags)
			out = v.Tags
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrResourceNotFound.With("Event bus %s does not exist.", name)
		}
		return out, err
	}
	if i := strings.Index(res, ":rule/"); i >= 0 {
		rest := res[i+len(":rule/"):]
		bus, name := DefaultBus, rest
		if j := strings.LastIndexByte(rest, '/'); j >= 0 {
			bus, name = rest[:j], rest[j+1:]
		}
		var out map[string]string
		_, err := s.rules.Update(ctx, ruleKey(ctx, bus, name), func(v *ruleRecord) error {
			if v.Arn != arn {
				return store.ErrNotFound
			}
			v.Tags = fn(v.Tags)
			out = v.Tags
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrResourceNotFound.With("Rule %s does not exist on EventBus %s.", name, bus)
		}
		return out, err
	}
	return nil, ErrResourceNotFound.With("Resource %s does not exist.", arn)
}

func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	return dispatchDo(ctx, s, "TagResource", in, func(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
		_, err := s.updateTags(ctx, in.ResourceARN, func(m map[string]string) map[string]string {
			if m == nil {
				m = map[string]string{}
			}
			for _, t := range in.Tags {
				m[t.Key] = t.Value
			}
			return m
		})
		if err != nil {
			return nil, err
		}
		return &TagResourceOutput{}, nil
	})
}

func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	return dispatchDo(ctx, s, "UntagResource", in, func(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
		_, err := s.updateTags(ctx, in.ResourceARN, func(m map[string]string) map[string]string {
			for _, k := range in.TagKeys {
				delete(m, k)
			}
			return m
		})
		if err != nil {
			return nil, err
		}
		return &UntagResourceOutput{}, nil
	})
}

func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	return dispatchDo(ctx, s, "ListTagsForResource", in, func(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
		m, err := s.updateTags(ctx, in.ResourceARN, func(m map[string]string) map[string]string { return m })
		if err != nil {
			return nil, err
		}
		return &ListTagsForResourceOutput{Tags: tagList(m)}, nil
	})
}
