package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/postmill/postmill/formats/manifest"
	"github.com/postmill/postmill/internal/flock"
	"github.com/postmill/postmill/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// runCLI runs the command line in-process and returns stdout, stderr and the
// exit code.
func runCLI(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env_{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code := mainExit(context.Background(), e.env(), args)
	return out.String(), errb.String(), code
}

type env_ struct {
	stdout, stderr *bytes.Buffer
	getenv         func(string) string
}

func (e *env_) env() *env {
	return &env{stdin: strings.NewReader(""), stdout: e.stdout, stderr: e.stderr, getenv: e.getenv}
}

// createdAt matches a manifest's creation time: the one thing two runs of
// the same job may write differently.
var createdAt = regexp.MustCompile(`"created_at": "[^"]*"`)

// sameOutputs fails the test for every file named (relative to the run
// directories, or every print batch file when none are named) that differs
// between runs a and b, created_at aside. It returns how many it compared.
func sameOutputs(t *testing.T, a, b string, rels ...string) int {
	t.Helper()
	if len(rels) == 0 {
		files, _ := filepath.Glob(filepath.Join(a, "batches", "*", "*"))
		for _, p := range files {
			rel, _ := filepath.Rel(a, p)
			rels = append(rels, rel)
		}
	}
	for _, rel := range rels {
		x, err := os.ReadFile(filepath.Join(a, rel))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Fatal(err)
		}
		if x, y = createdAt.ReplaceAll(x, nil), createdAt.ReplaceAll(y, nil); !bytes.Equal(x, y) {
			t.Errorf("%s differs between the two runs:\n%.600s\n---\n%.600s", rel, x, y)
		}
	}
	return len(rels)
}

// requireSameRun fails the test unless runs a and b wrote the same row files
// (accepted, rejects, held) and the same print batch files, at least two.
func requireSameRun(t *testing.T, a, b string) {
	t.Helper()
	if n := sameOutputs(t, a, b, "accepted.csv", "rejects.csv", "held.csv"); n != 3 {
		t.Fatalf("compared %d row files", n)
	}
	if n := sameOutputs(t, a, b); n < 2 {
		t.Fatalf("compared %d print batch files", n)
	}
}

// runSample runs postmill run on the sample AFC file into out, with extra
// flags and env, and fails the test unless it exits 0.
func runSample(t *testing.T, env map[string]string, out string, extra ...string) {
	t.Helper()
	args := append([]string{"run", "../../testdata/afc/sample.csv", "--out", out, "--quiet", "--progress", "never"}, extra...)
	if _, stderr, code := runCLI(t, env, args...); code != 0 {
		t.Fatalf("%v: exit %d: %s", extra, code, stderr)
	}
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
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
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// stableReport drops the fields that change from run to run (timings).
func stableReport(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"started_at", "finished_at", "wall_ms"} {
		delete(rep, k)
	}
	for _, s := range rep["stages"].([]any) {
		delete(s.(map[string]any), "busy_ms")
		delete(s.(map[string]any), "wall_ms")
	}
	out, _ := json.MarshalIndent(rep, "", "  ")
	return append(out, '\n')
}

func TestRunMessyExport(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/messy.csv", "--out", out, "--account", "acme", "--campaign", "spring")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "rows in               7\n") {
		t.Errorf("summary lacks the row count:\n%s", stdout)
	}
	for _, f := range []string{"accepted.csv", "rejects.csv", "held.csv"} {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "messy."+f, data)
	}
	golden(t, "messy.report.json", stableReport(t, filepath.Join(out, "report.json")))

	var rep pipeline.Report
	data, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if err := rep.Check(); err != nil {
		t.Fatal(err)
	}
	if rep.RowsIn != 7 || rep.Accepted != 4 || rep.Rejected != 3 ||
		rep.Reasons[pipeline.MalformedColumnCount] != 2 || rep.Reasons[pipeline.MalformedQuote] != 1 ||
		rep.Notes[pipeline.NoteDecodedCP1252] != 1 {
		t.Fatalf("report %+v", rep)
	}
}

// TestRunReplayStableIDs: the same file run twice gives the same piece ids;
// another campaign gives other ids.
func TestRunReplayStableIDs(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, run := range []struct{ dir, campaign string }{{a, "spring"}, {b, "spring"}, {c, "fall"}} {
		if _, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/sample.csv", "--out", run.dir, "--campaign", run.campaign, "--quiet"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	read := func(dir string) string {
		d, err := os.ReadFile(filepath.Join(dir, "accepted.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return string(d)
	}
	if read(a) != read(b) {
		t.Fatal("a replay produced different output")
	}
	if read(a) == read(c) {
		t.Fatal("another campaign produced the same piece ids")
	}
}

func TestRunEnvAndErrors(t *testing.T) {
	out := t.TempDir()
	// --out from the environment; flags after the file.
	_, stderr, code := runCLI(t, map[string]string{"POSTMILL_OUT": out}, "run", "../../testdata/afc/sample.csv", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "report.json")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no out", []string{"run", "x.csv"}, 2, "--out is required"},
		{"no file", []string{"run", "--out", out}, 2, "no input file"},
		{"missing file", []string{"run", "nope.csv", "--out", out}, 1, "nope.csv: no such file"},
		{"bad format", []string{"run", "x.csv", "--out", out, "--format", "xml"}, 2, `--format "xml"`},
		{"bad dedupe mode", []string{"run", "x.csv", "--out", out, "--dedupe", "fuzzy"}, 2, "--dedupe"},
		{"credit type without account", []string{"run", "x.csv", "--out", out, "--credit-type", "pc"}, 2, "--credit-type needs --account"},
		{"bad memory limit", []string{"run", "x.csv", "--out", out, "--memory-limit", "lots"}, 2, `--memory-limit "lots"`},
		{"remote stages without brokers", []string{"run", "../../testdata/afc/sample.csv", "--out", out, "--remote-stages", "validate"}, 2, "--remote-stages needs --brokers"},
		{"remote stage out of order", []string{"run", "../../testdata/afc/sample.csv", "--out", out, "--brokers", "127.0.0.1:1", "--remote-stages", "suppress"}, 2, "stage 1 of the chain is validate, not suppress"},
		{"more remote stages than the chain", []string{"run", "../../testdata/afc/sample.csv", "--out", out, "--brokers", "127.0.0.1:1", "--remote-stages", "validate,suppress,dedupe,batch,account,render"}, 2, "the chain has 5 stages"},
		{"missing suppression list", []string{"run", "../../testdata/afc/sample.csv", "--out", out, "--suppress", "nope.csv"}, 1, "nope.csv"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestHelpHasExample(t *testing.T) {
	for _, c := range commands() {
		stdout, _, code := runCLI(t, nil, c.name, "--help")
		if code != 0 || !strings.Contains(stdout, "Example:\n  postmill "+c.name) {
			t.Errorf("%s --help (exit %d) lacks an example:\n%s", c.name, code, stdout)
		}
	}
}

// TestREADMEReasons keeps the README's reason table in step with the
// registry.
func TestREADMEReasons(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	stdout, _, code := runCLI(t, nil, "reasons", "--markdown")
	if code != 0 {
		t.Fatal("reasons failed")
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if !strings.Contains(string(readme), line) {
			t.Errorf("README lacks %q; regenerate it with postmill reasons --markdown", line)
		}
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"512MiB": 512 << 20, "2GiB": 2 << 30, "1048576": 1 << 20, "0": 0, "64 KiB": 64 << 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1MiB", "5TB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

// TestRunSwitchesKeepOutputs: switches that change how a run works but
// never what it writes — direct I/O (turned off here from
// POSTMILL_DIRECT_IO, as the flag scheme allows), the heap on huge pages,
// the spare processor while presort flushes — give the default run's
// outputs when turned off, leave GOMAXPROCS as they found it, and a bad
// value is refused, naming the flag.
func TestRunSwitchesKeepOutputs(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	dir := t.TempDir()
	def := filepath.Join(dir, "default")
	runSample(t, nil, def) // the one that raises GOMAXPROCS while flushing
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Fatalf("GOMAXPROCS %d after the default run, want %d", got, procs)
	}
	for i, tc := range []struct {
		flag string
		env  map[string]string
		off  []string
		bad  [][]string
	}{
		{"direct-io", map[string]string{"POSTMILL_DIRECT_IO": "false"}, nil, [][]string{{"--direct-io=maybe"}}},
		{"huge-pages", nil, []string{"--huge-pages=false"}, [][]string{{"--huge-pages=maybe"}}},
		{"flush-extra-procs", nil, []string{"--flush-extra-procs", "0"},
			[][]string{{"--flush-extra-procs", "two"}, {"--flush-extra-procs", "-1"}}},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			out := filepath.Join(dir, fmt.Sprint(i))
			runSample(t, tc.env, out, tc.off...)
			requireSameRun(t, def, out)
			if got := runtime.GOMAXPROCS(0); got != procs {
				t.Fatalf("GOMAXPROCS %d after the run, want %d", got, procs)
			}
			for _, bad := range tc.bad {
				args := append([]string{"run", "../../testdata/afc/sample.csv", "--out", filepath.Join(dir, "bad")}, bad...)
				if _, stderr, code := runCLI(t, nil, args...); code == 0 || !strings.Contains(stderr, tc.flag) {
					t.Fatalf("exit %d for %v: %s", code, bad, stderr)
				}
			}
		})
	}
}

// TestRunSpillCompress: with presort spilling every 50 pieces, runs written
// plain (the default) and with --spill-compress give the same outputs, and
// the compressed runs take fewer bytes.
func TestRunSpillCompress(t *testing.T) {
	dir := t.TempDir()
	var spilled [2]int64
	for i, extra := range [][]string{nil, {"--spill-compress"}} {
		out := filepath.Join(dir, fmt.Sprint(i))
		args := append([]string{"run", "../../testdata/afc/sample.csv", "--out", out, "--quiet", "--progress", "never",
			"--presort-memory-rows", "50", "--spill-dir", t.TempDir()}, extra...)
		if _, stderr, code := runCLI(t, nil, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Sections struct {
				Batch struct {
					Runs         int   `json:"spilled_runs"`
					SpilledBytes int64 `json:"spilled_bytes"`
				} `json:"batch"`
			} `json:"sections"`
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Sections.Batch.Runs < 2 || rep.Sections.Batch.SpilledBytes == 0 {
			t.Fatalf("%v: spilled %+v", extra, rep.Sections.Batch)
		}
		spilled[i] = rep.Sections.Batch.SpilledBytes
	}
	if spilled[1] >= spilled[0] {
		t.Errorf("compressed runs: %d bytes, plain: %d", spilled[1], spilled[0])
	}
	requireSameRun(t, filepath.Join(dir, "0"), filepath.Join(dir, "1"))
}

// TestRunProfiles: --cpuprofile, --memprofile and --trace write a CPU
// profile, an allocation profile (gzipped protobufs) and an execution trace
// of the run; a path that cannot be created fails the command before any
// row is read.
func TestRunProfiles(t *testing.T) {
	dir := t.TempDir()
	prof, mem, tr := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof"), filepath.Join(dir, "run.trace")
	_, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/sample.csv", "--out", filepath.Join(dir, "out"),
		"--cpuprofile", prof, "--memprofile", mem, "--trace", tr, "--quiet", "--progress", "never")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for path, magic := range map[string]string{prof: "\x1f\x8b", mem: "\x1f\x8b", tr: "go 1."} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s starts %q, want %q", filepath.Base(path), b[:min(len(b), 8)], magic)
		}
	}
	out := filepath.Join(dir, "out2")
	_, stderr, code = runCLI(t, nil, "run", "../../testdata/afc/sample.csv", "--out", out,
		"--trace", filepath.Join(dir, "missing", "run.trace"), "--quiet", "--progress", "never")
	if code == 0 || !strings.Contains(stderr, "run.trace") {
		t.Fatalf("exit %d with a trace path that cannot be created: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "report.json")); err == nil {
		t.Fatal("the run went ahead without its trace")
	}
}

// TestRunCollectsBeforeLargeJobs: postmill run starts a job over an input
// of collectFrom bytes or more from a collected heap (see runOne), one
// forced collection per such job, and leaves small jobs alone. The
// huge-page reservation, which forces one too, is off here.
func TestRunCollectsBeforeLargeJobs(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/afc/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	header, rows, _ := bytes.Cut(sample, []byte("\n"))
	big := append(append([]byte(nil), header...), '\n')
	for len(big) < collectFrom {
		big = append(big, rows...)
	}
	large := filepath.Join(t.TempDir(), "large.csv")
	if err := os.WriteFile(large, big, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		files []string
		want  uint32
	}{
		{[]string{"../../testdata/afc/sample.csv", "../../testdata/afc/messy.csv"}, 0},
		{[]string{large, "../../testdata/afc/sample.csv"}, 1},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		args := append([]string{"run"}, tc.files...)
		args = append(args, "--out", t.TempDir(), "--quiet", "--progress", "never", "--huge-pages=false")
		if _, stderr, code := runCLI(t, nil, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.files, code, stderr)
		}
		runtime.ReadMemStats(&after)
		if n := after.NumForcedGC - before.NumForcedGC; n != tc.want {
			t.Errorf("%v: %d forced collections, want %d", tc.files, n, tc.want)
		}
	}
}

// TestRunFingerprint: a job's fingerprint (which fixes its piece ids) is
// sha256 of the input's content, hashed ahead of the job, or with
// --source-id that of the key; the same content under another name gives
// the same one.
func TestRunFingerprint(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/afc/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	renamed := filepath.Join(t.TempDir(), "renamed.csv")
	if err := os.WriteFile(renamed, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	content := sha256.Sum256(sample)
	key := sha256.Sum256([]byte("source-id:upload-42"))
	for _, tc := range []struct {
		name  string
		input string
		extra []string
		want  [32]byte
	}{
		{"content", "../../testdata/afc/sample.csv", nil, content},
		{"same content, other name", renamed, nil, content},
		{"source id", "../../testdata/afc/sample.csv", []string{"--source-id", "upload-42"}, key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"run", tc.input, "--out", out, "--quiet", "--progress", "never"}, tc.extra...)
			if _, stderr, code := runCLI(t, nil, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got, want := readReport(t, out).Job.Fingerprint, hex.EncodeToString(tc.want[:]); got != want {
				t.Fatalf("fingerprint %s, want %s", got, want)
			}
		})
	}
}

// TestOutputHeadersUnique: an input with columns named like the row's own
// (piece_id, row, notes — a re-run of an earlier accepted.csv, say) keeps
// them under other names, so no output header names two columns alike.
func TestOutputHeadersUnique(t *testing.T) {
	in := filepath.Join(t.TempDir(), "again.csv")
	data := "first_name,last_name,address_street,address_city,address_state,address_zip,piece_id,row,notes,reason,detail\n" +
		"Ada,Lovelace,1600 Pennsylvania Ave NW,Washington,DC,20500,old1,7,note:x,r,d\n"
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, stderr, code := runCLI(t, nil, "run", in, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pieces, _ := filepath.Glob(filepath.Join(out, "batches", "*", "pieces.csv"))
	for _, f := range append([]string{filepath.Join(out, "accepted.csv"), filepath.Join(out, "held.csv")}, pieces...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(string(b), "\n")
		seen := map[string]bool{}
		for _, name := range strings.Split(header, ",") {
			if seen[name] {
				t.Errorf("%s: column %q twice in %q", filepath.Base(f), name, header)
			}
			seen[name] = true
		}
		if filepath.Base(f) == "accepted.csv" && !strings.Contains(header, "input_piece_id,input_row,input_notes,input_reason,input_detail") {
			t.Errorf("accepted.csv header %q: want the input's own columns kept as input_*", header)
		}
	}
	if len(pieces) == 0 {
		t.Fatal("no pieces.csv written")
	}
}

func TestOutDirs(t *testing.T) {
	tests := []struct {
		files, want []string
	}{
		{[]string{"a/x.csv", "b/x.csv"}, []string{"x", "x-2"}},
		{[]string{"s.csv.gz", "sample.csv", "t.jsonl.zst"}, []string{"s", "sample", "t"}},
		{[]string{"x.csv", "x.csv.gz", "x.parquet"}, []string{"x", "x-2", "x-3"}},
		{[]string{"x-2.csv", "x.csv", "b/x.csv"}, []string{"x-2", "x", "x-3"}},
		{[]string{"-", "in.tsv"}, []string{"stdin", "in"}},
		{[]string{".csv", "noext"}, []string{"input", "noext"}},
	}
	for _, tt := range tests {
		if got := outDirs(tt.files); !slices.Equal(got, tt.want) {
			t.Errorf("outDirs(%q) = %q, want %q", tt.files, got, tt.want)
		}
	}
}

// TestRunFilesNamedAlike: two input files of one name in different
// directories each keep their outputs (the second used to replace the
// first's).
func TestRunFilesNamedAlike(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/afc/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	header, rest, _ := bytes.Cut(sample, []byte("\n"))
	lines := bytes.SplitAfter(rest, []byte("\n"))
	a, b := filepath.Join(t.TempDir(), "x.csv"), filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(a, sample, 0o644)
	os.WriteFile(b, append(append(header, '\n'), bytes.Join(lines[:3], nil)...), 0o644)
	out := t.TempDir()
	if _, stderr, code := runCLI(t, nil, "run", a, b, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for dir, want := range map[string]int64{"x": int64(bytes.Count(rest, []byte("\n"))), "x-2": 3} {
		raw, err := os.ReadFile(filepath.Join(out, dir, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			RowsIn int64 `json:"rows_in"`
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.RowsIn != want {
			t.Errorf("%s: %d rows in, want %d", dir, rep.RowsIn, want)
		}
	}
}

// TestRunOutputDirectoryReplaced: a run into a directory that holds an
// earlier run's outputs replaces them, batches included (a batch the new
// run does not write would be delivered with its pieces a second time),
// and refuses when a batch there records a delivery, which rewriting would
// erase.
func TestRunOutputDirectoryReplaced(t *testing.T) {
	out := t.TempDir()
	run := func(extra ...string) (string, int) {
		_, stderr, code := runCLI(t, nil, append([]string{"run", "../../testdata/afc/sample.csv", "--out", out, "--quiet"}, extra...)...)
		return stderr, code
	}
	batches := func() []string {
		entries, err := os.ReadDir(filepath.Join(out, "batches"))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range entries {
			ids = append(ids, e.Name())
		}
		return ids
	}
	if stderr, code := run(); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first := batches()
	if stderr, code := run("--mail-class", "marketing"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	second := batches()
	if len(first) != 1 || len(second) != 1 || first[0] == second[0] || !strings.Contains(second[0], "-marketing-") {
		t.Fatalf("batches %q, then %q: want the marketing run's batch alone", first, second)
	}

	// Delivered: the next run is refused and the record kept.
	dir := filepath.Join(out, "batches", second[0])
	if err := manifest.AppendDelivery(dir, manifest.Delivery{Vendor: "acme", Host: "sftp.example:22", RemoteDir: "/in", Files: []string{"pieces.csv"}}); err != nil {
		t.Fatal(err)
	}
	stderr, code := run()
	if code == 0 || !strings.Contains(stderr, "holds batches already delivered ("+second[0]+")") || !strings.Contains(stderr, "write it to a new directory") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m, err := manifest.Read(dir)
	if err != nil || len(m.Deliveries) != 1 || !slices.Equal(batches(), second) {
		t.Fatalf("after the refused run: %v, %+v, batches %q", err, m.Deliveries, batches())
	}
}

// TestRunSameContentTwice: a file given twice, or two files of the same
// content, would produce the same piece ids twice: the second is skipped
// with a message, the others run, and the exit code says so. --source-id
// (which replaces the content in the ids) takes one file only.
func TestRunSameContentTwice(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/afc/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	copyOf := filepath.Join(t.TempDir(), "copy.csv")
	os.WriteFile(copyOf, sample, 0o644)
	out := t.TempDir()
	_, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/sample.csv", "../../testdata/afc/messy.csv", copyOf, "--out", out, "--quiet")
	if code != 1 || !strings.Contains(stderr, copyOf+": the same content as ../../testdata/afc/sample.csv") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for dir, want := range map[string]bool{"sample": true, "messy": true, "copy": false} {
		if _, err := os.Stat(filepath.Join(out, dir, "report.json")); (err == nil) != want {
			t.Errorf("%s/report.json: %v, want written=%v", dir, err, want)
		}
	}

	_, stderr, code = runCLI(t, nil, "run", "../../testdata/afc/sample.csv", "../../testdata/afc/messy.csv", "--out", t.TempDir(), "--source-id", "upload-1")
	if code != 2 || !strings.Contains(stderr, "--source-id names one input: give one file with it, not 2") {
		t.Fatalf("--source-id with two files: exit %d: %s", code, stderr)
	}
}

// TestRunOutputLocked: while a process holds an output directory (here the
// lock, as a running postmill holds it), a run, a release or a deliver of
// it stops at once, saying so, and writes nothing there.
func TestRunOutputLocked(t *testing.T) {
	out := t.TempDir()
	f, err := flock.TryLock(filepath.Join(out, outLock))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// deliver is refused before it connects anywhere.
	os.MkdirAll(filepath.Join(out, "batches"), 0o755)
	for _, args := range [][]string{
		{"run", "../../testdata/afc/sample.csv", "--out", out, "--quiet"},
		{"release", "--out", out},
		{"deliver", out, "--sftp", "127.0.0.1:1", "--user", "u", "--password-env", "PW", "--insecure-ignore-host-key"},
	} {
		_, stderr, code := runCLI(t, map[string]string{"PW": "secret"}, args...)
		if code == 0 || !strings.Contains(stderr, out+": another postmill run, release or deliver is using it") {
			t.Errorf("%s: exit %d: %s", args[0], code, stderr)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 2 {
		t.Errorf("%d entries in the locked directory, want the lock file and batches/ alone", len(entries))
	}
	f.Close()
	if _, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/sample.csv", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("after the lock is released: exit %d: %s", code, stderr)
	}
}
