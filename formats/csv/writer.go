package csv

import (
	"bufio"
	"bytes"
	"io"
)

// Writer writes RFC 4180 records: a field is quoted only when it holds the
// delimiter, a quote, a CR or LF, or leading or trailing space, and quotes
// inside it are doubled. Lines end in LF.
type Writer struct {
	w     *bufio.Writer
	comma byte
	err   error
}

// NewWriter returns a comma-separated writer to w with a 256 KiB buffer.
func NewWriter(w io.Writer) *Writer { return NewWriterSize(w, 256<<10) }

// NewWriterSize returns a comma-separated writer to w with a buffer of size
// bytes.
func NewWriterSize(w io.Writer, size int) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, size), comma: ','}
}

// Write writes one record.
func (w *Writer) Write(fields [][]byte) error {
	for i, f := range fields {
		if i > 0 {
			w.w.WriteByte(w.comma)
		}
		w.field(f)
	}
	return w.end()
}

// WriteStrings writes one record of strings.
func (w *Writer) WriteStrings(fields []string) error {
	for i, f := range fields {
		if i > 0 {
			w.w.WriteByte(w.comma)
		}
		if needsQuote(f, w.comma) {
			w.quoted([]byte(f))
		} else {
			w.w.WriteString(f)
		}
	}
	return w.end()
}

// Field writes one field of a record being built with Field and EndRecord;
// sep says whether a delimiter goes before it.
func (w *Writer) Field(f []byte, sep bool) {
	if sep {
		w.w.WriteByte(w.comma)
	}
	w.field(f)
}

// EndRecord ends a record built with Field.
func (w *Writer) EndRecord() error { return w.end() }

func (w *Writer) field(f []byte) {
	if needsQuote(f, w.comma) {
		w.quoted(f)
		return
	}
	w.w.Write(f)
}

func (w *Writer) end() error {
	if err := w.w.WriteByte('\n'); err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

func (w *Writer) quoted(f []byte) {
	w.w.WriteByte('"')
	for {
		i := bytes.IndexByte(f, '"')
		if i < 0 {
			w.w.Write(f)
			break
		}
		w.w.Write(f[:i+1])
		w.w.WriteByte('"')
		f = f[i+1:]
	}
	w.w.WriteByte('"')
}

func needsQuote[T string | []byte](f T, comma byte) bool {
	if len(f) == 0 {
		return false
	}
	if f[0] == ' ' || f[0] == '\t' || f[len(f)-1] == ' ' || f[len(f)-1] == '\t' {
		return true
	}
	for i := 0; i < len(f); i++ {
		switch c := f[i]; c {
		case '"', '\r', '\n':
			return true
		default:
			if c == comma {
				return true
			}
		}
	}
	return false
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.w.Flush(); err != nil {
		return err
	}
	return w.err
}
