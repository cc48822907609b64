package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/postmill/postmill/pipeline/kafka"
)

// kafkaBrokers starts an in-process Kafka-protocol broker for the test and
// returns its address list, comma-separated.
func kafkaBrokers(t *testing.T) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return strings.Join(c.ListenAddrs(), ",")
}

// migratedSchema creates schema in the package's test database, migrates
// it with postmill migrate, and returns a URL whose tables live there.
func migratedSchema(t *testing.T, schema string) string {
	t.Helper()
	if _, err := cmdDB.Pool(t).Exec(context.Background(), "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		t.Fatal(err)
	}
	db, sep := cmdDB.URL(t), "?"
	if strings.Contains(db, "?") {
		sep = "&"
	}
	db += sep + "search_path=" + schema
	if _, stderr, code := runCLI(t, nil, "migrate", "--database-url", db); code != 0 {
		t.Fatalf("migrate %s: %s", schema, stderr)
	}
	return db
}

// setupLedger gives account client 25,000 postcard credits in state (a
// directory, or "postgres://…" for a database).
func setupLedger(t *testing.T, state string) { setupCredits(t, state, 25000) }

// setupCredits gives account client n postcard credits in state.
func setupCredits(t *testing.T, state string, n int) {
	t.Helper()
	where := []string{"--state", state}
	if strings.HasPrefix(state, "postgres") {
		where = []string{"--database-url", state}
	}
	for _, args := range [][]string{
		{"ledger", "account", "--id", "agency", "--commission", "10"},
		{"ledger", "account", "--id", "client", "--parent", "agency"},
		{"ledger", "credit-type", "--id", "pc", "--stock", "x", "--size", "postcard_4x6", "--class", "first_class", "--price", "0.90"},
		{"ledger", "buy", "--account", "agency", "--credit-type", "pc", "--count", strconv.Itoa(n)},
		{"ledger", "distribute", "--from", "agency", "--to", "client", "--credit-type", "pc", "--count", strconv.Itoa(n)},
	} {
		if _, stderr, code := runCLI(t, nil, append(args, where...)...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
}

// TestRunDistributedEquivalent runs every stage as three `postmill worker`s
// (validate, suppress, dedupe, render, batch, account; the keyed ones get
// rows split by their key) against an in-process Kafka-protocol broker, and
// checks that a 20,000-row generated job with duplicates, suppression hits,
// moves, invalid and foreign addresses gives the same print batches
// (byte for byte), the same accepted, rejected and held rows, the same
// ledger and the same stage counts as the in-process run.
func TestRunDistributedEquivalent(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 rows through 18 workers")
	}
	brokers := kafkaBrokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	data := t.TempDir()
	if _, stderr, code := runCLI(t, nil, "gen", "--rows", "20000", "--seed", "7", "--out", data); code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	input := filepath.Join(data, "contacts.csv")
	common := map[string]string{
		"POSTMILL_SUPPRESS":       filepath.Join(data, "suppress-email.csv"),
		"POSTMILL_COA":            filepath.Join(data, "coa.csv"),
		"POSTMILL_TEMPLATE_FRONT": "../../testdata/templates/front.html",
		"POSTMILL_MAILER_ID":      "123456",
		"POSTMILL_ACCOUNT":        "client",
		"POSTMILL_CREDIT_TYPE":    "pc",
		"POSTMILL_RATE_CARD":      "../../stages/account/testdata/fixture-ratecard.json",
	}

	// The workers: one process's worth of configuration, three members of
	// each stage's group.
	workerState := t.TempDir()
	setupLedger(t, workerState)
	wenv := map[string]string{"POSTMILL_STATE": workerState, "POSTMILL_SPILL_DIR": t.TempDir()}
	for k, v := range common {
		wenv[k] = v
	}
	var out, errb bytes.Buffer
	e := &env_{stdout: &out, stderr: &errb, getenv: func(k string) string { return wenv[k] }}
	factory, closeStages := stageByName(ctx, e.env())
	kcfg := kafka.Config{Brokers: strings.Split(brokers, ","), Prefix: "dist", Partitions: 3}
	chain := []string{"validate", "suppress", "dedupe", "render", "batch", "account", kafka.SinkBoundary}
	wctx, stopWorkers := context.WithCancel(ctx)
	errs := make(chan error, 3*(len(chain)-1))
	for i, stage := range chain[:len(chain)-1] {
		wk, err := workerFor(factory, stage, chain[i+1], false)
		if err != nil {
			t.Fatal(err)
		}
		if keyedStages[stage] != wk.Keyed || keyedStages[chain[i+1]] != (wk.NextKey != nil) {
			t.Fatalf("worker %s: keyed %v, splits for the next %v", stage, wk.Keyed, wk.NextKey != nil)
		}
		for range 3 {
			go func() { errs <- wk.Run(wctx, kcfg) }()
		}
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		stopWorkers()
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Errorf("worker: %v", err)
			}
		}
		closeStages()
	}
	defer stop()

	run := func(state string, extra ...string) string {
		dir := t.TempDir()
		setupLedger(t, state)
		args := append([]string{"run", input, "--out", dir, "--state", state, "--quiet"}, extra...)
		if _, stderr, code := runCLI(t, common, args...); code != 0 {
			t.Fatalf("run %v: exit %d: %s", extra, code, stderr)
		}
		return dir
	}
	localState := t.TempDir()
	local := run(localState)
	remote := run(t.TempDir(), "--brokers", brokers, "--prefix", "dist", "--partitions", "3",
		"--remote-stages", strings.Join(chain[:len(chain)-1], ","))

	// Print batches: byte for byte.
	if n := sameOutputs(t, local, remote); n < 4 {
		t.Fatalf("the in-process run wrote %d batch files, want a domestic and a foreign batch", n)
	}
	// Row outputs: the same rows; the distributed run's arrive in another
	// order (rejects come straight from the stage that rejected them).
	for _, name := range []string{"accepted.csv", "rejects.csv", "held.csv"} {
		a, b := sortedLines(t, filepath.Join(local, name)), sortedLines(t, filepath.Join(remote, name))
		if !slices.Equal(a, b) {
			t.Errorf("%s: %d lines in-process, %d distributed, or different content", name, len(a), len(b))
		}
	}
	lrep, rrep := readReport(t, local), readReport(t, remote)
	if lrep.RowsIn != 20000 || rrep.RowsIn != lrep.RowsIn || rrep.Accepted != lrep.Accepted ||
		rrep.Rejected != lrep.Rejected || rrep.Held != lrep.Held || !mapsEqual(lrep.Reasons, rrep.Reasons) {
		t.Errorf("reports differ: in-process %d in, %d accepted, %d rejected, %d held %v; distributed %d, %d, %d, %d %v",
			lrep.RowsIn, lrep.Accepted, lrep.Rejected, lrep.Held, lrep.Reasons,
			rrep.RowsIn, rrep.Accepted, rrep.Rejected, rrep.Held, rrep.Reasons)
	}
	if lrep.Reasons["duplicate:individual"] == 0 {
		t.Fatalf("the generated job has no duplicates: %v", lrep.Reasons)
	}
	// The keyed stages' own counts come back through the end markers.
	for _, sec := range []struct{ stage, field string }{{"dedupe", "kept"}, {"account", "charged"}, {"account", "credits_used"}} {
		a, b := section(t, lrep.Sections, sec.stage, sec.field), section(t, rrep.Sections, sec.stage, sec.field)
		if a == 0 || a != b {
			t.Errorf("section %s.%s: in-process %v, distributed %v", sec.stage, sec.field, a, b)
		}
	}
	// The same ledger: every piece charged once, the same pieces. The
	// workers hold the ledger open until they stop.
	stop()
	a, _, _ := runCLI(t, nil, "ledger", "report", "--state", localState)
	b, _, _ := runCLI(t, nil, "ledger", "report", "--state", workerState)
	if a != b || !strings.Contains(a, "client") {
		t.Errorf("ledger reports differ:\n%s\n---\n%s", a, b)
	}
}

func sortedLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	slices.Sort(lines[1:]) // the header stays first
	return lines
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// section reads a number from a report section, whatever type it was
// decoded into.
func section(t *testing.T, secs map[string]any, stage, field string) float64 {
	t.Helper()
	raw, err := json.Marshal(secs[stage])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("section %s: %v (%s)", stage, err, raw)
	}
	v, _ := m[field].(float64)
	return v
}

// killRows sizes TestDistributedWorkersKilled's job: 200,000 rows, about 40
// s on two cores; -short runs 20,000.
var killRows = flag.Int("kill-rows", 200000, "rows of TestDistributedWorkersKilled's job (-short: 20,000)")

// TestDistributedWorkersKilled runs a 200,000-row job (-kill-rows) through three
// workers per stage while killing a random worker (any stage, keyed or not:
// in-process cancel, so it leaves its group) 20 times and starting a new one
// in its place. The result must equal the in-process run's: the same
// accepted, rejected and held rows, the same pieces in each print batch in
// the same order, and one debit per piece. Credits cover nine tenths of the
// rows, so the last pieces in presort order are held for credits, and must
// be the same ones. Only the IMb serials may differ
// (a presort worker killed mid-flush is replaced by one that reserves new
// serials), and they must stay unique.
func TestDistributedWorkersKilled(t *testing.T) {
	if testing.Short() && *killRows > 20000 {
		*killRows = 20000
	}
	brokers := kafkaBrokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	data := t.TempDir()
	if _, stderr, code := runCLI(t, nil, "gen", "--rows", strconv.Itoa(*killRows), "--seed", "11", "--out", data); code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	input := filepath.Join(data, "contacts.csv")
	common := map[string]string{
		"POSTMILL_SUPPRESS":       filepath.Join(data, "suppress-email.csv"),
		"POSTMILL_MAILER_ID":      "123456",
		"POSTMILL_ACCOUNT":        "client",
		"POSTMILL_CREDIT_TYPE":    "pc",
		"POSTMILL_RATE_CARD":      "../../stages/account/testdata/fixture-ratecard.json",
		"POSTMILL_BATCH_ROWS":     "500",
		"POSTMILL_TEMPLATE_FRONT": "../../testdata/templates/front.html",
	}
	// The workers keep the ledger and the IMb serials in PostgreSQL, as
	// worker processes on several machines would: a schema of its own in
	// the package's test database.
	db := migratedSchema(t, "killtest")
	setupCredits(t, db, *killRows*9/10)
	wenv := map[string]string{"POSTMILL_STATE": t.TempDir(), "POSTMILL_DATABASE_URL": db, "POSTMILL_SPILL_DIR": t.TempDir()}
	for k, v := range common {
		wenv[k] = v
	}
	var out, errb bytes.Buffer
	e := &env_{stdout: &out, stderr: &errb, getenv: func(k string) string { return wenv[k] }}
	factory, closeStages := stageByName(ctx, e.env())
	defer closeStages()
	kcfg := kafka.Config{Brokers: strings.Split(brokers, ","), Prefix: "kill", Partitions: 3}
	chain := []string{"validate", "suppress", "dedupe", "render", "batch", "account", kafka.SinkBoundary}

	type slot struct {
		wk   kafka.Worker
		stop context.CancelFunc
		errc chan error
	}
	start := func(s *slot) {
		wctx, stop := context.WithCancel(ctx)
		errc, wk := make(chan error, 1), s.wk
		s.stop, s.errc = stop, errc
		go func() { errc <- wk.Run(wctx, kcfg) }()
	}
	var slots []*slot
	for i, stage := range chain[:len(chain)-1] {
		wk, err := workerFor(factory, stage, chain[i+1], false)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			s := &slot{wk: wk}
			start(s)
			slots = append(slots, s)
		}
	}
	// A killed worker leaves its group in the background while its
	// successor joins; both must end without an error.
	var stopped []*slot
	kill := func(s *slot) {
		s.stop()
		stopped = append(stopped, &slot{wk: s.wk, errc: s.errc})
	}
	reap := func() {
		for _, s := range stopped {
			if err := <-s.errc; err != nil {
				t.Errorf("worker %s: %v", s.wk.Step.Name, err)
			}
		}
		stopped = nil
	}
	defer func() {
		for _, s := range slots {
			kill(s)
		}
		reap()
	}()

	run := func(state string, extra ...string) string {
		dir := t.TempDir()
		setupCredits(t, state, *killRows*9/10)
		args := append([]string{"run", input, "--out", dir, "--state", state, "--quiet"}, extra...)
		if _, stderr, code := runCLI(t, common, args...); code != 0 {
			t.Errorf("run %v: exit %d: %s", extra, code, stderr)
		}
		return dir
	}
	localState := t.TempDir()
	t0 := time.Now()
	local := run(localState)
	localWall := time.Since(t0)

	done := make(chan string, 1)
	go func() {
		done <- run(t.TempDir(), "--brokers", brokers, "--prefix", "kill", "--partitions", "3",
			"--remote-stages", strings.Join(chain[:len(chain)-1], ","))
	}()
	rng := rand.New(rand.NewPCG(3, 4))
	kills := 0
	var remote string
	// Spread the kills over the job. Its pace follows the host's: the same
	// job in-process, just run, takes a fraction of the distributed one
	// (every hop over Kafka, workers killed), so kills a third of that apart
	// land well inside it on a slow host and a fast one alike (a fixed
	// 60 ms per 20,000 rows let a fast host finish after 9).
	tick := time.NewTicker(max(localWall/3, 20*time.Millisecond))
	defer tick.Stop()
wait:
	for {
		select {
		case remote = <-done:
			break wait
		case <-tick.C:
			if kills == 20 {
				continue
			}
			s := slots[rng.IntN(len(slots))]
			kill(s)
			start(s)
			kills++
		}
	}
	if kills < 20 {
		t.Logf("the job ended after %d kills", kills)
	}
	if kills < 10 {
		t.Fatalf("only %d kills landed during the job", kills)
	}

	lrep, rrep := readReport(t, local), readReport(t, remote)
	if rrep.RowsIn != int64(*killRows) || rrep.Accepted != lrep.Accepted || rrep.Rejected != lrep.Rejected ||
		rrep.Held != lrep.Held || !mapsEqual(lrep.Reasons, rrep.Reasons) {
		t.Fatalf("reports differ: in-process %d in, %d accepted, %d rejected, %d held %v; with kills %d, %d, %d, %d %v",
			lrep.RowsIn, lrep.Accepted, lrep.Rejected, lrep.Held, lrep.Reasons,
			rrep.RowsIn, rrep.Accepted, rrep.Rejected, rrep.Held, rrep.Reasons)
	}
	if a, b := sortedLines(t, filepath.Join(local, "rejects.csv")), sortedLines(t, filepath.Join(remote, "rejects.csv")); !slices.Equal(a, b) {
		t.Errorf("rejects.csv differs")
	}
	// Held pieces were barcoded by presort before account held them, so,
	// like accepted ones, they carry serials from whichever blocks the
	// batch workers reserved: a worker killed after reserving leaves a gap.
	for _, name := range []string{"accepted.csv", "held.csv"} {
		la, ra := withoutIMb(t, filepath.Join(local, name)), withoutIMb(t, filepath.Join(remote, name))
		slices.Sort(la[1:])
		slices.Sort(ra[1:])
		if !slices.Equal(la, ra) {
			t.Errorf("%s: %d rows in-process, %d with kills, or different rows", name, len(la), len(ra))
		}
	}
	pieces, _ := filepath.Glob(filepath.Join(local, "batches", "*", "pieces.csv"))
	if len(pieces) == 0 {
		t.Fatal("no print batches")
	}
	for _, p := range pieces {
		rel, _ := filepath.Rel(local, p)
		if a, b := withoutIMb(t, p), withoutIMb(t, filepath.Join(remote, rel)); !slices.Equal(a, b) {
			t.Errorf("%s: the pieces or their order differ (%d and %d lines)", rel, len(a), len(b))
		}
	}
	// IMb serials stay unique.
	seen := map[string]bool{}
	recs := readCSV(t, filepath.Join(remote, "accepted.csv"))
	col := column(t, recs[0], "imb_tracking")
	for _, rec := range recs[1:] {
		tr := rec[col]
		if tr != "" && seen[tr] {
			t.Fatalf("IMb tracking code %s used twice", tr)
		}
		seen[tr] = true
	}
	for _, s := range slots {
		kill(s)
	}
	slots = nil
	reap()
	closeStages()
	a, _, _ := runCLI(t, nil, "ledger", "report", "--state", localState)
	b, _, _ := runCLI(t, nil, "ledger", "report", "--database-url", db)
	if a != b || !strings.Contains(a, "client") {
		t.Errorf("ledger reports differ (file ledger of the in-process run, PostgreSQL ledger of the workers):\n%s\n---\n%s", a, b)
	}
	if rrep.Held == 0 || rrep.Accepted == 0 {
		t.Errorf("%d accepted, %d held: the credits should run out near the end", rrep.Accepted, rrep.Held)
	}
	t.Logf("%d kills; %d rows, %d accepted, %d held for credits", kills, rrep.RowsIn, rrep.Accepted, rrep.Held)
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %s in %v", name, header)
	}
	return i
}

// withoutIMb returns a CSV file's records as lines with the imb and
// imb_tracking columns blanked.
func withoutIMb(t *testing.T, path string) []string {
	t.Helper()
	recs := readCSV(t, path)
	cols := []int{column(t, recs[0], "imb"), column(t, recs[0], "imb_tracking")}
	lines := make([]string, len(recs))
	for i, rec := range recs {
		if i > 0 {
			for _, c := range cols {
				rec[c] = ""
			}
		}
		lines[i] = strings.Join(rec, "\x1f")
	}
	return lines
}
