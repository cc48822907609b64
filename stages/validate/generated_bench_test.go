package validate_test

import (
	"context"
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
	"github.com/postmill/postmill/pipeline"
)

// BenchmarkProcessGenerated runs the stage, with the generator's
// change-of-address file, over 100,000 bench/gen contacts (the end-to-end
// bench's mix: messy formatting, dropped ZIP zeros, PO boxes, units,
// invalid and foreign addresses, moves) in batches of
// pipeline.DefaultBatchRows. Building each batch from the ingested rows is
// inside the timing.
func BenchmarkProcessGenerated(b *testing.B) {
	d := stagedata.New(b, stagedata.Config{})
	rows := d.Input(b, "validate")
	st := d.Stage(b, "validate")
	ctx := context.Background()
	var c stagedata.Counts
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if c, err = d.Process(ctx, st, rows, pipeline.DefaultBatchRows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
	if c.Rejected == 0 || c.Rejected > len(rows)/10 || c.Live+c.Rejected != len(rows) {
		b.Fatalf("%+v for %d generated rows: want a few percent rejected and the rest live", c, len(rows))
	}
}
