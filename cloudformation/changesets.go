package cloudformation

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/cloudformation/template"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
)

var changeSetNameRe = stackNameRe

func (s *Service) findChangeSet(ctx context.Context, nameOrID, stack string) (changeSetRecord, error) {
	scope := core.ScopeKey(ctx)
	if strings.HasPrefix(nameOrID, "arn:") {
		if cs, err := s.changeSets.Get(ctx, scope+stackUUID(nameOrID)); err == nil {
			return cs, nil
		}
		return changeSetRecord{}, ErrChangeSetNotFound.With("ChangeSet [%s] does not exist", nameOrID)
	}
	st, err := s.findStack(ctx, stack)
	if err != nil {
		return changeSetRecord{}, ErrChangeSetNotFound.With("ChangeSet [%s] does not exist", nameOrID)
	}
	all, _, _ := s.changeSets.List(ctx, scope, "", 0)
	for _, cs := range all {
		if cs.StackID == st.ID && cs.Name == nameOrID {
			return cs, nil
		}
	}
	return changeSetRecord{}, ErrChangeSetNotFound.With("ChangeSet [%s] does not exist", nameOrID)
}

// CreateChangeSet computes the changes a template and parameters would make to a stack
// (ChangeSetType UPDATE) or a new stack (CREATE, the stack waits in REVIEW_IN_PROGRESS).
func (s *Service) CreateChangeSet(ctx context.Context, in *CreateChangeSetInput) (*CreateChangeSetOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateChangeSet", in, s.createChangeSet)
}

func (s *Service) createChangeSet(ctx context.Context, in *CreateChangeSetInput) (*CreateChangeSetOutput, error) {
	if !changeSetNameRe.MatchString(in.ChangeSetName) {
		return nil, validation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	typ := in.ChangeSetType
	if typ == "" {
		typ = "UPDATE"
	}
	scope := core.ScopeKey(ctx)
	account, region := core.Scope(ctx)
	var st stackRecord
	var err error
	switch typ {
	case "IMPORT":
		return nil, validation("ChangeSetType IMPORT is not supported by devopsim")
	case "CREATE":
		if _, err := s.names.Get(ctx, scope+in.StackName); err == nil {
			return nil, validation("Stack [%s] already exists and cannot be created again with the changeSet [%s].", in.StackName, in.ChangeSetName)
		}
		if !stackNameRe.MatchString(in.StackName) {
			return nil, validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.StackName)
		}
	case "UPDATE":
		if st, err = s.findStack(ctx, in.StackName); err != nil {
			return nil, err
		}
		if !updatable(st.Status) && st.Status != "REVIEW_IN_PROGRESS" {
			return nil, validation("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [UPDATE, IMPORT, CREATE]", typ)
	}
	body := st.Body
	if in.UsePreviousTemplate == nil || !*in.UsePreviousTemplate {
		if body, err = s.templateBody(ctx, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, err
		}
	}
	p, err := s.prepare(ctx, body, in.Parameters, st.Params)
	if err != nil {
		return nil, err
	}
	if err := checkCapabilities(p.tmpl, in.Capabilities, false); err != nil {
		return nil, err
	}
	if typ == "CREATE" {
		u := uuid.NewString()
		st = stackRecord{ID: fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", region, account, in.StackName, u), UUID: u, Name: in.StackName,
			Account: account, Region: region, Status: "REVIEW_IN_PROGRESS", Reason: "User Initiated", Created: s.now(), Body: body}
		if err := s.names.Create(ctx, scope+in.StackName, u); err != nil {
			return nil, ErrAlreadyExists.With("Stack [%s] already exists", in.StackName)
		}
		if err := s.putStack(ctx, &st); err != nil {
			return nil, err
		}
		s.addEvent(ctx, &st, st.Name, st.ID, "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", "User Initiated", nil)
	}
	for _, cs := range s.stackChangeSets(ctx, st.ID) {
		if cs.Name == in.ChangeSetName {
			return nil, ErrAlreadyExists.With("ChangeSet %s already exists", in.ChangeSetName)
		}
	}
	changes, err := s.diff(ctx, st, p)
	if err != nil {
		return nil, err
	}
	id := fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", region, account, in.ChangeSetName, uuid.NewString())
	cs := changeSetRecord{ID: id, Name: in.ChangeSetName, StackID: st.ID, StackName: st.Name, Type: typ, Description: in.Description,
		Body: body, Params: p.records, Capabilities: in.Capabilities, Tags: in.Tags, Notification: in.NotificationARNs,
		Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Changes: changes, Created: s.now(), OnFailure: in.OnStackFailure}
	if len(changes) == 0 && typ == "UPDATE" && body == st.Body && sameValue(p.records, st.Params) && (in.Tags == nil || sameValue(in.Tags, st.Tags)) {
		cs.Status, cs.ExecutionStatus = "FAILED", "UNAVAILABLE"
		cs.Reason = "The submitted information didn't contain changes. Submit different information to create a change set."
	}
	if err := s.changeSets.Put(ctx, scope+stackUUID(id), cs); err != nil {
		return nil, err
	}
	return &CreateChangeSetOutput{Id: id, StackId: st.ID}, nil
}

func (s *Service) stackChangeSets(ctx context.Context, stackID string) []changeSetRecord {
	all, _, _ := s.changeSets.List(ctx, core.ScopeKey(ctx), "", 0)
	var out []changeSetRecord
	for _, cs := range all {
		if cs.StackID == stackID {
			out = append(out, cs)
		}
	}
	return out
}

// diff compares the prepared template with the stack's resources, statically: a property
// that refers to another resource is compared by its template text.
func (s *Service) diff(ctx context.Context, st stackRecord, p *prepared) ([]Change, error) {
	res := map[string]*resourceRecord{}
	if st.Status != "REVIEW_IN_PROGRESS" && st.UUID != "" {
		var err error
		if res, err = s.loadResources(ctx, st); err != nil {
			return nil, err
		}
	}
	op := &operation{s: s, st: st, tmpl: p.tmpl, params: p.params, res: res, imports: map[string]bool{}, base: ctx, ctx: ctx}
	active, err := op.activeResources(p.tmpl)
	if err != nil {
		return nil, tmplErr(err)
	}
	var changes []Change
	for _, id := range p.tmpl.ResourceOrder {
		if !active[id] {
			continue
		}
		r := p.tmpl.Resources[id]
		old, ok := res[id]
		if !ok || old.Status == "DELETE_COMPLETE" {
			changes = append(changes, Change{Type: "Resource", ResourceChange: &ResourceChange{Action: "Add", LogicalResourceId: id, ResourceType: r.Type}})
			continue
		}
		props, _, err := op.resolveProps(p.tmpl, r)
		conditional := false
		if err != nil {
			// Refers to something not resolvable statically: compare what we can.
			props, conditional = r.Properties, true
		}
		keys := changedKeys(old.Props, props)
		if len(keys) == 0 && old.Type == r.Type {
			continue
		}
		spec, _ := s.spec(r.Type)
		rc := &ResourceChange{Action: "Modify", LogicalResourceId: id, PhysicalResourceId: old.PhysicalID, ResourceType: r.Type, Scope: []string{"Properties"}, Replacement: "False"}
		if old.Type != r.Type || needsReplace(spec, keys) || op.willReplace(p.tmpl, r) {
			rc.Replacement = "True"
		} else if conditional {
			rc.Replacement = "Conditional"
		}
		for _, k := range keys {
			rr := "Never"
			if needsReplace(spec, []string{k}) {
				rr = "Always"
			}
			rc.Details = append(rc.Details, ResourceChangeDetail{Target: &ResourceTargetDefinition{Attribute: "Properties", Name: k, RequiresRecreation: rr},
				Evaluation: "Static", ChangeSource: "DirectModification"})
		}
		changes = append(changes, Change{Type: "Resource", ResourceChange: rc})
	}
	for _, id := range template.SortedKeys(res) {
		if !active[id] && res[id].Status != "DELETE_COMPLETE" {
			changes = append(changes, Change{Type: "Resource", ResourceChange: &ResourceChange{Action: "Remove", LogicalResourceId: id, PhysicalResourceId: res[id].PhysicalID, ResourceType: res[id].Type}})
		}
	}
	return changes, nil
}

// DescribeChangeSet describes a change set and its changes.
func (s *Service) DescribeChangeSet(ctx context.Context, in *DescribeChangeSetInput) (*DescribeChangeSetOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeChangeSet", in, func(ctx context.Context, in *DescribeChangeSetInput) (*DescribeChangeSetOutput, error) {
		cs, err := s.findChangeSet(ctx, in.ChangeSetName, in.StackName)
		if err != nil {
			return nil, err
		}
		out := &DescribeChangeSetOutput{ChangeSetName: cs.Name, ChangeSetId: cs.ID, StackId: cs.StackID, StackName: cs.StackName,
			Description: cs.Description, CreationTime: cs.Created, ExecutionStatus: cs.ExecutionStatus, Status: cs.Status,
			StatusReason: cs.Reason, NotificationARNs: cs.Notification, Capabilities: cs.Capabilities, Tags: cs.Tags, Changes: cs.Changes}
		for _, p := range cs.Params {
			v := p.Value
			if p.NoEcho {
				v = "****"
			}
			out.Parameters = append(out.Parameters, Parameter{ParameterKey: p.Key, ParameterValue: v})
		}
		return out, nil
	})
}

// ExecuteChangeSet applies a change set: it creates or updates the stack.
func (s *Service) ExecuteChangeSet(ctx context.Context, in *ExecuteChangeSetInput) (*ExecuteChangeSetOutput, error) {
	return dispatch.Do(ctx, s.d, "ExecuteChangeSet", in, func(ctx context.Context, in *ExecuteChangeSetInput) (*ExecuteChangeSetOutput, error) {
		cs, err := s.findChangeSet(ctx, in.ChangeSetName, in.StackName)
		if err != nil {
			return nil, err
		}
		if cs.ExecutionStatus != "AVAILABLE" {
			return nil, ErrInvalidChangeSetStatus.With("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
		}
		scope := core.ScopeKey(ctx)
		var params []Parameter
		for _, p := range cs.Params {
			params = append(params, Parameter{ParameterKey: p.Key, ParameterValue: p.Value})
		}
		if cs.Type == "CREATE" {
			st, err := s.findStack(ctx, cs.StackID)
			if err != nil {
				return nil, err
			}
			_ = s.names.Delete(ctx, scope+st.Name)
			_ = s.stacks.Delete(ctx, scope+st.UUID)
			in2 := &CreateStackInput{StackName: st.Name, TemplateBody: cs.Body, Parameters: params, Capabilities: append(cs.Capabilities, "CAPABILITY_AUTO_EXPAND"),
				Tags: cs.Tags, NotificationARNs: cs.Notification, OnFailure: cs.OnFailure, DisableRollback: in.DisableRollback}
			if in2.OnFailure != "" && in2.DisableRollback != nil {
				in2.OnFailure = ""
			}
			if _, err := s.createWithID(ctx, in2, st); err != nil {
				return nil, err
			}
		} else {
			t := true
			up := &UpdateStackInput{StackName: cs.StackID, TemplateBody: cs.Body, Parameters: params, Capabilities: append(cs.Capabilities, "CAPABILITY_AUTO_EXPAND"),
				Tags: cs.Tags, NotificationARNs: cs.Notification, DisableRollback: in.DisableRollback}
			_ = t
			if _, err := s.updateStackInternal(ctx, up, false, cs.ID); err != nil {
				return nil, err
			}
		}
		for _, other := range s.stackChangeSets(ctx, cs.StackID) {
			if other.ID != cs.ID {
				_ = s.changeSets.Delete(ctx, scope+stackUUID(other.ID))
			}
		}
		cs.ExecutionStatus = "EXECUTE_COMPLETE"
		_ = s.changeSets.Put(ctx, scope+stackUUID(cs.ID), cs)
		return &ExecuteChangeSetOutput{}, nil
	})
}

// createWithID creates a stack reusing a REVIEW_IN_PROGRESS stack's ID.
func (s *Service) createWithID(ctx context.Context, in *CreateStackInput, prev stackRecord) (string, error) {
	id, err := s.createStackAs(ctx, in, "", false, &prev)
	if err != nil {
		// Put the review stack back.
		_ = s.names.Put(ctx, core.ScopeKey(ctx)+prev.Name, prev.UUID)
		_ = s.putStack(ctx, &prev)
		return "", err
	}
	return id, nil
}

// DeleteChangeSet deletes a change set.
func (s *Service) DeleteChangeSet(ctx context.Context, in *DeleteChangeSetInput) (*DeleteChangeSetOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteChangeSet", in, func(ctx context.Context, in *DeleteChangeSetInput) (*DeleteChangeSetOutput, error) {
		cs, err := s.findChangeSet(ctx, in.ChangeSetName, in.StackName)
		if err != nil {
			return nil, err
		}
		if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" {
			return nil, ErrInvalidChangeSetStatus.With("Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS")
		}
		return &DeleteChangeSetOutput{}, s.changeSets.Delete(ctx, core.ScopeKey(ctx)+stackUUID(cs.ID))
	})
}

// ListChangeSets lists a stack's change sets.
func (s *Service) ListChangeSets(ctx context.Context, in *ListChangeSetsInput) (*ListChangeSetsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListChangeSets", in, func(ctx context.Context, in *ListChangeSetsInput) (*ListChangeSetsOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		out := &ListChangeSetsOutput{Summaries: []ChangeSetSummary{}}
		for _, cs := range s.stackChangeSets(ctx, st.ID) {
			out.Summaries = append(out.Summaries, ChangeSetSummary{StackId: cs.StackID, StackName: cs.StackName, ChangeSetId: cs.ID, ChangeSetName: cs.Name,
				ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.Reason, CreationTime: cs.Created, Description: cs.Description})
		}
		return out, nil
	})
}
