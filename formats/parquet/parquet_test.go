package parquet

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	cols := []string{"first_name", "address_zip", "note"}
	rows := [][]string{{"Ada", "02108", ""}, {"Grace", "10001", "vip, \"gold\""}, {"", "", "Peña"}}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		f := make([][]byte, len(r))
		for i, v := range r {
			f[i] = []byte(v)
		}
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !IsParquet(buf.Bytes()) {
		t.Fatal("written file lacks the magic")
	}
	r, err := NewReader(context.Background(), bytes.NewReader(buf.Bytes()), "t.parquet")
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
	_, err := NewReader(context.Background(), bytes.NewReader([]byte("PAR1garbagegarbage")), "bad.parquet")
	if err == nil || !strings.Contains(err.Error(), "bad.parquet: not a readable Parquet file") {
		t.Fatalf("got %v", err)
	}
}
