package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Config tunes a run. The zero value runs in-process with default queues.
type Config struct {
	// Transport links the steps. Default (nil): InProcess{}.
	Transport Transport
	// Middleware wraps every step's stage, outermost first. Default: none.
	Middleware []Middleware
	// Progress, when set, is advanced by the number of rows that reached the
	// sink, for a progress display. Default: nil, no progress counting.
	Progress *atomic.Int64
	// Now returns the current time for the report. Default: time.Now.
	Now func() time.Time
	// Bound says the caller has already bound the steps' Binders to the
	// job's schema (two runs sharing one job must not change the schema
	// under each other). Default: false, Run binds them.
	Bound bool
}

func (c Config) withDefaults() Config {
	if c.Transport == nil {
		c.Transport = InProcess{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// StageError is an infrastructure error of a step; the job stops with it.
type StageError struct {
	Stage string
	Err   error
}

// Error names the stage and its error.
func (e *StageError) Error() string { return fmt.Sprintf("stage %s: %v", e.Stage, e.Err) }

// Unwrap returns the underlying error.
func (e *StageError) Unwrap() error { return e.Err }

// stepStats are one step's counters, updated by its goroutines.
type stepStats struct {
	name                            string
	rowsIn, rowsOut, rejected, held atomic.Int64
	busy                            atomic.Int64 // nanoseconds
	first, last                     atomic.Int64 // unix nanoseconds
}

func (s *stepStats) mark(now time.Time) {
	n := now.UnixNano()
	s.first.CompareAndSwap(0, n)
	s.last.Store(n)
}

func (s *stepStats) report() StageReport {
	sr := StageReport{Name: s.name, RowsIn: s.rowsIn.Load(), RowsOut: s.rowsOut.Load(),
		Rejected: s.rejected.Load(), Held: s.held.Load(), BusyMS: float64(s.busy.Load()) / 1e6}
	if f, l := s.first.Load(), s.last.Load(); f != 0 {
		sr.WallMS = float64(l-f) / 1e6
	}
	return sr
}

// settle moves finished rows out of b after a stage and counts them. Rows in
// were counted by the caller.
func (s *stepStats) settle(b *Batch) {
	rej, held, _ := b.Settle()
	s.rejected.Add(int64(rej))
	s.held.Add(int64(held))
	s.rowsOut.Add(int64(len(b.Rows)))
}

// Run runs job's batches from src through steps to sink and returns the
// report. It fails with the first infrastructure error (a *StageError for
// stages); on success the report has passed [Report.Check].
func Run(ctx context.Context, cfg Config, job *Job, src Source, steps []Step, sink Sink) (*Report, error) {
	cfg = cfg.withDefaults()
	if job.Schema == nil {
		job.Schema = NewSchema()
	}
	for _, st := range steps {
		if st.Stage == nil || st.Name == "" {
			return nil, fmt.Errorf("pipeline: step %q has no stage or no name", st.Name)
		}
		if b, ok := st.Stage.(Binder); ok && !cfg.Bound {
			if err := b.Bind(job.Schema); err != nil {
				return nil, fmt.Errorf("bind stage %s: %w", st.Name, err)
			}
		}
	}
	started := cfg.Now()
	rep := &Report{SchemaVersion: ReportSchemaVersion, Job: newJobInfo(job),
		Reasons: Counts{}, Notes: Counts{}, StartedAt: started}

	g, ctx := errgroup.WithContext(ctx)

	// links[i] feeds steps[i]; links[len(steps)] feeds the sink.
	senders := make([]Sender, len(steps)+1)
	receivers := make([]Receiver, len(steps)+1)
	for i := range senders {
		boundary := "sink"
		if i < len(steps) {
			boundary = steps[i].Name
		}
		s, r, err := cfg.Transport.Open(ctx, boundary)
		if err != nil {
			return nil, fmt.Errorf("open link to %s: %w", boundary, err)
		}
		senders[i], receivers[i] = s, r
	}

	ingest := &stepStats{name: "ingest"}
	stats := make([]*stepStats, len(steps))
	for i, st := range steps {
		stats[i] = &stepStats{name: st.Name}
	}

	g.Go(func() error {
		err := runSource(ctx, src, ingest, senders[0])
		if err != nil {
			return &StageError{Stage: "ingest", Err: err}
		}
		return nil
	})
	for i, st := range steps {
		stage := st.Stage
		for j := len(cfg.Middleware) - 1; j >= 0; j-- {
			stage = cfg.Middleware[j](stage)
		}
		in, out, stat := receivers[i], senders[i+1], stats[i]
		serial, workers := st.Serial, st.Workers
		end := ending{}
		end.finisher, _ = st.Stage.(Finisher)
		end.flusher, _ = st.Stage.(Flusher)
		g.Go(func() error {
			var err error
			if serial {
				err = runSerial(ctx, stage, end, stat, in, out)
			} else {
				err = runParallel(ctx, stage, end, workers, stat, in, out)
			}
			if err != nil {
				return &StageError{Stage: stat.name, Err: err}
			}
			return nil
		})
	}
	g.Go(func() error {
		in := receivers[len(steps)]
		for {
			b, err := in.Receive(ctx)
			if errors.Is(err, EOF) {
				break
			}
			if err != nil {
				return &StageError{Stage: "sink", Err: err}
			}
			rep.Accepted += int64(len(b.Rows))
			for _, r := range b.Rows {
				for _, n := range r.Notes {
					rep.Notes[n]++
				}
			}
			for _, r := range b.Done {
				switch r.Fate {
				case Rejected:
					rep.Rejected++
				case Held:
					rep.Held++
				}
				rep.Reasons[r.Reason]++
				for _, n := range r.Notes {
					rep.Notes[n]++
				}
			}
			if cfg.Progress != nil {
				cfg.Progress.Add(int64(b.Len()))
			}
			if err := sink.Write(ctx, b); err != nil {
				return &StageError{Stage: "sink", Err: err}
			}
			if a, ok := in.(Acker); ok {
				if err := a.Ack(ctx, b); err != nil {
					return &StageError{Stage: "sink", Err: err}
				}
			}
		}
		if err := sink.Close(ctx); err != nil {
			return &StageError{Stage: "sink", Err: err}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}

	rep.RowsIn = ingest.rowsIn.Load()
	rep.Stages = append(rep.Stages, ingest.report())
	for i, s := range stats {
		rep.Stages = append(rep.Stages, s.report())
		if r, ok := steps[i].Stage.(Reporter); ok {
			if rep.Sections == nil {
				rep.Sections = map[string]any{}
			}
			rep.Sections[steps[i].Name] = r.Report()
		}
	}
	rep.FinishedAt = cfg.Now()
	rep.WallMS = float64(rep.FinishedAt.Sub(started).Microseconds()) / 1e3
	if err := rep.Check(); err != nil {
		return rep, err
	}
	return rep, nil
}

// runSource reads the source to its end, settles rows the source rejected,
// and sends every batch on.
func runSource(ctx context.Context, src Source, stat *stepStats, out Sender) error {
	for {
		t0 := time.Now()
		b, err := src.Next(ctx)
		if errors.Is(err, EOF) {
			return out.CloseSend(ctx)
		}
		if err != nil {
			return err
		}
		stat.busy.Add(int64(time.Since(t0)))
		stat.mark(t0)
		stat.mark(time.Now())
		stat.rowsIn.Add(int64(b.Len()))
		// A source fed by remote stages (a Kafka topic) hands over rows those
		// stages already finished; they count as this step's.
		for _, r := range b.Done {
			switch r.Fate {
			case Rejected:
				stat.rejected.Add(1)
			case Held:
				stat.held.Add(1)
			}
		}
		stat.settle(b)
		if err := out.Send(ctx, b); err != nil {
			return err
		}
	}
}

// process runs the stage on one batch, timing it and counting rows in.
func process(ctx context.Context, stage Stage, stat *stepStats, b *Batch) error {
	t0 := time.Now()
	stat.mark(t0)
	stat.rowsIn.Add(int64(len(b.Rows)))
	if len(b.Rows) == 0 {
		return nil
	}
	b.warm()
	err := stage.Process(ctx, b)
	stat.busy.Add(int64(time.Since(t0)))
	stat.mark(time.Now())
	return err
}

// ending is what a step's stage does at the end of its input: Finish, then
// Flush, for a stage that implements them.
type ending struct {
	finisher Finisher
	flusher  Flusher
}

// run runs the stage's ending: Finish, then Flush, whose batches are
// settled and sent on.
func (e ending) run(ctx context.Context, stat *stepStats, out Sender) error {
	if e.finisher != nil {
		e.finisher.Finish()
	}
	return flush(ctx, e.flusher, stat, out)
}

// flush calls a Flusher's Flush; emitted batches are settled and sent on.
func flush(ctx context.Context, f Flusher, stat *stepStats, out Sender) error {
	if f == nil {
		return nil
	}
	t0 := time.Now()
	err := f.Flush(ctx, func(b *Batch) error {
		stat.settle(b)
		return out.Send(ctx, b)
	})
	stat.busy.Add(int64(time.Since(t0)))
	stat.mark(time.Now())
	if err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

func ack(ctx context.Context, in Receiver, b *Batch) error {
	if a, ok := in.(Acker); ok {
		return a.Ack(ctx, b)
	}
	return nil
}

// runSerial runs a stage on this goroutine alone: the stage owns its state.
func runSerial(ctx context.Context, stage Stage, end ending, stat *stepStats, in Receiver, out Sender) error {
	for {
		b, err := in.Receive(ctx)
		if errors.Is(err, EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("receive: %w", err)
		}
		if err := process(ctx, stage, stat, b); err != nil {
			return fmt.Errorf("batch %d: %w", b.Seq, err)
		}
		stat.settle(b)
		if err := out.Send(ctx, b); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		if err := ack(ctx, in, b); err != nil {
			return fmt.Errorf("ack: %w", err)
		}
	}
	if err := end.run(ctx, stat, out); err != nil {
		return err
	}
	return out.CloseSend(ctx)
}

// slot is one batch in flight through a parallel step; done carries the
// stage's result once a worker finished it.
type slot struct {
	b    *Batch
	done chan error
}

// runParallel runs a stage on a bounded pool of workers and emits batches in
// the order received. The pool's limit and the bounded queue of slots keep
// at most 2×workers batches in flight, so a slow stage pushes back upstream.
func runParallel(ctx context.Context, stage Stage, end ending, workers int, stat *stepStats, in Receiver, out Sender) error {
	if workers <= 0 {
		workers = defaultWorkers()
	}
	g, gctx := errgroup.WithContext(ctx)
	order := make(chan *slot, workers)
	pool := new(errgroup.Group)
	pool.SetLimit(workers)

	g.Go(func() error { // dispatcher
		defer close(order)
		ctx := gctx
		for {
			b, err := in.Receive(ctx)
			if errors.Is(err, EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("receive: %w", err)
			}
			s := &slot{b: b, done: make(chan error, 1)}
			select {
			case order <- s:
			case <-ctx.Done():
				return ctx.Err()
			}
			pool.Go(func() error {
				s.done <- process(ctx, stage, stat, s.b)
				return nil
			})
		}
	})
	g.Go(func() error { // emitter: in order
		ctx := gctx
		for s := range order {
			var err error
			select {
			case err = <-s.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err != nil {
				return fmt.Errorf("batch %d: %w", s.b.Seq, err)
			}
			stat.settle(s.b)
			if err := out.Send(ctx, s.b); err != nil {
				return fmt.Errorf("send: %w", err)
			}
			if err := ack(ctx, in, s.b); err != nil {
				return fmt.Errorf("ack: %w", err)
			}
		}
		return nil
	})
	err := g.Wait()
	_ = pool.Wait()
	if err != nil {
		return err
	}
	if err := end.run(ctx, stat, out); err != nil {
		return err
	}
	return out.CloseSend(ctx)
}
