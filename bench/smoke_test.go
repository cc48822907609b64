package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	work := t.TempDir()
	res, err := Run(context.Background(), Config{Rows: 20_000, Seed: 7, WorkDir: work, Runs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Walls) != 2 || res.Walls[0] > res.Walls[1] || res.Wall != res.Walls[1] {
		t.Fatalf("two runs: walls %v, reported %v (the median of two is the slower)", res.Walls, res.Wall)
	}
	in, after, ok := phases(&res.Report)
	if !ok || in <= 0 || after <= 0 || in+after > res.Wall {
		t.Fatalf("phases: input %v, after presort %v (ok %v), run %v", in, after, ok, res.Wall)
	}
	var out strings.Builder
	res.Table(&out)
	if !strings.Contains(out.String(), "phases: input read in ") {
		t.Fatalf("the table has no phases line:\n%s", out.String())
	}
	checkSmoke(t, res, 20_000)

	// A single run in the same working directory, twice, with the binary
	// the first call built: each starts from a fresh ledger (a leftover one
	// would find every piece charged already, which Run reports as a
	// failure) and charges every accepted piece.
	for range 2 {
		again, err := Run(context.Background(), Config{Rows: 20_000, Seed: 7, WorkDir: work, Binary: filepath.Join(work, "postmill")})
		if err != nil {
			t.Fatal(err)
		}
		if charged, ok := accountCharged(&again.Report); !ok || charged != again.Report.Accepted {
			t.Fatalf("charged %d (section %v) of %d accepted", charged, ok, again.Report.Accepted)
		}
	}
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
	checkSmoke(t, res, 20_000)
}

// checkSmoke checks the accounting and funnel of a run of rows rows.
func checkSmoke(t *testing.T, res *Result, rows int64) {
	t.Helper()
	rep := res.Report
	if rep.RowsIn != rows || rep.Accepted+rep.Rejected+rep.Held != rows {
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

// TestAgainst runs a binary against itself as the baseline, two rounds of
// 5,000 rows: each round runs both (every run's accounting checked), and
// the comparison holds both binaries' figures for every round; the
// measured runs' CPU profiles, and only theirs, are merged into one.
func TestAgainst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds postmill and runs 5,000 rows four times")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "postmill")
	build := exec.Command("go", "build", "-o", bin, "../cmd/postmill")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	prof := filepath.Join(t.TempDir(), "merged.pgo")
	res, err := Run(context.Background(), Config{Rows: 5000, Seed: 3, WorkDir: work, Runs: 2, Binary: bin, Against: bin, CPUProfile: prof})
	if err != nil {
		t.Fatal(err)
	}
	// The measured runs were profiled, the baseline's not, and the
	// profiles merged into one that pprof reads.
	if runs, _ := filepath.Glob(filepath.Join(work, "profiles", "*.pprof")); len(runs) != 2 {
		t.Fatalf("profiles of runs: %v, want 2", runs)
	}
	top, err := exec.Command("go", "tool", "pprof", "-top", prof).CombinedOutput()
	if err != nil || !strings.Contains(string(top), "Type: cpu") || !strings.Contains(string(top), "Total samples") {
		t.Fatalf("merged profile: %v\n%s", err, top)
	}
	b := res.Baseline
	if b == nil || b.Binary != bin {
		t.Fatalf("no baseline in the result: %+v", b)
	}
	if len(b.Walls) != 2 || len(b.MeasuredWalls) != 2 || len(b.CPU) != 2 || len(b.MeasuredCPU) != 2 || b.PeakRSSKB <= 0 {
		t.Fatalf("baseline figures: %+v", b)
	}
	wins := 0
	for i := range b.Walls {
		if b.Walls[i] <= 0 || b.CPU[i] <= 0 || b.MeasuredCPU[i] <= 0 {
			t.Fatalf("round %d: baseline %v wall, %v CPU; measured %v CPU", i, b.Walls[i], b.CPU[i], b.MeasuredCPU[i])
		}
		if b.MeasuredWalls[i] < b.Walls[i] {
			wins++
		}
	}
	if b.Wins != wins || !slices.Contains(b.MeasuredWalls, res.Wall) {
		t.Fatalf("wins %d, want %d; reported wall %v not among %v", b.Wins, wins, res.Wall, b.MeasuredWalls)
	}
	var out strings.Builder
	res.Table(&out)
	if !strings.Contains(out.String(), "against "+bin+", in turns:") || !strings.Contains(out.String(), fmt.Sprintf("faster in %d of 2 rounds", wins)) {
		t.Fatalf("the table does not compare:\n%s", out.String())
	}
	checkSmoke(t, res, 5000)
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

// TestMergeProfilesFails: a profile pprof cannot read fails the merge with
// an error naming the merged file and pprof's complaint, and leaves no
// half-written file behind.
func TestMergeProfilesFails(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "run-1.pprof")
	if err := os.WriteFile(bad, []byte("not a profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "merged.pgo")
	err := mergeProfiles(context.Background(), dst, []string{bad})
	if err == nil || !strings.Contains(err.Error(), dst) || !strings.Contains(err.Error(), "run-1.pprof") {
		t.Fatalf("merge of a bad profile: %v", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("merged file left behind: %v", err)
	}
}
