package dedupe_test

import (
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
)

// BenchmarkProcessGenerated runs the stage on generated data
// (bench/stagedata.Bench: the rows that reach it in a run of 100,000
// bench/gen contacts), with a fresh individual-mode stage per pass (dedupe remembers what it saw), its table grown from
// empty.
func BenchmarkProcessGenerated(b *testing.B) {
	stagedata.Bench{Stage: "dedupe", Fresh: true, Want: stagedata.SomeRejected(0.1)}.Run(b)
}
