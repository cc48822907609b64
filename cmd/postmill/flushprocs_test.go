package main

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/batch"
)

// TestFlushProcs: the batch stage wrapped by flushProcs flushes every piece
// with GOMAXPROCS raised by extra, and GOMAXPROCS is back to what it was
// when Flush returns, also when it fails.
func TestFlushProcs(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	errEmit := errors.New("emit failed")
	for _, tc := range []struct {
		name    string
		extra   int
		emitErr error
	}{
		{"one extra", 1, nil},
		{"two extra", 2, nil},
		{"none", 0, nil},
		{"emit fails", 1, errEmit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := batch.New(batch.Config{SpillDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			job := pipelinetest.NewJob()
			if err := st.Bind(job.Schema); err != nil {
				t.Fatal(err)
			}
			in := pipelinetest.NewBatch(t, job, 0, 1,
				map[string]string{"address_zip": "10001", "address_country": "US"},
				map[string]string{"address_zip": "94105", "address_country": "US"},
				map[string]string{"address_zip": "02108", "address_country": "US"})
			if err := st.Process(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			var s pipeline.Stage = flushProcs{Stage: st, extra: tc.extra}
			var during []int
			pieces := 0
			err = s.(pipeline.Flusher).Flush(context.Background(), func(b *pipeline.Batch) error {
				during = append(during, runtime.GOMAXPROCS(0))
				pieces += len(b.Rows)
				return tc.emitErr
			})
			if !errors.Is(err, tc.emitErr) {
				t.Fatalf("Flush: %v, want %v", err, tc.emitErr)
			}
			if got := runtime.GOMAXPROCS(0); got != prev {
				t.Fatalf("GOMAXPROCS after Flush %d, want %d again", got, prev)
			}
			if len(during) == 0 {
				t.Fatal("Flush emitted nothing")
			}
			for _, n := range during {
				if n != prev+tc.extra {
					t.Fatalf("GOMAXPROCS during Flush %d, want %d", n, prev+tc.extra)
				}
			}
			if tc.emitErr == nil && pieces != 3 {
				t.Fatalf("flushed %d pieces, want 3", pieces)
			}
			// The wrapper keeps what the engine looks for on the stage.
			if _, ok := s.(pipeline.Binder); !ok {
				t.Fatal("flushProcs hides Bind")
			}
			if _, ok := s.(pipeline.Reporter); !ok {
				t.Fatal("flushProcs hides Report")
			}
		})
	}
}
