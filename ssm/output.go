package ssm

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Output limits, as the SSM Agent applies them.
const (
	maxStdout       = 24000 // GetCommandInvocation StandardOutputContent
	maxStderr       = 8000  // GetCommandInvocation StandardErrorContent
	maxPluginOutput = 2500  // ListCommandInvocations CommandPlugins[].Output
	outTruncated    = "\n---Output truncated---"
	errTruncated    = "\n---Error truncated----"
	errorSeparator  = "\n----------ERROR-------\n"
)

// cut returns s whole if it fits in capacity bytes, else its start and suffix in capacity
// bytes (never splitting a UTF-8 sequence).
func cut(s string, capacity int, suffix string) string {
	if len(s) <= capacity {
		return s
	}
	n := capacity - len(suffix)
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + suffix
}

// combinedOutput is the plugin Output of ListCommandInvocations: stdout, then the error
// separator and stderr, within capacity.
func combinedOutput(stdout, stderr string, capacity int) string {
	if stderr == "" {
		return cut(stdout, capacity, outTruncated)
	}
	budget := capacity - len(errorSeparator)
	if stdout == "" {
		return errorSeparator + cut(stderr, budget, errTruncated)
	}
	if len(stdout)+len(stderr) <= budget {
		return stdout + errorSeparator + stderr
	}
	half := budget / 2
	outCap, errCap := half, half
	switch {
	case len(stdout) < half:
		outCap, errCap = len(stdout), budget-len(stdout)
	case len(stderr) < half:
		outCap, errCap = budget-len(stderr), len(stderr)
	}
	return cut(stdout, outCap, outTruncated) + errorSeparator + cut(stderr, errCap, errTruncated)
}

// capture collects a stream: the first limit bytes (and whether more came), and everything
// when full is set (for S3).
type capture struct {
	mu    sync.Mutex
	limit int
	head  strings.Builder
	more  bool
	full  *strings.Builder
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.limit + 1 - c.head.Len(); room > 0 {
		c.head.Write(p[:min(room, len(p))])
	}
	if c.head.Len() > c.limit {
		c.more = true
	}
	if c.full != nil {
		c.full.Write(p)
	}
	return len(p), nil
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head.String()
}

func (c *capture) Full() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.full == nil {
		return c.head.String()
	}
	return c.full.String()
}

func (c *capture) WriteString(s string) { _, _ = c.Write([]byte(s)) }
