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
			// The record is written second, after a line of its own: a
			// record read from the middle of a file may start with a BOM,
			// which a file's first line drops.
			var buf bytes.Buffer
			w := NewWriter(&buf)
			if err := w.WriteStrings([]string{"h"}); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(fields); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			rr := NewReader(bytes.NewReader(buf.Bytes()), ReaderConfig{})
			if _, err := rr.Read(); err != nil {
				t.Fatalf("re-read of %q, first line: %v", buf.Bytes(), err)
			}
			again, err := rr.Read()
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

// FuzzWriter writes arbitrary fields (the input split at 0x1f) and checks
// the record byte for byte against the plain definition: a field is quoted
// exactly when needsQuote says so, as WriteStrings writes it, and it reads
// back as the same fields.
func FuzzWriter(f *testing.F) {
	for _, s := range []string{
		"a\x1fbc\x1f123",
		"Smith, Jr.\x1f say \"hi\" \x1f\x1f",
		"0123456789abcdefghij,\x1fline1\nline2\x1fcr\r",
		"\xff\x00\x80\x1f\t\x1f \x1fMüller",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fields := bytes.Split(data, []byte{0x1f})
		strs := make([]string, len(fields))
		for i, fl := range fields {
			strs[i] = string(fl)
		}
		var got, want bytes.Buffer
		w := NewWriterSize(&got, 16)
		if err := w.Write(fields); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		w = NewWriterSize(&want, 16)
		if err := w.WriteStrings(strs); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("Write(%q) = %q, WriteStrings = %q", strs, got.Bytes(), want.Bytes())
		}
		if len(fields) == 1 && len(fields[0]) == 0 || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			return // an empty line reads back as a blank line; a leading BOM is dropped
		}
		back, err := NewReader(bytes.NewReader(got.Bytes()), ReaderConfig{MaxRecordBytes: len(data)*2 + 16}).Read()
		if err != nil {
			t.Fatalf("read back %q: %v", got.Bytes(), err)
		}
		if len(back) != len(fields) {
			t.Fatalf("read back %d fields from %q, wrote %d", len(back), got.Bytes(), len(fields))
		}
		for i := range back {
			if !bytes.Equal(back[i], fields[i]) {
				t.Fatalf("field %d read back as %q, wrote %q", i, back[i], fields[i])
			}
		}
	})
}
