package csv

import (
	"bytes"
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
