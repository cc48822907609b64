// Package rundir writes a run's outputs into its output directory: the
// accepted piece rows (accepted.csv, or accepted.parquet), the rejected rows
// with their reasons (rejects.csv), the held rows with every field so they
// can be released later (held.csv), and report.json. It is the sink of an
// embedded run. Every file is written under a temporary name, fsynced and
// renamed into place when the run succeeds, so a failed run never leaves a
// file that looks complete.
package rundir

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/postmill/postmill/formats/atomicfile"
	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/formats/parquet"
	"github.com/postmill/postmill/pipeline"
)

// File names in the output directory.
const (
	AcceptedCSV     = "accepted.csv"
	AcceptedParquet = "accepted.parquet"
	RejectsCSV      = "rejects.csv"
	HeldCSV         = "held.csv"
	ReportJSON      = "report.json"
)

// RejectsHeader is the header of rejects.csv.
var RejectsHeader = []string{"row", "line", "piece_id", "reason", "detail", "raw"}

// Config says what to write. The zero value writes CSV.
type Config struct {
	// Parquet writes accepted.parquet instead of accepted.csv.
	Parquet bool
	// PageCache writes the files through the page cache instead of with
	// direct I/O (see atomicfile). Default: direct I/O where the file
	// system takes it.
	PageCache bool
}

// Sink writes a job's rows into a directory.
type Sink struct {
	dir     string
	job     *pipeline.Job
	cfg     Config
	files   []*atomicfile.File
	acc     *csv.Writer
	accPq   *parquet.Writer
	rej     *csv.Writer
	held    *csv.Writer
	rec     [][]byte
	num     []byte
	closed  bool
	outputs map[string]string
	line    *csv.Writer // renders a reject's fields into lineBuf
	lineBuf bytesBuffer
}

// New creates dir if needed and returns a sink for job. The files are opened
// at the first batch, when the stages have added their columns to the
// job's schema.
func New(dir string, job *pipeline.Job, cfg Config) (*Sink, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	return &Sink{dir: dir, job: job, cfg: cfg, outputs: map[string]string{}}, nil
}

// open creates the output files with the job's final columns.
func (s *Sink) open() error {
	cols := append([]string{"piece_id", "row", "notes"}, s.job.Schema.Names()...)
	if s.cfg.Parquet {
		f, err := s.create(AcceptedParquet, "accepted")
		if err != nil {
			return err
		}
		// The Parquet writer closes a sink that is an io.Closer; the file is
		// closed by commit, after its fsync, so it gets a plain writer.
		if s.accPq, err = parquet.NewWriter(struct{ io.Writer }{f}, cols); err != nil {
			return err
		}
	} else {
		f, err := s.create(AcceptedCSV, "accepted")
		if err != nil {
			return err
		}
		s.acc = csv.NewWriter(f)
		s.acc.WriteStrings(cols)
	}
	f, err := s.create(RejectsCSV, "rejects")
	if err != nil {
		return err
	}
	s.rej = csv.NewWriter(f)
	s.rej.WriteStrings(RejectsHeader)
	if f, err = s.create(HeldCSV, "held"); err != nil {
		return err
	}
	s.held = csv.NewWriter(f)
	s.held.WriteStrings(append([]string{"piece_id", "row", "reason", "detail"}, s.job.Schema.Names()...))
	return nil
}

func (s *Sink) create(name, role string) (*atomicfile.File, error) {
	f, err := atomicfile.Options{PageCache: s.cfg.PageCache}.Create(filepath.Join(s.dir, name))
	if err != nil {
		return nil, err
	}
	s.files = append(s.files, f)
	s.outputs[role] = name
	return f, nil
}

// Outputs lists the files written, by role, for the report.
func (s *Sink) Outputs() map[string]string { return s.outputs }

// Write writes a batch's rows (see Consume) and releases the batch.
func (s *Sink) Write(ctx context.Context, b *pipeline.Batch) error {
	defer b.Release()
	return s.Consume(ctx, b)
}

// Consume writes a batch's rows: live rows to the accepted file, done rows
// to rejects or held, each in source row order. It does not release the
// batch.
func (s *Sink) Consume(ctx context.Context, b *pipeline.Batch) error {
	if s.files == nil {
		if err := s.open(); err != nil {
			s.Abort()
			return err
		}
	}
	for _, r := range b.Rows {
		if err := s.writeAccepted(r); err != nil {
			return err
		}
	}
	slices.SortFunc(b.Done, func(x, y *pipeline.Row) int { return int(x.Num - y.Num) })
	for _, r := range b.Done {
		var err error
		if r.Fate == pipeline.Held {
			err = s.writeHeld(r)
		} else {
			err = s.writeReject(r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Sink) notes(r *pipeline.Row, dst []byte) []byte {
	for i, n := range r.Notes {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, n...)
	}
	return dst
}

func (s *Sink) writeAccepted(r *pipeline.Row) error {
	s.num = strconv.AppendInt(s.num[:0], r.Num, 10)
	numEnd := len(s.num)
	s.num = s.notes(r, s.num)
	if s.accPq != nil {
		s.rec = append(s.rec[:0], r.ID[:], s.num[:numEnd], s.num[numEnd:])
		s.rec = append(s.rec, r.Fields...)
		for len(s.rec) < s.job.Schema.Len()+3 {
			s.rec = append(s.rec, nil)
		}
		return s.accPq.Write(s.rec)
	}
	// Field by field: copying the row's field headers into one record
	// cost more than writing them.
	s.acc.Field(r.ID[:], false)
	s.acc.Field(s.num[:numEnd], true)
	s.acc.Field(s.num[numEnd:], true)
	for _, f := range r.Fields {
		s.acc.Field(f, true)
	}
	for range s.job.Schema.Len() - len(r.Fields) {
		s.acc.Field(nil, true)
	}
	return s.acc.EndRecord()
}

func (s *Sink) writeReject(r *pipeline.Row) error {
	raw := r.Raw
	if raw == nil {
		raw = s.fieldsLine(r)
	}
	s.num = strconv.AppendInt(s.num[:0], r.Num, 10)
	s.rej.Field(s.num, false)
	s.num = strconv.AppendInt(s.num[:0], r.Line, 10)
	s.rej.Field(s.num, true)
	s.rej.Field(r.ID[:], true)
	s.rej.Field([]byte(r.Reason), true)
	s.rej.Field([]byte(r.Detail), true)
	s.rej.Field(raw, true)
	return s.rej.EndRecord()
}

// fieldsLine renders a row's fields as one CSV line, for a reject that has
// no raw text (rejected by a stage after ingest). The line is valid until
// the next call.
func (s *Sink) fieldsLine(r *pipeline.Row) []byte {
	if s.line == nil {
		s.line = csv.NewWriterSize(&s.lineBuf, 4<<10)
	}
	s.lineBuf.b = s.lineBuf.b[:0]
	s.line.Write(r.Fields)
	s.line.Flush()
	return s.lineBuf.b[:len(s.lineBuf.b)-1]
}

func (s *Sink) writeHeld(r *pipeline.Row) error {
	s.rec = append(s.rec[:0], r.ID[:], strconv.AppendInt(nil, r.Num, 10), []byte(r.Reason), []byte(r.Detail))
	s.rec = append(s.rec, r.Fields...)
	return s.held.Write(s.rec)
}

// Close flushes every file and renames it into place.
func (s *Sink) Close(ctx context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.files == nil {
		if err := s.open(); err != nil {
			s.Abort()
			return err
		}
	}
	if s.accPq != nil {
		if err := s.accPq.Close(); err != nil {
			s.Abort()
			return err
		}
	}
	for _, w := range []*csv.Writer{s.acc, s.rej, s.held} {
		if w == nil {
			continue
		}
		if err := w.Flush(); err != nil {
			s.Abort()
			return fmt.Errorf("write output: %w", err)
		}
	}
	for _, f := range s.files {
		if err := f.Commit(); err != nil {
			s.Abort()
			return err
		}
	}
	return atomicfile.SyncDir(s.dir)
}

// Abort removes the temporary files of a failed run.
func (s *Sink) Abort() {
	for _, f := range s.files {
		f.Abort()
	}
}

// WriteReport writes report.json atomically.
func WriteReport(dir string, rep *pipeline.Report) error {
	// A few kilobytes, read back at once: through the page cache.
	f, err := atomicfile.Options{PageCache: true}.Create(filepath.Join(dir, ReportJSON))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		f.Abort()
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Commit(); err != nil {
		return err
	}
	return atomicfile.SyncDir(dir)
}

type bytesBuffer struct{ b []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.b = append(b.b, p...); return len(p), nil }
