// Package input opens a contact file whatever its shape: it undoes gzip or
// zstd found by magic bytes, refuses binary and empty files with a one-line
// error naming the file, sniffs CSV, TSV, JSON Lines or Parquet, and returns
// a [formats.RecordReader] over the records. It also fingerprints the
// decompressed content (sha256), which fixes the job's piece ids.
//
// A job reads its file twice, once to fingerprint it and once for its
// records, so both passes must see the same content. Each pass notes the
// file's [Version] when it opens the file and checks it again at the end
// of the file; a caller compares the two passes' versions. A file that a
// writer was still filling, or that was replaced, fails with [ErrChanged].
// (Parquet is read at random offsets, not to an end: for it only the two
// passes' versions are compared.)
package input

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/postmill/postmill/formats"
	"github.com/postmill/postmill/formats/compress"
	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/formats/jsonl"
	"github.com/postmill/postmill/formats/parquet"
)

// Format names an input format.
type Format string

// Input formats. Auto sniffs.
const (
	Auto    Format = ""
	CSV     Format = "csv"
	TSV     Format = "tsv"
	JSONL   Format = "jsonl"
	Parquet Format = "parquet"
)

// Config tunes opening. The zero value sniffs everything with the default
// limits.
type Config struct {
	// Format forces a format. Default (Auto): sniffed from the content.
	Format Format
	// Compress bounds decompression (bomb guard). Default: compress defaults.
	Compress compress.Config
	// MaxRecordBytes bounds one record or line. Default (0): 1 MiB.
	MaxRecordBytes int
	// MaxFields bounds the columns of a record (or of a Parquet file's
	// schema). Default (0): formats.DefaultMaxFields.
	MaxFields int
}

// ErrEmpty, ErrBinary: the input cannot be contact data.
var (
	ErrEmpty  = errors.New("empty file")
	ErrBinary = errors.New("binary data")
)

// ErrChanged reports a file whose size, modification time or identity
// moved while a run was reading it, or between the run's two passes: the
// piece ids (from the fingerprint) would not match the rows read.
var ErrChanged = errors.New("file changed during the run (still being written, or replaced?); run it again once it is complete")

// Version identifies a version of a regular file as the file system tells
// it: the file (device and inode), its size and its modification time. The
// zero Version, for what is not a regular file, is unknown.
type Version struct{ fi os.FileInfo }

// versionOf returns f's version now; unknown if f is not a regular file.
func versionOf(f *os.File) Version {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return Version{}
	}
	return Version{fi}
}

// Same reports whether v and w are the same version of the same file. An
// unknown version is the same as any.
func (v Version) Same(w Version) bool {
	if v.fi == nil || w.fi == nil {
		return true
	}
	return os.SameFile(v.fi, w.fi) && v.fi.Size() == w.fi.Size() && v.fi.ModTime().Equal(w.fi.ModTime())
}

// Print is what [Fingerprint] returns: sha256 of the decompressed content
// and the version of the file it was taken from.
type Print struct {
	Sum     [32]byte
	Version Version
}

// Input is an opened contact file.
type Input struct {
	formats.RecordReader
	// Name is the path as given.
	Name string
	// Format is the format read.
	Format Format
	// Codec is the compression found.
	Codec compress.Codec
	// Size is the file's size on disk, or -1 when unknown (stdin).
	Size    int64
	closers []io.Closer
	read    *atomic.Int64
	version Version
}

// Version returns the version of the file as it was opened (unknown for
// what is not a regular file). Reading fails with ErrChanged at the end of
// the file if it moved since.
func (in *Input) Version() Version { return in.version }

// BytesRead returns how many bytes of the file on disk were consumed, for a
// progress display.
func (in *Input) BytesRead() int64 { return in.read.Load() }

// Close closes the file and the decompressor.
func (in *Input) Close() error {
	var first error
	for i := len(in.closers) - 1; i >= 0; i-- {
		if err := in.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// countReader counts the bytes read from the file for BytesRead and, at
// the end of the file, checks that the file is still the version opened.
type countReader struct {
	f       *os.File
	n       *atomic.Int64
	version Version
}

// Read returns ErrChanged instead of io.EOF for a file that moved; the
// readers above it add the name (and line).
func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.n.Add(int64(n))
	if err == io.EOF && !c.version.Same(versionOf(c.f)) {
		err = ErrChanged
	}
	return n, err
}

// Fingerprint returns sha256 of path's decompressed content and the version
// of the file hashed. It reads the whole file once; a file that changes
// meanwhile is an ErrChanged.
func Fingerprint(path string, cfg Config) (Print, error) {
	f, err := os.Open(path)
	if err != nil {
		return Print{}, err
	}
	defer f.Close()
	cr := &countReader{f: f, n: new(atomic.Int64), version: versionOf(f)}
	zr, err := compress.NewReader(cr, path, cfg.Compress)
	if err != nil {
		return Print{}, err
	}
	defer zr.Close()
	h := sha256.New()
	_, err = io.CopyBuffer(h, zr, make([]byte, 256<<10))
	// The decompressor may stop at the end of its stream without reading
	// to the end of the file.
	if err == nil && !cr.version.Same(versionOf(f)) {
		err = ErrChanged
	}
	if errors.Is(err, ErrChanged) {
		return Print{}, fmt.Errorf("fingerprint %s: %w", path, err)
	}
	if err != nil {
		return Print{}, fmt.Errorf("fingerprint: %w", err)
	}
	p := Print{Version: cr.version}
	h.Sum(p.Sum[:0])
	return p, nil
}

// Open opens path (a regular file) and returns a reader of its records,
// positioned after the header.
func Open(ctx context.Context, path string, cfg Config) (*Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	in, err := open(ctx, f, path, cfg)
	if err != nil {
		f.Close()
		return nil, err
	}
	return in, nil
}

func open(ctx context.Context, f *os.File, name string, cfg Config) (*Input, error) {
	in := &Input{Name: name, Size: -1, read: new(atomic.Int64), version: versionOf(f)}
	in.closers = append(in.closers, f)
	if fi := in.version.fi; fi != nil { // a regular file
		in.Size = fi.Size()
		if in.Size == 0 {
			return nil, fmt.Errorf("%s: %w", name, ErrEmpty)
		}
	}
	zr, err := compress.NewReader(&countReader{f: f, n: in.read, version: in.version}, name, cfg.Compress)
	if err != nil {
		return nil, err
	}
	in.closers = append(in.closers, zr)
	in.Codec = zr.Codec
	br := bufio.NewReaderSize(zr, 64<<10)
	head, err := br.Peek(8 << 10)
	if errors.Is(err, ErrChanged) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	if len(head) == 0 {
		if in.Codec != compress.None {
			return nil, fmt.Errorf("%s: %w after %s decompression", name, ErrEmpty, in.Codec)
		}
		return nil, fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	format := cfg.Format
	if format == Auto {
		if format, err = sniff(name, head, in.Codec); err != nil {
			return nil, err
		}
	}
	in.Format = format
	switch format {
	case Parquet:
		if in.Codec != compress.None {
			return nil, fmt.Errorf("%s: Parquet inside %s is not supported (Parquet compresses its own pages)", name, in.Codec)
		}
		pr, err := parquet.NewReader(ctx, f, name, parquet.ReaderConfig{MaxFields: cfg.MaxFields})
		if err != nil {
			return nil, err
		}
		in.closers = append(in.closers, pr)
		in.RecordReader = pr
		if st, err := f.Stat(); err == nil {
			in.read.Store(st.Size())
		}
	case JSONL:
		jr, err := jsonl.NewReader(br, jsonl.ReaderConfig{MaxLineBytes: cfg.MaxRecordBytes, MaxFields: cfg.MaxFields, Name: name})
		if err != nil {
			return nil, err
		}
		in.RecordReader = jr
	case CSV, TSV:
		comma := byte(',')
		if format == TSV {
			comma = '\t'
		}
		cr := csv.NewReader(br, csv.ReaderConfig{Comma: comma, MaxRecordBytes: cfg.MaxRecordBytes, MaxFields: cfg.MaxFields, Name: name})
		if _, err := cr.ReadHeader(); err != nil {
			return nil, err
		}
		in.RecordReader = cr
	default:
		return nil, fmt.Errorf("%s: unknown format %q (want csv, tsv, jsonl or parquet)", name, format)
	}
	return in, nil
}

// sniff decides the format from the first decompressed bytes.
func sniff(name string, head []byte, codec compress.Codec) (Format, error) {
	if parquet.IsParquet(head) {
		return Parquet, nil
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return "", fmt.Errorf("%s: %w: a ZIP archive (an .xlsx workbook?); export it as CSV, or compress with gzip or zstd", name, ErrBinary)
	}
	if i := bytes.IndexByte(head, 0); i >= 0 {
		where := fmt.Sprintf("NUL byte at offset %d", i)
		if codec != compress.None {
			where += " of the " + string(codec) + "-decompressed data"
		}
		return "", fmt.Errorf("%s: %w (%s): not CSV, TSV, JSON Lines or Parquet", name, ErrBinary, where)
	}
	body := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	body = bytes.TrimLeft(body, " \t\r\n")
	if len(body) > 0 && body[0] == '{' {
		return JSONL, nil
	}
	first := body
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if bytes.Count(first, []byte{'\t'}) > bytes.Count(first, []byte{','}) {
		return TSV, nil
	}
	return CSV, nil
}
