package parquet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// sampleFile writes a small Parquet file of rows (a seed for the fuzzer).
func sampleFile(tb testing.TB, cols []string, rows [][]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, cols)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rows {
		f := make([][]byte, len(r))
		for i, v := range r {
			f[i] = []byte(v)
		}
		if err := w.Write(f); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReader feeds arbitrary bytes to the reader: it must return rows or an
// error naming the file, never panic or run away.
func FuzzReader(f *testing.F) {
	good := sampleFile(f, []string{"first_name", "address_zip"}, [][]string{{"Ada", "02108"}, {"", "10001"}, {"Grace", ""}})
	f.Add(good)
	for _, i := range []int{4, 8, 16, len(good) / 2, len(good) - 12, len(good) - 8, len(good) - 5} {
		bad := bytes.Clone(good)
		bad[i] ^= 0x5a
		f.Add(bad)
	}
	f.Add(good[:len(good)-1])
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(context.Background(), bytes.NewReader(data), "f.parquet", ReaderConfig{MaxMemory: 64 << 20})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.parquet: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		defer r.Close()
		for n := 0; ; n++ {
			fields, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "f.parquet: ") {
					t.Fatalf("error does not name the file: %v", err)
				}
				return
			}
			if len(fields) != len(r.Header()) {
				t.Fatalf("row %d has %d fields, header %d", n, len(fields), len(r.Header()))
			}
			if n > 1<<20 {
				t.Fatal("more than 2^20 rows from a fuzzed file")
			}
		}
	})
}
