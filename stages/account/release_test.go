package account_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmill/postmill/formats/rundir"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/account"
)

func TestRelease(t *testing.T) {
	ctx := context.Background()
	l := fileLedger(t)
	setup(t, l, 2)
	dir := t.TempDir()
	j := job()
	sink, err := rundir.New(dir, j, rundir.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b := pipelinetest.NewBatch(t, j, 0, 1, rows(5, "5digit", "aadc")...)
	rep, err := pipeline.Run(ctx, pipeline.Config{}, j, pipelinetest.Source(b),
		[]pipeline.Step{{Name: "account", Stage: newStage(t, l), Serial: true}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 2 || rep.Held != 3 {
		t.Fatalf("run: accepted %d held %d", rep.Accepted, rep.Held)
	}
	// A row held for another reason stays held, in its place.
	held := filepath.Join(dir, "held.csv")
	data, _ := os.ReadFile(held)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	other := strings.Replace(lines[1], "held:insufficient_credits", "held:manual_review", 1)
	lines = append(lines[:2], append([]string{strings.Replace(other, lines[1][:16], "zzzzzzzzzzzzzzzz", 1)}, lines[2:]...)...)
	if err := os.WriteFile(held, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cfg := account.ReleaseConfig{Stage: account.Config{Ledger: l, Account: child, CreditType: creditType, RateCard: fixtureCard(t)}, Campaign: "camp"}
	// Nothing to pay with: nothing is released and held.csv keeps its rows.
	res, err := account.Release(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Considered != 3 || res.Released != 0 || res.StillHeld != 3 || res.OtherHeld != 1 || res.Dir != "" {
		t.Fatalf("release without credits %+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "released-1")); !os.IsNotExist(err) {
		t.Fatalf("released-1 exists: %v", err)
	}
	// Two credits arrive: rows 3 and 4 go (input order), row 5 stays.
	if _, err := l.Purchase(ctx, parent, creditType, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Distribute(ctx, parent, child, creditType, 2); err != nil {
		t.Fatal(err)
	}
	res, err = account.Release(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Considered != 3 || res.Released != 2 || res.StillHeld != 1 || res.OtherHeld != 1 || res.Dir != filepath.Join(dir, "released-1") ||
		res.Account.Charged != 2 || res.Account.PostageTotal.String() != "0.8240" {
		t.Fatalf("release %+v", res)
	}
	acc, err := os.ReadFile(filepath.Join(dir, "released-1", "accepted.csv"))
	if err != nil {
		t.Fatal(err)
	}
	accLines := strings.Split(strings.TrimSpace(string(acc)), "\n")
	if len(accLines) != 3 || !strings.HasPrefix(accLines[0], "piece_id,row,notes,first_name,") ||
		!strings.Contains(accLines[1], ",3,,P,") || !strings.Contains(accLines[1], "0.4010,pc4x6") ||
		!strings.Contains(accLines[2], ",4,,P,") || !strings.Contains(accLines[2], "0.4230,pc4x6") {
		t.Fatalf("released accepted.csv:\n%s", acc)
	}
	if _, err := os.Stat(filepath.Join(dir, "released-1", "report.json")); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(held)
	got := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(got) != 3 || got[0] != lines[0] || !strings.HasPrefix(got[1], "zzzzzzzzzzzzzzzz,3,held:manual_review,") ||
		!strings.Contains(got[2], ",5,held:insufficient_credits,account client-a has 0 credits of pc4x6,") {
		t.Fatalf("held.csv after release:\n%s", data)
	}
	// Replaying the release after more credits takes the last row into released-2.
	if _, err := l.Purchase(ctx, parent, creditType, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Distribute(ctx, parent, child, creditType, 1); err != nil {
		t.Fatal(err)
	}
	if res, err = account.Release(ctx, dir, cfg); err != nil || res.Released != 1 || res.Dir != filepath.Join(dir, "released-2") {
		t.Fatalf("second release %+v %v", res, err)
	}
	if charged, _ := usage(t, l); charged != 5 {
		t.Fatalf("ledger charged %d, want 5", charged)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}
