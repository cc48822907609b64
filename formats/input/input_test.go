package input

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/postmill/postmill/formats"
	"github.com/postmill/postmill/formats/compress"
	"github.com/postmill/postmill/formats/parquet"
)

const sample = "first_name,last_name,address_zip\nAda,Lovelace,02108\nGrace,Hopper,10001\n"

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func zst(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func write(t testing.TB, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t testing.TB, in *Input) []string {
	var rows []string
	for {
		f, err := in.Read()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, v := range f {
			parts = append(parts, string(v))
		}
		rows = append(rows, strings.Join(parts, "|"))
	}
}

func parquetFile(t testing.TB) []byte {
	var b bytes.Buffer
	w, err := parquet.NewWriter(&b, []string{"first_name", "last_name", "address_zip"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([][]byte{[]byte("Ada"), []byte("Lovelace"), []byte("02108")})
	w.Write([][]byte{[]byte("Grace"), []byte("Hopper"), []byte("10001")})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestOpenFormats: each format and compression, named misleadingly on
// purpose, reads the same two rows: detection is by content, not name.
func TestOpenFormats(t *testing.T) {
	jsonlData := `{"first_name":"Ada","last_name":"Lovelace","address_zip":"02108"}` + "\n" +
		`{"first_name":"Grace","last_name":"Hopper","address_zip":"10001"}` + "\n"
	tsv := strings.ReplaceAll(sample, ",", "\t")
	tests := []struct {
		name   string
		data   []byte
		format Format
		codec  compress.Codec
	}{
		{"plain.txt", []byte(sample), CSV, compress.None},
		{"gzipped.csv", gz(t, []byte(sample)), CSV, compress.Gzip},
		{"zstd.gz", zst(t, []byte(sample)), CSV, compress.Zstd},
		{"tabs.csv", []byte(tsv), TSV, compress.None},
		{"tabs.zst", zst(t, []byte(tsv)), TSV, compress.Zstd},
		{"lines.csv", []byte(jsonlData), JSONL, compress.None},
		{"lines.gz", gz(t, []byte(jsonlData)), JSONL, compress.Gzip},
		{"table.csv", parquetFile(t), Parquet, compress.None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Open(context.Background(), write(t, tt.name, tt.data), Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			if in.Format != tt.format || in.Codec != tt.codec {
				t.Fatalf("format %s codec %s, want %s %s", in.Format, in.Codec, tt.format, tt.codec)
			}
			if got := strings.Join(in.Header(), ","); got != "first_name,last_name,address_zip" {
				t.Fatalf("header %q", got)
			}
			got := readAll(t, in)
			if strings.Join(got, ";") != "Ada|Lovelace|02108;Grace|Hopper|10001" {
				t.Fatalf("rows %q", got)
			}
			if in.BytesRead() != int64(len(tt.data)) {
				t.Fatalf("bytes read %d, want %d", in.BytesRead(), len(tt.data))
			}
		})
	}
}

// bomb builds a gzip file that decompresses to copies × 64 MiB of zeros
// (or of text when text is set) from one compressed member repeated.
func bomb(t testing.TB, copies int, text bool) []byte {
	chunk := make([]byte, 64<<20)
	if text {
		copy(chunk, "a,b\n")
		for i := 4; i < len(chunk); i *= 2 {
			copy(chunk[i:], chunk[:i])
		}
	}
	member := gz(t, chunk)
	return bytes.Repeat(member, copies)
}

// TestBadInputs: every broken file ends in one line that names the file and
// says what is wrong, without a panic.
func TestBadInputs(t *testing.T) {
	good := gz(t, []byte(strings.Repeat(sample, 2000)))
	corrupt := append([]byte(nil), good...)
	for i := 20; i < len(corrupt)-20; i += 7 {
		corrupt[i] ^= 0x5a
	}
	z := zst(t, []byte(strings.Repeat(sample, 20000)))
	// A footer whose row group lacks a column chunk's metadata (found by
	// formats/parquet's FuzzReader): the decoder panics on it, on a
	// goroutine of its own unless the reader checks the chunks first.
	footer, err := os.ReadFile("testdata/corrupt-footer.parquet")
	if err != nil {
		t.Fatal(err)
	}
	var wideBuf bytes.Buffer
	pw, err := parquet.NewWriter(&wideBuf, strings.Split("a,b,c,d,e,f,g,h,i", ","))
	if err != nil {
		t.Fatal(err)
	}
	if err := pw.Write([][]byte{[]byte("1")}); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	wide := wideBuf.Bytes()
	tests := []struct {
		name, file string
		data       []byte
		cfg        Config
		want       string
		is         error
	}{
		{"empty", "empty.csv", nil, Config{}, "empty.csv: empty file", ErrEmpty},
		{"empty gzip", "empty.csv.gz", gz(t, nil), Config{}, "empty.csv.gz: empty file after gzip decompression", ErrEmpty},
		{"binary", "photo.csv", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...), Config{}, "photo.csv: binary data (NUL byte at offset 8)", ErrBinary},
		{"xlsx", "book.csv", append([]byte("PK\x03\x04"), make([]byte, 50)...), Config{}, "book.csv: binary data: a ZIP archive", ErrBinary},
		{"corrupt gzip", "bad.csv.gz", corrupt, Config{}, "bad.csv.gz: corrupt gzip stream", nil},
		{"truncated gzip", "cut.csv.gz", good[:len(good)/2], Config{}, "cut.csv.gz: truncated gzip stream", nil},
		{"truncated zstd", "cut.csv.zst", z[:len(z)/2], Config{}, "cut.csv.zst: truncated zstd stream", nil},
		{"10 GB zero bomb", "zeros.csv.gz", bomb(t, 160, false), Config{}, "zeros.csv.gz: binary data (NUL byte at offset 0 of the gzip-decompressed data)", ErrBinary},
		{"text bomb, ratio guard", "text.csv.gz", bomb(t, 4, true), Config{}, "text.csv.gz: decompression bomb guard", compress.ErrBomb},
		{"text bomb, size guard", "text.csv.gz", bomb(t, 1, true), Config{Compress: compress.Config{MaxBytes: 1 << 20, MaxRatio: -1}}, "text.csv.gz: decompression bomb guard: more than 1048576 bytes", compress.ErrBomb},
		{"bad parquet", "t.parquet", []byte("PAR1 and then nothing"), Config{}, "t.parquet: not a readable Parquet file", nil},
		{"corrupt parquet footer", "f.parquet", footer, Config{}, "f.parquet: corrupt Parquet file", parquet.ErrCorrupt},
		{"parquet too wide", "wide.parquet", wide, Config{MaxFields: 8}, "wide.parquet: too many fields: 9 Parquet columns, over 8", formats.ErrTooManyFields},
		{"json lines too wide", "wide.jsonl", []byte(`{"a":1,"b":2,"c":3}` + "\n"), Config{MaxFields: 2}, "wide.jsonl line 1: first record: too many fields: 3 keys, over 2", formats.ErrTooManyFields},
		{"no header", "blank.csv", []byte("\n\n\n"), Config{}, "blank.csv: empty input: no header row", nil},
		{"bad header quoting", "q.csv", []byte("\"first_name,last_name\n"), Config{}, "q.csv: header: line 1: bad quoting", formats.ErrQuote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, tt.file, tt.data)
			var err error
			in, err := Open(context.Background(), path, tt.cfg)
			if err == nil {
				for {
					_, err = in.Read()
					var re *formats.RowError
					if errors.As(err, &re) {
						continue
					}
					if err != nil {
						break
					}
				}
				in.Close()
				if err == io.EOF {
					err = nil
				}
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, path) {
				t.Fatalf("error %q: want one line starting with the path and containing %q", msg, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	plain := write(t, "a.csv", []byte(sample))
	zipped := write(t, "b.csv.gz", gz(t, []byte(sample)))
	other := write(t, "c.csv", []byte(sample+"x,y,z\n"))
	a, err := Fingerprint(plain, Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Fingerprint(zipped, Config{})
	c, _ := Fingerprint(other, Config{})
	if a.Sum != b.Sum {
		t.Fatal("same content, compressed or not, must fingerprint the same")
	}
	if a.Sum == c.Sum {
		t.Fatal("different content fingerprinted the same")
	}
}

// TestChangedWhileRead: a file that grows while it is read (a writer still
// filling it) fails at its end with ErrChanged naming the file, plain or
// compressed; the same file left alone reads to the end.
func TestChangedWhileRead(t *testing.T) {
	var body strings.Builder
	body.WriteString("first_name,last_name,address_zip\n")
	for i := range 20_000 {
		fmt.Fprintf(&body, "Ada%d,Lovelace,02108\n", i)
	}
	more := []byte("Grace,Hopper,10001\n")
	for _, tc := range []struct {
		name   string
		data   []byte
		append []byte // what the writer adds after the first record
	}{
		{"plain", []byte(body.String()), more},
		{"gzip", gz(t, []byte(body.String())), gz(t, more)},   // a second gzip member
		{"zstd", zst(t, []byte(body.String())), zst(t, more)}, // a second zstd frame
	} {
		for _, grow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/grown=%v", tc.name, grow), func(t *testing.T) {
				path := write(t, "contacts.csv", tc.data)
				in, err := Open(context.Background(), path, Config{})
				if err != nil {
					t.Fatal(err)
				}
				defer in.Close()
				if _, err := in.Read(); err != nil {
					t.Fatal(err)
				}
				if grow {
					f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
					if err != nil {
						t.Fatal(err)
					}
					f.Write(tc.append)
					f.Close()
				}
				rows := 1
				for {
					_, err = in.Read()
					if err != nil {
						break
					}
					rows++
				}
				switch {
				case !grow && err != io.EOF:
					t.Fatalf("unchanged file: %v after %d rows, want io.EOF", err, rows)
				case !grow && rows != 20_000:
					t.Fatalf("unchanged file: %d rows, want 20000", rows)
				case grow && !errors.Is(err, ErrChanged):
					t.Fatalf("grown file: %v after %d rows, want ErrChanged", err, rows)
				case grow && (!strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "corrupt")):
					t.Fatalf("error %q: want one that names %s and does not call it corrupt", err, path)
				}
			})
		}
	}
}

// TestFingerprintVersion: the version Fingerprint reports is the one Open
// sees for the same file, and not once the file was appended to or replaced
// (same content, same modification time, another inode).
func TestFingerprintVersion(t *testing.T) {
	path := write(t, "contacts.csv", []byte(sample))
	p, err := Fingerprint(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	openVersion := func() Version {
		in, err := Open(context.Background(), path, Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		return in.Version()
	}
	if !p.Version.Same(openVersion()) {
		t.Fatal("unchanged file: the fingerprint's version differs from the read's")
	}
	if (Print{}).Version.Same(p.Version) != true {
		t.Fatal("an unknown version must match any")
	}

	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(path), "upload.tmp")
	if err := os.WriteFile(other, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(other, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if p.Version.Same(openVersion()) {
		t.Fatal("replaced file: versions still the same")
	}

	p, err = Fingerprint(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("Grace,Hopper,10001\n")
	f.Close()
	if p.Version.Same(openVersion()) {
		t.Fatal("appended file: versions still the same")
	}
}
