package csv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/postmill/postmill/formats"
)

type rec struct {
	line   int64
	fields []string
	bad    bool // a *RowError with ErrQuote
}

func readAll(t testing.TB, r *Reader) ([]rec, error) {
	var out []rec
	for {
		f, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		var re *formats.RowError
		if err != nil && !errors.As(err, &re) {
			return out, err
		}
		x := rec{line: r.Line(), bad: err != nil}
		for _, v := range f {
			x.fields = append(x.fields, string(v))
		}
		out = append(out, x)
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		comma byte
		want  []rec
	}{
		{"simple", "a,b,c\n1,2,3\n", 0, []rec{{1, []string{"a", "b", "c"}, false}, {2, []string{"1", "2", "3"}, false}}},
		{"no final newline", "a,b\n1,2", 0, []rec{{1, []string{"a", "b"}, false}, {2, []string{"1", "2"}, false}}},
		{"crlf", "a,b\r\n1,2\r\n", 0, []rec{{1, []string{"a", "b"}, false}, {2, []string{"1", "2"}, false}}},
		{"bom", "\xef\xbb\xbfa,b\n1,2\n", 0, []rec{{1, []string{"a", "b"}, false}, {2, []string{"1", "2"}, false}}},
		{"blank lines skipped", "a\n\n\r\nb\n\n", 0, []rec{{1, []string{"a"}, false}, {4, []string{"b"}, false}}},
		{"empty fields", ",,\n", 0, []rec{{1, []string{"", "", ""}, false}}},
		{"quoted comma", `"Smith, Jr.",x` + "\n", 0, []rec{{1, []string{"Smith, Jr.", "x"}, false}}},
		{"escaped quote", `"say ""hi""",x` + "\n", 0, []rec{{1, []string{`say "hi"`, "x"}, false}}},
		{"embedded newline", "\"line1\nline2\",x\nnext,y\n", 0, []rec{{1, []string{"line1\nline2", "x"}, false}, {3, []string{"next", "y"}, false}}},
		{"embedded crlf", "\"a\r\nb\",x\r\nc,d\r\n", 0, []rec{{1, []string{"a\r\nb", "x"}, false}, {3, []string{"c", "d"}, false}}},
		{"quoted empty and trailing delimiter", `"",a,` + "\n", 0, []rec{{1, []string{"", "a", ""}, false}}},
		{"quoted last field trailing delimiter", `a,"b",` + "\n", 0, []rec{{1, []string{"a", "b", ""}, false}}},
		{"bare quote in unquoted field kept", `5" tall,x` + "\n", 0, []rec{{1, []string{`5" tall`, "x"}, false}}},
		{"text after closing quote", `"ab"cd,x` + "\n", 0, []rec{{1, []string{"abcd", "x"}, true}}},
		{"unclosed quote at eof", "a,\"open\n", 0, []rec{{1, []string{"a", "open\n"}, true}}},
		{"tsv", "a\tb c\t\"d\te\"\n", '\t', []rec{{1, []string{"a", "b c", "d\te"}, false}}},
		{"only newline", "\n", 0, nil},
		{"empty", "", 0, nil},
		{"utf8 kept", "Peña,Zoë\n", 0, []rec{{1, []string{"Peña", "Zoë"}, false}}},
	}
	for _, tt := range tests {
		for _, chunked := range []bool{false, true} {
			name := tt.name
			var src io.Reader = strings.NewReader(tt.in)
			if chunked {
				name += "/one-byte-reads"
				src = iotest.OneByteReader(src)
			}
			t.Run(name, func(t *testing.T) {
				r := NewReader(src, ReaderConfig{Comma: tt.comma, BufferBytes: 16})
				got, err := readAll(t, r)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %d records %+v, want %d %+v", len(got), got, len(tt.want), tt.want)
				}
				for i := range got {
					if got[i].line != tt.want[i].line || got[i].bad != tt.want[i].bad || strings.Join(got[i].fields, "|") != strings.Join(tt.want[i].fields, "|") || len(got[i].fields) != len(tt.want[i].fields) {
						t.Errorf("record %d: got %+v, want %+v", i, got[i], tt.want[i])
					}
				}
			})
		}
	}
}

func TestReaderRaw(t *testing.T) {
	r := NewReader(strings.NewReader("h1,h2\r\n\"a\nb\",c\r\nd,e"), ReaderConfig{})
	if _, err := r.ReadHeader(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\"a\nb\",c", "d,e"} {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
		if string(r.Raw()) != want {
			t.Fatalf("raw %q, want %q", r.Raw(), want)
		}
	}
}

func TestReaderLimits(t *testing.T) {
	long := "a," + strings.Repeat("x", 5000) + "\n"
	_, err := readAll(t, NewReader(strings.NewReader(long), ReaderConfig{MaxRecordBytes: 1000, BufferBytes: 64, Name: "big.csv"}))
	if !errors.Is(err, ErrRecordTooLong) || !strings.Contains(err.Error(), "big.csv line 1") {
		t.Fatalf("long record: %v", err)
	}
	unclosed := "a,b\n\"" + strings.Repeat("x\n", 3000)
	_, err = readAll(t, NewReader(strings.NewReader(unclosed), ReaderConfig{MaxRecordBytes: 1000, BufferBytes: 64, Name: "q.csv"}))
	if !errors.Is(err, ErrRecordTooLong) || !strings.Contains(err.Error(), "unclosed quote") {
		t.Fatalf("unclosed quote: %v", err)
	}
	wide := strings.Repeat("a,", 100) + "\n"
	_, err = readAll(t, NewReader(strings.NewReader(wide), ReaderConfig{MaxFields: 50}))
	if !errors.Is(err, ErrTooManyFields) {
		t.Fatalf("wide record: %v", err)
	}
	if _, err := NewReader(strings.NewReader(""), ReaderConfig{Name: "e.csv"}).ReadHeader(); err == nil || !strings.Contains(err.Error(), "e.csv: empty input") {
		t.Fatalf("empty header: %v", err)
	}
}

func TestReaderIOError(t *testing.T) {
	boom := errors.New("connection reset")
	r := NewReader(io.MultiReader(strings.NewReader("a,b\n1,"), iotest.ErrReader(boom)), ReaderConfig{Name: "x.csv"})
	_, err := readAll(t, r)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}
}

func TestWriterRoundTrip(t *testing.T) {
	records := [][]string{
		{"plain", "with,comma", `with "quote"`, "new\nline", " lead", "trail ", "", "cr\r"},
		{"", "", ""},
		{"Peña"},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range records {
		if err := w.WriteStrings(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, NewReader(&buf, ReaderConfig{}))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range records {
		if strings.Join(got[i].fields, "\x00") != strings.Join(r, "\x00") {
			t.Errorf("record %d: got %q, want %q", i, got[i].fields, r)
		}
	}
}
