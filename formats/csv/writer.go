package csv

import (
	"encoding/binary"
	"io"
	"slices"
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

// appendField appends f, quoted if it must be. Most fields need no quotes,
// so f is copied eight bytes at a time and each word is checked for special
// bytes as it goes (one pass over f instead of a scan and a copy); a field
// that turns out to need quotes is written again, quoted. Fields shorter than
// a word are read as two overlapping halves, longer ones end with an
// overlapping last word: no byte-by-byte loop.
func (w *Writer) appendField(b, f []byte) []byte {
	n := len(f)
	if n == 0 {
		return b
	}
	if f[0] == ' ' || f[0] == '\t' || f[n-1] == ' ' || f[n-1] == '\t' {
		return appendQuoted(b, f)
	}
	if n < 4 {
		for _, c := range f {
			if w.special[c] {
				return appendQuoted(b, f)
			}
		}
		return append(b, f...)
	}
	start := len(b)
	b = slices.Grow(b, n)[:start+n]
	dst := b[start:]
	var hit uint64
	if n < 8 {
		lo, hi := binary.LittleEndian.Uint32(f), binary.LittleEndian.Uint32(f[n-4:])
		binary.LittleEndian.PutUint32(dst, lo)
		binary.LittleEndian.PutUint32(dst[n-4:], hi)
		hit = w.specials(uint64(lo) | uint64(hi)<<32)
	} else {
		i := 0
		for ; i+8 <= n; i += 8 {
			x := binary.LittleEndian.Uint64(f[i:])
			binary.LittleEndian.PutUint64(dst[i:], x)
			hit |= w.specials(x)
		}
		if i < n {
			x := binary.LittleEndian.Uint64(f[n-8:])
			binary.LittleEndian.PutUint64(dst[n-8:], x)
			hit |= w.specials(x)
		}
	}
	if hit != 0 && w.needsQuote(f) {
		return appendQuoted(b[:start], f)
	}
	return b
}

// needsQuote reports whether f, which has no space or tab at either end,
// holds a byte that forces quoting.
func (w *Writer) needsQuote(f []byte) bool {
	for _, c := range f {
		if w.special[c] {
			return true
		}
	}
	return false
}

// specials is non-zero when one of x's eight bytes is the delimiter, a
// quote or a control byte below 0x0E (CR and LF among them): a byte equal to
// c is a zero byte of x^c, and v has a byte below n exactly when
// (v-n*0x01..01) &^ v has a high bit set. One test for CR and LF together
// instead of one each; appendField checks a hit byte by byte before it
// quotes, so a tab or another control byte alone does not.
func (w *Writer) specials(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	below := func(v uint64, n byte) uint64 { return (v - lo*uint64(n)) &^ v & hi }
	return below(x^(lo*uint64(w.comma)), 1) | below(x^(lo*'"'), 1) | below(x, '\r'+1)
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

// needsQuote reports whether f must be quoted: it holds a special byte, or
// starts or ends with a space or tab.
func needsQuote(f string, special *[256]bool) bool {
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
