package manifest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/postmill/postmill/formats/manifest"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// BenchmarkAdd writes presorted pieces to pieces.csv: batches of 2,048 rows
// with the columns the batch and account stages add, 20 batches (40,960
// pieces) per operation, one print batch, trays of 200 pieces.
func BenchmarkAdd(b *testing.B) {
	const rows = 2048
	job, batch := presortedBatch(b, rows)
	w, err := manifest.New(b.TempDir(), job, manifest.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for range 20 {
			if err := w.Add(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*20*rows), "ns/piece")
	if _, err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
}

// presortedBatch returns a job with the batch and account stages' columns
// and one batch of rows as presort emits them: one print batch, 5-digit
// level, trays of 200.
func presortedBatch(tb testing.TB, rows int) (*pipeline.Job, *pipeline.Batch) {
	tb.Helper()
	job := pipelinetest.NewJob()
	sc := job.Schema
	cols := map[string]int{}
	for _, c := range []string{"template_id", "purl", "merge_first_name", "merge_var_field_1",
		manifest.ColBatchID, manifest.ColSequence, manifest.ColTray, manifest.ColLevel, manifest.ColDest,
		"imb", "imb_tracking", "imb_routing", manifest.ColPostage} {
		cols[c] = sc.Add(c)
	}
	batch := pipeline.NewBatch(job, 0)
	set := func(r *pipeline.Row, col int, v string) {
		for len(r.Fields) <= col {
			r.Fields = append(r.Fields, nil)
		}
		r.Fields[col] = batch.Copy([]byte(v))
	}
	for i := range rows {
		r := batch.AddRow()
		r.Num = int64(i + 1)
		r.ID = pipeline.NewPieceID(job, r.Num)
		set(r, pipeline.ColFirstName, "Maria")
		set(r, pipeline.ColLastName, "Gonzalez-Smith")
		set(r, pipeline.ColStreet, fmt.Sprintf("%d N MAIN ST APT %d", 100+i, i%40))
		set(r, pipeline.ColCity, "SPRINGFIELD")
		set(r, pipeline.ColState, "IL")
		set(r, pipeline.ColZip, fmt.Sprintf("627%02d", i/100))
		set(r, cols["template_id"], "tb0839d015dcc")
		set(r, cols["purl"], "9vhdmmtan6")
		set(r, cols["merge_first_name"], "Maria")
		set(r, cols["merge_var_field_1"], "February 7, 2025")
		set(r, cols[manifest.ColBatchID], "acme-first_class-postcard_4x6-domestic-290b46c14f")
		set(r, cols[manifest.ColSequence], fmt.Sprint(i+1))
		set(r, cols[manifest.ColTray], fmt.Sprint(i/200+1))
		set(r, cols[manifest.ColLevel], "5digit")
		set(r, cols[manifest.ColDest], fmt.Sprintf("627%02d", i/100))
		set(r, cols["imb"], "DADADFTDTAFDFADFDFATFAADTTFATDDTAADFFAAAFAAAAFTDDTADTTFTAFAFFTTDT")
		set(r, cols["imb_tracking"], fmt.Sprintf("007001234560%08d", i))
		set(r, cols["imb_routing"], fmt.Sprintf("627%02d", i/100))
		set(r, cols[manifest.ColPostage], "0.4010")
	}
	return job, batch
}
