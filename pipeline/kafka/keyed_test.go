package kafka_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// modKey keys a row by its number modulo 7.
type modKey struct{}

func (modKey) PartitionKey(r *pipeline.Row) uint64 { return uint64(r.Num % 7) }

// ordered is a keyed stage that must see its rows in input order: it
// rejects a row whose number is below one it saw before, and rejects
// rows of a key seen on another instance. It is a Finisher too, and fails
// a batch that comes after its Finish.
type ordered struct {
	last     int64
	owners   *sync.Map // key → instance
	finished int       // Finish calls
}

func (s *ordered) Finish() { s.finished++ }

func (s *ordered) Process(ctx context.Context, b *pipeline.Batch) error {
	if s.finished > 0 {
		return fmt.Errorf("batch %d after Finish", b.Seq)
	}
	for _, r := range b.Rows {
		if owner, _ := s.owners.LoadOrStore(r.Num%7, s); owner != s {
			r.Reject(pipeline.DuplicateFamily.With("individual"), "key met on two instances")
			continue
		}
		if r.Num < s.last {
			r.Reject(pipeline.DuplicateFamily.With("individual"), fmt.Sprintf("row %d after row %d", r.Num, s.last))
			continue
		}
		s.last = r.Num
	}
	return nil
}

// holdAll is a keyed flushing stage: it keeps every row's number and emits
// them at the flush.
type holdAll struct {
	job  *pipeline.Job
	nums []int64
}

func (s *holdAll) Process(ctx context.Context, b *pipeline.Batch) error {
	s.job = b.Job
	for _, r := range b.Rows {
		s.nums = append(s.nums, r.Num)
		r.Defer()
	}
	return nil
}

func (s *holdAll) Flush(ctx context.Context, emit func(*pipeline.Batch) error) error {
	b := pipeline.NewBatch(s.job, 0)
	for _, n := range s.nums {
		r := b.AddRow()
		r.Num, r.ID = n, pipeline.NewPieceID(s.job, n)
		if len(b.Rows) == 100 {
			if err := emit(b); err != nil {
				return err
			}
			b = pipeline.NewBatch(s.job, 0)
		}
	}
	if len(b.Rows) > 0 {
		return emit(b)
	}
	b.Release()
	return nil
}

// TestKeyedWorkers: a stateless worker splits batches by key for an
// ordered keyed stage (three workers), which splits them again for a
// flushing keyed stage (three workers). Every key has one instance, the
// ordered stage sees each of its keys' rows in input order and each
// instance is finished once, after its last batch (pipeline.Finisher),
// every row reaches the sink once, after the flush, and a message that is
// not a batch goes to the dead-letter topic without stopping the workers.
func TestKeyedWorkers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := kafka.Config{Brokers: cluster(t), Prefix: fmt.Sprintf("keyed%d", prefixes.Add(1)), Partitions: 3}
	job := pipelinetest.NewJob()
	owners := &sync.Map{}
	key := func(*pipeline.Job) (pipeline.Keyer, error) { return modKey{}, nil }
	workers := []kafka.Worker{
		{Step: pipeline.Step{Name: "split", Stage: pipeline.StageFunc(func(context.Context, *pipeline.Batch) error { return nil })},
			Next: "ordered", NextKey: key},
		{Step: pipeline.Step{Name: "ordered"}, Keyed: true, Next: "hold", NextKey: key,
			NewStage: func(*pipeline.Job) (pipeline.Stage, error) { return &ordered{owners: owners}, nil }},
		{Step: pipeline.Step{Name: "hold"}, Keyed: true, Next: "sink",
			NewStage: func(*pipeline.Job) (pipeline.Stage, error) { return &holdAll{}, nil }},
	}
	wctx, stop := context.WithCancel(ctx)
	var errs []chan error
	for _, wk := range workers {
		n := 3
		if wk.Step.Name == "split" {
			n = 1
		}
		for range n {
			errc := make(chan error, 1)
			go func() { errc <- wk.Run(wctx, cfg) }()
			errs = append(errs, errc)
		}
	}
	// A payload that is not a batch, on the flushing stage's topic: dead-
	// lettered, and the workers go on.
	tr, err := kafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.EnsureTopic(ctx, cfg.Topic("hold")); err != nil {
		t.Fatal(err)
	}
	raw := &kafkago.Writer{Addr: kafkago.TCP(cfg.Brokers...), Topic: cfg.Topic("hold"), Balancer: &kafkago.LeastBytes{}}
	if err := raw.WriteMessages(ctx, kafkago.Message{Value: []byte("not arrow"), Headers: []kafkago.Header{
		{Key: kafka.HeaderJob, Value: []byte(job.ID)}, {Key: kafka.HeaderKind, Value: []byte(kafka.KindBatch)}}}); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	publish(t, ctx, cfg, job, "split", 300) // 3,000 rows in batches of 10
	_, sink := collect(t, ctx, cfg, job, "sink")
	stop()
	for _, errc := range errs {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]int{}
	for _, r := range sink.Rows {
		if r.Fate != pipeline.Live {
			t.Fatalf("row %d: %s %s", r.Num, r.Reason, r.Detail)
		}
		seen[r.Num]++
	}
	if len(seen) != 3000 {
		t.Fatalf("%d distinct rows reached the sink, want 3000", len(seen))
	}
	for n, c := range seen {
		if c != 1 {
			t.Fatalf("row %d reached the sink %d times", n, c)
		}
	}
	dlq := kafkago.NewReader(kafkago.ReaderConfig{Brokers: cfg.Brokers, Topic: cfg.Topic("dlq"), GroupID: "dlqcheck", MaxWait: 100 * time.Millisecond})
	defer dlq.Close()
	m, err := dlq.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dl := kafka.ParseDeadLetter(m); dl.Job != job.ID || dl.Topic != cfg.Topic("hold") || !strings.Contains(dl.Err, "not an Arrow IPC stream") {
		t.Fatalf("dead letter %+v", dl)
	}
	instances := 0
	owners.Range(func(_, owner any) bool {
		instances++
		if n := owner.(*ordered).finished; n != 1 {
			t.Errorf("an ordered instance was finished %d times, want once", n)
		}
		return true
	})
	if instances != 7 {
		t.Fatalf("%d keys owned, want 7", instances)
	}
}
