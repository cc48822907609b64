package csv

import (
	"io"
)

// Writer writes RFC 4180 records: a field is quoted only when it holds the
// delimiter, a quote, a CR or LF, or leading or trailing space, and quotes
// inside it are doubled. Lines end in LF. Records are built where they are
// buffered, and the buffer goes to the underlying writer once it holds size
// bytes: no copy between building a record and writing it out.
type Writer struct {
	w       io.Writer
	size    int
	comma   byte
	err     error
	buf     []byte    // whole records not yet written, then the one being built
	special [256]bool // bytes that force quoting: the delimiter, '"', CR, LF
}

// NewWriter returns a comma-separated writer to w with a 256 KiB buffer.
func NewWriter(w io.Writer) *Writer { return NewWriterSize(w, 256<<10) }

// NewWriterSize returns a comma-separated writer to w with a buffer of size
// bytes.
func NewWriterSize(w io.Writer, size int) *Writer {
	size = max(size, 16)
	// Room for a record past size: one that starts just below it need not
	// grow the buffer.
	cw := &Writer{w: w, size: size, buf: make([]byte, 0, size+size/4), comma: ','}
	for _, c := range []byte{',', '"', '\r', '\n'} {
		cw.special[c] = true
	}
	return cw
}

// Write writes one record.
func (w *Writer) Write(fields [][]byte) error {
	b := w.buf
	for i, f := range fields {
		if i > 0 {
			b = append(b, w.comma)
		}
		b = w.appendField(b, f)
	}
	w.buf = b
	return w.end()
}

// WriteStrings writes one record of strings.
func (w *Writer) WriteStrings(fields []string) error {
	b := w.buf
	for i, f := range fields {
		if i > 0 {
			b = append(b, w.comma)
		}
		if needsQuote(f, &w.special) {
			b = appendQuoted(b, f)
		} else {
			b = append(b, f...)
		}
	}
	w.buf = b
	return w.end()
}

// Field adds one field to a record being built with Field and EndRecord;
// sep says whether a delimiter goes before it.
func (w *Writer) Field(f []byte, sep bool) {
	if sep {
		w.buf = append(w.buf, w.comma)
	}
	w.buf = w.appendField(w.buf, f)
}

// EndRecord writes the record built with Field.
func (w *Writer) EndRecord() error { return w.end() }

func (w *Writer) appendField(b, f []byte) []byte {
	if w.needsQuote(f) {
		return appendQuoted(b, f)
	}
	return append(b, f...)
}

// end ends the record being built and writes the buffer out once it holds
// size bytes.
func (w *Writer) end() error {
	w.buf = append(w.buf, '\n')
	if len(w.buf) >= w.size {
		w.writeOut()
	}
	return w.err
}

// writeOut writes the buffer and empties it; the first error sticks.
func (w *Writer) writeOut() {
	if len(w.buf) > 0 && w.err == nil {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
}

// appendQuoted appends f in quotes, its quotes doubled.
func appendQuoted[T string | []byte](b []byte, f T) []byte {
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, f[i])
	}
	return append(b, '"')
}

func (w *Writer) needsQuote(f []byte) bool { return needsQuote(f, &w.special) }

// needsQuote reports whether f must be quoted: it holds a special byte, or
// starts or ends with a space or tab.
func needsQuote[T string | []byte](f T, special *[256]bool) bool {
	n := len(f)
	if n == 0 {
		return false
	}
	if f[0] == ' ' || f[0] == '\t' || f[n-1] == ' ' || f[n-1] == '\t' {
		return true
	}
	i := 0
	for ; i+4 <= n; i += 4 {
		if special[f[i]] || special[f[i+1]] || special[f[i+2]] || special[f[i+3]] {
			return true
		}
	}
	for ; i < n; i++ {
		if special[f[i]] {
			return true
		}
	}
	return false
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	w.writeOut()
	return w.err
}
