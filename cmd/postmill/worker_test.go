package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// testStages knows one stage, "validate", which rejects every 7th row.
func testStages(name string, _ *pipeline.Job) (pipeline.Step, error) {
	if name != "validate" {
		return pipeline.Step{}, fmt.Errorf("no stage %q", name)
	}
	return pipeline.Step{Name: name, Stage: pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		for _, r := range b.Rows {
			if r.Num%7 == 0 {
				r.Reject(pipeline.MalformedQuote, "")
			}
		}
		return nil
	})}, nil
}

func TestWorkerUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--next", "sink", "--brokers", "b:9092"}, "--stage is required"},
		{[]string{"--stage", "validate", "--brokers", "b:9092"}, "--next is required"},
		{[]string{"--stage", "validate", "--next", "sink"}, "--brokers is required"},
		{[]string{"--stage", "nope", "--next", "sink", "--brokers", "b:9092"}, `no stage "nope"`},
		{[]string{"--stage", "validate", "--next", "sink", "--brokers", "b:9092", "--partitions", "-1"}, "partitions -1"},
		{[]string{"--stage", "validate,dedupe", "--next", "sink", "--brokers", "b:9092"}, "dedupe is keyed; only stateless stages run fused"},
		{[]string{"--stage", ",", "--next", "sink", "--brokers", "b:9092"}, "names no stage"},
		{[]string{"--stage", "validate", "--next", "sink", "--brokers", "b:9092", "--kafka-compression", "lz4"}, `--kafka-compression: unknown compression "lz4"`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		e := &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
		err := cmdWorker(context.Background(), e, tt.args, testStages)
		if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want a usage error containing %q", tt.args, err, tt.want)
		}
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
	if err := cmdWorker(context.Background(), e, []string{"--help"}, testStages); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(out.String(), "postmill worker --stage validate") {
		t.Fatalf("--help: %v\n%s", err, out.String())
	}
}

// TestWorkerCommand runs the command against an in-process broker, with the
// brokers given in the environment: batches published to postmill.validate
// arrive processed on postmill.sink, and cancelling stops it cleanly.
func TestWorkerCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := c.ListenAddrs()

	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: func(k string) string {
		switch k {
		case "POSTMILL_BROKERS":
			return strings.Join(brokers, ",")
		case "POSTMILL_KAFKA_COMPRESSION":
			return "none"
		}
		return ""
	}}
	wctx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- cmdWorker(wctx, e, []string{"--stage", "validate", "--next", "sink"}, testStages) }()

	job := pipelinetest.NewJob()
	cfg := kafka.Config{Brokers: brokers}
	tr, err := kafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s, err := tr.NewSender(ctx, cfg.Topic("validate"))
	if err != nil {
		t.Fatal(err)
	}
	const batches, rows = 5, 10
	for i := 0; i < batches; i++ {
		b := pipeline.NewBatch(job, uint64(i))
		for k := 1; k <= rows; k++ {
			r := b.AddRow()
			r.Num = int64(i*rows + k)
		}
		if err := s.Send(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CloseSend(ctx); err != nil {
		t.Fatal(err)
	}

	check, err := kafka.New(kafka.Config{Brokers: brokers, GroupPrefix: "check", Job: job.ID})
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	r, err := check.NewReceiver(ctx, cfg.Topic("sink"), "check.sink")
	if err != nil {
		t.Fatal(err)
	}
	var rejected int
	for {
		b, err := r.Receive(ctx)
		if errors.Is(err, pipeline.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rejected += len(b.Done)
		if err := r.Ack(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if rejected != batches*rows/7 {
		t.Fatalf("rejected %d rows, want %d", rejected, batches*rows/7)
	}
	// --kafka-compression none (from the environment): the worker's
	// batches are bare Arrow IPC streams, not zstd frames.
	if v := firstBatch(t, strings.Join(brokers, ","), cfg.Topic("sink")); !bytes.HasPrefix(v, []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Fatalf("a batch the worker published starts % x", v[:min(8, len(v))])
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatalf("worker: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "postmill.validate → postmill.sink") {
		t.Fatalf("output: %s", out.String())
	}
}

// TestEnvList: a repeatable flag read from the environment takes a list
// separated like PATH, so a worker gets several suppression lists.
func TestEnvList(t *testing.T) {
	env := map[string]string{"POSTMILL_SUPPRESS": "a.csv" + string(filepath.ListSeparator) + "b.csv", "POSTMILL_COA": "c.csv"}
	e := &env_{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(k string) string { return env[k] }}
	fs := newFlags(e.env(), "run", "", "", "")
	f := addRunFlags(fs)
	if _, err := fs.parse(e.env(), nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.suppress, []string{"a.csv", "b.csv"}) || *f.coa != "c.csv" {
		t.Fatalf("suppress %q, coa %q", f.suppress, *f.coa)
	}
}
