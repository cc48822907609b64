package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strconv"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/pipeline"
)

// SinkBoundary is the boundary whose topic the run that owns a job's sinks
// consumes: "<Prefix>.sink". Keyed workers send the rows they finish
// (rejected or held) there directly.
const SinkBoundary = "sink"

// Worker describes one stage run as a member of its consumer group. The
// zero value is not usable: Step.Name, Next, and Step.Stage or NewStage are
// required.
type Worker struct {
	// Step names the stage. Without NewStage, Step.Stage processes the
	// batches of every job, bound to each job's schema in turn (right for a
	// stage whose Bind may be repeated).
	Step pipeline.Step
	// NewStage, when set, builds a stage instance bound to one job's
	// schema: one per job, or with Keyed one per job and input partition.
	// Default (nil): Step.Stage serves every job; required with Keyed.
	NewStage func(j *pipeline.Job) (pipeline.Stage, error)
	// Keyed is for stages that keep state (dedupe, presort, account),
	// whose input topic is partitioned by the stage's key (see NextKey of
	// the step before). A keyed stage that is a [pipeline.Flusher] gets its
	// batches in any order and is flushed when the partition has the job's
	// end markers; any other keyed stage gets each origin's batches in
	// sequence order, as the in-process engine hands them to a Serial step.
	// Default (false): stateless.
	Keyed bool
	// Next is the step whose topic gets the results: a stage name, or
	// SinkBoundary.
	Next string
	// NextKey, when set, returns the [pipeline.Keyer] of the next step for
	// job j (bound to j's schema here when it is a Binder): each batch is
	// split by it into one message per partition of the next topic, empty
	// ones included, so each key has one owner however many workers run.
	// Default (nil): batches are keyed by job.
	NextKey func(j *pipeline.Job) (pipeline.Keyer, error)
}

// RunWorker runs a stateless stage: Worker{Step: step, Next: next}.Run.
func RunWorker(ctx context.Context, cfg Config, step pipeline.Step, next string) error {
	return Worker{Step: step, Next: next}.Run(ctx, cfg)
}

// Run runs the stage until ctx is canceled: it consumes topic
// "<Prefix>.<Step.Name>" as group "<GroupPrefix>.<Step.Name>", runs the
// stage on each batch of any job, and publishes the result to
// "<Prefix>.<Next>" before it commits the input (at-least-once). A batch
// that cannot be decoded, or whose stage fails MaxAttempts times, goes to
// the dead-letter topic and the worker goes on. When an input partition
// has a job's end marker from each of its producers, the worker forwards
// the job's end marker, as producer p of the input's partition count, to
// every partition of the next topic; the marker's value carries the report
// sections of the keyed stages the job has passed (JSON, by
// "<stage>.<partition>").
//
// A stateless worker commits each batch once its result is published. A
// keyed worker keeps a job's state in memory, so it commits nothing of a
// job on a partition until the job is complete there: a worker that dies
// leaves the job's batches to the partition's next owner, which rebuilds
// the same state from them and publishes the same batches again under the
// same (origin, seq); keyed stages downstream drop such repeats, and the
// run's sink drops repeated rows by row number.
//
// Cancelling ctx (SIGTERM) abandons the batch in hand without committing
// it; Run then leaves the group and returns nil.
func (wk Worker) Run(ctx context.Context, cfg Config) error {
	step := wk.Step
	if step.Name == "" || wk.Next == "" || (step.Stage == nil && wk.NewStage == nil) {
		return fmt.Errorf("%w: worker needs a named stage and a next step", ErrConfig)
	}
	if wk.Keyed && wk.NewStage == nil {
		return fmt.Errorf("%w: keyed stage %s needs NewStage", ErrConfig, step.Name)
	}
	if _, ok := step.Stage.(pipeline.Flusher); ok && !wk.Keyed {
		return fmt.Errorf("%w: stage %s needs all input (Flusher): run it keyed", ErrConfig, step.Name)
	}
	t, err := New(cfg)
	if err != nil {
		return err
	}
	defer t.Close()
	cfg = t.cfg
	in, out := cfg.Topic(step.Name), cfg.Topic(wk.Next)
	inParts, err := t.EnsureTopic(ctx, in)
	if err != nil {
		return ignoreCancel(ctx, err)
	}
	outParts, err := t.EnsureTopic(ctx, out)
	if err != nil {
		return ignoreCancel(ctx, err)
	}
	w := &worker{t: t, spec: wk, in: in, inParts: inParts, outParts: outParts,
		w: t.newWriter(out), jobs: map[string]*workerJob{}, parts: map[int]*workerPart{},
		keys: map[string]pipeline.Keyer{}, spare: map[string]pipeline.Stage{},
		enc: arrowbatch.Encoder{Compression: cfg.Compression}}
	defer closeWriter(w.w)
	if wk.Keyed {
		w.keyed = true
		if probe, err := wk.NewStage(&pipeline.Job{Schema: pipeline.NewSchema()}); err == nil {
			_, w.flusher = probe.(pipeline.Flusher)
			closeStage(probe)
		} else {
			return fmt.Errorf("kafka: worker %s: %w", step.Name, err)
		}
		if wk.Next != SinkBoundary {
			if _, err := t.EnsureTopic(ctx, cfg.Topic(SinkBoundary)); err != nil {
				return ignoreCancel(ctx, err)
			}
			w.sinkW = t.newWriter(cfg.Topic(SinkBoundary))
			defer closeWriter(w.sinkW)
		}
	}
	w.dec.NewJob = w.newJob
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
	defer w.closeStages()
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
	spec              Worker
	keyed, flusher    bool
	in                string
	inParts, outParts int
	r                 *kafkago.Reader
	w, sinkW          *kafkago.Writer
	dec               arrowbatch.Decoder
	enc               arrowbatch.Encoder
	jobs              map[string]*workerJob
	parts             map[int]*workerPart
	keys              map[string]pipeline.Keyer // the next step's keyer, by job
	spare             map[string]pipeline.Stage // by job: a keyed stage bound when the job was first decoded; a stateless stage's instance
	split             [][]*pipeline.Row
}

// workerJob is what a stateless worker knows of a job's end markers.
type workerJob struct {
	ends      map[int]map[int]bool // input partition → producers seen
	forwarded map[int]bool         // input partitions whose end was forwarded
	sections  map[string]json.RawMessage
}

// workerPart holds an input partition's offsets: end markers whose job is
// not complete there, and the batches of keyed jobs not complete there,
// stay uncommitted, so a restart sees them again.
type workerPart struct {
	held      []heldEnd
	last      int64
	keyed     map[string]*keyedJob
	completed map[string]bool // keyed jobs finished here; repeats are dropped
	order     []string        // completed, oldest first, to bound it
}

type heldEnd struct {
	offset int64
	job    string
}

// newJob binds the stage and the next step's keyer to a job the decoder
// sees for the first time, so the columns they add are in its schema.
func (w *worker) newJob(j *pipeline.Job) error {
	if w.spec.NewStage != nil {
		st, err := w.spec.NewStage(j)
		if err != nil {
			return err
		}
		if b, ok := st.(pipeline.Binder); ok {
			if err := b.Bind(j.Schema); err != nil {
				closeStage(st)
				return err
			}
		}
		w.keepStage(j.ID, st)
	} else if b, ok := w.spec.Step.Stage.(pipeline.Binder); ok {
		if err := b.Bind(j.Schema); err != nil {
			return err
		}
	}
	if w.spec.NextKey != nil {
		if _, err := w.keyFor(j); err != nil {
			return err
		}
	}
	return nil
}

// keyFor returns the next step's keyer for job j, built and bound at first
// use: a job's batches may come again after its keyer was dropped (a
// redelivery), and must be split the same way.
func (w *worker) keyFor(j *pipeline.Job) (pipeline.Keyer, error) {
	if k := w.keys[j.ID]; k != nil {
		return k, nil
	}
	k, err := w.spec.NextKey(j)
	if err != nil {
		return nil, fmt.Errorf("key for %s: %w", w.spec.Next, err)
	}
	if b, ok := k.(pipeline.Binder); ok {
		if err := b.Bind(j.Schema); err != nil {
			return nil, fmt.Errorf("key for %s: %w", w.spec.Next, err)
		}
	}
	if len(w.keys) >= maxPerJob {
		for id := range w.keys {
			w.dropKey(id) // any one: it is built again if its job comes back
			break
		}
	}
	w.keys[j.ID] = k
	return k, nil
}

// maxPerJob bounds the stage instances and keyers a worker keeps by job: a
// worker that owns only some partitions never sees some jobs end.
const maxPerJob = 256

// keepStage keeps st as job id's instance, closing the one it replaces and,
// past maxPerJob, another one (built again if its job comes back).
func (w *worker) keepStage(id string, st pipeline.Stage) {
	if old := w.spare[id]; old != nil {
		closeStage(old)
	} else if len(w.spare) >= maxPerJob {
		for other, o := range w.spare {
			closeStage(o)
			delete(w.spare, other)
			break
		}
	}
	w.spare[id] = st
}

func (w *worker) handle(ctx context.Context, m kafkago.Message) error {
	if w.keyed {
		w.checkGap(m)
	}
	switch header(m, HeaderKind) {
	case KindEnd:
		if w.keyed {
			return w.keyedEnd(ctx, m)
		}
		return w.end(ctx, m)
	case KindBatch, "":
		if w.keyed {
			return w.keyedBatch(ctx, m)
		}
		b, err := w.dec.Decode(m.Value)
		if err != nil {
			return w.poison(ctx, m, err)
		}
		st := w.spec.Step.Stage
		if w.spec.NewStage != nil {
			if st = w.spare[b.Job.ID]; st == nil {
				// A job decoded before, whose instance was dropped at its end.
				if st, err = w.instance(b.Job); err != nil {
					b.Release()
					return w.poison(ctx, m, err)
				}
				w.keepStage(b.Job.ID, st)
			}
		}
		if err := w.process(ctx, st, b); err != nil {
			b.Release()
			if ctx.Err() != nil {
				return err
			}
			return w.poison(ctx, m, fmt.Errorf("stage %s failed %d times: %w", w.spec.Step.Name, w.t.cfg.MaxAttempts, err))
		}
		err = w.publish(ctx, b, header(m, HeaderOrigin))
		b.Release()
		if err != nil {
			return err
		}
		return w.done(ctx, m)
	default:
		return w.poison(ctx, m, fmt.Errorf("unknown message kind %q", header(m, HeaderKind)))
	}
}

// process runs st on b, up to MaxAttempts times, then settles b as the
// engine does: rejected and held rows to b.Done, deferred ones (a flushing
// stage emits them at the flush) dropped.
func (w *worker) process(ctx context.Context, st pipeline.Stage, b *pipeline.Batch) error {
	var err error
	for attempt := 0; attempt < w.t.cfg.MaxAttempts; attempt++ {
		if err = st.Process(ctx, b); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	if _, _, deferred := b.Settle(); deferred > 0 && !w.flusher {
		return fmt.Errorf("stage %s deferred %d rows but does not flush", w.spec.Step.Name, deferred)
	}
	return nil
}

// publish sends b's rows on: to the next topic, split by the next step's
// key when it has one; a keyed worker sends the finished rows (b.Done) to
// the sink topic directly. The batch keeps origin and its seq.
func (w *worker) publish(ctx context.Context, b *pipeline.Batch, origin string) error {
	done := b.Done
	if w.sinkW != nil {
		if err := w.sendDone(ctx, b); err != nil {
			return err
		}
		done = nil
	}
	headers := func(extra ...kafkago.Header) []kafkago.Header {
		return append(append(jobHeaders(b.Job, KindBatch),
			kafkago.Header{Key: HeaderSeq, Value: []byte(strconv.FormatUint(b.Seq, 10))},
			kafkago.Header{Key: HeaderOrigin, Value: []byte(origin)}), extra...)
	}
	var key pipeline.Keyer
	if w.spec.NextKey != nil {
		var err error
		if key, err = w.keyFor(b.Job); err != nil {
			return err
		}
	}
	if key == nil {
		payload, err := w.enc.Encode(nil, &pipeline.Batch{Job: b.Job, Seq: b.Seq, Rows: b.Rows, Done: done})
		if err != nil {
			return err
		}
		if err := w.w.WriteMessages(ctx, kafkago.Message{Key: []byte(b.Job.ID), Value: payload, Headers: headers()}); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		return nil
	}
	if len(w.split) != w.outParts {
		w.split = make([][]*pipeline.Row, w.outParts)
	}
	for p := range w.split {
		w.split[p] = w.split[p][:0]
	}
	jh := jobHash(b.Job.ID)
	for _, r := range b.Rows {
		p := int(keyset.Mix64(jh^key.PartitionKey(r)) % uint64(w.outParts))
		w.split[p] = append(w.split[p], r)
	}
	msgs := make([]kafkago.Message, w.outParts)
	for p := range msgs {
		sub := &pipeline.Batch{Job: b.Job, Seq: b.Seq, Rows: w.split[p]}
		if p == 0 {
			sub.Done = done
		}
		payload, err := w.enc.Encode(nil, sub)
		if err != nil {
			return err
		}
		msgs[p] = kafkago.Message{Partition: p, Key: []byte(b.Job.ID), Value: payload,
			Headers: headers(kafkago.Header{Key: HeaderPart, Value: []byte(strconv.Itoa(p))})}
	}
	if err := w.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// sendDone sends b's finished rows (b.Done), if any, straight to the sink
// topic, keyed by job: a keyed worker's rejects skip the later stages.
func (w *worker) sendDone(ctx context.Context, b *pipeline.Batch) error {
	if len(b.Done) == 0 {
		return nil
	}
	to := w.sinkW
	if to == nil {
		to = w.w // the next step is the sink
	}
	payload, err := w.enc.Encode(nil, &pipeline.Batch{Job: b.Job, Seq: b.Seq, Done: b.Done})
	if err != nil {
		return err
	}
	h := append(jobHeaders(b.Job, KindBatch), kafkago.Header{Key: HeaderSeq, Value: []byte(strconv.FormatUint(b.Seq, 10))})
	if err := to.WriteMessages(ctx, kafkago.Message{Key: []byte(b.Job.ID), Value: payload, Headers: h}); err != nil {
		return fmt.Errorf("publish finished rows: %w", err)
	}
	return nil
}

// jobHash spreads different jobs' keys over different partitions.
func jobHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// endMarker parses an end marker's producer and producer count.
func endMarker(m kafkago.Message) (producer, producers int, err error) {
	producer, err1 := strconv.Atoi(header(m, HeaderProducer))
	producers, err2 := strconv.Atoi(header(m, HeaderProducers))
	if err1 != nil || err2 != nil || producers < 1 || producer < 0 || producer >= producers {
		return 0, 0, fmt.Errorf("end marker with producer %q of %q", header(m, HeaderProducer), header(m, HeaderProducers))
	}
	return producer, producers, nil
}

// addSections merges the report sections an end marker carries into into.
func addSections(into map[string]json.RawMessage, value []byte) {
	if len(value) == 0 {
		return
	}
	var got map[string]json.RawMessage
	if json.Unmarshal(value, &got) != nil {
		return
	}
	for k, v := range got {
		into[k] = v
	}
}

// forwardEnd publishes job's end marker, as producer part of the input's
// partition count, to every partition of the next topic, carrying sections.
func (w *worker) forwardEnd(ctx context.Context, job *pipeline.Job, part int, sections map[string]json.RawMessage) error {
	var value []byte
	if len(sections) > 0 {
		var err error
		if value, err = json.Marshal(sections); err != nil {
			return err
		}
	}
	msgs := make([]kafkago.Message, w.outParts)
	for q := range msgs {
		h := append(jobHeaders(job, KindEnd),
			kafkago.Header{Key: HeaderProducer, Value: []byte(strconv.Itoa(part))},
			kafkago.Header{Key: HeaderProducers, Value: []byte(strconv.Itoa(w.inParts))})
		msgs[q] = kafkago.Message{Partition: q, Key: []byte(job.ID), Value: value, Headers: h}
	}
	if err := w.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("forward end of job %s: %w", job.ID, err)
	}
	return nil
}

// end records an end marker; once the partition has one from every
// producer, it forwards the job's end and releases the held offsets.
func (w *worker) end(ctx context.Context, m kafkago.Message) error {
	producer, producers, err := endMarker(m)
	if err != nil {
		return w.poison(ctx, m, err)
	}
	id := header(m, HeaderJob)
	j := w.jobs[id]
	if j == nil {
		j = &workerJob{ends: map[int]map[int]bool{}, forwarded: map[int]bool{}, sections: map[string]json.RawMessage{}}
		w.jobs[id] = j
	}
	if j.ends[m.Partition] == nil {
		j.ends[m.Partition] = map[int]bool{}
	}
	j.ends[m.Partition][producer] = true
	addSections(j.sections, m.Value)
	p := w.part(m.Partition)
	if len(j.ends[m.Partition]) < producers {
		p.held = append(p.held, heldEnd{offset: m.Offset, job: id})
		return w.done(ctx, m)
	}
	if !j.forwarded[m.Partition] {
		job := &pipeline.Job{ID: id, Account: header(m, HeaderTenant), Campaign: header(m, HeaderCampaign)}
		if err := w.forwardEnd(ctx, job, m.Partition, j.sections); err != nil {
			return err
		}
		j.forwarded[m.Partition] = true
	}
	// The job is complete on this partition: its earlier end markers need
	// not be seen again.
	p.held = slices.DeleteFunc(p.held, func(h heldEnd) bool { return h.job == id })
	delete(j.ends, m.Partition)
	if len(j.ends) == 0 && len(j.forwarded) == w.inParts {
		delete(w.jobs, id)
		w.dropKey(id)
		if st := w.spare[id]; st != nil {
			closeStage(st)
			delete(w.spare, id)
		}
	}
	return w.done(ctx, m)
}

func (w *worker) part(p int) *workerPart {
	st := w.parts[p]
	if st == nil {
		st = &workerPart{last: -1, keyed: map[string]*keyedJob{}, completed: map[string]bool{}}
		w.parts[p] = st
	}
	return st
}

// dropKey forgets job id's keyer, releasing what it holds.
func (w *worker) dropKey(id string) {
	if k, ok := w.keys[id].(io.Closer); ok {
		k.Close()
	}
	delete(w.keys, id)
}

// closeStage releases what a stage instance holds (spill files).
func closeStage(st pipeline.Stage) {
	if c, ok := st.(io.Closer); ok {
		c.Close()
	}
}

// done commits the input partition up to m, or up to the oldest held end
// marker or unfinished keyed job.
func (w *worker) done(ctx context.Context, m kafkago.Message) error {
	p := w.part(m.Partition)
	p.last = max(p.last, m.Offset)
	target := p.last
	for _, h := range p.held {
		target = min(target, h.offset-1)
	}
	for _, js := range p.keyed {
		target = min(target, js.first-1)
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
	if err := w.deadLetter(ctx, m, why); err != nil {
		return err
	}
	return w.done(ctx, m)
}

// deadLetter sends m to the dead-letter topic.
func (w *worker) deadLetter(ctx context.Context, m kafkago.Message, why error) error {
	if err := w.t.deadLetter(ctx, m, why); err != nil {
		return errors.Join(why, err)
	}
	return nil
}
