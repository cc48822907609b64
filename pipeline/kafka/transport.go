package kafka

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/pipeline"
)

// Message headers. Batches and end markers carry job, tenant, campaign,
// schema and kind; end markers also producer and producers; dead letters
// add error, topic, partition and offset to the original's headers.
const (
	// HeaderJob is the job id.
	HeaderJob = "job"
	// HeaderTenant is the job's account.
	HeaderTenant = "tenant"
	// HeaderCampaign is the job's campaign.
	HeaderCampaign = "campaign"
	// HeaderSchema is the batch format version (arrowbatch.Version).
	HeaderSchema = "schema"
	// HeaderKind is KindBatch or KindEnd.
	HeaderKind = "kind"
	// HeaderSeq is a batch's sequence number in its job.
	HeaderSeq = "seq"
	// HeaderOrigin names the stream a batch's seq counts in: "" for the
	// ingesting process, "<stage>.<partition>" for what a flushing keyed
	// stage emitted, with ">"-joined hops for ordered keyed stages on the
	// way. (origin, seq) identifies a batch on a keyed stage's partition.
	HeaderOrigin = "origin"
	// HeaderPart is the partition a batch was keyed to, on batches split
	// for a keyed stage.
	HeaderPart = "part"
	// HeaderProducer is an end marker's producer id, from 0.
	HeaderProducer = "producer"
	// HeaderProducers is how many producers send end markers to each partition.
	HeaderProducers = "producers"
	// HeaderError is why a dead letter was dead-lettered.
	HeaderError = "error"
	// HeaderTopic is a dead letter's original topic.
	HeaderTopic = "topic"
	// HeaderPartition is a dead letter's original partition.
	HeaderPartition = "partition"
	// HeaderOffset is a dead letter's original offset.
	HeaderOffset = "offset"
)

// Values of the kind header.
const (
	// KindBatch marks a message holding one encoded batch.
	KindBatch = "batch"
	// KindEnd marks a job's end marker, which has no value.
	KindEnd = "end"
)

// Transport links pipeline steps through Kafka topics; it implements
// [pipeline.Transport]. Close it after the run: it owns the readers and
// writers its links use.
type Transport struct {
	cfg      Config
	encoders sync.Pool

	mu      sync.Mutex
	closers []func() error
	parts   map[string]int // partition count by topic
	dlq     *kafkago.Writer
	dead    map[string]int64 // dead letters by job id
	closed  bool
	flight  *flight
}

// New returns a transport for cfg, or the first problem with cfg.
func New(cfg Config) (*Transport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Transport{cfg: cfg.withDefaults(), parts: map[string]int{}, dead: map[string]int64{}, flight: newFlight()}
	t.encoders.New = func() any { return &arrowbatch.Encoder{Compression: t.cfg.Compression} }
	return t, nil
}

// Config returns the transport's configuration with defaults applied.
func (t *Transport) Config() Config { return t.cfg }

// Open returns the two ends of the link that feeds boundary: a sender
// publishing to topic "<Prefix>.<boundary>" and a receiver consuming it as
// group "<GroupPrefix>.<boundary>". The topic is created if absent.
func (t *Transport) Open(ctx context.Context, boundary string) (pipeline.Sender, pipeline.Receiver, error) {
	topic := t.cfg.Topic(boundary)
	s, err := t.NewSender(ctx, topic)
	if err != nil {
		return nil, nil, err
	}
	r, err := t.NewReceiver(ctx, topic, t.cfg.Group(boundary))
	if err != nil {
		return nil, nil, err
	}
	return s, r, nil
}

// Close closes every sender and receiver the transport opened, and its
// dead-letter writer.
func (t *Transport) Close() error {
	t.mu.Lock()
	closers := t.closers
	t.closers, t.closed = nil, true
	t.mu.Unlock()
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		errs = append(errs, closers[i]())
	}
	return errors.Join(errs...)
}

func (t *Transport) onClose(f func() error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		f()
		return errors.New("kafka: transport closed")
	}
	t.closers = append(t.closers, f)
	return nil
}

// DeadLetters returns how many messages went to the dead-letter topic, by
// job id ("" when the message named no job), for the job report.
func (t *Transport) DeadLetters() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int64, len(t.dead))
	for k, v := range t.dead {
		out[k] = v
	}
	return out
}

// EnsureTopic creates topic with the configured partition count and
// replication unless it exists, and returns its partition count.
func (t *Transport) EnsureTopic(ctx context.Context, topic string) (int, error) {
	t.mu.Lock()
	n, ok := t.parts[topic]
	t.mu.Unlock()
	if ok {
		return n, nil
	}
	n, err := ensureTopic(ctx, t.cfg, topic)
	if err != nil {
		return 0, fmt.Errorf("kafka: topic %s: %w", topic, err)
	}
	t.mu.Lock()
	t.parts[topic] = n
	t.mu.Unlock()
	return n, nil
}

func ensureTopic(ctx context.Context, cfg Config, topic string) (int, error) {
	var d kafkago.Dialer
	var conn *kafkago.Conn
	var err error
	for _, b := range cfg.Brokers {
		if conn, err = d.DialContext(ctx, "tcp", b); err == nil {
			break
		}
	}
	if err != nil {
		return 0, fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	if n, err := partitionCount(conn, topic); err == nil && n > 0 {
		return n, nil
	}
	ctrl, err := conn.Controller()
	if err != nil {
		return 0, fmt.Errorf("find controller: %w", err)
	}
	cc, err := d.DialContext(ctx, "tcp", fmt.Sprintf("%s:%d", ctrl.Host, ctrl.Port))
	if err != nil {
		return 0, fmt.Errorf("dial controller: %w", err)
	}
	defer cc.Close()
	err = cc.CreateTopics(kafkago.TopicConfig{Topic: topic, NumPartitions: cfg.Partitions,
		ReplicationFactor: cfg.ReplicationFactor,
		ConfigEntries:     []kafkago.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(cfg.BatchBytes)}}})
	if err != nil && !errors.Is(err, kafkago.TopicAlreadyExists) {
		return 0, fmt.Errorf("create: %w", err)
	}
	// The metadata may lag the creation by a moment.
	for delay := 5 * time.Millisecond; ; delay *= 2 {
		n, err := partitionCount(conn, topic)
		if err == nil && n > 0 {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for metadata: %w", ctx.Err())
		case <-time.After(min(delay, time.Second)):
		}
	}
}

func partitionCount(conn *kafkago.Conn, topic string) (int, error) {
	ps, err := conn.ReadPartitions(topic)
	if err != nil {
		return 0, err
	}
	return len(ps), nil
}

// balancer keys batches to a partition by FNV-1a of the message key (the job
// id), so one job's batches stay in order on one partition, and sends end
// markers and batches split for a keyed stage to the partition they name.
type balancer struct{}

func (balancer) Balance(msg kafkago.Message, partitions ...int) int {
	if header(msg, HeaderKind) == KindEnd || header(msg, HeaderPart) != "" {
		for _, p := range partitions {
			if p == msg.Partition {
				return p
			}
		}
	}
	h := fnv.New32a()
	h.Write(msg.Key)
	return partitions[int(h.Sum32()%uint32(len(partitions)))]
}

func header(m kafkago.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func jobHeaders(j *pipeline.Job, kind string) []kafkago.Header {
	return []kafkago.Header{
		{Key: HeaderJob, Value: []byte(j.ID)},
		{Key: HeaderTenant, Value: []byte(j.Account)},
		{Key: HeaderCampaign, Value: []byte(j.Campaign)},
		{Key: HeaderSchema, Value: []byte(strconv.Itoa(arrowbatch.Version))},
		{Key: HeaderKind, Value: []byte(kind)},
	}
}

// newWriter returns a writer to topic that waits for every in-sync replica.
// Each writer has a kafka-go transport of its own, whose metadata is read
// after the topic was created: the shared default transport caches the
// topic list and would not know the new topic for seconds.
func (t *Transport) newWriter(topic string) *kafkago.Writer {
	w := &kafkago.Writer{
		Addr:         kafkago.TCP(t.cfg.Brokers...),
		Transport:    &kafkago.Transport{MetadataTopics: []string{topic}},
		Topic:        topic,
		Balancer:     balancer{},
		RequiredAcks: kafkago.RequireAll,
		BatchBytes:   int64(t.cfg.BatchBytes),
		BatchSize:    1,
	}
	if t.cfg.Linger > 0 {
		w.BatchSize, w.BatchTimeout = 100, t.cfg.Linger
	}
	return w
}

// Sender publishes batches to one topic, one message per batch. It
// implements [pipeline.Sender]. Send encodes the batch and queues it for a
// writer goroutine that publishes in order; at most Config.MaxInFlight
// batches wait for the brokers.
type Sender struct {
	t     *Transport
	w     *kafkago.Writer
	topic string
	parts int

	queue  chan kafkago.Message
	stop   context.CancelFunc // ends the writer goroutine's in-flight write
	exited chan struct{}      // closed when the writer goroutine returns

	job atomic.Pointer[pipeline.Job] // the last job sent, named by the end marker

	mu     sync.RWMutex // held for reading while queueing, for writing to close
	closed bool
	err    error // the first failed write
}

// NewSender returns a sender to topic, creating the topic if absent.
func (t *Transport) NewSender(ctx context.Context, topic string) (*Sender, error) {
	n, err := t.EnsureTopic(ctx, topic)
	if err != nil {
		return nil, err
	}
	wctx, stop := context.WithCancel(context.Background())
	s := &Sender{t: t, w: t.newWriter(topic), topic: topic, parts: n,
		queue: make(chan kafkago.Message, t.cfg.MaxInFlight), stop: stop, exited: make(chan struct{})}
	go s.write(wctx)
	if err := t.onClose(s.Close); err != nil {
		return nil, err
	}
	return s, nil
}

// write publishes queued messages in order, several per request when they
// queue up, until the queue is closed.
func (s *Sender) write(ctx context.Context) {
	defer close(s.exited)
	msgs := make([]kafkago.Message, 0, cap(s.queue)+1)
	for m := range s.queue {
		msgs = append(msgs[:0], m)
	drain:
		for len(msgs) < cap(msgs) {
			select {
			case m, ok := <-s.queue:
				if !ok {
					break drain
				}
				msgs = append(msgs, m)
			default:
				break drain
			}
		}
		err := s.w.WriteMessages(ctx, msgs...)
		if err != nil {
			err = fmt.Errorf("kafka: send to %s: %w", s.topic, err)
			s.mu.Lock()
			if s.err == nil {
				s.err = err
			}
			s.mu.Unlock()
		}
		s.t.flight.complete(s, len(msgs), err)
	}
}

// Send encodes b, queues it to be published as one message keyed by its
// job id, and releases it. It blocks while MaxInFlight batches wait for the
// brokers, and returns the error of an earlier failed write.
func (s *Sender) Send(ctx context.Context, b *pipeline.Batch) error {
	enc := s.t.encoders.Get().(*arrowbatch.Encoder)
	payload, err := enc.Encode(nil, b)
	s.t.encoders.Put(enc)
	if err != nil {
		return fmt.Errorf("kafka: send to %s: %w", s.topic, err)
	}
	h := append(jobHeaders(b.Job, KindBatch), kafkago.Header{Key: HeaderSeq, Value: []byte(strconv.FormatUint(b.Seq, 10))})
	msg := kafkago.Message{Key: []byte(b.Job.ID), Value: payload, Headers: h}

	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return pipeline.ErrClosed
	}
	if s.err != nil {
		return s.err
	}
	s.job.Store(b.Job)
	s.t.flight.issue(s)
	select {
	case s.queue <- msg:
	case <-ctx.Done():
		// The ticket will never complete: no receiver may commit past it.
		s.t.flight.fail(fmt.Errorf("kafka: send to %s abandoned: %w", s.topic, ctx.Err()))
		return ctx.Err()
	}
	b.Release()
	return nil
}

// CloseSend waits until every queued batch is published, then publishes the
// job's end marker to every partition of the topic and closes the writer.
// Later calls do nothing.
func (s *Sender) CloseSend(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.queue)
	job := s.job.Load()
	s.mu.Unlock()
	select {
	case <-s.exited:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.RLock()
	err := s.err
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	if job == nil {
		job = &pipeline.Job{ID: s.t.cfg.Job}
	}
	if err := s.sendEnd(ctx, job, s.t.cfg.Producer, s.t.cfg.Producers); err != nil {
		return err
	}
	return closeWriter(s.w)
}

// sendEnd publishes an end marker from producer (of producers) to every
// partition, synchronously.
func (s *Sender) sendEnd(ctx context.Context, job *pipeline.Job, producer, producers int) error {
	msgs := make([]kafkago.Message, s.parts)
	for p := range msgs {
		h := append(jobHeaders(job, KindEnd),
			kafkago.Header{Key: HeaderProducer, Value: []byte(strconv.Itoa(producer))},
			kafkago.Header{Key: HeaderProducers, Value: []byte(strconv.Itoa(producers))})
		msgs[p] = kafkago.Message{Partition: p, Key: []byte(job.ID), Headers: h}
	}
	if err := s.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("kafka: send end of job %s to %s: %w", job.ID, s.topic, err)
	}
	return nil
}

// Close stops the sender without an end marker; batches still queued are
// abandoned (a receiver will not commit past them).
func (s *Sender) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	s.stop()
	<-s.exited
	return closeWriter(s.w)
}

func closeWriter(w *kafkago.Writer) error {
	err := w.Close()
	if tr, ok := w.Transport.(*kafkago.Transport); ok {
		tr.CloseIdleConnections()
	}
	return err
}

// deadLetter publishes m to the dead-letter topic with why it failed, and
// counts it for the job.
func (t *Transport) deadLetter(ctx context.Context, m kafkago.Message, why error) error {
	t.mu.Lock()
	w := t.dlq
	t.mu.Unlock()
	if w == nil {
		if _, err := t.EnsureTopic(ctx, t.cfg.DeadLetterTopic); err != nil {
			return err
		}
		t.mu.Lock()
		if t.dlq == nil {
			t.dlq = t.newWriter(t.cfg.DeadLetterTopic)
			dlq := t.dlq
			t.closers = append(t.closers, func() error { return closeWriter(dlq) })
		}
		w = t.dlq
		t.mu.Unlock()
	}
	h := append(append([]kafkago.Header(nil), m.Headers...),
		kafkago.Header{Key: HeaderError, Value: []byte(why.Error())},
		kafkago.Header{Key: HeaderTopic, Value: []byte(m.Topic)},
		kafkago.Header{Key: HeaderPartition, Value: []byte(strconv.Itoa(m.Partition))},
		kafkago.Header{Key: HeaderOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))})
	if err := w.WriteMessages(ctx, kafkago.Message{Key: m.Key, Value: m.Value, Headers: h}); err != nil {
		return fmt.Errorf("kafka: dead-letter %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
	}
	t.mu.Lock()
	t.dead[header(m, HeaderJob)]++
	t.mu.Unlock()
	return nil
}

// DeadLetter is a message from the dead-letter topic, read back.
type DeadLetter struct {
	// Job is the job header of the original, if it had one.
	Job string
	// Err is why the message was dead-lettered.
	Err string
	// Topic, Partition and Offset locate the original.
	Topic     string
	Partition int
	Offset    int64
	// Value is the original payload.
	Value []byte
}

// ParseDeadLetter reads the headers of a message from the dead-letter topic.
func ParseDeadLetter(m kafkago.Message) DeadLetter {
	p, _ := strconv.Atoi(header(m, HeaderPartition))
	o, _ := strconv.ParseInt(header(m, HeaderOffset), 10, 64)
	return DeadLetter{Job: header(m, HeaderJob), Err: header(m, HeaderError), Topic: header(m, HeaderTopic),
		Partition: p, Offset: o, Value: m.Value}
}
