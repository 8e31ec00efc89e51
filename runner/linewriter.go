package runner

import (
	"bytes"
	"sync"
)

// LineWriter is an io.Writer that calls Line once per complete line, without its "\n" or
// "\r\n". Flush emits a final partial line. It is safe for concurrent use: lines are delivered
// one at a time, in order, with the writer's lock held (so Line must not write to the same
// LineWriter). Concurrent writers' bytes are not interleaved within one Write call, but a line
// assembled from several Writes by different goroutines mixes their bytes, as a terminal would.
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
	start := 0
	for {
		i := bytes.IndexByte(w.buf[start:], '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimSuffix(w.buf[start:start+i], []byte("\r")))
		start += i + 1
		w.Line(line)
	}
	if start > 0 { // keep the partial line at the front, reusing the buffer
		w.buf = w.buf[:copy(w.buf, w.buf[start:])]
	}
	return len(p), nil
}

// Flush emits what remains as a last line, if anything.
func (w *LineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		line := string(bytes.TrimSuffix(w.buf, []byte("\r")))
		w.buf = w.buf[:0]
		w.Line(line)
	}
}
