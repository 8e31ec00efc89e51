// Package tsdb is the time-series store behind CloudWatch metrics: one series per account,
// region, namespace, metric name and sorted dimensions (with data kept per unit), aggregated
// into the tiers CloudWatch retains — 1-second points for 3 hours (high-resolution metrics),
// 1-minute for 15 days, 5-minute for 63 days, 1-hour for 455 days — on the platform clock.
//
// Each bucket keeps count, sum, minimum and maximum, and exact values up to 64 per bucket
// before switching to a sketch accurate to about 1%, so percentiles and trimmed statistics are
// answerable. Memory is bounded by retention and Options.MaxSeries.
//
// A DB is safe for concurrent use.
package tsdb
