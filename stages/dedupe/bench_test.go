package dedupe_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/postmill/postmill/internal/benchcpu"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/dedupe"
)

// putDigits writes v as 8 decimal digits into b.
func putDigits(b []byte, v int) {
	for i := 7; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// BenchmarkDedupe5M runs a fresh individual-mode stage over 5 million
// standardized rows (first and last name, street with unit, ZIP) in
// batches of pipeline.DefaultBatchRows; one row in four repeats an earlier person. One op is the
// whole pass, with a table grown from empty and one presized by
// Config.ExpectedRows; see rows/s, cpu-ns/row, the heap in use at the end (the
// stage's table) and the process's peak RSS. Run with -cpu 1
// -benchtime=1x; skipped under -short.
func BenchmarkDedupe5M(b *testing.B) {
	if testing.Short() {
		b.Skip("5M-row benchmark skipped in -short mode")
	}
	b.Run("grow", func(b *testing.B) { benchDedupe(b, 0) })
	b.Run("presized", func(b *testing.B) { benchDedupe(b, 5_000_000) })
}

func benchDedupe(b *testing.B, hint int) {
	const total = 5_000_000
	job := pipelinetest.NewJob()
	rows := make([]map[string]string, pipeline.DefaultBatchRows)
	for i := range rows {
		rows[i] = map[string]string{"first_name": "Ann", "last_name": "Lee00000000",
			"address_street": "00000000 N MAIN ST APT 5", "address_zip": "02108"}
	}
	batch := pipelinetest.NewBatch(b, job, 0, 1, rows...)
	ctx := context.Background()
	runtime.GC()
	b.ReportAllocs()
	var st *dedupe.Stage
	dups := 0
	cpu0 := benchcpu.Time()
	for b.Loop() {
		st = nil
		st, _ = dedupe.New(dedupe.Config{Mode: dedupe.Individual, ExpectedRows: hint})
		dups = 0
		for n := 0; n < total; {
			for _, r := range batch.Rows {
				id := n
				if id&3 == 3 {
					id &^= 3 // repeat row 4k
				}
				id = (id * 7919) % 100_000_000
				putDigits(r.Fields[pipeline.ColLastName][3:], id)
				putDigits(r.Fields[pipeline.ColStreet], id)
				n++
				r.Num = int64(n)
				r.Fate, r.Reason, r.Detail = pipeline.Live, "", ""
			}
			if err := st.Process(ctx, batch); err != nil {
				b.Fatal(err)
			}
			for _, r := range batch.Rows {
				if r.Fate == pipeline.Rejected {
					dups++
				}
			}
		}
	}
	b.StopTimer()
	rowsDone := b.N * (total + pipeline.DefaultBatchRows - 1) / pipeline.DefaultBatchRows * pipeline.DefaultBatchRows
	if cpu0 != 0 {
		b.ReportMetric(float64((benchcpu.Time()-cpu0).Nanoseconds())/float64(rowsDone), "cpu-ns/row")
	}
	if want := rowsDone / b.N / 4; dups < want-1 || dups > want+1 {
		b.Fatalf("%d duplicates, want %d", dups, want)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rowsDone), "ns/row")
	b.ReportMetric(float64(rowsDone)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap-inuse")
	b.ReportMetric(benchcpu.PeakRSSMiB(), "MiB-peak-rss")
	runtime.KeepAlive(st)
}
