package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/pipeline"
)

// Files Release reads and writes.
const (
	// HeldFile is the run's held rows: piece_id,row,reason,detail, then every job column.
	HeldFile = "held.csv"
	// ReleasedPrefix names the directory of one release: released-1, released-2, …
	ReleasedPrefix = "released-"
	// ReleasedAccepted is the released rows: piece_id,row,notes, then every job column.
	ReleasedAccepted = "accepted.csv"
	// ReleasedReport is the release's counts as JSON (ReleaseResult).
	ReleasedReport = "report.json"
)

// heldPrefix is the first four columns of held.csv.
var heldPrefix = []string{"piece_id", "row", "reason", "detail"}

// ReleaseConfig configures Release.
type ReleaseConfig struct {
	// Stage configures the account stage the held rows go through again;
	// its Ledger is required.
	Stage Config
	// Campaign names the job's campaign for debits when Stage.Campaign is
	// empty. Default (""): none.
	Campaign string
	// BatchRows is the rows per ledger call. Default (0): pipeline.DefaultBatchRows.
	BatchRows int
	// OnBatch, when set, sees every processed batch before its rows are
	// written: live rows were charged (now or before), the rest stay held.
	// It must not keep the batch. Default (nil): only the files are written.
	OnBatch func(ctx context.Context, b *pipeline.Batch) error
}

// ReleaseResult counts what a Release did; it is also the released
// directory's report.json.
type ReleaseResult struct {
	// Dir is the released-<n> directory written; empty when nothing was released.
	Dir string `json:"dir,omitempty"`
	// Considered counts rows held for insufficient credits, re-queued.
	Considered int64 `json:"considered"`
	// Released counts rows now charged (Charged + AlreadyCharged of Account).
	Released int64 `json:"released"`
	// StillHeld counts rows the balance still does not cover.
	StillHeld int64 `json:"still_held"`
	// OtherHeld counts rows held for other reasons, left in held.csv untouched.
	OtherHeld int64 `json:"other_held"`
	// Account is the account stage's report of the release.
	Account Report `json:"account"`
}

// Release re-queues the rows of dir/held.csv held with
// held:insufficient_credits through a fresh account stage: rows it charges
// (or finds charged before) are written to dir/released-<n>/accepted.csv
// with a report.json, the next free n; the rest, and rows held for other
// reasons, stay in dir/held.csv, rewritten atomically in their order. The
// ledger is debited before the files are written: if Release is interrupted
// in between, running it again finds those pieces already charged and
// releases them then (a piece can then appear in two released directories;
// sinks dedupe on piece_id). A held.csv with no insufficient-credit rows is
// left as is.
func Release(ctx context.Context, dir string, cfg ReleaseConfig) (*ReleaseResult, error) {
	if cfg.Stage.Ledger == nil {
		return nil, errors.New("release: a ledger is required")
	}
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = pipeline.DefaultBatchRows
	}
	heldPath := filepath.Join(dir, HeldFile)
	f, err := os.Open(heldPath)
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	defer f.Close()
	rd := csv.NewReader(f, csv.ReaderConfig{Name: heldPath})
	header, err := rd.ReadHeader()
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	if len(header) < len(heldPrefix) || strings.Join(header[:len(heldPrefix)], ",") != strings.Join(heldPrefix, ",") {
		return nil, fmt.Errorf("release: %s: header must start with %s", heldPath, strings.Join(heldPrefix, ","))
	}
	cols := header[len(heldPrefix):]
	schema := pipeline.NewSchema()
	colIndex := make([]int, len(cols))
	for i, c := range cols {
		colIndex[i] = schema.Add(c)
	}
	stage, err := New(cfg.Stage)
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	if err := stage.Bind(schema); err != nil {
		return nil, fmt.Errorf("release: %s: %w", heldPath, err)
	}
	if err := stage.Preflight(ctx, nil); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	campaign := cfg.Stage.Campaign
	if campaign == "" {
		campaign = cfg.Campaign
	}
	job := &pipeline.Job{ID: "release", Account: cfg.Stage.Account, Campaign: campaign, Source: heldPath, Schema: schema}

	res := &ReleaseResult{}
	out, err := newReleaseWriter(dir, schema)
	if err != nil {
		return nil, err
	}
	defer out.abort()

	b := pipeline.NewBatch(job, 0)
	pending := 0
	flush := func() error {
		if pending > 0 {
			if err := stage.Process(ctx, b); err != nil {
				return fmt.Errorf("release: %w", err)
			}
		}
		if cfg.OnBatch != nil {
			if err := cfg.OnBatch(ctx, b); err != nil {
				return fmt.Errorf("release: %w", err)
			}
		}
		for _, r := range b.Rows {
			if err := out.write(r); err != nil {
				return err
			}
		}
		seq := b.Seq + 1
		b.Release()
		b = pipeline.NewBatch(job, seq)
		pending = 0
		return nil
	}
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("release: %w", err)
		}
		if len(rec) < len(heldPrefix) || len(rec) > len(header) {
			return nil, fmt.Errorf("release: %s line %d: %d fields, header has %d", heldPath, rd.Line(), len(rec), len(header))
		}
		r := b.AddRow()
		if len(rec[0]) != pipeline.PieceIDLen {
			return nil, fmt.Errorf("release: %s line %d: piece_id %q is not %d characters", heldPath, rd.Line(), rec[0], pipeline.PieceIDLen)
		}
		copy(r.ID[:], rec[0])
		if r.Num, err = strconv.ParseInt(string(rec[1]), 10, 64); err != nil {
			return nil, fmt.Errorf("release: %s line %d: row %q: %w", heldPath, rd.Line(), rec[1], err)
		}
		for i, v := range rec[len(heldPrefix):] {
			r.Fields[colIndex[i]] = b.Copy(v)
		}
		if reason := pipeline.Reason(rec[2]); reason != pipeline.HeldInsufficient {
			r.Hold(reason, string(rec[3]))
			res.OtherHeld++
		} else {
			res.Considered++
			pending++
		}
		if b.Len() >= cfg.BatchRows {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	b.Release()
	res.Account = stage.Counts()
	res.Released = res.Account.Charged + res.Account.AlreadyCharged
	res.StillHeld = res.Account.Held
	if res.Considered == 0 {
		return res, nil
	}
	if res.Released > 0 {
		if res.Dir, err = out.commitReleased(res); err != nil {
			return nil, err
		}
	}
	if err := out.commitHeld(); err != nil {
		return nil, err
	}
	return res, nil
}

// releaseWriter writes the released rows and the new held.csv under
// temporary names in dir and renames them into place on commit.
type releaseWriter struct {
	dir      string
	schema   *pipeline.Schema
	accFile  *os.File
	acc      *csv.Writer
	heldFile *os.File
	held     *csv.Writer
	rec      [][]byte
}

func newReleaseWriter(dir string, schema *pipeline.Schema) (*releaseWriter, error) {
	w := &releaseWriter{dir: dir, schema: schema}
	var err error
	if w.accFile, err = os.CreateTemp(dir, ".released-accepted.csv.tmp-*"); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	if w.heldFile, err = os.CreateTemp(dir, "."+HeldFile+".tmp-*"); err != nil {
		w.abort()
		return nil, fmt.Errorf("release: %w", err)
	}
	w.acc = csv.NewWriter(w.accFile)
	w.acc.WriteStrings(append([]string{"piece_id", "row", "notes"}, schema.Names()...))
	w.held = csv.NewWriter(w.heldFile)
	w.held.WriteStrings(append(append([]string{}, heldPrefix...), schema.Names()...))
	return w, nil
}

func (w *releaseWriter) write(r *pipeline.Row) error {
	num := []byte(strconv.FormatInt(r.Num, 10))
	if r.Fate == pipeline.Live {
		var notes []byte
		for i, n := range r.Notes {
			if i > 0 {
				notes = append(notes, ';')
			}
			notes = append(notes, n...)
		}
		w.rec = append(w.rec[:0], r.ID[:], num, notes)
		w.rec = append(w.rec, r.Fields...)
		if err := w.acc.Write(w.pad(3)); err != nil {
			return fmt.Errorf("release: write released row: %w", err)
		}
		return nil
	}
	w.rec = append(w.rec[:0], r.ID[:], num, []byte(r.Reason), []byte(r.Detail))
	w.rec = append(w.rec, r.Fields...)
	if err := w.held.Write(w.pad(len(heldPrefix))); err != nil {
		return fmt.Errorf("release: write held row: %w", err)
	}
	return nil
}

func (w *releaseWriter) pad(prefix int) [][]byte {
	for len(w.rec) < w.schema.Len()+prefix {
		w.rec = append(w.rec, nil)
	}
	return w.rec
}

// commitReleased moves the released rows into the next free released-<n>
// directory with a report.json, and returns the directory.
func (w *releaseWriter) commitReleased(res *ReleaseResult) (string, error) {
	n, err := nextReleased(w.dir)
	if err != nil {
		return "", err
	}
	rdir := filepath.Join(w.dir, ReleasedPrefix+strconv.Itoa(n))
	if err := os.Mkdir(rdir, 0o755); err != nil {
		return "", fmt.Errorf("release: %w", err)
	}
	res.Dir = rdir
	if err := finish(w.acc, w.accFile, filepath.Join(rdir, ReleasedAccepted)); err != nil {
		return "", err
	}
	w.accFile = nil
	rep, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return "", fmt.Errorf("release: encode report: %w", err)
	}
	tmp, err := os.CreateTemp(rdir, "."+ReleasedReport+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("release: %w", err)
	}
	if _, err := tmp.Write(append(rep, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", fmt.Errorf("release: write report: %w", err)
	}
	if err := finish(nil, tmp, filepath.Join(rdir, ReleasedReport)); err != nil {
		return "", err
	}
	return rdir, syncDir(rdir)
}

// commitHeld replaces held.csv with the rows still held.
func (w *releaseWriter) commitHeld() error {
	if err := finish(w.held, w.heldFile, filepath.Join(w.dir, HeldFile)); err != nil {
		return err
	}
	w.heldFile = nil
	return syncDir(w.dir)
}

// abort removes the temporary files not committed.
func (w *releaseWriter) abort() {
	for _, f := range []*os.File{w.accFile, w.heldFile} {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
	w.accFile, w.heldFile = nil, nil
}

// finish flushes cw (if any), fsyncs and closes f, and renames it to path.
func finish(cw *csv.Writer, f *os.File, path string) error {
	err := func() error {
		if cw != nil {
			if err := cw.Flush(); err != nil {
				return err
			}
		}
		if err := f.Chmod(0o644); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		return f.Close()
	}()
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("release: write %s: %w", path, err)
	}
	return nil
}

// nextReleased returns one more than the highest n of dir/released-<n>.
func nextReleased(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("release: %w", err)
	}
	n := 0
	for _, e := range entries {
		if v, err := strconv.Atoi(strings.TrimPrefix(e.Name(), ReleasedPrefix)); err == nil && strings.HasPrefix(e.Name(), ReleasedPrefix) && v > n {
			n = v
		}
	}
	return n + 1, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("release: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("release: sync %s: %w", dir, err)
	}
	return nil
}
