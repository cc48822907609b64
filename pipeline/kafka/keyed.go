package kafka

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/pipeline"
)

// This file holds what a keyed worker (Worker.Keyed) adds: one stage
// instance per job and input partition, intake in (origin, seq) order or
// once per (origin, seq) for a flushing stage, and finishing a job on a
// partition when its end markers are in.

// keyedJob is one job's state on one input partition of a keyed worker.
type keyedJob struct {
	job       *pipeline.Job
	stage     pipeline.Stage
	first     int64 // the first offset of the job seen here: nothing from it on is committed
	ends      map[int]bool
	producers int
	next      map[string]uint64                // ordered: next seq per origin
	waiting   map[string]map[uint64]waitingMsg // ordered: arrived early
	seen      map[string]map[uint64]bool       // flusher: batches taken
	outSeq    uint64
	sections  map[string]json.RawMessage
}

type waitingMsg struct {
	m kafkago.Message
	b *pipeline.Batch
}

// maxCompleted bounds how many finished jobs a partition remembers.
const maxCompleted = 1024

// checkGap drops a partition's keyed state when its messages resume past
// the last one seen: the partition was owned by another worker meanwhile,
// which committed past those jobs, so it finished them. (After a rebalance
// that gives the partition back without such progress, the messages resume
// at or before the last one seen, and the state stays valid: the repeats
// are dropped by (origin, seq).)
func (w *worker) checkGap(m kafkago.Message) {
	p := w.part(m.Partition)
	if p.last < 0 || m.Offset <= p.last+1 {
		return
	}
	for id, js := range p.keyed {
		js.discard()
		delete(p.keyed, id)
		p.completed[id] = true
		p.order = append(p.order, id)
	}
}

// discard closes the job's stage instance and releases the batches it was
// holding back, for a job this worker will not finish.
func (js *keyedJob) discard() {
	if js.stage != nil {
		closeStage(js.stage)
	}
	for _, q := range js.waiting {
		for _, wm := range q {
			wm.b.Release()
		}
	}
}

// keyedJob returns the state of job on partition p, created at offset.
func (w *worker) keyedJob(p *workerPart, job *pipeline.Job, offset int64) *keyedJob {
	js := p.keyed[job.ID]
	if js == nil {
		js = &keyedJob{job: job, first: offset, ends: map[int]bool{}, next: map[string]uint64{},
			waiting: map[string]map[uint64]waitingMsg{}, seen: map[string]map[uint64]bool{},
			sections: map[string]json.RawMessage{}}
		p.keyed[job.ID] = js
	}
	if js.job.Schema == nil && job.Schema != nil {
		js.job = job
	}
	return js
}

// keyedBatch takes a batch of a keyed stage: a flushing stage takes each
// (origin, seq) once in any order; another stage takes each origin's
// batches in seq order, keeping the early ones until their turn.
func (w *worker) keyedBatch(ctx context.Context, m kafkago.Message) error {
	p := w.part(m.Partition)
	if p.completed[header(m, HeaderJob)] {
		return w.done(ctx, m) // a repeat of a job finished here
	}
	b, err := w.dec.Decode(m.Value)
	if err != nil {
		return w.poison(ctx, m, err)
	}
	js := w.keyedJob(p, b.Job, m.Offset)
	origin := header(m, HeaderOrigin)
	if w.flusher {
		if js.seen[origin][b.Seq] {
			b.Release()
			return w.done(ctx, m)
		}
		if js.seen[origin] == nil {
			js.seen[origin] = map[uint64]bool{}
		}
		js.seen[origin][b.Seq] = true
		if err := w.take(ctx, m.Partition, js, m, b, origin); err != nil {
			return err
		}
		return w.done(ctx, m)
	}
	next := js.next[origin]
	_, early := js.waiting[origin][b.Seq]
	switch {
	case b.Seq < next || early:
		b.Release() // a redelivery
		return w.done(ctx, m)
	case b.Seq > next:
		if js.waiting[origin] == nil {
			js.waiting[origin] = map[uint64]waitingMsg{}
		}
		js.waiting[origin][b.Seq] = waitingMsg{m: m, b: b}
		return w.done(ctx, m)
	}
	if err := w.take(ctx, m.Partition, js, m, b, origin); err != nil {
		return err
	}
	js.next[origin]++
	for {
		wm, ok := js.waiting[origin][js.next[origin]]
		if !ok {
			break
		}
		delete(js.waiting[origin], js.next[origin])
		if err := w.take(ctx, m.Partition, js, wm.m, wm.b, origin); err != nil {
			return err
		}
		js.next[origin]++
	}
	return w.done(ctx, m)
}

// take runs the job's stage instance on b and publishes the result; a batch
// the stage fails on goes to the dead-letter topic. It releases b.
func (w *worker) take(ctx context.Context, part int, js *keyedJob, m kafkago.Message, b *pipeline.Batch, origin string) error {
	defer b.Release()
	if js.stage == nil {
		st, err := w.instance(b.Job)
		if err != nil {
			return fmt.Errorf("new stage for job %s: %w", b.Job.ID, err)
		}
		js.stage = st
	}
	if err := w.process(ctx, js.stage, b); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return w.deadLetter(ctx, m, fmt.Errorf("stage %s failed %d times: %w", w.spec.Step.Name, w.t.cfg.MaxAttempts, err))
	}
	if w.flusher {
		// The rows are deferred; what is left are finished rows, and live
		// rows a flushing stage passed on at once.
		if len(b.Rows) > 0 {
			b.Seq = js.outSeq
			js.outSeq++
			return w.publish(ctx, b, w.origin(part))
		}
		// Nothing goes on to the next stage before the flush: its input
		// starts with this stage's own origin.
		return w.sendDone(ctx, b)
	}
	hop := w.origin(part)
	if origin != "" {
		hop = origin + ">" + hop
	}
	return w.publish(ctx, b, hop)
}

// origin names what this worker emits from partition part.
func (w *worker) origin(part int) string {
	return w.spec.Step.Name + "." + strconv.Itoa(part)
}

// instance returns a stage instance for job: the one bound when the job was
// decoded, or a new one bound to the job's schema.
func (w *worker) instance(job *pipeline.Job) (pipeline.Stage, error) {
	if st := w.spare[job.ID]; st != nil {
		delete(w.spare, job.ID)
		return st, nil
	}
	st, err := w.spec.NewStage(job)
	if err != nil {
		return nil, err
	}
	if b, ok := st.(pipeline.Binder); ok {
		if err := b.Bind(job.Schema); err != nil {
			closeStage(st)
			return nil, err
		}
	}
	return st, nil
}

// keyedEnd records an end marker of a keyed stage's job; once the partition
// has one from every producer, it finishes the job there.
func (w *worker) keyedEnd(ctx context.Context, m kafkago.Message) error {
	producer, producers, err := endMarker(m)
	if err != nil {
		return w.poison(ctx, m, err)
	}
	id := header(m, HeaderJob)
	p := w.part(m.Partition)
	if p.completed[id] {
		return w.done(ctx, m)
	}
	js := w.keyedJob(p, &pipeline.Job{ID: id, Account: header(m, HeaderTenant), Campaign: header(m, HeaderCampaign)}, m.Offset)
	js.ends[producer] = true
	js.producers = producers
	addSections(js.sections, m.Value)
	if len(js.ends) < producers {
		return w.done(ctx, m)
	}
	if err := w.finish(ctx, m.Partition, js); err != nil {
		return err
	}
	delete(p.keyed, id)
	p.completed[id] = true
	p.order = append(p.order, id)
	if len(p.order) > maxCompleted {
		delete(p.completed, p.order[0])
		p.order = p.order[1:]
	}
	if !w.anyKeyed(id) {
		w.dropKey(id)
		if st := w.spare[id]; st != nil {
			closeStage(st)
			delete(w.spare, id)
		}
	}
	return w.done(ctx, m)
}

// anyKeyed reports whether a partition still has state for job id.
func (w *worker) anyKeyed(id string) bool {
	for _, p := range w.parts {
		if p.keyed[id] != nil {
			return true
		}
	}
	return false
}

// finish completes a job on partition part: an ordered stage takes the
// batches still waiting (their predecessors were dead-lettered upstream),
// in (origin, seq) order; a finishing stage (pipeline.Finisher) lets go of
// its state and a flushing stage flushes. Then the job's end
// goes on with the report sections.
func (w *worker) finish(ctx context.Context, part int, js *keyedJob) error {
	var rest []waitingMsg
	var origins []string
	for o, q := range js.waiting {
		for _, wm := range q {
			rest = append(rest, wm)
			origins = append(origins, o)
		}
	}
	idx := make([]int, len(rest))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(origins[a], origins[b]), cmp.Compare(rest[a].b.Seq, rest[b].b.Seq))
	})
	for _, i := range idx {
		if err := w.take(ctx, part, js, rest[i].m, rest[i].b, origins[i]); err != nil {
			return err
		}
	}
	js.waiting = nil
	if f, ok := js.stage.(pipeline.Finisher); ok {
		f.Finish()
	}
	if f, ok := js.stage.(pipeline.Flusher); ok {
		err := f.Flush(ctx, func(b *pipeline.Batch) error {
			defer b.Release()
			b.Seq = js.outSeq
			js.outSeq++
			return w.publish(ctx, b, w.origin(part))
		})
		if err != nil {
			return fmt.Errorf("flush job %s: %w", js.job.ID, err)
		}
	}
	if r, ok := js.stage.(pipeline.Reporter); ok {
		raw, err := json.Marshal(r.Report())
		if err != nil {
			return fmt.Errorf("report of job %s: %w", js.job.ID, err)
		}
		js.sections[w.origin(part)] = raw
	}
	closeStage(js.stage)
	js.stage = nil
	return w.forwardEnd(ctx, js.job, part, js.sections)
}

// closeStages releases the instances of jobs left unfinished.
func (w *worker) closeStages() {
	for _, p := range w.parts {
		for _, js := range p.keyed {
			js.discard()
		}
	}
	for _, st := range w.spare {
		closeStage(st)
	}
	for id := range w.keys {
		w.dropKey(id)
	}
}
