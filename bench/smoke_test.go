package main

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestSmoke20k runs the end-to-end benchmark on 20,000 rows in CI, twice
// over the same data (-runs 2): it checks the accounting and the funnel
// against the generator's ground truth, not the speed.
func TestSmoke20k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds postmill and runs 20,000 rows")
	}
	res, err := Run(context.Background(), Config{Rows: 20_000, Seed: 7, WorkDir: t.TempDir(), Runs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Walls) != 2 || res.Walls[0] > res.Walls[1] || res.Wall != res.Walls[1] {
		t.Fatalf("two runs: walls %v, reported %v (the median of two is the slower)", res.Walls, res.Wall)
	}
	checkSmoke(t, res)
}

// TestSmokeWorkers runs the same 20,000 rows with every stage in a `postmill
// worker` process over an in-process Kafka broker (-kafka -workers 1).
func TestSmokeWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds postmill and runs 20,000 rows through six worker processes")
	}
	res, err := Run(context.Background(), Config{Rows: 20_000, Seed: 7, WorkDir: t.TempDir(), Kafka: true, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.WorkerProcs != 6 || res.WorkerCPU == 0 {
		t.Fatalf("%d worker processes, %v CPU", res.WorkerProcs, res.WorkerCPU)
	}
	checkSmoke(t, res)
}

// checkSmoke checks a run's accounting and funnel.
func checkSmoke(t *testing.T, res *Result) {
	t.Helper()
	rep := res.Report
	if rep.RowsIn != 20_000 || rep.Accepted+rep.Rejected+rep.Held != 20_000 {
		t.Fatalf("accounting: %+v", rep)
	}
	if rep.Held != 0 {
		t.Fatalf("%d pieces held despite enough credits", rep.Held)
	}
	// Reasons whose count the generator controls exactly.
	exact := map[string]bool{
		"invalid_address:zip_unknown": true, "invalid_address:street_missing": true,
		"invalid_address:garbage": true, "suppressed:account:email": true,
		"suppressed:account:address": true, "moved:no_forwarding": true, "moved:box_closed": true,
	}
	for _, f := range res.Funnel {
		if exact[f.Reason] && f.Observed != f.Expected {
			t.Errorf("%s: observed %d, generated %d", f.Reason, f.Observed, f.Expected)
		}
		// Duplicates: chance address clashes can add a few, never remove.
		if f.Reason == "duplicate:individual" && (f.Observed < f.Expected || f.Observed > f.Expected+f.Expected/20) {
			t.Errorf("%s: observed %d, generated %d", f.Reason, f.Observed, f.Expected)
		}
	}
	if res.Batches == 0 || res.Outputs["batches/*/pieces.csv"] == 0 {
		t.Fatalf("no print batches: %v", res.Outputs)
	}
}

// TestRunsRefusesKafka: repeated runs are in-process only, refused before
// any data is generated.
func TestRunsRefusesKafka(t *testing.T) {
	dir := t.TempDir()
	res, err := Run(context.Background(), Config{Rows: 1000, Runs: 2, Kafka: true, WorkDir: dir})
	if err == nil || res != nil || !strings.Contains(err.Error(), "-runs") {
		t.Fatalf("Run = %v, %v; want a -runs error and no result", res, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("generated %d entries before refusing", len(entries))
	}
}
