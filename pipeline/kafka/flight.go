package kafka

import (
	"context"
	"errors"
	"sync"
)

// flight tracks the messages senders have handed to the brokers and not yet
// seen acknowledged. Each send takes a ticket; a receiver's Ack notes the
// last ticket issued and commits only once every ticket up to it is done,
// so an input offset is never committed before the output it produced is
// durable, even though Send returns before the broker answers.
type flight struct {
	mu      sync.Mutex
	next    uint64
	pending map[*Sender][]uint64 // per sender, in the order sent (and completed)
	changed chan struct{}        // closed and replaced whenever a ticket completes
	err     error                // a send failed or was abandoned: commit nothing more
}

func newFlight() *flight {
	return &flight{pending: map[*Sender][]uint64{}, changed: make(chan struct{})}
}

// issue takes the next ticket for a message of s.
func (f *flight) issue(s *Sender) uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.pending[s] = append(f.pending[s], f.next)
	return f.next
}

// complete marks s's n oldest tickets done; a failed send poisons the
// flight so no receiver commits past it.
func (f *flight) complete(s *Sender, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.pending[s]
	f.pending[s] = q[min(n, len(q)):]
	if err != nil && f.err == nil {
		f.err = err
	}
	close(f.changed)
	f.changed = make(chan struct{})
}

// fail poisons the flight: a ticket will never complete.
func (f *flight) fail(err error) { f.complete(nil, 0, err) }

// mark is the last ticket issued.
func (f *flight) mark() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next
}

// errFlight wraps the error of a failed send when a commit waits on it.
var errFlight = errors.New("kafka: an earlier send failed; not committing")

// wait returns once every ticket up to t is done.
func (f *flight) wait(ctx context.Context, t uint64) error {
	for {
		f.mu.Lock()
		err, ch := f.err, f.changed
		done := true
		for _, q := range f.pending {
			if len(q) > 0 && q[0] <= t {
				done = false
				break
			}
		}
		f.mu.Unlock()
		if err != nil {
			return errors.Join(errFlight, err)
		}
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
