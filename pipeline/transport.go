package pipeline

import (
	"context"
	"errors"
	"sync"
)

// Sender is the producing end of a link between two steps.
type Sender interface {
	// Send passes the batch on, blocking while the link is full
	// (back-pressure). The link owns the batch after Send returns nil.
	Send(ctx context.Context, b *Batch) error
	// CloseSend marks the end of the job's input: the receiver gets io.EOF
	// after the batches already sent.
	CloseSend(ctx context.Context) error
}

// Receiver is the consuming end of a link.
type Receiver interface {
	// Receive returns the next batch in the order sent, or io.EOF once the
	// sender closed and every batch was received.
	Receive(ctx context.Context) (*Batch, error)
}

// Acker is implemented by receivers whose deliveries must be confirmed (a
// Kafka consumer commits its offset). The engine calls Ack after the batch's
// results were sent on downstream, so a crash before then redelivers it.
type Acker interface {
	Ack(ctx context.Context, b *Batch) error
}

// Transport opens the links between the steps of a chain; boundary names the
// step the link feeds ("validate") or "sink".
type Transport interface {
	Open(ctx context.Context, boundary string) (Sender, Receiver, error)
}

// ErrClosed is returned by Send on a link whose sending side was closed.
var ErrClosed = errors.New("pipeline: send on closed link")

// InProcess is the embedded transport: each link is a bounded channel.
type InProcess struct {
	// Capacity is how many batches a link buffers before Send blocks.
	// Default (0): 4.
	Capacity int
}

// Open returns both ends of a new bounded channel.
func (t InProcess) Open(ctx context.Context, boundary string) (Sender, Receiver, error) {
	n := t.Capacity
	if n <= 0 {
		n = 4
	}
	l := &chanLink{ch: make(chan *Batch, n)}
	return l, l, nil
}

type chanLink struct {
	ch     chan *Batch
	once   sync.Once
	mu     sync.RWMutex
	closed bool
}

func (l *chanLink) Send(ctx context.Context, b *Batch) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	select {
	case l.ch <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *chanLink) CloseSend(ctx context.Context) error {
	l.once.Do(func() {
		l.mu.Lock()
		l.closed = true
		close(l.ch)
		l.mu.Unlock()
	})
	return nil
}

func (l *chanLink) Receive(ctx context.Context) (*Batch, error) {
	select {
	case b, ok := <-l.ch:
		if !ok {
			return nil, EOF
		}
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
