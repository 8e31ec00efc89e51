package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/awsapi/eventsapi"
	"github.com/devopsim/devopsim/internal/awstest"
	"github.com/devopsim/devopsim/sns"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type fakeTopics struct {
	mu   sync.Mutex
	msgs []string
}

func (f *fakeTopics) PublishToTopic(ctx context.Context, arn, subject, msg string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, arn+" "+msg)
	return fmt.Sprint(len(f.msgs)), nil
}

type fakeTargets struct {
	mu      sync.Mutex
	calls   []string
	logErr  error
	buildID string
}

func (f *fakeTargets) add(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}
func (f *fakeTargets) PutEventToLogGroup(ctx context.Context, g string, t time.Time, m string) error {
	f.add("logs " + g)
	return f.logErr
}
func (f *fakeTargets) StartPipelineFromEvent(ctx context.Context, p string) (string, error) {
	f.add("pipeline " + p)
	return "exec-1", nil
}
func (f *fakeTargets) StartBuildFromEvent(ctx context.Context, p string, in []byte) (string, error) {
	f.add("build " + p)
	return "build-1", nil
}
func (f *fakeTargets) InstanceAction(ctx context.Context, action, id string) error {
	f.add("ec2 " + action + " " + id)
	return nil
}

func newService(t *testing.T, clk clock.Clock, opts events.Options) (*events.Service, *eventbridge.Client) {
	t.Helper()
	env := awstest.EnvWith(t, clk)
	svc, err := events.New(env, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	client := eventbridge.NewFromConfig(awstest.Config(t, eventsapi.Service(svc)))
	return svc, client
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSDKRoundTrip(t *testing.T) {
	ctx := context.Background()
	svc, c := newService(t, clock.NewManual(t0), events.Options{SyncDelivery: true})
	var got []string
	var mu sync.Mutex
	svc.RegisterHandler("arn:aws:lambda:us-east-1:000000000000:function:fn", func(ctx context.Context, d *events.Delivery) error {
		mu.Lock()
		got = append(got, string(d.Input))
		mu.Unlock()
		return nil
	})

	// buses
	cb, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders"), Description: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	if *cb.EventBusArn != "arn:aws:events:us-east-1:000000000000:event-bus/orders" {
		t.Fatalf("arn %s", *cb.EventBusArn)
	}
	if _, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}); apiCode(err) != "ResourceAlreadyExistsException" {
		t.Fatalf("duplicate bus: %v", err)
	}
	db, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	if err != nil || *db.Name != "orders" || db.CreationTime == nil {
		t.Fatalf("describe bus %+v %v", db, err)
	}
	lb, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil || len(lb.EventBuses) != 2 {
		t.Fatalf("list buses %+v %v", lb, err)
	}
	if _, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("nope")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("missing bus: %v", err)
	}
	// UpdateEventBus: what is given changes, what is left out stays; the default bus too.
	ub, err := c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("orders"), KmsKeyIdentifier: aws.String("alias/orders"),
		DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")}})
	if err != nil || aws.ToString(ub.Description) != "d" || aws.ToString(ub.KmsKeyIdentifier) != "alias/orders" || aws.ToString(ub.Arn) != *cb.EventBusArn {
		t.Fatalf("update bus %+v %v", ub, err)
	}
	if _, err := c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("orders"), Description: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	db, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	if err != nil || aws.ToString(db.Description) != "" || aws.ToString(db.KmsKeyIdentifier) != "alias/orders" || aws.ToString(db.DeadLetterConfig.Arn) != "arn:aws:sqs:us-east-1:000000000000:dlq" {
		t.Fatalf("describe after update %+v %v", db, err)
	}
	if _, err := c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Description: aws.String("the default one")}); err != nil {
		t.Fatal(err)
	}
	lb, err = c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil || len(lb.EventBuses) != 2 || aws.ToString(lb.EventBuses[0].Name) != "default" || aws.ToString(lb.EventBuses[0].Description) != "the default one" {
		t.Fatalf("list after updating the default bus %+v %v", lb, err)
	}
	if _, err := c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("nope"), Description: aws.String("x")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("update a missing bus: %v", err)
	}

	// rules
	pat := `{"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}}`
	pr, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("big"), EventPattern: aws.String(pat), EventBusName: aws.String("orders"),
		Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	if *pr.RuleArn != "arn:aws:events:us-east-1:000000000000:rule/orders/big" {
		t.Fatalf("rule arn %s", *pr.RuleArn)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"a":[{"numeric":5}]}`)})
	if apiCode(err) != "InvalidEventPatternException" || !strings.Contains(err.Error(), "Value of numeric must be an array.") {
		t.Fatalf("bad pattern: %v", err)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("none")})
	if apiCode(err) != "ValidationException" {
		t.Fatalf("no pattern: %v", err)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("s"), ScheduleExpression: aws.String("rate(5 minute)")})
	if apiCode(err) != "ValidationException" {
		t.Fatalf("bad schedule: %v", err)
	}
	dr, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")})
	if err != nil || *dr.EventPattern != pat || dr.State != ebtypes.RuleStateEnabled {
		t.Fatalf("describe rule %+v %v", dr, err)
	}
	lr, err := c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("orders")})
	if err != nil || len(lr.Rules) != 1 {
		t.Fatalf("list rules %+v %v", lr, err)
	}

	// targets
	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:fn"),
			InputTransformer: &ebtypes.InputTransformer{
				InputPathsMap: map[string]string{"total": "$.detail.total", "id": "$.detail.id"},
				InputTemplate: aws.String(`{"order": <id>, "msg": "order <id> is worth <total>"}`),
			},
			RetryPolicy:      &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3)},
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")}},
	}})
	if err != nil || pt.FailedEntryCount != 0 {
		t.Fatalf("put targets %+v %v", pt, err)
	}
	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("big"), EventBusName: aws.String("orders")})
	if err != nil || len(lt.Targets) != 1 || *lt.Targets[0].RetryPolicy.MaximumRetryAttempts != 3 || *lt.Targets[0].DeadLetterConfig.Arn == "" {
		t.Fatalf("list targets %+v %v", lt, err)
	}
	ln, err := c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:fn"), EventBusName: aws.String("orders")})
	if err != nil || len(ln.RuleNames) != 1 || ln.RuleNames[0] != "big" {
		t.Fatalf("rule names %+v %v", ln, err)
	}

	// events
	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{"id":"o-1","total":150}`), EventBusName: aws.String("orders")},
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{"id":"o-2","total":50}`), EventBusName: aws.String("orders")},
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`not json`), EventBusName: aws.String("orders")},
		{Source: aws.String("aws.ec2"), DetailType: aws.String("x"), Detail: aws.String(`{}`)},
		{DetailType: aws.String("x"), Detail: aws.String(`{}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pe.FailedEntryCount != 3 || pe.Entries[0].EventId == nil || *pe.Entries[2].ErrorCode != "MalformedDetail" ||
		*pe.Entries[3].ErrorCode != "NotAuthorizedForSourceException" || *pe.Entries[4].ErrorCode != "InvalidArgument" {
		t.Fatalf("put events %+v", pe)
	}
	if len(got) != 1 || got[0] != `{"order": "o-1", "msg": "order o-1 is worth 150"}` {
		t.Fatalf("handler got %q", got)
	}
	many := make([]ebtypes.PutEventsRequestEntry, 11)
	for i := range many {
		many[i] = ebtypes.PutEventsRequestEntry{Source: aws.String("a"), DetailType: aws.String("b"), Detail: aws.String("{}")}
	}
	if _, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: many}); apiCode(err) != "ValidationException" {
		t.Fatalf("11 entries: %v", err)
	}
	big := strings.Repeat("x", 256*1024)
	if _, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("a"), DetailType: aws.String("b"), Detail: aws.String(`{"x":"` + big + `"}`)}}}); apiCode(err) != "ValidationException" {
		t.Fatalf("too big: %v", err)
	}

	// disable stops delivery
	if _, err := c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{"id":"o-3","total":500}`), EventBusName: aws.String("orders")}}})
	if len(got) != 1 {
		t.Fatalf("disabled rule delivered: %q", got)
	}
	if _, err := c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("nope")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("enable missing: %v", err)
	}

	// test event pattern
	tp, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["a"]}`),
		Event: aws.String(`{"id":"1","account":"1","source":"a","time":"2026-01-01T00:00:00Z","region":"r","detail-type":"x","resources":[]}`)})
	if err != nil || !tp.Result {
		t.Fatalf("test pattern %+v %v", tp, err)
	}
	if _, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["a"]}`), Event: aws.String(`{"source":"a"}`)}); apiCode(err) != "ValidationException" {
		t.Fatalf("incomplete event: %v", err)
	}

	// tags
	arn := pr.RuleArn
	if _, err := c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: arn, Tags: []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Fatalf("tags %+v %v", tags, err)
	}

	// delete: targets first
	if _, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}); apiCode(err) != "ValidationException" {
		t.Fatalf("delete with targets: %v", err)
	}
	rt, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("big"), EventBusName: aws.String("orders"), Ids: []string{"fn", "ghost"}})
	if err != nil || rt.FailedEntryCount != 1 {
		t.Fatalf("remove targets %+v %v", rt, err)
	}
	if _, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("default")}); apiCode(err) != "ValidationException" {
		t.Fatalf("delete default: %v", err)
	}
}

func TestTargetsAndPlatformEvents(t *testing.T) {
	ctx := context.Background()
	topics := &fakeTopics{}
	ft := &fakeTargets{}
	svc, _ := newService(t, clock.NewManual(t0), events.Options{Topics: topics, LogGroups: ft, Pipelines: ft, Builds: ft, Instances: ft})
	_, err := svc.PutRule(ctx, &events.PutRuleInput{Name: "launch", EventPattern: `{"source":["aws.autoscaling"],"detail-type":["EC2 Instance Launch Successful"]}`})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "launch", Targets: []events.Target{
		{Id: "sns", Arn: "arn:aws:sns:us-east-1:000000000000:alerts", InputPath: "$.detail.EC2InstanceId"},
		{Id: "logs", Arn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/asg:*"},
		{Id: "pipe", Arn: "arn:aws:codepipeline:us-east-1:000000000000:deploy"},
		{Id: "build", Arn: "arn:aws:codebuild:us-east-1:000000000000:project/smoke"},
		{Id: "stop", Arn: "arn:aws:events:us-east-1:000000000000:target/stop-instance", InputPath: "$.detail.EC2InstanceId"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "launch", Targets: []events.Target{{Id: "sixth", Arn: "arn:aws:sns:us-east-1:000000000000:x"}}})
	if !errors.Is(err, events.ErrLimitExceeded) {
		t.Fatalf("sixth target: %v", err)
	}
	// an event from the platform bus
	bus := eventbus.New()
	cancel := bus.Subscribe(svc.Deliver)
	defer cancel()
	bus.Publish(ctx, eventbus.Event{Source: "aws.autoscaling", DetailType: "EC2 Instance Launch Successful",
		Detail: json.RawMessage(`{"EC2InstanceId":"i-0123","AutoScalingGroupName":"web"}`)})
	bus.Publish(ctx, eventbus.Event{Source: "aws.ec2", DetailType: "EC2 Instance State-change Notification", Detail: json.RawMessage(`{}`)})
	if err := svc.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(topics.msgs) != 1 || topics.msgs[0] != "arn:aws:sns:us-east-1:000000000000:alerts i-0123" {
		t.Fatalf("sns got %q", topics.msgs)
	}
	want := "logs /aws/events/asg|pipeline deploy|build smoke|ec2 stop i-0123"
	if strings.Join(ft.calls, "|") != want {
		t.Fatalf("calls %q, want %q", ft.calls, want)
	}
	ds := svc.Deliveries("launch")
	if len(ds) != 5 {
		t.Fatalf("deliveries %d", len(ds))
	}
	for _, d := range ds {
		if d.Status != "Succeeded" {
			t.Fatalf("delivery %+v", d)
		}
	}
}

func TestUnwiredTargetFails(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, clock.NewManual(t0), events.Options{SyncDelivery: true})
	svc.PutRule(ctx, &events.PutRuleInput{Name: "r", EventPattern: `{"source":["x"]}`})
	svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "r", Targets: []events.Target{{Id: "q", Arn: "arn:aws:sqs:us-east-1:000000000000:q"}}})
	svc.PutEvents(ctx, &events.PutEventsInput{Entries: []events.PutEventsRequestEntry{{Source: "x", DetailType: "y", Detail: "{}"}}})
	ds := svc.Deliveries("r")
	if len(ds) != 1 || ds[0].Status != "Failed" || !strings.Contains(ds[0].Error, "sqs") {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestEventBusTarget(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, clock.NewManual(t0), events.Options{SyncDelivery: true})
	svc.CreateEventBus(ctx, &events.CreateEventBusInput{Name: "audit"})
	svc.PutRule(ctx, &events.PutRuleInput{Name: "fwd", EventPattern: `{"source":["app"]}`})
	svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "fwd", Targets: []events.Target{{Id: "bus", Arn: "arn:aws:events:us-east-1:000000000000:event-bus/audit"}}})
	svc.PutRule(ctx, &events.PutRuleInput{Name: "sink", EventBusName: "audit", EventPattern: `{"source":["app"]}`})
	n := 0
	svc.RegisterHandler("go:sink", func(ctx context.Context, d *events.Delivery) error { n++; return nil })
	svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "sink", EventBusName: "audit", Targets: []events.Target{{Id: "h", Arn: "go:sink"}}})
	svc.PutEvents(ctx, &events.PutEventsInput{Entries: []events.PutEventsRequestEntry{{Source: "app", DetailType: "y", Detail: "{}"}}})
	if n != 1 {
		t.Fatalf("forwarded %d", n)
	}
}

func TestSchedules(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(t0)
	svc, _ := newService(t, clk, events.Options{SyncDelivery: true})
	var mu sync.Mutex
	var times []time.Time
	svc.RegisterHandler("go:tick", func(ctx context.Context, d *events.Delivery) error {
		mu.Lock()
		times = append(times, d.Event.Time)
		mu.Unlock()
		if d.Event.DetailType != "Scheduled Event" || d.Event.Source != "aws.events" {
			t.Errorf("event %+v", d.Event)
		}
		return nil
	})
	if _, err := svc.PutRule(ctx, &events.PutRuleInput{Name: "tick", ScheduleExpression: "rate(5 minutes)"}); err != nil {
		t.Fatal(err)
	}
	svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "tick", Targets: []events.Target{{Id: "h", Arn: "go:tick"}}})
	if _, err := svc.PutRule(ctx, &events.PutRuleInput{Name: "noon", ScheduleExpression: "cron(0 12 * * ? *)"}); err != nil {
		t.Fatal(err)
	}
	svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "noon", Targets: []events.Target{{Id: "h", Arn: "go:tick"}}})
	if _, err := svc.PutRule(ctx, &events.PutRuleInput{Name: "x", ScheduleExpression: "rate(1 minute)", EventBusName: "custom"}); !errors.Is(err, events.ErrResourceNotFound) {
		t.Fatalf("schedule on missing bus: %v", err)
	}
	clk.Advance(time.Hour)
	mu.Lock()
	n := len(times)
	mu.Unlock()
	if n != 12 {
		t.Fatalf("rate(5 minutes) fired %d times in an hour", n)
	}
	if !times[0].Equal(t0.Add(5*time.Minute)) || !times[11].Equal(t0.Add(time.Hour)) {
		t.Fatalf("times %v .. %v", times[0], times[11])
	}
	svc.DisableRule(ctx, &events.DisableRuleInput{Name: "tick"})
	clk.Advance(12 * time.Hour)
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 13 || !times[12].Equal(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("after disable: %d firings, last %v", len(times), times[len(times)-1])
	}
}

func TestConcurrent(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, clock.Real(), events.Options{})
	var mu sync.Mutex
	n := 0
	svc.RegisterHandler("go:count", func(ctx context.Context, d *events.Delivery) error {
		mu.Lock()
		n++
		mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			name := fmt.Sprintf("r%d", g)
			if _, err := svc.PutRule(ctx, &events.PutRuleInput{Name: name, EventPattern: fmt.Sprintf(`{"source":["s%d"]}`, g)}); err != nil {
				t.Error(err)
				return
			}
			if _, err := svc.PutTargets(ctx, &events.PutTargetsInput{Rule: name, Targets: []events.Target{{Id: "c", Arn: "go:count"}}}); err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < 50; i++ {
				if _, err := svc.PutEvents(ctx, &events.PutEventsInput{Entries: []events.PutEventsRequestEntry{{Source: fmt.Sprintf("s%d", g), DetailType: "t", Detail: `{"i":1}`}}}); err != nil {
					t.Error(err)
				}
				svc.ListRules(ctx, &events.ListRulesInput{})
			}
		}(g)
	}
	wg.Wait()
	if err := svc.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n != 400 {
		t.Fatalf("delivered %d, want 400", n)
	}
}

// The seed scenario: an Auto Scaling launch event reaches an SNS subscriber.
func TestLaunchEventToSNS(t *testing.T) {
	ctx := context.Background()
	env := awstest.EnvWith(t, clock.NewManual(t0))
	topics, err := sns.New(env, sns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer topics.Close(ctx)
	svc, err := events.New(env, events.Options{Topics: topics})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close(ctx)
	cancel := awstest.Bus(env).Subscribe(svc.Deliver)
	defer cancel()

	topic, _ := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: "scaling"})
	var got []string
	topics.SubscribeFunc(ctx, topic.TopicArn, func(ctx context.Context, m *sns.Message) error {
		got = append(got, m.Message)
		return nil
	})
	svc.PutRule(ctx, &events.PutRuleInput{Name: "launch", EventPattern: `{"source":["aws.autoscaling"],"detail-type":["EC2 Instance Launch Successful"]}`})
	svc.PutTargets(ctx, &events.PutTargetsInput{Rule: "launch", Targets: []events.Target{{Id: "sns", Arn: topic.TopicArn}}})

	env.Events.Publish(ctx, eventbus.Event{Source: "aws.autoscaling", DetailType: "EC2 Instance Launch Successful",
		Resources: []string{"arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:uuid:autoScalingGroupName/web"},
		Detail:    json.RawMessage(`{"EC2InstanceId":"i-0abc","AutoScalingGroupName":"web"}`)})
	if err := svc.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("sns subscriber got %d messages", len(got))
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(got[0]), &ev); err != nil {
		t.Fatalf("message is not the event: %v", err)
	}
	if ev["detail-type"] != "EC2 Instance Launch Successful" || ev["account"] != "000000000000" || ev["detail"].(map[string]any)["EC2InstanceId"] != "i-0abc" {
		t.Fatalf("event %v", ev)
	}
}

// BenchmarkDeliver routes platform events through 100 rules (10 sources x 10 rules; each event
// matches one or two rules whose target is a no-op Go handler).
func BenchmarkDeliver(b *testing.B) {
	ctx := context.Background()
	env := awstest.EnvWith(b, clock.Real())
	svc, _ := events.New(env, events.Options{SyncDelivery: true})
	defer svc.Close(ctx)
	svc.RegisterHandler("go:nop", func(ctx context.Context, d *events.Delivery) error { return nil })
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("r%d", i)
		pat := fmt.Sprintf(`{"source":["src%d"],"detail-type":["type%d"],"detail":{"state":[{"prefix":"run"}],"n":[{"numeric":[">=",%d]}]}}`, i%10, i/10, i%3)
		if _, err := svc.PutRule(ctx, &events.PutRuleInput{Name: name, EventPattern: pat}); err != nil {
			b.Fatal(err)
		}
		svc.PutTargets(ctx, &events.PutTargetsInput{Rule: name, Targets: []events.Target{{Id: "t", Arn: "go:nop"}}})
	}
	evs := make([]eventbus.Event, 100)
	for i := range evs {
		evs[i] = eventbus.Event{Source: fmt.Sprintf("src%d", i%10), DetailType: fmt.Sprintf("type%d", (i/10)%12), Account: "000000000000", Region: "us-east-1",
			Detail: json.RawMessage(fmt.Sprintf(`{"state":"running","n":%d,"instance-id":"i-%d"}`, i%4, i))}
	}
	n := 0
	for b.Loop() {
		svc.Deliver(ctx, evs[n%len(evs)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
