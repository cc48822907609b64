package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/flock"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/ledger/ledgertest"
)

func openFile(t testing.TB, dir string) (*ledger.FileStore, []string) {
	t.Helper()
	s, warn, err := ledger.OpenFileStore(context.Background(), dir)
	if err != nil {
		t.Fatalf("OpenFileStore(%s): %v", dir, err)
	}
	return s, warn
}

func TestFileStoreContract(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Store {
		s, _ := openFile(t, t.TempDir())
		return s
	})
}

// TestFileStoreSyncBehindContract: with the fsync of each call behind it,
// the store keeps every rule of the contract.
func TestFileStoreSyncBehindContract(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Store {
		s, _ := openFile(t, t.TempDir())
		s.SyncBehind()
		return s
	})
}

// TestFileStoreSyncBehindReopen: what a sync-behind store wrote, synced and
// closed reads back whole.
func TestFileStoreSyncBehindReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, _ := openFile(t, dir)
	s.SyncBehind()
	l := ledger.New(s)
	fund(t, l, 100)
	for i := range 10 {
		ids := []string{fmt.Sprintf("p%d-a", i), fmt.Sprintf("p%d-b", i), fmt.Sprintf("p%d-c", i)}
		if r, err := l.Debit(ctx, ledgertest.Child, ledgertest.CreditType, "c", ids); err != nil || r.Charged != 3 {
			t.Fatalf("debit %d: %+v, %v", i, r, err)
		}
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	want := ledgertest.Balances(t, s)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := reopen(t, dir, want)
	r, err := ledger.New(s2).Debit(ctx, ledgertest.Child, ledgertest.CreditType, "c", []string{"p9-c", "p10-a"})
	if err != nil || r.AlreadyCharged != 1 || r.Charged != 1 {
		t.Fatalf("after reopen: %+v, %v", r, err)
	}
}

// reopen opens the store in dir again and checks that it opens without
// warnings and holds the balances want; the test's cleanup closes it.
func reopen(t *testing.T, dir string, want map[string]int64) *ledger.FileStore {
	t.Helper()
	s, warn := openFile(t, dir)
	t.Cleanup(func() { s.Close() })
	if len(warn) != 0 {
		t.Fatalf("warnings on a clean reopen: %v", warn)
	}
	if got := ledgertest.Balances(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen\n got %v\nwant %v", got, want)
	}
	return s
}

// fund sets up the ledgertest accounts and gives the child credits.
func fund(t *testing.T, l *ledger.Ledger, credits int64) {
	t.Helper()
	ctx := context.Background()
	ledgertest.Setup(t, l)
	if _, err := l.Purchase(ctx, ledgertest.Parent, ledgertest.CreditType, credits); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Distribute(ctx, ledgertest.Parent, ledgertest.Child, ledgertest.CreditType, credits); err != nil {
		t.Fatal(err)
	}
}

// fillFileLedger writes a small history and returns the balances it left.
func fillFileLedger(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	s, _ := openFile(t, dir)
	l := ledger.New(s)
	fund(t, l, 10)
	if _, err := l.Debit(ctx, ledgertest.Child, ledgertest.CreditType, "c", []string{"p1", "p2", "p3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Refund(ctx, []string{"p2"}); err != nil {
		t.Fatal(err)
	}
	want := ledgertest.Balances(t, s)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return want
}

func TestFileStoreReopen(t *testing.T) {
	dir := t.TempDir()
	want := fillFileLedger(t, dir)
	s := reopen(t, dir, want)
	ledgertest.CheckInvariants(t, s)
	// The charged set survived: p1 and p3 are charged, p2 refunded but still used.
	r, err := ledger.New(s).Debit(context.Background(), ledgertest.Child, ledgertest.CreditType, "c", []string{"p1", "p2", "p3", "p4"})
	if err != nil {
		t.Fatal(err)
	}
	if r.AlreadyCharged != 3 || r.Charged != 1 {
		t.Fatalf("after reopen: %+v", r)
	}
}

func TestFileStoreLocked(t *testing.T) {
	dir := t.TempDir()
	s, _ := openFile(t, dir)
	defer s.Close()
	if _, _, err := ledger.OpenFileStore(context.Background(), dir); !errors.Is(err, flock.ErrLocked) {
		t.Fatalf("second open of the same state dir: %v, want flock.ErrLocked", err)
	}
}

func TestFileStoreTornLastLine(t *testing.T) {
	tests := []struct {
		name string
		tail func(lastLine []byte) []byte // what a crash left instead of the last line
	}{
		{"cut mid line", func(l []byte) []byte { return l[:len(l)/2] }},
		{"cut before newline", func(l []byte) []byte { return l[:len(l)-1] }},
		{"garbage with newline", func(l []byte) []byte { return append(bytes.Repeat([]byte{0}, 40), '\n') }},
		{"flipped byte", func(l []byte) []byte {
			c := bytes.Clone(l)
			i := bytes.Index(c, []byte(`"piece_ids"`)) + 14
			c[i] ^= 0x01
			return c
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fillFileLedger(t, dir)
			path := filepath.Join(dir, ledger.FileStoreName)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.SplitAfter(data, []byte("\n"))
			lines = lines[:len(lines)-1] // drop the empty tail after the last \n
			last := lines[len(lines)-1]  // the refund
			prefix := bytes.Join(lines[:len(lines)-1], nil)
			// Expected state: the history without the refund.
			wantDir := t.TempDir()
			if err := os.WriteFile(filepath.Join(wantDir, ledger.FileStoreName), prefix, 0o644); err != nil {
				t.Fatal(err)
			}
			ws, warn := openFile(t, wantDir)
			want := ledgertest.Balances(t, ws)
			ws.Close()
			if len(warn) != 0 {
				t.Fatal(warn)
			}

			if err := os.WriteFile(path, append(bytes.Clone(prefix), tc.tail(last)...), 0o644); err != nil {
				t.Fatal(err)
			}
			s, warn := openFile(t, dir)
			defer s.Close()
			wantWarn := fmt.Sprintf("torn last line %d ", len(lines))
			if len(warn) != 1 || !strings.Contains(warn[0], wantWarn) {
				t.Fatalf("warnings %q, want one containing %q", warn, wantWarn)
			}
			if got := ledgertest.Balances(t, s); !reflect.DeepEqual(got, want) {
				t.Fatalf("after recovery\n got %v\nwant %v", got, want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, prefix) {
				t.Fatalf("file not truncated to the last good line: %d bytes, want %d", len(after), len(prefix))
			}
			// The store keeps working and the next open is clean.
			if r, err := ledger.New(s).Refund(context.Background(), []string{"p2"}); err != nil || r.Refunded != 1 {
				t.Fatalf("refund after recovery: %+v, %v", r, err)
			}
			ledgertest.CheckInvariants(t, s)
		})
	}
}

func TestFileStoreCorruptMiddle(t *testing.T) {
	dir := t.TempDir()
	fillFileLedger(t, dir)
	path := filepath.Join(dir, ledger.FileStoreName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	// Line 3 defines an account; flip a byte in it.
	i := bytes.LastIndexByte(lines[2], '"') - 1
	lines[2][i] ^= 0x20
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = ledger.OpenFileStore(context.Background(), dir)
	var ce *ledger.CorruptError
	if !errors.As(err, &ce) || ce.Line != 3 || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v, want *CorruptError naming line 3", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, bytes.Join(lines, nil)) {
		t.Fatal("a corrupt journal was modified")
	}
}
