// Package pipelinetest has helpers for testing stages and sinks: batches
// built from literal rows, a source over them, a sink that keeps what it
// receives, and assertions on a row's fate.
package pipelinetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/postmill/postmill/pipeline"
)

// NewJob returns a job with the standard schema plus the named extra columns.
func NewJob(extra ...string) *pipeline.Job {
	s := pipeline.NewSchema()
	for _, e := range extra {
		s.Add(e)
	}
	return &pipeline.Job{ID: "test", Account: "acct", Campaign: "camp", Source: "test", Schema: s}
}

// NewBatch builds a batch of job from rows given as column → value maps;
// rows are numbered from first.
func NewBatch(tb testing.TB, job *pipeline.Job, seq uint64, first int64, rows ...map[string]string) *pipeline.Batch {
	tb.Helper()
	b := pipeline.NewBatch(job, seq)
	for i, m := range rows {
		r := b.AddRow()
		r.Num = first + int64(i)
		r.Line = r.Num + 1
		r.ID = pipeline.NewPieceID(job, r.Num)
		for k, v := range m {
			c, ok := job.Schema.Index(k)
			if !ok {
				tb.Fatalf("NewBatch: job has no column %q", k)
			}
			r.Fields[c] = b.Copy([]byte(v))
		}
	}
	return b
}

// Source returns a source that yields the given batches, then EOF.
func Source(batches ...*pipeline.Batch) pipeline.Source {
	var mu sync.Mutex
	return pipeline.SourceFunc(func(ctx context.Context) (*pipeline.Batch, error) {
		mu.Lock()
		defer mu.Unlock()
		if len(batches) == 0 {
			return nil, pipeline.EOF
		}
		b := batches[0]
		batches = batches[1:]
		return b, nil
	})
}

// Result is a row as a sink saw it, detached from its batch.
type Result struct {
	Num    int64
	ID     string
	Fate   pipeline.Fate
	Reason pipeline.Reason
	Detail string
	Notes  []pipeline.Reason
	Fields map[string]string
}

// Sink collects every row it receives, in the order received.
type Sink struct {
	mu      sync.Mutex
	Rows    []Result
	Batches int
	Closed  bool
}

// Write records the batch's rows and releases it.
func (s *Sink) Write(ctx context.Context, b *pipeline.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Batches++
	add := func(r *pipeline.Row) {
		res := Result{Num: r.Num, ID: r.ID.String(), Fate: r.Fate, Reason: r.Reason, Detail: r.Detail,
			Notes: append([]pipeline.Reason(nil), r.Notes...), Fields: map[string]string{}}
		for i, v := range r.Fields {
			if len(v) > 0 {
				res.Fields[b.Job.Schema.Name(i)] = string(v)
			}
		}
		s.Rows = append(s.Rows, res)
	}
	for _, r := range b.Rows {
		add(r)
	}
	for _, r := range b.Done {
		add(r)
	}
	b.Release()
	return nil
}

// Close marks the sink closed.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	s.Closed = true
	s.mu.Unlock()
	return nil
}

// Find returns the result for source row num.
func (s *Sink) Find(tb testing.TB, num int64) Result {
	tb.Helper()
	for _, r := range s.Rows {
		if r.Num == num {
			return r
		}
	}
	tb.Fatalf("no row %d reached the sink", num)
	return Result{}
}

// RequireFate fails the test unless source row num ended with fate and reason.
func (s *Sink) RequireFate(tb testing.TB, num int64, fate pipeline.Fate, reason pipeline.Reason) {
	tb.Helper()
	r := s.Find(tb, num)
	if r.Fate != fate || r.Reason != reason {
		tb.Fatalf("row %d: got %s %q, want %s %q", num, r.Fate, r.Reason, fate, reason)
	}
}

// RunStage runs one stage over batches in a one-step chain and returns the
// sink and the checked report.
func RunStage(tb testing.TB, step pipeline.Step, job *pipeline.Job, batches ...*pipeline.Batch) (*Sink, *pipeline.Report) {
	tb.Helper()
	sink := &Sink{}
	rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job, Source(batches...), []pipeline.Step{step}, sink)
	if err != nil {
		tb.Fatalf("run %s: %v", step.Name, err)
	}
	return sink, rep
}

// Rows returns a source of n generated rows in batches of size, numbered
// from 1, each with a piece id, a first name "name-<n>" and a ZIP Code.
func Rows(job *pipeline.Job, n, size int) pipeline.Source {
	next := 0
	var seq uint64
	return pipeline.SourceFunc(func(ctx context.Context) (*pipeline.Batch, error) {
		if next >= n {
			return nil, pipeline.EOF
		}
		b := pipeline.NewBatch(job, seq)
		seq++
		for i := 0; i < size && next < n; i++ {
			next++
			r := b.AddRow()
			r.Num, r.Line = int64(next), int64(next)+1
			r.ID = pipeline.NewPieceID(job, r.Num)
			r.Fields[pipeline.ColFirstName] = b.Copy(fmt.Appendf(nil, "name-%d", next))
			r.Fields[pipeline.ColZip] = b.Copy(fmt.Appendf(nil, "%05d", next%100000))
		}
		return b, nil
	})
}
