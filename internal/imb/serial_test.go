package imb

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeClock is a settable clock for FileSerialsConfig.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newSerials(tb testing.TB, dir string, clock *fakeClock) *FileSerials {
	tb.Helper()
	cfg := FileSerialsConfig{Dir: dir}
	if clock != nil {
		cfg.Now = clock.Now
	}
	s, err := NewFileSerials(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

type block struct{ first, n uint64 }

// requireDisjoint fails unless the blocks do not overlap; it returns them sorted.
func requireDisjoint(tb testing.TB, blocks []block) []block {
	tb.Helper()
	slices.SortFunc(blocks, func(a, b block) int { return int(a.first) - int(b.first) })
	for i := 1; i < len(blocks); i++ {
		if prev := blocks[i-1]; prev.first+prev.n > blocks[i].first {
			tb.Fatalf("blocks overlap: [%d,+%d) and [%d,+%d)", prev.first, prev.n, blocks[i].first, blocks[i].n)
		}
	}
	return blocks
}

func TestFileSerialsTwoInstancesNeverOverlap(t *testing.T) {
	dir := t.TempDir()
	a, b := newSerials(t, dir, nil), newSerials(t, dir, nil)
	const mid = "567094"
	var (
		mu     sync.Mutex
		blocks []block
		wg     sync.WaitGroup
	)
	for g := range 4 {
		s := a
		if g%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for i := range 12 {
				n := 1 + (g*7+i)%10
				first, err := s.Reserve(context.Background(), mid, n)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				blocks = append(blocks, block{first, uint64(n)})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	blocks = requireDisjoint(t, blocks)
	// Without a wrap the blocks also tile 0..total with no gap.
	var next uint64
	for _, bl := range blocks {
		if bl.first != next {
			t.Fatalf("gap: block at %d, expected %d", bl.first, next)
		}
		next += bl.n
	}
}

// TestFileSerialsAcrossProcesses runs two copies of the test binary that
// reserve from the same directory at the same time.
func TestFileSerialsAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("IMB_SERIALS_CHILD_DIR"); dir != "" {
		s := newSerials(t, dir, nil)
		for range 40 {
			first, err := s.Reserve(context.Background(), "912345678", 3)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("block %d\n", first)
		}
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFileSerialsAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "IMB_SERIALS_CHILD_DIR="+dir)
		out := new(strings.Builder)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	var blocks []block
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i])
		}
		sc := bufio.NewScanner(strings.NewReader(outs[i].String()))
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "block "); ok {
				first, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				blocks = append(blocks, block{first, 3})
			}
		}
	}
	if len(blocks) != 80 {
		t.Fatalf("got %d blocks from children, want 80", len(blocks))
	}
	blocks = requireDisjoint(t, blocks)
	if last := blocks[len(blocks)-1]; last.first != 79*3 {
		t.Errorf("last block at %d, want %d (no gaps)", last.first, 79*3)
	}
}

func TestFileSerialsPersistAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := newSerials(t, dir, nil)
	if first, err := s.Reserve(ctx, "567094", 1000); err != nil || first != 0 {
		t.Fatalf("Reserve = %d, %v; want 0", first, err)
	}
	if first, err := s.Reserve(ctx, "123456", 10); err != nil || first != 0 {
		t.Fatalf("other MID Reserve = %d, %v; want 0 (counters are per Mailer ID)", first, err)
	}
	s = newSerials(t, dir, nil)
	if first, err := s.Reserve(ctx, "567094", 5); err != nil || first != 1000 {
		t.Fatalf("after reopen Reserve = %d, %v; want 1000", first, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"imb-serials-123456.json", "imb-serials-123456.lock", "imb-serials-567094.json", "imb-serials-567094.lock"}
	if !slices.Equal(names, want) {
		t.Errorf("state dir holds %v, want %v (no temporary files left)", names, want)
	}
	st := readStateFile(t, dir, "567094")
	if st.Next != 1005 || st.Width != 9 || len(st.Issued) != 1 || st.Issued[0].Start != 0 || st.Issued[0].End != 1005 {
		t.Errorf("state = %+v", st)
	}
}

func readStateFile(tb testing.TB, dir, mid string) serialState {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "imb-serials-"+mid+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	var st serialState
	if err := json.Unmarshal(b, &st); err != nil {
		tb.Fatal(err)
	}
	return st
}

func TestFileSerialsWrap(t *testing.T) {
	ctx := context.Background()
	const mid = "912345678" // 6-digit serials: 0..999999
	clock := &fakeClock{t: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)}
	s := newSerials(t, t.TempDir(), clock)

	if first, err := s.Reserve(ctx, mid, 600_000); err != nil || first != 0 {
		t.Fatalf("Reserve = %d, %v; want 0", first, err)
	}
	// 600000 + 500000 does not fit: the block would restart at 0, which was
	// issued moments ago.
	_, err := s.Reserve(ctx, mid, 500_000)
	if !errors.Is(err, ErrSerialsExhausted) || !strings.Contains(err.Error(), mid) {
		t.Fatalf("Reserve across wrap = %v; want ErrSerialsExhausted naming %s", err, mid)
	}
	clock.Advance(ReuseWindow)
	if _, err := s.Reserve(ctx, mid, 500_000); !errors.Is(err, ErrSerialsExhausted) {
		t.Fatalf("Reserve exactly 45 days later = %v; want ErrSerialsExhausted", err)
	}
	// A block that still fits before the end is unaffected.
	if first, err := s.Reserve(ctx, mid, 400_000); err != nil || first != 600_000 {
		t.Fatalf("Reserve of the tail = %d, %v; want 600000", first, err)
	}
	clock.Advance(time.Second)
	if first, err := s.Reserve(ctx, mid, 500_000); err != nil || first != 0 {
		t.Fatalf("Reserve 45 days + 1s later = %d, %v; want 0", first, err)
	}
	// The next block, 500000..599999, was issued 45 days + 1s ago: reusable.
	if first, err := s.Reserve(ctx, mid, 100_000); err != nil || first != 500_000 {
		t.Fatalf("Reserve = %d, %v; want 500000", first, err)
	}
	// 600000.. was issued 1s ago (the tail block): refused.
	if _, err := s.Reserve(ctx, mid, 1); !errors.Is(err, ErrSerialsExhausted) {
		t.Fatalf("Reserve into recently issued tail = %v; want ErrSerialsExhausted", err)
	}
}

func TestFileSerialsWrapExactFit(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	s := newSerials(t, t.TempDir(), clock)
	const mid = "987654321"
	if first, err := s.Reserve(ctx, mid, 1_000_000); err != nil || first != 0 {
		t.Fatalf("Reserve whole range = %d, %v", first, err)
	}
	if _, err := s.Reserve(ctx, mid, 1); !errors.Is(err, ErrSerialsExhausted) {
		t.Fatalf("Reserve after exhausting = %v; want ErrSerialsExhausted", err)
	}
	clock.Advance(ReuseWindow + time.Nanosecond)
	if first, err := s.Reserve(ctx, mid, 1); err != nil || first != 0 {
		t.Fatalf("Reserve after window = %d, %v; want 0", first, err)
	}
}

func TestFileSerialsLogStaysSmall(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := &fakeClock{t: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	s := newSerials(t, dir, clock)
	const mid = "567094"
	for day := range 50 {
		for range 4 {
			if _, err := s.Reserve(ctx, mid, 1); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		if day == 2 {
			if st := readStateFile(t, dir, mid); len(st.Issued) != 3 {
				t.Fatalf("after 3 days: %d log entries, want 3: %+v", len(st.Issued), st.Issued)
			}
		}
		clock.Advance(24*time.Hour - 4*time.Minute)
	}
	st := readStateFile(t, dir, mid)
	if len(st.Issued) > 47 {
		t.Errorf("after 50 days: %d log entries, want at most 47 (pruned past 45 days)", len(st.Issued))
	}
	if st.Next != 50*4 {
		t.Errorf("next = %d, want %d", st.Next, 50*4)
	}
}

func TestFileSerialsBadInput(t *testing.T) {
	ctx := context.Background()
	s := newSerials(t, t.TempDir(), nil)
	for _, mid := range []string{"", "12345", "56709x", "967094", "123456789"} {
		var fe *FieldError
		if _, err := s.Reserve(ctx, mid, 1); !errors.As(err, &fe) || fe.Field != FieldMailerID {
			t.Errorf("Reserve(%q) = %v; want a mailer ID FieldError", mid, err)
		}
	}
	for _, n := range []int{0, -1, 1_000_001} {
		if _, err := s.Reserve(ctx, "912345678", n); err == nil {
			t.Errorf("Reserve(n=%d) succeeded", n)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Reserve(canceled, "567094", 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Reserve with canceled ctx = %v", err)
	}
	if _, err := NewFileSerials(FileSerialsConfig{}); err == nil {
		t.Error("NewFileSerials without Dir succeeded")
	}
	if _, err := NewFileSerials(FileSerialsConfig{Dir: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("NewFileSerials on a missing Dir succeeded")
	}
}

func TestFileSerialsCorruptState(t *testing.T) {
	dir := t.TempDir()
	s := newSerials(t, dir, nil)
	path := filepath.Join(dir, "imb-serials-567094.json")
	for _, content := range []string{"{", `{"version":1,"mailer_id":"111111","width":9}`, `{"version":1,"mailer_id":"567094","width":9,"next":1000000000}`} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Reserve(context.Background(), "567094", 1); err == nil {
			t.Errorf("Reserve on state %s succeeded", content)
		}
	}
}

func TestFileSerialsLockWaitHonorsContext(t *testing.T) {
	dir := t.TempDir()
	s := newSerials(t, dir, nil)
	f, err := os.OpenFile(filepath.Join(dir, "imb-serials-567094.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Reserve(ctx, "567094", 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Reserve while locked = %v; want context.DeadlineExceeded", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	if first, err := s.Reserve(context.Background(), "567094", 1); err != nil || first != 0 {
		t.Fatalf("Reserve after unlock = %d, %v", first, err)
	}
}
