// Package metrics is CloudWatch metrics and alarms: PutMetricData, GetMetricStatistics,
// GetMetricData (with metric math), ListMetrics, metric and composite alarms evaluated on the
// platform clock, their history, events and actions.
//
// # Storage
//
// Datapoints live in tsdb, an in-memory store built for these queries: one series per
// (account/region, namespace, metric name, sorted dimensions), one set of tiers per unit, and
// per tier a time-ordered slice of buckets holding count, sum, min, max and the distribution of
// the values (exact up to 64 distinct values per bucket, then a log-binned sketch accurate to
// about 1%). Tiers follow AWS's retention on the clock: 1-second buckets for 3 hours (only for
// StorageResolution 1), 1-minute for 15 days, 5-minute for 63 days, 1-hour for 455 days; memory
// is bounded by retention and Options.MaxSeries. A query uses the tier AWS would for the age of
// its StartTime; a Period that is not a multiple of that tier's resolution returns no data, as
// AWS does. Metric data is not persisted in env.Store; alarms and their history are.
//
// # Alarms
//
// A loop owned by the Service evaluates every alarm each minute of env.Clock (stopped by
// Close). Each minute is evaluated as of that minute, even when the clock jumps several
// minutes at once (a manual clock): the loop catches up tick by tick, at most a day's worth
// (1,440 ticks; older ones are skipped). A metric alarm reads the Period-sized datapoints of an evaluation range of
// EvaluationPeriods+2 periods ending at the last period boundary. With at least
// EvaluationPeriods real datapoints the most recent ones are evaluated and TreatMissingData
// does not matter; with fewer, missing ones are filled per TreatMissingData (breaching,
// notBreaching; ignore keeps the state unless the real datapoints decide it; missing gives
// INSUFFICIENT_DATA when there is no data at all and ALARM when every real datapoint breaches).
// ALARM needs DatapointsToAlarm breaching datapoints. EvaluateLowSampleCountPercentile=ignore
// keeps the state when a percentile's period has fewer than 10/(1-p) samples. Composite alarms
// re-evaluate whenever another alarm changes state. Each state change is recorded in the history,
// published as a "CloudWatch Alarm State Change" event (source aws.cloudwatch) and, when
// ActionsEnabled, runs the state's actions once through the ActionRunner (its result is an Action
// history item). The runner's AlarmState carries the alarm's metric and dimensions, so an EC2
// action (arn:aws:automate:REGION:ec2:stop|terminate|reboot|recover, or the older
// arn:aws:swf:...:action/actions/AWS_EC2.InstanceId.Stop/1.0 form; ParseEC2Action) knows its
// instance (AlarmState.InstanceID). PutMetricAlarm accepts EC2 actions only in the alarm's
// region and on a metric with an InstanceId dimension ("Invalid use of EC2 action..."), as AWS. AlarmStateOf answers other services (CodeDeploy).
//
// # Concurrency, time, errors
//
// A Service is safe for concurrent use. It never calls time.Now: all times come from env.Clock.
// Errors are *apierr.Error with AWS's query error codes (InvalidParameterValue,
// InvalidParameterCombination, MissingParameter, ResourceNotFound, InvalidNextToken,
// InvalidFormat, ValidationError, LimitExceeded); match them with errors.Is against the
// exported sentinels.
//
// # Deviations from AWS
//
//   - Data is queryable and listed immediately (AWS: up to minutes; ListMetrics up to 15).
//   - Percentiles are nearest-rank, exact for small buckets and within ~1% otherwise.
//   - Anomaly detection (ThresholdMetricId, band operators), Metrics Insights queries,
//     cross-account queries, alarm mute rules, tags on alarms (TagResource), dashboards,
//     metric streams and insight rules are not implemented.
//   - Composite alarm ActionsSuppressor is recorded but does not suppress.
//   - The 1 MB request limit is checked on an estimate of the request size.
package metrics
