package kafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/pipeline/transporttest"
)

// cluster starts an in-process Kafka-protocol broker on 127.0.0.1 and
// returns its address; it stops with the test.
func cluster(tb testing.TB) []string {
	tb.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c.ListenAddrs()
}

var prefixes atomic.Int64

// newTransport returns a transport on brokers with topics of its own.
func newTransport(tb testing.TB, brokers []string, cfg kafka.Config) *kafka.Transport {
	tb.Helper()
	cfg.Brokers = brokers
	if cfg.Prefix == "" {
		cfg.Prefix = fmt.Sprintf("t%d", prefixes.Add(1))
	}
	tr, err := kafka.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tr.Close() })
	return tr
}

func TestContract(t *testing.T) {
	brokers := cluster(t)
	transporttest.Run(t, func(t *testing.T) pipeline.Transport {
		return newTransport(t, brokers, kafka.Config{})
	}, transporttest.Features{Bounded: false})
}

func TestConfig(t *testing.T) {
	if err := (kafka.Config{}).Validate(); !errors.Is(err, kafka.ErrConfig) {
		t.Fatalf("no brokers: %v", err)
	}
	if err := (kafka.Config{Brokers: []string{"b:9092"}, Producer: 2, Producers: 2}).Validate(); !errors.Is(err, kafka.ErrConfig) {
		t.Fatalf("producer 2 of 2: %v", err)
	}
	t.Run("Defaults", func(t *testing.T) {
		tr, err := kafka.New(kafka.Config{Brokers: []string{"b:9092"}})
		if err != nil {
			t.Fatal(err)
		}
		c := tr.Config()
		if c.Prefix != "postmill" || c.Partitions != 3 || c.ReplicationFactor != 1 || c.GroupPrefix != "postmill" ||
			c.BatchBytes != 8<<20 || c.Linger != 0 || c.DeadLetterTopic != "postmill.dlq" || c.MaxAttempts != 3 ||
			c.Producer != 0 || c.Producers != 1 {
			t.Fatalf("defaults: %+v", c)
		}
		if c.Topic("validate") != "postmill.validate" || c.Group("validate") != "postmill.validate" {
			t.Fatalf("names: %s %s", c.Topic("validate"), c.Group("validate"))
		}
	})
}

// chain is two trivial stages: one rejects every 7th row and holds every
// 11th, the other upper-cases the first name and notes every 13th row.
func chain() []pipeline.Step {
	screen := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		for _, r := range b.Rows {
			switch {
			case r.Num%7 == 0:
				r.Reject(pipeline.MalformedQuote, fmt.Sprint("row ", r.Num))
			case r.Num%11 == 0:
				r.Hold(pipeline.HeldInsufficient, "")
			}
		}
		return nil
	})
	upper := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		for _, r := range b.Rows {
			r.Fields[pipeline.ColFirstName] = b.Copy([]byte(strings.ToUpper(string(r.Fields[pipeline.ColFirstName]))))
			if r.Num%13 == 0 {
				r.Note(pipeline.NoteDecodedCP1252)
			}
		}
		return nil
	})
	return []pipeline.Step{{Name: "screen", Stage: screen, Workers: 2}, {Name: "upper", Stage: upper, Serial: true}}
}

// stable drops the report's timings.
func stable(r *pipeline.Report) pipeline.Report {
	c := *r
	c.StartedAt, c.FinishedAt, c.WallMS = time.Time{}, time.Time{}, 0
	c.Stages = append([]pipeline.StageReport(nil), r.Stages...)
	for i := range c.Stages {
		c.Stages[i].BusyMS, c.Stages[i].WallMS = 0, 0
	}
	return c
}

// TestRunOverKafka runs the same job through the in-process transport and
// through Kafka: the sink sees the same rows in the same order and the
// reports agree.
func TestRunOverKafka(t *testing.T) {
	const n = 5000
	run := func(tr pipeline.Transport) (*pipelinetest.Sink, *pipeline.Report) {
		job := pipelinetest.NewJob("var_field_1")
		sink := &pipelinetest.Sink{}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rep, err := pipeline.Run(ctx, pipeline.Config{Transport: tr}, job, pipelinetest.Rows(job, n, 256), chain(), sink)
		if err != nil {
			t.Fatal(err)
		}
		return sink, rep
	}
	wantSink, wantRep := run(pipeline.InProcess{})
	gotSink, gotRep := run(newTransport(t, cluster(t), kafka.Config{}))
	if len(gotSink.Rows) != n || !gotSink.Closed {
		t.Fatalf("sink got %d rows (closed %v), want %d", len(gotSink.Rows), gotSink.Closed, n)
	}
	if !reflect.DeepEqual(gotSink.Rows, wantSink.Rows) {
		for i := range wantSink.Rows {
			if !reflect.DeepEqual(gotSink.Rows[i], wantSink.Rows[i]) {
				t.Fatalf("row %d differs:\nkafka      %+v\nin-process %+v", i, gotSink.Rows[i], wantSink.Rows[i])
			}
		}
	}
	if g, w := stable(gotRep), stable(wantRep); !reflect.DeepEqual(g, w) {
		t.Fatalf("reports differ:\nkafka      %+v\nin-process %+v", g, w)
	}
	if wantRep.Rejected == 0 || wantRep.Held == 0 || wantRep.Notes[pipeline.NoteDecodedCP1252] == 0 {
		t.Fatalf("the chain decided nothing: %+v", wantRep)
	}
}

// TestDeadLetters publishes a batch of an unknown schema version, a
// truncated batch and a payload that is not Arrow between good batches: each
// lands in the dead-letter topic with a clear error, and the receiver goes
// on with the good batches.
func TestDeadLetters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	brokers := cluster(t)
	tr := newTransport(t, brokers, kafka.Config{Partitions: 1, Job: "test"})
	cfg := tr.Config()
	s, r, err := tr.Open(ctx, "validate")
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob()
	good := func(seq uint64) []byte {
		b := pipelinetest.NewBatch(t, job, seq, int64(seq)*10+1, map[string]string{"first_name": fmt.Sprint("good-", seq)})
		p, err := arrowbatch.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid := good(99)
	headers := func() []kafkago.Header {
		return []kafkago.Header{{Key: kafka.HeaderJob, Value: []byte(job.ID)}, {Key: kafka.HeaderKind, Value: []byte(kafka.KindBatch)}}
	}
	// A writer of another build: raw messages, not through the Sender.
	w := &kafkago.Writer{Addr: kafkago.TCP(brokers...), Topic: cfg.Topic("validate"), RequiredAcks: kafkago.RequireAll, BatchSize: 1}
	defer w.Close()
	poison := []struct {
		name, want string
		value      []byte
	}{
		{"unknown version", "unknown batch schema version", unknownVersion(t)},
		{"truncated", "truncated Arrow IPC stream", valid[:len(valid)/2]},
		{"not arrow", "not an Arrow IPC stream", []byte(`{"rows": [1, 2, 3]}`)},
	}
	var msgs []kafkago.Message
	msgs = append(msgs, kafkago.Message{Value: good(0), Headers: headers()})
	for _, p := range poison {
		msgs = append(msgs, kafkago.Message{Value: p.value, Headers: headers()})
	}
	msgs = append(msgs, kafkago.Message{Value: good(1), Headers: headers()}, kafkago.Message{Value: good(2), Headers: headers()})
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseSend(ctx); err != nil {
		t.Fatal(err)
	}
	for seq := uint64(0); seq < 3; seq++ {
		b, err := r.Receive(ctx)
		if err != nil {
			t.Fatalf("batch %d: %v", seq, err)
		}
		if b.Seq != seq || string(b.Rows[0].Field(pipeline.ColFirstName)) != fmt.Sprint("good-", seq) {
			t.Fatalf("got batch %d %q, want good batch %d", b.Seq, b.Rows[0].Field(pipeline.ColFirstName), seq)
		}
		if err := r.(pipeline.Acker).Ack(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Receive(ctx); !errors.Is(err, pipeline.EOF) {
		t.Fatalf("after the good batches: %v, want EOF", err)
	}
	if got := tr.DeadLetters()[job.ID]; got != 3 {
		t.Fatalf("dead letters for %s: %d, want 3", job.ID, got)
	}

	dlq := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: cfg.DeadLetterTopic, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer dlq.Close()
	for i, p := range poison {
		m, err := dlq.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("dead letter %d: %v", i, err)
		}
		dl := kafka.ParseDeadLetter(m)
		if dl.Job != job.ID || dl.Topic != cfg.Topic("validate") || dl.Offset != int64(i+1) || !strings.Contains(dl.Err, p.want) ||
			string(dl.Value) != string(p.value) {
			t.Fatalf("%s: dead letter %+v, want error containing %q at offset %d", p.name, dl, p.want, i+1)
		}
		t.Logf("%s → %s", p.name, dl.Err)
	}
}

// unknownVersion is a batch from a future build: an Arrow stream whose
// schema metadata carries batch format version 2.
func unknownVersion(t *testing.T) []byte {
	t.Helper()
	md := arrow.NewMetadata([]string{arrowbatch.VersionKey}, []string{"2"})
	schema := arrow.NewSchema([]arrow.Field{{Name: "num", Type: arrow.PrimitiveTypes.Int64}}, &md)
	bld := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer bld.Release()
	bld.Field(0).(*array.Int64Builder).Append(1)
	rec := bld.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithZstd())
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
