package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/pipeline"
)

// Receiver consumes one topic as a member of a consumer group and follows
// one job: Config.Job, or the first job it sees. It implements
// [pipeline.Receiver] and [pipeline.Acker]: an offset is committed only
// once every batch up to it was acknowledged, so a crash redelivers what
// was not finished (at-least-once). Receive is not safe for concurrent use;
// Ack may run concurrently with Receive but must acknowledge batches in the
// order they were received (the engine does).
type Receiver struct {
	t     *Transport
	r     *kafkago.Reader
	topic string
	parts int
	dec   arrowbatch.Decoder

	mu        sync.Mutex
	job       string
	following bool
	ends      map[int]map[int]bool // partition → producers whose end marker arrived
	producers map[int]int          // partition → producers to wait for
	done      bool
	sections  map[string]json.RawMessage // from the end markers of the followed job
	state     map[int]*partState
	inflight  []delivery

	acks    chan commitReq // to the committer goroutine
	stop    context.CancelFunc
	exited  chan struct{}
	err     atomic.Pointer[error] // the committer's first error
	closing sync.Once
}

// commitReq asks the committer to commit partition up to offset once every
// send issued up to ticket is durable.
type commitReq struct {
	partition int
	offset    int64
	ticket    uint64
}

// partState tracks one partition's offsets: the highest handed out or
// consumed, those handed out and not yet acknowledged, and the last
// committed.
type partState struct {
	delivered, committed int64
	pending              []int64
}

// target is the highest offset that may be committed: everything below the
// oldest unacknowledged batch.
func (s *partState) target() int64 {
	if len(s.pending) > 0 {
		return s.pending[0] - 1
	}
	return s.delivered
}

type delivery struct {
	b         *pipeline.Batch
	partition int
	offset    int64
}

// NewReceiver returns a receiver of topic in consumer group group, creating
// the topic if absent. A new group starts at the oldest message.
func (t *Transport) NewReceiver(ctx context.Context, topic, group string) (*Receiver, error) {
	n, err := t.EnsureTopic(ctx, topic)
	if err != nil {
		return nil, err
	}
	r := &Receiver{t: t, topic: topic, parts: n, ends: map[int]map[int]bool{}, producers: map[int]int{},
		state: map[int]*partState{}, sections: map[string]json.RawMessage{}}
	r.r = kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:          t.cfg.Brokers,
		GroupID:          group,
		Topic:            topic,
		MinBytes:         1,
		MaxBytes:         t.cfg.BatchBytes + 1<<20,
		MaxWait:          250 * time.Millisecond,
		StartOffset:      kafkago.FirstOffset,
		JoinGroupBackoff: 250 * time.Millisecond,
	})
	if t.cfg.Job != "" {
		r.job, r.following = t.cfg.Job, true
	}
	cctx, stop := context.WithCancel(context.Background())
	r.acks, r.stop, r.exited = make(chan commitReq, 256), stop, make(chan struct{})
	go r.commits(cctx, r.acks)
	if err := t.onClose(r.Close); err != nil {
		return nil, err
	}
	return r, nil
}

// Close commits what was acknowledged (waiting up to ten seconds for the
// sends it depends on) and leaves the consumer group. Batches not
// acknowledged by then are redelivered to the group's next member.
func (r *Receiver) Close() error {
	r.closing.Do(func() {
		r.mu.Lock()
		close(r.acks)
		r.acks = nil
		r.mu.Unlock()
		t := time.AfterFunc(10*time.Second, r.stop)
		<-r.exited
		t.Stop()
		r.stop()
	})
	err := r.r.Close()
	if p := r.err.Load(); p != nil && !errors.Is(*p, context.Canceled) {
		return errors.Join(*p, err)
	}
	return err
}

// commits commits offsets for Ack and consumed in the order asked,
// coalescing what queued up, each only after the sends it depends on.
func (r *Receiver) commits(ctx context.Context, acks <-chan commitReq) {
	defer close(r.exited)
	latest := map[int]int64{}
	for req := range acks {
		ticket := req.ticket
		latest[req.partition] = max(latest[req.partition], req.offset)
	drain:
		for {
			select {
			case q, ok := <-acks:
				if !ok {
					break drain
				}
				ticket = max(ticket, q.ticket)
				latest[q.partition] = max(latest[q.partition], q.offset)
			default:
				break drain
			}
		}
		if r.err.Load() != nil {
			continue // drain without committing
		}
		err := r.t.flight.wait(ctx, ticket)
		for p, off := range latest {
			if err != nil {
				break
			}
			err = r.commit(ctx, p, off)
		}
		clear(latest)
		if err != nil {
			r.err.CompareAndSwap(nil, &err)
		}
	}
}

// enqueue asks the committer to commit partition p up to offset.
func (r *Receiver) enqueue(ctx context.Context, p int, offset int64) error {
	if e := r.err.Load(); e != nil {
		return *e
	}
	req := commitReq{partition: p, offset: offset, ticket: r.t.flight.mark()}
	r.mu.Lock()
	acks := r.acks
	r.mu.Unlock()
	if acks == nil {
		return errors.New("kafka: receiver closed")
	}
	select {
	case acks <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Receive returns the job's next batch, or pipeline.EOF once the job's end
// marker arrived from every producer on every partition of the topic. A
// message that cannot be decoded goes to the dead-letter topic and the
// receiver goes on with the next.
func (r *Receiver) Receive(ctx context.Context) (*pipeline.Batch, error) {
	for {
		r.mu.Lock()
		done := r.done
		r.mu.Unlock()
		if done {
			return nil, pipeline.EOF
		}
		if e := r.err.Load(); e != nil {
			return nil, *e
		}
		m, err := r.r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("kafka: receive from %s: %w", r.topic, err)
		}
		b, err := r.handle(ctx, m)
		if err != nil || b != nil {
			return b, err
		}
	}
}

// handle deals with one message; it returns a batch to hand out, or nil
// when the message was consumed here (an end marker, another job's
// message, a dead letter).
func (r *Receiver) handle(ctx context.Context, m kafkago.Message) (*pipeline.Batch, error) {
	job := header(m, HeaderJob)
	switch kind := header(m, HeaderKind); kind {
	case KindEnd:
		producer, err1 := strconv.Atoi(header(m, HeaderProducer))
		producers, err2 := strconv.Atoi(header(m, HeaderProducers))
		if err1 != nil || err2 != nil || producers < 1 || producer < 0 || producer >= producers {
			return nil, r.poison(ctx, m, fmt.Errorf("end marker with producer %q of %q",
				header(m, HeaderProducer), header(m, HeaderProducers)))
		}
		r.mu.Lock()
		if r.follow(job) {
			if r.ends[m.Partition] == nil {
				r.ends[m.Partition] = map[int]bool{}
			}
			r.ends[m.Partition][producer] = true
			r.producers[m.Partition] = producers
			addSections(r.sections, m.Value)
			r.done = r.complete()
		}
		r.mu.Unlock()
		return nil, r.consumed(ctx, m)
	case KindBatch, "":
		r.mu.Lock()
		other := job != "" && !r.follow(job)
		r.mu.Unlock()
		if other {
			return nil, r.consumed(ctx, m)
		}
		b, err := r.dec.Decode(m.Value)
		if err != nil {
			return nil, r.poison(ctx, m, err)
		}
		r.mu.Lock()
		if !r.follow(b.Job.ID) {
			r.mu.Unlock()
			b.Release()
			return nil, r.consumed(ctx, m)
		}
		st := r.part(m.Partition)
		st.delivered = max(st.delivered, m.Offset)
		st.pending = append(st.pending, m.Offset)
		r.inflight = append(r.inflight, delivery{b: b, partition: m.Partition, offset: m.Offset})
		r.mu.Unlock()
		return b, nil
	default:
		return nil, r.poison(ctx, m, fmt.Errorf("unknown message kind %q", kind))
	}
}

// Sections returns the report sections of keyed stage workers that the
// followed job's end markers carried, by "<stage>.<partition>": the
// JSON of each instance's pipeline.Reporter value.
func (r *Receiver) Sections() map[string]json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]json.RawMessage, len(r.sections))
	for k, v := range r.sections {
		out[k] = v
	}
	return out
}

// follow reports whether job is the one the receiver follows, adopting it
// if the receiver follows none yet. r.mu is held.
func (r *Receiver) follow(job string) bool {
	if !r.following {
		r.job, r.following = job, true
	}
	return job == r.job
}

// complete reports whether every partition has the end markers of all its
// producers. r.mu is held.
func (r *Receiver) complete() bool {
	for p := 0; p < r.parts; p++ {
		if n := r.producers[p]; n == 0 || len(r.ends[p]) < n {
			return false
		}
	}
	return true
}

func (r *Receiver) part(p int) *partState {
	st := r.state[p]
	if st == nil {
		st = &partState{delivered: -1, committed: -1}
		r.state[p] = st
	}
	return st
}

// poison sends m to the dead-letter topic and consumes it.
func (r *Receiver) poison(ctx context.Context, m kafkago.Message, why error) error {
	if err := r.t.deadLetter(ctx, m, why); err != nil {
		return err
	}
	return r.consumed(ctx, m)
}

// consumed marks a message the receiver dealt with itself, committing it
// once nothing before it awaits an ack.
func (r *Receiver) consumed(ctx context.Context, m kafkago.Message) error {
	r.mu.Lock()
	st := r.part(m.Partition)
	st.delivered = max(st.delivered, m.Offset)
	target := st.target()
	r.mu.Unlock()
	return r.enqueue(ctx, m.Partition, target)
}

// Ack confirms that b's results were sent on. The offsets up to the oldest
// batch still unacknowledged are committed in the background, once every
// batch sent before this Ack is acknowledged by the brokers; Ack returns an
// earlier commit's error.
func (r *Receiver) Ack(ctx context.Context, b *pipeline.Batch) error {
	r.mu.Lock()
	i := slices.IndexFunc(r.inflight, func(d delivery) bool { return d.b == b })
	if i < 0 {
		r.mu.Unlock()
		return fmt.Errorf("kafka: ack on %s of a batch this receiver did not hand out", r.topic)
	}
	d := r.inflight[i]
	r.inflight = slices.Delete(r.inflight, i, i+1)
	st := r.part(d.partition)
	if j := slices.Index(st.pending, d.offset); j >= 0 {
		st.pending = slices.Delete(st.pending, j, j+1)
	}
	target := st.target()
	r.mu.Unlock()
	return r.enqueue(ctx, d.partition, target)
}

// commit commits partition p up to and including offset, if not yet. Only
// the committer goroutine calls it.
func (r *Receiver) commit(ctx context.Context, p int, offset int64) error {
	r.mu.Lock()
	st := r.part(p)
	committed := st.committed
	r.mu.Unlock()
	if offset <= committed {
		return nil
	}
	if err := r.r.CommitMessages(ctx, kafkago.Message{Topic: r.topic, Partition: p, Offset: offset}); err != nil {
		return fmt.Errorf("kafka: commit %s/%d@%d: %w", r.topic, p, offset, err)
	}
	r.mu.Lock()
	st.committed = max(st.committed, offset)
	r.mu.Unlock()
	return nil
}
