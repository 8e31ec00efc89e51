// Package tsdb is the time-series store behind CloudWatch metrics: one series per account,
// region, namespace, metric name and sorted dimensions (with data kept per unit), aggregated
// into the tiers CloudWatch retains — 1-second points for 3 hours (high-resolution metrics),
// 1-minute for 15 days, 5-minute for 63 days, 1-hour for 455 days — on the platform clock.
//
// Each bucket keeps count, sum, minimum and maximum, and exact values up to 64 per bucket
// before switching to a log-binned sketch accurate to about 1% (bins in a dense slice over the
// range seen, a map for bins more than 1e35 apart), so percentiles and trimmed statistics are
// answerable. Memory is bounded by retention and Options.MaxSeries.
//
// # Hot path
//
// Writers find a series by an id built into a reusable buffer (AppendID, SortDims, SeriesID,
// GetID: no allocation once the series exists) in a 64-way sharded index; Series.Add takes the
// series' own lock and computes a value's sketch bin once for all tiers. QueryStats with values
// false answers the five simple statistics from the buckets' aggregates without touching the
// distributions.
//
// A DB is safe for concurrent use.
package tsdb
