package account_test

import (
	"context"
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
	"github.com/postmill/postmill/stages/batch"
)

// BenchmarkProcessGenerated runs the stage over the rows that reach it in a
// run of 100,000 bench/gen contacts (the end-to-end benchmark's mix, through
// the stages before this one), in batches of batch.EmitRows, with pricing by
// presort level from the end-to-end benchmark's rate card, without a ledger
// (BenchmarkProcess measures the file ledger). Building each batch from the
// copied rows is inside the timing.
func BenchmarkProcessGenerated(b *testing.B) {
	d := stagedata.New(b, stagedata.Config{})
	rows := d.Input(b, "account")
	ctx := context.Background()
	st := d.Stage(b, "account")
	var c stagedata.Counts
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if c, err = d.Process(ctx, st, rows, batch.EmitRows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
	if c.Live != len(rows) {
		b.Fatalf("%+v for %d rows: want every piece priced", c, len(rows))
	}
}
