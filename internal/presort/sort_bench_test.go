package presort

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSortMemory sorts one in-memory run of 200,000 records (the
// default MemoryRows) whose keys look like presort's: a few thousand
// distinct Hi values (group, ADC, ZIP Code), random piece ids.
func BenchmarkSortMemory(b *testing.B) {
	const n = 200_000
	r := rand.New(rand.NewPCG(5, 6))
	keys := make([]entry, n)
	for i := range keys {
		k := &keys[i].key
		k.Hi = uint64(r.IntN(5000)) << 20
		for j := range k.ID {
			k.ID[j] = "0123456789abcdefghjkmnpqrstvwxyz"[r.IntN(32)]
		}
		k.Num = int64(i)
		keys[i].off = uint32(i)
	}
	s := NewSorter(SorterConfig{})
	b.ReportAllocs()
	for b.Loop() {
		s.entries = append(s.entries[:0], keys...)
		s.sortMemory()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}
