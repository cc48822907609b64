// Package transporttest is the contract every [pipeline.Transport] must
// meet, as a test suite: the in-process transport and the Kafka one both run
// it.
package transporttest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/postmill/postmill/pipeline"
)

// Features says what the transport under test can be asked to do.
type Features struct {
	// Bounded is set when Send blocks once the link holds Capacity batches.
	Bounded bool
	// Capacity is the number of batches a bounded link buffers.
	Capacity int
}

// Run runs the contract suite. newTransport returns a fresh transport for
// each subtest; job is the job whose batches are sent (its schema must hold
// the extra column "note").
func Run(t *testing.T, newTransport func(t *testing.T) pipeline.Transport, f Features) {
	t.Run("OrderAndContent", func(t *testing.T) { testOrder(t, newTransport(t)) })
	t.Run("EndOfInput", func(t *testing.T) { testEOF(t, newTransport(t)) })
	t.Run("Cancel", func(t *testing.T) { testCancel(t, newTransport(t)) })
	if f.Bounded {
		t.Run("BackPressure", func(t *testing.T) { testBackPressure(t, newTransport(t), f.Capacity) })
	}
}

func job() *pipeline.Job {
	s := pipeline.NewSchema()
	s.Add("note")
	return &pipeline.Job{ID: "tt", Account: "a", Campaign: "c", Source: "tt", Schema: s}
}

func batch(j *pipeline.Job, seq uint64, rows int) *pipeline.Batch {
	b := pipeline.NewBatch(j, seq)
	for i := 0; i < rows; i++ {
		r := b.AddRow()
		r.Num = int64(seq)*1000 + int64(i) + 1
		r.ID = pipeline.NewPieceID(j, r.Num)
		r.Fields[pipeline.ColFirstName] = b.Copy([]byte(fmt.Sprintf("name-%d", r.Num)))
		r.Fields[pipeline.NumStandardCols] = b.Copy([]byte("x"))
	}
	return b
}

func testOrder(t *testing.T, tr pipeline.Transport) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, r, err := tr.Open(ctx, "order")
	if err != nil {
		t.Fatal(err)
	}
	j := job()
	const n = 50
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if err := s.Send(ctx, batch(j, uint64(i), 7)); err != nil {
				errc <- err
				return
			}
		}
		errc <- s.CloseSend(ctx)
	}()
	for i := 0; i < n; i++ {
		b, err := r.Receive(ctx)
		if err != nil {
			t.Fatalf("receive %d: %v", i, err)
		}
		if b.Seq != uint64(i) || len(b.Rows) != 7 {
			t.Fatalf("batch %d: got seq %d with %d rows", i, b.Seq, len(b.Rows))
		}
		for k, row := range b.Rows {
			want := fmt.Sprintf("name-%d", int64(i)*1000+int64(k)+1)
			if got := string(row.Fields[pipeline.ColFirstName]); got != want {
				t.Fatalf("batch %d row %d: first_name %q, want %q", i, k, got, want)
			}
			if row.ID != pipeline.NewPieceID(j, row.Num) {
				t.Fatalf("batch %d row %d: piece id changed in transit", i, k)
			}
		}
		if a, ok := r.(pipeline.Acker); ok {
			if err := a.Ack(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := r.Receive(ctx); !errors.Is(err, pipeline.EOF) {
		t.Fatalf("after the last batch: got %v, want EOF", err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func testEOF(t *testing.T, tr pipeline.Transport) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, r, err := tr.Open(ctx, "eof")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CloseSend(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Receive(ctx); !errors.Is(err, pipeline.EOF) {
		t.Fatalf("empty link: got %v, want EOF", err)
	}
}

func testCancel(t *testing.T, tr pipeline.Transport) {
	ctx, cancel := context.WithCancel(context.Background())
	_, r, err := tr.Open(ctx, "cancel")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := r.Receive(ctx); done <- err }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("receive after cancel: got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("receive did not return after cancel")
	}
}

func testBackPressure(t *testing.T, tr pipeline.Transport, capacity int) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, r, err := tr.Open(ctx, "bp")
	if err != nil {
		t.Fatal(err)
	}
	j := job()
	for i := 0; i < capacity; i++ {
		if err := s.Send(ctx, batch(j, uint64(i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if err := s.Send(short, batch(j, uint64(capacity), 1)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send to a full link: got %v, want it to block until the deadline", err)
	}
	if _, err := r.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, batch(j, uint64(capacity), 1)); err != nil {
		t.Fatalf("send after a receive freed room: %v", err)
	}
}
