package batch_test

import (
	"context"
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
	"github.com/postmill/postmill/pipeline"
)

// BenchmarkProcessGenerated runs the stage over the rows that reach it in a
// run of 100,000 bench/gen contacts (the end-to-end benchmark's mix, through
// the stages before this one), in batches of pipeline.DefaultBatchRows, with
// a fresh stage per pass: presort's intake of every row, then its flush
// (sort, trays, IMbs) emitting them. Building each batch from the copied
// rows is inside the timing.
func BenchmarkProcessGenerated(b *testing.B) {
	d := stagedata.New(b, stagedata.Config{})
	rows := d.Input(b, "batch")
	ctx := context.Background()
	var c stagedata.Counts
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		st := d.Stage(b, "batch")
		b.StartTimer()
		var err error
		if c, err = d.Process(ctx, st, rows, pipeline.DefaultBatchRows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
	if c.Deferred != len(rows) || c.Emitted != len(rows) {
		b.Fatalf("%+v for %d rows: want every row taken in and emitted", c, len(rows))
	}
}
