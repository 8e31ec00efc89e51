package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Error is an invalid schedule expression. Its message is what EventBridge answers
// ("Parameter ScheduleExpression is not valid."); Reason says what is wrong.
type Error struct {
	Expr   string
	Reason string
}

func (e *Error) Error() string { return "Parameter ScheduleExpression is not valid." }

// Schedule is a parsed rate(...) or cron(...) expression. It is immutable and safe for
// concurrent use.
type Schedule struct {
	expr string
	rate time.Duration // rate(...) schedules
	cron *cron
}

// String returns the expression.
func (s *Schedule) String() string { return s.expr }

// Rate returns the interval of a rate(...) schedule, or 0 for a cron schedule.
func (s *Schedule) Rate() time.Duration { return s.rate }

// Next returns the first time strictly after `after` at which the schedule fires, or the zero
// time if it never fires again. A rate schedule fires every interval counted from anchor (the
// rule's creation or enabling time); cron schedules are in UTC and ignore anchor.
func (s *Schedule) Next(anchor, after time.Time) time.Time {
	if s.rate > 0 {
		if after.Before(anchor) {
			return anchor.Add(s.rate)
		}
		n := after.Sub(anchor)/s.rate + 1
		return anchor.Add(n * s.rate)
	}
	return s.cron.next(after.UTC())
}

// Parse parses rate(value unit) or cron(minutes hours day-of-month month day-of-week year).
func Parse(expr string) (*Schedule, error) {
	bad := func(format string, args ...any) error {
		return &Error{Expr: expr, Reason: fmt.Sprintf(format, args...)}
	}
	if len(expr) > 256 {
		return nil, bad("expression longer than 256 characters")
	}
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		body := expr[len("rate(") : len(expr)-1]
		parts := strings.Fields(body)
		if len(parts) != 2 || strings.TrimSpace(body) != body || strings.Count(body, " ") != 1 {
			return nil, bad("rate needs a value and a unit")
		}
		n, err := strconv.Atoi(parts[0])
		if err != nil || n <= 0 || parts[0][0] == '+' || parts[0][0] == '0' {
			return nil, bad("rate value must be a positive integer")
		}
		var unit time.Duration
		switch parts[1] {
		case "minute", "minutes":
			unit = time.Minute
		case "hour", "hours":
			unit = time.Hour
		case "day", "days":
			unit = 24 * time.Hour
		default:
			return nil, bad("rate unit must be minute(s), hour(s) or day(s)")
		}
		if (n == 1) != !strings.HasSuffix(parts[1], "s") {
			return nil, bad("use the singular unit for 1 and the plural otherwise")
		}
		if int64(n) > int64((1<<62)/unit) {
			return nil, bad("rate too large")
		}
		return &Schedule{expr: expr, rate: time.Duration(n) * unit}, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(expr[len("cron(") : len(expr)-1])
		if err != nil {
			return nil, bad("%s", err.Error())
		}
		return &Schedule{expr: expr, cron: c}, nil
	}
	return nil, bad("expression must be rate(...) or cron(...)")
}

// MustParse is Parse that panics on error.
func MustParse(expr string) *Schedule {
	s, err := Parse(expr)
	if err != nil {
		panic(fmt.Sprintf("schedule.MustParse(%q): %v", expr, err.(*Error).Reason))
	}
	return s
}

const (
	minYear = 1970
	maxYear = 2199
)

type cron struct {
	minutes uint64 // bit i: minute i
	hours   uint64
	months  uint64 // bits 1..12
	years   [maxYear - minYear + 1]bool

	domAny         bool   // '?'
	dom            uint64 // bits 1..31
	domLast        bool   // L
	domLastOffset  int    // L-n
	domLastWeekday bool   // LW
	domWeekday     int    // nW: nearest weekday to day n (0: none)

	dowAny  bool   // '?'
	dow     uint64 // bits 1..7 (1 = Sunday)
	dowLast int    // nL: last weekday n of the month (0: none)
	dowNth  int    // n#k: weekday n ...
	dowNthK int    // ... k-th of the month
}

var monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
var dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

func parseCron(body string) (*cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron needs 6 fields (minutes hours day-of-month month day-of-week year), got %d", len(f))
	}
	c := &cron{}
	var err error
	if c.minutes, err = parseField(f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("minutes: %v", err)
	}
	if c.hours, err = parseField(f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("hours: %v", err)
	}
	if c.months, err = parseField(f[3], 1, 12, monthNames); err != nil {
		return nil, fmt.Errorf("month: %v", err)
	}
	years, err := parseField128(f[5], minYear, maxYear)
	if err != nil {
		return nil, fmt.Errorf("year: %v", err)
	}
	c.years = years
	dom, dow := f[2], f[4]
	if (dom == "?") == (dow == "?") {
		return nil, fmt.Errorf("exactly one of day-of-month and day-of-week must be '?'")
	}
	if dom == "?" {
		c.domAny = true
	} else if err := c.parseDOM(dom); err != nil {
		return nil, fmt.Errorf("day-of-month: %v", err)
	}
	if dow == "?" {
		c.dowAny = true
	} else if err := c.parseDOW(dow); err != nil {
		return nil, fmt.Errorf("day-of-week: %v", err)
	}
	return c, nil
}

func (c *cron) parseDOM(s string) error {
	switch {
	case s == "L":
		c.domLast = true
		return nil
	case s == "LW":
		c.domLastWeekday = true
		return nil
	case strings.HasPrefix(s, "L-"):
		n, err := strconv.Atoi(s[2:])
		if err != nil || n < 1 || n > 30 {
			return fmt.Errorf("bad offset in %q", s)
		}
		c.domLast, c.domLastOffset = true, n
		return nil
	case strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n < 1 || n > 31 {
			return fmt.Errorf("bad day in %q", s)
		}
		c.domWeekday = n
		return nil
	}
	bits, err := parseField(s, 1, 31, nil)
	c.dom = bits
	return err
}

func (c *cron) parseDOW(s string) error {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		d, err := dayValue(s[:i])
		if err != nil {
			return err
		}
		k, err := strconv.Atoi(s[i+1:])
		if err != nil || k < 1 || k > 5 {
			return fmt.Errorf("bad occurrence in %q", s)
		}
		c.dowNth, c.dowNthK = d, k
		return nil
	}
	if s == "L" {
		c.dow = 1 << 7 // Saturday, the last day of the week
		return nil
	}
	if strings.HasSuffix(s, "L") {
		d, err := dayValue(s[:len(s)-1])
		if err != nil {
			return err
		}
		c.dowLast = d
		return nil
	}
	bits, err := parseField(s, 1, 7, dayNames)
	c.dow = bits
	return err
}

func dayValue(s string) (int, error) {
	for i, n := range dayNames {
		if strings.EqualFold(s, n) {
			return i + 1, nil
		}
	}
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 7 {
		return 0, fmt.Errorf("bad day of week %q", s)
	}
	return d, nil
}

func value(s string, lo, hi int, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return lo + i, nil
		}
	}
	if s == "" || len(s) > 4 {
		return 0, fmt.Errorf("bad value %q", s)
	}
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, fmt.Errorf("bad value %q", s)
		}
	}
	v, _ := strconv.Atoi(s)
	if v < lo || v > hi {
		return 0, fmt.Errorf("value %d out of range %d-%d", v, lo, hi)
	}
	return v, nil
}

// parseList parses "a,b-c,d/e,*,*/n,a-b/n" into the values it selects.
func parseList(s string, lo, hi int, names []string, set func(int)) error {
	for _, part := range strings.Split(s, ",") {
		step := 1
		if i := strings.IndexByte(part, '/'); i >= 0 {
			n, err := strconv.Atoi(part[i+1:])
			if err != nil || n < 1 || n > hi-lo+1 || part[i+1] == '+' {
				return fmt.Errorf("bad increment in %q", part)
			}
			step = n
			part = part[:i]
		}
		var from, to int
		switch {
		case part == "*":
			from, to = lo, hi
		case strings.IndexByte(part, '-') > 0:
			i := strings.IndexByte(part, '-')
			a, err := value(part[:i], lo, hi, names)
			if err != nil {
				return err
			}
			b, err := value(part[i+1:], lo, hi, names)
			if err != nil {
				return err
			}
			from, to = a, b
			if b < a {
				return fmt.Errorf("range %q runs backwards", part)
			}
		default:
			a, err := value(part, lo, hi, names)
			if err != nil {
				return err
			}
			from, to = a, a
			if step > 1 {
				to = hi
			}
		}
		for v := from; v <= to; v += step {
			set(v)
		}
	}
	return nil
}

func parseField(s string, lo, hi int, names []string) (uint64, error) {
	var bits uint64
	err := parseList(s, lo, hi, names, func(v int) { bits |= 1 << v })
	return bits, err
}

func parseField128(s string, lo, hi int) (out [maxYear - minYear + 1]bool, err error) {
	err = parseList(s, lo, hi, nil, func(v int) { out[v-minYear] = true })
	return out, err
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (c *cron) dayMatches(y int, m time.Month, d int) bool {
	wd := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = Sunday
	last := daysIn(y, m)
	if !c.domAny {
		switch {
		case c.domLast:
			return d == last-c.domLastOffset
		case c.domLastWeekday:
			t := last
			for {
				w := time.Date(y, m, t, 0, 0, 0, 0, time.UTC).Weekday()
				if w != time.Saturday && w != time.Sunday {
					break
				}
				t--
			}
			return d == t
		case c.domWeekday > 0:
			return d == nearestWeekday(y, m, c.domWeekday, last)
		}
		return c.dom&(1<<d) != 0
	}
	switch {
	case c.dowNth > 0:
		return wd == c.dowNth && (d-1)/7+1 == c.dowNthK
	case c.dowLast > 0:
		return wd == c.dowLast && d+7 > last
	}
	return c.dow&(1<<wd) != 0
}

// nearestWeekday is the weekday nearest to day n of the month, staying within the month.
func nearestWeekday(y int, m time.Month, n, last int) int {
	if n > last {
		n = last
	}
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

func (c *cron) next(after time.Time) time.Time {
	t := after.Truncate(time.Minute).Add(time.Minute)
	for y := t.Year(); y <= maxYear; y++ {
		if y < minYear || !c.years[y-minYear] {
			continue
		}
		for m := time.January; m <= time.December; m++ {
			if c.months&(1<<int(m)) == 0 {
				continue
			}
			if y == t.Year() && m < t.Month() {
				continue
			}
			for d := 1; d <= daysIn(y, m); d++ {
				sameDay := y == t.Year() && m == t.Month() && d == t.Day()
				if y == t.Year() && m == t.Month() && d < t.Day() {
					continue
				}
				if !c.dayMatches(y, m, d) {
					continue
				}
				for h := 0; h < 24; h++ {
					if c.hours&(1<<h) == 0 || (sameDay && h < t.Hour()) {
						continue
					}
					for mi := 0; mi < 60; mi++ {
						if c.minutes&(1<<mi) == 0 || (sameDay && h == t.Hour() && mi < t.Minute()) {
							continue
						}
						return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
					}
				}
			}
		}
	}
	return time.Time{}
}
