package account_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/account"
)

// Fixture: agency (10 % default commission) and its sub-account client-a,
// credit type pc4x6 (First-Class 4x6 postcard at $0.90, margin $0.09).
const (
	parent     = "agency"
	child      = "client-a"
	creditType = "pc4x6"
)

// Prices of testdata/fixture-ratecard.json.
var fixturePrices = map[string]string{
	"5digit": "0.4010", "3digit": "0.4120", "aadc": "0.4230", "mixed": "0.4340", "international": "1.7000",
}

func fixtureCard(t testing.TB) *ledger.RateCard {
	t.Helper()
	f, err := os.Open("testdata/fixture-ratecard.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := ledger.LoadRateCard(f)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// setup defines the fixture on l and gives child `credits` credits.
func setup(t testing.TB, l *ledger.Ledger, credits int64) {
	t.Helper()
	ctx := context.Background()
	if err := l.PutCreditType(ctx, ledger.CreditType{ID: creditType, Stock: "14pt_gloss", Size: ledger.Postcard4x6,
		PostageClass: ledger.FirstClass, PricePerCredit: 9000}); err != nil {
		t.Fatal(err)
	}
	if err := l.PutAccount(ctx, ledger.Account{ID: parent, DefaultCommission: 1000}); err != nil {
		t.Fatal(err)
	}
	if err := l.PutAccount(ctx, ledger.Account{ID: child, Parent: parent}); err != nil {
		t.Fatal(err)
	}
	if credits > 0 {
		if _, err := l.Purchase(ctx, parent, creditType, credits); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Distribute(ctx, parent, child, creditType, credits); err != nil {
			t.Fatal(err)
		}
	}
}

func fileLedger(t testing.TB) *ledger.Ledger {
	t.Helper()
	s, _, err := ledger.OpenFileStore(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(s)
	t.Cleanup(func() { l.Close() })
	return l
}

func newStage(t testing.TB, l *ledger.Ledger) *account.Stage {
	t.Helper()
	st, err := account.New(account.Config{Ledger: l, Account: child, CreditType: creditType, RateCard: fixtureCard(t)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// job is a job with the batch stage's columns.
func job() *pipeline.Job { return pipelinetest.NewJob("presort_level", "tray", "batch_id") }

// rows makes n rows cycling through the levels given.
func rows(n int, levels ...string) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"first_name": "P", "presort_level": levels[i%len(levels)]}
	}
	return out
}

func run(t *testing.T, st *account.Stage, j *pipeline.Job, batches ...[]map[string]string) (*pipelinetest.Sink, *pipeline.Report) {
	t.Helper()
	var bs []*pipeline.Batch
	first := int64(1)
	for i, rs := range batches {
		bs = append(bs, pipelinetest.NewBatch(t, j, uint64(i), first, rs...))
		first += int64(len(rs))
	}
	return pipelinetest.RunStage(t, pipeline.Step{Name: "account", Stage: st, Serial: true}, j, bs...)
}

func usage(t testing.TB, l *ledger.Ledger) (charged int64, debits int) {
	t.Helper()
	snap, err := l.Store().Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range snap.Usage {
		charged += u.Charged
	}
	err = l.Store().Transactions(context.Background(), func(tx ledger.Transaction) error {
		if tx.Kind == ledger.KindDebit {
			debits++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return charged, debits
}

// stageSuite runs the stage scenarios against ledgers made by newLedger.
func stageSuite(t *testing.T, newLedger func(t *testing.T) *ledger.Ledger) {
	t.Run("ChargesAndPostage", func(t *testing.T) {
		l := newLedger(t)
		setup(t, l, 10)
		st := newStage(t, l)
		levels := []string{"5digit", "3digit", "aadc", "mixed", "international"}
		sink, rep := run(t, st, job(), rows(5, levels...))
		for i, lvl := range levels {
			r := sink.Find(t, int64(i+1))
			if r.Fate != pipeline.Live || r.Fields["postage"] != fixturePrices[lvl] || r.Fields["credit_type"] != creditType {
				t.Errorf("row %d (%s): %s postage %q credit_type %q; want accepted, %s, %s",
					i+1, lvl, r.Fate, r.Fields["postage"], r.Fields["credit_type"], fixturePrices[lvl], creditType)
			}
		}
		if rep.Accepted != 5 || rep.Held != 0 {
			t.Fatalf("report %+v", rep)
		}
		c := rep.Sections["account"].(*account.Report)
		if c.Charged != 5 || c.CreditsUsed != 5 || c.AlreadyCharged != 0 || c.Held != 0 || c.Balance != 5 ||
			c.MarginBooked.String() != "0.4500" || c.PostageTotal.String() != "3.3700" || !c.Charging ||
			c.MailClass != "first_class" || c.Format != "postcard_4x6" || c.Campaign != "camp" {
			t.Fatalf("account report %+v", c)
		}
		if got := c.Postage["international"]; got.Pieces != 1 || got.Total.String() != "1.7000" || got.Class != "first_class_international" {
			t.Errorf("international postage %+v", got)
		}
		if got := strings.Join(c.Levels(), ","); got != "5digit,3digit,aadc,mixed,international" {
			t.Errorf("Levels() = %s", got)
		}
		if bal, _ := l.Balance(context.Background(), child, creditType); bal != 5 {
			t.Errorf("balance %d, want 5", bal)
		}
		if m, _ := l.Balance(context.Background(), parent, ledger.UnitMoney); m != 4500 {
			t.Errorf("parent margin %d, want 4500", m)
		}
	})

	t.Run("HoldsInInputOrder", func(t *testing.T) {
		l := newLedger(t)
		setup(t, l, 4)
		st := newStage(t, l)
		sink, rep := run(t, st, job(), rows(3, "5digit"), rows(3, "aadc"))
		for n := int64(1); n <= 6; n++ {
			if n <= 4 {
				sink.RequireFate(t, n, pipeline.Live, "")
				continue
			}
			sink.RequireFate(t, n, pipeline.Held, pipeline.HeldInsufficient)
			if r := sink.Find(t, n); r.Detail != "account client-a has 0 credits of pc4x6" || r.Fields["postage"] != "0.4230" || r.Fields["credit_type"] != "" {
				t.Errorf("held row %d: detail %q postage %q credit_type %q", n, r.Detail, r.Fields["postage"], r.Fields["credit_type"])
			}
		}
		if rep.Accepted != 4 || rep.Held != 2 || rep.Reasons[pipeline.HeldInsufficient] != 2 {
			t.Fatalf("report accepted %d held %d reasons %v", rep.Accepted, rep.Held, rep.Reasons)
		}
		c := rep.Sections["account"].(*account.Report)
		if c.Charged != 4 || c.Held != 2 || c.Balance != 0 || c.Postage["5digit"].Pieces != 3 || c.Postage["aadc"].Pieces != 1 ||
			c.PostageTotal.String() != "1.6260" {
			t.Fatalf("account report %+v", c)
		}
	})

	t.Run("ReplayChargesNothingTwice", func(t *testing.T) {
		l := newLedger(t)
		setup(t, l, 3)
		first, _ := run(t, newStage(t, l), job(), rows(5, "mixed"))
		// The same job again (same identity → same piece ids): the three
		// charged pieces pass as already charged, the two held stay held.
		second, rep := run(t, newStage(t, l), job(), rows(5, "mixed"))
		for n := int64(1); n <= 5; n++ {
			a, b := first.Find(t, n), second.Find(t, n)
			if a.ID != b.ID || a.Fate != b.Fate {
				t.Errorf("row %d: first %s %s, replay %s %s", n, a.ID, a.Fate, b.ID, b.Fate)
			}
		}
		c := rep.Sections["account"].(*account.Report)
		if c.Charged != 0 || c.AlreadyCharged != 3 || c.Held != 2 || c.CreditsUsed != 0 || c.MarginBooked != 0 {
			t.Fatalf("replay report %+v", c)
		}
		if charged, debits := usage(t, l); charged != 3 || debits != 1 {
			t.Fatalf("ledger charged %d pieces in %d debits, want 3 in 1", charged, debits)
		}
		// Credits arrive; a third replay charges exactly the two held pieces.
		if _, err := l.Purchase(context.Background(), parent, creditType, 5); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Distribute(context.Background(), parent, child, creditType, 5); err != nil {
			t.Fatal(err)
		}
		_, rep = run(t, newStage(t, l), job(), rows(5, "mixed"))
		c = rep.Sections["account"].(*account.Report)
		if c.Charged != 2 || c.AlreadyCharged != 3 || c.Held != 0 || rep.Accepted != 5 {
			t.Fatalf("third run %+v", c)
		}
		if charged, _ := usage(t, l); charged != 5 {
			t.Fatalf("ledger charged %d pieces, want 5", charged)
		}
	})

	t.Run("BatchDeliveredTwice", func(t *testing.T) {
		l := newLedger(t)
		setup(t, l, 10)
		st := newStage(t, l)
		j := job()
		rs := rows(4, "5digit", "3digit")
		// The same batch (same rows, same piece ids) delivered twice, as a
		// redelivering transport would.
		a := pipelinetest.NewBatch(t, j, 0, 1, rs...)
		b := pipelinetest.NewBatch(t, j, 1, 1, rs...)
		sink, rep := pipelinetest.RunStage(t, pipeline.Step{Name: "account", Stage: st, Serial: true}, j, a, b)
		if rep.Accepted != 8 || len(sink.Rows) != 8 {
			t.Fatalf("accepted %d of %d rows", rep.Accepted, len(sink.Rows))
		}
		c := rep.Sections["account"].(*account.Report)
		if c.Charged != 4 || c.AlreadyCharged != 4 || c.Balance != 6 {
			t.Fatalf("report %+v", c)
		}
		if charged, debits := usage(t, l); charged != 4 || debits != 1 {
			t.Fatalf("ledger charged %d pieces in %d debits, want 4 in 1", charged, debits)
		}
	})

	t.Run("MissingPriceFailsBeforeCharging", func(t *testing.T) {
		l := newLedger(t)
		ctx := context.Background()
		setup(t, l, 10)
		if err := l.PutCreditType(ctx, ledger.CreditType{ID: "mm_letter", Size: ledger.Letter, PostageClass: ledger.Marketing, PricePerCredit: 5000}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Purchase(ctx, parent, "mm_letter", 10); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Distribute(ctx, parent, child, "mm_letter", 10); err != nil {
			t.Fatal(err)
		}
		cfg := account.Config{Ledger: l, Account: child, CreditType: "mm_letter", RateCard: fixtureCard(t)}
		st, err := account.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = st.Preflight(ctx, nil)
		var npe *ledger.NoPriceError
		if !errors.Is(err, ledger.ErrNoPrice) || !errors.As(err, &npe) ||
			!strings.Contains(err.Error(), "no price for marketing/letter/mixed in rate card test-fixture") {
			t.Fatalf("Preflight: %v", err)
		}
		// Without Preflight, the run fails at its first batch, before any debit.
		st, _ = account.New(cfg)
		j := job()
		_, err = pipeline.Run(ctx, pipeline.Config{}, j, pipelinetest.Source(pipelinetest.NewBatch(t, j, 0, 1, rows(3, "5digit")...)),
			[]pipeline.Step{{Name: "account", Stage: st, Serial: true}}, &pipelinetest.Sink{})
		if err == nil || !strings.Contains(err.Error(), "marketing/letter/mixed") {
			t.Fatalf("run: %v", err)
		}
		if charged, debits := usage(t, l); charged != 0 || debits != 0 {
			t.Fatalf("ledger charged %d pieces in %d debits before failing", charged, debits)
		}
	})
}

func TestStageFileStore(t *testing.T) {
	stageSuite(t, func(t *testing.T) *ledger.Ledger { return fileLedger(t) })
}

func TestPreflightChecksLedger(t *testing.T) {
	ctx := context.Background()
	l := fileLedger(t)
	setup(t, l, 0)
	tests := []struct {
		name string
		cfg  account.Config
		want string
	}{
		{"unknown account", account.Config{Ledger: l, Account: "nobody", CreditType: creditType}, `unknown account: "nobody"`},
		{"unknown credit type", account.Config{Ledger: l, Account: child, CreditType: "nope"}, `unknown credit type: "nope"`},
		{"class mismatch", account.Config{Ledger: l, Account: child, CreditType: creditType, MailClass: ledger.Marketing},
			`credit type "pc4x6" pays for first_class postcard_4x6, the run mails marketing postcard_4x6`},
		{"explicit combos", account.Config{Ledger: l, Account: child, CreditType: creditType}, "no price for first_class/postcard_6x11/aadc"},
	}
	for _, tc := range tests {
		tc.cfg.RateCard = fixtureCard(t)
		st, err := account.New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		var combos []ledger.Combo
		if tc.name == "explicit combos" {
			combos = []ledger.Combo{{Class: ledger.FirstClass, Format: ledger.Postcard6x11, Level: ledger.PresortAADC}}
		}
		if err := st.Preflight(ctx, combos); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, cfg := range []account.Config{
		{Ledger: l},
		{Ledger: l, Account: child},
		{MailClass: ledger.FirstClassInternational},
		{Format: "flat"},
	} {
		if _, err := account.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// TestDefaultCardHasNoPresortPrices documents that the shipped card lacks
// presorted prices: a charging run with it fails in Preflight, naming the
// first; a run without a ledger passes the pieces unpriced and says so.
func TestDefaultCardHasNoPresortPrices(t *testing.T) {
	l := fileLedger(t)
	setup(t, l, 10)
	st, err := account.New(account.Config{Ledger: l, Account: child, CreditType: creditType})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Preflight(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "no price for first_class/postcard_4x6/5digit in rate card usps-2025-07-13") {
		t.Fatalf("Preflight with the default card: %v", err)
	}
	st, err = account.New(account.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Preflight(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	sink, rep := run(t, st, job(), rows(2, "aadc", "international"))
	if r := sink.Find(t, 1); r.Fate != pipeline.Live || r.Fields["postage"] != "" {
		t.Errorf("row 1 %+v", r)
	}
	if r := sink.Find(t, 2); r.Fields["postage"] != "1.7000" {
		t.Errorf("row 2 %+v", r)
	}
	c := rep.Sections["account"].(*account.Report)
	if c.UnpricedPieces != 1 || c.NotCharged != 2 || len(c.Unpriced) != 4 ||
		c.Unpriced[0] != "no price for first_class/postcard_4x6/5digit in rate card usps-2025-07-13" {
		t.Fatalf("report %+v", c)
	}
}

func TestNoLedger(t *testing.T) {
	st, err := account.New(account.Config{RateCard: fixtureCard(t)})
	if err != nil {
		t.Fatal(err)
	}
	sink, rep := run(t, st, job(), rows(3, "5digit", "international"))
	if rep.Accepted != 3 {
		t.Fatalf("accepted %d", rep.Accepted)
	}
	if r := sink.Find(t, 2); r.Fields["postage"] != "1.7000" || r.Fields["credit_type"] != "" {
		t.Errorf("row 2 %+v", r.Fields)
	}
	c := rep.Sections["account"].(*account.Report)
	if c.Charging || c.Note != "no ledger account configured: nothing was charged" || c.NotCharged != 3 || c.Charged != 0 ||
		c.PostageTotal.String() != "2.5020" {
		t.Fatalf("report %+v", c)
	}
}

func TestBindNeedsPresortLevel(t *testing.T) {
	st, err := account.New(account.Config{RateCard: fixtureCard(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Bind(pipeline.NewSchema()); err == nil || !strings.Contains(err.Error(), "after the batch (presort) stage") {
		t.Fatalf("Bind: %v", err)
	}
}

func TestUnpricedLevelFailsBatch(t *testing.T) {
	l := fileLedger(t)
	setup(t, l, 10)
	st := newStage(t, l)
	j := job()
	for _, lvl := range []string{"", "carrier_route"} {
		b := pipelinetest.NewBatch(t, j, 0, 1, rows(2, "5digit", lvl)...)
		_, err := pipeline.Run(context.Background(), pipeline.Config{}, j, pipelinetest.Source(b),
			[]pipeline.Step{{Name: "account", Stage: st, Serial: true}}, &pipelinetest.Sink{})
		if err == nil || !strings.Contains(err.Error(), "row 2") {
			t.Errorf("level %q: %v", lvl, err)
		}
	}
	if charged, _ := usage(t, l); charged != 0 {
		t.Fatalf("charged %d", charged)
	}
}
