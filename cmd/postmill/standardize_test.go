package main

import (
	"bytes"
	"context"
	stdcsv "encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runStandardize runs `postmill standardize args...` in-process with stdin.
func runStandardize(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	err := cmdStandardize(context.Background(), e, args)
	return out.String(), errb.String(), err
}

// goldenFile compares got with path, or rewrites it with -update.
func goldenFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got: %s\nwant: %s", path, i+1, g, w)
			}
		}
	}
}

// checkWant checks each output row's address_status (or, for an invalid
// address, the reason that starts address_notes) against the input's want
// column, which states the rule's expected outcome independently of the
// expected file.
func checkWant(t *testing.T, out string) {
	t.Helper()
	recs, err := stdcsv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		want, status, notes := r[col["want"]], r[col["address_status"]], r[col["address_notes"]]
		got := status
		if status == "invalid" {
			got, _, _ = strings.Cut(notes, ";")
		}
		if got != want {
			t.Errorf("%s (%s): got %s (%s), want %s", r[col["id"]], r[col["rule"]], got, notes, want)
		}
	}
}

func TestStandardizeAddresses(t *testing.T) {
	dir := filepath.Join("testdata", "standardize")
	for _, tc := range []struct {
		name, input, expected string
		args                  []string
	}{
		{"rules", "addresses.csv", "addresses.expected.csv", nil},
		{"domestic_only", "domestic.csv", "domestic.expected.csv", []string{"--domestic-only"}},
		{"coa", "moves.input.csv", "moves.expected.csv", []string{"--coa", filepath.Join(dir, "moves.coa.csv")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--quiet", filepath.Join(dir, tc.input)}, tc.args...)
			out, stderr, err := runStandardize(t, "", args...)
			if err != nil {
				t.Fatalf("standardize: %v\n%s", err, stderr)
			}
			goldenFile(t, filepath.Join(dir, tc.expected), []byte(out))
			checkWant(t, out)
		})
	}
}

func TestStandardizeStdinAndIdempotent(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "standardize", "addresses.csv"))
	if err != nil {
		t.Fatal(err)
	}
	first, stderr, err := runStandardize(t, string(in), "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "standardize: ") || !strings.Contains(stderr, " corrected, ") {
		t.Errorf("no counts on stderr: %q", stderr)
	}
	// Standardizing the output again changes no standardized address and
	// adds no columns.
	second, _, err := runStandardize(t, first, "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := stdcsv.NewReader(strings.NewReader(first)).ReadAll()
	b, _ := stdcsv.NewReader(strings.NewReader(second)).ReadAll()
	if len(a) != len(b) || len(a[0]) != len(b[0]) {
		t.Fatalf("second pass: %d rows × %d columns, first %d × %d", len(b), len(b[0]), len(a), len(a[0]))
	}
	col := map[string]int{}
	for i, h := range a[0] {
		col[h] = i
	}
	for i := 1; i < len(a); i++ {
		if a[i][col["address_status"]] == "invalid" {
			continue
		}
		for _, c := range []string{"address_street", "address_street2", "address_city", "address_state", "address_zip", "address_zip4", "address_country"} {
			if a[i][col[c]] != b[i][col[c]] {
				t.Errorf("%s %s: %q then %q", a[i][0], c, a[i][col[c]], b[i][col[c]])
			}
		}
		if b[i][col["address_status"]] == "invalid" {
			t.Errorf("%s: valid once, invalid when standardized again: %s", a[i][0], b[i][col["address_notes"]])
		}
	}
}

func TestStandardizeUsage(t *testing.T) {
	out, _, err := runStandardize(t, "", "--help")
	if err == nil || !strings.Contains(out, "Example:\n  postmill standardize ") {
		t.Errorf("help: %v\n%s", err, out)
	}
	if _, _, err := runStandardize(t, "", "a.csv", "b.csv"); err == nil {
		t.Error("two files accepted")
	}
	if _, _, err := runStandardize(t, "", "testdata/standardize/nope.csv"); err == nil {
		t.Error("missing file accepted")
	}
	_, _, err = runStandardize(t, "", "--coa", "testdata/standardize/moves.bad.coa.csv", "testdata/standardize/addresses.csv")
	if err == nil || !strings.Contains(err.Error(), "moves.bad.coa.csv line 3") {
		t.Errorf("bad COA file: %v", err)
	}
	// A malformed record is reported and kept as an invalid row.
	out, stderr, err := runStandardize(t, "id,address_street,address_zip\n1,22 Harbor Rd,02108\n2,too,many,cells\n", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	want := "id,address_street,address_zip,address_zip4,address_status,address_notes\n" +
		"1,22 HARBOR RD,02108,,corrected,state_from_zip;city_from_zip\n" +
		",,,,invalid,malformed:column_count\n"
	if out != want || !strings.Contains(stderr, "line 3: malformed:column_count") {
		t.Errorf("got\n%s%s", out, stderr)
	}
}
