// Package jsonl reads JSON Lines: one JSON object of scalar values per line.
// The first object's keys, in their order, are the header; a later object
// may omit keys (empty fields) but not add new ones. Data enters as an
// io.Reader and leaves as fields valid until the next Read.
package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/postmill/postmill/formats"
)

// ReaderConfig tunes a Reader. The zero value uses the defaults.
type ReaderConfig struct {
	// MaxLineBytes bounds one line. Default (0): 1 MiB.
	MaxLineBytes int
	// Name names the input in errors. Default: "input".
	Name string
	// MaxFields bounds the keys of the first object, the header. Default
	// (0): formats.DefaultMaxFields.
	MaxFields int
}

// Reader reads JSON Lines records.
type Reader struct {
	sc      *bufio.Scanner
	cfg     ReaderConfig
	header  []string
	index   map[string]int
	fields  [][]byte
	buf     []byte
	key     []byte // the key being read, unescaped
	spans   []span // the values of the line being read
	raw     []byte
	line    int64
	recLine int64
	pending bool // the first record was read to find the header
	perr    error
}

// NewReader reads the first object to learn the header.
func NewReader(r io.Reader, cfg ReaderConfig) (*Reader, error) {
	if cfg.MaxLineBytes <= 0 {
		cfg.MaxLineBytes = 1 << 20
	}
	if cfg.Name == "" {
		cfg.Name = "input"
	}
	if cfg.MaxFields <= 0 {
		cfg.MaxFields = formats.DefaultMaxFields
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, min(64<<10, cfg.MaxLineBytes)), cfg.MaxLineBytes)
	jr := &Reader{sc: sc, cfg: cfg, index: map[string]int{}}
	if !jr.next() {
		if err := jr.scanErr(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: empty input: no JSON object", cfg.Name)
	}
	keys, _, err := jr.parse(true)
	if err != nil {
		return nil, fmt.Errorf("%s line %d: first record: %v", cfg.Name, jr.recLine, err)
	}
	if len(keys) > cfg.MaxFields {
		return nil, fmt.Errorf("%s line %d: first record: %w: %d keys, over %d", cfg.Name, jr.recLine, formats.ErrTooManyFields, len(keys), cfg.MaxFields)
	}
	jr.header = keys
	jr.pending = true
	return jr, nil
}

func (r *Reader) scanErr() error {
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s line %d: line longer than %d bytes", r.cfg.Name, r.line+1, r.cfg.MaxLineBytes)
		}
		return fmt.Errorf("%s line %d: %w", r.cfg.Name, r.line+1, err)
	}
	return nil
}

// next advances to the next non-blank line.
func (r *Reader) next() bool {
	for r.sc.Scan() {
		r.line++
		r.raw = bytes.TrimRight(r.sc.Bytes(), "\r")
		if r.line == 1 {
			r.raw = bytes.TrimPrefix(r.raw, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(r.raw)) == 0 {
			continue
		}
		r.recLine = r.line
		return true
	}
	return false
}

// parse decodes the current line into r.fields. With learn, keys are added
// to the header in order. It returns the keys learned and, with an error,
// the key whose value failed, if any.
func (r *Reader) parse(learn bool) ([]string, string, error) {
	s := scanner{b: r.raw}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return nil, "", errNotObject
	}
	s.i++
	r.buf = r.buf[:0]
	r.spans = r.spans[:0]
	var keys []string
	for first := true; ; first = false {
		s.ws()
		if first && s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			break
		}
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return nil, "", s.unexpected("a key")
		}
		var err error
		if r.key, err = s.str(r.key[:0]); err != nil {
			return nil, "", err
		}
		col, ok := r.index[string(r.key)]
		if !ok {
			if !learn {
				return nil, string(r.key), formats.ErrFieldSet
			}
			key := string(r.key)
			col = len(r.index)
			r.index[key] = col
			keys = append(keys, key)
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return nil, string(r.key), s.unexpected("a colon")
		}
		s.i++
		s.ws()
		start := len(r.buf)
		if s.i >= len(s.b) {
			return nil, string(r.key), s.unexpected("a value")
		}
		switch c := s.b[s.i]; {
		case c == '"':
			r.buf, err = s.str(r.buf)
		case c == '-' || '0' <= c && c <= '9':
			var num []byte
			if num, err = s.number(); err == nil {
				r.buf = append(r.buf, num...)
			}
		case c == 't' && s.literal("true"):
			r.buf = append(r.buf, "true"...)
		case c == 'f' && s.literal("false"):
			r.buf = append(r.buf, "false"...)
		case c == 'n' && s.literal("null"):
		case c == '{' || c == '[':
			return nil, string(r.key), fmt.Errorf("value of %q is not a scalar", r.key)
		default:
			err = s.unexpected("a value")
		}
		if err != nil {
			return nil, string(r.key), err
		}
		r.spans = append(r.spans, span{col, start, len(r.buf)})
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			break
		}
		return nil, "", s.unexpected("a comma or the end of the object")
	}
	s.ws()
	if s.i < len(s.b) {
		return nil, "", errors.New("text after the object")
	}
	n := len(r.index)
	if cap(r.fields) < n {
		r.fields = make([][]byte, n)
	}
	r.fields = r.fields[:n]
	clear(r.fields)
	for _, sp := range r.spans {
		r.fields[sp.col] = r.buf[sp.start:sp.end:sp.end]
	}
	return keys, "", nil
}

// span is where a value lies in the reader's buffer, and its column.
type span struct{ col, start, end int }

// Header returns the first object's keys.
func (r *Reader) Header() []string { return r.header }

// Raw returns the last line.
func (r *Reader) Raw() []byte { return r.raw }

// Line returns the last record's line.
func (r *Reader) Line() int64 { return r.recLine }

// Read returns the next record's fields, by header position.
func (r *Reader) Read() ([][]byte, error) {
	if r.pending {
		r.pending = false
		return r.fields, nil
	}
	if !r.next() {
		if err := r.scanErr(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	_, detail, err := r.parse(false)
	if err != nil {
		if errors.Is(err, formats.ErrFieldSet) {
			return nil, &formats.RowError{Line: r.recLine, Raw: r.raw, Err: formats.ErrFieldSet, Detail: strconv.Quote(detail)}
		}
		d := err.Error()
		if detail != "" && !bytes.Contains([]byte(d), []byte(detail)) {
			d = detail + ": " + d
		}
		return nil, &formats.RowError{Line: r.recLine, Raw: r.raw, Err: formats.ErrJSON, Detail: d}
	}
	return r.fields, nil
}
