package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/postmill/postmill/formats/input"
)

// TestFingerprintAhead: the hashes computed ahead are sha256 of each
// regular file's decompressed content; files that are not regular are left
// to the job; a file named twice is hashed once; a cancelled run gets its
// context's error instead of a hash.
func TestFingerprintAhead(t *testing.T) {
	dir := t.TempDir()
	content := []byte("first_name,last_name\nAnn,Lee\n")
	plain := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(plain, content, 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(content)
	zw.Close()
	zipped := filepath.Join(dir, "a.csv.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "b.csv")
	if err := os.WriteFile(other, []byte("x\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.csv")

	fps := fingerprintAhead(context.Background(), []string{plain, zipped, "-", dir, missing, other, plain}, input.Config{})
	if len(fps) != 3 {
		t.Fatalf("%d files hashed ahead, want 3 (a.csv, a.csv.gz, b.csv): %v", len(fps), fps)
	}
	for _, c := range []struct {
		path string
		want [32]byte
	}{{plain, sha256.Sum256(content)}, {zipped, sha256.Sum256(content)}, {other, sha256.Sum256([]byte("x\n1\n"))}} {
		for range 2 { // the job may ask twice; the answer stays
			got, err := fps[c.path]()
			if err != nil || got.Sum != c.want {
				t.Fatalf("%s: %x, %v; want %x", filepath.Base(c.path), got.Sum, err, c.want)
			}
		}
	}
	for _, p := range []string{"-", dir, missing} {
		if _, ok := fps[p]; ok {
			t.Errorf("%s hashed ahead; it is not a regular file", p)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fps = fingerprintAhead(ctx, []string{plain}, input.Config{})
	if _, err := fps[plain](); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v, want context.Canceled", err)
	}
}
