package flock

import (
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestTryLock(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no flock")
	}
	path := filepath.Join(t.TempDir(), "x.lock")
	f, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file: a second open in this process
	// conflicts as another process's would.
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	// Another process sees it held too (flock(1) from util-linux, if here).
	if flockCmd, err := exec.LookPath("flock"); err == nil {
		if err := exec.Command(flockCmd, "--nonblock", path, "true").Run(); err == nil {
			t.Error("another process took the lock while it was held")
		}
	}
	f.Close()
	g, err := TryLock(path)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	g.Close()
}
