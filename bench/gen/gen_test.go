package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/formats/jsonl"
	"github.com/postmill/postmill/formats/parquet"
)

func TestConfigDefaults(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		got := Config{}.withDefaults()
		want := Config{Rows: DefaultRows, Messy: 0.15, Invalid: 0.02, DroppedZero: 0.5, DupExact: 0.02,
			DupVariant: 0.02, Household: 0.02, Suppressed: 0.01, Moved: 0.005, MissingMerge: 0.01, International: 0.002}
		if got != want {
			t.Errorf("defaults = %+v, want %+v", got, want)
		}
	})
	t.Run("NegativeIsZero", func(t *testing.T) {
		got := Config{Rows: 5, Messy: -1, Invalid: -1, DroppedZero: -1, DupExact: -1, DupVariant: -1, Household: -1,
			Suppressed: -1, Moved: -1, MissingMerge: -1, International: -1}.withDefaults()
		if want := (Config{Rows: 5}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"all kinds off", Config{Invalid: -1, DupExact: -1}, true},
		{"rate above 1", Config{Messy: 1.5}, false},
		{"kinds add up past 1", Config{DupExact: 0.6, Household: 0.5}, false},
		{"kinds add up to 1", Config{DupExact: 0.5, Household: 0.5, Invalid: -1, DupVariant: -1, Suppressed: -1,
			Moved: -1, MissingMerge: -1, International: -1}, true},
		{"negative rows", Config{Rows: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Errorf("error %v does not wrap ErrConfig", err)
			}
			if _, nerr := New(tt.cfg); (nerr == nil) != tt.ok {
				t.Errorf("New() = %v, want ok=%v", nerr, tt.ok)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		ok   bool
	}{{"csv", CSV, true}, {"CSV", CSV, true}, {"csv.gz", CSVGzip, true}, {"gzip", CSVGzip, true},
		{"csv.zst", CSVZstd, true}, {"zstd", CSVZstd, true}, {"parquet", Parquet, true}, {"jsonl", JSONL, true}, {"ndjson", JSONL, true}, {"xlsx", 0, false}}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, f := range []Format{CSV, CSVGzip, CSVZstd, Parquet, JSONL} {
		if got, err := ParseFormat(f.String()); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), got, err)
		}
	}
}

// generate writes cfg in format and returns the bytes and stats.
func generate(t testing.TB, cfg Config, format Format) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Write(context.Background(), &buf, cfg, format)
	if err != nil {
		t.Fatalf("Write(%v): %v", format, err)
	}
	return buf.Bytes(), st
}

func TestDeterminism(t *testing.T) {
	for _, f := range []Format{CSV, CSVGzip, CSVZstd, Parquet, JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			a, _ := generate(t, Config{Rows: 3000, Seed: 7}, f)
			b, _ := generate(t, Config{Rows: 3000, Seed: 7}, f)
			c, _ := generate(t, Config{Rows: 3000, Seed: 8}, f)
			if sha256.Sum256(a) != sha256.Sum256(b) {
				t.Error("same seed gave different output")
			}
			if sha256.Sum256(a) == sha256.Sum256(c) {
				t.Error("different seeds gave the same output")
			}
		})
	}
	t.Run("side files", func(t *testing.T) {
		sum := func(seed uint64) [4][32]byte {
			dir := t.TempDir()
			files, _, err := WriteAll(context.Background(), dir, Config{Rows: 20000, Seed: seed}, CSV)
			if err != nil {
				t.Fatal(err)
			}
			var s [4][32]byte
			for i, p := range []string{files.Contacts, files.SuppressEmail, files.SuppressAddress, files.COA} {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				s[i] = sha256.Sum256(data)
			}
			return s
		}
		a, b, c := sum(3), sum(3), sum(4)
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("file %d: same seed gave different output", i)
			}
			if a[i] == c[i] {
				t.Errorf("file %d: different seeds gave the same output", i)
			}
		}
	})
}

// readCSV reads a CSV file with postmill's reader and checks its shape.
func readCSV(t testing.TB, data []byte, header []string) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data), csv.ReaderConfig{})
	h, err := r.ReadHeader()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h, header) {
		t.Fatalf("header = %q, want %q", h, header)
	}
	var rows [][]string
	for {
		f, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("line %d: %v", r.Line(), err)
		}
		if len(f) != len(header) {
			t.Fatalf("line %d has %d fields, want %d: %q", r.Line(), len(f), len(header), r.Raw())
		}
		row := make([]string, len(f))
		for i, x := range f {
			row[i] = string(x)
		}
		rows = append(rows, row)
	}
	return rows
}

func TestRowCount(t *testing.T) {
	for _, n := range []int{1, 2, 17, 4096, 4097, 30000} {
		data, st := generate(t, Config{Rows: n, Seed: uint64(n)}, CSV)
		rows := readCSV(t, data, Columns())
		if len(rows) != n || st.Rows != int64(n) {
			t.Errorf("Rows %d: read %d rows, Stats.Rows %d", n, len(rows), st.Rows)
		}
	}
	if testing.Short() {
		return
	}
	_, st := generate(t, Config{}, CSV)
	if st.Rows != DefaultRows {
		t.Errorf("zero Rows wrote %d rows, want %d", st.Rows, DefaultRows)
	}
}

func TestFormatsDecodeSame(t *testing.T) {
	cfg := Config{Rows: 20000, Seed: 11, Messy: 0.5}
	data, want := generate(t, cfg, CSV)
	rows := readCSV(t, data, Columns())
	for _, f := range []Format{CSVGzip, CSVZstd, Parquet, JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			enc, st := generate(t, cfg, f)
			if st != want {
				t.Errorf("stats differ from CSV: %+v", st)
			}
			var got [][]string
			switch f {
			case Parquet:
				got = readParquet(t, enc)
			case JSONL:
				got = readJSONL(t, enc)
			default:
				dec := decompress(t, f, enc)
				if !bytes.Equal(dec, data) {
					t.Error("decompressed bytes differ from the CSV")
				}
				got = readCSV(t, dec, Columns())
			}
			if len(got) != len(rows) {
				t.Fatalf("%d rows, want %d", len(got), len(rows))
			}
			for i := range rows {
				if !slices.Equal(got[i], rows[i]) {
					t.Fatalf("row %d = %q, want %q", i+1, got[i], rows[i])
				}
			}
		})
	}
}

func readJSONL(t *testing.T, data []byte) [][]string {
	t.Helper()
	r, err := jsonl.NewReader(bytes.NewReader(data), jsonl.ReaderConfig{Name: "contacts.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	return readRecords(t, r)
}

func readParquet(t *testing.T, data []byte) [][]string {
	t.Helper()
	r, err := parquet.NewReader(context.Background(), bytes.NewReader(data), "contacts.parquet", parquet.ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return readRecords(t, r)
}

// readRecords reads every record of a reader of the generator's columns,
// as strings.
func readRecords(t *testing.T, r interface {
	Header() []string
	Read() ([][]byte, error)
}) [][]string {
	t.Helper()
	if !slices.Equal(r.Header(), Columns()) {
		t.Fatalf("header = %q", r.Header())
	}
	var rows [][]string
	for {
		f, err := r.Read()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(f))
		for i, v := range f {
			row[i] = string(v)
		}
		rows = append(rows, row)
	}
}

func TestSetCase(t *testing.T) {
	tests := []struct {
		in   string
		c    uint8
		want string
	}{
		{"1ST ST", caseTitle, "1st St"},
		{"22ND AVE", caseTitle, "22nd Ave"},
		{"APT 4B", caseTitle, "Apt 4B"},
		{"#12C", caseTitle, "#12C"},
		{"O'FALLON", caseTitle, "O'Fallon"},
		{"P.O. BOX 12", caseTitle, "P.O. Box 12"},
		{"ST. LOUIS", caseTitle, "St. Louis"},
		{"McDonald", caseTitle, "McDonald"},
		{"McDonald", caseUpper, "MCDONALD"},
		{"22 HARBOR RD", caseLower, "22 harbor rd"},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		setCase(b, tt.c)
		if string(b) != tt.want {
			t.Errorf("setCase(%q, %d) = %q, want %q", tt.in, tt.c, b, tt.want)
		}
	}
}

func TestWriteCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Write(ctx, io.Discard, Config{Rows: 10}, CSV); !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a canceled context = %v, want context.Canceled", err)
	}
	dir := t.TempDir()
	if _, _, err := WriteAll(ctx, dir, Config{Rows: 10}, CSV); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteAll with a canceled context = %v, want context.Canceled", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("files left behind: %q", left)
	}
}

func TestKindsOff(t *testing.T) {
	off := Config{Rows: 20000, Seed: 5, Messy: -1, Invalid: -1, DroppedZero: -1, DupExact: -1, DupVariant: -1,
		Household: -1, Suppressed: -1, Moved: -1, MissingMerge: -1, International: -1}
	_, st := generate(t, off, CSV)
	if st.Clean != st.Rows || st.Messy != 0 || st.DroppedZero != 0 || st.SuppressEmailEntries != 0 || st.COAEntries != 0 {
		t.Errorf("with every kind off: %+v", st)
	}
}

func TestRecordNoAlloc(t *testing.T) {
	g, err := New(Config{Rows: 1 << 30, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	for range 50000 { // fill the pool and grow the side-file slices first
		g.Next(&rec)
	}
	if n := testing.AllocsPerRun(20000, func() { g.Next(&rec) }); n > 0.05 {
		t.Errorf("Next allocates %.3f times per row", n)
	}
}

// decompress undoes gzip or zstd with the standard decoders.
func decompress(t *testing.T, f Format, data []byte) []byte {
	t.Helper()
	var r io.Reader
	var err error
	switch f {
	case CSVGzip:
		r, err = newGzipReader(bytes.NewReader(data))
	case CSVZstd:
		r, err = newZstdReader(bytes.NewReader(data))
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newGzipReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

func newZstdReader(r io.Reader) (io.Reader, error) {
	d, err := zstd.NewReader(r)
	if err != nil {
		return nil, err
	}
	return d.IOReadCloser(), nil
}

// TestWriteAllFormats writes the files of every format to disk, as the
// end-to-end bench does (a temporary file synced, then renamed): each
// contacts file opens as postmill's input and holds every row.
func TestWriteAllFormats(t *testing.T) {
	for _, f := range []Format{CSV, CSVGzip, CSVZstd, Parquet, JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			ctx := context.Background()
			files, st, err := WriteAll(ctx, t.TempDir(), Config{Rows: 2000, Seed: 5}, f)
			if err != nil {
				t.Fatal(err)
			}
			in, err := input.Open(ctx, files.Contacts, input.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			n := 0
			for {
				_, err := in.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("row %d: %v", n+1, err)
				}
				n++
			}
			if int64(n) != st.Rows || n != 2000 {
				t.Fatalf("%s holds %d rows, generated %d", files.Contacts, n, st.Rows)
			}
		})
	}
}
