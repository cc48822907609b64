// Package compress detects gzip and zstd input by its magic bytes, never by
// file name, and returns a reader of the decompressed stream guarded against
// decompression bombs.
package compress

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Codec names a compression format.
type Codec string

// Codecs detected by magic bytes.
const (
	None Codec = "none"
	Gzip Codec = "gzip"
	Zstd Codec = "zstd"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// DefaultMaxBytes is the default bound on decompressed bytes: 64 GiB.
const DefaultMaxBytes = 64 << 30

// DefaultMaxRatio is the default bound on decompressed/compressed bytes.
// Contact exports compress about 5–15×; deflate's ceiling is about 1032×.
const DefaultMaxRatio = 200

// ratioGrace is how many decompressed bytes pass before the ratio is
// checked, so small, very repetitive files are not refused.
const ratioGrace = 64 << 20

// Config bounds decompression. The zero value uses the defaults.
type Config struct {
	// MaxBytes is the most decompressed bytes read. Default (0):
	// DefaultMaxBytes; -1: no limit.
	MaxBytes int64
	// MaxRatio is the most decompressed bytes per compressed byte once
	// 64 MiB have been decompressed. Default (0): DefaultMaxRatio; -1: no
	// limit.
	MaxRatio int64
}

// ErrBomb is returned when a compressed input exceeds a bound.
var ErrBomb = errors.New("decompression bomb guard")

// Reader is the decompressed stream of an input.
type Reader struct {
	io.Reader
	// Codec is the compression detected.
	Codec   Codec
	closers []io.Closer
}

// Close releases the decompressor (not the underlying reader).
func (r *Reader) Close() error {
	for _, c := range r.closers {
		c.Close()
	}
	return nil
}

// countingReader counts bytes read from the compressed input and keeps
// the last error reading it, so that a failed read is not called corrupt
// data.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// NewReader sniffs r's first bytes and returns a reader of its decompressed
// content. name is used in error messages only.
func NewReader(r io.Reader, name string, cfg Config) (*Reader, error) {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxRatio == 0 {
		cfg.MaxRatio = DefaultMaxRatio
	}
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	out := &Reader{Codec: None}
	switch {
	case len(head) >= 2 && head[0] == gzipMagic[0] && head[1] == gzipMagic[1]:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: corrupt gzip header: %w", name, err)
		}
		out.Codec = Gzip
		out.closers = append(out.closers, zr)
		out.Reader = &guard{r: &errNamer{r: zr, src: cr, name: name, codec: Gzip}, in: cr, name: name, cfg: cfg}
	case len(head) == 4 && string(head) == string(zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(256<<20))
		if err != nil {
			return nil, fmt.Errorf("%s: corrupt zstd header: %w", name, err)
		}
		out.Codec = Zstd
		out.closers = append(out.closers, closerFunc(func() error { zr.Close(); return nil }))
		out.Reader = &guard{r: &errNamer{r: zr, src: cr, name: name, codec: Zstd}, in: cr, name: name, cfg: cfg}
	default:
		out.Reader = br
	}
	return out, nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// errNamer turns a decompressor's errors into one-line messages that name
// the file and say it is corrupt or truncated. An error reading the
// compressed input itself passes through as it is.
type errNamer struct {
	r     io.Reader
	src   *countingReader
	name  string
	codec Codec
}

func (e *errNamer) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == nil || err == io.EOF || (e.src.err != nil && errors.Is(err, e.src.err)) {
		return n, err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return n, fmt.Errorf("%s: truncated %s stream: %w", e.name, e.codec, err)
	}
	return n, fmt.Errorf("%s: corrupt %s stream: %w", e.name, e.codec, err)
}

// guard bounds the decompressed size and ratio.
type guard struct {
	r    io.Reader
	in   *countingReader
	out  int64
	name string
	cfg  Config
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.out += int64(n)
	if g.cfg.MaxBytes > 0 && g.out > g.cfg.MaxBytes {
		return n, fmt.Errorf("%s: %w: more than %d bytes decompressed", g.name, ErrBomb, g.cfg.MaxBytes)
	}
	if g.cfg.MaxRatio > 0 && g.out > ratioGrace && g.in.n > 0 && g.out/g.in.n > g.cfg.MaxRatio {
		return n, fmt.Errorf("%s: %w: %d bytes decompressed from %d, over %d:1", g.name, ErrBomb, g.out, g.in.n, g.cfg.MaxRatio)
	}
	return n, err
}
