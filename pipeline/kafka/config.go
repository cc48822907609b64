package kafka

import (
	"errors"
	"fmt"
	"time"

	"github.com/postmill/postmill/formats/arrowbatch"
)

// Defaults of [Config]; a zero field takes these.
const (
	// DefaultPrefix starts topic names.
	DefaultPrefix = "postmill"
	// DefaultPartitions is the partition count of created topics.
	DefaultPartitions = 3
	// DefaultReplicationFactor is the replication of created topics.
	DefaultReplicationFactor = 1
	// DefaultBatchBytes is the largest message.
	DefaultBatchBytes = 8 << 20
	// DefaultMaxAttempts is how often a worker tries a failing batch.
	DefaultMaxAttempts = 3
	// DefaultMaxInFlight is how many batches a sender has unacknowledged.
	DefaultMaxInFlight = 4
)

// Config says where the topics live and how batches travel.
type Config struct {
	// Brokers are the bootstrap brokers, host:port. Required.
	Brokers []string
	// Prefix starts every topic name: batches for step NAME travel on
	// "<Prefix>.NAME". Default: "postmill".
	Prefix string
	// Partitions is the partition count of topics this transport creates;
	// an existing topic keeps its own. Default (0): 3.
	Partitions int
	// ReplicationFactor of created topics. Default (0): 1, right for a
	// single broker; production clusters want 3.
	ReplicationFactor int
	// GroupPrefix starts every consumer group name: step NAME consumes as
	// group "<GroupPrefix>.NAME". Default: Prefix. A pipeline.Run over Kafka
	// that shares its topics with stage workers needs a prefix of its own.
	GroupPrefix string
	// BatchBytes is the largest message (one encoded batch) the writer
	// sends and the topic accepts (max.message.bytes of created topics).
	// Default (0): 8 MiB.
	BatchBytes int
	// Linger is how long the writer waits for more messages to the same
	// partition before it publishes. Default (0): publish each batch at once
	// (a batch is already thousands of rows).
	Linger time.Duration
	// Compression is how batches are compressed (see arrowbatch). Default:
	// arrowbatch.CompressStream, the Arrow IPC stream in one zstd frame.
	Compression arrowbatch.Compression
	// MaxInFlight is how many batches a sender publishes ahead of the
	// brokers' acknowledgements; Send blocks past it (back-pressure). A
	// receiver commits an input offset only once every batch sent before
	// its Ack is acknowledged, so the pipelining never weakens
	// at-least-once. Default (0): 4.
	MaxInFlight int
	// DeadLetterTopic receives messages that cannot be decoded, and in a
	// worker batches that fail their stage MaxAttempts times. Default:
	// "<Prefix>.dlq".
	DeadLetterTopic string
	// MaxAttempts is how many times a worker tries a batch whose stage
	// fails before it dead-letters the batch and goes on. Default (0): 3.
	MaxAttempts int
	// Job, when set, makes receivers deliver only that job's batches and
	// end markers; messages of other jobs are skipped and committed, so the
	// receivers' consumer groups must be private to the job. Default: ""
	// (every job; the receiver follows the first job it sees).
	Job string
	// Producer and Producers identify this process among the producers of
	// each topic it writes: its end markers carry them, and a receiver waits
	// for end markers from Producers distinct producers on each partition.
	// Default: producer 0 of 1, right for a single pipeline.Run.
	Producer, Producers int
}

// ErrConfig is wrapped by Validate's errors.
var ErrConfig = errors.New("kafka: bad config")

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.Partitions == 0 {
		c.Partitions = DefaultPartitions
	}
	if c.ReplicationFactor == 0 {
		c.ReplicationFactor = DefaultReplicationFactor
	}
	if c.GroupPrefix == "" {
		c.GroupPrefix = c.Prefix
	}
	if c.BatchBytes == 0 {
		c.BatchBytes = DefaultBatchBytes
	}
	if c.DeadLetterTopic == "" {
		c.DeadLetterTopic = c.Prefix + ".dlq"
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.Producers == 0 {
		c.Producers = 1
	}
	return c
}

// Validate reports the first problem with c after defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case len(c.Brokers) == 0:
		return fmt.Errorf("%w: no brokers", ErrConfig)
	case c.Partitions < 0:
		return fmt.Errorf("%w: partitions %d", ErrConfig, c.Partitions)
	case c.ReplicationFactor < 0:
		return fmt.Errorf("%w: replication factor %d", ErrConfig, c.ReplicationFactor)
	case c.BatchBytes < 1<<10:
		return fmt.Errorf("%w: batch bytes %d, want at least 1 KiB", ErrConfig, c.BatchBytes)
	case c.Linger < 0:
		return fmt.Errorf("%w: linger %v", ErrConfig, c.Linger)
	case c.Compression > arrowbatch.CompressNone:
		return fmt.Errorf("%w: compression %d", ErrConfig, c.Compression)
	case c.MaxInFlight < 0:
		return fmt.Errorf("%w: max in flight %d", ErrConfig, c.MaxInFlight)
	case c.MaxAttempts < 0:
		return fmt.Errorf("%w: max attempts %d", ErrConfig, c.MaxAttempts)
	case c.Producers < 0 || c.Producer < 0 || c.Producer >= c.Producers:
		return fmt.Errorf("%w: producer %d of %d", ErrConfig, c.Producer, c.Producers)
	}
	return nil
}

// Topic is the topic that feeds step boundary ("validate", "sink").
func (c Config) Topic(boundary string) string { return c.withDefaults().Prefix + "." + boundary }

// Group is the consumer group that consumes boundary's topic.
func (c Config) Group(boundary string) string { return c.withDefaults().GroupPrefix + "." + boundary }
