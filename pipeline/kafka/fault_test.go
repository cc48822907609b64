package kafka_test

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// TestWorkerKilledTwentyTimes kills the worker of a charging stage at random
// points 20 times during a 200,000-row job and restarts it each time. Kafka
// redelivers what was in flight, so the output topic may hold some batches
// twice; the sink dedupes on piece id, and the ledger, which dedupes on
// piece id too, must hold exactly one debit per piece.
func TestWorkerKilledTwentyTimes(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 rows through Kafka")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const rows, kills = 200_000, 20
	brokers := cluster(t)
	cfg := kafka.Config{Brokers: brokers, Prefix: "fault"}
	job := pipelinetest.NewJob()

	store, _, err := ledger.OpenFileStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(store)
	defer l.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(l.PutAccount(ctx, ledger.Account{ID: "agency"}))
	must(l.PutAccount(ctx, ledger.Account{ID: "client", Parent: "agency"}))
	must(l.PutCreditType(ctx, ledger.CreditType{ID: "pc", Size: ledger.Format("postcard_4x6"), PostageClass: ledger.MailClass("first_class")}))
	_, err = l.Purchase(ctx, "agency", "pc", rows+1000)
	must(err)
	_, err = l.Distribute(ctx, "agency", "client", "pc", rows+1000)
	must(err)

	// The stage charges one credit per piece and counts the batches it has
	// finished, so the test can kill the worker at chosen points.
	var done atomic.Int64
	progress := make(chan int64, 1024)
	charge := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		ids := make([]string, len(b.Rows))
		for i, r := range b.Rows {
			ids[i] = r.ID.String()
		}
		if _, err := l.Debit(ctx, "client", "pc", job.Campaign, ids); err != nil {
			return err
		}
		select {
		case progress <- done.Add(1):
		default:
		}
		return nil
	})
	step := pipeline.Step{Name: "account", Stage: charge}

	// publish sends n batches of 10 rows.
	publish(t, ctx, cfg, job, "account", rows/10)

	rng := rand.New(rand.NewPCG(8, 9))
	total := int64(rows / 10)
	for k := 0; k < kills; k++ {
		wctx, stop := context.WithCancel(ctx)
		errc := runWorker(wctx, cfg, step, "sink")
		// Kill after a random number of further batches, at most a fair
		// share of what is left so every kill lands mid-job.
		target := done.Load() + 1 + rng.Int64N(total/(2*kills))
	wait:
		for {
			select {
			case n := <-progress:
				if n >= target {
					break wait
				}
			case err := <-errc:
				t.Fatalf("worker %d stopped by itself: %v", k, err)
			case <-ctx.Done():
				t.Fatalf("kill %d: timed out at %d batches", k, done.Load())
			}
		}
		stop()
		if err := <-errc; err != nil {
			t.Fatalf("worker %d: %v", k, err)
		}
	}
	// The last worker runs to the end of the job.
	wctx, stop := context.WithCancel(ctx)
	errc := runWorker(wctx, cfg, step, "sink")
	_, sink := collect(t, ctx, cfg, job, "sink")
	stop()
	if err := <-errc; err != nil {
		t.Fatalf("last worker: %v", err)
	}

	seen := make(map[int64]bool, rows)
	for _, r := range sink.Rows {
		seen[r.Num] = true
	}
	if len(seen) != rows {
		t.Fatalf("sink holds %d distinct pieces of %d: pieces were lost", len(seen), rows)
	}
	dups := len(sink.Rows) - rows
	bal, err := l.Balance(ctx, "client", "pc")
	must(err)
	if bal != 1000 {
		t.Fatalf("client balance %d, want 1000: %d pieces charged, want exactly %d", bal, rows+1000-bal, rows)
	}
	t.Logf("%d batches processed for %d batches of input (%d rows redelivered after %d kills); one debit per piece",
		done.Load(), total, dups, kills)
}
