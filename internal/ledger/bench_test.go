package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/ledger/ledgertest"
)

const (
	benchPieces = 1_000_000
	benchCall   = 5_000
)

// pieceIDs makes n piece ids shaped like postmill's: 16 characters, the
// base32 of 10 bytes of a hash.
func pieceIDs(run, n int) []string {
	enc := base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)
	out := make([]string, n)
	var buf [16]byte
	for i := range out {
		binary.LittleEndian.PutUint64(buf[:8], uint64(run))
		binary.LittleEndian.PutUint64(buf[8:], uint64(i))
		sum := sha256.Sum256(buf[:])
		out[i] = enc.EncodeToString(sum[:10])
	}
	return out
}

// benchDebit debits benchPieces pieces per iteration in calls of benchCall.
func benchDebit(b *testing.B, l *ledger.Ledger) {
	ctx := context.Background()
	ledgertest.Setup(b, l)
	total := int64(benchPieces * b.N)
	if _, err := l.Purchase(ctx, ledgertest.Parent, ledgertest.CreditType, total); err != nil {
		b.Fatal(err)
	}
	if _, err := l.Distribute(ctx, ledgertest.Parent, ledgertest.Child, ledgertest.CreditType, total); err != nil {
		b.Fatal(err)
	}
	jobs := make([][]string, b.N)
	for i := range jobs {
		jobs[i] = pieceIDs(i, benchPieces)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for j := 0; j < benchPieces; j += benchCall {
			r, err := l.Debit(ctx, ledgertest.Child, ledgertest.CreditType, "bench", jobs[i][j:j+benchCall])
			if err != nil {
				b.Fatal(err)
			}
			if r.Charged != benchCall {
				b.Fatalf("charged %d of %d", r.Charged, benchCall)
			}
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(total)/elapsed.Seconds(), "pieces/s")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/1M-pieces")
	bal, err := l.Balance(ctx, ledgertest.Child, ledgertest.CreditType)
	if err != nil || bal != 0 {
		b.Fatalf("balance after benchmark %d, %v", bal, err)
	}
}

// BenchmarkDebitPostgres debits 1,000,000 pieces per iteration in calls of
// 5,000 against the real PostgreSQL; run with -benchtime=1x.
func BenchmarkDebitPostgres(b *testing.B) {
	l := ledger.New(emptyPostgresStore(b))
	defer l.Close()
	benchDebit(b, l)
}

// BenchmarkDebitFile does the same against the file store (one fsync per
// call) and reports how long reopening (replaying) the journal takes.
func BenchmarkDebitFile(b *testing.B) {
	dir := b.TempDir()
	s, _, err := ledger.OpenFileStore(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	l := ledger.New(s)
	benchDebit(b, l)
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	s, _, err = ledger.OpenFileStore(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "reopen-s")
	s.Close()
}
