package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// TestFuse: the second stage sees only the rows the first left live, the
// fates of both reach the sink, and binding adds both stages' columns.
func TestFuse(t *testing.T) {
	var seen []int64
	first := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		for _, r := range b.Rows {
			if r.Num%3 == 0 {
				r.Reject(pipeline.MalformedQuote, "first")
			}
		}
		return nil
	})
	second := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		for _, r := range b.Rows {
			seen = append(seen, r.Num)
			if r.Fate != pipeline.Live {
				t.Errorf("row %d reached the second stage %s", r.Num, r.Fate)
			}
			if r.Num%5 == 0 {
				r.Hold(pipeline.HeldInsufficient, "second")
			}
		}
		return nil
	})
	st, err := pipeline.Fuse(first, second)
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob()
	sink, rep := pipelinetest.RunStage(t, pipeline.Step{Name: "fused", Stage: st, Serial: true}, job,
		pipelinetest.NewBatch(t, job, 0, 1, make([]map[string]string, 30)...))
	if len(seen) != 20 {
		t.Fatalf("second stage saw %d rows, want the 20 the first left live", len(seen))
	}
	for n := int64(1); n <= 30; n++ {
		switch {
		case n%3 == 0:
			sink.RequireFate(t, n, pipeline.Rejected, pipeline.MalformedQuote)
		case n%5 == 0:
			sink.RequireFate(t, n, pipeline.Held, pipeline.HeldInsufficient)
		default:
			sink.RequireFate(t, n, pipeline.Live, "")
		}
	}
	if rep.Rejected != 10 || rep.Held != 4 || rep.Accepted != 16 {
		t.Fatalf("report: %d accepted, %d rejected, %d held", rep.Accepted, rep.Rejected, rep.Held)
	}
	if _, err := pipeline.Fuse(); err == nil || !strings.Contains(err.Error(), "no stages") {
		t.Fatalf("Fuse(): %v", err)
	}
	if _, err := pipeline.Fuse(first, flushing{}); err == nil || !strings.Contains(err.Error(), "cannot be fused") {
		t.Fatalf("Fuse with a flushing stage: %v", err)
	}
}

// flushing is a stage that needs all input.
type flushing struct{}

func (flushing) Process(context.Context, *pipeline.Batch) error           { return nil }
func (flushing) Flush(context.Context, func(*pipeline.Batch) error) error { return nil }
