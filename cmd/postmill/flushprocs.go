package main

import (
	"context"
	"runtime"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/batch"
)

// flushProcs is the batch stage whose Flush runs with extra Ps (GOMAXPROCS)
// on top of the run's own.
//
// Flush is the second half of a run: presort merges its runs and, behind
// it, account charges and the sinks write every output file. That half
// blocks in system calls far more than the first: 4 MiB direct writes of
// a few milliseconds each, the ledger's fsyncs, IMb serial reservations.
// The Go runtime leaves a P with a goroutine blocked in a system call until
// sysmon takes it back, which in a busy process can be 10–20 ms later; on
// two cores a held P is half the machine waiting while goroutines are
// runnable (execution traces of a 1M-row run show 0.47 of 3.5 P-seconds
// lost that way after the barrier). One P more than cores keeps the cores
// busy. Before the barrier the work is CPU-bound and an extra P only adds
// contention (GOMAXPROCS=3 for the whole run was slower), so only Flush
// gets it. The other methods are the batch stage's own.
type flushProcs struct {
	*batch.Stage
	extra int
}

// Flush runs the batch stage's Flush with the extra Ps.
func (s flushProcs) Flush(ctx context.Context, emit func(*pipeline.Batch) error) error {
	return withExtraProcs(s.extra, func() error { return s.Stage.Flush(ctx, emit) })
}

// withExtraProcs runs fn with GOMAXPROCS raised by extra and sets it back
// when fn returns. GOMAXPROCS is the process's: only a command that runs
// one job at a time (postmill run) may use it.
func withExtraProcs(extra int, fn func() error) error {
	if extra <= 0 {
		return fn()
	}
	prev := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(prev + extra)
	defer runtime.GOMAXPROCS(prev)
	return fn()
}
