package atomicfile

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pieces.csv")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("a,b\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("final name exists before commit: %v", err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "a,b\n" {
		t.Fatalf("got %q, %v", got, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "pieces.csv" {
		t.Errorf("directory holds %v, want only pieces.csv", names)
	}
	if err := f.Commit(); err != nil {
		t.Errorf("second commit: %v", err)
	}
}

func TestAbortLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"partial":`)
	f.Abort()
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("abort left %v", names)
	}
	f.Abort() // idempotent
}

func TestAbortKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	if err := WriteFile(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new, half written")
	f.Abort()
	got, _ := os.ReadFile(path)
	if string(got) != "old\n" {
		t.Fatalf("final file is %q after an aborted rewrite", got)
	}
}

func TestCreateInMissingDir(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "nope", "x")); err == nil {
		t.Fatal("want an error")
	}
}

// TestLargeWrite writes a file larger than a few writeback ranges and
// direct-I/O buffers in uneven pieces, with direct I/O where the system has
// it and through the page cache: the committed file holds every byte in
// order and the hash given to Hash is of those bytes; with direct I/O the
// file held whole buffers before Commit, through the page cache the
// writeback of all but the last part was started on the way.
func TestLargeWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		direct bool
	}{{"direct", true}, {"page cache", false}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "accepted.csv")
			f, err := create(path, tc.direct)
			if err != nil {
				t.Fatal(err)
			}
			if tc.direct && f.direct == nil {
				t.Skip("no direct I/O here")
			}
			h := sha256.New()
			f.Hash(h)
			want := make([]byte, 2*writeBehind+12345)
			for i := range want {
				want[i] = byte(i*7 + i>>13)
			}
			for p := want; len(p) > 0; {
				n := min(len(p), 1<<20+17)
				if _, err := f.Write(p[:n]); err != nil {
					t.Fatal(err)
				}
				p = p[n:]
			}
			if f.direct != nil {
				f.direct.wait()
			}
			st, err := f.f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if tc.direct {
				if want := int64(len(want)) / directMax * directMax; st.Size() != want {
					t.Fatalf("file holds %d bytes before commit, want %d (whole buffers)", st.Size(), want)
				}
			} else if f.written != int64(len(want)) || f.written-f.synced >= writeBehind || f.synced < 2*writeBehind {
				t.Fatalf("written %d, writeback started for %d; want %d written and less than %d left", f.written, f.synced, len(want), writeBehind)
			}
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("committed file differs from what was written (%d bytes, want %d)", len(got), len(want))
			}
			if sum := sha256.Sum256(want); !bytes.Equal(h.Sum(nil), sum[:]) {
				t.Fatal("the file's hash is not the SHA-256 of what was written")
			}
		})
	}
}
