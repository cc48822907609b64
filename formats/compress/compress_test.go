package compress

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

func gzipped(t testing.TB, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range parts { // one gzip member each
		w := gzip.NewWriter(&b)
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func zstded(t testing.TB, s string) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll([]byte(s), nil)
}

const text = "first_name,last_name\nAda,Lovelace\n"

func TestDetectAndRead(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		codec Codec
		want  string
	}{
		{"plain", []byte(text), None, text},
		{"empty", nil, None, ""},
		{"one byte of the gzip magic", []byte{0x1f}, None, "\x1f"},
		{"gzip", gzipped(t, text), Gzip, text},
		{"gzip, two members", gzipped(t, "a,b\n", "1,2\n"), Gzip, "a,b\n1,2\n"},
		{"zstd", zstded(t, text), Zstd, text},
		{"zstd, two frames", append(zstded(t, "a,b\n"), zstded(t, "1,2\n")...), Zstd, "a,b\n1,2\n"},
		{"gzip-named but plain", []byte("\x1e\x8b,plain\n"), None, "\x1e\x8b,plain\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.in), "f", Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Codec != tt.codec {
				t.Errorf("codec %s, want %s", r.Codec, tt.codec)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("read %q, want %q", got, tt.want)
			}
		})
	}
}

// failAfter returns its data, then err.
type failAfter struct {
	data []byte
	err  error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestErrors(t *testing.T) {
	big := strings.Repeat("Ada,Lovelace,12 Main St,02108\n", 20000)
	gz := gzipped(t, big)
	corrupt := bytes.Clone(gz)
	for i := 20; i < len(corrupt)-20; i += 7 {
		corrupt[i] ^= 0x5a
	}
	zs := zstded(t, big)
	diskErr := errors.New("input/output error")
	tests := []struct {
		name string
		in   io.Reader
		cfg  Config
		want string // the error's text starts with it
		is   error
		not  string // and does not contain it
	}{
		{"truncated gzip", bytes.NewReader(gz[:len(gz)/2]), Config{}, "f: truncated gzip stream", io.ErrUnexpectedEOF, ""},
		{"corrupt gzip", bytes.NewReader(corrupt), Config{}, "f: corrupt gzip stream", nil, ""},
		{"truncated zstd", bytes.NewReader(zs[:len(zs)/2]), Config{}, "f: truncated zstd stream", nil, ""},
		{"size guard", bytes.NewReader(gz), Config{MaxBytes: 100_000}, "f: decompression bomb guard: more than 100000 bytes decompressed", ErrBomb, ""},
		// A failed read of the compressed file is the disk's error, not
		// corrupt data.
		{"source read error", &failAfter{data: gz[:len(gz)/2], err: diskErr}, Config{}, "", diskErr, "corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(tt.in, "f", tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			_, err = io.Copy(io.Discard, r)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line starting %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if tt.not != "" && strings.Contains(err.Error(), tt.not) {
				t.Errorf("error %q says %q", err, tt.not)
			}
		})
	}
}

// TestRatioGuard: past the first 64 MiB, more than MaxRatio bytes out per
// byte in is a bomb; under the grace, a very repetitive file passes.
func TestRatioGuard(t *testing.T) {
	zeros := func(n int) []byte { // n bytes of "0" lines, gzip-compressed about 1000:1
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		line := []byte(strings.Repeat("0", 1023) + "\n")
		for range n / len(line) {
			w.Write(line)
		}
		w.Close()
		return b.Bytes()
	}
	small := zeros(8 << 20)
	r, err := NewReader(bytes.NewReader(small), "small.gz", Config{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, r); err != nil || n != 8<<20 {
		t.Fatalf("8 MiB under the grace: %d bytes, %v", n, err)
	}
	r, err = NewReader(bytes.NewReader(zeros(80<<20)), "big.gz", Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, r)
	if !errors.Is(err, ErrBomb) || !strings.Contains(err.Error(), "big.gz: decompression bomb guard: ") || !strings.Contains(err.Error(), "over 200:1") {
		t.Fatalf("80 MiB at about 1000:1: %v, want the ratio guard", err)
	}
	// The guard can be turned off.
	r, err = NewReader(bytes.NewReader(zeros(80<<20)), "big.gz", Config{MaxRatio: -1})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, r); err != nil || n != 80<<20 {
		t.Fatalf("with MaxRatio -1: %d bytes, %v", n, err)
	}
}
