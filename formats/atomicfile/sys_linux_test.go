package atomicfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDirectRefused writes a block the kernel turns down for direct I/O (a
// misaligned buffer gets EINVAL, as a file system without O_DIRECT support
// would answer): the file falls back to the page cache and loses nothing.
func TestDirectRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pieces.csv")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.direct == nil {
		t.Skip("no direct I/O here")
	}
	buf := alignedBuffer(2 * directAlign)
	misaligned := buf[1 : 1+directAlign]
	for i := range misaligned {
		misaligned[i] = byte('a' + i%26)
	}
	if err := f.direct.writeOut(f.f, misaligned); err != nil {
		t.Fatalf("refused direct write did not fall back: %v", err)
	}
	if !f.direct.off {
		t.Fatal("O_DIRECT still marked on after the kernel refused a write")
	}
	if _, err := f.WriteString("tail\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(bytes.Clone(misaligned), "tail\n"...); !bytes.Equal(got, want) {
		t.Fatalf("file holds %d bytes, want %d: %q…", len(got), len(want), got[:min(len(got), 16)])
	}
}

// TestAlignedBuffer checks the buffers direct I/O writes from.
func TestAlignedBuffer(t *testing.T) {
	for _, n := range []int{directAlign, directMin, directMax} {
		b := alignedBuffer(n)
		if len(b) != 0 || cap(b) != n {
			t.Errorf("alignedBuffer(%d): len %d cap %d", n, len(b), cap(b))
		}
		if p := addr(b[:1]); p%directAlign != 0 {
			t.Errorf("alignedBuffer(%d) starts at %#x, not aligned to %d", n, p, directAlign)
		}
	}
}

// TestCreatePageCache: Options{PageCache: true} never writes with direct
// I/O, where Create and the zero Options do on the same file system.
func TestCreatePageCache(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "a.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if f.direct == nil {
		t.Skip("no direct I/O here")
	}
	c, err := Options{PageCache: true}.Create(filepath.Join(dir, "b.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if c.direct != nil {
		t.Fatal("Options{PageCache: true} set up direct I/O")
	}
	if d, err := (Options{}).Create(filepath.Join(dir, "c.csv")); err != nil || d.direct == nil {
		t.Fatalf("the zero Options did not set up direct I/O: %v", err)
	} else {
		d.Abort()
	}
	if _, err := c.WriteString("x,y\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "b.csv")); err != nil || string(got) != "x,y\n" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestDirectWriteFails: a write that fails on the writing goroutine (the
// file's descriptor gone, as a disk error would) is returned by a later
// Write, then by Commit, which leaves neither the final name nor the
// temporary file.
func TestDirectWriteFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pieces.csv")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.direct == nil {
		t.Skip("no direct I/O here")
	}
	f.f.Close() // every write from now on fails with EBADF
	chunk := make([]byte, 1<<20)
	var werr error
	for i := 0; werr == nil && i < 3*directMax/len(chunk); i++ {
		_, werr = f.Write(chunk)
	}
	if werr == nil {
		t.Fatal("writes went on after the background write failed")
	}
	if err := f.Commit(); err == nil {
		t.Fatal("Commit succeeded after a failed write")
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("a failed write left %v", names)
	}
}
