// Package cloudtrail is devopsim's AWS CloudTrail: every operation of every service, called
// from Go or over the wire, lands in event history, and trails deliver it to S3, CloudWatch Logs
// and EventBridge as AWS does.
//
// # Recording
//
// New subscribes to the dispatcher's audit hook (env.Hooks.OnAudit). The hook only queues the
// finished call (a shallow copy of its input, so a caller reusing its input struct, as a
// paginating loop does, cannot change what was recorded); a background processor turns queued
// calls into records: requestParameters and responseElements from the input and output structs'
// json tags (encoding/json/v2 semantics), secrets redacted as "HIDDEN_DUE_TO_SECURITY_REASONS"
// (members whose names contain password, secret, privateKey, keyMaterial, passphrase,
// sessionToken, oauthToken or authToken, and the value of SecureString parameters), []byte
// members over 1 KiB replaced by a note, readOnly from the operation name (Get, List, Describe,
// BatchGet, Lookup, Head, Search, Filter, Select, Validate, Test, Estimate, Preview, Query, GitPull),
// resources from input members named *Name/*Arn/*Id (their type is AWS::<Service>::<Member>),
// userIdentity per caller type (Root, IAMUser, AssumedRole with sessionContext, AWSService) and,
// for service-to-service calls (identity.InService), sourceIPAddress and userAgent set to the
// invoking service as AWS does. responseElements are kept only for successful mutating calls;
// failures carry errorCode and errorMessage.
//
// Records live in event history for 90 days on the platform clock (Options.Retention) up to
// Options.MaxEvents (1,000,000), indexed per account and region by the eight lookup attributes.
// LookupEvents processes whatever is still queued first, so an event is visible as soon as its
// call returned; Flush does the same for code that watches EventBridge.
//
// Event history is served from memory. With Options.DurableHistory (the root sets it when the
// platform has a data directory, i.e. env.Store is the durable bbolt store) the background
// processor also writes each processed batch to env.Store under cloudtrail/history/: one store
// write per batch (per chunk of up to 8,192 events), never one per event, keyed by the range of
// positions it covers; New reloads the chunks, rebuilds the indexes, applies the retention
// window and the cap as of the clock's now, deletes the chunks whose events all left history
// (as the running service does when retention or the cap evicts them), and replays the
// write management events into the Insights counters so baselines and open Insights (with their
// shared event IDs) carry over. Event IDs stay the same across restarts (their salt is stored
// at cloudtrail/meta/history). Data events are not stored (they are never in event history),
// only their positions, so their IDs are not reused. Trails, selectors, digest chains and the
// signing key are always in env.Store.
//
// Data events (S3 object-level calls, reported by the S3 endpoint through RecordS3Object) go only
// to trails whose selectors ask for them, never to event history; git pushes and pulls
// (RecordGit) are management events, as on AWS.
//
// # Trails
//
// CreateTrail, UpdateTrail, DeleteTrail, DescribeTrails, GetTrail, ListTrails, GetTrailStatus,
// StartLogging, StopLogging, Put/GetEventSelectors (basic and advanced), Put/GetInsightSelectors,
// AddTags, RemoveTags, ListTags and ListPublicKeys. Logging trails deliver every
// Options.DeliveryInterval (5 minutes) and at StopLogging: gzipped {"Records":[...]} files at
// AWS's key layout ([prefix/]AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/
// <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz) through env.Objects, events to
// the trail's log group through Options.Logs (stream <account>_CloudTrail_<region>), and, with log
// file validation, hourly digest files under CloudTrail-Digest/ chained by the previous digest's
// hash and signature and signed as AWS signs them (DigestSigningString); the signature is kept
// with DigestSignature (and in object metadata when env.Objects supports it), the key is
// PublicKey/ListPublicKeys. Mutating management calls are published to env.Events as
// "AWS API Call via CloudTrail" (source aws.<service>) whether or not a trail exists; selected data
// events and Insights ("AWS Insight via CloudTrail") too.
//
// Insights: for logging trails with insight selectors, the write management calls per API and
// minute (and their errors) are compared with the average of the trailing window
// (Options.InsightBaselineWindow, 7 days; at least Options.InsightMinBaseline, 1 hour, of
// history). A minute above 3× the baseline plus 10 starts an Insight, the first minute back
// below ends it; both events are in LookupEvents with EventCategory insight and delivered under
// CloudTrail-Insight/.
//
// Organizations: with Options.Organization (or SetOrganization), the management account may
// create organization trails; they record every member's events into the management account's
// bucket under AWSLogs/<org-id>/<account>/; members see the trail as a shadow and cannot change
// it (NotOrganizationMasterAccountException); event history stays per account.
//
// # Concurrency and time
//
// A Service is safe for concurrent use. Recording costs the caller one small allocation and a
// mutex; the rest happens on a background goroutine owned by the Service, stopped and awaited by
// Close. All times come from env.Clock: with a manual clock, deliveries happen when the clock
// passes them (call Flush after moving the clock to wait for them, or Deliver to run one now).
//
// # Errors
//
// AWS's exceptions (TrailNotFoundException, InvalidTrailNameException,
// InvalidEventSelectorsException, InvalidLookupAttributesException, InvalidNextTokenException,
// ...) as *apierr.Error; match them with errors.Is against the exported sentinels.
//
// # Deviations from AWS
//
//   - Event IDs are UUID-shaped but derived from a salt (per store with DurableHistory, else per
//     process) and the record's position.
//   - Events recorded but not yet delivered to trails when the platform stops are not delivered
//     after a restart (event history keeps them).
//   - Resources and resource types are inferred from member names; AWS knows them per API.
//   - Go calls without a client address record sourceIPAddress 127.0.0.1 and userAgent devopsim.
//   - Digests are signed with RSA-2048 (SHA256withRSA) by default, or the key in
//     Options.SigningKey (ECDSA gives SHA256withECDSA); there is one key, not one per region.
//   - Insights use the simple threshold above, not AWS's statistical model.
//   - S3 bucket policies, KMS encryption and SNS notifications are recorded, not enforced or sent;
//     a failed delivery is reported in GetTrailStatus and its events are dropped, not retried.
//   - Event data stores, channels, Lake queries and dashboards are not implemented.
package cloudtrail
