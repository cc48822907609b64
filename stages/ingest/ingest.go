// Package ingest is the source of every batch job: it pulls records from a
// [formats.RecordReader], maps the input's columns onto the job's schema,
// and emits batches of piece rows. Records that cannot become rows
// (malformed quoting, a wrong column count, bad JSON) are emitted too,
// already rejected with their source row number and raw text, so the run
// report accounts for every input record.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/postmill/postmill/formats"
	"github.com/postmill/postmill/formats/cp1252"
	"github.com/postmill/postmill/pipeline"
)

// Config tunes a Source. The zero value uses the defaults.
type Config struct {
	// BatchRows is the rows per batch. Default (0): pipeline.DefaultBatchRows.
	BatchRows int
	// Mapping maps input headers (as written or normalized) to columns and
	// wins over the alias table. Default: none.
	Mapping map[string]string
}

// Source reads one input's records as batches of piece rows.
type Source struct {
	job     *pipeline.Job
	rr      formats.RecordReader
	cfg     Config
	mapping *Mapping
	width   int
	rows    int64
	seq     uint64
	done    bool
	scratch []byte
}

// New maps rr's header onto job's schema (adding extra columns to it) and
// returns the source. Call it before the job starts.
func New(job *pipeline.Job, rr formats.RecordReader, cfg Config) (*Source, error) {
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = pipeline.DefaultBatchRows
	}
	if job.Schema == nil {
		job.Schema = pipeline.NewSchema()
	}
	m, err := MapHeader(job.Schema, rr.Header(), cfg.Mapping)
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", job.Source, err)
	}
	return &Source{job: job, rr: rr, cfg: cfg, mapping: m, width: len(rr.Header())}, nil
}

// Mapping returns where each input column went.
func (s *Source) Mapping() *Mapping { return s.mapping }

// Next returns the next batch, or pipeline.EOF.
func (s *Source) Next(ctx context.Context) (*pipeline.Batch, error) {
	if s.done {
		return nil, pipeline.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := pipeline.NewBatch(s.job, s.seq)
	for len(b.Rows) < s.cfg.BatchRows {
		fields, err := s.rr.Read()
		if err == io.EOF {
			s.done = true
			break
		}
		var rowErr *formats.RowError
		if err != nil {
			if rowErr = asRowError(err); rowErr == nil {
				b.Release()
				return nil, err
			}
		}
		s.rows++
		r := b.AddRow()
		r.Num = s.rows
		r.Line = s.rr.Line()
		r.ID = pipeline.NewPieceID(s.job, r.Num)
		raw := s.rr.Raw()
		cp := !utf8.Valid(raw)
		if cp {
			r.Note(pipeline.NoteDecodedCP1252)
		}
		if rowErr != nil {
			r.Raw = s.text(b, raw, cp)
			r.Reject(readerReason(rowErr.Err), rowErr.Detail)
			continue
		}
		if len(fields) != s.width {
			r.Raw = s.text(b, raw, cp)
			r.Reject(pipeline.MalformedColumnCount, fmt.Sprintf("%d cells, header has %d", len(fields), s.width))
			continue
		}
		for i, f := range fields {
			f = bytes.TrimSpace(f)
			if len(f) == 0 {
				continue
			}
			r.Fields[s.mapping.Columns[i]] = s.text(b, f, cp)
		}
	}
	if len(b.Rows) == 0 && s.done {
		b.Release()
		return nil, pipeline.EOF
	}
	s.seq++
	return b, nil
}

// text copies p into the batch, decoding it from Windows-1252 when the
// record was not UTF-8.
func (s *Source) text(b *pipeline.Batch, p []byte, cp bool) []byte {
	if !cp {
		return b.Copy(p)
	}
	s.scratch = cp1252.Append(s.scratch[:0], p)
	return b.Copy(s.scratch)
}

// asRowError returns err's *RowError, or nil when err is fatal. It is a
// function of its own so that the target of errors.As escapes only on the
// error path, not once per row.
func asRowError(err error) *formats.RowError {
	var re *formats.RowError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

func readerReason(err error) pipeline.Reason {
	switch {
	case errors.Is(err, formats.ErrQuote):
		return pipeline.MalformedQuote
	case errors.Is(err, formats.ErrFieldSet):
		return pipeline.MalformedFieldSet
	default:
		return pipeline.MalformedJSON
	}
}

// Rows returns how many records were read so far.
func (s *Source) Rows() int64 { return s.rows }
