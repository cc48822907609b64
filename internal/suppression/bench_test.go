package suppression

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/postmill/postmill/internal/benchcpu"
)

const tenMillion = 10_000_000

// BenchmarkLoad10M writes a 10-million-line email list (CSV, ~300 MB) and
// measures LoadFile on it: read, parse, normalize, hash and index. It
// reports seconds per load, the heap in use after it (the list's Set) and
// the process's peak RSS. Run alone with -benchtime=1x; skipped under
// -short.
func BenchmarkLoad10M(b *testing.B) {
	if testing.Short() {
		b.Skip("10M-entry benchmark skipped in -short mode")
	}
	path := filepath.Join(b.TempDir(), "optout.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("Email Address,Opted Out\n")
	line := []byte("Customer.00000000@Example.org,2026-01-02\n")
	for i := range tenMillion {
		v := i
		for j := 16; j >= 9; j-- {
			line[j] = byte('0' + v%10)
			v /= 10
		}
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	var l *List
	for b.Loop() {
		l = nil
		if l, err = LoadFile(context.Background(), path, AccountScope("a1"), LoadConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if l.Len() != tenMillion {
		b.Fatalf("%d keys, want %d", l.Len(), tenMillion)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/load")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tenMillion), "ns/entry")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap-inuse")
	b.ReportMetric(benchcpu.PeakRSSMiB(), "MiB-peak-rss")
	runtime.KeepAlive(l)
}
