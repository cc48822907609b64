// Package csv reads and writes delimited text (CSV and TSV) fast: a record's
// fields are views into the reader's buffer, so reading allocates nothing
// per field.
//
// The reader accepts RFC 4180 files and what real exports add to them: a
// UTF-8 byte order mark, CRLF or LF line ends, quoted fields with embedded
// delimiters and newlines, "" escapes, blank lines (skipped), a last line
// without a newline, and a quote inside an unquoted field (kept as text).
// Data enters as an io.Reader and leaves as [][]byte fields valid until the
// next Read.
package csv

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/postmill/postmill/formats"
)

// ReaderConfig tunes a Reader. The zero value reads comma-separated records
// with the default limits.
type ReaderConfig struct {
	// Comma is the field delimiter. Default (0): ','.
	Comma byte
	// MaxRecordBytes bounds one record, quoted newlines included. Default
	// (0): 1 MiB.
	MaxRecordBytes int
	// MaxFields bounds the fields of one record. Default (0):
	// formats.DefaultMaxFields.
	MaxFields int
	// BufferBytes is the read buffer size. Default (0): 256 KiB.
	BufferBytes int
	// Name names the input in errors. Default: "input".
	Name string
}

// Fatal errors: the input cannot be read on.
var (
	// ErrRecordTooLong: a record is longer than MaxRecordBytes.
	ErrRecordTooLong = errors.New("record too long")
	// ErrTooManyFields: a record has more than MaxFields fields
	// (formats.ErrTooManyFields, which every reader's width bound wraps).
	ErrTooManyFields = formats.ErrTooManyFields
)

// Reader reads delimited records from an io.Reader.
type Reader struct {
	r    io.Reader
	cfg  ReaderConfig
	buf  []byte
	pos  int // start of unread data in buf
	end  int // end of valid data in buf
	eof  bool
	rerr error

	line    int64 // line of the next unread byte
	recLine int64
	raw     []byte
	fields  [][]byte
	scratch []byte
	header  []string
	blank   int64
	started bool
}

// NewReader returns a reader of r.
func NewReader(r io.Reader, cfg ReaderConfig) *Reader {
	if cfg.Comma == 0 {
		cfg.Comma = ','
	}
	if cfg.MaxRecordBytes <= 0 {
		cfg.MaxRecordBytes = 1 << 20
	}
	if cfg.MaxFields <= 0 {
		cfg.MaxFields = formats.DefaultMaxFields
	}
	if cfg.BufferBytes <= 0 {
		cfg.BufferBytes = 256 << 10
	}
	if cfg.Name == "" {
		cfg.Name = "input"
	}
	return &Reader{r: r, cfg: cfg, buf: make([]byte, cfg.BufferBytes), line: 1,
		fields: make([][]byte, 0, 64)}
}

// ReadHeader reads the first record as the header. Call it once, before
// Read, when the input has a header row.
func (r *Reader) ReadHeader() ([]string, error) {
	f, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty input: no header row", r.cfg.Name)
	}
	var re *formats.RowError
	if errors.As(err, &re) {
		// A bad header is the file's error, not a row's: say which file.
		if r.cfg.Name == "" {
			return nil, fmt.Errorf("header: %w", err)
		}
		return nil, fmt.Errorf("%s: header: %w", r.cfg.Name, err)
	}
	if err != nil {
		return nil, err
	}
	r.header = make([]string, len(f))
	for i, v := range f {
		r.header[i] = string(v)
	}
	return r.header, nil
}

// Header returns the header read by ReadHeader.
func (r *Reader) Header() []string { return r.header }

// Raw returns the last record's text, without its line end.
func (r *Reader) Raw() []byte { return r.raw }

// Line returns the line on which the last record starts.
func (r *Reader) Line() int64 { return r.recLine }

// BlankLines returns how many blank lines were skipped so far.
func (r *Reader) BlankLines() int64 { return r.blank }

// fill reads more input after compacting the unread data to the buffer's
// start, growing the buffer up to the record limit when it is full.
func (r *Reader) fill() error {
	if r.eof {
		return io.EOF
	}
	if r.pos > 0 {
		n := copy(r.buf, r.buf[r.pos:r.end])
		r.pos, r.end = 0, n
	}
	if r.end == len(r.buf) {
		if len(r.buf) >= r.cfg.MaxRecordBytes+2 {
			return fmt.Errorf("%s line %d: %w: over %d bytes (an unclosed quote?)", r.cfg.Name, r.line, ErrRecordTooLong, r.cfg.MaxRecordBytes)
		}
		n := 2 * len(r.buf)
		if n > r.cfg.MaxRecordBytes+2 {
			n = r.cfg.MaxRecordBytes + 2
		}
		nb := make([]byte, n)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err == io.EOF {
			r.eof = true
			if n == 0 {
				return io.EOF
			}
			return nil
		}
		if err != nil {
			r.rerr = err
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// Read returns the next record's fields. See [formats.RecordReader].
func (r *Reader) Read() ([][]byte, error) {
	if r.rerr != nil {
		return nil, r.rerr
	}
	if !r.started {
		r.started = true
		for r.end-r.pos < 3 && !r.eof {
			if err := r.fill(); err != nil && err != io.EOF {
				return nil, err
			}
		}
		if bytes.HasPrefix(r.buf[r.pos:r.end], []byte("\xef\xbb\xbf")) {
			r.pos += 3
		}
	}
	for {
		// Find the record's end: the first newline outside quotes.
		data := r.buf[r.pos:r.end]
		nl := bytes.IndexByte(data, '\n')
		var rec []byte
		var next int
		quoted := false
		if nl >= 0 && bytes.IndexByte(data[:nl], '"') < 0 {
			rec, next = data[:nl], nl+1
		} else {
			var ok bool
			rec, next, ok = scanQuoted(data, r.cfg.Comma, r.eof)
			if !ok {
				if err := r.fill(); err != nil {
					if err == io.EOF {
						if r.pos == r.end {
							return nil, io.EOF
						}
						continue // r.eof is set now: the rest is the last record
					}
					if r.rerr != nil {
						return nil, fmt.Errorf("%s line %d: %w", r.cfg.Name, r.line, err)
					}
					return nil, err
				}
				continue
			}
			quoted = true
		}
		r.recLine = r.line
		if quoted {
			r.line += int64(bytes.Count(rec, []byte{'\n'}))
			if next > len(rec) {
				r.line++
			}
		} else {
			r.line++
		}
		r.pos += next
		if n := len(rec); n > 0 && rec[n-1] == '\r' {
			rec = rec[:n-1]
		}
		if len(rec) == 0 {
			r.blank++
			continue
		}
		if len(rec) > r.cfg.MaxRecordBytes {
			return nil, fmt.Errorf("%s line %d: %w: over %d bytes", r.cfg.Name, r.recLine, ErrRecordTooLong, r.cfg.MaxRecordBytes)
		}
		r.raw = rec
		var err error
		if quoted {
			err = r.splitQuoted(rec)
		} else {
			err = r.split(rec)
		}
		return r.fields, err
	}
}

// scanQuoted finds the end of a record that may hold quoted newlines,
// following the same grammar as splitQuoted: a quote opens a quoted field
// only at the start of a field. ok is false when data holds no complete
// record and more input may follow.
func scanQuoted(data []byte, comma byte, eof bool) (rec []byte, next int, ok bool) {
	atStart, inQuote := true, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inQuote {
			if c == '"' {
				if i+1 == len(data) && !eof {
					return nil, 0, false // "" or a closing quote: need the next byte
				}
				if i+1 < len(data) && data[i+1] == '"' {
					i++
					continue
				}
				inQuote = false
			}
			continue
		}
		switch {
		case c == '\n':
			return data[:i], i + 1, true
		case c == comma:
			atStart = true
			continue
		case c == '"' && atStart:
			inQuote = true
		}
		atStart = false
	}
	if eof && len(data) > 0 {
		return data, len(data), true
	}
	return nil, 0, false
}

// split cuts a record without quotes at each delimiter.
func (r *Reader) split(rec []byte) error {
	r.fields = r.fields[:0]
	for {
		i := bytes.IndexByte(rec, r.cfg.Comma)
		if i < 0 {
			r.fields = append(r.fields, rec)
			break
		}
		r.fields = append(r.fields, rec[:i])
		rec = rec[i+1:]
		if len(r.fields) >= r.cfg.MaxFields {
			return r.tooMany()
		}
	}
	return nil
}

func (r *Reader) tooMany() error {
	return fmt.Errorf("%s line %d: %w: over %d", r.cfg.Name, r.recLine, ErrTooManyFields, r.cfg.MaxFields)
}

// splitQuoted cuts a record with quoted fields, unescaping "" into the
// scratch buffer. The scratch is sized to the record first, so field views
// into it stay valid while later fields are appended.
func (r *Reader) splitQuoted(rec []byte) error {
	r.fields = r.fields[:0]
	if cap(r.scratch) < len(rec) {
		r.scratch = make([]byte, 0, 2*len(rec))
	}
	r.scratch = r.scratch[:0]
	comma := r.cfg.Comma
	var bad error
	for {
		if len(r.fields) >= r.cfg.MaxFields {
			return r.tooMany()
		}
		if len(rec) == 0 || rec[0] != '"' {
			// Unquoted field; a quote inside it is kept as text.
			i := bytes.IndexByte(rec, comma)
			if i < 0 {
				r.fields = append(r.fields, rec)
				break
			}
			r.fields = append(r.fields, rec[:i])
			rec = rec[i+1:]
			continue
		}
		// Quoted field.
		rec = rec[1:]
		start := len(r.scratch)
		closed := false
		for len(rec) > 0 {
			q := bytes.IndexByte(rec, '"')
			if q < 0 {
				r.scratch = append(r.scratch, rec...)
				rec = rec[len(rec):]
				break
			}
			r.scratch = append(r.scratch, rec[:q]...)
			rec = rec[q+1:]
			if len(rec) > 0 && rec[0] == '"' {
				r.scratch = append(r.scratch, '"')
				rec = rec[1:]
				continue
			}
			closed = true
			break
		}
		field := r.scratch[start:len(r.scratch):len(r.scratch)]
		if !closed {
			bad = errUnclosed
		}
		switch {
		case len(rec) == 0:
			r.fields = append(r.fields, field)
			goto done
		case rec[0] == comma:
			r.fields = append(r.fields, field)
			rec = rec[1:]
			if len(rec) == 0 { // trailing delimiter: one more empty field
				r.fields = append(r.fields, nil)
				goto done
			}
		default:
			// Text after the closing quote: keep it, but the record is bad.
			bad = errAfterQuote
			i := bytes.IndexByte(rec, comma)
			if i < 0 {
				r.scratch = append(r.scratch, rec...)
				r.fields = append(r.fields, r.scratch[start:])
				goto done
			}
			r.scratch = append(r.scratch, rec[:i]...)
			r.fields = append(r.fields, r.scratch[start:])
			rec = rec[i+1:]
		}
	}
done:
	if bad != nil {
		return &formats.RowError{Line: r.recLine, Raw: r.raw, Err: formats.ErrQuote, Detail: bad.Error()}
	}
	return nil
}

var (
	errUnclosed   = errors.New("quoted field not closed before end of input")
	errAfterQuote = errors.New("text after a closing quote")
)
