package arrowbatch

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/klauspost/compress/zstd"

	"github.com/postmill/postmill/pipeline"
)

// Version is the batch format version this package writes and reads; it
// changes when a column changes meaning or goes away.
const Version = 1

// VersionKey is the Arrow schema metadata key that holds [Version].
const VersionKey = "postmill.batch_version"

// DefaultMaxBytes is how much memory Decode may allocate for one message
// unless configured otherwise: far above a batch of a few thousand rows,
// far below what a forged length field could ask for.
const DefaultMaxBytes = 256 << 20

// Decode errors. Every error Decode returns wraps one of them.
var (
	// ErrNotArrow: the payload is not an Arrow IPC stream.
	ErrNotArrow = errors.New("not an Arrow IPC stream")
	// ErrTruncated: the payload is the beginning of an Arrow IPC stream that
	// ends early.
	ErrTruncated = errors.New("truncated Arrow IPC stream")
	// ErrSchemaVersion: the stream carries no batch format version or one
	// this build does not know.
	ErrSchemaVersion = errors.New("unknown batch schema version")
	// ErrMalformed: a complete Arrow stream that is not a postmill batch
	// (missing or mistyped columns, bad metadata, corrupt buffers, more
	// than the decoder's memory budget).
	ErrMalformed = errors.New("malformed batch")
)

// Schema metadata keys besides VersionKey.
const (
	keyJobID       = "job.id"
	keyAccount     = "job.account"
	keyCampaign    = "job.campaign"
	keySource      = "job.source"
	keyFingerprint = "job.fingerprint"
	keySeq         = "batch.seq"
	keyLive        = "batch.live"
)

// Positions of the fixed columns; job columns follow them.
const (
	colNum = iota
	colLine
	colPieceID
	colFate
	colReason
	colDetail
	colNotes
	colRaw
	numFixed
)

var fixedFields = [numFixed]arrow.Field{
	{Name: "num", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "piece_id", Type: &arrow.FixedSizeBinaryType{ByteWidth: pipeline.PieceIDLen}},
	{Name: "fate", Type: arrow.PrimitiveTypes.Uint8},
	{Name: "reason", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "detail", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "notes", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.Binary, Nullable: true},
}

// Compression says how an [Encoder] compresses a batch.
type Compression uint8

// Compressions. Decode reads both.
const (
	// CompressStream (the default) wraps the whole Arrow IPC stream in one
	// zstd frame, with an encoder and decoder reused across batches: the
	// fastest, and the smallest on the wire.
	CompressStream Compression = iota
	// CompressBuffers uses Arrow's own body-buffer compression
	// (ipc.WithZstd): any Arrow reader can read the payload as it is, at
	// several times the CPU cost (a zstd frame per column buffer and a new
	// zstd encoder per batch).
	CompressBuffers
	// CompressNone writes the Arrow IPC stream uncompressed.
	CompressNone
)

// compressionNames are the names ParseCompression reads and String writes.
var compressionNames = [...]string{CompressStream: "zstd", CompressBuffers: "arrow-zstd", CompressNone: "none"}

// String names the compression as ParseCompression reads it.
func (c Compression) String() string {
	if int(c) < len(compressionNames) {
		return compressionNames[c]
	}
	return fmt.Sprintf("Compression(%d)", c)
}

// ParseCompression reads a compression's name: zstd (CompressStream),
// arrow-zstd (CompressBuffers) or none.
func ParseCompression(s string) (Compression, error) {
	for c, name := range compressionNames {
		if s == name {
			return Compression(c), nil
		}
	}
	return 0, fmt.Errorf("unknown compression %q (want zstd, arrow-zstd or none)", s)
}

// Encoder turns batches into Arrow IPC streams. It builds the Arrow buffers
// itself and keeps them between calls, so a steady stream of batches
// allocates little. The zero value is ready to use; an Encoder is not safe
// for concurrent use.
type Encoder struct {
	// Compression chooses the compression. Default: CompressStream.
	Compression Compression

	schema *pipeline.Schema // the job schema fields was built for
	rows   []*pipeline.Row
	fields []arrow.Field
	num    []int64
	line   []int64
	ids    []byte
	fates  []byte
	reason column
	detail column
	notes  column // list offsets and validity; values in noteVals
	noteV  column
	raw    column
	cols   []column
	arrs   []arrow.Array
	buf    bytes.Buffer
	zstd   *zstd.Encoder
}

// column accumulates one nullable variable-width column's Arrow buffers.
type column struct {
	valid   []byte
	nulls   int
	n       int
	offsets []int32
	data    []byte
}

// begin starts a column of n values, set by index with set and setString;
// a column of unknown length begins at 0 and grows with addString.
func (c *column) begin(n int) {
	c.nulls, c.n = 0, n
	c.valid = append(c.valid[:0], make([]byte, (n+7)/8)...)
	c.offsets = append(c.offsets[:0], make([]int32, n+1)...)
	c.data = c.data[:0]
}

// set stores value i (values are set in order); an empty one is null.
func (c *column) set(i int, v []byte) {
	if len(v) > 0 {
		c.valid[i>>3] |= 1 << (i & 7)
		c.data = append(c.data, v...)
	} else {
		c.nulls++
	}
	c.offsets[i+1] = int32(len(c.data))
}

func (c *column) setString(i int, v string) {
	if len(v) > 0 {
		c.valid[i>>3] |= 1 << (i & 7)
		c.data = append(c.data, v...)
	} else {
		c.nulls++
	}
	c.offsets[i+1] = int32(len(c.data))
}

// mark records whether value n is valid in the validity bitmap.
func (c *column) mark(ok bool) {
	if c.n%8 == 0 {
		c.valid = append(c.valid, 0)
	}
	if ok {
		c.valid[c.n/8] |= 1 << (c.n % 8)
	} else {
		c.nulls++
	}
	c.n++
}

func (c *column) addString(v string) {
	c.mark(v != "")
	c.data = append(c.data, v...)
	c.offsets = append(c.offsets, int32(len(c.data)))
}

func (c *column) validity() *memory.Buffer {
	if c.nulls == 0 {
		return nil
	}
	return memory.NewBufferBytes(c.valid)
}

func (c *column) array(t arrow.DataType) arrow.Array {
	d := array.NewData(t, c.n, []*memory.Buffer{c.validity(), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offsets)),
		memory.NewBufferBytes(c.data)}, nil, c.nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

func (e *Encoder) init(s *pipeline.Schema) {
	if e.schema == s && len(e.fields) == numFixed+s.Len() {
		return
	}
	e.schema = s
	e.fields = append(e.fields[:0], fixedFields[:]...)
	for _, n := range s.Names() {
		e.fields = append(e.fields, arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	for len(e.cols) < s.Len() {
		e.cols = append(e.cols, column{})
	}
}

// Encode appends b's encoding to dst and returns the extended buffer. It
// does not keep b. The batch's job must have a schema, and every row at
// most as many fields as the schema has columns.
func (e *Encoder) Encode(dst []byte, b *pipeline.Batch) ([]byte, error) {
	if b.Job == nil || b.Job.Schema == nil {
		return dst, errors.New("arrowbatch: encode: batch has no job schema")
	}
	e.init(b.Job.Schema)
	ncols := b.Job.Schema.Len()
	n := b.Len()
	e.rows = append(append(e.rows[:0], b.Rows...), b.Done...)
	defer clear(e.rows)
	for _, r := range e.rows {
		if len(r.Fields) > ncols {
			return dst, fmt.Errorf("arrowbatch: encode: row %d has %d fields, schema %d columns", r.Num, len(r.Fields), ncols)
		}
	}
	// Column by column: each loop touches one output buffer.
	e.num, e.line, e.ids, e.fates = e.num[:0], e.line[:0], e.ids[:0], e.fates[:0]
	for _, r := range e.rows {
		e.num = append(e.num, r.Num)
	}
	for _, r := range e.rows {
		e.line = append(e.line, r.Line)
	}
	for _, r := range e.rows {
		e.ids = append(e.ids, r.ID[:]...)
	}
	for _, r := range e.rows {
		e.fates = append(e.fates, uint8(r.Fate))
	}
	e.reason.begin(n)
	e.detail.begin(n)
	e.notes.begin(n)
	e.noteV.begin(0)
	e.raw.begin(n)
	for i, r := range e.rows {
		e.reason.setString(i, string(r.Reason))
		e.detail.setString(i, r.Detail)
		for _, note := range r.Notes {
			e.noteV.addString(string(note))
		}
		if len(r.Notes) > 0 {
			e.notes.valid[i/8] |= 1 << (i % 8)
		} else {
			e.notes.nulls++
		}
		e.notes.offsets[i+1] = int32(e.noteV.n)
		e.raw.set(i, r.Raw)
	}
	for c := 0; c < ncols; c++ {
		col := &e.cols[c]
		col.begin(n)
		for i, r := range e.rows {
			if c < len(r.Fields) {
				col.set(i, r.Fields[c])
			} else {
				col.set(i, nil)
			}
		}
	}

	prim := func(t arrow.DataType, p []byte) arrow.Array {
		d := array.NewData(t, n, []*memory.Buffer{nil, memory.NewBufferBytes(p)}, nil, 0, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	noteVals := array.NewData(arrow.BinaryTypes.String, e.noteV.n, []*memory.Buffer{e.noteV.validity(),
		memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(e.noteV.offsets)), memory.NewBufferBytes(e.noteV.data)}, nil, e.noteV.nulls, 0)
	notes := array.NewData(fixedFields[colNotes].Type, n, []*memory.Buffer{e.notes.validity(),
		memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(e.notes.offsets))}, []arrow.ArrayData{noteVals}, e.notes.nulls, 0)
	e.arrs = append(e.arrs[:0],
		prim(arrow.PrimitiveTypes.Int64, arrow.Int64Traits.CastToBytes(e.num)),
		prim(arrow.PrimitiveTypes.Int64, arrow.Int64Traits.CastToBytes(e.line)),
		prim(fixedFields[colPieceID].Type, e.ids),
		prim(arrow.PrimitiveTypes.Uint8, e.fates),
		e.reason.array(arrow.BinaryTypes.String),
		e.detail.array(arrow.BinaryTypes.String),
		array.MakeFromData(notes),
		e.raw.array(arrow.BinaryTypes.Binary))
	noteVals.Release()
	notes.Release()
	for c := 0; c < ncols; c++ {
		e.arrs = append(e.arrs, e.cols[c].array(arrow.BinaryTypes.String))
	}
	defer func() {
		for _, a := range e.arrs {
			a.Release()
		}
		clear(e.arrs)
	}()

	j := b.Job
	md := arrow.NewMetadata(
		[]string{VersionKey, keyJobID, keyAccount, keyCampaign, keySource, keyFingerprint, keySeq, keyLive},
		[]string{strconv.Itoa(Version), j.ID, j.Account, j.Campaign, j.Source, hex.EncodeToString(j.Fingerprint[:]),
			strconv.FormatUint(b.Seq, 10), strconv.Itoa(len(b.Rows))})
	schema := arrow.NewSchema(e.fields, &md)
	rec := array.NewRecord(schema, e.arrs, int64(n))
	defer rec.Release()

	e.buf.Reset()
	opts := []ipc.Option{ipc.WithSchema(schema)}
	if e.Compression == CompressBuffers {
		opts = append(opts, ipc.WithZstd())
	}
	w := ipc.NewWriter(&e.buf, opts...)
	if err := w.Write(rec); err != nil {
		return dst, fmt.Errorf("arrowbatch: encode batch %d: %w", b.Seq, err)
	}
	if err := w.Close(); err != nil {
		return dst, fmt.Errorf("arrowbatch: encode batch %d: %w", b.Seq, err)
	}
	if e.Compression != CompressStream {
		return append(dst, e.buf.Bytes()...), nil
	}
	if e.zstd == nil {
		z, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return dst, fmt.Errorf("arrowbatch: zstd encoder: %w", err)
		}
		e.zstd = z
	}
	return e.zstd.EncodeAll(e.buf.Bytes(), dst), nil
}

// encoders lets Encode share encoders between goroutines.
var encoders = sync.Pool{New: func() any { return new(Encoder) }}

// Encode returns b's encoding, using a pooled [Encoder].
func Encode(b *pipeline.Batch) ([]byte, error) {
	e := encoders.Get().(*Encoder)
	defer encoders.Put(e)
	return e.Encode(nil, b)
}

// Decoder turns Arrow IPC streams back into batches. It remembers the jobs
// it has seen, so every batch of one job shares one [*pipeline.Job]. The
// zero value is ready to use; a Decoder is not safe for concurrent use.
type Decoder struct {
	// MaxBytes bounds the memory one Decode may allocate while reading the
	// stream, against forged lengths and decompression bombs. Default (0):
	// DefaultMaxBytes.
	MaxBytes int64
	// NewJob, when set, is called with each job the decoder sees for the
	// first time, before any of its rows are built: a stage worker binds its
	// stage there, adding columns to the job's schema so decoded rows have
	// room for them. An error fails that Decode. Default: nil.
	NewJob func(*pipeline.Job) error

	jobs    map[string]*pipeline.Job
	reasons map[string]pipeline.Reason
	zstd    *zstd.Decoder
	buf     []byte
}

// zstdMagic starts every zstd frame.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// unwrap undoes CompressStream: it returns the Arrow stream inside a zstd
// frame, or p itself when p is not one.
func (d *Decoder) unwrap(p []byte, limit int64) ([]byte, error) {
	if len(p) < len(zstdMagic) && len(p) > 0 && bytes.HasPrefix(zstdMagic, p) {
		return nil, fmt.Errorf("%w: %d bytes of a zstd frame header", ErrTruncated, len(p))
	}
	if !bytes.HasPrefix(p, zstdMagic) {
		return p, nil
	}
	var h zstd.Header
	if err := h.Decode(p); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: zstd frame header: %v", ErrTruncated, err)
		}
		return nil, fmt.Errorf("%w: zstd frame header: %v", ErrMalformed, err)
	}
	if h.HasFCS && h.FrameContentSize > uint64(limit) {
		return nil, fmt.Errorf("%w: zstd frame holds %d bytes, more than the decoder's MaxBytes (%d)", ErrMalformed, h.FrameContentSize, limit)
	}
	if d.zstd == nil {
		z, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(limit)))
		if err != nil {
			return nil, fmt.Errorf("arrowbatch: zstd decoder: %w", err)
		}
		d.zstd = z
	}
	out, err := d.zstd.DecodeAll(p, d.buf[:0])
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: zstd frame: %v", ErrTruncated, err)
		}
		return nil, fmt.Errorf("%w: zstd frame: %v", ErrMalformed, err)
	}
	if cap(out) <= 4<<20 {
		d.buf = out
	}
	return out, nil
}

// maxJobs bounds the decoder's job memory; past it the oldest are forgotten
// all at once (a forgotten job is rebuilt from the next batch).
const maxJobs = 1024

// Decode returns the batch p encodes, from the batch pool; the caller owns
// it. p is not kept. Errors wrap ErrNotArrow, ErrTruncated, ErrSchemaVersion
// or ErrMalformed.
func (d *Decoder) Decode(p []byte) (b *pipeline.Batch, err error) {
	limit := d.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if p, err = d.unwrap(p, limit); err != nil {
		return nil, err
	}
	if err := checkFraming(p); err != nil {
		return nil, err
	}
	mem := &budget{left: limit}
	defer func() {
		// Arrow recovers its own panics; this one guards the row loop
		// against buffers whose offsets lie.
		if p := recover(); p != nil {
			if b != nil {
				b.Release()
			}
			b, err = nil, fmt.Errorf("%w: %v", ErrMalformed, p)
		}
	}()
	r, err := ipc.NewReader(bytes.NewReader(p), ipc.WithAllocator(mem))
	if err != nil {
		return nil, mem.wrap(ErrNotArrow, err)
	}
	defer r.Release()
	schema := r.Schema()
	md := schema.Metadata()
	v, ok := md.GetValue(VersionKey)
	if !ok {
		return nil, fmt.Errorf("%w: no %s in the schema metadata", ErrSchemaVersion, VersionKey)
	}
	if v != strconv.Itoa(Version) {
		return nil, fmt.Errorf("%w: version %q, this build reads %d", ErrSchemaVersion, v, Version)
	}
	job, live, seq, err := d.job(schema)
	if err != nil {
		return nil, err
	}
	if !r.Next() {
		if err := r.Err(); err != nil {
			return nil, mem.wrap(ErrMalformed, err)
		}
		return nil, fmt.Errorf("%w: stream has no record batch", ErrTruncated)
	}
	rec := r.Record()
	b, err = d.rows(job, seq, live, rec)
	if err != nil {
		return nil, err
	}
	if r.Next() {
		b.Release()
		return nil, fmt.Errorf("%w: more than one record batch", ErrMalformed)
	}
	if err := r.Err(); err != nil {
		b.Release()
		return nil, mem.wrap(ErrMalformed, err)
	}
	return b, nil
}

// Decode decodes p with a fresh [Decoder]: each batch gets a job of its own.
func Decode(p []byte) (*pipeline.Batch, error) {
	var d Decoder
	return d.Decode(p)
}

// job returns the job the schema describes, the same one for every batch of
// a job, and the batch's live row count and sequence number.
func (d *Decoder) job(s *arrow.Schema) (job *pipeline.Job, live int, seq uint64, err error) {
	md := s.Metadata()
	get := func(k string) string { v, _ := md.GetValue(k); return v }
	if seq, err = strconv.ParseUint(get(keySeq), 10, 64); err != nil {
		return nil, 0, 0, fmt.Errorf("%w: %s: %v", ErrMalformed, keySeq, err)
	}
	if live, err = strconv.Atoi(get(keyLive)); err != nil || live < 0 {
		return nil, 0, 0, fmt.Errorf("%w: %s %q", ErrMalformed, keyLive, get(keyLive))
	}
	var fp [32]byte
	if h := get(keyFingerprint); hex.DecodedLen(len(h)) != len(fp) {
		return nil, 0, 0, fmt.Errorf("%w: %s %q", ErrMalformed, keyFingerprint, h)
	} else if _, err := hex.Decode(fp[:], []byte(h)); err != nil {
		return nil, 0, 0, fmt.Errorf("%w: %s: %v", ErrMalformed, keyFingerprint, err)
	}
	if s.NumFields() < numFixed+pipeline.NumStandardCols {
		return nil, 0, 0, fmt.Errorf("%w: %d columns, want at least %d", ErrMalformed, s.NumFields(), numFixed+pipeline.NumStandardCols)
	}
	for i, f := range fixedFields {
		if got := s.Field(i); got.Name != f.Name || !arrow.TypeEqual(got.Type, f.Type) {
			return nil, 0, 0, fmt.Errorf("%w: column %d is %s %s, want %s %s", ErrMalformed, i, got.Name, got.Type, f.Name, f.Type)
		}
	}
	ncols := s.NumFields() - numFixed
	for i := numFixed; i < s.NumFields(); i++ {
		if f := s.Field(i); !arrow.TypeEqual(f.Type, arrow.BinaryTypes.String) {
			return nil, 0, 0, fmt.Errorf("%w: column %s is %s, want utf8", ErrMalformed, f.Name, f.Type)
		}
	}
	id := get(keyJobID)
	if j := d.jobs[id]; j != nil && j.Account == get(keyAccount) && j.Campaign == get(keyCampaign) &&
		j.Source == get(keySource) && j.Fingerprint == fp && sameColumns(j.Schema, s, ncols) {
		return j, live, seq, nil
	}
	schema := pipeline.NewSchema()
	for i := 0; i < ncols; i++ {
		name := s.Field(numFixed + i).Name
		if i < pipeline.NumStandardCols {
			if name != pipeline.StandardColumns[i] {
				return nil, 0, 0, fmt.Errorf("%w: column %d is %q, want standard column %q", ErrMalformed, numFixed+i, name, pipeline.StandardColumns[i])
			}
			continue
		}
		if schema.Add(name) != i {
			return nil, 0, 0, fmt.Errorf("%w: column %q appears twice", ErrMalformed, name)
		}
	}
	job = &pipeline.Job{ID: id, Account: get(keyAccount), Campaign: get(keyCampaign), Source: get(keySource),
		Fingerprint: fp, Schema: schema}
	if d.NewJob != nil {
		if err := d.NewJob(job); err != nil {
			return nil, 0, 0, fmt.Errorf("arrowbatch: new job %s: %w", id, err)
		}
	}
	if d.jobs == nil || len(d.jobs) >= maxJobs {
		d.jobs = map[string]*pipeline.Job{}
	}
	d.jobs[id] = job
	return job, live, seq, nil
}

// sameColumns reports whether the wire schema's job columns are the first
// columns of js (a bound stage may have added more after them).
func sameColumns(js *pipeline.Schema, s *arrow.Schema, ncols int) bool {
	if js.Len() < ncols {
		return false
	}
	for i := 0; i < ncols; i++ {
		if js.Name(i) != s.Field(numFixed+i).Name {
			return false
		}
	}
	return true
}

// rows builds the batch from the record.
func (d *Decoder) rows(job *pipeline.Job, seq uint64, live int, rec arrow.Record) (*pipeline.Batch, error) {
	n := int(rec.NumRows())
	if live > n {
		return nil, fmt.Errorf("%w: %d live rows in a batch of %d", ErrMalformed, live, n)
	}
	for i := 0; i < int(rec.NumCols()); i++ {
		if c := rec.Column(i); c.Len() != n {
			return nil, fmt.Errorf("%w: column %d has %d values, the batch %d rows", ErrMalformed, i, c.Len(), n)
		}
	}
	num := rec.Column(colNum).(*array.Int64)
	line := rec.Column(colLine).(*array.Int64)
	ids := rec.Column(colPieceID).(*array.FixedSizeBinary)
	fate := rec.Column(colFate).(*array.Uint8)
	reason := rec.Column(colReason).(*array.String)
	detail := rec.Column(colDetail).(*array.String)
	notes := rec.Column(colNotes).(*array.List)
	noteVals, ok := notes.ListValues().(*array.String)
	if !ok {
		return nil, fmt.Errorf("%w: notes are not strings", ErrMalformed)
	}
	raw := rec.Column(colRaw).(*array.Binary)
	ncols := int(rec.NumCols()) - numFixed
	cols := make([]*array.String, ncols)
	for c := range cols {
		cols[c] = rec.Column(numFixed + c).(*array.String)
	}

	b := pipeline.NewBatch(job, seq)
	var done []*pipeline.Row
	for i := 0; i < n; i++ {
		r := b.AddRow()
		r.Num, r.Line = num.Value(i), line.Value(i)
		if id := ids.Value(i); len(id) == pipeline.PieceIDLen {
			copy(r.ID[:], id)
		}
		f := pipeline.Fate(fate.Value(i))
		if f > pipeline.Deferred {
			b.Release()
			return nil, fmt.Errorf("%w: row %d has fate %d", ErrMalformed, r.Num, f)
		}
		r.Fate = f
		if !reason.IsNull(i) {
			r.Reason = d.reason(strBytes(reason, i))
		}
		if !detail.IsNull(i) {
			r.Detail = string(strBytes(detail, i))
		}
		if notes.IsValid(i) {
			lo, hi := notes.ValueOffsets(i)
			for k := lo; k < hi; k++ {
				r.Note(d.reason(strBytes(noteVals, int(k))))
			}
		}
		if raw.IsValid(i) {
			r.Raw = b.Copy(raw.Value(i))
		}
		for c, col := range cols {
			if col.IsValid(i) && c < len(r.Fields) {
				r.Fields[c] = b.Copy(strBytes(col, i))
			}
		}
		if i >= live {
			done = append(done, r)
		}
	}
	if len(done) > 0 {
		b.Rows = b.Rows[:live]
		b.Done = append(b.Done, done...)
	}
	return b, nil
}

// strBytes returns value i of a string array as a view of its data buffer.
func strBytes(a *array.String, i int) []byte {
	off := a.ValueOffsets()
	return a.ValueBytes()[off[i]:off[i+1]]
}

// reason interns a reason code: a batch holds few distinct ones, so decoding
// them does not allocate per row.
func (d *Decoder) reason(p []byte) pipeline.Reason {
	if r, ok := d.reasons[string(p)]; ok {
		return r
	}
	if d.reasons == nil || len(d.reasons) >= 4096 {
		d.reasons = map[string]pipeline.Reason{}
	}
	r := pipeline.Reason(p)
	d.reasons[string(r)] = r
	return r
}

// budget is an allocator that refuses to hand out more than left bytes in
// all; past that it panics, which the Arrow reader turns into an error.
type budget struct {
	left     int64
	exceeded bool
}

var errBudget = errors.New("arrowbatch: memory budget exceeded")

func (m *budget) take(n int) {
	if n < 0 || int64(n) > m.left {
		m.exceeded = true
		panic(errBudget)
	}
	m.left -= int64(n)
}

func (m *budget) Allocate(size int) []byte {
	m.take(size)
	return make([]byte, size)
}

func (m *budget) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	m.take(size)
	nb := make([]byte, size)
	copy(nb, b)
	return nb
}

func (m *budget) Free([]byte) {}

// wrap reports an Arrow read error as sentinel, or as ErrMalformed when the
// memory budget ran out.
func (m *budget) wrap(sentinel, err error) error {
	if m.exceeded {
		return fmt.Errorf("%w: decoding needs more than the decoder's MaxBytes", ErrMalformed)
	}
	return fmt.Errorf("%w: %v", sentinel, err)
}

// continuation starts every message of an Arrow IPC stream.
const continuation = 0xFFFFFFFF

// checkFraming walks the stream's message frames before Arrow reads them:
// it tells a truncated stream from one that is not Arrow at all, and stops
// forged lengths from making the reader allocate gigabytes.
func checkFraming(p []byte) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: empty payload", ErrTruncated)
	}
	msgs := 0
	for pos := 0; ; msgs++ {
		rest := p[pos:]
		if len(rest) < 8 {
			if bytes.HasPrefix([]byte{0xff, 0xff, 0xff, 0xff}, rest) || (len(rest) >= 4 && binary.LittleEndian.Uint32(rest) == continuation) {
				return fmt.Errorf("%w: %d bytes, stream ends inside message %d", ErrTruncated, len(p), msgs)
			}
			return notArrow(msgs, "bad message frame at byte %d", pos)
		}
		if binary.LittleEndian.Uint32(rest) != continuation {
			return notArrow(msgs, "no continuation marker at byte %d", pos)
		}
		metaLen := int64(int32(binary.LittleEndian.Uint32(rest[4:])))
		if metaLen == 0 { // end of stream
			if msgs < 2 {
				return fmt.Errorf("%w: stream ends after %d message(s), want a schema and a record batch", ErrTruncated, msgs)
			}
			if pos+8 != len(p) {
				return fmt.Errorf("%w: %d bytes after the end of the stream", ErrMalformed, len(p)-pos-8)
			}
			return nil
		}
		if metaLen < 0 || metaLen > 1<<20 {
			return notArrow(msgs, "message %d metadata length %d", msgs, metaLen)
		}
		if int64(len(rest)-8) < metaLen {
			return fmt.Errorf("%w: %d bytes, message %d metadata needs %d more", ErrTruncated, len(p), msgs, metaLen-int64(len(rest)-8))
		}
		body, ok := bodyLength(rest[8 : 8+metaLen])
		if !ok || body < 0 || !checkSchemaMessage(rest[8:8+metaLen]) {
			return notArrow(msgs, "message %d metadata is not a flatbuffer message", msgs)
		}
		if int64(len(rest))-8-metaLen < body {
			return fmt.Errorf("%w: %d bytes, message %d body needs %d more", ErrTruncated, len(p), msgs, body-(int64(len(rest))-8-metaLen))
		}
		pos += int(8 + metaLen + body)
		if pos == len(p) {
			return fmt.Errorf("%w: %d bytes, no end-of-stream marker after message %d", ErrTruncated, len(p), msgs)
		}
	}
}

// notArrow reports a framing problem: in the first message it means the
// payload is not Arrow; later, a corrupt stream.
func notArrow(msgs int, format string, args ...any) error {
	if msgs == 0 {
		return fmt.Errorf("%w: "+format, append([]any{ErrNotArrow}, args...)...)
	}
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// bodyLength reads the bodyLength field (id 3, int64) of an Arrow Message
// flatbuffer table, checking every offset against the buffer.
func bodyLength(fb []byte) (int64, bool) {
	if len(fb) < 8 {
		return 0, false
	}
	table := int64(binary.LittleEndian.Uint32(fb))
	if table+4 > int64(len(fb)) {
		return 0, false
	}
	vtable := table - int64(int32(binary.LittleEndian.Uint32(fb[table:])))
	if vtable < 0 || vtable+4 > int64(len(fb)) {
		return 0, false
	}
	vsize := int64(binary.LittleEndian.Uint16(fb[vtable:]))
	const slot = 4 + 2*3
	if vsize < slot+2 || vtable+vsize > int64(len(fb)) {
		return 0, true // field absent: no body
	}
	off := int64(binary.LittleEndian.Uint16(fb[vtable+slot:]))
	if off == 0 {
		return 0, true
	}
	if table+off+8 > int64(len(fb)) {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint64(fb[table+off:])), true
}
