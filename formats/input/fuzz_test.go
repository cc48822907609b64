package input

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmill/postmill/formats"
	"github.com/postmill/postmill/formats/compress"
)

// FuzzOpen feeds arbitrary files to the front door of every run: format
// and compression sniffing, the decompressors and each format's reader.
// Every file must end in rows, row errors or one error line that names the
// file, never a panic; the fingerprint pass must agree on what it can read.
func FuzzOpen(f *testing.F) {
	for _, seed := range [][]byte{
		[]byte(sample),
		[]byte("first_name\tlast_name\nAda\tLovelace\n"),
		[]byte(`{"first_name":"Ada","address_zip":"02108"}` + "\n" + `{"first_name":7}` + "\n"),
		[]byte("a,b\n\"unterminated,1\n"),
		gz(f, []byte(sample)),
		zst(f, []byte(sample)),
		[]byte("PAR1 and then nothing"),
	} {
		f.Add(seed)
	}
	if b, err := os.ReadFile("testdata/corrupt-footer.parquet"); err == nil {
		f.Add(b)
	}
	cfg := Config{
		Compress:       compress.Config{MaxBytes: 4 << 20},
		MaxRecordBytes: 4 << 10,
		MaxFields:      64,
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in.dat")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		check := func(what string, err error) {
			t.Helper()
			msg := err.Error()
			if !strings.Contains(msg, path) || strings.Contains(msg, "\n") {
				t.Fatalf("%s: error %q: want one line naming the file", what, msg)
			}
		}
		if _, err := Fingerprint(path, cfg); err != nil {
			check("fingerprint", err)
		}
		in, err := Open(context.Background(), path, cfg)
		if err != nil {
			check("open", err)
			return
		}
		defer in.Close()
		for n := 0; ; n++ {
			fields, err := in.Read()
			var re *formats.RowError
			switch {
			case errors.Is(err, io.EOF):
				return
			case errors.As(err, &re):
				continue
			case err != nil:
				check("read", err)
				return
			}
			if len(fields) > cfg.MaxFields {
				t.Fatalf("row %d has %d fields, more than MaxFields %d", n, len(fields), cfg.MaxFields)
			}
			if n > 1<<20 {
				t.Fatal("more than 2^20 rows from a fuzzed file")
			}
		}
	})
}
