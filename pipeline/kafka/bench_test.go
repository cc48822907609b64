package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/benchcpu"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// BenchmarkKafkaChain runs 200,000 rows through pipeline.Run with every link
// on Kafka (kfake on loopback, in this process): source → 2 or 3 trivial
// stateless stages → sink, batches of pipeline.DefaultBatchRows (1,024)
// rows, no linger, 4 batches in flight per sender, 3 partitions. It reports
// rows/s end to end (the Run call: topic creation and group joins
// included) and the process's CPU time per row, broker included, which
// says more than the wall clock on a shared machine.
func BenchmarkKafkaChain(b *testing.B) {
	const rows = 200_000
	brokers := cluster(b)
	pass := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		for _, r := range b.Rows {
			if len(r.Fields[pipeline.ColZip]) != 5 {
				r.Reject(pipeline.MalformedColumnCount, "")
			}
		}
		return nil
	})
	names := []string{"validate", "suppress", "render"}
	for _, stages := range []int{2, 3} {
		for _, comp := range []struct {
			name string
			c    arrowbatch.Compression
		}{{"zstd", arrowbatch.CompressStream}, {"none", arrowbatch.CompressNone}} {
			b.Run(fmt.Sprintf("stages=%d/compression=%s", stages, comp.name), func(b *testing.B) {
				var steps []pipeline.Step
				for _, n := range names[:stages] {
					steps = append(steps, pipeline.Step{Name: n, Stage: pass})
				}
				var total, cpu time.Duration
				for b.Loop() {
					tr := newTransport(b, brokers, kafka.Config{Compression: comp.c})
					job := pipelinetest.NewJob()
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					t0, c0 := time.Now(), benchcpu.Time()
					rep, err := pipeline.Run(ctx, pipeline.Config{Transport: tr}, job,
						pipelinetest.Rows(job, rows, pipeline.DefaultBatchRows), steps, discard{})
					total, cpu = total+time.Since(t0), cpu+benchcpu.Time()-c0
					cancel()
					if err != nil {
						b.Fatal(err)
					}
					if rep.Accepted != rows {
						b.Fatalf("accepted %d of %d", rep.Accepted, rows)
					}
					tr.Close()
				}
				b.ReportMetric(float64(rows)*float64(b.N)/total.Seconds(), "rows/s")
				b.ReportMetric(float64(cpu)/float64(rows*b.N), "cpu-ns/row")
			})
		}
	}
}

// discard is a sink that drops what it gets.
type discard struct{}

func (discard) Write(ctx context.Context, b *pipeline.Batch) error { b.Release(); return nil }
func (discard) Close(ctx context.Context) error                    { return nil }
