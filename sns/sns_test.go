package sns_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awsapi/snsapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/sns"
	"github.com/devopsim/devopsim/store/memstore"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newService(t *testing.T) (*sns.Service, *awssns.Client) {
	t.Helper()
	env := awstest.EnvWith(t, clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	svc, err := sns.New(env, sns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	return svc, awssns.NewFromConfig(awstest.Config(t, snsapi.Service(svc)))
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

type received struct {
	mu     sync.Mutex
	bodies []map[string]any
	heads  []http.Header
}

func (r *received) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	r.mu.Lock()
	r.bodies = append(r.bodies, m)
	r.heads = append(r.heads, req.Header.Clone())
	r.mu.Unlock()
}

func TestSDKRoundTrip(t *testing.T) {
	ctx := context.Background()
	svc, c := newService(t)
	rcv := &received{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()

	ct, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("alerts"), Attributes: map[string]string{"DisplayName": "Alerts"},
		Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := *ct.TopicArn
	if arn != "arn:aws:sns:us-east-1:000000000000:alerts" {
		t.Fatalf("arn %s", arn)
	}
	again, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil || *again.TopicArn != arn {
		t.Fatalf("idempotent create %v %v", again, err)
	}
	if _, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("bad name!")}); apiCode(err) != "InvalidParameter" {
		t.Fatalf("bad name: %v", err)
	}
	lt, err := c.ListTopics(ctx, &awssns.ListTopicsInput{})
	if err != nil || len(lt.Topics) != 1 {
		t.Fatalf("list topics %+v %v", lt, err)
	}

	// http: confirmation handshake, then a notification
	sub, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("http"), Endpoint: aws.String(srv.URL + "/hook")})
	if err != nil || *sub.SubscriptionArn != "pending confirmation" {
		t.Fatalf("subscribe http %v %v", sub, err)
	}
	svc.Wait(ctx)
	rcv.mu.Lock()
	if len(rcv.bodies) != 1 || rcv.bodies[0]["Type"] != "SubscriptionConfirmation" || rcv.heads[0].Get("x-amz-sns-message-type") != "SubscriptionConfirmation" {
		t.Fatalf("confirmation %+v", rcv.bodies)
	}
	token := rcv.bodies[0]["Token"].(string)
	if !strings.Contains(rcv.bodies[0]["SubscribeURL"].(string), "Action=ConfirmSubscription") {
		t.Fatalf("SubscribeURL %v", rcv.bodies[0]["SubscribeURL"])
	}
	rcv.mu.Unlock()
	if _, err := c.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: &arn, Token: aws.String("wrong")}); apiCode(err) != "InvalidParameter" {
		t.Fatalf("bad token: %v", err)
	}
	cs, err := c.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: &arn, Token: &token})
	if err != nil || !strings.HasPrefix(*cs.SubscriptionArn, arn+":") {
		t.Fatalf("confirm %v %v", cs, err)
	}
	httpSub := *cs.SubscriptionArn

	// email pending, sms confirmed, sqs refused, Go handler
	es, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	if err != nil || *es.SubscriptionArn != "pending confirmation" {
		t.Fatalf("email %v %v", es, err)
	}
	if _, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:q")})
	if apiCode(err) != "InvalidParameter" || !strings.Contains(err.Error(), "does not deliver to sqs") {
		t.Fatalf("sqs: %v", err)
	}
	var got []*sns.Message
	goSub, err := svc.SubscribeFunc(ctx, arn, func(ctx context.Context, m *sns.Message) error {
		got = append(got, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	pub, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &arn, Subject: aws.String("Deploy"), Message: aws.String("v2 is live"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"env": {DataType: aws.String("String"), StringValue: aws.String("prod")}}})
	if err != nil || pub.MessageId == nil {
		t.Fatalf("publish %v %v", pub, err)
	}
	svc.Wait(ctx)
	rcv.mu.Lock()
	if len(rcv.bodies) != 2 {
		t.Fatalf("http got %d bodies", len(rcv.bodies))
	}
	n := rcv.bodies[1]
	if n["Type"] != "Notification" || n["Message"] != "v2 is live" || n["Subject"] != "Deploy" || n["MessageId"] != *pub.MessageId ||
		n["MessageAttributes"].(map[string]any)["env"].(map[string]any)["Value"] != "prod" || rcv.heads[1].Get("x-amz-sns-subscription-arn") != httpSub {
		t.Fatalf("notification %+v %v", n, rcv.heads[1])
	}
	rcv.mu.Unlock()
	if len(got) != 1 || got[0].Message != "v2 is live" || got[0].MessageAttributes["env"].StringValue != "prod" {
		t.Fatalf("go handler got %+v", got)
	}
	kinds := map[string]int{}
	for _, d := range svc.Deliveries(arn) {
		kinds[d.Protocol+"/"+d.Kind+"/"+d.Status]++
	}
	want := map[string]int{"http/SubscriptionConfirmation/Delivered": 1, "email/SubscriptionConfirmation/Sent": 1, "http/Notification/Delivered": 1,
		"sms/Notification/Sent": 1, "devopsim-go/Notification/Delivered": 1}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Fatalf("deliveries %v, want %v", kinds, want)
	}

	// publish errors
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &arn, Message: aws.String("")}); apiCode(err) != "InvalidParameter" {
		t.Fatalf("empty message: %v", err)
	}
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn + "x"), Message: aws.String("m")}); apiCode(err) != "NotFound" {
		t.Fatalf("missing topic: %v", err)
	}
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &arn, Message: aws.String(strings.Repeat("x", 256*1024+1))}); apiCode(err) != "InvalidParameter" {
		t.Fatalf("too long: %v", err)
	}

	// listing and attributes
	ls, err := c.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: &arn})
	if err != nil || len(ls.Subscriptions) != 4 {
		t.Fatalf("subs by topic %+v %v", ls, err)
	}
	la, err := c.ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	if err != nil || len(la.Subscriptions) != 4 {
		t.Fatalf("subs %+v %v", la, err)
	}
	ga, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: &arn})
	if err != nil || ga.Attributes["DisplayName"] != "Alerts" || ga.Attributes["SubscriptionsConfirmed"] != "3" || ga.Attributes["SubscriptionsPending"] != "1" {
		t.Fatalf("attributes %+v %v", ga, err)
	}
	if _, err := c.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("New")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("Bogus"), AttributeValue: aws.String("x")}); apiCode(err) != "InvalidParameter" {
		t.Fatalf("bogus attribute: %v", err)
	}
	if _, err := c.SetSubscriptionAttributes(ctx, &awssns.SetSubscriptionAttributesInput{SubscriptionArn: &httpSub, AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")}); err != nil {
		t.Fatal(err)
	}
	sa, err := c.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: &httpSub})
	if err != nil || sa.Attributes["RawMessageDelivery"] != "true" || sa.Attributes["Protocol"] != "http" {
		t.Fatalf("sub attributes %+v %v", sa, err)
	}
	c.Publish(ctx, &awssns.PublishInput{TopicArn: &arn, Message: aws.String("raw body")})
	svc.Wait(ctx)
	rcv.mu.Lock()
	if last := rcv.heads[len(rcv.heads)-1]; last.Get("x-amz-sns-rawdelivery") != "true" {
		t.Fatalf("raw delivery headers %v", last)
	}
	rcv.mu.Unlock()

	// tags
	if _, err := c.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: &arn, Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &awssns.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tg, err := c.ListTagsForResource(ctx, &awssns.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil || len(tg.Tags) != 1 || *tg.Tags[0].Key != "env" {
		t.Fatalf("tags %+v %v", tg, err)
	}

	// unsubscribe and delete
	if _, err := c.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: &goSub}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: &goSub}); apiCode(err) != "NotFound" {
		t.Fatalf("unsubscribe twice: %v", err)
	}
	if _, err := c.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: &arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: &arn}); err != nil {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: &arn}); apiCode(err) != "NotFound" {
		t.Fatalf("after delete: %v", err)
	}
}

func TestFIFO(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	if _, err := svc.CreateTopic(ctx, &sns.CreateTopicInput{Name: "orders.fifo"}); !errors.Is(err, sns.ErrInvalidParameter) {
		t.Fatalf("fifo without attribute: %v", err)
	}
	ct, err := svc.CreateTopic(ctx, &sns.CreateTopicInput{Name: "orders.fifo", Attributes: map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: "m"}); !errors.Is(err, sns.ErrInvalidParameter) {
		t.Fatalf("no group id: %v", err)
	}
	a, _ := svc.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: "m", MessageGroupId: "g"})
	b, _ := svc.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: "m", MessageGroupId: "g"})
	if a.SequenceNumber >= b.SequenceNumber {
		t.Fatalf("sequence %s then %s", a.SequenceNumber, b.SequenceNumber)
	}
}

func TestConcurrentPublish(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	ct, _ := svc.CreateTopic(ctx, &sns.CreateTopicInput{Name: "t"})
	var mu sync.Mutex
	n := 0
	svc.SubscribeFunc(ctx, ct.TopicArn, func(ctx context.Context, m *sns.Message) error {
		mu.Lock()
		n++
		mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if _, err := svc.PublishToTopic(ctx, ct.TopicArn, "", "hello"); err != nil {
					t.Error(err)
				}
				svc.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
			}
		}()
	}
	wg.Wait()
	if n != 200 {
		t.Fatalf("handler ran %d times", n)
	}
}

func ExampleService_SubscribeFunc() {
	ctx := context.Background()
	env := &core.Env{Clock: clock.Real(), Store: memstore.New(), Log: slog.New(slog.DiscardHandler), Events: eventbus.New(),
		Hooks: &dispatch.Hooks{}, Account: core.DefaultAccount, Region: core.DefaultRegion}
	svc, _ := sns.New(env, sns.Options{})
	defer svc.Close(ctx)
	topic, _ := svc.CreateTopic(ctx, &sns.CreateTopicInput{Name: "deployments"})
	svc.SubscribeFunc(ctx, topic.TopicArn, func(ctx context.Context, m *sns.Message) error {
		fmt.Println(m.Subject+":", m.Message)
		return nil
	})
	svc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Subject: "Deploy", Message: "v2 is live"})
	// Output: Deploy: v2 is live
}

func TestFilterPolicies(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	ct, _ := svc.CreateTopic(ctx, &sns.CreateTopicInput{Name: "orders"})
	var attrGot, bodyGot []string
	a, err := svc.SubscribeFunc(ctx, ct.TopicArn, func(ctx context.Context, m *sns.Message) error { attrGot = append(attrGot, m.Message); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: a, AttributeName: "FilterPolicy",
		AttributeValue: `{"store":["example_corp"],"price_usd":[{"numeric":[">=",100]}]}`}); err != nil {
		t.Fatal(err)
	}
	b, _ := svc.SubscribeFunc(ctx, ct.TopicArn, func(ctx context.Context, m *sns.Message) error { bodyGot = append(bodyGot, m.Message); return nil })
	svc.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: b, AttributeName: "FilterPolicyScope", AttributeValue: "MessageBody"})
	svc.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: b, AttributeName: "FilterPolicy", AttributeValue: `{"order":{"status":["shipped"]}}`})
	if _, err := svc.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: b, AttributeName: "FilterPolicy", AttributeValue: `{"a":[{"numeric":5}]}`}); !errors.Is(err, sns.ErrInvalidParameter) {
		t.Fatalf("bad policy: %v", err)
	}
	attrs := func(store, price string) map[string]sns.MessageAttributeValue {
		return map[string]sns.MessageAttributeValue{"store": {DataType: "String", StringValue: store}, "price_usd": {DataType: "Number", StringValue: price}}
	}
	svc.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: "m1", MessageAttributes: attrs("example_corp", "150")})
	svc.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: "m2", MessageAttributes: attrs("example_corp", "50")})
	svc.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: `{"order":{"status":"shipped"}}`})
	svc.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: `{"order":{"status":"pending"}}`})
	if fmt.Sprint(attrGot) != "[m1]" || fmt.Sprint(bodyGot) != `[{"order":{"status":"shipped"}}]` {
		t.Fatalf("attribute filter got %v, body filter got %v", attrGot, bodyGot)
	}
}
