package batch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockAllocator hands out block k (from 1) as k*1000 onwards and reports
// each call on calls; it fails the call numbered failAt.
type blockAllocator struct {
	mu     sync.Mutex
	sizes  []int
	failAt int
	calls  chan int
}

func (a *blockAllocator) Reserve(ctx context.Context, mailerID string, n int) (uint64, error) {
	a.mu.Lock()
	a.sizes = append(a.sizes, n)
	k := len(a.sizes)
	a.mu.Unlock()
	a.calls <- k
	if k == a.failAt {
		return 0, errors.New("injected: state directory gone")
	}
	return uint64(k) * 1000, nil
}

// TestSerialsReservedAhead: the next block of serials is reserved while the
// current one is in use (its reservation fsyncs, and presort's output would
// wait for it), blocks are used in the order reserved and cut to the pieces
// left, and a failed reservation fails the piece that needs it.
func TestSerialsReservedAhead(t *testing.T) {
	waitCall := func(a *blockAllocator, want int) {
		t.Helper()
		select {
		case k := <-a.calls:
			if k != want {
				t.Fatalf("reservation %d, want %d", k, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("reservation %d never made", want)
		}
	}
	a := &blockAllocator{calls: make(chan int, 10)}
	st := &Stage{cfg: Config{MailerID: "123456", Serials: a, SerialBlock: 5}}
	e := &emitter{s: st, ctx: context.Background(), domLeft: 12}
	var got []uint64
	next := func() {
		t.Helper()
		v, err := e.nextSerial()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	next()
	waitCall(a, 1)
	// One serial of the first block used, and the second block is already
	// being reserved.
	waitCall(a, 2)
	for range 4 {
		next()
	}
	next() // the sixth piece takes the second block and starts the third
	waitCall(a, 3)
	for range 6 {
		next()
	}
	e.close()
	want := []uint64{1000, 1001, 1002, 1003, 1004, 2000, 2001, 2002, 2003, 2004, 3000, 3001}
	if len(got) != len(want) {
		t.Fatalf("serials %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("serials %v, want %v", got, want)
		}
	}
	if len(a.sizes) != 3 || a.sizes[0] != 5 || a.sizes[1] != 5 || a.sizes[2] != 2 {
		t.Fatalf("blocks reserved of %v, want [5 5 2]", a.sizes)
	}
	if sb := st.section.Serials; len(sb) != 3 || sb[0].First != 1000 || sb[1].First != 2000 || sb[2].First != 3000 || sb[2].Count != 2 {
		t.Fatalf("reported blocks %+v", sb)
	}

	// The second reservation fails: the sixth piece gets its error.
	a = &blockAllocator{calls: make(chan int, 10), failAt: 2}
	st = &Stage{cfg: Config{MailerID: "123456", Serials: a, SerialBlock: 5}}
	e = &emitter{s: st, ctx: context.Background(), domLeft: 12}
	for i := range 6 {
		_, err := e.nextSerial()
		if i < 5 && err != nil {
			t.Fatalf("piece %d: %v", i+1, err)
		}
		if i == 5 && (err == nil || !strings.Contains(err.Error(), "reserve IMb serials: injected")) {
			t.Fatalf("piece 6: %v, want the failed reservation", err)
		}
	}
	e.close()
	if len(st.section.Serials) != 1 {
		t.Fatalf("reported blocks %+v, want the first only", st.section.Serials)
	}
}
