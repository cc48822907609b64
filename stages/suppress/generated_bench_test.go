package suppress_test

import (
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
)

// BenchmarkProcessGenerated runs the stage on generated data
// (bench/stagedata.Bench: the rows that reach it in a run of 100,000
// bench/gen contacts), with the account's email and address lists the generator wrote.
func BenchmarkProcessGenerated(b *testing.B) {
	stagedata.Bench{Stage: "suppress", Want: stagedata.SomeRejected(0.1)}.Run(b)
}
