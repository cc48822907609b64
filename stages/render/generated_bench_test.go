package render_test

import (
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
)

// BenchmarkProcessGenerated runs the stage on generated data
// (bench/stagedata.Bench: the rows that reach it in a run of 100,000
// bench/gen contacts), with the end-to-end benchmark's front and back templates and a PURL per piece.
func BenchmarkProcessGenerated(b *testing.B) {
	stagedata.Bench{Stage: "render", Want: stagedata.AllLive}.Run(b)
}
