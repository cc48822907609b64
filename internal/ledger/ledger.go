package ledger

import (
	"context"
	"fmt"
)

// Store keeps accounts, credit types, transactions and the set of charged
// pieces. Every method is atomic: it applies completely or not at all, and an
// error means nothing was written. Implementations: *PostgresStore (service)
// and *FileStore (embedded CLI); both pass ledgertest.Run. Callers normally use
// a *Ledger, which validates arguments before they reach the Store.
type Store interface {
	// Define creates or updates accounts (parents before their children) and
	// credit types. An account's Parent cannot change once stored.
	Define(ctx context.Context, accounts []Account, creditTypes []CreditType) error
	// Transfer applies a purchase or distribution; ErrInsufficient if the
	// source (other than AccountFunding) holds fewer credits than asked.
	Transfer(ctx context.Context, t Transfer) (Transaction, error)
	// Debit charges one credit per new piece, in order, while the balance
	// lasts; see Ledger.Debit.
	Debit(ctx context.Context, d DebitRequest) (Result, error)
	// Refund reverses the debits of the given pieces; see Ledger.Refund.
	Refund(ctx context.Context, pieceIDs []string) (RefundResult, error)
	// Snapshot reads accounts, balances and usage for reports.
	Snapshot(ctx context.Context) (*Snapshot, error)
	// Transactions calls fn for every transaction in id order, stopping at fn's first error.
	Transactions(ctx context.Context, fn func(Transaction) error) error
	// Close releases what the store opened (not a pool it was handed).
	Close() error
}

// DebitRequest is one batch debit handed to a Store.
type DebitRequest struct {
	// Account is the sub-account (or parent) paying one credit per piece.
	Account string
	// CreditType is the credit type charged.
	CreditType string
	// Campaign is recorded on the transaction for usage reports.
	Campaign string
	// PieceIDs are the idempotency keys, charged in this order.
	PieceIDs []string
}

// MaxDebitPieces is the largest number of piece ids one Debit call accepts.
const MaxDebitPieces = 100_000

// Ledger is the postage and credits ledger over a Store. It is safe for
// concurrent use if its Store is (both stores in this package are).
type Ledger struct {
	store Store
}

// New returns a Ledger keeping its state in s. Closing the Ledger closes s.
func New(s Store) *Ledger { return &Ledger{store: s} }

// Store returns the store the ledger was built on.
func (l *Ledger) Store() Store { return l.store }

// Close closes the store.
func (l *Ledger) Close() error { return l.store.Close() }

// Sync makes every call so far durable, for a store that can return before
// its writes are (a FileStore after SyncBehind); other stores are durable
// when each call returns, and Sync does nothing.
func (l *Ledger) Sync() error {
	if s, ok := l.store.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

// PutAccount creates or updates an account. A sub-account's parent must
// already exist and be a parent account.
func (l *Ledger) PutAccount(ctx context.Context, a Account) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("put account: %w", err)
	}
	if err := l.store.Define(ctx, []Account{a}, nil); err != nil {
		return fmt.Errorf("put account %q: %w", a.ID, err)
	}
	return nil
}

// PutCreditType creates or updates a credit type. A price change applies to
// later debits only.
func (l *Ledger) PutCreditType(ctx context.Context, ct CreditType) error {
	if err := ct.Validate(); err != nil {
		return fmt.Errorf("put credit type: %w", err)
	}
	if err := l.store.Define(ctx, nil, []CreditType{ct}); err != nil {
		return fmt.Errorf("put credit type %q: %w", ct.ID, err)
	}
	return nil
}

// Purchase books credits bought by a parent account (from AccountFunding).
func (l *Ledger) Purchase(ctx context.Context, account, creditType string, credits int64) (Transaction, error) {
	return l.transfer(ctx, Transfer{Kind: KindPurchase, From: AccountFunding, To: account, CreditType: creditType, Credits: credits})
}

// Distribute moves credits from a parent account to one of its
// sub-accounts; ErrInsufficient if the parent holds fewer.
func (l *Ledger) Distribute(ctx context.Context, parent, child, creditType string, credits int64) (Transaction, error) {
	return l.transfer(ctx, Transfer{Kind: KindDistribute, From: parent, To: child, CreditType: creditType, Credits: credits})
}

func (l *Ledger) transfer(ctx context.Context, t Transfer) (Transaction, error) {
	if t.Credits <= 0 {
		return Transaction{}, fmt.Errorf("%s %d %s to %q: %w: credits must be positive", t.Kind, t.Credits, t.CreditType, t.To, ErrInvalid)
	}
	if t.To == "" || t.From == "" || t.CreditType == "" {
		return Transaction{}, fmt.Errorf("%s: %w: account and credit type are required", t.Kind, ErrInvalid)
	}
	tx, err := l.store.Transfer(ctx, t)
	if err != nil {
		return Transaction{}, fmt.Errorf("%s %d %s from %q to %q: %w", t.Kind, t.Credits, t.CreditType, t.From, t.To, err)
	}
	return tx, nil
}

// Debit charges one credit of creditType from the sub-account for each
// piece, in the order given, as one transaction that also books the parent's
// margin (credit price × commission). Per piece it reports StatusCharged;
// StatusAlreadyCharged if the piece id was charged before (by any call, or
// earlier in this one — the piece id is the idempotency key, and a refunded
// piece stays charged for this purpose); or StatusInsufficient once the
// balance is used up, so which pieces are held is determined by their order.
// Insufficient credits are not an error. An error means nothing was charged.
func (l *Ledger) Debit(ctx context.Context, account, creditType, campaign string, pieceIDs []string) (Result, error) {
	if account == "" || creditType == "" {
		return Result{}, fmt.Errorf("debit: %w: account and credit type are required", ErrInvalid)
	}
	if len(pieceIDs) > MaxDebitPieces {
		return Result{}, fmt.Errorf("debit %d pieces from %q: %w: at most %d pieces per call", len(pieceIDs), account, ErrInvalid, MaxDebitPieces)
	}
	for i, id := range pieceIDs {
		if id == "" {
			return Result{}, fmt.Errorf("debit from %q: %w: piece id %d is empty", account, ErrInvalid, i)
		}
	}
	if len(pieceIDs) == 0 {
		return Result{}, nil
	}
	res, err := l.store.Debit(ctx, DebitRequest{Account: account, CreditType: creditType, Campaign: campaign, PieceIDs: pieceIDs})
	if err != nil {
		return Result{}, fmt.Errorf("debit %d pieces of %s from %q for campaign %q: %w", len(pieceIDs), creditType, account, campaign, err)
	}
	return res, nil
}

// Refund reverses the debits of cancelled pieces: the credit goes back to the
// sub-account and the margin back from the parent, in one refund transaction
// per debit transaction touched. Pieces never charged report
// StatusNotCharged, pieces refunded before StatusAlreadyRefunded.
func (l *Ledger) Refund(ctx context.Context, pieceIDs []string) (RefundResult, error) {
	for i, id := range pieceIDs {
		if id == "" {
			return RefundResult{}, fmt.Errorf("refund: %w: piece id %d is empty", ErrInvalid, i)
		}
	}
	if len(pieceIDs) == 0 {
		return RefundResult{}, nil
	}
	res, err := l.store.Refund(ctx, pieceIDs)
	if err != nil {
		return RefundResult{}, fmt.Errorf("refund %d pieces: %w", len(pieceIDs), err)
	}
	return res, nil
}

// Balance returns the account's holding of unit (a credit type id, or UnitMoney for margin earned).
func (l *Ledger) Balance(ctx context.Context, account, unit string) (int64, error) {
	s, err := l.store.Snapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("balance of %q: %w", account, err)
	}
	for _, b := range s.Balances {
		if b.Account == account && b.Unit == unit {
			return b.Amount, nil
		}
	}
	return 0, nil
}

// planDebit decides each piece's status in order: a piece whose key was
// seen earlier in keys, or for which isNew is false, is already charged; new
// pieces are charged while balance lasts, the rest are insufficient. It
// returns the statuses and the indexes of the charged pieces. seen is
// scratch space, emptied first, so a caller can keep one from call to call.
func planDebit(keys []pieceKey, balance int64, seen map[pieceKey]struct{}, isNew func(i int) bool) ([]PieceStatus, []int) {
	clear(seen)
	st := make([]PieceStatus, len(keys))
	charged := make([]int, 0, min(int64(len(keys)), max(balance, 0)))
	for i, k := range keys {
		if _, dup := seen[k]; dup {
			st[i] = StatusAlreadyCharged
			continue
		}
		seen[k] = struct{}{}
		switch {
		case !isNew(i):
			st[i] = StatusAlreadyCharged
		case balance > 0:
			st[i] = StatusCharged
			balance--
			charged = append(charged, i)
		default:
			st[i] = StatusInsufficient
		}
	}
	return st, charged
}

// tally fills the counters of r from its statuses.
func (r *Result) tally() {
	for _, s := range r.Statuses {
		switch s {
		case StatusCharged:
			r.Charged++
		case StatusAlreadyCharged:
			r.AlreadyCharged++
		case StatusInsufficient:
			r.Insufficient++
		}
	}
}

// debitEntries are the entries of a debit of n pieces (negate them for a refund).
func debitEntries(account, parent, creditType string, n int64, marginPerPiece Amount) ([]Entry, Amount, error) {
	total, err := mulAmount(marginPerPiece, n)
	if err != nil {
		return nil, 0, fmt.Errorf("margin of %d pieces: %w", n, err)
	}
	e := []Entry{
		{Account: account, Unit: creditType, Amount: -n},
		{Account: AccountConsumed, Unit: creditType, Amount: n},
	}
	if total != 0 && parent != "" {
		e = append(e,
			Entry{Account: AccountMargin, Unit: UnitMoney, Amount: -int64(total)},
			Entry{Account: parent, Unit: UnitMoney, Amount: int64(total)})
	}
	return e, total, nil
}

func negate(es []Entry) []Entry {
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{Account: e.Account, Unit: e.Unit, Amount: -e.Amount}
	}
	return out
}

// checkTransfer applies the account rules of a transfer given the stored
// source and destination accounts (from is nil for AccountFunding).
func checkTransfer(t Transfer, from, to *Account) error {
	switch t.Kind {
	case KindPurchase:
		if t.From != AccountFunding {
			return fmt.Errorf("%w: purchases come from %s", ErrInvalid, AccountFunding)
		}
		if to.Parent != "" {
			return fmt.Errorf("%w: %q belongs to %q", ErrNotParent, to.ID, to.Parent)
		}
	case KindDistribute:
		if from == nil || to.Parent != from.ID {
			return fmt.Errorf("%w: %q is not a child of %q", ErrNotChild, to.ID, t.From)
		}
	default:
		return fmt.Errorf("%w: transfer kind %q", ErrInvalid, t.Kind)
	}
	return nil
}

// transferEntries are the entries of a transfer.
func transferEntries(t Transfer) []Entry {
	return []Entry{
		{Account: t.From, Unit: t.CreditType, Amount: -t.Credits},
		{Account: t.To, Unit: t.CreditType, Amount: t.Credits},
	}
}

// checkDefine checks new account definitions against stored ones (lookup
// returns a stored account) and the ones defined earlier in the same call.
func checkDefine(accounts []Account, lookup func(id string) (*Account, error)) error {
	pending := map[string]*Account{}
	get := func(id string) (*Account, error) {
		if a, ok := pending[id]; ok {
			return a, nil
		}
		return lookup(id)
	}
	for i := range accounts {
		a := &accounts[i]
		if err := a.Validate(); err != nil {
			return err
		}
		old, err := get(a.ID)
		if err != nil {
			return err
		}
		if old != nil && old.Parent != a.Parent {
			return fmt.Errorf("%w: account %q has parent %q, cannot change to %q", ErrConflict, a.ID, old.Parent, a.Parent)
		}
		if a.Parent != "" {
			p, err := get(a.Parent)
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("%w: parent %q of %q", ErrUnknownAccount, a.Parent, a.ID)
			}
			if p.Parent != "" {
				return fmt.Errorf("%w: parent %q of %q is itself a sub-account (two levels only)", ErrInvalid, a.Parent, a.ID)
			}
		}
		pending[a.ID] = a
	}
	return nil
}
