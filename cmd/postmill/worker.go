package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
)

// StageFactory builds the step a worker runs from its name ("validate"),
// bound to nothing yet; an unknown name is an error.
type StageFactory func(name string) (pipeline.Step, error)

// cmdWorker runs one stage as a member of its Kafka consumer group until
// SIGTERM or SIGINT: the batch in hand is then abandoned uncommitted, and
// the group's next owner of its partition processes it again.
func cmdWorker(ctx context.Context, e *env, args []string, stages StageFactory) error {
	fs := newFlags(e, "worker", "--stage NAME --next NAME --brokers HOST:PORT,...",
		"Runs one stage on Kafka: consumes the batches of topic <prefix>.<stage> as consumer group\n"+
			"<group-prefix>.<stage>, and publishes the results to <prefix>.<next>. Start several to\n"+
			"scale a stateless stage; each input partition has one owner. Batches that cannot be decoded\n"+
			"or fail the stage --max-attempts times go to <prefix>.dlq.",
		"postmill worker --stage validate --next suppress --brokers kafka-1:9092,kafka-2:9092")
	stage := fs.String("stage", "", "the stage to run (required)")
	next := fs.String("next", "", "the step after it, whose topic gets the results: a stage name or \"sink\" (required)")
	brokers := fs.String("brokers", "", "Kafka bootstrap brokers, `HOST:PORT,...` (required)")
	prefix := fs.String("prefix", kafka.DefaultPrefix, "topic name prefix")
	groupPrefix := fs.String("group-prefix", "", "consumer group name prefix (default: --prefix)")
	partitions := fs.Int("partitions", kafka.DefaultPartitions, "partitions of topics the worker creates")
	replication := fs.Int("replication", kafka.DefaultReplicationFactor, "replication factor of topics the worker creates")
	maxAttempts := fs.Int("max-attempts", kafka.DefaultMaxAttempts, "tries of a failing batch before it is dead-lettered")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *stage == "":
		return usagef("--stage is required")
	case *next == "":
		return usagef("--next is required")
	case *brokers == "":
		return usagef("--brokers is required")
	}
	cfg := kafka.Config{Brokers: splitList(*brokers), Prefix: *prefix, GroupPrefix: *groupPrefix,
		Partitions: *partitions, ReplicationFactor: *replication, MaxAttempts: *maxAttempts}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	step, err := stages(*stage)
	if err != nil {
		return usagef("--stage %s: %v", *stage, err)
	}
	if step.Name == "" {
		step.Name = *stage
	}
	fmt.Fprintf(e.stderr, "postmill worker: stage %s, %s → %s\n", step.Name, cfg.Topic(step.Name), cfg.Topic(*next))
	if err := kafka.RunWorker(ctx, cfg, step, *next); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "postmill worker: stage %s stopped\n", step.Name)
	return nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
