package imb_test

import (
	"context"
	"errors"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/pgtest"
)

var pgDB = pgtest.New("imb", imb.MigrateSerials, 8)

func TestMain(m *testing.M) { os.Exit(pgDB.Main(m)) }

// TestPostgresSerialsConcurrent: goroutines reserving at once get blocks
// that neither overlap nor leave gaps.
func TestPostgresSerialsConcurrent(t *testing.T) {
	pool := pgDB.Pool(t)
	ctx := context.Background()
	s := imb.NewPostgresSerials(pool, imb.PostgresSerialsConfig{})
	const mid, workers, each, size = "123457", 8, 20, 50
	var mu sync.Mutex
	var firsts []uint64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				f, err := s.Reserve(ctx, mid, size)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				firsts = append(firsts, f)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	for i, f := range firsts {
		if f != uint64(i*size) {
			t.Fatalf("block %d starts at %d, want %d: overlap or gap", i, f, i*size)
		}
	}
}

// TestPostgresSerialsWrap: a 9-digit Mailer ID has 6-digit serials; wrapping
// to 0 is refused while serial 0 was issued within 45 days and allowed after.
func TestPostgresSerialsWrap(t *testing.T) {
	pool := pgDB.Pool(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := imb.NewPostgresSerials(pool, imb.PostgresSerialsConfig{Now: func() time.Time { return now }})
	const mid = "912345678"
	if f, err := s.Reserve(ctx, mid, 600_000); err != nil || f != 0 {
		t.Fatalf("first block: %d, %v", f, err)
	}
	now = now.Add(time.Hour)
	if f, err := s.Reserve(ctx, mid, 300_000); err != nil || f != 600_000 {
		t.Fatalf("second block: %d, %v", f, err)
	}
	now = now.Add(time.Hour)
	_, err := s.Reserve(ctx, mid, 200_000) // would wrap onto serials issued 2 hours ago
	if !errors.Is(err, imb.ErrSerialsExhausted) {
		t.Fatalf("wrap within 45 days: got %v, want ErrSerialsExhausted", err)
	}
	now = now.Add(imb.ReuseWindow)
	if f, err := s.Reserve(ctx, mid, 200_000); err != nil || f != 0 {
		t.Fatalf("wrap after 45 days: %d, %v", f, err)
	}
	if _, err := s.Reserve(ctx, "12345", 1); err == nil {
		t.Fatal("a 5-digit Mailer ID was accepted")
	}
}
