// Package filterpattern is CloudWatch Logs' filter and pattern syntax, as metric filters,
// subscription filters and FilterLogEvents use it.
//
// Forms (the whole documented language):
//
//   - match everything: an empty pattern, "" or " ";
//   - terms: ERROR ARGUMENTS (all must appear; case-sensitive substring match), "quoted
//     phrases", ?ERROR ?WARN (any of), -ARGUMENTS (must not appear), %regex% terms;
//   - JSON: { $.eventType = "UpdateTrail" } with =, !=, <, <=, >, >=, wildcards (*), numbers
//     (1e-3, +1000), IS NULL, IS TRUE, IS FALSE, NOT EXISTS, nested keys ($.a.b), arrays
//     ($.a[0]), &&, || and parentheses (() before && before ||), %regex% values. A selector
//     that names an object or an array never matches, not even with !=;
//   - space-delimited: [ip, user, ..., status_code = 4*, bytes > 1000] with ellipses, unnamed
//     fields, conditions joined with && and || (which may name other fields), and a trailing
//     empty field ("[a, b,]"). Events are split on spaces; "double quotes" and [brackets]
//     group a field and are removed. Without an ellipsis the number of fields must agree.
//
// A Pattern is immutable and safe for concurrent use. Parse errors are *SyntaxError carrying
// the byte position; the logs service turns them into InvalidParameterException.
//
// Deviations: regular expressions use Go's RE2 syntax (AWS's subset is similar: no
// look-around, no back-references); at most two per pattern, as on AWS. Field names in
// space-delimited conditions fall back to a case-insensitive lookup (the guide writes
// "[w1=ERROR || W1=WARNING, w2]").
package filterpattern
