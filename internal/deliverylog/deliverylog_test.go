package deliverylog_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/devopsim/devopsim/internal/deliverylog"
)

type entry struct {
	Seq  uint64
	Name string
}

func TestRing(t *testing.T) {
	for _, c := range []struct {
		max, add int
		want     string
	}{
		{3, 0, "[]"},
		{3, 2, "[{1 e1} {2 e2}]"},
		{3, 3, "[{1 e1} {2 e2} {3 e3}]"},
		{3, 7, "[{5 e5} {6 e6} {7 e7}]"},
		{1, 4, "[{4 e4}]"},
	} {
		l := deliverylog.New(c.max, func(e *entry, s uint64) { e.Seq = s })
		for i := 1; i <= c.add; i++ {
			l.Add(entry{Name: fmt.Sprintf("e%d", i)})
		}
		got := l.List(nil)
		if got == nil {
			got = []entry{}
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("max %d, %d added: %v, want %s", c.max, c.add, got, c.want)
		}
	}
	l := deliverylog.New[entry](0, nil)
	for i := range 1500 {
		l.Add(entry{Seq: uint64(i)})
	}
	odd := l.List(func(e *entry) bool { return e.Seq%2 == 1 })
	if len(odd) != 500 || odd[0].Seq != 501 {
		t.Errorf("default size / filter: %d entries, first %v", len(odd), odd[0])
	}
}

func TestConcurrent(t *testing.T) {
	l := deliverylog.New(100, func(e *entry, s uint64) { e.Seq = s })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				l.Add(entry{Name: fmt.Sprint(g, i)})
				_ = l.List(nil)
			}
		})
	}
	wg.Wait()
	got := l.List(nil)
	if len(got) != 100 || got[99].Seq != 1600 {
		t.Fatalf("%d entries, last %+v", len(got), got[len(got)-1])
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq != got[i-1].Seq+1 {
			t.Fatalf("out of order at %d: %v", i, got[i-1:i+1])
		}
	}
}

func ExampleLog() {
	l := deliverylog.New(2, func(e *entry, s uint64) { e.Seq = s })
	l.Add(entry{Name: "a"})
	l.Add(entry{Name: "b"})
	l.Add(entry{Name: "c"})
	fmt.Println(l.List(nil))
	// Output: [{2 b} {3 c}]
}
