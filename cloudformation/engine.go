package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudformation/template"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// operation is one running stack operation (create, update, delete, rollback).
type operation struct {
	s      *Service
	ctx    context.Context // cancelled by timeout / Close / CancelUpdateStack
	base   context.Context // never cancelled by timeout (rollback runs on it)
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	st        stackRecord
	tmpl      *template.Template
	params    map[string]any
	res       map[string]*resourceRecord
	imports   map[string]bool
	timedOut  bool
	cancelled bool
	dirty     map[string]bool // resource records changed since the last flush

	flushMu sync.Mutex // serializes flushes
	evMu    sync.Mutex
	evBuf   []StackEvent // events not yet stored
}

func (s *Service) startOp(ctx context.Context, st stackRecord, tmpl *template.Template, params map[string]any, res map[string]*resourceRecord, run func(op *operation)) (*operation, error) {
	base := context.WithoutCancel(ctx)
	octx, cancel := context.WithCancel(base)
	op := &operation{s: s, ctx: octx, base: base, cancel: cancel, done: make(chan struct{}), st: st, tmpl: tmpl, params: params, res: res, imports: map[string]bool{}, dirty: map[string]bool{}}
	if op.res == nil {
		op.res = map[string]*resourceRecord{}
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		return nil, apierr.New(apierr.Internal, "ServiceUnavailable", "the service is shutting down")
	}
	if _, busy := s.running[st.ID]; busy {
		s.mu.Unlock()
		cancel()
		return nil, validation("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
	}
	s.running[st.ID] = op
	s.wg.Add(1)
	s.mu.Unlock()
	stop := context.AfterFunc(s.ctx, cancel)
	var timer clock.Timer
	if st.Timeout > 0 && strings.HasPrefix(st.Status, "CREATE") {
		timer = s.env.Clock.AfterFunc(time.Duration(st.Timeout)*time.Minute, func() {
			op.mu.Lock()
			op.timedOut = true
			op.mu.Unlock()
			cancel()
		})
	}
	go func() {
		defer s.wg.Done()
		defer func() {
			stop()
			if timer != nil {
				timer.Stop()
			}
			cancel()
			s.mu.Lock()
			delete(s.running, st.ID)
			s.mu.Unlock()
			close(op.done)
		}()
		run(op)
		op.flush()
	}()
	return op, nil
}

// WaitStack blocks until no operation runs on the stack and returns its status. It is a Go
// convenience for tests and embedders (the SDK's waiters poll DescribeStacks instead).
func (s *Service) WaitStack(ctx context.Context, nameOrID string) (string, error) {
	ctx = s.scoped(ctx)
	st, err := s.findStack(ctx, nameOrID)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	op := s.running[st.ID]
	s.mu.Unlock()
	if op != nil {
		select {
		case <-op.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	st, err = s.stacks.Get(ctx, st.Account+"/"+st.Region+"/"+st.UUID)
	return st.Status, err
}

// applyResult records what a provider returned (records in op.res are shared: lock).
func (op *operation) applyResult(r *resourceRecord, res *Result) {
	if res == nil {
		return
	}
	op.mu.Lock()
	if res.PhysicalID != "" {
		r.PhysicalID = res.PhysicalID
	}
	if res.Attributes != nil {
		r.Attrs = res.Attributes
	}
	op.mu.Unlock()
}

// Evaluation -------------------------------------------------------------------------------

func (op *operation) evalContext(tmpl *template.Template) *template.Context {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	return &template.Context{
		Template: tmpl, Params: op.params, AccountID: st.Account, Region: st.Region, StackID: st.ID,
		StackName: st.Name, NotificationARNs: st.NotificationARNs, AZs: op.s.opts.AZs,
		Extensions: tmpl.HasTransform(template.LanguageExtensions),
		Ref: func(id string) (any, error) {
			op.mu.Lock()
			defer op.mu.Unlock()
			r, ok := op.res[id]
			if !ok || r.PhysicalID == "" || r.Status == "DELETE_COMPLETE" {
				return nil, &template.Error{Message: fmt.Sprintf("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", id)}
			}
			return r.PhysicalID, nil
		},
		GetAtt: func(id, attr string) (any, error) {
			op.mu.Lock()
			defer op.mu.Unlock()
			r, ok := op.res[id]
			if !ok || r.Status == "DELETE_COMPLETE" {
				return nil, &template.Error{Message: "Template error: instance of Fn::GetAtt references undefined resource " + id}
			}
			if v, ok := r.Attrs[attr]; ok {
				return v, nil
			}
			return nil, &template.Error{Message: fmt.Sprintf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", id, attr)}
		},
		Import: func(name string) (string, error) {
			e, err := op.s.exports.Get(op.base, core.ScopeKey(op.base)+name)
			if err != nil {
				return "", &template.Error{Message: fmt.Sprintf("No export named %s found.", name)}
			}
			op.mu.Lock()
			op.imports[name] = true
			op.mu.Unlock()
			return e.Value, nil
		},
	}
}

func (op *operation) condFn(tmpl *template.Template) func(string) (bool, error) {
	c := op.evalContext(tmpl)
	var mu sync.Mutex
	return func(name string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return c.Condition(name)
	}
}

// activeResources lists the template's resources whose Condition holds.
func (op *operation) activeResources(tmpl *template.Template) (map[string]bool, error) {
	cond := op.condFn(tmpl)
	out := map[string]bool{}
	for _, id := range tmpl.ResourceOrder {
		r := tmpl.Resources[id]
		if r.Condition != "" {
			b, err := cond(r.Condition)
			if err != nil {
				return nil, err
			}
			if !b {
				continue
			}
		}
		out[id] = true
	}
	return out, nil
}

func (op *operation) resolveProps(tmpl *template.Template, r *template.Resource) (map[string]any, map[string]any, error) {
	c := op.evalContext(tmpl)
	v, err := c.Eval(r.Properties)
	if err != nil {
		return nil, nil, err
	}
	props, _ := v.(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props, err = op.s.resolveDynamic(op.base, props)
	if err != nil {
		return nil, nil, err
	}
	var md map[string]any
	if r.Metadata != nil {
		mv, err := c.Eval(r.Metadata)
		if err != nil {
			return nil, nil, err
		}
		md, _ = mv.(map[string]any)
	}
	return props, md, nil
}

func (op *operation) policy(tmpl *template.Template, r *template.Resource, attr any) string {
	if attr == nil {
		return "Delete"
	}
	if s, ok := attr.(string); ok {
		return s
	}
	v, err := op.evalContext(tmpl).Eval(attr)
	if err != nil {
		return "Delete"
	}
	s, _ := v.(string)
	if s == "" {
		return "Delete"
	}
	return s
}

// Scheduling ---------------------------------------------------------------------------------

type resourceFailure struct {
	id  string
	err error
}

func (e *resourceFailure) Error() string { return e.id + ": " + fmtErr(e.err) }

// walk runs fn over ids in dependency order (a node after all its deps) with bounded
// parallelism. On the first failure it starts nothing new, waits for what runs, and returns
// every failure.
func (op *operation) walk(ids []string, deps map[string][]string, fn func(id string) error) []*resourceFailure {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	pending := map[string]int{}
	dependents := map[string][]string{}
	for _, id := range ids {
		for _, d := range deps[id] {
			if in[d] {
				pending[id]++
				dependents[d] = append(dependents[d], id)
			}
		}
	}
	var queue []string
	for _, id := range ids {
		if pending[id] == 0 {
			queue = append(queue, id)
		}
	}
	type result struct {
		id  string
		err error
	}
	// A fixed pool of workers (their stacks stay grown across resources).
	workers := min(op.s.opts.Parallelism, len(ids))
	jobs := make(chan string, workers)
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				results <- result{id, fn(id)}
			}
		}()
	}
	defer func() { close(jobs); wg.Wait() }()
	running := 0
	var fails []*resourceFailure
	for {
		for len(queue) > 0 && running < workers && len(fails) == 0 {
			id := queue[0]
			queue = queue[1:]
			running++
			jobs <- id
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			fails = append(fails, &resourceFailure{r.id, r.err})
			continue
		}
		for _, d := range dependents[r.id] {
			pending[d]--
			if pending[d] == 0 {
				queue = append(queue, d)
			}
		}
	}
	sort.Slice(fails, func(i, j int) bool { return fails[i].id < fails[j].id })
	return fails
}

func reverseDeps(deps map[string][]string) map[string][]string {
	out := map[string][]string{}
	for id, ds := range deps {
		for _, d := range ds {
			out[d] = append(out[d], id)
		}
	}
	return out
}

func failedIDs(f []*resourceFailure) string {
	ids := make([]string, len(f))
	for i, x := range f {
		ids[i] = x.id
	}
	return "[" + strings.Join(ids, ", ") + "]"
}

// Create ------------------------------------------------------------------------------------

func (op *operation) stackTags(r *template.Resource) []Tag {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	tags := append([]Tag(nil), st.Tags...)
	tags = append(tags, Tag{"aws:cloudformation:stack-name", st.Name}, Tag{"aws:cloudformation:stack-id", st.ID}, Tag{"aws:cloudformation:logical-id", r.LogicalID})
	return tags
}

func (op *operation) request(tmpl *template.Template, r *template.Resource, props map[string]any, spec TypeSpec) *Request {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	req := &Request{StackID: st.ID, StackName: st.Name, LogicalID: r.LogicalID, Type: r.Type, Properties: props}
	if spec.Taggable {
		req.Tags = op.stackTags(r)
	}
	req.UpdatePolicy = op.evalPolicy(tmpl, r.UpdatePolicy)
	req.CreationPolicy = op.evalPolicy(tmpl, r.CreationPolicy)
	return req
}

// evalPolicy evaluates an UpdatePolicy/CreationPolicy attribute (nil when absent or invalid).
func (op *operation) evalPolicy(tmpl *template.Template, p map[string]any) map[string]any {
	if p == nil {
		return nil
	}
	v, err := op.evalContext(tmpl).Eval(p)
	if err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

// willReplace reports an AutoScalingReplacingUpdate policy with WillReplace true: updates to
// the group replace it.
func (op *operation) willReplace(tmpl *template.Template, r *template.Resource) bool {
	p := op.evalPolicy(tmpl, r.UpdatePolicy)
	ru, _ := p["AutoScalingReplacingUpdate"].(map[string]any)
	return ru != nil && template.String(ru["WillReplace"]) == "true"
}

func (op *operation) cancelReason(verb string) string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return "Resource " + verb + " cancelled"
}

func (op *operation) createOne(tmpl *template.Template, id string, statusPrefix string) error {
	r := tmpl.Resources[id]
	rec := &resourceRecord{LogicalID: id, Type: r.Type}
	if op.ctx.Err() != nil {
		return op.ctx.Err()
	}
	spec, ok := op.s.spec(r.Type)
	if !ok {
		op.setRes(rec, statusPrefix+"_FAILED", "Unrecognized resource type "+r.Type, nil)
		return fmt.Errorf("unrecognized type")
	}
	props, md, err := op.resolveProps(tmpl, r)
	if err != nil {
		op.setRes(rec, statusPrefix+"_FAILED", fmtErr(err), nil)
		return err
	}
	rec.Props, rec.Metadata = props, md
	op.setRes(rec, statusPrefix+"_IN_PROGRESS", "", props)
	res, err := spec.Provider.Create(op.ctx, op.request(tmpl, r, props, spec))
	if err != nil {
		reason := fmtErr(err)
		if op.ctx.Err() != nil {
			reason = op.cancelReason("creation")
		}
		op.setRes(rec, statusPrefix+"_FAILED", reason, nil)
		return err
	}
	op.applyResult(rec, res)
	if err := op.waitSignals(r, rec); err != nil {
		op.setRes(rec, statusPrefix+"_FAILED", fmtErr(err), nil)
		return err
	}
	op.setRes(rec, statusPrefix+"_COMPLETE", "", nil)
	return nil
}

func (op *operation) runCreate() {
	tmpl := op.tmpl
	active, err := op.activeResources(tmpl)
	if err != nil {
		op.failCreate(fmtErr(err), nil)
		return
	}
	ids := template.SortedKeys(active)
	deps := tmpl.Dependencies(active, op.condFn(tmpl))
	fails := op.walk(ids, deps, func(id string) error { return op.createOne(tmpl, id, "CREATE") })
	if len(fails) == 0 {
		if err := op.finishOutputs(tmpl); err != nil {
			op.failCreate(fmtErr(err), nil)
			return
		}
		op.setStatus("CREATE_COMPLETE", "")
		return
	}
	op.mu.Lock()
	timedOut := op.timedOut
	op.mu.Unlock()
	reason := "The following resource(s) failed to create: " + failedIDs(fails) + ". "
	if timedOut {
		reason = "Stack creation time exceeded the specified timeout. "
	}
	op.failCreate(reason, fails)
}

func (op *operation) failCreate(reason string, _ []*resourceFailure) {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	if st.DisableRollback || st.OnFailure == "DO_NOTHING" {
		op.setStatus("CREATE_FAILED", reason)
		return
	}
	op.setStatus("ROLLBACK_IN_PROGRESS", reason+"Rollback requested by user.")
	if fails := op.deleteAll(op.tmpl, nil, true); len(fails) > 0 {
		op.setStatus("ROLLBACK_FAILED", "The following resource(s) failed to delete: "+failedIDs(fails)+". ")
		return
	}
	op.setStatus("ROLLBACK_COMPLETE", "")
	if st.OnFailure == "DELETE" {
		op.setStatus("DELETE_IN_PROGRESS", "")
		op.finishDelete()
	}
}

// deleteAll deletes the op's resources in reverse dependency order. retain lists logical IDs
// to keep; rollback says this is a create rollback (RetainExceptOnCreate deletes).
func (op *operation) deleteAll(tmpl *template.Template, retain map[string]bool, rollback bool) []*resourceFailure {
	op.mu.Lock()
	var ids []string
	include := map[string]bool{}
	for id, r := range op.res {
		if r.Status == "DELETE_COMPLETE" || r.Status == "DELETE_SKIPPED" {
			continue
		}
		ids = append(ids, id)
		include[id] = true
	}
	op.mu.Unlock()
	sort.Strings(ids)
	var deps map[string][]string
	if tmpl != nil {
		deps = reverseDeps(tmpl.Dependencies(include, nil))
	}
	ctx := op.base
	return op.walk(ids, deps, func(id string) error {
		op.mu.Lock()
		rec := op.res[id]
		op.mu.Unlock()
		policy := "Delete"
		if tmpl != nil {
			if r, ok := tmpl.Resources[id]; ok {
				policy = op.policy(tmpl, r, r.DeletionPolicy)
			}
		}
		if rollback && policy == "RetainExceptOnCreate" {
			policy = "Delete"
		}
		if retain[id] || policy == "Retain" || policy == "RetainExceptOnCreate" {
			op.setRes(rec, "DELETE_SKIPPED", "", nil)
			return nil
		}
		if rec.PhysicalID == "" {
			op.setRes(rec, "DELETE_COMPLETE", "", nil)
			return nil
		}
		return op.deletePhysical(ctx, tmpl, rec, policy == "Snapshot")
	})
}

func (op *operation) deletePhysical(ctx context.Context, tmpl *template.Template, rec *resourceRecord, snapshot bool) error {
	op.setRes(rec, "DELETE_IN_PROGRESS", "", nil)
	spec, ok := op.s.spec(rec.Type)
	if ok {
		op.mu.Lock()
		st := op.st
		op.mu.Unlock()
		req := &Request{StackID: st.ID, StackName: st.Name, LogicalID: rec.LogicalID, Type: rec.Type, PhysicalID: rec.PhysicalID,
			Properties: rec.Props, Attributes: rec.Attrs, Snapshot: snapshot}
		if err := spec.Provider.Delete(ctx, req); err != nil && !errors.Is(err, apierr.NotFound) && !errors.Is(err, store.ErrNotFound) {
			op.setRes(rec, "DELETE_FAILED", fmtErr(err), nil)
			return err
		}
	}
	op.setRes(rec, "DELETE_COMPLETE", "", nil)
	return nil
}

// Outputs and exports -------------------------------------------------------------------------

func (op *operation) computeOutputs(tmpl *template.Template) ([]Output, error) {
	c := op.evalContext(tmpl)
	var out []Output
	for _, name := range tmpl.OutputOrder {
		o := tmpl.Outputs[name]
		if o.Condition != "" {
			b, err := c.Condition(o.Condition)
			if err != nil {
				return nil, err
			}
			if !b {
				continue
			}
		}
		v, err := c.Eval(o.Value)
		if err != nil {
			return nil, err
		}
		outp := Output{OutputKey: name, OutputValue: template.String(v), Description: o.Description}
		if o.Export != nil {
			ev, err := c.Eval(o.Export)
			if err != nil {
				return nil, err
			}
			outp.ExportName = template.String(ev)
		}
		out = append(out, outp)
	}
	return out, nil
}

// finishOutputs computes outputs, checks and registers exports and imports.
func (op *operation) finishOutputs(tmpl *template.Template) error {
	outs, err := op.computeOutputs(tmpl)
	if err != nil {
		return err
	}
	op.mu.Lock()
	st := op.st
	oldOuts := st.Outputs
	op.mu.Unlock()
	ctx := op.base
	scope := st.Account + "/" + st.Region + "/"
	newExp := map[string]string{}
	for _, o := range outs {
		if o.ExportName == "" {
			continue
		}
		if e, err := op.s.exports.Get(ctx, scope+o.ExportName); err == nil && e.StackID != st.ID {
			return validation("Export with name %s is already exported by stack %s", o.ExportName, stackNameOf(e.StackID))
		}
		newExp[o.ExportName] = o.OutputValue
	}
	for _, o := range oldOuts {
		if o.ExportName == "" {
			continue
		}
		users := op.s.importers(ctx, scope, o.ExportName)
		if len(users) == 0 {
			continue
		}
		if v, ok := newExp[o.ExportName]; !ok {
			return validation("Export %s cannot be deleted as it is in use by %s", o.ExportName, strings.Join(users, ", "))
		} else if v != o.OutputValue {
			return validation("Cannot update export %s as it is in use by %s", o.ExportName, strings.Join(users, ", "))
		}
	}
	for _, o := range oldOuts {
		if _, keep := newExp[o.ExportName]; o.ExportName != "" && !keep {
			_ = op.s.exports.Delete(ctx, scope+o.ExportName)
		}
	}
	for name, v := range newExp {
		if err := op.s.exports.Put(ctx, scope+name, exportRecord{Name: name, Value: v, StackID: st.ID}); err != nil {
			return err
		}
	}
	op.mu.Lock()
	imports := template.SortedKeys(op.imports)
	op.st.Outputs = outs
	old := op.st.Imports
	op.st.Imports = imports
	op.mu.Unlock()
	for _, name := range old {
		_ = op.s.imports.Delete(ctx, scope+name+"/"+st.UUID)
	}
	for _, name := range imports {
		_ = op.s.imports.Put(ctx, scope+name+"/"+st.UUID, st.Name)
	}
	op.saveStack()
	return nil
}

func stackNameOf(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return id
}

func (s *Service) importers(ctx context.Context, scope, export string) []string {
	vals, _, err := s.imports.List(ctx, scope+export+"/", "", 0)
	if err != nil {
		return nil
	}
	sort.Strings(vals)
	return vals
}

// Delete -------------------------------------------------------------------------------------

func (op *operation) runDelete(retain map[string]bool) {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	scope := st.Account + "/" + st.Region + "/"
	for _, o := range st.Outputs {
		if o.ExportName == "" {
			continue
		}
		if users := op.s.importers(op.base, scope, o.ExportName); len(users) > 0 {
			op.setStatus("DELETE_FAILED", fmt.Sprintf("Export %s cannot be deleted as it is in use by %s", o.ExportName, strings.Join(users, ", ")))
			return
		}
	}
	if fails := op.deleteAll(op.tmpl, retain, false); len(fails) > 0 {
		op.setStatus("DELETE_FAILED", "The following resource(s) failed to delete: "+failedIDs(fails)+". ")
		return
	}
	op.finishDelete()
}

func (op *operation) finishDelete() {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	ctx := op.base
	scope := st.Account + "/" + st.Region + "/"
	for _, o := range st.Outputs {
		if o.ExportName != "" {
			if e, err := op.s.exports.Get(ctx, scope+o.ExportName); err == nil && e.StackID == st.ID {
				_ = op.s.exports.Delete(ctx, scope+o.ExportName)
			}
		}
	}
	for _, name := range st.Imports {
		_ = op.s.imports.Delete(ctx, scope+name+"/"+st.UUID)
	}
	now := op.s.now()
	op.mu.Lock()
	op.st.Deleted = now
	op.mu.Unlock()
	_, _ = op.s.updateStack(ctx, &st, func(r *stackRecord) { r.Deleted = now })
	op.setStatus("DELETE_COMPLETE", "")
	// The name goes last: whoever sees it gone sees the stack DELETE_COMPLETE by its ID.
	if id, err := op.s.names.Get(ctx, scope+st.Name); err == nil && id == st.UUID {
		_ = op.s.names.Delete(ctx, scope+st.Name)
	}
	op.s.forgetTemplate(st.ID)
}

// Update -------------------------------------------------------------------------------------

type undoStep struct {
	kind string // "added", "modified", "replaced"
	old  *resourceRecord
	new  *resourceRecord
}

func sameValue(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func changedKeys(old, new map[string]any) []string {
	var out []string
	for k, v := range new {
		if ov, ok := old[k]; !ok || !sameValue(ov, v) {
			out = append(out, k)
		}
	}
	for k := range old {
		if _, ok := new[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func needsReplace(spec TypeSpec, keys []string) bool {
	for _, r := range spec.ReplaceOn {
		if r == "*" {
			return len(keys) > 0
		}
		for _, k := range keys {
			if k == r {
				return true
			}
		}
	}
	return false
}

func (op *operation) runUpdate(oldTmpl, newTmpl *template.Template, prevParams map[string]any) {
	active, err := op.activeResources(newTmpl)
	if err != nil {
		op.failUpdate(oldTmpl, newTmpl, prevParams, fmtErr(err), nil)
		return
	}
	ids := template.SortedKeys(active)
	deps := newTmpl.Dependencies(active, op.condFn(newTmpl))
	var umu sync.Mutex
	var undo []undoStep
	var replacedOld []*resourceRecord
	record := func(u undoStep) {
		umu.Lock()
		undo = append(undo, u)
		if u.kind == "replaced" {
			replacedOld = append(replacedOld, u.old)
		}
		umu.Unlock()
	}
	fails := op.walk(ids, deps, func(id string) error {
		if op.ctx.Err() != nil {
			return op.ctx.Err()
		}
		op.mu.Lock()
		old, exists := op.res[id]
		if exists && (old.Status == "DELETE_COMPLETE" || old.Status == "DELETE_SKIPPED") {
			exists = false
		}
		op.mu.Unlock()
		r := newTmpl.Resources[id]
		if !exists {
			err := op.createOne(newTmpl, id, "CREATE")
			op.mu.Lock()
			rec := op.res[id]
			op.mu.Unlock()
			record(undoStep{kind: "added", new: rec})
			return err
		}
		props, md, err := op.resolveProps(newTmpl, r)
		if err != nil {
			cp := *old
			op.setRes(&cp, "UPDATE_FAILED", fmtErr(err), nil)
			return err
		}
		keys := changedKeys(old.Props, props)
		if old.Type == r.Type && len(keys) == 0 && sameValue(old.Metadata, md) {
			return nil
		}
		spec, ok := op.s.spec(r.Type)
		if !ok {
			cp := *old
			op.setRes(&cp, "UPDATE_FAILED", "Unrecognized resource type "+r.Type, nil)
			return fmt.Errorf("unrecognized type")
		}
		replace := old.Type != r.Type || needsReplace(spec, keys) || op.willReplace(newTmpl, r)
		action := "Update:Modify"
		if replace {
			action = "Update:Replace"
		}
		if err := op.checkPolicy(action, id, r.Type); err != nil {
			cp := *old
			op.setRes(&cp, "UPDATE_FAILED", err.Error(), nil)
			return err
		}
		oldCopy := *old
		rec := &resourceRecord{LogicalID: id, Type: r.Type, PhysicalID: old.PhysicalID, Props: props, Metadata: md, Attrs: old.Attrs}
		if !replace {
			op.setRes(rec, "UPDATE_IN_PROGRESS", "", props)
			req := op.request(newTmpl, r, props, spec)
			req.PhysicalID, req.OldProperties, req.Attributes = old.PhysicalID, old.Props, old.Attrs
			res, err := spec.Provider.Update(op.ctx, req)
			if errors.Is(err, errReplace) {
				replace = true
			} else if err != nil {
				op.setRes(rec, "UPDATE_FAILED", fmtErr(err), nil)
				record(undoStep{kind: "failed", old: &oldCopy, new: rec})
				return err
			} else {
				op.applyResult(rec, res)
				op.setRes(rec, "UPDATE_COMPLETE", "", nil)
				record(undoStep{kind: "modified", old: &oldCopy, new: rec})
				return nil
			}
		}
		op.setRes(rec, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one.", props)
		res, err := spec.Provider.Create(op.ctx, op.request(newTmpl, r, props, spec))
		if err != nil {
			op.setRes(rec, "UPDATE_FAILED", fmtErr(err), nil)
			op.mu.Lock()
			op.res[id] = &oldCopy
			op.mu.Unlock()
			return err
		}
		op.applyResult(rec, res)
		if op.willReplace(newTmpl, r) {
			// AutoScalingReplacingUpdate: the new group honours its CreationPolicy signals.
			if err := op.waitSignals(r, rec); err != nil {
				op.setRes(rec, "UPDATE_FAILED", fmtErr(err), nil)
				record(undoStep{kind: "replaced", old: &oldCopy, new: rec})
				return err
			}
		}
		op.setRes(rec, "UPDATE_COMPLETE", "", nil)
		record(undoStep{kind: "replaced", old: &oldCopy, new: rec})
		return nil
	})
	var outErr error
	if len(fails) == 0 {
		outErr = op.finishOutputs(newTmpl)
	}
	if len(fails) > 0 || outErr != nil {
		reason := ""
		if outErr != nil {
			reason = fmtErr(outErr)
		} else {
			reason = "The following resource(s) failed to update: " + failedIDs(fails) + ". "
		}
		op.rollbackUpdate(oldTmpl, newTmpl, prevParams, reason, undo)
		return
	}
	op.setStatus("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "")
	// Removed resources (in the old template, not active in the new one).
	op.mu.Lock()
	var removed []string
	include := map[string]bool{}
	for id, r := range op.res {
		if !active[id] && r.Status != "DELETE_COMPLETE" && r.Status != "DELETE_SKIPPED" {
			removed = append(removed, id)
			include[id] = true
		}
	}
	op.mu.Unlock()
	sort.Strings(removed)
	rdeps := reverseDeps(oldTmpl.Dependencies(include, nil))
	op.walk(removed, rdeps, func(id string) error {
		op.mu.Lock()
		rec := op.res[id]
		op.mu.Unlock()
		pol := "Delete"
		if r, ok := oldTmpl.Resources[id]; ok {
			pol = op.policy(oldTmpl, r, r.DeletionPolicy)
		}
		if pol == "Retain" || pol == "RetainExceptOnCreate" {
			op.setRes(rec, "DELETE_SKIPPED", "", nil)
		} else if err := op.deletePhysical(op.base, oldTmpl, rec, pol == "Snapshot"); err != nil {
			return nil // AWS leaves cleanup failures as events only
		}
		op.mu.Lock()
		delete(op.res, id)
		op.mu.Unlock()
		op.dropResource(id)
		return nil
	})
	for _, old := range replacedOld {
		pol := "Delete"
		if r, ok := oldTmpl.Resources[old.LogicalID]; ok {
			pol = op.policy(oldTmpl, r, r.UpdateReplacePolicy)
		}
		if pol == "Retain" {
			continue
		}
		op.deleteReplaced(old, pol == "Snapshot")
	}
	op.mu.Lock()
	op.st.Prev = nil
	op.mu.Unlock()
	op.saveStack()
	op.setStatus("UPDATE_COMPLETE", "")
}

// deleteReplaced deletes an old physical resource left by a replacement, emitting events for
// it without touching the logical resource's current record.
func (op *operation) deleteReplaced(old *resourceRecord, snapshot bool) {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	op.event(&st, old.LogicalID, old.PhysicalID, old.Type, "DELETE_IN_PROGRESS", "", nil)
	if spec, ok := op.s.spec(old.Type); ok {
		req := &Request{StackID: st.ID, StackName: st.Name, LogicalID: old.LogicalID, Type: old.Type, PhysicalID: old.PhysicalID, Properties: old.Props, Attributes: old.Attrs, Snapshot: snapshot}
		if err := spec.Provider.Delete(op.base, req); err != nil && !errors.Is(err, apierr.NotFound) {
			op.event(&st, old.LogicalID, old.PhysicalID, old.Type, "DELETE_FAILED", fmtErr(err), nil)
			return
		}
	}
	op.event(&st, old.LogicalID, old.PhysicalID, old.Type, "DELETE_COMPLETE", "", nil)
}

func (op *operation) failUpdate(oldTmpl, newTmpl *template.Template, prevParams map[string]any, reason string, undo []undoStep) {
	op.rollbackUpdate(oldTmpl, newTmpl, prevParams, reason, undo)
}

func (op *operation) rollbackUpdate(oldTmpl, newTmpl *template.Template, prevParams map[string]any, reason string, undo []undoStep) {
	op.mu.Lock()
	st := op.st
	op.mu.Unlock()
	if st.DisableRollback {
		op.setStatus("UPDATE_FAILED", reason)
		return
	}
	op.setStatus("UPDATE_ROLLBACK_IN_PROGRESS", reason)
	op.mu.Lock()
	op.params = prevParams
	op.mu.Unlock()
	// AWS reverts the template first: while the rollback runs, resources show their previous
	// metadata (cfn-init on instances launched by the rollback reads the old configuration).
	op.mu.Lock()
	for _, u := range undo {
		if (u.kind == "modified" || u.kind == "failed") && u.old != nil {
			if r, ok := op.res[u.old.LogicalID]; ok {
				r.Metadata = u.old.Metadata
			}
		}
	}
	op.mu.Unlock()
	var failed []string
	var cleanup []*resourceRecord
	for i := len(undo) - 1; i >= 0; i-- {
		u := undo[i]
		switch u.kind {
		case "added":
			cleanup = append(cleanup, u.new)
		case "replaced":
			cp := *u.old
			op.setRes(&cp, "UPDATE_COMPLETE", "", nil)
			cleanup = append(cleanup, u.new)
		case "failed", "modified":
			spec, ok := op.s.spec(u.old.Type)
			if u.kind == "failed" && (!ok || !spec.RollbackFailedUpdate) {
				// the update did not happen: the old properties stand
				cp := *u.old
				op.setRes(&cp, "UPDATE_COMPLETE", "", nil)
				continue
			}
			cp := *u.old
			op.setRes(&cp, "UPDATE_IN_PROGRESS", "", cp.Props)
			if ok {
				req := &Request{StackID: st.ID, StackName: st.Name, LogicalID: cp.LogicalID, Type: cp.Type, PhysicalID: u.new.PhysicalID,
					Properties: cp.Props, OldProperties: u.new.Props, Attributes: u.new.Attrs}
				if r, ok := oldTmpl.Resources[cp.LogicalID]; ok {
					if spec.Taggable {
						req.Tags = op.stackTags(r)
					}
					req.UpdatePolicy = op.evalPolicy(oldTmpl, r.UpdatePolicy)
				}
				res, err := spec.Provider.Update(op.base, req)
				if err != nil && !errors.Is(err, errReplace) {
					op.setRes(&cp, "UPDATE_FAILED", fmtErr(err), nil)
					failed = append(failed, cp.LogicalID)
					continue
				}
				if res != nil {
					op.applyResult(&cp, &Result{Attributes: res.Attributes})
				}
			}
			op.setRes(&cp, "UPDATE_COMPLETE", "", nil)
		}
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		op.setStatus("UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to update: ["+strings.Join(failed, ", ")+"]. ")
		return
	}
	op.setStatus("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "")
	for _, rec := range cleanup {
		if rec == nil || rec.PhysicalID == "" {
			if rec != nil {
				op.mu.Lock()
				if cur, ok := op.res[rec.LogicalID]; ok && cur == rec {
					delete(op.res, rec.LogicalID)
				}
				op.mu.Unlock()
				op.dropResource(rec.LogicalID)
			}
			continue
		}
		op.mu.Lock()
		cur := op.res[rec.LogicalID]
		op.mu.Unlock()
		if cur == rec { // added resource: remove it entirely
			_ = op.deletePhysical(op.base, newTmpl, rec, false)
			op.mu.Lock()
			delete(op.res, rec.LogicalID)
			op.mu.Unlock()
			op.dropResource(rec.LogicalID)
		} else {
			op.deleteReplaced(rec, false)
		}
	}
	// Restore the previous template, parameters and outputs.
	op.mu.Lock()
	if p := op.st.Prev; p != nil {
		op.st.Body, op.st.Processed, op.st.Params, op.st.Tags, op.st.Outputs, op.st.Description = p.Body, p.Processed, p.Params, p.Tags, p.Outputs, p.Desc
	}
	op.st.Prev = nil
	op.mu.Unlock()
	op.saveStack()
	op.setStatus("UPDATE_ROLLBACK_COMPLETE", "")
}

// Stack policy --------------------------------------------------------------------------------

type policyDoc struct {
	Statement []struct {
		Effect    string `json:"Effect"`
		Action    any    `json:"Action"`
		NotAction any    `json:"NotAction"`
		Principal any    `json:"Principal"`
		Resource  any    `json:"Resource"`
		NotRes    any    `json:"NotResource"`
		Condition *struct {
			StringEquals map[string]any `json:"StringEquals"`
			StringLike   map[string]any `json:"StringLike"`
		} `json:"Condition"`
	} `json:"Statement"`
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func globMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		j := strings.Index(s, parts[i])
		if j < 0 {
			return false
		}
		s = s[j+len(parts[i]):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func anyMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if globMatch(p, s) {
			return true
		}
	}
	return false
}

// checkPolicy applies the stack policy to one update action. With a policy, what is not
// explicitly allowed is denied; an explicit Deny wins.
func (op *operation) checkPolicy(action, logicalID, typ string) error {
	op.mu.Lock()
	pol := op.st.Policy
	op.mu.Unlock()
	if pol == "" {
		return nil
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(pol), &doc); err != nil {
		return nil
	}
	res := "LogicalResourceId/" + logicalID
	allowed := false
	for i, s := range doc.Statement {
		actOK := anyMatch(strs(s.Action), action)
		if s.NotAction != nil {
			actOK = !anyMatch(strs(s.NotAction), action)
		}
		resOK := anyMatch(strs(s.Resource), res)
		if s.NotRes != nil {
			resOK = !anyMatch(strs(s.NotRes), res)
		}
		if s.Condition != nil {
			for _, m := range []map[string]any{s.Condition.StringEquals, s.Condition.StringLike} {
				if v, ok := m["ResourceType"]; ok && !anyMatch(strs(v), typ) {
					resOK = false
				}
			}
		}
		if !actOK || !resOK {
			continue
		}
		if s.Effect == "Deny" {
			return fmt.Errorf("Action denied by stack policy: Statement [#%d] does not allow [%s] for resource [%s]", i+1, action, res)
		}
		allowed = true
	}
	if !allowed {
		return fmt.Errorf("Action not allowed by stack policy: No statement allows [%s] for resource [%s]", action, res)
	}
	return nil
}

// Signals --------------------------------------------------------------------------------------

type signal struct {
	UniqueID string
	Status   string
	Reason   string
	Data     string
}

type signalBox struct {
	mu    sync.Mutex
	boxes map[string]*signalState
}

type signalState struct {
	signals []signal
	ch      chan struct{}
}

func newSignalBox() *signalBox { return &signalBox{boxes: map[string]*signalState{}} }

func (b *signalBox) state(key string) *signalState {
	st, ok := b.boxes[key]
	if !ok {
		st = &signalState{ch: make(chan struct{})}
		b.boxes[key] = st
	}
	return st
}

func (b *signalBox) add(key string, sg signal) {
	b.mu.Lock()
	st := b.state(key)
	for i, x := range st.signals {
		if x.UniqueID == sg.UniqueID {
			st.signals[i] = sg
			goto notify
		}
	}
	st.signals = append(st.signals, sg)
notify:
	close(st.ch)
	st.ch = make(chan struct{})
	b.mu.Unlock()
}

func (b *signalBox) drop(key string) {
	b.mu.Lock()
	delete(b.boxes, key)
	b.mu.Unlock()
}

// wait blocks until count SUCCESS signals, one FAILURE, the timeout or ctx.
func (b *signalBox) wait(ctx context.Context, clk clock.Clock, key string, count int, timeout time.Duration) ([]signal, error) {
	timer := clk.NewTimer(timeout)
	defer timer.Stop()
	for {
		b.mu.Lock()
		st := b.state(key)
		sigs := append([]signal(nil), st.signals...)
		ch := st.ch
		b.mu.Unlock()
		ok := 0
		for _, s := range sigs {
			if s.Status == "FAILURE" {
				return sigs, fmt.Errorf("received FAILURE signal with UniqueId %s", s.UniqueID)
			}
			ok++
		}
		if ok >= count {
			return sigs, nil
		}
		select {
		case <-ch:
		case <-timer.C():
			return sigs, fmt.Errorf("Failed to receive %d resource signal(s) within the specified duration", count)
		case <-ctx.Done():
			return sigs, ctx.Err()
		}
	}
}

func parseISODuration(s string) (time.Duration, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "PT") {
		return 0, false
	}
	s = s[2:]
	var d time.Duration
	num := ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'H' || r == 'M' || r == 'S':
			n, err := strconv.Atoi(num)
			if err != nil {
				return 0, false
			}
			unit := map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}[r]
			d += time.Duration(n) * unit
			num = ""
		default:
			return 0, false
		}
	}
	return d, num == ""
}

// waitSignals honours CreationPolicy ResourceSignal.
func (op *operation) waitSignals(r *template.Resource, rec *resourceRecord) error {
	if r.CreationPolicy == nil {
		return nil
	}
	rs, ok := r.CreationPolicy["ResourceSignal"].(map[string]any)
	if !ok {
		return nil
	}
	count := 1
	if c, ok := rs["Count"]; ok {
		cv, err := op.evalContext(op.tmpl).Eval(c)
		if err == nil {
			if n, err := strconv.Atoi(template.String(cv)); err == nil {
				count = n
			}
		}
	}
	timeout := 5 * time.Minute
	if t, ok := rs["Timeout"].(string); ok {
		if d, ok := parseISODuration(t); ok {
			timeout = d
		}
	}
	if count <= 0 {
		return nil
	}
	op.mu.Lock()
	key := "rs:" + op.st.ID + "/" + r.LogicalID
	op.mu.Unlock()
	defer op.s.signals.drop(key)
	// AutoScalingCreationPolicy.MinSuccessfulInstancesPercent lets some signals fail.
	_, err := op.s.signals.quorum(op.ctx, op.s.env.Clock, key, nil, count, needed(count, minSuccessPercent(op.evalPolicy(op.tmpl, r.CreationPolicy))), timeout)
	return err
}
