package batch_test

import (
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
)

// BenchmarkProcessGenerated runs the stage on generated data
// (bench/stagedata.Bench: the rows that reach it in a run of 100,000
// bench/gen contacts), with a fresh stage per pass: presort's intake of every row, then its flush (sort, trays, IMbs)
// emitting them.
func BenchmarkProcessGenerated(b *testing.B) {
	stagedata.Bench{Stage: "batch", Fresh: true, Want: stagedata.AllEmitted}.Run(b)
}
