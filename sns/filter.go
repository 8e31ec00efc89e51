package sns

import (
	"encoding/json"
	"strings"

	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
)

// Subscription filter policies are matched with the EventBridge pattern engine: the policy is
// a pattern over the message attributes (FilterPolicyScope MessageAttributes, the default)
// or over the JSON message body (MessageBody).

func checkFilterPolicy(policy string) error {
	if policy == "" {
		return nil
	}
	if len(policy) > 256*1024 {
		return invalid("Filter policy is too long")
	}
	if _, err := pattern.Compile(policy); err != nil {
		reason := err.Error()
		if pe, ok := err.(*pattern.Error); ok {
			reason = pe.Reason
		}
		return invalid("Filter policy: %s", reason)
	}
	return nil
}

func checkFilterScope(scope string) error {
	if scope != "" && scope != "MessageAttributes" && scope != "MessageBody" {
		return invalid("Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", scope)
	}
	return nil
}

// attributesDocument renders message attributes as the JSON a filter policy is matched
// against: strings as strings, numbers as numbers, String.Array as arrays.
func attributesDocument(attrs map[string]MessageAttributeValue) []byte {
	doc := make(map[string]json.RawMessage, len(attrs))
	for name, a := range attrs {
		switch {
		case strings.HasPrefix(a.DataType, "Number"):
			if json.Valid([]byte(a.StringValue)) {
				doc[name] = json.RawMessage(a.StringValue)
				continue
			}
			b, _ := json.Marshal(a.StringValue)
			doc[name] = b
		case a.DataType == "String.Array":
			if json.Valid([]byte(a.StringValue)) && strings.HasPrefix(strings.TrimSpace(a.StringValue), "[") {
				doc[name] = json.RawMessage(a.StringValue)
				continue
			}
			fallthrough
		case strings.HasPrefix(a.DataType, "String"):
			b, _ := json.Marshal(a.StringValue)
			doc[name] = b
		}
		// Binary attributes are not matched by filter policies.
	}
	b, _ := json.Marshal(doc)
	return b
}

// passes reports whether a message passes a subscription's filter policy. Compiled policies
// are cached by their text.
func (s *Service) passes(sub subRecord, message string, attrs map[string]MessageAttributeValue) bool {
	policy := sub.Attributes["FilterPolicy"]
	if policy == "" {
		return true
	}
	var p *pattern.Pattern
	if v, ok := s.policies.Load(policy); ok {
		p = v.(*pattern.Pattern)
	} else {
		var err error
		if p, err = pattern.Compile(policy); err != nil {
			return false
		}
		s.policies.Store(policy, p)
	}
	var doc []byte
	if sub.Attributes["FilterPolicyScope"] == "MessageBody" {
		doc = []byte(message)
	} else {
		doc = attributesDocument(attrs)
	}
	ok, err := p.Match(doc)
	return err == nil && ok
}
