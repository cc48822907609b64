package presort

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSorterSpillFails: a run that cannot be written — here the kernel
// refuses to grow a file past RLIMIT_FSIZE, with SIGXFSZ ignored, so
// write(2) returns EFBIG on the spill's goroutine — fails the next call
// that waits for it, with an error that names the run file, and every
// call after that; Close still removes the files.
func TestSorterSpillFails(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	lim := old
	lim.Cur = 4096
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	restore := func() { syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old) }
	defer restore()

	dir := t.TempDir()
	s := NewSorter(SorterConfig{Dir: dir, MemoryRows: 100})
	var err error
	added := 0
	for i := range 1000 {
		k := Key{Hi: uint64(i * 7919 % 1000), Num: int64(i)}
		if err = s.Add(k, []byte(fmt.Sprintf("payload-%04d-%s", i, strings.Repeat("z", 100)))); err != nil {
			break
		}
		added++
	}
	if err == nil {
		err = s.Finish(context.Background())
	}
	restore()
	if err == nil {
		t.Fatal("a run past the file size limit was spilled without error")
	}
	if !errors.Is(err, syscall.EFBIG) {
		t.Errorf("error is not EFBIG: %v", err)
	}
	if len(s.runs) == 0 || !strings.Contains(err.Error(), filepath.Base(s.runs[0])) {
		t.Errorf("error does not name the run file: %v (runs %v)", err, s.runs)
	}
	if added >= 1000 {
		t.Errorf("all %d records were taken after the spill failed", added)
	}
	if err2 := s.Add(Key{}, []byte("later")); !errors.Is(err2, syscall.EFBIG) {
		t.Errorf("Add after the failure: %v, want the spill's error again", err2)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Errorf("Close left %d files in the spill directory", len(left))
	}
}
