package rundir

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmill/postmill/formats/parquet"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

func batch(t *testing.T, job *pipeline.Job) *pipeline.Batch {
	b := pipelinetest.NewBatch(t, job, 0, 1,
		map[string]string{"first_name": "Ada", "address_zip": "02108"},
		map[string]string{"first_name": "Bad, \"quoted\""},
		map[string]string{"first_name": "Grace"},
		map[string]string{"first_name": "Held"},
	)
	// As the engine leaves it: rejects from two stages, out of row order.
	b.Rows[2].Reject(pipeline.MalformedQuote, "late stage")
	b.Rows[1].Reject(pipeline.MalformedColumnCount, "2 cells")
	b.Rows[1].Raw = []byte(`Bad,"quoted`)
	b.Rows[3].Hold(pipeline.HeldInsufficient, "acct")
	b.Done = append(b.Done, b.Rows[2], b.Rows[3], b.Rows[1])
	b.Rows = b.Rows[:1]
	return b
}

func readCSV(t *testing.T, path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSinkWritesEveryRowOnce(t *testing.T) {
	dir := t.TempDir()
	job := pipelinetest.NewJob("tier")
	s, err := New(dir, job, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Write(ctx, batch(t, job)); err != nil {
		t.Fatal(err)
	}
	// Nothing under a final name before Close.
	if _, err := os.Stat(filepath.Join(dir, AcceptedCSV)); !os.IsNotExist(err) {
		t.Fatalf("accepted.csv exists before Close: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	acc := readCSV(t, filepath.Join(dir, AcceptedCSV))
	if len(acc) != 2 || acc[1][1] != "1" || acc[1][3] != "Ada" || strings.Join(acc[0][:4], ",") != "piece_id,row,notes,first_name" {
		t.Fatalf("accepted %q", acc)
	}
	if acc[0][len(acc[0])-1] != "tier" {
		t.Fatalf("extra column missing from header %q", acc[0])
	}
	rej := readCSV(t, filepath.Join(dir, RejectsCSV))
	if len(rej) != 3 || rej[1][0] != "2" || rej[1][3] != string(pipeline.MalformedColumnCount) || rej[1][5] != `Bad,"quoted` ||
		rej[2][0] != "3" || rej[2][3] != string(pipeline.MalformedQuote) || !strings.HasPrefix(rej[2][5], "Grace") {
		t.Fatalf("rejects (sorted by row, raw or fields) %q", rej)
	}
	held := readCSV(t, filepath.Join(dir, HeldCSV))
	if len(held) != 2 || held[1][1] != "4" || held[1][2] != string(pipeline.HeldInsufficient) || held[1][4] != "Held" {
		t.Fatalf("held %q", held)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("temporary file %s left behind", e.Name())
		}
		if st, _ := e.Info(); st.Mode().Perm() != 0o644 {
			t.Fatalf("%s has mode %v", e.Name(), st.Mode().Perm())
		}
	}
}

func TestSinkAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	job := pipelinetest.NewJob()
	s, _ := New(dir, job, Config{})
	if err := s.Write(context.Background(), batch(t, job)); err != nil {
		t.Fatal(err)
	}
	s.Abort()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("abort left %v", entries)
	}
}

func TestSinkParquet(t *testing.T) {
	dir := t.TempDir()
	job := pipelinetest.NewJob()
	s, _ := New(dir, job, Config{Parquet: true})
	ctx := context.Background()
	if err := s.Write(ctx, batch(t, job)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, AcceptedParquet))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := parquet.NewReader(ctx, f, "accepted.parquet", parquet.ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	row, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if r.Header()[3] != "first_name" || string(row[3]) != "Ada" || string(row[1]) != "1" {
		t.Fatalf("parquet row %q header %q", row, r.Header())
	}
}
