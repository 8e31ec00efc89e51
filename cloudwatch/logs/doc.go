// Package logs is CloudWatch Logs: log groups and streams, an event store built for its
// queries, filter patterns, metric and subscription filters, Logs Insights and the CloudWatch
// agent that ships files from hosts.
//
// # Storage
//
// Events live in a per-stream, append-only store (not the generic key-value store): messages
// are copied into arenas and indexed by (timestamp, arrival), so reads come back in timestamp
// order while equal timestamps keep arrival order; a late event is inserted in place. Each
// event costs its message bytes plus a 32-byte entry (TestMemoryPerEvent asserts ≤ 48).
// Options.MaxStoredBytes bounds memory: past it the oldest events, across all streams, are
// evicted. Retention is enforced on the platform clock: reads never return events older than
// the group's retention and a sweep (every Options.RetentionSweep) frees them. Groups, streams,
// filters and query definitions are in env.Store (durable with the durable store). Events are
// served from memory; with Options.DurableEvents each accepted batch is also written to
// env.Store and replayed by New, so they survive a restart on the durable store.
//
// # Operations (awsJson1_1, X-Amz-Target Logs_20140328.*)
//
// CreateLogGroup (retention later via PutRetentionPolicy, kmsKeyId recorded, tags, class,
// deletion protection), DeleteLogGroup, DescribeLogGroups (prefix, pattern, identifiers,
// class, pagination), PutRetentionPolicy, DeleteRetentionPolicy, TagResource, UntagResource,
// ListTagsForResource, TagLogGroup, UntagLogGroup, ListTagsLogGroup; CreateLogStream,
// DeleteLogStream, DescribeLogStreams (prefix, orderBy LogStreamName|LastEventTime,
// descending, pagination); PutLogEvents (AWS's limits and rejectedLogEventsInfo: events more
// than 14 days old, older than the retention or more than 2 hours ahead are rejected and the
// rest stored; sequence tokens accepted and ignored), GetLogEvents (forward and backward
// tokens, the same token at the end of the stream), FilterLogEvents (filter patterns, stream
// names or prefix, inclusive time range, interleaved across streams, pagination,
// searchedLogStreams); PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter,
// TestMetricFilter; PutSubscriptionFilter, DescribeSubscriptionFilters,
// DeleteSubscriptionFilter; StartQuery, GetQueryResults, StopQuery, DescribeQueries,
// GetLogRecord, PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition.
//
// Metric filters publish to a MetricSink (the root wires CloudWatch metrics): value from a
// number, $.json.field or a $space_delimited field, dimensions, unit, and defaultValue for a
// batch in which nothing matched. Subscription filters deliver AWS's payload (gzipped JSON,
// messageType DATA_MESSAGE, logEvents) to Go functions registered with RegisterDestination,
// to a log group of this service (arn:aws:logs:...:log-group:name) or to Options.Destinations.
// Logs Insights queries (package insights) run in the background; WaitQuery waits for one.
//
// The agent: AttachAgent (Go) or the host command amazon-cloudwatch-agent-ctl (AgentCtl, which
// the root registers on hosts) runs the CloudWatch agent on an AgentHost: collect_list entries
// with file_path globs, log_group_name and log_stream_name with {instance_id}/{hostname},
// timestamp_format, multi_line_start_pattern and retention_in_days; every 5 seconds of the
// platform clock it ships new complete lines, follows truncation and replaced (rotated) files,
// and creates the group and stream when missing.
//
// # Concurrency, time and errors
//
// A Service is safe for concurrent use; no lock is held while calling a MetricSink, a
// destination or a host. Time comes from env.Clock only. Background work (queries, the
// retention sweep, agents) stops in Close. Errors are *apierr.Error with AWS's codes; the
// exported sentinels (ErrResourceNotFound, ErrInvalidParameter, ...) match with errors.Is.
//
// # Deviations
//
// Subscription deliveries are synchronous, after the events are stored. StartQuery accepts
// only the CWLI language. MalformedQueryException carries the position in its message (no
// queryCompileError structure). Log stream storedBytes is reported (AWS now reports 0).
// Event IDs and tokens have AWS's shapes but not its values. Not implemented: export tasks,
// destinations (PutDestination), data protection, anomaly detection, transformers, live tail,
// account policies, field indexes.
package logs
