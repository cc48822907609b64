package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/pipeline/transporttest"
)

func TestInProcessTransport(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) pipeline.Transport { return pipeline.InProcess{Capacity: 3} },
		transporttest.Features{Bounded: true, Capacity: 3})
}

func TestRunKeepsOrderAndCounts(t *testing.T) {
	for _, workers := range []int{1, 3, 8} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			job := pipelinetest.NewJob()
			// Rejects every 7th row, holds every 11th, and sleeps at random so
			// workers finish out of order.
			jitter := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
				for _, r := range b.Rows {
					switch {
					case r.Num%7 == 0:
						r.Reject(pipeline.MalformedQuote, "")
					case r.Num%11 == 0:
						r.Hold(pipeline.HeldInsufficient, "")
					}
				}
				return nil
			})
			second := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
				for _, r := range b.Rows {
					if r.Fate != pipeline.Live || r.Num%7 == 0 || (r.Num%11 == 0) {
						return fmt.Errorf("row %d reached the second stage with fate %s", r.Num, r.Fate)
					}
					if r.Num%13 == 0 {
						r.Reject(pipeline.MissingMergeField.With("first_name"), "")
					}
				}
				return nil
			})
			sink := &pipelinetest.Sink{}
			const n = 10_000
			rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Rows(job, n, 97),
				[]pipeline.Step{{Name: "jitter", Stage: jitter, Workers: workers}, {Name: "second", Stage: second, Workers: workers}}, sink)
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Rows) != n || !sink.Closed {
				t.Fatalf("sink got %d rows (closed %v), want %d", len(sink.Rows), sink.Closed, n)
			}
			// Batches reach the sink in order: the first row of each batch
			// increases.
			var last int64
			var accepted, rejected, held int64
			for _, r := range sink.Rows {
				switch r.Fate {
				case pipeline.Live:
					accepted++
					if r.Num < last {
						t.Fatalf("row %d after row %d: order lost", r.Num, last)
					}
					last = r.Num
				case pipeline.Rejected:
					rejected++
				case pipeline.Held:
					held++
				}
			}
			var want7, want11, want13 int64
			for i := int64(1); i <= n; i++ {
				switch {
				case i%7 == 0:
					want7++
				case i%11 == 0:
					want11++
				case i%13 == 0:
					want13++
				}
			}
			if rep.RowsIn != n || rep.Accepted != accepted || rep.Rejected != rejected || rep.Held != held {
				t.Fatalf("report %+v disagrees with sink: accepted %d rejected %d held %d", rep, accepted, rejected, held)
			}
			if rep.Reasons[pipeline.MalformedQuote] != want7 || rep.Reasons[pipeline.HeldInsufficient] != want11 ||
				rep.Reasons[pipeline.MissingMergeField.With("first_name")] != want13 {
				t.Fatalf("reasons %v, want %d/%d/%d", rep.Reasons, want7, want11, want13)
			}
			if got := rep.Stages[1]; got.Name != "jitter" || got.RowsIn != n || got.Rejected != want7 || got.Held != want11 || got.RowsOut != n-want7-want11 {
				t.Fatalf("jitter stage report %+v", got)
			}
			if got := rep.Stages[2]; got.RowsIn != n-want7-want11 || got.Rejected != want13 {
				t.Fatalf("second stage report %+v", got)
			}
		})
	}
}

func TestRunStageErrorStopsJob(t *testing.T) {
	job := pipelinetest.NewJob()
	boom := errors.New("disk full")
	var calls atomic.Int64
	failing := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		if calls.Add(1) == 3 {
			return boom
		}
		return nil
	})
	sink := &pipelinetest.Sink{}
	_, err := pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Rows(job, 1_000_000, 100),
		[]pipeline.Step{{Name: "account", Stage: failing, Workers: 2}}, sink)
	var se *pipeline.StageError
	if !errors.As(err, &se) || se.Stage != "account" || !errors.Is(err, boom) {
		t.Fatalf("got %v, want a StageError from stage account wrapping %v", err, boom)
	}
	if sink.Closed {
		t.Fatal("sink closed after a failed job")
	}
	if len(sink.Rows) >= 1_000_000 {
		t.Fatal("the job ran to the end despite the error")
	}
}

func TestRunSourceErrorNamesIngest(t *testing.T) {
	job := pipelinetest.NewJob()
	src := pipeline.SourceFunc(func(ctx context.Context) (*pipeline.Batch, error) {
		return nil, errors.New("read data.csv: unexpected EOF")
	})
	_, err := pipeline.Run(context.Background(), pipeline.Config{}, job, src, nil, &pipelinetest.Sink{})
	if err == nil || err.Error() != "stage ingest: read data.csv: unexpected EOF" {
		t.Fatalf("got %v", err)
	}
}

func TestRunCancel(t *testing.T) {
	job := pipelinetest.NewJob()
	ctx, cancel := context.WithCancel(context.Background())
	blocked := make(chan struct{})
	stage := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		select {
		case blocked <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return ctx.Err()
	})
	errc := make(chan error, 1)
	go func() {
		_, err := pipeline.Run(ctx, pipeline.Config{}, job, pipelinetest.Rows(job, 1_000_000, 100),
			[]pipeline.Step{{Name: "slow", Stage: stage, Serial: true}}, &pipelinetest.Sink{})
		errc <- err
	}()
	<-blocked
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// TestRunBackPressure shows that a stalled stage stops the source: the
// source can run ahead by the bounded queues only.
func TestRunBackPressure(t *testing.T) {
	job := pipelinetest.NewJob()
	release := make(chan struct{})
	stage := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
	var produced atomic.Int64
	inner := pipelinetest.Rows(job, 1_000_000, 10)
	stalled := make(chan struct{})
	src := pipeline.SourceFunc(func(ctx context.Context) (*pipeline.Batch, error) {
		n := produced.Add(1)
		if n == 40 {
			close(stalled) // never reached while the stage is blocked
		}
		return inner.Next(ctx)
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := pipeline.Run(ctx, pipeline.Config{Transport: pipeline.InProcess{Capacity: 2}}, job, src,
			[]pipeline.Step{{Name: "stalled", Stage: stage, Workers: 2}}, &pipelinetest.Sink{})
		errc <- err
	}()
	// Wait until the source cannot go on: its count stops changing while
	// the stage is blocked. Queue 2 + 2 workers + 2 in the ordering queue
	// + 1 in hand bounds it at 8 batches.
	deadline := time.Now().Add(5 * time.Second)
	var last int64 = -1
	for time.Now().Before(deadline) {
		n := produced.Load()
		if n == last && n > 0 {
			break
		}
		last = n
		select {
		case <-stalled:
			t.Fatal("source ran ahead 40 batches past a stalled stage: no back-pressure")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if n := produced.Load(); n > 8 {
		t.Fatalf("source produced %d batches past a stalled stage, want ≤ 8", n)
	}
	close(release)
	cancel()
	<-errc
}

// deferAll copies every row's first name and emits them all, reversed, at
// flush: the shape of a presort stage.
type deferAll struct {
	job   *pipeline.Job
	names []string
	nums  []int64
}

func (d *deferAll) Process(ctx context.Context, b *pipeline.Batch) error {
	for _, r := range b.Rows {
		d.names = append(d.names, string(r.Fields[pipeline.ColFirstName]))
		d.nums = append(d.nums, r.Num)
		r.Defer()
	}
	return nil
}

func (d *deferAll) Flush(ctx context.Context, emit func(*pipeline.Batch) error) error {
	b := pipeline.NewBatch(d.job, 1<<32)
	for i := len(d.names) - 1; i >= 0; i-- {
		r := b.AddRow()
		r.Num = d.nums[i]
		r.Fields[pipeline.ColFirstName] = b.Copy([]byte(d.names[i]))
		if len(b.Rows) == 64 {
			if err := emit(b); err != nil {
				return err
			}
			b = pipeline.NewBatch(d.job, b.Seq+1)
		}
	}
	return emit(b)
}

func TestRunFlusher(t *testing.T) {
	job := pipelinetest.NewJob()
	sink := &pipelinetest.Sink{}
	rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Rows(job, 1000, 33),
		[]pipeline.Step{{Name: "presort", Stage: &deferAll{job: job}, Serial: true}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 1000 || len(sink.Rows) != 1000 {
		t.Fatalf("accepted %d, sink %d, want 1000", rep.Accepted, len(sink.Rows))
	}
	if sink.Rows[0].Num != 1000 || sink.Rows[999].Num != 1 || sink.Rows[0].Fields["first_name"] != "name-1000" {
		t.Fatalf("flush order: first %+v last %+v", sink.Rows[0], sink.Rows[999])
	}
	if s := rep.Stages[1]; s.RowsIn != 1000 || s.RowsOut != 1000 {
		t.Fatalf("presort stage %+v", s)
	}
}

// finishLog records, in order, the batches a stage processed and its
// Finish and Flush calls; with flush it is also a Flusher.
type finishLog struct {
	mu     sync.Mutex
	events []string
}

func (f *finishLog) add(e string) {
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
}

func (f *finishLog) Process(ctx context.Context, b *pipeline.Batch) error {
	f.add("process")
	return nil
}

func (f *finishLog) Finish() { f.add("finish") }

type finishFlushLog struct{ finishLog }

func (f *finishFlushLog) Flush(ctx context.Context, emit func(*pipeline.Batch) error) error {
	f.add("flush")
	return nil
}

// TestRunFinisher: a Finisher's Finish is called once, after its last
// batch (of a serial or a parallel step) and before its Flush.
func TestRunFinisher(t *testing.T) {
	for _, tc := range []struct {
		name   string
		serial bool
		flush  bool
	}{{"serial", true, false}, {"parallel", false, false}, {"serial flusher", true, true}, {"parallel flusher", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			job := pipelinetest.NewJob()
			var stage pipeline.Stage
			var log *finishLog
			if tc.flush {
				ff := &finishFlushLog{}
				stage, log = ff, &ff.finishLog
			} else {
				log = &finishLog{}
				stage = log
			}
			rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Rows(job, 1000, 33),
				[]pipeline.Step{{Name: "dedupe", Stage: stage, Serial: tc.serial, Workers: 3}}, &pipelinetest.Sink{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accepted != 1000 {
				t.Fatalf("accepted %d", rep.Accepted)
			}
			want := slices.Repeat([]string{"process"}, (1000+32)/33)
			want = append(want, "finish")
			if tc.flush {
				want = append(want, "flush")
			}
			if !slices.Equal(log.events, want) {
				t.Fatalf("events %v, want %d × process, then %v", log.events, (1000+32)/33, want[len(want)-2:])
			}
		})
	}
}

func TestReportCheck(t *testing.T) {
	tests := []struct {
		name string
		rep  pipeline.Report
		ok   bool
	}{
		{"balanced", pipeline.Report{RowsIn: 10, Accepted: 7, Rejected: 2, Held: 1,
			Reasons: pipeline.Counts{"a:b": 2, "held:x": 1},
			Stages:  []pipeline.StageReport{{Rejected: 2, Held: 1}}}, true},
		{"row lost", pipeline.Report{RowsIn: 10, Accepted: 6, Rejected: 2, Held: 1,
			Reasons: pipeline.Counts{"a:b": 2, "held:x": 1}, Stages: []pipeline.StageReport{{Rejected: 2, Held: 1}}}, false},
		{"reason missing", pipeline.Report{RowsIn: 10, Accepted: 7, Rejected: 2, Held: 1,
			Reasons: pipeline.Counts{"a:b": 2}, Stages: []pipeline.StageReport{{Rejected: 2, Held: 1}}}, false},
		{"stage miscount", pipeline.Report{RowsIn: 10, Accepted: 7, Rejected: 2, Held: 1,
			Reasons: pipeline.Counts{"a:b": 2, "held:x": 1}, Stages: []pipeline.StageReport{{Rejected: 1, Held: 1}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rep.Check()
			var ae *pipeline.AccountingError
			if tt.ok != (err == nil) || (err != nil && !errors.As(err, &ae)) {
				t.Fatalf("Check() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestReasonRegistry(t *testing.T) {
	for _, r := range pipeline.Reasons() {
		if r.Description() == "" || r.Family() == string(r) {
			t.Errorf("reason %q: description %q family %q", r, r.Description(), r.Family())
		}
	}
	if d := pipeline.MissingMergeField.With("var_field_1"); d != "missing_merge_field:var_field_1" || !d.Registered() {
		t.Fatalf("With: %q registered=%v", d, d.Registered())
	}
	if pipeline.Reason("nonsense:thing").Registered() {
		t.Fatal("an unknown reason reads as registered")
	}
}

func TestPieceIDStable(t *testing.T) {
	a := &pipeline.Job{Account: "acme", Campaign: "spring"}
	b := &pipeline.Job{Account: "acme", Campaign: "fall"}
	id1, id2 := pipeline.NewPieceID(a, 1), pipeline.NewPieceID(a, 1)
	if id1 != id2 {
		t.Fatal("same inputs gave different piece ids")
	}
	if id1 == pipeline.NewPieceID(a, 2) || id1 == pipeline.NewPieceID(b, 1) {
		t.Fatal("different inputs gave the same piece id")
	}
	// Length-prefixed fields: ("ab","c") and ("a","bc") differ.
	if pipeline.NewPieceID(&pipeline.Job{Account: "ab", Campaign: "c"}, 1) == pipeline.NewPieceID(&pipeline.Job{Account: "a", Campaign: "bc"}, 1) {
		t.Fatal("field boundaries are ambiguous")
	}
	if got := id1.String(); len(got) != pipeline.PieceIDLen {
		t.Fatalf("id %q has length %d", got, len(got))
	}
}
