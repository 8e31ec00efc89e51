package pattern_test

import (
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
)

// BenchmarkParse: flattening alone, whole event versus restricted to the bench rules' paths.
func BenchmarkParse(b *testing.B) {
	ix := benchRules(b)
	evs := benchEvents()
	for _, restrict := range []bool{false, true} {
		name := "all"
		if restrict {
			name = "restricted"
		}
		b.Run(name, func(b *testing.B) {
			e := pattern.NewEvent()
			if restrict {
				e.Restrict(ix)
			}
			n := 0
			for b.Loop() {
				if err := e.Parse(evs[n%len(evs)]); err != nil {
					b.Fatal(err)
				}
				n++
			}
		})
	}
}
