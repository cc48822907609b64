package jsonl

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/postmill/postmill/formats"
)

func TestReader(t *testing.T) {
	in := "\xef\xbb\xbf{\"first_name\":\"Ada\",\"zip\":\"02108\",\"n\":12,\"vip\":true}\r\n" +
		"\n" +
		"{\"zip\":\"10001\",\"first_name\":\"Grace\"}\n" +
		"{\"first_name\":\"Bad\",\"extra\":1}\n" +
		"[1,2]\n" +
		"{\"first_name\":{\"nested\":1}}\n" +
		"{\"first_name\":\"Last\",\"n\":null}"
	r, err := NewReader(strings.NewReader(in), ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Header(), ","); got != "first_name,zip,n,vip" {
		t.Fatalf("header %q", got)
	}
	type want struct {
		line   int64
		fields string
		err    error
	}
	wants := []want{
		{1, "Ada|02108|12|true", nil},
		{3, "Grace|10001||", nil},
		{4, "", formats.ErrFieldSet},
		{5, "", formats.ErrJSON},
		{6, "", formats.ErrJSON},
		{7, "Last|||", nil},
	}
	for i, w := range wants {
		f, err := r.Read()
		if w.err != nil {
			if !errors.Is(err, w.err) || r.Line() != w.line {
				t.Fatalf("record %d: got %v at line %d, want %v at line %d", i, err, r.Line(), w.err, w.line)
			}
			continue
		}
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		var parts []string
		for _, v := range f {
			parts = append(parts, string(v))
		}
		if got := strings.Join(parts, "|"); got != w.fields || r.Line() != w.line {
			t.Fatalf("record %d: got %q at line %d, want %q at line %d", i, got, r.Line(), w.fields, w.line)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

// TestReaderKeepsBytes: a value's bytes that are not UTF-8 (a Windows-1252
// export) are kept as they are, for the ingest stage to decode the row as
// Windows-1252; encoding/json turned each into U+FFFD.
func TestReaderKeepsBytes(t *testing.T) {
	r, err := NewReader(strings.NewReader("{\"first_name\":\"Jos\xe9\",\"city\":\"S\\u00e3o Paulo\"}\n"), ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if string(f[0]) != "Jos\xe9" || string(f[1]) != "S\u00e3o Paulo" {
		t.Fatalf("fields %q", f)
	}
}

func TestReaderErrors(t *testing.T) {
	if _, err := NewReader(strings.NewReader(""), ReaderConfig{Name: "e.jsonl"}); err == nil || !strings.Contains(err.Error(), "e.jsonl: empty input") {
		t.Fatalf("empty: %v", err)
	}
	if _, err := NewReader(strings.NewReader("[1]\n"), ReaderConfig{Name: "a.jsonl"}); err == nil || !strings.Contains(err.Error(), "a.jsonl line 1") {
		t.Fatalf("array first: %v", err)
	}
	_, err := NewReader(strings.NewReader(`{"a":"`+strings.Repeat("x", 3000)+`"}`), ReaderConfig{Name: "l.jsonl", MaxLineBytes: 1000})
	if err == nil || !strings.Contains(err.Error(), "longer than 1000 bytes") {
		t.Fatalf("long line: %v", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("{\"a\":\"x\",\"b\":1}\n{\"a\":\"y\"}\n"))
	f.Add([]byte("{\"a\":[1]}\n"))
	f.Add([]byte("{}\n{\"z\":1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(strings.NewReader(string(data)), ReaderConfig{MaxLineBytes: 4096})
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			f, err := r.Read()
			if err == io.EOF {
				return
			}
			var re *formats.RowError
			if errors.As(err, &re) {
				continue
			}
			if err != nil {
				return
			}
			if len(f) != len(r.Header()) {
				t.Fatalf("record has %d fields, header %d", len(f), len(r.Header()))
			}
		}
	})
}
