package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/pipeline"
)

// RunWorker runs one stage as a member of its consumer group until ctx is
// canceled: it consumes topic "<Prefix>.<step.Name>" as group
// "<GroupPrefix>.<step.Name>", runs step.Stage on each batch of any job, and
// publishes the result to "<Prefix>.<next>" before it commits the input
// (at-least-once). A batch that cannot be decoded, or whose stage fails
// MaxAttempts times, goes to the dead-letter topic and the worker goes on.
// When an input partition has a job's end marker from each of its
// producers, the worker forwards the job's end marker, as producer p of the
// input's partition count, to every partition of the next topic.
//
// Cancelling ctx (SIGTERM) abandons the batch in hand without committing
// it, so the group's next owner of its partition processes it again;
// RunWorker then leaves the group and returns nil. Stages that need all
// input (pipeline.Flusher) are refused: they need rows re-partitioned by key
// and a flush per job, which the worker does not do yet.
func RunWorker(ctx context.Context, cfg Config, step pipeline.Step, next string) error {
	if step.Stage == nil || step.Name == "" || next == "" {
		return fmt.Errorf("%w: worker needs a named stage and a next step", ErrConfig)
	}
	if _, ok := step.Stage.(pipeline.Flusher); ok {
		return fmt.Errorf("%w: stage %s needs all input (Flusher); a worker cannot run it yet", ErrConfig, step.Name)
	}
	t, err := New(cfg)
	if err != nil {
		return err
	}
	defer t.Close()
	cfg = t.cfg
	in, out := cfg.Topic(step.Name), cfg.Topic(next)
	inParts, err := t.EnsureTopic(ctx, in)
	if err != nil {
		return ignoreCancel(ctx, err)
	}
	outParts, err := t.EnsureTopic(ctx, out)
	if err != nil {
		return ignoreCancel(ctx, err)
	}
	w := &worker{t: t, step: step, in: in, inParts: inParts, outParts: outParts,
		w: t.newWriter(out), jobs: map[string]*workerJob{}, parts: map[int]*workerPart{}}
	defer closeWriter(w.w)
	w.dec.NewJob = func(j *pipeline.Job) error {
		if b, ok := step.Stage.(pipeline.Binder); ok {
			return b.Bind(j.Schema)
		}
		return nil
	}
	w.r = kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:          cfg.Brokers,
		GroupID:          cfg.Group(step.Name),
		Topic:            in,
		MinBytes:         1,
		MaxBytes:         cfg.BatchBytes + 1<<20,
		MaxWait:          250 * time.Millisecond,
		StartOffset:      kafkago.FirstOffset,
		JoinGroupBackoff: 250 * time.Millisecond,
	})
	defer w.r.Close()
	for {
		m, err := w.r.FetchMessage(ctx)
		if err != nil {
			return ignoreCancel(ctx, fmt.Errorf("kafka: worker %s: fetch: %w", step.Name, err))
		}
		if err := w.handle(ctx, m); err != nil {
			return ignoreCancel(ctx, fmt.Errorf("kafka: worker %s: %s/%d@%d: %w", step.Name, m.Topic, m.Partition, m.Offset, err))
		}
	}
}

// ignoreCancel turns the error of a canceled run into a clean stop.
func ignoreCancel(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

type worker struct {
	t                 *Transport
	step              pipeline.Step
	in                string
	inParts, outParts int
	r                 *kafkago.Reader
	w                 *kafkago.Writer
	dec               arrowbatch.Decoder
	enc               arrowbatch.Encoder
	jobs              map[string]*workerJob
	parts             map[int]*workerPart
}

// workerJob is what a worker knows of a job's end markers.
type workerJob struct {
	ends      map[int]map[int]bool // input partition → producers seen
	forwarded map[int]bool         // input partitions whose end was forwarded
}

// workerPart holds an input partition's offsets: end markers whose job is
// not complete there stay uncommitted, so a restart sees them again.
type workerPart struct {
	held []heldEnd
	last int64
}

type heldEnd struct {
	offset int64
	job    string
}

func (w *worker) handle(ctx context.Context, m kafkago.Message) error {
	switch header(m, HeaderKind) {
	case KindEnd:
		return w.end(ctx, m)
	case KindBatch, "":
		b, err := w.dec.Decode(m.Value)
		if err != nil {
			return w.poison(ctx, m, err)
		}
		if err := w.process(ctx, b); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return w.poison(ctx, m, fmt.Errorf("stage %s failed %d times: %w", w.step.Name, w.t.cfg.MaxAttempts, err))
		}
		payload, err := w.enc.Encode(nil, b)
		if err != nil {
			return err
		}
		h := append(jobHeaders(b.Job, KindBatch), kafkago.Header{Key: HeaderSeq, Value: []byte(strconv.FormatUint(b.Seq, 10))})
		if err := w.w.WriteMessages(ctx, kafkago.Message{Key: []byte(b.Job.ID), Value: payload, Headers: h}); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		b.Release()
		return w.done(ctx, m)
	default:
		return w.poison(ctx, m, fmt.Errorf("unknown message kind %q", header(m, HeaderKind)))
	}
}

// process runs the stage on b, up to MaxAttempts times, then moves the rows
// it rejected or held to b.Done as the engine does.
func (w *worker) process(ctx context.Context, b *pipeline.Batch) error {
	var err error
	for attempt := 0; attempt < w.t.cfg.MaxAttempts; attempt++ {
		if err = w.step.Stage.Process(ctx, b); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	live := b.Rows[:0]
	for _, r := range b.Rows {
		switch r.Fate {
		case pipeline.Live:
			live = append(live, r)
		case pipeline.Rejected, pipeline.Held:
			b.Done = append(b.Done, r)
		default:
			return fmt.Errorf("stage %s left row %d %s", w.step.Name, r.Num, r.Fate)
		}
	}
	clear(b.Rows[len(live):])
	b.Rows = live
	return nil
}

// end records an end marker; once the partition has one from every
// producer, it forwards the job's end and releases the held offsets.
func (w *worker) end(ctx context.Context, m kafkago.Message) error {
	producer, err1 := strconv.Atoi(header(m, HeaderProducer))
	producers, err2 := strconv.Atoi(header(m, HeaderProducers))
	if err1 != nil || err2 != nil || producers < 1 || producer < 0 || producer >= producers {
		return w.poison(ctx, m, fmt.Errorf("end marker with producer %q of %q", header(m, HeaderProducer), header(m, HeaderProducers)))
	}
	id := header(m, HeaderJob)
	j := w.jobs[id]
	if j == nil {
		j = &workerJob{ends: map[int]map[int]bool{}, forwarded: map[int]bool{}}
		w.jobs[id] = j
	}
	if j.ends[m.Partition] == nil {
		j.ends[m.Partition] = map[int]bool{}
	}
	j.ends[m.Partition][producer] = true
	p := w.part(m.Partition)
	if len(j.ends[m.Partition]) < producers {
		p.held = append(p.held, heldEnd{offset: m.Offset, job: id})
		return w.done(ctx, m)
	}
	if !j.forwarded[m.Partition] {
		job := &pipeline.Job{ID: id, Account: header(m, HeaderTenant), Campaign: header(m, HeaderCampaign)}
		msgs := make([]kafkago.Message, w.outParts)
		for q := range msgs {
			h := append(jobHeaders(job, KindEnd),
				kafkago.Header{Key: HeaderProducer, Value: []byte(strconv.Itoa(m.Partition))},
				kafkago.Header{Key: HeaderProducers, Value: []byte(strconv.Itoa(w.inParts))})
			msgs[q] = kafkago.Message{Partition: q, Key: []byte(id), Headers: h}
		}
		if err := w.w.WriteMessages(ctx, msgs...); err != nil {
			return fmt.Errorf("forward end of job %s: %w", id, err)
		}
		j.forwarded[m.Partition] = true
	}
	// The job is complete on this partition: its earlier end markers need
	// not be seen again.
	p.held = slices.DeleteFunc(p.held, func(h heldEnd) bool { return h.job == id })
	delete(j.ends, m.Partition)
	if len(j.ends) == 0 && len(j.forwarded) == w.inParts {
		delete(w.jobs, id)
	}
	return w.done(ctx, m)
}

func (w *worker) part(p int) *workerPart {
	st := w.parts[p]
	if st == nil {
		st = &workerPart{last: -1}
		w.parts[p] = st
	}
	return st
}

// done commits the input partition up to m, or up to the oldest held end
// marker.
func (w *worker) done(ctx context.Context, m kafkago.Message) error {
	p := w.part(m.Partition)
	p.last = m.Offset
	target := p.last
	for _, h := range p.held {
		target = min(target, h.offset-1)
	}
	if target < 0 {
		return nil
	}
	if err := w.r.CommitMessages(ctx, kafkago.Message{Topic: w.in, Partition: m.Partition, Offset: target}); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// poison dead-letters m and commits it.
func (w *worker) poison(ctx context.Context, m kafkago.Message, why error) error {
	if err := w.t.deadLetter(ctx, m, why); err != nil {
		return errors.Join(why, err)
	}
	return w.done(ctx, m)
}
