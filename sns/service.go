package sns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/deliverylog"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Errors callers match with errors.Is.
var (
	ErrNotFound          = apierr.New(apierr.NotFound, "NotFound", "not found")
	ErrInvalidParameter  = apierr.New(apierr.Invalid, "InvalidParameter", "Invalid parameter")
	ErrAuthorizationErr  = apierr.New(apierr.Denied, "AuthorizationError", "not authorized")
	ErrTopicLimit        = apierr.New(apierr.LimitExceeded, "TopicLimitExceeded", "Topic limit exceeded")
	ErrSubscriptionLimit = apierr.New(apierr.LimitExceeded, "SubscriptionLimitExceeded", "Subscription limit exceeded")
)

// Options configure the service. The zero value delivers http/https notifications with a
// plain http.Client and builds URLs that point at AWS's endpoint.
type Options struct {
	// HTTPClient makes http/https deliveries (default: a client with a 15 s timeout).
	HTTPClient *http.Client
	// Endpoint is the base URL of this platform's SNS endpoint, used in SubscribeURL and
	// UnsubscribeURL (e.g. "http://127.0.0.1:4566"). Empty gives https://sns.<region>.amazonaws.com.
	Endpoint string
	// DeliveryLog is how many recent deliveries Deliveries remembers (default 1000).
	DeliveryLog int
}

// Service is Amazon SNS, enough to be a real notification target. It is safe for concurrent
// use.
type Service struct {
	env    *core.Env
	d      *dispatch.Dispatcher
	opts   Options
	log    *slog.Logger
	client *http.Client
	topics *store.Table[topicRecord]
	subs   *store.Table[subRecord]

	mu       sync.RWMutex
	handlers map[string]Handler // by subscription ARN
	policies sync.Map           // filter policy text -> *pattern.Pattern

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	deliveries *deliverylog.Log[Delivery]
}

// Message is a notification as a Go handler receives it.
type Message struct {
	Type              string // "Notification"
	MessageID         string
	TopicArn          string
	SubscriptionArn   string
	Subject           string
	Message           string
	Timestamp         time.Time
	MessageAttributes map[string]MessageAttributeValue
}

// Handler receives the notifications of a Go subscription. It runs outside any lock, on the
// publisher's goroutine, and must not block for long.
type Handler func(ctx context.Context, m *Message) error

// Delivery is one notification (or confirmation request) sent to one endpoint.
type Delivery struct {
	Seq             uint64
	Time            time.Time
	Kind            string // "Notification" or "SubscriptionConfirmation"
	MessageID       string
	TopicArn        string
	SubscriptionArn string
	Protocol        string
	Endpoint        string
	Subject         string
	Message         string
	// Body is exactly what was sent to an http/https endpoint (the JSON envelope, or the raw
	// message with RawMessageDelivery); for email and sms it is the text that would be sent.
	Body   string
	Status string // "Delivered", "Failed", or "Sent" (email/sms, recorded not sent)
	Error  string
}

type topicRecord struct {
	Name       string            `json:"name"`
	Arn        string            `json:"arn"`
	Account    string            `json:"account"`
	Region     string            `json:"region"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Created    time.Time         `json:"created"`
}

type subRecord struct {
	Arn        string            `json:"arn"`
	TopicArn   string            `json:"topicArn"`
	Owner      string            `json:"owner"`
	Protocol   string            `json:"protocol"`
	Endpoint   string            `json:"endpoint"`
	Confirmed  bool              `json:"confirmed"`
	Token      string            `json:"token,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Created    time.Time         `json:"created"`
}

// New returns the SNS service.
func New(env *core.Env, opts Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("sns: nil env")
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.DeliveryLog <= 0 {
		opts.DeliveryLog = 1000
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	s := &Service{
		deliveries: deliverylog.New(opts.DeliveryLog, func(d *Delivery, seq uint64) { d.Seq = seq }),
		env:        env, d: env.Dispatcher("sns", "sns.amazonaws.com"), opts: opts, log: log, client: client,
		topics:   store.NewTable[topicRecord](env.Store, "sns/topic/"),
		subs:     store.NewTable[subRecord](env.Store, "sns/sub/"),
		handlers: map[string]Handler{},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Close cancels http deliveries in flight and waits for them.
func (s *Service) Close(ctx context.Context) error {
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait waits until the http/https deliveries started so far are done (or ctx ends).
func (s *Service) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Deliveries returns the recent deliveries of a topic ("" for all), oldest first.
func (s *Service) Deliveries(topicArn string) []Delivery {
	return s.deliveries.List(func(d *Delivery) bool { return topicArn == "" || d.TopicArn == topicArn })
}

func (s *Service) record(d Delivery) { s.deliveries.Add(d) }

func invalid(format string, args ...any) *apierr.Error {
	return ErrInvalidParameter.With("Invalid parameter: "+format, args...)
}

var topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// parseArn splits an SNS ARN into account, region and the rest (topic[:sub]).
func parseArn(arn string) (account, region, rest string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "sns" || p[3] == "" || p[4] == "" || p[5] == "" {
		return "", "", "", false
	}
	return p[4], p[3], p[5], true
}

func topicKey(account, region, name string) string { return account + "/" + region + "/" + name }

func (s *Service) getTopic(ctx context.Context, arn string) (topicRecord, error) {
	acct, region, name, ok := parseArn(arn)
	if !ok || strings.Contains(name, ":") {
		return topicRecord{}, invalid("TopicArn")
	}
	if a, r := core.Scope(ctx); a != acct || r != region {
		// topics live in their own account and region; cross-account access is not modelled
		return topicRecord{}, ErrNotFound.With("Topic does not exist")
	}
	rec, err := s.topics.Get(ctx, topicKey(acct, region, name))
	if errors.Is(err, store.ErrNotFound) {
		return rec, ErrNotFound.With("Topic does not exist")
	}
	if err != nil {
		return rec, apierr.Wrap(err, "An internal error occurred.")
	}
	return rec, nil
}

func newToken() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Service) endpoint(region string) string {
	if s.opts.Endpoint != "" {
		return strings.TrimRight(s.opts.Endpoint, "/")
	}
	return "https://sns." + region + ".amazonaws.com"
}

func (s *Service) subscribeURL(region, topicArn, token string) string {
	return s.endpoint(region) + "/?Action=ConfirmSubscription&Version=2010-03-31&TopicArn=" + url.QueryEscape(topicArn) + "&Token=" + token
}

func (s *Service) unsubscribeURL(region, subArn string) string {
	return s.endpoint(region) + "/?Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=" + url.QueryEscape(subArn)
}

// MessageAttributeValue is a message attribute.
type MessageAttributeValue struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// envelope is the JSON body SNS POSTs to http/https endpoints.
type envelope struct {
	Type              string                  `json:"Type"`
	MessageID         string                  `json:"MessageId"`
	Token             string                  `json:"Token,omitempty"`
	TopicArn          string                  `json:"TopicArn"`
	Subject           string                  `json:"Subject,omitempty"`
	Message           string                  `json:"Message"`
	SubscribeURL      string                  `json:"SubscribeURL,omitempty"`
	Timestamp         string                  `json:"Timestamp"`
	SignatureVersion  string                  `json:"SignatureVersion"`
	Signature         string                  `json:"Signature"`
	SigningCertURL    string                  `json:"SigningCertURL"`
	UnsubscribeURL    string                  `json:"UnsubscribeURL,omitempty"`
	MessageAttributes map[string]envelopeAttr `json:"MessageAttributes,omitempty"`
}

type envelopeAttr struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// postHTTP sends one body to an http/https endpoint in the background, retrying on the
// platform clock (3 retries, 20 s apart, AWS's default delivery policy), and records the
// outcome.
func (s *Service) postHTTP(d Delivery, msgType string, sub subRecord) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var err error
		for attempt := 0; attempt < 4; attempt++ {
			if attempt > 0 {
				if clock.Sleep(s.ctx, s.env.Clock, 20*time.Second) != nil {
					break
				}
			}
			err = s.post(d, msgType, sub)
			if err == nil {
				break
			}
		}
		if err != nil {
			d.Status, d.Error = "Failed", err.Error()
		} else {
			d.Status = "Delivered"
		}
		s.record(d)
	}()
}

func (s *Service) post(d Delivery, msgType string, sub subRecord) error {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, sub.Endpoint, bytes.NewReader([]byte(d.Body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	req.Header.Set("x-amz-sns-message-type", msgType)
	req.Header.Set("x-amz-sns-message-id", d.MessageID)
	req.Header.Set("x-amz-sns-topic-arn", d.TopicArn)
	if msgType == "Notification" {
		req.Header.Set("x-amz-sns-subscription-arn", sub.Arn)
	}
	if sub.Attributes["RawMessageDelivery"] == "true" && msgType == "Notification" {
		req.Header.Set("x-amz-sns-rawdelivery", "true")
	}
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", res.Status)
	}
	return nil
}

// caller returns ctx acting in the account and region of an ARN, as SNS itself.
func inScope(ctx context.Context, account, region string) context.Context {
	c, _ := identity.From(ctx)
	c.Account, c.Region = account, region
	return identity.With(ctx, c)
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func validSubject(s string) bool {
	if s == "" || len(s) > 100 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '\n' {
			return false
		}
	}
	return true
}
