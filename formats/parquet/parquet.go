// Package parquet reads contact records from Parquet files and writes piece
// rows to them, through Apache Arrow (arrow/go/v17 pqarrow). Every column is
// read as text: strings as they are, numbers, booleans, dates and
// timestamps in their canonical text form, nulls as empty. Rows are written
// as a schema of nullable UTF-8 columns, zstd-compressed.
package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/postmill/postmill/formats"
)

// Magic is the four bytes a Parquet file starts (and ends) with.
const Magic = "PAR1"

// DefaultMaxMemory is a Reader's memory bound unless configured otherwise:
// room for a row group of a few million contact rows decoded.
const DefaultMaxMemory = 1 << 30

// ReaderConfig bounds what a Reader takes from a file. The zero value takes
// the defaults.
type ReaderConfig struct {
	// MaxMemory bounds the bytes the reader holds in Arrow buffers at once:
	// the pages of a row group and the records decoded from them. A file
	// that claims more (corrupt, or made to exhaust memory) fails with
	// ErrTooLarge rather than taking the machine's memory. Default (0):
	// DefaultMaxMemory.
	MaxMemory int64
	// MaxFields bounds the schema's columns: a wider file fails with
	// formats.ErrTooManyFields. Default (0): formats.DefaultMaxFields.
	MaxFields int
}

// ErrTooLarge is wrapped by the error of a file that needs more memory than
// ReaderConfig.MaxMemory allows.
var ErrTooLarge = errors.New("needs more memory than the reader's limit (corrupt, or row groups too large)")

// ErrCorrupt is wrapped by the error of a file the Parquet decoder gave up
// on.
var ErrCorrupt = errors.New("corrupt Parquet file")

// Reader reads a Parquet file's rows as text fields.
type Reader struct {
	pf     *file.Reader
	rr     pqarrow.RecordReader
	mem    *boundedAllocator
	offs   []int
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
func NewReader(ctx context.Context, r parquet.ReaderAtSeeker, name string, cfg ReaderConfig) (rd *Reader, err error) {
	if cfg.MaxMemory <= 0 {
		cfg.MaxMemory = DefaultMaxMemory
	}
	if cfg.MaxFields <= 0 {
		cfg.MaxFields = formats.DefaultMaxFields
	}
	mem := &boundedAllocator{limit: cfg.MaxMemory}
	var pf *file.Reader
	defer func() {
		if err != nil && pf != nil {
			pf.Close()
		}
	}()
	defer recoverDecode(name, &err) // first: the cleanup above sees its error
	pf, err = file.NewParquetReader(r, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", name, err)
	}
	if n := pf.MetaData().Schema.NumColumns(); n > cfg.MaxFields {
		return nil, fmt.Errorf("%s: %w: %d Parquet columns, over %d", name, formats.ErrTooManyFields, n, cfg.MaxFields)
	}
	if err := checkChunks(pf); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrCorrupt, err)
	}
	// Rows are read on the caller's goroutine (Parallel off), so that a
	// decoder panic while reading reaches recoverDecode; only opening the
	// columns uses goroutines of pqarrow's, hence checkChunks first.
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 4096}, mem)
	if err != nil {
		return nil, fmt.Errorf("%s: read Parquet schema: %w", name, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: read Parquet rows: %w", name, err)
	}
	schema := rr.Schema()
	h := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		h[i] = f.Name
	}
	return &Reader{pf: pf, rr: rr, header: h, name: name, fields: make([][]byte, len(h)), offs: make([]int, len(h)+1), mem: mem}, nil
}

// Header returns the column names.
func (r *Reader) Header() []string { return r.header }

// Raw returns the last row's fields joined by commas.
func (r *Reader) Raw() []byte { return r.raw }

// Line returns the last row's 1-based row number (Parquet has no lines).
func (r *Reader) Line() int64 { return r.n }

// Read returns the next row.
func (r *Reader) Read() (fields [][]byte, err error) {
	defer recoverDecode(r.name, &err)
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
	offs := r.offs[:0]
	for _, col := range r.rec.Columns() {
		offs = append(offs, len(r.buf))
		r.buf = appendValue(r.buf, col, r.row)
	}
	offs = append(offs, len(r.buf))
	if len(offs) != len(r.fields)+1 {
		return nil, fmt.Errorf("%s: %w: a record of %d columns, the schema has %d", r.name, ErrCorrupt, len(offs)-1, len(r.fields))
	}
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

// checkChunks reads every row group's column chunk metadata on this
// goroutine. pqarrow reads it on goroutines of its own when it opens the
// columns, where a panic over a malformed footer (a row group short of
// chunks, a chunk without metadata) would stop the process instead of
// reaching recoverDecode.
func checkChunks(pf *file.Reader) error {
	md := pf.MetaData()
	cols := md.Schema.NumColumns()
	for g := range pf.NumRowGroups() {
		rg := md.RowGroup(g)
		if rg.NumColumns() != cols {
			return fmt.Errorf("row group %d has %d column chunks for %d columns", g, rg.NumColumns(), cols)
		}
		for c := range cols {
			if _, err := rg.ColumnChunk(c); err != nil {
				return fmt.Errorf("row group %d column %d: %w", g, c, err)
			}
		}
	}
	return nil
}

// recoverDecode turns a panic of the Parquet decoder into *err: the
// allocator's when a file needs more memory than allowed (ErrTooLarge), or
// the decoder's own on input it cannot handle (ErrCorrupt). Arrow's Parquet
// code panics on some malformed files rather than returning an error; a
// contact file is untrusted input.
func recoverDecode(name string, err *error) {
	p := recover()
	if p == nil {
		return
	}
	if e, ok := p.(budgetError); ok {
		*err = fmt.Errorf("%s: %w: %d bytes at once, limit %d", name, ErrTooLarge, e.want, e.limit)
		return
	}
	*err = fmt.Errorf("%s: %w: %v", name, ErrCorrupt, p)
}

// boundedAllocator is Go memory with a bound on the bytes allocated and
// not yet freed: past it, Allocate panics with a budgetError, which
// recoverDecode turns into ErrTooLarge.
type boundedAllocator struct {
	limit int64
	used  atomic.Int64
	peak  atomic.Int64
	mem   memory.GoAllocator
}

// budgetError is the panic value of an allocation over the bound.
type budgetError struct{ want, limit int64 }

// Allocate returns size bytes, or panics past the bound.
func (a *boundedAllocator) Allocate(size int) []byte {
	a.reserve(int64(size))
	return a.mem.Allocate(size)
}

// Reallocate resizes b, or panics past the bound.
func (a *boundedAllocator) Reallocate(size int, b []byte) []byte {
	a.reserve(int64(size - len(b)))
	return a.mem.Reallocate(size, b)
}

// Free gives b's bytes back to the bound.
func (a *boundedAllocator) Free(b []byte) {
	a.used.Add(-int64(len(b)))
	a.mem.Free(b)
}

func (a *boundedAllocator) reserve(n int64) {
	used := a.used.Add(n)
	if used > a.limit {
		a.used.Add(-n)
		panic(budgetError{want: used, limit: a.limit})
	}
	for p := a.peak.Load(); used > p && !a.peak.CompareAndSwap(p, used); p = a.peak.Load() {
	}
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
