package csv

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestWriter: what needs quoting is quoted (delimiter, quote, CR, LF, a
// leading or trailing space or tab), quotes are doubled, and the record
// comes out the same through Write, WriteStrings and Field/EndRecord.
func TestWriter(t *testing.T) {
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{"plain", []string{"a", "bc", "123"}, "a,bc,123\n"},
		{"empty fields", []string{"", "x", ""}, ",x,\n"},
		{"comma", []string{"Smith, Jr.", "x"}, "\"Smith, Jr.\",x\n"},
		{"quote", []string{`say "hi"`}, "\"say \"\"hi\"\"\"\n"},
		{"newline", []string{"line1\nline2", "crlf\r\n"}, "\"line1\nline2\",\"crlf\r\n\"\n"},
		{"edge spaces", []string{" lead", "trail ", "\ttab", "in side"}, "\" lead\",\"trail \",\"\ttab\",in side\n"},
		{"long clean", []string{"0123456789abcdefghijklmnopqrstuvwxyz"}, "0123456789abcdefghijklmnopqrstuvwxyz\n"},
		{"special late in a long field", []string{"0123456789abcdefghij,"}, "\"0123456789abcdefghij,\"\n"},
		{"utf-8", []string{"Müller", "東京"}, "Müller,東京\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := make([][]byte, len(tc.fields))
			for i, f := range tc.fields {
				fields[i] = []byte(f)
			}
			var write, strs, parts bytes.Buffer
			w := NewWriter(&write)
			if err := w.Write(fields); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			w = NewWriter(&strs)
			if err := w.WriteStrings(tc.fields); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			w = NewWriter(&parts)
			for i, f := range fields {
				w.Field(f, i > 0)
			}
			if err := w.EndRecord(); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			for name, got := range map[string]string{"Write": write.String(), "WriteStrings": strs.String(), "Field": parts.String()} {
				if got != tc.want {
					t.Errorf("%s: %q, want %q", name, got, tc.want)
				}
			}
		})
	}
}

// TestWriterEveryPosition: a special byte anywhere in a field of any length
// up to three words gets it quoted, and a field without one is written as
// it is; with the bytes around the field left alone (the writer copies a
// word at a time, overlapping at the ends).
func TestWriterEveryPosition(t *testing.T) {
	for n := 1; n <= 24; n++ {
		for pos := -1; pos < n; pos++ {
			for _, c := range []byte{',', '"', '\r', '\n', 'x', 0x80, 0xff, 0} {
				f := []byte(strings.Repeat("ab", n)[:n])
				if pos >= 0 {
					f[pos] = c
				}
				want := string(f)
				if bytes.ContainsAny(f, ",\"\r\n") {
					want = `"` + strings.ReplaceAll(want, `"`, `""`) + `"`
				}
				var out bytes.Buffer
				w := NewWriterSize(&out, 64)
				w.Field([]byte("<"), false)
				w.Field(f, true)
				w.Field([]byte(">"), true)
				if err := w.EndRecord(); err != nil {
					t.Fatal(err)
				}
				w.Flush()
				if got, want := out.String(), "<,"+want+",>\n"; got != want {
					t.Fatalf("field %q (length %d, byte %q at %d): wrote %q, want %q", f, n, c, pos, got, want)
				}
			}
		}
	}
}

// chunkWriter records the writes it gets and fails from the failAt-th on.
type chunkWriter struct {
	writes [][]byte
	failAt int // 0: never
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	if c.failAt > 0 && len(c.writes)+1 >= c.failAt {
		return 0, errDisk
	}
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

var errDisk = errors.New("disk full")

// TestWriterBuffering: records go out in writes of at least the buffer's
// size (the last at Flush), whole and in order; the first write error is
// returned by that record's call and every later one, and nothing is
// written after it.
func TestWriterBuffering(t *testing.T) {
	var want bytes.Buffer
	cw := &chunkWriter{}
	w := NewWriterSize(cw, 64)
	for i := range 100 {
		rec := []string{fmt.Sprint("row", i), strings.Repeat("x", i%37), "a,b"}
		if err := w.WriteStrings(rec); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&want, "row%d,%s,\"a,b\"\n", i, strings.Repeat("x", i%37))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := bytes.Join(cw.writes, nil); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("wrote %q, want %q", got, want.Bytes())
	}
	for i, p := range cw.writes[:len(cw.writes)-1] {
		if len(p) < 64 || p[len(p)-1] != '\n' {
			t.Fatalf("write %d: %d bytes ending %q; want at least the buffer's 64, whole records", i, len(p), p[len(p)-1])
		}
	}

	bad := &chunkWriter{failAt: 2}
	w = NewWriterSize(bad, 64)
	var err error
	for i := 0; err == nil && i < 100; i++ {
		err = w.WriteStrings([]string{"0123456789", "0123456789", "0123456789"})
	}
	if !errors.Is(err, errDisk) {
		t.Fatalf("writing on a failing writer: %v, want %v", err, errDisk)
	}
	w.Field([]byte("more"), false)
	if err := w.EndRecord(); !errors.Is(err, errDisk) {
		t.Fatalf("a record after the failure: %v", err)
	}
	if err := w.Flush(); !errors.Is(err, errDisk) {
		t.Fatalf("Flush after the failure: %v", err)
	}
	if len(bad.writes) != 1 {
		t.Fatalf("%d writes reached the writer, want only the one before the failure", len(bad.writes))
	}
}
