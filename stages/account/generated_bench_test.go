package account_test

import (
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
	"github.com/postmill/postmill/stages/batch"
)

// BenchmarkProcessGenerated runs the stage on generated data
// (bench/stagedata.Bench: the rows that reach it in a run of 100,000
// bench/gen contacts), with pricing by presort level from the end-to-end benchmark's rate card, without a ledger
// (BenchmarkProcess measures the file ledger), in presort's batches of batch.EmitRows.
func BenchmarkProcessGenerated(b *testing.B) {
	stagedata.Bench{Stage: "account", BatchRows: batch.EmitRows, Want: stagedata.AllLive}.Run(b)
}
