package sns_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/internal/awsapi/snsapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/sns"
)

// Visiting the SubscribeURL of an email confirmation (a plain GET, unsigned, as a browser or
// curl would) confirms the subscription.
func TestSubscribeURLConfirms(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	h := awstest.Handler(t, snsapi.Service(svc))
	topic, _ := svc.CreateTopic(ctx, &sns.CreateTopicInput{Name: "t"})
	if _, err := svc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: "email", Endpoint: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	ds := svc.Deliveries(topic.TopicArn)
	if len(ds) != 1 {
		t.Fatalf("deliveries %+v", ds)
	}
	lines := strings.Split(ds[0].Body, "\n")
	u, err := url.Parse(lines[len(lines)-1])
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/?"+u.RawQuery, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<SubscriptionArn>"+topic.TopicArn+":") {
		t.Fatalf("GET SubscribeURL: %d %s", rec.Code, rec.Body.String())
	}
	out, _ := svc.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	if len(out.Subscriptions) != 1 || out.Subscriptions[0].SubscriptionArn == "PendingConfirmation" {
		t.Fatalf("still pending: %+v", out.Subscriptions)
	}
}
