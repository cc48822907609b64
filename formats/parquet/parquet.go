// Package parquet reads contact records from Parquet files and writes piece
// rows to them, through Apache Arrow (arrow/go/v17 pqarrow). Every column is
// read as text: strings as they are, numbers, booleans, dates and
// timestamps in their canonical text form, nulls as empty. Rows are written
// as a schema of nullable UTF-8 columns, zstd-compressed.
package parquet

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// Magic is the four bytes a Parquet file starts (and ends) with.
const Magic = "PAR1"

// Reader reads a Parquet file's rows as text fields.
type Reader struct {
	pf     *file.Reader
	rr     pqarrow.RecordReader
	header []string
	rec    arrow.Record
	row    int
	fields [][]byte
	buf    []byte
	raw    []byte
	n      int64
	name   string
}

// NewReader opens a Parquet file from a random-access reader.
func NewReader(ctx context.Context, r parquet.ReaderAtSeeker, name string) (*Reader, error) {
	pf, err := file.NewParquetReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", name, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
	if err != nil {
		pf.Close()
		return nil, fmt.Errorf("%s: read Parquet schema: %w", name, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		pf.Close()
		return nil, fmt.Errorf("%s: read Parquet rows: %w", name, err)
	}
	schema := rr.Schema()
	h := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		h[i] = f.Name
	}
	return &Reader{pf: pf, rr: rr, header: h, name: name, fields: make([][]byte, len(h))}, nil
}

// Header returns the column names.
func (r *Reader) Header() []string { return r.header }

// Raw returns the last row's fields joined by commas.
func (r *Reader) Raw() []byte { return r.raw }

// Line returns the last row's 1-based row number (Parquet has no lines).
func (r *Reader) Line() int64 { return r.n }

// Read returns the next row.
func (r *Reader) Read() ([][]byte, error) {
	for r.rec == nil || r.row >= int(r.rec.NumRows()) {
		if !r.rr.Next() {
			if err := r.rr.Err(); err != nil && err != io.EOF {
				return nil, fmt.Errorf("%s: read Parquet row group: %w", r.name, err)
			}
			return nil, io.EOF
		}
		r.rec = r.rr.Record()
		r.row = 0
	}
	r.buf = r.buf[:0]
	offs := make([]int, 0, len(r.fields)+1)
	for _, col := range r.rec.Columns() {
		offs = append(offs, len(r.buf))
		r.buf = appendValue(r.buf, col, r.row)
	}
	offs = append(offs, len(r.buf))
	for i := range r.fields {
		r.fields[i] = r.buf[offs[i]:offs[i+1]:offs[i+1]]
	}
	r.raw = r.raw[:0]
	for i, f := range r.fields {
		if i > 0 {
			r.raw = append(r.raw, ',')
		}
		r.raw = append(r.raw, f...)
	}
	r.row++
	r.n++
	return r.fields, nil
}

func appendValue(dst []byte, col arrow.Array, i int) []byte {
	if col.IsNull(i) {
		return dst
	}
	switch a := col.(type) {
	case *array.String:
		return append(dst, a.Value(i)...)
	case *array.LargeString:
		return append(dst, a.Value(i)...)
	case *array.Binary:
		return append(dst, a.Value(i)...)
	case *array.Dictionary:
		return appendValue(dst, a.Dictionary(), a.GetValueIndex(i))
	}
	return append(dst, col.ValueStr(i)...)
}

// Close releases the file.
func (r *Reader) Close() error {
	r.rr.Release()
	return r.pf.Close()
}

// Writer writes rows of text columns to a Parquet file in row groups.
type Writer struct {
	fw      *pqarrow.FileWriter
	schema  *arrow.Schema
	builder *array.RecordBuilder
	rows    int
}

// rowGroupRows is how many rows a written row group holds.
const rowGroupRows = 64 << 10

// NewWriter writes a Parquet file of nullable UTF-8 columns named cols.
func NewWriter(w io.Writer, cols []string) (*Writer, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithDictionaryDefault(true), parquet.WithMaxRowGroupLength(rowGroupRows))
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return nil, fmt.Errorf("create Parquet writer: %w", err)
	}
	return &Writer{fw: fw, schema: schema, builder: array.NewRecordBuilder(memory.DefaultAllocator, schema)}, nil
}

// Write adds one row; fields are by column, an empty field is null.
func (w *Writer) Write(fields [][]byte) error {
	for i := range w.schema.Fields() {
		b := w.builder.Field(i).(*array.StringBuilder)
		if i < len(fields) && len(fields[i]) > 0 {
			b.BinaryBuilder.Append(fields[i])
		} else {
			b.AppendNull()
		}
	}
	w.rows++
	if w.rows >= 16<<10 {
		return w.flush()
	}
	return nil
}

func (w *Writer) flush() error {
	if w.rows == 0 {
		return nil
	}
	rec := w.builder.NewRecord()
	defer rec.Release()
	w.rows = 0
	if err := w.fw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("write Parquet rows: %w", err)
	}
	return nil
}

// Close writes what is buffered and the file footer.
func (w *Writer) Close() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.builder.Release()
	if err := w.fw.Close(); err != nil {
		return fmt.Errorf("close Parquet file: %w", err)
	}
	return nil
}

// IsParquet reports whether head starts with the Parquet magic.
func IsParquet(head []byte) bool { return strings.HasPrefix(string(head), Magic) }
