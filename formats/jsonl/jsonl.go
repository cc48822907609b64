// Package jsonl reads JSON Lines: one JSON object of scalar values per line.
// The first object's keys, in their order, are the header; a later object
// may omit keys (empty fields) but not add new ones. Data enters as an
// io.Reader and leaves as fields valid until the next Read.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	// (0): 4096, as for CSV.
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
		cfg.MaxFields = 4096
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
		return nil, fmt.Errorf("%s line %d: first record: %d keys, over %d", cfg.Name, jr.recLine, len(keys), cfg.MaxFields)
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
// to the header in order.
func (r *Reader) parse(learn bool) ([]string, string, error) {
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, "", errors.New("not a JSON object")
	}
	r.buf = r.buf[:0]
	type span struct{ col, start, end int }
	var spans []span
	var keys []string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		key := kt.(string)
		col, ok := r.index[key]
		if !ok {
			if !learn {
				return nil, key, formats.ErrFieldSet
			}
			col = len(r.index)
			r.index[key] = col
			keys = append(keys, key)
		}
		vt, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		start := len(r.buf)
		switch v := vt.(type) {
		case string:
			r.buf = append(r.buf, v...)
		case json.Number:
			r.buf = append(r.buf, v...)
		case bool:
			r.buf = strconv.AppendBool(r.buf, v)
		case nil:
		default:
			return nil, key, fmt.Errorf("value of %q is not a scalar", key)
		}
		spans = append(spans, span{col, start, len(r.buf)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, "", err
	}
	if dec.More() {
		return nil, "", errors.New("text after the object")
	}
	n := len(r.index)
	if cap(r.fields) < n {
		r.fields = make([][]byte, n)
	}
	r.fields = r.fields[:n]
	clear(r.fields)
	for _, s := range spans {
		r.fields[s.col] = r.buf[s.start:s.end:s.end]
	}
	return keys, "", nil
}

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
