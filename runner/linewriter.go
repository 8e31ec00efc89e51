package runner

import (
	"bytes"
	"sync"
)

// LineWriter is an io.Writer that calls Line once per complete line (without the newline).
// Flush emits a final partial line. It is safe for concurrent use.
type LineWriter struct {
	Line func(line string)
	mu   sync.Mutex
	buf  []byte
}

// NewLineWriter returns a LineWriter calling fn for each line.
func NewLineWriter(fn func(line string)) *LineWriter { return &LineWriter{Line: fn} }

func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimSuffix(w.buf[:i], []byte("\r")))
		w.buf = w.buf[i+1:]
		w.Line(line)
	}
	return len(p), nil
}

// Flush emits what remains as a last line, if anything.
func (w *LineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		line := string(w.buf)
		w.buf = nil
		w.Line(line)
	}
}
