package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmill/postmill/formats/manifest"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// writeBatches writes two small batches with the manifest writer.
func writeBatches(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	job := pipelinetest.NewJob("batch_id", "sequence", "tray", "presort_level", "presort_dest")
	job.ID = "job-1"
	w, err := manifest.New(out, job, manifest.Config{Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	rows := []map[string]string{
		{"batch_id": "b-domestic", "sequence": "1", "tray": "1", "presort_level": "5digit", "presort_dest": "10001", "first_name": "Ada", "address_zip": "10001"},
		{"batch_id": "b-domestic", "sequence": "2", "tray": "2", "presort_level": "mixed", "presort_dest": "MXD", "first_name": "Grace", "address_zip": "60601"},
		{"batch_id": "b-international", "sequence": "1", "tray": "1", "presort_level": "international", "presort_dest": "INTL", "first_name": "Alan"},
	}
	b := pipelinetest.NewBatch(t, job, 0, 1, rows...)
	defer b.Release()
	if err := w.Add(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out
}

// verifyCLI runs cmdVerify (wired into commands() by the run's owner).
func verifyCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	err := cmdVerify(context.Background(), e, args)
	code := 0
	var ec exitCode
	switch {
	case err == nil:
	case errorsAs(err, &ec):
		code = int(ec)
	default:
		code = 1
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), code
}

func TestVerifyCommand(t *testing.T) {
	out := writeBatches(t)
	stdout, stderr, code := verifyCLI(t, out)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, stderr, stdout)
	}
	golden(t, "verify_ok.txt", []byte(stdout))

	// One batch directory on its own.
	stdout, _, code = verifyCLI(t, filepath.Join(out, "batches", "b-domestic"))
	if code != 0 || stdout != "ok    b-domestic  2 pieces, 1 files\n1 batches verified, 0 failed\n" {
		t.Fatalf("exit %d: %q", code, stdout)
	}

	// A changed byte fails with the batch named.
	p := filepath.Join(out, "batches", "b-domestic", "pieces.csv")
	data, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(data, []byte("Grace"), []byte("Grape"), 1), 0o644)
	stdout, _, code = verifyCLI(t, out)
	if code != 1 {
		t.Fatalf("exit %d after tampering", code)
	}
	golden(t, "verify_tampered.txt", []byte(stdout))

	// A pieces file wrong on every row: MaxProblems lines, then a count.
	var rows strings.Builder
	rows.WriteString(strings.SplitAfter(string(data), "\n")[0])
	for i := range 2 * manifest.MaxProblems {
		fmt.Fprintf(&rows, "p%d,%d,other,%d,1,5digit,10001\n", i, i+1, i+1)
	}
	os.WriteFile(p, []byte(rows.String()), 0o644)
	stdout, _, code = verifyCLI(t, filepath.Join(out, "batches", "b-domestic"))
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if code != 1 || len(lines) != manifest.MaxProblems+2 || !strings.HasPrefix(lines[manifest.MaxProblems], "FAIL  b-domestic  and ") ||
		!strings.HasSuffix(lines[manifest.MaxProblems], " more problems") {
		t.Fatalf("exit %d, %d lines; line %d %q", code, len(lines), manifest.MaxProblems, lines[min(manifest.MaxProblems, len(lines)-1)])
	}
}

func TestVerifyUsage(t *testing.T) {
	if _, _, code := verifyCLI(t); code != 1 {
		t.Errorf("no argument: exit %d", code)
	}
	_, stderr, code := verifyCLI(t, t.TempDir())
	if code != 1 || !strings.Contains(stderr, "neither a batch directory") {
		t.Errorf("empty dir: exit %d, %q", code, stderr)
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
	if err := cmdVerify(context.Background(), e, []string{"--help"}); err == nil || !strings.Contains(out.String(), "Example:\n  postmill verify out/") {
		t.Errorf("help: %v %q", err, out.String())
	}
}

func errorsAs(err error, target *exitCode) bool { return errors.As(err, target) }
