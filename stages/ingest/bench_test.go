package ingest_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/postmill/postmill/bench/gen"
	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/ingest"
)

// BenchmarkNext reads 100,000 generated contacts (bench/gen: realistic
// names and addresses, messy formatting, 13 columns, about 118 bytes a row)
// from memory through the CSV reader into batches of piece rows: column
// mapping, piece ids and the copy into each batch's arena.
func BenchmarkNext(b *testing.B) {
	const rows = 100_000
	var data bytes.Buffer
	if _, err := gen.Write(context.Background(), &data, gen.Config{Rows: rows, Seed: 1}, gen.CSV); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	var n, records, rejected int64
	for b.Loop() {
		job := &pipeline.Job{ID: "bench", Account: "a", Campaign: "c", Source: "contacts.csv", Schema: pipeline.NewSchema()}
		rr := csv.NewReader(bytes.NewReader(data.Bytes()), csv.ReaderConfig{})
		if _, err := rr.ReadHeader(); err != nil {
			b.Fatal(err)
		}
		src, err := ingest.New(job, rr, ingest.Config{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			batch, err := src.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += int64(batch.Len())
			rejected += int64(len(batch.Done))
			batch.Release()
		}
		records += src.Rows()
	}
	// Every record comes out as a row; the generator's rows are all
	// well formed (its bad addresses are for the validate stage).
	if n != records || n != rows*int64(b.N) || rejected != 0 {
		b.Fatalf("%d rows (%d rejected) out of %d records, want %d", n, rejected, records, rows*b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
