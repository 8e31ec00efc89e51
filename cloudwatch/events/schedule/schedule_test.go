package schedule_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/events/schedule"
)

func TestParseErrors(t *testing.T) {
	for _, expr := range []string{
		"", "rate()", "rate(5)", "rate(0 minutes)", "rate(-1 minutes)", "rate(1 minutes)", "rate(5 minute)",
		"rate(5 weeks)", "rate(5  minutes)", "every 5 minutes", "cron(* * * * *)", "cron(0 12 * * * *)",
		"cron(0 12 ? * ? *)", "cron(60 * * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 32 * ? *)",
		"cron(0 0 * 13 ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? * 2#6 *)", "cron(0 0 * * ? 1969)",
		"cron(0 0 * * ? 2200)", "cron(0 0 5-1 * ? *)", "cron(0/0 * * * ? *)", "cron(a * * * ? *)",
		"cron(0 0 0W * ? *)", "cron(0 0 ? * FOO *)",
	} {
		_, err := schedule.Parse(expr)
		var se *schedule.Error
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want *schedule.Error", expr, err)
			continue
		}
		if err.Error() != "Parameter ScheduleExpression is not valid." {
			t.Errorf("%q: message %q", expr, err)
		}
	}
}

func TestNext(t *testing.T) {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	anchor := at("2026-01-01T00:00:00Z")
	tests := []struct {
		expr, after, want string
	}{
		{"rate(1 minute)", "2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z"},
		{"rate(5 minutes)", "2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z"},
		{"rate(2 hours)", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"},
		{"rate(1 day)", "2025-12-31T00:00:00Z", "2026-01-02T00:00:00Z"},
		{"cron(0 12 * * ? *)", "2026-03-04T12:00:00Z", "2026-03-05T12:00:00Z"},
		{"cron(15 10 ? * 6L 2026)", "2026-01-01T00:00:00Z", "2026-01-30T10:15:00Z"}, // last Friday
		{"cron(0 18 ? * MON-FRI *)", "2026-01-02T18:00:00Z", "2026-01-05T18:00:00Z"},
		{"cron(0/15 * * * ? *)", "2026-01-01T00:16:00Z", "2026-01-01T00:30:00Z"},
		{"cron(0 8 1 * ? *)", "2026-01-01T08:00:00Z", "2026-02-01T08:00:00Z"},
		{"cron(0 0 L * ? *)", "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z"},
		{"cron(0 0 L-2 * ? *)", "2026-02-01T00:00:00Z", "2026-02-26T00:00:00Z"},
		{"cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T00:00:00Z"},   // May 31 2026 is a Sunday
		{"cron(0 0 1W * ? *)", "2026-08-01T00:00:00Z", "2026-08-03T00:00:00Z"},   // Aug 1 2026 is a Saturday
		{"cron(0 0 15W * ? *)", "2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z"},  // Mar 15 2026 is a Sunday
		{"cron(0 10 ? * 3#2 *)", "2026-01-01T00:00:00Z", "2026-01-13T10:00:00Z"}, // second Tuesday
		{"cron(0 10 ? * TUE#2 *)", "2026-01-01T00:00:00Z", "2026-01-13T10:00:00Z"},
		{"cron(0 0 29 FEB ? *)", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z"},
		{"cron(0 0 1 JAN ? 2025)", "2026-01-01T00:00:00Z", "0001-01-01T00:00:00Z"},
		{"cron(0,30 9-10 ? * L *)", "2026-01-01T00:00:00Z", "2026-01-03T09:00:00Z"}, // L = Saturday
	}
	for _, tt := range tests {
		s, err := schedule.Parse(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err.(*schedule.Error).Reason)
		}
		got := s.Next(anchor, at(tt.after))
		if !got.Equal(at(tt.want)) {
			t.Errorf("%s after %s: got %s, want %s", tt.expr, tt.after, got.Format(time.RFC3339), tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"rate(5 minutes)", "rate(1 day)", "cron(0 12 * * ? *)", "cron(15 10 ? * 6L 2026)",
		"cron(0/15 * * * ? *)", "cron(0 0 LW * ? *)", "cron(0 10 ? * 3#2 *)", "cron(0 0 1W JAN-MAR ? 2020-2030/2)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := schedule.Parse(expr)
		if err != nil {
			return
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		n := s.Next(start, start)
		if !n.IsZero() && !n.After(start) {
			t.Fatalf("%s: next %s not after %s", expr, n, start)
		}
	})
}

func ExampleSchedule_Next() {
	s := schedule.MustParse("cron(0 9 ? * MON-FRI *)")
	after := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC) // a Friday
	fmt.Println(s.Next(time.Time{}, after))
	// Output: 2026-01-05 09:00:00 +0000 UTC
}
