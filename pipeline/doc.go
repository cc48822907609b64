// Package pipeline is postmill's streaming engine: it moves piece rows in
// batches from a source, through a chain of stages, to a sink, and accounts
// for every row on the way.
//
// # Flow
//
//	Source ──► Stage ──► Stage ──► … ──► Sink
//	 (ingest)   (validate, suppress, dedupe, render, batch, account)
//	             │          │
//	             └ rejects / holds stay in the batch (Batch.Done) and reach the sink too
//
// A [Source] produces [Batch] values of up to [DefaultBatchRows] rows. Each
// [Stage] decides every live row's fate: it leaves the row to pass on
// (possibly changed), calls [Row.Reject] with a [Reason], or calls
// [Row.Hold]. After each stage the engine moves finished rows to
// [Batch.Done], so the next stage sees only live rows, and the sink sees
// every row exactly once, in input order.
//
// # Execution
//
// A [Step] names a stage and says how it runs. Stateless stages run on a
// bounded worker pool (errgroup with SetLimit, default GOMAXPROCS) and keep
// input order; stateful stages (Step.Serial) run on one goroutine that owns
// their state. A stage that needs all input also implements [Flusher]: it
// copies rows and marks them [Row.Defer], and the engine calls Flush once
// its input is complete and passes on what it emits; a stage that holds
// state only for the rows still to come implements [Finisher], and the
// engine lets it drop that state then (before Flush). Stages are connected by
// a [Transport]: [InProcess] is a bounded channel, so a slow stage pushes
// back on its producers instead of buffering; pipeline/kafka puts a topic
// in between. A source may also hand over rows that stages elsewhere have
// already finished (in Batch.Done); the first step counts them.
//
// Optional abilities are extra interfaces: [Binder] (a stage adds columns),
// [Reporter] (a stage's own report section), [Acker] (a receiver confirms
// deliveries), [Consumer] (a sink that can share a batch with another).
//
// # Accounting
//
// The engine counts rows in, out, rejected and held per stage and per
// [Reason]. [Report.Check] enforces the invariant every test leans on:
// rows_in = accepted + rejected + held.
//
// # Errors
//
// A row problem is never an error: it is a reject with a reason. An error
// returned by a source, stage or sink is an infrastructure failure; the first
// one cancels the job and is returned wrapped with the stage it came from.
package pipeline
