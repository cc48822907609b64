package main

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

const fixtureCard = "../../stages/account/testdata/fixture-ratecard.json"

// heldRun writes a run directory as postmill run with the account stage
// does: 4 pieces for client-a, which holds 1 credit, so 3 are held.
func heldRun(t *testing.T, state, out string) {
	t.Helper()
	for _, args := range [][]string{
		{"account", "--id", "agency", "--commission", "10"},
		{"account", "--id", "client-a", "--parent", "agency"},
		{"credit-type", "--id", "pc4x6", "--size", "postcard_4x6", "--class", "first_class", "--price", "0.90"},
		{"buy", "--account", "agency", "--credit-type", "pc4x6", "--count", "1"},
		{"distribute", "--from", "agency", "--to", "client-a", "--credit-type", "pc4x6", "--count", "1"},
	} {
		mustSub(t, nil, cmdLedger, append(args, "--state", state)...)
	}
	ctx := context.Background()
	l, err := openLedger(ctx, &env{stderr: os.Stderr}, &stateStore{dir: &state, url: new(string)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rc, err := loadRateCard(fixtureCard)
	if err != nil {
		t.Fatal(err)
	}
	st, err := account.New(account.Config{Ledger: l, Account: "client-a", CreditType: "pc4x6", RateCard: rc})
	if err != nil {
		t.Fatal(err)
	}
	j := pipelinetest.NewJob("presort_level")
	j.Campaign = "spring"
	j.Schema.Add(account.ColPostage) // as after Bind, so rows are full width
	j.Schema.Add(account.ColCreditType)
	sink, err := rundir.New(out, j, rundir.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b := pipelinetest.NewBatch(t, j, 0, 1,
		map[string]string{"first_name": "Ada", "presort_level": "5digit"},
		map[string]string{"first_name": "Bo", "presort_level": "aadc"},
		map[string]string{"first_name": "Cy", "presort_level": "international"},
		map[string]string{"first_name": "Di", "presort_level": "mixed"})
	rep, err := pipeline.Run(ctx, pipeline.Config{}, j, pipelinetest.Source(b), []pipeline.Step{{Name: "account", Stage: st, Serial: true}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := rundir.WriteReport(out, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Held != 3 {
		t.Fatalf("held %d", rep.Held)
	}
}

func TestReleaseCommand(t *testing.T) {
	state, out := t.TempDir(), t.TempDir()
	heldRun(t, state, out)
	vars := map[string]string{"POSTMILL_STATE": state, "POSTMILL_RATE_CARD": fixtureCard}

	// No credits yet: nothing moves.
	got := mustSub(t, vars, cmdRelease, "--out", out)
	if !strings.Contains(got, "released 0 of 3 pieces") || !strings.Contains(got, "still held:    3 (account client-a has 0 credits of pc4x6)") {
		t.Fatalf("release without credits:\n%s", got)
	}
	mustSub(t, vars, cmdLedger, "buy", "--account", "agency", "--credit-type", "pc4x6", "--count", "2")
	mustSub(t, vars, cmdLedger, "distribute", "--from", "agency", "--to", "client-a", "--credit-type", "pc4x6", "--count", "2")

	got = mustSub(t, vars, cmdRelease, "--out", out)
	want := "postmill release " + out + ": released 2 of 3 pieces held for insufficient credits (charged 2, already charged 0)\n" +
		"  released rows: " + filepath.Join(out, "released-1", "accepted.csv") + "\n" +
		"  postage 2.1230, margin booked 0.1800\n" +
		"  still held:    1 (account client-a has 0 credits of pc4x6)\n"
	if got != want {
		t.Fatalf("release:\n got %q\nwant %q", got, want)
	}
	acc, err := os.ReadFile(filepath.Join(out, "released-1", "accepted.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(acc)), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], ",2,,Bo,") || !strings.Contains(lines[1], ",aadc,0.4230,pc4x6") ||
		!strings.Contains(lines[2], ",3,,Cy,") || !strings.Contains(lines[2], ",international,1.7000,pc4x6") {
		t.Fatalf("released-1/accepted.csv:\n%s", acc)
	}
	held, _ := os.ReadFile(filepath.Join(out, "held.csv"))
	if hl := strings.Split(strings.TrimSpace(string(held)), "\n"); len(hl) != 2 || !strings.Contains(hl[1], ",4,held:insufficient_credits,") {
		t.Fatalf("held.csv:\n%s", held)
	}
	// The ledger shows the campaign from the run's report.json.
	rep := mustSub(t, vars, cmdLedger, "report")
	if !strings.Contains(rep, "client-a  spring    pc4x6        3 ") {
		t.Fatalf("ledger report:\n%s", rep)
	}
	if _, _, err := runSub(t, nil, cmdRelease); err == nil || !strings.Contains(err.Error(), "--out is required") {
		t.Fatalf("no --out: %v", err)
	}
}
