// Package insights is the CloudWatch Logs Insights query language: a parser and an engine that
// runs a query over a sequence of events.
//
// Commands: fields, display, filter, stats (aggregates with by, bin(period) and aliases, also
// arithmetic over aggregates and references to earlier aliases), sort (asc/desc, several
// keys, "sort by"), limit, parse (glob with * and "as", or /regex/ with named groups), dedup,
// unmask (a no-op: no data protection here). Operators: = == != < <= > >= + - * / % ^, and/or/not,
// like "substring" and like /regex/ (also =~), in [...] and not in, comments with #.
// Functions: strlen, toupper, tolower, concat, substr, replace, trim, ltrim, rtrim,
// strcontains; abs, ceil, floor, greatest, least, log, sqrt; bin, datefloor, dateceil,
// fromMillis, toMillis; ispresent, isempty, isblank, coalesce; isValidIp, isValidIpV4,
// isValidIpV6, isIpInSubnet, isIpv4InSubnet, isIpv6InSubnet. Aggregates: count, count_distinct,
// sum, avg, min, max, pct/percentile, median, stddev, earliest, latest, sortsFirst, sortsLast.
//
// Fields: @timestamp, @message, @logStream, @log (account:group), @ingestionTime, @ptr; JSON
// events are discovered with nested keys flattened by dots and arrays by index
// (requestParameters.items.0.instanceId); Lambda platform lines give @type, @requestId,
// @duration, @billedDuration, @memorySize, @maxMemoryUsed (bytes), @initDuration; VPC flow log
// lines (version 2) give srcAddr, dstAddr, bytes, action and the rest.
//
// Results: without stats, rows are sorted by @timestamp descending unless the query sorts;
// at most 10,000 rows (Options.Limit lowers it); each row lists the fields named by fields and
// parse (or @timestamp and @message), omits absent ones, and ends with @ptr. stats rows are
// ordered by their group-by values (bins ascending); by fields come first. A Query is
// immutable and safe for concurrent use; Run reads the events once.
//
// Errors: Parse returns *SyntaxError with the line and column.
//
// Deviations: count_distinct is exact (AWS approximates); pct uses the nearest rank; regular
// expressions are Go's RE2 (AWS uses Java's); commands AWS added later (pattern, diff,
// filterIndex, SOURCE, lookup) and the OpenSearch PPL/SQL languages are not supported.
package insights
