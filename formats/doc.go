// Package formats holds what every input reader shares: the [RecordReader]
// interface that the ingest source pulls records through, and the row-level
// error that a reader returns for a record it can skip past.
//
// Readers live in subpackages (csv, jsonl, parquet); compress detects and
// undoes gzip and zstd by magic bytes; input sniffs a file's format and
// opens the right reader; cp1252 decodes legacy Windows text. Data enters as
// an io.Reader (or a file for Parquet) and leaves as records of byte-slice
// fields, valid until the next Read.
package formats

import (
	"errors"
	"fmt"
)

// RecordReader reads records of fields from one input.
type RecordReader interface {
	// Header returns the column names, in input order.
	Header() []string
	// Read returns the next record's fields. They stay valid until the next
	// call; the caller copies what it keeps. At the end it returns io.EOF. A
	// record the reader can skip past comes back as a *RowError (the next
	// Read goes on after it); any other error ends the input.
	Read() ([][]byte, error)
	// Raw returns the last record as it stood in the input, for rejects.
	Raw() []byte
	// Line returns the 1-based input line on which the last record starts.
	Line() int64
}

// Row-level problems a reader reports in a *RowError.
var (
	// ErrQuote: a quoted field is not properly closed.
	ErrQuote = errors.New("bad quoting")
	// ErrJSON: a JSON Lines record is not an object of scalar values.
	ErrJSON = errors.New("not a JSON object of scalar values")
	// ErrFieldSet: a JSON Lines record has a key the first record lacked.
	ErrFieldSet = errors.New("key not in the first record")
)

// DefaultMaxFields bounds the columns of a record (a CSV record's fields,
// a JSON Lines header's keys, a Parquet schema's columns) unless a reader
// is configured otherwise.
const DefaultMaxFields = 4096

// ErrTooManyFields is a fatal error of an input wider than its readers'
// MaxFields: the input cannot be read on.
var ErrTooManyFields = errors.New("too many fields")

// RowError is a problem with one record; the reader can go on after it.
type RowError struct {
	Line int64
	Raw  []byte
	Err  error
	// Detail names the offending part (a column, a key).
	Detail string
}

// Error names the line, what is wrong and, if known, the offending part.
func (e *RowError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("line %d: %v: %s", e.Line, e.Err, e.Detail)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the sentinel.
func (e *RowError) Unwrap() error { return e.Err }
