// Package sns is Amazon SNS, small but real: enough to be the target of EventBridge rules
// and CloudWatch alarm actions and to notify people and programs.
//
// Operations (Go API, and awsQuery Version 2010-03-31 on the wire): CreateTopic (standard and
// FIFO), DeleteTopic, ListTopics, Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions,
// ListSubscriptionsByTopic, Publish (Subject, Message, MessageAttributes, MessageStructure=json,
// FIFO group/dedup ids and sequence numbers, PhoneNumber), Get/SetTopicAttributes,
// Get/SetSubscriptionAttributes (RawMessageDelivery, ...), TagResource, UntagResource,
// ListTagsForResource. Plus, for Go: SubscribeFunc (a Go handler as a confirmed subscription),
// PublishToTopic (for other services), Deliveries (what was sent where) and Wait.
//
// Deliveries:
//   - http/https: Subscribe POSTs a SubscriptionConfirmation (with Token and SubscribeURL) to
//     the endpoint; the subscription is pending until ConfirmSubscription. Notifications are
//     POSTed with SNS's JSON envelope and x-amz-sns-* headers (the raw message with
//     RawMessageDelivery), in the background, retried 3 times 20 s apart on the platform clock.
//   - email, email-json: pending until confirmed; the confirmation and every notification are
//     recorded as sent (Deliveries), never mailed.
//   - sms: confirmed at once; messages are recorded as sent.
//   - Go handlers (SubscribeFunc): called synchronously from Publish, outside any lock.
//   - sqs, lambda, firehose, application: refused with InvalidParameter saying so.
//
// Concurrency and time: a Service is safe for concurrent use; timestamps and retry delays use
// the platform clock; Close cancels http deliveries in flight and waits for them.
//
// Errors are AWS's: InvalidParameter ("Invalid parameter: ..."), NotFound ("Topic does not
// exist"), ResourceNotFound for tagging; sentinels ErrInvalidParameter, ErrNotFound.
//
// Subscription filter policies (FilterPolicy, FilterPolicyScope MessageAttributes or
// MessageBody) are applied, matched by the EventBridge pattern engine (package
// cloudwatch/events/pattern): attributes of type Number match numerically, String.Array as
// arrays.
//
// Deviations: messages are not signed (Signature is "devopsim-unsigned" and SigningCertURL is
// not served); filter policies use EventBridge's pattern rules where SNS's differ in detail
// (SNS's own limits on policy size and combinations are not enforced); Go subscriptions do not
// survive a restart (the subscription does, its deliveries then fail); the delivery log is in
// memory (the last Options.DeliveryLog entries); topics are reachable only from their own
// account and region.
package sns
