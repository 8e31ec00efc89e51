// Package pattern is the EventBridge event pattern language: compile a pattern once, match
// events against it (or against many patterns at once with an Index).
//
// The semantics are those of aws/event-ruler, the engine behind EventBridge, and are checked
// against ~950 (pattern, event, verdict) triples recorded by running it (testdata/corpus):
//
//   - fields: nested objects or dotted names ("detail.state" is the same field as
//     {"detail":{"state":...}}); every field of a pattern must match (AND), the values listed
//     for a field are alternatives (OR); an array in the event matches if any element does.
//   - values: strings, numbers (5 matches 5.0), true, false, null; a string that is an IP
//     address matches the same address however it is written.
//   - operators: prefix, suffix (each optionally {"equals-ignore-case": ...}), equals-ignore-case,
//     wildcard (* with \* and \\ escapes), numeric (=, <, <=, >, >=, and ranges), exists
//     true/false, cidr (IPv4/IPv6), anything-but (a value, a list of strings or of numbers, or
//     {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": value or list}), exact, and $or
//     (an array of at least two objects; otherwise "$or" is an ordinary field name, as in
//     event-ruler).
//   - arrays of objects are matched structurally: the values matched for different fields
//     must come from the same element of every array of objects they share; a field with
//     {"exists": false} is absent when no value lies in the chosen elements.
//   - numbers compare exactly as decimals with at most 6 fractional digits in
//     [-5e11, 5e11]; other numbers match only by their literal text.
//
// Invalid patterns return an *Error whose message is EventBridge's ("Event pattern is not
// valid. Reason: ..."), with event-ruler's reasons. Patterns whose wildcards make matching too
// costly are refused with "Rule is too complex - try using fewer wildcard characters": the
// complexity is the largest number of distinct wildcard patterns on one field that a single
// input can be partway through at once (as event-ruler's MachineComplexityEvaluator counts it),
// and the limit is MaxComplexity.
//
// Speed: an Index routes an event only to the patterns whose exact source/detail-type (or
// other anchor) values it carries, and evaluates each distinct condition once per event. An
// Event restricted to an Index (Event.Restrict) flattens only the paths its patterns look at,
// following a trie of those paths while still checking the syntax of everything it skips, and
// chains its values by path id so conditions find them without searching. BenchmarkIndexMatchJSON
// measures parsing plus matching against 100 rules.
//
// Concurrency: a Pattern and an Index are immutable and safe for concurrent use; an Event is not
// (build one per goroutine, and reuse it with Parse/Reset).
//
// Deviations: error positions ("line, column") are approximate; EventBridge's exact complexity
// threshold is not published, MaxComplexity (100) is this package's choice; $or expansion is
// bounded at 4096 alternatives (refused as too complex).
package pattern
