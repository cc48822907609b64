// Package input opens a contact file whatever its shape: it undoes gzip or
// zstd found by magic bytes, refuses binary and empty files with a one-line
// error naming the file, sniffs CSV, TSV, JSON Lines or Parquet, and returns
// a [formats.RecordReader] over the records. It also fingerprints the
// decompressed content (sha256), which fixes the job's piece ids.
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
	// MaxFields bounds the columns of a record. Default (0): 4096.
	MaxFields int
}

// ErrEmpty, ErrBinary: the input cannot be contact data.
var (
	ErrEmpty  = errors.New("empty file")
	ErrBinary = errors.New("binary data")
)

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
}

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

type countReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Fingerprint returns sha256 of path's decompressed content. It reads the
// whole file once.
func Fingerprint(path string, cfg Config) ([32]byte, error) {
	var sum [32]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	zr, err := compress.NewReader(f, path, cfg.Compress)
	if err != nil {
		return sum, err
	}
	defer zr.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, zr, make([]byte, 256<<10)); err != nil {
		return sum, fmt.Errorf("fingerprint: %w", err)
	}
	h.Sum(sum[:0])
	return sum, nil
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
	in := &Input{Name: name, Size: -1, read: new(atomic.Int64)}
	in.closers = append(in.closers, f)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		in.Size = st.Size()
		if st.Size() == 0 {
			return nil, fmt.Errorf("%s: %w", name, ErrEmpty)
		}
	}
	zr, err := compress.NewReader(countReader{f, in.read}, name, cfg.Compress)
	if err != nil {
		return nil, err
	}
	in.closers = append(in.closers, zr)
	in.Codec = zr.Codec
	br := bufio.NewReaderSize(zr, 64<<10)
	head, err := br.Peek(8 << 10)
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
		pr, err := parquet.NewReader(ctx, f, name)
		if err != nil {
			return nil, err
		}
		in.closers = append(in.closers, pr)
		in.RecordReader = pr
		if st, err := f.Stat(); err == nil {
			in.read.Store(st.Size())
		}
	case JSONL:
		jr, err := jsonl.NewReader(br, jsonl.ReaderConfig{MaxLineBytes: cfg.MaxRecordBytes, Name: name})
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
