package pipeline

import (
	"context"
	"io"
)

// Stage decides the fate of each live row of a batch.
//
// Process is called with a batch whose Rows are all Live. For each row it
// either leaves it Live (changing fields with [Batch.Copy] when it rewrites a
// value), or calls [Row.Reject] or [Row.Hold] with a registered [Reason].
// It must not keep the batch or its rows after it returns, must not reorder
// or remove rows itself, and must not open files or sockets it was not
// handed. A row problem is never an error: Process returns an error only
// when it cannot do its work at all (a store is down, a disk is full), and
// that error stops the job.
//
// A stage of a parallel [Step] is called from several goroutines at once and
// must be safe for that; a stage of a serial step is called from one.
type Stage interface {
	Process(ctx context.Context, b *Batch) error
}

// StageFunc adapts a function to [Stage].
type StageFunc func(ctx context.Context, b *Batch) error

// Process calls f.
func (f StageFunc) Process(ctx context.Context, b *Batch) error { return f(ctx, b) }

// Finisher is implemented by stages that hold state only for the rows still
// to come (dedupe's table of the keys seen). The engine calls Finish once,
// after the last batch was processed and before Flush, from the goroutine
// that owns the stage: the state can go then, before the stages after a
// barrier (presort's) take their memory, rather than when the run ends.
type Finisher interface {
	Finish()
}

// Flusher is implemented by stages that need all of their input before they
// can emit everything (presort, dedupe with spill). The engine calls Flush
// once, after the last batch was processed, from the goroutine that owns the
// stage; emit passes a batch on downstream and takes ownership of it.
type Flusher interface {
	Flush(ctx context.Context, emit func(*Batch) error) error
}

// Binder is implemented by stages that add columns to the job's schema
// (address_zip4, address_status, …). The engine calls Bind before the first
// batch; the stage keeps the returned indexes.
type Binder interface {
	Bind(s *Schema) error
}

// Keyer is implemented by stages that keep state per key (dedupe by
// address, presort by print batch, account by batch): a distributed
// transport sends every row to the stage instance that owns its
// PartitionKey, so rows with equal keys meet in one place however many
// instances run. Bind, when the stage has it, is called before the first
// PartitionKey; calls come from one goroutine.
type Keyer interface {
	PartitionKey(r *Row) uint64
}

// Reporter is implemented by stages with counts of their own (per suppression
// list, per dedupe mode). The engine stores Report's value under the step's
// name in [Report.Sections] at the end of the run.
type Reporter interface {
	Report() any
}

// Middleware wraps a stage, for cross-cutting concerns such as tracing or
// metrics.
type Middleware func(Stage) Stage

// Step is a stage in a chain with the way it runs.
type Step struct {
	// Name names the stage in reports and errors ("validate").
	Name string
	// Stage does the work.
	Stage Stage
	// Serial runs the stage on a single goroutine that owns its state, for
	// keyed and stateful stages (dedupe, presort). Default: false, a
	// parallel worker pool.
	Serial bool
	// Workers bounds the worker pool of a parallel step. Default (0):
	// GOMAXPROCS. Ignored when Serial is set.
	Workers int
}

// Source produces a job's batches in input order. Next returns io.EOF after
// the last batch. A source may return batches with rows already rejected
// (malformed input); the engine settles them like a stage's.
type Source interface {
	Next(ctx context.Context) (*Batch, error)
}

// Sink receives every batch at the end of the chain, in order, with its live
// rows (accepted) and done rows (rejected or held). Write owns the batch and
// releases it when done. Close is called once after the last batch, or not
// at all when the job failed.
type Sink interface {
	Write(ctx context.Context, b *Batch) error
	Close(ctx context.Context) error
}

// Consumer is implemented by sinks that can read a batch without releasing
// it, so a sink in front of them can run its own work on the same batch at
// the same time and release the batch once both are done. Consume must not
// keep the batch or its rows after it returns.
type Consumer interface {
	Consume(ctx context.Context, b *Batch) error
}

// SourceFunc adapts a function to [Source].
type SourceFunc func(ctx context.Context) (*Batch, error)

// Next calls f.
func (f SourceFunc) Next(ctx context.Context) (*Batch, error) { return f(ctx) }

// EOF is returned by sources and receivers at the end of input.
var EOF = io.EOF
