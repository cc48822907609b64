package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmill/postmill/pipeline"
)

// TestRunWithDatabase keeps the ledger and IMb serials in PostgreSQL
// (--database-url): the ledger commands and two runs of the same file share
// them; the second run charges nothing again, and its barcodes use serials
// the first run did not.
func TestRunWithDatabase(t *testing.T) {
	db := migratedSchema(t, "dbrun")
	setupLedger(t, db)
	run := func() (string, pipeline.Report) {
		dir := t.TempDir()
		args := []string{"run", "../../testdata/afc/sample.csv", "--out", dir, "--database-url", db, "--state", t.TempDir(),
			"--quiet", "--account", "client", "--credit-type", "pc", "--rate-card", "../../stages/account/testdata/fixture-ratecard.json",
			"--mailer-id", "123456"}
		if _, stderr, code := runCLI(t, nil, args...); code != 0 {
			t.Fatalf("run: exit %d: %s", code, stderr)
		}
		return dir, readReport(t, dir)
	}
	first, rep1 := run()
	second, rep2 := run()
	charged := func(rep pipeline.Report) (float64, float64) {
		return section(t, rep.Sections, "account", "charged"), section(t, rep.Sections, "account", "already_charged")
	}
	c1, a1 := charged(rep1)
	c2, a2 := charged(rep2)
	if c1 == 0 || c1 != float64(rep1.Accepted) || a1 != 0 || c2 != 0 || a2 != c1 {
		t.Fatalf("first run charged %v (already %v) of %d accepted, second %v (already %v)", c1, a1, rep1.Accepted, c2, a2)
	}
	report, stderr, code := runCLI(t, nil, "ledger", "report", "--database-url", db)
	if code != 0 || !strings.Contains(report, "client") {
		t.Fatalf("ledger report: exit %d %s %s", code, report, stderr)
	}
	used := map[string]bool{}
	for _, dir := range []string{first, second} {
		recs := readCSV(t, filepath.Join(dir, "accepted.csv"))
		col := column(t, recs[0], "imb_tracking")
		for _, rec := range recs[1:] {
			if tr := rec[col]; tr != "" {
				if used[tr] {
					t.Fatalf("IMb tracking code %s issued twice across the runs", tr)
				}
				used[tr] = true
			}
		}
	}
	if len(used) == 0 {
		t.Fatal("no barcodes")
	}
}

// TestRunHistoryInDatabase: with --history and --database-url the dedupe
// history lives in PostgreSQL: a second run of the same file, with another
// --state, rejects as duplicate:history every piece the first one mailed
// and every in-run duplicate of one (history is checked first).
func TestRunHistoryInDatabase(t *testing.T) {
	ctx := context.Background()
	db := migratedSchema(t, "dbhist")
	run := func() pipeline.Report {
		dir := t.TempDir()
		args := []string{"run", "../../testdata/afc/sample.csv", "--out", dir, "--database-url", db, "--state", t.TempDir(),
			"--quiet", "--history", "--campaign", "spring"}
		if _, stderr, code := runCLI(t, nil, args...); code != 0 {
			t.Fatalf("run: exit %d: %s", code, stderr)
		}
		return readReport(t, dir)
	}
	first := run()
	second := run()
	want := first.Accepted + first.Reasons["duplicate:individual"]
	if first.Accepted == 0 || second.Accepted != 0 || second.Reasons["duplicate:history"] != want {
		t.Fatalf("first run accepted %d (%d in-run duplicates); second accepted %d with %d duplicate:history, want %d",
			first.Accepted, first.Reasons["duplicate:individual"], second.Accepted, second.Reasons["duplicate:history"], want)
	}
	var n int
	if err := cmdDB.Pool(t).QueryRow(ctx, "SELECT count(*) FROM dbhist.dedupe_history WHERE campaign = 'spring'").Scan(&n); err != nil || n == 0 {
		t.Fatalf("dedupe_history rows: %d, %v", n, err)
	}
}
