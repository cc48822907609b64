package presort

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestSorterSpillMemory: while a run is spilled in the background the next
// one fills blocks of its own, but never more than MemoryBytes/spillSlack
// of them; with the spilled run's blocks back, the blocks in use stay
// within MemoryBytes plus that slack (and a block of rounding for each)
// however many runs pass. The output is still in key order.
func TestSorterSpillMemory(t *testing.T) {
	const budget = 8 << 20
	s := NewSorter(SorterConfig{Dir: t.TempDir(), MemoryBytes: budget, MemoryRows: 1 << 30})
	defer s.Close()
	limit := budget + budget/spillSlack + 2*chunkSize
	held := func() int {
		n := 0
		for _, a := range []*arena{&s.arena, &s.spillArena} {
			for _, c := range a.chunks {
				n += cap(c)
			}
		}
		return n
	}
	rec := []byte(strings.Repeat("r", 1000))
	const records = 48_000 // 48 MB: six runs
	most := 0
	for i := range records {
		k := Key{Hi: uint64(i * 7919 % records), Num: int64(i)}
		if err := s.Add(k, rec); err != nil {
			t.Fatal(err)
		}
		most = max(most, held())
	}
	if most > limit {
		t.Fatalf("blocks held reached %d bytes, want at most %d", most, limit)
	}
	if err := s.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.Runs() < 5 {
		t.Fatalf("%d runs spilled, want 5 or more", s.Runs())
	}
	var his []uint64
	if err := s.Scan(context.Background(), nil, func(k *Key, r []byte) error {
		if len(r) != len(rec) {
			return fmt.Errorf("record of %d bytes", len(r))
		}
		his = append(his, k.Hi)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(his) != records || !slices.IsSorted(his) {
		t.Fatalf("%d records out, sorted %v; want %d in order", len(his), slices.IsSorted(his), records)
	}
}
