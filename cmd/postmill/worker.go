package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
)

// StageFactory builds a fresh instance of the step a worker runs from its
// name ("validate"), bound to nothing yet, for job j (nil: for any job); an
// unknown name is an error.
type StageFactory func(name string, j *pipeline.Job) (pipeline.Step, error)

// keyedStages keep state per key: their workers run one instance per job
// and partition, and the step before them splits batches by their key.
var keyedStages = map[string]bool{"dedupe": true, "batch": true, "account": true}

// cmdWorker runs one stage as a member of its Kafka consumer group until
// SIGTERM or SIGINT: the batch in hand is then abandoned uncommitted, and
// the group's next owner of its partition processes it again.
func cmdWorker(ctx context.Context, e *env, args []string, stages StageFactory) error {
	fs := newFlags(e, "worker", "--stage NAME --next NAME --brokers HOST:PORT,...",
		"Runs one stage on Kafka: consumes the batches of topic <prefix>.<stage> as consumer group\n"+
			"<group-prefix>.<stage>, and publishes the results to <prefix>.<next>. Start several per\n"+
			"stage; each input partition has one owner. dedupe, batch and account are keyed: the worker\n"+
			"before them splits batches by their key (unless --next-local), and they keep one instance\n"+
			"per job and partition, committing a job's input only once it is finished there. Batches\n"+
			"that cannot be decoded or fail the stage --max-attempts times go to <prefix>.dlq.",
		"postmill worker --stage validate --next suppress --brokers kafka-1:9092,kafka-2:9092")
	stage := fs.String("stage", "", "the stage to run (required); several stateless ones, `NAME,...`, run fused: one hop, consuming the first one's topic")
	next := fs.String("next", "", "the step after it, whose topic gets the results: a stage name or \"sink\" (required)")
	brokers := fs.String("brokers", "", "Kafka bootstrap brokers, `HOST:PORT,...` (required)")
	prefix := fs.String("prefix", kafka.DefaultPrefix, "topic name prefix")
	groupPrefix := fs.String("group-prefix", "", "consumer group name prefix (default: --prefix)")
	partitions := fs.Int("partitions", kafka.DefaultPartitions, "partitions of topics the worker creates")
	replication := fs.Int("replication", kafka.DefaultReplicationFactor, "replication factor of topics the worker creates")
	compression := fs.String("kafka-compression", arrowbatch.CompressStream.String(), "how the worker compresses the batches it publishes: zstd, arrow-zstd or none (it reads all three)")
	maxAttempts := fs.Int("max-attempts", kafka.DefaultMaxAttempts, "tries of a failing batch before it is dead-lettered")
	hugePages := fs.Bool("huge-pages", true, "back the heap with transparent huge pages where the system grants them on request, as postmill run does")
	nextLocal := fs.Bool("next-local", false, "the next stage runs in the `postmill run` process (--remote-stages), not as workers: send batches keyed by job, in order, even to a keyed stage")
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
	comp, err := arrowbatch.ParseCompression(*compression)
	if err != nil {
		return usagef("--kafka-compression: %v", err)
	}
	cfg := kafka.Config{Brokers: splitList(*brokers), Prefix: *prefix, GroupPrefix: *groupPrefix,
		Partitions: *partitions, ReplicationFactor: *replication, MaxAttempts: *maxAttempts, Compression: comp}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	wk, err := workerFor(stages, *stage, *next, *nextLocal)
	if err != nil {
		return usagef("%v", err)
	}
	if *hugePages {
		reserveHugeHeap()
	}
	kind := "stateless"
	if wk.Keyed {
		kind = "keyed: one instance per job and partition"
	}
	fmt.Fprintf(e.stderr, "postmill worker: stage %s (%s), %s → %s\n", wk.Step.Name, kind, cfg.Topic(wk.Step.Name), cfg.Topic(*next))
	if err := wk.Run(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "postmill worker: stage %s stopped\n", wk.Step.Name)
	return nil
}

// workerFor builds what `postmill worker --stage stage --next next` runs: a
// stage built per job (per job and partition when keyed); and, unless
// nextLocal, the next stage's key to split batches by.
func workerFor(stages StageFactory, stage, next string, nextLocal bool) (kafka.Worker, error) {
	names := splitList(stage)
	if len(names) == 0 {
		return kafka.Worker{}, fmt.Errorf("--stage %q names no stage", stage)
	}
	if len(names) > 1 {
		for _, n := range names {
			if keyedStages[n] {
				return kafka.Worker{}, fmt.Errorf("--stage %s: %s is keyed; only stateless stages run fused", stage, n)
			}
		}
	}
	// build returns the stage, the fused stages, for job j (nil: a template).
	build := func(j *pipeline.Job) (pipeline.Stage, error) {
		parts := make([]pipeline.Stage, len(names))
		for i, n := range names {
			step, err := stages(n, j)
			if err != nil {
				return nil, fmt.Errorf("--stage %s: %v", n, err)
			}
			parts[i] = step.Stage
		}
		if len(parts) == 1 {
			return parts[0], nil
		}
		return pipeline.Fuse(parts...)
	}
	tmpl, err := build(nil)
	if err != nil {
		return kafka.Worker{}, err
	}
	// The template only names the stage; each job gets instances of its
	// own, bound to its schema.
	if c, ok := tmpl.(io.Closer); ok {
		c.Close()
	}
	wk := kafka.Worker{Step: pipeline.Step{Name: names[0], Stage: tmpl}, Next: next, Keyed: keyedStages[names[0]]}
	wk.NewStage = build
	if keyedStages[next] && !nextLocal {
		probe, err := stages(next, nil)
		if err != nil {
			return kafka.Worker{}, fmt.Errorf("--next %s: %v", next, err)
		}
		if c, ok := probe.Stage.(io.Closer); ok {
			c.Close()
		}
		wk.NextKey = func(j *pipeline.Job) (pipeline.Keyer, error) {
			st, err := stages(next, j)
			if err != nil {
				return nil, err
			}
			k, ok := st.Stage.(pipeline.Keyer)
			if !ok {
				return nil, fmt.Errorf("stage %s has no partition key", next)
			}
			return k, nil
		}
	}
	return wk, nil
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
