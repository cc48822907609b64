package ledger

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestSyncBehindFailedFsync: a call returns before its fsync; when that
// fsync fails, the next call, Sync and Close report it, and the store
// takes no more writes.
func TestSyncBehindFailedFsync(t *testing.T) {
	ctx := context.Background()
	s, _, err := OpenFileStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l := New(s)
	s.SyncBehind()
	injected := errors.New("injected: disk gone")
	var calls int
	s.fsync = func(*os.File) error { calls++; return injected }
	if err := l.PutAccount(ctx, Account{ID: "a"}); err != nil {
		t.Fatalf("the call whose fsync runs behind it failed: %v", err)
	}
	err = l.PutAccount(ctx, Account{ID: "b"})
	if !errors.Is(err, injected) || !strings.Contains(err.Error(), "fsync ledger journal") {
		t.Fatalf("next call: %v, want the failed fsync", err)
	}
	if err := l.Sync(); !errors.Is(err, injected) {
		t.Fatalf("Sync: %v, want the failed fsync", err)
	}
	if err := l.PutAccount(ctx, Account{ID: "c"}); err == nil {
		t.Fatal("a write after a failed fsync succeeded")
	}
	if calls != 1 {
		t.Fatalf("%d fsyncs, want 1 (nothing written after the failure)", calls)
	}
}

// TestSyncBehindOrder: with sync behind, each line is written only after
// the fsync of the line before it has finished, so a crash can lose only
// the last line.
func TestSyncBehindOrder(t *testing.T) {
	ctx := context.Background()
	s, _, err := OpenFileStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SyncBehind()
	release := make(chan struct{})
	defer close(release) // before Close, which waits for the fsync behind
	var sizes []int64
	s.fsync = func(f *os.File) error {
		<-release // the fsync of the line just written is slow
		st, err := f.Stat()
		if err != nil {
			return err
		}
		sizes = append(sizes, st.Size())
		return f.Sync()
	}
	l := New(s)
	if err := l.PutAccount(ctx, Account{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.PutAccount(ctx, Account{ID: "b"}) }()
	// Give the second call every chance to run ahead: it must not return
	// (nor write) before the first fsync is let go.
	for range 1000 {
		select {
		case err := <-done:
			t.Fatalf("second call returned (%v) while the first line's fsync was still running", err)
		default:
			runtime.Gosched()
		}
	}
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	release <- struct{}{}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 2 || sizes[0] >= sizes[1] {
		t.Fatalf("file sizes seen by the two fsyncs: %v, want the first line alone, then both", sizes)
	}
}
