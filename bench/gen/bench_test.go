package gen

import (
	"context"
	"io"
	"testing"
)

// BenchmarkGenerate measures Next alone: rows/s of the generator.
func BenchmarkGenerate(b *testing.B) {
	g, err := New(Config{Rows: 1 << 62, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var rec Record
	var bytes int64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		g.Next(&rec)
		for _, f := range rec.Fields {
			bytes += int64(len(f)) + 1
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/row")
}

// BenchmarkWrite measures generating and encoding a file of 200,000 rows in
// each format.
func BenchmarkWrite(b *testing.B) {
	const rows = 200_000
	for _, f := range []Format{CSV, CSVGzip, CSVZstd, Parquet, JSONL} {
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			var n countWriter
			for b.Loop() {
				if _, err := Write(context.Background(), &n, Config{Rows: rows, Seed: 1}, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(n)/float64(rows*b.N), "bytes/row")
		})
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
