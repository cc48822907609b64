package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSyncBehindFailedFsync: a call returns before its line is durable;
// when the fsync fails, Sync reports it and the store takes no more writes.
func TestSyncBehindFailedFsync(t *testing.T) {
	ctx := context.Background()
	s := openBehind(t)
	l := New(s)
	injected := errors.New("injected: disk gone")
	var calls int
	s.fsync = func(*os.File) error { calls++; return injected }
	if err := l.PutAccount(ctx, Account{ID: "a"}); err != nil {
		t.Fatalf("the call whose line is written behind it failed: %v", err)
	}
	err := l.Sync()
	if !errors.Is(err, injected) || !strings.Contains(err.Error(), "fsync ledger journal") {
		t.Fatalf("Sync: %v, want the failed fsync", err)
	}
	if err := l.PutAccount(ctx, Account{ID: "b"}); err == nil {
		t.Fatal("a write after a failed fsync succeeded")
	}
	if err := l.Sync(); err == nil {
		t.Fatal("Sync after a failed fsync succeeded")
	}
	if calls != 1 {
		t.Fatalf("%d fsyncs, want 1 (nothing written after the failure)", calls)
	}
}

// TestSyncBehindOrder: calls return at once, but the lines queued while a
// group is being fsynced are written only after that fsync: the journal on
// disk is always a prefix of the calls.
func TestSyncBehindOrder(t *testing.T) {
	ctx := context.Background()
	s := openBehind(t)
	release := make(chan struct{})
	defer close(release) // before Close, which waits for the writer
	var sizes []int64
	s.fsync = func(f *os.File) error {
		<-release // each fsync is slow
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
	first := s.size // the first line alone
	// These return while the first line's fsync is held; give the writer
	// every chance to write them too early.
	for _, id := range []string{"b", "c", "d"} {
		if err := l.PutAccount(ctx, Account{ID: id}); err != nil {
			t.Fatal(err)
		}
		for range 100 {
			runtime.Gosched()
		}
	}
	release <- struct{}{}
	release <- struct{}{}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 2 || sizes[0] != first || sizes[1] != s.size {
		t.Fatalf("file sizes seen by the fsyncs: %v, want [%d %d]: the first line, then the other three as one group", sizes, first, s.size)
	}
	if s.accounts["d"] == nil {
		t.Fatal("a queued call's effect is not in memory")
	}
}

// TestSyncBehindBackpressure: with the writer stuck in an fsync and the
// queue past its bound, a call waits until the writer takes the queue.
func TestSyncBehindBackpressure(t *testing.T) {
	ctx := context.Background()
	s := openBehind(t)
	s.maxPending = 1
	release := make(chan struct{})
	defer close(release)
	s.fsync = func(f *os.File) error { <-release; return f.Sync() }
	l := New(s)
	if err := l.PutAccount(ctx, Account{ID: "a"}); err != nil { // the writer takes it and blocks
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.PutAccount(ctx, Account{ID: "b"}) }()
	for range 1000 {
		select {
		case err := <-done:
			t.Fatalf("a call past the queue bound returned (%v) while the writer was stuck", err)
		default:
			runtime.Gosched()
		}
	}
	release <- struct{}{} // the first fsync ends; the writer takes b's line
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	release <- struct{}{}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
}

// TestSyncBehindGroupEvery: while no caller waits, the writer starts a
// group only groupEvery after the last one, so many calls share one fsync;
// Sync (and a full queue) need not wait for that turn. With groupEvery an
// hour, a Sync that waited for the timer would stall the test.
func TestSyncBehindGroupEvery(t *testing.T) {
	ctx := context.Background()
	s := openBehind(t)
	s.groupEvery = time.Hour
	var fsyncs []int64 // the file's size at each fsync
	s.fsync = func(f *os.File) error {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		fsyncs = append(fsyncs, st.Size())
		return f.Sync()
	}
	l := New(s)
	for i := range 10 {
		if err := l.PutAccount(ctx, Account{ID: fmt.Sprint("a", i)}); err != nil {
			t.Fatal(err)
		}
		// Give a writer that does not wait its turn time to finish the line.
		for range 20 {
			s.mu.Lock()
			idle := !s.writing
			s.mu.Unlock()
			if idle {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	// The first call's line went out at once; the nine others waited for a
	// turn that only Sync brought forward.
	if len(fsyncs) != 2 || fsyncs[1] != s.size {
		t.Fatalf("file sizes at the fsyncs: %v, want two groups ending at %d", fsyncs, s.size)
	}
	// A full queue hurries the writer too.
	s.maxPending = 1
	for i := range 3 {
		if err := l.PutAccount(ctx, Account{ID: fmt.Sprint("b", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if n := len(fsyncs); n < 3 || fsyncs[n-1] != s.size {
		t.Fatalf("file sizes at the fsyncs: %v, want the last at %d", fsyncs, s.size)
	}
	// Reopened, the store has every call.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, _, err := OpenFileStore(ctx, filepath.Dir(s.path))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.accounts) != 13 {
		t.Fatalf("%d accounts after reopening, want 13", len(r.accounts))
	}
}

// openBehind opens a file store in a temporary directory and makes it
// write behind; the test's cleanup closes it.
func openBehind(t *testing.T) *FileStore {
	t.Helper()
	s, _, err := OpenFileStore(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SyncBehind()
	return s
}
