package cloudtrail

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// maxPending is how many calls may wait for the background processor before a recording call
// processes them itself (back-pressure keeps memory bounded).
const maxPending = 1 << 16

// rawCall is a finished operation as the audit hook captured it: cheap to take, processed later.
type rawCall struct {
	call   *dispatch.Call // the dispatcher does not touch it after the hooks ran
	in     any            // shallow copy of call.Input
	data   *DataEvent     // for RecordDataEvent
	caller identity.Caller
}

// category of a record.
type category uint8

const (
	catManagement category = iota
	catData
	catInsight
)

// record is one processed event. Records are immutable once in history.
type record struct {
	pos       uint64
	t         time.Time
	src       *source
	name      string
	who       *principal
	requestID string
	params    []byte // JSON object or nil
	response  []byte // JSON or nil
	resources []resourceRef
	x         *extra // rare parts
	readOnly  bool
	cat       category
}

// extra holds the parts few records have.
type extra struct {
	errCode, errMsg string
	additional      []byte // additionalEventData JSON
	insight         *insightDetail
}

func (r *record) ext() *extra {
	if r.x == nil {
		r.x = &extra{}
	}
	return r.x
}

func (r *record) errCode() string {
	if r.x == nil {
		return ""
	}
	return r.x.errCode
}

func (r *record) errMsg() string {
	if r.x == nil {
		return ""
	}
	return r.x.errMsg
}

func (r *record) additional() []byte {
	if r.x == nil {
		return nil
	}
	return r.x.additional
}

func (r *record) insight() *insightDetail {
	if r.x == nil {
		return nil
	}
	return r.x.insight
}

// resourceRef is a resource an event refers to.
type resourceRef struct {
	Type, Name, ARN, Account string
}

// audit is the dispatcher hook: it copies what it needs and queues it.
func (s *Service) audit(_ context.Context, c *dispatch.Call) {
	s.enqueue(rawCall{call: c, in: shallowCopy(c.Input)})
}

func (s *Service) enqueue(rc rawCall) {
	s.pmu.Lock()
	if s.closed {
		s.pmu.Unlock()
		return
	}
	s.pending = append(s.pending, rc)
	n := len(s.pending)
	s.pmu.Unlock()
	if n == 1 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	if n >= maxPending {
		s.process()
	}
}

// shallowCopy copies the struct x points to, so a caller reusing its input (a paginating loop
// setting NextToken) does not change what was recorded.
func shallowCopy(x any) any {
	v := reflect.ValueOf(x)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return x
	}
	c := reflect.New(v.Elem().Type())
	c.Elem().Set(v.Elem())
	return c.Interface()
}

// process turns every pending call into a record, puts it in history, routes it to trails,
// Insights and EventBridge.
func (s *Service) process() {
	s.procMu.Lock()
	s.pmu.Lock()
	batch := s.pending
	s.pending = s.spare[:0]
	s.spare = nil
	s.pmu.Unlock()
	if len(batch) == 0 {
		s.pmu.Lock()
		if s.spare == nil {
			s.spare = batch
		}
		s.pmu.Unlock()
		s.procMu.Unlock()
		return
	}
	recs := make([]record, len(batch))
	for i := range batch {
		s.build(&batch[i], &recs[i])
		batch[i] = rawCall{}
	}
	s.pmu.Lock()
	s.spare = batch[:0]
	s.pmu.Unlock()

	now := s.env.Clock.Now()
	ptrs := s.hist.insert(recs, now)
	snap := s.snap.Load()
	var insightRecs []record
	for _, r := range ptrs {
		if r.cat == catManagement && !r.readOnly && snap.insightsOn(r.who.Account, r.who.Region) != 0 {
			insightRecs = s.ins.observe(r, insightRecs)
		}
	}
	if len(insightRecs) > 0 {
		ptrs = append(ptrs, s.hist.insert(insightRecs, now)...)
	}
	s.persist(ptrs)
	publish := s.route(snap, ptrs)
	s.procMu.Unlock()
	s.publish(publish)
}

// build fills r from rc.
func (s *Service) build(rc *rawCall, r *record) {
	if d := rc.data; d != nil {
		r.requestID = rc.caller.RequestID
		r.who = s.interns.principal(rc.caller)
		r.src = s.interns.source(d.EventSource)
		r.name = d.EventName
		r.readOnly = d.ReadOnly
		r.cat = catData
		if d.Management {
			r.cat = catManagement
		}
		if d.Time.IsZero() {
			r.t = s.env.Clock.Now()
		} else {
			r.t = d.Time
		}
		if d.ErrorCode != "" {
			r.ext().errCode, r.ext().errMsg = d.ErrorCode, d.ErrorMessage
		}
		if d.RequestParameters != nil {
			r.params = s.marshal(d.RequestParameters)
		}
		if d.ResponseElements != nil {
			r.response = s.marshal(d.ResponseElements)
		}
		if d.AdditionalEventData != nil {
			r.ext().additional = s.marshal(d.AdditionalEventData)
		}
		for _, res := range d.Resources {
			acct := res.Account
			if acct == "" {
				acct = rc.caller.Account
			}
			r.resources = append(r.resources, resourceRef{Type: res.Type, ARN: res.ARN, Name: res.ARN, Account: acct})
		}
		return
	}
	c := rc.call
	r.t = c.Time
	r.requestID = c.Caller.RequestID
	r.who = s.interns.principal(c.Caller)
	r.src = s.interns.source(c.EventSource)
	r.name = c.Op
	r.readOnly = isReadOnly(c.Op)
	if c.Err != nil {
		e := apierr.As(c.Err)
		r.ext().errCode, r.ext().errMsg = e.Code, e.Message
	}
	if rc.in != nil {
		r.params = s.marshal(rc.in)
		r.resources = s.interns.resources(s.planFor(reflect.TypeOf(rc.in)).resources(rc.in, r.src, c.Caller))
	}
	if c.Output != nil && c.Err == nil && !r.readOnly {
		r.response = s.marshal(c.Output)
	}
}

// hidden is what AWS puts in place of a secret.
const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// maxBlob is the largest []byte member recorded as is; longer ones are replaced by a note.
const maxBlob = 1024

// marshalOptions make large []byte members a note.
func marshalOptions() json.Options {
	return json.JoinOptions(json.Deterministic(true), json.WithMarshalers(json.MarshalToFunc(func(enc *jsontext.Encoder, b []byte) error {
		if len(b) <= maxBlob {
			return errors.ErrUnsupported
		}
		return enc.WriteToken(jsontext.String("<" + itoa(len(b)) + " bytes omitted>"))
	})))
}

// marshal renders v as requestParameters/responseElements, secrets redacted.
func (s *Service) marshal(v any) []byte {
	b, err := json.Marshal(v, s.jsonOpts)
	if err != nil || len(b) == 0 || string(b) == "null" {
		return nil
	}
	if string(b) == "{}" {
		return nil
	}
	if mightHoldSecret(b) {
		b = redact(b)
	}
	return s.interns.blob(b)
}

// secretWords are the (lower-case) parts of member names whose values AWS hides.
const secretWordList = "password secret privatekey keymaterial passphrase sessiontoken oauthtoken authtoken securestring"

// mightHoldSecret reports whether b contains any secret word, ignoring ASCII case.
func mightHoldSecret(b []byte) bool {
	for i := range b {
		c := b[i] | 0x20 // lower-cases letters
		if c != 'p' && c != 's' && c != 'k' && c != 'o' && c != 'a' {
			continue
		}
		for w := range strings.SplitSeq(secretWordList, " ") {
			if w[0] == c && hasPrefixFold(b[i:], w) {
				return true
			}
		}
	}
	return false
}

// hasPrefixFold reports whether b starts with the lower-case ASCII word w, ignoring case.
func hasPrefixFold(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		c := b[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
	}
	return true
}

// isSecretName reports whether a member of this name holds a secret.
func isSecretName(k string) bool {
	l := strings.ToLower(k)
	if strings.HasSuffix(l, "arn") || strings.HasSuffix(l, "id") || strings.HasSuffix(l, "name") || strings.HasSuffix(l, "type") {
		return false
	}
	for w := range strings.SplitSeq(secretWordList, " ") {
		if w != "securestring" && strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// redact hides the values of secret members and the value of SecureString parameters.
func redact(b []byte) []byte {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return b
	}
	v = redactValue(v)
	out, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		return b
	}
	return out
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		secure := false
		for k, e := range x {
			if (k == "type" || k == "Type") && e == "SecureString" {
				secure = true
			}
		}
		for k, e := range x {
			switch {
			case e == nil:
			case isSecretName(k):
				x[k] = hidden
			case secure && (k == "value" || k == "Value"):
				x[k] = hidden
			default:
				x[k] = redactValue(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = redactValue(x[i])
		}
	}
	return v
}

// readOnlyPrefixes are the operation-name prefixes of read-only calls.
const readOnlyPrefixes = "Get List Describe BatchGet BatchDescribe Lookup Head Search Filter Select Validate Test Estimate Preview GitPull Query"

// isReadOnly classifies an operation by its name, as AWS's readOnly field does.
func isReadOnly(op string) bool {
	for p := range strings.SplitSeq(readOnlyPrefixes, " ") {
		if len(op) >= len(p) && op[:len(p)] == p {
			if len(op) == len(p) {
				return true
			}
			c := op[len(p)]
			if 'A' <= c && c <= 'Z' || p == "GitPull" {
				return true
			}
		}
	}
	return false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
