// Package schedule parses EventBridge schedule expressions and computes when they fire.
//
//   - rate(value unit): value a positive integer, unit minute|minutes|hour|hours|day|days
//     (singular for 1, plural otherwise). A rate schedule fires every interval counted from an
//     anchor (the rule's creation time).
//   - cron(minutes hours day-of-month month day-of-week year), in UTC: lists (,), ranges (-),
//     increments (/), *, ?, month and day names (JAN-DEC, SUN-SAT, 1 = Sunday); day-of-month
//     L, L-n, LW and nW (nearest weekday); day-of-week L (Saturday), nL (last weekday n of the
//     month) and n#k (k-th weekday n); years 1970-2199. Exactly one of day-of-month and
//     day-of-week must be ?.
//
// Invalid expressions return an *Error whose message is EventBridge's ("Parameter
// ScheduleExpression is not valid.") and whose Reason says what is wrong. Schedules are
// immutable and safe for concurrent use; Next is pure (the caller supplies the time).
package schedule
