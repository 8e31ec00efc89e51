package runner_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/runner"
)

func collect() (*runner.LineWriter, func() []string) {
	var mu sync.Mutex
	var lines []string
	w := runner.NewLineWriter(func(l string) {
		mu.Lock()
		lines = append(lines, l)
		mu.Unlock()
	})
	return w, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(lines)
	}
}

func TestLineWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		before []string // lines before Flush
		after  []string // lines after Flush
	}{
		{"one line", []string{"hello\n"}, []string{"hello"}, []string{"hello"}},
		{"final partial line", []string{"a\nb"}, []string{"a"}, []string{"a", "b"}},
		{"split across writes", []string{"he", "llo\nwor", "ld\n"}, []string{"hello", "world"}, []string{"hello", "world"}},
		{"CRLF", []string{"a\r\nb\r\n"}, []string{"a", "b"}, []string{"a", "b"}},
		{"CRLF split", []string{"a\r", "\nb\r"}, []string{"a"}, []string{"a", "b"}},
		{"lone CR kept", []string{"50%\r100%\n"}, []string{"50%\r100%"}, []string{"50%\r100%"}},
		{"empty lines", []string{"\n\n\r\n"}, []string{"", "", ""}, []string{"", "", ""}},
		{"nothing", nil, nil, nil},
		{"empty write", []string{""}, nil, nil},
		{"unicode", []string{"h\xc3", "\xa9\n"}, []string{"hé"}, []string{"hé"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, lines := collect()
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				if n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := lines(); !slices.Equal(got, tt.before) {
				t.Fatalf("before Flush %q, want %q", got, tt.before)
			}
			w.Flush()
			w.Flush() // a second Flush emits nothing
			if got := lines(); !slices.Equal(got, tt.after) {
				t.Fatalf("after Flush %q, want %q", got, tt.after)
			}
		})
	}
}

func TestLineWriterReuseAfterFlush(t *testing.T) {
	w, lines := collect()
	fmt.Fprint(w, "x")
	w.Flush()
	fmt.Fprint(w, "y\nz")
	w.Flush()
	if got := lines(); !slices.Equal(got, []string{"x", "y", "z"}) {
		t.Fatalf("%q", got)
	}
}

func TestLineWriterConcurrent(t *testing.T) {
	w, lines := collect()
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				// One whole line per Write: lines from different writers never mix.
				fmt.Fprintf(w, "w%d-%d\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Flush()
	got := lines()
	if len(got) != writers*each {
		t.Fatalf("%d lines, want %d", len(got), writers*each)
	}
	next := make([]int, writers)
	for _, l := range got {
		var g, i int
		if _, err := fmt.Sscanf(l, "w%d-%d", &g, &i); err != nil {
			t.Fatalf("garbled line %q", l)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
}

func TestLineWriterLongLine(t *testing.T) {
	w, lines := collect()
	long := strings.Repeat("x", 1<<20)
	for i := 0; i < len(long); i += 4096 {
		w.Write([]byte(long[i : i+4096]))
	}
	w.Write([]byte("\n"))
	if got := lines(); len(got) != 1 || got[0] != long {
		t.Fatalf("long line: %d lines", len(got))
	}
}

func TestFunc(t *testing.T) {
	var r runner.Runner = runner.Func(func(ctx context.Context, cmd *runner.Command) (runner.Result, error) {
		io.WriteString(cmd.Stdout, "ran: "+cmd.Script)
		return runner.Result{ExitCode: 3}, nil
	})
	var sb strings.Builder
	res, err := r.Run(t.Context(), &runner.Command{Script: "make", Stdout: &sb})
	if err != nil || res.ExitCode != 3 || sb.String() != "ran: make" {
		t.Fatalf("%+v %v %q", res, err, sb.String())
	}
}

func BenchmarkLineWriter(b *testing.B) {
	w := runner.NewLineWriter(func(string) {})
	chunk := []byte(strings.Repeat("a build log line of typical length, with a timestamp\n", 64))
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		w.Write(chunk)
	}
}

func ExampleLineWriter() {
	w := runner.NewLineWriter(func(line string) { fmt.Printf("[%s]\n", line) })
	fmt.Fprint(w, "npm install\r\nadded 12 pack")
	fmt.Fprint(w, "ages\nno trailing newline")
	w.Flush()
	// Output:
	// [npm install]
	// [added 12 packages]
	// [no trailing newline]
}
