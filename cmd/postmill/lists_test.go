package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/postmill/postmill/pipeline"
)

func readReport(t *testing.T, dir string) pipeline.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep pipeline.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if err := rep.Check(); err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestRunSuppressDedupeHistory: lists and dedupe work from the command line
// on standardized addresses, and a replay with history rejects everyone
// already mailed.
func TestRunSuppressDedupeHistory(t *testing.T) {
	state := t.TempDir()
	args := func(out string, extra ...string) []string {
		return append([]string{"run", "../../testdata/afc/lists-demo.csv", "--out", out, "--quiet",
			"--suppress", "../../testdata/lists/suppress-email.csv",
			"--suppress", "../../testdata/lists/suppress-address.csv",
			"--history", "--state", state}, extra...)
	}
	first := t.TempDir()
	if _, stderr, code := runCLI(t, nil, args(first)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := readReport(t, first)
	want := pipeline.Counts{
		pipeline.DuplicateFamily.With("individual"): 1, // row 2: Ada again, other formatting
		pipeline.Suppressed.With("account:email"):   1, // row 4: email in another case
		pipeline.Suppressed.With("account:address"): 1, // row 5: "22 Harbor Road" vs "22 HARBOR RD"
	}
	if rep.Accepted != 3 || len(rep.Reasons) != len(want) {
		t.Fatalf("accepted %d reasons %v, want 3 and %v", rep.Accepted, rep.Reasons, want)
	}
	for k, n := range want {
		if rep.Reasons[k] != n {
			t.Errorf("%s: %d, want %d", k, rep.Reasons[k], n)
		}
	}
	// The replay rejects the three people mailed by the first run: all four
	// of their rows (Ada's second row is her again).
	second := t.TempDir()
	if _, stderr, code := runCLI(t, nil, args(second)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep = readReport(t, second)
	if rep.Accepted != 0 || rep.Reasons[pipeline.DuplicateFamily.With("history")] != 4 {
		t.Fatalf("replay: accepted %d, reasons %v", rep.Accepted, rep.Reasons)
	}
	// Household mode also drops Charles, a Lovelace at the same address.
	third := t.TempDir()
	if _, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/lists-demo.csv", "--out", third, "--quiet", "--dedupe", "household"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if rep = readReport(t, third); rep.Reasons[pipeline.DuplicateFamily.With("household")] != 2 {
		t.Fatalf("household: %v", rep.Reasons)
	}
}

func TestRunBadSuppressionListStopsBeforeRows(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("email\nok@example.com\nnot an email\n"), 0o644)
	out := filepath.Join(dir, "out")
	_, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/lists-demo.csv", "--out", out, "--suppress", bad)
	if code == 0 || !containsAll(stderr, "bad.csv", "line 3") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "accepted.csv")); !os.IsNotExist(err) {
		t.Fatalf("rows were processed despite a bad list: %v", err)
	}
}
