package wiretest_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
