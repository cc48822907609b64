package validate_test

import (
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
)

// BenchmarkProcessGenerated runs the stage on generated data
// (bench/stagedata.Bench: the rows that reach it in a run of 100,000
// bench/gen contacts), with the generator's change-of-address file, over the rows of 100,000 bench/gen contacts (the end-to-end
// benchmark's mix: messy formatting, dropped ZIP zeros, PO boxes, units, invalid and foreign
// addresses, moves).
func BenchmarkProcessGenerated(b *testing.B) {
	stagedata.Bench{Stage: "validate", Want: stagedata.SomeRejected(0.1)}.Run(b)
}
