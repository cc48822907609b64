package keyset

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/benchcpu"
)

// shortTemplate and longTemplate, with 8 digits rewritten per key, give ~25- and ~30-byte keys like the
// emails and external ids suppression hashes, rewritten in place so the
// benchmarks themselves do not allocate per key.
const (
	shortTemplate = "c.00000000@example.net..."      // 25 bytes, digits at [2,10)
	longTemplate  = "customer.00000000@example.org." // 30 bytes, digits at [9,17)
)

// putDigits writes v as 8 decimal digits into b.
func putDigits(b []byte, v int) {
	for i := 7; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

const bigN = 10_000_000

// reportCPU adds a cpu-ns/<unit> metric: process CPU time since start per
// unit of work. Wall-clock ns also count time spent waiting for a core on a
// shared machine; CPU time does not. It is omitted where unavailable.
func reportCPU(b *testing.B, start time.Duration, units int, unit string) {
	if start == 0 {
		return
	}
	b.ReportMetric(float64((benchcpu.Time()-start).Nanoseconds())/float64(units), "cpu-ns/"+unit)
}

func BenchmarkSum(b *testing.B) {
	buf := []byte(longTemplate)
	var sink Key
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	i := 0
	cpu0 := benchcpu.Time()
	for b.Loop() {
		putDigits(buf[9:17], i)
		sink = Sum(KindEmail, buf)
		i++
	}
	b.StopTimer()
	reportCPU(b, cpu0, i, "op")
	_ = sink
}

// BenchmarkBuild10M hashes 10 million 25-byte strings and adds them to a Set,
// reporting ns per key and the heap in use afterwards: into a presized Set,
// into one grown from empty, and presized with Prefetch over groups of 16.
// Run with -benchtime=1x; skipped under -short.
func BenchmarkBuild10M(b *testing.B) {
	if testing.Short() {
		b.Skip("10M-key benchmark skipped in -short mode")
	}
	for _, bc := range []struct {
		name  string
		hint  int
		group int // keys hashed and prefetched together
	}{{"presized", bigN, 1}, {"grow", 0, 1}, {"presized_prefetch16", bigN, 16}} {
		b.Run(bc.name, func(b *testing.B) {
			runtime.GC()
			buf := []byte(shortTemplate)
			keys := make([]Key, bc.group)
			b.ReportAllocs()
			var s *Set
			cpu0 := benchcpu.Time()
			for b.Loop() {
				s = nil
				s = NewSet(bc.hint)
				for i := 0; i < bigN; i += bc.group {
					for j := range keys {
						putDigits(buf[2:10], i+j)
						keys[j] = Sum(KindEmail, buf)
					}
					if bc.group > 1 {
						s.Prefetch(keys)
					}
					for _, k := range keys {
						s.Add(k)
					}
				}
			}
			b.StopTimer()
			reportCPU(b, cpu0, b.N*bigN, "key")
			if s.Len() != bigN {
				b.Fatalf("Len %d, want %d", s.Len(), bigN)
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bigN), "ns/key")
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-heap")
			runtime.KeepAlive(s)
		})
	}
}

var (
	bigSetOnce sync.Once
	bigSet     *Set
)

// tenMillion returns a Set of the keys of long-template strings 0..10M-1,
// built once per test binary.
func tenMillion(b *testing.B) *Set {
	bigSetOnce.Do(func() {
		start := time.Now()
		buf := []byte(longTemplate)
		bigSet = NewSet(bigN)
		for i := range bigN {
			putDigits(buf[9:17], i)
			bigSet.Add(Sum(KindEmail, buf))
		}
		b.Logf("built 10M-key set in %v", time.Since(start))
	})
	return bigSet
}

// lookupsPerOp is how many lookups one BenchmarkHas iteration makes, so a
// single iteration (-benchtime=1x) still measures something.
const lookupsPerOp = 1 << 20

// BenchmarkHas looks up keys in a 10M-key Set, hashing a 30-byte string for
// each: half hits, half misses, in an order that defeats the cache. One op
// is 2^20 lookups; see the ns/lookup and lookups/s metrics.
func BenchmarkHas(b *testing.B) {
	if testing.Short() {
		b.Skip("10M-key benchmark skipped in -short mode")
	}
	s := tenMillion(b)
	buf := []byte(longTemplate)
	hits, i := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	for b.Loop() {
		for range lookupsPerOp {
			// Odd steps look up ids 10M..20M, never added.
			id := (i*7919)%bigN + (i&1)*bigN
			putDigits(buf[9:17], id)
			if s.Has(Sum(KindEmail, buf)) {
				hits++
			}
			i++
		}
	}
	b.StopTimer()
	reportCPU(b, cpu0, i, "lookup")
	if want := i / 2; hits != want {
		b.Fatalf("%d hits in %d lookups, want %d", hits, i, want)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/lookup")
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkHasBatch is BenchmarkHas through HasBatch, 256 keys a call, as
// a stage checking one batch of rows would.
func BenchmarkHasBatch(b *testing.B) {
	if testing.Short() {
		b.Skip("10M-key benchmark skipped in -short mode")
	}
	s := tenMillion(b)
	buf := []byte(longTemplate)
	keys := make([]Key, 256)
	found := make([]bool, len(keys))
	hits, i := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	for b.Loop() {
		for range lookupsPerOp / len(keys) {
			for j := range keys {
				id := (i*7919)%bigN + (i&1)*bigN
				putDigits(buf[9:17], id)
				keys[j] = Sum(KindEmail, buf)
				i++
			}
			hits += s.HasBatch(keys, found)
		}
	}
	b.StopTimer()
	reportCPU(b, cpu0, i, "lookup")
	if want := i / 2; hits != want {
		b.Fatalf("%d hits in %d lookups, want %d", hits, i, want)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/lookup")
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkMapPutIfAbsent is dedupe of 5M rows: each row hashes a 30-byte
// string and calls PutIfAbsent on a presized Map; one row in four repeats an
// earlier row (row 4k+3 repeats row 4k). One op is the whole 5M-row pass
// (the Map is cleared first); see the ns/row and rows/s metrics. The
// prefetch variant hashes 16 rows, calls Prefetch, then inserts them.
func BenchmarkMapPutIfAbsent(b *testing.B) {
	if testing.Short() {
		b.Skip("5M-row benchmark skipped in -short mode")
	}
	const rows = 5_000_000
	m := NewMap(rows)
	for _, group := range []int{1, 16} {
		name := "plain"
		if group > 1 {
			name = "prefetch16"
		}
		b.Run(name, func(b *testing.B) {
			buf := []byte(longTemplate)
			keys := make([]Key, group)
			dups := 0
			b.ReportAllocs()
			cpu0 := benchcpu.Time()
			for b.Loop() {
				m.Clear()
				dups = 0
				for row0 := 0; row0 < rows; row0 += group {
					for j := range keys {
						id := row0 + j
						if id&3 == 3 {
							id &^= 3 // repeat row 4k
						}
						putDigits(buf[9:17], id)
						keys[j] = Sum(KindEmail, buf)
					}
					if group > 1 {
						m.Prefetch(keys)
					}
					for j, k := range keys {
						if _, inserted := m.PutIfAbsent(k, uint64(row0+j)); !inserted {
							dups++
						}
					}
				}
			}
			b.StopTimer()
			reportCPU(b, cpu0, b.N*rows, "row")
			if want := rows / 4; dups != want {
				b.Fatalf("%d duplicates, want %d", dups, want)
			}
			perRow := float64(b.Elapsed().Nanoseconds()) / float64(b.N*rows)
			b.ReportMetric(perRow, "ns/row")
			b.ReportMetric(1e9/perRow, "rows/s")
		})
	}
}

// BenchmarkBloomAppendMaybe checks 2^20 keys, half of them added, in
// batches of 2048 against a filter of the 10M keys of tenMillion (12.5 MB),
// as the suppress stage's prefilter does; the keys are hashed before the
// timer starts. See ns/lookup and cpu-ns/lookup.
func BenchmarkBloomAppendMaybe(b *testing.B) {
	if testing.Short() {
		b.Skip("10M-key benchmark skipped in -short mode")
	}
	f := tenMillion(b).Bloom(BloomBitsPerKey)
	buf := []byte(longTemplate)
	keys := make([]Key, lookupsPerOp)
	for i := range keys {
		id := (i*7919)%bigN + (i&1)*bigN
		putDigits(buf[9:17], id)
		keys[i] = Sum(KindEmail, buf)
	}
	idx := make([]int32, 0, 2048)
	passed, n := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	for b.Loop() {
		for g := 0; g < len(keys); g += cap(idx) {
			idx = f.AppendMaybe(idx[:0], keys[g:g+cap(idx)])
			passed += len(idx)
		}
		n += len(keys)
	}
	b.StopTimer()
	reportCPU(b, cpu0, n, "lookup")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/lookup")
	b.ReportMetric(float64(passed-n/2)/float64(n/2), "fp-rate")
}
