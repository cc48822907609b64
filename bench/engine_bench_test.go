package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/ingest"
)

// writeRows writes n deterministic contact rows of about 80 bytes each.
func writeRows(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("first_name,last_name,address_street,address_city,address_state,address_zip,email,var_field_1\n")
	first := []string{"Ada", "Grace", "Alan", "Katherine", "Dorothy", "Edsger", "Barbara", "Margaret"}
	last := []string{"Lovelace", "Hopper", "Turing", "Johnson", "Vaughan", "Dijkstra", "Liskov", "Hamilton"}
	street := []string{"Main St", "Harbor Rd", "Elm Ave", "Summit Ridge Rd", "Oak Ln", "Park Pl"}
	city := []string{"Boston,MA,02108", "New York,NY,10001", "Chicago,IL,60614", "Denver,CO,80202"}
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, 128)
	for i := 0; i < n; i++ {
		buf = buf[:0]
		buf = append(buf, first[r.IntN(len(first))]...)
		buf = append(buf, ',')
		buf = append(buf, last[r.IntN(len(last))]...)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(1+r.IntN(9999)), 10)
		buf = append(buf, ' ')
		buf = append(buf, street[r.IntN(len(street))]...)
		buf = append(buf, ',')
		buf = append(buf, city[r.IntN(len(city))]...)
		buf = append(buf, ",user"...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, "@example.com,Spring Sale\n"...)
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return st.Size()
}

// countSink counts and releases.
type countSink struct{ rows int64 }

func (s *countSink) Write(ctx context.Context, b *pipeline.Batch) error {
	s.rows += int64(b.Len())
	b.Release()
	return nil
}
func (s *countSink) Close(ctx context.Context) error { return nil }

// passThrough reads path through the CSV reader, the ingest source and the
// engine with no stage.
func passThrough(tb testing.TB, path string) int64 {
	ctx := context.Background()
	in, err := input.Open(ctx, path, input.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	job := &pipeline.Job{ID: "bench", Account: "a", Campaign: "c", Source: path, Schema: pipeline.NewSchema()}
	src, err := ingest.New(job, in, ingest.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	sink := &countSink{}
	rep, err := pipeline.Run(ctx, pipeline.Config{}, job, src, nil, sink)
	if err != nil {
		tb.Fatal(err)
	}
	if rep.RowsIn != sink.rows || rep.Accepted != sink.rows {
		tb.Fatalf("rows in %d accepted %d sink %d", rep.RowsIn, rep.Accepted, sink.rows)
	}
	return sink.rows
}

var benchDir = flag.String("bench-dir", "", "directory for generated benchmark inputs (default: a temporary directory)")

func dataFile(b *testing.B, n int) (string, int64) {
	dir := *benchDir
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("rows-%d.csv", n))
	if st, err := os.Stat(path); err == nil {
		return path, st.Size()
	}
	return path, writeRows(b, path, n)
}

// BenchmarkIngestEngine: the CSV reader, the ingest source and the engine,
// no stage, over 1M rows of ~80 bytes. Run with -cpu 1 for the per-core
// figure.
func BenchmarkIngestEngine(b *testing.B) {
	const n = 1_000_000
	path, size := dataFile(b, n)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := passThrough(b, path); got != n {
			b.Fatalf("%d rows, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size)/n, "bytes/row")
}

// BenchmarkIngestEngineRSS runs the pass-through in a child process for 1M
// and 5M rows and reports the child's peak RSS: streaming keeps it flat.
func BenchmarkIngestEngineRSS(b *testing.B) {
	for _, n := range []int{1_000_000, 5_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			path, _ := dataFile(b, n)
			var maxRSS int64
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(os.Args[0], "-test.run=^TestPassThroughChild$")
				cmd.Env = append(os.Environ(), "POSTMILL_BENCH_CHILD="+path, "GOMAXPROCS="+strconv.Itoa(runtime.GOMAXPROCS(0)))
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
				maxRSS = max(maxRSS, rss)
			}
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MB")
		})
	}
}

// TestPassThroughChild is the child of BenchmarkIngestEngineRSS; it does
// nothing unless the benchmark started it.
func TestPassThroughChild(t *testing.T) {
	path := os.Getenv("POSTMILL_BENCH_CHILD")
	if path == "" {
		t.Skip("only run as the child of BenchmarkIngestEngineRSS")
	}
	passThrough(t, path)
}
