package csv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/postmill/postmill/formats"
)

// FuzzReader feeds arbitrary bytes to the reader. It must never panic, and
// every record it accepts must survive a write and a second read unchanged.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n",
		"\xef\xbb\xbfh1,h2\r\n\"a\nb\",\"c\"\"d\"\r\n",
		"\"unclosed\n",
		"\"ab\"cd,e\n",
		"x\n\n\ny",
		"a\tb\n",
		",,,\n\"\",\"\"\n",
		"\xff\xfe\x00b",
	} {
		f.Add([]byte(s), uint8(16))
	}
	f.Fuzz(func(t *testing.T, data []byte, bufSize uint8) {
		r := NewReader(bytes.NewReader(data), ReaderConfig{BufferBytes: int(bufSize) + 1, MaxRecordBytes: 4096})
		for i := 0; i < 10000; i++ {
			fields, err := r.Read()
			if err == io.EOF {
				return
			}
			var re *formats.RowError
			if errors.As(err, &re) {
				continue
			}
			if err != nil {
				if !errors.Is(err, ErrRecordTooLong) && !errors.Is(err, ErrTooManyFields) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if len(fields) == 0 {
				t.Fatal("a record with no fields")
			}
			if len(fields) == 1 && len(fields[0]) == 0 {
				// A lone empty field writes as an empty line, which reads
				// back as a blank line: nothing to compare.
				continue
			}
			var buf bytes.Buffer
			w := NewWriter(&buf)
			if err := w.Write(fields); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			again, err := NewReader(bytes.NewReader(buf.Bytes()), ReaderConfig{}).Read()
			if err != nil {
				t.Fatalf("re-read of %q: %v", buf.Bytes(), err)
			}
			if len(again) != len(fields) {
				t.Fatalf("round trip of %q: %d fields, want %d", buf.Bytes(), len(again), len(fields))
			}
			for k := range fields {
				a, b := string(fields[k]), string(again[k])
				// A field's trailing CR before a line end is taken as part of
				// the line end on the second read.
				if a != b && strings.TrimRight(a, "\r") != b {
					t.Fatalf("field %d: %q became %q", k, a, b)
				}
			}
		}
	})
}
