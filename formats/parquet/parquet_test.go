package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	cols := []string{"first_name", "address_zip", "note"}
	rows := [][]string{{"Ada", "02108", ""}, {"Grace", "10001", "vip, \"gold\""}, {"", "", "Peña"}}
	data := sampleFile(t, cols, rows)
	if !IsParquet(data) {
		t.Fatal("written file lacks the magic")
	}
	r, err := NewReader(context.Background(), bytes.NewReader(data), "t.parquet", ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := strings.Join(r.Header(), ","); got != strings.Join(cols, ",") {
		t.Fatalf("header %q", got)
	}
	for i, want := range rows {
		f, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if string(f[k]) != want[k] {
				t.Fatalf("row %d col %d: %q, want %q", i, k, f[k], want[k])
			}
		}
		if r.Line() != int64(i+1) {
			t.Fatalf("row number %d", r.Line())
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func TestNotParquet(t *testing.T) {
	_, err := NewReader(context.Background(), bytes.NewReader([]byte("PAR1garbagegarbage")), "bad.parquet", ReaderConfig{})
	if err == nil || !strings.Contains(err.Error(), "bad.parquet: not a readable Parquet file") {
		t.Fatalf("got %v", err)
	}
}

func TestMemoryBound(t *testing.T) {
	cols := []string{"first_name", "last_name", "address_street", "address_zip"}
	rows := make([][]string, 150_000) // three row groups
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("First%d", i%977), fmt.Sprintf("Last%d", i%4099), fmt.Sprintf("%d Main St", i), fmt.Sprintf("%05d", i%99999)}
	}
	data := sampleFile(t, cols, rows)

	// Read whole, the bound's account returns to zero: the decoder frees
	// what it allocates, so a long file does not creep up to the limit.
	r, err := NewReader(context.Background(), bytes.NewReader(data), "ok.parquet", ReaderConfig{MaxMemory: 16 << 20})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		f, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d Main St", n); string(f[2]) != want {
			t.Fatalf("row %d street %q, want %q", n, f[2], want)
		}
		n++
	}
	if n != len(rows) {
		t.Fatalf("read %d rows, want %d", n, len(rows))
	}
	peak := r.mem.peak.Load()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if used := r.mem.used.Load(); used != 0 || peak <= 0 {
		t.Fatalf("after Close %d bytes still counted (peak %d), want 0", used, peak)
	}

	// Below what one row group needs, the file fails with ErrTooLarge,
	// naming it, at open or at the first row.
	r, err = NewReader(context.Background(), bytes.NewReader(data), "big.parquet", ReaderConfig{MaxMemory: peak / 4})
	if err == nil {
		defer r.Close()
		_, err = r.Read()
	}
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "big.parquet: ") {
		t.Fatalf("with a quarter of the peak: %v, want ErrTooLarge naming the file", err)
	}
}

// BenchmarkRead reads 100,000 four-column rows (two row groups); one op is
// the whole file, so allocs/op is per file, not per row.
func BenchmarkRead(b *testing.B) {
	rows := make([][]string, 100_000)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("First%d", i%977), fmt.Sprintf("Last%d", i%4099), fmt.Sprintf("%d Main St", i), fmt.Sprintf("%05d", i%99999)}
	}
	data := sampleFile(b, []string{"first_name", "last_name", "address_street", "address_zip"}, rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(context.Background(), bytes.NewReader(data), "b.parquet", ReaderConfig{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		if n != len(rows) {
			b.Fatalf("read %d rows, want %d", n, len(rows))
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}
