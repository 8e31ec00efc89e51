package sns

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/dispatch"
)

func dispatchDo[In, Out any](ctx context.Context, s *Service, op string, in *In, fn func(context.Context, *In) (*Out, error)) (*Out, error) {
	return dispatch.Do(ctx, s.d, op, in, fn)
}

// maxMessageSize is the limit on a message with its attributes.
const maxMessageSize = 256 * 1024

func (s *Service) Publish(ctx context.Context, in *PublishInput) (*PublishOutput, error) {
	return dispatchDo(ctx, s, "Publish", in, s.publish)
}

// PublishToTopic publishes message to a topic on behalf of another service (EventBridge
// targets, CloudWatch alarm actions). It is one Publish call, audited as such.
func (s *Service) PublishToTopic(ctx context.Context, topicArn, subject, message string) (string, error) {
	acct, region, _, ok := parseArn(topicArn)
	if ok {
		ctx = inScope(ctx, acct, region)
	}
	out, err := s.Publish(ctx, &PublishInput{TopicArn: topicArn, Subject: subject, Message: message})
	if err != nil {
		return "", err
	}
	return out.MessageId, nil
}

// SubscribeFunc subscribes a Go handler to a topic; it is confirmed at once and receives every
// message published from then on (outside any lock, on the publisher's goroutine). The
// subscription is listed with protocol "devopsim-go"; Unsubscribe removes it.
func (s *Service) SubscribeFunc(ctx context.Context, topicArn string, fn Handler) (string, error) {
	if fn == nil {
		return "", invalid("handler")
	}
	out, err := dispatchDo(ctx, s, "Subscribe", &SubscribeInput{TopicArn: topicArn, Protocol: goProtocol, ReturnSubscriptionArn: true},
		func(ctx context.Context, in *SubscribeInput) (*SubscribeOutput, error) {
			return s.subscribe(ctx, in, fn)
		})
	if err != nil {
		return "", err
	}
	return out.SubscriptionArn, nil
}

func validAttrType(t string) bool {
	base := t
	if i := strings.IndexByte(t, '.'); i >= 0 {
		base = t[:i]
		if t[i+1:] == "" {
			return false
		}
	}
	return base == "String" || base == "Number" || base == "Binary"
}

func (s *Service) publish(ctx context.Context, in *PublishInput) (*PublishOutput, error) {
	if in.Message == "" {
		return nil, invalid("Empty message")
	}
	size := len(in.Message)
	if len(in.MessageAttributes) > 10 {
		return nil, invalid("MessageAttributes: Too many message attributes (max 10)")
	}
	names := make([]string, 0, len(in.MessageAttributes))
	for name, a := range in.MessageAttributes {
		names = append(names, name)
		if name == "" || len(name) > 256 || strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon.") {
			return nil, invalid("Message attribute name %s is invalid", name)
		}
		if !validAttrType(a.DataType) {
			return nil, invalid("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		switch {
		case strings.HasPrefix(a.DataType, "Binary"):
			if len(a.BinaryValue) == 0 {
				return nil, invalid("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
		default:
			if a.StringValue == "" {
				return nil, invalid("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
			if strings.HasPrefix(a.DataType, "Number") {
				if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
					return nil, invalid("Value %s for parameter MessageAttributes is invalid. Reason: The message attribute '%s' with type 'Number' must contain a valid numeric value.", a.StringValue, name)
				}
			}
		}
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	sort.Strings(names)
	if size > maxMessageSize {
		return nil, invalid("Message too long")
	}
	if in.Subject != "" && !validSubject(in.Subject) {
		return nil, invalid("Subject")
	}
	perProtocol := map[string]string{}
	if in.MessageStructure != "" {
		if in.MessageStructure != "json" {
			return nil, invalid("MessageStructure")
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(in.Message), &m); err != nil {
			return nil, invalid("Message Structure - JSON message body failed to parse")
		}
		def, ok := m["default"].(string)
		if !ok {
			return nil, invalid("Message Structure - No default entry in JSON message body")
		}
		for k, v := range m {
			if sv, ok := v.(string); ok {
				perProtocol[k] = sv
			}
		}
		perProtocol["default"] = def
	}
	msgID := uuid.NewString()
	if in.PhoneNumber != "" {
		if in.TopicArn != "" || in.TargetArn != "" || !validPhone(in.PhoneNumber) {
			return nil, invalid("PhoneNumber")
		}
		s.record(Delivery{Time: s.env.Clock.Now(), Kind: "Notification", MessageID: msgID, Protocol: "sms", Endpoint: in.PhoneNumber,
			Message: in.Message, Body: in.Message, Status: "Sent"})
		return &PublishOutput{MessageId: msgID}, nil
	}
	arn := in.TopicArn
	if arn == "" {
		arn = in.TargetArn
	}
	if arn == "" {
		return nil, invalid("TopicArn or TargetArn Reason: no value for required parameter")
	}
	if in.TopicArn != "" && in.TargetArn != "" {
		return nil, invalid("TopicArn Reason: Only one of TopicArn and TargetArn may be specified")
	}
	topic, err := s.getTopic(ctx, arn)
	if err != nil {
		return nil, err
	}
	out := &PublishOutput{MessageId: msgID}
	if topic.Attributes["FifoTopic"] == "true" {
		if in.MessageGroupId == "" {
			return nil, invalid("The MessageGroupId parameter is required for FIFO topics")
		}
		if in.MessageDeduplicationId == "" && topic.Attributes["ContentBasedDeduplication"] != "true" {
			return nil, invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		var seq int64
		_, err := s.topics.Update(ctx, topicKey(topic.Account, topic.Region, topic.Name), func(v *topicRecord) error {
			if v.Attributes == nil {
				v.Attributes = map[string]string{}
			}
			seq, _ = strconv.ParseInt(v.Attributes["devopsim:sequence"], 10, 64)
			seq++
			v.Attributes["devopsim:sequence"] = strconv.FormatInt(seq, 10)
			return nil
		})
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		out.SequenceNumber = fmt.Sprintf("1%019d", seq)
	} else if in.MessageGroupId != "" {
		return nil, invalid("MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type")
	}
	subs, err := s.subs.All(ctx, topicKey(topic.Account, topic.Region, topic.Name)+"/")
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	now := s.env.Clock.Now()
	for _, sub := range subs {
		if !sub.Confirmed || !s.passes(sub, in.Message, in.MessageAttributes) {
			continue
		}
		text := in.Message
		if in.MessageStructure == "json" {
			text = perProtocol["default"]
			if v, ok := perProtocol[sub.Protocol]; ok {
				text = v
			}
		}
		d := Delivery{Time: now, Kind: "Notification", MessageID: msgID, TopicArn: topic.Arn, SubscriptionArn: sub.Arn,
			Protocol: sub.Protocol, Endpoint: sub.Endpoint, Subject: in.Subject, Message: text}
		switch sub.Protocol {
		case goProtocol:
			s.mu.RLock()
			h := s.handlers[sub.Arn]
			s.mu.RUnlock()
			if h == nil {
				d.Status, d.Error = "Failed", "no Go handler is registered for this subscription (it does not survive a restart)"
				s.record(d)
				continue
			}
			err := h(ctx, &Message{Type: "Notification", MessageID: msgID, TopicArn: topic.Arn, SubscriptionArn: sub.Arn,
				Subject: in.Subject, Message: text, Timestamp: now, MessageAttributes: in.MessageAttributes})
			if err != nil {
				d.Status, d.Error = "Failed", err.Error()
			} else {
				d.Status = "Delivered"
			}
			s.record(d)
		case "http", "https":
			if sub.Attributes["RawMessageDelivery"] == "true" {
				d.Body = text
			} else {
				env := envelope{Type: "Notification", MessageID: msgID, TopicArn: topic.Arn, Subject: in.Subject, Message: text,
					Timestamp: timestamp(now), SignatureVersion: "1", Signature: unsignedSignature,
					SigningCertURL: s.endpoint(topic.Region) + "/SimpleNotificationService-devopsim.pem",
					UnsubscribeURL: s.unsubscribeURL(topic.Region, sub.Arn)}
				if len(names) > 0 {
					env.MessageAttributes = map[string]envelopeAttr{}
					for _, n := range names {
						a := in.MessageAttributes[n]
						v := a.StringValue
						if strings.HasPrefix(a.DataType, "Binary") {
							v = base64.StdEncoding.EncodeToString(a.BinaryValue)
						}
						env.MessageAttributes[n] = envelopeAttr{Type: a.DataType, Value: v}
					}
				}
				b, _ := json.Marshal(env)
				d.Body = string(b)
			}
			s.postHTTP(d, "Notification", sub)
		case "email-json":
			b, _ := json.Marshal(envelope{Type: "Notification", MessageID: msgID, TopicArn: topic.Arn, Subject: in.Subject, Message: text,
				Timestamp: timestamp(now), SignatureVersion: "1", Signature: unsignedSignature,
				SigningCertURL: s.endpoint(topic.Region) + "/SimpleNotificationService-devopsim.pem", UnsubscribeURL: s.unsubscribeURL(topic.Region, sub.Arn)})
			d.Body, d.Status = string(b), "Sent"
			s.record(d)
		default: // email, sms: recorded as sent
			d.Body, d.Status = text, "Sent"
			if sub.Protocol == "email" {
				d.Body = text + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" + s.unsubscribeURL(topic.Region, sub.Arn)
			}
			s.record(d)
		}
	}
	return out, nil
}
