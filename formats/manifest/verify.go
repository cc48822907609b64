package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/formats/parquet"
)

// Report is the outcome of Verify: one result per batch directory.
type Report struct {
	Batches []BatchResult // in directory order
}

// OK reports whether every batch verified.
func (r Report) OK() bool {
	for _, b := range r.Batches {
		if !b.OK() {
			return false
		}
	}
	return true
}

// BatchResult is what Verify found in one batch directory.
type BatchResult struct {
	// Dir is the batch directory.
	Dir string
	// BatchID is the manifest's batch id (the directory's name when the
	// manifest cannot be read).
	BatchID string
	// Pieces and Files are the manifest's piece and file counts.
	Pieces int64 // the manifest's piece count
	Files  int   // the manifest's file count
	// Problems says what does not match, one line each, at most
	// MaxProblems; empty when the batch verified.
	Problems []string
	// Omitted counts the problems found past MaxProblems and not listed.
	Omitted int
}

// MaxProblems bounds the problems listed for one batch: a pieces file with
// a wrong batch_id on every row would otherwise list every row.
const MaxProblems = 100

// OK reports whether the batch verified.
func (b BatchResult) OK() bool { return len(b.Problems) == 0 }

func (b *BatchResult) problem(format string, args ...any) {
	if len(b.Problems) >= MaxProblems {
		b.Omitted++
		return
	}
	b.Problems = append(b.Problems, fmt.Sprintf(format, args...))
}

// Verify rechecks batch directories: dir is either one batch directory (it
// holds manifest.json) or a run output directory (its batches/ holds them).
// For every file in a manifest it checks the byte count, sha256 and row
// count; from pieces.csv it recounts the pieces, the counts per presort
// level and per tray, and checks that batch_id matches and sequence numbers
// rise (pieces held after presort leave gaps). Mismatches are reported in
// the Report; the error is for a dir that holds no batches or cannot be read.
func Verify(dir string) (Report, error) {
	var rep Report
	if _, err := os.Stat(filepath.Join(dir, ManifestJSON)); err == nil {
		rep.Batches = append(rep.Batches, verifyBatch(dir))
		return rep, nil
	}
	root := filepath.Join(dir, BatchesDir)
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return rep, fmt.Errorf("verify %s: neither a batch directory (no %s) nor a run directory (no %s/)", dir, ManifestJSON, BatchesDir)
	}
	if err != nil {
		return rep, fmt.Errorf("verify %s: %w", dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		rep.Batches = append(rep.Batches, verifyBatch(filepath.Join(root, e.Name())))
	}
	return rep, nil
}

func verifyBatch(dir string) BatchResult {
	res := BatchResult{Dir: dir, BatchID: filepath.Base(dir)}
	m, err := Read(dir)
	if err != nil {
		res.problem("%v", err)
		return res
	}
	res.BatchID, res.Pieces, res.Files = m.BatchID, m.Pieces, len(m.Files)
	if m.BatchID != filepath.Base(dir) {
		res.problem("manifest batch_id %q differs from the directory name", m.BatchID)
	}
	sawCSV := false
	for _, f := range m.Files {
		if f.Name != filepath.Base(f.Name) || f.Name == "." || f.Name == ".." {
			res.problem("file %q: not a plain file name", f.Name)
			continue
		}
		path := filepath.Join(dir, f.Name)
		sum, size, err := hashFile(path)
		if err != nil {
			res.problem("%s: %v", f.Name, err)
			continue
		}
		if size != f.Bytes {
			res.problem("%s: %d bytes, manifest says %d", f.Name, size, f.Bytes)
		}
		if sum != f.SHA256 {
			res.problem("%s: sha256 %s, manifest says %s", f.Name, sum, f.SHA256)
		}
		var rows int64
		switch f.Name {
		case PiecesCSV:
			sawCSV = true
			rows, err = recount(path, m, &res)
		case PiecesParquet:
			rows, err = parquetRows(path)
		default:
			continue
		}
		if err != nil {
			res.problem("%s: %v", f.Name, err)
			continue
		}
		if rows != f.Rows {
			res.problem("%s: %d rows, manifest says %d", f.Name, rows, f.Rows)
		}
		if rows != m.Pieces {
			res.problem("%s: %d rows, manifest says %d pieces", f.Name, rows, m.Pieces)
		}
	}
	if !sawCSV {
		res.problem("manifest lists no %s", PiecesCSV)
	}
	return res
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// recount reads pieces.csv and compares its counts with the manifest's.
func recount(path string, m *Manifest, res *BatchResult) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f, csv.ReaderConfig{Name: path})
	header, err := r.ReadHeader()
	if err != nil {
		return 0, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, c := range []string{ColBatchID, ColSequence, ColTray, ColLevel} {
		if _, ok := col[c]; !ok {
			return 0, fmt.Errorf("no %s column", c)
		}
	}
	levels := map[string]int64{}
	trays := map[int64]int64{}
	var rows, lastSeq int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, err
		}
		rows++
		if len(rec) != len(header) {
			res.problem("%s: row %d has %d fields, header %d", PiecesCSV, rows, len(rec), len(header))
			continue
		}
		if string(rec[col[ColBatchID]]) != m.BatchID {
			res.problem("%s: row %d has batch_id %q", PiecesCSV, rows, rec[col[ColBatchID]])
		}
		// Sequence numbers rise; pieces held after presort leave gaps.
		if seq, err := strconv.ParseInt(string(rec[col[ColSequence]]), 10, 64); err != nil || seq <= lastSeq {
			res.problem("%s: row %d has sequence %q after %d", PiecesCSV, rows, rec[col[ColSequence]], lastSeq)
		} else {
			lastSeq = seq
		}
		levels[string(rec[col[ColLevel]])]++
		t, err := strconv.ParseInt(string(rec[col[ColTray]]), 10, 64)
		if err != nil {
			res.problem("%s: row %d has tray %q", PiecesCSV, rows, rec[col[ColTray]])
			continue
		}
		trays[t]++
	}
	if !maps.Equal(levels, m.Levels) {
		res.problem("levels %s in %s, manifest says %s", fmtCounts(levels), PiecesCSV, fmtCounts(m.Levels))
	}
	mt := map[int64]int64{}
	for _, t := range m.Trays {
		mt[t.Tray] += t.Pieces
	}
	for _, t := range slices.Sorted(maps.Keys(union(trays, mt))) {
		if trays[t] != mt[t] {
			res.problem("tray %d: %d pieces in %s, manifest says %d", t, trays[t], PiecesCSV, mt[t])
		}
	}
	return rows, nil
}

func union(a, b map[int64]int64) map[int64]bool {
	out := map[int64]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func fmtCounts(m map[string]int64) string {
	s := "{"
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s:%d", k, m[k])
	}
	return s + "}"
}

func parquetRows(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := parquet.NewReader(context.Background(), f, path, parquet.ReaderConfig{})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n int64
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
