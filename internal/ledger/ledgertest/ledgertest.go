// Package ledgertest is the contract every ledger.Store implementation
// passes: Run it from the implementation's tests with a constructor that
// returns an empty store.
package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/postmill/postmill/internal/ledger"
)

// NewStore returns an empty store for one subtest; the suite closes it.
type NewStore func(t *testing.T) ledger.Store

// Prices and commissions of the fixture built by Setup.
const (
	CreditType   = "pc6x9_std"
	CreditType2  = "letter_fc"
	Parent       = "agency"
	Child        = "client-a"     // inherits the parent's 10 %
	ChildOver    = "client-b"     // overrides with 25 %
	OtherParent  = "other-agency" // unrelated tenant
	OtherChild   = "other-client" // child of OtherParent
	ParentComm   = ledger.BasisPoints(1000)
	OverrideComm = ledger.BasisPoints(2500)
)

// Price is the fixture's price per CreditType credit, $0.90.
const Price = ledger.Amount(9000)

// Setup defines the fixture accounts and credit types on a fresh ledger.
func Setup(t testing.TB, l *ledger.Ledger) {
	t.Helper()
	ctx := context.Background()
	over := OverrideComm
	for _, ct := range []ledger.CreditType{
		{ID: CreditType, Stock: "14pt_gloss", Size: ledger.Postcard6x9, PostageClass: ledger.Marketing, PricePerCredit: Price},
		{ID: CreditType2, Stock: "60lb_offset", Size: ledger.Letter, PostageClass: ledger.FirstClass, PricePerCredit: 12500},
	} {
		if err := l.PutCreditType(ctx, ct); err != nil {
			t.Fatalf("PutCreditType(%s): %v", ct.ID, err)
		}
	}
	for _, a := range []ledger.Account{
		{ID: Parent, Name: "Agency", DefaultCommission: ParentComm},
		{ID: Child, Parent: Parent},
		{ID: ChildOver, Parent: Parent, CommissionOverride: &over},
		{ID: OtherParent},
		{ID: OtherChild, Parent: OtherParent},
	} {
		if err := l.PutAccount(ctx, a); err != nil {
			t.Fatalf("PutAccount(%s): %v", a.ID, err)
		}
	}
}

// Run runs the contract suite against stores made by newStore.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l *ledger.Ledger)
	}{
		{"Balances", testBalances},
		{"Rules", testRules},
		{"Insufficient", testInsufficient},
		{"Replay", testReplay},
		{"Refund", testRefund},
		{"CommissionChange", testCommissionChange},
		{"Report", testReport},
		{"Concurrent", testConcurrent},
		{"SamePiecesTwoAccounts", testSamePiecesTwoAccounts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			l := ledger.New(s)
			t.Cleanup(func() { l.Close() })
			Setup(t, l)
			tc.fn(t, l)
			CheckInvariants(t, s)
		})
	}
}

// CheckInvariants fails t unless every transaction's entries sum to zero per
// unit, every balance equals the sum of its account's entries, balances sum
// to zero per unit, and no tenant balance is negative.
func CheckInvariants(t testing.TB, s ledger.Store) {
	t.Helper()
	ctx := context.Background()
	type key struct{ account, unit string }
	sums := map[key]int64{}
	n := 0
	err := s.Transactions(ctx, func(tx ledger.Transaction) error {
		n++
		per := map[string]int64{}
		for _, e := range tx.Entries {
			per[e.Unit] += e.Amount
			sums[key{e.Account, e.Unit}] += e.Amount
		}
		for u, v := range per {
			if v != 0 {
				return fmt.Errorf("transaction %d (%s): entries of %s sum to %d, want 0", tx.ID, tx.Kind, u, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Transactions: %v", err)
	}
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	total := map[string]int64{}
	seen := map[key]bool{}
	for _, b := range snap.Balances {
		k := key{b.Account, b.Unit}
		seen[k] = true
		total[b.Unit] += b.Amount
		if b.Amount != sums[k] {
			t.Errorf("balance %s/%s = %d, entries sum to %d", b.Account, b.Unit, b.Amount, sums[k])
		}
		if b.Amount < 0 && b.Account[0] != '@' {
			t.Errorf("balance %s/%s = %d is negative", b.Account, b.Unit, b.Amount)
		}
	}
	for k, v := range sums {
		if v != 0 && !seen[k] {
			t.Errorf("entries of %s/%s sum to %d but Snapshot has no balance", k.account, k.unit, v)
		}
	}
	for u, v := range total {
		if v != 0 {
			t.Errorf("balances of %s sum to %d, want 0", u, v)
		}
	}
}

// Balances returns every balance of the store keyed "account/unit".
func Balances(t testing.TB, s ledger.Store) map[string]int64 {
	t.Helper()
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	out := map[string]int64{}
	for _, b := range snap.Balances {
		out[b.Account+"/"+b.Unit] = b.Amount
	}
	return out
}

// mustTx returns a function failing t if the transfer returned an error:
// mustTx(t)(l.Purchase(...)).
func mustTx(t testing.TB) func(ledger.Transaction, error) {
	return func(_ ledger.Transaction, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func ids(prefix string, from, to int) []string {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s-%06d", prefix, i))
	}
	return out
}

func statuses(r ledger.Result) []string {
	out := make([]string, len(r.Statuses))
	for i, s := range r.Statuses {
		out[i] = s.String()
	}
	return out
}

func testBalances(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	m := func(bp ledger.BasisPoints) int64 { return int64(ledger.Margin(Price, bp)) }
	steps := []struct {
		name string
		do   func() error
		want map[string]int64 // balances after the step; unlisted ones must be 0
	}{
		{"purchase", func() error { _, err := l.Purchase(ctx, Parent, CreditType, 100); return err },
			map[string]int64{"@funding/" + CreditType: -100, Parent + "/" + CreditType: 100}},
		{"distribute", func() error {
			if _, err := l.Distribute(ctx, Parent, Child, CreditType, 30); err != nil {
				return err
			}
			_, err := l.Distribute(ctx, Parent, ChildOver, CreditType, 20)
			return err
		}, map[string]int64{"@funding/" + CreditType: -100, Parent + "/" + CreditType: 50, Child + "/" + CreditType: 30, ChildOver + "/" + CreditType: 20}},
		{"debit", func() error {
			r, err := l.Debit(ctx, Child, CreditType, "spring", ids("a", 0, 5))
			if err == nil && (r.Charged != 5 || r.Balance != 25 || r.Margin != ledger.Margin(Price, ParentComm)*5) {
				err = fmt.Errorf("debit result %+v", r)
			}
			if err != nil {
				return err
			}
			r, err = l.Debit(ctx, ChildOver, CreditType, "spring", ids("b", 0, 3))
			if err == nil && (r.Charged != 3 || r.Balance != 17) {
				err = fmt.Errorf("debit result %+v", r)
			}
			return err
		}, map[string]int64{"@funding/" + CreditType: -100, Parent + "/" + CreditType: 50, Child + "/" + CreditType: 25,
			ChildOver + "/" + CreditType: 17, "@consumed/" + CreditType: 8,
			Parent + "/usd": 5*m(ParentComm) + 3*m(OverrideComm), "@margin/usd": -(5*m(ParentComm) + 3*m(OverrideComm))}},
		{"refund", func() error {
			r, err := l.Refund(ctx, []string{"a-000001"})
			if err == nil && r.Refunded != 1 {
				err = fmt.Errorf("refund result %+v", r)
			}
			return err
		}, map[string]int64{"@funding/" + CreditType: -100, Parent + "/" + CreditType: 50, Child + "/" + CreditType: 26,
			ChildOver + "/" + CreditType: 17, "@consumed/" + CreditType: 7,
			Parent + "/usd": 4*m(ParentComm) + 3*m(OverrideComm), "@margin/usd": -(4*m(ParentComm) + 3*m(OverrideComm))}},
	}
	if m(ParentComm) != 900 || m(OverrideComm) != 2250 {
		t.Fatalf("margins %d, %d; want 900 (10%% of $0.90) and 2250 (25%%)", m(ParentComm), m(OverrideComm))
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := Balances(t, l.Store()); !reflect.DeepEqual(got, st.want) {
			t.Fatalf("after %s balances\n got %v\nwant %v", st.name, got, st.want)
		}
	}
}

func testRules(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	mustTx(t)(l.Purchase(ctx, Parent, CreditType, 10))
	before := Balances(t, l.Store())
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"distribute more than held", func() error { _, err := l.Distribute(ctx, Parent, Child, CreditType, 11); return err }, ledger.ErrInsufficient},
		{"distribute to another tenant", func() error { _, err := l.Distribute(ctx, Parent, OtherChild, CreditType, 1); return err }, ledger.ErrNotChild},
		{"distribute child to parent", func() error { _, err := l.Distribute(ctx, Child, Parent, CreditType, 1); return err }, ledger.ErrNotChild},
		{"purchase into sub-account", func() error { _, err := l.Purchase(ctx, Child, CreditType, 1); return err }, ledger.ErrNotParent},
		{"purchase unknown account", func() error { _, err := l.Purchase(ctx, "nobody", CreditType, 1); return err }, ledger.ErrUnknownAccount},
		{"purchase unknown credit type", func() error { _, err := l.Purchase(ctx, Parent, "nope", 1); return err }, ledger.ErrUnknownCreditType},
		{"purchase zero", func() error { _, err := l.Purchase(ctx, Parent, CreditType, 0); return err }, ledger.ErrInvalid},
		{"debit unknown account", func() error { _, err := l.Debit(ctx, "nobody", CreditType, "c", []string{"p"}); return err }, ledger.ErrUnknownAccount},
		{"debit unknown credit type", func() error { _, err := l.Debit(ctx, Child, "nope", "c", []string{"p"}); return err }, ledger.ErrUnknownCreditType},
		{"debit empty piece id", func() error { _, err := l.Debit(ctx, Child, CreditType, "c", []string{""}); return err }, ledger.ErrInvalid},
		{"move child to other parent", func() error { return l.PutAccount(ctx, ledger.Account{ID: Child, Parent: OtherParent}) }, ledger.ErrConflict},
		{"grandchild", func() error { return l.PutAccount(ctx, ledger.Account{ID: "grandchild", Parent: Child}) }, ledger.ErrInvalid},
		{"unknown parent", func() error { return l.PutAccount(ctx, ledger.Account{ID: "orphan", Parent: "nobody"}) }, ledger.ErrUnknownAccount},
		{"reserved id", func() error { return l.PutAccount(ctx, ledger.Account{ID: "@funding"}) }, ledger.ErrInvalid},
		{"commission over 100%", func() error { return l.PutAccount(ctx, ledger.Account{ID: "greedy", DefaultCommission: 10001}) }, ledger.ErrInvalid},
	}
	for _, tc := range tests {
		if err := tc.do(); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if after := Balances(t, l.Store()); !reflect.DeepEqual(after, before) {
		t.Errorf("failed calls changed balances:\n got %v\nwant %v", after, before)
	}
}

func testInsufficient(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	mustTx(t)(l.Purchase(ctx, Parent, CreditType, 4))
	mustTx(t)(l.Distribute(ctx, Parent, Child, CreditType, 3))
	steps := []struct {
		pieces  []string
		want    []string
		balance int64
	}{
		{[]string{"p1", "p2", "p3", "p4", "p5"}, []string{"charged", "charged", "charged", "insufficient", "insufficient"}, 0},
		{[]string{"p4", "p5", "p1"}, []string{"insufficient", "insufficient", "already_charged"}, 0},
	}
	for i, st := range steps {
		r, err := l.Debit(ctx, Child, CreditType, "c1", st.pieces)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := statuses(r); !reflect.DeepEqual(got, st.want) || r.Balance != st.balance {
			t.Fatalf("step %d: statuses %v balance %d, want %v balance %d", i, got, r.Balance, st.want, st.balance)
		}
	}
	if r, _ := l.Debit(ctx, Child, CreditType, "c1", []string{"p4"}); r.TxID != 0 || r.Insufficient != 1 {
		t.Fatalf("debit with no credits wrote transaction %d / %+v", r.TxID, r)
	}
	// More credits arrive: the held pieces are released in order.
	mustTx(t)(l.Distribute(ctx, Parent, Child, CreditType, 1))
	r, err := l.Debit(ctx, Child, CreditType, "c1", []string{"p1", "p4", "p5"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(r), []string{"already_charged", "charged", "insufficient"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after release: %v, want %v", got, want)
	}
	if got := Balances(t, l.Store()); got[Child+"/"+CreditType] != 0 || got["@consumed/"+CreditType] != 4 {
		t.Fatalf("balances %v", got)
	}
}

func testReplay(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	mustTx(t)(l.Purchase(ctx, Parent, CreditType, 1000))
	mustTx(t)(l.Distribute(ctx, Parent, Child, CreditType, 500))
	job := ids("job7", 0, 250)
	run := func() (charged, already int) {
		for i := 0; i < len(job); i += 60 {
			r, err := l.Debit(ctx, Child, CreditType, "replay", job[i:min(i+60, len(job))])
			if err != nil {
				t.Fatal(err)
			}
			charged += r.Charged
			already += r.AlreadyCharged
		}
		return
	}
	if c, a := run(); c != 250 || a != 0 {
		t.Fatalf("first run: charged %d already %d, want 250, 0", c, a)
	}
	if c, a := run(); c != 0 || a != 250 {
		t.Fatalf("replay: charged %d already %d, want 0, 250", c, a)
	}
	// Duplicates inside one call count once.
	r, err := l.Debit(ctx, Child, CreditType, "replay", []string{"dup", "dup", "job7-000000", "dup"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(r), []string{"charged", "already_charged", "already_charged", "already_charged"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("duplicates: %v, want %v", got, want)
	}
	if got := Balances(t, l.Store()); got[Child+"/"+CreditType] != 249 || got["@consumed/"+CreditType] != 251 {
		t.Fatalf("balances after replay %v, want child 249 consumed 251", got)
	}
	snap, err := l.Store().Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Usage) != 1 || snap.Usage[0].Charged != 251 {
		t.Fatalf("usage %+v, want one row with 251 charged", snap.Usage)
	}
}

func testRefund(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	mustTx(t)(l.Purchase(ctx, Parent, CreditType, 10))
	mustTx(t)(l.Distribute(ctx, Parent, Child, CreditType, 5))
	mustTx(t)(l.Distribute(ctx, Parent, ChildOver, CreditType, 5))
	if _, err := l.Debit(ctx, Child, CreditType, "c1", []string{"x1", "x2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Debit(ctx, ChildOver, CreditType, "c2", []string{"y1"}); err != nil {
		t.Fatal(err)
	}
	r, err := l.Refund(ctx, []string{"x1", "never", "x1", "y1"})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(r.Statuses))
	for i, s := range r.Statuses {
		got[i] = s.String()
	}
	if want := []string{"refunded", "not_charged", "already_refunded", "refunded"}; !reflect.DeepEqual(got, want) || r.Refunded != 2 || len(r.TxIDs) != 2 {
		t.Fatalf("refund: %v %+v, want %v with 2 transactions", got, r, want)
	}
	if r, _ := l.Refund(ctx, []string{"x1"}); r.Refunded != 0 || r.Statuses[0] != ledger.StatusAlreadyRefunded {
		t.Fatalf("second refund: %+v", r)
	}
	// A refunded piece id stays used: charging it again is a no-op.
	if r, _ := l.Debit(ctx, Child, CreditType, "c1", []string{"x1"}); r.Statuses[0] != ledger.StatusAlreadyCharged {
		t.Fatalf("re-debit of refunded piece: %v", r.Statuses)
	}
	want := map[string]int64{
		"@funding/" + CreditType: -10, Parent + "/" + CreditType: 0, Child + "/" + CreditType: 4, ChildOver + "/" + CreditType: 5,
		"@consumed/" + CreditType: 1, Parent + "/usd": int64(ledger.Margin(Price, ParentComm)), "@margin/usd": -int64(ledger.Margin(Price, ParentComm)),
	}
	delete(want, Parent+"/"+CreditType)
	if got := Balances(t, l.Store()); !reflect.DeepEqual(got, want) {
		t.Fatalf("balances\n got %v\nwant %v", got, want)
	}
}

func testCommissionChange(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	mustTx(t)(l.Purchase(ctx, Parent, CreditType, 10))
	mustTx(t)(l.Distribute(ctx, Parent, Child, CreditType, 10))
	if _, err := l.Debit(ctx, Child, CreditType, "c", []string{"k1"}); err != nil {
		t.Fatal(err)
	}
	over := ledger.BasisPoints(5000)
	if err := l.PutAccount(ctx, ledger.Account{ID: Child, Parent: Parent, CommissionOverride: &over}); err != nil {
		t.Fatal(err)
	}
	r, err := l.Debit(ctx, Child, CreditType, "c", []string{"k2"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Margin != 4500 {
		t.Fatalf("margin at 50%% of $0.90 = %s, want 0.4500", r.Margin)
	}
	// Refunding the first piece gives back the margin it booked, not today's.
	if _, err := l.Refund(ctx, []string{"k1"}); err != nil {
		t.Fatal(err)
	}
	if got := Balances(t, l.Store())[Parent+"/usd"]; got != 4500 {
		t.Fatalf("parent margin %d, want 4500", got)
	}
}

func testReport(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	mustTx(t)(l.Purchase(ctx, Parent, CreditType, 100))
	mustTx(t)(l.Purchase(ctx, Parent, CreditType2, 7))
	mustTx(t)(l.Distribute(ctx, Parent, Child, CreditType, 30))
	mustTx(t)(l.Distribute(ctx, Parent, ChildOver, CreditType, 20))
	for _, d := range []struct {
		acct, camp string
		n          int
	}{{Child, "spring", 4}, {Child, "fall", 2}, {ChildOver, "spring", 5}} {
		if _, err := l.Debit(ctx, d.acct, CreditType, d.camp, ids(d.acct+d.camp, 0, d.n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Refund(ctx, []string{Child + "fall-000000"}); err != nil {
		t.Fatal(err)
	}
	r, err := l.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCamp := []ledger.CampaignReport{
		{Account: Child, Campaign: "fall", CreditType: CreditType, Charged: 2, Refunded: 1, Used: 1, Margin: 900},
		{Account: Child, Campaign: "spring", CreditType: CreditType, Charged: 4, Used: 4, Margin: 3600},
		{Account: ChildOver, Campaign: "spring", CreditType: CreditType, Charged: 5, Used: 5, Margin: 11250},
	}
	if !reflect.DeepEqual(r.Campaigns, wantCamp) {
		t.Errorf("campaigns\n got %+v\nwant %+v", r.Campaigns, wantCamp)
	}
	var parent *ledger.ParentReport
	for i := range r.Parents {
		if r.Parents[i].Parent == Parent {
			parent = &r.Parents[i]
		}
	}
	wantParent := ledger.ParentReport{Parent: Parent, Children: []string{Child, ChildOver}, MarginEarned: 15750, Credits: []ledger.CreditLine{
		{CreditType: CreditType2, Balance: 7},
		{CreditType: CreditType, Balance: 50 + 25 + 15, Charged: 11, Refunded: 1, Used: 10, Value: 10 * Price, Margin: 15750},
	}}
	if parent == nil || !reflect.DeepEqual(*parent, wantParent) {
		t.Errorf("consolidated parent\n got %+v\nwant %+v", parent, wantParent)
	}
	for _, a := range r.Accounts {
		if a.Account == ChildOver && a.Commission != OverrideComm {
			t.Errorf("%s commission %s, want %s", a.Account, a.Commission, OverrideComm)
		}
		if a.Account == Child && a.Commission != ParentComm {
			t.Errorf("%s commission %s, want %s", a.Account, a.Commission, ParentComm)
		}
	}
	for _, c := range r.CreditTypes {
		if c.CreditType == CreditType && (c.Purchased != 100 || c.Outstanding != 90 || c.Consumed != 10 || c.Charged != 11) {
			t.Errorf("credit type line %+v", c)
		}
	}
}

// testConcurrent: 50 goroutines debit one sub-account at once with more
// demand than balance.
func testConcurrent(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	const (
		workers   = 50
		perWorker = 10
		credits   = 137
	)
	mustTx(t)(l.Purchase(ctx, Parent, CreditType, credits))
	mustTx(t)(l.Distribute(ctx, Parent, Child, CreditType, credits))
	var (
		wg                          sync.WaitGroup
		mu                          sync.Mutex
		charged, insufficient, errs int
		start                       = make(chan struct{})
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Each worker sends its own pieces plus one shared piece.
			pieces := append(ids(fmt.Sprintf("w%02d", w), 0, perWorker-1), "shared")
			r, err := l.Debit(ctx, Child, CreditType, "rush", pieces)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("worker %d: %v", w, err)
				errs++
				return
			}
			charged += r.Charged
			insufficient += r.Insufficient
		}()
	}
	close(start)
	wg.Wait()
	if errs > 0 {
		t.FailNow()
	}
	if charged != credits {
		t.Fatalf("charged %d pieces, balance allowed %d", charged, credits)
	}
	if got := Balances(t, l.Store()); got[Child+"/"+CreditType] != 0 || got["@consumed/"+CreditType] != credits {
		t.Fatalf("balances %v", got)
	}
	snap, err := l.Store().Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Usage) != 1 || snap.Usage[0].Charged != credits {
		t.Fatalf("usage %+v", snap.Usage)
	}
	// Demand was 50×9 own + 1 shared = 451 distinct pieces.
	if charged+insufficient != 451 {
		t.Fatalf("charged %d + insufficient %d, want 451 distinct pieces accounted for", charged, insufficient)
	}
}

// testSamePiecesTwoAccounts: sub-accounts of different parents race to
// debit the same piece ids; each piece is charged exactly once overall.
func testSamePiecesTwoAccounts(t *testing.T, l *ledger.Ledger) {
	ctx := context.Background()
	for _, p := range [][2]string{{Parent, Child}, {OtherParent, OtherChild}} {
		mustTx(t)(l.Purchase(ctx, p[0], CreditType, 1000))
		mustTx(t)(l.Distribute(ctx, p[0], p[1], CreditType, 1000))
	}
	pieces := ids("race", 0, 400)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		charged int
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acct := Child
			if w%2 == 1 {
				acct = OtherChild
			}
			for i := 0; i < len(pieces); i += 100 {
				r, err := l.Debit(ctx, acct, CreditType, "race", pieces[i:i+100])
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				mu.Lock()
				charged += r.Charged
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b := Balances(t, l.Store())
	if charged != len(pieces) || b["@consumed/"+CreditType] != int64(len(pieces)) ||
		b[Child+"/"+CreditType]+b[OtherChild+"/"+CreditType] != 2000-int64(len(pieces)) {
		t.Fatalf("charged %d, balances %v; want each of %d pieces charged once", charged, b, len(pieces))
	}
}
