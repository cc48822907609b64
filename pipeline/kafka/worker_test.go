package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// publish sends n batches of 10 rows of job to step's topic, then the end.
func publish(t *testing.T, ctx context.Context, cfg kafka.Config, job *pipeline.Job, step string, n int) {
	t.Helper()
	tr, err := kafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s, err := tr.NewSender(ctx, cfg.Topic(step))
	if err != nil {
		t.Fatal(err)
	}
	src := pipelinetest.Rows(job, n*10, 10)
	for {
		b, err := src.Next(ctx)
		if errors.Is(err, pipeline.EOF) {
			break
		}
		if err := s.Send(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CloseSend(ctx); err != nil {
		t.Fatal(err)
	}
}

// collect receives job's batches from step's topic as a private group until
// the end, acknowledging each, and returns their sequence numbers and rows.
func collect(t *testing.T, ctx context.Context, cfg kafka.Config, job *pipeline.Job, step string) ([]uint64, *pipelinetest.Sink) {
	t.Helper()
	cfg.GroupPrefix, cfg.Job = "check", job.ID
	tr, err := kafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	r, err := tr.NewReceiver(ctx, cfg.Topic(step), cfg.Group(step))
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	sink := &pipelinetest.Sink{}
	for {
		b, err := r.Receive(ctx)
		if errors.Is(err, pipeline.EOF) {
			return seqs, sink
		}
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, b.Seq)
		if err := r.Ack(ctx, b); err != nil {
			t.Fatal(err)
		}
		sink.Write(ctx, b)
	}
}

func runWorker(ctx context.Context, cfg kafka.Config, step pipeline.Step, next string) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- kafka.RunWorker(ctx, cfg, step, next) }()
	return errc
}

// TestWorker runs a stage worker between two topics: every batch arrives
// processed, the end marker passes through, and a batch whose stage always
// fails goes to the dead-letter topic after MaxAttempts tries.
func TestWorker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	brokers := cluster(t)
	cfg := kafka.Config{Brokers: brokers, Prefix: "w1", MaxAttempts: 2}
	job := pipelinetest.NewJob()
	var tries atomic.Int64
	stage := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		if b.Seq == 3 {
			tries.Add(1)
			return errors.New("disk full")
		}
		for _, r := range b.Rows {
			if r.Num%7 == 0 {
				r.Reject(pipeline.MalformedQuote, "")
			}
		}
		return nil
	})
	wctx, stop := context.WithCancel(ctx)
	errc := runWorker(wctx, cfg, pipeline.Step{Name: "validate", Stage: stage}, "sink")
	publish(t, ctx, cfg, job, "validate", 20)
	seqs, sink := collect(t, ctx, cfg, job, "sink")
	stop()
	if err := <-errc; err != nil {
		t.Fatalf("worker: %v", err)
	}
	if len(seqs) != 19 || tries.Load() != 2 {
		t.Fatalf("sink got batches %v, stage tried batch 3 %d times; want 19 batches and 2 tries", seqs, tries.Load())
	}
	for _, r := range sink.Rows {
		if want := r.Num%7 == 0; want != (r.Fate == pipeline.Rejected) {
			t.Fatalf("row %d: %s", r.Num, r.Fate)
		}
	}
	dlq := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: "w1.dlq", GroupID: "dlqcheck", MaxWait: 100 * time.Millisecond})
	defer dlq.Close()
	m, err := dlq.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dl := kafka.ParseDeadLetter(m); dl.Job != job.ID || !strings.Contains(dl.Err, "disk full") || dl.Topic != "w1.validate" {
		t.Fatalf("dead letter %+v", dl)
	}
}

// TestWorkerCancelRedelivers cancels a worker while its stage holds a batch:
// the batch is not committed, and a second worker of the group processes it
// and everything after it, exactly once each.
func TestWorkerCancelRedelivers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := kafka.Config{Brokers: cluster(t), Prefix: "w2"}
	job := pipelinetest.NewJob()
	publish(t, ctx, cfg, job, "validate", 20)

	held := make(chan uint64, 1)
	first := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		if b.Seq == 5 {
			held <- b.Seq
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})
	wctx, stop := context.WithCancel(ctx)
	errc := runWorker(wctx, cfg, pipeline.Step{Name: "validate", Stage: first}, "sink")
	select {
	case <-held:
	case err := <-errc:
		t.Fatalf("first worker ended early: %v", err)
	}
	stop() // SIGTERM while batch 5 is in the stage
	if err := <-errc; err != nil {
		t.Fatalf("first worker: %v", err)
	}

	var mu sync.Mutex
	var seen []uint64
	second := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		mu.Lock()
		seen = append(seen, b.Seq)
		mu.Unlock()
		return nil
	})
	wctx2, stop2 := context.WithCancel(ctx)
	defer stop2()
	errc2 := runWorker(wctx2, cfg, pipeline.Step{Name: "validate", Stage: second}, "sink")
	seqs, _ := collect(t, ctx, cfg, job, "sink")
	stop2()
	if err := <-errc2; err != nil {
		t.Fatalf("second worker: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seqs) != fmt.Sprint([]uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}) {
		t.Fatalf("sink got %v, want 0..19 once each", seqs)
	}
	if len(seen) != 15 || seen[0] != 5 {
		t.Fatalf("second worker processed %v, want 5..19", seen)
	}
}

// bindOnce refuses a second Bind, as stages that keep column indexes do.
type bindOnce struct {
	bound bool
	col   int
}

func (s *bindOnce) Bind(sc *pipeline.Schema) error {
	if s.bound {
		return errors.New("bound twice")
	}
	s.bound, s.col = true, sc.Add("stamp")
	return nil
}

func (s *bindOnce) Process(ctx context.Context, b *pipeline.Batch) error {
	for _, r := range b.Rows {
		r.Fields[s.col] = b.Copy([]byte("x"))
	}
	return nil
}

// TestWorkerInstancePerJob: with NewStage a stateless worker serves each
// job with an instance bound to that job's schema, so a stage that can be
// bound only once processes a second job too (without NewStage its second
// job is dead-lettered).
func TestWorkerInstancePerJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := kafka.Config{Brokers: cluster(t), Prefix: fmt.Sprintf("perjob%d", prefixes.Add(1))}
	var built atomic.Int64
	wk := kafka.Worker{Step: pipeline.Step{Name: "stamp", Stage: &bindOnce{}}, Next: "sink",
		NewStage: func(*pipeline.Job) (pipeline.Stage, error) { built.Add(1); return &bindOnce{}, nil }}
	wctx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- wk.Run(wctx, cfg) }()
	for _, id := range []string{"job-a", "job-b"} {
		job := pipelinetest.NewJob()
		job.ID = id
		publish(t, ctx, cfg, job, "stamp", 5)
		_, sink := collect(t, ctx, cfg, job, "sink")
		if len(sink.Rows) != 50 {
			t.Fatalf("%s: %d rows reached the sink, want 50", id, len(sink.Rows))
		}
		for _, r := range sink.Rows {
			if r.Fate != pipeline.Live || r.Fields["stamp"] != "x" {
				t.Fatalf("%s: row %d %s %s, stamp %q", id, r.Num, r.Fate, r.Reason, r.Fields["stamp"])
			}
		}
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if built.Load() < 2 {
		t.Fatalf("%d stage instances built for two jobs", built.Load())
	}
}
