package validate_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/postmill/postmill/bench/gen"
	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/ingest"
	"github.com/postmill/postmill/stages/validate"
)

// BenchmarkProcessGenerated runs the stage, with the generator's
// change-of-address file, over 100,000 bench/gen contacts (the end-to-end
// bench's mix: messy formatting, dropped ZIP zeros, PO boxes, units,
// invalid and foreign addresses, moves) in batches of pipeline.DefaultBatchRows. Building each
// batch from the ingested rows (field views, no copy) is inside the timing.
func BenchmarkProcessGenerated(b *testing.B) {
	const n = 100_000
	g, err := gen.New(gen.Config{Rows: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var contacts, coa bytes.Buffer
	ctx := context.Background()
	if err := g.WriteContacts(ctx, &contacts, gen.CSV); err != nil {
		b.Fatal(err)
	}
	if err := g.WriteCOA(&coa); err != nil {
		b.Fatal(err)
	}
	zips, err := zipdb.Load()
	if err != nil {
		b.Fatal(err)
	}
	moves, err := ncoa.Load(&coa, "coa.csv", zips)
	if err != nil {
		b.Fatal(err)
	}
	job, rows := ingestAll(b, contacts.Bytes())
	st, err := validate.New(validate.Config{COA: moves, ZIPs: zips})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Bind(job.Schema); err != nil {
		b.Fatal(err)
	}
	var rejected int
	run := func() {
		for start := 0; start < len(rows); start += pipeline.DefaultBatchRows {
			batch := pipeline.NewBatch(job, 0)
			for _, fields := range rows[start:min(start+pipeline.DefaultBatchRows, len(rows))] {
				r := batch.AddRow()
				copy(r.Fields, fields)
			}
			if err := st.Process(ctx, batch); err != nil {
				b.Fatal(err)
			}
			for _, r := range batch.Rows {
				if r.Fate != pipeline.Live {
					rejected++
				}
			}
			batch.Release()
		}
	}
	run()
	if rejected == 0 || rejected > n/10 {
		b.Fatalf("%d of %d generated rows rejected, want a few percent", rejected, n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
}

// ingestAll reads a CSV through the ingest stage and returns the job and
// every row's fields, copied out of their batches.
func ingestAll(b *testing.B, data []byte) (*pipeline.Job, [][][]byte) {
	b.Helper()
	job := &pipeline.Job{ID: "bench", Account: "a", Campaign: "c", Source: "contacts.csv", Schema: pipeline.NewSchema()}
	rr := csv.NewReader(bytes.NewReader(data), csv.ReaderConfig{})
	if _, err := rr.ReadHeader(); err != nil {
		b.Fatal(err)
	}
	src, err := ingest.New(job, rr, ingest.Config{})
	if err != nil {
		b.Fatal(err)
	}
	var rows [][][]byte
	for {
		batch, err := src.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range batch.Rows {
			fields := make([][]byte, len(r.Fields))
			for i, f := range r.Fields {
				fields[i] = bytes.Clone(f)
			}
			rows = append(rows, fields)
		}
		batch.Release()
	}
	return job, rows
}
