package pipeline

import (
	"runtime"
	"sync"
)

// DefaultBatchRows is the number of rows a source puts in a batch unless
// configured otherwise: large enough to amortize channel and scheduling cost,
// small enough that a batch's arena stays in L2 cache. Every batch in flight
// holds its rows' memory (about 1.5 KB a row), and on a VM each megabyte the
// process first touches costs 1–2.5 ms of CPU: 1,024 rows took 6% less CPU
// than 2,048 in a 1M-row run, and 80 MB less memory.
const DefaultBatchRows = 1024

// Job is one run over one source for one tenant and campaign.
type Job struct {
	// ID names the job in reports and output paths.
	ID string
	// Account is the tenant (sub-account) the rows belong to; empty in an
	// embedded run that charges nobody.
	Account string
	// Campaign is the campaign the rows mail for.
	Campaign string
	// Source names the input (a path, "-" for stdin, or a trigger).
	Source string
	// Fingerprint is sha256 of the decompressed input or the trigger's
	// idempotency key; it makes piece ids stable across replays.
	Fingerprint [32]byte
	// Schema names the columns of every row of the job.
	Schema *Schema

	keyOnce sync.Once
	key     [32]byte
}

// Batch is the unit that moves between stages: up to a few thousand rows of
// one job, in input order. Rows holds the live rows; rows that a stage
// rejected or held move to Done, so they reach the sink, in order, without
// later stages seeing them.
type Batch struct {
	// Job is the job the rows belong to.
	Job *Job
	// Seq numbers the batch within its job from 0, in input order.
	Seq uint64
	// Rows are the live rows.
	Rows []*Row
	// Done are the rows that reached a terminal fate in an earlier stage.
	Done []*Row

	arena  []byte
	pool   []*Row
	warmed uint64 // what warm read: stored so that its loads are kept
}

// batchPool recycles batches and their rows so a steady-state run allocates
// nothing per row.
var batchPool = sync.Pool{New: func() any { return new(Batch) }}

// NewBatch returns an empty batch for job from the pool.
func NewBatch(job *Job, seq uint64) *Batch {
	b := batchPool.Get().(*Batch)
	b.Job, b.Seq = job, seq
	b.Rows, b.Done = b.Rows[:0], b.Done[:0]
	b.arena = b.arena[:0]
	return b
}

// Release returns the batch to the pool. The caller must hold the only
// reference: after Release neither the batch nor its rows may be used.
func (b *Batch) Release() {
	b.Job = nil
	for _, r := range b.Rows {
		r.recycle()
	}
	for _, r := range b.Done {
		r.recycle()
	}
	// AddRow takes rows from the end of the pool: pushed last to first,
	// they come out in the order they had (live rows, then done ones),
	// close to their order in memory.
	for i := len(b.Done) - 1; i >= 0; i-- {
		b.pool = append(b.pool, b.Done[i])
	}
	for i := len(b.Rows) - 1; i >= 0; i-- {
		b.pool = append(b.pool, b.Rows[i])
	}
	clear(b.Rows[:cap(b.Rows)])
	clear(b.Done[:cap(b.Done)])
	b.Rows, b.Done = b.Rows[:0], b.Done[:0]
	batchPool.Put(b)
}

// AddRow appends a fresh live row with room for the job's columns.
func (b *Batch) AddRow() *Row {
	cols := NumStandardCols
	if b.Job != nil && b.Job.Schema != nil {
		cols = b.Job.Schema.Len()
	}
	if len(b.pool) == 0 {
		b.grow(cols)
	}
	n := len(b.pool)
	r := b.pool[n-1]
	b.pool = b.pool[:n-1]
	r.reset(cols)
	b.Rows = append(b.Rows, r)
	return r
}

// rowBlock is the most rows a batch allocates at once.
const rowBlock = 128

// grow adds new rows to the pool, their structs side by side and their
// field lists in one block: a stage walks a batch's rows in order, and rows
// next to each other in memory let the hardware prefetch them (allocated
// one by one, they were scattered over the heap). Blocks double from 8 rows
// up to rowBlock, so a batch of one piece stays small.
func (b *Batch) grow(cols int) {
	n := min(max(b.Len(), 8), rowBlock)
	rows := make([]Row, n)
	fields := make([][]byte, n*cols)
	for i := n - 1; i >= 0; i-- {
		r := &rows[i]
		r.Fields = fields[i*cols : i*cols : (i+1)*cols]
		b.pool = append(b.pool, r)
	}
}

// Copy stores p in the batch's arena and returns the stored view. Stages use
// it to give a row a new value that lives as long as the batch.
func (b *Batch) Copy(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	if cap(b.arena)-len(b.arena) < len(p) {
		// A new arena; views into the old one stay valid (the old array lives
		// while they reference it), so nothing is copied back.
		n := 2 * cap(b.arena)
		if n < 64<<10 {
			n = 64 << 10
		}
		for n < len(p) {
			n *= 2
		}
		b.arena = make([]byte, 0, n)
	}
	start := len(b.arena)
	b.arena = append(b.arena, p...)
	return b.arena[start:len(b.arena):len(b.arena)]
}

// Len is the number of rows in the batch, live and done.
func (b *Batch) Len() int { return len(b.Rows) + len(b.Done) }

// Settle moves rows that a stage rejected or held from Rows to Done, and
// drops deferred rows back into the batch's row pool, keeping the order of
// both lists. It returns how many rows it moved of each fate. The engine
// calls it after each Process; a stage runner of its own (a Kafka worker)
// does too.
func (b *Batch) Settle() (rejected, held, deferred int) {
	w := 0
	for _, r := range b.Rows {
		switch r.Fate {
		case Live:
			b.Rows[w] = r
			w++
			continue
		case Rejected:
			rejected++
		case Held:
			held++
		case Deferred:
			deferred++
			r.recycle()
			b.pool = append(b.pool, r)
			continue
		}
		b.Done = append(b.Done, r)
	}
	clear(b.Rows[w:])
	b.Rows = b.Rows[:w]
	return rejected, held, deferred
}

// defaultWorkers is the worker count of a parallel step left at zero.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// warm loads each live row's header and the start of its field list, so
// that the stage about to run finds them in cache. Rows are separate
// objects; a stage walking them pays one cache miss after another, each
// waiting for the last, while these loads are independent and their misses
// overlap.
func (b *Batch) warm() {
	var x uint64
	for _, r := range b.Rows {
		x += uint64(len(r.Fields))
	}
	for _, r := range b.Rows {
		if len(r.Fields) > 0 {
			x += uint64(len(r.Fields[0]))
		}
	}
	b.warmed = x
}
