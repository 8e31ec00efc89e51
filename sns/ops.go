package sns

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type CreateTopicInput struct {
	Name                 string            `json:"Name"`
	Attributes           map[string]string `json:"Attributes,omitempty"`
	Tags                 []Tag             `json:"Tags,omitempty"`
	DataProtectionPolicy string            `json:"DataProtectionPolicy,omitempty"`
}

type CreateTopicOutput struct {
	TopicArn string `json:"TopicArn,omitempty"`
}

type DeleteTopicInput struct {
	TopicArn string `json:"TopicArn"`
}

type DeleteTopicOutput struct{}

type ListTopicsInput struct {
	NextToken string `json:"NextToken,omitempty"`
}

type Topic struct {
	TopicArn string `json:"TopicArn,omitempty"`
}

type ListTopicsOutput struct {
	Topics    []Topic `json:"Topics,omitempty"`
	NextToken string  `json:"NextToken,omitempty"`
}

type SubscribeInput struct {
	TopicArn              string            `json:"TopicArn"`
	Protocol              string            `json:"Protocol"`
	Endpoint              string            `json:"Endpoint,omitempty"`
	Attributes            map[string]string `json:"Attributes,omitempty"`
	ReturnSubscriptionArn bool              `json:"ReturnSubscriptionArn,omitzero"`
}

type SubscribeOutput struct {
	SubscriptionArn string `json:"SubscriptionArn,omitempty"`
}

type ConfirmSubscriptionInput struct {
	TopicArn                  string `json:"TopicArn"`
	Token                     string `json:"Token"`
	AuthenticateOnUnsubscribe string `json:"AuthenticateOnUnsubscribe,omitempty"`
}

type ConfirmSubscriptionOutput struct {
	SubscriptionArn string `json:"SubscriptionArn,omitempty"`
}

type UnsubscribeInput struct {
	SubscriptionArn string `json:"SubscriptionArn"`
}

type UnsubscribeOutput struct{}

type Subscription struct {
	SubscriptionArn string `json:"SubscriptionArn,omitempty"`
	Owner           string `json:"Owner,omitempty"`
	Protocol        string `json:"Protocol,omitempty"`
	Endpoint        string `json:"Endpoint,omitempty"`
	TopicArn        string `json:"TopicArn,omitempty"`
}

type ListSubscriptionsInput struct {
	NextToken string `json:"NextToken,omitempty"`
}

type ListSubscriptionsOutput struct {
	Subscriptions []Subscription `json:"Subscriptions,omitempty"`
	NextToken     string         `json:"NextToken,omitempty"`
}

type ListSubscriptionsByTopicInput struct {
	TopicArn  string `json:"TopicArn"`
	NextToken string `json:"NextToken,omitempty"`
}

type ListSubscriptionsByTopicOutput struct {
	Subscriptions []Subscription `json:"Subscriptions,omitempty"`
	NextToken     string         `json:"NextToken,omitempty"`
}

type PublishInput struct {
	TopicArn               string                           `json:"TopicArn,omitempty"`
	TargetArn              string                           `json:"TargetArn,omitempty"`
	PhoneNumber            string                           `json:"PhoneNumber,omitempty"`
	Message                string                           `json:"Message"`
	Subject                string                           `json:"Subject,omitempty"`
	MessageStructure       string                           `json:"MessageStructure,omitempty"`
	MessageAttributes      map[string]MessageAttributeValue `json:"MessageAttributes,omitempty"`
	MessageDeduplicationId string                           `json:"MessageDeduplicationId,omitempty"`
	MessageGroupId         string                           `json:"MessageGroupId,omitempty"`
}

type PublishOutput struct {
	MessageId      string `json:"MessageId,omitempty"`
	SequenceNumber string `json:"SequenceNumber,omitempty"`
}

type GetTopicAttributesInput struct {
	TopicArn string `json:"TopicArn"`
}

type GetTopicAttributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

type SetTopicAttributesInput struct {
	TopicArn       string `json:"TopicArn"`
	AttributeName  string `json:"AttributeName"`
	AttributeValue string `json:"AttributeValue,omitempty"`
}

type SetTopicAttributesOutput struct{}

type GetSubscriptionAttributesInput struct {
	SubscriptionArn string `json:"SubscriptionArn"`
}

type GetSubscriptionAttributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

type SetSubscriptionAttributesInput struct {
	SubscriptionArn string `json:"SubscriptionArn"`
	AttributeName   string `json:"AttributeName"`
	AttributeValue  string `json:"AttributeValue,omitempty"`
}

type SetSubscriptionAttributesOutput struct{}

type TagResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []Tag  `json:"Tags"`
}

type TagResourceOutput struct{}

type UntagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

type UntagResourceOutput struct{}

type ListTagsForResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
}

type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags,omitempty"`
}

var topicAttrs = map[string]bool{
	"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true, "TracingConfig": true,
	"SignatureVersion": true, "ContentBasedDeduplication": true, "ArchivePolicy": true, "FifoThroughputScope": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPFailureFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaFailureFeedbackRoleArn": true, "SQSSuccessFeedbackRoleArn": true,
	"SQSFailureFeedbackRoleArn": true, "DataProtectionPolicy": true,
}

var subAttrs = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

func (s *Service) CreateTopic(ctx context.Context, in *CreateTopicInput) (*CreateTopicOutput, error) {
	return dispatchDo(ctx, s, "CreateTopic", in, s.createTopic)
}

func (s *Service) createTopic(ctx context.Context, in *CreateTopicInput) (*CreateTopicOutput, error) {
	fifo := in.Attributes["FifoTopic"] == "true"
	base := in.Name
	if strings.HasSuffix(base, ".fifo") {
		base = strings.TrimSuffix(base, ".fifo")
		if !fifo {
			return nil, invalid("Topic Name")
		}
	} else if fifo {
		return nil, invalid("Fifo Topic names must end with .fifo and they must be created with FifoTopic attribute set to true")
	}
	if !topicNameRE.MatchString(base) || len(in.Name) > 256 {
		return nil, invalid("Topic Name")
	}
	for k, v := range in.Attributes {
		if k == "FifoTopic" {
			if v != "true" && v != "false" {
				return nil, invalid("Attributes Reason: FifoTopic must be true or false")
			}
			continue
		}
		if !topicAttrs[k] {
			return nil, invalid("Attributes Reason: Unknown attribute %s", k)
		}
	}
	acct, region := core.Scope(ctx)
	rec := topicRecord{Name: in.Name, Arn: core.ARN(ctx, "sns", in.Name), Account: acct, Region: region,
		Attributes: in.Attributes, Tags: tagMap(in.Tags), Created: s.env.Clock.Now()}
	err := s.topics.Create(ctx, topicKey(acct, region, in.Name), rec)
	if errors.Is(err, store.ErrExists) {
		old, err := s.topics.Get(ctx, topicKey(acct, region, in.Name))
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		for k, v := range in.Attributes {
			if old.Attributes[k] != v {
				return nil, invalid("Attributes Reason: Topic already exists with different attributes")
			}
		}
		return &CreateTopicOutput{TopicArn: old.Arn}, nil
	}
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	return &CreateTopicOutput{TopicArn: rec.Arn}, nil
}

func (s *Service) DeleteTopic(ctx context.Context, in *DeleteTopicInput) (*DeleteTopicOutput, error) {
	return dispatchDo(ctx, s, "DeleteTopic", in, func(ctx context.Context, in *DeleteTopicInput) (*DeleteTopicOutput, error) {
		rec, err := s.getTopic(ctx, in.TopicArn)
		if errors.Is(err, ErrNotFound) {
			return &DeleteTopicOutput{}, nil // deleting a topic that does not exist is not an error
		}
		if err != nil {
			return nil, err
		}
		key := topicKey(rec.Account, rec.Region, rec.Name)
		subs, err := s.subs.All(ctx, key+"/")
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		if err := store.DeletePrefix(ctx, s.env.Store, s.subs.Prefix()+key+"/"); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		if err := s.topics.Delete(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		s.mu.Lock()
		for _, sub := range subs {
			delete(s.handlers, sub.Arn)
		}
		s.mu.Unlock()
		return &DeleteTopicOutput{}, nil
	})
}

// page pages a sorted list of n items by index; the token is the next index.
func page(n int, token string, size int) (start, end int, next string, err error) {
	if token != "" {
		start, err = strconv.Atoi(token)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", invalid("NextToken")
		}
	}
	end = start + size
	if end >= n {
		return start, n, "", nil
	}
	return start, end, strconv.Itoa(end), nil
}

func (s *Service) ListTopics(ctx context.Context, in *ListTopicsInput) (*ListTopicsOutput, error) {
	return dispatchDo(ctx, s, "ListTopics", in, func(ctx context.Context, in *ListTopicsInput) (*ListTopicsOutput, error) {
		recs, err := s.topics.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		start, end, next, err := page(len(recs), in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		out := &ListTopicsOutput{NextToken: next}
		for _, r := range recs[start:end] {
			out.Topics = append(out.Topics, Topic{TopicArn: r.Arn})
		}
		return out, nil
	})
}

func (s *Service) Subscribe(ctx context.Context, in *SubscribeInput) (*SubscribeOutput, error) {
	return dispatchDo(ctx, s, "Subscribe", in, func(ctx context.Context, in *SubscribeInput) (*SubscribeOutput, error) {
		return s.subscribe(ctx, in, nil)
	})
}

// goProtocol is the protocol of subscriptions made with SubscribeFunc.
const goProtocol = "devopsim-go"

func (s *Service) subscribe(ctx context.Context, in *SubscribeInput, fn Handler) (*SubscribeOutput, error) {
	topic, err := s.getTopic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	proto := strings.ToLower(in.Protocol)
	confirmed := false
	switch proto {
	case "http", "https":
		if !strings.HasPrefix(strings.ToLower(in.Endpoint), proto+"://") {
			return nil, invalid("Endpoint must match the specified protocol")
		}
	case "email", "email-json":
		if at := strings.IndexByte(in.Endpoint, '@'); at <= 0 || at == len(in.Endpoint)-1 {
			return nil, invalid("Email address")
		}
	case "sms":
		if !validPhone(in.Endpoint) {
			return nil, invalid("Invalid SMS endpoint: %s", in.Endpoint)
		}
		confirmed = true
	case goProtocol:
		if fn == nil {
			return nil, invalid("Protocol %s is only for Go subscriptions (SubscribeFunc)", goProtocol)
		}
		confirmed = true
	case "sqs", "lambda", "firehose", "application":
		return nil, invalid("Protocol %s: devopsim does not deliver to %s endpoints; subscribe an http/https endpoint or a Go handler (SubscribeFunc)", proto, proto)
	default:
		return nil, invalid("Invalid protocol type: %s", in.Protocol)
	}
	for k := range in.Attributes {
		if !subAttrs[k] {
			return nil, invalid("Attributes Reason: Unknown attribute %s", k)
		}
	}
	if err := checkFilterPolicy(in.Attributes["FilterPolicy"]); err != nil {
		return nil, err
	}
	if err := checkFilterScope(in.Attributes["FilterPolicyScope"]); err != nil {
		return nil, err
	}
	key := topicKey(topic.Account, topic.Region, topic.Name)
	existing, err := s.subs.All(ctx, key+"/")
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	if proto != goProtocol {
		for _, e := range existing {
			if e.Protocol == proto && e.Endpoint == in.Endpoint {
				if e.Confirmed || in.ReturnSubscriptionArn {
					return &SubscribeOutput{SubscriptionArn: e.Arn}, nil
				}
				return &SubscribeOutput{SubscriptionArn: "pending confirmation"}, nil
			}
		}
	}
	id := uuid.NewString()
	endpoint := in.Endpoint
	if proto == goProtocol {
		endpoint = "go:" + id
	}
	acct, _ := core.Scope(ctx)
	sub := subRecord{Arn: topic.Arn + ":" + id, TopicArn: topic.Arn, Owner: acct, Protocol: proto, Endpoint: endpoint,
		Confirmed: confirmed, Attributes: in.Attributes, Created: s.env.Clock.Now()}
	if !confirmed {
		sub.Token = newToken()
	}
	if fn != nil {
		s.mu.Lock()
		s.handlers[sub.Arn] = fn
		s.mu.Unlock()
	}
	if err := s.subs.Create(ctx, key+"/"+id, sub); err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	if !confirmed {
		s.sendConfirmation(topic, sub)
	}
	if confirmed || in.ReturnSubscriptionArn {
		return &SubscribeOutput{SubscriptionArn: sub.Arn}, nil
	}
	return &SubscribeOutput{SubscriptionArn: "pending confirmation"}, nil
}

func validPhone(p string) bool {
	if len(p) < 8 || len(p) > 16 || p[0] != '+' {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (s *Service) sendConfirmation(topic topicRecord, sub subRecord) {
	now := s.env.Clock.Now()
	msg := "You have chosen to subscribe to the topic " + topic.Arn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
	surl := s.subscribeURL(topic.Region, topic.Arn, sub.Token)
	d := Delivery{Time: now, Kind: "SubscriptionConfirmation", MessageID: uuid.NewString(), TopicArn: topic.Arn,
		SubscriptionArn: sub.Arn, Protocol: sub.Protocol, Endpoint: sub.Endpoint, Message: msg}
	switch sub.Protocol {
	case "http", "https":
		body, _ := json.Marshal(envelope{Type: "SubscriptionConfirmation", MessageID: d.MessageID, Token: sub.Token, TopicArn: topic.Arn,
			Message: msg, SubscribeURL: surl, Timestamp: timestamp(now), SignatureVersion: "1", Signature: unsignedSignature,
			SigningCertURL: s.endpoint(topic.Region) + "/SimpleNotificationService-devopsim.pem"})
		d.Body = string(body)
		s.postHTTP(d, "SubscriptionConfirmation", sub)
	default: // email
		d.Subject = "AWS Notification - Subscription Confirmation"
		d.Body = msg + "\n" + surl
		d.Status = "Sent"
		s.record(d)
	}
}

// unsignedSignature stands where AWS puts the message signature (see doc.go).
const unsignedSignature = "devopsim-unsigned"

func (s *Service) ConfirmSubscription(ctx context.Context, in *ConfirmSubscriptionInput) (*ConfirmSubscriptionOutput, error) {
	return dispatchDo(ctx, s, "ConfirmSubscription", in, func(ctx context.Context, in *ConfirmSubscriptionInput) (*ConfirmSubscriptionOutput, error) {
		topic, err := s.getTopic(ctx, in.TopicArn)
		if err != nil {
			return nil, err
		}
		if in.Token == "" {
			return nil, invalid("Token")
		}
		key := topicKey(topic.Account, topic.Region, topic.Name)
		subs, err := s.subs.All(ctx, key+"/")
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		for _, sub := range subs {
			if sub.Token != "" && sub.Token == in.Token {
				id := sub.Arn[strings.LastIndexByte(sub.Arn, ':')+1:]
				_, err := s.subs.Update(ctx, key+"/"+id, func(v *subRecord) error {
					v.Confirmed = true
					if in.AuthenticateOnUnsubscribe == "true" {
						if v.Attributes == nil {
							v.Attributes = map[string]string{}
						}
						v.Attributes["ConfirmationWasAuthenticated"] = "true"
					}
					return nil
				})
				if err != nil {
					return nil, apierr.Wrap(err, "An internal error occurred.")
				}
				return &ConfirmSubscriptionOutput{SubscriptionArn: sub.Arn}, nil
			}
		}
		return nil, invalid("Token")
	})
}

// subKey finds the store key of a subscription ARN.
func subKey(arn string) (string, bool) {
	acct, region, rest, ok := parseArn(arn)
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", false
	}
	return topicKey(acct, region, rest[:i]) + "/" + rest[i+1:], true
}

func (s *Service) getSub(ctx context.Context, arn string) (string, subRecord, error) {
	key, ok := subKey(arn)
	if !ok {
		return "", subRecord{}, invalid("SubscriptionArn")
	}
	if !strings.HasPrefix(key, core.ScopeKey(ctx)) {
		return "", subRecord{}, ErrNotFound.With("Subscription does not exist")
	}
	rec, err := s.subs.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", rec, ErrNotFound.With("Subscription does not exist")
	}
	if err != nil {
		return "", rec, apierr.Wrap(err, "An internal error occurred.")
	}
	return key, rec, nil
}

func (s *Service) Unsubscribe(ctx context.Context, in *UnsubscribeInput) (*UnsubscribeOutput, error) {
	return dispatchDo(ctx, s, "Unsubscribe", in, func(ctx context.Context, in *UnsubscribeInput) (*UnsubscribeOutput, error) {
		key, _, err := s.getSub(ctx, in.SubscriptionArn)
		if err != nil {
			return nil, err
		}
		if err := s.subs.Delete(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		s.mu.Lock()
		delete(s.handlers, in.SubscriptionArn)
		s.mu.Unlock()
		return &UnsubscribeOutput{}, nil
	})
}

func subView(r subRecord) Subscription {
	arn := r.Arn
	if !r.Confirmed {
		arn = "PendingConfirmation"
	}
	return Subscription{SubscriptionArn: arn, Owner: r.Owner, Protocol: r.Protocol, Endpoint: r.Endpoint, TopicArn: r.TopicArn}
}

func (s *Service) ListSubscriptions(ctx context.Context, in *ListSubscriptionsInput) (*ListSubscriptionsOutput, error) {
	return dispatchDo(ctx, s, "ListSubscriptions", in, func(ctx context.Context, in *ListSubscriptionsInput) (*ListSubscriptionsOutput, error) {
		recs, err := s.subs.All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		start, end, next, err := page(len(recs), in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		out := &ListSubscriptionsOutput{NextToken: next}
		for _, r := range recs[start:end] {
			out.Subscriptions = append(out.Subscriptions, subView(r))
		}
		return out, nil
	})
}

func (s *Service) ListSubscriptionsByTopic(ctx context.Context, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsByTopicOutput, error) {
	return dispatchDo(ctx, s, "ListSubscriptionsByTopic", in, func(ctx context.Context, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsByTopicOutput, error) {
		topic, err := s.getTopic(ctx, in.TopicArn)
		if err != nil {
			return nil, err
		}
		recs, err := s.subs.All(ctx, topicKey(topic.Account, topic.Region, topic.Name)+"/")
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		start, end, next, err := page(len(recs), in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		out := &ListSubscriptionsByTopicOutput{NextToken: next}
		for _, r := range recs[start:end] {
			out.Subscriptions = append(out.Subscriptions, subView(r))
		}
		return out, nil
	})
}

const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

func defaultPolicy(arn, account string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` + arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + account + `"}}}]}`
}

func (s *Service) GetTopicAttributes(ctx context.Context, in *GetTopicAttributesInput) (*GetTopicAttributesOutput, error) {
	return dispatchDo(ctx, s, "GetTopicAttributes", in, func(ctx context.Context, in *GetTopicAttributesInput) (*GetTopicAttributesOutput, error) {
		t, err := s.getTopic(ctx, in.TopicArn)
		if err != nil {
			return nil, err
		}
		subs, err := s.subs.All(ctx, topicKey(t.Account, t.Region, t.Name)+"/")
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		confirmed, pending := 0, 0
		for _, sub := range subs {
			if sub.Confirmed {
				confirmed++
			} else {
				pending++
			}
		}
		attrs := map[string]string{
			"TopicArn": t.Arn, "Owner": t.Account, "Policy": defaultPolicy(t.Arn, t.Account), "DisplayName": "",
			"SubscriptionsConfirmed": strconv.Itoa(confirmed), "SubscriptionsPending": strconv.Itoa(pending),
			"SubscriptionsDeleted": "0", "EffectiveDeliveryPolicy": defaultDeliveryPolicy,
		}
		for k, v := range t.Attributes {
			attrs[k] = v
		}
		return &GetTopicAttributesOutput{Attributes: attrs}, nil
	})
}

func (s *Service) SetTopicAttributes(ctx context.Context, in *SetTopicAttributesInput) (*SetTopicAttributesOutput, error) {
	return dispatchDo(ctx, s, "SetTopicAttributes", in, func(ctx context.Context, in *SetTopicAttributesInput) (*SetTopicAttributesOutput, error) {
		t, err := s.getTopic(ctx, in.TopicArn)
		if err != nil {
			return nil, err
		}
		if !topicAttrs[in.AttributeName] {
			return nil, invalid("AttributeName")
		}
		if in.AttributeName == "Policy" || in.AttributeName == "DeliveryPolicy" {
			if in.AttributeValue != "" && !json.Valid([]byte(in.AttributeValue)) {
				return nil, invalid("%s: Invalid JSON", in.AttributeName)
			}
		}
		_, err = s.topics.Update(ctx, topicKey(t.Account, t.Region, t.Name), func(v *topicRecord) error {
			if v.Attributes == nil {
				v.Attributes = map[string]string{}
			}
			v.Attributes[in.AttributeName] = in.AttributeValue
			return nil
		})
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &SetTopicAttributesOutput{}, nil
	})
}

func (s *Service) GetSubscriptionAttributes(ctx context.Context, in *GetSubscriptionAttributesInput) (*GetSubscriptionAttributesOutput, error) {
	return dispatchDo(ctx, s, "GetSubscriptionAttributes", in, func(ctx context.Context, in *GetSubscriptionAttributesInput) (*GetSubscriptionAttributesOutput, error) {
		_, sub, err := s.getSub(ctx, in.SubscriptionArn)
		if err != nil {
			return nil, err
		}
		attrs := map[string]string{
			"SubscriptionArn": sub.Arn, "TopicArn": sub.TopicArn, "Owner": sub.Owner, "Protocol": sub.Protocol,
			"Endpoint": sub.Endpoint, "PendingConfirmation": strconv.FormatBool(!sub.Confirmed),
			"ConfirmationWasAuthenticated": "false", "RawMessageDelivery": "false",
		}
		for k, v := range sub.Attributes {
			attrs[k] = v
		}
		return &GetSubscriptionAttributesOutput{Attributes: attrs}, nil
	})
}

func (s *Service) SetSubscriptionAttributes(ctx context.Context, in *SetSubscriptionAttributesInput) (*SetSubscriptionAttributesOutput, error) {
	return dispatchDo(ctx, s, "SetSubscriptionAttributes", in, func(ctx context.Context, in *SetSubscriptionAttributesInput) (*SetSubscriptionAttributesOutput, error) {
		key, _, err := s.getSub(ctx, in.SubscriptionArn)
		if err != nil {
			return nil, err
		}
		if !subAttrs[in.AttributeName] {
			return nil, invalid("AttributeName")
		}
		switch in.AttributeName {
		case "FilterPolicy":
			if err := checkFilterPolicy(in.AttributeValue); err != nil {
				return nil, err
			}
		case "FilterPolicyScope":
			if err := checkFilterScope(in.AttributeValue); err != nil {
				return nil, err
			}
		}
		if in.AttributeName == "RawMessageDelivery" && in.AttributeValue != "true" && in.AttributeValue != "false" {
			return nil, invalid("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", in.AttributeValue)
		}
		_, err = s.subs.Update(ctx, key, func(v *subRecord) error {
			if v.Attributes == nil {
				v.Attributes = map[string]string{}
			}
			v.Attributes[in.AttributeName] = in.AttributeValue
			return nil
		})
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &SetSubscriptionAttributesOutput{}, nil
	})
}

func (s *Service) updateTopicTags(ctx context.Context, arn string, fn func(map[string]string) map[string]string) (map[string]string, error) {
	t, err := s.getTopic(ctx, arn)
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.NotFound, "ResourceNotFound", "Resource does not exist")
	}
	if err != nil {
		return nil, err
	}
	var out map[string]string
	_, err = s.topics.Update(ctx, topicKey(t.Account, t.Region, t.Name), func(v *topicRecord) error {
		v.Tags = fn(v.Tags)
		out = v.Tags
		return nil
	})
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	return out, nil
}

func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	return dispatchDo(ctx, s, "TagResource", in, func(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
		_, err := s.updateTopicTags(ctx, in.ResourceArn, func(m map[string]string) map[string]string {
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
		_, err := s.updateTopicTags(ctx, in.ResourceArn, func(m map[string]string) map[string]string {
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
		t, err := s.getTopic(ctx, in.ResourceArn)
		if errors.Is(err, ErrNotFound) {
			return nil, apierr.New(apierr.NotFound, "ResourceNotFound", "Resource does not exist")
		}
		if err != nil {
			return nil, err
		}
		out := &ListTagsForResourceOutput{}
		for _, k := range sortedKeys(t.Tags) {
			out.Tags = append(out.Tags, Tag{Key: k, Value: t.Tags[k]})
		}
		return out, nil
	})
}

func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}
