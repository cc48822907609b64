package suppress_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/postmill/postmill/internal/benchcpu"

	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/suppress"
)

const (
	listSize    = 10_000_000
	rowsPerOp   = 1 << 20
	emailPrefix = "customer."
)

// putDigits writes v as 8 decimal digits into b.
func putDigits(b []byte, v int) {
	for i := 7; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// tenMillionList builds account a1's list of 10M emails
// customer.NNNNNNNN@example.org through List.AddBatch.
func tenMillionList(b *testing.B) *suppression.Index {
	scope := suppression.AccountScope("a1")
	sk := scope.Key()
	l := suppression.NewList("optout.csv", scope, listSize)
	email := []byte(emailPrefix + "00000000@example.org")
	keys := make([]keyset.Key, 0, 256)
	for i := range listSize {
		putDigits(email[len(emailPrefix):], i)
		k := suppression.EntryKey(sk, keyset.KindEmail, email, nil, nil)
		keys = append(keys, k)
		if len(keys) == cap(keys) {
			l.AddBatch(keyset.KindEmail, keys)
			keys = keys[:0]
		}
	}
	l.AddBatch(keyset.KindEmail, keys)
	x := suppression.NewIndex()
	x.Add(l)
	return x
}

// BenchmarkSuppress10M runs the stage over batches of pipeline.DefaultBatchRows standardized
// rows (email in mixed case, first and last name, street and ZIP) against
// an account list of 10 million emails; one row in four is on the list, in
// an order that defeats the cache. One op is 2^20 rows; see rows/s and
// cpu-ns/row. Run with -cpu 1 -benchtime=1x (or a few x); skipped under
// -short.
func BenchmarkSuppress10M(b *testing.B) {
	if testing.Short() {
		b.Skip("10M-entry benchmark skipped in -short mode")
	}
	x := tenMillionList(b)
	st, err := suppress.New(suppress.Config{Lists: x})
	if err != nil {
		b.Fatal(err)
	}
	job := pipelinetest.NewJob()
	job.Account, job.Campaign = "a1", "spring"
	rows := make([]map[string]string, pipeline.DefaultBatchRows)
	for i := range rows {
		rows[i] = map[string]string{"email": "Customer.00000000@Example.org", "first_name": "Ann", "last_name": "Lee",
			"address_street": "1234 N MAIN ST APT 5", "address_zip": "02108"}
	}
	batch := pipelinetest.NewBatch(b, job, 0, 1, rows...)
	ctx := context.Background()
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	n, hits := 0, 0
	cpu0 := benchcpu.Time()
	for b.Loop() {
		for range rowsPerOp / len(batch.Rows) {
			for _, r := range batch.Rows {
				// Every fourth row is on the list; the others are ids past it.
				id := (n*7919)%listSize + listSize*min(1, n&3)
				putDigits(r.Fields[pipeline.ColEmail][len(emailPrefix):], id%100_000_000)
				r.Fate, r.Reason, r.Detail = pipeline.Live, "", ""
				n++
			}
			if err := st.Process(ctx, batch); err != nil {
				b.Fatal(err)
			}
			for _, r := range batch.Rows {
				if r.Fate == pipeline.Rejected {
					hits++
				}
			}
		}
	}
	b.StopTimer()
	if cpu0 != 0 {
		b.ReportMetric(float64((benchcpu.Time()-cpu0).Nanoseconds())/float64(n), "cpu-ns/row")
	}
	if hits != n/4 {
		b.Fatalf("%d suppressed of %d rows, want %d", hits, n, n/4)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/row")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
