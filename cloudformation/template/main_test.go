package template_test

import (
	"testing"

	"go.uber.org/goleak"
)

// regexp2 (AllowedPattern) keeps one process-wide clock goroutine for match timeouts.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2.runClock"))
}
