package render_test

import (
	"context"
	"testing"

	"github.com/postmill/postmill/bench/stagedata"
	"github.com/postmill/postmill/pipeline"
)

// BenchmarkProcessGenerated runs the stage over the rows that reach it in a
// run of 100,000 bench/gen contacts (the end-to-end benchmark's mix, through
// the stages before this one), in batches of pipeline.DefaultBatchRows, with
// the end-to-end benchmark's front and back templates and a PURL per piece.
// Building each batch from the copied rows is inside the timing.
func BenchmarkProcessGenerated(b *testing.B) {
	d := stagedata.New(b, stagedata.Config{})
	rows := d.Input(b, "render")
	ctx := context.Background()
	st := d.Stage(b, "render")
	var c stagedata.Counts
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if c, err = d.Process(ctx, st, rows, pipeline.DefaultBatchRows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
	if c.Live != len(rows) {
		b.Fatalf("%+v for %d rows: want every row rendered", c, len(rows))
	}
}
