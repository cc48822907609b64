package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/postmill/postmill/pipeline/kafka"
)

// TestRunWithRemoteWorkers: validate and suppress run as three `postmill
// worker`s each on Kafka while `postmill run --remote-stages` ingests and
// runs dedupe, render, batch and account; the outputs equal the
// in-process run's.
func TestRunWithRemoteWorkers(t *testing.T) {
	remoteWorkers(t, "remote", []struct{ stage, next string }{{"validate", "suppress"}, {"suppress", "dedupe"}})
}

// TestRunWithFusedWorkers: the same with validate and suppress fused in
// each of three workers (`postmill worker --stage validate,suppress`): one
// hop instead of two, the same outputs.
func TestRunWithFusedWorkers(t *testing.T) {
	remoteWorkers(t, "fused", []struct{ stage, next string }{{"validate,suppress", "dedupe"}})
}

// remoteWorkers starts three workers of each layout entry under topic
// prefix prefix and compares a run with --remote-stages validate,suppress
// to the in-process run.
func remoteWorkers(t *testing.T, prefix string, layout []struct{ stage, next string }) {
	brokers := kafkaBrokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The workers read their configuration from POSTMILL_* like a run.
	env := map[string]string{"POSTMILL_SUPPRESS": "../../testdata/lists/suppress-email.csv"}
	var out, errb bytes.Buffer
	e := &env_{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	factory, closeStages := stageByName(ctx, e.env())
	defer closeStages()
	kcfg := kafka.Config{Brokers: strings.Split(brokers, ","), Prefix: prefix, Partitions: 3}
	wctx, stopWorkers := context.WithCancel(ctx)
	errs := make(chan error, 3*len(layout))
	for _, w := range layout {
		// The local run's dedupe takes the batches in order: no split.
		wk, err := workerFor(factory, w.stage, w.next, true)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			go func() { errs <- wk.Run(wctx, kcfg) }()
		}
	}
	defer func() {
		stopWorkers()
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Errorf("worker: %v", err)
			}
		}
	}()

	run := func(extra ...string) string {
		dir := t.TempDir()
		args := append([]string{"run", "../../testdata/afc/sample.csv", "--out", dir, "--state", t.TempDir(), "--quiet",
			"--mailer-id", "123456", "--template-front", "../../testdata/templates/front.html"}, extra...)
		if _, stderr, code := runCLI(t, env, args...); code != 0 {
			t.Fatalf("run %v: exit %d: %s", extra, code, stderr)
		}
		return dir
	}
	local := run()
	remote := run("--brokers", brokers, "--prefix", prefix, "--partitions", "3", "--remote-stages", "validate,suppress")

	if sameOutputs(t, local, remote) == 0 {
		t.Fatal("the in-process run wrote no print batches")
	}
	sameOutputs(t, local, remote, "accepted.csv", "rejects.csv", "held.csv")
	// The ingest rejects and the remote stages' rejects arrive with the
	// rows and are counted by the first local step.
	rep := readReport(t, remote)
	var early int64
	for r, n := range rep.Reasons {
		for _, family := range []string{"malformed:", "invalid_address:", "moved:", "suppressed:"} {
			if strings.HasPrefix(string(r), family) {
				early += n
			}
		}
	}
	if early == 0 || rep.Stages[0].Rejected != early {
		t.Fatalf("first local step counted %d rejects, want the %d from ingest and the remote stages", rep.Stages[0].Rejected, early)
	}
}
