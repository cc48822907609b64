package job_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/internal/job"
	"github.com/postmill/postmill/pipeline"
)

// contacts writes a contact file of n rows and returns its path.
func contacts(t *testing.T, n int) string {
	var b strings.Builder
	b.WriteString("first_name,last_name,address_street,address_city,address_state,address_zip\n")
	for i := range n {
		fmt.Fprintf(&b, "Ada,Lovelace%d,1 Main St,Boston,MA,02108\n", i)
	}
	path := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func appendRow(t *testing.T, path string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	if _, err := f.WriteString("Grace,Hopper,1 Main St,New York,NY,10001\n"); err != nil {
		t.Error(err)
	}
}

// TestRunInputChanged: a job whose input changes after it was hashed, or
// while it is read, fails with input.ErrChanged and leaves no outputs —
// the piece ids would not belong to the rows read. Left alone, the same
// job succeeds with every row.
func TestRunInputChanged(t *testing.T) {
	const rows = 200_000 // far more batches than the links between steps hold
	for _, tc := range []struct {
		name string
		// fingerprint wraps input.Fingerprint; step runs on every batch.
		fingerprint func(t *testing.T, path string) (input.Print, error)
		step        func(t *testing.T, path string) pipeline.Stage
	}{
		{name: "unchanged"},
		{name: "appended after the fingerprint", fingerprint: func(t *testing.T, path string) (input.Print, error) {
			p, err := input.Fingerprint(path, input.Config{})
			appendRow(t, path)
			return p, err
		}},
		{name: "appended while read", step: func(t *testing.T, path string) pipeline.Stage {
			var once sync.Once
			return pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
				once.Do(func() { appendRow(t, path) })
				return nil
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := contacts(t, rows)
			spec := job.Spec{Input: path, OutDir: t.TempDir()}
			if tc.fingerprint != nil {
				spec.Fingerprint = func() (input.Print, error) { return tc.fingerprint(t, path) }
			}
			if tc.step != nil {
				spec.Steps = []pipeline.Step{{Name: "writer", Stage: tc.step(t, path), Serial: true}}
			}
			res, err := job.Run(context.Background(), spec, nil)
			left, _ := os.ReadDir(spec.OutDir)
			if tc.fingerprint == nil && tc.step == nil {
				if err != nil {
					t.Fatal(err)
				}
				if res.Report.RowsIn != rows {
					t.Fatalf("%d rows in, want %d", res.Report.RowsIn, rows)
				}
				return
			}
			if !errors.Is(err, input.ErrChanged) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v: want input.ErrChanged naming %s", err, path)
			}
			for _, e := range left {
				t.Errorf("output left behind: %s", e.Name())
			}
		})
	}
}
