package account_test

import (
	"context"
	"testing"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/account"
	presorted "github.com/postmill/postmill/stages/batch"
)

// BenchmarkProcess prices and charges batches of batch.EmitRows (2,048)
// presorted pieces, as the account stage sees them after presort: long runs
// of one level (here all but the last 148 5digit, then 3digit), every piece
// new. With the
// file ledger the store writes behind, as postmill run opens it.
func BenchmarkProcess(b *testing.B) {
	for _, tc := range []struct {
		name   string
		ledger bool
	}{
		{"file-ledger", true},
		{"no-ledger", false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var l *ledger.Ledger
			if tc.ledger {
				l = fileLedger(b)
				l.Store().(*ledger.FileStore).SyncBehind()
				setup(b, l, 1<<40)
			}
			st, err := account.New(account.Config{Ledger: l, Account: child, CreditType: creditType, RateCard: fixtureCard(b)})
			if err != nil {
				b.Fatal(err)
			}
			j := job()
			if err := st.Bind(j.Schema); err != nil {
				b.Fatal(err)
			}
			lvlCol, _ := j.Schema.Index(account.ColPresortLevel)
			levels := [2][]byte{[]byte("5digit"), []byte("3digit")}
			ctx := context.Background()
			var num int64
			b.ReportAllocs()
			for b.Loop() {
				batch := pipeline.NewBatch(j, 0)
				for i := range presorted.EmitRows {
					r := batch.AddRow()
					num++
					r.Num, r.ID = num, pipeline.NewPieceID(j, num)
					lvl := levels[0]
					if i >= presorted.EmitRows-148 {
						lvl = levels[1]
					}
					r.Fields[lvlCol] = lvl
				}
				if err := st.Process(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch.Release()
			}
			b.ReportMetric(float64(num)/b.Elapsed().Seconds(), "pieces/s")
			if rep := st.Counts(); tc.ledger && rep.Charged != num {
				b.Fatalf("charged %d of %d pieces", rep.Charged, num)
			}
			if l != nil {
				if err := l.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
